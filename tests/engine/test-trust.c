/* test-trust.c: development trust (PAA certificates imported by hand) and the revocation set
 * kept on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "credentials/th-trust.h"
#include "th-error.h"
#include "th-test-utils.h"

#define TEST_ATTESTATION "credentials/test/attestation/"
#define PAA_FILE "6AFD22771F511FECBF1641976710DCDC31A1717E.der"

static GBytes *
read_vector (const char *name)
{
  g_autofree char *path = g_build_filename (th_test_vectors_dir (), TEST_ATTESTATION, name,
                                            NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static char *
import (const char  *dir,
        GBytes      *data,
        GError     **error)
{
  gsize len;
  const guint8 *bytes = g_bytes_get_data (data, &len);

  return th_trust_import_paa (dir, bytes, len, error);
}

static void
test_import_and_remove (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("test-trust-XXXXXX", &error);
  g_autofree char *trust = g_build_filename (home, "trust", NULL);
  g_autofree char *dir = g_build_filename (trust, "paa", NULL);
  g_autofree char *file = g_build_filename (dir, PAA_FILE, NULL);
  g_autoptr(GBytes) paa_pem = read_vector ("Chip-Test-PAA-FFF1-Cert.pem");
  g_autoptr(GBytes) paa_der = read_vector ("Chip-Test-PAA-FFF1-Cert.der");
  g_autoptr(GBytes) pai = read_vector ("Chip-Test-PAI-FFF1-8000-Cert.pem");
  g_autoptr(GByteArray) both = g_byte_array_new ();
  g_autoptr(ThPaaStore) store = th_paa_store_new ();
  g_autoptr(GPtrArray) warnings = NULL;
  g_autofree char *key_id = NULL;
  GStatBuf st;

  g_assert_no_error (error);

  /* not a root, two certificates, not a certificate: nothing is written */
  g_assert_null (import (dir, pai, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TRUST_STORE);
  g_assert_nonnull (strstr (error->message, "not a self-signed CA certificate"));
  g_clear_error (&error);
  g_byte_array_append (both, g_bytes_get_data (paa_pem, NULL), g_bytes_get_size (paa_pem));
  g_byte_array_append (both, g_bytes_get_data (pai, NULL), g_bytes_get_size (pai));
  g_assert_null (th_trust_import_paa (dir, both->data, both->len, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TRUST_STORE);
  g_assert_nonnull (strstr (error->message, "holds 2 certificates"));
  g_clear_error (&error);
  g_assert_null (th_trust_import_paa (dir, (const guint8 *) "hello", 5, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TRUST_STORE);
  g_clear_error (&error);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  /* PEM, then the same root as DER: one file, named after the key ID, 0644 */
  key_id = import (dir, paa_pem, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key_id, ==, "6A:FD:22:77:1F:51:1F:EC:BF:16:41:97:67:10:DC:DC:31:A1:71:7E");
  g_clear_pointer (&key_id, g_free);
  key_id = import (dir, paa_der, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0644);

  /* loaded without making the store look freshly synced */
  g_assert_true (th_paa_store_add_directory_full (store, dir, FALSE, NULL, &warnings, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (th_paa_store_get_size (store), ==, 1);
  g_assert_cmpint (th_paa_store_get_updated (store), ==, 0);

  /* removed by its key ID, colons or not, either case */
  g_assert_false (th_trust_remove_paa (dir, "6A:FD", &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TRUST_STORE);
  g_clear_error (&error);
  g_assert_false (th_trust_remove_paa (dir, "zz:fd:22:77:1f:51:1f:ec:bf:16:41:97:67:10:dc:dc:31:"
                                       "a1:71:7e", &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TRUST_STORE);
  g_clear_error (&error);
  g_assert_true (th_trust_remove_paa (dir, "6a:fd:22:77:1f:51:1f:ec:bf:16:41:97:67:10:dc:dc:31:"
                                      "a1:71:7e", &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_assert_false (th_trust_remove_paa (dir, "6AFD22771F511FECBF1641976710DCDC31A1717E", &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TRUST_STORE);
  g_assert_nonnull (strstr (error->message, "No development PAA certificate"));

  g_rmdir (dir);
  g_rmdir (trust);
  g_rmdir (home);
}

static void
test_revocation_set_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-trust-XXXXXX", &error);
  g_autofree char *file = g_build_filename (dir, TH_TRUST_REVOCATION_SET_FILE, NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autoptr(ThRevocationSet) set = NULL;

  /* none kept yet: an empty set */
  set = th_trust_load_revocation_set (missing, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (th_revocation_set_get_size (set), ==, 0);
  g_clear_pointer (&set, th_revocation_set_unref);

  g_file_set_contents (file, "[ { \"type\": \"revocation_set\", \"issuer_subject_key_id\": "
                       "\"6AFD22771F511FECBF1641976710DCDC31A1717E\", "
                       "\"revoked_serial_numbers\": [ \"0102\", \"03\" ] } ]", -1, &error);
  g_assert_no_error (error);
  set = th_trust_load_revocation_set (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (th_revocation_set_get_size (set), ==, 2);
  g_clear_pointer (&set, th_revocation_set_unref);

  /* a damaged file is an error that names it */
  g_file_set_contents (file, "[ { \"type\": ", -1, &error);
  g_assert_no_error (error);
  set = th_trust_load_revocation_set (dir, &error);
  g_assert_null (set);
  g_assert_error (error, TH_ERROR, TH_ERROR_REVOCATION_SET);
  g_assert_nonnull (strstr (error->message, TH_TRUST_REVOCATION_SET_FILE));

  g_remove (file);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/trust/import-and-remove", test_import_and_remove);
  g_test_add_func ("/trust/revocation-set-file", test_revocation_set_file);
  return g_test_run ();
}
