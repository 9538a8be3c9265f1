/* th-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout under the store's directory:
 *   fabric/fabric.ini            fabric id, the controller's node id (not secret)
 *   fabric/root-cert.tlv         the root CA certificate, Matter TLV
 *   fabric/root-key.p8           its private key, PKCS#8 DER, 0600
 *   fabric/ipk                   the IPK epoch key, 0600
 *   fabric/controller-noc.tlv    the commissioner's own NOC
 *   fabric/controller-key.p8     its private key, 0600
 *   nodes/<node id, 16 hex>.ini  one record per commissioned node
 *
 * The fabric directory is written whole under a temporary name and renamed into place, so
 * a crash leaves either no fabric or a complete one. Single files are replaced atomically.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "storage/th-store.h"
#include "th-error.h"

#define FABRIC_DIR "fabric"
#define NODES_DIR "nodes"
#define SECRET_MODE 0600
#define PUBLIC_MODE 0644
#define DIR_MODE 0700
/* Operational node ids run from 1 to 0xFFFFFFEFFFFFFFFF (specification 2.5.5.1). */
#define NODE_ID_MAX G_GUINT64_CONSTANT (0xFFFFFFEFFFFFFFFF)

struct _ThStore
{
  char *directory;
};

ThStoredNode *
th_stored_node_new (void)
{
  return g_new0 (ThStoredNode, 1);
}

ThStoredNode *
th_stored_node_copy (const ThStoredNode *node)
{
  ThStoredNode *copy = g_memdup2 (node, sizeof *node);

  copy->vendor_name = g_strdup (node->vendor_name);
  copy->product_name = g_strdup (node->product_name);
  copy->node_label = g_strdup (node->node_label);
  copy->serial_number = g_strdup (node->serial_number);
  return copy;
}

void
th_stored_node_free (ThStoredNode *node)
{
  if (node == NULL)
    return;
  g_free (node->vendor_name);
  g_free (node->product_name);
  g_free (node->node_label);
  g_free (node->serial_number);
  g_free (node);
}

void
th_controller_identity_free (ThControllerIdentity *identity)
{
  if (identity == NULL)
    return;
  g_clear_pointer (&identity->noc_tlv, g_bytes_unref);
  g_clear_pointer (&identity->key, th_p256_key_unref);
  g_free (identity);
}

ThStore *
th_store_new (const char *directory)
{
  ThStore *self = g_new0 (ThStore, 1);

  if (directory != NULL)
    self->directory = g_strdup (directory);
  else
    self->directory = g_build_filename (g_get_user_data_dir (), "threshold", NULL);
  return self;
}

void
th_store_free (ThStore *self)
{
  if (self == NULL)
    return;
  g_free (self->directory);
  g_free (self);
}

const char *
th_store_get_directory (ThStore *self)
{
  return self->directory;
}

static void
set_io_error (GError     **error,
              int          errsv,
              const char  *what,
              const char  *path)
{
  g_set_error (error, TH_ERROR, TH_ERROR_STORE_IO,
               /* Translators: the first %s says what was being done ("write"), the second is
                * a file name, the third the system's reason */
               _("Could not %s “%s”: %s"), what, path, g_strerror (errsv));
}

static gboolean
write_file (const char    *path,
            const guint8  *data,
            gsize          len,
            int            mode,
            GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!g_file_set_contents_full (path, (const char *) data, len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 mode, &local_error))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_STORE_IO, _("Could not save “%s”: %s"), path,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_bytes (const char  *dir,
             const char  *name,
             GBytes      *bytes,
             int          mode,
             GError     **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return write_file (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), mode, error);
}

static GBytes *
read_bytes (const char  *dir,
            const char  *name,
            GError     **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) local_error = NULL;
  char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_STORE_CORRUPT,
                   _("The stored home data is incomplete: “%s” cannot be read (%s). Restore it "
                     "from a backup; Threshold will not overwrite it."),
                   path, local_error->message);
      return NULL;
    }
  return g_bytes_new_take (contents, len);
}

/* Key files are read into memory that is wiped when it is released. */
static void
wipe_and_free (gpointer data)
{
  GBytes *bytes = data;
  gsize len;
  guint8 *p = g_bytes_unref_to_data (bytes, &len);

  th_secure_wipe (p, len);
  g_free (p);
}

