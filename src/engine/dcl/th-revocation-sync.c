/* th-revocation-sync.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "credentials/th-attestation-x509.h"
#include "credentials/th-trust.h"
#include "dcl/th-revocation-sync.h"
#include "dcl/th-trust-folder.h"
#include "th-error.h"

typedef struct
{
  char *name;           /* "<issuer key id>-<hash>.crl" */
  GBytes *der;
} KeptList;

typedef struct
{
  ThPaaStore *paa_store;
  char *dir;
  GPtrArray *points;    /* ThDclRevocationPoint */
  guint next;
  X509 *signer;         /* of the point being fetched */
  guint8 issuer_key_id[TH_KEY_ID_LEN];
  GPtrArray *kept;      /* KeptList */
  JsonBuilder *set;     /* the revocation set, an array being built */
  char *set_json;
  ThRevocationSyncReport *report;
} Sync;

void
th_revocation_sync_report_free (ThRevocationSyncReport *report)
{
  if (report == NULL)
    return;
  g_ptr_array_unref (report->problems);
  th_dcl_origin_clear (&report->origin);
  g_free (report);
}

static void
kept_list_free (KeptList *list)
{
  g_free (list->name);
  g_bytes_unref (list->der);
  g_free (list);
}

static void
sync_free (Sync *sync)
{
  th_paa_store_unref (sync->paa_store);
  g_free (sync->dir);
  g_clear_pointer (&sync->points, g_ptr_array_unref);
  g_clear_pointer (&sync->signer, X509_free);
  g_ptr_array_unref (sync->kept);
  g_object_unref (sync->set);
  g_free (sync->set_json);
  th_revocation_sync_report_free (sync->report);
  g_free (sync);
}

static char *
to_hex (const guint8 *data,
        gsize         len)
{
  GString *text = g_string_sized_new (2 * len + 1);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (text, "%02X", data[i]);
  return g_string_free (text, FALSE);
}

static gboolean
parse_key_id (const char *hex,
              guint8      id[TH_KEY_ID_LEN])
{
  if (hex == NULL || strlen (hex) != 2 * TH_KEY_ID_LEN)
    return FALSE;
  for (gsize i = 0; i < TH_KEY_ID_LEN; i++)
    {
      int high = g_ascii_xdigit_value (hex[2 * i]);
      int low = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (high < 0 || low < 0)
        return FALSE;
      id[i] = (guint8) (high << 4 | low);
    }
  return TRUE;
}

static void
add_problem (Sync                       *sync,
             const ThDclRevocationPoint *point,
             const GError               *error)
{
  g_ptr_array_add (sync->report->problems,
                   g_error_new (error->domain, error->code,
                                /* Translators: a revocation point's label, its issuer's key
                                 * ID, then why it is left out */
                                _("The revocation list “%s” of %s is left out: %s"),
                                point->label != NULL ? point->label : "",
                                point->issuer_subject_key_id != NULL
                                ? point->issuer_subject_key_id : "?", error->message));
}

static gboolean
set_point_error (GError     **error,
                 const char  *message)
{
  g_set_error_literal (error, TH_ERROR, TH_ERROR_REVOCATION_SET, message);
  return FALSE;
}

