/* th-dcl-fixture.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "th-dcl-fixture.h"
#include "th-error.h"

typedef struct
{
  char *subject;          /* base64 DER */
  char *subject_key_id;   /* "AB:CD:..." */
  char *subject_as_text;
  char *pem;
} Paa;

typedef struct
{
  ThDclFixture *fixture;
  SoupServerMessage *message;
  guint source_id;
  gulong disconnected_id;
  gboolean gone;
} Delayed;

struct _ThDclFixture
{
  SoupServer *server;
  char *url;
  char *dir;
  JsonObject *routes;
  GHashTable *variables;
  GPtrArray *paas;
  GHashTable *counts;
  GPtrArray *delayed;
  GHashTable *served;  /* path and query -> Served */
  guint failing;
};

typedef struct
{
  char *content_type;
  GBytes *body;
} Served;

static void
served_free (Served *served)
{
  g_free (served->content_type);
  g_bytes_unref (served->body);
  g_free (served);
}

static void
paa_free (Paa *paa)
{
  g_free (paa->subject);
  g_free (paa->subject_key_id);
  g_free (paa->subject_as_text);
  g_free (paa->pem);
  g_free (paa);
}

static void
delayed_free (Delayed *delayed)
{
  g_clear_handle_id (&delayed->source_id, g_source_remove);
  g_clear_signal_handler (&delayed->disconnected_id, delayed->message);
  g_object_unref (delayed->message);
  g_free (delayed);
}

static char *
read_fixture (ThDclFixture *self,
              const char   *name)
{
  g_autofree char *path = g_build_filename (self->dir, name, NULL);
  g_autofree char *contents = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    g_error ("The DCL fixture file %s cannot be read", path);
  g_hash_table_iter_init (&iter, self->variables);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *placeholder = g_strdup_printf ("@%s@", (char *) key);
      g_auto(GStrv) parts = g_strsplit (contents, placeholder, -1);

      g_free (contents);
      contents = g_strjoinv (value, parts);
    }
  return g_steal_pointer (&contents);
}

static void
respond (SoupServerMessage *message,
         guint              status,
         char              *body)
{
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_TAKE, body,
                                    strlen (body));
}

static void
respond_not_found (ThDclFixture      *self,
                   SoupServerMessage *message,
                   guint              status)
{
  respond (message, status, read_fixture (self, "not-found.json"));
}

static void
on_disconnected (SoupServerMessage *message,
                 Delayed           *delayed)
{
  delayed->gone = TRUE;
}

static gboolean
on_delay_over (gpointer user_data)
{
  Delayed *delayed = user_data;

  delayed->source_id = 0;
  if (!delayed->gone)
    soup_server_message_unpause (delayed->message);
  g_ptr_array_remove (delayed->fixture->delayed, delayed);
  return G_SOURCE_REMOVE;
}

/* Headers that promise a whole answer, half of it, and the connection closed. */
static void
cut_connection (SoupServerMessage *message,
                const char        *body)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (message);
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: application/json"
                                           "\r\nContent-Length: %zu\r\n\r\n", strlen (body));
  GOutputStream *out = g_io_stream_get_output_stream (stream);

  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
  g_output_stream_write_all (out, body, strlen (body) / 2, NULL, NULL, NULL);
  g_io_stream_close (stream, NULL, NULL);
}

static char *
root_list (ThDclFixture *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "approvedRootCertificates");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schemaVersion");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "certs");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->paas->len; i++)
    {
      Paa *paa = g_ptr_array_index (self->paas, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "subject");
      json_builder_add_string_value (builder, paa->subject);
      json_builder_set_member_name (builder, "subjectKeyId");
      json_builder_add_string_value (builder, paa->subject_key_id);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static char *
certificate_answer (Paa *paa)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "approvedCertificates");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "subject");
  json_builder_add_string_value (builder, paa->subject);
  json_builder_set_member_name (builder, "subjectKeyId");
  json_builder_add_string_value (builder, paa->subject_key_id);
  json_builder_set_member_name (builder, "certs");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "pemCert");
  json_builder_add_string_value (builder, paa->pem);
  json_builder_set_member_name (builder, "serialNumber");
  json_builder_add_string_value (builder, "1");
  json_builder_set_member_name (builder, "issuer");
  json_builder_add_string_value (builder, paa->subject);
  json_builder_set_member_name (builder, "authorityKeyId");
  json_builder_add_string_value (builder, paa->subject_key_id);
  json_builder_set_member_name (builder, "rootSubject");
  json_builder_add_string_value (builder, paa->subject);
  json_builder_set_member_name (builder, "rootSubjectKeyId");
  json_builder_add_string_value (builder, paa->subject_key_id);
  json_builder_set_member_name (builder, "isRoot");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "owner");
  json_builder_add_string_value (builder, "cosmos1thresholdtests");
  json_builder_set_member_name (builder, "subjectAsText");
  json_builder_add_string_value (builder, paa->subject_as_text);
  json_builder_set_member_name (builder, "approvals");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "schemaVersion");
  json_builder_add_int_value (builder, 0);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* /dcl/pki/certificates/{subject}/{subjectKeyId}, segments unescaped. */
