/* th-case.c: establishing a CASE session with a node through the exchange manager
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "messaging/th-message.h"
#include "th-case-initiator.h"
#include "th-case.h"
#include "th-error.h"

typedef struct
{
  ThExchangeManager *manager;
  ThCaseIdentity *identity;
  ThSession *unsecured_session;
  ThExchange *exchange;
  ThCaseInitiator *initiator;
  gboolean has_dns_sd_mrp;
  ThMrpParameters dns_sd_mrp;
  guint16 local_session_id;
  gboolean session_id_reserved;
} Establish;

/* Ends the handshake's exchange and unsecured session, which are of no more use. */
static void
close_unsecured (ThExchangeManager *manager,
                 ThExchange        *exchange,
                 ThSession         *unsecured_session)
{
  if (exchange != NULL)
    th_exchange_close (exchange);
  if (unsecured_session != NULL)
    th_exchange_manager_close_session (manager, unsecured_session);
}

static void
establish_free (gpointer data)
{
  Establish *establish = data;

  close_unsecured (establish->manager, establish->exchange, establish->unsecured_session);
  if (establish->session_id_reserved)
    th_exchange_manager_release_session_id (establish->manager, establish->local_session_id);
  g_clear_object (&establish->exchange);
  g_clear_object (&establish->unsecured_session);
  g_clear_pointer (&establish->initiator, th_case_initiator_free);
  g_clear_pointer (&establish->identity, th_case_identity_unref);
  g_clear_object (&establish->manager);
  g_free (establish);
}

/* Says which step a failure of the exchange (a timeout, a closed session) cut short. */
static void
prefix_step (Establish  *establish,
             GError    **error)
{
  if (th_case_initiator_get_state (establish->initiator) == TH_CASE_INITIATOR_AWAITING_SIGMA2)
    g_prefix_error (error, _("Opening a secure session with the device failed at step 1 of 2, "
                             "waiting for the device's Sigma2: "));
  else
    g_prefix_error (error, _("Opening a secure session with the device failed at step 2 of 2, "
                             "waiting for the device's StatusReport: "));
}

static void on_message (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data);

static void
send_and_wait (GTask  *task,
               guint8  opcode,
               GBytes *payload)
{
  Establish *establish = g_task_get_task_data (task);

  th_exchange_request_async (establish->exchange, opcode, payload,
                             g_task_get_cancellable (task), on_message, task);
}

/* What the node announced in Sigma2, else what DNS-SD said; FALSE when neither. */
static gboolean
get_peer_mrp (Establish       *establish,
              ThMrpParameters *mrp)
{
  ThSessionParameters parameters;

  if (th_case_initiator_get_peer_parameters (establish->initiator, &parameters))
    {
      th_session_parameters_get_mrp (&parameters, mrp);
      return TRUE;
    }
  if (establish->has_dns_sd_mrp)
    {
      *mrp = establish->dns_sd_mrp;
      return TRUE;
    }
  return FALSE;
}

