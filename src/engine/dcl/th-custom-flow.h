/* th-custom-flow.h: a device's custom commissioning flow, out to the manufacturer and back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "dcl/th-custom-flow-url.h"
#include "onboarding/th-setup-payload.h"

G_BEGIN_DECLS

/* How the manufacturer's flow comes back (the CallbackUrl put in MTcu). */
typedef enum
{
  /* http://127.0.0.1:<port>/custom-flow?state=<token>&MTrop=_, served by the flow itself */
  TH_CUSTOM_FLOW_RETURN_LOOPBACK,
  /* threshold://custom-flow?state=<token>&MTrop=_, which the desktop hands to the application
   * that registered the scheme; pass it on with th_custom_flow_handle_uri () */
  TH_CUSTOM_FLOW_RETURN_URI,
} ThCustomFlowReturn;

/* How long a flow waits for the manufacturer when the caller does not say. */
#define TH_CUSTOM_FLOW_DEFAULT_TIMEOUT_MS (30 * 60 * 1000)

#define TH_TYPE_CUSTOM_FLOW (th_custom_flow_get_type ())

G_DECLARE_FINAL_TYPE (ThCustomFlow, th_custom_flow, TH, CUSTOM_FLOW, GObject)

/* Starts a custom flow for the device of `code` (what the user has: QR text or a manual code;
 * one device) whose ledger entry gives `flow_url` (its CommissioningCustomFlowUrl). The URL
 * is checked and expanded at once: the code goes into MTop when the URL asks for it, and when
 * it asks for MTcu a callback bound to a fresh one-time token goes there (for LOOPBACK, the
 * listener on 127.0.0.1 is opened now, on a port of the system's choosing).
 *
 * The flow ends with the first of: a callback with the right token before `timeout_ms` (it
 * resumes with the code in its MTrop, or without one with the user's code),
 * th_custom_flow_resume () (the user says the manufacturer's steps are done), or the timeout.
 * Callbacks without the token, after the end, or once one was taken are refused with a message
 * that says why, and ::callback-refused (GError *) is emitted; the flow goes on waiting.
 *
 * Fails with TH_ERROR_CUSTOM_FLOW_URL for a URL that breaks 5.7.3.1, TH_ERROR_PAYLOAD_* for a
 * code that cannot be read, and G_IO_ERROR_* when the listener cannot be opened. */
ThCustomFlow   *th_custom_flow_new               (const char          *flow_url,
                                                  const char          *code,
                                                  ThCustomFlowReturn   return_kind,
                                                  guint                timeout_ms,
                                                  GError             **error);
/* The ExpandedCommissioningCustomFlowUrl to open. It holds the setup code when the URL asked
 * for it: show it to the user, do not log it. */
const char     *th_custom_flow_get_url           (ThCustomFlow        *self);
/* The callback URL put in MTcu, or NULL when the manufacturer's URL has no MTcu. */
const char     *th_custom_flow_get_callback_url  (ThCustomFlow        *self);
ThCustomFlowUrlWants th_custom_flow_get_wants    (ThCustomFlow        *self);

/* A threshold://custom-flow URI the application was asked to open. FALSE with the reason
 * when it is refused (TH_ERROR_CUSTOM_FLOW_TOKEN, _EXPIRED, _CALLBACK). TRUE when it was
 * taken: the wait ends, with a payload or with what is wrong with the code returned. */
gboolean        th_custom_flow_handle_uri        (ThCustomFlow        *self,
                                                  const char          *uri,
                                                  GError             **error);
/* The user says the manufacturer's steps are done: the flow ends with the user's code, as when
 * a callback returns none. Nothing happens once the flow has ended. */
void            th_custom_flow_resume            (ThCustomFlow        *self);

/* Waits for the end of the flow. */
void            th_custom_flow_wait_async        (ThCustomFlow        *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* The payload to commission the device with: the one the manufacturer's flow returned (then
 * `returned` is TRUE; its flow is standard and its passcode valid), or the user's own. Fails
 * with TH_ERROR_CUSTOM_FLOW_EXPIRED after the timeout, TH_ERROR_CUSTOM_FLOW_CALLBACK when the
 * returned code cannot be used, TH_ERROR_CUSTOM_FLOW_NO_CODE when none was returned and the
 * user's cannot be used (its passcode is 0, as a custom-flow code's may be). */
ThSetupPayload *th_custom_flow_wait_finish       (ThCustomFlow        *self,
                                                  GAsyncResult        *result,
                                                  gboolean            *returned,
                                                  GError             **error);

G_END_DECLS
