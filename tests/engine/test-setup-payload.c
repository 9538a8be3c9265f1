/* test-setup-payload.c: the onboarding payload codec (QR, manual code, NFC, passcode rules)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "onboarding/th-setup-payload-private.h"
#include "onboarding/th-setup-payload.h"
#include "th-error.h"
#include "th-test-utils.h"
#include "tlv/th-tlv.h"

#define RANDOM_ROUNDS 1000

/* Vector files */

static JsonObject *
vectors (const char *file)
{
  /* Kept for the life of the test program, so that the objects handed out stay valid. */
  static GHashTable *loaded;
  JsonNode *node;

  if (loaded == NULL)
    loaded = g_hash_table_new (g_str_hash, g_str_equal);
  node = g_hash_table_lookup (loaded, file);
  if (node == NULL)
    {
      g_autofree char *path = g_build_filename ("onboarding", file, NULL);

      node = th_test_load_vectors (path);
      g_hash_table_insert (loaded, (gpointer) file, node);
    }
  return json_node_get_object (node);
}

static JsonArray *
vector_array (const char *file,
              const char *member)
{
  return json_object_get_array_member (vectors (file), member);
}

static guint
int_member (JsonObject *object,
            const char *member)
{
  return (guint) json_object_get_int_member (object, member);
}

static GBytes *
hex_member (JsonObject *object,
            const char *member)
{
  return th_test_hex_to_bytes (json_object_get_string_member (object, member));
}

/* Helpers */

/* Error messages reach the user and logs; the passcode must never be in them. */
static void
assert_hides_passcode (const GError *error,
                       guint32       passcode)
{
  g_autofree char *plain = g_strdup_printf ("%u", passcode);
  g_autofree char *padded = g_strdup_printf ("%08u", passcode);

  g_assert_nonnull (error);
  if (passcode >= 1000)
    {
      g_assert_null (strstr (error->message, plain));
      g_assert_null (strstr (error->message, padded));
    }
}

static void
assert_error_mentions (const GError *error,
                       const char   *text)
{
  g_assert_nonnull (error);
  if (strstr (error->message, text) == NULL)
    g_error ("error message “%s” does not mention “%s”", error->message, text);
}

static ThSetupPayload *
parse_one_qr (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) payloads = th_setup_payload_parse_qr (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (payloads);
  g_assert_cmpuint (payloads->len, ==, 1);
  return th_setup_payload_copy (g_ptr_array_index (payloads, 0));
}

typedef struct
{
  guint version;
  guint vendor_id;
  guint product_id;
  guint flow;
  guint capabilities;
  guint discriminator;
  guint passcode;
  guint padding;
} PackedFields;

/* The test's own packing of the 88 bits, in two 64-bit halves, to craft any bit pattern. */
static void
pack_fields (const PackedFields *f,
             guint8              out[TH_SETUP_PAYLOAD_PACKED_LEN])
{
  const guint64 values[] = { f->version, f->vendor_id, f->product_id, f->flow,
                             f->capabilities, f->discriminator, f->passcode, f->padding };
  const guint widths[] = { 3, 16, 16, 2, 8, 12, 27, 4 };
  guint64 low = 0, high = 0;
  guint shift = 0;

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      guint64 v = values[i] & ((G_GUINT64_CONSTANT (1) << widths[i]) - 1);

      if (shift >= 64)
        high |= v << (shift - 64);
      else if (shift + widths[i] <= 64)
        low |= v << shift;
      else
        {
          low |= v << shift;
          high |= v >> (64 - shift);
        }
      shift += widths[i];
    }
  g_assert_cmpuint (shift, ==, 88);
  for (guint i = 0; i < TH_SETUP_PAYLOAD_PACKED_LEN; i++)
    out[i] = (guint8) (i < 8 ? low >> (8 * i) : high >> (8 * (i - 8)));
}

/* "MT:" and the Base-38 text of the packed fields followed by tlv (may be NULL). */
static char *
qr_text_for (const PackedFields *fields,
             GBytes             *tlv)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autofree char *base38 = NULL;
  guint8 packed[TH_SETUP_PAYLOAD_PACKED_LEN];

  pack_fields (fields, packed);
  g_byte_array_append (bytes, packed, sizeof packed);
  if (tlv != NULL)
    g_byte_array_append (bytes, g_bytes_get_data (tlv, NULL), (guint) g_bytes_get_size (tlv));
  base38 = th_base38_encode (bytes->data, bytes->len);
  return g_strconcat ("MT:", base38, NULL);
}

static const PackedFields default_fields = {
  .vendor_id = 0xFFF1, .product_id = 0x8000, .capabilities = 2,
  .discriminator = 3840, .passcode = 20202021,
};

/* The payload of MT:Y.K90AFN00KA0648G00, made by hand */
static ThSetupPayload *
good_payload (void)
{
  ThSetupPayload *payload = th_setup_payload_new ();

  payload->format = TH_PAYLOAD_FORMAT_QR;
  payload->has_vendor_product = TRUE;
  payload->vendor_id = 0xFFF1;
  payload->product_id = 0x8000;
  payload->flow = TH_COMMISSIONING_FLOW_STANDARD;
  payload->has_capabilities = TRUE;
  payload->capabilities = TH_DISCOVERY_ON_NETWORK;
  payload->discriminator = 3840;
  payload->passcode = 20202021;
  payload->passcode_validity = TH_PASSCODE_VALID;
  return payload;
}

/* Base-38 */

static void
test_base38_encode (void)
{
  JsonArray *cases = vector_array ("base38.json", "encode");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      g_autoptr(GBytes) bytes = hex_member (c, "bytesHex");
      g_autofree char *encoded = th_base38_encode (g_bytes_get_data (bytes, NULL),
                                                   g_bytes_get_size (bytes));
      g_autoptr(GBytes) decoded = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpstr (encoded, ==, json_object_get_string_member (c, "encoded"));
      decoded = th_base38_decode (encoded, -1, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (decoded, bytes));
    }
}

static void
test_base38_decode (void)
{
  JsonArray *cases = vector_array ("base38.json", "decode");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *text = json_object_get_string_member (c, "encoded");
      g_autoptr(GBytes) expected = hex_member (c, "bytesHex");
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) decoded = th_base38_decode (text, -1, &error);
      g_autofree char *again = NULL;

      g_assert_no_error (error);
      th_assert_bytes_equal (g_bytes_get_data (decoded, NULL), g_bytes_get_size (decoded),
                             g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
      again = th_base38_encode (g_bytes_get_data (decoded, NULL), g_bytes_get_size (decoded));
      g_assert_cmpstr (again, ==, text);
    }
}

static void
test_base38_decode_invalid (void)
{
  static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-.";
  JsonArray *cases = vector_array ("base38.json", "decodeInvalid");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *text = json_object_get_string_member (c, "encoded");
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) decoded = th_base38_decode (text, -1, &error);
      gsize bad = strspn (text, alphabet);

      g_assert_null (decoded);
      g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_CHARACTER);
      if (text[bad] != '\0')
        {
          g_autofree char *where = g_strdup_printf ("Character %zu ", bad + 1);

          assert_error_mentions (error, where);
        }
      else
        {
          /* a group whose value does not fit in its bytes */
          assert_error_mentions (error, "Characters 1 to");
        }
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) decoded = th_base38_decode ("ABC", -1, &error);

    g_assert_null (decoded);
    g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_LENGTH);
  }
  {
    g_autoptr(GError) error = NULL;
    /* the length bounds the text: what follows is not read */
    g_autoptr(GBytes) decoded = th_base38_decode ("A0#", 2, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (decoded), ==, 1);
  }
}

/* Verhoeff */

static void
test_verhoeff (void)
{
  JsonObject *v = vectors ("verhoeff.json");
  JsonArray *compute = json_object_get_array_member (v, "computeCheckDigit");
  JsonArray *validate = json_object_get_array_member (v, "validate");
  JsonArray *differ = json_object_get_array_member (v, "mustDiffer");
  JsonObject *invalid_characters = json_object_get_object_member (v, "invalidCharacters");
  JsonArray *invalid = json_object_get_array_member (invalid_characters, "inputs");

  for (guint i = 0; i < json_array_get_length (compute); i++)
    {
      JsonObject *c = json_array_get_object_element (compute, i);
      const char *input = json_object_get_string_member (c, "input");
      const char *check = json_object_get_string_member (c, "checkDigit");
      g_autofree char *with_check = g_strconcat (input, check, NULL);

      g_assert_cmpint (th_verhoeff_compute (input, -1), ==, check[0] - '0');
      g_assert_true (th_verhoeff_validate (with_check, -1));
    }
  for (guint i = 0; i < json_array_get_length (validate); i++)
    {
      JsonObject *c = json_array_get_object_element (validate, i);
      const char *input = json_object_get_string_member (c, "inputWithCheckDigit");

      g_assert_cmpint (th_verhoeff_validate (input, -1), ==,
                       json_object_get_boolean_member (c, "valid"));
    }
  for (guint i = 0; i < json_array_get_length (differ); i++)
    {
      JsonArray *pair = json_array_get_array_element (differ, i);

      g_assert_cmpint (th_verhoeff_compute (json_array_get_string_element (pair, 0), -1), !=,
                       th_verhoeff_compute (json_array_get_string_element (pair, 1), -1));
    }
  for (guint i = 0; i < json_array_get_length (invalid); i++)
    {
      const char *input = json_array_get_string_element (invalid, i);

      g_assert_cmpint (th_verhoeff_compute (input, -1), ==, -1);
      g_assert_false (th_verhoeff_validate (input, -1));
    }
  g_assert_false (th_verhoeff_validate ("", -1));
  /* the length bounds the digits */
  g_assert_cmpint (th_verhoeff_compute ("236x", 3), ==, 3);
}

/* Every single-digit substitution and every adjacent transposition of distinct digits is
 * caught: the property the manual code relies on. */
static void
test_verhoeff_detection (void)
{
  guint32 seed = th_test_seed ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (guint round = 0; round < 200; round++)
    {
      char digits[22];
      guint len = (guint) g_rand_int_range (rand, 1, 21);

      for (guint i = 0; i < len; i++)
        digits[i] = (char) ('0' + g_rand_int_range (rand, 0, 10));
      digits[len] = (char) ('0' + th_verhoeff_compute (digits, len));
      digits[len + 1] = '\0';
      g_assert_true (th_verhoeff_validate (digits, -1));

      for (guint i = 0; i <= len; i++)
        {
          char saved = digits[i];

          for (char d = '0'; d <= '9'; d++)
            {
              if (d == saved)
                continue;
              digits[i] = d;
              g_assert_false (th_verhoeff_validate (digits, -1));
            }
          digits[i] = saved;
          if (i < len && digits[i] != digits[i + 1])
            {
              digits[i] = digits[i + 1];
              digits[i + 1] = saved;
              g_assert_false (th_verhoeff_validate (digits, -1));
              digits[i + 1] = digits[i];
              digits[i] = saved;
            }
        }
    }
}

/* Passcodes */

