/* th-certificate.c: Matter operational certificates: the structure, its rules, the Matter
 * TLV encoding, signatures and NOC chain validation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "th-certificate-private.h"
#include "th-error.h"
#include "tlv/th-tlv.h"

/* TLV tags of the certificate structure (specification 6.5.2) */
enum
{
  TAG_SERIAL_NUMBER = 1,
  TAG_SIGNATURE_ALGORITHM,
  TAG_ISSUER,
  TAG_NOT_BEFORE,
  TAG_NOT_AFTER,
  TAG_SUBJECT,
  TAG_PUBLIC_KEY_ALGORITHM,
  TAG_ELLIPTIC_CURVE,
  TAG_PUBLIC_KEY,
  TAG_EXTENSIONS,
  TAG_SIGNATURE,
};

/* inside the basic-constraints structure */
#define TAG_IS_CA 1
#define TAG_PATH_LEN 2

/* the only algorithms Matter defines: ecdsa-with-SHA256, id-ecPublicKey, prime256v1 */
#define SIGNATURE_ALGORITHM_ECDSA_SHA256 1
#define PUBLIC_KEY_ALGORITHM_EC 1
#define ELLIPTIC_CURVE_PRIME256V1 1

#define MAX_OPERATIONAL_NODE_ID G_GUINT64_CONSTANT (0xFFFFFFEFFFFFFFFF)
#define KEY_USAGE_ALL 0x1FF
#define CA_KEY_USAGE (TH_KEY_USAGE_KEY_CERT_SIGN | TH_KEY_USAGE_CRL_SIGN)

/* Distinguished names */

static gboolean
is_matter_attribute (ThDnAttributeType type)
{
  return type >= TH_DN_MATTER_NODE_ID && type <= TH_DN_MATTER_NOC_CAT;
}

static gboolean
dn_add (ThDistinguishedName *dn,
        ThDnAttribute        attribute)
{
  if (dn->n_attributes >= TH_CERTIFICATE_MAX_DN_ATTRIBUTES)
    return FALSE;
  dn->attributes[dn->n_attributes++] = attribute;
  return TRUE;
}

gboolean
th_dn_add_matter (ThDistinguishedName *dn,
                  ThDnAttributeType    type,
                  guint64              value)
{
  g_return_val_if_fail (dn != NULL, FALSE);
  g_return_val_if_fail (is_matter_attribute (type), FALSE);

  return dn_add (dn, (ThDnAttribute) { .type = type, .value = value });
}

gboolean
th_dn_add_string (ThDistinguishedName *dn,
                  ThDnAttributeType    type,
                  const char          *string,
                  gboolean             printable)
{
  g_return_val_if_fail (dn != NULL, FALSE);
  g_return_val_if_fail (type >= TH_DN_COMMON_NAME && type < TH_DN_MATTER_NODE_ID, FALSE);
  g_return_val_if_fail (string != NULL, FALSE);

  if (dn->n_attributes >= TH_CERTIFICATE_MAX_DN_ATTRIBUTES)
    return FALSE;
  return dn_add (dn, (ThDnAttribute) {
    .type = type, .string = g_strdup (string), .printable = printable,
  });
}

gboolean
th_dn_get_matter (const ThDistinguishedName *dn,
                  ThDnAttributeType          type,
                  guint64                   *value)
{
  g_return_val_if_fail (dn != NULL, FALSE);

  for (guint i = 0; i < dn->n_attributes; i++)
    if (dn->attributes[i].type == type && is_matter_attribute (type))
      {
        if (value != NULL)
          *value = dn->attributes[i].value;
        return TRUE;
      }
  return FALSE;
}

gboolean
th_dn_equal (const ThDistinguishedName *a,
             const ThDistinguishedName *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a->n_attributes != b->n_attributes)
    return FALSE;
  for (guint i = 0; i < a->n_attributes; i++)
    {
      const ThDnAttribute *x = &a->attributes[i];
      const ThDnAttribute *y = &b->attributes[i];

      if (x->type != y->type || x->value != y->value || x->printable != y->printable
          || g_strcmp0 (x->string, y->string) != 0)
        return FALSE;
    }
  return TRUE;
}

void
th_dn_clear (ThDistinguishedName *dn)
{
  g_return_if_fail (dn != NULL);

  for (guint i = 0; i < dn->n_attributes; i++)
    g_free (dn->attributes[i].string);
  memset (dn, 0, sizeof *dn);
}

void
th_dn_copy (ThDistinguishedName       *dest,
            const ThDistinguishedName *src)
{
  g_return_if_fail (dest != NULL && src != NULL);

  th_dn_clear (dest);
  *dest = *src;
  for (guint i = 0; i < dest->n_attributes; i++)
    dest->attributes[i].string = g_strdup (src->attributes[i].string);
}

/* The structure */

static gpointer
bytes_copy (gconstpointer src,
            gpointer      data)
{
  return g_bytes_ref ((GBytes *) src);
}

ThCertificate *
th_certificate_new (void)
{
  return g_new0 (ThCertificate, 1);
}

ThCertificate *
th_certificate_copy (const ThCertificate *cert)
{
  ThCertificate *copy;

  g_return_val_if_fail (cert != NULL, NULL);

  copy = g_new (ThCertificate, 1);
  *copy = *cert;
  copy->issuer = (ThDistinguishedName) { 0 };
  copy->subject = (ThDistinguishedName) { 0 };
  th_dn_copy (&copy->issuer, &cert->issuer);
  th_dn_copy (&copy->subject, &cert->subject);
  if (cert->future_extensions != NULL)
    copy->future_extensions = g_ptr_array_copy (cert->future_extensions, bytes_copy, NULL);
  return copy;
}

void
th_certificate_free (ThCertificate *cert)
{
  if (cert == NULL)
    return;
  th_dn_clear (&cert->issuer);
  th_dn_clear (&cert->subject);
  g_clear_pointer (&cert->future_extensions, g_ptr_array_unref);
  g_free (cert);
}

/* The rules */

static gboolean
set_invalid (GError    **error,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
set_invalid (GError    **error,
             const char *format,
             ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, TH_ERROR, TH_ERROR_CERTIFICATE_INVALID, message);
  return FALSE;
}

