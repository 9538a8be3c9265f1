/* th-custom-flow-url.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "dcl/th-custom-flow-url.h"
#include "th-error.h"

static gboolean
refuse (GError     **error,
        const char  *flow_url,
        const char  *why)
{
  /* shown as it is when it is a URL, its other bytes escaped */
  g_autofree char *shown = g_strescape (flow_url, NULL);

  g_set_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_URL,
               /* Translators: the manufacturer's address, then why it is refused */
               _("The manufacturer’s setup address “%s” cannot be used: %s"), shown, why);
  return FALSE;
}

/* Which placeholder a pair is, if any, and whether it may be there. */
static gboolean
check_pair (const char            *flow_url,
            const char            *pair,
            gsize                  len,
            guint                  index,
            ThCustomFlowUrlWants  *wants,
            ThCustomFlowUrlWants  *which,
            GError               **error)
{
  const char *equals = memchr (pair, '=', len);
  gsize name_len = equals != NULL ? (gsize) (equals - pair) : len;
  ThCustomFlowUrlWants placeholder = 0;
  g_autofree char *why = NULL;

  *which = 0;
  if (equals == NULL || name_len == 0)
    {
      why = g_strdup_printf (_("query pair %u, “%.*s”, is not of the form key=value."), index + 1,
                             (int) len, pair);
      return refuse (error, flow_url, why);
    }
  if (name_len == 4 && memcmp (pair, "MTop", 4) == 0)
    placeholder = TH_CUSTOM_FLOW_URL_WANTS_PAYLOAD;
  else if (name_len == 4 && memcmp (pair, "MTcu", 4) == 0)
    placeholder = TH_CUSTOM_FLOW_URL_WANTS_CALLBACK;
  else if (name_len >= 2 && pair[0] == 'M' && pair[1] == 'T')
    {
      why = g_strdup_printf (_("the key “%.*s” starts with “MT”, which the Matter specification "
                               "reserves for itself."), (int) name_len, pair);
      return refuse (error, flow_url, why);
    }
  if (placeholder == 0)
    return TRUE;

  if (*wants & placeholder)
    {
      why = g_strdup_printf (_("the key “%.*s” appears more than once."), (int) name_len, pair);
      return refuse (error, flow_url, why);
    }
  if (len - name_len != 2 || equals[1] != '_')
    {
      why = g_strdup_printf (_("the key “%.*s” must have the placeholder “_” as its value, not "
                               "“%.*s”."), (int) name_len, pair, (int) (len - name_len - 1),
                             equals + 1);
      return refuse (error, flow_url, why);
    }
  *wants |= placeholder;
  *which = placeholder;
  return TRUE;
}

/* Checks `flow_url`, and with `out` writes its expansion there. */
static gboolean
walk (const char            *flow_url,
      const char            *payload,
      const char            *callback_url,
      ThCustomFlowUrlWants  *wants,
      GString               *out,
      GError               **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) uri_error = NULL;
  const char *query, *fragment, *end, *pair;
  guint index = 0;

  *wants = 0;
  for (const char *p = flow_url; *p != '\0'; p++)
    {
      if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7F)
        {
          g_autofree char *why = g_strdup_printf (_("character %d is a space, a control "
                                                    "character or not ASCII."),
                                                  (int) (p - flow_url) + 1);

          return refuse (error, flow_url, why);
        }
    }
  uri = g_uri_parse (flow_url, G_URI_FLAGS_ENCODED, &uri_error);
  if (uri == NULL)
    return refuse (error, flow_url, uri_error->message);
  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0)
    return refuse (error, flow_url, _("it is not an https address, and the setup code may only "
                                      "travel encrypted."));
  if (g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return refuse (error, flow_url, _("it names no host."));

  /* Worked on the text itself, so that every byte outside the placeholders stays as it came. */
  fragment = strchr (flow_url, '#');
  end = fragment != NULL ? fragment : flow_url + strlen (flow_url);
  query = memchr (flow_url, '?', (gsize) (end - flow_url));
  if (query == NULL)
    {
      if (out != NULL)
        g_string_append (out, flow_url);
      return TRUE;
    }
  query++;
  if (query == end)
    return refuse (error, flow_url, _("its query is empty."));
  if (out != NULL)
    g_string_append_len (out, flow_url, query - flow_url);

  for (pair = query; pair <= end; index++)
    {
      const char *amp = memchr (pair, '&', (gsize) (end - pair));
      const char *pair_end = amp != NULL ? amp : end;
      ThCustomFlowUrlWants which;
      const char *value = NULL;

      if (!check_pair (flow_url, pair, (gsize) (pair_end - pair), index, wants, &which, error))
        return FALSE;
      if (which == TH_CUSTOM_FLOW_URL_WANTS_PAYLOAD)
        value = payload;
      else if (which == TH_CUSTOM_FLOW_URL_WANTS_CALLBACK)
        value = callback_url;
      if (out != NULL)
        {
          if (index > 0)
            g_string_append_c (out, '&');
          if (value != NULL)
            {
              g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

              g_string_append_printf (out, "%.4s=%s", pair, escaped);
            }
          else
            {
              g_string_append_len (out, pair, pair_end - pair);
            }
        }
      pair = pair_end + 1;
    }
  if (out != NULL)
    g_string_append (out, end);
  return TRUE;
}

