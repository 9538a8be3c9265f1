/* test-mrp.c: exchanges and the Message Reliability Protocol, on a test clock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "messaging/th-exchange-manager.h"
#include "secure-channel/th-close-session.h"
#include "secure-channel/th-status-report.h"
#include "th-error.h"
#include "th-test-clock.h"
#include "th-test-transport.h"
#include "th-test-utils.h"

#define TEST_PROTOCOL TH_PROTOCOL_SECURE_CHANNEL
#define TEST_REQUEST  TH_SECURE_CHANNEL_PBKDF_PARAM_REQUEST
#define TEST_RESPONSE TH_SECURE_CHANNEL_PBKDF_PARAM_RESPONSE

typedef struct
{
  ThTestClock *clock;
  ThTestTransport *ta;                  /* node A, the initiator */
  ThTestTransport *tb;                  /* node B, the responder */
  ThExchangeManager *a;
  ThExchangeManager *b;
  ThSession *session;                   /* A's session with B */

  /* scripted jitter */
  double jitters[8];
  guint n_jitters;
  guint next_jitter;

  /* what B's handler saw and did */
  gboolean b_replies;                   /* answer at once with TEST_RESPONSE */
  guint b_calls;
  GPtrArray *b_exchanges;               /* every exchange B's handler was given */
  ThExchange *b_exchange;
  GAsyncResult *b_send_result;
} Fixture;

static double
scripted_jitter (gpointer user_data)
{
  Fixture *f = user_data;

  return f->jitters[f->next_jitter++ % f->n_jitters];
}

static void
set_jitter (Fixture *f,
            double   jitter)
{
  f->jitters[0] = jitter;
  f->n_jitters = 1;
  f->next_jitter = 0;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

/* GTask results of calls made outside a main loop callback arrive in an idle. */
static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
on_b_request (ThExchange *exchange,
              ThMessage  *message,
              gpointer    user_data)
{
  Fixture *f = user_data;
  g_autoptr(GBytes) reply = g_bytes_new_static ("pong", 4);

  f->b_calls++;
  g_assert_cmpuint (message->protocol.opcode, ==, TEST_REQUEST);
  g_ptr_array_add (f->b_exchanges, g_object_ref (exchange));
  g_clear_object (&f->b_exchange);
  f->b_exchange = g_object_ref (exchange);
  if (f->b_replies)
    th_exchange_send_async (exchange, TEST_RESPONSE, reply, NULL, store_result,
                            &f->b_send_result);
}

static GSocketAddress *
address (const char *ip)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (ip);

  return g_inet_socket_address_new (inet, 5540);
}

