/* th-devices-page.c: My Devices, the home's nodes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "th-application.h"
#include "th-device-row.h"
#include "th-devices-page.h"
#include "th-focus.h"
#include "th-node-page.h"
#include "th-window.h"

struct _ThDevicesPage
{
  AdwBin parent_instance;

  GtkStack *stack;
  GtkListBox *list;
  AdwStatusPage *error_page;

  gboolean watching;
  gboolean stale;             /* the nodes changed while the page was not shown */
};

G_DEFINE_FINAL_TYPE (ThDevicesPage, th_devices_page, ADW_TYPE_BIN)

static ThApplication *
get_application (void)
{
  return TH_APPLICATION (g_application_get_default ());
}

static void
reload (ThDevicesPage *self)
{
  ThStore *store = th_application_get_store (get_application ());
  g_autoptr(GPtrArray) nodes = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  self->stale = FALSE;
  /* Rows removed end their sessions with their nodes. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  nodes = th_store_list_nodes (store, &error);
  if (nodes == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  for (guint i = 0; i < nodes->len; i++)
    gtk_list_box_append (self->list, th_device_row_new (store, g_ptr_array_index (nodes, i)));
  gtk_stack_set_visible_child_name (self->stack, nodes->len > 0 ? "list" : "empty");
}

static void
on_nodes_changed (ThDevicesPage *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    reload (self);
  else
    self->stale = TRUE;
}

static void
th_devices_page_map (GtkWidget *widget)
{
  ThDevicesPage *self = TH_DEVICES_PAGE (widget);

  GTK_WIDGET_CLASS (th_devices_page_parent_class)->map (widget);

  if (!self->watching)
    {
      self->watching = TRUE;
      self->stale = TRUE;
      g_signal_connect_object (get_application (), "nodes-changed",
                               G_CALLBACK (on_nodes_changed), self, G_CONNECT_SWAPPED);
    }
  if (self->stale)
    reload (self);
}

static void
on_row_activated (ThDevicesPage *self,
                  GtkListBoxRow *row)
{
  ThWindow *window = TH_WINDOW (gtk_widget_get_root (GTK_WIDGET (self)));
  const ThStoredNode *node = th_device_row_get_node (TH_DEVICE_ROW (row));

  th_window_push_page (window, th_node_page_new (th_application_get_store (get_application ()),
                                                 node));
}

static void
on_add_clicked (ThDevicesPage *self)
{
  th_window_show_view (TH_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), "add");
}

static void
th_devices_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TH_TYPE_DEVICES_PAGE);

  G_OBJECT_CLASS (th_devices_page_parent_class)->dispose (object);
}

static void
th_devices_page_class_init (ThDevicesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = th_devices_page_dispose;
  widget_class->map = th_devices_page_map;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/th-devices-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ThDevicesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ThDevicesPage, list);
  gtk_widget_class_bind_template_child (widget_class, ThDevicesPage, error_page);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_add_clicked);
}

static void
th_devices_page_init (ThDevicesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  th_focus_skip_empty_status_pages (GTK_WIDGET (self));
}
