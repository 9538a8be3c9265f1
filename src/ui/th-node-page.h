/* th-node-page.h: one device of the home: identify, rename, share, remove
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "storage/th-store.h"

G_BEGIN_DECLS

#define TH_TYPE_NODE_PAGE (th_node_page_get_type ())

G_DECLARE_FINAL_TYPE (ThNodePage, th_node_page, TH, NODE_PAGE, AdwBin)

/* A page for `node` (copied) of the home in `store`, which must outlive it. It opens a
 * session with the node when an action first needs one. */
GtkWidget *th_node_page_new (ThStore            *store,
                             const ThStoredNode *node);

G_END_DECLS
