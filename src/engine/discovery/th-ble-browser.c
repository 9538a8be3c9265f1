/* th-ble-browser.c: the Matter devices advertising over Bluetooth LE, as a list model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "th-error.h"
#include "discovery/th-ble-bluez.h"
#include "discovery/th-ble-browser.h"
#include "discovery/th-ble-device-private.h"

struct _ThBleBrowser
{
  GObject parent_instance;

  ThBleState state;
  GError *error;
  GCancellable *cancellable;     /* this run's D-Bus calls */
  GDBusObjectManager *manager;
  char *adapter_path;            /* the adapter in use */
  gboolean discovery_requested;  /* SetDiscoveryFilter and StartDiscovery sent or done */
  gboolean discovering;          /* StartDiscovery succeeded */

  GHashTable *devices;           /* object path -> ThBleDevice, listed */
  GPtrArray *items;              /* ThBleDevice, in the order they were listed */
};

static void th_ble_browser_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ThBleBrowser, th_ble_browser, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      th_ble_browser_list_model_init))

G_DEFINE_ENUM_TYPE (ThBleState, th_ble_state,
  G_DEFINE_ENUM_VALUE (TH_BLE_STATE_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (TH_BLE_STATE_STARTING, "starting"),
  G_DEFINE_ENUM_VALUE (TH_BLE_STATE_UNAVAILABLE, "unavailable"),
  G_DEFINE_ENUM_VALUE (TH_BLE_STATE_NO_ADAPTER, "no-adapter"),
  G_DEFINE_ENUM_VALUE (TH_BLE_STATE_POWERED_OFF, "powered-off"),
  G_DEFINE_ENUM_VALUE (TH_BLE_STATE_ACCESS_DENIED, "access-denied"),
  G_DEFINE_ENUM_VALUE (TH_BLE_STATE_FAILED, "failed"),
  G_DEFINE_ENUM_VALUE (TH_BLE_STATE_SCANNING, "scanning"))

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_state (ThBleBrowser *self,
           ThBleState    state,
           GError       *error)
{
  g_clear_error (&self->error);
  self->error = error;
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
forget_devices (ThBleBrowser *self)
{
  guint removed = self->items->len;

  g_hash_table_remove_all (self->devices);
  g_ptr_array_set_size (self->items, 0);
  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
}

static void
unlist (ThBleBrowser *self,
        const char   *path)
{
  ThBleDevice *device = g_hash_table_lookup (self->devices, path);
  guint position;

  if (device == NULL || !g_ptr_array_find (self->items, device, &position))
    return;
  g_ptr_array_remove_index (self->items, position);
  g_hash_table_remove (self->devices, path);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
}

/* Lists, updates or unlists one BlueZ device after what it says now. */
static void
consider_device (ThBleBrowser   *self,
                 ThBluezDevice1 *proxy)
{
  const char *path = g_dbus_proxy_get_object_path (G_DBUS_PROXY (proxy));
  g_autoptr(GVariant) rssi = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (proxy), "RSSI");
  g_autoptr(GError) error = NULL;
  ThBleServiceData service_data;
  ThBleDevice *device;
  guint position;
  gboolean changed;
  /* BlueZ drops RSSI when the device has not been heard from in this discovery. */
  gboolean has_rssi = rssi != NULL && g_variant_is_of_type (rssi, G_VARIANT_TYPE_INT16);

  if (!self->discovering || g_strcmp0 (th_bluez_device1_get_adapter (proxy),
                                       self->adapter_path) != 0)
    return;
  if (!th_ble_bluez_get_service_data (proxy, &service_data, &error))
    {
      if (error != NULL)
        g_debug ("Bluetooth device %s: %s", th_bluez_device1_get_address (proxy),
                 error->message);
      unlist (self, path);
      return;
    }

  device = g_hash_table_lookup (self->devices, path);
  if (device == NULL)
    {
      device = th_ble_device_new (path);
      g_hash_table_insert (self->devices, g_strdup (path), device);
    }
  changed = th_ble_device_update (device, th_bluez_device1_get_address (proxy),
                                  th_bluez_device1_get_name (proxy), has_rssi,
                                  has_rssi ? g_variant_get_int16 (rssi) : 0, &service_data);
  if (!g_ptr_array_find (self->items, device, &position))
    {
      g_ptr_array_add (self->items, g_object_ref (device));
      g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
    }
  else if (changed)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
    }
}

