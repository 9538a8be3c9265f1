/* th-setup-payload-tlv.c: the optional TLV section of a QR payload (specification 5.1.5)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "th-error.h"
#include "th-setup-payload-private.h"
#include "tlv/th-tlv.h"

/* Table 41, with the PBKDF bounds of the PASE parameters */
#define SERIAL_NUMBER_MAX_LEN 32
#define PBKDF_ITERATIONS_MIN 1000
#define PBKDF_ITERATIONS_MAX 100000
#define PBKDF_SALT_MIN_LEN 16
#define PBKDF_SALT_MAX_LEN 32
#define FIRST_UNKNOWN_TAG (TH_PAYLOAD_TAG_COMMISSIONING_TIMEOUT + 1)

static void
vendor_element_free (gpointer data)
{
  ThPayloadVendorElement *element = data;

  g_bytes_unref (element->element);
  g_free (element);
}

static GPtrArray *
vendor_elements_new (void)
{
  return g_ptr_array_new_with_free_func (vendor_element_free);
}

static void
vendor_elements_add (GPtrArray    *elements,
                     guint8        tag,
                     GBytes       *element)
{
  ThPayloadVendorElement *copy = g_new (ThPayloadVendorElement, 1);

  copy->tag = tag;
  copy->element = g_bytes_ref (element);
  g_ptr_array_add (elements, copy);
}

void
th_setup_payload_add_vendor_element (ThSetupPayload *payload,
                                     guint8          tag,
                                     GBytes         *element)
{
  g_return_if_fail (payload != NULL);
  g_return_if_fail (element != NULL);

  if (payload->vendor_elements == NULL)
    payload->vendor_elements = vendor_elements_new ();
  vendor_elements_add (payload->vendor_elements, tag, element);
}

void
th_setup_payload_clear_tlv_fields (ThSetupPayload *payload)
{
  if (payload->serial_number != NULL)
    explicit_bzero (payload->serial_number, strlen (payload->serial_number));
  g_clear_pointer (&payload->serial_number, g_free);
  payload->serial_number_is_integer = FALSE;
  payload->pbkdf_iterations = 0;
  g_clear_pointer (&payload->pbkdf_salt, g_bytes_unref);
  payload->number_of_devices = 0;
  payload->commissioning_timeout = 0;
  g_clear_pointer (&payload->vendor_elements, g_ptr_array_unref);
}

/* dest holds a shallow copy of src; its pointers are replaced, not freed. */
void
th_setup_payload_copy_tlv_fields (ThSetupPayload       *dest,
                                  const ThSetupPayload *src)
{
  dest->serial_number = g_strdup (src->serial_number);
  dest->pbkdf_salt = src->pbkdf_salt != NULL ? g_bytes_ref (src->pbkdf_salt) : NULL;
  dest->vendor_elements = NULL;
  if (src->vendor_elements != NULL)
    {
      dest->vendor_elements = vendor_elements_new ();
      for (guint i = 0; i < src->vendor_elements->len; i++)
        {
          const ThPayloadVendorElement *element = g_ptr_array_index (src->vendor_elements, i);

          vendor_elements_add (dest->vendor_elements, element->tag, element->element);
        }
    }
}

static guint
n_vendor_elements (const ThSetupPayload *payload)
{
  return payload->vendor_elements != NULL ? payload->vendor_elements->len : 0;
}

gboolean
th_setup_payload_tlv_fields_equal (const ThSetupPayload *a,
                                   const ThSetupPayload *b)
{
  if (g_strcmp0 (a->serial_number, b->serial_number) != 0
      || (a->serial_number != NULL && a->serial_number_is_integer != b->serial_number_is_integer)
      || a->pbkdf_iterations != b->pbkdf_iterations
      || (a->pbkdf_salt == NULL) != (b->pbkdf_salt == NULL)
      || (a->pbkdf_salt != NULL && !g_bytes_equal (a->pbkdf_salt, b->pbkdf_salt))
      || a->number_of_devices != b->number_of_devices
      || a->commissioning_timeout != b->commissioning_timeout
      || n_vendor_elements (a) != n_vendor_elements (b))
    return FALSE;

  for (guint i = 0; i < n_vendor_elements (a); i++)
    {
      const ThPayloadVendorElement *ea = g_ptr_array_index (a->vendor_elements, i);
      const ThPayloadVendorElement *eb = g_ptr_array_index (b->vendor_elements, i);

      if (ea->tag != eb->tag || !g_bytes_equal (ea->element, eb->element))
        return FALSE;
    }
  return TRUE;
}

