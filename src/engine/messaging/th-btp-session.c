/* th-btp-session.c: one BTP session, the protocol alone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "th-btp-session.h"
#include "th-error.h"

struct _ThBtpSession
{
  GObject parent_instance;

  ThBtpRole role;
  ThClock *clock;
  ThBtpSessionCallbacks callbacks;
  gpointer user_data;
  ThBtpSessionState state;
  GError *error;

  guint8 local_window_size;
  guint16 local_att_mtu;
  guint16 segment_size;
  guint8 window_size;

  gboolean write_pending;
  gboolean subscribe_requested;   /* the central asked for C2 indications */
  gboolean peer_subscribed;       /* the peripheral's central did */
  GBytes *handshake_response;     /* the peripheral's, until the central subscribes */

  /* Sending: whole messages, the head one partly sent up to `outgoing_offset`. */
  GQueue outgoing;
  gsize outgoing_offset;
  guint8 tx_next_sequence;
  guint8 tx_oldest_unacked;
  guint tx_unacked;

  /* Receiving. */
  guint8 rx_next_sequence;
  guint8 rx_last_sequence;
  guint rx_unacked;               /* received packets this side has not acknowledged */
  gboolean ack_due;               /* the ack delay ran out */
  GByteArray *reassembly;         /* the message in progress, NULL between messages */
  guint16 reassembly_length;

  guint handshake_timer;
  guint ack_received_timer;
  guint send_ack_timer;
  guint idle_timer;
};

G_DEFINE_FINAL_TYPE (ThBtpSession, th_btp_session, G_TYPE_OBJECT)

static void drive (ThBtpSession *self);

static void
stop_timers (ThBtpSession *self)
{
  th_clock_clear_timeout (self->clock, &self->handshake_timer);
  th_clock_clear_timeout (self->clock, &self->ack_received_timer);
  th_clock_clear_timeout (self->clock, &self->send_ack_timer);
  th_clock_clear_timeout (self->clock, &self->idle_timer);
}

static void
forget_traffic (ThBtpSession *self)
{
  g_queue_clear_full (&self->outgoing, (GDestroyNotify) g_bytes_unref);
  self->outgoing_offset = 0;
  g_clear_pointer (&self->reassembly, g_byte_array_unref);
  g_clear_pointer (&self->handshake_response, g_bytes_unref);
}

static void
close_with (ThBtpSession *self,
            GError       *error)
{
  g_autoptr(GError) owned = error;
  g_autoptr(ThBtpSession) hold = NULL;

  if (self->state == TH_BTP_SESSION_CLOSED)
    return;

  hold = g_object_ref (self);
  if (error != NULL)
    g_debug ("BTP session closed: %s", error->message);
  self->state = TH_BTP_SESSION_CLOSED;
  self->error = g_steal_pointer (&owned);
  stop_timers (self);
  forget_traffic (self);
  self->callbacks.closed (self, self->error, self->user_data);
}

/* Format strings name the peer by role, so that a commissioner's user reads "the device". */
static const char *
peer_name (ThBtpSession *self)
{
  return self->role == TH_BTP_ROLE_CENTRAL ? _("the device") : _("the central");
}

static void
fail (ThBtpSession *self,
      gint          code,
      const char   *format,
      ...) G_GNUC_PRINTF (3, 4);

static void
fail (ThBtpSession *self,
      gint          code,
      const char   *format,
      ...)
{
  va_list args;
  GError *error;

  va_start (args, format);
  error = g_error_new_valist (TH_ERROR, code, format, args);
  va_end (args);
  close_with (self, error);
}

static void
write_packet (ThBtpSession *self,
              GBytes       *packet)
{
  self->write_pending = TRUE;
  self->callbacks.write (self, packet, self->user_data);
}

/* Timers. */