static void
consider_all_devices (ThBleBrowser *self)
{
  GList *objects = g_dbus_object_manager_get_objects (self->manager);

  for (GList *l = objects; l != NULL; l = l->next)
    {
      ThBluezDevice1 *proxy = th_bluez_object_peek_device1 (l->data);

      if (proxy != NULL)
        consider_device (self, proxy);
    }
  g_list_free_full (objects, g_object_unref);
}

static ThBluezAdapter1 *
find_adapter (ThBleBrowser *self,
              const char   *path)
{
  g_autoptr(GDBusObject) object = NULL;

  if (path == NULL || self->manager == NULL)
    return NULL;
  object = g_dbus_object_manager_get_object (self->manager, path);
  return object != NULL ? th_bluez_object_get_adapter1 (TH_BLUEZ_OBJECT (object)) : NULL;
}

static void
on_discovery_stopped (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Nothing to do either way: BlueZ ends a client's discovery when the client goes too. */
  if (!th_bluez_adapter1_call_stop_discovery_finish (TH_BLUEZ_ADAPTER1 (source), result,
                                                     &error))
    g_debug ("Stopping Bluetooth discovery: %s", error->message);
}

/* Forgets the discovery and its devices; asks BlueZ to end it when it still runs, as when
 * another adapter takes over or the browser stops. */
static void
stop_discovery (ThBleBrowser *self)
{
  g_autoptr(ThBluezAdapter1) adapter = NULL;

  if (self->discovering && (adapter = find_adapter (self, self->adapter_path)) != NULL &&
      th_bluez_adapter1_get_powered (adapter))
    th_bluez_adapter1_call_stop_discovery (adapter, G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                           on_discovery_stopped, NULL);
  self->discovery_requested = FALSE;
  self->discovering = FALSE;
  forget_devices (self);
}

/* The first powered adapter in path order (hci0 before hci1), or else the first one. */
static char *
choose_adapter (ThBleBrowser *self)
{
  GList *objects = g_dbus_object_manager_get_objects (self->manager);
  const char *first = NULL;
  const char *powered = NULL;
  char *chosen;

  for (GList *l = objects; l != NULL; l = l->next)
    {
      ThBluezAdapter1 *adapter = th_bluez_object_peek_adapter1 (l->data);
      const char *path = g_dbus_object_get_object_path (l->data);

      if (adapter == NULL)
        continue;
      if (first == NULL || g_strcmp0 (path, first) < 0)
        first = path;
      if (th_bluez_adapter1_get_powered (adapter) && (powered == NULL ||
                                                      g_strcmp0 (path, powered) < 0))
        powered = path;
    }
  chosen = g_strdup (powered != NULL ? powered : first);
  g_list_free_full (objects, g_object_unref);
  return chosen;
}

static void
fail_discovery (ThBleBrowser *self,
                const GError *error)
{
  g_autofree char *message = th_ble_bluez_error_message (error);
  g_autofree char *remote = g_dbus_error_get_remote_error (error);

  stop_discovery (self);
  /* Kept requested: not asked again until the adapter or BlueZ changes. */
  self->discovery_requested = TRUE;
  if (th_ble_bluez_error_is_access_denied (error))
    set_state (self, TH_BLE_STATE_ACCESS_DENIED,
               g_error_new (TH_ERROR, TH_ERROR_BLE_ACCESS_DENIED,
                            _("Threshold is not allowed to use Bluetooth (%s). Allow it "
                              "Bluetooth access, then try again."),
                            message));
  else if (g_strcmp0 (remote, "org.bluez.Error.NotReady") == 0)
    set_state (self, TH_BLE_STATE_POWERED_OFF,
               g_error_new_literal (TH_ERROR, TH_ERROR_BLE_POWERED_OFF,
                                    _("Bluetooth is switched off. Switch it on to find "
                                      "devices nearby.")));
  else
    set_state (self, TH_BLE_STATE_FAILED,
               g_error_new (TH_ERROR, TH_ERROR_BLE_FAILED,
                            _("Bluetooth could not look for devices: %s"), message));
}

