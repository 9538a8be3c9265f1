/* th-setup-payload.c: the onboarding payload as a QR code, a manual pairing code and an NFC
 * record (specification 5.1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "th-error.h"
#include "th-setup-payload-private.h"

#define QR_PREFIX "MT:"
#define QR_PREFIX_LEN 3
#define QR_SEPARATOR '*'
#define QR_EXTRA_SEPARATOR '%'

/* The packed binary data structure (table 35), least significant bit first. */
#define VERSION_BITS 3
#define VENDOR_ID_BITS 16
#define PRODUCT_ID_BITS 16
#define FLOW_BITS 2
#define CAPABILITIES_BITS 8
#define DISCRIMINATOR_BITS 12
#define PASSCODE_BITS 27
#define PADDING_BITS 4

/* The manual pairing code (tables 39 and 40): a first digit holding the VID/PID flag and
 * the top two bits of the short discriminator, five digits holding its other two bits over
 * the 14 low passcode bits, four digits holding the 13 high passcode bits, then optionally
 * five digits each of vendor and product ID, and the check digit. */
#define MANUAL_SHORT_LEN 11
#define MANUAL_LONG_LEN 21
#define MANUAL_VID_PID_FLAG 0x4
#define MANUAL_FIRST_DIGIT_MAX 7
#define MANUAL_PASSCODE_LOW_BITS 14
#define MANUAL_CHUNK2_MAX 0xFFFF
#define MANUAL_CHUNK3_MAX 0x1FFF
#define SHORT_DISCRIMINATOR_MAX 0xF

/* NFC NDEF URI record (table 42) */
#define NDEF_MB 0x80
#define NDEF_ME 0x40
#define NDEF_CF 0x20
#define NDEF_SR 0x10
#define NDEF_IL 0x08
#define NDEF_TNF_MASK 0x07
#define NDEF_TNF_WELL_KNOWN 0x01
#define NDEF_URI_TYPE 'U'
#define NDEF_URI_NO_ABBREVIATION 0x00

static const guint32 forbidden_passcodes[] = {
  11111111, 22222222, 33333333, 44444444, 55555555, 66666666, 77777777, 88888888,
  12345678, 87654321,
};

ThSetupPayload *
th_setup_payload_new (void)
{
  ThSetupPayload *payload = g_new0 (ThSetupPayload, 1);

  payload->format = TH_PAYLOAD_FORMAT_QR;
  payload->flow = TH_COMMISSIONING_FLOW_STANDARD;
  payload->passcode_validity = th_passcode_check (payload->passcode);
  return payload;
}

ThSetupPayload *
th_setup_payload_copy (const ThSetupPayload *payload)
{
  ThSetupPayload *copy;

  g_return_val_if_fail (payload != NULL, NULL);

  copy = g_new (ThSetupPayload, 1);
  *copy = *payload;
  th_setup_payload_copy_tlv_fields (copy, payload);
  return copy;
}

void
th_setup_payload_free (ThSetupPayload *payload)
{
  if (payload == NULL)
    return;
  th_setup_payload_clear_tlv_fields (payload);
  explicit_bzero (payload, sizeof *payload);
  g_free (payload);
}

guint8
th_setup_payload_get_short_discriminator (const ThSetupPayload *payload)
{
  g_return_val_if_fail (payload != NULL, 0);

  if (payload->short_discriminator)
    return payload->discriminator & SHORT_DISCRIMINATOR_MAX;
  return (payload->discriminator >> (DISCRIMINATOR_BITS - 4)) & SHORT_DISCRIMINATOR_MAX;
}

gboolean
th_setup_payload_equal (const ThSetupPayload *a,
                        const ThSetupPayload *b)
{
  return a->format == b->format
         && a->version == b->version
         && a->has_vendor_product == b->has_vendor_product
         && a->vendor_id == b->vendor_id
         && a->product_id == b->product_id
         && a->flow == b->flow
         && a->has_capabilities == b->has_capabilities
         && a->capabilities == b->capabilities
         && a->short_discriminator == b->short_discriminator
         && a->discriminator == b->discriminator
         && a->passcode == b->passcode
         && a->passcode_validity == b->passcode_validity
         && th_setup_payload_tlv_fields_equal (a, b);
}

