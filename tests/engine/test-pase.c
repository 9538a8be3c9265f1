/* test-pase.c: PASE messages, status reports, and the initiator against a responder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "crypto/th-crypto.h"
#include "messaging/th-message.h"
#include "secure-channel/th-pase-initiator.h"
#include "secure-channel/th-pase-messages.h"
#include "secure-channel/th-pase-responder.h"
#include "secure-channel/th-status-report.h"
#include "th-error.h"
#include "th-test-utils.h"

#define VECTOR_PASSCODE 20202021

/* Passcodes, salts and PBKDF parameters of the in-process handshakes. */
static GRand *rng;

static GBytes *
vector_bytes (JsonObject *object,
              const char *member)
{
  return th_test_hex_to_bytes (json_object_get_string_member (object, member));
}

static void
copy_vector (JsonObject *object,
             const char *member,
             guint8     *out,
             gsize       len)
{
  g_autoptr(GBytes) bytes = vector_bytes (object, member);

  g_assert_cmpuint (g_bytes_get_size (bytes), ==, len);
  memcpy (out, g_bytes_get_data (bytes, NULL), len);
}

static void
assert_gbytes_equal (GBytes *a,
                     GBytes *b)
{
  gsize alen, blen;
  const guint8 *adata = g_bytes_get_data (a, &alen);
  const guint8 *bdata = g_bytes_get_data (b, &blen);

  th_assert_bytes_equal (adata, alen, bdata, blen);
}

/* A device: its passcode's PBKDF parameters and verifier. */
typedef struct
{
  ThPbkdfParameters pbkdf;
  guint8 verifier[TH_SPAKE2P_VERIFIER_LEN];
} Device;

static void
device_init (Device  *device,
             guint32  passcode,
             guint32  iterations,
             gsize    salt_len)
{
  g_autoptr(GError) error = NULL;

  device->pbkdf.iterations = iterations;
  device->pbkdf.salt_len = salt_len;
  for (gsize i = 0; i < salt_len; i++)
    device->pbkdf.salt[i] = (guint8) g_rand_int (rng);
  g_assert_true (th_spake2p_compute_verifier (passcode, device->pbkdf.salt, salt_len,
                                              iterations, device->verifier, &error));
  g_assert_no_error (error);
}

static ThPaseResponder *
device_new_responder (Device                    *device,
                      guint16                    session_id,
                      const ThSessionParameters *parameters)
{
  g_autoptr(GError) error = NULL;
  ThPaseResponder *responder = th_pase_responder_new (device->verifier, &device->pbkdf,
                                                      session_id, parameters, &error);

  g_assert_no_error (error);
  return responder;
}

static ThPaseInitiator *
new_initiator (guint32                  passcode,
               guint16                  session_id,
               const ThPbkdfParameters *pbkdf)
{
  g_autoptr(GError) error = NULL;
  ThPaseInitiator *initiator = th_pase_initiator_new (passcode, session_id, pbkdf, NULL,
                                                      &error);

  g_assert_no_error (error);
  return initiator;
}

/* Changes a message on its way; returns a new payload or NULL to leave it. */
typedef GBytes *(*TamperFunc) (guint8    opcode,
                               GBytes   *payload,
                               gpointer  user_data);

typedef struct
{
  ThPaseResult result;        /* CONTINUE: the side never finished */
  GError *error;
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_clear_error (&outcome->error);
}

/* Passes messages between the two until neither has anything more to send. */
static void
run_handshake (ThPaseInitiator *initiator,
               ThPaseResponder *responder,
               TamperFunc       tamper,
               gpointer         tamper_data,
               Outcome         *initiator_outcome,
               Outcome         *responder_outcome)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = NULL;
  guint8 opcode = TH_SECURE_CHANNEL_PBKDF_PARAM_REQUEST;
  gboolean to_responder = TRUE;

  *initiator_outcome = (Outcome) { TH_PASE_CONTINUE, NULL };
  *responder_outcome = (Outcome) { TH_PASE_CONTINUE, NULL };

  payload = th_pase_initiator_start (initiator, &error);
  g_assert_no_error (error);

  while (payload != NULL)
    {
      g_autoptr(GBytes) reply = NULL;
      guint8 reply_opcode = 0;
      Outcome *outcome = to_responder ? responder_outcome : initiator_outcome;
      GBytes *changed = tamper != NULL ? tamper (opcode, payload, tamper_data) : NULL;

      if (changed != NULL)
        {
          g_bytes_unref (payload);
          payload = changed;
        }
      if (to_responder)
        outcome->result = th_pase_responder_process (responder, opcode, payload,
                                                     &reply_opcode, &reply, &outcome->error);
      else
        outcome->result = th_pase_initiator_process (initiator, opcode, payload,
                                                     &reply_opcode, &reply, &outcome->error);
      g_assert_true ((outcome->result == TH_PASE_FAILED) == (outcome->error != NULL));

      g_clear_pointer (&payload, g_bytes_unref);
      payload = g_steal_pointer (&reply);
      opcode = reply_opcode;
      to_responder = !to_responder;
    }
}

static void
assert_established (ThPaseInitiator *initiator,
                    ThPaseResponder *responder,
                    guint16          initiator_session_id,
                    guint16          responder_session_id)
{
  ThSessionKeys initiator_keys;
  ThSessionKeys responder_keys;

  g_assert_cmpint (th_pase_initiator_get_state (initiator), ==, TH_PASE_INITIATOR_ESTABLISHED);
  g_assert_cmpint (th_pase_responder_get_state (responder), ==, TH_PASE_RESPONDER_ESTABLISHED);
  g_assert_cmpuint (th_pase_initiator_get_peer_session_id (initiator), ==,
                    responder_session_id);
  g_assert_cmpuint (th_pase_responder_get_peer_session_id (responder), ==,
                    initiator_session_id);

  th_pase_initiator_get_session_keys (initiator, &initiator_keys);
  th_pase_responder_get_session_keys (responder, &responder_keys);
  g_assert_cmpmem (&initiator_keys, sizeof initiator_keys,
                   &responder_keys, sizeof responder_keys);
  g_assert_true (memcmp (initiator_keys.i2r_key, initiator_keys.r2i_key,
                         TH_SESSION_KEY_LEN) != 0);
  th_session_keys_clear (&initiator_keys);
  th_session_keys_clear (&responder_keys);
}

/* The two matter.js exchanges */

/* The initiator, given the request's random and session id, sends the very request of the
 * capture, takes the device's response and reaches the capture's context hash. */
