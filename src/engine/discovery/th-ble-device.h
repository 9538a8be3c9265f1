/* th-ble-device.h: a Matter device found advertising over Bluetooth LE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "discovery/th-ble-service-data.h"

G_BEGIN_DECLS

#define TH_TYPE_BLE_DEVICE (th_ble_device_get_type ())

G_DECLARE_FINAL_TYPE (ThBleDevice, th_ble_device, TH, BLE_DEVICE, GObject)

/* A device as BlueZ last reported it. The browser updates it in place and says so with
 * items-changed (one removed and one added at the same position). */

/* BlueZ's object for it, to connect to (th_ble_gatt_link_connect_async()). */
const char             *th_ble_device_get_object_path   (ThBleDevice *self);
/* "AA:BB:CC:DD:EE:FF" */
const char             *th_ble_device_get_address       (ThBleDevice *self);
/* The advertised name, or NULL. */
const char             *th_ble_device_get_name          (ThBleDevice *self);
/* The signal strength of its last advertisement in dBm; FALSE when BlueZ has none. */
gboolean                th_ble_device_get_rssi          (ThBleDevice *self,
                                                         gint16      *rssi);
const ThBleServiceData *th_ble_device_get_service_data  (ThBleDevice *self);
guint16                 th_ble_device_get_discriminator (ThBleDevice *self);
guint16                 th_ble_device_get_vendor_id     (ThBleDevice *self);
guint16                 th_ble_device_get_product_id    (ThBleDevice *self);
/* ThBleAdvertisementFlags */
guint8                  th_ble_device_get_flags         (ThBleDevice *self);

G_END_DECLS
