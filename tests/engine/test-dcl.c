/* test-dcl.c: the compliance ledger's parsers and client against a local fixture, the cache,
 * the PAA trust store sync, and the pairing hints in words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "credentials/th-paa-store.h"
#include "dcl/th-dcl-client.h"
#include "dcl/th-dcl-records.h"
#include "dcl/th-paa-sync.h"
#include "th-dcl-fixture.h"
#include "th-error.h"
#include "th-test-utils.h"

/* ---- Helpers ---- */

#define TEXT_AND_LEN(text) (text), strlen (text)

static char *
fixture_path (const char *name)
{
  const char *dir = g_getenv ("TH_DCL_FIXTURES");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

static GBytes *
load_fixture (const char *name)
{
  g_autofree char *path = fixture_path (name);
  g_autoptr(GError) error = NULL;
  char *contents;
  gsize len;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static char *
vector_path (const char *relative)
{
  return g_build_filename (th_test_vectors_dir (), relative, NULL);
}

static ThDclModel *
parse_model_text (const char  *text,
                  GError     **error)
{
  return th_dcl_model_parse (text, strlen (text), error);
}

static ThDclModel *
parse_model_fixture (const char *name)
{
  g_autoptr(GBytes) bytes = load_fixture (name);
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  ThDclModel *model = th_dcl_model_parse (data, len, &error);

  g_assert_no_error (error);
  g_assert_nonnull (model);
  return model;
}

/* A fixture, a client of it with its own cache folder, and a loop to wait in. */
typedef struct
{
  ThDclFixture *fixture;
  ThDclClient *client;
  char *cache_dir;
  GMainLoop *loop;
  GAsyncResult *result;
} Setup;

static void
setup_init (Setup *setup)
{
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;

  dir = g_getenv ("TH_DCL_FIXTURES") != NULL ? g_strdup (g_getenv ("TH_DCL_FIXTURES")) : NULL;
  g_assert_nonnull (dir);
  setup->fixture = th_dcl_fixture_new (dir, &error);
  g_assert_no_error (error);
  setup->cache_dir = g_dir_make_tmp ("test-dcl-XXXXXX", &error);
  g_assert_no_error (error);
  setup->client = th_dcl_client_new (th_dcl_fixture_get_url (setup->fixture), setup->cache_dir);
  setup->loop = g_main_loop_new (NULL, FALSE);
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
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
setup_clear (Setup *setup)
{
  g_clear_object (&setup->client);
  th_dcl_fixture_free (setup->fixture);
  remove_tree (setup->cache_dir);
  g_free (setup->cache_dir);
  g_main_loop_unref (setup->loop);
  g_clear_object (&setup->result);
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

static GAsyncResult *
wait_result (Setup *setup)
{
  g_clear_object (&setup->result);
  g_main_loop_run (setup->loop);
  return setup->result;
}

static ThDclModel *
get_model (Setup        *setup,
           guint16       vendor_id,
           guint16       product_id,
           ThDclOrigin  *origin,
           GError      **error)
{
  th_dcl_client_get_model_async (setup->client, vendor_id, product_id, NULL, on_done, setup);
  return th_dcl_client_get_model_finish (setup->client, wait_result (setup), origin, error);
}

/* ---- Parsers ---- */

static void
test_parse_model (void)
{
  g_autoptr(ThDclModel) model = parse_model_fixture ("model-fff1-8000.json");

  g_assert_cmpuint (model->vendor_id, ==, 0xFFF1);
  g_assert_cmpuint (model->product_id, ==, 0x8000);
  g_assert_true (model->has_device_type_id);
  g_assert_cmpuint (model->device_type_id, ==, 256);
  g_assert_cmpstr (model->product_name, ==, "Threshold Test Light");
  g_assert_cmpstr (model->part_number, ==, "TTL-8000");
  g_assert_cmpint (model->custom_flow, ==, TH_COMMISSIONING_FLOW_CUSTOM);
  g_assert_cmpstr (model->custom_flow_url, ==,
                   "@FLOW_URL_BASE@/matter/setup?vid=FFF1&pid=8000&MTop=_&MTcu=_#welcome");
  g_assert_cmpuint (model->initial_steps_hint, ==, 32770);
  g_assert_cmpstr (model->initial_steps_instruction, ==, "5");
  g_assert_cmpuint (model->secondary_steps_hint, ==, 4);
  /* the ledger's "" is no text at all */
  g_assert_null (model->secondary_steps_instruction);
  g_assert_null (model->lsf_url);
  g_assert_cmpuint (model->factory_reset_steps_hint, ==, 256);
  g_assert_cmpstr (model->user_manual_url, ==, "https://vendor.example/manuals/ttl-8000.pdf");
  g_assert_cmpstr (model->support_url, ==, "https://vendor.example/support");
  g_assert_true (model->has_discovery_capabilities);
  g_assert_cmpuint (model->discovery_capabilities, ==, 4);
  g_assert_cmpstr (model->creator, ==, "cosmos1thresholdtestvendor0000000000000000fff1");
}

static void
test_parse_model_other_spellings (void)
{
  g_autoptr(ThDclModel) plug = parse_model_fixture ("model-fff2-8001.json");
  g_autoptr(ThDclModel) sensor = parse_model_fixture ("model-fff1-8001.json");
  g_autoptr(ThDclModel) lock = parse_model_fixture ("model-fff1-8002-http.json");

  /* the older capitalised URL names */
  g_assert_cmpint (plug->custom_flow, ==, TH_COMMISSIONING_FLOW_USER_INTENT);
  g_assert_null (plug->custom_flow_url);
  g_assert_cmpstr (plug->user_manual_url, ==, "https://plugs.example/manual");
  g_assert_cmpstr (plug->support_url, ==, "https://plugs.example/help");
  /* chip-tool's name of the maintenance URL */
  g_assert_cmpstr (plug->maintenance_url, ==, "https://plugs.example/maintenance");
  /* numbers as decimal text, up to 2^64 - 1 */
  g_assert_cmpuint (plug->lsf_revision, ==, 0);
  g_assert_cmpuint (plug->enhanced_setup_flow_tc_file_size, ==, G_MAXUINT64);
  g_assert_false (plug->has_discovery_capabilities);

  g_assert_cmpstr (sensor->enhanced_setup_flow_tc_url, ==,
                   "https://vendor.example/terms/65521/32769");
  g_assert_cmpuint (sensor->enhanced_setup_flow_tc_revision, ==, 3);

  /* most fields left out */
  g_assert_cmpstr (lock->product_name, ==, "Threshold Test Lock");
  g_assert_false (lock->has_device_type_id);
  g_assert_null (lock->product_label);
  g_assert_cmpuint (lock->secondary_steps_hint, ==, 0);
  g_assert_cmpuint (lock->schema_version, ==, 0);
}

static void
test_parse_invalid (void)
{
  g_autofree char *deep = NULL;
  g_autoptr(GString) nested = g_string_new ("{\"model\": {\"vid\": 1, \"pid\": 1, \"x\": ");
  const struct
  {
    const char *text;
    gssize len;               /* -1: strlen */
    const char *message;
  } cases[] = {
    { "", -1, "is empty" },
    { "{", -1, "not valid JSON" },
    { "{\"model\": {\"vid\": 1, \"pid\": 1}} trailing", -1, "not valid JSON" },
    { "[]", -1, "not a JSON object" },
    { "\"model\"", -1, "not a JSON object" },
    { "{}", -1, "has no “model”" },
    { "{\"model\": null}", -1, "has no “model”" },
    { "{\"model\": 1}", -1, "“model” is a number where an object was expected" },
    { "{\"model\": [] }", -1, "“model” is a list where an object was expected" },
    { "{\"model\": {\"pid\": 1}}", -1, "has no “model.vid”" },
    { "{\"model\": {\"vid\": 1}}", -1, "has no “model.pid”" },
    { "{\"model\": {\"vid\": -1, \"pid\": 1}}", -1,
      "“model.vid” is -1 where a whole number from 0 to 65535 was expected" },
    { "{\"model\": {\"vid\": 65536, \"pid\": 1}}", -1, "“model.vid” is 65536" },
    { "{\"model\": {\"vid\": 1.5, \"pid\": 1}}", -1, "“model.vid” is a number with a fraction" },
    { "{\"model\": {\"vid\": \"12a\", \"pid\": 1}}", -1, "“model.vid” is the text “12a”" },
    { "{\"model\": {\"vid\": \"-1\", \"pid\": 1}}", -1, "“model.vid” is the text “-1”" },
    { "{\"model\": {\"vid\": \"\", \"pid\": 1}}", -1, "“model.vid” is the text “”" },
    { "{\"model\": {\"vid\": true, \"pid\": 1}}", -1, "“model.vid” is true or false" },
    { "{\"model\": {\"vid\": 1, \"pid\": 1, \"productName\": 5}}", -1,
      "“model.productName” is a number where text was expected" },
    { "{\"model\": {\"vid\": 1, \"pid\": 1, \"productName\": {}}}", -1,
      "“model.productName” is an object where text was expected" },
    { "{\"model\": {\"vid\": 1, \"pid\": 1, \"commissioningCustomFlow\": 3}}", -1,
      "“model.commissioningCustomFlow” is 3 where a whole number from 0 to 2" },
    { "{\"model\": {\"vid\": 1, \"pid\": 1, \"commissioningModeInitialStepsHint\": 4294967296}}",
      -1, "“model.commissioningModeInitialStepsHint” is 4294967296" },
    { "{\"model\": {\"vid\": 1, \"pid\": 1, \"enhancedSetupFlowTCFileSize\": "
      "\"18446744073709551616\"}}", -1, "“model.enhancedSetupFlowTCFileSize” is the text" },
    { "{\"model\": {\"vid\": 1, \"pid\": 1, \"productName\": \"a\\u001bb\"}}", -1,
      "“model.productName” holds the control character U+001B at character 1" },
    { "{\"model\": {\"vid\": 1, \"pid\": 1, \"productName\": \"a\\u0085\"}}", -1,
      "control character U+0085" },
    { "{\"model\": {\"vid\": 1, \"pid\": 1, \"commissioningCustomFlowURL\": 7}}", -1,
      "“model.commissioningCustomFlowURL” is a number" },
    { "{\"model\": {\"vid\": 1, \"pid\": 1, \"name\": \"\xff\"}}", -1,
      "not UTF-8 text: byte 40 is not valid" },
    { "{\"model\": {\"vid\": 1,\0 \"pid\": 1}}", 30, "not UTF-8 text: byte 20 is not valid" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gsize len = cases[i].len >= 0 ? (gsize) cases[i].len : strlen (cases[i].text);
      g_autoptr(ThDclModel) model = th_dcl_model_parse (cases[i].text, len, &error);
      g_autofree char *printable = g_strescape (cases[i].text, NULL);

      g_test_message ("case %u: %s", i, printable);
      g_assert_null (model);
      g_assert_error (error, TH_ERROR, TH_ERROR_DCL_INVALID);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: “%s” does not say “%s”", i, error->message, cases[i].message);
    }

  /* nesting beyond what the ledger ever sends is refused before json-glib recurses into it */
  for (guint i = 0; i < TH_DCL_MAX_DEPTH; i++)
    g_string_append_c (nested, '[');
  for (guint i = 0; i < TH_DCL_MAX_DEPTH; i++)
    g_string_append_c (nested, ']');
  g_string_append (nested, "}}");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ThDclModel) model = parse_model_text (nested->str, &error);

    g_assert_null (model);
    g_assert_error (error, TH_ERROR, TH_ERROR_DCL_INVALID);
    g_assert_nonnull (strstr (error->message, "nests deeper than 32 levels, at byte 66"));
  }
  /* brackets inside strings do not count */
  deep = g_strdup_printf ("{\"model\": {\"vid\": 1, \"pid\": 1, \"productName\": \"%s\\\"[\"}}",
                          "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ThDclModel) model = parse_model_text (deep, &error);

    g_assert_no_error (error);
    g_assert_true (g_str_has_suffix (model->product_name, "[\"["));
  }
}

static void
test_parse_vendor (void)
{
  g_autoptr(GBytes) first = load_fixture ("vendor-fff1.json");
  g_autoptr(GBytes) second = load_fixture ("vendor-fff2.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(ThDclVendor) vendor = NULL;
  gsize len;
  const char *data;

  data = g_bytes_get_data (first, &len);
  vendor = th_dcl_vendor_parse (data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vendor->vendor_id, ==, 0xFFF1);
  g_assert_cmpstr (vendor->vendor_name, ==, "Threshold Test Vendor");
  g_assert_cmpstr (vendor->company_legal_name, ==, "Threshold Test Vendor Ltd.");
  g_assert_cmpstr (vendor->landing_page_url, ==, "https://vendor.example/");
  g_assert_cmpstr (th_dcl_vendor_get_display_name (vendor), ==, "Threshold Test Vendor");
  g_clear_pointer (&vendor, th_dcl_vendor_free);

  /* no vendor name: the preferred company name; the landing page under its other spelling */
  data = g_bytes_get_data (second, &len);
  vendor = th_dcl_vendor_parse (data, len, &error);
  g_assert_no_error (error);
  g_assert_null (vendor->vendor_name);
  g_assert_cmpstr (th_dcl_vendor_get_display_name (vendor), ==, "Plugs Example");
  g_assert_cmpstr (vendor->landing_page_url, ==, "https://plugs.example/");
  g_clear_pointer (&vendor, th_dcl_vendor_free);

  vendor = th_dcl_vendor_parse (TEXT_AND_LEN ("{\"vendorInfo\": {\"vendorName\": \"x\"}}"), &error);
  g_assert_null (vendor);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_INVALID);
  g_assert_nonnull (strstr (error->message, "“vendorInfo.vendorID”"));
}

static void
test_parse_pki (void)
{
  const char *roots = "{\"approvedRootCertificates\": {\"schemaVersion\": 0, \"certs\": ["
                      "{\"subject\": \"MBox\", \"subjectKeyId\": \"78:5C\"},"
                      "{\"subject\": \"MBoy\", \"subjectKeyId\": \"6A:FD\", \"vid\": 4937}]}}";
  const char *certificates = "{\"approvedCertificates\": {\"subject\": \"MBox\", \"certs\": ["
                             "{\"pemCert\": \"-----BEGIN CERTIFICATE-----\\nMII=\\n\", "
                             "\"isRoot\": true, \"vid\": 65521, \"subjectAsText\": \"CN=x\"}]}}";
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  ThDclCertificateId *id;
  ThDclCertificate *certificate;

  list = th_dcl_root_certificates_parse (roots, strlen (roots), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  id = g_ptr_array_index (list, 1);
  g_assert_cmpstr (id->subject, ==, "MBoy");
  g_assert_cmpstr (id->subject_key_id, ==, "6A:FD");
  g_clear_pointer (&list, g_ptr_array_unref);

  /* no roots at all: the list is left out */
  list = th_dcl_root_certificates_parse (TEXT_AND_LEN ("{\"approvedRootCertificates\": {}}"),
                                         &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);

  list = th_dcl_root_certificates_parse (TEXT_AND_LEN ("{\"approvedRootCertificates\": "
                                                       "{\"certs\": [1]}}"),
                                         &error);
  g_assert_null (list);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_INVALID);
  g_assert_nonnull (strstr (error->message, "“approvedRootCertificates.certs[0]” is a number"));
  g_clear_error (&error);

  list = th_dcl_certificates_parse (certificates, strlen (certificates), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  certificate = g_ptr_array_index (list, 0);
  g_assert_true (g_str_has_prefix (certificate->pem, "-----BEGIN CERTIFICATE-----\n"));
  g_assert_true (certificate->is_root);
  g_assert_true (certificate->has_vendor_id);
  g_assert_cmpuint (certificate->vendor_id, ==, 0xFFF1);
  g_assert_cmpstr (certificate->subject_as_text, ==, "CN=x");
  g_clear_pointer (&list, g_ptr_array_unref);

  list = th_dcl_certificates_parse (TEXT_AND_LEN ("{\"approvedCertificates\": {\"certs\": []}}"),
                                    &error);
  g_assert_null (list);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_INVALID);
  g_assert_nonnull (strstr (error->message, "“approvedCertificates.certs[0]”"));
  g_clear_error (&error);

  list = th_dcl_certificates_parse (TEXT_AND_LEN ("{\"approvedCertificates\": {\"certs\": "
                                                  "[{\"pemCert\": \"x\","
                                    "\"isRoot\": 1}]}}"), &error);
  g_assert_null (list);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_INVALID);
  g_assert_nonnull (strstr (error->message, "“approvedCertificates.certs[0].isRoot” is a number "
                                            "where true or false was expected"));
}

static void
test_parse_revocation_points (void)
{
  g_autoptr(GBytes) first = load_fixture ("revocation-points-1.json");
  g_autoptr(GBytes) last = load_fixture ("revocation-points-2.json");
  g_autoptr(GBytes) by_issuer = load_fixture ("revocation-points-issuer.json");
  g_autoptr(GPtrArray) points = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next_key = NULL;
  ThDclRevocationPoint *point;
  gsize len;
  const char *data;

  data = g_bytes_get_data (first, &len);
  points = th_dcl_revocation_points_parse (data, len, &next_key, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (points->len, ==, 1);
  g_assert_cmpstr (next_key, ==, "cGFnZS8y");
  point = g_ptr_array_index (points, 0);
  g_assert_cmpuint (point->vendor_id, ==, 0xFFF1);
  g_assert_true (point->is_paa);
  g_assert_cmpstr (point->label, ==, "test-paa-crl");
  g_assert_cmpstr (point->issuer_subject_key_id, ==, "785CE705B86B8F4E6FC793AA60CB43EA696882D5");
  g_assert_cmpstr (point->data_url, ==, "@FIXTURE_URL@/crl/paa.crl");
  g_assert_cmpuint (point->data_file_size, ==, 1024);
  g_assert_cmpuint (point->revocation_type, ==, 1);
  g_clear_pointer (&points, g_ptr_array_unref);
  g_clear_pointer (&next_key, g_free);

  data = g_bytes_get_data (last, &len);
  points = th_dcl_revocation_points_parse (data, len, &next_key, &error);
  g_assert_no_error (error);
  g_assert_null (next_key);
  point = g_ptr_array_index (points, 0);
  g_assert_cmpuint (point->product_id, ==, 0x8001);
  g_assert_cmpuint (point->data_digest_type, ==, 1);
  g_clear_pointer (&points, g_ptr_array_unref);

  data = g_bytes_get_data (by_issuer, &len);
  points = th_dcl_revocation_points_parse (data, len, &next_key, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (points->len, ==, 1);
  g_assert_null (next_key);
  g_clear_pointer (&points, g_ptr_array_unref);

  /* an empty page may leave its list out */
  points = th_dcl_revocation_points_parse (TEXT_AND_LEN ("{\"pagination\": "
                                                         "{\"next_key\": null}}"), NULL,
                                           &error);
  g_assert_no_error (error);
  g_assert_cmpuint (points->len, ==, 0);
  g_clear_pointer (&points, g_ptr_array_unref);

  points = th_dcl_revocation_points_parse (TEXT_AND_LEN ("{\"points\": []}"), NULL, &error);
  g_assert_null (points);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_INVALID);
  g_assert_nonnull (strstr (error->message, "has no “PkiRevocationDistributionPoint”"));
  g_clear_error (&error);

  points = th_dcl_revocation_points_parse (TEXT_AND_LEN ("{\"PkiRevocationDistributionPoint\": "
                                                         "[{\"vid\": 1, "
                                           "\"issuerSubjectKeyID\": \"AA\"}]}"), NULL,
                                           &error);
  g_assert_null (points);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_INVALID);
  g_assert_nonnull (strstr (error->message, "has no “PkiRevocationDistributionPoint[0].dataURL”"));
  g_clear_error (&error);

  points = th_dcl_revocation_points_parse (TEXT_AND_LEN ("{\"PkiRevocationDistributionPoint\": [], "
                                           "\"pagination\": {\"next_key\": 5}}"), NULL,
                                           &error);
  g_assert_null (points);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_INVALID);
  g_assert_nonnull (strstr (error->message, "“pagination.next_key” is a number"));
}

static void
test_pairing_hints (void)
{
  g_autoptr(ThDclModel) light = parse_model_fixture ("model-fff1-8000.json");
  g_autoptr(ThDclModel) plug = parse_model_fixture ("model-fff2-8001.json");
  g_autoptr(ThDclModel) lock = parse_model_fixture ("model-fff1-8002-http.json");
  g_auto(GStrv) initial = th_dcl_model_describe_initial_steps (light);
  g_auto(GStrv) secondary = th_dcl_model_describe_secondary_steps (light);
  g_auto(GStrv) plug_initial = th_dcl_model_describe_initial_steps (plug);
  g_auto(GStrv) plug_secondary = th_dcl_model_describe_secondary_steps (plug);
  g_auto(GStrv) lock_secondary = th_dcl_model_describe_secondary_steps (lock);
  const char *const light_initial[] = {
    "Follow the instructions on the manufacturer’s website",
    "Press the setup button for 5 seconds",
    NULL
  };
  const char *const light_secondary[] = {
    "Open a commissioning window from an app that already controls the device",
    NULL
  };
  const char *const blue[] = {
    "Press the setup button until the light blinks: “blue”",
    NULL
  };
  const char *const setup_button[] = { "Press the setup button", NULL };

  /* the same sentences as the DNS-SD PH/PI keys give */
  g_assert_cmpstrv (initial, light_initial);
  g_assert_cmpstrv (secondary, light_secondary);
  g_assert_cmpstrv (plug_initial, blue);
  g_assert_cmpstrv (plug_secondary, setup_button);
  g_assert_cmpuint (g_strv_length (lock_secondary), ==, 0);
}

/* ---- The client ---- */

static void
test_client_model_and_cache (void)
{
  Setup setup = { 0 };
  g_auto(ThDclOrigin) origin = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ThDclModel) model = NULL;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  const char *path = "/dcl/model/models/65521/32768";

  setup_init (&setup);
  model = get_model (&setup, 0xFFF1, 0x8000, &origin, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->product_name, ==, "Threshold Test Light");
  g_assert_cmpint (origin.source, ==, TH_DCL_SOURCE_NETWORK);
  g_assert_cmpint (origin.fetched_at, >=, before);
  g_assert_null (origin.problem);
  g_assert_cmpuint (th_dcl_fixture_count_requests (setup.fixture, path), ==, 1);
  g_clear_pointer (&model, th_dcl_model_free);
  th_dcl_origin_clear (&origin);

  /* asked again: from the cache, no request */
  model = get_model (&setup, 0xFFF1, 0x8000, &origin, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->product_name, ==, "Threshold Test Light");
  g_assert_cmpint (origin.source, ==, TH_DCL_SOURCE_CACHE);
  g_assert_cmpuint (th_dcl_fixture_count_requests (setup.fixture, path), ==, 1);
  g_clear_pointer (&model, th_dcl_model_free);
  th_dcl_origin_clear (&origin);

  /* a client of the same ledger and folder, as the next run of the program is */
  g_clear_object (&setup.client);
  setup.client = th_dcl_client_new (th_dcl_fixture_get_url (setup.fixture), setup.cache_dir);
  model = get_model (&setup, 0xFFF1, 0x8000, &origin, &error);
  g_assert_no_error (error);
  g_assert_cmpint (origin.source, ==, TH_DCL_SOURCE_CACHE);
  g_assert_cmpuint (th_dcl_fixture_count_requests (setup.fixture, path), ==, 1);
  g_clear_pointer (&model, th_dcl_model_free);
  th_dcl_origin_clear (&origin);

  /* expired: asked again */
  th_dcl_client_set_cache_lifetime (setup.client, 0);
  model = get_model (&setup, 0xFFF1, 0x8000, &origin, &error);
  g_assert_no_error (error);
  g_assert_cmpint (origin.source, ==, TH_DCL_SOURCE_NETWORK);
  g_assert_cmpuint (th_dcl_fixture_count_requests (setup.fixture, path), ==, 2);
  g_clear_pointer (&model, th_dcl_model_free);
  th_dcl_origin_clear (&origin);

  /* the ledger failing: the kept answer, with the reason */
  th_dcl_fixture_set_failing (setup.fixture, 503);
  model = get_model (&setup, 0xFFF1, 0x8000, &origin, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->product_name, ==, "Threshold Test Light");
  g_assert_cmpint (origin.source, ==, TH_DCL_SOURCE_STALE_CACHE);
  g_assert_error (origin.problem, TH_ERROR, TH_ERROR_DCL_HTTP);
  g_assert_nonnull (strstr (origin.problem->message, "answered “503 Service Unavailable”"));
  g_clear_pointer (&model, th_dcl_model_free);
  th_dcl_origin_clear (&origin);

  /* a 404 is the ledger's word, whatever the cache holds */
  th_dcl_fixture_set_failing (setup.fixture, 404);
  model = get_model (&setup, 0xFFF1, 0x8000, &origin, &error);
  g_assert_null (model);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_NOT_FOUND);
  g_clear_error (&error);

  /* the ledger gone: the kept answer */
  th_dcl_fixture_set_failing (setup.fixture, 0);
  th_dcl_fixture_stop (setup.fixture);
  model = get_model (&setup, 0xFFF1, 0x8000, &origin, &error);
  g_assert_no_error (error);
  g_assert_cmpint (origin.source, ==, TH_DCL_SOURCE_STALE_CACHE);
  g_assert_error (origin.problem, TH_ERROR, TH_ERROR_DCL_UNREACHABLE);
  g_assert_nonnull (strstr (origin.problem->message, "could not be reached"));
  g_clear_pointer (&model, th_dcl_model_free);
  th_dcl_origin_clear (&origin);

  /* gone, with nothing kept: the reason */
  model = get_model (&setup, 0xFFF2, 0x8001, &origin, &error);
  g_assert_null (model);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, th_dcl_fixture_get_url (setup.fixture)));
  g_clear_error (&error);

  /* offline: the kept answer whatever its age, and nothing asked */
  th_dcl_client_set_offline (setup.client, TRUE);
  model = get_model (&setup, 0xFFF1, 0x8000, &origin, &error);
  g_assert_no_error (error);
  g_assert_cmpint (origin.source, ==, TH_DCL_SOURCE_STALE_CACHE);
  g_assert_error (origin.problem, TH_ERROR, TH_ERROR_DCL_NOT_CACHED);
  g_clear_pointer (&model, th_dcl_model_free);
  th_dcl_origin_clear (&origin);
  model = get_model (&setup, 0xFFF2, 0x8001, &origin, &error);
  g_assert_null (model);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_NOT_CACHED);
  g_assert_nonnull (strstr (error->message, "/dcl/model/models/65522/32769"));
  g_clear_error (&error);
  /* offline with an answer young enough: used as it is */
  th_dcl_client_set_cache_lifetime (setup.client, TH_DCL_DEFAULT_CACHE_LIFETIME_S);
  model = get_model (&setup, 0xFFF1, 0x8000, &origin, &error);
  g_assert_no_error (error);
  g_assert_cmpint (origin.source, ==, TH_DCL_SOURCE_CACHE);
  g_assert_null (origin.problem);
  g_clear_pointer (&model, th_dcl_model_free);
  th_dcl_origin_clear (&origin);

  setup_clear (&setup);
}