static void
fixture_set_up_with (Fixture  *f,
                     gboolean  reliable)
{
  g_autoptr(GSocketAddress) address_a = address ("192.0.2.1");
  g_autoptr(GSocketAddress) address_b = address ("192.0.2.2");
  g_autoptr(GError) error = NULL;

  f->clock = th_test_clock_new ();
  f->ta = th_test_transport_new (address_a, TH_CLOCK (f->clock), reliable);
  f->tb = th_test_transport_new (address_b, TH_CLOCK (f->clock), reliable);
  f->a = th_exchange_manager_new (TH_TRANSPORT (f->ta), TH_CLOCK (f->clock), &error);
  g_assert_no_error (error);
  f->b = th_exchange_manager_new (TH_TRANSPORT (f->tb), TH_CLOCK (f->clock), &error);
  g_assert_no_error (error);
  set_jitter (f, 0.5);
  th_exchange_manager_set_jitter_func (f->a, scripted_jitter, f, NULL);
  th_exchange_manager_set_jitter_func (f->b, scripted_jitter, f, NULL);
  th_exchange_manager_set_protocol_handler (f->b, TEST_PROTOCOL, on_b_request, f, NULL);
  f->b_replies = TRUE;
  f->b_exchanges = g_ptr_array_new_with_free_func (g_object_unref);

  f->session = th_exchange_manager_open_unsecured_session (f->a, address_b, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  fixture_set_up_with (f, FALSE);
}

static void
fixture_set_up_reliable (Fixture       *f,
                         gconstpointer  data)
{
  fixture_set_up_with (f, TRUE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  /* What still runs fails now, and reports in an idle. */
  th_exchange_manager_close (f->a);
  th_exchange_manager_close (f->b);
  g_assert_true (th_test_transport_is_closed (f->ta));
  drain ();
  g_clear_object (&f->b_exchange);
  g_clear_object (&f->b_send_result);
  g_clear_pointer (&f->b_exchanges, g_ptr_array_unref);
  g_assert_finalize_object (f->session);
  g_assert_finalize_object (f->a);
  g_assert_finalize_object (f->b);
  g_assert_finalize_object (f->ta);
  g_assert_finalize_object (f->tb);
  g_assert_finalize_object (f->clock);
}

static ThMessage *
pop_message (ThTestTransport *transport,
             gint64          *sent_ms)
{
  g_autoptr(GBytes) bytes = th_test_transport_pop_sent (transport, sent_ms, NULL);
  g_autoptr(GError) error = NULL;
  ThMessage *message;

  g_assert_nonnull (bytes);
  message = th_message_decode (bytes, NULL, 0, &error);
  g_assert_no_error (error);
  return message;
}

/* Takes the oldest datagram `from` sent, hands it to `to` and returns it decoded. */
static ThMessage *
forward_one (ThTestTransport *from,
             ThTestTransport *to)
{
  g_autoptr(GBytes) bytes = th_test_transport_pop_sent (from, NULL, NULL);
  g_autoptr(GError) error = NULL;
  ThMessage *message;

  g_assert_nonnull (bytes);
  message = th_message_decode (bytes, NULL, 0, &error);
  g_assert_no_error (error);
  th_transport_emit_received (TH_TRANSPORT (to), bytes, th_test_transport_get_address (from));
  return message;
}

static void
assert_standalone_ack (ThMessage *message,
                       guint32    acked,
                       gboolean   from_initiator)
{
  g_assert_cmpuint (message->protocol.protocol_id, ==, TH_PROTOCOL_SECURE_CHANNEL);
  g_assert_cmpuint (message->protocol.opcode, ==, TH_SECURE_CHANNEL_STANDALONE_ACK);
  g_assert_cmpuint (message->protocol.exchange_flags, ==,
                    TH_EXCHANGE_FLAG_ACK | (from_initiator ? TH_EXCHANGE_FLAG_INITIATOR : 0));
  g_assert_cmpuint (message->protocol.ack_counter, ==, acked);
  g_assert_cmpuint (g_bytes_get_size (message->payload), ==, 0);
}

static void
test_backoff_formula (void)
{
  /* base * 1.1 * 1.6^max(0, n - 1) * (1 + jitter * 0.25), rounded down, worked by hand */
  static const struct { guint32 base; guint n; double jitter; guint32 ms; } cases[] = {
    { 300, 0, 0.0, 330 }, { 300, 1, 0.0, 330 }, { 300, 2, 0.0, 528 },
    { 300, 3, 0.0, 844 }, { 300, 4, 0.0, 1351 },
    { 300, 0, 1.0, 412 }, { 300, 1, 1.0, 412 }, { 300, 2, 1.0, 660 },
    { 300, 3, 1.0, 1056 }, { 300, 4, 1.0, 1689 },
    { 500, 0, 0.5, 618 }, { 500, 2, 0.5, 990 }, { 500, 3, 0.5, 1584 }, { 500, 4, 0.5, 2534 },
    { 1000, 0, 0.5, 1237 }, { 100, 0, 0.5, 123 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpuint (th_mrp_backoff_ms (cases[i].base, cases[i].n, cases[i].jitter), ==,
                      cases[i].ms);

  g_assert_cmpuint (th_mrp_retransmission_span_ms (300), ==, 412 + 412 + 660 + 1056 + 1689);
  /* Out-of-range input neither wraps nor escapes the jitter range. */
  g_assert_cmpuint (th_mrp_backoff_ms (G_MAXUINT32, 1000, 1.0), ==, G_MAXUINT32);
  g_assert_cmpuint (th_mrp_backoff_ms (300, 0, 7.0), ==, 412);
  g_assert_cmpuint (th_mrp_backoff_ms (300, 0, -1.0), ==, 330);
}

static void
test_retransmission_schedule (Fixture       *f,
                              gconstpointer  data)
{
  static const double jitters[] = { 0.0, 1.0, 0.25, 0.5, 0.75 };
  g_autoptr(ThExchange) exchange = th_exchange_manager_initiate (f->a, f->session, TEST_PROTOCOL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) first = NULL;
  g_autoptr(ThMessage) message = NULL;
  gint64 start, sent_ms;
  gint64 expected;

  memcpy (f->jitters, jitters, sizeof jitters);
  f->n_jitters = G_N_ELEMENTS (jitters);

  start = th_clock_now_ms (TH_CLOCK (f->clock));
  th_exchange_request_async (exchange, TEST_REQUEST, NULL, NULL, store_result, &result);
  first = th_test_transport_pop_sent (f->ta, &sent_ms, NULL);
  g_assert_cmpint (sent_ms, ==, start);
  message = th_message_decode (first, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_true (message->protocol.exchange_flags & TH_EXCHANGE_FLAG_RELIABLE);
  g_assert_true (message->protocol.exchange_flags & TH_EXCHANGE_FLAG_INITIATOR);
  g_assert_true (message->header.has_source_node_id);

  /* The peer has never been heard from: its idle interval (500 ms) is the base. */
  expected = start;
  for (guint n = 0; n < TH_MRP_MAX_TRANSMISSIONS - 1; n++)
    {
      g_autoptr(GBytes) again = NULL;

      expected += th_mrp_backoff_ms (500, n, jitters[n]);
      g_assert_cmpint (th_test_clock_advance_to_next (f->clock), >, 0);
      again = th_test_transport_pop_sent (f->ta, &sent_ms, NULL);
      g_assert_nonnull (again);
      g_assert_cmpint (sent_ms, ==, expected);
      /* A retransmission is the very same message, counter included. */
      g_assert_true (g_bytes_equal (again, first));
      g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 0);
    }
  g_assert_cmpint (expected - start, ==, 550 + 687 + 935 + 1584);

  /* After the fifth transmission and one more backoff, MRP gives up. */
  expected += th_mrp_backoff_ms (500, TH_MRP_MAX_TRANSMISSIONS - 1, jitters[4]);
  g_assert_cmpint (th_test_clock_advance_to_next (f->clock), >, 0);
  g_assert_cmpint (th_clock_now_ms (TH_CLOCK (f->clock)), ==, expected);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 0);
  drain ();
  g_assert_nonnull (result);
  g_assert_null (th_exchange_request_finish (exchange, result, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TIMED_OUT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "Secure Channel PBKDFParamRequest"));
  g_assert_nonnull (strstr (error->message, "after 5 transmissions"));
  g_assert_cmpuint (th_test_clock_get_n_pending (f->clock), ==, 0);

  /* The exchange is over. */
  g_clear_object (&result);
  g_clear_error (&error);
  th_exchange_request_async (exchange, TEST_REQUEST, NULL, NULL, store_result, &result);
  drain ();
  g_assert_null (th_exchange_request_finish (exchange, result, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_SESSION_CLOSED);
}

static void
test_send_gives_up (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(ThExchange) exchange = th_exchange_manager_initiate (f->a, f->session, TEST_PROTOCOL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint transmissions = 0;

  th_exchange_send_async (exchange, TH_SECURE_CHANNEL_STATUS_REPORT, NULL, NULL, store_result,
                          &result);
  while (th_test_clock_advance_to_next (f->clock) >= 0)
    ;
  while (th_test_transport_get_n_sent (f->ta) > 0)
    g_bytes_unref (th_test_transport_pop_sent (f->ta, NULL, NULL)), transmissions++;
  g_assert_cmpuint (transmissions, ==, TH_MRP_MAX_TRANSMISSIONS);
  drain ();
  g_assert_false (th_exchange_send_finish (exchange, result, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "Secure Channel StatusReport"));
}

static void
test_piggybacked_ack (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(ThExchange) exchange = th_exchange_manager_initiate (f->a, f->session, TEST_PROTOCOL);
  g_autoptr(GBytes) ping = g_bytes_new_static ("ping", 4);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThMessage) request = NULL;
  g_autoptr(ThMessage) reply = NULL;
  g_autoptr(ThMessage) response = NULL;
  g_autoptr(ThMessage) ack = NULL;

  th_exchange_request_async (exchange, TEST_REQUEST, ping, NULL, store_result, &result);
  request = forward_one (f->ta, f->tb);
  g_assert_cmpuint (f->b_calls, ==, 1);

  /* B answered at once: the acknowledgement rides on the answer, no standalone ack. */
  g_assert_cmpuint (th_test_transport_get_n_sent (f->tb), ==, 1);
  reply = forward_one (f->tb, f->ta);
  g_assert_cmpuint (reply->protocol.opcode, ==, TEST_RESPONSE);
  g_assert_cmpuint (reply->protocol.exchange_id, ==, th_exchange_get_id (exchange));
  g_assert_cmpuint (reply->protocol.exchange_flags, ==,
                    TH_EXCHANGE_FLAG_ACK | TH_EXCHANGE_FLAG_RELIABLE);
  g_assert_cmpuint (reply->protocol.ack_counter, ==, request->header.counter);
  g_assert_true (reply->header.has_destination_node_id);
  g_assert_cmpuint (reply->header.destination_node_id, ==,
                    th_session_get_local_node_id (f->session));

  drain ();
  g_assert_nonnull (result);
  response = th_exchange_request_finish (exchange, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (response->protocol.opcode, ==, TEST_RESPONSE);
  g_assert_cmpmem (g_bytes_get_data (response->payload, NULL),
                   g_bytes_get_size (response->payload), "pong", 4);

  /* A owes B an acknowledgement: it waits 200 ms for a message to carry it, then sends
   * it alone. */
  th_test_clock_advance (f->clock, TH_MRP_STANDALONE_ACK_TIMEOUT_MS - 1);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 0);
  th_test_clock_advance (f->clock, 1);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 1);
  ack = forward_one (f->ta, f->tb);
  assert_standalone_ack (ack, reply->header.counter, TRUE);
  g_assert_cmpuint (ack->protocol.exchange_id, ==, th_exchange_get_id (exchange));

  /* B's send completes on that acknowledgement. */
  drain ();
  g_assert_nonnull (f->b_send_result);
  g_assert_true (th_exchange_send_finish (f->b_exchange, f->b_send_result, &error));
  g_assert_no_error (error);

  th_exchange_close (exchange);
  th_exchange_close (f->b_exchange);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 0);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->tb), ==, 0);
  g_assert_cmpuint (th_test_clock_get_n_pending (f->clock), ==, 0);
}

