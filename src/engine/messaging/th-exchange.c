/* th-exchange.c: one conversation within a session, with MRP underneath
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "th-error.h"
#include "th-exchange-private.h"
#include "th-session-private.h"

/* Over a reliable transport there is no MRP schedule to bound the wait; the SDKs allow
 * peers 30 s there, as over TCP. */
#define RELIABLE_TRANSPORT_RESPONSE_MARGIN_MS 30000

struct _ThExchange
{
  GObject parent_instance;

  ThExchangeManager *manager;           /* weak */
  ThClock *clock;
  ThSession *session;
  guint16 id;
  guint16 protocol_id;
  gboolean is_initiator;
  guint expected_processing_ms;
  gboolean closed;

  /* Our last reliable message until the peer acknowledges it. */
  gboolean awaiting_ack;
  GBytes *sent_datagram;
  guint32 sent_counter;
  guint8 sent_opcode;
  guint transmissions;
  gint64 first_sent_ms;
  guint retransmit_timer;

  /* The operation in flight. */
  GTask *task;
  gboolean wants_response;
  GSource *cancel_source;
  guint response_timer;

  /* A peer message we owe an acknowledgement. */
  gboolean ack_pending;
  guint32 ack_counter;
  guint ack_timer;
};

G_DEFINE_FINAL_TYPE (ThExchange, th_exchange, G_TYPE_OBJECT)

static void
stop_timers (ThExchange *self)
{
  th_clock_clear_timeout (self->clock, &self->retransmit_timer);
  th_clock_clear_timeout (self->clock, &self->response_timer);
  th_clock_clear_timeout (self->clock, &self->ack_timer);
}

static void
th_exchange_dispose (GObject *object)
{
  ThExchange *self = TH_EXCHANGE (object);

  stop_timers (self);
  if (self->cancel_source != NULL)
    {
      g_source_destroy (self->cancel_source);
      g_clear_pointer (&self->cancel_source, g_source_unref);
    }
  g_clear_object (&self->task);
  g_clear_weak_pointer (&self->manager);

  G_OBJECT_CLASS (th_exchange_parent_class)->dispose (object);
}

static void
th_exchange_finalize (GObject *object)
{
  ThExchange *self = TH_EXCHANGE (object);

  g_clear_pointer (&self->sent_datagram, g_bytes_unref);
  g_clear_object (&self->session);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (th_exchange_parent_class)->finalize (object);
}

static void
th_exchange_class_init (ThExchangeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = th_exchange_dispose;
  object_class->finalize = th_exchange_finalize;
}

static void
th_exchange_init (ThExchange *self)
{
}

ThExchange *
th_exchange_new (ThExchangeManager *manager,
                 ThSession         *session,
                 guint16            exchange_id,
                 guint16            protocol_id,
                 gboolean           is_initiator)
{
  ThExchange *self = g_object_new (TH_TYPE_EXCHANGE, NULL);

  g_set_weak_pointer (&self->manager, manager);
  self->clock = g_object_ref (th_exchange_manager_get_clock (manager));
  self->session = g_object_ref (session);
  self->id = exchange_id;
  self->protocol_id = protocol_id;
  self->is_initiator = is_initiator;
  self->expected_processing_ms = th_session_get_expected_processing_time (session);
  return self;
}

ThSession *
th_exchange_get_session (ThExchange *self)
{
  g_return_val_if_fail (TH_IS_EXCHANGE (self), NULL);

  return self->session;
}

guint16
th_exchange_get_id (ThExchange *self)
{
  g_return_val_if_fail (TH_IS_EXCHANGE (self), 0);

  return self->id;
}

guint16
th_exchange_get_protocol_id (ThExchange *self)
{
  g_return_val_if_fail (TH_IS_EXCHANGE (self), 0);

  return self->protocol_id;
}

gboolean
th_exchange_is_initiator (ThExchange *self)
{
  g_return_val_if_fail (TH_IS_EXCHANGE (self), FALSE);

  return self->is_initiator;
}

void
th_exchange_set_expected_processing_time (ThExchange *self,
                                          guint       ms)
{
  g_return_if_fail (TH_IS_EXCHANGE (self));

  self->expected_processing_ms = ms;
}