static gboolean
is_printable_string (const char *s)
{
  for (; *s != '\0'; s++)
    if (!g_ascii_isalnum (*s) && strchr (" '()+,-./:=?", *s) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
is_ascii (const char *s)
{
  for (; *s != '\0'; s++)
    if ((guchar) *s >= 0x80)
      return FALSE;
  return TRUE;
}

static gboolean
check_attribute (const ThDnAttribute *attribute,
                 const char          *dn_name,
                 guint                index,
                 GError             **error)
{
  ThDnAttributeType type = attribute->type;

  if (type < TH_DN_COMMON_NAME || type > TH_DN_MATTER_NOC_CAT)
    return set_invalid (error, _("Attribute %u of the %s has the unknown type %u"),
                        index + 1, dn_name, type);
  if (type == TH_DN_MATTER_FIRMWARE_SIGNING_ID)
    return set_invalid (error, _("Attribute %u of the %s is a firmware-signing id, which "
                                 "operational certificates do not carry"), index + 1, dn_name);
  if (is_matter_attribute (type))
    {
      if (attribute->string != NULL || attribute->printable)
        return set_invalid (error, _("Attribute %u of the %s must be a number"),
                            index + 1, dn_name);
      if (type == TH_DN_MATTER_NODE_ID
          && (attribute->value == 0 || attribute->value > MAX_OPERATIONAL_NODE_ID))
        return set_invalid (error, _("The node id 0x%016" G_GINT64_MODIFIER "X in the %s is "
                                     "not an operational node id"), attribute->value, dn_name);
      if (type == TH_DN_MATTER_FABRIC_ID && attribute->value == 0)
        return set_invalid (error, _("The fabric id in the %s is 0"), dn_name);
      if (type == TH_DN_MATTER_NOC_CAT
          && (attribute->value > G_MAXUINT32 || (attribute->value & 0xFFFF) == 0))
        return set_invalid (error, _("The CASE Authenticated Tag 0x%" G_GINT64_MODIFIER "X in "
                                     "the %s is invalid (32 bits, version not 0)"),
                            attribute->value, dn_name);
      return TRUE;
    }

  if (attribute->string == NULL)
    return set_invalid (error, _("Attribute %u of the %s must be a string"), index + 1, dn_name);
  if (strlen (attribute->string) > TH_CERTIFICATE_MAX_STRING_LEN
      || !g_utf8_validate (attribute->string, -1, NULL))
    return set_invalid (error, _("Attribute %u of the %s is not UTF-8 of at most %d bytes"),
                        index + 1, dn_name, TH_CERTIFICATE_MAX_STRING_LEN);
  /* X.509 always writes a domain component as an IA5String */
  if (type == TH_DN_DOMAIN_COMPONENT && (attribute->printable || !is_ascii (attribute->string)))
    return set_invalid (error, _("The domain component in the %s must be ASCII and not marked "
                                 "printable"), dn_name);
  if (attribute->printable && !is_printable_string (attribute->string))
    return set_invalid (error, _("Attribute %u of the %s has characters a PrintableString "
                                 "cannot hold"), index + 1, dn_name);
  return TRUE;
}

static gboolean
check_dn (const ThDistinguishedName *dn,
          gboolean                   is_issuer,
          GError                   **error)
{
  const char *dn_name = is_issuer ? _("issuer") : _("subject");
  guint n_ids = 0;
  guint n_fabric_ids = 0;
  guint n_cats = 0;
  gboolean has_node_id = FALSE;
  guint32 cats[TH_CERTIFICATE_MAX_DN_ATTRIBUTES];

  if (dn->n_attributes == 0 || dn->n_attributes > TH_CERTIFICATE_MAX_DN_ATTRIBUTES)
    return set_invalid (error, _("The %s must have between 1 and %d attributes"),
                        dn_name, TH_CERTIFICATE_MAX_DN_ATTRIBUTES);
  for (guint i = 0; i < dn->n_attributes; i++)
    {
      const ThDnAttribute *attribute = &dn->attributes[i];

      if (!check_attribute (attribute, dn_name, i, error))
        return FALSE;
      switch ((int) attribute->type)
        {
        case TH_DN_MATTER_NODE_ID:
          has_node_id = TRUE;
          n_ids++;
          break;
        case TH_DN_MATTER_ICAC_ID:
        case TH_DN_MATTER_RCAC_ID:
          n_ids++;
          break;
        case TH_DN_MATTER_FABRIC_ID:
          n_fabric_ids++;
          break;
        case TH_DN_MATTER_NOC_CAT:
          for (guint j = 0; j < n_cats; j++)
            if (cats[j] >> 16 == attribute->value >> 16)
              return set_invalid (error, _("The %s has two CASE Authenticated Tags with the "
                                           "identifier 0x%04X"), dn_name,
                                  (guint) (attribute->value >> 16));
          cats[n_cats++] = (guint32) attribute->value;
          break;
        default:
          break;
        }
    }

  if (n_ids != 1)
    return set_invalid (error, _("The %s must have exactly one node, ICAC or RCAC id"),
                        dn_name);
  if (is_issuer && has_node_id)
    return set_invalid (error, _("The issuer is a node: only an ICAC or RCAC issues"));
  if (n_fabric_ids > 1)
    return set_invalid (error, _("The %s has more than one fabric id"), dn_name);
  if (n_cats > TH_CERTIFICATE_MAX_CATS)
    return set_invalid (error, _("The %s has more than %d CASE Authenticated Tags"),
                        dn_name, TH_CERTIFICATE_MAX_CATS);
  if (n_cats > 0 && !has_node_id)
    return set_invalid (error, _("Only a node's subject may have CASE Authenticated Tags"));
  return TRUE;
}

static gboolean
check_serial (const ThCertificate *cert,
              GError             **error)
{
  const guint8 *s = cert->serial;

  if (cert->serial_len == 0 || cert->serial_len > TH_CERTIFICATE_MAX_SERIAL_LEN)
    return set_invalid (error, _("The serial number must be 1 to %d bytes long"),
                        TH_CERTIFICATE_MAX_SERIAL_LEN);
  if (s[0] & 0x80)
    return set_invalid (error, _("The serial number is negative"));
  if (cert->serial_len > 1 && s[0] == 0 && !(s[1] & 0x80))
    return set_invalid (error, _("The serial number has a superfluous leading zero byte"));
  return TRUE;
}

static const char *
extension_name (ThExtensionType type)
{
  switch (type)
    {
    case TH_EXTENSION_BASIC_CONSTRAINTS:
      return _("basic constraints");
    case TH_EXTENSION_KEY_USAGE:
      return _("key usage");
    case TH_EXTENSION_EXTENDED_KEY_USAGE:
      return _("extended key usage");
    case TH_EXTENSION_SUBJECT_KEY_ID:
      return _("subject key identifier");
    case TH_EXTENSION_AUTHORITY_KEY_ID:
      return _("authority key identifier");
    case TH_EXTENSION_FUTURE:
    default:
      return _("other extension");
    }
}

static gboolean
check_extensions (const ThCertificate *cert,
                  GError             **error)
{
  guint seen = 0;
  guint n_future = 0;
  guint n_given = cert->future_extensions != NULL ? cert->future_extensions->len : 0;
  const guint required[] = {
    TH_EXTENSION_BASIC_CONSTRAINTS, TH_EXTENSION_KEY_USAGE,
    TH_EXTENSION_SUBJECT_KEY_ID, TH_EXTENSION_AUTHORITY_KEY_ID,
  };

  if (cert->n_extensions > TH_CERTIFICATE_MAX_EXTENSIONS)
    return set_invalid (error, _("The certificate has more than %d extensions"),
                        TH_CERTIFICATE_MAX_EXTENSIONS);
  for (guint i = 0; i < cert->n_extensions; i++)
    {
      ThExtensionType type = cert->extensions[i];

      if (type < TH_EXTENSION_BASIC_CONSTRAINTS || type > TH_EXTENSION_FUTURE)
        return set_invalid (error, _("Extension %u has the unknown type %u"), i + 1, type);
      if (type == TH_EXTENSION_FUTURE)
        {
          n_future++;
          continue;
        }
      if (seen & (1u << type))
        return set_invalid (error, _("The %s extension appears twice"), extension_name (type));
      seen |= 1u << type;
    }
  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    if (!(seen & (1u << required[i])))
      return set_invalid (error, _("The %s extension is missing"),
                          extension_name (required[i]));
  if (n_future != n_given)
    return set_invalid (error, _("The certificate lists %u other extensions but holds %u"),
                        n_future, n_given);

  if (cert->has_path_len && !cert->is_ca)
    return set_invalid (error, _("A path length constraint is only allowed for a CA"));
  if (cert->key_usage == 0 || (cert->key_usage & ~KEY_USAGE_ALL) != 0)
    return set_invalid (error, _("The key usage 0x%X is invalid"), cert->key_usage);

  if (seen & (1u << TH_EXTENSION_EXTENDED_KEY_USAGE))
    {
      guint purposes_seen = 0;

      if (cert->n_key_purposes == 0 || cert->n_key_purposes > G_N_ELEMENTS (cert->key_purposes))
        return set_invalid (error, _("The extended key usage must list 1 to %d purposes"),
                            (int) G_N_ELEMENTS (cert->key_purposes));
      for (guint i = 0; i < cert->n_key_purposes; i++)
        {
          guint purpose = cert->key_purposes[i];

          if (purpose < TH_KEY_PURPOSE_SERVER_AUTH || purpose > TH_KEY_PURPOSE_OCSP_SIGNING)
            return set_invalid (error, _("The key purpose %u is unknown"), purpose);
          if (purposes_seen & (1u << purpose))
            return set_invalid (error, _("The key purpose %u is listed twice"), purpose);
          purposes_seen |= 1u << purpose;
        }
    }

  for (guint i = 0; i < n_given; i++)
    {
      const guint8 *oid;
      gsize oid_len;

      if (!th_certificate_check_future_extension (g_ptr_array_index (cert->future_extensions, i),
                                                  &oid, &oid_len, error))
        return FALSE;
      for (guint j = 0; j < i; j++)
        {
          const guint8 *other;
          gsize other_len;

          th_certificate_check_future_extension (g_ptr_array_index (cert->future_extensions, j),
                                                 &other, &other_len, NULL);
          if (oid_len == other_len && memcmp (oid, other, oid_len) == 0)
            return set_invalid (error, _("Two extensions have the same OID"));
        }
    }
  return TRUE;
}

gboolean
th_certificate_check (const ThCertificate *cert,
                      GError             **error)
{
  g_autoptr(ThP256Key) key = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!check_serial (cert, error)
      || !check_dn (&cert->issuer, TRUE, error)
      || !check_dn (&cert->subject, FALSE, error))
    return FALSE;
  /* 0 would stand for 99991231235959Z, which makes no sense as a start */
  if (cert->not_before == 0)
    return set_invalid (error, _("The not-before time is 0"));
  if (cert->not_after != TH_CERTIFICATE_NO_EXPIRY && cert->not_after <= cert->not_before)
    return set_invalid (error, _("The not-after time is not later than the not-before time"));
  key = th_p256_key_new_from_public (cert->public_key, &local_error);
  if (key == NULL)
    return set_invalid (error, _("The public key is not a valid P-256 point: %s"),
                        local_error->message);
  return check_extensions (cert, error);
}

/* The Matter TLV encoding */

static gboolean
tlv_failed (GError **error,
            GError  *tlv_error)
{
  set_invalid (error, _("The certificate is not well-formed TLV: %s"), tlv_error->message);
  g_error_free (tlv_error);
  return FALSE;
}

/* Moves to the next member, which must be `tag` of `type`. */
static gboolean
next_field (ThTlvReader *reader,
            guint8       tag,
            ThTlvType    type,
            const char  *name,
            GError     **error)
{
  GError *tlv_error = NULL;

  if (!th_tlv_reader_next (reader, &tlv_error))
    {
      if (tlv_error != NULL)
        return tlv_failed (error, tlv_error);
      return set_invalid (error, _("The %s field (tag %u) is missing"), name, tag);
    }
  if (!th_tlv_tag_is_context (th_tlv_reader_get_tag (reader), tag))
    return set_invalid (error, _("Expected the %s field (tag %u) at byte %zu"), name, tag,
                        th_tlv_reader_get_offset (reader));
  if (th_tlv_reader_get_type (reader) != type)
    return set_invalid (error, _("The %s field at byte %zu has the wrong type"), name,
                        th_tlv_reader_get_offset (reader));
  return TRUE;
}

static gboolean
read_uint (ThTlvReader *reader,
           guint8       tag,
           const char  *name,
           guint64      max,
           guint64     *value,
           GError     **error)
{
  GError *tlv_error = NULL;

  if (!next_field (reader, tag, TH_TLV_TYPE_UNSIGNED_INT, name, error))
    return FALSE;
  if (!th_tlv_reader_get_uint (reader, value, &tlv_error))
    return tlv_failed (error, tlv_error);
  if (*value > max)
    return set_invalid (error, _("The %s field at byte %zu is out of range"), name,
                        th_tlv_reader_get_offset (reader));
  return TRUE;
}

static gboolean
read_bytes (ThTlvReader   *reader,
            guint8         tag,
            const char    *name,
            const guint8 **bytes,
            gsize         *len,
            GError       **error)
{
  GError *tlv_error = NULL;

  if (!next_field (reader, tag, TH_TLV_TYPE_BYTE_STRING, name, error))
    return FALSE;
  if (!th_tlv_reader_get_bytes (reader, bytes, len, &tlv_error))
    return tlv_failed (error, tlv_error);
  return TRUE;
}

static gboolean
read_fixed_bytes (ThTlvReader *reader,
                  guint8       tag,
                  const char  *name,
                  guint8      *out,
                  gsize        expected_len,
                  GError     **error)
{
  const guint8 *bytes;
  gsize len;

  if (!read_bytes (reader, tag, name, &bytes, &len, error))
    return FALSE;
  if (len != expected_len)
    return set_invalid (error, _("The %s field at byte %zu must be %zu bytes long"), name,
                        th_tlv_reader_get_offset (reader), expected_len);
  memcpy (out, bytes, len);
  return TRUE;
}

static gboolean
enter (ThTlvReader *reader,
       GError     **error)
{
  GError *tlv_error = NULL;

  if (!th_tlv_reader_enter (reader, &tlv_error))
    return tlv_failed (error, tlv_error);
  return TRUE;
}

/* After the last expected member of a container: nothing more may follow. */
static gboolean
expect_end (ThTlvReader *reader,
            const char  *container,
            GError     **error)
{
  GError *tlv_error = NULL;

  if (th_tlv_reader_next (reader, &tlv_error))
    return set_invalid (error, _("Unexpected element at byte %zu of the %s"),
                        th_tlv_reader_get_offset (reader), container);
  if (tlv_error != NULL)
    return tlv_failed (error, tlv_error);
  if (!th_tlv_reader_exit (reader, &tlv_error))
    return tlv_failed (error, tlv_error);
  return TRUE;
}

static gboolean
decode_dn (ThTlvReader         *reader,
           guint8               tag,
           const char          *name,
           ThDistinguishedName *dn,
           GError             **error)
{
  GError *tlv_error = NULL;

  if (!next_field (reader, tag, TH_TLV_TYPE_LIST, name, error) || !enter (reader, error))
    return FALSE;
  while (th_tlv_reader_next (reader, &tlv_error))
    {
      ThTlvTag attribute_tag = th_tlv_reader_get_tag (reader);
      ThDnAttribute attribute = { 0 };
      gsize offset = th_tlv_reader_get_offset (reader);

      if (attribute_tag.kind != TH_TLV_TAG_CONTEXT)
        return set_invalid (error, _("The %s attribute at byte %zu has no context tag"),
                            name, offset);
      if (dn->n_attributes == TH_CERTIFICATE_MAX_DN_ATTRIBUTES)
        return set_invalid (error, _("The %s has more than %d attributes"), name,
                            TH_CERTIFICATE_MAX_DN_ATTRIBUTES);
      attribute.type = attribute_tag.number & ~TH_DN_PRINTABLE_FLAG;
      attribute.printable = (attribute_tag.number & TH_DN_PRINTABLE_FLAG) != 0;
      if (is_matter_attribute (attribute.type) && !attribute.printable)
        {
          if (!th_tlv_reader_get_uint (reader, &attribute.value, &tlv_error))
            return tlv_failed (error, tlv_error);
        }
      else if (th_tlv_reader_get_type (reader) == TH_TLV_TYPE_UTF8_STRING)
        {
          const char *string;
          gsize len;

          if (!th_tlv_reader_get_string (reader, &string, &len, &tlv_error))
            return tlv_failed (error, tlv_error);
          if (len > TH_CERTIFICATE_MAX_STRING_LEN)
            return set_invalid (error, _("The %s attribute at byte %zu is too long"),
                                name, offset);
          attribute.string = g_strndup (string, len);
        }
      else
        {
          return set_invalid (error, _("The %s attribute at byte %zu has the wrong type"),
                              name, offset);
        }
      dn->attributes[dn->n_attributes++] = attribute;
    }
  if (tlv_error != NULL)
    return tlv_failed (error, tlv_error);
  if (!th_tlv_reader_exit (reader, &tlv_error))
    return tlv_failed (error, tlv_error);
  return TRUE;
}

static gboolean
decode_basic_constraints (ThTlvReader   *reader,
                          ThCertificate *cert,
                          GError       **error)
{
  GError *tlv_error = NULL;
  guint64 path_len;

  if (th_tlv_reader_get_type (reader) != TH_TLV_TYPE_STRUCTURE)
    return set_invalid (error, _("The basic constraints at byte %zu are not a structure"),
                        th_tlv_reader_get_offset (reader));
  if (!enter (reader, error)
      || !next_field (reader, TAG_IS_CA, TH_TLV_TYPE_BOOLEAN, _("is-ca"), error))
    return FALSE;
  if (!th_tlv_reader_get_bool (reader, &cert->is_ca, &tlv_error))
    return tlv_failed (error, tlv_error);
  /* the path length is optional: look ahead on a copy of the reader */
  {
    ThTlvReader ahead = *reader;

    if (th_tlv_reader_next (&ahead, NULL)
        && th_tlv_tag_is_context (th_tlv_reader_get_tag (&ahead), TAG_PATH_LEN))
      {
        if (!read_uint (reader, TAG_PATH_LEN, _("path length"), G_MAXUINT8, &path_len, error))
          return FALSE;
        cert->has_path_len = TRUE;
        cert->path_len = (guint8) path_len;
      }
  }
  return expect_end (reader, _("basic constraints"), error);
}

static gboolean
decode_key_purposes (ThTlvReader   *reader,
                     ThCertificate *cert,
                     GError       **error)
{
  GError *tlv_error = NULL;

  if (th_tlv_reader_get_type (reader) != TH_TLV_TYPE_ARRAY)
    return set_invalid (error, _("The extended key usage at byte %zu is not an array"),
                        th_tlv_reader_get_offset (reader));
  if (!enter (reader, error))
    return FALSE;
  while (th_tlv_reader_next (reader, &tlv_error))
    {
      guint8 purpose;

      if (cert->n_key_purposes == G_N_ELEMENTS (cert->key_purposes))
        return set_invalid (error, _("The extended key usage lists too many purposes"));
      if (!th_tlv_reader_get_uint8 (reader, &purpose, &tlv_error))
        return tlv_failed (error, tlv_error);
      cert->key_purposes[cert->n_key_purposes++] = purpose;
    }
  if (tlv_error != NULL)
    return tlv_failed (error, tlv_error);
  if (!th_tlv_reader_exit (reader, &tlv_error))
    return tlv_failed (error, tlv_error);
  return TRUE;
}

static gboolean
decode_key_id (ThTlvReader *reader,
               guint8      *out,
               const char  *name,
               GError     **error)
{
  GError *tlv_error = NULL;
  const guint8 *bytes;
  gsize len;

  if (!th_tlv_reader_get_bytes (reader, &bytes, &len, &tlv_error))
    return tlv_failed (error, tlv_error);
  if (len != TH_CERTIFICATE_KEY_ID_LEN)
    return set_invalid (error, _("The %s at byte %zu must be %d bytes long"), name,
                        th_tlv_reader_get_offset (reader), TH_CERTIFICATE_KEY_ID_LEN);
  memcpy (out, bytes, len);
  return TRUE;
}

static gboolean
decode_extensions (ThTlvReader   *reader,
                   ThCertificate *cert,
                   GError       **error)
{
  GError *tlv_error = NULL;

  if (!next_field (reader, TAG_EXTENSIONS, TH_TLV_TYPE_LIST, _("extensions"), error)
      || !enter (reader, error))
    return FALSE;
  while (th_tlv_reader_next (reader, &tlv_error))
    {
      ThTlvTag tag = th_tlv_reader_get_tag (reader);
      gsize offset = th_tlv_reader_get_offset (reader);
      gboolean ok;

      if (tag.kind != TH_TLV_TAG_CONTEXT || tag.number < TH_EXTENSION_BASIC_CONSTRAINTS
          || tag.number > TH_EXTENSION_FUTURE)
        return set_invalid (error, _("Unknown extension at byte %zu"), offset);
      if (cert->n_extensions == TH_CERTIFICATE_MAX_EXTENSIONS)
        return set_invalid (error, _("The certificate has more than %d extensions"),
                            TH_CERTIFICATE_MAX_EXTENSIONS);
      cert->extensions[cert->n_extensions++] = tag.number;
      switch (tag.number)
        {
        case TH_EXTENSION_BASIC_CONSTRAINTS:
          ok = decode_basic_constraints (reader, cert, error);
          break;
        case TH_EXTENSION_KEY_USAGE:
          {
            guint16 key_usage;

            ok = th_tlv_reader_get_uint16 (reader, &key_usage, &tlv_error);
            cert->key_usage = key_usage;
          }
          break;
        case TH_EXTENSION_EXTENDED_KEY_USAGE:
          ok = decode_key_purposes (reader, cert, error);
          break;
        case TH_EXTENSION_SUBJECT_KEY_ID:
          ok = decode_key_id (reader, cert->subject_key_id, _("subject key identifier"),
                              error);
          break;
        case TH_EXTENSION_AUTHORITY_KEY_ID:
          ok = decode_key_id (reader, cert->authority_key_id, _("authority key identifier"),
                              error);
          break;
        case TH_EXTENSION_FUTURE:
        default:
          {
            const guint8 *bytes;
            gsize len;

            ok = th_tlv_reader_get_bytes (reader, &bytes, &len, &tlv_error);
            if (ok)
              {
                if (cert->future_extensions == NULL)
                  cert->future_extensions =
                    g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
                g_ptr_array_add (cert->future_extensions, g_bytes_new (bytes, len));
              }
          }
          break;
        }
      if (tlv_error != NULL)
        return tlv_failed (error, tlv_error);
      if (!ok)
        return FALSE;
    }
  if (tlv_error != NULL)
    return tlv_failed (error, tlv_error);
  if (!th_tlv_reader_exit (reader, &tlv_error))
    return tlv_failed (error, tlv_error);
  return TRUE;
}

ThCertificate *
th_certificate_decode_tlv (const guint8 *tlv,
                           gsize         len,
                           GError      **error)
{
  g_autoptr(ThCertificate) cert = th_certificate_new ();
  g_autoptr(GBytes) x509 = NULL;
  GError *tlv_error = NULL;
  ThTlvReader reader;
  const guint8 *serial;
  gsize serial_len;
  guint64 value;

  g_return_val_if_fail (tlv != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len > TH_CERTIFICATE_MAX_TLV_LEN)
    {
      set_invalid (error, _("The certificate is %zu bytes long; Matter allows at most %d"),
                   len, TH_CERTIFICATE_MAX_TLV_LEN);
      return NULL;
    }
  th_tlv_reader_init (&reader, tlv, len);
  if (!th_tlv_reader_next (&reader, &tlv_error))
    {
      if (tlv_error != NULL)
        tlv_failed (error, tlv_error);
      else
        set_invalid (error, _("The certificate is empty"));
      return NULL;
    }
  if (th_tlv_reader_get_type (&reader) != TH_TLV_TYPE_STRUCTURE
      || th_tlv_reader_get_tag (&reader).kind != TH_TLV_TAG_ANONYMOUS)
    {
      set_invalid (error, _("The certificate is not an anonymous TLV structure"));
      return NULL;
    }
  if (!enter (&reader, error)
      || !read_bytes (&reader, TAG_SERIAL_NUMBER, _("serial number"), &serial, &serial_len,
                      error))
    return NULL;
  if (serial_len == 0 || serial_len > TH_CERTIFICATE_MAX_SERIAL_LEN)
    {
      set_invalid (error, _("The serial number must be 1 to %d bytes long"),
                   TH_CERTIFICATE_MAX_SERIAL_LEN);
      return NULL;
    }
  memcpy (cert->serial, serial, serial_len);
  cert->serial_len = serial_len;

  if (!read_uint (&reader, TAG_SIGNATURE_ALGORITHM, _("signature algorithm"), G_MAXUINT8,
                  &value, error))
    return NULL;
  if (value != SIGNATURE_ALGORITHM_ECDSA_SHA256)
    {
      set_invalid (error, _("The signature algorithm %u is not ECDSA with SHA-256"),
                   (guint) value);
      return NULL;
    }
  if (!decode_dn (&reader, TAG_ISSUER, _("issuer"), &cert->issuer, error)
      || !read_uint (&reader, TAG_NOT_BEFORE, _("not-before"), G_MAXUINT32, &value, error))
    return NULL;
  cert->not_before = (guint32) value;
  if (!read_uint (&reader, TAG_NOT_AFTER, _("not-after"), G_MAXUINT32, &value, error))
    return NULL;
  cert->not_after = (guint32) value;
  if (!decode_dn (&reader, TAG_SUBJECT, _("subject"), &cert->subject, error)
      || !read_uint (&reader, TAG_PUBLIC_KEY_ALGORITHM, _("public key algorithm"), G_MAXUINT8,
                     &value, error))
    return NULL;
  if (value != PUBLIC_KEY_ALGORITHM_EC)
    {
      set_invalid (error, _("The public key algorithm %u is not EC"), (guint) value);
      return NULL;
    }
  if (!read_uint (&reader, TAG_ELLIPTIC_CURVE, _("elliptic curve"), G_MAXUINT8, &value, error))
    return NULL;
  if (value != ELLIPTIC_CURVE_PRIME256V1)
    {
      set_invalid (error, _("The elliptic curve %u is not P-256"), (guint) value);
      return NULL;
    }
  if (!read_fixed_bytes (&reader, TAG_PUBLIC_KEY, _("public key"), cert->public_key,
                         TH_P256_PUBLIC_KEY_LEN, error)
      || !decode_extensions (&reader, cert, error)
      || !read_fixed_bytes (&reader, TAG_SIGNATURE, _("signature"), cert->signature,
                            TH_P256_SIGNATURE_LEN, error)
      || !expect_end (&reader, _("certificate"), error))
    return NULL;
  if (th_tlv_reader_next (&reader, &tlv_error) || tlv_error != NULL)
    {
      g_clear_error (&tlv_error);
      set_invalid (error, _("Unexpected data after the certificate at byte %zu"),
                   th_tlv_reader_get_offset (&reader));
      return NULL;
    }
  if (!th_certificate_check (cert, error))
    return NULL;
  /* what verifies the signature is the X.509 form, so it must exist within its bounds */
  x509 = th_certificate_encode_x509 (cert, error);
  if (x509 == NULL)
    return NULL;
  return g_steal_pointer (&cert);
}

static void
encode_dn (ThTlvWriter               *writer,
           guint8                     tag,
           const ThDistinguishedName *dn)
{
  th_tlv_writer_start_list (writer, TH_TLV_CONTEXT (tag));
  for (guint i = 0; i < dn->n_attributes; i++)
    {
      const ThDnAttribute *attribute = &dn->attributes[i];

      if (is_matter_attribute (attribute->type))
        th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (attribute->type), attribute->value);
      else
        th_tlv_writer_put_string (writer,
                                  TH_TLV_CONTEXT (attribute->type
                                                  | (attribute->printable ? TH_DN_PRINTABLE_FLAG
                                                                          : 0)),
                                  attribute->string, -1);
    }
  th_tlv_writer_end_container (writer);
}

