/* th-udp-transport.c: Matter messages over UDP, IPv6 and IPv4
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#include "th-error.h"
#include "th-udp-transport.h"

/* Larger than any UDP datagram, so nothing is ever cut short. */
#define RECEIVE_BUFFER_SIZE 65536

typedef struct
{
  GSocket *socket;
  GSource *source;
} Endpoint;

struct _ThUdpTransport
{
  GObject parent_instance;

  Endpoint ipv6;
  Endpoint ipv4;
  guint8 *buffer;
};

static void th_udp_transport_iface_init (ThTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ThUdpTransport, th_udp_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TH_TYPE_TRANSPORT,
                                                      th_udp_transport_iface_init))

static void
endpoint_close (Endpoint *endpoint)
{
  if (endpoint->source != NULL)
    {
      g_source_destroy (endpoint->source);
      g_clear_pointer (&endpoint->source, g_source_unref);
    }
  if (endpoint->socket != NULL)
    {
      g_socket_close (endpoint->socket, NULL);
      g_clear_object (&endpoint->socket);
    }
}

static gboolean
on_readable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  ThUdpTransport *self = TH_UDP_TRANSPORT (user_data);

  g_object_ref (self);
  /* A handler may close the transport: check the socket on every turn. */
  while (self->buffer != NULL && !g_socket_is_closed (socket))
    {
      g_autoptr(GSocketAddress) from = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) message = NULL;
      gssize n;

      n = g_socket_receive_from (socket, &from, (char *) self->buffer, RECEIVE_BUFFER_SIZE,
                                 NULL, &error);
      if (n < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("Receiving a UDP datagram failed: %s", error->message);
          break;
        }
      message = g_bytes_new (self->buffer, (gsize) n);
      th_transport_emit_received (TH_TRANSPORT (self), message, from);
    }
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
endpoint_open (ThUdpTransport  *self,
               Endpoint        *endpoint,
               GInetAddress    *address,
               guint16          port,
               GError         **error)
{
  GSocketFamily family = g_inet_address_get_family (address);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) bind_address = g_inet_socket_address_new (address, port);
  g_autoptr(GError) local_error = NULL;

  socket = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &local_error);
  /* Each family has its own socket, so IPv4 never shows up as mapped IPv6 addresses. */
  if (socket == NULL ||
      (family == G_SOCKET_FAMILY_IPV6 &&
       !g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, 1, &local_error)) ||
      !g_socket_bind (socket, bind_address, FALSE, &local_error))
    {
      g_autofree char *where = th_socket_address_to_string (bind_address);

      g_set_error (error, TH_ERROR, TH_ERROR_TRANSPORT,
                   _("Could not open a UDP socket on %s: %s"), where, local_error->message);
      return FALSE;
    }
  g_socket_set_blocking (socket, FALSE);

  endpoint->socket = g_steal_pointer (&socket);
  endpoint->source = g_socket_create_source (endpoint->socket, G_IO_IN, NULL);
  g_source_set_static_name (endpoint->source, "[threshold] UDP transport");
  g_source_set_callback (endpoint->source, G_SOURCE_FUNC (on_readable), self, NULL);
  g_source_attach (endpoint->source, g_main_context_get_thread_default ());
  return TRUE;
}

static guint16
endpoint_get_port (Endpoint *endpoint)
{
  g_autoptr(GSocketAddress) local = NULL;

  if (endpoint->socket == NULL)
    return 0;
  local = g_socket_get_local_address (endpoint->socket, NULL);
  if (local == NULL)
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
}

