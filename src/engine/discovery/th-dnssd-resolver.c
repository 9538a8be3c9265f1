/* th-dnssd-resolver.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <avahi-client/lookup.h>
#include <avahi-common/error.h>
#include <glib/gi18n-lib.h>

#include "th-error.h"
#include "discovery/th-discovered-device-private.h"
#include "discovery/th-deadline.h"
#include "discovery/th-dnssd-avahi.h"
#include "discovery/th-dnssd-connection.h"
#include "discovery/th-dnssd-resolver.h"

/* Once the service is resolved, how long its host's other addresses may take to come when
 * Avahi does not have them cached already. */
#define ADDRESS_GRACE_MS 500

struct _ThDnssdResolver
{
  GObject parent_instance;

  ThDnssdServiceKind kind;
  char *instance_name;

  /* while resolving */
  GTask *task;
  guint timeout_ms;
  ThDnssdConnection *connection;
  gulong running_handler;
  AvahiServiceResolver *avahi_resolver;
  ThDnssdHostAddresses *host_addresses;
  ThDeadline deadline;
  GSource *grace;

  /* what the service resolved to */
  AvahiIfIndex interface;
  char *host;
  guint16 port;
  GInetAddress *address;
  ThDnssdTxt *txt;
};

G_DEFINE_FINAL_TYPE (ThDnssdResolver, th_dnssd_resolver, G_TYPE_OBJECT)

static void start_avahi_resolver (ThDnssdResolver *self);

static void
clear_result (ThDnssdResolver *self)
{
  g_clear_pointer (&self->host, g_free);
  g_clear_object (&self->address);
  g_clear_pointer (&self->txt, th_dnssd_txt_unref);
}

/* Ends the resolution with a device or an error (transfer full either). */
static void
finish (ThDnssdResolver    *self,
        ThDiscoveredDevice *device,
        GError             *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_clear_pointer (&self->avahi_resolver, avahi_service_resolver_free);
  g_clear_pointer (&self->host_addresses, th_dnssd_host_addresses_free);
  th_deadline_stop (&self->deadline);
  if (self->grace != NULL)
    {
      g_source_destroy (self->grace);
      g_clear_pointer (&self->grace, g_source_unref);
    }
  g_clear_signal_handler (&self->running_handler, self->connection);
  g_clear_object (&self->connection);
  clear_result (self);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, device, g_object_unref);
}

static void
complete (ThDnssdResolver *self)
{
  g_autoptr(GPtrArray) inet = g_ptr_array_new ();
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *host = th_dnssd_host_addresses_get (self->host_addresses);
  ThDiscoveredDevice *device;

  for (guint i = 0; i < host->len; i++)
    g_ptr_array_add (inet, g_ptr_array_index (host, i));
  if (self->address != NULL)
    g_ptr_array_add (inet, self->address);
  th_dnssd_add_socket_addresses (addresses, inet, self->port, self->interface);
  if (addresses->len == 0)
    {
      finish (self, NULL, g_error_new (TH_ERROR, TH_ERROR_DNSSD_FAILED,
                                       _("“%s” was found on the network, but without an IP "
                                         "address"), self->instance_name));
      return;
    }

  device = th_discovered_device_new (self->kind, self->instance_name);
  th_discovered_device_update (device, self->host, self->port, self->interface, addresses,
                               self->txt);
  finish (self, device, NULL);
}

static gboolean
on_grace_over (gpointer user_data)
{
  complete (TH_DNSSD_RESOLVER (user_data));
  return G_SOURCE_REMOVE;
}

static void
on_host_addresses_changed (gpointer user_data)
{
  ThDnssdResolver *self = TH_DNSSD_RESOLVER (user_data);

  if (th_dnssd_host_addresses_has_cached (self->host_addresses))
    complete (self);
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
  ThDnssdResolver *self = TH_DNSSD_RESOLVER (user_data);
  AvahiClient *client = avahi_service_resolver_get_client (resolver);
  int avahi_error;

  if (event == AVAHI_RESOLVER_FOUND)
    {
      /* the first answer is the one: later changes are for a browser to follow */
      if (self->host != NULL)
        return;
      self->interface = interface;
      self->host = g_strdup (host);
      self->port = port;
      self->address = th_dnssd_inet_address_from_avahi (address);
      self->txt = th_dnssd_txt_from_avahi (txt);
      self->host_addresses = th_dnssd_host_addresses_new (client, interface, protocol, host,
                                                          on_host_addresses_changed, self);
      self->grace = g_timeout_source_new (ADDRESS_GRACE_MS);
      g_source_set_static_name (self->grace, "[threshold] DNS-SD address grace");
      g_source_set_callback (self->grace, on_grace_over, self, NULL);
      g_source_attach (self->grace, g_main_context_get_thread_default ());
      return;
    }

  /* once found, the addresses are what is awaited */
  if (self->host != NULL)
    return;
  avahi_error = avahi_client_errno (client);
  g_clear_pointer (&self->avahi_resolver, avahi_service_resolver_free);
  /* Avahi gives up after a few seconds; the deadline says when Threshold does */
  if (avahi_error == AVAHI_ERR_TIMEOUT)
    {
      start_avahi_resolver (self);
      return;
    }
  finish (self, NULL, g_error_new (TH_ERROR, TH_ERROR_DNSSD_FAILED,
                                   _("Looking up “%s” on the network failed: %s"),
                                   self->instance_name, avahi_strerror (avahi_error)));
}

