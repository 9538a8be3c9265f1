/* th-exchange-private.h: between exchanges and their manager
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "th-exchange.h"
#include "th-exchange-manager.h"

G_BEGIN_DECLS

ThExchange *th_exchange_new     (ThExchangeManager *manager,
                                 ThSession         *session,
                                 guint16            exchange_id,
                                 guint16            protocol_id,
                                 gboolean           is_initiator);
/* A message the manager routed here. FALSE when nothing was waiting for it. */
gboolean    th_exchange_receive (ThExchange        *self,
                                 ThMessage         *message);
/* The session or the manager went away: fails what is pending, stops every timer and
 * sends nothing more. */
void        th_exchange_abort   (ThExchange        *self,
                                 const GError      *error);

/* What exchanges use of their manager. */
ThClock    *th_exchange_manager_get_clock            (ThExchangeManager *self);
double      th_exchange_manager_get_jitter           (ThExchangeManager *self);
gboolean    th_exchange_manager_uses_mrp             (ThExchangeManager *self);
GBytes     *th_exchange_manager_encode               (ThExchangeManager *self,
                                                      ThSession         *session,
                                                      const ThProtocolHeader *protocol,
                                                      GBytes            *payload,
                                                      guint32           *counter,
                                                      GError           **error);
gboolean    th_exchange_manager_transmit             (ThExchangeManager *self,
                                                      ThSession         *session,
                                                      GBytes            *datagram,
                                                      GError           **error);
void        th_exchange_manager_send_standalone_ack  (ThExchangeManager *self,
                                                      ThSession         *session,
                                                      guint16            exchange_id,
                                                      gboolean           from_initiator,
                                                      guint32            ack_counter);
/* The exchange is over: the manager lets go of it. */
void        th_exchange_manager_forget               (ThExchangeManager *self,
                                                      ThExchange        *exchange);

G_END_DECLS
