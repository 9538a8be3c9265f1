/* th-payload-decoder.c: decoding the TLV structure of a Secure Channel message payload
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "messaging/th-message.h"
#include "th-error.h"
#include "th-secure-channel-private.h"

gboolean
th_payload_decoder_fail_malformed (const ThPayloadDecoder  *decoder,
                                   GError                  *tlv_error,
                                   GError                 **error)
{
  g_set_error (error, TH_ERROR, decoder->code, _("The %s message is malformed: %s"),
               decoder->message, tlv_error->message);
  g_error_free (tlv_error);
  return FALSE;
}

gboolean
th_payload_decoder_fail_field (const ThPayloadDecoder  *decoder,
                               const char              *field,
                               GError                  *tlv_error,
                               GError                 **error)
{
  g_set_error (error, TH_ERROR, decoder->code,
               _("The %s field of the %s message is malformed: %s"),
               field, decoder->message, tlv_error->message);
  g_error_free (tlv_error);
  return FALSE;
}

gboolean
th_payload_decoder_fail_missing (const ThPayloadDecoder  *decoder,
                                 const char              *field,
                                 GError                 **error)
{
  g_set_error (error, TH_ERROR, decoder->code, _("The %s message lacks its %s field"),
               decoder->message, field);
  return FALSE;
}

static gboolean
decoder_begin (ThPayloadDecoder  *decoder,
               int                code,
               const char        *message,
               const guint8      *data,
               gsize              len,
               GError           **error)
{
  GError *local_error = NULL;
  ThTlvTag tag;

  decoder->code = code;
  decoder->message = message;
  memset (&decoder->seen, 0, sizeof decoder->seen);
  th_tlv_reader_init (&decoder->reader, data, len);

  if (!th_tlv_reader_next (&decoder->reader, &local_error))
    {
      if (local_error != NULL)
        return th_payload_decoder_fail_malformed (decoder, local_error, error);
      g_set_error (error, TH_ERROR, code, _("The %s message is empty"), message);
      return FALSE;
    }
  tag = th_tlv_reader_get_tag (&decoder->reader);
  if (th_tlv_reader_get_type (&decoder->reader) != TH_TLV_TYPE_STRUCTURE ||
      tag.kind != TH_TLV_TAG_ANONYMOUS)
    {
      g_set_error (error, TH_ERROR, code, _("The %s message is not an anonymous TLV structure"),
                   message);
      return FALSE;
    }
  if (!th_tlv_reader_enter (&decoder->reader, &local_error))
    return th_payload_decoder_fail_malformed (decoder, local_error, error);
  return TRUE;
}

gboolean
th_payload_decoder_next (ThPayloadDecoder  *decoder,
                         guint8            *number,
                         GError           **error)
{
  GError *local_error = NULL;
  ThTlvTag tag;

  if (!th_tlv_reader_next (&decoder->reader, &local_error))
    {
      if (local_error != NULL)
        th_payload_decoder_fail_malformed (decoder, local_error, error);
      return FALSE;
    }
  tag = th_tlv_reader_get_tag (&decoder->reader);
  if (tag.kind != TH_TLV_TAG_CONTEXT)
    {
      g_set_error (error, TH_ERROR, decoder->code,
                   _("The member at byte %zu of the %s message has no context tag"),
                   th_tlv_reader_get_offset (&decoder->reader), decoder->message);
      return FALSE;
    }
  *number = (guint8) tag.number;
  return TRUE;
}

/* Records a member of the top-level structure; each may appear once. */
static gboolean
decoder_note (ThPayloadDecoder  *decoder,
              guint8             number,
              GError           **error)
{
  if (!th_context_tag_set_add (&decoder->seen, number))
    {
      g_set_error (error, TH_ERROR, decoder->code,
                   _("Field %u of the %s message appears a second time at byte %zu"),
                   number, decoder->message, th_tlv_reader_get_offset (&decoder->reader));
      return FALSE;
    }
  return TRUE;
}

/* Leaves the top-level structure, after which the input must end. */
static gboolean
decoder_end (ThPayloadDecoder  *decoder,
             GError           **error)
{
  GError *local_error = NULL;

  if (!th_tlv_reader_exit (&decoder->reader, &local_error))
    return th_payload_decoder_fail_malformed (decoder, local_error, error);
  if (th_tlv_reader_next (&decoder->reader, &local_error))
    {
      g_set_error (error, TH_ERROR, decoder->code,
                   _("The %s message goes on after its structure, at byte %zu"),
                   decoder->message, th_tlv_reader_get_offset (&decoder->reader));
      return FALSE;
    }
  if (local_error != NULL)
    return th_payload_decoder_fail_malformed (decoder, local_error, error);
  return TRUE;
}