static void
test_passcodes (void)
{
  JsonObject *v = vectors ("passcodes.json");
  JsonArray *invalid = json_object_get_array_member (v, "invalid");
  JsonArray *out_of_range = json_object_get_array_member (v, "outOfRangeExamples");
  JsonArray *valid = json_object_get_array_member (v, "validExamples");
  guint32 min = int_member (v, "minValid");
  guint32 max = int_member (v, "maxValid");

  g_assert_cmpuint (max, ==, TH_PASSCODE_MAX);
  g_assert_cmpint (th_passcode_check (min), ==, TH_PASSCODE_VALID);
  g_assert_cmpint (th_passcode_check (max), ==, TH_PASSCODE_VALID);
  g_assert_cmpint (th_passcode_check (min - 1), ==, TH_PASSCODE_OUT_OF_RANGE);
  g_assert_cmpint (th_passcode_check (max + 1), ==, TH_PASSCODE_OUT_OF_RANGE);
  g_assert_cmpint (th_passcode_check (G_MAXUINT32), ==, TH_PASSCODE_OUT_OF_RANGE);

  for (guint i = 0; i < json_array_get_length (invalid); i++)
    {
      guint32 passcode = (guint32) json_array_get_int_element (invalid, i);
      ThPasscodeValidity expected = passcode == 0 || passcode > TH_PASSCODE_MAX
                                    ? TH_PASSCODE_OUT_OF_RANGE : TH_PASSCODE_FORBIDDEN;
      g_autoptr(ThSetupPayload) payload = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *qr = NULL;
      g_autofree char *manual = NULL;

      g_assert_cmpint (th_passcode_check (passcode), ==, expected);
      g_assert_cmpint (th_passcode_check (passcode - 1), ==,
                       passcode == 0 ? TH_PASSCODE_OUT_OF_RANGE : TH_PASSCODE_VALID);
      g_assert_cmpint (th_passcode_check (passcode + 1), ==,
                       passcode >= TH_PASSCODE_MAX ? TH_PASSCODE_OUT_OF_RANGE
                                                   : TH_PASSCODE_VALID);

      /* A payload carrying it parses, marked, and is refused for use and for encoding. */
      {
        PackedFields fields = default_fields;
        g_autofree char *text = NULL;

        fields.passcode = passcode;
        text = qr_text_for (&fields, NULL);
        payload = parse_one_qr (text);
      }
      g_assert_cmpuint (payload->passcode, ==, passcode);
      g_assert_cmpint (payload->passcode_validity, ==, expected);
      g_assert_false (th_setup_payload_validate (payload, &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD);
      assert_error_mentions (error, "passcode");
      assert_hides_passcode (error, passcode);
      g_clear_error (&error);

      qr = th_setup_payload_encode_qr (payload, &error);
      g_assert_null (qr);
      g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD);
      assert_hides_passcode (error, passcode);
      g_clear_error (&error);
      manual = th_setup_payload_encode_manual (payload, &error);
      g_assert_null (manual);
      g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD);
      assert_hides_passcode (error, passcode);
    }
  for (guint i = 0; i < json_array_get_length (out_of_range); i++)
    g_assert_cmpint (th_passcode_check ((guint32) json_array_get_int_element (out_of_range, i)),
                     ==, TH_PASSCODE_OUT_OF_RANGE);
  for (guint i = 0; i < json_array_get_length (valid); i++)
    g_assert_cmpint (th_passcode_check ((guint32) json_array_get_int_element (valid, i)), ==,
                     TH_PASSCODE_VALID);
}

/* QR codes */

static void
assert_qr_fields (const ThSetupPayload *payload,
                  JsonObject           *decoded)
{
  g_assert_cmpint (payload->format, ==, TH_PAYLOAD_FORMAT_QR);
  g_assert_cmpuint (payload->version, ==, int_member (decoded, "version"));
  g_assert_true (payload->has_vendor_product);
  g_assert_cmpuint (payload->vendor_id, ==, int_member (decoded, "vendorId"));
  g_assert_cmpuint (payload->product_id, ==, int_member (decoded, "productId"));
  g_assert_cmpuint (payload->flow, ==, int_member (decoded, "commissioningFlow"));
  g_assert_true (payload->has_capabilities);
  g_assert_cmpuint (payload->capabilities, ==, int_member (decoded, "rendezvousInformation"));
  g_assert_false (payload->short_discriminator);
  g_assert_cmpuint (payload->discriminator, ==, int_member (decoded, "discriminator"));
  g_assert_cmpuint (th_setup_payload_get_short_discriminator (payload), ==,
                    int_member (decoded, "shortDiscriminator"));
  g_assert_cmpuint (payload->passcode, ==, int_member (decoded, "passcode"));
  g_assert_cmpint (payload->passcode_validity, ==,
                   th_passcode_check (int_member (decoded, "passcode")));
}

/* A QR payload's manual code carries the short discriminator and the passcode. */
static void
assert_manual_matches (const ThSetupPayload *payload)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *manual = th_setup_payload_encode_manual (payload, &error);
  g_autoptr(ThSetupPayload) back = NULL;

  g_assert_no_error (error);
  back = th_setup_payload_parse_manual (manual, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->discriminator, ==, th_setup_payload_get_short_discriminator (payload));
  g_assert_true (back->short_discriminator);
  g_assert_cmpuint (back->passcode, ==, payload->passcode);
  g_assert_cmpint (back->has_vendor_product, ==,
                   payload->flow != TH_COMMISSIONING_FLOW_STANDARD);
  if (back->has_vendor_product)
    {
      g_assert_cmpuint (back->vendor_id, ==, payload->vendor_id);
      g_assert_cmpuint (back->product_id, ==, payload->product_id);
    }
}

static void
test_qr_valid (void)
{
  JsonArray *cases = vector_array ("qr_codes.json", "valid");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *qr = json_object_get_string_member (c, "qr");
      JsonObject *decoded = json_object_get_object_member (c, "decoded");
      g_autoptr(GBytes) bytes = hex_member (c, "payloadBytesHex");
      g_autoptr(GBytes) raw = NULL;
      g_autoptr(GPtrArray) payloads = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("QR code %s", qr);
      raw = th_base38_decode (qr + 3, -1, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (raw, bytes));

      payloads = th_setup_payload_parse_qr (qr, &error);
      if (json_object_get_null_member (c, "tlvDataHex"))
        {
          ThSetupPayload *payload;
          g_autofree char *encoded = NULL;

          g_assert_no_error (error);
          g_assert_cmpuint (payloads->len, ==, 1);
          payload = g_ptr_array_index (payloads, 0);
          assert_qr_fields (payload, decoded);
          g_assert_true (th_setup_payload_validate (payload, &error));
          g_assert_no_error (error);
          encoded = th_setup_payload_encode_qr (payload, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (encoded, ==, qr);
          assert_manual_matches (payload);
        }
      else
        {
          /* This vector's extra bytes are not TLV at all (the vector says a strict parser may
           * refuse them): they must not be passed over in silence. */
          g_assert_cmpstr (json_object_get_string_member (c, "tlvDataHex"), ==, "010203");
          g_assert_null (payloads);
          g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV);
          assert_hides_passcode (error, int_member (decoded, "passcode"));

          /* Its 88 packed bits alone are the other vector's payload. */
          {
            g_autofree char *fixed = th_base38_encode (g_bytes_get_data (raw, NULL),
                                                       TH_SETUP_PAYLOAD_PACKED_LEN);
            g_autofree char *text = g_strconcat ("MT:", fixed, NULL);
            g_autoptr(ThSetupPayload) payload = parse_one_qr (text);

            assert_qr_fields (payload, decoded);
          }
        }
    }
}

static void
test_qr_known (void)
{
  g_autoptr(ThSetupPayload) payload = parse_one_qr ("MT:Y.K90AFN00KA0648G00");
  g_autoptr(GError) error = NULL;
  g_autofree char *manual = NULL;

  g_assert_cmphex (payload->vendor_id, ==, 0xFFF1);
  g_assert_cmphex (payload->product_id, ==, 0x8000);
  g_assert_cmpuint (payload->discriminator, ==, 3840);
  g_assert_cmpuint (payload->passcode, ==, 20202021);
  g_assert_cmpuint (payload->flow, ==, TH_COMMISSIONING_FLOW_STANDARD);
  g_assert_cmpuint (payload->capabilities, ==, TH_DISCOVERY_ON_NETWORK);
  g_assert_cmpint (payload->passcode_validity, ==, TH_PASSCODE_VALID);
  g_assert_null (payload->serial_number);
  g_assert_null (payload->vendor_elements);

  /* the manual code of the same device */
  manual = th_setup_payload_encode_manual (payload, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (manual, ==, "34970112332");
}

static void
assert_payloads_match (GPtrArray *payloads,
                       JsonArray *expected)
{
  g_assert_cmpuint (payloads->len, ==, json_array_get_length (expected));
  for (guint k = 0; k < payloads->len; k++)
    {
      JsonObject *e = json_array_get_object_element (expected, k);

      assert_qr_fields (g_ptr_array_index (payloads, k),
                        json_object_get_object_member (e, "decoded"));
    }
}

static void
test_qr_concatenated (void)
{
  JsonArray *cases = vector_array ("qr_codes.json", "concatenated");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *qr = json_object_get_string_member (c, "qr");
      JsonArray *expected = json_object_get_array_member (c, "payloads");
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) payloads = th_setup_payload_parse_qr (qr, &error);
      guint bad_chunk = 0;

      g_test_message ("QR code %s", qr);
      for (guint k = 0; k < json_array_get_length (expected); k++)
        {
          JsonObject *e = json_array_get_object_element (expected, k);

          if (!json_object_get_null_member (e, "tlvDataHex"))
            bad_chunk = k + 1;
        }

      if (bad_chunk == 0)
        {
          g_autofree char *encoded = NULL;

          g_assert_no_error (error);
          assert_payloads_match (payloads, expected);
          encoded = th_setup_payload_encode_qr_multi (payloads, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (encoded, ==, qr);
        }
      else
        {
          g_autofree char *prefix = g_strdup_printf ("Payload %u of %u: ", bad_chunk,
                                                     json_array_get_length (expected));

          /* each payload is checked; the one with bytes that are not TLV fails the whole */
          g_assert_null (payloads);
          g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV);
          g_assert_true (g_str_has_prefix (error->message, prefix));
        }

      /* each payload alone */
      for (guint k = 0; k < json_array_get_length (expected); k++)
        {
          JsonObject *e = json_array_get_object_element (expected, k);
          g_autofree char *text = g_strconcat ("MT:", json_object_get_string_member (e, "chunk"),
                                               NULL);
          g_autoptr(GPtrArray) one = th_setup_payload_parse_qr (text, NULL);

          g_assert_true ((one != NULL) == json_object_get_null_member (e, "tlvDataHex"));
          if (one != NULL)
            assert_qr_fields (g_ptr_array_index (one, 0),
                              json_object_get_object_member (e, "decoded"));
        }
    }
}

typedef enum
{
  EXPECT_PARSE_ERROR,
  EXPECT_VALIDATE_ERROR,
  EXPECT_PAYLOADS,
} Expectation;

typedef struct
{
  const char *input;
  Expectation expect;
  int code;                   /* the error, or the number of payloads */
  const char *mention;        /* a part of the message */
} InvalidCase;

static const InvalidCase *
find_case (const InvalidCase *cases,
           gsize              n_cases,
           const char        *input)
{
  for (gsize i = 0; i < n_cases; i++)
    if (strcmp (cases[i].input, input) == 0)
      return &cases[i];
  g_error ("no expectation for the vector input “%s”", input);
  return NULL;
}

