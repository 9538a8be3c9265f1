/* th-crypto.c: hashing, MACs, key derivation, AES-CCM and P-256 keys over OpenSSL 3
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <limits.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "th-crypto-private.h"
#include "th-error.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_MD_CTX, EVP_MD_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_CIPHER_CTX, EVP_CIPHER_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_KDF, EVP_KDF_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_KDF_CTX, EVP_KDF_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY_CTX, EVP_PKEY_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OSSL_PARAM_BLD, OSSL_PARAM_BLD_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OSSL_PARAM, OSSL_PARAM_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OSSL_ENCODER_CTX, OSSL_ENCODER_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ECDSA_SIG, ECDSA_SIG_free)

gboolean
th_crypto_set_error (GError     **error,
                     int          code,
                     const char  *message)
{
  unsigned long last = ERR_peek_last_error ();
  const char *reason = last != 0 ? ERR_reason_error_string (last) : NULL;

  if (reason != NULL)
    g_set_error (error, TH_ERROR, code, "%s (OpenSSL: %s)", message, reason);
  else
    g_set_error_literal (error, TH_ERROR, code, message);
  ERR_clear_error ();
  return FALSE;
}

/* OpenSSL takes int lengths in several places. */
static gboolean
check_int_length (gsize    len,
                  GError **error)
{
  if (len <= INT_MAX)
    return TRUE;
  g_set_error (error, TH_ERROR, TH_ERROR_CRYPTO,
               _("The input is too long for OpenSSL (%" G_GSIZE_FORMAT " bytes)"), len);
  return FALSE;
}

gboolean
th_random_bytes (guint8  *out,
                 gsize    len,
                 GError **error)
{
  if (!check_int_length (len, error))
    return FALSE;
  if (RAND_bytes (out, (int) len) != 1)
    return th_crypto_set_error (error, TH_ERROR_CRYPTO,
                                _("The system random number generator failed"));
  return TRUE;
}

gboolean
th_constant_time_equal (const void *a,
                        const void *b,
                        gsize       len)
{
  return CRYPTO_memcmp (a, b, len) == 0;
}

void
th_secure_wipe (void  *data,
                gsize  len)
{
  if (data != NULL && len > 0)
    OPENSSL_cleanse (data, len);
}

/* SHA-256 */

gboolean
th_sha256 (const guint8 *data,
           gsize         len,
           guint8        out[TH_SHA256_LEN],
           GError      **error)
{
  if (EVP_Digest (data, len, out, NULL, EVP_sha256 (), NULL) != 1)
    return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not compute SHA-256"));
  return TRUE;
}

struct _ThSha256
{
  EVP_MD_CTX *ctx;
  /* A failure in update is reported by get_digest, so that callers feeding a transcript in
   * many pieces check once. */
  gboolean failed;
};

ThSha256 *
th_sha256_new (void)
{
  ThSha256 *self = g_new0 (ThSha256, 1);

  self->ctx = EVP_MD_CTX_new ();
  if (self->ctx == NULL || EVP_DigestInit_ex2 (self->ctx, EVP_sha256 (), NULL) != 1)
    self->failed = TRUE;
  return self;
}

void
th_sha256_free (ThSha256 *self)
{
  if (self == NULL)
    return;
  EVP_MD_CTX_free (self->ctx);
  g_free (self);
}

void
th_sha256_update (ThSha256     *self,
                  const guint8 *data,
                  gsize         len)
{
  g_return_if_fail (self != NULL);

  if (!self->failed && len > 0 && EVP_DigestUpdate (self->ctx, data, len) != 1)
    self->failed = TRUE;
}

gboolean
th_sha256_get_digest (ThSha256 *self,
                      guint8    out[TH_SHA256_LEN],
                      GError  **error)
{
  g_autoptr(EVP_MD_CTX) copy = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->failed)
    return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not compute SHA-256"));

  copy = EVP_MD_CTX_new ();
  if (copy == NULL
      || EVP_MD_CTX_copy_ex (copy, self->ctx) != 1
      || EVP_DigestFinal_ex (copy, out, NULL) != 1)
    return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not compute SHA-256"));
  return TRUE;
}

/* HMAC, HKDF, PBKDF2 */

