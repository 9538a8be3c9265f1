/* th-cli-network.c: the Wi-Fi or Thread network threshold-cli gives a device
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "th-cli-network.h"
#include "th-error.h"

/* A password longer than Matter allows is still read whole, to say how long it was. */
#define PASSWORD_READ_MAX 4096

/* The first line of `data`, without its line break, as a new string; NULL when it holds a NUL
 * byte. */
static char *
first_line (const char *data,
            gsize       len)
{
  gsize line_len = 0;

  while (line_len < len && data[line_len] != '\n')
    line_len++;
  if (line_len > 0 && data[line_len - 1] == '\r')
    line_len--;
  if (memchr (data, '\0', line_len) != NULL)
    return NULL;
  return g_strndup (data, line_len);
}

static char *
read_password (const char  *path,
               GError     **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  char *password;

  if (g_strcmp0 (path, "-") == 0)
    {
      data = g_malloc (PASSWORD_READ_MAX);
      len = fread (data, 1, PASSWORD_READ_MAX, stdin);
      if (ferror (stdin))
        {
          explicit_bzero (data, PASSWORD_READ_MAX);
          g_set_error_literal (error, TH_ERROR, TH_ERROR_WIFI_CREDENTIALS,
                               _("--wifi-password-file: standard input could not be read."));
          return NULL;
        }
    }
  else if (!g_file_get_contents (path, &data, &len, error))
    {
      g_prefix_error (error, _("--wifi-password-file: "));
      return NULL;
    }
  password = first_line (data, len);
  explicit_bzero (data, len);
  if (password == NULL)
    g_set_error_literal (error, TH_ERROR, TH_ERROR_WIFI_CREDENTIALS,
                         _("--wifi-password-file: the password holds a NUL byte."));
  return password;
}

ThNetworkCredentials *
th_cli_network_credentials_from_options (const char  *ssid,
                                         const char  *password_file,
                                         const char  *dataset_hex,
                                         GError     **error)
{
  ThNetworkCredentials *credentials;
  char *password;

  if (dataset_hex != NULL)
    {
      if (ssid != NULL || password_file != NULL)
        {
          g_set_error_literal (error, TH_ERROR, TH_ERROR_NETWORK_KIND,
                               _("Give either a Wi-Fi network (--wifi) or a Thread dataset "
                                 "(--thread-dataset), not both."));
          return NULL;
        }
      return th_network_credentials_new_thread_hex (dataset_hex, error);
    }
  if (ssid == NULL && password_file == NULL)
    return NULL;
  if (ssid == NULL)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_WIFI_CREDENTIALS,
                           _("--wifi-password-file goes with --wifi SSID, the network’s "
                             "name."));
      return NULL;
    }
  if (password_file == NULL)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_WIFI_CREDENTIALS,
                           _("--wifi needs --wifi-password-file FILE with the password on its "
                             "first line (“-” reads it from standard input; an empty file for "
                             "an open network)."));
      return NULL;
    }
  password = read_password (password_file, error);
  if (password == NULL)
    return NULL;
  credentials = th_network_credentials_new_wifi ((const guint8 *) ssid, strlen (ssid), password,
                                                 error);
  explicit_bzero (password, strlen (password));
  g_free (password);
  return credentials;
}

/* ---- Asking on the terminal ---- */

typedef enum
{
  ASKING_NOTHING,
  ASKING_SSID,
  ASKING_PASSWORD,
  ASKING_DATASET,
} Asking;

struct _ThCliNetworkPrompt
{
  ThCommissioner *commissioner;
  gulong handler;
  Asking asking;
  char *ssid;
  GIOChannel *input;
  guint input_watch;
  gboolean echo_off;
  struct termios saved;
};

static void
set_echo (ThCliNetworkPrompt *prompt,
          gboolean            echo)
{
  struct termios quiet;

  if (!echo && !prompt->echo_off && tcgetattr (STDIN_FILENO, &prompt->saved) == 0)
    {
      quiet = prompt->saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      prompt->echo_off = tcsetattr (STDIN_FILENO, TCSANOW, &quiet) == 0;
    }
  else if (echo && prompt->echo_off)
    {
      tcsetattr (STDIN_FILENO, TCSANOW, &prompt->saved);
      prompt->echo_off = FALSE;
      g_printerr ("\n");
    }
}

static void
stop_reading (ThCliNetworkPrompt *prompt)
{
  set_echo (prompt, TRUE);
  g_clear_handle_id (&prompt->input_watch, g_source_remove);
  g_clear_pointer (&prompt->input, g_io_channel_unref);
  g_clear_pointer (&prompt->ssid, g_free);
  prompt->asking = ASKING_NOTHING;
}

static void
answer (ThCliNetworkPrompt   *prompt,
        ThNetworkCredentials *credentials)
{
  stop_reading (prompt);
  th_commissioner_provide_network_credentials (prompt->commissioner, credentials);
}

static void ask (ThCliNetworkPrompt *prompt,
                 Asking              asking);

