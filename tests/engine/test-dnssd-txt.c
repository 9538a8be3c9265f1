/* test-dnssd-txt.c: the DNS-SD TXT record parser, the service names, the words for what a
 * record says, and discovery without Avahi
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "discovery/th-dnssd.h"
#include "discovery/th-dnssd-browser.h"
#include "discovery/th-dnssd-resolver.h"
#include "discovery/th-dnssd-text.h"
#include "discovery/th-dnssd-txt.h"
#include "th-error.h"
#include "th-test-utils.h"

static JsonObject *
dnssd_vectors (void)
{
  /* kept for the life of the program, so the objects handed out stay valid */
  static JsonNode *root;

  if (root == NULL)
    root = th_test_load_vectors ("discovery/dnssd_vectors.json");
  return json_node_get_object (root);
}

/* TXT record data from strings: each one with its length byte before it. */
static GBytes *
rdata_of (const char *const *entries)
{
  GByteArray *rdata = g_byte_array_new ();

  for (guint i = 0; entries[i] != NULL; i++)
    {
      guint8 len = (guint8) strlen (entries[i]);

      g_assert_cmpuint (strlen (entries[i]), <=, 255);
      g_byte_array_append (rdata, &len, 1);
      g_byte_array_append (rdata, (const guint8 *) entries[i], len);
    }
  return g_byte_array_free_to_bytes (rdata);
}

static ThDnssdTxt *
parse_strings (const char *const *entries)
{
  g_autoptr(GBytes) rdata = rdata_of (entries);
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (rdata, &len);
  ThDnssdTxt *txt = th_dnssd_txt_parse (data, len, &error);

  g_assert_no_error (error);
  g_assert_nonnull (txt);
  return txt;
}

static ThDnssdTxt *
parse_one (const char *entry)
{
  const char *entries[] = { entry, NULL };

  return parse_strings (entries);
}

static ThDnssdTxt *
parse_json_strings (JsonArray *array)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (array); i++)
    g_ptr_array_add (entries, (gpointer) json_array_get_string_element (array, i));
  g_ptr_array_add (entries, NULL);
  return parse_strings ((const char *const *) entries->pdata);
}

static ThDnssdTxtKeys
key_bit (const char *name)
{
  static const struct
  {
    const char *name;
    ThDnssdTxtKeys bit;
  } keys[] = {
    { "D", TH_DNSSD_TXT_D }, { "VP", TH_DNSSD_TXT_VP }, { "CM", TH_DNSSD_TXT_CM },
    { "DT", TH_DNSSD_TXT_DT }, { "DN", TH_DNSSD_TXT_DN }, { "RI", TH_DNSSD_TXT_RI },
    { "PH", TH_DNSSD_TXT_PH }, { "PI", TH_DNSSD_TXT_PI }, { "SII", TH_DNSSD_TXT_SII },
    { "SAI", TH_DNSSD_TXT_SAI }, { "SAT", TH_DNSSD_TXT_SAT }, { "T", TH_DNSSD_TXT_T },
    { "ICD", TH_DNSSD_TXT_ICD }, { "CP", TH_DNSSD_TXT_CP },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      if (g_ascii_strcasecmp (keys[i].name, name) == 0)
        return keys[i].bit;
    }
  return 0;
}

static const ThDnssdTxtProblem *
problem_for (const ThDnssdTxt *txt,
             const char       *key)
{
  for (guint i = 0; i < txt->problems->len; i++)
    {
      const ThDnssdTxtProblem *problem = g_ptr_array_index (txt->problems, i);

      if (g_str_equal (problem->key, key))
        return problem;
    }
  return NULL;
}

/* What a field reads as in the vectors' terms: the value when the key was read, and zero,
 * false or empty when it was absent or rejected. */
