/* test-qr-scanner.c: QR codes read from grey frames and from picture files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "th-qr-scanner.h"
#include "th-test-qr.h"

#define MATTER_CODE "MT:Y.K90AFN00KA0648G00"
#define CONCATENATED_CODE "MT:M5L90MP500K64J00000*M5L90U.D010K4J00000"

static void
test_scan_frame (void)
{
  g_autoptr(ThQrScanner) scanner = th_qr_scanner_new (TH_QR_SCANNER_DENSITY_CAMERA);
  g_autofree guint8 *pixels = th_test_qr_draw (MATTER_CODE, 6, 640, 480, 640, 200, 100);
  g_auto(GStrv) codes = th_qr_scanner_scan (scanner, pixels, 640, 480, 640);

  g_assert_cmpuint (g_strv_length (codes), ==, 1);
  g_assert_cmpstr (codes[0], ==, MATTER_CODE);
  g_assert_true (th_qr_code_is_matter (codes[0]));
}

static void
test_scan_small_code (void)
{
  /* A label far from the camera, or a small code in a large photo: the camera's decoder
   * promises modules of three pixels, the photo's two. */
  g_autoptr(ThQrScanner) camera = th_qr_scanner_new (TH_QR_SCANNER_DENSITY_CAMERA);
  g_autoptr(ThQrScanner) photo = th_qr_scanner_new (TH_QR_SCANNER_DENSITY_PHOTO);

  for (guint x = 101; x < 109; x++)
    {
      g_autofree guint8 *three = th_test_qr_draw (MATTER_CODE, 3, 640, 480, 640, x, 301);
      g_autofree guint8 *two = th_test_qr_draw (MATTER_CODE, 2, 640, 480, 640, x, 301);
      g_auto(GStrv) from_camera = th_qr_scanner_scan (camera, three, 640, 480, 640);
      g_auto(GStrv) from_photo = th_qr_scanner_scan (photo, two, 640, 480, 640);

      g_assert_cmpuint (g_strv_length (from_camera), ==, 1);
      g_assert_cmpstr (from_camera[0], ==, MATTER_CODE);
      g_assert_cmpuint (g_strv_length (from_photo), ==, 1);
      g_assert_cmpstr (from_photo[0], ==, MATTER_CODE);
    }
}

static void
test_scan_padded_rows (void)
{
  /* Rows padded past the width, as GStreamer lays out frames whose width is not a multiple
   * of four: the padding is garbage that must not be read as pixels. */
  g_autoptr(ThQrScanner) scanner = th_qr_scanner_new (TH_QR_SCANNER_DENSITY_CAMERA);
  g_autofree guint8 *pixels = th_test_qr_draw (CONCATENATED_CODE, 5, 401, 300, 404, 60, 20);
  g_auto(GStrv) codes = NULL;

  for (guint row = 0; row < 300; row++)
    {
      for (guint pad = 401; pad < 404; pad++)
        pixels[row * 404 + pad] = (row & 1) ? 0x00 : 0xff;
    }
  codes = th_qr_scanner_scan (scanner, pixels, 401, 300, 404);
  g_assert_cmpuint (g_strv_length (codes), ==, 1);
  g_assert_cmpstr (codes[0], ==, CONCATENATED_CODE);
}

static void
test_scan_nothing (void)
{
  g_autoptr(ThQrScanner) scanner = th_qr_scanner_new (TH_QR_SCANNER_DENSITY_CAMERA);
  g_autofree guint8 *blank = g_malloc (320 * 240);
  g_auto(GStrv) none = NULL;
  g_auto(GStrv) empty = NULL;
  GRand *rand = g_rand_new_with_seed (6);

  for (gsize i = 0; i < 320 * 240; i++)
    blank[i] = g_rand_int_range (rand, 0, 256);
  g_rand_free (rand);
  none = th_qr_scanner_scan (scanner, blank, 320, 240, 320);
  g_assert_cmpuint (g_strv_length (none), ==, 0);

  empty = th_qr_scanner_scan (scanner, NULL, 0, 0, 0);
  g_assert_cmpuint (g_strv_length (empty), ==, 0);
}

static void
test_scan_other_code (void)
{
  g_autoptr(ThQrScanner) scanner = th_qr_scanner_new (TH_QR_SCANNER_DENSITY_CAMERA);
  g_autofree guint8 *pixels = th_test_qr_draw ("https://example.com/", 6, 320, 240, 320, 40, 20);
  g_auto(GStrv) codes = th_qr_scanner_scan (scanner, pixels, 320, 240, 320);

  g_assert_cmpuint (g_strv_length (codes), ==, 1);
  g_assert_cmpstr (codes[0], ==, "https://example.com/");
  g_assert_false (th_qr_code_is_matter (codes[0]));
  g_assert_true (th_qr_code_is_matter ("mt:Y.K90AFN00KA0648G00"));
  g_assert_false (th_qr_code_is_matter ("MT"));
  g_assert_false (th_qr_code_is_matter (NULL));
}

/* Pictures */

typedef struct
{
  char *dir;
} PictureFixture;

