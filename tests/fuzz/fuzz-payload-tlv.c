/* fuzz-payload-tlv.c: the optional TLV section of a QR payload, alone and inside a QR code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "fuzz-setup-payload.h"

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(ThSetupPayload) payload = th_setup_payload_new ();
  g_autoptr(ThSetupPayload) again = th_setup_payload_new ();
  g_autoptr(GByteArray) encoded = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *qr = NULL;
  g_autoptr(GPtrArray) parsed = NULL;

  if (!th_setup_payload_parse_tlv_section (payload, data, size, &error))
    {
      fuzz_check_error (error);
      g_assert_true (error->code == TH_ERROR_PAYLOAD_TLV);
      /* nothing is left half set */
      g_assert_null (payload->serial_number);
      g_assert_null (payload->pbkdf_salt);
      g_assert_null (payload->vendor_elements);
      g_assert_cmpuint (payload->pbkdf_iterations, ==, 0);
      g_assert_cmpuint (payload->number_of_devices, ==, 0);
      g_assert_cmpuint (payload->commissioning_timeout, ==, 0);
      return 0;
    }
  g_assert_no_error (error);

  /* what parsed encodes, and that encoding parses to the same fields */
  g_assert_true (th_setup_payload_encode_tlv_section (payload, encoded, &error));
  g_assert_no_error (error);
  if (encoded->len > 0)
    {
      g_assert_true (th_setup_payload_parse_tlv_section (again, encoded->data, encoded->len,
                                                         &error));
      g_assert_no_error (error);
    }
  g_assert_true (th_setup_payload_tlv_fields_equal (again, payload));

  /* and inside a whole QR code */
  payload->has_vendor_product = TRUE;
  payload->vendor_id = 0xFFF1;
  payload->product_id = 0x8000;
  payload->has_capabilities = TRUE;
  payload->capabilities = TH_DISCOVERY_ON_NETWORK;
  payload->discriminator = 3840;
  payload->passcode = 20202021;
  payload->passcode_validity = th_passcode_check (payload->passcode);
  qr = th_setup_payload_encode_qr (payload, &error);
  g_assert_no_error (error);
  parsed = th_setup_payload_parse_qr (qr, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->len, ==, 1);
  g_assert_true (th_setup_payload_equal (g_ptr_array_index (parsed, 0), payload));
  return 0;
}
