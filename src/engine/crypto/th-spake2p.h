/* th-spake2p.h: SPAKE2+ over P-256 with SHA-256, HKDF and HMAC, as Matter's PASE uses it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "th-crypto.h"

G_BEGIN_DECLS

#define TH_SPAKE2P_W_LEN            32  /* w0 and w1: scalars mod n, big-endian */
#define TH_SPAKE2P_POINT_LEN        TH_P256_PUBLIC_KEY_LEN  /* X, Y and L, uncompressed */
#define TH_SPAKE2P_VERIFIER_LEN     (TH_SPAKE2P_W_LEN + TH_SPAKE2P_POINT_LEN)  /* w0 || L */
#define TH_SPAKE2P_CONFIRMATION_LEN TH_SHA256_LEN  /* cA and cB */
#define TH_SPAKE2P_KEY_LEN          16  /* Ke */

/* w0s || w1s = PBKDF2-HMAC-SHA256 (passcode as 4 bytes little-endian, salt, iterations,
 * 80 bytes); w0 = w0s mod n, w1 = w1s mod n. */
gboolean th_spake2p_compute_w0_w1    (guint32       passcode,
                                      const guint8 *salt,
                                      gsize         salt_len,
                                      guint32       iterations,
                                      guint8        w0[TH_SPAKE2P_W_LEN],
                                      guint8        w1[TH_SPAKE2P_W_LEN],
                                      GError      **error);
/* The verifier a device stores (and the PAKE verifier of an enhanced commissioning
 * window): w0 || L, with L = w1 * G. */
gboolean th_spake2p_compute_verifier (guint32       passcode,
                                      const guint8 *salt,
                                      gsize         salt_len,
                                      guint32       iterations,
                                      guint8        verifier[TH_SPAKE2P_VERIFIER_LEN],
                                      GError      **error);

/* One side of one exchange. The prover (the commissioner) knows w0 and w1; the verifier
 * knows w0 and L. Identities may be NULL with length 0; Matter leaves both empty.
 *
 * Use: compute_share (X for the prover, Y for the verifier) and send it;
 * process_peer_share with the other side's point, which derives every key;
 * get_confirmation (cA for the prover, cB for the verifier) and send it;
 * verify_peer_confirmation; then get_shared_key (Ke). The order is enforced. */
typedef struct _ThSpake2p ThSpake2p;

ThSpake2p *th_spake2p_new_prover   (const guint8 *context,
                                    gsize         context_len,
                                    const guint8 *id_prover,
                                    gsize         id_prover_len,
                                    const guint8 *id_verifier,
                                    gsize         id_verifier_len,
                                    const guint8  w0[TH_SPAKE2P_W_LEN],
                                    const guint8  w1[TH_SPAKE2P_W_LEN],
                                    GError      **error);
/* `verifier` is w0 || L as th_spake2p_compute_verifier gives it; L is validated. */
ThSpake2p *th_spake2p_new_verifier (const guint8 *context,
                                    gsize         context_len,
                                    const guint8 *id_prover,
                                    gsize         id_prover_len,
                                    const guint8 *id_verifier,
                                    gsize         id_verifier_len,
                                    const guint8  verifier[TH_SPAKE2P_VERIFIER_LEN],
                                    GError      **error);
/* Wipes every secret. */
void       th_spake2p_free         (ThSpake2p    *self);

/* For test vectors only: use this ephemeral scalar (x or y, in [1, n-1]) instead of a
 * random one. Call before compute_share. */
gboolean   th_spake2p_set_ephemeral_scalar  (ThSpake2p    *self,
                                             const guint8  scalar[TH_SPAKE2P_W_LEN],
                                             GError      **error);

gboolean   th_spake2p_compute_share         (ThSpake2p    *self,
                                             guint8        share[TH_SPAKE2P_POINT_LEN],
                                             GError      **error);
/* Refuses a point that is not on the curve or is the identity (TH_ERROR_CRYPTO_INVALID_KEY). */
gboolean   th_spake2p_process_peer_share    (ThSpake2p    *self,
                                             const guint8  peer_share[TH_SPAKE2P_POINT_LEN],
                                             GError      **error);
void       th_spake2p_get_confirmation      (ThSpake2p    *self,
                                             guint8        out[TH_SPAKE2P_CONFIRMATION_LEN]);
/* `confirmation` is TH_SPAKE2P_CONFIRMATION_LEN bytes, compared in constant time; FALSE with
 * TH_ERROR_CRYPTO_AUTH when the peer used another passcode. */
gboolean   th_spake2p_verify_peer_confirmation (ThSpake2p    *self,
                                                const guint8 *confirmation,
                                                GError      **error);
/* Ke; available only once the peer's confirmation has been verified. */
void       th_spake2p_get_shared_key        (ThSpake2p    *self,
                                             guint8        out[TH_SPAKE2P_KEY_LEN]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThSpake2p, th_spake2p_free)

G_END_DECLS
