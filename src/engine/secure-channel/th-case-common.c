/* th-case-common.c: the key schedule and the sealed data that the CASE initiator and
 * responder share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "th-case-private.h"
#include "th-error.h"

static const char sigma2_info[] = "Sigma2";
static const char sigma3_info[] = "Sigma3";
/* 13 bytes each, the length of a CCM nonce: no terminating NUL is used. */
static const char sigma2_nonce[] = "NCASE_Sigma2N";
static const char sigma3_nonce[] = "NCASE_Sigma3N";

G_STATIC_ASSERT (sizeof sigma2_nonce - 1 == TH_AES_CCM_NONCE_LEN);
G_STATIC_ASSERT (sizeof sigma3_nonce - 1 == TH_AES_CCM_NONCE_LEN);

gboolean
th_case_derive_sigma2_key (const guint8   shared_secret[TH_P256_SHARED_SECRET_LEN],
                           const guint8   ipk[TH_IPK_LEN],
                           const guint8   responder_random[TH_CASE_RANDOM_LEN],
                           const guint8   responder_key[TH_P256_PUBLIC_KEY_LEN],
                           const guint8   sigma1_hash[TH_SHA256_LEN],
                           guint8         key[TH_CASE_SIGMA_KEY_LEN],
                           GError       **error)
{
  guint8 salt[TH_IPK_LEN + TH_CASE_RANDOM_LEN + TH_P256_PUBLIC_KEY_LEN + TH_SHA256_LEN];
  gboolean ok;

  memcpy (salt, ipk, TH_IPK_LEN);
  memcpy (salt + TH_IPK_LEN, responder_random, TH_CASE_RANDOM_LEN);
  memcpy (salt + TH_IPK_LEN + TH_CASE_RANDOM_LEN, responder_key, TH_P256_PUBLIC_KEY_LEN);
  memcpy (salt + TH_IPK_LEN + TH_CASE_RANDOM_LEN + TH_P256_PUBLIC_KEY_LEN, sigma1_hash,
          TH_SHA256_LEN);
  ok = th_hkdf_sha256 (salt, sizeof salt, shared_secret, TH_P256_SHARED_SECRET_LEN,
                       (const guint8 *) sigma2_info, strlen (sigma2_info),
                       key, TH_CASE_SIGMA_KEY_LEN, error);
  /* The IPK is in it. */
  th_secure_wipe (salt, sizeof salt);
  return ok;
}

/* IPK || transcript hash, the salt of S3K and of the session keys. */
static void
transcript_salt (const guint8 ipk[TH_IPK_LEN],
                 const guint8 transcript_hash[TH_SHA256_LEN],
                 guint8       salt[TH_IPK_LEN + TH_SHA256_LEN])
{
  memcpy (salt, ipk, TH_IPK_LEN);
  memcpy (salt + TH_IPK_LEN, transcript_hash, TH_SHA256_LEN);
}

gboolean
th_case_derive_sigma3_key (const guint8   shared_secret[TH_P256_SHARED_SECRET_LEN],
                           const guint8   ipk[TH_IPK_LEN],
                           const guint8   transcript_hash[TH_SHA256_LEN],
                           guint8         key[TH_CASE_SIGMA_KEY_LEN],
                           GError       **error)
{
  guint8 salt[TH_IPK_LEN + TH_SHA256_LEN];
  gboolean ok;

  transcript_salt (ipk, transcript_hash, salt);
  ok = th_hkdf_sha256 (salt, sizeof salt, shared_secret, TH_P256_SHARED_SECRET_LEN,
                       (const guint8 *) sigma3_info, strlen (sigma3_info),
                       key, TH_CASE_SIGMA_KEY_LEN, error);
  th_secure_wipe (salt, sizeof salt);
  return ok;
}

gboolean
th_case_derive_session_keys (const guint8   shared_secret[TH_P256_SHARED_SECRET_LEN],
                             const guint8   ipk[TH_IPK_LEN],
                             const guint8   transcript_hash[TH_SHA256_LEN],
                             ThSessionKeys *keys,
                             GError       **error)
{
  guint8 salt[TH_IPK_LEN + TH_SHA256_LEN];
  gboolean ok;

  transcript_salt (ipk, transcript_hash, salt);
  ok = th_session_keys_derive (shared_secret, TH_P256_SHARED_SECRET_LEN, salt, sizeof salt,
                               keys, error);
  th_secure_wipe (salt, sizeof salt);
  return ok;
}

