/* test-revocation-sync.c: the revocation lists the ledger points to, fetched from the local
 * ledger stand-in, checked, kept, and used by the attestation verifier. The lists are made
 * here with OpenSSL, signed with the test PKI's keys.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "credentials/th-attestation-x509.h"
#include "credentials/th-attestation.h"
#include "credentials/th-trust.h"
#include "dcl/th-revocation-sync.h"
#include "th-dcl-fixture.h"
#include "th-error.h"
#include "th-test-utils.h"

#define TEST_ATTESTATION "credentials/test/attestation/"
#define DAY (24 * 3600)

typedef struct
{
  ThDclFixture *fixture;
  ThDclClient *client;
  char *dir;
  GMainLoop *loop;
  GAsyncResult *result;
  X509 *paa;
  X509 *paa_novid;
  X509 *pai;
  X509 *dac;
  EVP_PKEY *paa_key;
  EVP_PKEY *paa_novid_key;
  EVP_PKEY *pai_key;
  ThPaaStore *paa_store;
} Setup;

static char *
read_vector (const char *name)
{
  g_autofree char *path = g_build_filename (th_test_vectors_dir (), TEST_ATTESTATION, name,
                                            NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static X509 *
load_certificate (const char *name)
{
  g_autofree char *pem = read_vector (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) certs = th_x509_list_from_data ((const guint8 *) pem, strlen (pem),
                                                       &error);

  g_assert_no_error (error);
  return g_ptr_array_steal_index (certs, 0);
}

static EVP_PKEY *
load_key (const char *name)
{
  g_autofree char *pem = read_vector (name);
  BIO *bio = BIO_new_mem_buf (pem, -1);
  EVP_PKEY *key = PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL);

  BIO_free (bio);
  g_assert_nonnull (key);
  return key;
}

static void
setup_init (Setup *setup)
{
  g_autoptr(GError) error = NULL;

  setup->fixture = th_dcl_fixture_new (g_getenv ("TH_DCL_FIXTURES"), &error);
  g_assert_no_error (error);
  setup->dir = g_dir_make_tmp ("test-revocation-XXXXXX", &error);
  g_assert_no_error (error);
  setup->client = th_dcl_client_new (th_dcl_fixture_get_url (setup->fixture), setup->dir);
  setup->loop = g_main_loop_new (NULL, FALSE);
  setup->paa = load_certificate ("Chip-Test-PAA-FFF1-Cert.pem");
  setup->paa_novid = load_certificate ("Chip-Test-PAA-NoVID-Cert.pem");
  setup->pai = load_certificate ("Chip-Test-PAI-FFF1-8000-Cert.pem");
  setup->dac = load_certificate ("Chip-Test-DAC-FFF1-8000-0000-Cert.pem");
  setup->paa_key = load_key ("Chip-Test-PAA-FFF1-Key.pem");
  setup->paa_novid_key = load_key ("Chip-Test-PAA-NoVID-Key.pem");
  setup->pai_key = load_key ("Chip-Test-PAI-FFF1-8000-Key.pem");
  setup->paa_store = th_paa_store_new ();
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *pem = read_vector (i == 0 ? "Chip-Test-PAA-FFF1-Cert.pem"
                                                 : "Chip-Test-PAA-NoVID-Cert.pem");

      g_assert_true (th_paa_store_add_data (setup->paa_store, (const guint8 *) pem,
                                            strlen (pem), &error));
      g_assert_no_error (error);
    }
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

static void
setup_clear (Setup *setup)
{
  g_clear_object (&setup->client);
  th_dcl_fixture_free (setup->fixture);
  remove_tree (setup->dir);
  g_free (setup->dir);
  g_main_loop_unref (setup->loop);
  g_clear_object (&setup->result);
  X509_free (setup->paa);
  X509_free (setup->paa_novid);
  X509_free (setup->pai);
  X509_free (setup->dac);
  EVP_PKEY_free (setup->paa_key);
  EVP_PKEY_free (setup->paa_novid_key);
  EVP_PKEY_free (setup->pai_key);
  th_paa_store_unref (setup->paa_store);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Setup *setup = user_data;

  setup->result = g_object_ref (result);
  g_main_loop_quit (setup->loop);
}

/* A CRL in `issuer`'s name revoking `serial` (may be NULL), valid from now + `from` to now +
 * `until` seconds, signed with `key`. */
