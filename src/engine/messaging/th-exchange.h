/* th-exchange.h: one conversation (request, response, ...) within a session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "th-message.h"
#include "th-session.h"

G_BEGIN_DECLS

/* How long a peer may take to act on a message before it answers, unless the session or the
 * exchange is told otherwise. */
#define TH_EXCHANGE_DEFAULT_PROCESSING_TIME_MS 2000

#define TH_TYPE_EXCHANGE (th_exchange_get_type ())

G_DECLARE_FINAL_TYPE (ThExchange, th_exchange, TH, EXCHANGE, GObject)

/* An exchange is made by th_exchange_manager_initiate(), or handed to a protocol handler
 * with the peer's first message. One operation runs at a time; reliability (MRP
 * acknowledgements and retransmissions) is taken care of underneath. */

ThSession *th_exchange_get_session                   (ThExchange          *self);
guint16    th_exchange_get_id                        (ThExchange          *self);
guint16    th_exchange_get_protocol_id               (ThExchange          *self);
gboolean   th_exchange_is_initiator                  (ThExchange          *self);
/* How long the peer may need before it responds to the next request (for example while it
 * computes a PBKDF or joins a network); added to the time its retransmissions may take. */
void       th_exchange_set_expected_processing_time  (ThExchange          *self,
                                                      guint                ms);

/* Sends a message (payload may be NULL) and waits for the peer's next message on this
 * exchange. Fails with TH_ERROR_TIMED_OUT when the message is never acknowledged or the
 * response never comes, naming the message. Cancelling, or a failure, ends the exchange. */
void       th_exchange_request_async                 (ThExchange          *self,
                                                      guint8               opcode,
                                                      GBytes              *payload,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
ThMessage *th_exchange_request_finish                (ThExchange          *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* Sends a message that expects no response; completes once the peer has acknowledged it
 * (or at once on a reliable transport). */
void       th_exchange_send_async                    (ThExchange          *self,
                                                      guint8               opcode,
                                                      GBytes              *payload,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean   th_exchange_send_finish                   (ThExchange          *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* Sends a message once, without asking for an acknowledgement, and ends the exchange: for
 * the few messages the protocol sends that way, such as CloseSession. Fails when the message
 * cannot be handed to the transport. */
gboolean   th_exchange_send_unreliable               (ThExchange          *self,
                                                      guint8               opcode,
                                                      GBytes              *payload,
                                                      GError             **error);

/* Ends the exchange: an acknowledgement still owed goes out at once, and a last message
 * not yet acknowledged is still retransmitted until it is, or until MRP gives up. A
 * pending operation fails with G_IO_ERROR_CANCELLED. */
void       th_exchange_close                         (ThExchange          *self);

G_END_DECLS
