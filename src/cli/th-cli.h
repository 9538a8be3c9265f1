/* th-cli.h: threshold-cli commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "dcl/th-dcl-client.h"
#include "storage/th-store.h"

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
int th_cli_discover (int argc, char **argv);
int th_cli_commission (int    argc,
                       char **argv);
int th_cli_nodes (int    argc,
                  char **argv);
/* nodes share, rename, remove, identify: run by th_cli_nodes */
extern const ThCliCommand th_cli_node_admin_commands[];
int th_cli_onoff (int    argc,
                  char **argv);
extern const ThCliCommand th_cli_dcl_commands[];
extern const ThCliCommand th_cli_trust_store_commands[];
int th_cli_custom_flow (int    argc,
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

/* JSON members; a NULL string is null. */
void        th_cli_json_member_string (JsonBuilder  *builder,
                                       const char   *name,
                                       const char   *value);
void        th_cli_json_member_int    (JsonBuilder  *builder,
                                       const char   *name,
                                       gint64        value);
void        th_cli_json_member_bool   (JsonBuilder  *builder,
                                       const char   *name,
                                       gboolean      value);
void        th_cli_json_member_double (JsonBuilder  *builder,
                                       const char   *name,
                                       double        value);
/* "error": { "domain", "code", "message" } */
void        th_cli_json_member_error  (JsonBuilder  *builder,
                                       const GError *error);
/* A stored node, as an object / in words. */
void        th_cli_node_to_json       (JsonBuilder        *builder,
                                       const ThStoredNode *node);
void        th_cli_print_node         (const ThStoredNode *node);

/* A client of the ledger at `url` (NULL: from the settings); on a bad URL prints why, naming
 * --dcl-url, and returns NULL. */
ThDclClient *th_cli_dcl_client_new    (const char         *url,
                                       gboolean            offline);
/* "source", "fetchedAt", "problem" */
void        th_cli_json_member_origin (JsonBuilder        *builder,
                                       const ThDclOrigin  *origin);
/* A model as the ledger names its fields, with the pairing hints in words. */
void        th_cli_model_to_json      (JsonBuilder        *builder,
                                       const ThDclModel   *model);
/* "45 seconds", "30 minutes", "5 hours", "3 days": in its largest unit, rounded down. */
char       *th_cli_describe_duration  (gint64              seconds);
/* Like th_cli_print_field, one line per string, the label on the first; nothing when empty. */
void        th_cli_print_lines        (const char         *label,
                                       GStrv               lines);

G_END_DECLS
