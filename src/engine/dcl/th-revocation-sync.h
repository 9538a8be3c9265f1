/* th-revocation-sync.h: the revocation lists the compliance ledger points to, fetched, checked
 * and kept as a revocation set
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "credentials/th-paa-store.h"
#include "dcl/th-dcl-client.h"

G_BEGIN_DECLS

typedef struct
{
  guint n_points;       /* revocation points the ledger lists */
  guint n_lists;        /* lists fetched, checked and kept */
  guint n_revoked;      /* certificates they revoke */
  gint64 oldest_update; /* Unix seconds: the oldest thisUpdate of the lists kept; 0: none */
  GPtrArray *problems;  /* of GError *: each point left out, each list out of date, and why */
  ThDclOrigin origin;   /* of the ledger's list of points */
} ThRevocationSyncReport;

void  th_revocation_sync_report_free (ThRevocationSyncReport *report);

/* Fetches the certificate revocation list of every revocation point of the ledger (only http
 * and https addresses) and checks it before it is used: it must be signed by the issuer the
 * point names (the certificate the point carries, whose subject key ID must be the point's
 * issuer key ID; for a PAA's point without one, the PAA of `paa_store` with that key ID), the
 * signer must chain to a root of `paa_store` (a PAI's to the PAA that issued it), the file
 * must have the size and SHA-256 digest the ledger gives for it, when it gives them, and the
 * list must have been issued already. Lists signed by a delegate of the issuer are left out. A list past its nextUpdate is still used (what it
 * revokes stays revoked) and named in `problems`. The lists are kept in `dir` as
 * "<issuer key ID>-<hash of the address>.crl", and the revocation set they make as
 * TH_TRUST_REVOCATION_SET_FILE, each file written whole and renamed into place; lists of
 * points no longer listed are removed. Fails when the ledger's list cannot be had or the
 * folder cannot be written (TH_ERROR_TRUST_STORE). */
void                    th_revocation_sync_async  (ThDclClient          *client,
                                                   ThPaaStore           *paa_store,
                                                   const char           *dir,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
ThRevocationSyncReport *th_revocation_sync_finish (GAsyncResult         *result,
                                                   GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThRevocationSyncReport, th_revocation_sync_report_free)

G_END_DECLS
