/* th-deadline.c: the end of a one-shot lookup, by time or by cancellation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "discovery/th-deadline.h"

void
th_deadline_start (ThDeadline             *self,
                   guint                   timeout_ms,
                   GCancellable           *cancellable,
                   GSourceFunc             on_timeout,
                   GCancellableSourceFunc  on_cancelled,
                   gpointer                user_data)
{
  GMainContext *context = g_main_context_get_thread_default ();

  self->timeout = g_timeout_source_new (timeout_ms);
  g_source_set_static_name (self->timeout, "[threshold] lookup timeout");
  g_source_set_callback (self->timeout, on_timeout, user_data, NULL);
  g_source_attach (self->timeout, context);

  if (cancellable != NULL)
    {
      self->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_static_name (self->cancelled, "[threshold] lookup cancelled");
      g_source_set_callback (self->cancelled, G_SOURCE_FUNC (on_cancelled), user_data, NULL);
      g_source_attach (self->cancelled, context);
    }
}

void
th_deadline_stop (ThDeadline *self)
{
  if (self->timeout != NULL)
    {
      g_source_destroy (self->timeout);
      g_clear_pointer (&self->timeout, g_source_unref);
    }
  if (self->cancelled != NULL)
    {
      g_source_destroy (self->cancelled);
      g_clear_pointer (&self->cancelled, g_source_unref);
    }
}
