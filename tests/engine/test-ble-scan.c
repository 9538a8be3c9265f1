/* test-ble-scan.c: BLE scanning and the BlueZ GATT link against python-dbusmock's bluez5
 * template on a private bus standing in for the system bus; the Matter service data parser
 * against the shared vectors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "discovery/th-ble.h"
#include "discovery/th-ble-browser.h"
#include "discovery/th-ble-gatt-link.h"
#include "discovery/th-ble-service-data.h"
#include "messaging/th-btp-transport.h"
#include "th-error.h"
#include "th-test-utils.h"

#define PYTHON "/usr/bin/python3"
#define ADAPTER "/org/bluez/hci0"
#define DEVICE_ADDRESS "AA:BB:CC:DD:EE:FF"
#define DEVICE ADAPTER "/dev_AA_BB_CC_DD_EE_FF"
#define SERVICE DEVICE "/service0010"
#define C1 SERVICE "/char0011"
#define C2 SERVICE "/char0013"
#define MOCK_IFACE "org.freedesktop.DBus.Mock"
/* How long a test waits for the mock to act, in real time. */
#define PATIENCE_MS 10000

/* The vector: discriminator 3840, VID 0xFFF1, PID 0x8001. */
#define SERVICE_DATA_3840 "00000ff1ff018000"

static char *skip_reason;
static GPid bus_daemon;
static GSubprocess *mock;
static GDBusConnection *bus;

static JsonObject *
ble_vectors (void)
{
  static JsonNode *root;

  if (root == NULL)
    root = th_test_load_vectors ("discovery/ble_vectors.json");
  return json_node_get_object (root);
}

/* The private bus and the mock. */

/* The helpers go when the test goes, however it ends. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
can_run (void)
{
  if (skip_reason == NULL)
    return TRUE;
  th_test_skip_or_fail (skip_reason);
  return FALSE;
}

static void
start_bus (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *daemon_path = g_find_program_in_path ("dbus-daemon");
  const char *argv[] = { "dbus-daemon", "--session", "--nofork", "--print-address=1", NULL };
  char address[512];
  gsize len = 0;
  int out = -1;
  int status = 0;

  if (daemon_path == NULL)
    {
      skip_reason = g_strdup ("dbus-daemon is not installed (Debian package dbus)");
      return;
    }
  if (!g_spawn_sync (NULL, (char *[]) { (char *) PYTHON, (char *) "-c",
                                        (char *) "import dbusmock", NULL },
                     NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                     NULL, NULL, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      skip_reason = g_strdup (PYTHON " cannot import dbusmock (Debian package "
                              "python3-dbusmock)");
      return;
    }

  /* Spawned without GSubprocess, whose worker thread would make the setenv below unsafe. */
  g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                            G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                            G_SPAWN_STDERR_TO_DEV_NULL,
                            die_with_parent, NULL,
                            &bus_daemon, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  while (len < sizeof address - 1 && (len == 0 || address[len - 1] != '\n'))
    {
      gssize n = read (out, address + len, sizeof address - 1 - len);

      g_assert_cmpint (n, >, 0);
      len += (gsize) n;
    }
  close (out);
  address[len] = '\0';
  g_strchomp (address);
  /* Before anything reaches for the system bus, which is then this one. */
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);
}

static void
stop_bus (void)
{
  if (mock != NULL)
    {
      g_subprocess_force_exit (mock);
      g_subprocess_wait (mock, NULL, NULL);
      g_clear_object (&mock);
    }
  g_clear_object (&bus);
  if (bus_daemon != 0)
    {
      kill (bus_daemon, SIGTERM);
      waitpid (bus_daemon, NULL, 0);
      g_spawn_close_pid (bus_daemon);
      bus_daemon = 0;
    }
}

/* The test's own hold on the (private) system bus connection, which the engine shares. */
static GDBusConnection *
system_bus (void)
{
  g_autoptr(GError) error = NULL;

  if (bus == NULL)
    bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  g_assert_no_error (error);
  return bus;
}

static gboolean
on_too_long (gpointer user_data)
{
  g_error ("%s did not happen within %u ms", (const char *) user_data, PATIENCE_MS);
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (gpointer user_data);

/* Runs the main context until the condition holds. */
static void
wait_until (Condition   condition,
            gpointer    user_data,
            const char *what)
{
  guint guard = g_timeout_add (PATIENCE_MS, on_too_long, (gpointer) what);

  while (!condition (user_data))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
}

static gboolean
is_set (gpointer user_data)
{
  return *(gpointer *) user_data != NULL;
}

static GVariant *
mock_call (const char         *path,
           const char         *interface,
           const char         *method,
           GVariant           *parameters,
           const GVariantType *reply_type)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = g_dbus_connection_call_sync (system_bus (), "org.bluez", path, interface,
                                                 method, parameters, reply_type,
                                                 G_DBUS_CALL_FLAGS_NONE, PATIENCE_MS, NULL,
                                                 &error);

  if (reply == NULL)
    g_error ("%s.%s on %s: %s", interface, method, path, error->message);
  return reply;
}

static void
mock_call_void (const char *path,
                const char *interface,
                const char *method,
                GVariant   *parameters)
{
  g_variant_unref (mock_call (path, interface, method, parameters, NULL));
}

static gboolean
bluez_is_on_bus (gpointer user_data)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = FALSE;

  reply = g_dbus_connection_call_sync (system_bus (), "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "NameHasOwner", g_variant_new ("(s)", "org.bluez"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);
  if (!has_owner)
    g_usleep (20000);
  return has_owner;
}

/* BlueZ as the bluez5 template makes it: no adapter yet. */
static void
mock_start (void)
{
  g_autoptr(GError) error = NULL;

  if (mock == NULL)
    {
      g_autoptr(GSubprocessLauncher) launcher =
        g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);

      g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
      mock = g_subprocess_launcher_spawn (launcher, &error, PYTHON, "-m", "dbusmock",
                                          "--system", "--template", "bluez5", NULL);
      g_assert_no_error (error);
      wait_until (bluez_is_on_bus, NULL, "The mock BlueZ appearing on the bus");
      return;
    }
  mock_call_void ("/", MOCK_IFACE, "Reset", NULL);
}

