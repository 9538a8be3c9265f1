/* th-device-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "dcl/th-custom-flow.h"
#include "discovery/th-dnssd-text.h"
#include "th-device-page.h"
#include "th-device-types.h"
#include "th-error.h"
#include "th-window.h"

struct _ThDevicePage
{
  AdwBin parent_instance;

  AdwWindowTitle *window_title;
  GtkBox *content_box;
  AdwPreferencesGroup *identity_group;
  AdwActionRow *product_row;
  AdwActionRow *vendor_row;
  AdwActionRow *type_row;
  AdwActionRow *found_row;
  AdwActionRow *origin_row;
  AdwPreferencesGroup *hints_group;
  AdwPreferencesGroup *links_group;
  AdwActionRow *manual_row;
  AdwActionRow *support_row;
  AdwPreferencesGroup *code_group;
  AdwEntryRow *code_row;
  GtkLabel *code_message;
  AdwPreferencesGroup *flow_group;
  GtkWidget *ready_box;
  GtkWidget *waiting_box;
  GtkLabel *flow_label;
  GtkSpinner *flow_spinner;
  GtkLabel *waiting_label;
  GtkButton *done_button;
  GtkLabel *error_label;
  GtkButton *add_button;
  GtkButton *open_button;

  ThDclClient *client;
  ThSetupPayload *payload;        /* the code the page was opened with */
  ThSetupPayload *entered;        /* the code typed on the page */
  ThDiscoveredDevice *device;
  ThBleDevice *ble_device;
  GPtrArray *hint_rows;

  /* The ledger's answers, for the product looked up. */
  GCancellable *cancellable;
  gboolean looked_up;
  guint pending;
  ThDclModel *model;
  ThDclVendor *vendor;
  GError *model_error;
  char *origin_text;

  /* The manufacturer's setup, while it is waited for. */
  ThCustomFlow *flow;
  GCancellable *flow_cancellable;
  /* The last flow that ended, kept: its listener still answers the browser that called. */
  ThCustomFlow *ended_flow;
  gboolean code_instead;
};

G_DEFINE_FINAL_TYPE (ThDevicePage, th_device_page, ADW_TYPE_BIN)

static void update (ThDevicePage *self);

static ThWindow *
get_window (ThDevicePage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return TH_IS_WINDOW (root) ? TH_WINDOW (root) : NULL;
}

/* The engine's reasons are long sentences: the toast wraps them rather than widening the
 * window. */
static void
toast (ThDevicePage *self,
       const char   *message)
{
  ThWindow *window = get_window (self);
  AdwToast *toast;
  GtkWidget *label;

  if (window == NULL)
    return;
  toast = adw_toast_new (message);
  label = gtk_label_new (message);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 50);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  adw_toast_set_custom_title (toast, label);
  th_window_add_toast (window, toast);
}

/* The code to go on with: the one typed instead of the manufacturer's setup, else the one the
 * page was opened with, else the one typed. */
static const ThSetupPayload *
current_payload (ThDevicePage *self)
{
  if (self->code_instead)
    return self->entered;
  return self->payload != NULL ? self->payload : self->entered;
}

static ThDnssdTxt *
device_txt (ThDevicePage *self)
{
  return self->device != NULL ? th_discovered_device_get_txt (self->device) : NULL;
}

/* The product to look up: from the code, else from what the device advertises. */
static gboolean
get_product (ThDevicePage *self,
             guint16      *vendor_id,
             guint16      *product_id)
{
  const ThSetupPayload *payload = current_payload (self);
  ThDnssdTxt *txt = device_txt (self);

  if (payload != NULL && payload->has_vendor_product)
    {
      *vendor_id = payload->vendor_id;
      *product_id = payload->product_id;
      return TRUE;
    }
  if (txt != NULL && txt->has_vendor_id && txt->has_product_id)
    {
      *vendor_id = txt->vendor_id;
      *product_id = txt->product_id;
      return TRUE;
    }
  if (self->ble_device != NULL && th_ble_device_get_vendor_id (self->ble_device) != 0
      && th_ble_device_get_product_id (self->ble_device) != 0)
    {
      *vendor_id = th_ble_device_get_vendor_id (self->ble_device);
      *product_id = th_ble_device_get_product_id (self->ble_device);
      return TRUE;
    }
  return FALSE;
}

