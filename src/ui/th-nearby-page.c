/* th-nearby-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "discovery/th-ble-browser.h"
#include "discovery/th-dnssd-browser.h"
#include "discovery/th-dnssd-text.h"
#include "th-device-types.h"
#include "th-nearby-page.h"
#include "th-focus.h"
#include "th-window.h"

/* What the ledger says of one product, asked once. */
typedef struct
{
  guint pending;
  char *product_name;
  char *vendor_name;
  gboolean has_device_type;
  guint32 device_type;
} ProductNames;

struct _ThNearbyPage
{
  AdwBin parent_instance;

  AdwActionRow *network_row;
  GtkImage *network_icon;
  AdwActionRow *bluetooth_row;
  GtkImage *bluetooth_icon;
  GtkButton *power_button;
  AdwPreferencesGroup *devices_group;
  GtkListBox *list_box;
  AdwStatusPage *empty_page;

  ThDnssdBrowser *dnssd;
  ThBleBrowser *ble;
  GCancellable *cancellable;
  GHashTable *products;       /* vendor id << 16 | product id -> ProductNames */
  ThDclClient *client;        /* the one the names were asked of */
};

G_DEFINE_FINAL_TYPE (ThNearbyPage, th_nearby_page, ADW_TYPE_BIN)

static void rebuild (ThNearbyPage *self);

static void
product_names_free (ProductNames *names)
{
  g_free (names->product_name);
  g_free (names->vendor_name);
  g_free (names);
}

static ThDclClient *
get_client (ThNearbyPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *application = GTK_IS_WINDOW (root)
                                ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;

  return TH_IS_APPLICATION (application)
         ? th_application_get_dcl_client (TH_APPLICATION (application)) : NULL;
}

/* ---- Names from the ledger ---- */

typedef struct
{
  ThNearbyPage *self;
  guint32 key;
} Lookup;

static ProductNames *
finish_lookup (GError **error,
               Lookup  *lookup)
{
  ProductNames *names;

  if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_free (lookup);
      return NULL;
    }
  /* The names fall back to what the device says; why the ledger did not answer is for the
   * device's page to tell. */
  if (*error != NULL)
    g_debug ("Compliance ledger: %s", (*error)->message);
  names = g_hash_table_lookup (lookup->self->products, GUINT_TO_POINTER (lookup->key));
  if (names == NULL)
    {
      g_free (lookup);
      return NULL;
    }
  names->pending--;
  return names;
}

static void
on_model (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThDclModel) model = th_dcl_client_get_model_finish (TH_DCL_CLIENT (source), result,
                                                                NULL, &error);
  ProductNames *names = finish_lookup (&error, lookup);

  if (names == NULL)
    return;
  if (model != NULL)
    {
      names->product_name = g_strdup (model->product_name);
      names->has_device_type = model->has_device_type_id;
      names->device_type = model->device_type_id;
    }
  rebuild (lookup->self);
  g_free (lookup);
}

static void
on_vendor (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThDclVendor) vendor = th_dcl_client_get_vendor_finish (TH_DCL_CLIENT (source),
                                                                   result, NULL, &error);
  ProductNames *names = finish_lookup (&error, lookup);

  if (names == NULL)
    return;
  if (vendor != NULL)
    names->vendor_name = g_strdup (th_dcl_vendor_get_display_name (vendor));
  rebuild (lookup->self);
  g_free (lookup);
}

/* The ledger's names of a product, asked for the first time it is seen. */
static ProductNames *
get_names (ThNearbyPage *self,
           guint16       vendor_id,
           guint16       product_id)
{
  guint32 key = (guint32) vendor_id << 16 | product_id;
  ProductNames *names = g_hash_table_lookup (self->products, GUINT_TO_POINTER (key));
  ThDclClient *client;
  Lookup *lookup;

  if (names != NULL || vendor_id == 0 || (client = get_client (self)) == NULL)
    return names;

  names = g_new0 (ProductNames, 1);
  names->pending = 2;
  g_hash_table_insert (self->products, GUINT_TO_POINTER (key), names);
  lookup = g_new0 (Lookup, 1);
  *lookup = (Lookup) { self, key };
  th_dcl_client_get_model_async (client, vendor_id, product_id, self->cancellable, on_model,
                                 lookup);
  lookup = g_new0 (Lookup, 1);
  *lookup = (Lookup) { self, key };
  th_dcl_client_get_vendor_async (client, vendor_id, self->cancellable, on_vendor, lookup);
  return names;
}

