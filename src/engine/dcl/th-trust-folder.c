/* th-trust-folder.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "dcl/th-trust-folder.h"
#include "th-error.h"

gboolean
th_trust_folder_ensure (const char  *dir,
                        GError     **error)
{
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TH_ERROR, TH_ERROR_TRUST_STORE,
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
th_trust_folder_prune (const char   *dir,
                       gboolean    (*is_ours) (const char *name),
                       GHashTable   *keep,
                       gboolean      strict,
                       guint        *n_removed,
                       GError      **error)
{
  g_autoptr(GDir) folder = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  folder = g_dir_open (dir, 0, &local_error);
  if (folder == NULL)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TRUST_STORE,
                   _("Could not read the folder “%s”: %s"), dir, local_error->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (folder)) != NULL)
    {
      g_autofree char *path = NULL;

      if (!is_ours (name) || g_hash_table_contains (keep, name))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (g_unlink (path) != 0)
        {
          int saved_errno = errno;

          if (!strict)
            {
              g_debug ("Could not remove %s: %s", path, g_strerror (saved_errno));
              continue;
            }
          g_set_error (error, TH_ERROR, TH_ERROR_TRUST_STORE, _("Could not remove “%s”: %s"),
                       path, g_strerror (saved_errno));
          return FALSE;
        }
      if (n_removed != NULL)
        (*n_removed)++;
    }
  return TRUE;
}
