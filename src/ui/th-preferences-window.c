/* th-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "credentials/th-trust.h"
#include "dcl/th-paa-sync.h"
#include "dcl/th-revocation-sync.h"
#include "th-file-chooser.h"
#include "th-preferences-window.h"

struct _ThPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  AdwComboRow *network_row;
  AdwActionRow *trust_store_row;
  GtkSpinner *sync_spinner;
  GtkListBox *development_list;

  GSettings *settings;
  GCancellable *cancellable;
  char *sync_summary;   /* what the PAA sync did, said with the revocation sync's result */
};

G_DEFINE_FINAL_TYPE (ThPreferencesWindow, th_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* Both folders, listed on a worker thread: the synced store holds a file per root. */
typedef struct
{
  GPtrArray *synced;       /* ThPaaEntry */
  gint64 synced_updated;
  guint64 synced_size;
  GPtrArray *development;  /* ThPaaEntry */
  guint n_revoked;
  gint64 revocation_updated; /* 0: never fetched */
  GError *problem;
} Listing;

static void
listing_free (Listing *listing)
{
  g_clear_pointer (&listing->synced, g_ptr_array_unref);
  g_clear_pointer (&listing->development, g_ptr_array_unref);
  g_clear_error (&listing->problem);
  g_free (listing);
}

static void
list_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Listing *listing = g_new0 (Listing, 1);
  g_autofree char *synced_dir = th_paa_default_dir ();
  g_autofree char *development_dir = th_trust_development_directory ();
  g_autoptr(GPtrArray) warnings = NULL;
  gint64 development_updated;
  guint64 development_size;

  listing->synced = th_paa_directory_list (synced_dir, &listing->synced_updated,
                                           &listing->synced_size, &warnings, &listing->problem);
  if (listing->problem == NULL)
    listing->development = th_paa_directory_list (development_dir, &development_updated,
                                                  &development_size, &warnings,
                                                  &listing->problem);
  for (guint i = 0; i < warnings->len; i++)
    g_message ("Trust store: %s", ((GError *) g_ptr_array_index (warnings, i))->message);
  if (listing->problem == NULL)
    {
      g_autofree char *revocation_dir = th_trust_default_directory ("revocation");
      g_autofree char *set_path = g_build_filename (revocation_dir, TH_TRUST_REVOCATION_SET_FILE,
                                                    NULL);
      g_autoptr(ThRevocationSet) set = th_trust_load_revocation_set (revocation_dir,
                                                                     &listing->problem);
      GStatBuf st;

      if (set != NULL)
        listing->n_revoked = th_revocation_set_get_size (set);
      if (set != NULL && g_stat (set_path, &st) == 0)
        listing->revocation_updated = st.st_mtime;
    }
  g_task_return_pointer (task, listing, (GDestroyNotify) listing_free);
}

static void
show_synced (ThPreferencesWindow *self,
             const Listing       *listing)
{
  g_autofree char *subtitle = NULL;

  if (listing->problem != NULL)
    {
      subtitle = g_strdup (listing->problem->message);
    }
  else if (listing->synced->len == 0)
    {
      subtitle = g_strdup (_("Empty: update it so that devices can be checked to be genuine"));
    }
  else
    {
      g_autoptr(GDateTime) updated = g_date_time_new_from_unix_local (listing->synced_updated);
      g_autofree char *when = g_date_time_format (updated, "%x %X");
      g_autofree char *size = g_format_size (listing->synced_size);

      g_autofree char *roots = NULL;
      g_autofree char *revoked = NULL;

      /* Translators: the number of root certificates, the space they take, a date */
      roots = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%u root certificate, %s, updated %s",
                                            "%u root certificates, %s, updated %s",
                                            listing->synced->len),
                               listing->synced->len, size, when);
      if (listing->revocation_updated == 0)
        revoked = g_strdup (_("No revocation lists fetched yet"));
      else
        revoked = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "%u certificate revoked",
                                                "%u certificates revoked",
                                                listing->n_revoked),
                                   listing->n_revoked);
      subtitle = g_strdup_printf ("%s\n%s", roots, revoked);
    }
  adw_action_row_set_subtitle (self->trust_store_row, subtitle);
}