ThUdpTransport *
th_udp_transport_new (GInetAddress  *address,
                      guint16        port,
                      GError       **error)
{
  g_autoptr(ThUdpTransport) self = g_object_new (TH_TYPE_UDP_TRANSPORT, NULL);
  g_autoptr(GInetAddress) any6 = NULL;
  g_autoptr(GInetAddress) any4 = NULL;
  g_autoptr(GError) error6 = NULL;
  g_autoptr(GError) error4 = NULL;
  guint16 port4;

  g_return_val_if_fail (address == NULL || G_IS_INET_ADDRESS (address), NULL);

  if (address != NULL)
    {
      Endpoint *endpoint = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6
                           ? &self->ipv6 : &self->ipv4;

      if (!endpoint_open (self, endpoint, address, port, error))
        return NULL;
      return g_steal_pointer (&self);
    }

  any6 = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
  any4 = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  endpoint_open (self, &self->ipv6, any6, port, &error6);
  /* With a free port, prefer the one IPv6 got so that peers see one port either way. */
  port4 = port == 0 ? endpoint_get_port (&self->ipv6) : port;
  if (!endpoint_open (self, &self->ipv4, any4, port4, &error4) && port == 0 && port4 != 0)
    {
      g_clear_error (&error4);
      endpoint_open (self, &self->ipv4, any4, 0, &error4);
    }

  if (self->ipv6.socket == NULL && self->ipv4.socket == NULL)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TRANSPORT, "%s; %s",
                   error6->message, error4->message);
      return NULL;
    }
  if (error6 != NULL)
    g_debug ("UDP transport without IPv6: %s", error6->message);
  if (error4 != NULL)
    g_debug ("UDP transport without IPv4: %s", error4->message);
  return g_steal_pointer (&self);
}

guint16
th_udp_transport_get_port (ThUdpTransport *self,
                           GSocketFamily   family)
{
  g_return_val_if_fail (TH_IS_UDP_TRANSPORT (self), 0);

  return endpoint_get_port (family == G_SOCKET_FAMILY_IPV6 ? &self->ipv6 : &self->ipv4);
}

static gboolean
th_udp_transport_send (ThTransport     *transport,
                       GSocketAddress  *peer,
                       GBytes          *message,
                       GError         **error)
{
  ThUdpTransport *self = TH_UDP_TRANSPORT (transport);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *where = NULL;
  GSocketFamily family;
  GSocket *socket;
  const guint8 *data;
  gsize len;

  if (peer == NULL || !G_IS_INET_SOCKET_ADDRESS (peer))
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_ADDRESS,
                           _("A UDP message needs an IP address and port to go to"));
      return FALSE;
    }

  where = th_socket_address_to_string (peer);
  family = g_socket_address_get_family (peer);
  socket = family == G_SOCKET_FAMILY_IPV6 ? self->ipv6.socket : self->ipv4.socket;
  if (socket == NULL)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TRANSPORT,
                   family == G_SOCKET_FAMILY_IPV6
                   ? _("Cannot send to %s: the UDP transport has no IPv6 socket")
                   : _("Cannot send to %s: the UDP transport has no IPv4 socket"),
                   where);
      return FALSE;
    }

  data = g_bytes_get_data (message, &len);
  if (g_socket_send_to (socket, peer, (const char *) data, len, NULL, &local_error) < 0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TRANSPORT,
                   _("Could not send a message to %s: %s"), where, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static void
th_udp_transport_close (ThTransport *transport)
{
  ThUdpTransport *self = TH_UDP_TRANSPORT (transport);

  endpoint_close (&self->ipv6);
  endpoint_close (&self->ipv4);
  g_clear_pointer (&self->buffer, g_free);
}

static gboolean
th_udp_transport_is_reliable (ThTransport *transport)
{
  return FALSE;
}

static void
th_udp_transport_iface_init (ThTransportInterface *iface)
{
  iface->send = th_udp_transport_send;
  iface->close = th_udp_transport_close;
  iface->is_reliable = th_udp_transport_is_reliable;
}

static void
th_udp_transport_dispose (GObject *object)
{
  th_udp_transport_close (TH_TRANSPORT (object));

  G_OBJECT_CLASS (th_udp_transport_parent_class)->dispose (object);
}

static void
th_udp_transport_class_init (ThUdpTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = th_udp_transport_dispose;
}

static void
th_udp_transport_init (ThUdpTransport *self)
{
  self->buffer = g_malloc (RECEIVE_BUFFER_SIZE);
}

static gboolean
parse_port (const char  *port_text,
            const char  *text,
            guint16     *port,
            GError     **error)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (port_text, 10, 1, G_MAXUINT16, &value, NULL))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_ADDRESS,
                   _("The port “%s” in “%s” is not a number from 1 to 65535"),
                   port_text, text);
      return FALSE;
    }
  *port = (guint16) value;
  return TRUE;
}

