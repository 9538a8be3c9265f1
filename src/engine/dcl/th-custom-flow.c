/* th-custom-flow.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "crypto/th-crypto.h"
#include "dcl/th-custom-flow.h"
#include "th-error.h"

#define CALLBACK_PATH "/custom-flow"
#define TOKEN_BYTES 16

struct _ThCustomFlow
{
  GObject parent_instance;

  char *code;                 /* as it goes into MTop */
  ThSetupPayload *payload;    /* the user's */
  char *token;
  char *callback_url;
  char *url;                  /* expanded: holds the code */
  ThCustomFlowUrlWants wants;
  guint timeout_ms;
  SoupServer *server;
  GSource *timeout;

  gboolean expired;
  gboolean ended;
  ThSetupPayload *outcome;
  gboolean outcome_returned;
  GError *outcome_error;

  GTask *wait;
  GSource *wait_cancelled;
};

G_DEFINE_FINAL_TYPE (ThCustomFlow, th_custom_flow, G_TYPE_OBJECT)

enum
{
  CALLBACK_REFUSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
wipe_string (char **text)
{
  if (*text == NULL)
    return;
  th_secure_wipe (*text, strlen (*text));
  g_clear_pointer (text, g_free);
}

static void
th_custom_flow_dispose (GObject *object)
{
  ThCustomFlow *self = TH_CUSTOM_FLOW (object);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  if (self->timeout != NULL)
    g_source_destroy (self->timeout);
  g_clear_pointer (&self->timeout, g_source_unref);
  G_OBJECT_CLASS (th_custom_flow_parent_class)->dispose (object);
}

static void
th_custom_flow_finalize (GObject *object)
{
  ThCustomFlow *self = TH_CUSTOM_FLOW (object);

  /* a pending wait holds a reference: there is none left here */
  g_assert (self->wait == NULL);
  wipe_string (&self->code);
  wipe_string (&self->url);
  g_clear_pointer (&self->payload, th_setup_payload_free);
  g_clear_pointer (&self->outcome, th_setup_payload_free);
  g_clear_error (&self->outcome_error);
  g_free (self->token);
  g_free (self->callback_url);
  G_OBJECT_CLASS (th_custom_flow_parent_class)->finalize (object);
}

static void
th_custom_flow_class_init (ThCustomFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = th_custom_flow_dispose;
  object_class->finalize = th_custom_flow_finalize;

  /* A callback was refused; the GError says why. The flow goes on waiting. */
  signals[CALLBACK_REFUSED] = g_signal_new ("callback-refused", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
th_custom_flow_init (ThCustomFlow *self)
{
}

static char *
describe_duration (guint ms)
{
  guint seconds = (ms + 999) / 1000;

  if (seconds >= 60 && seconds % 60 == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute", "%u minutes",
                                         seconds / 60), seconds / 60);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second", "%u seconds", seconds),
                          seconds);
}

/* ---- The end of the flow ---- */

static void
complete_wait (ThCustomFlow *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->wait);

  if (task == NULL)
    return;
  if (self->wait_cancelled != NULL)
    {
      g_source_destroy (self->wait_cancelled);
      g_clear_pointer (&self->wait_cancelled, g_source_unref);
    }
  if (self->outcome_error != NULL)
    g_task_return_error (task, g_error_copy (self->outcome_error));
  else
    g_task_return_pointer (task, th_setup_payload_copy (self->outcome),
                           (GDestroyNotify) th_setup_payload_free);
}

/* Takes `payload` or `error`. */
static void
end (ThCustomFlow   *self,
     ThSetupPayload *payload,
     gboolean        returned,
     GError         *error)
{
  g_assert (!self->ended);

  self->ended = TRUE;
  self->outcome = payload;
  self->outcome_returned = returned;
  self->outcome_error = error;
  if (self->timeout != NULL && !self->expired)
    {
      g_source_destroy (self->timeout);
      g_clear_pointer (&self->timeout, g_source_unref);
    }
  complete_wait (self);
}

