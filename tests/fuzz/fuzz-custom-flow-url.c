/* fuzz-custom-flow-url.c: expands arbitrary text as a CommissioningCustomFlowUrl, and reads it
 * as a callback's query and URI, checking the promises of 5.7.3's rules
 *
 * The input is up to three lines: the URL, the onboarding payload, the callback URL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dcl/th-custom-flow-url.h"
#include "th-error.h"

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

static gboolean
printable_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7F)
        return FALSE;
    }
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *input = g_strndup ((const char *) data, size);
  g_auto(GStrv) lines = g_strsplit (input, "\n", 3);
  const char *url = lines[0] != NULL ? lines[0] : "";
  const char *payload = lines[0] != NULL ? lines[1] : NULL;
  const char *callback = payload != NULL ? lines[2] : NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *same = NULL;
  g_autofree char *expanded = NULL;
  g_autofree char *state = NULL;
  g_autofree char *returned = NULL;
  g_autofree char *query = NULL;
  ThCustomFlowUrlWants wants = 0;
  gboolean valid;

  valid = th_custom_flow_url_check (url, &wants, &error);
  if (!valid)
    {
      g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_URL);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_clear_error (&error);
    }
  g_assert_cmpuint (wants & ~(TH_CUSTOM_FLOW_URL_WANTS_PAYLOAD |
                              TH_CUSTOM_FLOW_URL_WANTS_CALLBACK), ==, 0);

  /* nothing to put in: every byte stays */
  same = th_custom_flow_url_expand (url, NULL, NULL, &error);
  g_assert_true ((same != NULL) == valid);
  if (same != NULL)
    g_assert_cmpstr (same, ==, url);
  g_clear_error (&error);

  expanded = th_custom_flow_url_expand (url, payload, callback, &error);
  g_assert_true ((expanded != NULL) == valid);
  if (expanded == NULL)
    {
      g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_URL);
      g_clear_error (&error);
    }
  if (expanded != NULL)
    {
      const char *fragment = strchr (url, '#');
      const char *question = strchr (url, '?');
      gsize head = question != NULL && (fragment == NULL || question < fragment)
                   ? (gsize) (question - url) : strlen (url);

      g_assert_no_error (error);
      /* everything the placeholders do not cover is as it came, escapes keep it a URL */
      g_assert_true (printable_ascii (expanded));
      g_assert_true (strncmp (expanded, url, head) == 0);
      if (fragment != NULL)
        g_assert_true (g_str_has_suffix (expanded, fragment));
      if (wants == 0)
        g_assert_cmpstr (expanded, ==, url);
    }

  if (th_custom_flow_callback_query_parse (input, &state, &returned, &error))
    {
      g_assert_true (state == NULL || g_utf8_validate (state, -1, NULL));
      g_assert_true (returned == NULL || g_utf8_validate (returned, -1, NULL));
      g_assert_true (returned == NULL || !g_str_equal (returned, "_"));
    }
  else
    {
      g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_CALLBACK);
      g_clear_error (&error);
    }

  query = th_custom_flow_callback_uri_get_query (input, &error);
  if (query == NULL)
    g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_CALLBACK);
  return 0;
}
