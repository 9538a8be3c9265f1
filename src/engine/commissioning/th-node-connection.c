/* th-node-connection.c: a CASE session with a node of the home, to read it and control it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "clusters/th-clusters.h"
#include "messaging/th-udp-transport.h"
#include "secure-channel/th-close-session.h"
#include "th-error.h"
#include "th-node-connection.h"
#include "th-operational-session.h"

struct _ThNodeConnection
{
  GObject parent_instance;

  ThStoredNode *node;
  ThExchangeManager *manager;
  ThSession *session;
};

G_DEFINE_FINAL_TYPE (ThNodeConnection, th_node_connection, G_TYPE_OBJECT)

static void
th_node_connection_finalize (GObject *object)
{
  ThNodeConnection *self = TH_NODE_CONNECTION (object);

  th_node_connection_close (self);
  g_clear_pointer (&self->node, th_stored_node_free);

  G_OBJECT_CLASS (th_node_connection_parent_class)->finalize (object);
}

static void
th_node_connection_class_init (ThNodeConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = th_node_connection_finalize;
}

static void
th_node_connection_init (ThNodeConnection *self)
{
}

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ThNodeConnection *self = g_task_get_task_data (task);
  GError *error = NULL;

  self->session = th_operational_session_open_finish (self->manager, result, &error);
  if (self->session == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_object_ref (self), g_object_unref);
}

/* The controller's own CASE identity, from the store. */
static ThCaseIdentity *
load_identity (ThStore  *store,
               GError  **error)
{
  g_autoptr(ThFabric) fabric = th_store_load_fabric (store, error);
  g_autoptr(ThControllerIdentity) controller = NULL;

  if (fabric == NULL)
    return NULL;
  controller = th_store_load_controller (store, error);
  if (controller == NULL)
    return NULL;
  return th_case_identity_new_for_fabric (fabric, controller->noc_tlv, controller->key, error);
}

void
th_node_connection_open_async (ThStore             *store,
                               guint64              node_id,
                               GSocketAddress      *address,
                               guint                resolve_timeout_ms,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(ThNodeConnection) self = g_object_new (TH_TYPE_NODE_CONNECTION, NULL);
  g_autoptr(ThCaseIdentity) identity = NULL;
  g_autoptr(ThUdpTransport) transport = NULL;
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (store != NULL);
  g_return_if_fail (address == NULL || G_IS_SOCKET_ADDRESS (address));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_node_connection_open_async);
  g_task_set_task_data (task, g_object_ref (self), g_object_unref);

  self->node = th_store_lookup_node (store, node_id, &error);
  if (self->node != NULL)
    identity = load_identity (store, &error);
  if (identity != NULL)
    transport = th_udp_transport_new (NULL, 0, &error);
  if (transport != NULL)
    self->manager = th_exchange_manager_new (TH_TRANSPORT (transport), NULL, &error);
  if (self->manager == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  th_operational_session_open_async (self->manager, identity, node_id, address, NULL,
                                     resolve_timeout_ms, cancellable, on_opened,
                                     g_steal_pointer (&task));
}

ThNodeConnection *
th_node_connection_open_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        th_node_connection_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const ThStoredNode *
th_node_connection_get_node (ThNodeConnection *self)
{
  g_return_val_if_fail (TH_IS_NODE_CONNECTION (self), NULL);

  return self->node;
}

ThExchangeManager *
th_node_connection_get_manager (ThNodeConnection *self)
{
  g_return_val_if_fail (TH_IS_NODE_CONNECTION (self), NULL);

  return self->manager;
}

ThSession *
th_node_connection_get_session (ThNodeConnection *self)
{
  g_return_val_if_fail (TH_IS_NODE_CONNECTION (self), NULL);

  return self->session;
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  ThImAttributeValues *values = th_im_read_finish (TH_EXCHANGE_MANAGER (source), result,
                                                   &error);

  if (values == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, values, (GDestroyNotify) th_im_attribute_values_free);
}

void
th_node_connection_read_async (ThNodeConnection        *self,
                               const ThImAttributePath *paths,
                               gsize                    n_paths,
                               GCancellable            *cancellable,
                               GAsyncReadyCallback      callback,
                               gpointer                 user_data)
{
  GTask *task;

  g_return_if_fail (TH_IS_NODE_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_node_connection_read_async);
  th_im_read_async (self->manager, self->session, paths, n_paths, cancellable, on_read, task);
}

