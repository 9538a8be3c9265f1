/* th-dcl-records.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <stddef.h>

#include "dcl/th-dcl-records.h"
#include "discovery/th-dnssd-text.h"
#include "th-error.h"

typedef enum
{
  FIELD_U16,
  FIELD_U32,
  FIELD_U64,
  FIELD_FLOW,
  FIELD_BOOL,
  FIELD_TEXT,
} FieldType;

/* How one member of a record is read: where it goes, and whether it must be there. */
typedef struct
{
  const char *name;
  const char *other_name;   /* an older spelling, tried when `name` is absent */
  FieldType type;
  gboolean required;
  gsize offset;
  gssize has_offset;        /* of a gboolean set when the member is there, or -1 */
} Field;

#define REQUIRED(type, name, s, member) \
  { name, NULL, type, TRUE, offsetof (s, member), -1 }
#define OPTIONAL(type, name, s, member) \
  { name, NULL, type, FALSE, offsetof (s, member), -1 }
#define OPTIONAL_HAS(type, name, s, member, has) \
  { name, NULL, type, FALSE, offsetof (s, member), offsetof (s, has) }
#define TEXT(name, s, member) \
  { name, NULL, FIELD_TEXT, FALSE, offsetof (s, member), -1 }
#define TEXT_OR(name, other, s, member) \
  { name, other, FIELD_TEXT, FALSE, offsetof (s, member), -1 }

static const Field model_fields[] = {
  REQUIRED (FIELD_U16, "vid", ThDclModel, vendor_id),
  REQUIRED (FIELD_U16, "pid", ThDclModel, product_id),
  OPTIONAL_HAS (FIELD_U32, "deviceTypeId", ThDclModel, device_type_id, has_device_type_id),
  TEXT ("productName", ThDclModel, product_name),
  TEXT ("productLabel", ThDclModel, product_label),
  TEXT ("partNumber", ThDclModel, part_number),
  OPTIONAL (FIELD_FLOW, "commissioningCustomFlow", ThDclModel, custom_flow),
  TEXT_OR ("commissioningCustomFlowUrl", "commissioningCustomFlowURL", ThDclModel,
           custom_flow_url),
  OPTIONAL (FIELD_U32, "commissioningModeInitialStepsHint", ThDclModel, initial_steps_hint),
  TEXT ("commissioningModeInitialStepsInstruction", ThDclModel, initial_steps_instruction),
  OPTIONAL (FIELD_U32, "commissioningModeSecondaryStepsHint", ThDclModel, secondary_steps_hint),
  TEXT ("commissioningModeSecondaryStepsInstruction", ThDclModel, secondary_steps_instruction),
  OPTIONAL (FIELD_U32, "factoryResetStepsHint", ThDclModel, factory_reset_steps_hint),
  TEXT ("factoryResetStepsInstruction", ThDclModel, factory_reset_steps_instruction),
  OPTIONAL (FIELD_U32, "icdUserActiveModeTriggerHint", ThDclModel,
            icd_user_active_mode_trigger_hint),
  TEXT ("icdUserActiveModeTriggerInstruction", ThDclModel,
        icd_user_active_mode_trigger_instruction),
  TEXT_OR ("userManualUrl", "userManualURL", ThDclModel, user_manual_url),
  TEXT_OR ("supportUrl", "supportURL", ThDclModel, support_url),
  TEXT_OR ("productUrl", "productURL", ThDclModel, product_url),
  TEXT_OR ("lsfUrl", "lsfURL", ThDclModel, lsf_url),
  OPTIONAL (FIELD_U32, "lsfRevision", ThDclModel, lsf_revision),
  /* chip-tool's DCL client knows it by the second name */
  TEXT_OR ("maintenanceUrl", "enhancedSetupFlowMaintenanceUrl", ThDclModel, maintenance_url),
  TEXT_OR ("commissioningFallbackUrl", "commissioningFallbackURL", ThDclModel,
           commissioning_fallback_url),
  OPTIONAL_HAS (FIELD_U32, "discoveryCapabilitiesBitmask", ThDclModel, discovery_capabilities,
                has_discovery_capabilities),
  OPTIONAL (FIELD_U32, "enhancedSetupFlowOptions", ThDclModel, enhanced_setup_flow_options),
  TEXT_OR ("enhancedSetupFlowTCUrl", "enhancedSetupFlowTCURL", ThDclModel,
           enhanced_setup_flow_tc_url),
  OPTIONAL (FIELD_U32, "enhancedSetupFlowTCRevision", ThDclModel,
            enhanced_setup_flow_tc_revision),
  TEXT ("enhancedSetupFlowTCDigest", ThDclModel, enhanced_setup_flow_tc_digest),
  OPTIONAL (FIELD_U64, "enhancedSetupFlowTCFileSize", ThDclModel,
            enhanced_setup_flow_tc_file_size),
  TEXT ("creator", ThDclModel, creator),
  OPTIONAL (FIELD_U32, "schemaVersion", ThDclModel, schema_version),
};

