/* test-custom-flow.c: the custom commissioning flow (specification 5.7.3): URL expansion
 * against every rule and example, the callback's query and URI, and the flow end to end
 * through its loopback listener and through threshold:// URIs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "dcl/th-custom-flow.h"
#include "dcl/th-custom-flow-url.h"
#include "th-error.h"
#include "th-test-utils.h"

/* ---- Expansion ---- */

#define FLOWS "https://company.domain.example/matter/custom/flows"
#define QR_TEXT "MT:Y.K90AFN00KA0648G00"
#define QR_ESCAPED "MT%3AY.K90AFN00KA0648G00"
#define COMMISSIONER_CALLBACK \
  "https://commissioner.domain.example/cb?token=mAsJ6_vqbr-vjDiG_w%3D%3D&MTrop=_"
#define COMMISSIONER_CALLBACK_ESCAPED \
  "https%3A%2F%2Fcommissioner.domain.example%2Fcb%3Ftoken%3DmAsJ6_vqbr-vjDiG_w%253D%253D" \
  "%26MTrop%3D_"

static void
test_expand_valid (void)
{
  const struct
  {
    const char *why;
    const char *url;
    const char *payload;
    const char *callback;
    const char *expanded;
    ThCustomFlowUrlWants wants;
  } cases[] = {
    /* 5.7.3.3 */
    { "a URL with no query string stays as it is",
      FLOWS "/vFFF1p1234", QR_TEXT, COMMISSIONER_CALLBACK, FLOWS "/vFFF1p1234", 0 },
    { "MTcu and MTop: the callback URL and the QR text with its prefix, escaped",
      FLOWS "?vid=FFF1&pid=1234&MTcu=_&MTop=_", QR_TEXT, COMMISSIONER_CALLBACK,
      FLOWS "?vid=FFF1&pid=1234&MTcu=" COMMISSIONER_CALLBACK_ESCAPED "&MTop=" QR_ESCAPED,
      TH_CUSTOM_FLOW_URL_WANTS_PAYLOAD | TH_CUSTOM_FLOW_URL_WANTS_CALLBACK },
    { "MTop with the manual code, the pairs in another order and kept in it",
      FLOWS "?pid=1234&MTop=_&vid=FFF1", "610403146665521046600", NULL,
      FLOWS "?pid=1234&MTop=610403146665521046600&vid=FFF1", TH_CUSTOM_FLOW_URL_WANTS_PAYLOAD },
    /* the same escaping in the specification's example of an ARL request flow */
    { "the callback escaped as the specification's own example",
      "https://company.domain.example/matter/arl?vid=FFF1&pid=1234&MTcu=_", NULL,
      "https://client.domain.example/cb?token=mAsJ6_vqbr-vjDiG_w%3D%3D&MTaer=_",
      "https://company.domain.example/matter/arl?vid=FFF1&pid=1234&MTcu=https%3A%2F%2Fc"
      "lient.domain.example%2Fcb%3Ftoken%3DmAsJ6_vqbr-vjDiG_w%253D%253D%26MTaer%3D_",
      TH_CUSTOM_FLOW_URL_WANTS_CALLBACK },
    /* the rules */
    { "MTop is not added when the URL has only MTcu",
      FLOWS "?MTcu=_", QR_TEXT, "https://c.example/", FLOWS "?MTcu=https%3A%2F%2Fc.example%2F",
      TH_CUSTOM_FLOW_URL_WANTS_CALLBACK },
    { "MTcu is not added when the URL has only MTop",
      FLOWS "?MTop=_", QR_TEXT, "https://c.example/", FLOWS "?MTop=" QR_ESCAPED,
      TH_CUSTOM_FLOW_URL_WANTS_PAYLOAD },
    { "no callback to give: MTcu=_ stays",
      FLOWS "?MTcu=_&MTop=_", QR_TEXT, NULL, FLOWS "?MTcu=_&MTop=" QR_ESCAPED,
      TH_CUSTOM_FLOW_URL_WANTS_PAYLOAD | TH_CUSTOM_FLOW_URL_WANTS_CALLBACK },
    { "the fragment is kept, placeholders in it untouched",
      FLOWS "?a=1&MTop=_#MTcu=_&x?y", QR_TEXT, "https://c.example/",
      FLOWS "?a=1&MTop=" QR_ESCAPED "#MTcu=_&x?y", TH_CUSTOM_FLOW_URL_WANTS_PAYLOAD },
    { "a fragment without a query",
      FLOWS "#MTop=_", QR_TEXT, NULL, FLOWS "#MTop=_", 0 },
    { "other pairs keep their bytes, escapes, empty values and order",
      FLOWS "?z=%2F%41&MTop=_&empty=&a=b=c&vid=FFF1", "34970112332", NULL,
      FLOWS "?z=%2F%41&MTop=34970112332&empty=&a=b=c&vid=FFF1", TH_CUSTOM_FLOW_URL_WANTS_PAYLOAD },
    { "keys are case-sensitive: mtop is the manufacturer's own",
      FLOWS "?mtop=_&Mtcu=_", QR_TEXT, "https://c.example/", FLOWS "?mtop=_&Mtcu=_", 0 },
    { "a QR text with TLV data goes whole",
      FLOWS "?MTop=_", "MT:Y.K90AFN00KA064IJ3P0IXZB0DK5N1K8SQ1RYCU1-A40", NULL,
      FLOWS "?MTop=MT%3AY.K90AFN00KA064IJ3P0IXZB0DK5N1K8SQ1RYCU1-A40",
      TH_CUSTOM_FLOW_URL_WANTS_PAYLOAD },
    { "the scheme and host in capitals, a port and a path",
      "HTTPS://Vendor.Example:8443/a/b/?MTop=_", "34970112332", NULL,
      "HTTPS://Vendor.Example:8443/a/b/?MTop=34970112332", TH_CUSTOM_FLOW_URL_WANTS_PAYLOAD },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *expanded = NULL;
      ThCustomFlowUrlWants wants = 0xFF;

      g_test_message ("%s", cases[i].why);
      g_assert_true (th_custom_flow_url_check (cases[i].url, &wants, &error));
      g_assert_no_error (error);
      g_assert_cmpint (wants, ==, cases[i].wants);
      expanded = th_custom_flow_url_expand (cases[i].url, cases[i].payload, cases[i].callback,
                                            &error);
      g_assert_no_error (error);
      g_assert_cmpstr (expanded, ==, cases[i].expanded);
    }
}

