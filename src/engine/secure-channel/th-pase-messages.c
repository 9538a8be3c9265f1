/* th-pase-messages.c: the TLV payloads of PASE (PBKDFParamRequest/Response, Pake1/2/3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "th-error.h"
#include "th-pase-messages.h"
#include "th-secure-channel-private.h"

enum
{
  REQUEST_TAG_INITIATOR_RANDOM = 1,
  REQUEST_TAG_INITIATOR_SESSION_ID = 2,
  REQUEST_TAG_PASSCODE_ID = 3,
  REQUEST_TAG_HAS_PBKDF_PARAMETERS = 4,
  REQUEST_TAG_SESSION_PARAMETERS = 5,
};

enum
{
  RESPONSE_TAG_INITIATOR_RANDOM = 1,
  RESPONSE_TAG_RESPONDER_RANDOM = 2,
  RESPONSE_TAG_RESPONDER_SESSION_ID = 3,
  RESPONSE_TAG_PBKDF_PARAMETERS = 4,
  RESPONSE_TAG_SESSION_PARAMETERS = 5,
};

enum
{
  PBKDF_TAG_ITERATIONS = 1,
  PBKDF_TAG_SALT = 2,
};

enum
{
  PAKE1_TAG_PA = 1,
  PAKE2_TAG_PB = 1,
  PAKE2_TAG_CB = 2,
  PAKE3_TAG_CA = 1,
};

gboolean
th_pbkdf_parameters_check (const ThPbkdfParameters  *parameters,
                           GError                  **error)
{
  g_return_val_if_fail (parameters != NULL, FALSE);

  if (parameters->iterations < TH_PBKDF_MIN_ITERATIONS ||
      parameters->iterations > TH_PBKDF_MAX_ITERATIONS)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL,
                   _("The PBKDF iteration count %u is outside the %u to %u the specification "
                     "allows"),
                   parameters->iterations, TH_PBKDF_MIN_ITERATIONS, TH_PBKDF_MAX_ITERATIONS);
      return FALSE;
    }
  if (parameters->salt_len < TH_PBKDF_MIN_SALT_LEN ||
      parameters->salt_len > TH_PBKDF_MAX_SALT_LEN)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL,
                   _("The PBKDF salt is %zu bytes long; the specification allows %u to %u "
                     "bytes"),
                   parameters->salt_len, TH_PBKDF_MIN_SALT_LEN, TH_PBKDF_MAX_SALT_LEN);
      return FALSE;
    }
  return TRUE;
}

/* The nested pbkdf_parameters structure: iterations and salt, both required. */
static gboolean
decoder_get_pbkdf_parameters (ThPayloadDecoder   *decoder,
                              ThPbkdfParameters  *parameters,
                              GError            **error)
{
  GError *local_error = NULL;
  ThContextTagSet seen = { 0 };
  gboolean has_iterations = FALSE;
  gboolean has_salt = FALSE;
  guint8 number;

  if (th_tlv_reader_get_type (&decoder->reader) != TH_TLV_TYPE_STRUCTURE)
    {
      g_set_error (error, TH_ERROR, decoder->code,
                   _("The pbkdf_parameters field at byte %zu of the %s message is not a "
                     "structure"),
                   th_tlv_reader_get_offset (&decoder->reader), decoder->message);
      return FALSE;
    }
  if (!th_tlv_reader_enter (&decoder->reader, &local_error))
    return th_payload_decoder_fail_malformed (decoder, local_error, error);

  while (th_payload_decoder_next (decoder, &number, &local_error))
    {
      if (!th_context_tag_set_add (&seen, number))
        {
          g_set_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL,
                       _("Field %u of the pbkdf_parameters of the %s message appears a second "
                         "time at byte %zu"),
                       number, decoder->message, th_tlv_reader_get_offset (&decoder->reader));
          return FALSE;
        }
      if (number == PBKDF_TAG_ITERATIONS)
        {
          if (!th_tlv_reader_get_uint32 (&decoder->reader, &parameters->iterations,
                                         &local_error))
            return th_payload_decoder_fail_field (decoder, "iterations", local_error, error);
          has_iterations = TRUE;
        }
      else if (number == PBKDF_TAG_SALT)
        {
          const guint8 *salt;
          gsize salt_len;

          if (!th_tlv_reader_get_bytes (&decoder->reader, &salt, &salt_len, &local_error))
            return th_payload_decoder_fail_field (decoder, "salt", local_error, error);
          if (salt_len < TH_PBKDF_MIN_SALT_LEN || salt_len > TH_PBKDF_MAX_SALT_LEN)
            {
              g_set_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL,
                           _("The PBKDF salt at byte %zu of the %s message is %zu bytes long; "
                             "the specification allows %u to %u bytes"),
                           th_tlv_reader_get_offset (&decoder->reader), decoder->message,
                           salt_len, TH_PBKDF_MIN_SALT_LEN, TH_PBKDF_MAX_SALT_LEN);
              return FALSE;
            }
          memcpy (parameters->salt, salt, salt_len);
          parameters->salt_len = salt_len;
          has_salt = TRUE;
        }
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (!has_iterations)
    return th_payload_decoder_fail_missing (decoder, "pbkdf_parameters.iterations", error);
  if (!has_salt)
    return th_payload_decoder_fail_missing (decoder, "pbkdf_parameters.salt", error);
  if (!th_tlv_reader_exit (&decoder->reader, &local_error))
    return th_payload_decoder_fail_malformed (decoder, local_error, error);
  if (!th_pbkdf_parameters_check (parameters, &local_error))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PASE_PROTOCOL, _("The %s message is invalid: %s"),
                   decoder->message, local_error->message);
      g_error_free (local_error);
      return FALSE;
    }
  return TRUE;
}