static const Field vendor_fields[] = {
  REQUIRED (FIELD_U16, "vendorID", ThDclVendor, vendor_id),
  TEXT ("vendorName", ThDclVendor, vendor_name),
  TEXT ("companyLegalName", ThDclVendor, company_legal_name),
  TEXT ("companyPreferredName", ThDclVendor, company_preferred_name),
  TEXT_OR ("vendorLandingPageURL", "vendorLandingPageUrl", ThDclVendor, landing_page_url),
  TEXT ("creator", ThDclVendor, creator),
  OPTIONAL (FIELD_U32, "schemaVersion", ThDclVendor, schema_version),
};

static const Field certificate_id_fields[] = {
  { "subject", NULL, FIELD_TEXT, TRUE, offsetof (ThDclCertificateId, subject), -1 },
  { "subjectKeyId", NULL, FIELD_TEXT, TRUE, offsetof (ThDclCertificateId, subject_key_id), -1 },
};

static const Field certificate_fields[] = {
  { "pemCert", NULL, FIELD_TEXT, TRUE, offsetof (ThDclCertificate, pem), -1 },
  TEXT ("subject", ThDclCertificate, subject),
  TEXT ("subjectKeyId", ThDclCertificate, subject_key_id),
  TEXT ("subjectAsText", ThDclCertificate, subject_as_text),
  TEXT ("serialNumber", ThDclCertificate, serial_number),
  TEXT ("issuer", ThDclCertificate, issuer),
  TEXT ("authorityKeyId", ThDclCertificate, authority_key_id),
  OPTIONAL (FIELD_BOOL, "isRoot", ThDclCertificate, is_root),
  OPTIONAL_HAS (FIELD_U16, "vid", ThDclCertificate, vendor_id, has_vendor_id),
};

static const Field revocation_point_fields[] = {
  REQUIRED (FIELD_U16, "vid", ThDclRevocationPoint, vendor_id),
  OPTIONAL (FIELD_U16, "pid", ThDclRevocationPoint, product_id),
  OPTIONAL (FIELD_BOOL, "isPAA", ThDclRevocationPoint, is_paa),
  TEXT ("label", ThDclRevocationPoint, label),
  TEXT ("crlSignerCertificate", ThDclRevocationPoint, crl_signer_certificate),
  TEXT ("crlSignerDelegator", ThDclRevocationPoint, crl_signer_delegator),
  { "issuerSubjectKeyID", NULL, FIELD_TEXT, TRUE,
    offsetof (ThDclRevocationPoint, issuer_subject_key_id), -1 },
  { "dataURL", "dataUrl", FIELD_TEXT, TRUE, offsetof (ThDclRevocationPoint, data_url), -1 },
  OPTIONAL (FIELD_U64, "dataFileSize", ThDclRevocationPoint, data_file_size),
  TEXT ("dataDigest", ThDclRevocationPoint, data_digest),
  OPTIONAL (FIELD_U32, "dataDigestType", ThDclRevocationPoint, data_digest_type),
  OPTIONAL (FIELD_U32, "revocationType", ThDclRevocationPoint, revocation_type),
  OPTIONAL (FIELD_U32, "schemaVersion", ThDclRevocationPoint, schema_version),
};

/* ---- Errors ---- */

