/* fuzz-qr.c: QR code text, as a camera or a paste gives it, through the parser and back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "fuzz-setup-payload.h"

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) payloads = th_setup_payload_parse_qr (text, &error);
  g_autoptr(GPtrArray) dispatched = NULL;
  g_autoptr(GBytes) decoded = NULL;

  if (payloads != NULL)
    {
      g_assert_no_error (error);
      fuzz_check_payloads (payloads);
    }
  else
    {
      fuzz_check_error (error);
    }
  g_clear_error (&error);

  /* the general entry point takes the same text */
  dispatched = th_setup_payload_parse (text, &error);
  g_assert_true ((dispatched != NULL) == (error == NULL));
  g_clear_error (&error);

  /* Base-38 text that decodes is the only text for its bytes */
  decoded = th_base38_decode (text, -1, &error);
  if (decoded != NULL)
    {
      g_autofree char *again = th_base38_encode (g_bytes_get_data (decoded, NULL),
                                                 g_bytes_get_size (decoded));

      g_assert_cmpstr (again, ==, text);
    }
  else
    {
      fuzz_check_error (error);
    }
  return 0;
}
