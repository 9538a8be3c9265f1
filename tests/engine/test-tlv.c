/* test-tlv.c: the Matter TLV reader and writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "th-error.h"
#include "th-test-utils.h"
#include "tlv/th-tlv.h"

/* A decoded element, so that the tests can compare, print and re-encode what they read. */
typedef struct _Node Node;
struct _Node
{
  ThTlvTag tag;
  ThTlvType type;
  gboolean single;            /* a float encoded in 4 bytes */
  guint64 u;
  gint64 i;
  gboolean b;
  double d;
  GBytes *data;               /* strings */
  GPtrArray *members;         /* containers */
};

static void
node_free (Node *node)
{
  g_clear_pointer (&node->data, g_bytes_unref);
  g_clear_pointer (&node->members, g_ptr_array_unref);
  g_free (node);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Node, node_free)

static Node *
node_new (ThTlvTag  tag,
          ThTlvType type)
{
  Node *node = g_new0 (Node, 1);

  node->tag = tag;
  node->type = type;
  if (type == TH_TLV_TYPE_STRUCTURE || type == TH_TLV_TYPE_ARRAY || type == TH_TLV_TYPE_LIST)
    node->members = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  return node;
}

/* Reads the element the reader is on, containers included. */
static Node *
decode_node (ThTlvReader *reader,
             GError     **error)
{
  g_autoptr(Node) node = node_new (th_tlv_reader_get_tag (reader),
                                   th_tlv_reader_get_type (reader));
  const guint8 *element;
  gsize element_len;
  const guint8 *bytes;
  const char *str;
  gsize len;
  gboolean ok = TRUE;

  switch (node->type)
    {
    case TH_TLV_TYPE_SIGNED_INT:
      ok = th_tlv_reader_get_int (reader, &node->i, error);
      break;
    case TH_TLV_TYPE_UNSIGNED_INT:
      ok = th_tlv_reader_get_uint (reader, &node->u, error);
      break;
    case TH_TLV_TYPE_BOOLEAN:
      ok = th_tlv_reader_get_bool (reader, &node->b, error);
      break;
    case TH_TLV_TYPE_FLOAT:
      ok = th_tlv_reader_get_double (reader, &node->d, error)
           && th_tlv_reader_get_element (reader, &element, &element_len, error);
      if (ok)
        node->single = (element[0] & 0x1F) == 0x0A;
      break;
    case TH_TLV_TYPE_UTF8_STRING:
      ok = th_tlv_reader_get_string (reader, &str, &len, error);
      if (ok)
        node->data = g_bytes_new (str, len);
      break;
    case TH_TLV_TYPE_BYTE_STRING:
      ok = th_tlv_reader_get_bytes (reader, &bytes, &len, error);
      if (ok)
        node->data = g_bytes_new (bytes, len);
      break;
    case TH_TLV_TYPE_NULL:
      break;
    case TH_TLV_TYPE_STRUCTURE:
    case TH_TLV_TYPE_ARRAY:
    case TH_TLV_TYPE_LIST:
      if (!th_tlv_reader_enter (reader, error))
        return NULL;
      while (th_tlv_reader_next (reader, error))
        {
          Node *member = decode_node (reader, error);

          if (member == NULL)
            return NULL;
          g_ptr_array_add (node->members, member);
        }
      ok = (error == NULL || *error == NULL) && th_tlv_reader_exit (reader, error);
      break;
    case TH_TLV_TYPE_NONE:
    default:
      g_assert_not_reached ();
    }
  return ok ? g_steal_pointer (&node) : NULL;
}

/* Decodes a whole input: the top level may hold several elements. */
static GPtrArray *
decode_all (const guint8 *data,
            gsize         len,
            GError      **error)
{
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  ThTlvReader reader;

  th_tlv_reader_init (&reader, data, len);
  while (th_tlv_reader_next (&reader, error))
    {
      Node *node = decode_node (&reader, error);

      if (node == NULL)
        return NULL;
      g_ptr_array_add (nodes, node);
    }
  if (error != NULL && *error != NULL)
    return NULL;
  return g_steal_pointer (&nodes);
}

static void
encode_node (ThTlvWriter *writer,
             const Node  *node)
{
  gsize len;
  const char *data;

  switch (node->type)
    {
    case TH_TLV_TYPE_SIGNED_INT:
      th_tlv_writer_put_int (writer, node->tag, node->i);
      break;
    case TH_TLV_TYPE_UNSIGNED_INT:
      th_tlv_writer_put_uint (writer, node->tag, node->u);
      break;
    case TH_TLV_TYPE_BOOLEAN:
      th_tlv_writer_put_bool (writer, node->tag, node->b);
      break;
    case TH_TLV_TYPE_FLOAT:
      if (node->single)
        th_tlv_writer_put_float (writer, node->tag, (float) node->d);
      else
        th_tlv_writer_put_double (writer, node->tag, node->d);
      break;
    case TH_TLV_TYPE_UTF8_STRING:
      data = g_bytes_get_data (node->data, &len);
      th_tlv_writer_put_string (writer, node->tag, data, (gssize) len);
      break;
    case TH_TLV_TYPE_BYTE_STRING:
      data = g_bytes_get_data (node->data, &len);
      th_tlv_writer_put_bytes (writer, node->tag, (const guint8 *) data, len);
      break;
    case TH_TLV_TYPE_NULL:
      th_tlv_writer_put_null (writer, node->tag);
      break;
    case TH_TLV_TYPE_STRUCTURE:
    case TH_TLV_TYPE_ARRAY:
    case TH_TLV_TYPE_LIST:
      if (node->type == TH_TLV_TYPE_STRUCTURE)
        th_tlv_writer_start_structure (writer, node->tag);
      else if (node->type == TH_TLV_TYPE_ARRAY)
        th_tlv_writer_start_array (writer, node->tag);
      else
        th_tlv_writer_start_list (writer, node->tag);
      for (guint k = 0; k < node->members->len; k++)
        encode_node (writer, g_ptr_array_index (node->members, k));
      th_tlv_writer_end_container (writer);
      break;
    case TH_TLV_TYPE_NONE:
    default:
      g_assert_not_reached ();
    }
}

static GBytes *
encode_all (GPtrArray *nodes)
{
  g_auto(ThTlvWriter) writer = { 0 };

  th_tlv_writer_init (&writer);
  for (guint k = 0; k < nodes->len; k++)
    encode_node (&writer, g_ptr_array_index (nodes, k));
  return th_tlv_writer_finish (&writer);
}

static gboolean
node_equal (const Node *a,
            const Node *b)
{
  if (a->type != b->type || !th_tlv_tag_equal (a->tag, b->tag))
    return FALSE;
  switch (a->type)
    {
    case TH_TLV_TYPE_SIGNED_INT:
      return a->i == b->i;
    case TH_TLV_TYPE_UNSIGNED_INT:
      return a->u == b->u;
    case TH_TLV_TYPE_BOOLEAN:
      return a->b == b->b;
    case TH_TLV_TYPE_FLOAT:
      /* bit for bit, so that -0.0 and 0.0 differ */
      return a->single == b->single && memcmp (&a->d, &b->d, sizeof a->d) == 0;
    case TH_TLV_TYPE_UTF8_STRING:
    case TH_TLV_TYPE_BYTE_STRING:
      return g_bytes_equal (a->data, b->data);
    case TH_TLV_TYPE_NULL:
      return TRUE;
    case TH_TLV_TYPE_STRUCTURE:
    case TH_TLV_TYPE_ARRAY:
    case TH_TLV_TYPE_LIST:
      if (a->members->len != b->members->len)
        return FALSE;
      for (guint k = 0; k < a->members->len; k++)
        if (!node_equal (g_ptr_array_index (a->members, k), g_ptr_array_index (b->members, k)))
          return FALSE;
      return TRUE;
    case TH_TLV_TYPE_NONE:
    default:
      g_assert_not_reached ();
    }
}

static void
assert_trees_equal (GPtrArray *a,
                    GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint k = 0; k < a->len; k++)
    g_assert_true (node_equal (g_ptr_array_index (a, k), g_ptr_array_index (b, k)));
}

/* The shortest decimal form that reads back as the same value, as the vectors print it. */
static void
append_float (GString *out,
              double   value,
              gboolean single)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isinf (value))
    {
      g_string_append (out, value > 0 ? "+inf" : "-inf");
      return;
    }
  for (int precision = 1; precision <= 17; precision++)
    {
      g_snprintf (buf, sizeof buf, "%.*g", precision, value);
      if (single ? strtof (buf, NULL) == (float) value : g_ascii_strtod (buf, NULL) == value)
        break;
    }
  g_string_append (out, buf);
  if (strpbrk (buf, ".e") == NULL)
    g_string_append (out, ".0");
}

