/* th-cli-discover-ble.c: threshold-cli discover --ble
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>

#include "th-cli.h"
#include "discovery/th-ble.h"
#include "discovery/th-ble-browser.h"

typedef struct
{
  GMainLoop *loop;
  const ThCliBleOptions *options;
  int status;
  gint64 started;              /* monotonic, µs */
  GCancellable *cancellable;   /* --first */
} Run;

static double
elapsed_ms (Run *run)
{
  return (double) (g_get_monotonic_time () - run->started) / 1000.0;
}

static JsonNode *
device_to_json (ThBleDevice *device)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint8 flags = th_ble_device_get_flags (device);
  guint16 discriminator = th_ble_device_get_discriminator (device);
  gint16 rssi;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "address");
  json_builder_add_string_value (builder, th_ble_device_get_address (device));
  if (th_ble_device_get_name (device) != NULL)
    {
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, th_ble_device_get_name (device));
    }
  json_builder_set_member_name (builder, "objectPath");
  json_builder_add_string_value (builder, th_ble_device_get_object_path (device));
  if (th_ble_device_get_rssi (device, &rssi))
    {
      json_builder_set_member_name (builder, "rssi");
      json_builder_add_int_value (builder, rssi);
    }
  json_builder_set_member_name (builder, "discriminator");
  json_builder_add_int_value (builder, discriminator);
  json_builder_set_member_name (builder, "shortDiscriminator");
  json_builder_add_int_value (builder, discriminator >> 8);
  json_builder_set_member_name (builder, "vendorId");
  json_builder_add_int_value (builder, th_ble_device_get_vendor_id (device));
  json_builder_set_member_name (builder, "productId");
  json_builder_add_int_value (builder, th_ble_device_get_product_id (device));
  json_builder_set_member_name (builder, "additionalData");
  json_builder_add_boolean_value (builder, (flags & TH_BLE_FLAG_ADDITIONAL_DATA) != 0);
  json_builder_set_member_name (builder, "extendedAnnouncement");
  json_builder_add_boolean_value (builder, (flags & TH_BLE_FLAG_EXTENDED_ANNOUNCEMENT) != 0);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
print_device_words (ThBleDevice *device)
{
  guint8 flags = th_ble_device_get_flags (device);
  guint16 discriminator = th_ble_device_get_discriminator (device);
  g_autofree char *text = NULL;
  gint16 rssi;

  if (th_ble_device_get_name (device) != NULL)
    g_print ("%s (%s)\n", th_ble_device_get_name (device), th_ble_device_get_address (device));
  else
    g_print ("%s\n", th_ble_device_get_address (device));

  text = g_strdup_printf (_("%u (short form %u)"), discriminator, discriminator >> 8);
  th_cli_print_field (_("Discriminator"), text);
  g_clear_pointer (&text, g_free);
  if ((flags & TH_BLE_FLAG_EXTENDED_ANNOUNCEMENT) != 0)
    {
      th_cli_print_field (_("Commissioning"),
                          _("not open (it announces itself without being in pairing mode)"));
    }
  else
    {
      text = g_strdup_printf ("0x%04X", th_ble_device_get_vendor_id (device));
      th_cli_print_field (_("Vendor ID"), text);
      g_clear_pointer (&text, g_free);
      text = g_strdup_printf ("0x%04X", th_ble_device_get_product_id (device));
      th_cli_print_field (_("Product ID"), text);
      g_clear_pointer (&text, g_free);
    }
  if (th_ble_device_get_rssi (device, &rssi))
    {
      /* Translators: a Bluetooth signal strength */
      text = g_strdup_printf (_("%d dBm"), rssi);
      th_cli_print_field (_("Signal"), text);
      g_clear_pointer (&text, g_free);
    }
  if ((flags & TH_BLE_FLAG_ADDITIONAL_DATA) != 0)
    th_cli_print_field (_("Additional data"), _("offered (characteristic C3)"));
  th_cli_print_field (_("BlueZ object"), th_ble_device_get_object_path (device));
}

