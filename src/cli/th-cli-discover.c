/* th-cli-discover.c: threshold-cli discover
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <net/if.h>
#include <signal.h>

#include "th-cli.h"
#include "th-error.h"
#include "discovery/th-dnssd.h"
#include "discovery/th-dnssd-browser.h"
#include "discovery/th-dnssd-text.h"
#include "dcl/th-dcl-client.h"

#define DEFAULT_TIMEOUT_S 3.0
/* The ledger is asked about what was found after the listing: it must not double its time. */
#define DCL_TIMEOUT_MS 5000

typedef ThDiscoveredDevice *(*FinishFunc) (GAsyncResult  *result,
                                          GError       **error);

/* What the compliance ledger said about one product or vendor. */
typedef struct
{
  gpointer record;             /* ThDclModel or ThDclVendor */
  GDestroyNotify free_record;
  ThDclOrigin origin;
  GError *error;
} Lookup;

/* The ledger's answers about the devices found, each product and vendor asked about once. */
typedef struct
{
  ThDclClient *client;
  GHashTable *models;          /* GUINT_TO_POINTER (vid << 16 | pid) -> Lookup */
  GHashTable *vendors;         /* GUINT_TO_POINTER (vid) -> Lookup */
  guint pending;
  GMainLoop *loop;
  /* --watch: called as each answer comes, with the lookup's vendor ID and model key */
  void (*answered) (gpointer data, gboolean is_model, guint key);
  gpointer answered_data;
} Dcl;

typedef struct
{
  GMainLoop *loop;
  FinishFunc finish;           /* --first, --node */
  gboolean json;
  int status;
  gint64 started;              /* monotonic, µs */
  GPtrArray *shown;            /* --watch: the list as last printed */
  GCancellable *cancellable;   /* --first, --node */
  ThDiscoveredDevice *found;   /* --first, --node */
  double found_ms;
  Dcl *dcl;                    /* NULL with --no-dcl */
} Run;

static double
elapsed_ms (Run *run)
{
  return (double) (g_get_monotonic_time () - run->started) / 1000.0;
}

static char *
address_to_string (GInetSocketAddress *address)
{
  GInetAddress *inet = g_inet_socket_address_get_address (address);
  g_autofree char *host = g_inet_address_to_string (inet);
  guint32 scope = g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6
                  ? g_inet_socket_address_get_scope_id (address) : 0;
  char name[IF_NAMESIZE];

  if (scope == 0)
    return g_steal_pointer (&host);
  if (if_indextoname (scope, name) != NULL)
    return g_strdup_printf ("%s%%%s", host, name);
  return g_strdup_printf ("%s%%%u", host, scope);
}

static char *
hex_of_bytes (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  GString *hex = g_string_sized_new (2 * len);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02X", data[i]);
  return g_string_free (hex, FALSE);
}

static void
add_member_string (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
add_member_int (JsonBuilder *builder,
                const char  *name,
                gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_member_bool (JsonBuilder *builder,
                 const char  *name,
                 gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

/* ---- What the compliance ledger says ---- */

static void
lookup_free (Lookup *lookup)
{
  if (lookup->record != NULL)
    lookup->free_record (lookup->record);
  th_dcl_origin_clear (&lookup->origin);
  g_clear_error (&lookup->error);
  g_free (lookup);
}

static Dcl *
dcl_new (ThDclClient *client)
{
  Dcl *dcl = g_new0 (Dcl, 1);

  dcl->client = client;
  th_dcl_client_set_timeout (client, DCL_TIMEOUT_MS);
  dcl->models = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) lookup_free);
  dcl->vendors = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) lookup_free);
  dcl->loop = g_main_loop_new (NULL, FALSE);
  return dcl;
}

static void
dcl_free (Dcl *dcl)
{
  g_object_unref (dcl->client);
  g_hash_table_unref (dcl->models);
  g_hash_table_unref (dcl->vendors);
  g_main_loop_unref (dcl->loop);
  g_free (dcl);
}

typedef struct
{
  Dcl *dcl;
  Lookup *lookup;
  gboolean is_model;
  guint key;
} Asked;

static void
answered (Asked *asked)
{
  Dcl *dcl = asked->dcl;

  if (dcl->answered != NULL)
    dcl->answered (dcl->answered_data, asked->is_model, asked->key);
  else if (--dcl->pending == 0)
    g_main_loop_quit (dcl->loop);
  g_free (asked);
}

static void
on_model (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Asked *asked = user_data;

  asked->lookup->record = th_dcl_client_get_model_finish (TH_DCL_CLIENT (source), result,
                                                          &asked->lookup->origin,
                                                          &asked->lookup->error);
  answered (asked);
}

static void
on_vendor (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Asked *asked = user_data;

  asked->lookup->record = th_dcl_client_get_vendor_finish (TH_DCL_CLIENT (source), result,
                                                           &asked->lookup->origin,
                                                           &asked->lookup->error);
  answered (asked);
}

