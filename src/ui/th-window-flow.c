/* th-window-flow.c: the way from a code to an added device, page after page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

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

void
th_window_show_device (ThWindow             *self,
                       const ThSetupPayload *payload,
                       ThDiscoveredDevice   *device)
{
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func ((GDestroyNotify) th_setup_payload_free);

  g_return_if_fail (TH_IS_WINDOW (self));

  g_ptr_array_add (payloads, th_setup_payload_copy (payload));
  th_window_commission (self, payloads, NULL);
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
  g_return_val_if_fail (TH_IS_WINDOW (self), FALSE);

  th_window_add_toast (self, adw_toast_new (_("No device setup is waiting for this link.")));
  return FALSE;
}
