/* th-spake2p.c: SPAKE2+ over P-256 with SHA-256, HKDF and HMAC, as Matter's PASE uses it
 *
 * The protocol is draft-bar-cfrg-spake2plus-01, which Matter adopted: X = x*G + w0*M,
 * Y = y*G + w0*N, Z = x*(Y - w0*N) = y*(X - w0*M), V = w1*(Y - w0*N) = y*L, the transcript
 * TT is each of Context, idProver, idVerifier, M, N, X, Y, Z, V and w0 preceded by its
 * length as 8 bytes little-endian, Ka || Ke = SHA-256 (TT), KcA || KcB =
 * HKDF (no salt, Ka, "ConfirmationKeys"), cA = HMAC (KcA, Y) and cB = HMAC (KcB, X).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "th-crypto-private.h"
#include "th-error.h"
#include "th-spake2p.h"

/* The draft's fixed points for P-256, uncompressed. */
static const guint8 spake2p_m[TH_SPAKE2P_POINT_LEN] = {
  0x04, 0x88, 0x6e, 0x2f, 0x97, 0xac, 0xe4, 0x6e, 0x55, 0xba, 0x9d, 0xd7, 0x24, 0x25, 0x79,
  0xf2, 0x99, 0x3b, 0x64, 0xe1, 0x6e, 0xf3, 0xdc, 0xab, 0x95, 0xaf, 0xd4, 0x97, 0x33, 0x3d,
  0x8f, 0xa1, 0x2f, 0x5f, 0xf3, 0x55, 0x16, 0x3e, 0x43, 0xce, 0x22, 0x4e, 0x0b, 0x0e, 0x65,
  0xff, 0x02, 0xac, 0x8e, 0x5c, 0x7b, 0xe0, 0x94, 0x19, 0xc7, 0x85, 0xe0, 0xca, 0x54, 0x7d,
  0x55, 0xa1, 0x2e, 0x2d, 0x20,
};
static const guint8 spake2p_n[TH_SPAKE2P_POINT_LEN] = {
  0x04, 0xd8, 0xbb, 0xd6, 0xc6, 0x39, 0xc6, 0x29, 0x37, 0xb0, 0x4d, 0x99, 0x7f, 0x38, 0xc3,
  0x77, 0x07, 0x19, 0xc6, 0x29, 0xd7, 0x01, 0x4d, 0x49, 0xa2, 0x4b, 0x4f, 0x98, 0xba, 0xa1,
  0x29, 0x2b, 0x49, 0x07, 0xd6, 0x0a, 0xa6, 0xbf, 0xad, 0xe4, 0x50, 0x08, 0xa6, 0x36, 0x33,
  0x7f, 0x51, 0x68, 0xc6, 0x4d, 0x9b, 0xd3, 0x60, 0x34, 0x80, 0x8c, 0xd5, 0x64, 0x49, 0x0b,
  0x1e, 0x65, 0x6e, 0xdb, 0xe7,
};

/* Each of w0s and w1s is 40 bytes: 64 bits more than the order, so that the reduction mod n
 * leaves a negligible bias. */
#define PBKDF2_HALF_LEN 40

#define CONFIRMATION_KEY_LEN 16
#define CONFIRMATION_KEYS_INFO "ConfirmationKeys"

typedef enum
{
  STATE_NEW,
  STATE_SHARE_COMPUTED,
  STATE_KEYS_DERIVED,
  STATE_CONFIRMED,
  STATE_FAILED,
} State;

struct _ThSpake2p
{
  gboolean is_prover;
  State state;

  EC_GROUP *group;
  BN_CTX *bn_ctx;
  EC_POINT *m;
  EC_POINT *n;

  BIGNUM *w0;
  BIGNUM *w1;                 /* the prover's */
  EC_POINT *l;                /* the verifier's */
  BIGNUM *scalar;             /* x or y */

  /* The transcript is hashed as it grows: Context, the identities, M and N at once. */
  ThSha256 *transcript;

  guint8 share[TH_SPAKE2P_POINT_LEN];
  guint8 confirmation[TH_SPAKE2P_CONFIRMATION_LEN];
  guint8 expected_peer_confirmation[TH_SPAKE2P_CONFIRMATION_LEN];
  guint8 ke[TH_SPAKE2P_KEY_LEN];
};

