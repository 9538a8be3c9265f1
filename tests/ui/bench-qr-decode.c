/* bench-qr-decode.c: time to look for QR codes in one 640x480 camera frame, through the
 * decoder the camera and photos share (th_qr_scanner_scan), set up as the camera uses it.
 *
 * The camera's decoder, which reads every other row and column. Frames are drawn like a
 * webcam's: a grey scene with noise, lower contrast, the code at
 * different sizes and places; half hold a Matter code, half hold none (most frames a scanner
 * sees). Prints the median and the 90th percentile of each kind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <stdlib.h>
#include <time.h>

#include "th-qr-scanner.h"
#include "th-test-qr.h"

#define WIDTH 640
#define HEIGHT 480
#define FRAMES 200
#define CODE "MT:Y.K90AFN00KA0648G00"

static int
compare_times (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Lower contrast and sensor noise. */
static void
make_camera_like (guint8 *pixels,
                  GRand  *rand)
{
  for (gsize i = 0; i < (gsize) WIDTH * HEIGHT; i++)
    {
      int value = 40 + pixels[i] * 160 / 255 + g_rand_int_range (rand, -12, 13);

      pixels[i] = CLAMP (value, 0, 255);
    }
}

static guint8 *
draw_frame (GRand    *rand,
            gboolean  with_code)
{
  guint module = g_rand_int_range (rand, 4, 8);
  guint8 *pixels;

  if (with_code)
    {
      /* A 25-module code (version 2) and its quiet zone fit anywhere below these bounds. */
      pixels = th_test_qr_draw (CODE, module, WIDTH, HEIGHT, WIDTH,
                                g_rand_int_range (rand, 4 * module, WIDTH - 33 * module),
                                g_rand_int_range (rand, 4 * module, HEIGHT - 33 * module));
      g_assert_nonnull (pixels);
    }
  else
    {
      pixels = g_malloc (WIDTH * HEIGHT);
      /* A scene without a code: soft gradients, which is what a desk or a wall looks like. */
      for (guint y = 0; y < HEIGHT; y++)
        for (guint x = 0; x < WIDTH; x++)
          pixels[y * WIDTH + x] = (guint8) ((x * 3 + y * 2 + module * 20) % 256);
    }
  make_camera_like (pixels, rand);
  return pixels;
}

/* Processor time of this thread, in microseconds: less disturbed than the wall clock by
 * whatever else the machine runs. */
static gint64
thread_time (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

static void
report (const char *what,
        gint64     *times,
        gint64     *cpu,
        guint       n)
{
  qsort (times, n, sizeof (gint64), compare_times);
  qsort (cpu, n, sizeof (gint64), compare_times);
  g_print ("%-26s median %6.2f ms (processor %6.2f ms)   p90 %6.2f ms   (%u frames)\n", what,
           times[n / 2] / 1000.0, cpu[n / 2] / 1000.0, times[n * 9 / 10] / 1000.0, n);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(ThQrScanner) scanner = th_qr_scanner_new (TH_QR_SCANNER_DENSITY_CAMERA);
  GRand *rand = g_rand_new_with_seed (1234);
  gint64 with_code[FRAMES / 2], with_code_cpu[FRAMES / 2];
  gint64 without_code[FRAMES / 2], without_code_cpu[FRAMES / 2];
  guint decoded = 0;

  for (guint i = 0; i < FRAMES; i++)
    {
      gboolean has_code = i % 2 == 0;
      g_autofree guint8 *frame = draw_frame (rand, has_code);
      g_auto(GStrv) codes = NULL;
      gint64 start = g_get_monotonic_time ();
      gint64 start_cpu = thread_time ();

      codes = th_qr_scanner_scan (scanner, frame, WIDTH, HEIGHT, WIDTH);
      (has_code ? with_code : without_code)[i / 2] = g_get_monotonic_time () - start;
      (has_code ? with_code_cpu : without_code_cpu)[i / 2] = thread_time () - start_cpu;

      if (has_code && codes[0] != NULL && g_str_equal (codes[0], CODE))
        decoded++;
      else if (!has_code && codes[0] != NULL)
        g_error ("a frame without a code gave “%s”", codes[0]);
    }
  g_rand_free (rand);

  g_print ("QR decode, 640x480 grey frames (target: under 15 ms a frame)\n");
  report ("frames with a Matter code", with_code, with_code_cpu, FRAMES / 2);
  report ("frames without a code", without_code, without_code_cpu, FRAMES / 2);
  g_print ("codes read: %u of %u\n", decoded, FRAMES / 2);

  /* A figure for frames it cannot read would measure the wrong thing. */
  return decoded == FRAMES / 2 ? EXIT_SUCCESS : EXIT_FAILURE;
}
