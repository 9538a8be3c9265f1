/* th-cli-pase.c: threshold-cli pase, a passcode session with a device at a known address
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "clusters/th-cluster-names.h"
#include "clusters/th-clusters.h"
#include "clusters/th-node-attributes.h"
#include "im/th-im-client.h"
#include "messaging/th-udp-transport.h"
#include "onboarding/th-setup-payload.h"
#include "secure-channel/th-close-session.h"
#include "secure-channel/th-pase.h"
#include "th-cli.h"
#include "th-error.h"

/* How long the fail-safe is armed for: long enough for any step that follows it. */
#define FAIL_SAFE_SECONDS 60

typedef enum
{
  STEP_SETUP,
  STEP_PASE,
  STEP_READ,
  STEP_ARM,
  STEP_DISARM,
  N_STEPS,
} Step;

static const struct
{
  const char *json_name;
  const char *label;
} steps[N_STEPS] = {
  [STEP_SETUP] = { "setupMs", N_("Setup (code, address, socket)") },
  [STEP_PASE] = { "paseMs", N_("PASE session") },
  [STEP_READ] = { "readMs", N_("Read Basic Information") },
  [STEP_ARM] = { "armFailSafeMs", N_("Arm the fail-safe") },
  [STEP_DISARM] = { "disarmFailSafeMs", N_("Disarm the fail-safe") },
};

/* What is read, in one ReadRequest */
static const guint32 basic_information_attributes[] = {
  TH_BASIC_INFORMATION_ATTR_VENDOR_NAME,
  TH_BASIC_INFORMATION_ATTR_VENDOR_ID,
  TH_BASIC_INFORMATION_ATTR_PRODUCT_NAME,
  TH_BASIC_INFORMATION_ATTR_PRODUCT_ID,
  TH_BASIC_INFORMATION_ATTR_SERIAL_NUMBER,
  TH_BASIC_INFORMATION_ATTR_SOFTWARE_VERSION_STRING,
};

typedef struct
{
  char *vendor_name;
  guint16 vendor_id;
  char *product_name;
  guint16 product_id;
  char *serial_number;        /* NULL when the device has none: the attribute is optional */
  char *software_version;
} DeviceInfo;

typedef struct
{
  GMainLoop *loop;
  ThExchangeManager *manager;
  GSocketAddress *address;
  ThSession *unsecured;
  ThSession *session;
  /* Devices end the PASE session themselves when the fail-safe expires, as disarming it
   * makes it do (both SDKs do); a CloseSession after that would name an unknown session. */
  gboolean session_ended_by_device;
  DeviceInfo info;
  GError *error;

  gint64 started_us;
  gint64 step_started_us;
  gint64 step_us[N_STEPS];
} PaseRun;

static void
device_info_clear (DeviceInfo *info)
{
  g_clear_pointer (&info->vendor_name, g_free);
  g_clear_pointer (&info->product_name, g_free);
  g_clear_pointer (&info->serial_number, g_free);
  g_clear_pointer (&info->software_version, g_free);
}

static void
end_step (PaseRun *run,
          Step     step)
{
  gint64 now = g_get_monotonic_time ();

  run->step_us[step] = now - run->step_started_us;
  run->step_started_us = now;
}

/* Stops the run with `error` (taken). */
static void
fail (PaseRun *run,
      GError  *error)
{
  run->error = error;
  g_main_loop_quit (run->loop);
}

/* Puts the attribute's name in front of an error about its value. */
static gboolean
attribute_failed (guint32   attribute,
                  GError  **error)
{
  g_autofree char *what = th_attribute_describe (TH_ROOT_ENDPOINT,
                                                 TH_CLUSTER_BASIC_INFORMATION, attribute);

  g_prefix_error (error, _("Could not read %s: "), what);
  return FALSE;
}

static gboolean
get_string (ThImAttributeValues  *values,
            guint32               attribute,
            char                **value,
            GError              **error)
{
  if (!th_im_attribute_values_get_string (values, TH_ROOT_ENDPOINT,
                                          TH_CLUSTER_BASIC_INFORMATION, attribute,
                                          TH_BASIC_INFORMATION_STRING_MAX_LEN, value, error))
    return attribute_failed (attribute, error);
  return TRUE;
}

static gboolean
get_id (ThImAttributeValues  *values,
        guint32               attribute,
        guint16              *value,
        GError              **error)
{
  guint64 number;

  if (!th_im_attribute_values_get_uint (values, TH_ROOT_ENDPOINT, TH_CLUSTER_BASIC_INFORMATION,
                                        attribute, G_MAXUINT16, &number, error))
    return attribute_failed (attribute, error);
  *value = (guint16) number;
  return TRUE;
}

