/* th-tlv.c: Matter TLV reader and writer (core specification, appendix A)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "th-error.h"
#include "th-tlv.h"

/* Element types: the low five bits of the control byte. Integers and string lengths come in
 * 1, 2, 4 and 8 byte forms, selected by the two lowest bits. */
enum
{
  ELEMENT_SIGNED_INT = 0x00,
  ELEMENT_UNSIGNED_INT = 0x04,
  ELEMENT_FALSE = 0x08,
  ELEMENT_TRUE = 0x09,
  ELEMENT_FLOAT32 = 0x0A,
  ELEMENT_FLOAT64 = 0x0B,
  ELEMENT_UTF8_STRING = 0x0C,
  ELEMENT_BYTE_STRING = 0x10,
  ELEMENT_NULL = 0x14,
  ELEMENT_STRUCTURE = 0x15,
  ELEMENT_ARRAY = 0x16,
  ELEMENT_LIST = 0x17,
  ELEMENT_END_OF_CONTAINER = 0x18,
};

/* Tag control: the high three bits of the control byte */
enum
{
  TAG_CONTROL_ANONYMOUS = 0,
  TAG_CONTROL_CONTEXT = 1,
  TAG_CONTROL_COMMON_2 = 2,
  TAG_CONTROL_COMMON_4 = 3,
  TAG_CONTROL_IMPLICIT_2 = 4,
  TAG_CONTROL_IMPLICIT_4 = 5,
  TAG_CONTROL_FULLY_QUALIFIED_6 = 6,
  TAG_CONTROL_FULLY_QUALIFIED_8 = 7,
};

static const guint8 tag_sizes[8] = { 0, 1, 2, 4, 2, 4, 6, 8 };

typedef enum
{
  READ_ELEMENT,
  READ_END,
  READ_FAILED,
} ReadResult;

gboolean
th_tlv_tag_equal (ThTlvTag a,
                  ThTlvTag b)
{
  if (a.kind != b.kind)
    return FALSE;
  if (a.kind == TH_TLV_TAG_ANONYMOUS)
    return TRUE;
  if (a.kind == TH_TLV_TAG_FULLY_QUALIFIED
      && (a.vendor_id != b.vendor_id || a.profile_number != b.profile_number))
    return FALSE;
  return a.number == b.number;
}

gboolean
th_tlv_tag_is_context (ThTlvTag tag,
                       guint32  number)
{
  return tag.kind == TH_TLV_TAG_CONTEXT && tag.number == number;
}

static gboolean
is_container (ThTlvType type)
{
  return type == TH_TLV_TYPE_STRUCTURE || type == TH_TLV_TYPE_ARRAY || type == TH_TLV_TYPE_LIST;
}

static const char *
type_name (ThTlvType type)
{
  switch (type)
    {
    case TH_TLV_TYPE_NONE:
      return _("no element");
    case TH_TLV_TYPE_SIGNED_INT:
      return _("a signed integer");
    case TH_TLV_TYPE_UNSIGNED_INT:
      return _("an unsigned integer");
    case TH_TLV_TYPE_BOOLEAN:
      return _("a boolean");
    case TH_TLV_TYPE_FLOAT:
      return _("a floating point number");
    case TH_TLV_TYPE_UTF8_STRING:
      return _("a text string");
    case TH_TLV_TYPE_BYTE_STRING:
      return _("a byte string");
    case TH_TLV_TYPE_NULL:
      return _("null");
    case TH_TLV_TYPE_STRUCTURE:
      return _("a structure");
    case TH_TLV_TYPE_ARRAY:
      return _("an array");
    case TH_TLV_TYPE_LIST:
      return _("a list");
    default:
      g_return_val_if_reached ("?");
    }
}

static guint64
read_le (const guint8 *p,
         guint         size)
{
  guint64 value = 0;

  for (guint i = size; i > 0; i--)
    value = value << 8 | p[i - 1];
  return value;
}

