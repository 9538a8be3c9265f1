/* test-case.c: CASE messages, identities, and the initiator against a responder and against
 * impostors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "credentials/th-fabric.h"
#include "crypto/th-crypto.h"
#include "messaging/th-message.h"
#include "secure-channel/th-case-identity.h"
#include "secure-channel/th-case-initiator.h"
#include "secure-channel/th-case-messages.h"
#include "secure-channel/th-case-private.h"
#include "secure-channel/th-case-responder.h"
#include "secure-channel/th-status-report.h"
#include "th-error.h"
#include "th-test-utils.h"

#define FABRIC_ID           G_GUINT64_CONSTANT (0x2906C908D115D362)
#define COMMISSIONER_NODE   G_GUINT64_CONSTANT (0x000000000001B669)
#define DEVICE_NODE         G_GUINT64_CONSTANT (0x000000000000002A)
#define OTHER_NODE          G_GUINT64_CONSTANT (0x000000000000002B)
#define INITIATOR_SESSION   0x1234
#define RESPONDER_SESSION   0x4321

static void
assert_gbytes_equal (GBytes *a,
                     GBytes *b)
{
  gsize alen, blen;
  const guint8 *adata = g_bytes_get_data (a, &alen);
  const guint8 *bdata = g_bytes_get_data (b, &blen);

  th_assert_bytes_equal (adata, alen, bdata, blen);
}

static ThFabric *
new_fabric (guint64       fabric_id,
            ThFabricFlags flags)
{
  g_autoptr(GError) error = NULL;
  ThFabric *fabric = th_fabric_new (fabric_id, flags, &error);

  g_assert_no_error (error);
  return fabric;
}

/* The key that signs the fabric's NOCs. */
static ThP256Key *
issuing_key (ThFabric *fabric)
{
  ThP256Key *ica_key = th_fabric_get_intermediate_key (fabric);

  return ica_key != NULL ? ica_key : th_fabric_get_root_key (fabric);
}

static GBytes *
encode_tlv (const ThCertificate *cert)
{
  g_autoptr(GError) error = NULL;
  GBytes *tlv = th_certificate_encode_tlv (cert, &error);

  g_assert_no_error (error);
  return tlv;
}

/* A NOC for `key`; when `not_after` is not 0 it is valid from `not_before` to then. */
static GBytes *
issue_noc (ThFabric  *fabric,
           ThP256Key *key,
           guint64    node_id,
           guint32    not_before,
           guint32    not_after)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThCertificate) noc = NULL;
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];

  th_p256_key_get_public (key, public_key);
  noc = th_fabric_issue_noc (fabric, public_key, node_id, NULL, 0, &error);
  g_assert_no_error (error);
  if (not_after != 0)
    {
      noc->not_before = not_before;
      noc->not_after = not_after;
      g_assert_true (th_certificate_sign (noc, issuing_key (fabric), &error));
      g_assert_no_error (error);
    }
  return encode_tlv (noc);
}

/* A node of the fabric with a fresh key and a NOC valid from `not_before` to `not_after`
 * (0: the fabric's usual validity). */
static ThCaseIdentity *
new_identity_valid (ThFabric *fabric,
                    guint64   node_id,
                    guint32   not_before,
                    guint32   not_after)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThP256Key) key = th_p256_key_generate (&error);
  g_autoptr(GBytes) noc = NULL;
  ThCaseIdentity *identity;

  g_assert_no_error (error);
  noc = issue_noc (fabric, key, node_id, not_before, not_after);
  identity = th_case_identity_new_for_fabric (fabric, noc, key, &error);
  g_assert_no_error (error);
  g_assert_nonnull (identity);
  return identity;
}

static ThCaseIdentity *
new_identity (ThFabric *fabric,
              guint64   node_id)
{
  return new_identity_valid (fabric, node_id, 0, 0);
}

/* The fabric's root key and IPK behind another root certificate: a different matter-rcac-id,
 * so that certificates from one do not chain to the other, yet the same public key, so that
 * destination identifiers agree. */
static ThFabric *
new_fabric_reissued_root (ThFabric *fabric)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThCertificate) rcac = th_certificate_copy (th_fabric_get_root_certificate (fabric));
  g_autoptr(GBytes) rcac_tlv = NULL;
  ThFabric *reissued;

  for (guint i = 0; i < rcac->subject.n_attributes; i++)
    if (rcac->subject.attributes[i].type == TH_DN_MATTER_RCAC_ID)
      rcac->subject.attributes[i].value ^= 1;
  th_dn_copy (&rcac->issuer, &rcac->subject);
  g_assert_true (th_certificate_sign (rcac, th_fabric_get_root_key (fabric), &error));
  g_assert_no_error (error);
  rcac_tlv = encode_tlv (rcac);
  reissued = th_fabric_new_from_credentials (th_fabric_get_fabric_id (fabric),
                                             th_fabric_get_root_key (fabric), rcac_tlv, NULL,
                                             NULL, th_fabric_get_ipk_epoch_key (fabric),
                                             &error);
  g_assert_no_error (error);
  return reissued;
}

static ThCaseInitiator *
new_initiator (ThCaseIdentity *identity,
               guint64         peer_node_id)
{
  g_autoptr(GError) error = NULL;
  ThSessionParameters parameters = { 0 };
  ThCaseInitiator *initiator;

  parameters.present = TH_SESSION_PARAMETER_IDLE_INTERVAL | TH_SESSION_PARAMETER_ACTIVE_INTERVAL;
  parameters.idle_interval_ms = 5000;
  parameters.active_interval_ms = 300;
  initiator = th_case_initiator_new (identity, peer_node_id, INITIATOR_SESSION, &parameters,
                                     &error);
  g_assert_no_error (error);
  return initiator;
}

static ThCaseResponder *
new_responder (ThCaseIdentity *identity)
{
  g_autoptr(GError) error = NULL;
  ThSessionParameters parameters = { 0 };
  ThCaseResponder *responder;

  parameters.present = TH_SESSION_PARAMETER_IDLE_INTERVAL |
                       TH_SESSION_PARAMETER_ACTIVE_THRESHOLD;
  parameters.idle_interval_ms = 1200;
  parameters.active_threshold_ms = 4000;
  responder = th_case_responder_new (identity, RESPONDER_SESSION, &parameters, &error);
  g_assert_no_error (error);
  return responder;
}

/* Changes a message on its way; returns a new payload or NULL to leave it. */
typedef GBytes *(*TamperFunc) (guint8    opcode,
                               GBytes   *payload,
                               gpointer  user_data);

typedef struct
{
  ThCaseResult result;        /* CONTINUE: the side never finished */
  GError *error;
  GBytes *last_reply;         /* what it sent last */
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_clear_error (&outcome->error);
  g_clear_pointer (&outcome->last_reply, g_bytes_unref);
}

/* Passes messages between the two until neither has anything more to send. */
static void
run_handshake (ThCaseInitiator *initiator,
               ThCaseResponder *responder,
               TamperFunc       tamper,
               gpointer         tamper_data,
               Outcome         *initiator_outcome,
               Outcome         *responder_outcome)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = NULL;
  guint8 opcode = TH_SECURE_CHANNEL_CASE_SIGMA1;
  gboolean to_responder = TRUE;

  *initiator_outcome = (Outcome) { TH_CASE_CONTINUE, NULL, NULL };
  *responder_outcome = (Outcome) { TH_CASE_CONTINUE, NULL, NULL };

  payload = th_case_initiator_start (initiator, &error);
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
        outcome->result = th_case_responder_process (responder, opcode, payload,
                                                     &reply_opcode, &reply, &outcome->error);
      else
        outcome->result = th_case_initiator_process (initiator, opcode, payload,
                                                     &reply_opcode, &reply, &outcome->error);
      g_assert_true ((outcome->result == TH_CASE_FAILED) == (outcome->error != NULL));
      if (reply != NULL)
        {
          g_clear_pointer (&outcome->last_reply, g_bytes_unref);
          outcome->last_reply = g_bytes_ref (reply);
        }

      g_clear_pointer (&payload, g_bytes_unref);
      payload = g_steal_pointer (&reply);
      opcode = reply_opcode;
      to_responder = !to_responder;
    }
}