gboolean
th_hmac_sha256 (const guint8 *key,
                gsize         key_len,
                const guint8 *data,
                gsize         data_len,
                guint8        out[TH_SHA256_LEN],
                GError      **error)
{
  static const guint8 empty[1] = { 0 };
  size_t out_len = 0;

  /* OpenSSL reads a NULL key as "no key set", not as the empty key. */
  if (EVP_Q_mac (NULL, "HMAC", NULL, "SHA256", NULL,
                 key_len > 0 ? key : empty, key_len,
                 data_len > 0 ? data : empty, data_len,
                 out, TH_SHA256_LEN, &out_len) == NULL
      || out_len != TH_SHA256_LEN)
    {
      th_secure_wipe (out, TH_SHA256_LEN);
      return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not compute HMAC-SHA256"));
    }
  return TRUE;
}

static gboolean
derive_kdf (const char   *name,
            OSSL_PARAM   *params,
            guint8       *out,
            gsize         out_len,
            const char   *failure,
            GError      **error)
{
  g_autoptr(EVP_KDF) kdf = EVP_KDF_fetch (NULL, name, NULL);
  g_autoptr(EVP_KDF_CTX) ctx = NULL;

  if (kdf == NULL || (ctx = EVP_KDF_CTX_new (kdf)) == NULL
      || EVP_KDF_derive (ctx, out, out_len, params) != 1)
    {
      th_secure_wipe (out, out_len);
      return th_crypto_set_error (error, TH_ERROR_CRYPTO, failure);
    }
  return TRUE;
}

gboolean
th_hkdf_sha256 (const guint8 *salt,
                gsize         salt_len,
                const guint8 *ikm,
                gsize         ikm_len,
                const guint8 *info,
                gsize         info_len,
                guint8       *out,
                gsize         out_len,
                GError      **error)
{
  static const guint8 empty[1] = { 0 };
  OSSL_PARAM params[5];
  gsize n = 0;

  params[n++] = OSSL_PARAM_construct_utf8_string (OSSL_KDF_PARAM_DIGEST, (char *) "SHA256", 0);
  params[n++] = OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_KEY,
                                                   (void *) (ikm_len > 0 ? ikm : empty),
                                                   ikm_len);
  /* Without a salt parameter OpenSSL uses HashLen zero bytes, which is what RFC 5869 means
   * by an absent salt. */
  if (salt_len > 0)
    params[n++] = OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_SALT, (void *) salt,
                                                     salt_len);
  if (info_len > 0)
    params[n++] = OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_INFO, (void *) info,
                                                     info_len);
  params[n] = OSSL_PARAM_construct_end ();

  return derive_kdf ("HKDF", params, out, out_len, _("Could not derive a key with HKDF-SHA256"),
                     error);
}

gboolean
th_pbkdf2_sha256 (const guint8 *password,
                  gsize         password_len,
                  const guint8 *salt,
                  gsize         salt_len,
                  guint32       iterations,
                  guint8       *out,
                  gsize         out_len,
                  GError      **error)
{
  static const guint8 empty[1] = { 0 };
  guint64 iter = iterations;
  /* 1 disables the SP 800-132 lower bounds, which Matter's 4-byte passcode would fail. */
  int pkcs5 = 1;
  OSSL_PARAM params[6];

  if (iterations == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CRYPTO,
                           _("PBKDF2 needs at least one iteration"));
      return FALSE;
    }

  params[0] = OSSL_PARAM_construct_utf8_string (OSSL_KDF_PARAM_DIGEST, (char *) "SHA256", 0);
  params[1] = OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_PASSWORD,
                                                 (void *) (password_len > 0 ? password : empty),
                                                 password_len);
  params[2] = OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_SALT,
                                                 (void *) (salt_len > 0 ? salt : empty),
                                                 salt_len);
  params[3] = OSSL_PARAM_construct_uint64 (OSSL_KDF_PARAM_ITER, &iter);
  params[4] = OSSL_PARAM_construct_int (OSSL_KDF_PARAM_PKCS5, &pkcs5);
  params[5] = OSSL_PARAM_construct_end ();

  return derive_kdf ("PBKDF2", params, out, out_len,
                     _("Could not derive a key with PBKDF2-HMAC-SHA256"), error);
}

/* AES-128-CCM */

