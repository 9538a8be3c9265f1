/* th-paa-store.h: the trusted Product Attestation Authorities (PAA roots)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <openssl/x509.h>

G_BEGIN_DECLS

/* A set of PAA certificates, the roots a device's attestation chain must end in. Filled from
 * folders of PEM or DER files (the DCL mirror, the bundled test roots) and from memory, then
 * only read. Certificates are not checked when added: the verifier checks the PAA's profile
 * when it uses one. Reference counted; not thread-safe while being filled. */
typedef struct _ThPaaStore ThPaaStore;

#define TH_TYPE_PAA_STORE (th_paa_store_get_type ())

GType       th_paa_store_get_type          (void) G_GNUC_CONST;

ThPaaStore *th_paa_store_new               (void);
ThPaaStore *th_paa_store_ref               (ThPaaStore    *self);
void        th_paa_store_unref             (ThPaaStore    *self);

/* Adds the certificates in `data`: one DER certificate or one or more PEM ones. A certificate
 * already in the store (the same bytes) is not added twice. */
gboolean    th_paa_store_add_data          (ThPaaStore    *self,
                                            const guint8  *data,
                                            gsize          len,
                                            GError       **error);
/* Adds every certificate in the regular files of `path`. Files that cannot be read or hold
 * no certificate are skipped; each is named in a GError appended to `*warnings` (created
 * when NULL; the caller frees it). Fails with TH_ERROR_TRUST_STORE only when the folder
 * cannot be listed. Returns how many certificates were added through `n_added`. */
gboolean    th_paa_store_add_directory     (ThPaaStore    *self,
                                            const char    *path,
                                            guint         *n_added,
                                            GPtrArray    **warnings,
                                            GError       **error);

/* The same; with `counts_for_age` FALSE the files' times leave the store's age as it was: for
 * roots imported by hand, which say nothing of how fresh the ledger's are. */
gboolean    th_paa_store_add_directory_full (ThPaaStore   *self,
                                             const char   *path,
                                             gboolean      counts_for_age,
                                             guint        *n_added,
                                             GPtrArray   **warnings,
                                             GError      **error);

guint       th_paa_store_get_size          (ThPaaStore    *self);
/* When the store's contents were last refreshed, in Unix seconds: the newest modification
 * time of the files it was loaded from, or the time certificates were added from memory.
 * 0 for an empty store. The age is now minus this. */
gint64      th_paa_store_get_updated       (ThPaaStore    *self);

/* Borrowed; NULL when absent. The key identifier is TH_PAA_KEY_ID_LEN bytes. */
#define TH_PAA_KEY_ID_LEN 20
X509       *th_paa_store_lookup_by_key_id  (ThPaaStore    *self,
                                            const guint8   key_id[TH_PAA_KEY_ID_LEN]);
X509       *th_paa_store_lookup_by_subject (ThPaaStore    *self,
                                            const X509_NAME *subject);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThPaaStore, th_paa_store_unref)

G_END_DECLS
