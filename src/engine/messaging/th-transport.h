/* th-transport.h: what the message layer needs of a transport (UDP, BTP over BLE)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TH_TYPE_TRANSPORT (th_transport_get_type ())

G_DECLARE_INTERFACE (ThTransport, th_transport, TH, TRANSPORT, GObject)

/* A transport carries whole Matter messages to and from peers. It emits ::received, on the
 * main context it was created in, for every message that arrives.
 *
 * `peer` is the peer's socket address on UDP; a point-to-point transport such as BTP has a
 * single peer and passes NULL. */
struct _ThTransportInterface
{
  GTypeInterface parent_iface;

  gboolean (*send)        (ThTransport    *self,
                           GSocketAddress *peer,
                           GBytes         *message,
                           GError        **error);
  void     (*close)       (ThTransport    *self);
  /* TRUE when the transport itself delivers in order and retransmits (BTP): the message
   * layer then leaves out its own acknowledgements and retransmissions. */
  gboolean (*is_reliable) (ThTransport    *self);
};

gboolean th_transport_send          (ThTransport    *self,
                                     GSocketAddress *peer,
                                     GBytes         *message,
                                     GError        **error);
void     th_transport_close         (ThTransport    *self);
gboolean th_transport_is_reliable   (ThTransport    *self);

/* For implementations: emits ::received. */
void     th_transport_emit_received (ThTransport    *self,
                                     GBytes         *message,
                                     GSocketAddress *peer);

/* Equal family, address, port and IPv6 scope; two NULLs are equal. */
gboolean th_socket_address_equal    (GSocketAddress *a,
                                     GSocketAddress *b);
/* "[fe80::1%eth0]:5540", "192.168.1.2:5540", or "(point-to-point)" for NULL. */
char    *th_socket_address_to_string (GSocketAddress *address);

G_END_DECLS
