/* th-qr-image.c: a QR code drawn as a texture, for a code shown on screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <qrencode.h>
#include <string.h>

#include "th-qr-image.h"

/* The light margin around the symbol that the QR specification asks for, in modules. */
#define QUIET_ZONE 4

GdkTexture *
th_qr_image_new (const char  *text,
                 guint        module_px,
                 GError     **error)
{
  QRcode *code;
  g_autoptr(GBytes) bytes = NULL;
  guint8 *pixels;
  gsize side, stride;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (module_px > 0 && module_px <= 64, NULL);

  code = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, TRUE);
  if (code == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("The code cannot be drawn as a QR code: %s"), g_strerror (saved));
      return NULL;
    }

  side = (gsize) (code->width + 2 * QUIET_ZONE) * module_px;
  stride = side * 3;
  pixels = g_malloc (stride * side);
  memset (pixels, 0xFF, stride * side);
  for (int y = 0; y < code->width; y++)
    for (int x = 0; x < code->width; x++)
      {
        /* Bit 0 of each of libqrencode's bytes says whether the module is dark. */
        if ((code->data[y * code->width + x] & 1) == 0)
          continue;
        for (guint dy = 0; dy < module_px; dy++)
          {
            gsize row = ((gsize) (y + QUIET_ZONE) * module_px + dy) * stride;

            memset (pixels + row + (gsize) (x + QUIET_ZONE) * module_px * 3, 0, module_px * 3);
          }
      }
  QRcode_free (code);

  bytes = g_bytes_new_take (pixels, stride * side);
  return gdk_memory_texture_new ((int) side, (int) side, GDK_MEMORY_R8G8B8, bytes, stride);
}
