/* test-im.c: the Interaction Model message codec
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

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

/* The payload of a ReadRequest and of the ReportData that answered it, from a real exchange
 * with matter.js (vectors/message/secure_session_vectors.json). */
static GBytes *
load_vector (const char *section,
             const char *member)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("message/secure_session_vectors.json");
  JsonObject *object = json_object_get_object_member (json_node_get_object (root), section);

  return th_test_hex_to_bytes (json_object_get_string_member (object, member));
}

/* The matter.js ReadRequest, byte for byte: 8 attribute paths, two of them with the endpoint
 * left out (wildcard), FabricFiltered true. That peer sent revision 1; this codec sends 12,
 * so the revision byte is the one difference. */
static void
test_read_request_matches_matter_js (void)
{
  g_autoptr(GBytes) vector = load_vector ("decrypt", "decryptedPayloadHex");
  g_autoptr(GBytes) encoded = NULL;
  g_autofree guint8 *expected = NULL;
  gsize len;
  const ThImAttributePath paths[] = {
    TH_IM_ATTRIBUTE_PATH (TH_IM_ENDPOINT_WILDCARD, 0x31, 0xFFFC),
    TH_IM_ATTRIBUTE_PATH (0, 0x30, 0),
    TH_IM_ATTRIBUTE_PATH (0, 0x30, 1),
    TH_IM_ATTRIBUTE_PATH (0, 0x30, 2),
    TH_IM_ATTRIBUTE_PATH (0, 0x30, 3),
    TH_IM_ATTRIBUTE_PATH (0, 0x28, 2),
    TH_IM_ATTRIBUTE_PATH (0, 0x28, 4),
    TH_IM_ATTRIBUTE_PATH (TH_IM_ENDPOINT_WILDCARD, 0x31, 3),
  };

  len = g_bytes_get_size (vector);
  expected = g_memdup2 (g_bytes_get_data (vector, NULL), len);
  /* ... 24 ff 01 18: the revision, a one-byte unsigned integer with context tag 0xFF */
  g_assert_cmpuint (len, >, 4);
  g_assert_cmphex (expected[len - 4], ==, 0x24);
  g_assert_cmphex (expected[len - 3], ==, 0xFF);
  g_assert_cmphex (expected[len - 2], ==, 0x01);
  expected[len - 2] = TH_IM_REVISION;

  encoded = th_im_encode_read_request (paths, G_N_ELEMENTS (paths), NULL, 0, TRUE);
  th_assert_bytes_equal (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded),
                         expected, len);
}

static void
test_read_request_filters (void)
{
  const ThImAttributePath paths[] = {
    { .has_node = TRUE, .node = 0x0102, .endpoint = 1, .cluster = TH_IM_CLUSTER_WILDCARD,
      .attribute = TH_IM_ATTRIBUTE_WILDCARD, .wildcard_flags = 0x1 },
  };
  const ThImDataVersionFilter filters[] = { { 1, 0x0006, 0x12345678 } };
  g_autoptr(GBytes) encoded = th_im_encode_read_request (paths, 1, filters, 1, FALSE);

  assert_gbytes_hex (encoded,
                     "15"            /* ReadRequestMessage */
                     "3600"          /* AttributeRequests (0): array */
                     "17"            /*   AttributePathIB: a list */
                     "25010201"      /*     Node (1) = 0x0102, two bytes */
                     "240201"        /*     Endpoint (2) = 1; no cluster, no attribute */
                     "240601"        /*     WildcardPathFlags (6) = 1 (skip the root node) */
                     "18"
                     "18"
                     "2803"          /* FabricFiltered (3) = false */
                     "3604"          /* DataVersionFilters (4): array */
                     "15"            /*   DataVersionFilterIB */
                     "3700"          /*     Path (0): ClusterPathIB, a list */
                     "240101"        /*       Endpoint (1) = 1 */
                     "240206"        /*       Cluster (2) = 6 */
                     "18"
                     "260178563412"  /*     DataVersion (1), four bytes little-endian */
                     "18"
                     "18"
                     "24ff0c"        /* InteractionModelRevision (0xFF) = 12 */
                     "18");
}

static GBytes *
arm_fail_safe_fields (void)
{
  g_auto(ThTlvWriter) writer = { 0 };

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0), 900);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (1), 0);
  th_tlv_writer_end_container (&writer);
  return th_tlv_writer_finish (&writer);
}

