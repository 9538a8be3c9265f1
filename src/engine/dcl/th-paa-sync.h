/* th-paa-sync.h: the PAA trust store, filled from the compliance ledger
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "dcl/th-dcl-client.h"

G_BEGIN_DECLS

/* The folder the trust store is kept in, which the attestation verifier's ThPaaStore reads:
 * $XDG_CACHE_HOME/threshold/paa. Each root the ledger approves is one DER file there, named
 * after its subject key identifier: "<40 upper-case hex digits>.der". Other files are left
 * alone by a sync. */
char *th_paa_default_dir (void);

typedef struct
{
  guint n_listed;       /* roots the ledger approves */
  guint n_added;        /* files written that were not there */
  guint n_updated;      /* files rewritten because their certificate changed */
  guint n_unchanged;    /* files already right (their time is renewed: the store's age) */
  guint n_removed;      /* files of roots the ledger no longer lists */
  GPtrArray *problems;  /* of GError *: each root left out, and why */
  ThDclOrigin origin;   /* of the ledger's list */
} ThPaaSyncReport;

void  th_paa_sync_report_free (ThPaaSyncReport *report);

/* Brings `dir` in line with the ledger's approved PAA roots (th_dcl_client_get_root_certificates
 * and one th_dcl_client_get_certificates per root, a few at a time). Each certificate is
 * checked before it is written: it must parse, be self-signed, and have the subject and subject
 * key identifier the ledger lists it under; one that fails is left out and named in
 * `problems`, and the file it had, if any, is kept. Files are written whole and renamed into
 * place; the folder is created (0700). Fails when the list cannot be had at all, or the folder
 * cannot be written (TH_ERROR_TRUST_STORE). */
void             th_paa_sync_async  (ThDclClient          *client,
                                     const char           *dir,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
ThPaaSyncReport *th_paa_sync_finish (GAsyncResult         *result,
                                     GError              **error);

/* One certificate of a trust store folder, for a listing. */
typedef struct
{
  char *file;           /* its name in the folder */
  char *subject;        /* "CN=Matter Test PAA, vid=FFF1", in the certificate's order */
  char *subject_key_id; /* "6A:FD:..." or NULL */
  gboolean has_vendor_id;
  guint16 vendor_id;
  gint64 not_after;     /* Unix seconds */
} ThPaaEntry;

void       th_paa_entry_free       (ThPaaEntry *entry);

/* The certificates in `dir`, sorted by subject, with the folder's newest file time (the
 * store's age: now minus `updated`) and its size on disk in bytes. Files that hold no
 * certificate are named in `warnings` (of GError *, created when NULL). A missing folder is an
 * empty store. Blocks: small folders only, or a worker thread. */
GPtrArray *th_paa_directory_list   (const char  *dir,
                                    gint64      *updated,
                                    guint64     *size,
                                    GPtrArray  **warnings,
                                    GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThPaaSyncReport, th_paa_sync_report_free)

G_END_DECLS
