/* th-certification-declaration.c: the Certification Declaration (CD), its CMS envelope and
 * the keys that sign it (Matter core specification, section 6.3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crypto/th-crypto.h"
#include "th-attestation-x509.h"
#include "th-certification-declaration.h"
#include "th-error.h"
#include "tlv/th-tlv.h"

/* Payload tags */
enum
{
  TAG_FORMAT_VERSION = 0,
  TAG_VENDOR_ID = 1,
  TAG_PRODUCT_ID_ARRAY = 2,
  TAG_DEVICE_TYPE_ID = 3,
  TAG_CERTIFICATE_ID = 4,
  TAG_SECURITY_LEVEL = 5,
  TAG_SECURITY_INFORMATION = 6,
  TAG_VERSION_NUMBER = 7,
  TAG_CERTIFICATION_TYPE = 8,
  TAG_DAC_ORIGIN_VENDOR_ID = 9,
  TAG_DAC_ORIGIN_PRODUCT_ID = 10,
  TAG_AUTHORIZED_PAA_LIST = 11,
};

/* ---- Payload ---- */

static gboolean
set_payload_error (GError     **error,
                   GError      *tlv_error,
                   const char  *field)
{
  g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
               _("The certification declaration’s %s is malformed: %s"), field,
               tlv_error->message);
  g_error_free (tlv_error);
  return FALSE;
}

/* Moves to the next member, which must carry the context tag `tag`. */
static gboolean
next_field (ThTlvReader  *reader,
            guint8        tag,
            const char   *field,
            GError      **error)
{
  GError *tlv_error = NULL;

  if (!th_tlv_reader_next (reader, &tlv_error))
    {
      if (tlv_error != NULL)
        return set_payload_error (error, tlv_error, field);
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                   _("The certification declaration has no %s (tag %u)"), field, tag);
      return FALSE;
    }
  if (!th_tlv_tag_is_context (th_tlv_reader_get_tag (reader), tag))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                   _("The certification declaration has another element at byte %zu"
                     " where its %s (tag %u) should be"),
                   th_tlv_reader_get_offset (reader), field, tag);
      return FALSE;
    }
  return TRUE;
}

/* An integer in [0, max]. Encoders differ on signedness (the CSA's own examples encode the
 * format version as a signed integer), so either is accepted. */
static gboolean
get_unsigned (ThTlvReader  *reader,
              const char   *field,
              guint64       max,
              guint64      *value,
              GError      **error)
{
  gsize offset = th_tlv_reader_get_offset (reader);
  gint64 signed_value;

  switch (th_tlv_reader_get_type (reader))
    {
    case TH_TLV_TYPE_UNSIGNED_INT:
      if (!th_tlv_reader_get_uint (reader, value, NULL))
        g_assert_not_reached ();
      break;
    case TH_TLV_TYPE_SIGNED_INT:
      if (!th_tlv_reader_get_int (reader, &signed_value, NULL))
        g_assert_not_reached ();
      if (signed_value < 0)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                       _("The certification declaration’s %s at byte %zu"
                         " is negative"),
                       field, offset);
          return FALSE;
        }
      *value = (guint64) signed_value;
      break;
    default:
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                   _("The certification declaration’s %s at byte %zu"
                     " is not an integer"),
                   field, offset);
      return FALSE;
    }

  if (*value > max)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                   _("The certification declaration’s %s at byte %zu"
                     " is %llu, above its maximum %llu"),
                   field, offset, (unsigned long long) *value, (unsigned long long) max);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_unsigned_field (ThTlvReader  *reader,
                     guint8        tag,
                     const char   *field,
                     guint64       max,
                     guint64      *value,
                     GError      **error)
{
  return next_field (reader, tag, field, error) &&
         get_unsigned (reader, field, max, value, error);
}

