/* th-progress-page.c: adding devices, stage by stage, to an outcome
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "th-attestation-dialog.h"
#include "th-error.h"
#include "th-network-dialog.h"
#include "th-progress-page.h"
#include "th-focus.h"
#include "th-window.h"

typedef enum
{
  STEP_PENDING,
  STEP_CURRENT,
  STEP_DONE,
  STEP_SKIPPED,
  STEP_FAILED,
} StepState;

struct _ThProgressPage
{
  AdwBin parent_instance;

  AdwWindowTitle *window_title;
  GtkStack *state_stack;
  GtkLabel *device_label;
  GtkLabel *stage_label;
  GtkProgressBar *progress_bar;
  GtkLabel *elapsed_label;
  GtkListBox *stage_list;
  GtkWidget *cancel_button;
  AdwStatusPage *failed_page;
  AdwStatusPage *done_page;

  AdwActionRow *stage_rows[TH_COMMISSIONING_N_STAGES];
  GtkImage *stage_icons[TH_COMMISSIONING_N_STAGES];
  StepState stage_states[TH_COMMISSIONING_N_STAGES];

  GPtrArray *payloads;        /* ThSetupPayload */
  GSocketAddress *address;
  ThCommissioner *commissioner;
  GCancellable *cancellable;  /* of the device under way; NULL between devices */
  guint device;               /* the index in payloads of the device under way */
  GPtrArray *added;           /* the names of the devices added, in order */
  gint64 started_us;
  guint elapsed_source;
  AdwMessageDialog *attestation_dialog;
  ThNetworkDialog *network_dialog;
};

G_DEFINE_FINAL_TYPE (ThProgressPage, th_progress_page, ADW_TYPE_BIN)

static void commission_next (ThProgressPage *self);

static ThWindow *
get_window (ThProgressPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return TH_IS_WINDOW (root) ? TH_WINDOW (root) : NULL;
}

/* What the page shows, for screen readers: hidden stack pages stay in the accessible tree in
 * GTK 4.8, so the page says which one is up. */
static void
show_state (ThProgressPage *self,
            const char     *name,
            const char     *description)
{
  gtk_stack_set_visible_child_name (self->state_stack, name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description, -1);
}

/* ---- The list of stages ---- */

static void
set_step (ThProgressPage       *self,
          ThCommissioningStage  stage,
          StepState             state)
{
  static const struct { const char *icon; const char *words; } looks[] = {
    [STEP_PENDING] = { "content-loading-symbolic", N_("Waiting") },
    [STEP_CURRENT] = { "media-playback-start-symbolic", N_("In progress") },
    [STEP_DONE] = { "object-select-symbolic", N_("Done") },
    [STEP_SKIPPED] = { "radio-symbolic", N_("Not needed for this device") },
    [STEP_FAILED] = { "dialog-error-symbolic", N_("Failed") },
  };
  GtkWidget *row = GTK_WIDGET (self->stage_rows[stage]);

  self->stage_states[stage] = state;
  gtk_image_set_from_icon_name (self->stage_icons[stage], looks[state].icon);
  adw_action_row_set_subtitle (self->stage_rows[stage], _(looks[state].words));
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _(looks[state].words), -1);
  gtk_widget_set_opacity (GTK_WIDGET (self->stage_icons[stage]),
                          state == STEP_PENDING || state == STEP_SKIPPED ? 0.5 : 1.0);
}

/* Every stage before `stage` has ended: done if it ran, else it was not needed. */
static void
steps_reach (ThProgressPage       *self,
             ThCommissioningStage  stage)
{
  for (ThCommissioningStage s = 0; s < stage; s++)
    if (self->stage_states[s] == STEP_CURRENT)
      set_step (self, s, STEP_DONE);
    else if (self->stage_states[s] == STEP_PENDING)
      set_step (self, s, STEP_SKIPPED);
}

static void
build_steps (ThProgressPage *self)
{
  for (ThCommissioningStage stage = 0; stage < TH_COMMISSIONING_N_STAGES; stage++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     th_commissioning_stage_describe (stage));
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      "", -1);
      gtk_widget_set_visible (icon, TRUE);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_append (self->stage_list, row);
      self->stage_rows[stage] = ADW_ACTION_ROW (row);
      self->stage_icons[stage] = GTK_IMAGE (icon);
    }
}

