/* th-pase-initiator.c: the commissioner's side of PASE, free of any transport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "messaging/th-message.h"
#include "onboarding/th-setup-payload.h"
#include "th-error.h"
#include "th-pase-initiator.h"
#include "th-pase-private.h"

struct _ThPaseInitiator
{
  ThPaseInitiatorState state;

  guint32 passcode;
  guint16 local_session_id;
  gboolean has_pbkdf_parameters;
  ThPbkdfParameters pbkdf_parameters;
  gboolean has_local_parameters;
  ThSessionParameters local_parameters;

  gboolean has_test_random;
  guint8 random[TH_PASE_RANDOM_LEN];
  gboolean has_test_scalar;
  guint8 test_scalar[TH_SPAKE2P_W_LEN];

  GBytes *request;
  gboolean has_context;
  guint8 context[TH_SHA256_LEN];
  ThSpake2p *spake;

  guint16 peer_session_id;
  gboolean has_peer_parameters;
  ThSessionParameters peer_parameters;

  ThSessionKeys keys;
};

ThPaseInitiator *
th_pase_initiator_new (guint32                     passcode,
                       guint16                     local_session_id,
                       const ThPbkdfParameters    *pbkdf_parameters,
                       const ThSessionParameters  *local_parameters,
                       GError                    **error)
{
  ThPaseInitiator *self;

  if (passcode == 0 || passcode > TH_PASSCODE_MAX)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL,
                   _("The passcode is out of range: it must be 00000001 to %08u"),
                   TH_PASSCODE_MAX);
      return NULL;
    }
  if (local_session_id == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL,
                           _("Session id 0 is reserved for unsecured sessions"));
      return NULL;
    }
  if (pbkdf_parameters != NULL && !th_pbkdf_parameters_check (pbkdf_parameters, error))
    return NULL;

  self = g_new0 (ThPaseInitiator, 1);
  self->state = TH_PASE_INITIATOR_NEW;
  self->passcode = passcode;
  self->local_session_id = local_session_id;
  if (pbkdf_parameters != NULL)
    {
      self->has_pbkdf_parameters = TRUE;
      self->pbkdf_parameters = *pbkdf_parameters;
    }
  if (local_parameters != NULL)
    {
      self->has_local_parameters = TRUE;
      self->local_parameters = *local_parameters;
    }
  return self;
}

void
th_pase_initiator_free (ThPaseInitiator *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->request, g_bytes_unref);
  g_clear_pointer (&self->spake, th_spake2p_free);
  th_secure_wipe (self, sizeof *self);
  g_free (self);
}

void
th_pase_initiator_set_test_randomness (ThPaseInitiator *self,
                                       const guint8    *random,
                                       const guint8    *x)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (random != NULL);
  g_return_if_fail (self->state == TH_PASE_INITIATOR_NEW);

  self->has_test_random = TRUE;
  memcpy (self->random, random, TH_PASE_RANDOM_LEN);
  if (x != NULL)
    {
      self->has_test_scalar = TRUE;
      memcpy (self->test_scalar, x, TH_SPAKE2P_W_LEN);
    }
}

GBytes *
th_pase_initiator_start (ThPaseInitiator  *self,
                         GError          **error)
{
  ThPbkdfParamRequest request = { 0 };

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->state == TH_PASE_INITIATOR_NEW, NULL);

  if (!self->has_test_random && !th_random_bytes (self->random, sizeof self->random, error))
    {
      self->state = TH_PASE_INITIATOR_FAILED;
      return NULL;
    }

  memcpy (request.initiator_random, self->random, sizeof request.initiator_random);
  request.initiator_session_id = self->local_session_id;
  request.passcode_id = TH_PASE_DEFAULT_PASSCODE_ID;
  request.has_pbkdf_parameters = self->has_pbkdf_parameters;
  request.has_session_parameters = self->has_local_parameters;
  request.session_parameters = self->local_parameters;

  self->request = th_pbkdf_param_request_encode (&request);
  self->state = TH_PASE_INITIATOR_AWAITING_PBKDF_PARAM_RESPONSE;
  return g_bytes_ref (self->request);
}

/* Fails the handshake; `tell_peer` answers the device with INVALID_PARAMETER, as it is owed
 * a reason when its own message is what went wrong. */
static ThPaseResult
fail (ThPaseInitiator  *self,
      gboolean          tell_peer,
      guint8           *reply_opcode,
      GBytes          **reply)
{
  self->state = TH_PASE_INITIATOR_FAILED;
  g_clear_pointer (&self->spake, th_spake2p_free);
  if (tell_peer)
    {
      *reply_opcode = TH_SECURE_CHANNEL_STATUS_REPORT;
      *reply = th_status_report_encode_secure_channel (TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER);
    }
  return TH_PASE_FAILED;
}

