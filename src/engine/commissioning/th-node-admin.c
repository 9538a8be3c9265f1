/* th-node-admin.c: looking after a node of the home: sharing it with another commissioner,
 * renaming, identifying and removing it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "clusters/th-clusters.h"
#include "crypto/th-crypto.h"
#include "crypto/th-spake2p.h"
#include "th-error.h"
#include "th-node-admin.h"
#include "tlv/th-tlv.h"

/* PBKDF2 iterations of a window's verifier: well inside 1000..100000, and the other
 * commissioner's PASE derives the same at a cost of a few milliseconds. */
#define WINDOW_PBKDF_ITERATIONS 10000
#define WINDOW_SALT_LEN 32

void
th_commissioning_window_free (ThCommissioningWindow *window)
{
  if (window == NULL)
    return;
  g_clear_pointer (&window->payload, th_setup_payload_free);
  if (window->qr_text != NULL)
    explicit_bzero (window->qr_text, strlen (window->qr_text));
  if (window->manual_code != NULL)
    explicit_bzero (window->manual_code, strlen (window->manual_code));
  g_free (window->qr_text);
  g_free (window->manual_code);
  g_free (window);
}

gboolean
th_node_admin_random_passcode (guint32  *passcode,
                               GError  **error)
{
  /* The largest multiple of the number of candidates that fits 32 bits: values at or above it
   * are drawn again, so that every passcode is as likely as any other. */
  const guint64 limit = (G_GUINT64_CONSTANT (1) << 32) / TH_PASSCODE_MAX * TH_PASSCODE_MAX;

  for (;;)
    {
      guint8 bytes[4];
      guint32 value;

      if (!th_random_bytes (bytes, sizeof bytes, error))
        return FALSE;
      value = (guint32) bytes[0] | (guint32) bytes[1] << 8 | (guint32) bytes[2] << 16
              | (guint32) bytes[3] << 24;
      explicit_bzero (bytes, sizeof bytes);
      if (value >= limit)
        continue;
      value = value % TH_PASSCODE_MAX + 1;
      if (th_passcode_check (value) == TH_PASSCODE_VALID)
        {
          *passcode = value;
          return TRUE;
        }
    }
}

static ThExchangeManager *
manager_of (ThNodeConnection *connection)
{
  return th_node_connection_get_manager (connection);
}

static ThSession *
session_of (ThNodeConnection *connection)
{
  return th_node_connection_get_session (connection);
}

/* ---- the commissioning window ---- */

typedef struct
{
  guint timeout_seconds;
  ThCommissioningWindow *window;
} OpenWindow;

static void
open_window_free (OpenWindow *open)
{
  th_commissioning_window_free (open->window);
  g_free (open);
}

static void
on_window_opened (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OpenWindow *open = g_task_get_task_data (task);
  GError *error = NULL;

  if (!th_im_invoke_finish (TH_EXCHANGE_MANAGER (source), result, NULL, &error))
    {
      g_prefix_error (&error, _("The device did not open a commissioning window: "));
      g_task_return_error (task, error);
      return;
    }
  /* The node counts from when it accepted the command, a moment before this. */
  open->window->expires_at = g_get_real_time () + (gint64) open->timeout_seconds * G_USEC_PER_SEC;
  g_task_return_pointer (task, g_steal_pointer (&open->window),
                         (GDestroyNotify) th_commissioning_window_free);
}

