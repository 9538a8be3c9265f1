/* th-exchange-manager.h: sessions and exchanges over one transport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "th-clock.h"
#include "th-exchange.h"
#include "th-message.h"
#include "th-mrp.h"
#include "th-session.h"
#include "th-transport.h"

G_BEGIN_DECLS

#define TH_TYPE_EXCHANGE_MANAGER (th_exchange_manager_get_type ())

G_DECLARE_FINAL_TYPE (ThExchangeManager, th_exchange_manager, TH, EXCHANGE_MANAGER, GObject)

/* Signal "peer-closed-session" (ThSession *session): the peer ended a secure session with a
 * CloseSession status report. The manager has closed the session already: what ran on it
 * failed with TH_ERROR_SESSION_CLOSED, and nothing more is sent on it. */

/* Called with the first message of an exchange a peer started (the exchange is borrowed:
 * take a reference to keep it). The handler answers on the exchange and closes it. */
typedef void (*ThProtocolHandler) (ThExchange *exchange,
                                   ThMessage  *message,
                                   gpointer    user_data);

/* A random fraction in [0, 1] for the MRP backoff jitter. */
typedef double (*ThJitterFunc) (gpointer user_data);

/* Takes over the transport: closing the manager closes it. A NULL clock is the system one.
 * Everything runs on the thread-default main context of the caller. */
ThExchangeManager *th_exchange_manager_new           (ThTransport        *transport,
                                                      ThClock            *clock,
                                                      GError            **error);
ThTransport       *th_exchange_manager_get_transport (ThExchangeManager  *self);

/* This node's SII, SAI and SAT: what PASE and CASE announce, and what bounds how long a
 * peer may keep retransmitting a response to us. */
const ThMrpParameters *
th_exchange_manager_get_local_mrp_parameters (ThExchangeManager     *self);
void
th_exchange_manager_set_local_mrp_parameters (ThExchangeManager     *self,
                                              const ThMrpParameters *parameters);
/* For tests: a fixed or scripted jitter instead of g_random_double(). NULL restores it. */
void
th_exchange_manager_set_jitter_func          (ThExchangeManager     *self,
                                              ThJitterFunc           func,
                                              gpointer               user_data,
                                              GDestroyNotify         destroy);

/* An unsecured session to start PASE or CASE with, under a fresh ephemeral node id. */
ThSession *
th_exchange_manager_open_unsecured_session   (ThExchangeManager     *self,
                                              GSocketAddress        *peer,
                                              GError               **error);
/* Reserves an unused local session id for a handshake to announce; it is taken by
 * add_secure_session() or given back by release_session_id(). */
gboolean
th_exchange_manager_allocate_session_id      (ThExchangeManager     *self,
                                              guint16               *session_id,
                                              GError               **error);
void
th_exchange_manager_release_session_id       (ThExchangeManager     *self,
                                              guint16                session_id);
/* The secure session a completed PASE or CASE handshake yields. */
ThSession *
th_exchange_manager_add_secure_session       (ThExchangeManager     *self,
                                              const ThSecureSessionConfig *config,
                                              GError               **error);
/* Ends a session: its exchanges fail with TH_ERROR_SESSION_CLOSED and its keys are wiped. */
void
th_exchange_manager_close_session            (ThExchangeManager     *self,
                                              ThSession             *session);

/* A new exchange on the session, with this node as initiator. */
ThExchange *
th_exchange_manager_initiate                 (ThExchangeManager     *self,
                                              ThSession             *session,
                                              guint16                protocol_id);

/* Exchanges peers start for this protocol go to the handler; NULL removes it. Without a
 * handler such messages are acknowledged and dropped. */
void
th_exchange_manager_set_protocol_handler     (ThExchangeManager     *self,
                                              guint16                protocol_id,
                                              ThProtocolHandler      handler,
                                              gpointer               user_data,
                                              GDestroyNotify         destroy);

/* Ends every exchange and session, then closes the transport. */
void
th_exchange_manager_close                    (ThExchangeManager     *self);

G_END_DECLS