/* Encoding */

static GBytes *
finish_structure (ThTlvWriter *writer)
{
  th_tlv_writer_end_container (writer);
  return th_tlv_writer_finish (writer);
}

GBytes *
th_pbkdf_param_request_encode (const ThPbkdfParamRequest *request)
{
  g_auto(ThTlvWriter) writer = { 0 };

  g_return_val_if_fail (request != NULL, NULL);

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (REQUEST_TAG_INITIATOR_RANDOM),
                           request->initiator_random, sizeof request->initiator_random);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (REQUEST_TAG_INITIATOR_SESSION_ID),
                          request->initiator_session_id);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (REQUEST_TAG_PASSCODE_ID),
                          request->passcode_id);
  th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (REQUEST_TAG_HAS_PBKDF_PARAMETERS),
                          request->has_pbkdf_parameters);
  if (request->has_session_parameters)
    th_session_parameters_write (&request->session_parameters, &writer,
                                 TH_TLV_CONTEXT (REQUEST_TAG_SESSION_PARAMETERS));
  return finish_structure (&writer);
}

static gboolean
read_request_member (ThPayloadDecoder  *decoder,
                     guint8     number,
                     gpointer   result,
                     GError   **error)
{
  ThPbkdfParamRequest *request = result;

  switch (number)
    {
    case REQUEST_TAG_INITIATOR_RANDOM:
      return th_payload_decoder_get_fixed_bytes (decoder, "initiatorRandom",
                                                 request->initiator_random,
                                                 sizeof request->initiator_random, error);
    case REQUEST_TAG_INITIATOR_SESSION_ID:
      return th_payload_decoder_get_uint16 (decoder, "initiatorSessionId",
                                            &request->initiator_session_id, error);
    case REQUEST_TAG_PASSCODE_ID:
      return th_payload_decoder_get_uint16 (decoder, "passcodeId", &request->passcode_id, error);
    case REQUEST_TAG_HAS_PBKDF_PARAMETERS:
      return th_payload_decoder_get_bool (decoder, "hasPBKDFParameters",
                                          &request->has_pbkdf_parameters, error);
    case REQUEST_TAG_SESSION_PARAMETERS:
      request->has_session_parameters = TRUE;
      return th_payload_decoder_get_session_parameters (decoder, "initiatorSessionParams",
                                                        &request->session_parameters, error);
    default:
      return TRUE;
    }
}