static void
test_vectors_initiator (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("pase/pase_session_vectors.json");
  JsonArray *sessions = json_object_get_array_member (json_node_get_object (root),
                                                      "sessions");

  g_assert_cmpuint (json_array_get_length (sessions), ==, 2);
  for (guint i = 0; i < json_array_get_length (sessions); i++)
    {
      JsonObject *session = json_array_get_object_element (sessions, i);
      g_autoptr(GBytes) request_tlv = vector_bytes (session, "pbkdfParamRequestTlv");
      g_autoptr(GBytes) response_tlv = vector_bytes (session, "pbkdfParamResponseTlv");
      g_autoptr(GBytes) context = vector_bytes (session, "contextHash_derived");
      g_autoptr(GBytes) request = NULL;
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(ThPaseInitiator) initiator = NULL;
      g_autoptr(GError) error = NULL;
      ThPbkdfParamRequest decoded;
      ThPbkdfParamResponse response;
      ThPake1 pake1;
      guint8 reply_opcode = 0;

      g_test_message ("%s", json_object_get_string_member (session, "name"));
      g_assert_true (th_pbkdf_param_request_decode (&decoded,
                                                    g_bytes_get_data (request_tlv, NULL),
                                                    g_bytes_get_size (request_tlv), &error));
      g_assert_no_error (error);
      g_assert_cmpuint (decoded.passcode_id, ==, 0);
      g_assert_false (decoded.has_pbkdf_parameters);
      g_assert_false (decoded.has_session_parameters);

      initiator = new_initiator (json_object_get_int_member (session, "passcode"),
                                 decoded.initiator_session_id, NULL);
      th_pase_initiator_set_test_randomness (initiator, decoded.initiator_random, NULL);
      request = th_pase_initiator_start (initiator, &error);
      g_assert_no_error (error);
      assert_gbytes_equal (request, request_tlv);

      g_assert_cmpint (th_pase_initiator_process (initiator,
                                                  TH_SECURE_CHANNEL_PBKDF_PARAM_RESPONSE,
                                                  response_tlv, &reply_opcode, &reply,
                                                  &error), ==, TH_PASE_CONTINUE);
      g_assert_no_error (error);
      g_assert_cmpuint (reply_opcode, ==, TH_SECURE_CHANNEL_PASE_PAKE1);
      th_assert_bytes_equal (th_pase_initiator_get_context (initiator), TH_SHA256_LEN,
                             g_bytes_get_data (context, NULL), g_bytes_get_size (context));
      g_assert_true (th_pbkdf_param_response_decode (&response,
                                                     g_bytes_get_data (response_tlv, NULL),
                                                     g_bytes_get_size (response_tlv),
                                                     &error));
      g_assert_cmpuint (th_pase_initiator_get_peer_session_id (initiator), ==,
                        response.responder_session_id);
      g_assert_true (th_pake1_decode (&pake1, g_bytes_get_data (reply, NULL),
                                      g_bytes_get_size (reply), &error));
      g_assert_no_error (error);
      g_assert_cmpuint (pake1.pa[0], ==, 0x04);
    }
}

/* The responder, given the device's random and scalar y, sends the capture's response and
 * Pake2 (Y and cB), accepts the capture's cA, and derives the session keys from its Ke. */
static void
test_vectors_responder (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("pase/pase_session_vectors.json");
  JsonArray *sessions = json_object_get_array_member (json_node_get_object (root),
                                                      "sessions");

  for (guint i = 0; i < json_array_get_length (sessions); i++)
    {
      JsonObject *session = json_array_get_object_element (sessions, i);
      JsonObject *derived = json_object_get_object_member (session, "derived");
      g_autoptr(GBytes) request_tlv = vector_bytes (session, "pbkdfParamRequestTlv");
      g_autoptr(GBytes) response_tlv = vector_bytes (session, "pbkdfParamResponseTlv");
      g_autoptr(GBytes) salt = vector_bytes (session, "saltHex");
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(GBytes) pake1_payload = NULL;
      g_autoptr(GBytes) pake3_payload = NULL;
      g_autoptr(GBytes) success = NULL;
      g_autoptr(ThPaseResponder) responder = NULL;
      g_autoptr(GError) error = NULL;
      guint8 verifier[TH_SPAKE2P_VERIFIER_LEN];
      guint8 computed_verifier[TH_SPAKE2P_VERIFIER_LEN];
      guint8 y[TH_SPAKE2P_W_LEN];
      guint8 expected_y[TH_SPAKE2P_POINT_LEN];
      guint8 expected_cb[TH_SPAKE2P_CONFIRMATION_LEN];
      guint8 ke[TH_SPAKE2P_KEY_LEN];
      guint8 expected_keys[3 * TH_SESSION_KEY_LEN];
      ThPbkdfParamResponse response;
      ThPbkdfParameters pbkdf = { 0 };
      ThPake1 pake1;
      ThPake2 pake2;
      ThPake3 pake3;
      ThSessionKeys keys;
      guint8 reply_opcode = 0;

      g_test_message ("%s", json_object_get_string_member (session, "name"));
      copy_vector (session, "w0", verifier, TH_SPAKE2P_W_LEN);
      copy_vector (session, "L", verifier + TH_SPAKE2P_W_LEN, TH_SPAKE2P_POINT_LEN);
      copy_vector (session, "y_verifierRandomScalar", y, sizeof y);
      copy_vector (session, "X_fromProver_pake1", pake1.pa, sizeof pake1.pa);
      copy_vector (session, "Y_verifier_pake2", expected_y, sizeof expected_y);
      copy_vector (session, "cB_verifier_pake2", expected_cb, sizeof expected_cb);
      copy_vector (derived, "cA_expected_in_pake3", pake3.ca, sizeof pake3.ca);
      copy_vector (derived, "Ke", ke, sizeof ke);

      pbkdf.iterations = json_object_get_int_member (session, "iterations");
      pbkdf.salt_len = g_bytes_get_size (salt);
      memcpy (pbkdf.salt, g_bytes_get_data (salt, NULL), pbkdf.salt_len);
      g_assert_true (th_spake2p_compute_verifier (VECTOR_PASSCODE, pbkdf.salt, pbkdf.salt_len,
                                                  pbkdf.iterations, computed_verifier,
                                                  &error));
      g_assert_cmpmem (computed_verifier, sizeof computed_verifier, verifier, sizeof verifier);

      g_assert_true (th_pbkdf_param_response_decode (&response,
                                                     g_bytes_get_data (response_tlv, NULL),
                                                     g_bytes_get_size (response_tlv),
                                                     &error));
      g_assert_no_error (error);
      g_assert_true (response.has_pbkdf_parameters);
      g_assert_cmpuint (response.pbkdf_parameters.iterations, ==, pbkdf.iterations);
      g_assert_cmpmem (response.pbkdf_parameters.salt, response.pbkdf_parameters.salt_len,
                       pbkdf.salt, pbkdf.salt_len);

      responder = th_pase_responder_new (verifier, &pbkdf, response.responder_session_id, NULL,
                                         &error);
      g_assert_no_error (error);
      th_pase_responder_set_test_randomness (responder, response.responder_random, y);

      g_assert_cmpint (th_pase_responder_process (responder,
                                                  TH_SECURE_CHANNEL_PBKDF_PARAM_REQUEST,
                                                  request_tlv, &reply_opcode, &reply, &error),
                       ==, TH_PASE_CONTINUE);
      g_assert_no_error (error);
      g_assert_cmpuint (reply_opcode, ==, TH_SECURE_CHANNEL_PBKDF_PARAM_RESPONSE);
      assert_gbytes_equal (reply, response_tlv);
      g_clear_pointer (&reply, g_bytes_unref);

      pake1_payload = th_pake1_encode (&pake1);
      g_assert_cmpint (th_pase_responder_process (responder, TH_SECURE_CHANNEL_PASE_PAKE1,
                                                  pake1_payload, &reply_opcode, &reply,
                                                  &error), ==, TH_PASE_CONTINUE);
      g_assert_no_error (error);
      g_assert_cmpuint (reply_opcode, ==, TH_SECURE_CHANNEL_PASE_PAKE2);
      g_assert_true (th_pake2_decode (&pake2, g_bytes_get_data (reply, NULL),
                                      g_bytes_get_size (reply), &error));
      g_assert_cmpmem (pake2.pb, sizeof pake2.pb, expected_y, sizeof expected_y);
      g_assert_cmpmem (pake2.cb, sizeof pake2.cb, expected_cb, sizeof expected_cb);
      g_clear_pointer (&reply, g_bytes_unref);

      pake3_payload = th_pake3_encode (&pake3);
      g_assert_cmpint (th_pase_responder_process (responder, TH_SECURE_CHANNEL_PASE_PAKE3,
                                                  pake3_payload, &reply_opcode, &reply,
                                                  &error), ==, TH_PASE_ESTABLISHED);
      g_assert_no_error (error);
      g_assert_cmpuint (reply_opcode, ==, TH_SECURE_CHANNEL_STATUS_REPORT);
      success = th_test_hex_to_bytes ("0000000000000000");
      assert_gbytes_equal (reply, success);

      g_assert_true (th_hkdf_sha256 (NULL, 0, ke, sizeof ke, (const guint8 *) "SessionKeys",
                                     strlen ("SessionKeys"), expected_keys,
                                     sizeof expected_keys, &error));
      th_pase_responder_get_session_keys (responder, &keys);
      g_assert_cmpmem (keys.i2r_key, TH_SESSION_KEY_LEN, expected_keys, TH_SESSION_KEY_LEN);
      g_assert_cmpmem (keys.r2i_key, TH_SESSION_KEY_LEN, expected_keys + TH_SESSION_KEY_LEN,
                       TH_SESSION_KEY_LEN);
      g_assert_cmpmem (keys.attestation_challenge, TH_SESSION_KEY_LEN,
                       expected_keys + 2 * TH_SESSION_KEY_LEN, TH_SESSION_KEY_LEN);
      g_assert_cmpuint (th_pase_responder_get_peer_session_id (responder), !=, 0);
    }
}

