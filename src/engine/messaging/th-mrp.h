/* th-mrp.h: the Message Reliability Protocol's parameters and backoff
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The constants of the specification's reliability protocol. */
#define TH_MRP_MAX_TRANSMISSIONS           5
#define TH_MRP_BACKOFF_BASE                1.6
#define TH_MRP_BACKOFF_JITTER              0.25
#define TH_MRP_BACKOFF_MARGIN              1.1
#define TH_MRP_BACKOFF_THRESHOLD           1
#define TH_MRP_STANDALONE_ACK_TIMEOUT_MS   200

/* What a node assumes of a peer that has not said otherwise. */
#define TH_MRP_DEFAULT_IDLE_INTERVAL_MS    500
#define TH_MRP_DEFAULT_ACTIVE_INTERVAL_MS  300
#define TH_MRP_DEFAULT_ACTIVE_THRESHOLD_MS 4000

/* The largest values a node may announce. */
#define TH_MRP_MAX_INTERVAL_MS             3600000
#define TH_MRP_MAX_ACTIVE_THRESHOLD_MS     65535

/* A node's session parameters (SII, SAI, SAT), as it announces them in DNS-SD TXT records
 * and in the PASE and CASE handshakes. */
typedef struct
{
  guint32 idle_interval_ms;
  guint32 active_interval_ms;
  guint32 active_threshold_ms;
} ThMrpParameters;

void    th_mrp_parameters_init_default (ThMrpParameters *parameters);

/* How long to wait after transmission number `transmission` (0 for the first) before
 * sending again: base * MARGIN * BASE^max(0, transmission - THRESHOLD) * (1 + jitter *
 * JITTER), rounded down, where `base` is the peer's active or idle interval and `jitter`
 * is a random fraction in [0, 1]. */
guint32 th_mrp_backoff_ms              (guint32 base_interval_ms,
                                        guint   transmission,
                                        double  jitter);

/* The longest a peer with this base interval keeps retransmitting one message: every
 * backoff with the largest jitter. */
guint32 th_mrp_retransmission_span_ms  (guint32 base_interval_ms);

G_END_DECLS
