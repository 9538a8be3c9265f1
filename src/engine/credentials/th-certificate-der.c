/* th-certificate-der.c: the strict DER reader and the DER writer behind the certificate and
 * CSR codecs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "th-certificate-der.h"
#include "th-error.h"

/* Nesting deeper than any certificate or CSR field needs is refused by the walker. */
#define WELL_FORMED_MAX_DEPTH 16

void
th_der_reader_init (ThDerReader  *reader,
                    const guint8 *data,
                    gsize         len,
                    int           error_code)
{
  g_return_if_fail (reader != NULL);
  g_return_if_fail (data != NULL || len == 0);

  reader->data = data;
  reader->len = len;
  reader->pos = 0;
  reader->base = 0;
  reader->error_code = error_code;
}

void
th_der_reader_init_content (ThDerReader        *reader,
                            const ThDerReader  *parent,
                            const ThDerElement *element)
{
  g_return_if_fail (reader != NULL);
  g_return_if_fail (parent != NULL);
  g_return_if_fail (element != NULL);

  reader->data = element->content;
  reader->len = element->content_len;
  reader->pos = 0;
  reader->base = element->content_offset;
  reader->error_code = parent->error_code;
}

gboolean
th_der_reader_at_end (const ThDerReader *reader)
{
  g_return_val_if_fail (reader != NULL, TRUE);

  return reader->pos >= reader->len;
}

gboolean
th_der_reader_peek_tag (const ThDerReader *reader,
                        guint8            *tag)
{
  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (tag != NULL, FALSE);

  if (reader->pos >= reader->len)
    return FALSE;
  *tag = reader->data[reader->pos];
  return TRUE;
}

static gboolean
set_malformed (const ThDerReader *reader,
               gsize              pos,
               const char        *reason,
               GError           **error)
{
  g_set_error (error, TH_ERROR, reader->error_code, _("Malformed DER at byte %zu: %s"),
               reader->base + pos, reason);
  return FALSE;
}

