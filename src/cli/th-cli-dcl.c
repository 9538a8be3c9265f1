/* th-cli-dcl.c: threshold-cli dcl and trust-store, the compliance ledger on the command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "credentials/th-trust.h"
#include "dcl/th-dcl-client.h"
#include "dcl/th-paa-sync.h"
#include "dcl/th-revocation-sync.h"
#include "discovery/th-dnssd-text.h"
#include "onboarding/th-payload-text.h"
#include "th-cli.h"
#include "th-error.h"

/* ---- Shared with the other commands ---- */

ThDclClient *
th_cli_dcl_client_new (const char *url,
                       gboolean    offline)
{
  g_autoptr(GError) error = NULL;
  ThDclClient *client;

  if (url != NULL && !th_dcl_check_base_url (url, &error))
    {
      th_cli_error (_("--dcl-url: %s"), error->message);
      return NULL;
    }
  client = th_dcl_client_new (url, NULL);
  th_dcl_client_set_offline (client, offline);
  return client;
}

void
th_cli_json_member_origin (JsonBuilder       *builder,
                           const ThDclOrigin *origin)
{
  g_autoptr(GDateTime) fetched = g_date_time_new_from_unix_utc (origin->fetched_at);
  g_autofree char *when = fetched != NULL ? g_date_time_format_iso8601 (fetched) : NULL;

  th_cli_json_member_string (builder, "source", th_dcl_source_to_string (origin->source));
  th_cli_json_member_string (builder, "fetchedAt", when);
  th_cli_json_member_string (builder, "problem",
                             origin->problem != NULL ? origin->problem->message : NULL);
}

void
th_cli_print_lines (const char *label,
                    GStrv       lines)
{
  if (lines == NULL || lines[0] == NULL)
    return;
  th_cli_print_field (label, lines[0]);
  for (guint i = 1; lines[i] != NULL; i++)
    g_print ("  %-22s %s\n", "", lines[i]);
}

/* Runs one asynchronous step on a loop of its own. */
typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static GAsyncResult *
wait_for (Wait *wait)
{
  g_main_loop_run (wait->loop);
  return wait->result;
}

static void
wait_clear (Wait *wait)
{
  g_clear_object (&wait->result);
  g_clear_pointer (&wait->loop, g_main_loop_unref);
}

#define DCL_OPTIONS(url, offline) \
  { "dcl-url", 0, 0, G_OPTION_ARG_STRING, &url, \
    N_("The compliance ledger to ask (default: from the settings, else the main net " \
       TH_DCL_MAIN_NET_URL ")"), N_("URL") }, \
  { "offline", 0, 0, G_OPTION_ARG_NONE, &offline, \
    N_("Ask nothing: use what was kept from earlier answers, however old"), NULL }

static void
print_origin (const ThDclOrigin *origin)
{
  g_autofree char *text = th_dcl_origin_describe (origin);

  th_cli_print_field (_("From"), text);
}

/* ---- dcl model ---- */

static void
add_steps (JsonBuilder *builder,
           const char  *name,
           GStrv        steps)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; steps[i] != NULL; i++)
    json_builder_add_string_value (builder, steps[i]);
  json_builder_end_array (builder);
}

static GStrv
describe_reset_steps (const ThDclModel *model)
{
  /* the same pairing hint bits, for putting the device back to its factory state */
  return th_dnssd_describe_pairing_hint (model->factory_reset_steps_hint,
                                         model->factory_reset_steps_instruction);
}

