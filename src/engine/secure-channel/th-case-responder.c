/* th-case-responder.c: the responder's side of CASE, free of any transport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "messaging/th-message.h"
#include "th-case-private.h"
#include "th-case-responder.h"
#include "th-error.h"
#include "th-secure-channel-private.h"
#include "th-status-report.h"

struct _ThCaseResponder
{
  ThCaseResponderState state;

  ThCaseIdentity *identity;
  guint16 local_session_id;
  gboolean has_local_parameters;
  ThSessionParameters local_parameters;

  guint8 ephemeral_public_key[TH_P256_PUBLIC_KEY_LEN];
  guint8 peer_ephemeral_key[TH_P256_PUBLIC_KEY_LEN];
  guint8 shared_secret[TH_P256_SHARED_SECRET_LEN];
  ThSha256 *transcript;

  guint16 peer_session_id;
  gboolean has_peer_parameters;
  ThSessionParameters peer_parameters;
  guint64 peer_node_id;

  ThSessionKeys keys;
};

ThCaseResponder *
th_case_responder_new (ThCaseIdentity             *identity,
                       guint16                     local_session_id,
                       const ThSessionParameters  *local_parameters,
                       GError                    **error)
{
  ThCaseResponder *self;

  g_return_val_if_fail (identity != NULL, NULL);

  if (local_session_id == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL,
                           _("Session id 0 is reserved for unsecured sessions"));
      return NULL;
    }

  self = g_new0 (ThCaseResponder, 1);
  self->state = TH_CASE_RESPONDER_AWAITING_SIGMA1;
  self->identity = th_case_identity_ref (identity);
  self->local_session_id = local_session_id;
  if (local_parameters != NULL)
    {
      self->has_local_parameters = TRUE;
      self->local_parameters = *local_parameters;
    }
  self->transcript = th_sha256_new ();
  return self;
}

void
th_case_responder_free (ThCaseResponder *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->identity, th_case_identity_unref);
  g_clear_pointer (&self->transcript, th_sha256_free);
  th_secure_wipe (self, sizeof *self);
  g_free (self);
}

/* Fails the handshake, telling the initiator why. */
static ThCaseResult
fail (ThCaseResponder        *self,
      ThSecureChannelStatus   status,
      guint8                 *reply_opcode,
      GBytes                **reply)
{
  self->state = TH_CASE_RESPONDER_FAILED;
  th_secure_wipe (self->shared_secret, sizeof self->shared_secret);
  *reply_opcode = TH_SECURE_CHANNEL_STATUS_REPORT;
  *reply = th_status_report_encode_secure_channel (status);
  return TH_CASE_FAILED;
}

/* Fails the handshake for a reason of our own, or one the initiator gave. */
static ThCaseResult
fail_quietly (ThCaseResponder *self)
{
  self->state = TH_CASE_RESPONDER_FAILED;
  th_secure_wipe (self->shared_secret, sizeof self->shared_secret);
  return TH_CASE_FAILED;
}

/* Sigma2: a fresh ephemeral key and random, and our credentials with our signature over them
 * and both ephemeral keys, sealed with S2K. */
