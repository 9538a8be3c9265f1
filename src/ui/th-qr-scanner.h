/* th-qr-scanner.h: QR codes in pictures, for the camera and for photos of a label
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

/* The end of every pipeline that looks for QR codes: frames become grey and go to an appsink
 * named "qr-scan", whose streaming thread decodes them (th_qr_scanner_attach). */
#define TH_QR_SCANNER_TAIL \
  "videoconvert ! video/x-raw,format=GRAY8 ! " \
  "appsink name=qr-scan sync=false max-buffers=1 drop=true"

#define TH_QR_SCAN_ERROR (th_qr_scan_error_quark ())

typedef enum
{
  TH_QR_SCAN_ERROR_NOT_FOUND,      /* the picture holds no Matter QR code */
  TH_QR_SCAN_ERROR_UNREADABLE,     /* the file is not a picture that can be decoded */
} ThQrScanError;

GQuark th_qr_scan_error_quark (void);

/* One decoder; use it from one thread at a time. */
typedef struct _ThQrScanner ThQrScanner;

/* How many rows and columns the decoder reads: all of them for one photo, every other one for
 * the camera, which halves the time a frame takes (bench-qr-decode: 16 ms against 8 ms at
 * 640x480) and still reads modules of three pixels; the next frame makes up for a miss. */
#define TH_QR_SCANNER_DENSITY_PHOTO 1
#define TH_QR_SCANNER_DENSITY_CAMERA 2

ThQrScanner        *th_qr_scanner_new          (guint         density);
void                th_qr_scanner_free         (ThQrScanner  *self);
/* The text of every QR code in a grey picture (one byte per pixel, rows `stride` bytes
 * apart), in the order found; an empty vector when there is none. */
char              **th_qr_scanner_scan         (ThQrScanner  *self,
                                                const guint8 *pixels,
                                                guint         width,
                                                guint         height,
                                                gsize         stride);
/* Decodes every frame that reaches the pipeline's "qr-scan" appsink, on that sink's streaming
 * thread, and posts an element message for the frames that hold QR codes. */
gboolean            th_qr_scanner_attach       (GstElement   *pipeline,
                                                guint         density);
/* The codes carried by such a message, or NULL for any other message. */
const char * const *th_qr_scanner_message_codes (GstMessage  *message);

gboolean            th_qr_code_is_matter       (const char   *text);

/* Decodes a photo (PNG, JPEG or anything else GStreamer reads) through the same path as the
 * camera, off the main thread, and gives the text of its first Matter QR code. */
void                th_qr_scan_picture_async   (GFile               *file,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
char               *th_qr_scan_picture_finish  (GAsyncResult        *result,
                                                GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThQrScanner, th_qr_scanner_free)

G_END_DECLS
