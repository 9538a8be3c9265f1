/* th-im-client.c: Interaction Model read, invoke and write over a secure session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "clusters/th-cluster-names.h"
#include "th-error.h"
#include "th-im-client.h"

typedef enum
{
  INTERACTION_READ,
  INTERACTION_INVOKE,
  INTERACTION_WRITE,
} InteractionKind;

typedef struct
{
  InteractionKind kind;
  ThExchange *exchange;
  char *what;                 /* the attributes or the command, in words */
  guint8 request_opcode;
  GBytes *request;
  guint16 timed_timeout_ms;

  /* read */
  ThImAttributeValues *values;
  guint chunks;

  /* invoke */
  ThImCommand command;        /* without its fields, which the request carries */
  guint32 response_command;

  /* write */
  ThImAttributePath path;
} Interaction;

static void
interaction_free (Interaction *interaction)
{
  g_clear_object (&interaction->exchange);
  g_free (interaction->what);
  g_clear_pointer (&interaction->request, g_bytes_unref);
  g_clear_pointer (&interaction->values, th_im_attribute_values_free);
  g_free (interaction);
}

static void on_response (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data);

/* Ends the exchange: an acknowledgement still owed goes out now, not when the task goes. */
static void
end_exchange (Interaction *interaction)
{
  if (interaction->exchange != NULL)
    th_exchange_close (interaction->exchange);
  g_clear_object (&interaction->exchange);
}

static void
succeed (GTask          *task,
         gpointer        result,
         GDestroyNotify  result_destroy)
{
  end_exchange (g_task_get_task_data (task));
  g_task_return_pointer (task, result, result_destroy);
  g_object_unref (task);
}

/* Ends the interaction with `error`, adding what was asked for in front of an error that
 * does not name it already. */
