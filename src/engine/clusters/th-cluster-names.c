/* th-cluster-names.c: the names of clusters, attributes and commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "th-cluster-names.h"
#include "th-clusters.h"

typedef struct
{
  guint32 id;
  const char *name;
} Name;

typedef struct
{
  guint32 id;
  const char *name;
  const Name *attributes;     /* ended by a NULL name */
  const Name *commands;       /* requests and responses share one id space in these clusters */
} ClusterNames;

static const Name global_attributes[] = {
  { TH_ATTR_GENERATED_COMMAND_LIST, "GeneratedCommandList" },
  { TH_ATTR_ACCEPTED_COMMAND_LIST, "AcceptedCommandList" },
  { TH_ATTR_ATTRIBUTE_LIST, "AttributeList" },
  { TH_ATTR_FEATURE_MAP, "FeatureMap" },
  { TH_ATTR_CLUSTER_REVISION, "ClusterRevision" },
  { 0, NULL }
};

static const Name identify_attributes[] = {
  { TH_IDENTIFY_ATTR_IDENTIFY_TIME, "IdentifyTime" },
  { TH_IDENTIFY_ATTR_IDENTIFY_TYPE, "IdentifyType" },
  { 0, NULL }
};

static const Name identify_commands[] = {
  { TH_IDENTIFY_CMD_IDENTIFY, "Identify" },
  { 0, NULL }
};

static const Name on_off_attributes[] = {
  { TH_ON_OFF_ATTR_ON_OFF, "OnOff" },
  { 0, NULL }
};

static const Name on_off_commands[] = {
  { TH_ON_OFF_CMD_OFF, "Off" },
  { TH_ON_OFF_CMD_ON, "On" },
  { TH_ON_OFF_CMD_TOGGLE, "Toggle" },
  { 0, NULL }
};

static const Name descriptor_attributes[] = {
  { TH_DESCRIPTOR_ATTR_DEVICE_TYPE_LIST, "DeviceTypeList" },
  { TH_DESCRIPTOR_ATTR_SERVER_LIST, "ServerList" },
  { TH_DESCRIPTOR_ATTR_CLIENT_LIST, "ClientList" },
  { TH_DESCRIPTOR_ATTR_PARTS_LIST, "PartsList" },
  { TH_DESCRIPTOR_ATTR_TAG_LIST, "TagList" },
  { 0, NULL }
};

static const Name basic_information_attributes[] = {
  { TH_BASIC_INFORMATION_ATTR_DATA_MODEL_REVISION, "DataModelRevision" },
  { TH_BASIC_INFORMATION_ATTR_VENDOR_NAME, "VendorName" },
  { TH_BASIC_INFORMATION_ATTR_VENDOR_ID, "VendorID" },
  { TH_BASIC_INFORMATION_ATTR_PRODUCT_NAME, "ProductName" },
  { TH_BASIC_INFORMATION_ATTR_PRODUCT_ID, "ProductID" },
  { TH_BASIC_INFORMATION_ATTR_NODE_LABEL, "NodeLabel" },
  { TH_BASIC_INFORMATION_ATTR_LOCATION, "Location" },
  { TH_BASIC_INFORMATION_ATTR_HARDWARE_VERSION, "HardwareVersion" },
  { TH_BASIC_INFORMATION_ATTR_HARDWARE_VERSION_STRING, "HardwareVersionString" },
  { TH_BASIC_INFORMATION_ATTR_SOFTWARE_VERSION, "SoftwareVersion" },
  { TH_BASIC_INFORMATION_ATTR_SOFTWARE_VERSION_STRING, "SoftwareVersionString" },
  { TH_BASIC_INFORMATION_ATTR_MANUFACTURING_DATE, "ManufacturingDate" },
  { TH_BASIC_INFORMATION_ATTR_PART_NUMBER, "PartNumber" },
  { TH_BASIC_INFORMATION_ATTR_PRODUCT_URL, "ProductURL" },
  { TH_BASIC_INFORMATION_ATTR_PRODUCT_LABEL, "ProductLabel" },
  { TH_BASIC_INFORMATION_ATTR_SERIAL_NUMBER, "SerialNumber" },
  { TH_BASIC_INFORMATION_ATTR_LOCAL_CONFIG_DISABLED, "LocalConfigDisabled" },
  { TH_BASIC_INFORMATION_ATTR_REACHABLE, "Reachable" },
  { TH_BASIC_INFORMATION_ATTR_UNIQUE_ID, "UniqueID" },
  { TH_BASIC_INFORMATION_ATTR_CAPABILITY_MINIMA, "CapabilityMinima" },
  { TH_BASIC_INFORMATION_ATTR_PRODUCT_APPEARANCE, "ProductAppearance" },
  { TH_BASIC_INFORMATION_ATTR_SPECIFICATION_VERSION, "SpecificationVersion" },
  { TH_BASIC_INFORMATION_ATTR_MAX_PATHS_PER_INVOKE, "MaxPathsPerInvoke" },
  { TH_BASIC_INFORMATION_ATTR_CONFIGURATION_VERSION, "ConfigurationVersion" },
  { 0, NULL }
};

