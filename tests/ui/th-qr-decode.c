/* th-qr-decode.c: prints the Matter QR code in a picture, read with the app's own scanner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: th-qr-decode PICTURE. Prints the text of the first Matter QR code and exits 0; exits
 * 1 with the reason on stderr when there is none. The UI tests decode screenshots with it.
 */
#include "config.h"

#include <gst/gst.h>

#include "th-qr-scanner.h"

typedef struct
{
  GMainLoop *loop;
  char *text;
  GError *error;
} Decode;

static void
on_scanned (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Decode *decode = user_data;

  decode->text = th_qr_scan_picture_finish (result, &decode->error);
  g_main_loop_quit (decode->loop);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GFile) file = NULL;
  Decode decode = { 0 };
  int status;

  gst_init (&argc, &argv);
  if (argc != 2)
    {
      g_printerr ("usage: th-qr-decode PICTURE\n");
      return 2;
    }
  file = g_file_new_for_commandline_arg (argv[1]);
  decode.loop = g_main_loop_new (NULL, FALSE);
  th_qr_scan_picture_async (file, NULL, on_scanned, &decode);
  g_main_loop_run (decode.loop);
  g_main_loop_unref (decode.loop);

  if (decode.text != NULL)
    {
      g_print ("%s\n", decode.text);
      status = 0;
    }
  else
    {
      g_printerr ("%s\n", decode.error->message);
      g_error_free (decode.error);
      status = 1;
    }
  g_free (decode.text);
  return status;
}