static Asked *
ask (Dcl            *dcl,
     GHashTable     *table,
     guint           key,
     GDestroyNotify  free_record)
{
  Asked *asked = g_new0 (Asked, 1);

  asked->dcl = dcl;
  asked->is_model = table == dcl->models;
  asked->key = key;
  asked->lookup = g_new0 (Lookup, 1);
  asked->lookup->free_record = free_record;
  g_hash_table_insert (table, GUINT_TO_POINTER (key), asked->lookup);
  dcl->pending++;
  return asked;
}

static guint
model_key_of (const ThDnssdTxt *txt)
{
  return (guint) txt->vendor_id << 16 | txt->product_id;
}

/* Asks about the product and vendor of `device` if they were not asked about yet. */
static void
ask_about (Dcl                *dcl,
           ThDiscoveredDevice *device)
{
  ThDnssdTxt *txt = th_discovered_device_get_txt (device);
  guint model_key = model_key_of (txt);

  if (!txt->has_vendor_id)
    return;
  if (txt->has_product_id && !g_hash_table_contains (dcl->models, GUINT_TO_POINTER (model_key)))
    th_dcl_client_get_model_async (dcl->client, txt->vendor_id, txt->product_id, NULL, on_model,
                                   ask (dcl, dcl->models, model_key,
                                        (GDestroyNotify) th_dcl_model_free));
  if (!g_hash_table_contains (dcl->vendors, GUINT_TO_POINTER (txt->vendor_id)))
    th_dcl_client_get_vendor_async (dcl->client, txt->vendor_id, NULL, on_vendor,
                                    ask (dcl, dcl->vendors, txt->vendor_id,
                                         (GDestroyNotify) th_dcl_vendor_free));
}

/* Asks about the products and vendors of `devices` not asked about yet, and waits. */
static void
look_up (Dcl       *dcl,
         GPtrArray *devices)
{
  for (guint i = 0; i < devices->len; i++)
    ask_about (dcl, g_ptr_array_index (devices, i));
  if (dcl->pending > 0)
    g_main_loop_run (dcl->loop);
}

static void
look_up_list (Run        *run,
              GListModel *model)
{
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (g_object_unref);

  if (run->dcl == NULL)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (devices, g_list_model_get_item (model, i));
  look_up (run->dcl, devices);
}

/* A lookup still waiting for its answer (with --watch) is shown as none. */
static Lookup *
answered_lookup (GHashTable *table,
                 guint       key)
{
  Lookup *lookup = g_hash_table_lookup (table, GUINT_TO_POINTER (key));

  return lookup != NULL && (lookup->record != NULL || lookup->error != NULL) ? lookup : NULL;
}

static Lookup *
model_of (Run        *run,
          ThDnssdTxt *txt)
{
  if (run->dcl == NULL || !txt->has_vendor_id || !txt->has_product_id)
    return NULL;
  return answered_lookup (run->dcl->models, model_key_of (txt));
}

static Lookup *
vendor_of (Run        *run,
           ThDnssdTxt *txt)
{
  if (run->dcl == NULL || !txt->has_vendor_id)
    return NULL;
  return answered_lookup (run->dcl->vendors, txt->vendor_id);
}

static void
add_lookup_origin (JsonBuilder *builder,
                   Lookup      *lookup)
{
  if (lookup->record == NULL)
    {
      th_cli_json_member_error (builder, lookup->error);
      return;
    }
  th_cli_json_member_origin (builder, &lookup->origin);
}