static ThCommissioningFlow
current_flow (ThDevicePage *self)
{
  const ThSetupPayload *payload = current_payload (self);

  if (self->code_instead)
    return TH_COMMISSIONING_FLOW_STANDARD;
  if (payload == NULL)
    return self->model != NULL ? self->model->custom_flow : TH_COMMISSIONING_FLOW_STANDARD;
  /* A 21-digit code says only that the flow is not the standard one: the ledger says which. */
  if (payload->format == TH_PAYLOAD_FORMAT_MANUAL
      && payload->flow != TH_COMMISSIONING_FLOW_STANDARD)
    return self->model != NULL ? self->model->custom_flow : TH_COMMISSIONING_FLOW_USER_INTENT;
  return payload->flow;
}

/* ---- The ledger ---- */

/* The keyboard is where the next step is: a device found nearby needs its code, typed at
 * once; otherwise Enter adds the device, or opens the manufacturer's setup page. Once more
 * after the ledger's answers, whose rows would otherwise take it. */
static void
focus_code_entry (ThDevicePage *self)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  if (self->payload == NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
  else if (gtk_widget_get_visible (GTK_WIDGET (self->add_button))
           && gtk_widget_is_sensitive (GTK_WIDGET (self->add_button)))
    gtk_widget_grab_focus (GTK_WIDGET (self->add_button));
  else if (gtk_widget_is_drawable (GTK_WIDGET (self->open_button))
           && gtk_widget_is_sensitive (GTK_WIDGET (self->open_button)))
    gtk_widget_grab_focus (GTK_WIDGET (self->open_button));
}

static void
lookup_done (ThDevicePage *self)
{
  self->pending--;
  update (self);
  if (self->pending == 0)
    focus_code_entry (self);
}

static void
on_model (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_auto(ThDclOrigin) origin = { 0 };
  g_autoptr(GError) error = NULL;
  ThDclModel *model = th_dcl_client_get_model_finish (TH_DCL_CLIENT (source), result, &origin,
                                                      &error);
  ThDevicePage *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = TH_DEVICE_PAGE (user_data);
  self->model = model;
  self->model_error = g_steal_pointer (&error);
  if (model != NULL && origin.source == TH_DCL_SOURCE_STALE_CACHE)
    self->origin_text = th_dcl_origin_describe (&origin);
  lookup_done (self);
}

static void
on_vendor (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  ThDclVendor *vendor = th_dcl_client_get_vendor_finish (TH_DCL_CLIENT (source), result, NULL,
                                                         &error);
  ThDevicePage *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = TH_DEVICE_PAGE (user_data);
  self->vendor = vendor;
  lookup_done (self);
}

static void
look_up (ThDevicePage *self)
{
  guint16 vendor_id, product_id;

  if (self->looked_up || self->client == NULL || !get_product (self, &vendor_id, &product_id))
    return;
  self->looked_up = TRUE;
  self->pending = 2;
  th_dcl_client_get_model_async (self->client, vendor_id, product_id, self->cancellable,
                                 on_model, self);
  th_dcl_client_get_vendor_async (self->client, vendor_id, self->cancellable, on_vendor, self);
}

/* ---- What the page shows ---- */

static void
set_subtitle (AdwActionRow *row,
              const char   *text)
{
  adw_action_row_set_subtitle (row, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (row), text != NULL && *text != '\0');
}

static char *
describe_product (ThDevicePage *self)
{
  ThDnssdTxt *txt = device_txt (self);
  guint16 vendor_id, product_id;

  if (self->model != NULL && self->model->product_name != NULL)
    return g_strdup (self->model->product_name);
  if (txt != NULL && (txt->present & TH_DNSSD_TXT_DN) && txt->device_name != NULL)
    return g_strdup (txt->device_name);
  if (get_product (self, &vendor_id, &product_id))
    /* Translators: a device the ledger does not know, with its vendor and product IDs */
    return g_strdup_printf (_("Matter device (vendor 0x%04X, product 0x%04X)"),
                            vendor_id, product_id);
  return g_strdup (_("Matter device"));
}

static char *
describe_vendor (ThDevicePage *self)
{
  guint16 vendor_id, product_id;
  const char *name = self->vendor != NULL ? th_dcl_vendor_get_display_name (self->vendor) : NULL;

  if (name != NULL)
    return g_strdup (name);
  if (get_product (self, &vendor_id, &product_id))
    /* Translators: a maker the ledger does not know, by its number */
    return g_strdup_printf (_("Vendor 0x%04X"), vendor_id);
  return NULL;
}