static void
add_adapter (const char *name)
{
  g_variant_unref (mock_call ("/org/bluez", "org.bluez.Mock", "AddAdapter",
                              g_variant_new ("(ss)", name, "threshold-test"),
                              G_VARIANT_TYPE ("(s)")));
}

static void
add_device (const char *adapter,
            const char *address,
            const char *name)
{
  g_variant_unref (mock_call ("/org/bluez", "org.bluez.Mock", "AddDevice",
                              g_variant_new ("(sss)", adapter, address, name),
                              G_VARIANT_TYPE ("(s)")));
}

static void
set_property (const char *path,
              const char *interface,
              const char *name,
              GVariant   *value)
{
  mock_call_void (path, "org.freedesktop.DBus.Properties", "Set",
                  g_variant_new ("(ssv)", interface, name, value));
}

static GVariant *
bytes_variant (const char *hex)
{
  g_autoptr(GBytes) bytes = th_test_hex_to_bytes (hex);

  return g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, bytes, TRUE);
}

static void
set_service_data (const char *device,
                  const char *uuid,
                  const char *hex)
{
  GVariantBuilder data;

  g_variant_builder_init (&data, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&data, "{sv}", uuid, bytes_variant (hex));
  set_property (device, "org.bluez.Device1", "ServiceData", g_variant_builder_end (&data));
}

/* The calls made on a mock object, as "Method" or with their arguments. */
static GVariant *
get_calls (const char *path)
{
  return mock_call (path, MOCK_IFACE, "GetCalls", NULL, G_VARIANT_TYPE ("(a(tsav))"));
}

/* The arguments of the n-th call (0 the first) of `method`, or NULL. */
static GVariant *
find_call (const char *path,
           const char *method,
           guint       n)
{
  g_autoptr(GVariant) calls = get_calls (path);
  g_autoptr(GVariant) list = g_variant_get_child_value (calls, 0);

  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr(GVariant) call = g_variant_get_child_value (list, i);
      g_autoptr(GVariant) name = g_variant_get_child_value (call, 1);

      if (g_str_equal (g_variant_get_string (name, NULL), method) && n-- == 0)
        return g_variant_get_child_value (call, 2);
    }
  return NULL;
}

typedef struct
{
  const char *path;
  const char *method;
  guint n;
} CallWanted;

static gboolean
call_was_made (gpointer user_data)
{
  CallWanted *wanted = user_data;
  g_autoptr(GVariant) args = find_call (wanted->path, wanted->method, wanted->n);

  if (args == NULL)
    g_main_context_iteration (NULL, FALSE);
  return args != NULL;
}

/* Waits for the n-th call of `method` and returns its arguments (av). */
static GVariant *
wait_for_call (const char *path,
               const char *method,
               guint       n)
{
  CallWanted wanted = { path, method, n };
  g_autofree char *what = g_strdup_printf ("Call %u of %s on %s", n + 1, method, path);

  wait_until (call_was_made, &wanted, what);
  return find_call (path, method, n);
}

static gboolean
was_called (const char *path,
            const char *method)
{
  g_autoptr(GVariant) args = find_call (path, method, 0);

  return args != NULL;
}

/* The bytes of an "ay" in an av argument list. */
static char *
arg_hex (GVariant *args,
         gsize     index)
{
  g_autoptr(GVariant) boxed = g_variant_get_child_value (args, index);
  g_autoptr(GVariant) value = g_variant_get_variant (boxed);
  gsize len;
  const guint8 *data = g_variant_get_fixed_array (value, &len, 1);

  return th_test_bytes_to_hex (data, len);
}

/* The service data parser. */

