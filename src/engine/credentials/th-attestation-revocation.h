/* th-attestation-revocation.h: revoked attestation certificates (DACs and PAIs)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <openssl/x509.h>

G_BEGIN_DECLS

/* Serial numbers revoked by an issuer, the information the DCL's revocation points lead to
 * (each point names an issuer by subject key identifier; its CRL lists serial numbers). A
 * certificate is revoked when an entry has its issuer's key identifier (the certificate's
 * authority key identifier), its issuer name if the entry gives one, and its serial number.
 * Reference counted; not thread-safe while being filled. */
typedef struct _ThRevocationSet ThRevocationSet;

#define TH_TYPE_REVOCATION_SET (th_revocation_set_get_type ())

GType            th_revocation_set_get_type  (void) G_GNUC_CONST;
ThRevocationSet *th_revocation_set_new       (void);
ThRevocationSet *th_revocation_set_ref       (ThRevocationSet *self);
void             th_revocation_set_unref     (ThRevocationSet *self);

/* `issuer_name_der` (a DER Name) may be NULL to match on the key identifier alone. Serial
 * numbers are the big-endian bytes of the INTEGER; leading zero bytes do not matter. */
void             th_revocation_set_add       (ThRevocationSet *self,
                                              const guint8     issuer_key_id[20],
                                              const guint8    *issuer_name_der,
                                              gsize            issuer_name_len,
                                              const guint8    *serial,
                                              gsize            serial_len);

/* Adds the entries of a JSON revocation set, the format connectedhomeip's tools read:
 *
 *   [ { "type": "revocation_set",
 *       "issuer_subject_key_id": "<20 bytes, hex>",
 *       "issuer_name": "<DER Name, base64>",              (optional)
 *       "revoked_serial_numbers": [ "<serial, hex>", ... ] }, ... ]
 *
 * Hex may be of either case. Objects of another "type" are skipped. Nothing is added when
 * the document is malformed (TH_ERROR_REVOCATION_SET, naming the entry). */
gboolean         th_revocation_set_load_json (ThRevocationSet *self,
                                              const char      *json,
                                              gssize           len,
                                              GError         **error);

guint            th_revocation_set_get_size  (ThRevocationSet *self);
gboolean         th_revocation_set_contains  (ThRevocationSet *self,
                                              X509            *cert);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThRevocationSet, th_revocation_set_unref)

G_END_DECLS
