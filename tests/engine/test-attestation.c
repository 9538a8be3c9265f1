/* test-attestation.c: the device attestation verifier, the certification declaration codec,
 * the PAA trust store and the revocation set
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "credentials/th-attestation-x509.h"
#include "credentials/th-attestation.h"
#include "credentials/th-certification-declaration.h"
#include "credentials/th-paa-store.h"
#include "crypto/th-crypto.h"
#include "th-error.h"
#include "th-test-utils.h"
#include "tlv/th-tlv.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CMS_ContentInfo, CMS_ContentInfo_free)

/* 2025-06-01T00:00:00Z: a fixed "now" for the stored vectors, so that their verdicts do not
 * change as their certificates age. */
#define VECTORS_NOW G_GINT64_CONSTANT (1748736000)
#define DAY (G_GINT64_CONSTANT (24) * 60 * 60)

#define TEST_PAA_CERT "credentials/test/attestation/Chip-Test-PAA-FFF1-Cert.der"
#define TEST_CD_SIGNER "credentials/test/certification-declaration/Chip-Test-CD-Signing-Cert.der"
#define TEST_CD_SIGNER_KEY \
  "credentials/test/certification-declaration/Chip-Test-CD-Signing-Key.pem"
#define EXAMPLE_CD "credentials/test/certification-declaration/Example-CD-FFF1-8000-8063"

static GBytes *
load_vector_file (const char *relative_path)
{
  g_autofree char *path = g_build_filename (th_test_vectors_dir (), relative_path, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static ThPaaStore *
store_with (const char *relative_path)
{
  g_autoptr(ThPaaStore) store = th_paa_store_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) der = load_vector_file (relative_path);

  th_paa_store_add_data (store, g_bytes_get_data (der, NULL), g_bytes_get_size (der), &error);
  g_assert_no_error (error);
  return g_steal_pointer (&store);
}

static ThCdSigners *
csa_test_signers (void)
{
  g_autoptr(ThCdSigners) signers = th_cd_signers_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) der = load_vector_file (TEST_CD_SIGNER);

  /* Added as a production signer: it must still count as a test signer by its key id. */
  th_cd_signers_add_data (signers, g_bytes_get_data (der, NULL), g_bytes_get_size (der), FALSE,
                          &error);
  g_assert_no_error (error);
  return g_steal_pointer (&signers);
}

static EVP_PKEY *
pem_private_key (GBytes *pem)
{
  g_autoptr(BIO) bio = BIO_new_mem_buf (g_bytes_get_data (pem, NULL),
                                        (int) g_bytes_get_size (pem));
  EVP_PKEY *key = PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL);

  g_assert_nonnull (key);
  return key;
}

static GBytes *
x509_to_der (X509 *cert)
{
  unsigned char *der = NULL;
  int len = i2d_X509 (cert, &der);
  GBytes *bytes;

  g_assert_cmpint (len, >, 0);
  bytes = g_bytes_new (der, (gsize) len);
  OPENSSL_free (der);
  return bytes;
}

static GBytes *
build_elements (GBytes       *cd,
                const guint8 *nonce)
{
  g_auto(ThTlvWriter) writer;

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (1), g_bytes_get_data (cd, NULL),
                           g_bytes_get_size (cd));
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (2), nonce, TH_ATTESTATION_NONCE_LEN);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (3), 0);
  th_tlv_writer_end_container (&writer);
  return th_tlv_writer_finish (&writer);
}

/* The device's side of AttestationRequest: sign elements || challenge with the DAC key. */
static GBytes *
sign_elements (ThP256Key *dac_key,
               GBytes    *elements,
               GBytes    *challenge)
{
  g_autoptr(GByteArray) message = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  guint8 signature[TH_P256_SIGNATURE_LEN];

  g_byte_array_append (message, g_bytes_get_data (elements, NULL), g_bytes_get_size (elements));
  g_byte_array_append (message, g_bytes_get_data (challenge, NULL),
                       g_bytes_get_size (challenge));
  th_p256_key_sign (dac_key, message->data, message->len, signature, &error);
  g_assert_no_error (error);
  return g_bytes_new (signature, sizeof signature);
}

/* What a commissioner holds after AttestationRequest, owning its bytes. */
typedef struct
{
  ThAttestationInfo info;
  guint8 nonce[TH_ATTESTATION_NONCE_LEN];
  guint8 challenge[TH_ATTESTATION_CHALLENGE_LEN];
} Exchange;