static const char *
describe_node (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      return _("an object");
    case JSON_NODE_ARRAY:
      return _("a list");
    case JSON_NODE_NULL:
      return _("null");
    case JSON_NODE_VALUE:
    default:
      break;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return _("text");
    case G_TYPE_BOOLEAN:
      return _("true or false");
    case G_TYPE_DOUBLE:
      return _("a number with a fraction");
    default:
      return _("a number");
    }
}

static gboolean
wrong_type (const char  *path,
            JsonNode    *node,
            const char  *expected,
            GError     **error)
{
  g_set_error (error, TH_ERROR, TH_ERROR_DCL_INVALID,
               /* Translators: a field of an answer, what it is, and what it should be */
               _("In the compliance ledger’s answer, “%s” is %s where %s was expected."),
               path, describe_node (node), expected);
  return FALSE;
}

static gboolean
missing (const char  *path,
         GError     **error)
{
  g_set_error (error, TH_ERROR, TH_ERROR_DCL_INVALID,
               _("The compliance ledger’s answer has no “%s”."), path);
  return FALSE;
}

/* ---- The document ---- */

/* Checks what json-glib would otherwise meet unprepared: bytes that are not text, and nesting
 * deep enough to exhaust its recursion. */
static gboolean
check_document (const char  *data,
                gsize        len,
                GError     **error)
{
  const char *end = NULL;
  gboolean in_string = FALSE, escaped = FALSE;
  guint depth = 0;

  if (len == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_DCL_INVALID,
                           _("The compliance ledger’s answer is empty."));
      return FALSE;
    }
  if (len > G_MAXSSIZE || !g_utf8_validate_len (data, len, &end))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_DCL_INVALID,
                   _("The compliance ledger’s answer is not UTF-8 text: byte %lu is not "
                     "valid."), (unsigned long) (end - data));
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        {
          in_string = TRUE;
        }
      else if (c == '{' || c == '[')
        {
          if (++depth > TH_DCL_MAX_DEPTH)
            {
              g_set_error (error, TH_ERROR, TH_ERROR_DCL_INVALID,
                           _("The compliance ledger’s answer nests deeper than %u levels, at "
                             "byte %lu."), TH_DCL_MAX_DEPTH, (unsigned long) i);
              return FALSE;
            }
        }
      else if ((c == '}' || c == ']') && depth > 0)
        {
          depth--;
        }
    }
  return TRUE;
}

static JsonObject *
parse_document (const char  *data,
                gsize        len,
                GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) json_error = NULL;
  JsonNode *root;

  if (!check_document (data, len, error))
    return NULL;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &json_error))
    {
      /* json-glib may quote part of a character it stopped at */
      g_autofree char *message = g_utf8_make_valid (json_error->message, -1);

      g_set_error (error, TH_ERROR, TH_ERROR_DCL_INVALID,
                   _("The compliance ledger’s answer is not valid JSON: %s"), message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_DCL_INVALID,
                           _("The compliance ledger’s answer is not a JSON object."));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/* A member that must be an object; `parent` is the path of `object`, or NULL at the top. */
static JsonObject *
get_object (JsonObject  *object,
            const char  *parent,
            const char  *name,
            GError     **error)
{
  g_autofree char *path = parent != NULL ? g_strdup_printf ("%s.%s", parent, name)
                          : g_strdup (name);
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      missing (path, error);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      wrong_type (path, node, _("an object"), error);
      return NULL;
    }
  return json_node_get_object (node);
}

/* A member that must be a list of objects, or be absent (an empty list then). */
static gboolean
get_object_list (JsonObject  *object,
                 const char  *parent,
                 const char  *name,
                 JsonArray  **list,
                 GError     **error)
{
  g_autofree char *path = parent != NULL ? g_strdup_printf ("%s.%s", parent, name)
                          : g_strdup (name);
  JsonNode *node = json_object_get_member (object, name);

  *list = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_type (path, node, _("a list"), error);
  *list = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (*list); i++)
    {
      JsonNode *element = json_array_get_element (*list, i);

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_autofree char *element_path = g_strdup_printf ("%s[%u]", path, i);

          return wrong_type (element_path, element, _("an object"), error);
        }
    }
  return TRUE;
}

/* ---- Fields ---- */

