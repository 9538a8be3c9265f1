/* th-paa-sync.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <sys/stat.h>
#include <utime.h>

#include "credentials/th-attestation-x509.h"
#include "dcl/th-paa-sync.h"
#include "dcl/th-trust-folder.h"
#include "th-error.h"

/* Certificates asked for at once: few enough that none waits long in libsoup's queue. */
#define PARALLEL 4
#define FILE_NAME_LEN (2 * TH_KEY_ID_LEN + 4)

typedef struct
{
  char *name;           /* "<key id>.der" */
  GBytes *der;
} Verified;

typedef struct
{
  char *dir;
  GPtrArray *ids;       /* ThDclCertificateId */
  guint next;
  guint in_flight;
  GPtrArray *verified;  /* Verified */
  GHashTable *keep;     /* file names not to remove: roots that could not be fetched */
  GPtrArray *problems;  /* GError * or NULL, one per root: reported in the ledger's order */
  ThPaaSyncReport *report;
} Sync;

char *
th_paa_default_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "threshold", "paa", NULL);
}

void
th_paa_sync_report_free (ThPaaSyncReport *report)
{
  if (report == NULL)
    return;
  g_ptr_array_unref (report->problems);
  th_dcl_origin_clear (&report->origin);
  g_free (report);
}

static void
verified_free (Verified *verified)
{
  g_free (verified->name);
  g_bytes_unref (verified->der);
  g_free (verified);
}

static void
sync_free (Sync *sync)
{
  g_free (sync->dir);
  g_clear_pointer (&sync->ids, g_ptr_array_unref);
  g_ptr_array_unref (sync->verified);
  g_hash_table_unref (sync->keep);
  for (guint i = 0; i < sync->problems->len; i++)
    {
      GError *problem = g_ptr_array_index (sync->problems, i);

      if (problem != NULL)
        g_error_free (problem);
    }
  g_ptr_array_unref (sync->problems);
  th_paa_sync_report_free (sync->report);
  g_free (sync);
}

/* "6A:FD:22:..." (colons optional) to TH_KEY_ID_LEN bytes. */
static gboolean
parse_key_id (const char *text,
              guint8      id[TH_KEY_ID_LEN])
{
  gsize n = 0;

  for (const char *p = text; *p != '\0';)
    {
      if (*p == ':')
        {
          p++;
          continue;
        }
      if (n == TH_KEY_ID_LEN || !g_ascii_isxdigit (p[0]) || !g_ascii_isxdigit (p[1]))
        return FALSE;
      id[n++] = (guint8) (g_ascii_xdigit_value (p[0]) << 4 | g_ascii_xdigit_value (p[1]));
      p += 2;
    }
  return n == TH_KEY_ID_LEN;
}

static char *
file_name_for (const guint8 id[TH_KEY_ID_LEN])
{
  GString *name = g_string_sized_new (FILE_NAME_LEN + 1);

  for (gsize i = 0; i < TH_KEY_ID_LEN; i++)
    g_string_append_printf (name, "%02X", id[i]);
  g_string_append (name, ".der");
  return g_string_free (name, FALSE);
}

static gboolean
is_our_file_name (const char *name)
{
  if (strlen (name) != FILE_NAME_LEN || !g_str_has_suffix (name, ".der"))
    return FALSE;
  for (gsize i = 0; i < 2 * TH_KEY_ID_LEN; i++)
    {
      if (!g_ascii_isdigit (name[i]) && !(name[i] >= 'A' && name[i] <= 'F'))
        return FALSE;
    }
  return TRUE;
}