gboolean
th_pbkdf_param_request_decode (ThPbkdfParamRequest  *request,
                               const guint8         *data,
                               gsize                 len,
                               GError              **error)
{
  static const ThPayloadField required[] = {
    { REQUEST_TAG_INITIATOR_RANDOM, "initiatorRandom" },
    { REQUEST_TAG_INITIATOR_SESSION_ID, "initiatorSessionId" },
    { REQUEST_TAG_PASSCODE_ID, "passcodeId" },
    { REQUEST_TAG_HAS_PBKDF_PARAMETERS, "hasPBKDFParameters" },
  };
  ThPbkdfParamRequest result = { 0 };

  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (!th_payload_decode (TH_ERROR_PASE_PROTOCOL, "PBKDFParamRequest", data, len, required,
                          G_N_ELEMENTS (required), read_request_member, &result, error))
    return FALSE;
  *request = result;
  return TRUE;
}

GBytes *
th_pbkdf_param_response_encode (const ThPbkdfParamResponse *response)
{
  g_auto(ThTlvWriter) writer = { 0 };

  g_return_val_if_fail (response != NULL, NULL);

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (RESPONSE_TAG_INITIATOR_RANDOM),
                           response->initiator_random, sizeof response->initiator_random);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (RESPONSE_TAG_RESPONDER_RANDOM),
                           response->responder_random, sizeof response->responder_random);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (RESPONSE_TAG_RESPONDER_SESSION_ID),
                          response->responder_session_id);
  if (response->has_pbkdf_parameters)
    {
      const ThPbkdfParameters *pbkdf = &response->pbkdf_parameters;

      g_return_val_if_fail (pbkdf->salt_len <= sizeof pbkdf->salt, NULL);
      th_tlv_writer_start_structure (&writer, TH_TLV_CONTEXT (RESPONSE_TAG_PBKDF_PARAMETERS));
      th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (PBKDF_TAG_ITERATIONS),
                              pbkdf->iterations);
      th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (PBKDF_TAG_SALT), pbkdf->salt,
                               pbkdf->salt_len);
      th_tlv_writer_end_container (&writer);
    }
  if (response->has_session_parameters)
    th_session_parameters_write (&response->session_parameters, &writer,
                                 TH_TLV_CONTEXT (RESPONSE_TAG_SESSION_PARAMETERS));
  return finish_structure (&writer);
}

static gboolean
read_response_member (ThPayloadDecoder  *decoder,
                      guint8     number,
                      gpointer   result,
                      GError   **error)
{
  ThPbkdfParamResponse *response = result;

  switch (number)
    {
    case RESPONSE_TAG_INITIATOR_RANDOM:
      return th_payload_decoder_get_fixed_bytes (decoder, "initiatorRandom",
                                                 response->initiator_random,
                                                 sizeof response->initiator_random, error);
    case RESPONSE_TAG_RESPONDER_RANDOM:
      return th_payload_decoder_get_fixed_bytes (decoder, "responderRandom",
                                                 response->responder_random,
                                                 sizeof response->responder_random, error);
    case RESPONSE_TAG_RESPONDER_SESSION_ID:
      return th_payload_decoder_get_uint16 (decoder, "responderSessionId",
                                            &response->responder_session_id, error);
    case RESPONSE_TAG_PBKDF_PARAMETERS:
      response->has_pbkdf_parameters = TRUE;
      return decoder_get_pbkdf_parameters (decoder, &response->pbkdf_parameters, error);
    case RESPONSE_TAG_SESSION_PARAMETERS:
      response->has_session_parameters = TRUE;
      return th_payload_decoder_get_session_parameters (decoder, "responderSessionParams",
                                                        &response->session_parameters, error);
    default:
      return TRUE;
    }
}

gboolean
th_pbkdf_param_response_decode (ThPbkdfParamResponse  *response,
                                const guint8          *data,
                                gsize                  len,
                                GError               **error)
{
  static const ThPayloadField required[] = {
    { RESPONSE_TAG_INITIATOR_RANDOM, "initiatorRandom" },
    { RESPONSE_TAG_RESPONDER_RANDOM, "responderRandom" },
    { RESPONSE_TAG_RESPONDER_SESSION_ID, "responderSessionId" },
  };
  ThPbkdfParamResponse result = { 0 };

  g_return_val_if_fail (response != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (!th_payload_decode (TH_ERROR_PASE_PROTOCOL, "PBKDFParamResponse", data, len, required,
                          G_N_ELEMENTS (required), read_response_member, &result, error))
    return FALSE;
  *response = result;
  return TRUE;
}

/* Pake1, Pake2 and Pake3: structures of fixed-size byte strings. */
static GBytes *
encode_byte_strings (const guint8 *first,
                     gsize         first_len,
                     const guint8 *second,
                     gsize         second_len)
{
  g_auto(ThTlvWriter) writer = { 0 };

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (1), first, first_len);
  if (second != NULL)
    th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (2), second, second_len);
  return finish_structure (&writer);
}

