/* th-case-messages.c: the TLV payloads of CASE (Sigma1, Sigma2, Sigma3) and of what Sigma2
 * and Sigma3 carry encrypted and signed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "credentials/th-certificate.h"
#include "th-case-messages.h"
#include "th-error.h"
#include "th-secure-channel-private.h"

enum
{
  SIGMA1_TAG_INITIATOR_RANDOM = 1,
  SIGMA1_TAG_INITIATOR_SESSION_ID = 2,
  SIGMA1_TAG_DESTINATION_ID = 3,
  SIGMA1_TAG_INITIATOR_EPHEMERAL_KEY = 4,
  SIGMA1_TAG_SESSION_PARAMETERS = 5,
  SIGMA1_TAG_RESUMPTION_ID = 6,
  SIGMA1_TAG_RESUME_MIC = 7,
};

enum
{
  SIGMA2_TAG_RESPONDER_RANDOM = 1,
  SIGMA2_TAG_RESPONDER_SESSION_ID = 2,
  SIGMA2_TAG_RESPONDER_EPHEMERAL_KEY = 3,
  SIGMA2_TAG_ENCRYPTED = 4,
  SIGMA2_TAG_SESSION_PARAMETERS = 5,
};

enum
{
  SIGMA3_TAG_ENCRYPTED = 1,
};

/* Shared by TBEData2/3 and TBSData2/3. */
enum
{
  TBE_TAG_NOC = 1,
  TBE_TAG_ICAC = 2,
  TBE_TAG_SIGNATURE = 3,
  TBE_TAG_RESUMPTION_ID = 4,
};

enum
{
  TBS_TAG_NOC = 1,
  TBS_TAG_ICAC = 2,
  TBS_TAG_SENDER_KEY = 3,
  TBS_TAG_RECEIVER_KEY = 4,
};

static GBytes *
finish_structure (ThTlvWriter *writer)
{
  th_tlv_writer_end_container (writer);
  return th_tlv_writer_finish (writer);
}

/* Sigma1 */

GBytes *
th_case_sigma1_encode (const ThCaseSigma1 *sigma1)
{
  g_auto(ThTlvWriter) writer = { 0 };

  g_return_val_if_fail (sigma1 != NULL, NULL);

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (SIGMA1_TAG_INITIATOR_RANDOM),
                           sigma1->initiator_random, sizeof sigma1->initiator_random);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (SIGMA1_TAG_INITIATOR_SESSION_ID),
                          sigma1->initiator_session_id);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (SIGMA1_TAG_DESTINATION_ID),
                           sigma1->destination_id, sizeof sigma1->destination_id);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (SIGMA1_TAG_INITIATOR_EPHEMERAL_KEY),
                           sigma1->initiator_ephemeral_key,
                           sizeof sigma1->initiator_ephemeral_key);
  if (sigma1->has_session_parameters)
    th_session_parameters_write (&sigma1->session_parameters, &writer,
                                 TH_TLV_CONTEXT (SIGMA1_TAG_SESSION_PARAMETERS));
  if (sigma1->has_resumption)
    {
      th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (SIGMA1_TAG_RESUMPTION_ID),
                               sigma1->resumption_id, sizeof sigma1->resumption_id);
      th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (SIGMA1_TAG_RESUME_MIC),
                               sigma1->initiator_resume_mic,
                               sizeof sigma1->initiator_resume_mic);
    }
  return finish_structure (&writer);
}

static gboolean
read_sigma1_member (ThPayloadDecoder  *decoder,
                    guint8             number,
                    gpointer           result,
                    GError           **error)
{
  ThCaseSigma1 *sigma1 = result;

  switch (number)
    {
    case SIGMA1_TAG_INITIATOR_RANDOM:
      return th_payload_decoder_get_fixed_bytes (decoder, "initiatorRandom",
                                                 sigma1->initiator_random,
                                                 sizeof sigma1->initiator_random, error);
    case SIGMA1_TAG_INITIATOR_SESSION_ID:
      return th_payload_decoder_get_uint16 (decoder, "initiatorSessionId",
                                            &sigma1->initiator_session_id, error);
    case SIGMA1_TAG_DESTINATION_ID:
      return th_payload_decoder_get_fixed_bytes (decoder, "destinationId",
                                                 sigma1->destination_id,
                                                 sizeof sigma1->destination_id, error);
    case SIGMA1_TAG_INITIATOR_EPHEMERAL_KEY:
      return th_payload_decoder_get_fixed_bytes (decoder, "initiatorEphPubKey",
                                                 sigma1->initiator_ephemeral_key,
                                                 sizeof sigma1->initiator_ephemeral_key, error);
    case SIGMA1_TAG_SESSION_PARAMETERS:
      sigma1->has_session_parameters = TRUE;
      return th_payload_decoder_get_session_parameters (decoder, "initiatorSessionParams",
                                                        &sigma1->session_parameters, error);
    case SIGMA1_TAG_RESUMPTION_ID:
      return th_payload_decoder_get_fixed_bytes (decoder, "resumptionID",
                                                 sigma1->resumption_id,
                                                 sizeof sigma1->resumption_id, error);
    case SIGMA1_TAG_RESUME_MIC:
      return th_payload_decoder_get_fixed_bytes (decoder, "initiatorResumeMIC",
                                                 sigma1->initiator_resume_mic,
                                                 sizeof sigma1->initiator_resume_mic, error);
    default:
      return TRUE;
    }
}

