/* th-ble-gatt-link.c: a GATT connection to a device's Matter service through BlueZ
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gunixfdlist.h>
#include <glib/gi18n-lib.h>

#include "th-error.h"
#include "discovery/th-ble-bluez.h"
#include "discovery/th-ble-gatt-link.h"
#include "discovery/th-deadline.h"

/* Larger than any ATT value. */
#define NOTIFY_BUFFER_SIZE 512

struct _ThBleGattLink
{
  GObject parent_instance;

  GDBusObjectManager *manager;
  char *device_path;
  char *address;
  ThBluezDevice1 *device;
  ThBluezGattCharacteristic1 *c1;
  ThBluezGattCharacteristic1 *c2;
  gboolean connected_by_us;
  gboolean closed;
  guint16 att_mtu;

  GSocket *write_socket;           /* from AcquireWrite */
  GSocket *notify_socket;          /* from AcquireNotify */
  GSource *notify_source;
  gboolean notifying;              /* StartNotify succeeded */
  gulong value_handler;
  gulong device_handler;
  gulong removed_handler;
  gulong owner_handler;
};

static void th_ble_gatt_link_iface_init (ThBtpLinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ThBleGattLink, th_ble_gatt_link, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TH_TYPE_BTP_LINK,
                                                      th_ble_gatt_link_iface_init))

static gboolean
has_cached_property (gpointer    proxy,
                     const char *name)
{
  g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (proxy), name);

  return value != NULL;
}

/* BlueZ offers AcquireWrite for characteristics written without response, and AcquireNotify
 * for notifying ones, and says so with the WriteAcquired and NotifyAcquired properties. */
static gboolean
offers_acquire_write (ThBluezGattCharacteristic1 *characteristic)
{
  return has_cached_property (characteristic, "WriteAcquired") &&
         th_ble_bluez_has_flag (th_bluez_gatt_characteristic1_get_flags (characteristic),
                                "write-without-response");
}

static gboolean
offers_acquire_notify (ThBluezGattCharacteristic1 *characteristic)
{
  return has_cached_property (characteristic, "NotifyAcquired") &&
         th_ble_bluez_has_flag (th_bluez_gatt_characteristic1_get_flags (characteristic),
                                "notify");
}

static GSocket *
socket_from_reply (GVariant     *handle,
                   GUnixFDList  *fd_list,
                   GError      **error)
{
  int fd;

  if (fd_list == NULL)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_BLE_GATT,
                           _("BlueZ handed over no file descriptor"));
      return NULL;
    }
  fd = g_unix_fd_list_get (fd_list, g_variant_get_handle (handle), error);
  if (fd < 0)
    return NULL;
  return g_socket_new_from_fd (fd, error);
}

static void
lose_connection (ThBleGattLink *self)
{
  g_autoptr(GError) error = NULL;

  if (self->closed)
    return;
  error = g_error_new (TH_ERROR, TH_ERROR_TRANSPORT,
                       _("The Bluetooth connection to %s was lost"), self->address);
  th_btp_link_emit_disconnected (TH_BTP_LINK (self), error);
}

/* Writing. */

