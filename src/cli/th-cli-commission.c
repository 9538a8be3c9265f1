/* th-cli-commission.c: threshold-cli commission, adding devices to the home
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commissioning/th-commissioner.h"
#include "credentials/th-trust.h"
#include "messaging/th-udp-transport.h"
#include "th-cli-network.h"
#include "th-cli.h"
#include "th-error.h"

#define ACCEPT_OPTION "--accept-attestation-failure"

typedef struct
{
  GMainLoop *loop;
  ThCommissioner *commissioner;
  GCancellable *cancellable;
  gboolean json;
  gboolean timings;
  /* neither flag was given and no one can be asked: devices with findings are refused */
  gboolean refuse_without_terminal;

  /* the device under way, counted from 1 */
  guint device;
  guint n_devices;
  gint64 started_us;
  gint64 stage_started_us;
  gboolean in_stage;
  ThCommissioningStage stage;
  gint64 stage_us[TH_COMMISSIONING_N_STAGES];
  gboolean stage_ran[TH_COMMISSIONING_N_STAGES];
  gboolean attestation_reported;
  gboolean asked;             /* the findings were shown with the question */
  gboolean answered_yes;
  GIOChannel *input;
  guint input_watch;
  ThStoredNode *node;
  GError *error;
} CommissionRun;

static void
flush_event (void)
{
  /* A reader of the stream acts on each line as it comes (the interop test stops a device at
   * a stage): nothing may wait in the buffer. */
  fflush (stdout);
}

static void
print_event (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  th_cli_print_json_line (root);
  flush_event ();
}

static void
begin_event (CommissionRun *run,
             JsonBuilder   *builder,
             const char    *event)
{
  json_builder_begin_object (builder);
  th_cli_json_member_string (builder, "event", event);
  th_cli_json_member_int (builder, "device", run->device);
}

static void
end_stage (CommissionRun *run)
{
  gint64 now = g_get_monotonic_time ();

  if (run->in_stage)
    {
      run->stage_us[run->stage] += now - run->stage_started_us;
      run->stage_ran[run->stage] = TRUE;
    }
  run->in_stage = FALSE;
}

/* ---- Attestation ---- */

static const char *
decision_name (CommissionRun *run,
               gboolean       added)
{
  if (!added)
    return "refused";
  return run->asked ? "accepted-by-user" : "accepted";
}

static void
print_findings (ThAttestationResult *result,
                FILE                *out)
{
  for (guint i = 0; i < th_attestation_result_get_n_findings (result); i++)
    {
      const ThAttestationFinding *finding = th_attestation_result_get_finding (result, i);

      fprintf (out, "    – %s\n", finding->message);
    }
}

/* Once the outcome of attestation is known: `added` says whether commissioning went on. */
static void
report_attestation (CommissionRun *run,
                    gboolean       added)
{
  ThAttestationResult *result = th_commissioner_get_attestation_result (run->commissioner);
  guint n_findings;

  if (result == NULL || run->attestation_reported)
    return;
  run->attestation_reported = TRUE;
  n_findings = th_attestation_result_get_n_findings (result);

  if (run->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      begin_event (run, builder, "attestation");
      th_cli_json_member_bool (builder, "trusted", th_attestation_result_is_trusted (result));
      json_builder_set_member_name (builder, "findings");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n_findings; i++)
        {
          const ThAttestationFinding *finding = th_attestation_result_get_finding (result, i);

          json_builder_begin_object (builder);
          th_cli_json_member_string (builder, "check",
                                     th_attestation_check_to_string (finding->check));
          th_cli_json_member_string (builder, "severity",
                                     finding->severity == TH_ATTESTATION_SEVERITY_FAILURE
                                     ? "failure" : "warning");
          th_cli_json_member_string (builder, "message", finding->message);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      th_cli_json_member_string (builder, "decision",
                                 n_findings == 0 ? "passed" : decision_name (run, added));
      json_builder_end_object (builder);
      print_event (builder);
      return;
    }

  /* In words, what was shown with the question is not shown again, and a refusal is told by
   * the error. */
  if (n_findings == 0 || run->asked || !added)
    return;
  g_print (_("  The device did not pass every check that it is genuine:\n"));
  print_findings (result, stdout);
  g_print (_("  It is added anyway, as %s asks.\n"), ACCEPT_OPTION);
  flush_event ();
}

