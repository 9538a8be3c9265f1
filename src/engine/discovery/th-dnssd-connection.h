/* th-dnssd-connection.h: the one connection to the Avahi daemon, kept up across restarts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <avahi-client/client.h>
#include <glib-object.h>

G_BEGIN_DECLS

#define TH_TYPE_DNSSD_CONNECTION (th_dnssd_connection_get_type ())

G_DECLARE_FINAL_TYPE (ThDnssdConnection, th_dnssd_connection, TH, DNSSD_CONNECTION, GObject)

/* The connection of the thread-default main context, shared while anyone holds it. It
 * connects at once, so a caller sees straight away whether Avahi is there. */
ThDnssdConnection *th_dnssd_connection_dup_default (void);
/* The client while Avahi runs, else NULL. When :running turns FALSE, free every browser and
 * resolver made with the client in the notify handler: the client goes right after. */
AvahiClient       *th_dnssd_connection_get_client  (ThDnssdConnection *self);
gboolean           th_dnssd_connection_get_running (ThDnssdConnection *self);
/* Why it is not running (TH_ERROR_DNSSD_UNAVAILABLE or _FAILED); NULL while it is. */
const GError      *th_dnssd_connection_get_error   (ThDnssdConnection *self);

G_END_DECLS
