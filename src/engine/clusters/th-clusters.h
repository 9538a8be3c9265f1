/* th-clusters.h: the clusters, attributes and commands the commissioner uses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Ids from the Matter application cluster specification. The command encoders return the
 * command's fields as one anonymous TLV structure, ready for ThImCommand.fields; a command
 * without fields (CommissioningComplete, On, Off, Toggle, RevokeCommissioning) takes NULL
 * there. The decoders take the fields of a response as th_im_invoke_response_check returns
 * them and fail with TH_ERROR_IM_PROTOCOL on anything malformed. Encoders whose fields carry a
 * secret (an IPK, Wi-Fi credentials, a Thread dataset, a PAKE verifier) return memory that is
 * wiped when the last reference goes.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  TH_CLUSTER_IDENTIFY = 0x0003,
  TH_CLUSTER_ON_OFF = 0x0006,
  TH_CLUSTER_DESCRIPTOR = 0x001D,
  TH_CLUSTER_BASIC_INFORMATION = 0x0028,
  TH_CLUSTER_GENERAL_COMMISSIONING = 0x0030,
  TH_CLUSTER_NETWORK_COMMISSIONING = 0x0031,
  TH_CLUSTER_TIME_SYNCHRONIZATION = 0x0038,
  TH_CLUSTER_ADMINISTRATOR_COMMISSIONING = 0x003C,
  TH_CLUSTER_OPERATIONAL_CREDENTIALS = 0x003E,
  TH_CLUSTER_GROUP_KEY_MANAGEMENT = 0x003F,
} ThClusterId;

/* Global attributes, present on every cluster */
enum
{
  TH_ATTR_GENERATED_COMMAND_LIST = 0xFFF8,
  TH_ATTR_ACCEPTED_COMMAND_LIST = 0xFFF9,
  TH_ATTR_ATTRIBUTE_LIST = 0xFFFB,
  TH_ATTR_FEATURE_MAP = 0xFFFC,
  TH_ATTR_CLUSTER_REVISION = 0xFFFD,
};

/* The root node's endpoint, where the utility clusters live */
#define TH_ROOT_ENDPOINT 0

/* Descriptor */
enum
{
  TH_DESCRIPTOR_ATTR_DEVICE_TYPE_LIST = 0,
  TH_DESCRIPTOR_ATTR_SERVER_LIST = 1,
  TH_DESCRIPTOR_ATTR_CLIENT_LIST = 2,
  TH_DESCRIPTOR_ATTR_PARTS_LIST = 3,
  TH_DESCRIPTOR_ATTR_TAG_LIST = 4,
};

/* Basic Information */
enum
{
  TH_BASIC_INFORMATION_ATTR_DATA_MODEL_REVISION = 0,
  TH_BASIC_INFORMATION_ATTR_VENDOR_NAME = 1,
  TH_BASIC_INFORMATION_ATTR_VENDOR_ID = 2,
  TH_BASIC_INFORMATION_ATTR_PRODUCT_NAME = 3,
  TH_BASIC_INFORMATION_ATTR_PRODUCT_ID = 4,
  TH_BASIC_INFORMATION_ATTR_NODE_LABEL = 5,
  TH_BASIC_INFORMATION_ATTR_LOCATION = 6,
  TH_BASIC_INFORMATION_ATTR_HARDWARE_VERSION = 7,
  TH_BASIC_INFORMATION_ATTR_HARDWARE_VERSION_STRING = 8,
  TH_BASIC_INFORMATION_ATTR_SOFTWARE_VERSION = 9,
  TH_BASIC_INFORMATION_ATTR_SOFTWARE_VERSION_STRING = 10,
  TH_BASIC_INFORMATION_ATTR_MANUFACTURING_DATE = 11,
  TH_BASIC_INFORMATION_ATTR_PART_NUMBER = 12,
  TH_BASIC_INFORMATION_ATTR_PRODUCT_URL = 13,
  TH_BASIC_INFORMATION_ATTR_PRODUCT_LABEL = 14,
  TH_BASIC_INFORMATION_ATTR_SERIAL_NUMBER = 15,
  TH_BASIC_INFORMATION_ATTR_LOCAL_CONFIG_DISABLED = 16,
  TH_BASIC_INFORMATION_ATTR_REACHABLE = 17,
  TH_BASIC_INFORMATION_ATTR_UNIQUE_ID = 18,
  TH_BASIC_INFORMATION_ATTR_CAPABILITY_MINIMA = 19,
  TH_BASIC_INFORMATION_ATTR_PRODUCT_APPEARANCE = 20,
  TH_BASIC_INFORMATION_ATTR_SPECIFICATION_VERSION = 21,
  TH_BASIC_INFORMATION_ATTR_MAX_PATHS_PER_INVOKE = 22,
  TH_BASIC_INFORMATION_ATTR_CONFIGURATION_VERSION = 24,
};

