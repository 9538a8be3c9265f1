/* th-secure-channel-private.h: shared by the Secure Channel message codecs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The context tags (0..255) already met in one structure: a tag may appear only once. */
typedef struct
{
  guint32 bits[8];
} ThContextTagSet;

/* FALSE when the tag was already in the set. */
static inline gboolean
th_context_tag_set_add (ThContextTagSet *set,
                        guint8           number)
{
  guint32 mask = 1u << (number % 32);

  if (set->bits[number / 32] & mask)
    return FALSE;
  set->bits[number / 32] |= mask;
  return TRUE;
}

static inline gboolean
th_context_tag_set_contains (const ThContextTagSet *set,
                             guint8                 number)
{
  return (set->bits[number / 32] & (1u << (number % 32))) != 0;
}

G_END_DECLS
