/* th-dnssd.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "th-error.h"
#include "discovery/th-dnssd.h"
#include "discovery/th-deadline.h"
#include "discovery/th-dnssd-avahi.h"
#include "discovery/th-dnssd-browser.h"
#include "discovery/th-dnssd-resolver.h"

char *
th_dnssd_operational_instance_name (guint64 compressed_fabric_id,
                                    guint64 node_id)
{
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "X-%016" G_GINT64_MODIFIER "X",
                          compressed_fabric_id, node_id);
}

typedef struct
{
  ThDnssdBrowser *browser;
  guint16 discriminator;
  gboolean is_short;
  guint timeout_ms;
  gboolean saw_closed;         /* a matching node answered, but not open for commissioning */
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

/* Stops looking and returns: a device or an error (transfer full either). The handlers hold
 * a reference to the task, which this drops. */
static void
find_complete (GTask              *task,
               ThDiscoveredDevice *device,
               GError             *error)
{
  FindData *data = g_task_get_task_data (task);

  th_deadline_stop (&data->deadline);
  g_clear_signal_handler (&data->items_handler, data->browser);
  g_clear_signal_handler (&data->state_handler, data->browser);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, device, g_object_unref);
  /* After the answer: stopping takes Avahi a few blocking D-Bus calls, which would hold up
   * whatever the caller does with the device first, such as starting PASE. */
  th_dnssd_browser_stop (data->browser);
  g_object_unref (task);
}

static gboolean
find_matches (FindData           *data,
              ThDiscoveredDevice *device)
{
  ThDnssdTxt *txt = th_discovered_device_get_txt (device);

  /* The subtype says the discriminator already; a TXT record that says otherwise wins. */
  if (txt->present & TH_DNSSD_TXT_D)
    {
      guint16 discriminator = data->is_short ? txt->discriminator >> 8 : txt->discriminator;

      if (discriminator != data->discriminator)
        return FALSE;
    }
  if ((txt->present & TH_DNSSD_TXT_CM) && txt->commissioning_mode == TH_COMMISSIONING_MODE_CLOSED)
    {
      data->saw_closed = TRUE;
      return FALSE;
    }
  return TRUE;
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
      g_autoptr(ThDiscoveredDevice) device = g_list_model_get_item (model, position + i);

      if (find_matches (data, device))
        {
          find_complete (task, g_steal_pointer (&device), NULL);
          return;
        }
    }
}

static void
on_find_state_changed (ThDnssdBrowser *browser,
                       GParamSpec     *pspec,
                       gpointer        user_data)
{
  if (th_dnssd_browser_get_state (browser) == TH_DNSSD_STATE_UNAVAILABLE)
    find_complete (G_TASK (user_data), NULL, g_error_copy (th_dnssd_browser_get_error (browser)));
}

static gboolean
on_find_timeout (gpointer user_data)
{
  GTask *task = G_TASK (user_data);
  FindData *data = g_task_get_task_data (task);
  GError *error;

  if (data->saw_closed)
    error = g_error_new (TH_ERROR, TH_ERROR_DNSSD_NOT_IN_COMMISSIONING_MODE,
                         data->is_short
                         ? _("A device with the short discriminator %u is on the network, but "
                             "it is not open for commissioning: put it in pairing mode as its "
                             "manual says, and try again")
                         : _("A device with the discriminator %u is on the network, but it is "
                             "not open for commissioning: put it in pairing mode as its manual "
                             "says, and try again"),
                         data->discriminator);
  else
    error = g_error_new (TH_ERROR, TH_ERROR_DNSSD_NOT_FOUND,
                         data->is_short
                         ? _("No device with the short discriminator %u answered on the network "
                             "within %.1f seconds: check that it is on, in pairing mode and on "
                             "the same network as this computer, or use Bluetooth")
                         : _("No device with the discriminator %u answered on the network "
                             "within %.1f seconds: check that it is on, in pairing mode and on "
                             "the same network as this computer, or use Bluetooth"),
                         data->discriminator, data->timeout_ms / 1000.0);
  find_complete (task, NULL, error);
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
th_dnssd_find_commissionable_async (guint16              discriminator,
                                    gboolean             is_short,
                                    guint                timeout_ms,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *subtype = NULL;
  GError *error = NULL;
  FindData *data;

  g_return_if_fail (discriminator <= (is_short ? 0xF : 0xFFF));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_dnssd_find_commissionable_async);

  data = g_new0 (FindData, 1);
  data->discriminator = discriminator;
  data->is_short = is_short;
  data->timeout_ms = timeout_ms;
  subtype = th_dnssd_subtype_name (is_short ? TH_DNSSD_SUBTYPE_SHORT_DISCRIMINATOR
                                            : TH_DNSSD_SUBTYPE_LONG_DISCRIMINATOR,
                                   discriminator);
  data->browser = th_dnssd_browser_new (TH_DNSSD_SERVICE_COMMISSIONABLE, subtype);
  g_task_set_task_data (task, data, (GDestroyNotify) find_data_free);

  if (!th_dnssd_browser_start (data->browser, &error))
    {
      th_dnssd_browser_stop (data->browser);
      g_task_return_error (task, error);
      return;
    }

  /* from here on the handlers hold the task, until find_complete() */
  data->items_handler = g_signal_connect (data->browser, "items-changed",
                                          G_CALLBACK (on_find_items_changed), task);
  data->state_handler = g_signal_connect (data->browser, "notify::state",
                                          G_CALLBACK (on_find_state_changed), task);
  th_deadline_start (&data->deadline, timeout_ms, cancellable, on_find_timeout,
                           on_find_cancelled, task);
  g_steal_pointer (&task);
}

ThDiscoveredDevice *
th_dnssd_find_commissionable_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        th_dnssd_find_commissionable_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_operational_resolved (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = G_TASK (user_data);
  GError *error = NULL;
  ThDiscoveredDevice *device;

  device = th_dnssd_resolver_resolve_finish (TH_DNSSD_RESOLVER (source), result, &error);
  if (device == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, device, g_object_unref);
}

void
th_dnssd_resolve_operational_async (guint64              compressed_fabric_id,
                                    guint64              node_id,
                                    guint                timeout_ms,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autofree char *name = th_dnssd_operational_instance_name (compressed_fabric_id, node_id);
  g_autoptr(ThDnssdResolver) resolver = th_dnssd_resolver_new (TH_DNSSD_SERVICE_OPERATIONAL,
                                                               name);
  GTask *task;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_dnssd_resolve_operational_async);
  th_dnssd_resolver_resolve_async (resolver, timeout_ms, cancellable, on_operational_resolved,
                                   task);
}

ThDiscoveredDevice *
th_dnssd_resolve_operational_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        th_dnssd_resolve_operational_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