/* General Commissioning */
enum
{
  TH_GENERAL_COMMISSIONING_ATTR_BREADCRUMB = 0,
  TH_GENERAL_COMMISSIONING_ATTR_BASIC_COMMISSIONING_INFO = 1,
  TH_GENERAL_COMMISSIONING_ATTR_REGULATORY_CONFIG = 2,
  TH_GENERAL_COMMISSIONING_ATTR_LOCATION_CAPABILITY = 3,
  TH_GENERAL_COMMISSIONING_ATTR_SUPPORTS_CONCURRENT_CONNECTION = 4,

  TH_GENERAL_COMMISSIONING_CMD_ARM_FAIL_SAFE = 0,
  TH_GENERAL_COMMISSIONING_CMD_ARM_FAIL_SAFE_RESPONSE = 1,
  TH_GENERAL_COMMISSIONING_CMD_SET_REGULATORY_CONFIG = 2,
  TH_GENERAL_COMMISSIONING_CMD_SET_REGULATORY_CONFIG_RESPONSE = 3,
  TH_GENERAL_COMMISSIONING_CMD_COMMISSIONING_COMPLETE = 4,
  TH_GENERAL_COMMISSIONING_CMD_COMMISSIONING_COMPLETE_RESPONSE = 5,
};

/* RegulatoryLocationTypeEnum */
typedef enum
{
  TH_REGULATORY_LOCATION_INDOOR = 0,
  TH_REGULATORY_LOCATION_OUTDOOR = 1,
  TH_REGULATORY_LOCATION_INDOOR_OUTDOOR = 2,
} ThRegulatoryLocation;

/* CommissioningErrorEnum */
typedef enum
{
  TH_COMMISSIONING_ERROR_OK = 0,
  TH_COMMISSIONING_ERROR_VALUE_OUTSIDE_RANGE = 1,
  TH_COMMISSIONING_ERROR_INVALID_AUTHENTICATION = 2,
  TH_COMMISSIONING_ERROR_NO_FAIL_SAFE = 3,
  TH_COMMISSIONING_ERROR_BUSY_WITH_OTHER_ADMIN = 4,
  TH_COMMISSIONING_ERROR_REQUIRED_TC_NOT_ACCEPTED = 5,
  TH_COMMISSIONING_ERROR_TC_ACKNOWLEDGEMENTS_NOT_RECEIVED = 6,
  TH_COMMISSIONING_ERROR_TC_MIN_VERSION_NOT_MET = 7,
} ThCommissioningError;

/* Network Commissioning */
enum
{
  TH_NETWORK_COMMISSIONING_ATTR_MAX_NETWORKS = 0,
  TH_NETWORK_COMMISSIONING_ATTR_NETWORKS = 1,
  TH_NETWORK_COMMISSIONING_ATTR_SCAN_MAX_TIME_SECONDS = 2,
  TH_NETWORK_COMMISSIONING_ATTR_CONNECT_MAX_TIME_SECONDS = 3,
  TH_NETWORK_COMMISSIONING_ATTR_INTERFACE_ENABLED = 4,
  TH_NETWORK_COMMISSIONING_ATTR_LAST_NETWORKING_STATUS = 5,
  TH_NETWORK_COMMISSIONING_ATTR_LAST_NETWORK_ID = 6,
  TH_NETWORK_COMMISSIONING_ATTR_LAST_CONNECT_ERROR_VALUE = 7,
  TH_NETWORK_COMMISSIONING_ATTR_SUPPORTED_WIFI_BANDS = 8,
  TH_NETWORK_COMMISSIONING_ATTR_SUPPORTED_THREAD_FEATURES = 9,
  TH_NETWORK_COMMISSIONING_ATTR_THREAD_VERSION = 10,