/* Reader failures become payload errors, so that callers see one error group. */
static void
set_tlv_error (GError **error,
               GError  *tlv_error)
{
  g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
               _("The optional data of the QR code is malformed: %s"), tlv_error->message);
}

static gboolean
get_uint (ThTlvReader  *reader,
          guint64      *value,
          GError      **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!th_tlv_reader_get_uint (reader, value, &local_error))
    {
      set_tlv_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_member (ThSetupPayload  *payload,
              ThTlvReader     *reader,
              guint8           tag,
              GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize offset = th_tlv_reader_get_offset (reader);
  const guint8 *bytes;
  gsize len;
  guint64 value;

  switch (tag)
    {
    case TH_PAYLOAD_TAG_SERIAL_NUMBER:
      if (th_tlv_reader_get_type (reader) == TH_TLV_TYPE_UNSIGNED_INT)
        {
          if (!th_tlv_reader_get_uint (reader, &value, &local_error))
            break;
          payload->serial_number = g_strdup_printf ("%" G_GUINT64_FORMAT, value);
          payload->serial_number_is_integer = TRUE;
          return TRUE;
        }
      if (th_tlv_reader_get_type (reader) != TH_TLV_TYPE_UTF8_STRING)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                       _("The serial number at byte %zu of the QR code’s optional data is "
                         "neither text nor an unsigned integer."),
                       offset);
          return FALSE;
        }
      if (!th_tlv_reader_get_string (reader, (const char **) &bytes, &len, &local_error))
        break;
      if (len == 0 || len > SERIAL_NUMBER_MAX_LEN)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                       _("The serial number at byte %zu of the QR code’s optional data has %zu "
                         "bytes; it must have 1 to %u."),
                       offset, len, SERIAL_NUMBER_MAX_LEN);
          return FALSE;
        }
      payload->serial_number = g_strndup ((const char *) bytes, len);
      payload->serial_number_is_integer = FALSE;
      return TRUE;

    case TH_PAYLOAD_TAG_PBKDF_ITERATIONS:
      if (!get_uint (reader, &value, error))
        return FALSE;
      if (value < PBKDF_ITERATIONS_MIN || value > PBKDF_ITERATIONS_MAX)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                       _("The PBKDF iteration count at byte %zu of the QR code’s optional data "
                         "is outside the allowed range, %u to %u."),
                       offset, PBKDF_ITERATIONS_MIN, PBKDF_ITERATIONS_MAX);
          return FALSE;
        }
      payload->pbkdf_iterations = (guint32) value;
      return TRUE;

    case TH_PAYLOAD_TAG_PBKDF_SALT:
      if (!th_tlv_reader_get_bytes (reader, &bytes, &len, &local_error))
        break;
      if (len < PBKDF_SALT_MIN_LEN || len > PBKDF_SALT_MAX_LEN)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                       _("The PBKDF salt at byte %zu of the QR code’s optional data has %zu "
                         "bytes; it must have %u to %u."),
                       offset, len, PBKDF_SALT_MIN_LEN, PBKDF_SALT_MAX_LEN);
          return FALSE;
        }
      payload->pbkdf_salt = g_bytes_new (bytes, len);
      return TRUE;

    case TH_PAYLOAD_TAG_NUMBER_OF_DEVICES:
      if (!get_uint (reader, &value, error))
        return FALSE;
      if (value < 1 || value > G_MAXUINT8)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                       _("The number of devices at byte %zu of the QR code’s optional data is "
                         "outside the allowed range, 1 to 255."),
                       offset);
          return FALSE;
        }
      payload->number_of_devices = (guint8) value;
      return TRUE;

    case TH_PAYLOAD_TAG_COMMISSIONING_TIMEOUT:
      if (!get_uint (reader, &value, error))
        return FALSE;
      if (value < 1 || value > G_MAXUINT16)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                       _("The commissioning timeout at byte %zu of the QR code’s optional data "
                         "is outside the allowed range, 1 to 65535 seconds."),
                       offset);
          return FALSE;
        }
      payload->commissioning_timeout = (guint16) value;
      return TRUE;

    default:
      {
        g_autoptr(GBytes) element = NULL;

        /* Vendor elements, and common ones this version does not know, are kept whole so
         * that they can be encoded again as they came. */
        if (!th_tlv_reader_get_element (reader, &bytes, &len, &local_error))
          break;
        element = g_bytes_new (bytes, len);
        th_setup_payload_add_vendor_element (payload, tag, element);
        return TRUE;
      }
    }

  set_tlv_error (error, local_error);
  return FALSE;
}

