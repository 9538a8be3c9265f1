/* th-node-admin.h: looking after a node of the home: sharing it with another commissioner,
 * renaming, identifying and removing it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every operation runs over an open ThNodeConnection. Errors are those of the Interaction
 * Model client (th-im-client.h) plus the ones named here.
 */
#pragma once

#include <gio/gio.h>

#include "commissioning/th-node-connection.h"
#include "onboarding/th-setup-payload.h"
#include "storage/th-store.h"

G_BEGIN_DECLS

/* The bounds the specification sets on an enhanced commissioning window's timeout (5.6.3:
 * at least 3 minutes, at most 15). */
#define TH_COMMISSIONING_WINDOW_MIN_SECONDS 180
#define TH_COMMISSIONING_WINDOW_MAX_SECONDS 900
/* How long a device has from the TimedRequest to the command that follows it. */
#define TH_NODE_ADMIN_TIMED_MS 10000
/* The longest NodeLabel, in bytes of UTF-8 (Basic Information). */
#define TH_NODE_LABEL_MAX_LEN 32
/* How long Identify makes a device show itself. */
#define TH_NODE_IDENTIFY_SECONDS 10

/* WindowStatus of Administrator Commissioning */
typedef enum
{
  TH_WINDOW_STATUS_NOT_OPEN = 0,
  TH_WINDOW_STATUS_ENHANCED_OPEN = 1,
  TH_WINDOW_STATUS_BASIC_OPEN = 2,
} ThWindowStatus;

/* An enhanced commissioning window a node opened: the codes another commissioner uses to add
 * the node to its own fabric. The passcode is in the payload and the codes; it is wiped when
 * the window is freed. */
typedef struct
{
  ThSetupPayload *payload;
  char *qr_text;              /* "MT:..." */
  char *manual_code;          /* 11 digits */
  guint16 timeout_seconds;
  gint64 expires_at;          /* when the node closes it, in g_get_real_time() microseconds */
} ThCommissioningWindow;

void     th_commissioning_window_free            (ThCommissioningWindow *window);

/* A fresh passcode chosen uniformly among the valid ones (5.1.7.1: not 0, not above
 * 99999998, none of the trivial values). */
gboolean th_node_admin_random_passcode           (guint32               *passcode,
                                                  GError               **error);

/* Opens an enhanced commissioning window on the node for `timeout_seconds` (within the bounds
 * above): a new random passcode, salt, and discriminator; the PAKE verifier sent as a timed
 * invoke. The codes carry the vendor and product IDs the node reports in Basic Information,
 * the standard flow and discovery on the IP network. A node that has a window open already
 * answers Busy (TH_ERROR_IM_STATUS). */
void     th_node_open_commissioning_window_async  (ThNodeConnection     *connection,
                                                   guint                 timeout_seconds,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
ThCommissioningWindow *th_node_open_commissioning_window_finish (ThNodeConnection  *connection,
                                                                 GAsyncResult      *result,
                                                                 GError           **error);

/* Closes the node's commissioning window (RevokeCommissioning, timed). A node without an open
 * window answers WindowNotOpen (TH_ERROR_IM_STATUS). */
void     th_node_revoke_commissioning_async       (ThNodeConnection     *connection,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean th_node_revoke_commissioning_finish      (ThNodeConnection     *connection,
                                                   GAsyncResult         *result,
                                                   GError              **error);

void     th_node_read_window_status_async         (ThNodeConnection     *connection,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean th_node_read_window_status_finish        (ThNodeConnection     *connection,
                                                   GAsyncResult         *result,
                                                   ThWindowStatus       *status,
                                                   GError              **error);

/* Whether `label` may be a NodeLabel: valid UTF-8 of at most TH_NODE_LABEL_MAX_LEN bytes.
 * TH_ERROR_NODE_LABEL says why not. */
gboolean th_node_label_validate                   (const char           *label,
                                                   GError              **error);

/* Writes the node's NodeLabel and then keeps it in the node's record in `store`. */
void     th_node_set_label_async                  (ThNodeConnection     *connection,
                                                   ThStore              *store,
                                                   const char           *label,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean th_node_set_label_finish                 (ThNodeConnection     *connection,
                                                   GAsyncResult         *result,
                                                   GError              **error);

/* Makes every endpoint of the node that has an Identify cluster show itself for
 * `seconds`; `n_endpoints` is how many did. TH_ERROR_NODE_LACKS_CLUSTER when none has one. */
void     th_node_identify_async                   (ThNodeConnection     *connection,
                                                   guint16               seconds,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean th_node_identify_finish                  (ThNodeConnection     *connection,
                                                   GAsyncResult         *result,
                                                   guint                *n_endpoints,
                                                   GError              **error);

/* Takes the node out of the home: reads the fabric index the node gave the home
 * (CurrentFabricIndex), sends RemoveFabric for it, and once the node confirmed, removes the
 * node's record from `store`. The record stays when anything before fails. */
void     th_node_remove_async                     (ThNodeConnection     *connection,
                                                   ThStore              *store,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean th_node_remove_finish                    (ThNodeConnection     *connection,
                                                   GAsyncResult         *result,
                                                   GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThCommissioningWindow, th_commissioning_window_free)

G_END_DECLS