static void
on_handshake_timeout (gpointer user_data)
{
  ThBtpSession *self = user_data;

  self->handshake_timer = 0;
  if (self->role == TH_BTP_ROLE_CENTRAL)
    fail (self, TH_ERROR_TIMED_OUT,
          _("The device did not answer the BLE transport handshake within %u seconds"),
          TH_BTP_HANDSHAKE_TIMEOUT_MS / 1000);
  else
    fail (self, TH_ERROR_TIMED_OUT,
          _("The central did not subscribe to the Matter characteristic C2 within %u "
            "seconds of its handshake request"),
          TH_BTP_HANDSHAKE_TIMEOUT_MS / 1000);
}

static void
on_ack_received_timeout (gpointer user_data)
{
  ThBtpSession *self = user_data;

  self->ack_received_timer = 0;
  fail (self, TH_ERROR_TIMED_OUT,
        _("BTP packet %u was not acknowledged by %s within %u seconds; the Bluetooth link "
          "is lost"),
        self->tx_oldest_unacked, peer_name (self), TH_BTP_ACK_TIMEOUT_MS / 1000);
}

static void
on_send_ack_timeout (gpointer user_data)
{
  ThBtpSession *self = user_data;

  self->send_ack_timer = 0;
  self->ack_due = TRUE;
  drive (self);
}

static void
on_idle_timeout (gpointer user_data)
{
  ThBtpSession *self = user_data;

  self->idle_timer = 0;
  fail (self, TH_ERROR_TIMED_OUT,
        _("No data went over the Bluetooth session for %u seconds, so it was closed"),
        TH_BTP_IDLE_TIMEOUT_MS / 1000);
}

/* The central must close a session that carried no new data for a while. */
static void
restart_idle_timer (ThBtpSession *self)
{
  if (self->role != TH_BTP_ROLE_CENTRAL)
    return;
  th_clock_clear_timeout (self->clock, &self->idle_timer);
  self->idle_timer = th_clock_add_timeout (self->clock, TH_BTP_IDLE_TIMEOUT_MS,
                                           on_idle_timeout, self);
}

/* Sending. */

static guint8
take_sequence_number (ThBtpSession *self)
{
  guint8 sequence = self->tx_next_sequence++;

  if (self->tx_unacked == 0)
    {
      self->tx_oldest_unacked = sequence;
      self->ack_received_timer = th_clock_add_timeout (self->clock, TH_BTP_ACK_TIMEOUT_MS,
                                                       on_ack_received_timeout, self);
    }
  self->tx_unacked++;
  return sequence;
}

/* Called for every packet that goes out: each acknowledges all that came in. */
static void
acknowledge_all (ThBtpSession *self,
                 ThBtpSegment *segment)
{
  if (self->rx_unacked == 0)
    return;
  segment->flags |= TH_BTP_FLAG_ACK;
  segment->ack_number = self->rx_last_sequence;
  self->rx_unacked = 0;
  self->ack_due = FALSE;
  th_clock_clear_timeout (self->clock, &self->send_ack_timer);
}

/* Data may fill the peer's window but for one slot, which only a packet that also
 * acknowledges may take: then neither side can wait on the other with full windows. */
static gboolean
can_send_data (ThBtpSession *self)
{
  if (g_queue_is_empty (&self->outgoing))
    return FALSE;
  return self->tx_unacked + 1 < self->window_size ||
         (self->tx_unacked + 1 == self->window_size && self->rx_unacked > 0);
}

