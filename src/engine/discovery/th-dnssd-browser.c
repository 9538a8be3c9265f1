/* th-dnssd-browser.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <avahi-client/lookup.h>
#include <avahi-common/error.h>
#include <glib/gi18n-lib.h>

#include "th-error.h"
#include "discovery/th-discovered-device-private.h"
#include "discovery/th-dnssd-avahi.h"
#include "discovery/th-dnssd-browser.h"
#include "discovery/th-dnssd-connection.h"

typedef struct _Instance Instance;

/* One interface and IP version an instance was seen on, with its own resolver: Avahi reports
 * each separately, and each may answer with other addresses. */
typedef struct
{
  Instance *instance;
  AvahiIfIndex interface;
  AvahiProtocol protocol;
  AvahiServiceResolver *resolver;
  gboolean resolved;
  gboolean ready;              /* resolved, and the host's addresses read from Avahi's cache */
  gboolean failed;
  guint64 sequence;            /* when it was last resolved, in the browser's count */
  char *host;
  guint16 port;
  GInetAddress *resolved_address;
  ThDnssdTxt *txt;
  ThDnssdHostAddresses *host_addresses;
} Sighting;

struct _Instance
{
  ThDnssdBrowser *browser;
  char *name;
  GPtrArray *sightings;
  ThDiscoveredDevice *device;
  gboolean listed;
};

struct _ThDnssdBrowser
{
  GObject parent_instance;

  ThDnssdServiceKind kind;
  char *subtype;

  ThDnssdConnection *connection;
  gulong running_handler;
  AvahiServiceBrowser *avahi_browser;
  ThDnssdState state;
  GError *error;
  gboolean all_for_now;
  gboolean settled;
  guint64 sequence;

  GHashTable *instances;       /* name -> Instance */
  GPtrArray *items;            /* ThDiscoveredDevice, in the order they were listed */
};

static void th_dnssd_browser_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ThDnssdBrowser, th_dnssd_browser, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      th_dnssd_browser_list_model_init))