static gboolean
parse_scope (const char  *scope,
             const char  *text,
             guint32     *scope_id,
             GError     **error)
{
  guint64 index = 0;

  if (*scope == '\0')
    {
      g_set_error (error, TH_ERROR, TH_ERROR_ADDRESS,
                   _("The network interface after “%%” in “%s” is missing"), text);
      return FALSE;
    }
  if (g_ascii_string_to_unsigned (scope, 10, 1, G_MAXUINT32, &index, NULL))
    {
      *scope_id = (guint32) index;
      return TRUE;
    }
  *scope_id = if_nametoindex (scope);
  if (*scope_id == 0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_ADDRESS,
                   _("There is no network interface “%s” (in “%s”)"), scope, text);
      return FALSE;
    }
  return TRUE;
}

GSocketAddress *
th_udp_address_parse (const char  *text,
                      guint16      default_port,
                      GError     **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) address = NULL;
  const char *port_text = NULL;
  const char *colon;
  char *percent;
  guint16 port = default_port;
  guint32 scope_id = 0;

  g_return_val_if_fail (text != NULL, NULL);

  if (*text == '\0')
    {
      g_set_error (error, TH_ERROR, TH_ERROR_ADDRESS,
                   _("The address is empty; give an IPv6 or IPv4 address such as "
                     "fe80::1%%eth0 or 192.168.1.20"));
      return NULL;
    }

  if (*text == '[')
    {
      const char *close = strchr (text, ']');

      if (close == NULL)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_ADDRESS,
                       _("“%s” opens a bracket but does not close it"), text);
          return NULL;
        }
      host = g_strndup (text + 1, (gsize) (close - text - 1));
      if (close[1] == ':')
        port_text = close + 2;
      else if (close[1] != '\0')
        {
          g_set_error (error, TH_ERROR, TH_ERROR_ADDRESS,
                       _("“%s” follows the bracketed address in “%s”; only “:port” "
                         "may"),
                       close + 1, text);
          return NULL;
        }
    }
  else if ((colon = strchr (text, ':')) != NULL && strchr (colon + 1, ':') == NULL)
    {
      /* A single colon: IPv4 with a port. IPv6 with a port needs the brackets. */
      host = g_strndup (text, (gsize) (colon - text));
      port_text = colon + 1;
    }
  else
    {
      host = g_strdup (text);
    }

  if (port_text != NULL && !parse_port (port_text, text, &port, error))
    return NULL;

  percent = strchr (host, '%');
  if (percent != NULL)
    {
      *percent = '\0';
      if (!parse_scope (percent + 1, text, &scope_id, error))
        return NULL;
    }

  address = g_inet_address_new_from_string (host);
  if (address == NULL)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_ADDRESS,
                   _("“%s” is not an IPv6 or IPv4 address (host names are not looked up)"),
                   host);
      return NULL;
    }

  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4)
    {
      if (percent != NULL)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_ADDRESS,
                       _("The IPv4 address in “%s” cannot name a network interface"), text);
          return NULL;
        }
      if (*text == '[')
        {
          g_set_error (error, TH_ERROR, TH_ERROR_ADDRESS,
                       _("Brackets are for IPv6 addresses; write “%s:%u” instead"), host,
                       port);
          return NULL;
        }
    }
  else if (g_inet_address_get_is_link_local (address) && scope_id == 0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_ADDRESS,
                   _("The link-local address “%s” needs a network interface, as in %s%%eth0"),
                   host, host);
      return NULL;
    }

  return g_object_new (G_TYPE_INET_SOCKET_ADDRESS,
                       "address", address,
                       "port", (guint) port,
                       "scope-id", scope_id,
                       NULL);
}
