/* fuzz-case.c: the decoders of what a device sends during CASE (Sigma2, the TBEData2 inside
 * it with its certificates, StatusReport) and of the other CASE payloads, and the initiator
 * fed with arbitrary answers to its Sigma1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "credentials/th-fabric.h"
#include "messaging/th-message.h"
#include "secure-channel/th-case-initiator.h"
#include "secure-channel/th-case-messages.h"
#include "th-error.h"

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* Our side of the handshakes: made once, as key generation and signing dominate otherwise. */
static ThCaseIdentity *identity;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  GError *error = NULL;
  ThFabric *fabric;
  ThP256Key *key;
  ThCertificate *noc;
  GBytes *noc_tlv;
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];

  /* a critical from the TLV writer means a decoder let through what cannot be encoded */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  fabric = th_fabric_new (0x1234, TH_FABRIC_WITH_INTERMEDIATE, &error);
  g_assert_no_error (error);
  key = th_p256_key_generate (&error);
  g_assert_no_error (error);
  th_p256_key_get_public (key, public_key);
  noc = th_fabric_issue_noc (fabric, public_key, 1, NULL, 0, &error);
  g_assert_no_error (error);
  noc_tlv = th_certificate_encode_tlv (noc, &error);
  g_assert_no_error (error);
  identity = th_case_identity_new_for_fabric (fabric, noc_tlv, key, &error);
  g_assert_no_error (error);
  g_bytes_unref (noc_tlv);
  th_certificate_free (noc);
  th_p256_key_unref (key);
  th_fabric_unref (fabric);
  return 0;
}

typedef gboolean (*DecodeFunc) (gpointer      out,
                                const guint8 *data,
                                gsize         len,
                                GError      **error);
typedef GBytes *(*EncodeFunc) (gconstpointer in);

typedef union
{
  ThCaseSigma1 sigma1;
  ThCaseSigma2 sigma2;
  ThCaseSigma3 sigma3;
  ThCaseTbeData tbe;
} AnyMessage;

/* Each codec behind the two signatures above, so that it is called through its own type. */
#define CODEC(name, type) \
  static gboolean \
  decode_##name (gpointer out, const guint8 *data, gsize len, GError **error) \
  { \
    return th_case_##name##_decode ((type *) out, data, len, error); \
  } \
  static GBytes * \
  encode_##name (gconstpointer in) \
  { \
    return th_case_##name##_encode ((const type *) in); \
  }

CODEC (sigma1, ThCaseSigma1)
CODEC (sigma2, ThCaseSigma2)
CODEC (sigma3, ThCaseSigma3)
CODEC (tbe_data2, ThCaseTbeData)
CODEC (tbe_data3, ThCaseTbeData)

/* What decodes must encode to something that decodes to the same encoding again; what does
 * not must say why. The decoded message points into `data`, so it is encoded at once. */
static gboolean
check_message (DecodeFunc    decode,
               EncodeFunc    encode,
               const guint8 *data,
               gsize         size,
               AnyMessage   *message)
{
  GError *error = NULL;
  AnyMessage again;
  GBytes *first;
  GBytes *second;

  if (!decode (message, data, size, &error))
    {
      g_assert (error != NULL && error->domain == TH_ERROR && error->message[0] != '\0');
      g_error_free (error);
      return FALSE;
    }
  g_assert (error == NULL);

  first = encode (message);
  g_assert (first != NULL);
  g_assert (decode (&again, g_bytes_get_data (first, NULL), g_bytes_get_size (first), NULL));
  second = encode (&again);
  g_assert (g_bytes_equal (first, second));
  g_bytes_unref (first);
  g_bytes_unref (second);
  return TRUE;
}

/* The certificates of a TBEData, as the initiator checks them against its fabric. */
static void
check_credentials (const ThCaseTbeData *tbe)
{
  GError *error = NULL;
  ThCertificate *noc;

  noc = th_case_identity_validate_peer (identity, tbe->noc, tbe->noc_len, tbe->icac,
                                        tbe->icac_len, NULL, &error);
  if (noc == NULL)
    {
      g_assert (error != NULL && error->message[0] != '\0');
      g_error_free (error);
      return;
    }
  th_certificate_free (noc);
}

/* A fresh initiator that has sent Sigma1 gets `data` as the device's answer. */
static void
check_initiator (guint8        opcode,
                 const guint8 *data,
                 gsize         size)
{
  GError *error = NULL;
  ThCaseInitiator *initiator;
  GBytes *sigma1;
  GBytes *payload;
  GBytes *reply = NULL;
  guint8 reply_opcode = 0;
  ThCaseResult result;

  initiator = th_case_initiator_new (identity, 2, 1, NULL, &error);
  g_assert_no_error (error);
  sigma1 = th_case_initiator_start (initiator, &error);
  g_assert_no_error (error);
  payload = g_bytes_new (data, size);
  result = th_case_initiator_process (initiator, opcode, payload, &reply_opcode, &reply,
                                      &error);
  /* Nothing but the real device can make a Sigma2 that passes. */
  g_assert (result == TH_CASE_FAILED);
  g_assert (error != NULL && error->message[0] != '\0');
  g_assert (reply == NULL || reply_opcode == TH_SECURE_CHANNEL_STATUS_REPORT);
  g_clear_error (&error);
  g_clear_pointer (&reply, g_bytes_unref);
  g_bytes_unref (payload);
  g_bytes_unref (sigma1);
  th_case_initiator_free (initiator);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  AnyMessage message;

  check_message (decode_sigma2, encode_sigma2, data, size, &message);
  if (check_message (decode_tbe_data2, encode_tbe_data2, data, size, &message))
    check_credentials (&message.tbe);
  if (check_message (decode_tbe_data3, encode_tbe_data3, data, size, &message))
    check_credentials (&message.tbe);
  check_message (decode_sigma1, encode_sigma1, data, size, &message);
  check_message (decode_sigma3, encode_sigma3, data, size, &message);
  check_initiator (TH_SECURE_CHANNEL_CASE_SIGMA2, data, size);
  check_initiator (TH_SECURE_CHANNEL_STATUS_REPORT, data, size);
  return 0;
}