/* The value notation of the specification's examples table. */
static void
render_node (GString    *out,
             const Node *node)
{
  const guint8 *data;
  gsize len;

  switch (node->tag.kind)
    {
    case TH_TLV_TAG_ANONYMOUS:
      break;
    case TH_TLV_TAG_CONTEXT:
      g_string_append_printf (out, "%u = ", node->tag.number);
      break;
    case TH_TLV_TAG_COMMON_PROFILE:
      g_string_append_printf (out, "Matter::%u = ", node->tag.number);
      break;
    case TH_TLV_TAG_IMPLICIT_PROFILE:
      g_string_append_printf (out, "Implicit::%u = ", node->tag.number);
      break;
    case TH_TLV_TAG_FULLY_QUALIFIED:
      g_string_append_printf (out, "%u::%u:%u = ", node->tag.vendor_id,
                              node->tag.profile_number, node->tag.number);
      break;
    default:
      g_assert_not_reached ();
    }

  switch (node->type)
    {
    case TH_TLV_TYPE_SIGNED_INT:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, node->i);
      break;
    case TH_TLV_TYPE_UNSIGNED_INT:
      g_string_append_printf (out, "%" G_GUINT64_FORMAT "U", node->u);
      break;
    case TH_TLV_TYPE_BOOLEAN:
      g_string_append (out, node->b ? "true" : "false");
      break;
    case TH_TLV_TYPE_FLOAT:
      append_float (out, node->d, node->single);
      break;
    case TH_TLV_TYPE_UTF8_STRING:
      data = g_bytes_get_data (node->data, &len);
      g_string_append_c (out, '"');
      g_string_append_len (out, (const char *) data, (gssize) len);
      g_string_append_c (out, '"');
      break;
    case TH_TLV_TYPE_BYTE_STRING:
      {
        g_autofree char *digits = NULL;

        data = g_bytes_get_data (node->data, &len);
        digits = th_test_bytes_to_hex (data, len);
        g_string_append_printf (out, "hex:%s", digits);
      }
      break;
    case TH_TLV_TYPE_NULL:
      g_string_append (out, "null");
      break;
    case TH_TLV_TYPE_STRUCTURE:
    case TH_TLV_TYPE_ARRAY:
    case TH_TLV_TYPE_LIST:
      g_string_append (out, node->type == TH_TLV_TYPE_STRUCTURE ? "{"
                            : node->type == TH_TLV_TYPE_ARRAY ? "[" : "[[");
      for (guint k = 0; k < node->members->len; k++)
        {
          if (k > 0)
            g_string_append (out, ", ");
          render_node (out, g_ptr_array_index (node->members, k));
        }
      g_string_append (out, node->type == TH_TLV_TYPE_STRUCTURE ? "}"
                            : node->type == TH_TLV_TYPE_ARRAY ? "]" : "]]");
      break;
    case TH_TLV_TYPE_NONE:
    default:
      g_assert_not_reached ();
    }
}

static char *
render_all (GPtrArray *nodes)
{
  GString *out = g_string_new (NULL);

  for (guint k = 0; k < nodes->len; k++)
    {
      if (k > 0)
        g_string_append (out, ", ");
      render_node (out, g_ptr_array_index (nodes, k));
    }
  return g_string_free (out, FALSE);
}

/* The encoded size of a node in the shortest forms, worked out independently of the writer. */
static gsize
shortest_size (guint64 magnitude_bytes_needed)
{
  gsize size = 1;

  while (size < magnitude_bytes_needed)
    size *= 2;
  return size;
}

static gsize
bytes_for_uint (guint64 value)
{
  gsize n = 1;

  while (n < 8 && value >> (8 * n) != 0)
    n++;
  return shortest_size (n);
}

static gsize
bytes_for_int (gint64 value)
{
  for (gsize n = 1; n < 8; n *= 2)
    {
      gint64 limit = (gint64) 1 << (8 * n - 1);

      if (value >= -limit && value < limit)
        return n;
    }
  return 8;
}

static gsize
expected_size (const Node *node)
{
  gsize size = 1;

  switch (node->tag.kind)
    {
    case TH_TLV_TAG_ANONYMOUS:
      break;
    case TH_TLV_TAG_CONTEXT:
      size += 1;
      break;
    case TH_TLV_TAG_COMMON_PROFILE:
    case TH_TLV_TAG_IMPLICIT_PROFILE:
      size += node->tag.number > 0xFFFF ? 4 : 2;
      break;
    case TH_TLV_TAG_FULLY_QUALIFIED:
      size += node->tag.number > 0xFFFF ? 8 : 6;
      break;
    default:
      g_assert_not_reached ();
    }

  switch (node->type)
    {
    case TH_TLV_TYPE_SIGNED_INT:
      return size + bytes_for_int (node->i);
    case TH_TLV_TYPE_UNSIGNED_INT:
      return size + bytes_for_uint (node->u);
    case TH_TLV_TYPE_FLOAT:
      return size + (node->single ? 4 : 8);
    case TH_TLV_TYPE_UTF8_STRING:
    case TH_TLV_TYPE_BYTE_STRING:
      return size + bytes_for_uint (g_bytes_get_size (node->data)) + g_bytes_get_size (node->data);
    case TH_TLV_TYPE_STRUCTURE:
    case TH_TLV_TYPE_ARRAY:
    case TH_TLV_TYPE_LIST:
      for (guint k = 0; k < node->members->len; k++)
        size += expected_size (g_ptr_array_index (node->members, k));
      return size + 1;
    default:
      return size;
    }
}

/* Walks every element of an input as deep as it goes, taking every value; returns FALSE with
 * the error of the first failure. */
static gboolean
walk (const guint8 *data,
      gsize         len,
      GError      **error)
{
  g_autoptr(GPtrArray) nodes = decode_all (data, len, error);

  return nodes != NULL;
}

/* Vectors */

typedef struct
{
  const char *hex;
  const char *notation;
} Notation;

/* What the matter.js cases hold, written out from their descriptions. */
static const Notation matter_js_notations[] = {
  { "00ff", "-1" },
  { "010001", "256" },
  { "0200000001", "16777216" },
  { "030000000000000100", "281474976710656" },
  { "0401", "1U" },
  { "050001", "256U" },
  { "0600000001", "16777216U" },
  { "070000000000000100", "281474976710656U" },
  { "0a0892cc45", "6546.254" },
  { "0b2fdd24064192b940", "6546.254" },
  { "070100000000000000", "1U" },
  { "0c0474657374", "\"test\"" },
  { "0c0674657374c3a8", "\"test\xc3\xa8\"" },
  { "10020001", "hex:0001" },
  { "0c0161", "\"a\"" },
  { "14", "null" },
  { "160c01610c01620c016318", "[\"a\", \"b\", \"c\"]" },
  { "152401012c02047465737418", "{1 = 1U, 2 = \"test\"}" },
  { "1524010118", "{1 = 1U}" },
  { "172c01047465737418", "[[1 = \"test\"]]" },
  { "172c0104746573742c02077465737472657118", "[[1 = \"test\", 2 = \"testreq\"]]" },
  { "172c0207746573747265712c01047465737418", "[[2 = \"testreq\", 1 = \"test\"]]" },
  { "172c0104746573742c020574657374312c0205746573743218",
    "[[1 = \"test\", 2 = \"test1\", 2 = \"test2\"]]" },
  { "15360115240101300203000000181524010230020399999918182c020474657374290324040124050218",
    "{1 = [{1 = 1U, 2 = hex:000000}, {1 = 2U, 2 = hex:999999}], 2 = \"test\", 3 = true, "
    "4 = 1U, 5 = 2U}" },
  /* described as holding "bool false", but 0x34 is a null with context tag 3 */
  { "153601152401011818340318", "{1 = [{1 = 1U}], 3 = null}" },
  { "152c010648656c6c6f212c02174865792074686572652c20686f772061726520796f753f18",
    "{1 = \"Hello!\", 2 = \"Hey there, how are you?\"}" },
};

typedef struct
{
  char *description;
  char *notation;
  gboolean minimal;
  GBytes *encoding;
} Vector;

static void
vector_free (Vector *vector)
{
  g_free (vector->description);
  g_free (vector->notation);
  g_bytes_unref (vector->encoding);
  g_free (vector);
}

static const char *
matter_js_notation (const char *hex)
{
  g_autofree char *lower = g_ascii_strdown (hex, -1);

  for (gsize k = 0; k < G_N_ELEMENTS (matter_js_notations); k++)
    if (strcmp (matter_js_notations[k].hex, lower) == 0)
      return matter_js_notations[k].notation;
  return NULL;
}