static void
test_service_data_vectors (void)
{
  JsonObject *commissionable = json_object_get_object_member (ble_vectors (),
                                                              "commissionableServiceData");
  JsonObject *decoded = json_object_get_object_member (commissionable, "decoded");
  JsonObject *recovery = json_object_get_object_member (ble_vectors (),
                                                        "networkRecoveryAdvertisement");
  g_autoptr(GBytes) data = th_test_hex_to_bytes (
    json_object_get_string_member (commissionable, "serviceDataHex"));
  g_autoptr(GBytes) advertisement = th_test_hex_to_bytes (
    json_object_get_string_member (recovery, "advHex"));
  g_autoptr(GError) error = NULL;
  ThBleServiceData parsed;
  const guint8 *adv;
  gsize adv_len;

  g_assert_true (th_ble_service_data_parse (g_bytes_get_data (data, NULL),
                                            g_bytes_get_size (data), &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (json_object_get_int_member (decoded, "opcode"), ==,
                    TH_BLE_OPCODE_COMMISSIONABLE);
  g_assert_cmpuint (parsed.discriminator, ==,
                    json_object_get_int_member (decoded, "discriminator"));
  g_assert_cmpuint (parsed.version, ==,
                    json_object_get_int_member (decoded, "advertisementVersion"));
  g_assert_cmpuint (parsed.vendor_id, ==, json_object_get_int_member (decoded, "vendorId"));
  g_assert_cmpuint (parsed.product_id, ==, json_object_get_int_member (decoded, "productId"));
  g_assert_cmpint ((parsed.flags & TH_BLE_FLAG_ADDITIONAL_DATA) != 0, ==,
                   json_object_get_boolean_member (decoded, "additionalDataFlag"));

  /* The recovery advertisement's service data follows its 16-bit UUID (f6 ff): a device
   * that is not there to be commissioned. */
  adv = g_bytes_get_data (advertisement, &adv_len);
  g_assert_cmpuint (adv_len, >, 7);
  g_assert_cmpuint (adv[5], ==, 0xF6);
  g_assert_cmpuint (adv[6], ==, 0xFF);
  g_assert_false (th_ble_service_data_parse (adv + 7, adv_len - 7, &parsed, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_BLE_SERVICE_DATA);
  g_assert_nonnull (strstr (error->message, "network recovery"));
}

static void
test_service_data_edges (void)
{
  static const struct
  {
    const char *hex;
    const char *fragment;
  } bad[] = {
    { "", "is empty" },
    { "00000ff1ff0180", "7 bytes long; a commissionable device announces 8" },
    { "00000ff1ff01800000", "9 bytes long" },
    { "02000ff1ff018000", "unknown opcode 0x02 at byte 0" },
    { "00001ff1ff018000", "advertisement version 1" },
    { "0000fff1ff018000", "advertisement version 15" },
  };
  g_autoptr(GBytes) flags = th_test_hex_to_bytes ("00ff0ff1ff0180ff");
  g_autoptr(GError) error = NULL;
  ThBleServiceData parsed;

  /* The highest discriminator, every flag bit kept. */
  g_assert_true (th_ble_service_data_parse (g_bytes_get_data (flags, NULL), 8, &parsed,
                                            &error));
  g_assert_no_error (error);
  g_assert_cmpuint (parsed.discriminator, ==, 0xFFF);
  g_assert_cmpuint (parsed.flags, ==, 0xFF);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) data = th_test_hex_to_bytes (bad[i].hex);
      g_autoptr(GError) bad_error = NULL;

      g_assert_false (th_ble_service_data_parse (g_bytes_get_data (data, NULL),
                                                 g_bytes_get_size (data), &parsed,
                                                 &bad_error));
      g_assert_error (bad_error, TH_ERROR, TH_ERROR_BLE_SERVICE_DATA);
      g_test_message ("%s", bad_error->message);
      g_assert_nonnull (strstr (bad_error->message, bad[i].fragment));
    }
}

/* The browser's states. */

typedef struct
{
  ThBleBrowser *browser;
  ThBleState state;
} StateWanted;

static gboolean
browser_in_state (gpointer user_data)
{
  StateWanted *wanted = user_data;

  return th_ble_browser_get_state (wanted->browser) == wanted->state;
}

static void
wait_for_state (ThBleBrowser *browser,
                ThBleState    state)
{
  StateWanted wanted = { browser, state };
  g_autoptr(GEnumClass) klass = g_type_class_ref (TH_TYPE_BLE_STATE);
  g_autofree char *what = g_strdup_printf ("The browser reaching the state %s",
                                           g_enum_get_value (klass, state)->value_nick);

  wait_until (browser_in_state, &wanted, what);
  g_test_message ("%s: %s", g_enum_get_value (klass, state)->value_nick,
                  th_ble_browser_get_message (browser));
}

static void
test_no_bluez (void)
{
  g_autoptr(ThBleBrowser) browser = NULL;

  if (!can_run ())
    return;
  g_assert_null (mock);

  browser = th_ble_browser_new ();
  g_assert_cmpint (th_ble_browser_get_state (browser), ==, TH_BLE_STATE_STOPPED);
  th_ble_browser_start (browser);
  g_assert_cmpint (th_ble_browser_get_state (browser), ==, TH_BLE_STATE_STARTING);
  wait_for_state (browser, TH_BLE_STATE_UNAVAILABLE);
  g_assert_error (th_ble_browser_get_error (browser), TH_ERROR, TH_ERROR_BLE_UNAVAILABLE);
  g_assert_nonnull (strstr (th_ble_browser_get_message (browser), "is not running"));

  /* BlueZ comes: the browser follows. */
  mock_start ();
  wait_for_state (browser, TH_BLE_STATE_NO_ADAPTER);
  th_ble_browser_stop (browser);
  g_assert_cmpint (th_ble_browser_get_state (browser), ==, TH_BLE_STATE_STOPPED);
  g_assert_null (th_ble_browser_get_error (browser));
}

static void
test_no_adapter (void)
{
  g_autoptr(ThBleBrowser) browser = NULL;

  if (!can_run ())
    return;
  mock_start ();
  browser = th_ble_browser_new ();
  th_ble_browser_start (browser);
  wait_for_state (browser, TH_BLE_STATE_NO_ADAPTER);
  g_assert_error (th_ble_browser_get_error (browser), TH_ERROR, TH_ERROR_BLE_NO_ADAPTER);
  g_assert_nonnull (strstr (th_ble_browser_get_message (browser), "no Bluetooth adapter"));

  /* An adapter is plugged in, then out again. */
  add_adapter ("hci0");
  wait_for_state (browser, TH_BLE_STATE_SCANNING);
  g_assert_null (th_ble_browser_get_error (browser));
  mock_call_void ("/org/bluez", "org.bluez.Mock", "RemoveAdapter",
                  g_variant_new ("(s)", "hci0"));
  wait_for_state (browser, TH_BLE_STATE_NO_ADAPTER);
}

static void
on_powered_on (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
test_powered_off (void)
{
  g_autoptr(ThBleBrowser) browser = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) filter_args = NULL;
  g_autoptr(GVariant) filter_boxed = NULL;
  g_autoptr(GVariant) filter = NULL;
  g_autoptr(GError) error = NULL;
  const char *transport = NULL;
  g_autofree const char **uuids = NULL;

  if (!can_run ())
    return;
  mock_start ();
  add_adapter ("hci0");
  set_property (ADAPTER, "org.bluez.Adapter1", "Powered", g_variant_new_boolean (FALSE));

  browser = th_ble_browser_new ();
  th_ble_browser_start (browser);
  wait_for_state (browser, TH_BLE_STATE_POWERED_OFF);
  g_assert_error (th_ble_browser_get_error (browser), TH_ERROR, TH_ERROR_BLE_POWERED_OFF);
  g_assert_nonnull (strstr (th_ble_browser_get_message (browser), "switched off"));
  g_assert_false (was_called (ADAPTER, "StartDiscovery"));

  /* The user asks to switch it on: scanning follows by itself. */
  th_ble_browser_power_on_async (browser, NULL, on_powered_on, &result);
  wait_until (is_set, &result, "Switching Bluetooth on");
  g_assert_true (th_ble_browser_power_on_finish (browser, result, &error));
  g_assert_no_error (error);
  wait_for_state (browser, TH_BLE_STATE_SCANNING);

  /* LE only, Matter devices only, and the filter before the discovery. */
  filter_args = find_call (ADAPTER, "SetDiscoveryFilter", 0);
  g_assert_nonnull (filter_args);
  filter_boxed = g_variant_get_child_value (filter_args, 0);
  filter = g_variant_get_variant (filter_boxed);
  g_assert_true (g_variant_lookup (filter, "Transport", "&s", &transport));
  g_assert_cmpstr (transport, ==, "le");
  g_assert_true (g_variant_lookup (filter, "UUIDs", "^a&s", &uuids));
  g_assert_cmpuint (g_strv_length ((char **) uuids), ==, 1);
  g_assert_cmpstr (uuids[0], ==, TH_BLE_MATTER_SERVICE_UUID);
  g_assert_true (was_called (ADAPTER, "StartDiscovery"));

  /* Off again: the list empties and the state says so. */
  set_property (ADAPTER, "org.bluez.Adapter1", "Powered", g_variant_new_boolean (FALSE));
  wait_for_state (browser, TH_BLE_STATE_POWERED_OFF);
}

static void
test_access_denied (void)
{
  g_autoptr(ThBleBrowser) browser = NULL;

  if (!can_run ())
    return;
  mock_start ();
  add_adapter ("hci0");
  mock_call_void (ADAPTER, MOCK_IFACE, "AddMethod",
                  g_variant_new ("(sssss)", "org.bluez.Adapter1", "StartDiscovery", "", "",
                                 "raise dbus.exceptions.DBusException('Operation not "
                                 "authorized', name='org.bluez.Error.NotAuthorized')"));
  browser = th_ble_browser_new ();
  th_ble_browser_start (browser);
  wait_for_state (browser, TH_BLE_STATE_ACCESS_DENIED);
  g_assert_error (th_ble_browser_get_error (browser), TH_ERROR, TH_ERROR_BLE_ACCESS_DENIED);
  g_assert_nonnull (strstr (th_ble_browser_get_message (browser),
                            "not allowed to use Bluetooth (Operation not authorized)"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (browser)), ==, 0);
}

static void
test_failed (void)
{
  g_autoptr(ThBleBrowser) browser = NULL;

  if (!can_run ())
    return;
  mock_start ();
  add_adapter ("hci0");
  mock_call_void (ADAPTER, MOCK_IFACE, "AddMethod",
                  g_variant_new ("(sssss)", "org.bluez.Adapter1", "StartDiscovery", "", "",
                                 "raise dbus.exceptions.DBusException('No discovery slot', "
                                 "name='org.bluez.Error.Failed')"));
  browser = th_ble_browser_new ();
  th_ble_browser_start (browser);
  wait_for_state (browser, TH_BLE_STATE_FAILED);
  g_assert_error (th_ble_browser_get_error (browser), TH_ERROR, TH_ERROR_BLE_FAILED);
  g_assert_nonnull (strstr (th_ble_browser_get_message (browser), "No discovery slot"));
}

/* The device list. */

typedef struct
{
  GListModel *model;
  guint n;
} CountWanted;

static gboolean
has_n_items (gpointer user_data)
{
  CountWanted *wanted = user_data;

  return g_list_model_get_n_items (wanted->model) == wanted->n;
}

static void
wait_for_n_items (ThBleBrowser *browser,
                  guint         n)
{
  CountWanted wanted = { G_LIST_MODEL (browser), n };
  g_autofree char *what = g_strdup_printf ("The list holding %u devices", n);

  wait_until (has_n_items, &wanted, what);
}

static ThBleDevice *
find_listed (ThBleBrowser *browser,
             const char   *address)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (browser)); i++)
    {
      g_autoptr(ThBleDevice) device = g_list_model_get_item (G_LIST_MODEL (browser), i);

      if (g_str_equal (th_ble_device_get_address (device), address))
        return device;
    }
  return NULL;
}