static void
test_client_cache_files (void)
{
  Setup setup = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ThDclModel) model = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected_head = NULL;
  const char *name;
  guint n_files = 0;

  setup_init (&setup);
  model = get_model (&setup, 0xFFF1, 0x8000, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&model, th_dcl_model_free);

  dir = g_dir_open (setup.cache_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_assert_true (g_str_has_suffix (name, ".json"));
      g_assert_cmpuint (strlen (name), ==, 32 + 5);
      file = g_build_filename (setup.cache_dir, name, NULL);
      n_files++;
    }
  /* written whole and renamed: no temporary file is left beside it */
  g_assert_cmpuint (n_files, ==, 1);
  g_file_get_contents (file, &contents, NULL, &error);
  g_assert_no_error (error);
  expected_head = g_strdup_printf (" %s/dcl/model/models/65521/32768\n{",
                                   th_dcl_fixture_get_url (setup.fixture));
  g_assert_true (g_str_has_prefix (contents, "threshold-dcl-cache 1 "));
  g_assert_nonnull (strstr (contents, expected_head));

  /* a damaged file counts as none: the ledger is asked again, and the file replaced */
  g_file_set_contents (file, "threshold-dcl-cache 1 x\n{}", -1, &error);
  g_assert_no_error (error);
  model = get_model (&setup, 0xFFF1, 0x8000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (th_dcl_fixture_count_requests (setup.fixture,
                                                   "/dcl/model/models/65521/32768"), ==, 2);
  g_clear_pointer (&contents, g_free);
  g_file_get_contents (file, &contents, NULL, &error);
  g_assert_true (g_str_has_prefix (contents, "threshold-dcl-cache 1 "));
  g_assert_nonnull (strstr (contents, "Threshold Test Light"));

  setup_clear (&setup);
}