static char *
describe_origin (ThDevicePage *self)
{
  ThDnssdTxt *txt = device_txt (self);
  gboolean named = txt != NULL && (txt->present & TH_DNSSD_TXT_DN);
  guint16 vendor_id, product_id;

  if (self->pending > 0)
    return g_strdup (_("Asking the compliance ledger…"));
  if (self->model != NULL)
    {
      if (self->origin_text != NULL)
        /* Translators: the ledger's answer is an old one; the reason follows */
        return g_strdup_printf (_("From the compliance ledger. %s"), self->origin_text);
      return g_strdup (_("From the compliance ledger"));
    }
  if (!get_product (self, &vendor_id, &product_id))
    return g_strdup (named ? _("From the device. Its code does not say which product it is, so "
                               "the compliance ledger cannot be asked.")
                           : _("The code does not say which product this is, so the compliance "
                               "ledger cannot be asked."));
  if (self->model_error == NULL)
    return g_strdup (_("The compliance ledger is not used."));
  if (named)
    /* Translators: the names come from the device's advertisement; the ledger's error follows */
    return g_strdup_printf (_("From the device. %s"), self->model_error->message);
  return g_strdup (self->model_error->message);
}

static char *
describe_found (ThDevicePage *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (self->device != NULL)
    {
      GPtrArray *addresses = th_discovered_device_get_addresses (self->device);
      GInetSocketAddress *address = g_ptr_array_index (addresses, 0);
      g_autofree char *ip =
        g_inet_address_to_string (g_inet_socket_address_get_address (address));

      /* Translators: where the device was found, with its IP address */
      g_string_append_printf (text, _("On the network at %s"), ip);
    }
  if (self->ble_device != NULL)
    {
      if (text->len > 0)
        g_string_append (text, "\n");
      /* Translators: where the device was found, with its Bluetooth address */
      g_string_append_printf (text, _("Over Bluetooth, %s"),
                              th_ble_device_get_address (self->ble_device));
    }
  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

static void
add_hint_rows (ThDevicePage *self,
               GStrv         sentences,
               const char   *when)
{
  for (guint i = 0; sentences != NULL && sentences[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sentences[i]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      if (when != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), when);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("dialog-information-symbolic"));
      adw_preferences_group_add (self->hints_group, row);
      g_ptr_array_add (self->hint_rows, row);
    }
}

static void
update_hints (ThDevicePage *self)
{
  ThDnssdTxt *txt = device_txt (self);
  gboolean user_intent = current_flow (self) == TH_COMMISSIONING_FLOW_USER_INTENT;

  for (guint i = 0; i < self->hint_rows->len; i++)
    adw_preferences_group_remove (self->hints_group, g_ptr_array_index (self->hint_rows, i));
  g_ptr_array_set_size (self->hint_rows, 0);

  if (self->model != NULL)
    {
      g_auto(GStrv) initial = th_dcl_model_describe_initial_steps (self->model);
      g_auto(GStrv) secondary = th_dcl_model_describe_secondary_steps (self->model);

      add_hint_rows (self, initial, NULL);
      add_hint_rows (self, secondary, _("If it was set up before"));
    }
  if (txt != NULL && (txt->present & TH_DNSSD_TXT_PH))
    {
      g_auto(GStrv) advertised = th_dnssd_describe_pairing_hint (txt->pairing_hint,
                                                                 txt->pairing_instruction);

      add_hint_rows (self, advertised, _("As the device itself says"));
    }

  if (user_intent)
    adw_preferences_group_set_description (self->hints_group,
                                           _("This device must be put in pairing mode before "
                                             "it can be added. Do this first:"));
  else
    adw_preferences_group_set_description (self->hints_group,
                                           _("If the device cannot be found, put it in pairing "
                                             "mode:"));
  gtk_widget_set_visible (GTK_WIDGET (self->hints_group),
                          self->hint_rows->len > 0 || user_intent);

  /* With the user-intent flow the steps come before anything else. */
  if (user_intent)
    gtk_box_reorder_child_after (self->content_box, GTK_WIDGET (self->hints_group), NULL);
  else
    gtk_box_reorder_child_after (self->content_box, GTK_WIDGET (self->hints_group),
                                 GTK_WIDGET (self->flow_group));
}