static void
assert_established (ThCaseInitiator *initiator,
                    ThCaseResponder *responder,
                    ThCaseIdentity  *commissioner)
{
  ThSessionKeys initiator_keys;
  ThSessionKeys responder_keys;
  ThSessionParameters parameters;

  g_assert_cmpint (th_case_initiator_get_state (initiator), ==, TH_CASE_INITIATOR_ESTABLISHED);
  g_assert_cmpint (th_case_responder_get_state (responder), ==, TH_CASE_RESPONDER_ESTABLISHED);
  g_assert_cmpuint (th_case_initiator_get_peer_session_id (initiator), ==, RESPONDER_SESSION);
  g_assert_cmpuint (th_case_responder_get_peer_session_id (responder), ==, INITIATOR_SESSION);
  g_assert_cmpuint (th_case_responder_get_peer_node_id (responder), ==,
                    th_case_identity_get_node_id (commissioner));

  /* What each announced reached the other. */
  g_assert_true (th_case_initiator_get_peer_parameters (initiator, &parameters));
  g_assert_cmpuint (parameters.present, ==, TH_SESSION_PARAMETER_IDLE_INTERVAL |
                                            TH_SESSION_PARAMETER_ACTIVE_THRESHOLD);
  g_assert_cmpuint (parameters.idle_interval_ms, ==, 1200);
  g_assert_cmpuint (parameters.active_threshold_ms, ==, 4000);
  g_assert_true (th_case_responder_get_peer_parameters (responder, &parameters));
  g_assert_cmpuint (parameters.idle_interval_ms, ==, 5000);
  g_assert_cmpuint (parameters.active_interval_ms, ==, 300);

  th_case_initiator_get_session_keys (initiator, &initiator_keys);
  th_case_responder_get_session_keys (responder, &responder_keys);
  g_assert_cmpmem (&initiator_keys, sizeof initiator_keys,
                   &responder_keys, sizeof responder_keys);
  g_assert_true (memcmp (initiator_keys.i2r_key, initiator_keys.r2i_key,
                         TH_SESSION_KEY_LEN) != 0);
  th_session_keys_clear (&initiator_keys);
  th_session_keys_clear (&responder_keys);
}

/* The reply is a Secure Channel status report with this protocol code. */
static void
assert_status_report (GBytes                *payload,
                      ThSecureChannelStatus  code)
{
  g_autoptr(GError) error = NULL;
  ThStatusReport report;

  g_assert_nonnull (payload);
  g_assert_true (th_status_report_decode (&report, g_bytes_get_data (payload, NULL),
                                          g_bytes_get_size (payload), &error));
  g_assert_no_error (error);
  g_assert_true (th_status_report_is_secure_channel (&report, code));
}

/* The destination identifier */

/* The example of the specification's CASE section, as connectedhomeip carries it. */
static void
test_destination_id_vector (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) root = th_test_hex_to_bytes (
    "044a9f42b1ca4840d37292bbc7f6a7e11e22200c976fc900dbc98a7a383a641cb8254a2e56d4e295a847943b4e"
    "3897c4a773e930277b4d9fbede8a052686bfacfa");
  g_autoptr(GBytes) ipk = th_test_hex_to_bytes ("9bc61cd9c62a2df6d64dfcaa9dc472d4");
  g_autoptr(GBytes) random = th_test_hex_to_bytes (
    "7e171231568dfa17206b3accf8faec2f4d21b580113196f47c7c4deb810a73dc");
  g_autoptr(GBytes) expected = th_test_hex_to_bytes (
    "dc35dd5fc9134cc5544538c9c3fc4297c1ec3370c839136a80e10796451d4c53");
  guint8 out[TH_CASE_DESTINATION_ID_LEN];

  g_assert_true (th_case_destination_id (g_bytes_get_data (ipk, NULL),
                                         g_bytes_get_data (random, NULL),
                                         g_bytes_get_data (root, NULL),
                                         G_GUINT64_CONSTANT (0x2906C908D115D362),
                                         G_GUINT64_CONSTANT (0xCD5544AA7B13EF14), out, &error));
  g_assert_no_error (error);
  th_assert_bytes_equal (out, sizeof out, g_bytes_get_data (expected, NULL),
                         g_bytes_get_size (expected));

  /* Another node of the same fabric has another identifier. */
  g_assert_true (th_case_destination_id (g_bytes_get_data (ipk, NULL),
                                         g_bytes_get_data (random, NULL),
                                         g_bytes_get_data (root, NULL),
                                         G_GUINT64_CONSTANT (0x2906C908D115D362),
                                         G_GUINT64_CONSTANT (0xCD5544AA7B13EF15), out, &error));
  g_assert_false (memcmp (out, g_bytes_get_data (expected, NULL), sizeof out) == 0);
}

/* Identities */

