/* test-node-admin.c: what looking after a node checks before it sends anything
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The operations themselves run against matter.js devices in tests/interop/test_nodes.py.
 */
#include "config.h"

#include <string.h>

#include "commissioning/th-node-admin.h"
#include "th-error.h"
#include "th-test-utils.h"

#define N_DRAWS 4000

static void
test_random_passcode_valid (void)
{
  guint32 first = 0;
  gboolean varied = FALSE;
  guint low = 0;

  for (guint i = 0; i < N_DRAWS; i++)
    {
      g_autoptr(GError) error = NULL;
      guint32 passcode = 0;

      g_assert_true (th_node_admin_random_passcode (&passcode, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (passcode, >=, 1);
      g_assert_cmpuint (passcode, <=, TH_PASSCODE_MAX);
      g_assert_cmpint (th_passcode_check (passcode), ==, TH_PASSCODE_VALID);
      if (i == 0)
        first = passcode;
      else if (passcode != first)
        varied = TRUE;
      if (passcode <= TH_PASSCODE_MAX / 2)
        low++;
    }
  g_assert_true (varied);
  /* Uniform draws land in the lower half about half the time: 4000 draws stay within
   * 1500..2500 with a probability far above 1 - 1e-50. */
  g_assert_cmpuint (low, >, 1500);
  g_assert_cmpuint (low, <, 2500);
}

static void
test_label_validate (void)
{
  g_autoptr(GError) error = NULL;
  GString *text = g_string_new (NULL);

  g_assert_true (th_node_label_validate ("", NULL));
  g_assert_true (th_node_label_validate ("Kitchen light", NULL));

  for (guint i = 0; i < TH_NODE_LABEL_MAX_LEN; i++)
    g_string_append_c (text, 'x');
  g_assert_true (th_node_label_validate (text->str, NULL));
  g_string_append_c (text, 'x');
  g_assert_false (th_node_label_validate (text->str, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_NODE_LABEL);
  g_assert_nonnull (strstr (error->message, "33 bytes"));
  g_clear_error (&error);
  g_string_free (text, TRUE);

  /* The limit is in bytes of UTF-8, not characters: 16 "é" are 32 bytes, 17 are 34. */
  text = g_string_new (NULL);
  for (guint i = 0; i < 16; i++)
    g_string_append (text, "é");
  g_assert_true (th_node_label_validate (text->str, NULL));
  g_string_append (text, "é");
  g_assert_false (th_node_label_validate (text->str, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_NODE_LABEL);
  g_assert_nonnull (strstr (error->message, "34 bytes"));
  g_clear_error (&error);
  g_string_free (text, TRUE);

  g_assert_false (th_node_label_validate ("bad \xC3\x28 byte", &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_NODE_LABEL);
  g_assert_nonnull (strstr (error->message, "UTF-8"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/node-admin/random-passcode", test_random_passcode_valid);
  g_test_add_func ("/node-admin/label", test_label_validate);

  return g_test_run ();
}