gboolean
th_der_reader_read_any (ThDerReader  *reader,
                        ThDerElement *element,
                        GError      **error)
{
  gsize pos;
  gsize remaining;
  gsize content_len;
  guint8 tag;

  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (element != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  pos = reader->pos;
  if (pos >= reader->len)
    return set_malformed (reader, pos, _("an element is missing at the end of its container"),
                          error);
  tag = reader->data[pos];
  if ((tag & 0x1F) == 0x1F)
    return set_malformed (reader, pos, _("multi-byte tag numbers are not supported"), error);
  if (pos + 1 >= reader->len)
    return set_malformed (reader, pos, _("the input ends inside an element header"), error);

  {
    guint8 first = reader->data[pos + 1];
    gsize header_len;

    if (first < 0x80)
      {
        content_len = first;
        header_len = 2;
      }
    else
      {
        guint n = first & 0x7F;

        if (n == 0)
          return set_malformed (reader, pos + 1, _("indefinite lengths are not DER"), error);
        if (n > 4)
          return set_malformed (reader, pos + 1, _("the length is too large"), error);
        if (pos + 2 + n > reader->len)
          return set_malformed (reader, pos + 1, _("the input ends inside a length"), error);
        content_len = 0;
        for (guint i = 0; i < n; i++)
          content_len = content_len << 8 | reader->data[pos + 2 + i];
        /* DER: the long form only when needed, and with no leading zero octet */
        if (content_len < 0x80 || reader->data[pos + 2] == 0)
          return set_malformed (reader, pos + 1, _("the length is not in its shortest form"),
                                error);
        header_len = 2 + n;
      }

    remaining = reader->len - pos - header_len;
    if (content_len > remaining)
      return set_malformed (reader, pos + 1,
                            _("the length runs past the end of the enclosing data"), error);

    element->tag = tag;
    element->element = reader->data + pos;
    element->element_len = header_len + content_len;
    element->content = reader->data + pos + header_len;
    element->content_len = content_len;
    element->offset = reader->base + pos;
    element->content_offset = reader->base + pos + header_len;
  }

  reader->pos = pos + element->element_len;
  return TRUE;
}

gboolean
th_der_reader_read (ThDerReader  *reader,
                    guint8        tag,
                    const char   *what,
                    ThDerElement *element,
                    GError      **error)
{
  gsize pos;

  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (what != NULL, FALSE);

  pos = reader->pos;
  if (pos >= reader->len)
    {
      g_set_error (error, TH_ERROR, reader->error_code,
                   _("Malformed DER at byte %zu: %s is missing"), reader->base + pos, what);
      return FALSE;
    }
  if (reader->data[pos] != tag)
    {
      g_set_error (error, TH_ERROR, reader->error_code,
                   _("Malformed DER at byte %zu: expected %s (tag 0x%02x), found tag 0x%02x"),
                   reader->base + pos, what, tag, reader->data[pos]);
      return FALSE;
    }
  return th_der_reader_read_any (reader, element, error);
}

gboolean
th_der_reader_expect_end (const ThDerReader *reader,
                          GError           **error)
{
  g_return_val_if_fail (reader != NULL, FALSE);

  if (reader->pos >= reader->len)
    return TRUE;
  return set_malformed (reader, reader->pos, _("unexpected data after the last field"), error);
}

gboolean
th_der_check_unsigned (const ThDerReader  *reader,
                       const ThDerElement *element,
                       const char         *what,
                       GError            **error)
{
  const guint8 *p = element->content;
  gsize n = element->content_len;
  const char *reason = NULL;

  if (n == 0)
    reason = _("it is empty");
  else if (p[0] & 0x80)
    reason = _("it is negative");
  else if (n > 1 && p[0] == 0 && !(p[1] & 0x80))
    reason = _("it is not in its shortest form");
  if (reason == NULL)
    return TRUE;
  g_set_error (error, TH_ERROR, reader->error_code,
               _("Malformed DER at byte %zu: the integer %s is invalid: %s"),
               element->offset, what, reason);
  return FALSE;
}

gboolean
th_der_get_uint (const ThDerReader  *reader,
                 const ThDerElement *element,
                 const char         *what,
                 guint64            *value,
                 GError            **error)
{
  const guint8 *p = element->content;
  gsize n = element->content_len;

  if (!th_der_check_unsigned (reader, element, what, error))
    return FALSE;
  if (n > 1 && p[0] == 0)
    {
      p++;
      n--;
    }
  if (n > 8)
    {
      g_set_error (error, TH_ERROR, reader->error_code,
                   _("Malformed DER at byte %zu: the integer %s is too large"),
                   element->offset, what);
      return FALSE;
    }
  *value = 0;
  for (gsize i = 0; i < n; i++)
    *value = *value << 8 | p[i];
  return TRUE;
}

gboolean
th_der_get_bool (const ThDerReader  *reader,
                 const ThDerElement *element,
                 const char         *what,
                 gboolean           *value,
                 GError            **error)
{
  /* DER allows only 0x00 and 0xFF */
  if (element->content_len != 1 || (element->content[0] != 0 && element->content[0] != 0xFF))
    {
      g_set_error (error, TH_ERROR, reader->error_code,
                   _("Malformed DER at byte %zu: the boolean %s is not 0x00 or 0xFF"),
                   element->offset, what);
      return FALSE;
    }
  *value = element->content[0] == 0xFF;
  return TRUE;
}

gboolean
th_der_get_octet_bits (const ThDerReader  *reader,
                       const ThDerElement *element,
                       const char         *what,
                       const guint8      **bytes,
                       gsize              *len,
                       GError            **error)
{
  if (element->content_len == 0 || element->content[0] != 0)
    {
      g_set_error (error, TH_ERROR, reader->error_code,
                   _("Malformed DER at byte %zu: the bit string %s must have whole octets"),
                   element->offset, what);
      return FALSE;
    }
  *bytes = element->content + 1;
  *len = element->content_len - 1;
  return TRUE;
}

static guint8
reverse_bits (guint8 v)
{
  v = (guint8) ((v >> 1 & 0x55) | (v & 0x55) << 1);
  v = (guint8) ((v >> 2 & 0x33) | (v & 0x33) << 2);
  return (guint8) (v >> 4 | v << 4);
}

gboolean
th_der_get_named_bits (const ThDerReader  *reader,
                       const ThDerElement *element,
                       const char         *what,
                       guint32            *flags,
                       GError            **error)
{
  const guint8 *p = element->content;
  gsize n = element->content_len;
  const char *reason = NULL;
  guint unused;

  if (n == 0)
    reason = _("it has no unused-bits octet");
  else if (n > 5)
    reason = _("it is longer than 32 bits");
  else if ((unused = p[0]) > 7 || (n == 1 && unused != 0))
    reason = _("the unused-bits count is wrong");
  else if (n > 1 && (p[n - 1] & ((1u << unused) - 1)) != 0)
    reason = _("an unused bit is set");
  else if (n > 1 && (p[n - 1] & (1u << unused)) == 0)
    reason = _("it has trailing zero bits");
  if (reason != NULL)
    {
      g_set_error (error, TH_ERROR, reader->error_code,
                   _("Malformed DER at byte %zu: the bit string %s is invalid: %s"),
                   element->offset, what, reason);
      return FALSE;
    }
  *flags = 0;
  for (gsize i = 1; i < n; i++)
    *flags |= (guint32) reverse_bits (p[i]) << (8 * (i - 1));
  return TRUE;
}

static gboolean
check_well_formed (const ThDerReader  *parent,
                   const ThDerElement *element,
                   guint               depth,
                   GError            **error)
{
  ThDerReader reader;

  if (!(element->tag & 0x20))
    return TRUE;
  if (depth > WELL_FORMED_MAX_DEPTH)
    return set_malformed (parent, element->offset - parent->base,
                          _("the elements are nested too deeply"), error);
  th_der_reader_init_content (&reader, parent, element);
  while (!th_der_reader_at_end (&reader))
    {
      ThDerElement child;

      if (!th_der_reader_read_any (&reader, &child, error)
          || !check_well_formed (&reader, &child, depth + 1, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
th_der_check_well_formed (const ThDerReader  *reader,
                          const ThDerElement *element,
                          GError            **error)
{
  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (element != NULL, FALSE);

  return check_well_formed (reader, element, 0, error);
}

gboolean
th_der_element_equal (const ThDerElement *element,
                      guint8              tag,
                      const guint8       *content,
                      gsize               content_len)
{
  return element->tag == tag && element->content_len == content_len
         && memcmp (element->content, content, content_len) == 0;
}

/* Writer */

void
th_der_writer_init (ThDerWriter *writer)
{
  g_return_if_fail (writer != NULL);

  writer->buffer = g_byte_array_new ();
  writer->depth = 0;
}

void
th_der_writer_clear (ThDerWriter *writer)
{
  g_clear_pointer (&writer->buffer, g_byte_array_unref);
  writer->depth = 0;
}

GBytes *
th_der_writer_finish (ThDerWriter *writer)
{
  GByteArray *buffer;

  g_return_val_if_fail (writer != NULL && writer->buffer != NULL, NULL);
  if (writer->depth != 0)
    {
      g_critical ("th_der_writer_finish: %u element(s) not ended", writer->depth);
      return NULL;
    }
  buffer = g_steal_pointer (&writer->buffer);
  writer->buffer = g_byte_array_new ();
  return g_byte_array_free_to_bytes (buffer);
}

static guint
encode_length (gsize   len,
               guint8  out[5])
{
  guint n = 0;

  if (len < 0x80)
    {
      out[0] = (guint8) len;
      return 1;
    }
  for (gsize v = len; v > 0; v >>= 8)
    n++;
  out[0] = (guint8) (0x80 | n);
  for (guint i = 0; i < n; i++)
    out[n - i] = (guint8) (len >> (8 * i));
  return n + 1;
}

void
th_der_writer_start (ThDerWriter *writer,
                     guint8       tag)
{
  g_return_if_fail (writer != NULL && writer->buffer != NULL);

  if (writer->depth >= TH_DER_WRITER_MAX_DEPTH)
    {
      g_critical ("th_der_writer_start: nested deeper than %d", TH_DER_WRITER_MAX_DEPTH);
      return;
    }
  g_byte_array_append (writer->buffer, &tag, 1);
  writer->starts[writer->depth++] = writer->buffer->len;
}

void
th_der_writer_end (ThDerWriter *writer)
{
  guint8 header[5];
  gsize start;
  gsize content_len;
  guint n;

  g_return_if_fail (writer != NULL && writer->buffer != NULL);

  if (writer->depth == 0)
    {
      g_critical ("th_der_writer_end: no element is open");
      return;
    }
  start = writer->starts[--writer->depth];
  content_len = writer->buffer->len - start;
  n = encode_length (content_len, header);
  g_byte_array_set_size (writer->buffer, writer->buffer->len + n);
  memmove (writer->buffer->data + start + n, writer->buffer->data + start, content_len);
  memcpy (writer->buffer->data + start, header, n);
}

void
th_der_writer_put (ThDerWriter  *writer,
                   guint8        tag,
                   const guint8 *content,
                   gsize         len)
{
  guint8 header[5];
  guint n;

  g_return_if_fail (writer != NULL && writer->buffer != NULL);
  g_return_if_fail (content != NULL || len == 0);

  n = encode_length (len, header);
  g_byte_array_append (writer->buffer, &tag, 1);
  g_byte_array_append (writer->buffer, header, n);
  if (len > 0)
    g_byte_array_append (writer->buffer, content, (guint) len);
}

void
th_der_writer_put_raw (ThDerWriter  *writer,
                       const guint8 *der,
                       gsize         len)
{
  g_return_if_fail (writer != NULL && writer->buffer != NULL);
  g_return_if_fail (der != NULL || len == 0);

  if (len > 0)
    g_byte_array_append (writer->buffer, der, (guint) len);
}

void
th_der_writer_put_uint (ThDerWriter *writer,
                        guint64      value)
{
  guint8 content[9];
  guint n = 0;
  guint8 bytes[8];
  guint count = 0;

  for (guint64 v = value; v > 0; v >>= 8)
    bytes[count++] = (guint8) v;
  if (count == 0)
    bytes[count++] = 0;
  /* a leading zero keeps the top bit from reading as a sign */
  if (bytes[count - 1] & 0x80)
    content[n++] = 0;
  while (count > 0)
    content[n++] = bytes[--count];
  th_der_writer_put (writer, TH_DER_INTEGER, content, n);
}

void
th_der_writer_put_bool (ThDerWriter *writer,
                        gboolean     value)
{
  guint8 content = value ? 0xFF : 0x00;

  th_der_writer_put (writer, TH_DER_BOOLEAN, &content, 1);
}

void
th_der_writer_put_octet_bits (ThDerWriter  *writer,
                              const guint8 *bytes,
                              gsize         len)
{
  guint8 unused = 0;

  th_der_writer_start (writer, TH_DER_BIT_STRING);
  th_der_writer_put_raw (writer, &unused, 1);
  th_der_writer_put_raw (writer, bytes, len);
  th_der_writer_end (writer);
}

void
th_der_writer_put_named_bits (ThDerWriter *writer,
                              guint32      flags)
{
  guint8 content[5] = { 0 };
  guint highest = 0;
  guint n;

  if (flags == 0)
    {
      th_der_writer_put (writer, TH_DER_BIT_STRING, content, 1);
      return;
    }
  for (guint i = 0; i < 32; i++)
    if (flags & (1u << i))
      highest = i;
  n = highest / 8 + 1;
  content[0] = (guint8) (7 - highest % 8);
  for (guint i = 0; i < n; i++)
    content[1 + i] = reverse_bits ((guint8) (flags >> (8 * i)));
  th_der_writer_put (writer, TH_DER_BIT_STRING, content, n + 1);
}