static gboolean
scalar_reduce (const EC_GROUP *group,
               const guint8   *in,
               gsize           in_len,
               guint8          out[TH_SPAKE2P_W_LEN],
               GError        **error)
{
  g_autoptr(BN_CTX) bn_ctx = BN_CTX_new ();
  g_autoptr(BIGNUM) value = BN_bin2bn (in, (int) in_len, NULL);

  if (bn_ctx == NULL || value == NULL)
    return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not allocate a number"));
  BN_set_flags (value, BN_FLG_CONSTTIME);
  if (BN_nnmod (value, value, EC_GROUP_get0_order (group), bn_ctx) != 1
      || BN_bn2binpad (value, out, TH_SPAKE2P_W_LEN) != TH_SPAKE2P_W_LEN)
    return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not reduce a SPAKE2+ scalar"));
  return TRUE;
}

gboolean
th_spake2p_compute_w0_w1 (guint32       passcode,
                          const guint8 *salt,
                          gsize         salt_len,
                          guint32       iterations,
                          guint8        w0[TH_SPAKE2P_W_LEN],
                          guint8        w1[TH_SPAKE2P_W_LEN],
                          GError      **error)
{
  g_autoptr(EC_GROUP) group = th_p256_group_new (error);
  guint8 password[4];
  guint8 derived[2 * PBKDF2_HALF_LEN];
  gboolean ok;

  if (group == NULL)
    return FALSE;

  password[0] = passcode & 0xff;
  password[1] = (passcode >> 8) & 0xff;
  password[2] = (passcode >> 16) & 0xff;
  password[3] = (passcode >> 24) & 0xff;

  ok = th_pbkdf2_sha256 (password, sizeof password, salt, salt_len, iterations,
                         derived, sizeof derived, error)
       && scalar_reduce (group, derived, PBKDF2_HALF_LEN, w0, error)
       && scalar_reduce (group, derived + PBKDF2_HALF_LEN, PBKDF2_HALF_LEN, w1, error);

  th_secure_wipe (password, sizeof password);
  th_secure_wipe (derived, sizeof derived);
  if (!ok)
    {
      th_secure_wipe (w0, TH_SPAKE2P_W_LEN);
      th_secure_wipe (w1, TH_SPAKE2P_W_LEN);
    }
  return ok;
}

gboolean
th_spake2p_compute_verifier (guint32       passcode,
                             const guint8 *salt,
                             gsize         salt_len,
                             guint32       iterations,
                             guint8        verifier[TH_SPAKE2P_VERIFIER_LEN],
                             GError      **error)
{
  g_autoptr(EC_GROUP) group = NULL;
  g_autoptr(BN_CTX) bn_ctx = NULL;
  g_autoptr(BIGNUM) w1 = NULL;
  g_autoptr(EC_POINT) l = NULL;
  guint8 w1_bytes[TH_SPAKE2P_W_LEN];
  gboolean ok = FALSE;

  if (!th_spake2p_compute_w0_w1 (passcode, salt, salt_len, iterations, verifier, w1_bytes,
                                 error))
    return FALSE;

  group = th_p256_group_new (error);
  bn_ctx = BN_CTX_new ();
  w1 = BN_bin2bn (w1_bytes, TH_SPAKE2P_W_LEN, NULL);
  th_secure_wipe (w1_bytes, sizeof w1_bytes);
  if (group == NULL)
    goto out;
  if (bn_ctx == NULL || w1 == NULL || (l = EC_POINT_new (group)) == NULL)
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not allocate a P-256 point"));
      goto out;
    }
  BN_set_flags (w1, BN_FLG_CONSTTIME);
  if (EC_POINT_mul (group, l, w1, NULL, NULL, bn_ctx) != 1)
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not compute the SPAKE2+ verifier"));
      goto out;
    }
  ok = th_p256_point_encode (group, l, verifier + TH_SPAKE2P_W_LEN, bn_ctx, error);

out:
  if (!ok)
    th_secure_wipe (verifier, TH_SPAKE2P_VERIFIER_LEN);
  return ok;
}

static void
transcript_add (ThSha256     *transcript,
                const guint8 *data,
                gsize         len)
{
  guint64 len_le = GUINT64_TO_LE ((guint64) len);

  th_sha256_update (transcript, (const guint8 *) &len_le, sizeof len_le);
  th_sha256_update (transcript, data, len);
}