static void
test_client_errors (void)
{
  Setup setup = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ThDclModel) model = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gint64 started;
  double seconds;

  setup_init (&setup);

  model = get_model (&setup, 0x1234, 0x5678, NULL, &error);
  g_assert_null (model);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "The compliance ledger has no model with vendor ID 0x1234 "
                                       "and product ID 0x5678.");
  g_clear_error (&error);

  model = get_model (&setup, 0xFFF1, 1, NULL, &error);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_HTTP);
  g_assert_nonnull (strstr (error->message, "answered “500 Internal Server Error”"));
  g_clear_error (&error);

  model = get_model (&setup, 0xFFF1, 2, NULL, &error);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_INVALID);
  g_assert_nonnull (strstr (error->message, "not valid JSON"));
  g_clear_error (&error);

  model = get_model (&setup, 0xFFF1, 5, NULL, &error);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_INVALID);
  g_assert_nonnull (strstr (error->message, "“model.pid” is 70000"));
  g_clear_error (&error);

  /* a slow answer: the timeout bounds the whole request */
  th_dcl_client_set_timeout (setup.client, 300);
  started = g_get_monotonic_time ();
  model = get_model (&setup, 0xFFF1, 3, NULL, &error);
  seconds = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "did not answer within 0.3 seconds"));
  g_assert_cmpfloat (seconds, <, 2.5);
  g_clear_error (&error);
  th_dcl_client_set_timeout (setup.client, TH_DCL_DEFAULT_TIMEOUT_MS);

  /* the connection cut halfway through the answer */
  model = get_model (&setup, 0xFFF1, 4, NULL, &error);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, "broke off"));
  g_clear_error (&error);

  /* cancelled by the caller while the answer is awaited */
  th_dcl_client_get_model_async (setup.client, 0xFFF1, 3, cancellable, on_done, &setup);
  g_timeout_add_once (100, (GSourceOnceFunc) g_cancellable_cancel, cancellable);
  model = th_dcl_client_get_model_finish (setup.client, wait_result (&setup), NULL, &error);
  g_assert_null (model);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* none of these was kept */
  th_dcl_fixture_stop (setup.fixture);
  model = get_model (&setup, 0xFFF1, 2, NULL, &error);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_UNREACHABLE);

  setup_clear (&setup);
}

