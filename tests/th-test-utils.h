/* th-test-utils.h: helpers shared by the test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The shared vectors directory: $TH_VECTORS_DIR, set by meson to ../shared/vectors. */
const char *th_test_vectors_dir  (void);
/* Loads a JSON vector file relative to the vectors directory; fails the test if absent. */
JsonNode   *th_test_load_vectors (const char *relative_path);
/* Hex string (any case, no separators) to bytes; fails the test on bad input. */
GBytes     *th_test_hex_to_bytes (const char *hex);
char       *th_test_bytes_to_hex (const guint8 *data,
                                  gsize         len);
/* Skips with the reason, or fails when CI=true: in CI a skipped test is a failure. */
void        th_test_skip_or_fail (const char *reason);
/* A seed for randomised tests: $TH_TEST_SEED or a fresh one; printed to the TAP log. */
guint32     th_test_seed         (void);

#define th_assert_bytes_equal(a, alen, b, blen) \
  G_STMT_START { \
    g_autofree char *__ha = th_test_bytes_to_hex ((a), (alen)); \
    g_autofree char *__hb = th_test_bytes_to_hex ((b), (blen)); \
    g_assert_cmpstr (__ha, ==, __hb); \
  } G_STMT_END

G_END_DECLS