GBytes *
th_certificate_encode_tlv (const ThCertificate *cert,
                           GError             **error)
{
  g_auto(ThTlvWriter) writer = { 0 };
  guint future_index = 0;

  g_return_val_if_fail (cert != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!th_certificate_check (cert, error))
    return NULL;

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (TAG_SERIAL_NUMBER), cert->serial,
                           cert->serial_len);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TAG_SIGNATURE_ALGORITHM),
                          SIGNATURE_ALGORITHM_ECDSA_SHA256);
  encode_dn (&writer, TAG_ISSUER, &cert->issuer);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TAG_NOT_BEFORE), cert->not_before);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TAG_NOT_AFTER), cert->not_after);
  encode_dn (&writer, TAG_SUBJECT, &cert->subject);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TAG_PUBLIC_KEY_ALGORITHM),
                          PUBLIC_KEY_ALGORITHM_EC);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TAG_ELLIPTIC_CURVE),
                          ELLIPTIC_CURVE_PRIME256V1);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (TAG_PUBLIC_KEY), cert->public_key,
                           TH_P256_PUBLIC_KEY_LEN);

  th_tlv_writer_start_list (&writer, TH_TLV_CONTEXT (TAG_EXTENSIONS));
  for (guint i = 0; i < cert->n_extensions; i++)
    {
      ThTlvTag tag = TH_TLV_CONTEXT (cert->extensions[i]);

      switch (cert->extensions[i])
        {
        case TH_EXTENSION_BASIC_CONSTRAINTS:
          th_tlv_writer_start_structure (&writer, tag);
          th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (TAG_IS_CA), cert->is_ca);
          if (cert->has_path_len)
            th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TAG_PATH_LEN), cert->path_len);
          th_tlv_writer_end_container (&writer);
          break;
        case TH_EXTENSION_KEY_USAGE:
          th_tlv_writer_put_uint (&writer, tag, cert->key_usage);
          break;
        case TH_EXTENSION_EXTENDED_KEY_USAGE:
          th_tlv_writer_start_array (&writer, tag);
          for (guint j = 0; j < cert->n_key_purposes; j++)
            th_tlv_writer_put_uint (&writer, TH_TLV_ANONYMOUS, cert->key_purposes[j]);
          th_tlv_writer_end_container (&writer);
          break;
        case TH_EXTENSION_SUBJECT_KEY_ID:
          th_tlv_writer_put_bytes (&writer, tag, cert->subject_key_id,
                                   TH_CERTIFICATE_KEY_ID_LEN);
          break;
        case TH_EXTENSION_AUTHORITY_KEY_ID:
          th_tlv_writer_put_bytes (&writer, tag, cert->authority_key_id,
                                   TH_CERTIFICATE_KEY_ID_LEN);
          break;
        case TH_EXTENSION_FUTURE:
        default:
          {
            GBytes *der = g_ptr_array_index (cert->future_extensions, future_index++);

            th_tlv_writer_put_bytes (&writer, tag, g_bytes_get_data (der, NULL),
                                     g_bytes_get_size (der));
          }
          break;
        }
    }
  th_tlv_writer_end_container (&writer);

  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (TAG_SIGNATURE), cert->signature,
                           TH_P256_SIGNATURE_LEN);
  th_tlv_writer_end_container (&writer);

  {
    gsize len;

    th_tlv_writer_peek (&writer, &len);
    if (len > TH_CERTIFICATE_MAX_TLV_LEN)
      {
        set_invalid (error, _("The certificate would be %zu bytes long; Matter allows at "
                              "most %d"), len, TH_CERTIFICATE_MAX_TLV_LEN);
        return NULL;
      }
  }
  return th_tlv_writer_finish (&writer);
}

