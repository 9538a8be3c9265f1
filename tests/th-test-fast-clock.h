/* th-test-fast-clock.h: the system clock, run faster, for tests over real sockets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "messaging/th-clock.h"

G_BEGIN_DECLS

#define TH_TYPE_TEST_FAST_CLOCK (th_test_fast_clock_get_type ())

G_DECLARE_FINAL_TYPE (ThTestFastClock, th_test_fast_clock, TH, TEST_FAST_CLOCK, ThClock)

/* Time runs `speedup` times faster than the system's, so that waiting out a handshake's
 * generous response times takes a moment while the peer, on the system clock, answers in
 * real time. */
ThClock *th_test_fast_clock_new (guint speedup);

G_END_DECLS
