/* th-dcl-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "credentials/th-attestation-x509.h"
#include "dcl/th-dcl-cache.h"
#include "dcl/th-dcl-client.h"
#include "th-error.h"

#define SETTINGS_SCHEMA_ID "io.github.threshold.Threshold"
#define READ_CHUNK 65536
/* A ledger whose pages never end is refused rather than followed for ever. */
#define MAX_PAGES 1000

struct _ThDclClient
{
  GObject parent_instance;

  char *base_url;       /* without a trailing slash */
  char *cache_dir;
  SoupSession *session;
  guint timeout_ms;
  gint64 cache_lifetime_s;
  gboolean offline;
};

G_DEFINE_FINAL_TYPE (ThDclClient, th_dcl_client, G_TYPE_OBJECT)

typedef gpointer (*ParseFunc) (const char  *data,
                               gsize        len,
                               GError     **error);

/* What a lookup gives: the parsed record and where it came from. */
typedef struct
{
  gpointer value;
  GDestroyNotify free_value;
  ThDclOrigin origin;
} Answer;

/* One GET of one URL, through the cache. */
typedef struct
{
  char *url;
  gboolean is_crl;        /* a revocation list, published elsewhere than the ledger */
  char *cache_dir;
  char *not_found;        /* the message of a 404 */
  ParseFunc parse;
  GDestroyNotify free_value;

  ThDclCacheEntry *cached;
  GCancellable *request;  /* cancelled by the timeout, or by the caller's cancellable */
  GCancellable *caller;
  gulong caller_handler;
  GSource *timeout;
  gboolean timed_out;
  SoupMessage *message;
  GInputStream *stream;
  GByteArray *body;
  GBytes *answer;
  gpointer value;
  gint64 fetched_at;
} Fetch;

/* ---- Origins and settings ---- */

void
th_dcl_origin_clear (ThDclOrigin *origin)
{
  g_clear_error (&origin->problem);
}

const char *
th_dcl_source_to_string (ThDclSource source)
{
  switch (source)
    {
    case TH_DCL_SOURCE_NETWORK:
      return "network";
    case TH_DCL_SOURCE_CACHE:
      return "cache";
    case TH_DCL_SOURCE_STALE_CACHE:
      return "stale-cache";
    default:
      g_return_val_if_reached (NULL);
    }
}

char *
th_dcl_origin_describe (const ThDclOrigin *origin)
{
  g_autoptr(GDateTime) fetched = g_date_time_new_from_unix_local (origin->fetched_at);
  g_autofree char *when = fetched != NULL ? g_date_time_format (fetched, "%Y-%m-%d %H:%M")
                          : g_strdup ("?");

  switch (origin->source)
    {
    case TH_DCL_SOURCE_NETWORK:
      return g_strdup (_("The compliance ledger’s answer, just now."));
    case TH_DCL_SOURCE_CACHE:
      /* Translators: the date and time the answer was fetched */
      return g_strdup_printf (_("The compliance ledger’s answer of %s, kept on this computer."),
                              when);
    case TH_DCL_SOURCE_STALE_CACHE:
      return g_strdup_printf (_("The compliance ledger’s answer of %s, kept on this computer: the "
                                "ledger could not be asked now. %s"), when,
                              origin->problem != NULL ? origin->problem->message : "");
    default:
      g_return_val_if_reached (NULL);
    }
}

char *
th_dcl_default_base_url (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *override = NULL;

  /* The engine runs without the app installed too (threshold-cli from a build tree): the
   * settings are optional, and GSettings aborts on a schema it cannot find. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SETTINGS_SCHEMA_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "dcl-network")
      || !g_settings_schema_has_key (schema, "dcl-url-override"))
    return g_strdup (TH_DCL_MAIN_NET_URL);

  settings = g_settings_new_full (schema, NULL, NULL);
  override = g_settings_get_string (settings, "dcl-url-override");
  if (override[0] != '\0')
    {
      g_autoptr(GError) error = NULL;

      if (th_dcl_check_base_url (override, &error))
        return g_steal_pointer (&override);
      g_warning ("Ignoring the setting dcl-url-override: %s", error->message);
    }
  /* the enum's values: 0 main, 1 test */
  if (g_settings_get_enum (settings, "dcl-network") == 1)
    return g_strdup (TH_DCL_TEST_NET_URL);
  return g_strdup (TH_DCL_MAIN_NET_URL);
}

