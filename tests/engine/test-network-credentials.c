/* test-network-credentials.c: Wi-Fi credentials, the Thread dataset validator, and what the
 * commissioner asks for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "commissioning/th-network-credentials.h"
#include "th-error.h"

/* The parts of a dataset such as an OpenThread border router prints (`dataset`), one TLV a
 * string of hex: type, length, value. */
static const char *const valid_tlvs[] = {
  "0e080000000000010000",                     /* Active Timestamp 1 */
  "000300000d",                               /* Channel 13, page 0 */
  "35060004001fffe0",                         /* Channel Mask, page 0 */
  "0208d63e8e3e495ebbc3",                     /* Extended PAN ID */
  "0708fd3db50bf96d722d",                     /* Mesh-Local Prefix fd3d:b50b:f96d:722d::/64 */
  "0510dfd34f0f05cad978ec4e32b0413038ff",     /* Network Key */
  "030f4f70656e5468726561642d38663238",       /* Network Name "OpenThread-8f28" */
  "01028f28",                                 /* PAN ID 0x8f28 */
  "0410c23a76e98f1a6483639b1ac1271e2e27",     /* PSKc */
  "0c0402a0f7f8",                             /* Security Policy */
};

/* The valid dataset with TLV `replace` (by its first hex byte, the type) replaced by
 * `replacement`, or dropped when `replacement` is NULL; `replace` NULL changes nothing. */
static char *
dataset_hex (const char *replace,
             const char *replacement)
{
  GString *hex = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (valid_tlvs); i++)
    {
      if (replace != NULL && strncmp (valid_tlvs[i], replace, 2) == 0)
        {
          if (replacement != NULL)
            g_string_append (hex, replacement);
          continue;
        }
      g_string_append (hex, valid_tlvs[i]);
    }
  return g_string_free (hex, FALSE);
}

