/* test-camera.c: the camera's states, its preview and the codes it reports, fed from
 * stand-in sources
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gtk/gtk.h>

#include "th-camera.h"
#include "th-test-qr.h"
#include "th-test-utils.h"

#define MATTER_CODE "MT:Y.K90AFN00KA0648G00"

typedef struct
{
  char *dir;
  char *qr_png;
  GPtrArray *codes;
} Fixture;

static void
setup (Fixture       *fixture,
       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *pixels = NULL;

  fixture->dir = g_dir_make_tmp ("th-camera-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->qr_png = g_build_filename (fixture->dir, "qr.png", NULL);
  pixels = th_test_qr_draw (MATTER_CODE, 8, 320, 240, 320, 60, 10);
  th_test_save_grey_png (pixels, 320, 240, fixture->qr_png);
  fixture->codes = g_ptr_array_new_with_free_func (g_free);
}

static void
teardown (Fixture       *fixture,
          gconstpointer  data)
{
  g_unlink (fixture->qr_png);
  g_rmdir (fixture->dir);
  g_free (fixture->qr_png);
  g_free (fixture->dir);
  g_ptr_array_unref (fixture->codes);
}

static gboolean
on_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until the camera is in `state` or ten seconds have passed. */
static void
wait_for_state (ThCamera      *camera,
                ThCameraState  state)
{
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (10, on_timeout, &timed_out);

  while (th_camera_get_state (camera) != state && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout);
  g_assert_cmpint (th_camera_get_state (camera), ==, state);
}

static void
on_code_detected (ThCamera   *camera,
                  const char *code,
                  Fixture    *fixture)
{
  g_ptr_array_add (fixture->codes, g_strdup (code));
}

static void
count_frame (GdkPaintable *paintable,
             guint        *frames)
{
  (*frames)++;
}

static char *
picture_source (Fixture *fixture)
{
  g_autofree char *quoted = g_strescape (fixture->qr_png, NULL);

  return g_strdup_printf ("filesrc location=\"%s\" ! pngdec ! imagefreeze", quoted);
}

static void
test_scans_picture (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *source = picture_source (fixture);
  ThCamera *camera = th_camera_new (source);
  GdkPaintable *preview = th_camera_get_paintable (camera);
  gboolean timed_out = FALSE;
  guint frames = 0;
  guint timeout;

  g_signal_connect (camera, "code-detected", G_CALLBACK (on_code_detected), fixture);
  g_assert_cmpint (th_camera_get_state (camera), ==, TH_CAMERA_STATE_STOPPED);
  th_camera_start (camera, NULL);
  g_assert_cmpint (th_camera_get_state (camera), ==, TH_CAMERA_STATE_STARTING);
  g_assert_cmpstr (th_camera_get_message (camera), ==, "Starting the camera…");

  wait_for_state (camera, TH_CAMERA_STATE_SCANNING);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (preview), ==, 320);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (preview), ==, 240);

  timeout = g_timeout_add_seconds (10, on_timeout, &timed_out);
  while (fixture->codes->len == 0 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout);
  g_assert_cmpstr (g_ptr_array_index (fixture->codes, 0), ==, MATTER_CODE);

  /* The same code in view is not reported on every frame, and the preview keeps the
   * source's rate (imagefreeze's 25 per second), not the scanner's few. */
  g_signal_connect (preview, "invalidate-contents", G_CALLBACK (count_frame), &frames);
  timeout = g_timeout_add (1000, on_timeout, &timed_out);
  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_func (preview, count_frame, &frames);
  g_assert_cmpuint (fixture->codes->len, ==, 1);
  g_assert_cmpuint (frames, >=, 12);

  th_camera_stop (camera);
  g_assert_cmpint (th_camera_get_state (camera), ==, TH_CAMERA_STATE_STOPPED);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (preview), ==, 0);

  /* A second start sees the code again. */
  th_camera_start (camera, NULL);
  wait_for_state (camera, TH_CAMERA_STATE_SCANNING);
  timed_out = FALSE;
  timeout = g_timeout_add_seconds (10, on_timeout, &timed_out);
  while (fixture->codes->len == 1 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout);
  g_assert_cmpstr (g_ptr_array_index (fixture->codes, 1), ==, MATTER_CODE);

  /* Dropped while it runs: the pipeline stops and nothing is left behind. */
  g_assert_finalize_object (camera);
}

static void
test_no_camera (Fixture       *fixture,
                gconstpointer  data)
{
  ThCamera *camera = th_camera_new ("none");

  th_camera_start (camera, NULL);
  wait_for_state (camera, TH_CAMERA_STATE_NO_CAMERA);
  g_assert_cmpstr (th_camera_get_message (camera), ==,
                   "No camera was found. Type the setup code below, or open a photo of the "
                   "QR code on the label.");
  g_assert_finalize_object (camera);
}

static void
test_missing_device (Fixture       *fixture,
                     gconstpointer  data)
{
  /* A source whose device is not there, like a camera that was unplugged. */
  g_autofree char *missing = g_build_filename (fixture->dir, "absent.png", NULL);
  g_autofree char *source = g_strdup_printf ("filesrc location=\"%s\" ! pngdec ! imagefreeze",
                                             missing);
  ThCamera *camera = th_camera_new (source);

  th_camera_start (camera, NULL);
  wait_for_state (camera, TH_CAMERA_STATE_NO_CAMERA);
  g_assert_finalize_object (camera);
}