static void
send_next_segment (ThBtpSession *self)
{
  GBytes *message = g_queue_peek_head (&self->outgoing);
  g_autoptr(GBytes) packet = NULL;
  ThBtpSegment segment = { 0 };
  gsize len;
  const guint8 *data = g_bytes_get_data (message, &len);
  gsize room;

  acknowledge_all (self, &segment);
  if (self->outgoing_offset == 0)
    {
      segment.flags |= TH_BTP_FLAG_BEGINNING;
      segment.message_length = (guint16) len;
    }
  else
    {
      segment.flags |= TH_BTP_FLAG_CONTINUING;
    }
  room = self->segment_size - th_btp_segment_header_size (segment.flags);
  segment.payload = data + self->outgoing_offset;
  segment.payload_len = MIN (room, len - self->outgoing_offset);
  if (self->outgoing_offset + segment.payload_len == len)
    segment.flags |= TH_BTP_FLAG_ENDING;
  segment.sequence_number = take_sequence_number (self);
  packet = th_btp_segment_encode (&segment);

  self->outgoing_offset += segment.payload_len;
  if (self->outgoing_offset == len)
    {
      g_bytes_unref (g_queue_pop_head (&self->outgoing));
      self->outgoing_offset = 0;
    }
  restart_idle_timer (self);
  write_packet (self, packet);
}

static void
send_standalone_ack (ThBtpSession *self)
{
  g_autoptr(GBytes) packet = NULL;
  ThBtpSegment segment = { 0 };

  acknowledge_all (self, &segment);
  segment.sequence_number = take_sequence_number (self);
  packet = th_btp_segment_encode (&segment);
  write_packet (self, packet);
}

/* Acknowledge at once when half the window is taken by data, rather than when it is
 * nearly full, so that a peer sending a long message rarely waits. Acknowledgements alone
 * are answered after the delay only: otherwise two idle sides would trade them forever. */
static gboolean
immediate_ack_due (ThBtpSession *self)
{
  return self->rx_unacked >= MAX (1u, self->window_size / 2u);
}

static void
drive (ThBtpSession *self)
{
  if (self->state != TH_BTP_SESSION_OPEN || self->write_pending)
    return;

  if (can_send_data (self))
    send_next_segment (self);
  else if (self->rx_unacked > 0 && self->ack_due && self->tx_unacked < self->window_size)
    send_standalone_ack (self);
}

/* Receiving. */

static void
open_session (ThBtpSession *self)
{
  self->state = TH_BTP_SESSION_OPEN;
  th_clock_clear_timeout (self->clock, &self->handshake_timer);
  restart_idle_timer (self);
  self->callbacks.opened (self, self->user_data);
}

static void
receive_handshake_response (ThBtpSession *self,
                            const guint8 *data,
                            gsize         len)
{
  g_autoptr(GError) error = NULL;
  ThBtpHandshakeResponse response;
  guint16 segment_size;

  if (!th_btp_handshake_response_parse (data, len, &response, &error))
    {
      close_with (self, g_steal_pointer (&error));
      return;
    }
  if (response.version != TH_BTP_VERSION)
    {
      fail (self, TH_ERROR_BTP_PROTOCOL,
            _("The device chose BLE transport version %u; only version %u was offered"),
            response.version, TH_BTP_VERSION);
      return;
    }
  if (response.segment_size < TH_BTP_MIN_SEGMENT_SIZE)
    {
      fail (self, TH_ERROR_BTP_PROTOCOL,
            _("The device chose BTP segments of %u bytes, fewer than the %u every Bluetooth "
              "link carries"),
            response.segment_size, TH_BTP_MIN_SEGMENT_SIZE);
      return;
    }
  if (response.window_size == 0 || response.window_size > self->local_window_size)
    {
      fail (self, TH_ERROR_BTP_PROTOCOL,
            _("The device chose a BTP window of %u packets; 1 to %u were offered"),
            response.window_size, self->local_window_size);
      return;
    }

  segment_size = MIN (response.segment_size, TH_BTP_MAX_SEGMENT_SIZE);
  if (self->local_att_mtu >= TH_BTP_MIN_ATT_MTU)
    segment_size = MIN (segment_size, self->local_att_mtu - TH_BTP_ATT_HEADER_SIZE);
  self->segment_size = segment_size;
  self->window_size = response.window_size;
  /* The response counts as the peripheral's packet 0, which this side acknowledges. */
  self->rx_next_sequence = 1;
  self->rx_last_sequence = 0;
  self->rx_unacked = 1;
  self->send_ack_timer = th_clock_add_timeout (self->clock, TH_BTP_ACK_DELAY_MS,
                                               on_send_ack_timeout, self);
  open_session (self);
  drive (self);
}

