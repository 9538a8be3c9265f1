/* th-attestation-x509.h: X.509 helpers shared by the attestation verifier, the PAA trust store
 * and the certification declaration signers (engine-internal)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <openssl/x509.h>

#include "crypto/th-crypto.h"

G_BEGIN_DECLS

/* Subject and authority key identifiers in Matter's attestation certificates are SHA-1 sized. */
#define TH_KEY_ID_LEN 20

/* The Matter vendor and product ids a certificate's subject carries, either as the Matter DN
 * attributes (1.3.6.1.4.1.37244.2.1 and .2.2) or, when it has neither, in the common name as
 * "Mvid:FFF1" and "Mpid:8000". */
typedef struct
{
  gboolean has_vendor_id;
  gboolean has_product_id;
  guint16 vendor_id;
  guint16 product_id;
} ThMatterIds;

/* One DER certificate, with no byte after it. TH_ERROR_ATTESTATION_CERTIFICATE on failure. */
X509      *th_x509_from_der            (const guint8  *der,
                                        gsize          len,
                                        GError       **error);
/* The certificates in a file's contents: one or more PEM "CERTIFICATE" blocks, or one DER
 * certificate. Returns an array of X509 * that frees them, or NULL with an error. */
GPtrArray *th_x509_list_from_data      (const guint8  *data,
                                        gsize          len,
                                        GError       **error);
/* A certificate revocation list: one DER CRL with no byte after it, or the first PEM "X509
 * CRL" block. TH_ERROR_REVOCATION_SET when it is neither. Its signature is not checked. */
X509_CRL  *th_crl_from_data            (const guint8  *data,
                                        gsize          len,
                                        GError       **error);
/* Every certificate in every regular file of `path` (not its subdirectories), as an array of
 * X509 *. A file that cannot be read or holds no certificate is skipped and named in a
 * warning appended to `warnings` (an array of GError *). Fails only when the directory
 * cannot be listed. `newest_mtime` receives the newest modification time of the files the
 * certificates came from, in Unix seconds (0 when none). */
GPtrArray *th_x509_list_from_directory (const char    *path,
                                        GPtrArray     *warnings,
                                        gint64        *newest_mtime,
                                        GError       **error);

/* The key identifiers, or FALSE when the extension is absent or not TH_KEY_ID_LEN long.
 * The pointers are into the certificate. */
gboolean   th_x509_get_subject_key_id   (X509          *cert,
                                         const guint8 **id);
gboolean   th_x509_get_authority_key_id (X509          *cert,
                                         const guint8 **id);

/* Fails with TH_ERROR_ATTESTATION_CERTIFICATE when an attribute is present but malformed
 * (not four upper-case hex digits, given twice, or a CN prefix without its digits). */
gboolean   th_x509_get_matter_ids       (X509          *cert,
                                         ThMatterIds   *ids,
                                         GError       **error);

/* The certificate's public key, which must be a P-256 key; TH_ERROR_CRYPTO_INVALID_KEY
 * otherwise (also when it cannot be decoded). */
ThP256Key *th_x509_get_p256_key         (X509          *cert,
                                         GError       **error);

/* "2031-12-31", in UTC, for messages; "?" when the time cannot be read. */
char      *th_asn1_time_to_string       (const ASN1_TIME *time);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_CRL, X509_CRL_free)

G_END_DECLS