/* Which of the two resumption members came, as they must come together. */
typedef struct
{
  ThCaseSigma1 sigma1;
  gboolean has_resumption_id;
  gboolean has_resume_mic;
} Sigma1Result;

static gboolean
read_sigma1_result_member (ThPayloadDecoder  *decoder,
                           guint8             number,
                           gpointer           result,
                           GError           **error)
{
  Sigma1Result *sigma1_result = result;

  if (number == SIGMA1_TAG_RESUMPTION_ID)
    sigma1_result->has_resumption_id = TRUE;
  else if (number == SIGMA1_TAG_RESUME_MIC)
    sigma1_result->has_resume_mic = TRUE;
  return read_sigma1_member (decoder, number, &sigma1_result->sigma1, error);
}

gboolean
th_case_sigma1_decode (ThCaseSigma1  *sigma1,
                       const guint8  *data,
                       gsize          len,
                       GError       **error)
{
  static const ThPayloadField required[] = {
    { SIGMA1_TAG_INITIATOR_RANDOM, "initiatorRandom" },
    { SIGMA1_TAG_INITIATOR_SESSION_ID, "initiatorSessionId" },
    { SIGMA1_TAG_DESTINATION_ID, "destinationId" },
    { SIGMA1_TAG_INITIATOR_EPHEMERAL_KEY, "initiatorEphPubKey" },
  };
  Sigma1Result result = { 0 };

  g_return_val_if_fail (sigma1 != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (!th_payload_decode (TH_ERROR_CASE_PROTOCOL, "Sigma1", data, len, required,
                          G_N_ELEMENTS (required), read_sigma1_result_member, &result, error))
    return FALSE;
  if (result.has_resumption_id != result.has_resume_mic)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CASE_PROTOCOL,
                           _("The Sigma1 message has only one of resumptionID and "
                             "initiatorResumeMIC, which go together"));
      return FALSE;
    }
  result.sigma1.has_resumption = result.has_resumption_id;
  *sigma1 = result.sigma1;
  return TRUE;
}

/* Sigma2 */

GBytes *
th_case_sigma2_encode (const ThCaseSigma2 *sigma2)
{
  g_auto(ThTlvWriter) writer = { 0 };

  g_return_val_if_fail (sigma2 != NULL, NULL);
  g_return_val_if_fail (sigma2->encrypted != NULL, NULL);

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (SIGMA2_TAG_RESPONDER_RANDOM),
                           sigma2->responder_random, sizeof sigma2->responder_random);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (SIGMA2_TAG_RESPONDER_SESSION_ID),
                          sigma2->responder_session_id);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (SIGMA2_TAG_RESPONDER_EPHEMERAL_KEY),
                           sigma2->responder_ephemeral_key,
                           sizeof sigma2->responder_ephemeral_key);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (SIGMA2_TAG_ENCRYPTED), sigma2->encrypted,
                           sigma2->encrypted_len);
  if (sigma2->has_session_parameters)
    th_session_parameters_write (&sigma2->session_parameters, &writer,
                                 TH_TLV_CONTEXT (SIGMA2_TAG_SESSION_PARAMETERS));
  return finish_structure (&writer);
}