static void
test_invoke_request (void)
{
  g_autoptr(GBytes) fields = arm_fail_safe_fields ();
  ThImCommand command = { .endpoint = 0, .cluster = 0x30, .command = 0, .fields = fields };
  g_autoptr(GBytes) encoded = th_im_encode_invoke_request (&command, 1, FALSE, FALSE);

  assert_gbytes_hex (encoded,
                     "15"          /* InvokeRequestMessage */
                     "2800"        /* SuppressResponse (0) = false */
                     "2801"        /* TimedRequest (1) = false */
                     "3602"        /* InvokeRequests (2): array */
                     "15"          /*   CommandDataIB */
                     "3700"        /*     CommandPath (0): a list */
                     "240000"      /*       Endpoint (0) = 0 */
                     "240130"      /*       Cluster (1) = 0x30 */
                     "240200"      /*       Command (2) = 0 */
                     "18"
                     "3501"        /*     CommandFields (1): the caller's structure */
                     "25008403"    /*       field 0 = 900 */
                     "240100"      /*       field 1 = 0 */
                     "18"
                     "18"
                     "18"
                     "24ff0c"      /* InteractionModelRevision = 12 */
                     "18");
}

static void
test_invoke_request_several (void)
{
  /* No fields: an empty structure; a timed request that suppresses the response, with refs */
  ThImCommand commands[] = {
    { .endpoint = 1, .cluster = 0x0006, .command = 2, .has_ref = TRUE, .ref = 0 },
    { .endpoint = 2, .cluster = 0x0006, .command = 0, .has_ref = TRUE, .ref = 1 },
  };
  g_autoptr(GBytes) encoded = th_im_encode_invoke_request (commands, 2, TRUE, TRUE);

  assert_gbytes_hex (encoded,
                     "15"
                     "2900"        /* SuppressResponse = true */
                     "2901"        /* TimedRequest = true */
                     "3602"
                     "15" "3700" "240001" "240106" "240202" "18"
                     "3501" "18"   /* CommandFields: empty structure */
                     "240200"      /* CommandRef (2) = 0 */
                     "18"
                     "15" "3700" "240002" "240106" "240200" "18"
                     "3501" "18"
                     "240201"      /* CommandRef = 1 */
                     "18"
                     "18"
                     "24ff0c"
                     "18");
}

/* Fields that are not one anonymous structure are a programming error: g_critical, which
 * the test framework makes fatal, so the check runs in a subprocess. */
static void
test_invoke_request_rejects_bad_fields (gconstpointer data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GBytes) fields = th_test_hex_to_bytes (data);
      ThImCommand command = { .endpoint = 0, .cluster = 6, .command = 0, .fields = fields };
      g_autoptr(GBytes) encoded = th_im_encode_invoke_request (&command, 1, FALSE, FALSE);

      g_assert_null (encoded);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*not one anonymous TLV structure*");
}

static void
test_write_request (void)
{
  const ThImAttributePath path = TH_IM_ATTRIBUTE_PATH (0, 0x28, 5);
  g_autoptr(GBytes) label = th_test_hex_to_bytes ("0c026869");  /* anonymous string "hi" */
  g_autoptr(GBytes) list = th_test_hex_to_bytes ("16040118");    /* anonymous array [1] */
  g_autoptr(GBytes) encoded = NULL;

  encoded = th_im_encode_write_request (&path, label, FALSE, 0, FALSE);
  assert_gbytes_hex (encoded,
                     "15"          /* WriteRequestMessage */
                     "2800"        /* SuppressResponse (0) = false */
                     "2801"        /* TimedRequest (1) = false */
                     "3602"        /* WriteRequests (2): array */
                     "15"          /*   AttributeDataIB */
                     "3701"        /*     Path (1): a list */
                     "240200"      /*       Endpoint (2) = 0 */
                     "240328"      /*       Cluster (3) = 0x28 */
                     "240405"      /*       Attribute (4) = 5 */
                     "18"
                     "2c02"        /*     Data: a UTF-8 string, now with context tag 2, */
                     "026869"      /*       two bytes long: "hi" */
                     "18"
                     "18"
                     "24ff0c"
                     "18");
  g_clear_pointer (&encoded, g_bytes_unref);

  encoded = th_im_encode_write_request (&path, list, TRUE, 0xAABBCCDD, TRUE);
  assert_gbytes_hex (encoded,
                     "15" "2800"
                     "2901"        /* TimedRequest = true */
                     "3602" "15"
                     "2600ddccbbaa" /* DataVersion (0) */
                     "3701" "240200" "240328" "240405" "18"
                     "3602040118"  /* Data (2): the array */
                     "18" "18" "24ff0c" "18");
}

