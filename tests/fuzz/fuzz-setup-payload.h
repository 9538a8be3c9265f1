/* fuzz-setup-payload.h: the round-trip checks the onboarding payload fuzz targets share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>

#include "onboarding/th-setup-payload-private.h"
#include "th-error.h"

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* a critical means the codec handed itself something inconsistent */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

static inline void
fuzz_check_error (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == TH_ERROR);
  g_assert_nonnull (error->message);
}

/* What a manual code keeps of a payload. */
static inline ThSetupPayload *
fuzz_manual_view (const ThSetupPayload *payload)
{
  ThSetupPayload *view = th_setup_payload_new ();
  gboolean long_form = payload->flow != TH_COMMISSIONING_FLOW_STANDARD;

  view->format = TH_PAYLOAD_FORMAT_MANUAL;
  view->short_discriminator = TRUE;
  view->discriminator = th_setup_payload_get_short_discriminator (payload);
  view->passcode = payload->passcode;
  view->passcode_validity = payload->passcode_validity;
  view->has_vendor_product = long_form;
  view->flow = long_form ? TH_COMMISSIONING_FLOW_CUSTOM : TH_COMMISSIONING_FLOW_STANDARD;
  if (long_form)
    {
      view->vendor_id = payload->vendor_id;
      view->product_id = payload->product_id;
    }
  return view;
}

/* A parsed payload is usable exactly when it validates; a usable one encodes, in each form
 * it has what that form needs for, to text that parses back to the same payload. */
static inline void
fuzz_check_payload (const ThSetupPayload *payload)
{
  g_autoptr(GError) error = NULL;
  gboolean valid = th_setup_payload_validate (payload, &error);
  g_autofree char *manual = NULL;
  g_autoptr(ThSetupPayload) manual_back = NULL;
  g_autoptr(ThSetupPayload) expected_manual = NULL;

  g_assert_true (valid == (payload->passcode_validity == TH_PASSCODE_VALID));
  g_assert_true (payload->passcode_validity == th_passcode_check (payload->passcode));
  if (!valid)
    {
      g_autofree char *qr = NULL;

      fuzz_check_error (error);
      g_clear_error (&error);
      qr = th_setup_payload_encode_qr (payload, &error);
      g_assert_null (qr);
      fuzz_check_error (error);
      g_clear_error (&error);
      manual = th_setup_payload_encode_manual (payload, &error);
      g_assert_null (manual);
      fuzz_check_error (error);
      return;
    }

  if (payload->format == TH_PAYLOAD_FORMAT_QR)
    {
      g_autofree char *qr = th_setup_payload_encode_qr (payload, &error);
      g_autoptr(GPtrArray) back = NULL;

      g_assert_no_error (error);
      back = th_setup_payload_parse_qr (qr, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (back->len, ==, 1);
      g_assert_true (th_setup_payload_equal (g_ptr_array_index (back, 0), payload));
    }

  manual = th_setup_payload_encode_manual (payload, &error);
  g_assert_no_error (error);
  manual_back = th_setup_payload_parse_manual (manual, &error);
  g_assert_no_error (error);
  expected_manual = fuzz_manual_view (payload);
  g_assert_true (th_setup_payload_equal (manual_back, expected_manual));
}

static inline void
fuzz_check_payloads (GPtrArray *payloads)
{
  gboolean all_valid = TRUE;

  g_assert_nonnull (payloads);
  g_assert_cmpuint (payloads->len, >, 0);
  for (guint i = 0; i < payloads->len; i++)
    {
      ThSetupPayload *payload = g_ptr_array_index (payloads, i);

      g_assert_true (payload->format == TH_PAYLOAD_FORMAT_QR);
      fuzz_check_payload (payload);
      all_valid = all_valid && payload->passcode_validity == TH_PASSCODE_VALID;
    }

  if (all_valid)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *qr = th_setup_payload_encode_qr_multi (payloads, &error);
      g_autoptr(GPtrArray) back = NULL;

      g_assert_no_error (error);
      back = th_setup_payload_parse_qr (qr, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (back->len, ==, payloads->len);
      for (guint i = 0; i < payloads->len; i++)
        g_assert_true (th_setup_payload_equal (g_ptr_array_index (back, i),
                                               g_ptr_array_index (payloads, i)));
    }
}
