/* th-dnssd-txt.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "th-error.h"
#include "discovery/th-dnssd-txt.h"

/* How much of a rejected value an error message shows. */
#define SHOWN_VALUE_MAX 40

G_DEFINE_BOXED_TYPE (ThDnssdTxt, th_dnssd_txt, th_dnssd_txt_ref, th_dnssd_txt_unref)

typedef struct
{
  const guint8 *data;
  gsize len;
} Span;

typedef gboolean (*ValueParser) (ThDnssdTxt *txt,
                                 Span        value,
                                 char      **reason);

static gboolean parse_d   (ThDnssdTxt *txt, Span value, char **reason);
static gboolean parse_vp  (ThDnssdTxt *txt, Span value, char **reason);
static gboolean parse_cm  (ThDnssdTxt *txt, Span value, char **reason);
static gboolean parse_dt  (ThDnssdTxt *txt, Span value, char **reason);
static gboolean parse_dn  (ThDnssdTxt *txt, Span value, char **reason);
static gboolean parse_ri  (ThDnssdTxt *txt, Span value, char **reason);
static gboolean parse_ph  (ThDnssdTxt *txt, Span value, char **reason);
static gboolean parse_pi  (ThDnssdTxt *txt, Span value, char **reason);
static gboolean parse_sii (ThDnssdTxt *txt, Span value, char **reason);
static gboolean parse_sai (ThDnssdTxt *txt, Span value, char **reason);
static gboolean parse_sat (ThDnssdTxt *txt, Span value, char **reason);
static gboolean parse_t   (ThDnssdTxt *txt, Span value, char **reason);
static gboolean parse_icd (ThDnssdTxt *txt, Span value, char **reason);
static gboolean parse_cp  (ThDnssdTxt *txt, Span value, char **reason);

static const struct
{
  const char *name;
  ThDnssdTxtKeys bit;
  ValueParser parse;
} known_keys[] = {
  { "D", TH_DNSSD_TXT_D, parse_d },
  { "VP", TH_DNSSD_TXT_VP, parse_vp },
  { "CM", TH_DNSSD_TXT_CM, parse_cm },
  { "DT", TH_DNSSD_TXT_DT, parse_dt },
  { "DN", TH_DNSSD_TXT_DN, parse_dn },
  { "RI", TH_DNSSD_TXT_RI, parse_ri },
  { "PH", TH_DNSSD_TXT_PH, parse_ph },
  { "PI", TH_DNSSD_TXT_PI, parse_pi },
  { "SII", TH_DNSSD_TXT_SII, parse_sii },
  { "SAI", TH_DNSSD_TXT_SAI, parse_sai },
  { "SAT", TH_DNSSD_TXT_SAT, parse_sat },
  { "T", TH_DNSSD_TXT_T, parse_t },
  { "ICD", TH_DNSSD_TXT_ICD, parse_icd },
  { "CP", TH_DNSSD_TXT_CP, parse_cp },
};

/* A decimal number as Matter writes it: digits only, no sign, no leading zeros. */
static gboolean
read_decimal (Span     value,
              guint64  min,
              guint64  max,
              guint64 *out)
{
  guint64 number = 0;

  /* ten digits hold every 32-bit value; more could only overflow */
  if (value.len == 0 || value.len > 10 || (value.len > 1 && value.data[0] == '0'))
    return FALSE;
  for (gsize i = 0; i < value.len; i++)
    {
      if (!g_ascii_isdigit (value.data[i]))
        return FALSE;
      number = number * 10 + (guint64) (value.data[i] - '0');
    }
  if (number < min || number > max)
    return FALSE;
  *out = number;
  return TRUE;
}

static char *
number_rule (const char *what,
             guint64     min,
             guint64     max)
{
  /* Translators: the first %s names the field, e.g. "the discriminator" */
  return g_strdup_printf (_("%s must be a whole number from %" G_GUINT64_FORMAT " to %"
                            G_GUINT64_FORMAT ", written without leading zeros"),
                          what, min, max);
}