static void
test_standalone_ack_when_slow (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(ThExchange) exchange = th_exchange_manager_initiate (f->a, f->session, TEST_PROTOCOL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThMessage) request = NULL;
  g_autoptr(ThMessage) ack = NULL;
  g_autoptr(ThMessage) reply = NULL;
  g_autoptr(ThMessage) response = NULL;

  f->b_replies = FALSE;
  th_exchange_request_async (exchange, TEST_REQUEST, NULL, NULL, store_result, &result);
  request = forward_one (f->ta, f->tb);
  g_assert_cmpuint (f->b_calls, ==, 1);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->tb), ==, 0);

  /* B is thinking: after 200 ms it acknowledges alone, before A's first retransmission. */
  th_test_clock_advance (f->clock, TH_MRP_STANDALONE_ACK_TIMEOUT_MS);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->tb), ==, 1);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 0);
  ack = forward_one (f->tb, f->ta);
  assert_standalone_ack (ack, request->header.counter, FALSE);

  /* Acknowledged: A stops retransmitting and waits for the answer. */
  th_test_clock_advance (f->clock, 5000);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 0);
  drain ();
  g_assert_null (result);

  /* The late answer carries no acknowledgement: it was already given. */
  th_exchange_send_async (f->b_exchange, TEST_RESPONSE, NULL, NULL, store_result,
                          &f->b_send_result);
  reply = forward_one (f->tb, f->ta);
  g_assert_cmpuint (reply->protocol.exchange_flags, ==, TH_EXCHANGE_FLAG_RELIABLE);
  drain ();
  response = th_exchange_request_finish (exchange, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (response->header.counter, ==, reply->header.counter);

  /* Closing the exchange sends the owed acknowledgement at once. */
  th_exchange_close (exchange);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 1);
  th_test_transport_deliver (f->ta, f->tb);
  drain ();
  g_assert_true (th_exchange_send_finish (f->b_exchange, f->b_send_result, &error));
  g_assert_no_error (error);
}

