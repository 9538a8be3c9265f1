/* th-node-page.c: one device of the home: identify, rename, share, remove
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "commissioning/th-node-admin.h"
#include "th-application.h"
#include "th-device-row.h"
#include "th-node-page.h"
#include "th-qr-image.h"
#include "th-window.h"

/* How long a shared code works: long enough to fetch another phone and type it in. */
#define SHARE_SECONDS 600
/* Pixels per QR module: a phone's camera reads it from across a desk. */
#define QR_MODULE_PX 6
/* How often the page asks whether the window is still open (another app may have used it). */
#define WINDOW_POLL_SECONDS 5

typedef void (*Operation) (ThNodePage *self);

struct _ThNodePage
{
  AdwBin parent_instance;

  AdwWindowTitle *window_title;
  AdwEntryRow *name_row;
  AdwActionRow *product_row;
  AdwActionRow *vendor_row;
  AdwActionRow *node_row;
  GtkWidget *identify_button;
  GtkStack *share_stack;
  GtkWidget *share_button;
  GtkPicture *qr_picture;
  GtkLabel *manual_label;
  AdwActionRow *time_row;
  GtkWidget *stop_button;
  GtkWidget *remove_button;

  ThStore *store;
  ThStoredNode *node;
  char *name;
  GCancellable *cancellable;
  ThNodeConnection *connection;
  Operation operation;        /* the action that waits for the session, or runs */
  char *new_label;
  ThCommissioningWindow *window;
  guint countdown_source;
  guint ticks;
  gboolean polling;
  gboolean laid_out_once;     /* scroll_to_share has seen a frame since the code was shown */
};

G_DEFINE_FINAL_TYPE (ThNodePage, th_node_page, ADW_TYPE_BIN)

static void remove_node (ThNodePage   *self);
static void ask_forget  (ThNodePage   *self,
                         const GError *error);

static void
toast (ThNodePage *self,
       const char *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (TH_IS_WINDOW (root))
    th_window_add_toast (TH_WINDOW (root), adw_toast_new (message));
}

static void
set_busy (ThNodePage *self,
          gboolean    busy)
{
  /* The name entry stays usable: taking the focus from it as it applies loses its focus-out;
   * a second apply meanwhile is ignored. */
  GtkWidget *controls[] = {
    self->identify_button, self->share_button, self->stop_button, self->remove_button,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (controls); i++)
    gtk_widget_set_sensitive (controls[i], !busy);
}

static void
show_name (ThNodePage *self)
{
  g_free (self->name);
  self->name = th_node_display_name (self->node);
  adw_window_title_set_title (self->window_title, self->name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  self->name, -1);
}

static void
drop_connection (ThNodePage *self)
{
  if (self->connection != NULL)
    th_node_connection_close (self->connection);
  g_clear_object (&self->connection);
}

/* The end of an action: a failure is told in a toast, and the session is opened anew for the
 * next one, as the node may have gone or restarted. */
static void
finish (ThNodePage   *self,
        const GError *error)
{
  self->operation = NULL;
  set_busy (self, FALSE);
  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  toast (self, error->message);
  drop_connection (self);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ThNodePage) self = user_data;
  g_autoptr(GError) error = NULL;
  Operation operation = self->operation;

  self->connection = th_node_connection_open_finish (result, &error);
  if (self->connection == NULL)
    {
      /* Removal has its own answer to a node that cannot be reached. */
      if (operation == remove_node && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ask_forget (self, error);
      else
        finish (self, error);
      return;
    }
  operation (self);
}

/* Runs `operation` once a session with the node is open. */
static void
run (ThNodePage *self,
     Operation   operation)
{
  if (self->operation != NULL)
    return;
  self->operation = operation;
  set_busy (self, TRUE);
  /* The node may have ended the session since (it restarted, or needed the room). */
  if (self->connection != NULL && !th_node_connection_is_open (self->connection))
    drop_connection (self);
  if (self->connection != NULL)
    {
      operation (self);
      return;
    }
  th_node_connection_open_async (self->store, self->node->node_id, NULL,
                                 TH_NODE_CONNECTION_RESOLVE_TIMEOUT_MS, self->cancellable,
                                 on_connected, g_object_ref (self));
}

/* ---- identify ---- */