static void
test_expand_invalid (void)
{
  const struct
  {
    const char *url;
    const char *message;
  } cases[] = {
    /* 5.7.3.3: http is not allowed */
    { "http://company.domain.example/matter/custom/flows/vFFF1p1234", "not an https address" },
    { "ftp://company.domain.example/flows?MTop=_", "not an https address" },
    { FLOWS "?vid=FFF1&MTop=MT:Y.K90AFN00KA0648G00",
      "the key “MTop” must have the placeholder “_” as its value, not “MT:Y.K90AFN00KA0648G00”" },
    { FLOWS "?MTcu=https%3A%2F%2Fother.example", "the key “MTcu” must have the placeholder" },
    { FLOWS "?MTop=", "the key “MTop” must have the placeholder “_” as its value, not “”" },
    { FLOWS "?MTop=__", "the key “MTop” must have the placeholder" },
    { FLOWS "?MTop=_&a=1&MTop=_", "the key “MTop” appears more than once" },
    { FLOWS "?MTcu=_&MTcu=_", "the key “MTcu” appears more than once" },
    { FLOWS "?vid=FFF1&MTza=79", "the key “MTza” starts with “MT”" },
    { FLOWS "?MTrop=_", "the key “MTrop” starts with “MT”" },
    { FLOWS "?MT=1", "the key “MT” starts with “MT”" },
    { FLOWS "?vid&MTop=_", "query pair 1, “vid”, is not of the form key=value" },
    { FLOWS "?MTop=_&&vid=1", "query pair 2, “”, is not of the form key=value" },
    { FLOWS "?MTop=_&", "query pair 2, “”, is not of the form key=value" },
    { FLOWS "?=x&MTop=_", "query pair 1, “=x”, is not of the form key=value" },
    { FLOWS "?", "its query is empty" },
    { FLOWS "?#x", "its query is empty" },
    { "https:///matter/flows?MTop=_", "it names no host" },
    { "https:flows?MTop=_", "it names no host" },
    { "/matter/flows?MTop=_", NULL },
    { "", NULL },
    { FLOWS "?a=b c", "character 55 is a space" },
    { FLOWS "?a=\xc3\xa9", "character 54 is a space, a control character or not ASCII" },
    { FLOWS "?a=\t", "character 54" },
    { FLOWS "?a=%zz&MTop=_", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *expanded = NULL;
      g_autofree char *printable = g_strescape (cases[i].url, NULL);

      g_test_message ("%s", printable);
      g_assert_false (th_custom_flow_url_check (cases[i].url, NULL, &error));
      g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_URL);
      g_clear_error (&error);
      expanded = th_custom_flow_url_expand (cases[i].url, QR_TEXT, "https://c.example/", &error);
      g_assert_null (expanded);
      g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_URL);
      g_assert_true (g_str_has_prefix (error->message, "The manufacturer’s setup address “"));
      if (cases[i].message != NULL && strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s” does not say “%s”", error->message, cases[i].message);
    }
}

