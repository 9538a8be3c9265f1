/* th-fabric.c: the commissioner's fabric: its certificate authority (root, optional
 * intermediate), NOC issuance, the compressed fabric id and the identity protection key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <openssl/evp.h>

#include "th-error.h"
#include "th-fabric.h"

#define SERIAL_LEN 8
/* Issued certificates start this long before the moment of issuance. */
#define BACKDATE_SECONDS (60 * 60)

static const char compressed_fabric_info[] = "CompressedFabric";
static const char group_key_info[] = "GroupKey v1.0";

gboolean
th_compressed_fabric_id (const guint8  root_public_key[TH_P256_PUBLIC_KEY_LEN],
                         guint64       fabric_id,
                         guint8        out[TH_COMPRESSED_FABRIC_ID_LEN],
                         GError      **error)
{
  guint64 salt = GUINT64_TO_BE (fabric_id);

  g_return_val_if_fail (root_public_key != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  return th_hkdf_sha256 ((const guint8 *) &salt, sizeof salt,
                         root_public_key + 1, TH_P256_PUBLIC_KEY_LEN - 1,
                         (const guint8 *) compressed_fabric_info,
                         strlen (compressed_fabric_info),
                         out, TH_COMPRESSED_FABRIC_ID_LEN, error);
}

char *
th_operational_instance_name (const guint8 cfid[TH_COMPRESSED_FABRIC_ID_LEN],
                              guint64      node_id)
{
  GString *name = g_string_sized_new (2 * TH_COMPRESSED_FABRIC_ID_LEN + 18);

  g_return_val_if_fail (cfid != NULL, NULL);

  for (guint i = 0; i < TH_COMPRESSED_FABRIC_ID_LEN; i++)
    g_string_append_printf (name, "%02X", cfid[i]);
  g_string_append_printf (name, "-%016" G_GINT64_MODIFIER "X", node_id);
  return g_string_free (name, FALSE);
}

gboolean
th_operational_group_key (const guint8  epoch_key[TH_IPK_LEN],
                          const guint8  cfid[TH_COMPRESSED_FABRIC_ID_LEN],
                          guint8        out[TH_IPK_LEN],
                          GError      **error)
{
  g_return_val_if_fail (epoch_key != NULL, FALSE);
  g_return_val_if_fail (cfid != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  return th_hkdf_sha256 (cfid, TH_COMPRESSED_FABRIC_ID_LEN,
                         epoch_key, TH_IPK_LEN,
                         (const guint8 *) group_key_info, strlen (group_key_info),
                         out, TH_IPK_LEN, error);
}

struct _ThFabric
{
  gatomicrefcount ref_count;
  guint64 fabric_id;
  ThP256Key *root_key;
  ThCertificate *rcac;
  GBytes *rcac_tlv;
  ThP256Key *ica_key;         /* both NULL without an ICA */
  ThCertificate *icac;
  GBytes *icac_tlv;
  guint8 compressed_fabric_id[TH_COMPRESSED_FABRIC_ID_LEN];
  guint8 ipk_epoch_key[TH_IPK_LEN];
};

ThFabric *
th_fabric_ref (ThFabric *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
th_fabric_unref (ThFabric *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_clear_pointer (&self->root_key, th_p256_key_unref);
  g_clear_pointer (&self->rcac, th_certificate_free);
  g_clear_pointer (&self->rcac_tlv, g_bytes_unref);
  g_clear_pointer (&self->ica_key, th_p256_key_unref);
  g_clear_pointer (&self->icac, th_certificate_free);
  g_clear_pointer (&self->icac_tlv, g_bytes_unref);
  th_secure_wipe (self->ipk_epoch_key, sizeof self->ipk_epoch_key);
  g_free (self);
}

static ThFabric *
fabric_alloc (guint64 fabric_id)
{
  ThFabric *self = g_new0 (ThFabric, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->fabric_id = fabric_id;
  return self;
}

/* RFC 5280 4.2.1.2, method 1: SHA-1 of the subjectPublicKey bits. */
static gboolean
key_identifier (const guint8  public_key[TH_P256_PUBLIC_KEY_LEN],
                guint8        out[TH_CERTIFICATE_KEY_ID_LEN],
                GError      **error)
{
  if (EVP_Digest (public_key, TH_P256_PUBLIC_KEY_LEN, out, NULL, EVP_sha1 (), NULL) != 1)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CRYPTO,
                           _("Could not compute a key identifier"));
      return FALSE;
    }
  return TRUE;
}

/* The fields every issued certificate shares; the caller adds the DNs and usages. */
static ThCertificate *
certificate_template (const guint8         public_key[TH_P256_PUBLIC_KEY_LEN],
                      const ThCertificate *issuer,
                      GError             **error)
{
  g_autoptr(ThCertificate) cert = th_certificate_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) start = g_date_time_add_seconds (now, -BACKDATE_SECONDS);

  /* a positive serial in its shortest DER form: top bit clear, second-highest set */
  if (!th_random_bytes (cert->serial, SERIAL_LEN, error))
    return NULL;
  cert->serial[0] = (guint8) ((cert->serial[0] & 0x3F) | 0x40);
  cert->serial_len = SERIAL_LEN;
  if (!th_matter_time_from_date_time (start, &cert->not_before, error))
    return NULL;
  cert->not_after = TH_CERTIFICATE_NO_EXPIRY;
  memcpy (cert->public_key, public_key, TH_P256_PUBLIC_KEY_LEN);
  if (!key_identifier (public_key, cert->subject_key_id, error))
    return NULL;
  if (issuer != NULL)
    memcpy (cert->authority_key_id, issuer->subject_key_id, TH_CERTIFICATE_KEY_ID_LEN);
  else
    memcpy (cert->authority_key_id, cert->subject_key_id, TH_CERTIFICATE_KEY_ID_LEN);
  return g_steal_pointer (&cert);
}

static void
set_extensions (ThCertificate *cert,
                gboolean       with_key_purposes)
{
  guint n = 0;

  cert->extensions[n++] = TH_EXTENSION_BASIC_CONSTRAINTS;
  cert->extensions[n++] = TH_EXTENSION_KEY_USAGE;
  if (with_key_purposes)
    cert->extensions[n++] = TH_EXTENSION_EXTENDED_KEY_USAGE;
  cert->extensions[n++] = TH_EXTENSION_SUBJECT_KEY_ID;
  cert->extensions[n++] = TH_EXTENSION_AUTHORITY_KEY_ID;
  cert->n_extensions = n;
}

static gboolean
random_id (guint64  *id,
           GError  **error)
{
  return th_random_bytes ((guint8 *) id, sizeof *id, error);
}

/* A CA certificate for `key`: self-signed root when issuer is NULL, else an ICA. */
static ThCertificate *
issue_ca (ThP256Key            *key,
          const ThCertificate  *issuer,
          ThP256Key            *issuer_key,
          GError              **error)
{
  g_autoptr(ThCertificate) cert = NULL;
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];
  guint64 id;

  th_p256_key_get_public (key, public_key);
  cert = certificate_template (public_key, issuer, error);
  if (cert == NULL || !random_id (&id, error))
    return NULL;
  if (issuer == NULL)
    {
      th_dn_add_matter (&cert->subject, TH_DN_MATTER_RCAC_ID, id);
      th_dn_copy (&cert->issuer, &cert->subject);
    }
  else
    {
      th_dn_add_matter (&cert->subject, TH_DN_MATTER_ICAC_ID, id);
      th_dn_copy (&cert->issuer, &issuer->subject);
    }
  cert->is_ca = TRUE;
  cert->key_usage = TH_KEY_USAGE_KEY_CERT_SIGN | TH_KEY_USAGE_CRL_SIGN;
  set_extensions (cert, FALSE);
  if (!th_certificate_sign (cert, issuer_key != NULL ? issuer_key : key, error)
      || !th_certificate_check_profile (cert, error))
    return NULL;
  return g_steal_pointer (&cert);
}

