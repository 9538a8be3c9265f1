/* th-btp-codec.c: the packets of BTP, the Bluetooth transport protocol Matter runs over BLE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "th-btp-codec.h"
#include "th-error.h"

/* A handshake packet: the handshake and management flags with beginning and ending. */
#define HANDSHAKE_FLAGS \
  (TH_BTP_FLAG_HANDSHAKE | TH_BTP_FLAG_MANAGEMENT | TH_BTP_FLAG_BEGINNING | \
   TH_BTP_FLAG_ENDING)
#define RESERVED_FLAGS 0x90

gboolean
th_btp_packet_is_handshake (const guint8 *data,
                            gsize         len)
{
  return len > 0 && (data[0] & TH_BTP_FLAG_HANDSHAKE) != 0;
}

/* The two bytes every handshake starts with. */
static gboolean
check_handshake_header (const guint8  *data,
                        gsize          len,
                        gsize          expected_len,
                        const char    *what,
                        GError       **error)
{
  if (len != expected_len)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_BTP_PROTOCOL,
                   _("The BTP %s is %" G_GSIZE_FORMAT " bytes long; it must be %"
                     G_GSIZE_FORMAT),
                   what, len, expected_len);
      return FALSE;
    }
  if (data[0] != HANDSHAKE_FLAGS)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_BTP_PROTOCOL,
                   _("The BTP %s starts with flags 0x%02X at byte 0; a handshake has 0x%02X"),
                   what, data[0], HANDSHAKE_FLAGS);
      return FALSE;
    }
  if (data[1] != TH_BTP_HANDSHAKE_OPCODE)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_BTP_PROTOCOL,
                   _("The BTP %s has management opcode 0x%02X at byte 1; a handshake has "
                     "0x%02X"),
                   what, data[1], TH_BTP_HANDSHAKE_OPCODE);
      return FALSE;
    }
  return TRUE;
}

gboolean
th_btp_handshake_request_parse (const guint8           *data,
                                gsize                   len,
                                ThBtpHandshakeRequest  *request,
                                GError                **error)
{
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (request != NULL, FALSE);

  if (!check_handshake_header (data, len, TH_BTP_HANDSHAKE_REQUEST_SIZE,
                               _("handshake request"), error))
    return FALSE;

  memset (request, 0, sizeof *request);
  /* Eight 4-bit slots, the first in the low half of byte 2. */
  for (guint i = 0; i < TH_BTP_MAX_VERSIONS; i++)
    {
      guint8 byte = data[2 + i / 2];
      guint8 version = i % 2 == 0 ? byte & 0x0F : byte >> 4;

      if (version != 0)
        request->versions[request->n_versions++] = version;
    }
  if (request->n_versions == 0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_BTP_PROTOCOL,
                   _("The BTP handshake request offers no protocol version in bytes 2 to 5"));
      return FALSE;
    }
  request->att_mtu = (guint16) (data[6] | data[7] << 8);
  request->window_size = data[8];
  if (request->window_size == 0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_BTP_PROTOCOL,
                   _("The BTP handshake request offers a receive window of 0 packets at "
                     "byte 8"));
      return FALSE;
    }
  return TRUE;
}

GBytes *
th_btp_handshake_request_encode (const ThBtpHandshakeRequest *request)
{
  guint8 packet[TH_BTP_HANDSHAKE_REQUEST_SIZE] = { HANDSHAKE_FLAGS, TH_BTP_HANDSHAKE_OPCODE };

  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (request->n_versions <= TH_BTP_MAX_VERSIONS, NULL);

  for (guint i = 0; i < request->n_versions; i++)
    {
      g_return_val_if_fail (request->versions[i] >= 1 && request->versions[i] <= 0x0F, NULL);
      packet[2 + i / 2] |= (guint8) (i % 2 == 0 ? request->versions[i]
                                                : request->versions[i] << 4);
    }
  packet[6] = (guint8) (request->att_mtu & 0xFF);
  packet[7] = (guint8) (request->att_mtu >> 8);
  packet[8] = request->window_size;
  return g_bytes_new (packet, sizeof packet);
}