/* The peripheral: the response waits until the central subscribes to C2. */
static void
send_handshake_response (ThBtpSession *self)
{
  g_autoptr(GBytes) response = g_steal_pointer (&self->handshake_response);

  /* The response is packet 0, which the central acknowledges. */
  self->tx_next_sequence = 0;
  take_sequence_number (self);
  write_packet (self, response);
  open_session (self);
}

static void
receive_handshake_request (ThBtpSession *self,
                           const guint8 *data,
                           gsize         len)
{
  g_autoptr(GError) error = NULL;
  ThBtpHandshakeRequest request;
  ThBtpHandshakeResponse response = { TH_BTP_VERSION, 0, 0 };
  guint16 att_mtu;

  if (!th_btp_handshake_request_parse (data, len, &request, &error))
    {
      close_with (self, g_steal_pointer (&error));
      return;
    }
  if (!th_btp_handshake_request_offers (&request, TH_BTP_VERSION))
    {
      fail (self, TH_ERROR_BTP_PROTOCOL,
            _("The central offers no BLE transport version this side speaks (%u)"),
            TH_BTP_VERSION);
      return;
    }

  /* The central's view of the MTU wins; a side that knows none assumes the smallest. */
  att_mtu = request.att_mtu >= TH_BTP_MIN_ATT_MTU ? request.att_mtu
            : MAX (self->local_att_mtu, TH_BTP_MIN_ATT_MTU);
  if (self->local_att_mtu >= TH_BTP_MIN_ATT_MTU)
    att_mtu = MIN (att_mtu, self->local_att_mtu);
  response.segment_size = MIN (att_mtu - TH_BTP_ATT_HEADER_SIZE, TH_BTP_MAX_SEGMENT_SIZE);
  response.window_size = MIN (request.window_size, self->local_window_size);
  self->segment_size = response.segment_size;
  self->window_size = response.window_size;
  self->rx_next_sequence = 0;
  self->handshake_response = th_btp_handshake_response_encode (&response);
  self->handshake_timer = th_clock_add_timeout (self->clock, TH_BTP_HANDSHAKE_TIMEOUT_MS,
                                                on_handshake_timeout, self);
  if (self->peer_subscribed)
    send_handshake_response (self);
}

static gboolean
accept_ack (ThBtpSession *self,
            guint8        ack_number)
{
  guint8 distance = (guint8) (ack_number - self->tx_oldest_unacked);

  if (self->tx_unacked == 0)
    {
      fail (self, TH_ERROR_BTP_PROTOCOL,
            _("%s acknowledged BTP packet %u while no packet awaited acknowledgement"),
            self->role == TH_BTP_ROLE_CENTRAL ? _("The device") : _("The central"),
            ack_number);
      return FALSE;
    }
  if (distance >= self->tx_unacked)
    {
      fail (self, TH_ERROR_BTP_PROTOCOL,
            _("%s acknowledged BTP packet %u; only packets %u to %u awaited "
              "acknowledgement"),
            self->role == TH_BTP_ROLE_CENTRAL ? _("The device") : _("The central"),
            ack_number, self->tx_oldest_unacked,
            (guint8) (self->tx_oldest_unacked + self->tx_unacked - 1));
      return FALSE;
    }

  self->tx_unacked -= (guint) distance + 1;
  self->tx_oldest_unacked = (guint8) (ack_number + 1);
  th_clock_clear_timeout (self->clock, &self->ack_received_timer);
  if (self->tx_unacked > 0)
    self->ack_received_timer = th_clock_add_timeout (self->clock, TH_BTP_ACK_TIMEOUT_MS,
                                                     on_ack_received_timeout, self);
  return TRUE;
}

/* Adds the segment's data to the message in progress. Returns the whole message when this
 * segment ends it, NULL otherwise or on failure (then the session is closed). */