static void
on_discovery_started (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(ThBleBrowser) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *remote = NULL;

  if (!th_bluez_adapter1_call_start_discovery_finish (TH_BLUEZ_ADAPTER1 (source), result,
                                                      &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      remote = g_dbus_error_get_remote_error (error);
      /* This program's discovery session is running already. */
      if (g_strcmp0 (remote, "org.bluez.Error.InProgress") != 0)
        {
          fail_discovery (self, error);
          return;
        }
    }
  if (!self->discovery_requested ||
      g_strcmp0 (g_dbus_proxy_get_object_path (G_DBUS_PROXY (source)), self->adapter_path) != 0)
    return;

  self->discovering = TRUE;
  set_state (self, TH_BLE_STATE_SCANNING, NULL);
  consider_all_devices (self);
}

static void
on_filter_set (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ThBleBrowser) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!th_bluez_adapter1_call_set_discovery_filter_finish (TH_BLUEZ_ADAPTER1 (source), result,
                                                           &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail_discovery (self, error);
      return;
    }
  th_bluez_adapter1_call_start_discovery (TH_BLUEZ_ADAPTER1 (source), G_DBUS_CALL_FLAGS_NONE,
                                          -1, self->cancellable, on_discovery_started,
                                          g_object_ref (self));
}

/* LE only, and only devices that advertise the Matter service. */
static void
start_discovery (ThBleBrowser    *self,
                 ThBluezAdapter1 *adapter)
{
  const char *uuids[] = { TH_BLE_MATTER_SERVICE_UUID, NULL };
  GVariantBuilder filter;

  self->discovery_requested = TRUE;
  g_variant_builder_init (&filter, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&filter, "{sv}", "Transport", g_variant_new_string ("le"));
  g_variant_builder_add (&filter, "{sv}", "UUIDs", g_variant_new_strv (uuids, -1));
  th_bluez_adapter1_call_set_discovery_filter (adapter, g_variant_builder_end (&filter),
                                               G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable,
                                               on_filter_set, g_object_ref (self));
}

/* Decides the state from BlueZ, its adapters and their power, and starts scanning when it
 * can. Called whenever one of those changes. */
static void
evaluate (ThBleBrowser *self)
{
  g_autofree char *owner = g_dbus_object_manager_client_get_name_owner (
    G_DBUS_OBJECT_MANAGER_CLIENT (self->manager));
  g_autofree char *chosen = NULL;
  g_autoptr(ThBluezAdapter1) adapter = NULL;

  if (owner == NULL)
    {
      g_clear_pointer (&self->adapter_path, g_free);
      stop_discovery (self);
      set_state (self, TH_BLE_STATE_UNAVAILABLE,
                 g_error_new_literal (TH_ERROR, TH_ERROR_BLE_UNAVAILABLE,
                                      _("Bluetooth is not available: the Bluetooth service "
                                        "(BlueZ) is not running. Start it, then try "
                                        "again.")));
      return;
    }

  chosen = choose_adapter (self);
  if (g_strcmp0 (chosen, self->adapter_path) != 0)
    {
      stop_discovery (self);
      g_free (self->adapter_path);
      self->adapter_path = g_steal_pointer (&chosen);
    }
  adapter = find_adapter (self, self->adapter_path);
  if (adapter == NULL)
    {
      set_state (self, TH_BLE_STATE_NO_ADAPTER,
                 g_error_new_literal (TH_ERROR, TH_ERROR_BLE_NO_ADAPTER,
                                      _("This computer has no Bluetooth adapter. Plug one in "
                                        "to find devices nearby over Bluetooth.")));
      return;
    }
  if (!th_bluez_adapter1_get_powered (adapter))
    {
      stop_discovery (self);
      set_state (self, TH_BLE_STATE_POWERED_OFF,
                 g_error_new_literal (TH_ERROR, TH_ERROR_BLE_POWERED_OFF,
                                      _("Bluetooth is switched off. Switch it on to find "
                                        "devices nearby.")));
      return;
    }
  if (!self->discovery_requested)
    {
      set_state (self, TH_BLE_STATE_STARTING, NULL);
      start_discovery (self, adapter);
    }
}

static void
on_object_added (GDBusObjectManager *manager,
                 GDBusObject        *object,
                 gpointer            user_data)
{
  ThBleBrowser *self = TH_BLE_BROWSER (user_data);
  ThBluezDevice1 *device = th_bluez_object_peek_device1 (TH_BLUEZ_OBJECT (object));

  if (th_bluez_object_peek_adapter1 (TH_BLUEZ_OBJECT (object)) != NULL)
    evaluate (self);
  if (device != NULL)
    consider_device (self, device);
}

static void
on_object_removed (GDBusObjectManager *manager,
                   GDBusObject        *object,
                   gpointer            user_data)
{
  ThBleBrowser *self = TH_BLE_BROWSER (user_data);
  const char *path = g_dbus_object_get_object_path (object);

  unlist (self, path);
  if (g_strcmp0 (path, self->adapter_path) == 0)
    {
      g_clear_pointer (&self->adapter_path, g_free);
      stop_discovery (self);
      evaluate (self);
    }
}

