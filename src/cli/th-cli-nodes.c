/* th-cli-nodes.c: threshold-cli nodes and onoff: the home's devices, and switching them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>

#include "commissioning/th-node-connection.h"
#include "messaging/th-udp-transport.h"
#include "th-cli.h"
#include "th-error.h"

void
th_cli_node_to_json (JsonBuilder        *builder,
                     const ThStoredNode *node)
{
  g_autoptr(GDateTime) added = g_date_time_new_from_unix_utc (node->commissioned_at);
  g_autofree char *added_text = added != NULL ? g_date_time_format_iso8601 (added) : NULL;

  json_builder_begin_object (builder);
  th_cli_json_member_int (builder, "nodeId", (gint64) node->node_id);
  th_cli_json_member_int (builder, "vendorId", node->vendor_id);
  th_cli_json_member_int (builder, "productId", node->product_id);
  th_cli_json_member_string (builder, "vendorName", node->vendor_name);
  th_cli_json_member_string (builder, "productName", node->product_name);
  th_cli_json_member_string (builder, "nodeLabel", node->node_label);
  th_cli_json_member_string (builder, "serialNumber", node->serial_number);
  th_cli_json_member_int (builder, "deviceType", node->device_type);
  json_builder_set_member_name (builder, "onOffEndpoint");
  if (node->on_off_endpoint != 0)
    json_builder_add_int_value (builder, node->on_off_endpoint);
  else
    json_builder_add_null_value (builder);
  th_cli_json_member_string (builder, "commissionedAt", added_text);
  json_builder_end_object (builder);
}

void
th_cli_print_node (const ThStoredNode *node)
{
  g_autoptr(GDateTime) added = g_date_time_new_from_unix_utc (node->commissioned_at);
  g_autoptr(GDateTime) local = added != NULL ? g_date_time_to_local (added) : NULL;
  g_autofree char *added_text = local != NULL ? g_date_time_format (local, "%c") : NULL;
  g_autofree char *ids = g_strdup_printf ("0x%04X / 0x%04X", node->vendor_id,
                                          node->product_id);
  g_autofree char *device_type = g_strdup_printf ("0x%04X", node->device_type);
  g_autofree char *endpoint = g_strdup_printf ("%u", node->on_off_endpoint);

  g_print (_("Node %" G_GUINT64_FORMAT " (0x%016" G_GINT64_MODIFIER "X)\n"), node->node_id,
           node->node_id);
  th_cli_print_field (_("Product"), node->product_name != NULL ? node->product_name : "");
  th_cli_print_field (_("Vendor"), node->vendor_name != NULL ? node->vendor_name : "");
  th_cli_print_field (_("Vendor / product ID"), ids);
  if (node->node_label != NULL && *node->node_label != '\0')
    th_cli_print_field (_("Label"), node->node_label);
  th_cli_print_field (_("Serial number"), node->serial_number != NULL ? node->serial_number
                                                                      : _("none"));
  th_cli_print_field (_("Device type"), device_type);
  th_cli_print_field (_("On/Off endpoint"), node->on_off_endpoint != 0 ? endpoint : _("none"));
  if (added_text != NULL)
    th_cli_print_field (_("Added"), added_text);
}

int
th_cli_nodes (int    argc,
              char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON instead of words"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(ThStore) store = NULL;
  g_autoptr(GPtrArray) nodes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *commands_help = NULL;

  /* "nodes" lists; "nodes share NODE" and the others look after one node. */
  for (const ThCliCommand *c = th_cli_node_admin_commands; argc > 1 && c->name != NULL; c++)
    if (g_str_equal (argv[1], c->name))
      {
        g_autofree char *path = g_strdup_printf ("%s %s", argv[0], c->name);

        g_set_prgname (path);
        argv[1] = path;
        return c->run (argc - 1, argv + 1);
      }

  /* The commands for one node, under the summary (the description is the exit statuses). */
  commands_help = g_strdup_printf ("%s\n\n%s",
                                   _("List the devices added to this home, as this computer "
                                     "remembers them ($XDG_DATA_HOME/threshold)."),
                                   _("Commands for one node (“nodes COMMAND --help”):"));
  for (const ThCliCommand *c = th_cli_node_admin_commands; c->name != NULL; c++)
    {
      g_autofree char *before = g_steal_pointer (&commands_help);

      commands_help = g_strdup_printf ("%s\n  %-13s %s", before, c->name, _(c->summary));
    }
  g_option_context_set_summary (context, commands_help);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!th_cli_parse_options (context, &argc, &argv))
    return TH_CLI_EXIT_USAGE;
  if (argc != 1)
    {
      th_cli_error (_("nodes takes no arguments."));
      return TH_CLI_EXIT_USAGE;
    }

  store = th_store_new (NULL);
  nodes = th_store_list_nodes (store, &error);
  if (nodes == NULL)
    {
      th_cli_error ("%s", error->message);
      return TH_CLI_EXIT_FAILED;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "nodes");
      json_builder_begin_array (builder);
      for (guint i = 0; i < nodes->len; i++)
        th_cli_node_to_json (builder, g_ptr_array_index (nodes, i));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      th_cli_print_json (root);
      return TH_CLI_EXIT_OK;
    }

  if (nodes->len == 0)
    g_print (_("No devices have been added to this home yet.\n"));
  for (guint i = 0; i < nodes->len; i++)
    {
      if (i > 0)
        g_print ("\n");
      th_cli_print_node (g_ptr_array_index (nodes, i));
    }
  return TH_CLI_EXIT_OK;
}

