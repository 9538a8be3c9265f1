/* th-nearby-page.h: the Matter devices in pairing mode nearby, over the network and Bluetooth
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TH_TYPE_NEARBY_PAGE (th_nearby_page_get_type ())

G_DECLARE_FINAL_TYPE (ThNearbyPage, th_nearby_page, TH, NEARBY_PAGE, AdwBin)

/* The page looks only while it is shown: from map to unmap. Choosing a device shows its page
 * (th_window_show_nearby_device()). */

G_END_DECLS