static void
test_response_timeout (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ThExchange) exchange = th_exchange_manager_initiate (f->a, f->session, TEST_PROTOCOL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 acked_at;
  guint32 wait;

  f->b_replies = FALSE;
  th_exchange_set_expected_processing_time (exchange, 1000);
  th_exchange_request_async (exchange, TEST_REQUEST, NULL, NULL, store_result, &result);
  th_test_transport_deliver (f->ta, f->tb);
  th_test_clock_advance (f->clock, TH_MRP_STANDALONE_ACK_TIMEOUT_MS);
  g_assert_cmpuint (th_test_transport_deliver (f->tb, f->ta), ==, 1);
  acked_at = th_clock_now_ms (TH_CLOCK (f->clock));

  /* The expected processing time plus the longest B may take retransmitting its answer at
   * A's pace (A's active interval, 300 ms by default). */
  wait = 1000 + th_mrp_retransmission_span_ms (TH_MRP_DEFAULT_ACTIVE_INTERVAL_MS);
  th_test_clock_advance (f->clock, wait - 1);
  drain ();
  g_assert_null (result);
  th_test_clock_advance (f->clock, 1);
  drain ();
  g_assert_nonnull (result);
  g_assert_cmpint (th_clock_now_ms (TH_CLOCK (f->clock)) - acked_at, ==, wait);
  g_assert_null (th_exchange_request_finish (exchange, result, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TIMED_OUT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "did not respond to the Secure Channel "
                                            "PBKDFParamRequest message"));
  g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 0);
}