static void
stop_asking (CommissionRun *run)
{
  g_clear_handle_id (&run->input_watch, g_source_remove);
  g_clear_pointer (&run->input, g_io_channel_unref);
}

static gboolean
on_answer (GIOChannel   *channel,
           GIOCondition  condition,
           gpointer      user_data)
{
  CommissionRun *run = user_data;
  g_autofree char *line = NULL;
  gboolean yes = FALSE;

  /* End of input, or an error, is a no. */
  if (g_io_channel_read_line (channel, &line, NULL, NULL, NULL) == G_IO_STATUS_NORMAL)
    yes = rpmatch (g_strstrip (line)) == 1;
  run->input_watch = 0;
  stop_asking (run);
  run->answered_yes = yes;
  th_commissioner_resolve_attestation (run->commissioner, yes);
  return G_SOURCE_REMOVE;
}

/* Only with a terminal: elsewhere the policy is to refuse. */
static void
on_attestation_failed (ThCommissioner      *commissioner,
                       ThAttestationResult *result,
                       CommissionRun       *run)
{
  run->asked = TRUE;
  /* On stderr, so that stdout stays what --json promises. */
  g_printerr (_("The device did not pass every check that it is genuine:\n"));
  print_findings (result, stderr);
  g_printerr (_("It may be a device in development, or not what it claims to be. "
                "Add anyway? [y/N] "));
  run->input = g_io_channel_unix_new (STDIN_FILENO);
  run->input_watch = g_io_add_watch (run->input, G_IO_IN | G_IO_HUP | G_IO_ERR, on_answer,
                                     run);
}

/* ---- Progress ---- */

static void
on_stage_changed (ThCommissioner       *commissioner,
                  ThCommissioningStage  stage,
                  double                fraction,
                  CommissionRun        *run)
{
  end_stage (run);
  if (stage > TH_COMMISSIONING_STAGE_ATTESTATION)
    report_attestation (run, TRUE);
  run->stage = stage;
  run->in_stage = TRUE;
  run->stage_started_us = g_get_monotonic_time ();

  if (run->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      begin_event (run, builder, "stage");
      th_cli_json_member_string (builder, "stage", th_commissioning_stage_to_string (stage));
      th_cli_json_member_string (builder, "description",
                                 th_commissioning_stage_describe (stage));
      th_cli_json_member_double (builder, "fraction", fraction);
      json_builder_end_object (builder);
      print_event (builder);
      return;
    }
  /* Translators: a stage under way, as in "Checking that the device is genuine…" */
  g_print (_("  %s…\n"), th_commissioning_stage_describe (stage));
  flush_event ();
}

static void
on_commissioned (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CommissionRun *run = user_data;

  run->node = th_commissioner_commission_finish (run->commissioner, result, &run->error);
  end_stage (run);
  g_main_loop_quit (run->loop);
}

/* ---- The outcome of one device ---- */

static double
total_ms (CommissionRun *run)
{
  return (g_get_monotonic_time () - run->started_us) / 1000.0;
}

/* "timings": { "stages": { "<stage>": ms, ... }, "totalMs": ms } */
static void
add_timings (CommissionRun *run,
             JsonBuilder   *builder)
{
  json_builder_set_member_name (builder, "timings");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "stages");
  json_builder_begin_object (builder);
  for (ThCommissioningStage stage = 0; stage < TH_COMMISSIONING_N_STAGES; stage++)
    if (run->stage_ran[stage])
      th_cli_json_member_double (builder, th_commissioning_stage_to_string (stage),
                                 run->stage_us[stage] / 1000.0);
  json_builder_end_object (builder);
  th_cli_json_member_double (builder, "totalMs", total_ms (run));
  json_builder_end_object (builder);
}

