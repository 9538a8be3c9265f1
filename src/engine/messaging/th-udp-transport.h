/* th-udp-transport.h: Matter messages over UDP, IPv6 and IPv4
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "th-transport.h"

G_BEGIN_DECLS

/* The port Matter nodes listen on. */
#define TH_MATTER_UDP_PORT 5540

#define TH_TYPE_UDP_TRANSPORT (th_udp_transport_get_type ())

G_DECLARE_FINAL_TYPE (ThUdpTransport, th_udp_transport, TH, UDP_TRANSPORT, GObject)

/* Binds `address` and `port` (0: a free port). A NULL address binds the IPv6 and the IPv4
 * wildcard addresses, on one port where it can, and makes do with a single family when
 * the host lacks the other. Datagrams are read on the thread-default main context. */
ThUdpTransport *th_udp_transport_new      (GInetAddress   *address,
                                           guint16         port,
                                           GError        **error);
/* The bound port of the family's socket, 0 when there is none. */
guint16         th_udp_transport_get_port (ThUdpTransport *self,
                                           GSocketFamily   family);

/* Parses a numeric IPv6 or IPv4 address with an optional port and, for IPv6, a network
 * interface: "fe80::1%eth0", "[fe80::1%eth0]:5540", "::1", "192.168.1.20:5540". A
 * link-local IPv6 address must name its interface. Fails with TH_ERROR_ADDRESS. */
GSocketAddress *th_udp_address_parse      (const char     *text,
                                           guint16         default_port,
                                           GError        **error);

G_END_DECLS