static void
exchange_clear (Exchange *exchange)
{
  g_clear_pointer (&exchange->info.dac, g_bytes_unref);
  g_clear_pointer (&exchange->info.pai, g_bytes_unref);
  g_clear_pointer (&exchange->info.attestation_elements, g_bytes_unref);
  g_clear_pointer (&exchange->info.attestation_signature, g_bytes_unref);
  g_clear_pointer (&exchange->info.attestation_challenge, g_bytes_unref);
  g_clear_pointer (&exchange->info.nonce, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Exchange, exchange_clear)

/* Plays the device: builds and signs the attestation elements around `cd`. */
static void
exchange_init (Exchange  *exchange,
               GBytes    *dac,
               GBytes    *pai,
               GBytes    *cd,
               ThP256Key *dac_key,
               gint64     now)
{
  g_autoptr(GError) error = NULL;

  memset (exchange, 0, sizeof *exchange);
  th_random_bytes (exchange->nonce, sizeof exchange->nonce, &error);
  g_assert_no_error (error);
  th_random_bytes (exchange->challenge, sizeof exchange->challenge, &error);
  g_assert_no_error (error);

  exchange->info.dac = g_bytes_ref (dac);
  exchange->info.pai = pai != NULL ? g_bytes_ref (pai) : NULL;
  exchange->info.nonce = g_bytes_new (exchange->nonce, sizeof exchange->nonce);
  exchange->info.attestation_challenge = g_bytes_new (exchange->challenge,
                                                      sizeof exchange->challenge);
  exchange->info.attestation_elements = build_elements (cd, exchange->nonce);
  exchange->info.attestation_signature = sign_elements (dac_key,
                                                        exchange->info.attestation_elements,
                                                        exchange->info.attestation_challenge);
  exchange->info.now = now;
}

static void
print_findings (ThAttestationResult *result)
{
  for (guint i = 0; i < th_attestation_result_get_n_findings (result); i++)
    {
      const ThAttestationFinding *finding = th_attestation_result_get_finding (result, i);

      g_test_message ("  finding %d (%s): %s", finding->check,
                      finding->severity == TH_ATTESTATION_SEVERITY_FAILURE ? "failure"
                                                                           : "warning",
                      finding->message);
    }
}

/* The checks among the failures are exactly `expected` (each at least once), and every
 * finding has a sentence. Warnings are checked separately. */
static void
assert_failures (ThAttestationResult      *result,
                 const ThAttestationCheck *expected,
                 guint                     n_expected)
{
  print_findings (result);
  for (guint i = 0; i < th_attestation_result_get_n_findings (result); i++)
    {
      const ThAttestationFinding *finding = th_attestation_result_get_finding (result, i);
      gboolean listed = FALSE;

      g_assert_nonnull (finding->message);
      g_assert_cmpuint (strlen (finding->message), >, 10);
      if (finding->severity != TH_ATTESTATION_SEVERITY_FAILURE)
        continue;
      for (guint j = 0; j < n_expected; j++)
        listed |= finding->check == expected[j];
      if (!listed)
        g_error ("unexpected failure %d: %s", finding->check, finding->message);
    }
  for (guint j = 0; j < n_expected; j++)
    g_assert_true (th_attestation_result_has_finding (result, expected[j]));
  g_assert_cmpint (th_attestation_result_is_trusted (result), ==, n_expected == 0);
}

#define ASSERT_FAILURES(result, ...) \
  G_STMT_START { \
    const ThAttestationCheck __expected[] = { __VA_ARGS__ }; \
    assert_failures ((result), __expected, G_N_ELEMENTS (__expected)); \
  } G_STMT_END
#define ASSERT_TRUSTED(result) assert_failures ((result), NULL, 0)

/* ---- The connectedhomeip commissioner-DUT vectors ---- */

/* The failures each case must produce: the one the case is about, and the others that follow
 * from its certificates as stored (several have validity periods that ended before
 * VECTORS_NOW, or PAIs with a path length of 1). */
static const struct
{
  const char *name;
  ThAttestationCheck failures[4];
  guint n_failures;
} dut_expectations[] = {
  { "invalid_paa",
    { TH_ATTESTATION_PAA_NOT_FOUND, TH_ATTESTATION_DAC_EXPIRED, TH_ATTESTATION_PAI_EXPIRED }, 3 },
  /* The stored version of this case predates the PAI profile's path length of 0 (the
   * upstream vector was later regenerated with 0); its point, that the CD authorizes the PAA,
   * holds: no TH_ATTESTATION_CD_PAA_NOT_AUTHORIZED. */
  { "struct_cd_authorized_paa_list_count1_valid", { TH_ATTESTATION_PAI_PROFILE }, 1 },
  { "struct_cd_dac_origin_vid_pid_present_match", { 0 }, 0 },
  /* Its CD's authorized_paa_list names another PAA than the test PAA. */
  { "struct_cd_pid_array_count01_mismatch",
    { TH_ATTESTATION_CD_PRODUCT_ID_MISMATCH, TH_ATTESTATION_PAI_PROFILE,
      TH_ATTESTATION_CD_PAA_NOT_AUTHORIZED }, 3 },
  { "struct_cd_vid_mismatch", { TH_ATTESTATION_CD_VENDOR_ID_MISMATCH }, 1 },
  { "struct_dac_ext_basic_ca_wrong", { TH_ATTESTATION_DAC_PROFILE, TH_ATTESTATION_PAI_PROFILE },
    2 },
  { "struct_dac_subject_vid_mismatch",
    { TH_ATTESTATION_DAC_VENDOR_ID_MISMATCH, TH_ATTESTATION_CD_VENDOR_ID_MISMATCH,
      TH_ATTESTATION_PAI_PROFILE }, 3 },
  { "struct_dac_valid_in_past",
    { TH_ATTESTATION_DAC_EXPIRED, TH_ATTESTATION_PAI_EXPIRED,
      TH_ATTESTATION_ISSUED_OUTSIDE_VALIDITY }, 3 },
  { "struct_dac_vidpid_fallback_encoding_01", { 0 }, 0 },
};

static void
test_commissioner_dut_vectors (void)
{
  g_autoptr(JsonNode) index = th_test_load_vectors ("credentials/development/commissioner_dut/"
                                                    "index.json");
  JsonArray *cases = json_object_get_array_member (json_node_get_object (index), "cases");
  g_autoptr(ThPaaStore) store = store_with (TEST_PAA_CERT);
  g_autoptr(ThCdSigners) signers = csa_test_signers ();

  g_assert_cmpuint (json_array_get_length (cases), ==, G_N_ELEMENTS (dut_expectations));

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *entry = json_array_get_object_element (cases, i);
      const char *name = json_object_get_string_member (entry, "case");
      gboolean success = g_strcmp0 (json_object_get_string_member (entry, "is_success_case"),
                                    "true") == 0;
      g_autoptr(JsonNode) node = th_test_load_vectors (json_object_get_string_member (entry,
                                                                                      "file"));
      JsonObject *vector = json_node_get_object (node);
      g_autoptr(GBytes) dac = th_test_hex_to_bytes (json_object_get_string_member (vector,
                                                                                  "dac_cert"));
      g_autoptr(GBytes) pai = th_test_hex_to_bytes (json_object_get_string_member (vector,
                                                                                  "pai_cert"));
      g_autoptr(GBytes) cd = th_test_hex_to_bytes (
        json_object_get_string_member (vector, "certification_declaration"));
      g_autoptr(GBytes) key_bytes = th_test_hex_to_bytes (
        json_object_get_string_member (vector, "dac_private_key"));
      g_autoptr(ThP256Key) dac_key = NULL;
      g_autoptr(ThAttestationResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_auto(Exchange) exchange = { 0 };
      guint16 vendor_id = 0;
      guint j;

      g_test_message ("case %s (%s)", name, success ? "success" : "failure");
      for (j = 0; j < G_N_ELEMENTS (dut_expectations); j++)
        if (g_strcmp0 (dut_expectations[j].name, name) == 0)
          break;
      g_assert_cmpuint (j, <, G_N_ELEMENTS (dut_expectations));

      dac_key = th_p256_key_new_from_private (g_bytes_get_data (key_bytes, NULL), &error);
      g_assert_no_error (error);
      exchange_init (&exchange, dac, pai, cd, dac_key, VECTORS_NOW);
      /* The vectors are for vendor 0xFFF1; the product ID is known when the case gives it. */
      exchange.info.vendor_id = 0xFFF1;
      if (json_object_has_member (vector, "basic_info_pid"))
        exchange.info.product_id = (guint16) json_object_get_int_member (vector,
                                                                         "basic_info_pid");

      result = th_attestation_verify (store, signers, NULL, &exchange.info);
      assert_failures (result, dut_expectations[j].failures, dut_expectations[j].n_failures);
      /* Apart from the documented stale case, the verdict is the vector's. */
      if (g_strcmp0 (name, "struct_cd_authorized_paa_list_count1_valid") != 0)
        g_assert_cmpint (th_attestation_result_is_trusted (result), ==, success);
      else
        g_assert_false (th_attestation_result_has_finding (result,
                                                           TH_ATTESTATION_CD_PAA_NOT_AUTHORIZED));

      /* Every stored CD is a development CD signed by the CSA test key. */
      g_assert_true (th_attestation_result_has_finding (result, TH_ATTESTATION_CD_DEVELOPMENT));
      g_assert_nonnull (th_attestation_result_get_certification_declaration (result));
      g_assert_true (th_attestation_result_get_vendor_id (result, &vendor_id));
      g_assert_cmphex (vendor_id, ==,
                       g_strcmp0 (name, "struct_dac_subject_vid_mismatch") == 0 ? 0xFFF2
                                                                                : 0xFFF1);
    }
}

/* The fallback encoding case really came from the common name. */
static void
test_fallback_vid_pid_encoding (void)
{
  g_autoptr(JsonNode) node = th_test_load_vectors (
    "credentials/development/commissioner_dut/struct_dac_vidpid_fallback_encoding_01/"
    "test_case_vector.json");
  JsonObject *vector = json_node_get_object (node);
  g_autoptr(GBytes) dac = th_test_hex_to_bytes (json_object_get_string_member (vector,
                                                                              "dac_cert"));
  g_autoptr(GBytes) pai = th_test_hex_to_bytes (json_object_get_string_member (vector,
                                                                              "pai_cert"));
  g_autoptr(GBytes) cd = th_test_hex_to_bytes (
    json_object_get_string_member (vector, "certification_declaration"));
  g_autoptr(GBytes) key_bytes = th_test_hex_to_bytes (
    json_object_get_string_member (vector, "dac_private_key"));
  g_autoptr(ThPaaStore) store = store_with (TEST_PAA_CERT);
  g_autoptr(ThCdSigners) signers = csa_test_signers ();
  g_autoptr(ThAttestationResult) result = NULL;
  g_autoptr(ThP256Key) dac_key = NULL;
  g_auto(Exchange) exchange = { 0 };
  guint16 vendor_id, product_id;

  dac_key = th_p256_key_new_from_private (g_bytes_get_data (key_bytes, NULL), NULL);
  g_assert_nonnull (dac_key);
  exchange_init (&exchange, dac, pai, cd, dac_key, VECTORS_NOW);
  result = th_attestation_verify (store, signers, NULL, &exchange.info);
  ASSERT_TRUSTED (result);
  g_assert_true (th_attestation_result_get_vendor_id (result, &vendor_id));
  g_assert_true (th_attestation_result_get_product_id (result, &product_id));
  g_assert_cmphex (vendor_id, ==, 0xFFF1);
  g_assert_cmphex (product_id, ==, 0x00B1);
}

static ThP256Key *
key_from_pem_file (const char *relative_path)
{
  g_autoptr(GBytes) pem = load_vector_file (relative_path);
  g_autoptr(EVP_PKEY) pkey = pem_private_key (pem);
  g_autoptr(GError) error = NULL;
  ThP256Key *key = th_p256_key_new_from_evp_pkey (pkey, &error);

  g_assert_no_error (error);
  return key;
}

/* The Chip-Test chain with the CD of connectedhomeip's example apps. */
static void
test_chip_test_chain (void)
{
  g_autoptr(GBytes) dac = load_vector_file ("credentials/test/attestation/"
                                            "Chip-Test-DAC-FFF1-8000-0000-Cert.der");
  g_autoptr(GBytes) pai = load_vector_file ("credentials/test/attestation/"
                                            "Chip-Test-PAI-FFF1-8000-Cert.der");
  g_autoptr(GBytes) cd = load_vector_file (EXAMPLE_CD ".der");
  g_autoptr(ThP256Key) dac_key = key_from_pem_file ("credentials/test/attestation/"
                                                    "Chip-Test-DAC-FFF1-8000-0000-Key.pem");
  g_autoptr(ThPaaStore) store = store_with (TEST_PAA_CERT);
  g_autoptr(ThCdSigners) signers = csa_test_signers ();
  g_autoptr(ThAttestationResult) result = NULL;
  const ThCertificationDeclaration *declaration;
  g_auto(Exchange) exchange = { 0 };
  guint16 id;

  exchange_init (&exchange, dac, pai, cd, dac_key, VECTORS_NOW);
  exchange.info.vendor_id = 0xFFF1;
  exchange.info.product_id = 0x8000;
  result = th_attestation_verify (store, signers, NULL, &exchange.info);
  ASSERT_TRUSTED (result);
  g_assert_cmpuint (th_attestation_result_get_n_findings (result), ==, 1);
  g_assert_true (th_attestation_result_has_finding (result, TH_ATTESTATION_CD_DEVELOPMENT));

  g_assert_true (th_attestation_result_get_vendor_id (result, &id));
  g_assert_cmphex (id, ==, 0xFFF1);
  g_assert_true (th_attestation_result_get_product_id (result, &id));
  g_assert_cmphex (id, ==, 0x8000);
  declaration = th_attestation_result_get_certification_declaration (result);
  g_assert_nonnull (declaration);
  g_assert_cmpstr (declaration->certificate_id, ==, "ZIG20142ZB330003-24");
  g_assert_cmpint (declaration->certification_type, ==, TH_CERTIFICATION_TYPE_DEVELOPMENT);

  /* The same exchange against a store holding only the PAA without a vendor ID. */
  {
    g_autoptr(ThPaaStore) other = store_with ("credentials/test/attestation/"
                                              "Chip-Test-PAA-NoVID-Cert.der");
    g_autoptr(ThAttestationResult) untrusted = th_attestation_verify (other, signers, NULL,
                                                                      &exchange.info);

    ASSERT_FAILURES (untrusted, TH_ATTESTATION_PAA_NOT_FOUND);
  }
}

/* ---- The certification declaration ---- */

static guint64
json_number (JsonObject *object,
             const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  g_assert_nonnull (node);
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_ascii_strtoull (json_node_get_string (node), NULL, 0);
  return (guint64) json_node_get_int (node);
}

static void
test_example_cd (void)
{
  g_autoptr(JsonNode) node = th_test_load_vectors (EXAMPLE_CD ".json");
  JsonObject *vector = json_node_get_object (node);
  JsonObject *decoded = json_object_get_object_member (vector, "decoded");
  JsonArray *products = json_object_get_array_member (decoded, "product_id_array (tag 2)");
  g_autoptr(GBytes) cms = load_vector_file (EXAMPLE_CD ".der");
  g_autoptr(GBytes) expected_cms = th_test_hex_to_bytes (
    json_object_get_string_member (vector, "cmsDerHex"));
  g_autoptr(GBytes) expected_tlv = th_test_hex_to_bytes (
    json_object_get_string_member (vector, "eContentTlvHex"));
  g_autoptr(GBytes) expected_key_id = th_test_hex_to_bytes (
    json_object_get_string_member (vector, "signerSubjectKeyIdentifier"));
  g_autoptr(ThCdSigners) signers = csa_test_signers ();
  g_autoptr(GError) error = NULL;
  ThCertificationDeclaration cd;
  ThCdEnvelope envelope;
  gboolean is_test = FALSE;

  g_assert_true (g_bytes_equal (cms, expected_cms));
  th_cd_envelope_parse (g_bytes_get_data (cms, NULL), g_bytes_get_size (cms), &envelope, &error);
  g_assert_no_error (error);
  th_assert_bytes_equal (envelope.content, envelope.content_len,
                         g_bytes_get_data (expected_tlv, NULL), g_bytes_get_size (expected_tlv));
  th_assert_bytes_equal (envelope.signer_key_id, envelope.signer_key_id_len,
                         g_bytes_get_data (expected_key_id, NULL),
                         g_bytes_get_size (expected_key_id));

  th_cd_signers_verify (signers, &envelope, &is_test, &error);
  g_assert_no_error (error);
  g_assert_true (is_test);

  th_certification_declaration_decode (envelope.content, envelope.content_len, &cd, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cd.format_version, ==, json_number (decoded, "format_version (tag 0)"));
  g_assert_cmphex (cd.vendor_id, ==, json_number (decoded, "vendor_id (tag 1)"));
  g_assert_cmpuint (cd.n_product_ids, ==, json_array_get_length (products));
  for (guint i = 0; i < cd.n_product_ids; i++)
    g_assert_cmphex (cd.product_ids[i], ==,
                     g_ascii_strtoull (json_array_get_string_element (products, i), NULL, 0));
  g_assert_cmphex (cd.device_type_id, ==, json_number (decoded, "device_type_id (tag 3)"));
  g_assert_cmpstr (cd.certificate_id, ==,
                   json_object_get_string_member (decoded, "certificate_id (tag 4)"));
  g_assert_cmpuint (cd.security_level, ==, json_number (decoded, "security_level (tag 5)"));
  g_assert_cmpuint (cd.security_information, ==,
                    json_number (decoded, "security_information (tag 6)"));
  g_assert_cmphex (cd.version_number, ==, json_number (decoded, "version_number (tag 7)"));
  g_assert_cmpuint (cd.certification_type, ==,
                    json_number (decoded, "certification_type (tag 8)"));
  g_assert_false (cd.has_dac_origin);
  g_assert_cmpuint (cd.n_authorized_paas, ==, 0);
  g_assert_true (th_certification_declaration_has_product (&cd, 0x8063));
  g_assert_false (th_certification_declaration_has_product (&cd, 0x8064));

  /* A signer set without the test signer cannot vouch for it. */
  {
    g_autoptr(ThCdSigners) empty = th_cd_signers_new ();

    g_assert_false (th_cd_signers_verify (empty, &envelope, NULL, &error));
    g_assert_error (error, TH_ERROR, TH_ERROR_CD_SIGNER_UNKNOWN);
    g_assert_nonnull (strstr (error->message, "62FA823359ACFAA9963E1CFA140ADDF504F37160"));
  }
}

/* Every prefix of the envelope is refused cleanly, and so is every single-byte change that
 * the parser or the signature can notice. */
static void
test_cd_envelope_damage (void)
{
  g_autoptr(GBytes) cms = load_vector_file (EXAMPLE_CD ".der");
  g_autoptr(ThCdSigners) signers = csa_test_signers ();
  const guint8 *data = g_bytes_get_data (cms, NULL);
  gsize len = g_bytes_get_size (cms);
  g_autofree guint8 *copy = g_memdup2 (data, len);

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GError) error = NULL;
      ThCdEnvelope envelope;

      g_assert_false (th_cd_envelope_parse (data, cut, &envelope, &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION);
    }

  /* The profile leaves nothing unchecked: flipping any bit makes the envelope malformed or
   * its signature fail. */
  for (gsize i = 0; i < len; i++)
    {
      g_autoptr(GError) error = NULL;
      ThCdEnvelope envelope;

      copy[i] ^= 0x01;
      if (th_cd_envelope_parse (copy, len, &envelope, &error))
        g_assert_false (th_cd_signers_verify (signers, &envelope, NULL, &error));
      g_assert_nonnull (error);
      copy[i] ^= 0x01;
    }

  {
    g_autoptr(GError) error = NULL;
    g_autofree guint8 *longer = g_malloc (len + 1);
    ThCdEnvelope envelope;

    memcpy (longer, data, len);
    longer[len] = 0;
    g_assert_false (th_cd_envelope_parse (longer, len + 1, &envelope, &error));
    g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION);
  }
}