static void
check_invalid_case (const InvalidCase *expected,
                    GPtrArray         *payloads,
                    GError            *error)
{
  switch (expected->expect)
    {
    case EXPECT_PARSE_ERROR:
      g_assert_null (payloads);
      g_assert_error (error, TH_ERROR, expected->code);
      if (expected->mention != NULL)
        assert_error_mentions (error, expected->mention);
      break;

    case EXPECT_VALIDATE_ERROR:
      {
        gboolean refused = FALSE;

        /* every payload parses, and at least one is refused for use */
        g_assert_no_error (error);
        for (guint i = 0; i < payloads->len; i++)
          {
            ThSetupPayload *payload = g_ptr_array_index (payloads, i);
            g_autoptr(GError) validate_error = NULL;

            if (!th_setup_payload_validate (payload, &validate_error))
              {
                g_assert_error (validate_error, TH_ERROR, expected->code);
                assert_hides_passcode (validate_error, payload->passcode);
                refused = TRUE;
              }
          }
        g_assert_true (refused);
      }
      break;

    case EXPECT_PAYLOADS:
    default:
      g_assert_no_error (error);
      g_assert_cmpuint (payloads->len, ==, (guint) expected->code);
      break;
    }
}

static void
test_qr_invalid (void)
{
  static const InvalidCase expected[] = {
    { "", EXPECT_PARSE_ERROR, TH_ERROR_PAYLOAD_EMPTY, NULL },
    { "AT:M5L90MP500K64J00000", EXPECT_PARSE_ERROR, TH_ERROR_PAYLOAD_PREFIX, "MT:" },
    /* the trailing space is white space around the code, so what is left is a character
     * short; the space itself is refused by the Base-38 decoder below */
    { "MT:M5L90MP500K64J0000 ", EXPECT_PARSE_ERROR, TH_ERROR_PAYLOAD_LENGTH, "4 to 21" },
    { "MT:M5L90MP500K64J0000", EXPECT_PARSE_ERROR, TH_ERROR_PAYLOAD_LENGTH, "4 to 21" },
    { "MT:M5L90MP500W-GT68D20", EXPECT_VALIDATE_ERROR, TH_ERROR_PAYLOAD_FIELD, NULL },
    { "MT:M5L90MP500K64J00000*M5L90MP500W-GT68D20", EXPECT_VALIDATE_ERROR,
      TH_ERROR_PAYLOAD_FIELD, NULL },
    { "MT:M5L90MP500W-GT68D20*M5L90MP500K64J00000", EXPECT_VALIDATE_ERROR,
      TH_ERROR_PAYLOAD_FIELD, NULL },
    /* this API always returns every payload of a concatenated code */
    { "MT:M5L90MP500K64J00000*M5L90U.D010K4J00000*M5L900CM02IX4J00000*M5L908OU03-85J00000",
      EXPECT_PAYLOADS, 4, NULL },
  };
  JsonArray *cases = vector_array ("qr_codes.json", "invalid");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *input = json_object_get_string_member (c, "input");
      const InvalidCase *e = find_case (expected, G_N_ELEMENTS (expected), input);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) payloads = th_setup_payload_parse_qr (input, &error);

      g_test_message ("QR input “%s”", input);
      check_invalid_case (e, payloads, error);
      g_clear_pointer (&payloads, g_ptr_array_unref);
      g_clear_error (&error);

      /* the general entry point agrees */
      payloads = th_setup_payload_parse (input, &error);
      check_invalid_case (e, payloads, error);

      if (json_object_has_member (c, "decoded"))
        {
          g_autoptr(ThSetupPayload) payload = parse_one_qr (input);

          assert_qr_fields (payload, json_object_get_object_member (c, "decoded"));
        }
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bytes = th_base38_decode ("M5L90MP500K64J0000 ", -1, &error);

    g_assert_null (bytes);
    g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_CHARACTER);
    assert_error_mentions (error, "Character 19 ");
  }
}

static void
test_qr_extract (void)
{
  JsonObject *extract = json_object_get_object_member (vectors ("qr_codes.json"),
                                                       "extractPayload");
  JsonArray *cases = json_object_get_array_member (extract, "cases");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *input = json_object_get_string_member (c, "input");
      gsize start = 0, end = 0;
      g_autofree char *found = NULL;

      if (th_setup_payload_extract_qr (input, strlen (input), &start, &end))
        found = g_strndup (input + start, end - start);
      g_assert_cmpstr (found != NULL ? found : "", ==,
                       json_object_get_string_member (c, "expected"));
    }

  /* and through the parser, with the position of a bad character in the whole text */
  {
    g_autoptr(ThSetupPayload) payload = parse_one_qr ("Z%MT:Y.K90AFN00KA0648G00%DDD");
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) payloads = NULL;

    g_assert_cmpuint (payload->passcode, ==, 20202021);
    payloads = th_setup_payload_parse ("%Z%MT:Y.K90AFN00KA0648G#0%DDD", &error);
    g_assert_null (payloads);
    g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_CHARACTER);
    assert_error_mentions (error, "Character 24 (“#”)");
  }
}

/* Hex with spaces allowed between bytes, for readable TLV. */
static GBytes *
tlv_of (const char *hex)
{
  g_autoptr(GString) plain = g_string_new (NULL);

  for (const char *p = hex; *p != '\0'; p++)
    if (*p != ' ')
      g_string_append_c (plain, *p);
  return th_test_hex_to_bytes (plain->str);
}

static void
test_qr_optional_tlv (void)
{
  JsonArray *cases = vector_array ("qr_codes.json", "optionalTlvData");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      JsonObject *decoded = json_object_get_object_member (c, "decoded");
      g_autoptr(GBytes) tlv = tlv_of (json_object_get_string_member (c, "tlvHex"));
      g_autofree char *text = qr_text_for (&default_fields, tlv);
      g_autoptr(ThSetupPayload) payload = parse_one_qr (text);
      g_autoptr(ThSetupPayload) direct = th_setup_payload_new ();
      g_autoptr(ThSetupPayload) again = NULL;
      g_autoptr(GByteArray) section = g_byte_array_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *encoded = NULL;
      JsonNode *serial = json_object_get_member (decoded, "serialNumber");
      guint n_vendor = 0;

      g_test_message ("TLV %s", json_object_get_string_member (c, "tlvHex"));
      g_assert_cmpuint (payload->vendor_id, ==, default_fields.vendor_id);
      g_assert_cmpuint (payload->passcode, ==, default_fields.passcode);

      if (JSON_NODE_HOLDS_VALUE (serial) && json_node_get_value_type (serial) == G_TYPE_STRING)
        {
          g_assert_cmpstr (payload->serial_number, ==, json_node_get_string (serial));
          g_assert_false (payload->serial_number_is_integer);
        }
      else
        {
          g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                     json_node_get_int (serial));

          g_assert_cmpstr (payload->serial_number, ==, digits);
          g_assert_true (payload->serial_number_is_integer);
        }

      if (json_object_has_member (decoded, "vendorTag0x81"))
        {
          const ThPayloadVendorElement *element;
          ThTlvReader reader;
          const char *str;
          gsize len;

          g_assert_nonnull (payload->vendor_elements);
          element = g_ptr_array_index (payload->vendor_elements, 0);
          g_assert_cmphex (element->tag, ==, 0x81);
          th_tlv_reader_init (&reader, g_bytes_get_data (element->element, NULL),
                              g_bytes_get_size (element->element));
          g_assert_true (th_tlv_reader_next (&reader, &error));
          g_assert_true (th_tlv_tag_is_context (th_tlv_reader_get_tag (&reader), 0x81));
          g_assert_true (th_tlv_reader_get_string (&reader, &str, &len, &error));
          g_assert_cmpmem (str, len, json_object_get_string_member (decoded, "vendorTag0x81"),
                           strlen (json_object_get_string_member (decoded, "vendorTag0x81")));
          n_vendor = 1;
        }
      g_assert_cmpuint (payload->vendor_elements != NULL ? payload->vendor_elements->len : 0, ==,
                        n_vendor);

      /* the section alone gives the same fields */
      g_assert_true (th_setup_payload_parse_tlv_section (direct, g_bytes_get_data (tlv, NULL),
                                                         g_bytes_get_size (tlv), &error));
      g_assert_no_error (error);
      g_assert_true (th_setup_payload_tlv_fields_equal (direct, payload));

      /* encoded again: the same payload; the same bytes too where the order was canonical */
      g_assert_true (th_setup_payload_encode_tlv_section (payload, section, &error));
      g_assert_no_error (error);
      if (n_vendor == 0)
        th_assert_bytes_equal (section->data, section->len, g_bytes_get_data (tlv, NULL),
                               g_bytes_get_size (tlv));
      encoded = th_setup_payload_encode_qr (payload, &error);
      g_assert_no_error (error);
      if (n_vendor == 0)
        g_assert_cmpstr (encoded, ==, text);
      again = parse_one_qr (encoded);
      g_assert_true (th_setup_payload_equal (again, payload));
    }
}

