/* th-pase-responder.c: the device's side of PASE, free of any transport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "messaging/th-message.h"
#include "th-error.h"
#include "th-pase-private.h"
#include "th-pase-responder.h"

struct _ThPaseResponder
{
  ThPaseResponderState state;

  guint8 verifier[TH_SPAKE2P_VERIFIER_LEN];
  ThPbkdfParameters pbkdf_parameters;
  guint16 local_session_id;
  gboolean has_local_parameters;
  ThSessionParameters local_parameters;

  gboolean has_test_random;
  guint8 random[TH_PASE_RANDOM_LEN];
  gboolean has_test_scalar;
  guint8 test_scalar[TH_SPAKE2P_W_LEN];

  ThSpake2p *spake;

  guint16 peer_session_id;
  gboolean has_peer_parameters;
  ThSessionParameters peer_parameters;

  ThSessionKeys keys;
};

ThPaseResponder *
th_pase_responder_new (const guint8              *verifier,
                       const ThPbkdfParameters   *pbkdf_parameters,
                       guint16                    local_session_id,
                       const ThSessionParameters *local_parameters,
                       GError                   **error)
{
  ThPaseResponder *self;

  g_return_val_if_fail (verifier != NULL, NULL);
  g_return_val_if_fail (pbkdf_parameters != NULL, NULL);

  if (!th_pbkdf_parameters_check (pbkdf_parameters, error))
    return NULL;
  if (local_session_id == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL,
                           _("Session id 0 is reserved for unsecured sessions"));
      return NULL;
    }

  self = g_new0 (ThPaseResponder, 1);
  self->state = TH_PASE_RESPONDER_AWAITING_PBKDF_PARAM_REQUEST;
  memcpy (self->verifier, verifier, sizeof self->verifier);
  self->pbkdf_parameters = *pbkdf_parameters;
  self->local_session_id = local_session_id;
  if (local_parameters != NULL)
    {
      self->has_local_parameters = TRUE;
      self->local_parameters = *local_parameters;
    }
  return self;
}

void
th_pase_responder_free (ThPaseResponder *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->spake, th_spake2p_free);
  th_secure_wipe (self, sizeof *self);
  g_free (self);
}

void
th_pase_responder_set_test_randomness (ThPaseResponder *self,
                                       const guint8    *random,
                                       const guint8    *y)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (random != NULL);
  g_return_if_fail (self->state == TH_PASE_RESPONDER_AWAITING_PBKDF_PARAM_REQUEST);

  self->has_test_random = TRUE;
  memcpy (self->random, random, TH_PASE_RANDOM_LEN);
  if (y != NULL)
    {
      self->has_test_scalar = TRUE;
      memcpy (self->test_scalar, y, TH_SPAKE2P_W_LEN);
    }
}

/* Fails the handshake; `tell_peer` answers with INVALID_PARAMETER, as a device does to any
 * message it cannot accept. */
static ThPaseResult
fail (ThPaseResponder  *self,
      gboolean          tell_peer,
      guint8           *reply_opcode,
      GBytes          **reply)
{
  self->state = TH_PASE_RESPONDER_FAILED;
  g_clear_pointer (&self->spake, th_spake2p_free);
  if (tell_peer)
    {
      *reply_opcode = TH_SECURE_CHANNEL_STATUS_REPORT;
      *reply = th_status_report_encode_secure_channel (TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER);
    }
  return TH_PASE_FAILED;
}

