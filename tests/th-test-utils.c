/* th-test-utils.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "th-test-utils.h"

const char *
th_test_vectors_dir (void)
{
  const char *dir = g_getenv ("TH_VECTORS_DIR");

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    g_error ("TH_VECTORS_DIR does not name the shared vectors directory (%s)",
             dir ? dir : "unset");
  return dir;
}

JsonNode *
th_test_load_vectors (const char *relative_path)
{
  g_autofree char *path = g_build_filename (th_test_vectors_dir (), relative_path, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

GBytes *
th_test_hex_to_bytes (const char *hex)
{
  gsize n = strlen (hex);
  g_autofree guint8 *out = NULL;

  g_assert_true (n % 2 == 0);
  out = g_malloc (n / 2 + 1);
  for (gsize i = 0; i < n / 2; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      g_assert_true (hi >= 0 && lo >= 0);
      out[i] = (guint8) (hi << 4 | lo);
    }
  return g_bytes_new (out, n / 2);
}

char *
th_test_bytes_to_hex (const guint8 *data,
                      gsize         len)
{
  GString *s = g_string_sized_new (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%02x", data[i]);
  return g_string_free (s, FALSE);
}

void
th_test_skip_or_fail (const char *reason)
{
  if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
    {
      g_test_message ("cannot run in CI: %s", reason);
      g_test_fail ();
    }
  else
    {
      g_test_skip (reason);
    }
}

guint32
th_test_seed (void)
{
  const char *env = g_getenv ("TH_TEST_SEED");
  guint32 seed;

  if (env != NULL && *env != '\0')
    seed = (guint32) g_ascii_strtoull (env, NULL, 10);
  else
    seed = g_random_int ();
  g_test_message ("random seed %u (rerun with TH_TEST_SEED=%u)", seed, seed);
  return seed;
}