/* A payload written field by field, with knobs for the malformed variants. */
typedef struct
{
  guint format_version;
  gboolean signed_format_version;
  guint16 vendor_id;
  guint n_product_ids;
  const char *certificate_id;
  guint certification_type;
  gboolean dac_origin_vendor_only;
  gboolean dac_origin;
  guint16 dac_origin_vendor_id;
  guint16 dac_origin_product_id;
  const guint8 *authorized_paa;   /* one key id, or NULL */
  gboolean empty_paa_list;
  gboolean extra_tag;
  gboolean trailing_byte;
  gboolean skip_security_level;
} PayloadSpec;

static const PayloadSpec default_payload = {
  .format_version = 1, .vendor_id = 0xFFF1, .n_product_ids = 1,
  .certificate_id = "CSA00000SWC00000-00", .certification_type = TH_CERTIFICATION_TYPE_OFFICIAL,
};

static GBytes *
build_payload (const PayloadSpec *spec)
{
  g_auto(ThTlvWriter) writer;
  g_autoptr(GBytes) encoded = NULL;
  GByteArray *out;

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  if (spec->signed_format_version)
    th_tlv_writer_put_int (&writer, TH_TLV_CONTEXT (0), spec->format_version);
  else
    th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0), spec->format_version);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (1), spec->vendor_id);
  th_tlv_writer_start_array (&writer, TH_TLV_CONTEXT (2));
  for (guint i = 0; i < spec->n_product_ids; i++)
    th_tlv_writer_put_uint (&writer, TH_TLV_ANONYMOUS, 0x8000 + i);
  th_tlv_writer_end_container (&writer);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (3), 0x0016);
  th_tlv_writer_put_string (&writer, TH_TLV_CONTEXT (4), spec->certificate_id, -1);
  if (!spec->skip_security_level)
    th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (5), 0);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (6), 0);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (7), 1);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (8), spec->certification_type);
  if (spec->dac_origin || spec->dac_origin_vendor_only)
    th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (9), spec->dac_origin_vendor_id);
  if (spec->dac_origin)
    th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (10), spec->dac_origin_product_id);
  if (spec->authorized_paa != NULL || spec->empty_paa_list)
    {
      th_tlv_writer_start_array (&writer, TH_TLV_CONTEXT (11));
      if (spec->authorized_paa != NULL)
        th_tlv_writer_put_bytes (&writer, TH_TLV_ANONYMOUS, spec->authorized_paa,
                                 TH_CD_KEY_ID_LEN);
      th_tlv_writer_end_container (&writer);
    }
  if (spec->extra_tag)
    th_tlv_writer_put_string (&writer, TH_TLV_CONTEXT (12), "later field", -1);
  th_tlv_writer_end_container (&writer);
  encoded = th_tlv_writer_finish (&writer);

  out = g_byte_array_new ();
  g_byte_array_append (out, g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded));
  if (spec->trailing_byte)
    g_byte_array_append (out, (const guint8 *) "\x04\x01", 2);
  return g_byte_array_free_to_bytes (out);
}

static gboolean
decode_spec (const PayloadSpec          *spec,
             ThCertificationDeclaration *cd,
             GError                    **error)
{
  g_autoptr(GBytes) payload = build_payload (spec);

  return th_certification_declaration_decode (g_bytes_get_data (payload, NULL),
                                              g_bytes_get_size (payload), cd, error);
}

static void
test_cd_payload (void)
{
  static const guint8 paa_key_id[TH_CD_KEY_ID_LEN] = { 0x6A, 0xFD, 0x22, 0x77 };
  ThCertificationDeclaration cd;
  PayloadSpec spec;
  g_autoptr(GError) error = NULL;

  /* Accepted: the defaults, a signed format version, the optional fields, a later tag. */
  spec = default_payload;
  spec.signed_format_version = TRUE;
  spec.dac_origin = TRUE;
  spec.dac_origin_vendor_id = 0xFFF2;
  spec.dac_origin_product_id = 0x8001;
  spec.authorized_paa = paa_key_id;
  spec.extra_tag = TRUE;
  spec.n_product_ids = TH_CD_MAX_PRODUCT_IDS;
  decode_spec (&spec, &cd, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cd.n_product_ids, ==, TH_CD_MAX_PRODUCT_IDS);
  g_assert_true (cd.has_dac_origin);
  g_assert_cmphex (cd.dac_origin_vendor_id, ==, 0xFFF2);
  g_assert_cmphex (cd.dac_origin_product_id, ==, 0x8001);
  g_assert_cmpuint (cd.n_authorized_paas, ==, 1);
  g_assert_true (th_certification_declaration_authorizes_paa (&cd, paa_key_id));
  g_assert_cmpint (cd.certification_type, ==, TH_CERTIFICATION_TYPE_OFFICIAL);

  /* Refused, each with a message naming what is wrong. */
  {
    const struct
    {
      const char *what;
      PayloadSpec spec;
    } bad[] = {
      { "format version", { .format_version = 2, .vendor_id = 1, .n_product_ids = 1,
                            .certificate_id = "CSA00000SWC00000-00" } },
      { "product IDs", { .format_version = 1, .vendor_id = 1, .n_product_ids = 0,
                         .certificate_id = "CSA00000SWC00000-00" } },
      { "product IDs", { .format_version = 1, .vendor_id = 1,
                         .n_product_ids = TH_CD_MAX_PRODUCT_IDS + 1,
                         .certificate_id = "CSA00000SWC00000-00" } },
      { "certificate_id", { .format_version = 1, .vendor_id = 1, .n_product_ids = 1,
                            .certificate_id = "too short" } },
      { "certification_type", { .format_version = 1, .vendor_id = 1, .n_product_ids = 1,
                                .certificate_id = "CSA00000SWC00000-00",
                                .certification_type = 3 } },
      { "dac_origin_product_id", { .format_version = 1, .vendor_id = 1, .n_product_ids = 1,
                                   .certificate_id = "CSA00000SWC00000-00",
                                   .dac_origin_vendor_only = TRUE } },
      { "authorized_paa_list", { .format_version = 1, .vendor_id = 1, .n_product_ids = 1,
                                 .certificate_id = "CSA00000SWC00000-00",
                                 .empty_paa_list = TRUE } },
      { "after its end", { .format_version = 1, .vendor_id = 1, .n_product_ids = 1,
                           .certificate_id = "CSA00000SWC00000-00", .trailing_byte = TRUE } },
      { "security_level", { .format_version = 1, .vendor_id = 1, .n_product_ids = 1,
                            .certificate_id = "CSA00000SWC00000-00",
                            .skip_security_level = TRUE } },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GError) bad_error = NULL;

        g_assert_false (decode_spec (&bad[i].spec, &cd, &bad_error));
        g_assert_error (bad_error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION);
        g_test_message ("%s: %s", bad[i].what, bad_error->message);
        if (strstr (bad_error->message, bad[i].what) == NULL &&
            strstr (bad_error->message, "version") == NULL &&
            strstr (bad_error->message, "product ID") == NULL &&
            strstr (bad_error->message, "maximum") == NULL)
          g_error ("the message does not name %s: %s", bad[i].what, bad_error->message);
      }
  }

  /* A payload cut anywhere is refused. */
  {
    g_autoptr(GBytes) payload = build_payload (&default_payload);

    for (gsize cut = 0; cut < g_bytes_get_size (payload); cut++)
      {
        g_autoptr(GError) cut_error = NULL;

        g_assert_false (th_certification_declaration_decode (g_bytes_get_data (payload, NULL),
                                                             cut, &cd, &cut_error));
        g_assert_error (cut_error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION);
      }
  }
}