/* Between elements: before the first member of a container, at its end, or after it. */
static void
reader_set_no_element (ThTlvReader *reader)
{
  reader->type = TH_TLV_TYPE_NONE;
  reader->tag = TH_TLV_ANONYMOUS;
  reader->element_start = reader->pos;
  reader->element_end = reader->pos;
  reader->content_start = reader->pos;
  reader->container_skipped = FALSE;
}

void
th_tlv_reader_init (ThTlvReader  *reader,
                    const guint8 *data,
                    gsize         len)
{
  g_return_if_fail (reader != NULL);
  g_return_if_fail (data != NULL || len == 0);

  memset (reader, 0, sizeof *reader);
  reader->data = data;
  reader->len = len;
  reader->container_types[0] = TH_TLV_TYPE_NONE;
  reader->container_starts[0] = 0;
  reader_set_no_element (reader);
}

static ThTlvTag
read_tag (const guint8 *p,
          guint         tag_control)
{
  guint size = tag_sizes[tag_control];

  switch (tag_control)
    {
    case TAG_CONTROL_ANONYMOUS:
      return TH_TLV_ANONYMOUS;
    case TAG_CONTROL_CONTEXT:
      return TH_TLV_CONTEXT (p[0]);
    case TAG_CONTROL_COMMON_2:
    case TAG_CONTROL_COMMON_4:
      return TH_TLV_COMMON ((guint32) read_le (p, size));
    case TAG_CONTROL_IMPLICIT_2:
    case TAG_CONTROL_IMPLICIT_4:
      return TH_TLV_IMPLICIT ((guint32) read_le (p, size));
    default:
      return TH_TLV_FULLY_QUALIFIED ((guint16) read_le (p, 2), (guint16) read_le (p + 2, 2),
                                     (guint32) read_le (p + 4, size - 4));
    }
}

/* The size of an integer or a float after the tag */
static guint
fixed_value_size (guint element_type)
{
  switch (element_type)
    {
    case ELEMENT_FLOAT32:
      return 4;
    case ELEMENT_FLOAT64:
      return 8;
    default:
      return 1u << (element_type & 3);
    }
}

/* Turns the little-endian bits of an integer or a float into its value. */
static ThTlvType
decode_fixed_value (guint    element_type,
                    guint    size,
                    guint64  bits,
                    gint64  *int_value,
                    double  *float_value)
{
  if (element_type == ELEMENT_FLOAT32)
    {
      guint32 bits32 = (guint32) bits;
      float f;

      memcpy (&f, &bits32, sizeof f);
      *float_value = f;
      return TH_TLV_TYPE_FLOAT;
    }
  if (element_type == ELEMENT_FLOAT64)
    {
      memcpy (float_value, &bits, sizeof *float_value);
      return TH_TLV_TYPE_FLOAT;
    }
  if (element_type >= ELEMENT_UNSIGNED_INT)
    return TH_TLV_TYPE_UNSIGNED_INT;

  /* sign-extend from the encoded width */
  switch (size)
    {
    case 1:
      *int_value = (gint8) bits;
      break;
    case 2:
      *int_value = (gint16) bits;
      break;
    case 4:
      *int_value = (gint32) bits;
      break;
    default:
      *int_value = (gint64) bits;
      break;
    }
  return TH_TLV_TYPE_SIGNED_INT;
}

/* Reads the element at reader->pos and moves past it (past a container's header only). At
 * the end of the current container, or of the input at the top level, the reader is left
 * between elements with pos on the end marker. On failure the reader is unchanged. */
