/* th-setup-payload-private.h: pieces of the onboarding codec shared between its files and
 * reached by the tests and fuzz targets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "th-setup-payload.h"

G_BEGIN_DECLS

/* The packed binary part of a QR payload: 88 bits, the TLV data follows it. */
#define TH_SETUP_PAYLOAD_PACKED_LEN 11

/* The 1-based position of the character that starts at byte_offset, counted in characters
 * as a person reads the text. */
guint     th_payload_char_position            (const char   *text,
                                               gsize         byte_offset);
/* The character at byte_offset (text ends at end) for an error message: the character
 * itself in quotes when it is printable, else its code point or byte value. */
char     *th_payload_describe_char            (const char   *text,
                                               gsize         byte_offset,
                                               gsize         end);

/* Decodes text[start, end) as Base-38 and appends the bytes to out. Error positions count
 * from the start of text, so they point into what the user gave. */
gboolean  th_base38_decode_range              (const char   *text,
                                               gsize         start,
                                               gsize         end,
                                               GByteArray   *out,
                                               GError      **error);

/* Finds the Matter part of a QR code's text (len bytes): the first '%'-separated segment
 * that starts with "MT:" and has more after it, else the first that is just "MT:". On
 * success [start, end) is what follows the prefix, possibly empty. */
gboolean  th_setup_payload_extract_qr         (const char   *text,
                                               gsize         len,
                                               gsize        *start,
                                               gsize        *end);

/* The optional TLV section of a QR payload (specification 5.1.5). Parsing fills the TLV
 * fields of payload, which must have none set, and fails with TH_ERROR_PAYLOAD_TLV naming
 * the byte offset within the section. Encoding appends nothing when no field is set. */
gboolean  th_setup_payload_parse_tlv_section  (ThSetupPayload       *payload,
                                               const guint8         *data,
                                               gsize                 len,
                                               GError              **error);
gboolean  th_setup_payload_encode_tlv_section (const ThSetupPayload *payload,
                                               GByteArray           *out,
                                               GError              **error);
void      th_setup_payload_clear_tlv_fields   (ThSetupPayload       *payload);
void      th_setup_payload_copy_tlv_fields    (ThSetupPayload       *dest,
                                               const ThSetupPayload *src);
gboolean  th_setup_payload_tlv_fields_equal   (const ThSetupPayload *a,
                                               const ThSetupPayload *b);

/* Field by field, the TLV section included. */
gboolean  th_setup_payload_equal              (const ThSetupPayload *a,
                                               const ThSetupPayload *b);

G_END_DECLS