static ThP256Key *
read_key (const char  *dir,
          const char  *name,
          GError     **error)
{
  g_autoptr(GBytes) der = read_bytes (dir, name, error);
  g_autoptr(GError) cause = NULL;
  ThP256Key *key;

  if (der == NULL)
    return NULL;
  key = th_p256_key_new_from_pkcs8 (g_bytes_get_data (der, NULL), g_bytes_get_size (der),
                                    &cause);
  wipe_and_free (g_steal_pointer (&der));
  if (key == NULL)
    g_set_error (error, TH_ERROR, TH_ERROR_STORE_CORRUPT,
                 _("The stored key “%s” is damaged (%s). Restore it from a backup; Threshold "
                   "will not overwrite it."), name, cause->message);
  return key;
}

static gboolean
ensure_directory (const char  *path,
                  GError     **error)
{
  if (g_mkdir_with_parents (path, DIR_MODE) != 0)
    {
      set_io_error (error, errno, _("create the folder"), path);
      return FALSE;
    }
  return TRUE;
}

static GKeyFile *
load_fabric_ini (const char  *fabric_dir,
                 GError     **error)
{
  g_autofree char *path = g_build_filename (fabric_dir, "fabric.ini", NULL);
  g_autoptr(GKeyFile) ini = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  if (!g_key_file_load_from_file (ini, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_STORE_CORRUPT,
                   _("The stored home data is damaged: “%s” cannot be read (%s)."),
                   path, local_error->message);
      return NULL;
    }
  return g_steal_pointer (&ini);
}

static gboolean
read_hex_u64 (GKeyFile    *ini,
              const char  *group,
              const char  *key,
              const char  *file,
              guint64     *out,
              GError     **error)
{
  g_autofree char *text = g_key_file_get_string (ini, group, key, NULL);

  if (text == NULL || !g_ascii_string_to_unsigned (text, 16, 1, G_MAXUINT64, out, NULL))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_STORE_CORRUPT,
                   _("The stored home data is damaged: “%s” has no valid “%s”."), file, key);
      return FALSE;
    }
  return TRUE;
}

ThFabric *
th_store_load_fabric (ThStore  *self,
                      GError  **error)
{
  g_autofree char *fabric_dir = g_build_filename (self->directory, FABRIC_DIR, NULL);
  g_autoptr(GKeyFile) ini = NULL;
  g_autoptr(ThP256Key) root_key = NULL;
  g_autoptr(GBytes) root_cert = NULL;
  g_autoptr(GBytes) ipk = NULL;
  g_autoptr(GError) cause = NULL;
  ThFabric *fabric;
  guint64 fabric_id;

  if (!g_file_test (fabric_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_STORE_NO_FABRIC,
                   _("No devices have been added yet, so there is no home to use."));
      return NULL;
    }

  if (!(ini = load_fabric_ini (fabric_dir, error)) ||
      !read_hex_u64 (ini, "fabric", "fabric-id", "fabric.ini", &fabric_id, error) ||
      !(root_cert = read_bytes (fabric_dir, "root-cert.tlv", error)) ||
      !(root_key = read_key (fabric_dir, "root-key.p8", error)) ||
      !(ipk = read_bytes (fabric_dir, "ipk", error)))
    return NULL;

  if (g_bytes_get_size (ipk) != TH_IPK_LEN)
    {
      wipe_and_free (g_steal_pointer (&ipk));
      g_set_error (error, TH_ERROR, TH_ERROR_STORE_CORRUPT,
                   _("The stored home data is damaged: the identity protection key has the "
                     "wrong length."));
      return NULL;
    }

  fabric = th_fabric_new_from_credentials (fabric_id, root_key, root_cert, NULL, NULL,
                                           g_bytes_get_data (ipk, NULL), &cause);
  wipe_and_free (g_steal_pointer (&ipk));
  if (fabric == NULL)
    g_set_error (error, TH_ERROR, TH_ERROR_STORE_CORRUPT,
                 _("The stored home data is damaged: %s"), cause->message);
  return fabric;
}

