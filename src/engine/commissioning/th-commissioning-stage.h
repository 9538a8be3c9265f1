/* th-commissioning-stage.h: the stages of commissioning, in the order they run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The steps of the specification's commissioning flow (5.5), as the commissioner runs them.
 * A stage that a device does not need (NETWORK for a device already on the IP network) is
 * skipped and never reported. */
typedef enum
{
  TH_COMMISSIONING_STAGE_DISCOVERY,             /* DNS-SD by discriminator, or the address given */
  TH_COMMISSIONING_STAGE_PASE,                  /* the passcode session */
  TH_COMMISSIONING_STAGE_READ_INFO,             /* Basic Information, commissioning info, endpoints */
  TH_COMMISSIONING_STAGE_ARM_FAIL_SAFE,
  TH_COMMISSIONING_STAGE_REGULATORY,            /* SetRegulatoryConfig (radios), SetUTCTime */
  TH_COMMISSIONING_STAGE_ATTESTATION,           /* DAC, PAI, AttestationRequest, verification */
  TH_COMMISSIONING_STAGE_CSR,                   /* CSRRequest and its checks */
  TH_COMMISSIONING_STAGE_ISSUE_NOC,
  TH_COMMISSIONING_STAGE_ADD_ROOT,              /* AddTrustedRootCertificate */
  TH_COMMISSIONING_STAGE_ADD_NOC,
  TH_COMMISSIONING_STAGE_NETWORK,               /* Wi-Fi or Thread credentials */
  TH_COMMISSIONING_STAGE_OPERATIONAL_DISCOVERY, /* where the node is on its network */
  TH_COMMISSIONING_STAGE_CASE,
  TH_COMMISSIONING_STAGE_COMPLETE,              /* CommissioningComplete */
  TH_COMMISSIONING_STAGE_PERSIST,               /* the node is saved in the store */
} ThCommissioningStage;

#define TH_COMMISSIONING_N_STAGES (TH_COMMISSIONING_STAGE_PERSIST + 1)

#define TH_TYPE_COMMISSIONING_STAGE (th_commissioning_stage_get_type ())
GType       th_commissioning_stage_get_type     (void) G_GNUC_CONST;

/* What the stage does, in plain translated words for people ("Checking that the device is
 * genuine"). */
const char *th_commissioning_stage_describe     (ThCommissioningStage stage);
/* A stable lower-case name for machines ("attestation"), as the enum's nick. */
const char *th_commissioning_stage_to_string    (ThCommissioningStage stage);
/* The stage with that name, or FALSE when there is none. */
gboolean    th_commissioning_stage_from_string  (const char           *name,
                                                 ThCommissioningStage *stage);
/* How much of the whole flow is done when the stage begins, in [0, 1): a rough share of the
 * time each stage takes, for a progress bar. */
double      th_commissioning_stage_get_fraction (ThCommissioningStage stage);

/* "Adding the device failed while checking that it is genuine: <cause>": a translated
 * sentence naming the stage, for errors. `cause` ends the sentence. */
char       *th_commissioning_stage_describe_failure (ThCommissioningStage stage,
                                                     const char          *cause);

G_END_DECLS
