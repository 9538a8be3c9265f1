/* th-thread-dataset.c: a Thread operational dataset, as AddOrUpdateThreadNetwork carries it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A dataset is a run of MeshCoP TLVs: a type byte, a length byte and the value. A length of
 * 0xFF would start an extended TLV, which no dataset TLV is, and a dataset is shorter than
 * that anyway: it is refused.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "th-error.h"
#include "th-thread-dataset.h"

#define TLV_HEADER_LEN 2
#define EXTENDED_LENGTH 0xFF

#define NETWORK_KEY_LEN 16
#define PSKC_LEN 16
#define EXTENDED_PAN_ID_LEN 8
#define MESH_LOCAL_PREFIX_LEN 8
#define TIMESTAMP_LEN 8
#define NETWORK_NAME_MAX_LEN 16
#define FIRST_CHANNEL 11
#define LAST_CHANNEL 26
#define BROADCAST_PAN_ID 0xFFFF
/* fd00::/8: the mesh-local prefix is a unique local address prefix */
#define ULA_FIRST_BYTE 0xFD

/* The TLVs Matter requires, as bits of a mask of those seen */
#define SEEN(type) (G_GUINT64_CONSTANT (1) << (type))
#define REQUIRED (SEEN (TH_THREAD_TLV_ACTIVE_TIMESTAMP) | SEEN (TH_THREAD_TLV_NETWORK_KEY) \
                  | SEEN (TH_THREAD_TLV_PAN_ID) | SEEN (TH_THREAD_TLV_CHANNEL)            \
                  | SEEN (TH_THREAD_TLV_MESH_LOCAL_PREFIX))

static const char *
tlv_name (guint type)
{
  switch (type)
    {
    case TH_THREAD_TLV_CHANNEL:
      return _("Channel");
    case TH_THREAD_TLV_PAN_ID:
      return _("PAN ID");
    case TH_THREAD_TLV_EXTENDED_PAN_ID:
      return _("Extended PAN ID");
    case TH_THREAD_TLV_NETWORK_NAME:
      return _("Network Name");
    case TH_THREAD_TLV_PSKC:
      return _("PSKc");
    case TH_THREAD_TLV_NETWORK_KEY:
      return _("Network Key");
    case TH_THREAD_TLV_MESH_LOCAL_PREFIX:
      return _("Mesh-Local Prefix");
    case TH_THREAD_TLV_SECURITY_POLICY:
      return _("Security Policy");
    case TH_THREAD_TLV_ACTIVE_TIMESTAMP:
      return _("Active Timestamp");
    case TH_THREAD_TLV_PENDING_TIMESTAMP:
      return _("Pending Timestamp");
    case TH_THREAD_TLV_DELAY_TIMER:
      return _("Delay Timer");
    case TH_THREAD_TLV_CHANNEL_MASK:
      return _("Channel Mask");
    default:
      return NULL;
    }
}

/* The value length a known TLV must have; 0 for those of variable length or unknown. */
static gsize
fixed_length (guint type)
{
  switch (type)
    {
    case TH_THREAD_TLV_CHANNEL:
      return 3;
    case TH_THREAD_TLV_PAN_ID:
      return 2;
    case TH_THREAD_TLV_EXTENDED_PAN_ID:
      return EXTENDED_PAN_ID_LEN;
    case TH_THREAD_TLV_PSKC:
      return PSKC_LEN;
    case TH_THREAD_TLV_NETWORK_KEY:
      return NETWORK_KEY_LEN;
    case TH_THREAD_TLV_MESH_LOCAL_PREFIX:
      return MESH_LOCAL_PREFIX_LEN;
    case TH_THREAD_TLV_ACTIVE_TIMESTAMP:
    case TH_THREAD_TLV_PENDING_TIMESTAMP:
      return TIMESTAMP_LEN;
    case TH_THREAD_TLV_DELAY_TIMER:
      return 4;
    default:
      return 0;
    }
}

static guint64
read_be (const guint8 *p,
         gsize         len)
{
  guint64 value = 0;

  for (gsize i = 0; i < len; i++)
    value = value << 8 | p[i];
  return value;
}

static gboolean
check_channel_mask (const guint8  *value,
                    gsize          len,
                    gsize          offset,
                    GError       **error)
{
  gsize pos = 0;

  /* Entries of a channel page, a mask length and the mask. */
  while (pos < len)
    {
      gsize mask_len;

      if (len - pos < 2)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                       _("The Thread dataset is not valid: its Channel Mask at byte %"
                         G_GSIZE_FORMAT " ends in the middle of an entry."), offset);
          return FALSE;
        }
      mask_len = value[pos + 1];
      if (len - pos - 2 < mask_len)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                       _("The Thread dataset is not valid: an entry of its Channel Mask at "
                         "byte %" G_GSIZE_FORMAT " is longer than the mask."), offset);
          return FALSE;
        }
      pos += 2 + mask_len;
    }
  return TRUE;
}