/* Who signs the point's list, checked to be its issuer and to chain to a trusted root. */
static X509 *
find_signer (Sync                       *sync,
             const ThDclRevocationPoint *point,
             GError                    **error)
{
  g_autoptr(X509) signer = NULL;
  const guint8 *signer_key_id;
  X509 *paa;

  if (point->crl_signer_certificate != NULL)
    {
      g_autoptr(GPtrArray) certs = th_x509_list_from_data (
        (const guint8 *) point->crl_signer_certificate, strlen (point->crl_signer_certificate),
        error);

      if (certs == NULL)
        return NULL;
      if (certs->len != 1)
        {
          set_point_error (error, _("its signer certificate is not one certificate."));
          return NULL;
        }
      signer = g_ptr_array_steal_index (certs, 0);
    }
  else if (point->is_paa)
    {
      paa = th_paa_store_lookup_by_key_id (sync->paa_store, sync->issuer_key_id);
      if (paa == NULL)
        {
          set_point_error (error, _("its PAA is not in the trust store."));
          return NULL;
        }
      X509_up_ref (paa);
      signer = paa;
    }
  else
    {
      set_point_error (error, _("the ledger gives no certificate for its PAI."));
      return NULL;
    }

  /* Lists signed by a delegate of the issuer are refused: only the issuer may revoke. */
  if (!th_x509_get_subject_key_id (signer, &signer_key_id)
      || memcmp (signer_key_id, sync->issuer_key_id, TH_KEY_ID_LEN) != 0)
    {
      set_point_error (error, _("its signer is not the issuer the point names."));
      return NULL;
    }

  if (point->is_paa)
    {
      paa = th_paa_store_lookup_by_key_id (sync->paa_store, sync->issuer_key_id);
      if (paa == NULL || EVP_PKEY_eq (X509_get0_pubkey (paa), X509_get0_pubkey (signer)) != 1)
        {
          set_point_error (error, _("its PAA is not in the trust store."));
          return NULL;
        }
    }
  else
    {
      const guint8 *authority_key_id;

      if (!th_x509_get_authority_key_id (signer, &authority_key_id)
          || (paa = th_paa_store_lookup_by_key_id (sync->paa_store, authority_key_id)) == NULL)
        {
          set_point_error (error, _("the PAA that issued its PAI is not in the trust store."));
          return NULL;
        }
      if (X509_check_issued (paa, signer) != X509_V_OK
          || X509_verify (signer, X509_get0_pubkey (paa)) != 1)
        {
          set_point_error (error, _("its PAI was not issued by the PAA it names."));
          return NULL;
        }
    }
  return g_steal_pointer (&signer);
}

static gint64
asn1_time_to_unix (const ASN1_TIME *time)
{
  struct tm tm;
  g_autoptr(GDateTime) when = NULL;

  if (time == NULL || ASN1_TIME_to_tm (time, &tm) != 1)
    return 0;
  when = g_date_time_new_utc (tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                              tm.tm_min, tm.tm_sec);
  return when != NULL ? g_date_time_to_unix (when) : 0;
}

/* The file is the one the ledger describes: its size, and its digest when the ledger gives one
 * (type 1, SHA-256, is the only one the ledger uses). */
static gboolean
check_file (const ThDclRevocationPoint *point,
            GBytes                     *data,
            GError                    **error)
{
  g_autofree guint8 *digest = NULL;
  guint8 actual[32];
  gsize digest_len = 0, actual_len = sizeof actual;
  g_autoptr(GChecksum) checksum = NULL;

  if (point->data_file_size != 0 && point->data_file_size != g_bytes_get_size (data))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_REVOCATION_SET,
                   _("the list is %zu bytes, and the ledger says %" G_GUINT64_FORMAT "."),
                   g_bytes_get_size (data), point->data_file_size);
      return FALSE;
    }
  if (point->data_digest == NULL)
    return TRUE;
  if (point->data_digest_type != 1)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_REVOCATION_SET,
                   _("the ledger gives its digest of an unknown type (%u)."),
                   point->data_digest_type);
      return FALSE;
    }
  digest = g_base64_decode (point->data_digest, &digest_len);
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  g_checksum_get_digest (checksum, actual, &actual_len);
  if (digest_len != actual_len || memcmp (digest, actual, actual_len) != 0)
    return set_point_error (error, _("the list is not the one the ledger describes: its "
                                     "SHA-256 digest differs."));
  return TRUE;
}

