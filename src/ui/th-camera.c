/* th-camera.c
 *
 * The pipeline is "SOURCE ! videoconvert ! tee": one branch feeds the preview through an
 * appsink, the other keeps a few frames per second behind a leaky queue and decodes them on
 * that queue's streaming thread (th-qr-scanner.c), so neither the preview nor the main thread
 * waits for zbar.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <libportal-gtk4/portal-gtk4.h>

#include "th-camera.h"
#include "th-camera-paintable.h"
#include "th-gstreamer.h"
#include "th-qr-scanner.h"

/* Frames decoded per second: enough to read a label, few enough to leave the processor
 * alone. */
#define SCAN_RATE 5
/* The same code seen again after this long is reported again: the person may have cleared
 * what the first sighting filled in. */
#define REPEAT_INTERVAL_US (2 * G_USEC_PER_SEC)

/* Frames beyond 720p only cost memory and decode time. */
#define LIBCAMERA_SOURCE "libcamerasrc ! video/x-raw,width=[1,1280],height=[1,720]"
#define V4L2_SOURCE \
  "v4l2src ! capsfilter caps=\"video/x-raw,width=[1,1280],height=[1,720];" \
  "image/jpeg,width=[1,1280],height=[1,720]\" ! decodebin"

struct _ThCamera
{
  GObject parent_instance;

  char *source;
  ThCameraState state;
  char *message;
  ThCameraPaintable *paintable;
  GMainContext *context;

  /* One start: cancelled by stop */
  GCancellable *cancellable;
  XdpParent *portal_parent;
  XdpPortal *portal;
  int pipewire_fd;
  GPtrArray *sources;
  guint source_index;
  GstElement *pipeline;
  GstBus *bus;
  char *last_code;
  gint64 last_code_time;

  GMutex frame_lock;
  GdkTexture *pending_frame;   /* the newest frame the main thread has not shown yet */
};

