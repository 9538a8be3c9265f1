/* th-current-wifi.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The SSID of the Wi-Fi network this computer uses, asked of NetworkManager on the system bus
 * (its primary connection, that connection's access point, the access point's SSID). Only
 * when the person asked for it: it says where they are. TH_ERROR_NO_CURRENT_WIFI when there
 * is no such network or NetworkManager cannot say, with a message for the person. */
void    th_current_wifi_ssid_async  (GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
GBytes *th_current_wifi_ssid_finish (GAsyncResult         *result,
                                     GError              **error);

G_END_DECLS