static Paa *
find_paa (ThDclFixture *self,
          const char   *path)
{
  g_auto(GStrv) segments = g_strsplit (path, "/", -1);
  g_autofree char *subject = NULL;
  g_autofree char *key_id = NULL;

  if (g_strv_length (segments) != 6)
    return NULL;
  subject = g_uri_unescape_string (segments[4], NULL);
  key_id = g_uri_unescape_string (segments[5], NULL);
  for (guint i = 0; subject != NULL && key_id != NULL && i < self->paas->len; i++)
    {
      Paa *paa = g_ptr_array_index (self->paas, i);

      if (g_str_equal (paa->subject, subject) && g_str_equal (paa->subject_key_id, key_id))
        return paa;
    }
  return NULL;
}

static void
on_request (SoupServer        *server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *form,
            gpointer           user_data)
{
  ThDclFixture *self = user_data;
  const char *query = g_uri_get_query (soup_server_message_get_uri (message));
  g_autofree char *key = query != NULL ? g_strdup_printf ("%s?%s", path, query)
                         : g_strdup (path);
  JsonObject *route;
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, key));
  Paa *paa;

  g_hash_table_insert (self->counts, g_strdup (key), GUINT_TO_POINTER (count + 1));
  if (self->failing != 0)
    {
      respond_not_found (self, message, self->failing);
      return;
    }
  if (g_hash_table_contains (self->served, key))
    {
      Served *served = g_hash_table_lookup (self->served, key);
      gsize len;
      const char *body = g_bytes_get_data (served->body, &len);

      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, served->content_type, SOUP_MEMORY_COPY, body,
                                        len);
      return;
    }
  if (g_str_equal (key, "/dcl/pki/root-certificates") && self->paas->len > 0)
    {
      respond (message, SOUP_STATUS_OK, root_list (self));
      return;
    }
  if (g_str_has_prefix (path, "/dcl/pki/certificates/") && (paa = find_paa (self, path)) != NULL)
    {
      respond (message, SOUP_STATUS_OK, certificate_answer (paa));
      return;
    }
  if (!json_object_has_member (self->routes, key))
    {
      respond_not_found (self, message, SOUP_STATUS_NOT_FOUND);
      return;
    }

  route = json_object_get_object_member (self->routes, key);
  if (json_object_get_boolean_member_with_default (route, "cut", FALSE))
    {
      g_autofree char *body = read_fixture (self, json_object_get_string_member (route, "file"));

      cut_connection (message, body);
      return;
    }
  respond (message, (guint) json_object_get_int_member_with_default (route, "status", 200),
           read_fixture (self, json_object_get_string_member (route, "file")));
  if (json_object_has_member (route, "delay_ms"))
    {
      Delayed *delayed = g_new0 (Delayed, 1);

      delayed->fixture = self;
      delayed->message = g_object_ref (message);
      delayed->disconnected_id = g_signal_connect (message, "disconnected",
                                                   G_CALLBACK (on_disconnected), delayed);
      delayed->source_id = g_timeout_add ((guint) json_object_get_int_member (route,
                                                                              "delay_ms"),
                                          on_delay_over, delayed);
      g_ptr_array_add (self->delayed, delayed);
      soup_server_message_pause (message);
    }
}

ThDclFixture *
th_dcl_fixture_new (const char  *fixtures_dir,
                    GError     **error)
{
  g_autoptr(ThDclFixture) self = g_new0 (ThDclFixture, 1);
  g_autofree char *routes_path = g_build_filename (fixtures_dir, "routes.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  GSList *uris;

  self->dir = g_strdup (fixtures_dir);
  self->variables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->paas = g_ptr_array_new_with_free_func ((GDestroyNotify) paa_free);
  self->delayed = g_ptr_array_new_with_free_func ((GDestroyNotify) delayed_free);
  self->served = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) served_free);
  if (!json_parser_load_from_file (parser, routes_path, error))
    return NULL;
  self->routes = json_object_ref (json_object_get_object_member (
    json_node_get_object (json_parser_get_root (parser)), "routes"));

  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, NULL, on_request, self, NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return NULL;
  uris = soup_server_get_uris (self->server);
  self->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  th_dcl_fixture_set_variable (self, "FIXTURE_URL", self->url);
  return g_steal_pointer (&self);
}