/* Lets the manager drop the exchange once nothing is left to do. */
static void
forget_if_done (ThExchange *self)
{
  if (self->closed && !self->awaiting_ack && self->manager != NULL)
    th_exchange_manager_forget (self->manager, self);
}

static GTask *
take_task (ThExchange *self)
{
  th_clock_clear_timeout (self->clock, &self->response_timer);
  if (self->cancel_source != NULL)
    {
      g_source_destroy (self->cancel_source);
      g_clear_pointer (&self->cancel_source, g_source_unref);
    }
  return g_steal_pointer (&self->task);
}

static void
fail_task (ThExchange *self,
           GError     *error)
{
  g_autoptr(GTask) task = take_task (self);

  if (task != NULL)
    g_task_return_error (task, error);
  else
    g_error_free (error);
}

static void
stop_retransmitting (ThExchange *self)
{
  self->awaiting_ack = FALSE;
  th_clock_clear_timeout (self->clock, &self->retransmit_timer);
  g_clear_pointer (&self->sent_datagram, g_bytes_unref);
}

static void
send_pending_ack (ThExchange *self)
{
  if (!self->ack_pending)
    return;
  self->ack_pending = FALSE;
  th_clock_clear_timeout (self->clock, &self->ack_timer);
  if (self->manager != NULL)
    th_exchange_manager_send_standalone_ack (self->manager, self->session, self->id,
                                             self->is_initiator, self->ack_counter);
}

/* Ends the exchange after a failure: nothing more will be sent or awaited. */
static void
end_with_error (ThExchange *self,
                GError     *error)
{
  g_object_ref (self);
  stop_retransmitting (self);
  self->closed = TRUE;
  fail_task (self, error);
  send_pending_ack (self);
  forget_if_done (self);
  g_object_unref (self);
}

static void
on_ack_timeout (gpointer user_data)
{
  ThExchange *self = user_data;

  self->ack_timer = 0;
  send_pending_ack (self);
}

static void
on_response_timeout (gpointer user_data)
{
  ThExchange *self = user_data;
  g_autofree char *what = th_message_describe_type (self->protocol_id, self->sent_opcode);

  self->response_timer = 0;
  end_with_error (self, g_error_new (TH_ERROR, TH_ERROR_TIMED_OUT,
                                     _("The device did not respond to the %s message; it "
                                       "may be busy, out of range or switched off"),
                                     what));
}

static void
start_response_timer (ThExchange *self)
{
  guint wait_ms = self->expected_processing_ms;

  if (self->manager == NULL)
    return;
  /* The peer's response may itself need every retransmission of its schedule to get here,
   * and the peer retransmits at the pace our own parameters ask for. */
  if (th_exchange_manager_uses_mrp (self->manager))
    {
      const ThMrpParameters *local =
        th_exchange_manager_get_local_mrp_parameters (self->manager);

      wait_ms += th_mrp_retransmission_span_ms (local->active_interval_ms);
    }
  else
    {
      wait_ms += RELIABLE_TRANSPORT_RESPONSE_MARGIN_MS;
    }
  self->response_timer = th_clock_add_timeout (self->clock, wait_ms, on_response_timeout,
                                               self);
}

static void
on_retransmit_timeout (gpointer user_data);

static void
schedule_retransmission (ThExchange *self)
{
  gint64 now = th_clock_now_ms (self->clock);
  guint32 base = th_session_get_retransmission_base (self->session, now);
  guint32 backoff = th_mrp_backoff_ms (base, self->transmissions - 1,
                                       th_exchange_manager_get_jitter (self->manager));

  self->retransmit_timer = th_clock_add_timeout (self->clock, backoff, on_retransmit_timeout,
                                                 self);
}

static void
on_retransmit_timeout (gpointer user_data)
{
  ThExchange *self = user_data;
  g_autoptr(GError) error = NULL;

  self->retransmit_timer = 0;
  if (self->manager == NULL)
    return;

  if (self->transmissions >= TH_MRP_MAX_TRANSMISSIONS)
    {
      g_autofree char *what = th_message_describe_type (self->protocol_id,
                                                        self->sent_opcode);
      gint64 waited = th_clock_now_ms (self->clock) - self->first_sent_ms;

      end_with_error (self, g_error_new (TH_ERROR, TH_ERROR_TIMED_OUT,
                                         _("The device did not acknowledge the %s message "
                                           "after %u transmissions over %.1f s; check that "
                                           "it is switched on and reachable"),
                                         what, self->transmissions, waited / 1000.0));
      return;
    }

  /* A failed retransmission is one more lost datagram: the schedule goes on. */
  if (!th_exchange_manager_transmit (self->manager, self->session, self->sent_datagram,
                                     &error))
    g_debug ("Retransmission on exchange %u failed: %s", self->id, error->message);
  self->transmissions++;
  schedule_retransmission (self);
}

