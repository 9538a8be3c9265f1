/* th-dnssd-browser.h: the Matter nodes on the network, as a list model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "discovery/th-discovered-device.h"

G_BEGIN_DECLS

typedef enum
{
  TH_DNSSD_STATE_STOPPED,       /* not started, or stopped */
  TH_DNSSD_STATE_BROWSING,      /* Avahi runs and the browser is looking */
  TH_DNSSD_STATE_UNAVAILABLE,   /* Avahi is absent or failed: see the error; browsing starts
                                 * again by itself when it returns */
} ThDnssdState;

/* The subtypes a commissionable node advertises, to browse for one kind of node only. */
typedef enum
{
  TH_DNSSD_SUBTYPE_LONG_DISCRIMINATOR,   /* _L<0..4095> */
  TH_DNSSD_SUBTYPE_SHORT_DISCRIMINATOR,  /* _S<0..15>: the upper 4 bits of the long one */
  TH_DNSSD_SUBTYPE_VENDOR,               /* _V<vendor id> */
  TH_DNSSD_SUBTYPE_DEVICE_TYPE,          /* _T<device type> */
  TH_DNSSD_SUBTYPE_COMMISSIONING_MODE,   /* _CM: open for commissioning; the value is unused */
  TH_DNSSD_SUBTYPE_COMPRESSED_FABRIC,    /* _I<16 hex digits>, of operational nodes */
} ThDnssdSubtype;

#define TH_TYPE_DNSSD_STATE (th_dnssd_state_get_type ())
GType th_dnssd_state_get_type (void) G_GNUC_CONST;

/* "_L3840", "_CM", "_I2906C908D115D362"... */
char *th_dnssd_subtype_name (ThDnssdSubtype subtype,
                             guint64        value);

#define TH_TYPE_DNSSD_BROWSER (th_dnssd_browser_get_type ())

G_DECLARE_FINAL_TYPE (ThDnssdBrowser, th_dnssd_browser, TH, DNSSD_BROWSER, GObject)

/* A GListModel of ThDiscoveredDevice: one item per service instance, however many interfaces
 * and IP versions it answers on, added once resolved, changed in place (items-changed with
 * one removed and one added at the same position) when its TXT record, addresses or port
 * change, and removed when it goes away. `subtype` (from th_dnssd_subtype_name()) or NULL for
 * every instance of the service. */
ThDnssdBrowser *th_dnssd_browser_new         (ThDnssdServiceKind  kind,
                                              const char         *subtype);
/* Starts browsing. If Avahi is not there, returns FALSE with TH_ERROR_DNSSD_UNAVAILABLE, and
 * the browser waits for it in the UNAVAILABLE state. */
gboolean        th_dnssd_browser_start       (ThDnssdBrowser     *self,
                                              GError            **error);
/* Stops and empties the list. */
void            th_dnssd_browser_stop        (ThDnssdBrowser     *self);
ThDnssdState    th_dnssd_browser_get_state   (ThDnssdBrowser     *self);
/* Why the state is UNAVAILABLE, else NULL. */
const GError   *th_dnssd_browser_get_error   (ThDnssdBrowser     *self);
/* TRUE once Avahi has said that more answers are unlikely soon, and every instance seen so
 * far has been resolved or has failed to: a one-off listing may end there. */
gboolean        th_dnssd_browser_get_settled (ThDnssdBrowser     *self);

G_END_DECLS
