/* th-case-messages.h: the TLV payloads of CASE (Sigma1, Sigma2, Sigma3) and of what Sigma2
 * and Sigma3 carry encrypted and signed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "crypto/th-crypto.h"
#include "th-session-parameters.h"

G_BEGIN_DECLS

#define TH_CASE_RANDOM_LEN          32
#define TH_CASE_DESTINATION_ID_LEN  TH_SHA256_LEN
#define TH_CASE_RESUMPTION_ID_LEN   16
#define TH_CASE_MIC_LEN             TH_AES_CCM_TAG_LEN
/* The longest encrypted TBEData accepted: two certificates of the specification's maximum
 * size, a signature, a resumption id, their TLV framing, room for members later revisions
 * may add, and the MIC. */
#define TH_CASE_MAX_ENCRYPTED_LEN   1056

/* What a CASE state machine (initiator or responder) made of a message. */
typedef enum
{
  TH_CASE_CONTINUE,           /* send the reply, then wait for the peer's next message */
  TH_CASE_ESTABLISHED,        /* done; a reply, if any, is the last message to send */
  TH_CASE_FAILED,             /* error set; a reply, if any, tells the peer (a status report) */
} ThCaseResult;

typedef struct
{
  guint8 initiator_random[TH_CASE_RANDOM_LEN];
  guint16 initiator_session_id;
  guint8 destination_id[TH_CASE_DESTINATION_ID_LEN];
  guint8 initiator_ephemeral_key[TH_P256_PUBLIC_KEY_LEN];
  gboolean has_session_parameters;
  ThSessionParameters session_parameters;
  gboolean has_resumption;              /* the resumption id and the MIC, which go together */
  guint8 resumption_id[TH_CASE_RESUMPTION_ID_LEN];
  guint8 initiator_resume_mic[TH_CASE_MIC_LEN];
} ThCaseSigma1;

typedef struct
{
  guint8 responder_random[TH_CASE_RANDOM_LEN];
  guint16 responder_session_id;
  guint8 responder_ephemeral_key[TH_P256_PUBLIC_KEY_LEN];
  const guint8 *encrypted;              /* TBEData2, then its MIC */
  gsize encrypted_len;
  gboolean has_session_parameters;
  ThSessionParameters session_parameters;
} ThCaseSigma2;

typedef struct
{
  const guint8 *encrypted;              /* TBEData3, then its MIC */
  gsize encrypted_len;
} ThCaseSigma3;

/* TBEData2 and TBEData3, once decrypted: the sender's credentials (Matter TLV certificates)
 * and its signature over the TBSData. */
typedef struct
{
  const guint8 *noc;
  gsize noc_len;
  const guint8 *icac;                   /* NULL without an intermediate CA */
  gsize icac_len;
  guint8 signature[TH_P256_SIGNATURE_LEN];
  guint8 resumption_id[TH_CASE_RESUMPTION_ID_LEN];  /* TBEData2 only */
} ThCaseTbeData;

/* Encoders write the members in tag order, as the specification's examples do. Decoders take
 * one anonymous structure and nothing after it; every member must have a context tag and
 * appear once; unknown members are skipped; a missing, mistyped or out-of-bounds member
 * fails with TH_ERROR_CASE_PROTOCOL naming the message, the field and the byte offset where
 * there is one. Fixed-size values are copied out of the input; variable-size byte strings
 * (the encrypted data, the certificates) point into it. */
GBytes  *th_case_sigma1_encode     (const ThCaseSigma1   *sigma1);
gboolean th_case_sigma1_decode     (ThCaseSigma1         *sigma1,
                                    const guint8         *data,
                                    gsize                 len,
                                    GError              **error);
GBytes  *th_case_sigma2_encode     (const ThCaseSigma2   *sigma2);
gboolean th_case_sigma2_decode     (ThCaseSigma2         *sigma2,
                                    const guint8         *data,
                                    gsize                 len,
                                    GError              **error);
GBytes  *th_case_sigma3_encode     (const ThCaseSigma3   *sigma3);
gboolean th_case_sigma3_decode     (ThCaseSigma3         *sigma3,
                                    const guint8         *data,
                                    gsize                 len,
                                    GError              **error);
/* TBEData2 has a resumption id; TBEData3 has none. */
GBytes  *th_case_tbe_data2_encode  (const ThCaseTbeData  *tbe);
gboolean th_case_tbe_data2_decode  (ThCaseTbeData        *tbe,
                                    const guint8         *data,
                                    gsize                 len,
                                    GError              **error);
GBytes  *th_case_tbe_data3_encode  (const ThCaseTbeData  *tbe);
gboolean th_case_tbe_data3_decode  (ThCaseTbeData        *tbe,
                                    const guint8         *data,
                                    gsize                 len,
                                    GError              **error);

/* TBSData2 and TBSData3, what the sender signs: its NOC, its ICAC (may be NULL), its
 * ephemeral public key and the receiver's. */
GBytes  *th_case_tbs_data_encode   (const guint8         *noc,
                                    gsize                 noc_len,
                                    const guint8         *icac,
                                    gsize                 icac_len,
                                    const guint8          sender_key[TH_P256_PUBLIC_KEY_LEN],
                                    const guint8          receiver_key[TH_P256_PUBLIC_KEY_LEN]);

G_END_DECLS