static GBytes *
dataset_bytes (const char *replace,
               const char *replacement)
{
  g_autofree char *hex = dataset_hex (replace, replacement);
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  guint8 *data = th_thread_dataset_from_hex (hex, &len, &error);

  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static void
test_dataset_valid (void)
{
  g_autoptr(GBytes) bytes = dataset_bytes (NULL, NULL);
  g_autoptr(GError) error = NULL;
  ThThreadDataset dataset;
  static const guint8 prefix[] = { 0xfd, 0x3d, 0xb5, 0x0b, 0xf9, 0x6d, 0x72, 0x2d };
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  g_assert_true (th_thread_dataset_parse (data, len, &dataset, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dataset.active_timestamp, ==, G_GUINT64_CONSTANT (0x10000));
  g_assert_cmpuint (dataset.channel_page, ==, 0);
  g_assert_cmpuint (dataset.channel, ==, 13);
  g_assert_cmpuint (dataset.pan_id, ==, 0x8f28);
  g_assert_true (dataset.has_extended_pan_id);
  g_assert_cmpuint (dataset.extended_pan_id, ==, G_GUINT64_CONSTANT (0xd63e8e3e495ebbc3));
  g_assert_true (dataset.has_network_name);
  g_assert_cmpstr (dataset.network_name, ==, "OpenThread-8f28");
  g_assert_cmpmem (dataset.mesh_local_prefix, 8, prefix, sizeof prefix);
}

/* Only what Matter needs: no name, no extended PAN id, no PSKc. */
static void
test_dataset_minimal (void)
{
  g_autoptr(GError) error = NULL;
  ThThreadDataset dataset;
  gsize len = 0;
  g_autofree guint8 *data = th_thread_dataset_from_hex (
    "0e080000000000010000 000300000f 0708fd00000000000001 "
    "051000112233445566778899aabbccddeeff 01021234", &len, &error);

  g_assert_no_error (error);
  g_assert_true (th_thread_dataset_parse (data, len, &dataset, &error));
  g_assert_no_error (error);
  g_assert_false (dataset.has_extended_pan_id);
  g_assert_false (dataset.has_network_name);
  g_assert_cmpuint (dataset.channel, ==, 15);
}

typedef struct
{
  const char *name;
  const char *replace;        /* the type of the TLV to change, as two hex digits */
  const char *replacement;    /* NULL drops it */
  const char *message_part;   /* what the message must say */
} BadCase;

static const BadCase bad_cases[] = {
  { "no-active-timestamp", "0e", NULL, "no Active Timestamp" },
  { "no-network-key", "05", NULL, "no Network Key" },
  { "no-pan-id", "01", NULL, "no PAN ID" },
  { "no-channel", "00", NULL, "no Channel" },
  { "no-mesh-local-prefix", "07", NULL, "no Mesh-Local Prefix" },
  { "short-network-key", "05", "050fdfd34f0f05cad978ec4e32b0413038", "Network Key at byte" },
  { "long-network-key", "05", "0511dfd34f0f05cad978ec4e32b0413038ff00",
    "17 bytes long instead of 16" },
  { "channel-page-2", "00", "000302000d", "channel page 2" },
  { "channel-10", "00", "000300000a", "is 10, outside channels 11 to 26" },
  { "channel-27", "00", "000300001b", "is 27" },
  { "channel-short", "00", "0002000d", "Channel at byte" },
  { "prefix-not-ula", "07", "0708fe3db50bf96d722d", "starts with fe" },
  { "prefix-short", "07", "0707fd3db50bf96d72", "7 bytes long instead of 8" },
  { "pan-id-broadcast", "01", "0102ffff", "broadcast" },
  { "pan-id-long", "01", "01038f2800", "PAN ID" },
  { "extended-pan-id-short", "02", "0207d63e8e3e495ebb", "Extended PAN ID" },
  { "name-empty", "03", "0300", "0 bytes long; it must be 1 to 16" },
  { "name-long", "03", "0311" "4142434445464748494a4b4c4d4e4f5051", "17 bytes long" },
  { "name-not-utf8", "03", "0302c328", "not UTF-8" },
  { "name-with-nul", "03", "03024100", "not UTF-8" },
  { "active-timestamp-short", "0e", "0e0700000000000100", "Active Timestamp" },
  { "security-policy-short", "0c", "0c0202a0", "Security Policy" },
  { "channel-mask-truncated-entry", "35", "3505000400ffff", "longer than the mask" },
  { "channel-mask-odd", "35", "350100", "middle of an entry" },
  { "duplicate-channel", "00", "000300000d000300000e", "appears a second time" },
  { "extended-length", "04", "04ff0010", "extended length" },
  { "truncated-value", "0c", "0c10c23a", "Security Policy at byte 100 claims 16 bytes but only 2" },
  { "unknown-truncated", "0c", "4005aa", "type 64 at byte 100 claims 5 bytes but only 1" },
  { "truncated-header", "0c", "0c", "at byte 100 in the middle of a TLV header" },
};

static void
test_dataset_invalid (gconstpointer data)
{
  const BadCase *bad = data;
  g_autofree char *hex = dataset_hex (bad->replace, bad->replacement);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *bytes = NULL;
  ThThreadDataset dataset;
  gsize len = 0;

  bytes = th_thread_dataset_from_hex (hex, &len, &error);
  g_assert_no_error (error);
  g_assert_false (th_thread_dataset_parse (bytes, len, &dataset, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET);
  if (strstr (error->message, bad->message_part) == NULL)
    g_error ("%s: “%s” does not say “%s”", bad->name, error->message, bad->message_part);
  /* never the key */
  g_assert_null (strstr (error->message, "dfd34f0f"));
}

/* The offset named is where the TLV starts. */
static void
test_dataset_offset (void)
{
  g_autoptr(GError) error = NULL;
  ThThreadDataset dataset;
  gsize len = 0;
  /* Active Timestamp at 0 (10 bytes), then the bad channel at byte 10 */
  g_autofree guint8 *data = th_thread_dataset_from_hex ("0e080000000000010000 0003000009",
                                                        &len, &error);

  g_assert_no_error (error);
  g_assert_false (th_thread_dataset_parse (data, len, &dataset, &error));
  g_assert_nonnull (strstr (error->message, "Channel at byte 10 "));
}

static void
test_dataset_lengths (void)
{
  g_autoptr(GError) error = NULL;
  ThThreadDataset dataset;
  guint8 big[TH_THREAD_DATASET_MAX_LEN + 1] = { 0 };

  g_assert_false (th_thread_dataset_parse (NULL, 0, &dataset, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET);
  g_assert_nonnull (strstr (error->message, "empty"));
  g_clear_error (&error);
  g_assert_false (th_thread_dataset_parse (big, sizeof big, &dataset, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET);
  g_assert_nonnull (strstr (error->message, "255 bytes long; it can be at most 254"));
}

static void
test_dataset_hex (void)
{
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  g_autofree guint8 *data = th_thread_dataset_from_hex ("  0x0e 08\n00 0A\tff\r\n", &len,
                                                        &error);
  static const guint8 expected[] = { 0x0e, 0x08, 0x00, 0x0a, 0xff };

  g_assert_no_error (error);
  g_assert_cmpmem (data, len, expected, sizeof expected);

  g_assert_null (th_thread_dataset_from_hex ("0e0g", &len, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET);
  g_assert_nonnull (strstr (error->message, "character 4"));
  g_clear_error (&error);
  g_assert_null (th_thread_dataset_from_hex ("0e0", &len, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET);
  g_assert_nonnull (strstr (error->message, "odd number"));
  g_clear_error (&error);
  g_assert_null (th_thread_dataset_from_hex (" \n", &len, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET);
}

static void
test_credentials_wifi (void)
{
  g_autoptr(ThNetworkCredentials) credentials = NULL;
  g_autoptr(ThNetworkCredentials) copy = NULL;
  g_autoptr(GBytes) id = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  const guint8 ssid[] = { 'H', 'o', 'm', 'e', 0xff };
  char long_password[TH_WIFI_PASSWORD_MAX_LEN + 2];
  const guint8 *p;
  gsize len;

  credentials = th_network_credentials_new_wifi (ssid, sizeof ssid, "correct horse", &error);
  g_assert_no_error (error);
  g_assert_cmpint (th_network_credentials_get_kind (credentials), ==, TH_NETWORK_KIND_WIFI);
  copy = th_network_credentials_copy (credentials);
  g_clear_pointer (&credentials, th_network_credentials_free);
  p = th_network_credentials_get_ssid (copy, &len);
  g_assert_cmpmem (p, len, ssid, sizeof ssid);
  p = th_network_credentials_get_password (copy, &len);
  g_assert_cmpmem (p, len, "correct horse", 13);
  g_assert_null (th_network_credentials_get_dataset (copy, &len));
  g_assert_null (th_network_credentials_get_thread (copy));
  id = th_network_credentials_get_network_id (copy);
  g_assert_cmpmem (g_bytes_get_data (id, NULL), g_bytes_get_size (id), ssid, sizeof ssid);
  description = th_network_credentials_describe (copy);
  g_assert_cmpstr (description, ==, "Home\\xff");

  /* open network */
  credentials = th_network_credentials_new_wifi (ssid, 4, "", &error);
  g_assert_no_error (error);
  g_assert_nonnull (th_network_credentials_get_password (credentials, &len));
  g_assert_cmpuint (len, ==, 0);
  g_clear_pointer (&credentials, th_network_credentials_free);

  g_assert_null (th_network_credentials_new_wifi (ssid, 0, "password", &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_WIFI_CREDENTIALS);
  g_clear_error (&error);
  g_assert_null (th_network_credentials_new_wifi ((const guint8 *) "0123456789012345678901234"
                                                  "567890123", 33, "password", &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_WIFI_CREDENTIALS);
  g_assert_nonnull (strstr (error->message, "33 bytes"));
  g_clear_error (&error);
  memset (long_password, 'x', sizeof long_password - 1);
  long_password[sizeof long_password - 1] = '\0';
  g_assert_null (th_network_credentials_new_wifi (ssid, 4, long_password, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_WIFI_CREDENTIALS);
  g_assert_null (strstr (error->message, "xxxx"));
}

static void
test_credentials_thread (void)
{
  g_autofree char *hex = dataset_hex (NULL, NULL);
  g_autoptr(ThNetworkCredentials) credentials = NULL;
  g_autoptr(ThNetworkCredentials) copy = NULL;
  g_autoptr(GBytes) id = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  static const guint8 expected_id[] = { 0xd6, 0x3e, 0x8e, 0x3e, 0x49, 0x5e, 0xbb, 0xc3 };
  const ThThreadDataset *thread;
  gsize len;

  credentials = th_network_credentials_new_thread_hex (hex, &error);
  g_assert_no_error (error);
  copy = th_network_credentials_copy (credentials);
  g_assert_cmpint (th_network_credentials_get_kind (copy), ==, TH_NETWORK_KIND_THREAD);
  thread = th_network_credentials_get_thread (copy);
  g_assert_cmpstr (thread->network_name, ==, "OpenThread-8f28");
  g_assert_cmpuint (thread->channel, ==, 13);
  g_assert_nonnull (th_network_credentials_get_dataset (copy, &len));
  g_assert_cmpuint (len, ==, strlen (hex) / 2);
  g_assert_null (th_network_credentials_get_ssid (copy, &len));
  id = th_network_credentials_get_network_id (copy);
  g_assert_cmpmem (g_bytes_get_data (id, NULL), g_bytes_get_size (id), expected_id, 8);
  description = th_network_credentials_describe (copy);
  g_assert_cmpstr (description, ==, "OpenThread-8f28");

  g_assert_null (th_network_credentials_new_thread_hex ("0e080000", &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET);
}

static void
test_request (void)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (
    (GDestroyNotify) th_network_scan_result_free);
  g_autoptr(ThNetworkRequest) request = NULL;
  g_autoptr(ThNetworkRequest) empty = NULL;
  g_autoptr(ThNetworkScanResult) copy = NULL;
  g_autoptr(GError) scan_error = g_error_new_literal (TH_ERROR, TH_ERROR_NETWORK_FAILED, "x");
  ThNetworkScanResult *result = th_network_scan_result_new (TH_NETWORK_KIND_WIFI);

  result->ssid = g_bytes_new_static ("Home", 4);
  result->rssi = -40;
  g_ptr_array_add (results, result);
  request = th_network_request_new (TH_NETWORK_KIND_WIFI, results, scan_error, NULL);
  g_assert_cmpint (th_network_request_get_kinds (request), ==, TH_NETWORK_KIND_WIFI);
  g_assert_cmpuint (th_network_request_get_scan_results (request)->len, ==, 1);
  g_assert_error (th_network_request_get_scan_error (request), TH_ERROR,
                  TH_ERROR_NETWORK_FAILED);
  g_assert_null (th_network_request_get_last_error (request));
  copy = th_network_scan_result_copy (g_ptr_array_index (results, 0));
  g_assert_true (g_bytes_equal (copy->ssid, result->ssid));
  g_assert_cmpint (copy->rssi, ==, -40);

  empty = th_network_request_new (TH_NETWORK_KIND_THREAD, NULL, NULL, scan_error);
  g_assert_nonnull (th_network_request_get_scan_results (empty));
  g_assert_cmpuint (th_network_request_get_scan_results (empty)->len, ==, 0);
  g_assert_null (th_network_request_get_scan_error (empty));
  g_assert_nonnull (th_network_request_get_last_error (empty));
  g_assert_true (G_TYPE_IS_BOXED (TH_TYPE_NETWORK_REQUEST));
  g_assert_true (G_TYPE_IS_BOXED (TH_TYPE_NETWORK_CREDENTIALS));
  g_assert_true (G_TYPE_IS_BOXED (TH_TYPE_NETWORK_SCAN_RESULT));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/thread-dataset/valid", test_dataset_valid);
  g_test_add_func ("/thread-dataset/minimal", test_dataset_minimal);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/thread-dataset/invalid/%s",
                                               bad_cases[i].name);

      g_test_add_data_func (path, &bad_cases[i], test_dataset_invalid);
    }
  g_test_add_func ("/thread-dataset/offset", test_dataset_offset);
  g_test_add_func ("/thread-dataset/lengths", test_dataset_lengths);
  g_test_add_func ("/thread-dataset/hex", test_dataset_hex);
  g_test_add_func ("/network-credentials/wifi", test_credentials_wifi);
  g_test_add_func ("/network-credentials/thread", test_credentials_thread);
  g_test_add_func ("/network-credentials/request", test_request);

  return g_test_run ();
}