static ThPaseResult
handle_pbkdf_param_request (ThPaseResponder  *self,
                            GBytes           *payload,
                            guint8           *reply_opcode,
                            GBytes          **reply,
                            GError          **error)
{
  ThPbkdfParamRequest request;
  ThPbkdfParamResponse response = { 0 };
  g_autoptr(GBytes) encoded = NULL;
  guint8 context[TH_SHA256_LEN];
  const guint8 *data;
  gsize len;

  data = g_bytes_get_data (payload, &len);
  if (!th_pbkdf_param_request_decode (&request, data, len, error))
    return fail (self, TRUE, reply_opcode, reply);
  if (request.passcode_id != TH_PASE_DEFAULT_PASSCODE_ID)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL,
                   _("The PBKDFParamRequest asks for passcode id %u; only the "
                     "commissioning passcode (0) exists"),
                   request.passcode_id);
      return fail (self, TRUE, reply_opcode, reply);
    }
  if (request.initiator_session_id == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL,
                           _("The PBKDFParamRequest offers session id 0, which is reserved "
                             "for unsecured sessions"));
      return fail (self, TRUE, reply_opcode, reply);
    }
  self->peer_session_id = request.initiator_session_id;
  self->has_peer_parameters = request.has_session_parameters;
  self->peer_parameters = request.session_parameters;

  if (!self->has_test_random &&
      !th_random_bytes (self->random, sizeof self->random, error))
    return fail (self, FALSE, reply_opcode, reply);

  memcpy (response.initiator_random, request.initiator_random,
          sizeof response.initiator_random);
  memcpy (response.responder_random, self->random, sizeof response.responder_random);
  response.responder_session_id = self->local_session_id;
  response.has_pbkdf_parameters = !request.has_pbkdf_parameters;
  response.pbkdf_parameters = self->pbkdf_parameters;
  response.has_session_parameters = self->has_local_parameters;
  response.session_parameters = self->local_parameters;
  encoded = th_pbkdf_param_response_encode (&response);

  if (!th_pase_compute_context (payload, encoded, context, error))
    return fail (self, FALSE, reply_opcode, reply);
  self->spake = th_spake2p_new_verifier (context, sizeof context, NULL, 0, NULL, 0,
                                         self->verifier, error);
  if (self->spake == NULL ||
      (self->has_test_scalar &&
       !th_spake2p_set_ephemeral_scalar (self->spake, self->test_scalar, error)))
    return fail (self, FALSE, reply_opcode, reply);

  *reply_opcode = TH_SECURE_CHANNEL_PBKDF_PARAM_RESPONSE;
  *reply = g_steal_pointer (&encoded);
  self->state = TH_PASE_RESPONDER_AWAITING_PAKE1;
  return TH_PASE_CONTINUE;
}

static ThPaseResult
handle_pake1 (ThPaseResponder  *self,
              GBytes           *payload,
              guint8           *reply_opcode,
              GBytes          **reply,
              GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  ThPake1 pake1;
  ThPake2 pake2;
  const guint8 *data;
  gsize len;

  data = g_bytes_get_data (payload, &len);
  if (!th_pake1_decode (&pake1, data, len, error))
    return fail (self, TRUE, reply_opcode, reply);
  if (!th_spake2p_compute_share (self->spake, pake2.pb, error))
    return fail (self, FALSE, reply_opcode, reply);
  if (!th_spake2p_process_peer_share (self->spake, pake1.pa, &local_error))
    {
      if (g_error_matches (local_error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY))
        {
          g_set_error_literal (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL,
                               _("The pA share in the Pake1 message is not a valid P-256 "
                                 "point"));
          return fail (self, TRUE, reply_opcode, reply);
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return fail (self, FALSE, reply_opcode, reply);
    }
  th_spake2p_get_confirmation (self->spake, pake2.cb);

  *reply_opcode = TH_SECURE_CHANNEL_PASE_PAKE2;
  *reply = th_pake2_encode (&pake2);
  self->state = TH_PASE_RESPONDER_AWAITING_PAKE3;
  return TH_PASE_CONTINUE;
}

static ThPaseResult
handle_pake3 (ThPaseResponder  *self,
              GBytes           *payload,
              guint8           *reply_opcode,
              GBytes          **reply,
              GError          **error)
{
  ThPake3 pake3;
  const guint8 *data;
  gsize len;

  data = g_bytes_get_data (payload, &len);
  if (!th_pake3_decode (&pake3, data, len, error))
    return fail (self, TRUE, reply_opcode, reply);
  if (!th_spake2p_verify_peer_confirmation (self->spake, pake3.ca, NULL))
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PASE_WRONG_PASSCODE,
                           _("The commissioner's key confirmation does not match: it used "
                             "another passcode."));
      return fail (self, TRUE, reply_opcode, reply);
    }
  if (!th_pase_derive_session_keys (self->spake, &self->keys, error))
    return fail (self, FALSE, reply_opcode, reply);
  g_clear_pointer (&self->spake, th_spake2p_free);
  th_secure_wipe (self->verifier, sizeof self->verifier);

  *reply_opcode = TH_SECURE_CHANNEL_STATUS_REPORT;
  *reply = th_status_report_encode_secure_channel (
    TH_SECURE_CHANNEL_STATUS_SESSION_ESTABLISHMENT_SUCCESS);
  self->state = TH_PASE_RESPONDER_ESTABLISHED;
  return TH_PASE_ESTABLISHED;
}

