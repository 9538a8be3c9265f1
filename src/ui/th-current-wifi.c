/* th-current-wifi.c: the Wi-Fi network this computer uses, from NetworkManager
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "commissioning/th-network-credentials.h"
#include "th-current-wifi.h"
#include "th-error.h"

#define NM_NAME "org.freedesktop.NetworkManager"
#define NM_PATH "/org/freedesktop/NetworkManager"
#define NM_ACTIVE_INTERFACE NM_NAME ".Connection.Active"
#define NM_ACCESS_POINT_INTERFACE NM_NAME ".AccessPoint"

/* The steps, one property each: the primary connection, the access point it uses, its SSID. */
typedef enum
{
  STEP_PRIMARY_CONNECTION,
  STEP_SPECIFIC_OBJECT,
  STEP_SSID,
} Step;

typedef struct
{
  GDBusConnection *bus;
  Step step;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_clear_object (&lookup->bus);
  g_free (lookup);
}

static void
fail_no_wifi (GTask *task)
{
  g_task_return_new_error (task, TH_ERROR, TH_ERROR_NO_CURRENT_WIFI,
                           _("This computer is not connected to a Wi-Fi network. Type the "
                             "network’s name instead."));
  g_object_unref (task);
}

static void get_property (GTask *task, const char *path, const char *interface,
                          const char *name);

static void
on_property (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;
  const char *path;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, TH_ERROR, TH_ERROR_NO_CURRENT_WIFI,
                                 _("NetworkManager could not tell which Wi-Fi network this "
                                   "computer uses (%s). Type the network’s name instead."),
                                 error->message);
      g_object_unref (task);
      return;
    }
  g_variant_get (reply, "(v)", &value);

  if (lookup->step == STEP_SSID)
    {
      gsize len = 0;
      const guint8 *ssid;

      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING))
        {
          fail_no_wifi (task);
          return;
        }
      ssid = g_variant_get_fixed_array (value, &len, 1);
      if (len == 0 || len > TH_WIFI_SSID_MAX_LEN)
        {
          fail_no_wifi (task);
          return;
        }
      g_task_return_pointer (task, g_bytes_new (ssid, len), (GDestroyNotify) g_bytes_unref);
      g_object_unref (task);
      return;
    }

  /* "/" is NetworkManager's way of saying none: no connection, or one without an access
   * point (wired, VPN). */
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH)
      || g_strcmp0 ((path = g_variant_get_string (value, NULL)), "/") == 0)
    {
      fail_no_wifi (task);
      return;
    }
  if (lookup->step == STEP_PRIMARY_CONNECTION)
    {
      lookup->step = STEP_SPECIFIC_OBJECT;
      get_property (task, path, NM_ACTIVE_INTERFACE, "SpecificObject");
    }
  else
    {
      lookup->step = STEP_SSID;
      get_property (task, path, NM_ACCESS_POINT_INTERFACE, "Ssid");
    }
}

static void
get_property (GTask      *task,
              const char *path,
              const char *interface,
              const char *name)
{
  Lookup *lookup = g_task_get_task_data (task);

  g_dbus_connection_call (lookup->bus, NM_NAME, path, "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", interface, name), G_VARIANT_TYPE ("(v)"),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, g_task_get_cancellable (task),
                          on_property, task);
}

static void
on_bus (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  GTask *task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  lookup->bus = g_bus_get_finish (result, &error);
  if (lookup->bus == NULL)
    {
      g_task_return_new_error (task, TH_ERROR, TH_ERROR_NO_CURRENT_WIFI,
                               _("NetworkManager cannot be reached (%s). Type the network’s "
                                 "name instead."), error->message);
      g_object_unref (task);
      return;
    }
  lookup->step = STEP_PRIMARY_CONNECTION;
  get_property (task, NM_PATH, NM_NAME, "PrimaryConnection");
}

void
th_current_wifi_ssid_async (GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, th_current_wifi_ssid_async);
  g_task_set_task_data (task, g_new0 (Lookup, 1), (GDestroyNotify) lookup_free);
  g_bus_get (G_BUS_TYPE_SYSTEM, cancellable, on_bus, task);
}

GBytes *
th_current_wifi_ssid_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
