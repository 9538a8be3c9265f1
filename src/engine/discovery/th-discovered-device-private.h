/* th-discovered-device-private.h: for the browser and the resolver that make devices
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "discovery/th-discovered-device.h"

G_BEGIN_DECLS

ThDiscoveredDevice *th_discovered_device_new    (ThDnssdServiceKind  kind,
                                                 const char         *instance_name);
/* Takes what a resolution found; `addresses` are GInetSocketAddress in any order. Returns
 * whether anything but the last-seen time changed. */
gboolean            th_discovered_device_update (ThDiscoveredDevice *self,
                                                 const char         *hostname,
                                                 guint16             port,
                                                 int                 interface_index,
                                                 GPtrArray          *addresses,
                                                 ThDnssdTxt         *txt);

G_END_DECLS