/* ---- onoff ---- */

typedef enum
{
  ACTION_OFF = TH_ON_OFF_OFF,
  ACTION_ON = TH_ON_OFF_ON,
  ACTION_TOGGLE = TH_ON_OFF_TOGGLE,
  ACTION_READ,
} Action;

typedef struct
{
  GMainLoop *loop;
  GCancellable *cancellable;
  Action action;
  ThNodeConnection *connection;
  gboolean is_on;
  GError *error;
} OnOffRun;

static void
stop (OnOffRun *run,
      GError   *error)
{
  run->error = error;
  g_main_loop_quit (run->loop);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  OnOffRun *run = user_data;
  GError *error = NULL;

  th_node_connection_read_on_off_finish (run->connection, result, &run->is_on, &error);
  stop (run, error);
}

static void
read_state (OnOffRun *run)
{
  th_node_connection_read_on_off_async (run->connection, run->cancellable, on_read, run);
}

static void
on_switched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  OnOffRun *run = user_data;
  GError *error = NULL;

  if (!th_node_connection_on_off_finish (run->connection, result, &error))
    {
      stop (run, error);
      return;
    }
  /* What the light says it is now, rather than what it was asked to be. */
  read_state (run);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  OnOffRun *run = user_data;
  GError *error = NULL;

  run->connection = th_node_connection_open_finish (result, &error);
  if (run->connection == NULL)
    {
      stop (run, error);
      return;
    }
  if (run->action == ACTION_READ)
    read_state (run);
  else
    th_node_connection_on_off_async (run->connection, (ThOnOffCommand) run->action,
                                     run->cancellable, on_switched, run);
}

static gboolean
on_interrupt (gpointer user_data)
{
  OnOffRun *run = user_data;

  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_action (const char *text,
              Action     *action)
{
  static const struct
  {
    const char *name;
    Action action;
  } actions[] = {
    { "on", ACTION_ON },
    { "off", ACTION_OFF },
    { "toggle", ACTION_TOGGLE },
    { "read", ACTION_READ },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (actions); i++)
    if (g_str_equal (text, actions[i].name))
      {
        *action = actions[i].action;
        return TRUE;
      }
  return FALSE;
}

int
th_cli_onoff (int    argc,
              char **argv)
{
  g_autofree char *address_text = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "address", 'a', 0, G_OPTION_ARG_STRING, &address_text,
      N_("The node’s IPv6 or IPv4 address, with an optional port (default 5540); without it "
         "the node is found with DNS-SD"), N_("ADDRESS[:PORT]") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON instead of words"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("NODE on|off|toggle|read"));
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(ThStore) store = NULL;
  g_autoptr(GError) error = NULL;
  OnOffRun run = { 0 };
  guint64 node_id;
  guint sigint, sigterm;

  g_option_context_set_summary (context,
                                _("Switch a device of this home on or off, toggle it, or read "
                                  "whether it is on, over a secure session with the home’s "
                                  "certificate. NODE is the node ID that “commission” and "
                                  "“nodes” show, in decimal or 0x hex."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!th_cli_parse_options (context, &argc, &argv))
    return TH_CLI_EXIT_USAGE;
  if (argc != 3)
    {
      th_cli_error (_("Give a node ID and what to do: on, off, toggle or read."));
      return TH_CLI_EXIT_USAGE;
    }
  if (!th_cli_parse_number (_("NODE"), argv[1], G_MAXUINT64, &node_id))
    return TH_CLI_EXIT_USAGE;
  if (!parse_action (argv[2], &run.action))
    {
      th_cli_error (_("“%s” is not something to do: give on, off, toggle or read."), argv[2]);
      return TH_CLI_EXIT_USAGE;
    }
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
  run.loop = g_main_loop_new (NULL, FALSE);
  run.cancellable = g_cancellable_new ();
  sigint = g_unix_signal_add (SIGINT, on_interrupt, &run);
  sigterm = g_unix_signal_add (SIGTERM, on_interrupt, &run);
  th_node_connection_open_async (store, node_id, address, TH_NODE_CONNECTION_RESOLVE_TIMEOUT_MS,
                                 run.cancellable, on_connected, &run);
  g_main_loop_run (run.loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (run.connection != NULL)
    th_node_connection_close (run.connection);
  g_clear_object (&run.connection);
  g_clear_object (&run.cancellable);
  g_clear_pointer (&run.loop, g_main_loop_unref);

  if (run.error != NULL)
    {
      g_autoptr(GError) failure = g_steal_pointer (&run.error);

      if (g_error_matches (failure, TH_ERROR, TH_ERROR_STORE_NO_NODE))
        th_cli_error (_("This home has no node %" G_GUINT64_FORMAT "; “threshold-cli nodes” "
                        "lists the ones it has."), node_id);
      else
        th_cli_error ("%s", failure->message);
      return TH_CLI_EXIT_FAILED;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      th_cli_json_member_int (builder, "nodeId", (gint64) node_id);
      th_cli_json_member_bool (builder, "on", run.is_on);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      th_cli_print_json_line (root);
    }
  else
    {
      g_print (run.is_on ? _("Node %" G_GUINT64_FORMAT " is on.\n")
                         : _("Node %" G_GUINT64_FORMAT " is off.\n"), node_id);
    }
  return TH_CLI_EXIT_OK;
}
