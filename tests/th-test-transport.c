/* th-test-transport.c: an in-memory transport whose datagrams a test delivers by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "th-error.h"
#include "th-test-transport.h"

typedef struct
{
  GBytes *bytes;
  GSocketAddress *to;
  gint64 sent_ms;
} Datagram;

struct _ThTestTransport
{
  GObject parent_instance;

  GSocketAddress *address;
  ThClock *clock;
  gboolean reliable;
  gboolean closed;
  GQueue outbox;
};

static void th_test_transport_iface_init (ThTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ThTestTransport, th_test_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TH_TYPE_TRANSPORT,
                                                      th_test_transport_iface_init))

static void
datagram_free (gpointer data)
{
  Datagram *datagram = data;

  g_bytes_unref (datagram->bytes);
  g_clear_object (&datagram->to);
  g_free (datagram);
}

static gboolean
th_test_transport_send (ThTransport     *transport,
                        GSocketAddress  *peer,
                        GBytes          *message,
                        GError         **error)
{
  ThTestTransport *self = TH_TEST_TRANSPORT (transport);
  Datagram *datagram;

  if (self->closed)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_TRANSPORT, "the test transport is closed");
      return FALSE;
    }
  datagram = g_new0 (Datagram, 1);
  datagram->bytes = g_bytes_ref (message);
  datagram->to = peer != NULL ? g_object_ref (peer) : NULL;
  datagram->sent_ms = th_clock_now_ms (self->clock);
  g_queue_push_tail (&self->outbox, datagram);
  return TRUE;
}

static void
th_test_transport_close (ThTransport *transport)
{
  TH_TEST_TRANSPORT (transport)->closed = TRUE;
}

static gboolean
th_test_transport_is_reliable (ThTransport *transport)
{
  return TH_TEST_TRANSPORT (transport)->reliable;
}

static void
th_test_transport_iface_init (ThTransportInterface *iface)
{
  iface->send = th_test_transport_send;
  iface->close = th_test_transport_close;
  iface->is_reliable = th_test_transport_is_reliable;
}

static void
th_test_transport_finalize (GObject *object)
{
  ThTestTransport *self = TH_TEST_TRANSPORT (object);

  g_queue_clear_full (&self->outbox, datagram_free);
  g_clear_object (&self->address);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (th_test_transport_parent_class)->finalize (object);
}

static void
th_test_transport_class_init (ThTestTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = th_test_transport_finalize;
}

static void
th_test_transport_init (ThTestTransport *self)
{
  g_queue_init (&self->outbox);
}

ThTestTransport *
th_test_transport_new (GSocketAddress *address,
                       ThClock        *clock,
                       gboolean        reliable)
{
  ThTestTransport *self = g_object_new (TH_TYPE_TEST_TRANSPORT, NULL);

  self->address = address != NULL ? g_object_ref (address) : NULL;
  self->clock = g_object_ref (clock);
  self->reliable = reliable;
  return self;
}

GSocketAddress *
th_test_transport_get_address (ThTestTransport *self)
{
  return self->address;
}

guint
th_test_transport_get_n_sent (ThTestTransport *self)
{
  return g_queue_get_length (&self->outbox);
}

GBytes *
th_test_transport_pop_sent (ThTestTransport  *self,
                            gint64           *sent_ms,
                            GSocketAddress  **to)
{
  Datagram *datagram = g_queue_pop_head (&self->outbox);
  GBytes *bytes;

  if (datagram == NULL)
    return NULL;
  if (sent_ms != NULL)
    *sent_ms = datagram->sent_ms;
  if (to != NULL)
    *to = g_steal_pointer (&datagram->to);
  bytes = g_steal_pointer (&datagram->bytes);
  datagram_free (datagram);
  return bytes;
}

guint
th_test_transport_deliver (ThTestTransport *self,
                           ThTestTransport *peer)
{
  guint n = 0;
  GBytes *bytes;

  while ((bytes = th_test_transport_pop_sent (self, NULL, NULL)) != NULL)
    {
      th_transport_emit_received (TH_TRANSPORT (peer), bytes, self->address);
      g_bytes_unref (bytes);
      n++;
    }
  return n;
}

gboolean
th_test_transport_is_closed (ThTestTransport *self)
{
  return self->closed;
}