static gboolean
decode_device_info (ThImAttributeValues  *values,
                    DeviceInfo           *info,
                    GError              **error)
{
  g_autoptr(GError) serial_error = NULL;

  if (!get_string (values, TH_BASIC_INFORMATION_ATTR_VENDOR_NAME, &info->vendor_name, error)
      || !get_id (values, TH_BASIC_INFORMATION_ATTR_VENDOR_ID, &info->vendor_id, error)
      || !get_string (values, TH_BASIC_INFORMATION_ATTR_PRODUCT_NAME, &info->product_name, error)
      || !get_id (values, TH_BASIC_INFORMATION_ATTR_PRODUCT_ID, &info->product_id, error)
      || !get_string (values, TH_BASIC_INFORMATION_ATTR_SOFTWARE_VERSION_STRING,
                      &info->software_version, error))
    return FALSE;

  /* A device without a serial number answers with a status for it, or leaves it out. */
  if (!get_string (values, TH_BASIC_INFORMATION_ATTR_SERIAL_NUMBER, &info->serial_number,
                   &serial_error))
    {
      if (!g_error_matches (serial_error, TH_ERROR, TH_ERROR_IM_STATUS)
          && !g_error_matches (serial_error, TH_ERROR, TH_ERROR_IM_NOT_REPORTED))
        {
          g_propagate_error (error, g_steal_pointer (&serial_error));
          return FALSE;
        }
      g_debug ("No serial number: %s", serial_error->message);
    }
  return TRUE;
}

static void on_disarmed (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data);

static void
arm_fail_safe (PaseRun             *run,
               guint16              seconds,
               GAsyncReadyCallback  callback)
{
  g_autoptr(GBytes) fields = th_general_commissioning_encode_arm_fail_safe (seconds, 0);
  ThImCommand command = {
    .endpoint = TH_ROOT_ENDPOINT,
    .cluster = TH_CLUSTER_GENERAL_COMMISSIONING,
    .command = TH_GENERAL_COMMISSIONING_CMD_ARM_FAIL_SAFE,
    .fields = fields,
  };

  th_im_invoke_async (run->manager, run->session, &command,
                      TH_GENERAL_COMMISSIONING_CMD_ARM_FAIL_SAFE_RESPONSE, 0, NULL, callback,
                      run);
}

/* The ArmFailSafeResponse's ErrorCode, checked */
static gboolean
check_arm_fail_safe (PaseRun       *run,
                     GAsyncResult  *result,
                     GError       **error)
{
  g_auto(ThCommissioningResponse) response = { 0 };
  g_autoptr(GBytes) fields = NULL;
  gsize len;
  const guint8 *data;

  if (!th_im_invoke_finish (run->manager, result, &fields, error))
    return FALSE;
  data = g_bytes_get_data (fields, &len);
  return th_commissioning_response_decode (data, len, "ArmFailSafeResponse", &response, error)
         && th_commissioning_response_check (&response, "ArmFailSafe", error);
}

static void
on_armed (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  PaseRun *run = user_data;
  GError *error = NULL;

  if (!check_arm_fail_safe (run, result, &error))
    {
      fail (run, error);
      return;
    }
  end_step (run, STEP_ARM);
  /* An expiry of zero disarms it at once. */
  arm_fail_safe (run, 0, on_disarmed);
}

static void
on_disarmed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  PaseRun *run = user_data;
  GError *error = NULL;

  if (!check_arm_fail_safe (run, result, &error))
    {
      g_prefix_error (&error, _("Disarming the fail-safe failed: "));
      fail (run, error);
      return;
    }
  end_step (run, STEP_DISARM);
  run->session_ended_by_device = TRUE;
  g_main_loop_quit (run->loop);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  PaseRun *run = user_data;
  g_autoptr(ThImAttributeValues) values = NULL;
  GError *error = NULL;

  values = th_im_read_finish (run->manager, result, &error);
  if (values == NULL || !decode_device_info (values, &run->info, &error))
    {
      fail (run, error);
      return;
    }
  end_step (run, STEP_READ);
  arm_fail_safe (run, FAIL_SAFE_SECONDS, on_armed);
}

static void
on_pase (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  PaseRun *run = user_data;
  ThImAttributePath paths[G_N_ELEMENTS (basic_information_attributes)];
  GError *error = NULL;

  run->session = th_pase_establish_finish (run->manager, result, &error);
  if (run->session == NULL)
    {
      fail (run, error);
      return;
    }
  end_step (run, STEP_PASE);

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    paths[i] = TH_IM_ATTRIBUTE_PATH (TH_ROOT_ENDPOINT, TH_CLUSTER_BASIC_INFORMATION,
                                     basic_information_attributes[i]);
  th_im_read_async (run->manager, run->session, paths, G_N_ELEMENTS (paths), NULL, on_read,
                    run);
}

