/* th-clusters.c: command codecs of the clusters the commissioner uses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "im/th-im-fields.h"
#include "th-clusters.h"
#include "th-error.h"
#include "tlv/th-tlv.h"

/* Longest debug text kept from a response; Network Commissioning allows the most. */
#define DEBUG_TEXT_MAX_LEN 512

/* Encoding */

static void
start_fields (ThTlvWriter *writer)
{
  th_tlv_writer_init (writer);
  th_tlv_writer_start_structure (writer, TH_TLV_ANONYMOUS);
}

static GBytes *
finish_fields (ThTlvWriter *writer)
{
  th_tlv_writer_end_container (writer);
  return th_tlv_writer_finish (writer);
}

/* A secret byte string: the writer only ever sees zeros of the same length in its place, so
 * that the secret is not left behind in memory the writer reallocated. */
typedef struct
{
  guint8 tag;
  const guint8 *data;
  gsize len;
} Secret;

static void
put_placeholder (ThTlvWriter  *writer,
                 const Secret *secret)
{
  g_autofree guint8 *zeros = g_malloc0 (MAX (secret->len, 1));

  th_tlv_writer_put_bytes (writer, TH_TLV_CONTEXT (secret->tag), zeros, secret->len);
}

/* Copies the finished fields into wiped memory and the secrets over their placeholders. */
static GBytes *
finish_fields_with_secrets (ThTlvWriter  *writer,
                            const Secret *secrets,
                            gsize         n_secrets)
{
  const guint8 *skeleton;
  gsize len;
  guint8 *out;
  g_autoptr(GBytes) bytes = NULL;
  ThTlvReader reader;
  ThImFields fields;
  guint8 tag;

  th_tlv_writer_end_container (writer);
  skeleton = th_tlv_writer_peek (writer, &len);
  bytes = th_im_wiped_bytes_new (len, &out);
  memcpy (out, skeleton, len);

  /* the skeleton was just written, so reading it back cannot fail */
  if (!th_im_fields_open (&fields, &reader, out, len, "command fields", NULL))
    g_return_val_if_reached (NULL);
  while (th_im_fields_next (&fields, &tag, NULL))
    {
      for (gsize i = 0; i < n_secrets; i++)
        {
          const guint8 *placeholder;
          gsize placeholder_len;

          if (secrets[i].tag != tag)
            continue;
          if (!th_im_fields_get_bytes (&fields, secrets[i].len, secrets[i].len, &placeholder,
                                       &placeholder_len, NULL))
            g_return_val_if_reached (NULL);
          if (secrets[i].len > 0)
            memcpy (out + (placeholder - out), secrets[i].data, secrets[i].len);
        }
    }
  return g_steal_pointer (&bytes);
}

GBytes *
th_general_commissioning_encode_arm_fail_safe (guint16 expiry_seconds,
                                               guint64 breadcrumb)
{
  g_auto(ThTlvWriter) writer = { 0 };

  start_fields (&writer);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0), expiry_seconds);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (1), breadcrumb);
  return finish_fields (&writer);
}

GBytes *
th_general_commissioning_encode_set_regulatory_config (ThRegulatoryLocation  location,
                                                       const char           *country_code,
                                                       guint64               breadcrumb)
{
  g_auto(ThTlvWriter) writer = { 0 };

  g_return_val_if_fail (location <= TH_REGULATORY_LOCATION_INDOOR_OUTDOOR, NULL);
  g_return_val_if_fail (country_code != NULL && strlen (country_code) == 2
                        && g_ascii_isalpha (country_code[0])
                        && g_ascii_isalpha (country_code[1]), NULL);

  start_fields (&writer);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0), location);
  th_tlv_writer_put_string (&writer, TH_TLV_CONTEXT (1), country_code, 2);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (2), breadcrumb);
  return finish_fields (&writer);
}

GBytes *
th_operational_credentials_encode_attestation_request (
  const guint8 nonce[TH_ATTESTATION_NONCE_LEN])
{
  g_auto(ThTlvWriter) writer = { 0 };

  g_return_val_if_fail (nonce != NULL, NULL);

  start_fields (&writer);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (0), nonce, TH_ATTESTATION_NONCE_LEN);
  return finish_fields (&writer);
}

GBytes *
th_operational_credentials_encode_certificate_chain_request (ThCertificateChainType type)
{
  g_auto(ThTlvWriter) writer = { 0 };

  g_return_val_if_fail (type == TH_CERTIFICATE_CHAIN_DAC || type == TH_CERTIFICATE_CHAIN_PAI,
                        NULL);

  start_fields (&writer);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0), type);
  return finish_fields (&writer);
}