/* ---- A test PKI made with OpenSSL ---- */

static EVP_PKEY *
generate_key (void)
{
  EVP_PKEY *key = EVP_EC_gen ("P-256");

  g_assert_nonnull (key);
  return key;
}

typedef struct
{
  const char *common_name;
  const char *vendor_id;   /* four hex digits, or NULL */
  const char *product_id;
  const char *basic_constraints;
  const char *key_usage;
  gint64 not_before;
  gint64 not_after;
  long serial;
} CertSpec;

static void
add_extension (X509       *cert,
               X509V3_CTX *ctx,
               int         nid,
               const char *value)
{
  X509_EXTENSION *extension = X509V3_EXT_nconf_nid (NULL, ctx, nid, value);

  g_assert_nonnull (extension);
  g_assert_cmpint (X509_add_ext (cert, extension, -1), ==, 1);
  X509_EXTENSION_free (extension);
}

/* Self-signed when `issuer` is NULL. */
static X509 *
make_certificate (const CertSpec *spec,
                  EVP_PKEY       *key,
                  X509           *issuer,
                  EVP_PKEY       *issuer_key)
{
  X509 *cert = X509_new ();
  X509_NAME *name = X509_get_subject_name (cert);
  X509V3_CTX ctx;

  g_assert_cmpint (X509_set_version (cert, X509_VERSION_3), ==, 1);
  ASN1_INTEGER_set (X509_get_serialNumber (cert), spec->serial);
  X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_UTF8,
                              (const unsigned char *) spec->common_name, -1, -1, 0);
  if (spec->vendor_id != NULL)
    X509_NAME_add_entry_by_txt (name, "1.3.6.1.4.1.37244.2.1", MBSTRING_UTF8,
                                (const unsigned char *) spec->vendor_id, -1, -1, 0);
  if (spec->product_id != NULL)
    X509_NAME_add_entry_by_txt (name, "1.3.6.1.4.1.37244.2.2", MBSTRING_UTF8,
                                (const unsigned char *) spec->product_id, -1, -1, 0);
  X509_set_issuer_name (cert, issuer != NULL ? X509_get_subject_name (issuer) : name);
  ASN1_TIME_set (X509_getm_notBefore (cert), (time_t) spec->not_before);
  ASN1_TIME_set (X509_getm_notAfter (cert), (time_t) spec->not_after);
  X509_set_pubkey (cert, key);

  X509V3_set_ctx (&ctx, issuer != NULL ? issuer : cert, cert, NULL, NULL, 0);
  add_extension (cert, &ctx, NID_basic_constraints, spec->basic_constraints);
  add_extension (cert, &ctx, NID_key_usage, spec->key_usage);
  add_extension (cert, &ctx, NID_subject_key_identifier, "hash");
  add_extension (cert, &ctx, NID_authority_key_identifier, "keyid:always");

  g_assert_cmpint (X509_sign (cert, issuer_key != NULL ? issuer_key : key, EVP_sha256()), >, 0);
  return cert;
}

/* CMS SignedData as Matter profiles it, made by OpenSSL's CMS code: signer by key id, no
 * certificates, no signed attributes unless asked for. */
static GBytes *
cms_sign (GBytes   *payload,
          X509     *signer,
          EVP_PKEY *signer_key,
          gboolean  signed_attributes)
{
  g_autoptr(BIO) in = BIO_new_mem_buf (g_bytes_get_data (payload, NULL),
                                       (int) g_bytes_get_size (payload));
  g_autoptr(CMS_ContentInfo) cms = CMS_sign (NULL, NULL, NULL, NULL,
                                             CMS_PARTIAL | CMS_BINARY);
  unsigned int flags = CMS_NOCERTS | CMS_USE_KEYID | CMS_BINARY;
  unsigned char *der = NULL;
  GBytes *bytes;
  int len;

  if (!signed_attributes)
    flags |= CMS_NOATTR;
  g_assert_nonnull (cms);
  g_assert_nonnull (CMS_add1_signer (cms, signer, signer_key, EVP_sha256 (), flags));
  g_assert_cmpint (CMS_final (cms, in, NULL, CMS_BINARY), ==, 1);
  len = i2d_CMS_ContentInfo (cms, &der);
  g_assert_cmpint (len, >, 0);
  bytes = g_bytes_new (der, (gsize) len);
  OPENSSL_free (der);
  return bytes;
}

typedef struct
{
  gint64 now;
  EVP_PKEY *paa_key, *pai_key, *dac_key, *cd_key;
  X509 *paa, *pai, *dac, *cd_signer;
  ThP256Key *dac_signing_key;
  ThPaaStore *store;
  ThCdSigners *signers;
} Pki;

static CertSpec
paa_spec (gint64 now)
{
  return (CertSpec) { "Threshold Test PAA", "FFF1", NULL, "critical,CA:TRUE,pathlen:1",
                      "critical,keyCertSign,cRLSign", now - DAY, now + 3650 * DAY, 1 };
}

static CertSpec
pai_spec (gint64 now)
{
  return (CertSpec) { "Threshold Test PAI", "FFF1", "8000", "critical,CA:TRUE,pathlen:0",
                      "critical,keyCertSign,cRLSign", now - DAY, now + 3650 * DAY, 2 };
}

static CertSpec
dac_spec (gint64 now)
{
  return (CertSpec) { "Threshold Test DAC", "FFF1", "8000", "critical,CA:FALSE",
                      "critical,digitalSignature", now - DAY / 2, now + 3650 * DAY, 0x1234567 };
}

static void
pki_init (Pki *pki)
{
  CertSpec paa = paa_spec (0), pai, dac;
  CertSpec signer = { "Threshold Test CD Signer", NULL, NULL, "critical,CA:FALSE",
                      "critical,digitalSignature", 0, 0, 7 };
  g_autoptr(GBytes) paa_der = NULL;
  g_autoptr(GBytes) signer_der = NULL;
  g_autoptr(GError) error = NULL;

  memset (pki, 0, sizeof *pki);
  pki->now = g_get_real_time () / G_USEC_PER_SEC;
  paa = paa_spec (pki->now);
  pai = pai_spec (pki->now);
  dac = dac_spec (pki->now);
  signer.not_before = pki->now - DAY;
  signer.not_after = pki->now + 3650 * DAY;

  pki->paa_key = generate_key ();
  pki->pai_key = generate_key ();
  pki->dac_key = generate_key ();
  pki->cd_key = generate_key ();
  pki->paa = make_certificate (&paa, pki->paa_key, NULL, NULL);
  pki->pai = make_certificate (&pai, pki->pai_key, pki->paa, pki->paa_key);
  pki->dac = make_certificate (&dac, pki->dac_key, pki->pai, pki->pai_key);
  pki->cd_signer = make_certificate (&signer, pki->cd_key, NULL, NULL);
  pki->dac_signing_key = th_p256_key_new_from_evp_pkey (pki->dac_key, &error);
  g_assert_no_error (error);

  pki->store = th_paa_store_new ();
  paa_der = x509_to_der (pki->paa);
  th_paa_store_add_data (pki->store, g_bytes_get_data (paa_der, NULL),
                         g_bytes_get_size (paa_der), &error);
  g_assert_no_error (error);
  pki->signers = th_cd_signers_new ();
  signer_der = x509_to_der (pki->cd_signer);
  th_cd_signers_add_data (pki->signers, g_bytes_get_data (signer_der, NULL),
                          g_bytes_get_size (signer_der), FALSE, &error);
  g_assert_no_error (error);
}

