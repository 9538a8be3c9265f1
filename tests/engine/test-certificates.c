/* test-certificates.c: the Matter certificate codec, chain validation, the fabric CA and CSRs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "credentials/th-certificate-der.h"
#include "credentials/th-certificate.h"
#include "credentials/th-csr.h"
#include "credentials/th-fabric.h"
#include "crypto/th-crypto.h"
#include "th-error.h"
#include "th-test-utils.h"
#include "tlv/th-tlv.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_REQ, X509_REQ_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_STORE, X509_STORE_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_STORE_CTX, X509_STORE_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)

#define OPCERTS "opcerts/operational_cert_sets.json"
#define ASSERT_BYTES_EQUAL_GBYTES(a, b) \
  th_assert_bytes_equal (g_bytes_get_data ((a), NULL), g_bytes_get_size ((a)), \
                         g_bytes_get_data ((b), NULL), g_bytes_get_size ((b)))

/* Helpers */

static GBytes *
member_bytes (JsonObject *object,
              const char *member)
{
  return th_test_hex_to_bytes (json_object_get_string_member (object, member));
}

static ThCertificate *
decode_tlv_or_fail (GBytes *tlv)
{
  g_autoptr(GError) error = NULL;
  ThCertificate *cert = th_certificate_decode_tlv (g_bytes_get_data (tlv, NULL),
                                                   g_bytes_get_size (tlv), &error);

  g_assert_no_error (error);
  g_assert_nonnull (cert);
  return cert;
}

static ThCertificate *
decode_x509_or_fail (GBytes *der)
{
  g_autoptr(GError) error = NULL;
  ThCertificate *cert = th_certificate_decode_x509 (g_bytes_get_data (der, NULL),
                                                    g_bytes_get_size (der), &error);

  g_assert_no_error (error);
  g_assert_nonnull (cert);
  return cert;
}

static void
assert_tlv_invalid (const guint8 *tlv,
                    gsize         len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThCertificate) cert = th_certificate_decode_tlv (tlv, len, &error);

  g_assert_null (cert);
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_INVALID);
}

static void
assert_x509_invalid (GBytes *der)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThCertificate) cert = th_certificate_decode_x509 (g_bytes_get_data (der, NULL),
                                                              g_bytes_get_size (der), &error);

  g_assert_null (cert);
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_INVALID);
  g_test_message ("refused as expected: %s", error->message);
}