GBytes *
th_pake1_encode (const ThPake1 *pake1)
{
  g_return_val_if_fail (pake1 != NULL, NULL);

  return encode_byte_strings (pake1->pa, sizeof pake1->pa, NULL, 0);
}

static gboolean
read_pake1_member (ThPayloadDecoder  *decoder,
                   guint8     number,
                   gpointer   result,
                   GError   **error)
{
  ThPake1 *pake1 = result;

  if (number == PAKE1_TAG_PA)
    return th_payload_decoder_get_fixed_bytes (decoder, "pA", pake1->pa, sizeof pake1->pa,
                                               error);
  return TRUE;
}

gboolean
th_pake1_decode (ThPake1       *pake1,
                 const guint8  *data,
                 gsize          len,
                 GError       **error)
{
  static const ThPayloadField required[] = { { PAKE1_TAG_PA, "pA" } };
  ThPake1 result;

  g_return_val_if_fail (pake1 != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (!th_payload_decode (TH_ERROR_PASE_PROTOCOL, "Pake1", data, len, required,
                          G_N_ELEMENTS (required), read_pake1_member, &result, error))
    return FALSE;
  *pake1 = result;
  return TRUE;
}

GBytes *
th_pake2_encode (const ThPake2 *pake2)
{
  g_return_val_if_fail (pake2 != NULL, NULL);

  return encode_byte_strings (pake2->pb, sizeof pake2->pb, pake2->cb, sizeof pake2->cb);
}

static gboolean
read_pake2_member (ThPayloadDecoder  *decoder,
                   guint8     number,
                   gpointer   result,
                   GError   **error)
{
  ThPake2 *pake2 = result;

  if (number == PAKE2_TAG_PB)
    return th_payload_decoder_get_fixed_bytes (decoder, "pB", pake2->pb, sizeof pake2->pb,
                                               error);
  if (number == PAKE2_TAG_CB)
    return th_payload_decoder_get_fixed_bytes (decoder, "cB", pake2->cb, sizeof pake2->cb,
                                               error);
  return TRUE;
}

gboolean
th_pake2_decode (ThPake2       *pake2,
                 const guint8  *data,
                 gsize          len,
                 GError       **error)
{
  static const ThPayloadField required[] = { { PAKE2_TAG_PB, "pB" }, { PAKE2_TAG_CB, "cB" } };
  ThPake2 result;

  g_return_val_if_fail (pake2 != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (!th_payload_decode (TH_ERROR_PASE_PROTOCOL, "Pake2", data, len, required,
                          G_N_ELEMENTS (required), read_pake2_member, &result, error))
    return FALSE;
  *pake2 = result;
  return TRUE;
}

GBytes *
th_pake3_encode (const ThPake3 *pake3)
{
  g_return_val_if_fail (pake3 != NULL, NULL);

  return encode_byte_strings (pake3->ca, sizeof pake3->ca, NULL, 0);
}

static gboolean
read_pake3_member (ThPayloadDecoder  *decoder,
                   guint8     number,
                   gpointer   result,
                   GError   **error)
{
  ThPake3 *pake3 = result;

  if (number == PAKE3_TAG_CA)
    return th_payload_decoder_get_fixed_bytes (decoder, "cA", pake3->ca, sizeof pake3->ca,
                                               error);
  return TRUE;
}

gboolean
th_pake3_decode (ThPake3       *pake3,
                 const guint8  *data,
                 gsize          len,
                 GError       **error)
{
  static const ThPayloadField required[] = { { PAKE3_TAG_CA, "cA" } };
  ThPake3 result;

  g_return_val_if_fail (pake3 != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (!th_payload_decode (TH_ERROR_PASE_PROTOCOL, "Pake3", data, len, required,
                          G_N_ELEMENTS (required), read_pake3_member, &result, error))
    return FALSE;
  *pake3 = result;
  return TRUE;
}
