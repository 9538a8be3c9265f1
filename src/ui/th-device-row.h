/* th-device-row.h: one device of the home in the My Devices list, with its on/off switch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "storage/th-store.h"

G_BEGIN_DECLS

#define TH_TYPE_DEVICE_ROW (th_device_row_get_type ())

G_DECLARE_FINAL_TYPE (ThDeviceRow, th_device_row, TH, DEVICE_ROW, AdwActionRow)

/* How a node is called: its NodeLabel, else its product name, else "Device <node id>". */
char         *th_node_display_name        (const ThStoredNode *node);

/* A row for `node` (copied). A node with an On/Off cluster gets a switch whose state is read
 * over CASE in the background; until the node answers the switch cannot be used, and a node
 * that does not answer is shown as not reachable. `store` must outlive the row. */
GtkWidget    *th_device_row_new           (ThStore            *store,
                                           const ThStoredNode *node);
const ThStoredNode *th_device_row_get_node (ThDeviceRow       *self);

G_END_DECLS