static gboolean
wanted (const ThCliBleOptions *options,
        ThBleDevice           *device)
{
  return !options->has_discriminator ||
         th_ble_device_matches_discriminator (device, options->discriminator,
                                              options->is_short);
}

static void
print_list (Run          *run,
            ThBleBrowser *browser)
{
  GListModel *model = G_LIST_MODEL (browser);
  guint shown = 0;

  if (run->options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "devices");
      json_builder_begin_array (builder);
      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        {
          g_autoptr(ThBleDevice) device = g_list_model_get_item (model, i);

          if (wanted (run->options, device))
            json_builder_add_value (builder, device_to_json (device));
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      th_cli_print_json (root);
      return;
    }

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ThBleDevice) device = g_list_model_get_item (model, i);

      if (!wanted (run->options, device))
        continue;
      if (shown++ > 0)
        g_print ("\n");
      print_device_words (device);
    }
  if (shown == 0)
    g_print (_("No Matter devices advertised over Bluetooth.\n"));
}

/* Bluetooth cannot scan: say why and stop, rather than list nothing. */
static void
on_state_changed (ThBleBrowser *browser,
                  GParamSpec   *pspec,
                  gpointer      user_data)
{
  Run *run = user_data;
  const GError *error = th_ble_browser_get_error (browser);

  if (error == NULL)
    return;
  th_cli_error ("%s", error->message);
  run->status = TH_CLI_EXIT_FAILED;
  g_main_loop_quit (run->loop);
}

static gboolean
on_quit (gpointer user_data)
{
  Run *run = user_data;

  g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_interrupt (gpointer user_data)
{
  Run *run = user_data;

  if (run->cancellable != NULL)
    g_cancellable_cancel (run->cancellable);
  else
    g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

static void
on_found (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThBleDevice) device = th_ble_find_commissionable_finish (result, &error);
  double ms = elapsed_ms (run);

  g_main_loop_quit (run->loop);
  if (device == NULL)
    {
      th_cli_error ("%s", error->message);
      run->status = TH_CLI_EXIT_FAILED;
      return;
    }
  if (run->options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "device");
      json_builder_add_value (builder, device_to_json (device));
      json_builder_set_member_name (builder, "elapsedMs");
      json_builder_add_double_value (builder, ms);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      th_cli_print_json (root);
      return;
    }
  print_device_words (device);
  g_print (_("Found in %.0f ms.\n"), ms);
}

int
th_cli_discover_ble (const ThCliBleOptions *options)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(ThBleBrowser) browser = NULL;
  guint signal_ids[2];
  Run run = { 0 };

  run.loop = loop;
  run.options = options;
  run.status = TH_CLI_EXIT_OK;
  run.started = g_get_monotonic_time ();
  signal_ids[0] = g_unix_signal_add (SIGINT, on_interrupt, &run);
  signal_ids[1] = g_unix_signal_add (SIGTERM, on_interrupt, &run);

  if (options->first)
    {
      cancellable = g_cancellable_new ();
      run.cancellable = cancellable;
      th_ble_find_commissionable_async (options->discriminator, options->is_short,
                                        options->timeout_ms, cancellable, on_found, &run);
      g_main_loop_run (loop);
    }
  else
    {
      guint timeout_id;

      browser = th_ble_browser_new ();
      g_signal_connect (browser, "notify::state", G_CALLBACK (on_state_changed), &run);
      timeout_id = g_timeout_add (options->timeout_ms, on_quit, &run);
      th_ble_browser_start (browser);
      g_main_loop_run (loop);
      g_source_remove (timeout_id);
      if (run.status == TH_CLI_EXIT_OK)
        print_list (&run, browser);
      th_ble_browser_stop (browser);
    }

  g_source_remove (signal_ids[0]);
  g_source_remove (signal_ids[1]);
  return run.status;
}