static void
set_link_row (AdwActionRow *row,
              const char   *url)
{
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  gboolean usable = scheme != NULL && (g_str_equal (scheme, "https")
                                       || g_str_equal (scheme, "http"))
                    && g_uri_get_host (uri) != NULL;

  g_object_set_data_full (G_OBJECT (row), "th-url", usable ? g_strdup (url) : NULL, g_free);
  adw_action_row_set_subtitle (row, usable ? g_uri_get_host (uri) : "");
  gtk_widget_set_visible (GTK_WIDGET (row), usable);
}

static char *
flow_host (ThDevicePage *self)
{
  g_autoptr(GUri) uri = NULL;

  if (self->model == NULL || self->model->custom_flow_url == NULL
      || !th_custom_flow_url_check (self->model->custom_flow_url, NULL, NULL))
    return NULL;
  uri = g_uri_parse (self->model->custom_flow_url, G_URI_FLAGS_NONE, NULL);
  return uri != NULL ? g_strdup (g_uri_get_host (uri)) : NULL;
}

static void
update_flow (ThDevicePage *self,
             const char   *product)
{
  g_autofree char *host = NULL;
  g_autofree char *text = NULL;
  gboolean custom = current_flow (self) == TH_COMMISSIONING_FLOW_CUSTOM
                    && current_payload (self) != NULL && self->pending == 0;

  gtk_widget_set_visible (GTK_WIDGET (self->flow_group), custom);
  if (!custom)
    return;

  /* Two boxes rather than a stack: a stack measures its hidden page's wrapping label at the
   * visible one's height, and that widens the window. */
  gtk_widget_set_visible (self->waiting_box, self->flow != NULL);
  gtk_widget_set_visible (self->ready_box, self->flow == NULL);
  if (self->flow != NULL)
    return;
  host = flow_host (self);
  if (host == NULL)
    {
      g_autofree char *reason = NULL;

      if (self->model == NULL)
        reason = g_strdup_printf (_("The compliance ledger could not say where this device’s "
                                    "manufacturer’s setup is: %s"),
                                  self->model_error != NULL ? self->model_error->message : "");
      else
        reason = g_strdup (_("The compliance ledger gives no usable address for this device’s "
                             "manufacturer’s setup. Follow its manual, or enter the code it "
                             "gives."));
      gtk_label_set_text (self->flow_label, reason);
      gtk_widget_set_visible (GTK_WIDGET (self->flow_label), TRUE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "device.open-setup", FALSE);
      return;
    }
  /* Translators: the product, then the host name of its maker's setup page */
  text = g_strdup_printf (_("%s is set up on its manufacturer’s website first. “Open Setup "
                            "Page” opens %s in your web browser; when the steps there are "
                            "done, it sends you back here to add the device."),
                          product, host);
  gtk_label_set_text (self->flow_label, text);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "device.open-setup", TRUE);
}

static void
update (ThDevicePage *self)
{
  g_autofree char *product = describe_product (self);
  g_autofree char *vendor = describe_vendor (self);
  g_autofree char *origin = describe_origin (self);
  g_autofree char *found = describe_found (self);
  ThDnssdTxt *txt = device_txt (self);
  const char *type = NULL;
  gboolean can_add;

  adw_window_title_set_title (self->window_title, product);
  adw_window_title_set_subtitle (self->window_title, vendor != NULL ? vendor : "");
  set_subtitle (self->product_row, product);
  set_subtitle (self->vendor_row, vendor);
  if (self->model != NULL && self->model->has_device_type_id)
    type = th_device_type_describe (self->model->device_type_id);
  if (type == NULL && txt != NULL && (txt->present & TH_DNSSD_TXT_DT))
    type = th_device_type_describe (txt->device_type);
  set_subtitle (self->type_row, type);
  set_subtitle (self->found_row, found);
  adw_action_row_set_subtitle (self->origin_row, origin);

  update_hints (self);
  set_link_row (self->manual_row, self->model != NULL ? self->model->user_manual_url : NULL);
  set_link_row (self->support_row, self->model != NULL ? self->model->support_url : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->links_group),
                          gtk_widget_get_visible (GTK_WIDGET (self->manual_row))
                          || gtk_widget_get_visible (GTK_WIDGET (self->support_row)));

  gtk_widget_set_visible (GTK_WIDGET (self->code_group),
                          self->payload == NULL || self->code_instead);
  update_flow (self, product);

  can_add = current_payload (self) != NULL
            && current_flow (self) != TH_COMMISSIONING_FLOW_CUSTOM;
  gtk_widget_set_visible (GTK_WIDGET (self->add_button),
                          current_flow (self) != TH_COMMISSIONING_FLOW_CUSTOM
                          || current_payload (self) == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "device.add", can_add);
}