static ThSpake2p *
spake2p_new (gboolean      is_prover,
             const guint8 *context,
             gsize         context_len,
             const guint8 *id_prover,
             gsize         id_prover_len,
             const guint8 *id_verifier,
             gsize         id_verifier_len,
             const guint8  w0[TH_SPAKE2P_W_LEN],
             GError      **error)
{
  g_autoptr(ThSpake2p) self = g_new0 (ThSpake2p, 1);

  self->is_prover = is_prover;
  self->state = STATE_NEW;
  self->group = th_p256_group_new (error);
  if (self->group == NULL)
    return NULL;
  self->bn_ctx = BN_CTX_new ();
  if (self->bn_ctx == NULL)
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not allocate a number context"));
      return NULL;
    }
  self->m = th_p256_point_decode (self->group, spake2p_m, self->bn_ctx, error);
  if (self->m == NULL)
    return NULL;
  self->n = th_p256_point_decode (self->group, spake2p_n, self->bn_ctx, error);
  if (self->n == NULL)
    return NULL;
  self->w0 = th_p256_scalar_decode (self->group, w0, error);
  if (self->w0 == NULL)
    return NULL;

  self->transcript = th_sha256_new ();
  transcript_add (self->transcript, context, context_len);
  transcript_add (self->transcript, id_prover, id_prover_len);
  transcript_add (self->transcript, id_verifier, id_verifier_len);
  transcript_add (self->transcript, spake2p_m, sizeof spake2p_m);
  transcript_add (self->transcript, spake2p_n, sizeof spake2p_n);

  return g_steal_pointer (&self);
}

