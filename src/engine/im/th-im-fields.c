/* th-im-fields.c: one pass over the members of a TLV structure or list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <string.h>

#include "th-error.h"
#include "th-im-fields.h"

void
th_im_fields_propagate (const char *what,
                        GError    **error,
                        GError     *local)
{
  if (local->domain == TH_ERROR && local->code == TH_ERROR_IM_PROTOCOL)
    {
      g_propagate_error (error, local);
      return;
    }
  g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL, _("The %s is malformed: %s"),
               what, local->message);
  g_error_free (local);
}

gboolean
th_im_fields_enter (ThImFields  *fields,
                    ThTlvReader *reader,
                    ThTlvType    type,
                    const char  *what,
                    GError     **error)
{
  GError *local = NULL;

  g_return_val_if_fail (type == TH_TLV_TYPE_STRUCTURE || type == TH_TLV_TYPE_LIST, FALSE);

  memset (fields, 0, sizeof *fields);
  fields->reader = reader;
  fields->what = what;

  if (th_tlv_reader_get_type (reader) != type)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                   type == TH_TLV_TYPE_STRUCTURE
                   ? _("The %s at byte %zu is malformed: it is not a structure")
                   : _("The %s at byte %zu is malformed: it is not a list"),
                   what, th_tlv_reader_get_offset (reader));
      return FALSE;
    }
  if (!th_tlv_reader_enter (reader, &local))
    {
      th_im_fields_propagate (what, error, local);
      return FALSE;
    }
  return TRUE;
}

gboolean
th_im_fields_open (ThImFields   *fields,
                   ThTlvReader  *reader,
                   const guint8 *data,
                   gsize         len,
                   const char   *what,
                   GError      **error)
{
  const guint8 *element;
  gsize element_len;
  GError *local = NULL;

  th_tlv_reader_init (reader, data, len);
  if (!th_tlv_reader_next (reader, &local))
    {
      if (local != NULL)
        th_im_fields_propagate (what, error, local);
      else
        g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL, _("The %s is empty"), what);
      return FALSE;
    }
  if (th_tlv_reader_get_type (reader) != TH_TLV_TYPE_STRUCTURE)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                   _("The %s is malformed: it does not start with a structure"), what);
      return FALSE;
    }
  /* Walks the whole structure once so that trailing bytes are caught before any member is
   * used. */
  if (!th_tlv_reader_get_element (reader, &element, &element_len, &local))
    {
      th_im_fields_propagate (what, error, local);
      return FALSE;
    }
  if (element_len != len)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                   _("The %s is malformed: %zu unexpected bytes follow its end at byte %zu"),
                   what, len - element_len, element_len);
      return FALSE;
    }
  return th_im_fields_enter (fields, reader, TH_TLV_TYPE_STRUCTURE, what, error);
}

gboolean
th_im_fields_next (ThImFields *fields,
                   guint8     *tag,
                   GError    **error)
{
  GError *local = NULL;

  for (;;)
    {
      ThTlvTag t;

      if (!th_tlv_reader_next (fields->reader, &local))
        {
          if (local == NULL && th_tlv_reader_exit (fields->reader, &local))
            return FALSE;
          th_im_fields_propagate (fields->what, error, local);
          return FALSE;
        }

      t = th_tlv_reader_get_tag (fields->reader);
      if (t.kind != TH_TLV_TAG_CONTEXT)
        continue;

      if (fields->seen[t.number / 32] & (1u << (t.number % 32)))
        {
          g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                       _("The %s is malformed: field %u comes a second time at byte %zu"),
                       fields->what, t.number, th_tlv_reader_get_offset (fields->reader));
          return FALSE;
        }
      fields->seen[t.number / 32] |= 1u << (t.number % 32);
      fields->tag = (guint8) t.number;
      *tag = fields->tag;
      return TRUE;
    }
}

gboolean
th_im_fields_has (const ThImFields *fields,
                  guint8            tag)
{
  return (fields->seen[tag / 32] & (1u << (tag % 32))) != 0;
}

gboolean
th_im_fields_require (const ThImFields *fields,
                      guint8            tag,
                      const char       *name,
                      GError          **error)
{
  if (th_im_fields_has (fields, tag))
    return TRUE;
  g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
               _("The %s is malformed: its field %s (tag %u) is missing"),
               fields->what, name, tag);
  return FALSE;
}

static gboolean
wrong_type (const ThImFields *fields,
            const char       *expected,
            GError          **error)
{
  g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
               _("The %s is malformed: field %u at byte %zu should be %s"),
               fields->what, fields->tag, th_tlv_reader_get_offset (fields->reader), expected);
  return FALSE;
}

