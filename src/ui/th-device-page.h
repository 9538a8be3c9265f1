/* th-device-page.h: what a device is, how to put it in pairing mode, its manufacturer's setup
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "dcl/th-dcl-client.h"
#include "discovery/th-ble-device.h"
#include "discovery/th-discovered-device.h"
#include "onboarding/th-setup-payload.h"

G_BEGIN_DECLS

#define TH_TYPE_DEVICE_PAGE (th_device_page_get_type ())

G_DECLARE_FINAL_TYPE (ThDevicePage, th_device_page, TH, DEVICE_PAGE, AdwBin)

/* A page for the device of `payload` (a code the person gave, valid), or of a device found
 * nearby (`device` over the network, `ble_device` over Bluetooth) whose code is asked for on
 * the page. At least one of them is given. What the device is comes from the compliance
 * ledger through `client`. "Add Device" calls th_window_commission() on the page's window. */
GtkWidget *th_device_page_new       (ThDclClient          *client,
                                     const ThSetupPayload *payload,
                                     ThDiscoveredDevice   *device,
                                     ThBleDevice          *ble_device);
/* Whether the page waits for its manufacturer's setup to send the person back. */
gboolean   th_device_page_is_waiting (ThDevicePage        *self);
/* A threshold:// link for the manufacturer's setup the page waits for. FALSE with the reason
 * when it is refused (the page also emits it as a toast). */
gboolean   th_device_page_open_uri  (ThDevicePage         *self,
                                     const char           *uri,
                                     GError              **error);

G_END_DECLS