static void
remove_certificate (GtkButton           *button,
                    ThPreferencesWindow *self);

static GtkWidget *
development_row_new (ThPreferencesWindow *self,
                     const ThPaaEntry    *entry)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  g_autofree char *label = g_strdup_printf (_("Remove %s"), entry->subject);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), entry->subject);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               entry->subject_key_id != NULL ? entry->subject_key_id : "");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Remove"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_object_set_data_full (G_OBJECT (button), "subject-key-id",
                          g_strdup (entry->subject_key_id), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (remove_certificate), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

static void
show_development (ThPreferencesWindow *self,
                  const Listing       *listing)
{
  GtkWidget *child;

  /* the placeholder is a child too: only the rows go */
  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->development_list)); child != NULL;)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      if (GTK_IS_LIST_BOX_ROW (child))
        gtk_list_box_remove (self->development_list, child);
      child = next;
    }
  for (guint i = 0; listing->development != NULL && i < listing->development->len; i++)
    gtk_list_box_append (self->development_list,
                         development_row_new (self, g_ptr_array_index (listing->development,
                                                                       i)));
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Listing *listing = g_task_propagate_pointer (G_TASK (result), NULL);
  ThPreferencesWindow *self;

  if (listing == NULL)
    return;
  self = TH_PREFERENCES_WINDOW (source);
  show_synced (self, listing);
  show_development (self, listing);
  listing_free (listing);
}

static void
refresh (ThPreferencesWindow *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, on_listed, NULL);

  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, list_thread);
}

static void
toast (ThPreferencesWindow *self,
       const char          *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

/* ---- Update Now ---- */

static void
sync_done (ThPreferencesWindow *self,
           const char          *text)
{
  gtk_spinner_stop (self->sync_spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_spinner), FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preferences.sync", TRUE);
  toast (self, text);
  refresh (self);
}

static void
on_revocations_synced (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(ThPreferencesWindow) self = user_data;
  g_autoptr(ThRevocationSyncReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  report = th_revocation_sync_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (report == NULL)
    {
      text = g_strdup_printf (_("Could not update the revocation lists: %s"), error->message);
    }
  else
    {
      for (guint i = 0; i < report->problems->len; i++)
        g_message ("Revocation: %s", ((GError *) g_ptr_array_index (report->problems, i))->message);
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%s; %u of %u revocation list checked",
                                           "%s; %u of %u revocation lists checked",
                                           report->n_points),
                              self->sync_summary, report->n_lists, report->n_points);
    }
  sync_done (self, text);
}

static void
load_roots_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  g_autoptr(ThPaaStore) paa_store = th_paa_store_new ();
  g_autoptr(ThCdSigners) cd_signers = th_cd_signers_new ();
  g_autoptr(GPtrArray) warnings = NULL;
  GError *error = NULL;

  if (th_trust_load_defaults (paa_store, cd_signers, &warnings, &error))
    g_task_return_pointer (task, g_steal_pointer (&paa_store),
                           (GDestroyNotify) th_paa_store_unref);
  else
    g_task_return_error (task, error);
}

static void
on_roots_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ThPreferencesWindow *self = TH_PREFERENCES_WINDOW (source);
  ThApplication *application = TH_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(ThPaaStore) paa_store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = th_trust_default_directory ("revocation");
  g_autofree char *text = NULL;

  paa_store = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (paa_store == NULL || application == NULL)
    {
      text = g_strdup_printf (_("Could not update the revocation lists: %s"),
                              error != NULL ? error->message : "");
      sync_done (self, text);
      return;
    }
  th_revocation_sync_async (th_application_get_dcl_client (application), paa_store, dir,
                            self->cancellable, on_revocations_synced, g_object_ref (self));
}