static void
on_identified (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ThNodePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (th_node_identify_finish (TH_NODE_CONNECTION (source), result, NULL, &error))
    {
      g_autofree char *message = g_strdup_printf (_("“%s” shows itself for %d seconds"),
                                                  self->name, TH_NODE_IDENTIFY_SECONDS);

      toast (self, message);
    }
  finish (self, error);
}

static void
identify (ThNodePage *self)
{
  th_node_identify_async (self->connection, TH_NODE_IDENTIFY_SECONDS, self->cancellable,
                          on_identified, g_object_ref (self));
}

static void
on_identify_clicked (ThNodePage *self)
{
  run (self, identify);
}

/* ---- rename ---- */

static void
on_renamed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ThNodePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (th_node_set_label_finish (TH_NODE_CONNECTION (source), result, &error))
    {
      g_autofree char *message = NULL;

      g_free (self->node->node_label);
      self->node->node_label = g_steal_pointer (&self->new_label);
      show_name (self);
      message = g_strdup_printf (_("Renamed to “%s”"), self->name);
      toast (self, message);
      th_application_notify_nodes_changed (TH_APPLICATION (g_application_get_default ()));
    }
  finish (self, error);
}

static void
rename_node (ThNodePage *self)
{
  th_node_set_label_async (self->connection, self->store, self->new_label, self->cancellable,
                           on_renamed, g_object_ref (self));
}

static void
on_name_apply (ThNodePage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autoptr(GError) error = NULL;

  if (self->operation != NULL)
    return;
  if (!th_node_label_validate (text, &error))
    {
      toast (self, error->message);
      return;
    }
  g_free (self->new_label);
  self->new_label = g_strdup (text);
  run (self, rename_node);
}

/* ---- share ---- */

static void
close_share (ThNodePage *self)
{
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  g_clear_pointer (&self->window, th_commissioning_window_free);
  gtk_picture_set_paintable (self->qr_picture, NULL);
  gtk_label_set_text (self->manual_label, "");
  gtk_stack_set_visible_child_name (self->share_stack, "closed");
}

static void
on_window_status (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ThNodePage) self = user_data;
  g_autoptr(GError) error = NULL;
  ThWindowStatus status;

  self->polling = FALSE;
  if (!th_node_read_window_status_finish (TH_NODE_CONNECTION (source), result, &status,
                                          &error))
    {
      /* The code still works until its time is up; the next poll asks again. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("The commissioning window status was not read: %s", error->message);
      return;
    }
  if (self->window != NULL && status == TH_WINDOW_STATUS_NOT_OPEN)
    {
      g_autofree char *message = g_strdup_printf (_("The code for “%s” has been used or "
                                                    "closed"), self->name);

      close_share (self);
      toast (self, message);
    }
}

static void
show_time_left (ThNodePage *self)
{
  gint64 left = (self->window->expires_at - g_get_real_time ()) / G_USEC_PER_SEC;
  g_autofree char *text = NULL;

  if (left < 0)
    left = 0;
  /* Translators: minutes and seconds left, e.g. "9:59" */
  text = g_strdup_printf (_("%d:%02d"), (int) (left / 60), (int) (left % 60));
  adw_action_row_set_subtitle (self->time_row, text);
}

static gboolean
on_countdown (gpointer user_data)
{
  ThNodePage *self = user_data;

  if (g_get_real_time () >= self->window->expires_at)
    {
      self->countdown_source = 0;
      close_share (self);
      toast (self, _("The sharing code has expired"));
      return G_SOURCE_REMOVE;
    }
  show_time_left (self);
  if (++self->ticks % WINDOW_POLL_SECONDS == 0 && self->operation == NULL && !self->polling
      && self->connection != NULL)
    {
      self->polling = TRUE;
      th_node_read_window_status_async (self->connection, self->cancellable, on_window_status,
                                        g_object_ref (self));
    }
  return G_SOURCE_CONTINUE;
}

/* Once the code has its place on the page, the page scrolls to show it whole. Tick callbacks
 * run before the layout of their frame: the first one still sees the button in its place. */