static gboolean
parse_structure (ThSetupPayload  *payload,
                 ThTlvReader     *reader,
                 GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean seen[G_MAXUINT8 + 1] = { FALSE, };

  if (!th_tlv_reader_next (reader, &local_error))
    {
      if (local_error != NULL)
        set_tlv_error (error, local_error);
      else
        g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                             _("The QR code’s optional data is empty."));
      return FALSE;
    }
  if (th_tlv_reader_get_type (reader) != TH_TLV_TYPE_STRUCTURE
      || th_tlv_reader_get_tag (reader).kind != TH_TLV_TAG_ANONYMOUS)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                           _("The QR code’s optional data is not an anonymous TLV structure."));
      return FALSE;
    }
  if (!th_tlv_reader_enter (reader, &local_error))
    {
      set_tlv_error (error, local_error);
      return FALSE;
    }

  while (th_tlv_reader_next (reader, &local_error))
    {
      ThTlvTag tag = th_tlv_reader_get_tag (reader);
      gsize offset = th_tlv_reader_get_offset (reader);

      if (tag.kind != TH_TLV_TAG_CONTEXT)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                       _("The member at byte %zu of the QR code’s optional data does not have "
                         "a context-specific tag."),
                       offset);
          return FALSE;
        }
      if (seen[tag.number])
        {
          g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                       _("Tag 0x%02x appears a second time at byte %zu of the QR code’s "
                         "optional data."),
                       tag.number, offset);
          return FALSE;
        }
      seen[tag.number] = TRUE;
      if (!parse_member (payload, reader, (guint8) tag.number, error))
        return FALSE;
    }
  if (local_error != NULL || !th_tlv_reader_exit (reader, &local_error))
    {
      set_tlv_error (error, local_error);
      return FALSE;
    }

  if (th_tlv_reader_next (reader, &local_error))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                   _("The QR code’s optional data goes on after its structure, at byte %zu."),
                   th_tlv_reader_get_offset (reader));
      return FALSE;
    }
  if (local_error != NULL)
    {
      set_tlv_error (error, local_error);
      return FALSE;
    }

  if ((payload->pbkdf_iterations != 0) != (payload->pbkdf_salt != NULL))
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                           _("The QR code’s optional data has only one of the PBKDF iteration "
                             "count and salt; it must have both or neither."));
      return FALSE;
    }
  return TRUE;
}

gboolean
th_setup_payload_parse_tlv_section (ThSetupPayload  *payload,
                                    const guint8    *data,
                                    gsize            len,
                                    GError         **error)
{
  ThTlvReader reader;

  g_return_val_if_fail (payload != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  th_tlv_reader_init (&reader, data, len);
  if (!parse_structure (payload, &reader, error))
    {
      th_setup_payload_clear_tlv_fields (payload);
      return FALSE;
    }
  return TRUE;
}

/* Whether element is exactly one TLV element with the context tag `tag`; checked inside a
 * structure, where a context tag belongs. */
static gboolean
check_vendor_element (const ThPayloadVendorElement  *element,
                      guint                          index,
                      GError                       **error)
{
  g_autoptr(GByteArray) wrapped = g_byte_array_new ();
  static const guint8 structure_start = 0x15, container_end = 0x18;
  ThTlvReader reader;
  const guint8 *start;
  gsize len;
  gsize element_len = g_bytes_get_size (element->element);

  g_byte_array_append (wrapped, &structure_start, 1);
  g_byte_array_append (wrapped, g_bytes_get_data (element->element, NULL), (guint) element_len);
  g_byte_array_append (wrapped, &container_end, 1);

  th_tlv_reader_init (&reader, wrapped->data, wrapped->len);
  if (element->tag < FIRST_UNKNOWN_TAG
      || !th_tlv_reader_next (&reader, NULL)
      || !th_tlv_reader_enter (&reader, NULL)
      || !th_tlv_reader_next (&reader, NULL)
      || !th_tlv_tag_is_context (th_tlv_reader_get_tag (&reader), element->tag)
      || !th_tlv_reader_get_element (&reader, &start, &len, NULL)
      || len != element_len)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                   _("Extra element %u of the payload is not one TLV element with its own "
                     "context tag 0x%02x, or that tag has a meaning of its own."),
                   index + 1, element->tag);
      return FALSE;
    }
  return TRUE;
}

static gboolean
serial_number_value (const char  *text,
                     guint64     *value)
{
  g_autofree char *canonical = NULL;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, value, NULL))
    return FALSE;
  /* Only the form that parsing gives back, so that a round trip keeps the text. */
  canonical = g_strdup_printf ("%" G_GUINT64_FORMAT, *value);
  return strcmp (canonical, text) == 0;
}

