/* th-add-device-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "th-add-device-page.h"
#include "th-focus.h"
#include "th-file-chooser.h"
#include "th-camera.h"
#include "th-error.h"
#include "th-qr-scanner.h"
#include "onboarding/th-payload-text.h"
#include "onboarding/th-setup-payload.h"

#define MANUAL_CODE_MAX_DIGITS 21
/* How long the scanner says that the code in view is not a Matter code. */
#define HINT_SECONDS 4

struct _ThAddDevicePage
{
  AdwBin parent_instance;

  GtkStack *scanner_stack;
  GtkSpinner *spinner;
  GtkLabel *starting_label;
  GtkPicture *preview;
  GtkLabel *scanning_label;
  AdwStatusPage *permission_page;
  AdwStatusPage *error_page;
  GtkButton *open_photo_button;
  GtkBox *photo_message_box;
  GtkLabel *photo_message_label;
  AdwEntryRow *code_row;
  GtkButton *paste_button;
  GtkLabel *message_label;
  GtkImage *message_icon;
  GtkBox *message_box;
  GtkBox *summary_box;
  GtkWidget *continue_button;

  ThCamera *camera;
  guint hint_source;
  GCancellable *photo_cancellable;

  GPtrArray *payloads;
  guint regroup_source;
  gboolean reformatting;
};

G_DEFINE_FINAL_TYPE (ThAddDevicePage, th_add_device_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_PAYLOADS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_CONTINUE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GPtrArray *
th_add_device_page_get_payloads (ThAddDevicePage *self)
{
  g_return_val_if_fail (TH_IS_ADD_DEVICE_PAGE (self), NULL);

  return self->payloads;
}

void
th_add_device_page_set_code (ThAddDevicePage *self,
                             const char      *code)
{
  g_return_if_fail (TH_IS_ADD_DEVICE_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->code_row), code);
}

/* A manual code is digits in groups; the separators are the person's choice. */
static gboolean
looks_like_manual_code (const char *text,
                        GString    *digits)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (*p != ' ' && *p != '-')
        return FALSE;
    }
  return digits->len > 0;
}

/* Groups digits as the Matter brand guidelines show them: 4-3-4, then 5-5 for 21 digits. */
static char *
group_digits (const char *digits)
{
  static const guint group_ends[] = { 4, 7, 11, 16 };
  GString *out = g_string_new (NULL);
  gsize n = strlen (digits);
  guint group = 0;

  for (gsize i = 0; i < n; i++)
    {
      if (group < G_N_ELEMENTS (group_ends) && i == group_ends[group])
        {
          g_string_append_c (out, '-');
          group++;
        }
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* Runs after the keystroke is complete: inside "changed" the cursor has not yet moved past
 * the inserted text, so the position read there would be off by what was typed. */
static gboolean
regroup_manual_code (gpointer user_data)
{
  ThAddDevicePage *self = user_data;
  GtkEditable *editable = GTK_EDITABLE (self->code_row);
  const char *text = gtk_editable_get_text (editable);
  int position = gtk_editable_get_position (editable);
  g_autoptr(GString) digits = g_string_new (NULL);
  g_autofree char *grouped = NULL;
  int digits_before = 0;
  int new_position = 0;

  self->regroup_source = 0;

  if (!looks_like_manual_code (text, digits) || digits->len > MANUAL_CODE_MAX_DIGITS)
    return G_SOURCE_REMOVE;
  grouped = group_digits (digits->str);
  if (g_str_equal (grouped, text))
    return G_SOURCE_REMOVE;

  for (int i = 0; i < position && text[i] != '\0'; i++)
    {
      if (g_ascii_isdigit (text[i]))
        digits_before++;
    }
  while (grouped[new_position] != '\0' && digits_before > 0)
    {
      if (g_ascii_isdigit (grouped[new_position]))
        digits_before--;
      new_position++;
    }

  /* Only separators change, so the verdict shown stays right. */
  self->reformatting = TRUE;
  gtk_editable_set_text (editable, grouped);
  gtk_editable_set_position (editable, new_position);
  self->reformatting = FALSE;
  return G_SOURCE_REMOVE;
}

static void
clear_summary (ThAddDevicePage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->summary_box))) != NULL)
    gtk_box_remove (self->summary_box, child);
}

static void
add_row (AdwPreferencesGroup *group,
         const char          *title,
         const char          *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
#if ADW_CHECK_VERSION (1, 3, 0)
  adw_action_row_set_subtitle_selectable (ADW_ACTION_ROW (row), TRUE);
#endif
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (group, row);
}

