/* th-attestation-x509.c: X.509 helpers shared by the attestation verifier, the PAA trust store
 * and the certification declaration signers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto/th-crypto-private.h"
#include "th-attestation-x509.h"
#include "th-error.h"

/* Certificates are a few hundred bytes; a larger file in a trust store folder is not one. */
#define MAX_CERTIFICATE_FILE_SIZE (256 * 1024)

/* The fallback encoding of the ids in a common name looks at its first 64 bytes only. */
#define CN_FALLBACK_SCAN_LEN 64

/* DER contents of the OIDs 1.3.6.1.4.1.37244.2.1 (Matter vendor id) and .2.2 (product id). */
static const guint8 oid_matter_vendor_id[] = {
  0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0xA2, 0x7C, 0x02, 0x01,
};
static const guint8 oid_matter_product_id[] = {
  0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0xA2, 0x7C, 0x02, 0x02,
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)

X509 *
th_x509_from_der (const guint8  *der,
                  gsize          len,
                  GError       **error)
{
  const unsigned char *p = der;
  g_autoptr(X509) cert = NULL;

  g_return_val_if_fail (der != NULL || len == 0, NULL);

  if (len == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_ATTESTATION_CERTIFICATE,
                           _("The certificate is empty"));
      return NULL;
    }
  if (len > G_MAXINT)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_ATTESTATION_CERTIFICATE,
                   _("The certificate is too large (%zu bytes)"), len);
      return NULL;
    }

  cert = d2i_X509 (NULL, &p, (long) len);
  if (cert == NULL)
    {
      th_crypto_set_error (error, TH_ERROR_ATTESTATION_CERTIFICATE,
                           _("The certificate is not a valid DER-encoded X.509 certificate"));
      return NULL;
    }
  if (p != der + len)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_ATTESTATION_CERTIFICATE,
                   _("The certificate ends at byte %zu but %zu"
                     " bytes were given"),
                   (gsize) (p - der), len);
      return NULL;
    }
  return g_steal_pointer (&cert);
}

static GPtrArray *
x509_list_from_pem (const guint8  *data,
                    gsize          len,
                    GError       **error)
{
  g_autoptr(GPtrArray) certs = g_ptr_array_new_with_free_func ((GDestroyNotify) X509_free);
  g_autoptr(BIO) bio = NULL;

  if (len > G_MAXINT)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_ATTESTATION_CERTIFICATE,
                   _("The file is too large (%zu bytes)"), len);
      return NULL;
    }
  bio = BIO_new_mem_buf (data, (int) len);
  if (bio == NULL)
    {
      th_crypto_set_error (error, TH_ERROR_ATTESTATION_CERTIFICATE,
                           _("Out of memory reading a certificate"));
      return NULL;
    }

  ERR_clear_error ();
  for (;;)
    {
      X509 *cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
      unsigned long last;

      if (cert != NULL)
        {
          g_ptr_array_add (certs, cert);
          continue;
        }

      /* Running out of PEM blocks after at least one certificate is the normal end. */
      last = ERR_peek_last_error ();
      if (certs->len > 0 && ERR_GET_LIB (last) == ERR_LIB_PEM &&
          ERR_GET_REASON (last) == PEM_R_NO_START_LINE)
        {
          ERR_clear_error ();
          return g_steal_pointer (&certs);
        }
      th_crypto_set_error (error, TH_ERROR_ATTESTATION_CERTIFICATE,
                           certs->len == 0
                             ? _("The file holds no PEM certificate")
                             : _("A PEM certificate in the file is malformed"));
      return NULL;
    }
}

GPtrArray *
th_x509_list_from_data (const guint8  *data,
                        gsize          len,
                        GError       **error)
{
  g_autoptr(GPtrArray) certs = NULL;
  X509 *cert;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  /* A DER certificate starts with a SEQUENCE tag; PEM is text. */
  if (len == 0 || data[0] != 0x30)
    return x509_list_from_pem (data, len, error);

  cert = th_x509_from_der (data, len, error);
  if (cert == NULL)
    return NULL;
  certs = g_ptr_array_new_with_free_func ((GDestroyNotify) X509_free);
  g_ptr_array_add (certs, cert);
  return g_steal_pointer (&certs);
}

