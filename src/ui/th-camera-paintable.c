/* th-camera-paintable.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "th-camera-paintable.h"

struct _ThCameraPaintable
{
  GObject parent_instance;

  GdkTexture *texture;
};

static void th_camera_paintable_iface_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ThCameraPaintable, th_camera_paintable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE,
                                                      th_camera_paintable_iface_init))

ThCameraPaintable *
th_camera_paintable_new (void)
{
  return g_object_new (TH_TYPE_CAMERA_PAINTABLE, NULL);
}

void
th_camera_paintable_set_texture (ThCameraPaintable *self,
                                 GdkTexture        *texture)
{
  gboolean resized;

  g_return_if_fail (TH_IS_CAMERA_PAINTABLE (self));
  g_return_if_fail (texture == NULL || GDK_IS_TEXTURE (texture));

  if (self->texture == texture)
    return;
  resized = self->texture == NULL || texture == NULL ||
            gdk_texture_get_width (self->texture) != gdk_texture_get_width (texture) ||
            gdk_texture_get_height (self->texture) != gdk_texture_get_height (texture);
  g_set_object (&self->texture, texture);

  if (resized)
    gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
}

static void
th_camera_paintable_snapshot (GdkPaintable *paintable,
                              GdkSnapshot  *snapshot,
                              double        width,
                              double        height)
{
  ThCameraPaintable *self = TH_CAMERA_PAINTABLE (paintable);

  if (self->texture != NULL)
    gdk_paintable_snapshot (GDK_PAINTABLE (self->texture), snapshot, width, height);
}

static int
th_camera_paintable_get_intrinsic_width (GdkPaintable *paintable)
{
  ThCameraPaintable *self = TH_CAMERA_PAINTABLE (paintable);

  return self->texture != NULL ? gdk_texture_get_width (self->texture) : 0;
}

static int
th_camera_paintable_get_intrinsic_height (GdkPaintable *paintable)
{
  ThCameraPaintable *self = TH_CAMERA_PAINTABLE (paintable);

  return self->texture != NULL ? gdk_texture_get_height (self->texture) : 0;
}

static void
th_camera_paintable_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = th_camera_paintable_snapshot;
  iface->get_intrinsic_width = th_camera_paintable_get_intrinsic_width;
  iface->get_intrinsic_height = th_camera_paintable_get_intrinsic_height;
}

static void
th_camera_paintable_dispose (GObject *object)
{
  ThCameraPaintable *self = TH_CAMERA_PAINTABLE (object);

  g_clear_object (&self->texture);

  G_OBJECT_CLASS (th_camera_paintable_parent_class)->dispose (object);
}

static void
th_camera_paintable_class_init (ThCameraPaintableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = th_camera_paintable_dispose;
}

static void
th_camera_paintable_init (ThCameraPaintable *self)
{
}
