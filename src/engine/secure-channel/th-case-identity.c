/* th-case-identity.c: who a node is in CASE: its operational credentials on one fabric
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "th-case-identity.h"
#include "th-error.h"

gboolean
th_case_destination_id (const guint8  ipk[TH_IPK_LEN],
                        const guint8  random[TH_CASE_RANDOM_LEN],
                        const guint8  root_public_key[TH_P256_PUBLIC_KEY_LEN],
                        guint64       fabric_id,
                        guint64       node_id,
                        guint8        out[TH_CASE_DESTINATION_ID_LEN],
                        GError      **error)
{
  guint8 message[TH_CASE_RANDOM_LEN + TH_P256_PUBLIC_KEY_LEN + 2 * sizeof (guint64)];
  guint64 fabric_id_le = GUINT64_TO_LE (fabric_id);
  guint64 node_id_le = GUINT64_TO_LE (node_id);
  guint8 *p = message;

  g_return_val_if_fail (ipk != NULL && random != NULL && root_public_key != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memcpy (p, random, TH_CASE_RANDOM_LEN);
  p += TH_CASE_RANDOM_LEN;
  memcpy (p, root_public_key, TH_P256_PUBLIC_KEY_LEN);
  p += TH_P256_PUBLIC_KEY_LEN;
  memcpy (p, &fabric_id_le, sizeof fabric_id_le);
  p += sizeof fabric_id_le;
  memcpy (p, &node_id_le, sizeof node_id_le);
  return th_hmac_sha256 (ipk, TH_IPK_LEN, message, sizeof message, out, error);
}

struct _ThCaseIdentity
{
  gatomicrefcount ref_count;
  ThCertificate *rcac;
  GBytes *icac_tlv;           /* NULL without an ICA */
  GBytes *noc_tlv;
  ThP256Key *key;
  guint64 fabric_id;
  guint64 node_id;
  guint8 compressed_fabric_id[TH_COMPRESSED_FABRIC_ID_LEN];
  guint8 operational_ipk[TH_IPK_LEN];
};

/* Decodes one certificate of a chain; `prefix` says which in a sentence of its own. */
static ThCertificate *
decode_certificate (GBytes      *tlv,
                    const char  *prefix,
                    GError     **error)
{
  ThCertificate *cert = th_certificate_decode_tlv (g_bytes_get_data (tlv, NULL),
                                                   g_bytes_get_size (tlv), error);

  if (cert == NULL)
    g_prefix_error (error, "%s", prefix);
  return cert;
}

ThCaseIdentity *
th_case_identity_new (GBytes        *rcac_tlv,
                      GBytes        *icac_tlv,
                      GBytes        *noc_tlv,
                      ThP256Key     *noc_key,
                      const guint8   ipk_epoch_key[TH_IPK_LEN],
                      GError       **error)
{
  g_autoptr(ThCertificate) rcac = NULL;
  g_autoptr(ThCertificate) icac = NULL;
  g_autoptr(ThCertificate) noc = NULL;
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];
  ThCaseIdentity *self;

  g_return_val_if_fail (rcac_tlv != NULL, NULL);
  g_return_val_if_fail (noc_tlv != NULL, NULL);
  g_return_val_if_fail (noc_key != NULL, NULL);
  g_return_val_if_fail (ipk_epoch_key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rcac = decode_certificate (rcac_tlv, _("This node's root certificate is malformed: "),
                             error);
  if (rcac == NULL)
    return NULL;
  if (icac_tlv != NULL)
    {
      icac = decode_certificate (icac_tlv,
                                 _("This node's intermediate certificate is malformed: "),
                                 error);
      if (icac == NULL)
        return NULL;
    }
  noc = decode_certificate (noc_tlv,
                            _("This node's operational certificate is malformed: "), error);
  if (noc == NULL)
    return NULL;

  /* Our own credentials are checked whatever the clock says: a wrong clock must not keep a
   * node from proving who it is; the peer judges the validity periods. */
  if (!th_certificate_validate_chain (noc, icac, rcac, NULL, error))
    {
      g_prefix_error (error, _("This node's operational certificates do not form a chain: "));
      return NULL;
    }
  th_p256_key_get_public (noc_key, public_key);
  if (!th_p256_key_has_private (noc_key) ||
      memcmp (public_key, noc->public_key, TH_P256_PUBLIC_KEY_LEN) != 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN,
                           _("This node's operational key is not the private key of its "
                             "operational certificate"));
      return NULL;
    }

  self = g_new0 (ThCaseIdentity, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->rcac = g_steal_pointer (&rcac);
  self->icac_tlv = icac_tlv != NULL ? g_bytes_ref (icac_tlv) : NULL;
  self->noc_tlv = g_bytes_ref (noc_tlv);
  self->key = th_p256_key_ref (noc_key);
  self->fabric_id = th_certificate_get_fabric_id (noc);
  self->node_id = th_certificate_get_node_id (noc);
  if (!th_compressed_fabric_id (self->rcac->public_key, self->fabric_id,
                                self->compressed_fabric_id, error) ||
      !th_operational_group_key (ipk_epoch_key, self->compressed_fabric_id,
                                 self->operational_ipk, error))
    {
      th_case_identity_unref (self);
      return NULL;
    }
  return self;
}