static EVP_CIPHER_CTX *
ccm_context_new (gboolean      encrypt,
                 const guint8  key[TH_AES_CCM_KEY_LEN],
                 const guint8  nonce[TH_AES_CCM_NONCE_LEN],
                 const guint8 *tag,
                 gsize         len,
                 const guint8 *aad,
                 gsize         aad_len,
                 GError      **error)
{
  g_autoptr(EVP_CIPHER_CTX) ctx = EVP_CIPHER_CTX_new ();
  int out_len = 0;

  if (!check_int_length (len, error) || !check_int_length (aad_len, error))
    return NULL;

  /* CCM wants the nonce and tag lengths, then the key and nonce, then the message length,
   * then the additional data, in that order. */
  if (ctx == NULL
      || EVP_CipherInit_ex2 (ctx, EVP_aes_128_ccm (), NULL, NULL, encrypt, NULL) != 1
      || EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_AEAD_SET_IVLEN, TH_AES_CCM_NONCE_LEN, NULL) != 1
      || EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_AEAD_SET_TAG, TH_AES_CCM_TAG_LEN,
                              (void *) tag) != 1
      || EVP_CipherInit_ex2 (ctx, NULL, key, nonce, encrypt, NULL) != 1
      || EVP_CipherUpdate (ctx, NULL, &out_len, NULL, (int) len) != 1
      || (aad_len > 0 && EVP_CipherUpdate (ctx, NULL, &out_len, aad, (int) aad_len) != 1))
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not set up AES-CCM"));
      return NULL;
    }
  return g_steal_pointer (&ctx);
}

gboolean
th_aes_ccm_encrypt (const guint8  key[TH_AES_CCM_KEY_LEN],
                    const guint8  nonce[TH_AES_CCM_NONCE_LEN],
                    const guint8 *aad,
                    gsize         aad_len,
                    const guint8 *plaintext,
                    gsize         len,
                    guint8       *ciphertext,
                    guint8        tag[TH_AES_CCM_TAG_LEN],
                    GError      **error)
{
  g_autoptr(EVP_CIPHER_CTX) ctx = NULL;
  /* With NULL buffers OpenSSL would take the call for the length announcement, so an empty
   * message still passes real pointers. */
  guint8 none[1] = { 0 };
  int out_len = 0;

  ctx = ccm_context_new (TRUE, key, nonce, NULL, len, aad, aad_len, error);
  if (ctx == NULL)
    return FALSE;

  if (EVP_EncryptUpdate (ctx, len > 0 ? ciphertext : none, &out_len,
                         len > 0 ? plaintext : none, (int) len) != 1
      || EVP_EncryptFinal_ex (ctx, none, &out_len) != 1
      || EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_AEAD_GET_TAG, TH_AES_CCM_TAG_LEN, tag) != 1)
    {
      th_secure_wipe (ciphertext, len);
      return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("AES-CCM encryption failed"));
    }
  return TRUE;
}

gboolean
th_aes_ccm_decrypt (const guint8  key[TH_AES_CCM_KEY_LEN],
                    const guint8  nonce[TH_AES_CCM_NONCE_LEN],
                    const guint8 *aad,
                    gsize         aad_len,
                    const guint8 *ciphertext,
                    gsize         len,
                    const guint8  tag[TH_AES_CCM_TAG_LEN],
                    guint8       *plaintext,
                    GError      **error)
{
  g_autoptr(EVP_CIPHER_CTX) ctx = NULL;
  guint8 none[1] = { 0 };
  int out_len = 0;

  ctx = ccm_context_new (FALSE, key, nonce, tag, len, aad, aad_len, error);
  if (ctx == NULL)
    {
      th_secure_wipe (plaintext, len);
      return FALSE;
    }

  /* In CCM the whole message goes through one update, which checks the tag and fails
   * when it does not match. */
  if (EVP_DecryptUpdate (ctx, len > 0 ? plaintext : none, &out_len,
                         len > 0 ? ciphertext : none, (int) len) != 1)
    {
      th_secure_wipe (plaintext, len);
      ERR_clear_error ();
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CRYPTO_AUTH,
                           _("The message integrity check failed: the message was altered "
                             "or encrypted with another key"));
      return FALSE;
    }
  return TRUE;
}

