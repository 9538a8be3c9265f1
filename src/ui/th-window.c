/* th-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "th-add-device-page.h"
#include "th-devices-page.h"
#include "th-nearby-page.h"
#include "th-window.h"

struct _ThWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;

  AdwToastOverlay *toast_overlay;
  AdwLeaflet *leaflet;
  GtkWidget *root_page;
  AdwViewStack *view_stack;
  ThAddDevicePage *add_device_page;
  AdwBin *nearby_bin;
  AdwBin *devices_bin;

  guint drop_source;
};

G_DEFINE_FINAL_TYPE (ThWindow, th_window, ADW_TYPE_APPLICATION_WINDOW)

ThWindow *
th_window_new (ThApplication *application)
{
  return g_object_new (TH_TYPE_WINDOW, "application", application, NULL);
}

void
th_window_add_toast (ThWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (TH_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
th_window_push_page (ThWindow  *self,
                     GtkWidget *page)
{
  g_return_if_fail (TH_IS_WINDOW (self));
  g_return_if_fail (GTK_IS_WIDGET (page));

  adw_leaflet_append (self->leaflet, page);
  adw_leaflet_set_visible_child (self->leaflet, page);
}

void
th_window_pop_page (ThWindow *self)
{
  g_return_if_fail (TH_IS_WINDOW (self));

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

void
th_window_pop_to_root (ThWindow *self)
{
  g_return_if_fail (TH_IS_WINDOW (self));

  adw_leaflet_set_visible_child (self->leaflet, self->root_page);
}

GtkWidget *
th_window_get_top_page (ThWindow *self)
{
  GtkWidget *visible;

  g_return_val_if_fail (TH_IS_WINDOW (self), NULL);

  visible = adw_leaflet_get_visible_child (self->leaflet);
  return visible == self->root_page ? NULL : visible;
}

void
th_window_show_view (ThWindow   *self,
                     const char *name)
{
  g_return_if_fail (TH_IS_WINDOW (self));

  th_window_pop_to_root (self);
  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

/* The pages after the visible one are gone for good once the slide back has ended. */
static void
drop_hidden_pages (ThWindow *self)
{
  GtkWidget *child;

  if (adw_leaflet_get_child_transition_running (self->leaflet))
    return;
  /* The leaflet's GTK children are not only its pages, nor in the pages' order: the last
   * child is not always the last page, and removing it took the root page away. */
  while ((child = adw_leaflet_get_adjacent_child (self->leaflet,
                                                  ADW_NAVIGATION_DIRECTION_FORWARD)) != NULL)
    adw_leaflet_remove (self->leaflet, child);
}

static gboolean
drop_hidden_pages_cb (gpointer user_data)
{
  ThWindow *self = user_data;

  self->drop_source = 0;
  drop_hidden_pages (self);
  /* Back at the Add Device view, the code entry has the focus again, as at the start. */
  if (adw_leaflet_get_visible_child (self->leaflet) == self->root_page
      && g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "add") == 0)
    th_add_device_page_focus_code (self->add_device_page);
  return G_SOURCE_REMOVE;
}

/* Not at once: a transition also ends when another navigation cuts it short, and the
 * leaflet, still in the middle of that navigation, keeps the page it slides from. */
static void
drop_hidden_pages_soon (ThWindow *self)
{
  if (self->drop_source == 0)
    self->drop_source = g_idle_add (drop_hidden_pages_cb, self);
}

static void
on_transition_running (ThWindow *self)
{
  drop_hidden_pages_soon (self);
}

static void
on_visible_child (ThWindow *self)
{
  /* Without animations there is no transition to wait for. */
  if (!adw_get_enable_animations (GTK_WIDGET (self)))
    drop_hidden_pages_soon (self);
}

/* Nearby and My Devices are built when first shown: a person who only adds a device never
 * pays for them, and the window comes up sooner and smaller. */
static void
on_view_changed (ThWindow *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->view_stack);

  if (g_strcmp0 (name, "nearby") == 0 && adw_bin_get_child (self->nearby_bin) == NULL)
    adw_bin_set_child (self->nearby_bin, g_object_new (TH_TYPE_NEARBY_PAGE, NULL));
  else if (g_strcmp0 (name, "devices") == 0 && adw_bin_get_child (self->devices_bin) == NULL)
    adw_bin_set_child (self->devices_bin, g_object_new (TH_TYPE_DEVICES_PAGE, NULL));
}

/* Ctrl+O, from anywhere in the window: back to Add Device, and its photo chooser. */
static void
open_photo_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ThWindow *self = TH_WINDOW (widget);

  th_window_show_view (self, "add");
  gtk_widget_activate_action (GTK_WIDGET (self->add_device_page), "add-device.open-photo",
                              NULL);
}

static void
on_add_device_continue (ThWindow  *self,
                        GPtrArray *payloads)
{
  th_window_add_devices (self, payloads);
}

static void
save_window_state (ThWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
}

static gboolean
th_window_close_request (GtkWindow *window)
{
  save_window_state (TH_WINDOW (window));
  return GTK_WINDOW_CLASS (th_window_parent_class)->close_request (window);
}

/* Tells when the window was first drawn: the startup benchmark reads it
 * (G_MESSAGES_DEBUG=Threshold-ui). */
static void
on_first_frame (GdkFrameClock *clock,
                ThWindow      *self)
{
  g_signal_handlers_disconnect_by_func (clock, on_first_frame, self);
  g_debug ("First frame drawn at monotonic time %" G_GINT64_FORMAT " µs",
           g_get_monotonic_time ());
}

static void
th_window_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (th_window_parent_class)->realize (widget);
  g_signal_connect_object (gtk_widget_get_frame_clock (widget), "after-paint",
                           G_CALLBACK (on_first_frame), widget, 0);
}

static void
th_window_dispose (GObject *object)
{
  ThWindow *self = TH_WINDOW (object);

  g_clear_handle_id (&self->drop_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), TH_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (th_window_parent_class)->dispose (object);
}

static void
th_window_class_init (ThWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = th_window_dispose;
  widget_class->realize = th_window_realize;
  window_class->close_request = th_window_close_request;

  g_type_ensure (TH_TYPE_ADD_DEVICE_PAGE);

  gtk_widget_class_install_action (widget_class, "window.open-photo", NULL, open_photo_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "window.open-photo", NULL);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/th-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ThWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ThWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ThWindow, root_page);
  gtk_widget_class_bind_template_child (widget_class, ThWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, ThWindow, add_device_page);
  gtk_widget_class_bind_template_child (widget_class, ThWindow, nearby_bin);
  gtk_widget_class_bind_template_child (widget_class, ThWindow, devices_bin);
  gtk_widget_class_bind_template_callback (widget_class, on_transition_running);
  gtk_widget_class_bind_template_callback (widget_class, on_add_device_continue);
  gtk_widget_class_bind_template_callback (widget_class, on_view_changed);
}

static void
th_window_init (ThWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new ("io.github.threshold.Threshold");
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_signal_connect_object (self->leaflet, "notify::visible-child",
                           G_CALLBACK (on_visible_child), self, G_CONNECT_SWAPPED);

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  /* The code entry has the focus from the start: a person can type at once. */
  th_add_device_page_focus_code (self->add_device_page);
}
