/* th-ble-bluez.h: what the BLE browser and the GATT link share in their use of BlueZ
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "discovery/th-ble-service-data.h"
#include "discovery/th-bluez.h"

G_BEGIN_DECLS

/* BlueZ's object manager on the system bus. It does not start BlueZ: when BlueZ is not
 * running its name owner is NULL, and its objects come when BlueZ does. */
void                th_ble_bluez_manager_new_async  (GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GDBusObjectManager *th_ble_bluez_manager_new_finish (GAsyncResult         *result,
                                                     GError              **error);

/* The Matter service data in a Device1's cached ServiceData, parsed. FALSE with no error
 * when there is none, or when ServiceData is not the a{sv} BlueZ documents. */
gboolean            th_ble_bluez_get_service_data   (ThBluezDevice1       *device,
                                                     ThBleServiceData     *service_data,
                                                     GError              **error);

/* BlueZ spells UUIDs in lower case; a peer may not. */
gboolean            th_ble_bluez_uuid_equal         (const char           *a,
                                                     const char           *b);
/* Whether the string array (a characteristic's Flags) holds `flag`. */
gboolean            th_ble_bluez_has_flag           (const char *const    *flags,
                                                     const char           *flag);

/* D-Bus errors from BlueZ or the bus that mean this program may not use Bluetooth. */
gboolean            th_ble_bluez_error_is_access_denied (const GError     *error);
/* The error's message without the "GDBus.Error:org.bluez.Error.Failed: " prefix. */
char               *th_ble_bluez_error_message      (const GError         *error);

G_END_DECLS
