/* th-cli-custom-flow.c: threshold-cli custom-flow, a device prepared by its manufacturer first
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

#include "dcl/th-custom-flow.h"
#include "dcl/th-dcl-client.h"
#include "onboarding/th-payload-text.h"
#include "th-cli.h"
#include "th-error.h"

#define DEFAULT_TIMEOUT_S (TH_CUSTOM_FLOW_DEFAULT_TIMEOUT_MS / 1000)

typedef struct
{
  GMainLoop *loop;
  GCancellable *cancellable;
  ThCustomFlow *flow;
  GAsyncResult *result;
  gboolean json;
  GIOChannel *input;
  guint input_watch;
} Run;

static void
print_event (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  th_cli_print_json_line (root);
  /* a reader acts on each line as it comes: the test's "manufacturer page" opens the URL */
  fflush (stdout);
}

static void
add_strv (JsonBuilder *builder,
          const char  *name,
          GStrv        strings)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; strings != NULL && strings[i] != NULL; i++)
    json_builder_add_string_value (builder, strings[i]);
  json_builder_end_array (builder);
}

/* ---- The product ---- */

static void
on_model (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Run *run = user_data;

  run->result = g_object_ref (result);
  g_main_loop_quit (run->loop);
}

static ThDclModel *
look_up_model (Run                  *run,
               ThDclClient          *client,
               const ThSetupPayload *payload,
               GError              **error)
{
  g_auto(ThDclOrigin) origin = { 0 };
  ThDclModel *model;

  th_dcl_client_get_model_async (client, payload->vendor_id, payload->product_id,
                                 run->cancellable, on_model, run);
  g_main_loop_run (run->loop);
  model = th_dcl_client_get_model_finish (client, run->result, &origin, error);
  g_clear_object (&run->result);
  if (model != NULL && origin.source == TH_DCL_SOURCE_STALE_CACHE)
    {
      g_autofree char *text = th_dcl_origin_describe (&origin);

      /* Translators: where the product's information came from, when it is old */
      g_printerr (_("threshold-cli: note: %s\n"), text);
    }
  return model;
}

/* ---- The manufacturer's setup ---- */

static void
on_refused (ThCustomFlow *flow,
            GError       *error,
            Run          *run)
{
  if (run->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      th_cli_json_member_string (builder, "event", "callback-refused");
      th_cli_json_member_error (builder, error);
      json_builder_end_object (builder);
      print_event (builder);
    }
  /* Translators: a return link that was refused, and why */
  g_printerr (_("threshold-cli: a return link was refused: %s\n"), error->message);
}

static void
stop_reading (Run *run)
{
  g_clear_handle_id (&run->input_watch, g_source_remove);
  g_clear_pointer (&run->input, g_io_channel_unref);
}

static gboolean
on_input (GIOChannel   *channel,
          GIOCondition  condition,
          gpointer      user_data)
{
  Run *run = user_data;
  g_autofree char *line = NULL;

  /* a line, empty or not, says the manufacturer's steps are done; the end of the input says
   * nothing: the callback may still come */
  if (g_io_channel_read_line (channel, &line, NULL, NULL, NULL) == G_IO_STATUS_NORMAL)
    {
      th_custom_flow_resume (run->flow);
      return G_SOURCE_CONTINUE;
    }
  run->input_watch = 0;
  stop_reading (run);
  return G_SOURCE_REMOVE;
}

static void
on_waited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Run *run = user_data;

  run->result = g_object_ref (result);
  g_main_loop_quit (run->loop);
}

