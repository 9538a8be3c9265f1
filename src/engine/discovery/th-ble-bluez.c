/* th-ble-bluez.c: what the BLE browser and the GATT link share in their use of BlueZ
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "discovery/th-ble-bluez.h"

void
th_ble_bluez_manager_new_async (GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  th_bluez_object_manager_client_new_for_bus (G_BUS_TYPE_SYSTEM,
                                              G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
                                              "org.bluez", "/", cancellable, callback,
                                              user_data);
}

GDBusObjectManager *
th_ble_bluez_manager_new_finish (GAsyncResult  *result,
                                 GError       **error)
{
  return th_bluez_object_manager_client_new_for_bus_finish (result, error);
}

gboolean
th_ble_bluez_get_service_data (ThBluezDevice1    *device,
                               ThBleServiceData  *service_data,
                               GError           **error)
{
  g_autoptr(GVariant) all = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (device),
                                                              "ServiceData");

  if (all == NULL || !g_variant_is_of_type (all, G_VARIANT_TYPE ("a{sv}")))
    return FALSE;

  for (gsize i = 0; i < g_variant_n_children (all); i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (all, i);
      g_autoptr(GVariant) uuid = g_variant_get_child_value (entry, 0);
      g_autoptr(GVariant) boxed = g_variant_get_child_value (entry, 1);
      g_autoptr(GVariant) value = NULL;
      gsize len;
      const guint8 *data;

      if (!th_ble_bluez_uuid_equal (g_variant_get_string (uuid, NULL),
                                    TH_BLE_MATTER_SERVICE_UUID))
        continue;
      value = g_variant_get_variant (boxed);
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING))
        return FALSE;
      data = g_variant_get_fixed_array (value, &len, 1);
      return th_ble_service_data_parse (data, len, service_data, error);
    }
  return FALSE;
}

gboolean
th_ble_bluez_uuid_equal (const char *a,
                         const char *b)
{
  return a != NULL && b != NULL && g_ascii_strcasecmp (a, b) == 0;
}

gboolean
th_ble_bluez_has_flag (const char *const *flags,
                       const char        *flag)
{
  return flags != NULL && g_strv_contains (flags, flag);
}

gboolean
th_ble_bluez_error_is_access_denied (const GError *error)
{
  g_autofree char *remote = NULL;

  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED))
    return TRUE;
  remote = g_dbus_error_get_remote_error (error);
  return g_strcmp0 (remote, "org.bluez.Error.NotAuthorized") == 0 ||
         g_strcmp0 (remote, "org.bluez.Error.NotPermitted") == 0;
}

char *
th_ble_bluez_error_message (const GError *error)
{
  g_autoptr(GError) copy = g_error_copy (error);

  g_dbus_error_strip_remote_error (copy);
  return g_strdup (copy->message);
}
