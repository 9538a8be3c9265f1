/* th-qr-image.h: a QR code drawn as a texture, for a code shown on screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* `text` as a QR code (error correction M), black modules of `module_px` pixels on white with
 * the four-module quiet zone a scanner needs. NULL with a G_IO_ERROR when libqrencode cannot
 * encode it (too long). */
GdkTexture *th_qr_image_new (const char  *text,
                             guint        module_px,
                             GError     **error);

G_END_DECLS