  TH_NETWORK_COMMISSIONING_CMD_SCAN_NETWORKS = 0,
  TH_NETWORK_COMMISSIONING_CMD_SCAN_NETWORKS_RESPONSE = 1,
  TH_NETWORK_COMMISSIONING_CMD_ADD_OR_UPDATE_WIFI_NETWORK = 2,
  TH_NETWORK_COMMISSIONING_CMD_ADD_OR_UPDATE_THREAD_NETWORK = 3,
  TH_NETWORK_COMMISSIONING_CMD_REMOVE_NETWORK = 4,
  TH_NETWORK_COMMISSIONING_CMD_NETWORK_CONFIG_RESPONSE = 5,
  TH_NETWORK_COMMISSIONING_CMD_CONNECT_NETWORK = 6,
  TH_NETWORK_COMMISSIONING_CMD_CONNECT_NETWORK_RESPONSE = 7,
  TH_NETWORK_COMMISSIONING_CMD_REORDER_NETWORK = 8,
};

/* Network Commissioning FeatureMap bits: which kind of interface the endpoint is */
typedef enum
{
  TH_NETWORK_COMMISSIONING_FEATURE_WIFI = 1 << 0,
  TH_NETWORK_COMMISSIONING_FEATURE_THREAD = 1 << 1,
  TH_NETWORK_COMMISSIONING_FEATURE_ETHERNET = 1 << 2,
} ThNetworkCommissioningFeature;

/* NetworkCommissioningStatusEnum */
typedef enum
{
  TH_NETWORK_STATUS_SUCCESS = 0,
  TH_NETWORK_STATUS_OUT_OF_RANGE = 1,
  TH_NETWORK_STATUS_BOUNDS_EXCEEDED = 2,
  TH_NETWORK_STATUS_NETWORK_ID_NOT_FOUND = 3,
  TH_NETWORK_STATUS_DUPLICATE_NETWORK_ID = 4,
  TH_NETWORK_STATUS_NETWORK_NOT_FOUND = 5,
  TH_NETWORK_STATUS_REGULATORY_ERROR = 6,
  TH_NETWORK_STATUS_AUTH_FAILURE = 7,
  TH_NETWORK_STATUS_UNSUPPORTED_SECURITY = 8,
  TH_NETWORK_STATUS_OTHER_CONNECTION_FAILURE = 9,
  TH_NETWORK_STATUS_IPV6_FAILED = 10,
  TH_NETWORK_STATUS_IP_BIND_FAILED = 11,
  TH_NETWORK_STATUS_UNKNOWN_ERROR = 12,
} ThNetworkStatus;

/* WiFiSecurityBitmap */
typedef enum
{
  TH_WIFI_SECURITY_UNENCRYPTED = 1 << 0,
  TH_WIFI_SECURITY_WEP = 1 << 1,
  TH_WIFI_SECURITY_WPA_PERSONAL = 1 << 2,
  TH_WIFI_SECURITY_WPA2_PERSONAL = 1 << 3,
  TH_WIFI_SECURITY_WPA3_PERSONAL = 1 << 4,
} ThWiFiSecurity;

/* WiFiBandEnum */
typedef enum
{
  TH_WIFI_BAND_2G4 = 0,
  TH_WIFI_BAND_3G65 = 1,
  TH_WIFI_BAND_5G = 2,
  TH_WIFI_BAND_6G = 3,
  TH_WIFI_BAND_60G = 4,
  TH_WIFI_BAND_1G = 5,
} ThWiFiBand;