/* "dcl": { "model": {...}, "vendor": {...} }, each with where it came from or its error */
static void
add_dcl (Run         *run,
         JsonBuilder *builder,
         ThDnssdTxt  *txt)
{
  Lookup *model = model_of (run, txt);
  Lookup *vendor = vendor_of (run, txt);

  if (model == NULL && vendor == NULL)
    return;
  json_builder_set_member_name (builder, "dcl");
  json_builder_begin_object (builder);
  if (model != NULL)
    {
      const ThDclModel *record = model->record;

      json_builder_set_member_name (builder, "model");
      json_builder_begin_object (builder);
      if (record != NULL)
        {
          th_cli_json_member_string (builder, "productName", record->product_name);
          th_cli_json_member_string (builder, "productLabel", record->product_label);
          th_cli_json_member_int (builder, "commissioningCustomFlow", record->custom_flow);
        }
      add_lookup_origin (builder, model);
      json_builder_end_object (builder);
    }
  if (vendor != NULL)
    {
      json_builder_set_member_name (builder, "vendor");
      json_builder_begin_object (builder);
      if (vendor->record != NULL)
        th_cli_json_member_string (builder, "vendorName",
                                   th_dcl_vendor_get_display_name (vendor->record));
      add_lookup_origin (builder, vendor);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
}

static void
print_lookup (const char *label,
              Lookup     *lookup,
              const char *name)
{
  g_autofree char *text = NULL;

  if (lookup == NULL)
    return;
  if (lookup->record == NULL)
    {
      /* Translators: why the compliance ledger could not name the product or vendor */
      text = g_strdup_printf (_("unknown: %s"), lookup->error->message);
      th_cli_print_field (label, text);
      return;
    }
  th_cli_print_field (label, name != NULL ? name : _("(no name in the compliance ledger)"));
  if (lookup->origin.source == TH_DCL_SOURCE_STALE_CACHE)
    {
      text = th_dcl_origin_describe (&lookup->origin);
      th_cli_print_field ("", text);
    }
}

static void
print_dcl_words (Run        *run,
                 ThDnssdTxt *txt)
{
  Lookup *model = model_of (run, txt);
  Lookup *vendor = vendor_of (run, txt);

  print_lookup (_("Product"), model,
                model != NULL && model->record != NULL
                ? ((ThDclModel *) model->record)->product_name : NULL);
  print_lookup (_("Vendor"), vendor,
                vendor != NULL && vendor->record != NULL
                ? th_dcl_vendor_get_display_name (vendor->record) : NULL);
}

/* ---- Devices ---- */

static JsonNode *
device_to_json (Run                *run,
                ThDiscoveredDevice *device)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  ThDnssdTxt *txt = th_discovered_device_get_txt (device);
  GPtrArray *addresses = th_discovered_device_get_addresses (device);
  int interface = th_discovered_device_get_interface_index (device);
  g_autofree char *first_seen = g_date_time_format_iso8601 (
    th_discovered_device_get_first_seen (device));
  g_autofree char *last_seen = g_date_time_format_iso8601 (
    th_discovered_device_get_last_seen (device));
  char interface_name[IF_NAMESIZE];

  json_builder_begin_object (builder);
  add_member_string (builder, "instance", th_discovered_device_get_instance_name (device));
  add_member_string (builder, "kind",
                     th_dnssd_service_kind_to_string (th_discovered_device_get_kind (device)));
  add_member_string (builder, "hostname", th_discovered_device_get_hostname (device));
  add_member_int (builder, "port", th_discovered_device_get_port (device));
  add_member_int (builder, "interfaceIndex", interface);
  if (if_indextoname ((unsigned) interface, interface_name) != NULL)
    add_member_string (builder, "interface", interface_name);

  json_builder_set_member_name (builder, "addresses");
  json_builder_begin_array (builder);
  for (guint i = 0; i < addresses->len; i++)
    {
      g_autofree char *text = address_to_string (g_ptr_array_index (addresses, i));

      json_builder_add_string_value (builder, text);
    }
  json_builder_end_array (builder);

  if (txt->present & TH_DNSSD_TXT_D)
    {
      add_member_int (builder, "discriminator", txt->discriminator);
      add_member_int (builder, "shortDiscriminator", txt->discriminator >> 8);
    }
  if (txt->has_vendor_id)
    add_member_int (builder, "vendorId", txt->vendor_id);
  if (txt->has_product_id)
    add_member_int (builder, "productId", txt->product_id);
  add_dcl (run, builder, txt);
  if (txt->present & TH_DNSSD_TXT_CM)
    {
      add_member_string (builder, "commissioningMode",
                         th_commissioning_mode_to_string (txt->commissioning_mode));
      add_member_string (builder, "commissioningModeText",
                         th_dnssd_describe_commissioning_mode (txt->commissioning_mode));
    }
  if (txt->present & TH_DNSSD_TXT_DT)
    add_member_int (builder, "deviceType", txt->device_type);
  if (txt->present & TH_DNSSD_TXT_DN)
    add_member_string (builder, "deviceName", txt->device_name);
  if (txt->present & TH_DNSSD_TXT_RI)
    {
      g_autofree char *hex = hex_of_bytes (txt->rotating_id);

      add_member_string (builder, "rotatingId", hex);
    }
  if (txt->present & TH_DNSSD_TXT_PH)
    {
      g_auto(GStrv) sentences = th_dnssd_describe_pairing_hint (txt->pairing_hint,
                                                                txt->pairing_instruction);

      add_member_int (builder, "pairingHint", txt->pairing_hint);
      json_builder_set_member_name (builder, "pairingHintText");
      json_builder_begin_array (builder);
      for (guint i = 0; sentences[i] != NULL; i++)
        json_builder_add_string_value (builder, sentences[i]);
      json_builder_end_array (builder);
    }
  if (txt->present & TH_DNSSD_TXT_PI)
    add_member_string (builder, "pairingInstruction", txt->pairing_instruction);
  if (txt->present & TH_DNSSD_TXT_SII)
    add_member_int (builder, "sessionIdleIntervalMs", txt->session_idle_interval_ms);
  if (txt->present & TH_DNSSD_TXT_SAI)
    add_member_int (builder, "sessionActiveIntervalMs", txt->session_active_interval_ms);
  if (txt->present & TH_DNSSD_TXT_SAT)
    add_member_int (builder, "sessionActiveThresholdMs", txt->session_active_threshold_ms);
  if (txt->present & TH_DNSSD_TXT_T)
    {
      add_member_bool (builder, "tcpClient", (txt->tcp & TH_DNSSD_TCP_CLIENT) != 0);
      add_member_bool (builder, "tcpServer", (txt->tcp & TH_DNSSD_TCP_SERVER) != 0);
    }
  if (txt->present & TH_DNSSD_TXT_ICD)
    add_member_string (builder, "icd", txt->icd_long_idle ? "long-idle" : "short-idle");
  if (txt->present & TH_DNSSD_TXT_CP)
    add_member_bool (builder, "commissionerPasscode", txt->commissioner_passcode);

  json_builder_set_member_name (builder, "otherTxt");
  json_builder_begin_object (builder);
  for (guint i = 0; i < txt->other->len; i++)
    {
      ThDnssdTxtEntry *entry = g_ptr_array_index (txt->other, i);
      g_autofree char *value = NULL;

      json_builder_set_member_name (builder, entry->key);
      if (entry->value == NULL)
        {
          json_builder_add_null_value (builder);
          continue;
        }
      value = g_utf8_make_valid (g_bytes_get_data (entry->value, NULL),
                                 (gssize) g_bytes_get_size (entry->value));
      json_builder_add_string_value (builder, value);
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "txtProblems");
  json_builder_begin_array (builder);
  for (guint i = 0; i < txt->problems->len; i++)
    {
      ThDnssdTxtProblem *problem = g_ptr_array_index (txt->problems, i);

      json_builder_begin_object (builder);
      add_member_string (builder, "key", problem->key);
      add_member_string (builder, "message", problem->message);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  add_member_string (builder, "firstSeen", first_seen);
  add_member_string (builder, "lastSeen", last_seen);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
print_device_words (Run                *run,
                    ThDiscoveredDevice *device)
{
  ThDnssdTxt *txt = th_discovered_device_get_txt (device);
  GPtrArray *addresses = th_discovered_device_get_addresses (device);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;
  g_autofree char *text = NULL;

  g_print ("%s (%s)\n", th_discovered_device_get_instance_name (device),
           th_dnssd_service_kind_to_string (th_discovered_device_get_kind (device)));

  for (guint i = 0; i < addresses->len; i++)
    g_ptr_array_add (texts, address_to_string (g_ptr_array_index (addresses, i)));
  g_ptr_array_add (texts, NULL);
  /* Translators: the separator between network addresses */
  joined = g_strjoinv (_(", "), (char **) texts->pdata);
  th_cli_print_field (_("Addresses"), joined);
  text = g_strdup_printf ("%u", th_discovered_device_get_port (device));
  th_cli_print_field (_("Port"), text);
  g_clear_pointer (&text, g_free);
  th_cli_print_field (_("Host name"), th_discovered_device_get_hostname (device));

  if (txt->present & TH_DNSSD_TXT_D)
    {
      text = g_strdup_printf (_("%u (short form %u)"), txt->discriminator,
                              txt->discriminator >> 8);
      th_cli_print_field (_("Discriminator"), text);
      g_clear_pointer (&text, g_free);
    }
  if (txt->has_vendor_id)
    {
      text = g_strdup_printf ("0x%04X", txt->vendor_id);
      th_cli_print_field (_("Vendor ID"), text);
      g_clear_pointer (&text, g_free);
    }
  if (txt->has_product_id)
    {
      text = g_strdup_printf ("0x%04X", txt->product_id);
      th_cli_print_field (_("Product ID"), text);
      g_clear_pointer (&text, g_free);
    }
  print_dcl_words (run, txt);
  if (txt->present & TH_DNSSD_TXT_CM)
    th_cli_print_field (_("Commissioning"),
                        th_dnssd_describe_commissioning_mode (txt->commissioning_mode));
  if (txt->present & TH_DNSSD_TXT_DT)
    {
      text = g_strdup_printf ("0x%04X (%u)", txt->device_type, txt->device_type);
      th_cli_print_field (_("Device type"), text);
      g_clear_pointer (&text, g_free);
    }
  if (txt->present & TH_DNSSD_TXT_DN)
    th_cli_print_field (_("Device name"), txt->device_name);
  if (txt->present & TH_DNSSD_TXT_PH)
    {
      g_auto(GStrv) sentences = th_dnssd_describe_pairing_hint (txt->pairing_hint,
                                                                txt->pairing_instruction);

      th_cli_print_field (_("To open it"), sentences[0] != NULL ? sentences[0] : "");
      for (guint i = 1; sentences[i] != NULL; i++)
        g_print ("  %-22s %s\n", "", sentences[i]);
    }
  else if (txt->present & TH_DNSSD_TXT_PI)
    {
      th_cli_print_field (_("Pairing instruction"), txt->pairing_instruction);
    }
  if (txt->present & (TH_DNSSD_TXT_SII | TH_DNSSD_TXT_SAI | TH_DNSSD_TXT_SAT))
    {
      g_autoptr(GString) intervals = g_string_new (NULL);

      if (txt->present & TH_DNSSD_TXT_SII)
        g_string_append_printf (intervals, _("idle %u ms "), txt->session_idle_interval_ms);
      if (txt->present & TH_DNSSD_TXT_SAI)
        g_string_append_printf (intervals, _("active %u ms "), txt->session_active_interval_ms);
      if (txt->present & TH_DNSSD_TXT_SAT)
        g_string_append_printf (intervals, _("active for %u ms "),
                                txt->session_active_threshold_ms);
      th_cli_print_field (_("Session timing"), g_strchomp (intervals->str));
    }
  for (guint i = 0; i < txt->problems->len; i++)
    {
      ThDnssdTxtProblem *problem = g_ptr_array_index (txt->problems, i);

      th_cli_print_field (_("Bad TXT entry"), problem->message);
    }
}

static void
print_device_list (Run        *run,
                   GListModel *model)
{
  guint n = g_list_model_get_n_items (model);

  if (n == 0)
    {
      g_print (_("No Matter devices answered on the network.\n"));
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ThDiscoveredDevice) device = g_list_model_get_item (model, i);

      if (i > 0)
        g_print ("\n");
      print_device_words (run, device);
    }
}

static void
print_devices_json (Run        *run,
                    GListModel *model)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonArray) array = json_array_new ();

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ThDiscoveredDevice) device = g_list_model_get_item (model, i);

      json_array_add_element (array, device_to_json (run, device));
    }
  json_object_set_array_member (object, "devices", g_steal_pointer (&array));
  json_node_set_object (root, object);
  th_cli_print_json (root);
}