static void
end_with_own_code (ThCustomFlow *self)
{
  g_autoptr(GError) error = NULL;

  if (!th_setup_payload_validate (self->payload, &error))
    {
      end (self, NULL, FALSE,
           g_error_new (TH_ERROR, TH_ERROR_CUSTOM_FLOW_NO_CODE,
                        _("The manufacturer’s setup gave no setup code back, and yours cannot be "
                          "used to add the device: %s Use the setup code the manufacturer’s "
                          "page or app shows."), error->message));
      return;
    }
  end (self, th_setup_payload_copy (self->payload), FALSE, NULL);
}

static void
end_with_returned_code (ThCustomFlow *self,
                        const char   *text)
{
  g_autoptr(GPtrArray) payloads = NULL;
  g_autoptr(GError) error = NULL;
  ThSetupPayload *payload;
  const char *why;

  payloads = th_setup_payload_parse_qr (text, &error);
  if (payloads == NULL)
    {
      why = error->message;
      goto refuse;
    }
  if (payloads->len != 1)
    {
      why = _("It is for several devices.");
      goto refuse;
    }
  payload = g_ptr_array_index (payloads, 0);
  if (!th_setup_payload_validate (payload, &error))
    {
      why = error->message;
      goto refuse;
    }
  if (payload->flow != TH_COMMISSIONING_FLOW_STANDARD)
    {
      why = _("It still asks for a custom or user-intent flow, where it must be for the "
              "standard flow.");
      goto refuse;
    }
  end (self, g_ptr_array_steal_index (payloads, 0), TRUE, NULL);
  return;

refuse:
  end (self, NULL, FALSE,
       g_error_new (TH_ERROR, TH_ERROR_CUSTOM_FLOW_CALLBACK,
                    _("The setup code the manufacturer’s setup gave back cannot be used: %s"),
                    why));
}

static gboolean
on_timeout (gpointer user_data)
{
  ThCustomFlow *self = user_data;
  g_autofree char *duration = describe_duration (self->timeout_ms);

  self->expired = TRUE;
  if (!self->ended)
    end (self, NULL, FALSE,
         g_error_new (TH_ERROR, TH_ERROR_CUSTOM_FLOW_EXPIRED,
                      _("Nothing came back from the manufacturer’s setup within %s. Add the "
                        "device again to start over."), duration));
  return G_SOURCE_REMOVE;
}

/* ---- Callbacks ---- */

/* TRUE when the callback was taken: the flow has ended, with its outcome. FALSE when it was
 * refused, with the reason. */
static gboolean
take_callback (ThCustomFlow  *self,
               const char    *query,
               GError       **error)
{
  g_autofree char *state = NULL;
  char *returned = NULL;
  gsize token_len = strlen (self->token);

  if (!th_custom_flow_callback_query_parse (query, &state, &returned, error))
    goto refused;
  if (state == NULL || strlen (state) != token_len
      || !th_constant_time_equal (state, self->token, token_len))
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_TOKEN,
                           _("This return link does not carry the one-time token of the setup "
                             "Threshold started, so it is refused."));
      goto refused;
    }
  if (self->expired)
    {
      g_autofree char *duration = describe_duration (self->timeout_ms);

      g_set_error (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_EXPIRED,
                   _("This return link came after Threshold stopped waiting for it (%s), so it "
                     "is refused. Add the device again to start over."), duration);
      goto refused;
    }
  if (self->ended)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_TOKEN,
                           _("This return link was used already, and it works only once."));
      goto refused;
    }

  if (returned != NULL)
    end_with_returned_code (self, returned);
  else
    end_with_own_code (self);
  wipe_string (&returned);
  return TRUE;

refused:
  wipe_string (&returned);
  g_signal_emit (self, signals[CALLBACK_REFUSED], 0, *error);
  return FALSE;
}