/* The window's payload, codes and verifier; the command's fields in `fields`. */
static ThCommissioningWindow *
prepare_window (guint     timeout_seconds,
                guint16   vendor_id,
                guint16   product_id,
                GBytes  **fields,
                GError  **error)
{
  g_autoptr(ThCommissioningWindow) window = g_new0 (ThCommissioningWindow, 1);
  ThSetupPayload *payload = th_setup_payload_new ();
  guint8 salt[WINDOW_SALT_LEN];
  guint8 verifier[TH_SPAKE2P_VERIFIER_LEN];
  guint8 discriminator[2];
  gboolean ok;

  window->payload = payload;
  window->timeout_seconds = timeout_seconds;
  payload->format = TH_PAYLOAD_FORMAT_QR;
  payload->has_vendor_product = TRUE;
  payload->vendor_id = vendor_id;
  payload->product_id = product_id;
  payload->flow = TH_COMMISSIONING_FLOW_STANDARD;
  payload->has_capabilities = TRUE;
  payload->capabilities = TH_DISCOVERY_ON_NETWORK;
  payload->passcode_validity = TH_PASSCODE_VALID;

  if (!th_node_admin_random_passcode (&payload->passcode, error)
      || !th_random_bytes (salt, sizeof salt, error)
      || !th_random_bytes (discriminator, sizeof discriminator, error))
    return NULL;
  payload->discriminator = (discriminator[0] | discriminator[1] << 8) & TH_DISCRIMINATOR_MAX;

  ok = th_spake2p_compute_verifier (payload->passcode, salt, sizeof salt,
                                    WINDOW_PBKDF_ITERATIONS, verifier, error);
  if (ok)
    *fields = th_administrator_commissioning_encode_open_commissioning_window (
      (guint16) timeout_seconds, verifier, payload->discriminator, WINDOW_PBKDF_ITERATIONS,
      salt, sizeof salt);
  explicit_bzero (verifier, sizeof verifier);
  if (!ok)
    return NULL;

  window->qr_text = th_setup_payload_encode_qr (payload, error);
  if (window->qr_text == NULL)
    return NULL;
  window->manual_code = th_setup_payload_encode_manual (payload, error);
  if (window->manual_code == NULL)
    return NULL;
  return g_steal_pointer (&window);
}