/* The one certificate of `certificate` that is the root `id` names, as DER. */
static GBytes *
verify_root (const ThDclCertificateId  *id,
             const ThDclCertificate    *certificate,
             const guint8               key_id[TH_KEY_ID_LEN],
             const X509_NAME           *subject,
             GError                   **error)
{
  g_autoptr(GPtrArray) certs = NULL;
  const guint8 *cert_key_id;
  guint8 *der = NULL;
  X509 *cert;
  int der_len;

  certs = th_x509_list_from_data ((const guint8 *) certificate->pem, strlen (certificate->pem),
                                  error);
  if (certs == NULL)
    return NULL;
  if (certs->len != 1)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_DCL_INVALID,
                   _("the ledger gives %u certificates in one entry."), certs->len);
      return NULL;
    }
  cert = g_ptr_array_index (certs, 0);
  if (!th_x509_get_subject_key_id (cert, &cert_key_id)
      || memcmp (cert_key_id, key_id, TH_KEY_ID_LEN) != 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_DCL_INVALID,
                           _("the certificate’s subject key ID is not the one the ledger lists "
                             "it under."));
      return NULL;
    }
  if (X509_NAME_cmp (X509_get_subject_name (cert), subject) != 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_DCL_INVALID,
                           _("the certificate’s subject is not the one the ledger lists it "
                             "under."));
      return NULL;
    }
  if (X509_check_issued (cert, cert) != X509_V_OK || X509_check_ca (cert) < 1
      || X509_verify (cert, X509_get0_pubkey (cert)) != 1)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_DCL_INVALID,
                           _("the certificate is not a self-signed CA certificate."));
      return NULL;
    }
  der_len = i2d_X509 (cert, &der);
  if (der_len <= 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_DCL_INVALID,
                           _("the certificate cannot be written as DER."));
      return NULL;
    }
  return g_bytes_new_with_free_func (der, (gsize) der_len, (GDestroyNotify) CRYPTO_free, der);
}

static void
add_problem (Sync         *sync,
             guint         index,
             const GError *error)
{
  const ThDclCertificateId *id = g_ptr_array_index (sync->ids, index);

  g_ptr_array_index (sync->problems, index) =
                   g_error_new (error->domain, error->code,
                                /* Translators: a root certificate's key ID, then why */
                                _("The PAA root %s is left out: %s"), id->subject_key_id,
                                error->message);
}

static void
add_name (gpointer key,
          gpointer value,
          gpointer user_data)
{
  g_hash_table_add (user_data, key);
}