G_DEFINE_FINAL_TYPE (ThCamera, th_camera, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (ThCameraState, th_camera_state,
  G_DEFINE_ENUM_VALUE (TH_CAMERA_STATE_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (TH_CAMERA_STATE_STARTING, "starting"),
  G_DEFINE_ENUM_VALUE (TH_CAMERA_STATE_SCANNING, "scanning"),
  G_DEFINE_ENUM_VALUE (TH_CAMERA_STATE_NO_CAMERA, "no-camera"),
  G_DEFINE_ENUM_VALUE (TH_CAMERA_STATE_PERMISSION_NEEDED, "permission-needed"),
  G_DEFINE_ENUM_VALUE (TH_CAMERA_STATE_ERROR, "error"))

enum
{
  PROP_0,
  PROP_STATE,
  PROP_MESSAGE,
  PROP_PAINTABLE,
  N_PROPS
};

enum
{
  CODE_DETECTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* An asynchronous step of one start; it is void once that start is cancelled. */
typedef struct
{
  ThCamera *self;
  GCancellable *cancellable;
} StartStep;

static StartStep *
start_step_new (ThCamera *self)
{
  StartStep *step = g_new0 (StartStep, 1);

  step->self = g_object_ref (self);
  step->cancellable = g_object_ref (self->cancellable);
  return step;
}

static void
start_step_free (StartStep *step)
{
  g_object_unref (step->self);
  g_object_unref (step->cancellable);
  g_free (step);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StartStep, start_step_free)

ThCamera *
th_camera_new (const char *source)
{
  ThCamera *self = g_object_new (TH_TYPE_CAMERA, NULL);

  if (source != NULL && *source != '\0')
    self->source = g_strdup (source);
  return self;
}

ThCameraState
th_camera_get_state (ThCamera *self)
{
  g_return_val_if_fail (TH_IS_CAMERA (self), TH_CAMERA_STATE_STOPPED);

  return self->state;
}

const char *
th_camera_get_message (ThCamera *self)
{
  g_return_val_if_fail (TH_IS_CAMERA (self), NULL);

  return self->message != NULL ? self->message : "";
}

GdkPaintable *
th_camera_get_paintable (ThCamera *self)
{
  g_return_val_if_fail (TH_IS_CAMERA (self), NULL);

  return GDK_PAINTABLE (self->paintable);
}

static void
set_state (ThCamera      *self,
           ThCameraState  state,
           const char    *message)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->message, message) != 0)
    {
      g_free (self->message);
      self->message = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
    }
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
stop_pipeline (ThCamera *self)
{
  if (self->bus != NULL)
    gst_bus_remove_watch (self->bus);
  g_clear_object (&self->bus);
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_clear_object (&self->pipeline);

  g_mutex_lock (&self->frame_lock);
  g_clear_object (&self->pending_frame);
  g_mutex_unlock (&self->frame_lock);
}

void
th_camera_stop (ThCamera *self)
{
  g_return_if_fail (TH_IS_CAMERA (self));

  stop_pipeline (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->portal_parent, xdp_parent_free);
  g_clear_pointer (&self->sources, g_ptr_array_unref);
  if (self->pipewire_fd >= 0)
    g_close (self->pipewire_fd, NULL);
  self->pipewire_fd = -1;
  g_clear_pointer (&self->last_code, g_free);
  th_camera_paintable_set_texture (self->paintable, NULL);
  set_state (self, TH_CAMERA_STATE_STOPPED, NULL);
}

/* Frames */

static gboolean
show_pending_frame (gpointer user_data)
{
  ThCamera *self = user_data;
  g_autoptr(GdkTexture) texture = NULL;

  g_mutex_lock (&self->frame_lock);
  texture = g_steal_pointer (&self->pending_frame);
  g_mutex_unlock (&self->frame_lock);

  /* A frame that was on its way when the camera stopped is not shown. */
  if (texture == NULL || self->pipeline == NULL)
    return G_SOURCE_REMOVE;

  th_camera_paintable_set_texture (self->paintable, texture);
  if (self->state == TH_CAMERA_STATE_STARTING)
    set_state (self, TH_CAMERA_STATE_SCANNING,
               _("Hold the QR code on the device or its box in front of the camera."));
  return G_SOURCE_REMOVE;
}

static void
unmap_frame (gpointer data)
{
  GstVideoFrame *frame = data;

  gst_video_frame_unmap (frame);
  g_free (frame);
}

/* Runs on the preview branch's streaming thread. */
static GstFlowReturn
on_preview_sample (GstAppSink *sink,
                   gpointer    user_data)
{
  ThCamera *self = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  g_autoptr(GBytes) bytes = NULL;
  GdkTexture *texture;
  GstVideoFrame *frame;
  GstVideoInfo info;
  gboolean schedule;

  if (sample == NULL)
    return GST_FLOW_EOS;
  if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample)) ||
      GST_VIDEO_INFO_FORMAT (&info) != GST_VIDEO_FORMAT_BGRA)
    return GST_FLOW_OK;

  /* The texture reads the buffer in place; the mapping, and with it a reference on the
   * buffer, lasts as long as the texture. */
  frame = g_new0 (GstVideoFrame, 1);
  if (!gst_video_frame_map (frame, &info, gst_sample_get_buffer (sample), GST_MAP_READ))
    {
      g_free (frame);
      return GST_FLOW_OK;
    }
  bytes = g_bytes_new_with_free_func (GST_VIDEO_FRAME_PLANE_DATA (frame, 0),
                                      (gsize) GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0) *
                                      GST_VIDEO_FRAME_HEIGHT (frame),
                                      unmap_frame, frame);
  /* videoconvert makes the alpha opaque, so premultiplied is the same and is what GTK draws
   * without converting. */
  texture = gdk_memory_texture_new (GST_VIDEO_FRAME_WIDTH (frame), GST_VIDEO_FRAME_HEIGHT (frame),
                                    GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, bytes,
                                    GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0));

  g_mutex_lock (&self->frame_lock);
  schedule = self->pending_frame == NULL;
  g_clear_object (&self->pending_frame);
  self->pending_frame = texture;
  g_mutex_unlock (&self->frame_lock);

  /* One hand-over at a time: a busy main loop sees the newest frame, not a queue of them. */
  if (schedule)
    g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, show_pending_frame,
                                g_object_ref (self), g_object_unref);
  return GST_FLOW_OK;
}

/* Codes */

static void
report_codes (ThCamera           *self,
              const char * const *codes)
{
  const char *code = codes[0];
  gint64 now = g_get_monotonic_time ();

  if (self->state != TH_CAMERA_STATE_SCANNING || code == NULL)
    return;
  /* A Matter code wins over any other QR code in the same picture. */
  for (guint i = 0; codes[i] != NULL; i++)
    {
      if (th_qr_code_is_matter (codes[i]))
        {
          code = codes[i];
          break;
        }
    }
  if (g_strcmp0 (code, self->last_code) == 0 && now - self->last_code_time < REPEAT_INTERVAL_US)
    return;

  g_free (self->last_code);
  self->last_code = g_strdup (code);
  self->last_code_time = now;
  g_signal_emit (self, signals[CODE_DETECTED], 0, code);
}

