/* th-test-transport.h: an in-memory transport whose datagrams a test delivers by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "messaging/th-clock.h"
#include "messaging/th-transport.h"

G_BEGIN_DECLS

#define TH_TYPE_TEST_TRANSPORT (th_test_transport_get_type ())

G_DECLARE_FINAL_TYPE (ThTestTransport, th_test_transport, TH, TEST_TRANSPORT, GObject)

/* Sent datagrams wait in an outbox, stamped with the clock's time, until the test pops,
 * delivers or drops them. `address` is what peers see as the sender. */
ThTestTransport *th_test_transport_new        (GSocketAddress  *address,
                                               ThClock         *clock,
                                               gboolean         reliable);
GSocketAddress  *th_test_transport_get_address (ThTestTransport *self);
guint            th_test_transport_get_n_sent (ThTestTransport *self);
/* The oldest datagram in the outbox, removed from it; NULL when empty. */
GBytes          *th_test_transport_pop_sent   (ThTestTransport *self,
                                               gint64          *sent_ms,
                                               GSocketAddress **to);
/* Hands every datagram in the outbox to `peer`, as sent from this transport. */
guint            th_test_transport_deliver    (ThTestTransport *self,
                                               ThTestTransport *peer);
gboolean         th_test_transport_is_closed  (ThTestTransport *self);

G_END_DECLS
