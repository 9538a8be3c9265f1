/* fuzz-im-response.c: the decoders of what a device answers, and what is built on them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same input goes to the ReportData, InvokeResponse, WriteResponse and StatusResponse
 * decoders; whatever decodes is then merged into attribute values, looked up, and its command
 * fields handed to the cluster response decoders. Every decoder must return a result or set
 * an error, never both or neither, and point only inside the input.
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>

#include "clusters/th-clusters.h"
#include "clusters/th-node-attributes.h"
#include "im/th-im.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
assert_inside (const guint8 *span,
               gsize         span_len,
               const guint8 *data,
               gsize         size)
{
  g_assert_true (span >= data && span_len <= size && span - data <= (gssize) (size - span_len));
}

static void
check_report (const guint8 *data,
              gsize         size,
              GBytes       *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThImReportData) report = th_im_report_data_decode (message, &error);
  g_autoptr(ThImAttributeValues) values = NULL;
  g_autoptr(GArray) paths = NULL;

  g_assert_true ((report == NULL) == (error != NULL));
  if (report == NULL)
    return;
  for (guint i = 0; i < report->attribute_reports->len; i++)
    {
      const ThImAttributeReport *r = &g_array_index (report->attribute_reports,
                                                     ThImAttributeReport, i);

      if (!r->is_status)
        assert_inside (r->data, r->data_len, data, size);
    }

  values = th_im_attribute_values_new ();
  if (!th_im_attribute_values_add (values, report, &error))
    {
      g_assert_nonnull (error);
      return;
    }
  paths = th_im_attribute_values_get_paths (values);
  for (guint i = 0; i < paths->len; i++)
    {
      const ThImAttributePath *p = &g_array_index (paths, ThImAttributePath, i);
      g_autoptr(GBytes) value = NULL;
      g_autoptr(GArray) array = NULL;
      g_autofree char *text = NULL;
      guint64 number;
      gboolean flag;

      value = th_im_attribute_values_lookup (values, p->endpoint, p->cluster, p->attribute, NULL,
                                             &error);
      g_assert_true ((value == NULL) == (error != NULL));
      g_clear_error (&error);
      th_im_attribute_values_get_uint (values, p->endpoint, p->cluster, p->attribute,
                                       G_MAXUINT64, &number, NULL);
      th_im_attribute_values_get_bool (values, p->endpoint, p->cluster, p->attribute, &flag,
                                       NULL);
      if (th_im_attribute_values_get_string (values, p->endpoint, p->cluster, p->attribute, 64,
                                             &text, NULL))
        g_assert_true (g_utf8_validate (text, -1, NULL));
      array = th_im_attribute_values_get_uint_array (values, p->endpoint, p->cluster,
                                                     p->attribute, G_MAXUINT32, NULL);
    }

  {
    g_auto(ThBasicInformation) info = { 0 };
    ThCommissioningInfo commissioning;
    g_autoptr(GArray) interfaces = NULL;
    g_autoptr(GPtrArray) endpoints = NULL;
    g_autoptr(GError) endpoints_error = NULL;

    th_basic_information_decode (values, &info, NULL);
    th_commissioning_info_decode (values, &commissioning, NULL);
    interfaces = th_network_interfaces_decode (values, NULL);
    endpoints = th_endpoint_descriptions_decode (values, &endpoints_error);
    g_assert_true ((endpoints != NULL) == (endpoints_error == NULL));
    if (endpoints != NULL)
      th_endpoint_descriptions_find_server (endpoints, TH_CLUSTER_ON_OFF);
  }
}

static void
check_fields (const guint8 *fields,
              gsize         len)
{
  g_auto(ThCommissioningResponse) commissioning = { 0 };
  g_auto(ThNocResponse) noc = { 0 };
  g_auto(ThNetworkResponse) network = { 0 };
  g_auto(ThScanNetworksResponse) scan = { 0 };
  g_autoptr(GError) error = NULL;
  ThSignedElements elements;
  const guint8 *certificate;
  gsize certificate_len;

  if (th_commissioning_response_decode (fields, len, "response", &commissioning, &error))
    th_commissioning_response_check (&commissioning, "command", NULL);
  else
    g_assert_nonnull (error);
  g_clear_error (&error);
  if (th_noc_response_decode (fields, len, &noc, NULL))
    th_noc_response_check (&noc, "command", NULL);
  if (th_network_config_response_decode (fields, len, &network, NULL))
    th_network_response_check (&network, "command", NULL);
  th_network_response_clear (&network);
  th_connect_network_response_decode (fields, len, &network, NULL);
  th_scan_networks_response_decode (fields, len, &scan, NULL);
  if (th_operational_credentials_decode_attestation_response (fields, len, &elements, NULL))
    assert_inside (elements.elements, elements.elements_len, fields, len);
  th_operational_credentials_decode_csr_response (fields, len, &elements, NULL);
  if (th_operational_credentials_decode_certificate_chain_response (fields, len, &certificate,
                                                                    &certificate_len, NULL))
    assert_inside (certificate, certificate_len, fields, len);
}

static void
check_invoke (const guint8 *data,
              gsize         size,
              GBytes       *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThImInvokeResponse) response = th_im_invoke_response_decode (message, &error);
  ThImCommand request = { .endpoint = 0, .cluster = 0x30, .command = 0 };

  g_assert_true ((response == NULL) == (error != NULL));
  if (response == NULL)
    return;
  for (guint i = 0; i < response->results->len; i++)
    {
      const ThImInvokeResult *r = &g_array_index (response->results, ThImInvokeResult, i);

      if (r->fields == NULL)
        continue;
      assert_inside (r->fields, r->fields_len, data, size);
      check_fields (r->fields, r->fields_len);
    }
  th_im_invoke_response_check (response, &request, 1, "ArmFailSafe", NULL, NULL, NULL);
  th_im_invoke_response_check (response, &request, TH_IM_NO_RESPONSE_COMMAND, "ArmFailSafe",
                               NULL, NULL, NULL);
}

static void
check_write (GBytes *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThImWriteResponse) response = th_im_write_response_decode (message, &error);
  ThImAttributePath path = TH_IM_ATTRIBUTE_PATH (0, 0x28, 5);

  g_assert_true ((response == NULL) == (error != NULL));
  if (response != NULL)
    th_im_write_response_check (response, &path, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) message = g_bytes_new_static (data, size);
  g_autoptr(GError) error = NULL;
  guint8 status;

  /* a g_return_if_fail reached by input is a bug too */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  check_report (data, size, message);
  check_invoke (data, size, message);
  check_write (message);
  g_assert_true (th_im_status_response_decode (message, &status, &error) == (error == NULL));
  /* the command field decoders also see the raw input */
  check_fields (data, size);
  return 0;
}
