/* th-dnssd-text.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "discovery/th-dnssd-text.h"

/* How a hint uses the pairing instruction. */
typedef enum
{
  USES_NOTHING,
  USES_NUMBER,     /* a count of seconds or presses: filled into the sentence when it is one */
  USES_NOTE,       /* free text, e.g. the colour of the light: shown after the sentence */
} InstructionUse;

/* The pairing hint bits of the commissionable node discovery TXT record. */
static const struct
{
  guint bit;
  InstructionUse use;
  const char *sentence;
} pairing_hints[] = {
  { 0, USES_NOTHING, N_("Turn the device off and on again") },
  { 1, USES_NOTHING, N_("Follow the instructions on the manufacturer’s website") },
  { 2, USES_NOTHING, N_("Open a commissioning window from an app that already controls the "
                        "device") },
  { 3, USES_NOTHING, N_("Use the settings menu on the device") },
  { 4, USES_NOTE, N_("Follow the manufacturer’s instruction") },
  { 5, USES_NOTHING, N_("See the device’s manual") },
  { 6, USES_NOTHING, N_("Press the reset button") },
  { 7, USES_NOTHING, N_("Press the reset button while turning the device on") },
  { 8, USES_NUMBER, N_("Press the reset button for some seconds") },
  { 9, USES_NOTE, N_("Press the reset button until the light blinks") },
  { 10, USES_NUMBER, N_("Press the reset button for some seconds while turning the device on") },
  { 11, USES_NOTE, N_("Press the reset button until the light blinks while turning the device "
                      "on") },
  { 12, USES_NUMBER, N_("Press the reset button several times") },
  { 13, USES_NOTHING, N_("Press the setup button") },
  { 14, USES_NOTHING, N_("Press the setup button while turning the device on") },
  { 15, USES_NUMBER, N_("Press the setup button for some seconds") },
  { 16, USES_NOTE, N_("Press the setup button until the light blinks") },
  { 17, USES_NUMBER, N_("Press the setup button for some seconds while turning the device on") },
  { 18, USES_NOTE, N_("Press the setup button until the light blinks while turning the device "
                      "on") },
  { 19, USES_NUMBER, N_("Press the setup button several times") },
};

/* The sentence of a hint that takes a count, with the count in it. */
static char *
describe_with_count (guint       bit,
                     const char *count)
{
  switch (bit)
    {
    case 8:
      return g_strdup_printf (_("Press the reset button for %s seconds"), count);
    case 10:
      return g_strdup_printf (_("Press the reset button for %s seconds while turning the device "
                                "on"), count);
    case 12:
      return g_strdup_printf (_("Press the reset button %s times"), count);
    case 15:
      return g_strdup_printf (_("Press the setup button for %s seconds"), count);
    case 17:
      return g_strdup_printf (_("Press the setup button for %s seconds while turning the device "
                                "on"), count);
    case 19:
      return g_strdup_printf (_("Press the setup button %s times"), count);
    default:
      g_return_val_if_reached (NULL);
    }
}

static gboolean
is_count (const char *text)
{
  if (text == NULL || text[0] == '\0' || strlen (text) > 4)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
    }
  return TRUE;
}

GStrv
th_dnssd_describe_pairing_hint (guint32     hint,
                                const char *instruction)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  gboolean has_note = instruction != NULL && instruction[0] != '\0';
  guint32 known = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (pairing_hints); i++)
    {
      const char *sentence = _(pairing_hints[i].sentence);
      g_autofree char *text = NULL;

      known |= 1u << pairing_hints[i].bit;
      if (!(hint & (1u << pairing_hints[i].bit)))
        continue;

      if (pairing_hints[i].use == USES_NUMBER && is_count (instruction))
        text = describe_with_count (pairing_hints[i].bit, instruction);
      else if (pairing_hints[i].use != USES_NOTHING && has_note)
        /* Translators: a pairing hint, then the device's own instruction in quotes */
        text = g_strdup_printf (_("%s: “%s”"), sentence, instruction);
      g_strv_builder_add (builder, text != NULL ? text : sentence);
    }
  for (guint bit = 0; bit < 32; bit++)
    {
      g_autofree char *text = NULL;

      if (!((hint & ~known) & (1u << bit)))
        continue;
      /* Translators: a pairing hint bit that this version does not know */
      text = g_strdup_printf (_("Pairing hint %u, unknown to this version"), bit);
      g_strv_builder_add (builder, text);
    }
  return g_strv_builder_end (builder);
}

const char *
th_dnssd_describe_commissioning_mode (ThCommissioningMode mode)
{
  switch (mode)
    {
    case TH_COMMISSIONING_MODE_CLOSED:
      return _("Not open for commissioning");
    case TH_COMMISSIONING_MODE_BASIC:
      return _("Open for commissioning with the setup code on its label");
    case TH_COMMISSIONING_MODE_ENHANCED:
      return _("Open for commissioning with a setup code from the app that opened it");
    case TH_COMMISSIONING_MODE_JOINT_FABRIC:
      return _("Open for commissioning by a Joint Fabric administrator");
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
th_commissioning_mode_to_string (ThCommissioningMode mode)
{
  switch (mode)
    {
    case TH_COMMISSIONING_MODE_CLOSED:
      return "closed";
    case TH_COMMISSIONING_MODE_BASIC:
      return "basic";
    case TH_COMMISSIONING_MODE_ENHANCED:
      return "enhanced";
    case TH_COMMISSIONING_MODE_JOINT_FABRIC:
      return "joint-fabric";
    default:
      g_return_val_if_reached (NULL);
    }
}
