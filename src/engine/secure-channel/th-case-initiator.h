/* th-case-initiator.h: the initiator's side of CASE, free of any transport
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
  TH_CASE_INITIATOR_NEW,
  TH_CASE_INITIATOR_AWAITING_SIGMA2,
  TH_CASE_INITIATOR_AWAITING_STATUS_REPORT,
  TH_CASE_INITIATOR_ESTABLISHED,
  TH_CASE_INITIATOR_FAILED,
} ThCaseInitiatorState;

/* One CASE handshake with a node of our fabric, fed with the payloads the node sends:
 *
 *   sigma1 = th_case_initiator_start (...)           send it as Sigma1
 *   th_case_initiator_process (node's message)       CONTINUE: send the reply (Sigma3), wait
 *                                                    ESTABLISHED: take the keys
 *                                                    FAILED: send the reply if any, stop
 *
 * The node proves in Sigma2 that it holds the key of a NOC that our root certificate vouches
 * for, on our fabric, for the node id asked for; we prove the same in Sigma3. Session
 * resumption is not offered. It holds the ephemeral key and every derived secret, and wipes
 * them when freed. */
typedef struct _ThCaseInitiator ThCaseInitiator;

/* `peer_node_id` must be an operational node id. `local_parameters` (may be NULL) are what
 * this node announces in Sigma1. */
ThCaseInitiator      *th_case_initiator_new            (ThCaseIdentity            *identity,
                                                        guint64                    peer_node_id,
                                                        guint16                    local_session_id,
                                                        const ThSessionParameters *local_parameters,
                                                        GError                   **error);
void                  th_case_initiator_free           (ThCaseInitiator           *self);

/* The Sigma1 payload. */
GBytes               *th_case_initiator_start          (ThCaseInitiator           *self,
                                                        GError                   **error);
/* A Secure Channel message from the node: its opcode and payload. On CONTINUE, and on FAILED
 * when the node should be told, sets `reply` and `reply_opcode`.
 *
 * Failures: TH_ERROR_CASE_NO_SHARED_ROOT when the node does not know our fabric,
 * TH_ERROR_CASE_WRONG_FABRIC when its NOC does not chain to our root or names another
 * fabric, TH_ERROR_CASE_WRONG_NODE when it is another node than `peer_node_id`,
 * TH_ERROR_CASE_BAD_SIGNATURE when it does not hold its NOC's key, TH_ERROR_CASE_PROTOCOL
 * when its messages are malformed or out of place, TH_ERROR_CERTIFICATE_EXPIRED or
 * _NOT_YET_VALID, TH_ERROR_BUSY, and TH_ERROR_STATUS_REPORT for other refusals. */
ThCaseResult          th_case_initiator_process        (ThCaseInitiator           *self,
                                                        guint8                     opcode,
                                                        GBytes                    *payload,
                                                        guint8                    *reply_opcode,
                                                        GBytes                   **reply,
                                                        GError                   **error);

ThCaseInitiatorState  th_case_initiator_get_state      (ThCaseInitiator           *self);
guint64               th_case_initiator_get_peer_node_id (ThCaseInitiator         *self);
/* Once Sigma2 is in: the node's session id and what it announced (FALSE when it announced
 * nothing). */
guint16               th_case_initiator_get_peer_session_id (ThCaseInitiator      *self);
gboolean              th_case_initiator_get_peer_parameters (ThCaseInitiator      *self,
                                                             ThSessionParameters  *parameters);
/* Once ESTABLISHED: I2RKey, R2IKey and the AttestationChallenge. Wipe the copy after use. */
void                  th_case_initiator_get_session_keys (ThCaseInitiator         *self,
                                                          ThSessionKeys           *keys);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThCaseInitiator, th_case_initiator_free)

G_END_DECLS
