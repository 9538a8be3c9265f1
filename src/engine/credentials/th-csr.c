/* th-csr.c: the PKCS#10 certificate signing request a device returns in its NOCSR elements
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "th-certificate-der.h"
#include "th-csr.h"
#include "th-error.h"
#include "tlv/th-tlv.h"

/* NOCSRElements context tags */
#define TAG_CSR 1
#define TAG_CSR_NONCE 2
#define TAG_LAST_VENDOR_RESERVED 5

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
  g_set_error_literal (error, TH_ERROR, TH_ERROR_CSR_INVALID, message);
  return FALSE;
}

/* AlgorithmIdentifier for ecdsa-with-SHA256, with no parameters (RFC 5758) */
static const guint8 ecdsa_with_sha256[] = {
  0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02,
};
/* AlgorithmIdentifier for id-ecPublicKey on prime256v1 */
static const guint8 ec_public_key_p256[] = {
  0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01,
  0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07,
};

static gboolean
element_is (const ThDerElement *element,
            const guint8       *expected,
            gsize               len)
{
  return element->element_len == len && memcmp (element->element, expected, len) == 0;
}

static ThP256Key *
read_public_key (ThDerReader  *reader,
                 GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  ThDerElement info;
  ThDerElement element;
  ThDerReader content;
  const guint8 *key;
  gsize key_len;
  ThP256Key *public_key;

  if (!th_der_reader_read (reader, TH_DER_SEQUENCE, _("the subject public key info"), &info,
                           error))
    return NULL;
  th_der_reader_init_content (&content, reader, &info);
  if (!th_der_reader_read (&content, TH_DER_SEQUENCE, _("the public key algorithm"), &element,
                           error))
    return NULL;
  if (!element_is (&element, ec_public_key_p256, sizeof ec_public_key_p256))
    {
      set_invalid (error, _("The key at byte %zu is not an EC key on the P-256 curve"),
                   element.offset);
      return NULL;
    }
  if (!th_der_reader_read (&content, TH_DER_BIT_STRING, _("the public key"), &element, error)
      || !th_der_get_octet_bits (&content, &element, _("public key"), &key, &key_len, error)
      || !th_der_reader_expect_end (&content, error))
    return NULL;
  if (key_len != TH_P256_PUBLIC_KEY_LEN)
    {
      set_invalid (error, _("The public key at byte %zu is %zu bytes long, not %d"),
                   element.offset, key_len, TH_P256_PUBLIC_KEY_LEN);
      return NULL;
    }
  public_key = th_p256_key_new_from_public (key, &local_error);
  if (public_key == NULL)
    set_invalid (error, _("The public key at byte %zu is invalid: %s"), element.offset,
                 local_error->message);
  return public_key;
}

ThP256Key *
th_csr_parse (const guint8  *der,
              gsize          len,
              GError       **error)
{
  static const guint8 version_1[] = { TH_DER_INTEGER, 1, 0 };
  g_autoptr(ThP256Key) key = NULL;
  g_autoptr(GError) local_error = NULL;
  ThDerReader reader;
  ThDerReader request;
  ThDerReader info;
  ThDerElement element;
  ThDerElement info_element;
  const guint8 *signature_der;
  gsize signature_len;
  guint8 signature[TH_P256_SIGNATURE_LEN];

  g_return_val_if_fail (der != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len < TH_CSR_MIN_LEN || len > TH_NOCSR_ELEMENTS_MAX_LEN)
    {
      set_invalid (error, _("The certificate signing request is %zu bytes long; it must be "
                            "%d to %d"), len, TH_CSR_MIN_LEN, TH_NOCSR_ELEMENTS_MAX_LEN);
      return NULL;
    }
  th_der_reader_init (&reader, der, len, TH_ERROR_CSR_INVALID);
  if (!th_der_reader_read (&reader, TH_DER_SEQUENCE, _("the certification request"), &element,
                           error)
      || !th_der_reader_expect_end (&reader, error))
    return NULL;
  th_der_reader_init_content (&request, &reader, &element);

  if (!th_der_reader_read (&request, TH_DER_SEQUENCE, _("the certification request info"),
                           &info_element, error))
    return NULL;
  th_der_reader_init_content (&info, &request, &info_element);
  if (!th_der_reader_read (&info, TH_DER_INTEGER, _("the version"), &element, error))
    return NULL;
  if (!element_is (&element, version_1, sizeof version_1))
    {
      set_invalid (error, _("The certificate signing request is not version 1"));
      return NULL;
    }
  /* The subject and the attributes are not used, but must be sound DER. */
  if (!th_der_reader_read (&info, TH_DER_SEQUENCE, _("the subject"), &element, error)
      || !th_der_check_well_formed (&info, &element, error))
    return NULL;
  key = read_public_key (&info, error);
  if (key == NULL)
    return NULL;
  if (!th_der_reader_read (&info, TH_DER_CONTEXT_CONSTRUCTED (0), _("the attributes"),
                           &element, error)
      || !th_der_check_well_formed (&info, &element, error)
      || !th_der_reader_expect_end (&info, error))
    return NULL;

  if (!th_der_reader_read (&request, TH_DER_SEQUENCE, _("the signature algorithm"), &element,
                           error))
    return NULL;
  if (!element_is (&element, ecdsa_with_sha256, sizeof ecdsa_with_sha256))
    {
      set_invalid (error, _("The signature algorithm at byte %zu is not ECDSA with SHA-256"),
                   element.offset);
      return NULL;
    }
  if (!th_der_reader_read (&request, TH_DER_BIT_STRING, _("the signature"), &element, error)
      || !th_der_get_octet_bits (&request, &element, _("signature"), &signature_der,
                                 &signature_len, error)
      || !th_der_reader_expect_end (&request, error))
    return NULL;
  if (!th_p256_signature_from_der (signature_der, signature_len, signature, &local_error))
    {
      set_invalid (error, _("The signature at byte %zu is malformed: %s"), element.offset,
                   local_error->message);
      return NULL;
    }
  if (!th_p256_key_verify (key, info_element.element, info_element.element_len, signature,
                           &local_error))
    {
      set_invalid (error, _("The certificate signing request is not signed by its own key: "
                            "%s"), local_error->message);
      return NULL;
    }
  return g_steal_pointer (&key);
}

