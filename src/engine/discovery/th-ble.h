/* th-ble.h: finding one Matter device over Bluetooth LE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "discovery/th-ble-device.h"

G_BEGIN_DECLS

/* Whether the device's discriminator matches: the 12-bit long one, or with `is_short` the
 * 4-bit short one, which is its upper 4 bits. */
gboolean     th_ble_device_matches_discriminator (ThBleDevice          *device,
                                                  guint16               discriminator,
                                                  gboolean              is_short);

/* Scans until a device open for commissioning advertises a matching discriminator. Fails at
 * once with the scanner's error when Bluetooth cannot scan (TH_ERROR_BLE_UNAVAILABLE,
 * _NO_ADAPTER, _POWERED_OFF, _ACCESS_DENIED, _FAILED), after `timeout_ms` with
 * TH_ERROR_BLE_NOT_FOUND, or with G_IO_ERROR_CANCELLED. */
void         th_ble_find_commissionable_async    (guint16               discriminator,
                                                  gboolean              is_short,
                                                  guint                 timeout_ms,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
ThBleDevice *th_ble_find_commissionable_finish   (GAsyncResult         *result,
                                                  GError              **error);

G_END_DECLS
