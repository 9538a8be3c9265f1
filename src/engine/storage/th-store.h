/* th-store.h: the home's fabric and its commissioned nodes, on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "credentials/th-fabric.h"
#include "crypto/th-crypto.h"

G_BEGIN_DECLS

/* What Threshold remembers of a node it commissioned. Nothing here is secret. */
typedef struct
{
  guint64 node_id;
  guint16 vendor_id;
  guint16 product_id;
  char *vendor_name;
  char *product_name;
  char *node_label;
  char *serial_number;
  guint32 device_type;
  /* the endpoint of an On/Off cluster, or 0 when the node has none */
  guint16 on_off_endpoint;
  gint64 commissioned_at;     /* seconds since the Unix epoch, UTC */
} ThStoredNode;

ThStoredNode *th_stored_node_new   (void);
ThStoredNode *th_stored_node_copy  (const ThStoredNode *node);
void          th_stored_node_free  (ThStoredNode       *node);

/* The commissioner's own operational identity on the fabric, used to open CASE sessions. */
typedef struct
{
  guint64 node_id;
  GBytes *noc_tlv;
  ThP256Key *key;
} ThControllerIdentity;

void          th_controller_identity_free (ThControllerIdentity *identity);

typedef struct _ThStore ThStore;

/* directory NULL means $XDG_DATA_HOME/threshold. Nothing is read or written until asked. */
ThStore      *th_store_new                (const char   *directory);
void          th_store_free               (ThStore      *self);
const char   *th_store_get_directory      (ThStore      *self);

/* Loads the fabric; TH_ERROR_STORE_NO_FABRIC when none was created yet. */
ThFabric     *th_store_load_fabric        (ThStore      *self,
                                           GError      **error);
/* Loads the fabric, or creates the home's fabric (root CA, IPK, the controller identity) and
 * persists it in one step: either all of it is on disk afterwards, or none of it. */
ThFabric     *th_store_ensure_fabric      (ThStore      *self,
                                           GError      **error);
ThControllerIdentity *th_store_load_controller (ThStore *self,
                                                GError **error);

/* What commissioning needs of the home: its fabric, the commissioner's own identity on it,
 * and the node id the next device gets. */
typedef struct
{
  ThFabric *fabric;
  ThControllerIdentity *controller;
  guint64 next_node_id;
  gboolean saved;             /* FALSE: a new home's fabric, in memory only */

  /*< private >*/
  GBytes *root_key_pkcs8;     /* a new home's keys, encoded for saving, wiped when freed */
  GBytes *controller_key_pkcs8;
} ThHome;

void          th_home_free                (ThHome       *home);

/* The home as the store has it; for a home that has no fabric yet, a new fabric and the
 * commissioner's identity on it, made in memory with nothing written (saved is FALSE) until
 * th_store_save_home(). Fails as th_store_load_fabric() does on damaged data. Reads only, so
 * it may run on any thread with a ThStore of its own. */
ThHome       *th_store_open_home          (ThStore      *self,
                                           GError      **error);
/* Writes a new home's fabric and identity, in one step as th_store_ensure_fabric() does, and
 * marks it saved. Fails with TH_ERROR_STORE_FABRIC_EXISTS when a fabric was saved meanwhile,
 * by another process: that one is kept, and this home cannot be used. Uses nothing of `home`
 * but its encoded keys, certificates and ids, so another thread may use its keys meanwhile. */
gboolean      th_store_save_home          (ThStore      *self,
                                           ThHome       *home,
                                           GError      **error);

/* The node id the next commissioning should give its device. Reading it changes nothing:
 * the store only changes when th_store_add_node saves a node. */
guint64       th_store_peek_next_node_id  (ThStore      *self,
                                           GError      **error);
/* Saves a node commissioned with the id from th_store_peek_next_node_id; fails with
 * TH_ERROR_STORE_NODE_EXISTS if another process saved that id in between. */
gboolean      th_store_add_node           (ThStore            *self,
                                           const ThStoredNode *node,
                                           GError            **error);
gboolean      th_store_update_node        (ThStore            *self,
                                           const ThStoredNode *node,
                                           GError            **error);
gboolean      th_store_remove_node        (ThStore      *self,
                                           guint64       node_id,
                                           GError      **error);
ThStoredNode *th_store_lookup_node        (ThStore      *self,
                                           guint64       node_id,
                                           GError      **error);
/* Every stored node, ordered by node id. */
GPtrArray    *th_store_list_nodes         (ThStore      *self,
                                           GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThStore, th_store_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThStoredNode, th_stored_node_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThControllerIdentity, th_controller_identity_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThHome, th_home_free)

G_END_DECLS
