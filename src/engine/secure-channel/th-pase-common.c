/* th-pase-common.c: what the PASE initiator and responder share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "messaging/th-message.h"
#include "th-error.h"
#include "th-pase-private.h"
#include "th-secure-channel-private.h"

#define PASE_CONTEXT_PREFIX "CHIP PAKE V1 Commissioning"

gboolean
th_pase_compute_context (GBytes  *request,
                         GBytes  *response,
                         guint8   context[TH_SHA256_LEN],
                         GError **error)
{
  g_autoptr(ThSha256) hash = th_sha256_new ();
  const guint8 *data;
  gsize len;

  th_sha256_update (hash, (const guint8 *) PASE_CONTEXT_PREFIX, strlen (PASE_CONTEXT_PREFIX));
  data = g_bytes_get_data (request, &len);
  th_sha256_update (hash, data, len);
  data = g_bytes_get_data (response, &len);
  th_sha256_update (hash, data, len);
  return th_sha256_get_digest (hash, context, error);
}

gboolean
th_pase_derive_session_keys (ThSpake2p      *spake,
                             ThSessionKeys  *keys,
                             GError        **error)
{
  guint8 ke[TH_SPAKE2P_KEY_LEN];
  gboolean ok;

  th_spake2p_get_shared_key (spake, ke);
  ok = th_session_keys_derive (ke, sizeof ke, NULL, 0, keys, error);
  th_secure_wipe (ke, sizeof ke);
  return ok;
}

void
th_pase_set_unexpected_error (guint8       opcode,
                              const char  *expected,
                              GError     **error)
{
  th_secure_channel_set_unexpected_error (TH_ERROR_PASE_PROTOCOL, opcode, expected, error);
}
