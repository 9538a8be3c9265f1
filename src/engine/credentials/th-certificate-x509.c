/* th-certificate-x509.c: Matter operational certificates as X.509 DER (specification 6.5.x,
 * RFC 5280), in the one form the Matter TLV encoding maps to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "th-certificate-der.h"
#include "th-certificate-private.h"
#include "th-error.h"

/* OID contents */
static const guint8 oid_ecdsa_with_sha256[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02 };
static const guint8 oid_ec_public_key[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01 };
static const guint8 oid_prime256v1[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
static const guint8 oid_domain_component[] = {
  0x09, 0x92, 0x26, 0x89, 0x93, 0xF2, 0x2C, 0x64, 0x01, 0x19,
};
/* 1.3.6.1.4.1.37244.1: the Matter DN attributes, numbered 1 (node id) to 6 (CAT) */
static const guint8 oid_matter_dn_prefix[] = {
  0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0xA2, 0x7C, 0x01,
};
/* 1.3.6.1.5.5.7.3: key purposes */
static const guint8 oid_key_purpose_prefix[] = { 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03 };

/* the last arc of 2.5.4.x for the X.509 attribute types 1 to 15 */
static const guint8 x520_arcs[] = {
  0, 3, 4, 5, 6, 7, 8, 10, 11, 12, 41, 42, 43, 44, 46, 65,
};
/* the last arc of 1.3.6.1.5.5.7.3.x for the key purposes 1 to 6 */
static const guint8 key_purpose_arcs[] = { 0, 1, 2, 3, 4, 8, 9 };
/* the last arc of 2.5.29.x for the extensions 1 to 5 */
static const guint8 extension_arcs[] = { 0, 19, 15, 37, 14, 35 };

#define OID_MAX_LEN 16
#define UTC_TIME_LEN 13
#define GENERALIZED_TIME_LEN 15
#define NO_EXPIRY_TIME "99991231235959Z"
/* RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 */
#define FIRST_GENERALIZED_YEAR 2050

typedef struct
{
  guint8 bytes[OID_MAX_LEN];
  gsize len;
} Oid;

static Oid
oid_make (const guint8 *prefix,
          gsize         prefix_len,
          guint8        last)
{
  Oid oid;

  memcpy (oid.bytes, prefix, prefix_len);
  oid.bytes[prefix_len] = last;
  oid.len = prefix_len + 1;
  return oid;
}

static Oid
attribute_oid (ThDnAttributeType type)
{
  static const guint8 x520_prefix[] = { 0x55, 0x04 };

  if (type == TH_DN_DOMAIN_COMPONENT)
    {
      Oid oid;

      memcpy (oid.bytes, oid_domain_component, sizeof oid_domain_component);
      oid.len = sizeof oid_domain_component;
      return oid;
    }
  if (type >= TH_DN_MATTER_NODE_ID)
    return oid_make (oid_matter_dn_prefix, sizeof oid_matter_dn_prefix,
                     (guint8) (type - TH_DN_MATTER_NODE_ID + 1));
  return oid_make (x520_prefix, sizeof x520_prefix, x520_arcs[type]);
}

static Oid
extension_oid (ThExtensionType type)
{
  static const guint8 prefix[] = { 0x55, 0x1D };

  return oid_make (prefix, sizeof prefix, extension_arcs[type]);
}

static Oid
key_purpose_oid (guint8 purpose)
{
  return oid_make (oid_key_purpose_prefix, sizeof oid_key_purpose_prefix,
                   key_purpose_arcs[purpose]);
}

static gboolean
oid_equal (const ThDerElement *element,
           Oid                 oid)
{
  return th_der_element_equal (element, TH_DER_OID, oid.bytes, oid.len);
}

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

/* Writing */

static void
put_oid (ThDerWriter *writer,
         Oid          oid)
{
  th_der_writer_put (writer, TH_DER_OID, oid.bytes, oid.len);
}

static void
put_algorithm (ThDerWriter  *writer,
               const guint8 *oid,
               gsize         oid_len)
{
  th_der_writer_start (writer, TH_DER_SEQUENCE);
  th_der_writer_put (writer, TH_DER_OID, oid, oid_len);
  th_der_writer_end (writer);
}

static void
put_name (ThDerWriter               *writer,
          const ThDistinguishedName *dn)
{
  th_der_writer_start (writer, TH_DER_SEQUENCE);
  for (guint i = 0; i < dn->n_attributes; i++)
    {
      const ThDnAttribute *attribute = &dn->attributes[i];

      th_der_writer_start (writer, TH_DER_SET);
      th_der_writer_start (writer, TH_DER_SEQUENCE);
      put_oid (writer, attribute_oid (attribute->type));
      if (attribute->type >= TH_DN_MATTER_NODE_ID)
        {
          /* Matter ids as upper-case hex: 8 digits for a CAT, 16 for the others */
          char hex[17];
          int digits = attribute->type == TH_DN_MATTER_NOC_CAT ? 8 : 16;

          g_snprintf (hex, sizeof hex, "%0*" G_GINT64_MODIFIER "X", digits, attribute->value);
          th_der_writer_put (writer, TH_DER_UTF8_STRING, (const guint8 *) hex, (gsize) digits);
        }
      else
        {
          guint8 tag = attribute->type == TH_DN_DOMAIN_COMPONENT ? TH_DER_IA5_STRING
                       : attribute->printable ? TH_DER_PRINTABLE_STRING
                       : TH_DER_UTF8_STRING;

          th_der_writer_put (writer, tag, (const guint8 *) attribute->string,
                             strlen (attribute->string));
        }
      th_der_writer_end (writer);
      th_der_writer_end (writer);
    }
  th_der_writer_end (writer);
}

static void
put_time (ThDerWriter *writer,
          guint32      matter_time)
{
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *text = NULL;

  if (matter_time == TH_CERTIFICATE_NO_EXPIRY)
    {
      th_der_writer_put (writer, TH_DER_GENERALIZED_TIME, (const guint8 *) NO_EXPIRY_TIME,
                         strlen (NO_EXPIRY_TIME));
      return;
    }
  time = g_date_time_new_from_unix_utc (TH_MATTER_EPOCH_UNIX + matter_time);
  if (g_date_time_get_year (time) >= FIRST_GENERALIZED_YEAR)
    {
      text = g_date_time_format (time, "%Y%m%d%H%M%SZ");
      th_der_writer_put (writer, TH_DER_GENERALIZED_TIME, (const guint8 *) text, strlen (text));
    }
  else
    {
      text = g_date_time_format (time, "%y%m%d%H%M%SZ");
      th_der_writer_put (writer, TH_DER_UTC_TIME, (const guint8 *) text, strlen (text));
    }
}

static void
put_extension (ThDerWriter         *writer,
               const ThCertificate *cert,
               ThExtensionType      type)
{
  th_der_writer_start (writer, TH_DER_SEQUENCE);
  put_oid (writer, extension_oid (type));
  /* Matter marks exactly these three critical, the key identifiers not */
  if (type == TH_EXTENSION_BASIC_CONSTRAINTS || type == TH_EXTENSION_KEY_USAGE
      || type == TH_EXTENSION_EXTENDED_KEY_USAGE)
    th_der_writer_put_bool (writer, TRUE);
  th_der_writer_start (writer, TH_DER_OCTET_STRING);
  switch (type)
    {
    case TH_EXTENSION_BASIC_CONSTRAINTS:
      th_der_writer_start (writer, TH_DER_SEQUENCE);
      /* cA is DEFAULT FALSE, so DER leaves FALSE out */
      if (cert->is_ca)
        th_der_writer_put_bool (writer, TRUE);
      if (cert->has_path_len)
        th_der_writer_put_uint (writer, cert->path_len);
      th_der_writer_end (writer);
      break;
    case TH_EXTENSION_KEY_USAGE:
      th_der_writer_put_named_bits (writer, cert->key_usage);
      break;
    case TH_EXTENSION_EXTENDED_KEY_USAGE:
      th_der_writer_start (writer, TH_DER_SEQUENCE);
      for (guint i = 0; i < cert->n_key_purposes; i++)
        put_oid (writer, key_purpose_oid (cert->key_purposes[i]));
      th_der_writer_end (writer);
      break;
    case TH_EXTENSION_SUBJECT_KEY_ID:
      th_der_writer_put (writer, TH_DER_OCTET_STRING, cert->subject_key_id,
                         TH_CERTIFICATE_KEY_ID_LEN);
      break;
    case TH_EXTENSION_AUTHORITY_KEY_ID:
      th_der_writer_start (writer, TH_DER_SEQUENCE);
      th_der_writer_put (writer, TH_DER_CONTEXT (0), cert->authority_key_id,
                         TH_CERTIFICATE_KEY_ID_LEN);
      th_der_writer_end (writer);
      break;
    case TH_EXTENSION_FUTURE:
    default:
      g_assert_not_reached ();
    }
  th_der_writer_end (writer);
  th_der_writer_end (writer);
}

GBytes *
th_certificate_encode_tbs (const ThCertificate *cert,
                           GError             **error)
{
  g_auto(ThDerWriter) writer = { 0 };
  guint future_index = 0;

  g_return_val_if_fail (cert != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!th_certificate_check (cert, error))
    return NULL;

  th_der_writer_init (&writer);
  th_der_writer_start (&writer, TH_DER_SEQUENCE);

  th_der_writer_start (&writer, TH_DER_CONTEXT_CONSTRUCTED (0));
  th_der_writer_put_uint (&writer, 2);  /* v3 */
  th_der_writer_end (&writer);
  th_der_writer_put (&writer, TH_DER_INTEGER, cert->serial, cert->serial_len);
  put_algorithm (&writer, oid_ecdsa_with_sha256, sizeof oid_ecdsa_with_sha256);
  put_name (&writer, &cert->issuer);
  th_der_writer_start (&writer, TH_DER_SEQUENCE);
  put_time (&writer, cert->not_before);
  put_time (&writer, cert->not_after);
  th_der_writer_end (&writer);
  put_name (&writer, &cert->subject);

  th_der_writer_start (&writer, TH_DER_SEQUENCE);
  th_der_writer_start (&writer, TH_DER_SEQUENCE);
  th_der_writer_put (&writer, TH_DER_OID, oid_ec_public_key, sizeof oid_ec_public_key);
  th_der_writer_put (&writer, TH_DER_OID, oid_prime256v1, sizeof oid_prime256v1);
  th_der_writer_end (&writer);
  th_der_writer_put_octet_bits (&writer, cert->public_key, TH_P256_PUBLIC_KEY_LEN);
  th_der_writer_end (&writer);

  th_der_writer_start (&writer, TH_DER_CONTEXT_CONSTRUCTED (3));
  th_der_writer_start (&writer, TH_DER_SEQUENCE);
  for (guint i = 0; i < cert->n_extensions; i++)
    {
      if (cert->extensions[i] == TH_EXTENSION_FUTURE)
        {
          GBytes *der = g_ptr_array_index (cert->future_extensions, future_index++);

          th_der_writer_put_raw (&writer, g_bytes_get_data (der, NULL), g_bytes_get_size (der));
        }
      else
        {
          put_extension (&writer, cert, cert->extensions[i]);
        }
    }
  th_der_writer_end (&writer);
  th_der_writer_end (&writer);

  th_der_writer_end (&writer);
  return th_der_writer_finish (&writer);
}

GBytes *
th_certificate_encode_x509 (const ThCertificate *cert,
                            GError             **error)
{
  g_auto(ThDerWriter) writer = { 0 };
  g_autoptr(GBytes) tbs = NULL;
  g_autoptr(GBytes) signature = NULL;
  GBytes *der;

  g_return_val_if_fail (cert != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  tbs = th_certificate_encode_tbs (cert, error);
  if (tbs == NULL)
    return NULL;
  signature = th_p256_signature_to_der (cert->signature, error);
  if (signature == NULL)
    return NULL;

  th_der_writer_init (&writer);
  th_der_writer_start (&writer, TH_DER_SEQUENCE);
  th_der_writer_put_raw (&writer, g_bytes_get_data (tbs, NULL), g_bytes_get_size (tbs));
  put_algorithm (&writer, oid_ecdsa_with_sha256, sizeof oid_ecdsa_with_sha256);
  th_der_writer_put_octet_bits (&writer, g_bytes_get_data (signature, NULL),
                                g_bytes_get_size (signature));
  th_der_writer_end (&writer);
  der = th_der_writer_finish (&writer);
  if (g_bytes_get_size (der) > TH_CERTIFICATE_MAX_DER_LEN)
    {
      set_invalid (error, _("The X.509 certificate would be %zu bytes long; at most %d are "
                            "allowed"), g_bytes_get_size (der), TH_CERTIFICATE_MAX_DER_LEN);
      g_bytes_unref (der);
      return NULL;
    }
  return der;
}

/* Reading */

static gboolean
read_algorithm (ThDerReader  *reader,
                const char   *what,
                GError      **error)
{
  static const guint8 expected[] = {
    TH_DER_SEQUENCE, 2 + sizeof oid_ecdsa_with_sha256,
    TH_DER_OID, sizeof oid_ecdsa_with_sha256,
    0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02,
  };
  ThDerElement element;

  if (!th_der_reader_read (reader, TH_DER_SEQUENCE, what, &element, error))
    return FALSE;
  if (element.element_len != sizeof expected
      || memcmp (element.element, expected, sizeof expected) != 0)
    return set_invalid (error, _("The %s at byte %zu is not ECDSA with SHA-256"), what,
                        element.offset);
  return TRUE;
}

static gboolean
parse_hex (const guint8 *text,
           gsize         len,
           guint64      *value)
{
  *value = 0;
  for (gsize i = 0; i < len; i++)
    {
      /* upper case only: that is what the encoder writes back */
      if (text[i] >= '0' && text[i] <= '9')
        *value = *value << 4 | (guint) (text[i] - '0');
      else if (text[i] >= 'A' && text[i] <= 'F')
        *value = *value << 4 | (guint) (text[i] - 'A' + 10);
      else
        return FALSE;
    }
  return TRUE;
}

static gboolean
lookup_attribute (const ThDerElement *oid,
                  ThDnAttributeType  *type)
{
  for (ThDnAttributeType t = TH_DN_COMMON_NAME; t <= TH_DN_MATTER_NOC_CAT; t++)
    if (oid_equal (oid, attribute_oid (t)))
      {
        *type = t;
        return TRUE;
      }
  return FALSE;
}

static gboolean
read_attribute (ThDerReader         *reader,
                const char          *dn_name,
                ThDistinguishedName *dn,
                GError             **error)
{
  ThDerReader set;
  ThDerReader sequence;
  ThDerElement element;
  ThDerElement oid;
  ThDerElement value;
  ThDnAttribute attribute = { 0 };

  if (!th_der_reader_read (reader, TH_DER_SET, _("a relative distinguished name"), &element,
                           error))
    return FALSE;
  th_der_reader_init_content (&set, reader, &element);
  if (!th_der_reader_read (&set, TH_DER_SEQUENCE, _("an attribute"), &element, error))
    return FALSE;
  if (!th_der_reader_at_end (&set))
    return set_invalid (error, _("The %s has a multi-valued RDN at byte %zu, which Matter "
                                 "does not support"), dn_name, element.offset);
  th_der_reader_init_content (&sequence, &set, &element);
  if (!th_der_reader_read (&sequence, TH_DER_OID, _("an attribute type"), &oid, error)
      || !th_der_reader_read_any (&sequence, &value, error)
      || !th_der_reader_expect_end (&sequence, error))
    return FALSE;
  if (!lookup_attribute (&oid, &attribute.type))
    return set_invalid (error, _("The %s has an attribute type at byte %zu that Matter "
                                 "certificates do not support"), dn_name, oid.offset);
  if (dn->n_attributes == TH_CERTIFICATE_MAX_DN_ATTRIBUTES)
    return set_invalid (error, _("The %s has more than %d attributes"), dn_name,
                        TH_CERTIFICATE_MAX_DN_ATTRIBUTES);

  if (attribute.type >= TH_DN_MATTER_NODE_ID)
    {
      gsize digits = attribute.type == TH_DN_MATTER_NOC_CAT ? 8 : 16;

      if (value.tag != TH_DER_UTF8_STRING || value.content_len != digits
          || !parse_hex (value.content, value.content_len, &attribute.value))
        return set_invalid (error, _("The Matter attribute at byte %zu of the %s must be a "
                                     "UTF8String of %zu upper-case hex digits"),
                            value.offset, dn_name, digits);
    }
  else
    {
      guint8 expected_tag = attribute.type == TH_DN_DOMAIN_COMPONENT ? TH_DER_IA5_STRING : 0;

      if (expected_tag != 0 ? value.tag != expected_tag
          : value.tag != TH_DER_UTF8_STRING && value.tag != TH_DER_PRINTABLE_STRING)
        return set_invalid (error, _("The attribute at byte %zu of the %s has a string type "
                                     "that Matter certificates do not support"),
                            value.offset, dn_name);
      if (value.content_len > TH_CERTIFICATE_MAX_STRING_LEN
          || memchr (value.content, '\0', value.content_len) != NULL
          || !g_utf8_validate ((const char *) value.content, (gssize) value.content_len, NULL))
        return set_invalid (error, _("The attribute at byte %zu of the %s is not UTF-8 text "
                                     "of at most %d bytes"), value.offset, dn_name,
                            TH_CERTIFICATE_MAX_STRING_LEN);
      attribute.string = g_strndup ((const char *) value.content, value.content_len);
      attribute.printable = value.tag == TH_DER_PRINTABLE_STRING;
    }
  dn->attributes[dn->n_attributes++] = attribute;
  return TRUE;
}

static gboolean
read_name (ThDerReader         *reader,
           const char          *dn_name,
           ThDistinguishedName *dn,
           GError             **error)
{
  ThDerElement element;
  ThDerReader content;

  if (!th_der_reader_read (reader, TH_DER_SEQUENCE, dn_name, &element, error))
    return FALSE;
  th_der_reader_init_content (&content, reader, &element);
  while (!th_der_reader_at_end (&content))
    if (!read_attribute (&content, dn_name, dn, error))
      return FALSE;
  return TRUE;
}

static guint
two_digits (const guint8 *p)
{
  return (guint) (p[0] - '0') * 10 + (guint) (p[1] - '0');
}

static gboolean
read_time (ThDerReader *reader,
           const char  *what,
           gboolean     may_be_no_expiry,
           guint32     *matter_time,
           GError     **error)
{
  g_autoptr(GDateTime) time = NULL;
  ThDerElement element;
  const guint8 *p;
  gsize len;
  guint year;
  gint64 seconds;

  if (!th_der_reader_read_any (reader, &element, error))
    return FALSE;
  p = element.content;
  len = element.content_len;
  if (!(element.tag == TH_DER_UTC_TIME && len == UTC_TIME_LEN)
      && !(element.tag == TH_DER_GENERALIZED_TIME && len == GENERALIZED_TIME_LEN))
    return set_invalid (error, _("The %s time at byte %zu is neither a UTCTime nor a "
                                 "GeneralizedTime in seconds and UTC"), what, element.offset);
  for (gsize i = 0; i + 1 < len; i++)
    if (!g_ascii_isdigit (p[i]))
      return set_invalid (error, _("The %s time at byte %zu is malformed"), what,
                          element.offset);
  if (p[len - 1] != 'Z')
    return set_invalid (error, _("The %s time at byte %zu is not in UTC"), what,
                        element.offset);

  if (element.tag == TH_DER_GENERALIZED_TIME
      && memcmp (p, NO_EXPIRY_TIME, GENERALIZED_TIME_LEN) == 0)
    {
      if (!may_be_no_expiry)
        return set_invalid (error, _("The %s time at byte %zu is 99991231235959Z"), what,
                            element.offset);
      *matter_time = TH_CERTIFICATE_NO_EXPIRY;
      return TRUE;
    }

  if (element.tag == TH_DER_UTC_TIME)
    {
      year = two_digits (p);
      year += year >= 50 ? 1900 : 2000;
      p += 2;
    }
  else
    {
      year = two_digits (p) * 100 + two_digits (p + 2);
      p += 4;
    }
  if ((element.tag == TH_DER_GENERALIZED_TIME) != (year >= FIRST_GENERALIZED_YEAR))
    return set_invalid (error, _("The %s time at byte %zu must be a UTCTime before 2050 and "
                                 "a GeneralizedTime from 2050 on"), what, element.offset);
  time = g_date_time_new_utc ((gint) year, (gint) two_digits (p), (gint) two_digits (p + 2),
                              (gint) two_digits (p + 4), (gint) two_digits (p + 6),
                              two_digits (p + 8));
  if (time == NULL)
    return set_invalid (error, _("The %s time at byte %zu is not a valid date"), what,
                        element.offset);
  seconds = g_date_time_to_unix (time) - TH_MATTER_EPOCH_UNIX;
  /* the Matter epoch itself would read back as "no expiry" */
  if (seconds <= 0 || seconds > G_MAXUINT32)
    return set_invalid (error, _("The %s time at byte %zu is outside what Matter "
                                 "certificates hold (after 2000-01-01T00:00:00Z, before "
                                 "2136)"), what, element.offset);
  *matter_time = (guint32) seconds;
  return TRUE;
}

static gboolean
read_public_key (ThDerReader   *reader,
                 ThCertificate *cert,
                 GError       **error)
{
  static const guint8 expected_algorithm[] = {
    TH_DER_SEQUENCE, 4 + sizeof oid_ec_public_key + sizeof oid_prime256v1,
    TH_DER_OID, sizeof oid_ec_public_key, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01,
    TH_DER_OID, sizeof oid_prime256v1, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07,
  };
  ThDerElement element;
  ThDerReader content;
  const guint8 *key;
  gsize key_len;

  if (!th_der_reader_read (reader, TH_DER_SEQUENCE, _("the subject public key info"),
                           &element, error))
    return FALSE;
  th_der_reader_init_content (&content, reader, &element);
  if (!th_der_reader_read (&content, TH_DER_SEQUENCE, _("the public key algorithm"), &element,
                           error))
    return FALSE;
  if (element.element_len != sizeof expected_algorithm
      || memcmp (element.element, expected_algorithm, sizeof expected_algorithm) != 0)
    return set_invalid (error, _("The public key at byte %zu is not an EC key on P-256"),
                        element.offset);
  if (!th_der_reader_read (&content, TH_DER_BIT_STRING, _("the public key"), &element, error)
      || !th_der_get_octet_bits (&content, &element, _("public key"), &key, &key_len, error)
      || !th_der_reader_expect_end (&content, error))
    return FALSE;
  if (key_len != TH_P256_PUBLIC_KEY_LEN)
    return set_invalid (error, _("The public key at byte %zu is not %d bytes long"),
                        element.offset, TH_P256_PUBLIC_KEY_LEN);
  memcpy (cert->public_key, key, key_len);
  return TRUE;
}

static gboolean
read_basic_constraints (ThDerReader   *reader,
                        ThCertificate *cert,
                        GError       **error)
{
  ThDerElement element;
  ThDerReader content;
  guint8 tag;

  if (!th_der_reader_read (reader, TH_DER_SEQUENCE, _("the basic constraints"), &element,
                           error))
    return FALSE;
  th_der_reader_init_content (&content, reader, &element);
  if (th_der_reader_peek_tag (&content, &tag) && tag == TH_DER_BOOLEAN)
    {
      if (!th_der_reader_read_any (&content, &element, error)
          || !th_der_get_bool (&content, &element, "cA", &cert->is_ca, error))
        return FALSE;
      /* DEFAULT FALSE: DER leaves it out rather than writing FALSE */
      if (!cert->is_ca)
        return set_invalid (error, _("The basic constraints at byte %zu spell out cA FALSE, "
                                     "which DER leaves out"), element.offset);
    }
  if (th_der_reader_peek_tag (&content, &tag) && tag == TH_DER_INTEGER)
    {
      guint64 path_len;

      if (!th_der_reader_read_any (&content, &element, error)
          || !th_der_get_uint (&content, &element, "pathLenConstraint", &path_len, error))
        return FALSE;
      if (path_len > G_MAXUINT8)
        return set_invalid (error, _("The path length at byte %zu is above 255"),
                            element.offset);
      cert->has_path_len = TRUE;
      cert->path_len = (guint8) path_len;
    }
  return th_der_reader_expect_end (&content, error);
}

static gboolean
read_key_purposes (ThDerReader   *reader,
                   ThCertificate *cert,
                   GError       **error)
{
  ThDerElement element;
  ThDerReader content;

  if (!th_der_reader_read (reader, TH_DER_SEQUENCE, _("the extended key usage"), &element,
                           error))
    return FALSE;
  th_der_reader_init_content (&content, reader, &element);
  while (!th_der_reader_at_end (&content))
    {
      guint8 purpose = 0;

      if (!th_der_reader_read (&content, TH_DER_OID, _("a key purpose"), &element, error))
        return FALSE;
      for (guint8 p = TH_KEY_PURPOSE_SERVER_AUTH; p <= TH_KEY_PURPOSE_OCSP_SIGNING; p++)
        if (oid_equal (&element, key_purpose_oid (p)))
          purpose = p;
      if (purpose == 0)
        return set_invalid (error, _("The key purpose at byte %zu is not one Matter "
                                     "certificates support"), element.offset);
      if (cert->n_key_purposes == G_N_ELEMENTS (cert->key_purposes))
        return set_invalid (error, _("The extended key usage lists too many purposes"));
      cert->key_purposes[cert->n_key_purposes++] = purpose;
    }
  return TRUE;
}

static gboolean
read_key_id (ThDerReader *reader,
             guint8       tag,
             const char  *what,
             guint8      *out,
             GError     **error)
{
  ThDerElement element;

  if (!th_der_reader_read (reader, tag, what, &element, error))
    return FALSE;
  if (element.content_len != TH_CERTIFICATE_KEY_ID_LEN)
    return set_invalid (error, _("The %s at byte %zu is not %d bytes long"), what,
                        element.offset, TH_CERTIFICATE_KEY_ID_LEN);
  memcpy (out, element.content, TH_CERTIFICATE_KEY_ID_LEN);
  return TRUE;
}

static gboolean
read_extension_value (ThDerReader    *reader,
                      ThCertificate  *cert,
                      ThExtensionType type,
                      GError        **error)
{
  ThDerElement element;
  ThDerReader content;
  guint32 key_usage;

  switch (type)
    {
    case TH_EXTENSION_BASIC_CONSTRAINTS:
      return read_basic_constraints (reader, cert, error);
    case TH_EXTENSION_KEY_USAGE:
      if (!th_der_reader_read (reader, TH_DER_BIT_STRING, _("the key usage"), &element, error)
          || !th_der_get_named_bits (reader, &element, _("key usage"), &key_usage, error))
        return FALSE;
      if (key_usage > G_MAXUINT16)
        return set_invalid (error, _("The key usage at byte %zu has unknown bits"),
                            element.offset);
      cert->key_usage = (guint16) key_usage;
      return TRUE;
    case TH_EXTENSION_EXTENDED_KEY_USAGE:
      return read_key_purposes (reader, cert, error);
    case TH_EXTENSION_SUBJECT_KEY_ID:
      return read_key_id (reader, TH_DER_OCTET_STRING, _("the subject key identifier"),
                          cert->subject_key_id, error);
    case TH_EXTENSION_AUTHORITY_KEY_ID:
      if (!th_der_reader_read (reader, TH_DER_SEQUENCE, _("the authority key identifier"),
                               &element, error))
        return FALSE;
      th_der_reader_init_content (&content, reader, &element);
      return read_key_id (&content, TH_DER_CONTEXT (0), _("the authority key identifier"),
                          cert->authority_key_id, error)
             && th_der_reader_expect_end (&content, error);
    case TH_EXTENSION_FUTURE:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
read_extension (ThDerReader   *reader,
                ThCertificate *cert,
                GError       **error)
{
  ThDerElement extension;
  ThDerElement element;
  ThDerReader content;
  ThDerReader value;
  ThExtensionType type = TH_EXTENSION_FUTURE;
  gboolean critical = FALSE;
  gboolean must_be_critical;
  guint8 tag;

  if (!th_der_reader_read (reader, TH_DER_SEQUENCE, _("an extension"), &extension, error))
    return FALSE;
  if (cert->n_extensions == TH_CERTIFICATE_MAX_EXTENSIONS)
    return set_invalid (error, _("The certificate has more than %d extensions"),
                        TH_CERTIFICATE_MAX_EXTENSIONS);
  th_der_reader_init_content (&content, reader, &extension);
  if (!th_der_reader_read (&content, TH_DER_OID, _("an extension id"), &element, error))
    return FALSE;
  for (ThExtensionType t = TH_EXTENSION_BASIC_CONSTRAINTS; t < TH_EXTENSION_FUTURE; t++)
    if (oid_equal (&element, extension_oid (t)))
      type = t;

  if (type == TH_EXTENSION_FUTURE)
    {
      if (cert->future_extensions == NULL)
        cert->future_extensions = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g_ptr_array_add (cert->future_extensions,
                       g_bytes_new (extension.element, extension.element_len));
      cert->extensions[cert->n_extensions++] = type;
      return TRUE;
    }

  if (th_der_reader_peek_tag (&content, &tag) && tag == TH_DER_BOOLEAN)
    {
      if (!th_der_reader_read_any (&content, &element, error)
          || !th_der_get_bool (&content, &element, "critical", &critical, error))
        return FALSE;
      if (!critical)
        return set_invalid (error, _("The extension at byte %zu spells out critical FALSE, "
                                     "which DER leaves out"), element.offset);
    }
  must_be_critical = type == TH_EXTENSION_BASIC_CONSTRAINTS || type == TH_EXTENSION_KEY_USAGE
                     || type == TH_EXTENSION_EXTENDED_KEY_USAGE;
  if (critical != must_be_critical)
    return set_invalid (error, must_be_critical
                               ? _("The extension at byte %zu must be critical")
                               : _("The extension at byte %zu must not be critical"),
                        extension.offset);
  if (!th_der_reader_read (&content, TH_DER_OCTET_STRING, _("an extension value"), &element,
                           error)
      || !th_der_reader_expect_end (&content, error))
    return FALSE;
  th_der_reader_init_content (&value, &content, &element);
  if (!read_extension_value (&value, cert, type, error)
      || !th_der_reader_expect_end (&value, error))
    return FALSE;
  cert->extensions[cert->n_extensions++] = type;
  return TRUE;
}

static gboolean
read_tbs (ThDerReader        *reader,
          const ThDerElement *tbs,
          ThCertificate      *cert,
          GError            **error)
{
  static const guint8 version_3[] = { TH_DER_CONTEXT_CONSTRUCTED (0), 3, TH_DER_INTEGER, 1, 2 };
  ThDerReader content;
  ThDerReader extensions;
  ThDerElement element;

  th_der_reader_init_content (&content, reader, tbs);
  if (!th_der_reader_read (&content, TH_DER_CONTEXT_CONSTRUCTED (0), _("the version"),
                           &element, error))
    return FALSE;
  if (element.element_len != sizeof version_3
      || memcmp (element.element, version_3, sizeof version_3) != 0)
    return set_invalid (error, _("The certificate is not an X.509 version 3 certificate"));

  if (!th_der_reader_read (&content, TH_DER_INTEGER, _("the serial number"), &element, error)
      || !th_der_check_unsigned (&content, &element, _("serial number"), error))
    return FALSE;
  if (element.content_len > TH_CERTIFICATE_MAX_SERIAL_LEN)
    return set_invalid (error, _("The serial number is longer than %d bytes"),
                        TH_CERTIFICATE_MAX_SERIAL_LEN);
  memcpy (cert->serial, element.content, element.content_len);
  cert->serial_len = element.content_len;

  if (!read_algorithm (&content, _("signature algorithm"), error)
      || !read_name (&content, _("issuer"), &cert->issuer, error))
    return FALSE;
  {
    ThDerReader validity;

    if (!th_der_reader_read (&content, TH_DER_SEQUENCE, _("the validity"), &element, error))
      return FALSE;
    th_der_reader_init_content (&validity, &content, &element);
    if (!read_time (&validity, _("not-before"), FALSE, &cert->not_before, error)
        || !read_time (&validity, _("not-after"), TRUE, &cert->not_after, error)
        || !th_der_reader_expect_end (&validity, error))
      return FALSE;
  }
  if (!read_name (&content, _("subject"), &cert->subject, error)
      || !read_public_key (&content, cert, error))
    return FALSE;

  /* issuer and subject unique ids ([1], [2]) are refused here: Matter has no place for them */
  if (!th_der_reader_read (&content, TH_DER_CONTEXT_CONSTRUCTED (3), _("the extensions"),
                           &element, error)
      || !th_der_reader_expect_end (&content, error))
    return FALSE;
  th_der_reader_init_content (&extensions, &content, &element);
  if (!th_der_reader_read (&extensions, TH_DER_SEQUENCE, _("the extensions"), &element, error)
      || !th_der_reader_expect_end (&extensions, error))
    return FALSE;
  th_der_reader_init_content (&content, &extensions, &element);
  while (!th_der_reader_at_end (&content))
    if (!read_extension (&content, cert, error))
      return FALSE;
  return TRUE;
}

ThCertificate *
th_certificate_decode_x509 (const guint8 *der,
                            gsize         len,
                            GError      **error)
{
  g_autoptr(ThCertificate) cert = th_certificate_new ();
  g_autoptr(GBytes) reencoded = NULL;
  g_autoptr(GError) local_error = NULL;
  ThDerReader reader;
  ThDerReader content;
  ThDerElement certificate;
  ThDerElement tbs;
  ThDerElement element;
  const guint8 *signature;
  gsize signature_len;

  g_return_val_if_fail (der != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len > TH_CERTIFICATE_MAX_DER_LEN)
    {
      set_invalid (error, _("The X.509 certificate is %zu bytes long; at most %d are allowed"),
                   len, TH_CERTIFICATE_MAX_DER_LEN);
      return NULL;
    }
  th_der_reader_init (&reader, der, len, TH_ERROR_CERTIFICATE_INVALID);
  if (!th_der_reader_read (&reader, TH_DER_SEQUENCE, _("the certificate"), &certificate, error)
      || !th_der_reader_expect_end (&reader, error))
    return NULL;
  th_der_reader_init_content (&content, &reader, &certificate);
  if (!th_der_reader_read (&content, TH_DER_SEQUENCE, _("the TBS certificate"), &tbs, error)
      || !read_algorithm (&content, _("signature algorithm"), error)
      || !th_der_reader_read (&content, TH_DER_BIT_STRING, _("the signature"), &element, error)
      || !th_der_get_octet_bits (&content, &element, _("signature"), &signature,
                                 &signature_len, error)
      || !th_der_reader_expect_end (&content, error))
    return NULL;
  if (!th_p256_signature_from_der (signature, signature_len, cert->signature, &local_error))
    {
      set_invalid (error, _("The signature at byte %zu is invalid: %s"), element.offset,
                   local_error->message);
      return NULL;
    }
  if (!read_tbs (&content, &tbs, cert, error) || !th_certificate_check (cert, error))
    return NULL;

  /* The TLV form keeps no encoding choices: a certificate that would not come back exactly
   * would no longer match its signature once converted. */
  reencoded = th_certificate_encode_x509 (cert, error);
  if (reencoded == NULL)
    return NULL;
  if (g_bytes_get_size (reencoded) != len
      || memcmp (g_bytes_get_data (reencoded, NULL), der, len) != 0)
    {
      const guint8 *data = g_bytes_get_data (reencoded, NULL);
      gsize n = MIN (len, g_bytes_get_size (reencoded));
      gsize i = 0;

      while (i < n && data[i] == der[i])
        i++;
      set_invalid (error, _("The X.509 certificate is not in the form the Matter encoding "
                            "reproduces (it differs at byte %zu)"), i);
      return NULL;
    }
  return g_steal_pointer (&cert);
}

gboolean
th_certificate_check_future_extension (GBytes        *der,
                                       const guint8 **oid,
                                       gsize         *oid_len,
                                       GError       **error)
{
  ThDerReader reader;
  ThDerReader content;
  ThDerElement extension;
  ThDerElement element;
  const guint8 *data;
  gsize len;
  guint8 tag;

  data = g_bytes_get_data (der, &len);
  th_der_reader_init (&reader, data, len, TH_ERROR_CERTIFICATE_INVALID);
  if (!th_der_reader_read (&reader, TH_DER_SEQUENCE, _("an extension"), &extension, error)
      || !th_der_reader_expect_end (&reader, error))
    goto failed;
  th_der_reader_init_content (&content, &reader, &extension);
  if (!th_der_reader_read (&content, TH_DER_OID, _("an extension id"), &element, error))
    goto failed;
  /* an OID: at least one arc, each ending on a byte below 0x80 and without leading 0x80 */
  if (element.content_len == 0 || element.content_len > OID_MAX_LEN
      || element.content[element.content_len - 1] & 0x80)
    {
      set_invalid (error, _("The extension id is not a valid OID"));
      goto failed;
    }
  for (gsize i = 0; i < element.content_len; i++)
    if (element.content[i] == 0x80 && (i == 0 || !(element.content[i - 1] & 0x80)))
      {
        set_invalid (error, _("The extension id is not a valid OID"));
        goto failed;
      }
  for (ThExtensionType t = TH_EXTENSION_BASIC_CONSTRAINTS; t < TH_EXTENSION_FUTURE; t++)
    if (oid_equal (&element, extension_oid (t)))
      {
        set_invalid (error, _("A standard extension cannot be kept as an unknown one"));
        goto failed;
      }
  *oid = element.content;
  *oid_len = element.content_len;
  if (th_der_reader_peek_tag (&content, &tag) && tag == TH_DER_BOOLEAN)
    {
      set_invalid (error, _("An extension Matter does not know is marked critical"));
      goto failed;
    }
  if (!th_der_reader_read (&content, TH_DER_OCTET_STRING, _("an extension value"), &element,
                           error)
      || !th_der_reader_expect_end (&content, error))
    goto failed;
  return TRUE;

failed:
  g_prefix_error (error, _("Extension of a type Matter does not know: "));
  return FALSE;
}

GBytes *
th_certificate_tlv_to_x509 (const guint8 *tlv,
                            gsize         len,
                            GError      **error)
{
  g_autoptr(ThCertificate) cert = th_certificate_decode_tlv (tlv, len, error);

  if (cert == NULL)
    return NULL;
  return th_certificate_encode_x509 (cert, error);
}

GBytes *
th_certificate_x509_to_tlv (const guint8 *der,
                            gsize         len,
                            GError      **error)
{
  g_autoptr(ThCertificate) cert = th_certificate_decode_x509 (der, len, error);

  if (cert == NULL)
    return NULL;
  return th_certificate_encode_tlv (cert, error);
}