ThPasscodeValidity
th_passcode_check (guint32 passcode)
{
  if (passcode == 0 || passcode > TH_PASSCODE_MAX)
    return TH_PASSCODE_OUT_OF_RANGE;
  for (guint i = 0; i < G_N_ELEMENTS (forbidden_passcodes); i++)
    if (passcode == forbidden_passcodes[i])
      return TH_PASSCODE_FORBIDDEN;
  return TH_PASSCODE_VALID;
}

static void
set_passcode_error (GError             **error,
                    ThPasscodeValidity   validity)
{
  if (validity == TH_PASSCODE_FORBIDDEN)
    g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                         _("The passcode is one of the trivial values the Matter specification "
                           "forbids, so it cannot be used to add the device."));
  else
    g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                         _("The passcode is out of range: it must be between 00000001 and "
                           "99999998. Check the code for a mistyped digit."));
}

gboolean
th_setup_payload_validate (const ThSetupPayload  *payload,
                           GError               **error)
{
  ThPasscodeValidity validity;

  g_return_val_if_fail (payload != NULL, FALSE);

  if (payload->version != 0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_VERSION,
                   _("The setup code has version %u; only version 0 is defined."),
                   payload->version);
      return FALSE;
    }
  if (payload->flow > TH_COMMISSIONING_FLOW_CUSTOM)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                   _("The commissioning flow %u is reserved; the setup code is not usable."),
                   (guint) payload->flow);
      return FALSE;
    }
  if (payload->short_discriminator && payload->discriminator > SHORT_DISCRIMINATOR_MAX)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                   _("The short discriminator %u is above its largest value, 15."),
                   payload->discriminator);
      return FALSE;
    }
  if (!payload->short_discriminator && payload->discriminator > TH_DISCRIMINATOR_MAX)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                   _("The discriminator %u is above its largest value, 4095."),
                   payload->discriminator);
      return FALSE;
    }
  validity = th_passcode_check (payload->passcode);
  if (validity != TH_PASSCODE_VALID)
    {
      set_passcode_error (error, validity);
      return FALSE;
    }
  return TRUE;
}

/* Bits of the packed structure, least significant first within each byte and field. */
static guint32
read_bits (const guint8 *buf,
           guint        *pos,
           guint         n_bits)
{
  guint32 value = 0;

  for (guint i = 0; i < n_bits; i++, (*pos)++)
    value |= (guint32) ((buf[*pos / 8] >> (*pos % 8)) & 1) << i;
  return value;
}

static void
write_bits (guint8  *buf,
            guint   *pos,
            guint    n_bits,
            guint32  value)
{
  for (guint i = 0; i < n_bits; i++, (*pos)++)
    buf[*pos / 8] |= (guint8) (((value >> i) & 1) << (*pos % 8));
}

static void
wipe_byte_array (GByteArray *array)
{
  if (array == NULL)
    return;
  /* an empty array may have no storage at all */
  if (array->len > 0)
    explicit_bzero (array->data, array->len);
  g_byte_array_unref (array);
}

/* A byte array that held passcode bits is zeroed before it goes. */
typedef GByteArray GByteArrayWiped;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GByteArrayWiped, wipe_byte_array)

static void
trim_space (const char *text,
            gsize      *start,
            gsize      *end)
{
  *start = 0;
  *end = strlen (text);
  while (*start < *end && g_ascii_isspace (text[*start]))
    (*start)++;
  while (*end > *start && g_ascii_isspace (text[*end - 1]))
    (*end)--;
}

static void
set_empty_error (GError **error)
{
  g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_EMPTY,
                       _("The setup code is empty. Enter the 11- or 21-digit code printed on the "
                         "device, or scan its QR code."));
}