static void
test_identity (void)
{
  g_autoptr(ThFabric) fabric = new_fabric (FABRIC_ID, TH_FABRIC_WITH_INTERMEDIATE);
  g_autoptr(ThFabric) other = new_fabric (FABRIC_ID, TH_FABRIC_FLAGS_NONE);
  g_autoptr(ThCaseIdentity) identity = new_identity (fabric, COMMISSIONER_NODE);
  g_autoptr(ThCaseIdentity) without_icac = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThP256Key) key = th_p256_key_generate (NULL);
  g_autoptr(ThP256Key) other_key = th_p256_key_generate (NULL);
  g_autoptr(GBytes) noc = issue_noc (fabric, key, COMMISSIONER_NODE, 0, 0);
  g_autoptr(GBytes) foreign_noc = issue_noc (other, key, COMMISSIONER_NODE, 0, 0);
  g_autoptr(GBytes) garbage = g_bytes_new_static ("\x15\x18", 2);
  guint8 ipk[TH_IPK_LEN];

  g_assert_cmpuint (th_case_identity_get_fabric_id (identity), ==, FABRIC_ID);
  g_assert_cmpuint (th_case_identity_get_node_id (identity), ==, COMMISSIONER_NODE);
  g_assert_nonnull (th_case_identity_get_icac_tlv (identity));
  assert_gbytes_equal (th_case_identity_get_icac_tlv (identity),
                       th_fabric_get_intermediate_certificate_tlv (fabric));
  g_assert_cmpmem (th_case_identity_get_compressed_fabric_id (identity),
                   TH_COMPRESSED_FABRIC_ID_LEN, th_fabric_get_compressed_fabric_id (fabric),
                   TH_COMPRESSED_FABRIC_ID_LEN);
  g_assert_true (th_fabric_get_operational_ipk (fabric, ipk, &error));
  g_assert_cmpmem (th_case_identity_get_operational_ipk (identity), TH_IPK_LEN, ipk,
                   TH_IPK_LEN);
  g_assert_true (th_certificate_get_kind (th_case_identity_get_root_certificate (identity)) ==
                 TH_CERTIFICATE_KIND_ROOT);

  /* A NOC issued by the ICA does not chain without its ICAC. */
  without_icac = th_case_identity_new (th_fabric_get_root_certificate_tlv (fabric), NULL, noc,
                                       key, th_fabric_get_ipk_epoch_key (fabric), &error);
  g_assert_null (without_icac);
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "do not form a chain"));
  g_clear_error (&error);

  /* Nor does one of another fabric. */
  g_assert_null (th_case_identity_new_for_fabric (fabric, foreign_noc, key, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* The key must be the NOC's. */
  g_assert_null (th_case_identity_new_for_fabric (fabric, noc, other_key, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN);
  g_assert_nonnull (strstr (error->message, "not the private key"));
  g_clear_error (&error);

  g_assert_null (th_case_identity_new_for_fabric (fabric, garbage, key, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_INVALID);
  g_assert_nonnull (strstr (error->message, "operational certificate is malformed"));
  g_clear_error (&error);
}

static void
test_identity_validate_peer (void)
{
  g_autoptr(ThFabric) fabric = new_fabric (FABRIC_ID, TH_FABRIC_WITH_INTERMEDIATE);
  g_autoptr(ThFabric) reissued = new_fabric_reissued_root (fabric);
  g_autoptr(ThCaseIdentity) identity = new_identity (fabric, COMMISSIONER_NODE);
  g_autoptr(ThCaseIdentity) device = new_identity (fabric, DEVICE_NODE);
  g_autoptr(ThCaseIdentity) stranger = new_identity (reissued, DEVICE_NODE);
  g_autoptr(ThCaseIdentity) expired = new_identity_valid (fabric, DEVICE_NODE, 1000, 2000);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(ThCertificate) noc = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *noc_data, *icac_data;
  gsize noc_len, icac_len;

  noc_data = g_bytes_get_data (th_case_identity_get_noc_tlv (device), &noc_len);
  icac_data = g_bytes_get_data (th_case_identity_get_icac_tlv (device), &icac_len);
  noc = th_case_identity_validate_peer (identity, noc_data, noc_len, icac_data, icac_len, now,
                                        &error);
  g_assert_no_error (error);
  g_assert_cmpuint (th_certificate_get_node_id (noc), ==, DEVICE_NODE);
  g_clear_pointer (&noc, th_certificate_free);

  /* Without its ICAC the NOC leads nowhere. */
  g_assert_null (th_case_identity_validate_peer (identity, noc_data, noc_len, NULL, 0, now,
                                                 &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CASE_WRONG_FABRIC);
  g_clear_error (&error);

  /* Certificates that cannot be decoded. */
  g_assert_null (th_case_identity_validate_peer (identity, noc_data, noc_len - 1, icac_data,
                                                 icac_len, now, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "(NOC) is malformed"));
  g_clear_error (&error);
  g_assert_null (th_case_identity_validate_peer (identity, noc_data, noc_len, icac_data, 3, now,
                                                 &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "(ICAC) is malformed"));
  g_clear_error (&error);

  /* Under another root certificate with the same key. */
  noc_data = g_bytes_get_data (th_case_identity_get_noc_tlv (stranger), &noc_len);
  g_assert_null (th_case_identity_validate_peer (identity, noc_data, noc_len, NULL, 0, now,
                                                 &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CASE_WRONG_FABRIC);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* Expired long ago; fine when the time is not checked. */
  noc_data = g_bytes_get_data (th_case_identity_get_noc_tlv (expired), &noc_len);
  g_assert_null (th_case_identity_validate_peer (identity, noc_data, noc_len, icac_data,
                                                 icac_len, now, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_EXPIRED);
  g_clear_error (&error);
  noc = th_case_identity_validate_peer (identity, noc_data, noc_len, icac_data, icac_len, NULL,
                                        &error);
  g_assert_no_error (error);
}

/* Message codecs */

static void
fill (guint8 *data,
      gsize   len,
      guint8  value)
{
  memset (data, value, len);
}

static void
test_messages_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  ThCaseSigma1 sigma1 = { 0 }, sigma1_out;
  ThCaseSigma2 sigma2 = { 0 }, sigma2_out;
  ThCaseSigma3 sigma3 = { 0 }, sigma3_out;
  ThCaseTbeData tbe = { 0 }, tbe_out;
  static const guint8 encrypted[40] = { 1, 2, 3 };
  static const guint8 noc[] = { 0x15, 0x18 };
  static const guint8 icac[] = { 0x15, 0x24, 0x01, 0x07, 0x18 };
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(GBytes) again = NULL;

  fill (sigma1.initiator_random, sizeof sigma1.initiator_random, 0x11);
  sigma1.initiator_session_id = 0xbeef;
  fill (sigma1.destination_id, sizeof sigma1.destination_id, 0x22);
  fill (sigma1.initiator_ephemeral_key, sizeof sigma1.initiator_ephemeral_key, 0x04);
  sigma1.has_session_parameters = TRUE;
  sigma1.session_parameters.present = TH_SESSION_PARAMETER_IDLE_INTERVAL;
  sigma1.session_parameters.idle_interval_ms = 500;
  sigma1.has_resumption = TRUE;
  fill (sigma1.resumption_id, sizeof sigma1.resumption_id, 0x66);
  fill (sigma1.initiator_resume_mic, sizeof sigma1.initiator_resume_mic, 0x77);
  encoded = th_case_sigma1_encode (&sigma1);
  g_assert_true (th_case_sigma1_decode (&sigma1_out, g_bytes_get_data (encoded, NULL),
                                        g_bytes_get_size (encoded), &error));
  g_assert_no_error (error);
  g_assert_cmpmem (&sigma1_out, sizeof sigma1_out, &sigma1, sizeof sigma1);
  /* The tags of the specification: 1 to 4 byte strings and an integer, 5 a structure. */
  g_assert_cmpuint (g_bytes_get_size (encoded), ==,
                    2 + (3 + 32) + (1 + 3) + (3 + 32) + (3 + 65) + (2 + 4 + 1) + (3 + 16) +
                    (3 + 16));
  g_clear_pointer (&encoded, g_bytes_unref);

  fill (sigma2.responder_random, sizeof sigma2.responder_random, 0x33);
  sigma2.responder_session_id = 7;
  fill (sigma2.responder_ephemeral_key, sizeof sigma2.responder_ephemeral_key, 0x04);
  sigma2.encrypted = encrypted;
  sigma2.encrypted_len = sizeof encrypted;
  encoded = th_case_sigma2_encode (&sigma2);
  g_assert_true (th_case_sigma2_decode (&sigma2_out, g_bytes_get_data (encoded, NULL),
                                        g_bytes_get_size (encoded), &error));
  g_assert_no_error (error);
  g_assert_cmpmem (sigma2_out.encrypted, sigma2_out.encrypted_len, encrypted, sizeof encrypted);
  g_assert_cmpuint (sigma2_out.responder_session_id, ==, 7);
  g_assert_false (sigma2_out.has_session_parameters);
  again = th_case_sigma2_encode (&sigma2_out);
  assert_gbytes_equal (again, encoded);
  g_clear_pointer (&encoded, g_bytes_unref);
  g_clear_pointer (&again, g_bytes_unref);

  sigma3.encrypted = encrypted;
  sigma3.encrypted_len = sizeof encrypted;
  encoded = th_case_sigma3_encode (&sigma3);
  g_assert_true (th_case_sigma3_decode (&sigma3_out, g_bytes_get_data (encoded, NULL),
                                        g_bytes_get_size (encoded), &error));
  g_assert_cmpmem (sigma3_out.encrypted, sigma3_out.encrypted_len, encrypted, sizeof encrypted);
  g_clear_pointer (&encoded, g_bytes_unref);

  /* TBEData2 with and without an ICAC; TBEData3 has no resumption id. */
  tbe.noc = noc;
  tbe.noc_len = sizeof noc;
  fill (tbe.signature, sizeof tbe.signature, 0x55);
  fill (tbe.resumption_id, sizeof tbe.resumption_id, 0x99);
  encoded = th_case_tbe_data2_encode (&tbe);
  g_assert_true (th_case_tbe_data2_decode (&tbe_out, g_bytes_get_data (encoded, NULL),
                                           g_bytes_get_size (encoded), &error));
  g_assert_null (tbe_out.icac);
  g_assert_cmpmem (tbe_out.noc, tbe_out.noc_len, noc, sizeof noc);
  g_assert_cmpmem (tbe_out.signature, sizeof tbe_out.signature, tbe.signature,
                   sizeof tbe.signature);
  g_assert_cmpmem (tbe_out.resumption_id, sizeof tbe_out.resumption_id, tbe.resumption_id,
                   sizeof tbe.resumption_id);
  g_clear_pointer (&encoded, g_bytes_unref);

  tbe.icac = icac;
  tbe.icac_len = sizeof icac;
  encoded = th_case_tbe_data3_encode (&tbe);
  g_assert_true (th_case_tbe_data3_decode (&tbe_out, g_bytes_get_data (encoded, NULL),
                                           g_bytes_get_size (encoded), &error));
  g_assert_no_error (error);
  g_assert_cmpmem (tbe_out.icac, tbe_out.icac_len, icac, sizeof icac);
  /* Without a resumption id TBEData2 is incomplete. */
  g_assert_false (th_case_tbe_data2_decode (&tbe_out, g_bytes_get_data (encoded, NULL),
                                            g_bytes_get_size (encoded), &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "TBEData2 message lacks its resumptionID"));
  g_clear_error (&error);
}

typedef gboolean (*DecodeFunc) (gpointer      out,
                                const guint8 *data,
                                gsize         len,
                                GError      **error);

static gboolean
decode_sigma1 (gpointer out, const guint8 *data, gsize len, GError **error)
{
  return th_case_sigma1_decode (out, data, len, error);
}

static gboolean
decode_sigma2 (gpointer out, const guint8 *data, gsize len, GError **error)
{
  return th_case_sigma2_decode (out, data, len, error);
}

static gboolean
decode_sigma3 (gpointer out, const guint8 *data, gsize len, GError **error)
{
  return th_case_sigma3_decode (out, data, len, error);
}

static gboolean
decode_tbe2 (gpointer out, const guint8 *data, gsize len, GError **error)
{
  return th_case_tbe_data2_decode (out, data, len, error);
}

static gboolean
decode_tbe3 (gpointer out, const guint8 *data, gsize len, GError **error)
{
  return th_case_tbe_data3_decode (out, data, len, error);
}

static void
test_messages_validation (void)
{
  static const struct
  {
    DecodeFunc decode;
    const char *hex;
    const char *phrase;
  } cases[] = {
    { decode_sigma1, "", "Sigma1 message is empty" },
    { decode_sigma1, "1518", "lacks its initiatorRandom" },
    { decode_sigma1, "17", "not an anonymous TLV structure" },
    { decode_sigma1, "15300102abcd18", "initiatorRandom field at byte 1 of the Sigma1 message is "
                                       "2 bytes long; it must be 32" },
    { decode_sigma1, "1524010118", "initiatorRandom field of the Sigma1 message is malformed" },
    { decode_sigma1, "15250201002502010018", "Field 2 of the Sigma1 message appears a second time "
                                             "at byte 5" },
    { decode_sigma3, "15300111" "0000000000000000000000000000000000" "18" "0400",
      "The Sigma3 message goes on after its structure, at byte 22" },
    { decode_sigma1, "1524", "malformed" },
    /* all required members, then a resumptionID alone */
    { decode_sigma1,
      "1530012011111111111111111111111111111111111111111111111111111111111111112502efbe"
      "30032022222222222222222222222222222222222222222222222222222222222222223004410404"
      "04040404040404040404040404040404040404040404040404040404040404040404040404040404"
      "04040404040404040404040404040404040404040404043006106666666666666666666666666666"
      "666618",
      "only one of resumptionID and initiatorResumeMIC" },
    { decode_sigma2, "15300410" "00000000000000000000000000000000" "18",
      "encrypted2 field at byte 1 of the Sigma2 message is 16 bytes long; it must be 17 to" },
    { decode_sigma2, "1518", "lacks its responderRandom" },
    { decode_sigma3, "1518", "lacks its encrypted3" },
    { decode_sigma3, "15240101" "18", "encrypted3 field of the Sigma3 message is malformed" },
    { decode_tbe2, "1530010115" "18", "lacks its signature" },
    { decode_tbe3, "153001001518", "initiatorNOC field at byte 1 of the TBEData3 message is 0 "
                                   "bytes long; it must be 1 to 400" },
    { decode_tbe3, "153003020000" "18", "signature field at byte 1 of the TBEData3 message is 2" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) input = th_test_hex_to_bytes (cases[i].hex);
      g_autoptr(GError) error = NULL;
      union
      {
        ThCaseSigma1 sigma1;
        ThCaseSigma2 sigma2;
        ThCaseSigma3 sigma3;
        ThCaseTbeData tbe;
      } out;

      g_assert_false (cases[i].decode (&out, g_bytes_get_data (input, NULL),
                                       g_bytes_get_size (input), &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL);
      g_test_message ("%s", error->message);
      if (strstr (error->message, cases[i].phrase) == NULL)
        g_error ("case %zu: \"%s\" lacks \"%s\"", i, error->message, cases[i].phrase);
    }
}

/* Unknown members are skipped, wherever they are; known ones keep their meaning. */
static void
test_messages_unknown_members (void)
{
  g_auto(ThTlvWriter) writer = { 0 };
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GError) error = NULL;
  guint8 noc[10] = { 0 }, signature[TH_P256_SIGNATURE_LEN] = { 0 }, resumption_id[16];
  ThCaseTbeData tbe;

  memset (resumption_id, 0x11, sizeof resumption_id);
  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (9), 5);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (1), noc, sizeof noc);
  th_tlv_writer_start_structure (&writer, TH_TLV_CONTEXT (5));
  th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (8), TRUE);
  th_tlv_writer_end_container (&writer);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (3), signature, sizeof signature);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (4), resumption_id, sizeof resumption_id);
  th_tlv_writer_put_string (&writer, TH_TLV_CONTEXT (200), "later", -1);
  th_tlv_writer_end_container (&writer);
  input = th_tlv_writer_finish (&writer);

  g_assert_true (th_case_tbe_data2_decode (&tbe, g_bytes_get_data (input, NULL),
                                           g_bytes_get_size (input), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tbe.noc_len, ==, sizeof noc);
  g_assert_null (tbe.icac);
  g_assert_cmpmem (tbe.resumption_id, sizeof tbe.resumption_id, resumption_id,
                   sizeof resumption_id);

  /* In TBEData3 the resumption id is one of them. */
  g_assert_true (th_case_tbe_data3_decode (&tbe, g_bytes_get_data (input, NULL),
                                           g_bytes_get_size (input), &error));
  g_assert_no_error (error);
}

/* Handshakes */

static void
run_success (ThFabric *commissioner_fabric,
             ThFabric *device_fabric)
{
  g_autoptr(ThCaseIdentity) commissioner = new_identity (commissioner_fabric,
                                                         COMMISSIONER_NODE);
  g_autoptr(ThCaseIdentity) device = new_identity (device_fabric, DEVICE_NODE);
  g_autoptr(ThCaseInitiator) initiator = new_initiator (commissioner, DEVICE_NODE);
  g_autoptr(ThCaseResponder) responder = new_responder (device);
  Outcome initiator_outcome, responder_outcome;

  run_handshake (initiator, responder, NULL, NULL, &initiator_outcome, &responder_outcome);
  g_assert_no_error (initiator_outcome.error);
  g_assert_no_error (responder_outcome.error);
  g_assert_cmpint (initiator_outcome.result, ==, TH_CASE_ESTABLISHED);
  g_assert_cmpint (responder_outcome.result, ==, TH_CASE_ESTABLISHED);
  assert_status_report (responder_outcome.last_reply,
                        TH_SECURE_CHANNEL_STATUS_SESSION_ESTABLISHMENT_SUCCESS);
  assert_established (initiator, responder, commissioner);
  outcome_clear (&initiator_outcome);
  outcome_clear (&responder_outcome);
}

static void
test_handshake_root_issued (void)
{
  g_autoptr(ThFabric) fabric = new_fabric (FABRIC_ID, TH_FABRIC_FLAGS_NONE);

  run_success (fabric, fabric);
}

static void
test_handshake_with_icac (void)
{
  g_autoptr(ThFabric) fabric = new_fabric (FABRIC_ID, TH_FABRIC_WITH_INTERMEDIATE);

  run_success (fabric, fabric);
}

/* One side's NOC from the ICA, the other's from the root itself. */
static void
test_handshake_mixed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThFabric) with_ica = new_fabric (FABRIC_ID, TH_FABRIC_WITH_INTERMEDIATE);
  g_autoptr(ThFabric) root_only = NULL;

  root_only = th_fabric_new_from_credentials (FABRIC_ID, th_fabric_get_root_key (with_ica),
                                              th_fabric_get_root_certificate_tlv (with_ica),
                                              NULL, NULL, th_fabric_get_ipk_epoch_key (with_ica),
                                              &error);
  g_assert_no_error (error);
  run_success (with_ica, root_only);
  run_success (root_only, with_ica);
}