void
th_dcl_fixture_free (ThDclFixture *self)
{
  if (self == NULL)
    return;
  th_dcl_fixture_stop (self);
  g_clear_object (&self->server);
  g_clear_pointer (&self->delayed, g_ptr_array_unref);
  g_clear_pointer (&self->routes, json_object_unref);
  g_clear_pointer (&self->variables, g_hash_table_unref);
  g_clear_pointer (&self->counts, g_hash_table_unref);
  g_clear_pointer (&self->paas, g_ptr_array_unref);
  g_clear_pointer (&self->served, g_hash_table_unref);
  g_free (self->url);
  g_free (self->dir);
  g_free (self);
}

const char *
th_dcl_fixture_get_url (ThDclFixture *self)
{
  return self->url;
}

void
th_dcl_fixture_set_variable (ThDclFixture *self,
                             const char   *name,
                             const char   *value)
{
  g_hash_table_replace (self->variables, g_strdup (name), g_strdup (value));
}

static gboolean
add_paa (ThDclFixture  *self,
         const char    *pem_path,
         const char    *subject_key_id,
         GError       **error)
{
  g_autofree char *pem = NULL;
  BIO *bio;
  X509 *cert;
  Paa *paa;
  guint8 *der = NULL;
  int der_len;
  char *text;

  if (!g_file_get_contents (pem_path, &pem, NULL, error))
    return FALSE;
  bio = BIO_new_mem_buf (pem, -1);
  cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  BIO_free (bio);
  if (cert == NULL)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_FAILED, "%s holds no PEM certificate", pem_path);
      return FALSE;
    }
  paa = g_new0 (Paa, 1);
  der_len = i2d_X509_NAME (X509_get_subject_name (cert), &der);
  paa->subject = g_base64_encode (der, (gsize) der_len);
  OPENSSL_free (der);
  if (subject_key_id != NULL)
    {
      paa->subject_key_id = g_strdup (subject_key_id);
    }
  else
    {
      const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id (cert);
      GString *hex = g_string_new (NULL);

      for (int i = 0; skid != NULL && i < ASN1_STRING_length (skid); i++)
        g_string_append_printf (hex, i > 0 ? ":%02X" : "%02X", ASN1_STRING_get0_data (skid)[i]);
      paa->subject_key_id = g_string_free (hex, FALSE);
    }
  text = X509_NAME_oneline (X509_get_subject_name (cert), NULL, 0);
  paa->subject_as_text = g_strdup (text);
  OPENSSL_free (text);
  paa->pem = g_steal_pointer (&pem);
  X509_free (cert);
  g_ptr_array_add (self->paas, paa);
  return TRUE;
}

gboolean
th_dcl_fixture_add_paa (ThDclFixture  *self,
                        const char    *pem_path,
                        GError       **error)
{
  return add_paa (self, pem_path, NULL, error);
}

gboolean
th_dcl_fixture_add_paa_as (ThDclFixture  *self,
                           const char    *pem_path,
                           const char    *subject_key_id,
                           GError       **error)
{
  return add_paa (self, pem_path, subject_key_id, error);
}

void
th_dcl_fixture_set_failing (ThDclFixture *self,
                            guint         status)
{
  self->failing = status;
}

guint
th_dcl_fixture_count_requests (ThDclFixture *self,
                               const char   *path_and_query)
{
  GHashTableIter iter;
  gpointer count;
  guint total = 0;

  if (path_and_query != NULL)
    return GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, path_and_query));
  g_hash_table_iter_init (&iter, self->counts);
  while (g_hash_table_iter_next (&iter, NULL, &count))
    total += GPOINTER_TO_UINT (count);
  return total;
}

void
th_dcl_fixture_stop (ThDclFixture *self)
{
  g_ptr_array_set_size (self->delayed, 0);
  if (self->server != NULL)
    soup_server_disconnect (self->server);
}

void
th_dcl_fixture_serve (ThDclFixture *self,
                      const char   *path_and_query,
                      const char   *content_type,
                      GBytes       *body)
{
  Served *served = g_new0 (Served, 1);

  served->content_type = g_strdup (content_type);
  served->body = g_bytes_ref (body);
  g_hash_table_insert (self->served, g_strdup (path_and_query), served);
}