/* Time Synchronization */
enum
{
  TH_TIME_SYNCHRONIZATION_ATTR_UTC_TIME = 0,
  TH_TIME_SYNCHRONIZATION_ATTR_GRANULARITY = 1,
  TH_TIME_SYNCHRONIZATION_ATTR_TIME_SOURCE = 2,

  TH_TIME_SYNCHRONIZATION_CMD_SET_UTC_TIME = 0,
};

/* GranularityEnum */
typedef enum
{
  TH_TIME_GRANULARITY_NONE = 0,
  TH_TIME_GRANULARITY_MINUTES = 1,
  TH_TIME_GRANULARITY_SECONDS = 2,
  TH_TIME_GRANULARITY_MILLISECONDS = 3,
  TH_TIME_GRANULARITY_MICROSECONDS = 4,
} ThTimeGranularity;

/* Administrator Commissioning. Its commands must be sent as timed invokes. */
enum
{
  TH_ADMINISTRATOR_COMMISSIONING_ATTR_WINDOW_STATUS = 0,
  TH_ADMINISTRATOR_COMMISSIONING_ATTR_ADMIN_FABRIC_INDEX = 1,
  TH_ADMINISTRATOR_COMMISSIONING_ATTR_ADMIN_VENDOR_ID = 2,

  TH_ADMINISTRATOR_COMMISSIONING_CMD_OPEN_COMMISSIONING_WINDOW = 0,
  TH_ADMINISTRATOR_COMMISSIONING_CMD_OPEN_BASIC_COMMISSIONING_WINDOW = 1,
  TH_ADMINISTRATOR_COMMISSIONING_CMD_REVOKE_COMMISSIONING = 2,
};

/* StatusCodeEnum: the cluster-specific status of a failed command */
typedef enum
{
  TH_ADMINISTRATOR_COMMISSIONING_STATUS_BUSY = 2,
  TH_ADMINISTRATOR_COMMISSIONING_STATUS_PAKE_PARAMETER_ERROR = 3,
  TH_ADMINISTRATOR_COMMISSIONING_STATUS_WINDOW_NOT_OPEN = 4,
} ThAdministratorCommissioningStatus;

/* Operational Credentials */
enum
{
  TH_OPERATIONAL_CREDENTIALS_ATTR_NOCS = 0,
  TH_OPERATIONAL_CREDENTIALS_ATTR_FABRICS = 1,
  TH_OPERATIONAL_CREDENTIALS_ATTR_SUPPORTED_FABRICS = 2,
  TH_OPERATIONAL_CREDENTIALS_ATTR_COMMISSIONED_FABRICS = 3,
  TH_OPERATIONAL_CREDENTIALS_ATTR_TRUSTED_ROOT_CERTIFICATES = 4,
  TH_OPERATIONAL_CREDENTIALS_ATTR_CURRENT_FABRIC_INDEX = 5,

  TH_OPERATIONAL_CREDENTIALS_CMD_ATTESTATION_REQUEST = 0,
  TH_OPERATIONAL_CREDENTIALS_CMD_ATTESTATION_RESPONSE = 1,
  TH_OPERATIONAL_CREDENTIALS_CMD_CERTIFICATE_CHAIN_REQUEST = 2,
  TH_OPERATIONAL_CREDENTIALS_CMD_CERTIFICATE_CHAIN_RESPONSE = 3,
  TH_OPERATIONAL_CREDENTIALS_CMD_CSR_REQUEST = 4,
  TH_OPERATIONAL_CREDENTIALS_CMD_CSR_RESPONSE = 5,
  TH_OPERATIONAL_CREDENTIALS_CMD_ADD_NOC = 6,
  TH_OPERATIONAL_CREDENTIALS_CMD_UPDATE_NOC = 7,
  TH_OPERATIONAL_CREDENTIALS_CMD_NOC_RESPONSE = 8,
  TH_OPERATIONAL_CREDENTIALS_CMD_UPDATE_FABRIC_LABEL = 9,
  TH_OPERATIONAL_CREDENTIALS_CMD_REMOVE_FABRIC = 10,
  TH_OPERATIONAL_CREDENTIALS_CMD_ADD_TRUSTED_ROOT_CERTIFICATE = 11,
};