static void
test_qr_tlv_fields (void)
{
  /* every common field, a vendor element holding a structure, one holding an integer, and
   * a common tag this version does not know, in an order of their own */
  g_autoptr(GBytes) tlv = tlv_of ("15"
                                  " 3580 2400 01 18"                    /* 0x80: { 0: 1 } */
                                  " 2c00 03 534e31"                     /* 0: "SN1" */
                                  " 2501 e803"                          /* 1: 1000 */
                                  " 3002 10 000102030405060708090a0b0c0d0e0f" /* 2: 16 bytes */
                                  " 2403 03"                            /* 3: 3 */
                                  " 2504 8403"                          /* 4: 900 */
                                  " 24ff 07"                            /* 0xff: 7 */
                                  " 2405 09"                            /* 5: 9 */
                                  " 18");
  g_autofree char *text = qr_text_for (&default_fields, tlv);
  g_autoptr(ThSetupPayload) payload = parse_one_qr (text);
  g_autoptr(ThSetupPayload) copy = NULL;
  g_autoptr(ThSetupPayload) again = NULL;
  g_autoptr(GBytes) salt = tlv_of ("000102030405060708090a0b0c0d0e0f");
  g_autoptr(GError) error = NULL;
  g_autofree char *encoded = NULL;
  static const struct
  {
    guint8 tag;
    const char *hex;
  } expected_elements[] = {
    { 0x80, "3580240001 18" },
    { 0xff, "24ff07" },
    { 0x05, "240509" },
  };

  g_assert_cmpstr (payload->serial_number, ==, "SN1");
  g_assert_false (payload->serial_number_is_integer);
  g_assert_cmpuint (payload->pbkdf_iterations, ==, 1000);
  g_assert_true (g_bytes_equal (payload->pbkdf_salt, salt));
  g_assert_cmpuint (payload->number_of_devices, ==, 3);
  g_assert_cmpuint (payload->commissioning_timeout, ==, 900);
  g_assert_cmpuint (payload->vendor_elements->len, ==, G_N_ELEMENTS (expected_elements));
  for (guint i = 0; i < G_N_ELEMENTS (expected_elements); i++)
    {
      const ThPayloadVendorElement *element = g_ptr_array_index (payload->vendor_elements, i);
      g_autoptr(GBytes) bytes = tlv_of (expected_elements[i].hex);

      g_assert_cmphex (element->tag, ==, expected_elements[i].tag);
      g_assert_true (g_bytes_equal (element->element, bytes));
    }

  /* a copy is deep and equal */
  copy = th_setup_payload_copy (payload);
  g_assert_true (th_setup_payload_equal (copy, payload));
  g_assert_true (copy->serial_number != payload->serial_number);
  g_assert_true (copy->vendor_elements != payload->vendor_elements);
  g_clear_pointer (&payload->serial_number, g_free);
  g_assert_false (th_setup_payload_equal (copy, payload));
  payload->serial_number = g_strdup ("SN1");

  /* known fields go first, then the kept elements in their order, each unchanged */
  encoded = th_setup_payload_encode_qr (payload, &error);
  g_assert_no_error (error);
  again = parse_one_qr (encoded);
  g_assert_true (th_setup_payload_equal (again, payload));
  {
    g_autoptr(GBytes) raw = th_base38_decode (encoded + 3, -1, &error);
    g_autoptr(GBytes) canonical = tlv_of ("15 2c0003534e31 2501e803"
                                          " 3002 10 000102030405060708090a0b0c0d0e0f"
                                          " 240303 25048403 3580240001 18 24ff07 240509 18");
    gsize raw_len;
    const guint8 *raw_data = g_bytes_get_data (raw, &raw_len);

    th_assert_bytes_equal (raw_data + TH_SETUP_PAYLOAD_PACKED_LEN,
                           raw_len - TH_SETUP_PAYLOAD_PACKED_LEN,
                           g_bytes_get_data (canonical, NULL), g_bytes_get_size (canonical));
  }

  /* an empty structure is allowed and sets nothing; re-encoded, it disappears */
  {
    g_autoptr(GBytes) empty = tlv_of ("1518");
    g_autofree char *empty_text = qr_text_for (&default_fields, empty);
    g_autofree char *plain_text = qr_text_for (&default_fields, NULL);
    g_autoptr(ThSetupPayload) bare = parse_one_qr (empty_text);
    g_autofree char *bare_encoded = th_setup_payload_encode_qr (bare, &error);

    g_assert_no_error (error);
    g_assert_null (bare->serial_number);
    g_assert_null (bare->vendor_elements);
    g_assert_cmpstr (bare_encoded, ==, plain_text);
  }

  /* an integer serial number up to 64 bits */
  {
    g_autoptr(GBytes) big = tlv_of ("15 2700 ffffffffffffffff 18");
    g_autofree char *big_text = qr_text_for (&default_fields, big);
    g_autoptr(ThSetupPayload) p = parse_one_qr (big_text);
    g_autofree char *big_encoded = NULL;

    g_assert_cmpstr (p->serial_number, ==, "18446744073709551615");
    g_assert_true (p->serial_number_is_integer);
    big_encoded = th_setup_payload_encode_qr (p, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (big_encoded, ==, big_text);
  }
}

typedef struct
{
  const char *hex;
  const char *mention;
} BadTlv;

static void
test_qr_tlv_invalid (void)
{
  static const BadTlv cases[] = {
    { "010203", "anonymous" },
    { "15", NULL },                                  /* never closed */
    { "1518 18", NULL },                             /* a stray end */
    { "1518 1518", "goes on after" },
    { "1518 0401", "goes on after" },
    { "1718", "anonymous" },                         /* a list */
    { "3500 18", "anonymous" },                      /* a tagged structure */
    { "15 2400 01 2400 02 18", "a second time" },
    { "15 2480 01 2580 0200 18", "a second time" },
    { "15 4400 00 2a 18", "context-specific" },      /* a common-profile tag */
    { "15 0001 18", "no tag" },                      /* an anonymous member */
    { "15 2c00 00 18", "1 to 32" },                  /* empty serial number */
    { "15 2c00 21 " "414141414141414141414141414141414141414141414141414141414141414141 18",
      "1 to 32" },
    { "15 2900 18", "neither text nor" },            /* a boolean serial number */
    { "15 2000 05 18", "neither text nor" },         /* a signed one */
    { "15 2c00 02 c328 18", "UTF-8" },               /* not UTF-8 */
    { "15 2c00 03 410042 18", NULL },                /* holds a NUL */
    { "15 2401 05 3002 10 000102030405060708090a0b0c0d0e0f 18", "1000 to 100000" },
    { "15 2601 a1860100 3002 10 000102030405060708090a0b0c0d0e0f 18", "1000 to 100000" },
    { "15 2501 e803 3002 0f 000102030405060708090a0b0c0d0e 18", "16 to 32" },
    { "15 2501 e803 18", "both or neither" },
    { "15 3002 10 000102030405060708090a0b0c0d0e0f 18", "both or neither" },
    { "15 2c01 01 41 18", "byte" },                  /* iterations as text */
    { "15 2403 00 18", "1 to 255" },
    { "15 2503 0001 18", "1 to 255" },
    { "15 2404 00 18", "1 to 65535" },
    { "15 2604 70110100 18", "1 to 65535" },
    { "15 2481 18", NULL },                          /* value cut short */
    { "15 3080 05 0102 18", NULL },                  /* string longer than the data */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) tlv = tlv_of (cases[i].hex);
      g_autofree char *text = qr_text_for (&default_fields, tlv);
      g_autoptr(ThSetupPayload) direct = th_setup_payload_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) payloads = NULL;

      g_test_message ("TLV %s", cases[i].hex);
      payloads = th_setup_payload_parse_qr (text, &error);
      g_assert_null (payloads);
      g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV);
      if (cases[i].mention != NULL)
        assert_error_mentions (error, cases[i].mention);
      assert_hides_passcode (error, default_fields.passcode);
      g_clear_error (&error);

      /* nothing is left half set */
      g_assert_false (th_setup_payload_parse_tlv_section (direct, g_bytes_get_data (tlv, NULL),
                                                          g_bytes_get_size (tlv), &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV);
      g_assert_null (direct->serial_number);
      g_assert_null (direct->pbkdf_salt);
      g_assert_null (direct->vendor_elements);
      g_assert_cmpuint (direct->pbkdf_iterations, ==, 0);
      g_assert_cmpuint (direct->number_of_devices, ==, 0);
    }
}

static void
test_qr_errors (void)
{
  static const struct
  {
    const char *input;
    int code;
    const char *mention;
  } cases[] = {
    { "   ", TH_ERROR_PAYLOAD_EMPTY, NULL },
    { "MT:", TH_ERROR_PAYLOAD_LENGTH, "nothing after" },
    { "MT:M5L90", TH_ERROR_PAYLOAD_LENGTH, "too short" },
    { "MT:M5L90MP500K64J00000*", TH_ERROR_PAYLOAD_LENGTH, "Payload 2 of 2: " },
    { "MT:*M5L90MP500K64J00000", TH_ERROR_PAYLOAD_LENGTH, "Payload 1 of 2: " },
    { "MT:M5L90MP5#0K64J00000", TH_ERROR_PAYLOAD_CHARACTER, "Character 12 (“#”)" },
    { "  MT:M5L90MP5#0K64J00000", TH_ERROR_PAYLOAD_CHARACTER, "Character 14 (“#”)" },
    { "MT:M5L9é0MP50K64J00000", TH_ERROR_PAYLOAD_CHARACTER, "Character 8 (“é”)" },
    { "MT:M5L9\x01" "0MP50K64J00000", TH_ERROR_PAYLOAD_CHARACTER, "U+0001" },
    { "MT:M5L9\xff" "0MP50K64J00000", TH_ERROR_PAYLOAD_CHARACTER, "0xFF" },
    { "MT:m5L90MP500K64J00000", TH_ERROR_PAYLOAD_CHARACTER, "Character 4 (“m”)" },
    { "MT:.....MP500K64J00000", TH_ERROR_PAYLOAD_CHARACTER, "Characters 4 to 8" },
    { "MT:M5L90MP500K64J00000*M5L90MP500K64J0000.", TH_ERROR_PAYLOAD_CHARACTER,
      "Payload 2 of 2: Characters 39 to 42" },
    { "mt:M5L90MP500K64J00000", TH_ERROR_PAYLOAD_PREFIX, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) payloads = th_setup_payload_parse_qr (cases[i].input, &error);
      g_autofree char *shown = g_strescape (cases[i].input, NULL);

      g_test_message ("QR input “%s”", shown);
      g_assert_null (payloads);
      g_assert_error (error, TH_ERROR, cases[i].code);
      if (cases[i].mention != NULL)
        assert_error_mentions (error, cases[i].mention);
    }

  /* bits a valid payload never has */
  {
    PackedFields fields = default_fields;
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) payloads = NULL;

    fields.padding = 0x8;
    text = qr_text_for (&fields, NULL);
    payloads = th_setup_payload_parse_qr (text, &error);
    g_assert_null (payloads);
    g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD);
    assert_error_mentions (error, "padding");
    assert_hides_passcode (error, fields.passcode);
    g_clear_error (&error);
    g_clear_pointer (&text, g_free);

    fields = default_fields;
    fields.flow = TH_COMMISSIONING_FLOW_RESERVED;
    text = qr_text_for (&fields, NULL);
    payloads = th_setup_payload_parse_qr (text, &error);
    g_assert_null (payloads);
    g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD);
    assert_error_mentions (error, "flow");
    g_clear_error (&error);
    g_clear_pointer (&text, g_free);

    fields = default_fields;
    fields.version = 1;
    text = qr_text_for (&fields, NULL);
    payloads = th_setup_payload_parse_qr (text, &error);
    g_assert_null (payloads);
    g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_VERSION);
    g_clear_error (&error);
    g_clear_pointer (&text, g_free);

    /* discovery bits this version does not name are kept */
    fields = default_fields;
    fields.capabilities = 0xE2;
    text = qr_text_for (&fields, NULL);
    {
      g_autoptr(ThSetupPayload) payload = parse_one_qr (text);
      g_autofree char *encoded = th_setup_payload_encode_qr (payload, &error);

      g_assert_cmphex (payload->capabilities, ==, 0xE2);
      g_assert_cmpstr (encoded, ==, text);
    }
  }
}
static void
test_qr_max_values (void)
{
  PackedFields fields = {
    .version = 7, .vendor_id = 0xFFFF, .product_id = 0xFFFF, .flow = 2,
    .capabilities = 0xFF, .discriminator = 0xFFF, .passcode = 0x7FFFFFF,
  };
  g_autofree char *text = qr_text_for (&fields, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) payloads = th_setup_payload_parse_qr (text, &error);
  g_autoptr(ThSetupPayload) payload = NULL;
  g_autofree char *encoded = NULL;

  g_assert_nonnull (json_object_get_object_member (vectors ("qr_codes.json"), "maxValues"));

  /* version 7: a layout this parser does not know */
  g_assert_null (payloads);
  g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_VERSION);
  assert_error_mentions (error, "7");
  g_clear_error (&error);

  /* version 0: everything at its largest parses; the passcode is out of range */
  fields.version = 0;
  g_clear_pointer (&text, g_free);
  text = qr_text_for (&fields, NULL);
  payload = parse_one_qr (text);
  g_assert_cmphex (payload->vendor_id, ==, 0xFFFF);
  g_assert_cmphex (payload->product_id, ==, 0xFFFF);
  g_assert_cmpuint (payload->flow, ==, TH_COMMISSIONING_FLOW_CUSTOM);
  g_assert_cmphex (payload->capabilities, ==, 0xFF);
  g_assert_cmphex (payload->discriminator, ==, 0xFFF);
  g_assert_cmphex (payload->passcode, ==, 0x7FFFFFF);
  g_assert_cmpint (payload->passcode_validity, ==, TH_PASSCODE_OUT_OF_RANGE);
  encoded = th_setup_payload_encode_qr (payload, &error);
  g_assert_null (encoded);
  g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD);
  g_clear_error (&error);

  /* with the largest valid passcode it round-trips */
  payload->passcode = TH_PASSCODE_MAX;
  payload->passcode_validity = TH_PASSCODE_VALID;
  encoded = th_setup_payload_encode_qr (payload, &error);
  g_assert_no_error (error);
  {
    g_autoptr(ThSetupPayload) back = parse_one_qr (encoded);

    g_assert_true (th_setup_payload_equal (back, payload));
  }

  /* and with version 7 the encoder refuses too */
  payload->version = 7;
  g_clear_pointer (&encoded, g_free);
  encoded = th_setup_payload_encode_qr (payload, &error);
  g_assert_null (encoded);
  g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_VERSION);
}

