/* test-btp.c: the BLE transport protocol: its packets against the shared vectors, the session
 * against a scripted peer (handshake, segmentation, acknowledgements and the window, lost
 * packets, a silent peer, keep-alive), and PASE end to end over BTP to an in-process device
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "crypto/th-spake2p.h"
#include "messaging/th-btp-codec.h"
#include "messaging/th-btp-transport.h"
#include "messaging/th-exchange-manager.h"
#include "secure-channel/th-pase-responder.h"
#include "secure-channel/th-pase.h"
#include "th-error.h"
#include "th-test-btp-link.h"
#include "th-test-clock.h"
#include "th-test-utils.h"

static JsonObject *
btp_vectors (void)
{
  /* kept for the life of the program, so the objects handed out stay valid */
  static JsonNode *root;

  if (root == NULL)
    root = th_test_load_vectors ("discovery/ble_vectors.json");
  return json_object_get_object_member (json_node_get_object (root), "btp");
}

static void
assert_bytes_hex (GBytes     *bytes,
                  const char *hex)
{
  g_autofree char *actual = th_test_bytes_to_hex (g_bytes_get_data (bytes, NULL),
                                                  g_bytes_get_size (bytes));

  g_assert_cmpstr (actual, ==, hex);
}

static void
assert_error_mentions (const GError *error,
                       const char   *fragment)
{
  g_assert_nonnull (error);
  g_test_message ("error: %s", error->message);
  if (strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, fragment);
}

/* A message whose bytes say where they sit in it. */
static GBytes *
pattern_message (gsize len)
{
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (i * 7 + i / 256);
  return g_bytes_new_take (data, len);
}

/* The codec against the vectors. */

static void
test_codec_handshake_request (void)
{
  JsonArray *requests = json_object_get_array_member (btp_vectors (), "handshakeRequest");
  JsonArray *invalid = json_object_get_array_member (btp_vectors (), "handshakeRequestInvalid");

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *vector = json_array_get_object_element (requests, i);
      JsonObject *decoded = json_object_get_object_member (vector, "decoded");
      JsonArray *versions = json_object_get_array_member (decoded, "versions");
      const char *hex = json_object_get_string_member (vector, "hex");
      g_autoptr(GBytes) packet = th_test_hex_to_bytes (hex);
      g_autoptr(GBytes) encoded = NULL;
      g_autoptr(GError) error = NULL;
      ThBtpHandshakeRequest request;
      guint8 seen[16] = { 0 };

      g_assert_true (th_btp_packet_is_handshake (g_bytes_get_data (packet, NULL),
                                                 g_bytes_get_size (packet)));
      g_assert_true (th_btp_handshake_request_parse (g_bytes_get_data (packet, NULL),
                                                     g_bytes_get_size (packet), &request,
                                                     &error));
      g_assert_no_error (error);
      g_assert_cmpuint (request.att_mtu, ==, json_object_get_int_member (decoded, "attMtu"));
      g_assert_cmpuint (request.window_size, ==,
                        json_object_get_int_member (decoded, "clientWindowSize"));
      /* The slots' order within a byte is not significant: compare the sets. */
      g_assert_cmpuint (request.n_versions, ==, json_array_get_length (versions));
      for (guint j = 0; j < request.n_versions; j++)
        seen[request.versions[j]]++;
      for (guint j = 0; j < json_array_get_length (versions); j++)
        {
          gint64 version = json_array_get_int_element (versions, j);

          g_assert_true (version > 0 && version < 16);
          g_assert_cmpuint (seen[version], ==, 1);
          g_assert_true (th_btp_handshake_request_offers (&request, (guint8) version));
        }
      g_assert_false (th_btp_handshake_request_offers (&request, 3));

      /* A single version encodes back to the same bytes. */
      if (request.n_versions == 1)
        {
          encoded = th_btp_handshake_request_encode (&request);
          assert_bytes_hex (encoded, hex);
        }
    }

  for (guint i = 0; i < json_array_get_length (invalid); i++)
    {
      JsonObject *vector = json_array_get_object_element (invalid, i);
      g_autoptr(GBytes) packet = th_test_hex_to_bytes (json_object_get_string_member (vector,
                                                                                      "hex"));
      g_autoptr(GError) error = NULL;
      ThBtpHandshakeRequest request;

      g_test_message ("invalid request: %s", json_object_get_string_member (vector, "error"));
      g_assert_false (th_btp_handshake_request_parse (g_bytes_get_data (packet, NULL),
                                                      g_bytes_get_size (packet), &request,
                                                      &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_BTP_PROTOCOL);
      g_test_message ("  %s", error->message);
    }
}

static void
test_codec_handshake_request_edges (void)
{
  static const struct
  {
    const char *hex;
    const char *fragment;
  } bad[] = {
    { "656c04000000b900", "8 bytes long; it must be 9" },
    { "656c04000000b9000600", "10 bytes long; it must be 9" },
    { "", "0 bytes long" },
    { "656c04000000b90000", "window of 0 packets at byte 8" },
    { "656d04000000b90006", "opcode 0x6D at byte 1" },
    { "0d6c04000000b90006", "flags 0x0D at byte 0" },
    { "656c00000000b90006", "no protocol version in bytes 2 to 5" },
  };
  ThBtpHandshakeRequest request = { { 4, 5, 6 }, 3, 247, 255 };
  g_autoptr(GBytes) encoded = th_btp_handshake_request_encode (&request);
  g_autoptr(GError) error = NULL;
  ThBtpHandshakeRequest again;

  /* The first slot is the low half of byte 2. */
  assert_bytes_hex (encoded, "656c54060000f700ff");
  g_assert_true (th_btp_handshake_request_parse (g_bytes_get_data (encoded, NULL), 9, &again,
                                                 &error));
  g_assert_no_error (error);
  g_assert_cmpmem (again.versions, 3, request.versions, 3);
  g_assert_cmpuint (again.att_mtu, ==, 247);
  g_assert_cmpuint (again.window_size, ==, 255);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) packet = th_test_hex_to_bytes (bad[i].hex);
      g_autoptr(GError) bad_error = NULL;

      g_assert_false (th_btp_handshake_request_parse (g_bytes_get_data (packet, NULL),
                                                      g_bytes_get_size (packet), &again,
                                                      &bad_error));
      g_assert_error (bad_error, TH_ERROR, TH_ERROR_BTP_PROTOCOL);
      assert_error_mentions (bad_error, bad[i].fragment);
    }
}

static void
test_codec_handshake_response (void)
{
  JsonArray *responses = json_object_get_array_member (btp_vectors (), "handshakeResponse");

  for (guint i = 0; i < json_array_get_length (responses); i++)
    {
      JsonObject *vector = json_array_get_object_element (responses, i);
      JsonObject *decoded = json_object_get_object_member (vector, "decoded");
      const char *hex = json_object_get_string_member (vector, "hex");
      g_autoptr(GBytes) packet = th_test_hex_to_bytes (hex);
      g_autoptr(GBytes) encoded = NULL;
      g_autoptr(GError) error = NULL;
      ThBtpHandshakeResponse response;

      g_assert_true (th_btp_handshake_response_parse (g_bytes_get_data (packet, NULL),
                                                      g_bytes_get_size (packet), &response,
                                                      &error));
      g_assert_no_error (error);
      g_assert_cmpuint (response.version, ==, json_object_get_int_member (decoded, "version"));
      g_assert_cmpuint (response.segment_size, ==,
                        json_object_get_int_member (decoded, "attMtu"));
      g_assert_cmpuint (response.window_size, ==,
                        json_object_get_int_member (decoded, "windowSize"));
      encoded = th_btp_handshake_response_encode (&response);
      assert_bytes_hex (encoded, hex);
    }
}