static void
on_interface_added (GDBusObjectManager *manager,
                    GDBusObject        *object,
                    GDBusInterface     *interface,
                    gpointer            user_data)
{
  on_object_added (manager, object, user_data);
}

static void
on_interface_removed (GDBusObjectManager *manager,
                      GDBusObject        *object,
                      GDBusInterface     *interface,
                      gpointer            user_data)
{
  ThBleBrowser *self = TH_BLE_BROWSER (user_data);

  if (TH_BLUEZ_IS_DEVICE1 (interface))
    unlist (self, g_dbus_object_get_object_path (object));
  else if (TH_BLUEZ_IS_ADAPTER1 (interface))
    on_object_removed (manager, object, user_data);
}

static void
on_properties_changed (GDBusObjectManagerClient *manager,
                       GDBusObjectProxy         *object,
                       GDBusProxy               *interface,
                       GVariant                 *changed,
                       const char *const        *invalidated,
                       gpointer                  user_data)
{
  ThBleBrowser *self = TH_BLE_BROWSER (user_data);
  g_autoptr(GVariant) powered = NULL;

  if (TH_BLUEZ_IS_DEVICE1 (interface))
    {
      consider_device (self, TH_BLUEZ_DEVICE1 (interface));
      return;
    }
  if (!TH_BLUEZ_IS_ADAPTER1 (interface))
    return;
  powered = g_variant_lookup_value (changed, "Powered", G_VARIANT_TYPE_BOOLEAN);
  if (powered == NULL)
    return;
  /* Switched off, the adapter ended the discovery itself; on again, it has to be asked for
   * anew. Another adapter's change may make it the one to use. */
  if (g_strcmp0 (g_dbus_proxy_get_object_path (interface), self->adapter_path) == 0 &&
      !g_variant_get_boolean (powered))
    {
      self->discovering = FALSE;
      stop_discovery (self);
    }
  evaluate (self);
}

static void
on_name_owner_changed (GObject    *manager,
                       GParamSpec *pspec,
                       gpointer    user_data)
{
  ThBleBrowser *self = TH_BLE_BROWSER (user_data);

  /* A discovery of the BlueZ that went is gone with it. */
  self->discovering = FALSE;
  stop_discovery (self);
  evaluate (self);
}

static void
on_manager_ready (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ThBleBrowser) self = user_data;
  g_autoptr(GError) error = NULL;
  GDBusObjectManager *manager = th_ble_bluez_manager_new_finish (result, &error);

  if (manager == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_state (self, TH_BLE_STATE_UNAVAILABLE,
                   g_error_new (TH_ERROR, TH_ERROR_BLE_UNAVAILABLE,
                                _("Bluetooth is not available: the system bus cannot be "
                                  "reached (%s)"),
                                error->message));
      return;
    }
  if (self->state != TH_BLE_STATE_STARTING)
    {
      g_object_unref (manager);
      return;
    }

  self->manager = manager;
  g_signal_connect_object (manager, "object-added", G_CALLBACK (on_object_added), self, 0);
  g_signal_connect_object (manager, "object-removed", G_CALLBACK (on_object_removed), self, 0);
  g_signal_connect_object (manager, "interface-added", G_CALLBACK (on_interface_added), self,
                           0);
  g_signal_connect_object (manager, "interface-removed", G_CALLBACK (on_interface_removed),
                           self, 0);
  g_signal_connect_object (manager, "interface-proxy-properties-changed",
                           G_CALLBACK (on_properties_changed), self, 0);
  g_signal_connect_object (manager, "notify::name-owner", G_CALLBACK (on_name_owner_changed),
                           self, 0);
  evaluate (self);
}

void
th_ble_browser_start (ThBleBrowser *self)
{
  g_return_if_fail (TH_IS_BLE_BROWSER (self));

  if (self->state != TH_BLE_STATE_STOPPED)
    return;
  self->cancellable = g_cancellable_new ();
  set_state (self, TH_BLE_STATE_STARTING, NULL);
  th_ble_bluez_manager_new_async (self->cancellable, on_manager_ready, g_object_ref (self));
}

void
th_ble_browser_stop (ThBleBrowser *self)
{
  g_return_if_fail (TH_IS_BLE_BROWSER (self));

  stop_discovery (self);
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }
  if (self->manager != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->manager, self);
      g_clear_object (&self->manager);
    }
  g_clear_pointer (&self->adapter_path, g_free);
  set_state (self, TH_BLE_STATE_STOPPED, NULL);
}

