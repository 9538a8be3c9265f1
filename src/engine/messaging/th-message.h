/* th-message.h: the Matter message frame (message header, protocol header, payload)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Message flags: the first byte of every message. */
#define TH_MESSAGE_FLAG_VERSION_MASK        0xf0
#define TH_MESSAGE_FLAG_SOURCE_NODE_ID      0x04  /* S */
#define TH_MESSAGE_FLAG_DSIZ_MASK           0x03
#define TH_MESSAGE_DSIZ_NONE                0x00
#define TH_MESSAGE_DSIZ_NODE_ID             0x01
#define TH_MESSAGE_DSIZ_GROUP_ID            0x02

/* Security flags: byte 3. The session type is in the two low bits. */
#define TH_SECURITY_FLAG_PRIVACY            0x80  /* P */
#define TH_SECURITY_FLAG_CONTROL            0x40  /* C */
#define TH_SECURITY_FLAG_EXTENSIONS         0x20  /* MX */
#define TH_SECURITY_FLAG_SESSION_TYPE_MASK  0x03

typedef enum
{
  TH_SESSION_TYPE_UNICAST = 0,
  TH_SESSION_TYPE_GROUP = 1,
} ThSessionType;

/* Exchange flags: the first byte of the protocol header. */
#define TH_EXCHANGE_FLAG_INITIATOR          0x01  /* I */
#define TH_EXCHANGE_FLAG_ACK                0x02  /* A */
#define TH_EXCHANGE_FLAG_RELIABLE           0x04  /* R */
#define TH_EXCHANGE_FLAG_SECURED_EXTENSIONS 0x08  /* SX */
#define TH_EXCHANGE_FLAG_VENDOR             0x10  /* V */

#define TH_MESSAGE_MIC_LEN   16
#define TH_MESSAGE_NONCE_LEN 13

/* The unspecified node id: PASE sessions and nonces without a node. */
#define TH_NODE_ID_UNSPECIFIED G_GUINT64_CONSTANT (0)
/* Operational node ids run from 1 to here; group and special ids lie above. */
#define TH_NODE_ID_MAX_OPERATIONAL G_GUINT64_CONSTANT (0xFFFFFFEFFFFFFFFF)

/* Protocol ids of the common (vendor 0) namespace. */
#define TH_PROTOCOL_SECURE_CHANNEL     0x0000
#define TH_PROTOCOL_INTERACTION_MODEL  0x0001
#define TH_PROTOCOL_BDX                0x0002
#define TH_PROTOCOL_USER_DIRECTED_COMMISSIONING 0x0003

typedef enum
{
  TH_SECURE_CHANNEL_MSG_COUNTER_SYNC_REQUEST = 0x00,
  TH_SECURE_CHANNEL_MSG_COUNTER_SYNC_RESPONSE = 0x01,
  TH_SECURE_CHANNEL_STANDALONE_ACK = 0x10,
  TH_SECURE_CHANNEL_PBKDF_PARAM_REQUEST = 0x20,
  TH_SECURE_CHANNEL_PBKDF_PARAM_RESPONSE = 0x21,
  TH_SECURE_CHANNEL_PASE_PAKE1 = 0x22,
  TH_SECURE_CHANNEL_PASE_PAKE2 = 0x23,
  TH_SECURE_CHANNEL_PASE_PAKE3 = 0x24,
  TH_SECURE_CHANNEL_CASE_SIGMA1 = 0x30,
  TH_SECURE_CHANNEL_CASE_SIGMA2 = 0x31,
  TH_SECURE_CHANNEL_CASE_SIGMA3 = 0x32,
  TH_SECURE_CHANNEL_CASE_SIGMA2_RESUME = 0x33,
  TH_SECURE_CHANNEL_STATUS_REPORT = 0x40,
  TH_SECURE_CHANNEL_ICD_CHECK_IN = 0x50,
} ThSecureChannelOpcode;

typedef enum
{
  TH_IM_STATUS_RESPONSE = 0x01,
  TH_IM_READ_REQUEST = 0x02,
  TH_IM_SUBSCRIBE_REQUEST = 0x03,
  TH_IM_SUBSCRIBE_RESPONSE = 0x04,
  TH_IM_REPORT_DATA = 0x05,
  TH_IM_WRITE_REQUEST = 0x06,
  TH_IM_WRITE_RESPONSE = 0x07,
  TH_IM_INVOKE_REQUEST = 0x08,
  TH_IM_INVOKE_RESPONSE = 0x09,
  TH_IM_TIMED_REQUEST = 0x0a,
} ThInteractionModelOpcode;

