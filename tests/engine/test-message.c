/* test-message.c: the message frame, its encryption, session keys and counters
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "messaging/th-message.h"
#include "messaging/th-message-counter.h"
#include "messaging/th-session-private.h"
#include "th-error.h"
#include "th-test-utils.h"

static JsonArray *
load_cases (const char *file,
            JsonNode  **root)
{
  *root = th_test_load_vectors (file);
  return json_object_get_array_member (json_node_get_object (*root), "cases");
}

static GBytes *
member_hex (JsonObject *object,
            const char *name)
{
  return th_test_hex_to_bytes (json_object_get_string_member (object, name));
}

static guint64
parse_leading_u64 (const char *text)
{
  return g_ascii_strtoull (text, NULL, 0);
}

/* Node ids are written "5936706156730294398 (0x52636acba7c8a07e)". */
static guint64
member_u64 (JsonObject *object,
            const char *name)
{
  return parse_leading_u64 (json_object_get_string_member (object, name));
}

/* The vectors write flags as "0x05 (I|R)": the number comes first. */
static guint
member_uint (JsonObject *object,
             const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return (guint) parse_leading_u64 (json_node_get_string (node));
  return (guint) json_node_get_int (node);
}

static void
test_codec_vectors (void)
{
  g_autoptr(JsonNode) root = NULL;
  JsonArray *cases = load_cases ("message/message_codec_vectors.json", &root);

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      JsonObject *decoded = json_object_get_object_member (c, "decoded");
      g_autoptr(GBytes) encoded = member_hex (c, "encodedHex");
      g_autoptr(GByteArray) again = g_byte_array_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(ThMessage) message = NULL;
      ThMessageHeader header;
      ThProtocolHeader protocol;
      gsize header_len, protocol_len, len;
      const guint8 *data = g_bytes_get_data (encoded, &len);

      g_test_message ("%s", json_object_get_string_member (c, "name"));

      g_assert_true (th_message_header_decode (&header, data, len, &header_len, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (th_message_header_get_size (&header), ==, header_len);
      g_assert_true (th_protocol_header_decode (&protocol, data + header_len, len - header_len,
                                                &protocol_len, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (th_protocol_header_get_size (&protocol), ==, protocol_len);

      if (json_object_has_member (decoded, "sessionId"))
        g_assert_cmpuint (header.session_id, ==, member_uint (decoded, "sessionId"));
      if (json_object_has_member (decoded, "securityFlags"))
        g_assert_cmpuint (header.security_flags, ==, member_uint (decoded, "securityFlags"));
      if (json_object_has_member (decoded, "messageCounter"))
        g_assert_cmpuint (header.counter, ==, member_uint (decoded, "messageCounter"));
      if (json_object_has_member (decoded, "sourceNodeId"))
        {
          g_assert_true (header.has_source_node_id);
          g_assert_cmpuint (header.source_node_id, ==,
                            member_u64 (decoded, "sourceNodeId"));
        }
      if (json_object_has_member (decoded, "destinationNodeId"))
        {
          g_assert_true (header.has_destination_node_id);
          g_assert_false (header.has_source_node_id);
          g_assert_cmpuint (header.destination_node_id, ==,
                            member_u64 (decoded, "destinationNodeId"));
        }
      if (json_object_has_member (decoded, "messageExtensionHex"))
        {
          g_autoptr(GBytes) ext = member_hex (decoded, "messageExtensionHex");

          g_assert_true (header.security_flags & TH_SECURITY_FLAG_EXTENSIONS);
          th_assert_bytes_equal (header.extensions, header.extensions_len,
                                 g_bytes_get_data (ext, NULL), g_bytes_get_size (ext));
        }
      if (json_object_has_member (decoded, "exchangeFlags"))
        g_assert_cmpuint (protocol.exchange_flags, ==, member_uint (decoded, "exchangeFlags"));
      if (json_object_has_member (decoded, "opcode"))
        g_assert_cmpuint (protocol.opcode, ==, member_uint (decoded, "opcode"));
      if (json_object_has_member (decoded, "exchangeId"))
        g_assert_cmpuint (protocol.exchange_id, ==, member_uint (decoded, "exchangeId"));
      if (json_object_has_member (decoded, "protocolId"))
        g_assert_cmpuint (protocol.protocol_id, ==, member_uint (decoded, "protocolId"));
      if (json_object_has_member (decoded, "ackedMessageCounter"))
        {
          g_assert_true (protocol.exchange_flags & TH_EXCHANGE_FLAG_ACK);
          g_assert_cmpuint (protocol.ack_counter, ==, member_uint (decoded, "ackedMessageCounter"));
        }
      if (json_object_has_member (decoded, "securedExtensionHex"))
        {
          g_autoptr(GBytes) ext = member_hex (decoded, "securedExtensionHex");

          th_assert_bytes_equal (protocol.secured_extensions, protocol.secured_extensions_len,
                                 g_bytes_get_data (ext, NULL), g_bytes_get_size (ext));
        }
      if (json_object_has_member (decoded, "payloadHex"))
        {
          g_autoptr(GBytes) payload = member_hex (decoded, "payloadHex");

          th_assert_bytes_equal (data + header_len + protocol_len, len - header_len - protocol_len,
                                 g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
        }

      /* The whole-message decoder agrees, and encoding gives the same bytes back. */
      message = th_message_decode (encoded, NULL, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (message->header.counter, ==, header.counter);
      g_assert_cmpuint (message->protocol.opcode, ==, protocol.opcode);
      g_assert_cmpuint (g_bytes_get_size (message->payload), ==, len - header_len - protocol_len);

      g_assert_true (th_message_header_encode (&header, again, &error));
      g_assert_true (th_protocol_header_encode (&protocol, again, &error));
      g_assert_no_error (error);
      g_byte_array_append (again, data + header_len + protocol_len,
                           (guint) (len - header_len - protocol_len));
      th_assert_bytes_equal (again->data, again->len, data, len);
    }
}

static void
assert_header_error (const char *hex,
                     const char *expected_part)
{
  g_autoptr(GBytes) bytes = th_test_hex_to_bytes (hex);
  g_autoptr(GError) error = NULL;
  ThMessageHeader header;
  gsize header_len = 12345;

  g_assert_false (th_message_header_decode (&header, g_bytes_get_data (bytes, NULL),
                                            g_bytes_get_size (bytes), &header_len, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID);
  g_assert_cmpuint (header_len, ==, 12345);
  g_test_message ("%s: %s", hex, error->message);
  g_assert_nonnull (strstr (error->message, expected_part));
}

static void
test_codec_errors (void)
{
  g_autoptr(JsonNode) root = NULL;
  JsonArray *cases = load_cases ("message/message_codec_vectors.json", &root);

  /* Every truncation of every vector fails cleanly, naming where the data ran out. */
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      g_autoptr(GBytes) encoded = member_hex (c, "encodedHex");
      gsize len;
      const guint8 *data = g_bytes_get_data (encoded, &len);
      ThMessageHeader header;
      ThProtocolHeader protocol;
      gsize header_len, protocol_len;

      g_assert_true (th_message_header_decode (&header, data, len, &header_len, NULL));
      g_assert_true (th_protocol_header_decode (&protocol, data + header_len, len - header_len,
                                                &protocol_len, NULL));
      for (gsize cut = 0; cut < header_len; cut++)
        {
          g_autoptr(GError) error = NULL;

          g_assert_false (th_message_header_decode (&header, data, cut, &header_len, &error));
          g_assert_error (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID);
          g_assert_nonnull (strstr (error->message, "message header ends too early"));
        }
      for (gsize cut = 0; cut < protocol_len; cut++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GBytes) part = g_bytes_new (data, header_len + cut);

          g_assert_false (th_protocol_header_decode (&protocol, data + header_len, cut,
                                                     &protocol_len, &error));
          g_assert_error (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID);
          g_assert_nonnull (strstr (error->message, "protocol header ends too early"));
          g_clear_error (&error);
          g_assert_null (th_message_decode (part, NULL, 0, &error));
          g_assert_error (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID);
        }
    }

  assert_header_error ("", "message flags needs bytes 0 to 0");
  assert_header_error ("04000000", "message counter needs bytes 4 to 7");
  assert_header_error ("040000000a4ff217", "source node id needs bytes 8 to 15");
  assert_header_error ("1000000001000000", "version in byte 0 is 1");
  assert_header_error ("0300000001000000", "reserved value 3");
  assert_header_error ("0000000201000000", "session type in the security flags (byte 3)");
  assert_header_error ("0200000001000000", "unicast message carries a destination group id");
  assert_header_error ("0100000101000000" "0000000000000000", "group message must carry");
  assert_header_error ("0000002001000000" "0500", "message extensions needs bytes 10 to 14");
  assert_header_error ("0000002001000000" "05", "message extensions length needs bytes 8 to 9");
}

static void
test_codec_encode_errors (void)
{
  ThMessageHeader header = { 0 };
  ThProtocolHeader protocol = { 0 };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  guint8 ext[3] = { 1, 2, 3 };

  header.has_destination_node_id = TRUE;
  header.has_destination_group_id = TRUE;
  g_assert_false (th_message_header_encode (&header, out, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID);
  g_clear_error (&error);

  header = (ThMessageHeader) { 0 };
  header.extensions = ext;
  header.extensions_len = sizeof ext;
  g_assert_false (th_message_header_encode (&header, out, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID);
  g_assert_nonnull (strstr (error->message, "MX"));
  g_clear_error (&error);

  protocol.secured_extensions = ext;
  protocol.secured_extensions_len = sizeof ext;
  g_assert_false (th_protocol_header_encode (&protocol, out, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID);
  g_assert_nonnull (strstr (error->message, "SX"));
  g_clear_error (&error);

  /* The vendor id goes before the protocol id. */
  protocol = (ThProtocolHeader) { 0 };
  protocol.exchange_flags = TH_EXCHANGE_FLAG_VENDOR | TH_EXCHANGE_FLAG_INITIATOR;
  protocol.opcode = 0x42;
  protocol.exchange_id = 0x1234;
  protocol.vendor_id = 0xfff1;
  protocol.protocol_id = 0x8001;
  g_assert_true (th_protocol_header_encode (&protocol, out, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) expected = th_test_hex_to_bytes ("11423412f1ff0180");
    ThProtocolHeader back;
    gsize len;

    th_assert_bytes_equal (out->data, out->len, g_bytes_get_data (expected, NULL), 8);
    g_assert_true (th_protocol_header_decode (&back, out->data, out->len, &len, NULL));
    g_assert_cmpuint (back.vendor_id, ==, 0xfff1);
    g_assert_cmpuint (back.protocol_id, ==, 0x8001);
  }
}

static void
test_encryption_vectors (void)
{
  g_autoptr(JsonNode) root = NULL;
  JsonArray *cases = load_cases ("message/message_encryption_vectors.json", &root);

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *name = json_object_get_string_member (c, "name");
      g_autoptr(GBytes) key = member_hex (c, "encryptionKey");
      g_autoptr(GBytes) encrypted = member_hex (c, "encryptedMessageHex");
      g_autoptr(GBytes) obfuscated = member_hex (c, "privacyObfuscatedMessageHex");
      g_autoptr(GBytes) plain = member_hex (c, "plainMessageHex");
      g_autoptr(GBytes) nonce_expected = member_hex (c, "nonceActuallyUsed_derived");
      g_autoptr(GBytes) body_expected = member_hex (c, "protocolHeaderPlusPayloadHex");
      gboolean accept = json_object_get_boolean_member (c, "receiverShouldAccept");
      gboolean reproduces = json_object_get_boolean_member (c, "encryption"
                                                            "ReproducesEncryptedMessage");
      gboolean privacy;
      g_autoptr(GError) error = NULL;
      g_autoptr(ThMessage) message = NULL;
      ThMessageHeader header;
      gsize header_len;
      guint64 node_id;
      guint8 nonce[TH_MESSAGE_NONCE_LEN];

      g_test_message ("%s", name);

      g_assert_true (th_message_header_decode (&header, g_bytes_get_data (encrypted, NULL),
                                               g_bytes_get_size (encrypted), &header_len, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (header.session_id, ==, json_object_get_int_member (c, "sessionId"));
      node_id = header.has_source_node_id ? header.source_node_id : TH_NODE_ID_UNSPECIFIED;
      privacy = (header.security_flags & TH_SECURITY_FLAG_PRIVACY) != 0;

      th_message_build_nonce (nonce, header.security_flags, header.counter, node_id);
      th_assert_bytes_equal (nonce, sizeof nonce, g_bytes_get_data (nonce_expected, NULL),
                             g_bytes_get_size (nonce_expected));

      /* The MIC is checked over the unobfuscated header; the privacy layer on top of it is
       * not implemented, so the obfuscated form is only told apart, not read. */
      message = th_message_decode (encrypted, g_bytes_get_data (key, NULL), node_id, &error);
      if (privacy)
        {
          g_assert_false (g_bytes_equal (obfuscated, encrypted));
          g_test_message ("  skipped: reading the privacy-obfuscated form needs message "
                          "privacy (AES-CTR over the header), which is not supported yet; "
                          "the exchange manager drops privacy-flagged messages");
        }
      if (!accept && !privacy)
        {
          g_assert_null (message);
          g_assert_error (error, TH_ERROR, TH_ERROR_CRYPTO_AUTH);
          g_assert_nonnull (strstr (error->message, "integrity check"));
          continue;
        }
      /* The PASE privacy case must be dropped, and is, by the manager, for its P flag; its
       * MIC itself is fine. */
      g_assert_no_error (error);
      th_assert_bytes_equal (g_bytes_get_data (message->payload, NULL),
                             g_bytes_get_size (message->payload),
                             (const guint8 *) g_bytes_get_data (body_expected, NULL) + 6,
                             g_bytes_get_size (body_expected) - 6);
      {
        /* Re-encrypting the plain message gives the vector's bytes. */
        g_autoptr(GBytes) again = NULL;
        ThMessageHeader plain_header;
        ThProtocolHeader plain_protocol;
        gsize plain_header_len, protocol_len, plain_len;
        const guint8 *p = g_bytes_get_data (plain, &plain_len);

        g_assert_true (th_message_header_decode (&plain_header, p, plain_len, &plain_header_len,
                                                 NULL));
        g_assert_true (th_protocol_header_decode (&plain_protocol, p + plain_header_len,
                                                  plain_len - plain_header_len, &protocol_len,
                                                  NULL));
        g_assert_cmpuint (plain_protocol.opcode, ==, message->protocol.opcode);
        g_assert_cmpuint (plain_protocol.exchange_id, ==, message->protocol.exchange_id);
        again = th_message_encode (&plain_header, &plain_protocol,
                                   p + plain_header_len + protocol_len,
                                   plain_len - plain_header_len - protocol_len,
                                   g_bytes_get_data (key, NULL), node_id, &error);
        g_assert_no_error (error);
        g_assert_true (reproduces);
        g_assert_true (g_bytes_equal (again, encrypted));
      }
    }
}

static void
test_secure_session_vector (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("message/secure_session_vectors.json");
  JsonObject *decrypt = json_object_get_object_member (json_node_get_object (root), "decrypt");
  JsonObject *encrypt = json_object_get_object_member (json_node_get_object (root), "encrypt");
  g_autoptr(GBytes) decrypt_key = member_hex (decrypt, "decryptKey");
  g_autoptr(GBytes) encrypt_key = member_hex (encrypt, "encryptKey");
  g_autoptr(GBytes) received = member_hex (decrypt, "encryptedMessageHex");
  g_autoptr(GBytes) payload_expected = member_hex (decrypt, "decryptedPayloadHex");
  g_autoptr(GBytes) reply_payload = member_hex (encrypt, "payloadHex");
  g_autoptr(GBytes) reply_expected = member_hex (encrypt, "expectedCiphertextPlusMicHex");
  g_autoptr(GBytes) reply_header_expected = member_hex (encrypt, "messageHeaderHex_derived");
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(ThMessage) message = NULL;
  g_autoptr(ThSession) session = NULL;
  g_autoptr(GError) error = NULL;
  ThSessionKeys keys = { 0 };
  ThSecureSessionConfig config = { 0 };
  ThMessageHeader header = { 0 };
  ThProtocolHeader protocol = { 0 };
  gsize header_len;

  /* matter.js' side of the vector is the session initiator: it decrypts with R2I. */
  memcpy (keys.i2r_key, g_bytes_get_data (encrypt_key, NULL), TH_SESSION_KEY_LEN);
  memcpy (keys.r2i_key, g_bytes_get_data (decrypt_key, NULL), TH_SESSION_KEY_LEN);
  config.kind = TH_SESSION_KIND_CASE;
  config.local_session_id = (guint16) json_object_get_int_member (decrypt, "sessionId");
  config.peer_session_id = (guint16) json_object_get_int_member (encrypt, "peerSessionId");
  config.is_initiator = TRUE;
  config.keys = &keys;
  session = th_session_new_secure (&config, 0, 0);

  message = th_session_decode (session, received, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (message->header.session_id, ==, config.local_session_id);
  g_assert_cmpuint (message->header.counter, ==,
                    json_object_get_int_member (decrypt, "messageCounter"));
  g_assert_cmpuint (message->protocol.exchange_flags, ==,
                    TH_EXCHANGE_FLAG_INITIATOR | TH_EXCHANGE_FLAG_RELIABLE);
  g_assert_cmpuint (message->protocol.opcode, ==, TH_IM_READ_REQUEST);
  g_assert_cmpuint (message->protocol.exchange_id, ==, 0x048d);
  g_assert_cmpuint (message->protocol.protocol_id, ==, TH_PROTOCOL_INTERACTION_MODEL);
  g_assert_true (g_bytes_equal (message->payload, payload_expected));
  g_assert_true (th_session_accept_counter (session, message->header.counter, &error));
  g_assert_false (th_session_accept_counter (session, message->header.counter, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_MESSAGE_DUPLICATE);
  g_clear_error (&error);

  /* The reply, byte for byte: ReportData acknowledging the request. */
  header.session_id = config.peer_session_id;
  header.counter = (guint32) json_object_get_int_member (encrypt, "messageCounter");
  protocol.exchange_flags = TH_EXCHANGE_FLAG_ACK | TH_EXCHANGE_FLAG_RELIABLE;
  protocol.opcode = TH_IM_REPORT_DATA;
  protocol.exchange_id = 0x048d;
  protocol.protocol_id = TH_PROTOCOL_INTERACTION_MODEL;
  protocol.ack_counter = message->header.counter;
  reply = th_message_encode (&header, &protocol, g_bytes_get_data (reply_payload, NULL),
                             g_bytes_get_size (reply_payload), keys.i2r_key,
                             TH_NODE_ID_UNSPECIFIED, &error);
  g_assert_no_error (error);
  g_assert_true (th_message_header_decode (&header, g_bytes_get_data (reply, NULL),
                                           g_bytes_get_size (reply), &header_len, NULL));
  th_assert_bytes_equal (g_bytes_get_data (reply, NULL), header_len,
                         g_bytes_get_data (reply_header_expected, NULL),
                         g_bytes_get_size (reply_header_expected));
  th_assert_bytes_equal ((const guint8 *) g_bytes_get_data (reply, NULL) + header_len,
                         g_bytes_get_size (reply) - header_len,
                         g_bytes_get_data (reply_expected, NULL),
                         g_bytes_get_size (reply_expected));

  /* The same reply from the session itself differs only in its counter. */
  {
    g_autoptr(GBytes) from_session = NULL;
    guint32 counter = 0;

    from_session = th_session_encode (session, NULL, &protocol, reply_payload, &counter,
                                      &error);
    g_assert_no_error (error);
    g_assert_cmpuint (counter, ==, 1);
    g_assert_cmpuint (g_bytes_get_size (from_session), ==, g_bytes_get_size (reply));
  }

  th_session_keys_clear (&keys);
}

static void
test_session_keys (void)
{
  /* Expected values computed independently with Python cryptography's HKDF. */
  static const struct {
    const char *secret;
    const char *salt;
    const char *keys;
  } cases[] = {
    /* PASE: Ke of the first session in pase/pase_session_vectors.json, no salt */
    { "09609b30d7aa5d1a65550aed6ad4766b", "",
      "b03f700bae9a3fd1a72a55e10d73b0a6abbf4a36abc099a5a7e2dac8b3d138fc"
      "750257bcfca549ba7025f11634026daa" },
    /* CASE-like: a 32-byte secret and a 48-byte salt */
    { "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
      "000102030405060708090a0b0c0d0e0f"
      "0000000000000000000000000000000000000000000000000000000000000000",
      "36696e9f73283f6631a0d6286c0cc667f64d06c95054435fd071c6cbe0d0efc8"
      "53dea08318aadd9f59a03c2ab0921138" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) secret = th_test_hex_to_bytes (cases[i].secret);
      g_autoptr(GBytes) salt = th_test_hex_to_bytes (cases[i].salt);
      g_autoptr(GBytes) expected = th_test_hex_to_bytes (cases[i].keys);
      const guint8 *e = g_bytes_get_data (expected, NULL);
      g_autoptr(GError) error = NULL;
      ThSessionKeys keys;
      const guint8 zero[TH_SESSION_KEY_LEN] = { 0 };

      g_assert_true (th_session_keys_derive (g_bytes_get_data (secret, NULL),
                                             g_bytes_get_size (secret),
                                             g_bytes_get_data (salt, NULL),
                                             g_bytes_get_size (salt), &keys, &error));
      g_assert_no_error (error);
      th_assert_bytes_equal (keys.i2r_key, 16, e, 16);
      th_assert_bytes_equal (keys.r2i_key, 16, e + 16, 16);
      th_assert_bytes_equal (keys.attestation_challenge, 16, e + 32, 16);
      th_session_keys_clear (&keys);
      th_assert_bytes_equal (keys.i2r_key, 16, zero, 16);
      th_assert_bytes_equal (keys.attestation_challenge, 16, zero, 16);
    }
}

static void
test_counter_initial (void)
{
  ThMessageCounter counter;
  guint32 value;
  guint32 seed = th_test_seed ();
  GRand *rand = g_rand_new_with_seed (seed);

  th_message_counter_init (&counter, TH_MESSAGE_COUNTER_SECURE_SESSION, 0);
  g_assert_true (th_message_counter_next (&counter, &value, NULL));
  g_assert_cmpuint (value, ==, 1);
  th_message_counter_init (&counter, TH_MESSAGE_COUNTER_UNENCRYPTED, G_MAXUINT32);
  g_assert_true (th_message_counter_next (&counter, &value, NULL));
  g_assert_cmpuint (value, ==, 1u << 28);

  for (guint i = 0; i < 1000; i++)
    {
      guint32 random = g_rand_int (rand);

      th_message_counter_init (&counter, i % 2 ? TH_MESSAGE_COUNTER_SECURE_SESSION
                                               : TH_MESSAGE_COUNTER_UNENCRYPTED, random);
      g_assert_true (th_message_counter_next (&counter, &value, NULL));
      g_assert_cmpuint (value, >=, 1);
      g_assert_cmpuint (value, <=, 1u << 28);
      g_assert_cmpuint (value, ==, (random & 0x0fffffff) + 1);
      g_assert_true (th_message_counter_next (&counter, &value, NULL));
      g_assert_cmpuint (value, ==, (random & 0x0fffffff) + 2);
    }
  g_rand_free (rand);
}

static void
test_counter_end (void)
{
  ThMessageCounter counter;
  g_autoptr(GError) error = NULL;
  guint32 value;

  /* A secure session may use 0xffffffff, then must stop. */
  th_message_counter_init (&counter, TH_MESSAGE_COUNTER_SECURE_SESSION, 0);
  counter.next = G_MAXUINT32 - 1;
  g_assert_true (th_message_counter_next (&counter, &value, &error));
  g_assert_cmpuint (value, ==, G_MAXUINT32 - 1);
  g_assert_true (th_message_counter_next (&counter, &value, &error));
  g_assert_cmpuint (value, ==, G_MAXUINT32);
  g_assert_false (th_message_counter_next (&counter, &value, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_SESSION_CLOSED);

  /* The unencrypted counter rolls over. */
  th_message_counter_init (&counter, TH_MESSAGE_COUNTER_UNENCRYPTED, 0);
  counter.next = G_MAXUINT32;
  g_assert_true (th_message_counter_next (&counter, &value, NULL));
  g_assert_cmpuint (value, ==, G_MAXUINT32);
  g_assert_true (th_message_counter_next (&counter, &value, NULL));
  g_assert_cmpuint (value, ==, 0);
}

static gboolean
accept (ThMessageReceptionState *state,
        guint32                  counter)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = th_message_reception_state_accept (state, counter, &error);

  if (!ok)
    g_assert_error (error, TH_ERROR, TH_ERROR_MESSAGE_DUPLICATE);
  else
    g_assert_no_error (error);
  return ok;
}

static void
test_duplicates_secure (void)
{
  ThMessageReceptionState state;

  th_message_reception_state_init (&state, TH_MESSAGE_RECEPTION_SECURE_UNICAST);
  g_assert_false (accept (&state, 0));
  g_assert_true (accept (&state, 1000));
  g_assert_false (accept (&state, 1000));
  /* Late arrivals within the window: once each. */
  g_assert_true (accept (&state, 999));
  g_assert_false (accept (&state, 999));
  g_assert_true (accept (&state, 1000 - 32));
  g_assert_false (accept (&state, 1000 - 32));
  /* Behind the window: never, in an encrypted session. */
  g_assert_false (accept (&state, 1000 - 33));
  g_assert_false (accept (&state, 1));
  /* Moving ahead keeps what the window remembers. */
  g_assert_true (accept (&state, 1002));
  g_assert_false (accept (&state, 999));
  g_assert_false (accept (&state, 1000));
  g_assert_true (accept (&state, 1001));
  g_assert_false (accept (&state, 1000 - 32));
  g_assert_true (accept (&state, 1002 - 32));
  /* A jump of more than the window forgets everything behind it. */
  g_assert_true (accept (&state, 1002 + 33));
  g_assert_true (accept (&state, 1002 + 1));
  g_assert_false (accept (&state, 1002));
  /* A jump of exactly the window keeps the old maximum as its last bit. */
  g_assert_true (accept (&state, 1035 + 32));
  g_assert_false (accept (&state, 1035));
  g_assert_true (accept (&state, 1036));
  /* No wrapping around in a secure session. */
  g_assert_true (accept (&state, G_MAXUINT32));
  g_assert_false (accept (&state, 0));
  g_assert_false (accept (&state, 5));
}

static void
test_duplicates_unsecured (void)
{
  ThMessageReceptionState state;

  th_message_reception_state_init (&state, TH_MESSAGE_RECEPTION_UNENCRYPTED);
  /* The first counter is taken as it comes, even 0. */
  g_assert_true (accept (&state, 0));
  g_assert_false (accept (&state, 0));
  g_assert_true (accept (&state, 100));
  g_assert_true (accept (&state, 90));
  g_assert_false (accept (&state, 90));
  g_assert_false (accept (&state, 100));
  /* Behind the window: a peer that restarted; the window moves back to it. */
  g_assert_true (accept (&state, 5));
  g_assert_false (accept (&state, 5));
  g_assert_true (accept (&state, 6));
  g_assert_true (accept (&state, 100));
  /* Rolling over: 5 after 0xfffffff0 is ahead. */
  g_assert_true (accept (&state, 0xfffffff0u));
  g_assert_true (accept (&state, 5));
  g_assert_false (accept (&state, 0xfffffff0u));
  g_assert_true (accept (&state, 0xfffffff1u));
  g_assert_false (accept (&state, 0xfffffff1u));
  g_assert_false (accept (&state, 5));
}

static void
test_describe (void)
{
  struct { guint16 protocol; guint8 opcode; const char *text; } cases[] = {
    { TH_PROTOCOL_SECURE_CHANNEL, TH_SECURE_CHANNEL_PBKDF_PARAM_REQUEST,
      "Secure Channel PBKDFParamRequest" },
    { TH_PROTOCOL_SECURE_CHANNEL, TH_SECURE_CHANNEL_STANDALONE_ACK,
      "Secure Channel MRP Standalone Acknowledgement" },
    { TH_PROTOCOL_SECURE_CHANNEL, 0x77, "Secure Channel opcode 0x77" },
    { TH_PROTOCOL_INTERACTION_MODEL, TH_IM_INVOKE_REQUEST, "Interaction Model InvokeRequest" },
    { TH_PROTOCOL_BDX, 0x01, "BDX opcode 0x01" },
    { 0x1234, 0x05, "protocol 0x1234 opcode 0x05" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = th_message_describe_type (cases[i].protocol, cases[i].opcode);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/message/codec/vectors", test_codec_vectors);
  g_test_add_func ("/message/codec/errors", test_codec_errors);
  g_test_add_func ("/message/codec/encode-errors", test_codec_encode_errors);
  g_test_add_func ("/message/encryption/vectors", test_encryption_vectors);
  g_test_add_func ("/message/encryption/secure-session", test_secure_session_vector);
  g_test_add_func ("/message/session-keys", test_session_keys);
  g_test_add_func ("/message/counter/initial", test_counter_initial);
  g_test_add_func ("/message/counter/end", test_counter_end);
  g_test_add_func ("/message/duplicates/secure", test_duplicates_secure);
  g_test_add_func ("/message/duplicates/unsecured", test_duplicates_unsecured);
  g_test_add_func ("/message/describe", test_describe);

  return g_test_run ();
}
