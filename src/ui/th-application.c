/* th-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "credentials/th-trust.h"
#include "th-application.h"
#include "th-focus.h"
#include "th-preferences-window.h"
#include "threshold-resources.h"
#include "th-window.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

struct _ThApplication
{
  AdwApplication parent_instance;

  GSettings *settings;
  ThStore *store;
  ThDclClient *dcl_client;
  GFileMonitor *nodes_monitor;
  guint nodes_changed_source;
};

/* Writing one node's record is a few file events (a temporary file, a rename): they are told
 * as one change after this quiet time. */
#define NODES_SETTLE_MS 200

enum
{
  NODES_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ThApplication, th_application, ADW_TYPE_APPLICATION)

ThApplication *
th_application_new (void)
{
  return g_object_new (TH_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "resource-base-path", RESOURCE_PREFIX,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       NULL);
}

/* The main window; the Preferences window, when it is the active one, is not it. */
static GtkWindow *
get_or_create_window (ThApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window != NULL && TH_IS_WINDOW (window))
    return window;
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (TH_IS_WINDOW (l->data))
        return l->data;
    }
  return GTK_WINDOW (th_window_new (self));
}

ThStore *
th_application_get_store (ThApplication *self)
{
  g_return_val_if_fail (TH_IS_APPLICATION (self), NULL);

  if (self->store == NULL)
    self->store = th_store_new (NULL);
  return self->store;
}

ThDclClient *
th_application_get_dcl_client (ThApplication *self)
{
  g_return_val_if_fail (TH_IS_APPLICATION (self), NULL);

  if (self->dcl_client == NULL)
    self->dcl_client = th_dcl_client_new (NULL, NULL);
  return self->dcl_client;
}

ThCommissioner *
th_application_new_commissioner (ThApplication  *self,
                                 GError        **error)
{
  g_autoptr(ThPaaStore) paa_store = th_paa_store_new ();
  g_autoptr(ThCdSigners) cd_signers = th_cd_signers_new ();
  g_autoptr(ThRevocationSet) revocations = NULL;
  g_autoptr(GPtrArray) warnings = NULL;

  g_return_val_if_fail (TH_IS_APPLICATION (self), NULL);

  if (!th_trust_load_defaults_full (paa_store, cd_signers, &revocations, &warnings, error))
    return NULL;
  for (guint i = 0; warnings != NULL && i < warnings->len; i++)
    g_message ("Trust store: %s", ((GError *) g_ptr_array_index (warnings, i))->message);
  return th_commissioner_new (th_application_get_store (self), paa_store, cd_signers,
                              revocations);
}

void
th_application_notify_nodes_changed (ThApplication *self)
{
  g_return_if_fail (TH_IS_APPLICATION (self));

  g_clear_handle_id (&self->nodes_changed_source, g_source_remove);
  g_signal_emit (self, signals[NODES_CHANGED], 0);
}

