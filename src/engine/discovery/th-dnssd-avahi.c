/* th-dnssd-avahi.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <avahi-common/error.h>

#include "discovery/th-dnssd-avahi.h"

GInetAddress *
th_dnssd_inet_address_from_avahi (const AvahiAddress *address)
{
  switch (address->proto)
    {
    case AVAHI_PROTO_INET:
      return g_inet_address_new_from_bytes ((const guint8 *) &address->data.ipv4.address,
                                            G_SOCKET_FAMILY_IPV4);
    case AVAHI_PROTO_INET6:
      return g_inet_address_new_from_bytes (address->data.ipv6.address, G_SOCKET_FAMILY_IPV6);
    default:
      return NULL;
    }
}

ThDnssdTxt *
th_dnssd_txt_from_avahi (AvahiStringList *list)
{
  g_autofree guint8 *rdata = NULL;
  g_autoptr(GError) error = NULL;
  ThDnssdTxt *txt;
  gsize size = 0;

  for (AvahiStringList *l = list; l != NULL; l = avahi_string_list_get_next (l))
    size += 1 + MIN (avahi_string_list_get_size (l), 255);
  /* an empty record is one empty string (RFC 6763 6.1) */
  size = MAX (size, 1);
  rdata = g_malloc0 (size);
  /* the list is kept backwards; this puts it in record order again */
  size = avahi_string_list_serialize (list, rdata, size);

  txt = th_dnssd_txt_parse (rdata, size, &error);
  if (txt == NULL)
    {
      /* Avahi's serialisation frames every string; this would be a bug in it */
      g_debug ("Avahi gave a TXT record that does not parse: %s", error->message);
      txt = th_dnssd_txt_parse (NULL, 0, NULL);
    }
  return txt;
}

void
th_dnssd_add_socket_addresses (GPtrArray    *out,
                               GPtrArray    *addresses,
                               guint16       port,
                               AvahiIfIndex  interface)
{
  for (guint i = 0; i < addresses->len; i++)
    {
      GInetAddress *address = g_ptr_array_index (addresses, i);
      guint32 scope = g_inet_address_get_is_link_local (address) && interface > 0
                      ? (guint32) interface : 0;
      gboolean known = FALSE;

      for (guint j = 0; j < out->len && !known; j++)
        {
          GInetSocketAddress *other = g_ptr_array_index (out, j);

          known = g_inet_address_equal (g_inet_socket_address_get_address (other), address)
                  && g_inet_socket_address_get_port (other) == port
                  && (g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6
                      || g_inet_socket_address_get_scope_id (other) == scope);
        }
      if (!known)
        g_ptr_array_add (out, g_object_new (G_TYPE_INET_SOCKET_ADDRESS,
                                            "address", address,
                                            "port", (guint) port,
                                            /* GIO keeps a scope for IPv6 only */
                                            "scope-id", scope,
                                            NULL));
    }
}

struct _ThDnssdHostAddresses
{
  AvahiRecordBrowser *browsers[2];
  gboolean cached[2];
  GPtrArray *addresses;
  ThDnssdHostAddressesChanged changed;
  gpointer user_data;
};

static void
on_address_record (AvahiRecordBrowser     *browser,
                   AvahiIfIndex            interface,
                   AvahiProtocol           protocol,
                   AvahiBrowserEvent       event,
                   const char             *name,
                   uint16_t                clazz,
                   uint16_t                type,
                   const void             *rdata,
                   size_t                  size,
                   AvahiLookupResultFlags  flags,
                   void                   *user_data)
{
  ThDnssdHostAddresses *self = user_data;
  g_autoptr(GInetAddress) address = NULL;
  guint index;

  switch (event)
    {
    case AVAHI_BROWSER_NEW:
    case AVAHI_BROWSER_REMOVE:
      if ((type == AVAHI_DNS_TYPE_A && size == 4) || (type == AVAHI_DNS_TYPE_AAAA && size == 16))
        address = g_inet_address_new_from_bytes (rdata, size == 4 ? G_SOCKET_FAMILY_IPV4
                                                                  : G_SOCKET_FAMILY_IPV6);
      if (address == NULL)
        return;
      if (g_ptr_array_find_with_equal_func (self->addresses, address,
                                            (GEqualFunc) g_inet_address_equal, &index))
        {
          if (event == AVAHI_BROWSER_NEW)
            return;
          g_ptr_array_remove_index (self->addresses, index);
        }
      else if (event == AVAHI_BROWSER_NEW)
        g_ptr_array_add (self->addresses, g_steal_pointer (&address));
      else
        return;
      break;

    case AVAHI_BROWSER_CACHE_EXHAUSTED:
    case AVAHI_BROWSER_ALL_FOR_NOW:
      self->cached[browser == self->browsers[0] ? 0 : 1] = TRUE;
      break;

    case AVAHI_BROWSER_FAILURE:
      g_debug ("Looking up the addresses of %s failed: %s", name,
               avahi_strerror (avahi_client_errno (avahi_record_browser_get_client (browser))));
      self->cached[browser == self->browsers[0] ? 0 : 1] = TRUE;
      break;

    default:
      return;
    }
  self->changed (self->user_data);
}

ThDnssdHostAddresses *
th_dnssd_host_addresses_new (AvahiClient                 *client,
                             AvahiIfIndex                 interface,
                             AvahiProtocol                protocol,
                             const char                  *host,
                             ThDnssdHostAddressesChanged  changed,
                             gpointer                     user_data)
{
  static const guint16 types[2] = { AVAHI_DNS_TYPE_AAAA, AVAHI_DNS_TYPE_A };
  ThDnssdHostAddresses *self = g_new0 (ThDnssdHostAddresses, 1);

  self->addresses = g_ptr_array_new_with_free_func (g_object_unref);
  self->changed = changed;
  self->user_data = user_data;
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      self->browsers[i] = avahi_record_browser_new (client, interface, protocol, host,
                                                    AVAHI_DNS_CLASS_IN, types[i], 0,
                                                    on_address_record, self);
      /* Without it the resolver's one address still stands. */
      if (self->browsers[i] == NULL)
        {
          g_debug ("Cannot look up the addresses of %s: %s", host,
                   avahi_strerror (avahi_client_errno (client)));
          self->cached[i] = TRUE;
        }
    }
  return self;
}

void
th_dnssd_host_addresses_free (ThDnssdHostAddresses *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->browsers); i++)
    g_clear_pointer (&self->browsers[i], avahi_record_browser_free);
  g_ptr_array_unref (self->addresses);
  g_free (self);
}

GPtrArray *
th_dnssd_host_addresses_get (ThDnssdHostAddresses *self)
{
  return self->addresses;
}

gboolean
th_dnssd_host_addresses_has_cached (ThDnssdHostAddresses *self)
{
  return self->cached[0] && self->cached[1];
}
