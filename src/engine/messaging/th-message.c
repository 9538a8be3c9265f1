/* th-message.c: the Matter message frame
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "crypto/th-crypto.h"
#include "th-error.h"
#include "th-message.h"

#define MESSAGE_HEADER_FIXED_LEN  8
#define PROTOCOL_HEADER_FIXED_LEN 6

/* A bounds-checked little-endian reader; `part` names the header in errors. */
typedef struct
{
  const guint8 *data;
  gsize len;
  gsize pos;
  const char *part;
} Reader;

static gboolean
reader_take (Reader        *reader,
             gsize          n,
             const char    *field,
             const guint8 **out,
             GError       **error)
{
  if (reader->len - reader->pos < n)
    {
      /* TRANSLATORS: the first %s is "message header" or "protocol header", the second a
       * field such as "source node id" */
      g_set_error (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID,
                   _("The %s ends too early: its %s needs bytes %zu to %zu, but there are "
                     "only %zu bytes"),
                   _(reader->part), _(field), reader->pos, reader->pos + n - 1, reader->len);
      return FALSE;
    }
  *out = reader->data + reader->pos;
  reader->pos += n;
  return TRUE;
}

static gboolean
reader_u8 (Reader      *reader,
           const char  *field,
           guint8      *out,
           GError     **error)
{
  const guint8 *p;

  if (!reader_take (reader, 1, field, &p, error))
    return FALSE;
  *out = p[0];
  return TRUE;
}

static gboolean
reader_le16 (Reader      *reader,
             const char  *field,
             guint16     *out,
             GError     **error)
{
  const guint8 *p;

  if (!reader_take (reader, 2, field, &p, error))
    return FALSE;
  *out = (guint16) (p[0] | p[1] << 8);
  return TRUE;
}

static gboolean
reader_le32 (Reader      *reader,
             const char  *field,
             guint32     *out,
             GError     **error)
{
  const guint8 *p;

  if (!reader_take (reader, 4, field, &p, error))
    return FALSE;
  *out = (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
  return TRUE;
}

static gboolean
reader_le64 (Reader      *reader,
             const char  *field,
             guint64     *out,
             GError     **error)
{
  const guint8 *p;

  if (!reader_take (reader, 8, field, &p, error))
    return FALSE;
  *out = 0;
  for (int i = 7; i >= 0; i--)
    *out = *out << 8 | p[i];
  return TRUE;
}

/* A 16-bit length followed by that many bytes. */
static gboolean
reader_blob (Reader        *reader,
             const char    *length_field,
             const char    *field,
             const guint8 **out,
             gsize         *out_len,
             GError       **error)
{
  guint16 n;

  if (!reader_le16 (reader, length_field, &n, error) ||
      !reader_take (reader, n, field, out, error))
    return FALSE;
  *out_len = n;
  return TRUE;
}

static void
append_u8 (GByteArray *out,
           guint8      v)
{
  g_byte_array_append (out, &v, 1);
}

static void
append_le16 (GByteArray *out,
             guint16     v)
{
  guint8 b[2] = { v & 0xff, v >> 8 };

  g_byte_array_append (out, b, sizeof b);
}

static void
append_le32 (GByteArray *out,
             guint32     v)
{
  guint8 b[4];

  for (guint i = 0; i < 4; i++)
    b[i] = (guint8) (v >> (8 * i));
  g_byte_array_append (out, b, sizeof b);
}

static void
append_le64 (GByteArray *out,
             guint64     v)
{
  guint8 b[8];

  for (guint i = 0; i < 8; i++)
    b[i] = (guint8) (v >> (8 * i));
  g_byte_array_append (out, b, sizeof b);
}

static gboolean
check_blob (const guint8  *data,
            gsize          len,
            gboolean       flagged,
            const char    *what,
            const char    *flag,
            GError       **error)
{
  if (len > G_MAXUINT16)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID,
                   _("The %s are %zu bytes long; at most 65535 fit"), _(what), len);
      return FALSE;
    }
  if (!flagged && (data != NULL || len > 0))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID,
                   _("The %s are given but the %s flag is not set"), _(what), flag);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_addressing (ThSessionType  session_type,
                  gboolean       has_source_node_id,
                  gboolean       has_destination_node_id,
                  gboolean       has_destination_group_id,
                  GError       **error)
{
  switch ((guint) session_type)
    {
    case TH_SESSION_TYPE_UNICAST:
      if (has_destination_group_id)
        {
          g_set_error_literal (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID,
                               _("A unicast message carries a destination group id"));
          return FALSE;
        }
      return TRUE;

    case TH_SESSION_TYPE_GROUP:
      if (!has_source_node_id || !has_destination_group_id)
        {
          g_set_error_literal (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID,
                               _("A group message must carry a source node id and a "
                                 "destination group id"));
          return FALSE;
        }
      return TRUE;

    default:
      g_set_error (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID,
                   _("The session type in the security flags (byte 3) has the reserved "
                     "value %u"), (guint) session_type);
      return FALSE;
    }
}