static void
test_duplicate (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(ThExchange) exchange = th_exchange_manager_initiate (f->a, f->session, TEST_PROTOCOL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(ThMessage) decoded = NULL;
  g_autoptr(ThMessage) ack = NULL;
  g_autoptr(GError) error = NULL;

  f->b_replies = FALSE;
  th_exchange_request_async (exchange, TEST_REQUEST, NULL, NULL, store_result, &result);
  request = th_test_transport_pop_sent (f->ta, NULL, NULL);
  decoded = th_message_decode (request, NULL, 0, &error);
  g_assert_no_error (error);

  th_transport_emit_received (TH_TRANSPORT (f->tb), request,
                              th_test_transport_get_address (f->ta));
  g_assert_cmpuint (f->b_calls, ==, 1);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->tb), ==, 0);

  /* The same message again (its acknowledgement was lost, say): acknowledged at once,
   * not handled twice. */
  th_transport_emit_received (TH_TRANSPORT (f->tb), request,
                              th_test_transport_get_address (f->ta));
  g_assert_cmpuint (f->b_calls, ==, 1);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->tb), ==, 1);
  ack = pop_message (f->tb, NULL);
  assert_standalone_ack (ack, decoded->header.counter, FALSE);

  th_exchange_close (exchange);
  drain ();
  g_assert_null (th_exchange_request_finish (exchange, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_active_and_idle (Fixture       *f,
                      gconstpointer  data)
{
  ThMrpParameters peer = { .idle_interval_ms = 1000, .active_interval_ms = 100,
                           .active_threshold_ms = 4000 };
  gint64 start;

  th_session_set_peer_mrp_parameters (f->session, &peer);

  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(ThExchange) exchange = th_exchange_manager_initiate (f->a, f->session,
                                                                     TEST_PROTOCOL);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(ThMessage) response = NULL;
      g_autoptr(ThMessage) request = NULL;
      g_autoptr(GError) error = NULL;
      /* Never heard from; heard from just now; heard from 5 s ago. */
      guint32 base = round == 1 ? peer.active_interval_ms : peer.idle_interval_ms;

      start = th_clock_now_ms (TH_CLOCK (f->clock));
      th_exchange_request_async (exchange, TEST_REQUEST, NULL, NULL, store_result, &result);
      /* The first transmission is lost; B answers the retransmission. */
      g_bytes_unref (th_test_transport_pop_sent (f->ta, NULL, NULL));
      th_test_clock_advance_to_next (f->clock);
      g_assert_cmpint (th_clock_now_ms (TH_CLOCK (f->clock)) - start, ==,
                       th_mrp_backoff_ms (base, 0, 0.5));
      g_clear_pointer (&request, th_message_unref);
      request = forward_one (f->ta, f->tb);
      g_clear_pointer (&request, th_message_unref);
      request = forward_one (f->tb, f->ta);
      drain ();
      response = th_exchange_request_finish (exchange, result, &error);
      g_assert_no_error (error);
      /* A acknowledges when it closes the exchange. */
      th_exchange_close (exchange);
      th_test_transport_deliver (f->ta, f->tb);
      drain ();
      g_assert_true (th_exchange_send_finish (f->b_exchange, f->b_send_result, &error));
      th_exchange_close (f->b_exchange);
      g_clear_object (&f->b_send_result);

      if (round == 1)
        th_test_clock_advance (f->clock, 5000);
    }
  g_assert_cmpuint (th_test_clock_get_n_pending (f->clock), ==, 0);
}

static void
add_secure_pair (Fixture    *f,
                 ThSession **on_a,
                 ThSession **on_b)
{
  static const guint8 secret[] = "a shared secret from a handshake";
  ThSessionKeys keys;
  ThSecureSessionConfig config = { 0 };
  g_autoptr(GError) error = NULL;
  guint16 id_a, id_b;

  g_assert_true (th_session_keys_derive (secret, sizeof secret - 1, NULL, 0, &keys, &error));
  g_assert_true (th_exchange_manager_allocate_session_id (f->a, &id_a, &error));
  g_assert_true (th_exchange_manager_allocate_session_id (f->b, &id_b, &error));
  g_assert_cmpuint (id_a, !=, 0);

  config.kind = TH_SESSION_KIND_PASE;
  config.keys = &keys;
  config.peer_address = th_test_transport_get_address (f->tb);
  config.local_session_id = id_a;
  config.peer_session_id = id_b;
  config.is_initiator = TRUE;
  *on_a = th_exchange_manager_add_secure_session (f->a, &config, &error);
  g_assert_no_error (error);

  config.peer_address = th_test_transport_get_address (f->ta);
  config.local_session_id = id_b;
  config.peer_session_id = id_a;
  config.is_initiator = FALSE;
  *on_b = th_exchange_manager_add_secure_session (f->b, &config, &error);
  g_assert_no_error (error);
  th_session_keys_clear (&keys);

  /* A taken id is not handed out twice. */
  g_assert_null (th_exchange_manager_add_secure_session (f->b, &config, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_FAILED);
}

static void
test_secure_exchange (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(ThSession) on_a = NULL;
  g_autoptr(ThSession) on_b = NULL;
  g_autoptr(ThExchange) exchange = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ThMessage) response = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GError) error = NULL;
  ThMessageHeader header;
  gsize header_len;
  gint64 start, sent_ms;

  add_secure_pair (f, &on_a, &on_b);
  g_assert_true (th_session_is_secure (on_a));
  g_assert_cmpint (th_session_get_kind (on_a), ==, TH_SESSION_KIND_PASE);
  g_assert_cmpmem (th_session_get_attestation_challenge (on_a), TH_SESSION_KEY_LEN,
                   th_session_get_attestation_challenge (on_b), TH_SESSION_KEY_LEN);

  exchange = th_exchange_manager_initiate (f->a, on_a, TEST_PROTOCOL);
  start = th_clock_now_ms (TH_CLOCK (f->clock));
  th_exchange_request_async (exchange, TEST_REQUEST, NULL, NULL, store_result, &result);

  /* On the wire: B's session id, no node ids, and nothing readable without the key. */
  request = th_test_transport_pop_sent (f->ta, NULL, NULL);
  g_assert_true (th_message_header_decode (&header, g_bytes_get_data (request, NULL),
                                           g_bytes_get_size (request), &header_len, NULL));
  g_assert_cmpuint (header.session_id, ==, th_session_get_local_session_id (on_b));
  g_assert_false (header.has_source_node_id || header.has_destination_node_id);
  g_assert_cmpuint (g_bytes_get_size (request), ==, header_len + 6 + TH_MESSAGE_MIC_LEN);

  /* A fresh secure session's peer counts as active: SAI (300 ms) is the base. */
  th_test_clock_advance_to_next (f->clock);
  g_bytes_unref (th_test_transport_pop_sent (f->ta, &sent_ms, NULL));
  g_assert_cmpint (sent_ms - start, ==, th_mrp_backoff_ms (300, 0, 0.5));

  th_transport_emit_received (TH_TRANSPORT (f->tb), request,
                              th_test_transport_get_address (f->ta));
  g_assert_cmpuint (f->b_calls, ==, 1);
  g_assert_true (th_exchange_get_session (f->b_exchange) == on_b);
  th_test_transport_deliver (f->tb, f->ta);
  drain ();
  response = th_exchange_request_finish (exchange, result, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (response->payload, NULL),
                   g_bytes_get_size (response->payload), "pong", 4);

  /* Closing the session ends what runs on it and wipes its keys. */
  g_clear_object (&result);
  th_exchange_request_async (exchange, TEST_REQUEST, NULL, NULL, store_result, &result);
  th_exchange_manager_close_session (f->a, on_a);
  drain ();
  g_assert_null (th_exchange_request_finish (exchange, result, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_SESSION_CLOSED);
  g_assert_false (th_session_is_open (on_a));
  g_assert_null (th_session_get_attestation_challenge (on_a));
  g_clear_object (&exchange);
  g_clear_object (&result);
  g_clear_error (&error);
  while (th_test_transport_get_n_sent (f->ta) > 0)
    g_bytes_unref (th_test_transport_pop_sent (f->ta, NULL, NULL));
  exchange = th_exchange_manager_initiate (f->a, on_a, TEST_PROTOCOL);
  th_exchange_request_async (exchange, TEST_REQUEST, NULL, NULL, store_result, &result);
  drain ();
  g_assert_null (th_exchange_request_finish (exchange, result, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_SESSION_CLOSED);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 0);
  g_assert_cmpuint (th_test_clock_get_n_pending (f->clock), >, 0);  /* B retransmits */
}

/* CloseSession goes once, without asking for an acknowledgement, and ends the session. */
static void
test_close_session (Fixture       *f,
                    gconstpointer  data)
{
  static const guint8 secret[] = "a shared secret from a handshake";
  g_autoptr(ThSession) on_a = NULL;
  g_autoptr(ThSession) on_b = NULL;
  g_autoptr(GBytes) datagram = NULL;
  g_autoptr(ThMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  ThSessionKeys keys;
  ThStatusReport report;

  add_secure_pair (f, &on_a, &on_b);
  g_assert_true (th_close_session (f->a, on_a, &error));
  g_assert_no_error (error);
  g_assert_false (th_session_is_open (on_a));
  g_assert_cmpuint (th_test_clock_get_n_pending (f->clock), ==, 0);

  datagram = th_test_transport_pop_sent (f->ta, NULL, NULL);
  g_assert_nonnull (datagram);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 0);
  g_assert_true (th_session_keys_derive (secret, sizeof secret - 1, NULL, 0, &keys, &error));
  message = th_message_decode (datagram, keys.i2r_key, TH_NODE_ID_UNSPECIFIED, &error);
  th_session_keys_clear (&keys);
  g_assert_no_error (error);
  g_assert_cmpuint (message->protocol.protocol_id, ==, TH_PROTOCOL_SECURE_CHANNEL);
  g_assert_cmpuint (message->protocol.opcode, ==, TH_SECURE_CHANNEL_STATUS_REPORT);
  g_assert_cmpuint (message->protocol.exchange_flags, ==, TH_EXCHANGE_FLAG_INITIATOR);
  g_assert_true (th_status_report_decode (&report, g_bytes_get_data (message->payload, NULL),
                                          g_bytes_get_size (message->payload), &error));
  g_assert_cmpuint (report.general_code, ==, TH_GENERAL_STATUS_SUCCESS);
  g_assert_true (th_status_report_is_secure_channel (&report,
                                                     TH_SECURE_CHANNEL_STATUS_CLOSE_SESSION));

  /* Closed already: nothing more goes out. */
  g_assert_true (th_close_session (f->a, on_a, &error));
  g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 0);
}