/* Sizes the specification sets for the Operational Credentials fields */
#define TH_ATTESTATION_NONCE_LEN 32
#define TH_CSR_NONCE_LEN 32
#define TH_ATTESTATION_SIGNATURE_LEN 64
#define TH_IPK_LEN 16
#define TH_ATTESTATION_ELEMENTS_MAX_LEN 900
#define TH_NOCSR_ELEMENTS_MAX_LEN 900
#define TH_DEVICE_CERTIFICATE_MAX_LEN 600
#define TH_OPERATIONAL_CERTIFICATE_MAX_LEN 400
#define TH_FABRIC_LABEL_MAX_LEN 32

/* CertificateChainTypeEnum */
typedef enum
{
  TH_CERTIFICATE_CHAIN_DAC = 1,
  TH_CERTIFICATE_CHAIN_PAI = 2,
} ThCertificateChainType;

/* NodeOperationalCertStatusEnum */
typedef enum
{
  TH_NOC_STATUS_OK = 0,
  TH_NOC_STATUS_INVALID_PUBLIC_KEY = 1,
  TH_NOC_STATUS_INVALID_NODE_OP_ID = 2,
  TH_NOC_STATUS_INVALID_NOC = 3,
  TH_NOC_STATUS_MISSING_CSR = 4,
  TH_NOC_STATUS_TABLE_FULL = 5,
  TH_NOC_STATUS_INVALID_ADMIN_SUBJECT = 6,
  TH_NOC_STATUS_FABRIC_CONFLICT = 9,
  TH_NOC_STATUS_LABEL_CONFLICT = 10,
  TH_NOC_STATUS_INVALID_FABRIC_INDEX = 11,
} ThNocStatus;

/* On/Off */
enum
{
  TH_ON_OFF_ATTR_ON_OFF = 0,

  TH_ON_OFF_CMD_OFF = 0,
  TH_ON_OFF_CMD_ON = 1,
  TH_ON_OFF_CMD_TOGGLE = 2,
};

/* Identify */
enum
{
  TH_IDENTIFY_ATTR_IDENTIFY_TIME = 0,
  TH_IDENTIFY_ATTR_IDENTIFY_TYPE = 1,

  TH_IDENTIFY_CMD_IDENTIFY = 0,
};

/* Group Key Management */
enum
{
  TH_GROUP_KEY_MANAGEMENT_ATTR_GROUP_KEY_MAP = 0,
  TH_GROUP_KEY_MANAGEMENT_ATTR_GROUP_TABLE = 1,
  TH_GROUP_KEY_MANAGEMENT_ATTR_MAX_GROUPS_PER_FABRIC = 2,
  TH_GROUP_KEY_MANAGEMENT_ATTR_MAX_GROUP_KEYS_PER_FABRIC = 3,
};

/* General Commissioning commands */

GBytes *th_general_commissioning_encode_arm_fail_safe (guint16 expiry_seconds,
                                                       guint64 breadcrumb);
/* country_code: two ASCII letters (ISO 3166-1 alpha-2), or "XX" when unknown */
GBytes *th_general_commissioning_encode_set_regulatory_config (ThRegulatoryLocation  location,
                                                               const char           *country_code,
                                                               guint64               breadcrumb);

/* ArmFailSafeResponse, SetRegulatoryConfigResponse and CommissioningCompleteResponse share
 * their fields. */
typedef struct
{
  guint8 error_code;          /* ThCommissioningError */
  char *debug_text;
} ThCommissioningResponse;

/* `name` names the response in errors, e.g. "ArmFailSafeResponse". Like every decoder here
 * that fills a structure with allocated members, it expects `response` empty and leaves it
 * empty on failure. */
gboolean th_commissioning_response_decode (const guint8             *fields,
                                           gsize                     fields_len,
                                           const char               *name,
                                           ThCommissioningResponse  *response,
                                           GError                  **error);
