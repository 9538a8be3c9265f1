/* dcl-fixture-server.c: th-dcl-fixture as a program, for the CLI and interop tests
 *
 *   dcl-fixture-server FIXTURES_DIR [--paa PEM]… [--set NAME=VALUE]…
 *
 * Prints "URL http://127.0.0.1:<port>" once it listens, and answers until SIGTERM or SIGINT.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

#include "th-dcl-fixture.h"

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  g_auto(GStrv) paas = NULL;
  g_auto(GStrv) variables = NULL;
  const GOptionEntry entries[] = {
    { "paa", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &paas, "A PEM certificate to serve as a PAA root",
      "PEM" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &variables, "A value for @NAME@ in the files",
      "NAME=VALUE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("FIXTURES_DIR");
  g_autoptr(ThDclFixture) fixture = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("usage: dcl-fixture-server FIXTURES_DIR [--paa PEM]… [--set NAME=VALUE]… %s\n",
                  error != NULL ? error->message : "");
      return 2;
    }
  fixture = th_dcl_fixture_new (argv[1], &error);
  if (fixture == NULL)
    {
      g_printerr ("dcl-fixture-server: %s\n", error->message);
      return 1;
    }
  for (guint i = 0; paas != NULL && paas[i] != NULL; i++)
    {
      if (!th_dcl_fixture_add_paa (fixture, paas[i], &error))
        {
          g_printerr ("dcl-fixture-server: %s\n", error->message);
          return 1;
        }
    }
  for (guint i = 0; variables != NULL && variables[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (variables[i], "=", 2);

      if (parts[1] == NULL)
        {
          g_printerr ("dcl-fixture-server: --set %s: give NAME=VALUE\n", variables[i]);
          return 2;
        }
      th_dcl_fixture_set_variable (fixture, parts[0], parts[1]);
    }
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  printf ("URL %s\n", th_dcl_fixture_get_url (fixture));
  fflush (stdout);
  g_main_loop_run (loop);
  return 0;
}