/* Every case of the vector file, with what it should decode to. */
static GPtrArray *
load_vectors (void)
{
  g_autoptr(JsonNode) root = th_test_load_vectors ("tlv/tlv_vectors.json");
  JsonObject *object = json_node_get_object (root);
  JsonArray *spec = json_object_get_array_member (
    json_object_get_object_member (object, "specExamples"), "cases");
  JsonArray *matter_js = json_object_get_array_member (object, "matterJsCases");
  GPtrArray *vectors = g_ptr_array_new_with_free_func ((GDestroyNotify) vector_free);

  for (guint k = 0; k < json_array_get_length (spec); k++)
    {
      JsonObject *c = json_array_get_object_element (spec, k);
      Vector *vector = g_new0 (Vector, 1);
      const char *hex = json_object_get_string_member (c, "encodedHex");
      g_autoptr(GBytes) control = th_test_hex_to_bytes (
        json_object_get_string_member (c, "controlByte"));

      vector->description = g_strdup (json_object_get_string_member (c, "description"));
      vector->notation = g_strdup (json_object_get_string_member (c, "valueNotation"));
      vector->encoding = th_test_hex_to_bytes (hex);
      /* the specification's examples are all in their shortest form */
      vector->minimal = TRUE;
      g_assert_cmpuint (g_bytes_get_size (control), ==, 1);
      g_assert_cmpuint (((const guint8 *) g_bytes_get_data (control, NULL))[0], ==,
                        ((const guint8 *) g_bytes_get_data (vector->encoding, NULL))[0]);
      g_ptr_array_add (vectors, vector);
    }

  for (guint k = 0; k < json_array_get_length (matter_js); k++)
    {
      JsonObject *c = json_array_get_object_element (matter_js, k);
      Vector *vector = g_new0 (Vector, 1);
      const char *hex = json_object_get_string_member (c, "encodedHex");
      const char *notation = matter_js_notation (hex);

      vector->description = g_strdup (json_object_get_string_member (c, "description"));
      if (notation == NULL)
        g_error ("no expected value written down for the matter.js case '%s' (%s)",
                 vector->description, hex);
      vector->notation = g_strdup (notation);
      vector->encoding = th_test_hex_to_bytes (hex);
      vector->minimal = strstr (vector->description, "non-minimal") == NULL;
      g_ptr_array_add (vectors, vector);
    }

  g_assert_cmpuint (json_array_get_length (matter_js), ==, G_N_ELEMENTS (matter_js_notations));
  g_assert_cmpuint (vectors->len, >=, 60);
  return vectors;
}

static void
test_vectors_decode_encode (void)
{
  g_autoptr(GPtrArray) vectors = load_vectors ();
  guint non_minimal = 0;

  for (guint k = 0; k < vectors->len; k++)
    {
      Vector *vector = g_ptr_array_index (vectors, k);
      gsize len;
      const guint8 *data = g_bytes_get_data (vector->encoding, &len);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) nodes = NULL;
      g_autoptr(GPtrArray) again = NULL;
      g_autoptr(GBytes) encoded = NULL;
      g_autofree char *notation = NULL;

      g_test_message ("%s", vector->description);
      nodes = decode_all (data, len, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (nodes->len, ==, 1);
      notation = render_all (nodes);
      g_assert_cmpstr (notation, ==, vector->notation);

      encoded = encode_all (nodes);
      if (vector->minimal)
        {
          th_assert_bytes_equal (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded),
                                 data, len);
        }
      else
        {
          non_minimal++;
          g_assert_cmpuint (g_bytes_get_size (encoded), <, len);
        }
      g_assert_cmpuint (g_bytes_get_size (encoded), ==,
                        expected_size (g_ptr_array_index (nodes, 0)));

      again = decode_all (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded), &error);
      g_assert_no_error (error);
      assert_trees_equal (nodes, again);
    }
  g_assert_cmpuint (non_minimal, ==, 1);
}

/* Every strict prefix of an element is cut short and must say so, without reading past it. */
static void
test_vectors_truncated (void)
{
  g_autoptr(GPtrArray) vectors = load_vectors ();

  for (guint k = 0; k < vectors->len; k++)
    {
      Vector *vector = g_ptr_array_index (vectors, k);
      gsize len;
      const guint8 *data = g_bytes_get_data (vector->encoding, &len);

      for (gsize cut = 1; cut < len; cut++)
        {
          /* a copy of exactly `cut` bytes, so that a sanitizer sees any read past it */
          g_autofree guint8 *prefix = g_memdup2 (data, cut);
          g_autoptr(GError) error = NULL;
          ThTlvReader reader;
          const guint8 *element;
          gsize element_len;

          g_assert_false (walk (prefix, cut, &error));
          g_assert_error (error, TH_ERROR, TH_ERROR_TLV_TRUNCATED);
          g_clear_error (&error);

          /* skipping the element whole fails the same way */
          th_tlv_reader_init (&reader, prefix, cut);
          if (th_tlv_reader_next (&reader, &error))
            {
              g_assert_false (th_tlv_reader_get_element (&reader, &element, &element_len,
                                                         &error));
              g_assert_error (error, TH_ERROR, TH_ERROR_TLV_TRUNCATED);
              g_clear_error (&error);
              g_assert_false (th_tlv_reader_next (&reader, &error));
            }
          g_assert_error (error, TH_ERROR, TH_ERROR_TLV_TRUNCATED);
        }
    }
}

/* Each vector's element is one piece of a longer input: the reader finds them all again,
 * both walking into containers and skipping them. */
static void
test_vectors_concatenated (void)
{
  g_autoptr(GPtrArray) vectors = load_vectors ();
  g_autoptr(GByteArray) all = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) nodes = NULL;
  ThTlvReader reader;
  guint k = 0;

  for (guint v = 0; v < vectors->len; v++)
    {
      Vector *vector = g_ptr_array_index (vectors, v);

      g_byte_array_append (all, g_bytes_get_data (vector->encoding, NULL),
                           g_bytes_get_size (vector->encoding));
    }

  nodes = decode_all (all->data, all->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nodes->len, ==, vectors->len);

  th_tlv_reader_init (&reader, all->data, all->len);
  while (th_tlv_reader_next (&reader, &error))
    {
      Vector *vector = g_ptr_array_index (vectors, k++);
      const guint8 *element;
      gsize element_len;

      g_assert_cmpuint (th_tlv_reader_get_depth (&reader), ==, 0);
      g_assert_true (th_tlv_reader_get_element (&reader, &element, &element_len, &error));
      g_assert_no_error (error);
      th_assert_bytes_equal (element, element_len, g_bytes_get_data (vector->encoding, NULL),
                             g_bytes_get_size (vector->encoding));
    }
  g_assert_no_error (error);
  g_assert_cmpuint (k, ==, vectors->len);
  g_assert_cmpint (th_tlv_reader_get_type (&reader), ==, TH_TLV_TYPE_NONE);
  /* the end stays the end */
  g_assert_false (th_tlv_reader_next (&reader, &error));
  g_assert_no_error (error);
}

/* Malformed input */

/* Hex with spaces allowed between bytes, for readability */
static GBytes *
bytes_from_hex (const char *text)
{
  g_autoptr(GString) compact = g_string_new (NULL);

  for (const char *c = text; *c != '\0'; c++)
    if (*c != ' ')
      g_string_append_c (compact, *c);
  return th_test_hex_to_bytes (compact->str);
}

/* Whether `message` names `part` ("byte 1") as a whole, not as the start of "byte 10". */
static gboolean
mentions (const char *message,
          const char *part)
{
  for (const char *at = strstr (message, part); at != NULL; at = strstr (at + 1, part))
    if (!g_ascii_isdigit (at[strlen (part)]))
      return TRUE;
  return FALSE;
}

static void
assert_walk_fails (const char *input,
                   gint        code,
                   const char *message_part)
{
  g_autoptr(GBytes) bytes = bytes_from_hex (input);
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autofree guint8 *copy = g_memdup2 (data, len);
  ThTlvReader reader;

  g_test_message ("input %s", input);
  g_assert_false (walk (copy, len, &error));
  g_assert_error (error, TH_ERROR, code);
  if (message_part != NULL && !mentions (error->message, message_part))
    g_error ("'%s' does not mention '%s'", error->message, message_part);
  g_clear_error (&error);

  /* skipping instead of entering finds the same fault */
  th_tlv_reader_init (&reader, copy, len);
  while (th_tlv_reader_next (&reader, &error))
    ;
  g_assert_error (error, TH_ERROR, code);
  g_clear_error (&error);

  /* and a failed reader keeps failing rather than going on past the fault */
  g_assert_false (th_tlv_reader_next (&reader, &error));
  g_assert_error (error, TH_ERROR, code);
}