static gboolean
tlv_failed (GError **error,
            GError  *tlv_error)
{
  set_invalid (error, _("The NOCSR elements are not well-formed TLV: %s"), tlv_error->message);
  g_error_free (tlv_error);
  return FALSE;
}

ThP256Key *
th_csr_parse_nocsr_elements (const guint8  *tlv,
                             gsize          len,
                             const guint8   expected_nonce[TH_CSR_NONCE_LEN],
                             GError       **error)
{
  GError *tlv_error = NULL;
  ThTlvReader reader;
  const guint8 *csr = NULL;
  gsize csr_len = 0;
  const guint8 *nonce = NULL;
  gsize nonce_len = 0;
  guint last_tag = 0;

  g_return_val_if_fail (tlv != NULL || len == 0, NULL);
  g_return_val_if_fail (expected_nonce != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len > TH_NOCSR_ELEMENTS_MAX_LEN)
    {
      set_invalid (error, _("The NOCSR elements are %zu bytes long; at most %d are allowed"),
                   len, TH_NOCSR_ELEMENTS_MAX_LEN);
      return NULL;
    }
  th_tlv_reader_init (&reader, tlv, len);
  if (!th_tlv_reader_next (&reader, &tlv_error)
      || th_tlv_reader_get_type (&reader) != TH_TLV_TYPE_STRUCTURE
      || th_tlv_reader_get_tag (&reader).kind != TH_TLV_TAG_ANONYMOUS)
    {
      if (tlv_error != NULL)
        tlv_failed (error, tlv_error);
      else
        set_invalid (error, _("The NOCSR elements are not an anonymous TLV structure"));
      return NULL;
    }
  if (!th_tlv_reader_enter (&reader, &tlv_error))
    {
      tlv_failed (error, tlv_error);
      return NULL;
    }
  while (th_tlv_reader_next (&reader, &tlv_error))
    {
      ThTlvTag tag = th_tlv_reader_get_tag (&reader);
      const guint8 *bytes;
      gsize bytes_len;

      /* Later revisions may add fields; only the order of the known ones is checked. */
      if (tag.kind != TH_TLV_TAG_CONTEXT || tag.number > TAG_LAST_VENDOR_RESERVED)
        continue;
      if (tag.number <= last_tag)
        {
          set_invalid (error, _("The NOCSR elements have field %u at byte %zu out of order"),
                       tag.number, th_tlv_reader_get_offset (&reader));
          return NULL;
        }
      last_tag = tag.number;
      if (!th_tlv_reader_get_bytes (&reader, &bytes, &bytes_len, &tlv_error))
        {
          tlv_failed (error, tlv_error);
          return NULL;
        }
      if (tag.number == TAG_CSR)
        {
          csr = bytes;
          csr_len = bytes_len;
        }
      else if (tag.number == TAG_CSR_NONCE)
        {
          nonce = bytes;
          nonce_len = bytes_len;
        }
    }
  if (tlv_error != NULL || !th_tlv_reader_exit (&reader, &tlv_error))
    {
      tlv_failed (error, tlv_error);
      return NULL;
    }
  if (th_tlv_reader_next (&reader, &tlv_error) || tlv_error != NULL)
    {
      g_clear_error (&tlv_error);
      set_invalid (error, _("Unexpected data after the NOCSR elements"));
      return NULL;
    }
  if (csr == NULL || nonce == NULL)
    {
      set_invalid (error, _("The NOCSR elements lack the %s"),
                   csr == NULL ? _("certificate signing request") : _("CSR nonce"));
      return NULL;
    }
  if (nonce_len != TH_CSR_NONCE_LEN || !th_constant_time_equal (nonce, expected_nonce, nonce_len))
    {
      set_invalid (error, _("The CSR nonce is not the one sent; the response is not an answer "
                            "to this request"));
      return NULL;
    }
  return th_csr_parse (csr, csr_len, error);
}