gboolean
th_setup_payload_extract_qr (const char *text,
                             gsize       len,
                             gsize      *start,
                             gsize      *end)
{
  gboolean found_empty = FALSE;
  gsize empty_at = 0;
  gsize segment = 0;

  /* A QR code may hold other data beside the Matter payload, in segments separated by
   * '%'; the Matter one is the first that starts with the prefix and has content. */
  while (segment <= len)
    {
      const char *sep = memchr (text + segment, QR_EXTRA_SEPARATOR, len - segment);
      gsize segment_end = sep != NULL ? (gsize) (sep - text) : len;

      if (segment_end - segment >= QR_PREFIX_LEN
          && memcmp (text + segment, QR_PREFIX, QR_PREFIX_LEN) == 0)
        {
          if (segment_end - segment > QR_PREFIX_LEN)
            {
              *start = segment + QR_PREFIX_LEN;
              *end = segment_end;
              return TRUE;
            }
          if (!found_empty)
            {
              found_empty = TRUE;
              empty_at = segment + QR_PREFIX_LEN;
            }
        }
      segment = segment_end + 1;
    }

  if (found_empty)
    {
      *start = *end = empty_at;
      return TRUE;
    }
  return FALSE;
}

static ThSetupPayload *
parse_qr_chunk (const char  *text,
                gsize        start,
                gsize        end,
                GError     **error)
{
  g_autoptr(GByteArrayWiped) bytes = g_byte_array_new ();
  g_autoptr(ThSetupPayload) payload = th_setup_payload_new ();
  guint pos = 0;
  guint padding;

  if (start == end)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_LENGTH,
                   _("The QR code has no payload at character %u."),
                   th_payload_char_position (text, start));
      return NULL;
    }
  if (!th_base38_decode_range (text, start, end, bytes, error))
    return NULL;
  if (bytes->len < TH_SETUP_PAYLOAD_PACKED_LEN)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_LENGTH,
                   _("The QR code payload at characters %u to %u is too short: it holds %u "
                     "bytes where at least %u are needed. Part of the code is missing."),
                   th_payload_char_position (text, start),
                   th_payload_char_position (text, end) - 1,
                   bytes->len, TH_SETUP_PAYLOAD_PACKED_LEN);
      return NULL;
    }

  payload->format = TH_PAYLOAD_FORMAT_QR;
  payload->version = (guint8) read_bits (bytes->data, &pos, VERSION_BITS);
  payload->has_vendor_product = TRUE;
  payload->vendor_id = (guint16) read_bits (bytes->data, &pos, VENDOR_ID_BITS);
  payload->product_id = (guint16) read_bits (bytes->data, &pos, PRODUCT_ID_BITS);
  payload->flow = (ThCommissioningFlow) read_bits (bytes->data, &pos, FLOW_BITS);
  payload->has_capabilities = TRUE;
  payload->capabilities = (guint8) read_bits (bytes->data, &pos, CAPABILITIES_BITS);
  payload->short_discriminator = FALSE;
  payload->discriminator = (guint16) read_bits (bytes->data, &pos, DISCRIMINATOR_BITS);
  payload->passcode = read_bits (bytes->data, &pos, PASSCODE_BITS);
  payload->passcode_validity = th_passcode_check (payload->passcode);
  padding = read_bits (bytes->data, &pos, PADDING_BITS);

  /* A later version may lay the bits out differently, so the version is checked first. */
  if (payload->version != 0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_VERSION,
                   _("The QR code has payload version %u, which this app does not know; only "
                     "version 0 is defined."),
                   payload->version);
      return NULL;
    }
  if (padding != 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                           _("The QR code’s padding bits are not zero: the code is damaged or "
                             "not a Matter code."));
      return NULL;
    }
  if (payload->flow == TH_COMMISSIONING_FLOW_RESERVED)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                           _("The QR code’s commissioning flow is the reserved value 3."));
      return NULL;
    }
  if (bytes->len > TH_SETUP_PAYLOAD_PACKED_LEN
      && !th_setup_payload_parse_tlv_section (payload,
                                              bytes->data + TH_SETUP_PAYLOAD_PACKED_LEN,
                                              bytes->len - TH_SETUP_PAYLOAD_PACKED_LEN,
                                              error))
    return NULL;

  return g_steal_pointer (&payload);
}