void
th_cli_model_to_json (JsonBuilder      *builder,
                      const ThDclModel *model)
{
  g_auto(GStrv) initial = th_dcl_model_describe_initial_steps (model);
  g_auto(GStrv) secondary = th_dcl_model_describe_secondary_steps (model);
  g_auto(GStrv) reset = describe_reset_steps (model);

  json_builder_begin_object (builder);
  th_cli_json_member_int (builder, "vid", model->vendor_id);
  th_cli_json_member_int (builder, "pid", model->product_id);
  if (model->has_device_type_id)
    th_cli_json_member_int (builder, "deviceTypeId", model->device_type_id);
  th_cli_json_member_string (builder, "productName", model->product_name);
  th_cli_json_member_string (builder, "productLabel", model->product_label);
  th_cli_json_member_string (builder, "partNumber", model->part_number);
  th_cli_json_member_int (builder, "commissioningCustomFlow", model->custom_flow);
  th_cli_json_member_string (builder, "commissioningCustomFlowUrl", model->custom_flow_url);
  th_cli_json_member_int (builder, "commissioningModeInitialStepsHint",
                          model->initial_steps_hint);
  th_cli_json_member_string (builder, "commissioningModeInitialStepsInstruction",
                             model->initial_steps_instruction);
  th_cli_json_member_int (builder, "commissioningModeSecondaryStepsHint",
                          model->secondary_steps_hint);
  th_cli_json_member_string (builder, "commissioningModeSecondaryStepsInstruction",
                             model->secondary_steps_instruction);
  th_cli_json_member_int (builder, "factoryResetStepsHint", model->factory_reset_steps_hint);
  th_cli_json_member_string (builder, "factoryResetStepsInstruction",
                             model->factory_reset_steps_instruction);
  th_cli_json_member_int (builder, "icdUserActiveModeTriggerHint",
                          model->icd_user_active_mode_trigger_hint);
  th_cli_json_member_string (builder, "icdUserActiveModeTriggerInstruction",
                             model->icd_user_active_mode_trigger_instruction);
  th_cli_json_member_string (builder, "userManualUrl", model->user_manual_url);
  th_cli_json_member_string (builder, "supportUrl", model->support_url);
  th_cli_json_member_string (builder, "productUrl", model->product_url);
  th_cli_json_member_string (builder, "lsfUrl", model->lsf_url);
  th_cli_json_member_int (builder, "lsfRevision", model->lsf_revision);
  th_cli_json_member_string (builder, "maintenanceUrl", model->maintenance_url);
  th_cli_json_member_string (builder, "commissioningFallbackUrl",
                             model->commissioning_fallback_url);
  if (model->has_discovery_capabilities)
    th_cli_json_member_int (builder, "discoveryCapabilitiesBitmask",
                            model->discovery_capabilities);
  th_cli_json_member_int (builder, "enhancedSetupFlowOptions",
                          model->enhanced_setup_flow_options);
  th_cli_json_member_string (builder, "enhancedSetupFlowTCUrl",
                             model->enhanced_setup_flow_tc_url);
  th_cli_json_member_int (builder, "enhancedSetupFlowTCRevision",
                          model->enhanced_setup_flow_tc_revision);
  th_cli_json_member_string (builder, "enhancedSetupFlowTCDigest",
                             model->enhanced_setup_flow_tc_digest);
  /* beyond what a double holds exactly: as text, the way the ledger writes it */
  {
    g_autofree char *size = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                             model->enhanced_setup_flow_tc_file_size);

    th_cli_json_member_string (builder, "enhancedSetupFlowTCFileSize", size);
  }
  th_cli_json_member_string (builder, "creator", model->creator);
  th_cli_json_member_int (builder, "schemaVersion", model->schema_version);
  add_steps (builder, "initialSteps", initial);
  add_steps (builder, "secondarySteps", secondary);
  add_steps (builder, "factoryResetSteps", reset);
  json_builder_end_object (builder);
}

static void
print_url (const char *label,
           const char *url)
{
  if (url != NULL)
    th_cli_print_field (label, url);
}

static void
print_model (const ThDclModel *model)
{
  g_auto(GStrv) initial = th_dcl_model_describe_initial_steps (model);
  g_auto(GStrv) secondary = th_dcl_model_describe_secondary_steps (model);
  g_auto(GStrv) reset = describe_reset_steps (model);
  g_autofree char *text = NULL;

  g_print ("%s\n", model->product_name != NULL ? model->product_name : _("(no product name)"));
  text = g_strdup_printf ("0x%04X", model->vendor_id);
  th_cli_print_field (_("Vendor ID"), text);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("0x%04X", model->product_id);
  th_cli_print_field (_("Product ID"), text);
  g_clear_pointer (&text, g_free);
  if (model->product_label != NULL)
    th_cli_print_field (_("Label"), model->product_label);
  if (model->part_number != NULL)
    th_cli_print_field (_("Part number"), model->part_number);
  if (model->has_device_type_id)
    {
      text = g_strdup_printf ("0x%04X (%u)", model->device_type_id, model->device_type_id);
      th_cli_print_field (_("Device type"), text);
      g_clear_pointer (&text, g_free);
    }
  /* Translators: a commissioning flow's name, then what it means */
  text = g_strdup_printf (_("%s: %s"), th_payload_describe_flow (model->custom_flow),
                          th_payload_describe_flow_detail (model->custom_flow));
  th_cli_print_field (_("Commissioning flow"), text);
  g_clear_pointer (&text, g_free);
  print_url (_("Setup page"), model->custom_flow_url);
  th_cli_print_lines (_("To add it"), initial);
  th_cli_print_lines (_("To add it again"), secondary);
  th_cli_print_lines (_("To reset it"), reset);
  print_url (_("User manual"), model->user_manual_url);
  print_url (_("Support"), model->support_url);
  print_url (_("Product page"), model->product_url);
  print_url (_("Maintenance"), model->maintenance_url);
  if (model->enhanced_setup_flow_tc_url != NULL)
    {
      text = g_strdup_printf (_("%s (version %u)"), model->enhanced_setup_flow_tc_url,
                              model->enhanced_setup_flow_tc_revision);
      th_cli_print_field (_("Terms to accept"), text);
      g_clear_pointer (&text, g_free);
    }
}