static gboolean
on_nodes_settled (gpointer user_data)
{
  ThApplication *self = user_data;

  self->nodes_changed_source = 0;
  g_signal_emit (self, signals[NODES_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static void
on_nodes_directory_changed (ThApplication *self)
{
  g_clear_handle_id (&self->nodes_changed_source, g_source_remove);
  self->nodes_changed_source = g_timeout_add (NODES_SETTLE_MS, on_nodes_settled, self);
}

/* The nodes directory may not exist before the first device is added; the monitor watches
 * for it all the same. */
static void
watch_nodes (ThApplication *self)
{
  ThStore *store = th_application_get_store (self);
  g_autofree char *path = g_build_filename (th_store_get_directory (store), "nodes", NULL);
  g_autoptr(GFile) directory = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  self->nodes_monitor = g_file_monitor_directory (directory, G_FILE_MONITOR_WATCH_MOVES, NULL,
                                                  &error);
  if (self->nodes_monitor == NULL)
    {
      g_message ("Changes other programs make to the devices are not followed: %s",
                 error->message);
      return;
    }
  g_signal_connect_swapped (self->nodes_monitor, "changed",
                            G_CALLBACK (on_nodes_directory_changed), self);
}

/* Another ledger chosen: the next lookup goes there. Lookups under way finish with the client
 * they started with. */
static void
on_dcl_setting_changed (ThApplication *self)
{
  g_clear_object (&self->dcl_client);
}

static void
th_application_activate (GApplication *app)
{
  gtk_window_present (get_or_create_window (TH_APPLICATION (app)));
}

/* The desktop opens threshold:// URIs with the app: a manufacturer's setup page calling back. */
static void
th_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  ThWindow *window = TH_WINDOW (get_or_create_window (TH_APPLICATION (app)));

  gtk_window_present (GTK_WINDOW (window));
  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *uri = g_file_get_uri (files[i]);

      th_window_open_uri (window, uri);
    }
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *app = user_data;
  GList *windows = gtk_application_get_windows (app);

  /* Close windows so that they save their state before the application quits. */
  while (windows != NULL)
    {
      GtkWindow *window = windows->data;

      windows = windows->next;
      gtk_window_close (window);
    }
  g_application_quit (G_APPLICATION (app));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  ThApplication *self = user_data;
  const char *developers[] = { _("The Threshold developers"), NULL };
  GtkWindow *window;

  window = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                         "transient-for", get_or_create_window (self),
                         "modal", TRUE,
                         "application-name", _("Threshold"),
                         "application-icon", APPLICATION_ID,
                         "developer-name", _("The Threshold developers"),
                         "version", PACKAGE_VERSION,
                         "developers", developers,
                         "comments", _("Add Matter smart-home devices to your home"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         /* Translators: put your names here, one per line */
                         "translator-credits", _("translator-credits"),
                         NULL);
  th_focus_name_about_window (ADW_ABOUT_WINDOW (window));
  gtk_window_present (window);
}

static void
help_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  ThApplication *self = user_data;

  gtk_show_uri (get_or_create_window (self), "help:threshold", GDK_CURRENT_TIME);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  ThApplication *self = user_data;
  GtkWindow *parent;

  /* one Preferences window: asked again, the open one comes forward */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (TH_IS_PREFERENCES_WINDOW (l->data))
        {
          gtk_window_present (l->data);
          return;
        }
    }
  parent = get_or_create_window (self);
  gtk_window_present (GTK_WINDOW (th_preferences_window_new (self, parent)));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "preferences", preferences_action },
  { "about", about_action },
  { "help", help_action },
};

static void
th_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *help_accels[] = { "F1", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  ThApplication *self = TH_APPLICATION (app);

  G_APPLICATION_CLASS (th_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.help", help_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences",
                                         preferences_accels);
  /* Only X11 window managers read a window's icon; GTK draws it from the theme for every
   * window it realizes, and on Wayland that would load an SVG renderer (some 8 MB) for
   * nothing: the shell takes the icon from the desktop file. */
#ifdef GDK_WINDOWING_X11
  if (GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    gtk_window_set_default_icon_name (APPLICATION_ID);
#endif

  self->settings = g_settings_new ("io.github.threshold.Threshold");
  g_signal_connect_swapped (self->settings, "changed::dcl-network",
                            G_CALLBACK (on_dcl_setting_changed), self);
  g_signal_connect_swapped (self->settings, "changed::dcl-url-override",
                            G_CALLBACK (on_dcl_setting_changed), self);
  watch_nodes (self);
}

static void
th_application_shutdown (GApplication *app)
{
  ThApplication *self = TH_APPLICATION (app);

  G_APPLICATION_CLASS (th_application_parent_class)->shutdown (app);

  g_clear_handle_id (&self->nodes_changed_source, g_source_remove);
  if (self->nodes_monitor != NULL)
    g_file_monitor_cancel (self->nodes_monitor);
  g_clear_object (&self->nodes_monitor);
  g_clear_object (&self->settings);
  g_clear_object (&self->dcl_client);
  g_clear_pointer (&self->store, th_store_free);
}

static void
th_application_class_init (ThApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = th_application_activate;
  app_class->startup = th_application_startup;
  app_class->shutdown = th_application_shutdown;
  app_class->open = th_application_open;

  /* The home's nodes changed: one was added, renamed or removed, here or elsewhere. */
  signals[NODES_CHANGED] = g_signal_new ("nodes-changed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                         0);

  /* Referencing the bundle keeps it, and its registration, in the link of the static library. */
  (void) threshold_get_resource ();
}

static void
th_application_init (ThApplication *self)
{
}
