/* fuzz-ndef.c: NFC NDEF messages through the parser, and the payloads found back to a
 * record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "fuzz-setup-payload.h"

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) payloads = th_setup_payload_parse_ndef (data, size, &error);
  ThSetupPayload *payload;
  g_autoptr(GBytes) record = NULL;
  g_autoptr(GPtrArray) back = NULL;

  if (payloads == NULL)
    {
      fuzz_check_error (error);
      return 0;
    }
  g_assert_no_error (error);
  fuzz_check_payloads (payloads);

  payload = g_ptr_array_index (payloads, 0);
  if (payload->passcode_validity != TH_PASSCODE_VALID)
    return 0;
  record = th_setup_payload_encode_ndef (payload, &error);
  g_assert_no_error (error);
  back = th_setup_payload_parse_ndef (g_bytes_get_data (record, NULL),
                                      g_bytes_get_size (record), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 1);
  g_assert_true (th_setup_payload_equal (g_ptr_array_index (back, 0), payload));
  return 0;
}