gboolean
th_dcl_check_base_url (const char  *url,
                       GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme;

  for (const char *p = url; *p != '\0'; p++)
    {
      if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7F)
        {
          g_autofree char *shown = g_strescape (url, NULL);

          g_set_error (error, TH_ERROR, TH_ERROR_DCL_UNREACHABLE,
                       _("“%s” is not a web address: it holds a space, a control character or "
                         "a character that is not ASCII."), shown);
          return FALSE;
        }
    }
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_DCL_UNREACHABLE, _("“%s” is not a web address: %s"),
                   url, local_error->message);
      return FALSE;
    }
  scheme = g_uri_get_scheme (uri);
  if ((g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
      || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0'
      || g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL
      || g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_DCL_UNREACHABLE,
                   _("“%s” cannot be the address of a compliance ledger: give an http or https "
                     "address with a host and no query, such as %s."), url, TH_DCL_MAIN_NET_URL);
      return FALSE;
    }
  return TRUE;
}

char *
th_dcl_default_cache_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "threshold", "dcl", NULL);
}

/* ---- The client ---- */

static void
th_dcl_client_finalize (GObject *object)
{
  ThDclClient *self = TH_DCL_CLIENT (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->cache_dir, g_free);
  G_OBJECT_CLASS (th_dcl_client_parent_class)->finalize (object);
}

static void
th_dcl_client_class_init (ThDclClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = th_dcl_client_finalize;
}

static void
th_dcl_client_init (ThDclClient *self)
{
  self->session = soup_session_new ();
  soup_session_set_user_agent (self->session, "Threshold/" PACKAGE_VERSION " ");
  self->timeout_ms = TH_DCL_DEFAULT_TIMEOUT_MS;
  self->cache_lifetime_s = TH_DCL_DEFAULT_CACHE_LIFETIME_S;
}

ThDclClient *
th_dcl_client_new (const char *base_url,
                   const char *cache_dir)
{
  ThDclClient *self = g_object_new (TH_TYPE_DCL_CLIENT, NULL);
  gsize len;

  self->base_url = base_url != NULL ? g_strdup (base_url) : th_dcl_default_base_url ();
  len = strlen (self->base_url);
  while (len > 0 && self->base_url[len - 1] == '/')
    self->base_url[--len] = '\0';
  self->cache_dir = cache_dir != NULL ? g_strdup (cache_dir) : th_dcl_default_cache_dir ();
  return self;
}

const char *
th_dcl_client_get_base_url (ThDclClient *self)
{
  g_return_val_if_fail (TH_IS_DCL_CLIENT (self), NULL);

  return self->base_url;
}

void
th_dcl_client_set_timeout (ThDclClient *self,
                           guint        timeout_ms)
{
  g_return_if_fail (TH_IS_DCL_CLIENT (self));
  g_return_if_fail (timeout_ms > 0);

  self->timeout_ms = timeout_ms;
}

void
th_dcl_client_set_cache_lifetime (ThDclClient *self,
                                  gint64       seconds)
{
  g_return_if_fail (TH_IS_DCL_CLIENT (self));
  g_return_if_fail (seconds >= 0);

  self->cache_lifetime_s = seconds;
}

void
th_dcl_client_set_offline (ThDclClient *self,
                           gboolean     offline)
{
  g_return_if_fail (TH_IS_DCL_CLIENT (self));

  self->offline = offline;
}

/* ---- One fetch ---- */

static void
answer_free (Answer *answer)
{
  if (answer->value != NULL)
    answer->free_value (answer->value);
  th_dcl_origin_clear (&answer->origin);
  g_free (answer);
}