static GPtrArray *
parse_qr_range (const char  *text,
                gsize        start,
                gsize        end,
                GError     **error)
{
  g_autoptr(GPtrArray) payloads = NULL;
  gsize content_start, content_end;
  guint n_chunks = 1;
  gsize chunk_start;

  if (!th_setup_payload_extract_qr (text + start, end - start, &content_start, &content_end))
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_PREFIX,
                           _("This is not a Matter setup code: a Matter QR code starts with "
                             "“MT:”, and a manual pairing code has only digits."));
      return NULL;
    }
  content_start += start;
  content_end += start;
  if (content_start == content_end)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_LENGTH,
                           _("The QR code has nothing after “MT:”. Scan the code again."));
      return NULL;
    }

  for (gsize i = content_start; i < content_end; i++)
    if (text[i] == QR_SEPARATOR)
      n_chunks++;

  payloads = g_ptr_array_new_with_free_func ((GDestroyNotify) th_setup_payload_free);
  chunk_start = content_start;
  for (guint n = 1; n <= n_chunks; n++)
    {
      const char *sep = memchr (text + chunk_start, QR_SEPARATOR, content_end - chunk_start);
      gsize chunk_end = sep != NULL ? (gsize) (sep - text) : content_end;
      ThSetupPayload *payload = parse_qr_chunk (text, chunk_start, chunk_end, error);

      if (payload == NULL)
        {
          if (n_chunks > 1)
            g_prefix_error (error, _("Payload %u of %u: "), n, n_chunks);
          return NULL;
        }
      g_ptr_array_add (payloads, payload);
      chunk_start = chunk_end + 1;
    }
  return g_steal_pointer (&payloads);
}

GPtrArray *
th_setup_payload_parse_qr (const char  *text,
                           GError     **error)
{
  gsize start, end;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  trim_space (text, &start, &end);
  if (start == end)
    {
      set_empty_error (error);
      return NULL;
    }
  return parse_qr_range (text, start, end, error);
}

/* The number in digits[offset, offset + n); callers pass at most 5 digits. */
static guint32
digits_value (const char *digits,
              guint       offset,
              guint       n)
{
  guint32 value = 0;

  for (guint i = 0; i < n; i++)
    value = value * 10 + (guint32) (digits[offset + i] - '0');
  return value;
}