/* Manual pairing codes */

static void
assert_manual_fields (const ThSetupPayload *payload,
                      JsonObject           *decoded)
{
  gboolean long_form = json_object_get_boolean_member (decoded, "vidPidPresent");

  g_assert_cmpint (payload->format, ==, TH_PAYLOAD_FORMAT_MANUAL);
  g_assert_cmpuint (payload->version, ==, 0);
  g_assert_true (payload->short_discriminator);
  g_assert_false (payload->has_capabilities);
  g_assert_cmpuint (payload->discriminator, ==, int_member (decoded, "shortDiscriminator"));
  g_assert_cmpuint (th_setup_payload_get_short_discriminator (payload), ==,
                    int_member (decoded, "shortDiscriminator"));
  g_assert_cmpuint (payload->passcode, ==, int_member (decoded, "passcode"));
  g_assert_cmpint (payload->passcode_validity, ==,
                   th_passcode_check (int_member (decoded, "passcode")));
  g_assert_cmpint (payload->has_vendor_product, ==, long_form);
  g_assert_cmpint (payload->flow, ==,
                   long_form ? TH_COMMISSIONING_FLOW_CUSTOM : TH_COMMISSIONING_FLOW_STANDARD);
  if (long_form)
    {
      g_assert_cmpuint (payload->vendor_id, ==, int_member (decoded, "vendorId"));
      g_assert_cmpuint (payload->product_id, ==, int_member (decoded, "productId"));
    }
}

static void
test_manual_valid (void)
{
  JsonArray *cases = vector_array ("manual_codes.json", "valid");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *code = json_object_get_string_member (c, "code");
      JsonObject *decoded = json_object_get_object_member (c, "decoded");
      g_autoptr(GError) error = NULL;
      g_autoptr(ThSetupPayload) payload = th_setup_payload_parse_manual (code, &error);
      g_autofree char *encoded = NULL;
      g_autofree char *formatted = NULL;

      g_test_message ("manual code %s", code);
      g_assert_no_error (error);
      g_assert_cmpuint (strlen (code), ==, int_member (c, "length"));
      if (json_object_has_member (c, "checkDigit"))
        {
          const char *digits = json_object_get_string_member (c, "digitsWithoutCheck");
          const char *check = json_object_get_string_member (c, "checkDigit");

          g_assert_cmpint (th_verhoeff_compute (digits, -1), ==, check[0] - '0');
          g_assert_true (g_str_has_prefix (code, digits));
        }
      assert_manual_fields (payload, decoded);

      encoded = th_setup_payload_encode_manual (payload, &error);
      if (payload->passcode_validity == TH_PASSCODE_VALID)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (encoded, ==, code);
        }
      else
        {
          /* some vectors carry passcodes out of range: they decode, but are not usable */
          g_assert_null (encoded);
          g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD);
          assert_hides_passcode (error, payload->passcode);
          g_clear_error (&error);
          g_assert_false (th_setup_payload_validate (payload, &error));
          g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD);
          g_clear_error (&error);
        }

      /* as people see it, it parses the same */
      formatted = th_manual_code_format (code);
      g_assert_nonnull (formatted);
      {
        g_autoptr(ThSetupPayload) again = th_setup_payload_parse_manual (formatted, &error);

        g_assert_no_error (error);
        g_assert_true (th_setup_payload_equal (again, payload));
      }
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ThSetupPayload) payload = th_setup_payload_parse_manual ("34970112332", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (payload->discriminator, ==, 15);
    g_assert_cmpuint (payload->passcode, ==, 20202021);
    g_assert_false (payload->has_vendor_product);
  }
}

static void
test_manual_separators (void)
{
  JsonArray *cases = vector_array ("manual_codes.json", "separatorsAccepted");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *input = json_object_get_string_member (c, "input");
      g_autoptr(GError) error = NULL;
      g_autoptr(ThSetupPayload) separated = th_setup_payload_parse_manual (input, &error);
      g_autoptr(ThSetupPayload) plain = NULL;
      g_autoptr(GPtrArray) payloads = NULL;

      g_test_message ("manual code “%s”", input);
      g_assert_no_error (error);
      plain = th_setup_payload_parse_manual (json_object_get_string_member (c, "normalized"),
                                             &error);
      g_assert_no_error (error);
      g_assert_true (th_setup_payload_equal (separated, plain));

      payloads = th_setup_payload_parse (input, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (payloads->len, ==, 1);
      g_assert_true (th_setup_payload_equal (g_ptr_array_index (payloads, 0), plain));
    }

  /* the forbidden passcode of one of them is marked, and refused for use */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ThSetupPayload) payload = th_setup_payload_parse_manual ("0085 260 7537", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (payload->passcode, ==, 12345678);
    g_assert_cmpint (payload->passcode_validity, ==, TH_PASSCODE_FORBIDDEN);
    g_assert_false (th_setup_payload_validate (payload, &error));
    g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD);
    assert_error_mentions (error, "trivial");
    assert_hides_passcode (error, 12345678);
  }
}

static void
test_manual_invalid (void)
{
  static const InvalidCase expected[] = {
    { "", EXPECT_PARSE_ERROR, TH_ERROR_PAYLOAD_EMPTY, NULL },
    { "24184.2196", EXPECT_PARSE_ERROR, TH_ERROR_PAYLOAD_CHARACTER, "Character 6 (“.”)" },
    { "24563", EXPECT_PARSE_ERROR, TH_ERROR_PAYLOAD_LENGTH, "has 5" },
    { "1234567891234567856718", EXPECT_PARSE_ERROR, TH_ERROR_PAYLOAD_LENGTH, "has 22" },
    { "127498753804", EXPECT_PARSE_ERROR, TH_ERROR_PAYLOAD_LENGTH, "has 12" },
    { "234567891234567856105", EXPECT_PARSE_ERROR, TH_ERROR_PAYLOAD_LENGTH, "11-digit" },
    { "23276800006", EXPECT_VALIDATE_ERROR, TH_ERROR_PAYLOAD_FIELD, NULL },
    { "02684354589", EXPECT_PARSE_ERROR, TH_ERROR_PAYLOAD_CHECK_DIGIT, NULL },
    { "01120767810", EXPECT_VALIDATE_ERROR, TH_ERROR_PAYLOAD_FIELD, NULL },
  };
  JsonArray *cases = vector_array ("manual_codes.json", "invalid");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *input = json_object_get_string_member (c, "input");
      const InvalidCase *e = find_case (expected, G_N_ELEMENTS (expected), input);
      g_autoptr(GError) error = NULL;
      g_autoptr(ThSetupPayload) payload = th_setup_payload_parse_manual (input, &error);
      g_autoptr(GPtrArray) payloads = NULL;

      g_test_message ("manual input “%s”", input);
      if (payload != NULL)
        {
          payloads = g_ptr_array_new ();
          g_ptr_array_add (payloads, payload);
        }
      check_invalid_case (e, payloads, error);
      if (json_object_has_member (c, "decoded"))
        assert_manual_fields (payload, json_object_get_object_member (c, "decoded"));
    }
}

static void
test_manual_length_validity (void)
{
  JsonObject *lengths = json_object_get_object_member (vectors ("manual_codes.json"),
                                                       "codeLengthValidity");
  JsonArray *cases = json_object_get_array_member (lengths, "cases");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      g_autofree char *digits = g_strdup (json_object_get_string_member (c, "digits"));
      gboolean long_form = json_object_get_boolean_member (c, "isLongCode");
      g_autoptr(GError) error = NULL;
      g_autoptr(ThSetupPayload) payload = NULL;
      g_autofree char *code = NULL;

      /* a first digit that agrees with the form, and a right check digit, so that only the
       * length is in question */
      digits[0] = long_form ? '4' : '0';
      code = g_strdup_printf ("%s%d", digits, th_verhoeff_compute (digits, -1));
      payload = th_setup_payload_parse_manual (code, &error);
      if (json_object_get_boolean_member (c, "valid"))
        {
          if (error != NULL)
            g_assert_false (g_error_matches (error, TH_ERROR, TH_ERROR_PAYLOAD_LENGTH));
        }
      else
        {
          g_assert_null (payload);
          g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_LENGTH);
        }
    }
}

