/* th-pase-private.h: what the PASE initiator and responder share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "crypto/th-spake2p.h"
#include "messaging/th-session.h"
#include "th-status-report.h"

G_BEGIN_DECLS

/* SHA-256 ("CHIP PAKE V1 Commissioning" || PBKDFParamRequest || PBKDFParamResponse), the
 * payloads exactly as they were sent. */
gboolean th_pase_compute_context      (GBytes         *request,
                                       GBytes         *response,
                                       guint8          context[TH_SHA256_LEN],
                                       GError        **error);

/* I2RKey || R2IKey || AttestationChallenge = HKDF-SHA256 (Ke, no salt, "SessionKeys"), from
 * a SPAKE2+ exchange whose peer confirmation has been verified. Ke is wiped. */
gboolean th_pase_derive_session_keys  (ThSpake2p      *spake,
                                       ThSessionKeys  *keys,
                                       GError        **error);

/* TH_ERROR_PASE_PROTOCOL: the peer sent `opcode` where `expected` (a message name) was due. */
void     th_pase_set_unexpected_error (guint8          opcode,
                                       const char     *expected,
                                       GError        **error);

G_END_DECLS
