/* th-qr-scanner.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <string.h>
#include <zbar.h>

#include "th-gstreamer.h"
#include "th-qr-scanner.h"

#define CODES_MESSAGE "th-qr-codes"
#define CANCELLED_MESSAGE "th-qr-scan-cancelled"

G_DEFINE_QUARK (th-qr-scan-error-quark, th_qr_scan_error)

struct _ThQrScanner
{
  zbar_image_scanner_t *scanner;
  GByteArray *packed;
};

ThQrScanner *
th_qr_scanner_new (guint density)
{
  ThQrScanner *self;

  g_return_val_if_fail (density >= 1, NULL);

  self = g_new0 (ThQrScanner, 1);
  self->scanner = zbar_image_scanner_create ();
  /* Matter codes are QR codes: the other symbologies would only cost time and misreads. */
  zbar_image_scanner_set_config (self->scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
  zbar_image_scanner_set_config (self->scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
  zbar_image_scanner_set_config (self->scanner, ZBAR_NONE, ZBAR_CFG_X_DENSITY, (int) density);
  zbar_image_scanner_set_config (self->scanner, ZBAR_NONE, ZBAR_CFG_Y_DENSITY, (int) density);
  self->packed = g_byte_array_new ();
  return self;
}

void
th_qr_scanner_free (ThQrScanner *self)
{
  if (self == NULL)
    return;
  zbar_image_scanner_destroy (self->scanner);
  g_byte_array_unref (self->packed);
  g_free (self);
}

char **
th_qr_scanner_scan (ThQrScanner  *self,
                    const guint8 *pixels,
                    guint         width,
                    guint         height,
                    gsize         stride)
{
  g_autoptr(GStrvBuilder) texts = g_strv_builder_new ();
  const guint8 *data = pixels;
  zbar_image_t *image;
  gsize size;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (stride >= width, NULL);

  if (width == 0 || height == 0 || !g_size_checked_mul (&size, width, height) ||
      size > G_MAXUINT)
    return g_strv_builder_end (texts);
  g_return_val_if_fail (pixels != NULL, NULL);

  /* zbar wants rows without padding. */
  if (stride != width)
    {
      g_byte_array_set_size (self->packed, (guint) size);
      for (guint row = 0; row < height; row++)
        memcpy (self->packed->data + (gsize) row * width, pixels + (gsize) row * stride, width);
      data = self->packed->data;
    }

  image = zbar_image_create ();
  zbar_image_set_format (image, zbar_fourcc ('Y', '8', '0', '0'));
  zbar_image_set_size (image, width, height);
  zbar_image_set_data (image, data, size, NULL);
  if (zbar_scan_image (self->scanner, image) > 0)
    {
      for (const zbar_symbol_t *symbol = zbar_image_first_symbol (image);
           symbol != NULL;
           symbol = zbar_symbol_next (symbol))
        {
          const char *text = zbar_symbol_get_data (symbol);
          unsigned int length = zbar_symbol_get_data_length (symbol);

          /* A code that is not text cannot be a setup code, and must not reach a label.
           * zbar ends the data with a NUL; text has no other. */
          if (zbar_symbol_get_type (symbol) == ZBAR_QRCODE && text != NULL &&
              memchr (text, '\0', length) == NULL && g_utf8_validate_len (text, length, NULL))
            g_strv_builder_add (texts, text);
        }
    }
  zbar_image_destroy (image);

  return g_strv_builder_end (texts);
}

gboolean
th_qr_code_is_matter (const char *text)
{
  return text != NULL && g_ascii_strncasecmp (text, "MT:", 3) == 0;
}

/* Runs on the appsink's streaming thread. */
static GstFlowReturn
on_scan_sample (GstAppSink *sink,
                gpointer    user_data)
{
  ThQrScanner *self = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  g_auto(GStrv) codes = NULL;
  GstVideoFrame frame;
  GstVideoInfo info;

  if (sample == NULL)
    return GST_FLOW_EOS;
  if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample)) ||
      GST_VIDEO_INFO_FORMAT (&info) != GST_VIDEO_FORMAT_GRAY8 ||
      !gst_video_frame_map (&frame, &info, gst_sample_get_buffer (sample), GST_MAP_READ))
    return GST_FLOW_OK;

  codes = th_qr_scanner_scan (self, GST_VIDEO_FRAME_PLANE_DATA (&frame, 0),
                              GST_VIDEO_FRAME_WIDTH (&frame), GST_VIDEO_FRAME_HEIGHT (&frame),
                              GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0));
  gst_video_frame_unmap (&frame);

  if (codes[0] != NULL)
    {
      GstStructure *structure = gst_structure_new (CODES_MESSAGE,
                                                   "codes", G_TYPE_STRV, codes,
                                                   NULL);

      gst_element_post_message (GST_ELEMENT (sink),
                                gst_message_new_element (GST_OBJECT (sink), structure));
    }
  return GST_FLOW_OK;
}

