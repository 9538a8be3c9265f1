/* th-attestation-revocation.c: revoked attestation certificates (DACs and PAIs)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>

#include "th-attestation-revocation.h"
#include "th-attestation-x509.h"
#include "th-error.h"

typedef struct
{
  guint8 issuer_key_id[TH_KEY_ID_LEN];
  GBytes *issuer_name;   /* DER Name, or NULL */
  GBytes *serial;        /* without leading zero bytes */
} Entry;

struct _ThRevocationSet
{
  gatomicrefcount ref_count;
  GArray *entries;  /* Entry */
};

G_DEFINE_BOXED_TYPE (ThRevocationSet, th_revocation_set, th_revocation_set_ref,
                     th_revocation_set_unref)

static void
entry_clear (Entry *entry)
{
  g_clear_pointer (&entry->issuer_name, g_bytes_unref);
  g_clear_pointer (&entry->serial, g_bytes_unref);
}

ThRevocationSet *
th_revocation_set_new (void)
{
  ThRevocationSet *self = g_new0 (ThRevocationSet, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (self->entries, (GDestroyNotify) entry_clear);
  return self;
}

ThRevocationSet *
th_revocation_set_ref (ThRevocationSet *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
th_revocation_set_unref (ThRevocationSet *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_array_unref (self->entries);
  g_free (self);
}

/* The same integer, whatever the leading zero bytes (DER adds one before a high bit). */
static GBytes *
serial_new (const guint8 *serial,
            gsize         len)
{
  while (len > 0 && serial[0] == 0)
    {
      serial++;
      len--;
    }
  return g_bytes_new (serial, len);
}

void
th_revocation_set_add (ThRevocationSet *self,
                       const guint8     issuer_key_id[20],
                       const guint8    *issuer_name_der,
                       gsize            issuer_name_len,
                       const guint8    *serial,
                       gsize            serial_len)
{
  Entry entry = { 0 };

  g_return_if_fail (self != NULL);
  g_return_if_fail (issuer_key_id != NULL);
  g_return_if_fail (serial != NULL || serial_len == 0);

  memcpy (entry.issuer_key_id, issuer_key_id, TH_KEY_ID_LEN);
  if (issuer_name_der != NULL)
    entry.issuer_name = g_bytes_new (issuer_name_der, issuer_name_len);
  entry.serial = serial_new (serial, serial_len);
  g_array_append_val (self->entries, entry);
}

static GBytes *
hex_to_bytes (const char *hex)
{
  gsize len = strlen (hex);
  g_autofree guint8 *data = NULL;

  if (len % 2 != 0)
    return NULL;
  data = g_malloc (len / 2 + 1);
  for (gsize i = 0; i < len / 2; i++)
    {
      int high = g_ascii_xdigit_value (hex[2 * i]);
      int low = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (high < 0 || low < 0)
        return NULL;
      data[i] = (guint8) (high << 4 | low);
    }
  return g_bytes_new_take (g_steal_pointer (&data), len / 2);
}

static gboolean
set_entry_error (GError     **error,
                 guint        index,
                 const char  *problem)
{
  g_set_error (error, TH_ERROR, TH_ERROR_REVOCATION_SET,
               _("Entry %u of the revocation set is malformed: %s"), index, problem);
  return FALSE;
}

/* Parses one revocation_set object into `entries`. */
static gboolean
parse_entry (JsonObject  *object,
             guint        index,
             GArray      *entries,
             GError     **error)
{
  g_autoptr(GBytes) key_id = NULL;
  g_autoptr(GBytes) issuer_name = NULL;
  JsonNode *node;
  JsonArray *serials;

  node = json_object_get_member (object, "issuer_subject_key_id");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING ||
      (key_id = hex_to_bytes (json_node_get_string (node))) == NULL ||
      g_bytes_get_size (key_id) != TH_KEY_ID_LEN)
    return set_entry_error (error, index,
                            _("issuer_subject_key_id is not 20 bytes in hexadecimal"));

  node = json_object_get_member (object, "issuer_name");
  if (node != NULL)
    {
      gsize name_len = 0;
      guint8 *name;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return set_entry_error (error, index, _("issuer_name is not a string"));
      name = g_base64_decode (json_node_get_string (node), &name_len);
      if (name_len == 0)
        {
          g_free (name);
          return set_entry_error (error, index, _("issuer_name is not base64"));
        }
      issuer_name = g_bytes_new_take (name, name_len);
    }

  node = json_object_get_member (object, "revoked_serial_numbers");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return set_entry_error (error, index, _("revoked_serial_numbers is not an array"));
  serials = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (serials); i++)
    {
      JsonNode *serial_node = json_array_get_element (serials, i);
      g_autoptr(GBytes) serial = NULL;
      Entry entry = { 0 };

      if (!JSON_NODE_HOLDS_VALUE (serial_node) ||
          json_node_get_value_type (serial_node) != G_TYPE_STRING ||
          (serial = hex_to_bytes (json_node_get_string (serial_node))) == NULL ||
          g_bytes_get_size (serial) == 0)
        return set_entry_error (error, index, _("a revoked serial number is not hexadecimal"));

      memcpy (entry.issuer_key_id, g_bytes_get_data (key_id, NULL), TH_KEY_ID_LEN);
      entry.issuer_name = issuer_name != NULL ? g_bytes_ref (issuer_name) : NULL;
      entry.serial = serial_new (g_bytes_get_data (serial, NULL), g_bytes_get_size (serial));
      g_array_append_val (entries, entry);
    }
  return TRUE;
}