/* Accessors */

ThCertificateKind
th_certificate_get_kind (const ThCertificate *cert)
{
  g_return_val_if_fail (cert != NULL, TH_CERTIFICATE_KIND_NODE);

  if (th_dn_get_matter (&cert->subject, TH_DN_MATTER_RCAC_ID, NULL))
    return TH_CERTIFICATE_KIND_ROOT;
  if (th_dn_get_matter (&cert->subject, TH_DN_MATTER_ICAC_ID, NULL))
    return TH_CERTIFICATE_KIND_ICA;
  return TH_CERTIFICATE_KIND_NODE;
}

guint64
th_certificate_get_node_id (const ThCertificate *cert)
{
  guint64 value = 0;

  g_return_val_if_fail (cert != NULL, 0);

  th_dn_get_matter (&cert->subject, TH_DN_MATTER_NODE_ID, &value);
  return value;
}

guint64
th_certificate_get_fabric_id (const ThCertificate *cert)
{
  guint64 value = 0;

  g_return_val_if_fail (cert != NULL, 0);

  th_dn_get_matter (&cert->subject, TH_DN_MATTER_FABRIC_ID, &value);
  return value;
}

guint
th_certificate_get_cats (const ThCertificate *cert,
                         guint32              cats[TH_CERTIFICATE_MAX_CATS])
{
  guint n = 0;

  g_return_val_if_fail (cert != NULL, 0);

  for (guint i = 0; i < cert->subject.n_attributes && n < TH_CERTIFICATE_MAX_CATS; i++)
    if (cert->subject.attributes[i].type == TH_DN_MATTER_NOC_CAT)
      cats[n++] = (guint32) cert->subject.attributes[i].value;
  return n;
}

