/* th-dcl-fixture.h: a local stand-in for the compliance ledger's REST API, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A SoupServer on 127.0.0.1 at a port of the system's choosing that answers as the ledger
 * does, from the files in tests/dcl/: routes.json maps a path (with its query, if any) to a
 * file, and optionally to a status, a delay, or a connection cut in the middle of the answer.
 * "@NAME@" in a file is replaced by the value set for NAME; @FIXTURE_URL@ is the fixture's own
 * address, so that what a file points to is served here too (or is a 404), never elsewhere. Roots added with
 * th_dcl_fixture_add_paa () are served at /dcl/pki/root-certificates and
 * /dcl/pki/certificates/{subject}/{subjectKeyId}. Anything else is a 404 with the body the
 * ledger's gateway sends. It answers on the thread-default main context it was made in. */
typedef struct _ThDclFixture ThDclFixture;

ThDclFixture *th_dcl_fixture_new            (const char    *fixtures_dir,
                                             GError       **error);
void          th_dcl_fixture_free           (ThDclFixture  *self);
/* "http://127.0.0.1:<port>" */
const char   *th_dcl_fixture_get_url        (ThDclFixture  *self);
void          th_dcl_fixture_set_variable   (ThDclFixture  *self,
                                             const char    *name,
                                             const char    *value);
/* Serves the certificate of a PEM file as an approved PAA root. */
gboolean      th_dcl_fixture_add_paa        (ThDclFixture  *self,
                                             const char    *pem_path,
                                             GError       **error);
/* Lists a root under another subject key ID than its certificate's: a ledger entry that a
 * sync must refuse. */
gboolean      th_dcl_fixture_add_paa_as     (ThDclFixture  *self,
                                             const char    *pem_path,
                                             const char    *subject_key_id,
                                             GError       **error);
/* Answers `path_and_query` with `body` (200), before any route: a revocation list made by a
 * test, or a ledger answer that names the fixture's own address. */
void          th_dcl_fixture_serve          (ThDclFixture  *self,
                                             const char    *path_and_query,
                                             const char    *content_type,
                                             GBytes        *body);
/* Every answer from now on has this status (and the 404 body), or 0 to answer normally. */
void          th_dcl_fixture_set_failing    (ThDclFixture  *self,
                                             guint          status);
/* How many requests came for `path_and_query`, or for any with NULL. */
guint         th_dcl_fixture_count_requests (ThDclFixture  *self,
                                             const char    *path_and_query);
/* Stops listening: requests fail as with a ledger that cannot be reached. */
void          th_dcl_fixture_stop           (ThDclFixture  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThDclFixture, th_dcl_fixture_free)

G_END_DECLS