gboolean
th_im_fields_get_uint (const ThImFields *fields,
                       guint64           max,
                       guint64          *value,
                       GError          **error)
{
  guint64 v;

  if (!th_tlv_reader_get_uint (fields->reader, &v, NULL))
    return wrong_type (fields, _("an unsigned integer"), error);
  if (v > max)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                   _("The %s is malformed: field %u at byte %zu is %" G_GUINT64_FORMAT
                     ", more than the largest allowed value, %" G_GUINT64_FORMAT),
                   fields->what, fields->tag, th_tlv_reader_get_offset (fields->reader), v, max);
      return FALSE;
    }
  *value = v;
  return TRUE;
}

gboolean
th_im_fields_get_int (const ThImFields *fields,
                      gint64            min,
                      gint64            max,
                      gint64           *value,
                      GError          **error)
{
  gint64 v;

  if (!th_tlv_reader_get_int (fields->reader, &v, NULL))
    return wrong_type (fields, _("a signed integer"), error);
  if (v < min || v > max)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                   _("The %s is malformed: field %u at byte %zu is %" G_GINT64_FORMAT
                     ", outside the range %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT),
                   fields->what, fields->tag, th_tlv_reader_get_offset (fields->reader), v,
                   min, max);
      return FALSE;
    }
  *value = v;
  return TRUE;
}

gboolean
th_im_fields_get_bool (const ThImFields *fields,
                       gboolean         *value,
                       GError          **error)
{
  if (!th_tlv_reader_get_bool (fields->reader, value, NULL))
    return wrong_type (fields, _("a boolean"), error);
  return TRUE;
}

gboolean
th_im_fields_is_null (const ThImFields *fields)
{
  return th_tlv_reader_get_type (fields->reader) == TH_TLV_TYPE_NULL;
}

static gboolean
check_length (const ThImFields *fields,
              gsize             len,
              gsize             min_len,
              gsize             max_len,
              GError          **error)
{
  if (len >= min_len && len <= max_len)
    return TRUE;
  if (min_len == max_len)
    g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                 _("The %s is malformed: field %u at byte %zu is %zu bytes long instead of %zu"),
                 fields->what, fields->tag, th_tlv_reader_get_offset (fields->reader), len,
                 min_len);
  else
    g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                 _("The %s is malformed: field %u at byte %zu is %zu bytes long, outside the "
                   "allowed %zu to %zu"),
                 fields->what, fields->tag, th_tlv_reader_get_offset (fields->reader), len,
                 min_len, max_len);
  return FALSE;
}

gboolean
th_im_fields_get_bytes (const ThImFields *fields,
                        gsize             min_len,
                        gsize             max_len,
                        const guint8    **bytes,
                        gsize            *len,
                        GError          **error)
{
  const guint8 *b;
  gsize n;

  if (!th_tlv_reader_get_bytes (fields->reader, &b, &n, NULL))
    return wrong_type (fields, _("a byte string"), error);
  if (!check_length (fields, n, min_len, max_len, error))
    return FALSE;
  *bytes = b;
  *len = n;
  return TRUE;
}

gboolean
th_im_fields_dup_string (const ThImFields *fields,
                         gsize             max_len,
                         char            **str,
                         GError          **error)
{
  const char *s;
  gsize n;
  GError *local = NULL;

  if (th_tlv_reader_get_type (fields->reader) != TH_TLV_TYPE_UTF8_STRING)
    return wrong_type (fields, _("a text string"), error);
  if (!th_tlv_reader_get_string (fields->reader, &s, &n, &local))
    {
      th_im_fields_propagate (fields->what, error, local);
      return FALSE;
    }
  if (!check_length (fields, n, 0, max_len, error))
    return FALSE;
  *str = g_strndup (s, n);
  return TRUE;
}

gboolean
th_im_fields_get_element (const ThImFields *fields,
                          const guint8    **element,
                          gsize            *len,
                          GError          **error)
{
  GError *local = NULL;

  if (!th_tlv_reader_get_element (fields->reader, element, len, &local))
    {
      th_im_fields_propagate (fields->what, error, local);
      return FALSE;
    }
  return TRUE;
}

gboolean
th_im_fields_enter_array (const ThImFields *fields,
                          GError          **error)
{
  GError *local = NULL;

  if (th_tlv_reader_get_type (fields->reader) != TH_TLV_TYPE_ARRAY)
    return wrong_type (fields, _("an array"), error);
  if (!th_tlv_reader_enter (fields->reader, &local))
    {
      th_im_fields_propagate (fields->what, error, local);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  gsize len;
  guint8 data[];
} WipedBuffer;

static void
wiped_buffer_free (gpointer data)
{
  WipedBuffer *buffer = data;

  OPENSSL_cleanse (buffer->data, buffer->len);
  g_free (buffer);
}

GBytes *
th_im_wiped_bytes_new (gsize    len,
                       guint8 **data)
{
  WipedBuffer *buffer = g_malloc (sizeof *buffer + len);

  buffer->len = len;
  *data = buffer->data;
  return g_bytes_new_with_free_func (buffer->data, len, wiped_buffer_free, buffer);
}
