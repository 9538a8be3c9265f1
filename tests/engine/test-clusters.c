/* test-clusters.c: cluster ids, command codecs, node attributes and attestation elements
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string.h>

#include "clusters/th-attestation-elements.h"
#include "clusters/th-clusters.h"
#include "clusters/th-node-attributes.h"
#include "im/th-im.h"
#include "th-error.h"
#include "th-test-utils.h"
#include "tlv/th-tlv.h"

#define assert_gbytes_hex(bytes, hex) \
  G_STMT_START { \
    g_autoptr(GBytes) __expected = th_test_hex_to_bytes (hex); \
    th_assert_bytes_equal (g_bytes_get_data ((bytes), NULL), g_bytes_get_size (bytes), \
                           g_bytes_get_data (__expected, NULL), g_bytes_get_size (__expected)); \
  } G_STMT_END

static GBytes *
load_file (const char *relative_path)
{
  g_autofree char *path = g_build_filename (th_test_vectors_dir (), relative_path, NULL);
  g_autoptr(GError) error = NULL;
  char *contents;
  gsize len;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/* A certificate of the Matter 1.2 specification's example chain, in the Matter TLV form */
static GBytes *
load_spec_certificate (const char *which)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("opcerts/operational_cert_sets.json");
  JsonObject *sets = json_object_get_object_member (json_node_get_object (root), "sets");
  JsonObject *set = json_object_get_object_member (sets, "Matter 1.2 Specification Certificates");
  JsonObject *cert = json_object_get_object_member (set, which);

  return th_test_hex_to_bytes (json_object_get_string_member (cert, "matterTlvHex"));
}