/* The connectedhomeip capture, with session parameters on both sides. */
static void
test_vectors_context_hash (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("pase/pase_session_vectors.json");
  JsonObject *vector = json_object_get_object_member (json_node_get_object (root),
                                                      "contextHashTest");
  g_autoptr(GBytes) prefix = vector_bytes (vector, "prefixHex");
  g_autoptr(GBytes) request_tlv = vector_bytes (vector, "pbkdfParamRequestTlv");
  g_autoptr(GBytes) response_tlv = vector_bytes (vector, "pbkdfParamResponseTlv");
  g_autoptr(GBytes) context = vector_bytes (vector, "contextHash");
  g_autoptr(GBytes) reencoded = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(ThPaseInitiator) initiator = NULL;
  g_autoptr(GError) error = NULL;
  ThPbkdfParamRequest decoded_request;
  ThPbkdfParamResponse decoded_response;
  ThSessionParameters peer;
  guint8 reply_opcode = 0;

  g_assert_cmpmem (g_bytes_get_data (prefix, NULL), g_bytes_get_size (prefix),
                   "CHIP PAKE V1 Commissioning", strlen ("CHIP PAKE V1 Commissioning"));

  g_assert_true (th_pbkdf_param_request_decode (&decoded_request,
                                                g_bytes_get_data (request_tlv, NULL),
                                                g_bytes_get_size (request_tlv), &error));
  g_assert_no_error (error);
  g_assert_true (decoded_request.has_session_parameters);
  g_assert_cmpuint (decoded_request.session_parameters.present, ==,
                    TH_SESSION_PARAMETER_IDLE_INTERVAL | TH_SESSION_PARAMETER_ACTIVE_INTERVAL);
  g_assert_cmpuint (decoded_request.session_parameters.idle_interval_ms, ==, 5000);
  g_assert_cmpuint (decoded_request.session_parameters.active_interval_ms, ==, 300);
  reencoded = th_pbkdf_param_request_encode (&decoded_request);
  assert_gbytes_equal (reencoded, request_tlv);
  g_clear_pointer (&reencoded, g_bytes_unref);

  g_assert_true (th_pbkdf_param_response_decode (&decoded_response,
                                                 g_bytes_get_data (response_tlv, NULL),
                                                 g_bytes_get_size (response_tlv), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (decoded_response.pbkdf_parameters.iterations, ==, 1000);
  g_assert_cmpuint (decoded_response.pbkdf_parameters.salt_len, ==, 32);
  g_assert_true (decoded_response.has_session_parameters);
  reencoded = th_pbkdf_param_response_encode (&decoded_response);
  assert_gbytes_equal (reencoded, response_tlv);

  initiator = th_pase_initiator_new (VECTOR_PASSCODE, decoded_request.initiator_session_id,
                                     NULL, &decoded_request.session_parameters, &error);
  g_assert_no_error (error);
  th_pase_initiator_set_test_randomness (initiator, decoded_request.initiator_random, NULL);
  request = th_pase_initiator_start (initiator, &error);
  assert_gbytes_equal (request, request_tlv);
  g_assert_cmpint (th_pase_initiator_process (initiator, TH_SECURE_CHANNEL_PBKDF_PARAM_RESPONSE,
                                              response_tlv, &reply_opcode, &reply, &error),
                   ==, TH_PASE_CONTINUE);
  g_assert_no_error (error);
  th_assert_bytes_equal (th_pase_initiator_get_context (initiator), TH_SHA256_LEN,
                         g_bytes_get_data (context, NULL), g_bytes_get_size (context));
  g_assert_true (th_pase_initiator_get_peer_parameters (initiator, &peer));
  g_assert_cmpuint (peer.idle_interval_ms, ==, 5000);
  g_assert_cmpuint (peer.active_interval_ms, ==, 300);
}

/* Status reports */

static void
test_status_report_codec (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autofree char *description = NULL;
  static const guint8 data[] = { 0xaa, 0xbb, 0xcc };
  ThStatusReport report = { TH_GENERAL_STATUS_FAILURE, TH_STATUS_REPORT_PROTOCOL (0xfff1, 0x8001),
                            0x1234, data, sizeof data };
  ThStatusReport decoded;
  guint16 wait = 0;

  /* Little-endian fields, then the protocol data. */
  encoded = th_status_report_encode (&report);
  expected = th_test_hex_to_bytes ("01000180f1ff3412aabbcc");
  assert_gbytes_equal (encoded, expected);
  g_assert_true (th_status_report_decode (&decoded, g_bytes_get_data (encoded, NULL),
                                          g_bytes_get_size (encoded), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (decoded.general_code, ==, TH_GENERAL_STATUS_FAILURE);
  g_assert_cmpuint (decoded.protocol_id, ==, 0xfff18001);
  g_assert_cmpuint (decoded.protocol_code, ==, 0x1234);
  g_assert_cmpmem (decoded.data, decoded.data_len, data, sizeof data);
  g_clear_pointer (&encoded, g_bytes_unref);
  g_clear_pointer (&expected, g_bytes_unref);

  /* Every input shorter than the fixed fields is refused. */
  for (gsize len = 0; len < TH_STATUS_REPORT_HEADER_LEN; len++)
    {
      g_autoptr(GError) short_error = NULL;
      static const guint8 bytes[TH_STATUS_REPORT_HEADER_LEN] = { 0 };

      g_assert_false (th_status_report_decode (&decoded, bytes, len, &short_error));
      g_assert_error (short_error, TH_ERROR, TH_ERROR_MESSAGE_INVALID);
    }

  /* Secure Channel reports as devices send them. */
  encoded = th_status_report_encode_secure_channel (
    TH_SECURE_CHANNEL_STATUS_SESSION_ESTABLISHMENT_SUCCESS);
  expected = th_test_hex_to_bytes ("0000000000000000");
  assert_gbytes_equal (encoded, expected);
  g_clear_pointer (&encoded, g_bytes_unref);
  g_clear_pointer (&expected, g_bytes_unref);

  encoded = th_status_report_encode_secure_channel (TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER);
  expected = th_test_hex_to_bytes ("0100000000000200");
  assert_gbytes_equal (encoded, expected);
  g_clear_pointer (&encoded, g_bytes_unref);
  g_clear_pointer (&expected, g_bytes_unref);

  encoded = th_status_report_encode_busy (5000);
  expected = th_test_hex_to_bytes ("08000000000004008813");
  assert_gbytes_equal (encoded, expected);
  g_assert_true (th_status_report_decode (&decoded, g_bytes_get_data (encoded, NULL),
                                          g_bytes_get_size (encoded), &error));
  g_assert_true (th_status_report_is_secure_channel (&decoded, TH_SECURE_CHANNEL_STATUS_BUSY));
  g_assert_true (th_status_report_get_busy_wait (&decoded, &wait));
  g_assert_cmpuint (wait, ==, 5000);
  description = th_status_report_describe (&decoded);
  g_assert_nonnull (strstr (description, "try again in 5 seconds"));
  th_status_report_set_error (&decoded, &error);
  g_assert_error (error, TH_ERROR, TH_ERROR_BUSY);
  g_clear_error (&error);
  g_clear_pointer (&description, g_free);

  /* A report from another protocol is not a Secure Channel one, whatever its code. */
  report = (ThStatusReport) { TH_GENERAL_STATUS_BUSY, TH_STATUS_REPORT_PROTOCOL (0, 1),
                              TH_SECURE_CHANNEL_STATUS_BUSY, NULL, 0 };
  g_assert_false (th_status_report_is_secure_channel (&report, TH_SECURE_CHANNEL_STATUS_BUSY));
  g_assert_false (th_status_report_get_busy_wait (&report, &wait));
  th_status_report_set_error (&report, &error);
  g_assert_error (error, TH_ERROR, TH_ERROR_STATUS_REPORT);
  g_assert_nonnull (strstr (error->message, "busy"));
  g_clear_error (&error);
}

static void
test_status_report_sentences (void)
{
  static const struct
  {
    guint16 general;
    guint16 code;
    const char *phrase;
  } cases[] = {
    { TH_GENERAL_STATUS_SUCCESS, TH_SECURE_CHANNEL_STATUS_SESSION_ESTABLISHMENT_SUCCESS,
      "established the session" },
    { TH_GENERAL_STATUS_FAILURE, TH_SECURE_CHANNEL_STATUS_NO_SHARED_TRUST_ROOTS,
      "does not belong to this fabric" },
    { TH_GENERAL_STATUS_FAILURE, TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER,
      "rejected a parameter" },
    { TH_GENERAL_STATUS_SUCCESS, TH_SECURE_CHANNEL_STATUS_CLOSE_SESSION, "closed the session" },
    { TH_GENERAL_STATUS_BUSY, TH_SECURE_CHANNEL_STATUS_BUSY, "try again in a moment" },
    { TH_GENERAL_STATUS_FAILURE, TH_SECURE_CHANNEL_STATUS_SESSION_NOT_FOUND,
      "no longer has the session" },
    { TH_GENERAL_STATUS_RESOURCE_EXHAUSTED, TH_SECURE_CHANNEL_STATUS_GENERAL_FAILURE,
      "ran out of resources" },
    { TH_GENERAL_STATUS_UNEXPECTED, 0x7777, "did not expect the request" },
    { 4711, TH_SECURE_CHANNEL_STATUS_GENERAL_FAILURE, "does not know (4711)" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ThStatusReport report = { cases[i].general, 0, cases[i].code, NULL, 0 };
      g_autofree char *description = th_status_report_describe (&report);
      g_autofree char *codes = g_strdup_printf ("general code %u, protocol 0x00000000, "
                                                "protocol code 0x%04x", cases[i].general,
                                                cases[i].code);

      g_test_message ("%s", description);
      g_assert_nonnull (strstr (description, cases[i].phrase));
      g_assert_nonnull (strstr (description, codes));
    }
}

/* Message codecs */

static GBytes *
encode_request_sample (void)
{
  ThPbkdfParamRequest request = { 0 };

  memset (request.initiator_random, 0x11, sizeof request.initiator_random);
  request.initiator_session_id = 0x1234;
  request.has_session_parameters = TRUE;
  request.session_parameters.present = TH_SESSION_PARAMETER_IDLE_INTERVAL |
                                       TH_SESSION_PARAMETER_ACTIVE_THRESHOLD |
                                       TH_SESSION_PARAMETER_SPECIFICATION_VERSION |
                                       TH_SESSION_PARAMETER_MAX_PATHS_PER_INVOKE;
  request.session_parameters.idle_interval_ms = 500;
  request.session_parameters.active_threshold_ms = 4000;
  request.session_parameters.specification_version = 0x01040000;
  request.session_parameters.max_paths_per_invoke = 1;
  return th_pbkdf_param_request_encode (&request);
}

static GBytes *
encode_response_sample (void)
{
  ThPbkdfParamResponse response = { 0 };

  memset (response.initiator_random, 0x11, sizeof response.initiator_random);
  memset (response.responder_random, 0x22, sizeof response.responder_random);
  response.responder_session_id = 0xbeef;
  response.has_pbkdf_parameters = TRUE;
  response.pbkdf_parameters.iterations = 2000;
  response.pbkdf_parameters.salt_len = 16;
  memset (response.pbkdf_parameters.salt, 0x33, 16);
  response.has_session_parameters = TRUE;
  response.session_parameters.present = TH_SESSION_PARAMETER_ACTIVE_INTERVAL |
                                        TH_SESSION_PARAMETER_DATA_MODEL_REVISION |
                                        TH_SESSION_PARAMETER_INTERACTION_MODEL_REVISION;
  response.session_parameters.active_interval_ms = 300;
  response.session_parameters.data_model_revision = 17;
  response.session_parameters.interaction_model_revision = 11;
  return th_pbkdf_param_response_encode (&response);
}

static void
test_messages_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) request_bytes = encode_request_sample ();
  g_autoptr(GBytes) response_bytes = encode_response_sample ();
  g_autoptr(GBytes) again = NULL;
  ThPbkdfParamRequest request;
  ThPbkdfParamResponse response;
  ThPake1 pake1 = { { 0x04, 1, 2, 3 } };
  ThPake2 pake2 = { { 0x04, 4, 5, 6 }, { 7, 8, 9 } };
  ThPake3 pake3 = { { 10, 11, 12 } };
  ThPake1 pake1_out;
  ThPake2 pake2_out;
  ThPake3 pake3_out;
  g_autoptr(GBytes) pake1_bytes = th_pake1_encode (&pake1);
  g_autoptr(GBytes) pake2_bytes = th_pake2_encode (&pake2);
  g_autoptr(GBytes) pake3_bytes = th_pake3_encode (&pake3);

  g_assert_true (th_pbkdf_param_request_decode (&request, g_bytes_get_data (request_bytes, NULL),
                                                g_bytes_get_size (request_bytes), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (request.initiator_session_id, ==, 0x1234);
  g_assert_cmpuint (request.session_parameters.present, ==,
                    TH_SESSION_PARAMETER_IDLE_INTERVAL |
                    TH_SESSION_PARAMETER_ACTIVE_THRESHOLD |
                    TH_SESSION_PARAMETER_SPECIFICATION_VERSION |
                    TH_SESSION_PARAMETER_MAX_PATHS_PER_INVOKE);
  g_assert_cmpuint (request.session_parameters.specification_version, ==, 0x01040000);
  again = th_pbkdf_param_request_encode (&request);
  assert_gbytes_equal (again, request_bytes);
  g_clear_pointer (&again, g_bytes_unref);

  g_assert_true (th_pbkdf_param_response_decode (&response,
                                                 g_bytes_get_data (response_bytes, NULL),
                                                 g_bytes_get_size (response_bytes), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (response.responder_session_id, ==, 0xbeef);
  g_assert_cmpuint (response.pbkdf_parameters.iterations, ==, 2000);
  g_assert_cmpuint (response.session_parameters.data_model_revision, ==, 17);
  again = th_pbkdf_param_response_encode (&response);
  assert_gbytes_equal (again, response_bytes);

  g_assert_true (th_pake1_decode (&pake1_out, g_bytes_get_data (pake1_bytes, NULL),
                                  g_bytes_get_size (pake1_bytes), &error));
  g_assert_cmpmem (&pake1_out, sizeof pake1_out, &pake1, sizeof pake1);
  g_assert_true (th_pake2_decode (&pake2_out, g_bytes_get_data (pake2_bytes, NULL),
                                  g_bytes_get_size (pake2_bytes), &error));
  g_assert_cmpmem (&pake2_out, sizeof pake2_out, &pake2, sizeof pake2);
  g_assert_true (th_pake3_decode (&pake3_out, g_bytes_get_data (pake3_bytes, NULL),
                                  g_bytes_get_size (pake3_bytes), &error));
  g_assert_cmpmem (&pake3_out, sizeof pake3_out, &pake3, sizeof pake3);
  g_assert_no_error (error);
}

typedef gboolean (*DecodeFunc) (gpointer      out,
                                const guint8 *data,
                                gsize         len,
                                GError      **error);

/* Each decoder behind one signature, so that it is called through its own type. */
#define DECODER(name, type) \
  static gboolean \
  decode_##name (gpointer out, const guint8 *data, gsize len, GError **error) \
  { \
    return th_##name##_decode ((type *) out, data, len, error); \
  }

DECODER (pbkdf_param_request, ThPbkdfParamRequest)
DECODER (pbkdf_param_response, ThPbkdfParamResponse)
DECODER (pake1, ThPake1)
DECODER (pake2, ThPake2)
DECODER (pake3, ThPake3)

static void
assert_decode_fails (DecodeFunc  decode,
                     const char *hex,
                     const char *phrase)
{
  g_autoptr(GBytes) bytes = th_test_hex_to_bytes (hex);
  g_autoptr(GError) error = NULL;
  union
  {
    ThPbkdfParamRequest request;
    ThPbkdfParamResponse response;
    ThPake1 pake1;
    ThPake2 pake2;
    ThPake3 pake3;
  } out;

  g_assert_false (decode (&out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                          &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, phrase));
}

#define RANDOM_11 "20" "1111111111111111111111111111111111111111111111111111111111111111"
#define RANDOM_22 "20" "2222222222222222222222222222222222222222222222222222222222222222"
#define SALT_16 "1033333333333333333333333333333333"

static void
test_messages_validation (void)
{
  DecodeFunc request = decode_pbkdf_param_request;
  DecodeFunc response = decode_pbkdf_param_response;
  DecodeFunc pake3 = decode_pake3;

  /* A valid request to start from: random, session id, passcode id, hasPBKDFParameters. */
  g_autoptr(GBytes) valid = th_test_hex_to_bytes ("153001" RANDOM_11 "25023412240300280418");
  g_autoptr(GError) error = NULL;
  ThPbkdfParamRequest decoded;

  g_assert_true (th_pbkdf_param_request_decode (&decoded, g_bytes_get_data (valid, NULL),
                                                g_bytes_get_size (valid), &error));
  g_assert_no_error (error);

  assert_decode_fails (request, "", "is empty");
  assert_decode_fails (request, "1530011f" "1111111111111111111111111111111111111111111111111111"
                       "1111111111" "25023412240300280418", "31 bytes long; it must be 32");
  assert_decode_fails (request, "153001" RANDOM_11 "2402342403002804", "malformed");
  assert_decode_fails (request, "153001" RANDOM_11 "25023412240300280418" "08", "goes on after");
  assert_decode_fails (request, "173001" RANDOM_11 "25023412240300280418",
                       "not an anonymous TLV structure");
  assert_decode_fails (request, "153001" RANDOM_11 "2402122403002804" "240201" "18",
                       "appears a second time");
  assert_decode_fails (request, "153001" RANDOM_11 "240300280418",
                       "lacks its initiatorSessionId");
  assert_decode_fails (request, "153001" RANDOM_11 "25023412240300280448010018",
                       "has no context tag");
  assert_decode_fails (request, "153001" RANDOM_11 "2502341224030024040018",
                       "hasPBKDFParameters field");
  assert_decode_fails (request, "153001" RANDOM_11 "2602ffff0100" "240300" "2804" "18",
                       "initiatorSessionId field");
  assert_decode_fails (request, "153001" RANDOM_11 "25023412240300280435052401ff240101" "1818",
                       "initiatorSessionParams field");
  assert_decode_fails (request, "153001" RANDOM_11 "250234122403002804350526030000010018" "18",
                       "initiatorSessionParams");

  /* Unknown members are skipped, at the top and in the session parameters. */
  {
    g_autoptr(GBytes) extended = th_test_hex_to_bytes ("153001" RANDOM_11 "25023412240300"
                                                       "28042c0903616263" "35052408072501"
                                                       "f401" "1818");

    g_assert_true (th_pbkdf_param_request_decode (&decoded, g_bytes_get_data (extended, NULL),
                                                  g_bytes_get_size (extended), &error));
    g_assert_no_error (error);
    g_assert_cmpuint (decoded.session_parameters.present, ==,
                      TH_SESSION_PARAMETER_IDLE_INTERVAL);
    g_assert_cmpuint (decoded.session_parameters.idle_interval_ms, ==, 500);
  }

  /* Responses: salt and iteration bounds, required fields. */
  assert_decode_fails (response, "153001" RANDOM_11 "3002" RANDOM_22 "2503efbe"
                       "35042501e7033002" SALT_16 "1818", "iteration count 999");
  assert_decode_fails (response, "153001" RANDOM_11 "3002" RANDOM_22 "2503efbe"
                       "35042601a1860100" "3002" SALT_16 "1818", "iteration count 100001");
  assert_decode_fails (response, "153001" RANDOM_11 "3002" RANDOM_22 "2503efbe"
                       "35042501e80330020f" "333333333333333333333333333333" "1818",
                       "15 bytes long");
  assert_decode_fails (response, "153001" RANDOM_11 "3002" RANDOM_22 "2503efbe"
                       "35042501e803300221" "333333333333333333333333333333333333333333333333"
                       "333333333333333333" "1818", "33 bytes long");
  assert_decode_fails (response, "153001" RANDOM_11 "3002" RANDOM_22 "2503efbe" "35042501e80318"
                       "18",
                       "pbkdf_parameters.salt");
  assert_decode_fails (response, "153001" RANDOM_11 "2503efbe18", "lacks its responderRandom");
  assert_decode_fails (pake3, "153002" RANDOM_11 "18", "lacks its cA");
}

/* Every prefix of a valid message, and every single-byte change, must be handled without a
 * crash; every prefix must be refused. */
static void
assert_robust (DecodeFunc  decode,
               GBytes     *valid)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (valid, &len);
  g_autofree guint8 *copy = g_memdup2 (data, len);
  union
  {
    ThPbkdfParamRequest request;
    ThPbkdfParamResponse response;
    ThPake1 pake1;
    ThPake2 pake2;
    ThPake3 pake3;
  } out;

  for (gsize n = 0; n < len; n++)
    {
      g_autofree guint8 *prefix = g_memdup2 (data, n);
      g_autoptr(GError) error = NULL;

      g_assert_false (decode (&out, prefix, n, &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL);
    }
  for (gsize i = 0; i < len; i++)
    {
      static const guint8 changes[] = { 0x01, 0x10, 0x80, 0xff };

      for (gsize c = 0; c < G_N_ELEMENTS (changes); c++)
        {
          g_autoptr(GError) error = NULL;
          gboolean ok;

          copy[i] = data[i] ^ changes[c];
          ok = decode (&out, copy, len, &error);
          g_assert_true (ok == (error == NULL));
          if (!ok)
            g_assert_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL);
          copy[i] = data[i];
        }
    }
}

static void
test_messages_every_byte (void)
{
  ThPake1 pake1 = { { 0x04 } };
  ThPake2 pake2 = { { 0x04 } };
  ThPake3 pake3 = { { 0 } };
  g_autoptr(GBytes) request = encode_request_sample ();
  g_autoptr(GBytes) response = encode_response_sample ();
  g_autoptr(GBytes) pake1_bytes = th_pake1_encode (&pake1);
  g_autoptr(GBytes) pake2_bytes = th_pake2_encode (&pake2);
  g_autoptr(GBytes) pake3_bytes = th_pake3_encode (&pake3);

  assert_robust (decode_pbkdf_param_request, request);
  assert_robust (decode_pbkdf_param_response, response);
  assert_robust (decode_pake1, pake1_bytes);
  assert_robust (decode_pake2, pake2_bytes);
  assert_robust (decode_pake3, pake3_bytes);
}

/* The initiator against the responder */

static void
test_handshake_success (void)
{
  Device device;
  ThSessionParameters device_parameters = { 0 };
  ThSessionParameters seen;
  Outcome initiator_outcome, responder_outcome;
  g_autoptr(ThPaseInitiator) initiator = NULL;
  g_autoptr(ThPaseResponder) responder = NULL;
  guint32 passcode = (guint32) g_rand_int_range (rng, 1, 99999999);

  device_parameters.present = TH_SESSION_PARAMETER_IDLE_INTERVAL |
                              TH_SESSION_PARAMETER_ACTIVE_INTERVAL;
  device_parameters.idle_interval_ms = 1500;
  device_parameters.active_interval_ms = 350;
  device_init (&device, passcode, (guint32) g_rand_int_range (rng, 1000, 3000),
               (gsize) g_rand_int_range (rng, 16, 33));

  initiator = new_initiator (passcode, 0x0101, NULL);
  responder = device_new_responder (&device, 0xfeed, &device_parameters);
  run_handshake (initiator, responder, NULL, NULL, &initiator_outcome, &responder_outcome);
  g_assert_no_error (initiator_outcome.error);
  g_assert_no_error (responder_outcome.error);
  g_assert_cmpint (initiator_outcome.result, ==, TH_PASE_ESTABLISHED);
  g_assert_cmpint (responder_outcome.result, ==, TH_PASE_ESTABLISHED);
  assert_established (initiator, responder, 0x0101, 0xfeed);

  g_assert_true (th_pase_initiator_get_peer_parameters (initiator, &seen));
  g_assert_cmpmem (&seen, sizeof seen, &device_parameters, sizeof device_parameters);
  g_assert_false (th_pase_responder_get_peer_parameters (responder, &seen));
}

/* With the PBKDF parameters known beforehand, the device leaves them out. */
static GBytes *
check_no_pbkdf_parameters (guint8    opcode,
                           GBytes   *payload,
                           gpointer  user_data)
{
  gboolean *checked = user_data;
  ThPbkdfParamResponse response;

  if (opcode == TH_SECURE_CHANNEL_PBKDF_PARAM_RESPONSE)
    {
      g_assert_true (th_pbkdf_param_response_decode (&response,
                                                     g_bytes_get_data (payload, NULL),
                                                     g_bytes_get_size (payload), NULL));
      g_assert_false (response.has_pbkdf_parameters);
      *checked = TRUE;
    }
  return NULL;
}

static void
test_handshake_known_pbkdf (void)
{
  Device device;
  Outcome initiator_outcome, responder_outcome;
  g_autoptr(ThPaseInitiator) initiator = NULL;
  g_autoptr(ThPaseResponder) responder = NULL;
  gboolean checked = FALSE;

  device_init (&device, 34567890, 1000, 32);
  initiator = new_initiator (34567890, 7, &device.pbkdf);
  responder = device_new_responder (&device, 8, NULL);
  run_handshake (initiator, responder, check_no_pbkdf_parameters, &checked,
                 &initiator_outcome, &responder_outcome);
  g_assert_true (checked);
  g_assert_no_error (initiator_outcome.error);
  g_assert_no_error (responder_outcome.error);
  assert_established (initiator, responder, 7, 8);
}

static void
test_handshake_wrong_passcode (void)
{
  Device device;
  Outcome initiator_outcome, responder_outcome;
  g_autoptr(ThPaseInitiator) initiator = NULL;
  g_autoptr(ThPaseResponder) responder = NULL;

  device_init (&device, 20202021, 1000, 16);
  initiator = new_initiator (20202022, 1, NULL);
  responder = device_new_responder (&device, 2, NULL);
  run_handshake (initiator, responder, NULL, NULL, &initiator_outcome, &responder_outcome);

  /* The initiator sees cB does not match and tells the device with INVALID_PARAMETER, the
   * only way the protocol has; the device gives up too. */
  g_assert_cmpint (initiator_outcome.result, ==, TH_PASE_FAILED);
  g_assert_error (initiator_outcome.error, TH_ERROR, TH_ERROR_PASE_WRONG_PASSCODE);
  g_assert_cmpstr (initiator_outcome.error->message, ==,
                   "The passcode does not match this device.");
  g_assert_cmpint (responder_outcome.result, ==, TH_PASE_FAILED);
  g_assert_error (responder_outcome.error, TH_ERROR, TH_ERROR_STATUS_REPORT);
  g_assert_nonnull (strstr (responder_outcome.error->message, "protocol code 0x0002"));
  g_assert_cmpint (th_pase_responder_get_state (responder), ==, TH_PASE_RESPONDER_FAILED);
  g_assert_cmpint (th_pase_initiator_get_state (initiator), ==, TH_PASE_INITIATOR_FAILED);
  outcome_clear (&initiator_outcome);
  outcome_clear (&responder_outcome);
}

/* The device checks cA: a wrong one gets INVALID_PARAMETER, which the initiator reads as
 * the wrong passcode. */
static void
test_handshake_device_rejects_pake3 (void)
{
  Device device;
  g_autoptr(ThPaseInitiator) initiator = NULL;
  g_autoptr(ThPaseResponder) responder = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GBytes) pake3 = NULL;
  g_autoptr(GError) error = NULL;
  ThPake3 forged;
  guint8 opcode = TH_SECURE_CHANNEL_PBKDF_PARAM_REQUEST;
  ThPaseResult result = TH_PASE_CONTINUE;

  device_init (&device, 11223344, 1000, 16);
  initiator = new_initiator (11223344, 3, NULL);
  responder = device_new_responder (&device, 4, NULL);

  /* Up to the initiator's Pake3, which the device never gets. */
  message = th_pase_initiator_start (initiator, &error);
  for (guint step = 0; step < 2; step++)
    {
      result = th_pase_responder_process (responder, opcode, message, &opcode, &reply, &error);
      g_assert_cmpint (result, ==, TH_PASE_CONTINUE);
      g_clear_pointer (&message, g_bytes_unref);
      result = th_pase_initiator_process (initiator, opcode, reply, &opcode, &message, &error);
      g_assert_cmpint (result, ==, TH_PASE_CONTINUE);
      g_clear_pointer (&reply, g_bytes_unref);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (opcode, ==, TH_SECURE_CHANNEL_PASE_PAKE3);

  g_assert_true (th_random_bytes (forged.ca, sizeof forged.ca, NULL));
  pake3 = th_pake3_encode (&forged);
  result = th_pase_responder_process (responder, TH_SECURE_CHANNEL_PASE_PAKE3, pake3, &opcode,
                                      &reply, &error);
  g_assert_cmpint (result, ==, TH_PASE_FAILED);
  g_assert_error (error, TH_ERROR, TH_ERROR_PASE_WRONG_PASSCODE);
  g_assert_cmpuint (opcode, ==, TH_SECURE_CHANNEL_STATUS_REPORT);
  g_clear_error (&error);
  g_clear_pointer (&message, g_bytes_unref);

  result = th_pase_initiator_process (initiator, opcode, reply, &opcode, &message, &error);
  g_assert_cmpint (result, ==, TH_PASE_FAILED);
  g_assert_error (error, TH_ERROR, TH_ERROR_PASE_WRONG_PASSCODE);
  g_assert_cmpstr (error->message, ==, "The passcode does not match this device.");
  g_assert_null (message);
}

typedef struct
{
  gsize offset;               /* into the Pake2 payload */
  guint8 mask;
  gboolean replace_point;     /* put the generator in place of pB */
} Pake2Tamper;

static GBytes *
tamper_pake2 (guint8    opcode,
              GBytes   *payload,
              gpointer  user_data)
{
  const Pake2Tamper *tamper = user_data;
  gsize len;
  guint8 *data;

  if (opcode != TH_SECURE_CHANNEL_PASE_PAKE2)
    return NULL;
  data = g_memdup2 (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
  len = g_bytes_get_size (payload);
  if (tamper->replace_point)
    {
      /* 0x15 0x30 0x01 0x41, then pB */
      g_autoptr(GBytes) generator = th_test_hex_to_bytes (
        "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
        "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");

      memcpy (data + 4, g_bytes_get_data (generator, NULL), TH_SPAKE2P_POINT_LEN);
    }
  else
    {
      data[tamper->offset] ^= tamper->mask;
    }
  return g_bytes_new_take (data, len);
}

static void
run_tampered_pake2 (const Pake2Tamper *tamper,
                    gint               expected)
{
  Device device;
  Outcome initiator_outcome, responder_outcome;
  g_autoptr(ThPaseInitiator) initiator = NULL;
  g_autoptr(ThPaseResponder) responder = NULL;

  device_init (&device, 87654321, 1000, 20);
  initiator = new_initiator (87654321, 5, NULL);
  responder = device_new_responder (&device, 6, NULL);
  run_handshake (initiator, responder, tamper_pake2, (gpointer) tamper, &initiator_outcome,
                 &responder_outcome);
  g_test_message ("%s", initiator_outcome.error->message);
  g_assert_cmpint (initiator_outcome.result, ==, TH_PASE_FAILED);
  g_assert_error (initiator_outcome.error, TH_ERROR, expected);
  /* The device is told, and gives up. */
  g_assert_cmpint (responder_outcome.result, ==, TH_PASE_FAILED);
  outcome_clear (&initiator_outcome);
  outcome_clear (&responder_outcome);
}

static void
test_handshake_tampered_pake2 (void)
{
  /* Pake2 is 15 30 01 41 <pB, 65 bytes> 30 02 20 <cB, 32 bytes> 18 */
  const Pake2Tamper cb_flip = { 4 + 65 + 3 + 5, 0x01, FALSE };
  const Pake2Tamper pb_flip = { 4 + 20, 0x40, FALSE };
  const Pake2Tamper pb_prefix = { 4, 0x01, FALSE };
  const Pake2Tamper pb_generator = { 0, 0, TRUE };
  const Pake2Tamper length_flip = { 3, 0x01, FALSE };

  run_tampered_pake2 (&cb_flip, TH_ERROR_PASE_WRONG_PASSCODE);
  run_tampered_pake2 (&pb_flip, TH_ERROR_PASE_PROTOCOL);
  run_tampered_pake2 (&pb_prefix, TH_ERROR_PASE_PROTOCOL);
  run_tampered_pake2 (&pb_generator, TH_ERROR_PASE_WRONG_PASSCODE);
  run_tampered_pake2 (&length_flip, TH_ERROR_PASE_PROTOCOL);
}

/* Truncates the one message of the given opcode to `len` bytes. */
typedef struct
{
  guint8 opcode;
  gsize len;
  gsize full_len;
} Truncation;

static GBytes *
truncate_message (guint8    opcode,
                  GBytes   *payload,
                  gpointer  user_data)
{
  Truncation *truncation = user_data;

  if (opcode != truncation->opcode)
    return NULL;
  truncation->full_len = g_bytes_get_size (payload);
  return g_bytes_new_from_bytes (payload, 0, MIN (truncation->len, truncation->full_len));
}

/* Each message of the handshake, cut at every byte: the side that gets it fails with a
 * protocol error and tells the other, which fails too. */
static void
test_handshake_truncated (void)
{
  static const guint8 opcodes[] = {
    TH_SECURE_CHANNEL_PBKDF_PARAM_REQUEST,
    TH_SECURE_CHANNEL_PBKDF_PARAM_RESPONSE,
    TH_SECURE_CHANNEL_PASE_PAKE1,
    TH_SECURE_CHANNEL_PASE_PAKE2,
    TH_SECURE_CHANNEL_PASE_PAKE3,
  };
  Device device;

  device_init (&device, 13572468, 1000, 16);
  for (gsize m = 0; m < G_N_ELEMENTS (opcodes); m++)
    {
      Truncation truncation = { opcodes[m], 0, G_MAXSIZE };

      for (truncation.len = 0; truncation.len < truncation.full_len; truncation.len++)
        {
          Outcome initiator_outcome, responder_outcome;
          g_autoptr(ThPaseInitiator) initiator = new_initiator (13572468, 9, NULL);
          g_autoptr(ThPaseResponder) responder = device_new_responder (&device, 10, NULL);
          gboolean initiator_got_it = opcodes[m] == TH_SECURE_CHANNEL_PBKDF_PARAM_RESPONSE ||
                                      opcodes[m] == TH_SECURE_CHANNEL_PASE_PAKE2;
          Outcome *receiver = initiator_got_it ? &initiator_outcome : &responder_outcome;
          Outcome *sender = initiator_got_it ? &responder_outcome : &initiator_outcome;
          gint sender_code = opcodes[m] == TH_SECURE_CHANNEL_PASE_PAKE3 ?
                             TH_ERROR_PASE_WRONG_PASSCODE : TH_ERROR_STATUS_REPORT;

          run_handshake (initiator, responder, truncate_message, &truncation,
                         &initiator_outcome, &responder_outcome);
          g_assert_cmpint (receiver->result, ==, TH_PASE_FAILED);
          g_assert_error (receiver->error, TH_ERROR, TH_ERROR_PASE_PROTOCOL);
          g_assert_cmpint (sender->result, ==, TH_PASE_FAILED);
          /* A device refuses a wrong cA the same way as a malformed Pake3. */
          g_assert_error (sender->error, TH_ERROR, sender_code);
          outcome_clear (&initiator_outcome);
          outcome_clear (&responder_outcome);
        }
      g_assert_cmpuint (truncation.full_len, !=, G_MAXSIZE);
    }
}

/* Starts an initiator and feeds it one message in answer to its request. */
static ThPaseResult
answer_request (ThPaseInitiator  *initiator,
                guint8            opcode,
                GBytes           *payload,
                guint8           *reply_opcode,
                GBytes          **reply,
                GError          **error)
{
  g_autoptr(GBytes) request = th_pase_initiator_start (initiator, error);

  g_assert_nonnull (request);
  return th_pase_initiator_process (initiator, opcode, payload, reply_opcode, reply, error);
}

static void
test_initiator_busy (void)
{
  g_autoptr(ThPaseInitiator) initiator = new_initiator (20202021, 1, NULL);
  g_autoptr(GBytes) busy = th_status_report_encode_busy (2500);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint8 opcode = 0;

  g_assert_cmpint (answer_request (initiator, TH_SECURE_CHANNEL_STATUS_REPORT, busy, &opcode,
                                   &reply, &error), ==, TH_PASE_FAILED);
  g_assert_error (error, TH_ERROR, TH_ERROR_BUSY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "PBKDFParamRequest"));
  g_assert_nonnull (strstr (error->message, "try again in 3 seconds"));
  g_assert_null (reply);
}

static GBytes *
response_for (GBytes   *request_bytes,
              gboolean  with_pbkdf,
              gboolean  echo,
              guint16   session_id)
{
  ThPbkdfParamRequest request;
  ThPbkdfParamResponse response = { 0 };

  g_assert_true (th_pbkdf_param_request_decode (&request, g_bytes_get_data (request_bytes, NULL),
                                                g_bytes_get_size (request_bytes), NULL));
  memcpy (response.initiator_random, request.initiator_random, TH_PASE_RANDOM_LEN);
  if (!echo)
    response.initiator_random[7] ^= 1;
  memset (response.responder_random, 0x5a, TH_PASE_RANDOM_LEN);
  response.responder_session_id = session_id;
  response.has_pbkdf_parameters = with_pbkdf;
  response.pbkdf_parameters.iterations = 1000;
  response.pbkdf_parameters.salt_len = 16;
  return th_pbkdf_param_response_encode (&response);
}

static void
assert_response_refused (gboolean    with_pbkdf,
                         gboolean    echo,
                         guint16     session_id,
                         const char *phrase)
{
  g_autoptr(ThPaseInitiator) initiator = new_initiator (20202021, 1, NULL);
  g_autoptr(GBytes) request = th_pase_initiator_start (initiator, NULL);
  g_autoptr(GBytes) response = response_for (request, with_pbkdf, echo, session_id);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  ThStatusReport report;
  guint8 opcode = 0;

  g_assert_cmpint (th_pase_initiator_process (initiator, TH_SECURE_CHANNEL_PBKDF_PARAM_RESPONSE,
                                              response, &opcode, &reply, &error),
                   ==, TH_PASE_FAILED);
  g_assert_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, phrase));
  g_assert_cmpuint (opcode, ==, TH_SECURE_CHANNEL_STATUS_REPORT);
  g_assert_true (th_status_report_decode (&report, g_bytes_get_data (reply, NULL),
                                          g_bytes_get_size (reply), NULL));
  g_assert_true (th_status_report_is_secure_channel (&report,
                                                     TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER));
  g_assert_cmpuint (report.general_code, ==, TH_GENERAL_STATUS_FAILURE);
}

static void
test_initiator_bad_response (void)
{
  assert_response_refused (FALSE, TRUE, 77, "lacks the PBKDF parameters");
  assert_response_refused (TRUE, FALSE, 77, "does not echo the initiatorRandom");
  assert_response_refused (TRUE, TRUE, 0, "session id 0");
}

static void
test_initiator_unexpected (void)
{
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint8 opcode = 0;

  {
    g_autoptr(ThPaseInitiator) initiator = new_initiator (20202021, 1, NULL);
    ThPake2 pake2 = { { 0x04 } };
    g_autoptr(GBytes) payload = th_pake2_encode (&pake2);

    g_assert_cmpint (answer_request (initiator, TH_SECURE_CHANNEL_PASE_PAKE2, payload, &opcode,
                                     &reply, &error), ==, TH_PASE_FAILED);
    g_assert_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL);
    g_assert_nonnull (strstr (error->message, "Pake2"));
    g_assert_nonnull (strstr (error->message, "PBKDFParamResponse"));
    g_assert_cmpuint (opcode, ==, TH_SECURE_CHANNEL_STATUS_REPORT);
    g_clear_error (&error);
    g_clear_pointer (&reply, g_bytes_unref);
  }
  {
    g_autoptr(ThPaseInitiator) initiator = new_initiator (20202021, 1, NULL);
    g_autoptr(GBytes) success = th_status_report_encode_secure_channel (
      TH_SECURE_CHANNEL_STATUS_SESSION_ESTABLISHMENT_SUCCESS);

    g_assert_cmpint (answer_request (initiator, TH_SECURE_CHANNEL_STATUS_REPORT, success,
                                     &opcode, &reply, &error), ==, TH_PASE_FAILED);
    g_assert_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL);
    g_assert_nonnull (strstr (error->message, "before the handshake was complete"));
    g_clear_error (&error);
    g_clear_pointer (&reply, g_bytes_unref);
  }
  {
    g_autoptr(ThPaseInitiator) initiator = new_initiator (20202021, 1, NULL);
    g_autoptr(GBytes) short_report = th_test_hex_to_bytes ("0100000000");

    g_assert_cmpint (answer_request (initiator, TH_SECURE_CHANNEL_STATUS_REPORT, short_report,
                                     &opcode, &reply, &error), ==, TH_PASE_FAILED);
    g_assert_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL);
    g_assert_nonnull (strstr (error->message, "malformed status report"));
    g_assert_null (reply);
  }
}

static void
test_initiator_arguments (void)
{
  g_autoptr(GError) error = NULL;
  ThPbkdfParameters pbkdf = { 999, { 0 }, 16 };

  g_assert_null (th_pase_initiator_new (0, 1, NULL, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL);
  g_clear_error (&error);
  g_assert_null (th_pase_initiator_new (99999999, 1, NULL, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL);
  g_assert_null (strstr (error->message, "99999999"));
  g_clear_error (&error);
  g_assert_null (th_pase_initiator_new (12345679, 0, NULL, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL);
  g_clear_error (&error);
  g_assert_null (th_pase_initiator_new (12345679, 1, &pbkdf, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "999"));
}

/* A request the device cannot accept gets INVALID_PARAMETER. */
static void
test_responder_bad_request (void)
{
  Device device;
  ThPbkdfParamRequest request = { 0 };
  const guint16 bad_passcode_id = 1;

  device_init (&device, 20202021, 1000, 16);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(ThPaseResponder) responder = device_new_responder (&device, 1, NULL);
      g_autoptr(GBytes) payload = NULL;
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(GError) error = NULL;
      ThStatusReport report;
      guint8 opcode = 0;

      request.initiator_session_id = i == 0 ? 0 : 5;
      request.passcode_id = i == 0 ? 0 : bad_passcode_id;
      payload = th_pbkdf_param_request_encode (&request);
      g_assert_cmpint (th_pase_responder_process (responder,
                                                  TH_SECURE_CHANNEL_PBKDF_PARAM_REQUEST,
                                                  payload, &opcode, &reply, &error),
                       ==, TH_PASE_FAILED);
      g_assert_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL);
      g_test_message ("%s", error->message);
      g_assert_true (th_status_report_decode (&report, g_bytes_get_data (reply, NULL),
                                              g_bytes_get_size (reply), NULL));
      g_assert_true (th_status_report_is_secure_channel (
        &report, TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GRand) owned_rng = NULL;

  g_test_init (&argc, &argv, NULL);
  rng = owned_rng = g_rand_new_with_seed (th_test_seed ());

  g_test_add_func ("/pase/vectors/initiator", test_vectors_initiator);
  g_test_add_func ("/pase/vectors/responder", test_vectors_responder);
  g_test_add_func ("/pase/vectors/context-hash", test_vectors_context_hash);
  g_test_add_func ("/pase/status-report/codec", test_status_report_codec);
  g_test_add_func ("/pase/status-report/sentences", test_status_report_sentences);
  g_test_add_func ("/pase/messages/round-trip", test_messages_round_trip);
  g_test_add_func ("/pase/messages/validation", test_messages_validation);
  g_test_add_func ("/pase/messages/every-byte", test_messages_every_byte);
  g_test_add_func ("/pase/handshake/success", test_handshake_success);
  g_test_add_func ("/pase/handshake/known-pbkdf-parameters", test_handshake_known_pbkdf);
  g_test_add_func ("/pase/handshake/wrong-passcode", test_handshake_wrong_passcode);
  g_test_add_func ("/pase/handshake/device-rejects-pake3", test_handshake_device_rejects_pake3);
  g_test_add_func ("/pase/handshake/tampered-pake2", test_handshake_tampered_pake2);
  g_test_add_func ("/pase/handshake/truncated", test_handshake_truncated);
  g_test_add_func ("/pase/initiator/busy", test_initiator_busy);
  g_test_add_func ("/pase/initiator/bad-response", test_initiator_bad_response);
  g_test_add_func ("/pase/initiator/unexpected", test_initiator_unexpected);
  g_test_add_func ("/pase/initiator/arguments", test_initiator_arguments);
  g_test_add_func ("/pase/responder/bad-request", test_responder_bad_request);

  return g_test_run ();
}