gboolean
th_payload_decode (int                    code,
                   const char            *message,
                   const guint8          *data,
                   gsize                  len,
                   const ThPayloadField  *required,
                   gsize                  n_required,
                   ThPayloadMemberFunc    read_member,
                   gpointer               result,
                   GError               **error)
{
  GError *local_error = NULL;
  ThPayloadDecoder decoder;
  guint8 number;

  if (!decoder_begin (&decoder, code, message, data, len, error))
    return FALSE;
  while (th_payload_decoder_next (&decoder, &number, &local_error))
    {
      if (!decoder_note (&decoder, number, error) ||
          !read_member (&decoder, number, result, error))
        return FALSE;
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  for (gsize i = 0; i < n_required; i++)
    {
      if (!th_context_tag_set_contains (&decoder.seen, required[i].number))
        return th_payload_decoder_fail_missing (&decoder, required[i].name, error);
    }
  return decoder_end (&decoder, error);
}

gboolean
th_payload_decoder_get_bytes (ThPayloadDecoder  *decoder,
                              const char        *field,
                              gsize              min_len,
                              gsize              max_len,
                              const guint8     **bytes,
                              gsize             *len,
                              GError           **error)
{
  GError *local_error = NULL;

  if (!th_tlv_reader_get_bytes (&decoder->reader, bytes, len, &local_error))
    return th_payload_decoder_fail_field (decoder, field, local_error, error);
  if (*len < min_len || *len > max_len)
    {
      if (min_len == max_len)
        g_set_error (error, TH_ERROR, decoder->code,
                     _("The %s field at byte %zu of the %s message is %zu bytes long; it must "
                       "be %zu"),
                     field, th_tlv_reader_get_offset (&decoder->reader), decoder->message,
                     *len, min_len);
      else
        g_set_error (error, TH_ERROR, decoder->code,
                     _("The %s field at byte %zu of the %s message is %zu bytes long; it must "
                       "be %zu to %zu"),
                     field, th_tlv_reader_get_offset (&decoder->reader), decoder->message,
                     *len, min_len, max_len);
      return FALSE;
    }
  return TRUE;
}

gboolean
th_payload_decoder_get_fixed_bytes (ThPayloadDecoder  *decoder,
                                    const char        *field,
                                    guint8            *out,
                                    gsize              len,
                                    GError           **error)
{
  const guint8 *bytes;
  gsize bytes_len;

  if (!th_payload_decoder_get_bytes (decoder, field, len, len, &bytes, &bytes_len, error))
    return FALSE;
  memcpy (out, bytes, len);
  return TRUE;
}

gboolean
th_payload_decoder_get_uint16 (ThPayloadDecoder  *decoder,
                               const char        *field,
                               guint16           *value,
                               GError           **error)
{
  GError *local_error = NULL;

  if (!th_tlv_reader_get_uint16 (&decoder->reader, value, &local_error))
    return th_payload_decoder_fail_field (decoder, field, local_error, error);
  return TRUE;
}

gboolean
th_payload_decoder_get_bool (ThPayloadDecoder  *decoder,
                             const char        *field,
                             gboolean          *value,
                             GError           **error)
{
  GError *local_error = NULL;

  if (!th_tlv_reader_get_bool (&decoder->reader, value, &local_error))
    return th_payload_decoder_fail_field (decoder, field, local_error, error);
  return TRUE;
}

gboolean
th_payload_decoder_get_session_parameters (ThPayloadDecoder     *decoder,
                                           const char           *field,
                                           ThSessionParameters  *parameters,
                                           GError              **error)
{
  GError *local_error = NULL;

  if (!th_session_parameters_read (parameters, &decoder->reader, &local_error))
    return th_payload_decoder_fail_field (decoder, field, local_error, error);
  return TRUE;
}

void
th_secure_channel_set_unexpected_error (int          code,
                                        guint8       opcode,
                                        const char  *expected,
                                        GError     **error)
{
  g_autofree char *what = th_message_describe_type (TH_PROTOCOL_SECURE_CHANNEL, opcode);

  g_set_error (error, TH_ERROR, code, _("The peer sent a %s message where a %s message was due"),
               what, expected);
}