static ReadResult
read_element (ThTlvReader *reader,
              GError     **error)
{
  const guint8 *data = reader->data;
  gsize start = reader->pos;
  gsize p = start;
  gsize remaining;
  ThTlvType parent = reader->container_types[reader->depth];
  guint element_type;
  guint tag_control;
  guint size;
  ThTlvTag tag;
  ThTlvType type;
  guint64 uint_value = 0;
  gint64 int_value = 0;
  double float_value = 0;
  const guint8 *bytes = NULL;
  gsize bytes_len = 0;

  if (p == reader->len)
    {
      if (reader->depth > 0)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_TLV_TRUNCATED,
                       _("The TLV data ends at byte %zu, inside a container that was not closed"),
                       p);
          return READ_FAILED;
        }
      reader_set_no_element (reader);
      return READ_END;
    }

  element_type = data[p] & 0x1F;
  tag_control = data[p] >> 5;
  p++;

  if (element_type == ELEMENT_END_OF_CONTAINER)
    {
      if (reader->depth == 0)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_TLV_INVALID,
                       _("Stray end of container at byte %zu, outside any container"), start);
          return READ_FAILED;
        }
      if (tag_control != TAG_CONTROL_ANONYMOUS)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_TLV_INVALID,
                       _("The end of container at byte %zu has a tag"), start);
          return READ_FAILED;
        }
      reader_set_no_element (reader);
      return READ_END;
    }
  if (element_type > ELEMENT_END_OF_CONTAINER)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TLV_INVALID,
                   _("Reserved TLV element type 0x%02x at byte %zu"), element_type, start);
      return READ_FAILED;
    }

  if (tag_sizes[tag_control] > reader->len - p)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TLV_TRUNCATED,
                   _("The tag of the TLV element at byte %zu is cut short"), start);
      return READ_FAILED;
    }
  tag = read_tag (data + p, tag_control);
  p += tag_sizes[tag_control];

  if (parent == TH_TLV_TYPE_STRUCTURE && tag.kind == TH_TLV_TAG_ANONYMOUS)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TLV_INVALID,
                   _("The structure member at byte %zu has no tag"), start);
      return READ_FAILED;
    }
  if (parent == TH_TLV_TYPE_ARRAY && tag.kind != TH_TLV_TAG_ANONYMOUS)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TLV_INVALID,
                   _("The array member at byte %zu has a tag; array members must be anonymous"),
                   start);
      return READ_FAILED;
    }

  remaining = reader->len - p;
  switch (element_type)
    {
    case ELEMENT_SIGNED_INT ... ELEMENT_SIGNED_INT + 3:
    case ELEMENT_UNSIGNED_INT ... ELEMENT_UNSIGNED_INT + 3:
    case ELEMENT_FLOAT32:
    case ELEMENT_FLOAT64:
      size = fixed_value_size (element_type);
      if (size > remaining)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_TLV_TRUNCATED,
                       _("The value of the TLV element at byte %zu is cut short"), start);
          return READ_FAILED;
        }
      uint_value = read_le (data + p, size);
      p += size;
      type = decode_fixed_value (element_type, size, uint_value, &int_value, &float_value);
      break;

    case ELEMENT_FALSE:
    case ELEMENT_TRUE:
      type = TH_TLV_TYPE_BOOLEAN;
      uint_value = element_type == ELEMENT_TRUE;
      break;

    case ELEMENT_UTF8_STRING ... ELEMENT_UTF8_STRING + 3:
    case ELEMENT_BYTE_STRING ... ELEMENT_BYTE_STRING + 3:
      {
        guint64 length;

        size = 1u << (element_type & 3);
        if (size > remaining)
          {
            g_set_error (error, TH_ERROR, TH_ERROR_TLV_TRUNCATED,
                         _("The length of the string at byte %zu is cut short"), start);
            return READ_FAILED;
          }
        length = read_le (data + p, size);
        p += size;
        remaining -= size;
        /* compared as 64-bit so that no length wraps around, whatever the size of gsize */
        if (length > (guint64) remaining)
          {
            g_set_error (error, TH_ERROR, TH_ERROR_TLV_TRUNCATED,
                         _("The string at byte %zu is longer than the %zu bytes of data left"),
                         start, remaining);
            return READ_FAILED;
          }
        type = element_type < ELEMENT_BYTE_STRING ? TH_TLV_TYPE_UTF8_STRING
                                                  : TH_TLV_TYPE_BYTE_STRING;
        bytes = data + p;
        bytes_len = (gsize) length;
        p += bytes_len;
      }
      break;

    case ELEMENT_NULL:
      type = TH_TLV_TYPE_NULL;
      break;
    case ELEMENT_STRUCTURE:
      type = TH_TLV_TYPE_STRUCTURE;
      break;
    case ELEMENT_ARRAY:
      type = TH_TLV_TYPE_ARRAY;
      break;
    case ELEMENT_LIST:
      type = TH_TLV_TYPE_LIST;
      break;
    default:
      g_assert_not_reached ();
    }

  reader->pos = p;
  reader->element_start = start;
  reader->element_end = p;
  reader->content_start = p;
  reader->container_skipped = FALSE;
  reader->type = type;
  reader->tag = tag;
  reader->uint_value = uint_value;
  reader->int_value = int_value;
  reader->float_value = float_value;
  reader->bytes = bytes;
  reader->bytes_len = bytes_len;
  return READ_ELEMENT;
}