static gboolean
read_unsigned (JsonNode     *node,
               const char   *path,
               guint64       max,
               guint64      *value,
               GError      **error)
{
  /* the formats of translated text are plain C ones: xgettext cannot see through macros */
  g_autofree char *expected = g_strdup_printf (_("a whole number from 0 to %llu"),
                                               (unsigned long long) max);

  if (!JSON_NODE_HOLDS_VALUE (node))
    return wrong_type (path, node, expected, error);

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 number = json_node_get_int (node);

      if (number < 0 || (guint64) number > max)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_DCL_INVALID,
                       _("In the compliance ledger’s answer, “%s” is %lld where %s was "
                         "expected."), path, (long long) number, expected);
          return FALSE;
        }
      *value = (guint64) number;
      return TRUE;
    }
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);

      /* the ledger's gateway writes 64-bit numbers as decimal text */
      if (text[0] == '\0' || text[0] == '+' || text[0] == '-'
          || !g_ascii_string_to_unsigned (text, 10, 0, max, value, NULL))
        {
          g_set_error (error, TH_ERROR, TH_ERROR_DCL_INVALID,
                       _("In the compliance ledger’s answer, “%s” is the text “%s” where %s "
                         "was expected."), path, text, expected);
          return FALSE;
        }
      return TRUE;
    }
  return wrong_type (path, node, expected, error);
}

/* Text that reaches a screen: no control characters but tab and line breaks. */
static gboolean
check_text (const char  *path,
            const char  *text,
            GError     **error)
{
  glong index = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p), index++)
    {
      gunichar c = g_utf8_get_char (p);

      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7F && c <= 0x9F))
        {
          g_set_error (error, TH_ERROR, TH_ERROR_DCL_INVALID,
                       _("In the compliance ledger’s answer, “%s” holds the control character "
                         "U+%04X at character %ld."), path, c, index);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
read_field (JsonNode     *node,
            const char   *path,
            const Field  *field,
            gpointer      record,
            GError      **error)
{
  gpointer where = G_STRUCT_MEMBER_P (record, field->offset);
  guint64 value = 0;

  switch (field->type)
    {
    case FIELD_U16:
      if (!read_unsigned (node, path, G_MAXUINT16, &value, error))
        return FALSE;
      *(guint16 *) where = (guint16) value;
      return TRUE;
    case FIELD_U32:
      if (!read_unsigned (node, path, G_MAXUINT32, &value, error))
        return FALSE;
      *(guint32 *) where = (guint32) value;
      return TRUE;
    case FIELD_U64:
      if (!read_unsigned (node, path, G_MAXUINT64, &value, error))
        return FALSE;
      *(guint64 *) where = value;
      return TRUE;
    case FIELD_FLOW:
      if (!read_unsigned (node, path, TH_COMMISSIONING_FLOW_CUSTOM, &value, error))
        return FALSE;
      *(ThCommissioningFlow *) where = (ThCommissioningFlow) value;
      return TRUE;
    case FIELD_BOOL:
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        return wrong_type (path, node, _("true or false"), error);
      *(gboolean *) where = json_node_get_boolean (node);
      return TRUE;
    case FIELD_TEXT:
      {
        const char *text;

        if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
          return wrong_type (path, node, _("text"), error);
        text = json_node_get_string (node);
        if (!check_text (path, text, error))
          return FALSE;
        /* the ledger writes "" for text that was never set */
        *(char **) where = text[0] != '\0' ? g_strdup (text) : NULL;
        return TRUE;
      }
    default:
      g_return_val_if_reached (FALSE);
    }
}

static gboolean
read_record (JsonObject   *object,
             const char   *path,
             const Field  *fields,
             gsize         n_fields,
             gpointer      record,
             GError      **error)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      const Field *field = &fields[i];
      JsonNode *node = json_object_get_member (object, field->name);
      const char *name = field->name;
      g_autofree char *field_path = NULL;

      if ((node == NULL || JSON_NODE_HOLDS_NULL (node)) && field->other_name != NULL
          && json_object_has_member (object, field->other_name))
        {
          node = json_object_get_member (object, field->other_name);
          name = field->other_name;
        }
      field_path = g_strdup_printf ("%s.%s", path, name);
      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        {
          if (field->required)
            return missing (field_path, error);
          continue;
        }
      if (!read_field (node, field_path, field, record, error))
        return FALSE;
      if (field->has_offset >= 0)
        G_STRUCT_MEMBER (gboolean, record, field->has_offset) = TRUE;
    }
  return TRUE;
}