static ThPaseResult
handle_pbkdf_param_response (ThPaseInitiator  *self,
                             GBytes           *payload,
                             guint8           *reply_opcode,
                             GBytes          **reply,
                             GError          **error)
{
  ThPbkdfParamResponse response;
  const ThPbkdfParameters *pbkdf;
  guint8 w0[TH_SPAKE2P_W_LEN];
  guint8 w1[TH_SPAKE2P_W_LEN];
  ThPake1 pake1;
  const guint8 *data;
  gsize len;
  gboolean ok;

  data = g_bytes_get_data (payload, &len);
  if (!th_pbkdf_param_response_decode (&response, data, len, error))
    return fail (self, TRUE, reply_opcode, reply);

  if (!th_constant_time_equal (response.initiator_random, self->random,
                               TH_PASE_RANDOM_LEN))
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL,
                           _("The device's PBKDFParamResponse does not echo the "
                             "initiatorRandom of the request: it answers another request"));
      return fail (self, TRUE, reply_opcode, reply);
    }
  if (response.responder_session_id == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL,
                           _("The device's PBKDFParamResponse offers session id 0, which is "
                             "reserved for unsecured sessions"));
      return fail (self, TRUE, reply_opcode, reply);
    }

  /* The device's own parameters are what its verifier was made with. */
  if (response.has_pbkdf_parameters)
    pbkdf = &response.pbkdf_parameters;
  else if (self->has_pbkdf_parameters)
    pbkdf = &self->pbkdf_parameters;
  else
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL,
                           _("The device's PBKDFParamResponse lacks the PBKDF parameters "
                             "(iterations and salt) that the request asked for"));
      return fail (self, TRUE, reply_opcode, reply);
    }

  self->peer_session_id = response.responder_session_id;
  self->has_peer_parameters = response.has_session_parameters;
  self->peer_parameters = response.session_parameters;

  if (!th_pase_compute_context (self->request, payload, self->context, error))
    return fail (self, FALSE, reply_opcode, reply);
  self->has_context = TRUE;

  ok = th_spake2p_compute_w0_w1 (self->passcode, pbkdf->salt, pbkdf->salt_len,
                                 pbkdf->iterations, w0, w1, error);
  if (ok)
    {
      self->spake = th_spake2p_new_prover (self->context, sizeof self->context, NULL, 0,
                                           NULL, 0, w0, w1, error);
      ok = self->spake != NULL;
    }
  th_secure_wipe (w0, sizeof w0);
  th_secure_wipe (w1, sizeof w1);
  th_secure_wipe (&self->passcode, sizeof self->passcode);
  if (ok && self->has_test_scalar)
    ok = th_spake2p_set_ephemeral_scalar (self->spake, self->test_scalar, error);
  if (!ok || !th_spake2p_compute_share (self->spake, pake1.pa, error))
    return fail (self, FALSE, reply_opcode, reply);

  *reply_opcode = TH_SECURE_CHANNEL_PASE_PAKE1;
  *reply = th_pake1_encode (&pake1);
  self->state = TH_PASE_INITIATOR_AWAITING_PAKE2;
  return TH_PASE_CONTINUE;
}

static ThPaseResult
handle_pake2 (ThPaseInitiator  *self,
              GBytes           *payload,
              guint8           *reply_opcode,
              GBytes          **reply,
              GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  ThPake2 pake2;
  ThPake3 pake3;
  const guint8 *data;
  gsize len;

  data = g_bytes_get_data (payload, &len);
  if (!th_pake2_decode (&pake2, data, len, error))
    return fail (self, TRUE, reply_opcode, reply);

  if (!th_spake2p_process_peer_share (self->spake, pake2.pb, &local_error))
    {
      if (g_error_matches (local_error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY))
        {
          g_set_error_literal (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL,
                               _("The pB share in the device's Pake2 message is not a valid "
                                 "P-256 point"));
          return fail (self, TRUE, reply_opcode, reply);
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return fail (self, FALSE, reply_opcode, reply);
    }

  /* cB proves the device holds the verifier of this passcode; anything else is the user's
   * typo (or an impostor), and nothing the device says can be trusted. */
  if (!th_spake2p_verify_peer_confirmation (self->spake, pake2.cb, NULL))
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PASE_WRONG_PASSCODE,
                           _("The passcode does not match this device."));
      return fail (self, TRUE, reply_opcode, reply);
    }

  th_spake2p_get_confirmation (self->spake, pake3.ca);
  if (!th_pase_derive_session_keys (self->spake, &self->keys, error))
    return fail (self, FALSE, reply_opcode, reply);
  g_clear_pointer (&self->spake, th_spake2p_free);

  *reply_opcode = TH_SECURE_CHANNEL_PASE_PAKE3;
  *reply = th_pake3_encode (&pake3);
  self->state = TH_PASE_INITIATOR_AWAITING_STATUS_REPORT;
  return TH_PASE_CONTINUE;
}

/* The name of what the device last had from us, for errors. */
static const char *
last_sent_message (ThPaseInitiator *self)
{
  switch (self->state)
    {
    case TH_PASE_INITIATOR_AWAITING_PBKDF_PARAM_RESPONSE:
      return "PBKDFParamRequest";
    case TH_PASE_INITIATOR_AWAITING_PAKE2:
      return "Pake1";
    case TH_PASE_INITIATOR_AWAITING_STATUS_REPORT:
      return "Pake3";
    case TH_PASE_INITIATOR_NEW:
    case TH_PASE_INITIATOR_ESTABLISHED:
    case TH_PASE_INITIATOR_FAILED:
    default:
      g_return_val_if_reached (NULL);
    }
}

