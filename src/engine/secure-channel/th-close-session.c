/* th-close-session.c: the CloseSession status report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "th-close-session.h"
#include "th-status-report.h"

gboolean
th_close_session (ThExchangeManager  *manager,
                  ThSession          *session,
                  GError            **error)
{
  g_autoptr(ThExchange) exchange = NULL;
  g_autoptr(GBytes) report = NULL;
  ThStatusReport close = {
    .general_code = TH_GENERAL_STATUS_SUCCESS,
    .protocol_id = TH_STATUS_REPORT_PROTOCOL (0, TH_PROTOCOL_SECURE_CHANNEL),
    .protocol_code = TH_SECURE_CHANNEL_STATUS_CLOSE_SESSION,
  };
  gboolean sent;

  g_return_val_if_fail (TH_IS_EXCHANGE_MANAGER (manager), FALSE);
  g_return_val_if_fail (TH_IS_SESSION (session), FALSE);
  g_return_val_if_fail (th_session_is_secure (session), FALSE);

  if (!th_session_is_open (session))
    return TRUE;

  report = th_status_report_encode (&close);
  exchange = th_exchange_manager_initiate (manager, session, TH_PROTOCOL_SECURE_CHANNEL);
  sent = th_exchange_send_unreliable (exchange, TH_SECURE_CHANNEL_STATUS_REPORT, report, error);
  th_exchange_manager_close_session (manager, session);
  return sent;
}