static GBytes *
make_sigma2 (ThCaseResponder  *self,
             const guint8      sigma1_hash[TH_SHA256_LEN],
             GError          **error)
{
  g_autoptr(ThP256Key) ephemeral_key = NULL;
  g_autoptr(GBytes) tbe_data = NULL;
  g_autoptr(GBytes) sealed = NULL;
  GBytes *noc = th_case_identity_get_noc_tlv (self->identity);
  GBytes *icac = th_case_identity_get_icac_tlv (self->identity);
  ThCaseSigma2 sigma2 = { 0 };
  ThCaseTbeData tbe = { 0 };
  guint8 s2k[TH_CASE_SIGMA_KEY_LEN];
  gboolean ok;

  ephemeral_key = th_p256_key_generate (error);
  if (ephemeral_key == NULL ||
      !th_p256_key_derive_shared_secret (ephemeral_key, self->peer_ephemeral_key,
                                         self->shared_secret, error) ||
      !th_random_bytes (sigma2.responder_random, sizeof sigma2.responder_random, error) ||
      !th_random_bytes (tbe.resumption_id, sizeof tbe.resumption_id, error))
    return NULL;
  th_p256_key_get_public (ephemeral_key, self->ephemeral_public_key);

  if (!th_case_sign (th_case_identity_get_key (self->identity), noc, icac,
                     self->ephemeral_public_key, self->peer_ephemeral_key, tbe.signature,
                     error))
    return NULL;
  tbe.noc = g_bytes_get_data (noc, &tbe.noc_len);
  if (icac != NULL)
    tbe.icac = g_bytes_get_data (icac, &tbe.icac_len);
  tbe_data = th_case_tbe_data2_encode (&tbe);

  ok = th_case_derive_sigma2_key (self->shared_secret,
                                  th_case_identity_get_operational_ipk (self->identity),
                                  sigma2.responder_random, self->ephemeral_public_key,
                                  sigma1_hash, s2k, error);
  if (ok)
    sealed = th_case_seal (TH_CASE_SIGMA2, s2k, tbe_data, error);
  th_secure_wipe (s2k, sizeof s2k);
  if (sealed == NULL)
    return NULL;

  sigma2.responder_session_id = self->local_session_id;
  memcpy (sigma2.responder_ephemeral_key, self->ephemeral_public_key,
          sizeof sigma2.responder_ephemeral_key);
  sigma2.encrypted = g_bytes_get_data (sealed, &sigma2.encrypted_len);
  sigma2.has_session_parameters = self->has_local_parameters;
  sigma2.session_parameters = self->local_parameters;
  return th_case_sigma2_encode (&sigma2);
}

static ThCaseResult
handle_sigma1 (ThCaseResponder  *self,
               GBytes           *payload,
               guint8           *reply_opcode,
               GBytes          **reply,
               GError          **error)
{
  g_autoptr(ThP256Key) peer_key = NULL;
  g_autoptr(GBytes) sigma2 = NULL;
  guint8 destination_id[TH_CASE_DESTINATION_ID_LEN];
  guint8 sigma1_hash[TH_SHA256_LEN];
  ThCaseSigma1 sigma1;
  const guint8 *data;
  gsize len;

  data = g_bytes_get_data (payload, &len);
  if (!th_case_sigma1_decode (&sigma1, data, len, error))
    return fail (self, TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER, reply_opcode, reply);
  if (sigma1.initiator_session_id == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL,
                           _("Sigma1 offers session id 0, which is reserved for unsecured "
                             "sessions"));
      return fail (self, TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER, reply_opcode, reply);
    }
  self->peer_session_id = sigma1.initiator_session_id;
  self->has_peer_parameters = sigma1.has_session_parameters;
  self->peer_parameters = sigma1.session_parameters;

  if (!th_case_identity_compute_destination_id (self->identity,
                                                th_case_identity_get_node_id (self->identity),
                                                sigma1.initiator_random, destination_id,
                                                error))
    return fail_quietly (self);
  if (!th_constant_time_equal (destination_id, sigma1.destination_id, sizeof destination_id))
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CASE_NO_SHARED_ROOT,
                           _("Sigma1 seeks a node or fabric other than this node's"));
      return fail (self, TH_SECURE_CHANNEL_STATUS_NO_SHARED_TRUST_ROOTS, reply_opcode, reply);
    }

  /* Checked before any work is spent on it. */
  peer_key = th_p256_key_new_from_public (sigma1.initiator_ephemeral_key, NULL);
  if (peer_key == NULL)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL,
                           _("The initiatorEphPubKey of Sigma1 is not a valid P-256 point"));
      return fail (self, TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER, reply_opcode, reply);
    }
  memcpy (self->peer_ephemeral_key, sigma1.initiator_ephemeral_key,
          sizeof self->peer_ephemeral_key);

  th_sha256_update (self->transcript, data, len);
  if (!th_sha256_get_digest (self->transcript, sigma1_hash, error))
    return fail_quietly (self);
  sigma2 = make_sigma2 (self, sigma1_hash, error);
  if (sigma2 == NULL)
    return fail_quietly (self);
  th_sha256_update (self->transcript, g_bytes_get_data (sigma2, NULL),
                    g_bytes_get_size (sigma2));

  *reply_opcode = TH_SECURE_CHANNEL_CASE_SIGMA2;
  *reply = g_steal_pointer (&sigma2);
  self->state = TH_CASE_RESPONDER_AWAITING_SIGMA3;
  return TH_CASE_CONTINUE;
}