/* ---- The rows ---- */

static void
on_show_clicked (ThNearbyPage *self,
                 GtkButton    *button)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (!TH_IS_WINDOW (root))
    return;
  th_window_show_nearby_device (TH_WINDOW (root),
                                g_object_get_data (G_OBJECT (button), "th-device"),
                                g_object_get_data (G_OBJECT (button), "th-ble-device"));
}

static GtkWidget *
new_row (ThNearbyPage       *self,
         ThDiscoveredDevice *device,
         ThBleDevice        *ble_device)
{
  ThDnssdTxt *txt = device != NULL ? th_discovered_device_get_txt (device) : NULL;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_auto(GStrv) hints = NULL;
  g_autofree char *title = NULL;
  g_autofree char *label = NULL;
  ProductNames *names = NULL;
  guint16 vendor_id = 0, product_id = 0;
  const char *type = NULL;
  const char *found;
  GtkWidget *row, *button;

  if (txt != NULL && txt->has_vendor_id)
    {
      vendor_id = txt->vendor_id;
      product_id = txt->has_product_id ? txt->product_id : 0;
    }
  else if (ble_device != NULL)
    {
      vendor_id = th_ble_device_get_vendor_id (ble_device);
      product_id = th_ble_device_get_product_id (ble_device);
    }
  if (vendor_id != 0 && product_id != 0)
    names = get_names (self, vendor_id, product_id);

  if (names != NULL && names->product_name != NULL)
    title = g_strdup (names->product_name);
  else if (txt != NULL && (txt->present & TH_DNSSD_TXT_DN))
    title = g_strdup (txt->device_name);
  else if (vendor_id != 0)
    /* Translators: a device not known by name, with its vendor and product IDs */
    title = g_strdup_printf (_("Matter device (vendor 0x%04X, product 0x%04X)"),
                             vendor_id, product_id);
  else
    title = g_strdup (_("Matter device"));

  if (names != NULL && names->has_device_type)
    type = th_device_type_describe (names->device_type);
  if (type == NULL && txt != NULL && (txt->present & TH_DNSSD_TXT_DT))
    type = th_device_type_describe (txt->device_type);
  if (names != NULL && names->vendor_name != NULL)
    g_string_append (subtitle, names->vendor_name);
  if (type != NULL)
    g_string_append_printf (subtitle, "%s%s", subtitle->len > 0 ? " · " : "", type);

  if (txt != NULL && (txt->present & TH_DNSSD_TXT_PH))
    hints = th_dnssd_describe_pairing_hint (txt->pairing_hint, txt->pairing_instruction);
  for (guint i = 0; hints != NULL && hints[i] != NULL; i++)
    g_string_append_printf (subtitle, "%s%s", subtitle->len > 0 ? "\n" : "", hints[i]);

  if (device != NULL && ble_device != NULL)
    found = _("Found on the network and over Bluetooth");
  else if (device != NULL)
    found = _("Found on the network");
  else
    found = _("Found over Bluetooth");
  g_string_append_printf (subtitle, "%s%s", subtitle->len > 0 ? "\n" : "", found);

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name (device != NULL
                                                           ? "network-wireless-symbolic"
                                                           : "bluetooth-symbolic"));

  /* The button, not the row, is what a screen reader can press in GTK 4.8; the row passes a
   * click on to it. */
  button = gtk_button_new_from_icon_name ("go-next-symbolic");
  /* Translators: a button that shows a device found nearby: "Show Threshold Test Light" */
  label = g_strdup_printf (_("Show %s"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_widget_set_tooltip_text (button, label);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  if (device != NULL)
    g_object_set_data_full (G_OBJECT (button), "th-device", g_object_ref (device),
                            g_object_unref);
  if (ble_device != NULL)
    g_object_set_data_full (G_OBJECT (button), "th-ble-device", g_object_ref (ble_device),
                            g_object_unref);
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_show_clicked), self,
                           G_CONNECT_SWAPPED);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
  return row;
}

/* The device advertised over the network that is this one advertising over Bluetooth: the
 * same discriminator, and the same product where both say it. */
