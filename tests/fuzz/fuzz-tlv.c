/* fuzz-tlv.c: walks every element of arbitrary input with the TLV reader, as deep as it
 * goes, and re-encodes what it reads with the writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "th-error.h"
#include "tlv/th-tlv.h"

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* a critical from the writer means the reader handed it something inconsistent */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

/* Writes the scalar the reader is on afresh. The writer's shortest forms can only be as long
 * as the input's or shorter, identical when as long, and must read back as the same value. */
static void
check_scalar (ThTlvReader  *reader,
              const guint8 *element,
              gsize         element_len)
{
  g_auto(ThTlvWriter) writer = { 0 };
  g_autoptr(GError) error = NULL;
  ThTlvReader again;
  ThTlvType type = th_tlv_reader_get_type (reader);
  ThTlvTag tag = th_tlv_reader_get_tag (reader);
  gboolean single = (element[0] & 0x1F) == 0x0A;
  gboolean nan = FALSE;
  guint64 u = 0, u2 = 0;
  gint64 i = 0, i2 = 0;
  gboolean b = FALSE, b2 = FALSE;
  double d = 0, d2 = 0;
  const guint8 *bytes = NULL, *bytes2 = NULL;
  const char *str = NULL, *str2 = NULL;
  gsize len = 0, len2 = 0;
  const guint8 *encoded;
  gsize encoded_len;

  th_tlv_writer_init (&writer);
  switch (type)
    {
    case TH_TLV_TYPE_SIGNED_INT:
      g_assert_true (th_tlv_reader_get_int (reader, &i, NULL));
      th_tlv_writer_put_int (&writer, tag, i);
      break;
    case TH_TLV_TYPE_UNSIGNED_INT:
      g_assert_true (th_tlv_reader_get_uint (reader, &u, NULL));
      th_tlv_writer_put_uint (&writer, tag, u);
      break;
    case TH_TLV_TYPE_BOOLEAN:
      g_assert_true (th_tlv_reader_get_bool (reader, &b, NULL));
      th_tlv_writer_put_bool (&writer, tag, b);
      break;
    case TH_TLV_TYPE_FLOAT:
      g_assert_true (th_tlv_reader_get_double (reader, &d, NULL));
      /* a signalling NaN may come back quietened */
      nan = isnan (d);
      if (single)
        th_tlv_writer_put_float (&writer, tag, (float) d);
      else
        th_tlv_writer_put_double (&writer, tag, d);
      break;
    case TH_TLV_TYPE_UTF8_STRING:
      if (!th_tlv_reader_get_string (reader, &str, &len, &error))
        {
          g_assert_true (g_error_matches (error, TH_ERROR, TH_ERROR_TLV_INVALID));
          return;
        }
      th_tlv_writer_put_string (&writer, tag, str, (gssize) len);
      break;
    case TH_TLV_TYPE_BYTE_STRING:
      g_assert_true (th_tlv_reader_get_bytes (reader, &bytes, &len, NULL));
      th_tlv_writer_put_bytes (&writer, tag, bytes, len);
      break;
    case TH_TLV_TYPE_NULL:
      th_tlv_writer_put_null (&writer, tag);
      break;
    default:
      g_assert_not_reached ();
    }

  encoded = th_tlv_writer_peek (&writer, &encoded_len);
  g_assert_cmpuint (encoded_len, <=, element_len);
  if (encoded_len == element_len && !nan)
    g_assert_true (memcmp (encoded, element, element_len) == 0);

  th_tlv_reader_init (&again, encoded, encoded_len);
  g_assert_true (th_tlv_reader_next (&again, NULL));
  g_assert_cmpint (th_tlv_reader_get_type (&again), ==, type);
  g_assert_true (th_tlv_tag_equal (th_tlv_reader_get_tag (&again), tag));
  switch (type)
    {
    case TH_TLV_TYPE_SIGNED_INT:
      g_assert_true (th_tlv_reader_get_int (&again, &i2, NULL) && i2 == i);
      break;
    case TH_TLV_TYPE_UNSIGNED_INT:
      g_assert_true (th_tlv_reader_get_uint (&again, &u2, NULL) && u2 == u);
      break;
    case TH_TLV_TYPE_BOOLEAN:
      g_assert_true (th_tlv_reader_get_bool (&again, &b2, NULL) && b2 == b);
      break;
    case TH_TLV_TYPE_FLOAT:
      g_assert_true (th_tlv_reader_get_double (&again, &d2, NULL));
      g_assert_true (nan ? isnan (d2) : memcmp (&d, &d2, sizeof d) == 0);
      break;
    case TH_TLV_TYPE_UTF8_STRING:
      g_assert_true (th_tlv_reader_get_string (&again, &str2, &len2, NULL));
      g_assert_true (len2 == len && memcmp (str2, str, len) == 0);
      break;
    case TH_TLV_TYPE_BYTE_STRING:
      g_assert_true (th_tlv_reader_get_bytes (&again, &bytes2, &len2, NULL));
      g_assert_true (len2 == len && (len == 0 || memcmp (bytes2, bytes, len) == 0));
      break;
    default:
      break;
    }
  g_assert_false (th_tlv_reader_next (&again, NULL));
}

/* The element as a whole passes through put_raw unchanged. */
static void
check_raw (const guint8 *element,
           gsize         element_len)
{
  g_auto(ThTlvWriter) writer = { 0 };
  const guint8 *copy;
  gsize copy_len;

  th_tlv_writer_init (&writer);
  th_tlv_writer_put_raw (&writer, element, element_len);
  copy = th_tlv_writer_peek (&writer, &copy_len);
  g_assert_true (copy_len == element_len && memcmp (copy, element, element_len) == 0);
}

/* Walks the members of the current container (or of the top level); FALSE on malformed
 * input. A container is walked by entering it, and must be well-formed exactly when its
 * element, found by skipping it on a copy of the reader, is. */
static gboolean
walk_members (ThTlvReader *reader)
{
  g_autoptr(GError) error = NULL;

  while (th_tlv_reader_next (reader, &error))
    {
      const guint8 *element = NULL;
      gsize element_len = 0;
      gboolean whole = th_tlv_reader_get_element (reader, &element, &element_len, NULL);
      ThTlvType type = th_tlv_reader_get_type (reader);

      if (whole)
        check_raw (element, element_len);

      if (type == TH_TLV_TYPE_STRUCTURE || type == TH_TLV_TYPE_ARRAY
          || type == TH_TLV_TYPE_LIST)
        {
          gboolean inside;

          if (!th_tlv_reader_enter (reader, NULL))
            {
              g_assert_false (whole);
              return FALSE;
            }
          if (type != TH_TLV_TYPE_ARRAY)
            {
              ThTlvReader probe = *reader;

              th_tlv_reader_find_context (&probe, element_len & 0xFF, NULL);
            }
          inside = walk_members (reader) && th_tlv_reader_exit (reader, NULL);
          g_assert_true (inside == whole);
          if (!inside)
            return FALSE;
        }
      else
        {
          g_assert_true (whole);
          check_scalar (reader, element, element_len);
        }
    }
  return error == NULL;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  ThTlvReader reader;

  th_tlv_reader_init (&reader, data, size);
  walk_members (&reader);
  return 0;
}