typedef struct
{
  guint changes;
} Changes;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  Changes *changes = user_data;

  if (removed == 1 && added == 1)
    changes->changes++;
}

static gboolean
has_changed (gpointer user_data)
{
  return ((Changes *) user_data)->changes > 0;
}

static void
test_devices (void)
{
  g_autoptr(ThBleBrowser) browser = NULL;
  ThBleDevice *device;
  Changes changes = { 0 };
  gint16 rssi = 0;

  if (!can_run ())
    return;
  mock_start ();
  add_adapter ("hci0");
  browser = th_ble_browser_new ();
  th_ble_browser_start (browser);
  wait_for_state (browser, TH_BLE_STATE_SCANNING);

  /* The template starts ServiceData with a type BlueZ never sends: skipped quietly. */
  add_device ("hci0", DEVICE_ADDRESS, "MATTER-3840");
  add_device ("hci0", "11:22:33:44:55:66", "MATTER-0291");
  add_device ("hci0", "22:22:22:22:22:22", "Headphones");
  add_device ("hci0", "33:33:33:33:33:33", "Broken");
  set_service_data ("/org/bluez/hci0/dev_22_22_22_22_22_22",
                    "0000180f-0000-1000-8000-00805f9b34fb", "64");
  set_service_data ("/org/bluez/hci0/dev_33_33_33_33_33_33", TH_BLE_MATTER_SERVICE_UUID,
                    "00000ff1ff0180");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (browser)), ==, 0);

  set_service_data (DEVICE, TH_BLE_MATTER_SERVICE_UUID, SERVICE_DATA_3840);
  wait_for_n_items (browser, 1);
  device = find_listed (browser, DEVICE_ADDRESS);
  g_assert_nonnull (device);
  g_assert_cmpstr (th_ble_device_get_object_path (device), ==, DEVICE);
  g_assert_cmpstr (th_ble_device_get_name (device), ==, "MATTER-3840");
  g_assert_cmpuint (th_ble_device_get_discriminator (device), ==, 3840);
  g_assert_cmpuint (th_ble_device_get_vendor_id (device), ==, 0xFFF1);
  g_assert_cmpuint (th_ble_device_get_product_id (device), ==, 0x8001);
  g_assert_cmpuint (th_ble_device_get_flags (device), ==, 0);
  g_assert_true (th_ble_device_get_rssi (device, &rssi));
  g_assert_cmpint (rssi, ==, -79);

  /* UUIDs in upper case, and the additional-data flag. */
  set_service_data ("/org/bluez/hci0/dev_11_22_33_44_55_66",
                    "0000FFF6-0000-1000-8000-00805F9B34FB", "00230134127856" "01");
  wait_for_n_items (browser, 2);
  device = find_listed (browser, "11:22:33:44:55:66");
  g_assert_nonnull (device);
  g_assert_cmpuint (th_ble_device_get_discriminator (device), ==, 0x123);
  g_assert_cmpuint (th_ble_device_get_vendor_id (device), ==, 0x1234);
  g_assert_cmpuint (th_ble_device_get_product_id (device), ==, 0x5678);
  g_assert_cmpuint (th_ble_device_get_flags (device), ==, TH_BLE_FLAG_ADDITIONAL_DATA);

  /* A stronger signal changes the item in place. */
  g_signal_connect (browser, "items-changed", G_CALLBACK (on_items_changed), &changes);
  set_property (DEVICE, "org.bluez.Device1", "RSSI", g_variant_new_int16 (-50));
  wait_until (has_changed, &changes, "The device changing in place");
  device = find_listed (browser, DEVICE_ADDRESS);
  g_assert_true (th_ble_device_get_rssi (device, &rssi));
  g_assert_cmpint (rssi, ==, -50);
  g_signal_handlers_disconnect_by_data (browser, &changes);

  /* A device that now announces network recovery is not one to commission. */
  set_service_data (DEVICE, TH_BLE_MATTER_SERVICE_UUID, "0100112233445566778800");
  wait_for_n_items (browser, 1);
  g_assert_null (find_listed (browser, DEVICE_ADDRESS));

  /* BlueZ forgets a device. */
  mock_call_void (ADAPTER, "org.bluez.Adapter1", "RemoveDevice",
                  g_variant_new ("(o)", "/org/bluez/hci0/dev_11_22_33_44_55_66"));
  wait_for_n_items (browser, 0);

  /* Devices seen by another adapter are not listed. */
  add_adapter ("hci1");
  add_device ("hci1", "44:44:44:44:44:44", "MATTER-OTHER");
  set_service_data ("/org/bluez/hci1/dev_44_44_44_44_44_44", TH_BLE_MATTER_SERVICE_UUID,
                    SERVICE_DATA_3840);
  set_service_data (DEVICE, TH_BLE_MATTER_SERVICE_UUID, SERVICE_DATA_3840);
  wait_for_n_items (browser, 1);
  g_assert_nonnull (find_listed (browser, DEVICE_ADDRESS));

  /* hci0 is switched off: hci1 takes over, with its own devices... */
  set_property (ADAPTER, "org.bluez.Adapter1", "Powered", g_variant_new_boolean (FALSE));
  g_variant_unref (wait_for_call ("/org/bluez/hci1", "StartDiscovery", 0));
  wait_for_state (browser, TH_BLE_STATE_SCANNING);
  wait_for_n_items (browser, 1);
  g_assert_nonnull (find_listed (browser, "44:44:44:44:44:44"));
  /* ...until hci0 is back, and hci1's discovery is ended. */
  set_property (ADAPTER, "org.bluez.Adapter1", "Powered", g_variant_new_boolean (TRUE));
  g_variant_unref (wait_for_call ("/org/bluez/hci1", "StopDiscovery", 0));
  g_variant_unref (wait_for_call (ADAPTER, "StartDiscovery", 1));
  wait_for_state (browser, TH_BLE_STATE_SCANNING);
  wait_for_n_items (browser, 1);
  g_assert_nonnull (find_listed (browser, DEVICE_ADDRESS));

  th_ble_browser_stop (browser);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (browser)), ==, 0);
  g_assert_true (was_called (ADAPTER, "StopDiscovery"));
}