static void
show_error (ThDevicePage *self,
            const char   *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* ---- The code typed on the page ---- */

static gboolean
check_discriminator (ThDevicePage          *self,
                     const ThSetupPayload  *payload,
                     GError               **error)
{
  ThDnssdTxt *txt = device_txt (self);
  guint16 discriminator;

  if (txt != NULL && (txt->present & TH_DNSSD_TXT_D))
    discriminator = txt->discriminator;
  else if (self->ble_device != NULL)
    discriminator = th_ble_device_get_discriminator (self->ble_device);
  else
    return TRUE;

  if (payload->short_discriminator && payload->discriminator != discriminator >> 8)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                   _("This code is for a device whose discriminator starts with %u (its upper "
                     "4 bits), but the chosen device’s discriminator is %u, which starts with "
                     "%u. Check that the code is from this device’s label."),
                   payload->discriminator, discriminator, discriminator >> 8);
      return FALSE;
    }
  if (!payload->short_discriminator && payload->discriminator != discriminator)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                   _("This code is for the device with discriminator %u, but the chosen "
                     "device’s discriminator is %u. Check that the code is from this device’s "
                     "label."),
                   payload->discriminator, discriminator);
      return FALSE;
    }
  return TRUE;
}

static void
set_code_message (ThDevicePage *self,
                  const char   *message,
                  gboolean      is_error)
{
  gtk_label_set_text (self->code_message, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->code_message), message != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->code_message), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->code_message), "error");
}

static void
on_code_changed (ThDevicePage *self)
{
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->code_row));
  g_autofree char *text = g_strstrip (g_strdup (typed));
  g_autoptr(GPtrArray) payloads = NULL;
  g_autoptr(GError) error = NULL;
  ThSetupPayload *payload;

  g_clear_pointer (&self->entered, th_setup_payload_free);
  if (*text == '\0')
    set_code_message (self, NULL, FALSE);
  else if ((payloads = th_setup_payload_parse (text, &error)) == NULL)
    set_code_message (self, error->message, TRUE);
  else if (payloads->len != 1)
    {
      g_autofree char *message =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "This code is for %u device; enter the code of this one.",
                                      "This code is for %u devices; enter the code of this one.",
                                      payloads->len), payloads->len);

      set_code_message (self, message, TRUE);
    }
  else if (!th_setup_payload_validate ((payload = g_ptr_array_index (payloads, 0)), &error)
           || !check_discriminator (self, payload, &error))
    set_code_message (self, error->message, TRUE);
  else
    {
      self->entered = g_ptr_array_steal_index (payloads, 0);
      set_code_message (self, _("The code is valid."), FALSE);
    }
  explicit_bzero (text, strlen (text));
  look_up (self);
  update (self);
}

/* ---- Adding the device ---- */

static void
commission (ThDevicePage         *self,
            const ThSetupPayload *payload)
{
  g_autoptr(GPtrArray) payloads =
    g_ptr_array_new_with_free_func ((GDestroyNotify) th_setup_payload_free);
  GSocketAddress *address = NULL;
  ThWindow *window = get_window (self);

  if (window == NULL)
    return;
  if (self->device != NULL)
    address = g_ptr_array_index (th_discovered_device_get_addresses (self->device), 0);
  g_ptr_array_add (payloads, th_setup_payload_copy (payload));
  th_window_commission (window, payloads, address);
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  ThDevicePage *self = TH_DEVICE_PAGE (widget);

  if (current_payload (self) != NULL)
    commission (self, current_payload (self));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ThWindow *window = get_window (TH_DEVICE_PAGE (widget));

  if (window != NULL)
    th_window_pop_page (window);
}

static void
open_link (ThDevicePage *self,
           AdwActionRow *row)
{
  const char *url = g_object_get_data (G_OBJECT (row), "th-url");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (url != NULL)
    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, url, GDK_CURRENT_TIME);
}

