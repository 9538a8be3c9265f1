/* th-secure-channel-private.h: shared by the Secure Channel message codecs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "th-session-parameters.h"
#include "tlv/th-tlv.h"

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

/* Decoding a message payload: one anonymous structure whose members, each with a context tag
 * and each at most once, are handed one by one to a ThPayloadMemberFunc; unknown members are
 * left alone, as later revisions may add some; nothing may follow the structure. Every
 * failure is a TH_ERROR error with the decoder's code, naming the message, the field and the
 * byte offset where there is one. */
typedef struct
{
  int code;
  const char *message;
  ThTlvReader reader;
  ThContextTagSet seen;
} ThPayloadDecoder;

/* Reads the member the decoder is on. */
typedef gboolean (*ThPayloadMemberFunc) (ThPayloadDecoder  *decoder,
                                         guint8             number,
                                         gpointer           result,
                                         GError           **error);

typedef struct
{
  guint8 number;
  const char *name;
} ThPayloadField;

gboolean th_payload_decode                   (int                    code,
                                              const char            *message,
                                              const guint8          *data,
                                              gsize                  len,
                                              const ThPayloadField  *required,
                                              gsize                  n_required,
                                              ThPayloadMemberFunc    read_member,
                                              gpointer               result,
                                              GError               **error);

/* For nested structures: the next member of the current container, FALSE at its end (error
 * unset) or on a malformed member. */
gboolean th_payload_decoder_next             (ThPayloadDecoder      *decoder,
                                              guint8                *number,
                                              GError               **error);
/* These take `tlv_error` (a TH_ERROR_TLV_* error) and return FALSE. */
gboolean th_payload_decoder_fail_malformed   (const ThPayloadDecoder *decoder,
                                              GError                *tlv_error,
                                              GError               **error);
gboolean th_payload_decoder_fail_field       (const ThPayloadDecoder *decoder,
                                              const char            *field,
                                              GError                *tlv_error,
                                              GError               **error);
gboolean th_payload_decoder_fail_missing     (const ThPayloadDecoder *decoder,
                                              const char            *field,
                                              GError               **error);

/* Typed members. Byte strings are copied out, or pointed to within the input. */
gboolean th_payload_decoder_get_fixed_bytes  (ThPayloadDecoder      *decoder,
                                              const char            *field,
                                              guint8                *out,
                                              gsize                  len,
                                              GError               **error);
gboolean th_payload_decoder_get_bytes        (ThPayloadDecoder      *decoder,
                                              const char            *field,
                                              gsize                  min_len,
                                              gsize                  max_len,
                                              const guint8         **bytes,
                                              gsize                 *len,
                                              GError               **error);
gboolean th_payload_decoder_get_uint16       (ThPayloadDecoder      *decoder,
                                              const char            *field,
                                              guint16               *value,
                                              GError               **error);
gboolean th_payload_decoder_get_bool         (ThPayloadDecoder      *decoder,
                                              const char            *field,
                                              gboolean              *value,
                                              GError               **error);
gboolean th_payload_decoder_get_session_parameters (ThPayloadDecoder *decoder,
                                                    const char       *field,
                                                    ThSessionParameters *parameters,
                                                    GError          **error);

/* Sets `code`: the peer sent `opcode` where `expected` (a message name) was due. */
void     th_secure_channel_set_unexpected_error (int                 code,
                                                 guint8              opcode,
                                                 const char         *expected,
                                                 GError            **error);

G_END_DECLS