static void
pki_clear (Pki *pki)
{
  g_clear_pointer (&pki->paa_key, EVP_PKEY_free);
  g_clear_pointer (&pki->pai_key, EVP_PKEY_free);
  g_clear_pointer (&pki->dac_key, EVP_PKEY_free);
  g_clear_pointer (&pki->cd_key, EVP_PKEY_free);
  g_clear_pointer (&pki->paa, X509_free);
  g_clear_pointer (&pki->pai, X509_free);
  g_clear_pointer (&pki->dac, X509_free);
  g_clear_pointer (&pki->cd_signer, X509_free);
  g_clear_pointer (&pki->dac_signing_key, th_p256_key_unref);
  g_clear_pointer (&pki->store, th_paa_store_unref);
  g_clear_pointer (&pki->signers, th_cd_signers_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Pki, pki_clear)

static GBytes *
pki_cd (Pki               *pki,
        const PayloadSpec *spec)
{
  g_autoptr(GBytes) payload = build_payload (spec);

  return cms_sign (payload, pki->cd_signer, pki->cd_key, FALSE);
}

/* Verifies the exchange built from these parts; NULL parts are the PKI's. */
static ThAttestationResult *
pki_verify_with (Pki             *pki,
                 X509            *dac,
                 X509            *pai,
                 gboolean         no_pai,
                 GBytes          *cd,
                 ThPaaStore      *store,
                 ThRevocationSet *revocations)
{
  g_autoptr(GBytes) dac_der = x509_to_der (dac != NULL ? dac : pki->dac);
  g_autoptr(GBytes) pai_der = no_pai ? NULL : x509_to_der (pai != NULL ? pai : pki->pai);
  g_autoptr(GBytes) default_cd = cd == NULL ? pki_cd (pki, &default_payload) : NULL;
  g_auto(Exchange) exchange = { 0 };

  exchange_init (&exchange, dac_der, pai_der, cd != NULL ? cd : default_cd,
                 pki->dac_signing_key, pki->now);
  exchange.info.vendor_id = 0xFFF1;
  exchange.info.product_id = 0x8000;
  return th_attestation_verify (store != NULL ? store : pki->store, pki->signers, revocations,
                                &exchange.info);
}

static ThAttestationResult *
pki_verify (Pki *pki)
{
  return pki_verify_with (pki, NULL, NULL, FALSE, NULL, NULL, NULL);
}

static void
test_pki_valid (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(ThAttestationResult) result = NULL;

  pki_init (&pki);
  result = pki_verify (&pki);
  ASSERT_TRUSTED (result);
  g_assert_cmpuint (th_attestation_result_get_n_findings (result), ==, 0);
}

static void
test_pki_expired_dac (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(ThAttestationResult) result = NULL;
  g_autoptr(X509) dac = NULL;
  CertSpec spec;

  pki_init (&pki);
  spec = dac_spec (pki.now);
  spec.not_before = pki.now - 30 * DAY;
  spec.not_after = pki.now - 2 * DAY;
  /* Issued before the PAI's validity began too: both findings, each on its own. */
  dac = make_certificate (&spec, pki.dac_key, pki.pai, pki.pai_key);
  result = pki_verify_with (&pki, dac, NULL, FALSE, NULL, NULL, NULL);
  ASSERT_FAILURES (result, TH_ATTESTATION_DAC_EXPIRED, TH_ATTESTATION_ISSUED_OUTSIDE_VALIDITY);
  g_assert_nonnull (strstr (th_attestation_result_get_finding (result, 0)->message,
                            "expired on"));
}

static void
test_pki_dac_not_yet_valid (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(ThAttestationResult) result = NULL;
  g_autoptr(X509) dac = NULL;
  CertSpec spec;

  pki_init (&pki);
  spec = dac_spec (pki.now);
  spec.not_before = pki.now + 2 * DAY;
  dac = make_certificate (&spec, pki.dac_key, pki.pai, pki.pai_key);
  result = pki_verify_with (&pki, dac, NULL, FALSE, NULL, NULL, NULL);
  ASSERT_FAILURES (result, TH_ATTESTATION_DAC_NOT_YET_VALID);
}

static void
test_pki_wrong_vendor_id (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(ThAttestationResult) result = NULL;
  g_autoptr(X509) dac = NULL;
  CertSpec spec;

  pki_init (&pki);
  spec = dac_spec (pki.now);
  spec.vendor_id = "FFF2";
  dac = make_certificate (&spec, pki.dac_key, pki.pai, pki.pai_key);
  result = pki_verify_with (&pki, dac, NULL, FALSE, NULL, NULL, NULL);
  /* The DAC disagrees with its PAI, and so with the CD, which agrees with the PAI. */
  ASSERT_FAILURES (result, TH_ATTESTATION_DAC_VENDOR_ID_MISMATCH,
                   TH_ATTESTATION_CD_VENDOR_ID_MISMATCH);
  g_assert_nonnull (strstr (th_attestation_result_get_finding (result, 0)->message,
                            "0xFFF2"));
}

static void
test_pki_wrong_product_id (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(ThAttestationResult) result = NULL;
  g_autoptr(X509) dac = NULL;
  CertSpec spec;

  pki_init (&pki);
  spec = dac_spec (pki.now);
  spec.product_id = "8001";
  dac = make_certificate (&spec, pki.dac_key, pki.pai, pki.pai_key);
  result = pki_verify_with (&pki, dac, NULL, FALSE, NULL, NULL, NULL);
  ASSERT_FAILURES (result, TH_ATTESTATION_DAC_PRODUCT_ID_MISMATCH,
                   TH_ATTESTATION_CD_PRODUCT_ID_MISMATCH);
}

static void
test_pki_paa_vendor_id (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(ThAttestationResult) result = NULL;
  g_autoptr(X509) pai = NULL;
  g_autoptr(X509) dac = NULL;
  CertSpec pai_cert = pai_spec (0), dac_cert = dac_spec (0);

  pki_init (&pki);
  pai_cert = pai_spec (pki.now);
  dac_cert = dac_spec (pki.now);
  pai_cert.vendor_id = dac_cert.vendor_id = "FFF2";
  pai = make_certificate (&pai_cert, pki.pai_key, pki.paa, pki.paa_key);
  dac = make_certificate (&dac_cert, pki.dac_key, pai, pki.pai_key);
  result = pki_verify_with (&pki, dac, pai, FALSE, NULL, NULL, NULL);
  ASSERT_FAILURES (result, TH_ATTESTATION_PAI_VENDOR_ID_MISMATCH,
                   TH_ATTESTATION_CD_VENDOR_ID_MISMATCH);
}

static void
test_pki_dac_profile (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(ThAttestationResult) result = NULL;
  g_autoptr(X509) dac = NULL;
  CertSpec spec;

  pki_init (&pki);
  spec = dac_spec (pki.now);
  spec.key_usage = "critical,digitalSignature,keyEncipherment";
  dac = make_certificate (&spec, pki.dac_key, pki.pai, pki.pai_key);
  result = pki_verify_with (&pki, dac, NULL, FALSE, NULL, NULL, NULL);
  ASSERT_FAILURES (result, TH_ATTESTATION_DAC_PROFILE);
}

static void
test_pki_bad_cd_signature (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(ThAttestationResult) result = NULL;
  g_autoptr(GBytes) cd = NULL;
  g_autoptr(GBytes) tampered = NULL;
  ThCdEnvelope envelope;
  guint8 *data;
  gsize len;

  pki_init (&pki);
  cd = pki_cd (&pki, &default_payload);
  data = g_bytes_unref_to_data (g_steal_pointer (&cd), &len);
  /* Change the last byte of s: the signature stays well-formed but no longer matches. */
  g_assert_true (th_cd_envelope_parse (data, len, &envelope, NULL));
  data[envelope.signature - data + envelope.signature_len - 1] ^= 0x55;
  tampered = g_bytes_new_take (data, len);

  result = pki_verify_with (&pki, NULL, NULL, FALSE, tampered, NULL, NULL);
  ASSERT_FAILURES (result, TH_ATTESTATION_CD_SIGNATURE_INVALID);
  /* The payload is still reported. */
  g_assert_nonnull (th_attestation_result_get_certification_declaration (result));
}

static void
test_pki_unknown_cd_signer (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(ThAttestationResult) result = NULL;
  g_autoptr(EVP_PKEY) other_key = generate_key ();
  g_autoptr(X509) other = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GBytes) cd = NULL;
  CertSpec spec = { "Unknown CD Signer", NULL, NULL, "critical,CA:FALSE",
                    "critical,digitalSignature", 0, 0, 9 };

  pki_init (&pki);
  spec.not_before = pki.now - DAY;
  spec.not_after = pki.now + DAY;
  other = make_certificate (&spec, other_key, NULL, NULL);
  payload = build_payload (&default_payload);
  cd = cms_sign (payload, other, other_key, FALSE);
  result = pki_verify_with (&pki, NULL, NULL, FALSE, cd, NULL, NULL);
  ASSERT_FAILURES (result, TH_ATTESTATION_CD_SIGNER_UNKNOWN);
}

/* connectedhomeip's and matter.js's test CD signer: fine for development CDs, not for
 * certified ones. */
static void
test_pki_test_cd_signer (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(GBytes) signer_der = load_vector_file (TEST_CD_SIGNER);
  g_autoptr(GBytes) signer_pem = load_vector_file (TEST_CD_SIGNER_KEY);
  g_autoptr(EVP_PKEY) signer_key = pem_private_key (signer_pem);
  const unsigned char *p = g_bytes_get_data (signer_der, NULL);
  g_autoptr(X509) signer = d2i_X509 (NULL, &p, (long) g_bytes_get_size (signer_der));
  g_autoptr(ThCdSigners) signers = csa_test_signers ();
  PayloadSpec spec = default_payload;

  pki_init (&pki);
  th_cd_signers_unref (pki.signers);
  pki.signers = th_cd_signers_ref (signers);

  {
    g_autoptr(GBytes) payload = build_payload (&spec);
    g_autoptr(GBytes) cd = cms_sign (payload, signer, signer_key, FALSE);
    g_autoptr(ThAttestationResult) result = pki_verify_with (&pki, NULL, NULL, FALSE, cd, NULL,
                                                             NULL);

    ASSERT_FAILURES (result, TH_ATTESTATION_CD_TEST_SIGNER);
  }

  spec.certification_type = TH_CERTIFICATION_TYPE_DEVELOPMENT;
  {
    g_autoptr(GBytes) payload = build_payload (&spec);
    g_autoptr(GBytes) cd = cms_sign (payload, signer, signer_key, FALSE);
    g_autoptr(ThAttestationResult) result = pki_verify_with (&pki, NULL, NULL, FALSE, cd, NULL,
                                                             NULL);

    ASSERT_TRUSTED (result);
    g_assert_true (th_attestation_result_has_finding (result, TH_ATTESTATION_CD_DEVELOPMENT));
  }

  /* Signed attributes are outside Matter's profile. */
  {
    g_autoptr(GBytes) payload = build_payload (&spec);
    g_autoptr(GBytes) cd = cms_sign (payload, signer, signer_key, TRUE);
    g_autoptr(ThAttestationResult) result = pki_verify_with (&pki, NULL, NULL, FALSE, cd, NULL,
                                                             NULL);

    ASSERT_FAILURES (result, TH_ATTESTATION_CD_MALFORMED);
    g_assert_nonnull (strstr (th_attestation_result_get_finding (result, 0)->message,
                              "signed attributes"));
  }
}

static void
test_pki_provisional_cd (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(ThAttestationResult) result = NULL;
  g_autoptr(GBytes) cd = NULL;
  PayloadSpec spec = default_payload;

  pki_init (&pki);
  spec.certification_type = TH_CERTIFICATION_TYPE_PROVISIONAL;
  cd = pki_cd (&pki, &spec);
  result = pki_verify_with (&pki, NULL, NULL, FALSE, cd, NULL, NULL);
  ASSERT_TRUSTED (result);
  g_assert_true (th_attestation_result_has_finding (result, TH_ATTESTATION_CD_PROVISIONAL));
}

