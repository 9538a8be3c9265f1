/* test-store.c: the fabric and node records on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "th-test-utils.h"
#include "th-error.h"
#include "credentials/th-certificate.h"
#include "storage/th-store.h"

static char *
make_store_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("th-store-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_recursively (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_recursively (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static guint
file_mode (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static gboolean
dir_is_empty (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);

  return d == NULL || g_dir_read_name (d) == NULL;
}

static void
test_no_fabric_reads_write_nothing (void)
{
  g_autofree char *dir = make_store_dir ();
  g_autofree char *store_dir = g_build_filename (dir, "threshold", NULL);
  g_autoptr(ThStore) store = th_store_new (store_dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(ThFabric) fabric = NULL;
  g_autoptr(GPtrArray) nodes = NULL;

  fabric = th_store_load_fabric (store, &error);
  g_assert_null (fabric);
  g_assert_error (error, TH_ERROR, TH_ERROR_STORE_NO_FABRIC);
  g_clear_error (&error);

  nodes = th_store_list_nodes (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nodes->len, ==, 0);
  g_assert_cmpuint (th_store_peek_next_node_id (store, &error), ==, 1);
  g_assert_no_error (error);

  g_assert_false (g_file_test (store_dir, G_FILE_TEST_EXISTS));
  remove_recursively (dir);
}

static void
test_create_and_reload (void)
{
  g_autofree char *dir = make_store_dir ();
  g_autoptr(ThStore) store = th_store_new (dir);
  g_autoptr(ThStore) again = th_store_new (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(ThFabric) fabric = NULL;
  g_autoptr(ThFabric) reloaded = NULL;
  g_autoptr(ThControllerIdentity) controller = NULL;
  g_autoptr(ThCertificate) noc = NULL;
  GBytes *root_a;
  GBytes *root_b;
  g_autofree char *fabric_dir = g_build_filename (dir, "fabric", NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  fabric = th_store_ensure_fabric (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fabric);

  /* secrets are readable by the user alone */
  g_assert_cmpuint (file_mode (fabric_dir, "root-key.p8"), ==, 0600);
  g_assert_cmpuint (file_mode (fabric_dir, "ipk"), ==, 0600);
  g_assert_cmpuint (file_mode (fabric_dir, "controller-key.p8"), ==, 0600);
  g_assert_cmpuint (file_mode (dir, "fabric") & 0077, ==, 0);

  reloaded = th_store_ensure_fabric (again, &error);
  g_assert_no_error (error);
  g_assert_cmphex (th_fabric_get_fabric_id (reloaded), ==, th_fabric_get_fabric_id (fabric));
  g_assert_cmpmem (th_fabric_get_compressed_fabric_id (reloaded), 8,
                   th_fabric_get_compressed_fabric_id (fabric), 8);
  g_assert_cmpmem (th_fabric_get_ipk_epoch_key (reloaded), 16,
                   th_fabric_get_ipk_epoch_key (fabric), 16);
  root_a = th_fabric_get_root_certificate_tlv (fabric);
  root_b = th_fabric_get_root_certificate_tlv (reloaded);
  g_assert_true (g_bytes_equal (root_a, root_b));

  /* the controller's own identity chains to the stored root */
  controller = th_store_load_controller (again, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (controller->node_id, >=, 1);
  noc = th_certificate_decode_tlv (g_bytes_get_data (controller->noc_tlv, NULL),
                                   g_bytes_get_size (controller->noc_tlv), &error);
  g_assert_no_error (error);
  g_assert_true (th_fabric_validate_noc (reloaded, noc, NULL, now, &error));
  g_assert_no_error (error);
  g_assert_cmphex (th_certificate_get_node_id (noc), ==, controller->node_id);

  remove_recursively (dir);
}

/* A new home is made in memory and written only when saved; a home saved meanwhile, by
 * another process, wins over one that was not saved yet. */
