/* th-test-qr.h: QR codes drawn at test time, for the scanner's tests and benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A white grey picture, `stride` bytes a row, with the QR code of `text` drawn black at
 * (x, y), `module` pixels a module; NULL when it does not fit. */
guint8 *th_test_qr_draw (const char *text,
                         guint       module,
                         guint       width,
                         guint       height,
                         gsize       stride,
                         guint       x,
                         guint       y);
/* Saves a width x height PNG of grey pixels (one byte each, rows packed). */
void    th_test_save_grey_png (const guint8 *pixels,
                               guint         width,
                               guint         height,
                               const char   *path);

G_END_DECLS
