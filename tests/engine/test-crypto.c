/* test-crypto.c: the OpenSSL wrappers and SPAKE2+
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include "crypto/th-crypto.h"
#include "crypto/th-spake2p.h"
#include "th-error.h"
#include "th-test-utils.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EC_GROUP, EC_GROUP_free)

/* Hex from a JSON member into a buffer of exactly `len` bytes. */
static void
member_to_buffer (JsonObject *object,
                  const char *member,
                  guint8     *out,
                  gsize       len)
{
  g_autoptr(GBytes) bytes = th_test_hex_to_bytes (json_object_get_string_member (object, member));

  g_assert_cmpuint (g_bytes_get_size (bytes), ==, len);
  memcpy (out, g_bytes_get_data (bytes, NULL), len);
}

static GBytes *
member_to_bytes (JsonObject *object,
                 const char *member)
{
  return th_test_hex_to_bytes (json_object_get_string_member (object, member));
}

static GBytes *
concat_bytes (GBytes *a,
              GBytes *b)
{
  GByteArray *array = g_byte_array_new ();

  g_byte_array_append (array, g_bytes_get_data (a, NULL), g_bytes_get_size (a));
  g_byte_array_append (array, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  return g_byte_array_free_to_bytes (array);
}

#define ASSERT_GBYTES_EQUAL(bytes, data, len) \
  th_assert_bytes_equal (g_bytes_get_data ((bytes), NULL), g_bytes_get_size ((bytes)), \
                         (data), (len))

/* Primitives */

static void
test_random (void)
{
  g_autoptr(GError) error = NULL;
  guint8 a[32] = { 0 };
  guint8 b[32] = { 0 };
  guint8 zero[32] = { 0 };

  g_assert_true (th_random_bytes (a, sizeof a, &error));
  g_assert_no_error (error);
  g_assert_true (th_random_bytes (b, sizeof b, &error));
  g_assert_no_error (error);
  /* Equal or zero 256-bit outputs would mean a broken generator, not bad luck. */
  g_assert_false (th_constant_time_equal (a, b, sizeof a));
  g_assert_false (th_constant_time_equal (a, zero, sizeof a));
}

static void
test_constant_time_equal_and_wipe (void)
{
  guint8 a[5] = { 1, 2, 3, 4, 5 };
  guint8 b[5] = { 1, 2, 3, 4, 5 };
  guint8 zero[5] = { 0 };

  g_assert_true (th_constant_time_equal (a, b, sizeof a));
  b[4] ^= 0x80;
  g_assert_false (th_constant_time_equal (a, b, sizeof a));
  g_assert_true (th_constant_time_equal (a, b, 0));

  th_secure_wipe (a, sizeof a);
  g_assert_cmpmem (a, sizeof a, zero, sizeof zero);
  th_secure_wipe (NULL, 0);
}

static void
test_sha256 (void)
{
  /* FIPS 180-2, appendix B.1 and B.2. */
  static const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  g_autoptr(GBytes) abc_digest =
    th_test_hex_to_bytes ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_autoptr(GBytes) two_digest =
    th_test_hex_to_bytes ("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  g_autoptr(GError) error = NULL;
  g_autoptr(ThSha256) hash = th_sha256_new ();
  guint8 out[TH_SHA256_LEN];

  g_assert_true (th_sha256 ((const guint8 *) "abc", 3, out, &error));
  g_assert_no_error (error);
  ASSERT_GBYTES_EQUAL (abc_digest, out, sizeof out);

  /* Incremental, read once in the middle and once at the end. */
  th_sha256_update (hash, (const guint8 *) "ab", 2);
  th_sha256_update (hash, NULL, 0);
  th_sha256_update (hash, (const guint8 *) "c", 1);
  g_assert_true (th_sha256_get_digest (hash, out, &error));
  g_assert_no_error (error);
  ASSERT_GBYTES_EQUAL (abc_digest, out, sizeof out);

  g_clear_pointer (&hash, th_sha256_free);
  hash = th_sha256_new ();
  for (gsize i = 0; i < strlen (two_blocks); i += 7)
    th_sha256_update (hash, (const guint8 *) two_blocks + i, MIN (7, strlen (two_blocks) - i));
  g_assert_true (th_sha256_get_digest (hash, out, &error));
  g_assert_no_error (error);
  ASSERT_GBYTES_EQUAL (two_digest, out, sizeof out);
}

static void
test_hmac_rfc4231_case2 (void)
{
  /* RFC 4231 section 4.3: key "Jefe", data "what do ya want for nothing?". */
  static const char *data = "what do ya want for nothing?";
  g_autoptr(GBytes) expected =
    th_test_hex_to_bytes ("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  g_autoptr(GError) error = NULL;
  guint8 out[TH_SHA256_LEN];

  g_assert_true (th_hmac_sha256 ((const guint8 *) "Jefe", 4, (const guint8 *) data,
                                 strlen (data), out, &error));
  g_assert_no_error (error);
  ASSERT_GBYTES_EQUAL (expected, out, sizeof out);
}

static void
test_hkdf_rfc5869_case1 (void)
{
  /* RFC 5869 appendix A.1. */
  g_autoptr(GBytes) ikm = th_test_hex_to_bytes ("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  g_autoptr(GBytes) salt = th_test_hex_to_bytes ("000102030405060708090a0b0c");
  g_autoptr(GBytes) info = th_test_hex_to_bytes ("f0f1f2f3f4f5f6f7f8f9");
  g_autoptr(GBytes) okm =
    th_test_hex_to_bytes ("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                          "34007208d5b887185865");
  g_autoptr(GError) error = NULL;
  guint8 out[42];

  g_assert_true (th_hkdf_sha256 (g_bytes_get_data (salt, NULL), g_bytes_get_size (salt),
                                 g_bytes_get_data (ikm, NULL), g_bytes_get_size (ikm),
                                 g_bytes_get_data (info, NULL), g_bytes_get_size (info),
                                 out, sizeof out, &error));
  g_assert_no_error (error);
  ASSERT_GBYTES_EQUAL (okm, out, sizeof out);
}

/* The group and privacy key derivations of the message-encryption vectors: HKDF with and
 * without a salt. */
static void
test_hkdf_message_keys (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("message/message_encryption_vectors.json");
  JsonArray *cases = json_object_get_array_member (json_node_get_object (root), "cases");
  guint checked = 0;

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      g_autoptr(GError) error = NULL;
      guint8 encryption_key[16];
      guint8 privacy_key[16];
      guint8 out[16];

      if (!json_object_has_member (c, "privacyKey"))
        continue;
      g_test_message ("%s", json_object_get_string_member (c, "name"));
      member_to_buffer (c, "encryptionKey", encryption_key, sizeof encryption_key);
      member_to_buffer (c, "privacyKey", privacy_key, sizeof privacy_key);

      g_assert_true (th_hkdf_sha256 (NULL, 0, encryption_key, sizeof encryption_key,
                                     (const guint8 *) "PrivacyKey", 10, out, sizeof out,
                                     &error));
      g_assert_no_error (error);
      g_assert_cmpmem (out, sizeof out, privacy_key, sizeof privacy_key);

      if (json_object_has_member (c, "epochKey"))
        {
          guint8 epoch_key[16];
          guint8 fabric_id[8];
          guint8 session_id[2];

          member_to_buffer (c, "epochKey", epoch_key, sizeof epoch_key);
          member_to_buffer (c, "compressedFabricId", fabric_id, sizeof fabric_id);
          g_assert_true (th_hkdf_sha256 (fabric_id, sizeof fabric_id, epoch_key,
                                         sizeof epoch_key, (const guint8 *) "GroupKey v1.0", 13,
                                         out, sizeof out, &error));
          g_assert_no_error (error);
          g_assert_cmpmem (out, sizeof out, encryption_key, sizeof encryption_key);

          g_assert_true (th_hkdf_sha256 (NULL, 0, encryption_key, sizeof encryption_key,
                                         (const guint8 *) "GroupKeyHash", 12, session_id,
                                         sizeof session_id, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (session_id[0] << 8 | session_id[1], ==,
                            json_object_get_int_member (c, "sessionId"));
        }
      checked++;
    }
  g_assert_cmpuint (checked, >=, 3);
}

static void
test_pbkdf2_rejects_zero_iterations (void)
{
  g_autoptr(GError) error = NULL;
  guint8 out[16];

  g_assert_false (th_pbkdf2_sha256 ((const guint8 *) "pw", 2, (const guint8 *) "salt", 4, 0,
                                    out, sizeof out, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO);
}

/* AES-CCM */

/* Encrypts and decrypts one case, both out of place and in place, and checks that altering
 * the tag, the ciphertext or the additional data is refused without releasing plaintext. */
static void
check_ccm_case (const guint8 key[TH_AES_CCM_KEY_LEN],
                const guint8 nonce[TH_AES_CCM_NONCE_LEN],
                GBytes      *aad,
                GBytes      *plaintext,
                GBytes      *ciphertext,
                const guint8 tag[TH_AES_CCM_TAG_LEN])
{
  gsize len = g_bytes_get_size (plaintext);
  gsize aad_len = g_bytes_get_size (aad);
  g_autofree guint8 *buffer = g_malloc0 (len + 1);
  g_autofree guint8 *altered_aad = g_malloc0 (aad_len + 1);
  g_autofree guint8 *zero = g_malloc0 (len + 1);
  guint8 out_tag[TH_AES_CCM_TAG_LEN];
  guint8 bad_tag[TH_AES_CCM_TAG_LEN];
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (g_bytes_get_size (ciphertext), ==, len);
  if (aad_len > 0)
    memcpy (altered_aad, g_bytes_get_data (aad, NULL), aad_len);

  g_assert_true (th_aes_ccm_encrypt (key, nonce, g_bytes_get_data (aad, NULL), aad_len,
                                     g_bytes_get_data (plaintext, NULL), len, buffer, out_tag,
                                     &error));
  g_assert_no_error (error);
  ASSERT_GBYTES_EQUAL (ciphertext, buffer, len);
  th_assert_bytes_equal (out_tag, sizeof out_tag, tag, TH_AES_CCM_TAG_LEN);

  g_assert_true (th_aes_ccm_decrypt (key, nonce, g_bytes_get_data (aad, NULL), aad_len,
                                     g_bytes_get_data (ciphertext, NULL), len, tag, buffer,
                                     &error));
  g_assert_no_error (error);
  ASSERT_GBYTES_EQUAL (plaintext, buffer, len);

  /* In place both ways. */
  if (len > 0)
    memcpy (buffer, g_bytes_get_data (plaintext, NULL), len);
  g_assert_true (th_aes_ccm_encrypt (key, nonce, g_bytes_get_data (aad, NULL), aad_len,
                                     buffer, len, buffer, out_tag, &error));
  g_assert_no_error (error);
  ASSERT_GBYTES_EQUAL (ciphertext, buffer, len);
  g_assert_true (th_aes_ccm_decrypt (key, nonce, g_bytes_get_data (aad, NULL), aad_len,
                                     buffer, len, out_tag, buffer, &error));
  g_assert_no_error (error);
  ASSERT_GBYTES_EQUAL (plaintext, buffer, len);

  /* A wrong tag. */
  memcpy (bad_tag, tag, sizeof bad_tag);
  bad_tag[TH_AES_CCM_TAG_LEN - 1] ^= 0x01;
  memset (buffer, 0xaa, len);
  g_assert_false (th_aes_ccm_decrypt (key, nonce, g_bytes_get_data (aad, NULL), aad_len,
                                      g_bytes_get_data (ciphertext, NULL), len, bad_tag, buffer,
                                      &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_AUTH);
  g_clear_error (&error);
  g_assert_cmpmem (buffer, len, zero, len);

  /* A flipped ciphertext bit. */
  if (len > 0)
    {
      g_autofree guint8 *altered = g_memdup2 (g_bytes_get_data (ciphertext, NULL), len);

      altered[len / 2] ^= 0x10;
      memset (buffer, 0xaa, len);
      g_assert_false (th_aes_ccm_decrypt (key, nonce, g_bytes_get_data (aad, NULL), aad_len,
                                          altered, len, tag, buffer, &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_AUTH);
      g_clear_error (&error);
      g_assert_cmpmem (buffer, len, zero, len);
    }

  /* Additional data that differs, or is one byte longer. */
  if (aad_len > 0)
    altered_aad[0] ^= 0x01;
  g_assert_false (th_aes_ccm_decrypt (key, nonce, altered_aad, aad_len > 0 ? aad_len : 1,
                                      g_bytes_get_data (ciphertext, NULL), len, tag, buffer,
                                      &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_AUTH);
}

static void
test_aes_ccm_vectors (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("message/aes_ccm_vectors.json");
  JsonArray *vectors = json_object_get_array_member (json_node_get_object (root), "vectors");

  g_assert_cmpuint (json_array_get_length (vectors), ==, 12);
  for (guint i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *v = json_array_get_object_element (vectors, i);
      g_autoptr(GBytes) aad = member_to_bytes (v, "aad");
      g_autoptr(GBytes) plaintext = member_to_bytes (v, "plaintext");
      g_autoptr(GBytes) ciphertext = member_to_bytes (v, "ciphertext");
      guint8 key[TH_AES_CCM_KEY_LEN];
      guint8 nonce[TH_AES_CCM_NONCE_LEN];
      guint8 tag[TH_AES_CCM_TAG_LEN];

      g_test_message ("%s", json_object_get_string_member (v, "name"));
      member_to_buffer (v, "key", key, sizeof key);
      member_to_buffer (v, "nonce", nonce, sizeof nonce);
      member_to_buffer (v, "tag", tag, sizeof tag);
      check_ccm_case (key, nonce, aad, plaintext, ciphertext, tag);
    }
}

/* encryptedMessageHex is the header (the additional data), the ciphertext, then the MIC. */
static void
test_aes_ccm_message_vectors (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("message/message_encryption_vectors.json");
  JsonArray *cases = json_object_get_array_member (json_node_get_object (root), "cases");
  guint rejected = 0;

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      g_autoptr(GBytes) aad = member_to_bytes (c, "messageHeaderHex_AAD");
      g_autoptr(GBytes) plaintext = member_to_bytes (c, "protocolHeaderPlusPayloadHex");
      g_autoptr(GBytes) message = member_to_bytes (c, "encryptedMessageHex");
      g_autoptr(GBytes) ciphertext = NULL;
      g_autoptr(GError) error = NULL;
      gsize aad_len = g_bytes_get_size (aad);
      gsize len = g_bytes_get_size (plaintext);
      const guint8 *data = g_bytes_get_data (message, NULL);
      guint8 key[TH_AES_CCM_KEY_LEN];
      guint8 nonce[TH_AES_CCM_NONCE_LEN];
      guint8 mic[TH_AES_CCM_TAG_LEN];
      g_autofree guint8 *out = g_malloc0 (len + 1);

      g_test_message ("%s", json_object_get_string_member (c, "name"));
      member_to_buffer (c, "encryptionKey", key, sizeof key);
      member_to_buffer (c, "nonceActuallyUsed_derived", nonce, sizeof nonce);
      member_to_buffer (c, "micHex", mic, sizeof mic);
      g_assert_cmpuint (g_bytes_get_size (message), ==, aad_len + len + TH_AES_CCM_TAG_LEN);
      g_assert_cmpmem (data, aad_len, g_bytes_get_data (aad, NULL), aad_len);
      g_assert_cmpmem (data + aad_len + len, TH_AES_CCM_TAG_LEN, mic, sizeof mic);
      ciphertext = g_bytes_new (data + aad_len, len);

      if (json_object_get_boolean_member (c, "encryptionReproducesEncryptedMessage"))
        {
          check_ccm_case (key, nonce, aad, plaintext, ciphertext, mic);
        }
      else
        {
          /* The wrong-MIC cases. */
          g_assert_false (th_aes_ccm_decrypt (key, nonce, g_bytes_get_data (aad, NULL), aad_len,
                                              data + aad_len, len, mic, out, &error));
          g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_AUTH);
          rejected++;
        }
    }
  g_assert_cmpuint (rejected, ==, 2);
}

/* Message privacy: the header bytes after the security flags, obfuscated with AES-CTR under
 * the privacy key and the privacy nonce. Only the group case is a checked vector: the
 * unicast PASE one is a message the receiver must drop, obfuscated under a key that the file
 * does not give (its privacyKey was derived afterwards by the collector). */
static void
test_aes_ctr_privacy (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("message/message_encryption_vectors.json");
  JsonArray *cases = json_object_get_array_member (json_node_get_object (root), "cases");
  guint checked = 0;

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      g_autoptr(GBytes) aad = NULL;
      g_autoptr(GBytes) plain = NULL;
      g_autoptr(GBytes) obfuscated = NULL;
      g_autoptr(GError) error = NULL;
      guint8 key[TH_AES_CCM_KEY_LEN];
      guint8 nonce[TH_AES_CCM_NONCE_LEN];
      guint8 buffer[32];
      gsize start = 4;  /* message flags, session id, security flags */
      gsize len;

      if (!json_object_has_member (c, "privacyNonce")
          || !g_str_equal (json_object_get_string_member (c, "sessionType"), "group"))
        continue;
      aad = member_to_bytes (c, "messageHeaderHex_AAD");
      if (!(((const guint8 *) g_bytes_get_data (aad, NULL))[3] & 0x80))
        continue;
      g_test_message ("%s", json_object_get_string_member (c, "name"));
      plain = member_to_bytes (c, "encryptedMessageHex");
      obfuscated = member_to_bytes (c, "privacyObfuscatedMessageHex");
      member_to_buffer (c, "privacyKey", key, sizeof key);
      member_to_buffer (c, "privacyNonce", nonce, sizeof nonce);
      len = g_bytes_get_size (aad) - start;
      g_assert_cmpuint (len, <=, sizeof buffer);

      g_assert_true (th_aes_ctr_crypt (key, nonce,
                                       (const guint8 *) g_bytes_get_data (plain, NULL) + start,
                                       len, buffer, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (buffer, len,
                       (const guint8 *) g_bytes_get_data (obfuscated, NULL) + start, len);

      /* The same operation undoes it, in place. */
      g_assert_true (th_aes_ctr_crypt (key, nonce, buffer, len, buffer, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (buffer, len, (const guint8 *) g_bytes_get_data (plain, NULL) + start, len);
      checked++;
    }
  g_assert_cmpuint (checked, ==, 1);
}

/* P-256 */

static void
test_p256_known_key (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("opcerts/csr_and_cat_vectors.json");
  JsonObject *pair = json_object_get_object_member (json_node_get_object (root), "csrKeyPair");
  g_autoptr(ThP256Key) key = NULL;
  g_autoptr(GError) error = NULL;
  guint8 private_key[TH_P256_PRIVATE_KEY_LEN];
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];
  guint8 out_public[TH_P256_PUBLIC_KEY_LEN];
  guint8 out_private[TH_P256_PRIVATE_KEY_LEN];

  member_to_buffer (pair, "privateKey", private_key, sizeof private_key);
  member_to_buffer (pair, "publicKey", public_key, sizeof public_key);

  key = th_p256_key_new_from_private (private_key, &error);
  g_assert_no_error (error);
  g_assert_true (th_p256_key_has_private (key));
  th_p256_key_get_public (key, out_public);
  g_assert_cmpmem (out_public, sizeof out_public, public_key, sizeof public_key);
  g_assert_true (th_p256_key_export_private (key, out_private, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (out_private, sizeof out_private, private_key, sizeof private_key);
  g_assert_nonnull (th_p256_key_get_evp_pkey (key));
}

static void
test_p256_invalid_private (void)
{
  guint8 scalar[TH_P256_PRIVATE_KEY_LEN] = { 0 };
  /* n, the order of the group. */
  g_autoptr(GBytes) order =
    th_test_hex_to_bytes ("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  g_autoptr(GError) error = NULL;
  ThP256Key *key;

  key = th_p256_key_new_from_private (scalar, &error);
  g_assert_null (key);
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
  g_clear_error (&error);

  memcpy (scalar, g_bytes_get_data (order, NULL), sizeof scalar);
  key = th_p256_key_new_from_private (scalar, &error);
  g_assert_null (key);
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
}

static void
test_p256_sign_verify (void)
{
  static const char *message = "Threshold signs this";
  g_autoptr(ThP256Key) key = NULL;
  g_autoptr(ThP256Key) other = NULL;
  g_autoptr(ThP256Key) public_only = NULL;
  g_autoptr(GError) error = NULL;
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];
  guint8 signature[TH_P256_SIGNATURE_LEN];
  guint8 tampered[TH_P256_SIGNATURE_LEN];
  guint8 private_key[TH_P256_PRIVATE_KEY_LEN];
  gsize len = strlen (message);

  key = th_p256_key_generate (&error);
  g_assert_no_error (error);
  other = th_p256_key_generate (&error);
  g_assert_no_error (error);
  th_p256_key_get_public (key, public_key);
  public_only = th_p256_key_new_from_public (public_key, &error);
  g_assert_no_error (error);
  g_assert_false (th_p256_key_has_private (public_only));

  g_assert_true (th_p256_key_sign (key, (const guint8 *) message, len, signature, &error));
  g_assert_no_error (error);
  g_assert_true (th_p256_key_verify (key, (const guint8 *) message, len, signature, &error));
  g_assert_no_error (error);
  g_assert_true (th_p256_key_verify (public_only, (const guint8 *) message, len, signature,
                                     &error));
  g_assert_no_error (error);

  /* Every single-bit change of the signature is refused; so are another message and
   * another key. */
  for (gsize i = 0; i < sizeof signature; i += 7)
    {
      memcpy (tampered, signature, sizeof tampered);
      tampered[i] ^= 0x04;
      g_assert_false (th_p256_key_verify (public_only, (const guint8 *) message, len, tampered,
                                          &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_SIGNATURE);
      g_clear_error (&error);
    }
  g_assert_false (th_p256_key_verify (public_only, (const guint8 *) message, len - 1, signature,
                                      &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (th_p256_key_verify (other, (const guint8 *) message, len, signature, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_SIGNATURE);
  g_clear_error (&error);

  /* A public key can neither sign nor give a private key. */
  g_assert_false (th_p256_key_sign (public_only, (const guint8 *) message, len, signature,
                                    &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
  g_clear_error (&error);
  g_assert_false (th_p256_key_export_private (public_only, private_key, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
}

static void
test_p256_signature_der (void)
{
  g_autoptr(ThP256Key) key = th_p256_key_generate (NULL);
  g_autoptr(GError) error = NULL;
  guint8 raw[TH_P256_SIGNATURE_LEN];
  guint8 back[TH_P256_SIGNATURE_LEN];
  /* r = 1 with a high-bit s, then broken variants of it. */
  guint8 small[TH_P256_SIGNATURE_LEN] = { 0 };
  static const guint8 small_der[] = {
    0x30, 0x26, 0x02, 0x01, 0x01, 0x02, 0x21, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05,
  };
  static const guint8 non_minimal[] = {
    0x30, 0x27, 0x02, 0x02, 0x00, 0x01, 0x02, 0x21, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05,
  };
  static const guint8 zero_r[] = {
    0x30, 0x26, 0x02, 0x01, 0x00, 0x02, 0x21, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05,
  };
  /* s = n, one past the largest valid value. */
  static const guint8 s_is_order[] = {
    0x30, 0x26, 0x02, 0x01, 0x01, 0x02, 0x21, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
    0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
  };
  guint8 trailing[sizeof small_der + 1];
  g_autoptr(GBytes) der = NULL;

  g_assert_nonnull (key);
  g_assert_true (th_p256_key_sign (key, (const guint8 *) "x", 1, raw, &error));
  g_assert_no_error (error);
  der = th_p256_signature_to_der (raw, &error);
  g_assert_no_error (error);
  g_assert_true (th_p256_signature_from_der (g_bytes_get_data (der, NULL),
                                             g_bytes_get_size (der), back, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (raw, sizeof raw, back, sizeof back);
  g_clear_pointer (&der, g_bytes_unref);

  small[31] = 0x01;
  small[32] = 0x80;
  small[63] = 0x05;
  der = th_p256_signature_to_der (small, &error);
  g_assert_no_error (error);
  ASSERT_GBYTES_EQUAL (der, small_der, sizeof small_der);
  g_assert_true (th_p256_signature_from_der (small_der, sizeof small_der, back, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (small, sizeof small, back, sizeof back);

  memcpy (trailing, small_der, sizeof small_der);
  trailing[sizeof small_der] = 0x00;
  g_assert_false (th_p256_signature_from_der (trailing, sizeof trailing, back, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (th_p256_signature_from_der (small_der, sizeof small_der - 1, back, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (th_p256_signature_from_der (non_minimal, sizeof non_minimal, back, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (th_p256_signature_from_der (zero_r, sizeof zero_r, back, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (th_p256_signature_from_der (s_is_order, sizeof s_is_order, back, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (th_p256_signature_from_der (NULL, 0, back, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_SIGNATURE);
}

static void
test_p256_ecdh (void)
{
  g_autoptr(ThP256Key) a = th_p256_key_generate (NULL);
  g_autoptr(ThP256Key) b = th_p256_key_generate (NULL);
  g_autoptr(ThP256Key) c = th_p256_key_generate (NULL);
  g_autoptr(ThP256Key) b_public = NULL;
  g_autoptr(GError) error = NULL;
  guint8 a_public[TH_P256_PUBLIC_KEY_LEN];
  guint8 b_point[TH_P256_PUBLIC_KEY_LEN];
  guint8 c_point[TH_P256_PUBLIC_KEY_LEN];
  guint8 ab[TH_P256_SHARED_SECRET_LEN];
  guint8 ba[TH_P256_SHARED_SECRET_LEN];
  guint8 ac[TH_P256_SHARED_SECRET_LEN];

  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_nonnull (c);
  th_p256_key_get_public (a, a_public);
  th_p256_key_get_public (b, b_point);
  th_p256_key_get_public (c, c_point);

  g_assert_true (th_p256_key_derive_shared_secret (a, b_point, ab, &error));
  g_assert_no_error (error);
  g_assert_true (th_p256_key_derive_shared_secret (b, a_public, ba, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (ab, sizeof ab, ba, sizeof ba);
  g_assert_true (th_p256_key_derive_shared_secret (a, c_point, ac, &error));
  g_assert_no_error (error);
  g_assert_false (th_constant_time_equal (ab, ac, sizeof ab));

  b_public = th_p256_key_new_from_public (b_point, &error);
  g_assert_no_error (error);
  g_assert_false (th_p256_key_derive_shared_secret (b_public, a_public, ba, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
}

static void
test_p256_pkcs8 (void)
{
  g_autoptr(ThP256Key) key = th_p256_key_generate (NULL);
  g_autoptr(ThP256Key) back = NULL;
  g_autoptr(ThP256Key) public_only = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GBytes) sec1 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sec1_path = NULL;
  g_autofree guint8 *extended = NULL;
  guint8 public_a[TH_P256_PUBLIC_KEY_LEN];
  guint8 public_b[TH_P256_PUBLIC_KEY_LEN];
  guint8 private_a[TH_P256_PRIVATE_KEY_LEN];
  guint8 private_b[TH_P256_PRIVATE_KEY_LEN];
  guint8 signature[TH_P256_SIGNATURE_LEN];
  gsize len;
  char *contents = NULL;

  g_assert_nonnull (key);
  der = th_p256_key_export_pkcs8 (key, &error);
  g_assert_no_error (error);
  len = g_bytes_get_size (der);

  back = th_p256_key_new_from_pkcs8 (g_bytes_get_data (der, NULL), len, &error);
  g_assert_no_error (error);
  g_assert_true (th_p256_key_has_private (back));
  th_p256_key_get_public (key, public_a);
  th_p256_key_get_public (back, public_b);
  g_assert_cmpmem (public_a, sizeof public_a, public_b, sizeof public_b);
  g_assert_true (th_p256_key_export_private (key, private_a, &error));
  g_assert_true (th_p256_key_export_private (back, private_b, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (private_a, sizeof private_a, private_b, sizeof private_b);
  g_assert_true (th_p256_key_sign (back, (const guint8 *) "m", 1, signature, &error));
  g_assert_true (th_p256_key_verify (key, (const guint8 *) "m", 1, signature, &error));
  g_assert_no_error (error);

  /* Truncated, extended and emptied encodings are refused. */
  g_assert_null (th_p256_key_new_from_pkcs8 (g_bytes_get_data (der, NULL), len - 1, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
  g_clear_error (&error);
  extended = g_malloc0 (len + 1);
  memcpy (extended, g_bytes_get_data (der, NULL), len);
  g_assert_null (th_p256_key_new_from_pkcs8 (extended, len + 1, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
  g_clear_error (&error);
  g_assert_null (th_p256_key_new_from_pkcs8 (extended, 0, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
  g_clear_error (&error);

  /* A SEC1 ECPrivateKey (the attestation test keys are stored so) is not PKCS#8. */
  sec1_path = g_build_filename (th_test_vectors_dir (), "credentials", "test", "attestation",
                                "Chip-Test-DAC-FFF1-8000-0000-Key.der", NULL);
  g_assert_true (g_file_get_contents (sec1_path, &contents, &len, NULL));
  sec1 = g_bytes_new_take (contents, len);
  g_assert_null (th_p256_key_new_from_pkcs8 (g_bytes_get_data (sec1, NULL), len, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
  g_clear_error (&error);

  /* There is no PKCS#8 without a private key. */
  public_only = th_p256_key_new_from_public (public_a, &error);
  g_assert_no_error (error);
  g_assert_null (th_p256_key_export_pkcs8 (public_only, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
}

/* Points that every API taking a peer's point must refuse. */
static void
make_invalid_points (guint8 points[][TH_P256_PUBLIC_KEY_LEN],
                     gsize  *n_points)
{
  g_autoptr(ThP256Key) key = th_p256_key_generate (NULL);
  guint8 valid[TH_P256_PUBLIC_KEY_LEN];
  gsize n = 0;

  g_assert_nonnull (key);
  th_p256_key_get_public (key, valid);

  /* all zeros: no prefix, and (0, 0) is not on the curve */
  memset (points[n++], 0, TH_P256_PUBLIC_KEY_LEN);
  /* a compressed or hybrid prefix on an uncompressed body */
  memcpy (points[n], valid, TH_P256_PUBLIC_KEY_LEN);
  points[n++][0] = 0x02;
  memcpy (points[n], valid, TH_P256_PUBLIC_KEY_LEN);
  points[n++][0] = 0x06;
  /* y changed: off the curve */
  memcpy (points[n], valid, TH_P256_PUBLIC_KEY_LEN);
  points[n++][TH_P256_PUBLIC_KEY_LEN - 1] ^= 0x01;
  /* x = p - 1, y = 0... off the curve; x all ones exceeds p */
  memset (points[n], 0xff, TH_P256_PUBLIC_KEY_LEN);
  points[n++][0] = 0x04;
  /* (0, 0) with the right prefix */
  memset (points[n], 0, TH_P256_PUBLIC_KEY_LEN);
  points[n++][0] = 0x04;

  *n_points = n;
}

static void
test_p256_invalid_points (void)
{
  g_autoptr(ThP256Key) key = th_p256_key_generate (NULL);
  guint8 points[8][TH_P256_PUBLIC_KEY_LEN];
  guint8 secret[TH_P256_SHARED_SECRET_LEN];
  gsize n_points = 0;

  make_invalid_points (points, &n_points);
  for (gsize i = 0; i < n_points; i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("invalid point %" G_GSIZE_FORMAT, i);
      g_assert_null (th_p256_key_new_from_public (points[i], &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
      g_clear_error (&error);
      g_assert_false (th_p256_key_derive_shared_secret (key, points[i], secret, &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
    }
}

/* SPAKE2+ */

static void
check_verifier_side (const guint8 *context,
                     gsize         context_len,
                     const char   *id_prover,
                     const char   *id_verifier,
                     const guint8  verifier[TH_SPAKE2P_VERIFIER_LEN],
                     const guint8  y[TH_SPAKE2P_W_LEN],
                     const guint8  x_share[TH_SPAKE2P_POINT_LEN],
                     const guint8  y_share[TH_SPAKE2P_POINT_LEN],
                     const guint8  ca[TH_SPAKE2P_CONFIRMATION_LEN],
                     const guint8  cb[TH_SPAKE2P_CONFIRMATION_LEN],
                     const guint8  ke[TH_SPAKE2P_KEY_LEN])
{
  g_autoptr(ThSpake2p) spake = NULL;
  g_autoptr(GError) error = NULL;
  guint8 share[TH_SPAKE2P_POINT_LEN];
  guint8 confirmation[TH_SPAKE2P_CONFIRMATION_LEN];
  guint8 key[TH_SPAKE2P_KEY_LEN];

  spake = th_spake2p_new_verifier (context, context_len,
                                   (const guint8 *) id_prover, strlen (id_prover),
                                   (const guint8 *) id_verifier, strlen (id_verifier),
                                   verifier, &error);
  g_assert_no_error (error);
  g_assert_true (th_spake2p_set_ephemeral_scalar (spake, y, &error));
  g_assert_no_error (error);
  g_assert_true (th_spake2p_compute_share (spake, share, &error));
  g_assert_no_error (error);
  th_assert_bytes_equal (share, sizeof share, y_share, TH_SPAKE2P_POINT_LEN);
  g_assert_true (th_spake2p_process_peer_share (spake, x_share, &error));
  g_assert_no_error (error);
  th_spake2p_get_confirmation (spake, confirmation);
  th_assert_bytes_equal (confirmation, sizeof confirmation, cb, TH_SPAKE2P_CONFIRMATION_LEN);
  g_assert_true (th_spake2p_verify_peer_confirmation (spake, ca, &error));
  g_assert_no_error (error);
  th_spake2p_get_shared_key (spake, key);
  th_assert_bytes_equal (key, sizeof key, ke, TH_SPAKE2P_KEY_LEN);
}

static void
test_spake2p_draft01_vectors (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("pase/spake2p_draft01_vectors.json");
  JsonArray *vectors = json_object_get_array_member (json_node_get_object (root), "vectors");

  g_assert_cmpuint (json_array_get_length (vectors), ==, 4);
  for (guint i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *v = json_array_get_object_element (vectors, i);
      const char *context = json_object_get_string_member (v, "context");
      const char *id_prover = json_object_get_string_member (v, "idProver_A");
      const char *id_verifier = json_object_get_string_member (v, "idVerifier_B");
      g_autoptr(ThSpake2p) prover = NULL;
      g_autoptr(GError) error = NULL;
      guint8 w0[TH_SPAKE2P_W_LEN], w1[TH_SPAKE2P_W_LEN], x[TH_SPAKE2P_W_LEN];
      guint8 y[TH_SPAKE2P_W_LEN];
      guint8 l[TH_SPAKE2P_POINT_LEN], x_share[TH_SPAKE2P_POINT_LEN];
      guint8 y_share[TH_SPAKE2P_POINT_LEN];
      guint8 ca[TH_SPAKE2P_CONFIRMATION_LEN], cb[TH_SPAKE2P_CONFIRMATION_LEN];
      guint8 ke[TH_SPAKE2P_KEY_LEN];
      guint8 verifier[TH_SPAKE2P_VERIFIER_LEN];
      guint8 share[TH_SPAKE2P_POINT_LEN];
      guint8 confirmation[TH_SPAKE2P_CONFIRMATION_LEN];
      guint8 key[TH_SPAKE2P_KEY_LEN];

      g_test_message ("vector %u: A '%s', B '%s'", i, id_prover, id_verifier);
      member_to_buffer (v, "w0", w0, sizeof w0);
      member_to_buffer (v, "w1", w1, sizeof w1);
      member_to_buffer (v, "L", l, sizeof l);
      member_to_buffer (v, "x", x, sizeof x);
      member_to_buffer (v, "X", x_share, sizeof x_share);
      member_to_buffer (v, "y", y, sizeof y);
      member_to_buffer (v, "Y", y_share, sizeof y_share);
      member_to_buffer (v, "cA_MAC_KcA_over_Y", ca, sizeof ca);
      member_to_buffer (v, "cB_MAC_KcB_over_X", cb, sizeof cb);
      member_to_buffer (v, "Ke", ke, sizeof ke);

      /* The prover: X, then cA and Ke from Y and cB. */
      prover = th_spake2p_new_prover ((const guint8 *) context, strlen (context),
                                      (const guint8 *) id_prover, strlen (id_prover),
                                      (const guint8 *) id_verifier, strlen (id_verifier),
                                      w0, w1, &error);
      g_assert_no_error (error);
      g_assert_true (th_spake2p_set_ephemeral_scalar (prover, x, &error));
      g_assert_no_error (error);
      g_assert_true (th_spake2p_compute_share (prover, share, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (share, sizeof share, x_share, sizeof x_share);
      g_assert_true (th_spake2p_process_peer_share (prover, y_share, &error));
      g_assert_no_error (error);
      th_spake2p_get_confirmation (prover, confirmation);
      g_assert_cmpmem (confirmation, sizeof confirmation, ca, sizeof ca);
      g_assert_true (th_spake2p_verify_peer_confirmation (prover, cb, &error));
      g_assert_no_error (error);
      th_spake2p_get_shared_key (prover, key);
      g_assert_cmpmem (key, sizeof key, ke, sizeof ke);

      /* The verifier, from w0 || L. */
      memcpy (verifier, w0, sizeof w0);
      memcpy (verifier + sizeof w0, l, sizeof l);
      check_verifier_side ((const guint8 *) context, strlen (context), id_prover, id_verifier,
                           verifier, y, x_share, y_share, ca, cb, ke);
    }
}

static void
test_spake2p_pbkdf2_vectors (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("pase/pbkdf2_verifier_vectors.json");
  JsonArray *vectors = json_object_get_array_member (json_node_get_object (root), "vectors");

  g_assert_cmpuint (json_array_get_length (vectors), ==, 3);
  for (guint i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *v = json_array_get_object_element (vectors, i);
      g_autoptr(GBytes) salt = member_to_bytes (v, "saltHex");
      guint32 passcode = (guint32) json_object_get_int_member (v, "passcode");
      guint32 iterations = (guint32) json_object_get_int_member (v, "iterations");
      const char *w1_member = json_object_has_member (v, "w1") ? "w1" : "w1_derived";
      g_autoptr(GError) error = NULL;
      guint8 w0[TH_SPAKE2P_W_LEN], w1[TH_SPAKE2P_W_LEN];
      guint8 expected_w0[TH_SPAKE2P_W_LEN], expected_w1[TH_SPAKE2P_W_LEN];
      guint8 expected_l[TH_SPAKE2P_POINT_LEN];
      guint8 verifier[TH_SPAKE2P_VERIFIER_LEN];

      g_test_message ("vector %u", i);
      member_to_buffer (v, "w0", expected_w0, sizeof expected_w0);
      member_to_buffer (v, w1_member, expected_w1, sizeof expected_w1);
      member_to_buffer (v, "L", expected_l, sizeof expected_l);

      if (json_object_has_member (v, "pbkdf2Output80Hex"))
        {
          g_autoptr(GBytes) expected = member_to_bytes (v, "pbkdf2Output80Hex");
          guint8 password[4];
          guint8 out[80];

          member_to_buffer (v, "passcodeBytesLE", password, sizeof password);
          g_assert_true (th_pbkdf2_sha256 (password, sizeof password,
                                           g_bytes_get_data (salt, NULL),
                                           g_bytes_get_size (salt), iterations, out, sizeof out,
                                           &error));
          g_assert_no_error (error);
          ASSERT_GBYTES_EQUAL (expected, out, sizeof out);
        }

      g_assert_true (th_spake2p_compute_w0_w1 (passcode, g_bytes_get_data (salt, NULL),
                                               g_bytes_get_size (salt), iterations, w0, w1,
                                               &error));
      g_assert_no_error (error);
      th_assert_bytes_equal (w0, sizeof w0, expected_w0, sizeof expected_w0);
      th_assert_bytes_equal (w1, sizeof w1, expected_w1, sizeof expected_w1);

      g_assert_true (th_spake2p_compute_verifier (passcode, g_bytes_get_data (salt, NULL),
                                                  g_bytes_get_size (salt), iterations,
                                                  verifier, &error));
      g_assert_no_error (error);
      th_assert_bytes_equal (verifier, TH_SPAKE2P_W_LEN, expected_w0, sizeof expected_w0);
      th_assert_bytes_equal (verifier + TH_SPAKE2P_W_LEN, TH_SPAKE2P_POINT_LEN, expected_l,
                             sizeof expected_l);
      if (json_object_has_member (v, "serializedVerifier_w0_L"))
        {
          g_autoptr(GBytes) serialized = member_to_bytes (v, "serializedVerifier_w0_L");

          ASSERT_GBYTES_EQUAL (serialized, verifier, sizeof verifier);
        }
    }
}

static void
compute_context (JsonObject *object,
                 const char *prefix_member,
                 guint8      out[TH_SHA256_LEN])
{
  g_autoptr(GBytes) request = member_to_bytes (object, "pbkdfParamRequestTlv");
  g_autoptr(GBytes) response = member_to_bytes (object, "pbkdfParamResponseTlv");
  g_autoptr(GBytes) messages = concat_bytes (request, response);
  g_autoptr(ThSha256) hash = th_sha256_new ();
  g_autoptr(GError) error = NULL;

  if (g_str_equal (prefix_member, "prefixHex"))
    {
      g_autoptr(GBytes) prefix = member_to_bytes (object, prefix_member);

      th_sha256_update (hash, g_bytes_get_data (prefix, NULL), g_bytes_get_size (prefix));
    }
  else
    {
      const char *prefix = json_object_get_string_member (object, prefix_member);

      th_sha256_update (hash, (const guint8 *) prefix, strlen (prefix));
    }
  th_sha256_update (hash, g_bytes_get_data (messages, NULL), g_bytes_get_size (messages));
  g_assert_true (th_sha256_get_digest (hash, out, &error));
  g_assert_no_error (error);
}

/* Real exchanges with a matter.js device: from the two PBKDFParam messages, the passcode and
 * the salt, the verifier reproduces the device's Y and cB, accepts the commissioner's cA and
 * agrees on Ke. */
static void
test_spake2p_pase_sessions (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("pase/pase_session_vectors.json");
  JsonObject *top = json_node_get_object (root);
  JsonArray *sessions = json_object_get_array_member (top, "sessions");
  JsonObject *context_test = json_object_get_object_member (top, "contextHashTest");
  guint8 context[TH_SHA256_LEN];
  guint8 expected_context[TH_SHA256_LEN];

  compute_context (context_test, "prefixHex", context);
  member_to_buffer (context_test, "contextHash", expected_context, sizeof expected_context);
  g_assert_cmpmem (context, sizeof context, expected_context, sizeof expected_context);

  g_assert_cmpuint (json_array_get_length (sessions), ==, 2);
  for (guint i = 0; i < json_array_get_length (sessions); i++)
    {
      JsonObject *s = json_array_get_object_element (sessions, i);
      JsonObject *derived = json_object_get_object_member (s, "derived");
      g_autoptr(GBytes) salt = member_to_bytes (s, "saltHex");
      guint32 passcode = (guint32) json_object_get_int_member (s, "passcode");
      guint32 iterations = (guint32) json_object_get_int_member (s, "iterations");
      g_autoptr(GError) error = NULL;
      guint8 verifier[TH_SPAKE2P_VERIFIER_LEN];
      guint8 w0[TH_SPAKE2P_W_LEN];
      guint8 l[TH_SPAKE2P_POINT_LEN];
      guint8 y[TH_SPAKE2P_W_LEN];
      guint8 x_share[TH_SPAKE2P_POINT_LEN], y_share[TH_SPAKE2P_POINT_LEN];
      guint8 ca[TH_SPAKE2P_CONFIRMATION_LEN], cb[TH_SPAKE2P_CONFIRMATION_LEN];
      guint8 ke[TH_SPAKE2P_KEY_LEN];

      g_test_message ("%s", json_object_get_string_member (s, "name"));
      compute_context (s, "contextPrefix", context);
      member_to_buffer (s, "contextHash_derived", expected_context, sizeof expected_context);
      g_assert_cmpmem (context, sizeof context, expected_context, sizeof expected_context);

      member_to_buffer (s, "w0", w0, sizeof w0);
      member_to_buffer (s, "L", l, sizeof l);
      member_to_buffer (s, "y_verifierRandomScalar", y, sizeof y);
      member_to_buffer (s, "X_fromProver_pake1", x_share, sizeof x_share);
      member_to_buffer (s, "Y_verifier_pake2", y_share, sizeof y_share);
      member_to_buffer (s, "cB_verifier_pake2", cb, sizeof cb);
      member_to_buffer (derived, "cA_expected_in_pake3", ca, sizeof ca);
      member_to_buffer (derived, "Ke", ke, sizeof ke);

      g_assert_true (th_spake2p_compute_verifier (passcode, g_bytes_get_data (salt, NULL),
                                                  g_bytes_get_size (salt), iterations,
                                                  verifier, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (verifier, TH_SPAKE2P_W_LEN, w0, sizeof w0);
      g_assert_cmpmem (verifier + TH_SPAKE2P_W_LEN, TH_SPAKE2P_POINT_LEN, l, sizeof l);

      check_verifier_side (context, sizeof context, "", "", verifier, y, x_share, y_share, ca,
                           cb, ke);
    }
}

/* A fresh exchange between our own prover and verifier. */
static void
run_exchange (guint32   prover_passcode,
              guint32   verifier_passcode,
              gboolean  expect_success)
{
  static const guint8 salt[16] = "SPAKE2P Key Salt";
  static const guint8 context[] = "test context";
  g_autoptr(ThSpake2p) prover = NULL;
  g_autoptr(ThSpake2p) verifier = NULL;
  g_autoptr(GError) error = NULL;
  guint8 w0[TH_SPAKE2P_W_LEN], w1[TH_SPAKE2P_W_LEN];
  guint8 stored[TH_SPAKE2P_VERIFIER_LEN];
  guint8 x_share[TH_SPAKE2P_POINT_LEN], y_share[TH_SPAKE2P_POINT_LEN];
  guint8 ca[TH_SPAKE2P_CONFIRMATION_LEN], cb[TH_SPAKE2P_CONFIRMATION_LEN];
  guint8 prover_key[TH_SPAKE2P_KEY_LEN], verifier_key[TH_SPAKE2P_KEY_LEN];

  g_assert_true (th_spake2p_compute_w0_w1 (prover_passcode, salt, sizeof salt, 1000, w0, w1,
                                           &error));
  g_assert_true (th_spake2p_compute_verifier (verifier_passcode, salt, sizeof salt, 1000,
                                              stored, &error));
  g_assert_no_error (error);

  prover = th_spake2p_new_prover (context, sizeof context, NULL, 0, NULL, 0, w0, w1, &error);
  g_assert_no_error (error);
  verifier = th_spake2p_new_verifier (context, sizeof context, NULL, 0, NULL, 0, stored,
                                      &error);
  g_assert_no_error (error);

  g_assert_true (th_spake2p_compute_share (prover, x_share, &error));
  g_assert_true (th_spake2p_compute_share (verifier, y_share, &error));
  g_assert_true (th_spake2p_process_peer_share (verifier, x_share, &error));
  g_assert_true (th_spake2p_process_peer_share (prover, y_share, &error));
  g_assert_no_error (error);
  th_spake2p_get_confirmation (verifier, cb);
  th_spake2p_get_confirmation (prover, ca);

  if (expect_success)
    {
      g_assert_true (th_spake2p_verify_peer_confirmation (prover, cb, &error));
      g_assert_true (th_spake2p_verify_peer_confirmation (verifier, ca, &error));
      g_assert_no_error (error);
      th_spake2p_get_shared_key (prover, prover_key);
      th_spake2p_get_shared_key (verifier, verifier_key);
      g_assert_cmpmem (prover_key, sizeof prover_key, verifier_key, sizeof verifier_key);
    }
  else
    {
      g_assert_false (th_spake2p_verify_peer_confirmation (prover, cb, &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_AUTH);
      g_clear_error (&error);
      g_assert_false (th_spake2p_verify_peer_confirmation (verifier, ca, &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_AUTH);
    }
}

static void
test_spake2p_exchange (void)
{
  run_exchange (20202021, 20202021, TRUE);
  run_exchange (20202021, 20202022, FALSE);
}

static void
test_spake2p_invalid_shares (void)
{
  static const guint8 salt[16] = "SPAKE2P Key Salt";
  g_autoptr(EC_GROUP) group = EC_GROUP_new_by_curve_name (NID_X9_62_prime256v1);
  g_autoptr(GError) error = NULL;
  guint8 points[8][TH_P256_PUBLIC_KEY_LEN];
  guint8 w0[TH_SPAKE2P_W_LEN], w1[TH_SPAKE2P_W_LEN];
  guint8 share[TH_SPAKE2P_POINT_LEN];
  guint8 stored[TH_SPAKE2P_VERIFIER_LEN];
  guint8 degenerate[TH_SPAKE2P_POINT_LEN];
  guint8 n_point[TH_SPAKE2P_POINT_LEN];
  gsize n_points = 0;
  BIGNUM *w0_bn;
  EC_POINT *n;
  EC_POINT *product;
  g_autoptr(JsonNode) root = th_test_load_vectors ("pase/spake2p_draft01_vectors.json");

  g_assert_true (th_spake2p_compute_w0_w1 (20202021, salt, sizeof salt, 1000, w0, w1, &error));
  g_assert_true (th_spake2p_compute_verifier (20202021, salt, sizeof salt, 1000, stored,
                                              &error));
  g_assert_no_error (error);

  make_invalid_points (points, &n_points);
  for (gsize i = 0; i < n_points; i++)
    {
      g_autoptr(ThSpake2p) prover = th_spake2p_new_prover (NULL, 0, NULL, 0, NULL, 0, w0, w1,
                                                           &error);

      g_assert_no_error (error);
      g_assert_true (th_spake2p_compute_share (prover, share, &error));
      g_assert_false (th_spake2p_process_peer_share (prover, points[i], &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
      g_clear_error (&error);

      /* The same checks guard L in a stored verifier. */
      memcpy (stored + TH_SPAKE2P_W_LEN, points[i], TH_SPAKE2P_POINT_LEN);
      g_assert_null (th_spake2p_new_verifier (NULL, 0, NULL, 0, NULL, 0, stored, &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
      g_clear_error (&error);
    }

  /* Y = w0*N is on the curve but would leave the prover with Z = V = identity. */
  member_to_buffer (json_node_get_object (root), "N", n_point, sizeof n_point);
  w0_bn = BN_bin2bn (w0, sizeof w0, NULL);
  n = EC_POINT_new (group);
  product = EC_POINT_new (group);
  g_assert_true (EC_POINT_oct2point (group, n, n_point, sizeof n_point, NULL) == 1);
  g_assert_true (EC_POINT_mul (group, product, NULL, n, w0_bn, NULL) == 1);
  g_assert_cmpuint (EC_POINT_point2oct (group, product, POINT_CONVERSION_UNCOMPRESSED,
                                        degenerate, sizeof degenerate, NULL), ==,
                    sizeof degenerate);
  BN_free (w0_bn);
  EC_POINT_free (n);
  EC_POINT_free (product);
  {
    g_autoptr(ThSpake2p) prover = th_spake2p_new_prover (NULL, 0, NULL, 0, NULL, 0, w0, w1,
                                                         &error);

    g_assert_no_error (error);
    g_assert_true (th_spake2p_compute_share (prover, share, &error));
    g_assert_false (th_spake2p_process_peer_share (prover, degenerate, &error));
    g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
  }
}

static void
test_spake2p_invalid_scalars (void)
{
  guint8 zero[TH_SPAKE2P_W_LEN] = { 0 };
  guint8 w1[TH_SPAKE2P_W_LEN] = { [31] = 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ThSpake2p) prover = NULL;

  g_assert_null (th_spake2p_new_prover (NULL, 0, NULL, 0, NULL, 0, zero, w1, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
  g_clear_error (&error);

  prover = th_spake2p_new_prover (NULL, 0, NULL, 0, NULL, 0, w1, w1, &error);
  g_assert_no_error (error);
  g_assert_false (th_spake2p_set_ephemeral_scalar (prover, zero, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/crypto/random", test_random);
  g_test_add_func ("/crypto/constant-time-equal-and-wipe", test_constant_time_equal_and_wipe);
  g_test_add_func ("/crypto/sha256", test_sha256);
  g_test_add_func ("/crypto/hmac/rfc4231-case2", test_hmac_rfc4231_case2);
  g_test_add_func ("/crypto/hkdf/rfc5869-case1", test_hkdf_rfc5869_case1);
  g_test_add_func ("/crypto/hkdf/message-keys", test_hkdf_message_keys);
  g_test_add_func ("/crypto/pbkdf2/zero-iterations", test_pbkdf2_rejects_zero_iterations);
  g_test_add_func ("/crypto/aes-ccm/vectors", test_aes_ccm_vectors);
  g_test_add_func ("/crypto/aes-ccm/message-vectors", test_aes_ccm_message_vectors);
  g_test_add_func ("/crypto/aes-ctr/privacy", test_aes_ctr_privacy);
  g_test_add_func ("/crypto/p256/known-key", test_p256_known_key);
  g_test_add_func ("/crypto/p256/invalid-private", test_p256_invalid_private);
  g_test_add_func ("/crypto/p256/sign-verify", test_p256_sign_verify);
  g_test_add_func ("/crypto/p256/signature-der", test_p256_signature_der);
  g_test_add_func ("/crypto/p256/ecdh", test_p256_ecdh);
  g_test_add_func ("/crypto/p256/pkcs8", test_p256_pkcs8);
  g_test_add_func ("/crypto/p256/invalid-points", test_p256_invalid_points);
  g_test_add_func ("/crypto/spake2p/draft01-vectors", test_spake2p_draft01_vectors);
  g_test_add_func ("/crypto/spake2p/pbkdf2-vectors", test_spake2p_pbkdf2_vectors);
  g_test_add_func ("/crypto/spake2p/pase-sessions", test_spake2p_pase_sessions);
  g_test_add_func ("/crypto/spake2p/exchange", test_spake2p_exchange);
  g_test_add_func ("/crypto/spake2p/invalid-shares", test_spake2p_invalid_shares);
  g_test_add_func ("/crypto/spake2p/invalid-scalars", test_spake2p_invalid_scalars);

  return g_test_run ();
}
