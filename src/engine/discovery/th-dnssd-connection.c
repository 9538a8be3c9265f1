/* th-dnssd-connection.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <avahi-common/error.h>
#include <avahi-glib/glib-watch.h>
#include <glib/gi18n-lib.h>

#include "th-error.h"
#include "discovery/th-dnssd-connection.h"

/* AVAHI_CLIENT_NO_FAIL waits for the daemon, but not for the system bus: without a bus the
 * client is tried again this often. */
#define BUS_RETRY_SECONDS 10

/* What Avahi calls back into. It outlives the connection by a main loop iteration: the last
 * reference to a connection may go in a handler that Avahi is running, and Avahi must not
 * find its client and poll freed under it when the handler returns. */
typedef struct
{
  ThDnssdConnection *owner;    /* NULL once the connection is gone */
  AvahiGLibPoll *poll;
  AvahiClient *client;
} Link;

struct _ThDnssdConnection
{
  GObject parent_instance;

  GMainContext *context;
  Link *link;
  gboolean running;
  GError *error;
  GSource *reconnect_source;
};

G_DEFINE_FINAL_TYPE (ThDnssdConnection, th_dnssd_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_LOCK_DEFINE_STATIC (default_connection);
static ThDnssdConnection *default_connection;

static void connect_client (ThDnssdConnection *self);

static GError *
not_running_error (void)
{
  return g_error_new_literal (TH_ERROR, TH_ERROR_DNSSD_UNAVAILABLE,
                              _("The Avahi service is not running, so devices on the network "
                                "cannot be found; Bluetooth and entering an address still "
                                "work"));
}

static void
set_state (ThDnssdConnection *self,
           gboolean           running,
           GError            *error)
{
  g_clear_error (&self->error);
  self->error = error;
  if (self->running != running)
    {
      self->running = running;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
    }
}

static gboolean
on_reconnect (gpointer user_data)
{
  ThDnssdConnection *self = TH_DNSSD_CONNECTION (user_data);

  g_clear_pointer (&self->reconnect_source, g_source_unref);
  g_clear_pointer (&self->link->client, avahi_client_free);
  connect_client (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (ThDnssdConnection *self,
                    guint              seconds)
{
  if (self->reconnect_source != NULL)
    return;
  self->reconnect_source = seconds == 0 ? g_idle_source_new ()
                                        : g_timeout_source_new_seconds (seconds);
  g_source_set_static_name (self->reconnect_source, "[threshold] Avahi reconnect");
  g_source_set_callback (self->reconnect_source, on_reconnect, self, NULL);
  g_source_attach (self->reconnect_source, self->context);
}

static void
apply_state (ThDnssdConnection *self,
             AvahiClientState   state)
{
  int avahi_error;

  switch (state)
    {
    case AVAHI_CLIENT_S_RUNNING:
    case AVAHI_CLIENT_S_REGISTERING:
    case AVAHI_CLIENT_S_COLLISION:
      /* browsing works in all three: they are about the host's own name */
      set_state (self, TRUE, NULL);
      break;

    case AVAHI_CLIENT_CONNECTING:
      /* the daemon is not there; the client enters S_RUNNING when it appears */
      set_state (self, FALSE, not_running_error ());
      break;

    case AVAHI_CLIENT_FAILURE:
      avahi_error = avahi_client_errno (self->link->client);
      g_debug ("Avahi client failed: %s", avahi_strerror (avahi_error));
      set_state (self, FALSE,
                 avahi_error == AVAHI_ERR_DISCONNECTED
                 ? not_running_error ()
                 : g_error_new (TH_ERROR, TH_ERROR_DNSSD_FAILED,
                                _("The Avahi service failed (%s), so devices on the network "
                                  "cannot be found; Bluetooth and entering an address still "
                                  "work"), avahi_strerror (avahi_error)));
      /* A client that failed stays failed: make a new one, which waits for the daemon to
       * return. Not from within its own callback, which Avahi is still running. */
      schedule_reconnect (self, 0);
      break;

    default:
      break;
    }
}

static void
on_client_state (AvahiClient      *client,
                 AvahiClientState  state,
                 void             *user_data)
{
  Link *link = user_data;

  /* avahi_client_new() calls this before it returns; connect_client() applies that state */
  if (link->owner == NULL || link->client != client)
    return;
  apply_state (link->owner, state);
}

static void
connect_client (ThDnssdConnection *self)
{
  int avahi_error = 0;

  self->link->client = avahi_client_new (avahi_glib_poll_get (self->link->poll),
                                         AVAHI_CLIENT_NO_FAIL, on_client_state, self->link,
                                         &avahi_error);
  if (self->link->client == NULL)
    {
      g_debug ("No Avahi client (%s); trying again in %u s", avahi_strerror (avahi_error),
               BUS_RETRY_SECONDS);
      /* Without a system bus there is no Avahi to talk to either. */
      set_state (self, FALSE, not_running_error ());
      schedule_reconnect (self, BUS_RETRY_SECONDS);
      return;
    }
  apply_state (self, avahi_client_get_state (self->link->client));
}

static gboolean
free_link (gpointer user_data)
{
  Link *link = user_data;

  g_clear_pointer (&link->client, avahi_client_free);
  avahi_glib_poll_free (link->poll);
  g_free (link);
  return G_SOURCE_REMOVE;
}

static void
th_dnssd_connection_finalize (GObject *object)
{
  ThDnssdConnection *self = TH_DNSSD_CONNECTION (object);
  GSource *source;

  if (self->reconnect_source != NULL)
    {
      g_source_destroy (self->reconnect_source);
      g_source_unref (self->reconnect_source);
    }
  self->link->owner = NULL;
  source = g_idle_source_new ();
  g_source_set_static_name (source, "[threshold] Avahi client free");
  g_source_set_callback (source, free_link, self->link, NULL);
  g_source_attach (source, self->context);
  g_source_unref (source);
  g_main_context_unref (self->context);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (th_dnssd_connection_parent_class)->finalize (object);
}

static void
th_dnssd_connection_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ThDnssdConnection *self = TH_DNSSD_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
th_dnssd_connection_class_init (ThDnssdConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = th_dnssd_connection_finalize;
  object_class->get_property = th_dnssd_connection_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
th_dnssd_connection_init (ThDnssdConnection *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->link = g_new0 (Link, 1);
  self->link->owner = self;
  self->link->poll = avahi_glib_poll_new (self->context, G_PRIORITY_DEFAULT);
}

ThDnssdConnection *
th_dnssd_connection_dup_default (void)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  ThDnssdConnection *self;

  G_LOCK (default_connection);
  if (default_connection != NULL && default_connection->context == context)
    {
      self = g_object_ref (default_connection);
      G_UNLOCK (default_connection);
      return self;
    }

  self = g_object_new (TH_TYPE_DNSSD_CONNECTION, NULL);
  /* Another context keeps its own connection, unshared. */
  if (default_connection == NULL)
    {
      default_connection = self;
      g_object_add_weak_pointer (G_OBJECT (self), (gpointer *) &default_connection);
    }
  G_UNLOCK (default_connection);

  connect_client (self);
  return self;
}

AvahiClient *
th_dnssd_connection_get_client (ThDnssdConnection *self)
{
  g_return_val_if_fail (TH_IS_DNSSD_CONNECTION (self), NULL);
  return self->running ? self->link->client : NULL;
}

gboolean
th_dnssd_connection_get_running (ThDnssdConnection *self)
{
  g_return_val_if_fail (TH_IS_DNSSD_CONNECTION (self), FALSE);
  return self->running;
}

const GError *
th_dnssd_connection_get_error (ThDnssdConnection *self)
{
  g_return_val_if_fail (TH_IS_DNSSD_CONNECTION (self), NULL);
  return self->error;
}