static gboolean
enter_container (ThTlvReader *reader,
                 GError     **error)
{
  if (reader->depth == TH_TLV_MAX_DEPTH)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TLV_DEPTH,
                   _("The container at byte %zu nests deeper than %u levels"),
                   reader->element_start, (guint) TH_TLV_MAX_DEPTH);
      return FALSE;
    }
  reader->depth++;
  reader->container_types[reader->depth] = reader->type;
  reader->container_starts[reader->depth] = reader->content_start;
  reader->pos = reader->content_start;
  reader_set_no_element (reader);
  return TRUE;
}

/* The reader is on an end marker */
static void
leave_container (ThTlvReader *reader)
{
  reader->pos++;
  reader->depth--;
  reader_set_no_element (reader);
}

/* Finds the end of the container the reader is on, checking everything in it, and makes it
 * the element's end. Walks a copy so that the reader stays on the container. */
static gboolean
skip_container (ThTlvReader *reader,
                GError     **error)
{
  ThTlvReader walker = *reader;

  if (!enter_container (&walker, error))
    return FALSE;
  while (walker.depth > reader->depth)
    {
      switch (read_element (&walker, error))
        {
        case READ_ELEMENT:
          if (is_container (walker.type) && !enter_container (&walker, error))
            return FALSE;
          break;
        case READ_END:
          leave_container (&walker);
          break;
        case READ_FAILED:
        default:
          return FALSE;
        }
    }
  reader->element_end = walker.pos;
  reader->pos = walker.pos;
  reader->container_skipped = TRUE;
  return TRUE;
}

static ReadResult
advance (ThTlvReader *reader,
         GError     **error)
{
  if (is_container (reader->type) && !reader->container_skipped
      && !skip_container (reader, error))
    return READ_FAILED;
  return read_element (reader, error);
}

gboolean
th_tlv_reader_next (ThTlvReader *reader,
                    GError     **error)
{
  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return advance (reader, error) == READ_ELEMENT;
}

ThTlvType
th_tlv_reader_get_type (const ThTlvReader *reader)
{
  g_return_val_if_fail (reader != NULL, TH_TLV_TYPE_NONE);

  return reader->type;
}

ThTlvTag
th_tlv_reader_get_tag (const ThTlvReader *reader)
{
  g_return_val_if_fail (reader != NULL, TH_TLV_ANONYMOUS);

  return reader->tag;
}

guint
th_tlv_reader_get_depth (const ThTlvReader *reader)
{
  g_return_val_if_fail (reader != NULL, 0);

  return reader->depth;
}

gsize
th_tlv_reader_get_offset (const ThTlvReader *reader)
{
  g_return_val_if_fail (reader != NULL, 0);

  return reader->element_start;
}

static gboolean
check_type (const ThTlvReader *reader,
            ThTlvType          expected,
            GError           **error)
{
  if (reader->type == expected)
    return TRUE;
  g_set_error (error, TH_ERROR, TH_ERROR_TLV_TYPE,
               _("Expected %s at byte %zu of the TLV data, found %s"),
               type_name (expected), reader->element_start, type_name (reader->type));
  return FALSE;
}

gboolean
th_tlv_reader_enter (ThTlvReader *reader,
                     GError     **error)
{
  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_container (reader->type))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TLV_TYPE,
                   _("Expected a container at byte %zu of the TLV data, found %s"),
                   reader->element_start, type_name (reader->type));
      return FALSE;
    }
  return enter_container (reader, error);
}

