/* test-current-wifi.c: the current Wi-Fi network, asked of python-dbusmock's NetworkManager
 * on a private system bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <signal.h>
#include <string.h>

#include "th-current-wifi.h"
#include "th-error.h"
#include "th-test-utils.h"

#define NM_PATH "/org/freedesktop/NetworkManager"
#define MOCK_INTERFACE "org.freedesktop.DBus.Mock"

static GDBusConnection *bus;
static GSubprocess *mock;

static void
on_ssid (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* The SSID, or NULL and the error. */
static GBytes *
current_ssid (GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  th_current_wifi_ssid_async (NULL, on_ssid, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return th_current_wifi_ssid_finish (result, error);
}

static void ensure_mock (void);

static char *
mock_call (const char *method,
           GVariant   *parameters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  char *out = NULL;

  ensure_mock ();

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.NetworkManager", NM_PATH,
                                       MOCK_INTERFACE, method, parameters, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  if (g_variant_is_of_type (reply, G_VARIANT_TYPE ("(s)")))
    g_variant_get (reply, "(s)", &out);
  return out;
}

static void
set_primary_connection (const char *path)
{
  g_free (mock_call ("SetProperty",
                     g_variant_new ("(sssv)", NM_PATH, "org.freedesktop.NetworkManager",
                                    "PrimaryConnection", g_variant_new_object_path (path))));
}

/* Started by the first test that needs NetworkManager, after the one that needs none. */
static void
ensure_mock (void)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "/usr/bin/python3", "-m", "dbusmock", "--template", "networkmanager",
                         "--system", NULL };
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  if (mock != NULL)
    return;
  mock = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GVariant) reply = g_dbus_connection_call_sync (
        bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
        "NameHasOwner", g_variant_new ("(s)", "org.freedesktop.NetworkManager"),
        G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
      gboolean owned = FALSE;

      if (reply != NULL)
        g_variant_get (reply, "(b)", &owned);
      /* The template leaves out the property that says which connection is primary. */
      if (owned)
        {
          g_free (mock_call ("AddProperty",
                             g_variant_new ("(ssv)", "org.freedesktop.NetworkManager",
                                            "PrimaryConnection",
                                            g_variant_new_object_path ("/"))));
          return;
        }
      g_usleep (50000);
    }
  g_error ("python-dbusmock's NetworkManager did not appear on the bus");
}

static void
test_no_network_manager (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) ssid = current_ssid (&error);

  g_assert_null (ssid);
  g_assert_error (error, TH_ERROR, TH_ERROR_NO_CURRENT_WIFI);
  g_assert_nonnull (strstr (error->message, "Type the network’s name instead."));
}

static void
test_not_connected (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) ssid = NULL;

  set_primary_connection ("/");
  ssid = current_ssid (&error);
  g_assert_null (ssid);
  g_assert_error (error, TH_ERROR, TH_ERROR_NO_CURRENT_WIFI);
  g_assert_cmpstr (error->message, ==,
                   "This computer is not connected to a Wi-Fi network. Type the network’s "
                   "name instead.");
}

static void
test_wifi (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) ssid = NULL;
  g_autofree char *device = mock_call ("AddWiFiDevice",
                                       g_variant_new ("(ssi)", "mock_wifi", "wlan0", 100));
  g_autofree char *ap = mock_call ("AddAccessPoint",
                                   g_variant_new ("(ssssuuuyu)", device, "mock_ap",
                                                  "Home Net ☕", "00:23:F8:7E:12:BB", 2,
                                                  2425, 5400, 82, 0x100));
  g_autofree char *connection = mock_call ("AddWiFiConnection",
                                           g_variant_new ("(ssss)", device, "mock_connection",
                                                          "Home Net ☕", "wpa-psk"));
  const char *devices[] = { device, NULL };
  g_autofree char *active = mock_call ("AddActiveConnection",
                                       g_variant_new ("(^assssu)", devices, connection, ap,
                                                      "mock_active", 2));

  set_primary_connection (active);
  ssid = current_ssid (&error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (ssid, NULL), g_bytes_get_size (ssid),
                   "Home Net ☕", strlen ("Home Net ☕"));
}

static void
test_wired (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) ssid = NULL;
  g_autofree char *device = mock_call ("AddEthernetDevice",
                                       g_variant_new ("(ssi)", "mock_ethernet", "eth0", 100));
  const char *devices[] = { device, NULL };
  g_autofree char *connection = NULL;
  g_autofree char *active = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (
    bus, "org.freedesktop.NetworkManager", NM_PATH "/Settings",
    "org.freedesktop.NetworkManager.Settings", "AddConnection",
    g_variant_new_parsed ("({'connection': {'id': <'Wired'>, "
                          "'uuid': <'6a1d1e3c-5b9e-4a53-9d1c-2f4cf3e0a111'>, "
                          "'type': <'802-3-ethernet'>}},)"),
    G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(o)", &connection);
  /* A wired connection has no access point: its SpecificObject is "/". */
  active = mock_call ("AddActiveConnection",
                      g_variant_new ("(^assssu)", devices, connection, "/", "mock_wired", 2));

  set_primary_connection (active);
  ssid = current_ssid (&error);
  g_assert_null (ssid);
  g_assert_error (error, TH_ERROR, TH_ERROR_NO_CURRENT_WIFI);
}

static void
test_without_dbusmock (void)
{
  th_test_skip_or_fail ("python-dbusmock is not installed (python3-dbusmock)");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GTestDBus) test_bus = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (!g_spawn_command_line_sync ("/usr/bin/python3 -c 'import dbusmock'", NULL, NULL,
                                   &status, NULL)
      || !g_spawn_check_wait_status (status, NULL))
    {
      g_test_add_func ("/current-wifi/dbusmock", test_without_dbusmock);
      return g_test_run ();
    }

  /* A private bus stands in for the system bus. */
  test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (test_bus);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", g_test_dbus_get_bus_address (test_bus), TRUE);
  bus = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (test_bus),
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/current-wifi/no-network-manager", test_no_network_manager);
  g_test_add_func ("/current-wifi/not-connected", test_not_connected);
  g_test_add_func ("/current-wifi/wifi", test_wifi);
  g_test_add_func ("/current-wifi/wired", test_wired);
  status = g_test_run ();

  if (mock != NULL)
    {
      g_subprocess_send_signal (mock, SIGTERM);
      g_subprocess_wait (mock, NULL, NULL);
      g_clear_object (&mock);
    }
  g_clear_object (&bus);
  g_test_dbus_down (test_bus);
  return status;
}