X509_CRL *
th_crl_from_data (const guint8  *data,
                  gsize          len,
                  GError       **error)
{
  X509_CRL *crl = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len > G_MAXINT)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_REVOCATION_SET,
                           _("The revocation list is too large."));
      return NULL;
    }
  /* A DER CRL starts with a SEQUENCE tag; PEM is text. */
  if (len > 0 && data[0] == 0x30)
    {
      const unsigned char *p = data;

      crl = d2i_X509_CRL (NULL, &p, (long) len);
      if (crl != NULL && p != data + len)
        {
          X509_CRL_free (crl);
          g_set_error (error, TH_ERROR, TH_ERROR_REVOCATION_SET,
                       _("The revocation list is followed by %zu bytes that are not part of "
                         "it."), (gsize) (data + len - p));
          return NULL;
        }
    }
  else if (len > 0)
    {
      BIO *bio = BIO_new_mem_buf (data, (int) len);

      if (bio != NULL)
        crl = PEM_read_bio_X509_CRL (bio, NULL, NULL, NULL);
      BIO_free (bio);
    }
  ERR_clear_error ();
  if (crl == NULL)
    g_set_error_literal (error, TH_ERROR, TH_ERROR_REVOCATION_SET,
                         _("The revocation list is not a certificate revocation list in DER or "
                           "PEM."));
  return crl;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
th_x509_list_from_directory (const char  *path,
                             GPtrArray   *warnings,
                             gint64      *newest_mtime,
                             GError     **error)
{
  g_autoptr(GPtrArray) certs = g_ptr_array_new_with_free_func ((GDestroyNotify) X509_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) dir_error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  gint64 newest = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (warnings != NULL, NULL);

  dir = g_dir_open (path, 0, &dir_error);
  if (dir == NULL)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TRUST_STORE,
                   _("The certificate folder %s cannot be read: %s"), path, dir_error->message);
      return NULL;
    }

  /* Sorted, so that warnings and lookups among equal keys do not depend on the file system. */
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *file = g_build_filename (path, g_ptr_array_index (names, i), NULL);
      g_autoptr(GPtrArray) file_certs = NULL;
      g_autoptr(GError) file_error = NULL;
      g_autofree char *contents = NULL;
      GStatBuf st;
      gsize len = 0;

      if (g_stat (file, &st) != 0)
        {
          int saved_errno = errno;

          g_ptr_array_add (warnings,
                           g_error_new (TH_ERROR, TH_ERROR_TRUST_STORE,
                                        _("%s was skipped: %s"), file,
                                        g_strerror (saved_errno)));
          continue;
        }
      if (!S_ISREG (st.st_mode))
        continue;
      if (st.st_size > MAX_CERTIFICATE_FILE_SIZE)
        {
          g_ptr_array_add (warnings,
                           g_error_new (TH_ERROR, TH_ERROR_TRUST_STORE,
                                        _("%s was skipped: at %lld bytes it is too large to be "
                                          "a certificate"),
                                        file, (long long) st.st_size));
          continue;
        }
      if (!g_file_get_contents (file, &contents, &len, &file_error))
        {
          g_ptr_array_add (warnings,
                           g_error_new (TH_ERROR, TH_ERROR_TRUST_STORE, _("%s was skipped: %s"),
                                        file, file_error->message));
          continue;
        }
      file_certs = th_x509_list_from_data ((const guint8 *) contents, len, &file_error);
      if (file_certs == NULL)
        {
          g_ptr_array_add (warnings,
                           g_error_new (TH_ERROR, TH_ERROR_TRUST_STORE, _("%s was skipped: %s"),
                                        file, file_error->message));
          continue;
        }
      for (guint j = 0; j < file_certs->len; j++)
        g_ptr_array_add (certs, g_ptr_array_steal_index (file_certs, j--));
      newest = MAX (newest, (gint64) st.st_mtime);
    }

  if (newest_mtime != NULL)
    *newest_mtime = newest;
  return g_steal_pointer (&certs);
}

gboolean
th_x509_get_subject_key_id (X509          *cert,
                            const guint8 **id)
{
  const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id (cert);

  if (skid == NULL || ASN1_STRING_length (skid) != TH_KEY_ID_LEN)
    return FALSE;
  *id = ASN1_STRING_get0_data (skid);
  return TRUE;
}

gboolean
th_x509_get_authority_key_id (X509          *cert,
                              const guint8 **id)
{
  const ASN1_OCTET_STRING *akid = X509_get0_authority_key_id (cert);

  if (akid == NULL || ASN1_STRING_length (akid) != TH_KEY_ID_LEN)
    return FALSE;
  *id = ASN1_STRING_get0_data (akid);
  return TRUE;
}

static gboolean
parse_upper_hex16 (const guint8 *text,
                   guint16      *value)
{
  guint16 result = 0;

  for (guint i = 0; i < 4; i++)
    {
      guint8 c = text[i];
      guint digit;

      if (c >= '0' && c <= '9')
        digit = c - '0';
      else if (c >= 'A' && c <= 'F')
        digit = c - 'A' + 10;
      else
        return FALSE;
      result = (guint16) ((result << 4) | digit);
    }
  *value = result;
  return TRUE;
}

/* The first `prefix` in `text` followed by four upper-case hex digits. Returns -1 when the
 * prefix is absent, 0 when it is present but never followed by such digits, 1 when found. */
