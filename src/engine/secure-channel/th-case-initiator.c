/* th-case-initiator.c: the initiator's side of CASE, free of any transport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "messaging/th-message.h"
#include "th-case-initiator.h"
#include "th-case-private.h"
#include "th-error.h"
#include "th-secure-channel-private.h"
#include "th-status-report.h"

struct _ThCaseInitiator
{
  ThCaseInitiatorState state;

  ThCaseIdentity *identity;
  guint64 peer_node_id;
  guint16 local_session_id;
  gboolean has_local_parameters;
  ThSessionParameters local_parameters;

  ThP256Key *ephemeral_key;
  guint8 ephemeral_public_key[TH_P256_PUBLIC_KEY_LEN];
  ThSha256 *transcript;                 /* Sigma1, Sigma2, Sigma3 as sent and received */

  guint16 peer_session_id;
  gboolean has_peer_parameters;
  ThSessionParameters peer_parameters;

  ThSessionKeys keys;
};

ThCaseInitiator *
th_case_initiator_new (ThCaseIdentity             *identity,
                       guint64                     peer_node_id,
                       guint16                     local_session_id,
                       const ThSessionParameters  *local_parameters,
                       GError                    **error)
{
  ThCaseInitiator *self;

  g_return_val_if_fail (identity != NULL, NULL);

  if (peer_node_id == TH_NODE_ID_UNSPECIFIED || peer_node_id > TH_NODE_ID_MAX_OPERATIONAL)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL,
                   _("0x%016" G_GINT64_MODIFIER "X is not an operational node id"),
                   peer_node_id);
      return NULL;
    }
  if (local_session_id == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL,
                           _("Session id 0 is reserved for unsecured sessions"));
      return NULL;
    }

  self = g_new0 (ThCaseInitiator, 1);
  self->state = TH_CASE_INITIATOR_NEW;
  self->identity = th_case_identity_ref (identity);
  self->peer_node_id = peer_node_id;
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
th_case_initiator_free (ThCaseInitiator *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->identity, th_case_identity_unref);
  g_clear_pointer (&self->ephemeral_key, th_p256_key_unref);
  g_clear_pointer (&self->transcript, th_sha256_free);
  th_secure_wipe (self, sizeof *self);
  g_free (self);
}

GBytes *
th_case_initiator_start (ThCaseInitiator  *self,
                         GError          **error)
{
  ThCaseSigma1 sigma1 = { 0 };
  GBytes *payload;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->state == TH_CASE_INITIATOR_NEW, NULL);

  self->ephemeral_key = th_p256_key_generate (error);
  if (self->ephemeral_key == NULL ||
      !th_random_bytes (sigma1.initiator_random, sizeof sigma1.initiator_random, error) ||
      !th_case_identity_compute_destination_id (self->identity, self->peer_node_id,
                                                sigma1.initiator_random,
                                                sigma1.destination_id, error))
    {
      self->state = TH_CASE_INITIATOR_FAILED;
      return NULL;
    }
  th_p256_key_get_public (self->ephemeral_key, self->ephemeral_public_key);

  sigma1.initiator_session_id = self->local_session_id;
  memcpy (sigma1.initiator_ephemeral_key, self->ephemeral_public_key,
          sizeof sigma1.initiator_ephemeral_key);
  sigma1.has_session_parameters = self->has_local_parameters;
  sigma1.session_parameters = self->local_parameters;

  payload = th_case_sigma1_encode (&sigma1);
  th_sha256_update (self->transcript, g_bytes_get_data (payload, NULL),
                    g_bytes_get_size (payload));
  self->state = TH_CASE_INITIATOR_AWAITING_SIGMA2;
  return payload;
}

/* Fails the handshake; `tell_peer` answers the node with INVALID_PARAMETER, as it is owed a
 * reason when its own message is what went wrong. */
static ThCaseResult
fail (ThCaseInitiator  *self,
      gboolean          tell_peer,
      guint8           *reply_opcode,
      GBytes          **reply)
{
  self->state = TH_CASE_INITIATOR_FAILED;
  g_clear_pointer (&self->ephemeral_key, th_p256_key_unref);
  if (tell_peer)
    {
      *reply_opcode = TH_SECURE_CHANNEL_STATUS_REPORT;
      *reply = th_status_report_encode_secure_channel (TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER);
    }
  return TH_CASE_FAILED;
}