GBytes *
th_operational_credentials_encode_csr_request (const guint8 nonce[TH_CSR_NONCE_LEN],
                                               gboolean     for_update_noc)
{
  g_auto(ThTlvWriter) writer = { 0 };

  g_return_val_if_fail (nonce != NULL, NULL);

  start_fields (&writer);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (0), nonce, TH_CSR_NONCE_LEN);
  /* optional, false by default: sent only when true */
  if (for_update_noc)
    th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (1), TRUE);
  return finish_fields (&writer);
}

GBytes *
th_operational_credentials_encode_add_trusted_root_certificate (GBytes *root_certificate)
{
  g_auto(ThTlvWriter) writer = { 0 };
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (root_certificate != NULL, NULL);
  data = g_bytes_get_data (root_certificate, &len);
  g_return_val_if_fail (len > 0 && len <= TH_OPERATIONAL_CERTIFICATE_MAX_LEN, NULL);

  start_fields (&writer);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (0), data, len);
  return finish_fields (&writer);
}

GBytes *
th_operational_credentials_encode_add_noc (GBytes       *noc,
                                           GBytes       *icac,
                                           const guint8  ipk[TH_IPK_LEN],
                                           guint64       case_admin_subject,
                                           guint16       admin_vendor_id)
{
  g_auto(ThTlvWriter) writer = { 0 };
  const Secret secret = { 2, ipk, TH_IPK_LEN };
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (noc != NULL, NULL);
  g_return_val_if_fail (g_bytes_get_size (noc) > 0
                        && g_bytes_get_size (noc) <= TH_OPERATIONAL_CERTIFICATE_MAX_LEN, NULL);
  g_return_val_if_fail (icac == NULL || (g_bytes_get_size (icac) > 0
                        && g_bytes_get_size (icac) <= TH_OPERATIONAL_CERTIFICATE_MAX_LEN), NULL);
  g_return_val_if_fail (ipk != NULL, NULL);

  start_fields (&writer);
  data = g_bytes_get_data (noc, &len);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (0), data, len);
  if (icac != NULL)
    {
      data = g_bytes_get_data (icac, &len);
      th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (1), data, len);
    }
  put_placeholder (&writer, &secret);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (3), case_admin_subject);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (4), admin_vendor_id);
  return finish_fields_with_secrets (&writer, &secret, 1);
}

GBytes *
th_operational_credentials_encode_update_fabric_label (const char *label)
{
  g_auto(ThTlvWriter) writer = { 0 };

  g_return_val_if_fail (label != NULL, NULL);
  g_return_val_if_fail (strlen (label) <= TH_FABRIC_LABEL_MAX_LEN, NULL);
  g_return_val_if_fail (g_utf8_validate (label, -1, NULL), NULL);

  start_fields (&writer);
  th_tlv_writer_put_string (&writer, TH_TLV_CONTEXT (0), label, -1);
  return finish_fields (&writer);
}

GBytes *
th_operational_credentials_encode_remove_fabric (guint8 fabric_index)
{
  g_auto(ThTlvWriter) writer = { 0 };

  g_return_val_if_fail (fabric_index >= 1 && fabric_index <= 254, NULL);

  start_fields (&writer);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0), fabric_index);
  return finish_fields (&writer);
}

GBytes *
th_network_commissioning_encode_add_or_update_wifi_network (const guint8 *ssid,
                                                            gsize         ssid_len,
                                                            const guint8 *credentials,
                                                            gsize         credentials_len,
                                                            guint64       breadcrumb)
{
  g_auto(ThTlvWriter) writer = { 0 };
  const Secret secret = { 1, credentials, credentials_len };

  g_return_val_if_fail (ssid != NULL && ssid_len > 0 && ssid_len <= 32, NULL);
  g_return_val_if_fail (credentials != NULL || credentials_len == 0, NULL);
  g_return_val_if_fail (credentials_len <= 64, NULL);

  start_fields (&writer);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (0), ssid, ssid_len);
  put_placeholder (&writer, &secret);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (2), breadcrumb);
  return finish_fields_with_secrets (&writer, &secret, 1);
}

GBytes *
th_network_commissioning_encode_add_or_update_thread_network (const guint8 *dataset,
                                                              gsize         dataset_len,
                                                              guint64       breadcrumb)
{
  g_auto(ThTlvWriter) writer = { 0 };
  /* the operational dataset holds the Thread network key */
  const Secret secret = { 0, dataset, dataset_len };

  g_return_val_if_fail (dataset != NULL && dataset_len > 0 && dataset_len <= 254, NULL);

  start_fields (&writer);
  put_placeholder (&writer, &secret);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (1), breadcrumb);
  return finish_fields_with_secrets (&writer, &secret, 1);
}