/* The one device's payload from the code, checked; the PBKDF parameters when the QR code
 * carries both. */
static ThSetupPayload *
parse_code (const char         *code,
            ThPbkdfParameters  *pbkdf,
            gboolean           *has_pbkdf,
            GError            **error)
{
  g_autoptr(GPtrArray) payloads = th_setup_payload_parse (code, error);
  ThSetupPayload *payload;

  if (payloads == NULL)
    return NULL;
  if (payloads->len != 1)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                   _("The QR code holds the codes of %u devices; give the code of the one "
                     "device to connect to."), payloads->len);
      return NULL;
    }
  payload = g_ptr_array_index (payloads, 0);
  if (!th_setup_payload_validate (payload, error)
      || !th_pbkdf_parameters_from_payload (payload, pbkdf, has_pbkdf, error))
    return NULL;
  return g_ptr_array_steal_index (payloads, 0);
}

static void
print_field (const char *label,
             const char *value)
{
  g_autofree char *with_colon = g_strdup_printf ("%s:", label);

  g_print ("  %-24s %s\n", with_colon, value);
}

static void
print_words (PaseRun  *run,
             gboolean  timings)
{
  g_autofree char *address = th_socket_address_to_string (run->address);
  g_autofree char *vendor_id = g_strdup_printf ("0x%04X (%u)", run->info.vendor_id,
                                                run->info.vendor_id);
  g_autofree char *product_id = g_strdup_printf ("0x%04X (%u)", run->info.product_id,
                                                 run->info.product_id);

  g_print (_("Passcode session established with the device at %s.\n"), address);
  print_field (_("Vendor name"), run->info.vendor_name);
  print_field (_("Vendor ID"), vendor_id);
  print_field (_("Product name"), run->info.product_name);
  print_field (_("Product ID"), product_id);
  print_field (_("Serial number"), run->info.serial_number != NULL
                                   ? run->info.serial_number : _("none given by the device"));
  print_field (_("Software version"), run->info.software_version);
  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "The fail-safe was armed for %u second and disarmed again.\n",
                        "The fail-safe was armed for %u seconds and disarmed again.\n",
                        FAIL_SAFE_SECONDS), FAIL_SAFE_SECONDS);
  if (!timings)
    return;
  g_print (_("Timings:\n"));
  for (Step step = 0; step < N_STEPS; step++)
    {
      g_autofree char *value = g_strdup_printf (_("%.1f ms"), run->step_us[step] / 1000.0);

      print_field (_(steps[step].label), value);
    }
}

static void
print_json (PaseRun  *run,
            gboolean  timings,
            gint64    total_us)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *address = th_socket_address_to_string (run->address);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "address");
  json_builder_add_string_value (builder, address);
  json_builder_set_member_name (builder, "basicInformation");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "vendorName");
  json_builder_add_string_value (builder, run->info.vendor_name);
  json_builder_set_member_name (builder, "vendorId");
  json_builder_add_int_value (builder, run->info.vendor_id);
  json_builder_set_member_name (builder, "productName");
  json_builder_add_string_value (builder, run->info.product_name);
  json_builder_set_member_name (builder, "productId");
  json_builder_add_int_value (builder, run->info.product_id);
  json_builder_set_member_name (builder, "serialNumber");
  if (run->info.serial_number != NULL)
    json_builder_add_string_value (builder, run->info.serial_number);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "softwareVersionString");
  json_builder_add_string_value (builder, run->info.software_version);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "failSafeSeconds");
  json_builder_add_int_value (builder, FAIL_SAFE_SECONDS);
  if (timings)
    {
      json_builder_set_member_name (builder, "timings");
      json_builder_begin_object (builder);
      for (Step step = 0; step < N_STEPS; step++)
        {
          json_builder_set_member_name (builder, steps[step].json_name);
          json_builder_add_double_value (builder, run->step_us[step] / 1000.0);
        }
      json_builder_set_member_name (builder, "totalMs");
      json_builder_add_double_value (builder, total_us / 1000.0);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  th_cli_print_json (root);
}

