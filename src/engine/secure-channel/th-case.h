/* th-case.h: establishing a CASE session with a node through the exchange manager
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "messaging/th-exchange-manager.h"
#include "th-case-identity.h"

G_BEGIN_DECLS

/* How long a node may take to act on each CASE message before it answers, beyond the time its
 * answer may spend in retransmissions: verifying certificates and signing is slow on small
 * devices, and the SDKs allow 30 s. */
#define TH_CASE_PROCESSING_TIME_MS 30000

/* Runs CASE as the initiator with node `peer_node_id` of our fabric at `peer_address` (NULL
 * on a point-to-point transport): Sigma1, Sigma2, Sigma3 and the node's final status report,
 * on an unsecured session of its own that is closed once the handshake is over (after the
 * node has acknowledged our last message, when that is a status report telling it why we
 * gave up). `peer_mrp_parameters` (may be NULL) are the node's SII, SAI and SAT from its
 * operational DNS-SD record, to pace retransmissions of Sigma1; what the node announces in
 * Sigma2 takes over. The new secure session announces the manager's local MRP parameters.
 *
 * Fails with TH_ERROR_CASE_NO_SHARED_ROOT when the node does not know our fabric (it was
 * reset or removed), TH_ERROR_CASE_WRONG_FABRIC when its credentials do not lead to our root
 * and fabric, TH_ERROR_CASE_WRONG_NODE when another node answers at that address,
 * TH_ERROR_CASE_BAD_SIGNATURE when it does not hold its certificate's key,
 * TH_ERROR_CASE_PROTOCOL when its messages are wrong, TH_ERROR_CERTIFICATE_EXPIRED or
 * _NOT_YET_VALID, TH_ERROR_BUSY when it is busy (saying how long to wait),
 * TH_ERROR_STATUS_REPORT when it refuses for another reason, TH_ERROR_TIMED_OUT naming the
 * step when it stops answering, and G_IO_ERROR_CANCELLED. */
void       th_case_establish_async  (ThExchangeManager      *manager,
                                     GSocketAddress         *peer_address,
                                     const ThMrpParameters  *peer_mrp_parameters,
                                     ThCaseIdentity         *identity,
                                     guint64                 peer_node_id,
                                     GCancellable           *cancellable,
                                     GAsyncReadyCallback     callback,
                                     gpointer                user_data);
/* The secure CASE session, added to the manager, with the local and peer node ids set. */
ThSession *th_case_establish_finish (ThExchangeManager      *manager,
                                     GAsyncResult           *result,
                                     GError                **error);

G_END_DECLS