gboolean
th_btp_handshake_request_offers (const ThBtpHandshakeRequest *request,
                                 guint8                       version)
{
  for (guint i = 0; i < request->n_versions; i++)
    {
      if (request->versions[i] == version)
        return TRUE;
    }
  return FALSE;
}

gboolean
th_btp_handshake_response_parse (const guint8            *data,
                                 gsize                    len,
                                 ThBtpHandshakeResponse  *response,
                                 GError                 **error)
{
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (response != NULL, FALSE);

  if (!check_handshake_header (data, len, TH_BTP_HANDSHAKE_RESPONSE_SIZE,
                               _("handshake response"), error))
    return FALSE;

  /* The upper half of the version byte is reserved. */
  response->version = data[2] & 0x0F;
  response->segment_size = (guint16) (data[3] | data[4] << 8);
  response->window_size = data[5];
  return TRUE;
}

GBytes *
th_btp_handshake_response_encode (const ThBtpHandshakeResponse *response)
{
  guint8 packet[TH_BTP_HANDSHAKE_RESPONSE_SIZE] = { HANDSHAKE_FLAGS, TH_BTP_HANDSHAKE_OPCODE };

  g_return_val_if_fail (response != NULL, NULL);
  g_return_val_if_fail (response->version <= 0x0F, NULL);

  packet[2] = response->version;
  packet[3] = (guint8) (response->segment_size & 0xFF);
  packet[4] = (guint8) (response->segment_size >> 8);
  packet[5] = response->window_size;
  return g_bytes_new (packet, sizeof packet);
}

gsize
th_btp_segment_header_size (guint8 flags)
{
  return 2 + ((flags & TH_BTP_FLAG_ACK) != 0 ? 1 : 0) +
         ((flags & TH_BTP_FLAG_BEGINNING) != 0 ? 2 : 0);
}

/* The rules on flags that hold whatever the session's state; NULL when they hold. */
static char *
check_segment_flags (guint8 flags)
{
  if ((flags & (TH_BTP_FLAG_HANDSHAKE | TH_BTP_FLAG_MANAGEMENT)) != 0)
    return g_strdup_printf (_("The BTP packet has flags 0x%02X at byte 0: a handshake or "
                              "management packet where a data segment or acknowledgement "
                              "belongs"),
                            flags);
  if ((flags & RESERVED_FLAGS) != 0)
    return g_strdup_printf (_("The BTP packet has flags 0x%02X at byte 0, with reserved bits "
                              "set"),
                            flags);
  if ((flags & TH_BTP_FLAG_BEGINNING) != 0 && (flags & TH_BTP_FLAG_CONTINUING) != 0)
    return g_strdup_printf (_("The BTP packet has flags 0x%02X at byte 0: both the beginning "
                              "and a continuation of a message"),
                            flags);
  if ((flags & TH_BTP_DATA_FLAGS) == TH_BTP_FLAG_ENDING)
    return g_strdup_printf (_("The BTP packet has flags 0x%02X at byte 0: an ending segment "
                              "must also be marked beginning or continuing"),
                            flags);
  if ((flags & (TH_BTP_DATA_FLAGS | TH_BTP_FLAG_ACK)) == 0)
    return g_strdup_printf (_("The BTP packet has flags 0x%02X at byte 0: it carries neither "
                              "data nor an acknowledgement"),
                            flags);
  return NULL;
}