/* Signatures */

gboolean
th_certificate_sign (ThCertificate *cert,
                     ThP256Key     *issuer_key,
                     GError       **error)
{
  g_autoptr(GBytes) tbs = NULL;

  g_return_val_if_fail (cert != NULL, FALSE);
  g_return_val_if_fail (issuer_key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  tbs = th_certificate_encode_tbs (cert, error);
  if (tbs == NULL)
    return FALSE;
  return th_p256_key_sign (issuer_key, g_bytes_get_data (tbs, NULL), g_bytes_get_size (tbs),
                           cert->signature, error);
}

gboolean
th_certificate_verify_signature (const ThCertificate *cert,
                                 const guint8        *issuer_public_key,
                                 GError             **error)
{
  g_autoptr(GBytes) tbs = NULL;
  g_autoptr(ThP256Key) key = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (cert != NULL, FALSE);
  g_return_val_if_fail (issuer_public_key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  tbs = th_certificate_encode_tbs (cert, error);
  if (tbs == NULL)
    return FALSE;
  key = th_p256_key_new_from_public (issuer_public_key, &local_error);
  if (key == NULL
      || !th_p256_key_verify (key, g_bytes_get_data (tbs, NULL), g_bytes_get_size (tbs),
                              cert->signature, &local_error))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN,
                   _("The certificate's signature does not verify with its issuer's key: %s"),
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Profiles and chains */

static const char *
kind_name (ThCertificateKind kind)
{
  switch (kind)
    {
    case TH_CERTIFICATE_KIND_ROOT:
      return _("root CA certificate");
    case TH_CERTIFICATE_KIND_ICA:
      return _("intermediate CA certificate");
    case TH_CERTIFICATE_KIND_NODE:
    default:
      return _("node operational certificate");
    }
}

static gboolean
has_extension (const ThCertificate *cert,
               ThExtensionType      type)
{
  for (guint i = 0; i < cert->n_extensions; i++)
    if (cert->extensions[i] == type)
      return TRUE;
  return FALSE;
}

gboolean
th_certificate_check_profile (const ThCertificate *cert,
                              GError             **error)
{
  ThCertificateKind kind;
  const char *name;

  g_return_val_if_fail (cert != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!th_certificate_check (cert, error))
    return FALSE;
  kind = th_certificate_get_kind (cert);
  name = kind_name (kind);

  if (kind == TH_CERTIFICATE_KIND_NODE)
    {
      gboolean server = FALSE;
      gboolean client = FALSE;

      if (cert->is_ca)
        return set_invalid (error, _("The %s must not be a CA"), name);
      /* Only digitalSignature is specified; some ecosystems add keyEncipherment, which is
       * harmless, but a node must never be able to sign certificates. */
      if (!(cert->key_usage & TH_KEY_USAGE_DIGITAL_SIGNATURE) || (cert->key_usage & CA_KEY_USAGE))
        return set_invalid (error, _("The key usage of the %s must allow digital signatures "
                                     "and not certificate signing"), name);
      for (guint i = 0; i < cert->n_key_purposes; i++)
        {
          server |= cert->key_purposes[i] == TH_KEY_PURPOSE_SERVER_AUTH;
          client |= cert->key_purposes[i] == TH_KEY_PURPOSE_CLIENT_AUTH;
        }
      if (!has_extension (cert, TH_EXTENSION_EXTENDED_KEY_USAGE) || cert->n_key_purposes != 2
          || !server || !client)
        return set_invalid (error, _("The extended key usage of the %s must be exactly "
                                     "client and server authentication"), name);
      if (!th_dn_get_matter (&cert->subject, TH_DN_MATTER_FABRIC_ID, NULL))
        return set_invalid (error, _("The %s has no fabric id"), name);
      return TRUE;
    }

  if (!cert->is_ca)
    return set_invalid (error, _("The %s must be a CA"), name);
  if ((cert->key_usage & CA_KEY_USAGE) != CA_KEY_USAGE
      || (cert->key_usage & ~(CA_KEY_USAGE | TH_KEY_USAGE_DIGITAL_SIGNATURE)) != 0)
    return set_invalid (error, _("The key usage of the %s must be certificate and CRL "
                                 "signing (and optionally digital signature)"), name);
  if (has_extension (cert, TH_EXTENSION_EXTENDED_KEY_USAGE))
    return set_invalid (error, _("The %s must not have an extended key usage"), name);

  if (kind == TH_CERTIFICATE_KIND_ROOT)
    {
      if (!th_dn_equal (&cert->issuer, &cert->subject))
        return set_invalid (error, _("The %s is not self-issued"), name);
      if (memcmp (cert->subject_key_id, cert->authority_key_id, TH_CERTIFICATE_KEY_ID_LEN) != 0)
        return set_invalid (error, _("The key identifiers of the %s differ"), name);
      if (cert->has_path_len && cert->path_len > 1)
        return set_invalid (error, _("The path length of the %s is above 1"), name);
    }
  else if (!th_dn_get_matter (&cert->issuer, TH_DN_MATTER_RCAC_ID, NULL))
    {
      return set_invalid (error, _("The %s is not issued by a root"), name);
    }
  return TRUE;
}

gboolean
th_certificate_check_validity (const ThCertificate *cert,
                               guint32              time,
                               GError             **error)
{
  g_return_val_if_fail (cert != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (time < cert->not_before)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_NOT_YET_VALID,
                   _("The %s is not valid yet; check the computer's clock"),
                   kind_name (th_certificate_get_kind (cert)));
      return FALSE;
    }
  if (cert->not_after != TH_CERTIFICATE_NO_EXPIRY && time > cert->not_after)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_EXPIRED,
                   _("The %s has expired"), kind_name (th_certificate_get_kind (cert)));
      return FALSE;
    }
  return TRUE;
}