static GtkWidget *
build_payload_group (const ThSetupPayload *payload,
                     guint                 index,
                     guint                 count)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  const char *passcode_problem = th_payload_describe_passcode (payload->passcode_validity);
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;

  if (count > 1)
    title = g_strdup_printf (_("Device %u of %u"), index + 1, count);
  else
    title = g_strdup (_("The Code Describes"));
  adw_preferences_group_set_title (group, title);

  if (payload->has_vendor_product)
    {
      text = g_strdup_printf ("0x%04X (%u)", payload->vendor_id, payload->vendor_id);
      add_row (group, _("Vendor ID"), text);
      g_clear_pointer (&text, g_free);
      text = g_strdup_printf ("0x%04X (%u)", payload->product_id, payload->product_id);
      add_row (group, _("Product ID"), text);
      g_clear_pointer (&text, g_free);
    }
  else
    {
      add_row (group, _("Vendor and Product"),
               _("Not in this code: they are read from the device when it is found"));
    }

  if (payload->has_capabilities)
    {
      text = th_payload_describe_capabilities (payload->capabilities);
      add_row (group, _("Can Be Found Over"), text);
      g_clear_pointer (&text, g_free);
    }
  else
    {
      add_row (group, _("Can Be Found Over"),
               _("Not in this code: the network and Bluetooth LE will be searched"));
    }

  text = g_strdup_printf ("%s — %s", th_payload_describe_flow (payload->flow),
                          th_payload_describe_flow_detail (payload->flow));
  add_row (group, _("Setup Flow"), text);
  g_clear_pointer (&text, g_free);

  if (payload->short_discriminator)
    text = g_strdup_printf (_("%u (short form)"), payload->discriminator);
  else
    text = g_strdup_printf ("%u", payload->discriminator);
  add_row (group, _("Discriminator"), text);
  g_clear_pointer (&text, g_free);

  add_row (group, _("Setup Passcode"),
           passcode_problem != NULL ? passcode_problem : _("Valid"));

  if (payload->serial_number != NULL)
    add_row (group, _("Serial Number"), payload->serial_number);

  return GTK_WIDGET (group);
}

typedef enum
{
  MESSAGE_NONE,
  MESSAGE_HINT,
  MESSAGE_ERROR,
  MESSAGE_OK,
} MessageKind;

static void
show_message (ThAddDevicePage *self,
              MessageKind      kind,
              const char      *message)
{
  GtkWidget *row = GTK_WIDGET (self->code_row);

  gtk_widget_set_visible (GTK_WIDGET (self->message_box), kind != MESSAGE_NONE);
  gtk_label_set_text (self->message_label, message ? message : "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->message_box), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->message_box), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->message_box), "dim-label");
  gtk_widget_remove_css_class (row, "error");

  switch (kind)
    {
    case MESSAGE_ERROR:
      gtk_image_set_from_icon_name (self->message_icon, "dialog-error-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->message_box), "error");
      gtk_widget_add_css_class (row, "error");
      break;
    case MESSAGE_OK:
      gtk_image_set_from_icon_name (self->message_icon, "object-select-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->message_box), "success");
      break;
    case MESSAGE_HINT:
      gtk_image_set_from_icon_name (self->message_icon, "dialog-information-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->message_box), "dim-label");
      break;
    case MESSAGE_NONE:
    default:
      break;
    }

  /* Screen readers hear the verdict with the entry, and whether it is invalid. */
  gtk_accessible_update_state (GTK_ACCESSIBLE (row),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               kind == MESSAGE_ERROR ? GTK_ACCESSIBLE_INVALID_TRUE
                                                     : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message ? message : "",
                                  -1);
}

static void
set_payloads (ThAddDevicePage *self,
              GPtrArray       *payloads)
{
  if (self->payloads == payloads)
    return;
  g_clear_pointer (&self->payloads, g_ptr_array_unref);
  self->payloads = payloads;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "add-device.continue", payloads != NULL);
  gtk_widget_set_visible (self->continue_button, payloads != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAYLOADS]);
}

static void
continue_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ThAddDevicePage *self = TH_ADD_DEVICE_PAGE (widget);

  if (self->payloads != NULL)
    g_signal_emit (self, signals[SIGNAL_CONTINUE], 0, self->payloads);
}

static void
on_code_activated (ThAddDevicePage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "add-device.continue", NULL);
}