static const guint8 *
nonce_of (ThCaseSigma sigma)
{
  return (const guint8 *) (sigma == TH_CASE_SIGMA2 ? sigma2_nonce : sigma3_nonce);
}

GBytes *
th_case_seal (ThCaseSigma    sigma,
              const guint8   key[TH_CASE_SIGMA_KEY_LEN],
              GBytes        *tbe_data,
              GError       **error)
{
  const guint8 *plaintext;
  guint8 *sealed;
  gsize len;

  g_return_val_if_fail (sigma == TH_CASE_SIGMA2 || sigma == TH_CASE_SIGMA3, NULL);
  g_return_val_if_fail (tbe_data != NULL, NULL);

  plaintext = g_bytes_get_data (tbe_data, &len);
  sealed = g_malloc (len + TH_CASE_MIC_LEN);
  if (!th_aes_ccm_encrypt (key, nonce_of (sigma), NULL, 0, plaintext, len, sealed,
                           sealed + len, error))
    {
      g_free (sealed);
      return NULL;
    }
  return g_bytes_new_take (sealed, len + TH_CASE_MIC_LEN);
}

GBytes *
th_case_open (ThCaseSigma    sigma,
              const guint8   key[TH_CASE_SIGMA_KEY_LEN],
              const guint8  *encrypted,
              gsize          len,
              GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize plaintext_len;
  guint8 *plaintext;

  g_return_val_if_fail (sigma == TH_CASE_SIGMA2 || sigma == TH_CASE_SIGMA3, NULL);
  g_return_val_if_fail (encrypted != NULL && len > TH_CASE_MIC_LEN, NULL);

  plaintext_len = len - TH_CASE_MIC_LEN;
  plaintext = g_malloc (plaintext_len);
  if (!th_aes_ccm_decrypt (key, nonce_of (sigma), NULL, 0, encrypted, plaintext_len,
                           encrypted + plaintext_len, plaintext, &local_error))
    {
      g_free (plaintext);
      if (g_error_matches (local_error, TH_ERROR, TH_ERROR_CRYPTO_AUTH))
        g_set_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL,
                     _("The encrypted part of the Sigma%u message does not decrypt: its MIC "
                       "does not match the keys of this handshake, so the message was altered "
                       "on its way or its sender uses another identity protection key"),
                     (guint) sigma);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return g_bytes_new_take (plaintext, plaintext_len);
}

gboolean
th_case_sign (ThP256Key     *key,
              GBytes        *noc,
              GBytes        *icac,
              const guint8   sender_key[TH_P256_PUBLIC_KEY_LEN],
              const guint8   receiver_key[TH_P256_PUBLIC_KEY_LEN],
              guint8         signature[TH_P256_SIGNATURE_LEN],
              GError       **error)
{
  g_autoptr(GBytes) tbs = NULL;
  const guint8 *icac_data = NULL;
  gsize icac_len = 0;
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (key != NULL && noc != NULL, FALSE);

  if (icac != NULL)
    icac_data = g_bytes_get_data (icac, &icac_len);
  data = g_bytes_get_data (noc, &len);
  tbs = th_case_tbs_data_encode (data, len, icac_data, icac_len, sender_key, receiver_key);
  data = g_bytes_get_data (tbs, &len);
  return th_p256_key_sign (key, data, len, signature, error);
}

gboolean
th_case_verify (const guint8         noc_public_key[TH_P256_PUBLIC_KEY_LEN],
                const ThCaseTbeData *tbe,
                const guint8         sender_key[TH_P256_PUBLIC_KEY_LEN],
                const guint8         receiver_key[TH_P256_PUBLIC_KEY_LEN],
                GError             **error)
{
  g_autoptr(ThP256Key) key = NULL;
  g_autoptr(GBytes) tbs = NULL;
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (noc_public_key != NULL && tbe != NULL, FALSE);

  key = th_p256_key_new_from_public (noc_public_key, error);
  if (key == NULL)
    return FALSE;
  tbs = th_case_tbs_data_encode (tbe->noc, tbe->noc_len, tbe->icac, tbe->icac_len,
                                 sender_key, receiver_key);
  data = g_bytes_get_data (tbs, &len);
  return th_p256_key_verify (key, data, len, tbe->signature, error);
}
