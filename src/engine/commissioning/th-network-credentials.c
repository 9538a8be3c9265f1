/* th-network-credentials.c: the Wi-Fi or Thread network a device is given, and what the
 * commissioner asks for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <string.h>

#include "clusters/th-clusters.h"
#include "th-error.h"
#include "th-network-credentials.h"

G_DEFINE_FLAGS_TYPE (ThNetworkKind, th_network_kind,
  G_DEFINE_ENUM_VALUE (TH_NETWORK_KIND_WIFI, "wifi"),
  G_DEFINE_ENUM_VALUE (TH_NETWORK_KIND_THREAD, "thread"))

struct _ThNetworkCredentials
{
  ThNetworkKind kind;
  /* Wi-Fi: the SSID in `ssid`, the password in `secret`; Thread: the dataset in `secret` */
  guint8 ssid[TH_WIFI_SSID_MAX_LEN];
  gsize ssid_len;
  guint8 *secret;                     /* wiped on free; never NULL */
  gsize secret_len;
  ThThreadDataset thread;
};

G_DEFINE_BOXED_TYPE (ThNetworkCredentials, th_network_credentials,
                     th_network_credentials_copy, th_network_credentials_free)

static ThNetworkCredentials *
credentials_new (ThNetworkKind  kind,
                 const guint8  *secret,
                 gsize          secret_len)
{
  ThNetworkCredentials *self = g_new0 (ThNetworkCredentials, 1);

  self->kind = kind;
  self->secret = g_malloc (MAX (secret_len, 1));
  if (secret_len > 0)
    memcpy (self->secret, secret, secret_len);
  self->secret_len = secret_len;
  return self;
}

ThNetworkCredentials *
th_network_credentials_new_wifi (const guint8  *ssid,
                                 gsize          ssid_len,
                                 const char    *password,
                                 GError       **error)
{
  ThNetworkCredentials *self;
  gsize password_len;

  g_return_val_if_fail (ssid != NULL || ssid_len == 0, NULL);
  g_return_val_if_fail (password != NULL, NULL);

  if (ssid_len == 0 || ssid_len > TH_WIFI_SSID_MAX_LEN)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_WIFI_CREDENTIALS,
                   _("The Wi-Fi network name (SSID) is %" G_GSIZE_FORMAT " bytes long; it "
                     "must be 1 to %u bytes."), ssid_len, TH_WIFI_SSID_MAX_LEN);
      return NULL;
    }
  password_len = strlen (password);
  if (password_len > TH_WIFI_PASSWORD_MAX_LEN)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_WIFI_CREDENTIALS,
                   _("The Wi-Fi password is %" G_GSIZE_FORMAT " bytes long; Matter devices "
                     "accept at most %u."), password_len, TH_WIFI_PASSWORD_MAX_LEN);
      return NULL;
    }
  self = credentials_new (TH_NETWORK_KIND_WIFI, (const guint8 *) password, password_len);
  memcpy (self->ssid, ssid, ssid_len);
  self->ssid_len = ssid_len;
  return self;
}

ThNetworkCredentials *
th_network_credentials_new_thread (const guint8  *dataset,
                                   gsize          len,
                                   GError       **error)
{
  ThThreadDataset parsed;

  if (!th_thread_dataset_parse (dataset, len, &parsed, error))
    return NULL;

  ThNetworkCredentials *self = credentials_new (TH_NETWORK_KIND_THREAD, dataset, len);
  self->thread = parsed;
  return self;
}

ThNetworkCredentials *
th_network_credentials_new_thread_hex (const char  *hex,
                                       GError     **error)
{
  ThNetworkCredentials *self;
  guint8 *dataset;
  gsize len = 0;

  dataset = th_thread_dataset_from_hex (hex, &len, error);
  if (dataset == NULL)
    return NULL;
  self = th_network_credentials_new_thread (dataset, len, error);
  OPENSSL_cleanse (dataset, len);
  g_free (dataset);
  return self;
}