/* --watch: one line per event, "added", "changed", "removed", "described" (the ledger's answer
 * about a device listed before came), "browsing" or "unavailable". */
static void
print_event (Run                *run,
             const char         *event,
             ThDiscoveredDevice *device,
             const char         *message)
{
  if (run->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      add_member_string (builder, "event", event);
      json_builder_set_member_name (builder, "elapsedMs");
      json_builder_add_double_value (builder, elapsed_ms (run));
      if (device != NULL && g_str_equal (event, "removed"))
        add_member_string (builder, "instance", th_discovered_device_get_instance_name (device));
      else if (device != NULL)
        {
          json_builder_set_member_name (builder, "device");
          json_builder_add_value (builder, device_to_json (run, device));
        }
      if (message != NULL)
        add_member_string (builder, "message", message);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      th_cli_print_json_line (root);
      return;
    }

  if (g_str_equal (event, "added"))
    g_print (_("Found after %.0f ms: "), elapsed_ms (run));
  else if (g_str_equal (event, "changed"))
    g_print (_("Changed after %.0f ms: "), elapsed_ms (run));
  else if (g_str_equal (event, "removed"))
    g_print (_("Gone after %.0f ms: "), elapsed_ms (run));
  else if (g_str_equal (event, "described"))
    /* Translators: the compliance ledger answered about a device listed before */
    g_print (_("Named by the ledger after %.0f ms: "), elapsed_ms (run));
  else
    g_print (_("After %.0f ms: "), elapsed_ms (run));

  if (device != NULL)
    print_device_words (run, device);
  else
    g_print ("%s\n", message);
}

