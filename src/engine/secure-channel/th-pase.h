/* th-pase.h: establishing a PASE session with a device through the exchange manager
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "messaging/th-exchange-manager.h"
#include "onboarding/th-setup-payload.h"
#include "th-pase-messages.h"

G_BEGIN_DECLS

/* How long a device may take to act on each PASE message before it answers, beyond the
 * time its answer may spend in retransmissions: the SDKs allow 30 s per step. */
#define TH_PASE_PROCESSING_TIME_MS 30000

/* The PBKDF parameters a QR code may carry (both the iterations and the salt), for
 * th_pase_establish_async(). Returns FALSE with TH_ERROR_PAYLOAD_FIELD when they are out of the
 * specification's bounds; sets `*has_parameters` to FALSE when the payload lacks them. */
gboolean   th_pbkdf_parameters_from_payload (const ThSetupPayload *payload,
                                             ThPbkdfParameters    *parameters,
                                             gboolean             *has_parameters,
                                             GError              **error);

/* Runs PASE as the commissioner on `unsecured_session` (from
 * th_exchange_manager_open_unsecured_session()): PBKDFParamRequest, Pake1, Pake3, and the
 * device's final status report. `pbkdf_parameters` may be NULL; when given (from the QR
 * code) the device may leave them out of its response. The new secure session announces
 * the manager's local MRP parameters and takes the device's from its response. The unsecured
 * session is left open: a status report telling the device why the handshake failed may
 * still be on its way on it; close it once it is of no more use.
 *
 * Fails with TH_ERROR_PASE_WRONG_PASSCODE when the passcode does not match the device,
 * TH_ERROR_BUSY when the device is busy with another commissioner, TH_ERROR_STATUS_REPORT
 * when it refuses for another reason, TH_ERROR_PASE_PROTOCOL when its messages are wrong,
 * TH_ERROR_TIMED_OUT naming the step when it stops answering, and G_IO_ERROR_CANCELLED. */
void       th_pase_establish_async  (ThExchangeManager        *manager,
                                     ThSession                *unsecured_session,
                                     guint32                   passcode,
                                     const ThPbkdfParameters  *pbkdf_parameters,
                                     GCancellable             *cancellable,
                                     GAsyncReadyCallback       callback,
                                     gpointer                  user_data);
/* The secure PASE session, added to the manager. */
ThSession *th_pase_establish_finish (ThExchangeManager        *manager,
                                     GAsyncResult             *result,
                                     GError                  **error);

G_END_DECLS
