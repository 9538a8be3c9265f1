/* test-udp.c: exchanges over real UDP sockets on loopback, and address parsing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <net/if.h>

#include "messaging/th-exchange-manager.h"
#include "messaging/th-udp-transport.h"
#include "th-error.h"
#include "th-test-utils.h"

#define TEST_PROTOCOL TH_PROTOCOL_INTERACTION_MODEL

/* A transport that loses the first datagrams it is asked to send. */
#define TEST_TYPE_LOSSY_TRANSPORT (test_lossy_transport_get_type ())
G_DECLARE_FINAL_TYPE (TestLossyTransport, test_lossy_transport, TEST, LOSSY_TRANSPORT, GObject)

struct _TestLossyTransport
{
  GObject parent_instance;

  ThTransport *inner;
  guint to_drop;
  guint dropped;
  guint passed;
};

static void test_lossy_transport_iface_init (ThTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestLossyTransport, test_lossy_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TH_TYPE_TRANSPORT,
                                                      test_lossy_transport_iface_init))

static gboolean
lossy_send (ThTransport     *transport,
            GSocketAddress  *peer,
            GBytes          *message,
            GError         **error)
{
  TestLossyTransport *self = TEST_LOSSY_TRANSPORT (transport);

  if (self->to_drop > 0)
    {
      self->to_drop--;
      self->dropped++;
      return TRUE;
    }
  self->passed++;
  return th_transport_send (self->inner, peer, message, error);
}

static void
lossy_close (ThTransport *transport)
{
  th_transport_close (TEST_LOSSY_TRANSPORT (transport)->inner);
}

static gboolean
lossy_is_reliable (ThTransport *transport)
{
  return th_transport_is_reliable (TEST_LOSSY_TRANSPORT (transport)->inner);
}

static void
test_lossy_transport_iface_init (ThTransportInterface *iface)
{
  iface->send = lossy_send;
  iface->close = lossy_close;
  iface->is_reliable = lossy_is_reliable;
}

static void
test_lossy_transport_finalize (GObject *object)
{
  g_clear_object (&TEST_LOSSY_TRANSPORT (object)->inner);

  G_OBJECT_CLASS (test_lossy_transport_parent_class)->finalize (object);
}

static void
test_lossy_transport_class_init (TestLossyTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_lossy_transport_finalize;
}

static void
test_lossy_transport_init (TestLossyTransport *self)
{
}

static void
on_inner_received (ThTransport    *inner,
                   GBytes         *message,
                   GSocketAddress *peer,
                   gpointer        user_data)
{
  th_transport_emit_received (TH_TRANSPORT (user_data), message, peer);
}

static TestLossyTransport *
test_lossy_transport_new (ThTransport *inner,
                          guint        to_drop)
{
  TestLossyTransport *self = g_object_new (TEST_TYPE_LOSSY_TRANSPORT, NULL);

  self->inner = g_object_ref (inner);
  self->to_drop = to_drop;
  g_signal_connect_object (inner, "received", G_CALLBACK (on_inner_received), self, 0);
  return self;
}

/* The responder echoes each request back in a ReportData. */
typedef struct
{
  guint requests;
  guint replies_acknowledged;
  GMainLoop *loop;
  GAsyncResult *result;
} Context;

static void
on_reply_sent (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Context *context = user_data;
  g_autoptr(GError) error = NULL;

  th_exchange_send_finish (TH_EXCHANGE (source), result, &error);
  g_assert_no_error (error);
  th_exchange_close (TH_EXCHANGE (source));
  context->replies_acknowledged++;
  g_main_loop_quit (context->loop);
}

static void
on_request (ThExchange *exchange,
            ThMessage  *message,
            gpointer    user_data)
{
  Context *context = user_data;
  g_autoptr(GBytes) echo = NULL;
  gsize len;
  const char *data = g_bytes_get_data (message->payload, &len);
  g_autofree char *text = g_strdup_printf ("echo %.*s", (int) len, data);

  context->requests++;
  echo = g_bytes_new (text, strlen (text));
  th_exchange_send_async (exchange, TH_IM_REPORT_DATA, echo, NULL, on_reply_sent,
                          context);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Context *context = user_data;

  context->result = g_object_ref (result);
  g_main_loop_quit (context->loop);
}