static void
free_record (gpointer     record,
             const Field *fields,
             gsize        n_fields)
{
  if (record == NULL)
    return;
  for (gsize i = 0; i < n_fields; i++)
    {
      if (fields[i].type == FIELD_TEXT)
        g_free (G_STRUCT_MEMBER (char *, record, fields[i].offset));
    }
  g_free (record);
}

/* Reads each object of `list` into a new record of `size` bytes. */
static GPtrArray *
read_records (JsonArray      *list,
              const char     *path,
              const Field    *fields,
              gsize           n_fields,
              gsize           size,
              GDestroyNotify  free_func,
              GError        **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (free_func);
  guint n = list != NULL ? json_array_get_length (list) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *element_path = g_strdup_printf ("%s[%u]", path, i);
      gpointer record = g_malloc0 (size);

      g_ptr_array_add (records, record);
      if (!read_record (json_array_get_object_element (list, i), element_path, fields, n_fields,
                        record, error))
        return NULL;
    }
  return g_steal_pointer (&records);
}

/* ---- The answers ---- */

void
th_dcl_model_free (ThDclModel *model)
{
  free_record (model, model_fields, G_N_ELEMENTS (model_fields));
}

void
th_dcl_vendor_free (ThDclVendor *vendor)
{
  free_record (vendor, vendor_fields, G_N_ELEMENTS (vendor_fields));
}

void
th_dcl_certificate_id_free (ThDclCertificateId *id)
{
  free_record (id, certificate_id_fields, G_N_ELEMENTS (certificate_id_fields));
}

void
th_dcl_certificate_free (ThDclCertificate *certificate)
{
  free_record (certificate, certificate_fields, G_N_ELEMENTS (certificate_fields));
}

void
th_dcl_revocation_point_free (ThDclRevocationPoint *point)
{
  free_record (point, revocation_point_fields, G_N_ELEMENTS (revocation_point_fields));
}

ThDclModel *
th_dcl_model_parse (const char  *data,
                    gsize        len,
                    GError     **error)
{
  g_autoptr(JsonObject) document = parse_document (data, len, error);
  g_autoptr(ThDclModel) model = NULL;
  JsonObject *object;

  if (document == NULL)
    return NULL;
  object = get_object (document, NULL, "model", error);
  if (object == NULL)
    return NULL;
  model = g_new0 (ThDclModel, 1);
  if (!read_record (object, "model", model_fields, G_N_ELEMENTS (model_fields), model, error))
    return NULL;
  return g_steal_pointer (&model);
}

ThDclVendor *
th_dcl_vendor_parse (const char  *data,
                     gsize        len,
                     GError     **error)
{
  g_autoptr(JsonObject) document = parse_document (data, len, error);
  g_autoptr(ThDclVendor) vendor = NULL;
  JsonObject *object;

  if (document == NULL)
    return NULL;
  object = get_object (document, NULL, "vendorInfo", error);
  if (object == NULL)
    return NULL;
  vendor = g_new0 (ThDclVendor, 1);
  if (!read_record (object, "vendorInfo", vendor_fields, G_N_ELEMENTS (vendor_fields), vendor,
                    error))
    return NULL;
  return g_steal_pointer (&vendor);
}

GPtrArray *
th_dcl_root_certificates_parse (const char  *data,
                                gsize        len,
                                GError     **error)
{
  g_autoptr(JsonObject) document = parse_document (data, len, error);
  JsonObject *object;
  JsonArray *list;

  if (document == NULL)
    return NULL;
  object = get_object (document, NULL, "approvedRootCertificates", error);
  if (object == NULL
      || !get_object_list (object, "approvedRootCertificates", "certs", &list, error))
    return NULL;
  return read_records (list, "approvedRootCertificates.certs", certificate_id_fields,
                       G_N_ELEMENTS (certificate_id_fields), sizeof (ThDclCertificateId),
                       (GDestroyNotify) th_dcl_certificate_id_free, error);
}

