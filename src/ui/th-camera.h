/* th-camera.h: the camera, as a live preview and a stream of QR codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  TH_CAMERA_STATE_STOPPED,
  TH_CAMERA_STATE_STARTING,            /* looking for a camera, asking for permission */
  TH_CAMERA_STATE_SCANNING,            /* frames arrive: the preview shows them */
  TH_CAMERA_STATE_NO_CAMERA,
  TH_CAMERA_STATE_PERMISSION_NEEDED,   /* the camera portal said no */
  TH_CAMERA_STATE_ERROR,
} ThCameraState;

GType th_camera_state_get_type (void);
#define TH_TYPE_CAMERA_STATE (th_camera_state_get_type ())

#define TH_TYPE_CAMERA (th_camera_get_type ())

G_DECLARE_FINAL_TYPE (ThCamera, th_camera, TH, CAMERA, GObject)

/* `source` chooses where frames come from:
 *   NULL or ""  the camera portal when sandboxed (Flatpak), else libcamerasrc, else v4l2src
 *               when a /dev/video* exists, else none;
 *   "none"      no camera, as on a machine without one;
 *   "portal"    the camera portal even when not sandboxed;
 *   otherwise   a gst-launch description of the source, for example
 *               "filesrc location=qr.png ! pngdec ! imagefreeze": how the tests show the
 *               scanner a picture. The app takes it from the TH_CAMERA_SOURCE variable. */
ThCamera      *th_camera_new           (const char *source);

/* `parent` is the window the portal's permission dialog belongs to; it may be NULL. */
void           th_camera_start         (ThCamera   *self,
                                        GtkWindow  *parent);
void           th_camera_stop          (ThCamera   *self);

ThCameraState  th_camera_get_state     (ThCamera   *self);
/* What the state means for the person in front of it, translated. */
const char    *th_camera_get_message   (ThCamera   *self);
/* The newest frame; it changes while the state is SCANNING. */
GdkPaintable  *th_camera_get_paintable (ThCamera   *self);

G_END_DECLS