static void
handle_ack (ThExchange *self,
            guint32     counter)
{
  if (!self->awaiting_ack || counter != self->sent_counter)
    return;

  stop_retransmitting (self);
  if (self->task == NULL)
    return;
  if (!self->wants_response)
    {
      g_autoptr(GTask) task = take_task (self);

      g_task_return_boolean (task, TRUE);
    }
  else
    {
      start_response_timer (self);
    }
}

gboolean
th_exchange_receive (ThExchange *self,
                     ThMessage  *message)
{
  const ThProtocolHeader *protocol = &message->protocol;
  gboolean delivered = FALSE;

  g_object_ref (self);

  if (protocol->exchange_flags & TH_EXCHANGE_FLAG_ACK)
    handle_ack (self, protocol->ack_counter);

  if (protocol->protocol_id == TH_PROTOCOL_SECURE_CHANNEL &&
      protocol->opcode == TH_SECURE_CHANNEL_STANDALONE_ACK)
    goto out;

  if ((protocol->exchange_flags & TH_EXCHANGE_FLAG_RELIABLE) && self->closed)
    {
      /* Nothing more will be sent here to carry the acknowledgement. */
      if (self->manager != NULL)
        th_exchange_manager_send_standalone_ack (self->manager, self->session, self->id,
                                                 self->is_initiator, message->header.counter);
    }
  else if (protocol->exchange_flags & TH_EXCHANGE_FLAG_RELIABLE)
    {
      /* Only one acknowledgement can ride on our next message: settle an older one now. */
      if (self->ack_pending && self->ack_counter != message->header.counter)
        send_pending_ack (self);
      self->ack_pending = TRUE;
      self->ack_counter = message->header.counter;
      th_clock_clear_timeout (self->clock, &self->ack_timer);
      self->ack_timer = th_clock_add_timeout (self->clock, TH_MRP_STANDALONE_ACK_TIMEOUT_MS,
                                              on_ack_timeout, self);
    }

  if (self->task != NULL && self->wants_response)
    {
      g_autoptr(GTask) task = NULL;

      /* A response proves the request arrived even if the peer left out the ack. */
      stop_retransmitting (self);
      task = take_task (self);
      g_task_return_pointer (task, th_message_ref (message),
                             (GDestroyNotify) th_message_unref);
      delivered = TRUE;
    }

out:
  forget_if_done (self);
  g_object_unref (self);
  return delivered;
}

void
th_exchange_abort (ThExchange   *self,
                   const GError *error)
{
  g_object_ref (self);
  self->closed = TRUE;
  self->ack_pending = FALSE;
  stop_retransmitting (self);
  stop_timers (self);
  fail_task (self, g_error_copy (error));
  g_object_unref (self);
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  ThExchange *self = user_data;

  end_with_error (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             _("The operation was cancelled")));
  return G_SOURCE_REMOVE;
}

/* Encodes and sends one message, with any acknowledgement owed riding on it. */
static GBytes *
transmit (ThExchange  *self,
          guint8       opcode,
          GBytes      *payload,
          gboolean     reliable,
          guint32     *counter,
          GError     **error)
{
  g_autoptr(GBytes) empty = NULL;
  g_autoptr(GBytes) datagram = NULL;
  ThProtocolHeader protocol = { 0 };

  if (payload == NULL)
    payload = empty = g_bytes_new (NULL, 0);

  protocol.exchange_flags = (self->is_initiator ? TH_EXCHANGE_FLAG_INITIATOR : 0) |
                            (reliable ? TH_EXCHANGE_FLAG_RELIABLE : 0);
  protocol.opcode = opcode;
  protocol.exchange_id = self->id;
  protocol.protocol_id = self->protocol_id;
  if (self->ack_pending)
    {
      protocol.exchange_flags |= TH_EXCHANGE_FLAG_ACK;
      protocol.ack_counter = self->ack_counter;
    }

  datagram = th_exchange_manager_encode (self->manager, self->session, &protocol, payload,
                                         counter, error);
  if (datagram == NULL ||
      !th_exchange_manager_transmit (self->manager, self->session, datagram, error))
    return NULL;

  /* The acknowledgement rode on this message. */
  if (self->ack_pending)
    {
      self->ack_pending = FALSE;
      th_clock_clear_timeout (self->clock, &self->ack_timer);
    }
  return g_steal_pointer (&datagram);
}

