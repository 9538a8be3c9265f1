/* th-commissioning-stage.c: the stages of commissioning, in words and numbers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "th-commissioning-stage.h"

G_DEFINE_ENUM_TYPE (ThCommissioningStage, th_commissioning_stage,
  G_DEFINE_ENUM_VALUE (TH_COMMISSIONING_STAGE_DISCOVERY, "discovery"),
  G_DEFINE_ENUM_VALUE (TH_COMMISSIONING_STAGE_PASE, "pase"),
  G_DEFINE_ENUM_VALUE (TH_COMMISSIONING_STAGE_READ_INFO, "read-info"),
  G_DEFINE_ENUM_VALUE (TH_COMMISSIONING_STAGE_ARM_FAIL_SAFE, "arm-fail-safe"),
  G_DEFINE_ENUM_VALUE (TH_COMMISSIONING_STAGE_REGULATORY, "regulatory"),
  G_DEFINE_ENUM_VALUE (TH_COMMISSIONING_STAGE_ATTESTATION, "attestation"),
  G_DEFINE_ENUM_VALUE (TH_COMMISSIONING_STAGE_CSR, "csr"),
  G_DEFINE_ENUM_VALUE (TH_COMMISSIONING_STAGE_ISSUE_NOC, "issue-noc"),
  G_DEFINE_ENUM_VALUE (TH_COMMISSIONING_STAGE_ADD_ROOT, "add-root"),
  G_DEFINE_ENUM_VALUE (TH_COMMISSIONING_STAGE_ADD_NOC, "add-noc"),
  G_DEFINE_ENUM_VALUE (TH_COMMISSIONING_STAGE_NETWORK, "network"),
  G_DEFINE_ENUM_VALUE (TH_COMMISSIONING_STAGE_OPERATIONAL_DISCOVERY, "operational-discovery"),
  G_DEFINE_ENUM_VALUE (TH_COMMISSIONING_STAGE_CASE, "case"),
  G_DEFINE_ENUM_VALUE (TH_COMMISSIONING_STAGE_COMPLETE, "complete"),
  G_DEFINE_ENUM_VALUE (TH_COMMISSIONING_STAGE_PERSIST, "persist"))

static const struct
{
  const char *description;
  /* "Adding the device failed while …", which the cause follows */
  const char *failure;
  /* where the stage begins on a progress bar, in percent: PASE's key derivation and the
   * attestation checks take the longest */
  guint8 percent;
} stages[TH_COMMISSIONING_N_STAGES] = {
  [TH_COMMISSIONING_STAGE_DISCOVERY] = {
    N_("Finding the device"),
    N_("Adding the device failed while finding it"), 0 },
  [TH_COMMISSIONING_STAGE_PASE] = {
    N_("Connecting securely with the setup code"),
    N_("Adding the device failed while connecting with the setup code"), 10 },
  [TH_COMMISSIONING_STAGE_READ_INFO] = {
    N_("Reading what the device is"),
    N_("Adding the device failed while reading what it is"), 25 },
  [TH_COMMISSIONING_STAGE_ARM_FAIL_SAFE] = {
    N_("Preparing the device to be added"),
    N_("Adding the device failed while preparing it to be added"), 32 },
  [TH_COMMISSIONING_STAGE_REGULATORY] = {
    N_("Setting the device’s location and time"),
    N_("Adding the device failed while setting its location and time"), 36 },
  [TH_COMMISSIONING_STAGE_ATTESTATION] = {
    N_("Checking that the device is genuine"),
    N_("Adding the device failed while checking that it is genuine"), 40 },
  [TH_COMMISSIONING_STAGE_CSR] = {
    N_("Asking the device for its operational key"),
    N_("Adding the device failed while asking it for its operational key"), 58 },
  [TH_COMMISSIONING_STAGE_ISSUE_NOC] = {
    N_("Issuing the device’s certificate for this home"),
    N_("Adding the device failed while issuing its certificate for this home"), 66 },
  [TH_COMMISSIONING_STAGE_ADD_ROOT] = {
    N_("Giving the device this home’s root certificate"),
    N_("Adding the device failed while giving it this home’s root certificate"), 70 },
  [TH_COMMISSIONING_STAGE_ADD_NOC] = {
    N_("Giving the device its certificate"),
    N_("Adding the device failed while giving it its certificate"), 74 },
  [TH_COMMISSIONING_STAGE_NETWORK] = {
    N_("Connecting the device to the network"),
    N_("Adding the device failed while connecting it to the network"), 78 },
  [TH_COMMISSIONING_STAGE_OPERATIONAL_DISCOVERY] = {
    N_("Finding the device on the network"),
    N_("Adding the device failed while finding it on the network"), 82 },
  [TH_COMMISSIONING_STAGE_CASE] = {
    N_("Connecting securely with the home’s certificate"),
    N_("Adding the device failed while connecting with the home’s certificate"), 84 },
  [TH_COMMISSIONING_STAGE_COMPLETE] = {
    N_("Finishing"),
    N_("Adding the device failed while finishing"), 92 },
  [TH_COMMISSIONING_STAGE_PERSIST] = {
    N_("Saving the device"),
    N_("Adding the device failed while saving it"), 97 },
};

const char *
th_commissioning_stage_describe (ThCommissioningStage stage)
{
  g_return_val_if_fail (stage < TH_COMMISSIONING_N_STAGES, NULL);

  return _(stages[stage].description);
}

const char *
th_commissioning_stage_to_string (ThCommissioningStage stage)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (TH_TYPE_COMMISSIONING_STAGE);
  GEnumValue *value = g_enum_get_value (klass, stage);

  g_return_val_if_fail (value != NULL, NULL);
  return value->value_nick;
}

gboolean
th_commissioning_stage_from_string (const char           *name,
                                    ThCommissioningStage *stage)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (TH_TYPE_COMMISSIONING_STAGE);
  GEnumValue *value = g_enum_get_value_by_nick (klass, name);

  if (value == NULL)
    return FALSE;
  *stage = value->value;
  return TRUE;
}

double
th_commissioning_stage_get_fraction (ThCommissioningStage stage)
{
  g_return_val_if_fail (stage < TH_COMMISSIONING_N_STAGES, 0.0);

  return stages[stage].percent / 100.0;
}

char *
th_commissioning_stage_describe_failure (ThCommissioningStage  stage,
                                         const char           *cause)
{
  g_return_val_if_fail (stage < TH_COMMISSIONING_N_STAGES, NULL);

  /* Translators: what failed, then why */
  return g_strdup_printf (_("%s: %s"), _(stages[stage].failure), cause);
}