static void
picture_setup (PictureFixture *fixture,
               gconstpointer   data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("th-qr-scanner-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
picture_teardown (PictureFixture *fixture,
                  gconstpointer   data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static char *
write_qr_picture (PictureFixture *fixture,
                  const char     *text,
                  const char     *name)
{
  char *path = g_build_filename (fixture->dir, name, NULL);
  g_autofree guint8 *pixels = NULL;

  if (text != NULL)
    pixels = th_test_qr_draw (text, 8, 480, 400, 480, 60, 40);
  else
    pixels = g_malloc0 (480 * 400);
  th_test_save_grey_png (pixels, 480, 400, path);
  return path;
}

static void
on_scanned (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static char *
scan_picture (const char    *path,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;

  th_qr_scan_picture_async (file, cancellable, on_scanned, &result);
  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return th_qr_scan_picture_finish (result, error);
}

static void
test_picture_code (PictureFixture *fixture,
                   gconstpointer   data)
{
  g_autofree char *single = write_qr_picture (fixture, MATTER_CODE, "single.png");
  g_autofree char *several = write_qr_picture (fixture, CONCATENATED_CODE, "several.png");
  g_autofree char *small = g_build_filename (fixture->dir, "small.png", NULL);
  g_autofree guint8 *pixels = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  code = scan_picture (single, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (code, ==, MATTER_CODE);
  g_clear_pointer (&code, g_free);

  code = scan_picture (several, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (code, ==, CONCATENATED_CODE);
  g_clear_pointer (&code, g_free);

  /* A small code in a photo: read with every row, unlike the camera's frames. */
  pixels = th_test_qr_draw (MATTER_CODE, 2, 800, 600, 800, 413, 207);
  th_test_save_grey_png (pixels, 800, 600, small);
  code = scan_picture (small, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (code, ==, MATTER_CODE);
}

static void
test_picture_without_code (PictureFixture *fixture,
                           gconstpointer   data)
{
  g_autofree char *blank = write_qr_picture (fixture, NULL, "blank.png");
  g_autofree char *other = write_qr_picture (fixture, "https://example.com/", "other.png");
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  code = scan_picture (blank, NULL, &error);
  g_assert_error (error, TH_QR_SCAN_ERROR, TH_QR_SCAN_ERROR_NOT_FOUND);
  g_assert_null (code);
  g_assert_cmpstr (error->message, ==, "No Matter QR code was found in this picture. "
                                       "Try a sharper photo, or type the code.");
  g_clear_error (&error);

  /* A QR code that is not a Matter code is no help either. */
  code = scan_picture (other, NULL, &error);
  g_assert_error (error, TH_QR_SCAN_ERROR, TH_QR_SCAN_ERROR_NOT_FOUND);
  g_assert_null (code);
}

static void
test_picture_unreadable (PictureFixture *fixture,
                         gconstpointer   data)
{
  g_autofree char *text = g_build_filename (fixture->dir, "notes.txt", NULL);
  g_autofree char *truncated = g_build_filename (fixture->dir, "truncated.png", NULL);
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.png", NULL);
  g_autofree char *whole = write_qr_picture (fixture, MATTER_CODE, "whole.png");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  gsize length;

  g_assert_true (g_file_set_contents (text, "Setup code: 3497-011-2332\n", -1, NULL));
  code = scan_picture (text, NULL, &error);
  g_assert_error (error, TH_QR_SCAN_ERROR, TH_QR_SCAN_ERROR_UNREADABLE);
  g_assert_nonnull (strstr (error->message, "“notes.txt”"));
  g_assert_null (code);
  g_clear_error (&error);

  g_assert_true (g_file_get_contents (whole, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (truncated, contents, length / 3, NULL));
  code = scan_picture (truncated, NULL, &error);
  g_assert_error (error, TH_QR_SCAN_ERROR, TH_QR_SCAN_ERROR_UNREADABLE);
  g_clear_error (&error);

  code = scan_picture (missing, NULL, &error);
  g_assert_error (error, TH_QR_SCAN_ERROR, TH_QR_SCAN_ERROR_UNREADABLE);
  g_assert_nonnull (strstr (error->message, "“missing.png”"));
}

static void
test_picture_cancelled (PictureFixture *fixture,
                        gconstpointer   data)
{
  g_autofree char *single = write_qr_picture (fixture, MATTER_CODE, "single.png");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  code = scan_picture (single, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (code);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/qr-scanner/frame", test_scan_frame);
  g_test_add_func ("/qr-scanner/small-code", test_scan_small_code);
  g_test_add_func ("/qr-scanner/padded-rows", test_scan_padded_rows);
  g_test_add_func ("/qr-scanner/nothing", test_scan_nothing);
  g_test_add_func ("/qr-scanner/other-code", test_scan_other_code);
  g_test_add ("/qr-scanner/picture/code", PictureFixture, NULL,
              picture_setup, test_picture_code, picture_teardown);
  g_test_add ("/qr-scanner/picture/without-code", PictureFixture, NULL,
              picture_setup, test_picture_without_code, picture_teardown);
  g_test_add ("/qr-scanner/picture/unreadable", PictureFixture, NULL,
              picture_setup, test_picture_unreadable, picture_teardown);
  g_test_add ("/qr-scanner/picture/cancelled", PictureFixture, NULL,
              picture_setup, test_picture_cancelled, picture_teardown);

  return g_test_run ();
}