static gboolean
check_tlv (guint             type,
           const guint8     *value,
           gsize             len,
           gsize             offset,
           ThThreadDataset  *dataset,
           GError          **error)
{
  const char *name = tlv_name (type);
  gsize expected = fixed_length (type);

  if (name == NULL)
    return TRUE;
  if (expected != 0 && len != expected)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                   _("The Thread dataset is not valid: its %s at byte %" G_GSIZE_FORMAT
                     " is %" G_GSIZE_FORMAT " bytes long instead of %" G_GSIZE_FORMAT "."),
                   name, offset, len, expected);
      return FALSE;
    }

  switch (type)
    {
    case TH_THREAD_TLV_CHANNEL:
      dataset->channel_page = value[0];
      dataset->channel = read_be (value + 1, 2);
      if (dataset->channel_page != 0)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                       _("The Thread dataset is not valid: its Channel at byte %"
                         G_GSIZE_FORMAT " is on channel page %u; Matter devices use page 0 "
                         "(2.4 GHz)."), offset, dataset->channel_page);
          return FALSE;
        }
      if (dataset->channel < FIRST_CHANNEL || dataset->channel > LAST_CHANNEL)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                       _("The Thread dataset is not valid: its Channel at byte %"
                         G_GSIZE_FORMAT " is %u, outside channels 11 to 26."),
                       offset, dataset->channel);
          return FALSE;
        }
      break;

    case TH_THREAD_TLV_PAN_ID:
      dataset->pan_id = read_be (value, 2);
      if (dataset->pan_id == BROADCAST_PAN_ID)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                       _("The Thread dataset is not valid: its PAN ID at byte %"
                         G_GSIZE_FORMAT " is 0xFFFF, the broadcast PAN ID."), offset);
          return FALSE;
        }
      break;

    case TH_THREAD_TLV_EXTENDED_PAN_ID:
      dataset->has_extended_pan_id = TRUE;
      dataset->extended_pan_id = read_be (value, EXTENDED_PAN_ID_LEN);
      break;

    case TH_THREAD_TLV_NETWORK_NAME:
      if (len == 0 || len > NETWORK_NAME_MAX_LEN)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                       _("The Thread dataset is not valid: its Network Name at byte %"
                         G_GSIZE_FORMAT " is %" G_GSIZE_FORMAT " bytes long; it must be 1 to "
                         "16."), offset, len);
          return FALSE;
        }
      if (!g_utf8_validate_len ((const char *) value, len, NULL) || memchr (value, 0, len))
        {
          g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                       _("The Thread dataset is not valid: its Network Name at byte %"
                         G_GSIZE_FORMAT " is not UTF-8 text."), offset);
          return FALSE;
        }
      dataset->has_network_name = TRUE;
      memcpy (dataset->network_name, value, len);
      dataset->network_name[len] = '\0';
      break;

    case TH_THREAD_TLV_MESH_LOCAL_PREFIX:
      if (value[0] != ULA_FIRST_BYTE)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                       _("The Thread dataset is not valid: its Mesh-Local Prefix at byte %"
                         G_GSIZE_FORMAT " starts with %02x, not fd (fd00::/8)."),
                       offset, value[0]);
          return FALSE;
        }
      memcpy (dataset->mesh_local_prefix, value, MESH_LOCAL_PREFIX_LEN);
      break;

    case TH_THREAD_TLV_SECURITY_POLICY:
      /* rotation time and flags: 3 bytes in Thread 1.1, 4 since 1.2 */
      if (len < 3)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                       _("The Thread dataset is not valid: its Security Policy at byte %"
                         G_GSIZE_FORMAT " is %" G_GSIZE_FORMAT " bytes long, shorter than 3."),
                       offset, len);
          return FALSE;
        }
      break;

    case TH_THREAD_TLV_ACTIVE_TIMESTAMP:
      dataset->active_timestamp = read_be (value, TIMESTAMP_LEN);
      break;

    case TH_THREAD_TLV_CHANNEL_MASK:
      return check_channel_mask (value, len, offset, error);

    default:
      break;
    }
  return TRUE;
}

