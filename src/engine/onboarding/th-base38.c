/* th-base38.c: the Base-38 text encoding of QR payloads (specification 5.1.3.1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "th-error.h"
#include "th-setup-payload-private.h"

static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-.";

#define RADIX 38

/* Each group of up to three bytes becomes the characters of a little-endian base-38
 * number: 3 bytes need 5 characters, 2 bytes 4, and 1 byte 2. */
static const guint chars_for_bytes[] = { 0, 2, 4, 5 };

static int
char_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'Z')
    return c - 'A' + 10;
  if (c == '-')
    return 36;
  if (c == '.')
    return 37;
  return -1;
}

/* Bytes for a group of n characters, or 0 when no group has that many. */
static guint
bytes_for_chars (gsize n)
{
  switch (n)
    {
    case 5:
      return 3;
    case 4:
      return 2;
    case 2:
      return 1;
    default:
      return 0;
    }
}

char *
th_base38_encode (const guint8 *data,
                  gsize         len)
{
  GString *out;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  out = g_string_sized_new (len / 3 * 5 + 5);
  for (gsize i = 0; i < len; i += 3)
    {
      gsize n = MIN (len - i, 3);
      guint32 value = 0;

      for (gsize k = 0; k < n; k++)
        value |= (guint32) data[i + k] << (8 * k);
      for (guint k = 0; k < chars_for_bytes[n]; k++)
        {
          g_string_append_c (out, alphabet[value % RADIX]);
          value /= RADIX;
        }
    }
  return g_string_free (out, FALSE);
}

guint
th_payload_char_position (const char *text,
                          gsize       byte_offset)
{
  guint position = 1;

  /* Counting lead bytes only, so that a multi-byte character counts once even in text that
   * is not valid UTF-8. */
  for (gsize i = 0; i < byte_offset; i++)
    if (((guchar) text[i] & 0xC0) != 0x80)
      position++;
  return position;
}

char *
th_payload_describe_char (const char *text,
                          gsize       byte_offset,
                          gsize       end)
{
  const char *p = text + byte_offset;
  gunichar c = g_utf8_get_char_validated (p, (gssize) (end - byte_offset));

  if (c == (gunichar) -1 || c == (gunichar) -2)
    return g_strdup_printf ("0x%02X", (guchar) *p);
  if (g_unichar_isprint (c) && !g_unichar_isspace (c))
    return g_strdup_printf ("“%.*s”", (int) (g_utf8_next_char (p) - p), p);
  return g_strdup_printf ("U+%04X", c);
}

gboolean
th_base38_decode_range (const char  *text,
                        gsize        start,
                        gsize        end,
                        GByteArray  *out,
                        GError     **error)
{
  gsize total = end - start;

  g_return_val_if_fail (text != NULL && start <= end, FALSE);

  /* A wrong character says more than a wrong length, so look for one first. */
  for (gsize i = start; i < end; i++)
    {
      if (char_value (text[i]) < 0)
        {
          g_autofree char *what = th_payload_describe_char (text, i, end);

          g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_CHARACTER,
                       _("Character %u (%s) cannot appear in a Matter QR code. Check that the "
                         "whole code was copied or scanned."),
                       th_payload_char_position (text, i), what);
          return FALSE;
        }
    }

  if (total % 5 != 0 && bytes_for_chars (total % 5) == 0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_LENGTH,
                   _("The QR code payload at characters %u to %u has %u characters, a length "
                     "no payload can have: a character is missing or extra."),
                   th_payload_char_position (text, start),
                   th_payload_char_position (text, end) - 1,
                   (guint) total);
      return FALSE;
    }

  for (gsize i = start; i < end; i += 5)
    {
      gsize n = MIN (end - i, 5);
      guint n_bytes = bytes_for_chars (n);
      guint32 value = 0;

      /* Most significant character last; 38^5 < 2^32, so this cannot overflow. */
      for (gsize k = n; k > 0; k--)
        value = value * RADIX + (guint32) char_value (text[i + k - 1]);

      if (value >> (8 * n_bytes) != 0)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_CHARACTER,
                       _("Characters %u to %u of the QR code do not form a valid group: the "
                         "code is damaged or was mistyped."),
                       th_payload_char_position (text, i),
                       th_payload_char_position (text, i + n) - 1);
          return FALSE;
        }
      for (guint k = 0; k < n_bytes; k++)
        {
          guint8 byte = (guint8) (value >> (8 * k));

          g_byte_array_append (out, &byte, 1);
        }
    }
  return TRUE;
}

GBytes *
th_base38_decode (const char  *text,
                  gssize       len,
                  GError     **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  if (len < 0)
    len = (gssize) strlen (text);
  if (len == 0)
    return g_bytes_new (NULL, 0);
  if (!th_base38_decode_range (text, 0, (gsize) len, out, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}
