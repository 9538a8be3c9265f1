/* th-discovered-device.h: a Matter node found with DNS-SD
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "discovery/th-dnssd-txt.h"

G_BEGIN_DECLS

/* The three Matter DNS-SD services. */
typedef enum
{
  TH_DNSSD_SERVICE_COMMISSIONABLE,  /* _matterc._udp: a node that can be commissioned */
  TH_DNSSD_SERVICE_COMMISSIONER,    /* _matterd._udp: a commissioner a node may ask (UDC) */
  TH_DNSSD_SERVICE_OPERATIONAL,     /* _matter._tcp: a commissioned node, on one fabric */
} ThDnssdServiceKind;

#define TH_TYPE_DNSSD_SERVICE_KIND (th_dnssd_service_kind_get_type ())
GType       th_dnssd_service_kind_get_type         (void) G_GNUC_CONST;
/* "_matterc._udp", "_matterd._udp", "_matter._tcp" */
const char *th_dnssd_service_kind_get_service_type (ThDnssdServiceKind kind);
/* "commissionable", "commissioner", "operational" */
const char *th_dnssd_service_kind_to_string        (ThDnssdServiceKind kind);

#define TH_TYPE_DISCOVERED_DEVICE (th_discovered_device_get_type ())

G_DECLARE_FINAL_TYPE (ThDiscoveredDevice, th_discovered_device, TH, DISCOVERED_DEVICE, GObject)

/* A service instance as last resolved, merged over every interface and IP version it was
 * seen on. The object is updated in place while it is being browsed: connect to notify. */
const char         *th_discovered_device_get_instance_name   (ThDiscoveredDevice *self);
ThDnssdServiceKind  th_discovered_device_get_kind            (ThDiscoveredDevice *self);
const char         *th_discovered_device_get_hostname        (ThDiscoveredDevice *self);
guint16             th_discovered_device_get_port            (ThDiscoveredDevice *self);
/* GInetSocketAddress, best first: routable IPv6, link-local IPv6 (with the interface as its
 * scope id), IPv4. Never empty. */
GPtrArray          *th_discovered_device_get_addresses       (ThDiscoveredDevice *self);
/* The interface it was last resolved on. */
int                 th_discovered_device_get_interface_index (ThDiscoveredDevice *self);
ThDnssdTxt         *th_discovered_device_get_txt             (ThDiscoveredDevice *self);
GDateTime          *th_discovered_device_get_first_seen      (ThDiscoveredDevice *self);
GDateTime          *th_discovered_device_get_last_seen       (ThDiscoveredDevice *self);

G_END_DECLS
