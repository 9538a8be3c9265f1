/* th-ble-browser.h: the Matter devices advertising over Bluetooth LE, as a list model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "discovery/th-ble-device.h"

G_BEGIN_DECLS

typedef enum
{
  TH_BLE_STATE_STOPPED,        /* not started, or stopped */
  TH_BLE_STATE_STARTING,       /* reaching BlueZ */
  TH_BLE_STATE_UNAVAILABLE,    /* no system bus, or BlueZ is not running: see the error */
  TH_BLE_STATE_NO_ADAPTER,     /* BlueZ runs without a Bluetooth adapter */
  TH_BLE_STATE_POWERED_OFF,    /* the adapter is off: th_ble_browser_power_on_async() */
  TH_BLE_STATE_ACCESS_DENIED,  /* BlueZ or the bus refuses this program */
  TH_BLE_STATE_FAILED,         /* BlueZ could not scan for another reason: see the error */
  TH_BLE_STATE_SCANNING,       /* looking for Matter devices */
} ThBleState;

#define TH_TYPE_BLE_STATE (th_ble_state_get_type ())
GType th_ble_state_get_type (void) G_GNUC_CONST;

#define TH_TYPE_BLE_BROWSER (th_ble_browser_get_type ())

G_DECLARE_FINAL_TYPE (ThBleBrowser, th_ble_browser, TH, BLE_BROWSER, GObject)

/* A GListModel of ThBleDevice: the devices on the adapter in use that advertise Matter
 * service data for commissioning, added when first seen (or already known to BlueZ),
 * changed in place (items-changed with one removed and one added at the same position)
 * when their advertisement changes, and removed when they go away or stop advertising.
 *
 * It follows BlueZ as it comes and goes, adapters as they appear, vanish and are switched
 * on and off, and scans whenever it can: the "state" property says how it stands. The list
 * is empty in every state but TH_BLE_STATE_SCANNING. Everything runs on the thread-default
 * main context of the caller of start. */
ThBleBrowser *th_ble_browser_new            (void);
void          th_ble_browser_start          (ThBleBrowser         *self);
/* Stops scanning and empties the list. */
void          th_ble_browser_stop           (ThBleBrowser         *self);
ThBleState    th_ble_browser_get_state      (ThBleBrowser         *self);
/* Why the state is UNAVAILABLE, NO_ADAPTER, POWERED_OFF, ACCESS_DENIED or FAILED (with the
 * TH_ERROR_BLE_* code of the same name), else NULL. The message says what to do. */
const GError *th_ble_browser_get_error      (ThBleBrowser         *self);
/* A translated sentence for the state, whatever it is, to show as is. */
const char   *th_ble_browser_get_message    (ThBleBrowser         *self);
/* Switches the adapter on, as a user may ask when the state is POWERED_OFF; scanning then
 * starts by itself. Fails with TH_ERROR_BLE_NO_ADAPTER, TH_ERROR_BLE_ACCESS_DENIED or
 * TH_ERROR_BLE_POWERED_OFF (it stayed off, as when blocked by a radio switch). */
void          th_ble_browser_power_on_async (ThBleBrowser         *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean      th_ble_browser_power_on_finish (ThBleBrowser        *self,
                                              GAsyncResult        *result,
                                              GError             **error);

G_END_DECLS