ThControllerIdentity *
th_store_load_controller (ThStore  *self,
                          GError  **error)
{
  g_autofree char *fabric_dir = g_build_filename (self->directory, FABRIC_DIR, NULL);
  g_autoptr(GKeyFile) ini = NULL;
  g_autoptr(ThControllerIdentity) identity = g_new0 (ThControllerIdentity, 1);

  if (!g_file_test (fabric_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_STORE_NO_FABRIC,
                   _("No devices have been added yet, so there is no home to use."));
      return NULL;
    }
  if (!(ini = load_fabric_ini (fabric_dir, error)) ||
      !read_hex_u64 (ini, "fabric", "controller-node-id", "fabric.ini", &identity->node_id,
                     error) ||
      !(identity->noc_tlv = read_bytes (fabric_dir, "controller-noc.tlv", error)) ||
      !(identity->key = read_key (fabric_dir, "controller-key.p8", error)))
    return NULL;
  return g_steal_pointer (&identity);
}

static guint64
random_id (guint64 max)
{
  guint64 id;

  do
    {
      if (!th_random_bytes ((guint8 *) &id, sizeof id, NULL))
        g_error ("the system random number generator failed");
    }
  while (id == 0 || id > max);
  return id;
}

void
th_home_free (ThHome *home)
{
  if (home == NULL)
    return;
  g_clear_pointer (&home->fabric, th_fabric_unref);
  g_clear_pointer (&home->controller, th_controller_identity_free);
  if (home->root_key_pkcs8 != NULL)
    wipe_and_free (g_steal_pointer (&home->root_key_pkcs8));
  if (home->controller_key_pkcs8 != NULL)
    wipe_and_free (g_steal_pointer (&home->controller_key_pkcs8));
  g_free (home);
}

/* A new fabric and the controller's identity on it, in memory, with the keys encoded for
 * saving. */
static ThHome *
make_home (GError **error)
{
  g_autoptr(ThHome) home = g_new0 (ThHome, 1);
  g_autoptr(ThCertificate) noc = NULL;
  ThControllerIdentity *controller;
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];

  home->fabric = th_fabric_new (random_id (G_MAXUINT64 - 1), TH_FABRIC_FLAGS_NONE, error);
  if (home->fabric == NULL)
    return NULL;
  controller = home->controller = g_new0 (ThControllerIdentity, 1);
  controller->node_id = random_id (NODE_ID_MAX);
  controller->key = th_p256_key_generate (error);
  if (controller->key == NULL)
    return NULL;
  th_p256_key_get_public (controller->key, public_key);
  if (!(noc = th_fabric_issue_noc (home->fabric, public_key, controller->node_id, NULL, 0,
                                   error)) ||
      !(controller->noc_tlv = th_certificate_encode_tlv (noc, error)) ||
      !(home->root_key_pkcs8 = th_p256_key_export_pkcs8 (th_fabric_get_root_key (home->fabric),
                                                         error)) ||
      !(home->controller_key_pkcs8 = th_p256_key_export_pkcs8 (controller->key, error)))
    return NULL;
  return g_steal_pointer (&home);
}