/* The unencrypted message header. Decoding fills every field; encoding derives the message
 * flags from the has_* fields and writes security_flags as given. */
typedef struct
{
  guint16 session_id;
  guint8 security_flags;          /* P, C, MX and the session type, as on the wire */
  guint32 counter;
  gboolean has_source_node_id;
  guint64 source_node_id;
  gboolean has_destination_node_id;
  guint64 destination_node_id;
  gboolean has_destination_group_id;
  guint16 destination_group_id;
  /* With MX: the message extensions without their length prefix. They are kept, not
   * interpreted; decoding points them into the input. */
  const guint8 *extensions;
  gsize extensions_len;
} ThMessageHeader;

/* The protocol header, encrypted in a secured message. The optional fields are present
 * exactly when their flag is set in exchange_flags. */
typedef struct
{
  guint8 exchange_flags;          /* I, A, R, SX and V, as on the wire */
  guint8 opcode;
  guint16 exchange_id;
  guint16 vendor_id;              /* with V; 0 (the common namespace) otherwise */
  guint16 protocol_id;
  guint32 ack_counter;            /* with A */
  const guint8 *secured_extensions;  /* with SX, without the length prefix */
  gsize secured_extensions_len;
} ThProtocolHeader;

static inline ThSessionType
th_message_header_get_session_type (const ThMessageHeader *header)
{
  return (ThSessionType) (header->security_flags & TH_SECURITY_FLAG_SESSION_TYPE_MASK);
}

gsize    th_message_header_get_size  (const ThMessageHeader  *header);
gboolean th_message_header_encode    (const ThMessageHeader  *header,
                                      GByteArray             *out,
                                      GError                **error);
/* Decodes the header at the start of `data` and sets `header_len` to its size, message
 * extensions included. Fails with TH_ERROR_MESSAGE_INVALID naming the byte offset. */
gboolean th_message_header_decode    (ThMessageHeader        *header,
                                      const guint8           *data,
                                      gsize                   len,
                                      gsize                  *header_len,
                                      GError                **error);

gsize    th_protocol_header_get_size (const ThProtocolHeader *header);
gboolean th_protocol_header_encode   (const ThProtocolHeader *header,
                                      GByteArray             *out,
                                      GError                **error);
/* Offsets in errors count from the start of the protocol header. */
gboolean th_protocol_header_decode   (ThProtocolHeader       *header,
                                      const guint8           *data,
                                      gsize                   len,
                                      gsize                  *header_len,
                                      GError                **error);

/* Security flags || message counter (LE32) || node id (LE64): the sender's node id, or
 * TH_NODE_ID_UNSPECIFIED in a PASE session. */
void     th_message_build_nonce      (guint8                  nonce[TH_MESSAGE_NONCE_LEN],
                                      guint8                  security_flags,
                                      guint32                 counter,
                                      guint64                 node_id);

/* A decoded message. Reference counted; the fields are read-only. */
typedef struct
{
  ThMessageHeader header;
  ThProtocolHeader protocol;
  GBytes *payload;                /* the application payload */
} ThMessage;

ThMessage *th_message_ref    (ThMessage              *message);
void       th_message_unref  (ThMessage              *message);

/* Encodes a whole message. With a key (16 bytes) the protocol header and payload are
 * encrypted with AES-128-CCM, the message header as additional data, and the 16-byte MIC
 * is appended; `nonce_node_id` is the sender's node id. Without a key the message goes in
 * the clear. */
GBytes    *th_message_encode (const ThMessageHeader  *header,
                              const ThProtocolHeader *protocol,
                              const guint8           *payload,
                              gsize                   payload_len,
                              const guint8           *key,
                              guint64                 nonce_node_id,
                              GError                **error);
/* Decodes a whole datagram: the message header, then (with a key) decrypts the rest and
 * checks its MIC (TH_ERROR_CRYPTO_AUTH when it does not match), then the protocol header.
 * `nonce_node_id` is the sender's node id. */
ThMessage *th_message_decode (GBytes                 *datagram,
                              const guint8           *key,
                              guint64                 nonce_node_id,
                              GError                **error);

/* The protocol and opcode in words for logs and errors, such as "Secure Channel
 * PBKDFParamRequest" or "protocol 0x1234 opcode 0x05" when unknown. */
char      *th_message_describe_type (guint16 protocol_id,
                                     guint8  opcode);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThMessage, th_message_unref)

G_END_DECLS