gsize
th_message_header_get_size (const ThMessageHeader *header)
{
  gsize size = MESSAGE_HEADER_FIXED_LEN;

  if (header->has_source_node_id)
    size += 8;
  if (header->has_destination_node_id)
    size += 8;
  if (header->has_destination_group_id)
    size += 2;
  if (header->security_flags & TH_SECURITY_FLAG_EXTENSIONS)
    size += 2 + header->extensions_len;
  return size;
}

gboolean
th_message_header_encode (const ThMessageHeader  *header,
                          GByteArray             *out,
                          GError                **error)
{
  guint8 flags = 0;

  if (header->has_destination_node_id && header->has_destination_group_id)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID,
                           _("A message cannot carry both a destination node id and a "
                             "destination group id"));
      return FALSE;
    }
  if (!check_addressing (th_message_header_get_session_type (header),
                         header->has_source_node_id, header->has_destination_node_id,
                         header->has_destination_group_id, error) ||
      !check_blob (header->extensions, header->extensions_len,
                   header->security_flags & TH_SECURITY_FLAG_EXTENSIONS,
                   N_("message extensions"), "MX", error))
    return FALSE;

  if (header->has_source_node_id)
    flags |= TH_MESSAGE_FLAG_SOURCE_NODE_ID;
  if (header->has_destination_node_id)
    flags |= TH_MESSAGE_DSIZ_NODE_ID;
  else if (header->has_destination_group_id)
    flags |= TH_MESSAGE_DSIZ_GROUP_ID;

  append_u8 (out, flags);
  append_le16 (out, header->session_id);
  append_u8 (out, header->security_flags);
  append_le32 (out, header->counter);
  if (header->has_source_node_id)
    append_le64 (out, header->source_node_id);
  if (header->has_destination_node_id)
    append_le64 (out, header->destination_node_id);
  if (header->has_destination_group_id)
    append_le16 (out, header->destination_group_id);
  if (header->security_flags & TH_SECURITY_FLAG_EXTENSIONS)
    {
      append_le16 (out, (guint16) header->extensions_len);
      if (header->extensions_len > 0)
        g_byte_array_append (out, header->extensions, (guint) header->extensions_len);
    }
  return TRUE;
}

gboolean
th_message_header_decode (ThMessageHeader  *header,
                          const guint8     *data,
                          gsize             len,
                          gsize            *header_len,
                          GError          **error)
{
  Reader reader = { data, len, 0, N_("message header") };
  ThMessageHeader h = { 0 };
  guint8 flags;
  guint version;
  guint dsiz;

  if (!reader_u8 (&reader, N_("message flags"), &flags, error))
    return FALSE;

  version = (flags & TH_MESSAGE_FLAG_VERSION_MASK) >> 4;
  if (version != 0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID,
                   _("The message format version in byte 0 is %u; only version 0 exists"),
                   version);
      return FALSE;
    }
  dsiz = flags & TH_MESSAGE_FLAG_DSIZ_MASK;
  if (dsiz != TH_MESSAGE_DSIZ_NONE && dsiz != TH_MESSAGE_DSIZ_NODE_ID &&
      dsiz != TH_MESSAGE_DSIZ_GROUP_ID)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID,
                   _("The destination size in the message flags (byte 0) has the reserved "
                     "value %u"), dsiz);
      return FALSE;
    }
  h.has_source_node_id = (flags & TH_MESSAGE_FLAG_SOURCE_NODE_ID) != 0;
  h.has_destination_node_id = dsiz == TH_MESSAGE_DSIZ_NODE_ID;
  h.has_destination_group_id = dsiz == TH_MESSAGE_DSIZ_GROUP_ID;

  if (!reader_le16 (&reader, N_("session id"), &h.session_id, error) ||
      !reader_u8 (&reader, N_("security flags"), &h.security_flags, error) ||
      !reader_le32 (&reader, N_("message counter"), &h.counter, error))
    return FALSE;

  if (!check_addressing (th_message_header_get_session_type (&h), h.has_source_node_id,
                         h.has_destination_node_id, h.has_destination_group_id, error))
    return FALSE;

  if (h.has_source_node_id &&
      !reader_le64 (&reader, N_("source node id"), &h.source_node_id, error))
    return FALSE;
  if (h.has_destination_node_id &&
      !reader_le64 (&reader, N_("destination node id"), &h.destination_node_id, error))
    return FALSE;
  if (h.has_destination_group_id &&
      !reader_le16 (&reader, N_("destination group id"), &h.destination_group_id, error))
    return FALSE;
  if ((h.security_flags & TH_SECURITY_FLAG_EXTENSIONS) &&
      !reader_blob (&reader, N_("message extensions length"), N_("message extensions"),
                    &h.extensions, &h.extensions_len, error))
    return FALSE;

  *header = h;
  *header_len = reader.pos;
  return TRUE;
}