/* The initiator fails with `code`, having told the responder, which did not finish. */
static void
run_failure (ThCaseIdentity  *commissioner,
             ThCaseIdentity  *device,
             guint64          peer_node_id,
             gint             code,
             const char      *phrase)
{
  g_autoptr(ThCaseInitiator) initiator = new_initiator (commissioner, peer_node_id);
  g_autoptr(ThCaseResponder) responder = new_responder (device);
  Outcome initiator_outcome, responder_outcome;

  run_handshake (initiator, responder, NULL, NULL, &initiator_outcome, &responder_outcome);
  g_assert_cmpint (initiator_outcome.result, ==, TH_CASE_FAILED);
  g_assert_error (initiator_outcome.error, TH_ERROR, code);
  g_test_message ("initiator: %s", initiator_outcome.error->message);
  g_assert_nonnull (strstr (initiator_outcome.error->message, phrase));
  g_assert_cmpint (th_case_initiator_get_state (initiator), ==, TH_CASE_INITIATOR_FAILED);
  g_assert_cmpint (th_case_responder_get_state (responder), !=, TH_CASE_RESPONDER_ESTABLISHED);
  if (responder_outcome.error != NULL)
    g_test_message ("responder: %s", responder_outcome.error->message);
  outcome_clear (&initiator_outcome);
  outcome_clear (&responder_outcome);
}

