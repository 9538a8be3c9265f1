/* fuzz-secure-channel.c: the decoders of what a device sends during PASE (PBKDFParamResponse,
 * Pake2, StatusReport), and of what the initiator sends, on arbitrary input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "secure-channel/th-pase-messages.h"
#include "secure-channel/th-status-report.h"

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* a critical from the TLV writer means a decoder let through what cannot be encoded */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

typedef gboolean (*DecodeFunc) (gpointer      out,
                                const guint8 *data,
                                gsize         len,
                                GError      **error);
typedef GBytes *(*EncodeFunc) (gconstpointer in);

typedef union
{
  ThPbkdfParamRequest request;
  ThPbkdfParamResponse response;
  ThPake1 pake1;
  ThPake2 pake2;
  ThPake3 pake3;
} AnyMessage;

/* Each codec behind the two signatures above, so that it is called through its own type. */
#define CODEC(name, type) \
  static gboolean \
  decode_##name (gpointer out, const guint8 *data, gsize len, GError **error) \
  { \
    return th_##name##_decode ((type *) out, data, len, error); \
  } \
  static GBytes * \
  encode_##name (gconstpointer in) \
  { \
    return th_##name##_encode ((const type *) in); \
  }

CODEC (pbkdf_param_request, ThPbkdfParamRequest)
CODEC (pbkdf_param_response, ThPbkdfParamResponse)
CODEC (pake1, ThPake1)
CODEC (pake2, ThPake2)
CODEC (pake3, ThPake3)

/* What decodes must encode to something that decodes to the same encoding again; what
 * does not must say why. */
static void
check_message (DecodeFunc    decode,
               EncodeFunc    encode,
               const guint8 *data,
               gsize         size)
{
  GError *error = NULL;
  AnyMessage message;
  AnyMessage again;
  GBytes *first;
  GBytes *second;

  if (!decode (&message, data, size, &error))
    {
      g_assert (error != NULL && error->message[0] != '\0');
      g_error_free (error);
      return;
    }
  g_assert (error == NULL);

  first = encode (&message);
  g_assert (first != NULL);
  g_assert (decode (&again, g_bytes_get_data (first, NULL), g_bytes_get_size (first), NULL));
  second = encode (&again);
  g_assert (g_bytes_equal (first, second));
  g_bytes_unref (first);
  g_bytes_unref (second);
}

static void
check_status_report (const guint8 *data,
                     gsize         size)
{
  ThStatusReport report;
  GError *error = NULL;
  GBytes *encoded;
  char *description;
  guint16 wait;

  if (!th_status_report_decode (&report, data, size, &error))
    {
      g_assert (size < TH_STATUS_REPORT_HEADER_LEN);
      g_error_free (error);
      return;
    }

  /* The codec keeps every byte. */
  encoded = th_status_report_encode (&report);
  g_assert (g_bytes_get_size (encoded) == size);
  g_assert (memcmp (g_bytes_get_data (encoded, NULL), data, size) == 0);
  g_bytes_unref (encoded);

  description = th_status_report_describe (&report);
  g_assert (description != NULL && description[0] != '\0');
  g_free (description);
  th_status_report_set_error (&report, &error);
  g_assert (error != NULL);
  g_error_free (error);
  if (th_status_report_get_busy_wait (&report, &wait))
    g_assert (report.data_len == 2);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  check_message (decode_pbkdf_param_response, encode_pbkdf_param_response, data, size);
  check_message (decode_pake2, encode_pake2, data, size);
  check_message (decode_pbkdf_param_request, encode_pbkdf_param_request, data, size);
  check_message (decode_pake1, encode_pake1, data, size);
  check_message (decode_pake3, encode_pake3, data, size);
  check_status_report (data, size);
  return 0;
}
