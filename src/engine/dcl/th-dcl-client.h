/* th-dcl-client.h: the Distributed Compliance Ledger's REST API, with an on-disk cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "dcl/th-dcl-records.h"

G_BEGIN_DECLS

#define TH_DCL_MAIN_NET_URL "https://on.dcl.csa-iot.org"
#define TH_DCL_TEST_NET_URL "https://on.test-net.dcl.csa-iot.org"

/* How long an answer is used without asking again, and how long a request may take. */
#define TH_DCL_DEFAULT_CACHE_LIFETIME_S (24 * 3600)
#define TH_DCL_DEFAULT_TIMEOUT_MS 10000
/* Answers larger than this are refused: the largest the ledger gives are a few hundred kB. */
#define TH_DCL_MAX_ANSWER_SIZE (8 * 1024 * 1024)

/* Where an answer came from. */
typedef enum
{
  TH_DCL_SOURCE_NETWORK,      /* the ledger, just now */
  TH_DCL_SOURCE_CACHE,        /* kept from before, and young enough to be used as it is */
  TH_DCL_SOURCE_STALE_CACHE,  /* kept from before, older, used because the ledger could not
                               * be asked: ThDclOrigin.problem says why */
} ThDclSource;

typedef struct
{
  ThDclSource source;
  gint64 fetched_at;          /* Unix seconds: when the ledger gave the answer */
  GError *problem;            /* with STALE_CACHE: why the ledger was not asked, or failed */
} ThDclOrigin;

void        th_dcl_origin_clear       (ThDclOrigin *origin);
/* "network", "cache", "stale-cache" */
const char *th_dcl_source_to_string   (ThDclSource  source);
/* Where an answer came from, in a sentence for people, with the reason when it is old. */
char       *th_dcl_origin_describe    (const ThDclOrigin *origin);

/* The ledger to ask, from the settings (io.github.threshold.Threshold: dcl-url-override when
 * set, else dcl-network); the main net when the settings schema is not installed. */
char       *th_dcl_default_base_url   (void);
/* Whether `url` can be a ledger's base URL: http or https, a host, no query or fragment. */
gboolean    th_dcl_check_base_url     (const char   *url,
                                       GError      **error);
/* $XDG_CACHE_HOME/threshold/dcl */
char       *th_dcl_default_cache_dir  (void);

#define TH_TYPE_DCL_CLIENT (th_dcl_client_get_type ())

G_DECLARE_FINAL_TYPE (ThDclClient, th_dcl_client, TH, DCL_CLIENT, GObject)

/* `base_url`: NULL for th_dcl_default_base_url (); `cache_dir`: NULL for the default one.
 *
 * Every lookup first reads the cache. An answer younger than the cache lifetime is used as it
 * is; otherwise the ledger is asked, and a good answer is kept. When the ledger cannot be
 * asked or answers badly (no network, a timeout, a status other than 200 or 404, an answer
 * that does not parse) an older kept answer is used, with the reason in ThDclOrigin.problem;
 * without one the lookup fails with that reason. A 404 is the ledger's word that there is no
 * such record: TH_ERROR_DCL_NOT_FOUND, whatever the cache holds.
 *
 * Lookups run on the thread-default main context of the caller and never block it: the cache
 * is read and written on a worker thread. */
ThDclClient *th_dcl_client_new                  (const char   *base_url,
                                                 const char   *cache_dir);
const char  *th_dcl_client_get_base_url         (ThDclClient  *self);
/* The bound on one request, from sending it to the end of the answer. */
void         th_dcl_client_set_timeout          (ThDclClient  *self,
                                                 guint         timeout_ms);
void         th_dcl_client_set_cache_lifetime   (ThDclClient  *self,
                                                 gint64        seconds);
/* Offline: kept answers only, whatever their age; TH_ERROR_DCL_NOT_CACHED without one. */
void         th_dcl_client_set_offline          (ThDclClient  *self,
                                                 gboolean      offline);

/* `origin` may be NULL; when given it is filled on success (clear it after). */
void         th_dcl_client_get_model_async      (ThDclClient          *self,
                                                 guint16               vendor_id,
                                                 guint16               product_id,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
ThDclModel  *th_dcl_client_get_model_finish     (ThDclClient          *self,
                                                 GAsyncResult         *result,
                                                 ThDclOrigin          *origin,
                                                 GError              **error);

void         th_dcl_client_get_vendor_async     (ThDclClient          *self,
                                                 guint16               vendor_id,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
ThDclVendor *th_dcl_client_get_vendor_finish    (ThDclClient          *self,
                                                 GAsyncResult         *result,
                                                 ThDclOrigin          *origin,
                                                 GError              **error);

/* The approved PAA roots, as ThDclCertificateId. */
void         th_dcl_client_get_root_certificates_async  (ThDclClient          *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GPtrArray   *th_dcl_client_get_root_certificates_finish (ThDclClient          *self,
                                                         GAsyncResult         *result,
                                                         ThDclOrigin          *origin,
                                                         GError              **error);

/* The approved certificates with this subject and key id, as ThDclCertificate. */
void         th_dcl_client_get_certificates_async  (ThDclClient          *self,
                                                    const char           *subject,
                                                    const char           *subject_key_id,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
GPtrArray   *th_dcl_client_get_certificates_finish (ThDclClient          *self,
                                                    GAsyncResult         *result,
                                                    ThDclOrigin          *origin,
                                                    GError              **error);

/* Revocation distribution points, as ThDclRevocationPoint: those of one issuer (its subject
 * key id in hex, without colons), or with NULL all of them, page after page. The origin of a
 * list of several pages is that of its oldest page. */
void         th_dcl_client_get_revocation_points_async  (ThDclClient          *self,
                                                         const char           *issuer_key_id,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GPtrArray   *th_dcl_client_get_revocation_points_finish (ThDclClient          *self,
                                                         GAsyncResult         *result,
                                                         ThDclOrigin          *origin,
                                                         GError              **error);

/* The certificate revocation list a revocation point leads to (its dataURL, which the caller
 * has checked is http or https), DER or PEM as published, through the same cache, timeout and
 * size bound as the ledger's answers. Only its shape is checked: it must parse as a CRL. */
void         th_dcl_client_get_crl_async                (ThDclClient          *self,
                                                         const char           *url,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GBytes      *th_dcl_client_get_crl_finish               (ThDclClient          *self,
                                                         GAsyncResult         *result,
                                                         ThDclOrigin          *origin,
                                                         GError              **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ThDclOrigin, th_dcl_origin_clear)

G_END_DECLS
