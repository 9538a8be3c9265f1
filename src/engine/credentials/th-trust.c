/* th-trust.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/x509v3.h>

#include "credentials/th-attestation-x509.h"
#include "credentials/th-trust.h"
#include "th-error.h"

char *
th_trust_default_directory (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  return g_build_filename (g_get_user_cache_dir (), "threshold", name, NULL);
}

char *
th_trust_development_directory (void)
{
  return g_build_filename (g_get_user_data_dir (), "threshold", "trust", "paa", NULL);
}

static gboolean
add_paa_directory (ThPaaStore  *paa_store,
                   const char  *dir,
                   gboolean     counts_for_age,
                   GPtrArray  **warnings,
                   GError     **error)
{
  guint n_added = 0;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return TRUE;
  if (!th_paa_store_add_directory_full (paa_store, dir, counts_for_age, &n_added, warnings,
                                        error))
    return FALSE;
  g_debug ("%u PAA certificates from %s", n_added, dir);
  return TRUE;
}

gboolean
th_trust_load_defaults (ThPaaStore   *paa_store,
                        ThCdSigners  *cd_signers,
                        GPtrArray   **warnings,
                        GError      **error)
{
  g_autofree char *paa_dir = th_trust_default_directory ("paa");
  g_autofree char *development_dir = th_trust_development_directory ();
  g_autofree char *cd_dir = th_trust_default_directory ("cd-signers");

  g_return_val_if_fail (paa_store != NULL, FALSE);
  g_return_val_if_fail (cd_signers != NULL, FALSE);

  /* an imported root is no sign that the ledger's roots are fresh */
  if (!add_paa_directory (paa_store, paa_dir, TRUE, warnings, error)
      || !add_paa_directory (paa_store, development_dir, FALSE, warnings, error))
    return FALSE;
  if (g_file_test (cd_dir, G_FILE_TEST_IS_DIR)
      && !th_cd_signers_add_directory (cd_signers, cd_dir, FALSE, warnings, error))
    return FALSE;
  return TRUE;
}

ThRevocationSet *
th_trust_load_revocation_set (const char  *dir,
                              GError     **error)
{
  g_autoptr(ThRevocationSet) set = th_revocation_set_new ();
  g_autofree char *path = g_build_filename (dir, TH_TRUST_REVOCATION_SET_FILE, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&set);
      g_set_error (error, TH_ERROR, TH_ERROR_REVOCATION_SET,
                   _("Could not read the revocation set “%s”: %s"), path, local_error->message);
      return NULL;
    }
  if (!th_revocation_set_load_json (set, contents, (gssize) len, &local_error))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_REVOCATION_SET, "%s: %s", path,
                   local_error->message);
      return NULL;
    }
  return g_steal_pointer (&set);
}

gboolean
th_trust_load_defaults_full (ThPaaStore       *paa_store,
                             ThCdSigners      *cd_signers,
                             ThRevocationSet **revocations,
                             GPtrArray       **warnings,
                             GError          **error)
{
  g_autofree char *revocation_dir = th_trust_default_directory ("revocation");
  GError *problem = NULL;

  g_return_val_if_fail (revocations != NULL, FALSE);
  g_return_val_if_fail (warnings != NULL, FALSE);

  if (!th_trust_load_defaults (paa_store, cd_signers, warnings, error))
    return FALSE;
  *revocations = th_trust_load_revocation_set (revocation_dir, &problem);
  if (*revocations == NULL)
    {
      if (*warnings == NULL)
        *warnings = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
      g_ptr_array_add (*warnings, problem);
      *revocations = th_revocation_set_new ();
    }
  return TRUE;
}

static char *
key_id_to_text (const guint8 *id,
                const char   *separator)
{
  GString *text = g_string_new (NULL);

  for (gsize i = 0; i < TH_KEY_ID_LEN; i++)
    g_string_append_printf (text, "%s%02X", i > 0 ? separator : "", id[i]);
  return g_string_free (text, FALSE);
}