static void
test_codec_handshake_response_edges (void)
{
  static const struct
  {
    const char *hex;
    const char *fragment;
  } bad[] = {
    { "656c040001", "5 bytes long; it must be 6" },
    { "656c04000106ff", "7 bytes long; it must be 6" },
    { "256c04000106", "flags 0x25 at byte 0" },
    { "656b04000106", "opcode 0x6B at byte 1" },
  };
  g_autoptr(GBytes) packet = th_test_hex_to_bytes ("656cf4f40003");
  g_autoptr(GError) error = NULL;
  ThBtpHandshakeResponse response;

  /* The upper half of the version byte is reserved and left aside. */
  g_assert_true (th_btp_handshake_response_parse (g_bytes_get_data (packet, NULL), 6, &response,
                                                  &error));
  g_assert_no_error (error);
  g_assert_cmpuint (response.version, ==, 4);
  g_assert_cmpuint (response.segment_size, ==, 0xF4);
  g_assert_cmpuint (response.window_size, ==, 3);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) bad_packet = th_test_hex_to_bytes (bad[i].hex);
      g_autoptr(GError) bad_error = NULL;

      g_assert_false (th_btp_handshake_response_parse (g_bytes_get_data (bad_packet, NULL),
                                                       g_bytes_get_size (bad_packet),
                                                       &response, &bad_error));
      g_assert_error (bad_error, TH_ERROR, TH_ERROR_BTP_PROTOCOL);
      assert_error_mentions (bad_error, bad[i].fragment);
    }
}

static guint8
flags_of (const char *text)
{
  /* "0x0d (begin|end|ack)" */
  return (guint8) g_ascii_strtoull (text + 2, NULL, 16);
}

