/* th-dcl-cache.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "dcl/th-dcl-cache.h"
#include "th-error.h"

#define MAGIC "threshold-dcl-cache 1 "

static char *
file_for_url (const char *dir,
              const char *url)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, url, -1);
  g_autofree char *name = g_strdup_printf ("%.32s.json", hash);

  return g_build_filename (dir, name, NULL);
}

void
th_dcl_cache_entry_free (ThDclCacheEntry *entry)
{
  if (entry == NULL)
    return;
  g_clear_pointer (&entry->body, g_bytes_unref);
  g_free (entry);
}

ThDclCacheEntry *
th_dcl_cache_read (const char  *dir,
                   const char  *url,
                   GError     **error)
{
  g_autofree char *path = file_for_url (dir, url);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  ThDclCacheEntry *entry;
  const char *p, *newline;
  gsize len, url_len = strlen (url);
  guint64 fetched_at;
  char *end;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;
      g_set_error (error, TH_ERROR, TH_ERROR_STORE_IO, _("Could not read “%s”: %s"), path,
                   local_error->message);
      return NULL;
    }

  newline = memchr (contents, '\n', len);
  p = contents + strlen (MAGIC);
  if (newline == NULL || len < strlen (MAGIC) || memcmp (contents, MAGIC, strlen (MAGIC)) != 0
      || !g_ascii_isdigit (*p))
    goto corrupt;
  errno = 0;
  fetched_at = g_ascii_strtoull (p, &end, 10);
  if (errno != 0 || fetched_at > G_MAXINT64 || *end != ' '
      || (gsize) (newline - (end + 1)) != url_len || memcmp (end + 1, url, url_len) != 0)
    goto corrupt;

  entry = g_new0 (ThDclCacheEntry, 1);
  entry->fetched_at = (gint64) fetched_at;
  entry->body = g_bytes_new (newline + 1, len - (gsize) (newline + 1 - contents));
  return entry;

corrupt:
  g_set_error (error, TH_ERROR, TH_ERROR_STORE_CORRUPT,
               _("“%s” is not an answer of the compliance ledger kept for %s."), path, url);
  return NULL;
}

gboolean
th_dcl_cache_write (const char  *dir,
                    const char  *url,
                    GBytes      *body,
                    gint64       fetched_at,
                    GError     **error)
{
  g_autofree char *path = file_for_url (dir, url);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) contents = g_string_new (NULL);
  gsize body_len;
  const char *body_data = g_bytes_get_data (body, &body_len);

  g_return_val_if_fail (strchr (url, '\n') == NULL, FALSE);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TH_ERROR, TH_ERROR_STORE_IO, _("Could not create the folder “%s”: %s"),
                   dir, g_strerror (saved_errno));
      return FALSE;
    }
  g_string_append_printf (contents, MAGIC "%" G_GINT64_FORMAT " %s\n", fetched_at, url);
  g_string_append_len (contents, body_data, (gssize) body_len);
  if (!g_file_set_contents_full (path, contents->str, (gssize) contents->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local_error))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_STORE_IO, _("Could not save “%s”: %s"), path,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}