GBytes *
th_network_commissioning_encode_scan_networks (const guint8 *ssid,
                                               gsize         ssid_len,
                                               guint64       breadcrumb)
{
  g_auto(ThTlvWriter) writer = { 0 };

  g_return_val_if_fail (ssid == NULL || (ssid_len > 0 && ssid_len <= 32), NULL);

  start_fields (&writer);
  if (ssid != NULL)
    th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (0), ssid, ssid_len);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (1), breadcrumb);
  return finish_fields (&writer);
}

GBytes *
th_network_commissioning_encode_connect_network (const guint8 *network_id,
                                                 gsize         network_id_len,
                                                 guint64       breadcrumb)
{
  g_auto(ThTlvWriter) writer = { 0 };

  g_return_val_if_fail (network_id != NULL && network_id_len >= 1 && network_id_len <= 32, NULL);

  start_fields (&writer);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (0), network_id, network_id_len);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (1), breadcrumb);
  return finish_fields (&writer);
}

GBytes *
th_administrator_commissioning_encode_open_commissioning_window (
  guint16       timeout_seconds,
  const guint8  verifier[TH_PAKE_VERIFIER_LEN],
  guint16       discriminator,
  guint32       iterations,
  const guint8 *salt,
  gsize         salt_len)
{
  g_auto(ThTlvWriter) writer = { 0 };
  const Secret secret = { 1, verifier, TH_PAKE_VERIFIER_LEN };

  g_return_val_if_fail (verifier != NULL, NULL);
  g_return_val_if_fail (discriminator <= 0xFFF, NULL);
  g_return_val_if_fail (iterations >= 1000 && iterations <= 100000, NULL);
  g_return_val_if_fail (salt != NULL && salt_len >= 16 && salt_len <= 32, NULL);

  start_fields (&writer);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0), timeout_seconds);
  put_placeholder (&writer, &secret);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (2), discriminator);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (3), iterations);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (4), salt, salt_len);
  return finish_fields_with_secrets (&writer, &secret, 1);
}

GBytes *
th_administrator_commissioning_encode_open_basic_commissioning_window (guint16 timeout_seconds)
{
  g_auto(ThTlvWriter) writer = { 0 };

  start_fields (&writer);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0), timeout_seconds);
  return finish_fields (&writer);
}

GBytes *
th_identify_encode_identify (guint16 identify_time_seconds)
{
  g_auto(ThTlvWriter) writer = { 0 };

  start_fields (&writer);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0), identify_time_seconds);
  return finish_fields (&writer);
}

GBytes *
th_time_synchronization_encode_set_utc_time (guint64           utc_time_us,
                                             ThTimeGranularity granularity)
{
  g_auto(ThTlvWriter) writer = { 0 };

  g_return_val_if_fail (granularity <= TH_TIME_GRANULARITY_MICROSECONDS, NULL);

  start_fields (&writer);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0), utc_time_us);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (1), granularity);
  return finish_fields (&writer);
}

/* Decoding */

static gboolean
finish_decode (ThImFields *fields,
               GError     *local,
               GError    **error)
{
  if (local != NULL)
    {
      th_im_fields_propagate (fields->what, error, local);
      return FALSE;
    }
  return TRUE;
}

gboolean
th_commissioning_response_decode (const guint8            *data,
                                  gsize                    len,
                                  const char              *name,
                                  ThCommissioningResponse *response,
                                  GError                 **error)
{
  ThTlvReader reader;
  ThImFields fields;
  guint8 tag;
  guint64 v;
  GError *local = NULL;

  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (response != NULL, FALSE);

  memset (response, 0, sizeof *response);
  if (!th_im_fields_open (&fields, &reader, data, len, name, error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case 0:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT8, &v, &local))
            goto fail;
          response->error_code = (guint8) v;
          break;
        case 1:
          if (!th_im_fields_dup_string (&fields, DEBUG_TEXT_MAX_LEN, &response->debug_text,
                                        &local))
            goto fail;
          break;
        default:
          break;
        }
    }
  if (local == NULL)
    th_im_fields_require (&fields, 0, "ErrorCode", &local);

fail:
  if (finish_decode (&fields, local, error))
    return TRUE;
  th_commissioning_response_clear (response);
  return FALSE;
}