static GBytes *
read_spec_example (const char *name)
{
  g_autofree char *path = g_build_filename (th_test_vectors_dir (), "opcerts",
                                            "matter-spec-examples", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents;
  gsize len;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/* Rebuilds DER with every element equal to `old` replaced by `replacement`, recomputing the
 * lengths of the containers around it: a way to write certificates that differ in one
 * field. Primitive strings are not looked into. */
static void
rebuild_der (ThDerWriter  *writer,
             const guint8 *der,
             gsize         len,
             GBytes       *old,
             GBytes       *replacement,
             guint        *replaced)
{
  ThDerReader reader;

  th_der_reader_init (&reader, der, len, TH_ERROR_FAILED);
  while (!th_der_reader_at_end (&reader))
    {
      g_autoptr(GError) error = NULL;
      ThDerElement element;

      g_assert_true (th_der_reader_read_any (&reader, &element, &error));
      g_assert_no_error (error);
      if (element.element_len == g_bytes_get_size (old)
          && memcmp (element.element, g_bytes_get_data (old, NULL), element.element_len) == 0)
        {
          th_der_writer_put_raw (writer, g_bytes_get_data (replacement, NULL),
                                 g_bytes_get_size (replacement));
          (*replaced)++;
        }
      else if (element.tag & 0x20)
        {
          th_der_writer_start (writer, element.tag);
          rebuild_der (writer, element.content, element.content_len, old, replacement,
                       replaced);
          th_der_writer_end (writer);
        }
      else
        {
          th_der_writer_put_raw (writer, element.element, element.element_len);
        }
    }
}

static GBytes *
der_replace (GBytes     *der,
             const char *old_hex,
             const char *replacement_hex)
{
  g_autoptr(GBytes) old = th_test_hex_to_bytes (old_hex);
  g_autoptr(GBytes) replacement = th_test_hex_to_bytes (replacement_hex);
  g_auto(ThDerWriter) writer = { 0 };
  guint replaced = 0;

  th_der_writer_init (&writer);
  rebuild_der (&writer, g_bytes_get_data (der, NULL), g_bytes_get_size (der), old,
               replacement, &replaced);
  g_assert_cmpuint (replaced, >, 0);
  return th_der_writer_finish (&writer);
}

static GBytes *
bytes_with_byte (GBytes *bytes,
                 gsize   index,
                 guint8  value)
{
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  copy[index] = value;
  return g_bytes_new (copy, g_bytes_get_size (bytes));
}

static gssize
find (GBytes *haystack,
      GBytes *needle)
{
  const guint8 *h = g_bytes_get_data (haystack, NULL);
  gsize h_len = g_bytes_get_size (haystack);
  gsize n_len = g_bytes_get_size (needle);

  for (gsize i = 0; i + n_len <= h_len; i++)
    if (memcmp (h + i, g_bytes_get_data (needle, NULL), n_len) == 0)
      return (gssize) i;
  return -1;
}

static gboolean
contains (GBytes *haystack,
          GBytes *needle)
{
  return find (haystack, needle) >= 0;
}

static GBytes *
bytes_concat (GBytes       *bytes,
              const guint8 *tail,
              gsize         tail_len)
{
  GByteArray *array = g_byte_array_new ();

  g_byte_array_append (array, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_byte_array_append (array, tail, tail_len);
  return g_byte_array_free_to_bytes (array);
}

/* The DN of the summary: [{dnTag, value}], value "0x<hex>" for Matter ids, else the text. */
static void
assert_dn_matches (const ThDistinguishedName *dn,
                   JsonArray                 *summary)
{
  g_assert_cmpuint (dn->n_attributes, ==, json_array_get_length (summary));
  for (guint i = 0; i < dn->n_attributes; i++)
    {
      JsonObject *expected = json_array_get_object_element (summary, i);
      const ThDnAttribute *attribute = &dn->attributes[i];
      guint tag = attribute->type | (attribute->printable ? TH_DN_PRINTABLE_FLAG : 0);

      g_assert_cmpuint (tag, ==, json_object_get_int_member (expected, "dnTag"));
      if (attribute->string == NULL)
        {
          g_autofree char *value = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x",
                                                    attribute->value);

          g_assert_cmpstr (value, ==, json_object_get_string_member (expected, "value"));
        }
      else
        {
          g_assert_cmpstr (attribute->string, ==,
                           json_object_get_string_member (expected, "value"));
        }
    }
}

static void
assert_summary_matches (const ThCertificate *cert,
                        JsonObject          *summary)
{
  g_autoptr(GBytes) serial = member_bytes (summary, "serialNumber");
  g_autoptr(GBytes) public_key = member_bytes (summary, "publicKey");
  g_autoptr(GBytes) signature = member_bytes (summary, "signature_r_s");

  th_assert_bytes_equal (cert->serial, cert->serial_len, g_bytes_get_data (serial, NULL),
                         g_bytes_get_size (serial));
  assert_dn_matches (&cert->issuer, json_object_get_array_member (summary, "issuer"));
  assert_dn_matches (&cert->subject, json_object_get_array_member (summary, "subject"));
  g_assert_cmpint (cert->not_before, ==,
                   json_object_get_int_member (summary, "notBeforeMatterEpochSeconds"));
  g_assert_cmpint (cert->not_after, ==,
                   json_object_get_int_member (summary, "notAfterMatterEpochSeconds"));
  th_assert_bytes_equal (cert->public_key, sizeof cert->public_key,
                         g_bytes_get_data (public_key, NULL), g_bytes_get_size (public_key));
  th_assert_bytes_equal (cert->signature, sizeof cert->signature,
                         g_bytes_get_data (signature, NULL), g_bytes_get_size (signature));
}

/* The certificates of one set: ROOT, ICAC (may be NULL), NOC, decoded. */
typedef struct
{
  ThCertificate *root;
  ThCertificate *icac;
  ThCertificate *noc;
} CertSet;

static void
cert_set_clear (CertSet *set)
{
  g_clear_pointer (&set->root, th_certificate_free);
  g_clear_pointer (&set->icac, th_certificate_free);
  g_clear_pointer (&set->noc, th_certificate_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CertSet, cert_set_clear)

static ThCertificate *
decode_member (JsonObject *set,
               const char *name)
{
  g_autoptr(GBytes) tlv = NULL;

  if (!json_object_has_member (set, name))
    return NULL;
  tlv = member_bytes (json_object_get_object_member (set, name), "matterTlvHex");
  return decode_tlv_or_fail (tlv);
}

static void
load_set (JsonObject *set,
          CertSet    *out)
{
  out->root = decode_member (set, "ROOT");
  out->icac = decode_member (set, "ICAC");
  out->noc = decode_member (set, "NOC");
  g_assert_nonnull (out->root);
  g_assert_nonnull (out->noc);
}

static JsonObject *
vector_sets (JsonNode *root)
{
  return json_object_get_object_member (json_node_get_object (root), "sets");
}

/* Vectors: every certificate of every set */

static void
test_vectors_decode_and_convert (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors (OPCERTS);
  JsonObject *sets = vector_sets (root);
  g_autoptr(GList) set_names = json_object_get_members (sets);
  guint n_certs = 0;
  guint n_tbs = 0;

  for (GList *s = set_names; s != NULL; s = s->next)
    {
      JsonObject *set = json_object_get_object_member (sets, s->data);
      g_auto(CertSet) certs = { 0 };
      g_autoptr(GList) cert_names = json_object_get_members (set);

      load_set (set, &certs);
      for (GList *c = cert_names; c != NULL; c = c->next)
        {
          JsonObject *vector = json_object_get_object_member (set, c->data);
          g_autoptr(GBytes) tlv = member_bytes (vector, "matterTlvHex");
          g_autoptr(ThCertificate) cert = decode_tlv_or_fail (tlv);
          g_autoptr(ThCertificate) back = NULL;
          g_autoptr(GBytes) tbs = NULL;
          g_autoptr(GBytes) x509 = NULL;
          g_autoptr(GBytes) tlv_again = NULL;
          g_autoptr(GError) error = NULL;
          const ThCertificate *issuer;

          g_test_message ("%s %s", (char *) s->data, (char *) c->data);
          n_certs++;
          assert_summary_matches (cert, json_object_get_object_member (vector, "summary"));

          /* the TLV comes back as it was */
          tlv_again = th_certificate_encode_tlv (cert, &error);
          g_assert_no_error (error);
          ASSERT_BYTES_EQUAL_GBYTES (tlv_again, tlv);

          tbs = th_certificate_encode_tbs (cert, &error);
          g_assert_no_error (error);
          for (guint i = 0; i < 2; i++)
            {
              const char *member = i == 0 ? "x509TbsDerHex" : "x509TbsDerHex_fromSpecPem";

              if (json_object_has_member (vector, member))
                {
                  g_autoptr(GBytes) expected = member_bytes (vector, member);

                  ASSERT_BYTES_EQUAL_GBYTES (tbs, expected);
                  n_tbs++;
                }
            }
          x509 = th_certificate_encode_x509 (cert, &error);
          g_assert_no_error (error);
          if (json_object_has_member (vector, "x509DerHex_derived"))
            {
              g_autoptr(GBytes) expected = member_bytes (vector, "x509DerHex_derived");

              ASSERT_BYTES_EQUAL_GBYTES (x509, expected);
            }
          /* the path of the specification's own DER file */
          if (json_object_has_member (vector, "x509Der_fromSpecPem"))
            {
              g_autofree char *name =
                g_path_get_basename (json_object_get_string_member (vector,
                                                                    "x509Der_fromSpecPem"));
              g_autoptr(GBytes) expected = read_spec_example (name);

              ASSERT_BYTES_EQUAL_GBYTES (x509, expected);
            }

          /* the signature holds over the TBS this codec writes, for every set: the proof
           * that the conversion is byte-exact where no TBS is given */
          issuer = th_certificate_get_kind (cert) == TH_CERTIFICATE_KIND_ROOT ? certs.root
                   : th_certificate_get_kind (cert) == TH_CERTIFICATE_KIND_ICA ? certs.root
                   : certs.icac != NULL ? certs.icac : certs.root;
          g_assert_true (th_certificate_verify_signature (cert, issuer->public_key, &error));
          g_assert_no_error (error);

          /* and back from X.509 */
          back = decode_x509_or_fail (x509);
          g_clear_pointer (&tlv_again, g_bytes_unref);
          tlv_again = th_certificate_encode_tlv (back, &error);
          g_assert_no_error (error);
          ASSERT_BYTES_EQUAL_GBYTES (tlv_again, tlv);
        }
    }
  g_assert_cmpuint (n_certs, ==, 19);
  g_assert_cmpuint (n_tbs, >=, 8);
}

static void
test_vectors_chains (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors (OPCERTS);
  JsonObject *sets = vector_sets (root);
  g_autoptr(GList) set_names = json_object_get_members (sets);

  for (GList *s = set_names; s != NULL; s = s->next)
    {
      g_auto(CertSet) certs = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GDateTime) inside = NULL;
      g_autoptr(GDateTime) before = NULL;
      guint32 cats[TH_CERTIFICATE_MAX_CATS];

      g_test_message ("%s", (char *) s->data);
      load_set (json_object_get_object_member (sets, s->data), &certs);
      g_assert_true (th_certificate_validate_chain (certs.noc, certs.icac, certs.root, NULL,
                                                    &error));
      g_assert_no_error (error);

      /* a moment inside every validity period, and one before the NOC's */
      inside = g_date_time_new_from_unix_utc (TH_MATTER_EPOCH_UNIX + certs.noc->not_before + 1);
      g_assert_true (th_certificate_validate_chain (certs.noc, certs.icac, certs.root, inside,
                                                    &error));
      g_assert_no_error (error);
      before = g_date_time_new_from_unix_utc (TH_MATTER_EPOCH_UNIX + certs.noc->not_before - 1);
      g_assert_false (th_certificate_validate_chain (certs.noc, certs.icac, certs.root, before,
                                                     &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_NOT_YET_VALID);
      g_clear_error (&error);

      /* leaving out the ICAC, or giving the chain out of order, fails */
      if (certs.icac != NULL)
        {
          g_assert_false (th_certificate_validate_chain (certs.noc, NULL, certs.root, NULL,
                                                         &error));
          g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN);
          g_clear_error (&error);
          g_assert_false (th_certificate_validate_chain (certs.icac, certs.noc, certs.root,
                                                         NULL, &error));
          g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN);
          g_clear_error (&error);
        }
      g_assert_cmpuint (th_certificate_get_kind (certs.noc), ==, TH_CERTIFICATE_KIND_NODE);
      g_assert_cmpuint (th_certificate_get_node_id (certs.noc), !=, 0);
      g_assert_cmpuint (th_certificate_get_fabric_id (certs.noc), !=, 0);
      g_assert_cmpuint (th_certificate_get_cats (certs.noc, cats), <=, 1);
    }
}

/* Aqara's NOC carries a CAT; the Google RCAC has string attributes, one printable. */
static void
test_vectors_attributes (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors (OPCERTS);
  JsonObject *sets = vector_sets (root);
  g_auto(CertSet) aqara = { 0 };
  g_auto(CertSet) google = { 0 };
  guint32 cats[TH_CERTIFICATE_MAX_CATS];
  guint64 id = 0;

  load_set (json_object_get_object_member (sets, "Aqara Certificates"), &aqara);
  g_assert_cmpuint (th_certificate_get_cats (aqara.noc, cats), ==, 1);
  g_assert_cmphex (cats[0], ==, 0x10001);
  g_assert_cmphex (th_certificate_get_fabric_id (aqara.noc), ==, 0x11438001fa066000);

  load_set (json_object_get_object_member (sets, "Google Certificates"), &google);
  g_assert_cmpuint (google.root->subject.attributes[0].type, ==, TH_DN_COUNTRY_NAME);
  g_assert_true (google.root->subject.attributes[0].printable);
  g_assert_cmpstr (google.root->subject.attributes[2].string, ==, "Matter Root");
  g_assert_true (th_dn_get_matter (&google.icac->subject, TH_DN_MATTER_ICAC_ID, &id));
  g_assert_cmphex (id, ==, 0xfffffffe00000002);
  g_assert_true (google.root->has_path_len);
  g_assert_cmpuint (google.root->path_len, ==, 1);
}

/* The specification's example certificates */

static void
test_spec_examples_round_trip (void)
{
  static const char *names[] = { "Matter-Spec-RCAC.der", "Matter-Spec-ICAC.der",
                                 "Matter-Spec-NOC.der" };
  static const char *members[] = { "ROOT", "ICAC", "NOC" };
  g_autoptr(JsonNode) root = th_test_load_vectors (OPCERTS);
  JsonObject *set = json_object_get_object_member (vector_sets (root),
                                                   "Matter 1.2 Specification Certificates");
  ThCertificate *certs[3] = { NULL };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GBytes) der = read_spec_example (names[i]);
      g_autoptr(GBytes) tlv = NULL;
      g_autoptr(GBytes) expected_tlv =
        member_bytes (json_object_get_object_member (set, members[i]), "matterTlvHex");
      g_autoptr(GBytes) der_again = NULL;

      tlv = th_certificate_x509_to_tlv (g_bytes_get_data (der, NULL), g_bytes_get_size (der),
                                        &error);
      g_assert_no_error (error);
      ASSERT_BYTES_EQUAL_GBYTES (tlv, expected_tlv);
      der_again = th_certificate_tlv_to_x509 (g_bytes_get_data (tlv, NULL),
                                              g_bytes_get_size (tlv), &error);
      g_assert_no_error (error);
      ASSERT_BYTES_EQUAL_GBYTES (der_again, der);
      certs[i] = decode_x509_or_fail (der);
    }
  g_assert_true (th_certificate_validate_chain (certs[2], certs[1], certs[0], NULL, &error));
  g_assert_no_error (error);
  g_assert_cmphex (th_certificate_get_node_id (certs[2]), ==, 0xDEDEDEDE00010001);
  g_assert_cmphex (th_certificate_get_fabric_id (certs[2]), ==, 0xFAB000000000001D);
  for (guint i = 0; i < G_N_ELEMENTS (certs); i++)
    th_certificate_free (certs[i]);
}