static void
assert_field (const ThDnssdTxt *txt,
              const char       *field,
              JsonNode         *expected)
{
  g_autofree char *text = NULL;
  gint64 number = -1;

  if (g_str_equal (field, "longDiscriminator"))
    number = (txt->present & TH_DNSSD_TXT_D) ? txt->discriminator : 0;
  else if (g_str_equal (field, "vendorId"))
    number = txt->has_vendor_id ? txt->vendor_id : 0;
  else if (g_str_equal (field, "productId"))
    number = txt->has_product_id ? txt->product_id : 0;
  else if (g_str_equal (field, "commissioningMode"))
    number = (txt->present & TH_DNSSD_TXT_CM) ? txt->commissioning_mode : 0;
  else if (g_str_equal (field, "deviceType"))
    number = (txt->present & TH_DNSSD_TXT_DT) ? txt->device_type : 0;
  else if (g_str_equal (field, "pairingHint"))
    number = (txt->present & TH_DNSSD_TXT_PH) ? txt->pairing_hint : 0;
  else if (g_str_equal (field, "rotatingIdLen"))
    number = (txt->present & TH_DNSSD_TXT_RI) ? (gint64) g_bytes_get_size (txt->rotating_id) : 0;
  else if (g_str_equal (field, "commissionerPasscode"))
    number = (txt->present & TH_DNSSD_TXT_CP) ? txt->commissioner_passcode : 0;
  else if (g_str_equal (field, "sessionIdleIntervalMs"))
    number = (txt->present & TH_DNSSD_TXT_SII) ? txt->session_idle_interval_ms : 0;
  else if (g_str_equal (field, "sessionActiveIntervalMs"))
    number = (txt->present & TH_DNSSD_TXT_SAI) ? txt->session_active_interval_ms : 0;
  else if (g_str_equal (field, "sessionActiveThresholdMs"))
    number = (txt->present & TH_DNSSD_TXT_SAT) ? txt->session_active_threshold_ms : 0;
  else if (g_str_equal (field, "tcpClient"))
    number = (txt->tcp & TH_DNSSD_TCP_CLIENT) != 0;
  else if (g_str_equal (field, "tcpServer"))
    number = (txt->tcp & TH_DNSSD_TCP_SERVER) != 0;
  else if (g_str_equal (field, "icdOperatingAsLIT"))
    number = (txt->present & TH_DNSSD_TXT_ICD) && txt->icd_long_idle;
  else if (g_str_equal (field, "supportsCommissionerGeneratedPasscode"))
    number = (txt->present & TH_DNSSD_TXT_CP) && txt->commissioner_passcode;
  else if (g_str_equal (field, "deviceName"))
    text = g_strdup ((txt->present & TH_DNSSD_TXT_DN) ? txt->device_name : "");
  else if (g_str_equal (field, "pairingInstruction"))
    text = g_strdup ((txt->present & TH_DNSSD_TXT_PI) ? txt->pairing_instruction : "");
  else if (g_str_equal (field, "rotatingId"))
    text = (txt->present & TH_DNSSD_TXT_RI)
           ? th_test_bytes_to_hex (g_bytes_get_data (txt->rotating_id, NULL),
                                   g_bytes_get_size (txt->rotating_id))
           : g_strdup ("");
  else
    g_error ("the vectors name a field this test does not know: %s", field);

  if (text != NULL)
    g_assert_cmpstr (text, ==, json_node_get_string (expected));
  else if (json_node_get_value_type (expected) == G_TYPE_BOOLEAN)
    g_assert_cmpint (number, ==, json_node_get_boolean (expected));
  else
    g_assert_cmpint (number, ==, json_node_get_int (expected));
}

/* The vector cases whose value Threshold rejects and reports, naming the key. Each reads as
 * zero or absent in the vectors too. */
static const struct
{
  const char *key;
  const char *value;
} rejected[] = {
  { "D", "65536" },
  { "VP", "123+" },
  { "VP", "+456" },
  { "VP", "123+65536" },
  { "VP", "65536+456" },
  { "CM", "256" },
  { "DT", "4294967296" },
  { "RI", "0A1BC" },
  { "RI", "0ATT" },
  { "CP", "256" },
  { "SII", "-1" },
  { "SII", "3600001" },
  { "SII", "1095216660481" },
  { "SII", "0x20" },
  { "SII", "0700" },
  { "SII", "123abc" },
  { "SAI", "3600001" },
  { "SAT", "65536" },
  { "SAT", "0700" },
  { "T", "asdf" },
  { "ICD", "asdf" },
};

static gboolean
is_rejected (const char *key,
             const char *value)
{
  for (gsize i = 0; i < G_N_ELEMENTS (rejected); i++)
    {
      if (g_str_equal (rejected[i].key, key) && g_str_equal (rejected[i].value, value))
        return TRUE;
    }
  return FALSE;
}