static void
stop_request (Fetch *fetch)
{
  if (fetch->timeout != NULL)
    {
      g_source_destroy (fetch->timeout);
      g_clear_pointer (&fetch->timeout, g_source_unref);
    }
  if (fetch->caller_handler != 0)
    {
      g_cancellable_disconnect (fetch->caller, fetch->caller_handler);
      fetch->caller_handler = 0;
    }
  g_clear_object (&fetch->stream);
}

static void
fetch_free (Fetch *fetch)
{
  stop_request (fetch);
  if (fetch->value != NULL)
    fetch->free_value (fetch->value);
  g_clear_pointer (&fetch->cached, th_dcl_cache_entry_free);
  g_clear_object (&fetch->request);
  g_clear_object (&fetch->caller);
  g_clear_object (&fetch->message);
  g_clear_pointer (&fetch->body, g_byte_array_unref);
  g_clear_pointer (&fetch->answer, g_bytes_unref);
  g_free (fetch->url);
  g_free (fetch->cache_dir);
  g_free (fetch->not_found);
  g_free (fetch);
}

static void
return_answer (GTask       *task,
               gpointer     value,
               ThDclSource  source,
               gint64       fetched_at,
               GError      *problem)
{
  Fetch *fetch = g_task_get_task_data (task);
  Answer *answer = g_new0 (Answer, 1);

  answer->value = value;
  answer->free_value = fetch->free_value;
  answer->origin.source = source;
  answer->origin.fetched_at = fetched_at;
  answer->origin.problem = problem;
  g_task_return_pointer (task, answer, (GDestroyNotify) answer_free);
}

/* The ledger could not be asked, or answered badly: the kept answer, if there is one that
 * still parses, with the reason; else the reason. Takes `problem`. */
static void
fail_or_fall_back (GTask  *task,
                   GError *problem)
{
  Fetch *fetch = g_task_get_task_data (task);

  stop_request (fetch);
  if (fetch->cached != NULL)
    {
      gsize len;
      const char *data = g_bytes_get_data (fetch->cached->body, &len);
      g_autoptr(GError) error = NULL;
      gpointer value = fetch->parse (data, len, &error);

      if (value != NULL)
        {
          return_answer (task, value, TH_DCL_SOURCE_STALE_CACHE, fetch->cached->fetched_at,
                         problem);
          return;
        }
      g_debug ("The kept answer for %s no longer parses: %s", fetch->url, error->message);
    }
  g_task_return_error (task, problem);
}

static void
on_cache_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* A cache that cannot be written costs a request next time, nothing more. */
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_debug ("%s", error->message);
  return_answer (task, g_steal_pointer (&fetch->value), TH_DCL_SOURCE_NETWORK, fetch->fetched_at,
                 NULL);
}

static void
write_cache_thread (GTask        *write,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  Fetch *fetch = task_data;
  GError *error = NULL;

  if (th_dcl_cache_write (fetch->cache_dir, fetch->url, fetch->answer, fetch->fetched_at,
                          &error))
    g_task_return_boolean (write, TRUE);
  else
    g_task_return_error (write, error);
}

static void
answer_read (GTask *task)
{
  ThDclClient *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);
  guint status = soup_message_get_status (fetch->message);
  g_autoptr(GTask) write = NULL;
  GError *error = NULL;
  gsize len;
  const char *data;

  stop_request (fetch);
  fetch->answer = g_byte_array_free_to_bytes (g_steal_pointer (&fetch->body));
  if (status == SOUP_STATUS_NOT_FOUND && !fetch->is_crl)
    {
      g_task_return_new_error (task, TH_ERROR, TH_ERROR_DCL_NOT_FOUND, "%s", fetch->not_found);
      return;
    }
  if (status != SOUP_STATUS_OK)
    {
      if (fetch->is_crl)
        error = g_error_new (TH_ERROR, TH_ERROR_DCL_HTTP,
                             _("The server of the revocation list %s answered “%u %s”."),
                             fetch->url, status, soup_message_get_reason_phrase (fetch->message));
      else
        error = g_error_new (TH_ERROR, TH_ERROR_DCL_HTTP,
                             _("The compliance ledger at %s answered “%u %s”."), self->base_url,
                             status, soup_message_get_reason_phrase (fetch->message));
      fail_or_fall_back (task, error);
      return;
    }

  data = g_bytes_get_data (fetch->answer, &len);
  fetch->value = fetch->parse (data != NULL ? data : "", len, &error);
  if (fetch->value == NULL)
    {
      fail_or_fall_back (task, error);
      return;
    }
  fetch->fetched_at = g_get_real_time () / G_USEC_PER_SEC;
  write = g_task_new (NULL, NULL, on_cache_written, g_object_ref (task));
  g_task_set_task_data (write, fetch, NULL);
  g_task_run_in_thread (write, write_cache_thread);
}