gboolean
th_custom_flow_handle_uri (ThCustomFlow  *self,
                           const char    *uri,
                           GError       **error)
{
  g_autofree char *query = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (TH_IS_CUSTOM_FLOW (self), FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);

  query = th_custom_flow_callback_uri_get_query (uri, &local_error);
  if (query == NULL)
    {
      g_signal_emit (self, signals[CALLBACK_REFUSED], 0, local_error);
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (!take_callback (self, query, &local_error))
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static void
respond (SoupServerMessage *message,
         guint              status,
         const char        *text)
{
  g_autofree char *body = g_strdup_printf ("%s\n", text);

  soup_server_message_set_status (message, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                "Cache-Control", "no-store");
  soup_server_message_set_response (message, "text/plain; charset=utf-8", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

static void
on_request (SoupServer        *server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *form,
            gpointer           user_data)
{
  ThCustomFlow *self = user_data;
  const char *method = soup_server_message_get_method (message);
  const char *query = g_uri_get_query (soup_server_message_get_uri (message));
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (path, CALLBACK_PATH))
    {
      respond (message, SOUP_STATUS_NOT_FOUND, _("There is nothing here."));
      return;
    }
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      respond (message, SOUP_STATUS_METHOD_NOT_ALLOWED, _("Only GET is answered here."));
      return;
    }
  if (!take_callback (self, query != NULL ? query : "", &error))
    {
      respond (message,
               g_error_matches (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_EXPIRED)
               ? SOUP_STATUS_GONE
               : g_error_matches (error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_TOKEN)
               ? SOUP_STATUS_FORBIDDEN : SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }
  if (g_error_matches (self->outcome_error, TH_ERROR, TH_ERROR_CUSTOM_FLOW_CALLBACK))
    respond (message, SOUP_STATUS_BAD_REQUEST, self->outcome_error->message);
  else if (self->outcome_error != NULL)
    respond (message, SOUP_STATUS_OK, self->outcome_error->message);
  else
    respond (message, SOUP_STATUS_OK,
             _("Threshold has your answer. Go back to Threshold to finish adding the device; "
               "you can close this page."));
}

/* ---- Setting up ---- */

/* The code as it goes into MTop: a QR code's own text with its "MT:" prefix, or a manual
 * code's digits. */
static char *
code_for_url (const char           *code,
              const ThSetupPayload *payload)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (code));
  GString *out = g_string_new (NULL);

  if (payload->format == TH_PAYLOAD_FORMAT_MANUAL)
    {
      for (const char *p = trimmed; *p != '\0'; p++)
        if (g_ascii_isdigit (*p))
          g_string_append_c (out, *p);
    }
  else
    {
      /* one '%'-separated segment of a longer text, as th_setup_payload_parse reads it */
      const char *start = strstr (trimmed, "MT:");
      const char *stop = start != NULL ? strchr (start, '%') : NULL;

      if (start == NULL)
        start = trimmed;
      g_string_append_len (out, start, stop != NULL ? stop - start : (gssize) strlen (start));
    }
  th_secure_wipe (trimmed, strlen (trimmed));
  return g_string_free (out, FALSE);
}

static char *
new_token (GError **error)
{
  guint8 bytes[TOKEN_BYTES];
  g_autofree char *base64 = NULL;

  if (!th_random_bytes (bytes, sizeof bytes, error))
    return NULL;
  base64 = g_base64_encode (bytes, sizeof bytes);
  /* base64url without padding: only characters a URL carries as they are */
  g_strdelimit (base64, "+", '-');
  g_strdelimit (base64, "/", '_');
  *strchr (base64, '=') = '\0';
  return g_steal_pointer (&base64);
}

static gboolean
listen_on_loopback (ThCustomFlow  *self,
                    GError       **error)
{
  GSList *uris;
  guint port;

  self->server = soup_server_new ("server-header", "Threshold ", NULL);
  soup_server_add_handler (self->server, NULL, on_request, self, NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return FALSE;
  uris = soup_server_get_uris (self->server);
  port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  self->callback_url = g_strdup_printf ("http://127.0.0.1:%u" CALLBACK_PATH
                                        "?state=%s&MTrop=_", port, self->token);
  return TRUE;
}

ThCustomFlow *
th_custom_flow_new (const char          *flow_url,
                    const char          *code,
                    ThCustomFlowReturn   return_kind,
                    guint                timeout_ms,
                    GError             **error)
{
  g_autoptr(ThCustomFlow) self = NULL;
  g_autoptr(GPtrArray) payloads = NULL;

  g_return_val_if_fail (flow_url != NULL, NULL);
  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (timeout_ms > 0, NULL);

  self = g_object_new (TH_TYPE_CUSTOM_FLOW, NULL);
  self->timeout_ms = timeout_ms;
  if (!th_custom_flow_url_check (flow_url, &self->wants, error))
    return NULL;
  payloads = th_setup_payload_parse (code, error);
  if (payloads == NULL)
    return NULL;
  if (payloads->len != 1)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_PAYLOAD_FIELD,
                   _("The code is for %u devices; a manufacturer’s setup is for one."),
                   payloads->len);
      return NULL;
    }
  self->payload = g_ptr_array_steal_index (payloads, 0);
  self->code = code_for_url (code, self->payload);

  /* made even when the URL asks for no callback: then no link can carry it */
  self->token = new_token (error);
  if (self->token == NULL)
    return NULL;
  if (self->wants & TH_CUSTOM_FLOW_URL_WANTS_CALLBACK)
    {
      if (return_kind == TH_CUSTOM_FLOW_RETURN_LOOPBACK)
        {
          if (!listen_on_loopback (self, error))
            return NULL;
        }
      else
        {
          self->callback_url = g_strdup_printf (TH_CUSTOM_FLOW_CALLBACK_URI
                                                "?state=%s&MTrop=_", self->token);
        }
    }

  self->url = th_custom_flow_url_expand (flow_url, self->code, self->callback_url, error);
  if (self->url == NULL)
    return NULL;
  self->timeout = g_timeout_source_new (timeout_ms);
  g_source_set_callback (self->timeout, on_timeout, self, NULL);
  g_source_attach (self->timeout, g_main_context_get_thread_default ());
  return g_steal_pointer (&self);
}