static void
update_from_text (ThAddDevicePage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->code_row));
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  g_autoptr(GString) digits = g_string_new (NULL);
  g_autoptr(GPtrArray) payloads = NULL;
  g_autoptr(GError) error = NULL;
  gboolean manual = looks_like_manual_code (stripped, digits);
  guint usable = 0;

  clear_summary (self);

  if (*stripped == '\0')
    {
      show_message (self, MESSAGE_NONE, NULL);
      set_payloads (self, NULL);
      return;
    }

  if (manual && digits->len < 11)
    {
      show_message (self, MESSAGE_HINT, _("A manual pairing code has 11 or 21 digits."));
      set_payloads (self, NULL);
      return;
    }
  if (manual && digits->len > 11 && digits->len < 21)
    {
      show_message (self, MESSAGE_HINT,
                    _("This looks like a 21-digit code: keep typing the remaining digits."));
      set_payloads (self, NULL);
      return;
    }
  if (!manual && g_ascii_strncasecmp (stripped, "MT:", MIN (strlen (stripped), 3)) == 0 &&
      strlen (stripped) < 4)
    {
      show_message (self, MESSAGE_HINT, _("Keep typing or paste the rest of the QR code text."));
      set_payloads (self, NULL);
      return;
    }

  payloads = th_setup_payload_parse (stripped, &error);
  if (payloads == NULL)
    {
      show_message (self, MESSAGE_ERROR, error->message);
      set_payloads (self, NULL);
      return;
    }

  for (guint i = 0; i < payloads->len; i++)
    {
      ThSetupPayload *payload = g_ptr_array_index (payloads, i);

      gtk_box_append (self->summary_box, build_payload_group (payload, i, payloads->len));
      if (th_setup_payload_validate (payload, error == NULL ? &error : NULL))
        usable++;
    }

  if (usable == payloads->len)
    {
      g_autofree char *message = NULL;

      if (payloads->len == 1)
        message = g_strdup (_("The code is valid."));
      else
        message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "The code is valid and describes %u device.",
                                                "The code is valid and describes %u devices.",
                                                payloads->len),
                                   payloads->len);
      show_message (self, MESSAGE_OK, message);
      set_payloads (self, g_steal_pointer (&payloads));
    }
  else
    {
      show_message (self, MESSAGE_ERROR, error->message);
      set_payloads (self, NULL);
    }
}

static void
show_photo_message (ThAddDevicePage *self,
                    const char      *message)
{
  gtk_widget_set_visible (GTK_WIDGET (self->photo_message_box), message != NULL);
  gtk_label_set_text (self->photo_message_label, message ? message : "");
  /* Focus comes back to the button when the file chooser closes: a screen reader reads
   * the outcome with it. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->open_photo_button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message ? message : "",
                                  -1);
}

static void
on_code_changed (ThAddDevicePage *self)
{
  if (self->reformatting)
    return;

  show_photo_message (self, NULL);
  update_from_text (self);
  if (self->regroup_source == 0)
    self->regroup_source = g_idle_add (regroup_manual_code, self);
}

static void
on_clipboard_text (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ThAddDevicePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);

  if (text == NULL)
    {
      show_message (self, MESSAGE_ERROR,
                    _("The clipboard holds no text. Copy the setup code and try again."));
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), g_strstrip (text));
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ThAddDevicePage *self = TH_ADD_DEVICE_PAGE (widget);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);

  gdk_clipboard_read_text_async (clipboard, NULL, on_clipboard_text, g_object_ref (self));
}

/* A code from the camera or a photo goes where a typed one would, and the verdict is read
 * out: on GTK 4.8 by moving the focus to the entry, whose description is the verdict. */
static void
take_scanned_code (ThAddDevicePage *self,
                   const char      *code)
{
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), code);
#if GTK_CHECK_VERSION (4, 14, 0)
  gtk_accessible_announce (GTK_ACCESSIBLE (self), gtk_label_get_text (self->message_label),
                           GTK_ACCESSIBLE_ANNOUNCEMENT_PRIORITY_MEDIUM);
#else
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
#endif
  /* The cursor at the end, not the whole code selected for the next keystroke to replace. */
  gtk_editable_set_position (GTK_EDITABLE (self->code_row), -1);
}

/* Camera */

static void
set_status_description (AdwStatusPage *page,
                        const char    *text)
{
  g_autofree char *markup = g_markup_escape_text (text, -1);

  adw_status_page_set_description (page, markup);
}