static void
on_synced (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ThPreferencesWindow) self = user_data;
  g_autoptr(ThPaaSyncReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) load = NULL;
  g_autofree char *text = NULL;

  report = th_paa_sync_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (report == NULL)
    {
      text = g_strdup_printf (_("Could not update the trust store: %s"), error->message);
      sync_done (self, text);
      return;
    }
  if (report->problems->len > 0)
    {
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Trust store updated: %u root certificate from the "
                                           "ledger, %u left out",
                                           "Trust store updated: %u root certificates from the "
                                           "ledger, %u left out",
                                           report->n_listed),
                              report->n_listed - report->problems->len, report->problems->len);
    }
  else
    {
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Trust store updated: %u root certificate from the "
                                           "ledger",
                                           "Trust store updated: %u root certificates from the "
                                           "ledger",
                                           report->n_listed),
                              report->n_listed);
    }
  g_free (self->sync_summary);
  self->sync_summary = g_steal_pointer (&text);
  adw_action_row_set_subtitle (self->trust_store_row,
                               _("Fetching the revocation lists the ledger points to…"));
  load = g_task_new (self, self->cancellable, on_roots_loaded, NULL);
  g_task_run_in_thread (load, load_roots_thread);
}

static void
sync_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ThPreferencesWindow *self = TH_PREFERENCES_WINDOW (widget);
  ThApplication *application = TH_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autofree char *dir = th_paa_default_dir ();

  if (application == NULL)
    return;
  gtk_widget_action_set_enabled (widget, "preferences.sync", FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_spinner), TRUE);
  gtk_spinner_start (self->sync_spinner);
  adw_action_row_set_subtitle (self->trust_store_row,
                               _("Asking the compliance ledger for its root certificates…"));
  th_paa_sync_async (th_application_get_dcl_client (application), dir, self->cancellable,
                     on_synced, g_object_ref (self));
}

/* ---- Development trust ---- */

static void
remove_certificate (GtkButton           *button,
                    ThPreferencesWindow *self)
{
  const char *key_id = g_object_get_data (G_OBJECT (button), "subject-key-id");
  g_autoptr(GError) error = NULL;

  if (key_id == NULL)
    return;
  if (!th_trust_remove_paa (NULL, key_id, &error))
    {
      toast (self, error->message);
      return;
    }
  toast (self, _("Certificate removed from development trust"));
  refresh (self);
}

static void
on_certificate_loaded (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(ThPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *text = NULL;
  gsize len;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &len, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          text = g_strdup_printf (_("Could not read the certificate: %s"), error->message);
          toast (self, text);
        }
      return;
    }
  key_id = th_trust_import_paa (NULL, (const guint8 *) contents, len, &error);
  if (key_id == NULL)
    {
      text = g_strdup_printf (_("Could not import the certificate: %s"), error->message);
      toast (self, text);
      return;
    }
  toast (self, _("Certificate imported as development trust"));
  refresh (self);
}

static void
import_file (ThPreferencesWindow *self,
             GFile               *file)
{
  g_file_load_contents_async (file, self->cancellable, on_certificate_loaded,
                              g_object_ref (self));
}

static GtkFileFilter *
new_certificate_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Certificates (PEM or DER)"));
  gtk_file_filter_add_suffix (filter, "pem");
  gtk_file_filter_add_suffix (filter, "der");
  gtk_file_filter_add_suffix (filter, "crt");
  gtk_file_filter_add_suffix (filter, "cer");
  return filter;
}

static void
on_certificate_chosen (GObject *owner,
                       GFile   *file)
{
  import_file (TH_PREFERENCES_WINDOW (owner), file);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  g_autoptr(GtkFileFilter) filter = new_certificate_filter ();

  th_file_chooser_open (GTK_WINDOW (widget), _("Import a PAA Certificate"), _("_Import"),
                        filter, G_OBJECT (widget), on_certificate_chosen);
}

/* ---- The network setting ---- */

static gboolean
network_to_row (GValue   *value,
                GVariant *variant,
                gpointer  user_data)
{
  g_value_set_uint (value, g_str_equal (g_variant_get_string (variant, NULL), "test") ? 1 : 0);
  return TRUE;
}

static GVariant *
row_to_network (const GValue       *value,
                const GVariantType *expected_type,
                gpointer            user_data)
{
  return g_variant_new_string (g_value_get_uint (value) == 1 ? "test" : "main");
}

/* The combo row's items, named for screen readers: GTK 4.8 does not name a list item after
 * its label. In the drop-down list the chosen one has a check mark. */