static void
test_pki_cd_dac_origin_and_paa_list (void)
{
  g_auto(Pki) pki = { 0 };
  const guint8 *paa_key_id;
  static const guint8 other_key_id[TH_CD_KEY_ID_LEN] = { 1, 2, 3 };
  PayloadSpec spec = default_payload;

  pki_init (&pki);
  paa_key_id = ASN1_STRING_get0_data (X509_get0_subject_key_id (pki.paa));

  /* A CD of another vendor that names this DAC's origin, and authorizes this PAA. */
  spec.vendor_id = 0x1234;
  spec.dac_origin = TRUE;
  spec.dac_origin_vendor_id = 0xFFF1;
  spec.dac_origin_product_id = 0x8000;
  spec.authorized_paa = paa_key_id;
  {
    g_autoptr(GBytes) cd = pki_cd (&pki, &spec);
    g_autoptr(GBytes) dac_der = x509_to_der (pki.dac);
    g_autoptr(GBytes) pai_der = x509_to_der (pki.pai);
    g_autoptr(ThAttestationResult) result = NULL;
    g_auto(Exchange) exchange = { 0 };

    exchange_init (&exchange, dac_der, pai_der, cd, pki.dac_signing_key, pki.now);
    exchange.info.vendor_id = 0x1234;
    result = th_attestation_verify (pki.store, pki.signers, NULL, &exchange.info);
    ASSERT_TRUSTED (result);
  }

  spec.dac_origin_product_id = 0x8001;
  spec.authorized_paa = other_key_id;
  {
    g_autoptr(GBytes) cd = pki_cd (&pki, &spec);
    g_autoptr(ThAttestationResult) result = pki_verify_with (&pki, NULL, NULL, FALSE, cd, NULL,
                                                             NULL);

    /* The payload's vendor (0xFFF1) is not the CD's either. */
    ASSERT_FAILURES (result, TH_ATTESTATION_CD_PRODUCT_ID_MISMATCH,
                     TH_ATTESTATION_CD_PAA_NOT_AUTHORIZED, TH_ATTESTATION_CD_VENDOR_ID_MISMATCH);
  }
}

static void
test_pki_payload_ids (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(GBytes) cd = NULL;
  g_autoptr(GBytes) dac_der = NULL;
  g_autoptr(GBytes) pai_der = NULL;
  g_autoptr(ThAttestationResult) result = NULL;
  g_auto(Exchange) exchange = { 0 };

  pki_init (&pki);
  cd = pki_cd (&pki, &default_payload);
  dac_der = x509_to_der (pki.dac);
  pai_der = x509_to_der (pki.pai);
  exchange_init (&exchange, dac_der, pai_der, cd, pki.dac_signing_key, pki.now);
  exchange.info.vendor_id = 0x1001;
  exchange.info.product_id = 0x9000;
  result = th_attestation_verify (pki.store, pki.signers, NULL, &exchange.info);
  ASSERT_FAILURES (result, TH_ATTESTATION_CD_VENDOR_ID_MISMATCH,
                   TH_ATTESTATION_CD_PRODUCT_ID_MISMATCH);
  g_assert_nonnull (strstr (th_attestation_result_get_finding (result, 0)->message,
                            "(0xFFF1) does not match the device’s (0x1001)"));
}

static void
test_pki_missing_pai (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(ThAttestationResult) result = NULL;

  pki_init (&pki);
  result = pki_verify_with (&pki, NULL, NULL, TRUE, NULL, NULL, NULL);
  ASSERT_FAILURES (result, TH_ATTESTATION_PAI_MISSING);
}

/* The device sends a PAI of the right manufacturer that did not issue its DAC. */
static void
test_pki_unknown_issuer (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(ThAttestationResult) result = NULL;
  g_autoptr(EVP_PKEY) other_key = generate_key ();
  g_autoptr(X509) other_pai = NULL;
  CertSpec spec;

  pki_init (&pki);
  spec = pai_spec (pki.now);
  spec.common_name = "Another PAI";
  other_pai = make_certificate (&spec, other_key, pki.paa, pki.paa_key);
  result = pki_verify_with (&pki, NULL, other_pai, FALSE, NULL, NULL, NULL);
  ASSERT_FAILURES (result, TH_ATTESTATION_DAC_CHAIN_INVALID);
  g_assert_cmpuint (th_attestation_result_get_n_findings (result), ==, 2);
}

static void
test_pki_wrong_attestation_signature (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(GBytes) cd = NULL;
  g_autoptr(GBytes) dac_der = NULL;
  g_autoptr(GBytes) pai_der = NULL;
  g_autoptr(ThP256Key) other_key = th_p256_key_generate (NULL);
  g_auto(Exchange) exchange = { 0 };

  pki_init (&pki);
  cd = pki_cd (&pki, &default_payload);
  dac_der = x509_to_der (pki.dac);
  pai_der = x509_to_der (pki.pai);

  /* Signed by another key. */
  exchange_init (&exchange, dac_der, pai_der, cd, other_key, pki.now);
  {
    g_autoptr(ThAttestationResult) result = th_attestation_verify (pki.store, pki.signers, NULL,
                                                                   &exchange.info);

    ASSERT_FAILURES (result, TH_ATTESTATION_SIGNATURE_INVALID);
  }
  exchange_clear (&exchange);

  /* Signed by the DAC key over another session's challenge. */
  exchange_init (&exchange, dac_der, pai_der, cd, pki.dac_signing_key, pki.now);
  exchange.challenge[0] ^= 1;
  g_bytes_unref (exchange.info.attestation_challenge);
  exchange.info.attestation_challenge = g_bytes_new (exchange.challenge,
                                                     sizeof exchange.challenge);
  {
    g_autoptr(ThAttestationResult) result = th_attestation_verify (pki.store, pki.signers, NULL,
                                                                   &exchange.info);

    ASSERT_FAILURES (result, TH_ATTESTATION_SIGNATURE_INVALID);
  }
  exchange_clear (&exchange);

  /* Not even 64 bytes. */
  exchange_init (&exchange, dac_der, pai_der, cd, pki.dac_signing_key, pki.now);
  g_bytes_unref (exchange.info.attestation_signature);
  exchange.info.attestation_signature = g_bytes_new (exchange.nonce, 32);
  {
    g_autoptr(ThAttestationResult) result = th_attestation_verify (pki.store, pki.signers, NULL,
                                                                   &exchange.info);

    ASSERT_FAILURES (result, TH_ATTESTATION_SIGNATURE_INVALID);
  }
}

static void
test_pki_wrong_nonce (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(GBytes) cd = NULL;
  g_autoptr(GBytes) dac_der = NULL;
  g_autoptr(GBytes) pai_der = NULL;
  g_autoptr(ThAttestationResult) result = NULL;
  g_auto(Exchange) exchange = { 0 };

  pki_init (&pki);
  cd = pki_cd (&pki, &default_payload);
  dac_der = x509_to_der (pki.dac);
  pai_der = x509_to_der (pki.pai);
  exchange_init (&exchange, dac_der, pai_der, cd, pki.dac_signing_key, pki.now);
  /* The commissioner sent another nonce than the one the device signed. */
  exchange.nonce[31] ^= 0x80;
  g_bytes_unref (exchange.info.nonce);
  exchange.info.nonce = g_bytes_new (exchange.nonce, sizeof exchange.nonce);
  result = th_attestation_verify (pki.store, pki.signers, NULL, &exchange.info);
  ASSERT_FAILURES (result, TH_ATTESTATION_NONCE_MISMATCH);
}

static void
test_pki_malformed_elements (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(GBytes) cd = NULL;
  g_autoptr(GBytes) dac_der = NULL;
  g_autoptr(GBytes) pai_der = NULL;
  g_auto(Exchange) exchange = { 0 };
  gsize len;

  pki_init (&pki);
  cd = pki_cd (&pki, &default_payload);
  dac_der = x509_to_der (pki.dac);
  pai_der = x509_to_der (pki.pai);
  exchange_init (&exchange, dac_der, pai_der, cd, pki.dac_signing_key, pki.now);
  len = g_bytes_get_size (exchange.info.attestation_elements);

  /* Every truncation of correctly signed elements is reported, never trusted. */
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GBytes) elements = g_bytes_new_from_bytes (exchange.info.attestation_elements,
                                                           0, cut);
      g_autoptr(GBytes) signature = sign_elements (pki.dac_signing_key, elements,
                                                   exchange.info.attestation_challenge);
      GBytes *saved_elements = exchange.info.attestation_elements;
      GBytes *saved_signature = exchange.info.attestation_signature;
      g_autoptr(ThAttestationResult) result = NULL;

      exchange.info.attestation_elements = elements;
      exchange.info.attestation_signature = signature;
      result = th_attestation_verify (pki.store, pki.signers, NULL, &exchange.info);
      exchange.info.attestation_elements = saved_elements;
      exchange.info.attestation_signature = saved_signature;
      g_assert_false (th_attestation_result_is_trusted (result));
      g_assert_true (th_attestation_result_has_finding (result,
                                                        TH_ATTESTATION_ELEMENTS_MALFORMED));
    }
}

static void
test_pki_empty_trust_store (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(ThPaaStore) empty = th_paa_store_new ();
  g_autoptr(ThAttestationResult) result = NULL;

  pki_init (&pki);
  result = pki_verify_with (&pki, NULL, NULL, FALSE, NULL, empty, NULL);
  ASSERT_FAILURES (result, TH_ATTESTATION_TRUST_STORE_EMPTY, TH_ATTESTATION_PAA_NOT_FOUND);
  g_assert_cmpuint (th_attestation_result_get_n_findings (result), ==, 2);
}

static void
test_pki_untrusted_paa (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(EVP_PKEY) other_key = generate_key ();
  g_autoptr(X509) other_paa = NULL;
  g_autoptr(GBytes) other_der = NULL;
  g_autoptr(ThPaaStore) store = th_paa_store_new ();
  g_autoptr(ThAttestationResult) result = NULL;
  CertSpec spec;

  pki_init (&pki);
  spec = paa_spec (pki.now);
  spec.common_name = "Another PAA";
  other_paa = make_certificate (&spec, other_key, NULL, NULL);
  other_der = x509_to_der (other_paa);
  g_assert_true (th_paa_store_add_data (store, g_bytes_get_data (other_der, NULL),
                                        g_bytes_get_size (other_der), NULL));
  result = pki_verify_with (&pki, NULL, NULL, FALSE, NULL, store, NULL);
  ASSERT_FAILURES (result, TH_ATTESTATION_PAA_NOT_FOUND);
  g_assert_nonnull (strstr (th_attestation_result_get_finding (result, 0)->message,
                            "Threshold Test PAA"));

  /* A PAA with the right name but another key is found, and the PAI does not verify. */
  {
    g_autoptr(X509) impostor = NULL;
    g_autoptr(GBytes) impostor_der = NULL;
    g_autoptr(ThPaaStore) impostor_store = th_paa_store_new ();
    g_autoptr(ThAttestationResult) impostor_result = NULL;

    spec = paa_spec (pki.now);
    impostor = make_certificate (&spec, other_key, NULL, NULL);
    impostor_der = x509_to_der (impostor);
    g_assert_true (th_paa_store_add_data (impostor_store, g_bytes_get_data (impostor_der, NULL),
                                          g_bytes_get_size (impostor_der), NULL));
    impostor_result = pki_verify_with (&pki, NULL, NULL, FALSE, NULL, impostor_store, NULL);
    ASSERT_FAILURES (impostor_result, TH_ATTESTATION_PAI_CHAIN_INVALID);
  }
}