/* --watch: a lookup answered; the devices shown that it is about are printed again, now with
 * their names. */
static void
on_watch_answered (gpointer data,
                   gboolean is_model,
                   guint    key)
{
  Run *run = data;

  for (guint i = 0; i < run->shown->len; i++)
    {
      ThDiscoveredDevice *device = g_ptr_array_index (run->shown, i);
      ThDnssdTxt *txt = th_discovered_device_get_txt (device);

      if (!txt->has_vendor_id)
        continue;
      if (is_model ? txt->has_product_id && model_key_of (txt) == key
                   : txt->vendor_id == key)
        print_event (run, "described", device, NULL);
    }
}

static void
on_watch_items_changed (GListModel *model,
                        guint       position,
                        guint       removed,
                        guint       added,
                        gpointer    user_data)
{
  Run *run = user_data;

  if (removed == 1 && added == 1)
    {
      g_autoptr(ThDiscoveredDevice) device = g_list_model_get_item (model, position);

      if (device == g_ptr_array_index (run->shown, position))
        {
          print_event (run, "changed", device, NULL);
          if (run->dcl != NULL)
            ask_about (run->dcl, device);
          return;
        }
    }
  for (guint i = 0; i < removed; i++)
    print_event (run, "removed", g_ptr_array_index (run->shown, position + i), NULL);
  g_ptr_array_remove_range (run->shown, position, removed);
  for (guint i = 0; i < added; i++)
    {
      ThDiscoveredDevice *device = g_list_model_get_item (model, position + i);

      g_ptr_array_insert (run->shown, (int) (position + i), device);
      print_event (run, "added", device, NULL);
      if (run->dcl != NULL)
        ask_about (run->dcl, device);
    }
}