static ThSetupPayload *
parse_manual_range (const char  *text,
                    gsize        start,
                    gsize        end,
                    GError     **error)
{
  char digits[MANUAL_LONG_LEN];
  g_autoptr(ThSetupPayload) payload = NULL;
  gboolean has_vendor_product;
  guint n_digits = 0;
  guint first;
  guint32 chunk2, chunk3;
  gboolean ok = FALSE;

  for (gsize i = start; i < end; i++)
    {
      char c = text[i];

      if (g_ascii_isdigit (c))
        {
          if (n_digits < MANUAL_LONG_LEN)
            digits[n_digits] = c;
          n_digits++;
        }
      else if (c != ' ' && c != '-')
        {
          g_autofree char *what = th_payload_describe_char (text, i, end);

          g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_CHARACTER,
                       _("Character %u (%s) cannot appear in a manual pairing code, which has "
                         "only digits, with spaces or dashes between groups."),
                       th_payload_char_position (text, i), what);
          goto out;
        }
    }

  if (n_digits == 0)
    {
      set_empty_error (error);
      goto out;
    }
  if (n_digits != MANUAL_SHORT_LEN && n_digits != MANUAL_LONG_LEN)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_LENGTH,
                   _("A manual pairing code has 11 or 21 digits, but this one has %u. Check "
                     "for a missing or extra digit."),
                   n_digits);
      goto out;
    }
  if (!th_verhoeff_validate (digits, n_digits))
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_CHECK_DIGIT,
                           _("The last digit of the manual pairing code does not match the "
                             "others: a digit was probably mistyped. Check the code and enter "
                             "it again."));
      goto out;
    }

  first = (guint) (digits[0] - '0');
  if (first > MANUAL_FIRST_DIGIT_MAX)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_VERSION,
                   _("A manual pairing code starting with %u belongs to a later version of "
                     "Matter that this app does not know."),
                   first);
      goto out;
    }
  has_vendor_product = (first & MANUAL_VID_PID_FLAG) != 0;
  if (has_vendor_product != (n_digits == MANUAL_LONG_LEN))
    {
      if (has_vendor_product)
        g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_LENGTH,
                             _("The first digit says this is a 21-digit manual pairing code, but "
                               "it has 11 digits."));
      else
        g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_LENGTH,
                             _("The first digit says this is an 11-digit manual pairing code, "
                               "but it has 21 digits."));
      goto out;
    }

  chunk2 = digits_value (digits, 1, 5);
  chunk3 = digits_value (digits, 6, 4);
  if (chunk2 > MANUAL_CHUNK2_MAX || chunk3 > MANUAL_CHUNK3_MAX)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                   _("Digits %u to %u of the manual pairing code are above their largest "
                     "value, %u: a digit was probably mistyped."),
                   chunk2 > MANUAL_CHUNK2_MAX ? 2 : 7, chunk2 > MANUAL_CHUNK2_MAX ? 6 : 10,
                   chunk2 > MANUAL_CHUNK2_MAX ? MANUAL_CHUNK2_MAX : MANUAL_CHUNK3_MAX);
      goto out;
    }

  payload = th_setup_payload_new ();
  payload->format = TH_PAYLOAD_FORMAT_MANUAL;
  payload->version = 0;
  payload->short_discriminator = TRUE;
  payload->discriminator = (guint16) ((first & 0x3) << 2 | chunk2 >> MANUAL_PASSCODE_LOW_BITS);
  payload->passcode = (chunk2 & ((1u << MANUAL_PASSCODE_LOW_BITS) - 1))
                      | chunk3 << MANUAL_PASSCODE_LOW_BITS;
  payload->passcode_validity = th_passcode_check (payload->passcode);
  payload->has_capabilities = FALSE;
  /* The long form is used for both user-intent and custom flows (5.1.4.1.2); which one
   * applies only the DCL knows, and custom is the one that asks the most of the caller. */
  payload->flow = has_vendor_product ? TH_COMMISSIONING_FLOW_CUSTOM
                                     : TH_COMMISSIONING_FLOW_STANDARD;
  payload->has_vendor_product = has_vendor_product;

  if (has_vendor_product)
    {
      guint32 vendor_id = digits_value (digits, 10, 5);
      guint32 product_id = digits_value (digits, 15, 5);

      if (vendor_id > G_MAXUINT16 || product_id > G_MAXUINT16)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                       vendor_id > G_MAXUINT16
                       ? _("The vendor ID in digits %u to %u of the manual pairing code is "
                           "above 65535: a digit was probably mistyped.")
                       : _("The product ID in digits %u to %u of the manual pairing code is "
                           "above 65535: a digit was probably mistyped."),
                       vendor_id > G_MAXUINT16 ? 11 : 16, vendor_id > G_MAXUINT16 ? 15 : 20);
          goto out;
        }
      payload->vendor_id = (guint16) vendor_id;
      payload->product_id = (guint16) product_id;
    }
  ok = TRUE;

out:
  explicit_bzero (digits, sizeof digits);
  return ok ? g_steal_pointer (&payload) : NULL;
}

ThSetupPayload *
th_setup_payload_parse_manual (const char  *text,
                               GError     **error)
{
  gsize start, end;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  trim_space (text, &start, &end);
  return parse_manual_range (text, start, end, error);
}