static gboolean
parse_id (const char *name,
          const char *text,
          guint16    *id)
{
  guint64 value;

  if (!th_cli_parse_number (name, text, G_MAXUINT16, &value))
    return FALSE;
  *id = (guint16) value;
  return TRUE;
}

static int
dcl_model (int    argc,
           char **argv)
{
  g_autofree char *url = NULL;
  gboolean offline = FALSE, json = FALSE;
  const GOptionEntry entries[] = {
    DCL_OPTIONS (url, offline),
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON instead of text"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("VID PID"));
  g_autoptr(ThDclClient) client = NULL;
  g_autoptr(ThDclModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(ThDclOrigin) origin = { 0 };
  guint16 vendor_id, product_id;
  Wait wait = { 0 };

  g_option_context_set_summary (context, _("What the compliance ledger says about a product: "
                                           "its name, how to put it in pairing mode, its "
                                           "manufacturer’s setup, its manuals. VID and PID in "
                                           "decimal or 0x hex."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!th_cli_parse_options (context, &argc, &argv))
    return TH_CLI_EXIT_USAGE;
  if (argc != 3)
    {
      th_cli_error (_("Give a vendor ID and a product ID."));
      return TH_CLI_EXIT_USAGE;
    }
  if (!parse_id ("VID", argv[1], &vendor_id) || !parse_id ("PID", argv[2], &product_id))
    return TH_CLI_EXIT_USAGE;
  client = th_cli_dcl_client_new (url, offline);
  if (client == NULL)
    return TH_CLI_EXIT_USAGE;

  wait.loop = g_main_loop_new (NULL, FALSE);
  th_dcl_client_get_model_async (client, vendor_id, product_id, NULL, on_done, &wait);
  model = th_dcl_client_get_model_finish (client, wait_for (&wait), &origin, &error);
  wait_clear (&wait);
  if (model == NULL)
    {
      th_cli_error ("%s", error->message);
      return TH_CLI_EXIT_FAILED;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "model");
      th_cli_model_to_json (builder, model);
      th_cli_json_member_origin (builder, &origin);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      th_cli_print_json (root);
      return TH_CLI_EXIT_OK;
    }
  print_model (model);
  print_origin (&origin);
  return TH_CLI_EXIT_OK;
}

/* ---- dcl vendor ---- */

static int
dcl_vendor (int    argc,
            char **argv)
{
  g_autofree char *url = NULL;
  gboolean offline = FALSE, json = FALSE;
  const GOptionEntry entries[] = {
    DCL_OPTIONS (url, offline),
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON instead of text"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("VID"));
  g_autoptr(ThDclClient) client = NULL;
  g_autoptr(ThDclVendor) vendor = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(ThDclOrigin) origin = { 0 };
  g_autofree char *text = NULL;
  const char *name;
  guint16 vendor_id;
  Wait wait = { 0 };

  g_option_context_set_summary (context, _("What the compliance ledger says about a vendor. VID "
                                           "in decimal or 0x hex."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!th_cli_parse_options (context, &argc, &argv))
    return TH_CLI_EXIT_USAGE;
  if (argc != 2)
    {
      th_cli_error (_("Give a vendor ID."));
      return TH_CLI_EXIT_USAGE;
    }
  if (!parse_id ("VID", argv[1], &vendor_id))
    return TH_CLI_EXIT_USAGE;
  client = th_cli_dcl_client_new (url, offline);
  if (client == NULL)
    return TH_CLI_EXIT_USAGE;

  wait.loop = g_main_loop_new (NULL, FALSE);
  th_dcl_client_get_vendor_async (client, vendor_id, NULL, on_done, &wait);
  vendor = th_dcl_client_get_vendor_finish (client, wait_for (&wait), &origin, &error);
  wait_clear (&wait);
  if (vendor == NULL)
    {
      th_cli_error ("%s", error->message);
      return TH_CLI_EXIT_FAILED;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "vendorInfo");
      json_builder_begin_object (builder);
      th_cli_json_member_int (builder, "vendorID", vendor->vendor_id);
      th_cli_json_member_string (builder, "vendorName", vendor->vendor_name);
      th_cli_json_member_string (builder, "companyLegalName", vendor->company_legal_name);
      th_cli_json_member_string (builder, "companyPreferredName",
                                 vendor->company_preferred_name);
      th_cli_json_member_string (builder, "vendorLandingPageURL", vendor->landing_page_url);
      th_cli_json_member_string (builder, "creator", vendor->creator);
      th_cli_json_member_int (builder, "schemaVersion", vendor->schema_version);
      json_builder_end_object (builder);
      th_cli_json_member_string (builder, "displayName", th_dcl_vendor_get_display_name (vendor));
      th_cli_json_member_origin (builder, &origin);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      th_cli_print_json (root);
      return TH_CLI_EXIT_OK;
    }
  name = th_dcl_vendor_get_display_name (vendor);
  g_print ("%s\n", name != NULL ? name : _("(no vendor name)"));
  text = g_strdup_printf ("0x%04X", vendor->vendor_id);
  th_cli_print_field (_("Vendor ID"), text);
  if (vendor->company_legal_name != NULL)
    th_cli_print_field (_("Company"), vendor->company_legal_name);
  print_url (_("Web site"), vendor->landing_page_url);
  print_origin (&origin);
  return TH_CLI_EXIT_OK;
}

/* ---- dcl revocation-points ---- */

static int
dcl_revocation_points (int    argc,
                       char **argv)
{
  g_autofree char *url = NULL;
  g_autofree char *issuer = NULL;
  gboolean offline = FALSE, json = FALSE;
  const GOptionEntry entries[] = {
    DCL_OPTIONS (url, offline),
    { "issuer", 0, 0, G_OPTION_ARG_STRING, &issuer,
      N_("Only those of the issuer with this subject key ID (hex)"), N_("KEY-ID") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON instead of text"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(ThDclClient) client = NULL;
  g_autoptr(GPtrArray) points = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(ThDclOrigin) origin = { 0 };
  Wait wait = { 0 };

  g_option_context_set_summary (context, _("Where the certificate revocation lists of device "
                                           "attestation certificates are published, as the "
                                           "compliance ledger lists them."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!th_cli_parse_options (context, &argc, &argv))
    return TH_CLI_EXIT_USAGE;
  if (argc != 1)
    {
      th_cli_error (_("Unexpected argument “%s”."), argv[1]);
      return TH_CLI_EXIT_USAGE;
    }
  client = th_cli_dcl_client_new (url, offline);
  if (client == NULL)
    return TH_CLI_EXIT_USAGE;

  wait.loop = g_main_loop_new (NULL, FALSE);
  th_dcl_client_get_revocation_points_async (client, issuer, NULL, on_done, &wait);
  points = th_dcl_client_get_revocation_points_finish (client, wait_for (&wait), &origin,
                                                       &error);
  wait_clear (&wait);
  if (points == NULL)
    {
      th_cli_error ("%s", error->message);
      return TH_CLI_EXIT_FAILED;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "revocationPoints");
      json_builder_begin_array (builder);
      for (guint i = 0; i < points->len; i++)
        {
          const ThDclRevocationPoint *point = g_ptr_array_index (points, i);
          g_autofree char *size = g_strdup_printf ("%" G_GUINT64_FORMAT, point->data_file_size);

          json_builder_begin_object (builder);
          th_cli_json_member_int (builder, "vid", point->vendor_id);
          th_cli_json_member_int (builder, "pid", point->product_id);
          th_cli_json_member_bool (builder, "isPAA", point->is_paa);
          th_cli_json_member_string (builder, "label", point->label);
          th_cli_json_member_string (builder, "issuerSubjectKeyID",
                                     point->issuer_subject_key_id);
          th_cli_json_member_string (builder, "dataURL", point->data_url);
          th_cli_json_member_string (builder, "dataFileSize", size);
          th_cli_json_member_string (builder, "dataDigest", point->data_digest);
          th_cli_json_member_int (builder, "dataDigestType", point->data_digest_type);
          th_cli_json_member_int (builder, "revocationType", point->revocation_type);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      th_cli_json_member_origin (builder, &origin);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      th_cli_print_json (root);
      return TH_CLI_EXIT_OK;
    }

  if (points->len == 0)
    g_print (_("The compliance ledger lists no revocation points.\n"));
  for (guint i = 0; i < points->len; i++)
    {
      const ThDclRevocationPoint *point = g_ptr_array_index (points, i);
      g_autofree char *ids = g_strdup_printf ("0x%04X/0x%04X", point->vendor_id,
                                              point->product_id);

      g_print ("%s\n", point->label != NULL ? point->label : point->data_url);
      th_cli_print_field (_("Vendor/product ID"), ids);
      th_cli_print_field (_("Issuer key ID"), point->issuer_subject_key_id);
      th_cli_print_field (_("Issuer"), point->is_paa ? _("a PAA") : _("a PAI"));
      th_cli_print_field (_("List"), point->data_url);
    }
  print_origin (&origin);
  return TH_CLI_EXIT_OK;
}

const ThCliCommand th_cli_dcl_commands[] = {
  { "model", N_("What the compliance ledger says about a product"), dcl_model, NULL },
  { "vendor", N_("What the compliance ledger says about a vendor"), dcl_vendor, NULL },
  { "revocation-points", N_("Where revocation lists are published"), dcl_revocation_points,
    NULL },
  { NULL }
};

/* ---- trust-store ---- */

char *
th_cli_describe_duration (gint64 seconds)
{
  if (seconds < 120)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d second", "%d seconds",
                                         (gulong) MAX (seconds, 0)), (int) MAX (seconds, 0));
  if (seconds < 2 * 3600)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute", "%d minutes",
                                         (gulong) (seconds / 60)), (int) (seconds / 60));
  if (seconds < 2 * 86400)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour", "%d hours",
                                         (gulong) (seconds / 3600)), (int) (seconds / 3600));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days",
                                       (gulong) (seconds / 86400)), (int) (seconds / 86400));
}