/* Writes the home's fabric into `dir`, a fresh folder beside the final one. */
static gboolean
write_fabric (const char    *dir,
              const ThHome  *home,
              GError       **error)
{
  g_autoptr(GBytes) ipk = NULL;
  g_autoptr(GBytes) ini_bytes = NULL;
  g_autoptr(GKeyFile) ini = g_key_file_new ();
  g_autofree char *ini_text = NULL;
  g_autofree char *text = NULL;
  gsize ini_len;

  ipk = g_bytes_new (th_fabric_get_ipk_epoch_key (home->fabric), TH_IPK_LEN);

  text = g_strdup_printf ("%016" G_GINT64_MODIFIER "X", th_fabric_get_fabric_id (home->fabric));
  g_key_file_set_string (ini, "fabric", "fabric-id", text);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("%016" G_GINT64_MODIFIER "X", home->controller->node_id);
  g_key_file_set_string (ini, "fabric", "controller-node-id", text);
  g_key_file_set_int64 (ini, "fabric", "created", g_get_real_time () / G_USEC_PER_SEC);
  ini_text = g_key_file_to_data (ini, &ini_len, NULL);
  ini_bytes = g_bytes_new_static (ini_text, ini_len);

  return write_bytes (dir, "root-key.p8", home->root_key_pkcs8, SECRET_MODE, error) &&
         write_bytes (dir, "ipk", ipk, SECRET_MODE, error) &&
         write_bytes (dir, "controller-key.p8", home->controller_key_pkcs8, SECRET_MODE,
                      error) &&
         write_bytes (dir, "root-cert.tlv", th_fabric_get_root_certificate_tlv (home->fabric),
                      PUBLIC_MODE, error) &&
         write_bytes (dir, "controller-noc.tlv", home->controller->noc_tlv, PUBLIC_MODE,
                      error) &&
         write_bytes (dir, "fabric.ini", ini_bytes, PUBLIC_MODE, error);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

/* Writes the fabric whole under a temporary name and renames it into place. rename() of a
 * folder fails when the target exists: TH_ERROR_STORE_FABRIC_EXISTS then, and the fabric in
 * place stays. */
static gboolean
save_fabric (ThStore       *self,
             const ThHome  *home,
             GError       **error)
{
  g_autofree char *final_dir = g_build_filename (self->directory, FABRIC_DIR, NULL);
  g_autofree char *template = g_build_filename (self->directory, ".fabric-XXXXXX", NULL);

  if (!ensure_directory (self->directory, error))
    return FALSE;
  if (g_mkdtemp_full (template, DIR_MODE) == NULL)
    {
      set_io_error (error, errno, _("create the folder"), template);
      return FALSE;
    }
  if (!write_fabric (template, home, error))
    {
      remove_tree (template);
      return FALSE;
    }
  if (g_rename (template, final_dir) != 0)
    {
      int errsv = errno;

      remove_tree (template);
      if (errsv == EEXIST || errsv == ENOTEMPTY)
        g_set_error_literal (error, TH_ERROR, TH_ERROR_STORE_FABRIC_EXISTS,
                             _("Another program created the home at the same time. Add the "
                               "device again."));
      else
        set_io_error (error, errsv, _("save"), final_dir);
      return FALSE;
    }
  return TRUE;
}

ThFabric *
th_store_ensure_fabric (ThStore  *self,
                        GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ThHome) home = NULL;
  ThFabric *fabric;

  fabric = th_store_load_fabric (self, &local_error);
  if (fabric != NULL)
    return fabric;
  if (!g_error_matches (local_error, TH_ERROR, TH_ERROR_STORE_NO_FABRIC))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_clear_error (&local_error);

  home = make_home (error);
  if (home == NULL)
    return NULL;
  /* If another process created the fabric meanwhile, its fabric wins and ours is dropped. */
  if (!save_fabric (self, home, &local_error)
      && !g_error_matches (local_error, TH_ERROR, TH_ERROR_STORE_FABRIC_EXISTS))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return th_store_load_fabric (self, error);
}

static char *
node_path (ThStore *self,
           guint64  node_id)
{
  g_autofree char *name = g_strdup_printf ("%016" G_GINT64_MODIFIER "X.ini", node_id);

  return g_build_filename (self->directory, NODES_DIR, name, NULL);
}

static ThStoredNode *
load_node_file (const char  *path,
                GError     **error)
{
  g_autoptr(GKeyFile) ini = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ThStoredNode) node = th_stored_node_new ();
  g_autofree char *basename = g_path_get_basename (path);
  guint64 value;

  if (!g_key_file_load_from_file (ini, path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, TH_ERROR, TH_ERROR_STORE_NO_NODE, _("There is no such device."));
      else
        g_set_error (error, TH_ERROR, TH_ERROR_STORE_CORRUPT,
                     _("The stored device “%s” is damaged: %s"), path, local_error->message);
      return NULL;
    }
  if (!read_hex_u64 (ini, "node", "node-id", basename, &node->node_id, error))
    return NULL;

  value = (guint64) g_key_file_get_uint64 (ini, "node", "vendor-id", NULL);
  node->vendor_id = (guint16) MIN (value, G_MAXUINT16);
  value = (guint64) g_key_file_get_uint64 (ini, "node", "product-id", NULL);
  node->product_id = (guint16) MIN (value, G_MAXUINT16);
  value = (guint64) g_key_file_get_uint64 (ini, "node", "device-type", NULL);
  node->device_type = (guint32) MIN (value, G_MAXUINT32);
  value = (guint64) g_key_file_get_uint64 (ini, "node", "on-off-endpoint", NULL);
  node->on_off_endpoint = (guint16) MIN (value, G_MAXUINT16);
  node->commissioned_at = g_key_file_get_int64 (ini, "node", "commissioned-at", NULL);
  node->vendor_name = g_key_file_get_string (ini, "node", "vendor-name", NULL);
  node->product_name = g_key_file_get_string (ini, "node", "product-name", NULL);
  node->node_label = g_key_file_get_string (ini, "node", "node-label", NULL);
  node->serial_number = g_key_file_get_string (ini, "node", "serial-number", NULL);
  return g_steal_pointer (&node);
}