static GBytes *
make_crl (X509               *issuer,
          EVP_PKEY           *key,
          const ASN1_INTEGER *serial,
          long                from,
          long                until)
{
  X509_CRL *crl = X509_CRL_new ();
  ASN1_TIME *time = ASN1_TIME_new ();
  unsigned char *der = NULL;
  int len;
  GBytes *bytes;

  g_assert_cmpint (X509_CRL_set_version (crl, 1), ==, 1);
  g_assert_cmpint (X509_CRL_set_issuer_name (crl, X509_get_subject_name (issuer)), ==, 1);
  X509_gmtime_adj (time, from);
  g_assert_cmpint (X509_CRL_set1_lastUpdate (crl, time), ==, 1);
  X509_gmtime_adj (time, until);
  g_assert_cmpint (X509_CRL_set1_nextUpdate (crl, time), ==, 1);
  if (serial != NULL)
    {
      X509_REVOKED *revoked = X509_REVOKED_new ();

      X509_gmtime_adj (time, from);
      X509_REVOKED_set_serialNumber (revoked, (ASN1_INTEGER *) serial);
      X509_REVOKED_set_revocationDate (revoked, time);
      X509_CRL_add0_revoked (crl, revoked);
    }
  X509_CRL_sort (crl);
  g_assert_cmpint (X509_CRL_sign (crl, key, EVP_sha256 ()), >, 0);
  len = i2d_X509_CRL (crl, &der);
  g_assert_cmpint (len, >, 0);
  bytes = g_bytes_new (der, (gsize) len);
  OPENSSL_free (der);
  ASN1_TIME_free (time);
  X509_CRL_free (crl);
  return bytes;
}

static char *
key_id_hex (X509 *cert)
{
  const guint8 *id;

  g_assert_true (th_x509_get_subject_key_id (cert, &id));
  return th_test_bytes_to_hex (id, TH_KEY_ID_LEN);
}

static char *
cert_pem (X509 *cert)
{
  BIO *bio = BIO_new (BIO_s_mem ());
  char *data;
  long len;
  char *pem;

  PEM_write_bio_X509 (bio, cert);
  len = BIO_get_mem_data (bio, &data);
  pem = g_strndup (data, (gsize) len);
  BIO_free (bio);
  return pem;
}

static void
add_point_with_digest (JsonBuilder *builder,
                       const char  *label,
                       gboolean     is_paa,
                       X509        *issuer,
                       const char  *signer_pem,
                       const char  *url,
                       GBytes      *digest_of)
{
  g_autofree char *key_id = key_id_hex (issuer);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "vid");
  json_builder_add_int_value (builder, 0xFFF1);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "isPAA");
  json_builder_add_boolean_value (builder, is_paa);
  json_builder_set_member_name (builder, "label");
  json_builder_add_string_value (builder, label);
  json_builder_set_member_name (builder, "crlSignerCertificate");
  json_builder_add_string_value (builder, signer_pem != NULL ? signer_pem : "");
  json_builder_set_member_name (builder, "issuerSubjectKeyID");
  json_builder_add_string_value (builder, key_id);
  json_builder_set_member_name (builder, "dataURL");
  json_builder_add_string_value (builder, url);
  if (digest_of != NULL)
    {
      g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
      guint8 digest[32];
      gsize len = sizeof digest;
      g_autofree char *text = NULL;

      g_checksum_update (checksum, g_bytes_get_data (digest_of, NULL),
                         g_bytes_get_size (digest_of));
      g_checksum_get_digest (checksum, digest, &len);
      text = g_base64_encode (digest, len);
      json_builder_set_member_name (builder, "dataDigest");
      json_builder_add_string_value (builder, text);
      json_builder_set_member_name (builder, "dataDigestType");
      json_builder_add_int_value (builder, 1);
    }
  json_builder_set_member_name (builder, "revocationType");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "schemaVersion");
  json_builder_add_int_value (builder, 0);
  json_builder_end_object (builder);
}