gboolean
th_btp_segment_parse (const guint8  *data,
                      gsize          len,
                      ThBtpSegment  *segment,
                      GError       **error)
{
  g_autofree char *problem = NULL;
  gsize header_size;
  gsize offset = 1;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (segment != NULL, FALSE);

  if (len == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_BTP_PROTOCOL,
                           _("The BTP packet is empty"));
      return FALSE;
    }
  problem = check_segment_flags (data[0]);
  if (problem != NULL)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_BTP_PROTOCOL, problem);
      return FALSE;
    }
  header_size = th_btp_segment_header_size (data[0]);
  if (len < header_size)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_BTP_PROTOCOL,
                   _("The BTP packet is %" G_GSIZE_FORMAT " bytes long, shorter than the %"
                     G_GSIZE_FORMAT "-byte header its flags 0x%02X announce"),
                   len, header_size, data[0]);
      return FALSE;
    }

  memset (segment, 0, sizeof *segment);
  segment->flags = data[0];
  if ((segment->flags & TH_BTP_FLAG_ACK) != 0)
    segment->ack_number = data[offset++];
  segment->sequence_number = data[offset++];
  if ((segment->flags & TH_BTP_FLAG_BEGINNING) != 0)
    {
      segment->message_length = (guint16) (data[offset] | data[offset + 1] << 8);
      if (segment->message_length == 0)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_BTP_PROTOCOL,
                       _("The BTP segment announces a message of 0 bytes at byte %"
                         G_GSIZE_FORMAT),
                       offset);
          return FALSE;
        }
      offset += 2;
    }
  segment->payload = data + offset;
  segment->payload_len = len - offset;

  if ((segment->flags & TH_BTP_DATA_FLAGS) == 0 && segment->payload_len > 0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_BTP_PROTOCOL,
                   _("The BTP acknowledgement carries %" G_GSIZE_FORMAT " bytes from byte %"
                     G_GSIZE_FORMAT "; it must carry none"),
                   segment->payload_len, offset);
      return FALSE;
    }
  if ((segment->flags & TH_BTP_DATA_FLAGS) != 0 && segment->payload_len == 0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_BTP_PROTOCOL,
                   _("The BTP data segment (flags 0x%02X) ends after its %" G_GSIZE_FORMAT
                     "-byte header without data"),
                   segment->flags, header_size);
      return FALSE;
    }
  if ((segment->flags & TH_BTP_FLAG_BEGINNING) != 0 &&
      segment->payload_len > segment->message_length)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_BTP_PROTOCOL,
                   _("The first BTP segment of a %u-byte message carries %" G_GSIZE_FORMAT
                     " bytes"),
                   segment->message_length, segment->payload_len);
      return FALSE;
    }
  return TRUE;
}

GBytes *
th_btp_segment_encode (const ThBtpSegment *segment)
{
  g_autofree char *problem = NULL;
  gsize header_size;
  guint8 *packet;
  gsize offset = 1;

  g_return_val_if_fail (segment != NULL, NULL);
  problem = check_segment_flags (segment->flags);
  g_return_val_if_fail (problem == NULL, NULL);
  g_return_val_if_fail (((segment->flags & TH_BTP_DATA_FLAGS) != 0) ==
                        (segment->payload_len > 0), NULL);
  g_return_val_if_fail ((segment->flags & TH_BTP_FLAG_BEGINNING) == 0 ||
                        (segment->message_length > 0 &&
                         segment->payload_len <= segment->message_length), NULL);

  header_size = th_btp_segment_header_size (segment->flags);
  packet = g_malloc (header_size + segment->payload_len);
  packet[0] = segment->flags;
  if ((segment->flags & TH_BTP_FLAG_ACK) != 0)
    packet[offset++] = segment->ack_number;
  packet[offset++] = segment->sequence_number;
  if ((segment->flags & TH_BTP_FLAG_BEGINNING) != 0)
    {
      packet[offset++] = (guint8) (segment->message_length & 0xFF);
      packet[offset++] = (guint8) (segment->message_length >> 8);
    }
  if (segment->payload_len > 0)
    memcpy (packet + offset, segment->payload, segment->payload_len);
  return g_bytes_new_take (packet, header_size + segment->payload_len);
}