static void
print_warnings (GPtrArray *warnings)
{
  for (guint i = 0; warnings != NULL && i < warnings->len; i++)
    {
      const GError *warning = g_ptr_array_index (warnings, i);

      /* Translators: something left out, and why */
      g_printerr (_("threshold-cli: warning: %s\n"), warning->message);
    }
}

/* The revocation lists of the roots now trusted: those in `paa_dir`, and the development ones
 * with the default store. */
static ThRevocationSyncReport *
sync_revocations (ThDclClient  *client,
                  const char   *paa_dir,
                  gboolean      with_development,
                  const char   *revocation_dir,
                  GError      **error)
{
  g_autoptr(ThPaaStore) paa_store = th_paa_store_new ();
  g_autoptr(GPtrArray) warnings = NULL;
  g_autofree char *development_dir = th_trust_development_directory ();
  ThRevocationSyncReport *report;
  Wait wait = { 0 };

  if (!th_paa_store_add_directory (paa_store, paa_dir, NULL, &warnings, error))
    return NULL;
  if (with_development && g_file_test (development_dir, G_FILE_TEST_IS_DIR)
      && !th_paa_store_add_directory (paa_store, development_dir, NULL, &warnings, error))
    return NULL;
  wait.loop = g_main_loop_new (NULL, FALSE);
  th_revocation_sync_async (client, paa_store, revocation_dir, NULL, on_done, &wait);
  report = th_revocation_sync_finish (wait_for (&wait), error);
  wait_clear (&wait);
  return report;
}

