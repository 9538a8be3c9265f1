/* th-certificate-private.h: what the certificate codec's sources share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "th-certificate.h"

G_BEGIN_DECLS

/* The checks every encoder and decoder applies: TH_ERROR_CERTIFICATE_INVALID naming the
 * field. */
gboolean th_certificate_check                  (const ThCertificate *cert,
                                                GError             **error);

/* A future extension: one DER Extension whose OID is none of those the TLV encoding has
 * its own tag for, and which is not critical (an unknown critical extension makes the
 * certificate unusable, RFC 5280 4.2). `oid` and `oid_len` receive the OID's content. */
gboolean th_certificate_check_future_extension (GBytes              *der,
                                                const guint8       **oid,
                                                gsize               *oid_len,
                                                GError             **error);

G_END_DECLS
