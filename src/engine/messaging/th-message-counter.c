/* th-message-counter.c: outgoing message counters and duplicate detection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "th-error.h"
#include "th-message-counter.h"

void
th_message_counter_init (ThMessageCounter     *counter,
                         ThMessageCounterKind  kind,
                         guint32               random)
{
  counter->kind = kind;
  counter->next = (random & TH_MESSAGE_COUNTER_INITIAL_MASK) + 1;
  counter->exhausted = FALSE;
}

gboolean
th_message_counter_next (ThMessageCounter  *counter,
                         guint32           *value,
                         GError           **error)
{
  if (counter->kind == TH_MESSAGE_COUNTER_UNENCRYPTED)
    {
      *value = counter->next++;
      return TRUE;
    }

  if (counter->exhausted)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_SESSION_CLOSED,
                           _("The session has used up its message counters; it must be "
                             "established again"));
      return FALSE;
    }
  *value = counter->next;
  if (counter->next == G_MAXUINT32)
    counter->exhausted = TRUE;
  else
    counter->next++;
  return TRUE;
}

void
th_message_reception_state_init (ThMessageReceptionState *state,
                                 ThMessageReceptionKind   kind)
{
  state->kind = kind;
  state->window = 0;
  state->max_counter = 0;
  /* A secure session's peer starts counting at 1 or more, so every counter above 0 is
   * new; an unsecured peer's first counter is taken as it comes. */
  state->synchronized = kind == TH_MESSAGE_RECEPTION_SECURE_UNICAST;
}

static gboolean
is_ahead (const ThMessageReceptionState *state,
          guint32                        counter)
{
  guint32 increase = counter - state->max_counter;

  if (state->kind == TH_MESSAGE_RECEPTION_SECURE_UNICAST)
    return counter > state->max_counter;
  /* Wrapping counters: the half of the ring in front of the maximum is the future. */
  return increase >= 1 && increase < 0x80000000u;
}

gboolean
th_message_reception_state_accept (ThMessageReceptionState  *state,
                                   guint32                   counter,
                                   GError                  **error)
{
  guint32 offset;

  if (!state->synchronized)
    {
      state->synchronized = TRUE;
      state->max_counter = counter;
      state->window = 0;
      return TRUE;
    }

  if (is_ahead (state, counter))
    {
      guint32 shift = counter - state->max_counter;

      /* The old maximum becomes bit shift - 1. */
      if (shift > TH_MESSAGE_COUNTER_WINDOW_SIZE)
        state->window = 0;
      else
        state->window = (guint32) (((guint64) state->window << shift) | (1u << (shift - 1)));
      state->max_counter = counter;
      return TRUE;
    }

  offset = state->max_counter - counter;
  if (offset >= 1 && offset <= TH_MESSAGE_COUNTER_WINDOW_SIZE)
    {
      guint32 bit = 1u << (offset - 1);

      if ((state->window & bit) == 0)
        {
          state->window |= bit;
          return TRUE;
        }
    }
  else if (offset > TH_MESSAGE_COUNTER_WINDOW_SIZE &&
           state->kind == TH_MESSAGE_RECEPTION_UNENCRYPTED)
    {
      /* Far behind: an unsecured peer that restarted with a new random counter. */
      state->max_counter = counter;
      state->window = 0;
      return TRUE;
    }

  g_set_error (error, TH_ERROR, TH_ERROR_MESSAGE_DUPLICATE,
               _("Message counter %u was already received or is too old (highest seen: %u)"),
               counter, state->max_counter);
  return FALSE;
}