static void
test_codec_segments (void)
{
  JsonArray *packets = json_object_get_array_member (btp_vectors (), "packets");

  for (guint i = 0; i < json_array_get_length (packets); i++)
    {
      JsonObject *vector = json_array_get_object_element (packets, i);
      JsonObject *decoded = json_object_get_object_member (vector, "decoded");
      const char *hex = json_object_get_string_member (vector, "hex");
      const char *direction = json_object_get_string_member (vector, "direction");
      g_autoptr(GBytes) packet = th_test_hex_to_bytes (hex);
      g_autoptr(GBytes) encoded = NULL;
      g_autoptr(GError) error = NULL;
      ThBtpSegment segment;
      guint8 flags = flags_of (json_object_get_string_member (decoded, "headerFlags"));

      g_test_message ("segment %u (%s): flags 0x%02x", i, direction, flags);
      g_assert_false (th_btp_packet_is_handshake (g_bytes_get_data (packet, NULL),
                                                  g_bytes_get_size (packet)));
      g_assert_true (th_btp_segment_parse (g_bytes_get_data (packet, NULL),
                                           g_bytes_get_size (packet), &segment, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (segment.flags, ==, flags);
      g_assert_cmpuint (segment.sequence_number, ==,
                        json_object_get_int_member (decoded, "sequenceNumber"));
      if (json_object_has_member (decoded, "ackNumber"))
        {
          g_assert_true (segment.flags & TH_BTP_FLAG_ACK);
          g_assert_cmpuint (segment.ack_number, ==,
                            json_object_get_int_member (decoded, "ackNumber"));
        }
      else
        {
          g_assert_false (segment.flags & TH_BTP_FLAG_ACK);
        }
      if (json_object_has_member (decoded, "messageLength"))
        {
          g_assert_true (segment.flags & TH_BTP_FLAG_BEGINNING);
          g_assert_cmpuint (segment.message_length, ==,
                            json_object_get_int_member (decoded, "messageLength"));
          /* These vectors are whole messages in one segment. */
          g_assert_cmpuint (segment.payload_len, ==, segment.message_length);
        }
      if (json_object_has_member (decoded, "segmentPayloadHex"))
        {
          g_autoptr(GBytes) payload =
            th_test_hex_to_bytes (json_object_get_string_member (decoded, "segmentPayloadHex"));

          th_assert_bytes_equal (segment.payload, segment.payload_len,
                                 g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
        }
      g_assert_cmpuint (th_btp_segment_header_size (segment.flags) + segment.payload_len, ==,
                        g_bytes_get_size (packet));

      encoded = th_btp_segment_encode (&segment);
      assert_bytes_hex (encoded, hex);
    }
}

static void
test_codec_segment_edges (void)
{
  static const struct
  {
    const char *hex;
    const char *fragment;
  } bad[] = {
    { "", "is empty" },
    { "0d0000", "shorter than the 5-byte header its flags 0x0D announce" },
    { "08", "shorter than the 3-byte header" },
    { "0800", "shorter than the 3-byte header" },
    { "05", "shorter than the 4-byte header" },
    { "080102ff", "acknowledgement carries 1 bytes from byte 3" },
    { "0500", "shorter than the 4-byte header" },
    { "05000000aa", "message of 0 bytes at byte 2" },
    { "05000200aabbcc", "first BTP segment of a 2-byte message carries 3 bytes" },
    { "010003000011", "" },
    { "0600", "ends after its 2-byte header without data" },
    { "0e0101", "ends after its 3-byte header without data" },
    { "0300", "both the beginning and a continuation" },
    { "0400aa", "ending segment must also be marked" },
    { "0001", "neither data nor an acknowledgement" },
    { "1801020304", "reserved bits" },
    { "8d00000100aa", "reserved bits" },
    { "2d00000100aa", "handshake or management packet" },
    { "656c04000106", "handshake or management packet" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) packet = th_test_hex_to_bytes (bad[i].hex);
      g_autoptr(GError) error = NULL;
      ThBtpSegment segment;
      gboolean ok;

      ok = th_btp_segment_parse (g_bytes_get_data (packet, NULL), g_bytes_get_size (packet),
                                 &segment, &error);
      if (*bad[i].fragment == '\0')
        {
          /* A beginning segment may leave the rest of its message for later ones. */
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpuint (segment.message_length, ==, 3);
          g_assert_cmpuint (segment.payload_len, ==, 2);
          continue;
        }
      g_assert_false (ok);
      g_assert_error (error, TH_ERROR, TH_ERROR_BTP_PROTOCOL);
      assert_error_mentions (error, bad[i].fragment);
    }
}

/* A central under test, and the bare other end of its link, scripted by the test. */
typedef struct
{
  ThTestClock *clock;
  ThTestBtpLink *link;
  ThTestBtpLink *peer_link;
  ThBtpTransport *transport;
  GQueue written;                /* GBytes the central wrote, not yet looked at */
  guint subscriptions;
  GPtrArray *messages;           /* GBytes the transport delivered */
  GError *closed_error;          /* from ::closed */
  GAsyncResult *open_result;
} Central;

static void
on_peer_link_received (ThBtpLink *link,
                       GBytes    *packet,
                       gpointer   user_data)
{
  Central *central = user_data;

  g_queue_push_tail (&central->written, g_bytes_ref (packet));
}

static void
on_peer_link_subscribed (ThBtpLink *link,
                         gpointer   user_data)
{
  Central *central = user_data;

  central->subscriptions++;
}

static void
on_central_received (ThTransport    *transport,
                     GBytes         *message,
                     GSocketAddress *peer,
                     gpointer        user_data)
{
  Central *central = user_data;

  g_assert_null (peer);
  g_ptr_array_add (central->messages, g_bytes_ref (message));
}

static void
on_central_closed (ThBtpTransport *transport,
                   const GError   *error,
                   gpointer        user_data)
{
  Central *central = user_data;

  g_assert_null (central->closed_error);
  central->closed_error = g_error_copy (error);
}

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
central_init (Central *central,
              guint16  att_mtu,
              guint8   window_size)
{
  memset (central, 0, sizeof *central);
  central->clock = th_test_clock_new ();
  th_test_btp_link_new_pair (att_mtu, &central->link, &central->peer_link);
  g_queue_init (&central->written);
  central->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_signal_connect (central->peer_link, "received", G_CALLBACK (on_peer_link_received), central);
  g_signal_connect (central->peer_link, "subscribed", G_CALLBACK (on_peer_link_subscribed),
                    central);
  central->transport = th_btp_transport_new (TH_BTP_LINK (central->link), TH_BTP_ROLE_CENTRAL,
                                             TH_CLOCK (central->clock));
  th_btp_transport_set_window_size (central->transport, window_size);
  g_signal_connect (central->transport, "received", G_CALLBACK (on_central_received), central);
  g_signal_connect (central->transport, "closed", G_CALLBACK (on_central_closed), central);
}

static void
central_clear (Central *central)
{
  th_test_btp_link_settle ();
  g_clear_object (&central->transport);
  th_test_btp_link_settle ();
  g_clear_object (&central->link);
  g_clear_object (&central->peer_link);
  g_clear_object (&central->open_result);
  g_clear_object (&central->clock);
  g_queue_clear_full (&central->written, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&central->messages, g_ptr_array_unref);
  g_clear_error (&central->closed_error);
}

static ThBtpSession *
central_session (Central *central)
{
  return th_btp_transport_get_session (central->transport);
}

/* The next packet the central wrote, which must be there. */
static GBytes *
take_written (Central *central)
{
  GBytes *packet = g_queue_pop_head (&central->written);

  if (packet == NULL)
    g_error ("The central wrote nothing more");
  return packet;
}

static void
assert_written (Central    *central,
                const char *hex)
{
  g_autoptr(GBytes) packet = take_written (central);

  assert_bytes_hex (packet, hex);
}

static void
assert_nothing_written (Central *central)
{
  if (!g_queue_is_empty (&central->written))
    {
      GBytes *packet = g_queue_peek_head (&central->written);
      g_autofree char *hex = th_test_bytes_to_hex (g_bytes_get_data (packet, NULL),
                                                   g_bytes_get_size (packet));

      g_error ("The central wrote %s unexpectedly", hex);
    }
}

static void
peer_write_hex (Central    *central,
                const char *hex)
{
  g_autoptr(GBytes) packet = th_test_hex_to_bytes (hex);

  th_btp_link_write_async (TH_BTP_LINK (central->peer_link), packet, NULL, NULL, NULL);
  th_test_btp_link_settle ();
}

static void
peer_write_segment (Central      *central,
                    guint8        flags,
                    guint8        ack,
                    guint8        sequence,
                    guint16       message_length,
                    const guint8 *payload,
                    gsize         payload_len)
{
  ThBtpSegment segment = { flags, ack, sequence, message_length, payload, payload_len };
  g_autoptr(GBytes) packet = th_btp_segment_encode (&segment);

  th_btp_link_write_async (TH_BTP_LINK (central->peer_link), packet, NULL, NULL, NULL);
  th_test_btp_link_settle ();
}

/* Opens the central's session against the scripted peer, which answers `response_hex`. */
static void
central_open (Central    *central,
              const char *request_hex,
              const char *response_hex)
{
  g_autoptr(GError) error = NULL;

  th_btp_transport_open_async (central->transport, NULL, on_opened, &central->open_result);
  th_test_btp_link_settle ();
  assert_written (central, request_hex);
  g_assert_cmpuint (central->subscriptions, ==, 1);
  g_assert_null (central->open_result);

  peer_write_hex (central, response_hex);
  g_assert_nonnull (central->open_result);
  g_assert_true (th_btp_transport_open_finish (central->transport, central->open_result,
                                               &error));
  g_assert_no_error (error);
  g_assert_cmpint (th_btp_session_get_state (central_session (central)), ==,
                   TH_BTP_SESSION_OPEN);
}

static void
central_send (Central *central,
              GBytes  *message)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (th_transport_send (TH_TRANSPORT (central->transport), NULL, message, &error));
  g_assert_no_error (error);
  th_test_btp_link_settle ();
}

static void
test_handshake (void)
{
  Central central;
  g_autoptr(GBytes) message = g_bytes_new_static ("hello", 5);

  central_init (&central, 185, 6);
  g_assert_true (th_transport_is_reliable (TH_TRANSPORT (central.transport)));
  /* The request is the vector's: version 4, ATT MTU 185, window 6. */
  central_open (&central, "656c04000000b90006", "656c04b60003");
  g_assert_cmpuint (th_btp_session_get_segment_size (central_session (&central)), ==, 182);
  g_assert_cmpuint (th_btp_session_get_window_size (central_session (&central)), ==, 3);
  assert_nothing_written (&central);

  /* The response was the peripheral's packet 0: the first data acknowledges it. */
  central_send (&central, message);
  assert_written (&central, "0d0000050068656c6c6f");
  g_assert_null (central.closed_error);

  central_clear (&central);
}

static void
test_handshake_segment_size (void)
{
  Central central;

  /* A device may name more than BTP allows, and more than the link carries: the smaller
   * wins. */
  central_init (&central, 0, 6);
  central_open (&central, "656c040000000000" "06", "656c04000106");
  g_assert_cmpuint (th_btp_session_get_segment_size (central_session (&central)), ==,
                    TH_BTP_MAX_SEGMENT_SIZE);
  g_assert_cmpuint (th_btp_session_get_window_size (central_session (&central)), ==, 6);
  central_clear (&central);

  central_init (&central, 100, 6);
  central_open (&central, "656c040000006400" "06", "656c04f40006");
  g_assert_cmpuint (th_btp_session_get_segment_size (central_session (&central)), ==, 97);
  central_clear (&central);
}

static void
run_bad_response (const char *response_hex,
                  gint        code,
                  const char *fragment)
{
  Central central;

  central_init (&central, 185, 6);
  th_btp_transport_open_async (central.transport, NULL, on_opened, &central.open_result);
  th_test_btp_link_settle ();
  g_queue_clear_full (&central.written, (GDestroyNotify) g_bytes_unref);
  peer_write_hex (&central, response_hex);

  g_assert_nonnull (central.open_result);
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (th_btp_transport_open_finish (central.transport, central.open_result,
                                                  &error));
    g_assert_error (error, TH_ERROR, code);
    assert_error_mentions (error, fragment);
  }
  g_assert_true (th_test_btp_link_is_closed (central.link));
  central_clear (&central);
}

static void
test_handshake_refused (void)
{
  run_bad_response ("656c05b60006", TH_ERROR_BTP_PROTOCOL,
                    "chose BLE transport version 5; only version 4 was offered");
  run_bad_response ("656c04130006", TH_ERROR_BTP_PROTOCOL, "segments of 19 bytes");
  run_bad_response ("656c04b60007", TH_ERROR_BTP_PROTOCOL, "window of 7 packets; 1 to 6");
  run_bad_response ("656c04b60000", TH_ERROR_BTP_PROTOCOL, "window of 0 packets");
  run_bad_response ("656c04b600", TH_ERROR_BTP_PROTOCOL, "5 bytes long; it must be 6");
  run_bad_response ("0d000001" "00aa", TH_ERROR_BTP_PROTOCOL, "flags 0x0D at byte 0");
}

/* A silent device: no handshake response within BTP_CONN_RSP_TIMEOUT. */
static void
test_handshake_timeout (void)
{
  Central central;
  g_autoptr(GError) error = NULL;

  central_init (&central, 185, 6);
  th_btp_transport_open_async (central.transport, NULL, on_opened, &central.open_result);
  th_test_btp_link_settle ();
  th_test_clock_advance (central.clock, TH_BTP_HANDSHAKE_TIMEOUT_MS - 1);
  th_test_btp_link_settle ();
  g_assert_null (central.open_result);
  th_test_clock_advance (central.clock, 1);
  th_test_btp_link_settle ();
  g_assert_nonnull (central.open_result);
  g_assert_false (th_btp_transport_open_finish (central.transport, central.open_result,
                                                &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TIMED_OUT);
  assert_error_mentions (error, "did not answer the BLE transport handshake within 5 seconds");
  g_assert_true (th_test_btp_link_is_closed (central.link));
  central_clear (&central);
}

static void
test_open_cancelled (void)
{
  Central central;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  central_init (&central, 185, 6);
  th_btp_transport_open_async (central.transport, cancellable, on_opened,
                               &central.open_result);
  th_test_btp_link_settle ();
  g_cancellable_cancel (cancellable);
  th_test_btp_link_settle ();
  g_assert_nonnull (central.open_result);
  g_assert_false (th_btp_transport_open_finish (central.transport, central.open_result,
                                                &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The failure went to the open operation, not to ::closed. */
  g_assert_null (central.closed_error);
  g_assert_true (th_test_btp_link_is_closed (central.link));
  central_clear (&central);
}

/* A long message goes out in segments no larger than agreed, within the window. */
static void
test_segmentation (void)
{
  Central central;
  g_autoptr(GBytes) message = pattern_message (200);
  g_autoptr(GByteArray) reassembled = g_byte_array_new ();
  guint8 expected_sequence = 0;
  guint acked = 0;

  /* The smallest link: segments of 20 bytes. Window 4: three packets unacknowledged, the
   * fourth only with an acknowledgement riding on it. */
  central_init (&central, 23, 4);
  central_open (&central, "656c040000001700" "04", "656c04140004");
  central_send (&central, message);

  while (reassembled->len < 200)
    {
      guint sent = 0;

      while (!g_queue_is_empty (&central.written))
        {
          g_autoptr(GBytes) packet = take_written (&central);
          g_autoptr(GError) error = NULL;
          ThBtpSegment segment;

          g_assert_cmpuint (g_bytes_get_size (packet), <=, 20);
          g_assert_true (th_btp_segment_parse (g_bytes_get_data (packet, NULL),
                                               g_bytes_get_size (packet), &segment, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (segment.sequence_number, ==, expected_sequence);
          expected_sequence++;
          g_assert_true (((segment.flags & TH_BTP_FLAG_BEGINNING) != 0) ==
                         (reassembled->len == 0));
          if (segment.flags & TH_BTP_FLAG_BEGINNING)
            {
              g_assert_cmpuint (segment.message_length, ==, 200);
              /* The first segment also acknowledges the handshake response. */
              g_assert_true (segment.flags & TH_BTP_FLAG_ACK);
              g_assert_cmpuint (segment.ack_number, ==, 0);
            }
          else
            {
              g_assert_true (segment.flags & TH_BTP_FLAG_CONTINUING);
            }
          g_byte_array_append (reassembled, segment.payload, (guint) segment.payload_len);
          g_assert_cmpuint (g_bytes_get_size (packet), ==,
                            reassembled->len == 200 ? g_bytes_get_size (packet) : 20);
          g_assert_true (((segment.flags & TH_BTP_FLAG_ENDING) != 0) ==
                         (reassembled->len == 200));
          sent++;
        }
      if (reassembled->len == 200)
        break;
      /* The window is full: nothing more goes until the peer acknowledges. */
      g_assert_cmpuint (sent, >=, 1);
      g_assert_cmpuint (sent, <=, 3);
      th_test_clock_advance (central.clock, 1000);
      th_test_btp_link_settle ();
      assert_nothing_written (&central);
      /* A stand-alone acknowledgement of everything so far: packet `acked + 1` from the
       * peer, acknowledging the central's last. */
      acked++;
      peer_write_segment (&central, TH_BTP_FLAG_ACK, (guint8) (expected_sequence - 1),
                          (guint8) acked, 0, NULL, 0);
    }
  th_assert_bytes_equal (reassembled->data, reassembled->len,
                         g_bytes_get_data (message, NULL), 200);
  g_assert_null (central.closed_error);
  central_clear (&central);
}

/* A message from the peer in segments, delivered whole; acknowledgements go when half the
 * window is used, or after the delay. */
static void
test_reassembly (void)
{
  Central central;
  g_autoptr(GBytes) message = pattern_message (100);
  const guint8 *data = g_bytes_get_data (message, NULL);
  ThBtpSegment segment;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) ack = NULL;

  central_init (&central, 23, 6);
  central_open (&central, "656c040000001700" "06", "656c04140006");

  /* Packet 1 acknowledges nothing yet (the central sent nothing), and begins the message:
   * 16 bytes after its 4-byte header. With the handshake response, 2 of 6 are unacked. */
  peer_write_segment (&central, TH_BTP_FLAG_BEGINNING, 0, 1, 100, data, 16);
  assert_nothing_written (&central);
  /* Packet 2: now 3 of 6, half the window: an acknowledgement of 2 goes at once. */
  peer_write_segment (&central, TH_BTP_FLAG_CONTINUING, 0, 2, 0, data + 16, 18);
  assert_written (&central, "080200");
  peer_write_segment (&central, TH_BTP_FLAG_CONTINUING, 0, 3, 0, data + 34, 18);
  assert_nothing_written (&central);
  g_assert_cmpuint (central.messages->len, ==, 0);

  /* The peer acknowledges the central's packet 0 with its next segment. */
  peer_write_segment (&central, TH_BTP_FLAG_CONTINUING | TH_BTP_FLAG_ACK, 0, 4, 0, data + 52,
                      17);
  assert_nothing_written (&central);
  /* After the delay, packets 3 and 4 get their acknowledgement. */
  th_test_clock_advance (central.clock, TH_BTP_ACK_DELAY_MS);
  th_test_btp_link_settle ();
  ack = take_written (&central);
  g_assert_true (th_btp_segment_parse (g_bytes_get_data (ack, NULL), g_bytes_get_size (ack),
                                       &segment, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (segment.flags, ==, TH_BTP_FLAG_ACK);
  g_assert_cmpuint (segment.ack_number, ==, 4);
  g_assert_cmpuint (segment.sequence_number, ==, 1);

  peer_write_segment (&central, TH_BTP_FLAG_CONTINUING | TH_BTP_FLAG_ACK, 1, 5, 0, data + 69,
                      17);
  g_assert_cmpuint (central.messages->len, ==, 0);
  peer_write_segment (&central, TH_BTP_FLAG_CONTINUING | TH_BTP_FLAG_ENDING, 0, 6, 0, data + 86,
                      14);
  g_assert_cmpuint (central.messages->len, ==, 1);
  g_assert_true (g_bytes_equal (g_ptr_array_index (central.messages, 0), message));
  g_assert_null (central.closed_error);
  central_clear (&central);
}

static void
run_broken_stream (const char *const *packets,
                   const char        *fragment)
{
  Central central;

  central_init (&central, 185, 6);
  central_open (&central, "656c04000000b90006", "656c04b60006");
  for (guint i = 0; packets[i] != NULL; i++)
    peer_write_hex (&central, packets[i]);
  g_assert_error (central.closed_error, TH_ERROR, TH_ERROR_BTP_PROTOCOL);
  assert_error_mentions (central.closed_error, fragment);
  g_assert_cmpint (th_btp_session_get_state (central_session (&central)), ==,
                   TH_BTP_SESSION_CLOSED);
  g_assert_true (th_test_btp_link_is_closed (central.link));
  central_clear (&central);
}

static void
test_protocol_violations (void)
{
  /* A lost segment: packet 2 never came. */
  const char *lost[] = { "050103000aabbc", "060300ccdd", NULL };
  const char *lost2[] = { "010104000aabbc", "0603dd", NULL };
  const char *unbegun[] = { "060100aa", NULL };
  const char *twice[] = { "01010400aabb", "05020200ccdd", NULL };
  const char *overlong[] = { "01010300aabb", "0602ccddee", NULL };
  const char *short_end[] = { "01010400aabb", "0602cc", NULL };
  const char *complete_open[] = { "01010200aabb", NULL };
  const char *handshake[] = { "656c04b60006", NULL };
  const char *too_big[] = { NULL, NULL };
  g_autofree char *big = NULL;
  GString *hex = g_string_new ("0501b400");

  run_broken_stream (lost, "packet 3 arrived where packet 2 was due");
  run_broken_stream (lost2, "packet 3 arrived where packet 2 was due");
  run_broken_stream (unbegun, "continues a message that never began");
  run_broken_stream (twice, "begins a message before the 4-byte message in progress ended");
  run_broken_stream (overlong, "carries 3 bytes, more than the 1 left of its 3-byte message");
  run_broken_stream (short_end, "ends a message after 3 of its 4 bytes");
  run_broken_stream (complete_open, "completes its 2-byte message but does not end it");
  run_broken_stream (handshake, "handshake packet arrived in a session that is already open");

  /* Larger than the 182-byte segments agreed. */
  for (guint i = 0; i < 180; i++)
    g_string_append (hex, "00");
  big = g_string_free (hex, FALSE);
  too_big[0] = big;
  run_broken_stream (too_big, "A BTP packet of 184 bytes arrived; the session allows 182");
}

/* Acknowledgements: cumulative ones are fine, but one for a packet already acknowledged, or
 * never sent, ends the session. */
static void
test_acks (void)
{
  Central central;
  g_autoptr(GBytes) message = pattern_message (60);

  central_init (&central, 23, 6);
  central_open (&central, "656c040000001700" "06", "656c04140006");
  /* 60 bytes: 15 + 18 + 18 + 9, packets 0 to 3. */
  central_send (&central, message);
  g_assert_cmpuint (g_queue_get_length (&central.written), ==, 4);
  g_queue_clear_full (&central.written, (GDestroyNotify) g_bytes_unref);

  /* One acknowledgement for 0 and 1, then one for 3 (covering 2). */
  peer_write_hex (&central, "080101");
  peer_write_hex (&central, "080302");
  g_assert_null (central.closed_error);
  /* Acknowledged already: a stale acknowledgement, as if reordered. */
  peer_write_hex (&central, "080103");
  g_assert_error (central.closed_error, TH_ERROR, TH_ERROR_BTP_PROTOCOL);
  assert_error_mentions (central.closed_error,
                         "acknowledged BTP packet 1 while no packet awaited acknowledgement");
  central_clear (&central);

  central_init (&central, 23, 6);
  central_open (&central, "656c040000001700" "06", "656c04140006");
  central_send (&central, message);
  g_queue_clear_full (&central.written, (GDestroyNotify) g_bytes_unref);
  /* The acknowledgements arrive the wrong way round: 2 first, then 0. */
  peer_write_hex (&central, "080201");
  peer_write_hex (&central, "080002");
  g_assert_error (central.closed_error, TH_ERROR, TH_ERROR_BTP_PROTOCOL);
  assert_error_mentions (central.closed_error,
                         "acknowledged BTP packet 0; only packets 3 to 3 awaited");
  central_clear (&central);

  central_init (&central, 23, 6);
  central_open (&central, "656c040000001700" "06", "656c04140006");
  central_send (&central, message);
  g_queue_clear_full (&central.written, (GDestroyNotify) g_bytes_unref);
  /* Packet 9 was never sent. */
  peer_write_hex (&central, "080901");
  g_assert_error (central.closed_error, TH_ERROR, TH_ERROR_BTP_PROTOCOL);
  assert_error_mentions (central.closed_error, "packet 9; only packets 0 to 3 awaited");
  central_clear (&central);
}

/* A full window both ways: the central holds back its own packets, and a peer that sends
 * past the central's window ends the session. */
static void
test_full_window (void)
{
  Central central;
  g_autoptr(GBytes) message = pattern_message (100);

  central_init (&central, 23, 2);
  central_open (&central, "656c040000001700" "02", "656c04140002");
  /* Window 2: one packet, acknowledging the response; the second may only go with an
   * acknowledgement. */
  central_send (&central, message);
  g_assert_cmpuint (g_queue_get_length (&central.written), ==, 1);
  g_queue_clear_full (&central.written, (GDestroyNotify) g_bytes_unref);

  /* Data from the peer gives the next packet an acknowledgement to carry. */
  peer_write_hex (&central, "050105006162636465");
  g_assert_cmpuint (g_queue_get_length (&central.written), ==, 1);
  {
    g_autoptr(GBytes) packet = take_written (&central);
    const guint8 *bytes = g_bytes_get_data (packet, NULL);

    g_assert_cmpuint (bytes[0], ==, TH_BTP_FLAG_CONTINUING | TH_BTP_FLAG_ACK);
    g_assert_cmpuint (bytes[1], ==, 1);
    g_assert_cmpuint (bytes[2], ==, 1);
  }
  /* Both of the central's packets are unacknowledged: its window is full, so it cannot
   * even acknowledge. A peer that sends on regardless overflows the central's window. */
  peer_write_hex (&central, "050205006162636465");
  peer_write_hex (&central, "050305006162636465");
  assert_nothing_written (&central);
  g_assert_null (central.closed_error);
  peer_write_hex (&central, "050405006162636465");
  g_assert_error (central.closed_error, TH_ERROR, TH_ERROR_BTP_PROTOCOL);
  assert_error_mentions (central.closed_error,
                         "packet 4 arrived with 2 packets unacknowledged, beyond the window "
                         "of 2");
  /* Three messages came through before that. */
  g_assert_cmpuint (central.messages->len, ==, 3);
  central_clear (&central);
}

/* A peer that stops acknowledging: the session ends after BTP_ACK_TIMEOUT. */
static void
test_silent_peer (void)
{
  Central central;
  g_autoptr(GBytes) message = pattern_message (10);

  central_init (&central, 185, 6);
  central_open (&central, "656c04000000b90006", "656c04b60006");
  central_send (&central, message);
  g_assert_cmpuint (g_queue_get_length (&central.written), ==, 1);
  th_test_clock_advance (central.clock, TH_BTP_ACK_TIMEOUT_MS - 1);
  th_test_btp_link_settle ();
  g_assert_null (central.closed_error);
  th_test_clock_advance (central.clock, 1);
  th_test_btp_link_settle ();
  g_assert_error (central.closed_error, TH_ERROR, TH_ERROR_TIMED_OUT);
  assert_error_mentions (central.closed_error,
                         "BTP packet 0 was not acknowledged by the device within 15 seconds");
  g_assert_true (th_test_btp_link_is_closed (central.link));
  central_clear (&central);
}

static void
test_link_failures (void)
{
  Central central;
  g_autoptr(GBytes) message = pattern_message (10);
  g_autoptr(GError) write_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                       "org.bluez.Error.Failed: Not connected");
  g_autoptr(GError) error = NULL;

  central_init (&central, 185, 6);
  central_open (&central, "656c04000000b90006", "656c04b60006");
  th_test_btp_link_fail_next_write (central.link, write_error);
  central_send (&central, message);
  g_assert_error (central.closed_error, TH_ERROR, TH_ERROR_TRANSPORT);
  assert_error_mentions (central.closed_error,
                         "Writing to the device over Bluetooth failed: org.bluez.Error.Failed");
  g_assert_false (th_transport_send (TH_TRANSPORT (central.transport), NULL, message, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TRANSPORT);
  assert_error_mentions (error, "The Bluetooth session is closed: Writing to the device");
  central_clear (&central);

  /* The device drops the connection. */
  central_init (&central, 185, 6);
  central_open (&central, "656c04000000b90006", "656c04b60006");
  th_btp_link_close (TH_BTP_LINK (central.peer_link));
  th_test_btp_link_settle ();
  g_assert_error (central.closed_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  central_clear (&central);
}

static void
test_send_errors (void)
{
  Central central;
  g_autoptr(GBytes) message = pattern_message (10);
  g_autoptr(GBytes) huge = pattern_message (TH_BTP_MAX_MESSAGE_SIZE + 1);
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("::1", 5540);
  g_autoptr(GError) error = NULL;

  central_init (&central, 185, 6);
  g_assert_false (th_transport_send (TH_TRANSPORT (central.transport), NULL, message, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TRANSPORT);
  assert_error_mentions (error, "not open yet");
  g_clear_error (&error);

  central_open (&central, "656c04000000b90006", "656c04b60006");
  g_assert_false (th_transport_send (TH_TRANSPORT (central.transport), address, message,
                                     &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_ADDRESS);
  g_clear_error (&error);
  g_assert_false (th_transport_send (TH_TRANSPORT (central.transport), NULL, huge, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TRANSPORT);
  assert_error_mentions (error, "65536 bytes cannot go over Bluetooth");
  g_clear_error (&error);
  g_assert_false (th_transport_send (TH_TRANSPORT (central.transport), NULL, empty, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TRANSPORT);
  g_clear_error (&error);

  /* Closing on this side is no failure: no ::closed. */
  th_transport_close (TH_TRANSPORT (central.transport));
  th_test_btp_link_settle ();
  g_assert_null (central.closed_error);
  g_assert_true (th_test_btp_link_is_closed (central.link));
  central_clear (&central);
}

/* Both sides built from the session state machine: the central and a peripheral. */
typedef struct
{
  ThTestClock *clock;
  ThTestBtpLink *central_link;
  ThTestBtpLink *peripheral_link;
  ThBtpTransport *central;
  ThBtpTransport *peripheral;
  GAsyncResult *central_opened;
  GAsyncResult *peripheral_opened;
  GError *central_closed;
  GError *peripheral_closed;
} Pair;

static void
on_pair_closed (ThBtpTransport *transport,
                const GError   *error,
                gpointer        user_data)
{
  GError **slot = user_data;

  g_assert_null (*slot);
  *slot = g_error_copy (error);
}

static void
pair_open (Pair    *pair,
           guint16  att_mtu,
           guint8   central_window,
           guint8   peripheral_window)
{
  g_autoptr(GError) error = NULL;

  memset (pair, 0, sizeof *pair);
  pair->clock = th_test_clock_new ();
  th_test_btp_link_new_pair (att_mtu, &pair->central_link, &pair->peripheral_link);
  pair->central = th_btp_transport_new (TH_BTP_LINK (pair->central_link), TH_BTP_ROLE_CENTRAL,
                                        TH_CLOCK (pair->clock));
  pair->peripheral = th_btp_transport_new (TH_BTP_LINK (pair->peripheral_link),
                                           TH_BTP_ROLE_PERIPHERAL, TH_CLOCK (pair->clock));
  th_btp_transport_set_window_size (pair->central, central_window);
  th_btp_transport_set_window_size (pair->peripheral, peripheral_window);
  g_signal_connect (pair->central, "closed", G_CALLBACK (on_pair_closed),
                    &pair->central_closed);
  g_signal_connect (pair->peripheral, "closed", G_CALLBACK (on_pair_closed),
                    &pair->peripheral_closed);

  th_btp_transport_open_async (pair->peripheral, NULL, on_opened, &pair->peripheral_opened);
  th_btp_transport_open_async (pair->central, NULL, on_opened, &pair->central_opened);
  th_test_btp_link_settle ();
  g_assert_nonnull (pair->central_opened);
  g_assert_nonnull (pair->peripheral_opened);
  g_assert_true (th_btp_transport_open_finish (pair->central, pair->central_opened, &error));
  g_assert_no_error (error);
  g_assert_true (th_btp_transport_open_finish (pair->peripheral, pair->peripheral_opened,
                                               &error));
  g_assert_no_error (error);
}

static void
pair_clear (Pair *pair)
{
  th_test_btp_link_settle ();
  g_clear_object (&pair->central);
  g_clear_object (&pair->peripheral);
  th_test_btp_link_settle ();
  g_clear_object (&pair->central_link);
  g_clear_object (&pair->peripheral_link);
  g_clear_object (&pair->central_opened);
  g_clear_object (&pair->peripheral_opened);
  g_clear_object (&pair->clock);
  g_clear_error (&pair->central_closed);
  g_clear_error (&pair->peripheral_closed);
}

static void
test_peripheral_negotiation (void)
{
  Pair pair;

  /* The peripheral takes the smaller window, and segments from the ATT MTU. */
  pair_open (&pair, 185, 6, 4);
  g_assert_cmpuint (th_btp_session_get_segment_size (th_btp_transport_get_session (pair.central)),
                    ==, 182);
  g_assert_cmpuint (th_btp_session_get_window_size (th_btp_transport_get_session (pair.central)),
                    ==, 4);
  g_assert_cmpuint (
    th_btp_session_get_window_size (th_btp_transport_get_session (pair.peripheral)), ==, 4);
  pair_clear (&pair);

  /* Neither side knows the MTU: the smallest every link carries. */
  pair_open (&pair, 0, 3, 8);
  g_assert_cmpuint (th_btp_session_get_segment_size (th_btp_transport_get_session (pair.central)),
                    ==, TH_BTP_MIN_SEGMENT_SIZE);
  g_assert_cmpuint (th_btp_session_get_window_size (th_btp_transport_get_session (pair.central)),
                    ==, 3);
  pair_clear (&pair);

  /* A large link: BTP's own limit. */
  pair_open (&pair, 517, 6, 6);
  g_assert_cmpuint (th_btp_session_get_segment_size (th_btp_transport_get_session (pair.central)),
                    ==, TH_BTP_MAX_SEGMENT_SIZE);
  pair_clear (&pair);
}

/* An idle session: each side acknowledges the other's acknowledgement after the delay, which
 * keeps both sides' acknowledgement timers satisfied well past BTP_ACK_TIMEOUT. Only data
 * counts against the central's idle limit, which ends the session after 30 s. */
static void
test_keep_alive (void)
{
  Pair pair;
  guint written_before;

  pair_open (&pair, 185, 6, 6);
  written_before = th_test_btp_link_get_n_written (pair.central_link) +
                   th_test_btp_link_get_n_written (pair.peripheral_link);
  for (guint ms = 0; ms < 25000; ms += 500)
    {
      th_test_clock_advance (pair.clock, 500);
      th_test_btp_link_settle ();
    }
  g_assert_null (pair.central_closed);
  g_assert_null (pair.peripheral_closed);
  /* An acknowledgement every 2.5 s, alternating. */
  g_assert_cmpuint (th_test_btp_link_get_n_written (pair.central_link) +
                    th_test_btp_link_get_n_written (pair.peripheral_link) - written_before,
                    >=, 25000 / TH_BTP_ACK_DELAY_MS - 1);
  g_assert_cmpuint (th_test_btp_link_get_n_written (pair.central_link), >=, 4);
  g_assert_cmpuint (th_test_btp_link_get_n_written (pair.peripheral_link), >=, 4);

  th_test_clock_advance (pair.clock, TH_BTP_IDLE_TIMEOUT_MS - 25000);
  th_test_btp_link_settle ();
  g_assert_error (pair.central_closed, TH_ERROR, TH_ERROR_TIMED_OUT);
  assert_error_mentions (pair.central_closed, "No data went over the Bluetooth session for 30 "
                                              "seconds");
  /* The peripheral sees the link go. */
  g_assert_error (pair.peripheral_closed, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  pair_clear (&pair);
}

/* Messages both ways at once, many segments each, with small windows: nothing stalls for
 * long and everything arrives in order. */
typedef struct
{
  GPtrArray *messages;
} Inbox;

static void
on_inbox_received (ThTransport    *transport,
                   GBytes         *message,
                   GSocketAddress *peer,
                   gpointer        user_data)
{
  Inbox *inbox = user_data;

  g_ptr_array_add (inbox->messages, g_bytes_ref (message));
}

static void
test_both_ways (void)
{
  Pair pair;
  Inbox to_central = { g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref) };
  Inbox to_peripheral = { g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref) };
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gint64 started;

  pair_open (&pair, 23, 3, 3);
  g_signal_connect (pair.central, "received", G_CALLBACK (on_inbox_received), &to_central);
  g_signal_connect (pair.peripheral, "received", G_CALLBACK (on_inbox_received),
                    &to_peripheral);
  started = th_clock_now_ms (TH_CLOCK (pair.clock));
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GError) error = NULL;
      GBytes *message = pattern_message (50 + 97 * i);

      g_ptr_array_add (sent, message);
      g_assert_true (th_transport_send (TH_TRANSPORT (pair.central), NULL, message, &error));
      g_assert_true (th_transport_send (TH_TRANSPORT (pair.peripheral), NULL, message, &error));
      g_assert_no_error (error);
    }
  while (to_central.messages->len < 5 || to_peripheral.messages->len < 5)
    {
      th_test_btp_link_settle ();
      if (to_central.messages->len < 5 || to_peripheral.messages->len < 5)
        g_assert_cmpint (th_test_clock_advance_to_next (pair.clock), >=, 0);
      g_assert_null (pair.central_closed);
      g_assert_null (pair.peripheral_closed);
    }
  for (guint i = 0; i < 5; i++)
    {
      g_assert_true (g_bytes_equal (g_ptr_array_index (to_central.messages, i),
                                    g_ptr_array_index (sent, i)));
      g_assert_true (g_bytes_equal (g_ptr_array_index (to_peripheral.messages, i),
                                    g_ptr_array_index (sent, i)));
    }
  /* Immediate acknowledgements keep the windows open: no waiting on the ack delay. */
  g_assert_cmpint (th_clock_now_ms (TH_CLOCK (pair.clock)) - started, <, TH_BTP_ACK_DELAY_MS);

  g_ptr_array_unref (to_central.messages);
  g_ptr_array_unref (to_peripheral.messages);
  pair_clear (&pair);
}

/* PASE over BTP: the commissioner's exchange manager on the central, the device's on the
 * peripheral with the in-process PASE responder behind it. */
#define DEVICE_PASSCODE 20202021
#define ECHO_PROTOCOL TH_PROTOCOL_INTERACTION_MODEL

typedef struct
{
  ThExchangeManager *manager;
  ThPbkdfParameters pbkdf;
  guint8 verifier[TH_SPAKE2P_VERIFIER_LEN];
  ThPaseResponder *responder;
  guint16 session_id;
  ThSession *session;
  GError *error;
  gboolean finished;
} Device;

static void device_handle (Device     *device,
                           ThExchange *exchange,
                           ThMessage  *message);

static void
on_device_sent_last (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  th_exchange_send_finish (TH_EXCHANGE (source), result, NULL);
  th_exchange_close (TH_EXCHANGE (source));
  g_object_unref (source);
}

static void
on_device_message (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Device *device = user_data;
  g_autoptr(ThExchange) exchange = TH_EXCHANGE (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(ThMessage) message = th_exchange_request_finish (exchange, result, &error);

  if (message == NULL)
    {
      th_exchange_close (exchange);
      device->error = g_steal_pointer (&error);
      device->finished = TRUE;
      return;
    }
  device_handle (device, g_steal_pointer (&exchange), message);
}

/* Takes the reference to `exchange`. */
static void
device_handle (Device     *device,
               ThExchange *exchange,
               ThMessage  *message)
{
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint8 reply_opcode = 0;
  ThSecureSessionConfig config = { 0 };
  ThSessionKeys keys;
  ThSessionParameters commissioner;
  ThMrpParameters commissioner_mrp;

  switch (th_pase_responder_process (device->responder, message->protocol.opcode,
                                     message->payload, &reply_opcode, &reply, &error))
    {
    case TH_PASE_CONTINUE:
      th_exchange_request_async (exchange, reply_opcode, reply, NULL, on_device_message, device);
      return;

    case TH_PASE_ESTABLISHED:
      th_pase_responder_get_session_keys (device->responder, &keys);
      g_assert_true (th_pase_responder_get_peer_parameters (device->responder, &commissioner));
      th_session_parameters_get_mrp (&commissioner, &commissioner_mrp);
      config.kind = TH_SESSION_KIND_PASE;
      config.peer_address = NULL;
      config.local_session_id = device->session_id;
      config.peer_session_id = th_pase_responder_get_peer_session_id (device->responder);
      config.is_initiator = FALSE;
      config.keys = &keys;
      config.peer_mrp_parameters = &commissioner_mrp;
      device->session = th_exchange_manager_add_secure_session (device->manager, &config,
                                                                &error);
      th_session_keys_clear (&keys);
      g_assert_no_error (error);
      th_exchange_send_async (exchange, reply_opcode, reply, NULL, on_device_sent_last, NULL);
      device->finished = TRUE;
      return;

    case TH_PASE_FAILED:
    default:
      if (reply != NULL)
        th_exchange_send_async (exchange, reply_opcode, reply, NULL, on_device_sent_last, NULL);
      else
        {
          th_exchange_close (exchange);
          g_object_unref (exchange);
        }
      device->error = g_steal_pointer (&error);
      device->finished = TRUE;
      return;
    }
}

static void
on_device_pase (ThExchange *exchange,
                ThMessage  *message,
                gpointer    user_data)
{
  Device *device = user_data;
  g_autoptr(GError) error = NULL;
  ThSessionParameters parameters;

  g_assert_true (th_exchange_manager_allocate_session_id (device->manager, &device->session_id,
                                                          &error));
  th_session_parameters_init_from_mrp (&parameters,
                                       th_exchange_manager_get_local_mrp_parameters (
                                         device->manager));
  device->responder = th_pase_responder_new (device->verifier, &device->pbkdf,
                                             device->session_id, &parameters, &error);
  g_assert_no_error (error);
  device_handle (device, g_object_ref (exchange), message);
}

static void
on_echo_sent (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  th_exchange_send_finish (TH_EXCHANGE (source), result, &error);
  g_assert_no_error (error);
  th_exchange_close (TH_EXCHANGE (source));
  g_object_unref (source);
}

static void
on_device_echo (ThExchange *exchange,
                ThMessage  *message,
                gpointer    user_data)
{
  Device *device = user_data;
  gsize len;
  const char *data = g_bytes_get_data (message->payload, &len);
  g_autofree char *text = g_strdup_printf ("echo %.*s", (int) len, data);
  g_autoptr(GBytes) echo = g_bytes_new (text, strlen (text));

  g_assert_true (th_exchange_get_session (exchange) == device->session);
  th_exchange_send_async (g_object_ref (exchange), TH_IM_REPORT_DATA, echo, NULL, on_echo_sent,
                          device);
}

/* Every message the transport carries, unsecured ones decoded: MRP must stay out. */
static void
on_counted (ThTransport    *transport,
            GBytes         *datagram,
            GSocketAddress *peer,
            gpointer        user_data)
{
  guint *count = user_data;
  g_autoptr(ThMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  ThMessageHeader header;
  gsize header_len;

  (*count)++;
  g_assert_true (th_message_header_decode (&header, g_bytes_get_data (datagram, NULL),
                                           g_bytes_get_size (datagram), &header_len, &error));
  g_assert_no_error (error);
  if (header.session_id != 0)
    return;
  message = th_message_decode (datagram, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (message->protocol.exchange_flags & TH_EXCHANGE_FLAG_RELIABLE, ==, 0);
  g_assert_cmpuint (message->protocol.opcode, !=, TH_SECURE_CHANNEL_STANDALONE_ACK);
}

static void
on_pase_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
on_echo (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ThMessage **response = user_data;
  g_autoptr(GError) error = NULL;

  *response = th_exchange_request_finish (TH_EXCHANGE (source), result, &error);
  g_assert_no_error (error);
}

/* Runs the links and, when nothing is in flight, the clock to its next timer. */
static void
run_until (ThTestClock *clock,
           gpointer    *slot)
{
  for (guint turns = 0; *slot == NULL; turns++)
    {
      g_assert_cmpuint (turns, <, 1000);
      th_test_btp_link_settle ();
      if (*slot == NULL)
        g_assert_cmpint (th_test_clock_advance_to_next (clock), >=, 0);
    }
}

static void
run_pase (guint16 att_mtu,
          guint8  window_size)
{
  Pair pair;
  Device device = { 0 };
  g_autoptr(ThExchangeManager) commissioner = NULL;
  g_autoptr(ThSession) unsecured = NULL;
  g_autoptr(ThSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ThExchange) exchange = NULL;
  g_autoptr(ThMessage) response = NULL;
  g_autoptr(GBytes) ping = g_bytes_new_static ("ping", 4);
  g_autoptr(GError) error = NULL;
  guint to_device = 0, to_commissioner = 0;

  pair_open (&pair, att_mtu, window_size, window_size);
  g_signal_connect (pair.peripheral, "received", G_CALLBACK (on_counted), &to_device);
  g_signal_connect (pair.central, "received", G_CALLBACK (on_counted), &to_commissioner);

  device.pbkdf.iterations = 1000;
  device.pbkdf.salt_len = 16;
  memcpy (device.pbkdf.salt, "SPAKE2P Key Salt", 16);
  g_assert_true (th_spake2p_compute_verifier (DEVICE_PASSCODE, device.pbkdf.salt,
                                              device.pbkdf.salt_len, device.pbkdf.iterations,
                                              device.verifier, &error));
  g_assert_no_error (error);
  device.manager = th_exchange_manager_new (TH_TRANSPORT (pair.peripheral),
                                            TH_CLOCK (pair.clock), &error);
  g_assert_no_error (error);
  th_exchange_manager_set_protocol_handler (device.manager, TH_PROTOCOL_SECURE_CHANNEL,
                                            on_device_pase, &device, NULL);
  th_exchange_manager_set_protocol_handler (device.manager, ECHO_PROTOCOL, on_device_echo,
                                            &device, NULL);

  commissioner = th_exchange_manager_new (TH_TRANSPORT (pair.central), TH_CLOCK (pair.clock),
                                          &error);
  g_assert_no_error (error);
  unsecured = th_exchange_manager_open_unsecured_session (commissioner, NULL, &error);
  g_assert_no_error (error);
  th_pase_establish_async (commissioner, unsecured, DEVICE_PASSCODE, NULL, NULL, on_pase_done,
                           &result);
  run_until (pair.clock, (gpointer *) &result);
  session = th_pase_establish_finish (commissioner, g_steal_pointer (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_assert_true (device.finished);
  g_assert_no_error (device.error);
  g_assert_cmpuint (th_session_get_peer_session_id (session), ==, device.session_id);
  g_assert_cmpmem (th_session_get_attestation_challenge (session), TH_SESSION_KEY_LEN,
                   th_session_get_attestation_challenge (device.session), TH_SESSION_KEY_LEN);
  /* PBKDFParamRequest, Pake1, Pake3 one way; the response, Pake2 and the status report the
   * other: no MRP acknowledgements besides. */
  g_assert_cmpuint (to_device, ==, 3);
  g_assert_cmpuint (to_commissioner, ==, 3);

  exchange = th_exchange_manager_initiate (commissioner, session, ECHO_PROTOCOL);
  th_exchange_request_async (exchange, TH_IM_READ_REQUEST, ping, NULL, on_echo, &response);
  run_until (pair.clock, (gpointer *) &response);
  g_assert_cmpuint (response->protocol.opcode, ==, TH_IM_REPORT_DATA);
  g_assert_cmpmem (g_bytes_get_data (response->payload, NULL),
                   g_bytes_get_size (response->payload), "echo ping", 9);
  th_exchange_close (exchange);
  th_test_btp_link_settle ();
  g_assert_cmpuint (to_device, ==, 4);
  g_assert_cmpuint (to_commissioner, ==, 4);
  g_assert_null (pair.central_closed);
  g_assert_null (pair.peripheral_closed);

  th_exchange_manager_close (commissioner);
  th_exchange_manager_close (device.manager);
  g_clear_object (&device.session);
  g_clear_object (&device.manager);
  g_clear_pointer (&device.responder, th_pase_responder_free);
  pair_clear (&pair);
}

static void
test_pase_small_segments (void)
{
  /* 20-byte segments and a window of 3: every PASE message in several segments. */
  run_pase (23, 3);
}

static void
test_pase_large_segments (void)
{
  run_pase (247, 6);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/btp/codec/handshake-request", test_codec_handshake_request);
  g_test_add_func ("/btp/codec/handshake-request-edges", test_codec_handshake_request_edges);
  g_test_add_func ("/btp/codec/handshake-response", test_codec_handshake_response);
  g_test_add_func ("/btp/codec/handshake-response-edges", test_codec_handshake_response_edges);
  g_test_add_func ("/btp/codec/segments", test_codec_segments);
  g_test_add_func ("/btp/codec/segment-edges", test_codec_segment_edges);
  g_test_add_func ("/btp/session/handshake", test_handshake);
  g_test_add_func ("/btp/session/handshake-segment-size", test_handshake_segment_size);
  g_test_add_func ("/btp/session/handshake-refused", test_handshake_refused);
  g_test_add_func ("/btp/session/handshake-timeout", test_handshake_timeout);
  g_test_add_func ("/btp/session/open-cancelled", test_open_cancelled);
  g_test_add_func ("/btp/session/segmentation", test_segmentation);
  g_test_add_func ("/btp/session/reassembly", test_reassembly);
  g_test_add_func ("/btp/session/protocol-violations", test_protocol_violations);
  g_test_add_func ("/btp/session/acks", test_acks);
  g_test_add_func ("/btp/session/full-window", test_full_window);
  g_test_add_func ("/btp/session/silent-peer", test_silent_peer);
  g_test_add_func ("/btp/session/link-failures", test_link_failures);
  g_test_add_func ("/btp/session/send-errors", test_send_errors);
  g_test_add_func ("/btp/peripheral/negotiation", test_peripheral_negotiation);
  g_test_add_func ("/btp/peripheral/keep-alive", test_keep_alive);
  g_test_add_func ("/btp/peripheral/both-ways", test_both_ways);
  g_test_add_func ("/btp/pase/small-segments", test_pase_small_segments);
  g_test_add_func ("/btp/pase/large-segments", test_pase_large_segments);

  return g_test_run ();
}
