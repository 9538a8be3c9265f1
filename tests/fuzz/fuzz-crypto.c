/* fuzz-crypto.c: the crypto module's parsers of untrusted input: DER ECDSA signatures (from
 * certificates), PKCS#8 keys (from disk), P-256 points and SPAKE2+ shares (from the network)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "crypto/th-crypto.h"
#include "crypto/th-spake2p.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* Any valid scalars do; these keep every run alike. */
static const guint8 w0[TH_SPAKE2P_W_LEN] = {
  0xe6, 0x88, 0x7c, 0xf9, 0xbd, 0xfb, 0x75, 0x79, 0xc6, 0x9b, 0xf4, 0x79, 0x28, 0xa8, 0x45, 0x14,
  0xb5, 0xe3, 0x55, 0xac, 0x03, 0x48, 0x63, 0xf7, 0xff, 0xaf, 0x43, 0x90, 0xe6, 0x7d, 0x79, 0x8c,
};
static const guint8 w1[TH_SPAKE2P_W_LEN] = {
  0x24, 0xb5, 0xae, 0x4a, 0xbd, 0xa8, 0x68, 0xec, 0x93, 0x36, 0xff, 0xc3, 0xb7, 0x8e, 0xe3, 0x1c,
  0x57, 0x55, 0xbe, 0xf1, 0x75, 0x92, 0x27, 0xef, 0x53, 0x72, 0xca, 0x13, 0x9b, 0x94, 0xe5, 0x12,
};

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  guint8 raw[TH_P256_SIGNATURE_LEN];
  ThP256Key *key;

  if (th_p256_signature_from_der (data, size, raw, NULL))
    {
      GBytes *der = th_p256_signature_to_der (raw, NULL);

      /* Only canonical DER is accepted, so it must come back byte for byte. */
      g_assert (der != NULL);
      g_assert (g_bytes_get_size (der) == size);
      g_assert (memcmp (g_bytes_get_data (der, NULL), data, size) == 0);
      g_bytes_unref (der);
    }

  key = th_p256_key_new_from_pkcs8 (data, size, NULL);
  if (key != NULL)
    {
      g_assert (th_p256_key_has_private (key));
      th_p256_key_unref (key);
    }

  if (size >= TH_P256_PUBLIC_KEY_LEN)
    {
      ThSpake2p *spake;
      guint8 share[TH_SPAKE2P_POINT_LEN];

      key = th_p256_key_new_from_public (data, NULL);
      if (key != NULL)
        th_p256_key_unref (key);

      spake = th_spake2p_new_prover (NULL, 0, NULL, 0, NULL, 0, w0, w1, NULL);
      g_assert (spake != NULL);
      g_assert (th_spake2p_set_ephemeral_scalar (spake, w1, NULL));
      g_assert (th_spake2p_compute_share (spake, share, NULL));
      th_spake2p_process_peer_share (spake, data, NULL);
      th_spake2p_free (spake);
    }

  return 0;
}
