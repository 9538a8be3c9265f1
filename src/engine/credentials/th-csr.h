/* th-csr.h: the PKCS#10 certificate signing request a device returns in its NOCSR elements
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "crypto/th-crypto.h"

G_BEGIN_DECLS

#define TH_CSR_NONCE_LEN            32
#define TH_CSR_MIN_LEN              16
/* The whole NOCSR elements structure is bounded by the response size, 900 bytes. */
#define TH_NOCSR_ELEMENTS_MAX_LEN   900

/* Parses a DER PKCS#10 CertificationRequest (RFC 2986) whose key is P-256 and whose signature
 * is ECDSA with SHA-256, checks that signature over the CertificationRequestInfo with the
 * request's own key, and returns that public key. The subject and attributes are only
 * checked to be well-formed. TH_ERROR_CSR_INVALID otherwise. */
ThP256Key *th_csr_parse                 (const guint8  *der,
                                         gsize          len,
                                         GError       **error);

/* Parses the NOCSRElements TLV of a CSRResponse (Operational Credentials cluster): checks its
 * CSRNonce against `expected_nonce`, the one sent in the CSRRequest, and returns the key of
 * its CSR as th_csr_parse does. The attestation signature over the elements is the caller's
 * to check, with the DAC. */
ThP256Key *th_csr_parse_nocsr_elements  (const guint8  *tlv,
                                         gsize          len,
                                         const guint8   expected_nonce[TH_CSR_NONCE_LEN],
                                         GError       **error);

G_END_DECLS