void
th_commissioning_response_clear (ThCommissioningResponse *response)
{
  g_clear_pointer (&response->debug_text, g_free);
  response->error_code = 0;
}

/* "The device refused <name>: <sentence>", with the device's own words when it sent some */
static void
set_refused_error (GError     **error,
                   const char  *name,
                   const char  *sentence,
                   const char  *debug_text)
{
  if (debug_text != NULL && debug_text[0] != '\0')
    g_set_error (error, TH_ERROR, TH_ERROR_IM_COMMAND_FAILED,
                 _("The device refused %s: %s It says: “%s”"), name, sentence, debug_text);
  else
    g_set_error (error, TH_ERROR, TH_ERROR_IM_COMMAND_FAILED,
                 _("The device refused %s: %s"), name, sentence);
}

char *
th_commissioning_error_describe (guint8 error_code)
{
  switch ((ThCommissioningError) error_code)
    {
    case TH_COMMISSIONING_ERROR_OK:
      return g_strdup (_("There was no error."));
    case TH_COMMISSIONING_ERROR_VALUE_OUTSIDE_RANGE:
      return g_strdup (_("The device has no configuration for the region or the indoor or "
                         "outdoor setting it was given."));
    case TH_COMMISSIONING_ERROR_INVALID_AUTHENTICATION:
      return g_strdup (_("The command arrived over a session the device does not accept for "
                         "it; commissioning must be completed over a secure operational "
                         "session."));
    case TH_COMMISSIONING_ERROR_NO_FAIL_SAFE:
      return g_strdup (_("The fail-safe timer is not armed, probably because it expired; "
                         "start the commissioning again."));
    case TH_COMMISSIONING_ERROR_BUSY_WITH_OTHER_ADMIN:
      return g_strdup (_("Another administrator is commissioning the device at the moment; "
                         "wait until it is done and try again."));
    case TH_COMMISSIONING_ERROR_REQUIRED_TC_NOT_ACCEPTED:
      return g_strdup (_("Terms and conditions the device requires have not been accepted."));
    case TH_COMMISSIONING_ERROR_TC_ACKNOWLEDGEMENTS_NOT_RECEIVED:
      return g_strdup (_("The device has not received the acceptance of its terms and "
                         "conditions."));
    case TH_COMMISSIONING_ERROR_TC_MIN_VERSION_NOT_MET:
      return g_strdup (_("The accepted version of the terms and conditions is older than the "
                         "device requires."));
    default:
      return g_strdup_printf (_("The device reported a commissioning error this application "
                                "does not know, %u."), error_code);
    }
}

