/* th-attestation-dialog.c: "The device may not be genuine": the findings and the choice
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "th-attestation-dialog.h"

/* What the device claims to be, filled in as the ledger answers; shared by the dialog and the
 * lookups still under way, which may end after the dialog has gone. */
typedef struct
{
  GtkWidget *row;          /* weak: NULL once the dialog has gone */
  GCancellable *cancellable;
  guint16 vendor_id;
  guint16 product_id;
  char *vendor_name;
  char *product_name;
} Claim;

static void
claim_free (Claim *claim)
{
  g_clear_object (&claim->cancellable);
  g_free (claim->vendor_name);
  g_free (claim->product_name);
}

static void
claim_unref (Claim *claim)
{
  g_rc_box_release_full (claim, (GDestroyNotify) claim_free);
}

/* The names once the ledger gave any, over the ids; the ids alone until then. */
static void
claim_show (Claim *claim)
{
  g_autofree char *ids = NULL;
  g_autofree char *names = NULL;

  if (claim->row == NULL)
    return;
  /* Translators: vendor and product ids of a device, in hexadecimal */
  ids = g_strdup_printf (_("Vendor 0x%04X, product 0x%04X"), claim->vendor_id,
                         claim->product_id);
  if (claim->product_name != NULL && claim->vendor_name != NULL)
    /* Translators: a product and its maker, as the compliance ledger names them */
    names = g_strdup_printf (_("%s by %s"), claim->product_name, claim->vendor_name);
  else if (claim->product_name != NULL)
    names = g_strdup (claim->product_name);
  else if (claim->vendor_name != NULL)
    /* Translators: a device's maker, as the compliance ledger names it */
    names = g_strdup_printf (_("A device by %s"), claim->vendor_name);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (claim->row), names != NULL ? names : ids);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (claim->row),
                               names != NULL ? ids : _("What the device claims to be"));
}

static void
on_model (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Claim *claim = user_data;
  g_autoptr(GError) error = NULL;
  ThDclModel *model = th_dcl_client_get_model_finish (TH_DCL_CLIENT (source), result, NULL,
                                                      &error);

  if (model != NULL)
    {
      claim->product_name = g_strdup (model->product_name);
      th_dcl_model_free (model);
      claim_show (claim);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_debug ("No model %04X/%04X from the ledger: %s", claim->vendor_id, claim->product_id,
               error->message);
    }
  claim_unref (claim);
}

static void
on_vendor (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Claim *claim = user_data;
  g_autoptr(GError) error = NULL;
  ThDclVendor *vendor = th_dcl_client_get_vendor_finish (TH_DCL_CLIENT (source), result, NULL,
                                                         &error);

  if (vendor != NULL)
    {
      claim->vendor_name = g_strdup (vendor->vendor_name);
      th_dcl_vendor_free (vendor);
      claim_show (claim);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_debug ("No vendor %04X from the ledger: %s", claim->vendor_id, error->message);
    }
  claim_unref (claim);
}

static void
on_dialog_destroy (GtkWidget *dialog,
                   Claim     *claim)
{
  g_cancellable_cancel (claim->cancellable);
  g_clear_weak_pointer (&claim->row);
}

static void
on_dialog_destroy_notify (gpointer  data,
                          GClosure *closure)
{
  claim_unref (data);
}

static GtkWidget *
finding_row (const ThAttestationFinding *finding)
{
  gboolean failure = finding->severity == TH_ATTESTATION_SEVERITY_FAILURE;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (failure ? "dialog-error-symbolic"
                                                          : "dialog-warning-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), finding->message);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               failure ? _("Failed check") : _("Warning"));
  /* Read, not acted on: the keyboard goes to the answers. */
  gtk_widget_set_focusable (row, FALSE);
  gtk_widget_add_css_class (icon, failure ? "error" : "warning");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  failure ? _("Failed check") : _("Warning"), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  return row;
}

AdwMessageDialog *
th_attestation_dialog_new (GtkWindow           *parent,
                           ThAttestationResult *result,
                           guint16              vendor_id,
                           guint16              product_id,
                           ThDclClient         *dcl_client)
{
  gboolean trusted = th_attestation_result_is_trusted (result);
  AdwMessageDialog *dialog;
  GtkWidget *box, *claims, *findings;
  Claim *claim;

  g_return_val_if_fail (result != NULL, NULL);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
    parent,
    trusted ? _("Add This Device Anyway?") : _("This Device May Not Be Genuine"),
    trusted ? _("The device is what it claims to be, but Threshold found something to know "
                "before adding it.")
            : _("Threshold could not confirm that this device is what it claims to be. Add "
                "it only if you trust where it came from.")));
  adw_message_dialog_add_responses (dialog,
                                    TH_ATTESTATION_DIALOG_CANCEL, _("_Cancel"),
                                    TH_ATTESTATION_DIALOG_ADD, _("_Add Anyway"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, TH_ATTESTATION_DIALOG_ADD,
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, TH_ATTESTATION_DIALOG_CANCEL);
  adw_message_dialog_set_close_response (dialog, TH_ATTESTATION_DIALOG_CANCEL);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  claims = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (claims), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (claims, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (claims), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("What the device claims to be"), -1);
  claim = g_rc_box_new0 (Claim);
  claim->cancellable = g_cancellable_new ();
  th_attestation_result_get_vendor_id (result, &vendor_id);
  th_attestation_result_get_product_id (result, &product_id);
  claim->vendor_id = vendor_id;
  claim->product_id = product_id;
  claim->row = adw_action_row_new ();
  gtk_widget_set_focusable (claim->row, FALSE);
  g_object_add_weak_pointer (G_OBJECT (claim->row), (gpointer *) &claim->row);
  gtk_list_box_append (GTK_LIST_BOX (claims), claim->row);
  claim_show (claim);
  gtk_box_append (GTK_BOX (box), claims);

  findings = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (findings), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (findings, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (findings), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("What the checks found"), -1);
  for (guint i = 0; i < th_attestation_result_get_n_findings (result); i++)
    gtk_list_box_append (GTK_LIST_BOX (findings),
                         finding_row (th_attestation_result_get_finding (result, i)));
  gtk_box_append (GTK_BOX (box), findings);
  adw_message_dialog_set_extra_child (dialog, box);

  g_signal_connect_data (dialog, "destroy", G_CALLBACK (on_dialog_destroy), claim,
                         on_dialog_destroy_notify, 0);
  if (dcl_client != NULL && vendor_id != 0)
    {
      th_dcl_client_get_vendor_async (dcl_client, vendor_id, claim->cancellable, on_vendor,
                                      g_rc_box_acquire (claim));
      if (product_id != 0)
        th_dcl_client_get_model_async (dcl_client, vendor_id, product_id, claim->cancellable,
                                       on_model, g_rc_box_acquire (claim));
    }
  return dialog;
}
