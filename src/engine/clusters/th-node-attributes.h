/* th-node-attributes.h: what the commissioner learns from the attributes it reads first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Decoders over the values of a read (ThImAttributeValues). A mandatory attribute that was not
 * reported is TH_ERROR_IM_NOT_REPORTED, one the device answered with a status is
 * TH_ERROR_IM_STATUS, and a value of the wrong type is TH_ERROR_IM_PROTOCOL.
 */
#pragma once

#include <glib.h>

#include "im/th-im.h"

G_BEGIN_DECLS

/* Longest text attribute kept. The specification's limits are lower (32 to 256 bytes); a
 * device that goes a little over them still gets commissioned. */
#define TH_BASIC_INFORMATION_STRING_MAX_LEN 256

/* Basic Information, on the root endpoint */
typedef struct
{
  guint16 data_model_revision;
  char *vendor_name;
  guint16 vendor_id;
  char *product_name;
  guint16 product_id;
  char *node_label;
  char *location;
  guint16 hardware_version;
  char *hardware_version_string;
  guint32 software_version;
  char *software_version_string;

  /* optional: NULL or FALSE when the device did not report them */
  char *manufacturing_date;
  char *part_number;
  char *product_url;
  char *product_label;
  char *serial_number;
  char *unique_id;
  gboolean has_specification_version;
  guint32 specification_version;
  gboolean has_max_paths_per_invoke;
  guint16 max_paths_per_invoke;
} ThBasicInformation;

/* Fills `info`, which must be empty (cleared); on failure it is left empty. */
gboolean th_basic_information_decode (ThImAttributeValues  *values,
                                      ThBasicInformation   *info,
                                      GError              **error);
void     th_basic_information_clear  (ThBasicInformation   *info);

/* General Commissioning, on the root endpoint */
typedef struct
{
  guint64 breadcrumb;
  /* BasicCommissioningInfo */
  guint16 fail_safe_expiry_length_seconds;
  gboolean has_max_cumulative_failsafe_seconds;  /* missing from some older devices */
  guint16 max_cumulative_failsafe_seconds;
  guint8 regulatory_config;                      /* ThRegulatoryLocation */
  guint8 location_capability;                    /* ThRegulatoryLocation */
  gboolean supports_concurrent_connection;
} ThCommissioningInfo;

gboolean th_commissioning_info_decode (ThImAttributeValues  *values,
                                       ThCommissioningInfo  *info,
                                       GError              **error);

/* The network interfaces: every endpoint that reported a Network Commissioning FeatureMap */
typedef struct
{
  guint16 endpoint;
  guint32 features;           /* ThNetworkCommissioningFeature bits */
} ThNetworkInterface;

/* A GArray of ThNetworkInterface, by endpoint; empty when there is none */
GArray  *th_network_interfaces_decode (ThImAttributeValues  *values,
                                       GError              **error);

/* One endpoint, as its Descriptor describes it */
typedef struct
{
  guint16 endpoint;
  GArray *device_types;       /* of guint32, as listed; empty when not reported */
  GArray *server_clusters;    /* of guint32, as listed */
} ThEndpointDescription;

void     th_endpoint_description_free     (ThEndpointDescription *description);

/* A GPtrArray of ThEndpointDescription, by endpoint: every endpoint that reported a
 * Descriptor ServerList, with its DeviceTypeList when that was reported too. */
GPtrArray *th_endpoint_descriptions_decode (ThImAttributeValues  *values,
                                            GError              **error);
/* The first endpoint whose server clusters include `cluster`, or -1 */
gint     th_endpoint_descriptions_find_server (GPtrArray          *descriptions,
                                               guint32             cluster);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ThBasicInformation, th_basic_information_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThEndpointDescription, th_endpoint_description_free)

G_END_DECLS
