/* th-ble-gatt-link.h: a GATT connection to a device's Matter service through BlueZ
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "messaging/th-btp-link.h"

G_BEGIN_DECLS

#define TH_TYPE_BLE_GATT_LINK (th_ble_gatt_link_get_type ())

G_DECLARE_FINAL_TYPE (ThBleGattLink, th_ble_gatt_link, TH, BLE_GATT_LINK, GObject)

/* The central's end of a ThBtpLink to the BlueZ device object at `device_path` (from
 * th_ble_device_get_object_path()): connects the device unless it is connected already,
 * waits for its Matter GATT service and the characteristics C1 and C2, and uses
 * AcquireWrite and AcquireNotify where BlueZ offers them, WriteValue and StartNotify
 * otherwise. Fails with TH_ERROR_BLE_UNAVAILABLE, TH_ERROR_BLE_NOT_FOUND (BlueZ does not
 * know the device), TH_ERROR_BLE_ACCESS_DENIED, TH_ERROR_BLE_GATT (the connection failed, or
 * the device has no usable Matter service within `timeout_ms`), or G_IO_ERROR_CANCELLED.
 * Closing the link disconnects the device if this link connected it. */
void           th_ble_gatt_link_connect_async  (const char           *device_path,
                                                guint                 timeout_ms,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
ThBleGattLink *th_ble_gatt_link_connect_finish (GAsyncResult         *result,
                                                GError              **error);
/* The device's Bluetooth address. */
const char    *th_ble_gatt_link_get_address    (ThBleGattLink        *self);

G_END_DECLS
