/* fuzz-crl.c: parses arbitrary bytes as a certificate revocation list (DER or PEM), as the
 * revocation sync does with what a revocation point's address gives, and reads what the sync
 * reads from one that parses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <openssl/x509.h>

#include "credentials/th-attestation-x509.h"
#include "th-error.h"

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  X509_CRL *crl = th_crl_from_data (data, size, &error);
  const STACK_OF (X509_REVOKED) *revoked;
  unsigned char *der = NULL;

  if (crl == NULL)
    {
      g_assert_error (error, TH_ERROR, TH_ERROR_REVOCATION_SET);
      return 0;
    }
  g_assert_no_error (error);

  /* what the revocation sync reads from a list */
  if (i2d_X509_NAME (X509_CRL_get_issuer (crl), &der) > 0)
    OPENSSL_free (der);
  der = NULL;
  g_free (th_asn1_time_to_string (X509_CRL_get0_lastUpdate (crl)));
  g_free (th_asn1_time_to_string (X509_CRL_get0_nextUpdate (crl)));
  revoked = X509_CRL_get_REVOKED (crl);
  for (int i = 0; revoked != NULL && i < sk_X509_REVOKED_num (revoked); i++)
    {
      const ASN1_INTEGER *serial = X509_REVOKED_get0_serialNumber (
        sk_X509_REVOKED_value (revoked, i));

      g_assert_cmpint (ASN1_STRING_length (serial), >=, 0);
    }
  if (i2d_X509_CRL (crl, &der) > 0)
    OPENSSL_free (der);
  X509_CRL_free (crl);
  return 0;
}