static void
test_vectors (void)
{
  JsonObject *parsing = json_object_get_object_member (dnssd_vectors (), "txtFieldParsing");
  JsonArray *cases = json_object_get_array_member (parsing, "cases");
  guint checked_rejections = 0;

  g_assert_cmpuint (json_array_get_length (cases), >, 50);
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *vector = json_array_get_object_element (cases, i);
      const char *key = json_object_get_string_member (vector, "key");
      const char *value = json_object_get_string_member (vector, "value");
      JsonNode *expect = json_object_get_member (vector, "expect");
      g_autofree char *entry = g_strdup_printf ("%s=%s", key, value);
      g_autoptr(ThDnssdTxt) txt = parse_one (entry);
      ThDnssdTxtKeys bit = key_bit (key);

      g_test_message ("%s", entry);
      if (JSON_NODE_HOLDS_VALUE (expect))
        {
          const char *what = json_node_get_string (expect);

          if (g_str_equal (what, "absent"))
            {
              g_assert_cmpint (txt->present, ==, 0);
              g_assert_cmpint (txt->invalid, ==, bit);
              g_assert_nonnull (problem_for (txt, key));
              g_assert_true (is_rejected (key, value));
              checked_rejections++;
            }
          else
            {
              /* an unknown key: kept as it came, and nothing else */
              g_assert_cmpstr (what, ==, "unknown key ignored");
              g_assert_cmpint (bit, ==, 0);
              g_assert_cmpint (txt->present | txt->invalid, ==, 0);
              g_assert_cmpuint (txt->other->len, ==, 1);
              g_assert_cmpstr (((ThDnssdTxtEntry *) txt->other->pdata[0])->key, ==, key);
            }
          continue;
        }

      g_assert_cmpint (bit, !=, 0);
      /* Connectedhomeip reads PH into 16 bits; the Pairing Hint table defines bits 16 to 19
       * (hints for the setup button), so Threshold keeps them. */
      if (bit == TH_DNSSD_TXT_PH && g_str_equal (value, "65536"))
        {
          g_test_message ("PH=65536 is bit 16, kept: the vector follows a 16-bit reader");
          g_assert_cmpint (txt->present, ==, TH_DNSSD_TXT_PH);
          g_assert_cmpuint (txt->pairing_hint, ==, 1u << 16);
          continue;
        }

      {
        JsonObjectIter iter;
        const char *field;
        JsonNode *expected;

        json_object_iter_init (&iter, json_node_get_object (expect));
        while (json_object_iter_next (&iter, &field, &expected))
          assert_field (txt, field, expected);
      }

      if (is_rejected (key, value))
        {
          const ThDnssdTxtProblem *problem = problem_for (txt, key);

          g_assert_cmpint (txt->invalid, ==, bit);
          if (problem == NULL || strstr (problem->message, entry) == NULL)
            g_error ("%s is not reported with its entry", entry);
          g_assert_cmpuint (txt->problems->len, ==, 1);
          checked_rejections++;
        }
      else
        {
          g_assert_cmpint (txt->present, ==, bit);
          g_assert_cmpint (txt->invalid, ==, 0);
          g_assert_cmpuint (txt->problems->len, ==, 0);
        }
    }
  /* every entry of the table was met in the vectors */
  g_assert_cmpuint (checked_rejections, ==, G_N_ELEMENTS (rejected));
}

/* Every TXT record of the vectors' advertisements and packets: all read, none rejected. */
static void
check_clean_record (JsonArray *strings)
{
  g_autoptr(ThDnssdTxt) txt = parse_json_strings (strings);

  g_assert_cmpuint (txt->problems->len, ==, 0);
  g_assert_cmpint (txt->invalid, ==, 0);
  g_assert_cmpuint (txt->other->len, ==, 0);
  for (guint i = 0; i < json_array_get_length (strings); i++)
    {
      const char *entry = json_array_get_string_element (strings, i);
      g_autofree char *key = g_strndup (entry, strcspn (entry, "="));

      g_assert_true (txt->present & key_bit (key));
    }
}

static void
test_example_records (void)
{
  JsonObject *root = dnssd_vectors ();
  JsonObject *commissionable = json_object_get_object_member (root,
                                                              "commissionableAdvertisementExample");
  JsonArray *packets = json_object_get_array_member (root, "rawDnsPackets");
  g_autoptr(ThDnssdTxt) txt = NULL;
  guint records = 0;

  txt = parse_json_strings (json_object_get_array_member (commissionable, "txt"));
  /* VID 1, PID 0x8000, device type 1, discriminator 1234, CM 1, PH 33 */
  g_assert_true (txt->has_vendor_id && txt->has_product_id);
  g_assert_cmpuint (txt->vendor_id, ==, 1);
  g_assert_cmpuint (txt->product_id, ==, 0x8000);
  g_assert_cmpuint (txt->device_type, ==, 1);
  g_assert_cmpstr (txt->device_name, ==, "Test Device");
  g_assert_cmpuint (txt->session_idle_interval_ms, ==, 500);
  g_assert_cmpuint (txt->session_active_interval_ms, ==, 300);
  g_assert_cmpuint (txt->session_active_threshold_ms, ==, 4000);
  g_assert_cmpuint (txt->discriminator, ==, 1234);
  g_assert_cmpint (txt->commissioning_mode, ==, TH_COMMISSIONING_MODE_BASIC);
  g_assert_cmpuint (txt->pairing_hint, ==, 33);

  check_clean_record (json_object_get_array_member (commissionable, "txt"));
  records++;
  check_clean_record (json_object_get_array_member (
    json_object_get_object_member (root, "commissionerAdvertisementExample"), "txt"));
  records++;
  check_clean_record (json_object_get_array_member (
    json_object_get_object_member (root, "operationalAdvertisementExample"), "txt"));
  records++;

  for (guint i = 0; i < json_array_get_length (packets); i++)
    {
      JsonObject *decoded = json_object_get_object_member (
        json_array_get_object_element (packets, i), "decoded");
      const char *sections[] = { "additional", "authorities" };

      for (gsize j = 0; j < G_N_ELEMENTS (sections); j++)
        {
          JsonNode *section = json_object_get_member (decoded, sections[j]);

          if (section == NULL || !JSON_NODE_HOLDS_OBJECT (section) ||
              !json_object_has_member (json_node_get_object (section), "TXT"))
            continue;
          check_clean_record (json_object_get_array_member (json_node_get_object (section),
                                                            "TXT"));
          records++;
        }
    }
  /* three advertisements, the operational response and the Eve Energy reply */
  g_assert_cmpuint (records, ==, 5);
}