static gboolean
on_too_long (gpointer user_data)
{
  g_error ("The exchange over UDP did not finish within 10 s");
  return G_SOURCE_REMOVE;
}

/* Sends a request, waits for the response, closes the exchange and waits until the
 * responder has its acknowledgement. */
static ThMessage *
request_and_wait (Context    *context,
                  ThExchange *exchange,
                  const char *text)
{
  g_autoptr(GBytes) payload = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  ThMessage *response;
  guint guard = g_timeout_add_seconds (10, on_too_long, NULL);

  th_exchange_request_async (exchange, TH_IM_READ_REQUEST, payload, NULL, on_done, context);
  while (context->result == NULL)
    g_main_loop_run (context->loop);
  response = th_exchange_request_finish (exchange, context->result, &error);
  g_assert_no_error (error);
  g_clear_object (&context->result);
  g_assert_cmpuint (response->protocol.opcode, ==, TH_IM_REPORT_DATA);

  th_exchange_close (exchange);
  while (context->replies_acknowledged < context->requests)
    g_main_loop_run (context->loop);
  g_source_remove (guard);
  return response;
}

static void
assert_payload (ThMessage  *message,
                const char *text)
{
  g_assert_cmpmem (g_bytes_get_data (message->payload, NULL),
                   g_bytes_get_size (message->payload), text, strlen (text));
}

static GSocketAddress *
peer_address (ThUdpTransport *transport,
              const char     *host)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (host);
  guint16 port = th_udp_transport_get_port (transport, g_inet_address_get_family (inet));
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  GSocketAddress *address;

  g_assert_cmpuint (port, !=, 0);
  text = g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6
         ? g_strdup_printf ("[%s]:%u", host, port) : g_strdup_printf ("%s:%u", host, port);
  address = th_udp_address_parse (text, TH_MATTER_UDP_PORT, &error);
  g_assert_no_error (error);
  return address;
}

/* Two managers on loopback: an unsecured exchange, then a secure one, then a request whose
 * first transmission the initiator's (lossy) transport loses. */
