/* th-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "discovery/th-ble-device.h"
#include "discovery/th-discovered-device.h"
#include "onboarding/th-setup-payload.h"
#include "th-application.h"

G_BEGIN_DECLS

#define TH_TYPE_WINDOW (th_window_get_type ())

G_DECLARE_FINAL_TYPE (ThWindow, th_window, TH, WINDOW, AdwApplicationWindow)

ThWindow *th_window_new            (ThApplication *application);
void      th_window_add_toast      (ThWindow      *self,
                                    AdwToast      *toast);

/* Navigation: the root (the views Add Device, Nearby, My Devices) and the pages pushed on it,
 * each with its own header bar and a back button. A page popped is dropped once it has slid
 * away. */
void      th_window_push_page      (ThWindow      *self,
                                    GtkWidget     *page);
void      th_window_pop_page       (ThWindow      *self);
void      th_window_pop_to_root    (ThWindow      *self);
/* The top page, or NULL at the root. */
GtkWidget *th_window_get_top_page  (ThWindow      *self);
/* "add", "nearby" or "devices": shows that view at the root. */
void      th_window_show_view      (ThWindow      *self,
                                    const char    *name);

/* A URI handed to the application (GApplication::open): a threshold:// custom-flow callback.
 * FALSE when no flow here was waiting for it; a toast says why. */
gboolean  th_window_open_uri       (ThWindow      *self,
                                    const char    *uri);

/* The flow of adding devices, in th-window-flow.c.
 *
 * The payloads of a code the person gave (a GPtrArray of ThSetupPayload, each valid): one
 * device is shown first (th_window_show_device), several are added in turn. */
void      th_window_add_devices    (ThWindow             *self,
                                    GPtrArray            *payloads);
/* What the device is, how to put it in pairing mode, its custom flow; then adding it.
 * `payload` or `device` may be NULL (a device found nearby whose code is still to come). */
void      th_window_show_device    (ThWindow             *self,
                                    const ThSetupPayload *payload,
                                    ThDiscoveredDevice   *device);
/* The same for a device found nearby, over the network (`device`), Bluetooth (`ble_device`)
 * or both; its code is asked for on its page. */
void      th_window_show_nearby_device (ThWindow         *self,
                                    ThDiscoveredDevice   *device,
                                    ThBleDevice          *ble_device);
/* Commissions the devices of `payloads` in turn, with progress; `address`, when given, is
 * where the one device is (found nearby), else each is found by its discriminator. */
void      th_window_commission     (ThWindow             *self,
                                    GPtrArray            *payloads,
                                    GSocketAddress       *address);

G_END_DECLS
