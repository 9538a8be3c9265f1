/* fuzz-attestation-elements.c: the attestation-elements and nocsr-elements decoders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>

#include "clusters/th-attestation-elements.h"
#include "clusters/th-clusters.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
assert_inside (const guint8 *span,
               gsize         span_len,
               const guint8 *data,
               gsize         size)
{
  if (span == NULL)
    return;
  g_assert_true (span >= data && span_len <= size && span - data <= (gssize) (size - span_len));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  ThAttestationElements attestation;
  ThNocsrElements nocsr;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  if (th_attestation_elements_decode (data, size, &attestation, &error))
    {
      g_assert_no_error (error);
      g_assert_true (size <= TH_ATTESTATION_ELEMENTS_MAX_LEN);
      assert_inside (attestation.certification_declaration,
                     attestation.certification_declaration_len, data, size);
      assert_inside (attestation.attestation_nonce, TH_ATTESTATION_NONCE_LEN, data, size);
      assert_inside (attestation.firmware_information, attestation.firmware_information_len,
                     data, size);
    }
  else
    {
      g_assert_nonnull (error);
      g_clear_error (&error);
    }

  if (th_nocsr_elements_decode (data, size, &nocsr, &error))
    {
      g_assert_no_error (error);
      assert_inside (nocsr.csr, nocsr.csr_len, data, size);
      assert_inside (nocsr.csr_nonce, TH_CSR_NONCE_LEN, data, size);
      for (guint i = 0; i < G_N_ELEMENTS (nocsr.vendor_reserved); i++)
        assert_inside (nocsr.vendor_reserved[i], nocsr.vendor_reserved_len[i], data, size);
    }
  else
    {
      g_assert_nonnull (error);
    }
  return 0;
}