/* The device was reset, moved to another fabric, or is another node: its Sigma1 check fails
 * and it says NO_SHARED_TRUST_ROOTS. */
static void
test_handshake_no_shared_root (void)
{
  g_autoptr(ThFabric) fabric = new_fabric (FABRIC_ID, TH_FABRIC_FLAGS_NONE);
  g_autoptr(ThFabric) other_root = new_fabric (FABRIC_ID, TH_FABRIC_FLAGS_NONE);
  g_autoptr(ThFabric) other_fabric_id = NULL;
  g_autoptr(ThFabric) other_ipk = NULL;
  g_autoptr(ThCaseIdentity) commissioner = new_identity (fabric, COMMISSIONER_NODE);
  g_autoptr(ThCaseIdentity) device = new_identity (fabric, DEVICE_NODE);
  g_autoptr(ThCaseIdentity) elsewhere = new_identity (other_root, DEVICE_NODE);
  g_autoptr(ThCaseIdentity) other_id_device = NULL;
  g_autoptr(ThCaseIdentity) other_ipk_device = NULL;
  g_autoptr(GError) error = NULL;
  guint8 ipk[TH_IPK_LEN];
  const char *phrase = "does not know this home's fabric";

  run_failure (commissioner, elsewhere, DEVICE_NODE, TH_ERROR_CASE_NO_SHARED_ROOT, phrase);
  run_failure (commissioner, device, OTHER_NODE, TH_ERROR_CASE_NO_SHARED_ROOT, phrase);

  /* The same root serving another fabric id. */
  other_fabric_id = th_fabric_new_from_credentials (FABRIC_ID + 1,
                                                    th_fabric_get_root_key (fabric),
                                                    th_fabric_get_root_certificate_tlv (fabric),
                                                    NULL, NULL,
                                                    th_fabric_get_ipk_epoch_key (fabric),
                                                    &error);
  g_assert_no_error (error);
  other_id_device = new_identity (other_fabric_id, DEVICE_NODE);
  run_failure (commissioner, other_id_device, DEVICE_NODE, TH_ERROR_CASE_NO_SHARED_ROOT, phrase);

  /* The same fabric with another IPK. */
  memcpy (ipk, th_fabric_get_ipk_epoch_key (fabric), sizeof ipk);
  ipk[0] ^= 1;
  other_ipk = th_fabric_new_from_credentials (FABRIC_ID, th_fabric_get_root_key (fabric),
                                              th_fabric_get_root_certificate_tlv (fabric),
                                              NULL, NULL, ipk, &error);
  g_assert_no_error (error);
  other_ipk_device = new_identity (other_ipk, DEVICE_NODE);
  run_failure (commissioner, other_ipk_device, DEVICE_NODE, TH_ERROR_CASE_NO_SHARED_ROOT,
               phrase);
}

/* A device whose root certificate has our root's key but is another certificate: Sigma1
 * finds it, but its NOC does not chain to our root. */
static void
test_handshake_wrong_root (void)
{
  g_autoptr(ThFabric) fabric = new_fabric (FABRIC_ID, TH_FABRIC_FLAGS_NONE);
  g_autoptr(ThFabric) reissued = new_fabric_reissued_root (fabric);
  g_autoptr(ThCaseIdentity) commissioner = new_identity (fabric, COMMISSIONER_NODE);
  g_autoptr(ThCaseIdentity) device = new_identity (reissued, DEVICE_NODE);

  run_failure (commissioner, device, DEVICE_NODE, TH_ERROR_CASE_WRONG_FABRIC,
               "The device does not belong to this home's fabric");
}

/* Our own NOC expired: the device refuses Sigma3 and we say so. */
static void
test_handshake_device_refuses_sigma3 (void)
{
  g_autoptr(ThFabric) fabric = new_fabric (FABRIC_ID, TH_FABRIC_FLAGS_NONE);
  g_autoptr(ThCaseIdentity) commissioner = new_identity_valid (fabric, COMMISSIONER_NODE,
                                                               1000, 2000);
  g_autoptr(ThCaseIdentity) device = new_identity (fabric, DEVICE_NODE);
  g_autoptr(ThCaseInitiator) initiator = new_initiator (commissioner, DEVICE_NODE);
  g_autoptr(ThCaseResponder) responder = new_responder (device);
  Outcome initiator_outcome, responder_outcome;

  run_handshake (initiator, responder, NULL, NULL, &initiator_outcome, &responder_outcome);
  g_assert_error (responder_outcome.error, TH_ERROR, TH_ERROR_CERTIFICATE_EXPIRED);
  g_assert_nonnull (strstr (responder_outcome.error->message, "initiator's credentials"));
  assert_status_report (responder_outcome.last_reply, TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER);
  g_assert_error (initiator_outcome.error, TH_ERROR, TH_ERROR_STATUS_REPORT);
  g_test_message ("%s", initiator_outcome.error->message);
  g_assert_nonnull (strstr (initiator_outcome.error->message,
                            "The device refused the Sigma3 message"));
  outcome_clear (&initiator_outcome);
  outcome_clear (&responder_outcome);
}

/* The device's NOC expired: we refuse Sigma2 and ask for the clock to be checked. */
static void
test_handshake_device_expired (void)
{
  g_autoptr(ThFabric) fabric = new_fabric (FABRIC_ID, TH_FABRIC_WITH_INTERMEDIATE);
  g_autoptr(ThCaseIdentity) commissioner = new_identity (fabric, COMMISSIONER_NODE);
  g_autoptr(ThCaseIdentity) device = new_identity_valid (fabric, DEVICE_NODE, 1000, 2000);

  run_failure (commissioner, device, DEVICE_NODE, TH_ERROR_CERTIFICATE_EXPIRED,
               "check the date and time");
}

/* Impostors: a device that answers any Sigma1 with the credentials it has, signing with the
 * key it has, as the responder would but for the checks of Sigma1. */
static GBytes *
forge_sigma2 (GBytes         *sigma1_payload,
              ThCaseIdentity *identity,
              GBytes         *noc,
              GBytes         *icac,
              ThP256Key      *signing_key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThP256Key) ephemeral = th_p256_key_generate (&error);
  g_autoptr(GBytes) tbe_data = NULL;
  g_autoptr(GBytes) sealed = NULL;
  ThCaseSigma1 sigma1;
  ThCaseSigma2 sigma2 = { 0 };
  ThCaseTbeData tbe = { 0 };
  guint8 shared_secret[TH_P256_SHARED_SECRET_LEN];
  guint8 sigma1_hash[TH_SHA256_LEN];
  guint8 s2k[TH_CASE_SIGMA_KEY_LEN];

  g_assert_true (th_case_sigma1_decode (&sigma1, g_bytes_get_data (sigma1_payload, NULL),
                                        g_bytes_get_size (sigma1_payload), &error));
  g_assert_true (th_p256_key_derive_shared_secret (ephemeral, sigma1.initiator_ephemeral_key,
                                                   shared_secret, &error));
  th_p256_key_get_public (ephemeral, sigma2.responder_ephemeral_key);
  g_assert_true (th_random_bytes (sigma2.responder_random, sizeof sigma2.responder_random,
                                  &error));
  g_assert_true (th_case_sign (signing_key, noc, icac, sigma2.responder_ephemeral_key,
                               sigma1.initiator_ephemeral_key, tbe.signature, &error));
  tbe.noc = g_bytes_get_data (noc, &tbe.noc_len);
  if (icac != NULL)
    tbe.icac = g_bytes_get_data (icac, &tbe.icac_len);
  tbe_data = th_case_tbe_data2_encode (&tbe);
  g_assert_true (th_sha256 (g_bytes_get_data (sigma1_payload, NULL),
                            g_bytes_get_size (sigma1_payload), sigma1_hash, &error));
  g_assert_true (th_case_derive_sigma2_key (shared_secret,
                                            th_case_identity_get_operational_ipk (identity),
                                            sigma2.responder_random,
                                            sigma2.responder_ephemeral_key, sigma1_hash, s2k,
                                            &error));
  sealed = th_case_seal (TH_CASE_SIGMA2, s2k, tbe_data, &error);
  g_assert_no_error (error);
  sigma2.responder_session_id = RESPONDER_SESSION;
  sigma2.encrypted = g_bytes_get_data (sealed, &sigma2.encrypted_len);
  return th_case_sigma2_encode (&sigma2);
}