static void
update_scanner (ThAddDevicePage *self)
{
  const char *message = th_camera_get_message (self->camera);
  const char *page;

  switch (th_camera_get_state (self->camera))
    {
    case TH_CAMERA_STATE_SCANNING:
      page = "scanning";
      if (self->hint_source == 0)
        gtk_label_set_text (self->scanning_label, message);
      break;
    case TH_CAMERA_STATE_NO_CAMERA:
      /* The status page says what to do instead. */
      page = "no-camera";
      break;
    case TH_CAMERA_STATE_PERMISSION_NEEDED:
      page = "permission";
      set_status_description (self->permission_page, message);
      break;
    case TH_CAMERA_STATE_ERROR:
      page = "error";
      set_status_description (self->error_page, message);
      break;
    case TH_CAMERA_STATE_STOPPED:
    case TH_CAMERA_STATE_STARTING:
    default:
      page = "starting";
      gtk_label_set_text (self->starting_label, message);
      break;
    }
  gtk_spinner_set_spinning (self->spinner, g_str_equal (page, "starting"));
  gtk_stack_set_visible_child_name (self->scanner_stack, page);
  /* A screen reader that reaches the scanner hears what it is doing. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->scanner_stack),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
}

static gboolean
restore_scanning_hint (gpointer user_data)
{
  ThAddDevicePage *self = user_data;

  self->hint_source = 0;
  update_scanner (self);
  return G_SOURCE_REMOVE;
}

/* Says over the preview what the camera just saw, for a few seconds. */
static void
show_scanner_hint (ThAddDevicePage *self,
                   const char      *hint)
{
  gtk_label_set_text (self->scanning_label, hint);
  g_clear_handle_id (&self->hint_source, g_source_remove);
  self->hint_source = g_timeout_add_seconds (HINT_SECONDS, restore_scanning_hint, self);
}

static void
on_code_detected (ThAddDevicePage *self,
                  const char      *code)
{
  const char *current = gtk_editable_get_text (GTK_EDITABLE (self->code_row));

  if (!th_qr_code_is_matter (code))
    {
      show_scanner_hint (self, _("Not a Matter code: look for the QR code next to the "
                                 "Matter logo."));
      return;
    }
  /* The camera sees the same code again every few seconds; once is enough. */
  if (g_str_equal (current, code))
    return;
  show_scanner_hint (self, _("Setup code found"));
  take_scanned_code (self, code);
}

/* The window the camera portal's question belongs to. */
static GtkWindow *
parent_window (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
retry_camera_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ThAddDevicePage *self = TH_ADD_DEVICE_PAGE (widget);

  th_camera_start (self->camera, parent_window (widget));
}

static void
th_add_device_page_map (GtkWidget *widget)
{
  ThAddDevicePage *self = TH_ADD_DEVICE_PAGE (widget);

  GTK_WIDGET_CLASS (th_add_device_page_parent_class)->map (widget);
  /* The camera runs only while the page is on screen. */
  th_camera_start (self->camera, parent_window (widget));
}

static void
th_add_device_page_unmap (GtkWidget *widget)
{
  ThAddDevicePage *self = TH_ADD_DEVICE_PAGE (widget);

  th_camera_stop (self->camera);
  GTK_WIDGET_CLASS (th_add_device_page_parent_class)->unmap (widget);
}

/* Photos */

static void
on_photo_scanned (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ThAddDevicePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = th_qr_scan_picture_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "add-device.open-photo", TRUE);
  if (code == NULL)
    {
      show_photo_message (self, error->message);
      return;
    }
  take_scanned_code (self, code);
}

static void
scan_photo (ThAddDevicePage *self,
            GFile           *file)
{
  g_cancellable_cancel (self->photo_cancellable);
  g_clear_object (&self->photo_cancellable);
  self->photo_cancellable = g_cancellable_new ();

  show_photo_message (self, NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "add-device.open-photo", FALSE);
  th_qr_scan_picture_async (file, self->photo_cancellable, on_photo_scanned,
                            g_object_ref (self));
}

static GtkFileFilter *
new_picture_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Pictures"));
  gtk_file_filter_add_mime_type (filter, "image/*");
  return filter;
}

static void
on_photo_chosen (GObject *owner,
                 GFile   *file)
{
  scan_photo (TH_ADD_DEVICE_PAGE (owner), file);
}

static void
open_photo_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  g_autoptr(GtkFileFilter) filter = new_picture_filter ();

  th_file_chooser_open (parent_window (widget), _("Open a Photo of the Label"), _("_Open"),
                        filter, G_OBJECT (widget), on_photo_chosen);
}

/* Not an override of grab_focus: GTK grabs a container's focus while Tab moves through it,
 * and sending that to the entry made Tab skip the controls before it. */