void     th_commissioning_response_clear  (ThCommissioningResponse  *response);
/* TRUE when the error code is OK; otherwise TH_ERROR_IM_COMMAND_FAILED saying, in words,
 * why the device refused the command `name`, with the device's debug text. */
gboolean th_commissioning_response_check  (const ThCommissioningResponse *response,
                                           const char                    *name,
                                           GError                       **error);
/* One translated sentence for a CommissioningErrorEnum value */
char    *th_commissioning_error_describe  (guint8 error_code);

/* Operational Credentials commands */

GBytes *th_operational_credentials_encode_attestation_request (
  const guint8 nonce[TH_ATTESTATION_NONCE_LEN]);
GBytes *th_operational_credentials_encode_certificate_chain_request (ThCertificateChainType type);
GBytes *th_operational_credentials_encode_csr_request (const guint8 nonce[TH_CSR_NONCE_LEN],
                                                       gboolean     for_update_noc);
/* Certificates in the Matter TLV encoding */
GBytes *th_operational_credentials_encode_add_trusted_root_certificate (GBytes *root_certificate);
/* icac may be NULL */
GBytes *th_operational_credentials_encode_add_noc (GBytes       *noc,
                                                   GBytes       *icac,
                                                   const guint8  ipk[TH_IPK_LEN],
                                                   guint64       case_admin_subject,
                                                   guint16       admin_vendor_id);
GBytes *th_operational_credentials_encode_update_fabric_label (const char *label);
GBytes *th_operational_credentials_encode_remove_fabric (guint8 fabric_index);

/* AttestationResponse and CSRResponse: elements signed with the device's attestation key.
 * The pointers go into the fields. */
typedef struct
{
  const guint8 *elements;
  gsize elements_len;
  const guint8 *signature;    /* TH_ATTESTATION_SIGNATURE_LEN bytes, raw r || s */
} ThSignedElements;

gboolean th_operational_credentials_decode_attestation_response (const guint8      *fields,
                                                                 gsize              fields_len,
                                                                 ThSignedElements  *response,
                                                                 GError           **error);
gboolean th_operational_credentials_decode_csr_response (const guint8      *fields,
                                                         gsize              fields_len,
                                                         ThSignedElements  *response,
                                                         GError           **error);
/* The certificate (DER) points into the fields. */
gboolean th_operational_credentials_decode_certificate_chain_response (
  const guint8  *fields,
  gsize          fields_len,
  const guint8 **certificate,
  gsize         *certificate_len,
  GError       **error);

/* NOCResponse, the answer to AddNOC, UpdateNOC, UpdateFabricLabel and RemoveFabric */
typedef struct
{
  guint8 status;              /* ThNocStatus */
  gboolean has_fabric_index;
  guint8 fabric_index;
  char *debug_text;           /* NULL when the device sent none */
} ThNocResponse;

gboolean th_noc_response_decode (const guint8   *fields,
                                 gsize           fields_len,
                                 ThNocResponse  *response,
                                 GError        **error);
void     th_noc_response_clear  (ThNocResponse  *response);
/* TRUE when the status is OK; otherwise TH_ERROR_IM_COMMAND_FAILED saying why in words */
gboolean th_noc_response_check  (const ThNocResponse *response,
                                 const char          *name,
                                 GError             **error);
char    *th_noc_status_describe (guint8 status);

/* Network Commissioning commands */

GBytes *th_network_commissioning_encode_add_or_update_wifi_network (const guint8 *ssid,
                                                                    gsize         ssid_len,
                                                                    const guint8 *credentials,
                                                                    gsize         credentials_len,
                                                                    guint64       breadcrumb);
GBytes *th_network_commissioning_encode_add_or_update_thread_network (const guint8 *dataset,
                                                                      gsize         dataset_len,
                                                                      guint64       breadcrumb);
/* ssid: look for this network only (Wi-Fi), or NULL to scan for all */
GBytes *th_network_commissioning_encode_scan_networks (const guint8 *ssid,
                                                       gsize         ssid_len,
                                                       guint64       breadcrumb);