gboolean
th_tlv_reader_exit (ThTlvReader *reader,
                    GError     **error)
{
  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (reader->depth > 0, FALSE);

  for (;;)
    {
      switch (advance (reader, error))
        {
        case READ_ELEMENT:
          break;
        case READ_END:
          leave_container (reader);
          return TRUE;
        case READ_FAILED:
        default:
          return FALSE;
        }
    }
}

gboolean
th_tlv_reader_find_context (ThTlvReader *reader,
                            guint8       number,
                            GError     **error)
{
  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Members may come in any order, so look from the container's first member. */
  reader->pos = reader->container_starts[reader->depth];
  reader_set_no_element (reader);
  for (;;)
    {
      switch (advance (reader, error))
        {
        case READ_ELEMENT:
          if (th_tlv_tag_is_context (reader->tag, number))
            return TRUE;
          break;
        case READ_END:
        case READ_FAILED:
        default:
          return FALSE;
        }
    }
}

gboolean
th_tlv_reader_get_uint (const ThTlvReader *reader,
                        guint64           *value,
                        GError           **error)
{
  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (!check_type (reader, TH_TLV_TYPE_UNSIGNED_INT, error))
    return FALSE;
  *value = reader->uint_value;
  return TRUE;
}

static gboolean
get_uint_bits (const ThTlvReader *reader,
               guint              bits,
               guint64           *value,
               GError           **error)
{
  g_return_val_if_fail (reader != NULL, FALSE);

  if (!check_type (reader, TH_TLV_TYPE_UNSIGNED_INT, error))
    return FALSE;
  if (reader->uint_value >> bits != 0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TLV_OVERFLOW,
                   _("The unsigned integer %llu at byte %zu of the TLV data does not fit in "
                     "%u bits"),
                   (unsigned long long) reader->uint_value, reader->element_start, bits);
      return FALSE;
    }
  *value = reader->uint_value;
  return TRUE;
}

gboolean
th_tlv_reader_get_uint8 (const ThTlvReader *reader,
                         guint8            *value,
                         GError           **error)
{
  guint64 v;

  g_return_val_if_fail (value != NULL, FALSE);

  if (!get_uint_bits (reader, 8, &v, error))
    return FALSE;
  *value = (guint8) v;
  return TRUE;
}

gboolean
th_tlv_reader_get_uint16 (const ThTlvReader *reader,
                          guint16           *value,
                          GError           **error)
{
  guint64 v;

  g_return_val_if_fail (value != NULL, FALSE);

  if (!get_uint_bits (reader, 16, &v, error))
    return FALSE;
  *value = (guint16) v;
  return TRUE;
}

gboolean
th_tlv_reader_get_uint32 (const ThTlvReader *reader,
                          guint32           *value,
                          GError           **error)
{
  guint64 v;

  g_return_val_if_fail (value != NULL, FALSE);

  if (!get_uint_bits (reader, 32, &v, error))
    return FALSE;
  *value = (guint32) v;
  return TRUE;
}

gboolean
th_tlv_reader_get_int (const ThTlvReader *reader,
                       gint64            *value,
                       GError           **error)
{
  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (!check_type (reader, TH_TLV_TYPE_SIGNED_INT, error))
    return FALSE;
  *value = reader->int_value;
  return TRUE;
}

gboolean
th_tlv_reader_get_bool (const ThTlvReader *reader,
                        gboolean          *value,
                        GError           **error)
{
  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (!check_type (reader, TH_TLV_TYPE_BOOLEAN, error))
    return FALSE;
  *value = reader->uint_value != 0;
  return TRUE;
}

gboolean
th_tlv_reader_get_double (const ThTlvReader *reader,
                          double            *value,
                          GError           **error)
{
  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (!check_type (reader, TH_TLV_TYPE_FLOAT, error))
    return FALSE;
  *value = reader->float_value;
  return TRUE;
}

