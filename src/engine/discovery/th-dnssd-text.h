/* th-dnssd-text.h: what a device's DNS-SD advertisement says, in words, for the CLI and the app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "discovery/th-dnssd-txt.h"

G_BEGIN_DECLS

/* "Open for commissioning with the setup code on its label"... */
const char *th_dnssd_describe_commissioning_mode  (ThCommissioningMode mode);
/* Stable identifiers for machine-readable output: "closed", "basic", "enhanced",
 * "joint-fabric". */
const char *th_commissioning_mode_to_string       (ThCommissioningMode mode);
/* One sentence per hint bit, in bit order, with the pairing instruction (PI) filled in
 * where the hint needs it: "Press the reset button for 5 seconds". Unknown bits are named
 * by number. An empty array for 0. */
GStrv       th_dnssd_describe_pairing_hint        (guint32             hint,
                                                   const char         *instruction);

G_END_DECLS