gboolean
th_commissioning_response_check (const ThCommissioningResponse *response,
                                 const char                    *name,
                                 GError                       **error)
{
  g_autofree char *sentence = NULL;

  g_return_val_if_fail (response != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (response->error_code == TH_COMMISSIONING_ERROR_OK)
    return TRUE;
  sentence = th_commissioning_error_describe (response->error_code);
  set_refused_error (error, name, sentence, response->debug_text);
  return FALSE;
}

/* AttestationResponse and CSRResponse: elements (0) and a signature (1) */
static gboolean
decode_signed_elements (const guint8     *data,
                        gsize             len,
                        const char       *name,
                        gsize             max_elements_len,
                        ThSignedElements *response,
                        GError          **error)
{
  ThTlvReader reader;
  ThImFields fields;
  guint8 tag;
  gsize signature_len;
  GError *local = NULL;

  memset (response, 0, sizeof *response);
  if (!th_im_fields_open (&fields, &reader, data, len, name, error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case 0:
          if (!th_im_fields_get_bytes (&fields, 1, max_elements_len, &response->elements,
                                       &response->elements_len, &local))
            goto fail;
          break;
        case 1:
          if (!th_im_fields_get_bytes (&fields, TH_ATTESTATION_SIGNATURE_LEN,
                                       TH_ATTESTATION_SIGNATURE_LEN, &response->signature,
                                       &signature_len, &local))
            goto fail;
          break;
        default:
          break;
        }
    }
  if (local == NULL && th_im_fields_require (&fields, 0, "Elements", &local))
    th_im_fields_require (&fields, 1, "AttestationSignature", &local);

fail:
  if (finish_decode (&fields, local, error))
    return TRUE;
  memset (response, 0, sizeof *response);
  return FALSE;
}

gboolean
th_operational_credentials_decode_attestation_response (const guint8      *fields,
                                                        gsize              fields_len,
                                                        ThSignedElements  *response,
                                                        GError           **error)
{
  g_return_val_if_fail (fields != NULL, FALSE);
  g_return_val_if_fail (response != NULL, FALSE);

  return decode_signed_elements (fields, fields_len, "AttestationResponse",
                                 TH_ATTESTATION_ELEMENTS_MAX_LEN, response, error);
}

gboolean
th_operational_credentials_decode_csr_response (const guint8      *fields,
                                                gsize              fields_len,
                                                ThSignedElements  *response,
                                                GError           **error)
{
  g_return_val_if_fail (fields != NULL, FALSE);
  g_return_val_if_fail (response != NULL, FALSE);

  return decode_signed_elements (fields, fields_len, "CSRResponse", TH_NOCSR_ELEMENTS_MAX_LEN,
                                 response, error);
}

gboolean
th_operational_credentials_decode_certificate_chain_response (const guint8   *data,
                                                              gsize           len,
                                                              const guint8  **certificate,
                                                              gsize          *certificate_len,
                                                              GError        **error)
{
  ThTlvReader reader;
  ThImFields fields;
  guint8 tag;
  const guint8 *cert = NULL;
  gsize cert_len = 0;
  GError *local = NULL;

  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (certificate != NULL && certificate_len != NULL, FALSE);

  if (!th_im_fields_open (&fields, &reader, data, len, "CertificateChainResponse", error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      if (tag == 0 && !th_im_fields_get_bytes (&fields, 1, TH_DEVICE_CERTIFICATE_MAX_LEN, &cert,
                                               &cert_len, &local))
        break;
    }
  if (local == NULL)
    th_im_fields_require (&fields, 0, "Certificate", &local);
  if (!finish_decode (&fields, local, error))
    return FALSE;
  *certificate = cert;
  *certificate_len = cert_len;
  return TRUE;
}

gboolean
th_noc_response_decode (const guint8   *data,
                        gsize           len,
                        ThNocResponse  *response,
                        GError        **error)
{
  ThTlvReader reader;
  ThImFields fields;
  guint8 tag;
  guint64 v;
  GError *local = NULL;

  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (response != NULL, FALSE);

  memset (response, 0, sizeof *response);
  if (!th_im_fields_open (&fields, &reader, data, len, "NOCResponse", error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case 0:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT8, &v, &local))
            goto fail;
          response->status = (guint8) v;
          break;
        case 1:
          /* fabric indexes run from 1 to 254 */
          if (!th_im_fields_get_uint (&fields, 254, &v, &local))
            goto fail;
          if (v == 0)
            {
              g_set_error (&local, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                           _("The NOCResponse is malformed: its fabric index is 0"));
              goto fail;
            }
          response->has_fabric_index = TRUE;
          response->fabric_index = (guint8) v;
          break;
        case 2:
          if (!th_im_fields_dup_string (&fields, DEBUG_TEXT_MAX_LEN, &response->debug_text,
                                        &local))
            goto fail;
          break;
        default:
          break;
        }
    }
  if (local == NULL)
    th_im_fields_require (&fields, 0, "StatusCode", &local);

fail:
  if (finish_decode (&fields, local, error))
    return TRUE;
  th_noc_response_clear (response);
  return FALSE;
}

void
th_noc_response_clear (ThNocResponse *response)
{
  g_clear_pointer (&response->debug_text, g_free);
  memset (response, 0, sizeof *response);
}

char *
th_noc_status_describe (guint8 status)
{
  switch ((ThNocStatus) status)
    {
    case TH_NOC_STATUS_OK:
      return g_strdup (_("The device accepted the operational credentials."));
    case TH_NOC_STATUS_INVALID_PUBLIC_KEY:
      return g_strdup (_("The public key in the operational certificate does not match the "
                         "key the device asked to have certified."));
    case TH_NOC_STATUS_INVALID_NODE_OP_ID:
      return g_strdup (_("The node id or fabric id in the operational certificate is not "
                         "valid."));
    case TH_NOC_STATUS_INVALID_NOC:
      return g_strdup (_("The operational certificate is not valid: it is malformed, has "
                         "expired or does not chain to the root certificate."));
    case TH_NOC_STATUS_MISSING_CSR:
      return g_strdup (_("The device has no pending certificate signing request to match the "
                         "operational certificate."));
    case TH_NOC_STATUS_TABLE_FULL:
      return g_strdup (_("The device belongs to as many fabrics as it can; remove it from "
                         "another app first."));
    case TH_NOC_STATUS_INVALID_ADMIN_SUBJECT:
      return g_strdup (_("The administrator subject given with the certificate is not "
                         "valid."));
    case TH_NOC_STATUS_FABRIC_CONFLICT:
      return g_strdup (_("The device already belongs to a fabric with the same root "
                         "certificate and fabric id."));
    case TH_NOC_STATUS_LABEL_CONFLICT:
      return g_strdup (_("Another fabric on the device already uses this label."));
    case TH_NOC_STATUS_INVALID_FABRIC_INDEX:
      return g_strdup (_("The device has no fabric with this index."));
    default:
      return g_strdup_printf (_("The device reported an operational certificate status this "
                                "application does not know, %u."), status);
    }
}

