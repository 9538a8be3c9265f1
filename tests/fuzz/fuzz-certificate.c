/* fuzz-certificate.c: the Matter certificate decoders (TLV and X.509 DER) and the conversions
 * between them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "credentials/th-certificate.h"
#include "crypto/th-crypto.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static gboolean
bytes_equal (GBytes       *bytes,
             const guint8 *data,
             gsize         size)
{
  return g_bytes_get_size (bytes) == size
         && memcmp (g_bytes_get_data (bytes, NULL), data, size) == 0;
}

/* Whatever decodes from TLV encodes back to TLV that decodes the same, and converts to X.509
 * that comes back to the same TLV (unless the signature values are out of range, which only
 * the X.509 decoder looks at). */
static void
check_tlv (const guint8 *data,
           gsize         size)
{
  ThCertificate *cert = th_certificate_decode_tlv (data, size, NULL);
  ThCertificate *again;
  ThCertificate *from_x509;
  GBytes *tlv;
  GBytes *tlv_again;
  GBytes *x509;

  if (cert == NULL)
    return;
  tlv = th_certificate_encode_tlv (cert, NULL);
  g_assert (tlv != NULL);
  again = th_certificate_decode_tlv (g_bytes_get_data (tlv, NULL), g_bytes_get_size (tlv), NULL);
  g_assert (again != NULL);
  tlv_again = th_certificate_encode_tlv (again, NULL);
  g_assert (tlv_again != NULL && g_bytes_equal (tlv, tlv_again));

  x509 = th_certificate_encode_x509 (cert, NULL);
  g_assert (x509 != NULL);
  from_x509 = th_certificate_decode_x509 (g_bytes_get_data (x509, NULL),
                                          g_bytes_get_size (x509), NULL);
  if (from_x509 != NULL)
    {
      GBytes *tlv_from_x509 = th_certificate_encode_tlv (from_x509, NULL);

      g_assert (tlv_from_x509 != NULL && g_bytes_equal (tlv, tlv_from_x509));
      g_bytes_unref (tlv_from_x509);
      th_certificate_free (from_x509);
    }
  else
    {
      GBytes *signature = th_p256_signature_to_der (cert->signature, NULL);
      guint8 raw[TH_P256_SIGNATURE_LEN];

      g_assert (signature != NULL);
      g_assert (!th_p256_signature_from_der (g_bytes_get_data (signature, NULL),
                                             g_bytes_get_size (signature), raw, NULL));
      g_bytes_unref (signature);
    }
  g_bytes_unref (x509);
  g_bytes_unref (tlv_again);
  g_bytes_unref (tlv);
  th_certificate_free (again);
  th_certificate_free (cert);
}

/* Whatever decodes from X.509 encodes back to exactly the input, and to TLV (when short
 * enough) that converts back to exactly the input too. */
static void
check_x509 (const guint8 *data,
            gsize         size)
{
  ThCertificate *cert = th_certificate_decode_x509 (data, size, NULL);
  GBytes *x509;
  GBytes *tlv;

  if (cert == NULL)
    return;
  x509 = th_certificate_encode_x509 (cert, NULL);
  g_assert (x509 != NULL && bytes_equal (x509, data, size));
  tlv = th_certificate_encode_tlv (cert, NULL);
  if (tlv != NULL)
    {
      GBytes *back = th_certificate_tlv_to_x509 (g_bytes_get_data (tlv, NULL),
                                                 g_bytes_get_size (tlv), NULL);

      g_assert (back != NULL && bytes_equal (back, data, size));
      g_bytes_unref (back);
      g_bytes_unref (tlv);
    }
  g_bytes_unref (x509);
  th_certificate_free (cert);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  check_tlv (data, size);
  check_x509 (data, size);
  return 0;
}