ThNetworkKind
th_network_credentials_get_kind (const ThNetworkCredentials *self)
{
  return self->kind;
}

ThNetworkCredentials *
th_network_credentials_copy (const ThNetworkCredentials *self)
{
  ThNetworkCredentials *copy = credentials_new (self->kind, self->secret, self->secret_len);

  memcpy (copy->ssid, self->ssid, sizeof self->ssid);
  copy->ssid_len = self->ssid_len;
  copy->thread = self->thread;
  return copy;
}

void
th_network_credentials_free (ThNetworkCredentials *self)
{
  if (self == NULL)
    return;
  OPENSSL_cleanse (self->secret, MAX (self->secret_len, 1));
  g_free (self->secret);
  OPENSSL_cleanse (self, sizeof *self);
  g_free (self);
}

const guint8 *
th_network_credentials_get_ssid (const ThNetworkCredentials *self,
                                 gsize                      *len)
{
  if (self->kind != TH_NETWORK_KIND_WIFI)
    return NULL;
  *len = self->ssid_len;
  return self->ssid;
}

const guint8 *
th_network_credentials_get_password (const ThNetworkCredentials *self,
                                     gsize                      *len)
{
  if (self->kind != TH_NETWORK_KIND_WIFI)
    return NULL;
  *len = self->secret_len;
  return self->secret;
}

const guint8 *
th_network_credentials_get_dataset (const ThNetworkCredentials *self,
                                    gsize                      *len)
{
  if (self->kind != TH_NETWORK_KIND_THREAD)
    return NULL;
  *len = self->secret_len;
  return self->secret;
}

const ThThreadDataset *
th_network_credentials_get_thread (const ThNetworkCredentials *self)
{
  return self->kind == TH_NETWORK_KIND_THREAD ? &self->thread : NULL;
}

GBytes *
th_network_credentials_get_network_id (const ThNetworkCredentials *self)
{
  guint8 id[8];

  if (self->kind == TH_NETWORK_KIND_WIFI)
    return g_bytes_new (self->ssid, self->ssid_len);
  if (!self->thread.has_extended_pan_id)
    return NULL;
  for (guint i = 0; i < sizeof id; i++)
    id[i] = (guint8) (self->thread.extended_pan_id >> (8 * (7 - i)));
  return g_bytes_new (id, sizeof id);
}

char *
th_network_credentials_describe (const ThNetworkCredentials *self)
{
  if (self->kind == TH_NETWORK_KIND_WIFI)
    {
      GString *text = g_string_new (NULL);

      /* An SSID is bytes: what is not UTF-8 is shown escaped rather than dropped. */
      for (gsize i = 0; i < self->ssid_len;)
        {
          const char *start = (const char *) self->ssid + i;
          const char *end;

          g_utf8_validate_len (start, self->ssid_len - i, &end);
          g_string_append_len (text, start, end - start);
          i += end - start;
          if (i < self->ssid_len)
            g_string_append_printf (text, "\\x%02x", self->ssid[i++]);
        }
      return g_string_free (text, FALSE);
    }
  if (self->thread.has_network_name)
    return g_strdup (self->thread.network_name);
  if (self->thread.has_extended_pan_id)
    return g_strdup_printf ("%016" G_GINT64_MODIFIER "x", self->thread.extended_pan_id);
  return g_strdup_printf ("PAN 0x%04x", self->thread.pan_id);
}