gboolean
th_noc_response_check (const ThNocResponse *response,
                       const char          *name,
                       GError             **error)
{
  g_autofree char *sentence = NULL;

  g_return_val_if_fail (response != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (response->status == TH_NOC_STATUS_OK)
    return TRUE;
  sentence = th_noc_status_describe (response->status);
  set_refused_error (error, name, sentence, response->debug_text);
  return FALSE;
}

/* NetworkConfigResponse (5) and ConnectNetworkResponse (7) share their first two fields. */
static gboolean
decode_network_response (const guint8      *data,
                         gsize              len,
                         gboolean           connect,
                         ThNetworkResponse *response,
                         GError           **error)
{
  ThTlvReader reader;
  ThImFields fields;
  guint8 tag;
  guint64 v;
  gint64 i;
  GError *local = NULL;

  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (response != NULL, FALSE);

  memset (response, 0, sizeof *response);
  if (!th_im_fields_open (&fields, &reader, data, len,
                          connect ? "ConnectNetworkResponse" : "NetworkConfigResponse", error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case 0:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT8, &v, &local))
            goto fail;
          response->status = (guint8) v;
          break;
        case 1:
          if (!th_im_fields_dup_string (&fields, DEBUG_TEXT_MAX_LEN, &response->debug_text,
                                        &local))
            goto fail;
          break;
        case 2:
          if (connect)
            {
              /* ErrorValue: a nullable int32 */
              if (th_im_fields_is_null (&fields))
                break;
              if (!th_im_fields_get_int (&fields, G_MININT32, G_MAXINT32, &i, &local))
                goto fail;
              response->has_error_value = TRUE;
              response->error_value = (gint32) i;
            }
          else
            {
              if (!th_im_fields_get_uint (&fields, G_MAXUINT8, &v, &local))
                goto fail;
              response->has_network_index = TRUE;
              response->network_index = (guint8) v;
            }
          break;
        default:
          break;
        }
    }
  if (local == NULL)
    th_im_fields_require (&fields, 0, "NetworkingStatus", &local);

fail:
  if (finish_decode (&fields, local, error))
    return TRUE;
  th_network_response_clear (response);
  return FALSE;
}

gboolean
th_network_config_response_decode (const guint8       *fields,
                                   gsize               fields_len,
                                   ThNetworkResponse  *response,
                                   GError            **error)
{
  return decode_network_response (fields, fields_len, FALSE, response, error);
}

gboolean
th_connect_network_response_decode (const guint8       *fields,
                                    gsize               fields_len,
                                    ThNetworkResponse  *response,
                                    GError            **error)
{
  return decode_network_response (fields, fields_len, TRUE, response, error);
}

void
th_network_response_clear (ThNetworkResponse *response)
{
  g_clear_pointer (&response->debug_text, g_free);
  memset (response, 0, sizeof *response);
}

/* WiFiInterfaceScanResultStruct */
static gboolean
decode_wifi_scan_result (ThTlvReader      *reader,
                         ThWiFiScanResult *result,
                         GError          **error)
{
  ThImFields fields;
  guint8 tag;
  guint64 v;
  gint64 i;
  const guint8 *bytes;
  gsize len;
  GError *local = NULL;

  memset (result, 0, sizeof *result);
  if (!th_im_fields_enter (&fields, reader, TH_TLV_TYPE_STRUCTURE,
                           "WiFiInterfaceScanResultStruct", error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case 0:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT8, &v, &local))
            goto fail;
          result->security = (guint8) v;
          break;
        case 1:
          if (!th_im_fields_get_bytes (&fields, 0, sizeof result->ssid, &bytes, &len, &local))
            goto fail;
          memcpy (result->ssid, bytes, len);
          result->ssid_len = len;
          break;
        case 2:
          if (!th_im_fields_get_bytes (&fields, sizeof result->bssid, sizeof result->bssid,
                                       &bytes, &len, &local))
            goto fail;
          memcpy (result->bssid, bytes, len);
          break;
        case 3:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT16, &v, &local))
            goto fail;
          result->channel = (guint16) v;
          break;
        case 4:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT8, &v, &local))
            goto fail;
          result->has_band = TRUE;
          result->band = (guint8) v;
          break;
        case 5:
          if (!th_im_fields_get_int (&fields, G_MININT8, G_MAXINT8, &i, &local))
            goto fail;
          result->has_rssi = TRUE;
          result->rssi = (gint8) i;
          break;
        default:
          break;
        }
    }
  if (local == NULL && th_im_fields_require (&fields, 0, "Security", &local)
      && th_im_fields_require (&fields, 1, "SSID", &local)
      && th_im_fields_require (&fields, 2, "BSSID", &local))
    th_im_fields_require (&fields, 3, "Channel", &local);