static gboolean
enter_container (ThTlvReader  *reader,
                 ThTlvType     type,
                 const char   *field,
                 GError      **error)
{
  GError *tlv_error = NULL;

  if (th_tlv_reader_get_type (reader) != type)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                   type == TH_TLV_TYPE_ARRAY
                     ? _("The certification declaration’s %s at byte %zu"
                         " is not an array")
                     : _("The certification declaration’s %s at byte %zu"
                         " is not a structure"),
                   field, th_tlv_reader_get_offset (reader));
      return FALSE;
    }
  if (!th_tlv_reader_enter (reader, &tlv_error))
    return set_payload_error (error, tlv_error, field);
  return TRUE;
}

/* Moves to the next member of the current container. FALSE with no error at its end. */
static gboolean
next_member (ThTlvReader  *reader,
             const char   *field,
             gboolean     *has_member,
             GError      **error)
{
  GError *tlv_error = NULL;

  *has_member = th_tlv_reader_next (reader, &tlv_error);
  if (tlv_error != NULL)
    return set_payload_error (error, tlv_error, field);
  return TRUE;
}

static gboolean
decode_product_ids (ThTlvReader                 *reader,
                    ThCertificationDeclaration  *cd,
                    GError                     **error)
{
  const char *field = "product_id_array";
  gboolean has_member;
  GError *tlv_error = NULL;

  if (!next_field (reader, TAG_PRODUCT_ID_ARRAY, field, error) ||
      !enter_container (reader, TH_TLV_TYPE_ARRAY, field, error))
    return FALSE;

  for (;;)
    {
      guint64 value;

      if (!next_member (reader, field, &has_member, error))
        return FALSE;
      if (!has_member)
        break;
      if (cd->n_product_ids == TH_CD_MAX_PRODUCT_IDS)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                       _("The certification declaration lists more than %u product IDs"),
                       TH_CD_MAX_PRODUCT_IDS);
          return FALSE;
        }
      if (!get_unsigned (reader, field, G_MAXUINT16, &value, error))
        return FALSE;
      cd->product_ids[cd->n_product_ids++] = (guint16) value;
    }
  if (cd->n_product_ids == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                           _("The certification declaration lists no product ID"));
      return FALSE;
    }
  if (!th_tlv_reader_exit (reader, &tlv_error))
    return set_payload_error (error, tlv_error, field);
  return TRUE;
}

static gboolean
decode_certificate_id (ThTlvReader                 *reader,
                       ThCertificationDeclaration  *cd,
                       GError                     **error)
{
  const char *field = "certificate_id";
  GError *tlv_error = NULL;
  const char *text;
  gsize len;

  if (!next_field (reader, TAG_CERTIFICATE_ID, field, error))
    return FALSE;
  if (!th_tlv_reader_get_string (reader, &text, &len, &tlv_error))
    return set_payload_error (error, tlv_error, field);
  if (len != TH_CD_CERTIFICATE_ID_LEN)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                   _("The certification declaration’s certificate_id has %zu"
                     " bytes instead of %u"),
                   len, TH_CD_CERTIFICATE_ID_LEN);
      return FALSE;
    }
  memcpy (cd->certificate_id, text, len);
  cd->certificate_id[len] = '\0';
  return TRUE;
}

static gboolean
decode_authorized_paas (ThTlvReader                 *reader,
                        ThCertificationDeclaration  *cd,
                        GError                     **error)
{
  const char *field = "authorized_paa_list";
  gboolean has_member;
  GError *tlv_error = NULL;

  if (!enter_container (reader, TH_TLV_TYPE_ARRAY, field, error))
    return FALSE;

  for (;;)
    {
      const guint8 *key_id;
      gsize len;

      if (!next_member (reader, field, &has_member, error))
        return FALSE;
      if (!has_member)
        break;
      if (cd->n_authorized_paas == TH_CD_MAX_AUTHORIZED_PAAS)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                       _("The certification declaration authorizes more than %u PAAs"),
                       TH_CD_MAX_AUTHORIZED_PAAS);
          return FALSE;
        }
      if (!th_tlv_reader_get_bytes (reader, &key_id, &len, &tlv_error))
        return set_payload_error (error, tlv_error, field);
      if (len != TH_CD_KEY_ID_LEN)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                       _("A key identifier in the certification declaration’s "
                         "authorized_paa_list has %zu bytes instead of %u"),
                       len, TH_CD_KEY_ID_LEN);
          return FALSE;
        }
      memcpy (cd->authorized_paas[cd->n_authorized_paas++], key_id, len);
    }
  if (cd->n_authorized_paas == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                           _("The certification declaration’s authorized_paa_list is empty"));
      return FALSE;
    }
  if (!th_tlv_reader_exit (reader, &tlv_error))
    return set_payload_error (error, tlv_error, field);
  return TRUE;
}