static void
assert_walk_succeeds (const char *input)
{
  g_autoptr(GBytes) bytes = bytes_from_hex (input);
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autofree guint8 *copy = g_memdup2 (data, len);

  g_test_message ("input %s", input);
  g_assert_true (walk (copy, len, &error));
  g_assert_no_error (error);
}

static void
test_reserved_types (void)
{
  for (guint type = 0x19; type <= 0x1F; type++)
    for (guint tag_control = 0; tag_control < 8; tag_control++)
      {
        g_autofree char *input = g_strdup_printf ("%02x0000000000000000",
                                                  tag_control << 5 | type);
        g_autofree char *nested = g_strdup_printf ("17%02x000000000000000018",
                                                   tag_control << 5 | type);

        assert_walk_fails (input, TH_ERROR_TLV_INVALID, "byte 0");
        assert_walk_fails (nested, TH_ERROR_TLV_INVALID, "byte 1");
      }
}

static void
test_end_of_container (void)
{
  /* outside any container */
  assert_walk_fails ("18", TH_ERROR_TLV_INVALID, "byte 0");
  assert_walk_fails ("042a 18", TH_ERROR_TLV_INVALID, "byte 2");
  assert_walk_fails ("1518 18", TH_ERROR_TLV_INVALID, "byte 2");
  /* with a tag */
  for (guint tag_control = 1; tag_control < 8; tag_control++)
    {
      g_autofree char *input = g_strdup_printf ("17%02x000000000000000018",
                                                tag_control << 5 | 0x18);

      assert_walk_fails (input, TH_ERROR_TLV_INVALID, "byte 1");
    }
  /* never closed */
  assert_walk_fails ("15", TH_ERROR_TLV_TRUNCATED, "byte 1");
  assert_walk_fails ("16 16 16 18 18", TH_ERROR_TLV_TRUNCATED, "byte 5");
}

static void
test_member_tags (void)
{
  /* a structure member without a tag */
  assert_walk_fails ("15 0401 18", TH_ERROR_TLV_INVALID, "byte 1");
  assert_walk_fails ("15 240101 0402 18", TH_ERROR_TLV_INVALID, "byte 4");
  assert_walk_fails ("15 1518 18", TH_ERROR_TLV_INVALID, "byte 1");
  /* an array member with a tag, of every kind */
  assert_walk_fails ("16 240101 18", TH_ERROR_TLV_INVALID, "byte 1");
  assert_walk_fails ("16 440100 01 18", TH_ERROR_TLV_INVALID, "byte 1");
  assert_walk_fails ("16 64a0860100 01 18", TH_ERROR_TLV_INVALID, "byte 1");
  assert_walk_fails ("16 840100 01 18", TH_ERROR_TLV_INVALID, "byte 1");
  assert_walk_fails ("16 a401000000 01 18", TH_ERROR_TLV_INVALID, "byte 1");
  assert_walk_fails ("16 c4f1ffedde0100 01 18", TH_ERROR_TLV_INVALID, "byte 1");
  assert_walk_fails ("16 e4f1ffeddeedfe55aa 01 18", TH_ERROR_TLV_INVALID, "byte 1");
  /* deeper down too */
  assert_walk_fails ("17 0401 240205 16 0401 2c0100 18 18", TH_ERROR_TLV_INVALID, "byte 9");
  /* lists take members with and without tags, and every tag form is fine at the top */
  assert_walk_succeeds ("17 0401 240205 2c0100 c4f1ffedde0100 01 18");
  assert_walk_succeeds ("2401 01 440100 01 64a0860100 01 840100 01 a401000000 01");
  /* a cut tag */
  assert_walk_fails ("e4 f1ffedde", TH_ERROR_TLV_TRUNCATED, "byte 0");
  assert_walk_fails ("15 c4f1ff", TH_ERROR_TLV_TRUNCATED, "byte 1");
}

static char *
little_endian_hex (guint64 value,
                   guint   size)
{
  GString *out = g_string_new (NULL);

  for (guint k = 0; k < size; k++)
    g_string_append_printf (out, "%02x", (guint) (value >> (8 * k)) & 0xFF);
  return g_string_free (out, FALSE);
}

static void
test_lengths (void)
{
  for (guint form = 0; form < 4; form++)
    for (guint kind = 0; kind < 2; kind++)
      {
        guint control = (kind == 0 ? 0x0C : 0x10) + form;
        g_autofree char *fits = little_endian_hex (3, 1u << form);
        g_autofree char *too_long = little_endian_hex (4, 1u << form);
        g_autofree char *exact = g_strdup_printf ("%02x %s 616263", control, fits);
        g_autofree char *over = g_strdup_printf ("%02x %s 616263", control, too_long);
        g_autofree char *cut = g_strdup_printf ("%02x", control);

        /* three bytes of content: a length of 3 fits, 4 does not */
        assert_walk_succeeds (exact);
        assert_walk_fails (over, TH_ERROR_TLV_TRUNCATED, "byte 0");
        /* the length field itself cut short */
        assert_walk_fails (cut, TH_ERROR_TLV_TRUNCATED, "byte 0");
      }

  /* lengths that would wrap around an offset */
  assert_walk_fails ("13 ffffffffffffffff 00", TH_ERROR_TLV_TRUNCATED, "byte 0");
  assert_walk_fails ("0f ffffffffffffffff", TH_ERROR_TLV_TRUNCATED, "byte 0");
  assert_walk_fails ("13 0000000000000080 00", TH_ERROR_TLV_TRUNCATED, "byte 0");
  assert_walk_fails ("13 f7ffffffffffffff 00", TH_ERROR_TLV_TRUNCATED, "byte 0");
  assert_walk_fails ("12 ffffffff 00", TH_ERROR_TLV_TRUNCATED, "byte 0");
  assert_walk_fails ("15 3301 feffffffffffffff 00 18", TH_ERROR_TLV_TRUNCATED, "byte 1");
  assert_walk_fails ("16 10ff 18", TH_ERROR_TLV_TRUNCATED, "byte 1");

  /* fixed-size values cut short */
  assert_walk_fails ("03 01020304050607", TH_ERROR_TLV_TRUNCATED, "byte 0");
  assert_walk_fails ("06 010203", TH_ERROR_TLV_TRUNCATED, "byte 0");
  assert_walk_fails ("0a 000080", TH_ERROR_TLV_TRUNCATED, "byte 0");
  assert_walk_fails ("2b01 00000000000000", TH_ERROR_TLV_TRUNCATED, "byte 0");
}