gsize
th_protocol_header_get_size (const ThProtocolHeader *header)
{
  gsize size = PROTOCOL_HEADER_FIXED_LEN;

  if (header->exchange_flags & TH_EXCHANGE_FLAG_VENDOR)
    size += 2;
  if (header->exchange_flags & TH_EXCHANGE_FLAG_ACK)
    size += 4;
  if (header->exchange_flags & TH_EXCHANGE_FLAG_SECURED_EXTENSIONS)
    size += 2 + header->secured_extensions_len;
  return size;
}

gboolean
th_protocol_header_encode (const ThProtocolHeader  *header,
                           GByteArray              *out,
                           GError                 **error)
{
  guint8 flags = header->exchange_flags;

  if (!check_blob (header->secured_extensions, header->secured_extensions_len,
                   flags & TH_EXCHANGE_FLAG_SECURED_EXTENSIONS,
                   N_("secured extensions"), "SX", error))
    return FALSE;

  append_u8 (out, flags);
  append_u8 (out, header->opcode);
  append_le16 (out, header->exchange_id);
  if (flags & TH_EXCHANGE_FLAG_VENDOR)
    append_le16 (out, header->vendor_id);
  append_le16 (out, header->protocol_id);
  if (flags & TH_EXCHANGE_FLAG_ACK)
    append_le32 (out, header->ack_counter);
  if (flags & TH_EXCHANGE_FLAG_SECURED_EXTENSIONS)
    {
      append_le16 (out, (guint16) header->secured_extensions_len);
      if (header->secured_extensions_len > 0)
        g_byte_array_append (out, header->secured_extensions,
                             (guint) header->secured_extensions_len);
    }
  return TRUE;
}

gboolean
th_protocol_header_decode (ThProtocolHeader  *header,
                           const guint8      *data,
                           gsize              len,
                           gsize             *header_len,
                           GError           **error)
{
  Reader reader = { data, len, 0, N_("protocol header") };
  ThProtocolHeader h = { 0 };

  if (!reader_u8 (&reader, N_("exchange flags"), &h.exchange_flags, error) ||
      !reader_u8 (&reader, N_("opcode"), &h.opcode, error) ||
      !reader_le16 (&reader, N_("exchange id"), &h.exchange_id, error))
    return FALSE;
  if ((h.exchange_flags & TH_EXCHANGE_FLAG_VENDOR) &&
      !reader_le16 (&reader, N_("protocol vendor id"), &h.vendor_id, error))
    return FALSE;
  if (!reader_le16 (&reader, N_("protocol id"), &h.protocol_id, error))
    return FALSE;
  if ((h.exchange_flags & TH_EXCHANGE_FLAG_ACK) &&
      !reader_le32 (&reader, N_("acknowledged message counter"), &h.ack_counter, error))
    return FALSE;
  if ((h.exchange_flags & TH_EXCHANGE_FLAG_SECURED_EXTENSIONS) &&
      !reader_blob (&reader, N_("secured extensions length"), N_("secured extensions"),
                    &h.secured_extensions, &h.secured_extensions_len, error))
    return FALSE;

  *header = h;
  *header_len = reader.pos;
  return TRUE;
}