/* Checks the list against its signer and adds what it revokes to the set. */
static gboolean
use_list (Sync                       *sync,
          const ThDclRevocationPoint *point,
          GBytes                     *data,
          GError                    **error)
{
  g_autoptr(X509_CRL) crl = NULL;
  const STACK_OF (X509_REVOKED) *revoked;
  const ASN1_TIME *next_update;
  unsigned char *der = NULL;
  g_autofree char *issuer_name = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *hash = NULL;
  KeptList *kept;
  gint64 this_update;
  int der_len, n;
  gsize len;
  const guint8 *bytes = g_bytes_get_data (data, &len);

  crl = th_crl_from_data (bytes, len, error);
  if (crl == NULL)
    return FALSE;
  if (X509_NAME_cmp (X509_CRL_get_issuer (crl), X509_get_subject_name (sync->signer)) != 0)
    return set_point_error (error, _("the list’s issuer is not the point’s issuer."));
  if (X509_CRL_verify (crl, X509_get0_pubkey (sync->signer)) != 1)
    return set_point_error (error, _("the list’s signature is not valid."));
  if (X509_cmp_current_time (X509_CRL_get0_lastUpdate (crl)) > 0)
    return set_point_error (error, _("the list was issued in the future; check the clock."));
  next_update = X509_CRL_get0_nextUpdate (crl);
  if (next_update != NULL && X509_cmp_current_time (next_update) < 0)
    {
      g_autofree char *when = th_asn1_time_to_string (next_update);

      g_ptr_array_add (sync->report->problems,
                       g_error_new (TH_ERROR, TH_ERROR_REVOCATION_SET,
                                    /* Translators: a revocation point's label, its issuer's
                                     * key ID, a date */
                                    _("The revocation list “%s” of %s is out of date: it "
                                      "should have been replaced on %s. What it revokes is "
                                      "still refused."),
                                    point->label != NULL ? point->label : "",
                                    point->issuer_subject_key_id, when));
    }

  der_len = i2d_X509_NAME (X509_CRL_get_issuer (crl), &der);
  if (der_len <= 0)
    return set_point_error (error, _("the list’s issuer cannot be written as DER."));
  issuer_name = g_base64_encode (der, (gsize) der_len);
  OPENSSL_free (der);
  der = NULL;
  key_id = to_hex (sync->issuer_key_id, TH_KEY_ID_LEN);

  json_builder_begin_object (sync->set);
  json_builder_set_member_name (sync->set, "type");
  json_builder_add_string_value (sync->set, "revocation_set");
  json_builder_set_member_name (sync->set, "issuer_subject_key_id");
  json_builder_add_string_value (sync->set, key_id);
  json_builder_set_member_name (sync->set, "issuer_name");
  json_builder_add_string_value (sync->set, issuer_name);
  json_builder_set_member_name (sync->set, "revoked_serial_numbers");
  json_builder_begin_array (sync->set);
  revoked = X509_CRL_get_REVOKED (crl);
  n = revoked != NULL ? sk_X509_REVOKED_num (revoked) : 0;
  for (int i = 0; i < n; i++)
    {
      const ASN1_INTEGER *serial = X509_REVOKED_get0_serialNumber (
        sk_X509_REVOKED_value (revoked, i));
      g_autofree char *hex = to_hex (ASN1_STRING_get0_data (serial),
                                     (gsize) ASN1_STRING_length (serial));

      json_builder_add_string_value (sync->set, hex);
    }
  json_builder_end_array (sync->set);
  json_builder_end_object (sync->set);

  der_len = i2d_X509_CRL (crl, &der);
  if (der_len <= 0)
    return set_point_error (error, _("the list cannot be written as DER."));
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, point->data_url, -1);
  hash[16] = '\0';
  kept = g_new0 (KeptList, 1);
  kept->name = g_strdup_printf ("%s-%s.crl", key_id, hash);
  kept->der = g_bytes_new_with_free_func (der, (gsize) der_len, (GDestroyNotify) CRYPTO_free,
                                          der);
  g_ptr_array_add (sync->kept, kept);

  sync->report->n_lists++;
  sync->report->n_revoked += (guint) n;
  this_update = asn1_time_to_unix (X509_CRL_get0_lastUpdate (crl));
  if (sync->report->oldest_update == 0 || this_update < sync->report->oldest_update)
    sync->report->oldest_update = this_update;
  return TRUE;
}