static void
on_watch_state_changed (ThDnssdBrowser *browser,
                        GParamSpec     *pspec,
                        gpointer        user_data)
{
  Run *run = user_data;

  if (th_dnssd_browser_get_state (browser) == TH_DNSSD_STATE_UNAVAILABLE)
    print_event (run, "unavailable", NULL, th_dnssd_browser_get_error (browser)->message);
  else if (th_dnssd_browser_get_state (browser) == TH_DNSSD_STATE_BROWSING)
    print_event (run, "browsing", NULL, _("Avahi is running again"));
}

static void
on_list_settled (ThDnssdBrowser *browser,
                 GParamSpec     *pspec,
                 gpointer        user_data)
{
  Run *run = user_data;

  if (th_dnssd_browser_get_settled (browser))
    g_main_loop_quit (run->loop);
}

static void
on_list_state_changed (ThDnssdBrowser *browser,
                       GParamSpec     *pspec,
                       gpointer        user_data)
{
  Run *run = user_data;

  if (th_dnssd_browser_get_state (browser) != TH_DNSSD_STATE_UNAVAILABLE)
    return;
  th_cli_error ("%s", th_dnssd_browser_get_error (browser)->message);
  run->status = TH_CLI_EXIT_FAILED;
  g_main_loop_quit (run->loop);
}

