/* th-node-attributes.c: Basic Information, commissioning info and network interfaces
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "im/th-im-fields.h"
#include "th-clusters.h"
#include "th-error.h"
#include "th-node-attributes.h"

/* An optional attribute: absent when not reported or refused with a status; a value of the
 * wrong type is still an error. */
static gboolean
is_absent (GError **local)
{
  if (g_error_matches (*local, TH_ERROR, TH_ERROR_IM_NOT_REPORTED)
      || g_error_matches (*local, TH_ERROR, TH_ERROR_IM_STATUS))
    {
      g_clear_error (local);
      return TRUE;
    }
  return FALSE;
}

static gboolean
get_string (ThImAttributeValues *values,
            guint32              attribute,
            gboolean             optional,
            char               **value,
            GError             **error)
{
  GError *local = NULL;

  if (th_im_attribute_values_get_string (values, TH_ROOT_ENDPOINT, TH_CLUSTER_BASIC_INFORMATION,
                                         attribute, TH_BASIC_INFORMATION_STRING_MAX_LEN, value,
                                         &local))
    return TRUE;
  if (optional && is_absent (&local))
    return TRUE;
  g_propagate_error (error, local);
  return FALSE;
}

static gboolean
get_uint (ThImAttributeValues *values,
          guint32              cluster,
          guint32              attribute,
          guint64              max,
          gboolean            *present,
          guint64             *value,
          GError             **error)
{
  GError *local = NULL;

  if (th_im_attribute_values_get_uint (values, TH_ROOT_ENDPOINT, cluster, attribute, max, value,
                                       &local))
    {
      if (present != NULL)
        *present = TRUE;
      return TRUE;
    }
  if (present != NULL && is_absent (&local))
    return TRUE;
  g_propagate_error (error, local);
  return FALSE;
}