ThBleState
th_ble_browser_get_state (ThBleBrowser *self)
{
  g_return_val_if_fail (TH_IS_BLE_BROWSER (self), TH_BLE_STATE_STOPPED);
  return self->state;
}

const GError *
th_ble_browser_get_error (ThBleBrowser *self)
{
  g_return_val_if_fail (TH_IS_BLE_BROWSER (self), NULL);
  return self->error;
}

const char *
th_ble_browser_get_message (ThBleBrowser *self)
{
  g_return_val_if_fail (TH_IS_BLE_BROWSER (self), NULL);

  if (self->error != NULL)
    return self->error->message;
  switch (self->state)
    {
    case TH_BLE_STATE_SCANNING:
      return _("Looking for Matter devices nearby over Bluetooth");
    case TH_BLE_STATE_STARTING:
      return _("Getting ready to look for devices over Bluetooth");
    case TH_BLE_STATE_STOPPED:
    default:
      return _("Not looking for devices over Bluetooth");
    }
}

static void
on_powered (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  message = th_ble_bluez_error_message (error);
  if (th_ble_bluez_error_is_access_denied (error))
    g_task_return_new_error (task, TH_ERROR, TH_ERROR_BLE_ACCESS_DENIED,
                             _("Threshold is not allowed to switch Bluetooth on (%s). Switch "
                               "it on in the system settings."),
                             message);
  else
    g_task_return_new_error (task, TH_ERROR, TH_ERROR_BLE_POWERED_OFF,
                             _("Bluetooth could not be switched on (%s). If a radio switch "
                               "or airplane mode blocks it, unblock it first."),
                             message);
}

void
th_ble_browser_power_on_async (ThBleBrowser        *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(ThBluezAdapter1) adapter = NULL;

  g_return_if_fail (TH_IS_BLE_BROWSER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_ble_browser_power_on_async);
  adapter = find_adapter (self, self->adapter_path);
  if (adapter == NULL)
    {
      g_task_return_new_error (task, TH_ERROR, TH_ERROR_BLE_NO_ADAPTER,
                               _("There is no Bluetooth adapter to switch on"));
      return;
    }
  /* Through Properties.Set rather than the proxy's setter, to learn whether it worked. */
  g_dbus_connection_call (g_dbus_proxy_get_connection (G_DBUS_PROXY (adapter)),
                          g_dbus_proxy_get_name (G_DBUS_PROXY (adapter)),
                          g_dbus_proxy_get_object_path (G_DBUS_PROXY (adapter)),
                          "org.freedesktop.DBus.Properties", "Set",
                          g_variant_new ("(ssv)", "org.bluez.Adapter1", "Powered",
                                         g_variant_new_boolean (TRUE)),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, cancellable, on_powered,
                          g_steal_pointer (&task));
}

gboolean
th_ble_browser_power_on_finish (ThBleBrowser  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

ThBleBrowser *
th_ble_browser_new (void)
{
  return g_object_new (TH_TYPE_BLE_BROWSER, NULL);
}

static GType
th_ble_browser_get_item_type (GListModel *model)
{
  return TH_TYPE_BLE_DEVICE;
}

static guint
th_ble_browser_get_n_items (GListModel *model)
{
  return TH_BLE_BROWSER (model)->items->len;
}

static gpointer
th_ble_browser_get_item (GListModel *model,
                         guint       position)
{
  ThBleBrowser *self = TH_BLE_BROWSER (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
th_ble_browser_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = th_ble_browser_get_item_type;
  iface->get_n_items = th_ble_browser_get_n_items;
  iface->get_item = th_ble_browser_get_item;
}

static void
th_ble_browser_dispose (GObject *object)
{
  ThBleBrowser *self = TH_BLE_BROWSER (object);

  if (self->state != TH_BLE_STATE_STOPPED)
    th_ble_browser_stop (self);

  G_OBJECT_CLASS (th_ble_browser_parent_class)->dispose (object);
}

static void
th_ble_browser_finalize (GObject *object)
{
  ThBleBrowser *self = TH_BLE_BROWSER (object);

  g_hash_table_unref (self->devices);
  g_ptr_array_unref (self->items);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (th_ble_browser_parent_class)->finalize (object);
}

static void
th_ble_browser_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ThBleBrowser *self = TH_BLE_BROWSER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
th_ble_browser_class_init (ThBleBrowserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = th_ble_browser_dispose;
  object_class->finalize = th_ble_browser_finalize;
  object_class->get_property = th_ble_browser_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TH_TYPE_BLE_STATE, TH_BLE_STATE_STOPPED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
th_ble_browser_init (ThBleBrowser *self)
{
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}
