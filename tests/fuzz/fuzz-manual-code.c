/* fuzz-manual-code.c: typed manual pairing codes through the parser and back
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
  g_autoptr(ThSetupPayload) payload = th_setup_payload_parse_manual (text, &error);
  g_autoptr(GString) digits = g_string_new (NULL);
  g_autofree char *encoded = NULL;
  g_autofree char *formatted = NULL;
  g_autoptr(ThSetupPayload) again = NULL;

  if (payload == NULL)
    {
      fuzz_check_error (error);
      return 0;
    }
  g_assert_no_error (error);
  g_assert_true (payload->format == TH_PAYLOAD_FORMAT_MANUAL);
  g_assert_true (payload->short_discriminator);
  g_assert_cmpuint (payload->discriminator, <=, 15);
  g_assert_cmpuint (payload->passcode, <, 1u << 27);

  /* what was accepted is digits, spaces and dashes, with white space around */
  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else
        g_assert_true (*p == ' ' || *p == '-' || g_ascii_isspace (*p));
    }
  g_assert_true (digits->len == 11 || digits->len == 21);
  g_assert_true (th_verhoeff_validate (digits->str, -1));

  /* a usable code encodes back to its own digits */
  encoded = th_setup_payload_encode_manual (payload, &error);
  if (payload->passcode_validity != TH_PASSCODE_VALID)
    {
      g_assert_null (encoded);
      fuzz_check_error (error);
      g_clear_error (&error);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_cmpstr (encoded, ==, digits->str);
    }

  formatted = th_manual_code_format (digits->str);
  g_assert_nonnull (formatted);
  again = th_setup_payload_parse_manual (formatted, &error);
  g_assert_no_error (error);
  g_assert_true (th_setup_payload_equal (again, payload));
  return 0;
}
