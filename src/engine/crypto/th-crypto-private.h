/* th-crypto-private.h: helpers shared by the crypto module's sources
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <openssl/bn.h>
#include <openssl/ec.h>

#include "th-crypto.h"

G_BEGIN_DECLS

/* Sets a TH_ERROR error from `message` (already translated), adding OpenSSL's reason for the
 * most recent failure when it has one, and clears OpenSSL's error queue. Returns FALSE. */
gboolean  th_crypto_set_error       (GError         **error,
                                     int              code,
                                     const char      *message);

EC_GROUP *th_p256_group_new         (GError         **error);
/* Decodes an uncompressed point and checks that it lies on the curve; the identity cannot be
 * written in 65 bytes, so it is refused too. */
EC_POINT *th_p256_point_decode      (const EC_GROUP  *group,
                                     const guint8     in[TH_P256_PUBLIC_KEY_LEN],
                                     BN_CTX          *bn_ctx,
                                     GError         **error);
/* Refuses the identity, which has no uncompressed form. */
gboolean  th_p256_point_encode      (const EC_GROUP  *group,
                                     const EC_POINT  *point,
                                     guint8           out[TH_P256_PUBLIC_KEY_LEN],
                                     BN_CTX          *bn_ctx,
                                     GError         **error);
/* A secret scalar from 32 big-endian bytes, checked to lie in [1, n-1]. */
BIGNUM   *th_p256_scalar_decode     (const EC_GROUP  *group,
                                     const guint8     in[TH_P256_PRIVATE_KEY_LEN],
                                     GError         **error);

/* Points and numbers may be secret here: they are always cleared. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EC_GROUP, EC_GROUP_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EC_POINT, EC_POINT_clear_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BN_CTX, BN_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIGNUM, BN_clear_free)

G_END_DECLS