static void
on_manual_activated (ThDevicePage *self)
{
  open_link (self, self->manual_row);
}

static void
on_support_activated (ThDevicePage *self)
{
  open_link (self, self->support_row);
}

/* ---- The manufacturer's setup ---- */

static void
end_flow (ThDevicePage *self)
{
  g_cancellable_cancel (self->flow_cancellable);
  g_clear_object (&self->flow_cancellable);
  if (self->flow != NULL)
    g_signal_handlers_disconnect_by_data (self->flow, self);
  g_clear_object (&self->flow);
  gtk_spinner_stop (self->flow_spinner);
}

static void
on_callback_refused (ThCustomFlow *flow,
                     GError       *error,
                     ThDevicePage *self)
{
  toast (self, error->message);
}

static void
on_flow_waited (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean returned = FALSE;
  g_autoptr(ThSetupPayload) ready = th_custom_flow_wait_finish (TH_CUSTOM_FLOW (source), result,
                                                                &returned, &error);
  ThDevicePage *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = TH_DEVICE_PAGE (user_data);
  g_set_object (&self->ended_flow, self->flow);
  end_flow (self);
  update (self);
  if (ready == NULL || !th_setup_payload_validate (ready, &error))
    {
      show_error (self, error->message);
      return;
    }
  toast (self, returned ? _("The manufacturer’s setup is done and gave a new setup code.")
                        : _("The manufacturer’s setup is done."));
  commission (self, ready);
}

static char *
encode_code (const ThSetupPayload  *payload,
             GError               **error)
{
  if (payload->format == TH_PAYLOAD_FORMAT_QR)
    return th_setup_payload_encode_qr (payload, error);
  return th_setup_payload_encode_manual (payload, error);
}

/* The desktop hands threshold:// links to the app when the scheme has a handler (the
 * installed desktop file); without one the manufacturer's page returns to a listener on
 * this computer. */
static ThCustomFlowReturn
choose_return (void)
{
  g_autoptr(GAppInfo) handler = g_app_info_get_default_for_uri_scheme ("threshold");

  return handler != NULL ? TH_CUSTOM_FLOW_RETURN_URI : TH_CUSTOM_FLOW_RETURN_LOOPBACK;
}

static void
open_setup_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ThDevicePage *self = TH_DEVICE_PAGE (widget);
  const ThSetupPayload *payload = current_payload (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);

  if (payload == NULL || self->model == NULL || self->model->custom_flow_url == NULL
      || self->flow != NULL)
    return;
  show_error (self, NULL);
  code = encode_code (payload, &error);
  if (code != NULL)
    {
      self->flow = th_custom_flow_new (self->model->custom_flow_url, code, choose_return (),
                                       TH_CUSTOM_FLOW_DEFAULT_TIMEOUT_MS, &error);
      explicit_bzero (code, strlen (code));
    }
  if (self->flow == NULL)
    {
      show_error (self, error->message);
      return;
    }
  g_signal_connect (self->flow, "callback-refused", G_CALLBACK (on_callback_refused), self);
  self->flow_cancellable = g_cancellable_new ();
  th_custom_flow_wait_async (self->flow, self->flow_cancellable, on_flow_waited, self);

  gtk_label_set_text (self->waiting_label,
                      th_custom_flow_get_callback_url (self->flow) != NULL
                      ? _("Follow the steps on the manufacturer’s page in your web browser. It "
                          "sends you back here when they are done.")
                      : _("Follow the steps on the manufacturer’s page in your web browser, "
                          "then choose “Setup Is Done”."));
  gtk_widget_set_visible (GTK_WIDGET (self->done_button),
                          th_custom_flow_get_callback_url (self->flow) == NULL);
  gtk_spinner_start (self->flow_spinner);
  update (self);
  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                th_custom_flow_get_url (self->flow), GDK_CURRENT_TIME);
}

static void
cancel_setup_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ThDevicePage *self = TH_DEVICE_PAGE (widget);

  end_flow (self);
  update (self);
}

static void
setup_done_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ThDevicePage *self = TH_DEVICE_PAGE (widget);

  if (self->flow != NULL)
    th_custom_flow_resume (self->flow);
}