static void
test_depth (void)
{
  g_autoptr(GByteArray) deep = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  const guint8 array = 0x16, end = 0x18;
  ThTlvReader reader;

  /* TH_TLV_MAX_DEPTH nested containers are fine */
  for (guint k = 0; k < TH_TLV_MAX_DEPTH; k++)
    g_byte_array_append (deep, &array, 1);
  for (guint k = 0; k < TH_TLV_MAX_DEPTH; k++)
    g_byte_array_append (deep, &end, 1);
  g_assert_true (walk (deep->data, deep->len, &error));
  g_assert_no_error (error);

  /* one more is refused, entering or skipping */
  g_byte_array_prepend (deep, &array, 1);
  g_byte_array_append (deep, &end, 1);
  g_assert_false (walk (deep->data, deep->len, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TLV_DEPTH);
  g_clear_error (&error);

  th_tlv_reader_init (&reader, deep->data, deep->len);
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_false (th_tlv_reader_next (&reader, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TLV_DEPTH);
  g_clear_error (&error);

  th_tlv_reader_init (&reader, deep->data, deep->len);
  for (guint k = 0; k < TH_TLV_MAX_DEPTH; k++)
    {
      g_assert_true (th_tlv_reader_next (&reader, &error));
      g_assert_true (th_tlv_reader_enter (&reader, &error));
      g_assert_cmpuint (th_tlv_reader_get_depth (&reader), ==, k + 1);
    }
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_no_error (error);
  g_assert_false (th_tlv_reader_enter (&reader, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TLV_DEPTH);
  g_clear_error (&error);

  /* very deep input fails cleanly, without recursion in the reader */
  g_byte_array_set_size (deep, 0);
  for (guint k = 0; k < 100000; k++)
    g_byte_array_append (deep, &array, 1);
  assert_walk_fails ("16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 "
                     "16", TH_ERROR_TLV_DEPTH, "byte 24");
  g_assert_false (walk (deep->data, deep->len, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TLV_DEPTH);
}

/* Getters */

static void
read_one (ThTlvReader *reader,
          GBytes      *bytes)
{
  g_autoptr(GError) error = NULL;

  th_tlv_reader_init (reader, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_true (th_tlv_reader_next (reader, &error));
  g_assert_no_error (error);
}

static void
test_getters_types (void)
{
  static const struct
  {
    const char *hex;
    ThTlvType type;
  } elements[] = {
    { "00ff", TH_TLV_TYPE_SIGNED_INT },
    { "042a", TH_TLV_TYPE_UNSIGNED_INT },
    { "09", TH_TLV_TYPE_BOOLEAN },
    { "0a0000803f", TH_TLV_TYPE_FLOAT },
    { "0c0161", TH_TLV_TYPE_UTF8_STRING },
    { "100161", TH_TLV_TYPE_BYTE_STRING },
    { "14", TH_TLV_TYPE_NULL },
    { "1518", TH_TLV_TYPE_STRUCTURE },
    { "1618", TH_TLV_TYPE_ARRAY },
    { "1718", TH_TLV_TYPE_LIST },
  };

  /* every getter refuses every other type, and a null is none of them */
  for (guint k = 0; k < G_N_ELEMENTS (elements); k++)
    {
      g_autoptr(GBytes) bytes = bytes_from_hex (elements[k].hex);
      g_autoptr(GError) error = NULL;
      ThTlvReader reader;
      ThTlvType type = elements[k].type;
      guint64 u;
      gint64 i;
      guint8 u8;
      guint16 u16;
      guint32 u32;
      gboolean b;
      double d;
      const guint8 *data;
      const char *str;
      gsize len;
      gboolean ok;

      read_one (&reader, bytes);
      g_assert_cmpint (th_tlv_reader_get_type (&reader), ==, type);

#define CHECK(getter_type, call) \
      G_STMT_START { \
        ok = call; \
        g_assert_true (ok == (type == getter_type)); \
        if (ok) \
          g_assert_no_error (error); \
        else \
          g_assert_error (error, TH_ERROR, TH_ERROR_TLV_TYPE); \
        g_clear_error (&error); \
      } G_STMT_END

      CHECK (TH_TLV_TYPE_UNSIGNED_INT, th_tlv_reader_get_uint (&reader, &u, &error));
      CHECK (TH_TLV_TYPE_UNSIGNED_INT, th_tlv_reader_get_uint8 (&reader, &u8, &error));
      CHECK (TH_TLV_TYPE_UNSIGNED_INT, th_tlv_reader_get_uint16 (&reader, &u16, &error));
      CHECK (TH_TLV_TYPE_UNSIGNED_INT, th_tlv_reader_get_uint32 (&reader, &u32, &error));
      CHECK (TH_TLV_TYPE_SIGNED_INT, th_tlv_reader_get_int (&reader, &i, &error));
      CHECK (TH_TLV_TYPE_BOOLEAN, th_tlv_reader_get_bool (&reader, &b, &error));
      CHECK (TH_TLV_TYPE_FLOAT, th_tlv_reader_get_double (&reader, &d, &error));
      CHECK (TH_TLV_TYPE_BYTE_STRING, th_tlv_reader_get_bytes (&reader, &data, &len, &error));
      CHECK (TH_TLV_TYPE_UTF8_STRING, th_tlv_reader_get_string (&reader, &str, &len, &error));
#undef CHECK

      ok = th_tlv_reader_enter (&reader, &error);
      g_assert_true (ok == (type >= TH_TLV_TYPE_STRUCTURE));
      if (!ok)
        g_assert_error (error, TH_ERROR, TH_ERROR_TLV_TYPE);
    }
}

static void
test_getters_values (void)
{
  g_autoptr(GBytes) bytes = bytes_from_hex ("17 00 80 01 ff7f 02 00000080 03 ffffffffffffff7f"
                                 " 04 ff 05 0001 06 ffffffff 07 ffffffffffffffff"
                                 " 08 09 0a 0000c07f 0b 000000000000f8ff 0b 0000000000000080"
                                 " 10 00 0c 00 14 18");
  g_autoptr(GError) error = NULL;
  ThTlvReader reader;
  gint64 i;
  guint64 u;
  gboolean b;
  double d;
  const guint8 *data;
  const char *str;
  gsize len;

  read_one (&reader, bytes);
  g_assert_true (th_tlv_reader_enter (&reader, &error));

  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_get_int (&reader, &i, &error));
  g_assert_cmpint (i, ==, G_MININT8);
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_get_int (&reader, &i, &error));
  g_assert_cmpint (i, ==, G_MAXINT16);
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_get_int (&reader, &i, &error));
  g_assert_cmpint (i, ==, G_MININT32);
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_get_int (&reader, &i, &error));
  g_assert_cmpint (i, ==, G_MAXINT64);

  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_get_uint (&reader, &u, &error));
  g_assert_cmpuint (u, ==, G_MAXUINT8);
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_get_uint (&reader, &u, &error));
  g_assert_cmpuint (u, ==, 256);
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_get_uint (&reader, &u, &error));
  g_assert_cmpuint (u, ==, G_MAXUINT32);
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_get_uint (&reader, &u, &error));
  g_assert_cmpuint (u, ==, G_MAXUINT64);

  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_get_bool (&reader, &b, &error));
  g_assert_false (b);
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_get_bool (&reader, &b, &error));
  g_assert_true (b);

  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_get_double (&reader, &d, &error));
  g_assert_true (isnan (d));
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_get_double (&reader, &d, &error));
  g_assert_true (isnan (d));
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_get_double (&reader, &d, &error));
  g_assert_true (d == 0 && signbit (d));

  /* empty strings */
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_get_bytes (&reader, &data, &len, &error));
  g_assert_cmpuint (len, ==, 0);
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_get_string (&reader, &str, &len, &error));
  g_assert_cmpuint (len, ==, 0);

  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_cmpint (th_tlv_reader_get_type (&reader), ==, TH_TLV_TYPE_NULL);
  g_assert_false (th_tlv_reader_next (&reader, &error));
  g_assert_no_error (error);
  g_assert_cmpint (th_tlv_reader_get_type (&reader), ==, TH_TLV_TYPE_NONE);
}

static void
test_getters_overflow (void)
{
  static const struct
  {
    const char *hex;
    guint fits;               /* the narrowest of 8, 16, 32 that takes it, or 64 */
  } values[] = {
    { "0400", 8 },
    { "04ff", 8 },
    { "050001", 16 },
    { "05ffff", 16 },
    { "07ff00000000000000", 8 },   /* a wide encoding of a small value */
    { "0600000100", 32 },
    { "06ffffffff", 32 },
    { "070000000001000000", 64 },
    { "07ffffffffffffffff", 64 },
  };

  for (guint k = 0; k < G_N_ELEMENTS (values); k++)
    {
      g_autoptr(GBytes) bytes = bytes_from_hex (values[k].hex);
      g_autoptr(GError) error = NULL;
      ThTlvReader reader;
      guint64 u;
      guint8 u8 = 0;
      guint16 u16 = 0;
      guint32 u32 = 0;
      gboolean ok;

      read_one (&reader, bytes);
      g_assert_true (th_tlv_reader_get_uint (&reader, &u, &error));

      ok = th_tlv_reader_get_uint8 (&reader, &u8, &error);
      g_assert_true (ok == (values[k].fits <= 8));
      if (ok)
        g_assert_cmpuint (u8, ==, u);
      else
        g_assert_error (error, TH_ERROR, TH_ERROR_TLV_OVERFLOW);
      g_clear_error (&error);

      ok = th_tlv_reader_get_uint16 (&reader, &u16, &error);
      g_assert_true (ok == (values[k].fits <= 16));
      if (ok)
        g_assert_cmpuint (u16, ==, u);
      else
        g_assert_error (error, TH_ERROR, TH_ERROR_TLV_OVERFLOW);
      g_clear_error (&error);

      ok = th_tlv_reader_get_uint32 (&reader, &u32, &error);
      g_assert_true (ok == (values[k].fits <= 32));
      if (ok)
        g_assert_cmpuint (u32, ==, u);
      else
        g_assert_error (error, TH_ERROR, TH_ERROR_TLV_OVERFLOW);
    }
}