static void
revocation_report_to_json (JsonBuilder                  *builder,
                           const char                   *dir,
                           const ThRevocationSyncReport *report)
{
  g_autoptr(GDateTime) oldest = report->oldest_update > 0
                                ? g_date_time_new_from_unix_utc (report->oldest_update) : NULL;
  g_autofree char *oldest_text = oldest != NULL ? g_date_time_format_iso8601 (oldest) : NULL;

  json_builder_set_member_name (builder, "revocation");
  json_builder_begin_object (builder);
  th_cli_json_member_string (builder, "dir", dir);
  th_cli_json_member_int (builder, "points", report->n_points);
  th_cli_json_member_int (builder, "lists", report->n_lists);
  th_cli_json_member_int (builder, "revoked", report->n_revoked);
  th_cli_json_member_string (builder, "oldestList", oldest_text);
  json_builder_set_member_name (builder, "problems");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->problems->len; i++)
    json_builder_add_string_value (builder,
                                   ((GError *) g_ptr_array_index (report->problems, i))->message);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
print_revocation_report (const char                   *dir,
                         const ThRevocationSyncReport *report)
{
  g_autofree char *text = NULL;

  g_print (_("The revocation lists in %s:\n"), dir);
  text = g_strdup_printf (_("%u listed, %u kept, %u certificates revoked"), report->n_points,
                          report->n_lists, report->n_revoked);
  th_cli_print_field (_("Lists"), text);
  if (report->oldest_update > 0)
    {
      g_autofree char *age = th_cli_describe_duration (g_get_real_time () / G_USEC_PER_SEC
                                                       - report->oldest_update);

      /* Translators: how long ago the oldest revocation list kept was issued */
      g_clear_pointer (&text, g_free);
      text = g_strdup_printf (_("issued %s ago"), age);
      th_cli_print_field (_("Oldest list"), text);
    }
  if (report->problems->len > 0)
    {
      g_clear_pointer (&text, g_free);
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u (see the warning above)",
                                           "%u (see the warnings above)",
                                           report->problems->len),
                              report->problems->len);
      th_cli_print_field (_("Problems"), text);
    }
}