int
th_cli_pase (int    argc,
             char **argv)
{
  g_autofree char *address_text = NULL;
  gboolean json = FALSE;
  gboolean timings = FALSE;
  const GOptionEntry entries[] = {
    { "address", 'a', 0, G_OPTION_ARG_STRING, &address_text,
      N_("The device’s IPv6 or IPv4 address, with an optional port (default 5540): "
         "fe80::1%eth0, [fd00::1]:5541, 192.168.1.20:5540"), N_("ADDRESS[:PORT]") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON instead of words"), NULL },
    { "timings", 0, 0, G_OPTION_ARG_NONE, &timings,
      N_("Print how long each step took, in milliseconds"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("CODE"));
  g_autoptr(ThSetupPayload) payload = NULL;
  g_autoptr(ThUdpTransport) transport = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) close_error = NULL;
  PaseRun run = { 0 };
  ThPbkdfParameters pbkdf = { 0 };
  gboolean has_pbkdf = FALSE;
  gint64 total_us;
  int status = TH_CLI_EXIT_OK;

  g_option_context_set_summary (context,
                                _("Set up a passcode (PASE) session with a device that is open "
                                  "for commissioning, at a known address, with its setup code "
                                  "(QR code text or manual pairing code). Reads its vendor, "
                                  "product, serial number and software version, arms the "
                                  "fail-safe and disarms it again, then closes the session: the "
                                  "device stays as it was."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!th_cli_parse_options (context, &argc, &argv))
    return TH_CLI_EXIT_USAGE;
  if (argc != 2)
    {
      th_cli_error (_("Give exactly one setup code (quote it if it has spaces)."));
      return TH_CLI_EXIT_USAGE;
    }
  if (address_text == NULL)
    {
      th_cli_error (_("--address is needed: the device’s IP address, as in --address "
                      "fe80::1%%eth0 or --address 192.168.1.20:5540."));
      return TH_CLI_EXIT_USAGE;
    }

  run.started_us = run.step_started_us = g_get_monotonic_time ();
  run.address = th_udp_address_parse (address_text, TH_MATTER_UDP_PORT, &error);
  if (run.address == NULL)
    {
      th_cli_error (_("--address: %s"), error->message);
      return TH_CLI_EXIT_USAGE;
    }

  payload = parse_code (argv[1], &pbkdf, &has_pbkdf, &error);
  /* The code holds the passcode: it stays in memory no longer than needed. */
  explicit_bzero (argv[1], strlen (argv[1]));
  if (payload == NULL)
    {
      th_cli_error ("%s", error->message);
      g_object_unref (run.address);
      return TH_CLI_EXIT_FAILED;
    }

  run.loop = g_main_loop_new (NULL, FALSE);
  transport = th_udp_transport_new (NULL, 0, &error);
  if (transport != NULL)
    run.manager = th_exchange_manager_new (TH_TRANSPORT (transport), NULL, &error);
  if (run.manager != NULL)
    run.unsecured = th_exchange_manager_open_unsecured_session (run.manager, run.address,
                                                                &error);
  if (run.unsecured != NULL)
    {
      end_step (&run, STEP_SETUP);
      th_pase_establish_async (run.manager, run.unsecured, payload->passcode,
                               has_pbkdf ? &pbkdf : NULL, NULL, on_pase, &run);
      g_clear_pointer (&payload, th_setup_payload_free);
      explicit_bzero (&pbkdf, sizeof pbkdf);
      g_main_loop_run (run.loop);
      error = g_steal_pointer (&run.error);
    }
  total_us = g_get_monotonic_time () - run.started_us;

  if (error != NULL)
    {
      if (g_error_matches (error, TH_ERROR, TH_ERROR_PASE_WRONG_PASSCODE))
        th_cli_error ("%s %s", error->message, _("Check the code and try again."));
      else
        th_cli_error ("%s", error->message);
      status = TH_CLI_EXIT_FAILED;
    }
  else if (json)
    {
      print_json (&run, timings, total_us);
    }
  else
    {
      print_words (&run, timings);
      if (timings)
        {
          g_autofree char *value = g_strdup_printf (_("%.1f ms"), total_us / 1000.0);

          print_field (_("Total"), value);
        }
    }

  /* Unless the device ended the session already, it hears that the session ends (which
   * also expires a fail-safe left armed); nothing else goes out after that. */
  if (run.session != NULL && run.session_ended_by_device)
    th_exchange_manager_close_session (run.manager, run.session);
  else if (run.session != NULL && !th_close_session (run.manager, run.session, &close_error))
    g_debug ("The CloseSession report was not sent: %s", close_error->message);
  if (run.manager != NULL)
    th_exchange_manager_close (run.manager);
  g_clear_object (&run.session);
  g_clear_object (&run.unsecured);
  g_clear_object (&run.manager);
  g_clear_object (&run.address);
  g_clear_pointer (&run.loop, g_main_loop_unref);
  device_info_clear (&run.info);
  return status;
}
