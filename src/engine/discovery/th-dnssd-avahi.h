/* th-dnssd-avahi.h: what the browser and the resolver share in their use of Avahi
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <avahi-client/lookup.h>
#include <gio/gio.h>

#include "discovery/th-dnssd-txt.h"

G_BEGIN_DECLS

/* NULL for an address family GIO does not know. */
GInetAddress *th_dnssd_inet_address_from_avahi (const AvahiAddress *address);
/* The TXT record Avahi resolved, parsed; an empty record if Avahi gave none. */
ThDnssdTxt   *th_dnssd_txt_from_avahi          (AvahiStringList    *list);
/* Appends each GInetAddress of `addresses` to `out` as a GInetSocketAddress with `port`,
 * scoped to `interface` if it is link-local, unless `out` has it already. */
void          th_dnssd_add_socket_addresses    (GPtrArray          *out,
                                                GPtrArray          *addresses,
                                                guint16             port,
                                                AvahiIfIndex        interface);

/* Every A and AAAA record of a host name on one interface and protocol, kept up to date:
 * the resolver reports one address only. */
typedef struct _ThDnssdHostAddresses ThDnssdHostAddresses;

typedef void (*ThDnssdHostAddressesChanged) (gpointer user_data);

ThDnssdHostAddresses *th_dnssd_host_addresses_new         (AvahiClient                 *client,
                                                           AvahiIfIndex                 interface,
                                                           AvahiProtocol                protocol,
                                                           const char                  *host,
                                                           ThDnssdHostAddressesChanged  changed,
                                                           gpointer                     user_data);
void                  th_dnssd_host_addresses_free        (ThDnssdHostAddresses        *self);
/* GInetAddress, in the order they came. */
GPtrArray            *th_dnssd_host_addresses_get         (ThDnssdHostAddresses        *self);
/* Whether both record types have been read from Avahi's cache. */
gboolean              th_dnssd_host_addresses_has_cached  (ThDnssdHostAddresses        *self);

G_END_DECLS