/* Tags 9 to 11 and any later ones. */
static gboolean
decode_optional_fields (ThTlvReader                 *reader,
                        ThCertificationDeclaration  *cd,
                        GError                     **error)
{
  gboolean has_member;
  guint64 value;

  if (!next_member (reader, "payload", &has_member, error))
    return FALSE;

  if (has_member && th_tlv_tag_is_context (th_tlv_reader_get_tag (reader),
                                           TAG_DAC_ORIGIN_VENDOR_ID))
    {
      if (!get_unsigned (reader, "dac_origin_vendor_id", G_MAXUINT16, &value, error))
        return FALSE;
      cd->dac_origin_vendor_id = (guint16) value;
      if (!read_unsigned_field (reader, TAG_DAC_ORIGIN_PRODUCT_ID, "dac_origin_product_id",
                                G_MAXUINT16, &value, error))
        return FALSE;
      cd->dac_origin_product_id = (guint16) value;
      cd->has_dac_origin = TRUE;
      if (!next_member (reader, "payload", &has_member, error))
        return FALSE;
    }

  if (has_member && th_tlv_tag_is_context (th_tlv_reader_get_tag (reader),
                                           TAG_AUTHORIZED_PAA_LIST))
    {
      if (!decode_authorized_paas (reader, cd, error) ||
          !next_member (reader, "payload", &has_member, error))
        return FALSE;
    }

  /* Later versions may append fields; anything else is out of place. */
  while (has_member)
    {
      ThTlvTag tag = th_tlv_reader_get_tag (reader);

      if (tag.kind != TH_TLV_TAG_CONTEXT || tag.number <= TAG_AUTHORIZED_PAA_LIST)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                       _("The certification declaration has an unexpected element at byte %zu"),
                       th_tlv_reader_get_offset (reader));
          return FALSE;
        }
      if (!next_member (reader, "payload", &has_member, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
th_certification_declaration_decode (const guint8                *tlv,
                                     gsize                        len,
                                     ThCertificationDeclaration  *cd,
                                     GError                     **error)
{
  ThCertificationDeclaration result = { 0 };
  ThTlvReader reader;
  GError *tlv_error = NULL;
  gboolean has_member;
  guint64 value;

  g_return_val_if_fail (tlv != NULL || len == 0, FALSE);
  g_return_val_if_fail (cd != NULL, FALSE);

  th_tlv_reader_init (&reader, tlv, len);
  if (!next_member (&reader, "payload", &has_member, error))
    return FALSE;
  if (!has_member)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                           _("The certification declaration’s payload is empty"));
      return FALSE;
    }
  if (th_tlv_reader_get_tag (&reader).kind != TH_TLV_TAG_ANONYMOUS ||
      th_tlv_reader_get_type (&reader) != TH_TLV_TYPE_STRUCTURE)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                           _("The certification declaration’s payload is not an anonymous "
                             "structure"));
      return FALSE;
    }
  if (!enter_container (&reader, TH_TLV_TYPE_STRUCTURE, "payload", error))
    return FALSE;

  if (!read_unsigned_field (&reader, TAG_FORMAT_VERSION, "format_version", G_MAXUINT16,
                            &value, error))
    return FALSE;
  result.format_version = (guint16) value;
  if (result.format_version != 1)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                   _("The certification declaration has format version %u; only version 1 "
                     "is known"),
                   result.format_version);
      return FALSE;
    }

  if (!read_unsigned_field (&reader, TAG_VENDOR_ID, "vendor_id", G_MAXUINT16, &value, error))
    return FALSE;
  result.vendor_id = (guint16) value;

  if (!decode_product_ids (&reader, &result, error))
    return FALSE;

  if (!read_unsigned_field (&reader, TAG_DEVICE_TYPE_ID, "device_type_id", G_MAXUINT32,
                            &value, error))
    return FALSE;
  result.device_type_id = (guint32) value;

  if (!decode_certificate_id (&reader, &result, error))
    return FALSE;

  if (!read_unsigned_field (&reader, TAG_SECURITY_LEVEL, "security_level", G_MAXUINT8,
                            &value, error))
    return FALSE;
  result.security_level = (guint8) value;

  if (!read_unsigned_field (&reader, TAG_SECURITY_INFORMATION, "security_information",
                            G_MAXUINT16, &value, error))
    return FALSE;
  result.security_information = (guint16) value;

  if (!read_unsigned_field (&reader, TAG_VERSION_NUMBER, "version_number", G_MAXUINT16,
                            &value, error))
    return FALSE;
  result.version_number = (guint16) value;

  if (!read_unsigned_field (&reader, TAG_CERTIFICATION_TYPE, "certification_type",
                            TH_CERTIFICATION_TYPE_OFFICIAL, &value, error))
    return FALSE;
  result.certification_type = (ThCertificationType) value;

  if (!decode_optional_fields (&reader, &result, error))
    return FALSE;

  if (!th_tlv_reader_exit (&reader, &tlv_error))
    return set_payload_error (error, tlv_error, "payload");
  if (!next_member (&reader, "payload", &has_member, error))
    return FALSE;
  if (has_member)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                   _("The certification declaration’s payload has bytes after its end, at "
                     "byte %zu"),
                   th_tlv_reader_get_offset (&reader));
      return FALSE;
    }

  *cd = result;
  return TRUE;
}