void
th_message_build_nonce (guint8  nonce[TH_MESSAGE_NONCE_LEN],
                        guint8  security_flags,
                        guint32 counter,
                        guint64 node_id)
{
  nonce[0] = security_flags;
  for (guint i = 0; i < 4; i++)
    nonce[1 + i] = (guint8) (counter >> (8 * i));
  for (guint i = 0; i < 8; i++)
    nonce[5 + i] = (guint8) (node_id >> (8 * i));
}

typedef struct
{
  ThMessage public;
  gint ref_count;
  GBytes *datagram;               /* what header.extensions points into */
  GBytes *plaintext;              /* what protocol.secured_extensions points into */
} ThMessageReal;

ThMessage *
th_message_ref (ThMessage *message)
{
  ThMessageReal *real = (ThMessageReal *) message;

  g_return_val_if_fail (message != NULL, NULL);

  g_atomic_int_inc (&real->ref_count);
  return message;
}

void
th_message_unref (ThMessage *message)
{
  ThMessageReal *real = (ThMessageReal *) message;

  g_return_if_fail (message != NULL);

  if (!g_atomic_int_dec_and_test (&real->ref_count))
    return;
  g_bytes_unref (real->public.payload);
  g_bytes_unref (real->datagram);
  g_bytes_unref (real->plaintext);
  g_free (real);
}

