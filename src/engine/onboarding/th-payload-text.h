/* th-payload-text.h: onboarding payload fields in words, for the CLI and the app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "onboarding/th-setup-payload.h"

G_BEGIN_DECLS

/* "Bluetooth LE, IP network"; names unknown bits by number. */
char        *th_payload_describe_capabilities (guint8              capabilities);
/* A short name: "Standard", "User intent", "Custom". */
const char  *th_payload_describe_flow         (ThCommissioningFlow flow);
/* A sentence on what the flow asks of the person adding the device. */
const char  *th_payload_describe_flow_detail  (ThCommissioningFlow flow);
/* Why a passcode may not be used, or NULL when it may. */
const char  *th_payload_describe_passcode     (ThPasscodeValidity  validity);
/* Stable identifiers for machine-readable output. */
const char  *th_commissioning_flow_to_string  (ThCommissioningFlow flow);
GStrv        th_discovery_capabilities_to_strv (guint8             capabilities);

G_END_DECLS