static void
reset_steps (ThProgressPage *self)
{
  for (ThCommissioningStage stage = 0; stage < TH_COMMISSIONING_N_STAGES; stage++)
    set_step (self, stage, STEP_PENDING);
}

/* ---- Time ---- */

static void
show_elapsed (ThProgressPage *self)
{
  gint64 seconds = (g_get_monotonic_time () - self->started_us) / G_USEC_PER_SEC;
  g_autofree char *text = NULL;

  /* Translators: the time since adding the device began, in minutes and seconds */
  text = g_strdup_printf (_("Elapsed time %d:%02d"), (int) (seconds / 60), (int) (seconds % 60));
  gtk_label_set_text (self->elapsed_label, text);
}

static gboolean
on_second (gpointer user_data)
{
  show_elapsed (user_data);
  return G_SOURCE_CONTINUE;
}

static void
stop_clock (ThProgressPage *self)
{
  g_clear_handle_id (&self->elapsed_source, g_source_remove);
}

/* ---- What to do about an error ---- */

static const char *
remedy_for (const GError *error)
{
  if (error->domain != TH_ERROR)
    return _("Reset the device to its factory settings, put it in pairing mode, and try "
             "again.");

  switch ((ThError) error->code)
    {
    case TH_ERROR_PASE_WRONG_PASSCODE:
      return _("Check the code on the device or its box, type it again, and try again.");
    case TH_ERROR_DNSSD_NOT_FOUND:
    case TH_ERROR_BLE_NOT_FOUND:
      return _("Make sure the device is switched on, in pairing mode and on the same network "
               "as this computer, then try again.");
    case TH_ERROR_DNSSD_NOT_IN_COMMISSIONING_MODE:
      return _("The device is no longer in pairing mode. Put it in pairing mode again, as its "
               "manual says, then try again.");
    case TH_ERROR_DNSSD_UNAVAILABLE:
    case TH_ERROR_DNSSD_FAILED:
      return _("Devices are found with the Avahi service, which is not working. Start "
               "avahi-daemon, then try again.");
    case TH_ERROR_TIMED_OUT:
    case TH_ERROR_SESSION_CLOSED:
      return _("The device stopped answering. Keep it switched on and close to this "
               "computer's network, then try again.");
    case TH_ERROR_TRANSPORT:
    case TH_ERROR_ADDRESS:
      return _("The network could not reach the device. Check this computer's network "
               "connection, then try again.");
    case TH_ERROR_NETWORK_NOT_FOUND:
      return _("Check the network’s name, and that the device is within reach of it, then try "
               "again.");
    case TH_ERROR_NETWORK_AUTH_FAILED:
      return _("Check the network’s password, then try again.");
    case TH_ERROR_NETWORK_CREDENTIALS_NEEDED:
      return _("The device needs to know which network to join. Try again and choose it.");
    case TH_ERROR_NETWORK_KIND:
    case TH_ERROR_NETWORK_FAILED:
      return _("Check the network’s details, and that the device is within reach of it, then "
               "try again.");
    case TH_ERROR_BUSY:
      return _("The device is busy with another setup. Wait a minute, then try again.");
    case TH_ERROR_ATTESTATION_REFUSED:
      return _("Try again and choose Add Anyway only if you trust where the device came "
               "from.");
    case TH_ERROR_STORE_IO:
    case TH_ERROR_STORE_CORRUPT:
    case TH_ERROR_STORE_NODE_EXISTS:
      return _("Threshold could not save the device. Check that the disk has free space, "
               "then try again.");
    case TH_ERROR_CASE_PROTOCOL:
    case TH_ERROR_CASE_WRONG_FABRIC:
    case TH_ERROR_CASE_WRONG_NODE:
    case TH_ERROR_CASE_BAD_SIGNATURE:
    case TH_ERROR_CASE_NO_SHARED_ROOT:
      return _("The device did not accept the home's credentials. Reset it to its factory "
               "settings, then try again.");
    case TH_ERROR_BLE_UNAVAILABLE:
    case TH_ERROR_BLE_NO_ADAPTER:
    case TH_ERROR_BLE_POWERED_OFF:
    case TH_ERROR_BLE_ACCESS_DENIED:
    case TH_ERROR_BLE_FAILED:
    case TH_ERROR_BLE_GATT:
      return _("Check that Bluetooth is switched on and the device is close, then try again.");
    default:
      return _("Reset the device to its factory settings, put it in pairing mode, and try "
               "again.");
    }
}