/* Finding one device. */

static void
on_found (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static ThBleDevice *
find (guint16   discriminator,
      gboolean  is_short,
      guint     timeout_ms,
      GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  th_ble_find_commissionable_async (discriminator, is_short, timeout_ms, NULL, on_found,
                                    &result);
  wait_until (is_set, &result, "The search ending");
  return th_ble_find_commissionable_finish (result, error);
}

static gboolean
on_add_later (gpointer user_data)
{
  add_device ("hci0", "11:22:33:44:55:66", "MATTER-0291");
  set_service_data ("/org/bluez/hci0/dev_11_22_33_44_55_66", TH_BLE_MATTER_SERVICE_UUID,
                    "0023013412785600");
  return G_SOURCE_REMOVE;
}

static void
test_find (void)
{
  g_autoptr(ThBleDevice) found = NULL;
  g_autoptr(ThBleDevice) found_short = NULL;
  g_autoptr(ThBleDevice) found_later = NULL;
  g_autoptr(ThBleDevice) none = NULL;
  g_autoptr(GError) error = NULL;

  if (!can_run ())
    return;
  mock_start ();
  add_adapter ("hci0");
  add_device ("hci0", DEVICE_ADDRESS, "MATTER-3840");
  set_service_data (DEVICE, TH_BLE_MATTER_SERVICE_UUID, SERVICE_DATA_3840);
  /* Discriminator 100, but in an extended announcement: not open for commissioning. */
  add_device ("hci0", "55:55:55:55:55:55", "MATTER-0100");
  set_service_data ("/org/bluez/hci0/dev_55_55_55_55_55_55", TH_BLE_MATTER_SERVICE_UUID,
                    "0064000000000002");

  found = find (3840, FALSE, PATIENCE_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (th_ble_device_get_address (found), ==, DEVICE_ADDRESS);
  g_assert_true (th_ble_device_matches_discriminator (found, 15, TRUE));
  g_assert_false (th_ble_device_matches_discriminator (found, 14, TRUE));

  found_short = find (15, TRUE, PATIENCE_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (th_ble_device_get_address (found_short), ==, DEVICE_ADDRESS);

  /* A device that starts advertising while the search runs. */
  g_timeout_add (200, on_add_later, NULL);
  found_later = find (0x123, FALSE, PATIENCE_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (th_ble_device_get_address (found_later), ==, "11:22:33:44:55:66");

  none = find (100, FALSE, 500, &error);
  g_assert_null (none);
  g_assert_error (error, TH_ERROR, TH_ERROR_BLE_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "discriminator 100 advertised over Bluetooth "
                                            "within 0.5 seconds"));
  g_clear_error (&error);

  /* Switched off: no waiting for the timeout. */
  set_property (ADAPTER, "org.bluez.Adapter1", "Powered", g_variant_new_boolean (FALSE));
  none = find (3840, FALSE, 60000, &error);
  g_assert_null (none);
  g_assert_error (error, TH_ERROR, TH_ERROR_BLE_POWERED_OFF);
}

/* The GATT link, against GATT objects added to the mock. */

static void
add_object (const char *path,
            const char *interface,
            GVariant   *properties,
            GVariant   *methods)
{
  GVariantBuilder args;
  GVariantBuilder interfaces;

  /* Used twice below. */
  g_variant_ref_sink (properties);
  mock_call_void ("/", MOCK_IFACE, "AddObject",
                  g_variant_new ("(ss@a{sv}@a(ssss))", path, interface, properties, methods));

  /* The template's object manager does not announce added objects by itself. */
  g_variant_builder_init (&interfaces, G_VARIANT_TYPE ("a{sa{sv}}"));
  g_variant_builder_add (&interfaces, "{s@a{sv}}", interface, properties);
  g_variant_builder_init (&args, G_VARIANT_TYPE ("av"));
  g_variant_builder_add (&args, "v", g_variant_new_object_path (path));
  g_variant_builder_add (&args, "v", g_variant_builder_end (&interfaces));
  mock_call_void ("/", MOCK_IFACE, "EmitSignal",
                  g_variant_new ("(sss@av)", "org.freedesktop.DBus.ObjectManager",
                                 "InterfacesAdded", "oa{sa{sv}}",
                                 g_variant_builder_end (&args)));
  g_variant_unref (properties);
}

static GVariant *
characteristic_properties (const char         *uuid,
                           const char         *service,
                           const char *const  *flags,
                           gboolean            acquirable)
{
  GVariantBuilder properties;

  g_variant_builder_init (&properties, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&properties, "{sv}", "UUID", g_variant_new_string (uuid));
  g_variant_builder_add (&properties, "{sv}", "Service", g_variant_new_object_path (service));
  g_variant_builder_add (&properties, "{sv}", "Value", bytes_variant (""));
  g_variant_builder_add (&properties, "{sv}", "Flags", g_variant_new_strv (flags, -1));
  if (acquirable)
    {
      g_variant_builder_add (&properties, "{sv}", "WriteAcquired",
                             g_variant_new_boolean (FALSE));
      g_variant_builder_add (&properties, "{sv}", "NotifyAcquired",
                             g_variant_new_boolean (FALSE));
    }
  return g_variant_builder_end (&properties);
}

typedef enum
{
  GATT_WRITE_VALUE,     /* C1 "write", C2 "indicate": WriteValue and StartNotify */
  GATT_ACQUIRE,         /* C1 "write-without-response", C2 "notify": the Acquire calls */
} GattKind;

/* A Matter device with its GATT service, as BlueZ shows one after connecting. */
static void
add_gatt_device (GattKind kind)
{
  const char *c1_flags[] = { kind == GATT_ACQUIRE ? "write-without-response" : "write", NULL };
  const char *c2_flags[] = { kind == GATT_ACQUIRE ? "notify" : "indicate", NULL };
  GVariantBuilder service;
  GVariantBuilder methods;
  GVariant *c1;
  GVariant *c2;

  add_adapter ("hci0");
  add_device ("hci0", DEVICE_ADDRESS, "MATTER-3840");
  set_service_data (DEVICE, TH_BLE_MATTER_SERVICE_UUID, SERVICE_DATA_3840);

  g_variant_builder_init (&service, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&service, "{sv}", "UUID",
                         g_variant_new_string (TH_BLE_MATTER_SERVICE_UUID));
  g_variant_builder_add (&service, "{sv}", "Device", g_variant_new_object_path (DEVICE));
  g_variant_builder_add (&service, "{sv}", "Primary", g_variant_new_boolean (TRUE));
  add_object (SERVICE, "org.bluez.GattService1", g_variant_builder_end (&service),
              g_variant_new_array (G_VARIANT_TYPE ("(ssss)"), NULL, 0));

  /* C1's UUID in upper case, as a peer may spell it. */
  c1 = characteristic_properties ("18EE2EF5-263D-4559-959F-4F9C429F9D11", SERVICE, c1_flags,
                                  kind == GATT_ACQUIRE);
  g_variant_builder_init (&methods, G_VARIANT_TYPE ("a(ssss)"));
  if (kind == GATT_ACQUIRE)
    {
      g_variant_builder_add (&methods, "(ssss)", "AcquireWrite", "a{sv}", "hq",
                             "import socket\n"
                             "a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)\n"
                             "b.setblocking(False)\n"
                             "self.acquired = b\n"
                             "ret = (dbus.types.UnixFd(a), dbus.UInt16(185))\n"
                             "a.close()");
      g_variant_builder_add (&methods, "(ssss)", "ReadAcquired", "", "ay",
                             "try:\n"
                             "    ret = dbus.ByteArray(self.acquired.recv(512))\n"
                             "except BlockingIOError:\n"
                             "    ret = dbus.ByteArray(b'')");
    }
  else
    {
      g_variant_builder_add (&methods, "(ssss)", "WriteValue", "aya{sv}", "", "");
    }
  add_object (C1, "org.bluez.GattCharacteristic1", c1, g_variant_builder_end (&methods));

  c2 = characteristic_properties (TH_BLE_MATTER_C2_UUID, SERVICE, c2_flags,
                                  kind == GATT_ACQUIRE);
  g_variant_builder_init (&methods, G_VARIANT_TYPE ("a(ssss)"));
  if (kind == GATT_ACQUIRE)
    {
      g_variant_builder_add (&methods, "(ssss)", "AcquireNotify", "a{sv}", "hq",
                             "import socket\n"
                             "a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)\n"
                             "self.acquired = b\n"
                             "ret = (dbus.types.UnixFd(a), dbus.UInt16(185))\n"
                             "a.close()");
      g_variant_builder_add (&methods, "(ssss)", "Notify", "ay", "",
                             "self.acquired.send(bytes(args[0]))");
    }
  else
    {
      g_variant_builder_add (&methods, "(ssss)", "StartNotify", "", "", "");
      g_variant_builder_add (&methods, "(ssss)", "StopNotify", "", "", "");
    }
  add_object (C2, "org.bluez.GattCharacteristic1", c2, g_variant_builder_end (&methods));
}

static ThBleGattLink *
connect_link (guint     timeout_ms,
              GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  th_ble_gatt_link_connect_async (DEVICE, timeout_ms, NULL, on_found, &result);
  wait_until (is_set, &result, "Connecting the GATT link");
  return th_ble_gatt_link_connect_finish (result, error);
}

typedef struct
{
  ThBtpTransport *transport;
  GAsyncResult *opened;
  GPtrArray *messages;
  GError *closed;
} Central;

static void
on_received (ThTransport    *transport,
             GBytes         *message,
             GSocketAddress *peer,
             gpointer        user_data)
{
  Central *central = user_data;

  g_ptr_array_add (central->messages, g_bytes_ref (message));
}

static void
on_closed (ThBtpTransport *transport,
           const GError   *error,
           gpointer        user_data)
{
  Central *central = user_data;

  central->closed = g_error_copy (error);
}

static gboolean
has_message (gpointer user_data)
{
  return ((Central *) user_data)->messages->len > 0;
}

static void
central_init (Central       *central,
              ThBleGattLink *link)
{
  memset (central, 0, sizeof *central);
  central->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  central->transport = th_btp_transport_new (TH_BTP_LINK (link), TH_BTP_ROLE_CENTRAL, NULL);
  g_signal_connect (central->transport, "received", G_CALLBACK (on_received), central);
  g_signal_connect (central->transport, "closed", G_CALLBACK (on_closed), central);
  th_btp_transport_open_async (central->transport, NULL, on_powered_on, &central->opened);
}

static void
central_clear (Central *central)
{
  g_clear_object (&central->transport);
  g_clear_object (&central->opened);
  g_clear_pointer (&central->messages, g_ptr_array_unref);
  g_clear_error (&central->closed);
}

static void
central_send_hello (Central *central)
{
  g_autoptr(GBytes) hello = g_bytes_new_static ("hello", 5);
  g_autoptr(GError) error = NULL;

  g_assert_true (th_transport_send (TH_TRANSPORT (central->transport), NULL, hello, &error));
  g_assert_no_error (error);
}

static void
assert_message_abc (Central *central)
{
  wait_until (has_message, central, "A message from the device");
  g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (central->messages, 0), NULL),
                   g_bytes_get_size (g_ptr_array_index (central->messages, 0)), "abc", 3);
}

static void
test_gatt_write_value (void)
{
  g_autoptr(ThBleGattLink) link = NULL;
  g_autoptr(GVariant) request = NULL;
  g_autoptr(GVariant) options_boxed = NULL;
  g_autoptr(GVariant) options = NULL;
  g_autoptr(GVariant) data = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request_hex = NULL;
  g_autofree char *data_hex = NULL;
  const char *type = NULL;
  Central central;

  if (!can_run ())
    return;
  mock_start ();
  add_gatt_device (GATT_WRITE_VALUE);

  link = connect_link (PATIENCE_MS, &error);
  g_assert_no_error (error);
  g_assert_nonnull (link);
  g_assert_cmpstr (th_ble_gatt_link_get_address (link), ==, DEVICE_ADDRESS);
  g_assert_true (was_called (DEVICE, "Connect"));
  /* BlueZ does not say the MTU here. */
  g_assert_cmpuint (th_btp_link_get_att_mtu (TH_BTP_LINK (link)), ==, 0);

  central_init (&central, link);
  /* The handshake request goes to C1 as a write with a response, then C2 is subscribed. */
  request = wait_for_call (C1, "WriteValue", 0);
  request_hex = arg_hex (request, 0);
  g_assert_cmpstr (request_hex, ==, "656c04000000000006");
  options_boxed = g_variant_get_child_value (request, 1);
  options = g_variant_get_variant (options_boxed);
  g_assert_true (g_variant_lookup (options, "type", "&s", &type));
  g_assert_cmpstr (type, ==, "request");
  g_variant_unref (wait_for_call (C2, "StartNotify", 0));
  g_assert_null (central.opened);

  /* The device indicates its response: C2's Value changes. */
  set_property (C2, "org.bluez.GattCharacteristic1", "Value", bytes_variant ("656c04f40006"));
  wait_until (is_set, &central.opened, "The BTP session opening");
  g_assert_true (th_btp_transport_open_finish (central.transport, central.opened, &error));
  g_assert_no_error (error);

  central_send_hello (&central);
  data = wait_for_call (C1, "WriteValue", 1);
  data_hex = arg_hex (data, 0);
  g_assert_cmpstr (data_hex, ==, "0d0000050068656c6c6f");

  /* The device answers "abc", acknowledging the central's packet 0. */
  set_property (C2, "org.bluez.GattCharacteristic1", "Value",
                bytes_variant ("0d00010300616263"));
  assert_message_abc (&central);

  /* Closing stops the indications and disconnects what this side connected. */
  th_transport_close (TH_TRANSPORT (central.transport));
  g_variant_unref (wait_for_call (C2, "StopNotify", 0));
  g_variant_unref (wait_for_call (DEVICE, "Disconnect", 0));
  g_assert_null (central.closed);
  central_clear (&central);
}

/* What the link wrote to the socket AcquireWrite handed over, as hex. */
static char *
read_acquired (void)
{
  g_autoptr(GVariant) reply = mock_call (C1, "org.bluez.GattCharacteristic1", "ReadAcquired",
                                         NULL, G_VARIANT_TYPE ("(ay)"));
  g_autoptr(GVariant) bytes = g_variant_get_child_value (reply, 0);
  gsize len;
  const guint8 *data = g_variant_get_fixed_array (bytes, &len, 1);

  return th_test_bytes_to_hex (data, len);
}

static void
test_gatt_acquire (void)
{
  g_autoptr(ThBleGattLink) link = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request_hex = NULL;
  g_autofree char *data_hex = NULL;
  Central central;

  if (!can_run ())
    return;
  mock_start ();
  add_gatt_device (GATT_ACQUIRE);

  link = connect_link (PATIENCE_MS, &error);
  g_assert_no_error (error);
  /* AcquireWrite told the MTU. */
  g_assert_true (was_called (C1, "AcquireWrite"));
  g_assert_cmpuint (th_btp_link_get_att_mtu (TH_BTP_LINK (link)), ==, 185);

  central_init (&central, link);
  g_variant_unref (wait_for_call (C2, "AcquireNotify", 0));
  request_hex = read_acquired ();
  /* The vector's request: version 4, ATT MTU 185, window 6. */
  g_assert_cmpstr (request_hex, ==, "656c04000000b90006");
  g_assert_false (was_called (C1, "WriteValue"));

  mock_call_void (C2, "org.bluez.GattCharacteristic1", "Notify",
                  g_variant_new ("(@ay)", bytes_variant ("656c04b60006")));
  wait_until (is_set, &central.opened, "The BTP session opening");
  g_assert_true (th_btp_transport_open_finish (central.transport, central.opened, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (th_btp_session_get_segment_size (
                      th_btp_transport_get_session (central.transport)), ==, 182);

  central_send_hello (&central);
  data_hex = read_acquired ();
  g_assert_cmpstr (data_hex, ==, "0d0000050068656c6c6f");

  mock_call_void (C2, "org.bluez.GattCharacteristic1", "Notify",
                  g_variant_new ("(@ay)", bytes_variant ("0d00010300616263")));
  assert_message_abc (&central);
  central_clear (&central);
}

static gboolean
is_closed (gpointer user_data)
{
  return ((Central *) user_data)->closed != NULL;
}

static void
test_gatt_connection_lost (void)
{
  g_autoptr(ThBleGattLink) link = NULL;
  g_autoptr(GError) error = NULL;
  Central central;

  if (!can_run ())
    return;
  mock_start ();
  add_gatt_device (GATT_WRITE_VALUE);
  link = connect_link (PATIENCE_MS, &error);
  g_assert_no_error (error);
  central_init (&central, link);
  g_variant_unref (wait_for_call (C2, "StartNotify", 0));
  set_property (C2, "org.bluez.GattCharacteristic1", "Value", bytes_variant ("656c04f40006"));
  wait_until (is_set, &central.opened, "The BTP session opening");

  /* The device goes out of range. */
  set_property (DEVICE, "org.bluez.Device1", "Connected", g_variant_new_boolean (FALSE));
  wait_until (is_closed, &central, "The session closing");
  g_assert_error (central.closed, TH_ERROR, TH_ERROR_TRANSPORT);
  g_assert_cmpstr (central.closed->message, ==,
                   "The Bluetooth connection to " DEVICE_ADDRESS " was lost");
  central_clear (&central);
}

static void
test_gatt_missing (void)
{
  g_autoptr(ThBleGattLink) link = NULL;
  g_autoptr(GError) error = NULL;

  if (!can_run ())
    return;
  mock_start ();
  add_adapter ("hci0");
  add_device ("hci0", DEVICE_ADDRESS, "Not-Matter");

  /* No Matter service in time. */
  link = connect_link (500, &error);
  g_assert_null (link);
  g_assert_error (error, TH_ERROR, TH_ERROR_BLE_GATT);
  g_assert_cmpstr (error->message, ==,
                   "The device " DEVICE_ADDRESS " offers no Matter service (GATT service "
                   "0xFFF6) over Bluetooth");
  g_clear_error (&error);
  /* The failed attempt disconnected again. */
  g_variant_unref (wait_for_call (DEVICE, "Disconnect", 0));

  /* Once BlueZ has resolved every service, there is no point waiting. */
  set_property (DEVICE, "org.bluez.Device1", "ServicesResolved", g_variant_new_boolean (TRUE));
  link = connect_link (PATIENCE_MS, &error);
  g_assert_null (link);
  g_assert_error (error, TH_ERROR, TH_ERROR_BLE_GATT);
  g_clear_error (&error);

  /* A device BlueZ does not know. */
  mock_call_void (ADAPTER, "org.bluez.Adapter1", "RemoveDevice",
                  g_variant_new ("(o)", DEVICE));
  link = connect_link (PATIENCE_MS, &error);
  g_assert_null (link);
  g_assert_error (error, TH_ERROR, TH_ERROR_BLE_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  start_bus ();

  g_test_add_func ("/ble/service-data/vectors", test_service_data_vectors);
  g_test_add_func ("/ble/service-data/edges", test_service_data_edges);
  /* First, while BlueZ is not on the bus yet. */
  g_test_add_func ("/ble/scan/no-bluez", test_no_bluez);
  g_test_add_func ("/ble/scan/no-adapter", test_no_adapter);
  g_test_add_func ("/ble/scan/powered-off", test_powered_off);
  g_test_add_func ("/ble/scan/access-denied", test_access_denied);
  g_test_add_func ("/ble/scan/failed", test_failed);
  g_test_add_func ("/ble/scan/devices", test_devices);
  g_test_add_func ("/ble/scan/find", test_find);
  g_test_add_func ("/ble/gatt/write-value", test_gatt_write_value);
  g_test_add_func ("/ble/gatt/acquire", test_gatt_acquire);
  g_test_add_func ("/ble/gatt/connection-lost", test_gatt_connection_lost);
  g_test_add_func ("/ble/gatt/missing", test_gatt_missing);

  status = g_test_run ();
  stop_bus ();
  return status;
}
