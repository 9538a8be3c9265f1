/* th-payload-text.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "onboarding/th-payload-text.h"

static const struct
{
  guint8 bit;
  const char *id;
  const char *name;
} capability_names[] = {
  { TH_DISCOVERY_SOFT_AP, "soft-ap", N_("Wi-Fi access point") },
  { TH_DISCOVERY_BLE, "ble", N_("Bluetooth LE") },
  { TH_DISCOVERY_ON_NETWORK, "on-network", N_("IP network") },
  { TH_DISCOVERY_WIFI_PAF, "wifi-paf", N_("Wi-Fi Public Action Frames") },
  { TH_DISCOVERY_NFC, "nfc", N_("NFC") },
};

char *
th_payload_describe_capabilities (guint8 capabilities)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  guint8 known = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (capability_names); i++)
    {
      known |= capability_names[i].bit;
      if (capabilities & capability_names[i].bit)
        g_ptr_array_add (parts, g_strdup (_(capability_names[i].name)));
    }
  for (guint bit = 0; bit < 8; bit++)
    {
      if ((capabilities & ~known) & (1u << bit))
        /* Translators: a discovery method this version does not know, by its bit number */
        g_ptr_array_add (parts, g_strdup_printf (_("unknown method %u"), bit));
    }
  if (parts->len == 0)
    return g_strdup (_("None given"));

  g_ptr_array_add (parts, NULL);
  /* Translators: the separator between discovery methods, as in "Bluetooth LE, IP network" */
  return g_strjoinv (_(", "), (char **) parts->pdata);
}

GStrv
th_discovery_capabilities_to_strv (guint8 capabilities)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint8 known = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (capability_names); i++)
    {
      known |= capability_names[i].bit;
      if (capabilities & capability_names[i].bit)
        g_strv_builder_add (builder, capability_names[i].id);
    }
  for (guint bit = 0; bit < 8; bit++)
    {
      if ((capabilities & ~known) & (1u << bit))
        {
          g_autofree char *id = g_strdup_printf ("bit-%u", bit);

          g_strv_builder_add (builder, id);
        }
    }
  return g_strv_builder_end (builder);
}

const char *
th_payload_describe_flow (ThCommissioningFlow flow)
{
  switch (flow)
    {
    case TH_COMMISSIONING_FLOW_STANDARD:
      return _("Standard");
    case TH_COMMISSIONING_FLOW_USER_INTENT:
      return _("User intent");
    case TH_COMMISSIONING_FLOW_CUSTOM:
      return _("Custom");
    case TH_COMMISSIONING_FLOW_RESERVED:
    default:
      return _("Reserved");
    }
}

const char *
th_payload_describe_flow_detail (ThCommissioningFlow flow)
{
  switch (flow)
    {
    case TH_COMMISSIONING_FLOW_STANDARD:
      return _("The device is ready to be added as soon as it is powered on.");
    case TH_COMMISSIONING_FLOW_USER_INTENT:
      return _("The device must be put into pairing mode first, for example by pressing a button on it.");
    case TH_COMMISSIONING_FLOW_CUSTOM:
      return _("The manufacturer’s app or website must prepare the device before it can be added.");
    case TH_COMMISSIONING_FLOW_RESERVED:
    default:
      return _("The code asks for a way of adding the device that this version does not know.");
    }
}

const char *
th_commissioning_flow_to_string (ThCommissioningFlow flow)
{
  switch (flow)
    {
    case TH_COMMISSIONING_FLOW_STANDARD:
      return "standard";
    case TH_COMMISSIONING_FLOW_USER_INTENT:
      return "user-intent";
    case TH_COMMISSIONING_FLOW_CUSTOM:
      return "custom";
    case TH_COMMISSIONING_FLOW_RESERVED:
    default:
      return "reserved";
    }
}

const char *
th_payload_describe_passcode (ThPasscodeValidity validity)
{
  switch (validity)
    {
    case TH_PASSCODE_VALID:
      return NULL;
    case TH_PASSCODE_OUT_OF_RANGE:
      return _("The setup passcode is outside the allowed range of 1 to 99999998.");
    case TH_PASSCODE_FORBIDDEN:
    default:
      return _("The setup passcode is one of the simple values that Matter forbids, such as 11111111 or 12345678, so the code cannot be used.");
    }
}