static void
test_getters_utf8 (void)
{
  static const struct
  {
    const char *hex;
    gboolean valid;
  } strings[] = {
    { "0c 07 54736368c3bc73", TRUE },
    { "0c 04 f09f9982", TRUE },          /* outside the BMP */
    { "0c 02 c328", FALSE },             /* a broken sequence */
    { "0c 01 c3", FALSE },               /* a sequence cut by the length */
    { "0c 02 c0af", FALSE },             /* overlong */
    { "0c 03 eda080", FALSE },           /* a surrogate */
    { "0c 04 f4908080", FALSE },         /* above U+10FFFF */
    { "0c 01 ff", FALSE },
    { "0c 03 61 00 62", FALSE },         /* NUL */
  };

  for (guint k = 0; k < G_N_ELEMENTS (strings); k++)
    {
      g_autoptr(GBytes) bytes = bytes_from_hex (strings[k].hex);
      g_autoptr(GError) error = NULL;
      ThTlvReader reader;
      const char *str = NULL;
      gsize len = 0;

      read_one (&reader, bytes);
      if (strings[k].valid)
        {
          g_assert_true (th_tlv_reader_get_string (&reader, &str, &len, &error));
          g_assert_no_error (error);
          g_assert_true (str == (const char *) g_bytes_get_data (bytes, NULL) + 2);
          g_assert_cmpuint (len, ==, g_bytes_get_size (bytes) - 2);
        }
      else
        {
          g_assert_false (th_tlv_reader_get_string (&reader, &str, &len, &error));
          g_assert_error (error, TH_ERROR, TH_ERROR_TLV_INVALID);
          g_assert_true (mentions (error->message, "byte 0"));
        }
    }
}

/* Navigation */

static void
test_skip_and_elements (void)
{
  /* { 1 = [ {2 = "ab"}, [1, 2] ], 3 = true }, 42U */
  g_autoptr(GBytes) bytes = bytes_from_hex ("15 3601 15 2c02 026162 18 16 0001 0002 18 18 2903 18 042a");
  const guint8 *data = g_bytes_get_data (bytes, NULL);
  g_autoptr(GError) error = NULL;
  ThTlvReader reader;
  const guint8 *element;
  gsize len;
  guint64 u;

  /* not entered: skipped whole */
  th_tlv_reader_init (&reader, data, g_bytes_get_size (bytes));
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_cmpint (th_tlv_reader_get_type (&reader), ==, TH_TLV_TYPE_STRUCTURE);
  g_assert_cmpuint (th_tlv_reader_get_offset (&reader), ==, 0);
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_cmpuint (th_tlv_reader_get_offset (&reader), ==, 20);
  g_assert_true (th_tlv_reader_get_uint (&reader, &u, &error));
  g_assert_cmpuint (u, ==, 42);
  g_assert_true (th_tlv_reader_get_element (&reader, &element, &len, &error));
  th_assert_bytes_equal (element, len, data + 20, 2);
  g_assert_false (th_tlv_reader_next (&reader, &error));
  g_assert_no_error (error);
  g_assert_false (th_tlv_reader_get_element (&reader, &element, &len, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TLV_TYPE);
  g_clear_error (&error);

  /* the element of a container runs through its end marker, and it can still be entered */
  th_tlv_reader_init (&reader, data, g_bytes_get_size (bytes));
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_get_element (&reader, &element, &len, &error));
  th_assert_bytes_equal (element, len, data, 20);
  g_assert_true (th_tlv_reader_enter (&reader, &error));
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_tag_is_context (th_tlv_reader_get_tag (&reader), 1));
  g_assert_true (th_tlv_reader_get_element (&reader, &element, &len, &error));
  th_assert_bytes_equal (element, len, data + 1, 16);
  g_assert_true (th_tlv_reader_enter (&reader, &error));
  g_assert_cmpuint (th_tlv_reader_get_depth (&reader), ==, 2);
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_enter (&reader, &error));
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_cmpint (th_tlv_reader_get_type (&reader), ==, TH_TLV_TYPE_UTF8_STRING);
  /* exit skips the rest of two containers */
  g_assert_true (th_tlv_reader_exit (&reader, &error));
  g_assert_true (th_tlv_reader_exit (&reader, &error));
  g_assert_cmpuint (th_tlv_reader_get_depth (&reader), ==, 1);
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_tag_is_context (th_tlv_reader_get_tag (&reader), 3));
  g_assert_cmpuint (th_tlv_reader_get_offset (&reader), ==, 17);
  g_assert_false (th_tlv_reader_next (&reader, &error));
  g_assert_no_error (error);
  /* at the end the reader stays at the end */
  g_assert_false (th_tlv_reader_next (&reader, &error));
  g_assert_no_error (error);
  g_assert_true (th_tlv_reader_exit (&reader, &error));
  g_assert_cmpuint (th_tlv_reader_get_depth (&reader), ==, 0);
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_cmpuint (th_tlv_reader_get_offset (&reader), ==, 20);
  g_assert_no_error (error);
}

static void
test_find_context (void)
{
  /* { 3 = 1U, 1 = "x", 0 = [ {1 = 7U} ], Matter::2 = 5U, 2 = false } */
  g_autoptr(GBytes) bytes = bytes_from_hex ("15 2403 01 2c01 0178 3600 15 2401 07 18 18 440200 05 2802 18");
  g_autoptr(GError) error = NULL;
  ThTlvReader reader;
  guint8 u8;
  gboolean b;

  read_one (&reader, bytes);
  g_assert_true (th_tlv_reader_enter (&reader, &error));

  /* in any order, again and again */
  g_assert_true (th_tlv_reader_find_context (&reader, 2, &error));
  g_assert_true (th_tlv_reader_get_bool (&reader, &b, &error));
  g_assert_false (b);
  g_assert_true (th_tlv_reader_find_context (&reader, 3, &error));
  g_assert_true (th_tlv_reader_get_uint8 (&reader, &u8, &error));
  g_assert_cmpuint (u8, ==, 1);
  g_assert_true (th_tlv_reader_find_context (&reader, 2, &error));
  g_assert_cmpuint (th_tlv_reader_get_offset (&reader), ==, 20);

  /* a common profile tag 2 is not context tag 2; a tag deeper down is not found */
  g_assert_false (th_tlv_reader_find_context (&reader, 4, &error));
  g_assert_no_error (error);
  g_assert_cmpint (th_tlv_reader_get_type (&reader), ==, TH_TLV_TYPE_NONE);

  /* inside a nested container, the search stays there */
  g_assert_true (th_tlv_reader_find_context (&reader, 0, &error));
  g_assert_true (th_tlv_reader_enter (&reader, &error));
  g_assert_false (th_tlv_reader_find_context (&reader, 1, &error));
  g_assert_no_error (error);
  g_assert_true (th_tlv_reader_next (&reader, &error) == FALSE);
  g_assert_true (th_tlv_reader_exit (&reader, &error));
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_cmpint (th_tlv_reader_get_tag (&reader).kind, ==, TH_TLV_TAG_COMMON_PROFILE);

  /* malformed input after the searched-for member still fails the search that passes it */
  {
    g_autoptr(GBytes) bad = bytes_from_hex ("15 2401 01 0401 18");

    read_one (&reader, bad);
    g_assert_true (th_tlv_reader_enter (&reader, &error));
    g_assert_true (th_tlv_reader_find_context (&reader, 1, &error));
    g_assert_false (th_tlv_reader_find_context (&reader, 2, &error));
    g_assert_error (error, TH_ERROR, TH_ERROR_TLV_INVALID);
  }
}

static void
test_tags (void)
{
  g_assert_true (th_tlv_tag_equal (TH_TLV_ANONYMOUS, TH_TLV_ANONYMOUS));
  g_assert_true (th_tlv_tag_equal (TH_TLV_CONTEXT (4), TH_TLV_CONTEXT (4)));
  g_assert_false (th_tlv_tag_equal (TH_TLV_CONTEXT (4), TH_TLV_CONTEXT (5)));
  g_assert_false (th_tlv_tag_equal (TH_TLV_CONTEXT (4), TH_TLV_COMMON (4)));
  g_assert_false (th_tlv_tag_equal (TH_TLV_COMMON (4), TH_TLV_IMPLICIT (4)));
  g_assert_true (th_tlv_tag_equal (TH_TLV_FULLY_QUALIFIED (1, 2, 3),
                                   TH_TLV_FULLY_QUALIFIED (1, 2, 3)));
  g_assert_false (th_tlv_tag_equal (TH_TLV_FULLY_QUALIFIED (1, 2, 3),
                                    TH_TLV_FULLY_QUALIFIED (9, 2, 3)));
  g_assert_false (th_tlv_tag_equal (TH_TLV_FULLY_QUALIFIED (1, 2, 3),
                                    TH_TLV_FULLY_QUALIFIED (1, 9, 3)));
  g_assert_true (th_tlv_tag_is_context (TH_TLV_CONTEXT (0), 0));
  g_assert_false (th_tlv_tag_is_context (TH_TLV_IMPLICIT (0), 0));
}

/* Writer */

