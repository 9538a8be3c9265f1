/* th-node-connection.h: a CASE session with a node of the home, to read it and control it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "im/th-im-client.h"
#include "storage/th-store.h"

G_BEGIN_DECLS

/* How long DNS-SD may take to find a node's operational record. */
#define TH_NODE_CONNECTION_RESOLVE_TIMEOUT_MS 10000

typedef enum
{
  TH_ON_OFF_OFF,
  TH_ON_OFF_ON,
  TH_ON_OFF_TOGGLE,
} ThOnOffCommand;

#define TH_TYPE_NODE_CONNECTION (th_node_connection_get_type ())

G_DECLARE_FINAL_TYPE (ThNodeConnection, th_node_connection, TH, NODE_CONNECTION, GObject)

/* Opens a CASE session, on a UDP socket of its own, as the home's controller with node
 * `node_id` of the store: at `address` when given (with its port), else where the node's
 * operational DNS-SD record says (th_operational_session_open_async()). Fails with
 * TH_ERROR_STORE_NO_NODE when the store has no such node, the store's errors, and those of
 * CASE and DNS-SD. */
void              th_node_connection_open_async   (ThStore              *store,
                                                   guint64               node_id,
                                                   GSocketAddress       *address,
                                                   guint                 resolve_timeout_ms,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
ThNodeConnection *th_node_connection_open_finish  (GAsyncResult         *result,
                                                   GError              **error);

/* What the store remembers of the node. */
const ThStoredNode *th_node_connection_get_node   (ThNodeConnection     *self);
ThExchangeManager *th_node_connection_get_manager (ThNodeConnection     *self);
ThSession        *th_node_connection_get_session  (ThNodeConnection     *self);

/* Reads attributes of the node, as th_im_read_async() does. */
void              th_node_connection_read_async   (ThNodeConnection        *self,
                                                   const ThImAttributePath *paths,
                                                   gsize                    n_paths,
                                                   GCancellable            *cancellable,
                                                   GAsyncReadyCallback      callback,
                                                   gpointer                 user_data);
ThImAttributeValues *th_node_connection_read_finish (ThNodeConnection      *self,
                                                     GAsyncResult          *result,
                                                     GError               **error);

/* Sends On, Off or Toggle to the node's On/Off endpoint. TH_ERROR_NODE_LACKS_CLUSTER when it
 * has none, else the errors of th_im_invoke_async(). */
void              th_node_connection_on_off_async      (ThNodeConnection     *self,
                                                        ThOnOffCommand        command,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean          th_node_connection_on_off_finish     (ThNodeConnection     *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
/* Reads the OnOff attribute of the node's On/Off endpoint. */
void              th_node_connection_read_on_off_async (ThNodeConnection     *self,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean          th_node_connection_read_on_off_finish (ThNodeConnection    *self,
                                                         GAsyncResult        *result,
                                                         gboolean            *is_on,
                                                         GError             **error);

/* FALSE once the session has ended: closed here, or by the node (its CloseSession). A
 * connection that is not open is of no more use; open another. */
gboolean          th_node_connection_is_open      (ThNodeConnection     *self);

/* Ends the session, telling the node (CloseSession), and closes the socket. */
void              th_node_connection_close        (ThNodeConnection     *self);

G_END_DECLS