static void
start_operation (ThExchange   *self,
                 guint8        opcode,
                 GBytes       *payload,
                 gboolean      wants_response,
                 GTask        *task_in)
{
  g_autoptr(GTask) task = task_in;
  g_autoptr(GBytes) datagram = NULL;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  gboolean mrp;
  guint32 counter;

  if (self->task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("Another operation is already running on this exchange"));
      return;
    }
  if (self->closed || self->manager == NULL)
    {
      g_task_return_new_error (task, TH_ERROR, TH_ERROR_SESSION_CLOSED,
                               _("The exchange with the device has ended"));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    {
      end_with_error (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 _("The operation was cancelled")));
      return;
    }

  mrp = th_exchange_manager_uses_mrp (self->manager);
  datagram = transmit (self, opcode, payload, mrp, &counter, &error);
  if (datagram == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->task = g_steal_pointer (&task);
  self->wants_response = wants_response;
  self->sent_opcode = opcode;
  if (cancellable != NULL)
    {
      self->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (self->cancel_source, "[threshold] exchange cancelled");
      g_source_set_callback (self->cancel_source, G_SOURCE_FUNC (on_cancelled), self, NULL);
      g_source_attach (self->cancel_source, g_main_context_get_thread_default ());
    }

  if (mrp)
    {
      self->awaiting_ack = TRUE;
      self->sent_datagram = g_steal_pointer (&datagram);
      self->sent_counter = counter;
      self->transmissions = 1;
      self->first_sent_ms = th_clock_now_ms (self->clock);
      schedule_retransmission (self);
    }
  else if (wants_response)
    {
      start_response_timer (self);
    }
  else
    {
      g_autoptr(GTask) done = take_task (self);

      g_task_return_boolean (done, TRUE);
    }
}

void
th_exchange_request_async (ThExchange          *self,
                           guint8               opcode,
                           GBytes              *payload,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TH_IS_EXCHANGE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_exchange_request_async);
  start_operation (self, opcode, payload, TRUE, task);
}

ThMessage *
th_exchange_request_finish (ThExchange    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (TH_IS_EXCHANGE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == th_exchange_request_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
th_exchange_send_async (ThExchange          *self,
                        guint8               opcode,
                        GBytes              *payload,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TH_IS_EXCHANGE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_exchange_send_async);
  start_operation (self, opcode, payload, FALSE, task);
}

gboolean
th_exchange_send_finish (ThExchange    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (TH_IS_EXCHANGE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == th_exchange_send_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
th_exchange_send_unreliable (ThExchange  *self,
                             guint8       opcode,
                             GBytes      *payload,
                             GError     **error)
{
  g_autoptr(GBytes) datagram = NULL;
  guint32 counter;

  g_return_val_if_fail (TH_IS_EXCHANGE (self), FALSE);

  if (self->task != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                           _("Another operation is already running on this exchange"));
      return FALSE;
    }
  if (self->closed || self->manager == NULL)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_SESSION_CLOSED,
                           _("The exchange with the device has ended"));
      return FALSE;
    }

  datagram = transmit (self, opcode, payload, FALSE, &counter, error);
  th_exchange_close (self);
  return datagram != NULL;
}

void
th_exchange_close (ThExchange *self)
{
  g_return_if_fail (TH_IS_EXCHANGE (self));

  if (self->closed)
    return;

  g_object_ref (self);
  self->closed = TRUE;
  fail_task (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                        _("The exchange was closed")));
  send_pending_ack (self);
  forget_if_done (self);
  g_object_unref (self);
}