static void
count_closed (ThExchangeManager *manager,
              ThSession         *session,
              gpointer           user_data)
{
  ThSession **closed = user_data;

  g_assert_null (*closed);
  *closed = session;
}

/* The peer's CloseSession ends the session here too: a request waiting on it fails at once,
 * the report is acknowledged when it asks to be, and later messages on it are dropped. */
static void
test_peer_closes_session (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(ThSession) on_a = NULL;
  g_autoptr(ThSession) on_b = NULL;
  g_autoptr(ThExchange) exchange = NULL;
  g_autoptr(ThExchange) closing = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) close_result = NULL;
  g_autoptr(GBytes) report = NULL;
  g_autoptr(GError) error = NULL;
  ThStatusReport close = {
    .general_code = TH_GENERAL_STATUS_SUCCESS,
    .protocol_id = TH_STATUS_REPORT_PROTOCOL (0, TH_PROTOCOL_SECURE_CHANNEL),
    .protocol_code = TH_SECURE_CHANNEL_STATUS_CLOSE_SESSION,
  };
  ThStatusReport other = close;
  ThSession *closed = NULL;

  add_secure_pair (f, &on_a, &on_b);
  g_signal_connect (f->a, "peer-closed-session", G_CALLBACK (count_closed), &closed);
  f->b_replies = FALSE;
  exchange = th_exchange_manager_initiate (f->a, on_a, TEST_PROTOCOL);
  th_exchange_request_async (exchange, TEST_REQUEST, NULL, NULL, store_result, &result);
  th_test_transport_deliver (f->ta, f->tb);
  g_assert_cmpuint (f->b_calls, ==, 1);
  th_test_transport_deliver (f->tb, f->ta);      /* B's acknowledgement, no answer */
  g_assert_null (result);

  /* Another status report (BUSY, say) on a new exchange is not a close: A has no handler
   * for it, drops it, and the session stays. */
  other.general_code = TH_GENERAL_STATUS_BUSY;
  report = th_status_report_encode (&other);
  closing = th_exchange_manager_initiate (f->b, on_b, TH_PROTOCOL_SECURE_CHANNEL);
  g_assert_true (th_exchange_send_unreliable (closing, TH_SECURE_CHANNEL_STATUS_REPORT,
                                              report, &error));
  g_assert_no_error (error);
  th_test_transport_deliver (f->tb, f->ta);
  g_assert_true (th_session_is_open (on_a));
  g_assert_null (closed);
  g_clear_object (&closing);
  g_clear_pointer (&report, g_bytes_unref);
  while (th_test_transport_get_n_sent (f->ta) > 0)
    g_bytes_unref (th_test_transport_pop_sent (f->ta, NULL, NULL));

  /* B closes, reliably this time, as some devices do. */
  report = th_status_report_encode (&close);
  closing = th_exchange_manager_initiate (f->b, on_b, TH_PROTOCOL_SECURE_CHANNEL);
  th_exchange_send_async (closing, TH_SECURE_CHANNEL_STATUS_REPORT, report, NULL,
                          store_result, &close_result);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->tb), ==, 1);
  th_test_transport_deliver (f->tb, f->ta);
  g_assert_false (th_session_is_open (on_a));
  g_assert_true (closed == on_a);
  drain ();
  g_assert_nonnull (result);
  g_assert_null (th_exchange_request_finish (exchange, result, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_SESSION_CLOSED);
  g_clear_error (&error);

  /* The report was acknowledged, under the session's keys, before the keys went. */
  g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 1);
  th_test_transport_deliver (f->ta, f->tb);
  drain ();
  g_assert_nonnull (close_result);
  g_assert_true (th_exchange_send_finish (closing, close_result, &error));
  g_assert_no_error (error);

  /* Nothing answers on the closed session any more, not even an acknowledgement. */
  th_exchange_manager_close_session (f->b, on_b);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 0);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(ThExchange) exchange = th_exchange_manager_initiate (f->a, f->session, TEST_PROTOCOL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  th_exchange_request_async (exchange, TEST_REQUEST, NULL, cancellable, store_result, &result);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 1);
  g_cancellable_cancel (cancellable);
  drain ();
  g_assert_null (th_exchange_request_finish (exchange, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (th_test_clock_get_n_pending (f->clock), ==, 0);
  th_test_clock_advance (f->clock, 60000);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 1);

  /* Already cancelled: nothing is sent at all. */
  g_clear_object (&result);
  g_clear_error (&error);
  g_bytes_unref (th_test_transport_pop_sent (f->ta, NULL, NULL));
  g_clear_object (&exchange);
  exchange = th_exchange_manager_initiate (f->a, f->session, TEST_PROTOCOL);
  th_exchange_request_async (exchange, TEST_REQUEST, NULL, cancellable, store_result, &result);
  drain ();
  g_assert_null (th_exchange_request_finish (exchange, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 0);
}

static void
test_reliable_transport (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(ThExchange) exchange = th_exchange_manager_initiate (f->a, f->session, TEST_PROTOCOL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ThMessage) request = NULL;
  g_autoptr(ThMessage) response = NULL;
  g_autoptr(GError) error = NULL;

  th_exchange_request_async (exchange, TEST_REQUEST, NULL, NULL, store_result, &result);
  request = forward_one (f->ta, f->tb);
  /* No MRP over a reliable transport: no R flag, no retransmission timer. */
  g_assert_cmpuint (request->protocol.exchange_flags, ==, TH_EXCHANGE_FLAG_INITIATOR);
  g_assert_cmpuint (th_test_clock_get_n_pending (f->clock), ==, 1);  /* the response wait */
  drain ();
  /* B's send is done as soon as it is out. */
  g_assert_true (th_exchange_send_finish (f->b_exchange, f->b_send_result, &error));
  th_test_transport_deliver (f->tb, f->ta);
  drain ();
  response = th_exchange_request_finish (exchange, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (response->protocol.exchange_flags, ==, 0);

  th_exchange_close (exchange);
  th_exchange_close (f->b_exchange);
  th_test_clock_advance (f->clock, 60000);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->ta), ==, 0);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->tb), ==, 0);
}

