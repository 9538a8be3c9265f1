/* th-btp-session.h: one BTP session, the protocol alone: handshake, segmentation and
 * reassembly, acknowledgements and the receive window, timers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "th-btp-codec.h"
#include "th-clock.h"

G_BEGIN_DECLS

/* The specification's timers. */
#define TH_BTP_HANDSHAKE_TIMEOUT_MS  5000    /* BTP_CONN_RSP_TIMEOUT: request to response */
#define TH_BTP_ACK_TIMEOUT_MS        15000   /* BTP_ACK_TIMEOUT: a sent packet's ack is due */
#define TH_BTP_IDLE_TIMEOUT_MS       30000   /* BTP_CONN_IDLE_TIMEOUT: the central's idle limit */
/* How long a received packet may wait for an acknowledgement to ride on outgoing data before
 * it gets a stand-alone one: well inside the peer's BTP_ACK_TIMEOUT, as the SDKs do. */
#define TH_BTP_ACK_DELAY_MS          2500
/* The receive window this side offers unless told otherwise. */
#define TH_BTP_DEFAULT_WINDOW_SIZE   6

typedef enum
{
  TH_BTP_ROLE_CENTRAL,      /* the commissioner: writes C1, subscribes to C2 */
  TH_BTP_ROLE_PERIPHERAL,   /* the device: takes C1 writes, indicates on C2 */
} ThBtpRole;

typedef enum
{
  TH_BTP_SESSION_NEW,
  TH_BTP_SESSION_HANDSHAKING,
  TH_BTP_SESSION_OPEN,
  TH_BTP_SESSION_CLOSED,
} ThBtpSessionState;

#define TH_TYPE_BTP_SESSION (th_btp_session_get_type ())

G_DECLARE_FINAL_TYPE (ThBtpSession, th_btp_session, TH, BTP_SESSION, GObject)

/* What the session needs of whoever carries its packets. The session never has more than
 * one write outstanding: after `write` it waits for th_btp_session_write_done(). */
typedef struct
{
  /* A packet for the peer: a C1 write from the central, a C2 indication from the peripheral. */
  void (*write)     (ThBtpSession *session,
                     GBytes       *packet,
                     gpointer      user_data);
  /* The central's handshake request is written: subscribe to C2, where the response comes.
   * Never called for the peripheral. */
  void (*subscribe) (ThBtpSession *session,
                     gpointer      user_data);
  void (*opened)    (ThBtpSession *session,
                     gpointer      user_data);
  /* A whole message from the peer. */
  void (*message)   (ThBtpSession *session,
                     GBytes       *message,
                     gpointer      user_data);
  /* The session ended: with the reason, or NULL when closed on this side. Called once. */
  void (*closed)    (ThBtpSession *session,
                     const GError *error,
                     gpointer      user_data);
} ThBtpSessionCallbacks;

/* Timers run on `clock`. The callbacks may close the session, but not free it. */
ThBtpSession      *th_btp_session_new              (ThBtpRole                    role,
                                                    ThClock                     *clock,
                                                    const ThBtpSessionCallbacks *callbacks,
                                                    gpointer                     user_data);
/* The most unacknowledged packets this side takes (1 to 255); before start. */
void               th_btp_session_set_window_size  (ThBtpSession                *self,
                                                    guint8                       window_size);
/* The central writes its handshake request; the peripheral waits for one. `att_mtu` is the
 * link's ATT MTU as this side knows it, 0 when it does not. */
void               th_btp_session_start            (ThBtpSession                *self,
                                                    guint16                      att_mtu);
/* The peripheral: the central subscribed to C2, so the handshake response can go. */
void               th_btp_session_peer_subscribed  (ThBtpSession                *self);
/* A packet from the peer: a C2 indication at the central, a C1 write at the peripheral. A
 * packet that breaks the protocol closes the session with TH_ERROR_BTP_PROTOCOL. */
void               th_btp_session_receive          (ThBtpSession                *self,
                                                    const guint8                *data,
                                                    gsize                        len);
/* The last write reached the peer (GATT write response or indication confirmation). */
void               th_btp_session_write_done       (ThBtpSession                *self);
/* Queues a whole message (1 to 65535 bytes) for the open session. */
gboolean           th_btp_session_send             (ThBtpSession                *self,
                                                    GBytes                      *message,
                                                    GError                     **error);
/* Ends the session: with `error` as the reason (copied), or NULL for a close on this side. */
void               th_btp_session_close            (ThBtpSession                *self,
                                                    const GError                *error);

ThBtpRole          th_btp_session_get_role         (ThBtpSession                *self);
ThBtpSessionState  th_btp_session_get_state        (ThBtpSession                *self);
/* Once open: what the handshake settled. */
guint16            th_btp_session_get_segment_size (ThBtpSession                *self);
guint8             th_btp_session_get_window_size  (ThBtpSession                *self);
/* Why the session closed; NULL while it is open or when it was closed on this side. */
const GError      *th_btp_session_get_error        (ThBtpSession                *self);

G_END_DECLS