/* Runs on the scanning branch's streaming thread. A probe rather than videorate, whose
 * preference for its own rate would reach the source through the tee and slow the preview
 * down to the scanning rate. */
static GstPadProbeReturn
limit_scan_rate (GstPad          *pad,
                 GstPadProbeInfo *info,
                 gpointer         user_data)
{
  gint64 *last_scan = user_data;
  gint64 now = g_get_monotonic_time ();

  if (now - *last_scan < G_USEC_PER_SEC / SCAN_RATE)
    return GST_PAD_PROBE_DROP;
  *last_scan = now;
  return GST_PAD_PROBE_OK;
}

/* Sources */

static void try_next_source (ThCamera *self);

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  ThCamera *self = user_data;
  const char * const *codes = th_qr_scanner_message_codes (message);
  g_autoptr(GError) error = NULL;
  g_autofree char *debug = NULL;
  g_autofree char *text = NULL;
  gboolean starting = self->state == TH_CAMERA_STATE_STARTING;

  if (codes != NULL)
    {
      report_codes (self, codes);
      return G_SOURCE_CONTINUE;
    }

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (message, &error, &debug);
      g_debug ("Camera source “%s” failed: %s (%s)",
               (const char *) g_ptr_array_index (self->sources, self->source_index),
               error->message, debug ? debug : "");
      stop_pipeline (self);
      if (starting && self->source_index + 1 < self->sources->len)
        {
          self->source_index++;
          try_next_source (self);
        }
      else if (starting && g_error_matches (error, GST_RESOURCE_ERROR,
                                            GST_RESOURCE_ERROR_NOT_FOUND))
        {
          set_state (self, TH_CAMERA_STATE_NO_CAMERA,
                     _("No camera was found. Type the setup code below, or open a photo of "
                       "the QR code on the label."));
        }
      else
        {
          text = g_strdup_printf (starting ? _("The camera could not be started: %s")
                                           : _("The camera stopped working: %s"),
                                  error->message);
          th_camera_paintable_set_texture (self->paintable, NULL);
          set_state (self, TH_CAMERA_STATE_ERROR, text);
        }
      return G_SOURCE_REMOVE;

    case GST_MESSAGE_EOS:
      stop_pipeline (self);
      th_camera_paintable_set_texture (self->paintable, NULL);
      set_state (self, TH_CAMERA_STATE_ERROR,
                 _("The camera stopped sending pictures. Check that it is connected, then "
                   "try again."));
      return G_SOURCE_REMOVE;

    default:
      return G_SOURCE_CONTINUE;
    }
}

static void
try_next_source (ThCamera *self)
{
  const char *source = g_ptr_array_index (self->sources, self->source_index);
  g_autofree char *description = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GstElement) preview = NULL;
  g_autoptr(GstElement) scan_queue = NULL;
  g_autoptr(GstPad) scan_pad = NULL;
  g_autoptr(GError) error = NULL;
  GstAppSinkCallbacks callbacks = { .new_sample = on_preview_sample };

  /* The preview queue does not leak, so a sink that keeps the clock paces the source; the
   * scanning queue drops what the decoder has no time for. */
  description = g_strdup_printf ("%s ! videoconvert ! tee name=split "
                                 "split. ! queue max-size-buffers=2 ! "
                                 "appsink name=preview sync=true max-buffers=1 drop=true "
                                 "caps=\"video/x-raw,format=BGRA\" "
                                 "split. ! queue name=scan-queue max-size-buffers=1 "
                                 "leaky=downstream ! " TH_QR_SCANNER_TAIL,
                                 source);
  self->pipeline = gst_parse_launch (description, &error);
  if (self->pipeline != NULL)
    gst_object_ref_sink (self->pipeline);
  if (self->pipeline == NULL || error != NULL)
    {
      g_clear_object (&self->pipeline);
      text = g_strdup_printf (_("The camera could not be started: %s"),
                              error != NULL ? error->message : source);
      set_state (self, TH_CAMERA_STATE_ERROR, text);
      return;
    }

  preview = gst_bin_get_by_name (GST_BIN (self->pipeline), "preview");
  gst_app_sink_set_callbacks (GST_APP_SINK (preview), &callbacks, self, NULL);
  th_qr_scanner_attach (self->pipeline, TH_QR_SCANNER_DENSITY_CAMERA);
  scan_queue = gst_bin_get_by_name (GST_BIN (self->pipeline), "scan-queue");
  scan_pad = gst_element_get_static_pad (scan_queue, "src");
  gst_pad_add_probe (scan_pad, GST_PAD_PROBE_TYPE_BUFFER, limit_scan_rate,
                     g_new0 (gint64, 1), g_free);

  self->bus = gst_element_get_bus (self->pipeline);
  gst_bus_add_watch (self->bus, on_bus_message, self);
  /* A failure here also posts an error on the bus, which moves on to the next source. */
  gst_element_set_state (self->pipeline, GST_STATE_PLAYING);
}