static void
test_pki_stale_trust_store (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(GBytes) cd = NULL;
  g_autoptr(GBytes) dac_der = NULL;
  g_autoptr(GBytes) pai_der = NULL;
  g_autoptr(ThAttestationResult) result = NULL;
  g_auto(Exchange) exchange = { 0 };

  pki_init (&pki);
  cd = pki_cd (&pki, &default_payload);
  dac_der = x509_to_der (pki.dac);
  pai_der = x509_to_der (pki.pai);
  exchange_init (&exchange, dac_der, pai_der, cd, pki.dac_signing_key,
                 pki.now + (TH_PAA_STORE_STALE_AFTER_DAYS + 10) * DAY);
  result = th_attestation_verify (pki.store, pki.signers, NULL, &exchange.info);
  ASSERT_TRUSTED (result);
  g_assert_true (th_attestation_result_has_finding (result, TH_ATTESTATION_TRUST_STORE_STALE));
}

static void
test_pki_revoked (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(ThRevocationSet) revocations = th_revocation_set_new ();
  g_autoptr(GError) error = NULL;
  const ASN1_OCTET_STRING *pai_key_id;
  g_autofree char *lower_hex = NULL;
  g_autofree char *key_id_hex = NULL;
  g_autofree char *issuer_name = NULL;
  g_autofree char *json = NULL;
  g_autofree unsigned char *name_der = NULL;
  int name_len;

  pki_init (&pki);
  pai_key_id = X509_get0_subject_key_id (pki.pai);
  lower_hex = th_test_bytes_to_hex (ASN1_STRING_get0_data (pai_key_id), 20);
  key_id_hex = g_ascii_strup (lower_hex, -1);
  name_len = i2d_X509_NAME (X509_get_subject_name (pki.pai), NULL);
  {
    unsigned char *p = name_der = g_malloc ((gsize) name_len);

    i2d_X509_NAME (X509_get_subject_name (pki.pai), &p);
  }
  issuer_name = g_base64_encode (name_der, (gsize) name_len);

  /* Another serial of the same issuer, and the DAC's serial under another issuer: neither
   * revokes the DAC. */
  json = g_strdup_printf ("[ { \"type\": \"revocation_set\", \"issuer_subject_key_id\": \"%s\","
                          "    \"issuer_name\": \"%s\", \"revoked_serial_numbers\": [\"0A\"] },"
                          "  { \"type\": \"revocation_set\", \"issuer_subject_key_id\": \"%s\","
                          "    \"revoked_serial_numbers\": [\"01234567\"] },"
                          "  { \"type\": \"something_else\" } ]",
                          key_id_hex, issuer_name, "00112233445566778899AABBCCDDEEFF00112233");
  th_revocation_set_load_json (revocations, json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (th_revocation_set_get_size (revocations), ==, 2);
  {
    g_autoptr(ThAttestationResult) result = pki_verify_with (&pki, NULL, NULL, FALSE, NULL, NULL,
                                                             revocations);

    ASSERT_TRUSTED (result);
  }

  /* The DAC's serial (0x1234567, written with a leading zero byte) under its PAI. */
  g_clear_pointer (&json, g_free);
  json = g_strdup_printf ("[ { \"type\": \"revocation_set\", \"issuer_subject_key_id\": \"%s\","
                          "    \"issuer_name\": \"%s\", \"revoked_serial_numbers\": "
                          "[\"0001234567\"] } ]",
                          key_id_hex, issuer_name);
  th_revocation_set_load_json (revocations, json, -1, &error);
  g_assert_no_error (error);
  {
    g_autoptr(ThAttestationResult) result = pki_verify_with (&pki, NULL, NULL, FALSE, NULL, NULL,
                                                             revocations);

    ASSERT_FAILURES (result, TH_ATTESTATION_DAC_REVOKED);
  }

  /* The PAI (serial 2) revoked by the PAA, added directly. */
  {
    g_autoptr(ThRevocationSet) pai_revoked = th_revocation_set_new ();
    const guint8 serial = 2;
    g_autoptr(ThAttestationResult) result = NULL;

    th_revocation_set_add (pai_revoked,
                           ASN1_STRING_get0_data (X509_get0_subject_key_id (pki.paa)), NULL, 0,
                           &serial, 1);
    result = pki_verify_with (&pki, NULL, NULL, FALSE, NULL, NULL, pai_revoked);
    ASSERT_FAILURES (result, TH_ATTESTATION_PAI_REVOKED);
  }
}

static void
test_revocation_json_errors (void)
{
  static const char *const bad[] = {
    "not json",
    "{}",
    "[ 1 ]",
    "[ { \"type\": \"revocation_set\", \"revoked_serial_numbers\": [] } ]",
    "[ { \"type\": \"revocation_set\", \"issuer_subject_key_id\": \"0011\","
    "    \"revoked_serial_numbers\": [] } ]",
    "[ { \"type\": \"revocation_set\","
    "    \"issuer_subject_key_id\": \"00112233445566778899AABBCCDDEEFF00112233\","
    "    \"revoked_serial_numbers\": [\"XY\"] } ]",
    "[ { \"type\": \"revocation_set\","
    "    \"issuer_subject_key_id\": \"00112233445566778899AABBCCDDEEFF00112233\","
    "    \"issuer_name\": 5, \"revoked_serial_numbers\": [\"01\"] } ]",
    /* A good entry before a bad one: neither is added. */
    "[ { \"type\": \"revocation_set\","
    "    \"issuer_subject_key_id\": \"00112233445566778899AABBCCDDEEFF00112233\","
    "    \"revoked_serial_numbers\": [\"01\"] },"
    "  { \"type\": \"revocation_set\", \"revoked_serial_numbers\": [\"01\"] } ]",
  };
  g_autoptr(ThRevocationSet) revocations = th_revocation_set_new ();

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (th_revocation_set_load_json (revocations, bad[i], -1, &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_REVOCATION_SET);
      g_assert_cmpuint (th_revocation_set_get_size (revocations), ==, 0);
    }
}

/* ---- The trust store ---- */

static void
write_file (const char   *dir,
            const char   *name,
            const guint8 *data,
            gsize         len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) data, (gssize) len, &error);
  g_assert_no_error (error);
}