static void
test_manual_errors (void)
{
  static const struct
  {
    const char *input;
    int code;
    const char *mention;
  } cases[] = {
    { " - ", TH_ERROR_PAYLOAD_EMPTY, NULL },
    { "3497_011_2332", TH_ERROR_PAYLOAD_CHARACTER, "Character 5 (“_”)" },
    { "  3497 011 233x", TH_ERROR_PAYLOAD_CHARACTER, "Character 15 (“x”)" },
    { "3497\t011", TH_ERROR_PAYLOAD_CHARACTER, "Character 5 (U+0009)" },
    { "3497.011.2332", TH_ERROR_PAYLOAD_CHARACTER, "Character 5 (“.”)" },
    { "3497０11２332", TH_ERROR_PAYLOAD_CHARACTER, "Character 5 (“０”)" },
    { "34970112333", TH_ERROR_PAYLOAD_CHECK_DIGIT, NULL },
    { "34970112323", TH_ERROR_PAYLOAD_CHECK_DIGIT, NULL },
    { "3497011233", TH_ERROR_PAYLOAD_LENGTH, "has 10" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ThSetupPayload) payload = th_setup_payload_parse_manual (cases[i].input, &error);

      g_test_message ("manual input “%s”", cases[i].input);
      g_assert_null (payload);
      g_assert_error (error, TH_ERROR, cases[i].code);
      if (cases[i].mention != NULL)
        assert_error_mentions (error, cases[i].mention);
      assert_hides_passcode (error, 20202021);
    }

  /* codes with a right check digit but impossible contents: made here digit by digit */
  {
    static const struct
    {
      const char *digits;       /* without the check digit */
      int code;
      const char *mention;
    } built[] = {
      { "8497011233", TH_ERROR_PAYLOAD_VERSION, "starting with 8" },
      { "9497011233", TH_ERROR_PAYLOAD_VERSION, "starting with 9" },
      { "4497011233", TH_ERROR_PAYLOAD_LENGTH, "21-digit" },
      { "3655360000", TH_ERROR_PAYLOAD_FIELD, "Digits 2 to 6" },
      { "3000018192", TH_ERROR_PAYLOAD_FIELD, "Digits 7 to 10" },
      { "40000100006553600001", TH_ERROR_PAYLOAD_FIELD, "vendor ID in digits 11 to 15" },
      { "40000100000000165536", TH_ERROR_PAYLOAD_FIELD, "product ID in digits 16 to 20" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (built); i++)
      {
        g_autofree char *code = g_strdup_printf ("%s%d", built[i].digits,
                                                 th_verhoeff_compute (built[i].digits, -1));
        g_autoptr(GError) error = NULL;
        g_autoptr(ThSetupPayload) payload = th_setup_payload_parse_manual (code, &error);

        g_test_message ("manual input “%s”", code);
        g_assert_null (payload);
        g_assert_error (error, TH_ERROR, built[i].code);
        assert_error_mentions (error, built[i].mention);
      }
  }
}

/* The generator notes of the vector file, made into cases */
static void
test_manual_generator (void)
{
  g_autoptr(ThSetupPayload) payload = good_payload ();
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autoptr(ThSetupPayload) back = NULL;

  g_assert_nonnull (json_object_get_string_member (vectors ("manual_codes.json"),
                                                   "generatorNote"));

  /* a long discriminator gives its upper 4 bits */
  payload->discriminator = 0xA1F;
  code = th_setup_payload_encode_manual (payload, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (code), ==, 11);
  back = th_setup_payload_parse_manual (code, &error);
  g_assert_no_error (error);
  g_assert_cmphex (back->discriminator, ==, 0xA);
  g_clear_pointer (&back, th_setup_payload_free);
  g_clear_pointer (&code, g_free);

  /* a custom flow makes the long form, with the IDs */
  payload->discriminator = 0xB1F;
  payload->flow = TH_COMMISSIONING_FLOW_CUSTOM;
  payload->vendor_id = 1;
  payload->product_id = 1;
  code = th_setup_payload_encode_manual (payload, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (code), ==, 21);
  back = th_setup_payload_parse_manual (code, &error);
  g_assert_no_error (error);
  g_assert_cmphex (back->discriminator, ==, 0xB);
  g_assert_cmpuint (back->vendor_id, ==, 1);
  g_assert_cmpuint (back->product_id, ==, 1);
  g_clear_pointer (&code, g_free);

  /* a discriminator wider than 12 bits is refused */
  payload->discriminator = 0x1F00;
  code = th_setup_payload_encode_manual (payload, &error);
  g_assert_null (code);
  g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD);
  g_clear_error (&error);

  /* and so is passcode 0 with discriminator 0 */
  payload->discriminator = 0;
  payload->passcode = 0;
  code = th_setup_payload_encode_manual (payload, &error);
  g_assert_null (code);
  g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD);
}

static void
test_manual_format (void)
{
  static const struct
  {
    const char *digits;
    const char *formatted;
  } cases[] = {
    { "34970112332", "3497-011-2332" },
    { "636108753545367145260", "6361-087-5354-53671-45260" },
    { "", NULL },
    { "3497011233", NULL },
    { "349701123321", NULL },
    { "3497-011-2332", NULL },
    { "3497011233x", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *formatted = th_manual_code_format (cases[i].digits);

      g_assert_cmpstr (formatted, ==, cases[i].formatted);
    }
}

/* NFC */

/* Table 42: one short URI record with no abbreviation. */
static GBytes *
ndef_record_for (const char *uri)
{
  g_autoptr(GByteArray) record = g_byte_array_new ();
  guint8 header[] = { 0xD1, 0x01, (guint8) (strlen (uri) + 1), 0x55, 0x00 };

  g_byte_array_append (record, header, sizeof header);
  g_byte_array_append (record, (const guint8 *) uri, (guint) strlen (uri));
  return g_byte_array_free_to_bytes (g_steal_pointer (&record));
}

static void
test_ndef (void)
{
  const char *qr = "MT:Y.K90AFN00KA0648G00";
  g_autoptr(ThSetupPayload) payload = parse_one_qr (qr);
  g_autoptr(GBytes) expected = ndef_record_for (qr);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) encoded = th_setup_payload_encode_ndef (payload, &error);
  g_autoptr(GPtrArray) payloads = NULL;

  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (encoded, expected));
  payloads = th_setup_payload_parse_ndef (g_bytes_get_data (expected, NULL),
                                          g_bytes_get_size (expected), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (payloads->len, ==, 1);
  g_assert_true (th_setup_payload_equal (g_ptr_array_index (payloads, 0), payload));
  g_clear_pointer (&payloads, g_ptr_array_unref);

  /* a concatenated code in one record */
  {
    g_autoptr(GBytes) multi = ndef_record_for ("MT:M5L90MP500K64J00000*M5L90U.D010K4J00000");

    payloads = th_setup_payload_parse_ndef (g_bytes_get_data (multi, NULL),
                                            g_bytes_get_size (multi), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (payloads->len, ==, 2);
    g_clear_pointer (&payloads, g_ptr_array_unref);
  }

  /* beside other records: a text record first, then an https URI, then ours with an ID */
  {
    static const guint8 message[] = {
      0x91, 0x01, 0x03, 'T', 0x02, 'e', 'n',
      0x11, 0x01, 0x04, 'U', 0x04, 'a', '.', 'b',
      0x59, 0x01, 0x17, 0x02, 'U', 'i', 'd', 0x00,
      'M', 'T', ':', 'Y', '.', 'K', '9', '0', 'A', 'F', 'N', '0', '0', 'K', 'A', '0', '6', '4',
      '8', 'G', '0', '0',
    };

    payloads = th_setup_payload_parse_ndef (message, sizeof message, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (payloads->len, ==, 1);
    g_assert_true (th_setup_payload_equal (g_ptr_array_index (payloads, 0), payload));
    g_clear_pointer (&payloads, g_ptr_array_unref);
  }

  /* a long record (4-byte payload length), as the encoder makes for long URIs */
  {
    g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                th_setup_payload_free);
    g_autofree char *long_qr = NULL;
    g_autoptr(GByteArray) record = g_byte_array_new ();
    guint8 header[] = { 0xC1, 0x01, 0, 0, 0, 0, 0x55, 0x00 };
    gsize uri_len;

    for (guint i = 0; i < 16; i++)
      g_ptr_array_add (many, th_setup_payload_copy (payload));
    long_qr = th_setup_payload_encode_qr_multi (many, &error);
    g_assert_no_error (error);
    uri_len = strlen (long_qr);
    g_assert_cmpuint (uri_len, >, 255);
    header[4] = (guint8) ((uri_len + 1) >> 8);
    header[5] = (guint8) (uri_len + 1);
    g_byte_array_append (record, header, sizeof header);
    g_byte_array_append (record, (const guint8 *) long_qr, (guint) uri_len);

    payloads = th_setup_payload_parse_ndef (record->data, record->len, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (payloads->len, ==, 16);
    g_clear_pointer (&payloads, g_ptr_array_unref);

    /* the encoder gives the same record for a payload that long */
    {
      g_autoptr(ThSetupPayload) big = th_setup_payload_copy (payload);
      g_autoptr(GBytes) big_record = NULL;
      g_autoptr(GPtrArray) back = NULL;

      for (guint8 tag = 0x80; tag < 0x80 + 20; tag++)
        {
          guint8 element[] = { 0x30, tag, 8, 0, 1, 2, 3, 4, 5, 6, 7 };
          g_autoptr(GBytes) bytes = g_bytes_new (element, sizeof element);

          th_setup_payload_add_vendor_element (big, tag, bytes);
        }
      big_record = th_setup_payload_encode_ndef (big, &error);
      g_assert_no_error (error);
      g_assert_cmphex (((const guint8 *) g_bytes_get_data (big_record, NULL))[0], ==, 0xC1);
      back = th_setup_payload_parse_ndef (g_bytes_get_data (big_record, NULL),
                                          g_bytes_get_size (big_record), &error);
      g_assert_no_error (error);
      g_assert_true (th_setup_payload_equal (g_ptr_array_index (back, 0), big));
    }
  }
}

static void
test_ndef_errors (void)
{
  static const struct
  {
    const char *hex;
    int code;
    const char *mention;
  } cases[] = {
    { "", TH_ERROR_PAYLOAD_NDEF, "empty" },
    { "d1", TH_ERROR_PAYLOAD_NDEF, "cut short" },
    /* an https URI only */
    { "d101045504612e62", TH_ERROR_PAYLOAD_NDEF, "no Matter" },
    /* the URI abbreviated ("http://www."), so not "MT:" */
    { "d1010455014d543a", TH_ERROR_PAYLOAD_NDEF, "no Matter" },
    /* a media record */
    { "d20a04" "746578742f706c61696e" "4d543a41", TH_ERROR_PAYLOAD_NDEF, "no Matter" },
    /* bytes after the last record */
    { "d101055500" "4d543a" "4100", TH_ERROR_PAYLOAD_NDEF, "more bytes follow" },
    /* the first record without message-begin */
    { "5101055500" "4d543a" "41", TH_ERROR_PAYLOAD_NDEF, "message-begin" },
    /* a second record with it */
    { "9101015500" "d101015500", TH_ERROR_PAYLOAD_NDEF, "message-begin" },
    /* chunked */
    { "f101055500" "4d543a" "41", TH_ERROR_PAYLOAD_NDEF, "chunked" },
    /* no message-end */
    { "9101055500" "4d543a" "41", TH_ERROR_PAYLOAD_NDEF, "cut short" },
    /* a NUL in the URI */
    { "d101065500" "4d543a" "4100", TH_ERROR_PAYLOAD_NDEF, "NUL" },
    /* a long record whose length runs past the end */
    { "c101ffffffff5500", TH_ERROR_PAYLOAD_NDEF, "cut short" },
    /* an ID length past the end */
    { "d90101ff55", TH_ERROR_PAYLOAD_NDEF, "cut short" },
    /* a bad QR text inside */
    { "d101055500" "4d543a" "23", TH_ERROR_PAYLOAD_CHARACTER, "NFC" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) data = th_test_hex_to_bytes (cases[i].hex);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) payloads = NULL;

      g_test_message ("NDEF %s", cases[i].hex);
      payloads = th_setup_payload_parse_ndef (g_bytes_get_data (data, NULL),
                                              g_bytes_get_size (data), &error);
      g_assert_null (payloads);
      g_assert_error (error, TH_ERROR, cases[i].code);
      assert_error_mentions (error, cases[i].mention);
    }

  /* every cut of a good record fails cleanly */
  {
    g_autoptr(GBytes) record = ndef_record_for ("MT:Y.K90AFN00KA0648G00");
    gsize len;
    const guint8 *data = g_bytes_get_data (record, &len);

    for (gsize cut = 0; cut < len; cut++)
      {
        g_autofree guint8 *copy = g_memdup2 (data, cut);
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) payloads = th_setup_payload_parse_ndef (copy, cut, &error);

        g_assert_null (payloads);
        g_assert_nonnull (error);
        g_assert_true (error->domain == TH_ERROR);
      }
  }
}

/* The general entry point */

