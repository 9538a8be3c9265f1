/* th-cli-payload.c: threshold-cli payload parse|encode
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "th-cli.h"
#include "th-error.h"
#include "onboarding/th-payload-text.h"
#include "onboarding/th-setup-payload.h"

static void
print_payload_words (const ThSetupPayload *payload,
                     guint                 index,
                     guint                 count)
{
  g_autofree char *manual = th_setup_payload_encode_manual (payload, NULL);
  g_autofree char *manual_formatted = manual ? th_manual_code_format (manual) : NULL;
  g_autofree char *qr = th_setup_payload_encode_qr (payload, NULL);
  const char *passcode_problem = th_payload_describe_passcode (payload->passcode_validity);
  g_autofree char *text = NULL;

  if (payload->format == TH_PAYLOAD_FORMAT_QR)
    g_print (_("Device %u of %u, from a QR code\n"), index + 1, count);
  else
    g_print (_("Device %u of %u, from a manual pairing code\n"), index + 1, count);

  if (payload->format == TH_PAYLOAD_FORMAT_QR)
    {
      text = g_strdup_printf ("%u", payload->version);
      th_cli_print_field (_("Version"), text);
      g_clear_pointer (&text, g_free);
    }

  if (payload->has_vendor_product)
    {
      text = g_strdup_printf ("0x%04X (%u)", payload->vendor_id, payload->vendor_id);
      th_cli_print_field (_("Vendor ID"), text);
      g_clear_pointer (&text, g_free);
      text = g_strdup_printf ("0x%04X (%u)", payload->product_id, payload->product_id);
      th_cli_print_field (_("Product ID"), text);
      g_clear_pointer (&text, g_free);
    }
  else
    {
      th_cli_print_field (_("Vendor ID"), _("not in the code"));
      th_cli_print_field (_("Product ID"), _("not in the code"));
    }

  text = g_strdup_printf ("%s. %s", th_payload_describe_flow (payload->flow),
                          th_payload_describe_flow_detail (payload->flow));
  th_cli_print_field (_("Commissioning flow"), text);
  g_clear_pointer (&text, g_free);

  if (payload->has_capabilities)
    {
      text = th_payload_describe_capabilities (payload->capabilities);
      th_cli_print_field (_("Discovery"), text);
      g_clear_pointer (&text, g_free);
    }
  else
    {
      th_cli_print_field (_("Discovery"),
                          _("not in the code: IP network and Bluetooth LE are searched"));
    }

  if (payload->short_discriminator)
    text = g_strdup_printf (_("%u (short form: only the upper 4 bits of the 12-bit value)"),
                            payload->discriminator);
  else
    text = g_strdup_printf (_("%u (short form %u)"), payload->discriminator,
                            th_setup_payload_get_short_discriminator (payload));
  th_cli_print_field (_("Discriminator"), text);
  g_clear_pointer (&text, g_free);

  if (passcode_problem == NULL)
    text = g_strdup_printf (_("%08u (valid)"), payload->passcode);
  else
    text = g_strdup_printf (_("%08u (not usable: %s)"), payload->passcode, passcode_problem);
  th_cli_print_field (_("Setup passcode"), text);
  g_clear_pointer (&text, g_free);

  if (payload->serial_number != NULL)
    th_cli_print_field (_("Serial number"), payload->serial_number);
  if (payload->pbkdf_iterations != 0)
    {
      text = g_strdup_printf ("%u", payload->pbkdf_iterations);
      th_cli_print_field (_("PBKDF iterations"), text);
      g_clear_pointer (&text, g_free);
    }
  if (payload->pbkdf_salt != NULL)
    {
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%zu byte", "%zu bytes",
                                           g_bytes_get_size (payload->pbkdf_salt)),
                              g_bytes_get_size (payload->pbkdf_salt));
      th_cli_print_field (_("PBKDF salt"), text);
      g_clear_pointer (&text, g_free);
    }
  if (payload->number_of_devices != 0)
    {
      text = g_strdup_printf ("%u", payload->number_of_devices);
      th_cli_print_field (_("Number of devices"), text);
      g_clear_pointer (&text, g_free);
    }
  if (payload->commissioning_timeout != 0)
    {
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second", "%u seconds",
                                           payload->commissioning_timeout),
                              payload->commissioning_timeout);
      th_cli_print_field (_("Commissioning timeout"), text);
      g_clear_pointer (&text, g_free);
    }
  if (payload->vendor_elements != NULL)
    {
      for (guint i = 0; i < payload->vendor_elements->len; i++)
        {
          const ThPayloadVendorElement *element = g_ptr_array_index (payload->vendor_elements, i);

          text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "tag 0x%02X, %zu byte",
                                               "tag 0x%02X, %zu bytes",
                                               g_bytes_get_size (element->element)),
                                  element->tag, g_bytes_get_size (element->element));
          th_cli_print_field (_("Vendor data"), text);
          g_clear_pointer (&text, g_free);
        }
    }

  if (manual_formatted != NULL)
    th_cli_print_field (_("Manual pairing code"), manual_formatted);
  if (qr != NULL && payload->format == TH_PAYLOAD_FORMAT_QR)
    th_cli_print_field (_("QR code"), qr);
}

static JsonNode *
payload_to_json (const ThSetupPayload *payload)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *manual = th_setup_payload_encode_manual (payload, NULL);
  g_autofree char *qr = NULL;
  g_auto(GStrv) capabilities = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder,
                                 payload->format == TH_PAYLOAD_FORMAT_QR ? "qr" : "manual");
  if (payload->format == TH_PAYLOAD_FORMAT_QR)
    {
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, payload->version);
    }
  if (payload->has_vendor_product)
    {
      json_builder_set_member_name (builder, "vendorId");
      json_builder_add_int_value (builder, payload->vendor_id);
      json_builder_set_member_name (builder, "productId");
      json_builder_add_int_value (builder, payload->product_id);
    }
  json_builder_set_member_name (builder, "commissioningFlow");
  json_builder_add_string_value (builder, th_commissioning_flow_to_string (payload->flow));
  if (payload->has_capabilities)
    {
      json_builder_set_member_name (builder, "discoveryCapabilities");
      json_builder_begin_array (builder);
      capabilities = th_discovery_capabilities_to_strv (payload->capabilities);
      for (guint i = 0; capabilities[i] != NULL; i++)
        json_builder_add_string_value (builder, capabilities[i]);
      json_builder_end_array (builder);
    }
  if (payload->short_discriminator)
    {
      json_builder_set_member_name (builder, "shortDiscriminator");
      json_builder_add_int_value (builder, payload->discriminator);
    }
  else
    {
      json_builder_set_member_name (builder, "discriminator");
      json_builder_add_int_value (builder, payload->discriminator);
      json_builder_set_member_name (builder, "shortDiscriminator");
      json_builder_add_int_value (builder, th_setup_payload_get_short_discriminator (payload));
    }
  json_builder_set_member_name (builder, "passcode");
  json_builder_add_int_value (builder, payload->passcode);
  json_builder_set_member_name (builder, "passcodeValid");
  json_builder_add_boolean_value (builder, payload->passcode_validity == TH_PASSCODE_VALID);
  if (payload->passcode_validity != TH_PASSCODE_VALID)
    {
      json_builder_set_member_name (builder, "passcodeProblem");
      json_builder_add_string_value (builder,
                                     th_payload_describe_passcode (payload->passcode_validity));
    }
  if (payload->serial_number != NULL)
    {
      json_builder_set_member_name (builder, "serialNumber");
      json_builder_add_string_value (builder, payload->serial_number);
    }
  if (payload->pbkdf_iterations != 0)
    {
      json_builder_set_member_name (builder, "pbkdfIterations");
      json_builder_add_int_value (builder, payload->pbkdf_iterations);
    }
  if (payload->number_of_devices != 0)
    {
      json_builder_set_member_name (builder, "numberOfDevices");
      json_builder_add_int_value (builder, payload->number_of_devices);
    }
  if (payload->commissioning_timeout != 0)
    {
      json_builder_set_member_name (builder, "commissioningTimeout");
      json_builder_add_int_value (builder, payload->commissioning_timeout);
    }
  if (manual != NULL)
    {
      json_builder_set_member_name (builder, "manualCode");
      json_builder_add_string_value (builder, manual);
    }
  if (payload->format == TH_PAYLOAD_FORMAT_QR && (qr = th_setup_payload_encode_qr (payload, NULL)))
    {
      json_builder_set_member_name (builder, "qrCode");
      json_builder_add_string_value (builder, qr);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static int
payload_parse (int    argc,
               char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON instead of words"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("CODE"));
  g_autoptr(GPtrArray) payloads = NULL;
  g_autoptr(GError) error = NULL;
  gboolean all_usable = TRUE;

  g_option_context_set_summary (context,
                                _("Decode a Matter setup code: an “MT:” QR code text (several "
                                  "devices may be joined with “*”), or an 11- or 21-digit "
                                  "manual pairing code, with or without spaces or dashes."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!th_cli_parse_options (context, &argc, &argv))
    return TH_CLI_EXIT_USAGE;
  if (argc != 2)
    {
      th_cli_error (_("Give exactly one setup code (quote it if it has spaces)."));
      return TH_CLI_EXIT_USAGE;
    }

  payloads = th_setup_payload_parse (argv[1], &error);
  if (payloads == NULL)
    {
      th_cli_error ("%s", error->message);
      return TH_CLI_EXIT_FAILED;
    }

  for (guint i = 0; i < payloads->len; i++)
    {
      if (!th_setup_payload_validate (g_ptr_array_index (payloads, i), NULL))
        all_usable = FALSE;
    }

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(JsonObject) object = json_object_new ();
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; i < payloads->len; i++)
        json_array_add_element (array, payload_to_json (g_ptr_array_index (payloads, i)));
      json_object_set_array_member (object, "payloads", g_steal_pointer (&array));
      json_object_set_boolean_member (object, "usable", all_usable);
      json_node_set_object (root, object);
      th_cli_print_json (root);
    }
  else
    {
      for (guint i = 0; i < payloads->len; i++)
        {
          if (i > 0)
            g_print ("\n");
          print_payload_words (g_ptr_array_index (payloads, i), i, payloads->len);
        }
    }

  for (guint i = 0; i < payloads->len; i++)
    {
      g_autoptr(GError) invalid = NULL;

      if (!th_setup_payload_validate (g_ptr_array_index (payloads, i), &invalid))
        th_cli_error (_("Device %u: %s"), i + 1, invalid->message);
    }
  return all_usable ? TH_CLI_EXIT_OK : TH_CLI_EXIT_FAILED;
}

static gboolean
parse_flow (const char          *text,
            ThCommissioningFlow *flow)
{
  for (ThCommissioningFlow f = TH_COMMISSIONING_FLOW_STANDARD; f <= TH_COMMISSIONING_FLOW_CUSTOM; f++)
    {
      if (g_str_equal (text, th_commissioning_flow_to_string (f)))
        {
          *flow = f;
          return TRUE;
        }
    }
  if (text[0] >= '0' && text[0] <= '2' && text[1] == '\0')
    {
      *flow = text[0] - '0';
      return TRUE;
    }
  th_cli_error (_("--flow: “%s” is not a commissioning flow; use standard, user-intent or custom."),
                text);
  return FALSE;
}

static gboolean
parse_capabilities (const char *text,
                    guint8     *capabilities)
{
  g_auto(GStrv) names = NULL;
  guint64 number;

  if (g_ascii_isdigit (text[0]))
    {
      if (!th_cli_parse_number ("--capabilities", text, 0xFF, &number))
        return FALSE;
      *capabilities = (guint8) number;
      return TRUE;
    }

  *capabilities = 0;
  names = g_strsplit (text, ",", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      gboolean found = FALSE;

      for (guint bit = 0; bit < 8 && !found; bit++)
        {
          g_auto(GStrv) ids = th_discovery_capabilities_to_strv (1u << bit);

          if (ids[0] != NULL && g_str_equal (ids[0], g_strstrip (names[i])))
            {
              *capabilities |= 1u << bit;
              found = TRUE;
            }
        }
      if (!found)
        {
          th_cli_error (_("--capabilities: “%s” is not a discovery method; use soft-ap, ble, "
                          "on-network, wifi-paf or nfc, joined with commas."), names[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static int
payload_encode (int    argc,
                char **argv)
{
  g_autofree char *vid = NULL, *pid = NULL, *discriminator = NULL, *passcode = NULL;
  g_autofree char *flow = NULL, *capabilities = NULL, *serial = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "vid", 0, 0, G_OPTION_ARG_STRING, &vid, N_("Vendor ID (decimal or 0x hex)"), N_("ID") },
    { "pid", 0, 0, G_OPTION_ARG_STRING, &pid, N_("Product ID (decimal or 0x hex)"), N_("ID") },
    { "discriminator", 0, 0, G_OPTION_ARG_STRING, &discriminator,
      N_("12-bit discriminator, 0 to 4095"), N_("NUMBER") },
    { "passcode", 0, 0, G_OPTION_ARG_STRING, &passcode,
      N_("Setup passcode, 1 to 99999998"), N_("NUMBER") },
    { "flow", 0, 0, G_OPTION_ARG_STRING, &flow,
      N_("Commissioning flow: standard (default), user-intent or custom"), N_("FLOW") },
    { "capabilities", 0, 0, G_OPTION_ARG_STRING, &capabilities,
      N_("Discovery methods, joined with commas: soft-ap, ble, on-network, wifi-paf, nfc "
         "(default on-network), or a number"), N_("LIST") },
    { "serial", 0, 0, G_OPTION_ARG_STRING, &serial,
      N_("Serial number to put in the QR code’s optional data"), N_("TEXT") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON instead of text"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(ThSetupPayload) payload = th_setup_payload_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *qr = NULL, *manual = NULL, *formatted = NULL;
  guint64 number;

  g_option_context_set_summary (context,
                                _("Make the QR code text and the manual pairing code of a "
                                  "device from its fields."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!th_cli_parse_options (context, &argc, &argv))
    return TH_CLI_EXIT_USAGE;
  if (argc != 1)
    {
      th_cli_error (_("Unexpected argument “%s”."), argv[1]);
      return TH_CLI_EXIT_USAGE;
    }
  if (vid == NULL || pid == NULL || discriminator == NULL || passcode == NULL)
    {
      th_cli_error (_("--vid, --pid, --discriminator and --passcode are all needed."));
      return TH_CLI_EXIT_USAGE;
    }

  payload->format = TH_PAYLOAD_FORMAT_QR;
  payload->has_vendor_product = TRUE;
  payload->has_capabilities = TRUE;
  payload->capabilities = TH_DISCOVERY_ON_NETWORK;
  if (!th_cli_parse_number ("--vid", vid, 0xFFFF, &number))
    return TH_CLI_EXIT_USAGE;
  payload->vendor_id = (guint16) number;
  if (!th_cli_parse_number ("--pid", pid, 0xFFFF, &number))
    return TH_CLI_EXIT_USAGE;
  payload->product_id = (guint16) number;
  if (!th_cli_parse_number ("--discriminator", discriminator, TH_DISCRIMINATOR_MAX, &number))
    return TH_CLI_EXIT_USAGE;
  payload->discriminator = (guint16) number;
  if (!th_cli_parse_number ("--passcode", passcode, 0x7FFFFFF, &number))
    return TH_CLI_EXIT_USAGE;
  payload->passcode = (guint32) number;
  payload->passcode_validity = th_passcode_check (payload->passcode);
  if (flow != NULL && !parse_flow (flow, &payload->flow))
    return TH_CLI_EXIT_USAGE;
  if (capabilities != NULL && !parse_capabilities (capabilities, &payload->capabilities))
    return TH_CLI_EXIT_USAGE;
  if (serial != NULL)
    payload->serial_number = g_strdup (serial);

  qr = th_setup_payload_encode_qr (payload, &error);
  if (qr != NULL)
    manual = th_setup_payload_encode_manual (payload, &error);
  if (qr == NULL || manual == NULL)
    {
      th_cli_error ("%s", error->message);
      return TH_CLI_EXIT_FAILED;
    }
  formatted = th_manual_code_format (manual);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "qrCode");
      json_builder_add_string_value (builder, qr);
      json_builder_set_member_name (builder, "manualCode");
      json_builder_add_string_value (builder, manual);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      th_cli_print_json (root);
    }
  else
    {
      th_cli_print_field (_("QR code"), qr);
      th_cli_print_field (_("Manual pairing code"), formatted);
    }
  return TH_CLI_EXIT_OK;
}

const ThCliCommand th_cli_payload_commands[] = {
  { "parse", N_("Decode a QR code text or a manual pairing code"), payload_parse, NULL },
  { "encode", N_("Make the QR code and manual pairing code of a device"), payload_encode, NULL },
  { NULL }
};
