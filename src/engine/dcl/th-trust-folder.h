/* th-trust-folder.h: the folders the ledger syncs fill, kept to what the last sync wrote
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Creates `dir` and its parents (0700); TH_ERROR_TRUST_STORE naming it when it cannot. */
gboolean th_trust_folder_ensure (const char  *dir,
                                 GError     **error);

/* Removes the files of `dir` that `is_ours` accepts and `keep` does not name. A file that
 * cannot be removed fails the call when `strict`; otherwise it is logged and left. Counts the
 * files removed in `*n_removed` when given. */
gboolean th_trust_folder_prune  (const char   *dir,
                                 gboolean    (*is_ours) (const char *name),
                                 GHashTable   *keep,
                                 gboolean      strict,
                                 guint        *n_removed,
                                 GError      **error);

G_END_DECLS
