/* th-clock.c: monotonic time and one-shot timers, replaceable in tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "th-clock.h"

typedef struct
{
  /* id -> GSource: a GLib source id names a source only within its main context */
  GHashTable *sources;
  guint last_id;
} ThClockPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (ThClock, th_clock, G_TYPE_OBJECT)

typedef struct
{
  ThClock *clock;                 /* unowned: the clock destroys its sources first */
  ThClockFunc func;
  gpointer user_data;
  guint id;
} Timeout;

static gboolean
timeout_dispatch (gpointer data)
{
  Timeout *timeout = data;
  ThClockPrivate *priv = th_clock_get_instance_private (timeout->clock);

  /* Forget the source before the callback, which may add or remove other timeouts. */
  g_hash_table_remove (priv->sources, GUINT_TO_POINTER (timeout->id));
  timeout->func (timeout->user_data);
  return G_SOURCE_REMOVE;
}

static gint64
th_clock_real_now_ms (ThClock *self)
{
  return g_get_monotonic_time () / 1000;
}

static guint
th_clock_real_add_timeout (ThClock     *self,
                           guint        delay_ms,
                           ThClockFunc  func,
                           gpointer     user_data)
{
  ThClockPrivate *priv = th_clock_get_instance_private (self);
  GSource *source = g_timeout_source_new (delay_ms);
  Timeout *timeout = g_new0 (Timeout, 1);

  timeout->clock = self;
  timeout->func = func;
  timeout->user_data = user_data;
  g_source_set_static_name (source, "[threshold] clock timeout");
  g_source_set_callback (source, timeout_dispatch, timeout, g_free);
  do
    timeout->id = ++priv->last_id;
  while (timeout->id == 0 || g_hash_table_contains (priv->sources, GUINT_TO_POINTER (timeout->id)));
  g_source_attach (source, g_main_context_get_thread_default ());
  /* The table holds the only reference: removing the entry destroys the source. */
  g_hash_table_insert (priv->sources, GUINT_TO_POINTER (timeout->id), source);
  return timeout->id;
}

static void
th_clock_real_remove_timeout (ThClock *self,
                              guint    id)
{
  ThClockPrivate *priv = th_clock_get_instance_private (self);

  g_hash_table_remove (priv->sources, GUINT_TO_POINTER (id));
}

static void
destroy_source (gpointer data)
{
  GSource *source = data;

  g_source_destroy (source);
  g_source_unref (source);
}

static void
th_clock_finalize (GObject *object)
{
  ThClock *self = TH_CLOCK (object);
  ThClockPrivate *priv = th_clock_get_instance_private (self);

  g_hash_table_unref (priv->sources);

  G_OBJECT_CLASS (th_clock_parent_class)->finalize (object);
}

static void
th_clock_class_init (ThClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = th_clock_finalize;

  klass->now_ms = th_clock_real_now_ms;
  klass->add_timeout = th_clock_real_add_timeout;
  klass->remove_timeout = th_clock_real_remove_timeout;
}

static void
th_clock_init (ThClock *self)
{
  ThClockPrivate *priv = th_clock_get_instance_private (self);

  priv->sources = g_hash_table_new_full (NULL, NULL, NULL, destroy_source);
}

ThClock *
th_clock_new_system (void)
{
  return g_object_new (TH_TYPE_CLOCK, NULL);
}

gint64
th_clock_now_ms (ThClock *self)
{
  g_return_val_if_fail (TH_IS_CLOCK (self), 0);

  return TH_CLOCK_GET_CLASS (self)->now_ms (self);
}

guint
th_clock_add_timeout (ThClock     *self,
                      guint        delay_ms,
                      ThClockFunc  func,
                      gpointer     user_data)
{
  g_return_val_if_fail (TH_IS_CLOCK (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  return TH_CLOCK_GET_CLASS (self)->add_timeout (self, delay_ms, func, user_data);
}

void
th_clock_remove_timeout (ThClock *self,
                         guint    id)
{
  g_return_if_fail (TH_IS_CLOCK (self));
  g_return_if_fail (id != 0);

  TH_CLOCK_GET_CLASS (self)->remove_timeout (self, id);
}
