/* th-im-client.h: Interaction Model read, invoke and write over a secure session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each call runs one interaction on a new exchange of `session` (secured by PASE or CASE) and
 * ends it. Errors name the attributes or the command in words where they are known:
 * TH_ERROR_IM_STATUS when the device answers with a failure status, TH_ERROR_IM_PROTOCOL when
 * its answer is malformed or not the one the interaction calls for, TH_ERROR_TIMED_OUT when it
 * stops answering, TH_ERROR_SESSION_CLOSED when the session ends, G_IO_ERROR_CANCELLED.
 */
#pragma once

#include <gio/gio.h>

#include "messaging/th-exchange-manager.h"
#include "th-im.h"

G_BEGIN_DECLS

/* Most ReportData messages one read takes: far more than any device needs, and a bound on
 * what a device that never stops can make this node keep. */
#define TH_IM_READ_MAX_CHUNKS 4096

/* Reads attributes (fabric-filtered). A device that splits the report over several
 * ReportData messages gets a StatusResponse after each one that says more follow, and the
 * chunks are merged. Attributes the device answered with a status instead of data stay in the
 * result as that status: th_im_attribute_values_lookup() and the typed getters report it. */
void                 th_im_read_async    (ThExchangeManager        *manager,
                                          ThSession                *session,
                                          const ThImAttributePath  *paths,
                                          gsize                     n_paths,
                                          GCancellable             *cancellable,
                                          GAsyncReadyCallback       callback,
                                          gpointer                  user_data);
ThImAttributeValues *th_im_read_finish   (ThExchangeManager        *manager,
                                          GAsyncResult             *result,
                                          GError                  **error);

/* Invokes one command. `response_command` is the id of the command the device answers with,
 * or TH_IM_NO_RESPONSE_COMMAND for a command answered by a status. A non-zero
 * `timed_timeout_ms` makes it a timed invoke: a TimedRequest with that timeout goes first,
 * and the command follows once the device accepted it. */
void                 th_im_invoke_async  (ThExchangeManager        *manager,
                                          ThSession                *session,
                                          const ThImCommand        *command,
                                          guint32                   response_command,
                                          guint16                   timed_timeout_ms,
                                          GCancellable             *cancellable,
                                          GAsyncReadyCallback       callback,
                                          gpointer                  user_data);
/* `fields` receives the response command's fields, a structure with its context tag as the
 * cluster decoders take it, or NULL for a command answered by a status. */
gboolean             th_im_invoke_finish (ThExchangeManager        *manager,
                                          GAsyncResult             *result,
                                          GBytes                  **fields,
                                          GError                  **error);

/* Writes one attribute: `data` is the new value as one anonymous TLV element. A non-zero
 * `timed_timeout_ms` makes it a timed write. */
void                 th_im_write_async   (ThExchangeManager        *manager,
                                          ThSession                *session,
                                          const ThImAttributePath  *path,
                                          GBytes                   *data,
                                          guint16                   timed_timeout_ms,
                                          GCancellable             *cancellable,
                                          GAsyncReadyCallback       callback,
                                          gpointer                  user_data);
gboolean             th_im_write_finish  (ThExchangeManager        *manager,
                                          GAsyncResult             *result,
                                          GError                  **error);

G_END_DECLS