/* The attestation chain uses vendor and product id attributes (1.3.6.1.4.1.37244.2.x) that the
 * operational encoding has no tags for: it stays X.509 and is refused here. */
static void
test_spec_examples_attestation_refused (void)
{
  static const char *names[] = { "Matter-Spec-PAA-FFF1.der", "Matter-Spec-PAI-FFF1-8000.der",
                                 "Matter-Spec-DAC-FFF1-8000-0001.der" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GBytes) der = read_spec_example (names[i]);

      assert_x509_invalid (der);
    }
}

/* CASE Authenticated Tags */

static ThCertificate *
general_test_cert (const char *name)
{
  g_autoptr(JsonNode) root = th_test_load_vectors (OPCERTS);
  JsonObject *set = json_object_get_object_member (vector_sets (root),
                                                   "General Test Certificates");
  g_autoptr(GBytes) tlv = member_bytes (json_object_get_object_member (set, name),
                                        "matterTlvHex");

  return decode_tlv_or_fail (tlv);
}

static void
test_cats_noc_tbs (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("opcerts/csr_and_cat_vectors.json");
  g_autoptr(GBytes) expected = member_bytes (json_node_get_object (root),
                                             "nocWithThreeCATs_tbsDerHex");
  g_autoptr(ThCertificate) noc = general_test_cert ("NOC");
  g_autoptr(ThCertificate) decoded = NULL;
  g_autoptr(GBytes) tbs = NULL;
  g_autoptr(GBytes) tlv = NULL;
  g_autoptr(GError) error = NULL;
  guint32 cats[TH_CERTIFICATE_MAX_CATS];

  g_assert_true (th_dn_add_matter (&noc->subject, TH_DN_MATTER_NOC_CAT, 0x12345678));
  g_assert_true (th_dn_add_matter (&noc->subject, TH_DN_MATTER_NOC_CAT, 0x56789012));
  g_assert_true (th_dn_add_matter (&noc->subject, TH_DN_MATTER_NOC_CAT, 0x90123456));
  tbs = th_certificate_encode_tbs (noc, &error);
  g_assert_no_error (error);
  ASSERT_BYTES_EQUAL_GBYTES (tbs, expected);

  tlv = th_certificate_encode_tlv (noc, &error);
  g_assert_no_error (error);
  decoded = decode_tlv_or_fail (tlv);
  g_assert_cmpuint (th_certificate_get_cats (decoded, cats), ==, 3);
  g_assert_cmphex (cats[0], ==, 0x12345678);
  g_assert_cmphex (cats[2], ==, 0x90123456);

  /* a sixth attribute does not fit the DN at all */
  g_assert_false (th_dn_add_matter (&noc->subject, TH_DN_MATTER_NOC_CAT, 0x34560001));
}

static void
assert_encode_invalid (const ThCertificate *cert)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) tlv = th_certificate_encode_tlv (cert, &error);

  g_assert_null (tlv);
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_INVALID);
  g_test_message ("refused as expected: %s", error->message);
}

static void
test_cats_rules (void)
{
  g_autoptr(ThCertificate) noc = general_test_cert ("NOC");
  g_autoptr(ThCertificate) root = general_test_cert ("ROOT");
  g_autoptr(ThCertificate) cert = NULL;

  /* duplicate identifier, different versions */
  cert = th_certificate_copy (noc);
  th_dn_add_matter (&cert->subject, TH_DN_MATTER_NOC_CAT, 0x12340001);
  th_dn_add_matter (&cert->subject, TH_DN_MATTER_NOC_CAT, 0x12340002);
  assert_encode_invalid (cert);
  g_clear_pointer (&cert, th_certificate_free);

  /* version 0 */
  cert = th_certificate_copy (noc);
  th_dn_add_matter (&cert->subject, TH_DN_MATTER_NOC_CAT, 0x12340000);
  assert_encode_invalid (cert);
  g_clear_pointer (&cert, th_certificate_free);

  /* more than 32 bits */
  cert = th_certificate_copy (noc);
  th_dn_add_matter (&cert->subject, TH_DN_MATTER_NOC_CAT, G_GUINT64_CONSTANT (0x100000001));
  assert_encode_invalid (cert);
  g_clear_pointer (&cert, th_certificate_free);

  /* four CATs: the DN has room only when the fabric id is left out */
  cert = th_certificate_copy (noc);
  th_dn_clear (&cert->subject);
  th_dn_add_matter (&cert->subject, TH_DN_MATTER_NODE_ID, 1);
  for (guint32 i = 1; i <= 4; i++)
    g_assert_true (th_dn_add_matter (&cert->subject, TH_DN_MATTER_NOC_CAT, i << 16 | 1));
  assert_encode_invalid (cert);
  g_clear_pointer (&cert, th_certificate_free);

  /* CATs outside a node's subject */
  cert = th_certificate_copy (root);
  th_dn_add_matter (&cert->subject, TH_DN_MATTER_NOC_CAT, 0x00010001);
  assert_encode_invalid (cert);
}

/* Malformed TLV */

static void
test_tlv_truncation (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors (OPCERTS);
  JsonObject *sets = vector_sets (root);
  g_autoptr(GList) set_names = json_object_get_members (sets);

  for (GList *s = set_names; s != NULL; s = s->next)
    {
      JsonObject *set = json_object_get_object_member (sets, s->data);
      g_autoptr(GList) cert_names = json_object_get_members (set);

      for (GList *c = cert_names; c != NULL; c = c->next)
        {
          g_autoptr(GBytes) tlv =
            member_bytes (json_object_get_object_member (set, c->data), "matterTlvHex");
          const guint8 *data = g_bytes_get_data (tlv, NULL);
          guint8 zero = 0;

          for (gsize len = 0; len < g_bytes_get_size (tlv); len++)
            {
              /* a copy of exactly `len` bytes, so that ASan sees any over-read */
              g_autofree guint8 *prefix = g_memdup2 (data, len);

              assert_tlv_invalid (len > 0 ? prefix : &zero, len);
            }
          {
            g_autoptr(GBytes) longer = bytes_concat (tlv, &zero, 1);

            assert_tlv_invalid (g_bytes_get_data (longer, NULL), g_bytes_get_size (longer));
          }
        }
    }
}

static void
test_tlv_mutations (void)
{
  g_autoptr(ThCertificate) root = general_test_cert ("ROOT");
  g_autoptr(ThCertificate) noc = general_test_cert ("NOC");
  g_autoptr(GBytes) tlv = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) mutated = NULL;
  ThCertificate *cert;

  tlv = th_certificate_encode_tlv (root, &error);
  g_assert_no_error (error);

  /* 15 30 01 01 00 | 24 02 01: the signature algorithm is byte 7 */
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (tlv, NULL))[7], ==, 1);
  mutated = bytes_with_byte (tlv, 7, 2);
  assert_tlv_invalid (g_bytes_get_data (mutated, NULL), g_bytes_get_size (mutated));
  g_clear_pointer (&mutated, g_bytes_unref);
  /* a tagged rather than anonymous structure */
  mutated = bytes_with_byte (tlv, 0, 0x35);
  assert_tlv_invalid (g_bytes_get_data (mutated, NULL), g_bytes_get_size (mutated));
  g_clear_pointer (&mutated, g_bytes_unref);
  /* the serial number's tag changed to the signature algorithm's: fields out of order */
  mutated = bytes_with_byte (tlv, 2, 2);
  assert_tlv_invalid (g_bytes_get_data (mutated, NULL), g_bytes_get_size (mutated));