ThImAttributeValues *
th_node_connection_read_finish (ThNodeConnection  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The node's On/Off endpoint, or FALSE with TH_ERROR_NODE_LACKS_CLUSTER. */
static gboolean
get_on_off_endpoint (ThNodeConnection  *self,
                     guint16           *endpoint,
                     GError           **error)
{
  if (self->node->on_off_endpoint == 0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_NODE_LACKS_CLUSTER,
                   _("Node %" G_GUINT64_FORMAT " (%s) cannot be switched on and off: it has no "
                     "On/Off cluster."),
                   self->node->node_id,
                   self->node->product_name != NULL ? self->node->product_name : "?");
      return FALSE;
    }
  *endpoint = self->node->on_off_endpoint;
  return TRUE;
}

static void
on_invoked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!th_im_invoke_finish (TH_EXCHANGE_MANAGER (source), result, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
th_node_connection_on_off_async (ThNodeConnection    *self,
                                 ThOnOffCommand       command,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  static const guint32 command_ids[] = {
    [TH_ON_OFF_OFF] = TH_ON_OFF_CMD_OFF,
    [TH_ON_OFF_ON] = TH_ON_OFF_CMD_ON,
    [TH_ON_OFF_TOGGLE] = TH_ON_OFF_CMD_TOGGLE,
  };
  g_autoptr(GTask) task = NULL;
  ThImCommand invoke = { .cluster = TH_CLUSTER_ON_OFF };
  GError *error = NULL;

  g_return_if_fail (TH_IS_NODE_CONNECTION (self));
  g_return_if_fail (command < G_N_ELEMENTS (command_ids));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_node_connection_on_off_async);
  if (!get_on_off_endpoint (self, &invoke.endpoint, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  invoke.command = command_ids[command];
  th_im_invoke_async (self->manager, self->session, &invoke, TH_IM_NO_RESPONSE_COMMAND, 0,
                      cancellable, on_invoked, g_steal_pointer (&task));
}

gboolean
th_node_connection_on_off_finish (ThNodeConnection  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  guint16 endpoint;
  gboolean is_on;
} OnOffRead;

static void
on_on_off_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OnOffRead *read = g_task_get_task_data (task);
  g_autoptr(ThImAttributeValues) values = NULL;
  GError *error = NULL;

  values = th_node_connection_read_finish (TH_NODE_CONNECTION (source), result, &error);
  if (values == NULL
      || !th_im_attribute_values_get_bool (values, read->endpoint, TH_CLUSTER_ON_OFF,
                                           TH_ON_OFF_ATTR_ON_OFF, &read->is_on, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
th_node_connection_read_on_off_async (ThNodeConnection    *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ThImAttributePath path;
  OnOffRead *read = g_new0 (OnOffRead, 1);
  GError *error = NULL;

  g_return_if_fail (TH_IS_NODE_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_node_connection_read_on_off_async);
  g_task_set_task_data (task, read, g_free);
  if (!get_on_off_endpoint (self, &read->endpoint, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  path = TH_IM_ATTRIBUTE_PATH (read->endpoint, TH_CLUSTER_ON_OFF, TH_ON_OFF_ATTR_ON_OFF);
  th_node_connection_read_async (self, &path, 1, cancellable, on_on_off_read,
                                 g_steal_pointer (&task));
}

gboolean
th_node_connection_read_on_off_finish (ThNodeConnection  *self,
                                       GAsyncResult      *result,
                                       gboolean          *is_on,
                                       GError           **error)
{
  OnOffRead *read;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  read = g_task_get_task_data (G_TASK (result));
  *is_on = read->is_on;
  return TRUE;
}

gboolean
th_node_connection_is_open (ThNodeConnection *self)
{
  g_return_val_if_fail (TH_IS_NODE_CONNECTION (self), FALSE);

  return self->session != NULL && th_session_is_open (self->session);
}

void
th_node_connection_close (ThNodeConnection *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (TH_IS_NODE_CONNECTION (self));

  if (self->session != NULL && !th_close_session (self->manager, self->session, &error))
    g_debug ("The CloseSession report was not sent: %s", error->message);
  if (self->manager != NULL)
    th_exchange_manager_close (self->manager);
  g_clear_object (&self->session);
  g_clear_object (&self->manager);
}