static void
test_open_and_save_home (void)
{
  g_autofree char *dir = make_store_dir ();
  g_autofree char *store_dir = g_build_filename (dir, "threshold", NULL);
  g_autofree char *fabric_dir = g_build_filename (store_dir, "fabric", NULL);
  g_autoptr(ThStore) store = th_store_new (store_dir);
  g_autoptr(ThStore) other = th_store_new (store_dir);
  g_autoptr(ThHome) home = NULL;
  g_autoptr(ThHome) late = NULL;
  g_autoptr(ThHome) reopened = NULL;
  g_autoptr(ThFabric) fabric = NULL;
  g_autoptr(ThCertificate) noc = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = NULL;
  const char *name;

  home = th_store_open_home (store, &error);
  g_assert_no_error (error);
  g_assert_false (home->saved);
  g_assert_cmpuint (home->next_node_id, ==, 1);
  g_assert_cmpuint (home->controller->node_id, !=, home->next_node_id);
  noc = th_certificate_decode_tlv (g_bytes_get_data (home->controller->noc_tlv, NULL),
                                   g_bytes_get_size (home->controller->noc_tlv), &error);
  g_assert_no_error (error);
  g_assert_true (th_fabric_validate_noc (home->fabric, noc, NULL, now, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (store_dir, G_FILE_TEST_EXISTS));

  late = th_store_open_home (other, &error);
  g_assert_no_error (error);
  g_assert_false (late->saved);

  g_assert_true (th_store_save_home (store, home, &error));
  g_assert_no_error (error);
  g_assert_true (home->saved);
  g_assert_cmpuint (file_mode (fabric_dir, "root-key.p8"), ==, 0600);
  g_assert_cmpuint (file_mode (fabric_dir, "ipk"), ==, 0600);
  g_assert_cmpuint (file_mode (fabric_dir, "controller-key.p8"), ==, 0600);

  /* what was saved is the home that was used */
  reopened = th_store_open_home (other, &error);
  g_assert_no_error (error);
  g_assert_true (reopened->saved);
  g_assert_cmphex (th_fabric_get_fabric_id (reopened->fabric), ==,
                   th_fabric_get_fabric_id (home->fabric));
  g_assert_true (g_bytes_equal (th_fabric_get_root_certificate_tlv (reopened->fabric),
                                th_fabric_get_root_certificate_tlv (home->fabric)));
  g_assert_cmpmem (th_fabric_get_ipk_epoch_key (reopened->fabric), 16,
                   th_fabric_get_ipk_epoch_key (home->fabric), 16);
  g_assert_cmphex (reopened->controller->node_id, ==, home->controller->node_id);
  g_assert_true (g_bytes_equal (reopened->controller->noc_tlv, home->controller->noc_tlv));
  g_assert_cmpuint (reopened->next_node_id, ==, home->next_node_id);

  /* the other new home cannot replace it, and leaves nothing behind */
  g_assert_false (th_store_save_home (other, late, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_STORE_FABRIC_EXISTS);
  g_assert_false (late->saved);
  fabric = th_store_load_fabric (store, NULL);
  g_assert_cmphex (th_fabric_get_fabric_id (fabric), ==, th_fabric_get_fabric_id (home->fabric));
  d = g_dir_open (store_dir, 0, NULL);
  while ((name = g_dir_read_name (d)) != NULL)
    g_assert_cmpstr (name, ==, "fabric");

  remove_recursively (dir);
}

static void
test_nodes (void)
{
  g_autofree char *dir = make_store_dir ();
  g_autoptr(ThStore) store = th_store_new (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(ThStoredNode) node = th_stored_node_new ();
  g_autoptr(ThStoredNode) found = NULL;
  g_autoptr(GPtrArray) nodes = NULL;
  g_autofree char *nodes_dir = g_build_filename (dir, "nodes", NULL);
  guint64 first;

  first = th_store_peek_next_node_id (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first, ==, 1);

  node->node_id = first;
  node->vendor_id = 0xFFF1;
  node->product_id = 0x8000;
  node->vendor_name = g_strdup ("Vendor = [with] ; odd # characters");
  node->product_name = g_strdup ("Light\nwith a newline");
  node->node_label = g_strdup ("Küche");
  node->on_off_endpoint = 1;
  node->device_type = 0x100;
  node->commissioned_at = 1700000000;
  g_assert_true (th_store_add_node (store, node, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (nodes_dir, "0000000000000001.ini"), ==, 0600);

  /* the same id again is refused, and the first record is kept */
  g_free (node->product_name);
  node->product_name = g_strdup ("Impostor");
  g_assert_false (th_store_add_node (store, node, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_STORE_NODE_EXISTS);
  g_clear_error (&error);

  found = th_store_lookup_node (store, first, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->vendor_name, ==, "Vendor = [with] ; odd # characters");
  g_assert_cmpstr (found->product_name, ==, "Light\nwith a newline");
  g_assert_cmpstr (found->node_label, ==, "Küche");
  g_assert_cmpuint (found->vendor_id, ==, 0xFFF1);
  g_assert_cmpuint (found->on_off_endpoint, ==, 1);
  g_assert_cmpint (found->commissioned_at, ==, 1700000000);
  g_assert_null (found->serial_number);

  g_assert_cmpuint (th_store_peek_next_node_id (store, &error), ==, 2);
  node->node_id = 0x10;
  g_assert_true (th_store_add_node (store, node, &error));
  node->node_id = 2;
  g_assert_true (th_store_add_node (store, node, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (th_store_peek_next_node_id (store, &error), ==, 0x11);

  nodes = th_store_list_nodes (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nodes->len, ==, 3);
  g_assert_cmpuint (((ThStoredNode *) nodes->pdata[0])->node_id, ==, 1);
  g_assert_cmpuint (((ThStoredNode *) nodes->pdata[1])->node_id, ==, 2);
  g_assert_cmpuint (((ThStoredNode *) nodes->pdata[2])->node_id, ==, 0x10);

  g_clear_pointer (&found, th_stored_node_free);
  node->node_id = 2;
  g_free (node->node_label);
  node->node_label = g_strdup ("Hall");
  g_assert_true (th_store_update_node (store, node, &error));
  found = th_store_lookup_node (store, 2, &error);
  g_assert_cmpstr (found->node_label, ==, "Hall");

  g_assert_true (th_store_remove_node (store, 2, &error));
  g_assert_false (th_store_remove_node (store, 2, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_STORE_NO_NODE);
  g_clear_error (&error);
  g_assert_null (th_store_lookup_node (store, 2, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_STORE_NO_NODE);
  g_clear_error (&error);
  node->node_id = 0x99;
  g_assert_false (th_store_update_node (store, node, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_STORE_NO_NODE);

  remove_recursively (dir);
}

static void
test_damage_is_refused_and_kept (void)
{
  g_autofree char *dir = make_store_dir ();
  g_autoptr(ThStore) store = th_store_new (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(ThFabric) fabric = NULL;
  g_autofree char *key_path = g_build_filename (dir, "fabric", "root-key.p8", NULL);
  g_autofree char *ipk_path = g_build_filename (dir, "fabric", "ipk", NULL);
  g_autofree char *node_path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) nodes = NULL;
  gsize len;

  fabric = th_store_ensure_fabric (store, &error);
  g_assert_no_error (error);
  g_clear_pointer (&fabric, th_fabric_unref);

  /* a damaged key: refused, never replaced by a new fabric */
  g_assert_true (g_file_set_contents (key_path, "garbage", -1, NULL));
  fabric = th_store_ensure_fabric (store, &error);
  g_assert_null (fabric);
  g_assert_error (error, TH_ERROR, TH_ERROR_STORE_CORRUPT);
  g_assert_nonnull (strstr (error->message, "root-key.p8"));
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (key_path, &contents, &len, NULL));
  g_assert_cmpstr (contents, ==, "garbage");

  /* a missing file: named */
  g_unlink (ipk_path);
  fabric = th_store_load_fabric (store, &error);
  g_assert_null (fabric);
  g_assert_error (error, TH_ERROR, TH_ERROR_STORE_CORRUPT);
  g_clear_error (&error);

  /* a damaged node record is reported by name */
  node_path = g_build_filename (dir, "nodes", NULL);
  g_mkdir (node_path, 0700);
  g_free (node_path);
  node_path = g_build_filename (dir, "nodes", "0000000000000005.ini", NULL);
  g_assert_true (g_file_set_contents (node_path, "[node]\nnode-id=zz\n", -1, NULL));
  nodes = th_store_list_nodes (store, &error);
  g_assert_null (nodes);
  g_assert_error (error, TH_ERROR, TH_ERROR_STORE_CORRUPT);
  g_assert_nonnull (strstr (error->message, "0000000000000005.ini"));

  remove_recursively (dir);
}

static void
test_interrupted_creation_leaves_no_fabric (void)
{
  g_autofree char *dir = make_store_dir ();
  g_autofree char *leftover = g_build_filename (dir, ".fabric-abc123", NULL);
  g_autofree char *partial = g_build_filename (leftover, "root-key.p8", NULL);
  g_autoptr(ThStore) store = th_store_new (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(ThFabric) fabric = NULL;

  /* what a crash in the middle of creating the fabric leaves behind */
  g_assert_cmpint (g_mkdir (leftover, 0700), ==, 0);
  g_assert_true (g_file_set_contents (partial, "half", -1, NULL));

  fabric = th_store_load_fabric (store, &error);
  g_assert_error (error, TH_ERROR, TH_ERROR_STORE_NO_FABRIC);
  g_clear_error (&error);
  fabric = th_store_ensure_fabric (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fabric);

  remove_recursively (dir);
}

static void
test_unwritable_directory (void)
{
  g_autofree char *dir = make_store_dir ();
  g_autofree char *file = g_build_filename (dir, "not-a-folder", NULL);
  g_autofree char *inside = g_build_filename (file, "threshold", NULL);
  g_autoptr(ThStore) store = th_store_new (inside);
  g_autoptr(GError) error = NULL;
  g_autoptr(ThFabric) fabric = NULL;

  g_assert_true (g_file_set_contents (file, "", -1, NULL));
  fabric = th_store_ensure_fabric (store, &error);
  g_assert_null (fabric);
  g_assert_error (error, TH_ERROR, TH_ERROR_STORE_IO);
  g_assert_true (dir_is_empty (inside));

  remove_recursively (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/no-fabric-reads-write-nothing", test_no_fabric_reads_write_nothing);
  g_test_add_func ("/store/create-and-reload", test_create_and_reload);
  g_test_add_func ("/store/open-and-save-home", test_open_and_save_home);
  g_test_add_func ("/store/nodes", test_nodes);
  g_test_add_func ("/store/damage-is-refused-and-kept", test_damage_is_refused_and_kept);
  g_test_add_func ("/store/interrupted-creation", test_interrupted_creation_leaves_no_fabric);
  g_test_add_func ("/store/unwritable-directory", test_unwritable_directory);

  return g_test_run ();
}