gboolean
th_revocation_set_load_json (ThRevocationSet  *self,
                             const char       *json,
                             gssize            len,
                             GError          **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GArray) entries = NULL;
  JsonNode *root;
  JsonArray *sets;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (json != NULL, FALSE);

  if (!json_parser_load_from_data (parser, json, len, &parse_error))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_REVOCATION_SET,
                   _("The revocation set is not valid JSON: %s"), parse_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_REVOCATION_SET,
                           _("The revocation set is not a JSON array"));
      return FALSE;
    }

  entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (entries, (GDestroyNotify) entry_clear);
  sets = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (sets); i++)
    {
      JsonNode *node = json_array_get_element (sets, i);
      JsonObject *object;
      const char *type;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return set_entry_error (error, i, _("it is not an object"));
      object = json_node_get_object (node);
      type = json_object_get_string_member_with_default (object, "type", NULL);
      if (g_strcmp0 (type, "revocation_set") != 0)
        continue;
      if (!parse_entry (object, i, entries, error))
        return FALSE;
    }

  /* All or nothing: the entries move over only once the whole document is good. */
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = &g_array_index (entries, Entry, i);

      g_array_append_val (self->entries, *entry);
      memset (entry, 0, sizeof *entry);
    }
  return TRUE;
}

guint
th_revocation_set_get_size (ThRevocationSet *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->entries->len;
}

static GBytes *
name_to_der (const X509_NAME *name)
{
  unsigned char *der = NULL;
  int len = i2d_X509_NAME (name, &der);
  GBytes *bytes;

  if (len <= 0)
    return NULL;
  bytes = g_bytes_new (der, (gsize) len);
  OPENSSL_free (der);
  return bytes;
}

gboolean
th_revocation_set_contains (ThRevocationSet *self,
                            X509            *cert)
{
  g_autoptr(GBytes) serial = NULL;
  g_autoptr(GBytes) issuer_name = NULL;
  const ASN1_INTEGER *serial_number;
  const guint8 *akid;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (cert != NULL, FALSE);

  if (!th_x509_get_authority_key_id (cert, &akid))
    return FALSE;
  serial_number = X509_get0_serialNumber (cert);
  serial = serial_new (ASN1_STRING_get0_data (serial_number),
                       (gsize) ASN1_STRING_length (serial_number));
  issuer_name = name_to_der (X509_get_issuer_name (cert));
  if (issuer_name == NULL)
    return FALSE;

  for (guint i = 0; i < self->entries->len; i++)
    {
      const Entry *entry = &g_array_index (self->entries, Entry, i);

      if (memcmp (entry->issuer_key_id, akid, TH_KEY_ID_LEN) == 0 &&
          g_bytes_equal (entry->serial, serial) &&
          (entry->issuer_name == NULL || g_bytes_equal (entry->issuer_name, issuer_name)))
        return TRUE;
    }
  return FALSE;
}