static void
test_parse (void)
{
  static const struct
  {
    const char *input;
    ThPayloadFormat format;
  } good[] = {
    { "34970112332", TH_PAYLOAD_FORMAT_MANUAL },
    { " 3497-011-2332\n", TH_PAYLOAD_FORMAT_MANUAL },
    { "3497 011 2332", TH_PAYLOAD_FORMAT_MANUAL },
    { "MT:Y.K90AFN00KA0648G00", TH_PAYLOAD_FORMAT_QR },
    { "\tMT:Y.K90AFN00KA0648G00\r\n", TH_PAYLOAD_FORMAT_QR },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) payloads = th_setup_payload_parse (good[i].input, &error);
      ThSetupPayload *payload;

      g_assert_no_error (error);
      g_assert_cmpuint (payloads->len, ==, 1);
      payload = g_ptr_array_index (payloads, 0);
      g_assert_cmpint (payload->format, ==, good[i].format);
      g_assert_cmpuint (payload->passcode, ==, 20202021);
      g_assert_cmpuint (th_setup_payload_get_short_discriminator (payload), ==, 15);
      g_assert_true (th_setup_payload_validate (payload, &error));
    }

  {
    static const struct
    {
      const char *input;
      int code;
    } bad[] = {
      { "", TH_ERROR_PAYLOAD_EMPTY },
      { " \n\t ", TH_ERROR_PAYLOAD_EMPTY },
      { "hello", TH_ERROR_PAYLOAD_PREFIX },
      { "AT:Y.K90AFN00KA0648G00", TH_ERROR_PAYLOAD_PREFIX },
      { "3497.011.2332", TH_ERROR_PAYLOAD_CHARACTER },
      { "3497-011-2333", TH_ERROR_PAYLOAD_CHECK_DIGIT },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) payloads = th_setup_payload_parse (bad[i].input, &error);

        g_assert_null (payloads);
        g_assert_error (error, TH_ERROR, bad[i].code);
      }
  }
}

/* Validation and encoding of hand-made payloads */

static void
test_validate_and_encode_errors (void)
{
  g_autoptr(ThSetupPayload) payload = good_payload ();
  g_autoptr(GError) error = NULL;
  g_autofree char *qr = th_setup_payload_encode_qr (payload, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (qr, ==, "MT:Y.K90AFN00KA0648G00");
  g_assert_true (th_setup_payload_validate (payload, &error));

  /* what validation refuses, the encoders refuse with the same error */
  {
    static const struct
    {
      int code;
      const char *mention;
    } refusals[] = {
      { TH_ERROR_PAYLOAD_VERSION, "version 1" },
      { TH_ERROR_PAYLOAD_FIELD, "reserved" },
      { TH_ERROR_PAYLOAD_FIELD, "4096" },
      { TH_ERROR_PAYLOAD_FIELD, "16" },
      { TH_ERROR_PAYLOAD_FIELD, "out of range" },
      { TH_ERROR_PAYLOAD_FIELD, "trivial" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
      {
        g_autoptr(ThSetupPayload) bad = good_payload ();
        char *(*encoders[]) (const ThSetupPayload *, GError **) = {
          th_setup_payload_encode_qr, th_setup_payload_encode_manual,
        };

        switch (i)
          {
          case 0:
            bad->version = 1;
            break;
          case 1:
            bad->flow = TH_COMMISSIONING_FLOW_RESERVED;
            break;
          case 2:
            bad->discriminator = 4096;
            break;
          case 3:
            bad->short_discriminator = TRUE;
            bad->discriminator = 16;
            break;
          case 4:
            bad->passcode = 100000000;
            break;
          default:
            bad->passcode = 87654321;
            break;
          }
        g_assert_false (th_setup_payload_validate (bad, &error));
        g_assert_error (error, TH_ERROR, refusals[i].code);
        assert_error_mentions (error, refusals[i].mention);
        assert_hides_passcode (error, bad->passcode);
        g_clear_error (&error);
        for (guint k = 0; k < G_N_ELEMENTS (encoders); k++)
          {
            g_autofree char *text = encoders[k] (bad, &error);

            g_assert_null (text);
            g_assert_error (error, TH_ERROR, refusals[i].code);
            g_clear_error (&error);
          }
        {
          g_autoptr(GBytes) ndef = th_setup_payload_encode_ndef (bad, &error);

          g_assert_null (ndef);
          g_assert_error (error, TH_ERROR, refusals[i].code);
          g_clear_error (&error);
        }
      }
  }

  /* what a QR code needs and a manual code does not give */
  {
    g_autoptr(GError) manual_error = NULL;
    g_autoptr(ThSetupPayload) manual = th_setup_payload_parse_manual ("34970112332",
                                                                       &manual_error);
    g_autofree char *text = NULL;

    g_assert_no_error (manual_error);
    g_assert_true (th_setup_payload_validate (manual, &error));
    text = th_setup_payload_encode_qr (manual, &error);
    g_assert_null (text);
    g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD);
    assert_error_mentions (error, "discriminator");
    g_clear_error (&error);

    manual->short_discriminator = FALSE;
    manual->discriminator = 3840;
    text = th_setup_payload_encode_qr (manual, &error);
    g_assert_null (text);
    g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD);
    assert_error_mentions (error, "vendor and product");
    g_clear_error (&error);

    manual->has_vendor_product = TRUE;
    text = th_setup_payload_encode_qr (manual, &error);
    g_assert_null (text);
    g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD);
    assert_error_mentions (error, "discovery capabilities");
    g_clear_error (&error);

    /* a non-standard flow needs the long manual code, and so the IDs */
    manual->has_vendor_product = FALSE;
    manual->flow = TH_COMMISSIONING_FLOW_USER_INTENT;
    text = th_setup_payload_encode_manual (manual, &error);
    g_assert_null (text);
    g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD);
    g_clear_error (&error);
  }

  /* a full discriminator gives its upper 4 bits to the manual code */
  {
    g_autofree char *manual = th_setup_payload_encode_manual (payload, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (manual, ==, "34970112332");
  }

  /* TLV fields the encoder refuses */
  for (guint i = 0; i < 9; i++)
    {
      g_autoptr(ThSetupPayload) bad = good_payload ();
      g_autofree char *text = NULL;
      guint8 salt[16] = { 0 };

      switch (i)
        {
        case 0:
          bad->serial_number = g_strdup ("");
          break;
        case 1:
          bad->serial_number = g_strdup ("123456789012345678901234567890123");
          break;
        case 2:
          bad->serial_number = g_strdup ("007");
          bad->serial_number_is_integer = TRUE;
          break;
        case 3:
          bad->serial_number = g_strdup ("18446744073709551616");
          bad->serial_number_is_integer = TRUE;
          break;
        case 4:
          bad->pbkdf_iterations = 1000;
          break;
        case 5:
          bad->pbkdf_iterations = 999;
          bad->pbkdf_salt = g_bytes_new (salt, sizeof salt);
          break;
        case 6:
          {
            static const guint8 element[] = { 0x24, 0x81, 0x01 };
            g_autoptr(GBytes) bytes = g_bytes_new_static (element, sizeof element);

            th_setup_payload_add_vendor_element (bad, 0x80, bytes);
          }
          break;
        case 7:
          {
            static const guint8 element[] = { 0x24, 0x02, 0x01 };
            g_autoptr(GBytes) bytes = g_bytes_new_static (element, sizeof element);

            th_setup_payload_add_vendor_element (bad, 0x02, bytes);
          }
          break;
        default:
          {
            static const guint8 element[] = { 0x24, 0x80, 0x01, 0x24, 0x81, 0x01 };
            g_autoptr(GBytes) bytes = g_bytes_new_static (element, sizeof element);

            th_setup_payload_add_vendor_element (bad, 0x80, bytes);
          }
          break;
        }
      text = th_setup_payload_encode_qr (bad, &error);
      g_assert_null (text);
      g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV);
      g_clear_error (&error);
    }

  /* a repeated vendor tag */
  {
    static const guint8 element[] = { 0x24, 0x80, 0x01 };
    g_autoptr(GBytes) bytes = g_bytes_new_static (element, sizeof element);
    g_autoptr(ThSetupPayload) bad = good_payload ();
    g_autofree char *text = NULL;

    th_setup_payload_add_vendor_element (bad, 0x80, bytes);
    th_setup_payload_add_vendor_element (bad, 0x80, bytes);
    text = th_setup_payload_encode_qr (bad, &error);
    g_assert_null (text);
    g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_TLV);
    assert_error_mentions (error, "repeats");
    g_clear_error (&error);
  }

  /* concatenation: none, or one bad among good ones */
  {
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                th_setup_payload_free);
    g_autofree char *text = th_setup_payload_encode_qr_multi (list, &error);
    ThSetupPayload *second;

    g_assert_null (text);
    g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_EMPTY);
    g_clear_error (&error);

    g_ptr_array_add (list, good_payload ());
    second = good_payload ();
    second->passcode = 11111111;
    g_ptr_array_add (list, second);
    g_ptr_array_add (list, good_payload ());
    text = th_setup_payload_encode_qr_multi (list, &error);
    g_assert_null (text);
    g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD);
    g_assert_true (g_str_has_prefix (error->message, "Payload 2 of 3: "));
    assert_hides_passcode (error, 11111111);
  }
}

/* Random round trips */

static void
random_bytes (GRand  *rand,
              guint8 *out,
              gsize   len)
{
  for (gsize i = 0; i < len; i++)
    out[i] = (guint8) g_rand_int_range (rand, 0, 256);
}

static char *
random_serial_text (GRand *rand)
{
  static const char *const pieces[] = { "A", "z", "0", "9", "-", " ", "é", "ß", "€", "😀" };
  GString *s = g_string_new (NULL);
  guint target = (guint) g_rand_int_range (rand, 1, 33);

  while (s->len < target)
    {
      const char *piece = pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))];

      if (s->len + strlen (piece) > 32)
        break;
      g_string_append (s, piece);
    }
  if (s->len == 0)
    g_string_append_c (s, 'S');
  return g_string_free (s, FALSE);
}

/* A vendor element: a value of some type, or a container with members. */
static GBytes *
random_vendor_element (GRand  *rand,
                       guint8  tag)
{
  g_auto(ThTlvWriter) writer = { 0, };
  guint8 data[40];
  gsize len = (gsize) g_rand_int_range (rand, 0, sizeof data);

  random_bytes (rand, data, len);
  th_tlv_writer_init (&writer);
  switch (g_rand_int_range (rand, 0, 5))
    {
    case 0:
      th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (tag), g_rand_int (rand));
      break;
    case 1:
      th_tlv_writer_put_int (&writer, TH_TLV_CONTEXT (tag), -(gint64) g_rand_int (rand));
      break;
    case 2:
      th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (tag), data, len);
      break;
    case 3:
      th_tlv_writer_put_string (&writer, TH_TLV_CONTEXT (tag), "Vendor", -1);
      break;
    default:
      th_tlv_writer_start_structure (&writer, TH_TLV_CONTEXT (tag));
      th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (1), TRUE);
      th_tlv_writer_start_array (&writer, TH_TLV_CONTEXT (2));
      th_tlv_writer_put_bytes (&writer, TH_TLV_ANONYMOUS, data, len);
      th_tlv_writer_put_null (&writer, TH_TLV_ANONYMOUS);
      th_tlv_writer_end_container (&writer);
      th_tlv_writer_end_container (&writer);
      break;
    }
  return th_tlv_writer_finish (&writer);
}

