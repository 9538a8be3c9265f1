/* th-close-session.h: ending a secure session in a way the peer hears of
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "messaging/th-exchange-manager.h"

G_BEGIN_DECLS

/* Tells the peer that this node ends the secure session, with a CloseSession status report
 * sent once without asking for an acknowledgement (as the SDKs send it), then closes the
 * session in the manager, which fails what still runs on it. The session is closed even when
 * the report cannot be sent; the error then says why it was not. */
gboolean th_close_session (ThExchangeManager  *manager,
                           ThSession          *session,
                           GError            **error);

G_END_DECLS
