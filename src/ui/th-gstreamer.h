/* th-gstreamer.h: GStreamer set up off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Initializes GStreamer on a worker thread: the first run after an update rebuilds the plugin
 * registry, which takes seconds. Returns at once when it is already done. */
void     th_gstreamer_init_async  (GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
gboolean th_gstreamer_init_finish (GAsyncResult         *result,
                                   GError              **error);

G_END_DECLS