static void
write_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Sync *sync = task_data;
  g_autoptr(GHashTable) written = g_hash_table_new (g_str_hash, g_str_equal);
  GError *error = NULL;

  if (!th_trust_folder_ensure (sync->dir, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < sync->verified->len; i++)
    {
      Verified *verified = g_ptr_array_index (sync->verified, i);
      g_autofree char *path = g_build_filename (sync->dir, verified->name, NULL);
      g_autofree char *old = NULL;
      gsize old_len, len;
      const char *der = g_bytes_get_data (verified->der, &len);
      gboolean existed = g_file_get_contents (path, &old, &old_len, NULL);

      g_hash_table_add (written, verified->name);
      if (existed && old_len == len && memcmp (old, der, len) == 0)
        {
          /* the store's age is the time of its newest file: a sync renews it */
          if (g_utime (path, NULL) == 0)
            {
              sync->report->n_unchanged++;
              continue;
            }
        }
      if (!g_file_set_contents_full (path, der, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT,
                                     0644, &error))
        {
          g_task_return_new_error (task, TH_ERROR, TH_ERROR_TRUST_STORE,
                                   _("Could not save “%s”: %s"), path, error->message);
          g_error_free (error);
          return;
        }
      if (existed)
        sync->report->n_updated++;
      else
        sync->report->n_added++;
    }

  /* roots that could not be fetched stay until the ledger can be asked again */
  g_hash_table_foreach (sync->keep, add_name, written);
  if (!th_trust_folder_prune (sync->dir, is_our_file_name, written, TRUE,
                              &sync->report->n_removed, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void fetch_more (GTask *task);

typedef struct
{
  GTask *task;
  guint index;
} Request;

static void
on_certificates (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GTask) task = request->task;
  Sync *sync = g_task_get_task_data (task);
  guint index = request->index;
  const ThDclCertificateId *id = g_ptr_array_index (sync->ids, index);
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *subject_der = NULL;
  X509_NAME *subject = NULL;
  guint8 key_id[TH_KEY_ID_LEN];
  const unsigned char *p;
  gsize subject_len;

  g_free (request);
  sync->in_flight--;
  certificates = th_dcl_client_get_certificates_finish (TH_DCL_CLIENT (source), result, NULL,
                                                        &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      fetch_more (g_steal_pointer (&task));
      return;
    }
  if (!parse_key_id (id->subject_key_id, key_id))
    {
      g_clear_error (&error);
      g_set_error (&error, TH_ERROR, TH_ERROR_DCL_INVALID,
                   _("its subject key ID is not %u bytes in hex."), TH_KEY_ID_LEN);
      add_problem (sync, index, error);
      fetch_more (g_steal_pointer (&task));
      return;
    }
  if (certificates == NULL)
    {
      /* keep what the store had for it until the ledger can be asked again */
      g_hash_table_add (sync->keep, file_name_for (key_id));
      add_problem (sync, index, error);
      fetch_more (g_steal_pointer (&task));
      return;
    }

  subject_der = g_base64_decode (id->subject, &subject_len);
  p = subject_der;
  if (subject_len > 0 && subject_len <= G_MAXLONG)
    subject = d2i_X509_NAME (NULL, &p, (long) subject_len);
  if (subject == NULL || p != subject_der + subject_len)
    {
      g_set_error_literal (&error, TH_ERROR, TH_ERROR_DCL_INVALID,
                           _("its subject is not a DER name in base64."));
      add_problem (sync, index, error);
    }
  else
    {
      GBytes *der = NULL;

      for (guint i = 0; i < certificates->len && der == NULL; i++)
        {
          g_clear_error (&error);
          der = verify_root (id, g_ptr_array_index (certificates, i), key_id, subject, &error);
        }
      if (der != NULL)
        {
          Verified *verified = g_new0 (Verified, 1);

          verified->name = file_name_for (key_id);
          verified->der = der;
          g_ptr_array_add (sync->verified, verified);
        }
      else
        {
          add_problem (sync, index, error);
        }
    }
  X509_NAME_free (subject);
  fetch_more (g_steal_pointer (&task));
}

/* Takes the reference to `task`. */
static void
fetch_more (GTask *task)
{
  Sync *sync = g_task_get_task_data (task);
  ThDclClient *client = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  while (!g_cancellable_is_cancelled (cancellable) && sync->in_flight < PARALLEL
         && sync->next < sync->ids->len)
    {
      const ThDclCertificateId *id = g_ptr_array_index (sync->ids, sync->next);
      Request *request = g_new0 (Request, 1);

      request->task = g_object_ref (task);
      request->index = sync->next++;
      sync->in_flight++;
      th_dcl_client_get_certificates_async (client, id->subject, id->subject_key_id,
                                            cancellable, on_certificates, request);
    }
  /* the files are written on a worker thread, which returns the sync's result */
  if (sync->in_flight == 0 && !g_task_return_error_if_cancelled (task))
    {
      for (guint i = 0; i < sync->problems->len; i++)
        {
          GError *problem = g_ptr_array_index (sync->problems, i);

          if (problem != NULL)
            g_ptr_array_add (sync->report->problems, problem);
          g_ptr_array_index (sync->problems, i) = NULL;
        }
      g_ptr_array_set_size (sync->problems, 0);
      g_task_run_in_thread (task, write_thread);
    }
  g_object_unref (task);
}

static void
on_list (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Sync *sync = g_task_get_task_data (task);
  GError *error = NULL;

  sync->ids = th_dcl_client_get_root_certificates_finish (TH_DCL_CLIENT (source), result,
                                                          &sync->report->origin, &error);
  if (sync->ids == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  sync->report->n_listed = sync->ids->len;
  g_ptr_array_set_size (sync->problems, sync->ids->len);
  fetch_more (task);
}

void
th_paa_sync_async (ThDclClient         *client,
                   const char          *dir,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *task;
  Sync *sync;

  g_return_if_fail (TH_IS_DCL_CLIENT (client));
  g_return_if_fail (dir != NULL);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_paa_sync_async);
  sync = g_new0 (Sync, 1);
  sync->dir = g_strdup (dir);
  sync->verified = g_ptr_array_new_with_free_func ((GDestroyNotify) verified_free);
  sync->keep = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sync->problems = g_ptr_array_new ();
  sync->report = g_new0 (ThPaaSyncReport, 1);
  sync->report->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_task_set_task_data (task, sync, (GDestroyNotify) sync_free);
  th_dcl_client_get_root_certificates_async (client, cancellable, on_list, task);
}

ThPaaSyncReport *
th_paa_sync_finish (GAsyncResult  *result,
                    GError       **error)
{
  Sync *sync;

  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == th_paa_sync_async, NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  sync = g_task_get_task_data (G_TASK (result));
  return g_steal_pointer (&sync->report);
}

/* ---- Listing ---- */

void
th_paa_entry_free (ThPaaEntry *entry)
{
  g_free (entry->file);
  g_free (entry->subject);
  g_free (entry->subject_key_id);
  g_free (entry);
}

/* "CN=Matter Test PAA, vid=FFF1": each attribute in the certificate's order, the Matter ones
 * by their short names. */
static char *
name_to_text (const X509_NAME *name)
{
  GString *text = g_string_new (NULL);

  for (int i = 0; i < X509_NAME_entry_count (name); i++)
    {
      const X509_NAME_ENTRY *entry = X509_NAME_get_entry (name, i);
      const ASN1_OBJECT *object = X509_NAME_ENTRY_get_object (entry);
      unsigned char *value = NULL;
      char oid[64];
      const char *label;
      int len;

      OBJ_obj2txt (oid, sizeof oid, object, 1);
      if (g_str_equal (oid, "1.3.6.1.4.1.37244.2.1"))
        label = "vid";
      else if (g_str_equal (oid, "1.3.6.1.4.1.37244.2.2"))
        label = "pid";
      else if (OBJ_obj2nid (object) != NID_undef)
        label = OBJ_nid2sn (OBJ_obj2nid (object));
      else
        label = oid;
      len = ASN1_STRING_to_UTF8 (&value, X509_NAME_ENTRY_get_data (entry));
      if (i > 0)
        g_string_append (text, ", ");
      g_string_append_printf (text, "%s=", label);
      if (len >= 0 && g_utf8_validate ((const char *) value, len, NULL))
        g_string_append_len (text, (const char *) value, len);
      else
        g_string_append_c (text, '?');
      OPENSSL_free (value);
    }
  return g_string_free (text, FALSE);
}

static ThPaaEntry *
entry_for (const char *file,
           X509       *cert)
{
  ThPaaEntry *entry = g_new0 (ThPaaEntry, 1);
  const guint8 *key_id;
  ThMatterIds ids = { 0 };
  struct tm tm;

  entry->file = g_strdup (file);
  entry->subject = name_to_text (X509_get_subject_name (cert));
  if (th_x509_get_subject_key_id (cert, &key_id))
    {
      GString *text = g_string_new (NULL);

      for (gsize i = 0; i < TH_KEY_ID_LEN; i++)
        g_string_append_printf (text, i > 0 ? ":%02X" : "%02X", key_id[i]);
      entry->subject_key_id = g_string_free (text, FALSE);
    }
  if (th_x509_get_matter_ids (cert, &ids, NULL) && ids.has_vendor_id)
    {
      entry->has_vendor_id = TRUE;
      entry->vendor_id = ids.vendor_id;
    }
  if (ASN1_TIME_to_tm (X509_get0_notAfter (cert), &tm) == 1)
    {
      g_autoptr(GDateTime) expiry = g_date_time_new_utc (tm.tm_year + 1900, tm.tm_mon + 1,
                                                       tm.tm_mday, tm.tm_hour, tm.tm_min,
                                                       tm.tm_sec);

      if (expiry != NULL)
        entry->not_after = g_date_time_to_unix (expiry);
    }
  return entry;
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const ThPaaEntry *x = *(ThPaaEntry **) a;
  const ThPaaEntry *y = *(ThPaaEntry **) b;
  int by_subject = g_strcmp0 (x->subject, y->subject);

  return by_subject != 0 ? by_subject : g_strcmp0 (x->file, y->file);
}

GPtrArray *
th_paa_directory_list (const char  *path,
                       gint64      *updated,
                       guint64     *size,
                       GPtrArray  **warnings,
                       GError     **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (
    (GDestroyNotify) th_paa_entry_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (warnings != NULL, NULL);

  *updated = 0;
  *size = 0;
  if (*warnings == NULL)
    *warnings = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  dir = g_dir_open (path, 0, &local_error);
  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&entries);
      g_set_error (error, TH_ERROR, TH_ERROR_TRUST_STORE, _("Could not read the folder “%s”: %s"),
                   path, local_error->message);
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      g_autoptr(GPtrArray) certs = NULL;
      GStatBuf st;
      gsize len;

      if (g_stat (file, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      if (!g_file_get_contents (file, &contents, &len, &local_error)
          || (certs = th_x509_list_from_data ((const guint8 *) contents, len,
                                              &local_error)) == NULL)
        {
          g_ptr_array_add (*warnings, g_error_new (TH_ERROR, TH_ERROR_TRUST_STORE,
                                                   _("“%s” is left out: %s"), file,
                                                   local_error->message));
          g_clear_error (&local_error);
          continue;
        }
      *updated = MAX (*updated, (gint64) st.st_mtime);
      *size += (guint64) st.st_size;
      for (guint i = 0; i < certs->len; i++)
        g_ptr_array_add (entries, entry_for (name, g_ptr_array_index (certs, i)));
    }
  g_ptr_array_sort (entries, compare_entries);
  return g_steal_pointer (&entries);
}