/* The initiator's answer to a forged Sigma2: CONTINUE (Sigma3), or FAILED with `code`,
 * telling the impostor INVALID_PARAMETER. */
static void
run_impostor (ThCaseIdentity *commissioner,
              guint64         peer_node_id,
              GBytes         *noc,
              GBytes         *icac,
              ThP256Key      *signing_key,
              gint            code,
              const char     *phrase)
{
  g_autoptr(ThCaseInitiator) initiator = new_initiator (commissioner, peer_node_id);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sigma1 = th_case_initiator_start (initiator, &error);
  g_autoptr(GBytes) sigma2 = forge_sigma2 (sigma1, commissioner, noc, icac, signing_key);
  g_autoptr(GBytes) reply = NULL;
  guint8 reply_opcode = 0;
  ThCaseResult result;

  result = th_case_initiator_process (initiator, TH_SECURE_CHANNEL_CASE_SIGMA2, sigma2,
                                      &reply_opcode, &reply, &error);
  if (phrase == NULL)
    {
      g_assert_no_error (error);
      g_assert_cmpint (result, ==, TH_CASE_CONTINUE);
      g_assert_cmpuint (reply_opcode, ==, TH_SECURE_CHANNEL_CASE_SIGMA3);
      return;
    }
  g_assert_cmpint (result, ==, TH_CASE_FAILED);
  g_assert_error (error, TH_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, phrase));
  g_assert_cmpuint (reply_opcode, ==, TH_SECURE_CHANNEL_STATUS_REPORT);
  assert_status_report (reply, TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER);
}

static void
test_impostors (void)
{
  g_autoptr(ThFabric) fabric = new_fabric (FABRIC_ID, TH_FABRIC_WITH_INTERMEDIATE);
  g_autoptr(ThFabric) foreign = new_fabric (FABRIC_ID, TH_FABRIC_WITH_INTERMEDIATE);
  g_autoptr(ThFabric) other_fabric_id = NULL;
  g_autoptr(ThCaseIdentity) commissioner = new_identity (fabric, COMMISSIONER_NODE);
  g_autoptr(ThCaseIdentity) device = new_identity (fabric, DEVICE_NODE);
  g_autoptr(ThCaseIdentity) other_node = new_identity (fabric, OTHER_NODE);
  g_autoptr(ThCaseIdentity) stranger = new_identity (foreign, DEVICE_NODE);
  g_autoptr(ThCaseIdentity) other_id_device = NULL;
  g_autoptr(ThP256Key) wrong_key = th_p256_key_generate (NULL);
  g_autoptr(GError) error = NULL;

  /* The forger itself is sound: with the device's own credentials, Sigma2 is accepted. */
  run_impostor (commissioner, DEVICE_NODE, th_case_identity_get_noc_tlv (device),
                th_case_identity_get_icac_tlv (device), th_case_identity_get_key (device), 0,
                NULL);

  /* A NOC from another fabric's CA, with or without its ICAC. */
  run_impostor (commissioner, DEVICE_NODE, th_case_identity_get_noc_tlv (stranger),
                th_case_identity_get_icac_tlv (stranger), th_case_identity_get_key (stranger),
                TH_ERROR_CASE_WRONG_FABRIC, "The device does not belong to this home's fabric");
  run_impostor (commissioner, DEVICE_NODE, th_case_identity_get_noc_tlv (stranger), NULL,
                th_case_identity_get_key (stranger), TH_ERROR_CASE_WRONG_FABRIC,
                "The device does not belong to this home's fabric");
  /* Our NOC with another fabric's ICAC. */
  run_impostor (commissioner, DEVICE_NODE, th_case_identity_get_noc_tlv (device),
                th_case_identity_get_icac_tlv (stranger), th_case_identity_get_key (device),
                TH_ERROR_CASE_WRONG_FABRIC, "The device does not belong to this home's fabric");

  /* Our root, another fabric id. */
  other_fabric_id = th_fabric_new_from_credentials (
    FABRIC_ID + 1, th_fabric_get_root_key (fabric), th_fabric_get_root_certificate_tlv (fabric),
    th_fabric_get_intermediate_key (fabric), th_fabric_get_intermediate_certificate_tlv (fabric),
    th_fabric_get_ipk_epoch_key (fabric), &error);
  g_assert_no_error (error);
  other_id_device = new_identity (other_fabric_id, DEVICE_NODE);
  run_impostor (commissioner, DEVICE_NODE, th_case_identity_get_noc_tlv (other_id_device),
                th_case_identity_get_icac_tlv (other_id_device),
                th_case_identity_get_key (other_id_device), TH_ERROR_CASE_WRONG_FABRIC,
                "is for fabric 0x2906C908D115D363, not for this fabric (0x2906C908D115D362)");

  /* Another node of our fabric. */
  run_impostor (commissioner, DEVICE_NODE, th_case_identity_get_noc_tlv (other_node),
                th_case_identity_get_icac_tlv (other_node),
                th_case_identity_get_key (other_node), TH_ERROR_CASE_WRONG_NODE,
                "it is node 0x000000000000002B of this home, not node 0x000000000000002A");

  /* The device's credentials, but not its key. */
  run_impostor (commissioner, DEVICE_NODE, th_case_identity_get_noc_tlv (device),
                th_case_identity_get_icac_tlv (device), wrong_key, TH_ERROR_CASE_BAD_SIGNATURE,
                "does not hold that certificate's key");
  run_impostor (commissioner, DEVICE_NODE, th_case_identity_get_noc_tlv (device),
                th_case_identity_get_icac_tlv (device), th_case_identity_get_key (other_node),
                TH_ERROR_CASE_BAD_SIGNATURE, "does not hold that certificate's key");
}

/* Every change to a byte of Sigma2 makes the handshake fail, whether the initiator sees it
 * at once or the device finds Sigma3 sealed with keys it does not have. */
typedef struct
{
  gsize position;
  guint8 mask;
  gsize sigma2_len;
} Flip;

static GBytes *
flip_sigma2 (guint8    opcode,
             GBytes   *payload,
             gpointer  user_data)
{
  Flip *flip = user_data;
  gsize len;
  guint8 *data;

  if (opcode != TH_SECURE_CHANNEL_CASE_SIGMA2)
    return NULL;
  len = g_bytes_get_size (payload);
  data = g_memdup2 (g_bytes_get_data (payload, NULL), len);
  flip->sigma2_len = len;
  if (flip->position < len)
    data[flip->position] ^= flip->mask;
  return g_bytes_new_take (data, len);
}