static ThPaseResult
handle_status_report (ThPaseInitiator  *self,
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
      g_set_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL,
                   _("The device answered the %s message with a malformed status report: %s"),
                   last_sent_message (self), local_error->message);
      return fail (self, FALSE, reply_opcode, reply);
    }

  if (report.general_code == TH_GENERAL_STATUS_SUCCESS &&
      th_status_report_is_secure_channel (&report,
                                          TH_SECURE_CHANNEL_STATUS_SESSION_ESTABLISHMENT_SUCCESS))
    {
      if (self->state != TH_PASE_INITIATOR_AWAITING_STATUS_REPORT)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL,
                       _("The device reported the session established in answer to the %s "
                         "message, before the handshake was complete"),
                       last_sent_message (self));
          return fail (self, TRUE, reply_opcode, reply);
        }
      self->state = TH_PASE_INITIATOR_ESTABLISHED;
      return TH_PASE_ESTABLISHED;
    }

  /* The device checks cA against its verifier: a rejection of Pake3 means another passcode
   * (only a device that answered Pake2 with a cB we accepted gets here). */
  if (self->state == TH_PASE_INITIATOR_AWAITING_STATUS_REPORT &&
      th_status_report_is_secure_channel (&report, TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER))
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PASE_WRONG_PASSCODE,
                           _("The passcode does not match this device."));
      return fail (self, FALSE, reply_opcode, reply);
    }

  th_status_report_set_error (&report, error);
  if (error != NULL && *error != NULL)
    g_prefix_error (error, _("The device refused the %s message. "), last_sent_message (self));
  return fail (self, FALSE, reply_opcode, reply);
}

ThPaseResult
th_pase_initiator_process (ThPaseInitiator  *self,
                           guint8            opcode,
                           GBytes           *payload,
                           guint8           *reply_opcode,
                           GBytes          **reply,
                           GError          **error)
{
  static const guint8 expected_opcodes[] = {
    [TH_PASE_INITIATOR_AWAITING_PBKDF_PARAM_RESPONSE] = TH_SECURE_CHANNEL_PBKDF_PARAM_RESPONSE,
    [TH_PASE_INITIATOR_AWAITING_PAKE2] = TH_SECURE_CHANNEL_PASE_PAKE2,
    [TH_PASE_INITIATOR_AWAITING_STATUS_REPORT] = TH_SECURE_CHANNEL_STATUS_REPORT,
  };
  static const char *const expected_names[] = {
    [TH_PASE_INITIATOR_AWAITING_PBKDF_PARAM_RESPONSE] = "PBKDFParamResponse",
    [TH_PASE_INITIATOR_AWAITING_PAKE2] = "Pake2",
    [TH_PASE_INITIATOR_AWAITING_STATUS_REPORT] = "StatusReport",
  };

  g_return_val_if_fail (self != NULL, TH_PASE_FAILED);
  g_return_val_if_fail (payload != NULL, TH_PASE_FAILED);
  g_return_val_if_fail (reply_opcode != NULL && reply != NULL && *reply == NULL,
                        TH_PASE_FAILED);
  g_return_val_if_fail (self->state == TH_PASE_INITIATOR_AWAITING_PBKDF_PARAM_RESPONSE ||
                        self->state == TH_PASE_INITIATOR_AWAITING_PAKE2 ||
                        self->state == TH_PASE_INITIATOR_AWAITING_STATUS_REPORT,
                        TH_PASE_FAILED);

  /* The device may give up (or be busy) at any step. */
  if (opcode == TH_SECURE_CHANNEL_STATUS_REPORT)
    return handle_status_report (self, payload, reply_opcode, reply, error);

  if (opcode != expected_opcodes[self->state])
    {
      th_pase_set_unexpected_error (opcode, expected_names[self->state], error);
      return fail (self, TRUE, reply_opcode, reply);
    }
  if (self->state == TH_PASE_INITIATOR_AWAITING_PBKDF_PARAM_RESPONSE)
    return handle_pbkdf_param_response (self, payload, reply_opcode, reply, error);
  return handle_pake2 (self, payload, reply_opcode, reply, error);
}

ThPaseInitiatorState
th_pase_initiator_get_state (ThPaseInitiator *self)
{
  g_return_val_if_fail (self != NULL, TH_PASE_INITIATOR_FAILED);

  return self->state;
}

const guint8 *
th_pase_initiator_get_context (ThPaseInitiator *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->has_context, NULL);

  return self->context;
}

guint16
th_pase_initiator_get_peer_session_id (ThPaseInitiator *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->peer_session_id;
}

gboolean
th_pase_initiator_get_peer_parameters (ThPaseInitiator     *self,
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
th_pase_initiator_get_session_keys (ThPaseInitiator *self,
                                    ThSessionKeys   *keys)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (keys != NULL);
  g_return_if_fail (self->state == TH_PASE_INITIATOR_ESTABLISHED);

  *keys = self->keys;
}
