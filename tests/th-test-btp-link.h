/* th-test-btp-link.h: an in-memory GATT connection for BTP, both ends in one process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "messaging/th-btp-link.h"

G_BEGIN_DECLS

#define TH_TYPE_TEST_BTP_LINK (th_test_btp_link_get_type ())

G_DECLARE_FINAL_TYPE (ThTestBtpLink, th_test_btp_link, TH, TEST_BTP_LINK, GObject)

/* The two ends of one connection with this ATT MTU (0: neither end knows it). A packet
 * written at one end arrives at the other on a later main-loop iteration, and the write
 * completes right after, as a GATT write response or indication confirmation would. */
void     th_test_btp_link_new_pair        (guint16          att_mtu,
                                           ThTestBtpLink  **central,
                                           ThTestBtpLink  **peripheral);
/* The next write at this end fails with `error` and reaches nobody. */
void     th_test_btp_link_fail_next_write (ThTestBtpLink   *self,
                                           const GError    *error);
/* Writes made at this end so far. */
guint    th_test_btp_link_get_n_written   (ThTestBtpLink   *self);
gboolean th_test_btp_link_is_closed       (ThTestBtpLink   *self);
/* Runs the main context until nothing is in flight on any link. */
void     th_test_btp_link_settle          (void);

G_END_DECLS