static void
announce (Run              *run,
          const ThDclModel *model,
          guint             timeout_s)
{
  g_auto(GStrv) steps = th_dcl_model_describe_initial_steps (model);
  g_autofree char *duration = NULL;
  const char *callback = th_custom_flow_get_callback_url (run->flow);

  if (run->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      th_cli_json_member_string (builder, "event", "open-url");
      th_cli_json_member_string (builder, "productName", model->product_name);
      th_cli_json_member_string (builder, "url", th_custom_flow_get_url (run->flow));
      th_cli_json_member_string (builder, "callbackUrl", callback);
      add_strv (builder, "steps", steps);
      th_cli_json_member_int (builder, "timeoutSeconds", timeout_s);
      json_builder_end_object (builder);
      print_event (builder);
      return;
    }

  g_print (_("%s needs its manufacturer’s setup before it can be added. Open this address in a "
             "web browser and follow the steps there:\n\n  %s\n\n"),
           model->product_name != NULL ? model->product_name : _("The device"),
           th_custom_flow_get_url (run->flow));
  th_cli_print_lines (_("To add it"), steps);
  duration = th_cli_describe_duration (timeout_s);
  if (callback != NULL)
    /* Translators: the time left, as in "30 minutes" */
    g_print (_("Waiting up to %s for the manufacturer’s page to send you back; press Enter if it "
               "is done and does not.\n"), duration);
  else
    g_print (_("Press Enter when its steps are done (within %s).\n"), duration);
  fflush (stdout);
}

/* The payload to commission with, and whether the manufacturer's flow returned it. */
static ThSetupPayload *
follow_custom_flow (Run               *run,
                    const ThDclModel  *model,
                    const char        *code,
                    guint              timeout_s,
                    gboolean          *returned,
                    GError           **error)
{
  g_autoptr(ThCustomFlow) flow = NULL;
  ThSetupPayload *payload;

  if (model->custom_flow_url == NULL)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_URL,
                           _("The compliance ledger gives no address for this device’s "
                             "manufacturer’s setup. Follow its manual, then add it with "
                             "“threshold-cli commission” and the code the manual says."));
      return NULL;
    }
  flow = th_custom_flow_new (model->custom_flow_url, code, TH_CUSTOM_FLOW_RETURN_LOOPBACK,
                             timeout_s * 1000, error);
  if (flow == NULL)
    return NULL;
  run->flow = flow;
  g_signal_connect (flow, "callback-refused", G_CALLBACK (on_refused), run);
  announce (run, model, timeout_s);

  run->input = g_io_channel_unix_new (STDIN_FILENO);
  run->input_watch = g_io_add_watch (run->input, G_IO_IN | G_IO_HUP | G_IO_ERR, on_input, run);
  th_custom_flow_wait_async (flow, run->cancellable, on_waited, run);
  g_main_loop_run (run->loop);
  stop_reading (run);
  payload = th_custom_flow_wait_finish (flow, run->result, returned, error);
  g_clear_object (&run->result);
  run->flow = NULL;
  return payload;
}

/* ---- The other flows ---- */

static void
prepare_user_intent (Run              *run,
                     const ThDclModel *model)
{
  g_auto(GStrv) steps = model != NULL ? th_dcl_model_describe_initial_steps (model) : NULL;
  const char *name = model != NULL && model->product_name != NULL ? model->product_name
                     : _("The device");

  if (steps == NULL || steps[0] == NULL)
    {
      g_clear_pointer (&steps, g_strfreev);
      steps = g_new0 (char *, 2);
      steps[0] = g_strdup (_("Put it in pairing mode as its manual says"));
    }
  if (run->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      th_cli_json_member_string (builder, "event", "steps");
      th_cli_json_member_string (builder, "productName", name);
      add_strv (builder, "steps", steps);
      json_builder_end_object (builder);
      print_event (builder);
    }
  else
    {
      g_print (_("%s must be put in pairing mode before it can be found:\n"), name);
      th_cli_print_lines (_("To add it"), steps);
    }
  /* Only a person at a terminal can say when it is done; a script has done it already. */
  if (isatty (STDIN_FILENO))
    {
      g_autoptr(GIOChannel) input = g_io_channel_unix_new (STDIN_FILENO);
      g_autofree char *line = NULL;

      g_print (_("Press Enter when it is ready.\n"));
      g_io_channel_read_line (input, &line, NULL, NULL, NULL);
    }
}

/* ---- The command ---- */