#define EXPECT_INVALID(base, statement) \
  G_STMT_START { \
    cert = th_certificate_copy (base); \
    statement; \
    assert_encode_invalid (cert); \
    th_certificate_free (cert); \
  } G_STMT_END

  EXPECT_INVALID (root, cert->not_before = 0);
  EXPECT_INVALID (root, cert->not_after = cert->not_before);
  EXPECT_INVALID (root, cert->serial_len = 0);
  EXPECT_INVALID (root, cert->serial_len = TH_CERTIFICATE_MAX_SERIAL_LEN + 1);
  EXPECT_INVALID (root, cert->serial[0] = 0x80);
  EXPECT_INVALID (root, (cert->serial_len = 2, cert->serial[0] = 0, cert->serial[1] = 1));
  EXPECT_INVALID (root, cert->public_key[64] ^= 1);
  EXPECT_INVALID (root, cert->public_key[0] = 0x02);
  EXPECT_INVALID (root, th_dn_clear (&cert->subject));
  EXPECT_INVALID (root, th_dn_add_matter (&cert->subject, TH_DN_MATTER_ICAC_ID, 1));
  EXPECT_INVALID (root, th_dn_add_matter (&cert->subject, TH_DN_MATTER_FABRIC_ID, 0));
  EXPECT_INVALID (root, (th_dn_add_matter (&cert->subject, TH_DN_MATTER_FABRIC_ID, 1),
                         th_dn_add_matter (&cert->subject, TH_DN_MATTER_FABRIC_ID, 1)));
  EXPECT_INVALID (root, th_dn_add_matter (&cert->subject, TH_DN_MATTER_FIRMWARE_SIGNING_ID, 1));
  EXPECT_INVALID (root, th_dn_add_string (&cert->subject, TH_DN_COMMON_NAME, "a*b", TRUE));
  EXPECT_INVALID (root, th_dn_add_string (&cert->subject, TH_DN_DOMAIN_COMPONENT, "x", TRUE));
  EXPECT_INVALID (root, th_dn_add_string (&cert->subject, TH_DN_DOMAIN_COMPONENT, "é", FALSE));
  EXPECT_INVALID (root, cert->subject.attributes[0].printable = TRUE);
  EXPECT_INVALID (noc, th_dn_add_matter (&cert->issuer, TH_DN_MATTER_NODE_ID, 1));
  EXPECT_INVALID (noc, cert->subject.attributes[1].value = 0);
  EXPECT_INVALID (noc, cert->subject.attributes[1].value = G_GUINT64_CONSTANT (0xFFFFFFF000000000));
  EXPECT_INVALID (root, cert->n_extensions--);
  EXPECT_INVALID (root, cert->extensions[1] = TH_EXTENSION_BASIC_CONSTRAINTS);
  EXPECT_INVALID (root, cert->extensions[cert->n_extensions++] = TH_EXTENSION_FUTURE);
  EXPECT_INVALID (root, cert->extensions[0] = 7);
  EXPECT_INVALID (root, cert->key_usage = 0);
  EXPECT_INVALID (root, cert->key_usage = 0x200);
  EXPECT_INVALID (noc, cert->key_purposes[1] = cert->key_purposes[0]);
  EXPECT_INVALID (noc, cert->key_purposes[1] = 7);
  EXPECT_INVALID (noc, (cert->has_path_len = TRUE, cert->path_len = 0));
#undef EXPECT_INVALID
}

/* Random corruption: whatever decodes must encode back and convert both ways. */
static void
test_tlv_random_corruption (void)
{
  g_autoptr(ThCertificate) noc = general_test_cert ("NOC");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) tlv = th_certificate_encode_tlv (noc, &error);
  GRand *rand = g_rand_new_with_seed (th_test_seed ());
  guint decoded = 0;

  g_assert_no_error (error);
  for (guint round = 0; round < 5000; round++)
    {
      g_autofree guint8 *data = g_memdup2 (g_bytes_get_data (tlv, NULL), g_bytes_get_size (tlv));
      gsize len = g_bytes_get_size (tlv);
      g_autoptr(ThCertificate) cert = NULL;
      guint flips = g_rand_int_range (rand, 1, 4);

      for (guint i = 0; i < flips; i++)
        data[g_rand_int_range (rand, 0, (gint32) len)] ^= (guint8) g_rand_int_range (rand, 1, 256);
      cert = th_certificate_decode_tlv (data, len, NULL);
      if (cert != NULL)
        {
          g_autoptr(GBytes) again = th_certificate_encode_tlv (cert, &error);
          g_autoptr(ThCertificate) decoded_again = NULL;
          g_autoptr(GBytes) x509 = NULL;

          g_assert_no_error (error);
          decoded_again = decode_tlv_or_fail (again);
          g_assert_true (th_dn_equal (&decoded_again->subject, &cert->subject));
          x509 = th_certificate_encode_x509 (cert, &error);
          g_assert_no_error (error);
          decoded++;
        }
    }
  g_test_message ("%u of 5000 corrupted certificates still decoded", decoded);
  g_rand_free (rand);
}

/* X.509 */

static void
test_x509_strictness (void)
{
  g_autoptr(GBytes) noc = read_spec_example ("Matter-Spec-NOC.der");
  /* pieces of the example NOC, as hex */
  static const char *key_usage = "300e0603551d0f0101ff040403020780";
  static const char *subject_key_id =
    "301d0603551d0e041604149f55a26b7e4303e60883e913bf94f4fb5e2a6161";
  static const char *node_id = "0c1044454445444544453030303130303031";
  static const char *not_before = "170d3230313031353134323334335a";
  struct
  {
    const char *old;
    const char *replacement;
  } cases[] = {
    /* key usage not critical, or with critical spelled FALSE */
    { key_usage, "300b0603551d0f040403020780" },
    { key_usage, "300e0603551d0f010100040403020780" },
    /* subject key id critical */
    { subject_key_id, "30200603551d0e0101ff041604149f55a26b7e4303e60883e913bf94f4fb5e2a6161" },
    /* node id: lower-case hex, PrintableString, too short */
    { node_id, "0c1064656465646564653030303130303031" },
    { node_id, "131044454445444544453030303130303031" },
    { node_id, "0c0f444544454445444530303031303030" },
    /* the not-before as a GeneralizedTime before 2050, at the Matter epoch, 99991231235959Z */
    { not_before, "180f32303230313031353134323334335a" },
    { not_before, "170d3030303130313030303030305a" },
    { not_before, "180f39393939313233313233353935395a" },
    /* the wrong length, and not in UTC */
    { not_before, "1811323032303130313531343233343330305a" },
    { not_before, "170d3230313031353134323334332b" },
    /* version 1 */
    { "a003020102", "a003020100" },
    /* signature algorithm with NULL parameters */
    { "300a06082a8648ce3d040302", "300c06082a8648ce3d0403020500" },
    /* an unknown critical extension */
    { key_usage, "300e0603551d0f0101ff040403020780300d06032a03040101ff0403040100" },
    /* a key usage bit string with a trailing zero bit */
    { key_usage, "300e0603551d0f0101ff040403020680" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) mutated = der_replace (noc, cases[i].old, cases[i].replacement);

      g_test_message ("case %u", i);
      assert_x509_invalid (mutated);
    }

  /* a trailing byte, and every truncation */
  {
    guint8 zero = 0;
    g_autoptr(GBytes) longer = bytes_concat (noc, &zero, 1);
    const guint8 *data = g_bytes_get_data (noc, NULL);

    assert_x509_invalid (longer);
    for (gsize len = 0; len < g_bytes_get_size (noc); len++)
      {
        g_autofree guint8 *prefix = g_memdup2 (data, len);
        g_autoptr(ThCertificate) cert = th_certificate_decode_x509 (len > 0 ? prefix : &zero, len,
                                                                    NULL);

        g_assert_null (cert);
      }
  }
}

/* An extension the encoding has no tag for travels as DER, both ways, byte for byte. */
static void
test_x509_future_extension (void)
{
  g_autoptr(GBytes) noc = read_spec_example ("Matter-Spec-NOC.der");
  g_autoptr(GBytes) extended = der_replace (noc, "300e0603551d0f0101ff040403020780",
                                            "300e0603551d0f0101ff040403020780"
                                            "300a06032a0304040302010a");
  g_autoptr(ThCertificate) cert = decode_x509_or_fail (extended);
  g_autoptr(GBytes) tlv = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (cert->n_extensions, ==, 6);
  g_assert_cmpuint (cert->extensions[2], ==, TH_EXTENSION_FUTURE);
  g_assert_cmpuint (cert->future_extensions->len, ==, 1);
  tlv = th_certificate_encode_tlv (cert, &error);
  g_assert_no_error (error);
  der = th_certificate_tlv_to_x509 (g_bytes_get_data (tlv, NULL), g_bytes_get_size (tlv),
                                    &error);
  g_assert_no_error (error);
  ASSERT_BYTES_EQUAL_GBYTES (der, extended);

  /* the signature covered the original, so it no longer verifies */
  {
    g_autoptr(GBytes) icac_der = read_spec_example ("Matter-Spec-ICAC.der");
    g_autoptr(ThCertificate) icac = decode_x509_or_fail (icac_der);

    g_assert_false (th_certificate_verify_signature (cert, icac->public_key, &error));
    g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN);
  }
}