/* The Eve Energy reply: a 32-byte rotating id, an empty pairing instruction, T=0. */
static void
test_eve_energy (void)
{
  const char *entries[] = {
    "VP=4874+83", "DT=266", "DN=Eve Energy", "SII=800", "SAI=800", "T=0", "D=2391", "CM=2",
    "RI=0900669ED4F3C8043FCD77A39EEBD96F672A", "PH=36", "PI=", NULL
  };
  g_autoptr(ThDnssdTxt) txt = parse_strings (entries);
  g_autofree char *ri = NULL;

  g_assert_cmpuint (txt->problems->len, ==, 0);
  g_assert_cmpuint (txt->vendor_id, ==, 4874);
  g_assert_cmpuint (txt->product_id, ==, 83);
  g_assert_cmpint (txt->commissioning_mode, ==, TH_COMMISSIONING_MODE_ENHANCED);
  g_assert_cmpuint (txt->discriminator, ==, 2391);
  g_assert_cmpuint (txt->tcp, ==, 0);
  g_assert_true (txt->present & TH_DNSSD_TXT_PI);
  g_assert_cmpstr (txt->pairing_instruction, ==, "");
  ri = th_test_bytes_to_hex (g_bytes_get_data (txt->rotating_id, NULL),
                             g_bytes_get_size (txt->rotating_id));
  g_assert_cmpstr (ri, ==, "0900669ed4f3c8043fcd77a39eebd96f672a");
}