static void
print_timings (CommissionRun *run)
{
  g_print (_("  Timings:\n"));
  for (ThCommissioningStage stage = 0; stage < TH_COMMISSIONING_N_STAGES; stage++)
    if (run->stage_ran[stage])
      g_print ("    %-52s %9.1f ms\n", th_commissioning_stage_describe (stage),
               run->stage_us[stage] / 1000.0);
  g_print ("    %-52s %9.1f ms\n", _("Total"), total_ms (run));
}

/* What to do about an error, when there is something to say. */
static const char *
hint_for (CommissionRun *run,
          const GError  *error)
{
  if (g_error_matches (error, TH_ERROR, TH_ERROR_PASE_WRONG_PASSCODE))
    return _("Check the code and try again.");
  if (run->refuse_without_terminal
      && g_error_matches (error, TH_ERROR, TH_ERROR_ATTESTATION_REFUSED))
    return _("No one could be asked here; run again with " ACCEPT_OPTION " to add the device "
             "anyway, or with --strict to refuse such devices without asking.");
  if (g_error_matches (error, TH_ERROR, TH_ERROR_NETWORK_CREDENTIALS_NEEDED))
    return _("Give the Wi-Fi network with --wifi SSID --wifi-password-file FILE, or the "
             "Thread network with --thread-dataset HEX.");
  if (g_error_matches (error, TH_ERROR, TH_ERROR_NETWORK_AUTH_FAILED)
      || g_error_matches (error, TH_ERROR, TH_ERROR_NETWORK_NOT_FOUND))
    return _("Check the network given with --wifi and --wifi-password-file, or "
             "--thread-dataset, and try again.");
  if (g_error_matches (error, TH_ERROR, TH_ERROR_BLE_NOT_FOUND))
    return _("Check that the device is on, close by and open for commissioning.");
  if (g_error_matches (error, TH_ERROR, TH_ERROR_DNSSD_NOT_FOUND))
    return _("Check that the device is on and open for commissioning, or give its address "
             "with --address.");
  return NULL;
}

static void
report_success (CommissionRun *run)
{
  const ThStoredNode *node = run->node;

  if (run->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      begin_event (run, builder, "commissioned");
      json_builder_set_member_name (builder, "node");
      th_cli_node_to_json (builder, node);
      if (run->timings)
        add_timings (run, builder);
      json_builder_end_object (builder);
      print_event (builder);
      return;
    }
  g_print (_("Added “%s” by %s as node %" G_GUINT64_FORMAT ".\n"),
           node->product_name, node->vendor_name, node->node_id);
  if (run->timings)
    print_timings (run);
}

static void
report_failure (CommissionRun *run)
{
  const char *hint = hint_for (run, run->error);
  ThCommissioningStage stage = run->stage;

  th_commissioner_get_failed_stage (run->commissioner, &stage);
  if (hint != NULL)
    th_cli_error ("%s %s", run->error->message, hint);
  else
    th_cli_error ("%s", run->error->message);

  if (run->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      begin_event (run, builder, "failed");
      th_cli_json_member_string (builder, "stage", th_commissioning_stage_to_string (stage));
      th_cli_json_member_error (builder, run->error);
      th_cli_json_member_string (builder, "hint", hint);
      if (run->timings)
        add_timings (run, builder);
      json_builder_end_object (builder);
      print_event (builder);
    }
  else if (run->timings)
    {
      print_timings (run);
    }
}

static gboolean
commission_one (CommissionRun                *run,
                const ThSetupPayload         *payload,
                const ThCommissioningOptions *options)
{
  gboolean ok;

  run->started_us = g_get_monotonic_time ();
  run->in_stage = FALSE;
  memset (run->stage_us, 0, sizeof run->stage_us);
  memset (run->stage_ran, 0, sizeof run->stage_ran);
  run->attestation_reported = run->asked = FALSE;

  if (!run->json && run->n_devices > 1)
    g_print (_("Device %u of %u, discriminator %u:\n"), run->device, run->n_devices,
             payload->discriminator);
  th_commissioner_commission_async (run->commissioner, payload, options, run->cancellable,
                                    on_commissioned, run);
  g_main_loop_run (run->loop);
  stop_asking (run);

  ok = run->node != NULL;
  report_attestation (run, ok || !g_error_matches (run->error, TH_ERROR,
                                                   TH_ERROR_ATTESTATION_REFUSED));
  if (ok)
    report_success (run);
  else
    report_failure (run);
  g_clear_pointer (&run->node, th_stored_node_free);
  g_clear_error (&run->error);
  return ok;
}

