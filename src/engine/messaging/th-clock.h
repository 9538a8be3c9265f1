/* th-clock.h: monotonic time and one-shot timers, replaceable in tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define TH_TYPE_CLOCK (th_clock_get_type ())

G_DECLARE_DERIVABLE_TYPE (ThClock, th_clock, TH, CLOCK, GObject)

typedef void (*ThClockFunc) (gpointer user_data);

/* The base class is the system clock: monotonic time and GLib timeouts on the thread-default
 * main context of the caller of add_timeout. A test clock overrides all three. */
struct _ThClockClass
{
  GObjectClass parent_class;

  gint64 (*now_ms)         (ThClock     *self);
  guint  (*add_timeout)    (ThClock     *self,
                            guint        delay_ms,
                            ThClockFunc  func,
                            gpointer     user_data);
  void   (*remove_timeout) (ThClock     *self,
                            guint        id);
};

ThClock *th_clock_new_system      (void);

gint64   th_clock_now_ms          (ThClock     *self);
/* Calls func once after delay_ms; the id is never 0. */
guint    th_clock_add_timeout     (ThClock     *self,
                                   guint        delay_ms,
                                   ThClockFunc  func,
                                   gpointer     user_data);
void     th_clock_remove_timeout  (ThClock     *self,
                                   guint        id);

/* Removes the timeout in *id if there is one and sets *id to 0. */
static inline void
th_clock_clear_timeout (ThClock *self,
                        guint   *id)
{
  if (*id != 0)
    th_clock_remove_timeout (self, *id);
  *id = 0;
}

G_END_DECLS