static gboolean
check_tlv_fields (const ThSetupPayload  *payload,
                  guint64               *serial_value,
                  GError               **error)
{
  gboolean seen[G_MAXUINT8 + 1] = { FALSE, };

  if (payload->serial_number != NULL)
    {
      gsize len = strlen (payload->serial_number);

      if (payload->serial_number_is_integer
          && !serial_number_value (payload->serial_number, serial_value))
        {
          g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                               _("The serial number is marked as a number but is not a "
                                 "decimal number below 2⁶⁴ written without leading zeros."));
          return FALSE;
        }
      if (!payload->serial_number_is_integer
          && (len == 0 || len > SERIAL_NUMBER_MAX_LEN
              || !g_utf8_validate (payload->serial_number, (gssize) len, NULL)))
        {
          g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                       _("The serial number must be valid UTF-8 text of 1 to %u bytes."),
                       SERIAL_NUMBER_MAX_LEN);
          return FALSE;
        }
    }
  if ((payload->pbkdf_iterations != 0) != (payload->pbkdf_salt != NULL))
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                           _("The PBKDF iteration count and salt go into the QR code together "
                             "or not at all."));
      return FALSE;
    }
  if (payload->pbkdf_salt != NULL
      && (payload->pbkdf_iterations < PBKDF_ITERATIONS_MIN
          || payload->pbkdf_iterations > PBKDF_ITERATIONS_MAX
          || g_bytes_get_size (payload->pbkdf_salt) < PBKDF_SALT_MIN_LEN
          || g_bytes_get_size (payload->pbkdf_salt) > PBKDF_SALT_MAX_LEN))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                   _("The PBKDF iteration count must be %u to %u and the salt %u to %u bytes "
                     "long."),
                   PBKDF_ITERATIONS_MIN, PBKDF_ITERATIONS_MAX, PBKDF_SALT_MIN_LEN,
                   PBKDF_SALT_MAX_LEN);
      return FALSE;
    }
  for (guint i = 0; i < n_vendor_elements (payload); i++)
    {
      const ThPayloadVendorElement *element = g_ptr_array_index (payload->vendor_elements, i);

      if (!check_vendor_element (element, i, error))
        return FALSE;
      if (seen[element->tag])
        {
          g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV,
                       _("Extra element %u of the payload repeats the tag 0x%02x."),
                       i + 1, element->tag);
          return FALSE;
        }
      seen[element->tag] = TRUE;
    }
  return TRUE;
}

gboolean
th_setup_payload_encode_tlv_section (const ThSetupPayload  *payload,
                                     GByteArray            *out,
                                     GError               **error)
{
  g_auto(ThTlvWriter) writer = { 0, };
  g_autoptr(GBytes) encoded = NULL;
  guint64 serial_value = 0;
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (payload != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (payload->serial_number == NULL && payload->pbkdf_iterations == 0
      && payload->pbkdf_salt == NULL && payload->number_of_devices == 0
      && payload->commissioning_timeout == 0 && n_vendor_elements (payload) == 0)
    return TRUE;
  if (!check_tlv_fields (payload, &serial_value, error))
    return FALSE;

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  if (payload->serial_number != NULL && payload->serial_number_is_integer)
    th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TH_PAYLOAD_TAG_SERIAL_NUMBER),
                            serial_value);
  else if (payload->serial_number != NULL)
    th_tlv_writer_put_string (&writer, TH_TLV_CONTEXT (TH_PAYLOAD_TAG_SERIAL_NUMBER),
                              payload->serial_number, -1);
  if (payload->pbkdf_salt != NULL)
    {
      data = g_bytes_get_data (payload->pbkdf_salt, &len);
      th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TH_PAYLOAD_TAG_PBKDF_ITERATIONS),
                              payload->pbkdf_iterations);
      th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (TH_PAYLOAD_TAG_PBKDF_SALT), data, len);
    }
  if (payload->number_of_devices != 0)
    th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TH_PAYLOAD_TAG_NUMBER_OF_DEVICES),
                            payload->number_of_devices);
  if (payload->commissioning_timeout != 0)
    th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TH_PAYLOAD_TAG_COMMISSIONING_TIMEOUT),
                            payload->commissioning_timeout);
  for (guint i = 0; i < n_vendor_elements (payload); i++)
    {
      const ThPayloadVendorElement *element = g_ptr_array_index (payload->vendor_elements, i);

      data = g_bytes_get_data (element->element, &len);
      th_tlv_writer_put_raw (&writer, data, len);
    }
  th_tlv_writer_end_container (&writer);

  encoded = th_tlv_writer_finish (&writer);
  data = g_bytes_get_data (encoded, &len);
  g_byte_array_append (out, data, (guint) len);
  return TRUE;
}