static char *
bytes_hex (GBytes *bytes)
{
  return th_test_bytes_to_hex (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
fill_sequence (guint8 *out,
               gsize   len,
               guint8  first)
{
  for (gsize i = 0; i < len; i++)
    out[i] = (guint8) (first + i);
}

static void
test_ids (void)
{
  /* a few ids as the specification numbers them */
  g_assert_cmphex (TH_CLUSTER_DESCRIPTOR, ==, 0x001D);
  g_assert_cmphex (TH_CLUSTER_BASIC_INFORMATION, ==, 0x0028);
  g_assert_cmphex (TH_CLUSTER_GENERAL_COMMISSIONING, ==, 0x0030);
  g_assert_cmphex (TH_CLUSTER_OPERATIONAL_CREDENTIALS, ==, 0x003E);
  g_assert_cmphex (TH_CLUSTER_GROUP_KEY_MANAGEMENT, ==, 0x003F);
  g_assert_cmpuint (TH_BASIC_INFORMATION_ATTR_SERIAL_NUMBER, ==, 15);
  g_assert_cmpuint (TH_BASIC_INFORMATION_ATTR_UNIQUE_ID, ==, 18);
  g_assert_cmpuint (TH_OPERATIONAL_CREDENTIALS_CMD_ADD_TRUSTED_ROOT_CERTIFICATE, ==, 11);
  g_assert_cmphex (TH_ATTR_FEATURE_MAP, ==, 0xFFFC);
}

static void
test_general_commissioning_requests (void)
{
  g_autoptr(GBytes) arm = th_general_commissioning_encode_arm_fail_safe (900, 0);
  g_autoptr(GBytes) arm_big = th_general_commissioning_encode_arm_fail_safe (60, 0x0102030405);
  g_autoptr(GBytes) disarm = th_general_commissioning_encode_arm_fail_safe (0, 1);
  g_autoptr(GBytes) regulatory = NULL;

  assert_gbytes_hex (arm,
                     "15"          /* anonymous structure */
                     "25008403"    /* ExpiryLengthSeconds (0) = 900, two bytes */
                     "240100"      /* Breadcrumb (1) = 0 */
                     "18");
  assert_gbytes_hex (arm_big,
                     "15"
                     "24003c"      /* 60 */
                     "27010504030201000000"  /* 0x0102030405 needs the eight-byte form */
                     "18");
  /* ArmFailSafe with 0 ends the fail-safe: how an aborted commissioning cleans up */
  assert_gbytes_hex (disarm, "15" "240000" "240101" "18");

  regulatory = th_general_commissioning_encode_set_regulatory_config (
    TH_REGULATORY_LOCATION_INDOOR_OUTDOOR, "FR", 1);
  assert_gbytes_hex (regulatory,
                     "15"
                     "240002"      /* NewRegulatoryConfig (0) = IndoorOutdoor */
                     "2c01024652"  /* CountryCode (1) = "FR" */
                     "240201"      /* Breadcrumb (2) = 1 */
                     "18");
}

/* ArmFailSafe, encoded by the cluster codec and wrapped by the IM codec: the whole
 * InvokeRequest a commissioner sends first. */
static void
test_arm_fail_safe_invoke_request (void)
{
  g_autoptr(GBytes) fields = th_general_commissioning_encode_arm_fail_safe (60, 0);
  ThImCommand command = {
    .endpoint = TH_ROOT_ENDPOINT,
    .cluster = TH_CLUSTER_GENERAL_COMMISSIONING,
    .command = TH_GENERAL_COMMISSIONING_CMD_ARM_FAIL_SAFE,
    .fields = fields,
  };
  g_autoptr(GBytes) request = th_im_encode_invoke_request (&command, 1, FALSE, FALSE);

  assert_gbytes_hex (request,
                     "15" "2800" "2801" "3602" "15"
                     "3700" "240000" "240130" "240200" "18"  /* 0 / 0x30 / 0 */
                     "3501" "24003c" "240100" "18"           /* {60, 0} */
                     "18" "18" "24ff0c" "18");
}

static void
test_operational_credentials_requests (void)
{
  guint8 nonce[32];
  g_autoptr(GBytes) attestation = NULL;
  g_autoptr(GBytes) dac = th_operational_credentials_encode_certificate_chain_request (
    TH_CERTIFICATE_CHAIN_DAC);
  g_autoptr(GBytes) pai = th_operational_credentials_encode_certificate_chain_request (
    TH_CERTIFICATE_CHAIN_PAI);
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(GBytes) csr_update = NULL;
  g_autoptr(GBytes) label = th_operational_credentials_encode_update_fabric_label ("Home");
  g_autoptr(GBytes) remove = th_operational_credentials_encode_remove_fabric (3);
  g_autofree char *nonce_hex = NULL;
  g_autofree char *expected = NULL;

  fill_sequence (nonce, sizeof nonce, 0);
  nonce_hex = th_test_bytes_to_hex (nonce, sizeof nonce);

  /* AttestationNonce (0): a byte string with a one-byte length, 0x20 */
  attestation = th_operational_credentials_encode_attestation_request (nonce);
  expected = g_strconcat ("15" "300020", nonce_hex, "18", NULL);
  assert_gbytes_hex (attestation, expected);
  g_clear_pointer (&expected, g_free);

  assert_gbytes_hex (dac, "15" "240001" "18");  /* CertificateType (0) = DAC */
  assert_gbytes_hex (pai, "15" "240002" "18");  /* PAI */

  /* IsForUpdateNOC (1) is sent only when true */
  csr = th_operational_credentials_encode_csr_request (nonce, FALSE);
  expected = g_strconcat ("15" "300020", nonce_hex, "18", NULL);
  assert_gbytes_hex (csr, expected);
  g_clear_pointer (&expected, g_free);
  csr_update = th_operational_credentials_encode_csr_request (nonce, TRUE);
  expected = g_strconcat ("15" "300020", nonce_hex, "2901" "18", NULL);
  assert_gbytes_hex (csr_update, expected);

  assert_gbytes_hex (label, "15" "2c0004" "486f6d65" "18");  /* Label (0) = "Home" */
  assert_gbytes_hex (remove, "15" "240003" "18");            /* FabricIndex (0) = 3 */
}

static void
test_add_noc_and_root (void)
{
  g_autoptr(GBytes) rcac = load_spec_certificate ("ROOT");
  g_autoptr(GBytes) icac = load_spec_certificate ("ICAC");
  g_autoptr(GBytes) noc = load_spec_certificate ("NOC");
  g_autoptr(GBytes) root_fields = NULL;
  g_autoptr(GBytes) add_noc = NULL;
  g_autoptr(GBytes) add_noc_no_icac = NULL;
  g_autofree char *rcac_hex = bytes_hex (rcac);
  g_autofree char *icac_hex = bytes_hex (icac);
  g_autofree char *noc_hex = bytes_hex (noc);
  g_autofree char *expected = NULL;
  guint8 ipk[TH_IPK_LEN];

  g_assert_cmpuint (g_bytes_get_size (rcac), ==, 252);
  g_assert_cmpuint (g_bytes_get_size (icac), ==, 252);
  g_assert_cmpuint (g_bytes_get_size (noc), ==, 269);
  fill_sequence (ipk, sizeof ipk, 0xA0);

  /* RootCACertificate (0): 252 bytes, so a one-byte length 0xfc */
  root_fields = th_operational_credentials_encode_add_trusted_root_certificate (rcac);
  expected = g_strconcat ("15" "3000fc", rcac_hex, "18", NULL);
  assert_gbytes_hex (root_fields, expected);
  g_clear_pointer (&expected, g_free);

  add_noc = th_operational_credentials_encode_add_noc (noc, icac, ipk, 0x1122334455667788,
                                                       0xFFF1);
  expected = g_strconcat ("15",
                          /* NOCValue (0): 269 = 0x010d bytes, a two-byte length */
                          "31000d01", noc_hex,
                          "3001fc", icac_hex,         /* ICACValue (1): 252 bytes */
                          "300210" "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",  /* IPKValue (2): 16 bytes */
                          "27038877665544332211",     /* CaseAdminSubject (3), eight bytes */
                          "2504f1ff",                 /* AdminVendorId (4) = 0xFFF1 */
                          "18", NULL);
  assert_gbytes_hex (add_noc, expected);
  g_clear_pointer (&expected, g_free);

  /* without an ICAC, and with a small CASE admin subject */
  add_noc_no_icac = th_operational_credentials_encode_add_noc (noc, NULL, ipk, 0x01, 0x0001);
  expected = g_strconcat ("15" "31000d01", noc_hex,
                          "300210" "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
                          "240301" "240401" "18", NULL);
  assert_gbytes_hex (add_noc_no_icac, expected);
}

static void
test_network_commissioning_requests (void)
{
  const guint8 dataset[] = { 0x0e, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00 };
  g_autoptr(GBytes) wifi = th_network_commissioning_encode_add_or_update_wifi_network (
    (const guint8 *) "net", 3, (const guint8 *) "password", 8, 2);
  g_autoptr(GBytes) open_wifi = th_network_commissioning_encode_add_or_update_wifi_network (
    (const guint8 *) "cafe", 4, NULL, 0, 0);
  g_autoptr(GBytes) thread = th_network_commissioning_encode_add_or_update_thread_network (
    dataset, sizeof dataset, 0);
  g_autoptr(GBytes) connect = th_network_commissioning_encode_connect_network (
    (const guint8 *) "net", 3, 3);

  assert_gbytes_hex (wifi,
                     "15"
                     "300003" "6e6574"                /* Ssid (0) = "net" */
                     "300108" "70617373776f7264"      /* Credentials (1) = "password" */
                     "240202"                         /* Breadcrumb (2) = 2 */
                     "18");
  /* an open network: empty credentials */
  assert_gbytes_hex (open_wifi, "15" "300004" "63616665" "300100" "240200" "18");
  assert_gbytes_hex (thread,
                     "15"
                     "30000a" "0e080000000000010000"  /* OperationalDataset (0) */
                     "240100"                         /* Breadcrumb (1) */
                     "18");
  assert_gbytes_hex (connect, "15" "300003" "6e6574" "240103" "18");
}

static void
test_other_requests (void)
{
  guint8 verifier[TH_PAKE_VERIFIER_LEN];
  guint8 salt[16];
  g_autoptr(GBytes) window = NULL;
  g_autoptr(GBytes) basic = th_administrator_commissioning_encode_open_basic_commissioning_window (
    180);
  g_autoptr(GBytes) identify = th_identify_encode_identify (5);
  g_autoptr(GBytes) time = th_time_synchronization_encode_set_utc_time (
    G_GUINT64_CONSTANT (0x0002DCD5C64A4000), TH_TIME_GRANULARITY_SECONDS);
  g_autofree char *verifier_hex = NULL;
  g_autofree char *salt_hex = NULL;
  g_autofree char *expected = NULL;

  fill_sequence (verifier, sizeof verifier, 1);
  fill_sequence (salt, sizeof salt, 0x50);
  verifier_hex = th_test_bytes_to_hex (verifier, sizeof verifier);
  salt_hex = th_test_bytes_to_hex (salt, sizeof salt);

  window = th_administrator_commissioning_encode_open_commissioning_window (180, verifier, 3840,
                                                                           1000, salt, 16);
  expected = g_strconcat ("15",
                          "2400b4",               /* CommissioningTimeout (0) = 180 */
                          "300161", verifier_hex, /* PAKEPasscodeVerifier (1): 97 bytes */
                          "2502000f",             /* Discriminator (2) = 3840 */
                          "2503e803",             /* Iterations (3) = 1000 */
                          "300410", salt_hex,     /* Salt (4): 16 bytes */
                          "18", NULL);
  assert_gbytes_hex (window, expected);

  assert_gbytes_hex (basic, "15" "2400b4" "18");
  assert_gbytes_hex (identify, "15" "240005" "18");   /* IdentifyTime (0) = 5 */
  assert_gbytes_hex (time,
                     "15"
                     "2700" "00404ac6d5dc0200"        /* UTCTime (0), eight bytes */
                     "240102"                         /* Granularity (1) = seconds */
                     "18");
}

static void
test_commissioning_response (void)
{
  g_autoptr(GBytes) ok = th_test_hex_to_bytes ("3501" "240000" "2c0100" "18");
  g_autoptr(GBytes) busy = th_test_hex_to_bytes ("3501" "240004" "2c0104" "62757379" "18");
  g_autoptr(GBytes) unknown = th_test_hex_to_bytes ("3501" "240063" "18");
  g_auto(ThCommissioningResponse) response = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (th_commissioning_response_decode (g_bytes_get_data (ok, NULL),
                                                   g_bytes_get_size (ok),
                                                   "ArmFailSafeResponse", &response, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (response.error_code, ==, TH_COMMISSIONING_ERROR_OK);
  g_assert_cmpstr (response.debug_text, ==, "");
  g_assert_true (th_commissioning_response_check (&response, "ArmFailSafe", &error));
  th_commissioning_response_clear (&response);

  g_assert_true (th_commissioning_response_decode (g_bytes_get_data (busy, NULL),
                                                   g_bytes_get_size (busy),
                                                   "ArmFailSafeResponse", &response, &error));
  g_assert_cmpuint (response.error_code, ==, TH_COMMISSIONING_ERROR_BUSY_WITH_OTHER_ADMIN);
  g_assert_false (th_commissioning_response_check (&response, "ArmFailSafe", &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_COMMAND_FAILED);
  g_assert_cmpstr (error->message, ==, "The device refused ArmFailSafe: Another administrator "
                   "is commissioning the device at the moment; wait until it is done and try "
                   "again. It says: “busy”");
  g_clear_error (&error);
  th_commissioning_response_clear (&response);

  /* no DebugText: tolerated; an unknown code is still described */
  g_assert_true (th_commissioning_response_decode (g_bytes_get_data (unknown, NULL),
                                                   g_bytes_get_size (unknown),
                                                   "CommissioningCompleteResponse", &response,
                                                   &error));
  g_assert_null (response.debug_text);
  g_assert_false (th_commissioning_response_check (&response, "CommissioningComplete", &error));
  g_assert_nonnull (strstr (error->message, "does not know, 99."));

  for (guint code = 0; code <= 7; code++)
    {
      g_autofree char *sentence = th_commissioning_error_describe ((guint8) code);

      g_assert_null (strstr (sentence, "does not know"));
    }
}

static void
test_signed_elements_responses (void)
{
  guint8 signature[TH_ATTESTATION_SIGNATURE_LEN];
  g_autofree char *signature_hex = NULL;
  g_autofree char *hex = NULL;
  g_autoptr(GBytes) fields = NULL;
  g_autoptr(GError) error = NULL;
  ThSignedElements response;

  fill_sequence (signature, sizeof signature, 0x40);
  signature_hex = th_test_bytes_to_hex (signature, sizeof signature);

  /* AttestationElements (0) = 15 18, AttestationSignature (1): 64 bytes */
  hex = g_strconcat ("3501" "3000021518" "300140", signature_hex, "18", NULL);
  fields = th_test_hex_to_bytes (hex);
  g_assert_true (th_operational_credentials_decode_attestation_response (
    g_bytes_get_data (fields, NULL), g_bytes_get_size (fields), &response, &error));
  g_assert_no_error (error);
  th_assert_bytes_equal (response.elements, response.elements_len,
                         (const guint8 *) "\x15\x18", 2);
  th_assert_bytes_equal (response.signature, TH_ATTESTATION_SIGNATURE_LEN,
                         signature, sizeof signature);
  g_assert_true (th_operational_credentials_decode_csr_response (
    g_bytes_get_data (fields, NULL), g_bytes_get_size (fields), &response, &error));
  g_clear_pointer (&fields, g_bytes_unref);
  g_clear_pointer (&hex, g_free);

  /* a 63-byte signature */
  hex = g_strconcat ("3501" "3000021518" "30013f", signature_hex + 2, "18", NULL);
  fields = th_test_hex_to_bytes (hex);
  g_assert_false (th_operational_credentials_decode_attestation_response (
    g_bytes_get_data (fields, NULL), g_bytes_get_size (fields), &response, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "63 bytes long instead of 64"));
  g_clear_error (&error);
  g_clear_pointer (&fields, g_bytes_unref);

  /* no signature */
  fields = th_test_hex_to_bytes ("3501" "3000021518" "18");
  g_assert_false (th_operational_credentials_decode_csr_response (
    g_bytes_get_data (fields, NULL), g_bytes_get_size (fields), &response, &error));
  g_assert_nonnull (strstr (error->message, "AttestationSignature (tag 1) is missing"));
  g_assert_null (response.elements);
}

static void
test_elements_too_long (void)
{
  g_auto(ThTlvWriter) writer = { 0 };
  g_autoptr(GBytes) fields = NULL;
  g_autoptr(GError) error = NULL;
  guint8 big[TH_ATTESTATION_ELEMENTS_MAX_LEN + 1] = { 0 };
  guint8 signature[TH_ATTESTATION_SIGNATURE_LEN] = { 0 };
  ThSignedElements response;

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_CONTEXT (1));
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (0), big, sizeof big);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (1), signature, sizeof signature);
  th_tlv_writer_end_container (&writer);
  fields = th_tlv_writer_finish (&writer);

  g_assert_false (th_operational_credentials_decode_attestation_response (
    g_bytes_get_data (fields, NULL), g_bytes_get_size (fields), &response, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "901 bytes long"));
}

static void
test_certificate_chain_response (void)
{
  g_autoptr(GBytes) dac = load_file ("credentials/test/attestation/"
                                     "Chip-Test-DAC-FFF1-8000-0000-Cert.der");
  g_autofree char *dac_hex = bytes_hex (dac);
  g_autofree char *hex = NULL;
  g_autoptr(GBytes) fields = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *certificate = NULL;
  gsize certificate_len = 0;

  /* Certificate (0): 493 = 0x01ed bytes, a byte string with a two-byte length */
  g_assert_cmpuint (g_bytes_get_size (dac), ==, 493);
  hex = g_strconcat ("3501" "3100ed01", dac_hex, "18", NULL);
  fields = th_test_hex_to_bytes (hex);
  g_assert_true (th_operational_credentials_decode_certificate_chain_response (
    g_bytes_get_data (fields, NULL), g_bytes_get_size (fields), &certificate,
    &certificate_len, &error));
  g_assert_no_error (error);
  th_assert_bytes_equal (certificate, certificate_len, g_bytes_get_data (dac, NULL),
                         g_bytes_get_size (dac));
  g_clear_pointer (&fields, g_bytes_unref);

  /* an empty certificate, and none */
  fields = th_test_hex_to_bytes ("3501" "300000" "18");
  g_assert_false (th_operational_credentials_decode_certificate_chain_response (
    g_bytes_get_data (fields, NULL), g_bytes_get_size (fields), &certificate,
    &certificate_len, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
  g_clear_error (&error);
  g_clear_pointer (&fields, g_bytes_unref);
  fields = th_test_hex_to_bytes ("3501" "18");
  g_assert_false (th_operational_credentials_decode_certificate_chain_response (
    g_bytes_get_data (fields, NULL), g_bytes_get_size (fields), &certificate,
    &certificate_len, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
}

static void
test_noc_response (void)
{
  g_autoptr(GBytes) ok = th_test_hex_to_bytes ("3501" "240000" "240101" "18");
  g_autoptr(GBytes) full = th_test_hex_to_bytes ("3501" "240005" "2c0204" "66756c6c" "18");
  g_autoptr(GBytes) index_zero = th_test_hex_to_bytes ("3501" "240000" "240100" "18");
  g_autoptr(GBytes) index_255 = th_test_hex_to_bytes ("3501" "240000" "2401ff" "18");
  g_auto(ThNocResponse) response = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (th_noc_response_decode (g_bytes_get_data (ok, NULL), g_bytes_get_size (ok),
                                         &response, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (response.status, ==, TH_NOC_STATUS_OK);
  g_assert_true (response.has_fabric_index);
  g_assert_cmpuint (response.fabric_index, ==, 1);
  g_assert_true (th_noc_response_check (&response, "AddNOC", &error));
  th_noc_response_clear (&response);

  g_assert_true (th_noc_response_decode (g_bytes_get_data (full, NULL), g_bytes_get_size (full),
                                         &response, &error));
  g_assert_false (response.has_fabric_index);
  g_assert_false (th_noc_response_check (&response, "AddNOC", &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_COMMAND_FAILED);
  g_assert_cmpstr (error->message, ==, "The device refused AddNOC: The device belongs to as "
                   "many fabrics as it can; remove it from another app first. It says: “full”");
  g_clear_error (&error);
  th_noc_response_clear (&response);

  g_assert_false (th_noc_response_decode (g_bytes_get_data (index_zero, NULL),
                                          g_bytes_get_size (index_zero), &response, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
  g_clear_error (&error);
  g_assert_false (th_noc_response_decode (g_bytes_get_data (index_255, NULL),
                                          g_bytes_get_size (index_255), &response, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);

  for (guint status = 0; status <= 11; status++)
    {
      g_autofree char *sentence = th_noc_status_describe ((guint8) status);

      g_assert_true (g_str_has_suffix (sentence, "."));
      if (status == 7 || status == 8)
        g_assert_nonnull (strstr (sentence, "does not know"));
      else
        g_assert_null (strstr (sentence, "does not know"));
    }
}

static void
test_network_responses (void)
{
  /* NetworkConfigResponse: Success, no debug text, NetworkIndex (2) = 0 */
  g_autoptr(GBytes) config = th_test_hex_to_bytes ("3501" "240000" "240200" "18");
  /* ConnectNetworkResponse: AuthFailure, ErrorValue (2) = -3 */
  g_autoptr(GBytes) auth = th_test_hex_to_bytes ("3501" "240007" "2c0100" "2002fd" "18");
  /* ConnectNetworkResponse: Success, ErrorValue null */
  g_autoptr(GBytes) connected = th_test_hex_to_bytes ("3501" "240000" "3402" "18");
  g_auto(ThNetworkResponse) response = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (th_network_config_response_decode (g_bytes_get_data (config, NULL),
                                                    g_bytes_get_size (config), &response,
                                                    &error));
  g_assert_no_error (error);
  g_assert_true (response.has_network_index);
  g_assert_cmpuint (response.network_index, ==, 0);
  g_assert_true (th_network_response_check (&response, "AddOrUpdateWiFiNetwork", &error));
  th_network_response_clear (&response);

  g_assert_true (th_connect_network_response_decode (g_bytes_get_data (auth, NULL),
                                                     g_bytes_get_size (auth), &response,
                                                     &error));
  g_assert_true (response.has_error_value);
  g_assert_cmpint (response.error_value, ==, -3);
  g_assert_false (th_network_response_check (&response, "ConnectNetwork", &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_COMMAND_FAILED);
  g_assert_nonnull (strstr (error->message, "check the password"));
  g_clear_error (&error);
  th_network_response_clear (&response);

  g_assert_true (th_connect_network_response_decode (g_bytes_get_data (connected, NULL),
                                                     g_bytes_get_size (connected), &response,
                                                     &error));
  g_assert_false (response.has_error_value);
  g_assert_true (th_network_response_check (&response, "ConnectNetwork", &error));
}

static void
test_scan_networks (void)
{
  g_autoptr(GBytes) all = th_network_commissioning_encode_scan_networks (NULL, 0, 0);
  g_autoptr(GBytes) one = th_network_commissioning_encode_scan_networks (
    (const guint8 *) "net", 3, 4);
  g_autoptr(GBytes) wifi = th_test_hex_to_bytes (
    "3501"
    "240000"              /* NetworkingStatus (0) = Success */
    "3602"                /* WiFiScanResults (2) */
    "15"
    "240008"              /*   Security (0) = WPA2-Personal */
    "300103" "6e6574"     /*   SSID (1) = "net" */
    "300206" "001122334455" /* BSSID (2) */
    "240306"              /*   Channel (3) = 6 */
    "240400"              /*   WiFiBand (4) = 2.4 GHz */
    "2005c4"              /*   RSSI (5) = -60, a signed integer */
    "18"
    "18"
    "18");
  g_autoptr(GBytes) thread = th_test_hex_to_bytes (
    "3501" "240000"
    "3603"                /* ThreadScanResults (3) */
    "15"
    "25003412"            /*   PanId (0) = 0x1234 */
    "27010011223344556677" /*  ExtendedPanId (1), little-endian */
    "2c02044d794e77"      /*   NetworkName (2) = "MyNw" */
    "24030f"              /*   Channel (3) = 15 */
    "240404"              /*   Version (4) = 4 */
    "3005080102030405060708" /* ExtendedAddress (5) */
    "2006b0"              /*   RSSI (6) = -80 */
    "2407ff"              /*   LQI (7) = 255 */
    "18"
    "18" "18");
  g_autoptr(GBytes) short_bssid = th_test_hex_to_bytes (
    "3501" "240000" "3602" "15" "240008" "300103" "6e6574" "300205" "0011223344" "240306"
    "18" "18" "18");
  g_autoptr(GBytes) no_lqi = th_test_hex_to_bytes (
    "3501" "240000" "3603" "15" "25003412" "27010011223344556677" "2c02044d794e77" "24030f"
    "240404" "3005080102030405060708" "2006b0" "18" "18" "18");
  g_auto(ThScanNetworksResponse) response = { 0 };
  g_autoptr(GError) error = NULL;
  const ThWiFiScanResult *w;
  const ThThreadScanResult *t;

  /* no SSID: every network; Breadcrumb (1) */
  assert_gbytes_hex (all, "15" "240100" "18");
  assert_gbytes_hex (one, "15" "300003" "6e6574" "240104" "18");

  g_assert_true (th_scan_networks_response_decode (g_bytes_get_data (wifi, NULL),
                                                   g_bytes_get_size (wifi), &response, &error));
  g_assert_no_error (error);
  g_assert_null (response.thread_results);
  g_assert_cmpuint (response.wifi_results->len, ==, 1);
  w = &g_array_index (response.wifi_results, ThWiFiScanResult, 0);
  g_assert_cmphex (w->security, ==, TH_WIFI_SECURITY_WPA2_PERSONAL);
  th_assert_bytes_equal (w->ssid, w->ssid_len, (const guint8 *) "net", 3);
  th_assert_bytes_equal (w->bssid, 6, (const guint8 *) "\x00\x11\x22\x33\x44\x55", 6);
  g_assert_cmpuint (w->channel, ==, 6);
  g_assert_true (w->has_band);
  g_assert_cmpuint (w->band, ==, TH_WIFI_BAND_2G4);
  g_assert_true (w->has_rssi);
  g_assert_cmpint (w->rssi, ==, -60);
  th_scan_networks_response_clear (&response);

  g_assert_true (th_scan_networks_response_decode (g_bytes_get_data (thread, NULL),
                                                   g_bytes_get_size (thread), &response,
                                                   &error));
  g_assert_no_error (error);
  g_assert_null (response.wifi_results);
  t = &g_array_index (response.thread_results, ThThreadScanResult, 0);
  g_assert_cmphex (t->pan_id, ==, 0x1234);
  g_assert_cmphex (t->extended_pan_id, ==, G_GUINT64_CONSTANT (0x7766554433221100));
  g_assert_cmpstr (t->network_name, ==, "MyNw");
  g_assert_cmpuint (t->channel, ==, 15);
  g_assert_cmpuint (t->version, ==, 4);
  g_assert_cmphex (t->extended_address[7], ==, 0x08);
  g_assert_cmpint (t->rssi, ==, -80);
  g_assert_cmpuint (t->lqi, ==, 255);
  th_scan_networks_response_clear (&response);

  g_assert_false (th_scan_networks_response_decode (g_bytes_get_data (short_bssid, NULL),
                                                    g_bytes_get_size (short_bssid), &response,
                                                    &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "5 bytes long instead of 6"));
  g_assert_null (response.wifi_results);
  g_clear_error (&error);
  g_assert_false (th_scan_networks_response_decode (g_bytes_get_data (no_lqi, NULL),
                                                    g_bytes_get_size (no_lqi), &response,
                                                    &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "LQI (tag 7) is missing"));
}

/* attestation-elements built around the real example certification declaration */
static GBytes *
example_attestation_elements (const char *firmware_hex,
                              const char *vendor_hex)
{
  g_autoptr(GBytes) cd = load_file ("credentials/test/certification-declaration/"
                                    "Example-CD-FFF1-8000-8063.der");
  g_autofree char *cd_hex = bytes_hex (cd);
  guint8 nonce[TH_ATTESTATION_NONCE_LEN];
  g_autofree char *nonce_hex = NULL;
  g_autofree char *hex = NULL;

  g_assert_cmpuint (g_bytes_get_size (cd), ==, 541);
  fill_sequence (nonce, sizeof nonce, 0xE0);
  nonce_hex = th_test_bytes_to_hex (nonce, sizeof nonce);
  hex = g_strconcat ("15",
                     "31011d02", cd_hex,    /* certification_declaration (1): 541 = 0x021d */
                     "300220", nonce_hex,   /* attestation_nonce (2): 32 bytes */
                     "260378563412",        /* timestamp (3) = 0x12345678 */
                     firmware_hex,
                     vendor_hex,
                     "18", NULL);
  return th_test_hex_to_bytes (hex);
}

static void
test_attestation_elements (void)
{
  g_autoptr(GBytes) cd = load_file ("credentials/test/certification-declaration/"
                                    "Example-CD-FFF1-8000-8063.der");
  g_autoptr(GBytes) plain = example_attestation_elements ("", "");
  /* firmware_information (4) = 01 02; then two vendor-reserved members under fully-qualified
   * tags (vendor 0xFFF1, profile 1, tags 2 and 3): control 0xd0 is a fully-qualified 6-byte
   * tag with a byte string of one-byte length. */
  g_autoptr(GBytes) full = example_attestation_elements ("30040201" "02",
                                                         "d0f1ff01000200" "02abcd"
                                                         "d0f1ff01000300" "00");
  g_autoptr(GError) error = NULL;
  ThAttestationElements elements;

  g_assert_true (th_attestation_elements_decode (g_bytes_get_data (plain, NULL),
                                                 g_bytes_get_size (plain), &elements, &error));
  g_assert_no_error (error);
  th_assert_bytes_equal (elements.certification_declaration,
                         elements.certification_declaration_len,
                         g_bytes_get_data (cd, NULL), g_bytes_get_size (cd));
  g_assert_cmphex (elements.attestation_nonce[0], ==, 0xE0);
  g_assert_cmphex (elements.attestation_nonce[31], ==, 0xFF);
  g_assert_cmphex (elements.timestamp, ==, 0x12345678);
  g_assert_null (elements.firmware_information);
  g_assert_cmpuint (elements.n_vendor_reserved, ==, 0);

  g_assert_true (th_attestation_elements_decode (g_bytes_get_data (full, NULL),
                                                 g_bytes_get_size (full), &elements, &error));
  g_assert_no_error (error);
  th_assert_bytes_equal (elements.firmware_information, elements.firmware_information_len,
                         (const guint8 *) "\x01\x02", 2);
  g_assert_cmpuint (elements.n_vendor_reserved, ==, 2);
}

static void
test_attestation_elements_malformed (void)
{
  g_autoptr(GBytes) valid = example_attestation_elements ("", "");
  g_autofree char *valid_hex = bytes_hex (valid);
  /* a one-byte certification declaration, a 32-byte nonce and a timestamp of 1 */
  const char *cd = "30010101";
  const char *nonce = "300220e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
  const char *timestamp = "260301000000";
  g_autofree char *short_nonce = g_strconcat ("15", cd, "30021f",
                                              "00000000000000000000000000000000"
                                              "000000000000000000000000000000",
                                              timestamp, "18", NULL);
  g_autofree char *nonce_first = g_strconcat ("15", nonce, cd, timestamp, "18", NULL);
  g_autofree char *no_timestamp = g_strconcat ("15", cd, nonce, "18", NULL);
  g_autofree char *signed_timestamp = g_strconcat ("15", cd, nonce, "200301" "18", NULL);
  g_autofree char *wide_timestamp = g_strconcat ("15", cd, nonce, "27030000000001000000" "18",
                                                 NULL);
  g_autofree char *cd_twice = g_strconcat ("15", cd, cd, nonce, timestamp, "18", NULL);
  g_autofree char *tag5 = g_strconcat ("15", cd, nonce, timestamp, "300500" "18", NULL);
  /* a fully-qualified vendor-reserved member, then firmware information */
  g_autofree char *after_vendor = g_strconcat ("15", cd, nonce, timestamp,
                                               "d0f1ff0100020000" "300400" "18", NULL);
  /* a vendor-reserved member that is an unsigned integer (control 0xc4) */
  g_autofree char *vendor_int = g_strconcat ("15", cd, nonce, timestamp,
                                             "c4f1ff0100020001" "18", NULL);
  g_autofree char *empty_cd = g_strconcat ("15" "300100", nonce, timestamp, "18", NULL);
  g_autofree char *trailing = g_strconcat (valid_hex, "00", NULL);
  const struct
  {
    const char *hex;
    const char *message_part;
  } cases[] = {
    { "", "empty" },
    { "1518", "certification declaration is missing" },
    { "3501" "30010101" "18", "anonymous structure" },
    { "15" "300101", "longer than the 0 bytes of data left" },
    { empty_cd, "0 bytes long, less than the 1 required" },
    { short_nonce, "31 bytes long instead of 32" },
    { nonce_first, "out of order" },
    { no_timestamp, "timestamp is missing" },
    { signed_timestamp, "not a 32-bit unsigned integer" },
    { wide_timestamp, "not a 32-bit unsigned integer" },
    { cd_twice, "repeated or out of order" },
    { tag5, "unknown member with tag 5" },
    { after_vendor, "comes after the vendor-reserved" },
    { vendor_int, "not a byte string" },
    { trailing, "1 unexpected bytes" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) data = th_test_hex_to_bytes (cases[i].hex);
      g_autoptr(GError) error = NULL;
      ThAttestationElements elements;

      g_test_message ("case %zu", i);
      g_assert_false (th_attestation_elements_decode (g_bytes_get_data (data, NULL),
                                                      g_bytes_get_size (data), &elements,
                                                      &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED);
      g_test_message ("  %s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
      g_assert_null (elements.certification_declaration);
    }
}

/* A real PKCS #10 request for a fresh P-256 key, made with OpenSSL */
static GBytes *
make_csr (void)
{
  EVP_PKEY *key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
  X509_REQ *request = X509_REQ_new ();
  unsigned char *der = NULL;
  int len;
  GBytes *bytes;

  g_assert_nonnull (key);
  g_assert_cmpint (X509_REQ_set_version (request, 0), ==, 1);
  g_assert_cmpint (X509_NAME_add_entry_by_txt (X509_REQ_get_subject_name (request), "O",
                                               MBSTRING_ASC, (const unsigned char *) "CSR", -1,
                                               -1, 0), ==, 1);
  g_assert_cmpint (X509_REQ_set_pubkey (request, key), ==, 1);
  g_assert_cmpint (X509_REQ_sign (request, key, EVP_sha256 ()), >, 0);
  len = i2d_X509_REQ (request, &der);
  g_assert_cmpint (len, >, 0);
  bytes = g_bytes_new (der, len);
  OPENSSL_free (der);
  X509_REQ_free (request);
  EVP_PKEY_free (key);
  return bytes;
}

static void
test_nocsr_elements (void)
{
  g_autoptr(GBytes) csr = make_csr ();
  g_autofree char *csr_hex = bytes_hex (csr);
  const char *nonce = "300220c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf";
  g_autofree char *header = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *with_vendor = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GBytes) vendor = NULL;
  g_autoptr(GError) error = NULL;
  ThNocsrElements elements;

  /* csr (1): a P-256 request is well under 256 bytes, so the length takes one byte */
  g_assert_cmpuint (g_bytes_get_size (csr), <, 256);
  header = g_strdup_printf ("3001%02x", (guint) g_bytes_get_size (csr));
  hex = g_strconcat ("15", header, csr_hex, nonce, "18", NULL);
  data = th_test_hex_to_bytes (hex);
  g_assert_true (th_nocsr_elements_decode (g_bytes_get_data (data, NULL),
                                           g_bytes_get_size (data), &elements, &error));
  g_assert_no_error (error);
  th_assert_bytes_equal (elements.csr, elements.csr_len, g_bytes_get_data (csr, NULL),
                         g_bytes_get_size (csr));
  g_assert_cmphex (elements.csr_nonce[0], ==, 0xC0);
  g_assert_null (elements.vendor_reserved[0]);

  /* vendor_reserved1 (3) and vendor_reserved3 (5) */
  with_vendor = g_strconcat ("15", header, csr_hex, nonce, "30030111" "30050233" "33" "18",
                             NULL);
  vendor = th_test_hex_to_bytes (with_vendor);
  g_assert_true (th_nocsr_elements_decode (g_bytes_get_data (vendor, NULL),
                                           g_bytes_get_size (vendor), &elements, &error));
  g_assert_no_error (error);
  th_assert_bytes_equal (elements.vendor_reserved[0], elements.vendor_reserved_len[0],
                         (const guint8 *) "\x11", 1);
  g_assert_null (elements.vendor_reserved[1]);
  th_assert_bytes_equal (elements.vendor_reserved[2], elements.vendor_reserved_len[2],
                         (const guint8 *) "\x33\x33", 2);
}

static void
test_nocsr_elements_malformed (void)
{
  const char *nonce = "300220c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf";
  g_autofree char *no_csr = g_strconcat ("15", nonce, "18", NULL);
  g_autofree char *swapped = g_strconcat ("15", nonce, "30010130" "18", NULL);
  g_autofree char *profile = g_strconcat ("15" "30010130", nonce, "d0f1ff01000200" "00" "18",
                                          NULL);
  g_autofree char *tag6 = g_strconcat ("15" "30010130", nonce, "300600" "18", NULL);
  g_autofree char *vendor_int = g_strconcat ("15" "30010130", nonce, "240301" "18", NULL);
  const struct
  {
    const char *hex;
    const char *message_part;
  } cases[] = {
    { no_csr, "certificate signing request is missing" },
    { "15" "30010130" "18", "CSR nonce is missing" },
    { swapped, "out of order" },
    { profile, "profile tag" },
    { tag6, "unknown member with tag 6" },
    { vendor_int, "not a byte string" },
    { "15" "30010130" "3002020000" "18", "2 bytes long instead of 32" },
    { "1600" "18", "anonymous structure" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) data = th_test_hex_to_bytes (cases[i].hex);
      g_autoptr(GError) error = NULL;
      ThNocsrElements elements;

      g_test_message ("case %zu", i);
      g_assert_false (th_nocsr_elements_decode (g_bytes_get_data (data, NULL),
                                                g_bytes_get_size (data), &elements, &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED);
      g_test_message ("  %s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
    }
}

/* Random structures built with the TLV writer decode back to what went in. */
static void
test_attestation_elements_round_trip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (th_test_seed ());

  for (guint round = 0; round < 200; round++)
    {
      g_auto(ThTlvWriter) writer = { 0 };
      g_autoptr(GBytes) encoded = NULL;
      g_autoptr(GError) error = NULL;
      guint8 cd[300], nonce[TH_ATTESTATION_NONCE_LEN], firmware[40];
      gsize cd_len = g_rand_int_range (rand, 1, sizeof cd);
      gsize firmware_len = g_rand_int_range (rand, 0, sizeof firmware);
      gboolean has_firmware = g_rand_boolean (rand);
      guint n_vendor = g_rand_int_range (rand, 0, 4);
      guint32 timestamp = g_rand_int (rand);
      ThAttestationElements elements;

      for (gsize i = 0; i < sizeof cd; i++)
        cd[i] = (guint8) g_rand_int (rand);
      for (gsize i = 0; i < sizeof nonce; i++)
        nonce[i] = (guint8) g_rand_int (rand);
      for (gsize i = 0; i < sizeof firmware; i++)
        firmware[i] = (guint8) g_rand_int (rand);

      th_tlv_writer_init (&writer);
      th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
      th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (1), cd, cd_len);
      th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (2), nonce, sizeof nonce);
      th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (3), timestamp);
      if (has_firmware)
        th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (4), firmware, firmware_len);
      for (guint v = 0; v < n_vendor; v++)
        th_tlv_writer_put_bytes (&writer, TH_TLV_FULLY_QUALIFIED (0xFFF1, 1, v), firmware, v);
      th_tlv_writer_end_container (&writer);
      encoded = th_tlv_writer_finish (&writer);

      g_assert_true (th_attestation_elements_decode (g_bytes_get_data (encoded, NULL),
                                                     g_bytes_get_size (encoded), &elements,
                                                     &error));
      g_assert_no_error (error);
      th_assert_bytes_equal (elements.certification_declaration,
                             elements.certification_declaration_len, cd, cd_len);
      th_assert_bytes_equal (elements.attestation_nonce, sizeof nonce, nonce, sizeof nonce);
      g_assert_cmpuint (elements.timestamp, ==, timestamp);
      if (has_firmware)
        th_assert_bytes_equal (elements.firmware_information, elements.firmware_information_len,
                               firmware, firmware_len);
      else
        g_assert_null (elements.firmware_information);
      g_assert_cmpuint (elements.n_vendor_reserved, ==, n_vendor);
    }
}

/* Every strict prefix of valid elements is refused. */
static void
test_elements_truncation (void)
{
  g_autoptr(GBytes) attestation = example_attestation_elements ("30040201" "02",
                                                                "d0f1ff01000200" "02abcd");
  g_autoptr(GBytes) csr = make_csr ();
  g_auto(ThTlvWriter) writer = { 0 };
  g_autoptr(GBytes) nocsr = NULL;
  guint8 nonce[TH_CSR_NONCE_LEN] = { 0 };
  const guint8 *data;
  gsize len;

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (1), g_bytes_get_data (csr, NULL),
                           g_bytes_get_size (csr));
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (2), nonce, sizeof nonce);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (4), nonce, 3);
  th_tlv_writer_end_container (&writer);
  nocsr = th_tlv_writer_finish (&writer);

  data = g_bytes_get_data (attestation, &len);
  for (gsize n = 0; n < len; n++)
    {
      ThAttestationElements elements;
      g_autoptr(GError) error = NULL;

      g_assert_false (th_attestation_elements_decode (data, n, &elements, &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED);
    }
  data = g_bytes_get_data (nocsr, &len);
  for (gsize n = 0; n < len; n++)
    {
      ThNocsrElements elements;
      g_autoptr(GError) error = NULL;

      g_assert_false (th_nocsr_elements_decode (data, n, &elements, &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED);
    }
}

/* ReportData messages built with the TLV writer */
static void
report_begin (ThTlvWriter *writer)
{
  th_tlv_writer_init (writer);
  th_tlv_writer_start_structure (writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_start_array (writer, TH_TLV_CONTEXT (1));
}

static void
report_path (ThTlvWriter *writer,
             guint32      cluster,
             guint32      attribute)
{
  th_tlv_writer_start_list (writer, TH_TLV_CONTEXT (1));
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (2), TH_ROOT_ENDPOINT);
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (3), cluster);
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (4), attribute);
  th_tlv_writer_end_container (writer);
}

/* Opens an AttributeDataIB; the caller writes Data (2) and closes it with report_data_end. */
static void
report_data_begin (ThTlvWriter *writer,
                   guint32      cluster,
                   guint32      attribute)
{
  th_tlv_writer_start_structure (writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_start_structure (writer, TH_TLV_CONTEXT (1));
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (0), 1);
  report_path (writer, cluster, attribute);
}

static void
report_data_end (ThTlvWriter *writer)
{
  th_tlv_writer_end_container (writer);
  th_tlv_writer_end_container (writer);
}

static void
report_string (ThTlvWriter *writer,
               guint32      attribute,
               const char  *value)
{
  report_data_begin (writer, TH_CLUSTER_BASIC_INFORMATION, attribute);
  th_tlv_writer_put_string (writer, TH_TLV_CONTEXT (2), value, -1);
  report_data_end (writer);
}

static void
report_uint (ThTlvWriter *writer,
             guint32      cluster,
             guint32      attribute,
             guint64      value)
{
  report_data_begin (writer, cluster, attribute);
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (2), value);
  report_data_end (writer);
}

static void
report_status (ThTlvWriter *writer,
               guint32      cluster,
               guint32      attribute,
               guint8       status)
{
  th_tlv_writer_start_structure (writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_start_structure (writer, TH_TLV_CONTEXT (0));
  th_tlv_writer_start_list (writer, TH_TLV_CONTEXT (0));
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (2), TH_ROOT_ENDPOINT);
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (3), cluster);
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (4), attribute);
  th_tlv_writer_end_container (writer);
  th_tlv_writer_start_structure (writer, TH_TLV_CONTEXT (1));
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (0), status);
  th_tlv_writer_end_container (writer);
  th_tlv_writer_end_container (writer);
  th_tlv_writer_end_container (writer);
}

static void
report_end_into (ThTlvWriter         *writer,
                 ThImAttributeValues *values)
{
  g_autoptr(GBytes) message = NULL;
  g_autoptr(ThImReportData) report = NULL;
  g_autoptr(GError) error = NULL;

  th_tlv_writer_end_container (writer);
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (0xFF), 12);
  th_tlv_writer_end_container (writer);
  message = th_tlv_writer_finish (writer);
  report = th_im_report_data_decode (message, &error);
  g_assert_no_error (error);
  g_assert_true (th_im_attribute_values_add (values, report, &error));
  g_assert_no_error (error);
}

static void
report_basic_information (ThTlvWriter *writer,
                          gboolean     with_vendor_name)
{
  const guint32 bi = TH_CLUSTER_BASIC_INFORMATION;

  report_uint (writer, bi, TH_BASIC_INFORMATION_ATTR_DATA_MODEL_REVISION, 18);
  if (with_vendor_name)
    report_string (writer, TH_BASIC_INFORMATION_ATTR_VENDOR_NAME, "Threshold Labs");
  report_uint (writer, bi, TH_BASIC_INFORMATION_ATTR_VENDOR_ID, 0xFFF1);
  report_string (writer, TH_BASIC_INFORMATION_ATTR_PRODUCT_NAME, "Lamp");
  report_uint (writer, bi, TH_BASIC_INFORMATION_ATTR_PRODUCT_ID, 0x8000);
  report_string (writer, TH_BASIC_INFORMATION_ATTR_NODE_LABEL, "");
  report_string (writer, TH_BASIC_INFORMATION_ATTR_LOCATION, "XX");
  report_uint (writer, bi, TH_BASIC_INFORMATION_ATTR_HARDWARE_VERSION, 1);
  report_string (writer, TH_BASIC_INFORMATION_ATTR_HARDWARE_VERSION_STRING, "v1");
  report_uint (writer, bi, TH_BASIC_INFORMATION_ATTR_SOFTWARE_VERSION, 0x01020304);
  report_string (writer, TH_BASIC_INFORMATION_ATTR_SOFTWARE_VERSION_STRING, "1.2.3.4");
  report_string (writer, TH_BASIC_INFORMATION_ATTR_SERIAL_NUMBER, "SN-0042");
  report_status (writer, bi, TH_BASIC_INFORMATION_ATTR_UNIQUE_ID,
                 TH_IM_STATUS_UNSUPPORTED_ATTRIBUTE);
  report_uint (writer, bi, TH_BASIC_INFORMATION_ATTR_SPECIFICATION_VERSION, 0x01040000);
}

static void
test_basic_information (void)
{
  g_auto(ThTlvWriter) writer = { 0 };
  g_autoptr(ThImAttributeValues) values = th_im_attribute_values_new ();
  g_autoptr(ThImAttributeValues) incomplete = th_im_attribute_values_new ();
  g_autoptr(ThImAttributeValues) wrong = th_im_attribute_values_new ();
  g_auto(ThBasicInformation) info = { 0 };
  g_autoptr(GError) error = NULL;

  report_begin (&writer);
  report_basic_information (&writer, TRUE);
  report_end_into (&writer, values);

  g_assert_true (th_basic_information_decode (values, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.data_model_revision, ==, 18);
  g_assert_cmpstr (info.vendor_name, ==, "Threshold Labs");
  g_assert_cmphex (info.vendor_id, ==, 0xFFF1);
  g_assert_cmpstr (info.product_name, ==, "Lamp");
  g_assert_cmphex (info.product_id, ==, 0x8000);
  g_assert_cmpstr (info.node_label, ==, "");
  g_assert_cmpstr (info.location, ==, "XX");
  g_assert_cmpuint (info.hardware_version, ==, 1);
  g_assert_cmpstr (info.hardware_version_string, ==, "v1");
  g_assert_cmphex (info.software_version, ==, 0x01020304);
  g_assert_cmpstr (info.software_version_string, ==, "1.2.3.4");
  g_assert_cmpstr (info.serial_number, ==, "SN-0042");
  g_assert_null (info.unique_id);          /* refused with UNSUPPORTED_ATTRIBUTE */
  g_assert_null (info.product_url);        /* not reported */
  g_assert_true (info.has_specification_version);
  g_assert_cmphex (info.specification_version, ==, 0x01040000);
  g_assert_false (info.has_max_paths_per_invoke);
  th_basic_information_clear (&info);

  /* a mandatory attribute missing */
  report_begin (&writer);
  report_basic_information (&writer, FALSE);
  report_end_into (&writer, incomplete);
  g_assert_false (th_basic_information_decode (incomplete, &info, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_NOT_REPORTED);
  g_assert_cmpstr (error->message, ==, "The device did not report attribute 0x0001 of cluster "
                   "0x0028 on endpoint 0");
  g_assert_null (info.vendor_name);
  g_clear_error (&error);

  /* an optional attribute of the wrong type is an error all the same */
  report_begin (&writer);
  report_basic_information (&writer, TRUE);
  report_uint (&writer, TH_CLUSTER_BASIC_INFORMATION, TH_BASIC_INFORMATION_ATTR_PRODUCT_URL, 7);
  report_end_into (&writer, wrong);
  g_assert_false (th_basic_information_decode (wrong, &info, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
}

/* The ReportData matter.js sent for a commissioner's first read (see test-im.c). It did not
 * include SupportsConcurrentConnection, so the info is incomplete until a second report adds
 * it. */
static void
test_commissioning_info_matter_js (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("message/secure_session_vectors.json");
  JsonObject *encrypt = json_object_get_object_member (json_node_get_object (root), "encrypt");
  g_autoptr(GBytes) payload = th_test_hex_to_bytes (
    json_object_get_string_member (encrypt, "payloadHex"));
  g_autoptr(GError) error = NULL;
  g_autoptr(ThImReportData) report = th_im_report_data_decode (payload, &error);
  g_autoptr(ThImAttributeValues) values = th_im_attribute_values_new ();
  g_autoptr(GArray) interfaces = NULL;
  g_auto(ThTlvWriter) writer = { 0 };
  ThCommissioningInfo info;
  const ThNetworkInterface *interface;

  g_assert_no_error (error);
  g_assert_true (th_im_attribute_values_add (values, report, &error));

  g_assert_false (th_commissioning_info_decode (values, &info, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_NOT_REPORTED);
  g_assert_nonnull (strstr (error->message, "attribute 0x0004 of cluster 0x0030"));
  g_clear_error (&error);

  report_begin (&writer);
  report_data_begin (&writer, TH_CLUSTER_GENERAL_COMMISSIONING,
                     TH_GENERAL_COMMISSIONING_ATTR_SUPPORTS_CONCURRENT_CONNECTION);
  th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (2), TRUE);
  report_data_end (&writer);
  report_end_into (&writer, values);

  g_assert_true (th_commissioning_info_decode (values, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.breadcrumb, ==, 0);
  g_assert_cmpuint (info.fail_safe_expiry_length_seconds, ==, 60);
  g_assert_false (info.has_max_cumulative_failsafe_seconds);
  g_assert_cmpuint (info.regulatory_config, ==, TH_REGULATORY_LOCATION_INDOOR);
  g_assert_cmpuint (info.location_capability, ==, TH_REGULATORY_LOCATION_INDOOR_OUTDOOR);
  g_assert_true (info.supports_concurrent_connection);

  /* one interface, Wi-Fi, on the root endpoint */
  interfaces = th_network_interfaces_decode (values, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (interfaces->len, ==, 1);
  interface = &g_array_index (interfaces, ThNetworkInterface, 0);
  g_assert_cmpuint (interface->endpoint, ==, 0);
  g_assert_cmphex (interface->features, ==, TH_NETWORK_COMMISSIONING_FEATURE_WIFI);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/clusters/ids", test_ids);
  g_test_add_func ("/clusters/general-commissioning/requests",
                   test_general_commissioning_requests);
  g_test_add_func ("/clusters/general-commissioning/invoke", test_arm_fail_safe_invoke_request);
  g_test_add_func ("/clusters/general-commissioning/response", test_commissioning_response);
  g_test_add_func ("/clusters/operational-credentials/requests",
                   test_operational_credentials_requests);
  g_test_add_func ("/clusters/operational-credentials/add-noc", test_add_noc_and_root);
  g_test_add_func ("/clusters/operational-credentials/signed-elements",
                   test_signed_elements_responses);
  g_test_add_func ("/clusters/operational-credentials/elements-too-long",
                   test_elements_too_long);
  g_test_add_func ("/clusters/operational-credentials/certificate-chain",
                   test_certificate_chain_response);
  g_test_add_func ("/clusters/operational-credentials/noc-response", test_noc_response);
  g_test_add_func ("/clusters/network-commissioning/requests",
                   test_network_commissioning_requests);
  g_test_add_func ("/clusters/network-commissioning/responses", test_network_responses);
  g_test_add_func ("/clusters/network-commissioning/scan", test_scan_networks);
  g_test_add_func ("/clusters/other-requests", test_other_requests);
  g_test_add_func ("/clusters/attestation-elements", test_attestation_elements);
  g_test_add_func ("/clusters/attestation-elements/malformed",
                   test_attestation_elements_malformed);
  g_test_add_func ("/clusters/attestation-elements/round-trip",
                   test_attestation_elements_round_trip);
  g_test_add_func ("/clusters/nocsr-elements", test_nocsr_elements);
  g_test_add_func ("/clusters/nocsr-elements/malformed", test_nocsr_elements_malformed);
  g_test_add_func ("/clusters/elements/truncation", test_elements_truncation);
  g_test_add_func ("/clusters/basic-information", test_basic_information);
  g_test_add_func ("/clusters/commissioning-info/matter-js", test_commissioning_info_matter_js);

  return g_test_run ();
}