GError *
th_network_status_error (guint8                      status,
                         const char                 *debug_text,
                         const ThNetworkCredentials *credentials)
{
  g_autofree char *name = th_network_credentials_describe (credentials);
  g_autofree char *sentence = NULL;
  gboolean wifi = credentials->kind == TH_NETWORK_KIND_WIFI;
  gint code;

  switch (status)
    {
    case TH_NETWORK_STATUS_NETWORK_NOT_FOUND:
      code = TH_ERROR_NETWORK_NOT_FOUND;
      sentence = g_strdup_printf (wifi ? _("The device could not find the network “%s”; check "
                                           "that the name is right and that the device is in "
                                           "range of it.")
                                       : _("The device could not find the Thread network "
                                           "“%s”; check that a border router for it is in "
                                           "range."), name);
      break;
    case TH_NETWORK_STATUS_AUTH_FAILURE:
      code = TH_ERROR_NETWORK_AUTH_FAILED;
      sentence = g_strdup_printf (wifi ? _("The password was not accepted by the network "
                                           "“%s”; check it and try again.")
                                       : _("The network key was not accepted by the Thread "
                                           "network “%s”; check the dataset."), name);
      break;
    case TH_NETWORK_STATUS_UNSUPPORTED_SECURITY:
      code = TH_ERROR_NETWORK_FAILED;
      sentence = g_strdup_printf (_("The device does not support the security of the network "
                                    "“%s”."), name);
      break;
    default:
      code = TH_ERROR_NETWORK_FAILED;
      sentence = th_network_status_describe (status);
      break;
    }
  if (debug_text != NULL && debug_text[0] != '\0')
    return g_error_new (TH_ERROR, code, _("%s The device says: “%s”"), sentence, debug_text);
  return g_error_new_literal (TH_ERROR, code, sentence);
}

/* Scan results */

G_DEFINE_BOXED_TYPE (ThNetworkScanResult, th_network_scan_result,
                     th_network_scan_result_copy, th_network_scan_result_free)

ThNetworkScanResult *
th_network_scan_result_new (ThNetworkKind kind)
{
  ThNetworkScanResult *self = g_new0 (ThNetworkScanResult, 1);

  self->kind = kind;
  return self;
}

ThNetworkScanResult *
th_network_scan_result_copy (const ThNetworkScanResult *self)
{
  ThNetworkScanResult *copy = g_memdup2 (self, sizeof *self);

  if (copy->ssid != NULL)
    g_bytes_ref (copy->ssid);
  copy->network_name = g_strdup (self->network_name);
  return copy;
}

void
th_network_scan_result_free (ThNetworkScanResult *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->ssid, g_bytes_unref);
  g_free (self->network_name);
  g_free (self);
}

/* Requests */

struct _ThNetworkRequest
{
  gatomicrefcount ref_count;
  ThNetworkKind kinds;
  GPtrArray *scan_results;
  GError *scan_error;
  GError *last_error;
};

G_DEFINE_BOXED_TYPE (ThNetworkRequest, th_network_request,
                     th_network_request_ref, th_network_request_unref)

ThNetworkRequest *
th_network_request_new (ThNetworkKind  kinds,
                        GPtrArray     *scan_results,
                        const GError  *scan_error,
                        const GError  *last_error)
{
  ThNetworkRequest *self = g_new0 (ThNetworkRequest, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->kinds = kinds;
  if (scan_results != NULL)
    self->scan_results = g_ptr_array_ref (scan_results);
  else
    self->scan_results = g_ptr_array_new_with_free_func (
      (GDestroyNotify) th_network_scan_result_free);
  self->scan_error = scan_error != NULL ? g_error_copy (scan_error) : NULL;
  self->last_error = last_error != NULL ? g_error_copy (last_error) : NULL;
  return self;
}

ThNetworkRequest *
th_network_request_ref (ThNetworkRequest *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
th_network_request_unref (ThNetworkRequest *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_ptr_array_unref (self->scan_results);
  g_clear_error (&self->scan_error);
  g_clear_error (&self->last_error);
  g_free (self);
}

ThNetworkKind
th_network_request_get_kinds (const ThNetworkRequest *self)
{
  return self->kinds;
}

GPtrArray *
th_network_request_get_scan_results (const ThNetworkRequest *self)
{
  return self->scan_results;
}

const GError *
th_network_request_get_scan_error (const ThNetworkRequest *self)
{
  return self->scan_error;
}

const GError *
th_network_request_get_last_error (const ThNetworkRequest *self)
{
  return self->last_error;
}