static const Name general_commissioning_attributes[] = {
  { TH_GENERAL_COMMISSIONING_ATTR_BREADCRUMB, "Breadcrumb" },
  { TH_GENERAL_COMMISSIONING_ATTR_BASIC_COMMISSIONING_INFO, "BasicCommissioningInfo" },
  { TH_GENERAL_COMMISSIONING_ATTR_REGULATORY_CONFIG, "RegulatoryConfig" },
  { TH_GENERAL_COMMISSIONING_ATTR_LOCATION_CAPABILITY, "LocationCapability" },
  { TH_GENERAL_COMMISSIONING_ATTR_SUPPORTS_CONCURRENT_CONNECTION,
    "SupportsConcurrentConnection" },
  { 0, NULL }
};

static const Name general_commissioning_commands[] = {
  { TH_GENERAL_COMMISSIONING_CMD_ARM_FAIL_SAFE, "ArmFailSafe" },
  { TH_GENERAL_COMMISSIONING_CMD_ARM_FAIL_SAFE_RESPONSE, "ArmFailSafeResponse" },
  { TH_GENERAL_COMMISSIONING_CMD_SET_REGULATORY_CONFIG, "SetRegulatoryConfig" },
  { TH_GENERAL_COMMISSIONING_CMD_SET_REGULATORY_CONFIG_RESPONSE,
    "SetRegulatoryConfigResponse" },
  { TH_GENERAL_COMMISSIONING_CMD_COMMISSIONING_COMPLETE, "CommissioningComplete" },
  { TH_GENERAL_COMMISSIONING_CMD_COMMISSIONING_COMPLETE_RESPONSE,
    "CommissioningCompleteResponse" },
  { 0, NULL }
};

static const Name network_commissioning_attributes[] = {
  { TH_NETWORK_COMMISSIONING_ATTR_MAX_NETWORKS, "MaxNetworks" },
  { TH_NETWORK_COMMISSIONING_ATTR_NETWORKS, "Networks" },
  { TH_NETWORK_COMMISSIONING_ATTR_SCAN_MAX_TIME_SECONDS, "ScanMaxTimeSeconds" },
  { TH_NETWORK_COMMISSIONING_ATTR_CONNECT_MAX_TIME_SECONDS, "ConnectMaxTimeSeconds" },
  { TH_NETWORK_COMMISSIONING_ATTR_INTERFACE_ENABLED, "InterfaceEnabled" },
  { TH_NETWORK_COMMISSIONING_ATTR_LAST_NETWORKING_STATUS, "LastNetworkingStatus" },
  { TH_NETWORK_COMMISSIONING_ATTR_LAST_NETWORK_ID, "LastNetworkID" },
  { TH_NETWORK_COMMISSIONING_ATTR_LAST_CONNECT_ERROR_VALUE, "LastConnectErrorValue" },
  { TH_NETWORK_COMMISSIONING_ATTR_SUPPORTED_WIFI_BANDS, "SupportedWiFiBands" },
  { TH_NETWORK_COMMISSIONING_ATTR_SUPPORTED_THREAD_FEATURES, "SupportedThreadFeatures" },
  { TH_NETWORK_COMMISSIONING_ATTR_THREAD_VERSION, "ThreadVersion" },
  { 0, NULL }
};