gboolean
th_aes_ctr_crypt (const guint8  key[TH_AES_CCM_KEY_LEN],
                  const guint8  nonce[TH_AES_CCM_NONCE_LEN],
                  const guint8 *in,
                  gsize         len,
                  guint8       *out,
                  GError      **error)
{
  g_autoptr(EVP_CIPHER_CTX) ctx = NULL;
  guint8 counter[16] = { 0x01 };
  int out_len = 0;

  /* The 16-bit counter starts at 1, so 65535 blocks fit before it would wrap. */
  if (len > 65535 * 16)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CRYPTO,
                   _("The AES-CTR input is too long (%" G_GSIZE_FORMAT " bytes)"), len);
      return FALSE;
    }
  if (len == 0)
    return TRUE;

  memcpy (counter + 1, nonce, TH_AES_CCM_NONCE_LEN);
  counter[15] = 1;

  ctx = EVP_CIPHER_CTX_new ();
  if (ctx == NULL
      || EVP_EncryptInit_ex2 (ctx, EVP_aes_128_ctr (), key, counter, NULL) != 1
      || EVP_EncryptUpdate (ctx, out, &out_len, in, (int) len) != 1
      || EVP_EncryptFinal_ex (ctx, out + out_len, &out_len) != 1)
    {
      th_secure_wipe (out, len);
      return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("AES-CTR failed"));
    }
  return TRUE;
}

/* P-256 */

EC_GROUP *
th_p256_group_new (GError **error)
{
  EC_GROUP *group = EC_GROUP_new_by_curve_name (NID_X9_62_prime256v1);

  if (group == NULL)
    th_crypto_set_error (error, TH_ERROR_CRYPTO, _("The P-256 curve is not available"));
  return group;
}

EC_POINT *
th_p256_point_decode (const EC_GROUP  *group,
                      const guint8     in[TH_P256_PUBLIC_KEY_LEN],
                      BN_CTX          *bn_ctx,
                      GError         **error)
{
  g_autoptr(EC_POINT) point = NULL;

  if (in[0] != POINT_CONVERSION_UNCOMPRESSED)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY,
                   _("The public key is not an uncompressed P-256 point "
                     "(byte 0 is 0x%02x, not 0x04)"), in[0]);
      return NULL;
    }

  point = EC_POINT_new (group);
  if (point == NULL)
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not allocate a P-256 point"));
      return NULL;
    }
  /* oct2point already refuses coordinates off the curve; checking again costs little and
   * does not depend on that. */
  if (EC_POINT_oct2point (group, point, in, TH_P256_PUBLIC_KEY_LEN, bn_ctx) != 1
      || EC_POINT_is_on_curve (group, point, bn_ctx) != 1
      || EC_POINT_is_at_infinity (group, point))
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO_INVALID_KEY,
                           _("The public key is not a point on the P-256 curve"));
      return NULL;
    }
  return g_steal_pointer (&point);
}

gboolean
th_p256_point_encode (const EC_GROUP  *group,
                      const EC_POINT  *point,
                      guint8           out[TH_P256_PUBLIC_KEY_LEN],
                      BN_CTX          *bn_ctx,
                      GError         **error)
{
  if (EC_POINT_is_at_infinity (group, point))
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY,
                           _("A P-256 computation gave the point at infinity"));
      return FALSE;
    }
  if (EC_POINT_point2oct (group, point, POINT_CONVERSION_UNCOMPRESSED, out,
                          TH_P256_PUBLIC_KEY_LEN, bn_ctx) != TH_P256_PUBLIC_KEY_LEN)
    return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not encode a P-256 point"));
  return TRUE;
}

BIGNUM *
th_p256_scalar_decode (const EC_GROUP  *group,
                       const guint8     in[TH_P256_PRIVATE_KEY_LEN],
                       GError         **error)
{
  g_autoptr(BIGNUM) scalar = BN_bin2bn (in, TH_P256_PRIVATE_KEY_LEN, NULL);

  if (scalar == NULL)
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not allocate a number"));
      return NULL;
    }
  BN_set_flags (scalar, BN_FLG_CONSTTIME);
  if (BN_is_zero (scalar) || BN_cmp (scalar, EC_GROUP_get0_order (group)) >= 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY,
                           _("The private key is not a valid P-256 scalar"));
      return NULL;
    }
  return g_steal_pointer (&scalar);
}

struct _ThP256Key
{
  EVP_PKEY *pkey;
  gboolean has_private;
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];
};