static GBytes *
reassemble (ThBtpSession       *self,
            const ThBtpSegment *segment,
            gboolean           *failed)
{
  *failed = TRUE;
  if ((segment->flags & TH_BTP_FLAG_BEGINNING) != 0)
    {
      if (self->reassembly != NULL)
        {
          fail (self, TH_ERROR_BTP_PROTOCOL,
                _("BTP packet %u begins a message before the %u-byte message in progress "
                  "ended"),
                segment->sequence_number, self->reassembly_length);
          return NULL;
        }
      self->reassembly = g_byte_array_sized_new (segment->message_length);
      self->reassembly_length = segment->message_length;
    }
  else if (self->reassembly == NULL)
    {
      fail (self, TH_ERROR_BTP_PROTOCOL,
            _("BTP packet %u continues a message that never began"),
            segment->sequence_number);
      return NULL;
    }

  if (segment->payload_len > self->reassembly_length - self->reassembly->len)
    {
      fail (self, TH_ERROR_BTP_PROTOCOL,
            _("BTP packet %u carries %" G_GSIZE_FORMAT " bytes, more than the %u left of "
              "its %u-byte message"),
            segment->sequence_number, segment->payload_len,
            self->reassembly_length - self->reassembly->len, self->reassembly_length);
      return NULL;
    }
  g_byte_array_append (self->reassembly, segment->payload, (guint) segment->payload_len);

  if ((segment->flags & TH_BTP_FLAG_ENDING) == 0)
    {
      if (self->reassembly->len == self->reassembly_length)
        {
          fail (self, TH_ERROR_BTP_PROTOCOL,
                _("BTP packet %u completes its %u-byte message but does not end it"),
                segment->sequence_number, self->reassembly_length);
          return NULL;
        }
      *failed = FALSE;
      return NULL;
    }
  if (self->reassembly->len != self->reassembly_length)
    {
      fail (self, TH_ERROR_BTP_PROTOCOL,
            _("BTP packet %u ends a message after %u of its %u bytes"),
            segment->sequence_number, self->reassembly->len, self->reassembly_length);
      return NULL;
    }
  self->reassembly_length = 0;
  *failed = FALSE;
  return g_byte_array_free_to_bytes (g_steal_pointer (&self->reassembly));
}

static void
receive_segment (ThBtpSession *self,
                 const guint8 *data,
                 gsize         len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = NULL;
  ThBtpSegment segment;
  gboolean failed = FALSE;

  if (len > self->segment_size)
    {
      fail (self, TH_ERROR_BTP_PROTOCOL,
            _("A BTP packet of %" G_GSIZE_FORMAT " bytes arrived; the session allows %u"),
            len, self->segment_size);
      return;
    }
  if (!th_btp_segment_parse (data, len, &segment, &error))
    {
      close_with (self, g_steal_pointer (&error));
      return;
    }
  if (segment.sequence_number != self->rx_next_sequence)
    {
      fail (self, TH_ERROR_BTP_PROTOCOL,
            _("BTP packet %u arrived where packet %u was due: a packet was lost or sent out "
              "of order"),
            segment.sequence_number, self->rx_next_sequence);
      return;
    }
  if (self->rx_unacked >= self->window_size)
    {
      fail (self, TH_ERROR_BTP_PROTOCOL,
            _("BTP packet %u arrived with %u packets unacknowledged, beyond the window of %u"),
            segment.sequence_number, self->rx_unacked, self->window_size);
      return;
    }
  self->rx_next_sequence++;
  self->rx_last_sequence = segment.sequence_number;
  self->rx_unacked++;

  if ((segment.flags & TH_BTP_FLAG_ACK) != 0 && !accept_ack (self, segment.ack_number))
    return;
  if ((segment.flags & TH_BTP_DATA_FLAGS) != 0)
    {
      message = reassemble (self, &segment, &failed);
      if (failed)
        return;
      if (immediate_ack_due (self))
        self->ack_due = TRUE;
    }
  if (self->rx_unacked > 0 && self->send_ack_timer == 0 && !self->ack_due)
    self->send_ack_timer = th_clock_add_timeout (self->clock, TH_BTP_ACK_DELAY_MS,
                                                 on_send_ack_timeout, self);

  drive (self);
  if (message != NULL && self->state == TH_BTP_SESSION_OPEN)
    self->callbacks.message (self, message, self->user_data);
}

