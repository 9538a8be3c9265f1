/* th-mrp.c: the Message Reliability Protocol's parameters and backoff
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "th-mrp.h"

void
th_mrp_parameters_init_default (ThMrpParameters *parameters)
{
  parameters->idle_interval_ms = TH_MRP_DEFAULT_IDLE_INTERVAL_MS;
  parameters->active_interval_ms = TH_MRP_DEFAULT_ACTIVE_INTERVAL_MS;
  parameters->active_threshold_ms = TH_MRP_DEFAULT_ACTIVE_THRESHOLD_MS;
}

guint32
th_mrp_backoff_ms (guint32 base_interval_ms,
                   guint   transmission,
                   double  jitter)
{
  int exponent = MAX (0, (int) MIN (transmission, 64) - TH_MRP_BACKOFF_THRESHOLD);
  double ms;

  jitter = CLAMP (jitter, 0.0, 1.0);
  ms = base_interval_ms * TH_MRP_BACKOFF_MARGIN * pow (TH_MRP_BACKOFF_BASE, exponent) *
       (1.0 + jitter * TH_MRP_BACKOFF_JITTER);
  /* Intervals come from peers; never let a huge one wrap around. */
  return ms >= G_MAXUINT32 ? G_MAXUINT32 : (guint32) floor (ms);
}

guint32
th_mrp_retransmission_span_ms (guint32 base_interval_ms)
{
  guint64 span = 0;

  for (guint i = 0; i < TH_MRP_MAX_TRANSMISSIONS; i++)
    span += th_mrp_backoff_ms (base_interval_ms, i, 1.0);
  return (guint32) MIN (span, G_MAXUINT32);
}