/* Builds an EVP_PKEY from the parts; `scalar` may be NULL for a public key. */
static EVP_PKEY *
pkey_from_parts (const BIGNUM  *scalar,
                 const guint8   public_key[TH_P256_PUBLIC_KEY_LEN],
                 GError       **error)
{
  g_autoptr(OSSL_PARAM_BLD) bld = OSSL_PARAM_BLD_new ();
  g_autoptr(OSSL_PARAM) params = NULL;
  g_autoptr(EVP_PKEY_CTX) ctx = EVP_PKEY_CTX_new_from_name (NULL, "EC", NULL);
  EVP_PKEY *pkey = NULL;
  int selection = scalar != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;

  if (bld == NULL || ctx == NULL
      || OSSL_PARAM_BLD_push_utf8_string (bld, OSSL_PKEY_PARAM_GROUP_NAME, SN_X9_62_prime256v1,
                                          0) != 1
      || OSSL_PARAM_BLD_push_octet_string (bld, OSSL_PKEY_PARAM_PUB_KEY, public_key,
                                           TH_P256_PUBLIC_KEY_LEN) != 1
      || (scalar != NULL && OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_PRIV_KEY, scalar) != 1)
      || (params = OSSL_PARAM_BLD_to_param (bld)) == NULL
      || EVP_PKEY_fromdata_init (ctx) != 1
      || EVP_PKEY_fromdata (ctx, &pkey, selection, params) != 1)
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO_INVALID_KEY, _("Could not load a P-256 key"));
      return NULL;
    }
  return pkey;
}

static ThP256Key *
key_new_take (EVP_PKEY     *pkey,
              gboolean      has_private,
              const guint8  public_key[TH_P256_PUBLIC_KEY_LEN])
{
  ThP256Key *self = g_atomic_rc_box_new0 (ThP256Key);

  self->pkey = pkey;
  self->has_private = has_private;
  memcpy (self->public_key, public_key, TH_P256_PUBLIC_KEY_LEN);
  return self;
}

ThP256Key *
th_p256_key_generate (GError **error)
{
  g_autoptr(EVP_PKEY) pkey = EVP_PKEY_Q_keygen (NULL, NULL, "EC", SN_X9_62_prime256v1);

  if (pkey == NULL)
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not generate a P-256 key"));
      return NULL;
    }
  return th_p256_key_new_from_evp_pkey (pkey, error);
}

ThP256Key *
th_p256_key_new_from_private (const guint8   private_key[TH_P256_PRIVATE_KEY_LEN],
                              GError       **error)
{
  g_autoptr(EC_GROUP) group = th_p256_group_new (error);
  g_autoptr(BN_CTX) bn_ctx = NULL;
  g_autoptr(BIGNUM) scalar = NULL;
  g_autoptr(EC_POINT) point = NULL;
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];
  EVP_PKEY *pkey;

  if (group == NULL)
    return NULL;
  scalar = th_p256_scalar_decode (group, private_key, error);
  if (scalar == NULL)
    return NULL;

  /* OpenSSL 3.0 does not derive the public half when importing a private scalar. */
  bn_ctx = BN_CTX_new ();
  point = EC_POINT_new (group);
  if (bn_ctx == NULL || point == NULL
      || EC_POINT_mul (group, point, scalar, NULL, NULL, bn_ctx) != 1)
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not compute a P-256 public key"));
      return NULL;
    }
  if (!th_p256_point_encode (group, point, public_key, bn_ctx, error))
    return NULL;

  pkey = pkey_from_parts (scalar, public_key, error);
  if (pkey == NULL)
    return NULL;
  return key_new_take (pkey, TRUE, public_key);
}

ThP256Key *
th_p256_key_new_from_public (const guint8   public_key[TH_P256_PUBLIC_KEY_LEN],
                             GError       **error)
{
  g_autoptr(EC_GROUP) group = th_p256_group_new (error);
  g_autoptr(EC_POINT) point = NULL;
  EVP_PKEY *pkey;

  if (group == NULL)
    return NULL;
  point = th_p256_point_decode (group, public_key, NULL, error);
  if (point == NULL)
    return NULL;

  pkey = pkey_from_parts (NULL, public_key, error);
  if (pkey == NULL)
    return NULL;
  return key_new_take (pkey, FALSE, public_key);
}

