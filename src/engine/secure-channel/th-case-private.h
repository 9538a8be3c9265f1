/* th-case-private.h: the key schedule and the sealed data that the CASE initiator and
 * responder share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "credentials/th-fabric.h"
#include "crypto/th-crypto.h"
#include "messaging/th-session.h"
#include "th-case-messages.h"

G_BEGIN_DECLS

#define TH_CASE_SIGMA_KEY_LEN TH_AES_CCM_KEY_LEN

/* Which Sigma message carries a TBEData: it picks the key's info, the nonce and the names. */
typedef enum
{
  TH_CASE_SIGMA2 = 2,
  TH_CASE_SIGMA3 = 3,
} ThCaseSigma;

/* S2K = HKDF-SHA256 (shared secret, IPK || responderRandom || responderEphPubKey ||
 * SHA-256 (Sigma1), "Sigma2"). */
gboolean th_case_derive_sigma2_key   (const guint8   shared_secret[TH_P256_SHARED_SECRET_LEN],
                                      const guint8   ipk[TH_IPK_LEN],
                                      const guint8   responder_random[TH_CASE_RANDOM_LEN],
                                      const guint8   responder_key[TH_P256_PUBLIC_KEY_LEN],
                                      const guint8   sigma1_hash[TH_SHA256_LEN],
                                      guint8         key[TH_CASE_SIGMA_KEY_LEN],
                                      GError       **error);
/* S3K = HKDF-SHA256 (shared secret, IPK || SHA-256 (Sigma1 || Sigma2), "Sigma3"). */
gboolean th_case_derive_sigma3_key   (const guint8   shared_secret[TH_P256_SHARED_SECRET_LEN],
                                      const guint8   ipk[TH_IPK_LEN],
                                      const guint8   transcript_hash[TH_SHA256_LEN],
                                      guint8         key[TH_CASE_SIGMA_KEY_LEN],
                                      GError       **error);
/* I2RKey || R2IKey || AttestationChallenge = HKDF-SHA256 (shared secret,
 * IPK || SHA-256 (Sigma1 || Sigma2 || Sigma3), "SessionKeys"). */
gboolean th_case_derive_session_keys (const guint8   shared_secret[TH_P256_SHARED_SECRET_LEN],
                                      const guint8   ipk[TH_IPK_LEN],
                                      const guint8   transcript_hash[TH_SHA256_LEN],
                                      ThSessionKeys *keys,
                                      GError       **error);

/* AES-128-CCM with the nonce of that Sigma message ("NCASE_Sigma2N" or "NCASE_Sigma3N") and
 * no associated data: TBEData in, ciphertext || MIC out. */
GBytes  *th_case_seal                (ThCaseSigma    sigma,
                                      const guint8   key[TH_CASE_SIGMA_KEY_LEN],
                                      GBytes        *tbe_data,
                                      GError       **error);
/* The reverse; a wrong MIC fails with TH_ERROR_CASE_PROTOCOL naming the message. */
GBytes  *th_case_open                (ThCaseSigma    sigma,
                                      const guint8   key[TH_CASE_SIGMA_KEY_LEN],
                                      const guint8  *encrypted,
                                      gsize          len,
                                      GError       **error);

/* The sender's signature over TBSData {NOC, ICAC, sender's and receiver's ephemeral keys}. */
gboolean th_case_sign                (ThP256Key     *key,
                                      GBytes        *noc,
                                      GBytes        *icac,
                                      const guint8   sender_key[TH_P256_PUBLIC_KEY_LEN],
                                      const guint8   receiver_key[TH_P256_PUBLIC_KEY_LEN],
                                      guint8         signature[TH_P256_SIGNATURE_LEN],
                                      GError       **error);
/* Checks the signature of a decrypted TBEData with the sender's NOC key:
 * TH_ERROR_CRYPTO_INVALID_SIGNATURE when it does not match. */
gboolean th_case_verify              (const guint8   noc_public_key[TH_P256_PUBLIC_KEY_LEN],
                                      const ThCaseTbeData *tbe,
                                      const guint8   sender_key[TH_P256_PUBLIC_KEY_LEN],
                                      const guint8   receiver_key[TH_P256_PUBLIC_KEY_LEN],
                                      GError       **error);

G_END_DECLS