GPtrArray *
th_setup_payload_parse (const char  *text,
                        GError     **error)
{
  GPtrArray *payloads;
  ThSetupPayload *payload;
  gsize start, end;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  trim_space (text, &start, &end);
  if (start == end)
    {
      set_empty_error (error);
      return NULL;
    }
  /* Manual codes start with a digit; anything else is taken for QR text, so that a wrong
   * prefix is reported as such. */
  if (!g_ascii_isdigit (text[start]))
    return parse_qr_range (text, start, end, error);

  payload = parse_manual_range (text, start, end, error);
  if (payload == NULL)
    return NULL;
  payloads = g_ptr_array_new_with_free_func ((GDestroyNotify) th_setup_payload_free);
  g_ptr_array_add (payloads, payload);
  return payloads;
}

static gboolean
encode_qr_chunk (const ThSetupPayload  *payload,
                 GString               *out,
                 GError               **error)
{
  g_autoptr(GByteArrayWiped) bytes = NULL;
  g_autofree char *text = NULL;
  guint pos = 0;

  if (!th_setup_payload_validate (payload, error))
    return FALSE;
  if (payload->short_discriminator)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                           _("A QR code needs the full 12-bit discriminator, but only its upper "
                             "4 bits are known."));
      return FALSE;
    }
  if (!payload->has_vendor_product)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                           _("A QR code needs the vendor and product ID, which are not known."));
      return FALSE;
    }
  if (!payload->has_capabilities)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                           _("A QR code needs the discovery capabilities, which are not "
                             "known."));
      return FALSE;
    }

  bytes = g_byte_array_sized_new (TH_SETUP_PAYLOAD_PACKED_LEN);
  g_byte_array_set_size (bytes, TH_SETUP_PAYLOAD_PACKED_LEN);
  memset (bytes->data, 0, bytes->len);
  write_bits (bytes->data, &pos, VERSION_BITS, payload->version);
  write_bits (bytes->data, &pos, VENDOR_ID_BITS, payload->vendor_id);
  write_bits (bytes->data, &pos, PRODUCT_ID_BITS, payload->product_id);
  write_bits (bytes->data, &pos, FLOW_BITS, payload->flow);
  write_bits (bytes->data, &pos, CAPABILITIES_BITS, payload->capabilities);
  write_bits (bytes->data, &pos, DISCRIMINATOR_BITS, payload->discriminator);
  write_bits (bytes->data, &pos, PASSCODE_BITS, payload->passcode);
  write_bits (bytes->data, &pos, PADDING_BITS, 0);

  if (!th_setup_payload_encode_tlv_section (payload, bytes, error))
    return FALSE;

  text = th_base38_encode (bytes->data, bytes->len);
  g_string_append (out, text);
  explicit_bzero (text, strlen (text));
  return TRUE;
}

