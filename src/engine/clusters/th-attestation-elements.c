/* th-attestation-elements.c: attestation-elements and nocsr-elements
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "th-attestation-elements.h"
#include "th-clusters.h"
#include "th-error.h"
#include "tlv/th-tlv.h"

static const char * const attestation_member_names[] = {
  NULL,
  N_("certification declaration"),
  N_("attestation nonce"),
  N_("timestamp"),
  N_("firmware information"),
};

static const char * const nocsr_member_names[] = {
  NULL,
  N_("certificate signing request"),
  N_("CSR nonce"),
  N_("first vendor-reserved member"),
  N_("second vendor-reserved member"),
  N_("third vendor-reserved member"),
};

/* Errors from the TLV reader say what is wrong in the encoding; put the structure's name in
 * front and give them this module's code. */
static void
propagate (const char *what,
           GError    **error,
           GError     *local)
{
  g_set_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED, _("The %s are malformed: %s"),
               what, local->message);
  g_error_free (local);
}

/* Checks the size and the outer structure, and enters it. */
static gboolean
open_elements (ThTlvReader  *reader,
               const guint8 *data,
               gsize         len,
               gsize         max_len,
               const char   *what,
               GError      **error)
{
  const guint8 *element;
  gsize element_len;
  GError *local = NULL;

  if (len > max_len)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED,
                   _("The %s are %zu bytes long, more than the %zu allowed"),
                   what, len, max_len);
      return FALSE;
    }
  th_tlv_reader_init (reader, data, len);
  if (!th_tlv_reader_next (reader, &local))
    {
      if (local != NULL)
        propagate (what, error, local);
      else
        g_set_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED, _("The %s are empty"),
                     what);
      return FALSE;
    }
  if (th_tlv_reader_get_type (reader) != TH_TLV_TYPE_STRUCTURE
      || th_tlv_reader_get_tag (reader).kind != TH_TLV_TAG_ANONYMOUS)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED,
                   _("The %s do not start with an anonymous structure"), what);
      return FALSE;
    }
  if (!th_tlv_reader_get_element (reader, &element, &element_len, &local))
    {
      propagate (what, error, local);
      return FALSE;
    }
  if (element_len != len)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED,
                   _("The %s are malformed: %zu unexpected bytes follow their end at byte %zu"),
                   what, len - element_len, element_len);
      return FALSE;
    }
  if (!th_tlv_reader_enter (reader, &local))
    {
      propagate (what, error, local);
      return FALSE;
    }
  return TRUE;
}

/* Context-tagged members come in increasing tag order, each once, from a known set. */
static gboolean
check_member_order (ThTlvReader        *reader,
                    const char         *what,
                    guint32             number,
                    guint32            *last,
                    guint32             max_number,
                    GError            **error)
{
  if (number == 0 || number > max_number)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED,
                   _("The %s have an unknown member with tag %u at byte %zu"),
                   what, number, th_tlv_reader_get_offset (reader));
      return FALSE;
    }
  if (number <= *last)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED,
                   _("The %s are malformed: member %u at byte %zu is repeated or out of order"),
                   what, number, th_tlv_reader_get_offset (reader));
      return FALSE;
    }
  *last = number;
  return TRUE;
}

static gboolean
get_member_bytes (ThTlvReader   *reader,
                  const char    *what,
                  const char    *member,
                  gsize          min_len,
                  gsize          max_len,
                  const guint8 **bytes,
                  gsize         *len,
                  GError       **error)
{
  if (!th_tlv_reader_get_bytes (reader, bytes, len, NULL))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED,
                   _("The %s are malformed: the %s at byte %zu is not a byte string"),
                   what, member, th_tlv_reader_get_offset (reader));
      return FALSE;
    }
  if (*len < min_len || *len > max_len)
    {
      if (max_len == G_MAXSIZE)
        g_set_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED,
                     _("The %s are malformed: the %s at byte %zu is %zu bytes long, less than "
                       "the %zu required"),
                     what, member, th_tlv_reader_get_offset (reader), *len, min_len);
      else if (min_len == max_len)
        g_set_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED,
                     _("The %s are malformed: the %s at byte %zu is %zu bytes long instead of "
                       "%zu"), what, member, th_tlv_reader_get_offset (reader), *len, min_len);
      else
        g_set_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED,
                     _("The %s are malformed: the %s at byte %zu is %zu bytes long, outside "
                       "the allowed %zu to %zu"),
                     what, member, th_tlv_reader_get_offset (reader), *len, min_len, max_len);
      return FALSE;
    }
  return TRUE;
}

static gboolean
require_member (const char  *what,
                const char  *member,
                gboolean     present,
                GError     **error)
{
  if (present)
    return TRUE;
  g_set_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED,
               _("The %s are malformed: the %s is missing"), what, member);
  return FALSE;
}

