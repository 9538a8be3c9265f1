/* th-test-clock.c: a clock that moves only when a test says so
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "th-test-clock.h"

typedef struct
{
  guint id;
  gint64 due_ms;
  guint64 order;                        /* timeouts due together fire as they were added */
  ThClockFunc func;
  gpointer user_data;
} Timeout;

struct _ThTestClock
{
  ThClock parent_instance;

  gint64 now_ms;
  guint last_id;
  guint64 last_order;
  GList *timeouts;                      /* Timeout, by due time then order */
};

G_DEFINE_FINAL_TYPE (ThTestClock, th_test_clock, TH_TYPE_CLOCK)

static gint
compare_timeouts (gconstpointer a,
                  gconstpointer b)
{
  const Timeout *ta = a;
  const Timeout *tb = b;

  if (ta->due_ms != tb->due_ms)
    return ta->due_ms < tb->due_ms ? -1 : 1;
  return ta->order < tb->order ? -1 : 1;
}

static gint64
th_test_clock_now_ms (ThClock *clock)
{
  return TH_TEST_CLOCK (clock)->now_ms;
}

static guint
th_test_clock_add_timeout (ThClock     *clock,
                           guint        delay_ms,
                           ThClockFunc  func,
                           gpointer     user_data)
{
  ThTestClock *self = TH_TEST_CLOCK (clock);
  Timeout *timeout = g_new0 (Timeout, 1);

  timeout->id = ++self->last_id;
  timeout->due_ms = self->now_ms + delay_ms;
  timeout->order = ++self->last_order;
  timeout->func = func;
  timeout->user_data = user_data;
  self->timeouts = g_list_insert_sorted (self->timeouts, timeout, compare_timeouts);
  return timeout->id;
}

static void
th_test_clock_remove_timeout (ThClock *clock,
                              guint    id)
{
  ThTestClock *self = TH_TEST_CLOCK (clock);

  for (GList *l = self->timeouts; l != NULL; l = l->next)
    {
      Timeout *timeout = l->data;

      if (timeout->id == id)
        {
          self->timeouts = g_list_delete_link (self->timeouts, l);
          g_free (timeout);
          return;
        }
    }
}

static void
th_test_clock_finalize (GObject *object)
{
  ThTestClock *self = TH_TEST_CLOCK (object);

  g_list_free_full (self->timeouts, g_free);

  G_OBJECT_CLASS (th_test_clock_parent_class)->finalize (object);
}

static void
th_test_clock_class_init (ThTestClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ThClockClass *clock_class = TH_CLOCK_CLASS (klass);

  object_class->finalize = th_test_clock_finalize;
  clock_class->now_ms = th_test_clock_now_ms;
  clock_class->add_timeout = th_test_clock_add_timeout;
  clock_class->remove_timeout = th_test_clock_remove_timeout;
}

static void
th_test_clock_init (ThTestClock *self)
{
  /* Far from zero, so that nothing passes for "never". */
  self->now_ms = 1000000;
}

ThTestClock *
th_test_clock_new (void)
{
  return g_object_new (TH_TYPE_TEST_CLOCK, NULL);
}

static void
fire_due (ThTestClock *self,
          gint64       until_ms)
{
  while (self->timeouts != NULL && ((Timeout *) self->timeouts->data)->due_ms <= until_ms)
    {
      Timeout *timeout = self->timeouts->data;

      self->timeouts = g_list_delete_link (self->timeouts, self->timeouts);
      self->now_ms = timeout->due_ms;
      timeout->func (timeout->user_data);
      g_free (timeout);
    }
}

void
th_test_clock_advance (ThTestClock *self,
                       guint        ms)
{
  gint64 target = self->now_ms + ms;

  fire_due (self, target);
  self->now_ms = target;
}

gint64
th_test_clock_advance_to_next (ThTestClock *self)
{
  gint64 start = self->now_ms;

  if (self->timeouts == NULL)
    return -1;
  fire_due (self, ((Timeout *) self->timeouts->data)->due_ms);
  return self->now_ms - start;
}

guint
th_test_clock_get_n_pending (ThTestClock *self)
{
  return g_list_length (self->timeouts);
}
