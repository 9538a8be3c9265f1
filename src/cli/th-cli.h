/* th-cli.h: threshold-cli commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Exit statuses, documented in every --help. */
enum
{
  TH_CLI_EXIT_OK = 0,
  TH_CLI_EXIT_FAILED = 1,   /* the input was rejected or the operation failed */
  TH_CLI_EXIT_USAGE = 2,    /* the command line itself was wrong */
};

typedef struct _ThCliCommand ThCliCommand;

struct _ThCliCommand
{
  const char *name;
  const char *summary;
  /* either a leaf that runs, with argv[0] the command path, or a group of subcommands */
  int (*run) (int argc, char **argv);
  const ThCliCommand *subcommands;
};

extern const ThCliCommand th_cli_payload_commands[];
int th_cli_discover (int argc, char **argv);

/* threshold-cli discover --ble, with the options th_cli_discover() checked. */
typedef struct
{
  guint timeout_ms;
  gboolean json;
  gboolean first;                 /* stop at the first match (needs a discriminator) */
  gboolean has_discriminator;
  guint16 discriminator;
  gboolean is_short;
} ThCliBleOptions;

int th_cli_discover_ble (const ThCliBleOptions *options);
int th_cli_pase (int    argc,
                 char **argv);

/* The shared tail of every --help: the exit statuses. */
const char *th_cli_exit_status_help (void);
/* Parses options; on error prints it with the usage hint and returns FALSE. */
gboolean    th_cli_parse_options    (GOptionContext *context,
                                     int            *argc,
                                     char         ***argv);
/* Pretty-printed, or on one line for a stream of events. */
void        th_cli_print_json       (JsonNode       *node);
void        th_cli_print_json_line  (JsonNode       *node);
/* "  Label:                 value" */
void        th_cli_print_field      (const char     *label,
                                     const char     *value);
/* A number in decimal or 0x hex up to `max`; on error prints it, naming the option. */
gboolean    th_cli_parse_number     (const char     *option,
                                     const char     *text,
                                     guint64         max,
                                     guint64        *out);
void        th_cli_error            (const char     *format,
                                     ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