static void
start_sources (ThCamera  *self,
               GPtrArray *sources)
{
  g_clear_pointer (&self->sources, g_ptr_array_unref);
  self->sources = sources;
  self->source_index = 0;

  if (sources->len == 0)
    set_state (self, TH_CAMERA_STATE_NO_CAMERA,
               _("No camera was found. Type the setup code below, or open a photo of the QR "
                 "code on the label."));
  else
    try_next_source (self);
}

static gboolean
has_element (const char *name)
{
  g_autoptr(GstElementFactory) factory = gst_element_factory_find (name);

  return factory != NULL;
}

/* Whether /dev has a node whose name starts with `prefix` (or `other`, when not NULL). */
static gboolean
has_device_node (const char *prefix,
                 const char *other)
{
  g_autoptr(GDir) dir = g_dir_open ("/dev", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_prefix (name, prefix) || (other != NULL && g_str_has_prefix (name, other)))
        return TRUE;
    }
  return FALSE;
}

static void
on_camera_access (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(StartStep) step = user_data;
  ThCamera *self = step->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sources = NULL;

  /* The portal answers "cancelled" both when the person says no and when we stopped. */
  if (g_cancellable_is_cancelled (step->cancellable))
    return;
  if (!xdp_portal_access_camera_finish (XDP_PORTAL (source), result, &error))
    {
      g_debug ("The camera portal refused: %s", error->message);
      set_state (self, TH_CAMERA_STATE_PERMISSION_NEEDED,
                 _("Threshold is not allowed to use the camera. Allow camera access for "
                   "Threshold in Settings, under Privacy, then try again."));
      return;
    }

  self->pipewire_fd = xdp_portal_open_pipewire_remote_for_camera (self->portal);
  if (self->pipewire_fd < 0)
    {
      set_state (self, TH_CAMERA_STATE_ERROR,
                 _("The camera service did not answer. Try again, or restart the computer if "
                   "this keeps happening."));
      return;
    }
  sources = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (sources, g_strdup_printf ("pipewiresrc fd=%d", self->pipewire_fd));
  start_sources (self, g_steal_pointer (&sources));
}

static void
on_camera_presence (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(StartStep) step = user_data;
  ThCamera *self = step->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) present = NULL;
  g_autofree char *text = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (g_cancellable_is_cancelled (step->cancellable))
    return;
  if (reply == NULL)
    {
      text = g_strdup_printf (_("The camera portal did not answer (%s). Check that "
                                "xdg-desktop-portal is installed, then try again."),
                              error->message);
      set_state (self, TH_CAMERA_STATE_ERROR, text);
      return;
    }

  g_variant_get (reply, "(v)", &present);
  /* No camera, no question: the person is not asked for something that cannot be used. */
  if (!g_variant_is_of_type (present, G_VARIANT_TYPE_BOOLEAN) || !g_variant_get_boolean (present))
    {
      start_sources (self, g_ptr_array_new ());
      return;
    }

  if (self->portal == NULL)
    self->portal = xdp_portal_new ();
  set_state (self, TH_CAMERA_STATE_STARTING, _("Waiting for permission to use the camera…"));
  xdp_portal_access_camera (self->portal, self->portal_parent, XDP_CAMERA_FLAG_NONE,
                            self->cancellable, on_camera_access, start_step_new (self));
}

/* The portal's IsCameraPresent is read here rather than with libportal, whose call blocks the
 * main loop; and libportal 0.6 needs a session bus, which is checked for first. */