ThSpake2p *
th_spake2p_new_prover (const guint8 *context,
                       gsize         context_len,
                       const guint8 *id_prover,
                       gsize         id_prover_len,
                       const guint8 *id_verifier,
                       gsize         id_verifier_len,
                       const guint8  w0[TH_SPAKE2P_W_LEN],
                       const guint8  w1[TH_SPAKE2P_W_LEN],
                       GError      **error)
{
  g_autoptr(ThSpake2p) self = spake2p_new (TRUE, context, context_len, id_prover,
                                           id_prover_len, id_verifier, id_verifier_len, w0,
                                           error);

  if (self == NULL)
    return NULL;
  self->w1 = th_p256_scalar_decode (self->group, w1, error);
  if (self->w1 == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

ThSpake2p *
th_spake2p_new_verifier (const guint8 *context,
                         gsize         context_len,
                         const guint8 *id_prover,
                         gsize         id_prover_len,
                         const guint8 *id_verifier,
                         gsize         id_verifier_len,
                         const guint8  verifier[TH_SPAKE2P_VERIFIER_LEN],
                         GError      **error)
{
  g_autoptr(ThSpake2p) self = spake2p_new (FALSE, context, context_len, id_prover,
                                           id_prover_len, id_verifier, id_verifier_len,
                                           verifier, error);

  if (self == NULL)
    return NULL;
  self->l = th_p256_point_decode (self->group, verifier + TH_SPAKE2P_W_LEN, self->bn_ctx,
                                  error);
  if (self->l == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

void
th_spake2p_free (ThSpake2p *self)
{
  if (self == NULL)
    return;

  EC_GROUP_free (self->group);
  BN_CTX_free (self->bn_ctx);
  EC_POINT_free (self->m);
  EC_POINT_free (self->n);
  BN_clear_free (self->w0);
  BN_clear_free (self->w1);
  EC_POINT_free (self->l);
  BN_clear_free (self->scalar);
  th_sha256_free (self->transcript);
  th_secure_wipe (self, sizeof *self);
  g_free (self);
}

gboolean
th_spake2p_set_ephemeral_scalar (ThSpake2p    *self,
                                 const guint8  scalar[TH_SPAKE2P_W_LEN],
                                 GError      **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->state == STATE_NEW, FALSE);

  BN_clear_free (self->scalar);
  self->scalar = th_p256_scalar_decode (self->group, scalar, error);
  return self->scalar != NULL;
}

gboolean
th_spake2p_compute_share (ThSpake2p *self,
                          guint8     share[TH_SPAKE2P_POINT_LEN],
                          GError   **error)
{
  g_autoptr(EC_POINT) point = NULL;
  g_autoptr(EC_POINT) blinding = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->state == STATE_NEW, FALSE);

  if (self->scalar == NULL)
    {
      const BIGNUM *order = EC_GROUP_get0_order (self->group);

      self->scalar = BN_new ();
      if (self->scalar == NULL)
        return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not allocate a number"));
      BN_set_flags (self->scalar, BN_FLG_CONSTTIME);
      do
        {
          if (BN_priv_rand_range (self->scalar, order) != 1)
            return th_crypto_set_error (error, TH_ERROR_CRYPTO,
                                        _("The system random number generator failed"));
        }
      while (BN_is_zero (self->scalar));
    }

  /* X = x*G + w0*M for the prover, Y = y*G + w0*N for the verifier. Two multiplications
   * with one scalar each, because OpenSSL's combined form is not constant-time. */
  point = EC_POINT_new (self->group);
  blinding = EC_POINT_new (self->group);
  if (point == NULL || blinding == NULL
      || EC_POINT_mul (self->group, point, self->scalar, NULL, NULL, self->bn_ctx) != 1
      || EC_POINT_mul (self->group, blinding, NULL, self->is_prover ? self->m : self->n,
                       self->w0, self->bn_ctx) != 1
      || EC_POINT_add (self->group, point, point, blinding, self->bn_ctx) != 1)
    return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not compute the SPAKE2+ share"));
  if (!th_p256_point_encode (self->group, point, self->share, self->bn_ctx, error))
    return FALSE;

  memcpy (share, self->share, TH_SPAKE2P_POINT_LEN);
  self->state = STATE_SHARE_COMPUTED;
  return TRUE;
}

/* Z and V from the peer's point. */
static gboolean
compute_z_v (ThSpake2p      *self,
             const EC_POINT *peer,
             guint8          z[TH_SPAKE2P_POINT_LEN],
             guint8          v[TH_SPAKE2P_POINT_LEN],
             GError        **error)
{
  g_autoptr(EC_POINT) unblinded = EC_POINT_new (self->group);
  g_autoptr(EC_POINT) z_point = EC_POINT_new (self->group);
  g_autoptr(EC_POINT) v_point = EC_POINT_new (self->group);

  if (unblinded == NULL || z_point == NULL || v_point == NULL)
    return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not allocate a P-256 point"));

  /* unblinded = peer - w0*N (prover) or peer - w0*M (verifier) */
  if (EC_POINT_mul (self->group, unblinded, NULL, self->is_prover ? self->n : self->m,
                    self->w0, self->bn_ctx) != 1
      || EC_POINT_invert (self->group, unblinded, self->bn_ctx) != 1
      || EC_POINT_add (self->group, unblinded, peer, unblinded, self->bn_ctx) != 1)
    return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not compute SPAKE2+ keys"));

  /* A peer share of exactly w0*N (or w0*M) would make Z and V the identity, which no key
   * may come from. */
  if (EC_POINT_is_at_infinity (self->group, unblinded))
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_KEY,
                           _("The peer's SPAKE2+ share is degenerate"));
      return FALSE;
    }

  if (EC_POINT_mul (self->group, z_point, NULL, unblinded, self->scalar, self->bn_ctx) != 1
      || (self->is_prover
          ? EC_POINT_mul (self->group, v_point, NULL, unblinded, self->w1, self->bn_ctx)
          : EC_POINT_mul (self->group, v_point, NULL, self->l, self->scalar, self->bn_ctx)) != 1)
    return th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not compute SPAKE2+ keys"));

  return th_p256_point_encode (self->group, z_point, z, self->bn_ctx, error)
         && th_p256_point_encode (self->group, v_point, v, self->bn_ctx, error);
}