/* Validity */

static void
test_validity_periods (void)
{
  g_autoptr(ThCertificate) noc = general_test_cert ("NOC");
  g_autoptr(GError) error = NULL;
  guint32 start = noc->not_before;
  guint32 end = noc->not_after;

  g_assert_false (th_certificate_check_validity (noc, start - 1, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_NOT_YET_VALID);
  g_clear_error (&error);
  g_assert_true (th_certificate_check_validity (noc, start, &error));
  g_assert_true (th_certificate_check_validity (noc, end, &error));
  g_assert_no_error (error);
  g_assert_false (th_certificate_check_validity (noc, end + 1, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_EXPIRED);
  g_clear_error (&error);

  noc->not_after = TH_CERTIFICATE_NO_EXPIRY;
  g_assert_true (th_certificate_check_validity (noc, G_MAXUINT32, &error));
  g_assert_no_error (error);
}

/* The X.509 time of a not-after (seconds since the Matter epoch), and back. */
static void
assert_not_after_encoding (guint32     not_after,
                           const char *expected_hex)
{
  g_autoptr(ThCertificate) root = general_test_cert ("ROOT");
  g_autoptr(GBytes) tbs = NULL;
  g_autoptr(GBytes) expected = th_test_hex_to_bytes (expected_hex);
  g_autoptr(GBytes) der = NULL;
  g_autoptr(ThCertificate) back = NULL;
  g_autoptr(GError) error = NULL;

  root->not_after = not_after;
  tbs = th_certificate_encode_tbs (root, &error);
  g_assert_no_error (error);
  g_assert_true (contains (tbs, expected));
  der = th_certificate_encode_x509 (root, &error);
  g_assert_no_error (error);
  back = decode_x509_or_fail (der);
  g_assert_cmpuint (back->not_after, ==, not_after);
}

static void
test_validity_time_encoding (void)
{
  g_autoptr(GDateTime) last_utc = g_date_time_new_utc (2049, 12, 31, 23, 59, 59);
  guint32 last_utc_time = (guint32) (g_date_time_to_unix (last_utc) - TH_MATTER_EPOCH_UNIX);
  g_autoptr(GError) error = NULL;
  guint32 time;

  /* UTCTime through 2049, GeneralizedTime from 2050, the largest Matter time, no expiry */
  assert_not_after_encoding (last_utc_time, "170d3439313233313233353935395a");
  assert_not_after_encoding (last_utc_time + 1, "180f32303530303130313030303030305a");
  assert_not_after_encoding (G_MAXUINT32, "180f32313336303230373036323831355a");
  assert_not_after_encoding (TH_CERTIFICATE_NO_EXPIRY, "180f39393939313233313233353935395a");

  /* a second after the largest Matter time cannot be decoded */
  {
    g_autoptr(ThCertificate) root = general_test_cert ("ROOT");
    g_autoptr(GBytes) der = NULL;
    g_autoptr(GBytes) later = NULL;

    root->not_after = G_MAXUINT32;
    der = th_certificate_encode_x509 (root, &error);
    g_assert_no_error (error);
    later = der_replace (der, "180f32313336303230373036323831355a",
                         "180f32313336303230373036323831365a");
    assert_x509_invalid (later);
  }

  /* Matter time from a date */
  {
    g_autoptr(GDateTime) epoch = g_date_time_new_utc (2000, 1, 1, 0, 0, 0);
    g_autoptr(GDateTime) before = g_date_time_new_utc (1999, 12, 31, 23, 59, 59);

    g_assert_true (th_matter_time_from_date_time (epoch, &time, &error));
    g_assert_cmpuint (time, ==, 0);
    g_assert_false (th_matter_time_from_date_time (before, &time, &error));
    g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_INVALID);
  }
}

/* Fabric */

static void
test_compressed_fabric_id (void)
{
  /* the specification's example (4.3.2.2) */
  g_autoptr(GBytes) root_public_key =
    th_test_hex_to_bytes ("044a9f42b1ca4840d37292bbc7f6a7e11e22200c976fc900dbc98a7a383a641cb8"
                          "254a2e56d4e295a847943b4e3897c4a773e930277b4d9fbede8a052686bfacfa");
  static const guint8 expected[] = { 0x87, 0xE1, 0xB0, 0x04, 0xE2, 0x35, 0xA1, 0x30 };
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  guint8 out[TH_COMPRESSED_FABRIC_ID_LEN];

  g_assert_true (th_compressed_fabric_id (g_bytes_get_data (root_public_key, NULL),
                                          G_GUINT64_CONSTANT (0x2906C908D115D362), out, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (out, sizeof out, expected, sizeof expected);

  name = th_operational_instance_name (out, 0x5);
  g_assert_cmpstr (name, ==, "87E1B004E235A130-0000000000000005");
  g_clear_pointer (&name, g_free);
  name = th_operational_instance_name (out, G_GUINT64_CONSTANT (0xFFFFFFEFFFFFFFFF));
  g_assert_cmpstr (name, ==, "87E1B004E235A130-FFFFFFEFFFFFFFFF");
}

/* The operational group key of the message vectors' epoch key. */
static void
test_operational_group_key (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("message/message_encryption_vectors.json");
  JsonArray *cases = json_object_get_array_member (json_node_get_object (root), "cases");
  guint checked = 0;

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      g_autoptr(GBytes) epoch_key = NULL;
      g_autoptr(GBytes) fabric_id = NULL;
      g_autoptr(GBytes) expected = NULL;
      g_autoptr(GError) error = NULL;
      guint8 out[TH_IPK_LEN];

      if (!json_object_has_member (c, "epochKey"))
        continue;
      epoch_key = member_bytes (c, "epochKey");
      fabric_id = member_bytes (c, "compressedFabricId");
      expected = member_bytes (c, "encryptionKey");
      g_assert_cmpuint (g_bytes_get_size (epoch_key), ==, TH_IPK_LEN);
      g_assert_cmpuint (g_bytes_get_size (fabric_id), ==, TH_COMPRESSED_FABRIC_ID_LEN);
      g_assert_true (th_operational_group_key (g_bytes_get_data (epoch_key, NULL),
                                               g_bytes_get_data (fabric_id, NULL), out,
                                               &error));
      g_assert_no_error (error);
      th_assert_bytes_equal (out, sizeof out, g_bytes_get_data (expected, NULL),
                             g_bytes_get_size (expected));
      checked++;
    }
  g_assert_cmpuint (checked, >, 0);
}

/* A CSR made by OpenSSL, as a device would send it. */
static GBytes *
openssl_csr (const char *curve,
             EVP_PKEY  **key_out)
{
  g_autoptr(EVP_PKEY) key = EVP_EC_gen (curve);
  g_autoptr(X509_REQ) request = X509_REQ_new ();
  X509_NAME *name = X509_REQ_get_subject_name (request);
  unsigned char *der = NULL;
  int len;
  GBytes *bytes;

  g_assert_nonnull (key);
  g_assert_cmpint (X509_REQ_set_version (request, 0), ==, 1);
  g_assert_cmpint (X509_NAME_add_entry_by_txt (name, "O", MBSTRING_UTF8,
                                               (const unsigned char *) "CSR", -1, -1, 0), ==, 1);
  g_assert_cmpint (X509_REQ_set_pubkey (request, key), ==, 1);
  g_assert_cmpint (X509_REQ_sign (request, key, EVP_sha256 ()), >, 0);
  len = i2d_X509_REQ (request, &der);
  g_assert_cmpint (len, >, 0);
  bytes = g_bytes_new (der, (gsize) len);
  OPENSSL_free (der);
  if (key_out != NULL)
    *key_out = g_steal_pointer (&key);
  return bytes;
}

static ThP256Key *
parse_csr_or_fail (GBytes *csr)
{
  g_autoptr(GError) error = NULL;
  ThP256Key *key = th_csr_parse (g_bytes_get_data (csr, NULL), g_bytes_get_size (csr), &error);

  g_assert_no_error (error);
  g_assert_nonnull (key);
  return key;
}

static ThCertificate *
issue_or_fail (ThFabric      *fabric,
               ThP256Key     *key,
               guint64        node_id,
               const guint32 *cats,
               guint          n_cats)
{
  g_autoptr(GError) error = NULL;
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];
  ThCertificate *noc;

  th_p256_key_get_public (key, public_key);
  noc = th_fabric_issue_noc (fabric, public_key, node_id, cats, n_cats, &error);
  g_assert_no_error (error);
  g_assert_nonnull (noc);
  return noc;
}

static X509 *
to_openssl (const ThCertificate *cert)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) der = th_certificate_encode_x509 (cert, &error);
  const unsigned char *p;
  X509 *x509;

  g_assert_no_error (error);
  p = g_bytes_get_data (der, NULL);
  x509 = d2i_X509 (NULL, &p, (long) g_bytes_get_size (der));
  g_assert_nonnull (x509);
  return x509;
}