/* The request failed: cancelled by the caller, timed out, or the network. Takes `error`. */
static void
request_failed (GTask    *task,
                GError   *error,
                gboolean  in_answer)
{
  ThDclClient *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);
  GError *problem;

  if (fetch->timed_out)
    {
      if (fetch->is_crl)
        problem = g_error_new (TH_ERROR, TH_ERROR_DCL_TIMED_OUT,
                               _("The revocation list %s did not come within %.1f seconds."),
                               fetch->url, self->timeout_ms / 1000.0);
      else
        problem = g_error_new (TH_ERROR, TH_ERROR_DCL_TIMED_OUT,
                               _("The compliance ledger at %s did not answer within %.1f "
                                 "seconds."), self->base_url, self->timeout_ms / 1000.0);
      g_error_free (error);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      stop_request (fetch);
      g_task_return_error (task, error);
      return;
    }
  else
    {
      if (fetch->is_crl)
        problem = g_error_new (TH_ERROR, TH_ERROR_DCL_UNREACHABLE,
                               _("The revocation list %s could not be fetched: %s"), fetch->url,
                               error->message);
      else if (in_answer)
        problem = g_error_new (TH_ERROR, TH_ERROR_DCL_UNREACHABLE,
                               _("The answer of the compliance ledger at %s broke off: %s"),
                               self->base_url, error->message);
      else
        problem = g_error_new (TH_ERROR, TH_ERROR_DCL_UNREACHABLE,
                               _("The compliance ledger at %s could not be reached: %s"),
                               self->base_url, error->message);
      g_error_free (error);
    }
  fail_or_fall_back (task, problem);
}

static void read_more (GTask *task);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ThDclClient *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              &error);

  if (bytes == NULL)
    {
      request_failed (task, error, TRUE);
      return;
    }
  if (g_bytes_get_size (bytes) == 0)
    {
      answer_read (task);
      return;
    }
  if (fetch->body->len + g_bytes_get_size (bytes) > TH_DCL_MAX_ANSWER_SIZE)
    {
      if (fetch->is_crl)
        error = g_error_new (TH_ERROR, TH_ERROR_DCL_INVALID,
                             _("The revocation list %s is larger than %u MiB."), fetch->url,
                             TH_DCL_MAX_ANSWER_SIZE / (1024 * 1024));
      else
        error = g_error_new (TH_ERROR, TH_ERROR_DCL_INVALID,
                             _("The answer of the compliance ledger at %s is larger than %u "
                               "MiB."), self->base_url, TH_DCL_MAX_ANSWER_SIZE / (1024 * 1024));
      fail_or_fall_back (task, error);
      return;
    }
  g_byte_array_append (fetch->body, g_bytes_get_data (bytes, NULL),
                       (guint) g_bytes_get_size (bytes));
  read_more (g_steal_pointer (&task));
}

/* Takes the reference to `task`. */
static void
read_more (GTask *task)
{
  Fetch *fetch = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (fetch->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   fetch->request, on_read, task);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  GError *error = NULL;

  fetch->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (fetch->stream == NULL)
    {
      request_failed (task, error, FALSE);
      g_object_unref (task);
      return;
    }
  fetch->body = g_byte_array_new ();
  read_more (task);
}

