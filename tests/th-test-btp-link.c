/* th-test-btp-link.c: an in-memory GATT connection for BTP, both ends in one process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "th-test-btp-link.h"

struct _ThTestBtpLink
{
  GObject parent_instance;

  ThTestBtpLink *peer;             /* weak */
  guint16 att_mtu;
  gboolean closed;
  GError *next_write_error;
  guint n_written;
};

static void th_test_btp_link_iface_init (ThBtpLinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ThTestBtpLink, th_test_btp_link, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TH_TYPE_BTP_LINK,
                                                      th_test_btp_link_iface_init))

/* Operations in flight on every link, so that a test can wait for all of them. */
static guint n_in_flight;

typedef enum
{
  OP_WRITE,
  OP_SUBSCRIBE,
  OP_DISCONNECT,
} OpKind;

typedef struct
{
  OpKind kind;
  ThTestBtpLink *link;
  GTask *task;                     /* none for OP_DISCONNECT */
  GBytes *packet;
} Op;

static void
op_free (Op *op)
{
  g_clear_object (&op->link);
  g_clear_object (&op->task);
  g_clear_pointer (&op->packet, g_bytes_unref);
  g_free (op);
  n_in_flight--;
}

static gboolean
run_op (gpointer data)
{
  Op *op = data;
  ThTestBtpLink *self = op->link;
  ThTestBtpLink *peer = self->peer;

  if (op->kind == OP_DISCONNECT)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                                     "the other end closed the connection");

      if (!self->closed)
        th_btp_link_emit_disconnected (TH_BTP_LINK (self), error);
      return G_SOURCE_REMOVE;
    }
  if (self->closed || peer == NULL || peer->closed)
    {
      g_task_return_new_error (op->task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               "the test link is closed");
      return G_SOURCE_REMOVE;
    }
  if (op->kind == OP_WRITE)
    th_btp_link_emit_received (TH_BTP_LINK (peer), op->packet);
  else
    th_btp_link_emit_subscribed (TH_BTP_LINK (peer));
  g_task_return_boolean (op->task, TRUE);
  return G_SOURCE_REMOVE;
}

static void
schedule (ThTestBtpLink *self,
          OpKind         kind,
          GTask         *task,
          GBytes        *packet)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->link = g_object_ref (self);
  op->task = task;
  op->packet = packet != NULL ? g_bytes_ref (packet) : NULL;
  n_in_flight++;
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, run_op, op, (GDestroyNotify) op_free);
}

static void
th_test_btp_link_write_async (ThBtpLink           *link,
                              GBytes              *packet,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  ThTestBtpLink *self = TH_TEST_BTP_LINK (link);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  self->n_written++;
  if (self->next_write_error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&self->next_write_error));
      g_object_unref (task);
      return;
    }
  schedule (self, OP_WRITE, task, packet);
}

static gboolean
th_test_btp_link_finish (ThBtpLink     *link,
                         GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
th_test_btp_link_subscribe_async (ThBtpLink           *link,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  ThTestBtpLink *self = TH_TEST_BTP_LINK (link);

  schedule (self, OP_SUBSCRIBE, g_task_new (self, cancellable, callback, user_data), NULL);
}

static guint16
th_test_btp_link_get_att_mtu (ThBtpLink *link)
{
  return TH_TEST_BTP_LINK (link)->att_mtu;
}

static void
th_test_btp_link_close (ThBtpLink *link)
{
  ThTestBtpLink *self = TH_TEST_BTP_LINK (link);

  if (self->closed)
    return;
  self->closed = TRUE;
  if (self->peer != NULL && !self->peer->closed)
    schedule (self->peer, OP_DISCONNECT, NULL, NULL);
}

static void
th_test_btp_link_iface_init (ThBtpLinkInterface *iface)
{
  iface->write_async = th_test_btp_link_write_async;
  iface->write_finish = th_test_btp_link_finish;
  iface->subscribe_async = th_test_btp_link_subscribe_async;
  iface->subscribe_finish = th_test_btp_link_finish;
  iface->get_att_mtu = th_test_btp_link_get_att_mtu;
  iface->close = th_test_btp_link_close;
}

static void
th_test_btp_link_finalize (GObject *object)
{
  ThTestBtpLink *self = TH_TEST_BTP_LINK (object);

  if (self->peer != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->peer), (gpointer *) &self->peer);
  g_clear_error (&self->next_write_error);

  G_OBJECT_CLASS (th_test_btp_link_parent_class)->finalize (object);
}

static void
th_test_btp_link_class_init (ThTestBtpLinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = th_test_btp_link_finalize;
}

static void
th_test_btp_link_init (ThTestBtpLink *self)
{
}

void
th_test_btp_link_new_pair (guint16          att_mtu,
                           ThTestBtpLink  **central,
                           ThTestBtpLink  **peripheral)
{
  ThTestBtpLink *a = g_object_new (TH_TYPE_TEST_BTP_LINK, NULL);
  ThTestBtpLink *b = g_object_new (TH_TYPE_TEST_BTP_LINK, NULL);

  a->att_mtu = b->att_mtu = att_mtu;
  a->peer = b;
  b->peer = a;
  g_object_add_weak_pointer (G_OBJECT (b), (gpointer *) &a->peer);
  g_object_add_weak_pointer (G_OBJECT (a), (gpointer *) &b->peer);
  *central = a;
  *peripheral = b;
}

void
th_test_btp_link_fail_next_write (ThTestBtpLink *self,
                                  const GError  *error)
{
  g_clear_error (&self->next_write_error);
  self->next_write_error = g_error_copy (error);
}

guint
th_test_btp_link_get_n_written (ThTestBtpLink *self)
{
  return self->n_written;
}

gboolean
th_test_btp_link_is_closed (ThTestBtpLink *self)
{
  return self->closed;
}

void
th_test_btp_link_settle (void)
{
  while (n_in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}