static gboolean
write_file (const char  *dir,
            const char  *name,
            const char  *data,
            gsize        len,
            GError     **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) local_error = NULL;

  if (!g_file_set_contents_full (path, data, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                 &local_error))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TRUST_STORE, _("Could not save “%s”: %s"), path,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_list_file_name (const char *name)
{
  return g_str_has_suffix (name, ".crl");
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
  for (guint i = 0; i < sync->kept->len; i++)
    {
      KeptList *kept = g_ptr_array_index (sync->kept, i);
      gsize len;
      const char *der = g_bytes_get_data (kept->der, &len);

      if (!write_file (sync->dir, kept->name, der, len, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      g_hash_table_add (written, kept->name);
    }
  /* the set last: what the commissioner reads is whole, whatever happened before */
  if (!write_file (sync->dir, TH_TRUST_REVOCATION_SET_FILE, sync->set_json,
                   strlen (sync->set_json), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* a list no point names any more is dropped; one that cannot be is harmless: the set
   * written above no longer refers to it */
  if (!th_trust_folder_prune (sync->dir, is_list_file_name, written, FALSE, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void next_point (GTask *task);

static char *
finish_set (JsonBuilder *set)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_end_array (set);
  root = json_builder_get_root (set);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

static void
on_crl (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  GTask *task = user_data;
  Sync *sync = g_task_get_task_data (task);
  const ThDclRevocationPoint *point = g_ptr_array_index (sync->points, sync->next - 1);
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(ThDclOrigin) origin = { 0 };

  data = th_dcl_client_get_crl_finish (TH_DCL_CLIENT (source), result, &origin, &error);
  if (data == NULL || !check_file (point, data, &error) || !use_list (sync, point, data, &error))
    add_problem (sync, point, error);
  else if (origin.problem != NULL)
    g_ptr_array_add (sync->report->problems,
                     g_error_new (TH_ERROR, TH_ERROR_REVOCATION_SET,
                                  _("The revocation list “%s” is the copy kept from before: "
                                    "%s"), point->label != NULL ? point->label : "",
                                  origin.problem->message));
  g_clear_pointer (&sync->signer, X509_free);
  next_point (task);
}

/* Takes the reference to `task`. */
static void
next_point (GTask *task)
{
  Sync *sync = g_task_get_task_data (task);
  ThDclClient *client = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  while (sync->next < sync->points->len)
    {
      const ThDclRevocationPoint *point = g_ptr_array_index (sync->points, sync->next++);
      g_autoptr(GError) error = NULL;
      const char *scheme;

      if (g_task_return_error_if_cancelled (task))
        {
          g_object_unref (task);
          return;
        }
      scheme = point->data_url != NULL ? g_uri_peek_scheme (point->data_url) : NULL;
      if (point->revocation_type != 1)
        set_point_error (&error, _("it is not a certificate revocation list."));
      else if (g_strcmp0 (scheme, "https") != 0 && g_strcmp0 (scheme, "http") != 0)
        set_point_error (&error, _("its address is not an http or https address."));
      else if (!parse_key_id (point->issuer_subject_key_id, sync->issuer_key_id))
        set_point_error (&error, _("its issuer key ID is not 20 bytes in hexadecimal."));
      else
        sync->signer = find_signer (sync, point, &error);
      if (sync->signer == NULL)
        {
          add_problem (sync, point, error);
          continue;
        }
      th_dcl_client_get_crl_async (client, point->data_url, cancellable, on_crl, task);
      return;
    }

  sync->set_json = finish_set (sync->set);
  g_task_run_in_thread (task, write_thread);
  g_object_unref (task);
}

static void
on_points (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  Sync *sync = g_task_get_task_data (task);
  GError *error = NULL;

  sync->points = th_dcl_client_get_revocation_points_finish (TH_DCL_CLIENT (source), result,
                                                             &sync->report->origin, &error);
  if (sync->points == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  sync->report->n_points = sync->points->len;
  next_point (task);
}

void
th_revocation_sync_async (ThDclClient         *client,
                          ThPaaStore          *paa_store,
                          const char          *dir,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;
  Sync *sync;

  g_return_if_fail (TH_IS_DCL_CLIENT (client));
  g_return_if_fail (paa_store != NULL);
  g_return_if_fail (dir != NULL);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_revocation_sync_async);
  sync = g_new0 (Sync, 1);
  sync->paa_store = th_paa_store_ref (paa_store);
  sync->dir = g_strdup (dir);
  sync->kept = g_ptr_array_new_with_free_func ((GDestroyNotify) kept_list_free);
  sync->set = json_builder_new ();
  json_builder_begin_array (sync->set);
  sync->report = g_new0 (ThRevocationSyncReport, 1);
  sync->report->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_task_set_task_data (task, sync, (GDestroyNotify) sync_free);
  th_dcl_client_get_revocation_points_async (client, NULL, cancellable, on_points, task);
}

ThRevocationSyncReport *
th_revocation_sync_finish (GAsyncResult  *result,
                           GError       **error)
{
  Sync *sync;

  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == th_revocation_sync_async,
                        NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  sync = g_task_get_task_data (G_TASK (result));
  return g_steal_pointer (&sync->report);
}