gboolean
th_attestation_elements_decode (const guint8           *data,
                                gsize                   len,
                                ThAttestationElements  *elements,
                                GError                **error)
{
  const char *what = _("attestation elements");
  ThTlvReader reader;
  guint32 last = 0;
  gboolean seen[5] = { FALSE };
  GError *local = NULL;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (elements != NULL, FALSE);

  memset (elements, 0, sizeof *elements);
  if (!open_elements (&reader, data, len, TH_ATTESTATION_ELEMENTS_MAX_LEN, what, error))
    return FALSE;

  while (th_tlv_reader_next (&reader, &local))
    {
      ThTlvTag tag = th_tlv_reader_get_tag (&reader);
      const char *member;
      const guint8 *vendor_reserved;
      gsize n;
      guint64 v;

      if (tag.kind != TH_TLV_TAG_CONTEXT)
        {
          /* a vendor-reserved member: a byte string under a profile tag */
          if (!get_member_bytes (&reader, what, _("vendor-reserved member"), 0, G_MAXSIZE,
                                 &vendor_reserved, &n, error))
            goto fail;
          elements->n_vendor_reserved++;
          continue;
        }
      if (elements->n_vendor_reserved > 0)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED,
                       _("The %s are malformed: member %u at byte %zu comes after the "
                         "vendor-reserved members"),
                       what, tag.number, th_tlv_reader_get_offset (&reader));
          goto fail;
        }
      if (!check_member_order (&reader, what, tag.number, &last, 4, error))
        goto fail;
      member = _(attestation_member_names[tag.number]);
      seen[tag.number] = TRUE;
      switch (tag.number)
        {
        case 1:
          if (!get_member_bytes (&reader, what, member, 1, G_MAXSIZE,
                                 &elements->certification_declaration,
                                 &elements->certification_declaration_len, error))
            goto fail;
          break;
        case 2:
          if (!get_member_bytes (&reader, what, member, TH_ATTESTATION_NONCE_LEN,
                                 TH_ATTESTATION_NONCE_LEN, &elements->attestation_nonce, &n,
                                 error))
            goto fail;
          break;
        case 3:
          if (!th_tlv_reader_get_uint (&reader, &v, NULL) || v > G_MAXUINT32)
            {
              g_set_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED,
                           _("The %s are malformed: the %s at byte %zu is not a 32-bit "
                             "unsigned integer"),
                           what, member, th_tlv_reader_get_offset (&reader));
              goto fail;
            }
          elements->timestamp = (guint32) v;
          break;
        case 4:
        default:
          if (!get_member_bytes (&reader, what, member, 0, G_MAXSIZE,
                                 &elements->firmware_information,
                                 &elements->firmware_information_len, error))
            goto fail;
          break;
        }
    }
  if (local != NULL)
    {
      propagate (what, error, local);
      goto fail;
    }
  for (guint i = 1; i <= 3; i++)
    if (!require_member (what, _(attestation_member_names[i]), seen[i], error))
      goto fail;
  return TRUE;

fail:
  memset (elements, 0, sizeof *elements);
  return FALSE;
}

gboolean
th_nocsr_elements_decode (const guint8     *data,
                          gsize             len,
                          ThNocsrElements  *elements,
                          GError          **error)
{
  const char *what = _("NOCSR elements");
  ThTlvReader reader;
  guint32 last = 0;
  gboolean seen[6] = { FALSE };
  GError *local = NULL;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (elements != NULL, FALSE);

  memset (elements, 0, sizeof *elements);
  if (!open_elements (&reader, data, len, TH_NOCSR_ELEMENTS_MAX_LEN, what, error))
    return FALSE;

  while (th_tlv_reader_next (&reader, &local))
    {
      ThTlvTag tag = th_tlv_reader_get_tag (&reader);
      const char *member;
      gsize n;

      if (tag.kind != TH_TLV_TAG_CONTEXT)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_IM_ELEMENTS_MALFORMED,
                       _("The %s are malformed: the member at byte %zu has a profile tag, "
                         "which they do not allow"),
                       what, th_tlv_reader_get_offset (&reader));
          goto fail;
        }
      if (!check_member_order (&reader, what, tag.number, &last, 5, error))
        goto fail;
      member = _(nocsr_member_names[tag.number]);
      seen[tag.number] = TRUE;
      switch (tag.number)
        {
        case 1:
          if (!get_member_bytes (&reader, what, member, 1, G_MAXSIZE, &elements->csr,
                                 &elements->csr_len, error))
            goto fail;
          break;
        case 2:
          if (!get_member_bytes (&reader, what, member, TH_CSR_NONCE_LEN, TH_CSR_NONCE_LEN,
                                 &elements->csr_nonce, &n, error))
            goto fail;
          break;
        default:
          if (!get_member_bytes (&reader, what, member, 0, G_MAXSIZE,
                                 &elements->vendor_reserved[tag.number - 3],
                                 &elements->vendor_reserved_len[tag.number - 3], error))
            goto fail;
          break;
        }
    }
  if (local != NULL)
    {
      propagate (what, error, local);
      goto fail;
    }
  if (!require_member (what, _(nocsr_member_names[1]), seen[1], error)
      || !require_member (what, _(nocsr_member_names[2]), seen[2], error))
    goto fail;
  return TRUE;

fail:
  memset (elements, 0, sizeof *elements);
  return FALSE;
}