static void
inject_hex (Fixture    *f,
            const char *hex)
{
  g_autoptr(GBytes) bytes = th_test_hex_to_bytes (hex);

  th_transport_emit_received (TH_TRANSPORT (f->tb), bytes,
                              th_test_transport_get_address (f->ta));
}

static void
test_drops (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("message/message_encryption_vectors.json");
  JsonArray *cases = json_object_get_array_member (json_node_get_object (root), "cases");

  /* Garbage, a privacy-flagged message, group messages and an unknown session: dropped
   * without a word to the peer. */
  inject_hex (f, "");
  inject_hex (f, "ff");
  for (guint i = 0; i < json_array_get_length (cases); i++)
    inject_hex (f, json_object_get_string_member (json_array_get_object_element (cases, i),
                                                  "encryptedMessageHex"));
  /* An unsecured message starting an exchange, but for a protocol B has no handler for:
   * acknowledged, then dropped. */
  inject_hex (f, "04000000" "01000000" "0102030405060708" "0520" "3412" "0500");
  g_assert_cmpuint (f->b_calls, ==, 0);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->tb), ==, 1);
  {
    g_autoptr(ThMessage) ack = pop_message (f->tb, NULL);

    assert_standalone_ack (ack, 1, FALSE);
    g_assert_cmpuint (ack->protocol.exchange_id, ==, 0x1234);
    g_assert_cmpuint (ack->header.destination_node_id, ==, 0x0807060504030201);
  }
  /* A message that is not the start of an exchange, for no known exchange: the same. */
  inject_hex (f, "04000000" "02000000" "0102030405060708" "0420" "3412" "0000");
  g_assert_cmpuint (f->b_calls, ==, 0);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->tb), ==, 1);
  g_bytes_unref (th_test_transport_pop_sent (f->tb, NULL, NULL));
  /* An unsecured answer to an ephemeral node id B never used. */
  inject_hex (f, "01000000" "03000000" "0102030405060708" "0620" "3412" "0000" "01000000");
  g_assert_cmpuint (th_test_transport_get_n_sent (f->tb), ==, 0);
}

