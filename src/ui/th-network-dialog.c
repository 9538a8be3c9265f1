/* th-network-dialog.c: which Wi-Fi or Thread network a device joins
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "th-current-wifi.h"
#include "th-network-dialog.h"

struct _ThNetworkDialog
{
  AdwMessageDialog parent_instance;

  ThNetworkRequest *request;
  gboolean wifi;              /* else Thread */

  GtkWidget *name_row;        /* Wi-Fi */
  GtkWidget *password_row;
  GtkWidget *current_button;
  GtkWidget *dataset_row;     /* Thread */
  GtkLabel *field_error;      /* what is wrong with what was typed or asked */

  /* A network chosen from the list or NetworkManager: its SSID's bytes, which need not be
   * UTF-8, used as long as the name field still shows it. */
  GBytes *chosen_ssid;
  char *chosen_name;

  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (ThNetworkDialog, th_network_dialog, ADW_TYPE_MESSAGE_DIALOG)

/* An SSID for people: bytes that are not UTF-8 shown as replacement characters (the bytes
 * themselves are kept in chosen_ssid). */
static char *
ssid_to_text (GBytes *ssid)
{
  gsize len;
  const char *data = g_bytes_get_data (ssid, &len);

  return g_utf8_make_valid (data, len);
}

static void
show_field_error (ThNetworkDialog *self,
                  const char      *message)
{
  gtk_label_set_text (self->field_error, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->field_error), message != NULL);
}

static ThNetworkCredentials *
build_credentials (ThNetworkDialog  *self,
                   GError          **error)
{
  if (self->wifi)
    {
      const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
      const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

      if (self->chosen_ssid != NULL && g_strcmp0 (name, self->chosen_name) == 0)
        return th_network_credentials_new_wifi (g_bytes_get_data (self->chosen_ssid, NULL),
                                                g_bytes_get_size (self->chosen_ssid),
                                                password, error);
      return th_network_credentials_new_wifi ((const guint8 *) name, strlen (name), password,
                                              error);
    }
  return th_network_credentials_new_thread_hex (
    gtk_editable_get_text (GTK_EDITABLE (self->dataset_row)), error);
}

ThNetworkCredentials *
th_network_dialog_get_credentials (ThNetworkDialog *self)
{
  g_return_val_if_fail (TH_IS_NETWORK_DIALOG (self), NULL);

  return build_credentials (self, NULL);
}

/* Connect is offered only for usable credentials; what is wrong shows under the fields once
 * something was typed. */
static void
on_field_changed (ThNetworkDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThNetworkCredentials) credentials = build_credentials (self, &error);
  GtkEditable *field = GTK_EDITABLE (self->wifi ? self->name_row : self->dataset_row);

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), TH_NETWORK_DIALOG_CONNECT,
                                           credentials != NULL);
  show_field_error (self, credentials == NULL && *gtk_editable_get_text (field) != '\0'
                          ? error->message : NULL);
}

static void
choose_ssid (ThNetworkDialog *self,
             GBytes          *ssid)
{
  g_clear_pointer (&self->chosen_ssid, g_bytes_unref);
  g_clear_pointer (&self->chosen_name, g_free);
  self->chosen_ssid = g_bytes_ref (ssid);
  self->chosen_name = ssid_to_text (ssid);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), self->chosen_name);
  gtk_widget_grab_focus (self->password_row);
}

static void
on_current_wifi (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ThNetworkDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) ssid = th_current_wifi_ssid_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_widget_set_sensitive (self->current_button, TRUE);
  if (ssid == NULL)
    {
      show_field_error (self, error->message);
      return;
    }
  choose_ssid (self, ssid);
}

/* The click is the consent: NetworkManager is asked only now. */
static void
on_current_clicked (ThNetworkDialog *self)
{
  gtk_widget_set_sensitive (self->current_button, FALSE);
  th_current_wifi_ssid_async (self->cancellable, on_current_wifi, g_object_ref (self));
}

/* Enter in a field connects, once what is typed can be used (the dialog's default response;
 * an entry row keeps Enter to itself otherwise). */
static void
on_entry_activated (ThNetworkDialog *self)
{
  if (!adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (self),
                                                TH_NETWORK_DIALOG_CONNECT))
    return;
  /* As the button does: the response, then the dialog closes (the response alone would leave
   * it open, the password in it). */
  g_object_ref (self);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (self), TH_NETWORK_DIALOG_CONNECT);
  gtk_window_close (GTK_WINDOW (self));
  g_object_unref (self);
}