/* Values the vectors do not have, each rejected on its own key while the others stand. */
static void
test_bad_values (void)
{
  static const struct
  {
    const char *entry;
    const char *key;
    const char *mentions;
  } cases[] = {
    { "D=4096", "D", "0 to 4095" },
    { "D=", "D", "discriminator" },
    { "D", "D", "no value" },
    { "D=+12", "D", "discriminator" },
    { "D= 12", "D", "discriminator" },
    { "D=012", "D", "leading zeros" },
    { "d=99999999999", "d", "discriminator" },
    { "VP=", "VP", "vendor ID" },
    { "VP=1+2+3", "VP", "product ID" },
    { "VP=0xFFF1", "VP", "vendor ID" },
    { "CM=4", "CM", "0, 1, 2 or 3" },
    { "CM=01", "CM", "commissioning mode" },
    { "DT=-1", "DT", "device type" },
    { "DN=123456789012345678901234567890123", "DN", "32 bytes" },
    { "DN=Kitchen\nLight", "DN", "control characters" },
    { "DN=\xC3\x28", "DN", "UTF-8" },
    { "RI=", "RI", "hexadecimal" },
    { "RI=000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F20212223242526272829"
      "2A2B2C2D2E2F303132", "RI", "at most 100" },
    { "PH=4294967296", "PH", "pairing hint" },
    { "PH=0x21", "PH", "pairing hint" },
    { "PI=\x01", "PI", "pairing instruction" },
    { "SII=0", "SII", "1 to 3600000" },
    { "SAI=", "SAI", "interval" },
    { "SAT=0", "SAT", "1 to 65535" },
    { "T=256", "T", "0 to 255" },
    { "ICD=2", "ICD", "0 or 1" },
    { "ICD=", "ICD", "0 or 1" },
    { "CP=2", "CP", "0 or 1" },
    { "CP=true", "CP", "0 or 1" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      /* the case first: a later entry of the same key does not count */
      const char *entries[] = { cases[i].entry, "CM=1", "VP=65521+32768", NULL };
      g_autoptr(ThDnssdTxt) txt = NULL;
      const ThDnssdTxtProblem *problem;
      ThDnssdTxtKeys bit = key_bit (cases[i].key);

      g_test_message ("%s", cases[i].entry);
      txt = parse_strings (entries);
      problem = problem_for (txt, cases[i].key);
      g_assert_cmpuint (txt->problems->len, ==, 1);
      if (problem == NULL || strstr (problem->message, cases[i].mentions) == NULL)
        g_error ("%s: “%s” does not mention “%s”", cases[i].entry,
                 problem != NULL ? problem->message : "(no problem)", cases[i].mentions);
      g_assert_cmpint (txt->invalid, ==, bit);
      g_assert_false (txt->present & bit);

      /* the other entries stand (but a bad CM is the CM) */
      if (bit != TH_DNSSD_TXT_CM)
        {
          g_assert_true (txt->present & TH_DNSSD_TXT_CM);
          g_assert_cmpint (txt->commissioning_mode, ==, TH_COMMISSIONING_MODE_BASIC);
        }
      if (bit != TH_DNSSD_TXT_VP)
        {
          g_assert_true (txt->present & TH_DNSSD_TXT_VP);
          g_assert_cmpuint (txt->vendor_id, ==, 0xFFF1);
          g_assert_cmpuint (txt->product_id, ==, 0x8000);
        }
    }
}

/* The limits themselves are accepted. */
static void
test_limits (void)
{
  const char *entries[] = {
    "D=4095", "VP=65535+65535", "CM=3", "DT=4294967295",
    "DN=12345678901234567890123456789012", "PH=4294967295",
    "RI=000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A"
    "2B2C2D2E2F3031", "SII=3600000", "SAI=1", "SAT=65535", "T=255", "ICD=0", "CP=0",
    NULL
  };
  g_autofree char *pi = g_strnfill (TH_DNSSD_PAIRING_INSTRUCTION_MAX, 'x');
  g_autofree char *pi_entry = g_strdup_printf ("PI=%s", pi);
  g_autofree char *long_pi_entry = g_strdup_printf ("PI=%sx", pi);
  g_autoptr(ThDnssdTxt) txt = parse_strings (entries);
  g_autoptr(ThDnssdTxt) with_pi = parse_one (pi_entry);
  g_autoptr(ThDnssdTxt) with_long_pi = parse_one (long_pi_entry);
  g_autoptr(ThDnssdTxt) utf8_name = parse_one ("DN=Küche Süd ☀");

  g_assert_cmpuint (txt->problems->len, ==, 0);
  g_assert_cmpint (txt->present, ==,
                   TH_DNSSD_TXT_D | TH_DNSSD_TXT_VP | TH_DNSSD_TXT_CM | TH_DNSSD_TXT_DT |
                   TH_DNSSD_TXT_DN | TH_DNSSD_TXT_PH | TH_DNSSD_TXT_RI | TH_DNSSD_TXT_SII |
                   TH_DNSSD_TXT_SAI | TH_DNSSD_TXT_SAT | TH_DNSSD_TXT_T | TH_DNSSD_TXT_ICD |
                   TH_DNSSD_TXT_CP);
  g_assert_cmpuint (txt->discriminator, ==, 4095);
  g_assert_cmpint (txt->commissioning_mode, ==, TH_COMMISSIONING_MODE_JOINT_FABRIC);
  g_assert_cmpuint (txt->device_type, ==, G_MAXUINT32);
  g_assert_cmpuint (txt->pairing_hint, ==, G_MAXUINT32);
  g_assert_cmpuint (g_bytes_get_size (txt->rotating_id), ==, TH_DNSSD_ROTATING_ID_MAX);
  /* reserved bits of T are dropped */
  g_assert_cmpuint (txt->tcp, ==, TH_DNSSD_TCP_CLIENT | TH_DNSSD_TCP_SERVER);
  g_assert_false (txt->icd_long_idle);
  g_assert_false (txt->commissioner_passcode);

  g_assert_cmpstr (with_pi->pairing_instruction, ==, pi);
  g_assert_cmpint (with_long_pi->invalid, ==, TH_DNSSD_TXT_PI);
  g_assert_cmpstr (utf8_name->device_name, ==, "Küche Süd ☀");
}

static void
test_record_rules (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThDnssdTxt) txt = NULL;
  const ThDnssdTxtEntry *entry;
  const guint8 empty_record[] = { 0 };
  const guint8 cut_short[] = { 4, 'D', '=', '1', '2', 5, 'C', 'M', '=' };
  const guint8 binary_value[] = { 5, 'x', '=', 0x00, 0xFF, 'z' };

  {
    /* keys in any case; the first entry of a key counts, even a bad one */
    const char *entries[] = { "d=12", "Vp=1+2", "D=13", "cM=x", "CM=1", NULL };

    txt = parse_strings (entries);
    g_assert_cmpuint (txt->discriminator, ==, 12);
    g_assert_cmpuint (txt->vendor_id, ==, 1);
    g_assert_cmpint (txt->present, ==, TH_DNSSD_TXT_D | TH_DNSSD_TXT_VP);
    g_assert_cmpint (txt->invalid, ==, TH_DNSSD_TXT_CM);
    g_assert_cmpuint (txt->problems->len, ==, 1);
    g_assert_cmpstr (((ThDnssdTxtProblem *) txt->problems->pdata[0])->key, ==, "cM");
    g_clear_pointer (&txt, th_dnssd_txt_unref);
  }
  {
    /* unknown keys kept in order, with or without a value; no key, no entry */
    const char *entries[] = { "XX=1", "flag", "=orphan", "", "MPI=", "xx=2", NULL };

    txt = parse_strings (entries);
    g_assert_cmpint (txt->present | txt->invalid, ==, 0);
    g_assert_cmpuint (txt->problems->len, ==, 0);
    g_assert_cmpuint (txt->other->len, ==, 3);
    entry = txt->other->pdata[0];
    g_assert_cmpstr (entry->key, ==, "XX");
    g_assert_cmpmem (g_bytes_get_data (entry->value, NULL), g_bytes_get_size (entry->value),
                     "1", 1);
    entry = txt->other->pdata[1];
    g_assert_cmpstr (entry->key, ==, "flag");
    g_assert_null (entry->value);
    entry = txt->other->pdata[2];
    g_assert_cmpstr (entry->key, ==, "MPI");
    g_assert_cmpuint (g_bytes_get_size (entry->value), ==, 0);
    g_clear_pointer (&txt, th_dnssd_txt_unref);
  }
  {
    /* a key must be printable ASCII; the entry is reported with the byte escaped */
    const char *entries[] = { "D\x01=1", "CM=1", NULL };

    txt = parse_strings (entries);
    g_assert_cmpint (txt->present, ==, TH_DNSSD_TXT_CM);
    g_assert_cmpuint (txt->problems->len, ==, 1);
    g_assert_cmpstr (((ThDnssdTxtProblem *) txt->problems->pdata[0])->key, ==, "D\\x01");
    g_clear_pointer (&txt, th_dnssd_txt_unref);
  }

  /* a value that is not text is kept as bytes */
  txt = th_dnssd_txt_parse (binary_value, sizeof binary_value, &error);
  g_assert_no_error (error);
  entry = txt->other->pdata[0];
  g_assert_cmpmem (g_bytes_get_data (entry->value, NULL), g_bytes_get_size (entry->value),
                   "\x00\xFFz", 3);
  g_clear_pointer (&txt, th_dnssd_txt_unref);

  /* an empty record: one empty string, or nothing at all */
  txt = th_dnssd_txt_parse (empty_record, sizeof empty_record, &error);
  g_assert_no_error (error);
  g_assert_cmpint (txt->present | txt->invalid, ==, 0);
  g_assert_cmpuint (txt->other->len + txt->problems->len, ==, 0);
  g_clear_pointer (&txt, th_dnssd_txt_unref);
  txt = th_dnssd_txt_parse (NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (txt->present, ==, 0);
  g_clear_pointer (&txt, th_dnssd_txt_unref);

  /* a string longer than what is left: the record is broken, and the message says where */
  txt = th_dnssd_txt_parse (cut_short, sizeof cut_short, &error);
  g_assert_null (txt);
  g_assert_error (error, TH_ERROR, TH_ERROR_DNSSD_TXT);
  g_assert_nonnull (strstr (error->message, "byte 5"));
}

static void
test_equal_and_ref (void)
{
  const char *a_entries[] = { "D=1", "CM=1", NULL };
  const char *b_entries[] = { "CM=1", "D=1", NULL };
  g_autoptr(ThDnssdTxt) a = parse_strings (a_entries);
  g_autoptr(ThDnssdTxt) a_again = parse_strings (a_entries);
  g_autoptr(ThDnssdTxt) b = parse_strings (b_entries);
  ThDnssdTxt *ref;

  g_assert_true (th_dnssd_txt_equal (a, a_again));
  /* same fields, other bytes: a record that changed */
  g_assert_false (th_dnssd_txt_equal (a, b));
  g_assert_false (th_dnssd_txt_equal (a, NULL));
  g_assert_true (th_dnssd_txt_equal (NULL, NULL));

  ref = th_dnssd_txt_ref (a);
  g_assert_true (ref == a);
  th_dnssd_txt_unref (ref);
  g_assert_true (G_TYPE_IS_BOXED (TH_TYPE_DNSSD_TXT));
}

/* The names a commissioner browses and resolves, against the advertisements in the vectors. */
static void
test_names (void)
{
  JsonObject *root = dnssd_vectors ();
  JsonObject *example = json_object_get_object_member (root,
                                                       "commissionableAdvertisementExample");
  JsonArray *ptr_records = json_object_get_array_member (example, "ptrRecords");
  JsonObject *operational = json_object_get_object_member (root,
                                                           "operationalAdvertisementExample");
  JsonObject *packet = json_object_get_object_member (
    json_array_get_object_element (json_object_get_array_member (root, "rawDnsPackets"), 0),
    "decoded");
  JsonObject *srv = json_object_get_object_member (
    json_object_get_object_member (packet, "additional"), "SRV");
  /* VID 1, device type 1, discriminator 1234 (short 4), in commissioning mode */
  char *subtypes[] = {
    th_dnssd_subtype_name (TH_DNSSD_SUBTYPE_VENDOR, 1),
    th_dnssd_subtype_name (TH_DNSSD_SUBTYPE_DEVICE_TYPE, 1),
    th_dnssd_subtype_name (TH_DNSSD_SUBTYPE_SHORT_DISCRIMINATOR, 1234 >> 8),
    th_dnssd_subtype_name (TH_DNSSD_SUBTYPE_LONG_DISCRIMINATOR, 1234),
    th_dnssd_subtype_name (TH_DNSSD_SUBTYPE_COMMISSIONING_MODE, 0),
  };
  g_autofree char *name = NULL;
  g_autofree char *subtype = NULL;
  g_autofree char *full = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (subtypes); i++)
    {
      g_autofree char *record = g_strdup_printf ("%s._sub.%s.local", subtypes[i],
                                                 th_dnssd_service_kind_get_service_type (
                                                   TH_DNSSD_SERVICE_COMMISSIONABLE));
      gboolean found = FALSE;

      for (guint j = 0; j < json_array_get_length (ptr_records) && !found; j++)
        found = g_str_equal (json_array_get_string_element (ptr_records, j), record);
      if (!found)
        g_error ("%s is not among the advertised PTR records", record);
      g_free (subtypes[i]);
    }

  name = th_dnssd_operational_instance_name (0x18, 1);
  full = g_strdup_printf ("%s.%s.local", name,
                          th_dnssd_service_kind_get_service_type (TH_DNSSD_SERVICE_OPERATIONAL));
  g_assert_cmpstr (full, ==, json_object_get_string_member (operational, "instanceName"));
  g_clear_pointer (&name, g_free);
  g_clear_pointer (&full, g_free);

  /* the operational response: instance and compressed fabric subtype */
  name = th_dnssd_operational_instance_name (G_GUINT64_CONSTANT (0xD559AF361549A9A2), 9);
  full = g_strdup_printf ("%s._matter._tcp.local", name);
  g_assert_cmpstr (full, ==, json_object_get_string_member (srv, "name"));
  subtype = th_dnssd_subtype_name (TH_DNSSD_SUBTYPE_COMPRESSED_FABRIC,
                                   G_GUINT64_CONSTANT (0xD559AF361549A9A2));
  g_assert_cmpstr (subtype, ==, "_ID559AF361549A9A2");

  g_assert_cmpstr (th_dnssd_service_kind_get_service_type (TH_DNSSD_SERVICE_COMMISSIONER), ==,
                   "_matterd._udp");
  g_assert_cmpstr (th_dnssd_service_kind_to_string (TH_DNSSD_SERVICE_OPERATIONAL), ==,
                   "operational");
}

