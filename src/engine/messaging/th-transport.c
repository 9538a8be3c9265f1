/* th-transport.c: what the message layer needs of a transport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <net/if.h>

#include "th-transport.h"

enum {
  RECEIVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_INTERFACE (ThTransport, th_transport, G_TYPE_OBJECT)

static void
th_transport_default_init (ThTransportInterface *iface)
{
  /**
   * ThTransport::received:
   * @message: the message's bytes
   * @peer: (nullable): who sent it; NULL on a point-to-point transport
   */
  signals[RECEIVED] = g_signal_new ("received",
                                    G_TYPE_FROM_INTERFACE (iface),
                                    G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 2, G_TYPE_BYTES, G_TYPE_SOCKET_ADDRESS);
}

gboolean
th_transport_send (ThTransport     *self,
                   GSocketAddress  *peer,
                   GBytes          *message,
                   GError         **error)
{
  g_return_val_if_fail (TH_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (peer == NULL || G_IS_SOCKET_ADDRESS (peer), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  return TH_TRANSPORT_GET_IFACE (self)->send (self, peer, message, error);
}

void
th_transport_close (ThTransport *self)
{
  g_return_if_fail (TH_IS_TRANSPORT (self));

  TH_TRANSPORT_GET_IFACE (self)->close (self);
}

gboolean
th_transport_is_reliable (ThTransport *self)
{
  g_return_val_if_fail (TH_IS_TRANSPORT (self), FALSE);

  return TH_TRANSPORT_GET_IFACE (self)->is_reliable (self);
}

void
th_transport_emit_received (ThTransport    *self,
                            GBytes         *message,
                            GSocketAddress *peer)
{
  g_return_if_fail (TH_IS_TRANSPORT (self));

  g_signal_emit (self, signals[RECEIVED], 0, message, peer);
}

gboolean
th_socket_address_equal (GSocketAddress *a,
                         GSocketAddress *b)
{
  GInetSocketAddress *ia;
  GInetSocketAddress *ib;

  if (a == NULL || b == NULL)
    return a == b;
  if (!G_IS_INET_SOCKET_ADDRESS (a) || !G_IS_INET_SOCKET_ADDRESS (b))
    return a == b;

  ia = G_INET_SOCKET_ADDRESS (a);
  ib = G_INET_SOCKET_ADDRESS (b);
  if (g_inet_socket_address_get_port (ia) != g_inet_socket_address_get_port (ib) ||
      !g_inet_address_equal (g_inet_socket_address_get_address (ia),
                             g_inet_socket_address_get_address (ib)))
    return FALSE;
  return g_socket_address_get_family (a) != G_SOCKET_FAMILY_IPV6 ||
         g_inet_socket_address_get_scope_id (ia) == g_inet_socket_address_get_scope_id (ib);
}

char *
th_socket_address_to_string (GSocketAddress *address)
{
  GInetSocketAddress *inet;
  g_autofree char *host = NULL;
  guint16 port;

  if (address == NULL)
    return g_strdup ("(point-to-point)");
  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup (G_OBJECT_TYPE_NAME (address));

  inet = G_INET_SOCKET_ADDRESS (address);
  host = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
  port = g_inet_socket_address_get_port (inet);
  if (g_socket_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    {
      guint32 scope_id = g_inet_socket_address_get_scope_id (inet);
      char name[IF_NAMESIZE];

      if (scope_id == 0)
        return g_strdup_printf ("[%s]:%u", host, port);
      if (if_indextoname (scope_id, name) != NULL)
        return g_strdup_printf ("[%s%%%s]:%u", host, name, port);
      return g_strdup_printf ("[%s%%%u]:%u", host, scope_id, port);
    }
  return g_strdup_printf ("%s:%u", host, port);
}
