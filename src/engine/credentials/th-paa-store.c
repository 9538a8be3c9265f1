/* th-paa-store.c: the trusted Product Attestation Authorities (PAA roots)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "th-attestation-x509.h"
#include "th-error.h"
#include "th-paa-store.h"

struct _ThPaaStore
{
  gatomicrefcount ref_count;
  GPtrArray *certs;   /* X509 *, in the order they were added */
  gint64 updated;
};

G_DEFINE_BOXED_TYPE (ThPaaStore, th_paa_store, th_paa_store_ref, th_paa_store_unref)

ThPaaStore *
th_paa_store_new (void)
{
  ThPaaStore *self = g_new0 (ThPaaStore, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->certs = g_ptr_array_new_with_free_func ((GDestroyNotify) X509_free);
  return self;
}

ThPaaStore *
th_paa_store_ref (ThPaaStore *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
th_paa_store_unref (ThPaaStore *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_ptr_array_unref (self->certs);
  g_free (self);
}

/* Takes the certificates out of `certs`; returns how many were new. */
static guint
add_certificates (ThPaaStore *self,
                  GPtrArray  *certs)
{
  guint added = 0;

  while (certs->len > 0)
    {
      X509 *cert = g_ptr_array_steal_index (certs, 0);
      gboolean known = FALSE;

      for (guint i = 0; i < self->certs->len && !known; i++)
        known = X509_cmp (g_ptr_array_index (self->certs, i), cert) == 0;
      if (known)
        {
          X509_free (cert);
          continue;
        }
      g_ptr_array_add (self->certs, cert);
      added++;
    }
  return added;
}

gboolean
th_paa_store_add_data (ThPaaStore    *self,
                       const guint8  *data,
                       gsize          len,
                       GError       **error)
{
  g_autoptr(GPtrArray) certs = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  certs = th_x509_list_from_data (data, len, error);
  if (certs == NULL)
    return FALSE;
  add_certificates (self, certs);
  self->updated = g_get_real_time () / G_USEC_PER_SEC;
  return TRUE;
}

gboolean
th_paa_store_add_directory (ThPaaStore  *self,
                            const char  *path,
                            guint       *n_added,
                            GPtrArray  **warnings,
                            GError     **error)
{
  return th_paa_store_add_directory_full (self, path, TRUE, n_added, warnings, error);
}

gboolean
th_paa_store_add_directory_full (ThPaaStore  *self,
                                 const char  *path,
                                 gboolean     counts_for_age,
                                 guint       *n_added,
                                 GPtrArray  **warnings,
                                 GError     **error)
{
  g_autoptr(GPtrArray) certs = NULL;
  gint64 newest = 0;
  guint added;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (warnings != NULL, FALSE);

  if (*warnings == NULL)
    *warnings = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  certs = th_x509_list_from_directory (path, *warnings, &newest, error);
  if (certs == NULL)
    return FALSE;

  added = add_certificates (self, certs);
  if (counts_for_age)
    self->updated = MAX (self->updated, newest);
  if (n_added != NULL)
    *n_added = added;
  return TRUE;
}

guint
th_paa_store_get_size (ThPaaStore *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->certs->len;
}

gint64
th_paa_store_get_updated (ThPaaStore *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->certs->len > 0 ? self->updated : 0;
}

X509 *
th_paa_store_lookup_by_key_id (ThPaaStore   *self,
                               const guint8  key_id[TH_PAA_KEY_ID_LEN])
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key_id != NULL, NULL);

  for (guint i = 0; i < self->certs->len; i++)
    {
      X509 *cert = g_ptr_array_index (self->certs, i);
      const guint8 *skid;

      if (th_x509_get_subject_key_id (cert, &skid) && memcmp (skid, key_id, TH_KEY_ID_LEN) == 0)
        return cert;
    }
  return NULL;
}

X509 *
th_paa_store_lookup_by_subject (ThPaaStore      *self,
                                const X509_NAME *subject)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (subject != NULL, NULL);

  for (guint i = 0; i < self->certs->len; i++)
    {
      X509 *cert = g_ptr_array_index (self->certs, i);

      if (X509_NAME_cmp (X509_get_subject_name (cert), subject) == 0)
        return cert;
    }
  return NULL;
}
