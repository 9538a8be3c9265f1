/* th-btp-transport.c: Matter messages over BTP, on a GATT link
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "th-btp-transport.h"
#include "th-error.h"

struct _ThBtpTransport
{
  GObject parent_instance;

  ThBtpLink *link;
  ThClock *clock;
  ThBtpSession *session;
  GCancellable *cancellable;       /* the link operations in flight */
  GTask *open_task;
  GSource *open_cancel_source;
  gulong received_handler;
  gulong subscribed_handler;
  gulong disconnected_handler;
  gboolean disposing;
};

enum {
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void th_btp_transport_iface_init (ThTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ThBtpTransport, th_btp_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TH_TYPE_TRANSPORT,
                                                      th_btp_transport_iface_init))

static void
on_write_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ThBtpTransport) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!th_btp_link_write_finish (TH_BTP_LINK (source), result, &error))
    {
      g_autoptr(GError) failure = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      failure = g_error_new (TH_ERROR, TH_ERROR_TRANSPORT,
                             _("Writing to the device over Bluetooth failed: %s"),
                             error->message);
      th_btp_session_close (self->session, failure);
      return;
    }
  th_btp_session_write_done (self->session);
}

static void
on_session_write (ThBtpSession *session,
                  GBytes       *packet,
                  gpointer      user_data)
{
  ThBtpTransport *self = user_data;

  th_btp_link_write_async (self->link, packet, self->cancellable, on_write_done,
                           g_object_ref (self));
}

static void
on_subscribe_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ThBtpTransport) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) failure = NULL;

  if (th_btp_link_subscribe_finish (TH_BTP_LINK (source), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  failure = g_error_new (TH_ERROR, TH_ERROR_TRANSPORT,
                         _("Could not subscribe to the device’s Matter characteristic C2: %s"),
                         error->message);
  th_btp_session_close (self->session, failure);
}

static void
on_session_subscribe (ThBtpSession *session,
                      gpointer      user_data)
{
  ThBtpTransport *self = user_data;

  th_btp_link_subscribe_async (self->link, self->cancellable, on_subscribe_done,
                               g_object_ref (self));
}

static void
finish_open (ThBtpTransport *self,
             const GError   *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->open_task);

  if (self->open_cancel_source != NULL)
    {
      g_source_destroy (self->open_cancel_source);
      g_clear_pointer (&self->open_cancel_source, g_source_unref);
    }
  if (task == NULL)
    return;
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_session_opened (ThBtpSession *session,
                   gpointer      user_data)
{
  finish_open (TH_BTP_TRANSPORT (user_data), NULL);
}

static void
on_session_message (ThBtpSession *session,
                    GBytes       *message,
                    gpointer      user_data)
{
  th_transport_emit_received (TH_TRANSPORT (user_data), message, NULL);
}

static void
release_link (ThBtpTransport *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_signal_handler (&self->received_handler, self->link);
  g_clear_signal_handler (&self->subscribed_handler, self->link);
  g_clear_signal_handler (&self->disconnected_handler, self->link);
  th_btp_link_close (self->link);
}

static void
on_session_closed (ThBtpSession *session,
                   const GError *error,
                   gpointer      user_data)
{
  ThBtpTransport *self = user_data;

  release_link (self);
  /* Until it is open, the reason goes to whoever is opening it. */
  if (self->open_task != NULL)
    {
      g_autoptr(GError) closed = NULL;

      if (error == NULL)
        closed = g_error_new_literal (TH_ERROR, TH_ERROR_TRANSPORT,
                                      _("The Bluetooth session was closed before it opened"));
      finish_open (self, error != NULL ? error : closed);
      return;
    }
  if (error != NULL && !self->disposing)
    g_signal_emit (self, signals[CLOSED], 0, error);
}

static const ThBtpSessionCallbacks session_callbacks = {
  on_session_write,
  on_session_subscribe,
  on_session_opened,
  on_session_message,
  on_session_closed,
};

static void
on_link_received (ThBtpLink *link,
                  GBytes    *packet,
                  gpointer   user_data)
{
  ThBtpTransport *self = user_data;
  gsize len;
  const guint8 *data = g_bytes_get_data (packet, &len);

  th_btp_session_receive (self->session, data, len);
}

static void
on_link_subscribed (ThBtpLink *link,
                    gpointer   user_data)
{
  ThBtpTransport *self = user_data;

  if (th_btp_session_get_role (self->session) == TH_BTP_ROLE_PERIPHERAL)
    th_btp_session_peer_subscribed (self->session);
}

static void
on_link_disconnected (ThBtpLink    *link,
                      const GError *error,
                      gpointer      user_data)
{
  ThBtpTransport *self = user_data;

  th_btp_session_close (self->session, error);
}

static gboolean
on_open_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  ThBtpTransport *self = user_data;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 _("Opening the Bluetooth session was "
                                                   "cancelled"));

  th_btp_session_close (self->session, error);
  return G_SOURCE_REMOVE;
}