char *
th_setup_payload_encode_qr (const ThSetupPayload  *payload,
                            GError               **error)
{
  g_autoptr(GString) out = g_string_new (QR_PREFIX);

  g_return_val_if_fail (payload != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!encode_qr_chunk (payload, out, error))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
th_setup_payload_encode_qr_multi (GPtrArray  *payloads,
                                  GError    **error)
{
  g_autoptr(GString) out = g_string_new (QR_PREFIX);

  g_return_val_if_fail (payloads != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (payloads->len == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_EMPTY,
                           _("There is no payload to put in the QR code."));
      return NULL;
    }
  for (guint i = 0; i < payloads->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, QR_SEPARATOR);
      if (!encode_qr_chunk (g_ptr_array_index (payloads, i), out, error))
        {
          if (payloads->len > 1)
            g_prefix_error (error, _("Payload %u of %u: "), i + 1, payloads->len);
          explicit_bzero (out->str, out->len);
          return NULL;
        }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
th_setup_payload_encode_manual (const ThSetupPayload  *payload,
                                GError               **error)
{
  char digits[MANUAL_LONG_LEN + 1];
  char *result;
  gboolean long_form;
  guint short_discriminator;
  guint32 chunk1, chunk2, chunk3;
  int check;
  guint n;

  g_return_val_if_fail (payload != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!th_setup_payload_validate (payload, error))
    return NULL;
  long_form = payload->flow != TH_COMMISSIONING_FLOW_STANDARD;
  if (long_form && !payload->has_vendor_product)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                           _("A device with a user-intent or custom commissioning flow needs a "
                             "21-digit manual pairing code, which holds the vendor and product "
                             "ID, and these are not known."));
      return NULL;
    }

  short_discriminator = th_setup_payload_get_short_discriminator (payload);
  chunk1 = (long_form ? MANUAL_VID_PID_FLAG : 0) | short_discriminator >> 2;
  chunk2 = (short_discriminator & 0x3) << MANUAL_PASSCODE_LOW_BITS
           | (payload->passcode & ((1u << MANUAL_PASSCODE_LOW_BITS) - 1));
  chunk3 = payload->passcode >> MANUAL_PASSCODE_LOW_BITS;
  if (long_form)
    n = (guint) g_snprintf (digits, sizeof digits, "%u%05u%04u%05u%05u", chunk1, chunk2, chunk3,
                            (guint) payload->vendor_id, (guint) payload->product_id);
  else
    n = (guint) g_snprintf (digits, sizeof digits, "%u%05u%04u", chunk1, chunk2, chunk3);
  g_assert (n == (long_form ? MANUAL_LONG_LEN : MANUAL_SHORT_LEN) - 1);

  check = th_verhoeff_compute (digits, n);
  digits[n] = (char) ('0' + check);
  digits[n + 1] = '\0';
  result = g_strdup (digits);
  explicit_bzero (digits, sizeof digits);
  return result;
}

