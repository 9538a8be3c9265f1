/* th-case-identity.h: who a node is in CASE: its operational credentials on one fabric
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "credentials/th-certificate.h"
#include "credentials/th-fabric.h"
#include "crypto/th-crypto.h"
#include "th-case-messages.h"

G_BEGIN_DECLS

/* The destination identifier of Sigma1: HMAC-SHA256 keyed with the operational IPK over
 * initiatorRandom || root public key || fabric id (64-bit little-endian) || node id (likewise).
 * It names the node sought without revealing it to onlookers. */
gboolean th_case_destination_id (const guint8  ipk[TH_IPK_LEN],
                                 const guint8  random[TH_CASE_RANDOM_LEN],
                                 const guint8  root_public_key[TH_P256_PUBLIC_KEY_LEN],
                                 guint64       fabric_id,
                                 guint64       node_id,
                                 guint8        out[TH_CASE_DESTINATION_ID_LEN],
                                 GError      **error);

/* A node's operational identity: its fabric's root certificate (RCAC), its NOC, the ICAC
 * between them if any, the private key of its NOC, and the operational IPK derived from the
 * fabric's IPK epoch key. It is what an initiator presents in Sigma3 and a responder in
 * Sigma2, and what it checks the peer's credentials against. Reference counted and immutable;
 * the key and the IPK are secrets, wiped when it is freed. */
typedef struct _ThCaseIdentity ThCaseIdentity;

/* Certificates in the Matter TLV encoding; `icac_tlv` may be NULL. The NOC must chain to the
 * RCAC through the ICAC and `noc_key` must be its key; the fabric id and node id are the NOC's.
 * TH_ERROR_CERTIFICATE_* or TH_ERROR_CRYPTO_* errors. */
ThCaseIdentity *th_case_identity_new             (GBytes          *rcac_tlv,
                                                  GBytes          *icac_tlv,
                                                  GBytes          *noc_tlv,
                                                  ThP256Key       *noc_key,
                                                  const guint8     ipk_epoch_key[TH_IPK_LEN],
                                                  GError         **error);
/* The commissioner's own identity on its fabric: the fabric's RCAC, ICAC and IPK, with the
 * NOC the fabric issued for `noc_key`. */
ThCaseIdentity *th_case_identity_new_for_fabric  (ThFabric        *fabric,
                                                  GBytes          *noc_tlv,
                                                  ThP256Key       *noc_key,
                                                  GError         **error);
ThCaseIdentity *th_case_identity_ref             (ThCaseIdentity  *self);
void            th_case_identity_unref           (ThCaseIdentity  *self);

guint64         th_case_identity_get_fabric_id   (ThCaseIdentity  *self);
guint64         th_case_identity_get_node_id     (ThCaseIdentity  *self);
/* Borrowed. */
const ThCertificate *th_case_identity_get_root_certificate (ThCaseIdentity *self);
GBytes         *th_case_identity_get_noc_tlv     (ThCaseIdentity  *self);
/* NULL without an ICAC. */
GBytes         *th_case_identity_get_icac_tlv    (ThCaseIdentity  *self);
ThP256Key      *th_case_identity_get_key         (ThCaseIdentity  *self);
const guint8   *th_case_identity_get_compressed_fabric_id (ThCaseIdentity *self);
/* Secret: never log it. */
const guint8   *th_case_identity_get_operational_ipk (ThCaseIdentity *self);

/* The destination identifier of `node_id` on this identity's fabric. */
gboolean
th_case_identity_compute_destination_id (ThCaseIdentity  *self,
                                         guint64          node_id,
                                         const guint8     random[TH_CASE_RANDOM_LEN],
                                         guint8           out[TH_CASE_DESTINATION_ID_LEN],
                                         GError         **error);

/* Checks a peer's credentials (Matter TLV; `icac` may be NULL) against this identity's root
 * certificate and fabric id, and when `now` is not NULL their validity periods too. Returns
 * the peer's NOC, decoded. Fails with TH_ERROR_CASE_PROTOCOL when a certificate cannot be
 * decoded, TH_ERROR_CASE_WRONG_FABRIC when the chain does not lead to this root or the NOC
 * names another fabric, TH_ERROR_CERTIFICATE_EXPIRED or _NOT_YET_VALID. The messages are
 * the second half of a sentence ("its certificate is for fabric ..."): callers prefix one
 * that names the peer. */
ThCertificate  *th_case_identity_validate_peer   (ThCaseIdentity  *self,
                                                  const guint8    *noc,
                                                  gsize            noc_len,
                                                  const guint8    *icac,
                                                  gsize            icac_len,
                                                  GDateTime       *now,
                                                  GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThCaseIdentity, th_case_identity_unref)

G_END_DECLS