void
th_btp_session_receive (ThBtpSession *self,
                        const guint8 *data,
                        gsize         len)
{
  g_autoptr(ThBtpSession) hold = NULL;

  g_return_if_fail (TH_IS_BTP_SESSION (self));
  g_return_if_fail (data != NULL || len == 0);

  hold = g_object_ref (self);
  switch (self->state)
    {
    case TH_BTP_SESSION_HANDSHAKING:
      if (self->role == TH_BTP_ROLE_CENTRAL && !self->subscribe_requested)
        fail (self, TH_ERROR_BTP_PROTOCOL,
              _("The device sent a BTP packet before the handshake request was written"));
      else if (self->role == TH_BTP_ROLE_CENTRAL)
        receive_handshake_response (self, data, len);
      else if (self->handshake_response == NULL && self->segment_size == 0)
        receive_handshake_request (self, data, len);
      else
        fail (self, TH_ERROR_BTP_PROTOCOL,
              _("The central wrote again before subscribing to the Matter characteristic C2"));
      break;

    case TH_BTP_SESSION_OPEN:
      if (th_btp_packet_is_handshake (data, len))
        fail (self, TH_ERROR_BTP_PROTOCOL,
              _("A BTP handshake packet arrived in a session that is already open"));
      else
        receive_segment (self, data, len);
      break;

    case TH_BTP_SESSION_NEW:
    case TH_BTP_SESSION_CLOSED:
    default:
      break;
    }
}

void
th_btp_session_peer_subscribed (ThBtpSession *self)
{
  g_return_if_fail (TH_IS_BTP_SESSION (self));
  g_return_if_fail (self->role == TH_BTP_ROLE_PERIPHERAL);

  if (self->state != TH_BTP_SESSION_HANDSHAKING || self->peer_subscribed)
    return;
  self->peer_subscribed = TRUE;
  if (self->handshake_response != NULL)
    send_handshake_response (self);
}

void
th_btp_session_write_done (ThBtpSession *self)
{
  g_autoptr(ThBtpSession) hold = NULL;

  g_return_if_fail (TH_IS_BTP_SESSION (self));

  if (self->state == TH_BTP_SESSION_CLOSED)
    return;
  hold = g_object_ref (self);
  self->write_pending = FALSE;
  if (self->role == TH_BTP_ROLE_CENTRAL && !self->subscribe_requested)
    {
      self->subscribe_requested = TRUE;
      self->callbacks.subscribe (self, self->user_data);
      return;
    }
  drive (self);
}

void
th_btp_session_start (ThBtpSession *self,
                      guint16       att_mtu)
{
  g_return_if_fail (TH_IS_BTP_SESSION (self));
  g_return_if_fail (self->state == TH_BTP_SESSION_NEW);

  self->local_att_mtu = att_mtu;
  self->state = TH_BTP_SESSION_HANDSHAKING;
  if (self->role == TH_BTP_ROLE_CENTRAL)
    {
      ThBtpHandshakeRequest request = { { TH_BTP_VERSION }, 1, att_mtu, 0 };
      g_autoptr(GBytes) packet = NULL;

      request.window_size = self->local_window_size;
      packet = th_btp_handshake_request_encode (&request);
      self->handshake_timer = th_clock_add_timeout (self->clock, TH_BTP_HANDSHAKE_TIMEOUT_MS,
                                                    on_handshake_timeout, self);
      write_packet (self, packet);
    }
}

