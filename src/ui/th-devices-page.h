/* th-devices-page.h: My Devices, the home's nodes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TH_TYPE_DEVICES_PAGE (th_devices_page_get_type ())

G_DECLARE_FINAL_TYPE (ThDevicesPage, th_devices_page, TH, DEVICES_PAGE, AdwBin)

/* The page lists the nodes of the application's store once it is shown, and again whenever
 * ThApplication::nodes-changed is emitted. */

G_END_DECLS
