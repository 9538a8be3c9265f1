/* th-btp-codec.h: the packets of BTP, the Bluetooth transport protocol Matter runs over BLE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The one BTP version there is. */
#define TH_BTP_VERSION                  4
#define TH_BTP_HANDSHAKE_OPCODE         0x6C
/* Every BLE link carries ATT packets of 23 bytes, of which the ATT header takes 3. */
#define TH_BTP_ATT_HEADER_SIZE          3
#define TH_BTP_MIN_ATT_MTU              23
#define TH_BTP_MIN_SEGMENT_SIZE         (TH_BTP_MIN_ATT_MTU - TH_BTP_ATT_HEADER_SIZE)
/* The largest segment BTP allows, whatever the link's MTU. */
#define TH_BTP_MAX_SEGMENT_SIZE         244
#define TH_BTP_MAX_VERSIONS             8
#define TH_BTP_HANDSHAKE_REQUEST_SIZE   9
#define TH_BTP_HANDSHAKE_RESPONSE_SIZE  6
/* Flags, ack number, sequence number and message length. */
#define TH_BTP_MAX_HEADER_SIZE          5
/* The message length field is 16 bits wide. */
#define TH_BTP_MAX_MESSAGE_SIZE         G_MAXUINT16

/* The header flags of a BTP packet. */
typedef enum
{
  TH_BTP_FLAG_BEGINNING  = 1 << 0,   /* the first segment of a message: its length follows */
  TH_BTP_FLAG_CONTINUING = 1 << 1,   /* a later segment of a message */
  TH_BTP_FLAG_ENDING     = 1 << 2,   /* the last segment of a message */
  TH_BTP_FLAG_ACK        = 1 << 3,   /* an acknowledgement number follows the flags */
  TH_BTP_FLAG_MANAGEMENT = 1 << 5,   /* a management opcode follows the flags */
  TH_BTP_FLAG_HANDSHAKE  = 1 << 6,   /* a handshake request or response */
} ThBtpFlags;

#define TH_BTP_DATA_FLAGS \
  (TH_BTP_FLAG_BEGINNING | TH_BTP_FLAG_CONTINUING | TH_BTP_FLAG_ENDING)

/* What the central offers, written to C1 to open a session. */
typedef struct
{
  guint8 versions[TH_BTP_MAX_VERSIONS];  /* in the order listed, unused slots left out */
  guint n_versions;
  guint16 att_mtu;                       /* the link's ATT MTU; 0 when the central does not know */
  guint8 window_size;                    /* how many unacknowledged packets it can take */
} ThBtpHandshakeRequest;

/* What the peripheral chose, indicated on C2. */
typedef struct
{
  guint8 version;
  guint16 segment_size;                  /* the largest packet either side may send */
  guint8 window_size;
} ThBtpHandshakeResponse;

/* A data segment or a stand-alone acknowledgement. */
typedef struct
{
  guint8 flags;                          /* ThBtpFlags */
  guint8 ack_number;                     /* with TH_BTP_FLAG_ACK */
  guint8 sequence_number;
  guint16 message_length;                /* with TH_BTP_FLAG_BEGINNING */
  const guint8 *payload;                 /* borrowed from the packet */
  gsize payload_len;
} ThBtpSegment;

/* TRUE when the packet's flags say handshake; anything else is a segment. */
gboolean th_btp_packet_is_handshake        (const guint8                 *data,
                                            gsize                         len);

/* Each parser checks every byte and fails with TH_ERROR_BTP_PROTOCOL, naming the field and
 * its offset. */
gboolean th_btp_handshake_request_parse    (const guint8                 *data,
                                            gsize                         len,
                                            ThBtpHandshakeRequest        *request,
                                            GError                      **error);
GBytes  *th_btp_handshake_request_encode   (const ThBtpHandshakeRequest  *request);
gboolean th_btp_handshake_request_offers   (const ThBtpHandshakeRequest  *request,
                                            guint8                        version);

gboolean th_btp_handshake_response_parse   (const guint8                 *data,
                                            gsize                         len,
                                            ThBtpHandshakeResponse       *response,
                                            GError                      **error);
GBytes  *th_btp_handshake_response_encode  (const ThBtpHandshakeResponse *response);

/* A segment: flags, then the ack number with TH_BTP_FLAG_ACK, the sequence number, the
 * message length (little-endian) with TH_BTP_FLAG_BEGINNING, and the payload. A data segment
 * carries at least one byte; a stand-alone acknowledgement carries none. */
gboolean th_btp_segment_parse              (const guint8                 *data,
                                            gsize                         len,
                                            ThBtpSegment                 *segment,
                                            GError                      **error);
/* The segment must be well formed, as th_btp_segment_parse() would accept it. */
GBytes  *th_btp_segment_encode             (const ThBtpSegment           *segment);
/* The header's size for these flags. */
gsize    th_btp_segment_header_size        (guint8                        flags);

G_END_DECLS