gboolean
th_tlv_reader_get_bytes (const ThTlvReader *reader,
                         const guint8     **bytes,
                         gsize             *len,
                         GError           **error)
{
  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (len != NULL, FALSE);

  if (!check_type (reader, TH_TLV_TYPE_BYTE_STRING, error))
    return FALSE;
  *bytes = reader->bytes;
  *len = reader->bytes_len;
  return TRUE;
}

gboolean
th_tlv_reader_get_string (const ThTlvReader *reader,
                          const char       **str,
                          gsize             *len,
                          GError           **error)
{
  const char *end;

  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (str != NULL, FALSE);
  g_return_val_if_fail (len != NULL, FALSE);

  if (!check_type (reader, TH_TLV_TYPE_UTF8_STRING, error))
    return FALSE;
  /* g_utf8_validate_len also refuses NUL, which no C caller could keep in a string */
  if (!g_utf8_validate_len ((const char *) reader->bytes, reader->bytes_len, &end))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TLV_INVALID,
                   _("The text string at byte %zu of the TLV data is not valid UTF-8 "
                     "(at its byte %zu)"),
                   reader->element_start, (gsize) (end - (const char *) reader->bytes));
      return FALSE;
    }
  *str = (const char *) reader->bytes;
  *len = reader->bytes_len;
  return TRUE;
}

gboolean
th_tlv_reader_get_element (ThTlvReader   *reader,
                           const guint8 **start,
                           gsize         *len,
                           GError       **error)
{
  g_return_val_if_fail (reader != NULL, FALSE);
  g_return_val_if_fail (start != NULL, FALSE);
  g_return_val_if_fail (len != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (reader->type == TH_TLV_TYPE_NONE)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TLV_TYPE,
                   _("There is no TLV element at byte %zu"), reader->element_start);
      return FALSE;
    }
  if (is_container (reader->type) && !reader->container_skipped
      && !skip_container (reader, error))
    return FALSE;
  *start = reader->data + reader->element_start;
  *len = reader->element_end - reader->element_start;
  return TRUE;
}

/* Writer */

static guint
size_code (guint size)
{
  return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}

static guint
uint_size (guint64 value)
{
  if (value <= G_MAXUINT8)
    return 1;
  if (value <= G_MAXUINT16)
    return 2;
  if (value <= G_MAXUINT32)
    return 4;
  return 8;
}

static guint
int_size (gint64 value)
{
  if (value >= G_MININT8 && value <= G_MAXINT8)
    return 1;
  if (value >= G_MININT16 && value <= G_MAXINT16)
    return 2;
  if (value >= G_MININT32 && value <= G_MAXINT32)
    return 4;
  return 8;
}

static gsize
put_le (guint8  *out,
        guint64  value,
        guint    size)
{
  for (guint i = 0; i < size; i++)
    out[i] = (guint8) (value >> (8 * i));
  return size;
}

static void
append_le (ThTlvWriter *writer,
           guint64      value,
           guint        size)
{
  guint8 out[8];

  g_byte_array_append (writer->buffer, out, put_le (out, value, size));
}

void
th_tlv_writer_init (ThTlvWriter *writer)
{
  g_return_if_fail (writer != NULL);

  memset (writer, 0, sizeof *writer);
  writer->buffer = g_byte_array_new ();
  writer->container_types[0] = TH_TLV_TYPE_NONE;
}

void
th_tlv_writer_clear (ThTlvWriter *writer)
{
  g_return_if_fail (writer != NULL);

  g_clear_pointer (&writer->buffer, g_byte_array_unref);
  writer->depth = 0;
}

GBytes *
th_tlv_writer_finish (ThTlvWriter *writer)
{
  GBytes *bytes;

  g_return_val_if_fail (writer != NULL, NULL);
  g_return_val_if_fail (writer->buffer != NULL, NULL);
  g_return_val_if_fail (writer->depth == 0, NULL);

  bytes = g_byte_array_free_to_bytes (writer->buffer);
  writer->buffer = g_byte_array_new ();
  return bytes;
}