/* ---- The outcome ---- */

static void
show_failure (ThProgressPage *self,
              const GError   *error)
{
  ThCommissioningStage stage;
  g_autofree char *description = NULL;

  if (self->commissioner != NULL
      && th_commissioner_get_failed_stage (self->commissioner, &stage))
    set_step (self, stage, STEP_FAILED);
  description = g_strdup_printf ("%s\n\n%s", error->message, remedy_for (error));
  adw_status_page_set_title (self->failed_page,
                             self->payloads->len > 1
                             ? _("Could Not Add a Device")
                             : _("Could Not Add the Device"));
  adw_status_page_set_description (self->failed_page, description);
  show_state (self, "failed", description);
}

static void
show_done (ThProgressPage *self)
{
  g_autofree char *title = NULL;
  g_autofree char *toast = NULL;
  g_autofree char *names = NULL;
  ThWindow *window = get_window (self);

  /* The page's title is a heading; the toast a sentence. */
  if (self->added->len == 1)
    {
      const char *name = g_ptr_array_index (self->added, 0);

      /* Translators: a device's name, in a heading */
      title = g_strdup_printf (_("“%s” Was Added"), name);
      /* Translators: a device's name, in a notification */
      toast = g_strdup_printf (_("“%s” was added"), name);
    }
  else
    {
      title = g_strdup_printf (ngettext ("%u Device Was Added", "%u Devices Were Added",
                                         self->added->len), self->added->len);
      toast = g_strdup_printf (ngettext ("%u device was added", "%u devices were added",
                                         self->added->len), self->added->len);
      g_ptr_array_add (self->added, NULL);
      names = g_strjoinv ("\n", (char **) self->added->pdata);
      g_ptr_array_remove_index (self->added, self->added->len - 1);
    }
  adw_status_page_set_title (self->done_page, title);
  adw_status_page_set_description (self->done_page, names);
  adw_window_title_set_title (self->window_title, _("Done"));
  adw_window_title_set_subtitle (self->window_title, NULL);
  show_state (self, "done", title);
  if (window != NULL)
    th_window_add_toast (window, adw_toast_new (toast));
}

/* ---- One device ---- */

/* The questions asked while a device waits: gone with the commissioning they were for. */
static void
close_dialogs (ThProgressPage *self)
{
  if (self->attestation_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->attestation_dialog));
  g_clear_weak_pointer (&self->attestation_dialog);
  if (self->network_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->network_dialog));
  g_clear_weak_pointer (&self->network_dialog);
}

static void
on_commissioned (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ThProgressPage) self = user_data;
  g_autoptr(GError) error = NULL;
  ThStoredNode *node = th_commissioner_commission_finish (TH_COMMISSIONER (source), result,
                                                          &error);

  close_dialogs (self);
  stop_clock (self);
  g_clear_object (&self->cancellable);
  /* The page was closed meanwhile. */
  if (gtk_widget_get_root (GTK_WIDGET (self)) == NULL)
    {
      g_clear_pointer (&node, th_stored_node_free);
      return;
    }

  if (node == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_state (self, "cancelled", _("Adding Cancelled"));
      else
        show_failure (self, error);
      return;
    }

  steps_reach (self, TH_COMMISSIONING_N_STAGES);
  gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
  g_ptr_array_add (self->added, g_strdup (node->node_label != NULL && *node->node_label != '\0'
                                          ? node->node_label
                                          : node->product_name != NULL ? node->product_name
                                                                       : _("Device")));
  th_stored_node_free (node);
  self->device++;
  commission_next (self);
}

static void
on_stage_changed (ThCommissioner       *commissioner,
                  ThCommissioningStage  stage,
                  double                fraction,
                  ThProgressPage       *self)
{
  steps_reach (self, stage);
  set_step (self, stage, STEP_CURRENT);
  gtk_label_set_text (self->stage_label, th_commissioning_stage_describe (stage));
  gtk_progress_bar_set_fraction (self->progress_bar, fraction);
}

static void
on_attestation_response (AdwMessageDialog *dialog,
                         const char       *response,
                         ThProgressPage   *self)
{
  g_clear_weak_pointer (&self->attestation_dialog);
  th_commissioner_resolve_attestation (self->commissioner,
                                       g_strcmp0 (response, TH_ATTESTATION_DIALOG_ADD) == 0);
}

