/* th-session.h: a session with one peer, unsecured or secured by PASE or CASE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "th-mrp.h"

G_BEGIN_DECLS

typedef enum
{
  TH_SESSION_KIND_UNSECURED,
  TH_SESSION_KIND_PASE,
  TH_SESSION_KIND_CASE,
} ThSessionKind;

#define TH_SESSION_KEY_LEN 16

/* The keys of a secure session, derived from the PASE or CASE shared secret. They are
 * secrets: wipe them with th_session_keys_clear(). */
typedef struct
{
  guint8 i2r_key[TH_SESSION_KEY_LEN];   /* encrypts what the initiator sends */
  guint8 r2i_key[TH_SESSION_KEY_LEN];   /* encrypts what the responder sends */
  guint8 attestation_challenge[TH_SESSION_KEY_LEN];
} ThSessionKeys;

/* HKDF-SHA256 (secret, salt, info "SessionKeys") into I2R || R2I || AttestationChallenge.
 * PASE uses Ke and an empty salt; CASE its shared secret and its own salt. */
gboolean th_session_keys_derive (const guint8   *secret,
                                 gsize           secret_len,
                                 const guint8   *salt,
                                 gsize           salt_len,
                                 ThSessionKeys  *keys,
                                 GError        **error);
void     th_session_keys_clear  (ThSessionKeys  *keys);

/* What PASE or CASE has agreed, to make a secure session of. */
typedef struct
{
  ThSessionKind kind;                   /* TH_SESSION_KIND_PASE or TH_SESSION_KIND_CASE */
  GSocketAddress *peer_address;         /* NULL on a point-to-point transport */
  guint16 local_session_id;             /* from th_exchange_manager_allocate_session_id() */
  guint16 peer_session_id;
  gboolean is_initiator;                /* TRUE when this node sent PBKDFParamRequest/Sigma1 */
  guint64 local_node_id;                /* TH_NODE_ID_UNSPECIFIED in PASE */
  guint64 peer_node_id;                 /* TH_NODE_ID_UNSPECIFIED in PASE */
  const ThSessionKeys *keys;            /* copied */
  const ThMrpParameters *peer_mrp_parameters;  /* NULL: the defaults */
} ThSecureSessionConfig;

#define TH_TYPE_SESSION (th_session_get_type ())

G_DECLARE_FINAL_TYPE (ThSession, th_session, TH, SESSION, GObject)

ThSessionKind          th_session_get_kind                  (ThSession             *self);
gboolean               th_session_is_secure                 (ThSession             *self);
gboolean               th_session_is_initiator              (ThSession             *self);
/* FALSE once the exchange manager has closed the session. */
gboolean               th_session_is_open                   (ThSession             *self);
GSocketAddress        *th_session_get_peer_address          (ThSession             *self);
/* 0 for an unsecured session. */
guint16                th_session_get_local_session_id      (ThSession             *self);
guint16                th_session_get_peer_session_id       (ThSession             *self);
/* In an unsecured session: the ephemeral node ids, one of them unspecified. */
guint64                th_session_get_local_node_id         (ThSession             *self);
guint64                th_session_get_peer_node_id          (ThSession             *self);
/* The 16-byte attestation challenge of a secure session; NULL when unsecured. */
const guint8          *th_session_get_attestation_challenge (ThSession             *self);

/* The peer's SII, SAI and SAT from DNS-SD or the handshake; values above the
 * specification's maxima are clamped. */
void                   th_session_set_peer_mrp_parameters   (ThSession             *self,
                                                             const ThMrpParameters *parameters);
const ThMrpParameters *th_session_get_peer_mrp_parameters   (ThSession             *self);

/* How long the peer may take to act on a request before it answers: what exchanges this node
 * starts on the session expect, unless told otherwise (th_exchange_set_expected_processing_time).
 * TH_EXCHANGE_DEFAULT_PROCESSING_TIME_MS at first. A commissioner raises it to at least 30 s
 * while the device's fail-safe is armed, as the specification asks (5.5.1). */
void                   th_session_set_expected_processing_time (ThSession      *self,
                                                                guint           ms);
guint                  th_session_get_expected_processing_time (ThSession      *self);

G_END_DECLS
