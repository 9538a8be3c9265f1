/* th-pase.c: establishing a PASE session with a device through the exchange manager
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "th-error.h"
#include "th-pase-initiator.h"
#include "th-pase.h"

gboolean
th_pbkdf_parameters_from_payload (const ThSetupPayload *payload,
                                  ThPbkdfParameters    *parameters,
                                  gboolean             *has_parameters,
                                  GError              **error)
{
  gsize salt_len;
  const guint8 *salt;

  memset (parameters, 0, sizeof *parameters);
  *has_parameters = payload->pbkdf_iterations != 0 && payload->pbkdf_salt != NULL;
  if (!*has_parameters)
    return TRUE;

  salt = g_bytes_get_data (payload->pbkdf_salt, &salt_len);
  parameters->iterations = payload->pbkdf_iterations;
  parameters->salt_len = MIN (salt_len, sizeof parameters->salt);
  memcpy (parameters->salt, salt, parameters->salt_len);
  if (salt_len > sizeof parameters->salt || !th_pbkdf_parameters_check (parameters, NULL))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                   _("The PBKDF parameters in the QR code are out of bounds: %u "
                     "iterations (%u to %u allowed) and a salt of %zu bytes (%u to %u "
                     "allowed)."),
                   payload->pbkdf_iterations, TH_PBKDF_MIN_ITERATIONS,
                   TH_PBKDF_MAX_ITERATIONS, salt_len, TH_PBKDF_MIN_SALT_LEN,
                   TH_PBKDF_MAX_SALT_LEN);
      *has_parameters = FALSE;
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  ThExchangeManager *manager;
  ThSession *unsecured_session;
  ThExchange *exchange;
  ThPaseInitiator *initiator;
  guint16 local_session_id;
  gboolean session_id_reserved;
} Establish;

static void
establish_free (gpointer data)
{
  Establish *establish = data;

  if (establish->exchange != NULL)
    th_exchange_close (establish->exchange);
  if (establish->session_id_reserved)
    th_exchange_manager_release_session_id (establish->manager, establish->local_session_id);
  g_clear_object (&establish->exchange);
  g_clear_pointer (&establish->initiator, th_pase_initiator_free);
  g_clear_object (&establish->unsecured_session);
  g_clear_object (&establish->manager);
  g_free (establish);
}

/* Says which step a failure of the exchange (a timeout, a closed session) cut short. */
static void
prefix_step (Establish  *establish,
             GError    **error)
{
  guint step;
  const char *awaited;

  switch (th_pase_initiator_get_state (establish->initiator))
    {
    case TH_PASE_INITIATOR_AWAITING_PBKDF_PARAM_RESPONSE:
      step = 1;
      awaited = "PBKDFParamResponse";
      break;
    case TH_PASE_INITIATOR_AWAITING_PAKE2:
      step = 2;
      awaited = "Pake2";
      break;
    case TH_PASE_INITIATOR_AWAITING_STATUS_REPORT:
      step = 3;
      awaited = "StatusReport";
      break;
    case TH_PASE_INITIATOR_NEW:
    case TH_PASE_INITIATOR_ESTABLISHED:
    case TH_PASE_INITIATOR_FAILED:
    default:
      g_return_if_reached ();
    }
  /* TRANSLATORS: the first %s is a PASE message name; the error follows the colon */
  g_prefix_error (error, _("Setting up the passcode session failed at step %u of 3, waiting "
                           "for the device's %s: "),
                  step, awaited);
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

static void
finish_established (GTask *task)
{
  Establish *establish = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  ThSecureSessionConfig config = { 0 };
  ThSessionParameters peer_parameters;
  ThMrpParameters peer_mrp;
  ThSessionKeys keys;
  ThSession *session;

  th_pase_initiator_get_session_keys (establish->initiator, &keys);
  config.kind = TH_SESSION_KIND_PASE;
  config.peer_address = th_session_get_peer_address (establish->unsecured_session);
  config.local_session_id = establish->local_session_id;
  config.peer_session_id = th_pase_initiator_get_peer_session_id (establish->initiator);
  config.is_initiator = TRUE;
  config.local_node_id = TH_NODE_ID_UNSPECIFIED;
  config.peer_node_id = TH_NODE_ID_UNSPECIFIED;
  config.keys = &keys;
  if (th_pase_initiator_get_peer_parameters (establish->initiator, &peer_parameters))
    {
      th_session_parameters_get_mrp (&peer_parameters, &peer_mrp);
      config.peer_mrp_parameters = &peer_mrp;
    }

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
  ThPaseResult outcome;

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

      g_task_return_new_error (task, TH_ERROR, TH_ERROR_PASE_PROTOCOL,
                               _("The device answered the passcode session setup with a %s "
                                 "message, which is not part of it"),
                               what);
      return;
    }

  outcome = th_pase_initiator_process (establish->initiator, message->protocol.opcode,
                                       message->payload, &reply_opcode, &reply, &error);
  switch (outcome)
    {
    case TH_PASE_CONTINUE:
      /* From now on the device's own timing paces the retransmissions. */
      if (reply_opcode == TH_SECURE_CHANNEL_PASE_PAKE1)
        {
          ThSessionParameters parameters;
          ThMrpParameters mrp;

          if (th_pase_initiator_get_peer_parameters (establish->initiator, &parameters))
            {
              th_session_parameters_get_mrp (&parameters, &mrp);
              th_session_set_peer_mrp_parameters (establish->unsecured_session, &mrp);
            }
        }
      send_and_wait (g_steal_pointer (&task), reply_opcode, reply);
      return;

    case TH_PASE_ESTABLISHED:
      finish_established (task);
      return;

    case TH_PASE_FAILED:
    default:
      /* The device is told why, on a best-effort basis: MRP keeps sending the report after
       * the exchange is closed, and nothing waits for it. */
      if (reply != NULL)
        th_exchange_send_async (establish->exchange, reply_opcode, reply, NULL, NULL, NULL);
      th_exchange_close (establish->exchange);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
}

void
th_pase_establish_async (ThExchangeManager        *manager,
                         ThSession                *unsecured_session,
                         guint32                   passcode,
                         const ThPbkdfParameters  *pbkdf_parameters,
                         GCancellable             *cancellable,
                         GAsyncReadyCallback       callback,
                         gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) request = NULL;
  ThSessionParameters local_parameters;
  Establish *establish;

  g_return_if_fail (TH_IS_EXCHANGE_MANAGER (manager));
  g_return_if_fail (TH_IS_SESSION (unsecured_session));
  g_return_if_fail (!th_session_is_secure (unsecured_session));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (manager, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_pase_establish_async);
  establish = g_new0 (Establish, 1);
  establish->manager = g_object_ref (manager);
  establish->unsecured_session = g_object_ref (unsecured_session);
  g_task_set_task_data (task, establish, establish_free);

  if (!th_exchange_manager_allocate_session_id (manager, &establish->local_session_id, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  establish->session_id_reserved = TRUE;

  th_session_parameters_init_from_mrp (&local_parameters,
                                       th_exchange_manager_get_local_mrp_parameters (manager));
  establish->initiator = th_pase_initiator_new (passcode, establish->local_session_id,
                                                pbkdf_parameters, &local_parameters, &error);
  if (establish->initiator != NULL)
    request = th_pase_initiator_start (establish->initiator, &error);
  if (request == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  establish->exchange = th_exchange_manager_initiate (manager, unsecured_session,
                                                      TH_PROTOCOL_SECURE_CHANNEL);
  th_exchange_set_expected_processing_time (establish->exchange, TH_PASE_PROCESSING_TIME_MS);
  send_and_wait (g_steal_pointer (&task), TH_SECURE_CHANNEL_PBKDF_PARAM_REQUEST, request);
}

ThSession *
th_pase_establish_finish (ThExchangeManager  *manager,
                          GAsyncResult       *result,
                          GError            **error)
{
  g_return_val_if_fail (TH_IS_EXCHANGE_MANAGER (manager), NULL);
  g_return_val_if_fail (g_task_is_valid (result, manager), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == th_pase_establish_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
