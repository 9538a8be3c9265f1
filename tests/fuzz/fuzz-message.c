/* fuzz-message.c: the message and protocol header decoders on arbitrary datagrams, checked
 * by re-encoding what they read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "messaging/th-message.h"
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

/* What decoding read must encode to the very bytes it came from. */
static void
check_round_trip (const guint8           *data,
                  gsize                   size,
                  const ThMessageHeader  *header,
                  gsize                   header_len,
                  const ThProtocolHeader *protocol,
                  gsize                   protocol_len)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  ThMessageHeader copy = *header;
  guint8 flags_without_reserved = data[0] & ~0x08;

  if (!th_message_header_encode (&copy, out, &error))
    g_error ("a decoded message header does not encode: %s", error->message);
  g_assert_cmpuint (out->len, ==, header_len);
  g_assert_cmpuint (out->data[0], ==, flags_without_reserved);
  g_assert_cmpmem (out->data + 1, header_len - 1, data + 1, header_len - 1);

  if (protocol == NULL)
    return;
  g_byte_array_set_size (out, 0);
  if (!th_protocol_header_encode (protocol, out, &error))
    g_error ("a decoded protocol header does not encode: %s", error->message);
  g_assert_cmpmem (out->data, out->len, data + header_len, protocol_len);
  g_assert_cmpuint (header_len + protocol_len, <=, size);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const guint8 key[TH_MESSAGE_MIC_LEN] = { 0x5e, 0xde, 0xd2, 0x44 };
  g_autoptr(GBytes) datagram = g_bytes_new (data, size);
  g_autoptr(ThMessage) message = NULL;
  g_autoptr(ThMessage) secured = NULL;
  g_autoptr(GError) error = NULL;
  ThMessageHeader header;
  ThProtocolHeader protocol;
  gsize header_len = 0;
  gsize protocol_len = 0;

  if (!th_message_header_decode (&header, data, size, &header_len, &error))
    {
      g_assert_true (error->domain == TH_ERROR && error->code == TH_ERROR_MESSAGE_INVALID);
      return 0;
    }
  g_assert_cmpuint (header_len, <=, size);
  g_assert_cmpuint (th_message_header_get_size (&header), ==, header_len);

  if (th_protocol_header_decode (&protocol, data + header_len, size - header_len,
                                 &protocol_len, NULL))
    {
      g_assert_cmpuint (th_protocol_header_get_size (&protocol), ==, protocol_len);
      check_round_trip (data, size, &header, header_len, &protocol, protocol_len);
    }
  else
    {
      check_round_trip (data, size, &header, header_len, NULL, 0);
    }

  /* The whole-message decoder, in the clear and as a secured message whose integrity
   * check can only fail. */
  message = th_message_decode (datagram, NULL, 0, &error);
  g_assert_true ((message != NULL) == (error == NULL));
  if (message != NULL)
    g_assert_cmpuint (g_bytes_get_size (message->payload), ==,
                      size - header_len - protocol_len);
  g_clear_error (&error);
  secured = th_message_decode (datagram, key, header.source_node_id, &error);
  g_assert_null (secured);
  g_assert_true (error->domain == TH_ERROR &&
                 (error->code == TH_ERROR_MESSAGE_INVALID ||
                  error->code == TH_ERROR_CRYPTO_AUTH));
  return 0;
}