static void
test_client_vendor_and_revocation_points (void)
{
  Setup setup = { 0 };
  g_auto(ThDclOrigin) origin = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ThDclVendor) vendor = NULL;
  g_autoptr(GPtrArray) points = NULL;

  setup_init (&setup);
  th_dcl_client_get_vendor_async (setup.client, 0xFFF2, NULL, on_done, &setup);
  vendor = th_dcl_client_get_vendor_finish (setup.client, wait_result (&setup), &origin, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (th_dcl_vendor_get_display_name (vendor), ==, "Plugs Example");
  g_assert_cmpint (origin.source, ==, TH_DCL_SOURCE_NETWORK);
  th_dcl_origin_clear (&origin);

  th_dcl_client_get_vendor_async (setup.client, 0x1234, NULL, on_done, &setup);
  g_assert_null (th_dcl_client_get_vendor_finish (setup.client, wait_result (&setup), NULL,
                                                  &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "The compliance ledger has no vendor with ID 0x1234.");
  g_clear_error (&error);

  /* every page, in order */
  th_dcl_client_get_revocation_points_async (setup.client, NULL, NULL, on_done, &setup);
  points = th_dcl_client_get_revocation_points_finish (setup.client, wait_result (&setup),
                                                       &origin, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (points->len, ==, 2);
  g_assert_cmpstr (((ThDclRevocationPoint *) g_ptr_array_index (points, 0))->label, ==,
                   "test-paa-crl");
  g_assert_cmpstr (((ThDclRevocationPoint *) g_ptr_array_index (points, 1))->label, ==,
                   "plug-pai-crl");
  g_assert_cmpuint (th_dcl_fixture_count_requests (
                      setup.fixture, "/dcl/pki/revocation-points?pagination.key=cGFnZS8y"), ==,
                    1);
  g_clear_pointer (&points, g_ptr_array_unref);
  th_dcl_origin_clear (&origin);

  th_dcl_client_get_revocation_points_async (setup.client,
                                             "785CE705B86B8F4E6FC793AA60CB43EA696882D5", NULL,
                                             on_done, &setup);
  points = th_dcl_client_get_revocation_points_finish (setup.client, wait_result (&setup),
                                                       NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (points->len, ==, 1);
  g_clear_pointer (&points, g_ptr_array_unref);

  /* the pages again, from the cache, with the second page's ledger gone */
  th_dcl_fixture_stop (setup.fixture);
  th_dcl_client_get_revocation_points_async (setup.client, NULL, NULL, on_done, &setup);
  points = th_dcl_client_get_revocation_points_finish (setup.client, wait_result (&setup),
                                                       &origin, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (points->len, ==, 2);
  g_assert_cmpint (origin.source, ==, TH_DCL_SOURCE_CACHE);

  setup_clear (&setup);
}

static void
test_base_url (void)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  const char *const good[] = {
    "https://on.dcl.csa-iot.org", "http://127.0.0.1:8080", "https://ledger.example/prefix/",
  };
  const char *const bad[] = {
    "", "on.dcl.csa-iot.org", "ftp://ledger.example", "https://", "https://ledger.example/?x=1",
    "https://ledger.example/#top", "https://user@ledger.example", "https://ledger.example/a b",
    "https://ledger.example/\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_assert_true (th_dcl_check_base_url (good[i], &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (th_dcl_check_base_url (bad[i], &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_DCL_UNREACHABLE);
      g_clear_error (&error);
    }

  /* GSETTINGS_BACKEND=memory and the schema compiled in the build tree */
  url = th_dcl_default_base_url ();
  g_assert_cmpstr (url, ==, TH_DCL_MAIN_NET_URL);
  g_clear_pointer (&url, g_free);
  settings = g_settings_new ("io.github.threshold.Threshold");
  g_settings_set_string (settings, "dcl-network", "test");
  url = th_dcl_default_base_url ();
  g_assert_cmpstr (url, ==, TH_DCL_TEST_NET_URL);
  g_clear_pointer (&url, g_free);
  g_settings_set_string (settings, "dcl-url-override", "http://127.0.0.1:9");
  url = th_dcl_default_base_url ();
  g_assert_cmpstr (url, ==, "http://127.0.0.1:9");
  g_settings_reset (settings, "dcl-url-override");
  g_settings_reset (settings, "dcl-network");
}

/* ---- The PAA trust store ---- */

#define TEST_ATTESTATION "credentials/test/attestation/"
#define DEVELOPMENT_PAAS "credentials/development/paa-root-certs/"

typedef struct
{
  Setup setup;
  char *store;
} SyncSetup;

static ThPaaSyncReport *
sync_store (SyncSetup  *sync,
            GError    **error)
{
  th_paa_sync_async (sync->setup.client, sync->store, NULL, on_done, &sync->setup);
  return th_paa_sync_finish (wait_result (&sync->setup), error);
}

static void
test_paa_sync (void)
{
  SyncSetup sync = { 0 };
  g_autoptr(ThPaaSyncReport) report = NULL;
  g_autoptr(ThPaaStore) store = th_paa_store_new ();
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *paa_novid = vector_path (TEST_ATTESTATION "Chip-Test-PAA-NoVID-Cert.pem");
  g_autofree char *paa_fff1 = vector_path (TEST_ATTESTATION "Chip-Test-PAA-FFF1-Cert.pem");
  g_autofree char *paa_google = vector_path (DEVELOPMENT_PAAS
                                             "dcld_mirror_CN_Matter_PAA_Dev_O_Google_C_US_vid_0x6006"
                                             ".pem");
  g_autofree char *paa_signify = vector_path (DEVELOPMENT_PAAS
                                              "dcld_mirror_CN_Matter_Signify_PAA_Test_1_vid_0x100B"
                                              ".pem");
  g_autofree char *pai = vector_path (TEST_ATTESTATION "Chip-Test-PAI-FFF1-8000-Cert.pem");
  g_autofree char *stale = NULL;
  g_autofree char *other = NULL;
  g_autofree char *empty_cache = NULL;
  const ThPaaEntry *entry;
  gint64 updated, before = g_get_real_time () / G_USEC_PER_SEC;
  guint64 size;
  guint n_added = 0;

  setup_init (&sync.setup);
  sync.store = g_build_filename (sync.setup.cache_dir, "paa", NULL);
  g_assert_true (th_dcl_fixture_add_paa (sync.setup.fixture, paa_novid, &error));
  g_assert_true (th_dcl_fixture_add_paa (sync.setup.fixture, paa_fff1, &error));
  g_assert_true (th_dcl_fixture_add_paa (sync.setup.fixture, paa_google, &error));
  /* listed under a key id that is not its own */
  g_assert_true (th_dcl_fixture_add_paa_as (sync.setup.fixture, paa_signify,
                                            "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                                            "00:11:22:33", &error));
  /* not a root: its issuer is another */
  g_assert_true (th_dcl_fixture_add_paa (sync.setup.fixture, pai, &error));
  g_assert_no_error (error);

  /* a root the ledger no longer lists, and a file that is not the sync's */
  g_assert_cmpint (g_mkdir_with_parents (sync.store, 0700), ==, 0);
  stale = g_build_filename (sync.store, "0102030405060708090A0B0C0D0E0F1011121314.der", NULL);
  other = g_build_filename (sync.store, "mine.txt", NULL);
  g_file_set_contents (stale, "old", -1, &error);
  g_file_set_contents (other, "kept", -1, &error);
  g_assert_no_error (error);

  report = sync_store (&sync, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_listed, ==, 5);
  g_assert_cmpuint (report->n_added, ==, 3);
  g_assert_cmpuint (report->n_updated, ==, 0);
  g_assert_cmpuint (report->n_unchanged, ==, 0);
  g_assert_cmpuint (report->n_removed, ==, 1);
  g_assert_cmpint (report->origin.source, ==, TH_DCL_SOURCE_NETWORK);
  g_assert_cmpuint (report->problems->len, ==, 2);
  for (guint i = 0; i < report->problems->len; i++)
    {
      const GError *problem = g_ptr_array_index (report->problems, i);

      g_test_message ("%s", problem->message);
      g_assert_true (g_str_has_prefix (problem->message, "The PAA root "));
    }
  g_assert_nonnull (strstr (((GError *) g_ptr_array_index (report->problems, 0))->message,
                            "subject key ID is not the one the ledger lists"));
  g_assert_nonnull (strstr (((GError *) g_ptr_array_index (report->problems, 1))->message,
                            "not a self-signed CA certificate"));
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (sync.store, G_FILE_TEST_IS_DIR));

  /* what the attestation verifier reads */
  g_assert_true (th_paa_store_add_directory (store, sync.store, &n_added, &warnings, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_added, ==, 3);
  g_assert_cmpuint (th_paa_store_get_size (store), ==, 3);
  g_assert_cmpint (th_paa_store_get_updated (store), >=, before);
  g_assert_cmpuint (warnings->len, ==, 1);   /* mine.txt */
  g_clear_pointer (&warnings, g_ptr_array_unref);

  entries = th_paa_directory_list (sync.store, &updated, &size, &warnings, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 3);
  g_assert_cmpint (updated, >=, before);
  g_assert_cmpuint (size, >, 3 * 300);
  g_assert_cmpuint (warnings->len, ==, 1);
  /* sorted by subject */
  entry = g_ptr_array_index (entries, 0);
  g_assert_cmpstr (entry->subject, ==, "C=US, O=Google, CN=Matter PAA Dev, vid=6006");
  entry = g_ptr_array_index (entries, 2);
  g_assert_cmpstr (entry->subject, ==, "CN=Matter Test PAA, vid=FFF1");
  g_assert_true (entry->has_vendor_id);
  g_assert_cmpuint (entry->vendor_id, ==, 0xFFF1);
  entry = g_ptr_array_index (entries, 1);
  g_assert_cmpstr (entry->subject, ==, "CN=Matter Test PAA");
  g_assert_cmpstr (entry->file, ==, "785CE705B86B8F4E6FC793AA60CB43EA696882D5.der");
  g_assert_cmpstr (entry->subject_key_id, ==,
                   "78:5C:E7:05:B8:6B:8F:4E:6F:C7:93:AA:60:CB:43:EA:69:68:82:D5");
  g_assert_false (entry->has_vendor_id);
  g_assert_cmpint (entry->not_after, >, before);
  g_clear_pointer (&entries, g_ptr_array_unref);
  g_clear_pointer (&report, th_paa_sync_report_free);

  /* again: nothing to write; then with the ledger failing, what was kept */
  report = sync_store (&sync, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_added, ==, 0);
  g_assert_cmpuint (report->n_unchanged, ==, 3);
  g_assert_cmpuint (report->n_removed, ==, 0);
  g_assert_cmpint (report->origin.source, ==, TH_DCL_SOURCE_CACHE);
  g_clear_pointer (&report, th_paa_sync_report_free);

  th_dcl_client_set_cache_lifetime (sync.setup.client, 0);
  th_dcl_fixture_stop (sync.setup.fixture);
  report = sync_store (&sync, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_unchanged, ==, 3);
  g_assert_cmpint (report->origin.source, ==, TH_DCL_SOURCE_STALE_CACHE);
  g_assert_error (report->origin.problem, TH_ERROR, TH_ERROR_DCL_UNREACHABLE);
  g_clear_pointer (&report, th_paa_sync_report_free);

  /* nothing kept and no ledger: an error, and the store as it was */
  empty_cache = g_build_filename (sync.setup.cache_dir, "empty", NULL);
  g_clear_object (&sync.setup.client);
  sync.setup.client = th_dcl_client_new (th_dcl_fixture_get_url (sync.setup.fixture),
                                         empty_cache);
  report = sync_store (&sync, &error);
  g_assert_null (report);
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_UNREACHABLE);
  entries = th_paa_directory_list (sync.store, &updated, &size, &warnings, NULL);
  g_assert_cmpuint (entries->len, ==, 3);

  g_free (sync.store);
  setup_clear (&sync.setup);
}

static void
test_paa_directory_missing (void)
{
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  gint64 updated = -1;
  guint64 size = 1;

  entries = th_paa_directory_list ("/nonexistent/threshold/paa", &updated, &size, &warnings,
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 0);
  g_assert_cmpint (updated, ==, 0);
  g_assert_cmpuint (size, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dcl/parse/model", test_parse_model);
  g_test_add_func ("/dcl/parse/model-other-spellings", test_parse_model_other_spellings);
  g_test_add_func ("/dcl/parse/invalid", test_parse_invalid);
  g_test_add_func ("/dcl/parse/vendor", test_parse_vendor);
  g_test_add_func ("/dcl/parse/pki", test_parse_pki);
  g_test_add_func ("/dcl/parse/revocation-points", test_parse_revocation_points);
  g_test_add_func ("/dcl/pairing-hints", test_pairing_hints);
  g_test_add_func ("/dcl/client/model-and-cache", test_client_model_and_cache);
  g_test_add_func ("/dcl/client/cache-files", test_client_cache_files);
  g_test_add_func ("/dcl/client/errors", test_client_errors);
  g_test_add_func ("/dcl/client/vendor-and-revocation-points",
                   test_client_vendor_and_revocation_points);
  g_test_add_func ("/dcl/client/base-url", test_base_url);
  g_test_add_func ("/dcl/paa/sync", test_paa_sync);
  g_test_add_func ("/dcl/paa/directory-missing", test_paa_directory_missing);
  return g_test_run ();
}