static void
on_value_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (th_bluez_gatt_characteristic1_call_write_value_finish (
        TH_BLUEZ_GATT_CHARACTERISTIC1 (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
th_ble_gatt_link_write_async (ThBtpLink           *link,
                              GBytes              *packet,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  ThBleGattLink *self = TH_BLE_GATT_LINK (link);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GVariantBuilder options;
  const char *type;

  if (self->closed)
    {
      g_task_return_new_error (task, TH_ERROR, TH_ERROR_TRANSPORT,
                               _("The Bluetooth connection is closed"));
      return;
    }
  if (self->write_socket != NULL)
    {
      GError *error = NULL;
      gsize len;
      const char *data = g_bytes_get_data (packet, &len);

      /* One datagram per ATT write; the socket takes it at once or fails. */
      if (g_socket_send (self->write_socket, data, len, cancellable, &error) < 0)
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      return;
    }

  /* With a response where C1 allows it: the response is what tells BTP the write arrived. */
  type = th_ble_bluez_has_flag (th_bluez_gatt_characteristic1_get_flags (self->c1), "write")
         ? "request" : "command";
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "type", g_variant_new_string (type));
  th_bluez_gatt_characteristic1_call_write_value (
    self->c1, g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, packet, TRUE),
    g_variant_builder_end (&options), G_DBUS_CALL_FLAGS_NONE, -1, cancellable,
    on_value_written, g_steal_pointer (&task));
}

static gboolean
th_ble_gatt_link_finish (ThBtpLink     *link,
                         GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Receiving. */

static gboolean
on_notify_readable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  ThBleGattLink *self = TH_BLE_GATT_LINK (user_data);
  g_autoptr(ThBleGattLink) hold = NULL;
  guint8 buffer[NOTIFY_BUFFER_SIZE];
  g_autoptr(GError) error = NULL;
  gssize n;

  /* A handler may drop the last reference. */
  hold = g_object_ref (self);
  n = g_socket_receive (socket, (char *) buffer, sizeof buffer, NULL, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      if (error != NULL)
        g_debug ("Reading C2 notifications from %s: %s", self->address, error->message);
      g_clear_pointer (&self->notify_source, g_source_unref);
      lose_connection (self);
      return G_SOURCE_REMOVE;
    }
  if (!self->closed)
    {
      g_autoptr(GBytes) packet = g_bytes_new (buffer, (gsize) n);

      th_btp_link_emit_received (TH_BTP_LINK (self), packet);
    }
  return G_SOURCE_CONTINUE;
}

static void
on_c2_properties_changed (GDBusProxy        *proxy,
                          GVariant          *changed,
                          const char *const *invalidated,
                          gpointer           user_data)
{
  ThBleGattLink *self = TH_BLE_GATT_LINK (user_data);
  g_autoptr(GVariant) value = g_variant_lookup_value (changed, "Value",
                                                      G_VARIANT_TYPE_BYTESTRING);
  g_autoptr(GBytes) packet = NULL;

  if (value == NULL || self->closed)
    return;
  packet = g_variant_get_data_as_bytes (value);
  th_btp_link_emit_received (TH_BTP_LINK (self), packet);
}

static void
on_notify_acquired (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ThBleGattLink *self = g_task_get_source_object (task);
  g_autoptr(GVariant) handle = NULL;
  g_autoptr(GUnixFDList) fd_list = NULL;
  GError *error = NULL;
  guint16 mtu;

  if (!th_bluez_gatt_characteristic1_call_acquire_notify_finish (
        TH_BLUEZ_GATT_CHARACTERISTIC1 (source), &handle, &mtu, &fd_list, result, &error) ||
      (self->notify_socket = socket_from_reply (handle, fd_list, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->closed)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The Bluetooth connection is closed"));
      return;
    }
  g_socket_set_blocking (self->notify_socket, FALSE);
  self->notify_source = g_socket_create_source (self->notify_socket,
                                                G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_static_name (self->notify_source, "[threshold] GATT notifications");
  g_source_set_callback (self->notify_source, G_SOURCE_FUNC (on_notify_readable), self, NULL);
  g_source_attach (self->notify_source, g_main_context_get_thread_default ());
  g_task_return_boolean (task, TRUE);
}

static void
on_notify_started (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ThBleGattLink *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!th_bluez_gatt_characteristic1_call_start_notify_finish (
        TH_BLUEZ_GATT_CHARACTERISTIC1 (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  self->notifying = TRUE;
  g_task_return_boolean (task, TRUE);
}

static void
th_ble_gatt_link_subscribe_async (ThBtpLink           *link,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  ThBleGattLink *self = TH_BLE_GATT_LINK (link);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (offers_acquire_notify (self->c2))
    {
      th_bluez_gatt_characteristic1_call_acquire_notify (self->c2, g_variant_new ("a{sv}", NULL),
                                                         G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                                         cancellable, on_notify_acquired, task);
      return;
    }
  /* Indications arrive as changes of C2's Value. */
  self->value_handler = g_signal_connect (self->c2, "g-properties-changed",
                                          G_CALLBACK (on_c2_properties_changed), self);
  th_bluez_gatt_characteristic1_call_start_notify (self->c2, G_DBUS_CALL_FLAGS_NONE, -1,
                                                   cancellable, on_notify_started, task);
}

static guint16
th_ble_gatt_link_get_att_mtu (ThBtpLink *link)
{
  return TH_BLE_GATT_LINK (link)->att_mtu;
}

static void
release (ThBleGattLink *self)
{
  if (self->notify_source != NULL)
    {
      g_source_destroy (self->notify_source);
      g_clear_pointer (&self->notify_source, g_source_unref);
    }
  if (self->notify_socket != NULL)
    g_socket_close (self->notify_socket, NULL);
  if (self->write_socket != NULL)
    g_socket_close (self->write_socket, NULL);
  g_clear_object (&self->notify_socket);
  g_clear_object (&self->write_socket);
  if (self->c2 != NULL)
    g_clear_signal_handler (&self->value_handler, self->c2);
  if (self->device != NULL)
    g_clear_signal_handler (&self->device_handler, self->device);
  if (self->manager != NULL)
    {
      g_clear_signal_handler (&self->removed_handler, self->manager);
      g_clear_signal_handler (&self->owner_handler, self->manager);
    }
}

static void
th_ble_gatt_link_close (ThBtpLink *link)
{
  ThBleGattLink *self = TH_BLE_GATT_LINK (link);

  if (self->closed)
    return;
  self->closed = TRUE;
  release (self);
  /* No reply is awaited: the link is gone whatever BlueZ answers. */
  if (self->notifying)
    th_bluez_gatt_characteristic1_call_stop_notify (self->c2, G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                                    NULL, NULL);
  if (self->connected_by_us)
    th_bluez_device1_call_disconnect (self->device, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL,
                                      NULL);
}

static void
th_ble_gatt_link_iface_init (ThBtpLinkInterface *iface)
{
  iface->write_async = th_ble_gatt_link_write_async;
  iface->write_finish = th_ble_gatt_link_finish;
  iface->subscribe_async = th_ble_gatt_link_subscribe_async;
  iface->subscribe_finish = th_ble_gatt_link_finish;
  iface->get_att_mtu = th_ble_gatt_link_get_att_mtu;
  iface->close = th_ble_gatt_link_close;
}

static void
th_ble_gatt_link_dispose (GObject *object)
{
  th_ble_gatt_link_close (TH_BTP_LINK (object));

  G_OBJECT_CLASS (th_ble_gatt_link_parent_class)->dispose (object);
}

static void
th_ble_gatt_link_finalize (GObject *object)
{
  ThBleGattLink *self = TH_BLE_GATT_LINK (object);

  g_clear_object (&self->c1);
  g_clear_object (&self->c2);
  g_clear_object (&self->device);
  g_clear_object (&self->manager);
  g_free (self->device_path);
  g_free (self->address);

  G_OBJECT_CLASS (th_ble_gatt_link_parent_class)->finalize (object);
}

static void
th_ble_gatt_link_class_init (ThBleGattLinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = th_ble_gatt_link_dispose;
  object_class->finalize = th_ble_gatt_link_finalize;
}

static void
th_ble_gatt_link_init (ThBleGattLink *self)
{
}

const char *
th_ble_gatt_link_get_address (ThBleGattLink *self)
{
  g_return_val_if_fail (TH_IS_BLE_GATT_LINK (self), NULL);
  return self->address;
}

/* Watching the connection once it is up. */

static void
on_device_properties_changed (GDBusProxy        *proxy,
                              GVariant          *changed,
                              const char *const *invalidated,
                              gpointer           user_data)
{
  g_autoptr(GVariant) connected = g_variant_lookup_value (changed, "Connected",
                                                          G_VARIANT_TYPE_BOOLEAN);

  if (connected != NULL && !g_variant_get_boolean (connected))
    lose_connection (TH_BLE_GATT_LINK (user_data));
}

static void
on_object_removed (GDBusObjectManager *manager,
                   GDBusObject        *object,
                   gpointer            user_data)
{
  ThBleGattLink *self = TH_BLE_GATT_LINK (user_data);

  if (g_str_equal (g_dbus_object_get_object_path (object), self->device_path))
    lose_connection (self);
}

static void
on_name_owner_changed (GObject    *manager,
                       GParamSpec *pspec,
                       gpointer    user_data)
{
  g_autofree char *owner = g_dbus_object_manager_client_get_name_owner (
    G_DBUS_OBJECT_MANAGER_CLIENT (manager));

  if (owner == NULL)
    lose_connection (TH_BLE_GATT_LINK (user_data));
}

static void
watch_connection (ThBleGattLink *self)
{
  self->device_handler = g_signal_connect (self->device, "g-properties-changed",
                                           G_CALLBACK (on_device_properties_changed), self);
  self->removed_handler = g_signal_connect (self->manager, "object-removed",
                                            G_CALLBACK (on_object_removed), self);
  self->owner_handler = g_signal_connect (self->manager, "notify::name-owner",
                                          G_CALLBACK (on_name_owner_changed), self);
}

/* Connecting. */

typedef struct
{
  ThBleGattLink *link;
  guint timeout_ms;
  ThDeadline deadline;
  gulong added_handler;
  gulong interface_handler;
  gulong properties_handler;
  gboolean connected;              /* the device is connected; its services are awaited */
  gboolean done;
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  g_clear_object (&data->link);
  g_free (data);
}

/* Stops waiting and returns the link, or the error (transfer full). Drops the reference
 * the deadline and the handlers share. */
static void
connect_complete (GTask  *task,
                  GError *error)
{
  ConnectData *data = g_task_get_task_data (task);

  if (data->done)
    return;
  data->done = TRUE;
  th_deadline_stop (&data->deadline);
  if (data->link->manager != NULL)
    {
      g_clear_signal_handler (&data->added_handler, data->link->manager);
      g_clear_signal_handler (&data->interface_handler, data->link->manager);
      g_clear_signal_handler (&data->properties_handler, data->link->manager);
    }
  if (error != NULL)
    {
      th_btp_link_close (TH_BTP_LINK (data->link));
      g_task_return_error (task, error);
    }
  else
    {
      watch_connection (data->link);
      g_task_return_pointer (task, g_object_ref (data->link), g_object_unref);
    }
  g_object_unref (task);
}

/* The Matter service's C1 and C2, when BlueZ has resolved them. */
static gboolean
find_characteristics (ThBleGattLink  *self,
                      gboolean       *has_service)
{
  GList *objects = g_dbus_object_manager_get_objects (self->manager);
  const char *service_path = NULL;

  *has_service = FALSE;
  for (GList *l = objects; l != NULL && service_path == NULL; l = l->next)
    {
      ThBluezGattService1 *service = th_bluez_object_peek_gatt_service1 (l->data);

      if (service != NULL &&
          g_strcmp0 (th_bluez_gatt_service1_get_device (service), self->device_path) == 0 &&
          th_ble_bluez_uuid_equal (th_bluez_gatt_service1_get_uuid (service),
                                   TH_BLE_MATTER_SERVICE_UUID))
        service_path = g_dbus_object_get_object_path (l->data);
    }
  *has_service = service_path != NULL;

  for (GList *l = objects; l != NULL && service_path != NULL; l = l->next)
    {
      ThBluezGattCharacteristic1 *characteristic =
        th_bluez_object_peek_gatt_characteristic1 (l->data);
      const char *const *flags;
      const char *uuid;

      if (characteristic == NULL ||
          g_strcmp0 (th_bluez_gatt_characteristic1_get_service (characteristic),
                     service_path) != 0)
        continue;
      uuid = th_bluez_gatt_characteristic1_get_uuid (characteristic);
      flags = th_bluez_gatt_characteristic1_get_flags (characteristic);
      if (self->c1 == NULL && th_ble_bluez_uuid_equal (uuid, TH_BLE_MATTER_C1_UUID) &&
          (th_ble_bluez_has_flag (flags, "write") ||
           th_ble_bluez_has_flag (flags, "write-without-response")))
        self->c1 = g_object_ref (characteristic);
      else if (self->c2 == NULL && th_ble_bluez_uuid_equal (uuid, TH_BLE_MATTER_C2_UUID) &&
               (th_ble_bluez_has_flag (flags, "indicate") ||
                th_ble_bluez_has_flag (flags, "notify")))
        self->c2 = g_object_ref (characteristic);
    }
  g_list_free_full (objects, g_object_unref);
  return self->c1 != NULL && self->c2 != NULL;
}

static GError *
missing_service_error (ThBleGattLink *self,
                       gboolean       has_service)
{
  if (!has_service)
    return g_error_new (TH_ERROR, TH_ERROR_BLE_GATT,
                        _("The device %s offers no Matter service (GATT service 0xFFF6) over "
                          "Bluetooth"),
                        self->address);
  if (self->c1 == NULL)
    return g_error_new (TH_ERROR, TH_ERROR_BLE_GATT,
                        _("The Matter service of the device %s has no characteristic C1 that "
                          "can be written"),
                        self->address);
  return g_error_new (TH_ERROR, TH_ERROR_BLE_GATT,
                      _("The Matter service of the device %s has no characteristic C2 that "
                        "can indicate"),
                      self->address);
}

static void
on_write_acquired (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  ThBleGattLink *self = data->link;
  g_autoptr(GVariant) handle = NULL;
  g_autoptr(GUnixFDList) fd_list = NULL;
  g_autoptr(GError) error = NULL;
  guint16 mtu;

  if (data->done)
    {
      g_object_unref (task);
      return;
    }
  g_object_unref (task);
  if (!th_bluez_gatt_characteristic1_call_acquire_write_finish (
        TH_BLUEZ_GATT_CHARACTERISTIC1 (source), &handle, &mtu, &fd_list, result, &error) ||
      (self->write_socket = socket_from_reply (handle, fd_list, &error)) == NULL)
    {
      g_autofree char *message = th_ble_bluez_error_message (error);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        connect_complete (task, g_steal_pointer (&error));
      else
        connect_complete (task, g_error_new (TH_ERROR, TH_ERROR_BLE_GATT,
                                             _("BlueZ would not hand over the Matter "
                                               "characteristic C1 of the device %s: %s"),
                                             self->address, message));
      return;
    }
  self->att_mtu = mtu;
  connect_complete (task, NULL);
}

/* Once the characteristics are known: the MTU, and the write socket where BlueZ offers it,
 * which also tells the MTU. */
static void
finish_setup (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);
  ThBleGattLink *self = data->link;
  g_autoptr(GVariant) mtu = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (self->c1), "MTU");

  if (offers_acquire_write (self->c1))
    {
      th_bluez_gatt_characteristic1_call_acquire_write (self->c1, g_variant_new ("a{sv}", NULL),
                                                        G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                                        g_task_get_cancellable (task),
                                                        on_write_acquired, g_object_ref (task));
      return;
    }
  if (mtu != NULL && g_variant_is_of_type (mtu, G_VARIANT_TYPE_UINT16))
    self->att_mtu = g_variant_get_uint16 (mtu);
  connect_complete (task, NULL);
}

/* Looks for the service again; fails when BlueZ says all services are resolved. */
static void
try_resolve (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);
  gboolean has_service;

  if (data->done || data->added_handler == 0)
    return;
  if (find_characteristics (data->link, &has_service))
    {
      g_clear_signal_handler (&data->added_handler, data->link->manager);
      g_clear_signal_handler (&data->interface_handler, data->link->manager);
      g_clear_signal_handler (&data->properties_handler, data->link->manager);
      finish_setup (task);
      return;
    }
  if (th_bluez_device1_get_services_resolved (data->link->device))
    connect_complete (task, missing_service_error (data->link, has_service));
}

static void
on_objects_changed (GDBusObjectManager *manager,
                    GDBusObject        *object,
                    gpointer            user_data)
{
  try_resolve (G_TASK (user_data));
}

static void
on_interface_added (GDBusObjectManager *manager,
                    GDBusObject        *object,
                    GDBusInterface     *interface,
                    gpointer            user_data)
{
  try_resolve (G_TASK (user_data));
}

static void
on_resolving_properties_changed (GDBusObjectManagerClient *manager,
                                 GDBusObjectProxy         *object,
                                 GDBusProxy               *interface,
                                 GVariant                 *changed,
                                 const char *const        *invalidated,
                                 gpointer                  user_data)
{
  if (TH_BLUEZ_IS_DEVICE1 (interface))
    try_resolve (G_TASK (user_data));
}

static void
wait_for_services (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);
  GDBusObjectManager *manager = data->link->manager;

  data->connected = TRUE;
  data->added_handler = g_signal_connect (manager, "object-added",
                                          G_CALLBACK (on_objects_changed), task);
  data->interface_handler = g_signal_connect (manager, "interface-added",
                                              G_CALLBACK (on_interface_added), task);
  data->properties_handler = g_signal_connect (manager, "interface-proxy-properties-changed",
                                               G_CALLBACK (on_resolving_properties_changed),
                                               task);
  try_resolve (task);
}

static void
on_device_connected (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *remote = NULL;

  if (data->done)
    {
      /* Given up meanwhile: a connection made after all is not kept. */
      if (th_bluez_device1_call_connect_finish (TH_BLUEZ_DEVICE1 (source), result, NULL))
        th_bluez_device1_call_disconnect (TH_BLUEZ_DEVICE1 (source), G_DBUS_CALL_FLAGS_NONE, -1,
                                          NULL, NULL, NULL);
      g_object_unref (task);
      return;
    }
  if (!th_bluez_device1_call_connect_finish (TH_BLUEZ_DEVICE1 (source), result, &error))
    {
      g_autofree char *message = th_ble_bluez_error_message (error);

      remote = g_dbus_error_get_remote_error (error);
      if (g_strcmp0 (remote, "org.bluez.Error.AlreadyConnected") != 0)
        {
          g_object_unref (task);
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            connect_complete (task, g_steal_pointer (&error));
          else if (th_ble_bluez_error_is_access_denied (error))
            connect_complete (task, g_error_new (TH_ERROR, TH_ERROR_BLE_ACCESS_DENIED,
                                                 _("Threshold is not allowed to connect to "
                                                   "Bluetooth devices (%s)"),
                                                 message));
          else
            connect_complete (task, g_error_new (TH_ERROR, TH_ERROR_BLE_GATT,
                                                 _("Could not connect to the device %s over "
                                                   "Bluetooth: %s"),
                                                 data->link->address, message));
          return;
        }
    }
  else
    {
      data->link->connected_by_us = TRUE;
    }
  g_object_unref (task);
  wait_for_services (task);
}

static void
on_manager_ready (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  ThBleGattLink *self = data->link;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusObject) object = NULL;
  g_autofree char *owner = NULL;

  self->manager = th_ble_bluez_manager_new_finish (result, &error);
  if (data->done)
    {
      g_object_unref (task);
      return;
    }
  g_object_unref (task);
  if (self->manager == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        connect_complete (task, g_steal_pointer (&error));
      else
        connect_complete (task, g_error_new (TH_ERROR, TH_ERROR_BLE_UNAVAILABLE,
                                             _("Bluetooth is not available: the system bus "
                                               "cannot be reached (%s)"),
                                             error->message));
      return;
    }
  owner = g_dbus_object_manager_client_get_name_owner (
    G_DBUS_OBJECT_MANAGER_CLIENT (self->manager));
  if (owner == NULL)
    {
      connect_complete (task, g_error_new_literal (TH_ERROR, TH_ERROR_BLE_UNAVAILABLE,
                                                   _("Bluetooth is not available: the "
                                                     "Bluetooth service (BlueZ) is not "
                                                     "running")));
      return;
    }
  object = g_dbus_object_manager_get_object (self->manager, self->device_path);
  if (object != NULL)
    self->device = th_bluez_object_get_device1 (TH_BLUEZ_OBJECT (object));
  if (self->device == NULL)
    {
      connect_complete (task, g_error_new (TH_ERROR, TH_ERROR_BLE_NOT_FOUND,
                                           _("BlueZ no longer knows the Bluetooth device %s: "
                                             "look for it again"),
                                           self->device_path));
      return;
    }
  g_free (self->address);
  self->address = g_strdup (th_bluez_device1_get_address (self->device));

  if (th_bluez_device1_get_connected (self->device))
    {
      wait_for_services (task);
      return;
    }
  th_bluez_device1_call_connect (self->device, G_DBUS_CALL_FLAGS_NONE, (gint) data->timeout_ms,
                                 g_task_get_cancellable (task), on_device_connected,
                                 g_object_ref (task));
}