static void
test_session_ids (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  guint16 id, first;

  g_assert_true (th_exchange_manager_allocate_session_id (f->a, &first, &error));
  g_hash_table_add (seen, GUINT_TO_POINTER (first));
  for (guint i = 0; i < 1000; i++)
    {
      g_assert_true (th_exchange_manager_allocate_session_id (f->a, &id, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (id, !=, 0);
      g_assert_false (g_hash_table_contains (seen, GUINT_TO_POINTER (id)));
      g_hash_table_add (seen, GUINT_TO_POINTER (id));
    }
  /* Handed back, an id is free again; until then it is not. */
  for (guint i = 0; i < 65536 - 1002; i++)
    g_assert_true (th_exchange_manager_allocate_session_id (f->a, &id, &error));
  g_assert_false (th_exchange_manager_allocate_session_id (f->a, &id, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_BUSY);
  g_clear_error (&error);
  th_exchange_manager_release_session_id (f->a, first);
  g_assert_true (th_exchange_manager_allocate_session_id (f->a, &id, &error));
  g_assert_cmpuint (id, ==, first);
}

/* A request from a peer that names itself with `node_id`. */
static void
inject_request (Fixture *f,
                guint64  node_id,
                guint16  exchange_id)
{
  ThMessageHeader header = { .counter = 7, .has_source_node_id = TRUE,
                             .source_node_id = node_id };
  ThProtocolHeader protocol = { .exchange_flags = TH_EXCHANGE_FLAG_INITIATOR |
                                                  TH_EXCHANGE_FLAG_RELIABLE,
                                .opcode = TEST_REQUEST, .exchange_id = exchange_id,
                                .protocol_id = TEST_PROTOCOL };
  g_autoptr(GBytes) bytes = th_message_encode (&header, &protocol, NULL, 0, NULL, 0, NULL);

  th_transport_emit_received (TH_TRANSPORT (f->tb), bytes,
                              th_test_transport_get_address (f->ta));
}

static void
test_responder_sessions (Fixture       *f,
                         gconstpointer  data)
{
  guint n = 20;

  /* Many peers start unsecured exchanges with B; it keeps the newest sixteen. */
  f->b_replies = FALSE;
  for (guint i = 0; i < n; i++)
    inject_request (f, 1000 + i, (guint16) i);
  g_assert_cmpuint (f->b_calls, ==, n);
  for (guint i = 0; i < n; i++)
    {
      ThExchange *exchange = g_ptr_array_index (f->b_exchanges, i);
      ThSession *session = th_exchange_get_session (exchange);

      g_assert_false (th_session_is_initiator (session));
      g_assert_cmpuint (th_session_get_peer_node_id (session), ==, 1000 + i);
      g_assert_cmpint (th_session_is_open (session), ==, i >= n - 16);
    }

  /* The same peer again, on a new exchange: its session is reused, and its counter
   * remembered, so a replay of the first request is only acknowledged. */
  inject_request (f, 1000 + n - 1, 500);
  g_assert_cmpuint (f->b_calls, ==, n);
  g_assert_cmpuint (th_test_transport_get_n_sent (f->tb), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mrp/backoff-formula", test_backoff_formula);
#define ADD(path, func, setup) \
  g_test_add (path, Fixture, NULL, setup, func, fixture_tear_down)
  ADD ("/mrp/retransmission-schedule", test_retransmission_schedule, fixture_set_up);
  ADD ("/mrp/send-gives-up", test_send_gives_up, fixture_set_up);
  ADD ("/mrp/piggybacked-ack", test_piggybacked_ack, fixture_set_up);
  ADD ("/mrp/standalone-ack", test_standalone_ack_when_slow, fixture_set_up);
  ADD ("/mrp/response-timeout", test_response_timeout, fixture_set_up);
  ADD ("/mrp/duplicate", test_duplicate, fixture_set_up);
  ADD ("/mrp/active-and-idle", test_active_and_idle, fixture_set_up);
  ADD ("/mrp/secure-exchange", test_secure_exchange, fixture_set_up);
  ADD ("/mrp/close-session", test_close_session, fixture_set_up);
  ADD ("/mrp/peer-closes-session", test_peer_closes_session, fixture_set_up);
  ADD ("/mrp/cancel", test_cancel, fixture_set_up);
  ADD ("/mrp/reliable-transport", test_reliable_transport, fixture_set_up_reliable);
  ADD ("/mrp/drops", test_drops, fixture_set_up);
  ADD ("/mrp/session-ids", test_session_ids, fixture_set_up);
  ADD ("/mrp/responder-sessions", test_responder_sessions, fixture_set_up);
#undef ADD

  return g_test_run ();
}