fail:
  return finish_decode (&fields, local, error);
}

/* ThreadInterfaceScanResultStruct */
static gboolean
decode_thread_scan_result (ThTlvReader        *reader,
                           ThThreadScanResult *result,
                           GError            **error)
{
  static const char * const names[] = {
    "PanId", "ExtendedPanId", "NetworkName", "Channel", "Version", "ExtendedAddress", "RSSI",
    "LQI",
  };
  ThImFields fields;
  guint8 tag;
  guint64 v;
  gint64 i;
  const guint8 *bytes;
  gsize len;
  g_autofree char *name = NULL;
  GError *local = NULL;

  memset (result, 0, sizeof *result);
  if (!th_im_fields_enter (&fields, reader, TH_TLV_TYPE_STRUCTURE,
                           "ThreadInterfaceScanResultStruct", error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case 0:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT16 - 1, &v, &local))
            goto fail;
          result->pan_id = (guint16) v;
          break;
        case 1:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT64, &result->extended_pan_id, &local))
            goto fail;
          break;
        case 2:
          if (!th_im_fields_dup_string (&fields, sizeof result->network_name - 1, &name,
                                        &local))
            goto fail;
          g_strlcpy (result->network_name, name, sizeof result->network_name);
          g_clear_pointer (&name, g_free);
          break;
        case 3:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT16, &v, &local))
            goto fail;
          result->channel = (guint16) v;
          break;
        case 4:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT8, &v, &local))
            goto fail;
          result->version = (guint8) v;
          break;
        case 5:
          if (!th_im_fields_get_bytes (&fields, sizeof result->extended_address,
                                       sizeof result->extended_address, &bytes, &len, &local))
            goto fail;
          memcpy (result->extended_address, bytes, len);
          break;
        case 6:
          if (!th_im_fields_get_int (&fields, G_MININT8, G_MAXINT8, &i, &local))
            goto fail;
          result->rssi = (gint8) i;
          break;
        case 7:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT8, &v, &local))
            goto fail;
          result->lqi = (guint8) v;
          break;
        default:
          break;
        }
    }
  for (guint8 t = 0; local == NULL && t < G_N_ELEMENTS (names); t++)
    th_im_fields_require (&fields, t, names[t], &local);
  if (local == NULL && result->network_name[0] == '\0')
    g_set_error (&local, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                 _("The ThreadInterfaceScanResultStruct is malformed: its network name is "
                   "empty"));

fail:
  return finish_decode (&fields, local, error);
}

gboolean
th_scan_networks_response_decode (const guint8            *data,
                                  gsize                    len,
                                  ThScanNetworksResponse  *response,
                                  GError                 **error)
{
  ThTlvReader reader;
  ThImFields fields;
  guint8 tag;
  guint64 v;
  GError *local = NULL;

  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (response != NULL, FALSE);

  memset (response, 0, sizeof *response);
  if (!th_im_fields_open (&fields, &reader, data, len, "ScanNetworksResponse", error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case 0:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT8, &v, &local))
            goto fail;
          response->status = (guint8) v;
          break;
        case 1:
          if (!th_im_fields_dup_string (&fields, DEBUG_TEXT_MAX_LEN, &response->debug_text,
                                        &local))
            goto fail;
          break;
        case 2:
          if (!th_im_fields_enter_array (&fields, &local))
            goto fail;
          response->wifi_results = g_array_new (FALSE, FALSE, sizeof (ThWiFiScanResult));
          while (th_tlv_reader_next (&reader, &local))
            {
              ThWiFiScanResult result;

              if (!decode_wifi_scan_result (&reader, &result, &local))
                goto fail;
              g_array_append_val (response->wifi_results, result);
            }
          if (local != NULL || !th_tlv_reader_exit (&reader, &local))
            goto fail;
          break;
        case 3:
          if (!th_im_fields_enter_array (&fields, &local))
            goto fail;
          response->thread_results = g_array_new (FALSE, FALSE, sizeof (ThThreadScanResult));
          while (th_tlv_reader_next (&reader, &local))
            {
              ThThreadScanResult result;

              if (!decode_thread_scan_result (&reader, &result, &local))
                goto fail;
              g_array_append_val (response->thread_results, result);
            }
          if (local != NULL || !th_tlv_reader_exit (&reader, &local))
            goto fail;
          break;
        default:
          break;
        }
    }
  if (local == NULL)
    th_im_fields_require (&fields, 0, "NetworkingStatus", &local);