/* OpenSSL, independently, accepts the chain this CA issued. */
static void
assert_openssl_verifies (ThFabric            *fabric,
                         const ThCertificate *noc)
{
  g_autoptr(X509) root = to_openssl (th_fabric_get_root_certificate (fabric));
  g_autoptr(X509) leaf = to_openssl (noc);
  g_autoptr(X509_STORE) store = X509_STORE_new ();
  g_autoptr(X509_STORE_CTX) ctx = X509_STORE_CTX_new ();
  STACK_OF (X509) *untrusted = sk_X509_new_null ();
  g_autoptr(X509) ica = NULL;
  int result;

  if (th_fabric_get_intermediate_certificate (fabric) != NULL)
    {
      ica = to_openssl (th_fabric_get_intermediate_certificate (fabric));
      sk_X509_push (untrusted, ica);
    }
  X509_STORE_add_cert (store, root);
  X509_STORE_set_flags (store, X509_V_FLAG_X509_STRICT);
  g_assert_cmpint (X509_STORE_CTX_init (ctx, store, leaf, untrusted), ==, 1);
  result = X509_verify_cert (ctx);
  if (result != 1)
    g_test_message ("OpenSSL: %s",
                    X509_verify_cert_error_string (X509_STORE_CTX_get_error (ctx)));
  g_assert_cmpint (result, ==, 1);
  sk_X509_free (untrusted);
}