static void
test_describe (void)
{
  g_auto(GStrv) power_and_manual = th_dnssd_describe_pairing_hint (33, NULL);
  g_auto(GStrv) seconds = th_dnssd_describe_pairing_hint (1u << 8, "5");
  g_auto(GStrv) no_count = th_dnssd_describe_pairing_hint (1u << 8, NULL);
  g_auto(GStrv) word_count = th_dnssd_describe_pairing_hint (1u << 19, "three");
  g_auto(GStrv) blinks = th_dnssd_describe_pairing_hint (1u << 16, "blue");
  g_auto(GStrv) unknown = th_dnssd_describe_pairing_hint (1u << 25 | 1u << 6, NULL);
  g_auto(GStrv) none = th_dnssd_describe_pairing_hint (0, "ignored");

  g_assert_cmpuint (g_strv_length (power_and_manual), ==, 2);
  g_assert_cmpstr (power_and_manual[0], ==, "Turn the device off and on again");
  g_assert_cmpstr (power_and_manual[1], ==, "See the device’s manual");
  g_assert_cmpstr (seconds[0], ==, "Press the reset button for 5 seconds");
  g_assert_cmpstr (no_count[0], ==, "Press the reset button for some seconds");
  g_assert_cmpstr (word_count[0], ==, "Press the setup button several times: “three”");
  g_assert_cmpstr (blinks[0], ==, "Press the setup button until the light blinks: “blue”");
  g_assert_cmpuint (g_strv_length (unknown), ==, 2);
  g_assert_cmpstr (unknown[0], ==, "Press the reset button");
  g_assert_cmpstr (unknown[1], ==, "Pairing hint 25, unknown to this version");
  g_assert_cmpuint (g_strv_length (none), ==, 0);

  g_assert_cmpstr (th_commissioning_mode_to_string (TH_COMMISSIONING_MODE_CLOSED), ==, "closed");
  g_assert_cmpstr (th_commissioning_mode_to_string (TH_COMMISSIONING_MODE_JOINT_FABRIC), ==,
                   "joint-fabric");
  g_assert_nonnull (strstr (th_dnssd_describe_commissioning_mode (TH_COMMISSIONING_MODE_BASIC),
                            "setup code on its label"));
}