static void
start_avahi_resolver (ThDnssdResolver *self)
{
  AvahiClient *client = th_dnssd_connection_get_client (self->connection);

  self->avahi_resolver =
    avahi_service_resolver_new (client, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, self->instance_name,
                                th_dnssd_service_kind_get_service_type (self->kind), NULL,
                                AVAHI_PROTO_UNSPEC, 0, on_resolve, self);
  if (self->avahi_resolver == NULL)
    {
      finish (self, NULL, g_error_new (TH_ERROR, TH_ERROR_DNSSD_FAILED,
                                       _("Cannot look up “%s” on the network: %s"),
                                       self->instance_name,
                                       avahi_strerror (avahi_client_errno (client))));
    }
}

static gboolean
on_timeout (gpointer user_data)
{
  ThDnssdResolver *self = TH_DNSSD_RESOLVER (user_data);

  finish (self, NULL,
          g_error_new (TH_ERROR, TH_ERROR_DNSSD_NOT_FOUND,
                       _("Nothing on the network answered for “%s” (%s) within %.1f seconds: "
                         "check that the device is on and on the same network as this "
                         "computer"), self->instance_name,
                       th_dnssd_service_kind_get_service_type (self->kind),
                       self->timeout_ms / 1000.0));
  return G_SOURCE_REMOVE;
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  finish (TH_DNSSD_RESOLVER (user_data), NULL, error);
  return G_SOURCE_REMOVE;
}

static void
on_running_changed (ThDnssdConnection *connection,
                    GParamSpec        *pspec,
                    gpointer           user_data)
{
  if (!th_dnssd_connection_get_running (connection))
    finish (TH_DNSSD_RESOLVER (user_data), NULL,
            g_error_copy (th_dnssd_connection_get_error (connection)));
}

void
th_dnssd_resolver_resolve_async (ThDnssdResolver     *self,
                                 guint                timeout_ms,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TH_IS_DNSSD_RESOLVER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->task == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_dnssd_resolver_resolve_async);

  self->connection = th_dnssd_connection_dup_default ();
  if (!th_dnssd_connection_get_running (self->connection))
    {
      g_task_return_error (task, g_error_copy (th_dnssd_connection_get_error (self->connection)));
      g_clear_object (&self->connection);
      return;
    }

  self->task = g_steal_pointer (&task);
  self->timeout_ms = timeout_ms;
  self->running_handler = g_signal_connect (self->connection, "notify::running",
                                            G_CALLBACK (on_running_changed), self);
  th_deadline_start (&self->deadline, timeout_ms, cancellable, on_timeout, on_cancelled,
                           self);
  start_avahi_resolver (self);
}

ThDiscoveredDevice *
th_dnssd_resolver_resolve_finish (ThDnssdResolver  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == th_dnssd_resolver_resolve_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

ThDnssdResolver *
th_dnssd_resolver_new (ThDnssdServiceKind  kind,
                       const char         *instance_name)
{
  ThDnssdResolver *self;

  g_return_val_if_fail (instance_name != NULL, NULL);

  self = g_object_new (TH_TYPE_DNSSD_RESOLVER, NULL);
  self->kind = kind;
  self->instance_name = g_strdup (instance_name);
  return self;
}

static void
th_dnssd_resolver_finalize (GObject *object)
{
  ThDnssdResolver *self = TH_DNSSD_RESOLVER (object);

  g_free (self->instance_name);

  G_OBJECT_CLASS (th_dnssd_resolver_parent_class)->finalize (object);
}

static void
th_dnssd_resolver_class_init (ThDnssdResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = th_dnssd_resolver_finalize;
}

static void
th_dnssd_resolver_init (ThDnssdResolver *self)
{
}