static void
assert_written (ThTlvWriter *writer,
                const char  *expected)
{
  g_autoptr(GBytes) want = bytes_from_hex (expected);
  g_autoptr(GBytes) got = th_tlv_writer_finish (writer);

  th_assert_bytes_equal (g_bytes_get_data (got, NULL), g_bytes_get_size (got),
                         g_bytes_get_data (want, NULL), g_bytes_get_size (want));
}

static void
test_writer_shortest_forms (void)
{
  g_auto(ThTlvWriter) writer = { 0 };
  g_autofree char *long_text = g_strnfill (256, 'a');
  g_autofree guint8 *big = g_malloc0 (65536);
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize len;

  th_tlv_writer_init (&writer);

  th_tlv_writer_put_uint (&writer, TH_TLV_ANONYMOUS, 0);
  th_tlv_writer_put_uint (&writer, TH_TLV_ANONYMOUS, 0xFF);
  th_tlv_writer_put_uint (&writer, TH_TLV_ANONYMOUS, 0x100);
  th_tlv_writer_put_uint (&writer, TH_TLV_ANONYMOUS, 0xFFFF);
  th_tlv_writer_put_uint (&writer, TH_TLV_ANONYMOUS, 0x10000);
  th_tlv_writer_put_uint (&writer, TH_TLV_ANONYMOUS, 0xFFFFFFFF);
  th_tlv_writer_put_uint (&writer, TH_TLV_ANONYMOUS, G_GUINT64_CONSTANT (0x100000000));
  assert_written (&writer, "0400 04ff 050001 05ffff 0600000100 06ffffffff 070000000001000000");

  th_tlv_writer_put_int (&writer, TH_TLV_ANONYMOUS, 0);
  th_tlv_writer_put_int (&writer, TH_TLV_ANONYMOUS, 127);
  th_tlv_writer_put_int (&writer, TH_TLV_ANONYMOUS, 128);
  th_tlv_writer_put_int (&writer, TH_TLV_ANONYMOUS, -128);
  th_tlv_writer_put_int (&writer, TH_TLV_ANONYMOUS, -129);
  th_tlv_writer_put_int (&writer, TH_TLV_ANONYMOUS, G_MAXINT16 + 1);
  th_tlv_writer_put_int (&writer, TH_TLV_ANONYMOUS, G_MININT16);
  th_tlv_writer_put_int (&writer, TH_TLV_ANONYMOUS, (gint64) G_MININT32 - 1);
  th_tlv_writer_put_int (&writer, TH_TLV_ANONYMOUS, G_MININT64);
  assert_written (&writer, "0000 007f 018000 0080 017fff 0200800000 010080"
                           " 03ffffff7fffffffff 030000000000000080");

  th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (0), FALSE);
  th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (255), TRUE);
  th_tlv_writer_put_null (&writer, TH_TLV_COMMON (0xFFFF));
  th_tlv_writer_put_null (&writer, TH_TLV_COMMON (0x10000));
  th_tlv_writer_put_null (&writer, TH_TLV_IMPLICIT (1));
  th_tlv_writer_put_null (&writer, TH_TLV_IMPLICIT (G_MAXUINT32));
  th_tlv_writer_put_null (&writer, TH_TLV_FULLY_QUALIFIED (0xFFF1, 0xDEED, 0xFFFF));
  th_tlv_writer_put_null (&writer, TH_TLV_FULLY_QUALIFIED (0xFFF1, 0xDEED, 0x10000));
  assert_written (&writer, "2800 29ff 54ffff 7400000100 940100 b4ffffffff d4f1ffeddeffff"
                           " f4f1ffedde00000100");

  th_tlv_writer_put_float (&writer, TH_TLV_ANONYMOUS, 17.9f);
  th_tlv_writer_put_double (&writer, TH_TLV_ANONYMOUS, 17.9);
  th_tlv_writer_put_double (&writer, TH_TLV_ANONYMOUS, -INFINITY);
  assert_written (&writer, "0a33338f41 0b6666666666e63140 0b000000000000f0ff");

  th_tlv_writer_put_string (&writer, TH_TLV_ANONYMOUS, "Hello!", -1);
  th_tlv_writer_put_string (&writer, TH_TLV_ANONYMOUS, "Hello!", 2);
  th_tlv_writer_put_string (&writer, TH_TLV_ANONYMOUS, NULL, 0);
  th_tlv_writer_put_bytes (&writer, TH_TLV_ANONYMOUS, NULL, 0);
  th_tlv_writer_put_bytes (&writer, TH_TLV_ANONYMOUS, (const guint8 *) "\0\1\2\3\4", 5);
  assert_written (&writer, "0c0648656c6c6f21 0c024865 0c00 1000 10050001020304");

  /* lengths grow to 2 and 4 bytes at 256 and 65536 */
  th_tlv_writer_put_string (&writer, TH_TLV_ANONYMOUS, long_text, 255);
  th_tlv_writer_put_string (&writer, TH_TLV_ANONYMOUS, long_text, 256);
  th_tlv_writer_put_bytes (&writer, TH_TLV_ANONYMOUS, big, 65535);
  th_tlv_writer_put_bytes (&writer, TH_TLV_ANONYMOUS, big, 65536);
  data = th_tlv_writer_peek (&writer, &len);
  g_assert_cmpuint (len, ==, (2 + 255) + (3 + 256) + (3 + 65535) + (5 + 65536));
  g_assert_cmphex (data[0], ==, 0x0C);
  g_assert_cmphex (data[1], ==, 0xFF);
  g_assert_cmphex (data[257], ==, 0x0D);
  g_assert_cmphex (data[258], ==, 0x00);
  g_assert_cmphex (data[259], ==, 0x01);
  g_assert_cmphex (data[516], ==, 0x11);
  g_assert_cmphex (data[516 + 3 + 65535], ==, 0x12);
  encoded = th_tlv_writer_finish (&writer);
  g_assert_true (walk (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded), &error));
  g_assert_no_error (error);

  /* containers, and the finished writer starts again empty */
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_start_array (&writer, TH_TLV_CONTEXT (1));
  th_tlv_writer_start_list (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (7), 1);
  th_tlv_writer_put_uint (&writer, TH_TLV_ANONYMOUS, 2);
  th_tlv_writer_end_container (&writer);
  th_tlv_writer_end_container (&writer);
  th_tlv_writer_end_container (&writer);
  assert_written (&writer, "15 3601 17 240701 0402 18 18 18");
  data = th_tlv_writer_peek (&writer, &len);
  g_assert_cmpuint (len, ==, 0);
}