static void
test_timed_and_status (void)
{
  g_autoptr(GBytes) timed = th_im_encode_timed_request (10000);
  g_autoptr(GBytes) status = th_im_encode_status_response (TH_IM_STATUS_SUCCESS);
  g_autoptr(GError) error = NULL;
  guint8 decoded = 0xFF;

  /* Timeout (0) = 10000 as two bytes, then the revision */
  assert_gbytes_hex (timed, "15" "25001027" "24ff0c" "18");
  /* Status (0) = 0 */
  assert_gbytes_hex (status, "15" "240000" "24ff0c" "18");

  /* A StatusResponse goes both ways, so it round-trips. */
  for (guint s = 0; s <= 0xFF; s++)
    {
      g_autoptr(GBytes) encoded = th_im_encode_status_response ((guint8) s);

      g_assert_true (th_im_status_response_decode (encoded, &decoded, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (decoded, ==, s);
    }
}

static void
test_status_response_malformed (void)
{
  const char *cases[] = {
    "",                 /* empty */
    "1518",             /* no Status */
    "152c000118",       /* Status is a string */
    "1525000001" "18",  /* Status 256 does not fit in 8 bits */
    "15240000" "18" "00", /* trailing byte */
    "0400",             /* not a structure */
    "1524000024000118", /* Status twice */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) message = th_test_hex_to_bytes (cases[i]);
      g_autoptr(GError) error = NULL;
      guint8 status;

      g_assert_false (th_im_status_response_decode (message, &status, &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
      g_assert_true (g_str_has_prefix (error->message, "The StatusResponse message"));
    }
}

static const ThImAttributeReport *
report_at (const ThImReportData *report,
           guint                 i)
{
  g_assert_cmpuint (i, <, report->attribute_reports->len);
  return &g_array_index (report->attribute_reports, ThImAttributeReport, i);
}

static void
assert_report_path (const ThImAttributeReport *r,
                    guint16                    endpoint,
                    guint32                    cluster,
                    guint32                    attribute)
{
  g_assert_cmpuint (r->path.endpoint, ==, endpoint);
  g_assert_cmphex (r->path.cluster, ==, cluster);
  g_assert_cmphex (r->path.attribute, ==, attribute);
}

/* The matter.js ReportData that answered the read above: eight attribute reports, each with
 * a data version, SuppressResponse true. */
static void
test_report_data_matter_js (void)
{
  g_autoptr(GBytes) payload = load_vector ("encrypt", "payloadHex");
  g_autoptr(GError) error = NULL;
  g_autoptr(ThImReportData) report = th_im_report_data_decode (payload, &error);
  g_autoptr(ThImAttributeValues) values = th_im_attribute_values_new ();
  g_autoptr(GArray) paths = NULL;
  g_autoptr(GBytes) info = NULL;
  const ThImAttributeReport *r;
  guint64 v;
  guint32 data_version;

  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_cmpuint (report->attribute_reports->len, ==, 8);
  g_assert_true (report->suppress_response);
  g_assert_false (report->more_chunked_messages);
  g_assert_false (report->has_subscription_id);
  g_assert_true (report->has_revision);
  g_assert_cmpuint (report->revision, ==, 1);

  r = report_at (report, 0);
  assert_report_path (r, 0, 0x31, 3);
  g_assert_false (r->is_status);
  g_assert_true (r->has_data_version);
  g_assert_cmphex (r->data_version, ==, 0x0CC69A79);
  /* Data (2) = 20: the element with its context tag */
  th_assert_bytes_equal (r->data, r->data_len, (const guint8 *) "\x24\x02\x14", 3);
  assert_report_path (report_at (report, 1), 0, 0x28, 4);
  assert_report_path (report_at (report, 7), 0, 0x31, 0xFFFC);

  g_assert_true (th_im_attribute_values_add (values, report, &error));
  g_assert_no_error (error);
  paths = th_im_attribute_values_get_paths (values);
  g_assert_cmpuint (paths->len, ==, 8);

  g_assert_true (th_im_attribute_values_get_uint (values, 0, 0x28, 4, G_MAXUINT16, &v, &error));
  g_assert_cmphex (v, ==, 0x8001);
  g_assert_true (th_im_attribute_values_get_uint (values, 0, 0x28, 2, G_MAXUINT16, &v, &error));
  g_assert_cmphex (v, ==, 0xFFF1);
  g_assert_true (th_im_attribute_values_get_uint (values, 0, 0x31, 0xFFFC, G_MAXUINT32, &v,
                                                  &error));
  g_assert_cmpuint (v, ==, 1);
  g_assert_no_error (error);

  /* a structure comes back anonymous: {0: 60} */
  info = th_im_attribute_values_lookup (values, 0, 0x30, 1, &data_version, &error);
  g_assert_no_error (error);
  assert_gbytes_hex (info, "15" "24003c" "18");
  g_assert_cmphex (data_version, ==, 0xD682ADDD);

  /* too small a maximum, the wrong type, and an attribute that was not reported */
  g_assert_false (th_im_attribute_values_get_uint (values, 0, 0x28, 4, 0xFF, &v, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
  g_clear_error (&error);
  g_assert_false (th_im_attribute_values_get_uint (values, 0, 0x30, 1, 0xFF, &v, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
  g_clear_error (&error);
  g_assert_false (th_im_attribute_values_get_uint (values, 1, 0x28, 4, 0xFFFF, &v, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_NOT_REPORTED);
}

/* A list too long for one message: the first ReportData replaces the list with what fits and
 * says more chunks follow; the next appends items one at a time (ListIndex null), the second
 * append with tag compression. A status for another attribute comes in between. */
static const char chunk1[] =
  "15"
  "3601"                  /* AttributeReports */
  "15"                    /*   AttributeReportIB */
  "3501"                  /*     AttributeData (1) */
  "240007"                /*       DataVersion = 7 */
  "3701" "240200" "24031d" "240401" "18"  /* Path: endpoint 0, Descriptor, ServerList */
  "3602" "041d" "0428" "18"               /* Data: array [0x1D, 0x28] */
  "18"
  "18"
  "18"
  "2903"                  /* MoreChunkedMessages = true */
  "24ff0c"
  "18";
static const char chunk2[] =
  "15"
  "3601"
  "15" "3501"
  "3701" "240200" "24031d" "240401" "3405" "18"  /* ListIndex (5) = null: append */
  "240230"                                       /* Data = 0x30 */
  "18" "18"
  "15" "3500"             /* AttributeStatus (0) */
  "3700" "240200" "24031d" "240403" "18"  /* Path: endpoint 0, Descriptor, PartsList */
  "3501" "240086" "18"    /* Status: UNSUPPORTED_ATTRIBUTE */
  "18" "18"
  "15" "3501"
  "3701" "2900" "240401" "3405" "18"   /* tag compression: endpoint and cluster as before */
  "240231"
  "18" "18"
  "18"
  "24ff0c"
  "18";

static void
test_chunked_list (void)
{
  g_autoptr(GBytes) m1 = th_test_hex_to_bytes (chunk1);
  g_autoptr(GBytes) m2 = th_test_hex_to_bytes (chunk2);
  g_autoptr(GError) error = NULL;
  g_autoptr(ThImReportData) r1 = th_im_report_data_decode (m1, &error);
  g_autoptr(ThImReportData) r2 = th_im_report_data_decode (m2, &error);
  g_autoptr(ThImAttributeValues) values = th_im_attribute_values_new ();
  g_autoptr(GBytes) list = NULL;
  g_autoptr(GArray) array = NULL;
  const ThImAttributeReport *r;
  guint32 data_version = 0;

  g_assert_no_error (error);
  g_assert_true (r1->more_chunked_messages);
  g_assert_false (r2->more_chunked_messages);
  g_assert_cmpuint (r2->attribute_reports->len, ==, 3);
  r = report_at (r2, 2);
  assert_report_path (r, 0, 0x1D, 1);
  g_assert_true (r->path.list_append);
  g_assert_true (report_at (r2, 1)->is_status);
  g_assert_cmphex (report_at (r2, 1)->status.status, ==, TH_IM_STATUS_UNSUPPORTED_ATTRIBUTE);

  /* Appends before the list itself are refused. */
  g_assert_false (th_im_attribute_values_add (values, r2, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
  g_clear_error (&error);
  g_clear_pointer (&values, th_im_attribute_values_free);

  values = th_im_attribute_values_new ();
  g_assert_true (th_im_attribute_values_add (values, r1, &error));
  g_assert_true (th_im_attribute_values_add (values, r2, &error));
  g_assert_no_error (error);

  list = th_im_attribute_values_lookup (values, 0, 0x1D, 1, &data_version, &error);
  g_assert_no_error (error);
  assert_gbytes_hex (list, "16" "041d" "0428" "0430" "0431" "18");
  g_assert_cmpuint (data_version, ==, 7);

  array = th_im_attribute_values_get_uint_array (values, 0, 0x1D, 1, G_MAXUINT32, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (array->len, ==, 4);
  g_assert_cmphex (g_array_index (array, guint32, 3), ==, 0x31);

  /* the status stands in for the value */
  g_assert_null (th_im_attribute_values_lookup (values, 0, 0x1D, 3, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_STATUS);
  g_assert_nonnull (strstr (error->message, "does not have this attribute"));
}

/* A second replacement of the same path starts the list over. */
static void
test_replace_resets_list (void)
{
  g_autoptr(GBytes) m1 = th_test_hex_to_bytes (chunk1);
  g_autoptr(GBytes) m2 = th_test_hex_to_bytes (chunk2);
  g_autoptr(GError) error = NULL;
  g_autoptr(ThImReportData) r1 = th_im_report_data_decode (m1, &error);
  g_autoptr(ThImReportData) r2 = th_im_report_data_decode (m2, &error);
  g_autoptr(ThImAttributeValues) values = th_im_attribute_values_new ();
  g_autoptr(GBytes) list = NULL;

  g_assert_true (th_im_attribute_values_add (values, r1, &error));
  g_assert_true (th_im_attribute_values_add (values, r2, &error));
  list = th_im_attribute_values_lookup (values, 0, 0x1D, 1, NULL, &error);
  g_clear_pointer (&list, g_bytes_unref);
  g_assert_true (th_im_attribute_values_add (values, r1, &error));
  g_assert_no_error (error);
  list = th_im_attribute_values_lookup (values, 0, 0x1D, 1, NULL, &error);
  assert_gbytes_hex (list, "16" "041d" "0428" "18");
}

static const char invoke_response_data[] =
  "15"
  "2800"                  /* SuppressResponse = false */
  "3601"                  /* InvokeResponses (1) */
  "15"                    /*   InvokeResponseIB */
  "3500"                  /*     Command (0): CommandDataIB */
  "3700" "240000" "240130" "240201" "18"  /* endpoint 0, GeneralCommissioning, command 1 */
  "3501"                  /*       CommandFields (1) */
  "240000"                /*         ErrorCode = 0 */
  "2c0100"                /*         DebugText = "" */
  "18"
  "18"
  "18"
  "18"
  "24ff0c"
  "18";

static const char invoke_response_status[] =
  "15"
  "2800"
  "3601"
  "15"
  "3501"                  /*     Status (1): CommandStatusIB */
  "3700" "240001" "240106" "240202" "18"  /* endpoint 1, OnOff, Toggle */
  "3501" "240081" "18"    /*       Status: UNSUPPORTED_COMMAND */
  "18"
  "18"
  "18"
  "24ff0c"
  "18";

static void
test_invoke_response (void)
{
  g_autoptr(GBytes) data = th_test_hex_to_bytes (invoke_response_data);
  g_autoptr(GBytes) status = th_test_hex_to_bytes (invoke_response_status);
  g_autoptr(GError) error = NULL;
  g_autoptr(ThImInvokeResponse) response = th_im_invoke_response_decode (data, &error);
  g_autoptr(ThImInvokeResponse) refused = th_im_invoke_response_decode (status, &error);
  const ThImInvokeResult *result;
  ThImCommand arm = { .endpoint = 0, .cluster = 0x30, .command = 0 };
  ThImCommand toggle = { .endpoint = 1, .cluster = 0x06, .command = 2 };
  const guint8 *fields;
  gsize fields_len;

  g_assert_no_error (error);
  g_assert_cmpuint (response->results->len, ==, 1);
  result = &g_array_index (response->results, ThImInvokeResult, 0);
  g_assert_false (result->is_status);
  g_assert_cmpuint (result->endpoint, ==, 0);
  g_assert_cmphex (result->cluster, ==, 0x30);
  g_assert_cmphex (result->command, ==, 1);
  th_assert_bytes_equal (result->fields, result->fields_len,
                         (const guint8 *) "\x35\x01\x24\x00\x00\x2c\x01\x00\x18", 9);

  g_assert_true (th_im_invoke_response_check (response, &arm, 1, "ArmFailSafe", &fields,
                                              &fields_len, &error));
  g_assert_no_error (error);
  g_assert_true (fields == result->fields);
  /* the wrong response command, and a status where a response was expected */
  g_assert_false (th_im_invoke_response_check (response, &arm, 3, "ArmFailSafe", &fields,
                                               &fields_len, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
  g_clear_error (&error);
  g_assert_false (th_im_invoke_response_check (response, &toggle, TH_IM_NO_RESPONSE_COMMAND,
                                               "Toggle", NULL, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
  g_clear_error (&error);

  result = &g_array_index (refused->results, ThImInvokeResult, 0);
  g_assert_true (result->is_status);
  g_assert_cmphex (result->status.status, ==, TH_IM_STATUS_UNSUPPORTED_COMMAND);
  g_assert_false (result->status.has_cluster_status);
  g_assert_false (th_im_invoke_response_check (refused, &toggle, TH_IM_NO_RESPONSE_COMMAND,
                                               "Toggle", NULL, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_STATUS);
  g_assert_cmpstr (error->message, ==, "The device refused Toggle: The device does not support "
                   "this command on the cluster.");
}

static void
test_invoke_response_success_status (void)
{
  /* AddTrustedRootCertificate answers with a status only; here SUCCESS with a cluster status */
  g_autoptr(GBytes) message = th_test_hex_to_bytes (
    "15" "2800" "3601" "15" "3501"
    "3700" "240000" "24013e" "24020b" "18"   /* endpoint 0, OperationalCredentials, 0x0B */
    "3501" "240000" "240102" "18"             /* SUCCESS, cluster status 2 */
    "18" "18" "18"
    "18");                                    /* no revision: a Matter 1.0 peer */
  g_autoptr(GError) error = NULL;
  g_autoptr(ThImInvokeResponse) response = th_im_invoke_response_decode (message, &error);
  ThImCommand request = { .endpoint = 0, .cluster = 0x3E, .command = 0x0B };
  const ThImInvokeResult *result;
  const guint8 *fields = (const guint8 *) "";

  g_assert_no_error (error);
  g_assert_false (response->has_revision);
  result = &g_array_index (response->results, ThImInvokeResult, 0);
  g_assert_true (result->status.has_cluster_status);
  g_assert_cmpuint (result->status.cluster_status, ==, 2);
  g_assert_true (th_im_invoke_response_check (response, &request, TH_IM_NO_RESPONSE_COMMAND,
                                              "AddTrustedRootCertificate", &fields, NULL,
                                              &error));
  g_assert_no_error (error);
  g_assert_null (fields);
}

static void
test_write_response (void)
{
  g_autoptr(GBytes) message = th_test_hex_to_bytes (
    "15"
    "3600"                          /* WriteResponses (0) */
    "15"                            /*   AttributeStatusIB */
    "3700" "240200" "240328" "240405" "18"
    "3501" "240000" "18"            /*     SUCCESS */
    "18"
    "15"
    "3700" "240200" "240328" "240406" "18"
    "3501" "240088" "18"            /*     UNSUPPORTED_WRITE */
    "18"
    "18"
    "24ff0c"
    "18");
  g_autoptr(GError) error = NULL;
  g_autoptr(ThImWriteResponse) response = th_im_write_response_decode (message, &error);
  ThImAttributePath label = TH_IM_ATTRIBUTE_PATH (0, 0x28, 5);
  ThImAttributePath location = TH_IM_ATTRIBUTE_PATH (0, 0x28, 6);
  ThImAttributePath other = TH_IM_ATTRIBUTE_PATH (0, 0x28, 7);

  g_assert_no_error (error);
  g_assert_cmpuint (response->statuses->len, ==, 2);
  g_assert_true (th_im_write_response_check (response, &label, &error));
  g_assert_no_error (error);
  g_assert_false (th_im_write_response_check (response, &location, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_STATUS);
  g_assert_nonnull (strstr (error->message, "cannot be written"));
  g_clear_error (&error);
  g_assert_false (th_im_write_response_check (response, &other, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
}

/* Each case breaks one rule; the decoder must say so and not crash. */
static void
test_report_data_malformed (void)
{
  const struct
  {
    const char *hex;
    const char *message_part;
  } cases[] = {
    { "", "empty" },
    { "1518" "00", "unexpected bytes" },
    { "1600" "18", "does not start with a structure" },
    /* AttributeReports is not an array */
    { "15" "3501" "18" "18", "should be an array" },
    /* a report with both status and data */
    { "15" "3601" "15"
      "3500" "3700" "240200" "240306" "240400" "18" "3501" "240000" "18" "18"
      "3501" "3701" "240200" "240306" "240400" "18" "2802" "18"
      "18" "18" "18", "either data or a status" },
    /* a report with neither */
    { "15" "3601" "1518" "18" "18", "either data or a status" },
    /* a path without its attribute */
    { "15" "3601" "15" "3501" "3701" "240200" "240306" "18" "2802" "18" "18" "18" "18",
      "lacks its endpoint" },
    /* tag compression in the first path */
    { "15" "3601" "15" "3501" "3701" "2900" "240400" "18" "2802" "18" "18" "18" "18",
      "no path comes before it" },
    /* a numbered list index */
    { "15" "3601" "15" "3501" "3701" "240200" "240306" "240400" "240501" "18" "2802"
      "18" "18" "18" "18", "only null is allowed" },
    /* endpoint 0xFFFF */
    { "15" "3601" "15" "3501" "3701" "2502ffff" "240306" "240400" "18" "2802"
      "18" "18" "18" "18", "largest allowed value" },
    /* a path that is a structure */
    { "15" "3601" "15" "3501" "3501" "240200" "240306" "240400" "18" "2802"
      "18" "18" "18" "18", "not a list" },
    /* no Data */
    { "15" "3601" "15" "3501" "3701" "240200" "240306" "240400" "18" "18" "18" "18" "18",
      "Data (tag 2) is missing" },
    /* MoreChunkedMessages twice */
    { "15" "2903" "2803" "18", "second time" },
    /* SubscriptionId too large */
    { "15" "27000000000001000000" "18", "largest allowed value" },
    /* a revision that is a string */
    { "15" "2cff0131" "18", "unsigned integer" },
    /* cut in the middle */
    { "15" "3601" "15" "3501", "ends at byte" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) message = th_test_hex_to_bytes (cases[i].hex);
      g_autoptr(GError) error = NULL;
      g_autoptr(ThImReportData) report = th_im_report_data_decode (message, &error);

      g_test_message ("case %zu: %s", i, cases[i].hex);
      g_assert_null (report);
      g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
      g_test_message ("  %s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
    }
}

static void
test_invoke_response_malformed (void)
{
  const char *cases[] = {
    /* no InvokeResponses */
    "15" "2800" "18",
    /* a response with both command and status */
    "15" "3601" "15" "3500" "3700" "240000" "240130" "240201" "18" "18"
    "3501" "3700" "240000" "240130" "240201" "18" "3501" "240000" "18" "18" "18" "18" "18",
    /* a command path without the command */
    "15" "3601" "15" "3500" "3700" "240000" "240130" "18" "18" "18" "18" "18",
    /* command fields that are not a structure */
    "15" "3601" "15" "3500" "3700" "240000" "240130" "240201" "18" "2401" "00"
    "18" "18" "18" "18",
    /* a status without its StatusIB */
    "15" "3601" "15" "3501" "3700" "240000" "240130" "240201" "18" "18" "18" "18" "18",
    /* StatusIB without Status */
    "15" "3601" "15" "3501" "3700" "240000" "240130" "240201" "18" "3501" "240102" "18"
    "18" "18" "18" "18",
    /* a CommandRef beyond 16 bits */
    "15" "3601" "15" "3500" "3700" "240000" "240130" "240201" "18" "2602" "00000100"
    "18" "18" "18" "18",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) message = th_test_hex_to_bytes (cases[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(ThImInvokeResponse) response = th_im_invoke_response_decode (message, &error);

      g_test_message ("case %zu", i);
      g_assert_null (response);
      g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
      g_test_message ("  %s", error->message);
    }
}

typedef gboolean (*DecodeFunc) (GBytes *message, GError **error);

static gboolean
decode_report (GBytes  *message,
               GError **error)
{
  g_autoptr(ThImReportData) report = th_im_report_data_decode (message, error);

  return report != NULL;
}

static gboolean
decode_invoke (GBytes  *message,
               GError **error)
{
  g_autoptr(ThImInvokeResponse) response = th_im_invoke_response_decode (message, error);

  return response != NULL;
}

static gboolean
decode_write (GBytes  *message,
              GError **error)
{
  g_autoptr(ThImWriteResponse) response = th_im_write_response_decode (message, error);

  return response != NULL;
}

static gboolean
decode_status (GBytes  *message,
               GError **error)
{
  guint8 status;

  return th_im_status_response_decode (message, &status, error);
}

/* Every strict prefix of a message is an unfinished structure and must be refused; random
 * byte changes must give a result or an error, never both or neither. */
static void
check_truncations_and_mutations (DecodeFunc decode,
                                 GBytes    *message)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (message, &len);
  g_autoptr(GRand) rand = g_rand_new_with_seed (th_test_seed ());
  g_autoptr(GError) error = NULL;

  g_assert_true (decode (message, &error));
  g_assert_no_error (error);

  for (gsize n = 0; n < len; n++)
    {
      g_autoptr(GBytes) prefix = g_bytes_new (data, n);

      g_assert_false (decode (prefix, &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
      g_clear_error (&error);
    }

  for (guint round = 0; round < 2000; round++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);
      g_autoptr(GBytes) mutated = NULL;
      guint changes = g_rand_int_range (rand, 1, 4);
      gboolean ok;

      for (guint c = 0; c < changes; c++)
        copy[g_rand_int_range (rand, 0, (gint32) len)] = (guint8) g_rand_int_range (rand, 0, 256);
      mutated = g_bytes_new_take (g_steal_pointer (&copy), len);
      ok = decode (mutated, &error);
      g_assert_true (ok == (error == NULL));
      if (error != NULL)
        g_assert_true (error->domain == TH_ERROR && error->code == TH_ERROR_IM_PROTOCOL);
      g_clear_error (&error);
    }
}

static void
test_truncation (void)
{
  g_autoptr(GBytes) report = load_vector ("encrypt", "payloadHex");
  g_autoptr(GBytes) chunk = th_test_hex_to_bytes (chunk2);
  g_autoptr(GBytes) invoke = th_test_hex_to_bytes (invoke_response_data);
  g_autoptr(GBytes) invoke_status = th_test_hex_to_bytes (invoke_response_status);
  g_autoptr(GBytes) status = th_im_encode_status_response (TH_IM_STATUS_BUSY);
  g_autoptr(GBytes) write = th_test_hex_to_bytes (
    "15" "3600" "15" "3700" "240200" "240328" "240405" "18" "3501" "240000" "18" "18" "18"
    "24ff0c" "18");

  check_truncations_and_mutations (decode_report, report);
  check_truncations_and_mutations (decode_report, chunk);
  check_truncations_and_mutations (decode_invoke, invoke);
  check_truncations_and_mutations (decode_invoke, invoke_status);
  check_truncations_and_mutations (decode_write, write);
  check_truncations_and_mutations (decode_status, status);
}

static void
test_status_words (void)
{
  ThImStatusIB status = { TH_IM_STATUS_NEEDS_TIMED_INTERACTION, FALSE, 0 };
  g_autofree char *sentence = th_im_status_describe (&status);
  g_autofree char *unknown = NULL;
  g_autofree char *with_cluster = NULL;
  g_autoptr(GError) error = NULL;
  guint named = 0;

  g_assert_cmpstr (sentence, ==, "The device accepts this operation only as a timed "
                   "interaction.");
  g_assert_cmpstr (th_im_status_get_name (0x81), ==, "UNSUPPORTED_COMMAND");
  g_assert_cmpstr (th_im_status_get_name (0x7D), ==, "INVALID_SUBSCRIPTION");
  g_assert_cmpstr (th_im_status_get_name (0x80), ==, "INVALID_ACTION");
  g_assert_cmpstr (th_im_status_get_name (0xCA), ==, "FAILSAFE_REQUIRED");
  g_assert_null (th_im_status_get_name (0x02));

  status.status = 0x02;
  unknown = th_im_status_describe (&status);
  g_assert_cmpstr (unknown, ==, "The device reported a status this application does not "
                   "know, 0x02.");

  status = (ThImStatusIB) { TH_IM_STATUS_FAILURE, TRUE, 3 };
  with_cluster = th_im_status_describe (&status);
  g_assert_cmpstr (with_cluster, ==, "The device could not carry out the operation and gave no "
                   "specific reason. The cluster gave its own status code, 3.");

  g_assert_false (th_im_status_check (&status, "Opening the window failed", &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_STATUS);
  g_assert_true (g_str_has_prefix (error->message, "Opening the window failed: The device"));
  g_clear_error (&error);
  status = (ThImStatusIB) { TH_IM_STATUS_SUCCESS, FALSE, 0 };
  g_assert_true (th_im_status_check (&status, "x", &error));
  g_assert_no_error (error);

  /* every named status has a sentence of its own */
  for (guint s = 0; s <= 0xFF; s++)
    {
      g_autofree char *text = NULL;

      status.status = (guint8) s;
      text = th_im_status_describe (&status);
      g_assert_true (g_str_has_suffix (text, "."));
      if (th_im_status_get_name ((guint8) s) != NULL)
        {
          named++;
          g_assert_null (strstr (text, "application does not know"));
        }
    }
  g_assert_cmpuint (named, ==, 35);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/im/read-request/matter-js", test_read_request_matches_matter_js);
  g_test_add_func ("/im/read-request/filters", test_read_request_filters);
  g_test_add_func ("/im/invoke-request/one", test_invoke_request);
  g_test_add_func ("/im/invoke-request/several", test_invoke_request_several);
  /* an anonymous integer; a structure with a context tag; a structure and a stray byte */
  g_test_add_data_func ("/im/invoke-request/bad-fields/not-structure", "0401",
                        test_invoke_request_rejects_bad_fields);
  g_test_add_data_func ("/im/invoke-request/bad-fields/tagged", "350118",
                        test_invoke_request_rejects_bad_fields);
  g_test_add_data_func ("/im/invoke-request/bad-fields/trailing", "151800",
                        test_invoke_request_rejects_bad_fields);
  g_test_add_func ("/im/write-request", test_write_request);
  g_test_add_func ("/im/timed-and-status", test_timed_and_status);
  g_test_add_func ("/im/status-response/malformed", test_status_response_malformed);
  g_test_add_func ("/im/report-data/matter-js", test_report_data_matter_js);
  g_test_add_func ("/im/report-data/chunked-list", test_chunked_list);
  g_test_add_func ("/im/report-data/replace-resets", test_replace_resets_list);
  g_test_add_func ("/im/report-data/malformed", test_report_data_malformed);
  g_test_add_func ("/im/invoke-response", test_invoke_response);
  g_test_add_func ("/im/invoke-response/success-status", test_invoke_response_success_status);
  g_test_add_func ("/im/invoke-response/malformed", test_invoke_response_malformed);
  g_test_add_func ("/im/write-response", test_write_response);
  g_test_add_func ("/im/truncation", test_truncation);
  g_test_add_func ("/im/status-words", test_status_words);

  return g_test_run ();
}