static void
fail (GTask  *task,
      GError *error)
{
  Interaction *interaction = g_task_get_task_data (task);

  end_exchange (interaction);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      && strstr (error->message, interaction->what) == NULL)
    {
      switch (interaction->kind)
        {
        case INTERACTION_READ:
          g_prefix_error (&error, _("Could not read %s: "), interaction->what);
          break;
        case INTERACTION_INVOKE:
          g_prefix_error (&error, _("Could not invoke %s: "), interaction->what);
          break;
        case INTERACTION_WRITE:
          g_prefix_error (&error, _("Could not write %s: "), interaction->what);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
fail_unexpected (GTask     *task,
                 ThMessage *message)
{
  Interaction *interaction = g_task_get_task_data (task);
  g_autofree char *sent = th_message_describe_type (TH_IM_PROTOCOL_ID,
                                                    interaction->request_opcode);
  g_autofree char *received = th_message_describe_type (message->protocol.protocol_id,
                                                        message->protocol.opcode);

  fail (task, g_error_new (TH_ERROR, TH_ERROR_IM_PROTOCOL,
                           _("The device answered the %s with a message of another kind, %s"),
                           sent, received));
}

/* The StatusResponse a device sends in place of the answer when it refuses the request. */
static void
fail_with_status_response (GTask     *task,
                           ThMessage *message)
{
  Interaction *interaction = g_task_get_task_data (task);
  g_autofree char *context = NULL;
  GError *error = NULL;
  ThImStatusIB status = { 0 };

  if (!th_im_status_response_decode (message->payload, &status.status, &error))
    {
      fail (task, error);
      return;
    }
  if (status.status == TH_IM_STATUS_SUCCESS)
    {
      fail_unexpected (task, message);
      return;
    }
  switch (interaction->kind)
    {
    case INTERACTION_READ:
      context = g_strdup_printf (_("The device refused to read %s"), interaction->what);
      break;
    case INTERACTION_INVOKE:
      context = g_strdup_printf (_("The device refused %s"), interaction->what);
      break;
    case INTERACTION_WRITE:
      context = g_strdup_printf (_("The device refused to write %s"), interaction->what);
      break;
    default:
      g_assert_not_reached ();
    }
  th_im_status_check (&status, context, &error);
  fail (task, error);
}

/* Sends `opcode` and waits for the device's next message on the exchange. */
static void
request (GTask  *task,
         guint8  opcode,
         GBytes *payload)
{
  Interaction *interaction = g_task_get_task_data (task);

  th_exchange_request_async (interaction->exchange, opcode, payload,
                             g_task_get_cancellable (task), on_response, task);
}

static void
request_status_success (GTask *task)
{
  g_autoptr(GBytes) status = th_im_encode_status_response (TH_IM_STATUS_SUCCESS);

  request (task, TH_IM_OPCODE_STATUS_RESPONSE, status);
}

static void
handle_report (GTask     *task,
               ThMessage *message)
{
  Interaction *interaction = g_task_get_task_data (task);
  g_autoptr(ThImReportData) report = NULL;
  g_autoptr(GBytes) status = NULL;
  GError *error = NULL;

  report = th_im_report_data_decode (message->payload, &error);
  if (report == NULL)
    {
      fail (task, error);
      return;
    }
  if (report->has_subscription_id)
    {
      fail (task, g_error_new (TH_ERROR, TH_ERROR_IM_PROTOCOL,
                               _("The device answered with a report for subscription %u, "
                                 "which was never asked for"), report->subscription_id));
      return;
    }
  if (!th_im_attribute_values_add (interaction->values, report, &error))
    {
      fail (task, error);
      return;
    }
  if (++interaction->chunks > TH_IM_READ_MAX_CHUNKS)
    {
      fail (task, g_error_new (TH_ERROR, TH_ERROR_IM_PROTOCOL,
                               _("The device sent more than %u report messages"),
                               TH_IM_READ_MAX_CHUNKS));
      return;
    }

  if (report->more_chunked_messages)
    {
      request_status_success (task);
      return;
    }

  /* The last report: it wants a StatusResponse unless it says otherwise. The exchange goes
   * on retransmitting that until the device acknowledges it, after the read is done. */
  if (!report->suppress_response)
    {
      status = th_im_encode_status_response (TH_IM_STATUS_SUCCESS);
      th_exchange_send_async (interaction->exchange, TH_IM_OPCODE_STATUS_RESPONSE, status, NULL,
                              NULL, NULL);
    }
  succeed (task, g_steal_pointer (&interaction->values),
           (GDestroyNotify) th_im_attribute_values_free);
}

static void
handle_invoke_response (GTask     *task,
                        ThMessage *message)
{
  Interaction *interaction = g_task_get_task_data (task);
  g_autoptr(ThImInvokeResponse) response = NULL;
  GError *error = NULL;
  const guint8 *fields;
  gsize fields_len;

  response = th_im_invoke_response_decode (message->payload, &error);
  if (response == NULL)
    {
      fail (task, error);
      return;
    }
  /* A response is split only when a request carries several commands. */
  if (response->more_chunked_messages)
    {
      fail (task, g_error_new_literal (TH_ERROR, TH_ERROR_IM_PROTOCOL,
                                       _("The device split its answer to a single command "
                                         "over several messages")));
      return;
    }
  if (!th_im_invoke_response_check (response, &interaction->command,
                                    interaction->response_command, interaction->what,
                                    &fields, &fields_len, &error))
    {
      fail (task, error);
      return;
    }
  if (fields == NULL)
    {
      succeed (task, NULL, NULL);
    }
  else
    {
      gsize offset = fields - (const guint8 *) g_bytes_get_data (message->payload, NULL);

      succeed (task, g_bytes_new_from_bytes (message->payload, offset, fields_len),
               (GDestroyNotify) g_bytes_unref);
    }
}

static void
handle_write_response (GTask     *task,
                       ThMessage *message)
{
  Interaction *interaction = g_task_get_task_data (task);
  g_autoptr(ThImWriteResponse) response = NULL;
  GError *error = NULL;

  response = th_im_write_response_decode (message->payload, &error);
  if (response == NULL)
    {
      fail (task, error);
      return;
    }
  for (guint i = 0; i < response->statuses->len; i++)
    {
      const ThImAttributeStatus *s = &g_array_index (response->statuses, ThImAttributeStatus, i);
      g_autofree char *context = NULL;

      if (s->path.endpoint != interaction->path.endpoint
          || s->path.cluster != interaction->path.cluster
          || s->path.attribute != interaction->path.attribute)
        continue;
      context = g_strdup_printf (_("The device refused to write %s"), interaction->what);
      if (!th_im_status_check (&s->status, context, &error))
        {
          fail (task, error);
          return;
        }
      succeed (task, GINT_TO_POINTER (TRUE), NULL);
      return;
    }
  fail (task, g_error_new_literal (TH_ERROR, TH_ERROR_IM_PROTOCOL,
                                   _("The device's write response says nothing about it")));
}

static void
on_response (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Interaction *interaction = g_task_get_task_data (task);
  g_autoptr(ThMessage) message = NULL;
  GError *error = NULL;
  guint8 opcode;

  message = th_exchange_request_finish (TH_EXCHANGE (source), result, &error);
  if (message == NULL)
    {
      fail (task, error);
      return;
    }
  opcode = message->protocol.opcode;
  if (message->protocol.protocol_id != TH_IM_PROTOCOL_ID)
    {
      fail_unexpected (task, message);
      return;
    }

  /* The answer to a TimedRequest: the request it announced goes next. */
  if (interaction->request_opcode == TH_IM_OPCODE_TIMED_REQUEST)
    {
      ThImStatusIB status = { 0 };
      g_autofree char *context = NULL;

      if (opcode != TH_IM_OPCODE_STATUS_RESPONSE)
        {
          fail_unexpected (task, message);
          return;
        }
      if (!th_im_status_response_decode (message->payload, &status.status, &error))
        {
          fail (task, error);
          return;
        }
      context = g_strdup_printf (_("The device refused the timed request for %s"),
                                 interaction->what);
      if (!th_im_status_check (&status, context, &error))
        {
          fail (task, error);
          return;
        }
      interaction->request_opcode = interaction->kind == INTERACTION_INVOKE
                                    ? TH_IM_OPCODE_INVOKE_REQUEST : TH_IM_OPCODE_WRITE_REQUEST;
      request (task, interaction->request_opcode, interaction->request);
      return;
    }

  if (opcode == TH_IM_OPCODE_STATUS_RESPONSE)
    fail_with_status_response (task, message);
  else if (interaction->kind == INTERACTION_READ && opcode == TH_IM_OPCODE_REPORT_DATA)
    handle_report (task, message);
  else if (interaction->kind == INTERACTION_INVOKE && opcode == TH_IM_OPCODE_INVOKE_RESPONSE)
    handle_invoke_response (task, message);
  else if (interaction->kind == INTERACTION_WRITE && opcode == TH_IM_OPCODE_WRITE_RESPONSE)
    handle_write_response (task, message);
  else
    fail_unexpected (task, message);
}

static void
start (ThExchangeManager   *manager,
       ThSession           *session,
       Interaction         *interaction,
       gpointer             source_tag,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  GTask *task = g_task_new (manager, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, interaction, (GDestroyNotify) interaction_free);
  interaction->exchange = th_exchange_manager_initiate (manager, session, TH_IM_PROTOCOL_ID);

  if (interaction->timed_timeout_ms > 0)
    {
      g_autoptr(GBytes) timed = th_im_encode_timed_request (interaction->timed_timeout_ms);

      /* The request proper follows once the device accepted the timed request. */
      interaction->request_opcode = TH_IM_OPCODE_TIMED_REQUEST;
      request (task, TH_IM_OPCODE_TIMED_REQUEST, timed);
      return;
    }
  request (task, interaction->request_opcode, interaction->request);
}

void
th_im_read_async (ThExchangeManager        *manager,
                  ThSession                *session,
                  const ThImAttributePath  *paths,
                  gsize                     n_paths,
                  GCancellable             *cancellable,
                  GAsyncReadyCallback       callback,
                  gpointer                  user_data)
{
  Interaction *interaction;

  g_return_if_fail (TH_IS_EXCHANGE_MANAGER (manager));
  g_return_if_fail (TH_IS_SESSION (session));
  g_return_if_fail (paths != NULL && n_paths > 0);

  interaction = g_new0 (Interaction, 1);
  interaction->kind = INTERACTION_READ;
  interaction->what = th_attribute_paths_describe (paths, n_paths);
  interaction->request_opcode = TH_IM_OPCODE_READ_REQUEST;
  interaction->request = th_im_encode_read_request (paths, n_paths, NULL, 0, TRUE);
  interaction->values = th_im_attribute_values_new ();
  start (manager, session, interaction, th_im_read_async, cancellable, callback, user_data);
}

ThImAttributeValues *
th_im_read_finish (ThExchangeManager  *manager,
                   GAsyncResult       *result,
                   GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, manager), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == th_im_read_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
th_im_invoke_async (ThExchangeManager   *manager,
                    ThSession           *session,
                    const ThImCommand   *command,
                    guint32              response_command,
                    guint16              timed_timeout_ms,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  Interaction *interaction;

  g_return_if_fail (TH_IS_EXCHANGE_MANAGER (manager));
  g_return_if_fail (TH_IS_SESSION (session));
  g_return_if_fail (command != NULL);

  interaction = g_new0 (Interaction, 1);
  interaction->kind = INTERACTION_INVOKE;
  interaction->what = th_command_describe (command->endpoint, command->cluster,
                                           command->command);
  interaction->request_opcode = TH_IM_OPCODE_INVOKE_REQUEST;
  interaction->request = th_im_encode_invoke_request (command, 1, timed_timeout_ms > 0, FALSE);
  interaction->timed_timeout_ms = timed_timeout_ms;
  interaction->command = *command;
  interaction->command.fields = NULL;
  interaction->response_command = response_command;
  start (manager, session, interaction, th_im_invoke_async, cancellable, callback, user_data);
}

gboolean
th_im_invoke_finish (ThExchangeManager  *manager,
                     GAsyncResult       *result,
                     GBytes            **fields,
                     GError            **error)
{
  g_autoptr(GError) local = NULL;
  GBytes *response_fields;

  g_return_val_if_fail (g_task_is_valid (result, manager), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == th_im_invoke_async, FALSE);

  response_fields = g_task_propagate_pointer (G_TASK (result), &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (fields != NULL)
    *fields = response_fields;
  else if (response_fields != NULL)
    g_bytes_unref (response_fields);
  return TRUE;
}

void
th_im_write_async (ThExchangeManager        *manager,
                   ThSession                *session,
                   const ThImAttributePath  *path,
                   GBytes                   *data,
                   guint16                   timed_timeout_ms,
                   GCancellable             *cancellable,
                   GAsyncReadyCallback       callback,
                   gpointer                  user_data)
{
  Interaction *interaction;

  g_return_if_fail (TH_IS_EXCHANGE_MANAGER (manager));
  g_return_if_fail (TH_IS_SESSION (session));
  g_return_if_fail (path != NULL);
  g_return_if_fail (data != NULL);

  interaction = g_new0 (Interaction, 1);
  interaction->kind = INTERACTION_WRITE;
  interaction->what = th_attribute_describe (path->endpoint, path->cluster, path->attribute);
  interaction->request_opcode = TH_IM_OPCODE_WRITE_REQUEST;
  interaction->request = th_im_encode_write_request (path, data, FALSE, 0,
                                                     timed_timeout_ms > 0);
  interaction->timed_timeout_ms = timed_timeout_ms;
  interaction->path = *path;
  start (manager, session, interaction, th_im_write_async, cancellable, callback, user_data);
}

gboolean
th_im_write_finish (ThExchangeManager  *manager,
                    GAsyncResult       *result,
                    GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, manager), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == th_im_write_async, FALSE);

  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}
