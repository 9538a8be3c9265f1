/* th-btp-transport.h: Matter messages over BTP, on a GATT link
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "th-btp-link.h"
#include "th-btp-session.h"
#include "th-clock.h"
#include "th-transport.h"

G_BEGIN_DECLS

#define TH_TYPE_BTP_TRANSPORT (th_btp_transport_get_type ())

G_DECLARE_FINAL_TYPE (ThBtpTransport, th_btp_transport, TH, BTP_TRANSPORT, GObject)

/* A point-to-point, reliable ThTransport: messages go to and come from the one peer at the
 * other end of `link` (the peer address is always NULL), in order, and the message layer
 * leaves MRP out. `role` is TH_BTP_ROLE_CENTRAL for a commissioner; the peripheral role is
 * what a device runs. A NULL clock is the system one.
 *
 * ::closed (GError *error) is emitted once when an open session ends other than by
 * th_transport_close(): the link dropped, the peer broke the protocol or stopped
 * acknowledging, or the central's idle limit ran out. */
ThBtpTransport *th_btp_transport_new             (ThBtpLink            *link,
                                                  ThBtpRole             role,
                                                  ThClock              *clock);
/* The most unacknowledged packets this side takes (default TH_BTP_DEFAULT_WINDOW_SIZE);
 * before opening. */
void            th_btp_transport_set_window_size (ThBtpTransport       *self,
                                                  guint8                window_size);
/* The BTP handshake: the central writes its request and subscribes to C2; the peripheral
 * waits for the central's request and subscription. Fails with TH_ERROR_TIMED_OUT,
 * TH_ERROR_BTP_PROTOCOL, TH_ERROR_TRANSPORT when the link fails, or G_IO_ERROR_CANCELLED. */
void            th_btp_transport_open_async      (ThBtpTransport       *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean        th_btp_transport_open_finish     (ThBtpTransport       *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
ThBtpSession   *th_btp_transport_get_session     (ThBtpTransport       *self);
/* Why the session ended, or NULL. */
const GError   *th_btp_transport_get_error       (ThBtpTransport       *self);

G_END_DECLS
