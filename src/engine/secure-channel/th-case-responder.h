/* th-case-responder.h: the responder's side of CASE, free of any transport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "messaging/th-session.h"
#include "th-case-identity.h"
#include "th-case-messages.h"

G_BEGIN_DECLS

typedef enum
{
  TH_CASE_RESPONDER_AWAITING_SIGMA1,
  TH_CASE_RESPONDER_AWAITING_SIGMA3,
  TH_CASE_RESPONDER_ESTABLISHED,
  TH_CASE_RESPONDER_FAILED,
} ThCaseResponderState;

/* One CASE handshake as a node with one operational identity: what a commissioned device
 * runs, and what lets the initiator be tested in-process. Feed it every Secure Channel
 * message the initiator sends; it answers Sigma1 with Sigma2 (CONTINUE), Sigma3 with the
 * success status report (ESTABLISHED), or with a status report saying what was wrong
 * (FAILED): NO_SHARED_TRUST_ROOTS when Sigma1 seeks another node or fabric, INVALID_PARAMETER
 * otherwise. It keeps no resumption state, so a Sigma1 asking to resume gets a full Sigma2. */
typedef struct _ThCaseResponder ThCaseResponder;

/* `local_parameters` (may be NULL) are what the node announces in Sigma2. */
ThCaseResponder      *th_case_responder_new          (ThCaseIdentity            *identity,
                                                      guint16                    local_session_id,
                                                      const ThSessionParameters *local_parameters,
                                                      GError                   **error);
void                  th_case_responder_free         (ThCaseResponder           *self);

ThCaseResult          th_case_responder_process      (ThCaseResponder           *self,
                                                      guint8                     opcode,
                                                      GBytes                    *payload,
                                                      guint8                    *reply_opcode,
                                                      GBytes                   **reply,
                                                      GError                   **error);

ThCaseResponderState  th_case_responder_get_state    (ThCaseResponder           *self);
/* Once Sigma1 is in: the initiator's session id and what it announced. */
guint16               th_case_responder_get_peer_session_id (ThCaseResponder    *self);
gboolean              th_case_responder_get_peer_parameters (ThCaseResponder    *self,
                                                             ThSessionParameters *parameters);
/* Once ESTABLISHED: the initiator's node id, from its NOC, and the keys. */
guint64               th_case_responder_get_peer_node_id (ThCaseResponder       *self);
void                  th_case_responder_get_session_keys (ThCaseResponder       *self,
                                                          ThSessionKeys         *keys);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThCaseResponder, th_case_responder_free)

G_END_DECLS