void
th_btp_transport_open_async (ThBtpTransport      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (TH_IS_BTP_TRANSPORT (self));
  g_return_if_fail (self->open_task == NULL);
  g_return_if_fail (th_btp_session_get_state (self->session) == TH_BTP_SESSION_NEW);

  self->open_task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->open_task, th_btp_transport_open_async);
  if (cancellable != NULL)
    {
      self->open_cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (self->open_cancel_source, "[threshold] BTP open cancelled");
      g_source_set_callback (self->open_cancel_source, G_SOURCE_FUNC (on_open_cancelled), self,
                             NULL);
      g_source_attach (self->open_cancel_source, g_main_context_get_thread_default ());
    }

  self->received_handler = g_signal_connect (self->link, "received",
                                             G_CALLBACK (on_link_received), self);
  self->subscribed_handler = g_signal_connect (self->link, "subscribed",
                                               G_CALLBACK (on_link_subscribed), self);
  self->disconnected_handler = g_signal_connect (self->link, "disconnected",
                                                 G_CALLBACK (on_link_disconnected), self);
  th_btp_session_start (self->session, th_btp_link_get_att_mtu (self->link));
}

gboolean
th_btp_transport_open_finish (ThBtpTransport  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (TH_IS_BTP_TRANSPORT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
th_btp_transport_set_window_size (ThBtpTransport *self,
                                  guint8          window_size)
{
  g_return_if_fail (TH_IS_BTP_TRANSPORT (self));

  th_btp_session_set_window_size (self->session, window_size);
}

ThBtpSession *
th_btp_transport_get_session (ThBtpTransport *self)
{
  g_return_val_if_fail (TH_IS_BTP_TRANSPORT (self), NULL);
  return self->session;
}

const GError *
th_btp_transport_get_error (ThBtpTransport *self)
{
  g_return_val_if_fail (TH_IS_BTP_TRANSPORT (self), NULL);
  return th_btp_session_get_error (self->session);
}

static gboolean
th_btp_transport_send (ThTransport     *transport,
                       GSocketAddress  *peer,
                       GBytes          *message,
                       GError         **error)
{
  ThBtpTransport *self = TH_BTP_TRANSPORT (transport);

  if (peer != NULL)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_ADDRESS,
                           _("A Bluetooth session has a single peer; a message over it takes "
                             "no address"));
      return FALSE;
    }
  return th_btp_session_send (self->session, message, error);
}

static void
th_btp_transport_close (ThTransport *transport)
{
  ThBtpTransport *self = TH_BTP_TRANSPORT (transport);

  th_btp_session_close (self->session, NULL);
}

static gboolean
th_btp_transport_is_reliable (ThTransport *transport)
{
  return TRUE;
}

static void
th_btp_transport_iface_init (ThTransportInterface *iface)
{
  iface->send = th_btp_transport_send;
  iface->close = th_btp_transport_close;
  iface->is_reliable = th_btp_transport_is_reliable;
}

static void
th_btp_transport_dispose (GObject *object)
{
  ThBtpTransport *self = TH_BTP_TRANSPORT (object);

  self->disposing = TRUE;
  if (self->session != NULL)
    th_btp_session_close (self->session, NULL);

  G_OBJECT_CLASS (th_btp_transport_parent_class)->dispose (object);
}

static void
th_btp_transport_finalize (GObject *object)
{
  ThBtpTransport *self = TH_BTP_TRANSPORT (object);

  g_clear_object (&self->session);
  g_clear_object (&self->link);
  g_clear_object (&self->clock);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (th_btp_transport_parent_class)->finalize (object);
}

static void
th_btp_transport_class_init (ThBtpTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = th_btp_transport_dispose;
  object_class->finalize = th_btp_transport_finalize;

  /**
   * ThBtpTransport::closed:
   * @error: why the session ended
   */
  signals[CLOSED] = g_signal_new ("closed",
                                  G_TYPE_FROM_CLASS (klass),
                                  G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
th_btp_transport_init (ThBtpTransport *self)
{
  self->cancellable = g_cancellable_new ();
}

ThBtpTransport *
th_btp_transport_new (ThBtpLink *link,
                      ThBtpRole  role,
                      ThClock   *clock)
{
  ThBtpTransport *self;

  g_return_val_if_fail (TH_IS_BTP_LINK (link), NULL);
  g_return_val_if_fail (clock == NULL || TH_IS_CLOCK (clock), NULL);

  self = g_object_new (TH_TYPE_BTP_TRANSPORT, NULL);
  self->link = g_object_ref (link);
  self->clock = clock != NULL ? g_object_ref (clock) : th_clock_new_system ();
  self->session = th_btp_session_new (role, self->clock, &session_callbacks, self);
  return self;
}