static gboolean
on_connect_timeout (gpointer user_data)
{
  GTask *task = G_TASK (user_data);
  ConnectData *data = g_task_get_task_data (task);
  gboolean has_service = FALSE;

  if (data->connected)
    {
      find_characteristics (data->link, &has_service);
      connect_complete (task, missing_service_error (data->link, has_service));
    }
  else
    {
      connect_complete (task, g_error_new (TH_ERROR, TH_ERROR_BLE_GATT,
                                           _("Connecting to the device %s over Bluetooth "
                                             "took longer than %.1f seconds"),
                                           data->link->address, data->timeout_ms / 1000.0));
    }
  return G_SOURCE_REMOVE;
}

static gboolean
on_connect_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  connect_complete (G_TASK (user_data), error);
  return G_SOURCE_REMOVE;
}

void
th_ble_gatt_link_connect_async (const char          *device_path,
                                guint                timeout_ms,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  ConnectData *data;

  g_return_if_fail (device_path != NULL && g_variant_is_object_path (device_path));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_ble_gatt_link_connect_async);
  data = g_new0 (ConnectData, 1);
  data->link = g_object_new (TH_TYPE_BLE_GATT_LINK, NULL);
  data->link->device_path = g_strdup (device_path);
  data->link->address = g_strdup (device_path);
  data->timeout_ms = timeout_ms;
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  /* One reference for the deadline and the handlers, dropped by connect_complete(); each
   * D-Bus call in flight holds another. */
  th_deadline_start (&data->deadline, timeout_ms, cancellable, on_connect_timeout,
                     on_connect_cancelled, task);
  th_ble_bluez_manager_new_async (cancellable, on_manager_ready, g_object_ref (task));
}

ThBleGattLink *
th_ble_gatt_link_connect_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        th_ble_gatt_link_connect_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