static int
find_prefixed_hex16 (const guint8 *text,
                     gsize         len,
                     const char   *prefix,
                     guint16      *value)
{
  gsize prefix_len = strlen (prefix);
  gboolean seen_prefix = FALSE;

  for (gsize i = 0; i + prefix_len <= len; i++)
    {
      if (memcmp (text + i, prefix, prefix_len) != 0)
        continue;
      seen_prefix = TRUE;
      if (i + prefix_len + 4 <= len && parse_upper_hex16 (text + i + prefix_len, value))
        return 1;
    }
  return seen_prefix ? 0 : -1;
}

static gboolean
oid_equal (const ASN1_OBJECT *object,
           const guint8      *der,
           gsize              len)
{
  return (gsize) OBJ_length (object) == len && memcmp (OBJ_get0_data (object), der, len) == 0;
}

gboolean
th_x509_get_matter_ids (X509         *cert,
                        ThMatterIds  *ids,
                        GError      **error)
{
  const X509_NAME *subject = X509_get_subject_name (cert);
  ThMatterIds from_attributes = { 0 };
  ThMatterIds from_cn = { 0 };

  g_return_val_if_fail (cert != NULL, FALSE);
  g_return_val_if_fail (ids != NULL, FALSE);

  for (int i = 0; i < X509_NAME_entry_count (subject); i++)
    {
      const X509_NAME_ENTRY *entry = X509_NAME_get_entry (subject, i);
      const ASN1_OBJECT *object = X509_NAME_ENTRY_get_object (entry);
      const ASN1_STRING *value = X509_NAME_ENTRY_get_data (entry);
      const guint8 *text = ASN1_STRING_get0_data (value);
      gsize text_len = (gsize) ASN1_STRING_length (value);
      gboolean is_vendor = oid_equal (object, oid_matter_vendor_id, sizeof oid_matter_vendor_id);
      gboolean is_product = oid_equal (object, oid_matter_product_id,
                                       sizeof oid_matter_product_id);

      if (is_vendor || is_product)
        {
          gboolean *has = is_vendor ? &from_attributes.has_vendor_id
                                    : &from_attributes.has_product_id;
          guint16 *id = is_vendor ? &from_attributes.vendor_id : &from_attributes.product_id;

          if (*has)
            {
              g_set_error_literal (error, TH_ERROR, TH_ERROR_ATTESTATION_CERTIFICATE,
                                   is_vendor
                                     ? _("The certificate’s subject names two vendor IDs")
                                     : _("The certificate’s subject names two product IDs"));
              return FALSE;
            }
          if (text_len != 4 || !parse_upper_hex16 (text, id))
            {
              g_set_error_literal (error, TH_ERROR, TH_ERROR_ATTESTATION_CERTIFICATE,
                                   is_vendor
                                     ? _("The vendor ID in the certificate’s subject is not four "
                                         "upper-case hexadecimal digits")
                                     : _("The product ID in the certificate’s subject is not "
                                         "four upper-case hexadecimal digits"));
              return FALSE;
            }
          *has = TRUE;
        }
      else if (OBJ_obj2nid (object) == NID_commonName &&
               !from_cn.has_vendor_id && !from_cn.has_product_id)
        {
          gsize scan_len = MIN (text_len, CN_FALLBACK_SCAN_LEN);
          int found;

          found = find_prefixed_hex16 (text, scan_len, "Mvid:", &from_cn.vendor_id);
          if (found == 0)
            {
              g_set_error_literal (error, TH_ERROR, TH_ERROR_ATTESTATION_CERTIFICATE,
                                   _("The certificate’s common name has “Mvid:” without four "
                                     "upper-case hexadecimal digits after it"));
              return FALSE;
            }
          from_cn.has_vendor_id = found == 1;

          found = find_prefixed_hex16 (text, scan_len, "Mpid:", &from_cn.product_id);
          if (found == 0)
            {
              g_set_error_literal (error, TH_ERROR, TH_ERROR_ATTESTATION_CERTIFICATE,
                                   _("The certificate’s common name has “Mpid:” without four "
                                     "upper-case hexadecimal digits after it"));
              return FALSE;
            }
          from_cn.has_product_id = found == 1;
        }
    }

  /* The common name is only a fallback for subjects without the Matter attributes. */
  if (from_attributes.has_vendor_id || from_attributes.has_product_id)
    *ids = from_attributes;
  else
    *ids = from_cn;
  return TRUE;
}

ThP256Key *
th_x509_get_p256_key (X509    *cert,
                      GError **error)
{
  EVP_PKEY *pkey = X509_get0_pubkey (cert);

  if (pkey == NULL)
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO_INVALID_KEY,
                           _("The certificate’s public key cannot be decoded"));
      return NULL;
    }
  return th_p256_key_new_from_evp_pkey (pkey, error);
}

char *
th_asn1_time_to_string (const ASN1_TIME *time)
{
  struct tm tm;

  if (time == NULL || ASN1_TIME_to_tm (time, &tm) != 1)
    return g_strdup ("?");
  return g_strdup_printf ("%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