ThP256Key *
th_p256_key_new_from_evp_pkey (EVP_PKEY  *pkey,
                               GError   **error)
{
  g_autoptr(EVP_PKEY) owned = NULL;
  g_autoptr(EC_GROUP) group = NULL;
  g_autoptr(EC_POINT) point = NULL;
  g_autoptr(BIGNUM) scalar = NULL;
  char curve[64] = "";
  guint8 encoded[2 * TH_P256_PUBLIC_KEY_LEN];
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];
  size_t encoded_len = 0;
  int nid;

  g_return_val_if_fail (pkey != NULL, NULL);

  if (!EVP_PKEY_is_a (pkey, "EC")
      || EVP_PKEY_get_utf8_string_param (pkey, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve,
                                         NULL) != 1)
    {
      ERR_clear_error ();
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY,
                           _("The key is not an elliptic-curve key on a named curve"));
      return NULL;
    }
  nid = OBJ_sn2nid (curve);
  if (nid == NID_undef)
    nid = EC_curve_nist2nid (curve);
  if (nid != NID_X9_62_prime256v1)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY,
                   _("The key is on the curve %s; Matter uses P-256"), curve);
      return NULL;
    }

  /* The key may hold its point compressed; keep the uncompressed form. */
  group = th_p256_group_new (error);
  if (group == NULL)
    return NULL;
  point = EC_POINT_new (group);
  if (point == NULL
      || EVP_PKEY_get_octet_string_param (pkey, OSSL_PKEY_PARAM_PUB_KEY, encoded,
                                          sizeof encoded, &encoded_len) != 1
      || EC_POINT_oct2point (group, point, encoded, encoded_len, NULL) != 1)
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO_INVALID_KEY,
                           _("The key has no valid P-256 public point"));
      return NULL;
    }
  if (!th_p256_point_encode (group, point, public_key, NULL, error))
    return NULL;

  EVP_PKEY_up_ref (pkey);
  owned = pkey;
  if (EVP_PKEY_get_bn_param (pkey, OSSL_PKEY_PARAM_PRIV_KEY, &scalar) != 1)
    ERR_clear_error ();
  return key_new_take (g_steal_pointer (&owned), scalar != NULL, public_key);
}

ThP256Key *
th_p256_key_new_from_pkcs8 (const guint8  *der,
                            gsize          len,
                            GError       **error)
{
  g_autoptr(PKCS8_PRIV_KEY_INFO) info = NULL;
  g_autoptr(EVP_PKEY) pkey = NULL;
  g_autoptr(EVP_PKEY_CTX) check = NULL;
  const unsigned char *p = der;
  ThP256Key *self;

  if (!check_int_length (len, error))
    return NULL;
  /* OpenSSL's generic decoder also takes other key formats for PKCS#8; this parser does
   * not. */
  if (len == 0
      || (info = d2i_PKCS8_PRIV_KEY_INFO (NULL, &p, (long) len)) == NULL
      || (pkey = EVP_PKCS82PKEY (info)) == NULL)
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO_INVALID_KEY,
                           _("The stored private key is not a PKCS#8 P-256 key"));
      return NULL;
    }
  if ((gsize) (p - der) != len)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY,
                   _("The stored private key has %" G_GSIZE_FORMAT " unexpected bytes "
                     "after its end at byte offset %" G_GSIZE_FORMAT),
                   len - (gsize) (p - der), (gsize) (p - der));
      return NULL;
    }

  /* A stored public half that does not belong to the scalar would make signatures that
   * nobody can verify. */
  check = EVP_PKEY_CTX_new_from_pkey (NULL, pkey, NULL);
  if (check == NULL || EVP_PKEY_pairwise_check (check) != 1)
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO_INVALID_KEY,
                           _("The stored private key does not match its public key"));
      return NULL;
    }

  self = th_p256_key_new_from_evp_pkey (pkey, error);
  if (self != NULL && !self->has_private)
    {
      th_p256_key_unref (self);
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY,
                           _("The stored private key holds no private scalar"));
      return NULL;
    }
  return self;
}

ThP256Key *
th_p256_key_ref (ThP256Key *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

static void
key_clear (gpointer data)
{
  ThP256Key *self = data;

  /* EVP_PKEY_free clears the scalar. */
  EVP_PKEY_free (self->pkey);
}

void
th_p256_key_unref (ThP256Key *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, key_clear);
}

gboolean
th_p256_key_has_private (ThP256Key *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->has_private;
}

EVP_PKEY *
th_p256_key_get_evp_pkey (ThP256Key *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->pkey;
}

void
th_p256_key_get_public (ThP256Key *self,
                        guint8     out[TH_P256_PUBLIC_KEY_LEN])
{
  g_return_if_fail (self != NULL);

  memcpy (out, self->public_key, TH_P256_PUBLIC_KEY_LEN);
}

static gboolean
check_private (ThP256Key  *self,
               GError    **error)
{
  if (self->has_private)
    return TRUE;
  g_set_error_literal (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY,
                       _("The operation needs a private key, but only the public key is known"));
  return FALSE;
}

