/* th-fabric.h: the commissioner's fabric: its certificate authority (root, optional
 * intermediate), NOC issuance, the compressed fabric id and the identity protection key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "credentials/th-certificate.h"
#include "crypto/th-crypto.h"

G_BEGIN_DECLS

#define TH_COMPRESSED_FABRIC_ID_LEN 8
#define TH_IPK_LEN                  16

/* Specification 4.3.2.2: HKDF-SHA256 over the root public key without its 0x04 prefix,
 * salted with the fabric id (8 bytes, big-endian), info "CompressedFabric". */
gboolean th_compressed_fabric_id      (const guint8  root_public_key[TH_P256_PUBLIC_KEY_LEN],
                                       guint64       fabric_id,
                                       guint8        out[TH_COMPRESSED_FABRIC_ID_LEN],
                                       GError      **error);
/* The DNS-SD instance name of an operational node: <compressed fabric id (cfid)>-<node id>,
 * each as 16 upper-case hex digits. */
char    *th_operational_instance_name (const guint8  cfid[TH_COMPRESSED_FABRIC_ID_LEN],
                                       guint64       node_id);
/* The operational group key of an epoch key: HKDF-SHA256 with the compressed fabric id as
 * salt and info "GroupKey v1.0". For the IPK's epoch key this is the key CASE uses. */
gboolean th_operational_group_key     (const guint8  epoch_key[TH_IPK_LEN],
                                       const guint8  cfid[TH_COMPRESSED_FABRIC_ID_LEN],
                                       guint8        out[TH_IPK_LEN],
                                       GError      **error);

typedef enum
{
  TH_FABRIC_FLAGS_NONE = 0,
  TH_FABRIC_WITH_INTERMEDIATE = 1 << 0,  /* issue NOCs from an ICA rather than the root */
} ThFabricFlags;

/* A fabric and its certificate authority. Reference counted; the keys and the IPK are wiped
 * when it is freed. Certificates it issues are valid from an hour before issuance (for
 * clocks a little behind) and never expire: a home has no one to renew them. */
typedef struct _ThFabric ThFabric;

/* A new fabric: a fresh root key and self-signed RCAC with a random matter-rcac-id, an ICA
 * key and ICAC when asked for, and a random IPK epoch key. */
ThFabric      *th_fabric_new                 (guint64        fabric_id,
                                              ThFabricFlags  flags,
                                              GError       **error);
/* A fabric from storage. The certificates (Matter TLV) are checked against their profiles,
 * each other, the keys (which must hold their private parts) and the fabric id.
 * TH_ERROR_CERTIFICATE_* errors. */
ThFabric      *th_fabric_new_from_credentials (guint64       fabric_id,
                                               ThP256Key    *root_key,
                                               GBytes       *rcac_tlv,
                                               ThP256Key    *ica_key,
                                               GBytes       *icac_tlv,
                                               const guint8  ipk_epoch_key[TH_IPK_LEN],
                                               GError      **error);
ThFabric      *th_fabric_ref                 (ThFabric      *self);
void           th_fabric_unref               (ThFabric      *self);

guint64        th_fabric_get_fabric_id       (ThFabric      *self);
/* Borrowed. The TLV forms are what AddTrustedRootCertificate and AddNOC carry. */
const ThCertificate *th_fabric_get_root_certificate (ThFabric *self);
GBytes        *th_fabric_get_root_certificate_tlv   (ThFabric *self);
ThP256Key     *th_fabric_get_root_key        (ThFabric      *self);
/* NULL without an ICA. */
const ThCertificate *th_fabric_get_intermediate_certificate (ThFabric *self);
GBytes        *th_fabric_get_intermediate_certificate_tlv   (ThFabric *self);
ThP256Key     *th_fabric_get_intermediate_key (ThFabric     *self);
const guint8  *th_fabric_get_compressed_fabric_id (ThFabric *self);
/* The IPK epoch key, as AddNOC's IPKValue carries it. Secret: never log it. */
const guint8  *th_fabric_get_ipk_epoch_key   (ThFabric      *self);
/* The operational IPK derived from it, which CASE uses. */
gboolean       th_fabric_get_operational_ipk (ThFabric      *self,
                                              guint8         out[TH_IPK_LEN],
                                              GError       **error);
char          *th_fabric_get_operational_instance_name (ThFabric *self,
                                                        guint64   node_id);

/* Issues a NOC for `public_key` (from a verified CSR, or the commissioner's own key): the
 * node id must be an operational one, at most three CATs with distinct identifiers and
 * non-zero versions. Signed by the ICA when there is one, else by the root. */
ThCertificate *th_fabric_issue_noc           (ThFabric      *self,
                                              const guint8   public_key[TH_P256_PUBLIC_KEY_LEN],
                                              guint64        node_id,
                                              const guint32 *cats,
                                              guint          n_cats,
                                              GError       **error);
/* Validates a peer's NOC (and ICAC, may be NULL) against this fabric's root and fabric id,
 * as th_certificate_validate_chain does. */
gboolean       th_fabric_validate_noc        (ThFabric            *self,
                                              const ThCertificate *noc,
                                              const ThCertificate *icac,
                                              GDateTime           *now,
                                              GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThFabric, th_fabric_unref)

G_END_DECLS