const char *
th_custom_flow_get_url (ThCustomFlow *self)
{
  g_return_val_if_fail (TH_IS_CUSTOM_FLOW (self), NULL);

  return self->url;
}

const char *
th_custom_flow_get_callback_url (ThCustomFlow *self)
{
  g_return_val_if_fail (TH_IS_CUSTOM_FLOW (self), NULL);

  return self->callback_url;
}

ThCustomFlowUrlWants
th_custom_flow_get_wants (ThCustomFlow *self)
{
  g_return_val_if_fail (TH_IS_CUSTOM_FLOW (self), 0);

  return self->wants;
}

void
th_custom_flow_resume (ThCustomFlow *self)
{
  g_return_if_fail (TH_IS_CUSTOM_FLOW (self));

  if (!self->ended)
    end_with_own_code (self);
}

static gboolean
on_wait_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  ThCustomFlow *self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->wait);

  g_source_destroy (self->wait_cancelled);
  g_clear_pointer (&self->wait_cancelled, g_source_unref);
  g_task_return_error_if_cancelled (task);
  return G_SOURCE_REMOVE;
}

void
th_custom_flow_wait_async (ThCustomFlow        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TH_IS_CUSTOM_FLOW (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_custom_flow_wait_async);
  if (self->wait != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The custom flow is already being waited for");
      return;
    }
  self->wait = g_steal_pointer (&task);
  if (self->ended)
    {
      complete_wait (self);
      return;
    }
  if (cancellable != NULL)
    {
      self->wait_cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->wait_cancelled, G_SOURCE_FUNC (on_wait_cancelled), self,
                             NULL);
      g_source_attach (self->wait_cancelled, g_main_context_get_thread_default ());
    }
}

ThSetupPayload *
th_custom_flow_wait_finish (ThCustomFlow  *self,
                            GAsyncResult  *result,
                            gboolean      *returned,
                            GError       **error)
{
  ThSetupPayload *payload;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == th_custom_flow_wait_async,
                        NULL);

  payload = g_task_propagate_pointer (G_TASK (result), error);
  if (payload != NULL && returned != NULL)
    *returned = self->outcome_returned;
  return payload;
}