fail:
  if (finish_decode (&fields, local, error))
    return TRUE;
  th_scan_networks_response_clear (response);
  return FALSE;
}

void
th_scan_networks_response_clear (ThScanNetworksResponse *response)
{
  g_clear_pointer (&response->debug_text, g_free);
  g_clear_pointer (&response->wifi_results, g_array_unref);
  g_clear_pointer (&response->thread_results, g_array_unref);
  memset (response, 0, sizeof *response);
}

char *
th_network_status_describe (guint8 status)
{
  switch ((ThNetworkStatus) status)
    {
    case TH_NETWORK_STATUS_SUCCESS:
      return g_strdup (_("The network operation succeeded."));
    case TH_NETWORK_STATUS_OUT_OF_RANGE:
      return g_strdup (_("A value given for the network is out of range."));
    case TH_NETWORK_STATUS_BOUNDS_EXCEEDED:
      return g_strdup (_("The device cannot store another network."));
    case TH_NETWORK_STATUS_NETWORK_ID_NOT_FOUND:
      return g_strdup (_("The device has no network with this id."));
    case TH_NETWORK_STATUS_DUPLICATE_NETWORK_ID:
      return g_strdup (_("The device already has a network with this id."));
    case TH_NETWORK_STATUS_NETWORK_NOT_FOUND:
      return g_strdup (_("The device cannot find the network; check that it is in range and "
                         "that the name is right."));
    case TH_NETWORK_STATUS_REGULATORY_ERROR:
      return g_strdup (_("The network uses a channel or band the device may not use in its "
                         "region."));
    case TH_NETWORK_STATUS_AUTH_FAILURE:
      return g_strdup (_("The device could not authenticate to the network; check the "
                         "password or the credentials."));
    case TH_NETWORK_STATUS_UNSUPPORTED_SECURITY:
      return g_strdup (_("The device does not support the network's security type."));
    case TH_NETWORK_STATUS_OTHER_CONNECTION_FAILURE:
      return g_strdup (_("The device could not connect to the network."));
    case TH_NETWORK_STATUS_IPV6_FAILED:
      return g_strdup (_("The device joined the network but could not set up IPv6 on it."));
    case TH_NETWORK_STATUS_IP_BIND_FAILED:
      return g_strdup (_("The device joined the network but could not bind its IP "
                         "transport."));
    case TH_NETWORK_STATUS_UNKNOWN_ERROR:
      return g_strdup (_("The device failed to set up the network for an unknown reason."));
    default:
      return g_strdup_printf (_("The device reported a network status this application does "
                                "not know, %u."), status);
    }
}

gboolean
th_network_response_check (const ThNetworkResponse *response,
                           const char              *name,
                           GError                 **error)
{
  g_autofree char *sentence = NULL;

  g_return_val_if_fail (response != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (response->status == TH_NETWORK_STATUS_SUCCESS)
    return TRUE;
  sentence = th_network_status_describe (response->status);
  set_refused_error (error, name, sentence, response->debug_text);
  return FALSE;
}

char *
th_administrator_commissioning_status_describe (guint8 cluster_status)
{
  switch ((ThAdministratorCommissioningStatus) cluster_status)
    {
    case TH_ADMINISTRATOR_COMMISSIONING_STATUS_BUSY:
      return g_strdup (_("A commissioning window is already open or the device is being "
                         "commissioned; try again later."));
    case TH_ADMINISTRATOR_COMMISSIONING_STATUS_PAKE_PARAMETER_ERROR:
      return g_strdup (_("The device rejected the setup code parameters (verifier, salt or "
                         "iteration count)."));
    case TH_ADMINISTRATOR_COMMISSIONING_STATUS_WINDOW_NOT_OPEN:
      return g_strdup (_("No commissioning window is open."));
    default:
      return g_strdup_printf (_("The device reported a commissioning window status this "
                                "application does not know, %u."), cluster_status);
    }
}