static void
ask_portal (ThCamera *self)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    {
      text = g_strdup_printf (_("The camera portal cannot be reached: %s"), error->message);
      set_state (self, TH_CAMERA_STATE_ERROR, text);
      return;
    }
  g_dbus_connection_call (bus, "org.freedesktop.portal.Desktop",
                          "/org/freedesktop/portal/desktop",
                          "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", "org.freedesktop.portal.Camera",
                                         "IsCameraPresent"),
                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1,
                          self->cancellable, on_camera_presence, start_step_new (self));
}

static void
on_gstreamer_ready (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(StartStep) step = user_data;
  ThCamera *self = step->self;
  g_autoptr(GError) error = NULL;
  GPtrArray *sources;

  if (g_cancellable_is_cancelled (step->cancellable))
    return;
  if (!th_gstreamer_init_finish (result, &error))
    {
      set_state (self, TH_CAMERA_STATE_ERROR, error->message);
      return;
    }

  if (g_strcmp0 (self->source, "portal") == 0 ||
      (self->source == NULL && g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS)))
    {
      ask_portal (self);
      return;
    }

  sources = g_ptr_array_new_with_free_func (g_free);
  if (g_strcmp0 (self->source, "none") == 0)
    ;
  else if (self->source != NULL)
    g_ptr_array_add (sources, g_strdup (self->source));
  else
    {
      if (has_element ("libcamerasrc"))
        g_ptr_array_add (sources, g_strdup (LIBCAMERA_SOURCE));
      if (has_element ("v4l2src") && has_device_node ("video", NULL))
        g_ptr_array_add (sources, g_strdup (V4L2_SOURCE));
    }
  start_sources (self, sources);
}

void
th_camera_start (ThCamera  *self,
                 GtkWindow *parent)
{
  g_return_if_fail (TH_IS_CAMERA (self));
  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));

  if (self->state == TH_CAMERA_STATE_STARTING || self->state == TH_CAMERA_STATE_SCANNING)
    return;

  th_camera_stop (self);
  self->cancellable = g_cancellable_new ();
  if (parent != NULL)
    self->portal_parent = xdp_parent_new_gtk (parent);
  set_state (self, TH_CAMERA_STATE_STARTING, _("Starting the camera…"));
  /* Outside a sandbox, libcamera and V4L2 cameras are /dev/media* and /dev/video* nodes:
   * without any, GStreamer's registry and plugins are not loaded only to find none. */
  if (self->source == NULL && !g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS)
      && !has_device_node ("video", "media"))
    {
      start_sources (self, g_ptr_array_new_with_free_func (g_free));
      return;
    }
  th_gstreamer_init_async (self->cancellable, on_gstreamer_ready, start_step_new (self));
}

static void
th_camera_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  ThCamera *self = TH_CAMERA (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, th_camera_get_message (self));
      break;
    case PROP_PAINTABLE:
      g_value_set_object (value, self->paintable);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
th_camera_dispose (GObject *object)
{
  ThCamera *self = TH_CAMERA (object);

  /* Stopping the pipeline joins its streaming threads: no callback runs after this. */
  stop_pipeline (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->portal_parent, xdp_parent_free);
  g_clear_object (&self->portal);
  g_clear_object (&self->paintable);

  G_OBJECT_CLASS (th_camera_parent_class)->dispose (object);
}

static void
th_camera_finalize (GObject *object)
{
  ThCamera *self = TH_CAMERA (object);

  if (self->pipewire_fd >= 0)
    g_close (self->pipewire_fd, NULL);
  g_clear_pointer (&self->sources, g_ptr_array_unref);
  g_free (self->source);
  g_free (self->message);
  g_free (self->last_code);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->frame_lock);

  G_OBJECT_CLASS (th_camera_parent_class)->finalize (object);
}

static void
th_camera_class_init (ThCameraClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = th_camera_dispose;
  object_class->finalize = th_camera_finalize;
  object_class->get_property = th_camera_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       TH_TYPE_CAMERA_STATE, TH_CAMERA_STATE_STOPPED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAINTABLE] =
    g_param_spec_object ("paintable", NULL, NULL, GDK_TYPE_PAINTABLE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The text of a QR code in view: a Matter code when the picture has one. */
  signals[CODE_DETECTED] =
    g_signal_new ("code-detected",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
th_camera_init (ThCamera *self)
{
  self->paintable = th_camera_paintable_new ();
  self->context = g_main_context_ref_thread_default ();
  self->pipewire_fd = -1;
  g_mutex_init (&self->frame_lock);
}
