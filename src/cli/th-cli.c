/* th-cli.c: threshold-cli, the commissioning engine on the command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "th-cli.h"

static const ThCliCommand top_commands[] = {
  { "payload", N_("Read and write Matter setup codes"), NULL, th_cli_payload_commands },
  { "pase", N_("Set up a passcode session with a device at a known address"), th_cli_pase,
    NULL },
  { "discover", N_("List the Matter devices on the network or nearby over Bluetooth"),
    th_cli_discover, NULL },
  { "commission", N_("Add devices to this home with their setup codes"), th_cli_commission,
    NULL },
  { "nodes", N_("List the devices added to this home"), th_cli_nodes, NULL },
  { "onoff", N_("Switch a device of this home on or off"), th_cli_onoff, NULL },
  { "custom-flow", N_("Add a device whose manufacturer prepares it first"),
    th_cli_custom_flow, NULL },
  { "dcl", N_("Ask the compliance ledger about products and vendors"), NULL,
    th_cli_dcl_commands },
  { "trust-store", N_("Keep the PAA root certificates from the compliance ledger"), NULL,
    th_cli_trust_store_commands },
  { NULL }
};

const char *
th_cli_exit_status_help (void)
{
  return _("Exit status:\n"
           "  0  success\n"
           "  1  the input was rejected, or the operation failed\n"
           "  2  the command line was wrong\n");
}

void
th_cli_error (const char *format,
              ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* Translators: the prefix of an error message on the command line */
  g_printerr (_("threshold-cli: %s\n"), message);
}

gboolean
th_cli_parse_options (GOptionContext *context,
                      int            *argc,
                      char         ***argv)
{
  g_autoptr(GError) error = NULL;

  g_option_context_set_description (context, th_cli_exit_status_help ());
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      th_cli_error ("%s", error->message);
      g_printerr (_("Run “%s --help” to see the options.\n"), g_get_prgname ());
      return FALSE;
    }
  return TRUE;
}

static void
print_json (JsonNode *node,
            gboolean  pretty)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, pretty);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

void
th_cli_print_json (JsonNode *node)
{
  print_json (node, TRUE);
}

void
th_cli_print_json_line (JsonNode *node)
{
  print_json (node, FALSE);
}

void
th_cli_json_member_string (JsonBuilder *builder,
                           const char  *name,
                           const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
th_cli_json_member_int (JsonBuilder *builder,
                        const char  *name,
                        gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

void
th_cli_json_member_bool (JsonBuilder *builder,
                         const char  *name,
                         gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

void
th_cli_json_member_double (JsonBuilder *builder,
                           const char  *name,
                           double       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, value);
}

void
th_cli_json_member_error (JsonBuilder  *builder,
                          const GError *error)
{
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  th_cli_json_member_string (builder, "domain", g_quark_to_string (error->domain));
  th_cli_json_member_int (builder, "code", error->code);
  th_cli_json_member_string (builder, "message", error->message);
  json_builder_end_object (builder);
}

void
th_cli_print_field (const char *label,
                    const char *value)
{
  g_autofree char *with_colon = g_strdup_printf ("%s:", label);

  g_print ("  %-22s %s\n", with_colon, value);
}

gboolean
th_cli_parse_number (const char *option,
                     const char *text,
                     guint64     max,
                     guint64    *out)
{
  g_autoptr(GError) error = NULL;
  guint base = 10;

  if (g_str_has_prefix (text, "0x") || g_str_has_prefix (text, "0X"))
    {
      text += 2;
      base = 16;
    }
  if (!g_ascii_string_to_unsigned (text, base, 0, max, out, &error))
    {
      th_cli_error (_("%s: %s"), option, error->message);
      return FALSE;
    }
  return TRUE;
}

static void
print_command_list (const char         *path,
                    const ThCliCommand *commands,
                    FILE               *out)
{
  fprintf (out, _("Usage: %s COMMAND [OPTION…]\n\nCommands:\n"), path);
  for (const ThCliCommand *c = commands; c->name != NULL; c++)
    fprintf (out, "  %-12s %s\n", c->name, _(c->summary));
  fprintf (out, _("\nRun “%s COMMAND --help” for the options of a command.\n\n%s"),
           path, th_cli_exit_status_help ());
}

static int
dispatch (const char         *path,
          const ThCliCommand *commands,
          int                 argc,
          char              **argv)
{
  const char *name = argc > 1 ? argv[1] : NULL;

  if (name == NULL)
    {
      print_command_list (path, commands, stderr);
      return TH_CLI_EXIT_USAGE;
    }
  if (g_str_equal (name, "--help") || g_str_equal (name, "-h") || g_str_equal (name, "help"))
    {
      print_command_list (path, commands, stdout);
      return TH_CLI_EXIT_OK;
    }

  for (const ThCliCommand *c = commands; c->name != NULL; c++)
    {
      g_autofree char *sub_path = NULL;

      if (!g_str_equal (c->name, name))
        continue;

      sub_path = g_strdup_printf ("%s %s", path, c->name);
      if (c->subcommands != NULL)
        return dispatch (sub_path, c->subcommands, argc - 1, argv + 1);

      g_set_prgname (sub_path);
      argv[1] = sub_path;
      return c->run (argc - 1, argv + 1);
    }

  th_cli_error (_("“%s” is not a command of %s."), name, path);
  g_printerr (_("Run “%s --help” to see the commands.\n"), path);
  return TH_CLI_EXIT_USAGE;
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc > 1 && g_str_equal (argv[1], "--version"))
    {
      g_print ("threshold-cli %s\n", PACKAGE_VERSION);
      return TH_CLI_EXIT_OK;
    }

  g_set_prgname ("threshold-cli");
  return dispatch ("threshold-cli", top_commands, argc, argv);
}