static void
test_handshake_tampered_sigma2 (void)
{
  g_autoptr(ThFabric) fabric = new_fabric (FABRIC_ID, TH_FABRIC_WITH_INTERMEDIATE);
  g_autoptr(ThCaseIdentity) commissioner = new_identity (fabric, COMMISSIONER_NODE);
  g_autoptr(ThCaseIdentity) device = new_identity (fabric, DEVICE_NODE);
  static const guint8 masks[] = { 0x01, 0x80 };
  guint caught_at_sigma2 = 0;
  guint caught_at_sigma3 = 0;

  for (gsize m = 0; m < G_N_ELEMENTS (masks); m++)
    {
      Flip flip = { 0, masks[m], G_MAXSIZE };

      for (flip.position = 0; flip.position < flip.sigma2_len; flip.position++)
        {
          g_autoptr(ThCaseInitiator) initiator = new_initiator (commissioner, DEVICE_NODE);
          g_autoptr(ThCaseResponder) responder = new_responder (device);
          Outcome initiator_outcome, responder_outcome;

          run_handshake (initiator, responder, flip_sigma2, &flip, &initiator_outcome,
                         &responder_outcome);
          if (initiator_outcome.result != TH_CASE_FAILED)
            g_error ("flipping 0x%02x at byte %zu of Sigma2 went unnoticed", masks[m],
                     flip.position);
          g_assert_cmpint (responder_outcome.result, !=, TH_CASE_ESTABLISHED);
          if (g_error_matches (initiator_outcome.error, TH_ERROR, TH_ERROR_STATUS_REPORT))
            caught_at_sigma3++;
          else
            caught_at_sigma2++;
          outcome_clear (&initiator_outcome);
          outcome_clear (&responder_outcome);
        }
    }
  g_test_message ("%u changes caught in Sigma2, %u by the device in Sigma3", caught_at_sigma2,
                  caught_at_sigma3);
  /* The session id and parameters are not under S2K: the transcript catches them. */
  g_assert_cmpuint (caught_at_sigma3, >, 0);
  g_assert_cmpuint (caught_at_sigma2, >, caught_at_sigma3);
}

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

static void
test_handshake_truncated (void)
{
  g_autoptr(ThFabric) fabric = new_fabric (FABRIC_ID, TH_FABRIC_FLAGS_NONE);
  g_autoptr(ThCaseIdentity) commissioner = new_identity (fabric, COMMISSIONER_NODE);
  g_autoptr(ThCaseIdentity) device = new_identity (fabric, DEVICE_NODE);
  static const guint8 opcodes[] = {
    TH_SECURE_CHANNEL_CASE_SIGMA1, TH_SECURE_CHANNEL_CASE_SIGMA2, TH_SECURE_CHANNEL_CASE_SIGMA3,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (opcodes); i++)
    {
      Truncation truncation = { opcodes[i], 0, G_MAXSIZE };

      for (truncation.len = 0; truncation.len < truncation.full_len; truncation.len++)
        {
          g_autoptr(ThCaseInitiator) initiator = new_initiator (commissioner, DEVICE_NODE);
          g_autoptr(ThCaseResponder) responder = new_responder (device);
          Outcome initiator_outcome, responder_outcome;
          Outcome *receiver;

          run_handshake (initiator, responder, truncate_message, &truncation,
                         &initiator_outcome, &responder_outcome);
          receiver = opcodes[i] == TH_SECURE_CHANNEL_CASE_SIGMA2 ? &initiator_outcome
                                                                  : &responder_outcome;
          g_assert_cmpint (receiver->result, ==, TH_CASE_FAILED);
          g_assert_error (receiver->error, TH_ERROR, TH_ERROR_CASE_PROTOCOL);
          /* The receiver told the sender, which gave up. */
          assert_status_report (receiver->last_reply, TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER);
          g_assert_cmpint (th_case_initiator_get_state (initiator), ==,
                           TH_CASE_INITIATOR_FAILED);
          outcome_clear (&initiator_outcome);
          outcome_clear (&responder_outcome);
        }
    }
}

/* Status reports and out-of-place messages */

typedef struct
{
  ThCaseInitiator *initiator;
  ThCaseResponder *responder;
  ThCaseIdentity *commissioner;
  ThCaseIdentity *device;
  ThFabric *fabric;
} Pair;

static void
pair_init (Pair *pair)
{
  pair->fabric = new_fabric (FABRIC_ID, TH_FABRIC_FLAGS_NONE);
  pair->commissioner = new_identity (pair->fabric, COMMISSIONER_NODE);
  pair->device = new_identity (pair->fabric, DEVICE_NODE);
  pair->initiator = new_initiator (pair->commissioner, DEVICE_NODE);
  pair->responder = new_responder (pair->device);
}

static void
pair_clear (Pair *pair)
{
  g_clear_pointer (&pair->initiator, th_case_initiator_free);
  g_clear_pointer (&pair->responder, th_case_responder_free);
  g_clear_pointer (&pair->commissioner, th_case_identity_unref);
  g_clear_pointer (&pair->device, th_case_identity_unref);
  g_clear_pointer (&pair->fabric, th_fabric_unref);
}

/* Starts the handshake and, when `through_sigma2`, carries it to where the initiator awaits
 * the final status report. */
static void
pair_advance (Pair     *pair,
              gboolean  through_sigma2)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sigma1 = th_case_initiator_start (pair->initiator, &error);
  g_autoptr(GBytes) sigma2 = NULL;
  g_autoptr(GBytes) sigma3 = NULL;
  guint8 opcode = 0;

  g_assert_no_error (error);
  if (!through_sigma2)
    return;
  g_assert_cmpint (th_case_responder_process (pair->responder, TH_SECURE_CHANNEL_CASE_SIGMA1,
                                              sigma1, &opcode, &sigma2, &error),
                   ==, TH_CASE_CONTINUE);
  g_assert_cmpint (th_case_initiator_process (pair->initiator, opcode, sigma2, &opcode,
                                              &sigma3, &error),
                   ==, TH_CASE_CONTINUE);
  g_assert_no_error (error);
}

static ThCaseResult
feed_initiator (Pair    *pair,
                guint8   opcode,
                GBytes  *payload,
                GBytes **reply,
                GError **error)
{
  guint8 reply_opcode = 0;
  ThCaseResult result = th_case_initiator_process (pair->initiator, opcode, payload,
                                                   &reply_opcode, reply, error);

  g_assert_true (*reply == NULL || reply_opcode == TH_SECURE_CHANNEL_STATUS_REPORT);
  return result;
}

static void
test_initiator_status_reports (void)
{
  static const struct
  {
    gboolean after_sigma3;
    const char *hex;
    gint code;
    const char *phrase;
    gboolean replies;
  } cases[] = {
    { FALSE, "08000000000004008813", TH_ERROR_BUSY, "try again in 5 seconds", FALSE },
    { FALSE, "0100000000000100", TH_ERROR_CASE_NO_SHARED_ROOT,
      "The device does not know this home's fabric: it may have been reset", FALSE },
    { FALSE, "0100000000000200", TH_ERROR_STATUS_REPORT,
      "The device refused the Sigma1 message", FALSE },
    { FALSE, "0000000000000000", TH_ERROR_CASE_PROTOCOL, "before the handshake was complete",
      TRUE },
    { FALSE, "01000000", TH_ERROR_CASE_PROTOCOL,
      "answered the Sigma1 message with a malformed status report", FALSE },
    { TRUE, "0100000000000200", TH_ERROR_STATUS_REPORT,
      "The device refused the Sigma3 message", FALSE },
    { TRUE, "0100000000000100", TH_ERROR_CASE_NO_SHARED_ROOT, "does not know", FALSE },
    { TRUE, "0b00000000000300", TH_ERROR_STATUS_REPORT, "closed the session", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Pair pair;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(GBytes) report = th_test_hex_to_bytes (cases[i].hex);

      pair_init (&pair);
      pair_advance (&pair, cases[i].after_sigma3);
      g_assert_cmpint (feed_initiator (&pair, TH_SECURE_CHANNEL_STATUS_REPORT, report, &reply,
                                       &error),
                       ==, TH_CASE_FAILED);
      g_assert_error (error, TH_ERROR, cases[i].code);
      g_test_message ("%s", error->message);
      if (strstr (error->message, cases[i].phrase) == NULL)
        g_error ("case %zu: \"%s\" lacks \"%s\"", i, error->message, cases[i].phrase);
      g_assert_true ((reply != NULL) == cases[i].replies);
      pair_clear (&pair);
    }
}

static void
test_initiator_unexpected (void)
{
  g_autoptr(GBytes) empty = g_bytes_new_static ("\x15\x18", 2);
  static const struct
  {
    gboolean after_sigma3;
    guint8 opcode;
    const char *phrase;
  } cases[] = {
    { FALSE, TH_SECURE_CHANNEL_CASE_SIGMA2_RESUME, "no session resumption was offered" },
    { FALSE, TH_SECURE_CHANNEL_PBKDF_PARAM_RESPONSE, "where a Sigma2 message was due" },
    { FALSE, TH_SECURE_CHANNEL_CASE_SIGMA1, "where a Sigma2 message was due" },
    { TRUE, TH_SECURE_CHANNEL_CASE_SIGMA2, "where a StatusReport message was due" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Pair pair;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) reply = NULL;

      pair_init (&pair);
      pair_advance (&pair, cases[i].after_sigma3);
      g_assert_cmpint (feed_initiator (&pair, cases[i].opcode, empty, &reply, &error),
                       ==, TH_CASE_FAILED);
      g_assert_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL);
      g_assert_nonnull (strstr (error->message, cases[i].phrase));
      assert_status_report (reply, TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER);
      pair_clear (&pair);
    }
}