static gboolean
on_timeout (gpointer user_data)
{
  Fetch *fetch = user_data;

  fetch->timed_out = TRUE;
  g_cancellable_cancel (fetch->request);
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *caller,
                     GCancellable *request)
{
  g_cancellable_cancel (request);
}

static void
start_request (GTask *task)
{
  ThDclClient *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);

  fetch->message = soup_message_new (SOUP_METHOD_GET, fetch->url);
  if (fetch->message == NULL)
    {
      fail_or_fall_back (task, g_error_new (TH_ERROR, TH_ERROR_DCL_UNREACHABLE,
                                            _("“%s” is not a web address."), fetch->url));
      g_object_unref (task);
      return;
    }
  soup_message_headers_append (soup_message_get_request_headers (fetch->message), "Accept",
                               fetch->is_crl ? "application/pkix-crl" : "application/json");
  fetch->request = g_cancellable_new ();
  if (fetch->caller != NULL)
    fetch->caller_handler = g_cancellable_connect (fetch->caller,
                                                   G_CALLBACK (on_caller_cancelled),
                                                   g_object_ref (fetch->request),
                                                   g_object_unref);
  fetch->timeout = g_timeout_source_new (self->timeout_ms);
  g_source_set_callback (fetch->timeout, on_timeout, fetch, NULL);
  g_source_attach (fetch->timeout, g_task_get_context (task));
  soup_session_send_async (self->session, fetch->message, G_PRIORITY_DEFAULT, fetch->request,
                           on_sent, task);
}

static void
on_cache_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  ThDclClient *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  fetch->cached = g_task_propagate_pointer (G_TASK (result), NULL);
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  /* An answer from the future (a clock set back) is old enough to ask again. */
  if (fetch->cached != NULL && now >= fetch->cached->fetched_at
      && now - fetch->cached->fetched_at < self->cache_lifetime_s)
    {
      gsize len;
      const char *data = g_bytes_get_data (fetch->cached->body, &len);
      g_autoptr(GError) error = NULL;
      gpointer value = fetch->parse (data, len, &error);

      if (value != NULL)
        {
          return_answer (task, value, TH_DCL_SOURCE_CACHE, fetch->cached->fetched_at, NULL);
          g_object_unref (task);
          return;
        }
      g_debug ("The kept answer for %s no longer parses: %s", fetch->url, error->message);
    }
  if (self->offline)
    {
      if (fetch->cached != NULL)
        fail_or_fall_back (task, g_error_new (TH_ERROR, TH_ERROR_DCL_NOT_CACHED,
                                              _("Working offline: the compliance ledger was "
                                                "not asked.")));
      else
        g_task_return_new_error (task, TH_ERROR, TH_ERROR_DCL_NOT_CACHED,
                                 _("Working offline, and no answer of the compliance ledger "
                                   "was kept for %s."), fetch->url);
      g_object_unref (task);
      return;
    }
  start_request (task);
}

static void
read_cache_thread (GTask        *read,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Fetch *fetch = task_data;
  g_autoptr(GError) error = NULL;
  ThDclCacheEntry *entry = th_dcl_cache_read (fetch->cache_dir, fetch->url, &error);

  /* A kept answer that cannot be read counts as none: the ledger is asked again. */
  if (error != NULL)
    g_debug ("%s", error->message);
  g_task_return_pointer (read, entry, (GDestroyNotify) th_dcl_cache_entry_free);
}

/* GETs `url` through the cache; the task returns an Answer. */
static void
fetch_url_async (ThDclClient         *self,
                 char                *url,
                 gboolean             is_crl,
                 char                *not_found,
                 ParseFunc            parse,
                 GDestroyNotify       free_value,
                 gpointer             source_tag,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) read = NULL;
  Fetch *fetch = g_new0 (Fetch, 1);

  g_task_set_source_tag (task, source_tag);
  fetch->url = url;
  fetch->is_crl = is_crl;
  fetch->cache_dir = g_strdup (self->cache_dir);
  fetch->not_found = not_found;
  fetch->parse = parse;
  fetch->free_value = free_value;
  fetch->caller = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);

  read = g_task_new (NULL, NULL, on_cache_read, task);
  g_task_set_task_data (read, fetch, NULL);
  g_task_run_in_thread (read, read_cache_thread);
}

