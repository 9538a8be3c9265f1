/* th-cli-node-admin.c: threshold-cli nodes share, rename, remove and identify
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commissioning/th-node-admin.h"
#include "messaging/th-udp-transport.h"
#include "th-cli.h"
#include "th-error.h"

/* The default time another commissioner has to use a shared code. */
#define SHARE_DEFAULT_SECONDS 600

typedef enum
{
  ACTION_SHARE,
  ACTION_STOP_SHARING,
  ACTION_RENAME,
  ACTION_REMOVE,
  ACTION_IDENTIFY,
} Action;

typedef struct
{
  Action action;
  guint64 node_id;
  guint timeout_seconds;
  const char *label;

  GMainLoop *loop;
  GCancellable *cancellable;
  ThStore *store;
  ThNodeConnection *connection;
  gboolean reached;               /* the session was opened */
  ThCommissioningWindow *window;
  guint n_endpoints;
  GError *error;
} Run;

static void
stop (Run    *run,
      GError *error)
{
  run->error = error;
  g_main_loop_quit (run->loop);
}

static void
on_shared (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  run->window = th_node_open_commissioning_window_finish (run->connection, result, &error);
  stop (run, error);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;
  gboolean ok = FALSE;

  switch (run->action)
    {
    case ACTION_STOP_SHARING:
      ok = th_node_revoke_commissioning_finish (run->connection, result, &error);
      break;
    case ACTION_RENAME:
      ok = th_node_set_label_finish (run->connection, result, &error);
      break;
    case ACTION_REMOVE:
      ok = th_node_remove_finish (run->connection, result, &error);
      break;
    case ACTION_IDENTIFY:
      ok = th_node_identify_finish (run->connection, result, &run->n_endpoints, &error);
      break;
    case ACTION_SHARE:
    default:
      g_assert_not_reached ();
    }
  g_assert (ok == (error == NULL));
  stop (run, error);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  run->connection = th_node_connection_open_finish (result, &error);
  if (run->connection == NULL)
    {
      stop (run, error);
      return;
    }
  run->reached = TRUE;
  switch (run->action)
    {
    case ACTION_SHARE:
      th_node_open_commissioning_window_async (run->connection, run->timeout_seconds,
                                               run->cancellable, on_shared, run);
      break;
    case ACTION_STOP_SHARING:
      th_node_revoke_commissioning_async (run->connection, run->cancellable, on_done, run);
      break;
    case ACTION_RENAME:
      th_node_set_label_async (run->connection, run->store, run->label, run->cancellable,
                               on_done, run);
      break;
    case ACTION_REMOVE:
      th_node_remove_async (run->connection, run->store, run->cancellable, on_done, run);
      break;
    case ACTION_IDENTIFY:
      th_node_identify_async (run->connection, TH_NODE_IDENTIFY_SECONDS, run->cancellable,
                              on_done, run);
      break;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
on_interrupt (gpointer user_data)
{
  Run *run = user_data;

  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

/* Opens the session and runs the action to its end; FALSE with run->error on failure. */
static gboolean
run_action (Run            *run,
            GSocketAddress *address)
{
  guint sigint, sigterm;

  run->loop = g_main_loop_new (NULL, FALSE);
  run->cancellable = g_cancellable_new ();
  sigint = g_unix_signal_add (SIGINT, on_interrupt, run);
  sigterm = g_unix_signal_add (SIGTERM, on_interrupt, run);
  th_node_connection_open_async (run->store, run->node_id, address,
                                 TH_NODE_CONNECTION_RESOLVE_TIMEOUT_MS, run->cancellable,
                                 on_connected, run);
  g_main_loop_run (run->loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (run->connection != NULL)
    th_node_connection_close (run->connection);
  g_clear_object (&run->connection);
  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->loop, g_main_loop_unref);
  return run->error == NULL;
}

static void
print_failure (Run          *run,
               const GError *error)
{
  if (g_error_matches (error, TH_ERROR, TH_ERROR_STORE_NO_NODE))
    th_cli_error (_("This home has no node %" G_GUINT64_FORMAT "; “threshold-cli nodes” lists "
                    "the ones it has."), run->node_id);
  else
    th_cli_error ("%s", error->message);
}

static void
print_window_json (Run *run)
{
  const ThCommissioningWindow *window = run->window;
  g_autoptr(GDateTime) expires = g_date_time_new_from_unix_utc (window->expires_at
                                                                / G_USEC_PER_SEC);
  g_autofree char *expires_text = g_date_time_format_iso8601 (expires);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  th_cli_json_member_int (builder, "nodeId", (gint64) run->node_id);
  th_cli_json_member_string (builder, "qr", window->qr_text);
  th_cli_json_member_string (builder, "manualCode", window->manual_code);
  th_cli_json_member_int (builder, "discriminator", window->payload->discriminator);
  th_cli_json_member_int (builder, "timeoutSeconds", window->timeout_seconds);
  th_cli_json_member_string (builder, "expiresAt", expires_text);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  th_cli_print_json (root);
}

static void
print_window_words (Run *run)
{
  const ThCommissioningWindow *window = run->window;
  g_autoptr(GDateTime) expires = g_date_time_new_from_unix_local (window->expires_at
                                                                  / G_USEC_PER_SEC);
  g_autofree char *until = g_date_time_format (expires, "%X");
  g_autofree char *duration = th_cli_describe_duration (window->timeout_seconds);
  char *manual = th_manual_code_format (window->manual_code);

  g_print (_("Node %" G_GUINT64_FORMAT " can be added to another app or home now, with "
             "either code:\n"), run->node_id);
  th_cli_print_field (_("QR code"), window->qr_text);
  th_cli_print_field (_("Manual code"), manual);
  /* Translators: "until 14:05:00 (10 minutes)" */
  g_print (_("The codes work until %s (%s), or until another app has used one of them.\n"),
           until, duration);
  /* The passcode is in the code; it stays in no memory longer than needed. */
  explicit_bzero (manual, strlen (manual));
  g_free (manual);
}

/* A person on a terminal decides whether a node that did not confirm is forgotten. */
static gboolean
ask_forget (void)
{
  char answer[16] = "";

  g_print (_("Forget it anyway? It then still believes it belongs to this home until it is "
             "reset. [y/N] "));
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;
  return answer[0] == 'y' || answer[0] == 'Y';
}

static int
node_admin (Action        action,
            const char   *parameter_string,
            const char   *summary,
            int           argc,
            char        **argv)
{
  g_autofree char *address_text = NULL;
  gboolean json = FALSE;
  gboolean forget = FALSE;
  gint timeout = SHARE_DEFAULT_SECONDS;
  GOptionEntry entries[5] = { 0 };
  guint n_entries = 0;
  g_autoptr(GOptionContext) context = g_option_context_new (parameter_string);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(ThStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int n_arguments = action == ACTION_RENAME ? 3 : 2;
  Run run = { .action = action };

  entries[n_entries++] = (GOptionEntry) {
    "address", 'a', 0, G_OPTION_ARG_STRING, &address_text,
    N_("The node’s IPv6 or IPv4 address, with an optional port (default 5540); without it "
       "the node is found with DNS-SD"), N_("ADDRESS[:PORT]") };
  if (action == ACTION_SHARE)
    {
      entries[n_entries++] = (GOptionEntry) {
        "timeout", 't', 0, G_OPTION_ARG_INT, &timeout,
        N_("How long the codes work, in seconds: 180 to 900 (default 600)"), N_("SECONDS") };
      entries[n_entries++] = (GOptionEntry) {
        "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON instead of words"), NULL };
    }
  if (action == ACTION_REMOVE)
    entries[n_entries++] = (GOptionEntry) {
      "forget", 0, 0, G_OPTION_ARG_NONE, &forget,
      N_("Forget the device even when it cannot be reached or does not confirm, without "
         "asking; it then still believes it belongs to this home until it is reset"), NULL };

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!th_cli_parse_options (context, &argc, &argv))
    return TH_CLI_EXIT_USAGE;
  if (argc != n_arguments)
    {
      th_cli_error (action == ACTION_RENAME ? _("Give a node ID and its new name.")
                                            : _("Give one node ID."));
      return TH_CLI_EXIT_USAGE;
    }
  if (!th_cli_parse_number (_("NODE"), argv[1], G_MAXUINT64, &run.node_id))
    return TH_CLI_EXIT_USAGE;
  if (action == ACTION_RENAME)
    {
      run.label = argv[2];
      if (!th_node_label_validate (run.label, &error))
        {
          th_cli_error ("%s", error->message);
          return TH_CLI_EXIT_USAGE;
        }
    }
  if (timeout < TH_COMMISSIONING_WINDOW_MIN_SECONDS
      || timeout > TH_COMMISSIONING_WINDOW_MAX_SECONDS)
    {
      th_cli_error (_("--timeout must be %d to %d seconds; %d is not."),
                    TH_COMMISSIONING_WINDOW_MIN_SECONDS, TH_COMMISSIONING_WINDOW_MAX_SECONDS,
                    timeout);
      return TH_CLI_EXIT_USAGE;
    }
  run.timeout_seconds = (guint) timeout;
  if (address_text != NULL)
    {
      address = th_udp_address_parse (address_text, TH_MATTER_UDP_PORT, &error);
      if (address == NULL)
        {
          th_cli_error (_("--address: %s"), error->message);
          return TH_CLI_EXIT_USAGE;
        }
    }

  store = th_store_new (NULL);
  run.store = store;
  if (!run_action (&run, address))
    {
      g_autoptr(GError) failure = g_steal_pointer (&run.error);

      print_failure (&run, failure);
      if (action == ACTION_REMOVE && !g_error_matches (failure, TH_ERROR, TH_ERROR_STORE_NO_NODE)
          && !g_error_matches (failure, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (!forget && isatty (STDIN_FILENO))
            forget = ask_forget ();
          if (!forget)
            {
              g_printerr (_("The device still belongs to this home. To forget it anyway, run "
                            "this again with --forget.\n"));
              return TH_CLI_EXIT_FAILED;
            }
          if (!th_store_remove_node (store, run.node_id, &error))
            {
              th_cli_error ("%s", error->message);
              return TH_CLI_EXIT_FAILED;
            }
          g_print (_("Node %" G_GUINT64_FORMAT " is forgotten, but it did not confirm that it "
                     "left: reset it before adding it again.\n"), run.node_id);
          return TH_CLI_EXIT_OK;
        }
      return TH_CLI_EXIT_FAILED;
    }

  switch (action)
    {
    case ACTION_SHARE:
      if (json)
        print_window_json (&run);
      else
        print_window_words (&run);
      th_commissioning_window_free (run.window);
      break;
    case ACTION_STOP_SHARING:
      g_print (_("Node %" G_GUINT64_FORMAT " has closed its commissioning window: the codes "
                 "it shared no longer work.\n"), run.node_id);
      break;
    case ACTION_RENAME:
      g_print (_("Node %" G_GUINT64_FORMAT " is now called “%s”.\n"), run.node_id, run.label);
      break;
    case ACTION_REMOVE:
      g_print (_("Node %" G_GUINT64_FORMAT " has left this home and is forgotten.\n"),
               run.node_id);
      break;
    case ACTION_IDENTIFY:
      g_print (g_dngettext (GETTEXT_PACKAGE,
                            "Node %" G_GUINT64_FORMAT " shows itself for %d seconds on %u "
                            "endpoint.\n",
                            "Node %" G_GUINT64_FORMAT " shows itself for %d seconds on %u "
                            "endpoints.\n", run.n_endpoints),
               run.node_id, TH_NODE_IDENTIFY_SECONDS, run.n_endpoints);
      break;
    default:
      g_assert_not_reached ();
    }
  return TH_CLI_EXIT_OK;
}

static int
cli_share (int argc, char **argv)
{
  return node_admin (ACTION_SHARE, _("NODE"),
                     _("Let another app or home add a device of this home: the device opens "
                       "a commissioning window with a new one-time passcode, and the QR code "
                       "and manual code for it are printed. The passcode is shown here and "
                       "nowhere else."), argc, argv);
}

static int
cli_stop_sharing (int argc, char **argv)
{
  return node_admin (ACTION_STOP_SHARING, _("NODE"),
                     _("Close the commissioning window “share” opened, before its time is up "
                       "(RevokeCommissioning): the codes it printed stop working."), argc, argv);
}

static int
cli_rename (int argc, char **argv)
{
  return node_admin (ACTION_RENAME, _("NODE NAME"),
                     _("Give a device of this home a name (its NodeLabel, at most 32 bytes), "
                       "kept by the device and by this home."), argc, argv);
}

static int
cli_remove (int argc, char **argv)
{
  return node_admin (ACTION_REMOVE, _("NODE"),
                     _("Take a device out of this home: the device removes the home’s "
                       "credentials (RemoveFabric), then the home forgets the device. Other "
                       "apps the device was shared with keep it."), argc, argv);
}

static int
cli_identify (int argc, char **argv)
{
  return node_admin (ACTION_IDENTIFY, _("NODE"),
                     _("Make a device of this home show where it is (blink, beep) for 10 "
                       "seconds."), argc, argv);
}

const ThCliCommand th_cli_node_admin_commands[] = {
  { "share", N_("Let another app or home add a device"), cli_share, NULL },
  { "stop-sharing", N_("Make the codes of “share” stop working"), cli_stop_sharing, NULL },
  { "rename", N_("Give a device a name"), cli_rename, NULL },
  { "remove", N_("Take a device out of this home"), cli_remove, NULL },
  { "identify", N_("Make a device show where it is"), cli_identify, NULL },
  { NULL }
};