char *
th_trust_import_paa (const char    *dir,
                     const guint8  *data,
                     gsize          len,
                     GError       **error)
{
  g_autofree char *default_dir = NULL;
  g_autoptr(GPtrArray) certs = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  const guint8 *key_id;
  unsigned char *der = NULL;
  X509 *cert;
  int der_len;
  gboolean saved;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (dir == NULL)
    dir = default_dir = th_trust_development_directory ();
  certs = th_x509_list_from_data (data, len, &local_error);
  if (certs == NULL)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TRUST_STORE,
                   _("The file holds no certificate: %s"), local_error->message);
      return NULL;
    }
  if (certs->len != 1)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TRUST_STORE,
                   _("The file holds %u certificates; import one PAA certificate at a time."),
                   certs->len);
      return NULL;
    }
  cert = g_ptr_array_index (certs, 0);
  if (X509_check_issued (cert, cert) != X509_V_OK || X509_check_ca (cert) < 1
      || X509_verify (cert, X509_get0_pubkey (cert)) != 1)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_TRUST_STORE,
                           _("The certificate is not a self-signed CA certificate, so it "
                             "cannot be a PAA root. Choose the PAA certificate itself, not a "
                             "PAI or a device certificate."));
      return NULL;
    }
  if (!th_x509_get_subject_key_id (cert, &key_id))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TRUST_STORE,
                   _("The certificate has no subject key identifier of %u bytes, which device "
                     "attestation needs to find it."), TH_KEY_ID_LEN);
      return NULL;
    }

  der_len = i2d_X509 (cert, &der);
  if (der_len <= 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_TRUST_STORE,
                           _("The certificate cannot be written as DER."));
      return NULL;
    }
  name = key_id_to_text (key_id, "");
  path = g_strconcat (dir, G_DIR_SEPARATOR_S, name, ".der", NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      OPENSSL_free (der);
      g_set_error (error, TH_ERROR, TH_ERROR_TRUST_STORE, _("Could not create the folder “%s”: %s"),
                   dir, g_strerror (saved_errno));
      return NULL;
    }
  saved = g_file_set_contents_full (path, (const char *) der, der_len,
                                    G_FILE_SET_CONTENTS_CONSISTENT, 0644, &local_error);
  OPENSSL_free (der);
  if (!saved)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TRUST_STORE, _("Could not save “%s”: %s"), path,
                   local_error->message);
      return NULL;
    }
  return key_id_to_text (key_id, ":");
}

gboolean
th_trust_remove_paa (const char  *dir,
                     const char  *subject_key_id,
                     GError     **error)
{
  g_autofree char *default_dir = NULL;
  g_autofree char *path = NULL;
  GString *name = g_string_new (NULL);
  g_autofree char *file = NULL;

  g_return_val_if_fail (subject_key_id != NULL, FALSE);

  if (dir == NULL)
    dir = default_dir = th_trust_development_directory ();
  for (const char *p = subject_key_id; *p != '\0'; p++)
    {
      if (*p == ':')
        continue;
      if (!g_ascii_isxdigit (*p))
        {
          g_string_set_size (name, 0);
          break;
        }
      g_string_append_c (name, g_ascii_toupper (*p));
    }
  if (name->len != 2 * TH_KEY_ID_LEN)
    {
      g_string_free (name, TRUE);
      g_set_error (error, TH_ERROR, TH_ERROR_TRUST_STORE,
                   _("“%s” is not a subject key identifier: it must be %u bytes in "
                     "hexadecimal."), subject_key_id, TH_KEY_ID_LEN);
      return FALSE;
    }
  g_string_append (name, ".der");
  file = g_string_free (name, FALSE);
  path = g_build_filename (dir, file, NULL);
  if (g_unlink (path) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        g_set_error (error, TH_ERROR, TH_ERROR_TRUST_STORE,
                     _("No development PAA certificate has the key identifier %s."),
                     subject_key_id);
      else
        g_set_error (error, TH_ERROR, TH_ERROR_TRUST_STORE, _("Could not remove “%s”: %s"), path,
                     g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}
