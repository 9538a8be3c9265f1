/* th-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "commissioning/th-commissioner.h"
#include "dcl/th-dcl-client.h"
#include "storage/th-store.h"

G_BEGIN_DECLS

#define TH_TYPE_APPLICATION (th_application_get_type ())

G_DECLARE_FINAL_TYPE (ThApplication, th_application, TH, APPLICATION, AdwApplication)

ThApplication *th_application_new             (void);

/* What every window shares, made on first use: the home's store ($XDG_DATA_HOME/threshold)
 * and the compliance ledger client (from the settings). */
ThStore       *th_application_get_store       (ThApplication *self);
ThDclClient   *th_application_get_dcl_client  (ThApplication *self);

/* A commissioner for the home, trusting what Threshold keeps (th_trust_load_defaults_full: the
 * synced and the development roots, the kept revocation set); files of the trust store that
 * cannot be used are logged and left out. */
ThCommissioner *th_application_new_commissioner (ThApplication  *self,
                                                 GError        **error);

/* The home's nodes changed: ThApplication::nodes-changed is emitted, at once. It is also
 * emitted shortly after another process (threshold-cli) changed the store's nodes. */
void           th_application_notify_nodes_changed (ThApplication *self);

G_END_DECLS