gboolean
th_custom_flow_url_check (const char            *flow_url,
                          ThCustomFlowUrlWants  *wants,
                          GError               **error)
{
  ThCustomFlowUrlWants local_wants;

  g_return_val_if_fail (flow_url != NULL, FALSE);

  return walk (flow_url, NULL, NULL, wants != NULL ? wants : &local_wants, NULL, error);
}

char *
th_custom_flow_url_expand (const char  *flow_url,
                           const char  *payload,
                           const char  *callback_url,
                           GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  ThCustomFlowUrlWants wants;

  g_return_val_if_fail (flow_url != NULL, NULL);

  if (!walk (flow_url, payload, callback_url, &wants, out, error))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
bad_callback (GError     **error,
              const char  *why)
{
  g_set_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_CALLBACK,
               _("The return link from the manufacturer’s setup cannot be read: %s"), why);
  return FALSE;
}

gboolean
th_custom_flow_callback_query_parse (const char  *query,
                                     char       **state,
                                     char       **returned_payload,
                                     GError     **error)
{
  g_auto(GStrv) pairs = NULL;
  g_autofree char *found_state = NULL;
  g_autofree char *found_payload = NULL;
  gboolean seen_payload = FALSE;

  g_return_val_if_fail (query != NULL, FALSE);

  pairs = g_strsplit (query, "&", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      char *equals = strchr (pairs[i], '=');
      char **target;
      g_autofree char *value = NULL;

      if (equals == NULL)
        continue;
      *equals = '\0';
      if (g_str_equal (pairs[i], "state"))
        target = &found_state;
      else if (g_str_equal (pairs[i], "MTrop"))
        target = &found_payload;
      else
        continue;
      if (*target != NULL || (target == &found_payload && seen_payload))
        {
          g_autofree char *why = g_strdup_printf (_("the key “%s” appears more than once."),
                                                  pairs[i]);

          return bad_callback (error, why);
        }
      value = g_uri_unescape_string (equals + 1, NULL);
      if (value == NULL || !g_utf8_validate (value, -1, NULL))
        {
          g_autofree char *why = g_strdup_printf (_("the value of “%s” is not escaped text."),
                                                  pairs[i]);

          return bad_callback (error, why);
        }
      if (target == &found_payload)
        {
          seen_payload = TRUE;
          /* still the placeholder: the manufacturer's flow returned no code */
          if (g_str_equal (value, "_"))
            continue;
        }
      *target = g_steal_pointer (&value);
    }
  *state = g_steal_pointer (&found_state);
  *returned_payload = g_steal_pointer (&found_payload);
  return TRUE;
}

char *
th_custom_flow_callback_uri_get_query (const char  *uri,
                                       GError     **error)
{
  g_autoptr(GUri) parsed = NULL;
  const char *path;

  g_return_val_if_fail (uri != NULL, NULL);

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  if (parsed == NULL || g_ascii_strcasecmp (g_uri_get_scheme (parsed), "threshold") != 0
      || g_uri_get_host (parsed) == NULL
      || g_ascii_strcasecmp (g_uri_get_host (parsed), "custom-flow") != 0)
    {
      bad_callback (error, _("it is not a threshold://custom-flow link."));
      return NULL;
    }
  path = g_uri_get_path (parsed);
  if ((path[0] != '\0' && !g_str_equal (path, "/")) || g_uri_get_query (parsed) == NULL)
    {
      bad_callback (error, _("it has another path than threshold://custom-flow, or no query."));
      return NULL;
    }
  return g_strdup (g_uri_get_query (parsed));
}
