/* th-message-counter.h: outgoing message counters and duplicate detection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Counters start at a random value in [1, 2^28]: far from the end, yet not telling how
 * long a session has been open. */
#define TH_MESSAGE_COUNTER_INITIAL_MASK 0x0fffffffu

/* How far behind the highest counter seen a message may arrive and still be accepted once. */
#define TH_MESSAGE_COUNTER_WINDOW_SIZE 32

typedef enum
{
  /* A secure unicast session's counter: it must never wrap, the session ends first. */
  TH_MESSAGE_COUNTER_SECURE_SESSION,
  /* The global unencrypted counter of unsecured sessions: wraps around. */
  TH_MESSAGE_COUNTER_UNENCRYPTED,
} ThMessageCounterKind;

typedef struct
{
  /*< private >*/
  ThMessageCounterKind kind;
  guint32 next;
  gboolean exhausted;
} ThMessageCounter;

/* `random` is a fresh random number; the first counter is (random & mask) + 1. */
void     th_message_counter_init (ThMessageCounter      *counter,
                                  ThMessageCounterKind   kind,
                                  guint32                random);
/* The counter for the next message. A secure session counter that would wrap fails with
 * TH_ERROR_SESSION_CLOSED: the session must be established again. */
gboolean th_message_counter_next (ThMessageCounter      *counter,
                                  guint32               *value,
                                  GError               **error);

typedef enum
{
  /* Encrypted unicast: counters never wrap; anything at or behind the window is a replay. */
  TH_MESSAGE_RECEPTION_SECURE_UNICAST,
  /* Unencrypted: counters wrap; a counter behind the window is new (the peer restarted). */
  TH_MESSAGE_RECEPTION_UNENCRYPTED,
} ThMessageReceptionKind;

/* What a receiver remembers of one peer's counters: the highest seen and a bitmap of the
 * TH_MESSAGE_COUNTER_WINDOW_SIZE counters below it (bit n: max - 1 - n was seen). */
typedef struct
{
  /*< private >*/
  ThMessageReceptionKind kind;
  gboolean synchronized;
  guint32 max_counter;
  guint32 window;
} ThMessageReceptionState;

void     th_message_reception_state_init   (ThMessageReceptionState *state,
                                            ThMessageReceptionKind   kind);
/* Accepts a counter once: FALSE with TH_ERROR_MESSAGE_DUPLICATE for a counter already
 * seen or too old to tell. Call it only for authenticated messages, so that a forged
 * message cannot move the window. */
gboolean th_message_reception_state_accept (ThMessageReceptionState *state,
                                            guint32                  counter,
                                            GError                 **error);

G_END_DECLS