/* The initiator's credentials from TBEData3: on our fabric and holding the key of its NOC. */
static gboolean
check_initiator (ThCaseResponder      *self,
                 const ThCaseTbeData  *tbe,
                 GError              **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(ThCertificate) noc = NULL;
  g_autoptr(GError) local_error = NULL;

  noc = th_case_identity_validate_peer (self->identity, tbe->noc, tbe->noc_len, tbe->icac,
                                        tbe->icac_len, now, &local_error);
  if (noc == NULL)
    {
      g_prefix_error (&local_error, _("The initiator's credentials are refused: "));
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!th_case_verify (noc->public_key, tbe, self->peer_ephemeral_key,
                       self->ephemeral_public_key, &local_error))
    {
      if (g_error_matches (local_error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_SIGNATURE))
        g_set_error_literal (error, TH_ERROR, TH_ERROR_CASE_BAD_SIGNATURE,
                             _("The initiator's signature in Sigma3 does not verify with the "
                               "key of its certificate"));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  self->peer_node_id = th_certificate_get_node_id (noc);
  return TRUE;
}

static ThCaseResult
handle_sigma3 (ThCaseResponder  *self,
               GBytes           *payload,
               guint8           *reply_opcode,
               GBytes          **reply,
               GError          **error)
{
  g_autoptr(GBytes) tbe_data = NULL;
  guint8 transcript_hash[TH_SHA256_LEN];
  guint8 s3k[TH_CASE_SIGMA_KEY_LEN];
  ThCaseSigma3 sigma3;
  ThCaseTbeData tbe;
  const guint8 *data;
  gsize len;
  gboolean ok;

  data = g_bytes_get_data (payload, &len);
  if (!th_case_sigma3_decode (&sigma3, data, len, error))
    return fail (self, TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER, reply_opcode, reply);

  /* S3K covers Sigma1 and Sigma2; the session keys all three. */
  ok = th_sha256_get_digest (self->transcript, transcript_hash, error) &&
       th_case_derive_sigma3_key (self->shared_secret,
                                  th_case_identity_get_operational_ipk (self->identity),
                                  transcript_hash, s3k, error);
  if (ok)
    tbe_data = th_case_open (TH_CASE_SIGMA3, s3k, sigma3.encrypted, sigma3.encrypted_len,
                             error);
  th_secure_wipe (s3k, sizeof s3k);
  if (tbe_data == NULL)
    return fail (self, TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER, reply_opcode, reply);

  data = g_bytes_get_data (tbe_data, &len);
  if (!th_case_tbe_data3_decode (&tbe, data, len, error) ||
      !check_initiator (self, &tbe, error))
    return fail (self, TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER, reply_opcode, reply);

  th_sha256_update (self->transcript, g_bytes_get_data (payload, NULL),
                    g_bytes_get_size (payload));
  if (!th_sha256_get_digest (self->transcript, transcript_hash, error) ||
      !th_case_derive_session_keys (self->shared_secret,
                                    th_case_identity_get_operational_ipk (self->identity),
                                    transcript_hash, &self->keys, error))
    return fail_quietly (self);
  th_secure_wipe (self->shared_secret, sizeof self->shared_secret);

  *reply_opcode = TH_SECURE_CHANNEL_STATUS_REPORT;
  *reply = th_status_report_encode_secure_channel (
    TH_SECURE_CHANNEL_STATUS_SESSION_ESTABLISHMENT_SUCCESS);
  self->state = TH_CASE_RESPONDER_ESTABLISHED;
  return TH_CASE_ESTABLISHED;
}

/* The initiator gave up; nothing is owed to it in return. */
static ThCaseResult
handle_status_report (ThCaseResponder  *self,
                      GBytes           *payload,
                      GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  ThStatusReport report;
  const guint8 *data;
  gsize len;

  data = g_bytes_get_data (payload, &len);
  if (!th_status_report_decode (&report, data, len, &local_error))
    g_set_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL,
                 _("The initiator sent a malformed status report: %s"), local_error->message);
  else
    /* Its reasons are in the codes: the sentences of th_status_report_describe() speak of
     * the device. */
    g_set_error (error, TH_ERROR, TH_ERROR_STATUS_REPORT,
                 _("The initiator ended the handshake with a status report (general code %u, "
                   "protocol 0x%08x, protocol code 0x%04x)"),
                 report.general_code, report.protocol_id, report.protocol_code);
  return fail_quietly (self);
}