gboolean
th_spake2p_process_peer_share (ThSpake2p    *self,
                               const guint8  peer_share[TH_SPAKE2P_POINT_LEN],
                               GError      **error)
{
  g_autoptr(EC_POINT) peer = NULL;
  guint8 z[TH_SPAKE2P_POINT_LEN];
  guint8 v[TH_SPAKE2P_POINT_LEN];
  guint8 w0[TH_SPAKE2P_W_LEN];
  guint8 ka_ke[TH_SHA256_LEN];
  guint8 kca_kcb[2 * CONFIRMATION_KEY_LEN];
  const guint8 *x;
  const guint8 *y;
  const guint8 *own_key;
  const guint8 *peer_key;
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->state == STATE_SHARE_COMPUTED, FALSE);

  /* Whatever happens next, this exchange cannot be resumed with another share. */
  self->state = STATE_FAILED;

  peer = th_p256_point_decode (self->group, peer_share, self->bn_ctx, error);
  if (peer == NULL)
    return FALSE;
  if (!compute_z_v (self, peer, z, v, error))
    goto out;
  if (BN_bn2binpad (self->w0, w0, sizeof w0) != sizeof w0)
    {
      th_crypto_set_error (error, TH_ERROR_CRYPTO, _("Could not compute SPAKE2+ keys"));
      goto out;
    }

  x = self->is_prover ? self->share : peer_share;
  y = self->is_prover ? peer_share : self->share;
  transcript_add (self->transcript, x, TH_SPAKE2P_POINT_LEN);
  transcript_add (self->transcript, y, TH_SPAKE2P_POINT_LEN);
  transcript_add (self->transcript, z, sizeof z);
  transcript_add (self->transcript, v, sizeof v);
  transcript_add (self->transcript, w0, sizeof w0);

  /* Ka is the first half, Ke the second. */
  if (!th_sha256_get_digest (self->transcript, ka_ke, error)
      || !th_hkdf_sha256 (NULL, 0, ka_ke, TH_SHA256_LEN / 2,
                          (const guint8 *) CONFIRMATION_KEYS_INFO,
                          strlen (CONFIRMATION_KEYS_INFO), kca_kcb, sizeof kca_kcb, error))
    goto out;
  memcpy (self->ke, ka_ke + TH_SHA256_LEN / 2, TH_SPAKE2P_KEY_LEN);

  /* cA = HMAC (KcA, Y) is the prover's; cB = HMAC (KcB, X) the verifier's. */
  own_key = self->is_prover ? kca_kcb : kca_kcb + CONFIRMATION_KEY_LEN;
  peer_key = self->is_prover ? kca_kcb + CONFIRMATION_KEY_LEN : kca_kcb;
  if (!th_hmac_sha256 (own_key, CONFIRMATION_KEY_LEN, self->is_prover ? y : x,
                       TH_SPAKE2P_POINT_LEN, self->confirmation, error)
      || !th_hmac_sha256 (peer_key, CONFIRMATION_KEY_LEN, self->is_prover ? x : y,
                          TH_SPAKE2P_POINT_LEN, self->expected_peer_confirmation, error))
    goto out;

  self->state = STATE_KEYS_DERIVED;
  ok = TRUE;

out:
  th_secure_wipe (z, sizeof z);
  th_secure_wipe (v, sizeof v);
  th_secure_wipe (w0, sizeof w0);
  th_secure_wipe (ka_ke, sizeof ka_ke);
  th_secure_wipe (kca_kcb, sizeof kca_kcb);
  if (!ok)
    {
      th_secure_wipe (self->ke, sizeof self->ke);
      th_secure_wipe (self->confirmation, sizeof self->confirmation);
      th_secure_wipe (self->expected_peer_confirmation,
                      sizeof self->expected_peer_confirmation);
    }
  return ok;
}

void
th_spake2p_get_confirmation (ThSpake2p *self,
                             guint8     out[TH_SPAKE2P_CONFIRMATION_LEN])
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->state == STATE_KEYS_DERIVED || self->state == STATE_CONFIRMED);

  memcpy (out, self->confirmation, TH_SPAKE2P_CONFIRMATION_LEN);
}

gboolean
th_spake2p_verify_peer_confirmation (ThSpake2p    *self,
                                     const guint8 *confirmation,
                                     GError      **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->state == STATE_KEYS_DERIVED, FALSE);

  if (!th_constant_time_equal (confirmation, self->expected_peer_confirmation,
                               TH_SPAKE2P_CONFIRMATION_LEN))
    {
      /* One wrong guess ends the exchange: the keys must not be tried again. */
      self->state = STATE_FAILED;
      th_secure_wipe (self->ke, sizeof self->ke);
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CRYPTO_AUTH,
                           _("The peer's key confirmation does not match: "
                             "the passcode is probably wrong"));
      return FALSE;
    }
  self->state = STATE_CONFIRMED;
  return TRUE;
}

void
th_spake2p_get_shared_key (ThSpake2p *self,
                           guint8     out[TH_SPAKE2P_KEY_LEN])
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->state == STATE_CONFIRMED);

  memcpy (out, self->ke, TH_SPAKE2P_KEY_LEN);
}