const guint8 *
th_tlv_writer_peek (const ThTlvWriter *writer,
                    gsize             *len)
{
  g_return_val_if_fail (writer != NULL, NULL);
  g_return_val_if_fail (writer->buffer != NULL, NULL);

  if (len != NULL)
    *len = writer->buffer->len;
  return writer->buffer->data;
}

static gboolean
tag_allowed (const ThTlvWriter *writer,
             ThTlvTag           tag)
{
  switch (writer->container_types[writer->depth])
    {
    case TH_TLV_TYPE_STRUCTURE:
      return tag.kind != TH_TLV_TAG_ANONYMOUS;
    case TH_TLV_TYPE_ARRAY:
      return tag.kind == TH_TLV_TAG_ANONYMOUS;
    default:
      return TRUE;
    }
}

/* Appends the control byte and the tag in its shortest form. */
static gboolean
put_header (ThTlvWriter *writer,
            ThTlvTag     tag,
            guint        element_type)
{
  guint8 header[9];
  gsize n = 1;
  guint tag_control;
  gboolean wide = tag.number > G_MAXUINT16;

  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (writer->buffer != NULL, FALSE);
  g_return_val_if_fail (tag_allowed (writer, tag), FALSE);

  switch (tag.kind)
    {
    case TH_TLV_TAG_ANONYMOUS:
      tag_control = TAG_CONTROL_ANONYMOUS;
      break;
    case TH_TLV_TAG_CONTEXT:
      g_return_val_if_fail (tag.number <= G_MAXUINT8, FALSE);
      tag_control = TAG_CONTROL_CONTEXT;
      header[n++] = (guint8) tag.number;
      break;
    case TH_TLV_TAG_COMMON_PROFILE:
      tag_control = wide ? TAG_CONTROL_COMMON_4 : TAG_CONTROL_COMMON_2;
      n += put_le (header + n, tag.number, wide ? 4 : 2);
      break;
    case TH_TLV_TAG_IMPLICIT_PROFILE:
      tag_control = wide ? TAG_CONTROL_IMPLICIT_4 : TAG_CONTROL_IMPLICIT_2;
      n += put_le (header + n, tag.number, wide ? 4 : 2);
      break;
    case TH_TLV_TAG_FULLY_QUALIFIED:
      tag_control = wide ? TAG_CONTROL_FULLY_QUALIFIED_8 : TAG_CONTROL_FULLY_QUALIFIED_6;
      n += put_le (header + n, tag.vendor_id, 2);
      n += put_le (header + n, tag.profile_number, 2);
      n += put_le (header + n, tag.number, wide ? 4 : 2);
      break;
    default:
      g_return_val_if_reached (FALSE);
    }
  header[0] = (guint8) (tag_control << 5 | element_type);
  g_byte_array_append (writer->buffer, header, n);
  return TRUE;
}

void
th_tlv_writer_put_uint (ThTlvWriter *writer,
                        ThTlvTag     tag,
                        guint64      value)
{
  guint size = uint_size (value);

  if (put_header (writer, tag, ELEMENT_UNSIGNED_INT + size_code (size)))
    append_le (writer, value, size);
}

void
th_tlv_writer_put_int (ThTlvWriter *writer,
                       ThTlvTag     tag,
                       gint64       value)
{
  guint size = int_size (value);

  if (put_header (writer, tag, ELEMENT_SIGNED_INT + size_code (size)))
    append_le (writer, (guint64) value, size);
}

void
th_tlv_writer_put_bool (ThTlvWriter *writer,
                        ThTlvTag     tag,
                        gboolean     value)
{
  put_header (writer, tag, value ? ELEMENT_TRUE : ELEMENT_FALSE);
}

void
th_tlv_writer_put_float (ThTlvWriter *writer,
                         ThTlvTag     tag,
                         float        value)
{
  guint32 bits;

  memcpy (&bits, &value, sizeof bits);
  if (put_header (writer, tag, ELEMENT_FLOAT32))
    append_le (writer, bits, 4);
}

void
th_tlv_writer_put_double (ThTlvWriter *writer,
                          ThTlvTag     tag,
                          double       value)
{
  guint64 bits;

  memcpy (&bits, &value, sizeof bits);
  if (put_header (writer, tag, ELEMENT_FLOAT64))
    append_le (writer, bits, 8);
}