/* GETs `path` under the base URL through the cache. */
static void
fetch_async (ThDclClient         *self,
             const char          *path,
             char                *not_found,
             ParseFunc            parse,
             GDestroyNotify       free_value,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  fetch_url_async (self, g_strconcat (self->base_url, path, NULL), FALSE, not_found, parse,
                   free_value, source_tag, cancellable, callback, user_data);
}

static gpointer
fetch_finish (ThDclClient   *self,
              GAsyncResult  *result,
              gpointer       source_tag,
              ThDclOrigin   *origin,
              GError       **error)
{
  Answer *answer;
  gpointer value;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  answer = g_task_propagate_pointer (G_TASK (result), error);
  if (answer == NULL)
    return NULL;
  value = g_steal_pointer (&answer->value);
  if (origin != NULL)
    {
      *origin = answer->origin;
      answer->origin.problem = NULL;
    }
  answer_free (answer);
  return value;
}

/* ---- Lookups ---- */

static gpointer
parse_model (const char  *data,
             gsize        len,
             GError     **error)
{
  return th_dcl_model_parse (data, len, error);
}

static gpointer
parse_vendor (const char  *data,
              gsize        len,
              GError     **error)
{
  return th_dcl_vendor_parse (data, len, error);
}

static gpointer
parse_root_certificates (const char  *data,
                         gsize        len,
                         GError     **error)
{
  return th_dcl_root_certificates_parse (data, len, error);
}

static gpointer
parse_certificates (const char  *data,
                    gsize        len,
                    GError     **error)
{
  return th_dcl_certificates_parse (data, len, error);
}

void
th_dcl_client_get_model_async (ThDclClient         *self,
                               guint16              vendor_id,
                               guint16              product_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (TH_IS_DCL_CLIENT (self));

  path = g_strdup_printf ("/dcl/model/models/%u/%u", vendor_id, product_id);
  fetch_async (self, path,
               g_strdup_printf (_("The compliance ledger has no model with vendor ID 0x%04X and "
                                  "product ID 0x%04X."), vendor_id, product_id),
               parse_model, (GDestroyNotify) th_dcl_model_free, th_dcl_client_get_model_async,
               cancellable, callback, user_data);
}

ThDclModel *
th_dcl_client_get_model_finish (ThDclClient   *self,
                                GAsyncResult  *result,
                                ThDclOrigin   *origin,
                                GError       **error)
{
  return fetch_finish (self, result, th_dcl_client_get_model_async, origin, error);
}

void
th_dcl_client_get_vendor_async (ThDclClient         *self,
                                guint16              vendor_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (TH_IS_DCL_CLIENT (self));

  path = g_strdup_printf ("/dcl/vendorinfo/vendors/%u", vendor_id);
  fetch_async (self, path,
               g_strdup_printf (_("The compliance ledger has no vendor with ID 0x%04X."),
                                vendor_id),
               parse_vendor, (GDestroyNotify) th_dcl_vendor_free, th_dcl_client_get_vendor_async,
               cancellable, callback, user_data);
}

ThDclVendor *
th_dcl_client_get_vendor_finish (ThDclClient   *self,
                                 GAsyncResult  *result,
                                 ThDclOrigin   *origin,
                                 GError       **error)
{
  return fetch_finish (self, result, th_dcl_client_get_vendor_async, origin, error);
}

void
th_dcl_client_get_root_certificates_async (ThDclClient         *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_return_if_fail (TH_IS_DCL_CLIENT (self));

  fetch_async (self, "/dcl/pki/root-certificates",
               g_strdup (_("The compliance ledger has no list of PAA root certificates.")),
               parse_root_certificates, (GDestroyNotify) g_ptr_array_unref,
               th_dcl_client_get_root_certificates_async, cancellable, callback, user_data);
}