static void
on_window_info_read (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ThNodeConnection *connection = TH_NODE_CONNECTION (source);
  OpenWindow *open = g_task_get_task_data (task);
  g_autoptr(ThImAttributeValues) values = NULL;
  g_autoptr(GBytes) fields = NULL;
  guint64 vendor_id, product_id, status;
  ThImCommand command = {
    .endpoint = TH_ROOT_ENDPOINT,
    .cluster = TH_CLUSTER_ADMINISTRATOR_COMMISSIONING,
    .command = TH_ADMINISTRATOR_COMMISSIONING_CMD_OPEN_COMMISSIONING_WINDOW,
  };
  GError *error = NULL;

  values = th_node_connection_read_finish (connection, result, &error);
  if (values == NULL
      || !th_im_attribute_values_get_uint (values, TH_ROOT_ENDPOINT,
                                           TH_CLUSTER_BASIC_INFORMATION,
                                           TH_BASIC_INFORMATION_ATTR_VENDOR_ID, G_MAXUINT16,
                                           &vendor_id, &error)
      || !th_im_attribute_values_get_uint (values, TH_ROOT_ENDPOINT,
                                           TH_CLUSTER_BASIC_INFORMATION,
                                           TH_BASIC_INFORMATION_ATTR_PRODUCT_ID, G_MAXUINT16,
                                           &product_id, &error)
      || !th_im_attribute_values_get_uint (values, TH_ROOT_ENDPOINT,
                                           TH_CLUSTER_ADMINISTRATOR_COMMISSIONING,
                                           TH_ADMINISTRATOR_COMMISSIONING_ATTR_WINDOW_STATUS,
                                           G_MAXUINT8, &status, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (status != TH_WINDOW_STATUS_NOT_OPEN)
    {
      g_autofree char *reason = th_administrator_commissioning_status_describe (
        TH_ADMINISTRATOR_COMMISSIONING_STATUS_BUSY);

      g_task_return_new_error (task, TH_ERROR, TH_ERROR_BUSY,
                               _("The device did not open a commissioning window: %s"), reason);
      return;
    }

  open->window = prepare_window (open->timeout_seconds, (guint16) vendor_id,
                                 (guint16) product_id, &fields, &error);
  if (open->window == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  command.fields = fields;
  th_im_invoke_async (manager_of (connection), session_of (connection), &command,
                      TH_IM_NO_RESPONSE_COMMAND, TH_NODE_ADMIN_TIMED_MS,
                      g_task_get_cancellable (task), on_window_opened, g_object_ref (task));
}

void
th_node_open_commissioning_window_async (ThNodeConnection    *connection,
                                         guint                timeout_seconds,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  const ThImAttributePath paths[] = {
    TH_IM_ATTRIBUTE_PATH (TH_ROOT_ENDPOINT, TH_CLUSTER_BASIC_INFORMATION,
                          TH_BASIC_INFORMATION_ATTR_VENDOR_ID),
    TH_IM_ATTRIBUTE_PATH (TH_ROOT_ENDPOINT, TH_CLUSTER_BASIC_INFORMATION,
                          TH_BASIC_INFORMATION_ATTR_PRODUCT_ID),
    TH_IM_ATTRIBUTE_PATH (TH_ROOT_ENDPOINT, TH_CLUSTER_ADMINISTRATOR_COMMISSIONING,
                          TH_ADMINISTRATOR_COMMISSIONING_ATTR_WINDOW_STATUS),
  };
  g_autoptr(GTask) task = NULL;
  OpenWindow *open;

  g_return_if_fail (TH_IS_NODE_CONNECTION (connection));
  g_return_if_fail (timeout_seconds >= TH_COMMISSIONING_WINDOW_MIN_SECONDS
                    && timeout_seconds <= TH_COMMISSIONING_WINDOW_MAX_SECONDS);

  task = g_task_new (connection, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_node_open_commissioning_window_async);
  open = g_new0 (OpenWindow, 1);
  open->timeout_seconds = timeout_seconds;
  g_task_set_task_data (task, open, (GDestroyNotify) open_window_free);
  th_node_connection_read_async (connection, paths, G_N_ELEMENTS (paths), cancellable,
                                 on_window_info_read, g_steal_pointer (&task));
}

ThCommissioningWindow *
th_node_open_commissioning_window_finish (ThNodeConnection  *connection,
                                          GAsyncResult      *result,
                                          GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_revoked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!th_im_invoke_finish (TH_EXCHANGE_MANAGER (source), result, NULL, &error))
    {
      g_prefix_error (&error, _("The commissioning window was not closed: "));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
th_node_revoke_commissioning_async (ThNodeConnection    *connection,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  const ThImCommand command = {
    .endpoint = TH_ROOT_ENDPOINT,
    .cluster = TH_CLUSTER_ADMINISTRATOR_COMMISSIONING,
    .command = TH_ADMINISTRATOR_COMMISSIONING_CMD_REVOKE_COMMISSIONING,
  };
  GTask *task;

  g_return_if_fail (TH_IS_NODE_CONNECTION (connection));

  task = g_task_new (connection, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_node_revoke_commissioning_async);
  th_im_invoke_async (manager_of (connection), session_of (connection), &command,
                      TH_IM_NO_RESPONSE_COMMAND, TH_NODE_ADMIN_TIMED_MS, cancellable,
                      on_revoked, task);
}

gboolean
th_node_revoke_commissioning_finish (ThNodeConnection  *connection,
                                     GAsyncResult      *result,
                                     GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_window_status_read (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(ThImAttributeValues) values = NULL;
  guint64 status;
  GError *error = NULL;

  values = th_node_connection_read_finish (TH_NODE_CONNECTION (source), result, &error);
  if (values == NULL
      || !th_im_attribute_values_get_uint (values, TH_ROOT_ENDPOINT,
                                           TH_CLUSTER_ADMINISTRATOR_COMMISSIONING,
                                           TH_ADMINISTRATOR_COMMISSIONING_ATTR_WINDOW_STATUS,
                                           TH_WINDOW_STATUS_BASIC_OPEN, &status, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_int (task, (gssize) status);
}

void
th_node_read_window_status_async (ThNodeConnection    *connection,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  const ThImAttributePath path =
    TH_IM_ATTRIBUTE_PATH (TH_ROOT_ENDPOINT, TH_CLUSTER_ADMINISTRATOR_COMMISSIONING,
                          TH_ADMINISTRATOR_COMMISSIONING_ATTR_WINDOW_STATUS);
  GTask *task;

  g_return_if_fail (TH_IS_NODE_CONNECTION (connection));

  task = g_task_new (connection, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_node_read_window_status_async);
  th_node_connection_read_async (connection, &path, 1, cancellable, on_window_status_read,
                                 task);
}

gboolean
th_node_read_window_status_finish (ThNodeConnection  *connection,
                                   GAsyncResult      *result,
                                   ThWindowStatus    *status,
                                   GError           **error)
{
  GError *local_error = NULL;
  gssize value;

  g_return_val_if_fail (g_task_is_valid (result, connection), FALSE);

  value = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  *status = (ThWindowStatus) value;
  return TRUE;
}

/* ---- the label ---- */

gboolean
th_node_label_validate (const char  *label,
                        GError     **error)
{
  gsize len;

  g_return_val_if_fail (label != NULL, FALSE);

  len = strlen (label);
  if (!g_utf8_validate (label, len, NULL))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_NODE_LABEL,
                   _("The name is not valid UTF-8 text."));
      return FALSE;
    }
  if (len > TH_NODE_LABEL_MAX_LEN)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_NODE_LABEL,
                   _("The name is %" G_GSIZE_FORMAT " bytes long; a device keeps at most %d. "
                     "Use a shorter name."), len, TH_NODE_LABEL_MAX_LEN);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  ThStore *store;
  char *label;
} SetLabel;

static void
set_label_free (SetLabel *set)
{
  g_free (set->label);
  g_free (set);
}

static void
on_label_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ThNodeConnection *connection = g_task_get_source_object (task);
  SetLabel *set = g_task_get_task_data (task);
  g_autoptr(ThStoredNode) node = NULL;
  GError *error = NULL;

  if (!th_im_write_finish (TH_EXCHANGE_MANAGER (source), result, &error))
    {
      g_prefix_error (&error, _("The device did not take the new name: "));
      g_task_return_error (task, error);
      return;
    }
  /* The record as it is now, not as it was when the connection opened: another process may
   * have changed it meanwhile. */
  node = th_store_lookup_node (set->store, th_node_connection_get_node (connection)->node_id,
                               &error);
  if (node != NULL)
    {
      g_free (node->node_label);
      node->node_label = g_strdup (set->label);
    }
  if (node == NULL || !th_store_update_node (set->store, node, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
th_node_set_label_async (ThNodeConnection    *connection,
                         ThStore             *store,
                         const char          *label,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  const ThImAttributePath path =
    TH_IM_ATTRIBUTE_PATH (TH_ROOT_ENDPOINT, TH_CLUSTER_BASIC_INFORMATION,
                          TH_BASIC_INFORMATION_ATTR_NODE_LABEL);
  g_auto(ThTlvWriter) writer = { 0 };
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GTask) task = NULL;
  SetLabel *set;
  GError *error = NULL;

  g_return_if_fail (TH_IS_NODE_CONNECTION (connection));
  g_return_if_fail (store != NULL);
  g_return_if_fail (label != NULL);

  task = g_task_new (connection, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_node_set_label_async);
  if (!th_node_label_validate (label, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  set = g_new0 (SetLabel, 1);
  set->store = store;
  set->label = g_strdup (label);
  g_task_set_task_data (task, set, (GDestroyNotify) set_label_free);

  th_tlv_writer_init (&writer);
  th_tlv_writer_put_string (&writer, TH_TLV_ANONYMOUS, label, -1);
  data = th_tlv_writer_finish (&writer);
  th_im_write_async (manager_of (connection), session_of (connection), &path, data, 0,
                     cancellable, on_label_written, g_steal_pointer (&task));
}

gboolean
th_node_set_label_finish (ThNodeConnection  *connection,
                          GAsyncResult      *result,
                          GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- identify ---- */

typedef struct
{
  guint16 seconds;
  guint pending;
  guint n_endpoints;
  GError *error;
} Identify;

static void
identify_free (Identify *identify)
{
  g_clear_error (&identify->error);
  g_free (identify);
}

static void
on_identified (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Identify *identify = g_task_get_task_data (task);
  GError *error = NULL;

  if (!th_im_invoke_finish (TH_EXCHANGE_MANAGER (source), result, NULL, &error))
    {
      if (identify->error == NULL)
        identify->error = error;
      else
        g_error_free (error);
    }
  if (--identify->pending > 0)
    return;
  if (identify->error != NULL)
    g_task_return_error (task, g_steal_pointer (&identify->error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_server_lists_read (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ThNodeConnection *connection = TH_NODE_CONNECTION (source);
  Identify *identify = g_task_get_task_data (task);
  g_autoptr(ThImAttributeValues) values = NULL;
  g_autoptr(GArray) paths = NULL;
  g_autoptr(GArray) endpoints = g_array_new (FALSE, FALSE, sizeof (guint16));
  g_autoptr(GBytes) fields = NULL;
  GError *error = NULL;

  values = th_node_connection_read_finish (connection, result, &error);
  if (values == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  paths = th_im_attribute_values_get_paths (values);
  for (guint i = 0; i < paths->len; i++)
    {
      const ThImAttributePath *path = &g_array_index (paths, ThImAttributePath, i);
      g_autoptr(GArray) clusters = NULL;
      g_autoptr(GError) ignored = NULL;

      if (path->cluster != TH_CLUSTER_DESCRIPTOR
          || path->attribute != TH_DESCRIPTOR_ATTR_SERVER_LIST)
        continue;
      /* An endpoint whose list cannot be read is one that cannot be asked to identify. */
      clusters = th_im_attribute_values_get_uint_array (values, path->endpoint,
                                                        TH_CLUSTER_DESCRIPTOR,
                                                        TH_DESCRIPTOR_ATTR_SERVER_LIST,
                                                        G_MAXUINT32, &ignored);
      for (guint j = 0; clusters != NULL && j < clusters->len; j++)
        if (g_array_index (clusters, guint32, j) == TH_CLUSTER_IDENTIFY)
          {
            g_array_append_val (endpoints, path->endpoint);
            break;
          }
    }
  if (endpoints->len == 0)
    {
      const ThStoredNode *node = th_node_connection_get_node (connection);

      g_task_return_new_error (task, TH_ERROR, TH_ERROR_NODE_LACKS_CLUSTER,
                               _("Node %" G_GUINT64_FORMAT " cannot identify itself: it has "
                                 "no Identify cluster."), node->node_id);
      return;
    }

  fields = th_identify_encode_identify (identify->seconds);
  identify->n_endpoints = endpoints->len;
  identify->pending = endpoints->len;
  for (guint i = 0; i < endpoints->len; i++)
    {
      const ThImCommand command = {
        .endpoint = g_array_index (endpoints, guint16, i),
        .cluster = TH_CLUSTER_IDENTIFY,
        .command = TH_IDENTIFY_CMD_IDENTIFY,
        .fields = fields,
      };

      th_im_invoke_async (manager_of (connection), session_of (connection), &command,
                          TH_IM_NO_RESPONSE_COMMAND, 0, g_task_get_cancellable (task),
                          on_identified, g_object_ref (task));
    }
}

void
th_node_identify_async (ThNodeConnection    *connection,
                        guint16              seconds,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  const ThImAttributePath path =
    TH_IM_ATTRIBUTE_PATH (TH_IM_ENDPOINT_WILDCARD, TH_CLUSTER_DESCRIPTOR,
                          TH_DESCRIPTOR_ATTR_SERVER_LIST);
  Identify *identify;
  GTask *task;

  g_return_if_fail (TH_IS_NODE_CONNECTION (connection));

  task = g_task_new (connection, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_node_identify_async);
  identify = g_new0 (Identify, 1);
  identify->seconds = seconds;
  g_task_set_task_data (task, identify, (GDestroyNotify) identify_free);
  th_node_connection_read_async (connection, &path, 1, cancellable, on_server_lists_read,
                                 task);
}

gboolean
th_node_identify_finish (ThNodeConnection  *connection,
                         GAsyncResult      *result,
                         guint             *n_endpoints,
                         GError           **error)
{
  Identify *identify;

  g_return_val_if_fail (g_task_is_valid (result, connection), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  identify = g_task_get_task_data (G_TASK (result));
  if (n_endpoints != NULL)
    *n_endpoints = identify->n_endpoints;
  return TRUE;
}

/* ---- removal ---- */

static void
on_fabric_removed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ThNodeConnection *connection = g_task_get_source_object (task);
  ThStore *store = g_task_get_task_data (task);
  g_autoptr(GBytes) fields = NULL;
  g_auto(ThNocResponse) response = { 0 };
  const guint8 *data;
  gsize len;
  GError *error = NULL;

  if (!th_im_invoke_finish (TH_EXCHANGE_MANAGER (source), result, &fields, &error))
    {
      g_prefix_error (&error, _("The device did not leave the home: "));
      g_task_return_error (task, error);
      return;
    }
  data = g_bytes_get_data (fields, &len);
  if (!th_noc_response_decode (data, len, &response, &error)
      || !th_noc_response_check (&response, "RemoveFabric", &error))
    {
      g_prefix_error (&error, _("The device did not leave the home: "));
      g_task_return_error (task, error);
      return;
    }
  /* The node has forgotten the home; now the home forgets the node. */
  if (!th_store_remove_node (store, th_node_connection_get_node (connection)->node_id, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_fabric_index_read (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ThNodeConnection *connection = TH_NODE_CONNECTION (source);
  g_autoptr(ThImAttributeValues) values = NULL;
  g_autoptr(GBytes) fields = NULL;
  guint64 fabric_index;
  ThImCommand command = {
    .endpoint = TH_ROOT_ENDPOINT,
    .cluster = TH_CLUSTER_OPERATIONAL_CREDENTIALS,
    .command = TH_OPERATIONAL_CREDENTIALS_CMD_REMOVE_FABRIC,
  };
  GError *error = NULL;

  values = th_node_connection_read_finish (connection, result, &error);
  if (values == NULL
      || !th_im_attribute_values_get_uint (values, TH_ROOT_ENDPOINT,
                                           TH_CLUSTER_OPERATIONAL_CREDENTIALS,
                                           TH_OPERATIONAL_CREDENTIALS_ATTR_CURRENT_FABRIC_INDEX,
                                           G_MAXUINT8, &fabric_index, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* Index 0 is no fabric at all: a session that is not on one cannot say which to remove. */
  if (fabric_index == 0)
    {
      g_task_return_new_error (task, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                               _("The device says this session belongs to no fabric "
                                 "(CurrentFabricIndex 0)."));
      return;
    }
  g_debug ("Asking node %" G_GUINT64_FORMAT " to remove fabric index %u",
           th_node_connection_get_node (connection)->node_id, (guint) fabric_index);
  fields = th_operational_credentials_encode_remove_fabric ((guint8) fabric_index);
  command.fields = fields;
  th_im_invoke_async (manager_of (connection), session_of (connection), &command,
                      TH_OPERATIONAL_CREDENTIALS_CMD_NOC_RESPONSE, 0,
                      g_task_get_cancellable (task), on_fabric_removed, g_object_ref (task));
}

void
th_node_remove_async (ThNodeConnection    *connection,
                      ThStore             *store,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  const ThImAttributePath path =
    TH_IM_ATTRIBUTE_PATH (TH_ROOT_ENDPOINT, TH_CLUSTER_OPERATIONAL_CREDENTIALS,
                          TH_OPERATIONAL_CREDENTIALS_ATTR_CURRENT_FABRIC_INDEX);
  GTask *task;

  g_return_if_fail (TH_IS_NODE_CONNECTION (connection));
  g_return_if_fail (store != NULL);

  task = g_task_new (connection, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_node_remove_async);
  g_task_set_task_data (task, store, NULL);
  th_node_connection_read_async (connection, &path, 1, cancellable, on_fabric_index_read,
                                 task);
}

gboolean
th_node_remove_finish (ThNodeConnection  *connection,
                       GAsyncResult      *result,
                       GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