static gboolean
scroll_to_share (GtkWidget     *widget,
                 GdkFrameClock *clock,
                 gpointer       user_data)
{
  ThNodePage *self = TH_NODE_PAGE (widget);
  GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (self->share_stack),
                                                 GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  graphene_point_t top;

  if (!self->laid_out_once)
    {
      self->laid_out_once = TRUE;
      return G_SOURCE_CONTINUE;
    }
  if (gtk_widget_compute_point (GTK_WIDGET (self->share_stack), content,
                                &GRAPHENE_POINT_INIT (0, 0), &top))
    gtk_adjustment_clamp_page (adjustment, top.y,
                               top.y + gtk_widget_get_height (GTK_WIDGET (self->share_stack)));
  return G_SOURCE_REMOVE;
}

static void
show_share (ThNodePage *self)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  char *manual = th_manual_code_format (self->window->manual_code);
  g_autofree char *description = NULL;

  texture = th_qr_image_new (self->window->qr_text, QR_MODULE_PX, &error);
  if (texture == NULL)
    g_warning ("%s", error->message);
  gtk_picture_set_paintable (self->qr_picture, GDK_PAINTABLE (texture));
  description = g_strdup_printf (_("QR code to add “%s” to another app; its manual code is "
                                   "shown below"), self->name);
  gtk_picture_set_alternative_text (self->qr_picture, description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->qr_picture),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Sharing QR Code"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
  gtk_label_set_text (self->manual_label, manual);
  explicit_bzero (manual, strlen (manual));
  g_free (manual);
  self->ticks = 0;
  show_time_left (self);
  self->countdown_source = g_timeout_add_seconds (1, on_countdown, self);
  gtk_stack_set_visible_child_name (self->share_stack, "open");
  self->laid_out_once = FALSE;
  gtk_widget_add_tick_callback (GTK_WIDGET (self), scroll_to_share, NULL, NULL);
}

static void
on_shared (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ThNodePage) self = user_data;
  g_autoptr(GError) error = NULL;

  self->window = th_node_open_commissioning_window_finish (TH_NODE_CONNECTION (source), result,
                                                           &error);
  if (self->window != NULL)
    show_share (self);
  finish (self, error);
  if (self->window != NULL)
    gtk_widget_grab_focus (self->stop_button);
}

static void
share (ThNodePage *self)
{
  th_node_open_commissioning_window_async (self->connection, SHARE_SECONDS, self->cancellable,
                                           on_shared, g_object_ref (self));
}

static void
on_share_clicked (ThNodePage *self)
{
  run (self, share);
}

static void
on_copy_clicked (ThNodePage *self)
{
  if (self->window == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)),
                          self->window->manual_code);
  toast (self, _("Manual code copied"));
}

static void
on_revoked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ThNodePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (th_node_revoke_commissioning_finish (TH_NODE_CONNECTION (source), result, &error))
    {
      close_share (self);
      toast (self, _("Sharing stopped: the code no longer works"));
    }
  finish (self, error);
}

static void
stop_sharing (ThNodePage *self)
{
  th_node_revoke_commissioning_async (self->connection, self->cancellable, on_revoked,
                                      g_object_ref (self));
}

static void
on_stop_clicked (ThNodePage *self)
{
  run (self, stop_sharing);
}

/* ---- remove ---- */

static void
leave_page (ThNodePage *self,
            const char *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  toast (self, message);
  th_application_notify_nodes_changed (TH_APPLICATION (g_application_get_default ()));
  if (TH_IS_WINDOW (root) && th_window_get_top_page (TH_WINDOW (root)) == GTK_WIDGET (self))
    th_window_pop_page (TH_WINDOW (root));
}

static void
on_forget_response (ThNodePage *self,
                    const char *response)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!g_str_equal (response, "forget"))
    return;
  if (!th_store_remove_node (self->store, self->node->node_id, &error))
    {
      toast (self, error->message);
      return;
    }
  message = g_strdup_printf (_("“%s” is forgotten; reset it before adding it again"),
                             self->name);
  leave_page (self, message);
}