gboolean
th_certification_declaration_has_product (const ThCertificationDeclaration *cd,
                                          guint16                           product_id)
{
  g_return_val_if_fail (cd != NULL, FALSE);

  for (guint i = 0; i < cd->n_product_ids; i++)
    if (cd->product_ids[i] == product_id)
      return TRUE;
  return FALSE;
}

gboolean
th_certification_declaration_authorizes_paa (const ThCertificationDeclaration *cd,
                                             const guint8 key_id[TH_CD_KEY_ID_LEN])
{
  g_return_val_if_fail (cd != NULL, FALSE);
  g_return_val_if_fail (key_id != NULL, FALSE);

  for (guint i = 0; i < cd->n_authorized_paas; i++)
    if (memcmp (cd->authorized_paas[i], key_id, TH_CD_KEY_ID_LEN) == 0)
      return TRUE;
  return FALSE;
}

/* ---- CMS envelope ---- */

enum
{
  DER_INTEGER = 0x02,
  DER_OCTET_STRING = 0x04,
  DER_NULL = 0x05,
  DER_OID = 0x06,
  DER_SEQUENCE = 0x30,
  DER_SET = 0x31,
  DER_CONTEXT_0_PRIMITIVE = 0x80,
  DER_CONTEXT_0 = 0xA0,
  DER_CONTEXT_1 = 0xA1,
};

/* DER contents of the OIDs the Matter profile uses. */
static const guint8 oid_signed_data[] = { 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02 };
static const guint8 oid_data[] = { 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01 };
static const guint8 oid_sha256[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 };
static const guint8 oid_ecdsa_with_sha256[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02 };

/* A window on the envelope: one element's contents. `base` is the envelope's first byte, for
 * offsets in messages. */
typedef struct
{
  const guint8 *base;
  const guint8 *data;
  gsize len;
  gsize pos;
} DerReader;

static gsize
der_offset (const DerReader *reader)
{
  return (gsize) (reader->data - reader->base) + reader->pos;
}