static void
test_callback_query (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *query = NULL;

  g_assert_true (th_custom_flow_callback_query_parse ("state=abc-_1&MTrop=" QR_ESCAPED, &state,
                                                      &payload, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "abc-_1");
  g_assert_cmpstr (payload, ==, QR_TEXT);
  g_clear_pointer (&state, g_free);
  g_clear_pointer (&payload, g_free);

  /* the placeholder left as it was: no code returned; other keys and bare words ignored */
  g_assert_true (th_custom_flow_callback_query_parse ("x=1&state=s&flag&MTrop=_&MTfuture=2",
                                                      &state, &payload, &error));
  g_assert_cmpstr (state, ==, "s");
  g_assert_null (payload);
  g_clear_pointer (&state, g_free);

  g_assert_true (th_custom_flow_callback_query_parse ("", &state, &payload, &error));
  g_assert_null (state);
  g_assert_null (payload);

  g_assert_false (th_custom_flow_callback_query_parse ("state=a&state=b", &state, &payload,
                                                       &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_CALLBACK);
  g_assert_nonnull (strstr (error->message, "“state” appears more than once"));
  g_clear_error (&error);
  g_assert_false (th_custom_flow_callback_query_parse ("MTrop=_&state=a&MTrop=MT%3AX", &state,
                                                       &payload, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_CALLBACK);
  g_clear_error (&error);
  g_assert_false (th_custom_flow_callback_query_parse ("state=a&MTrop=%ZZ", &state, &payload,
                                                       &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_CALLBACK);
  g_assert_nonnull (strstr (error->message, "“MTrop” is not escaped text"));
  g_clear_error (&error);
  g_assert_false (th_custom_flow_callback_query_parse ("state=%00", &state, &payload, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_CALLBACK);
  g_clear_error (&error);
  g_assert_false (th_custom_flow_callback_query_parse ("state=%FF", &state, &payload, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_CALLBACK);
  g_clear_error (&error);

  query = th_custom_flow_callback_uri_get_query ("threshold://custom-flow?state=t&MTrop=_",
                                                 &error);
  g_assert_no_error (error);
  g_assert_cmpstr (query, ==, "state=t&MTrop=_");
  g_clear_pointer (&query, g_free);
  query = th_custom_flow_callback_uri_get_query ("THRESHOLD://Custom-Flow/?state=t#ignored",
                                                 &error);
  g_assert_cmpstr (query, ==, "state=t");
  g_clear_pointer (&query, g_free);

  for (guint i = 0; i < 6; i++)
    {
      const char *const bad[] = {
        "threshold://other?state=t", "https://custom-flow/?state=t",
        "threshold://custom-flow/path?state=t", "threshold://custom-flow", "threshold:custom-flow",
        "not a uri",
      };

      query = th_custom_flow_callback_uri_get_query (bad[i], &error);
      g_assert_null (query);
      g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_CALLBACK);
      g_clear_error (&error);
    }
}

/* ---- The flow ---- */

static char *
make_qr (ThCommissioningFlow flow,
         guint32             passcode,
         guint16             discriminator)
{
  g_autoptr(ThSetupPayload) payload = th_setup_payload_new ();
  g_autoptr(GError) error = NULL;
  char *text;

  payload->format = TH_PAYLOAD_FORMAT_QR;
  payload->has_vendor_product = TRUE;
  payload->vendor_id = 0xFFF1;
  payload->product_id = 0x8000;
  payload->flow = flow;
  payload->has_capabilities = TRUE;
  payload->capabilities = TH_DISCOVERY_ON_NETWORK;
  payload->discriminator = discriminator;
  payload->passcode = passcode;
  text = th_setup_payload_encode_qr (payload, &error);
  g_assert_no_error (error);
  return text;
}

typedef struct
{
  GMainLoop *loop;
  SoupSession *session;
  ThCustomFlow *flow;
  GAsyncResult *wait_result;
  GPtrArray *refused;
  guint status;
  char *body;
} Run;

static void
on_refused (ThCustomFlow *flow,
            GError       *error,
            Run          *run)
{
  g_ptr_array_add (run->refused, g_error_copy (error));
}

static void
run_init (Run        *run,
          const char *flow_url,
          const char *code,
          ThCustomFlowReturn return_kind,
          guint       timeout_ms)
{
  g_autoptr(GError) error = NULL;

  run->loop = g_main_loop_new (NULL, FALSE);
  run->session = soup_session_new ();
  run->refused = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  run->flow = th_custom_flow_new (flow_url, code, return_kind, timeout_ms, &error);
  g_assert_no_error (error);
  g_signal_connect (run->flow, "callback-refused", G_CALLBACK (on_refused), run);
}

static void
run_clear (Run *run)
{
  g_clear_object (&run->wait_result);
  g_assert_finalize_object (run->flow);
  g_clear_object (&run->session);
  g_main_loop_unref (run->loop);
  g_ptr_array_unref (run->refused);
  g_free (run->body);
}

static void
on_waited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Run *run = user_data;

  run->wait_result = g_object_ref (result);
  g_main_loop_quit (run->loop);
}

static void
start_wait (Run          *run,
            GCancellable *cancellable)
{
  g_clear_object (&run->wait_result);
  th_custom_flow_wait_async (run->flow, cancellable, on_waited, run);
}

static ThSetupPayload *
finish_wait (Run       *run,
             gboolean  *returned,
             GError   **error)
{
  while (run->wait_result == NULL)
    g_main_loop_run (run->loop);
  return th_custom_flow_wait_finish (run->flow, run->wait_result, returned, error);
}

static void
on_answered (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                              &error);

  g_assert_no_error (error);
  run->status = soup_message_get_status (soup_session_get_async_result_message (
                                           SOUP_SESSION (source), result));
  g_free (run->body);
  run->body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_main_loop_quit (run->loop);
}

/* A browser opening `url`: the status and the page's text. */
static guint
open_url (Run        *run,
          const char *method,
          const char *url)
{
  g_autoptr(SoupMessage) message = soup_message_new (method, url);

  g_assert_nonnull (message);
  run->status = 0;
  soup_session_send_and_read_async (run->session, message, G_PRIORITY_DEFAULT, NULL, on_answered,
                                    run);
  while (run->status == 0)
    g_main_loop_run (run->loop);
  return run->status;
}

/* The flow's callback URL as the manufacturer's flow expands it: `state` in place of the
 * token (NULL: the token), `returned` in MTrop (NULL: left "_"). */
static char *
callback_with (Run        *run,
               const char *state,
               const char *returned)
{
  const char *callback = th_custom_flow_get_callback_url (run->flow);
  const char *start = strstr (callback, "state=") + strlen ("state=");
  const char *end = strchr (start, '&');
  g_autofree char *token = g_strndup (start, (gsize) (end - start));
  g_autofree char *escaped = returned != NULL ? g_uri_escape_string (returned, NULL, FALSE)
                             : g_strdup ("_");
  g_autofree char *base = g_strndup (callback, (gsize) (strchr (callback, '?') - callback));

  return g_strdup_printf ("%s?state=%s&MTrop=%s", base, state != NULL ? state : token, escaped);
}

static void
test_flow_returned_code (void)
{
  g_autofree char *code = make_qr (TH_COMMISSIONING_FLOW_CUSTOM, 20202021, 3840);
  g_autofree char *returned_code = make_qr (TH_COMMISSIONING_FLOW_STANDARD, 34567890, 1234);
  g_autofree char *escaped_code = g_uri_escape_string (code, NULL, FALSE);
  g_autofree char *escaped_callback = NULL;
  g_autofree char *expected_url = NULL;
  g_autofree char *url = NULL;
  g_autoptr(ThSetupPayload) payload = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) pattern = NULL;
  const char *callback;
  gboolean returned = FALSE;
  Run run = { 0 };

  run_init (&run, "https://vendor.example/setup?vid=FFF1&MTop=_&MTcu=_#top", code,
            TH_CUSTOM_FLOW_RETURN_LOOPBACK, 10000);
  callback = th_custom_flow_get_callback_url (run.flow);
  pattern = g_regex_new ("^http://127\\.0\\.0\\.1:[0-9]+/custom-flow\\?state=[A-Za-z0-9_-]{22}"
                         "&MTrop=_$", 0, 0, NULL);
  g_assert_true (g_regex_match (pattern, callback, 0, NULL));
  g_assert_cmpint (th_custom_flow_get_wants (run.flow), ==,
                   TH_CUSTOM_FLOW_URL_WANTS_PAYLOAD | TH_CUSTOM_FLOW_URL_WANTS_CALLBACK);
  escaped_callback = g_uri_escape_string (callback, NULL, FALSE);
  expected_url = g_strdup_printf ("https://vendor.example/setup?vid=FFF1&MTop=%s&MTcu=%s#top",
                                  escaped_code, escaped_callback);
  g_assert_cmpstr (th_custom_flow_get_url (run.flow), ==, expected_url);
  start_wait (&run, NULL);

  /* strangers are refused, and the flow goes on waiting */
  url = callback_with (&run, "AAAAAAAAAAAAAAAAAAAAAA", returned_code);
  g_assert_cmpuint (open_url (&run, "GET", url), ==, SOUP_STATUS_FORBIDDEN);
  g_assert_nonnull (strstr (run.body, "does not carry the one-time token"));
  g_clear_pointer (&url, g_free);
  url = g_strndup (callback, (gsize) (strstr (callback, "state=") - callback));
  g_assert_cmpuint (open_url (&run, "GET", url), ==, SOUP_STATUS_FORBIDDEN);
  g_clear_pointer (&url, g_free);
  url = g_strdup_printf ("%.*s/other", (int) (strstr (callback, "/custom-flow") - callback),
                         callback);
  g_assert_cmpuint (open_url (&run, "GET", url), ==, SOUP_STATUS_NOT_FOUND);
  g_clear_pointer (&url, g_free);
  url = callback_with (&run, NULL, returned_code);
  g_assert_cmpuint (open_url (&run, "POST", url), ==, SOUP_STATUS_METHOD_NOT_ALLOWED);
  g_assert_cmpuint (run.refused->len, ==, 2);
  g_assert_error ((GError *) g_ptr_array_index (run.refused, 0), TH_ERROR,
                  TH_ERROR_CUSTOM_FLOW_TOKEN);
  g_assert_null (run.wait_result);

  /* the manufacturer's flow returns a code for the standard flow */
  g_assert_cmpuint (open_url (&run, "GET", url), ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (run.body, "Threshold has your answer"));
  payload = finish_wait (&run, &returned, &error);
  g_assert_no_error (error);
  g_assert_true (returned);
  g_assert_cmpuint (payload->passcode, ==, 34567890);
  g_assert_cmpuint (payload->discriminator, ==, 1234);
  g_assert_cmpint (payload->flow, ==, TH_COMMISSIONING_FLOW_STANDARD);

  /* a link works once */
  g_assert_cmpuint (open_url (&run, "GET", url), ==, SOUP_STATUS_FORBIDDEN);
  g_assert_nonnull (strstr (run.body, "used already"));
  g_assert_cmpuint (run.refused->len, ==, 3);

  /* waiting again gives the same end */
  g_clear_pointer (&payload, th_setup_payload_free);
  start_wait (&run, NULL);
  payload = finish_wait (&run, &returned, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (payload->passcode, ==, 34567890);

  run_clear (&run);
}

static void
test_flow_own_code (void)
{
  g_autofree char *code = make_qr (TH_COMMISSIONING_FLOW_CUSTOM, 20202021, 3840);
  g_autofree char *url = NULL;
  g_autoptr(ThSetupPayload) payload = NULL;
  g_autoptr(GError) error = NULL;
  gboolean returned = TRUE;
  Run run = { 0 };

  run_init (&run, "https://vendor.example/setup?MTcu=_", code, TH_CUSTOM_FLOW_RETURN_LOOPBACK,
            10000);
  /* the URL does not ask for the code: it does not travel */
  g_assert_null (strstr (th_custom_flow_get_url (run.flow), "MT%3A"));
  start_wait (&run, NULL);
  url = callback_with (&run, NULL, NULL);
  g_assert_cmpuint (open_url (&run, "GET", url), ==, SOUP_STATUS_OK);
  payload = finish_wait (&run, &returned, &error);
  g_assert_no_error (error);
  g_assert_false (returned);
  g_assert_cmpuint (payload->passcode, ==, 20202021);
  g_assert_cmpint (payload->flow, ==, TH_COMMISSIONING_FLOW_CUSTOM);
  run_clear (&run);
}

static void
test_flow_unusable_codes (void)
{
  g_autofree char *code = make_qr (TH_COMMISSIONING_FLOW_CUSTOM, 20202021, 3840);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  Run run = { 0 };

  /* the user's code has a passcode that cannot be used, and none comes back */
  run_init (&run, "https://vendor.example/setup?MTop=_&MTcu=_", "MT:M5L90MP500W-GT68D20",
            TH_CUSTOM_FLOW_RETURN_LOOPBACK, 10000);
  start_wait (&run, NULL);
  url = callback_with (&run, NULL, NULL);
  g_assert_cmpuint (open_url (&run, "GET", url), ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (run.body, "gave no setup code back"));
  g_assert_null (finish_wait (&run, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_NO_CODE);
  g_assert_nonnull (strstr (error->message, "Use the setup code the manufacturer’s page or app "
                                            "shows"));
  g_clear_error (&error);
  g_clear_pointer (&url, g_free);
  run_clear (&run);

  /* the code returned still asks for a custom flow */
  memset (&run, 0, sizeof run);
  run_init (&run, "https://vendor.example/setup?MTop=_&MTcu=_", code,
            TH_CUSTOM_FLOW_RETURN_LOOPBACK, 10000);
  start_wait (&run, NULL);
  url = callback_with (&run, NULL, code);
  g_assert_cmpuint (open_url (&run, "GET", url), ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_null (finish_wait (&run, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_CALLBACK);
  g_assert_nonnull (strstr (error->message, "must be for the standard flow"));
  g_assert_nonnull (strstr (run.body, "must be for the standard flow"));
  g_clear_error (&error);
  g_clear_pointer (&url, g_free);
  run_clear (&run);

  /* not a QR code */
  memset (&run, 0, sizeof run);
  run_init (&run, "https://vendor.example/setup?MTcu=_", code, TH_CUSTOM_FLOW_RETURN_LOOPBACK,
            10000);
  start_wait (&run, NULL);
  url = callback_with (&run, NULL, "34970112332");
  g_assert_cmpuint (open_url (&run, "GET", url), ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_null (finish_wait (&run, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_CALLBACK);
  g_clear_error (&error);
  run_clear (&run);
}

static void
test_flow_timeout (void)
{
  g_autofree char *code = make_qr (TH_COMMISSIONING_FLOW_CUSTOM, 20202021, 3840);
  g_autofree char *returned_code = make_qr (TH_COMMISSIONING_FLOW_STANDARD, 34567890, 1234);
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();
  Run run = { 0 };

  run_init (&run, "https://vendor.example/setup?MTop=_&MTcu=_", code,
            TH_CUSTOM_FLOW_RETURN_LOOPBACK, 200);
  start_wait (&run, NULL);
  g_assert_null (finish_wait (&run, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_EXPIRED);
  g_assert_cmpstr (error->message, ==, "Nothing came back from the manufacturer’s setup within "
                                       "1 second. Add the device again to start over.");
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 200 * 1000);

  /* the right link, too late */
  url = callback_with (&run, NULL, returned_code);
  g_assert_cmpuint (open_url (&run, "GET", url), ==, SOUP_STATUS_GONE);
  g_assert_nonnull (strstr (run.body, "came after Threshold stopped waiting for it"));
  g_assert_cmpuint (run.refused->len, ==, 1);
  g_assert_error ((GError *) g_ptr_array_index (run.refused, 0), TH_ERROR,
                  TH_ERROR_CUSTOM_FLOW_EXPIRED);
  run_clear (&run);
}

static void
test_flow_uri (void)
{
  g_autofree char *code = make_qr (TH_COMMISSIONING_FLOW_CUSTOM, 20202021, 3840);
  g_autofree char *returned_code = make_qr (TH_COMMISSIONING_FLOW_STANDARD, 34567890, 1234);
  g_autofree char *uri = NULL;
  g_autoptr(ThSetupPayload) payload = NULL;
  g_autoptr(GError) error = NULL;
  gboolean returned = FALSE;
  Run run = { 0 };

  run_init (&run, "https://vendor.example/setup?MTop=_&MTcu=_", code, TH_CUSTOM_FLOW_RETURN_URI,
            10000);
  g_assert_true (g_str_has_prefix (th_custom_flow_get_callback_url (run.flow),
                                   "threshold://custom-flow?state="));
  g_assert_true (g_str_has_suffix (th_custom_flow_get_callback_url (run.flow), "&MTrop=_"));
  g_assert_nonnull (strstr (th_custom_flow_get_url (run.flow),
                            "&MTcu=threshold%3A%2F%2Fcustom-flow%3Fstate%3D"));
  start_wait (&run, NULL);

  g_assert_false (th_custom_flow_handle_uri (run.flow, "threshold://custom-flow?state=x&MTrop=_",
                                             &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_TOKEN);
  g_clear_error (&error);
  g_assert_false (th_custom_flow_handle_uri (run.flow, "threshold://elsewhere?state=x", &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_CALLBACK);
  g_clear_error (&error);
  g_assert_cmpuint (run.refused->len, ==, 2);

  uri = callback_with (&run, NULL, returned_code);
  g_assert_true (th_custom_flow_handle_uri (run.flow, uri, &error));
  g_assert_no_error (error);
  payload = finish_wait (&run, &returned, &error);
  g_assert_no_error (error);
  g_assert_true (returned);
  g_assert_cmpuint (payload->passcode, ==, 34567890);
  g_assert_false (th_custom_flow_handle_uri (run.flow, uri, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_TOKEN);
  run_clear (&run);
}

static void
test_flow_without_callback (void)
{
  g_autoptr(ThSetupPayload) payload = NULL;
  g_autoptr(GError) error = NULL;
  gboolean returned = TRUE;
  Run run = { 0 };

  /* a manual code with separators goes into MTop as its digits */
  run_init (&run, "https://vendor.example/setup?MTop=_", " 3497-0112-332 ",
            TH_CUSTOM_FLOW_RETURN_LOOPBACK, 10000);
  g_assert_null (th_custom_flow_get_callback_url (run.flow));
  g_assert_cmpstr (th_custom_flow_get_url (run.flow), ==,
                   "https://vendor.example/setup?MTop=34970112332");
  start_wait (&run, NULL);
  th_custom_flow_resume (run.flow);
  payload = finish_wait (&run, &returned, &error);
  g_assert_no_error (error);
  g_assert_false (returned);
  g_assert_cmpuint (payload->passcode, ==, 20202021);
  /* once ended, nothing changes it */
  th_custom_flow_resume (run.flow);
  g_assert_false (th_custom_flow_handle_uri (run.flow, "threshold://custom-flow?state=x",
                                             &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_TOKEN);
  run_clear (&run);
}

static void
test_flow_cancel_and_refusals (void)
{
  g_autofree char *code = make_qr (TH_COMMISSIONING_FLOW_CUSTOM, 20202021, 3840);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(ThCustomFlow) flow = NULL;
  g_autoptr(ThSetupPayload) payload = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { 0 };

  run_init (&run, "https://vendor.example/setup?MTcu=_", code, TH_CUSTOM_FLOW_RETURN_URI, 10000);
  start_wait (&run, cancellable);
  g_cancellable_cancel (cancellable);
  g_assert_null (finish_wait (&run, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  /* the flow itself goes on */
  start_wait (&run, NULL);
  th_custom_flow_resume (run.flow);
  payload = finish_wait (&run, NULL, &error);
  g_assert_no_error (error);
  run_clear (&run);

  flow = th_custom_flow_new ("http://vendor.example/setup?MTop=_", code,
                             TH_CUSTOM_FLOW_RETURN_LOOPBACK, 1000, &error);
  g_assert_null (flow);
  g_assert_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_URL);
  g_clear_error (&error);
  flow = th_custom_flow_new ("https://vendor.example/setup?MTop=_",
                             "MT:M5L90MP500K64J00000*M5L90U.D010K4J00000",
                             TH_CUSTOM_FLOW_RETURN_LOOPBACK, 1000, &error);
  g_assert_null (flow);
  g_assert_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD);
  g_clear_error (&error);
  flow = th_custom_flow_new ("https://vendor.example/setup?MTop=_", "MT:not a code",
                             TH_CUSTOM_FLOW_RETURN_LOOPBACK, 1000, &error);
  g_assert_null (flow);
  g_assert_true (error->domain == TH_ERROR);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/custom-flow/expand/valid", test_expand_valid);
  g_test_add_func ("/custom-flow/expand/invalid", test_expand_invalid);
  g_test_add_func ("/custom-flow/callback-query", test_callback_query);
  g_test_add_func ("/custom-flow/loopback/returned-code", test_flow_returned_code);
  g_test_add_func ("/custom-flow/loopback/own-code", test_flow_own_code);
  g_test_add_func ("/custom-flow/loopback/unusable-codes", test_flow_unusable_codes);
  g_test_add_func ("/custom-flow/loopback/timeout", test_flow_timeout);
  g_test_add_func ("/custom-flow/uri", test_flow_uri);
  g_test_add_func ("/custom-flow/without-callback", test_flow_without_callback);
  g_test_add_func ("/custom-flow/cancel-and-refusals", test_flow_cancel_and_refusals);
  return g_test_run ();
}