static gboolean
save_node_file (ThStore            *self,
                const ThStoredNode *node,
                GError            **error)
{
  g_autoptr(GKeyFile) ini = g_key_file_new ();
  g_autofree char *path = node_path (self, node->node_id);
  g_autofree char *id = g_strdup_printf ("%016" G_GINT64_MODIFIER "X", node->node_id);
  g_autofree char *text = NULL;
  gsize len;

  g_key_file_set_string (ini, "node", "node-id", id);
  g_key_file_set_uint64 (ini, "node", "vendor-id", node->vendor_id);
  g_key_file_set_uint64 (ini, "node", "product-id", node->product_id);
  g_key_file_set_uint64 (ini, "node", "device-type", node->device_type);
  g_key_file_set_uint64 (ini, "node", "on-off-endpoint", node->on_off_endpoint);
  g_key_file_set_int64 (ini, "node", "commissioned-at", node->commissioned_at);
  if (node->vendor_name != NULL)
    g_key_file_set_string (ini, "node", "vendor-name", node->vendor_name);
  if (node->product_name != NULL)
    g_key_file_set_string (ini, "node", "product-name", node->product_name);
  if (node->node_label != NULL)
    g_key_file_set_string (ini, "node", "node-label", node->node_label);
  if (node->serial_number != NULL)
    g_key_file_set_string (ini, "node", "serial-number", node->serial_number);
  text = g_key_file_to_data (ini, &len, NULL);
  return write_file (path, (const guint8 *) text, len, SECRET_MODE, error);
}

/* One process at a time adds or removes nodes. */
static int
lock_store (ThStore  *self,
            GError  **error)
{
  g_autofree char *path = g_build_filename (self->directory, "lock", NULL);
  int fd;

  if (!ensure_directory (self->directory, error))
    return -1;
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, SECRET_MODE);
  if (fd < 0 || flock (fd, LOCK_EX) != 0)
    {
      set_io_error (error, errno, _("lock"), path);
      if (fd >= 0)
        close (fd);
      return -1;
    }
  return fd;
}

static int
compare_node_ids (gconstpointer a,
                  gconstpointer b)
{
  const ThStoredNode *na = *(ThStoredNode * const *) a;
  const ThStoredNode *nb = *(ThStoredNode * const *) b;

  return (na->node_id > nb->node_id) - (na->node_id < nb->node_id);
}

GPtrArray *
th_store_list_nodes (ThStore  *self,
                     GError  **error)
{
  g_autofree char *dir = g_build_filename (self->directory, NODES_DIR, NULL);
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) th_stored_node_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) d = g_dir_open (dir, 0, &local_error);
  const char *name;

  if (d == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&nodes);
      g_set_error (error, TH_ERROR, TH_ERROR_STORE_IO, _("Could not read “%s”: %s"), dir,
                   local_error->message);
      return NULL;
    }

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      ThStoredNode *node;

      /* Only finished records: 16 hex digits and .ini (atomic writes leave no other names
       * behind unless interrupted, and those are temporary files to ignore). */
      if (strlen (name) != 20 || !g_str_has_suffix (name, ".ini"))
        continue;
      path = g_build_filename (dir, name, NULL);
      node = load_node_file (path, error);
      if (node == NULL)
        return NULL;
      g_ptr_array_add (nodes, node);
    }

  g_ptr_array_sort (nodes, compare_node_ids);
  return g_steal_pointer (&nodes);
}