static int
der_peek_tag (const DerReader *reader)
{
  return reader->pos < reader->len ? reader->data[reader->pos] : -1;
}

/* Reads the next element, which must have the tag `tag`, into `contents`. */
static gboolean
der_read (DerReader   *reader,
          guint8       tag,
          const char  *what,
          DerReader   *contents,
          GError     **error)
{
  gsize offset = der_offset (reader);
  gsize remaining = reader->len - reader->pos;
  const guint8 *p = reader->data + reader->pos;
  gsize header = 2;
  gsize length;

  if (remaining == 0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                   _("The certification declaration’s envelope ends at byte %zu"
                     " where its %s should be"),
                   offset, what);
      return FALSE;
    }
  if (p[0] != tag)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                   _("The certification declaration’s envelope has tag 0x%02X at byte %zu"
                     " where its %s (tag 0x%02X) should be"),
                   p[0], offset, what, tag);
      return FALSE;
    }
  if (remaining < 2)
    goto truncated;

  if (p[1] < 0x80)
    length = p[1];
  else
    {
      gsize n = p[1] & 0x7F;

      /* 0x80 is BER's indefinite length; DER lengths are definite and minimal. */
      if (n == 0 || n > 3)
        goto bad_length;
      if (remaining < 2 + n)
        goto truncated;
      if (p[2] == 0)
        goto bad_length;
      length = 0;
      for (gsize i = 0; i < n; i++)
        length = (length << 8) | p[2 + i];
      if (length < 0x80)
        goto bad_length;
      header += n;
    }
  if (length > remaining - header)
    goto truncated;

  contents->base = reader->base;
  contents->data = p + header;
  contents->len = length;
  contents->pos = 0;
  reader->pos += header + length;
  return TRUE;

truncated:
  g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
               _("The certification declaration’s %s at byte %zu"
                 " runs past the end of its container"),
               what, offset);
  return FALSE;

bad_length:
  g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
               _("The certification declaration’s %s at byte %zu"
                 " has a length that is not minimal DER"),
               what, offset);
  return FALSE;
}

static gboolean
der_expect_end (const DerReader  *reader,
                const char       *what,
                GError          **error)
{
  if (reader->pos == reader->len)
    return TRUE;
  g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
               _("The certification declaration’s %s has unexpected bytes at byte %zu"),
               what, der_offset (reader));
  return FALSE;
}

static gboolean
der_read_oid (DerReader     *reader,
              const guint8  *oid,
              gsize          oid_len,
              const char    *what,
              GError       **error)
{
  gsize offset = der_offset (reader);
  DerReader contents;

  if (!der_read (reader, DER_OID, what, &contents, error))
    return FALSE;
  if (contents.len != oid_len || memcmp (contents.data, oid, oid_len) != 0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                   _("The certification declaration’s %s at byte %zu"
                     " is not the one Matter uses"),
                   what, offset);
      return FALSE;
    }
  return TRUE;
}

static gboolean
der_read_version_3 (DerReader   *reader,
                    const char  *what,
                    GError     **error)
{
  gsize offset = der_offset (reader);
  DerReader contents;

  if (!der_read (reader, DER_INTEGER, what, &contents, error))
    return FALSE;
  if (contents.len != 1 || contents.data[0] != 3)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                   _("The certification declaration’s %s at byte %zu"
                     " is not 3"),
                   what, offset);
      return FALSE;
    }
  return TRUE;
}

/* AlgorithmIdentifier: the OID, then absent or NULL parameters when `null_allowed`. */
static gboolean
der_read_algorithm (DerReader     *reader,
                    const guint8  *oid,
                    gsize          oid_len,
                    gboolean       null_allowed,
                    const char    *what,
                    GError       **error)
{
  DerReader algorithm;
  DerReader parameters;

  if (!der_read (reader, DER_SEQUENCE, what, &algorithm, error) ||
      !der_read_oid (&algorithm, oid, oid_len, what, error))
    return FALSE;
  if (null_allowed && der_peek_tag (&algorithm) == DER_NULL)
    {
      if (!der_read (&algorithm, DER_NULL, what, &parameters, error) ||
          !der_expect_end (&parameters, what, error))
        return FALSE;
    }
  return der_expect_end (&algorithm, what, error);
}