static gboolean
finish_setup (ThFabric  *self,
              GError   **error)
{
  if (!th_compressed_fabric_id (self->rcac->public_key, self->fabric_id,
                                self->compressed_fabric_id, error))
    return FALSE;
  if (self->rcac_tlv == NULL)
    self->rcac_tlv = th_certificate_encode_tlv (self->rcac, error);
  if (self->rcac_tlv == NULL)
    return FALSE;
  if (self->icac != NULL && self->icac_tlv == NULL)
    self->icac_tlv = th_certificate_encode_tlv (self->icac, error);
  return self->icac == NULL || self->icac_tlv != NULL;
}

ThFabric *
th_fabric_new (guint64         fabric_id,
               ThFabricFlags   flags,
               GError        **error)
{
  g_autoptr(ThFabric) self = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (fabric_id == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CERTIFICATE_INVALID,
                           _("The fabric id must not be 0"));
      return NULL;
    }
  self = fabric_alloc (fabric_id);
  self->root_key = th_p256_key_generate (error);
  if (self->root_key == NULL)
    return NULL;
  self->rcac = issue_ca (self->root_key, NULL, NULL, error);
  if (self->rcac == NULL)
    return NULL;
  if (flags & TH_FABRIC_WITH_INTERMEDIATE)
    {
      self->ica_key = th_p256_key_generate (error);
      if (self->ica_key == NULL)
        return NULL;
      self->icac = issue_ca (self->ica_key, self->rcac, self->root_key, error);
      if (self->icac == NULL)
        return NULL;
    }
  if (!th_random_bytes (self->ipk_epoch_key, TH_IPK_LEN, error)
      || !finish_setup (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

static gboolean
check_key_matches (ThP256Key           *key,
                   const ThCertificate *cert,
                   GError             **error)
{
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];

  th_p256_key_get_public (key, public_key);
  if (!th_p256_key_has_private (key) || memcmp (public_key, cert->public_key,
                                                TH_P256_PUBLIC_KEY_LEN) != 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN,
                           _("A stored CA key is not the private key of its certificate; the "
                             "fabric's files are inconsistent"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_fabric_id (const ThCertificate *cert,
                 guint64              fabric_id,
                 GError             **error)
{
  guint64 value;

  if (th_dn_get_matter (&cert->subject, TH_DN_MATTER_FABRIC_ID, &value) && value != fabric_id)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN,
                   _("A stored CA certificate names fabric 0x%016" G_GINT64_MODIFIER "X, not "
                     "0x%016" G_GINT64_MODIFIER "X"), value, fabric_id);
      return FALSE;
    }
  return TRUE;
}

ThFabric *
th_fabric_new_from_credentials (guint64       fabric_id,
                                ThP256Key    *root_key,
                                GBytes       *rcac_tlv,
                                ThP256Key    *ica_key,
                                GBytes       *icac_tlv,
                                const guint8  ipk_epoch_key[TH_IPK_LEN],
                                GError      **error)
{
  g_autoptr(ThFabric) self = NULL;

  g_return_val_if_fail (root_key != NULL, NULL);
  g_return_val_if_fail (rcac_tlv != NULL, NULL);
  g_return_val_if_fail ((ica_key == NULL) == (icac_tlv == NULL), NULL);
  g_return_val_if_fail (ipk_epoch_key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (fabric_id == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CERTIFICATE_INVALID,
                           _("The fabric id must not be 0"));
      return NULL;
    }
  self = fabric_alloc (fabric_id);
  self->root_key = th_p256_key_ref (root_key);
  self->rcac_tlv = g_bytes_ref (rcac_tlv);
  self->rcac = th_certificate_decode_tlv (g_bytes_get_data (rcac_tlv, NULL),
                                          g_bytes_get_size (rcac_tlv), error);
  if (self->rcac == NULL)
    return NULL;
  if (th_certificate_get_kind (self->rcac) != TH_CERTIFICATE_KIND_ROOT)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN,
                           _("The stored root certificate is not a root CA certificate"));
      return NULL;
    }
  if (!th_certificate_check_profile (self->rcac, error)
      || !th_certificate_check_issued_by (self->rcac, self->rcac, error)
      || !check_key_matches (root_key, self->rcac, error)
      || !check_fabric_id (self->rcac, fabric_id, error))
    return NULL;

  if (ica_key != NULL)
    {
      self->ica_key = th_p256_key_ref (ica_key);
      self->icac_tlv = g_bytes_ref (icac_tlv);
      self->icac = th_certificate_decode_tlv (g_bytes_get_data (icac_tlv, NULL),
                                              g_bytes_get_size (icac_tlv), error);
      if (self->icac == NULL)
        return NULL;
      if (th_certificate_get_kind (self->icac) != TH_CERTIFICATE_KIND_ICA)
        {
          g_set_error_literal (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN,
                               _("The stored intermediate certificate is not an ICA "
                                 "certificate"));
          return NULL;
        }
      if (!th_certificate_check_profile (self->icac, error)
          || !th_certificate_check_issued_by (self->icac, self->rcac, error)
          || !check_key_matches (ica_key, self->icac, error)
          || !check_fabric_id (self->icac, fabric_id, error))
        return NULL;
      if (self->rcac->has_path_len && self->rcac->path_len == 0)
        {
          g_set_error_literal (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN,
                               _("The stored root certificate allows no intermediate CA"));
          return NULL;
        }
    }
  memcpy (self->ipk_epoch_key, ipk_epoch_key, TH_IPK_LEN);
  if (!finish_setup (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

guint64
th_fabric_get_fabric_id (ThFabric *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->fabric_id;
}

const ThCertificate *
th_fabric_get_root_certificate (ThFabric *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->rcac;
}

GBytes *
th_fabric_get_root_certificate_tlv (ThFabric *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->rcac_tlv;
}

ThP256Key *
th_fabric_get_root_key (ThFabric *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->root_key;
}

const ThCertificate *
th_fabric_get_intermediate_certificate (ThFabric *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->icac;
}

GBytes *
th_fabric_get_intermediate_certificate_tlv (ThFabric *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->icac_tlv;
}

ThP256Key *
th_fabric_get_intermediate_key (ThFabric *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->ica_key;
}

const guint8 *
th_fabric_get_compressed_fabric_id (ThFabric *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->compressed_fabric_id;
}

const guint8 *
th_fabric_get_ipk_epoch_key (ThFabric *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->ipk_epoch_key;
}

gboolean
th_fabric_get_operational_ipk (ThFabric *self,
                               guint8    out[TH_IPK_LEN],
                               GError  **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return th_operational_group_key (self->ipk_epoch_key, self->compressed_fabric_id, out,
                                   error);
}

char *
th_fabric_get_operational_instance_name (ThFabric *self,
                                         guint64   node_id)
{
  g_return_val_if_fail (self != NULL, NULL);

  return th_operational_instance_name (self->compressed_fabric_id, node_id);
}

ThCertificate *
th_fabric_issue_noc (ThFabric      *self,
                     const guint8   public_key[TH_P256_PUBLIC_KEY_LEN],
                     guint64        node_id,
                     const guint32 *cats,
                     guint          n_cats,
                     GError       **error)
{
  const ThCertificate *issuer;
  g_autoptr(ThCertificate) cert = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (public_key != NULL, NULL);
  g_return_val_if_fail (cats != NULL || n_cats == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_cats > TH_CERTIFICATE_MAX_CATS)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_INVALID,
                   _("A node may have at most %d CASE Authenticated Tags"),
                   TH_CERTIFICATE_MAX_CATS);
      return NULL;
    }
  issuer = self->icac != NULL ? self->icac : self->rcac;
  cert = certificate_template (public_key, issuer, error);
  if (cert == NULL)
    return NULL;
  th_dn_copy (&cert->issuer, &issuer->subject);
  th_dn_add_matter (&cert->subject, TH_DN_MATTER_NODE_ID, node_id);
  th_dn_add_matter (&cert->subject, TH_DN_MATTER_FABRIC_ID, self->fabric_id);
  for (guint i = 0; i < n_cats; i++)
    th_dn_add_matter (&cert->subject, TH_DN_MATTER_NOC_CAT, cats[i]);
  cert->is_ca = FALSE;
  cert->key_usage = TH_KEY_USAGE_DIGITAL_SIGNATURE;
  cert->key_purposes[0] = TH_KEY_PURPOSE_CLIENT_AUTH;
  cert->key_purposes[1] = TH_KEY_PURPOSE_SERVER_AUTH;
  cert->n_key_purposes = 2;
  set_extensions (cert, TRUE);

  /* signing checks the node id, the CATs and the public key */
  if (!th_certificate_sign (cert, self->icac != NULL ? self->ica_key : self->root_key, error)
      || !th_certificate_check_profile (cert, error))
    return NULL;
  return g_steal_pointer (&cert);
}

gboolean
th_fabric_validate_noc (ThFabric            *self,
                        const ThCertificate *noc,
                        const ThCertificate *icac,
                        GDateTime           *now,
                        GError             **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (noc != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!th_certificate_validate_chain (noc, icac, self->rcac, now, error))
    return FALSE;
  if (th_certificate_get_fabric_id (noc) != self->fabric_id)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN,
                   _("The node operational certificate is for fabric 0x%016" G_GINT64_MODIFIER
                     "X, not this one (0x%016" G_GINT64_MODIFIER "X)"),
                   th_certificate_get_fabric_id (noc), self->fabric_id);
      return FALSE;
    }
  return TRUE;
}