static gboolean
on_interrupt (gpointer user_data)
{
  Run *run = user_data;

  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
report_ready (Run                  *run,
              const ThSetupPayload *payload,
              gboolean              returned)
{
  if (run->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      th_cli_json_member_string (builder, "event", "ready");
      th_cli_json_member_string (builder, "code", returned ? "returned" : "own");
      th_cli_json_member_int (builder, "discriminator", payload->discriminator);
      th_cli_json_member_bool (builder, "shortDiscriminator", payload->short_discriminator);
      if (payload->has_vendor_product)
        {
          th_cli_json_member_int (builder, "vendorId", payload->vendor_id);
          th_cli_json_member_int (builder, "productId", payload->product_id);
        }
      th_cli_json_member_string (builder, "flow", th_commissioning_flow_to_string (payload->flow));
      json_builder_end_object (builder);
      print_event (builder);
      return;
    }
  if (returned)
    g_print (_("The manufacturer’s setup gave back a setup code for the device, discriminator "
               "%u.\n"), payload->discriminator);
  else
    g_print (_("The manufacturer’s setup is done; the device is added with your code.\n"));
  fflush (stdout);
}

/* Everything after "--" goes to commission, with the code last. */
static int
commission (char       **forwarded,
            const char  *code)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  guint n;
  int status;

  g_ptr_array_add (argv, g_strdup (g_get_prgname ()));
  for (guint i = 0; forwarded != NULL && forwarded[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (forwarded[i]));
  g_ptr_array_add (argv, g_strdup (code));
  n = argv->len;
  g_ptr_array_add (argv, NULL);
  status = th_cli_commission ((int) n, (char **) argv->pdata);
  /* the code may hold the passcode */
  for (guint i = 0; i < n; i++)
    {
      char *arg = g_ptr_array_index (argv, i);

      if (arg != NULL)
        explicit_bzero (arg, strlen (arg));
    }
  return status;
}

int
th_cli_custom_flow (int    argc,
                    char **argv)
{
  g_autofree char *url = NULL;
  gboolean offline = FALSE, json = FALSE, no_commission = FALSE;
  int timeout_s = DEFAULT_TIMEOUT_S;
  const GOptionEntry entries[] = {
    { "dcl-url", 0, 0, G_OPTION_ARG_STRING, &url,
      N_("The compliance ledger to ask (default: from the settings, else the main net "
         TH_DCL_MAIN_NET_URL ")"), N_("URL") },
    { "offline", 0, 0, G_OPTION_ARG_NONE, &offline,
      N_("Ask the compliance ledger nothing: use what was kept from earlier answers"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s,
      N_("How long to wait for the manufacturer’s setup, in seconds (default 1800)"),
      N_("SECONDS") },
    { "no-commission", 0, 0, G_OPTION_ARG_NONE, &no_commission,
      N_("Stop once the device is ready to be added, and say which code would add it"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print one JSON object per line as it goes"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("CODE [-- COMMISSION-OPTION…]"));
  g_autoptr(GPtrArray) own = g_ptr_array_new ();
  g_autoptr(GPtrArray) payloads = NULL;
  g_autoptr(ThDclClient) client = NULL;
  g_autoptr(ThDclModel) model = NULL;
  g_autoptr(ThSetupPayload) ready = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) model_error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *ready_code = NULL;
  char **forwarded = NULL;
  ThSetupPayload *payload;
  ThCommissioningFlow flow;
  gboolean returned = FALSE;
  guint sigint, sigterm;
  int own_argc;
  char **own_argv;
  Run run = { 0 };

  for (int i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        {
          forwarded = argv + i + 1;
          break;
        }
      g_ptr_array_add (own, argv[i]);
    }
  own_argc = (int) own->len;
  g_ptr_array_add (own, NULL);
  own_argv = (char **) own->pdata;

  g_option_context_set_summary (context,
                                _("Add a device whose manufacturer prepares it first. The "
                                  "compliance ledger says how the device is added: a device "
                                  "with a custom flow gets the address of its manufacturer’s "
                                  "setup, with the code and a link back in it; once the setup "
                                  "sends the browser back (or Enter is pressed) the device is "
                                  "added with the code the setup returned, or with CODE. A "
                                  "device with the user-intent flow gets its steps first. "
                                  "Options after “--” are those of “threshold-cli commission”."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!th_cli_parse_options (context, &own_argc, &own_argv))
    return TH_CLI_EXIT_USAGE;
  if (own_argc != 2)
    {
      th_cli_error (_("Give exactly one setup code (quote it if it has spaces)."));
      return TH_CLI_EXIT_USAGE;
    }
  if (timeout_s <= 0 || timeout_s > 24 * 3600)
    {
      th_cli_error (_("--timeout: give a number of seconds from 1 to 86400."));
      return TH_CLI_EXIT_USAGE;
    }
  client = th_cli_dcl_client_new (url, offline);
  if (client == NULL)
    return TH_CLI_EXIT_USAGE;

  code = g_strdup (own_argv[1]);
  explicit_bzero (own_argv[1], strlen (own_argv[1]));
  payloads = th_setup_payload_parse (code, &error);
  if (payloads == NULL)
    {
      th_cli_error ("%s", error->message);
      return TH_CLI_EXIT_FAILED;
    }
  if (payloads->len != 1)
    {
      th_cli_error (_("The code is for %u devices; give the code of one device."),
                    payloads->len);
      return TH_CLI_EXIT_FAILED;
    }
  payload = g_ptr_array_index (payloads, 0);
  if (!payload->has_vendor_product)
    {
      th_cli_error (_("An 11-digit code does not say which product the device is, so its "
                      "manufacturer’s setup cannot be found: give its QR code or its 21-digit "
                      "code."));
      return TH_CLI_EXIT_FAILED;
    }

  run.loop = g_main_loop_new (NULL, FALSE);
  run.cancellable = g_cancellable_new ();
  run.json = json;
  sigint = g_unix_signal_add (SIGINT, on_interrupt, &run);
  sigterm = g_unix_signal_add (SIGTERM, on_interrupt, &run);

  model = look_up_model (&run, client, payload, &model_error);
  /* A QR code says the flow; a 21-digit code only that it is not the standard one, and the
   * ledger tells which. */
  flow = payload->flow;
  if (payload->format == TH_PAYLOAD_FORMAT_MANUAL && model != NULL)
    flow = model->custom_flow;

  if (model == NULL
      && (flow == TH_COMMISSIONING_FLOW_CUSTOM
          || g_error_matches (model_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    {
      th_cli_error (_("The compliance ledger could not say how to add this device: %s"),
                    model_error->message);
      goto failed;
    }
  if (model == NULL)
    g_printerr (_("threshold-cli: note: the device’s name and steps are not known: %s\n"),
                model_error->message);

  switch (flow)
    {
    case TH_COMMISSIONING_FLOW_CUSTOM:
      ready = follow_custom_flow (&run, model, code, (guint) timeout_s, &returned, &error);
      if (ready == NULL)
        {
          th_cli_error ("%s", error->message);
          goto failed;
        }
      break;
    case TH_COMMISSIONING_FLOW_USER_INTENT:
      prepare_user_intent (&run, model);
      ready = th_setup_payload_copy (payload);
      break;
    case TH_COMMISSIONING_FLOW_STANDARD:
    case TH_COMMISSIONING_FLOW_RESERVED:
    default:
      ready = th_setup_payload_copy (payload);
      break;
    }
  if (!th_setup_payload_validate (ready, &error))
    {
      th_cli_error ("%s", error->message);
      goto failed;
    }
  report_ready (&run, ready, returned);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_clear_object (&run.cancellable);
  g_clear_pointer (&run.loop, g_main_loop_unref);
  if (no_commission)
    return TH_CLI_EXIT_OK;
  ready_code = returned ? th_setup_payload_encode_qr (ready, &error) : g_strdup (code);
  explicit_bzero (code, strlen (code));
  if (ready_code == NULL)
    {
      th_cli_error ("%s", error->message);
      return TH_CLI_EXIT_FAILED;
    }
  {
    int status = commission (forwarded, ready_code);

    explicit_bzero (ready_code, strlen (ready_code));
    return status;
  }

failed:
  explicit_bzero (code, strlen (code));
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_clear_object (&run.cancellable);
  g_clear_pointer (&run.loop, g_main_loop_unref);
  return TH_CLI_EXIT_FAILED;
}