/* UTF-8 text without control characters, of at most `max` bytes. */
static char *
read_text (Span  value,
           gsize max)
{
  const char *end;

  if (value.len > max || !g_utf8_validate_len ((const char *) value.data, value.len, &end))
    return NULL;
  for (const char *p = (const char *) value.data; p < end; p = g_utf8_next_char (p))
    {
      if (g_unichar_iscntrl (g_utf8_get_char (p)))
        return NULL;
    }
  return g_strndup ((const char *) value.data, value.len);
}

static gboolean
parse_d (ThDnssdTxt  *txt,
         Span         value,
         char       **reason)
{
  guint64 number;

  if (!read_decimal (value, 0, 0xFFF, &number))
    {
      *reason = number_rule (_("the discriminator"), 0, 0xFFF);
      return FALSE;
    }
  txt->discriminator = (guint16) number;
  return TRUE;
}

/* "vid" or "vid+pid". Each half stands on its own, so a bad product id keeps the vendor id
 * and the other way round; either failing marks VP as invalid. */
static gboolean
parse_vp (ThDnssdTxt  *txt,
          Span         value,
          char       **reason)
{
  const guint8 *plus = memchr (value.data, '+', value.len);
  Span vendor = { value.data, plus != NULL ? (gsize) (plus - value.data) : value.len };
  guint64 number;
  gboolean vendor_ok, product_ok = TRUE;

  vendor_ok = read_decimal (vendor, 0, G_MAXUINT16, &number);
  if (vendor_ok)
    {
      txt->vendor_id = (guint16) number;
      txt->has_vendor_id = TRUE;
    }
  if (plus != NULL)
    {
      Span product = { plus + 1, value.len - vendor.len - 1 };

      product_ok = read_decimal (product, 0, G_MAXUINT16, &number);
      if (product_ok)
        {
          txt->product_id = (guint16) number;
          txt->has_product_id = TRUE;
        }
    }

  if (!vendor_ok && !product_ok)
    *reason = g_strdup (_("the vendor ID and the product ID after “+” must be whole numbers "
                          "from 0 to 65535, written without leading zeros"));
  else if (!vendor_ok)
    *reason = number_rule (_("the vendor ID"), 0, G_MAXUINT16);
  else if (!product_ok)
    *reason = number_rule (_("the product ID after “+”"), 0, G_MAXUINT16);
  return vendor_ok && product_ok;
}

static gboolean
parse_cm (ThDnssdTxt  *txt,
          Span         value,
          char       **reason)
{
  guint64 number;

  if (!read_decimal (value, 0, TH_COMMISSIONING_MODE_JOINT_FABRIC, &number))
    {
      *reason = g_strdup (_("the commissioning mode must be 0, 1, 2 or 3"));
      return FALSE;
    }
  txt->commissioning_mode = (ThCommissioningMode) number;
  return TRUE;
}

static gboolean
parse_dt (ThDnssdTxt  *txt,
          Span         value,
          char       **reason)
{
  guint64 number;

  if (!read_decimal (value, 0, G_MAXUINT32, &number))
    {
      *reason = number_rule (_("the device type"), 0, G_MAXUINT32);
      return FALSE;
    }
  txt->device_type = (guint32) number;
  return TRUE;
}