static void
check_issuance (ThFabricFlags flags)
{
  static const guint32 cats[] = { 0x00010001, 0xABCD0002 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ThFabric) fabric = th_fabric_new (0x2906C908D115D362, flags, &error);
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(ThP256Key) device_key = NULL;
  g_autoptr(ThCertificate) noc = NULL;
  g_autoptr(ThCertificate) noc_from_tlv = NULL;
  g_autoptr(ThCertificate) rcac_from_tlv = NULL;
  g_autoptr(GBytes) noc_tlv = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GBytes *rcac_tlv;
  guint8 ipk[TH_IPK_LEN];
  guint8 expected_ipk[TH_IPK_LEN];
  guint8 cfid[TH_COMPRESSED_FABRIC_ID_LEN];
  guint32 got_cats[TH_CERTIFICATE_MAX_CATS];

  g_assert_no_error (error);
  g_assert_nonnull (fabric);
  g_assert_cmphex (th_fabric_get_fabric_id (fabric), ==, 0x2906C908D115D362);
  g_assert_cmpuint (th_fabric_get_intermediate_certificate (fabric) != NULL, ==,
                    (flags & TH_FABRIC_WITH_INTERMEDIATE) != 0);

  csr = openssl_csr ("P-256", NULL);
  device_key = parse_csr_or_fail (csr);
  noc = issue_or_fail (fabric, device_key, 0x0000000012344321, cats, G_N_ELEMENTS (cats));
  g_assert_true (th_fabric_validate_noc (fabric, noc,
                                         th_fabric_get_intermediate_certificate (fabric), now,
                                         &error));
  g_assert_no_error (error);
  g_assert_true (th_certificate_validate_chain (noc,
                                                th_fabric_get_intermediate_certificate (fabric),
                                                th_fabric_get_root_certificate (fabric), now,
                                                &error));
  g_assert_no_error (error);
  assert_openssl_verifies (fabric, noc);

  /* what goes on the wire decodes to the same */
  noc_tlv = th_certificate_encode_tlv (noc, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (noc_tlv), <=, TH_CERTIFICATE_MAX_TLV_LEN);
  noc_from_tlv = decode_tlv_or_fail (noc_tlv);
  g_assert_cmphex (th_certificate_get_node_id (noc_from_tlv), ==, 0x12344321);
  g_assert_cmphex (th_certificate_get_fabric_id (noc_from_tlv), ==, 0x2906C908D115D362);
  g_assert_cmpuint (th_certificate_get_cats (noc_from_tlv, got_cats), ==, 2);
  g_assert_cmphex (got_cats[1], ==, 0xABCD0002);
  rcac_tlv = th_fabric_get_root_certificate_tlv (fabric);
  rcac_from_tlv = decode_tlv_or_fail (rcac_tlv);
  g_assert_true (th_fabric_validate_noc (fabric, noc_from_tlv,
                                         th_fabric_get_intermediate_certificate (fabric), NULL,
                                         &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rcac_from_tlv->not_after, ==, TH_CERTIFICATE_NO_EXPIRY);

  /* the compressed fabric id and IPK follow from the root key and the epoch key */
  g_assert_true (th_compressed_fabric_id (rcac_from_tlv->public_key, 0x2906C908D115D362, cfid,
                                          &error));
  g_assert_cmpmem (cfid, sizeof cfid, th_fabric_get_compressed_fabric_id (fabric), sizeof cfid);
  g_assert_true (th_fabric_get_operational_ipk (fabric, ipk, &error));
  g_assert_true (th_operational_group_key (th_fabric_get_ipk_epoch_key (fabric), cfid,
                                           expected_ipk, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (ipk, sizeof ipk, expected_ipk, sizeof expected_ipk);
  {
    g_autofree char *name = th_fabric_get_operational_instance_name (fabric, 0x12344321);
    g_autofree char *expected = th_operational_instance_name (cfid, 0x12344321);

    g_assert_cmpstr (name, ==, expected);
    g_assert_cmpuint (strlen (name), ==, 33);
  }
}

static void
test_fabric_issue_from_root (void)
{
  check_issuance (TH_FABRIC_FLAGS_NONE);
}

static void
test_fabric_issue_with_ica (void)
{
  check_issuance (TH_FABRIC_WITH_INTERMEDIATE);
}

static void
test_fabric_tampering (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThFabric) fabric = th_fabric_new (7, TH_FABRIC_WITH_INTERMEDIATE, &error);
  g_autoptr(ThFabric) other = th_fabric_new (7, TH_FABRIC_FLAGS_NONE, &error);
  g_autoptr(ThP256Key) device_key = th_p256_key_generate (&error);
  g_autoptr(ThCertificate) noc = NULL;
  g_autoptr(ThCertificate) other_noc = NULL;
  const ThCertificate *icac;
  const ThCertificate *rcac;
  ThCertificate *cert;
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];

  g_assert_no_error (error);
  icac = th_fabric_get_intermediate_certificate (fabric);
  rcac = th_fabric_get_root_certificate (fabric);
  noc = issue_or_fail (fabric, device_key, 42, NULL, 0);
  other_noc = issue_or_fail (other, device_key, 42, NULL, 0);

#define EXPECT_CHAIN_FAILS(statement, code) \
  G_STMT_START { \
    cert = th_certificate_copy (noc); \
    statement; \
    g_assert_false (th_certificate_validate_chain (cert, icac, rcac, NULL, &error)); \
    g_assert_error (error, TH_ERROR, code); \
    g_test_message ("refused as expected: %s", error->message); \
    g_clear_error (&error); \
    th_certificate_free (cert); \
  } G_STMT_END

  EXPECT_CHAIN_FAILS (cert->subject.attributes[0].value = 43, TH_ERROR_CERTIFICATE_CHAIN);
  EXPECT_CHAIN_FAILS (cert->signature[10] ^= 1, TH_ERROR_CERTIFICATE_CHAIN);
  EXPECT_CHAIN_FAILS (cert->not_before--, TH_ERROR_CERTIFICATE_CHAIN);
  EXPECT_CHAIN_FAILS (cert->authority_key_id[0] ^= 1, TH_ERROR_CERTIFICATE_CHAIN);
  EXPECT_CHAIN_FAILS (cert->issuer.attributes[0].value ^= 1, TH_ERROR_CERTIFICATE_CHAIN);
  EXPECT_CHAIN_FAILS (cert->is_ca = TRUE, TH_ERROR_CERTIFICATE_INVALID);
  EXPECT_CHAIN_FAILS (cert->key_usage |= TH_KEY_USAGE_KEY_CERT_SIGN, TH_ERROR_CERTIFICATE_INVALID);
  EXPECT_CHAIN_FAILS (cert->n_key_purposes = 1, TH_ERROR_CERTIFICATE_INVALID);
#undef EXPECT_CHAIN_FAILS

  /* another fabric's NOC, with the same fabric id, does not chain to this root */
  g_assert_false (th_certificate_validate_chain (other_noc, NULL, rcac, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN);
  g_clear_error (&error);

  /* node ids outside the operational range, too many CATs */
  th_p256_key_get_public (device_key, public_key);
  g_assert_null (th_fabric_issue_noc (fabric, public_key, 0, NULL, 0, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_INVALID);
  g_clear_error (&error);
  g_assert_null (th_fabric_issue_noc (fabric, public_key, G_GUINT64_CONSTANT (0xFFFFFFFB00000001),
                                      NULL, 0, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_INVALID);
  g_clear_error (&error);
  {
    static const guint32 four[] = { 0x10001, 0x20001, 0x30001, 0x40001 };

    g_assert_null (th_fabric_issue_noc (fabric, public_key, 1, four, 4, &error));
    g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_INVALID);
    g_clear_error (&error);
  }
  g_assert_null (th_fabric_new (0, TH_FABRIC_FLAGS_NONE, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_INVALID);
}

/* A root that names the fabric binds the NOCs it issues to that fabric. */
static void
test_fabric_id_consistency (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThFabric) fabric = th_fabric_new (7, TH_FABRIC_FLAGS_NONE, &error);
  g_autoptr(ThP256Key) device_key = th_p256_key_generate (&error);
  g_autoptr(ThCertificate) rcac = NULL;
  g_autoptr(ThCertificate) noc = NULL;
  ThP256Key *root_key;

  g_assert_no_error (error);
  root_key = th_fabric_get_root_key (fabric);
  rcac = th_certificate_copy (th_fabric_get_root_certificate (fabric));
  g_assert_true (th_dn_add_matter (&rcac->subject, TH_DN_MATTER_FABRIC_ID, 7));
  th_dn_copy (&rcac->issuer, &rcac->subject);
  g_assert_true (th_certificate_sign (rcac, root_key, &error));
  g_assert_no_error (error);

  noc = issue_or_fail (fabric, device_key, 42, NULL, 0);
  th_dn_copy (&noc->issuer, &rcac->subject);
  g_assert_true (th_certificate_sign (noc, root_key, &error));
  g_assert_true (th_certificate_validate_chain (noc, NULL, rcac, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (noc->subject.attributes[1].type, ==, TH_DN_MATTER_FABRIC_ID);
  noc->subject.attributes[1].value = 8;
  g_assert_true (th_certificate_sign (noc, root_key, &error));
  g_assert_false (th_certificate_validate_chain (noc, NULL, rcac, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN);
  g_clear_error (&error);

  /* the fabric's own check, on a NOC of its root that names another fabric */
  g_assert_false (th_fabric_validate_noc (fabric, noc, NULL, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN);
  g_clear_error (&error);
  th_dn_copy (&noc->issuer, &th_fabric_get_root_certificate (fabric)->subject);
  g_assert_true (th_certificate_sign (noc, root_key, &error));
  g_assert_true (th_certificate_validate_chain (noc, NULL,
                                                th_fabric_get_root_certificate (fabric), NULL,
                                                &error));
  g_assert_false (th_fabric_validate_noc (fabric, noc, NULL, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN);
}

static void
test_fabric_from_credentials (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThFabric) fabric = th_fabric_new (0x1234, TH_FABRIC_WITH_INTERMEDIATE, &error);
  g_autoptr(ThFabric) other = th_fabric_new (0x1234, TH_FABRIC_FLAGS_NONE, &error);
  g_autoptr(ThFabric) loaded = NULL;
  g_autoptr(GBytes) root_pkcs8 = NULL;
  g_autoptr(ThP256Key) root_key = NULL;
  g_autoptr(ThP256Key) device_key = th_p256_key_generate (&error);
  g_autoptr(ThCertificate) noc = NULL;
  g_autoptr(ThP256Key) public_only = NULL;
  GBytes *icac_tlv;
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];

  g_assert_no_error (error);
  root_pkcs8 = th_p256_key_export_pkcs8 (th_fabric_get_root_key (fabric), &error);
  g_assert_no_error (error);
  root_key = th_p256_key_new_from_pkcs8 (g_bytes_get_data (root_pkcs8, NULL),
                                         g_bytes_get_size (root_pkcs8), &error);
  g_assert_no_error (error);

  loaded = th_fabric_new_from_credentials (0x1234, root_key,
                                           th_fabric_get_root_certificate_tlv (fabric),
                                           th_fabric_get_intermediate_key (fabric),
                                           th_fabric_get_intermediate_certificate_tlv (fabric),
                                           th_fabric_get_ipk_epoch_key (fabric), &error);
  g_assert_no_error (error);
  g_assert_cmpmem (th_fabric_get_compressed_fabric_id (loaded), TH_COMPRESSED_FABRIC_ID_LEN,
                   th_fabric_get_compressed_fabric_id (fabric), TH_COMPRESSED_FABRIC_ID_LEN);
  /* a NOC the loaded fabric issues validates against the original */
  noc = issue_or_fail (loaded, device_key, 99, NULL, 0);
  g_assert_true (th_fabric_validate_noc (fabric, noc,
                                         th_fabric_get_intermediate_certificate (fabric), NULL,
                                         &error));
  g_assert_no_error (error);

  /* a root key that is not the RCAC's */
  g_assert_null (th_fabric_new_from_credentials (0x1234, th_fabric_get_root_key (other),
                                                 th_fabric_get_root_certificate_tlv (fabric),
                                                 NULL, NULL,
                                                 th_fabric_get_ipk_epoch_key (fabric), &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN);
  g_clear_error (&error);
  /* a public key alone */
  th_p256_key_get_public (th_fabric_get_root_key (fabric), public_key);
  public_only = th_p256_key_new_from_public (public_key, &error);
  g_assert_null (th_fabric_new_from_credentials (0x1234, public_only,
                                                 th_fabric_get_root_certificate_tlv (fabric),
                                                 NULL, NULL,
                                                 th_fabric_get_ipk_epoch_key (fabric), &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN);
  g_clear_error (&error);
  /* an ICAC of another root */
  icac_tlv = th_fabric_get_intermediate_certificate_tlv (fabric);
  g_assert_null (th_fabric_new_from_credentials (0x1234, th_fabric_get_root_key (other),
                                                 th_fabric_get_root_certificate_tlv (other),
                                                 th_fabric_get_intermediate_key (fabric),
                                                 icac_tlv, th_fabric_get_ipk_epoch_key (fabric),
                                                 &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN);
  g_clear_error (&error);
  /* the ICAC where the root should be */
  g_assert_null (th_fabric_new_from_credentials (0x1234, th_fabric_get_intermediate_key (fabric),
                                                 icac_tlv, NULL, NULL,
                                                 th_fabric_get_ipk_epoch_key (fabric), &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CERTIFICATE_CHAIN);
}

/* CSR */

static GBytes *
build_csr (GBytes       *info,
           const guint8  signature[TH_P256_SIGNATURE_LEN])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) signature_der = th_p256_signature_to_der (signature, &error);
  g_auto(ThDerWriter) writer = { 0 };

  g_assert_no_error (error);
  th_der_writer_init (&writer);
  th_der_writer_start (&writer, TH_DER_SEQUENCE);
  th_der_writer_put_raw (&writer, g_bytes_get_data (info, NULL), g_bytes_get_size (info));
  th_der_writer_start (&writer, TH_DER_SEQUENCE);
  th_der_writer_put (&writer, TH_DER_OID,
                     (const guint8 *) "\x2A\x86\x48\xCE\x3D\x04\x03\x02", 8);
  th_der_writer_end (&writer);
  th_der_writer_put_octet_bits (&writer, g_bytes_get_data (signature_der, NULL),
                                g_bytes_get_size (signature_der));
  th_der_writer_end (&writer);
  return th_der_writer_finish (&writer);
}

static void
assert_csr_refused (GBytes   *csr,
                    gboolean  verbose)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThP256Key) key = th_csr_parse (g_bytes_get_data (csr, NULL), g_bytes_get_size (csr),
                                           &error);

  g_assert_null (key);
  g_assert_error (error, TH_ERROR, TH_ERROR_CSR_INVALID);
  if (verbose)
    g_test_message ("refused as expected: %s", error->message);
}

static void
assert_csr_invalid (GBytes *csr)
{
  assert_csr_refused (csr, TRUE);
}

static void
test_csr_vector (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("opcerts/csr_and_cat_vectors.json");
  JsonObject *vectors = json_node_get_object (root);
  JsonObject *pair = json_object_get_object_member (vectors, "csrKeyPair");
  g_autoptr(GBytes) private_key = member_bytes (pair, "privateKey");
  g_autoptr(GBytes) expected_public = member_bytes (pair, "publicKey");
  g_autoptr(GBytes) info = member_bytes (vectors, "csrCertificationRequestInfoDerHex");
  g_autoptr(GError) error = NULL;
  g_autoptr(ThP256Key) key = th_p256_key_new_from_private (g_bytes_get_data (private_key, NULL),
                                                           &error);
  g_autoptr(GBytes) csr = NULL;
  g_autoptr(ThP256Key) parsed = NULL;
  guint8 signature[TH_P256_SIGNATURE_LEN];
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];

  g_assert_no_error (error);
  g_assert_true (th_p256_key_sign (key, g_bytes_get_data (info, NULL), g_bytes_get_size (info),
                                   signature, &error));
  g_assert_no_error (error);
  csr = build_csr (info, signature);
  parsed = parse_csr_or_fail (csr);
  th_p256_key_get_public (parsed, public_key);
  th_assert_bytes_equal (public_key, sizeof public_key, g_bytes_get_data (expected_public, NULL),
                         g_bytes_get_size (expected_public));

  /* every truncation, and a byte after the end */
  {
    const guint8 *data = g_bytes_get_data (csr, NULL);
    guint8 zero = 0;
    g_autoptr(GBytes) longer = bytes_concat (csr, &zero, 1);

    for (gsize len = 0; len < g_bytes_get_size (csr); len++)
      {
        g_autoptr(GBytes) prefix = g_bytes_new (data, len);

        assert_csr_refused (prefix, FALSE);
      }
    assert_csr_invalid (longer);
  }

  /* a CertificationRequestInfo changed after signing: the subject O=CSR becomes O=CSS */
  {
    g_autoptr(GBytes) changed_info = NULL;
    g_autoptr(GBytes) changed = NULL;
    g_autoptr(GBytes) needle = g_bytes_new_static ("CSR", 3);
    gssize at = find (info, needle);

    g_assert_cmpint (at, >=, 0);
    changed_info = bytes_with_byte (info, (gsize) at + 2, 'S');
    changed = build_csr (changed_info, signature);
    assert_csr_invalid (changed);
  }
}

static void
test_csr_openssl (void)
{
  g_autoptr(EVP_PKEY) openssl_key = NULL;
  g_autoptr(GBytes) csr = openssl_csr ("P-256", &openssl_key);
  g_autoptr(ThP256Key) parsed = parse_csr_or_fail (csr);
  g_autoptr(GError) error = NULL;
  g_autoptr(ThP256Key) expected = th_p256_key_new_from_evp_pkey (openssl_key, &error);
  guint8 a[TH_P256_PUBLIC_KEY_LEN];
  guint8 b[TH_P256_PUBLIC_KEY_LEN];

  g_assert_no_error (error);
  th_p256_key_get_public (parsed, a);
  th_p256_key_get_public (expected, b);
  g_assert_cmpmem (a, sizeof a, b, sizeof b);
  g_assert_false (th_p256_key_has_private (parsed));
}

static void
test_csr_rejects (void)
{
  g_autoptr(GBytes) p384 = openssl_csr ("P-384", NULL);
  g_autoptr(GBytes) csr = openssl_csr ("P-256", NULL);
  g_autoptr(GBytes) changed = NULL;
  gsize len = g_bytes_get_size (csr);
  const guint8 *data = g_bytes_get_data (csr, NULL);

  assert_csr_invalid (p384);

  /* version 1 (value 1) */
  changed = der_replace (csr, "020100", "020101");
  assert_csr_invalid (changed);
  g_clear_pointer (&changed, g_bytes_unref);
  /* ecdsa-with-SHA384 as the algorithm */
  changed = der_replace (csr, "300a06082a8648ce3d040302", "300a06082a8648ce3d040303");
  assert_csr_invalid (changed);
  g_clear_pointer (&changed, g_bytes_unref);
  /* the curve OID changed to secp256k1 (1.3.132.0.10) */
  changed = der_replace (csr, "301306072a8648ce3d020106082a8648ce3d030107",
                         "301006072a8648ce3d020106052b8104000a");
  assert_csr_invalid (changed);
  g_clear_pointer (&changed, g_bytes_unref);
  /* a flipped signature byte (the last byte of the DER signature) */
  changed = bytes_with_byte (csr, len - 1, data[len - 1] ^ 0x01);
  assert_csr_invalid (changed);
}

static GBytes *
nocsr_elements (GBytes       *csr,
                const guint8 *nonce,
                gsize         nonce_len,
                gboolean      swapped)
{
  g_auto(ThTlvWriter) writer = { 0 };

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  if (swapped)
    th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (2), nonce, nonce_len);
  if (csr != NULL)
    th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (1), g_bytes_get_data (csr, NULL),
                             g_bytes_get_size (csr));
  if (!swapped)
    th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (2), nonce, nonce_len);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (3), (const guint8 *) "vendor", 6);
  th_tlv_writer_end_container (&writer);
  return th_tlv_writer_finish (&writer);
}

static void
assert_nocsr (GBytes       *elements,
              const guint8 *nonce,
              gboolean      valid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThP256Key) key = th_csr_parse_nocsr_elements (g_bytes_get_data (elements, NULL),
                                                          g_bytes_get_size (elements), nonce,
                                                          &error);

  if (valid)
    {
      g_assert_no_error (error);
      g_assert_nonnull (key);
    }
  else
    {
      g_assert_null (key);
      g_assert_error (error, TH_ERROR, TH_ERROR_CSR_INVALID);
    }
}

