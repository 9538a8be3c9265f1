/* th-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "th-application.h"
#include "threshold-resources.h"
#include "th-window.h"

struct _ThApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (ThApplication, th_application, ADW_TYPE_APPLICATION)

ThApplication *
th_application_new (void)
{
  return g_object_new (TH_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "resource-base-path", RESOURCE_PREFIX,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

static GtkWindow *
get_or_create_window (ThApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (th_window_new (self));
  return window;
}

static void
th_application_activate (GApplication *app)
{
  gtk_window_present (get_or_create_window (TH_APPLICATION (app)));
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

  adw_show_about_window (get_or_create_window (self),
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
}

static void
help_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  ThApplication *self = user_data;

  gtk_show_uri (get_or_create_window (self), "help:threshold", GDK_CURRENT_TIME);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
  { "help", help_action },
};

static void
th_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *help_accels[] = { "F1", NULL };

  G_APPLICATION_CLASS (th_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.help", help_accels);
  gtk_window_set_default_icon_name (APPLICATION_ID);
}

static void
th_application_class_init (ThApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = th_application_activate;
  app_class->startup = th_application_startup;

  /* Referencing the bundle keeps it, and its registration, in the link of the static library. */
  (void) threshold_get_resource ();
}

static void
th_application_init (ThApplication *self)
{
}