static void
on_scan_row_activated (GtkListBox      *list,
                       GtkListBoxRow   *row,
                       ThNetworkDialog *self)
{
  const ThNetworkScanResult *result = g_object_get_data (G_OBJECT (row), "th-scan-result");

  if (result != NULL && result->kind == TH_NETWORK_KIND_WIFI && result->ssid != NULL)
    choose_ssid (self, result->ssid);
}

static GtkWidget *
scan_row (const ThNetworkScanResult *result)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  if (result->kind == TH_NETWORK_KIND_WIFI)
    {
      title = result->ssid != NULL ? ssid_to_text (result->ssid) : g_strdup ("");
      /* Translators: a Wi-Fi network's signal strength in dBm, and whether it is secured */
      subtitle = result->rssi != 0
        ? g_strdup_printf (_("Signal %d dBm · %s"), result->rssi,
                           result->security != 0 ? _("Secured") : _("Open"))
        : g_strdup (result->security != 0 ? _("Secured") : _("Open"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
    }
  else
    {
      title = g_strdup (result->network_name != NULL ? result->network_name : "");
      /* Translators: a Thread network's PAN id (hex) and radio channel */
      subtitle = g_strdup_printf (_("PAN 0x%04X · channel %u"), result->pan_id,
                                  result->channel);
      /* Shown, not chosen: a Thread network is joined with its dataset. */
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_widget_set_focusable (row, FALSE);
    }
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

/* libadwaita 1.2 leaves the password row's button that shows the password without a name. */
static void
name_reveal_button (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *icon = GTK_IS_BUTTON (child) ? gtk_button_get_icon_name (GTK_BUTTON (child))
                                               : NULL;

      if (icon != NULL && g_str_has_prefix (icon, "view-"))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _("Show Password"), -1);
      name_reveal_button (child);
    }
}

static GtkWidget *
boxed_list (const char *accessible_name)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible_name, -1);
  return list;
}

static GtkWidget *
note (const char *text,
      const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static void
build (ThNetworkDialog *self)
{
  const GError *last_error = th_network_request_get_last_error (self->request);
  const GError *scan_error = th_network_request_get_scan_error (self->request);
  GPtrArray *results = th_network_request_get_scan_results (self->request);
  ThNetworkKind kind = self->wifi ? TH_NETWORK_KIND_WIFI : TH_NETWORK_KIND_THREAD;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *fields = boxed_list (self->wifi ? _("Wi-Fi network") : _("Thread network"));
  GtkWidget *networks = NULL;

  if (last_error != NULL)
    gtk_box_append (GTK_BOX (box), note (last_error->message, "error"));

  for (guint i = 0; i < results->len; i++)
    {
      const ThNetworkScanResult *result = g_ptr_array_index (results, i);
      GtkWidget *row;

      if (result->kind != kind)
        continue;
      if (networks == NULL)
        {
          networks = boxed_list (_("Networks the device sees"));
          g_signal_connect_object (networks, "row-activated",
                                   G_CALLBACK (on_scan_row_activated), self, 0);
          gtk_box_append (GTK_BOX (box), networks);
        }
      row = scan_row (result);
      g_object_set_data_full (G_OBJECT (row), "th-scan-result",
                              th_network_scan_result_copy (result),
                              (GDestroyNotify) th_network_scan_result_free);
      gtk_list_box_append (GTK_LIST_BOX (networks), row);
    }
  if (scan_error != NULL)
    gtk_box_append (GTK_BOX (box), note (scan_error->message, "dim-label"));

  if (self->wifi)
    {
      self->name_row = adw_entry_row_new ();
      g_signal_connect_object (self->name_row, "entry-activated", G_CALLBACK (on_entry_activated),
                               self, G_CONNECT_SWAPPED);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row), _("Network Name"));
      self->password_row = adw_password_entry_row_new ();
      g_signal_connect_object (self->password_row, "entry-activated", G_CALLBACK (on_entry_activated),
                               self, G_CONNECT_SWAPPED);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row), _("Password"));
      name_reveal_button (self->password_row);
      gtk_list_box_append (GTK_LIST_BOX (fields), self->name_row);
      gtk_list_box_append (GTK_LIST_BOX (fields), self->password_row);
      g_signal_connect_object (self->name_row, "changed", G_CALLBACK (on_field_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->password_row, "changed", G_CALLBACK (on_field_changed),
                               self, G_CONNECT_SWAPPED);
    }
  else
    {
      self->dataset_row = adw_entry_row_new ();
      g_signal_connect_object (self->dataset_row, "entry-activated", G_CALLBACK (on_entry_activated),
                               self, G_CONNECT_SWAPPED);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->dataset_row),
                                     _("Operational Dataset (Hex)"));
      gtk_list_box_append (GTK_LIST_BOX (fields), self->dataset_row);
      g_signal_connect_object (self->dataset_row, "changed", G_CALLBACK (on_field_changed),
                               self, G_CONNECT_SWAPPED);
    }
  gtk_box_append (GTK_BOX (box), fields);

  self->field_error = GTK_LABEL (note (NULL, "error"));
  gtk_widget_set_visible (GTK_WIDGET (self->field_error), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->field_error));

  if (self->wifi)
    {
      self->current_button = gtk_button_new_with_mnemonic (_("Use _Current Wi-Fi Network"));
      gtk_widget_set_halign (self->current_button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (self->current_button, "pill");
      g_signal_connect_object (self->current_button, "clicked",
                               G_CALLBACK (on_current_clicked), self, G_CONNECT_SWAPPED);
      gtk_box_append (GTK_BOX (box), self->current_button);
    }
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (self), box);
}