GPtrArray *
th_dcl_client_get_root_certificates_finish (ThDclClient   *self,
                                            GAsyncResult  *result,
                                            ThDclOrigin   *origin,
                                            GError       **error)
{
  return fetch_finish (self, result, th_dcl_client_get_root_certificates_async, origin, error);
}

void
th_dcl_client_get_certificates_async (ThDclClient         *self,
                                      const char          *subject,
                                      const char          *subject_key_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autofree char *escaped_subject = NULL;
  g_autofree char *escaped_key_id = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (TH_IS_DCL_CLIENT (self));
  g_return_if_fail (subject != NULL && subject_key_id != NULL);

  /* the subject is base64, with '/' and '+' in it */
  escaped_subject = g_uri_escape_string (subject, NULL, FALSE);
  escaped_key_id = g_uri_escape_string (subject_key_id, NULL, FALSE);
  path = g_strdup_printf ("/dcl/pki/certificates/%s/%s", escaped_subject, escaped_key_id);
  fetch_async (self, path,
               g_strdup_printf (_("The compliance ledger has no approved certificate with the "
                                  "subject key ID %s."), subject_key_id),
               parse_certificates, (GDestroyNotify) g_ptr_array_unref,
               th_dcl_client_get_certificates_async, cancellable, callback, user_data);
}

GPtrArray *
th_dcl_client_get_certificates_finish (ThDclClient   *self,
                                       GAsyncResult  *result,
                                       ThDclOrigin   *origin,
                                       GError       **error)
{
  return fetch_finish (self, result, th_dcl_client_get_certificates_async, origin, error);
}

/* ---- Revocation points, page after page ---- */

typedef struct
{
  GPtrArray *points;
  char *next_key;
} PointsPage;

static void
points_page_free (PointsPage *page)
{
  g_clear_pointer (&page->points, g_ptr_array_unref);
  g_free (page->next_key);
  g_free (page);
}

static gpointer
parse_points_page (const char  *data,
                   gsize        len,
                   GError     **error)
{
  PointsPage *page = g_new0 (PointsPage, 1);

  page->points = th_dcl_revocation_points_parse (data, len, &page->next_key, error);
  if (page->points == NULL)
    {
      points_page_free (page);
      return NULL;
    }
  return page;
}

typedef struct
{
  char *path;
  char *not_found;
  GPtrArray *points;
  GHashTable *keys_seen;
  ThDclOrigin origin;
  gboolean have_origin;
} Pages;

static void
pages_free (Pages *pages)
{
  g_free (pages->path);
  g_free (pages->not_found);
  g_ptr_array_unref (pages->points);
  g_hash_table_unref (pages->keys_seen);
  th_dcl_origin_clear (&pages->origin);
  g_free (pages);
}

static void on_points_page (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data);

static void
fetch_points_page (GTask      *task,
                   const char *key)
{
  ThDclClient *self = g_task_get_source_object (task);
  Pages *pages = g_task_get_task_data (task);
  g_autofree char *escaped = key != NULL ? g_uri_escape_string (key, NULL, FALSE) : NULL;
  g_autofree char *path = key != NULL ? g_strdup_printf ("%s?pagination.key=%s", pages->path,
                                                         escaped)
                          : g_strdup (pages->path);

  fetch_async (self, path, g_strdup (pages->not_found), parse_points_page,
               (GDestroyNotify) points_page_free, fetch_points_page,
               g_task_get_cancellable (task), on_points_page, task);
}

/* The origin of several pages: the least fresh of them. */
static void
merge_origin (Pages       *pages,
              ThDclOrigin *origin)
{
  if (!pages->have_origin)
    {
      pages->origin = *origin;
      origin->problem = NULL;
      pages->have_origin = TRUE;
      return;
    }
  pages->origin.source = MAX (pages->origin.source, origin->source);
  pages->origin.fetched_at = MIN (pages->origin.fetched_at, origin->fetched_at);
  if (pages->origin.problem == NULL)
    pages->origin.problem = g_steal_pointer (&origin->problem);
}