static void
add_point (JsonBuilder *builder,
           const char  *label,
           gboolean     is_paa,
           X509        *issuer,
           const char  *signer_pem,
           const char  *url)
{
  add_point_with_digest (builder, label, is_paa, issuer, signer_pem, url, NULL);
}

static void
serve_points (Setup      *setup,
              JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) body = NULL;
  gsize len;
  char *text;

  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "pagination");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "next_key");
  json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);
  body = g_bytes_new_take (text, len);
  th_dcl_fixture_serve (setup->fixture, "/dcl/pki/revocation-points", "application/json", body);
}

static JsonBuilder *
begin_points (void)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "PkiRevocationDistributionPoint");
  json_builder_begin_array (builder);
  return builder;
}

static char *
fixture_url (Setup      *setup,
             const char *path)
{
  return g_strconcat (th_dcl_fixture_get_url (setup->fixture), path, NULL);
}

static ThRevocationSyncReport *
run_sync (Setup       *setup,
          const char  *dir,
          GError     **error)
{
  th_revocation_sync_async (setup->client, setup->paa_store, dir, NULL, on_done, setup);
  g_clear_object (&setup->result);
  g_main_loop_run (setup->loop);
  return th_revocation_sync_finish (setup->result, error);
}

static gboolean
has_problem (ThRevocationSyncReport *report,
             const char             *text)
{
  for (guint i = 0; i < report->problems->len; i++)
    {
      const GError *problem = g_ptr_array_index (report->problems, i);

      if (strstr (problem->message, text) != NULL)
        return TRUE;
    }
  return FALSE;
}

static ThAttestationResult *
verify_dac (Setup           *setup,
            ThRevocationSet *revocations)
{
  g_autoptr(ThCdSigners) signers = th_cd_signers_new ();
  unsigned char *dac_der = NULL, *pai_der = NULL;
  int dac_len = i2d_X509 (setup->dac, &dac_der);
  int pai_len = i2d_X509 (setup->pai, &pai_der);
  g_autoptr(GBytes) dac = g_bytes_new (dac_der, (gsize) dac_len);
  g_autoptr(GBytes) pai = g_bytes_new (pai_der, (gsize) pai_len);
  /* the rest of the attestation is not what this test is about: its findings are ignored */
  static const guint8 zeros[64] = { 0 };
  g_autoptr(GBytes) elements = g_bytes_new_static (zeros, 1);
  g_autoptr(GBytes) signature = g_bytes_new_static (zeros, 64);
  g_autoptr(GBytes) challenge = g_bytes_new_static (zeros, TH_ATTESTATION_CHALLENGE_LEN);
  g_autoptr(GBytes) nonce = g_bytes_new_static (zeros, TH_ATTESTATION_NONCE_LEN);
  ThAttestationInfo info = { 0 };

  OPENSSL_free (dac_der);
  OPENSSL_free (pai_der);
  info.dac = dac;
  info.pai = pai;
  info.attestation_elements = elements;
  info.attestation_signature = signature;
  info.attestation_challenge = challenge;
  info.nonce = nonce;
  info.vendor_id = 0xFFF1;
  info.product_id = 0x8000;
  info.now = g_get_real_time () / G_USEC_PER_SEC;
  return th_attestation_verify (setup->paa_store, signers, revocations, &info);
}