/* One past the highest node id given to a device, and never `controller`'s own. */
static guint64
next_node_id (ThStore                     *self,
              const ThControllerIdentity  *controller,
              GError                     **error)
{
  g_autoptr(GPtrArray) nodes = th_store_list_nodes (self, error);
  guint64 next = 1;

  if (nodes == NULL)
    return 0;
  for (guint i = 0; i < nodes->len; i++)
    {
      const ThStoredNode *node = g_ptr_array_index (nodes, i);

      next = MAX (next, node->node_id + 1);
    }
  if (controller != NULL && controller->node_id == next)
    next++;
  if (next > NODE_ID_MAX)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_STORE_IO, _("No more devices can be added."));
      return 0;
    }
  return next;
}

guint64
th_store_peek_next_node_id (ThStore  *self,
                            GError  **error)
{
  g_autoptr(ThControllerIdentity) controller = th_store_load_controller (self, NULL);

  return next_node_id (self, controller, error);
}

ThHome *
th_store_open_home (ThStore  *self,
                    GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ThHome) home = NULL;
  ThFabric *fabric;

  fabric = th_store_load_fabric (self, &local_error);
  if (fabric != NULL)
    {
      home = g_new0 (ThHome, 1);
      home->fabric = fabric;
      home->saved = TRUE;
      home->controller = th_store_load_controller (self, error);
      if (home->controller == NULL)
        return NULL;
    }
  else if (g_error_matches (local_error, TH_ERROR, TH_ERROR_STORE_NO_FABRIC))
    {
      home = make_home (error);
      if (home == NULL)
        return NULL;
    }
  else
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  home->next_node_id = next_node_id (self, home->controller, error);
  if (home->next_node_id == 0)
    return NULL;
  return g_steal_pointer (&home);
}

gboolean
th_store_save_home (ThStore  *self,
                    ThHome   *home,
                    GError  **error)
{
  g_return_val_if_fail (home != NULL && !home->saved && home->root_key_pkcs8 != NULL, FALSE);

  if (!save_fabric (self, home, error))
    return FALSE;
  home->saved = TRUE;
  /* Secrets are kept no longer than needed. */
  wipe_and_free (g_steal_pointer (&home->root_key_pkcs8));
  wipe_and_free (g_steal_pointer (&home->controller_key_pkcs8));
  return TRUE;
}

gboolean
th_store_add_node (ThStore            *self,
                   const ThStoredNode *node,
                   GError            **error)
{
  g_autofree char *dir = g_build_filename (self->directory, NODES_DIR, NULL);
  g_autofree char *path = node_path (self, node->node_id);
  gboolean ok;
  int lock;

  if ((lock = lock_store (self, error)) < 0)
    return FALSE;
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_STORE_NODE_EXISTS,
                   _("Another device was saved with the same node ID at the same time. Remove "
                     "this device and add it again."));
      ok = FALSE;
    }
  else
    {
      ok = ensure_directory (dir, error) && save_node_file (self, node, error);
    }
  close (lock);
  return ok;
}

gboolean
th_store_update_node (ThStore            *self,
                      const ThStoredNode *node,
                      GError            **error)
{
  g_autofree char *path = node_path (self, node->node_id);
  gboolean ok;
  int lock;

  if ((lock = lock_store (self, error)) < 0)
    return FALSE;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_STORE_NO_NODE, _("There is no such device."));
      ok = FALSE;
    }
  else
    {
      ok = save_node_file (self, node, error);
    }
  close (lock);
  return ok;
}

gboolean
th_store_remove_node (ThStore  *self,
                      guint64   node_id,
                      GError  **error)
{
  g_autofree char *path = node_path (self, node_id);
  gboolean ok = TRUE;
  int lock;

  if ((lock = lock_store (self, error)) < 0)
    return FALSE;
  if (g_unlink (path) != 0)
    {
      int errsv = errno;

      if (errsv == ENOENT)
        g_set_error (error, TH_ERROR, TH_ERROR_STORE_NO_NODE, _("There is no such device."));
      else
        set_io_error (error, errsv, _("remove"), path);
      ok = FALSE;
    }
  close (lock);
  return ok;
}

ThStoredNode *
th_store_lookup_node (ThStore  *self,
                      guint64   node_id,
                      GError  **error)
{
  g_autofree char *path = node_path (self, node_id);

  return load_node_file (path, error);
}