static void
test_writer_raw (void)
{
  g_autoptr(GBytes) bytes = bytes_from_hex ("15 2401 01 3602 1518 18 18");
  g_autoptr(GError) error = NULL;
  g_auto(ThTlvWriter) writer = { 0 };
  ThTlvReader reader;
  const guint8 *element;
  gsize len;

  read_one (&reader, bytes);
  g_assert_true (th_tlv_reader_enter (&reader, &error));
  g_assert_true (th_tlv_reader_find_context (&reader, 2, &error));
  g_assert_true (th_tlv_reader_get_element (&reader, &element, &len, &error));

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_list (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_raw (&writer, element, len);
  th_tlv_writer_put_raw (&writer, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  th_tlv_writer_end_container (&writer);
  assert_written (&writer, "17 3602 1518 18 15 2401 01 3602 1518 18 18 18");
}

/* Misuse of the writer is a programming error: each case must be caught with a critical. */
static void
test_writer_misuse (void)
{
  static const char *cases[] = {
    "anonymous-in-structure",
    "tag-in-array",
    "raw-tag-in-array",
    "context-above-255",
    "end-without-start",
    "finish-open",
    "invalid-utf8",
    "raw-garbage",
    "raw-two-elements",
    "too-deep",
  };

  if (g_test_subprocess ())
    {
      const char *which = g_getenv ("TH_TLV_MISUSE");
      g_auto(ThTlvWriter) writer = { 0 };
      static const guint8 two[] = { 0x04, 0x01, 0x04, 0x02 };
      static const guint8 garbage[] = { 0x15, 0x04 };
      static const guint8 tagged[] = { 0x24, 0x01, 0x01 };

      th_tlv_writer_init (&writer);
      if (g_str_equal (which, "anonymous-in-structure"))
        {
          th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
          th_tlv_writer_put_uint (&writer, TH_TLV_ANONYMOUS, 1);
        }
      else if (g_str_equal (which, "tag-in-array"))
        {
          th_tlv_writer_start_array (&writer, TH_TLV_ANONYMOUS);
          th_tlv_writer_put_null (&writer, TH_TLV_COMMON (1));
        }
      else if (g_str_equal (which, "raw-tag-in-array"))
        {
          th_tlv_writer_start_array (&writer, TH_TLV_ANONYMOUS);
          th_tlv_writer_put_raw (&writer, tagged, sizeof tagged);
        }
      else if (g_str_equal (which, "context-above-255"))
        th_tlv_writer_put_null (&writer, TH_TLV_CONTEXT (256));
      else if (g_str_equal (which, "end-without-start"))
        th_tlv_writer_end_container (&writer);
      else if (g_str_equal (which, "finish-open"))
        {
          th_tlv_writer_start_list (&writer, TH_TLV_ANONYMOUS);
          g_bytes_unref (th_tlv_writer_finish (&writer));
        }
      else if (g_str_equal (which, "invalid-utf8"))
        th_tlv_writer_put_string (&writer, TH_TLV_ANONYMOUS, "\xc3\x28", -1);
      else if (g_str_equal (which, "raw-garbage"))
        th_tlv_writer_put_raw (&writer, garbage, sizeof garbage);
      else if (g_str_equal (which, "raw-two-elements"))
        th_tlv_writer_put_raw (&writer, two, sizeof two);
      else if (g_str_equal (which, "too-deep"))
        for (guint k = 0; k <= TH_TLV_MAX_DEPTH; k++)
          th_tlv_writer_start_list (&writer, TH_TLV_ANONYMOUS);
      return;
    }

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_setenv ("TH_TLV_MISUSE", cases[k], TRUE);
      g_test_message ("misuse: %s", cases[k]);
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_failed ();
      g_test_trap_assert_stderr ("*CRITICAL*");
    }
}

/* Random trees */

static guint64
random_uint (GRand *rand)
{
  static const guint64 edges[] = {
    0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000,
    0xFFFFFFFF, G_GUINT64_CONSTANT (0x100000000), G_MAXINT64, (guint64) G_MAXINT64 + 1,
    G_MAXUINT64,
  };
  guint64 value;

  if (g_rand_boolean (rand))
    return edges[g_rand_int_range (rand, 0, G_N_ELEMENTS (edges))];
  /* spread over every width */
  value = (guint64) g_rand_int (rand) << 32 | g_rand_int (rand);
  return value >> g_rand_int_range (rand, 0, 64);
}

static ThTlvTag
random_tag (GRand    *rand,
            gboolean  anonymous_allowed)
{
  guint32 number = (guint32) random_uint (rand);

  switch (g_rand_int_range (rand, anonymous_allowed ? 0 : 1, 5))
    {
    case 0:
      return TH_TLV_ANONYMOUS;
    case 1:
      return TH_TLV_CONTEXT (number & 0xFF);
    case 2:
      return TH_TLV_COMMON (number);
    case 3:
      return TH_TLV_IMPLICIT (number);
    default:
      return TH_TLV_FULLY_QUALIFIED ((guint16) g_rand_int (rand), (guint16) g_rand_int (rand),
                                     number);
    }
}

static GBytes *
random_text (GRand *rand)
{
  static const char *pieces[] = { "a", "Z", " ", "\xc3\xbc", "\xe2\x82\xac", "\xf0\x9f\x99\x82" };
  GString *text = g_string_new (NULL);
  guint count = g_rand_int_range (rand, 0, 4) == 0 ? g_rand_int_range (rand, 200, 300)
                                                   : g_rand_int_range (rand, 0, 12);

  for (guint k = 0; k < count; k++)
    g_string_append (text, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
  return g_string_free_to_bytes (text);
}

static GBytes *
random_bytes (GRand *rand)
{
  gsize len = g_rand_int_range (rand, 0, 16) == 0 ? g_rand_int_range (rand, 250, 70000)
                                                 : g_rand_int_range (rand, 0, 8);
  guint8 *data = g_malloc (len + 1);

  for (gsize k = 0; k < len; k++)
    data[k] = (guint8) g_rand_int (rand);
  return g_bytes_new_take (data, len);
}

static Node *
random_node (GRand    *rand,
             ThTlvTag  tag,
             guint     depth)
{
  ThTlvType type = g_rand_int_range (rand, TH_TLV_TYPE_SIGNED_INT,
                                     depth < 5 ? TH_TLV_TYPE_LIST + 1 : TH_TLV_TYPE_STRUCTURE);
  Node *node = node_new (tag, type);

  switch (type)
    {
    case TH_TLV_TYPE_SIGNED_INT:
      node->i = (gint64) random_uint (rand);
      if (g_rand_boolean (rand))
        node->i = node->i >> g_rand_int_range (rand, 0, 64);
      break;
    case TH_TLV_TYPE_UNSIGNED_INT:
      node->u = random_uint (rand);
      break;
    case TH_TLV_TYPE_BOOLEAN:
      node->b = g_rand_boolean (rand);
      break;
    case TH_TLV_TYPE_FLOAT:
      node->single = g_rand_boolean (rand);
      do
        {
          guint64 bits = (guint64) g_rand_int (rand) << 32 | g_rand_int (rand);
          guint32 bits32 = (guint32) bits;
          float f;

          /* NaN payloads may not survive a conversion between widths, so no NaNs */
          if (node->single)
            {
              memcpy (&f, &bits32, sizeof f);
              node->d = f;
            }
          else
            {
              memcpy (&node->d, &bits, sizeof node->d);
            }
        }
      while (isnan (node->d));
      break;
    case TH_TLV_TYPE_UTF8_STRING:
      node->data = random_text (rand);
      break;
    case TH_TLV_TYPE_BYTE_STRING:
      node->data = random_bytes (rand);
      break;
    case TH_TLV_TYPE_NULL:
      break;
    case TH_TLV_TYPE_STRUCTURE:
    case TH_TLV_TYPE_ARRAY:
    case TH_TLV_TYPE_LIST:
      {
        guint count = g_rand_int_range (rand, 0, 5);

        for (guint k = 0; k < count; k++)
          {
            ThTlvTag member_tag = type == TH_TLV_TYPE_ARRAY
                                    ? TH_TLV_ANONYMOUS
                                    : random_tag (rand, type == TH_TLV_TYPE_LIST);

            g_ptr_array_add (node->members, random_node (rand, member_tag, depth + 1));
          }
      }
      break;
    case TH_TLV_TYPE_NONE:
    default:
      g_assert_not_reached ();
    }
  return node;
}

static void
test_random_round_trips (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (th_test_seed ());

  for (guint round = 0; round < 300; round++)
    {
      g_autoptr(GPtrArray) tree = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
      g_autoptr(GPtrArray) decoded = NULL;
      g_autoptr(GBytes) encoded = NULL;
      g_autoptr(GBytes) again = NULL;
      g_autoptr(GError) error = NULL;
      guint count = g_rand_int_range (rand, 1, 4);
      gsize size = 0;

      for (guint k = 0; k < count; k++)
        {
          Node *node = random_node (rand, random_tag (rand, TRUE), 0);

          size += expected_size (node);
          g_ptr_array_add (tree, node);
        }

      encoded = encode_all (tree);
      g_assert_cmpuint (g_bytes_get_size (encoded), ==, size);
      decoded = decode_all (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded),
                            &error);
      g_assert_no_error (error);
      assert_trees_equal (tree, decoded);
      again = encode_all (decoded);
      g_assert_true (g_bytes_equal (encoded, again));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tlv/vectors/decode-encode", test_vectors_decode_encode);
  g_test_add_func ("/tlv/vectors/truncated", test_vectors_truncated);
  g_test_add_func ("/tlv/vectors/concatenated", test_vectors_concatenated);
  g_test_add_func ("/tlv/malformed/reserved-types", test_reserved_types);
  g_test_add_func ("/tlv/malformed/end-of-container", test_end_of_container);
  g_test_add_func ("/tlv/malformed/member-tags", test_member_tags);
  g_test_add_func ("/tlv/malformed/lengths", test_lengths);
  g_test_add_func ("/tlv/malformed/depth", test_depth);
  g_test_add_func ("/tlv/getters/types", test_getters_types);
  g_test_add_func ("/tlv/getters/values", test_getters_values);
  g_test_add_func ("/tlv/getters/overflow", test_getters_overflow);
  g_test_add_func ("/tlv/getters/utf8", test_getters_utf8);
  g_test_add_func ("/tlv/reader/skip-and-elements", test_skip_and_elements);
  g_test_add_func ("/tlv/reader/find-context", test_find_context);
  g_test_add_func ("/tlv/tags", test_tags);
  g_test_add_func ("/tlv/writer/shortest-forms", test_writer_shortest_forms);
  g_test_add_func ("/tlv/writer/raw", test_writer_raw);
  g_test_add_func ("/tlv/writer/misuse", test_writer_misuse);
  g_test_add_func ("/tlv/writer/random-round-trips", test_random_round_trips);

  return g_test_run ();
}
