/* th-test-fast-clock.c: the system clock, run faster, for tests over real sockets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "th-test-fast-clock.h"

struct _ThTestFastClock
{
  ThClock parent_instance;

  guint speedup;
};

G_DEFINE_FINAL_TYPE (ThTestFastClock, th_test_fast_clock, TH_TYPE_CLOCK)

static gint64
fast_now_ms (ThClock *clock)
{
  ThTestFastClock *self = TH_TEST_FAST_CLOCK (clock);

  return g_get_monotonic_time () / 1000 * self->speedup;
}

static guint
fast_add_timeout (ThClock     *clock,
                  guint        delay_ms,
                  ThClockFunc  func,
                  gpointer     user_data)
{
  ThTestFastClock *self = TH_TEST_FAST_CLOCK (clock);
  ThClockClass *parent_class = TH_CLOCK_CLASS (th_test_fast_clock_parent_class);

  return parent_class->add_timeout (clock, MAX (1, delay_ms / self->speedup), func, user_data);
}

static void
th_test_fast_clock_class_init (ThTestFastClockClass *klass)
{
  ThClockClass *clock_class = TH_CLOCK_CLASS (klass);

  clock_class->now_ms = fast_now_ms;
  clock_class->add_timeout = fast_add_timeout;
}

static void
th_test_fast_clock_init (ThTestFastClock *self)
{
  self->speedup = 1;
}

ThClock *
th_test_fast_clock_new (guint speedup)
{
  ThTestFastClock *self = g_object_new (TH_TYPE_TEST_FAST_CLOCK, NULL);

  g_return_val_if_fail (speedup > 0, NULL);

  self->speedup = speedup;
  return TH_CLOCK (self);
}
