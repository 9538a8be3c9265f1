/* th-trust.h: the trust a commissioner uses, from where Threshold keeps it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "credentials/th-certification-declaration.h"
#include "credentials/th-paa-store.h"

G_BEGIN_DECLS

/* $XDG_CACHE_HOME/threshold/<name>: "paa" (the roots synced from the compliance ledger) or
 * "cd-signers". */
char     *th_trust_default_directory (const char   *name);

/* Loads the default folders into `paa_store` and `cd_signers`. A folder that does not exist
 * is an empty trust store (attestation then says so); files that cannot be used are named in
 * GErrors appended to `*warnings` (created when NULL). Fails only when a folder that exists
 * cannot be listed. */
gboolean  th_trust_load_defaults     (ThPaaStore   *paa_store,
                                      ThCdSigners  *cd_signers,
                                      GPtrArray   **warnings,
                                      GError      **error);

G_END_DECLS