static char *
x509_to_pem (X509 *cert)
{
  g_autoptr(BIO) bio = BIO_new (BIO_s_mem ());
  char *data;
  long len;

  g_assert_cmpint (PEM_write_bio_X509 (bio, cert), ==, 1);
  len = BIO_get_mem_data (bio, &data);
  return g_strndup (data, (gsize) len);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static void
test_paa_store_directory (void)
{
  g_auto(Pki) pki = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(ThPaaStore) store = th_paa_store_new ();
  g_autofree char *dir = g_dir_make_tmp ("threshold-paa-XXXXXX", &error);
  g_autofree char *pem_pair = NULL;
  g_autofree char *sub = NULL;
  g_autofree char *link = NULL;
  g_autofree char *big = g_malloc0 (300 * 1024);
  g_autoptr(GBytes) paa_der = NULL;
  g_autoptr(EVP_PKEY) second_key = generate_key ();
  g_autoptr(X509) second = NULL;
  g_autoptr(X509) third = NULL;
  g_autofree char *second_pem = NULL;
  g_autofree char *third_pem = NULL;
  g_autofree char *file = NULL;
  const guint8 *key_id;
  CertSpec spec;
  guint added = 0;

  g_assert_no_error (error);
  pki_init (&pki);
  spec = paa_spec (pki.now);
  spec.common_name = "Second PAA";
  second = make_certificate (&spec, second_key, NULL, NULL);
  spec.common_name = "Third PAA";
  third = make_certificate (&spec, second_key, NULL, NULL);

  /* DER, a PEM file with two certificates, the DER certificate again as PEM, and
   * non-certificates of several kinds. */
  paa_der = x509_to_der (pki.paa);
  write_file (dir, "a-paa.der", g_bytes_get_data (paa_der, NULL), g_bytes_get_size (paa_der));
  second_pem = x509_to_pem (second);
  third_pem = x509_to_pem (third);
  pem_pair = g_strconcat ("Two PAAs\n", second_pem, third_pem, NULL);
  write_file (dir, "b-pair.pem", (const guint8 *) pem_pair, strlen (pem_pair));
  {
    g_autofree char *again = x509_to_pem (pki.paa);

    write_file (dir, "c-paa-again.pem", (const guint8 *) again, strlen (again));
  }
  write_file (dir, "d-garbage.pem", (const guint8 *) "not a certificate\n", 18);
  write_file (dir, "e-truncated.der", g_bytes_get_data (paa_der, NULL), 40);
  write_file (dir, "f-huge.bin", (const guint8 *) big, 300 * 1024);
  sub = g_build_filename (dir, "g-subdirectory", NULL);
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  link = g_build_filename (dir, "h-dangling-link.pem", NULL);
  g_assert_cmpint (symlink ("does-not-exist.pem", link), ==, 0);

  g_assert_true (th_paa_store_add_directory (store, dir, &added, &warnings, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 3);
  g_assert_cmpuint (th_paa_store_get_size (store), ==, 3);
  g_assert_cmpuint (warnings->len, ==, 4);
  for (guint i = 0; i < warnings->len; i++)
    {
      GError *warning = g_ptr_array_index (warnings, i);
      const char *expected[] = { "d-garbage.pem", "e-truncated.der", "f-huge.bin",
                                 "h-dangling-link.pem" };

      g_test_message ("warning: %s", warning->message);
      g_assert_error (warning, TH_ERROR, TH_ERROR_TRUST_STORE);
      g_assert_nonnull (strstr (warning->message, expected[i]));
    }
  g_assert_cmpint (th_paa_store_get_updated (store), >, 0);

  /* Lookups by key id and by subject. */
  key_id = ASN1_STRING_get0_data (X509_get0_subject_key_id (second));
  g_assert_true (th_paa_store_lookup_by_key_id (store, key_id) != NULL);
  g_assert_cmpint (X509_cmp (th_paa_store_lookup_by_subject (store,
                                                             X509_get_subject_name (third)),
                             third), ==, 0);
  g_assert_null (th_paa_store_lookup_by_subject (store, X509_get_subject_name (pki.dac)));

  /* Loading again adds nothing new. */
  g_assert_true (th_paa_store_add_directory (store, dir, &added, &warnings, &error));
  g_assert_cmpuint (added, ==, 0);
  g_assert_cmpuint (th_paa_store_get_size (store), ==, 3);

  /* A folder that does not exist is an error, not a crash. */
  file = g_build_filename (dir, "missing", NULL);
  g_assert_false (th_paa_store_add_directory (store, file, NULL, &warnings, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TRUST_STORE);
  g_assert_nonnull (strstr (error->message, "missing"));

  remove_tree (dir);
}

/* The development roots from the DCL, each as PEM and DER: five certificates. */
static void
test_paa_store_shared_roots (void)
{
  g_autofree char *dir = g_build_filename (th_test_vectors_dir (), "credentials", "development",
                                           "paa-root-certs", NULL);
  g_autoptr(ThPaaStore) store = th_paa_store_new ();
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GError) error = NULL;
  static const guint8 test_paa_key_id[TH_PAA_KEY_ID_LEN] = {
    0x6A, 0xFD, 0x22, 0x77, 0x1F, 0x51, 0x1F, 0xEC, 0xBF, 0x16,
    0x41, 0x97, 0x67, 0x10, 0xDC, 0xDC, 0x31, 0xA1, 0x71, 0x7E,
  };

  g_assert_true (th_paa_store_add_directory (store, dir, NULL, &warnings, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (warnings->len, ==, 0);
  g_assert_cmpuint (th_paa_store_get_size (store), ==, 5);
  g_assert_nonnull (th_paa_store_lookup_by_key_id (store, test_paa_key_id));
}

static void
test_cd_signers_directory (void)
{
  g_autofree char *dir = g_build_filename (th_test_vectors_dir (), "credentials", "test",
                                           "certification-declaration", NULL);
  g_autoptr(ThCdSigners) signers = th_cd_signers_new ();
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = load_vector_file (EXAMPLE_CD ".der");
  ThCdEnvelope envelope;

  /* The folder also holds the signer's key and a CD: both are named in warnings. */
  g_assert_true (th_cd_signers_add_directory (signers, dir, FALSE, &warnings, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (th_cd_signers_get_size (signers), ==, 1);
  for (guint i = 0; i < warnings->len; i++)
    g_test_message ("warning: %s", ((GError *) g_ptr_array_index (warnings, i))->message);
  g_assert_cmpuint (warnings->len, >=, 3);

  g_assert_true (th_cd_envelope_parse (g_bytes_get_data (cms, NULL), g_bytes_get_size (cms),
                                       &envelope, NULL));
  th_cd_signers_verify (signers, &envelope, NULL, &error);
  g_assert_no_error (error);
}

/* ---- Vendor and product ids in subjects ---- */

static X509 *
cert_with_subject (Pki        *pki,
                   const char *common_name,
                   const char *vendor_id,
                   const char *product_id)
{
  CertSpec spec = dac_spec (pki->now);

  spec.common_name = common_name;
  spec.vendor_id = vendor_id;
  spec.product_id = product_id;
  return make_certificate (&spec, pki->dac_key, pki->pai, pki->pai_key);
}

static void
test_matter_ids (void)
{
  g_auto(Pki) pki = { 0 };
  const struct
  {
    const char *common_name;
    const char *vendor_id;
    const char *product_id;
    gboolean valid;
    gint vendor;    /* -1: absent */
    gint product;
  } cases[] = {
    { "ACME DAC Mvid:FFF1 Mpid:00B1", NULL, NULL, TRUE, 0xFFF1, 0x00B1 },
    { "Mpid:8001 first, then Mvid:FFF2", NULL, NULL, TRUE, 0xFFF2, 0x8001 },
    { "Plain name", NULL, NULL, TRUE, -1, -1 },
    /* The attributes win over the common name. */
    { "Mvid:FFF1 Mpid:8000", "FFF2", NULL, TRUE, 0xFFF2, -1 },
    { "Mvid:fff1", NULL, NULL, FALSE, 0, 0 },
    { "Mvid:FFF1 Mpid:", NULL, NULL, FALSE, 0, 0 },
    { "Mvid:FFF Mvid:FFF1", NULL, NULL, TRUE, 0xFFF1, -1 },
    /* Only the first 64 bytes of the common name are searched. */
    { "0123456789012345678901234567890123456789012345678901234567890 Mvid:FFF1", NULL, NULL,
      TRUE, -1, -1 },
    { "DAC", "fff1", "8000", FALSE, 0, 0 },
    { "DAC", "FFF1", "80001", FALSE, 0, 0 },
  };

  pki_init (&pki);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(X509) cert = cert_with_subject (&pki, cases[i].common_name, cases[i].vendor_id,
                                                cases[i].product_id);
      g_autoptr(GError) error = NULL;
      ThMatterIds ids;

      g_test_message ("subject %s", cases[i].common_name);
      if (!cases[i].valid)
        {
          g_assert_false (th_x509_get_matter_ids (cert, &ids, &error));
          g_assert_error (error, TH_ERROR, TH_ERROR_ATTESTATION_CERTIFICATE);
          continue;
        }
      th_x509_get_matter_ids (cert, &ids, &error);
      g_assert_no_error (error);
      g_assert_cmpint (ids.has_vendor_id, ==, cases[i].vendor >= 0);
      g_assert_cmpint (ids.has_product_id, ==, cases[i].product >= 0);
      if (ids.has_vendor_id)
        g_assert_cmphex (ids.vendor_id, ==, cases[i].vendor);
      if (ids.has_product_id)
        g_assert_cmphex (ids.product_id, ==, cases[i].product);
    }

  /* A second vendor ID attribute. */
  {
    g_autoptr(X509) cert = cert_with_subject (&pki, "DAC", "FFF1", "8000");
    g_autoptr(GError) error = NULL;
    ThMatterIds ids;

    X509_NAME_add_entry_by_txt (X509_get_subject_name (cert), "1.3.6.1.4.1.37244.2.1",
                                MBSTRING_UTF8, (const unsigned char *) "FFF1", -1, -1, 0);
    g_assert_false (th_x509_get_matter_ids (cert, &ids, &error));
    g_assert_error (error, TH_ERROR, TH_ERROR_ATTESTATION_CERTIFICATE);
  }

  /* Through the verifier: a malformed subject is a profile failure of that certificate. */
  {
    g_autoptr(X509) dac = cert_with_subject (&pki, "Mvid:fff1", NULL, NULL);
    g_autoptr(ThAttestationResult) result = pki_verify_with (&pki, dac, NULL, FALSE, NULL, NULL,
                                                             NULL);

    ASSERT_FAILURES (result, TH_ATTESTATION_DAC_PROFILE);
    g_assert_false (th_attestation_result_get_vendor_id (result, NULL));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/attestation/vectors/commissioner-dut", test_commissioner_dut_vectors);
  g_test_add_func ("/attestation/vectors/fallback-vid-pid", test_fallback_vid_pid_encoding);
  g_test_add_func ("/attestation/vectors/chip-test-chain", test_chip_test_chain);
  g_test_add_func ("/attestation/certification-declaration/example", test_example_cd);
  g_test_add_func ("/attestation/certification-declaration/damage", test_cd_envelope_damage);
  g_test_add_func ("/attestation/certification-declaration/payload", test_cd_payload);
  g_test_add_func ("/attestation/certification-declaration/signers-directory",
                   test_cd_signers_directory);
  g_test_add_func ("/attestation/pki/valid", test_pki_valid);
  g_test_add_func ("/attestation/pki/expired-dac", test_pki_expired_dac);
  g_test_add_func ("/attestation/pki/dac-not-yet-valid", test_pki_dac_not_yet_valid);
  g_test_add_func ("/attestation/pki/wrong-vendor-id", test_pki_wrong_vendor_id);
  g_test_add_func ("/attestation/pki/wrong-product-id", test_pki_wrong_product_id);
  g_test_add_func ("/attestation/pki/paa-vendor-id", test_pki_paa_vendor_id);
  g_test_add_func ("/attestation/pki/dac-profile", test_pki_dac_profile);
  g_test_add_func ("/attestation/pki/bad-cd-signature", test_pki_bad_cd_signature);
  g_test_add_func ("/attestation/pki/unknown-cd-signer", test_pki_unknown_cd_signer);
  g_test_add_func ("/attestation/pki/test-cd-signer", test_pki_test_cd_signer);
  g_test_add_func ("/attestation/pki/provisional-cd", test_pki_provisional_cd);
  g_test_add_func ("/attestation/pki/dac-origin-and-paa-list",
                   test_pki_cd_dac_origin_and_paa_list);
  g_test_add_func ("/attestation/pki/payload-ids", test_pki_payload_ids);
  g_test_add_func ("/attestation/pki/missing-pai", test_pki_missing_pai);
  g_test_add_func ("/attestation/pki/unknown-issuer", test_pki_unknown_issuer);
  g_test_add_func ("/attestation/pki/wrong-attestation-signature",
                   test_pki_wrong_attestation_signature);
  g_test_add_func ("/attestation/pki/wrong-nonce", test_pki_wrong_nonce);
  g_test_add_func ("/attestation/pki/malformed-elements", test_pki_malformed_elements);
  g_test_add_func ("/attestation/pki/empty-trust-store", test_pki_empty_trust_store);
  g_test_add_func ("/attestation/pki/untrusted-paa", test_pki_untrusted_paa);
  g_test_add_func ("/attestation/pki/stale-trust-store", test_pki_stale_trust_store);
  g_test_add_func ("/attestation/pki/revoked", test_pki_revoked);
  g_test_add_func ("/attestation/x509/matter-ids", test_matter_ids);
  g_test_add_func ("/attestation/revocation/json-errors", test_revocation_json_errors);
  g_test_add_func ("/attestation/paa-store/directory", test_paa_store_directory);
  g_test_add_func ("/attestation/paa-store/shared-roots", test_paa_store_shared_roots);

  return g_test_run ();
}
