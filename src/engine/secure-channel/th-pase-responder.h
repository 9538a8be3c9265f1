/* th-pase-responder.h: the device's side of PASE, free of any transport
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
  TH_PASE_RESPONDER_AWAITING_PBKDF_PARAM_REQUEST,
  TH_PASE_RESPONDER_AWAITING_PAKE1,
  TH_PASE_RESPONDER_AWAITING_PAKE3,
  TH_PASE_RESPONDER_ESTABLISHED,
  TH_PASE_RESPONDER_FAILED,
} ThPaseResponderState;

/* One PASE handshake as a commissionee holding a passcode verifier: what a device runs, and
 * what lets the commissioner's side be tested in-process. Feed it every Secure Channel
 * message the initiator sends; it answers each (CONTINUE), ends with the success status
 * report (ESTABLISHED), or with a status report saying what was wrong (FAILED). */
typedef struct _ThPaseResponder ThPaseResponder;

/* `verifier` is w0 || L (TH_SPAKE2P_VERIFIER_LEN bytes from th_spake2p_compute_verifier),
 * made with `pbkdf_parameters`. `local_parameters` (may be NULL) are what the device
 * announces in its response. */
ThPaseResponder      *th_pase_responder_new          (const guint8              *verifier,
                                                      const ThPbkdfParameters   *pbkdf_parameters,
                                                      guint16                    local_session_id,
                                                      const ThSessionParameters *local_parameters,
                                                      GError                   **error);
void                  th_pase_responder_free         (ThPaseResponder           *self);

/* For test vectors only: this responderRandom, and this SPAKE2+ scalar y when not NULL. */
void                  th_pase_responder_set_test_randomness (ThPaseResponder    *self,
                                                             const guint8       *random,
                                                             const guint8       *y);

ThPaseResult          th_pase_responder_process      (ThPaseResponder           *self,
                                                      guint8                     opcode,
                                                      GBytes                    *payload,
                                                      guint8                    *reply_opcode,
                                                      GBytes                   **reply,
                                                      GError                   **error);

ThPaseResponderState  th_pase_responder_get_state    (ThPaseResponder           *self);
/* Once the request is in: the initiator's session id and what it announced. */
guint16               th_pase_responder_get_peer_session_id (ThPaseResponder    *self);
gboolean              th_pase_responder_get_peer_parameters (ThPaseResponder    *self,
                                                             ThSessionParameters *parameters);
/* Once ESTABLISHED. */
void                  th_pase_responder_get_session_keys (ThPaseResponder       *self,
                                                          ThSessionKeys         *keys);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThPaseResponder, th_pase_responder_free)

G_END_DECLS