static void
on_points_page (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  Pages *pages = g_task_get_task_data (task);
  g_auto(ThDclOrigin) origin = { 0 };
  GError *error = NULL;
  PointsPage *page = fetch_finish (TH_DCL_CLIENT (source), result, fetch_points_page, &origin,
                                   &error);
  g_autofree char *next_key = NULL;
  Answer *answer;

  if (page == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_ptr_array_extend_and_steal (pages->points, g_steal_pointer (&page->points));
  next_key = g_steal_pointer (&page->next_key);
  points_page_free (page);
  merge_origin (pages, &origin);

  if (next_key != NULL)
    {
      if (g_hash_table_contains (pages->keys_seen, next_key)
          || g_hash_table_size (pages->keys_seen) >= MAX_PAGES)
        {
          g_task_return_new_error (task, TH_ERROR, TH_ERROR_DCL_INVALID,
                                   _("The compliance ledger’s list of revocation points does "
                                     "not end: its pages lead back to one already read, or "
                                     "there are more than %u."), MAX_PAGES);
          g_object_unref (task);
          return;
        }
      g_hash_table_add (pages->keys_seen, g_strdup (next_key));
      fetch_points_page (task, next_key);
      return;
    }

  answer = g_new0 (Answer, 1);
  answer->value = g_steal_pointer (&pages->points);
  pages->points = g_ptr_array_new ();
  answer->free_value = (GDestroyNotify) g_ptr_array_unref;
  answer->origin = pages->origin;
  pages->origin.problem = NULL;
  g_task_return_pointer (task, answer, (GDestroyNotify) answer_free);
  g_object_unref (task);
}

void
th_dcl_client_get_revocation_points_async (ThDclClient         *self,
                                           const char          *issuer_key_id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  GTask *task;
  Pages *pages;

  g_return_if_fail (TH_IS_DCL_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_dcl_client_get_revocation_points_async);
  pages = g_new0 (Pages, 1);
  pages->points = g_ptr_array_new_with_free_func ((GDestroyNotify) th_dcl_revocation_point_free);
  pages->keys_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (issuer_key_id != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (issuer_key_id, NULL, FALSE);

      pages->path = g_strdup_printf ("/dcl/pki/revocation-points/%s", escaped);
      pages->not_found = g_strdup_printf (_("The compliance ledger has no revocation points for "
                                            "the issuer with the key ID %s."), issuer_key_id);
    }
  else
    {
      pages->path = g_strdup ("/dcl/pki/revocation-points");
      pages->not_found = g_strdup (_("The compliance ledger has no list of revocation "
                                     "points."));
    }
  g_task_set_task_data (task, pages, (GDestroyNotify) pages_free);
  fetch_points_page (task, NULL);
}

GPtrArray *
th_dcl_client_get_revocation_points_finish (ThDclClient   *self,
                                            GAsyncResult  *result,
                                            ThDclOrigin   *origin,
                                            GError       **error)
{
  return fetch_finish (self, result, th_dcl_client_get_revocation_points_async, origin, error);
}

/* A CRL as it comes, DER or PEM: only its shape is checked here, its signature by the caller. */
static gpointer
parse_crl (const char  *data,
           gsize        len,
           GError     **error)
{
  X509_CRL *crl = th_crl_from_data ((const guint8 *) data, len, error);

  if (crl == NULL)
    return NULL;
  X509_CRL_free (crl);
  return g_bytes_new (data, len);
}

void
th_dcl_client_get_crl_async (ThDclClient         *self,
                             const char          *url,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (TH_IS_DCL_CLIENT (self));
  g_return_if_fail (url != NULL);

  fetch_url_async (self, g_strdup (url), TRUE, NULL, parse_crl, (GDestroyNotify) g_bytes_unref,
                   th_dcl_client_get_crl_async, cancellable, callback, user_data);
}

GBytes *
th_dcl_client_get_crl_finish (ThDclClient   *self,
                              GAsyncResult  *result,
                              ThDclOrigin   *origin,
                              GError       **error)
{
  return fetch_finish (self, result, th_dcl_client_get_crl_async, origin, error);
}