static ThSetupPayload *
random_payload (GRand *rand)
{
  ThSetupPayload *payload = good_payload ();

  payload->vendor_id = (guint16) g_rand_int (rand);
  payload->product_id = (guint16) g_rand_int (rand);
  payload->flow = (ThCommissioningFlow) g_rand_int_range (rand, 0, 3);
  payload->capabilities = (guint8) g_rand_int (rand);
  payload->discriminator = (guint16) g_rand_int_range (rand, 0, 4096);
  do
    payload->passcode = (guint32) g_rand_int_range (rand, 1, TH_PASSCODE_MAX + 1);
  while (th_passcode_check (payload->passcode) != TH_PASSCODE_VALID);
  payload->passcode_validity = TH_PASSCODE_VALID;

  if (g_rand_boolean (rand))
    {
      if (g_rand_boolean (rand))
        {
          payload->serial_number = random_serial_text (rand);
        }
      else
        {
          guint64 value = (guint64) g_rand_int (rand) << g_rand_int_range (rand, 0, 33);

          payload->serial_number = g_strdup_printf ("%" G_GUINT64_FORMAT, value);
          payload->serial_number_is_integer = TRUE;
        }
    }
  if (g_rand_boolean (rand))
    {
      guint8 salt[32];
      gsize salt_len = (gsize) g_rand_int_range (rand, 16, 33);

      random_bytes (rand, salt, salt_len);
      payload->pbkdf_iterations = (guint32) g_rand_int_range (rand, 1000, 100001);
      payload->pbkdf_salt = g_bytes_new (salt, salt_len);
    }
  if (g_rand_boolean (rand))
    payload->number_of_devices = (guint8) g_rand_int_range (rand, 1, 256);
  if (g_rand_boolean (rand))
    payload->commissioning_timeout = (guint16) g_rand_int_range (rand, 1, 65536);
  if (g_rand_boolean (rand))
    {
      guint n = (guint) g_rand_int_range (rand, 1, 4);
      guint8 first = (guint8) g_rand_int_range (rand, 0x80, 0x100 - 4);

      for (guint i = 0; i < n; i++)
        {
          guint8 tag = (guint8) (first + i);
          g_autoptr(GBytes) element = random_vendor_element (rand, tag);

          th_setup_payload_add_vendor_element (payload, tag, element);
        }
    }
  return payload;
}

/* What the manual code keeps of a payload. */
static ThSetupPayload *
manual_view (const ThSetupPayload *payload)
{
  ThSetupPayload *view = th_setup_payload_new ();
  gboolean long_form = payload->flow != TH_COMMISSIONING_FLOW_STANDARD;

  view->format = TH_PAYLOAD_FORMAT_MANUAL;
  view->short_discriminator = TRUE;
  view->discriminator = th_setup_payload_get_short_discriminator (payload);
  view->passcode = payload->passcode;
  view->passcode_validity = payload->passcode_validity;
  view->has_vendor_product = long_form;
  view->flow = long_form ? TH_COMMISSIONING_FLOW_CUSTOM : TH_COMMISSIONING_FLOW_STANDARD;
  if (long_form)
    {
      view->vendor_id = payload->vendor_id;
      view->product_id = payload->product_id;
    }
  return view;
}

static void
test_random_round_trips (void)
{
  guint32 seed = th_test_seed ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (guint round = 0; round < RANDOM_ROUNDS; round++)
    {
      g_autoptr(ThSetupPayload) payload = random_payload (rand);
      g_autoptr(ThSetupPayload) expected_manual = manual_view (payload);
      g_autoptr(GError) error = NULL;
      g_autofree char *qr = th_setup_payload_encode_qr (payload, &error);
      g_autofree char *manual = NULL;
      g_autofree char *formatted = NULL;
      g_autoptr(GBytes) ndef = NULL;
      g_autoptr(GPtrArray) parsed = NULL;
      g_autoptr(ThSetupPayload) from_manual = NULL;

      if (error != NULL)
        g_error ("round %u (seed %u): encoding failed: %s", round, seed, error->message);
      parsed = th_setup_payload_parse (qr, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (parsed->len, ==, 1);
      if (!th_setup_payload_equal (g_ptr_array_index (parsed, 0), payload))
        g_error ("round %u (seed %u): %s did not round-trip", round, seed, qr);
      g_clear_pointer (&parsed, g_ptr_array_unref);

      ndef = th_setup_payload_encode_ndef (payload, &error);
      g_assert_no_error (error);
      parsed = th_setup_payload_parse_ndef (g_bytes_get_data (ndef, NULL),
                                            g_bytes_get_size (ndef), &error);
      g_assert_no_error (error);
      if (!th_setup_payload_equal (g_ptr_array_index (parsed, 0), payload))
        g_error ("round %u (seed %u): the NFC record did not round-trip", round, seed);
      g_clear_pointer (&parsed, g_ptr_array_unref);

      manual = th_setup_payload_encode_manual (payload, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (strlen (manual), ==,
                        payload->flow == TH_COMMISSIONING_FLOW_STANDARD ? 11 : 21);
      formatted = th_manual_code_format (manual);
      parsed = th_setup_payload_parse (formatted, &error);
      g_assert_no_error (error);
      if (!th_setup_payload_equal (g_ptr_array_index (parsed, 0), expected_manual))
        g_error ("round %u (seed %u): manual code %s did not round-trip", round, seed, manual);
      from_manual = th_setup_payload_copy (g_ptr_array_index (parsed, 0));
      {
        g_autofree char *again = th_setup_payload_encode_manual (from_manual, &error);

        g_assert_no_error (error);
        g_assert_cmpstr (again, ==, manual);
      }

      /* any single mistyped digit, or two neighbours swapped, is caught */
      {
        gsize len = strlen (manual);
        gsize at = (gsize) g_rand_int_range (rand, 0, (gint32) len);
        g_autofree char *typo = g_strdup (manual);
        g_autoptr(ThSetupPayload) wrong = NULL;

        typo[at] = (char) ('0' + (typo[at] - '0' + g_rand_int_range (rand, 1, 10)) % 10);
        wrong = th_setup_payload_parse_manual (typo, &error);
        g_assert_null (wrong);
        g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_CHECK_DIGIT);
        g_clear_error (&error);

        at = (gsize) g_rand_int_range (rand, 0, (gint32) len - 1);
        if (manual[at] != manual[at + 1])
          {
            g_free (typo);
            typo = g_strdup (manual);
            typo[at] = manual[at + 1];
            typo[at + 1] = manual[at];
            wrong = th_setup_payload_parse_manual (typo, &error);
            g_assert_null (wrong);
            g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_CHECK_DIGIT);
            g_clear_error (&error);
          }
      }
    }

  /* concatenations of 1 to 5 payloads keep every payload and their order */
  for (guint round = 0; round < RANDOM_ROUNDS / 10; round++)
    {
      g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                  th_setup_payload_free);
      guint n = (guint) g_rand_int_range (rand, 1, 6);
      g_autoptr(GError) error = NULL;
      g_autofree char *qr = NULL;
      g_autoptr(GPtrArray) parsed = NULL;

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (list, random_payload (rand));
      qr = th_setup_payload_encode_qr_multi (list, &error);
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (qr, "MT:"));
      parsed = th_setup_payload_parse_qr (qr, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (parsed->len, ==, n);
      for (guint i = 0; i < n; i++)
        if (!th_setup_payload_equal (g_ptr_array_index (parsed, i), g_ptr_array_index (list, i)))
          g_error ("round %u (seed %u): payload %u of %s did not round-trip", round, seed, i,
                   qr);
    }
}

/* Random QR text with one character changed never crashes and never gives a payload that
 * does not encode back to that text. */
static void
test_random_mutations (void)
{
  static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-.*%: #";
  guint32 seed = th_test_seed ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (guint round = 0; round < RANDOM_ROUNDS; round++)
    {
      g_autoptr(ThSetupPayload) payload = random_payload (rand);
      g_autoptr(GError) error = NULL;
      g_autofree char *qr = th_setup_payload_encode_qr (payload, &error);
      g_autoptr(GPtrArray) parsed = NULL;
      gsize at = (gsize) g_rand_int_range (rand, 3, (gint32) strlen (qr));

      g_assert_no_error (error);
      qr[at] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      parsed = th_setup_payload_parse_qr (qr, &error);
      if (parsed == NULL)
        {
          g_assert_nonnull (error);
          g_assert_true (error->domain == TH_ERROR);
          assert_hides_passcode (error, payload->passcode);
          continue;
        }
      g_assert_no_error (error);
      for (guint i = 0; i < parsed->len; i++)
        {
          ThSetupPayload *p = g_ptr_array_index (parsed, i);
          g_autofree char *again = th_setup_payload_encode_qr (p, &error);

          g_assert_true ((again != NULL) == (p->passcode_validity == TH_PASSCODE_VALID));
          g_clear_error (&error);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/setup-payload/base38/encode", test_base38_encode);
  g_test_add_func ("/setup-payload/base38/decode", test_base38_decode);
  g_test_add_func ("/setup-payload/base38/decode-invalid", test_base38_decode_invalid);
  g_test_add_func ("/setup-payload/verhoeff/vectors", test_verhoeff);
  g_test_add_func ("/setup-payload/verhoeff/detection", test_verhoeff_detection);
  g_test_add_func ("/setup-payload/passcode/rules", test_passcodes);
  g_test_add_func ("/setup-payload/qr/valid", test_qr_valid);
  g_test_add_func ("/setup-payload/qr/known", test_qr_known);
  g_test_add_func ("/setup-payload/qr/concatenated", test_qr_concatenated);
  g_test_add_func ("/setup-payload/qr/invalid", test_qr_invalid);
  g_test_add_func ("/setup-payload/qr/extract", test_qr_extract);
  g_test_add_func ("/setup-payload/qr/optional-tlv", test_qr_optional_tlv);
  g_test_add_func ("/setup-payload/qr/tlv-fields", test_qr_tlv_fields);
  g_test_add_func ("/setup-payload/qr/tlv-invalid", test_qr_tlv_invalid);
  g_test_add_func ("/setup-payload/qr/max-values", test_qr_max_values);
  g_test_add_func ("/setup-payload/qr/errors", test_qr_errors);
  g_test_add_func ("/setup-payload/manual/valid", test_manual_valid);
  g_test_add_func ("/setup-payload/manual/separators", test_manual_separators);
  g_test_add_func ("/setup-payload/manual/invalid", test_manual_invalid);
  g_test_add_func ("/setup-payload/manual/length-validity", test_manual_length_validity);
  g_test_add_func ("/setup-payload/manual/errors", test_manual_errors);
  g_test_add_func ("/setup-payload/manual/generator", test_manual_generator);
  g_test_add_func ("/setup-payload/manual/format", test_manual_format);
  g_test_add_func ("/setup-payload/ndef/round-trip", test_ndef);
  g_test_add_func ("/setup-payload/ndef/errors", test_ndef_errors);
  g_test_add_func ("/setup-payload/parse", test_parse);
  g_test_add_func ("/setup-payload/validate-and-encode-errors", test_validate_and_encode_errors);
  g_test_add_func ("/setup-payload/random/round-trips", test_random_round_trips);
  g_test_add_func ("/setup-payload/random/mutations", test_random_mutations);

  return g_test_run ();
}