/* The initiator gave up (it refuses a Pake2 whose cB does not match its passcode); nothing
 * is owed to it in return. */
static ThPaseResult
handle_status_report (ThPaseResponder  *self,
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
                   _("The commissioner sent a malformed status report: %s"),
                   local_error->message);
      return fail (self, FALSE, reply_opcode, reply);
    }
  /* Its reasons are in the codes: the sentences of th_status_report_describe() speak of
   * the device. */
  g_set_error (error, TH_ERROR, TH_ERROR_STATUS_REPORT,
               _("The commissioner ended the handshake with a status report (general code %u, "
                 "protocol 0x%08x, protocol code 0x%04x)"),
               report.general_code, report.protocol_id, report.protocol_code);
  return fail (self, FALSE, reply_opcode, reply);
}

ThPaseResult
th_pase_responder_process (ThPaseResponder  *self,
                           guint8            opcode,
                           GBytes           *payload,
                           guint8           *reply_opcode,
                           GBytes          **reply,
                           GError          **error)
{
  static const guint8 expected_opcodes[] = {
    [TH_PASE_RESPONDER_AWAITING_PBKDF_PARAM_REQUEST] = TH_SECURE_CHANNEL_PBKDF_PARAM_REQUEST,
    [TH_PASE_RESPONDER_AWAITING_PAKE1] = TH_SECURE_CHANNEL_PASE_PAKE1,
    [TH_PASE_RESPONDER_AWAITING_PAKE3] = TH_SECURE_CHANNEL_PASE_PAKE3,
  };
  static const char *const expected_names[] = {
    [TH_PASE_RESPONDER_AWAITING_PBKDF_PARAM_REQUEST] = "PBKDFParamRequest",
    [TH_PASE_RESPONDER_AWAITING_PAKE1] = "Pake1",
    [TH_PASE_RESPONDER_AWAITING_PAKE3] = "Pake3",
  };

  g_return_val_if_fail (self != NULL, TH_PASE_FAILED);
  g_return_val_if_fail (payload != NULL, TH_PASE_FAILED);
  g_return_val_if_fail (reply_opcode != NULL && reply != NULL && *reply == NULL,
                        TH_PASE_FAILED);
  g_return_val_if_fail (self->state == TH_PASE_RESPONDER_AWAITING_PBKDF_PARAM_REQUEST ||
                        self->state == TH_PASE_RESPONDER_AWAITING_PAKE1 ||
                        self->state == TH_PASE_RESPONDER_AWAITING_PAKE3,
                        TH_PASE_FAILED);

  if (opcode == TH_SECURE_CHANNEL_STATUS_REPORT)
    return handle_status_report (self, payload, reply_opcode, reply, error);
  if (opcode != expected_opcodes[self->state])
    {
      th_pase_set_unexpected_error (opcode, expected_names[self->state], error);
      return fail (self, TRUE, reply_opcode, reply);
    }

  switch (self->state)
    {
    case TH_PASE_RESPONDER_AWAITING_PBKDF_PARAM_REQUEST:
      return handle_pbkdf_param_request (self, payload, reply_opcode, reply, error);
    case TH_PASE_RESPONDER_AWAITING_PAKE1:
      return handle_pake1 (self, payload, reply_opcode, reply, error);
    case TH_PASE_RESPONDER_AWAITING_PAKE3:
      return handle_pake3 (self, payload, reply_opcode, reply, error);
    case TH_PASE_RESPONDER_ESTABLISHED:
    case TH_PASE_RESPONDER_FAILED:
    default:
      g_return_val_if_reached (TH_PASE_FAILED);
    }
}

ThPaseResponderState
th_pase_responder_get_state (ThPaseResponder *self)
{
  g_return_val_if_fail (self != NULL, TH_PASE_RESPONDER_FAILED);

  return self->state;
}

guint16
th_pase_responder_get_peer_session_id (ThPaseResponder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->peer_session_id;
}

gboolean
th_pase_responder_get_peer_parameters (ThPaseResponder     *self,
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
th_pase_responder_get_session_keys (ThPaseResponder *self,
                                    ThSessionKeys   *keys)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (keys != NULL);
  g_return_if_fail (self->state == TH_PASE_RESPONDER_ESTABLISHED);

  *keys = self->keys;
}