GPtrArray *
th_dcl_certificates_parse (const char  *data,
                           gsize        len,
                           GError     **error)
{
  g_autoptr(JsonObject) document = parse_document (data, len, error);
  g_autoptr(GPtrArray) certificates = NULL;
  JsonObject *object;
  JsonArray *list;

  if (document == NULL)
    return NULL;
  object = get_object (document, NULL, "approvedCertificates", error);
  if (object == NULL || !get_object_list (object, "approvedCertificates", "certs", &list, error))
    return NULL;
  certificates = read_records (list, "approvedCertificates.certs", certificate_fields,
                               G_N_ELEMENTS (certificate_fields), sizeof (ThDclCertificate),
                               (GDestroyNotify) th_dcl_certificate_free, error);
  if (certificates == NULL)
    return NULL;
  if (certificates->len == 0)
    {
      missing ("approvedCertificates.certs[0]", error);
      return NULL;
    }
  return g_steal_pointer (&certificates);
}

static gboolean
read_next_key (JsonObject  *document,
               char       **next_key,
               GError     **error)
{
  JsonNode *pagination = json_object_get_member (document, "pagination");
  JsonNode *node;
  const char *text;

  if (pagination == NULL || JSON_NODE_HOLDS_NULL (pagination))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (pagination))
    return wrong_type ("pagination", pagination, _("an object"), error);
  node = json_object_get_member (json_node_get_object (pagination), "next_key");
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return wrong_type ("pagination.next_key", node, _("text"), error);
  text = json_node_get_string (node);
  if (!check_text ("pagination.next_key", text, error))
    return FALSE;
  if (text[0] != '\0')
    *next_key = g_strdup (text);
  return TRUE;
}

#define LIST_KEY "PkiRevocationDistributionPoint"
#define BY_ISSUER_KEY "pkiRevocationDistributionPointsByIssuerSubjectKeyID"

GPtrArray *
th_dcl_revocation_points_parse (const char  *data,
                                gsize        len,
                                char       **next_key,
                                GError     **error)
{
  g_autoptr(JsonObject) document = parse_document (data, len, error);
  g_autofree char *key = NULL;
  GPtrArray *points;
  JsonArray *list = NULL;
  const char *path;

  if (document == NULL)
    return NULL;
  if (json_object_has_member (document, BY_ISSUER_KEY))
    {
      JsonObject *object = get_object (document, NULL, BY_ISSUER_KEY, error);

      path = BY_ISSUER_KEY ".points";
      if (object == NULL || !get_object_list (object, BY_ISSUER_KEY, "points", &list, error))
        return NULL;
    }
  else if (json_object_has_member (document, LIST_KEY)
           || json_object_has_member (document, "pagination"))
    {
      path = LIST_KEY;
      /* an empty list may be left out, the page's pagination still there */
      if (!get_object_list (document, NULL, LIST_KEY, &list, error))
        return NULL;
      if (!read_next_key (document, &key, error))
        return NULL;
    }
  else
    {
      missing (LIST_KEY, error);
      return NULL;
    }

  points = read_records (list, path, revocation_point_fields,
                         G_N_ELEMENTS (revocation_point_fields), sizeof (ThDclRevocationPoint),
                         (GDestroyNotify) th_dcl_revocation_point_free, error);
  if (points != NULL && next_key != NULL)
    *next_key = g_steal_pointer (&key);
  return points;
}

/* ---- In words ---- */

GStrv
th_dcl_model_describe_initial_steps (const ThDclModel *model)
{
  return th_dnssd_describe_pairing_hint (model->initial_steps_hint,
                                         model->initial_steps_instruction);
}

GStrv
th_dcl_model_describe_secondary_steps (const ThDclModel *model)
{
  return th_dnssd_describe_pairing_hint (model->secondary_steps_hint,
                                         model->secondary_steps_instruction);
}

const char *
th_dcl_vendor_get_display_name (const ThDclVendor *vendor)
{
  if (vendor->vendor_name != NULL)
    return vendor->vendor_name;
  if (vendor->company_preferred_name != NULL)
    return vendor->company_preferred_name;
  return vendor->company_legal_name;
}