void
th_add_device_page_focus_code (ThAddDevicePage *self)
{
  g_return_if_fail (TH_IS_ADD_DEVICE_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
}

static void
th_add_device_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ThAddDevicePage *self = TH_ADD_DEVICE_PAGE (object);

  switch (prop_id)
    {
    case PROP_PAYLOADS:
      g_value_set_boxed (value, self->payloads);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
th_add_device_page_dispose (GObject *object)
{
  ThAddDevicePage *self = TH_ADD_DEVICE_PAGE (object);

  if (self->camera != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->camera, self);
      th_camera_stop (self->camera);
    }
  g_clear_object (&self->camera);
  g_cancellable_cancel (self->photo_cancellable);
  g_clear_object (&self->photo_cancellable);
  g_clear_handle_id (&self->hint_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), TH_TYPE_ADD_DEVICE_PAGE);
  g_clear_handle_id (&self->regroup_source, g_source_remove);
  g_clear_pointer (&self->payloads, g_ptr_array_unref);

  G_OBJECT_CLASS (th_add_device_page_parent_class)->dispose (object);
}

static void
th_add_device_page_class_init (ThAddDevicePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = th_add_device_page_dispose;
  object_class->get_property = th_add_device_page_get_property;
  widget_class->map = th_add_device_page_map;
  widget_class->unmap = th_add_device_page_unmap;

  properties[PROP_PAYLOADS] =
    g_param_spec_boxed ("payloads", NULL, NULL, G_TYPE_PTR_ARRAY,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The person wants to go on with the payloads of the code (a GPtrArray of ThSetupPayload,
   * every one valid). */
  signals[SIGNAL_CONTINUE] =
    g_signal_new ("continue", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/th-add-device-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ThAddDevicePage, scanner_stack);
  gtk_widget_class_bind_template_child (widget_class, ThAddDevicePage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ThAddDevicePage, starting_label);
  gtk_widget_class_bind_template_child (widget_class, ThAddDevicePage, preview);
  gtk_widget_class_bind_template_child (widget_class, ThAddDevicePage, scanning_label);
  gtk_widget_class_bind_template_child (widget_class, ThAddDevicePage, permission_page);
  gtk_widget_class_bind_template_child (widget_class, ThAddDevicePage, error_page);
  gtk_widget_class_bind_template_child (widget_class, ThAddDevicePage, open_photo_button);
  gtk_widget_class_bind_template_child (widget_class, ThAddDevicePage, photo_message_box);
  gtk_widget_class_bind_template_child (widget_class, ThAddDevicePage, photo_message_label);
  gtk_widget_class_bind_template_child (widget_class, ThAddDevicePage, code_row);
  gtk_widget_class_bind_template_child (widget_class, ThAddDevicePage, paste_button);
  gtk_widget_class_bind_template_child (widget_class, ThAddDevicePage, message_label);
  gtk_widget_class_bind_template_child (widget_class, ThAddDevicePage, message_icon);
  gtk_widget_class_bind_template_child (widget_class, ThAddDevicePage, message_box);
  gtk_widget_class_bind_template_child (widget_class, ThAddDevicePage, summary_box);
  gtk_widget_class_bind_template_child (widget_class, ThAddDevicePage, continue_button);
  gtk_widget_class_bind_template_callback (widget_class, on_code_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_code_activated);

  gtk_widget_class_install_action (widget_class, "add-device.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "add-device.open-photo", NULL,
                                   open_photo_action);
  gtk_widget_class_install_action (widget_class, "add-device.retry-camera", NULL,
                                   retry_camera_action);
  gtk_widget_class_install_action (widget_class, "add-device.continue", NULL, continue_action);
}

static void
th_add_device_page_init (ThAddDevicePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  th_focus_skip_empty_status_pages (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "add-device.continue", FALSE);
  gtk_widget_set_visible (self->continue_button, FALSE);

  /* TH_CAMERA_SOURCE is how the tests put a picture in front of the scanner
   * (see th_camera_new). */
  self->camera = th_camera_new (g_getenv ("TH_CAMERA_SOURCE"));
  gtk_picture_set_paintable (self->preview, th_camera_get_paintable (self->camera));
  g_signal_connect_swapped (self->camera, "notify::state", G_CALLBACK (update_scanner), self);
  g_signal_connect_swapped (self->camera, "notify::message", G_CALLBACK (update_scanner), self);
  g_signal_connect_swapped (self->camera, "code-detected", G_CALLBACK (on_code_detected), self);
  update_scanner (self);
}