static gboolean
parse_signer_info (DerReader     *signer_infos,
                   ThCdEnvelope  *envelope,
                   GError       **error)
{
  DerReader signer_info;
  DerReader key_id;
  DerReader signature;
  DerReader skipped;

  if (!der_read (signer_infos, DER_SEQUENCE, "SignerInfo", &signer_info, error) ||
      !der_read_version_3 (&signer_info, "SignerInfo version", error) ||
      !der_read (&signer_info, DER_CONTEXT_0_PRIMITIVE, "signer subjectKeyIdentifier",
                 &key_id, error))
    return FALSE;
  if (key_id.len != TH_CD_KEY_ID_LEN)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                   _("The certification declaration’s signer key identifier has %zu"
                     " bytes instead of %u"),
                   key_id.len, TH_CD_KEY_ID_LEN);
      return FALSE;
    }
  if (!der_read_algorithm (&signer_info, oid_sha256, sizeof oid_sha256, TRUE,
                           "signer digest algorithm", error))
    return FALSE;
  if (der_peek_tag (&signer_info) == DER_CONTEXT_0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                   _("The certification declaration has signed attributes at byte %zu"
                     ", which Matter does not use"),
                   der_offset (&signer_info));
      return FALSE;
    }
  if (!der_read_algorithm (&signer_info, oid_ecdsa_with_sha256, sizeof oid_ecdsa_with_sha256,
                           FALSE, "signature algorithm", error) ||
      !der_read (&signer_info, DER_OCTET_STRING, "signature", &signature, error))
    return FALSE;
  if (der_peek_tag (&signer_info) == DER_CONTEXT_1 &&
      !der_read (&signer_info, DER_CONTEXT_1, "unsigned attributes", &skipped, error))
    return FALSE;
  if (!der_expect_end (&signer_info, "SignerInfo", error))
    return FALSE;

  envelope->signer_key_id = key_id.data;
  envelope->signer_key_id_len = key_id.len;
  envelope->signature = signature.data;
  envelope->signature_len = signature.len;
  return TRUE;
}