ThCaseIdentity *
th_case_identity_new_for_fabric (ThFabric    *fabric,
                                 GBytes      *noc_tlv,
                                 ThP256Key   *noc_key,
                                 GError     **error)
{
  g_return_val_if_fail (fabric != NULL, NULL);

  return th_case_identity_new (th_fabric_get_root_certificate_tlv (fabric),
                               th_fabric_get_intermediate_certificate_tlv (fabric),
                               noc_tlv, noc_key, th_fabric_get_ipk_epoch_key (fabric), error);
}

ThCaseIdentity *
th_case_identity_ref (ThCaseIdentity *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
th_case_identity_unref (ThCaseIdentity *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_clear_pointer (&self->rcac, th_certificate_free);
  g_clear_pointer (&self->icac_tlv, g_bytes_unref);
  g_clear_pointer (&self->noc_tlv, g_bytes_unref);
  g_clear_pointer (&self->key, th_p256_key_unref);
  th_secure_wipe (self->operational_ipk, sizeof self->operational_ipk);
  g_free (self);
}

guint64
th_case_identity_get_fabric_id (ThCaseIdentity *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->fabric_id;
}

guint64
th_case_identity_get_node_id (ThCaseIdentity *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->node_id;
}

const ThCertificate *
th_case_identity_get_root_certificate (ThCaseIdentity *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->rcac;
}

GBytes *
th_case_identity_get_noc_tlv (ThCaseIdentity *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->noc_tlv;
}

GBytes *
th_case_identity_get_icac_tlv (ThCaseIdentity *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->icac_tlv;
}

ThP256Key *
th_case_identity_get_key (ThCaseIdentity *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->key;
}

const guint8 *
th_case_identity_get_compressed_fabric_id (ThCaseIdentity *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->compressed_fabric_id;
}

const guint8 *
th_case_identity_get_operational_ipk (ThCaseIdentity *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->operational_ipk;
}

gboolean
th_case_identity_compute_destination_id (ThCaseIdentity *self,
                                         guint64         node_id,
                                         const guint8    random[TH_CASE_RANDOM_LEN],
                                         guint8          out[TH_CASE_DESTINATION_ID_LEN],
                                         GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return th_case_destination_id (self->operational_ipk, random, self->rcac->public_key,
                                 self->fabric_id, node_id, out, error);
}

ThCertificate *
th_case_identity_validate_peer (ThCaseIdentity  *self,
                                const guint8    *noc,
                                gsize            noc_len,
                                const guint8    *icac,
                                gsize            icac_len,
                                GDateTime       *now,
                                GError         **error)
{
  g_autoptr(ThCertificate) peer_noc = NULL;
  g_autoptr(ThCertificate) peer_icac = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (noc != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  peer_noc = th_certificate_decode_tlv (noc, noc_len, &local_error);
  if (peer_noc == NULL)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL,
                   _("its operational certificate (NOC) is malformed: %s"),
                   local_error->message);
      return NULL;
    }
  if (icac != NULL)
    {
      peer_icac = th_certificate_decode_tlv (icac, icac_len, &local_error);
      if (peer_icac == NULL)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL,
                       _("its intermediate certificate (ICAC) is malformed: %s"),
                       local_error->message);
          return NULL;
        }
    }

  if (!th_certificate_validate_chain (peer_noc, peer_icac, self->rcac, now, &local_error))
    {
      if (g_error_matches (local_error, TH_ERROR, TH_ERROR_CERTIFICATE_EXPIRED) ||
          g_error_matches (local_error, TH_ERROR, TH_ERROR_CERTIFICATE_NOT_YET_VALID))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_set_error (error, TH_ERROR, TH_ERROR_CASE_WRONG_FABRIC,
                   _("its certificates do not lead to this fabric's root certificate (%s)"),
                   local_error->message);
      return NULL;
    }
  if (th_certificate_get_fabric_id (peer_noc) != self->fabric_id)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CASE_WRONG_FABRIC,
                   _("its certificate is for fabric 0x%016" G_GINT64_MODIFIER "X, not for this "
                     "fabric (0x%016" G_GINT64_MODIFIER "X)"),
                   th_certificate_get_fabric_id (peer_noc), self->fabric_id);
      return NULL;
    }
  return g_steal_pointer (&peer_noc);
}