static gboolean
read_sigma2_member (ThPayloadDecoder  *decoder,
                    guint8             number,
                    gpointer           result,
                    GError           **error)
{
  ThCaseSigma2 *sigma2 = result;

  switch (number)
    {
    case SIGMA2_TAG_RESPONDER_RANDOM:
      return th_payload_decoder_get_fixed_bytes (decoder, "responderRandom",
                                                 sigma2->responder_random,
                                                 sizeof sigma2->responder_random, error);
    case SIGMA2_TAG_RESPONDER_SESSION_ID:
      return th_payload_decoder_get_uint16 (decoder, "responderSessionId",
                                            &sigma2->responder_session_id, error);
    case SIGMA2_TAG_RESPONDER_EPHEMERAL_KEY:
      return th_payload_decoder_get_fixed_bytes (decoder, "responderEphPubKey",
                                                 sigma2->responder_ephemeral_key,
                                                 sizeof sigma2->responder_ephemeral_key, error);
    case SIGMA2_TAG_ENCRYPTED:
      return th_payload_decoder_get_bytes (decoder, "encrypted2", TH_CASE_MIC_LEN + 1,
                                           TH_CASE_MAX_ENCRYPTED_LEN, &sigma2->encrypted,
                                           &sigma2->encrypted_len, error);
    case SIGMA2_TAG_SESSION_PARAMETERS:
      sigma2->has_session_parameters = TRUE;
      return th_payload_decoder_get_session_parameters (decoder, "responderSessionParams",
                                                        &sigma2->session_parameters, error);
    default:
      return TRUE;
    }
}

gboolean
th_case_sigma2_decode (ThCaseSigma2  *sigma2,
                       const guint8  *data,
                       gsize          len,
                       GError       **error)
{
  static const ThPayloadField required[] = {
    { SIGMA2_TAG_RESPONDER_RANDOM, "responderRandom" },
    { SIGMA2_TAG_RESPONDER_SESSION_ID, "responderSessionId" },
    { SIGMA2_TAG_RESPONDER_EPHEMERAL_KEY, "responderEphPubKey" },
    { SIGMA2_TAG_ENCRYPTED, "encrypted2" },
  };
  ThCaseSigma2 result = { 0 };

  g_return_val_if_fail (sigma2 != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (!th_payload_decode (TH_ERROR_CASE_PROTOCOL, "Sigma2", data, len, required,
                          G_N_ELEMENTS (required), read_sigma2_member, &result, error))
    return FALSE;
  *sigma2 = result;
  return TRUE;
}

/* Sigma3 */

GBytes *
th_case_sigma3_encode (const ThCaseSigma3 *sigma3)
{
  g_auto(ThTlvWriter) writer = { 0 };

  g_return_val_if_fail (sigma3 != NULL, NULL);
  g_return_val_if_fail (sigma3->encrypted != NULL, NULL);

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (SIGMA3_TAG_ENCRYPTED), sigma3->encrypted,
                           sigma3->encrypted_len);
  return finish_structure (&writer);
}

static gboolean
read_sigma3_member (ThPayloadDecoder  *decoder,
                    guint8             number,
                    gpointer           result,
                    GError           **error)
{
  ThCaseSigma3 *sigma3 = result;

  if (number == SIGMA3_TAG_ENCRYPTED)
    return th_payload_decoder_get_bytes (decoder, "encrypted3", TH_CASE_MIC_LEN + 1,
                                         TH_CASE_MAX_ENCRYPTED_LEN, &sigma3->encrypted,
                                         &sigma3->encrypted_len, error);
  return TRUE;
}

gboolean
th_case_sigma3_decode (ThCaseSigma3  *sigma3,
                       const guint8  *data,
                       gsize          len,
                       GError       **error)
{
  static const ThPayloadField required[] = { { SIGMA3_TAG_ENCRYPTED, "encrypted3" } };
  ThCaseSigma3 result = { 0 };

  g_return_val_if_fail (sigma3 != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (!th_payload_decode (TH_ERROR_CASE_PROTOCOL, "Sigma3", data, len, required,
                          G_N_ELEMENTS (required), read_sigma3_member, &result, error))
    return FALSE;
  *sigma3 = result;
  return TRUE;
}

/* TBEData2 and TBEData3: the same members but the resumption id, with the sender named as
 * the specification does. */

typedef struct
{
  ThCaseTbeData tbe;
  gboolean with_resumption_id;
  const char *noc_name;
  const char *icac_name;
} TbeResult;

static GBytes *
encode_tbe_data (const ThCaseTbeData *tbe,
                 gboolean             with_resumption_id)
{
  g_auto(ThTlvWriter) writer = { 0 };

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (TBE_TAG_NOC), tbe->noc, tbe->noc_len);
  if (tbe->icac != NULL)
    th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (TBE_TAG_ICAC), tbe->icac, tbe->icac_len);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (TBE_TAG_SIGNATURE), tbe->signature,
                           sizeof tbe->signature);
  if (with_resumption_id)
    th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (TBE_TAG_RESUMPTION_ID),
                             tbe->resumption_id, sizeof tbe->resumption_id);
  return finish_structure (&writer);
}

