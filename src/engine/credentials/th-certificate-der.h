/* th-certificate-der.h: the strict DER reader and the DER writer behind the certificate and
 * CSR codecs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Identifier octets (class, constructed bit and a tag number below 31) */
#define TH_DER_BOOLEAN           0x01
#define TH_DER_INTEGER           0x02
#define TH_DER_BIT_STRING        0x03
#define TH_DER_OCTET_STRING      0x04
#define TH_DER_NULL              0x05
#define TH_DER_OID               0x06
#define TH_DER_UTF8_STRING       0x0C
#define TH_DER_PRINTABLE_STRING  0x13
#define TH_DER_IA5_STRING        0x16
#define TH_DER_UTC_TIME          0x17
#define TH_DER_GENERALIZED_TIME  0x18
#define TH_DER_SEQUENCE          0x30
#define TH_DER_SET               0x31
#define TH_DER_CONTEXT(n)        (0x80 | (n))        /* primitive, context-specific */
#define TH_DER_CONTEXT_CONSTRUCTED(n) (0xA0 | (n))

#define TH_DER_WRITER_MAX_DEPTH  12

typedef struct
{
  guint8 tag;
  const guint8 *element;      /* header and content */
  gsize element_len;
  const guint8 *content;
  gsize content_len;
  gsize offset;               /* of the element, from the start of the outermost input */
  gsize content_offset;
} ThDerElement;

/* Reads definite-length DER one element at a time and never past `len`. Lengths must be in
 * their shortest form and tag numbers below 31; anything else is refused. Errors are in the
 * domain TH_ERROR with the code given at init, and name the byte offset within the
 * outermost input. */
typedef struct
{
  /*< private >*/
  const guint8 *data;
  gsize len;
  gsize pos;
  gsize base;
  int error_code;
} ThDerReader;

void     th_der_reader_init         (ThDerReader        *reader,
                                     const guint8       *data,
                                     gsize               len,
                                     int                 error_code);
/* A reader over the content of `element`, which `parent` read. */
void     th_der_reader_init_content (ThDerReader        *reader,
                                     const ThDerReader  *parent,
                                     const ThDerElement *element);
gboolean th_der_reader_at_end       (const ThDerReader  *reader);
/* FALSE at the end of the input. Does not check the element's length. */
gboolean th_der_reader_peek_tag     (const ThDerReader  *reader,
                                     guint8             *tag);
gboolean th_der_reader_read_any     (ThDerReader        *reader,
                                     ThDerElement       *element,
                                     GError            **error);
/* Fails unless the next element has identifier octet `tag`. `what` names the field in the
 * error message (already translated). */
gboolean th_der_reader_read         (ThDerReader        *reader,
                                     guint8              tag,
                                     const char         *what,
                                     ThDerElement       *element,
                                     GError            **error);
/* Fails when anything is left. */
gboolean th_der_reader_expect_end   (const ThDerReader  *reader,
                                     GError            **error);

/* Value checks and decoders for one element. `reader` supplies the error code. */
gboolean th_der_get_uint            (const ThDerReader  *reader,
                                     const ThDerElement *element,
                                     const char         *what,
                                     guint64            *value,
                                     GError            **error);
/* Checks the INTEGER is in its shortest two's-complement form and not negative. */
gboolean th_der_check_unsigned      (const ThDerReader  *reader,
                                     const ThDerElement *element,
                                     const char         *what,
                                     GError            **error);
gboolean th_der_get_bool            (const ThDerReader  *reader,
                                     const ThDerElement *element,
                                     const char         *what,
                                     gboolean           *value,
                                     GError            **error);
/* The bytes of a BIT STRING whose bit count is a multiple of 8 (keys, signatures). */
gboolean th_der_get_octet_bits      (const ThDerReader  *reader,
                                     const ThDerElement *element,
                                     const char         *what,
                                     const guint8      **bytes,
                                     gsize              *len,
                                     GError            **error);
/* A BIT STRING of named bits (RFC 5280 KeyUsage) as flags: bit 0 of the string is flag
 * 1 << 0. DER: no trailing zero bits, unused bits zero. At most 32 bits. */
gboolean th_der_get_named_bits      (const ThDerReader  *reader,
                                     const ThDerElement *element,
                                     const char         *what,
                                     guint32            *flags,
                                     GError            **error);
/* Walks a constructed element and everything inside it, checking each header. */
gboolean th_der_check_well_formed   (const ThDerReader  *reader,
                                     const ThDerElement *element,
                                     GError            **error);
gboolean th_der_element_equal       (const ThDerElement *element,
                                     guint8              tag,
                                     const guint8       *content,
                                     gsize               content_len);

/* Builds DER in memory. Containers are opened with start and closed with end, which writes
 * the length in its shortest form. Misuse is a programming error (g_critical). */
typedef struct
{
  /*< private >*/
  GByteArray *buffer;
  guint depth;
  gsize starts[TH_DER_WRITER_MAX_DEPTH];
} ThDerWriter;

void     th_der_writer_init         (ThDerWriter   *writer);
void     th_der_writer_clear        (ThDerWriter   *writer);
/* Returns the encoding and resets the writer; all containers must have been ended. */
GBytes  *th_der_writer_finish       (ThDerWriter   *writer);
void     th_der_writer_start        (ThDerWriter   *writer,
                                     guint8         tag);
void     th_der_writer_end          (ThDerWriter   *writer);
void     th_der_writer_put          (ThDerWriter   *writer,
                                     guint8         tag,
                                     const guint8  *content,
                                     gsize          len);
/* Appends already-encoded DER as it is. */
void     th_der_writer_put_raw      (ThDerWriter   *writer,
                                     const guint8  *der,
                                     gsize          len);
void     th_der_writer_put_uint     (ThDerWriter   *writer,
                                     guint64        value);
void     th_der_writer_put_bool     (ThDerWriter   *writer,
                                     gboolean       value);
/* A BIT STRING with a leading zero unused-bits octet: keys and signatures. */
void     th_der_writer_put_octet_bits (ThDerWriter  *writer,
                                       const guint8 *bytes,
                                       gsize         len);
/* The inverse of th_der_get_named_bits. */
void     th_der_writer_put_named_bits (ThDerWriter *writer,
                                       guint32      flags);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ThDerWriter, th_der_writer_clear)

G_END_DECLS