ThCaseResult
th_case_responder_process (ThCaseResponder  *self,
                           guint8            opcode,
                           GBytes           *payload,
                           guint8           *reply_opcode,
                           GBytes          **reply,
                           GError          **error)
{
  g_return_val_if_fail (self != NULL, TH_CASE_FAILED);
  g_return_val_if_fail (payload != NULL, TH_CASE_FAILED);
  g_return_val_if_fail (reply_opcode != NULL && reply != NULL && *reply == NULL,
                        TH_CASE_FAILED);
  g_return_val_if_fail (self->state == TH_CASE_RESPONDER_AWAITING_SIGMA1 ||
                        self->state == TH_CASE_RESPONDER_AWAITING_SIGMA3,
                        TH_CASE_FAILED);

  if (opcode == TH_SECURE_CHANNEL_STATUS_REPORT)
    return handle_status_report (self, payload, error);
  if (self->state == TH_CASE_RESPONDER_AWAITING_SIGMA1 && opcode == TH_SECURE_CHANNEL_CASE_SIGMA1)
    return handle_sigma1 (self, payload, reply_opcode, reply, error);
  if (self->state == TH_CASE_RESPONDER_AWAITING_SIGMA3 && opcode == TH_SECURE_CHANNEL_CASE_SIGMA3)
    return handle_sigma3 (self, payload, reply_opcode, reply, error);

  th_secure_channel_set_unexpected_error (TH_ERROR_CASE_PROTOCOL, opcode,
                                          self->state == TH_CASE_RESPONDER_AWAITING_SIGMA1 ?
                                          "Sigma1" : "Sigma3",
                                          error);
  return fail (self, TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER, reply_opcode, reply);
}

ThCaseResponderState
th_case_responder_get_state (ThCaseResponder *self)
{
  g_return_val_if_fail (self != NULL, TH_CASE_RESPONDER_FAILED);

  return self->state;
}

guint16
th_case_responder_get_peer_session_id (ThCaseResponder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->peer_session_id;
}

gboolean
th_case_responder_get_peer_parameters (ThCaseResponder     *self,
                                       ThSessionParameters *parameters)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (parameters != NULL, FALSE);

  if (!self->has_peer_parameters)
    return FALSE;
  *parameters = self->peer_parameters;
  return TRUE;
}

guint64
th_case_responder_get_peer_node_id (ThCaseResponder *self)
{
  g_return_val_if_fail (self != NULL, TH_NODE_ID_UNSPECIFIED);
  g_return_val_if_fail (self->state == TH_CASE_RESPONDER_ESTABLISHED, TH_NODE_ID_UNSPECIFIED);

  return self->peer_node_id;
}

void
th_case_responder_get_session_keys (ThCaseResponder *self,
                                    ThSessionKeys   *keys)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (keys != NULL);
  g_return_if_fail (self->state == TH_CASE_RESPONDER_ESTABLISHED);

  *keys = self->keys;
}