static ThDiscoveredDevice *
find_network_twin (ThNearbyPage *self,
                   ThBleDevice  *ble_device)
{
  GListModel *model = G_LIST_MODEL (self->dnssd);
  guint16 vendor_id = th_ble_device_get_vendor_id (ble_device);
  guint16 product_id = th_ble_device_get_product_id (ble_device);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ThDiscoveredDevice) device = g_list_model_get_item (model, i);
      ThDnssdTxt *txt = th_discovered_device_get_txt (device);

      if (!(txt->present & TH_DNSSD_TXT_D)
          || txt->discriminator != th_ble_device_get_discriminator (ble_device))
        continue;
      if (vendor_id != 0 && txt->has_vendor_id && txt->vendor_id != vendor_id)
        continue;
      if (product_id != 0 && txt->has_product_id && txt->product_id != product_id)
        continue;
      return device;
    }
  return NULL;
}

static void
rebuild (ThNearbyPage *self)
{
  GListModel *network = G_LIST_MODEL (self->dnssd);
  GListModel *bluetooth = G_LIST_MODEL (self->ble);
  g_autoptr(GHashTable) twins = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  GtkWidget *child;
  guint rows = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);

  /* One row per device: seen both ways, it is reached over IP. */
  for (guint i = 0; i < g_list_model_get_n_items (bluetooth); i++)
    {
      g_autoptr(ThBleDevice) ble_device = g_list_model_get_item (bluetooth, i);
      ThDiscoveredDevice *twin = find_network_twin (self, ble_device);

      if (twin != NULL)
        g_hash_table_insert (twins, twin, g_steal_pointer (&ble_device));
    }
  for (guint i = 0; i < g_list_model_get_n_items (network); i++)
    {
      g_autoptr(ThDiscoveredDevice) device = g_list_model_get_item (network, i);

      gtk_list_box_append (self->list_box,
                           new_row (self, device, g_hash_table_lookup (twins, device)));
      rows++;
    }
  for (guint i = 0; i < g_list_model_get_n_items (bluetooth); i++)
    {
      g_autoptr(ThBleDevice) ble_device = g_list_model_get_item (bluetooth, i);

      if (find_network_twin (self, ble_device) != NULL)
        continue;
      gtk_list_box_append (self->list_box, new_row (self, NULL, ble_device));
      rows++;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->devices_group), rows > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_page), rows == 0);
}

/* ---- How the looking goes ---- */

static void
update_network_state (ThNearbyPage *self)
{
  const GError *error = th_dnssd_browser_get_error (self->dnssd);

  switch (th_dnssd_browser_get_state (self->dnssd))
    {
    case TH_DNSSD_STATE_BROWSING:
      adw_action_row_set_subtitle (self->network_row,
                                   _("Looking for Matter devices on the network"));
      gtk_image_set_from_icon_name (self->network_icon, "network-wired-symbolic");
      break;
    case TH_DNSSD_STATE_UNAVAILABLE:
      adw_action_row_set_subtitle (self->network_row,
                                   error != NULL ? error->message
                                   : _("Devices on the network cannot be found now."));
      gtk_image_set_from_icon_name (self->network_icon, "network-offline-symbolic");
      break;
    case TH_DNSSD_STATE_STOPPED:
    default:
      adw_action_row_set_subtitle (self->network_row,
                                   _("Not looking for devices on the network"));
      gtk_image_set_from_icon_name (self->network_icon, "network-wired-symbolic");
      break;
    }
}

static void
update_bluetooth_state (ThNearbyPage *self)
{
  ThBleState state = th_ble_browser_get_state (self->ble);

  adw_action_row_set_subtitle (self->bluetooth_row, th_ble_browser_get_message (self->ble));
  gtk_image_set_from_icon_name (self->bluetooth_icon,
                                state == TH_BLE_STATE_SCANNING || state == TH_BLE_STATE_STARTING
                                ? "bluetooth-symbolic" : "bluetooth-disabled-symbolic");
  gtk_widget_set_visible (GTK_WIDGET (self->power_button), state == TH_BLE_STATE_POWERED_OFF);
  gtk_widget_set_sensitive (GTK_WIDGET (self->power_button), TRUE);
}