gboolean
th_qr_scanner_attach (GstElement *pipeline,
                      guint       density)
{
  g_autoptr(GstElement) sink = NULL;
  GstAppSinkCallbacks callbacks = { .new_sample = on_scan_sample };

  g_return_val_if_fail (GST_IS_BIN (pipeline), FALSE);

  sink = gst_bin_get_by_name (GST_BIN (pipeline), "qr-scan");
  if (sink == NULL || !GST_IS_APP_SINK (sink))
    return FALSE;
  /* The sink owns the decoder: it lives exactly as long as the thread that uses it. */
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, th_qr_scanner_new (density),
                              (GDestroyNotify) th_qr_scanner_free);
  return TRUE;
}

const char * const *
th_qr_scanner_message_codes (GstMessage *message)
{
  const GstStructure *structure;
  const GValue *value;

  g_return_val_if_fail (GST_IS_MESSAGE (message), NULL);

  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ELEMENT ||
      !gst_message_has_name (message, CODES_MESSAGE))
    return NULL;
  structure = gst_message_get_structure (message);
  value = gst_structure_get_value (structure, "codes");
  if (value == NULL || !G_VALUE_HOLDS (value, G_TYPE_STRV))
    return NULL;
  return g_value_get_boxed (value);
}

/* Photos */

typedef struct
{
  GFile *file;
  GstElement *pipeline;
  GstElement *tail;
  GstBus *bus;
  gboolean watching;
  gulong cancelled_id;
} PictureScan;

static void
picture_scan_stop (PictureScan *scan,
                   GCancellable *cancellable)
{
  g_cancellable_disconnect (cancellable, scan->cancelled_id);
  scan->cancelled_id = 0;
  if (scan->watching)
    gst_bus_remove_watch (scan->bus);
  scan->watching = FALSE;
  if (scan->pipeline != NULL)
    gst_element_set_state (scan->pipeline, GST_STATE_NULL);
}

static void
picture_scan_free (PictureScan *scan)
{
  g_clear_object (&scan->file);
  g_clear_object (&scan->tail);
  g_clear_object (&scan->bus);
  g_clear_object (&scan->pipeline);
  g_free (scan);
}

static char *
picture_display_name (GFile *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *basename = NULL;

  if (path != NULL)
    return g_filename_display_basename (path);
  basename = g_file_get_basename (file);
  return g_strdup (basename != NULL ? basename : "?");
}

static void
picture_scan_fail (GTask *task,
                   int    code)
{
  PictureScan *scan = g_task_get_task_data (task);
  g_autofree char *name = NULL;

  picture_scan_stop (scan, g_task_get_cancellable (task));
  switch (code)
    {
    case TH_QR_SCAN_ERROR_NOT_FOUND:
      g_task_return_new_error (task, TH_QR_SCAN_ERROR, code, "%s",
                               _("No Matter QR code was found in this picture. Try a sharper "
                                 "photo, or type the code."));
      break;
    case TH_QR_SCAN_ERROR_UNREADABLE:
    default:
      name = picture_display_name (scan->file);
      g_task_return_new_error (task, TH_QR_SCAN_ERROR, TH_QR_SCAN_ERROR_UNREADABLE,
                               _("“%s” is not a picture Threshold can read. Open a PNG or JPEG "
                                 "photo of the label."), name);
      break;
    }
}

static gboolean
on_picture_scan_message (GstBus     *bus,
                         GstMessage *message,
                         gpointer    user_data)
{
  g_autoptr(GTask) task = g_object_ref (user_data);
  PictureScan *scan = g_task_get_task_data (task);
  const char * const *codes = th_qr_scanner_message_codes (message);
  g_autoptr(GError) error = NULL;
  g_autofree char *debug = NULL;

  if (codes != NULL)
    {
      for (guint i = 0; codes[i] != NULL; i++)
        {
          if (th_qr_code_is_matter (codes[i]))
            {
              scan->watching = FALSE;
              picture_scan_stop (scan, g_task_get_cancellable (task));
              g_task_return_pointer (task, g_strdup (codes[i]), g_free);
              return G_SOURCE_REMOVE;
            }
        }
      return G_SOURCE_CONTINUE;
    }

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_EOS:
      scan->watching = FALSE;
      picture_scan_fail (task, TH_QR_SCAN_ERROR_NOT_FOUND);
      return G_SOURCE_REMOVE;

    case GST_MESSAGE_ERROR:
      gst_message_parse_error (message, &error, &debug);
      g_debug ("Reading a picture failed: %s (%s)", error->message, debug ? debug : "");
      scan->watching = FALSE;
      picture_scan_fail (task, TH_QR_SCAN_ERROR_UNREADABLE);
      return G_SOURCE_REMOVE;

    case GST_MESSAGE_APPLICATION:
      if (gst_message_has_name (message, CANCELLED_MESSAGE))
        {
          scan->watching = FALSE;
          picture_scan_stop (scan, g_task_get_cancellable (task));
          g_task_return_error_if_cancelled (task);
          return G_SOURCE_REMOVE;
        }
      return G_SOURCE_CONTINUE;

    default:
      return G_SOURCE_CONTINUE;
    }
}