static void
on_attestation_failed (ThCommissioner      *commissioner,
                       ThAttestationResult *result,
                       ThProgressPage      *self)
{
  const ThSetupPayload *payload = g_ptr_array_index (self->payloads, self->device);
  ThWindow *window = get_window (self);
  ThApplication *application = window != NULL
    ? TH_APPLICATION (gtk_window_get_application (GTK_WINDOW (window))) : NULL;
  AdwMessageDialog *dialog;

  if (window == NULL)
    {
      th_commissioner_resolve_attestation (commissioner, FALSE);
      return;
    }
  dialog = th_attestation_dialog_new (GTK_WINDOW (window), result, payload->vendor_id,
                                      payload->product_id,
                                      application != NULL
                                      ? th_application_get_dcl_client (application) : NULL);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_attestation_response), self, 0);
  g_set_weak_pointer (&self->attestation_dialog, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_network_response (ThNetworkDialog *dialog,
                     const char      *response,
                     ThProgressPage  *self)
{
  g_autoptr(ThNetworkCredentials) credentials = NULL;

  if (g_strcmp0 (response, TH_NETWORK_DIALOG_CONNECT) == 0)
    credentials = th_network_dialog_get_credentials (dialog);
  g_clear_weak_pointer (&self->network_dialog);
  /* NULL: the person cancelled, and the device is let go. */
  th_commissioner_provide_network_credentials (self->commissioner, credentials);
}

static void
on_network_credentials_needed (ThCommissioner   *commissioner,
                               ThNetworkRequest *request,
                               ThProgressPage   *self)
{
  ThWindow *window = get_window (self);
  ThNetworkDialog *dialog;

  if (window == NULL)
    {
      th_commissioner_provide_network_credentials (commissioner, NULL);
      return;
    }
  dialog = th_network_dialog_new (GTK_WINDOW (window), request);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_network_response), self, 0);
  g_set_weak_pointer (&self->network_dialog, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
commission_next (ThProgressPage *self)
{
  g_autoptr(ThCommissioningOptions) options = th_commissioning_options_new ();
  const ThSetupPayload *payload;

  if (self->device >= self->payloads->len)
    {
      show_done (self);
      return;
    }
  payload = g_ptr_array_index (self->payloads, self->device);

  if (self->payloads->len > 1)
    {
      g_autofree char *text = g_strdup_printf (_("Device %u of %u"), self->device + 1,
                                               self->payloads->len);

      gtk_label_set_text (self->device_label, text);
      adw_window_title_set_subtitle (self->window_title, text);
    }
  else
    {
      gtk_label_set_text (self->device_label, _("Adding the Device"));
    }
  reset_steps (self);
  gtk_widget_set_sensitive (self->cancel_button, TRUE);
  gtk_label_set_text (self->stage_label, _("Starting…"));
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  show_state (self, "progress", _("Adding the device"));

  self->started_us = g_get_monotonic_time ();
  show_elapsed (self);
  stop_clock (self);
  self->elapsed_source = g_timeout_add_seconds (1, on_second, self);

  if (self->address != NULL)
    options->address = g_object_ref (self->address);
  /* A code that names Bluetooth LE and not the IP network is of a device yet to join a
   * network: it is reached over Bluetooth LE and given one. */
  else if (payload->has_capabilities && (payload->capabilities & TH_DISCOVERY_BLE) != 0
           && (payload->capabilities & TH_DISCOVERY_ON_NETWORK) == 0)
    options->ble = TRUE;
  self->cancellable = g_cancellable_new ();
  th_commissioner_commission_async (self->commissioner, payload, options, self->cancellable,
                                    on_commissioned, g_object_ref (self));
}

void
th_progress_page_start (ThProgressPage *self)
{
  g_autoptr(GError) error = NULL;
  ThWindow *window;

  g_return_if_fail (TH_IS_PROGRESS_PAGE (self));
  g_return_if_fail (self->commissioner == NULL);

  window = get_window (self);
  g_return_if_fail (window != NULL);

  self->commissioner = th_application_new_commissioner (
    TH_APPLICATION (gtk_window_get_application (GTK_WINDOW (window))), &error);
  if (self->commissioner == NULL)
    {
      show_failure (self, error);
      return;
    }
  g_signal_connect_object (self->commissioner, "stage-changed",
                           G_CALLBACK (on_stage_changed), self, 0);
  g_signal_connect_object (self->commissioner, "attestation-failed",
                           G_CALLBACK (on_attestation_failed), self, 0);
  g_signal_connect_object (self->commissioner, "network-credentials-needed",
                           G_CALLBACK (on_network_credentials_needed), self, 0);
  commission_next (self);
}

/* ---- Buttons ---- */

static void
on_cancel_clicked (ThProgressPage *self)
{
  if (self->cancellable == NULL)
    return;
  close_dialogs (self);
  gtk_label_set_text (self->stage_label, _("Cancelling…"));
  gtk_widget_set_sensitive (self->cancel_button, FALSE);
  g_cancellable_cancel (self->cancellable);
}

static void
on_try_again_clicked (ThProgressPage *self)
{
  if (self->commissioner == NULL)
    {
      th_progress_page_start (self);
      return;
    }
  commission_next (self);
}

static void
on_back_clicked (ThProgressPage *self)
{
  ThWindow *window = get_window (self);

  if (window != NULL)
    th_window_pop_page (window);
}

static void
on_show_devices_clicked (ThProgressPage *self)
{
  ThWindow *window = get_window (self);

  if (window != NULL)
    th_window_show_view (window, "devices");
}

static void
on_add_another_clicked (ThProgressPage *self)
{
  ThWindow *window = get_window (self);

  if (window != NULL)
    th_window_show_view (window, "add");
}

/* ---- The object ---- */

GtkWidget *
th_progress_page_new (GPtrArray      *payloads,
                      GSocketAddress *address)
{
  ThProgressPage *self;

  g_return_val_if_fail (payloads != NULL && payloads->len > 0, NULL);
  g_return_val_if_fail (address == NULL || G_IS_SOCKET_ADDRESS (address), NULL);

  self = g_object_new (TH_TYPE_PROGRESS_PAGE, NULL);
  for (guint i = 0; i < payloads->len; i++)
    g_ptr_array_add (self->payloads, th_setup_payload_copy (g_ptr_array_index (payloads, i)));
  g_set_object (&self->address, address);
  return GTK_WIDGET (self);
}

static void
th_progress_page_unroot (GtkWidget *widget)
{
  ThProgressPage *self = TH_PROGRESS_PAGE (widget);

  /* Gone from the window: the device is let go (its fail-safe disarmed). */
  close_dialogs (self);
  stop_clock (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  GTK_WIDGET_CLASS (th_progress_page_parent_class)->unroot (widget);
}

static void
th_progress_page_dispose (GObject *object)
{
  ThProgressPage *self = TH_PROGRESS_PAGE (object);

  close_dialogs (self);
  stop_clock (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), TH_TYPE_PROGRESS_PAGE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->commissioner);
  g_clear_object (&self->address);
  g_clear_pointer (&self->payloads, g_ptr_array_unref);
  g_clear_pointer (&self->added, g_ptr_array_unref);

  G_OBJECT_CLASS (th_progress_page_parent_class)->dispose (object);
}

static void
th_progress_page_class_init (ThProgressPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = th_progress_page_dispose;
  widget_class->unroot = th_progress_page_unroot;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/th-progress-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ThProgressPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, ThProgressPage, state_stack);
  gtk_widget_class_bind_template_child (widget_class, ThProgressPage, device_label);
  gtk_widget_class_bind_template_child (widget_class, ThProgressPage, stage_label);
  gtk_widget_class_bind_template_child (widget_class, ThProgressPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, ThProgressPage, elapsed_label);
  gtk_widget_class_bind_template_child (widget_class, ThProgressPage, stage_list);
  gtk_widget_class_bind_template_child (widget_class, ThProgressPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, ThProgressPage, failed_page);
  gtk_widget_class_bind_template_child (widget_class, ThProgressPage, done_page);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_try_again_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_show_devices_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_add_another_clicked);
}

static void
th_progress_page_init (ThProgressPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  th_focus_skip_empty_status_pages (GTK_WIDGET (self));

  self->payloads = g_ptr_array_new_with_free_func ((GDestroyNotify) th_setup_payload_free);
  self->added = g_ptr_array_new_with_free_func (g_free);
  build_steps (self);
  reset_steps (self);
}
