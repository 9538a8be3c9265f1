/* fuzz-btp.c: the BTP packet parsers on arbitrary bytes, checked by re-encoding what they
 * read, and a central's session fed arbitrary packets after its handshake
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "messaging/th-btp-codec.h"
#include "messaging/th-btp-session.h"
#include "th-error.h"

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

static void
check_parsers (const guint8 *data,
               gsize         size)
{
  g_autoptr(GError) error = NULL;
  ThBtpHandshakeRequest request;
  ThBtpHandshakeResponse response;
  ThBtpSegment segment;

  if (th_btp_handshake_request_parse (data, size, &request, &error))
    {
      g_autoptr(GBytes) again = NULL;
      ThBtpHandshakeRequest reparsed;

      g_assert_cmpuint (size, ==, TH_BTP_HANDSHAKE_REQUEST_SIZE);
      g_assert_cmpuint (request.n_versions, >=, 1);
      g_assert_cmpuint (request.n_versions, <=, TH_BTP_MAX_VERSIONS);
      g_assert_cmpuint (request.window_size, >=, 1);
      /* The versions keep their slots' order; zeros between them do not survive. */
      again = th_btp_handshake_request_encode (&request);
      g_assert_true (th_btp_handshake_request_parse (g_bytes_get_data (again, NULL),
                                                     g_bytes_get_size (again), &reparsed,
                                                     NULL));
      g_assert_cmpmem (reparsed.versions, reparsed.n_versions, request.versions,
                       request.n_versions);
      g_assert_cmpuint (reparsed.att_mtu, ==, request.att_mtu);
    }
  else
    {
      g_assert_error (error, TH_ERROR, TH_ERROR_BTP_PROTOCOL);
    }
  g_clear_error (&error);

  if (th_btp_handshake_response_parse (data, size, &response, &error))
    {
      g_autoptr(GBytes) again = th_btp_handshake_response_encode (&response);

      g_assert_cmpuint (g_bytes_get_size (again), ==, size);
      /* Equal but for the reserved upper half of the version byte. */
      g_assert_cmpmem (g_bytes_get_data (again, NULL), 2, data, 2);
      g_assert_cmpmem ((const guint8 *) g_bytes_get_data (again, NULL) + 3, 3, data + 3, 3);
    }
  else
    {
      g_assert_error (error, TH_ERROR, TH_ERROR_BTP_PROTOCOL);
    }
  g_clear_error (&error);

  if (th_btp_segment_parse (data, size, &segment, &error))
    {
      g_autoptr(GBytes) again = th_btp_segment_encode (&segment);

      g_assert_false (th_btp_packet_is_handshake (data, size));
      g_assert_true (segment.payload >= data && segment.payload + segment.payload_len ==
                     data + size);
      g_assert_cmpmem (g_bytes_get_data (again, NULL), g_bytes_get_size (again), data, size);
    }
  else
    {
      g_assert_error (error, TH_ERROR, TH_ERROR_BTP_PROTOCOL);
    }
}

typedef struct
{
  gboolean write_pending;
  gboolean subscribe;
  gboolean opened;
  gsize delivered;
  gboolean closing;               /* by this side, without an error */
  gboolean closed;
} Peer;

static void
on_write (ThBtpSession *session,
          GBytes       *packet,
          gpointer      user_data)
{
  Peer *peer = user_data;

  g_assert_false (peer->write_pending);
  g_assert_cmpuint (g_bytes_get_size (packet), <=, TH_BTP_MAX_SEGMENT_SIZE);
  peer->write_pending = TRUE;
}

static void
on_subscribe (ThBtpSession *session,
              gpointer      user_data)
{
  ((Peer *) user_data)->subscribe = TRUE;
}

static void
on_opened (ThBtpSession *session,
           gpointer      user_data)
{
  ((Peer *) user_data)->opened = TRUE;
}

static void
on_message (ThBtpSession *session,
            GBytes       *message,
            gpointer      user_data)
{
  g_assert_cmpuint (g_bytes_get_size (message), >=, 1);
  ((Peer *) user_data)->delivered++;
}

static void
on_closed (ThBtpSession *session,
           const GError *error,
           gpointer      user_data)
{
  Peer *peer = user_data;

  g_assert_false (peer->closed);
  g_assert_true ((error == NULL) == peer->closing);
  if (error != NULL)
    g_assert_true (g_utf8_validate (error->message, -1, NULL));
  peer->closed = TRUE;
}

static const ThBtpSessionCallbacks callbacks = {
  on_write, on_subscribe, on_opened, on_message, on_closed,
};

/* The input as packets, each after a length byte; the first is the handshake response. */
static void
check_session (const guint8 *data,
               gsize         size)
{
  g_autoptr(ThClock) clock = th_clock_new_system ();
  g_autoptr(ThBtpSession) session = NULL;
  g_autoptr(GBytes) message = g_bytes_new_static ("0123456789abcdefghijklmnopqrstuvwxyz", 36);
  Peer peer = { 0 };
  gsize offset = 0;

  session = th_btp_session_new (TH_BTP_ROLE_CENTRAL, clock, &callbacks, &peer);
  th_btp_session_set_window_size (session, 4);
  th_btp_session_start (session, 23);
  g_assert_true (peer.write_pending);
  peer.write_pending = FALSE;
  th_btp_session_write_done (session);
  g_assert_true (peer.subscribe);

  while (offset < size && !peer.closed)
    {
      gsize len = MIN ((gsize) data[offset], size - offset - 1);

      th_btp_session_receive (session, data + offset + 1, len);
      offset += 1 + len;
      if (peer.opened && !peer.closed)
        th_btp_session_send (session, message, NULL);
      if (peer.write_pending)
        {
          peer.write_pending = FALSE;
          th_btp_session_write_done (session);
        }
    }
  if (!peer.closed)
    {
      peer.closing = TRUE;
      th_btp_session_close (session, NULL);
    }
  g_assert_cmpint (th_btp_session_get_state (session), ==, TH_BTP_SESSION_CLOSED);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  check_parsers (data, size);
  check_session (data, size);
  return 0;
}