static void
test_csr_nocsr_elements (void)
{
  g_autoptr(GBytes) csr = openssl_csr ("P-256", NULL);
  g_autoptr(GError) error = NULL;
  guint8 nonce[TH_CSR_NONCE_LEN];
  guint8 other_nonce[TH_CSR_NONCE_LEN];
  g_autoptr(GBytes) good = NULL;
  g_autoptr(GBytes) swapped = NULL;
  g_autoptr(GBytes) no_csr = NULL;
  g_autoptr(GBytes) short_nonce = NULL;

  g_assert_true (th_random_bytes (nonce, sizeof nonce, &error));
  memcpy (other_nonce, nonce, sizeof nonce);
  other_nonce[31] ^= 1;

  good = nocsr_elements (csr, nonce, sizeof nonce, FALSE);
  assert_nocsr (good, nonce, TRUE);
  assert_nocsr (good, other_nonce, FALSE);
  swapped = nocsr_elements (csr, nonce, sizeof nonce, TRUE);
  assert_nocsr (swapped, nonce, FALSE);
  no_csr = nocsr_elements (NULL, nonce, sizeof nonce, FALSE);
  assert_nocsr (no_csr, nonce, FALSE);
  short_nonce = nocsr_elements (csr, nonce, sizeof nonce - 1, FALSE);
  assert_nocsr (short_nonce, nonce, FALSE);
  for (gsize len = 0; len < g_bytes_get_size (good); len++)
    {
      g_autoptr(GBytes) prefix = g_bytes_new (g_bytes_get_data (good, NULL), len);

      assert_nocsr (prefix, nonce, FALSE);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/certificates/vectors/decode-and-convert", test_vectors_decode_and_convert);
  g_test_add_func ("/certificates/vectors/chains", test_vectors_chains);
  g_test_add_func ("/certificates/vectors/attributes", test_vectors_attributes);
  g_test_add_func ("/certificates/spec-examples/round-trip", test_spec_examples_round_trip);
  g_test_add_func ("/certificates/spec-examples/attestation-refused",
                   test_spec_examples_attestation_refused);
  g_test_add_func ("/certificates/cats/noc-tbs", test_cats_noc_tbs);
  g_test_add_func ("/certificates/cats/rules", test_cats_rules);
  g_test_add_func ("/certificates/tlv/truncation", test_tlv_truncation);
  g_test_add_func ("/certificates/tlv/mutations", test_tlv_mutations);
  g_test_add_func ("/certificates/tlv/random-corruption", test_tlv_random_corruption);
  g_test_add_func ("/certificates/x509/strictness", test_x509_strictness);
  g_test_add_func ("/certificates/x509/future-extension", test_x509_future_extension);
  g_test_add_func ("/certificates/validity/periods", test_validity_periods);
  g_test_add_func ("/certificates/validity/time-encoding", test_validity_time_encoding);
  g_test_add_func ("/certificates/fabric/compressed-fabric-id", test_compressed_fabric_id);
  g_test_add_func ("/certificates/fabric/operational-group-key", test_operational_group_key);
  g_test_add_func ("/certificates/fabric/issue-from-root", test_fabric_issue_from_root);
  g_test_add_func ("/certificates/fabric/issue-with-ica", test_fabric_issue_with_ica);
  g_test_add_func ("/certificates/fabric/tampering", test_fabric_tampering);
  g_test_add_func ("/certificates/fabric/fabric-id-consistency", test_fabric_id_consistency);
  g_test_add_func ("/certificates/fabric/from-credentials", test_fabric_from_credentials);
  g_test_add_func ("/certificates/csr/vector", test_csr_vector);
  g_test_add_func ("/certificates/csr/openssl", test_csr_openssl);
  g_test_add_func ("/certificates/csr/rejects", test_csr_rejects);
  g_test_add_func ("/certificates/csr/nocsr-elements", test_csr_nocsr_elements);

  return g_test_run ();
}