gboolean
th_matter_time_from_date_time (GDateTime *time,
                               guint32   *matter_time,
                               GError   **error)
{
  gint64 seconds;

  g_return_val_if_fail (time != NULL, FALSE);
  g_return_val_if_fail (matter_time != NULL, FALSE);

  seconds = g_date_time_to_unix (time) - TH_MATTER_EPOCH_UNIX;
  if (seconds < 0 || seconds > G_MAXUINT32)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_INVALID,
                   _("The time %" G_GINT64_FORMAT " is outside what Matter certificates hold "
                     "(2000 to 2136)"), g_date_time_to_unix (time));
      return FALSE;
    }
  *matter_time = (guint32) seconds;
  return TRUE;
}

static gboolean
set_chain_error (GError    **error,
                 const char *format,
                 ...) G_GNUC_PRINTF (2, 3);

static gboolean
set_chain_error (GError    **error,
                 const char *format,
                 ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN, message);
  return FALSE;
}

gboolean
th_certificate_check_issued_by (const ThCertificate *cert,
                                const ThCertificate *issuer,
                                GError             **error)
{
  const char *name;
  const char *issuer_name;

  g_return_val_if_fail (cert != NULL, FALSE);
  g_return_val_if_fail (issuer != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  name = kind_name (th_certificate_get_kind (cert));
  issuer_name = kind_name (th_certificate_get_kind (issuer));
  if (!th_dn_equal (&cert->issuer, &issuer->subject))
    return set_chain_error (error, _("The issuer of the %s is not the subject of the %s"),
                            name, issuer_name);
  if (memcmp (cert->authority_key_id, issuer->subject_key_id, TH_CERTIFICATE_KEY_ID_LEN) != 0)
    return set_chain_error (error, _("The authority key identifier of the %s is not the "
                                     "subject key identifier of the %s"), name, issuer_name);
  if (!th_certificate_verify_signature (cert, issuer->public_key, error))
    {
      g_prefix_error (error, "%s: ", name);
      return FALSE;
    }
  return TRUE;
}

gboolean
th_certificate_validate_chain (const ThCertificate *noc,
                               const ThCertificate *icac,
                               const ThCertificate *rcac,
                               GDateTime           *now,
                               GError             **error)
{
  const ThCertificate *chain[3] = { noc, icac != NULL ? icac : rcac, rcac };
  const ThCertificateKind kinds[3] = {
    TH_CERTIFICATE_KIND_NODE, icac != NULL ? TH_CERTIFICATE_KIND_ICA : TH_CERTIFICATE_KIND_ROOT,
    TH_CERTIFICATE_KIND_ROOT,
  };
  guint64 fabric_id;
  guint64 other_fabric_id;

  g_return_val_if_fail (noc != NULL, FALSE);
  g_return_val_if_fail (rcac != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (chain); i++)
    {
      if (th_certificate_get_kind (chain[i]) != kinds[i])
        return set_chain_error (error, _("A %s stands where the chain needs a %s"),
                                kind_name (th_certificate_get_kind (chain[i])),
                                kind_name (kinds[i]));
      if (!th_certificate_check_profile (chain[i], error))
        return FALSE;
    }

  fabric_id = th_certificate_get_fabric_id (noc);
  for (guint i = 1; i < G_N_ELEMENTS (chain); i++)
    if (th_dn_get_matter (&chain[i]->subject, TH_DN_MATTER_FABRIC_ID, &other_fabric_id)
        && other_fabric_id != fabric_id)
      return set_chain_error (error, _("The fabric id of the %s (0x%016" G_GINT64_MODIFIER "X) "
                                       "differs from the node's (0x%016" G_GINT64_MODIFIER "X)"),
                              kind_name (kinds[i]), other_fabric_id, fabric_id);
  if (icac != NULL && rcac->has_path_len && rcac->path_len == 0)
    return set_chain_error (error, _("The root CA certificate allows no intermediate CA"));

  if (!th_certificate_verify_signature (rcac, rcac->public_key, error))
    {
      g_prefix_error (error, "%s: ", kind_name (TH_CERTIFICATE_KIND_ROOT));
      return FALSE;
    }
  if (icac != NULL && !th_certificate_check_issued_by (icac, rcac, error))
    return FALSE;
  if (!th_certificate_check_issued_by (noc, chain[1], error))
    return FALSE;

  if (now != NULL)
    {
      guint32 time;

      if (!th_matter_time_from_date_time (now, &time, error))
        return FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (chain); i++)
        if (!th_certificate_check_validity (chain[i], time, error))
          return FALSE;
    }
  return TRUE;
}
