/* th-camera-paintable.h: the newest camera frame, as something a GtkPicture can show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TH_TYPE_CAMERA_PAINTABLE (th_camera_paintable_get_type ())

G_DECLARE_FINAL_TYPE (ThCameraPaintable, th_camera_paintable, TH, CAMERA_PAINTABLE, GObject)

ThCameraPaintable *th_camera_paintable_new         (void);
/* Shows a frame, or nothing for NULL. Main thread only. */
void               th_camera_paintable_set_texture (ThCameraPaintable *self,
                                                    GdkTexture        *texture);

G_END_DECLS
