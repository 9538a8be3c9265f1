/* th-trust.h: the trust a commissioner uses, from where Threshold keeps it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "credentials/th-attestation-revocation.h"
#include "credentials/th-certification-declaration.h"
#include "credentials/th-paa-store.h"

G_BEGIN_DECLS

/* $XDG_CACHE_HOME/threshold/<name>: "paa" (the roots synced from the compliance ledger),
 * "cd-signers" or "revocation" (the revocation lists the ledger points to). */
char     *th_trust_default_directory     (const char   *name);
/* $XDG_DATA_HOME/threshold/trust/paa: PAA certificates the user imported for development
 * (test devices). Kept with the user's data rather than the cache: a sync never touches them. */
char     *th_trust_development_directory (void);

/* The file in the revocation folder that holds the revocation set, in the JSON format
 * th_revocation_set_load_json reads. */
#define TH_TRUST_REVOCATION_SET_FILE "revocation-set.json"

/* Loads the default folders into `paa_store` and `cd_signers`: the synced roots and the
 * development ones. A folder that does not exist is an empty trust store (attestation then
 * says so); files that cannot be used are named in GErrors appended to `*warnings` (created
 * when NULL). Fails only when a folder that exists cannot be listed. */
gboolean  th_trust_load_defaults         (ThPaaStore   *paa_store,
                                          ThCdSigners  *cd_signers,
                                          GPtrArray   **warnings,
                                          GError      **error);
/* The same, and the revocation set kept by the last revocation sync in `*revocations` (an
 * empty set when there is none; a set that cannot be read is a warning and an empty set). */
gboolean  th_trust_load_defaults_full    (ThPaaStore       *paa_store,
                                          ThCdSigners      *cd_signers,
                                          ThRevocationSet **revocations,
                                          GPtrArray       **warnings,
                                          GError          **error);
/* The revocation set kept in `dir` (a revocation folder); an empty set when there is none.
 * TH_ERROR_REVOCATION_SET when the file exists but cannot be read or parsed. */
ThRevocationSet *th_trust_load_revocation_set (const char  *dir,
                                               GError     **error);

/* Adds a PAA certificate for development: `data` must hold exactly one certificate (PEM or
 * DER) that is a self-signed CA certificate with a subject key identifier. It is saved in
 * `dir` (NULL: th_trust_development_directory) as "<key id in upper-case hex>.der", written
 * whole and renamed into place, replacing the same root imported before. Returns its subject
 * key identifier as "6A:FD:...", or NULL with TH_ERROR_TRUST_STORE saying what is wrong. */
char     *th_trust_import_paa            (const char    *dir,
                                          const guint8  *data,
                                          gsize          len,
                                          GError       **error);
/* Removes the development PAA with this subject key identifier (hex, colons optional, either
 * case). TH_ERROR_TRUST_STORE when it is not there or cannot be removed. */
gboolean  th_trust_remove_paa            (const char    *dir,
                                          const char    *subject_key_id,
                                          GError       **error);

G_END_DECLS