/* Runs on decodebin's streaming thread. */
static void
on_decoded_pad (GstElement *decodebin,
                GstPad     *pad,
                gpointer    user_data)
{
  GstElement *tail = user_data;
  g_autoptr(GstCaps) caps = gst_pad_query_caps (pad, NULL);
  g_autoptr(GstPad) sink_pad = gst_element_get_static_pad (tail, "sink");
  const GstStructure *structure;

  if (gst_caps_is_empty (caps))
    return;
  structure = gst_caps_get_structure (caps, 0);
  if (!g_str_has_prefix (gst_structure_get_name (structure), "video/") ||
      gst_pad_is_linked (sink_pad))
    return;
  gst_pad_link (pad, sink_pad);
}

/* Runs in whichever thread cancels: the message takes the news to the bus watch. */
static void
on_picture_scan_cancelled (GCancellable *cancellable,
                           gpointer      user_data)
{
  GstBus *bus = user_data;

  gst_bus_post (bus, gst_message_new_application (NULL,
                                                  gst_structure_new_empty (CANCELLED_MESSAGE)));
}

static void
on_gstreamer_ready (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PictureScan *scan = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  GstElement *src;
  GstElement *decodebin;

  if (!th_gstreamer_init_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  scan->pipeline = gst_object_ref_sink (gst_pipeline_new ("picture-scan"));
  src = gst_element_factory_make ("giosrc", NULL);
  decodebin = gst_element_factory_make ("decodebin", NULL);
  scan->tail = gst_parse_bin_from_description (TH_QR_SCANNER_TAIL, TRUE, &error);
  if (scan->tail != NULL)
    gst_object_ref_sink (scan->tail);
  if (src == NULL || decodebin == NULL || scan->tail == NULL || error != NULL)
    {
      if (src != NULL)
        gst_object_unref (gst_object_ref_sink (src));
      if (decodebin != NULL)
        gst_object_unref (gst_object_ref_sink (decodebin));
      g_task_return_new_error (task, TH_QR_SCAN_ERROR, TH_QR_SCAN_ERROR_UNREADABLE, "%s",
                               _("Pictures cannot be read: install GStreamer’s base plugins "
                                 "(giosrc, decodebin and videoconvert)."));
      return;
    }
  g_object_set (src, "file", scan->file, NULL);
  gst_bin_add_many (GST_BIN (scan->pipeline), src, decodebin, gst_object_ref (scan->tail), NULL);
  gst_element_link (src, decodebin);
  g_signal_connect_object (decodebin, "pad-added", G_CALLBACK (on_decoded_pad), scan->tail, 0);
  th_qr_scanner_attach (scan->pipeline, TH_QR_SCANNER_DENSITY_PHOTO);

  scan->bus = gst_element_get_bus (scan->pipeline);
  gst_bus_add_watch_full (scan->bus, G_PRIORITY_DEFAULT, on_picture_scan_message,
                          g_object_ref (task), g_object_unref);
  scan->watching = TRUE;
  if (cancellable != NULL)
    scan->cancelled_id = g_cancellable_connect (cancellable,
                                                G_CALLBACK (on_picture_scan_cancelled),
                                                gst_object_ref (scan->bus), gst_object_unref);
  /* A failure here also posts an error on the bus, which the watch reports. */
  gst_element_set_state (scan->pipeline, GST_STATE_PLAYING);
}

void
th_qr_scan_picture_async (GFile               *file,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  PictureScan *scan;

  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_qr_scan_picture_async);
  scan = g_new0 (PictureScan, 1);
  scan->file = g_object_ref (file);
  g_task_set_task_data (task, scan, (GDestroyNotify) picture_scan_free);

  th_gstreamer_init_async (cancellable, on_gstreamer_ready, g_steal_pointer (&task));
}

char *
th_qr_scan_picture_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