/* ---- Setting up ---- */

static gboolean
on_interrupt (gpointer user_data)
{
  CommissionRun *run = user_data;

  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
print_warnings (GPtrArray *warnings)
{
  for (guint i = 0; warnings != NULL && i < warnings->len; i++)
    {
      const GError *warning = g_ptr_array_index (warnings, i);

      /* Translators: a file of a trust store that was skipped, and why */
      g_printerr (_("threshold-cli: warning: %s\n"), warning->message);
    }
}

/* The folder given, else the default one, which may be missing: an empty trust store then,
 * which attestation reports. */
static char *
trust_directory (const char *given,
                 const char *name)
{
  if (given != NULL)
    return g_strdup (given);
  return th_trust_default_directory (name);
}

static gboolean
load_trust (const char   *paa_dir,
            const char   *cd_dir,
            gboolean      paa_given,
            gboolean      cd_given,
            ThPaaStore   *paa_store,
            ThCdSigners  *cd_signers)
{
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GError) error = NULL;
  guint n_added = 0;

  if ((paa_given || g_file_test (paa_dir, G_FILE_TEST_IS_DIR))
      && !th_paa_store_add_directory (paa_store, paa_dir, &n_added, &warnings, &error))
    {
      th_cli_error (_("--paa-trust-store: %s"), error->message);
      return FALSE;
    }
  print_warnings (warnings);
  g_clear_pointer (&warnings, g_ptr_array_unref);
  g_debug ("%u PAA certificates from %s", n_added, paa_dir);

  if ((cd_given || g_file_test (cd_dir, G_FILE_TEST_IS_DIR))
      && !th_cd_signers_add_directory (cd_signers, cd_dir, FALSE, &warnings, &error))
    {
      th_cli_error (_("--cd-signers: %s"), error->message);
      return FALSE;
    }
  print_warnings (warnings);
  return TRUE;
}

/* Every payload of the code, each one checked. */
static GPtrArray *
parse_code (const char  *code,
            GError     **error)
{
  g_autoptr(GPtrArray) payloads = th_setup_payload_parse (code, error);

  if (payloads == NULL)
    return NULL;
  for (guint i = 0; i < payloads->len; i++)
    if (!th_setup_payload_validate (g_ptr_array_index (payloads, i), error))
      {
        if (payloads->len > 1)
          g_prefix_error (error, _("Device %u of %u: "), i + 1, payloads->len);
        return NULL;
      }
  return g_steal_pointer (&payloads);
}