gboolean
th_p256_key_export_private (ThP256Key *self,
                            guint8     out[TH_P256_PRIVATE_KEY_LEN],
                            GError   **error)
{
  g_autoptr(BIGNUM) scalar = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (!check_private (self, error))
    return FALSE;
  if (EVP_PKEY_get_bn_param (self->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &scalar) != 1
      || BN_bn2binpad (scalar, out, TH_P256_PRIVATE_KEY_LEN) != TH_P256_PRIVATE_KEY_LEN)
    {
      th_secure_wipe (out, TH_P256_PRIVATE_KEY_LEN);
      return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not export a private key"));
    }
  return TRUE;
}

typedef struct
{
  gsize len;
  guint8 data[];
} WipedBuffer;

static void
wiped_buffer_free (gpointer data)
{
  WipedBuffer *buffer = data;

  th_secure_wipe (buffer->data, buffer->len);
  g_free (buffer);
}

GBytes *
th_p256_key_export_pkcs8 (ThP256Key *self,
                          GError   **error)
{
  g_autoptr(OSSL_ENCODER_CTX) ectx = NULL;
  unsigned char *der = NULL;
  size_t der_len = 0;
  WipedBuffer *buffer;

  g_return_val_if_fail (self != NULL, NULL);

  if (!check_private (self, error))
    return NULL;

  ectx = OSSL_ENCODER_CTX_new_for_pkey (self->pkey, EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo",
                                        NULL);
  if (ectx == NULL || OSSL_ENCODER_to_data (ectx, &der, &der_len) != 1)
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not encode a private key"));
      return NULL;
    }

  buffer = g_malloc (sizeof (WipedBuffer) + der_len);
  buffer->len = der_len;
  memcpy (buffer->data, der, der_len);
  OPENSSL_clear_free (der, der_len);
  return g_bytes_new_with_free_func (buffer->data, buffer->len, wiped_buffer_free, buffer);
}

GBytes *
th_p256_signature_to_der (const guint8   raw[TH_P256_SIGNATURE_LEN],
                          GError       **error)
{
  g_autoptr(ECDSA_SIG) sig = ECDSA_SIG_new ();
  BIGNUM *r = BN_bin2bn (raw, TH_P256_SIGNATURE_LEN / 2, NULL);
  BIGNUM *s = BN_bin2bn (raw + TH_P256_SIGNATURE_LEN / 2, TH_P256_SIGNATURE_LEN / 2, NULL);
  unsigned char *der = NULL;
  GBytes *bytes;
  int der_len;

  if (sig == NULL || r == NULL || s == NULL || ECDSA_SIG_set0 (sig, r, s) != 1)
    {
      BN_free (r);
      BN_free (s);
      th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not encode a signature"));
      return NULL;
    }
  der_len = i2d_ECDSA_SIG (sig, &der);
  if (der_len <= 0)
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not encode a signature"));
      return NULL;
    }
  bytes = g_bytes_new (der, (gsize) der_len);
  OPENSSL_free (der);
  return bytes;
}

gboolean
th_p256_signature_from_der (const guint8  *der,
                            gsize          len,
                            guint8         raw[TH_P256_SIGNATURE_LEN],
                            GError       **error)
{
  g_autoptr(ECDSA_SIG) sig = NULL;
  g_autoptr(EC_GROUP) group = NULL;
  const unsigned char *p = der;
  unsigned char *reencoded = NULL;
  const BIGNUM *r;
  const BIGNUM *s;
  const BIGNUM *order;
  int reencoded_len;
  gboolean canonical;

  if (!check_int_length (len, error))
    return FALSE;
  sig = d2i_ECDSA_SIG (NULL, &p, (long) len);
  if (sig == NULL)
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO_INVALID_SIGNATURE,
                           _("The signature is not a DER ECDSA signature"));
      return FALSE;
    }
  if ((gsize) (p - der) != len)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_SIGNATURE,
                   _("The DER signature ends at byte offset %" G_GSIZE_FORMAT
                     " but %" G_GSIZE_FORMAT " bytes were given"),
                   (gsize) (p - der), len);
      return FALSE;
    }

  /* BER allows several encodings of one signature; DER allows exactly one. */
  reencoded_len = i2d_ECDSA_SIG (sig, &reencoded);
  canonical = reencoded_len > 0 && (gsize) reencoded_len == len
              && memcmp (reencoded, der, len) == 0;
  OPENSSL_free (reencoded);
  if (!canonical)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_SIGNATURE,
                           _("The signature is not in canonical DER form"));
      return FALSE;
    }

  group = th_p256_group_new (error);
  if (group == NULL)
    return FALSE;
  order = EC_GROUP_get0_order (group);
  ECDSA_SIG_get0 (sig, &r, &s);
  if (BN_is_zero (r) || BN_is_negative (r) || BN_cmp (r, order) >= 0
      || BN_is_zero (s) || BN_is_negative (s) || BN_cmp (s, order) >= 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_SIGNATURE,
                           _("The signature values are out of range for P-256"));
      return FALSE;
    }

  if (BN_bn2binpad (r, raw, TH_P256_SIGNATURE_LEN / 2) != TH_P256_SIGNATURE_LEN / 2
      || BN_bn2binpad (s, raw + TH_P256_SIGNATURE_LEN / 2, TH_P256_SIGNATURE_LEN / 2)
         != TH_P256_SIGNATURE_LEN / 2)
    return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not decode a signature"));
  return TRUE;
}