gboolean
th_cd_envelope_parse (const guint8  *cms,
                      gsize          len,
                      ThCdEnvelope  *envelope,
                      GError       **error)
{
  DerReader input = { cms, cms, len, 0 };
  DerReader content_info, explicit_content, signed_data, digest_algorithms;
  DerReader encap, explicit_econtent, econtent, skipped, signer_infos;
  ThCdEnvelope result = { 0 };

  g_return_val_if_fail (cms != NULL || len == 0, FALSE);
  g_return_val_if_fail (envelope != NULL, FALSE);

  if (len > TH_CD_MAX_ENVELOPE_LEN)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATION_DECLARATION,
                   _("The certification declaration is %zu bytes long; at "
                     "most %u are accepted"),
                   len, TH_CD_MAX_ENVELOPE_LEN);
      return FALSE;
    }

  if (!der_read (&input, DER_SEQUENCE, "ContentInfo", &content_info, error) ||
      !der_expect_end (&input, "envelope", error) ||
      !der_read_oid (&content_info, oid_signed_data, sizeof oid_signed_data,
                     "content type", error) ||
      !der_read (&content_info, DER_CONTEXT_0, "content", &explicit_content, error) ||
      !der_expect_end (&content_info, "ContentInfo", error) ||
      !der_read (&explicit_content, DER_SEQUENCE, "SignedData", &signed_data, error) ||
      !der_expect_end (&explicit_content, "content", error) ||
      !der_read_version_3 (&signed_data, "SignedData version", error))
    return FALSE;

  /* Exactly one digest algorithm: SHA-256. */
  if (!der_read (&signed_data, DER_SET, "digest algorithms", &digest_algorithms, error) ||
      !der_read_algorithm (&digest_algorithms, oid_sha256, sizeof oid_sha256, TRUE,
                           "digest algorithm", error) ||
      !der_expect_end (&digest_algorithms, "digest algorithms", error))
    return FALSE;

  if (!der_read (&signed_data, DER_SEQUENCE, "encapsulated content", &encap, error) ||
      !der_read_oid (&encap, oid_data, sizeof oid_data, "encapsulated content type", error) ||
      !der_read (&encap, DER_CONTEXT_0, "encapsulated content", &explicit_econtent, error) ||
      !der_expect_end (&encap, "encapsulated content", error) ||
      !der_read (&explicit_econtent, DER_OCTET_STRING, "payload", &econtent, error) ||
      !der_expect_end (&explicit_econtent, "encapsulated content", error))
    return FALSE;

  /* Certificates and CRLs are not part of Matter's profile; the signer is found by key id. */
  if (der_peek_tag (&signed_data) == DER_CONTEXT_0 &&
      !der_read (&signed_data, DER_CONTEXT_0, "certificates", &skipped, error))
    return FALSE;
  if (der_peek_tag (&signed_data) == DER_CONTEXT_1 &&
      !der_read (&signed_data, DER_CONTEXT_1, "CRLs", &skipped, error))
    return FALSE;

  if (!der_read (&signed_data, DER_SET, "signer infos", &signer_infos, error) ||
      !parse_signer_info (&signer_infos, &result, error) ||
      !der_expect_end (&signer_infos, "signer infos", error) ||
      !der_expect_end (&signed_data, "SignedData", error))
    return FALSE;

  result.content = econtent.data;
  result.content_len = econtent.len;
  *envelope = result;
  return TRUE;
}

/* ---- Signers ---- */

/* The CSA's published test signing key: it signs the declarations of example and test
 * devices (connectedhomeip's and matter.js's alike). */
static const guint8 csa_test_signer_key_id[TH_CD_KEY_ID_LEN] = {
  0x62, 0xFA, 0x82, 0x33, 0x59, 0xAC, 0xFA, 0xA9, 0x96, 0x3E,
  0x1C, 0xFA, 0x14, 0x0A, 0xDD, 0xF5, 0x04, 0xF3, 0x71, 0x60,
};

typedef struct
{
  X509 *cert;
  ThP256Key *key;
  guint8 key_id[TH_CD_KEY_ID_LEN];
  gboolean is_test;
} Signer;

struct _ThCdSigners
{
  gatomicrefcount ref_count;
  GArray *signers;  /* Signer */
};

G_DEFINE_BOXED_TYPE (ThCdSigners, th_cd_signers, th_cd_signers_ref, th_cd_signers_unref)

static void
signer_clear (Signer *signer)
{
  g_clear_pointer (&signer->cert, X509_free);
  g_clear_pointer (&signer->key, th_p256_key_unref);
}

ThCdSigners *
th_cd_signers_new (void)
{
  ThCdSigners *self = g_new0 (ThCdSigners, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->signers = g_array_new (FALSE, TRUE, sizeof (Signer));
  g_array_set_clear_func (self->signers, (GDestroyNotify) signer_clear);
  return self;
}

ThCdSigners *
th_cd_signers_ref (ThCdSigners *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
th_cd_signers_unref (ThCdSigners *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_array_unref (self->signers);
  g_free (self);
}

/* Takes `cert`. */
static gboolean
add_signer (ThCdSigners  *self,
            X509         *cert,
            gboolean      is_test,
            GError      **error)
{
  g_autoptr(X509) owned = cert;
  Signer signer = { 0 };
  const guint8 *key_id;

  for (guint i = 0; i < self->signers->len; i++)
    if (X509_cmp (g_array_index (self->signers, Signer, i).cert, cert) == 0)
      return TRUE;

  if (!th_x509_get_subject_key_id (cert, &key_id))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_ATTESTATION_CERTIFICATE,
                   _("A certification declaration signer certificate has no %u-byte subject "
                     "key identifier"),
                   TH_CD_KEY_ID_LEN);
      return FALSE;
    }
  signer.key = th_x509_get_p256_key (cert, error);
  if (signer.key == NULL)
    return FALSE;

  memcpy (signer.key_id, key_id, TH_CD_KEY_ID_LEN);
  signer.is_test = is_test || memcmp (key_id, csa_test_signer_key_id, TH_CD_KEY_ID_LEN) == 0;
  signer.cert = g_steal_pointer (&owned);
  g_array_append_val (self->signers, signer);
  return TRUE;
}