static const Name network_commissioning_commands[] = {
  { TH_NETWORK_COMMISSIONING_CMD_SCAN_NETWORKS, "ScanNetworks" },
  { TH_NETWORK_COMMISSIONING_CMD_SCAN_NETWORKS_RESPONSE, "ScanNetworksResponse" },
  { TH_NETWORK_COMMISSIONING_CMD_ADD_OR_UPDATE_WIFI_NETWORK, "AddOrUpdateWiFiNetwork" },
  { TH_NETWORK_COMMISSIONING_CMD_ADD_OR_UPDATE_THREAD_NETWORK, "AddOrUpdateThreadNetwork" },
  { TH_NETWORK_COMMISSIONING_CMD_REMOVE_NETWORK, "RemoveNetwork" },
  { TH_NETWORK_COMMISSIONING_CMD_NETWORK_CONFIG_RESPONSE, "NetworkConfigResponse" },
  { TH_NETWORK_COMMISSIONING_CMD_CONNECT_NETWORK, "ConnectNetwork" },
  { TH_NETWORK_COMMISSIONING_CMD_CONNECT_NETWORK_RESPONSE, "ConnectNetworkResponse" },
  { TH_NETWORK_COMMISSIONING_CMD_REORDER_NETWORK, "ReorderNetwork" },
  { 0, NULL }
};

static const Name time_synchronization_attributes[] = {
  { TH_TIME_SYNCHRONIZATION_ATTR_UTC_TIME, "UTCTime" },
  { TH_TIME_SYNCHRONIZATION_ATTR_GRANULARITY, "Granularity" },
  { TH_TIME_SYNCHRONIZATION_ATTR_TIME_SOURCE, "TimeSource" },
  { 0, NULL }
};

static const Name time_synchronization_commands[] = {
  { TH_TIME_SYNCHRONIZATION_CMD_SET_UTC_TIME, "SetUTCTime" },
  { 0, NULL }
};

static const Name administrator_commissioning_attributes[] = {
  { TH_ADMINISTRATOR_COMMISSIONING_ATTR_WINDOW_STATUS, "WindowStatus" },
  { TH_ADMINISTRATOR_COMMISSIONING_ATTR_ADMIN_FABRIC_INDEX, "AdminFabricIndex" },
  { TH_ADMINISTRATOR_COMMISSIONING_ATTR_ADMIN_VENDOR_ID, "AdminVendorId" },
  { 0, NULL }
};

static const Name administrator_commissioning_commands[] = {
  { TH_ADMINISTRATOR_COMMISSIONING_CMD_OPEN_COMMISSIONING_WINDOW, "OpenCommissioningWindow" },
  { TH_ADMINISTRATOR_COMMISSIONING_CMD_OPEN_BASIC_COMMISSIONING_WINDOW,
    "OpenBasicCommissioningWindow" },
  { TH_ADMINISTRATOR_COMMISSIONING_CMD_REVOKE_COMMISSIONING, "RevokeCommissioning" },
  { 0, NULL }
};

static const Name operational_credentials_attributes[] = {
  { TH_OPERATIONAL_CREDENTIALS_ATTR_NOCS, "NOCs" },
  { TH_OPERATIONAL_CREDENTIALS_ATTR_FABRICS, "Fabrics" },
  { TH_OPERATIONAL_CREDENTIALS_ATTR_SUPPORTED_FABRICS, "SupportedFabrics" },
  { TH_OPERATIONAL_CREDENTIALS_ATTR_COMMISSIONED_FABRICS, "CommissionedFabrics" },
  { TH_OPERATIONAL_CREDENTIALS_ATTR_TRUSTED_ROOT_CERTIFICATES, "TrustedRootCertificates" },
  { TH_OPERATIONAL_CREDENTIALS_ATTR_CURRENT_FABRIC_INDEX, "CurrentFabricIndex" },
  { 0, NULL }
};