static int
trust_store_sync (int    argc,
                  char **argv)
{
  g_autofree char *url = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *revocation_dir = NULL;
  gboolean offline = FALSE, json = FALSE, default_dir;
  const GOptionEntry entries[] = {
    DCL_OPTIONS (url, offline),
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
      N_("The trust store’s folder (default $XDG_CACHE_HOME/threshold/paa)"), N_("DIR") },
    { "revocation-dir", 0, 0, G_OPTION_ARG_FILENAME, &revocation_dir,
      N_("The folder of the revocation lists (default $XDG_CACHE_HOME/threshold/revocation)"),
      N_("DIR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON instead of text"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(ThDclClient) client = NULL;
  g_autoptr(ThPaaSyncReport) report = NULL;
  g_autoptr(ThRevocationSyncReport) revocation = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  Wait wait = { 0 };

  g_option_context_set_summary (context, _("Fill the trust store of PAA root certificates, "
                                           "which device attestation checks devices against, "
                                           "with the roots the compliance ledger approves. "
                                           "Each certificate is checked before it is written; "
                                           "roots the ledger no longer lists are removed. Then "
                                           "the revocation lists the ledger points to are "
                                           "fetched, checked against the roots, and kept."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!th_cli_parse_options (context, &argc, &argv))
    return TH_CLI_EXIT_USAGE;
  if (argc != 1)
    {
      th_cli_error (_("Unexpected argument “%s”."), argv[1]);
      return TH_CLI_EXIT_USAGE;
    }
  client = th_cli_dcl_client_new (url, offline);
  if (client == NULL)
    return TH_CLI_EXIT_USAGE;
  default_dir = dir == NULL;
  if (dir == NULL)
    dir = th_paa_default_dir ();
  if (revocation_dir == NULL)
    revocation_dir = th_trust_default_directory ("revocation");

  wait.loop = g_main_loop_new (NULL, FALSE);
  th_paa_sync_async (client, dir, NULL, on_done, &wait);
  report = th_paa_sync_finish (wait_for (&wait), &error);
  wait_clear (&wait);
  if (report == NULL)
    {
      th_cli_error ("%s", error->message);
      return TH_CLI_EXIT_FAILED;
    }
  print_warnings (report->problems);
  revocation = sync_revocations (client, dir, default_dir, revocation_dir, &error);
  if (revocation == NULL)
    {
      th_cli_error ("%s", error->message);
      return TH_CLI_EXIT_FAILED;
    }
  print_warnings (revocation->problems);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      th_cli_json_member_string (builder, "dir", dir);
      th_cli_json_member_string (builder, "dclUrl", th_dcl_client_get_base_url (client));
      th_cli_json_member_int (builder, "listed", report->n_listed);
      th_cli_json_member_int (builder, "added", report->n_added);
      th_cli_json_member_int (builder, "updated", report->n_updated);
      th_cli_json_member_int (builder, "unchanged", report->n_unchanged);
      th_cli_json_member_int (builder, "removed", report->n_removed);
      json_builder_set_member_name (builder, "leftOut");
      json_builder_begin_array (builder);
      for (guint i = 0; i < report->problems->len; i++)
        json_builder_add_string_value (builder,
                                       ((GError *) g_ptr_array_index (report->problems,
                                                                      i))->message);
      json_builder_end_array (builder);
      th_cli_json_member_origin (builder, &report->origin);
      revocation_report_to_json (builder, revocation_dir, revocation);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      th_cli_print_json (root);
      return TH_CLI_EXIT_OK;
    }

  g_print (_("The PAA trust store in %s now holds the roots the compliance ledger at %s "
             "approves:\n"), dir, th_dcl_client_get_base_url (client));
  text = g_strdup_printf ("%u", report->n_listed);
  th_cli_print_field (_("Approved"), text);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf (_("%u added, %u updated, %u unchanged, %u removed"), report->n_added,
                          report->n_updated, report->n_unchanged, report->n_removed);
  th_cli_print_field (_("Files"), text);
  g_clear_pointer (&text, g_free);
  if (report->problems->len > 0)
    {
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u (see the warning above)",
                                           "%u (see the warnings above)",
                                           report->problems->len),
                              report->problems->len);
      th_cli_print_field (_("Left out"), text);
    }
  print_origin (&report->origin);
  print_revocation_report (revocation_dir, revocation);
  return TH_CLI_EXIT_OK;
}

