/* th-session-private.h: what the exchange manager does with sessions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "th-message.h"
#include "th-message-counter.h"
#include "th-session.h"

G_BEGIN_DECLS

/* The initiator knows its own ephemeral node id, the responder the initiator's. */
ThSession *th_session_new_unsecured          (GSocketAddress              *peer_address,
                                              gboolean                     is_initiator,
                                              guint64                      ephemeral_node_id);
/* `counter_random` seeds the session's message counter. */
ThSession *th_session_new_secure             (const ThSecureSessionConfig *config,
                                              guint32                      counter_random,
                                              gint64                       now_ms);

void       th_session_mark_closed            (ThSession                   *self);

/* Whether an unsecured message from `from` belongs to this unsecured session. */
gboolean   th_session_matches_unsecured      (ThSession                   *self,
                                              const ThMessageHeader       *header,
                                              GSocketAddress              *from);

/* A whole message for the peer; unsecured sessions take their counter from
 * `unencrypted_counter`, the node's global one. */
GBytes    *th_session_encode                 (ThSession                   *self,
                                              ThMessageCounter            *unencrypted_counter,
                                              const ThProtocolHeader      *protocol,
                                              GBytes                      *payload,
                                              guint32                     *counter,
                                              GError                     **error);
/* Decrypts and decodes; the counter is not checked yet (see accept_counter). */
ThMessage *th_session_decode                 (ThSession                   *self,
                                              GBytes                      *datagram,
                                              GError                     **error);
gboolean   th_session_accept_counter         (ThSession                   *self,
                                              guint32                      counter,
                                              GError                     **error);

void       th_session_note_peer_activity     (ThSession                   *self,
                                              gint64                       now_ms);
/* The peer's active interval when it has been heard from within its active threshold,
 * else its idle interval. */
guint32    th_session_get_retransmission_base (ThSession                  *self,
                                               gint64                      now_ms);

G_END_DECLS
