/* th-crypto.h: hashing, MACs, key derivation, AES-CCM and P-256 keys over OpenSSL 3
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <openssl/evp.h>

G_BEGIN_DECLS

#define TH_SHA256_LEN              32
#define TH_AES_CCM_KEY_LEN         16
#define TH_AES_CCM_NONCE_LEN       13
#define TH_AES_CCM_TAG_LEN         16
#define TH_P256_PUBLIC_KEY_LEN     65  /* SEC1 uncompressed: 0x04 || x || y */
#define TH_P256_PRIVATE_KEY_LEN    32  /* the scalar, big-endian, left-padded */
#define TH_P256_SIGNATURE_LEN      64  /* raw r || s, each 32 bytes big-endian */
#define TH_P256_SHARED_SECRET_LEN  32  /* the x coordinate of the ECDH product */

/* Every function that can fail returns FALSE (or NULL) with a TH_ERROR_CRYPTO* error whose
 * message never contains key material. After a failure an output buffer holds nothing
 * meaningful; one that was being filled with secret or decrypted data is zeroed. */

gboolean th_random_bytes        (guint8       *out,
                                 gsize         len,
                                 GError      **error);

/* CRYPTO_memcmp: the time taken depends on len only. */
gboolean th_constant_time_equal (const void   *a,
                                 const void   *b,
                                 gsize         len);
/* Zeroes memory in a way the compiler cannot elide. NULL with len 0 is fine. */
void     th_secure_wipe         (void         *data,
                                 gsize         len);

gboolean th_sha256              (const guint8 *data,
                                 gsize         len,
                                 guint8        out[TH_SHA256_LEN],
                                 GError      **error);

/* Incremental SHA-256 for transcripts. get_digest returns the hash of everything fed so
 * far and leaves the context usable, so a transcript can be hashed at several points. */
typedef struct _ThSha256 ThSha256;

ThSha256 *th_sha256_new        (void);
void      th_sha256_free       (ThSha256     *self);
void      th_sha256_update     (ThSha256     *self,
                                const guint8 *data,
                                gsize         len);
gboolean  th_sha256_get_digest (ThSha256     *self,
                                guint8        out[TH_SHA256_LEN],
                                GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThSha256, th_sha256_free)

gboolean th_hmac_sha256   (const guint8 *key,
                           gsize         key_len,
                           const guint8 *data,
                           gsize         data_len,
                           guint8        out[TH_SHA256_LEN],
                           GError      **error);

/* RFC 5869. An empty salt (NULL, 0) means HashLen zero bytes, as the RFC says. */
gboolean th_hkdf_sha256   (const guint8 *salt,
                           gsize         salt_len,
                           const guint8 *ikm,
                           gsize         ikm_len,
                           const guint8 *info,
                           gsize         info_len,
                           guint8       *out,
                           gsize         out_len,
                           GError      **error);

/* PBKDF2-HMAC-SHA256 (RFC 8018). No lower bounds are imposed on the inputs: Matter's
 * password is a 4-byte passcode. */
gboolean th_pbkdf2_sha256 (const guint8 *password,
                           gsize         password_len,
                           const guint8 *salt,
                           gsize         salt_len,
                           guint32       iterations,
                           guint8       *out,
                           gsize         out_len,
                           GError      **error);

/* AES-128-CCM with a 13-byte nonce and a 16-byte tag. The output may be the very same
 * buffer as the input (in place) but must not otherwise overlap it. On a wrong tag,
 * decrypt fails with TH_ERROR_CRYPTO_AUTH and leaves `plaintext` zeroed: no unauthenticated
 * byte is ever released. */
gboolean th_aes_ccm_encrypt (const guint8  key[TH_AES_CCM_KEY_LEN],
                             const guint8  nonce[TH_AES_CCM_NONCE_LEN],
                             const guint8 *aad,
                             gsize         aad_len,
                             const guint8 *plaintext,
                             gsize         len,
                             guint8       *ciphertext,
                             guint8        tag[TH_AES_CCM_TAG_LEN],
                             GError      **error);
gboolean th_aes_ccm_decrypt (const guint8  key[TH_AES_CCM_KEY_LEN],
                             const guint8  nonce[TH_AES_CCM_NONCE_LEN],
                             const guint8 *aad,
                             gsize         aad_len,
                             const guint8 *ciphertext,
                             gsize         len,
                             const guint8  tag[TH_AES_CCM_TAG_LEN],
                             guint8       *plaintext,
                             GError      **error);