static void
paa_entries_to_json (JsonBuilder *builder,
                     GPtrArray   *entries)
{
  json_builder_begin_array (builder);
  for (guint i = 0; i < entries->len; i++)
    {
      const ThPaaEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(GDateTime) expiry = g_date_time_new_from_unix_utc (entry->not_after);
      g_autofree char *expiry_text = expiry != NULL ? g_date_time_format_iso8601 (expiry) : NULL;

      json_builder_begin_object (builder);
      th_cli_json_member_string (builder, "file", entry->file);
      th_cli_json_member_string (builder, "subject", entry->subject);
      th_cli_json_member_string (builder, "subjectKeyId", entry->subject_key_id);
      if (entry->has_vendor_id)
        th_cli_json_member_int (builder, "vendorId", entry->vendor_id);
      th_cli_json_member_string (builder, "notAfter", expiry_text);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
print_paa_entries (GPtrArray *entries,
                   gboolean   development)
{
  for (guint i = 0; i < entries->len; i++)
    {
      const ThPaaEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(GDateTime) expiry = g_date_time_new_from_unix_local (entry->not_after);
      g_autofree char *expiry_text = expiry != NULL ? g_date_time_format (expiry, "%Y-%m-%d")
                                     : NULL;

      if (development)
        /* Translators: a certificate's subject, marked as trusted for development only */
        g_print (_("%s (development trust)\n"), entry->subject);
      else
        g_print ("%s\n", entry->subject);
      if (entry->subject_key_id != NULL)
        th_cli_print_field (_("Key ID"), entry->subject_key_id);
      if (entry->has_vendor_id)
        {
          g_autofree char *vendor = g_strdup_printf ("0x%04X", entry->vendor_id);

          th_cli_print_field (_("Vendor ID"), vendor);
        }
      if (expiry_text != NULL)
        th_cli_print_field (_("Valid until"), expiry_text);
      th_cli_print_field (_("File"), entry->file);
    }
}

static int
trust_store_list (int    argc,
                  char **argv)
{
  g_autofree char *dir = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
      N_("The trust store’s folder (default $XDG_CACHE_HOME/threshold/paa)"), N_("DIR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON instead of text"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GPtrArray) entries_list = NULL;
  g_autoptr(GPtrArray) development = NULL;
  g_autofree char *development_dir = NULL;
  g_autofree char *revocation_dir = NULL;
  g_autoptr(ThRevocationSet) revocations = NULL;
  gint64 revocation_updated = 0;
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *size_text = NULL;
  g_autofree char *age = NULL;
  gint64 updated, now = g_get_real_time () / G_USEC_PER_SEC;
  guint64 size;

  g_option_context_set_summary (context, _("The PAA root certificates device attestation "
                                           "trusts, how many, how much space they take and how "
                                           "old the store is."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!th_cli_parse_options (context, &argc, &argv))
    return TH_CLI_EXIT_USAGE;
  if (argc != 1)
    {
      th_cli_error (_("Unexpected argument “%s”."), argv[1]);
      return TH_CLI_EXIT_USAGE;
    }
  /* the development trust goes with the default store, not with a folder named by --dir */
  if (dir == NULL)
    {
      gint64 development_updated;
      guint64 development_size;

      dir = th_paa_default_dir ();
      development_dir = th_trust_development_directory ();
      development = th_paa_directory_list (development_dir, &development_updated,
                                           &development_size, &warnings, &error);
      if (development == NULL)
        {
          th_cli_error ("%s", error->message);
          return TH_CLI_EXIT_FAILED;
        }
    }

  entries_list = th_paa_directory_list (dir, &updated, &size, &warnings, &error);
  if (entries_list == NULL)
    {
      th_cli_error ("%s", error->message);
      return TH_CLI_EXIT_FAILED;
    }
  print_warnings (warnings);
  revocation_dir = th_trust_default_directory ("revocation");
  revocations = th_trust_load_revocation_set (revocation_dir, &error);
  if (revocations == NULL)
    {
      g_printerr (_("threshold-cli: warning: %s\n"), error->message);
      g_clear_error (&error);
    }
  else
    {
      g_autofree char *set_path = g_build_filename (revocation_dir, TH_TRUST_REVOCATION_SET_FILE,
                                                    NULL);
      GStatBuf st;

      if (g_stat (set_path, &st) == 0)
        revocation_updated = st.st_mtime;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GDateTime) when = updated > 0 ? g_date_time_new_from_unix_utc (updated) : NULL;
      g_autofree char *when_text = when != NULL ? g_date_time_format_iso8601 (when) : NULL;

      json_builder_begin_object (builder);
      th_cli_json_member_string (builder, "dir", dir);
      th_cli_json_member_int (builder, "count", entries_list->len);
      th_cli_json_member_int (builder, "sizeBytes", (gint64) size);
      th_cli_json_member_string (builder, "updated", when_text);
      if (updated > 0)
        th_cli_json_member_int (builder, "ageSeconds", MAX (now - updated, 0));
      json_builder_set_member_name (builder, "certificates");
      paa_entries_to_json (builder, entries_list);
      if (development != NULL)
        {
          th_cli_json_member_string (builder, "developmentDir", development_dir);
          json_builder_set_member_name (builder, "development");
          paa_entries_to_json (builder, development);
        }
      if (revocation_updated > 0)
        {
          json_builder_set_member_name (builder, "revocation");
          json_builder_begin_object (builder);
          th_cli_json_member_string (builder, "dir", revocation_dir);
          th_cli_json_member_int (builder, "revoked", th_revocation_set_get_size (revocations));
          th_cli_json_member_int (builder, "ageSeconds", MAX (now - revocation_updated, 0));
          json_builder_end_object (builder);
        }
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      th_cli_print_json (root);
      return TH_CLI_EXIT_OK;
    }

  if (entries_list->len == 0)
    {
      g_print (_("The PAA trust store in %s is empty: run “threshold-cli trust-store sync” to "
                 "fill it from the compliance ledger.\n"), dir);
    }
  else
    {
      size_text = g_format_size (size);
      age = th_cli_describe_duration (now - updated);
      g_print (g_dngettext (GETTEXT_PACKAGE,
                            "The PAA trust store in %s: %u certificate, %s, updated %s ago.\n",
                            "The PAA trust store in %s: %u certificates, %s, updated %s ago.\n",
                            entries_list->len),
               dir, entries_list->len, size_text, age);
      print_paa_entries (entries_list, FALSE);
    }
  if (revocation_updated > 0)
    {
      g_autofree char *revocation_age = th_cli_describe_duration (now - revocation_updated);

      g_print (g_dngettext (GETTEXT_PACKAGE,
                            "Revocation lists in %s: %u certificate revoked, fetched %s ago.\n",
                            "Revocation lists in %s: %u certificates revoked, fetched %s ago.\n",
                            th_revocation_set_get_size (revocations)),
               revocation_dir, th_revocation_set_get_size (revocations), revocation_age);
    }
  else
    {
      g_print (_("No revocation lists fetched yet: “threshold-cli trust-store sync” fetches "
                 "them.\n"));
    }
  if (development != NULL && development->len > 0)
    {
      g_print (g_dngettext (GETTEXT_PACKAGE,
                            "\nDevelopment trust in %s: %u certificate imported. Devices "
                            "attested by it are accepted, test devices included.\n",
                            "\nDevelopment trust in %s: %u certificates imported. Devices "
                            "attested by them are accepted, test devices included.\n",
                            development->len),
               development_dir, development->len);
      print_paa_entries (development, TRUE);
    }
  return TH_CLI_EXIT_OK;
}

static int
trust_store_import (int    argc,
                    char **argv)
{
  g_autofree char *dir = NULL;
  const GOptionEntry entries[] = {
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
      N_("The development trust folder (default $XDG_DATA_HOME/threshold/trust/paa)"),
      N_("DIR") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE"));
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *key_id = NULL;
  gsize len;

  g_option_context_set_summary (context, _("Trust a PAA root certificate (PEM or DER) for "
                                           "development: devices whose attestation ends in it "
                                           "are accepted, test devices included. The "
                                           "certificate must be a self-signed CA certificate."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!th_cli_parse_options (context, &argc, &argv))
    return TH_CLI_EXIT_USAGE;
  if (argc != 2)
    {
      th_cli_error (argc < 2 ? _("Give the certificate file to import.")
                             : _("Give one certificate file at a time."));
      return TH_CLI_EXIT_USAGE;
    }
  if (!g_file_get_contents (argv[1], &contents, &len, &error))
    {
      th_cli_error ("%s", error->message);
      return TH_CLI_EXIT_FAILED;
    }
  key_id = th_trust_import_paa (dir, (const guint8 *) contents, len, &error);
  if (key_id == NULL)
    {
      th_cli_error ("%s: %s", argv[1], error->message);
      return TH_CLI_EXIT_FAILED;
    }
  g_print (_("Imported the PAA certificate %s as development trust.\n"), key_id);
  return TH_CLI_EXIT_OK;
}

static int
trust_store_remove (int    argc,
                    char **argv)
{
  g_autofree char *dir = NULL;
  const GOptionEntry entries[] = {
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
      N_("The development trust folder (default $XDG_DATA_HOME/threshold/trust/paa)"),
      N_("DIR") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("KEY-ID"));
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context, _("Stop trusting a PAA certificate imported for "
                                           "development, named by its subject key ID as "
                                           "“trust-store list” shows it."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!th_cli_parse_options (context, &argc, &argv))
    return TH_CLI_EXIT_USAGE;
  if (argc != 2)
    {
      th_cli_error (_("Give the subject key ID of the certificate to remove."));
      return TH_CLI_EXIT_USAGE;
    }
  if (!th_trust_remove_paa (dir, argv[1], &error))
    {
      th_cli_error ("%s", error->message);
      return TH_CLI_EXIT_FAILED;
    }
  g_print (_("Removed the development PAA certificate %s.\n"), argv[1]);
  return TH_CLI_EXIT_OK;
}

const ThCliCommand th_cli_trust_store_commands[] = {
  { "sync", N_("Fill the PAA trust store from the compliance ledger"), trust_store_sync, NULL },
  { "list", N_("List the PAA trust store, its size and age"), trust_store_list, NULL },
  { "import", N_("Trust a PAA certificate for development"), trust_store_import, NULL },
  { "remove", N_("Remove a PAA certificate imported for development"), trust_store_remove,
    NULL },
  { NULL }
};
