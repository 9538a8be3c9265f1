/* th-dnssd.h: the DNS-SD lookups a commissioner makes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "discovery/th-discovered-device.h"

G_BEGIN_DECLS

/* "<compressed fabric id>-<node id>", each as 16 upper-case hex digits. */
char               *th_dnssd_operational_instance_name (guint64               compressed_fabric_id,
                                                        guint64               node_id);

/* Finds the first commissionable node open for commissioning whose discriminator matches:
 * the 12-bit long one, or with `is_short` the 4-bit short one, which is its upper 4 bits. It
 * browses the node's discriminator subtype, so other nodes do not even answer. Fails with
 * TH_ERROR_DNSSD_UNAVAILABLE at once when Avahi is not there; after `timeout_ms` with
 * TH_ERROR_DNSSD_NOT_IN_COMMISSIONING_MODE when only nodes that are not open answered, else
 * with TH_ERROR_DNSSD_NOT_FOUND; or with G_IO_ERROR_CANCELLED. */
void                th_dnssd_find_commissionable_async  (guint16               discriminator,
                                                         gboolean              is_short,
                                                         guint                 timeout_ms,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
ThDiscoveredDevice *th_dnssd_find_commissionable_finish (GAsyncResult         *result,
                                                         GError              **error);

/* Resolves a commissioned node's operational instance: its addresses, port, and its session
 * parameters in the TXT record (SII, SAI, SAT, T). Fails as th_dnssd_resolver_resolve_async()
 * does. */
void                th_dnssd_resolve_operational_async  (guint64               compressed_fabric_id,
                                                         guint64               node_id,
                                                         guint                 timeout_ms,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
ThDiscoveredDevice *th_dnssd_resolve_operational_finish (GAsyncResult         *result,
                                                         GError              **error);

G_END_DECLS