/* A Sigma2 whose fields decode but cannot be used. */
static void
test_initiator_bad_sigma2 (void)
{
  Pair pair;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GBytes) sigma2 = NULL;
  static const guint8 encrypted[32] = { 0 };
  ThCaseSigma2 fields = { 0 };

  /* Session id 0. */
  fields.responder_session_id = 0;
  fields.encrypted = encrypted;
  fields.encrypted_len = sizeof encrypted;
  sigma2 = th_case_sigma2_encode (&fields);
  pair_init (&pair);
  pair_advance (&pair, FALSE);
  g_assert_cmpint (feed_initiator (&pair, TH_SECURE_CHANNEL_CASE_SIGMA2, sigma2, &reply,
                                   &error), ==, TH_CASE_FAILED);
  g_assert_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "session id 0"));
  g_clear_error (&error);
  g_clear_pointer (&reply, g_bytes_unref);
  g_clear_pointer (&sigma2, g_bytes_unref);
  pair_clear (&pair);

  /* An ephemeral key off the curve. */
  fields.responder_session_id = 9;
  memset (fields.responder_ephemeral_key, 0x04, sizeof fields.responder_ephemeral_key);
  sigma2 = th_case_sigma2_encode (&fields);
  pair_init (&pair);
  pair_advance (&pair, FALSE);
  g_assert_cmpint (feed_initiator (&pair, TH_SECURE_CHANNEL_CASE_SIGMA2, sigma2, &reply,
                                   &error), ==, TH_CASE_FAILED);
  g_assert_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "not a valid P-256 point"));
  assert_status_report (reply, TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER);
  g_clear_error (&error);
  g_clear_pointer (&reply, g_bytes_unref);
  g_clear_pointer (&sigma2, g_bytes_unref);
  pair_clear (&pair);

  /* A valid key, but the sealed data was not made for this handshake. */
  {
    g_autoptr(ThP256Key) key = th_p256_key_generate (NULL);

    th_p256_key_get_public (key, fields.responder_ephemeral_key);
  }
  sigma2 = th_case_sigma2_encode (&fields);
  pair_init (&pair);
  pair_advance (&pair, FALSE);
  g_assert_cmpint (feed_initiator (&pair, TH_SECURE_CHANNEL_CASE_SIGMA2, sigma2, &reply,
                                   &error), ==, TH_CASE_FAILED);
  g_assert_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "Sigma2 message does not decrypt"));
  assert_status_report (reply, TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER);
  pair_clear (&pair);
}

static void
test_initiator_arguments (void)
{
  g_autoptr(ThFabric) fabric = new_fabric (FABRIC_ID, TH_FABRIC_FLAGS_NONE);
  g_autoptr(ThCaseIdentity) identity = new_identity (fabric, COMMISSIONER_NODE);
  g_autoptr(GError) error = NULL;

  g_assert_null (th_case_initiator_new (identity, 0, 1, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL);
  g_clear_error (&error);
  g_assert_null (th_case_initiator_new (identity, G_GUINT64_CONSTANT (0xFFFFFFFD00000001), 1,
                                        NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "0xFFFFFFFD00000001 is not an operational node"));
  g_clear_error (&error);
  g_assert_null (th_case_initiator_new (identity, DEVICE_NODE, 0, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL);
  g_clear_error (&error);
  g_assert_null (th_case_responder_new (identity, 0, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL);
}

/* The responder keeps no resumption state: a Sigma1 asking to resume gets a full Sigma2, and
 * out-of-place messages are refused. */
static void
test_responder (void)
{
  Pair pair;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sigma1 = NULL;
  g_autoptr(GBytes) resuming = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GBytes) report = th_status_report_encode_secure_channel (
    TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER);
  ThCaseSigma1 fields;
  guint8 opcode = 0;

  pair_init (&pair);
  sigma1 = th_case_initiator_start (pair.initiator, &error);
  g_assert_true (th_case_sigma1_decode (&fields, g_bytes_get_data (sigma1, NULL),
                                        g_bytes_get_size (sigma1), &error));
  fields.has_resumption = TRUE;
  memset (fields.resumption_id, 0x42, sizeof fields.resumption_id);
  resuming = th_case_sigma1_encode (&fields);
  g_assert_cmpint (th_case_responder_process (pair.responder, TH_SECURE_CHANNEL_CASE_SIGMA1,
                                              resuming, &opcode, &reply, &error),
                   ==, TH_CASE_CONTINUE);
  g_assert_cmpuint (opcode, ==, TH_SECURE_CHANNEL_CASE_SIGMA2);
  g_clear_pointer (&reply, g_bytes_unref);

  /* Sigma1 again where Sigma3 is due. */
  g_assert_cmpint (th_case_responder_process (pair.responder, TH_SECURE_CHANNEL_CASE_SIGMA1,
                                              sigma1, &opcode, &reply, &error),
                   ==, TH_CASE_FAILED);
  g_assert_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "where a Sigma3 message was due"));
  assert_status_report (reply, TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER);
  g_clear_error (&error);
  g_clear_pointer (&reply, g_bytes_unref);
  pair_clear (&pair);

  /* The initiator gives up: nothing is owed in return. */
  pair_init (&pair);
  g_assert_cmpint (th_case_responder_process (pair.responder, TH_SECURE_CHANNEL_STATUS_REPORT,
                                              report, &opcode, &reply, &error),
                   ==, TH_CASE_FAILED);
  g_assert_error (error, TH_ERROR, TH_ERROR_STATUS_REPORT);
  g_assert_null (reply);
  pair_clear (&pair);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/case/destination-id/vector", test_destination_id_vector);
  g_test_add_func ("/case/identity/credentials", test_identity);
  g_test_add_func ("/case/identity/validate-peer", test_identity_validate_peer);
  g_test_add_func ("/case/messages/round-trip", test_messages_round_trip);
  g_test_add_func ("/case/messages/validation", test_messages_validation);
  g_test_add_func ("/case/messages/unknown-members", test_messages_unknown_members);
  g_test_add_func ("/case/handshake/root-issued", test_handshake_root_issued);
  g_test_add_func ("/case/handshake/with-icac", test_handshake_with_icac);
  g_test_add_func ("/case/handshake/mixed", test_handshake_mixed);
  g_test_add_func ("/case/handshake/no-shared-root", test_handshake_no_shared_root);
  g_test_add_func ("/case/handshake/wrong-root", test_handshake_wrong_root);
  g_test_add_func ("/case/handshake/device-refuses-sigma3", test_handshake_device_refuses_sigma3);
  g_test_add_func ("/case/handshake/device-expired", test_handshake_device_expired);
  g_test_add_func ("/case/handshake/impostors", test_impostors);
  g_test_add_func ("/case/handshake/tampered-sigma2", test_handshake_tampered_sigma2);
  g_test_add_func ("/case/handshake/truncated", test_handshake_truncated);
  g_test_add_func ("/case/initiator/status-reports", test_initiator_status_reports);
  g_test_add_func ("/case/initiator/unexpected", test_initiator_unexpected);
  g_test_add_func ("/case/initiator/bad-sigma2", test_initiator_bad_sigma2);
  g_test_add_func ("/case/initiator/arguments", test_initiator_arguments);
  g_test_add_func ("/case/responder", test_responder);

  return g_test_run ();
}
