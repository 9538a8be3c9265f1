/* th-window-flow.c: the way from a code to an added device, page after page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "th-device-page.h"
#include "th-progress-page.h"
#include "th-window.h"

void
th_window_add_devices (ThWindow  *self,
                       GPtrArray *payloads)
{
  g_return_if_fail (TH_IS_WINDOW (self));
  g_return_if_fail (payloads != NULL && payloads->len > 0);

  if (payloads->len == 1)
    th_window_show_device (self, g_ptr_array_index (payloads, 0), NULL);
  else
    th_window_commission (self, payloads, NULL);
}

static void
push_device_page (ThWindow             *self,
                  const ThSetupPayload *payload,
                  ThDiscoveredDevice   *device,
                  ThBleDevice          *ble_device)
{
  ThApplication *application = TH_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  ThDclClient *client = application != NULL ? th_application_get_dcl_client (application) : NULL;

  th_window_push_page (self, th_device_page_new (client, payload, device, ble_device));
}

void
th_window_show_device (ThWindow             *self,
                       const ThSetupPayload *payload,
                       ThDiscoveredDevice   *device)
{
  g_return_if_fail (TH_IS_WINDOW (self));
  g_return_if_fail (payload != NULL || TH_IS_DISCOVERED_DEVICE (device));

  push_device_page (self, payload, device, NULL);
}

void
th_window_show_nearby_device (ThWindow           *self,
                              ThDiscoveredDevice *device,
                              ThBleDevice        *ble_device)
{
  g_return_if_fail (TH_IS_WINDOW (self));
  g_return_if_fail (TH_IS_DISCOVERED_DEVICE (device) || TH_IS_BLE_DEVICE (ble_device));

  push_device_page (self, NULL, device, ble_device);
}

void
th_window_commission (ThWindow       *self,
                      GPtrArray      *payloads,
                      GSocketAddress *address)
{
  GtkWidget *page;

  g_return_if_fail (TH_IS_WINDOW (self));
  g_return_if_fail (payloads != NULL && payloads->len > 0);

  page = th_progress_page_new (payloads, address);
  th_window_push_page (self, page);
  th_progress_page_start (TH_PROGRESS_PAGE (page));
}

gboolean
th_window_open_uri (ThWindow   *self,
                    const char *uri)
{
  GtkWidget *page;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (TH_IS_WINDOW (self), FALSE);

  /* Only the page on top can wait: a page left is dropped, and its setup with it. */
  page = th_window_get_top_page (self);
  if (!TH_IS_DEVICE_PAGE (page) || !th_device_page_is_waiting (TH_DEVICE_PAGE (page)))
    {
      th_window_add_toast (self, adw_toast_new (_("No device setup is waiting for this link.")));
      return FALSE;
    }
  /* The page says why when it refuses the link. */
  return th_device_page_open_uri (TH_DEVICE_PAGE (page), uri, &error);
}
