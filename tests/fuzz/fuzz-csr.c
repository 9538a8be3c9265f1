/* fuzz-csr.c: the PKCS#10 CSR parser and the NOCSR elements around it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "credentials/th-csr.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* The nonce of the seed corpus's NOCSR elements: 0x00, 0x01, ... 0x1F. */
static guint8 nonce[TH_CSR_NONCE_LEN];

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  ThP256Key *key;

  for (guint i = 0; i < TH_CSR_NONCE_LEN; i++)
    nonce[i] = (guint8) i;

  /* A key comes back only with its signature verified, so it is a public key alone. */
  key = th_csr_parse (data, size, NULL);
  if (key != NULL)
    {
      g_assert (!th_p256_key_has_private (key));
      th_p256_key_unref (key);
    }
  key = th_csr_parse_nocsr_elements (data, size, nonce, NULL);
  if (key != NULL)
    th_p256_key_unref (key);
  return 0;
}
