/* th-device-row.c: one device of the home in the My Devices list, with its on/off switch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "commissioning/th-node-connection.h"
#include "th-device-row.h"

struct _ThDeviceRow
{
  AdwActionRow parent_instance;

  ThStore *store;
  ThStoredNode *node;
  GtkSwitch *power;           /* NULL for a node without On/Off */
  GCancellable *cancellable;
  ThNodeConnection *connection;
  gboolean busy;              /* a command or a read is under way */
  gboolean showing_state;     /* the switch is moved to show the node's state, not by a person */
  gboolean switch_when_connected;
};

G_DEFINE_FINAL_TYPE (ThDeviceRow, th_device_row, ADW_TYPE_ACTION_ROW)

char *
th_node_display_name (const ThStoredNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  if (node->node_label != NULL && *node->node_label != '\0')
    return g_strdup (node->node_label);
  if (node->product_name != NULL && *node->product_name != '\0')
    return g_strdup (node->product_name);
  /* Translators: the name of a device that has no name of its own, with its node number */
  return g_strdup_printf (_("Device %" G_GUINT64_FORMAT), node->node_id);
}

static void
set_status (ThDeviceRow *self,
            const char  *status)
{
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), status);
}

/* Ends the session with the node, if any; the next read or switch opens a new one. */
static void
drop_connection (ThDeviceRow *self)
{
  if (self->connection != NULL)
    th_node_connection_close (self->connection);
  g_clear_object (&self->connection);
}

static void
show_unreachable (ThDeviceRow  *self,
                  const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_debug ("Node %" G_GUINT64_FORMAT " did not answer: %s", self->node->node_id,
           error->message);
  self->busy = FALSE;
  set_status (self, _("Not reachable"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->power), error->message);
  /* The switch shows the last known state; a person may try again, which reconnects. */
  self->showing_state = TRUE;
  gtk_switch_set_active (self->power, gtk_switch_get_state (self->power));
  self->showing_state = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->power), TRUE);
  drop_connection (self);
}

static void
show_state (ThDeviceRow *self,
            gboolean     is_on)
{
  self->busy = FALSE;
  self->showing_state = TRUE;
  gtk_switch_set_state (self->power, is_on);
  gtk_switch_set_active (self->power, is_on);
  self->showing_state = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->power), TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->power), NULL);
  set_status (self, is_on ? _("On") : _("Off"));
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ThDeviceRow *self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean is_on;

  if (!th_node_connection_read_on_off_finish (TH_NODE_CONNECTION (source), result, &is_on,
                                              &error))
    {
      show_unreachable (self, error);
      g_object_unref (self);
      return;
    }
  show_state (self, is_on);
  g_object_unref (self);
}

static void
on_switched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ThDeviceRow *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!th_node_connection_on_off_finish (TH_NODE_CONNECTION (source), result, &error))
    {
      show_unreachable (self, error);
      g_object_unref (self);
      return;
    }
  /* What the device says it is now, rather than what it was asked to be. */
  th_node_connection_read_on_off_async (self->connection, self->cancellable, on_read, self);
}

static void
send_state (ThDeviceRow *self)
{
  ThOnOffCommand command = gtk_switch_get_active (self->power) ? TH_ON_OFF_ON : TH_ON_OFF_OFF;

  th_node_connection_on_off_async (self->connection, command, self->cancellable, on_switched,
                                   g_object_ref (self));
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ThDeviceRow *self = user_data;
  g_autoptr(GError) error = NULL;

  self->connection = th_node_connection_open_finish (result, &error);
  if (self->connection == NULL)
    {
      show_unreachable (self, error);
      g_object_unref (self);
      return;
    }
  if (self->switch_when_connected)
    {
      send_state (self);
      g_object_unref (self);
      return;
    }
  th_node_connection_read_on_off_async (self->connection, self->cancellable, on_read, self);
}

static void
connect_node (ThDeviceRow *self,
              gboolean     then_switch)
{
  self->busy = TRUE;
  set_status (self, _("Connecting…"));
  self->switch_when_connected = then_switch;
  th_node_connection_open_async (self->store, self->node->node_id, NULL,
                                 TH_NODE_CONNECTION_RESOLVE_TIMEOUT_MS, self->cancellable,
                                 on_connected, g_object_ref (self));
}

static gboolean
on_state_set (ThDeviceRow *self,
              gboolean     state)
{
  if (self->showing_state)
    return FALSE;
  /* The switch shows the request (active) until the device confirms it (state). */
  if (self->busy)
    return TRUE;
  self->busy = TRUE;
  /* The node may have ended the session since (it restarted, or needed the room). */
  if (self->connection != NULL && !th_node_connection_is_open (self->connection))
    drop_connection (self);
  if (self->connection == NULL)
    connect_node (self, TRUE);
  else
    send_state (self);
  return TRUE;
}

static void
th_device_row_dispose (GObject *object)
{
  ThDeviceRow *self = TH_DEVICE_ROW (object);

  g_cancellable_cancel (self->cancellable);
  drop_connection (self);

  G_OBJECT_CLASS (th_device_row_parent_class)->dispose (object);
}

static void
th_device_row_finalize (GObject *object)
{
  ThDeviceRow *self = TH_DEVICE_ROW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->node, th_stored_node_free);

  G_OBJECT_CLASS (th_device_row_parent_class)->finalize (object);
}

static void
th_device_row_class_init (ThDeviceRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = th_device_row_dispose;
  object_class->finalize = th_device_row_finalize;
}

static void
th_device_row_init (ThDeviceRow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), TRUE);
}

GtkWidget *
th_device_row_new (ThStore            *store,
                   const ThStoredNode *node)
{
  ThDeviceRow *self;
  g_autofree char *name = NULL;
  g_autofree char *markup = NULL;
  GtkWidget *arrow;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (node != NULL, NULL);

  self = g_object_new (TH_TYPE_DEVICE_ROW, NULL);
  self->store = store;
  self->node = th_stored_node_copy (node);

  name = th_node_display_name (node);
  markup = g_markup_escape_text (name, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), markup);

  if (node->on_off_endpoint != 0)
    {
      g_autofree char *label = g_strdup_printf (_("Switch %s On or Off"), name);

      self->power = GTK_SWITCH (gtk_switch_new ());
      gtk_widget_set_valign (GTK_WIDGET (self->power), GTK_ALIGN_CENTER);
      gtk_widget_set_sensitive (GTK_WIDGET (self->power), FALSE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->power),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      g_signal_connect_swapped (self->power, "state-set", G_CALLBACK (on_state_set), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->power));
      connect_node (self, FALSE);
    }
  else if (node->node_label != NULL && *node->node_label != '\0' && node->product_name != NULL)
    {
      set_status (self, node->product_name);
    }

  arrow = gtk_image_new_from_icon_name ("go-next-symbolic");
  gtk_accessible_update_state (GTK_ACCESSIBLE (arrow), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), arrow);
  return GTK_WIDGET (self);
}

const ThStoredNode *
th_device_row_get_node (ThDeviceRow *self)
{
  g_return_val_if_fail (TH_IS_DEVICE_ROW (self), NULL);

  return self->node;
}
