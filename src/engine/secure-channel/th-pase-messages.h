/* th-pase-messages.h: the TLV payloads of PASE (PBKDFParamRequest/Response, Pake1/2/3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "crypto/th-spake2p.h"
#include "th-session-parameters.h"

G_BEGIN_DECLS

#define TH_PASE_RANDOM_LEN 32
/* The only passcode id: the commissioning passcode. */
#define TH_PASE_DEFAULT_PASSCODE_ID 0

/* The bounds the specification sets on the PBKDF parameters. */
#define TH_PBKDF_MIN_ITERATIONS 1000
#define TH_PBKDF_MAX_ITERATIONS 100000
#define TH_PBKDF_MIN_SALT_LEN 16
#define TH_PBKDF_MAX_SALT_LEN 32

/* What a PASE state machine (initiator or responder) made of a message. */
typedef enum
{
  TH_PASE_CONTINUE,           /* send the reply, then wait for the peer's next message */
  TH_PASE_ESTABLISHED,        /* done; a reply, if any, is the last message to send */
  TH_PASE_FAILED,             /* error set; a reply, if any, tells the peer (a status report) */
} ThPaseResult;

typedef struct
{
  guint32 iterations;
  guint8 salt[TH_PBKDF_MAX_SALT_LEN];
  gsize salt_len;
} ThPbkdfParameters;

/* TH_ERROR_PASE_PROTOCOL when the iterations or the salt length are out of bounds. */
gboolean th_pbkdf_parameters_check (const ThPbkdfParameters *parameters,
                                    GError                 **error);

typedef struct
{
  guint8 initiator_random[TH_PASE_RANDOM_LEN];
  guint16 initiator_session_id;
  guint16 passcode_id;
  gboolean has_pbkdf_parameters;        /* the initiator knows them already */
  gboolean has_session_parameters;
  ThSessionParameters session_parameters;
} ThPbkdfParamRequest;

typedef struct
{
  guint8 initiator_random[TH_PASE_RANDOM_LEN];
  guint8 responder_random[TH_PASE_RANDOM_LEN];
  guint16 responder_session_id;
  gboolean has_pbkdf_parameters;
  ThPbkdfParameters pbkdf_parameters;
  gboolean has_session_parameters;
  ThSessionParameters session_parameters;
} ThPbkdfParamResponse;

typedef struct
{
  guint8 pa[TH_SPAKE2P_POINT_LEN];      /* X */
} ThPake1;

typedef struct
{
  guint8 pb[TH_SPAKE2P_POINT_LEN];      /* Y */
  guint8 cb[TH_SPAKE2P_CONFIRMATION_LEN];
} ThPake2;

typedef struct
{
  guint8 ca[TH_SPAKE2P_CONFIRMATION_LEN];
} ThPake3;

/* Encoders write the fields in tag order, as the specification's examples do. Decoders take
 * one anonymous structure and nothing after it; every member must have a context tag and
 * appear once; unknown members are skipped; a missing, mistyped or out-of-bounds field
 * fails with TH_ERROR_PASE_PROTOCOL naming the message, the field and the byte offset where
 * there is one. Decoded values are copied out of the input. */
GBytes  *th_pbkdf_param_request_encode  (const ThPbkdfParamRequest  *request);
gboolean th_pbkdf_param_request_decode  (ThPbkdfParamRequest        *request,
                                         const guint8               *data,
                                         gsize                       len,
                                         GError                    **error);
GBytes  *th_pbkdf_param_response_encode (const ThPbkdfParamResponse *response);
gboolean th_pbkdf_param_response_decode (ThPbkdfParamResponse       *response,
                                         const guint8               *data,
                                         gsize                       len,
                                         GError                    **error);
GBytes  *th_pake1_encode                (const ThPake1              *pake1);
gboolean th_pake1_decode                (ThPake1                    *pake1,
                                         const guint8               *data,
                                         gsize                       len,
                                         GError                    **error);
GBytes  *th_pake2_encode                (const ThPake2              *pake2);
gboolean th_pake2_decode                (ThPake2                    *pake2,
                                         const guint8               *data,
                                         gsize                       len,
                                         GError                    **error);
GBytes  *th_pake3_encode                (const ThPake3              *pake3);
gboolean th_pake3_decode                (ThPake3                    *pake3,
                                         const guint8               *data,
                                         gsize                       len,
                                         GError                    **error);

G_END_DECLS