gboolean
th_cd_signers_add_data (ThCdSigners   *self,
                        const guint8  *data,
                        gsize          len,
                        gboolean       is_test,
                        GError       **error)
{
  g_autoptr(GPtrArray) certs = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  certs = th_x509_list_from_data (data, len, error);
  if (certs == NULL)
    return FALSE;
  while (certs->len > 0)
    if (!add_signer (self, g_ptr_array_steal_index (certs, 0), is_test, error))
      return FALSE;
  return TRUE;
}

gboolean
th_cd_signers_add_directory (ThCdSigners  *self,
                             const char   *path,
                             gboolean      is_test,
                             GPtrArray   **warnings,
                             GError      **error)
{
  g_autoptr(GPtrArray) certs = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (warnings != NULL, FALSE);

  if (*warnings == NULL)
    *warnings = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  certs = th_x509_list_from_directory (path, *warnings, NULL, error);
  if (certs == NULL)
    return FALSE;

  while (certs->len > 0)
    {
      X509 *cert = g_ptr_array_steal_index (certs, 0);
      g_autoptr(GError) cert_error = NULL;
      g_autofree char *subject = X509_NAME_oneline (X509_get_subject_name (cert), NULL, 0);

      if (!add_signer (self, cert, is_test, &cert_error))
        g_ptr_array_add (*warnings,
                         g_error_new (TH_ERROR, TH_ERROR_TRUST_STORE,
                                      _("The certificate %s in %s was skipped: %s"),
                                      subject != NULL ? subject : "?", path,
                                      cert_error->message));
    }
  return TRUE;
}

guint
th_cd_signers_get_size (ThCdSigners *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->signers->len;
}

gboolean
th_cd_signers_verify (ThCdSigners         *self,
                      const ThCdEnvelope  *envelope,
                      gboolean            *is_test_signer,
                      GError             **error)
{
  const Signer *signer = NULL;
  guint8 raw_signature[TH_P256_SIGNATURE_LEN];

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (envelope != NULL, FALSE);

  if (is_test_signer != NULL)
    *is_test_signer = FALSE;

  for (guint i = 0; i < self->signers->len && signer == NULL; i++)
    {
      const Signer *candidate = &g_array_index (self->signers, Signer, i);

      if (envelope->signer_key_id_len == TH_CD_KEY_ID_LEN &&
          memcmp (candidate->key_id, envelope->signer_key_id, TH_CD_KEY_ID_LEN) == 0)
        signer = candidate;
    }
  if (signer == NULL)
    {
      g_autofree char *hex = g_malloc (envelope->signer_key_id_len * 2 + 1);

      for (gsize i = 0; i < envelope->signer_key_id_len; i++)
        g_snprintf (hex + 2 * i, 3, "%02X", envelope->signer_key_id[i]);
      hex[envelope->signer_key_id_len * 2] = '\0';
      g_set_error (error, TH_ERROR, TH_ERROR_CD_SIGNER_UNKNOWN,
                   _("The certification declaration was signed by an unknown key (key "
                     "identifier %s)"),
                   hex);
      return FALSE;
    }

  if (is_test_signer != NULL)
    *is_test_signer = signer->is_test;
  return th_p256_signature_from_der (envelope->signature, envelope->signature_len,
                                     raw_signature, error) &&
         th_p256_key_verify (signer->key, envelope->content, envelope->content_len,
                             raw_signature, error);
}