static void
take_line (ThCliNetworkPrompt *prompt,
           char               *line)
{
  g_autoptr(ThNetworkCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;

  switch (prompt->asking)
    {
    case ASKING_SSID:
      if (line[0] == '\0')
        {
          answer (prompt, NULL);
          return;
        }
      prompt->ssid = g_strdup (line);
      ask (prompt, ASKING_PASSWORD);
      return;

    case ASKING_PASSWORD:
      set_echo (prompt, TRUE);
      credentials = th_network_credentials_new_wifi ((const guint8 *) prompt->ssid,
                                                     strlen (prompt->ssid), line, &error);
      if (credentials == NULL)
        {
          g_printerr ("%s\n", error->message);
          ask (prompt, ASKING_PASSWORD);
          return;
        }
      break;

    case ASKING_DATASET:
      set_echo (prompt, TRUE);
      if (line[0] == '\0')
        {
          answer (prompt, NULL);
          return;
        }
      credentials = th_network_credentials_new_thread_hex (line, &error);
      if (credentials == NULL)
        {
          g_printerr ("%s\n", error->message);
          ask (prompt, ASKING_DATASET);
          return;
        }
      break;

    case ASKING_NOTHING:
    default:
      return;
    }
  answer (prompt, credentials);
}

static gboolean
on_input (GIOChannel   *channel,
          GIOCondition  condition,
          gpointer      user_data)
{
  ThCliNetworkPrompt *prompt = user_data;
  char *line = NULL;
  gsize len = 0;

  /* End of input, or an error: no network is given. */
  if (g_io_channel_read_line (channel, &line, &len, NULL, NULL) != G_IO_STATUS_NORMAL)
    {
      g_free (line);
      prompt->input_watch = 0;
      answer (prompt, NULL);
      return G_SOURCE_REMOVE;
    }
  g_strchomp (line);
  take_line (prompt, line);
  explicit_bzero (line, len);
  g_free (line);
  return prompt->input_watch != 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
ask (ThCliNetworkPrompt *prompt,
     Asking              asking)
{
  prompt->asking = asking;
  switch (asking)
    {
    case ASKING_SSID:
      g_printerr (_("Wi-Fi network name (SSID), empty to give up: "));
      break;
    /* Echo goes off before the question: an answer typed as soon as it shows is hidden. */
    case ASKING_PASSWORD:
      set_echo (prompt, FALSE);
      g_printerr (_("Password of “%s” (not shown): "), prompt->ssid);
      break;
    case ASKING_DATASET:
      set_echo (prompt, FALSE);
      g_printerr (_("Thread operational dataset in hex (not shown), empty to give up: "));
      break;
    case ASKING_NOTHING:
    default:
      break;
    }
  if (prompt->input == NULL)
    {
      prompt->input = g_io_channel_unix_new (STDIN_FILENO);
      prompt->input_watch = g_io_add_watch (prompt->input, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                            on_input, prompt);
    }
}

static void
print_scan_results (ThNetworkRequest *request)
{
  GPtrArray *results = th_network_request_get_scan_results (request);
  const GError *scan_error = th_network_request_get_scan_error (request);

  if (scan_error != NULL)
    g_printerr (_("The device could not list the networks around it: %s\n"),
                scan_error->message);
  if (results->len == 0)
    return;
  g_printerr (_("Networks the device sees:\n"));
  for (guint i = 0; i < results->len; i++)
    {
      const ThNetworkScanResult *result = g_ptr_array_index (results, i);

      if (result->kind == TH_NETWORK_KIND_WIFI)
        {
          gsize len;
          const char *ssid = g_bytes_get_data (result->ssid, &len);
          g_autofree char *text = g_utf8_make_valid (ssid, len);

          /* Translators: a Wi-Fi network, its signal strength and channel */
          g_printerr (_("  %s (%d dBm, channel %u)\n"), text, result->rssi, result->channel);
        }
      else
        {
          /* Translators: a Thread network, its PAN id and channel */
          g_printerr (_("  %s (PAN 0x%04x, channel %u)\n"), result->network_name,
                      result->pan_id, result->channel);
        }
    }
}

static void
on_network_credentials_needed (ThCommissioner     *commissioner,
                               ThNetworkRequest   *request,
                               ThCliNetworkPrompt *prompt)
{
  const GError *last_error = th_network_request_get_last_error (request);

  if (last_error != NULL)
    g_printerr ("%s\n", last_error->message);
  print_scan_results (request);
  ask (prompt, (th_network_request_get_kinds (request) & TH_NETWORK_KIND_WIFI) ? ASKING_SSID
                                                                                : ASKING_DATASET);
}

ThCliNetworkPrompt *
th_cli_network_prompt_new (ThCommissioner *commissioner)
{
  ThCliNetworkPrompt *prompt = g_new0 (ThCliNetworkPrompt, 1);

  prompt->commissioner = g_object_ref (commissioner);
  prompt->handler = g_signal_connect (commissioner, "network-credentials-needed",
                                      G_CALLBACK (on_network_credentials_needed), prompt);
  return prompt;
}

void
th_cli_network_prompt_free (ThCliNetworkPrompt *prompt)
{
  if (prompt == NULL)
    return;
  stop_reading (prompt);
  g_signal_handler_disconnect (prompt->commissioner, prompt->handler);
  g_object_unref (prompt->commissioner);
  g_free (prompt);
}