static void
on_network_selected (AdwComboRow *row,
                     GParamSpec  *pspec,
                     GtkListItem *item)
{
  GtkWidget *check = gtk_widget_get_last_child (gtk_list_item_get_child (item));

  gtk_widget_set_opacity (check,
                          adw_combo_row_get_selected (row) == gtk_list_item_get_position (item)
                          ? 1 : 0);
}

static void
setup_network_item (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  in_list)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);
  if (GPOINTER_TO_INT (in_list))
    {
      GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

      gtk_accessible_update_state (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE,
                                   -1);
      gtk_box_append (GTK_BOX (box), check);
    }
  gtk_list_item_set_child (item, box);
}

static void
bind_network_item (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  in_list)
{
  ThPreferencesWindow *self = g_object_get_data (G_OBJECT (factory), "window");
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *parent = gtk_widget_get_parent (box);
  const char *text = gtk_string_object_get_string (gtk_list_item_get_item (item));

  gtk_label_set_label (GTK_LABEL (gtk_widget_get_first_child (box)), text);
  if (parent != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (parent), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    text, -1);
  if (GPOINTER_TO_INT (in_list))
    {
      g_signal_connect_object (self->network_row, "notify::selected",
                               G_CALLBACK (on_network_selected), item, 0);
      on_network_selected (self->network_row, NULL, item);
    }
}

static void
unbind_network_item (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     gpointer                  in_list)
{
  ThPreferencesWindow *self = g_object_get_data (G_OBJECT (factory), "window");

  if (GPOINTER_TO_INT (in_list))
    g_signal_handlers_disconnect_by_func (self->network_row, on_network_selected, item);
}

static GtkListItemFactory *
network_factory_new (ThPreferencesWindow *self,
                     gboolean             in_list)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_object_set_data (G_OBJECT (factory), "window", self);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_network_item),
                    GINT_TO_POINTER (in_list));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_network_item),
                    GINT_TO_POINTER (in_list));
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_network_item),
                    GINT_TO_POINTER (in_list));
  return factory;
}

/* AdwPreferencesWindow's search entry has no name of its own in libadwaita 1.2. */
static void
name_search_entries (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_SEARCH_ENTRY (child))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _("Search Preferences"), -1);
      else
        name_search_entries (child);
    }
}

static void
th_preferences_window_dispose (GObject *object)
{
  ThPreferencesWindow *self = TH_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->sync_summary, g_free);

  G_OBJECT_CLASS (th_preferences_window_parent_class)->dispose (object);
}

static void
th_preferences_window_class_init (ThPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = th_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/th-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ThPreferencesWindow, network_row);
  gtk_widget_class_bind_template_child (widget_class, ThPreferencesWindow, trust_store_row);
  gtk_widget_class_bind_template_child (widget_class, ThPreferencesWindow, sync_spinner);
  gtk_widget_class_bind_template_child (widget_class, ThPreferencesWindow, development_list);
  gtk_widget_class_install_action (widget_class, "preferences.sync", NULL, sync_action);
  gtk_widget_class_install_action (widget_class, "preferences.import", NULL, import_action);
}

static void
th_preferences_window_init (ThPreferencesWindow *self)
{
  GtkListItemFactory *factory;
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));

  name_search_entries (GTK_WIDGET (self));
  factory = network_factory_new (self, FALSE);
  adw_combo_row_set_factory (self->network_row, factory);
  g_object_unref (factory);
  factory = network_factory_new (self, TRUE);
  adw_combo_row_set_list_factory (self->network_row, factory);
  g_object_unref (factory);

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new ("io.github.threshold.Threshold");
  g_settings_bind_with_mapping (self->settings, "dcl-network", self->network_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, network_to_row, row_to_network, NULL,
                                NULL);

  placeholder = gtk_label_new (_("No certificates imported"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->development_list, placeholder);
  adw_action_row_set_subtitle (self->trust_store_row, _("Reading the trust store…"));
  refresh (self);
}

ThPreferencesWindow *
th_preferences_window_new (ThApplication *application,
                           GtkWindow     *parent)
{
  return g_object_new (TH_TYPE_PREFERENCES_WINDOW,
                       "application", application,
                       "transient-for", parent,
                       NULL);
}