/* The node did not confirm that it left: forgetting it is the person's choice. */
static void
ask_forget (ThNodePage   *self,
            const GError *error)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *heading = g_strdup_printf (_("Forget “%s”?"), self->name);
  g_autofree char *body = g_strdup_printf (_("The device could not be removed: %s\n\nThis "
                                             "home can forget it anyway. The device then "
                                             "still believes it belongs to this home until "
                                             "it is reset to its factory settings."),
                                           error->message);
  AdwMessageDialog *dialog;

  finish (self, NULL);
  drop_connection (self);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                            : NULL,
                                                       heading, body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Keep"), "forget", _("_Forget"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "forget", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_forget_response), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ThNodePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!th_node_remove_finish (TH_NODE_CONNECTION (source), result, &error))
    {
      g_debug ("Node %" G_GUINT64_FORMAT " was not removed: %s", self->node->node_id,
               error->message);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        finish (self, error);
      else
        ask_forget (self, error);
      return;
    }
  finish (self, NULL);
  drop_connection (self);
  message = g_strdup_printf (_("“%s” has been removed"), self->name);
  leave_page (self, message);
}

static void
remove_node (ThNodePage *self)
{
  th_node_remove_async (self->connection, self->store, self->cancellable, on_removed,
                        g_object_ref (self));
}

static void
on_remove_response (ThNodePage *self,
                    const char *response)
{
  if (!g_str_equal (response, "remove"))
    return;
  run (self, remove_node);
}

static void
on_remove_clicked (ThNodePage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *heading = g_strdup_printf (_("Remove “%s”?"), self->name);
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
    GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
    _("The device leaves this home: it forgets the home’s credentials, and this computer can "
      "no longer switch or share it. Other apps it was shared with keep it. To add it again, "
      "you need its setup code.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_back_clicked (ThNodePage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (TH_IS_WINDOW (root))
    th_window_pop_page (TH_WINDOW (root));
}

static void
th_node_page_dispose (GObject *object)
{
  ThNodePage *self = TH_NODE_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  drop_connection (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), TH_TYPE_NODE_PAGE);

  G_OBJECT_CLASS (th_node_page_parent_class)->dispose (object);
}

static void
th_node_page_finalize (GObject *object)
{
  ThNodePage *self = TH_NODE_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->window, th_commissioning_window_free);
  g_clear_pointer (&self->node, th_stored_node_free);
  g_free (self->name);
  g_free (self->new_label);

  G_OBJECT_CLASS (th_node_page_parent_class)->finalize (object);
}

static void
th_node_page_class_init (ThNodePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = th_node_page_dispose;
  object_class->finalize = th_node_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/th-node-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ThNodePage, window_title);
  gtk_widget_class_bind_template_child (widget_class, ThNodePage, name_row);
  gtk_widget_class_bind_template_child (widget_class, ThNodePage, product_row);
  gtk_widget_class_bind_template_child (widget_class, ThNodePage, vendor_row);
  gtk_widget_class_bind_template_child (widget_class, ThNodePage, node_row);
  gtk_widget_class_bind_template_child (widget_class, ThNodePage, identify_button);
  gtk_widget_class_bind_template_child (widget_class, ThNodePage, share_stack);
  gtk_widget_class_bind_template_child (widget_class, ThNodePage, share_button);
  gtk_widget_class_bind_template_child (widget_class, ThNodePage, qr_picture);
  gtk_widget_class_bind_template_child (widget_class, ThNodePage, manual_label);
  gtk_widget_class_bind_template_child (widget_class, ThNodePage, time_row);
  gtk_widget_class_bind_template_child (widget_class, ThNodePage, stop_button);
  gtk_widget_class_bind_template_child (widget_class, ThNodePage, remove_button);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_name_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_identify_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_share_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_remove_clicked);
}

static void
th_node_page_init (ThNodePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
th_node_page_new (ThStore            *store,
                  const ThStoredNode *node)
{
  ThNodePage *self;
  g_autofree char *node_text = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (node != NULL, NULL);

  self = g_object_new (TH_TYPE_NODE_PAGE, NULL);
  self->store = store;
  self->node = th_stored_node_copy (node);
  show_name (self);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row),
                         node->node_label != NULL ? node->node_label : "");
  adw_action_row_set_subtitle (self->product_row,
                               node->product_name != NULL ? node->product_name : "");
  adw_action_row_set_subtitle (self->vendor_row,
                               node->vendor_name != NULL ? node->vendor_name : "");
  node_text = g_strdup_printf ("%" G_GUINT64_FORMAT, node->node_id);
  adw_action_row_set_subtitle (self->node_row, node_text);
  return GTK_WIDGET (self);
}