static void
on_powered_on (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  ThNearbyPage *self;
  GtkRoot *root;

  if (th_ble_browser_power_on_finish (TH_BLE_BROWSER (source), result, &error)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = TH_NEARBY_PAGE (user_data);
  gtk_widget_set_sensitive (GTK_WIDGET (self->power_button), TRUE);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (TH_IS_WINDOW (root))
    th_window_add_toast (TH_WINDOW (root), adw_toast_new (error->message));
}

static void
power_on_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ThNearbyPage *self = TH_NEARBY_PAGE (widget);

  gtk_widget_set_sensitive (GTK_WIDGET (self->power_button), FALSE);
  th_ble_browser_power_on_async (self->ble, self->cancellable, on_powered_on, self);
}

static void
th_nearby_page_map (GtkWidget *widget)
{
  ThNearbyPage *self = TH_NEARBY_PAGE (widget);
  ThDclClient *client = get_client (self);

  GTK_WIDGET_CLASS (th_nearby_page_parent_class)->map (widget);

  /* Names asked of another ledger are asked again. */
  if (client != self->client)
    {
      g_hash_table_remove_all (self->products);
      g_set_object (&self->client, client);
    }
  self->cancellable = g_cancellable_new ();
  /* Without Avahi the browser says so in its state, and waits for it. */
  th_dnssd_browser_start (self->dnssd, NULL);
  th_ble_browser_start (self->ble);
  update_network_state (self);
  update_bluetooth_state (self);
  rebuild (self);
}

static void
th_nearby_page_unmap (GtkWidget *widget)
{
  ThNearbyPage *self = TH_NEARBY_PAGE (widget);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* An answer cut short is asked again next time. */
  {
    GHashTableIter iter;
    ProductNames *names;

    g_hash_table_iter_init (&iter, self->products);
    while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &names))
      if (names->pending > 0)
        g_hash_table_iter_remove (&iter);
  }
  th_dnssd_browser_stop (self->dnssd);
  th_ble_browser_stop (self->ble);

  GTK_WIDGET_CLASS (th_nearby_page_parent_class)->unmap (widget);
}

static void
th_nearby_page_dispose (GObject *object)
{
  ThNearbyPage *self = TH_NEARBY_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->dnssd != NULL)
    g_signal_handlers_disconnect_by_data (self->dnssd, self);
  if (self->ble != NULL)
    g_signal_handlers_disconnect_by_data (self->ble, self);
  g_clear_object (&self->dnssd);
  g_clear_object (&self->ble);
  g_clear_object (&self->client);
  g_clear_pointer (&self->products, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), TH_TYPE_NEARBY_PAGE);

  G_OBJECT_CLASS (th_nearby_page_parent_class)->dispose (object);
}

static void
th_nearby_page_class_init (ThNearbyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = th_nearby_page_dispose;
  widget_class->map = th_nearby_page_map;
  widget_class->unmap = th_nearby_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/th-nearby-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ThNearbyPage, network_row);
  gtk_widget_class_bind_template_child (widget_class, ThNearbyPage, network_icon);
  gtk_widget_class_bind_template_child (widget_class, ThNearbyPage, bluetooth_row);
  gtk_widget_class_bind_template_child (widget_class, ThNearbyPage, bluetooth_icon);
  gtk_widget_class_bind_template_child (widget_class, ThNearbyPage, power_button);
  gtk_widget_class_bind_template_child (widget_class, ThNearbyPage, devices_group);
  gtk_widget_class_bind_template_child (widget_class, ThNearbyPage, list_box);
  gtk_widget_class_bind_template_child (widget_class, ThNearbyPage, empty_page);

  gtk_widget_class_install_action (widget_class, "nearby.power-on", NULL, power_on_action);
}

static void
th_nearby_page_init (ThNearbyPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  th_focus_skip_empty_status_pages (GTK_WIDGET (self));

  self->products = g_hash_table_new_full (NULL, NULL, NULL,
                                          (GDestroyNotify) product_names_free);
  self->dnssd = th_dnssd_browser_new (TH_DNSSD_SERVICE_COMMISSIONABLE, NULL);
  self->ble = th_ble_browser_new ();
  g_signal_connect_object (self->dnssd, "items-changed", G_CALLBACK (rebuild), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->ble, "items-changed", G_CALLBACK (rebuild), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dnssd, "notify::state", G_CALLBACK (update_network_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->ble, "notify::state", G_CALLBACK (update_bluetooth_state), self,
                           G_CONNECT_SWAPPED);
}