/* AES-128-CTR as CCM runs it with a 13-byte nonce: counter blocks 0x01 || nonce || i (16-bit
 * big-endian) for i = 1, 2, ... Matter's message privacy obfuscates headers with it. The same
 * call encrypts and decrypts; in place is fine. At most 65535 blocks. */
gboolean th_aes_ctr_crypt   (const guint8  key[TH_AES_CCM_KEY_LEN],
                             const guint8  nonce[TH_AES_CCM_NONCE_LEN],
                             const guint8 *in,
                             gsize         len,
                             guint8       *out,
                             GError      **error);

/* A P-256 key pair, or a public key alone. Reference counted; immutable once made. */
typedef struct _ThP256Key ThP256Key;

ThP256Key *th_p256_key_generate         (GError       **error);
/* The scalar must be in [1, n-1]. */
ThP256Key *th_p256_key_new_from_private (const guint8   private_key[TH_P256_PRIVATE_KEY_LEN],
                                         GError       **error);
/* The point must be uncompressed, on the curve and not the identity. */
ThP256Key *th_p256_key_new_from_public  (const guint8   public_key[TH_P256_PUBLIC_KEY_LEN],
                                         GError       **error);
/* Unencrypted PKCS#8 PrivateKeyInfo DER holding a P-256 key; trailing bytes are refused. */
ThP256Key *th_p256_key_new_from_pkcs8   (const guint8  *der,
                                         gsize          len,
                                         GError       **error);
/* Takes its own reference; fails unless `pkey` is a P-256 EC key. */
ThP256Key *th_p256_key_new_from_evp_pkey (EVP_PKEY     *pkey,
                                          GError      **error);

ThP256Key *th_p256_key_ref              (ThP256Key     *self);
void       th_p256_key_unref            (ThP256Key     *self);

gboolean   th_p256_key_has_private      (ThP256Key     *self);
/* Borrowed; for X.509 and CSR code that needs OpenSSL's own object. */
EVP_PKEY  *th_p256_key_get_evp_pkey     (ThP256Key     *self);
void       th_p256_key_get_public       (ThP256Key     *self,
                                         guint8         out[TH_P256_PUBLIC_KEY_LEN]);
gboolean   th_p256_key_export_private   (ThP256Key     *self,
                                         guint8         out[TH_P256_PRIVATE_KEY_LEN],
                                         GError       **error);
/* The bytes are wiped when the GBytes is freed. */
GBytes    *th_p256_key_export_pkcs8     (ThP256Key     *self,
                                         GError       **error);

/* ECDSA with SHA-256 over `message`, signatures as raw r || s. */
gboolean   th_p256_key_sign             (ThP256Key     *self,
                                         const guint8  *message,
                                         gsize          len,
                                         guint8         signature[TH_P256_SIGNATURE_LEN],
                                         GError       **error);
/* FALSE with TH_ERROR_CRYPTO_INVALID_SIGNATURE when the signature does not match. */
gboolean   th_p256_key_verify           (ThP256Key     *self,
                                         const guint8  *message,
                                         gsize          len,
                                         const guint8   signature[TH_P256_SIGNATURE_LEN],
                                         GError       **error);

/* ECDH: the x coordinate of private * peer. The peer point is validated. */
gboolean   th_p256_key_derive_shared_secret (ThP256Key    *self,
                                             const guint8  peer_public_key[TH_P256_PUBLIC_KEY_LEN],
                                             guint8        out[TH_P256_SHARED_SECRET_LEN],
                                             GError      **error);

/* Raw r || s <-> DER Ecdsa-Sig-Value (as X.509 carries it). from_der accepts strict DER
 * only, with r and s in [1, n-1]. */
GBytes    *th_p256_signature_to_der     (const guint8   raw[TH_P256_SIGNATURE_LEN],
                                         GError       **error);
gboolean   th_p256_signature_from_der   (const guint8  *der,
                                         gsize          len,
                                         guint8         raw[TH_P256_SIGNATURE_LEN],
                                         GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThP256Key, th_p256_key_unref)

G_END_DECLS
