/* fuzz-attestation.c: the attestation module's parsers of untrusted input: the certification
 * declaration's CMS envelope and TLV payload, the attestation elements (through the
 * verifier), certificates' Matter ids and revocation sets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "credentials/th-attestation-x509.h"
#include "credentials/th-attestation.h"
#include "credentials/th-certification-declaration.h"
#include "crypto/th-crypto.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
assert_inside (const guint8 *span,
               gsize         span_len,
               const guint8 *data,
               gsize         size)
{
  g_assert (span >= data && span_len <= size && (gsize) (span - data) <= size - span_len);
}

static void
fuzz_certification_declaration (const guint8 *data,
                                gsize         size)
{
  ThCertificationDeclaration cd;
  ThCdEnvelope envelope;
  GError *error = NULL;

  if (th_cd_envelope_parse (data, size, &envelope, &error))
    {
      g_assert_no_error (error);
      assert_inside (envelope.content, envelope.content_len, data, size);
      assert_inside (envelope.signer_key_id, envelope.signer_key_id_len, data, size);
      assert_inside (envelope.signature, envelope.signature_len, data, size);
      if (th_certification_declaration_decode (envelope.content, envelope.content_len, &cd,
                                               &error))
        g_assert_no_error (error);
      else
        g_clear_error (&error);
    }
  else
    {
      g_assert_nonnull (error);
      g_clear_error (&error);
    }

  /* The payload decoder on its own. */
  if (th_certification_declaration_decode (data, size, &cd, &error))
    {
      g_assert_no_error (error);
      g_assert (cd.n_product_ids >= 1 && cd.n_product_ids <= TH_CD_MAX_PRODUCT_IDS);
      g_assert (cd.n_authorized_paas <= TH_CD_MAX_AUTHORIZED_PAAS);
      g_assert (strlen (cd.certificate_id) == TH_CD_CERTIFICATE_ID_LEN);
      g_assert (cd.certification_type <= TH_CERTIFICATION_TYPE_OFFICIAL);
    }
  else
    {
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
}

/* The input as attestation_elements, with no usable certificates: the verifier must report
 * and never trust. */
static void
fuzz_verifier (const guint8 *data,
               gsize         size)
{
  static const guint8 zeros[64] = { 0 };
  static ThPaaStore *store;
  static ThCdSigners *signers;
  ThAttestationInfo info = { 0 };
  ThAttestationResult *result;

  if (store == NULL)
    {
      store = th_paa_store_new ();
      signers = th_cd_signers_new ();
    }

  info.dac = g_bytes_new_static (zeros, 1);
  info.attestation_elements = g_bytes_new_static (data, size);
  info.attestation_signature = g_bytes_new_static (zeros, TH_P256_SIGNATURE_LEN);
  info.attestation_challenge = g_bytes_new_static (zeros, TH_ATTESTATION_CHALLENGE_LEN);
  info.nonce = g_bytes_new_static (zeros, TH_ATTESTATION_NONCE_LEN);
  info.vendor_id = 0xFFF1;
  info.product_id = 0x8000;
  info.now = 1748736000;

  result = th_attestation_verify (store, signers, NULL, &info);
  g_assert_false (th_attestation_result_is_trusted (result));
  for (guint i = 0; i < th_attestation_result_get_n_findings (result); i++)
    g_assert_nonnull (th_attestation_result_get_finding (result, i)->message);
  th_attestation_result_unref (result);

  g_bytes_unref (info.dac);
  g_bytes_unref (info.attestation_elements);
  g_bytes_unref (info.attestation_signature);
  g_bytes_unref (info.attestation_challenge);
  g_bytes_unref (info.nonce);
}

static void
fuzz_certificates_and_revocations (const guint8 *data,
                                   gsize         size)
{
  GPtrArray *certs = th_x509_list_from_data (data, size, NULL);
  ThRevocationSet *revocations = th_revocation_set_new ();
  char *json = g_strndup ((const char *) data, size);

  for (guint i = 0; certs != NULL && i < certs->len; i++)
    {
      ThMatterIds ids;
      GError *error = NULL;

      if (!th_x509_get_matter_ids (g_ptr_array_index (certs, i), &ids, &error))
        {
          g_assert_nonnull (error);
          g_clear_error (&error);
        }
      th_revocation_set_contains (revocations, g_ptr_array_index (certs, i));
    }
  if (certs != NULL)
    g_ptr_array_unref (certs);

  if (!th_revocation_set_load_json (revocations, json, -1, NULL))
    g_assert_cmpuint (th_revocation_set_get_size (revocations), ==, 0);
  g_free (json);
  th_revocation_set_unref (revocations);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  fuzz_certification_declaration (data, size);
  fuzz_verifier (data, size);
  fuzz_certificates_and_revocations (data, size);
  return 0;
}
