/* th-pase-initiator.h: the commissioner's side of PASE, free of any transport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "messaging/th-session.h"
#include "th-pase-messages.h"

G_BEGIN_DECLS

typedef enum
{
  TH_PASE_INITIATOR_NEW,
  TH_PASE_INITIATOR_AWAITING_PBKDF_PARAM_RESPONSE,
  TH_PASE_INITIATOR_AWAITING_PAKE2,
  TH_PASE_INITIATOR_AWAITING_STATUS_REPORT,
  TH_PASE_INITIATOR_ESTABLISHED,
  TH_PASE_INITIATOR_FAILED,
} ThPaseInitiatorState;

/* One PASE handshake as the initiator, fed with the payloads the device sends:
 *
 *   request = th_pase_initiator_start (...)          send it as PBKDFParamRequest
 *   th_pase_initiator_process (device's message)     CONTINUE: send the reply and wait
 *                                                    ESTABLISHED: take the keys
 *                                                    FAILED: send the reply if any, stop
 *
 * It holds the passcode and every derived secret, and wipes them when freed. */
typedef struct _ThPaseInitiator ThPaseInitiator;

/* `passcode` must be 1..99999998. `pbkdf_parameters` (may be NULL) are the iterations and
 * salt when they are already known (from the QR code): the request then says so, and the
 * device may leave them out of its response. `local_parameters` (may be NULL) are what
 * this node announces in the request. */
ThPaseInitiator      *th_pase_initiator_new            (guint32                    passcode,
                                                        guint16                    local_session_id,
                                                        const ThPbkdfParameters   *pbkdf_parameters,
                                                        const ThSessionParameters *local_parameters,
                                                        GError                   **error);
void                  th_pase_initiator_free           (ThPaseInitiator           *self);

/* For test vectors only: this initiatorRandom, and this SPAKE2+ scalar x when not NULL,
 * instead of fresh random ones. Call before start. */
void                  th_pase_initiator_set_test_randomness (ThPaseInitiator      *self,
                                                             const guint8         *random,
                                                             const guint8         *x);

/* The PBKDFParamRequest payload. */
GBytes               *th_pase_initiator_start          (ThPaseInitiator           *self,
                                                        GError                   **error);
/* A Secure Channel message from the device: its opcode and payload. On CONTINUE, and on
 * FAILED when the device should be told, sets `reply` and `reply_opcode`. */
ThPaseResult          th_pase_initiator_process        (ThPaseInitiator           *self,
                                                        guint8                     opcode,
                                                        GBytes                    *payload,
                                                        guint8                    *reply_opcode,
                                                        GBytes                   **reply,
                                                        GError                   **error);

ThPaseInitiatorState  th_pase_initiator_get_state      (ThPaseInitiator           *self);
/* The SPAKE2+ context: SHA-256 ("CHIP PAKE V1 Commissioning" || PBKDFParamRequest ||
 * PBKDFParamResponse), known once the response is in. Not a secret. */
const guint8         *th_pase_initiator_get_context    (ThPaseInitiator           *self);

/* Once the response is in: the device's session id and what it announced (FALSE when it
 * announced nothing). */
guint16               th_pase_initiator_get_peer_session_id (ThPaseInitiator      *self);
gboolean              th_pase_initiator_get_peer_parameters (ThPaseInitiator      *self,
                                                             ThSessionParameters  *parameters);
/* Once ESTABLISHED: I2RKey, R2IKey and the AttestationChallenge. Wipe the copy after use. */
void                  th_pase_initiator_get_session_keys (ThPaseInitiator         *self,
                                                          ThSessionKeys           *keys);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThPaseInitiator, th_pase_initiator_free)

G_END_DECLS