static void
test_automatic_here (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GstElementFactory) libcamera = NULL;
  g_autoptr(GDir) dev = g_dir_open ("/dev", 0, NULL);
  const char *name;
  ThCamera *camera;

  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      /* Sandboxed (a Flatpak build running its tests): the camera would come from the
       * portal, which test-scanner.py drives. */
      th_test_skip_or_fail ("sandboxed: the camera would come from the portal");
      return;
    }
  gst_init (NULL, NULL);
  libcamera = gst_element_factory_find ("libcamerasrc");
  while (dev != NULL && (name = g_dir_read_name (dev)) != NULL)
    {
      if (g_str_has_prefix (name, "video"))
        {
          th_test_skip_or_fail ("this machine has a video device: what the camera finds depends on it");
          return;
        }
    }
  if (libcamera != NULL)
    {
      th_test_skip_or_fail ("libcamerasrc is installed: whether it finds a camera depends on the machine");
      return;
    }

  camera = th_camera_new (NULL);
  th_camera_start (camera, NULL);
  wait_for_state (camera, TH_CAMERA_STATE_NO_CAMERA);
  g_assert_finalize_object (camera);
}

static void
test_source_ends (Fixture       *fixture,
                  gconstpointer  data)
{
  ThCamera *camera = th_camera_new ("videotestsrc num-buffers=5");

  th_camera_start (camera, NULL);
  wait_for_state (camera, TH_CAMERA_STATE_SCANNING);
  wait_for_state (camera, TH_CAMERA_STATE_ERROR);
  g_assert_cmpstr (th_camera_get_message (camera), ==,
                   "The camera stopped sending pictures. Check that it is connected, then "
                   "try again.");
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (th_camera_get_paintable (camera)), ==, 0);

  /* Trying again starts afresh. */
  th_camera_start (camera, NULL);
  g_assert_cmpint (th_camera_get_state (camera), ==, TH_CAMERA_STATE_STARTING);
  wait_for_state (camera, TH_CAMERA_STATE_SCANNING);
  g_assert_finalize_object (camera);
}

static void
test_broken_source (Fixture       *fixture,
                    gconstpointer  data)
{
  ThCamera *camera = th_camera_new ("no-such-element-anywhere");

  th_camera_start (camera, NULL);
  wait_for_state (camera, TH_CAMERA_STATE_ERROR);
  g_assert_true (g_str_has_prefix (th_camera_get_message (camera),
                                   "The camera could not be started: "));
  g_assert_finalize_object (camera);
}

static void
test_stopped_while_starting (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *source = picture_source (fixture);
  ThCamera *camera = th_camera_new (source);

  g_signal_connect (camera, "code-detected", G_CALLBACK (on_code_detected), fixture);
  th_camera_start (camera, NULL);
  th_camera_stop (camera);
  g_assert_cmpint (th_camera_get_state (camera), ==, TH_CAMERA_STATE_STOPPED);
  /* Whatever was under way when it stopped changes nothing. */
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_usleep (G_USEC_PER_SEC / 10);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (th_camera_get_state (camera), ==, TH_CAMERA_STATE_STOPPED);
  g_assert_cmpuint (fixture->codes->len, ==, 0);
  g_assert_finalize_object (camera);
}

static void
test_portal_unreachable (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *saved = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  g_autoptr(GTestDBus) bus = NULL;
  ThCamera *camera = th_camera_new ("portal");

  /* No session bus at all. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/threshold-test-bus", TRUE);
  th_camera_start (camera, NULL);
  wait_for_state (camera, TH_CAMERA_STATE_ERROR);
  g_assert_true (g_str_has_prefix (th_camera_get_message (camera),
                                   "The camera portal cannot be reached: "));

  /* A bus without the portal. */
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  th_camera_start (camera, NULL);
  wait_for_state (camera, TH_CAMERA_STATE_ERROR);
  g_assert_true (g_str_has_prefix (th_camera_get_message (camera),
                                   "The camera portal did not answer ("));
  g_assert_true (g_str_has_suffix (th_camera_get_message (camera),
                                   "Check that xdg-desktop-portal is installed, then try "
                                   "again."));
  g_assert_finalize_object (camera);
  g_test_dbus_down (bus);

  if (saved != NULL)
    g_setenv ("DBUS_SESSION_BUS_ADDRESS", saved, TRUE);
  else
    g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, setup, func, teardown)
  ADD ("/camera/scans-picture", test_scans_picture);
  ADD ("/camera/no-camera", test_no_camera);
  ADD ("/camera/missing-device", test_missing_device);
  ADD ("/camera/automatic-here", test_automatic_here);
  ADD ("/camera/source-ends", test_source_ends);
  ADD ("/camera/broken-source", test_broken_source);
  ADD ("/camera/stopped-while-starting", test_stopped_while_starting);
  ADD ("/camera/portal-unreachable", test_portal_unreachable);
#undef ADD

  return g_test_run ();
}