int
th_cli_commission (int    argc,
                   char **argv)
{
  g_autofree char *address_text = NULL;
  g_autofree char *paa_option = NULL;
  g_autofree char *cd_option = NULL;
  g_autofree char *country = NULL;
  g_autofree char *wifi_ssid = NULL;
  g_autofree char *wifi_password_file = NULL;
  g_autofree char *thread_dataset = NULL;
  g_autoptr(ThCliNetworkPrompt) prompt = NULL;
  gboolean ble = FALSE;
  gboolean accept = FALSE;
  gboolean strict = FALSE;
  gboolean json = FALSE;
  gboolean timings = FALSE;
  const GOptionEntry entries[] = {
    { "address", 'a', 0, G_OPTION_ARG_STRING, &address_text,
      N_("The device’s IPv6 or IPv4 address, with an optional port (default 5540), instead "
         "of finding it on the network: fe80::1%eth0, [fd00::1]:5541, 192.168.1.20"),
      N_("ADDRESS[:PORT]") },
    { "ble", 0, 0, G_OPTION_ARG_NONE, &ble,
      N_("Reach the device over Bluetooth LE, as a factory-new device waits to be"), NULL },
    { "wifi", 0, 0, G_OPTION_ARG_STRING, &wifi_ssid,
      N_("The Wi-Fi network the device joins, by its name"), N_("SSID") },
    { "wifi-password-file", 0, 0, G_OPTION_ARG_FILENAME, &wifi_password_file,
      N_("A file whose first line is the Wi-Fi password (“-”: standard input); never give a "
         "password on the command line"), N_("FILE") },
    { "thread-dataset", 0, 0, G_OPTION_ARG_STRING, &thread_dataset,
      N_("The Thread network the device joins: its active operational dataset in hex"),
      N_("HEX") },
    { "paa-trust-store", 0, 0, G_OPTION_ARG_FILENAME, &paa_option,
      N_("A folder of trusted PAA certificates (PEM or DER); default "
         "$XDG_CACHE_HOME/threshold/paa"), N_("DIR") },
    { "cd-signers", 0, 0, G_OPTION_ARG_FILENAME, &cd_option,
      N_("A folder of the certificates that sign certification declarations; default "
         "$XDG_CACHE_HOME/threshold/cd-signers"), N_("DIR") },
    { "accept-attestation-failure", 0, 0, G_OPTION_ARG_NONE, &accept,
      N_("Add a device even when it does not pass every check that it is genuine"), NULL },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict,
      N_("Refuse, without asking, a device that does not pass every check that it is "
         "genuine"), NULL },
    { "country", 0, 0, G_OPTION_ARG_STRING, &country,
      N_("Where the devices are used, as a two-letter country code (default XX: unknown)"),
      N_("CC") },
    { "timings", 0, 0, G_OPTION_ARG_NONE, &timings,
      N_("Print how long each stage took, in milliseconds"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print one JSON object per line as commissioning goes"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("CODE"));
  g_autoptr(ThCommissioningOptions) options = th_commissioning_options_new ();
  g_autoptr(GPtrArray) payloads = NULL;
  g_autoptr(ThStore) store = NULL;
  g_autoptr(ThPaaStore) paa_store = th_paa_store_new ();
  g_autoptr(ThCdSigners) cd_signers = th_cd_signers_new ();
  g_autofree char *paa_dir = NULL;
  g_autofree char *cd_dir = NULL;
  g_autoptr(GError) error = NULL;
  CommissionRun run = { 0 };
  guint n_failed = 0;
  guint sigint, sigterm;

  g_option_context_set_summary (context,
                                _("Add devices to this home with their setup code: QR code "
                                  "text (several devices when it joins their codes with "
                                  "“*”) or a manual pairing code. Each device is found on the "
                                  "network by its discriminator, reached at --address or over "
                                  "Bluetooth LE with --ble (then given its Wi-Fi or Thread "
                                  "network), checked to be genuine, given the home’s certificate and "
                                  "saved in $XDG_DATA_HOME/threshold. When a device does not "
                                  "pass every check, you are asked on a terminal; elsewhere "
                                  "it is refused unless " ACCEPT_OPTION " is given."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!th_cli_parse_options (context, &argc, &argv))
    return TH_CLI_EXIT_USAGE;
  if (argc != 2)
    {
      th_cli_error (_("Give exactly one setup code (quote it if it has spaces)."));
      return TH_CLI_EXIT_USAGE;
    }
  if (accept && strict)
    {
      th_cli_error (_("%s and --strict contradict each other: give one of them."),
                    ACCEPT_OPTION);
      return TH_CLI_EXIT_USAGE;
    }
  if (country != NULL)
    {
      if (strlen (country) != 2 || !g_ascii_isalpha (country[0])
          || !g_ascii_isalpha (country[1]))
        {
          th_cli_error (_("--country: “%s” is not a two-letter country code such as DE or "
                          "US."), country);
          return TH_CLI_EXIT_USAGE;
        }
      options->country_code[0] = g_ascii_toupper (country[0]);
      options->country_code[1] = g_ascii_toupper (country[1]);
    }
  if (address_text != NULL)
    {
      options->address = th_udp_address_parse (address_text, TH_MATTER_UDP_PORT, &error);
      if (options->address == NULL)
        {
          th_cli_error (_("--address: %s"), error->message);
          return TH_CLI_EXIT_USAGE;
        }
    }

  options->ble = ble;
  if (ble && options->address != NULL)
    {
      th_cli_error (_("--ble and --address name two ways to reach the device: give one."));
      return TH_CLI_EXIT_USAGE;
    }
  options->network_credentials = th_cli_network_credentials_from_options (
    wifi_ssid, wifi_password_file, thread_dataset, &error);
  if (thread_dataset != NULL)
    explicit_bzero (thread_dataset, strlen (thread_dataset));
  if (error != NULL)
    {
      th_cli_error ("%s", error->message);
      return TH_CLI_EXIT_USAGE;
    }

  payloads = parse_code (argv[1], &error);
  /* The code holds the passcode: it stays in memory no longer than needed. */
  explicit_bzero (argv[1], strlen (argv[1]));
  if (payloads == NULL)
    {
      th_cli_error ("%s", error->message);
      return TH_CLI_EXIT_FAILED;
    }
  if (options->address != NULL && payloads->len > 1)
    {
      th_cli_error (_("The code holds %u devices, and --address names one place: leave "
                      "--address out to find each device on the network."), payloads->len);
      return TH_CLI_EXIT_USAGE;
    }

  paa_dir = trust_directory (paa_option, "paa");
  cd_dir = trust_directory (cd_option, "cd-signers");
  if (!load_trust (paa_dir, cd_dir, paa_option != NULL, cd_option != NULL, paa_store,
                   cd_signers))
    return TH_CLI_EXIT_USAGE;

  /* Without either flag a person decides, on the terminal; where there is none, the device
   * is refused and the error says which flag would add it. */
  run.refuse_without_terminal = !accept && !strict && !isatty (STDIN_FILENO);
  options->attestation_policy = accept ? TH_ATTESTATION_POLICY_ACCEPT
                                : strict || run.refuse_without_terminal
                                ? TH_ATTESTATION_POLICY_REFUSE
                                : TH_ATTESTATION_POLICY_ASK;
  store = th_store_new (NULL);
  run.loop = g_main_loop_new (NULL, FALSE);
  run.cancellable = g_cancellable_new ();
  run.commissioner = th_commissioner_new (store, paa_store, cd_signers, NULL);
  run.json = json;
  run.timings = timings;
  run.n_devices = payloads->len;
  g_signal_connect (run.commissioner, "stage-changed", G_CALLBACK (on_stage_changed), &run);
  g_signal_connect (run.commissioner, "attestation-failed", G_CALLBACK (on_attestation_failed),
                    &run);
  /* Without a network given, a person on a terminal is asked for one; elsewhere the error
   * says which flags give it. */
  if (options->network_credentials == NULL && isatty (STDIN_FILENO))
    prompt = th_cli_network_prompt_new (run.commissioner);
  sigint = g_unix_signal_add (SIGINT, on_interrupt, &run);
  sigterm = g_unix_signal_add (SIGTERM, on_interrupt, &run);

  /* In the order of the code, each device on its own: one that fails does not keep the
   * others out. */
  for (guint i = 0; i < payloads->len && !g_cancellable_is_cancelled (run.cancellable); i++)
    {
      run.device = i + 1;
      if (!commission_one (&run, g_ptr_array_index (payloads, i), options))
        n_failed++;
    }

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_clear_pointer (&prompt, th_cli_network_prompt_free);
  g_clear_object (&run.commissioner);
  g_clear_object (&run.cancellable);
  g_clear_pointer (&run.loop, g_main_loop_unref);
  /* Devices left out by an interruption were not added either. */
  return n_failed == 0 && run.device == payloads->len ? TH_CLI_EXIT_OK : TH_CLI_EXIT_FAILED;
}