G_DEFINE_ENUM_TYPE (ThDnssdState, th_dnssd_state,
  G_DEFINE_ENUM_VALUE (TH_DNSSD_STATE_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (TH_DNSSD_STATE_BROWSING, "browsing"),
  G_DEFINE_ENUM_VALUE (TH_DNSSD_STATE_UNAVAILABLE, "unavailable"))

enum {
  PROP_0,
  PROP_KIND,
  PROP_SUBTYPE,
  PROP_STATE,
  PROP_SETTLED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
th_dnssd_subtype_name (ThDnssdSubtype subtype,
                       guint64        value)
{
  switch (subtype)
    {
    case TH_DNSSD_SUBTYPE_LONG_DISCRIMINATOR:
      return g_strdup_printf ("_L%" G_GUINT64_FORMAT, value);
    case TH_DNSSD_SUBTYPE_SHORT_DISCRIMINATOR:
      return g_strdup_printf ("_S%" G_GUINT64_FORMAT, value);
    case TH_DNSSD_SUBTYPE_VENDOR:
      return g_strdup_printf ("_V%" G_GUINT64_FORMAT, value);
    case TH_DNSSD_SUBTYPE_DEVICE_TYPE:
      return g_strdup_printf ("_T%" G_GUINT64_FORMAT, value);
    case TH_DNSSD_SUBTYPE_COMMISSIONING_MODE:
      return g_strdup ("_CM");
    case TH_DNSSD_SUBTYPE_COMPRESSED_FABRIC:
      return g_strdup_printf ("_I%016" G_GINT64_MODIFIER "X", value);
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
sighting_free (Sighting *sighting)
{
  g_clear_pointer (&sighting->resolver, avahi_service_resolver_free);
  g_clear_pointer (&sighting->host_addresses, th_dnssd_host_addresses_free);
  g_free (sighting->host);
  g_clear_object (&sighting->resolved_address);
  g_clear_pointer (&sighting->txt, th_dnssd_txt_unref);
  g_free (sighting);
}

static void
instance_free (Instance *instance)
{
  g_ptr_array_unref (instance->sightings);
  g_object_unref (instance->device);
  g_free (instance->name);
  g_free (instance);
}

static void
set_state (ThDnssdBrowser *self,
           ThDnssdState    state,
           GError         *error)
{
  g_clear_error (&self->error);
  self->error = error;
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
update_settled (ThDnssdBrowser *self)
{
  gboolean settled = self->all_for_now;
  GHashTableIter iter;
  Instance *instance;

  g_hash_table_iter_init (&iter, self->instances);
  while (settled && g_hash_table_iter_next (&iter, NULL, (gpointer *) &instance))
    {
      for (guint i = 0; i < instance->sightings->len && settled; i++)
        {
          Sighting *sighting = g_ptr_array_index (instance->sightings, i);

          settled = sighting->ready || sighting->failed;
        }
    }
  if (self->settled != settled)
    {
      self->settled = settled;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTLED]);
    }
}

/* Drops every Avahi object and every item. Avahi objects must go before their client. */
static void
forget_all (ThDnssdBrowser *self,
            gboolean        emit)
{
  guint removed = self->items->len;

  g_clear_pointer (&self->avahi_browser, avahi_service_browser_free);
  g_hash_table_remove_all (self->instances);
  g_ptr_array_set_size (self->items, 0);
  self->all_for_now = FALSE;
  if (emit && removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
}

/* Brings the instance's item up to date with its sightings, and lists or unlists it. May
 * emit items-changed, whose handlers may stop the browser: nothing may touch `instance`
 * after it. */
static void
publish (ThDnssdBrowser *self,
         Instance       *instance)
{
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_object_unref);
  Sighting *latest = NULL;
  gboolean changed;
  guint position;

  for (guint i = 0; i < instance->sightings->len; i++)
    {
      Sighting *sighting = g_ptr_array_index (instance->sightings, i);
      g_autoptr(GPtrArray) inet = g_ptr_array_new ();
      GPtrArray *host = sighting->host_addresses != NULL
                        ? th_dnssd_host_addresses_get (sighting->host_addresses) : NULL;

      /* listed with all its addresses at once, not first with the resolver's one */
      if (!sighting->resolved || !sighting->ready)
        continue;
      if (latest == NULL || sighting->sequence > latest->sequence)
        latest = sighting;
      for (guint j = 0; host != NULL && j < host->len; j++)
        g_ptr_array_add (inet, g_ptr_array_index (host, j));
      if (sighting->resolved_address != NULL)
        g_ptr_array_add (inet, sighting->resolved_address);
      th_dnssd_add_socket_addresses (addresses, inet, sighting->port, sighting->interface);
    }

  if (latest == NULL || addresses->len == 0)
    {
      if (instance->listed && g_ptr_array_find (self->items, instance->device, &position))
        {
          instance->listed = FALSE;
          g_ptr_array_remove_index (self->items, position);
          g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
        }
      return;
    }

  changed = th_discovered_device_update (instance->device, latest->host, latest->port,
                                         latest->interface, addresses, latest->txt);
  if (!instance->listed)
    {
      instance->listed = TRUE;
      g_ptr_array_add (self->items, g_object_ref (instance->device));
      g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
    }
  else if (changed && g_ptr_array_find (self->items, instance->device, &position))
    {
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
    }
}

static void
on_host_addresses_changed (gpointer user_data)
{
  Sighting *sighting = user_data;
  g_autoptr(ThDnssdBrowser) self = g_object_ref (sighting->instance->browser);

  if (th_dnssd_host_addresses_has_cached (sighting->host_addresses))
    sighting->ready = TRUE;
  publish (self, sighting->instance);
  update_settled (self);
}

static void
on_resolve (AvahiServiceResolver   *resolver,
            AvahiIfIndex            interface,
            AvahiProtocol           protocol,
            AvahiResolverEvent      event,
            const char             *name,
            const char             *type,
            const char             *domain,
            const char             *host,
            const AvahiAddress     *address,
            uint16_t                port,
            AvahiStringList        *txt,
            AvahiLookupResultFlags  flags,
            void                   *user_data)
{
  Sighting *sighting = user_data;
  g_autoptr(ThDnssdBrowser) self = g_object_ref (sighting->instance->browser);

  if (event == AVAHI_RESOLVER_FOUND)
    {
      sighting->resolved = TRUE;
      sighting->failed = FALSE;
      sighting->sequence = ++self->sequence;
      sighting->port = port;
      g_clear_object (&sighting->resolved_address);
      sighting->resolved_address = th_dnssd_inet_address_from_avahi (address);
      g_clear_pointer (&sighting->txt, th_dnssd_txt_unref);
      sighting->txt = th_dnssd_txt_from_avahi (txt);
      if (g_strcmp0 (sighting->host, host) != 0)
        {
          g_clear_pointer (&sighting->host_addresses, th_dnssd_host_addresses_free);
          g_free (sighting->host);
          sighting->host = g_strdup (host);
          sighting->host_addresses =
            th_dnssd_host_addresses_new (avahi_service_resolver_get_client (resolver),
                                         interface, protocol, host,
                                         on_host_addresses_changed, sighting);
        }
    }
  else
    {
      g_debug ("Resolving %s on interface %d failed: %s", name, interface,
               avahi_strerror (avahi_client_errno (avahi_service_resolver_get_client (resolver))));
      sighting->resolved = FALSE;
      sighting->failed = TRUE;
      g_clear_pointer (&sighting->resolver, avahi_service_resolver_free);
    }

  publish (self, sighting->instance);
  update_settled (self);
}

static Sighting *
find_sighting (Instance      *instance,
               AvahiIfIndex   interface,
               AvahiProtocol  protocol,
               guint         *index)
{
  for (guint i = 0; i < instance->sightings->len; i++)
    {
      Sighting *sighting = g_ptr_array_index (instance->sightings, i);

      if (sighting->interface == interface && sighting->protocol == protocol)
        {
          *index = i;
          return sighting;
        }
    }
  return NULL;
}

static void
add_sighting (ThDnssdBrowser *self,
              AvahiIfIndex    interface,
              AvahiProtocol   protocol,
              const char     *name,
              const char     *domain)
{
  AvahiClient *client = th_dnssd_connection_get_client (self->connection);
  const char *service_type = th_dnssd_service_kind_get_service_type (self->kind);
  Instance *instance = g_hash_table_lookup (self->instances, name);
  Sighting *sighting;
  guint index;

  if (instance == NULL)
    {
      instance = g_new0 (Instance, 1);
      instance->browser = self;
      instance->name = g_strdup (name);
      instance->sightings = g_ptr_array_new_with_free_func ((GDestroyNotify) sighting_free);
      instance->device = th_discovered_device_new (self->kind, name);
      g_hash_table_insert (self->instances, instance->name, instance);
    }
  if (find_sighting (instance, interface, protocol, &index) != NULL)
    return;

  sighting = g_new0 (Sighting, 1);
  sighting->instance = instance;
  sighting->interface = interface;
  sighting->protocol = protocol;
  g_ptr_array_add (instance->sightings, sighting);
  /* The resolver stays open: it reports again whenever the service's records change. */
  sighting->resolver = avahi_service_resolver_new (client, interface, protocol, name,
                                                   service_type, domain, AVAHI_PROTO_UNSPEC, 0,
                                                   on_resolve, sighting);
  if (sighting->resolver == NULL)
    {
      g_debug ("Cannot resolve %s: %s", name, avahi_strerror (avahi_client_errno (client)));
      sighting->failed = TRUE;
    }
}

static void
remove_sighting (ThDnssdBrowser *self,
                 AvahiIfIndex    interface,
                 AvahiProtocol   protocol,
                 const char     *name)
{
  Instance *instance = g_hash_table_lookup (self->instances, name);
  guint index, position;

  if (instance == NULL || find_sighting (instance, interface, protocol, &index) == NULL)
    return;
  g_ptr_array_remove_index (instance->sightings, index);
  if (instance->sightings->len > 0)
    {
      publish (self, instance);
      return;
    }

  if (instance->listed && g_ptr_array_find (self->items, instance->device, &position))
    {
      g_ptr_array_remove_index (self->items, position);
      g_hash_table_remove (self->instances, name);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
      return;
    }
  g_hash_table_remove (self->instances, name);
}

static void
on_browse (AvahiServiceBrowser    *browser,
           AvahiIfIndex            interface,
           AvahiProtocol           protocol,
           AvahiBrowserEvent       event,
           const char             *name,
           const char             *type,
           const char             *domain,
           AvahiLookupResultFlags  flags,
           void                   *user_data)
{
  g_autoptr(ThDnssdBrowser) self = g_object_ref (TH_DNSSD_BROWSER (user_data));
  int avahi_error;

  switch (event)
    {
    case AVAHI_BROWSER_NEW:
      add_sighting (self, interface, protocol, name, domain);
      break;

    case AVAHI_BROWSER_REMOVE:
      remove_sighting (self, interface, protocol, name);
      break;

    case AVAHI_BROWSER_ALL_FOR_NOW:
      self->all_for_now = TRUE;
      break;

    case AVAHI_BROWSER_FAILURE:
      avahi_error = avahi_client_errno (avahi_service_browser_get_client (browser));
      forget_all (self, TRUE);
      set_state (self, TH_DNSSD_STATE_UNAVAILABLE,
                 g_error_new (TH_ERROR, TH_ERROR_DNSSD_FAILED,
                              _("Looking for Matter devices on the network failed: %s"),
                              avahi_strerror (avahi_error)));
      break;

    case AVAHI_BROWSER_CACHE_EXHAUSTED:
    default:
      return;
    }
  update_settled (self);
}

static gboolean
begin_browsing (ThDnssdBrowser  *self,
                GError         **error)
{
  AvahiClient *client = th_dnssd_connection_get_client (self->connection);
  const char *service_type = th_dnssd_service_kind_get_service_type (self->kind);
  g_autofree char *type = self->subtype != NULL
                          ? g_strdup_printf ("%s._sub.%s", self->subtype, service_type)
                          : g_strdup (service_type);

  self->all_for_now = FALSE;
  self->avahi_browser = avahi_service_browser_new (client, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                                   type, NULL, 0, on_browse, self);
  if (self->avahi_browser == NULL)
    {
      set_state (self, TH_DNSSD_STATE_UNAVAILABLE,
                 g_error_new (TH_ERROR, TH_ERROR_DNSSD_FAILED,
                              _("Cannot look for %s services on the network: %s"), type,
                              avahi_strerror (avahi_client_errno (client))));
      if (error != NULL)
        *error = g_error_copy (self->error);
      return FALSE;
    }
  set_state (self, TH_DNSSD_STATE_BROWSING, NULL);
  return TRUE;
}

static void
on_running_changed (ThDnssdConnection *connection,
                    GParamSpec        *pspec,
                    gpointer           user_data)
{
  g_autoptr(ThDnssdBrowser) self = g_object_ref (TH_DNSSD_BROWSER (user_data));

  if (th_dnssd_connection_get_running (connection))
    {
      begin_browsing (self, NULL);
    }
  else
    {
      forget_all (self, TRUE);
      set_state (self, TH_DNSSD_STATE_UNAVAILABLE,
                 g_error_copy (th_dnssd_connection_get_error (connection)));
    }
  update_settled (self);
}

gboolean
th_dnssd_browser_start (ThDnssdBrowser  *self,
                        GError         **error)
{
  g_return_val_if_fail (TH_IS_DNSSD_BROWSER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->connection == NULL)
    {
      self->connection = th_dnssd_connection_dup_default ();
      self->running_handler = g_signal_connect (self->connection, "notify::running",
                                                G_CALLBACK (on_running_changed), self);
      if (th_dnssd_connection_get_running (self->connection))
        return begin_browsing (self, error);
      set_state (self, TH_DNSSD_STATE_UNAVAILABLE,
                 g_error_copy (th_dnssd_connection_get_error (self->connection)));
    }

  if (self->state == TH_DNSSD_STATE_UNAVAILABLE)
    {
      if (error != NULL)
        *error = g_error_copy (self->error);
      return FALSE;
    }
  return TRUE;
}

static void
disconnect (ThDnssdBrowser *self,
            gboolean        emit)
{
  forget_all (self, emit);
  if (self->connection != NULL)
    {
      g_clear_signal_handler (&self->running_handler, self->connection);
      g_clear_object (&self->connection);
    }
}

void
th_dnssd_browser_stop (ThDnssdBrowser *self)
{
  g_return_if_fail (TH_IS_DNSSD_BROWSER (self));

  disconnect (self, TRUE);
  set_state (self, TH_DNSSD_STATE_STOPPED, NULL);
  update_settled (self);
}

ThDnssdState
th_dnssd_browser_get_state (ThDnssdBrowser *self)
{
  g_return_val_if_fail (TH_IS_DNSSD_BROWSER (self), TH_DNSSD_STATE_STOPPED);
  return self->state;
}

const GError *
th_dnssd_browser_get_error (ThDnssdBrowser *self)
{
  g_return_val_if_fail (TH_IS_DNSSD_BROWSER (self), NULL);
  return self->error;
}

gboolean
th_dnssd_browser_get_settled (ThDnssdBrowser *self)
{
  g_return_val_if_fail (TH_IS_DNSSD_BROWSER (self), FALSE);
  return self->settled;
}

ThDnssdBrowser *
th_dnssd_browser_new (ThDnssdServiceKind  kind,
                      const char         *subtype)
{
  return g_object_new (TH_TYPE_DNSSD_BROWSER, "kind", kind, "subtype", subtype, NULL);
}

static GType
th_dnssd_browser_get_item_type (GListModel *model)
{
  return TH_TYPE_DISCOVERED_DEVICE;
}

static guint
th_dnssd_browser_get_n_items (GListModel *model)
{
  return TH_DNSSD_BROWSER (model)->items->len;
}

static gpointer
th_dnssd_browser_get_item (GListModel *model,
                           guint       position)
{
  ThDnssdBrowser *self = TH_DNSSD_BROWSER (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
th_dnssd_browser_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = th_dnssd_browser_get_item_type;
  iface->get_n_items = th_dnssd_browser_get_n_items;
  iface->get_item = th_dnssd_browser_get_item;
}

static void
th_dnssd_browser_dispose (GObject *object)
{
  disconnect (TH_DNSSD_BROWSER (object), FALSE);

  G_OBJECT_CLASS (th_dnssd_browser_parent_class)->dispose (object);
}

static void
th_dnssd_browser_finalize (GObject *object)
{
  ThDnssdBrowser *self = TH_DNSSD_BROWSER (object);

  g_hash_table_unref (self->instances);
  g_ptr_array_unref (self->items);
  g_free (self->subtype);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (th_dnssd_browser_parent_class)->finalize (object);
}

static void
th_dnssd_browser_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ThDnssdBrowser *self = TH_DNSSD_BROWSER (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_SUBTYPE:
      g_value_set_string (value, self->subtype);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_SETTLED:
      g_value_set_boolean (value, self->settled);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
th_dnssd_browser_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  ThDnssdBrowser *self = TH_DNSSD_BROWSER (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    case PROP_SUBTYPE:
      self->subtype = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
th_dnssd_browser_class_init (ThDnssdBrowserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = th_dnssd_browser_dispose;
  object_class->finalize = th_dnssd_browser_finalize;
  object_class->get_property = th_dnssd_browser_get_property;
  object_class->set_property = th_dnssd_browser_set_property;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, TH_TYPE_DNSSD_SERVICE_KIND,
                       TH_DNSSD_SERVICE_COMMISSIONABLE,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUBTYPE] =
    g_param_spec_string ("subtype", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TH_TYPE_DNSSD_STATE, TH_DNSSD_STATE_STOPPED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTLED] =
    g_param_spec_boolean ("settled", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
th_dnssd_browser_init (ThDnssdBrowser *self)
{
  self->instances = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) instance_free);
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}