/* The node's credentials from TBEData2: on our fabric, the node asked for, holding the key
 * of its NOC. */
static gboolean
check_responder (ThCaseInitiator      *self,
                 const ThCaseTbeData  *tbe,
                 const guint8          responder_key[TH_P256_PUBLIC_KEY_LEN],
                 GError              **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(ThCertificate) noc = NULL;
  g_autoptr(GError) local_error = NULL;
  guint64 node_id;

  noc = th_case_identity_validate_peer (self->identity, tbe->noc, tbe->noc_len, tbe->icac,
                                        tbe->icac_len, now, &local_error);
  if (noc == NULL)
    {
      if (g_error_matches (local_error, TH_ERROR, TH_ERROR_CASE_WRONG_FABRIC))
        g_prefix_error (&local_error, _("The device does not belong to this home's fabric: "));
      else if (g_error_matches (local_error, TH_ERROR, TH_ERROR_CASE_PROTOCOL))
        g_prefix_error (&local_error, _("The device sent unusable credentials in Sigma2: "));
      else
        g_prefix_error (&local_error, _("The device's credentials are not valid at this time; "
                                        "check the date and time of this computer: "));
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  node_id = th_certificate_get_node_id (noc);
  if (node_id != self->peer_node_id)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CASE_WRONG_NODE,
                   _("Another device answered: it is node 0x%016" G_GINT64_MODIFIER "X of this "
                     "home, not node 0x%016" G_GINT64_MODIFIER "X. The device may have a new "
                     "address; look it up again."),
                   node_id, self->peer_node_id);
      return FALSE;
    }

  if (!th_case_verify (noc->public_key, tbe, responder_key, self->ephemeral_public_key,
                       &local_error))
    {
      if (g_error_matches (local_error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_SIGNATURE))
        g_set_error_literal (error, TH_ERROR, TH_ERROR_CASE_BAD_SIGNATURE,
                             _("The device's signature in Sigma2 does not verify with the key "
                               "of its certificate: it does not hold that certificate's key"));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* Opens TBEData2 with S2K and checks what it holds. `peer_at_fault` says whether the failure
 * is the node's doing, which it is then told. */
static gboolean
check_sigma2 (ThCaseInitiator     *self,
              const ThCaseSigma2  *sigma2,
              const guint8         shared_secret[TH_P256_SHARED_SECRET_LEN],
              gboolean            *peer_at_fault,
              GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) tbe_data = NULL;
  guint8 sigma1_hash[TH_SHA256_LEN];
  guint8 s2k[TH_CASE_SIGMA_KEY_LEN];
  ThCaseTbeData tbe;
  const guint8 *data;
  gsize len;

  *peer_at_fault = FALSE;
  /* S2K covers Sigma1 only: the transcript takes Sigma2 afterwards. */
  if (!th_sha256_get_digest (self->transcript, sigma1_hash, error) ||
      !th_case_derive_sigma2_key (shared_secret,
                                  th_case_identity_get_operational_ipk (self->identity),
                                  sigma2->responder_random, sigma2->responder_ephemeral_key,
                                  sigma1_hash, s2k, error))
    return FALSE;
  tbe_data = th_case_open (TH_CASE_SIGMA2, s2k, sigma2->encrypted, sigma2->encrypted_len,
                           &local_error);
  th_secure_wipe (s2k, sizeof s2k);
  if (tbe_data == NULL)
    {
      *peer_at_fault = g_error_matches (local_error, TH_ERROR, TH_ERROR_CASE_PROTOCOL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  *peer_at_fault = TRUE;
  data = g_bytes_get_data (tbe_data, &len);
  return th_case_tbe_data2_decode (&tbe, data, len, error) &&
         check_responder (self, &tbe, sigma2->responder_ephemeral_key, error);
}

/* Sigma3: our credentials and our signature over them and both ephemeral keys, sealed with
 * S3K. */
static GBytes *
make_sigma3 (ThCaseInitiator  *self,
             const guint8      shared_secret[TH_P256_SHARED_SECRET_LEN],
             const guint8      responder_key[TH_P256_PUBLIC_KEY_LEN],
             GError          **error)
{
  ThCaseTbeData tbe = { 0 };
  ThCaseSigma3 sigma3 = { 0 };
  g_autoptr(GBytes) tbe_data = NULL;
  g_autoptr(GBytes) sealed = NULL;
  GBytes *noc = th_case_identity_get_noc_tlv (self->identity);
  GBytes *icac = th_case_identity_get_icac_tlv (self->identity);
  guint8 transcript_hash[TH_SHA256_LEN];
  guint8 s3k[TH_CASE_SIGMA_KEY_LEN];
  gboolean ok;

  if (!th_case_sign (th_case_identity_get_key (self->identity), noc, icac,
                     self->ephemeral_public_key, responder_key, tbe.signature, error))
    return NULL;
  tbe.noc = g_bytes_get_data (noc, &tbe.noc_len);
  if (icac != NULL)
    tbe.icac = g_bytes_get_data (icac, &tbe.icac_len);
  tbe_data = th_case_tbe_data3_encode (&tbe);

  if (!th_sha256_get_digest (self->transcript, transcript_hash, error))
    return NULL;
  ok = th_case_derive_sigma3_key (shared_secret,
                                  th_case_identity_get_operational_ipk (self->identity),
                                  transcript_hash, s3k, error);
  if (ok)
    sealed = th_case_seal (TH_CASE_SIGMA3, s3k, tbe_data, error);
  th_secure_wipe (s3k, sizeof s3k);
  if (sealed == NULL)
    return NULL;

  sigma3.encrypted = g_bytes_get_data (sealed, &sigma3.encrypted_len);
  return th_case_sigma3_encode (&sigma3);
}

static ThCaseResult
handle_sigma2 (ThCaseInitiator  *self,
               GBytes           *payload,
               guint8           *reply_opcode,
               GBytes          **reply,
               GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) sigma3 = NULL;
  guint8 shared_secret[TH_P256_SHARED_SECRET_LEN];
  guint8 transcript_hash[TH_SHA256_LEN];
  gboolean peer_at_fault;
  ThCaseSigma2 sigma2;
  const guint8 *data;
  gsize len;
  gboolean ok;

  data = g_bytes_get_data (payload, &len);
  if (!th_case_sigma2_decode (&sigma2, data, len, error))
    return fail (self, TRUE, reply_opcode, reply);
  if (sigma2.responder_session_id == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL,
                           _("The device's Sigma2 offers session id 0, which is reserved for "
                             "unsecured sessions"));
      return fail (self, TRUE, reply_opcode, reply);
    }

  if (!th_p256_key_derive_shared_secret (self->ephemeral_key, sigma2.responder_ephemeral_key,
                                         shared_secret, &local_error))
    {
      peer_at_fault = g_error_matches (local_error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY);
      if (peer_at_fault)
        g_set_error_literal (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL,
                             _("The responderEphPubKey of the device's Sigma2 is not a valid "
                               "P-256 point"));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return fail (self, peer_at_fault, reply_opcode, reply);
    }
  /* The ephemeral key has done its work. */
  g_clear_pointer (&self->ephemeral_key, th_p256_key_unref);

  ok = check_sigma2 (self, &sigma2, shared_secret, &peer_at_fault, error);
  if (ok)
    {
      peer_at_fault = FALSE;
      th_sha256_update (self->transcript, data, len);
      sigma3 = make_sigma3 (self, shared_secret, sigma2.responder_ephemeral_key, error);
      if (sigma3 != NULL)
        th_sha256_update (self->transcript, g_bytes_get_data (sigma3, NULL),
                          g_bytes_get_size (sigma3));
      ok = sigma3 != NULL &&
           th_sha256_get_digest (self->transcript, transcript_hash, error) &&
           th_case_derive_session_keys (shared_secret,
                                        th_case_identity_get_operational_ipk (self->identity),
                                        transcript_hash, &self->keys, error);
    }
  th_secure_wipe (shared_secret, sizeof shared_secret);
  if (!ok)
    return fail (self, peer_at_fault, reply_opcode, reply);

  self->peer_session_id = sigma2.responder_session_id;
  self->has_peer_parameters = sigma2.has_session_parameters;
  self->peer_parameters = sigma2.session_parameters;
  *reply_opcode = TH_SECURE_CHANNEL_CASE_SIGMA3;
  *reply = g_steal_pointer (&sigma3);
  self->state = TH_CASE_INITIATOR_AWAITING_STATUS_REPORT;
  return TH_CASE_CONTINUE;
}

