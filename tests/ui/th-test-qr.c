/* th-test-qr.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gtk/gtk.h>
#include <qrencode.h>
#include <string.h>

#include "th-test-qr.h"

guint8 *
th_test_qr_draw (const char *text,
                 guint       module,
                 guint       width,
                 guint       height,
                 gsize       stride,
                 guint       x,
                 guint       y)
{
  QRcode *code = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  guint8 *pixels;
  guint side;

  g_assert_nonnull (code);
  side = (guint) code->width * module;
  if (x + side > width || y + side > height || stride < width)
    {
      QRcode_free (code);
      return NULL;
    }

  pixels = g_malloc (stride * height);
  memset (pixels, 0xff, stride * height);
  for (guint row = 0; row < side; row++)
    {
      for (guint column = 0; column < side; column++)
        {
          /* Bit 0 of each libqrencode module is set for a dark module. */
          guint8 dark = code->data[(row / module) * code->width + column / module] & 1;

          pixels[(y + row) * stride + x + column] = dark ? 0x00 : 0xff;
        }
    }
  QRcode_free (code);
  return pixels;
}

void
th_test_save_grey_png (const guint8 *pixels,
                       guint         width,
                       guint         height,
                       const char   *path)
{
  g_autofree guint8 *rgb = g_malloc ((gsize) width * height * 3);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  for (gsize i = 0; i < (gsize) width * height; i++)
    memset (rgb + i * 3, pixels[i], 3);
  bytes = g_bytes_new (rgb, (gsize) width * height * 3);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8, bytes, width * 3);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}