/* Without a system bus there is no Avahi: every way in says so at once, and nothing
 * crashes. */
static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_without_avahi (void)
{
  g_autoptr(ThDnssdBrowser) browser = th_dnssd_browser_new (TH_DNSSD_SERVICE_COMMISSIONABLE,
                                                            "_L3840");
  g_autoptr(ThDnssdResolver) resolver = th_dnssd_resolver_new (TH_DNSSD_SERVICE_OPERATIONAL,
                                                               "0000000000000018-0000000000000001");
  g_autoptr(GAsyncResult) found = NULL;
  g_autoptr(GAsyncResult) resolved = NULL;
  g_autoptr(GAsyncResult) operational = NULL;
  g_autoptr(ThDiscoveredDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  const char *message = "The Avahi service is not running, so devices on the network cannot be "
                        "found; Bluetooth and entering an address still work";

  g_assert_cmpint (th_dnssd_browser_get_state (browser), ==, TH_DNSSD_STATE_STOPPED);
  g_assert_false (th_dnssd_browser_start (browser, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_DNSSD_UNAVAILABLE);
  g_assert_cmpstr (error->message, ==, message);
  g_assert_cmpint (th_dnssd_browser_get_state (browser), ==, TH_DNSSD_STATE_UNAVAILABLE);
  g_assert_cmpstr (th_dnssd_browser_get_error (browser)->message, ==, message);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (browser)), ==, 0);
  g_assert_false (th_dnssd_browser_get_settled (browser));
  g_clear_error (&error);
  /* starting again says the same */
  g_assert_false (th_dnssd_browser_start (browser, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_DNSSD_UNAVAILABLE);
  g_clear_error (&error);
  th_dnssd_browser_stop (browser);
  g_assert_cmpint (th_dnssd_browser_get_state (browser), ==, TH_DNSSD_STATE_STOPPED);
  g_assert_null (th_dnssd_browser_get_error (browser));

  th_dnssd_find_commissionable_async (3840, FALSE, 10000, NULL, on_done, &found);
  wait_for (&found);
  device = th_dnssd_find_commissionable_finish (found, &error);
  g_assert_null (device);
  g_assert_error (error, TH_ERROR, TH_ERROR_DNSSD_UNAVAILABLE);
  g_clear_error (&error);

  th_dnssd_resolver_resolve_async (resolver, 10000, NULL, on_done, &resolved);
  wait_for (&resolved);
  device = th_dnssd_resolver_resolve_finish (resolver, resolved, &error);
  g_assert_null (device);
  g_assert_error (error, TH_ERROR, TH_ERROR_DNSSD_UNAVAILABLE);
  g_clear_error (&error);

  th_dnssd_resolve_operational_async (0x18, 1, 10000, NULL, on_done, &operational);
  wait_for (&operational);
  device = th_dnssd_resolve_operational_finish (operational, &error);
  g_assert_null (device);
  g_assert_error (error, TH_ERROR, TH_ERROR_DNSSD_UNAVAILABLE);

  g_clear_object (&browser);
  /* the connection frees its Avahi client on the next turn of the main loop */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

int
main (int    argc,
      char **argv)
{
  /* a bus that is not there, so that no test reaches the host's Avahi */
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/threshold-test-bus", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dnssd/txt/vectors", test_vectors);
  g_test_add_func ("/dnssd/txt/example-records", test_example_records);
  g_test_add_func ("/dnssd/txt/eve-energy", test_eve_energy);
  g_test_add_func ("/dnssd/txt/bad-values", test_bad_values);
  g_test_add_func ("/dnssd/txt/limits", test_limits);
  g_test_add_func ("/dnssd/txt/record-rules", test_record_rules);
  g_test_add_func ("/dnssd/txt/equal-and-ref", test_equal_and_ref);
  g_test_add_func ("/dnssd/names", test_names);
  g_test_add_func ("/dnssd/describe", test_describe);
  g_test_add_func ("/dnssd/without-avahi", test_without_avahi);

  return g_test_run ();
}