static void
finish_established (GTask *task)
{
  Establish *establish = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  ThSecureSessionConfig config = { 0 };
  ThMrpParameters peer_mrp;
  ThSessionKeys keys;
  ThSession *session;

  th_case_initiator_get_session_keys (establish->initiator, &keys);
  config.kind = TH_SESSION_KIND_CASE;
  config.peer_address = th_session_get_peer_address (establish->unsecured_session);
  config.local_session_id = establish->local_session_id;
  config.peer_session_id = th_case_initiator_get_peer_session_id (establish->initiator);
  config.is_initiator = TRUE;
  config.local_node_id = th_case_identity_get_node_id (establish->identity);
  config.peer_node_id = th_case_initiator_get_peer_node_id (establish->initiator);
  config.keys = &keys;
  if (get_peer_mrp (establish, &peer_mrp))
    config.peer_mrp_parameters = &peer_mrp;

  /* Acknowledges the device's status report at once. */
  th_exchange_close (establish->exchange);

  session = th_exchange_manager_add_secure_session (establish->manager, &config, &error);
  th_session_keys_clear (&keys);
  if (session == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  establish->session_id_reserved = FALSE;
  g_task_return_pointer (task, session, g_object_unref);
}

typedef struct
{
  ThExchangeManager *manager;
  ThSession *unsecured_session;
} LastReport;

static void
on_last_report_sent (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  LastReport *last = user_data;

  /* Acknowledged, or given up by MRP: nothing more will go out either way. */
  th_exchange_send_finish (TH_EXCHANGE (source), result, NULL);
  close_unsecured (last->manager, TH_EXCHANGE (source), last->unsecured_session);
  g_object_unref (source);
  g_object_unref (last->unsecured_session);
  g_object_unref (last->manager);
  g_free (last);
}

/* Tells the node why we gave up, in the background: the exchange and the unsecured session
 * live on until the report is acknowledged, and nothing waits for that. */
static void
send_last_report (Establish *establish,
                  guint8     opcode,
                  GBytes    *report)
{
  LastReport *last = g_new0 (LastReport, 1);

  last->manager = g_object_ref (establish->manager);
  last->unsecured_session = g_steal_pointer (&establish->unsecured_session);
  th_exchange_send_async (g_steal_pointer (&establish->exchange), opcode, report, NULL,
                          on_last_report_sent, last);
}

static void
on_message (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Establish *establish = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(ThMessage) message = NULL;
  g_autoptr(GBytes) reply = NULL;
  guint8 reply_opcode = 0;
  ThMrpParameters peer_mrp;

  message = th_exchange_request_finish (TH_EXCHANGE (source), result, &error);
  if (message == NULL)
    {
      if (error->domain == TH_ERROR)
        prefix_step (establish, &error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (message->protocol.protocol_id != TH_PROTOCOL_SECURE_CHANNEL ||
      message->protocol.vendor_id != 0)
    {
      g_autofree char *what = th_message_describe_type (message->protocol.protocol_id,
                                                        message->protocol.opcode);

      g_task_return_new_error (task, TH_ERROR, TH_ERROR_CASE_PROTOCOL,
                               _("The device answered the secure session setup with a %s "
                                 "message, which is not part of it"),
                               what);
      return;
    }

  switch (th_case_initiator_process (establish->initiator, message->protocol.opcode,
                                     message->payload, &reply_opcode, &reply, &error))
    {
    case TH_CASE_CONTINUE:
      /* From now on the node's own timing paces the retransmissions. */
      if (get_peer_mrp (establish, &peer_mrp))
        th_session_set_peer_mrp_parameters (establish->unsecured_session, &peer_mrp);
      send_and_wait (g_steal_pointer (&task), reply_opcode, reply);
      return;

    case TH_CASE_ESTABLISHED:
      finish_established (task);
      return;

    case TH_CASE_FAILED:
    default:
      if (reply != NULL)
        send_last_report (establish, reply_opcode, reply);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
}

void
th_case_establish_async (ThExchangeManager      *manager,
                         GSocketAddress         *peer_address,
                         const ThMrpParameters  *peer_mrp_parameters,
                         ThCaseIdentity         *identity,
                         guint64                 peer_node_id,
                         GCancellable           *cancellable,
                         GAsyncReadyCallback     callback,
                         gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sigma1 = NULL;
  ThSessionParameters local_parameters;
  Establish *establish;

  g_return_if_fail (TH_IS_EXCHANGE_MANAGER (manager));
  g_return_if_fail (peer_address == NULL || G_IS_SOCKET_ADDRESS (peer_address));
  g_return_if_fail (identity != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (manager, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_case_establish_async);
  establish = g_new0 (Establish, 1);
  establish->manager = g_object_ref (manager);
  establish->identity = th_case_identity_ref (identity);
  if (peer_mrp_parameters != NULL)
    {
      establish->has_dns_sd_mrp = TRUE;
      establish->dns_sd_mrp = *peer_mrp_parameters;
    }
  g_task_set_task_data (task, establish, establish_free);

  if (!th_exchange_manager_allocate_session_id (manager, &establish->local_session_id, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  establish->session_id_reserved = TRUE;

  th_session_parameters_init_from_mrp (&local_parameters,
                                       th_exchange_manager_get_local_mrp_parameters (manager));
  establish->initiator = th_case_initiator_new (identity, peer_node_id,
                                                establish->local_session_id, &local_parameters,
                                                &error);
  if (establish->initiator != NULL)
    sigma1 = th_case_initiator_start (establish->initiator, &error);
  if (sigma1 != NULL)
    establish->unsecured_session = th_exchange_manager_open_unsecured_session (manager,
                                                                               peer_address,
                                                                               &error);
  if (establish->unsecured_session == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (peer_mrp_parameters != NULL)
    th_session_set_peer_mrp_parameters (establish->unsecured_session, peer_mrp_parameters);

  establish->exchange = th_exchange_manager_initiate (manager, establish->unsecured_session,
                                                      TH_PROTOCOL_SECURE_CHANNEL);
  th_exchange_set_expected_processing_time (establish->exchange, TH_CASE_PROCESSING_TIME_MS);
  send_and_wait (g_steal_pointer (&task), TH_SECURE_CHANNEL_CASE_SIGMA1, sigma1);
}

ThSession *
th_case_establish_finish (ThExchangeManager  *manager,
                          GAsyncResult       *result,
                          GError            **error)
{
  g_return_val_if_fail (TH_IS_EXCHANGE_MANAGER (manager), NULL);
  g_return_val_if_fail (g_task_is_valid (result, manager), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == th_case_establish_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
