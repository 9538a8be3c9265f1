/* th-ble.c: finding one Matter device over Bluetooth LE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "th-error.h"
#include "discovery/th-ble.h"
#include "discovery/th-ble-browser.h"
#include "discovery/th-deadline.h"

gboolean
th_ble_device_matches_discriminator (ThBleDevice *device,
                                     guint16      discriminator,
                                     gboolean     is_short)
{
  guint16 advertised = th_ble_device_get_discriminator (device);

  return (is_short ? advertised >> 8 : advertised) == discriminator;
}

typedef struct
{
  ThBleBrowser *browser;
  guint16 discriminator;
  gboolean is_short;
  guint timeout_ms;
  ThDeadline deadline;
  gulong items_handler;
  gulong state_handler;
} FindData;

static void
find_data_free (FindData *data)
{
  g_clear_object (&data->browser);
  g_free (data);
}

/* Stops looking and returns a device or an error (transfer full either). The handlers hold
 * a reference to the task, which this drops. */
static void
find_complete (GTask       *task,
               ThBleDevice *device,
               GError      *error)
{
  FindData *data = g_task_get_task_data (task);

  th_deadline_stop (&data->deadline);
  g_clear_signal_handler (&data->items_handler, data->browser);
  g_clear_signal_handler (&data->state_handler, data->browser);
  th_ble_browser_stop (data->browser);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, device, g_object_unref);
  g_object_unref (task);
}

/* A device in an extended announcement is not open for commissioning. */
static gboolean
find_matches (FindData    *data,
              ThBleDevice *device)
{
  return th_ble_device_matches_discriminator (device, data->discriminator, data->is_short) &&
         (th_ble_device_get_flags (device) & TH_BLE_FLAG_EXTENDED_ANNOUNCEMENT) == 0;
}

static void
on_find_items_changed (GListModel *model,
                       guint       position,
                       guint       removed,
                       guint       added,
                       gpointer    user_data)
{
  GTask *task = G_TASK (user_data);
  FindData *data = g_task_get_task_data (task);

  for (guint i = 0; i < added; i++)
    {
      g_autoptr(ThBleDevice) device = g_list_model_get_item (model, position + i);

      if (find_matches (data, device))
        {
          find_complete (task, g_steal_pointer (&device), NULL);
          return;
        }
    }
}

static void
on_find_state_changed (ThBleBrowser *browser,
                       GParamSpec   *pspec,
                       gpointer      user_data)
{
  const GError *error = th_ble_browser_get_error (browser);

  if (error != NULL)
    find_complete (G_TASK (user_data), NULL, g_error_copy (error));
}

static gboolean
on_find_timeout (gpointer user_data)
{
  GTask *task = G_TASK (user_data);
  FindData *data = g_task_get_task_data (task);

  find_complete (task, NULL,
                 g_error_new (TH_ERROR, TH_ERROR_BLE_NOT_FOUND,
                              data->is_short
                              ? _("No device with the short discriminator %u advertised over "
                                  "Bluetooth within %.1f seconds: check that it is on, nearby "
                                  "and in pairing mode")
                              : _("No device with the discriminator %u advertised over "
                                  "Bluetooth within %.1f seconds: check that it is on, nearby "
                                  "and in pairing mode"),
                              data->discriminator, data->timeout_ms / 1000.0));
  return G_SOURCE_REMOVE;
}

static gboolean
on_find_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  find_complete (G_TASK (user_data), NULL, error);
  return G_SOURCE_REMOVE;
}

void
th_ble_find_commissionable_async (guint16              discriminator,
                                  gboolean             is_short,
                                  guint                timeout_ms,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;
  FindData *data;

  g_return_if_fail (discriminator <= (is_short ? 0xF : 0xFFF));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_ble_find_commissionable_async);
  data = g_new0 (FindData, 1);
  data->discriminator = discriminator;
  data->is_short = is_short;
  data->timeout_ms = timeout_ms;
  data->browser = th_ble_browser_new ();
  g_task_set_task_data (task, data, (GDestroyNotify) find_data_free);

  /* The handlers hold the task until find_complete(). */
  data->items_handler = g_signal_connect (data->browser, "items-changed",
                                          G_CALLBACK (on_find_items_changed), task);
  data->state_handler = g_signal_connect (data->browser, "notify::state",
                                          G_CALLBACK (on_find_state_changed), task);
  th_deadline_start (&data->deadline, timeout_ms, cancellable, on_find_timeout,
                     on_find_cancelled, task);
  th_ble_browser_start (data->browser);
}

ThBleDevice *
th_ble_find_commissionable_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        th_ble_find_commissionable_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
