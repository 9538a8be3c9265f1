/* th-discovered-device.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "discovery/th-discovered-device-private.h"

struct _ThDiscoveredDevice
{
  GObject parent_instance;

  ThDnssdServiceKind kind;
  char *instance_name;
  char *hostname;
  guint16 port;
  int interface_index;
  GPtrArray *addresses;
  ThDnssdTxt *txt;
  GDateTime *first_seen;
  GDateTime *last_seen;
};

G_DEFINE_FINAL_TYPE (ThDiscoveredDevice, th_discovered_device, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (ThDnssdServiceKind, th_dnssd_service_kind,
  G_DEFINE_ENUM_VALUE (TH_DNSSD_SERVICE_COMMISSIONABLE, "commissionable"),
  G_DEFINE_ENUM_VALUE (TH_DNSSD_SERVICE_COMMISSIONER, "commissioner"),
  G_DEFINE_ENUM_VALUE (TH_DNSSD_SERVICE_OPERATIONAL, "operational"))

enum {
  PROP_0,
  PROP_KIND,
  PROP_INSTANCE_NAME,
  PROP_HOSTNAME,
  PROP_PORT,
  PROP_INTERFACE_INDEX,
  PROP_ADDRESSES,
  PROP_TXT,
  PROP_FIRST_SEEN,
  PROP_LAST_SEEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
th_dnssd_service_kind_get_service_type (ThDnssdServiceKind kind)
{
  switch (kind)
    {
    case TH_DNSSD_SERVICE_COMMISSIONABLE:
      return "_matterc._udp";
    case TH_DNSSD_SERVICE_COMMISSIONER:
      return "_matterd._udp";
    case TH_DNSSD_SERVICE_OPERATIONAL:
      return "_matter._tcp";
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
th_dnssd_service_kind_to_string (ThDnssdServiceKind kind)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (TH_TYPE_DNSSD_SERVICE_KIND);
  GEnumValue *value = g_enum_get_value (klass, (int) kind);

  g_return_val_if_fail (value != NULL, NULL);
  return value->value_nick;
}

static void
th_discovered_device_finalize (GObject *object)
{
  ThDiscoveredDevice *self = TH_DISCOVERED_DEVICE (object);

  g_free (self->instance_name);
  g_free (self->hostname);
  g_ptr_array_unref (self->addresses);
  g_clear_pointer (&self->txt, th_dnssd_txt_unref);
  g_date_time_unref (self->first_seen);
  g_date_time_unref (self->last_seen);

  G_OBJECT_CLASS (th_discovered_device_parent_class)->finalize (object);
}

static void
th_discovered_device_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ThDiscoveredDevice *self = TH_DISCOVERED_DEVICE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_INSTANCE_NAME:
      g_value_set_string (value, self->instance_name);
      break;
    case PROP_HOSTNAME:
      g_value_set_string (value, self->hostname);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_INTERFACE_INDEX:
      g_value_set_int (value, self->interface_index);
      break;
    case PROP_ADDRESSES:
      g_value_set_boxed (value, self->addresses);
      break;
    case PROP_TXT:
      g_value_set_boxed (value, self->txt);
      break;
    case PROP_FIRST_SEEN:
      g_value_set_boxed (value, self->first_seen);
      break;
    case PROP_LAST_SEEN:
      g_value_set_boxed (value, self->last_seen);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
th_discovered_device_class_init (ThDiscoveredDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = th_discovered_device_finalize;
  object_class->get_property = th_discovered_device_get_property;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, TH_TYPE_DNSSD_SERVICE_KIND,
                       TH_DNSSD_SERVICE_COMMISSIONABLE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_INSTANCE_NAME] =
    g_param_spec_string ("instance-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOSTNAME] =
    g_param_spec_string ("hostname", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INTERFACE_INDEX] =
    g_param_spec_int ("interface-index", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ADDRESSES] =
    g_param_spec_boxed ("addresses", NULL, NULL, G_TYPE_PTR_ARRAY,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TXT] =
    g_param_spec_boxed ("txt", NULL, NULL, TH_TYPE_DNSSD_TXT,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FIRST_SEEN] =
    g_param_spec_boxed ("first-seen", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SEEN] =
    g_param_spec_boxed ("last-seen", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
th_discovered_device_init (ThDiscoveredDevice *self)
{
  self->addresses = g_ptr_array_new_with_free_func (g_object_unref);
  self->first_seen = g_date_time_new_now_utc ();
  self->last_seen = g_date_time_ref (self->first_seen);
}

ThDiscoveredDevice *
th_discovered_device_new (ThDnssdServiceKind  kind,
                          const char         *instance_name)
{
  ThDiscoveredDevice *self = g_object_new (TH_TYPE_DISCOVERED_DEVICE, NULL);

  self->kind = kind;
  self->instance_name = g_strdup (instance_name);
  return self;
}

/* Lower ranks first: what a Matter node is most surely reached at. */
static int
address_rank (GInetSocketAddress *address)
{
  GInetAddress *inet = g_inet_socket_address_get_address (address);

  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV4)
    return 2;
  return g_inet_address_get_is_link_local (inet) ? 1 : 0;
}