static gboolean
read_tbe_member (ThPayloadDecoder  *decoder,
                 guint8             number,
                 gpointer           result,
                 GError           **error)
{
  TbeResult *tbe_result = result;
  ThCaseTbeData *tbe = &tbe_result->tbe;

  switch (number)
    {
    case TBE_TAG_NOC:
      return th_payload_decoder_get_bytes (decoder, tbe_result->noc_name, 1,
                                           TH_CERTIFICATE_MAX_TLV_LEN, &tbe->noc, &tbe->noc_len,
                                           error);
    case TBE_TAG_ICAC:
      return th_payload_decoder_get_bytes (decoder, tbe_result->icac_name, 1,
                                           TH_CERTIFICATE_MAX_TLV_LEN, &tbe->icac,
                                           &tbe->icac_len, error);
    case TBE_TAG_SIGNATURE:
      return th_payload_decoder_get_fixed_bytes (decoder, "signature", tbe->signature,
                                                 sizeof tbe->signature, error);
    case TBE_TAG_RESUMPTION_ID:
      /* In TBEData3 it is an unknown member, skipped like others. */
      if (!tbe_result->with_resumption_id)
        return TRUE;
      return th_payload_decoder_get_fixed_bytes (decoder, "resumptionID", tbe->resumption_id,
                                                 sizeof tbe->resumption_id, error);
    default:
      return TRUE;
    }
}

GBytes *
th_case_tbe_data2_encode (const ThCaseTbeData *tbe)
{
  g_return_val_if_fail (tbe != NULL && tbe->noc != NULL, NULL);

  return encode_tbe_data (tbe, TRUE);
}

gboolean
th_case_tbe_data2_decode (ThCaseTbeData  *tbe,
                          const guint8   *data,
                          gsize           len,
                          GError        **error)
{
  static const ThPayloadField required[] = {
    { TBE_TAG_NOC, "responderNOC" },
    { TBE_TAG_SIGNATURE, "signature" },
    { TBE_TAG_RESUMPTION_ID, "resumptionID" },
  };
  TbeResult result = { { 0 }, TRUE, "responderNOC", "responderICAC" };

  g_return_val_if_fail (tbe != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (!th_payload_decode (TH_ERROR_CASE_PROTOCOL, "TBEData2", data, len, required,
                          G_N_ELEMENTS (required), read_tbe_member, &result, error))
    return FALSE;
  *tbe = result.tbe;
  return TRUE;
}

GBytes *
th_case_tbe_data3_encode (const ThCaseTbeData *tbe)
{
  g_return_val_if_fail (tbe != NULL && tbe->noc != NULL, NULL);

  return encode_tbe_data (tbe, FALSE);
}

gboolean
th_case_tbe_data3_decode (ThCaseTbeData  *tbe,
                          const guint8   *data,
                          gsize           len,
                          GError        **error)
{
  static const ThPayloadField required[] = {
    { TBE_TAG_NOC, "initiatorNOC" },
    { TBE_TAG_SIGNATURE, "signature" },
  };
  TbeResult result = { { 0 }, FALSE, "initiatorNOC", "initiatorICAC" };

  g_return_val_if_fail (tbe != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (!th_payload_decode (TH_ERROR_CASE_PROTOCOL, "TBEData3", data, len, required,
                          G_N_ELEMENTS (required), read_tbe_member, &result, error))
    return FALSE;
  *tbe = result.tbe;
  return TRUE;
}

GBytes *
th_case_tbs_data_encode (const guint8 *noc,
                         gsize         noc_len,
                         const guint8 *icac,
                         gsize         icac_len,
                         const guint8  sender_key[TH_P256_PUBLIC_KEY_LEN],
                         const guint8  receiver_key[TH_P256_PUBLIC_KEY_LEN])
{
  g_auto(ThTlvWriter) writer = { 0 };

  g_return_val_if_fail (noc != NULL, NULL);
  g_return_val_if_fail (sender_key != NULL && receiver_key != NULL, NULL);

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (TBS_TAG_NOC), noc, noc_len);
  if (icac != NULL)
    th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (TBS_TAG_ICAC), icac, icac_len);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (TBS_TAG_SENDER_KEY), sender_key,
                           TH_P256_PUBLIC_KEY_LEN);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (TBS_TAG_RECEIVER_KEY), receiver_key,
                           TH_P256_PUBLIC_KEY_LEN);
  return finish_structure (&writer);
}
