/* th-dcl-cache.h: the compliance ledger's answers kept on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One answer as it came, with the URL it answered and when it was fetched. Each lives in its
 * own file of the cache folder, named after a hash of the URL: a line
 * "threshold-dcl-cache 1 <Unix seconds> <URL>", then the body. Files are replaced whole
 * (written aside, then renamed), so a reader never sees half of one. These functions block:
 * call them from a worker thread. */
typedef struct
{
  GBytes *body;
  gint64 fetched_at;    /* Unix seconds */
} ThDclCacheEntry;

/* The answer kept for `url`, or NULL when there is none (no error then). A file that is not
 * one of ours, or that belongs to another URL, fails with TH_ERROR_STORE_CORRUPT. */
ThDclCacheEntry *th_dcl_cache_read        (const char       *dir,
                                           const char       *url,
                                           GError          **error);
/* Creates `dir` (mode 0700) if needed; TH_ERROR_STORE_IO when it cannot write. */
gboolean         th_dcl_cache_write       (const char       *dir,
                                           const char       *url,
                                           GBytes           *body,
                                           gint64            fetched_at,
                                           GError          **error);
void             th_dcl_cache_entry_free  (ThDclCacheEntry  *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThDclCacheEntry, th_dcl_cache_entry_free)

G_END_DECLS
