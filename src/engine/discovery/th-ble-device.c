/* th-ble-device.c: a Matter device found advertising over Bluetooth LE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "discovery/th-ble-device-private.h"

struct _ThBleDevice
{
  GObject parent_instance;

  char *object_path;
  char *address;
  char *name;
  gboolean has_rssi;
  gint16 rssi;
  ThBleServiceData service_data;
};

G_DEFINE_FINAL_TYPE (ThBleDevice, th_ble_device, G_TYPE_OBJECT)

static void
th_ble_device_finalize (GObject *object)
{
  ThBleDevice *self = TH_BLE_DEVICE (object);

  g_free (self->object_path);
  g_free (self->address);
  g_free (self->name);

  G_OBJECT_CLASS (th_ble_device_parent_class)->finalize (object);
}

static void
th_ble_device_class_init (ThBleDeviceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = th_ble_device_finalize;
}

static void
th_ble_device_init (ThBleDevice *self)
{
}

ThBleDevice *
th_ble_device_new (const char *object_path)
{
  ThBleDevice *self = g_object_new (TH_TYPE_BLE_DEVICE, NULL);

  self->object_path = g_strdup (object_path);
  return self;
}

static gboolean
service_data_equal (const ThBleServiceData *a,
                    const ThBleServiceData *b)
{
  return a->version == b->version && a->discriminator == b->discriminator &&
         a->vendor_id == b->vendor_id && a->product_id == b->product_id &&
         a->flags == b->flags;
}

static gboolean
replace_string (char       **field,
                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

gboolean
th_ble_device_update (ThBleDevice            *self,
                      const char             *address,
                      const char             *name,
                      gboolean                has_rssi,
                      gint16                  rssi,
                      const ThBleServiceData *service_data)
{
  gboolean changed = FALSE;

  g_return_val_if_fail (TH_IS_BLE_DEVICE (self), FALSE);
  g_return_val_if_fail (service_data != NULL, FALSE);

  changed |= replace_string (&self->address, address);
  changed |= replace_string (&self->name, name);
  if (self->has_rssi != has_rssi || (has_rssi && self->rssi != rssi))
    changed = TRUE;
  self->has_rssi = has_rssi;
  self->rssi = has_rssi ? rssi : 0;
  if (!service_data_equal (&self->service_data, service_data))
    changed = TRUE;
  self->service_data = *service_data;
  return changed;
}

const char *
th_ble_device_get_object_path (ThBleDevice *self)
{
  g_return_val_if_fail (TH_IS_BLE_DEVICE (self), NULL);
  return self->object_path;
}

const char *
th_ble_device_get_address (ThBleDevice *self)
{
  g_return_val_if_fail (TH_IS_BLE_DEVICE (self), NULL);
  return self->address;
}

const char *
th_ble_device_get_name (ThBleDevice *self)
{
  g_return_val_if_fail (TH_IS_BLE_DEVICE (self), NULL);
  return self->name;
}

gboolean
th_ble_device_get_rssi (ThBleDevice *self,
                        gint16      *rssi)
{
  g_return_val_if_fail (TH_IS_BLE_DEVICE (self), FALSE);

  if (rssi != NULL)
    *rssi = self->rssi;
  return self->has_rssi;
}

const ThBleServiceData *
th_ble_device_get_service_data (ThBleDevice *self)
{
  g_return_val_if_fail (TH_IS_BLE_DEVICE (self), NULL);
  return &self->service_data;
}

guint16
th_ble_device_get_discriminator (ThBleDevice *self)
{
  g_return_val_if_fail (TH_IS_BLE_DEVICE (self), 0);
  return self->service_data.discriminator;
}

guint16
th_ble_device_get_vendor_id (ThBleDevice *self)
{
  g_return_val_if_fail (TH_IS_BLE_DEVICE (self), 0);
  return self->service_data.vendor_id;
}

guint16
th_ble_device_get_product_id (ThBleDevice *self)
{
  g_return_val_if_fail (TH_IS_BLE_DEVICE (self), 0);
  return self->service_data.product_id;
}

guint8
th_ble_device_get_flags (ThBleDevice *self)
{
  g_return_val_if_fail (TH_IS_BLE_DEVICE (self), 0);
  return self->service_data.flags;
}