GBytes *
th_message_encode (const ThMessageHeader   *header,
                   const ThProtocolHeader  *protocol,
                   const guint8            *payload,
                   gsize                    payload_len,
                   const guint8            *key,
                   guint64                  nonce_node_id,
                   GError                 **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gsize header_len;
  gsize body_len;
  guint8 nonce[TH_MESSAGE_NONCE_LEN];
  guint8 *body;

  g_return_val_if_fail (payload != NULL || payload_len == 0, NULL);

  if (!th_message_header_encode (header, out, error))
    return NULL;
  header_len = out->len;
  if (!th_protocol_header_encode (protocol, out, error))
    return NULL;
  if (payload_len > 0)
    g_byte_array_append (out, payload, (guint) payload_len);

  if (key == NULL)
    return g_byte_array_free_to_bytes (g_steal_pointer (&out));

  body_len = out->len - header_len;
  g_byte_array_set_size (out, out->len + TH_MESSAGE_MIC_LEN);
  body = out->data + header_len;
  th_message_build_nonce (nonce, header->security_flags, header->counter, nonce_node_id);
  if (!th_aes_ccm_encrypt (key, nonce, out->data, header_len, body, body_len, body,
                           body + body_len, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

ThMessage *
th_message_decode (GBytes        *datagram,
                   const guint8  *key,
                   guint64        nonce_node_id,
                   GError       **error)
{
  g_autofree ThMessageReal *real = g_new0 (ThMessageReal, 1);
  g_autoptr(GBytes) plaintext = NULL;
  const guint8 *data;
  gsize len;
  gsize header_len;
  gsize protocol_len;
  gsize plaintext_len;
  const guint8 *p;

  g_return_val_if_fail (datagram != NULL, NULL);

  data = g_bytes_get_data (datagram, &len);
  if (!th_message_header_decode (&real->public.header, data, len, &header_len, error))
    return NULL;

  if (key != NULL)
    {
      gsize body_len = len - header_len;
      guint8 nonce[TH_MESSAGE_NONCE_LEN];
      g_autofree guint8 *clear = NULL;
      g_autoptr(GError) local_error = NULL;

      if (body_len < TH_MESSAGE_MIC_LEN)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID,
                       _("The secured message has %zu bytes after its %zu-byte header, too "
                         "few for the 16-byte integrity check (MIC)"),
                       body_len, header_len);
          return NULL;
        }
      body_len -= TH_MESSAGE_MIC_LEN;
      clear = g_malloc (MAX (body_len, 1));
      th_message_build_nonce (nonce, real->public.header.security_flags,
                              real->public.header.counter, nonce_node_id);
      if (!th_aes_ccm_decrypt (key, nonce, data, header_len, data + header_len, body_len,
                               data + header_len + body_len, clear, &local_error))
        {
          if (g_error_matches (local_error, TH_ERROR, TH_ERROR_CRYPTO_AUTH))
            g_set_error (error, TH_ERROR, TH_ERROR_CRYPTO_AUTH,
                         _("Message %u of session %u failed its integrity check (MIC): it "
                           "was altered or not encrypted with this session's key"),
                         real->public.header.counter, real->public.header.session_id);
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      plaintext = g_bytes_new_take (g_steal_pointer (&clear), body_len);
    }
  else
    {
      plaintext = g_bytes_new_from_bytes (datagram, header_len, len - header_len);
    }

  p = g_bytes_get_data (plaintext, &plaintext_len);
  if (!th_protocol_header_decode (&real->public.protocol, p, plaintext_len, &protocol_len,
                                  error))
    return NULL;

  real->public.payload = g_bytes_new_from_bytes (plaintext, protocol_len,
                                                 plaintext_len - protocol_len);
  real->datagram = g_bytes_ref (datagram);
  real->plaintext = g_steal_pointer (&plaintext);
  real->ref_count = 1;
  return (ThMessage *) g_steal_pointer (&real);
}

static const char *
secure_channel_opcode_name (guint8 opcode)
{
  switch (opcode)
    {
    case TH_SECURE_CHANNEL_MSG_COUNTER_SYNC_REQUEST: return "MsgCounterSyncReq";
    case TH_SECURE_CHANNEL_MSG_COUNTER_SYNC_RESPONSE: return "MsgCounterSyncRsp";
    case TH_SECURE_CHANNEL_STANDALONE_ACK: return "MRP Standalone Acknowledgement";
    case TH_SECURE_CHANNEL_PBKDF_PARAM_REQUEST: return "PBKDFParamRequest";
    case TH_SECURE_CHANNEL_PBKDF_PARAM_RESPONSE: return "PBKDFParamResponse";
    case TH_SECURE_CHANNEL_PASE_PAKE1: return "PASE Pake1";
    case TH_SECURE_CHANNEL_PASE_PAKE2: return "PASE Pake2";
    case TH_SECURE_CHANNEL_PASE_PAKE3: return "PASE Pake3";
    case TH_SECURE_CHANNEL_CASE_SIGMA1: return "CASE Sigma1";
    case TH_SECURE_CHANNEL_CASE_SIGMA2: return "CASE Sigma2";
    case TH_SECURE_CHANNEL_CASE_SIGMA3: return "CASE Sigma3";
    case TH_SECURE_CHANNEL_CASE_SIGMA2_RESUME: return "CASE Sigma2_Resume";
    case TH_SECURE_CHANNEL_STATUS_REPORT: return "StatusReport";
    case TH_SECURE_CHANNEL_ICD_CHECK_IN: return "ICD Check-In";
    default: return NULL;
    }
}

static const char *
interaction_model_opcode_name (guint8 opcode)
{
  switch (opcode)
    {
    case TH_IM_STATUS_RESPONSE: return "StatusResponse";
    case TH_IM_READ_REQUEST: return "ReadRequest";
    case TH_IM_SUBSCRIBE_REQUEST: return "SubscribeRequest";
    case TH_IM_SUBSCRIBE_RESPONSE: return "SubscribeResponse";
    case TH_IM_REPORT_DATA: return "ReportData";
    case TH_IM_WRITE_REQUEST: return "WriteRequest";
    case TH_IM_WRITE_RESPONSE: return "WriteResponse";
    case TH_IM_INVOKE_REQUEST: return "InvokeRequest";
    case TH_IM_INVOKE_RESPONSE: return "InvokeResponse";
    case TH_IM_TIMED_REQUEST: return "TimedRequest";
    default: return NULL;
    }
}

char *
th_message_describe_type (guint16 protocol_id,
                          guint8  opcode)
{
  const char *protocol = NULL;
  const char *name = NULL;

  switch (protocol_id)
    {
    case TH_PROTOCOL_SECURE_CHANNEL:
      protocol = "Secure Channel";
      name = secure_channel_opcode_name (opcode);
      break;
    case TH_PROTOCOL_INTERACTION_MODEL:
      protocol = "Interaction Model";
      name = interaction_model_opcode_name (opcode);
      break;
    case TH_PROTOCOL_BDX:
      protocol = "BDX";
      break;
    case TH_PROTOCOL_USER_DIRECTED_COMMISSIONING:
      protocol = "User Directed Commissioning";
      break;
    default:
      break;
    }

  if (protocol != NULL && name != NULL)
    return g_strdup_printf ("%s %s", protocol, name);
  if (protocol != NULL)
    return g_strdup_printf ("%s opcode 0x%02x", protocol, opcode);
  return g_strdup_printf ("protocol 0x%04x opcode 0x%02x", protocol_id, opcode);
}
