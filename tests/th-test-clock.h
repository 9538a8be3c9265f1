/* th-test-clock.h: a clock that moves only when a test says so
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "messaging/th-clock.h"

G_BEGIN_DECLS

#define TH_TYPE_TEST_CLOCK (th_test_clock_get_type ())

G_DECLARE_FINAL_TYPE (ThTestClock, th_test_clock, TH, TEST_CLOCK, ThClock)

ThTestClock *th_test_clock_new             (void);
/* Moves time forward, firing each timeout that falls due, in order, at its own time. */
void         th_test_clock_advance         (ThTestClock *self,
                                            guint        ms);
/* Moves time to the earliest pending timeout and fires it (and any due at the same time).
 * Returns how far time moved, or -1 when nothing is pending. */
gint64       th_test_clock_advance_to_next (ThTestClock *self);
guint        th_test_clock_get_n_pending   (ThTestClock *self);

G_END_DECLS
