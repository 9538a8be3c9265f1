/* th-dnssd-resolver.h: one named service instance, resolved once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "discovery/th-discovered-device.h"

G_BEGIN_DECLS

#define TH_TYPE_DNSSD_RESOLVER (th_dnssd_resolver_get_type ())

G_DECLARE_FINAL_TYPE (ThDnssdResolver, th_dnssd_resolver, TH, DNSSD_RESOLVER, GObject)

/* For an instance whose name is known without browsing: an operational node
 * (th_dnssd_operational_instance_name()), or the commissionable instance a node names in a
 * User Directed Commissioning request. */
ThDnssdResolver    *th_dnssd_resolver_new            (ThDnssdServiceKind   kind,
                                                      const char          *instance_name);
/* Resolves on whichever interface answers first, then reads the host's addresses on that
 * interface. Fails with TH_ERROR_DNSSD_UNAVAILABLE at once when Avahi is not there,
 * TH_ERROR_DNSSD_NOT_FOUND when nothing answers within `timeout_ms`, or G_IO_ERROR_CANCELLED.
 * One resolution at a time. */
void                th_dnssd_resolver_resolve_async  (ThDnssdResolver      *self,
                                                      guint                 timeout_ms,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
ThDiscoveredDevice *th_dnssd_resolver_resolve_finish (ThDnssdResolver      *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

G_END_DECLS