static void
run_loopback (const char *host,
              gboolean    any_initiator)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_from_string (host);
  g_autoptr(ThUdpTransport) udp_responder = NULL;
  g_autoptr(ThUdpTransport) udp_initiator = NULL;
  g_autoptr(TestLossyTransport) lossy = NULL;
  g_autoptr(ThExchangeManager) responder = NULL;
  g_autoptr(ThExchangeManager) initiator = NULL;
  g_autoptr(GSocketAddress) responder_address = NULL;
  g_autoptr(GSocketAddress) initiator_address = NULL;
  g_autoptr(ThSession) unsecured = NULL;
  g_autoptr(ThSession) secure_i = NULL;
  g_autoptr(ThSession) secure_r = NULL;
  g_autoptr(GError) error = NULL;
  Context context = { 0 };
  ThMrpParameters quick = { 40, 40, 4000 };
  ThSessionKeys keys;
  ThSecureSessionConfig config = { 0 };
  guint16 id_i, id_r;

  udp_responder = th_udp_transport_new (loopback, 0, &error);
  if (g_error_matches (error, TH_ERROR, TH_ERROR_TRANSPORT))
    {
      g_autofree char *reason = g_strdup_printf ("no %s here: %s", host, error->message);

      th_test_skip_or_fail (reason);
      return;
    }
  g_assert_no_error (error);
  udp_initiator = th_udp_transport_new (any_initiator ? NULL : loopback, 0, &error);
  g_assert_no_error (error);
  g_assert_false (th_transport_is_reliable (TH_TRANSPORT (udp_initiator)));

  lossy = test_lossy_transport_new (TH_TRANSPORT (udp_initiator), 0);
  responder = th_exchange_manager_new (TH_TRANSPORT (udp_responder), NULL, &error);
  g_assert_no_error (error);
  initiator = th_exchange_manager_new (TH_TRANSPORT (lossy), NULL, &error);
  g_assert_no_error (error);
  context.loop = g_main_loop_new (NULL, FALSE);
  th_exchange_manager_set_protocol_handler (responder, TEST_PROTOCOL, on_request, &context,
                                            NULL);
  responder_address = peer_address (udp_responder, host);
  initiator_address = peer_address (udp_initiator, host);

  /* Unsecured, as PASE starts. */
  unsecured = th_exchange_manager_open_unsecured_session (initiator, responder_address,
                                                          &error);
  g_assert_no_error (error);
  {
    g_autoptr(ThExchange) exchange = th_exchange_manager_initiate (initiator, unsecured,
                                                                   TEST_PROTOCOL);
    g_autoptr(ThMessage) response = request_and_wait (&context, exchange, "hello");

    assert_payload (response, "echo hello");
  }

  /* Secure, as PASE ends. */
  g_assert_true (th_session_keys_derive ((const guint8 *) "secret", 6, NULL, 0, &keys, NULL));
  g_assert_true (th_exchange_manager_allocate_session_id (initiator, &id_i, &error));
  g_assert_true (th_exchange_manager_allocate_session_id (responder, &id_r, &error));
  config.kind = TH_SESSION_KIND_PASE;
  config.keys = &keys;
  config.peer_address = responder_address;
  config.local_session_id = id_i;
  config.peer_session_id = id_r;
  config.is_initiator = TRUE;
  secure_i = th_exchange_manager_add_secure_session (initiator, &config, &error);
  g_assert_no_error (error);
  config.peer_address = initiator_address;
  config.local_session_id = id_r;
  config.peer_session_id = id_i;
  config.is_initiator = FALSE;
  secure_r = th_exchange_manager_add_secure_session (responder, &config, &error);
  g_assert_no_error (error);
  th_session_keys_clear (&keys);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(ThExchange) exchange = th_exchange_manager_initiate (initiator, secure_i,
                                                                     TEST_PROTOCOL);
      g_autofree char *text = g_strdup_printf ("secret %u", i);
      g_autofree char *echo = g_strdup_printf ("echo secret %u", i);
      g_autoptr(ThMessage) response = request_and_wait (&context, exchange, text);

      assert_payload (response, echo);
      g_assert_cmpuint (response->header.session_id, ==, id_i);
    }
  g_assert_cmpuint (context.requests, ==, 4);

  /* The first datagram is lost; MRP sends it again after the peer's (short) interval. */
  th_session_set_peer_mrp_parameters (secure_i, &quick);
  lossy->to_drop = 1;
  lossy->passed = 0;
  {
    g_autoptr(ThExchange) exchange = th_exchange_manager_initiate (initiator, secure_i,
                                                                   TEST_PROTOCOL);
    g_autoptr(ThMessage) response = request_and_wait (&context, exchange, "again");

    assert_payload (response, "echo again");
  }
  g_assert_cmpuint (lossy->dropped, ==, 1);
  g_assert_cmpuint (lossy->passed, >=, 2);      /* the retransmission and the close's ack */
  g_assert_cmpuint (context.requests, ==, 5);

  th_exchange_manager_close (initiator);
  th_exchange_manager_close (responder);
  g_main_loop_unref (context.loop);
}

static void
test_loopback_ipv4 (void)
{
  run_loopback ("127.0.0.1", FALSE);
}

static void
test_loopback_ipv6 (void)
{
  run_loopback ("::1", FALSE);
}

static void
test_loopback_any (void)
{
  run_loopback ("127.0.0.1", TRUE);
}

static void
test_bind_any (void)
{
  g_autoptr(ThUdpTransport) transport = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port6, port4;

  transport = th_udp_transport_new (NULL, 0, &error);
  g_assert_no_error (error);
  port6 = th_udp_transport_get_port (transport, G_SOCKET_FAMILY_IPV6);
  port4 = th_udp_transport_get_port (transport, G_SOCKET_FAMILY_IPV4);
  g_test_message ("bound IPv6 port %u, IPv4 port %u", port6, port4);
  g_assert_true (port6 != 0 || port4 != 0);
  if (port6 != 0 && port4 != 0)
    g_assert_cmpuint (port6, ==, port4);

  /* Closed: nothing more goes out. */
  th_transport_close (TH_TRANSPORT (transport));
  {
    g_autoptr(GSocketAddress) to = th_udp_address_parse ("127.0.0.1", TH_MATTER_UDP_PORT, NULL);
    g_autoptr(GBytes) bytes = g_bytes_new_static ("x", 1);

    g_assert_false (th_transport_send (TH_TRANSPORT (transport), to, bytes, &error));
    g_assert_error (error, TH_ERROR, TH_ERROR_TRANSPORT);
  }
}