ThNetworkDialog *
th_network_dialog_new (GtkWindow        *parent,
                       ThNetworkRequest *request)
{
  ThNetworkDialog *self;
  gboolean wifi;

  g_return_val_if_fail (request != NULL, NULL);

  /* A device with both interfaces is given Wi-Fi: a person knows its name and password more
   * often than a Thread dataset. */
  wifi = (th_network_request_get_kinds (request) & TH_NETWORK_KIND_WIFI) != 0;
  self = g_object_new (TH_TYPE_NETWORK_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       "heading", wifi ? _("Choose the Device’s Wi-Fi Network")
                                       : _("Choose the Device’s Thread Network"),
                       "body", wifi ? _("The device joins this network to stay reachable.")
                                    : _("Paste the Thread network’s operational dataset, as "
                                        "your Thread border router shows it."),
                       NULL);
  /* Named like its heading, for screen readers and for finding it among the windows. */
  gtk_window_set_title (GTK_WINDOW (self),
                        adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (self)));
  self->request = th_network_request_ref (request);
  self->wifi = wifi;
  build (self);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (self),
                                    TH_NETWORK_DIALOG_CANCEL, _("_Cancel"),
                                    TH_NETWORK_DIALOG_CONNECT, _("C_onnect"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self),
                                              TH_NETWORK_DIALOG_CONNECT,
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (self),
                                           TH_NETWORK_DIALOG_CANCEL);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self), TH_NETWORK_DIALOG_CANCEL);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self),
                                           TH_NETWORK_DIALOG_CONNECT, FALSE);
  return self;
}

static void
th_network_dialog_dispose (GObject *object)
{
  ThNetworkDialog *self = TH_NETWORK_DIALOG (object);
  GtkWidget *fields[] = { self->name_row, self->password_row, self->dataset_row };

  g_cancellable_cancel (self->cancellable);
  /* libadwaita 1.2's entry rows still act on the focus leaving them while they are taken
   * down, and fail: the focus leaves them first. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  /* The fields change as they are taken down: nothing is left to check then. */
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (fields[i] != NULL)
      g_signal_handlers_disconnect_by_data (fields[i], self);
  G_OBJECT_CLASS (th_network_dialog_parent_class)->dispose (object);
}

static void
th_network_dialog_finalize (GObject *object)
{
  ThNetworkDialog *self = TH_NETWORK_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->request, th_network_request_unref);
  g_clear_pointer (&self->chosen_ssid, g_bytes_unref);
  g_clear_pointer (&self->chosen_name, g_free);
  G_OBJECT_CLASS (th_network_dialog_parent_class)->finalize (object);
}

static void
th_network_dialog_class_init (ThNetworkDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = th_network_dialog_dispose;
  object_class->finalize = th_network_dialog_finalize;
}

static void
th_network_dialog_init (ThNetworkDialog *self)
{
  self->cancellable = g_cancellable_new ();
}