static gboolean
on_quit (gpointer user_data)
{
  Run *run = user_data;

  g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_interrupt (gpointer user_data)
{
  Run *run = user_data;

  if (run->cancellable != NULL)
    g_cancellable_cancel (run->cancellable);
  else
    g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

static int
browse (Run                *run,
        ThDnssdServiceKind  kind,
        const char         *subtype,
        guint               timeout_ms,
        gboolean            watch)
{
  g_autoptr(ThDnssdBrowser) browser = th_dnssd_browser_new (kind, subtype);
  g_autoptr(GError) error = NULL;
  guint timeout_id = 0;

  if (!th_dnssd_browser_start (browser, &error))
    {
      th_cli_error ("%s", error->message);
      return TH_CLI_EXIT_FAILED;
    }
  if (watch)
    {
      run->shown = g_ptr_array_new_with_free_func (g_object_unref);
      g_signal_connect (browser, "items-changed", G_CALLBACK (on_watch_items_changed), run);
      g_signal_connect (browser, "notify::state", G_CALLBACK (on_watch_state_changed), run);
      print_event (run, "browsing", NULL, _("Looking for Matter devices"));
    }
  else
    {
      g_signal_connect (browser, "notify::settled", G_CALLBACK (on_list_settled), run);
      g_signal_connect (browser, "notify::state", G_CALLBACK (on_list_state_changed), run);
    }
  if (timeout_ms > 0)
    timeout_id = g_timeout_add (timeout_ms, on_quit, run);

  g_main_loop_run (run->loop);

  g_clear_handle_id (&timeout_id, g_source_remove);
  g_clear_pointer (&run->shown, g_ptr_array_unref);
  if (!watch && run->status == TH_CLI_EXIT_OK)
    {
      look_up_list (run, G_LIST_MODEL (browser));
      if (run->json)
        print_devices_json (run, G_LIST_MODEL (browser));
      else
        print_device_list (run, G_LIST_MODEL (browser));
    }
  th_dnssd_browser_stop (browser);
  return run->status;
}

static void
on_found (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  run->found = run->finish (result, &error);
  run->found_ms = elapsed_ms (run);
  g_main_loop_quit (run->loop);
  if (run->found == NULL)
    {
      th_cli_error ("%s", error->message);
      run->status = TH_CLI_EXIT_FAILED;
    }
}

static void
print_found (Run *run)
{
  g_autoptr(GPtrArray) devices = g_ptr_array_new ();

  g_ptr_array_add (devices, run->found);
  if (run->dcl != NULL)
    look_up (run->dcl, devices);
  if (run->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "device");
      json_builder_add_value (builder, device_to_json (run, run->found));
      json_builder_set_member_name (builder, "elapsedMs");
      json_builder_add_double_value (builder, run->found_ms);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      th_cli_print_json (root);
    }
  else
    {
      print_device_words (run, run->found);
      g_print (_("Found in %.0f ms.\n"), run->found_ms);
    }
}

int
th_cli_discover (int    argc,
                 char **argv)
{
  double timeout_s = DEFAULT_TIMEOUT_S;
  g_autofree char *discriminator_text = NULL, *short_text = NULL;
  g_autofree char *fabric_text = NULL, *node_text = NULL;
  gboolean json = FALSE, first = FALSE, watch = FALSE, commissioners = FALSE;
  gboolean operational = FALSE, offline = FALSE, no_dcl = FALSE, ble = FALSE;
  g_autofree char *dcl_url = NULL;
  const GOptionEntry entries[] = {
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout_s,
      N_("How long to look, in seconds (default 3; 0 with --watch: until interrupted)"),
      N_("SECONDS") },
    { "discriminator", 0, 0, G_OPTION_ARG_STRING, &discriminator_text,
      N_("Only the device with this 12-bit discriminator, 0 to 4095"), N_("NUMBER") },
    { "short-discriminator", 0, 0, G_OPTION_ARG_STRING, &short_text,
      N_("Only devices with this 4-bit short discriminator (from an 11-digit code), 0 to 15"),
      N_("NUMBER") },
    { "first", 0, 0, G_OPTION_ARG_NONE, &first,
      N_("Stop at the first matching device open for commissioning, and say how long it took"),
      NULL },
    { "watch", 0, 0, G_OPTION_ARG_NONE, &watch,
      N_("Print devices as they come, change and go, until the timeout"), NULL },
    { "commissioners", 0, 0, G_OPTION_ARG_NONE, &commissioners,
      N_("Look for commissioners (_matterd._udp) instead of devices"), NULL },
    { "operational", 0, 0, G_OPTION_ARG_NONE, &operational,
      N_("Look for commissioned devices (_matter._tcp) instead of devices to commission"),
      NULL },
    { "fabric", 0, 0, G_OPTION_ARG_STRING, &fabric_text,
      N_("With --operational: only the devices of the fabric with this compressed fabric ID "
         "(decimal or 0x hex)"), N_("ID") },
    { "node", 0, 0, G_OPTION_ARG_STRING, &node_text,
      N_("With --operational and --fabric: resolve the device with this node ID (decimal or "
         "0x hex), and say how long it took"), N_("ID") },
    { "ble", 0, 0, G_OPTION_ARG_NONE, &ble,
      N_("Look for devices advertising over Bluetooth LE, through BlueZ, instead of on the "
         "network"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print JSON instead of text (with --watch, one object per line)"), NULL },
    { "dcl-url", 0, 0, G_OPTION_ARG_STRING, &dcl_url,
      N_("The compliance ledger to ask for the names of the products and vendors found "
         "(default: from the settings, else the main net " TH_DCL_MAIN_NET_URL ")"), N_("URL") },
    { "offline", 0, 0, G_OPTION_ARG_NONE, &offline,
      N_("Name products and vendors only from earlier answers of the compliance ledger"), NULL },
    { "no-dcl", 0, 0, G_OPTION_ARG_NONE, &no_dcl,
      N_("Do not name products and vendors from the compliance ledger (with --watch, names "
         "come as the ledger answers)"),
      NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autofree char *subtype = NULL;
  guint64 discriminator = 0;
  guint64 fabric = 0, node = 0;
  int status;
  gboolean is_short;
  guint timeout_ms;
  guint signal_ids[2];
  Run run = { 0 };

  g_option_context_set_summary (context,
                                _("List the Matter devices that announce themselves on the local "
                                  "network with DNS-SD, through the Avahi service: devices to "
                                  "commission, or with --operational commissioned ones. With "
                                  "--ble, list the devices to commission that advertise over "
                                  "Bluetooth LE nearby."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!th_cli_parse_options (context, &argc, &argv))
    return TH_CLI_EXIT_USAGE;
  if (argc != 1)
    {
      th_cli_error (_("Unexpected argument “%s”."), argv[1]);
      return TH_CLI_EXIT_USAGE;
    }
  is_short = short_text != NULL;
  if (discriminator_text != NULL && is_short)
    {
      th_cli_error (_("Give --discriminator or --short-discriminator, not both."));
      return TH_CLI_EXIT_USAGE;
    }
  if (discriminator_text != NULL &&
      !th_cli_parse_number ("--discriminator", discriminator_text, 0xFFF, &discriminator))
    return TH_CLI_EXIT_USAGE;
  if (is_short && !th_cli_parse_number ("--short-discriminator", short_text, 0xF, &discriminator))
    return TH_CLI_EXIT_USAGE;
  if (first && discriminator_text == NULL && !is_short)
    {
      th_cli_error (_("--first needs --discriminator or --short-discriminator."));
      return TH_CLI_EXIT_USAGE;
    }
  if (first && watch)
    {
      th_cli_error (_("Give --first or --watch, not both."));
      return TH_CLI_EXIT_USAGE;
    }
  if ((commissioners || operational) && (discriminator_text != NULL || is_short || first))
    {
      th_cli_error (_("--commissioners and --operational take no discriminator, and no "
                      "--first."));
      return TH_CLI_EXIT_USAGE;
    }
  if (commissioners && operational)
    {
      th_cli_error (_("Give --commissioners or --operational, not both."));
      return TH_CLI_EXIT_USAGE;
    }
  if ((fabric_text != NULL && !operational) || (node_text != NULL && fabric_text == NULL))
    {
      th_cli_error (_("--fabric needs --operational, and --node needs --fabric."));
      return TH_CLI_EXIT_USAGE;
    }
  if (node_text != NULL && watch)
    {
      th_cli_error (_("Give --node or --watch, not both."));
      return TH_CLI_EXIT_USAGE;
    }
  if (fabric_text != NULL && !th_cli_parse_number ("--fabric", fabric_text, G_MAXUINT64, &fabric))
    return TH_CLI_EXIT_USAGE;
  if (node_text != NULL && !th_cli_parse_number ("--node", node_text, G_MAXUINT64, &node))
    return TH_CLI_EXIT_USAGE;
  if (!(timeout_s >= 0 && timeout_s <= 24 * 3600) || (timeout_s == 0 && !watch))
    {
      th_cli_error (_("--timeout: give a number of seconds above 0 and at most 86400 (0 only "
                      "with --watch)."));
      return TH_CLI_EXIT_USAGE;
    }
  timeout_ms = (guint) (timeout_s * 1000.0 + 0.5);
  if ((dcl_url != NULL || offline) && no_dcl)
    {
      th_cli_error (_("--no-dcl leaves the compliance ledger out: give no --dcl-url or "
                      "--offline with it."));
      return TH_CLI_EXIT_USAGE;
    }
  if (!no_dcl)
    {
      ThDclClient *client = th_cli_dcl_client_new (dcl_url, offline);

      if (client == NULL)
        return TH_CLI_EXIT_USAGE;
      run.dcl = dcl_new (client);
      if (watch)
        {
          run.dcl->answered = on_watch_answered;
          run.dcl->answered_data = &run;
        }
    }

  if (ble)
    {
      ThCliBleOptions options = { 0 };

      if (watch || commissioners || operational)
        {
          th_cli_error (_("--ble takes no --watch, --commissioners or --operational."));
          return TH_CLI_EXIT_USAGE;
        }
      options.timeout_ms = timeout_ms;
      options.json = json;
      options.first = first;
      options.has_discriminator = discriminator_text != NULL || is_short;
      options.discriminator = (guint16) discriminator;
      options.is_short = is_short;
      return th_cli_discover_ble (&options);
    }

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  run.json = json;
  run.status = TH_CLI_EXIT_OK;
  run.started = g_get_monotonic_time ();
  signal_ids[0] = g_unix_signal_add (SIGINT, on_interrupt, &run);
  signal_ids[1] = g_unix_signal_add (SIGTERM, on_interrupt, &run);

  if (first || node_text != NULL)
    {
      cancellable = g_cancellable_new ();
      run.cancellable = cancellable;
      if (first)
        {
          run.finish = th_dnssd_find_commissionable_finish;
          th_dnssd_find_commissionable_async ((guint16) discriminator, is_short, timeout_ms,
                                              cancellable, on_found, &run);
        }
      else
        {
          run.finish = th_dnssd_resolve_operational_finish;
          th_dnssd_resolve_operational_async (fabric, node, timeout_ms, cancellable, on_found,
                                              &run);
        }
      g_main_loop_run (loop);
      if (run.found != NULL)
        print_found (&run);
      g_clear_object (&run.found);
      status = run.status;
    }
  else
    {
      ThDnssdServiceKind kind = operational ? TH_DNSSD_SERVICE_OPERATIONAL
                                : commissioners ? TH_DNSSD_SERVICE_COMMISSIONER
                                : TH_DNSSD_SERVICE_COMMISSIONABLE;

      if (discriminator_text != NULL || is_short)
        subtype = th_dnssd_subtype_name (is_short ? TH_DNSSD_SUBTYPE_SHORT_DISCRIMINATOR
                                                  : TH_DNSSD_SUBTYPE_LONG_DISCRIMINATOR,
                                         discriminator);
      else if (fabric_text != NULL)
        subtype = th_dnssd_subtype_name (TH_DNSSD_SUBTYPE_COMPRESSED_FABRIC, fabric);
      status = browse (&run, kind, subtype, timeout_ms, watch);
    }

  g_source_remove (signal_ids[0]);
  g_source_remove (signal_ids[1]);
  g_clear_pointer (&run.dcl, dcl_free);
  return status;
}