static void
test_sync (void)
{
  Setup setup = { 0 };
  g_autoptr(JsonBuilder) points = NULL;
  g_autoptr(ThRevocationSyncReport) report = NULL;
  g_autoptr(ThRevocationSet) set = NULL;
  g_autoptr(ThAttestationResult) result = NULL;
  g_autoptr(GBytes) pai_crl = NULL, forged_crl = NULL, expired_crl = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *store = NULL;
  g_autofree char *pai_pem = NULL;
  g_autofree char *url = NULL;
  ASN1_INTEGER *other_serial = ASN1_INTEGER_new ();
  guint n_crl_files = 0;
  const char *name;

  setup_init (&setup);
  store = g_build_filename (setup.dir, "revocation", NULL);
  pai_pem = cert_pem (setup.pai);
  ASN1_INTEGER_set (other_serial, 4242);

  /* the PAI revokes the DAC; a list in the PAA's name signed by the PAI (forged); the NoVID
   * PAA's list, past its next update; an address that is not http(s) */
  pai_crl = make_crl (setup.pai, setup.pai_key, X509_get0_serialNumber (setup.dac), -DAY,
                      30 * DAY);
  forged_crl = make_crl (setup.paa, setup.pai_key, X509_get0_serialNumber (setup.pai), -DAY,
                         30 * DAY);
  expired_crl = make_crl (setup.paa_novid, setup.paa_novid_key, other_serial, -30 * DAY, -DAY);
  ASN1_INTEGER_free (other_serial);
  th_dcl_fixture_serve (setup.fixture, "/crl/pai.crl", "application/pkix-crl", pai_crl);
  th_dcl_fixture_serve (setup.fixture, "/crl/paa.crl", "application/pkix-crl", forged_crl);
  th_dcl_fixture_serve (setup.fixture, "/crl/novid.crl", "application/pkix-crl", expired_crl);
  points = begin_points ();
  url = fixture_url (&setup, "/crl/pai.crl");
  add_point (points, "pai", FALSE, setup.pai, pai_pem, url);
  g_free (url);
  url = fixture_url (&setup, "/crl/paa.crl");
  add_point (points, "forged", TRUE, setup.paa, NULL, url);
  g_free (url);
  url = fixture_url (&setup, "/crl/novid.crl");
  add_point (points, "expired", TRUE, setup.paa_novid, NULL, url);
  add_point (points, "ftp", TRUE, setup.paa, NULL, "ftp://127.0.0.1/crl/paa.crl");
  serve_points (&setup, points);

  /* before any sync: an empty set, and the DAC passes the revocation check */
  set = th_trust_load_revocation_set (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (th_revocation_set_get_size (set), ==, 0);
  result = verify_dac (&setup, set);
  g_assert_false (th_attestation_result_has_finding (result, TH_ATTESTATION_DAC_REVOKED));
  g_clear_pointer (&result, th_attestation_result_unref);
  g_clear_pointer (&set, th_revocation_set_unref);

  report = run_sync (&setup, store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < report->problems->len; i++)
    g_test_message ("%s", ((GError *) g_ptr_array_index (report->problems, i))->message);
  g_assert_cmpuint (report->n_points, ==, 4);
  g_assert_cmpuint (report->n_lists, ==, 2);
  g_assert_cmpuint (report->n_revoked, ==, 2);
  g_assert_cmpuint (report->problems->len, ==, 3);
  g_assert_true (has_problem (report, "“forged”"));
  g_assert_true (has_problem (report, "signature is not valid"));
  g_assert_true (has_problem (report, "“expired” of"));
  g_assert_true (has_problem (report, "is out of date"));
  g_assert_true (has_problem (report, "not an http or https address"));
  g_assert_cmpint (report->oldest_update, <, g_get_real_time () / G_USEC_PER_SEC - 29 * DAY);

  /* the lists and the set on disk; the DAC is refused with the revocation finding */
  dir = g_dir_open (store, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    n_crl_files += g_str_has_suffix (name, ".crl");
  g_assert_cmpuint (n_crl_files, ==, 2);
  set = th_trust_load_revocation_set (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (th_revocation_set_get_size (set), ==, 2);
  g_assert_true (th_revocation_set_contains (set, setup.dac));
  g_assert_false (th_revocation_set_contains (set, setup.pai));
  result = verify_dac (&setup, set);
  g_assert_true (th_attestation_result_has_finding (result, TH_ATTESTATION_DAC_REVOKED));
  g_assert_false (th_attestation_result_has_finding (result, TH_ATTESTATION_PAI_REVOKED));
  g_assert_false (th_attestation_result_is_trusted (result));

  setup_clear (&setup);
}

static void
test_signer_checks (void)
{
  Setup setup = { 0 };
  g_autoptr(JsonBuilder) points = NULL;
  g_autoptr(ThRevocationSyncReport) report = NULL;
  g_autoptr(GBytes) crl = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *store = NULL;
  g_autofree char *dac_pem = NULL;
  g_autofree char *pai_pem = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GBytes) other = g_bytes_new_static ("other", 5);

  setup_init (&setup);
  store = g_build_filename (setup.dir, "revocation", NULL);
  dac_pem = cert_pem (setup.dac);
  pai_pem = cert_pem (setup.pai);
  crl = make_crl (setup.pai, setup.pai_key, X509_get0_serialNumber (setup.dac), -DAY, DAY);
  th_dcl_fixture_serve (setup.fixture, "/crl/pai.crl", "application/pkix-crl", crl);
  points = begin_points ();
  url = fixture_url (&setup, "/crl/pai.crl");
  /* a PAI's point without its certificate; one whose signer is not the issuer it names; a
   * list that is not there */
  add_point (points, "no-signer", FALSE, setup.pai, NULL, url);
  add_point (points, "wrong-signer", FALSE, setup.pai, dac_pem, url);
  /* the ledger's digest of another file, then of this one */
  add_point_with_digest (points, "other-digest", FALSE, setup.pai, pai_pem, url, other);
  add_point_with_digest (points, "digest", FALSE, setup.pai, pai_pem, url, crl);
  g_free (url);
  url = fixture_url (&setup, "/crl/missing.crl");
  add_point (points, "missing", TRUE, setup.paa, NULL, url);
  serve_points (&setup, points);

  report = run_sync (&setup, store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < report->problems->len; i++)
    g_test_message ("%s", ((GError *) g_ptr_array_index (report->problems, i))->message);
  g_assert_cmpuint (report->n_lists, ==, 1);
  g_assert_cmpuint (report->problems->len, ==, 4);
  g_assert_true (has_problem (report, "“other-digest”"));
  g_assert_true (has_problem (report, "SHA-256 digest differs"));
  g_assert_false (has_problem (report, "“digest”"));
  g_assert_true (has_problem (report, "gives no certificate for its PAI"));
  g_assert_true (has_problem (report, "signer is not the issuer"));
  g_assert_true (has_problem (report, "answered “404"));

  /* the ledger cannot be reached: the sync fails and says so */
  th_dcl_fixture_set_failing (setup.fixture, 500);
  th_dcl_client_set_cache_lifetime (setup.client, 0);
  g_clear_pointer (&report, th_revocation_sync_report_free);
  th_dcl_client_set_offline (setup.client, TRUE);
  remove_tree (setup.dir);
  g_assert_cmpint (g_mkdir_with_parents (setup.dir, 0700), ==, 0);
  report = run_sync (&setup, store, &error);
  g_assert_null (report);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_NOT_CACHED);

  setup_clear (&setup);
}

static void
test_crl_parse (void)
{
  static const guint8 not_crl[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
  g_autoptr(GError) error = NULL;
  X509_CRL *crl;

  crl = th_crl_from_data (not_crl, sizeof not_crl, &error);
  g_assert_null (crl);
  g_assert_error (error, TH_ERROR, TH_ERROR_REVOCATION_SET);
  g_clear_error (&error);
  crl = th_crl_from_data ((const guint8 *) "-----BEGIN X509 CRL-----\n", 25, &error);
  g_assert_null (crl);
  g_assert_error (error, TH_ERROR, TH_ERROR_REVOCATION_SET);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/revocation-sync/sync", test_sync);
  g_test_add_func ("/revocation-sync/signer-checks", test_signer_checks);
  g_test_add_func ("/revocation-sync/crl-parse", test_crl_parse);
  return g_test_run ();
}