static const Name operational_credentials_commands[] = {
  { TH_OPERATIONAL_CREDENTIALS_CMD_ATTESTATION_REQUEST, "AttestationRequest" },
  { TH_OPERATIONAL_CREDENTIALS_CMD_ATTESTATION_RESPONSE, "AttestationResponse" },
  { TH_OPERATIONAL_CREDENTIALS_CMD_CERTIFICATE_CHAIN_REQUEST, "CertificateChainRequest" },
  { TH_OPERATIONAL_CREDENTIALS_CMD_CERTIFICATE_CHAIN_RESPONSE, "CertificateChainResponse" },
  { TH_OPERATIONAL_CREDENTIALS_CMD_CSR_REQUEST, "CSRRequest" },
  { TH_OPERATIONAL_CREDENTIALS_CMD_CSR_RESPONSE, "CSRResponse" },
  { TH_OPERATIONAL_CREDENTIALS_CMD_ADD_NOC, "AddNOC" },
  { TH_OPERATIONAL_CREDENTIALS_CMD_UPDATE_NOC, "UpdateNOC" },
  { TH_OPERATIONAL_CREDENTIALS_CMD_NOC_RESPONSE, "NOCResponse" },
  { TH_OPERATIONAL_CREDENTIALS_CMD_UPDATE_FABRIC_LABEL, "UpdateFabricLabel" },
  { TH_OPERATIONAL_CREDENTIALS_CMD_REMOVE_FABRIC, "RemoveFabric" },
  { TH_OPERATIONAL_CREDENTIALS_CMD_ADD_TRUSTED_ROOT_CERTIFICATE, "AddTrustedRootCertificate" },
  { 0, NULL }
};

static const Name group_key_management_attributes[] = {
  { TH_GROUP_KEY_MANAGEMENT_ATTR_GROUP_KEY_MAP, "GroupKeyMap" },
  { TH_GROUP_KEY_MANAGEMENT_ATTR_GROUP_TABLE, "GroupTable" },
  { TH_GROUP_KEY_MANAGEMENT_ATTR_MAX_GROUPS_PER_FABRIC, "MaxGroupsPerFabric" },
  { TH_GROUP_KEY_MANAGEMENT_ATTR_MAX_GROUP_KEYS_PER_FABRIC, "MaxGroupKeysPerFabric" },
  { 0, NULL }
};

static const ClusterNames clusters[] = {
  { TH_CLUSTER_IDENTIFY, "Identify", identify_attributes, identify_commands },
  { TH_CLUSTER_ON_OFF, "On/Off", on_off_attributes, on_off_commands },
  { TH_CLUSTER_DESCRIPTOR, "Descriptor", descriptor_attributes, NULL },
  { TH_CLUSTER_BASIC_INFORMATION, "Basic Information", basic_information_attributes, NULL },
  { TH_CLUSTER_GENERAL_COMMISSIONING, "General Commissioning",
    general_commissioning_attributes, general_commissioning_commands },
  { TH_CLUSTER_NETWORK_COMMISSIONING, "Network Commissioning",
    network_commissioning_attributes, network_commissioning_commands },
  { TH_CLUSTER_TIME_SYNCHRONIZATION, "Time Synchronization",
    time_synchronization_attributes, time_synchronization_commands },
  { TH_CLUSTER_ADMINISTRATOR_COMMISSIONING, "Administrator Commissioning",
    administrator_commissioning_attributes, administrator_commissioning_commands },
  { TH_CLUSTER_OPERATIONAL_CREDENTIALS, "Operational Credentials",
    operational_credentials_attributes, operational_credentials_commands },
  { TH_CLUSTER_GROUP_KEY_MANAGEMENT, "Group Key Management",
    group_key_management_attributes, NULL },
};