/* The network id is the SSID for Wi-Fi, the extended PAN id for Thread. */
GBytes *th_network_commissioning_encode_connect_network (const guint8 *network_id,
                                                         gsize         network_id_len,
                                                         guint64       breadcrumb);

/* NetworkConfigResponse and ConnectNetworkResponse */
typedef struct
{
  guint8 status;              /* ThNetworkStatus */
  char *debug_text;           /* NULL when the device sent none */
  gboolean has_network_index; /* NetworkConfigResponse */
  guint8 network_index;
  gboolean has_error_value;   /* ConnectNetworkResponse: null or absent leaves it FALSE */
  gint32 error_value;
} ThNetworkResponse;

gboolean th_network_config_response_decode  (const guint8       *fields,
                                             gsize               fields_len,
                                             ThNetworkResponse  *response,
                                             GError            **error);
gboolean th_connect_network_response_decode (const guint8       *fields,
                                             gsize               fields_len,
                                             ThNetworkResponse  *response,
                                             GError            **error);
void     th_network_response_clear          (ThNetworkResponse  *response);
gboolean th_network_response_check          (const ThNetworkResponse *response,
                                             const char              *name,
                                             GError                 **error);
char    *th_network_status_describe         (guint8 status);

/* ScanNetworksResponse */
typedef struct
{
  guint8 security;            /* ThWiFiSecurity bits */
  guint8 ssid[32];
  gsize ssid_len;
  guint8 bssid[6];
  guint16 channel;
  gboolean has_band;
  guint8 band;                /* ThWiFiBand */
  gboolean has_rssi;
  gint8 rssi;                 /* dBm */
} ThWiFiScanResult;

typedef struct
{
  guint16 pan_id;
  guint64 extended_pan_id;
  char network_name[17];      /* 1 to 16 bytes of UTF-8, NUL-terminated */
  guint16 channel;
  guint8 version;
  guint8 extended_address[8];
  gint8 rssi;                 /* dBm */
  guint8 lqi;
} ThThreadScanResult;

typedef struct
{
  guint8 status;              /* ThNetworkStatus */
  char *debug_text;           /* NULL when the device sent none */
  GArray *wifi_results;       /* of ThWiFiScanResult; NULL when the device sent none */
  GArray *thread_results;     /* of ThThreadScanResult; NULL when the device sent none */
} ThScanNetworksResponse;

gboolean th_scan_networks_response_decode (const guint8            *fields,
                                           gsize                    fields_len,
                                           ThScanNetworksResponse  *response,
                                           GError                 **error);
void     th_scan_networks_response_clear  (ThScanNetworksResponse  *response);

/* Administrator Commissioning commands */

/* An enhanced commissioning window: the verifier is the serialized SPAKE2+ verifier (w0 and
 * L, 97 bytes), the salt 16 to 32 bytes, the iterations 1000 to 100000. */
#define TH_PAKE_VERIFIER_LEN 97

GBytes *th_administrator_commissioning_encode_open_commissioning_window (
  guint16       timeout_seconds,
  const guint8  verifier[TH_PAKE_VERIFIER_LEN],
  guint16       discriminator,
  guint32       iterations,
  const guint8 *salt,
  gsize         salt_len);
GBytes *th_administrator_commissioning_encode_open_basic_commissioning_window (
  guint16 timeout_seconds);
/* A sentence for the cluster-specific status of a failed Administrator Commissioning command */
char   *th_administrator_commissioning_status_describe (guint8 cluster_status);

/* Identify and Time Synchronization commands */

GBytes *th_identify_encode_identify (guint16 identify_time_seconds);
/* utc_time_us: microseconds since the Matter epoch, 2000-01-01 00:00:00 UTC */
GBytes *th_time_synchronization_encode_set_utc_time (guint64           utc_time_us,
                                                     ThTimeGranularity granularity);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ThCommissioningResponse, th_commissioning_response_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ThNocResponse, th_noc_response_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ThNetworkResponse, th_network_response_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ThScanNetworksResponse, th_scan_networks_response_clear)

G_END_DECLS
