/* th-deadline.h: the end of a one-shot lookup, by time or by cancellation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A timeout and a cancellable, both on the thread-default main context, whichever comes
 * first. */
typedef struct
{
  GSource *timeout;
  GSource *cancelled;
} ThDeadline;

void th_deadline_start (ThDeadline             *self,
                        guint                   timeout_ms,
                        GCancellable           *cancellable,
                        GSourceFunc             on_timeout,
                        GCancellableSourceFunc  on_cancelled,
                        gpointer                user_data);
void th_deadline_stop  (ThDeadline             *self);

G_END_DECLS
