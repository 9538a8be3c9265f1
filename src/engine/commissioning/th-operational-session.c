/* th-operational-session.c: a CASE session with a node of the home, wherever it is
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "discovery/th-dnssd.h"
#include "secure-channel/th-case.h"
#include "th-error.h"
#include "th-operational-session.h"

typedef struct
{
  ThExchangeManager *manager;
  ThCaseIdentity *identity;
  guint64 node_id;
  guint resolve_timeout_ms;
  GSocketAddress *address;      /* where CASE is being tried */
  gboolean resolved;            /* the address came from DNS-SD */
  GError *address_error;        /* why the address given first did not answer */
} Open;

static void
open_free (gpointer data)
{
  Open *open = data;

  g_clear_object (&open->manager);
  g_clear_pointer (&open->identity, th_case_identity_unref);
  g_clear_object (&open->address);
  g_clear_error (&open->address_error);
  g_free (open);
}

guint64
th_case_identity_get_compressed_fabric_id_value (ThCaseIdentity *identity)
{
  const guint8 *cfid = th_case_identity_get_compressed_fabric_id (identity);
  guint64 value = 0;

  for (guint i = 0; i < TH_COMPRESSED_FABRIC_ID_LEN; i++)
    value = value << 8 | cfid[i];
  return value;
}

/* Nothing answered there: the node may be elsewhere. A node that answered and refused is
 * where it was looked for. */
static gboolean
is_unreachable (const GError *error)
{
  return g_error_matches (error, TH_ERROR, TH_ERROR_TIMED_OUT)
         || g_error_matches (error, TH_ERROR, TH_ERROR_TRANSPORT);
}

static void on_established (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data);

static void
try_case (GTask                 *task,
          const ThMrpParameters *peer_mrp_parameters)
{
  Open *open = g_task_get_task_data (task);

  th_case_establish_async (open->manager, open->address, peer_mrp_parameters, open->identity,
                           open->node_id, g_task_get_cancellable (task), on_established, task);
}

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Open *open = g_task_get_task_data (task);
  g_autoptr(ThDiscoveredDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  ThMrpParameters mrp;

  device = th_dnssd_resolve_operational_finish (result, &error);
  if (device == NULL)
    {
      if (open->address_error != NULL && !g_error_matches (error, G_IO_ERROR,
                                                           G_IO_ERROR_CANCELLED))
        {
          g_autofree char *message = g_strdup_printf (
            /* Translators: the first %s is why an address did not answer, the second why
             * DNS-SD did not find the node */
            _("%s; and looking for it on the network failed: %s"),
            open->address_error->message, error->message);

          g_free (error->message);
          error->message = g_steal_pointer (&message);
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  open->resolved = TRUE;
  g_set_object (&open->address, g_ptr_array_index (th_discovered_device_get_addresses (device),
                                                   0));
  th_dnssd_txt_get_mrp_parameters (th_discovered_device_get_txt (device), &mrp);
  try_case (g_steal_pointer (&task), &mrp);
}

static void
resolve (GTask *task)
{
  Open *open = g_task_get_task_data (task);

  th_dnssd_resolve_operational_async (
    th_case_identity_get_compressed_fabric_id_value (open->identity), open->node_id,
    open->resolve_timeout_ms, g_task_get_cancellable (task), on_resolved, task);
}

static void
on_established (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Open *open = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  ThSession *session;

  session = th_case_establish_finish (open->manager, result, &error);
  if (session != NULL)
    {
      g_task_return_pointer (task, session, g_object_unref);
      return;
    }
  /* The address given first did not answer: the node's record says where it is now. */
  if (!open->resolved && is_unreachable (error))
    {
      g_autofree char *where = th_socket_address_to_string (open->address);

      g_debug ("Node %016" G_GINT64_MODIFIER "X did not answer CASE at %s (%s); resolving it",
               open->node_id, where, error->message);
      open->address_error = g_steal_pointer (&error);
      resolve (g_steal_pointer (&task));
      return;
    }
  g_task_return_error (task, g_steal_pointer (&error));
}

void
th_operational_session_open_async (ThExchangeManager      *manager,
                                   ThCaseIdentity         *identity,
                                   guint64                 node_id,
                                   GSocketAddress         *address,
                                   const ThMrpParameters  *peer_mrp_parameters,
                                   guint                   resolve_timeout_ms,
                                   GCancellable           *cancellable,
                                   GAsyncReadyCallback     callback,
                                   gpointer                user_data)
{
  GTask *task;
  Open *open;

  g_return_if_fail (TH_IS_EXCHANGE_MANAGER (manager));
  g_return_if_fail (identity != NULL);
  g_return_if_fail (address == NULL || G_IS_SOCKET_ADDRESS (address));

  task = g_task_new (manager, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_operational_session_open_async);
  open = g_new0 (Open, 1);
  open->manager = g_object_ref (manager);
  open->identity = th_case_identity_ref (identity);
  open->node_id = node_id;
  open->resolve_timeout_ms = resolve_timeout_ms;
  g_task_set_task_data (task, open, open_free);

  if (address == NULL)
    {
      resolve (task);
      return;
    }
  open->address = g_object_ref (address);
  try_case (task, peer_mrp_parameters);
}

ThSession *
th_operational_session_open_finish (ThExchangeManager  *manager,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, manager), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        th_operational_session_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