GBytes *
th_setup_payload_encode_ndef (const ThSetupPayload  *payload,
                              GError               **error)
{
  g_autofree char *uri = NULL;
  g_autoptr(GByteArrayWiped) record = NULL;
  gsize uri_len;
  gsize payload_len;
  guint8 header[2];
  guint8 tail[2] = { NDEF_URI_TYPE, NDEF_URI_NO_ABBREVIATION };

  g_return_val_if_fail (payload != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  uri = th_setup_payload_encode_qr (payload, error);
  if (uri == NULL)
    return NULL;
  uri_len = strlen (uri);
  payload_len = uri_len + 1;

  record = g_byte_array_sized_new ((guint) (uri_len + 16));
  header[0] = NDEF_MB | NDEF_ME | NDEF_TNF_WELL_KNOWN;
  header[1] = 1; /* type length */
  if (payload_len <= G_MAXUINT8)
    {
      guint8 len8 = (guint8) payload_len;

      header[0] |= NDEF_SR;
      g_byte_array_append (record, header, sizeof header);
      g_byte_array_append (record, &len8, 1);
    }
  else
    {
      guint32 len32 = GUINT32_TO_BE ((guint32) payload_len);

      g_byte_array_append (record, header, sizeof header);
      g_byte_array_append (record, (const guint8 *) &len32, sizeof len32);
    }
  g_byte_array_append (record, tail, sizeof tail);
  g_byte_array_append (record, (const guint8 *) uri, (guint) uri_len);
  explicit_bzero (uri, uri_len);
  return g_bytes_new (record->data, record->len);
}

static gboolean
ndef_need (gsize    len,
           gsize    pos,
           gsize    n,
           GError **error)
{
  if (len - pos < n)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_NDEF,
                   _("The NFC message is cut short at byte %zu."), len);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
th_setup_payload_parse_ndef (const guint8  *data,
                             gsize          len,
                             GError       **error)
{
  g_autofree char *uri = NULL;
  GPtrArray *payloads;
  gsize uri_len = 0;
  gsize pos = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_NDEF,
                           _("The NFC tag holds an empty message."));
      return NULL;
    }

  /* Walk every record of the message and keep the first URI record with a Matter payload;
   * other records (an application record, say) may sit beside it. */
  for (guint index = 0;; index++)
    {
      gsize record_start = pos;
      guint8 flags, type_len, id_len = 0;
      gsize payload_len;
      const guint8 *type, *record_payload;

      if (!ndef_need (len, pos, 2, error))
        goto fail;
      flags = data[pos];
      type_len = data[pos + 1];
      pos += 2;

      if ((index == 0) != ((flags & NDEF_MB) != 0))
        {
          g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_NDEF,
                       _("The NFC record at byte %zu has a wrong message-begin flag."),
                       record_start);
          goto fail;
        }
      if (flags & NDEF_CF)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_NDEF,
                       _("The NFC record at byte %zu is chunked, which a setup code never is."),
                       record_start);
          goto fail;
        }
      if (flags & NDEF_SR)
        {
          if (!ndef_need (len, pos, 1, error))
            goto fail;
          payload_len = data[pos];
          pos += 1;
        }
      else
        {
          if (!ndef_need (len, pos, 4, error))
            goto fail;
          payload_len = (gsize) data[pos] << 24 | (gsize) data[pos + 1] << 16
                        | (gsize) data[pos + 2] << 8 | data[pos + 3];
          pos += 4;
        }
      if (flags & NDEF_IL)
        {
          if (!ndef_need (len, pos, 1, error))
            goto fail;
          id_len = data[pos];
          pos += 1;
        }
      if (!ndef_need (len, pos, type_len, error))
        goto fail;
      type = data + pos;
      pos += type_len;
      if (!ndef_need (len, pos, id_len, error))
        goto fail;
      pos += id_len;
      if (!ndef_need (len, pos, payload_len, error))
        goto fail;
      record_payload = data + pos;
      pos += payload_len;

      if (uri == NULL
          && (flags & NDEF_TNF_MASK) == NDEF_TNF_WELL_KNOWN
          && type_len == 1 && type[0] == NDEF_URI_TYPE
          && payload_len > QR_PREFIX_LEN
          && record_payload[0] == NDEF_URI_NO_ABBREVIATION
          && memcmp (record_payload + 1, QR_PREFIX, QR_PREFIX_LEN) == 0)
        {
          if (memchr (record_payload + 1, '\0', payload_len - 1) != NULL)
            {
              g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_NDEF,
                           _("The URI in the NFC record at byte %zu holds a NUL character."),
                           record_start);
              goto fail;
            }
          uri_len = payload_len - 1;
          uri = g_strndup ((const char *) record_payload + 1, uri_len);
        }

      if (flags & NDEF_ME)
        break;
    }

  if (pos != len)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_NDEF,
                   _("The NFC message ends at byte %zu, but more bytes follow."), pos);
      goto fail;
    }
  if (uri == NULL)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_PAYLOAD_NDEF,
                           _("The NFC tag holds no Matter setup code."));
      return NULL;
    }

  payloads = parse_qr_range (uri, 0, uri_len, error);
  if (payloads == NULL)
    g_prefix_error (error, _("In the NFC tag’s setup code: "));
  explicit_bzero (uri, uri_len);
  return payloads;

fail:
  if (uri != NULL)
    explicit_bzero (uri, uri_len);
  return NULL;
}

char *
th_manual_code_format (const char *digits)
{
  static const guint groups_short[] = { 4, 3, 4 };
  static const guint groups_long[] = { 4, 3, 4, 5, 5 };
  const guint *groups;
  guint n_groups;
  gsize len;
  GString *out;

  g_return_val_if_fail (digits != NULL, NULL);

  len = strlen (digits);
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (digits[i]))
      return NULL;
  if (len == MANUAL_SHORT_LEN)
    {
      groups = groups_short;
      n_groups = G_N_ELEMENTS (groups_short);
    }
  else if (len == MANUAL_LONG_LEN)
    {
      groups = groups_long;
      n_groups = G_N_ELEMENTS (groups_long);
    }
  else
    {
      return NULL;
    }

  out = g_string_sized_new (len + n_groups);
  for (guint g = 0, pos = 0; g < n_groups; pos += groups[g], g++)
    {
      if (g > 0)
        g_string_append_c (out, '-');
      g_string_append_len (out, digits + pos, groups[g]);
    }
  return g_string_free (out, FALSE);
}