static void
enter_code_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ThDevicePage *self = TH_DEVICE_PAGE (widget);

  end_flow (self);
  self->code_instead = TRUE;
  on_code_changed (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
}

gboolean
th_device_page_is_waiting (ThDevicePage *self)
{
  g_return_val_if_fail (TH_IS_DEVICE_PAGE (self), FALSE);

  return self->flow != NULL;
}

gboolean
th_device_page_open_uri (ThDevicePage  *self,
                         const char    *uri,
                         GError       **error)
{
  g_return_val_if_fail (TH_IS_DEVICE_PAGE (self), FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);

  if (self->flow == NULL)
    {
      const char *message = _("No device setup is waiting for this link.");

      toast (self, message);
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_TOKEN, message);
      return FALSE;
    }
  /* A refusal reaches the person through ::callback-refused. */
  return th_custom_flow_handle_uri (self->flow, uri, error);
}

/* ---- The object ---- */

GtkWidget *
th_device_page_new (ThDclClient          *client,
                    const ThSetupPayload *payload,
                    ThDiscoveredDevice   *device,
                    ThBleDevice          *ble_device)
{
  ThDevicePage *self;

  g_return_val_if_fail (client == NULL || TH_IS_DCL_CLIENT (client), NULL);
  g_return_val_if_fail (payload != NULL || device != NULL || ble_device != NULL, NULL);

  self = g_object_new (TH_TYPE_DEVICE_PAGE, NULL);
  self->client = client != NULL ? g_object_ref (client) : NULL;
  self->payload = payload != NULL ? th_setup_payload_copy (payload) : NULL;
  self->device = device != NULL ? g_object_ref (device) : NULL;
  self->ble_device = ble_device != NULL ? g_object_ref (ble_device) : NULL;
  look_up (self);
  update (self);
  return GTK_WIDGET (self);
}

static void
th_device_page_map (GtkWidget *widget)
{
  ThDevicePage *self = TH_DEVICE_PAGE (widget);

  GTK_WIDGET_CLASS (th_device_page_parent_class)->map (widget);
  focus_code_entry (self);
}

static void
th_device_page_dispose (GObject *object)
{
  ThDevicePage *self = TH_DEVICE_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  end_flow (self);
  g_clear_object (&self->ended_flow);
  gtk_widget_dispose_template (GTK_WIDGET (self), TH_TYPE_DEVICE_PAGE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->device);
  g_clear_object (&self->ble_device);
  g_clear_pointer (&self->hint_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (th_device_page_parent_class)->dispose (object);
}

static void
th_device_page_finalize (GObject *object)
{
  ThDevicePage *self = TH_DEVICE_PAGE (object);

  g_clear_pointer (&self->payload, th_setup_payload_free);
  g_clear_pointer (&self->entered, th_setup_payload_free);
  g_clear_pointer (&self->model, th_dcl_model_free);
  g_clear_pointer (&self->vendor, th_dcl_vendor_free);
  g_clear_error (&self->model_error);
  g_free (self->origin_text);

  G_OBJECT_CLASS (th_device_page_parent_class)->finalize (object);
}

static void
th_device_page_class_init (ThDevicePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = th_device_page_dispose;
  object_class->finalize = th_device_page_finalize;
  widget_class->map = th_device_page_map;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/th-device-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, window_title);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, content_box);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, identity_group);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, product_row);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, vendor_row);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, type_row);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, found_row);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, origin_row);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, hints_group);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, links_group);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, manual_row);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, support_row);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, code_group);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, code_row);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, code_message);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, flow_group);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, ready_box);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, waiting_box);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, flow_label);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, flow_spinner);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, waiting_label);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, done_button);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, error_label);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, add_button);
  gtk_widget_class_bind_template_child (widget_class, ThDevicePage, open_button);
  gtk_widget_class_bind_template_callback (widget_class, on_code_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_manual_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_support_activated);

  gtk_widget_class_install_action (widget_class, "device.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "device.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "device.open-setup", NULL, open_setup_action);
  gtk_widget_class_install_action (widget_class, "device.cancel-setup", NULL,
                                   cancel_setup_action);
  gtk_widget_class_install_action (widget_class, "device.setup-done", NULL, setup_done_action);
  gtk_widget_class_install_action (widget_class, "device.enter-code", NULL, enter_code_action);
}

static void
th_device_page_init (ThDevicePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->hint_rows = g_ptr_array_new ();
}
