/* th-operational-session.h: a CASE session with a node of the home, wherever it is
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "messaging/th-exchange-manager.h"
#include "secure-channel/th-case-identity.h"

G_BEGIN_DECLS

/* Opens a CASE session with node `node_id` of the identity's fabric. With an `address` (and
 * the node's MRP parameters when known, else NULL), CASE goes there first; only if nothing
 * answers there (the node moved, or the address was a guess) is the node's operational
 * DNS-SD record resolved, within `resolve_timeout_ms`, and CASE tried at the address it
 * gives. Without an address, DNS-SD comes first. A node that answers and refuses (another
 * fabric, a bad certificate, busy) is not looked for elsewhere.
 *
 * Fails as th_case_establish_async() does; when DNS-SD fails after an address did not answer,
 * with the DNS-SD error, its message saying both. */
void       th_operational_session_open_async  (ThExchangeManager      *manager,
                                               ThCaseIdentity         *identity,
                                               guint64                 node_id,
                                               GSocketAddress         *address,
                                               const ThMrpParameters  *peer_mrp_parameters,
                                               guint                   resolve_timeout_ms,
                                               GCancellable           *cancellable,
                                               GAsyncReadyCallback     callback,
                                               gpointer                user_data);
ThSession *th_operational_session_open_finish (ThExchangeManager      *manager,
                                               GAsyncResult           *result,
                                               GError                **error);

/* The compressed fabric id of the identity's fabric as one number, as DNS-SD names use it. */
guint64    th_case_identity_get_compressed_fabric_id_value (ThCaseIdentity *identity);

G_END_DECLS