gboolean
th_thread_dataset_parse (const guint8     *data,
                         gsize             len,
                         ThThreadDataset  *dataset,
                         GError          **error)
{
  guint64 seen = 0;
  gsize pos = 0;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  memset (dataset, 0, sizeof *dataset);
  if (len == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                           _("The Thread dataset is empty."));
      return FALSE;
    }
  if (len > TH_THREAD_DATASET_MAX_LEN)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                   _("The Thread dataset is %" G_GSIZE_FORMAT " bytes long; it can be at "
                     "most %u."), len, TH_THREAD_DATASET_MAX_LEN);
      return FALSE;
    }

  while (pos < len)
    {
      guint type = data[pos];
      gsize value_len;
      const char *name = tlv_name (type);

      if (len - pos < TLV_HEADER_LEN)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                       _("The Thread dataset is not valid: it ends at byte %" G_GSIZE_FORMAT
                         " in the middle of a TLV header."), pos);
          return FALSE;
        }
      value_len = data[pos + 1];
      if (value_len == EXTENDED_LENGTH)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                       _("The Thread dataset is not valid: the TLV of type %u at byte %"
                         G_GSIZE_FORMAT " has an extended length, which no dataset TLV "
                         "has."), type, pos);
          return FALSE;
        }
      if (len - pos - TLV_HEADER_LEN < value_len)
        {
          if (name != NULL)
            g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                         _("The Thread dataset is not valid: its %s at byte %" G_GSIZE_FORMAT
                           " claims %" G_GSIZE_FORMAT " bytes but only %" G_GSIZE_FORMAT
                           " follow."), name, pos, value_len, len - pos - TLV_HEADER_LEN);
          else
            g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                         _("The Thread dataset is not valid: the TLV of type %u at byte %"
                           G_GSIZE_FORMAT " claims %" G_GSIZE_FORMAT " bytes but only %"
                           G_GSIZE_FORMAT " follow."),
                         type, pos, value_len, len - pos - TLV_HEADER_LEN);
          return FALSE;
        }
      /* a type seen twice is ambiguous: which one would the device take? */
      if (type < 64 && (seen & SEEN (type)) != 0 && name != NULL)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                       _("The Thread dataset is not valid: its %s appears a second time at "
                         "byte %" G_GSIZE_FORMAT "."), name, pos);
          return FALSE;
        }
      if (!check_tlv (type, data + pos + TLV_HEADER_LEN, value_len, pos, dataset, error))
        return FALSE;
      if (type < 64)
        seen |= SEEN (type);
      pos += TLV_HEADER_LEN + value_len;
    }

  if ((seen & REQUIRED) != REQUIRED)
    {
      static const guint order[] = {
        TH_THREAD_TLV_ACTIVE_TIMESTAMP, TH_THREAD_TLV_NETWORK_KEY, TH_THREAD_TLV_PAN_ID,
        TH_THREAD_TLV_CHANNEL, TH_THREAD_TLV_MESH_LOCAL_PREFIX,
      };

      for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
        if ((seen & SEEN (order[i])) == 0)
          {
            g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                         _("The Thread dataset is not valid: it has no %s, which Matter "
                           "devices need."), tlv_name (order[i]));
            return FALSE;
          }
    }
  return TRUE;
}

static int
hex_value (char c)
{
  return g_ascii_xdigit_value (c);
}

guint8 *
th_thread_dataset_from_hex (const char  *hex,
                            gsize       *len,
                            GError     **error)
{
  gsize n_digits = 0;
  guint8 *out;
  gsize out_len = 0;
  int high = -1;

  g_return_val_if_fail (hex != NULL, NULL);

  while (g_ascii_isspace (*hex))
    hex++;
  if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
    hex += 2;

  for (const char *p = hex; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        continue;
      if (hex_value (*p) < 0)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                       _("The Thread dataset is not hexadecimal: character %" G_GSIZE_FORMAT
                         " is not a hex digit."), (gsize) (p - hex) + 1);
          return NULL;
        }
      n_digits++;
    }
  if (n_digits == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                           _("The Thread dataset is empty."));
      return NULL;
    }
  if (n_digits % 2 != 0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET,
                   _("The Thread dataset has an odd number of hex digits (%" G_GSIZE_FORMAT
                     "); each byte takes two."), n_digits);
      return NULL;
    }

  out = g_malloc (n_digits / 2);
  for (const char *p = hex; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        continue;
      if (high < 0)
        high = hex_value (*p);
      else
        {
          out[out_len++] = (guint8) (high << 4 | hex_value (*p));
          high = -1;
        }
    }
  *len = out_len;
  return out;
}