gboolean
th_basic_information_decode (ThImAttributeValues  *values,
                             ThBasicInformation   *info,
                             GError              **error)
{
  const guint32 cluster = TH_CLUSTER_BASIC_INFORMATION;
  guint64 data_model_revision, vendor_id, product_id, hardware_version, software_version;
  guint64 specification_version = 0, max_paths_per_invoke = 0;

  g_return_val_if_fail (values != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  memset (info, 0, sizeof *info);
  if (!get_uint (values, cluster, TH_BASIC_INFORMATION_ATTR_DATA_MODEL_REVISION, G_MAXUINT16,
                 NULL, &data_model_revision, error)
      || !get_string (values, TH_BASIC_INFORMATION_ATTR_VENDOR_NAME, FALSE, &info->vendor_name,
                      error)
      || !get_uint (values, cluster, TH_BASIC_INFORMATION_ATTR_VENDOR_ID, G_MAXUINT16, NULL,
                    &vendor_id, error)
      || !get_string (values, TH_BASIC_INFORMATION_ATTR_PRODUCT_NAME, FALSE,
                      &info->product_name, error)
      || !get_uint (values, cluster, TH_BASIC_INFORMATION_ATTR_PRODUCT_ID, G_MAXUINT16, NULL,
                    &product_id, error)
      || !get_string (values, TH_BASIC_INFORMATION_ATTR_NODE_LABEL, FALSE, &info->node_label,
                      error)
      || !get_string (values, TH_BASIC_INFORMATION_ATTR_LOCATION, FALSE, &info->location,
                      error)
      || !get_uint (values, cluster, TH_BASIC_INFORMATION_ATTR_HARDWARE_VERSION, G_MAXUINT16,
                    NULL, &hardware_version, error)
      || !get_string (values, TH_BASIC_INFORMATION_ATTR_HARDWARE_VERSION_STRING, FALSE,
                      &info->hardware_version_string, error)
      || !get_uint (values, cluster, TH_BASIC_INFORMATION_ATTR_SOFTWARE_VERSION, G_MAXUINT32,
                    NULL, &software_version, error)
      || !get_string (values, TH_BASIC_INFORMATION_ATTR_SOFTWARE_VERSION_STRING, FALSE,
                      &info->software_version_string, error)
      || !get_string (values, TH_BASIC_INFORMATION_ATTR_MANUFACTURING_DATE, TRUE,
                      &info->manufacturing_date, error)
      || !get_string (values, TH_BASIC_INFORMATION_ATTR_PART_NUMBER, TRUE, &info->part_number,
                      error)
      || !get_string (values, TH_BASIC_INFORMATION_ATTR_PRODUCT_URL, TRUE, &info->product_url,
                      error)
      || !get_string (values, TH_BASIC_INFORMATION_ATTR_PRODUCT_LABEL, TRUE,
                      &info->product_label, error)
      || !get_string (values, TH_BASIC_INFORMATION_ATTR_SERIAL_NUMBER, TRUE,
                      &info->serial_number, error)
      || !get_string (values, TH_BASIC_INFORMATION_ATTR_UNIQUE_ID, TRUE, &info->unique_id,
                      error)
      || !get_uint (values, cluster, TH_BASIC_INFORMATION_ATTR_SPECIFICATION_VERSION,
                    G_MAXUINT32, &info->has_specification_version, &specification_version,
                    error)
      || !get_uint (values, cluster, TH_BASIC_INFORMATION_ATTR_MAX_PATHS_PER_INVOKE,
                    G_MAXUINT16, &info->has_max_paths_per_invoke, &max_paths_per_invoke,
                    error))
    {
      th_basic_information_clear (info);
      return FALSE;
    }

  info->data_model_revision = (guint16) data_model_revision;
  info->vendor_id = (guint16) vendor_id;
  info->product_id = (guint16) product_id;
  info->hardware_version = (guint16) hardware_version;
  info->software_version = (guint32) software_version;
  info->specification_version = (guint32) specification_version;
  info->max_paths_per_invoke = (guint16) max_paths_per_invoke;
  return TRUE;
}

void
th_basic_information_clear (ThBasicInformation *info)
{
  g_free (info->vendor_name);
  g_free (info->product_name);
  g_free (info->node_label);
  g_free (info->location);
  g_free (info->hardware_version_string);
  g_free (info->software_version_string);
  g_free (info->manufacturing_date);
  g_free (info->part_number);
  g_free (info->product_url);
  g_free (info->product_label);
  g_free (info->serial_number);
  g_free (info->unique_id);
  memset (info, 0, sizeof *info);
}

/* BasicCommissioningInfo: FailSafeExpiryLengthSeconds (0), MaxCumulativeFailsafeSeconds (1) */
static gboolean
decode_basic_commissioning_info (ThImAttributeValues *values,
                                 ThCommissioningInfo *info,
                                 GError             **error)
{
  g_autoptr(GBytes) value = NULL;
  ThTlvReader reader;
  ThImFields fields;
  guint8 tag;
  guint64 v;
  gsize len;
  const guint8 *data;
  GError *local = NULL;

  value = th_im_attribute_values_lookup (values, TH_ROOT_ENDPOINT,
                                         TH_CLUSTER_GENERAL_COMMISSIONING,
                                         TH_GENERAL_COMMISSIONING_ATTR_BASIC_COMMISSIONING_INFO,
                                         NULL, error);
  if (value == NULL)
    return FALSE;
  data = g_bytes_get_data (value, &len);
  if (!th_im_fields_open (&fields, &reader, data, len, "BasicCommissioningInfo", error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      if (tag > 1)
        continue;
      if (!th_im_fields_get_uint (&fields, G_MAXUINT16, &v, &local))
        break;
      if (tag == 0)
        {
          info->fail_safe_expiry_length_seconds = (guint16) v;
        }
      else
        {
          info->has_max_cumulative_failsafe_seconds = TRUE;
          info->max_cumulative_failsafe_seconds = (guint16) v;
        }
    }
  if (local == NULL)
    th_im_fields_require (&fields, 0, "FailSafeExpiryLengthSeconds", &local);
  if (local != NULL)
    {
      th_im_fields_propagate (fields.what, error, local);
      return FALSE;
    }
  return TRUE;
}

gboolean
th_commissioning_info_decode (ThImAttributeValues  *values,
                              ThCommissioningInfo  *info,
                              GError              **error)
{
  const guint32 cluster = TH_CLUSTER_GENERAL_COMMISSIONING;
  guint64 regulatory_config, location_capability;

  g_return_val_if_fail (values != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  memset (info, 0, sizeof *info);
  if (!get_uint (values, cluster, TH_GENERAL_COMMISSIONING_ATTR_BREADCRUMB, G_MAXUINT64, NULL,
                 &info->breadcrumb, error)
      || !decode_basic_commissioning_info (values, info, error)
      || !get_uint (values, cluster, TH_GENERAL_COMMISSIONING_ATTR_REGULATORY_CONFIG, G_MAXUINT8,
                    NULL, &regulatory_config, error)
      || !get_uint (values, cluster, TH_GENERAL_COMMISSIONING_ATTR_LOCATION_CAPABILITY,
                    G_MAXUINT8, NULL, &location_capability, error)
      || !th_im_attribute_values_get_bool (
            values, TH_ROOT_ENDPOINT, cluster,
            TH_GENERAL_COMMISSIONING_ATTR_SUPPORTS_CONCURRENT_CONNECTION,
            &info->supports_concurrent_connection, error))
    {
      memset (info, 0, sizeof *info);
      return FALSE;
    }
  info->regulatory_config = (guint8) regulatory_config;
  info->location_capability = (guint8) location_capability;
  return TRUE;
}

static gint
compare_interfaces (gconstpointer a,
                    gconstpointer b)
{
  const ThNetworkInterface *x = a;
  const ThNetworkInterface *y = b;

  return (gint) x->endpoint - (gint) y->endpoint;
}

GArray *
th_network_interfaces_decode (ThImAttributeValues  *values,
                              GError              **error)
{
  g_autoptr(GArray) paths = NULL;
  g_autoptr(GArray) interfaces = NULL;

  g_return_val_if_fail (values != NULL, NULL);

  paths = th_im_attribute_values_get_paths (values);
  interfaces = g_array_new (FALSE, FALSE, sizeof (ThNetworkInterface));
  for (guint i = 0; i < paths->len; i++)
    {
      const ThImAttributePath *path = &g_array_index (paths, ThImAttributePath, i);
      ThNetworkInterface interface = { path->endpoint, 0 };
      guint64 features;
      GError *local = NULL;

      if (path->cluster != TH_CLUSTER_NETWORK_COMMISSIONING
          || path->attribute != TH_ATTR_FEATURE_MAP)
        continue;
      if (!th_im_attribute_values_get_uint (values, path->endpoint, path->cluster,
                                            path->attribute, G_MAXUINT32, &features, &local))
        {
          /* an endpoint that could not report it has no usable interface */
          if (is_absent (&local))
            continue;
          g_propagate_error (error, local);
          return NULL;
        }
      interface.features = (guint32) features;
      g_array_append_val (interfaces, interface);
    }
  g_array_sort (interfaces, compare_interfaces);
  return g_steal_pointer (&interfaces);
}

void
th_endpoint_description_free (ThEndpointDescription *description)
{
  if (description == NULL)
    return;
  g_clear_pointer (&description->device_types, g_array_unref);
  g_clear_pointer (&description->server_clusters, g_array_unref);
  g_free (description);
}

/* DeviceTypeList: an array of DeviceTypeStruct, DeviceType (0) and Revision (1) */
static GArray *
decode_device_types (GBytes  *value,
                     GError **error)
{
  g_autoptr(GArray) types = g_array_new (FALSE, FALSE, sizeof (guint32));
  ThTlvReader reader;
  GError *local = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (value, &len);

  th_tlv_reader_init (&reader, data, len);
  if (!th_tlv_reader_next (&reader, &local) && local != NULL)
    goto malformed;
  if (th_tlv_reader_get_type (&reader) != TH_TLV_TYPE_ARRAY)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                   _("The DeviceTypeList of Descriptor is malformed: it is not an array"));
      return NULL;
    }
  if (!th_tlv_reader_enter (&reader, &local))
    goto malformed;
  while (th_tlv_reader_next (&reader, &local))
    {
      ThImFields fields;
      guint8 tag;
      guint64 v;
      guint32 device_type = 0;

      if (!th_im_fields_enter (&fields, &reader, TH_TLV_TYPE_STRUCTURE, "DeviceTypeStruct",
                               error))
        return NULL;
      while (th_im_fields_next (&fields, &tag, &local))
        {
          if (tag == 0 && th_im_fields_get_uint (&fields, G_MAXUINT32, &v, &local))
            device_type = (guint32) v;
          else if (tag == 1)
            th_im_fields_get_uint (&fields, G_MAXUINT16, &v, &local);
          if (local != NULL)
            break;
        }
      if (local == NULL)
        th_im_fields_require (&fields, 0, "DeviceType", &local);
      if (local != NULL)
        {
          th_im_fields_propagate (fields.what, error, local);
          return NULL;
        }
      g_array_append_val (types, device_type);
    }
  if (local == NULL)
    return g_steal_pointer (&types);

malformed:
  th_im_fields_propagate ("DeviceTypeList", error, local);
  return NULL;
}

static gint
compare_descriptions (gconstpointer a,
                      gconstpointer b)
{
  const ThEndpointDescription *x = *(ThEndpointDescription * const *) a;
  const ThEndpointDescription *y = *(ThEndpointDescription * const *) b;

  return (gint) x->endpoint - (gint) y->endpoint;
}

GPtrArray *
th_endpoint_descriptions_decode (ThImAttributeValues  *values,
                                 GError              **error)
{
  g_autoptr(GArray) paths = NULL;
  g_autoptr(GPtrArray) descriptions = NULL;

  g_return_val_if_fail (values != NULL, NULL);

  paths = th_im_attribute_values_get_paths (values);
  descriptions = g_ptr_array_new_with_free_func ((GDestroyNotify) th_endpoint_description_free);
  for (guint i = 0; i < paths->len; i++)
    {
      const ThImAttributePath *path = &g_array_index (paths, ThImAttributePath, i);
      g_autoptr(ThEndpointDescription) description = NULL;
      g_autoptr(GBytes) device_types = NULL;
      GError *local = NULL;

      if (path->cluster != TH_CLUSTER_DESCRIPTOR
          || path->attribute != TH_DESCRIPTOR_ATTR_SERVER_LIST)
        continue;
      description = g_new0 (ThEndpointDescription, 1);
      description->endpoint = path->endpoint;
      description->server_clusters =
        th_im_attribute_values_get_uint_array (values, path->endpoint, TH_CLUSTER_DESCRIPTOR,
                                               TH_DESCRIPTOR_ATTR_SERVER_LIST, G_MAXUINT32,
                                               &local);
      if (description->server_clusters == NULL)
        {
          /* an endpoint that could not report it is left out, as it cannot be used */
          if (is_absent (&local))
            continue;
          g_propagate_error (error, local);
          return NULL;
        }
      device_types = th_im_attribute_values_lookup (values, path->endpoint,
                                                    TH_CLUSTER_DESCRIPTOR,
                                                    TH_DESCRIPTOR_ATTR_DEVICE_TYPE_LIST,
                                                    NULL, &local);
      if (device_types != NULL)
        description->device_types = decode_device_types (device_types, &local);
      else if (is_absent (&local))
        description->device_types = g_array_new (FALSE, FALSE, sizeof (guint32));
      if (description->device_types == NULL)
        {
          g_propagate_error (error, local);
          return NULL;
        }
      g_ptr_array_add (descriptions, g_steal_pointer (&description));
    }
  g_ptr_array_sort (descriptions, compare_descriptions);
  return g_steal_pointer (&descriptions);
}

gint
th_endpoint_descriptions_find_server (GPtrArray *descriptions,
                                      guint32    cluster)
{
  for (guint i = 0; i < descriptions->len; i++)
    {
      ThEndpointDescription *description = g_ptr_array_index (descriptions, i);

      for (guint j = 0; j < description->server_clusters->len; j++)
        if (g_array_index (description->server_clusters, guint32, j) == cluster)
          return description->endpoint;
    }
  return -1;
}