static void
test_address_parse (void)
{
  static const struct
  {
    const char *text;
    const char *host;
    guint16 port;
    gboolean scoped;
  } good[] = {
    { "192.168.1.20", "192.168.1.20", TH_MATTER_UDP_PORT, FALSE },
    { "192.168.1.20:1234", "192.168.1.20", 1234, FALSE },
    { "::1", "::1", TH_MATTER_UDP_PORT, FALSE },
    { "[::1]:65535", "::1", 65535, FALSE },
    { "[2001:db8::5]", "2001:db8::5", TH_MATTER_UDP_PORT, FALSE },
    { "fe80::1%lo", "fe80::1", TH_MATTER_UDP_PORT, TRUE },
    { "[fe80::1%lo]:5541", "fe80::1", 5541, TRUE },
    { "fe80::1%1", "fe80::1", TH_MATTER_UDP_PORT, TRUE },
  };
  static const struct { const char *text; const char *says; } bad[] = {
    { "", "empty" },
    { "fe80::1", "needs a network interface" },
    { "fe80::1%", "network interface after" },
    { "fe80::1%no-such-if0", "no network interface “no-such-if0”" },
    { "[::1", "does not close it" },
    { "[::1]5540", "only “:port” may" },
    { "[::1]:0", "port “0”" },
    { "[::1]:65536", "port “65536”" },
    { "[::1]:", "port “”" },
    { "1.2.3.4:+80", "port “+80”" },
    { "1.2.3.4:http", "port “http”" },
    { "localhost", "not an IPv6 or IPv4 address" },
    { "1.2.3", "not an IPv6 or IPv4 address" },
    { "1.2.3.4%lo", "cannot name a network interface" },
    { "[1.2.3.4]:5540", "Brackets are for IPv6" },
    { "fe80::1 ", "not an IPv6 or IPv4 address" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocketAddress) address = th_udp_address_parse (good[i].text,
                                                                TH_MATTER_UDP_PORT, &error);
      g_autofree char *host = NULL;
      GInetSocketAddress *inet;

      g_assert_no_error (error);
      inet = G_INET_SOCKET_ADDRESS (address);
      host = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
      g_assert_cmpstr (host, ==, good[i].host);
      g_assert_cmpuint (g_inet_socket_address_get_port (inet), ==, good[i].port);
      if (g_socket_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
        g_assert_cmpuint (g_inet_socket_address_get_scope_id (inet) != 0, ==, good[i].scoped);
      else
        g_assert_false (good[i].scoped);
    }
  {
    g_autoptr(GSocketAddress) address = th_udp_address_parse ("[fe80::1%lo]:5541", 0, NULL);
    g_autofree char *text = th_socket_address_to_string (address);

    g_assert_cmpuint (g_inet_socket_address_get_scope_id (G_INET_SOCKET_ADDRESS (address)),
                      ==, if_nametoindex ("lo"));
    g_assert_cmpstr (text, ==, "[fe80::1%lo]:5541");
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocketAddress) address = th_udp_address_parse (bad[i].text,
                                                                TH_MATTER_UDP_PORT, &error);

      g_assert_null (address);
      g_assert_error (error, TH_ERROR, TH_ERROR_ADDRESS);
      g_test_message ("%s: %s", bad[i].text, error->message);
      g_assert_nonnull (strstr (error->message, bad[i].says));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/udp/address-parse", test_address_parse);
  g_test_add_func ("/udp/bind-any", test_bind_any);
  g_test_add_func ("/udp/loopback/ipv4", test_loopback_ipv4);
  g_test_add_func ("/udp/loopback/ipv6", test_loopback_ipv6);
  g_test_add_func ("/udp/loopback/any", test_loopback_any);

  return g_test_run ();
}