gboolean
th_p256_key_sign (ThP256Key    *self,
                  const guint8 *message,
                  gsize         len,
                  guint8        signature[TH_P256_SIGNATURE_LEN],
                  GError      **error)
{
  g_autoptr(EVP_MD_CTX) ctx = NULL;
  /* A DER P-256 signature is at most 72 bytes. */
  guint8 der[80];
  size_t der_len = sizeof der;

  g_return_val_if_fail (self != NULL, FALSE);

  if (!check_private (self, error))
    return FALSE;

  ctx = EVP_MD_CTX_new ();
  if (ctx == NULL
      || EVP_DigestSignInit (ctx, NULL, EVP_sha256 (), NULL, self->pkey) != 1
      || EVP_DigestSign (ctx, der, &der_len, message, len) != 1)
    return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not sign with ECDSA"));

  return th_p256_signature_from_der (der, der_len, signature, error);
}

gboolean
th_p256_key_verify (ThP256Key    *self,
                    const guint8 *message,
                    gsize         len,
                    const guint8  signature[TH_P256_SIGNATURE_LEN],
                    GError      **error)
{
  g_autoptr(EVP_MD_CTX) ctx = NULL;
  g_autoptr(GBytes) der = NULL;
  int result;

  g_return_val_if_fail (self != NULL, FALSE);

  der = th_p256_signature_to_der (signature, error);
  if (der == NULL)
    return FALSE;

  ctx = EVP_MD_CTX_new ();
  if (ctx == NULL || EVP_DigestVerifyInit (ctx, NULL, EVP_sha256 (), NULL, self->pkey) != 1)
    return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not verify with ECDSA"));

  result = EVP_DigestVerify (ctx, g_bytes_get_data (der, NULL), g_bytes_get_size (der),
                             message, len);
  if (result != 1)
    {
      ERR_clear_error ();
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_SIGNATURE,
                           _("The ECDSA signature does not match the data and public key"));
      return FALSE;
    }
  return TRUE;
}

gboolean
th_p256_key_derive_shared_secret (ThP256Key    *self,
                                  const guint8  peer_public_key[TH_P256_PUBLIC_KEY_LEN],
                                  guint8        out[TH_P256_SHARED_SECRET_LEN],
                                  GError      **error)
{
  g_autoptr(ThP256Key) peer = NULL;
  g_autoptr(EVP_PKEY_CTX) ctx = NULL;
  size_t out_len = TH_P256_SHARED_SECRET_LEN;

  g_return_val_if_fail (self != NULL, FALSE);

  if (!check_private (self, error))
    return FALSE;
  peer = th_p256_key_new_from_public (peer_public_key, error);
  if (peer == NULL)
    return FALSE;

  ctx = EVP_PKEY_CTX_new_from_pkey (NULL, self->pkey, NULL);
  if (ctx == NULL
      || EVP_PKEY_derive_init (ctx) != 1
      || EVP_PKEY_derive_set_peer (ctx, peer->pkey) != 1
      || EVP_PKEY_derive (ctx, out, &out_len) != 1
      || out_len != TH_P256_SHARED_SECRET_LEN)
    {
      th_secure_wipe (out, TH_P256_SHARED_SECRET_LEN);
      return th_crypto_set_error (error, TH_ERROR_CRYPTO,
                                  _("Could not compute the ECDH shared secret"));
    }
  return TRUE;
}