void
th_tlv_writer_put_null (ThTlvWriter *writer,
                        ThTlvTag     tag)
{
  put_header (writer, tag, ELEMENT_NULL);
}

static void
put_string_element (ThTlvWriter  *writer,
                    ThTlvTag      tag,
                    guint         element_type,
                    const guint8 *data,
                    gsize         len)
{
  guint size = uint_size (len);

  if (!put_header (writer, tag, element_type + size_code (size)))
    return;
  append_le (writer, len, size);
  if (len > 0)
    g_byte_array_append (writer->buffer, data, len);
}

void
th_tlv_writer_put_string (ThTlvWriter *writer,
                          ThTlvTag     tag,
                          const char  *str,
                          gssize       len)
{
  g_return_if_fail (str != NULL || len == 0);

  if (len < 0)
    len = strlen (str);
  g_return_if_fail (g_utf8_validate_len (str, len, NULL));

  put_string_element (writer, tag, ELEMENT_UTF8_STRING, (const guint8 *) str, len);
}

void
th_tlv_writer_put_bytes (ThTlvWriter  *writer,
                         ThTlvTag      tag,
                         const guint8 *bytes,
                         gsize         len)
{
  g_return_if_fail (bytes != NULL || len == 0);

  put_string_element (writer, tag, ELEMENT_BYTE_STRING, bytes, len);
}

/* Whether `element` is exactly one well-formed element; its tag goes to `tag`. */
static gboolean
is_one_element (const guint8 *element,
                gsize         len,
                ThTlvTag     *tag)
{
  ThTlvReader reader;
  const guint8 *start;
  gsize element_len;

  th_tlv_reader_init (&reader, element, len);
  if (!th_tlv_reader_next (&reader, NULL)
      || !th_tlv_reader_get_element (&reader, &start, &element_len, NULL))
    return FALSE;
  *tag = reader.tag;
  return element_len == len;
}

void
th_tlv_writer_put_raw (ThTlvWriter  *writer,
                       const guint8 *element,
                       gsize         len)
{
  ThTlvTag tag;

  g_return_if_fail (writer != NULL);
  g_return_if_fail (writer->buffer != NULL);
  g_return_if_fail (element != NULL);
  if (!is_one_element (element, len, &tag) || !tag_allowed (writer, tag))
    {
      g_critical ("%s: the raw data is not one well-formed element with a tag that the "
                  "current container allows", G_STRFUNC);
      return;
    }

  g_byte_array_append (writer->buffer, element, len);
}

static void
start_container (ThTlvWriter *writer,
                 ThTlvTag     tag,
                 ThTlvType    type,
                 guint        element_type)
{
  g_return_if_fail (writer != NULL);
  g_return_if_fail (writer->depth < TH_TLV_MAX_DEPTH);

  if (!put_header (writer, tag, element_type))
    return;
  writer->depth++;
  writer->container_types[writer->depth] = type;
}

void
th_tlv_writer_start_structure (ThTlvWriter *writer,
                               ThTlvTag     tag)
{
  start_container (writer, tag, TH_TLV_TYPE_STRUCTURE, ELEMENT_STRUCTURE);
}

void
th_tlv_writer_start_array (ThTlvWriter *writer,
                           ThTlvTag     tag)
{
  start_container (writer, tag, TH_TLV_TYPE_ARRAY, ELEMENT_ARRAY);
}

void
th_tlv_writer_start_list (ThTlvWriter *writer,
                          ThTlvTag     tag)
{
  start_container (writer, tag, TH_TLV_TYPE_LIST, ELEMENT_LIST);
}

void
th_tlv_writer_end_container (ThTlvWriter *writer)
{
  const guint8 end = ELEMENT_END_OF_CONTAINER;

  g_return_if_fail (writer != NULL);
  g_return_if_fail (writer->buffer != NULL);
  g_return_if_fail (writer->depth > 0);

  g_byte_array_append (writer->buffer, &end, 1);
  writer->depth--;
}