gboolean
th_btp_session_send (ThBtpSession  *self,
                     GBytes        *message,
                     GError       **error)
{
  gsize len;

  g_return_val_if_fail (TH_IS_BTP_SESSION (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  if (self->state != TH_BTP_SESSION_OPEN)
    {
      if (self->error != NULL)
        g_set_error (error, TH_ERROR, TH_ERROR_TRANSPORT,
                     _("The Bluetooth session is closed: %s"), self->error->message);
      else
        g_set_error_literal (error, TH_ERROR, TH_ERROR_TRANSPORT,
                             self->state == TH_BTP_SESSION_CLOSED
                             ? _("The Bluetooth session is closed")
                             : _("The Bluetooth session is not open yet"));
      return FALSE;
    }
  len = g_bytes_get_size (message);
  if (len == 0 || len > TH_BTP_MAX_MESSAGE_SIZE)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TRANSPORT,
                   _("A message of %" G_GSIZE_FORMAT " bytes cannot go over Bluetooth; BTP "
                     "carries 1 to %u bytes"),
                   len, TH_BTP_MAX_MESSAGE_SIZE);
      return FALSE;
    }

  g_queue_push_tail (&self->outgoing, g_bytes_ref (message));
  drive (self);
  return TRUE;
}

void
th_btp_session_close (ThBtpSession *self,
                      const GError *error)
{
  g_return_if_fail (TH_IS_BTP_SESSION (self));

  close_with (self, error != NULL ? g_error_copy (error) : NULL);
}

void
th_btp_session_set_window_size (ThBtpSession *self,
                                guint8        window_size)
{
  g_return_if_fail (TH_IS_BTP_SESSION (self));
  g_return_if_fail (self->state == TH_BTP_SESSION_NEW);
  g_return_if_fail (window_size >= 1);

  self->local_window_size = window_size;
}

ThBtpRole
th_btp_session_get_role (ThBtpSession *self)
{
  g_return_val_if_fail (TH_IS_BTP_SESSION (self), TH_BTP_ROLE_CENTRAL);
  return self->role;
}

ThBtpSessionState
th_btp_session_get_state (ThBtpSession *self)
{
  g_return_val_if_fail (TH_IS_BTP_SESSION (self), TH_BTP_SESSION_CLOSED);
  return self->state;
}

guint16
th_btp_session_get_segment_size (ThBtpSession *self)
{
  g_return_val_if_fail (TH_IS_BTP_SESSION (self), 0);
  return self->segment_size;
}

guint8
th_btp_session_get_window_size (ThBtpSession *self)
{
  g_return_val_if_fail (TH_IS_BTP_SESSION (self), 0);
  return self->window_size;
}

const GError *
th_btp_session_get_error (ThBtpSession *self)
{
  g_return_val_if_fail (TH_IS_BTP_SESSION (self), NULL);
  return self->error;
}

static void
th_btp_session_finalize (GObject *object)
{
  ThBtpSession *self = TH_BTP_SESSION (object);

  stop_timers (self);
  forget_traffic (self);
  g_clear_object (&self->clock);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (th_btp_session_parent_class)->finalize (object);
}

static void
th_btp_session_class_init (ThBtpSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = th_btp_session_finalize;
}

static void
th_btp_session_init (ThBtpSession *self)
{
  self->local_window_size = TH_BTP_DEFAULT_WINDOW_SIZE;
  g_queue_init (&self->outgoing);
}

ThBtpSession *
th_btp_session_new (ThBtpRole                    role,
                    ThClock                     *clock,
                    const ThBtpSessionCallbacks *callbacks,
                    gpointer                     user_data)
{
  ThBtpSession *self;

  g_return_val_if_fail (TH_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (callbacks != NULL, NULL);

  self = g_object_new (TH_TYPE_BTP_SESSION, NULL);
  self->role = role;
  self->clock = g_object_ref (clock);
  self->callbacks = *callbacks;
  self->user_data = user_data;
  return self;
}
