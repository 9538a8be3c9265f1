/* th-network-dialog.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "commissioning/th-network-credentials.h"

G_BEGIN_DECLS

/* The response ids: "cancel" is the default and what closing the dialog answers; "connect"
 * is enabled while the fields hold usable credentials. */
#define TH_NETWORK_DIALOG_CANCEL  "cancel"
#define TH_NETWORK_DIALOG_CONNECT "connect"

#define TH_TYPE_NETWORK_DIALOG (th_network_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ThNetworkDialog, th_network_dialog, TH, NETWORK_DIALOG, AdwMessageDialog)

/* Asks for the network the device of `request` joins: the networks it saw to choose from,
 * and a Wi-Fi name and password (or the current Wi-Fi network, asked of NetworkManager once
 * the person clicks for it) or a Thread dataset in hex, whichever the device can join; why
 * the last ones failed, if they did. Transient for `parent`; the caller presents it. */
ThNetworkDialog      *th_network_dialog_new             (GtkWindow        *parent,
                                                         ThNetworkRequest *request);
/* What the fields give now, or NULL when they give nothing usable (then "connect" is
 * disabled). */
ThNetworkCredentials *th_network_dialog_get_credentials (ThNetworkDialog  *self);

G_END_DECLS