/* The name of what the node last had from us, for errors. */
static const char *
last_sent_message (ThCaseInitiator *self)
{
  return self->state == TH_CASE_INITIATOR_AWAITING_SIGMA2 ? "Sigma1" : "Sigma3";
}

static ThCaseResult
handle_status_report (ThCaseInitiator  *self,
                      GBytes           *payload,
                      guint8           *reply_opcode,
                      GBytes          **reply,
                      GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  ThStatusReport report;
  const guint8 *data;
  gsize len;

  data = g_bytes_get_data (payload, &len);
  if (!th_status_report_decode (&report, data, len, &local_error))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL,
                   _("The device answered the %s message with a malformed status report: %s"),
                   last_sent_message (self), local_error->message);
      return fail (self, FALSE, reply_opcode, reply);
    }

  if (report.general_code == TH_GENERAL_STATUS_SUCCESS &&
      th_status_report_is_secure_channel (&report,
                                          TH_SECURE_CHANNEL_STATUS_SESSION_ESTABLISHMENT_SUCCESS))
    {
      if (self->state != TH_CASE_INITIATOR_AWAITING_STATUS_REPORT)
        {
          g_set_error_literal (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL,
                               _("The device reported the session established in answer to "
                                 "the Sigma1 message, before the handshake was complete"));
          return fail (self, TRUE, reply_opcode, reply);
        }
      self->state = TH_CASE_INITIATOR_ESTABLISHED;
      return TH_CASE_ESTABLISHED;
    }

  if (th_status_report_is_secure_channel (&report, TH_SECURE_CHANNEL_STATUS_NO_SHARED_TRUST_ROOTS))
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CASE_NO_SHARED_ROOT,
                           _("The device does not know this home's fabric: it may have been "
                             "reset or removed from this home. Add it again."));
      return fail (self, FALSE, reply_opcode, reply);
    }

  th_status_report_set_error (&report, error);
  g_prefix_error (error, _("The device refused the %s message. "), last_sent_message (self));
  return fail (self, FALSE, reply_opcode, reply);
}