static const ClusterNames *
find_cluster (guint32 cluster)
{
  for (gsize i = 0; i < G_N_ELEMENTS (clusters); i++)
    if (clusters[i].id == cluster)
      return &clusters[i];
  return NULL;
}

static const char *
find_name (const Name *names,
           guint32     id)
{
  for (; names != NULL && names->name != NULL; names++)
    if (names->id == id)
      return names->name;
  return NULL;
}

const char *
th_cluster_get_name (guint32 cluster)
{
  const ClusterNames *names = find_cluster (cluster);

  return names != NULL ? names->name : NULL;
}

const char *
th_attribute_get_name (guint32 cluster,
                       guint32 attribute)
{
  const ClusterNames *names = find_cluster (cluster);
  const char *name = find_name (global_attributes, attribute);

  if (name == NULL && names != NULL)
    name = find_name (names->attributes, attribute);
  return name;
}

const char *
th_command_get_name (guint32 cluster,
                     guint32 command)
{
  const ClusterNames *names = find_cluster (cluster);

  return names != NULL ? find_name (names->commands, command) : NULL;
}

static char *
describe_cluster (guint32 cluster)
{
  const char *name = th_cluster_get_name (cluster);

  if (cluster == TH_IM_CLUSTER_WILDCARD)
    return g_strdup (_("every cluster"));
  if (name != NULL)
    return g_strdup (name);
  return g_strdup_printf (_("cluster 0x%04x"), cluster);
}

static char *
describe_endpoint (guint16 endpoint)
{
  if (endpoint == TH_IM_ENDPOINT_WILDCARD)
    return g_strdup (_("every endpoint"));
  return g_strdup_printf (_("endpoint %u"), endpoint);
}

static char *
describe_attribute (guint32 cluster,
                    guint32 attribute)
{
  const char *name = th_attribute_get_name (cluster, attribute);

  if (attribute == TH_IM_ATTRIBUTE_WILDCARD)
    return g_strdup (_("every attribute"));
  if (name != NULL)
    return g_strdup (name);
  return g_strdup_printf (_("attribute 0x%04x"), attribute);
}

static char *
describe_in (const char *what,
             guint32     cluster,
             guint16     endpoint)
{
  g_autofree char *cluster_text = describe_cluster (cluster);
  g_autofree char *endpoint_text = describe_endpoint (endpoint);

  /* Translators: attributes or a command, their cluster and their endpoint, as in
   * "VendorName of Basic Information on endpoint 0" */
  return g_strdup_printf (_("%s of %s on %s"), what, cluster_text, endpoint_text);
}

char *
th_attribute_describe (guint16 endpoint,
                       guint32 cluster,
                       guint32 attribute)
{
  g_autofree char *attribute_text = describe_attribute (cluster, attribute);

  return describe_in (attribute_text, cluster, endpoint);
}

char *
th_attribute_paths_describe (const ThImAttributePath *paths,
                             gsize                    n_paths)
{
  g_autoptr(GString) names = g_string_new (NULL);

  g_return_val_if_fail (paths != NULL && n_paths > 0, NULL);

  for (gsize i = 1; i < n_paths; i++)
    {
      if (paths[i].endpoint != paths[0].endpoint || paths[i].cluster != paths[0].cluster)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%zu attribute path",
                                             "%zu attribute paths", n_paths), n_paths);
    }
  for (gsize i = 0; i < n_paths; i++)
    {
      g_autofree char *attribute_text = describe_attribute (paths[i].cluster,
                                                            paths[i].attribute);

      if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names, attribute_text);
    }
  return describe_in (names->str, paths[0].cluster, paths[0].endpoint);
}

char *
th_command_describe (guint16 endpoint,
                     guint32 cluster,
                     guint32 command)
{
  g_autofree char *command_text = NULL;
  const char *name = th_command_get_name (cluster, command);

  if (name != NULL)
    command_text = g_strdup (name);
  else
    command_text = g_strdup_printf (_("command 0x%02x"), command);
  return describe_in (command_text, cluster, endpoint);
}
