/* th-ble-device-private.h: for the browser that makes devices
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "discovery/th-ble-device.h"

G_BEGIN_DECLS

ThBleDevice *th_ble_device_new    (const char             *object_path);
/* Takes what BlueZ says now; `name` may be NULL. Returns whether anything changed. */
gboolean     th_ble_device_update (ThBleDevice            *self,
                                   const char             *address,
                                   const char             *name,
                                   gboolean                has_rssi,
                                   gint16                  rssi,
                                   const ThBleServiceData *service_data);

G_END_DECLS