ThCaseResult
th_case_initiator_process (ThCaseInitiator  *self,
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
  g_return_val_if_fail (error == NULL || *error == NULL, TH_CASE_FAILED);
  g_return_val_if_fail (self->state == TH_CASE_INITIATOR_AWAITING_SIGMA2 ||
                        self->state == TH_CASE_INITIATOR_AWAITING_STATUS_REPORT,
                        TH_CASE_FAILED);

  /* The node may give up (or be busy) at any step. */
  if (opcode == TH_SECURE_CHANNEL_STATUS_REPORT)
    return handle_status_report (self, payload, reply_opcode, reply, error);

  if (self->state == TH_CASE_INITIATOR_AWAITING_SIGMA2 &&
      opcode == TH_SECURE_CHANNEL_CASE_SIGMA2)
    return handle_sigma2 (self, payload, reply_opcode, reply, error);

  if (opcode == TH_SECURE_CHANNEL_CASE_SIGMA2_RESUME)
    g_set_error_literal (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL,
                         _("The device answered with Sigma2_Resume, but no session resumption "
                           "was offered"));
  else
    th_secure_channel_set_unexpected_error (TH_ERROR_CASE_PROTOCOL, opcode,
                                            self->state == TH_CASE_INITIATOR_AWAITING_SIGMA2 ?
                                            "Sigma2" : "StatusReport",
                                            error);
  return fail (self, TRUE, reply_opcode, reply);
}

ThCaseInitiatorState
th_case_initiator_get_state (ThCaseInitiator *self)
{
  g_return_val_if_fail (self != NULL, TH_CASE_INITIATOR_FAILED);

  return self->state;
}

guint64
th_case_initiator_get_peer_node_id (ThCaseInitiator *self)
{
  g_return_val_if_fail (self != NULL, TH_NODE_ID_UNSPECIFIED);

  return self->peer_node_id;
}

guint16
th_case_initiator_get_peer_session_id (ThCaseInitiator *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->peer_session_id;
}

gboolean
th_case_initiator_get_peer_parameters (ThCaseInitiator     *self,
                                       ThSessionParameters *parameters)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (parameters != NULL, FALSE);

  if (!self->has_peer_parameters)
    return FALSE;
  *parameters = self->peer_parameters;
  return TRUE;
}

void
th_case_initiator_get_session_keys (ThCaseInitiator *self,
                                    ThSessionKeys   *keys)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (keys != NULL);
  g_return_if_fail (self->state == TH_CASE_INITIATOR_ESTABLISHED);

  *keys = self->keys;
}