static gboolean
parse_dn (ThDnssdTxt  *txt,
          Span         value,
          char       **reason)
{
  txt->device_name = read_text (value, TH_DNSSD_DEVICE_NAME_MAX);
  if (txt->device_name == NULL)
    {
      *reason = g_strdup_printf (_("the device name must be UTF-8 text of at most %u bytes, "
                                   "without control characters"), TH_DNSSD_DEVICE_NAME_MAX);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_ri (ThDnssdTxt  *txt,
          Span         value,
          char       **reason)
{
  g_autofree guint8 *bytes = NULL;

  if (value.len == 0 || value.len % 2 != 0 || value.len > 2 * TH_DNSSD_ROTATING_ID_MAX)
    goto invalid;
  bytes = g_malloc (value.len / 2);
  for (gsize i = 0; i < value.len; i += 2)
    {
      int high = g_ascii_xdigit_value (value.data[i]);
      int low = g_ascii_xdigit_value (value.data[i + 1]);

      if (high < 0 || low < 0)
        goto invalid;
      bytes[i / 2] = (guint8) (high << 4 | low);
    }
  txt->rotating_id = g_bytes_new_take (g_steal_pointer (&bytes), value.len / 2);
  return TRUE;

invalid:
  *reason = g_strdup_printf (_("the rotating identifier must be an even number of hexadecimal "
                               "digits, at most %u"), 2 * TH_DNSSD_ROTATING_ID_MAX);
  return FALSE;
}

static gboolean
parse_ph (ThDnssdTxt  *txt,
          Span         value,
          char       **reason)
{
  guint64 number;

  /* A 32-bit bitmap: the hints for the setup button take bits 13 to 19. */
  if (!read_decimal (value, 0, G_MAXUINT32, &number))
    {
      *reason = number_rule (_("the pairing hint"), 0, G_MAXUINT32);
      return FALSE;
    }
  txt->pairing_hint = (guint32) number;
  return TRUE;
}

static gboolean
parse_pi (ThDnssdTxt  *txt,
          Span         value,
          char       **reason)
{
  txt->pairing_instruction = read_text (value, TH_DNSSD_PAIRING_INSTRUCTION_MAX);
  if (txt->pairing_instruction == NULL)
    {
      *reason = g_strdup_printf (_("the pairing instruction must be UTF-8 text of at most %u "
                                   "bytes, without control characters"),
                                 TH_DNSSD_PAIRING_INSTRUCTION_MAX);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_interval (Span      value,
               guint32  *out,
               char    **reason)
{
  guint64 number;

  if (!read_decimal (value, 1, TH_DNSSD_SESSION_INTERVAL_MAX, &number))
    {
      *reason = number_rule (_("the interval in milliseconds"), 1,
                             TH_DNSSD_SESSION_INTERVAL_MAX);
      return FALSE;
    }
  *out = (guint32) number;
  return TRUE;
}

static gboolean
parse_sii (ThDnssdTxt  *txt,
           Span         value,
           char       **reason)
{
  return read_interval (value, &txt->session_idle_interval_ms, reason);
}

static gboolean
parse_sai (ThDnssdTxt  *txt,
           Span         value,
           char       **reason)
{
  return read_interval (value, &txt->session_active_interval_ms, reason);
}

static gboolean
parse_sat (ThDnssdTxt  *txt,
           Span         value,
           char       **reason)
{
  guint64 number;

  if (!read_decimal (value, 1, TH_DNSSD_SESSION_THRESHOLD_MAX, &number))
    {
      *reason = number_rule (_("the threshold in milliseconds"), 1,
                             TH_DNSSD_SESSION_THRESHOLD_MAX);
      return FALSE;
    }
  txt->session_active_threshold_ms = (guint16) number;
  return TRUE;
}

static gboolean
parse_t (ThDnssdTxt  *txt,
         Span         value,
         char       **reason)
{
  guint64 number;

  if (!read_decimal (value, 0, G_MAXUINT8, &number))
    {
      *reason = number_rule (_("the TCP support bitmap"), 0, G_MAXUINT8);
      return FALSE;
    }
  /* Reserved bits, bit 0 among them (once "TCP supported"), say nothing a client can use. */
  txt->tcp = (guint8) number & (TH_DNSSD_TCP_CLIENT | TH_DNSSD_TCP_SERVER);
  return TRUE;
}

static gboolean
read_flag (Span       value,
           gboolean  *out,
           char     **reason,
           const char *what)
{
  if (value.len != 1 || (value.data[0] != '0' && value.data[0] != '1'))
    {
      /* Translators: %s names the field, e.g. "the ICD operating mode" */
      *reason = g_strdup_printf (_("%s must be 0 or 1"), what);
      return FALSE;
    }
  *out = value.data[0] == '1';
  return TRUE;
}

static gboolean
parse_icd (ThDnssdTxt  *txt,
           Span         value,
           char       **reason)
{
  return read_flag (value, &txt->icd_long_idle, reason, _("the ICD operating mode"));
}

static gboolean
parse_cp (ThDnssdTxt  *txt,
          Span         value,
          char       **reason)
{
  return read_flag (value, &txt->commissioner_passcode, reason,
                    _("the commissioner passcode flag"));
}

/* Shows bytes from the network in a message: printable text as it is, anything else as
 * \xNN escapes, and no more than SHOWN_VALUE_MAX bytes of it. */
static char *
shown_bytes (Span value)
{
  GString *shown = g_string_new (NULL);
  gsize len = MIN (value.len, SHOWN_VALUE_MAX);
  const char *text = (const char *) value.data;
  gsize i = 0;

  while (i < len)
    {
      gunichar c = g_utf8_get_char_validated (text + i, (gssize) (len - i));

      if (c != (gunichar) -1 && c != (gunichar) -2 && !g_unichar_iscntrl (c) && c != '\\')
        {
          gsize next = (gsize) (g_utf8_next_char (text + i) - text);

          g_string_append_len (shown, text + i, (gssize) (next - i));
          i = next;
        }
      else
        {
          g_string_append_printf (shown, "\\x%02X", value.data[i]);
          i++;
        }
    }
  if (value.len > len)
    g_string_append (shown, "…");
  return g_string_free (shown, FALSE);
}

static void
add_problem (ThDnssdTxt *txt,
             Span        key,
             char       *message)
{
  ThDnssdTxtProblem *problem = g_new0 (ThDnssdTxtProblem, 1);

  problem->key = shown_bytes (key);
  problem->message = message;
  g_ptr_array_add (txt->problems, problem);
}

static void
problem_free (ThDnssdTxtProblem *problem)
{
  g_free (problem->key);
  g_free (problem->message);
  g_free (problem);
}

static void
entry_free (ThDnssdTxtEntry *entry)
{
  g_free (entry->key);
  g_clear_pointer (&entry->value, g_bytes_unref);
  g_free (entry);
}

static gboolean
key_is_printable (Span key)
{
  for (gsize i = 0; i < key.len; i++)
    {
      if (key.data[i] < 0x20 || key.data[i] > 0x7E)
        return FALSE;
    }
  return TRUE;
}

static void
parse_entry (ThDnssdTxt *txt,
             GHashTable *seen,
             Span        entry)
{
  const guint8 *equals = memchr (entry.data, '=', entry.len);
  Span key = { entry.data, equals != NULL ? (gsize) (equals - entry.data) : entry.len };
  Span value = { equals != NULL ? equals + 1 : NULL, equals != NULL ? entry.len - key.len - 1 : 0 };
  g_autofree char *folded = NULL;

  /* RFC 6763 6.4: an entry without a key is ignored, silently */
  if (key.len == 0)
    return;
  if (!key_is_printable (key))
    {
      add_problem (txt, key, g_strdup (_("The entry was ignored: a key may only have "
                                         "printable ASCII characters")));
      return;
    }

  folded = g_ascii_strdown ((const char *) key.data, (gssize) key.len);
  /* RFC 6763 6.4: only the first entry of a key counts */
  if (!g_hash_table_add (seen, g_strdup (folded)))
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (known_keys); i++)
    {
      g_autofree char *reason = NULL;
      g_autofree char *shown_key = NULL;
      g_autofree char *shown_value = NULL;

      if (g_ascii_strcasecmp (folded, known_keys[i].name) != 0)
        continue;

      if (equals == NULL)
        reason = g_strdup (_("it has no value"));
      else if (known_keys[i].parse (txt, value, &reason))
        {
          txt->present |= known_keys[i].bit;
          return;
        }

      txt->invalid |= known_keys[i].bit;
      shown_key = shown_bytes (key);
      shown_value = shown_bytes (value);
      /* Translators: “D=65536” was ignored: the discriminator must be… */
      add_problem (txt, key, equals != NULL
                   ? g_strdup_printf (_("“%s=%s” was ignored: %s"), shown_key, shown_value,
                                      reason)
                   : g_strdup_printf (_("“%s” was ignored: %s"), shown_key, reason));
      return;
    }

  {
    ThDnssdTxtEntry *other = g_new0 (ThDnssdTxtEntry, 1);

    other->key = g_strndup ((const char *) key.data, key.len);
    if (equals != NULL)
      other->value = g_bytes_new (value.data, value.len);
    g_ptr_array_add (txt->other, other);
  }
}

static void
txt_clear (ThDnssdTxt *txt)
{
  g_free (txt->device_name);
  g_clear_pointer (&txt->rotating_id, g_bytes_unref);
  g_free (txt->pairing_instruction);
  g_ptr_array_unref (txt->other);
  g_ptr_array_unref (txt->problems);
  g_bytes_unref (txt->rdata);
}

ThDnssdTxt *
th_dnssd_txt_parse (const guint8  *rdata,
                    gsize          len,
                    GError       **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ThDnssdTxt *txt;
  gsize offset = 0;

  g_return_val_if_fail (rdata != NULL || len == 0, NULL);

  txt = g_atomic_rc_box_new0 (ThDnssdTxt);
  txt->other = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  txt->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);
  txt->rdata = g_bytes_new (rdata, len);

  while (offset < len)
    {
      gsize entry_len = rdata[offset];
      Span entry = { rdata + offset + 1, entry_len };

      if (entry_len > len - offset - 1)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_DNSSD_TXT,
                       _("The TXT record is cut short: the string at byte %zu is %zu bytes "
                         "long, but only %zu bytes follow it"),
                       offset, entry_len, len - offset - 1);
          th_dnssd_txt_unref (txt);
          return NULL;
        }
      /* an empty string stands for an empty record (RFC 6763 6.1) */
      if (entry_len > 0)
        parse_entry (txt, seen, entry);
      offset += 1 + entry_len;
    }
  return txt;
}

ThDnssdTxt *
th_dnssd_txt_ref (ThDnssdTxt *txt)
{
  g_return_val_if_fail (txt != NULL, NULL);

  return g_atomic_rc_box_acquire (txt);
}

void
th_dnssd_txt_unref (ThDnssdTxt *txt)
{
  g_return_if_fail (txt != NULL);

  g_atomic_rc_box_release_full (txt, (GDestroyNotify) txt_clear);
}

gboolean
th_dnssd_txt_equal (const ThDnssdTxt *a,
                    const ThDnssdTxt *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_bytes_equal (a->rdata, b->rdata);
}

void
th_dnssd_txt_get_mrp_parameters (const ThDnssdTxt *txt,
                                 ThMrpParameters  *parameters)
{
  g_return_if_fail (txt != NULL && parameters != NULL);

  th_mrp_parameters_init_default (parameters);
  if (txt->present & TH_DNSSD_TXT_SII)
    parameters->idle_interval_ms = txt->session_idle_interval_ms;
  if (txt->present & TH_DNSSD_TXT_SAI)
    parameters->active_interval_ms = txt->session_active_interval_ms;
  if (txt->present & TH_DNSSD_TXT_SAT)
    parameters->active_threshold_ms = txt->session_active_threshold_ms;
}