static int
compare_addresses (gconstpointer a,
                   gconstpointer b)
{
  return address_rank (*(GInetSocketAddress **) a) - address_rank (*(GInetSocketAddress **) b);
}

static gboolean
socket_address_equal (GInetSocketAddress *a,
                      GInetSocketAddress *b)
{
  GInetAddress *address = g_inet_socket_address_get_address (a);

  if (!g_inet_address_equal (address, g_inet_socket_address_get_address (b))
      || g_inet_socket_address_get_port (a) != g_inet_socket_address_get_port (b))
    return FALSE;
  return g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6
         || g_inet_socket_address_get_scope_id (a) == g_inet_socket_address_get_scope_id (b);
}

static gboolean
addresses_equal (GPtrArray *a,
                 GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      if (!socket_address_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)))
        return FALSE;
    }
  return TRUE;
}

gboolean
th_discovered_device_update (ThDiscoveredDevice *self,
                             const char         *hostname,
                             guint16             port,
                             int                 interface_index,
                             GPtrArray          *addresses,
                             ThDnssdTxt         *txt)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean changed = FALSE;

  g_return_val_if_fail (TH_IS_DISCOVERED_DEVICE (self), FALSE);
  g_return_val_if_fail (addresses != NULL && txt != NULL, FALSE);

  g_object_freeze_notify (G_OBJECT (self));

  if (g_strcmp0 (self->hostname, hostname) != 0)
    {
      g_free (self->hostname);
      self->hostname = g_strdup (hostname);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOSTNAME]);
      changed = TRUE;
    }
  if (self->port != port)
    {
      self->port = port;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
      changed = TRUE;
    }
  if (self->interface_index != interface_index)
    {
      self->interface_index = interface_index;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERFACE_INDEX]);
      changed = TRUE;
    }

  for (guint i = 0; i < addresses->len; i++)
    g_ptr_array_add (sorted, g_object_ref (g_ptr_array_index (addresses, i)));
  /* stable, so the order within a rank is the caller's */
  g_ptr_array_sort (sorted, compare_addresses);
  if (!addresses_equal (self->addresses, sorted))
    {
      g_ptr_array_unref (self->addresses);
      self->addresses = g_steal_pointer (&sorted);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADDRESSES]);
      changed = TRUE;
    }

  if (!th_dnssd_txt_equal (self->txt, txt))
    {
      g_clear_pointer (&self->txt, th_dnssd_txt_unref);
      self->txt = th_dnssd_txt_ref (txt);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TXT]);
      changed = TRUE;
    }

  g_date_time_unref (self->last_seen);
  self->last_seen = g_date_time_new_now_utc ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEEN]);

  g_object_thaw_notify (G_OBJECT (self));
  return changed;
}

const char *
th_discovered_device_get_instance_name (ThDiscoveredDevice *self)
{
  g_return_val_if_fail (TH_IS_DISCOVERED_DEVICE (self), NULL);
  return self->instance_name;
}

ThDnssdServiceKind
th_discovered_device_get_kind (ThDiscoveredDevice *self)
{
  g_return_val_if_fail (TH_IS_DISCOVERED_DEVICE (self), TH_DNSSD_SERVICE_COMMISSIONABLE);
  return self->kind;
}

const char *
th_discovered_device_get_hostname (ThDiscoveredDevice *self)
{
  g_return_val_if_fail (TH_IS_DISCOVERED_DEVICE (self), NULL);
  return self->hostname;
}

guint16
th_discovered_device_get_port (ThDiscoveredDevice *self)
{
  g_return_val_if_fail (TH_IS_DISCOVERED_DEVICE (self), 0);
  return self->port;
}

GPtrArray *
th_discovered_device_get_addresses (ThDiscoveredDevice *self)
{
  g_return_val_if_fail (TH_IS_DISCOVERED_DEVICE (self), NULL);
  return self->addresses;
}

int
th_discovered_device_get_interface_index (ThDiscoveredDevice *self)
{
  g_return_val_if_fail (TH_IS_DISCOVERED_DEVICE (self), 0);
  return self->interface_index;
}

ThDnssdTxt *
th_discovered_device_get_txt (ThDiscoveredDevice *self)
{
  g_return_val_if_fail (TH_IS_DISCOVERED_DEVICE (self), NULL);
  return self->txt;
}

GDateTime *
th_discovered_device_get_first_seen (ThDiscoveredDevice *self)
{
  g_return_val_if_fail (TH_IS_DISCOVERED_DEVICE (self), NULL);
  return self->first_seen;
}

GDateTime *
th_discovered_device_get_last_seen (ThDiscoveredDevice *self)
{
  g_return_val_if_fail (TH_IS_DISCOVERED_DEVICE (self), NULL);
  return self->last_seen;
}
