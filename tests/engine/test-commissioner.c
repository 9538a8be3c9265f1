/* test-commissioner.c: the whole commissioning flow against an in-process device over UDP on
 * 127.0.0.1: the secure channel's PASE and CASE responders, and a small Interaction Model
 * server that answers the commissioner's read and commands with the Chip-Test attestation
 * credentials of the shared vectors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "clusters/th-clusters.h"
#include "commissioning/th-commissioner.h"
#include "commissioning/th-node-connection.h"
#include "commissioning/th-operational-session.h"
#include "crypto/th-spake2p.h"
#include "im/th-im-fields.h"
#include "im/th-im.h"
#include "messaging/th-exchange-manager.h"
#include "messaging/th-udp-transport.h"
#include "secure-channel/th-case-responder.h"
#include "secure-channel/th-pase-responder.h"
#include "secure-channel/th-status-report.h"
#include "th-error.h"
#include "th-test-utils.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_REQ, X509_REQ_free)

#define PASSCODE 20202021
#define CREDENTIALS "credentials/test/"
#define DAC_CERT CREDENTIALS "attestation/Chip-Test-DAC-FFF1-8000-0000-Cert.der"
#define DAC_KEY CREDENTIALS "attestation/Chip-Test-DAC-FFF1-8000-0000-Key.pem"
#define PAI_CERT CREDENTIALS "attestation/Chip-Test-PAI-FFF1-8000-Cert.der"
#define PAA_CERT CREDENTIALS "attestation/Chip-Test-PAA-FFF1-Cert.der"
#define CD CREDENTIALS "certification-declaration/Example-CD-FFF1-8000-8063.der"
#define CD_SIGNER CREDENTIALS "certification-declaration/Chip-Test-CD-Signing-Cert.der"

#define ROOT_NODE_DEVICE_TYPE 0x0016
#define ON_OFF_LIGHT_DEVICE_TYPE 0x0100
#define SERIAL_NUMBER "TH-IN-PROCESS-1"

/* What the device does wrong, for the tests of failures. */
typedef enum
{
  FAULT_NONE = 0,
  FAULT_ADD_NOC_REFUSED = 1 << 0,   /* AddNOC answered with INVALID_NOC */
  FAULT_CSR_WRONG_SIGNER = 1 << 1,  /* the NOCSR elements signed with a key other than the DAC's */
  FAULT_DISARM_REFUSED = 1 << 2,    /* ArmFailSafe with 0 answered BUSY_WITH_OTHER_ADMIN */
  FAULT_COUNTRY_REFUSED = 1 << 3,   /* a country code other than XX is VALUE_OUTSIDE_RANGE */
  FAULT_DAC_LAST = 1 << 4,          /* the DAC goes out after the PAI and the attestation */
  FAULT_PAI_REFUSED = 1 << 5,       /* the CertificateChainRequest for the PAI: FAILURE */
  FAULT_ATTESTATION_HELD = 1 << 6,  /* no attestation request is answered */
  FAULT_REPORT_AFTER_ARM = 1 << 7,  /* the report to the read waits for an ArmFailSafe */
  FAULT_ARM_REFUSED = 1 << 8,       /* ArmFailSafe other than 0: BUSY_WITH_OTHER_ADMIN */
} DeviceFault;

typedef struct
{
  DeviceFault fault;
  guint16 fail_safe_seconds;  /* what BasicCommissioningInfo suggests */
  guint8 location_capability;
  guint32 network_features;   /* of its one network interface */
  gboolean keeps_time;        /* it has a Time Synchronization cluster */

  ThUdpTransport *udp;
  ThExchangeManager *manager;
  GSocketAddress *address;
  ThPbkdfParameters pbkdf;
  guint8 verifier[TH_SPAKE2P_VERIFIER_LEN];

  /* the handshake under way: PASE or CASE */
  ThSessionKind handshake;
  ThPaseResponder *pase_responder;
  ThCaseResponder *case_responder;
  guint16 session_id;
  ThSession *pase;
  ThSession *operational;

  GBytes *dac;
  GBytes *pai;
  GBytes *cd;
  ThP256Key *dac_key;
  ThP256Key *operational_key;
  GBytes *root;
  ThCaseIdentity *identity;

  /* what the device was told */
  GArray *fail_safe_requests;   /* of guint16: every ArmFailSafe's expiry */
  guint regulatory_calls;
  guint8 regulatory_location;
  char country_code[3];
  gboolean time_set;
  guint64 case_admin_subject;
  guint16 admin_vendor_id;
  guint8 ipk[TH_IPK_LEN];
  guint attestation_requests;       /* CertificateChainRequests and AttestationRequests */
  guint attestation_answered;
  guint attestation_most_unanswered;
  GPtrArray *held_exchanges;        /* attestation requests not answered yet, */
  GPtrArray *held_replies;          /* and their answers */
  GCancellable *cancel_when_held;   /* cancelled once three requests are held */
  ThExchange *held_read;            /* a read and its report, waiting for ArmFailSafe */
  GBytes *held_report;
  gboolean fabric_saved_when_completed;
  char *store_dir;                  /* the commissioner's, to look at */
  gboolean completed;
  gboolean completed_over_case;
  gboolean pase_closed_by_commissioner;
  gboolean light_on;          /* the On/Off cluster of endpoint 1 */

  /* Network Commissioning: the one Wi-Fi network in range, and what the device was told, in
   * order: "arm", "add SSID", "connect SSID" */
  const char *network_ssid;
  const char *network_password;
  GPtrArray *network_log;
  char *added_password;
} TestDevice;

static GBytes *
load_vector_file (const char *relative_path)
{
  g_autofree char *path = g_build_filename (th_test_vectors_dir (), relative_path, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static ThP256Key *
load_key (const char *relative_path)
{
  g_autoptr(GBytes) pem = load_vector_file (relative_path);
  g_autoptr(BIO) bio = BIO_new_mem_buf (g_bytes_get_data (pem, NULL),
                                        (int) g_bytes_get_size (pem));
  g_autoptr(EVP_PKEY) pkey = PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL);
  g_autoptr(GError) error = NULL;
  ThP256Key *key;

  g_assert_nonnull (pkey);
  key = th_p256_key_new_from_evp_pkey (pkey, &error);
  g_assert_no_error (error);
  return key;
}

/* ---- The device's answers ---- */

static void
on_sent_last (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  TestDevice *device = user_data;

  /* Acknowledged, or given up on: the exchange is over either way. */
  th_exchange_send_finish (TH_EXCHANGE (source), result, NULL);
  th_exchange_close (TH_EXCHANGE (source));
  /* A device ends the PASE session itself once its fail-safe is disarmed or commissioning
   * completes; it does so once the answer is through. */
  if (device != NULL && device->pase != NULL)
    th_exchange_manager_close_session (device->manager, device->pase);
  g_object_unref (source);
}

/* Sends `payload` as the exchange's last message; takes a reference of its own. */
static void
send_last (TestDevice *device,
           ThExchange *exchange,
           guint8      opcode,
           GBytes     *payload,
           gboolean    then_end_pase)
{
  th_exchange_send_async (g_object_ref (exchange), opcode, payload, NULL, on_sent_last,
                          then_end_pase ? device : NULL);
}

/* The paths of the one read the commissioner makes, each written as an AttributeReportIB. */
static void
begin_attribute (ThTlvWriter *writer,
                 guint16      endpoint,
                 guint32      cluster,
                 guint32      attribute)
{
  th_tlv_writer_start_structure (writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_start_structure (writer, TH_TLV_CONTEXT (1));
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (0), 1);
  th_tlv_writer_start_list (writer, TH_TLV_CONTEXT (1));
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (2), endpoint);
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (3), cluster);
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (4), attribute);
  th_tlv_writer_end_container (writer);
}

static void
end_attribute (ThTlvWriter *writer)
{
  th_tlv_writer_end_container (writer);
  th_tlv_writer_end_container (writer);
}

static void
put_uint_attribute (ThTlvWriter *writer,
                    guint16      endpoint,
                    guint32      cluster,
                    guint32      attribute,
                    guint64      value)
{
  begin_attribute (writer, endpoint, cluster, attribute);
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (2), value);
  end_attribute (writer);
}

static void
put_string_attribute (ThTlvWriter *writer,
                      guint32      attribute,
                      const char  *value)
{
  begin_attribute (writer, TH_ROOT_ENDPOINT, TH_CLUSTER_BASIC_INFORMATION, attribute);
  th_tlv_writer_put_string (writer, TH_TLV_CONTEXT (2), value, -1);
  end_attribute (writer);
}

static void
put_endpoint (ThTlvWriter   *writer,
              guint16        endpoint,
              guint32        device_type,
              const guint32 *clusters,
              gsize          n_clusters)
{
  begin_attribute (writer, endpoint, TH_CLUSTER_DESCRIPTOR, TH_DESCRIPTOR_ATTR_DEVICE_TYPE_LIST);
  th_tlv_writer_start_array (writer, TH_TLV_CONTEXT (2));
  th_tlv_writer_start_structure (writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (0), device_type);
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (1), 1);
  th_tlv_writer_end_container (writer);
  th_tlv_writer_end_container (writer);
  end_attribute (writer);

  begin_attribute (writer, endpoint, TH_CLUSTER_DESCRIPTOR, TH_DESCRIPTOR_ATTR_SERVER_LIST);
  th_tlv_writer_start_array (writer, TH_TLV_CONTEXT (2));
  for (gsize i = 0; i < n_clusters; i++)
    th_tlv_writer_put_uint (writer, TH_TLV_ANONYMOUS, clusters[i]);
  th_tlv_writer_end_container (writer);
  end_attribute (writer);
}

static GBytes *
encode_report (TestDevice *device)
{
  /* Time Synchronization last, to be left out */
  static const guint32 root_clusters[] = {
    TH_CLUSTER_DESCRIPTOR, TH_CLUSTER_BASIC_INFORMATION, TH_CLUSTER_GENERAL_COMMISSIONING,
    TH_CLUSTER_NETWORK_COMMISSIONING, TH_CLUSTER_OPERATIONAL_CREDENTIALS,
    TH_CLUSTER_TIME_SYNCHRONIZATION,
  };
  static const guint32 light_clusters[] = {
    TH_CLUSTER_IDENTIFY, TH_CLUSTER_ON_OFF, TH_CLUSTER_DESCRIPTOR,
  };
  const guint32 general = TH_CLUSTER_GENERAL_COMMISSIONING;
  g_auto(ThTlvWriter) writer;

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_start_array (&writer, TH_TLV_CONTEXT (1));

  put_uint_attribute (&writer, 0, TH_CLUSTER_BASIC_INFORMATION,
                      TH_BASIC_INFORMATION_ATTR_DATA_MODEL_REVISION, 17);
  put_string_attribute (&writer, TH_BASIC_INFORMATION_ATTR_VENDOR_NAME, "Threshold Tests");
  put_uint_attribute (&writer, 0, TH_CLUSTER_BASIC_INFORMATION,
                      TH_BASIC_INFORMATION_ATTR_VENDOR_ID, 0xFFF1);
  put_string_attribute (&writer, TH_BASIC_INFORMATION_ATTR_PRODUCT_NAME, "In-process Light");
  put_uint_attribute (&writer, 0, TH_CLUSTER_BASIC_INFORMATION,
                      TH_BASIC_INFORMATION_ATTR_PRODUCT_ID, 0x8000);
  put_string_attribute (&writer, TH_BASIC_INFORMATION_ATTR_NODE_LABEL, "Desk");
  put_string_attribute (&writer, TH_BASIC_INFORMATION_ATTR_LOCATION, "XX");
  put_uint_attribute (&writer, 0, TH_CLUSTER_BASIC_INFORMATION,
                      TH_BASIC_INFORMATION_ATTR_HARDWARE_VERSION, 1);
  put_string_attribute (&writer, TH_BASIC_INFORMATION_ATTR_HARDWARE_VERSION_STRING, "1");
  put_uint_attribute (&writer, 0, TH_CLUSTER_BASIC_INFORMATION,
                      TH_BASIC_INFORMATION_ATTR_SOFTWARE_VERSION, 1);
  put_string_attribute (&writer, TH_BASIC_INFORMATION_ATTR_SOFTWARE_VERSION_STRING, "1.0");
  put_string_attribute (&writer, TH_BASIC_INFORMATION_ATTR_SERIAL_NUMBER, SERIAL_NUMBER);

  put_uint_attribute (&writer, 0, general, TH_GENERAL_COMMISSIONING_ATTR_BREADCRUMB, 0);
  begin_attribute (&writer, 0, general, TH_GENERAL_COMMISSIONING_ATTR_BASIC_COMMISSIONING_INFO);
  th_tlv_writer_start_structure (&writer, TH_TLV_CONTEXT (2));
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0), device->fail_safe_seconds);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (1), 900);
  th_tlv_writer_end_container (&writer);
  end_attribute (&writer);
  put_uint_attribute (&writer, 0, general, TH_GENERAL_COMMISSIONING_ATTR_REGULATORY_CONFIG, 0);
  put_uint_attribute (&writer, 0, general, TH_GENERAL_COMMISSIONING_ATTR_LOCATION_CAPABILITY,
                      device->location_capability);
  begin_attribute (&writer, 0, general,
                   TH_GENERAL_COMMISSIONING_ATTR_SUPPORTS_CONCURRENT_CONNECTION);
  th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (2), TRUE);
  end_attribute (&writer);

  put_uint_attribute (&writer, 0, TH_CLUSTER_NETWORK_COMMISSIONING, TH_ATTR_FEATURE_MAP,
                      device->network_features);
  put_uint_attribute (&writer, 0, TH_CLUSTER_NETWORK_COMMISSIONING,
                      TH_NETWORK_COMMISSIONING_ATTR_SCAN_MAX_TIME_SECONDS, 10);
  put_uint_attribute (&writer, 0, TH_CLUSTER_NETWORK_COMMISSIONING,
                      TH_NETWORK_COMMISSIONING_ATTR_CONNECT_MAX_TIME_SECONDS, 20);
  put_endpoint (&writer, 0, ROOT_NODE_DEVICE_TYPE, root_clusters,
                G_N_ELEMENTS (root_clusters) - (device->keeps_time ? 0 : 1));
  put_endpoint (&writer, 1, ON_OFF_LIGHT_DEVICE_TYPE, light_clusters,
                G_N_ELEMENTS (light_clusters));

  th_tlv_writer_end_container (&writer);
  th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (4), TRUE);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0xFF), TH_IM_REVISION);
  th_tlv_writer_end_container (&writer);
  return th_tlv_writer_finish (&writer);
}

static GBytes *
encode_on_off_report (TestDevice *device)
{
  g_auto(ThTlvWriter) writer;

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_start_array (&writer, TH_TLV_CONTEXT (1));
  begin_attribute (&writer, 1, TH_CLUSTER_ON_OFF, TH_ON_OFF_ATTR_ON_OFF);
  th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (2), device->light_on);
  end_attribute (&writer);
  th_tlv_writer_end_container (&writer);
  th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (4), TRUE);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0xFF), TH_IM_REVISION);
  th_tlv_writer_end_container (&writer);
  return th_tlv_writer_finish (&writer);
}

/* An InvokeResponse with one response command on the root endpoint: the fields are written
 * between begin and end. */
static void
response_begin (ThTlvWriter *writer,
                guint32      cluster,
                guint32      command)
{
  th_tlv_writer_init (writer);
  th_tlv_writer_start_structure (writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_bool (writer, TH_TLV_CONTEXT (0), FALSE);
  th_tlv_writer_start_array (writer, TH_TLV_CONTEXT (1));
  th_tlv_writer_start_structure (writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_start_structure (writer, TH_TLV_CONTEXT (0));
  th_tlv_writer_start_list (writer, TH_TLV_CONTEXT (0));
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (0), TH_ROOT_ENDPOINT);
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (1), cluster);
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (2), command);
  th_tlv_writer_end_container (writer);
  th_tlv_writer_start_structure (writer, TH_TLV_CONTEXT (1));
}

static GBytes *
response_end (ThTlvWriter *writer)
{
  for (guint i = 0; i < 4; i++)
    th_tlv_writer_end_container (writer);
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (0xFF), TH_IM_REVISION);
  th_tlv_writer_end_container (writer);
  return th_tlv_writer_finish (writer);
}

/* ArmFailSafeResponse, SetRegulatoryConfigResponse, CommissioningCompleteResponse */
static GBytes *
commissioning_response (guint32 command,
                        guint8  error_code)
{
  g_auto(ThTlvWriter) writer;

  response_begin (&writer, TH_CLUSTER_GENERAL_COMMISSIONING, command);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0), error_code);
  th_tlv_writer_put_string (&writer, TH_TLV_CONTEXT (1), "", 0);
  return response_end (&writer);
}

static GBytes *
status_response (guint16 endpoint,
                 guint32 cluster,
                 guint32 command,
                 guint8  status)
{
  g_auto(ThTlvWriter) writer;

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (0), FALSE);
  th_tlv_writer_start_array (&writer, TH_TLV_CONTEXT (1));
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_start_structure (&writer, TH_TLV_CONTEXT (1));
  th_tlv_writer_start_list (&writer, TH_TLV_CONTEXT (0));
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0), endpoint);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (1), cluster);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (2), command);
  th_tlv_writer_end_container (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_CONTEXT (1));
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0), status);
  th_tlv_writer_end_container (&writer);
  th_tlv_writer_end_container (&writer);
  th_tlv_writer_end_container (&writer);
  th_tlv_writer_end_container (&writer);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0xFF), TH_IM_REVISION);
  th_tlv_writer_end_container (&writer);
  return th_tlv_writer_finish (&writer);
}

/* NetworkConfigResponse or ConnectNetworkResponse */
static GBytes *
network_response (guint32     command,
                  guint8      status,
                  const char *debug_text)
{
  g_auto(ThTlvWriter) writer;

  response_begin (&writer, TH_CLUSTER_NETWORK_COMMISSIONING, command);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0), status);
  if (debug_text != NULL)
    th_tlv_writer_put_string (&writer, TH_TLV_CONTEXT (1), debug_text, strlen (debug_text));
  if (command == TH_NETWORK_COMMISSIONING_CMD_NETWORK_CONFIG_RESPONSE)
    th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (2), 0);
  else
    th_tlv_writer_put_null (&writer, TH_TLV_CONTEXT (2));
  return response_end (&writer);
}

/* Elements || the PASE session's attestation challenge, signed with `key`. */
static GBytes *
sign_with_challenge (TestDevice *device,
                     ThP256Key  *key,
                     GBytes     *elements)
{
  g_autoptr(GByteArray) message = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  guint8 signature[TH_P256_SIGNATURE_LEN];

  g_byte_array_append (message, g_bytes_get_data (elements, NULL), g_bytes_get_size (elements));
  g_byte_array_append (message, th_session_get_attestation_challenge (device->pase),
                       TH_ATTESTATION_CHALLENGE_LEN);
  g_assert_true (th_p256_key_sign (key, message->data, message->len, signature, &error));
  g_assert_no_error (error);
  return g_bytes_new (signature, sizeof signature);
}

static GBytes *
signed_response (guint32  command,
                 GBytes  *elements,
                 GBytes  *signature)
{
  g_auto(ThTlvWriter) writer;

  response_begin (&writer, TH_CLUSTER_OPERATIONAL_CREDENTIALS, command);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (0), g_bytes_get_data (elements, NULL),
                           g_bytes_get_size (elements));
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (1), g_bytes_get_data (signature, NULL),
                           g_bytes_get_size (signature));
  return response_end (&writer);
}

static GBytes *
attestation_response (TestDevice   *device,
                      const guint8 *nonce)
{
  g_auto(ThTlvWriter) writer;
  g_autoptr(GBytes) elements = NULL;
  g_autoptr(GBytes) signature = NULL;

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (1), g_bytes_get_data (device->cd, NULL),
                           g_bytes_get_size (device->cd));
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (2), nonce, TH_ATTESTATION_NONCE_LEN);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (3), 0);
  th_tlv_writer_end_container (&writer);
  elements = th_tlv_writer_finish (&writer);
  signature = sign_with_challenge (device, device->dac_key, elements);
  return signed_response (TH_OPERATIONAL_CREDENTIALS_CMD_ATTESTATION_RESPONSE, elements,
                          signature);
}

static GBytes *
csr_response (TestDevice   *device,
              const guint8 *nonce)
{
  g_autoptr(X509_REQ) request = X509_REQ_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) elements = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(ThP256Key) other = NULL;
  g_auto(ThTlvWriter) writer;
  unsigned char *der = NULL;
  int len;

  device->operational_key = th_p256_key_generate (&error);
  g_assert_no_error (error);
  g_assert_cmpint (X509_REQ_set_version (request, 0), ==, 1);
  g_assert_cmpint (X509_NAME_add_entry_by_txt (X509_REQ_get_subject_name (request), "O",
                                               MBSTRING_ASC, (const guchar *) "CSR", -1, -1, 0),
                   ==, 1);
  g_assert_cmpint (X509_REQ_set_pubkey (request,
                                        th_p256_key_get_evp_pkey (device->operational_key)),
                   ==, 1);
  g_assert_cmpint (X509_REQ_sign (request, th_p256_key_get_evp_pkey (device->operational_key),
                                  EVP_sha256 ()), >, 0);
  len = i2d_X509_REQ (request, &der);
  g_assert_cmpint (len, >, 0);

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (1), der, (gsize) len);
  th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (2), nonce, TH_CSR_NONCE_LEN);
  th_tlv_writer_end_container (&writer);
  elements = th_tlv_writer_finish (&writer);
  OPENSSL_free (der);

  if (device->fault & FAULT_CSR_WRONG_SIGNER)
    {
      other = th_p256_key_generate (&error);
      g_assert_no_error (error);
    }
  signature = sign_with_challenge (device, other != NULL ? other : device->dac_key, elements);
  return signed_response (TH_OPERATIONAL_CREDENTIALS_CMD_CSR_RESPONSE, elements, signature);
}

static GBytes *
noc_response (guint8 status)
{
  g_auto(ThTlvWriter) writer;

  response_begin (&writer, TH_CLUSTER_OPERATIONAL_CREDENTIALS,
                  TH_OPERATIONAL_CREDENTIALS_CMD_NOC_RESPONSE);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (0), status);
  if (status == TH_NOC_STATUS_OK)
    th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (1), 1);
  return response_end (&writer);
}

/* The NOC from AddNOC must make, with the root it was given, an identity for CASE. */
static void
add_noc (TestDevice   *device,
         const guint8 *fields,
         gsize         len)
{
  g_autoptr(GBytes) noc = NULL;
  g_autoptr(GError) error = NULL;
  ThTlvReader reader;
  ThImFields members;
  const guint8 *bytes;
  gsize bytes_len;
  guint64 v;
  guint8 tag;

  g_assert_true (th_im_fields_open (&members, &reader, fields, len, "AddNOC", &error));
  while (th_im_fields_next (&members, &tag, &error))
    {
      switch (tag)
        {
        case 0:
          g_assert_true (th_im_fields_get_bytes (&members, 1, 400, &bytes, &bytes_len, &error));
          noc = g_bytes_new (bytes, bytes_len);
          break;
        case 1:
          g_assert_not_reached ();   /* the fabric has no ICA */
          break;
        case 2:
          g_assert_true (th_im_fields_get_bytes (&members, TH_IPK_LEN, TH_IPK_LEN, &bytes,
                                                 &bytes_len, &error));
          memcpy (device->ipk, bytes, TH_IPK_LEN);
          break;
        case 3:
          g_assert_true (th_im_fields_get_uint (&members, G_MAXUINT64, &device->case_admin_subject,
                                                &error));
          break;
        case 4:
          g_assert_true (th_im_fields_get_uint (&members, G_MAXUINT16, &v, &error));
          device->admin_vendor_id = (guint16) v;
          break;
        default:
          break;
        }
    }
  g_assert_no_error (error);
  g_assert_nonnull (noc);
  g_assert_nonnull (device->root);
  device->identity = th_case_identity_new (device->root, NULL, noc, device->operational_key,
                                           device->ipk, &error);
  g_assert_no_error (error);
}

/* The fields of the one command an InvokeRequest carries. */
typedef struct
{
  guint16 endpoint;
  guint32 cluster;
  guint32 command;
  const guint8 *fields;
  gsize fields_len;
} Invoked;

static void
parse_invoke (GBytes  *payload,
              Invoked *invoked)
{
  g_autoptr(GError) error = NULL;
  ThTlvReader reader;
  gsize len;
  const guint8 *data = g_bytes_get_data (payload, &len);
  guint64 v;

  memset (invoked, 0, sizeof *invoked);
  th_tlv_reader_init (&reader, data, len);
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_enter (&reader, &error));
  g_assert_true (th_tlv_reader_find_context (&reader, 2, &error));
  g_assert_true (th_tlv_reader_enter (&reader, &error));
  g_assert_true (th_tlv_reader_next (&reader, &error));
  g_assert_true (th_tlv_reader_enter (&reader, &error));
  g_assert_true (th_tlv_reader_find_context (&reader, 0, &error));
  g_assert_true (th_tlv_reader_enter (&reader, &error));
  while (th_tlv_reader_next (&reader, &error))
    {
      ThTlvTag tag = th_tlv_reader_get_tag (&reader);

      g_assert_true (th_tlv_reader_get_uint (&reader, &v, &error));
      if (th_tlv_tag_is_context (tag, 0))
        invoked->endpoint = (guint16) v;
      else if (th_tlv_tag_is_context (tag, 1))
        invoked->cluster = (guint32) v;
      else if (th_tlv_tag_is_context (tag, 2))
        invoked->command = (guint32) v;
    }
  g_assert_no_error (error);
  g_assert_true (th_tlv_reader_exit (&reader, &error));
  if (th_tlv_reader_find_context (&reader, 1, &error))
    g_assert_true (th_tlv_reader_get_element (&reader, &invoked->fields, &invoked->fields_len,
                                              &error));
  g_assert_no_error (error);
}

/* The first member of the command's fields, an unsigned integer or bytes. */
static guint64
field_uint (const Invoked *invoked,
            guint8         wanted)
{
  g_autoptr(GError) error = NULL;
  ThTlvReader reader;
  ThImFields members;
  guint64 v = G_MAXUINT64;
  guint8 tag;

  g_assert_true (th_im_fields_open (&members, &reader, invoked->fields, invoked->fields_len,
                                    "fields", &error));
  while (th_im_fields_next (&members, &tag, &error))
    if (tag == wanted)
      g_assert_true (th_im_fields_get_uint (&members, G_MAXUINT64, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (v, !=, G_MAXUINT64);
  return v;
}

static const guint8 *
field_bytes (const Invoked *invoked,
             guint8         wanted,
             gsize          expected_len)
{
  g_autoptr(GError) error = NULL;
  ThTlvReader reader;
  ThImFields members;
  const guint8 *bytes = NULL;
  gsize len = 0;
  guint8 tag;

  g_assert_true (th_im_fields_open (&members, &reader, invoked->fields, invoked->fields_len,
                                    "fields", &error));
  while (th_im_fields_next (&members, &tag, &error))
    if (tag == wanted)
      g_assert_true (th_im_fields_get_bytes (&members, expected_len, expected_len, &bytes, &len,
                                             &error));
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes;
}

static void
set_regulatory_config (TestDevice    *device,
                       const Invoked *invoked)
{
  g_autoptr(GError) error = NULL;
  ThTlvReader reader;
  ThImFields members;
  const char *country;
  guint64 v;
  guint8 tag;

  g_assert_true (th_im_fields_open (&members, &reader, invoked->fields, invoked->fields_len,
                                    "SetRegulatoryConfig", &error));
  while (th_im_fields_next (&members, &tag, &error))
    if (tag == 0)
      {
        g_assert_true (th_im_fields_get_uint (&members, 2, &v, &error));
        device->regulatory_location = (guint8) v;
      }
    else if (tag == 1)
      {
        gsize len;

        g_assert_true (th_tlv_reader_get_string (&reader, &country, &len, &error));
        g_assert_cmpuint (len, ==, 2);
        memcpy (device->country_code, country, 2);
      }
  g_assert_no_error (error);
  device->regulatory_calls++;
}

/* Counts the attestation requests and how many were in at once unanswered, and answers
 * them as the faults say: the DAC after the two others, or none. */
static void
answer_attestation (TestDevice *device,
                    ThExchange *exchange,
                    GBytes     *reply,
                    gboolean    is_dac)
{
  device->attestation_requests++;
  device->attestation_most_unanswered = MAX (device->attestation_most_unanswered,
                                             device->attestation_requests
                                             - device->attestation_answered);
  if (device->fault & FAULT_ATTESTATION_HELD || (is_dac && device->fault & FAULT_DAC_LAST))
    {
      g_ptr_array_add (device->held_exchanges, g_object_ref (exchange));
      g_ptr_array_add (device->held_replies, g_bytes_ref (reply));
      if (device->held_exchanges->len == 3 && device->cancel_when_held != NULL)
        g_cancellable_cancel (device->cancel_when_held);
      return;
    }
  send_last (device, exchange, TH_IM_OPCODE_INVOKE_RESPONSE, reply, FALSE);
  device->attestation_answered++;
  if (device->fault & FAULT_DAC_LAST && device->held_exchanges->len == 1
      && device->attestation_answered == 2)
    {
      send_last (device, g_ptr_array_index (device->held_exchanges, 0),
                 TH_IM_OPCODE_INVOKE_RESPONSE, g_ptr_array_index (device->held_replies, 0),
                 FALSE);
      device->attestation_answered++;
      g_ptr_array_set_size (device->held_exchanges, 0);
      g_ptr_array_set_size (device->held_replies, 0);
    }
}

/* A member of the command's fields as text (SSID, password), NULL when absent. */
static char *
field_text (const Invoked *invoked,
            guint8         wanted)
{
  g_autoptr(GError) error = NULL;
  ThTlvReader reader;
  ThImFields members;
  const guint8 *bytes;
  gsize len;
  char *text = NULL;
  guint8 tag;

  g_assert_true (th_im_fields_open (&members, &reader, invoked->fields, invoked->fields_len,
                                    "fields", &error));
  while (th_im_fields_next (&members, &tag, &error))
    if (tag == wanted)
      {
        g_assert_true (th_im_fields_get_bytes (&members, 0, 64, &bytes, &len, &error));
        text = g_strndup ((const char *) bytes, len);
      }
  g_assert_no_error (error);
  return text;
}

static GBytes *
answer_network (TestDevice    *device,
                const Invoked *invoked)
{
  g_autofree char *ssid = field_text (invoked, 0);

  switch (invoked->command)
    {
    case TH_NETWORK_COMMISSIONING_CMD_ADD_OR_UPDATE_WIFI_NETWORK:
      g_ptr_array_add (device->network_log, g_strdup_printf ("add %s", ssid));
      g_free (device->added_password);
      device->added_password = field_text (invoked, 1);
      return network_response (TH_NETWORK_COMMISSIONING_CMD_NETWORK_CONFIG_RESPONSE,
                               TH_NETWORK_STATUS_SUCCESS, NULL);

    case TH_NETWORK_COMMISSIONING_CMD_CONNECT_NETWORK:
      g_ptr_array_add (device->network_log, g_strdup_printf ("connect %s", ssid));
      if (g_strcmp0 (ssid, device->network_ssid) != 0)
        return network_response (TH_NETWORK_COMMISSIONING_CMD_CONNECT_NETWORK_RESPONSE,
                                 TH_NETWORK_STATUS_NETWORK_NOT_FOUND, NULL);
      if (g_strcmp0 (device->added_password, device->network_password) != 0)
        return network_response (TH_NETWORK_COMMISSIONING_CMD_CONNECT_NETWORK_RESPONSE,
                                 TH_NETWORK_STATUS_AUTH_FAILURE, "handshake failed");
      return network_response (TH_NETWORK_COMMISSIONING_CMD_CONNECT_NETWORK_RESPONSE,
                               TH_NETWORK_STATUS_SUCCESS, NULL);

    default:
      g_error ("unexpected Network Commissioning command 0x%x", invoked->command);
    }
}

static void
on_device_invoke (TestDevice *device,
                  ThExchange *exchange,
                  ThMessage  *message)
{
  g_autoptr(GBytes) reply = NULL;
  gboolean then_end_pase = FALSE;
  Invoked invoked;
  guint16 expiry;

  parse_invoke (message->payload, &invoked);
  if (invoked.cluster == TH_CLUSTER_ON_OFF)
    {
      /* the light, controlled over CASE */
      g_assert_cmpuint (invoked.endpoint, ==, 1);
      g_assert_true (th_exchange_get_session (exchange) == device->operational);
      device->light_on = invoked.command == TH_ON_OFF_CMD_TOGGLE ? !device->light_on
                         : invoked.command == TH_ON_OFF_CMD_ON;
      reply = status_response (1, invoked.cluster, invoked.command, TH_IM_STATUS_SUCCESS);
      send_last (device, exchange, TH_IM_OPCODE_INVOKE_RESPONSE, reply, FALSE);
      return;
    }
  g_assert_cmpuint (invoked.endpoint, ==, TH_ROOT_ENDPOINT);
  switch (invoked.cluster << 8 | invoked.command)
    {
    case TH_CLUSTER_GENERAL_COMMISSIONING << 8 | TH_GENERAL_COMMISSIONING_CMD_ARM_FAIL_SAFE:
      expiry = (guint16) field_uint (&invoked, 0);
      g_array_append_val (device->fail_safe_requests, expiry);
      g_ptr_array_add (device->network_log, g_strdup ("arm"));
      if (device->held_read != NULL)
        {
          send_last (device, device->held_read, TH_IM_OPCODE_REPORT_DATA, device->held_report,
                     FALSE);
          g_clear_object (&device->held_read);
          g_clear_pointer (&device->held_report, g_bytes_unref);
        }
      if ((expiry == 0 && device->fault & FAULT_DISARM_REFUSED)
          || (expiry != 0 && device->fault & FAULT_ARM_REFUSED))
        {
          reply = commissioning_response (TH_GENERAL_COMMISSIONING_CMD_ARM_FAIL_SAFE_RESPONSE,
                                          TH_COMMISSIONING_ERROR_BUSY_WITH_OTHER_ADMIN);
          break;
        }
      reply = commissioning_response (TH_GENERAL_COMMISSIONING_CMD_ARM_FAIL_SAFE_RESPONSE,
                                      TH_COMMISSIONING_ERROR_OK);
      then_end_pase = expiry == 0;
      break;

    case TH_CLUSTER_NETWORK_COMMISSIONING << 8
         | TH_NETWORK_COMMISSIONING_CMD_ADD_OR_UPDATE_WIFI_NETWORK:
    case TH_CLUSTER_NETWORK_COMMISSIONING << 8 | TH_NETWORK_COMMISSIONING_CMD_CONNECT_NETWORK:
      reply = answer_network (device, &invoked);
      break;

    case TH_CLUSTER_GENERAL_COMMISSIONING << 8
         | TH_GENERAL_COMMISSIONING_CMD_SET_REGULATORY_CONFIG:
      set_regulatory_config (device, &invoked);
      reply = commissioning_response (
        TH_GENERAL_COMMISSIONING_CMD_SET_REGULATORY_CONFIG_RESPONSE,
        device->fault & FAULT_COUNTRY_REFUSED && !g_str_equal (device->country_code, "XX")
        ? TH_COMMISSIONING_ERROR_VALUE_OUTSIDE_RANGE : TH_COMMISSIONING_ERROR_OK);
      break;

    case TH_CLUSTER_TIME_SYNCHRONIZATION << 8 | TH_TIME_SYNCHRONIZATION_CMD_SET_UTC_TIME:
      /* microseconds since 2000: after 2024 */
      g_assert_cmpuint (field_uint (&invoked, 0), >, G_GUINT64_CONSTANT (757382400000000));
      device->time_set = TRUE;
      reply = status_response (TH_ROOT_ENDPOINT, invoked.cluster, invoked.command,
                               TH_IM_STATUS_SUCCESS);
      break;

    case TH_CLUSTER_OPERATIONAL_CREDENTIALS << 8
         | TH_OPERATIONAL_CREDENTIALS_CMD_CERTIFICATE_CHAIN_REQUEST:
      {
        gboolean is_dac = field_uint (&invoked, 0) == TH_CERTIFICATE_CHAIN_DAC;
        GBytes *certificate = is_dac ? device->dac : device->pai;
        g_auto(ThTlvWriter) writer;

        response_begin (&writer, TH_CLUSTER_OPERATIONAL_CREDENTIALS,
                        TH_OPERATIONAL_CREDENTIALS_CMD_CERTIFICATE_CHAIN_RESPONSE);
        th_tlv_writer_put_bytes (&writer, TH_TLV_CONTEXT (0),
                                 g_bytes_get_data (certificate, NULL),
                                 g_bytes_get_size (certificate));
        reply = response_end (&writer);
        if (!is_dac && device->fault & FAULT_PAI_REFUSED)
          {
            g_bytes_unref (reply);
            reply = status_response (TH_ROOT_ENDPOINT, invoked.cluster, invoked.command,
                                     TH_IM_STATUS_FAILURE);
          }
        answer_attestation (device, exchange, reply, is_dac);
        return;
      }

    case TH_CLUSTER_OPERATIONAL_CREDENTIALS << 8
         | TH_OPERATIONAL_CREDENTIALS_CMD_ATTESTATION_REQUEST:
      reply = attestation_response (device,
                                    field_bytes (&invoked, 0, TH_ATTESTATION_NONCE_LEN));
      answer_attestation (device, exchange, reply, FALSE);
      return;

    case TH_CLUSTER_OPERATIONAL_CREDENTIALS << 8 | TH_OPERATIONAL_CREDENTIALS_CMD_CSR_REQUEST:
      reply = csr_response (device, field_bytes (&invoked, 0, TH_CSR_NONCE_LEN));
      break;

    case TH_CLUSTER_OPERATIONAL_CREDENTIALS << 8
         | TH_OPERATIONAL_CREDENTIALS_CMD_ADD_TRUSTED_ROOT_CERTIFICATE:
      {
        g_autoptr(GError) error = NULL;
        ThTlvReader reader;
        ThImFields members;
        const guint8 *bytes;
        gsize len;
        guint8 tag;

        g_assert_true (th_im_fields_open (&members, &reader, invoked.fields,
                                          invoked.fields_len, "AddTrustedRootCertificate",
                                          &error));
        g_assert_true (th_im_fields_next (&members, &tag, &error));
        g_assert_true (th_im_fields_get_bytes (&members, 1, 400, &bytes, &len, &error));
        device->root = g_bytes_new (bytes, len);
        reply = status_response (TH_ROOT_ENDPOINT, invoked.cluster, invoked.command,
                               TH_IM_STATUS_SUCCESS);
        break;
      }

    case TH_CLUSTER_OPERATIONAL_CREDENTIALS << 8 | TH_OPERATIONAL_CREDENTIALS_CMD_ADD_NOC:
      if (device->fault & FAULT_ADD_NOC_REFUSED)
        {
          reply = noc_response (TH_NOC_STATUS_INVALID_NOC);
          break;
        }
      add_noc (device, invoked.fields, invoked.fields_len);
      reply = noc_response (TH_NOC_STATUS_OK);
      break;

    case TH_CLUSTER_GENERAL_COMMISSIONING << 8
         | TH_GENERAL_COMMISSIONING_CMD_COMMISSIONING_COMPLETE:
      device->completed = TRUE;
      {
        g_autofree char *ini = g_build_filename (device->store_dir, "fabric", "fabric.ini",
                                                 NULL);

        device->fabric_saved_when_completed = g_file_test (ini, G_FILE_TEST_IS_REGULAR);
      }
      device->completed_over_case = device->operational != NULL
                                    && th_exchange_get_session (exchange) == device->operational;
      reply = commissioning_response (
        TH_GENERAL_COMMISSIONING_CMD_COMMISSIONING_COMPLETE_RESPONSE, TH_COMMISSIONING_ERROR_OK);
      then_end_pase = TRUE;
      break;

    default:
      g_error ("unexpected command 0x%x of cluster 0x%x", invoked.command, invoked.cluster);
    }
  send_last (device, exchange, TH_IM_OPCODE_INVOKE_RESPONSE, reply, then_end_pase);
}

static void
on_device_im (ThExchange *exchange,
              ThMessage  *message,
              gpointer    user_data)
{
  TestDevice *device = user_data;

  /* The commissioner reads over PASE; over CASE the light's state is read. */
  if (message->protocol.opcode == TH_IM_OPCODE_READ_REQUEST)
    {
      g_autoptr(GBytes) report = th_exchange_get_session (exchange) == device->pase
                                 ? encode_report (device) : encode_on_off_report (device);

      if (device->fault & FAULT_REPORT_AFTER_ARM && device->fail_safe_requests->len == 0)
        {
          device->held_read = g_object_ref (exchange);
          device->held_report = g_steal_pointer (&report);
          return;
        }
      send_last (device, exchange, TH_IM_OPCODE_REPORT_DATA, report, FALSE);
      return;
    }
  g_assert_cmpuint (message->protocol.opcode, ==, TH_IM_OPCODE_INVOKE_REQUEST);
  on_device_invoke (device, exchange, message);
}

/* ---- The device's secure channel ---- */

static void handshake_step (TestDevice *device,
                            ThExchange *exchange,
                            ThMessage  *message);

static void
on_handshake_message (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  TestDevice *device = user_data;
  g_autoptr(ThExchange) exchange = TH_EXCHANGE (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(ThMessage) message = th_exchange_request_finish (exchange, result, &error);

  if (message == NULL)
    {
      th_exchange_close (exchange);
      return;
    }
  handshake_step (device, g_steal_pointer (&exchange), message);
}

static void
add_session (TestDevice          *device,
             ThExchange          *exchange,
             const ThSessionKeys *keys,
             guint16              peer_session_id)
{
  g_autoptr(GError) error = NULL;
  ThSecureSessionConfig config = { 0 };

  config.kind = device->handshake;
  config.peer_address = th_session_get_peer_address (th_exchange_get_session (exchange));
  config.local_session_id = device->session_id;
  config.peer_session_id = peer_session_id;
  config.is_initiator = FALSE;
  config.keys = keys;
  if (device->handshake == TH_SESSION_KIND_CASE)
    {
      config.local_node_id = th_case_identity_get_node_id (device->identity);
      config.peer_node_id = th_case_responder_get_peer_node_id (device->case_responder);
      device->operational = th_exchange_manager_add_secure_session (device->manager, &config,
                                                                    &error);
    }
  else
    {
      device->pase = th_exchange_manager_add_secure_session (device->manager, &config, &error);
    }
  g_assert_no_error (error);
}

/* Takes the reference to `exchange`. */
static void
handshake_step (TestDevice *device,
                ThExchange *exchange,
                ThMessage  *message)
{
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  ThSessionKeys keys;
  guint8 opcode = 0;
  int outcome;

  if (device->handshake == TH_SESSION_KIND_PASE)
    outcome = th_pase_responder_process (device->pase_responder, message->protocol.opcode,
                                         message->payload, &opcode, &reply, &error);
  else
    outcome = th_case_responder_process (device->case_responder, message->protocol.opcode,
                                         message->payload, &opcode, &reply, &error);
  G_STATIC_ASSERT ((int) TH_PASE_CONTINUE == (int) TH_CASE_CONTINUE);
  G_STATIC_ASSERT ((int) TH_PASE_ESTABLISHED == (int) TH_CASE_ESTABLISHED);

  if (outcome == TH_PASE_CONTINUE)
    {
      th_exchange_request_async (exchange, opcode, reply, NULL, on_handshake_message, device);
      return;
    }
  if (outcome == TH_PASE_ESTABLISHED)
    {
      if (device->handshake == TH_SESSION_KIND_PASE)
        {
          th_pase_responder_get_session_keys (device->pase_responder, &keys);
          add_session (device, exchange, &keys,
                       th_pase_responder_get_peer_session_id (device->pase_responder));
        }
      else
        {
          th_case_responder_get_session_keys (device->case_responder, &keys);
          add_session (device, exchange, &keys,
                       th_case_responder_get_peer_session_id (device->case_responder));
        }
      th_session_keys_clear (&keys);
    }
  else
    {
      g_test_message ("device: the handshake failed: %s", error->message);
      th_exchange_manager_release_session_id (device->manager, device->session_id);
    }
  if (reply != NULL)
    send_last (device, exchange, opcode, reply, FALSE);
  else
    th_exchange_close (exchange);
  g_object_unref (exchange);
}

/* CloseSession: the commissioner ended a session. */
static void
on_device_session_closed (ThExchangeManager *manager,
                          ThSession         *session,
                          TestDevice        *device)
{
  if (session == device->pase)
    device->pase_closed_by_commissioner = TRUE;
}

static void
on_device_secure_channel (ThExchange *exchange,
                          ThMessage  *message,
                          gpointer    user_data)
{
  TestDevice *device = user_data;
  g_autoptr(GError) error = NULL;
  ThSessionParameters parameters;

  switch (message->protocol.opcode)
    {
    case TH_SECURE_CHANNEL_STATUS_REPORT:
      /* Not CloseSession, which the message layer handles (on_device_session_closed): a
       * stray report, answered by nothing. */
      th_exchange_close (exchange);
      return;

    case TH_SECURE_CHANNEL_PBKDF_PARAM_REQUEST:
      device->handshake = TH_SESSION_KIND_PASE;
      g_clear_pointer (&device->pase_responder, th_pase_responder_free);
      g_assert_true (th_exchange_manager_allocate_session_id (device->manager,
                                                              &device->session_id, &error));
      th_session_parameters_init_from_mrp (&parameters,
                                           th_exchange_manager_get_local_mrp_parameters (
                                             device->manager));
      device->pase_responder = th_pase_responder_new (device->verifier, &device->pbkdf,
                                                      device->session_id, &parameters, &error);
      g_assert_no_error (error);
      break;

    case TH_SECURE_CHANNEL_CASE_SIGMA1:
      g_assert_nonnull (device->identity);
      device->handshake = TH_SESSION_KIND_CASE;
      g_clear_pointer (&device->case_responder, th_case_responder_free);
      g_assert_true (th_exchange_manager_allocate_session_id (device->manager,
                                                              &device->session_id, &error));
      device->case_responder = th_case_responder_new (device->identity, device->session_id,
                                                      NULL, &error);
      g_assert_no_error (error);
      break;

    default:
      g_error ("unexpected secure channel message 0x%02x", message->protocol.opcode);
    }
  handshake_step (device, g_object_ref (exchange), message);
}

/* FALSE (the test skipped) when this host has no IPv4 loopback. */
static gboolean
device_init (TestDevice  *device,
             DeviceFault  fault)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_from_string ("127.0.0.1");
  g_autoptr(GError) error = NULL;
  g_autofree char *where = NULL;

  memset (device, 0, sizeof *device);
  device->fault = fault;
  device->fail_safe_seconds = 60;
  device->location_capability = TH_REGULATORY_LOCATION_INDOOR_OUTDOOR;
  /* on Wi-Fi already, as a device commissioned over IP may be */
  device->network_features = TH_NETWORK_COMMISSIONING_FEATURE_WIFI;
  device->keeps_time = TRUE;
  device->network_ssid = "Home";
  device->network_password = "right password";
  device->network_log = g_ptr_array_new_with_free_func (g_free);
  device->udp = th_udp_transport_new (loopback, 0, &error);
  if (g_error_matches (error, TH_ERROR, TH_ERROR_TRANSPORT))
    {
      g_autofree char *reason = g_strdup_printf ("no IPv4 loopback: %s", error->message);

      th_test_skip_or_fail (reason);
      return FALSE;
    }
  g_assert_no_error (error);
  device->manager = th_exchange_manager_new (TH_TRANSPORT (device->udp), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (device->manager, "peer-closed-session",
                    G_CALLBACK (on_device_session_closed), device);
  th_exchange_manager_set_protocol_handler (device->manager, TH_PROTOCOL_SECURE_CHANNEL,
                                            on_device_secure_channel, device, NULL);
  th_exchange_manager_set_protocol_handler (device->manager, TH_IM_PROTOCOL_ID, on_device_im,
                                            device, NULL);
  where = g_strdup_printf ("127.0.0.1:%u",
                           th_udp_transport_get_port (device->udp, G_SOCKET_FAMILY_IPV4));
  device->address = th_udp_address_parse (where, TH_MATTER_UDP_PORT, &error);
  g_assert_no_error (error);

  device->pbkdf.iterations = 1000;
  device->pbkdf.salt_len = 16;
  memcpy (device->pbkdf.salt, "SPAKE2P Key Salt", 16);
  g_assert_true (th_spake2p_compute_verifier (PASSCODE, device->pbkdf.salt,
                                              device->pbkdf.salt_len, device->pbkdf.iterations,
                                              device->verifier, &error));
  g_assert_no_error (error);

  device->dac = load_vector_file (DAC_CERT);
  device->pai = load_vector_file (PAI_CERT);
  device->cd = load_vector_file (CD);
  device->dac_key = load_key (DAC_KEY);
  device->fail_safe_requests = g_array_new (FALSE, FALSE, sizeof (guint16));
  device->held_exchanges = g_ptr_array_new_with_free_func (g_object_unref);
  device->held_replies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  return TRUE;
}

static void
device_clear (TestDevice *device)
{
  th_exchange_manager_close (device->manager);
  g_clear_object (&device->pase);
  g_clear_object (&device->operational);
  g_clear_object (&device->manager);
  g_clear_object (&device->udp);
  g_clear_object (&device->address);
  g_clear_pointer (&device->pase_responder, th_pase_responder_free);
  g_clear_pointer (&device->case_responder, th_case_responder_free);
  g_clear_pointer (&device->dac, g_bytes_unref);
  g_clear_pointer (&device->pai, g_bytes_unref);
  g_clear_pointer (&device->cd, g_bytes_unref);
  g_clear_pointer (&device->root, g_bytes_unref);
  g_clear_pointer (&device->dac_key, th_p256_key_unref);
  g_clear_pointer (&device->operational_key, th_p256_key_unref);
  g_clear_pointer (&device->identity, th_case_identity_unref);
  g_clear_pointer (&device->fail_safe_requests, g_array_unref);
  g_clear_pointer (&device->held_exchanges, g_ptr_array_unref);
  g_clear_pointer (&device->held_replies, g_ptr_array_unref);
  g_clear_object (&device->held_read);
  g_clear_pointer (&device->held_report, g_bytes_unref);
  g_clear_pointer (&device->network_log, g_ptr_array_unref);
  g_clear_pointer (&device->added_password, g_free);
}

static guint16
last_fail_safe_request (TestDevice *device)
{
  g_assert_cmpuint (device->fail_safe_requests->len, >, 0);
  return g_array_index (device->fail_safe_requests, guint16,
                        device->fail_safe_requests->len - 1);
}

/* ---- The commissioner's side ---- */

typedef struct
{
  TestDevice device;
  char *store_dir;
  ThStore *store;
  ThCommissioner *commissioner;
  ThCommissioningOptions *options;
  ThSetupPayload *payload;
  GCancellable *cancellable;

  GArray *stages;             /* of ThCommissioningStage, as reported */
  GArray *fractions;          /* of double */
  gint cancel_at;             /* a stage, or -1 */
  guint n_asked;
  gint answer;                /* -1: no answer; else TRUE/FALSE after answer_after_ms */
  guint answer_after_ms;
  guint answer_source;
  guint stages_when_asked;
  guint fail_safe_requests_when_asked;

  gboolean done;
  ThStoredNode *node;
  GError *error;
} Fixture;

static void
remove_recursively (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_recursively (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Every file of the store, by name, with its contents. */
static void
snapshot_into (GString    *out,
               const char *path,
               const char *relative)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *entry = g_ptr_array_index (names, i);
      g_autofree char *child = g_build_filename (path, entry, NULL);
      g_autofree char *child_relative = g_build_filename (relative, entry, NULL);
      g_autofree char *contents = NULL;
      g_autofree char *hex = NULL;
      gsize len;

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          snapshot_into (out, child, child_relative);
          continue;
        }
      g_assert_true (g_file_get_contents (child, &contents, &len, NULL));
      hex = th_test_bytes_to_hex ((const guint8 *) contents, len);
      g_string_append_printf (out, "%s %s\n", child_relative, hex);
    }
}

static char *
snapshot (Fixture *f)
{
  GString *out = g_string_new (NULL);

  snapshot_into (out, f->store_dir, "");
  return g_string_free (out, FALSE);
}

static void
on_stage_changed (ThCommissioner       *commissioner,
                  ThCommissioningStage  stage,
                  double                fraction,
                  Fixture              *f)
{
  g_array_append_val (f->stages, stage);
  g_array_append_val (f->fractions, fraction);
  if ((gint) stage == f->cancel_at)
    g_cancellable_cancel (f->cancellable);
}

static gboolean
on_answer_due (gpointer user_data)
{
  Fixture *f = user_data;

  f->answer_source = 0;
  /* Nothing went on meanwhile but the fail-safe's keep-alive. */
  g_assert_cmpuint (f->stages->len, ==, f->stages_when_asked);
  th_commissioner_resolve_attestation (f->commissioner, f->answer);
  return G_SOURCE_REMOVE;
}

static void
on_attestation_failed (ThCommissioner      *commissioner,
                       ThAttestationResult *result,
                       Fixture             *f)
{
  f->n_asked++;
  g_assert_true (result == th_commissioner_get_attestation_result (commissioner));
  g_assert_true (th_attestation_result_has_finding (result, TH_ATTESTATION_CD_DEVELOPMENT));
  f->stages_when_asked = f->stages->len;
  f->fail_safe_requests_when_asked = f->device.fail_safe_requests->len;
  if (f->answer < 0)
    return;
  if (f->answer_after_ms == 0)
    th_commissioner_resolve_attestation (commissioner, f->answer);
  else
    f->answer_source = g_timeout_add (f->answer_after_ms, on_answer_due, f);
}

static gboolean
fixture_init (Fixture     *f,
              DeviceFault  fault)
{
  g_autoptr(ThPaaStore) paa_store = th_paa_store_new ();
  g_autoptr(ThCdSigners) cd_signers = th_cd_signers_new ();
  g_autoptr(GBytes) paa = load_vector_file (PAA_CERT);
  g_autoptr(GBytes) signer = load_vector_file (CD_SIGNER);
  g_autoptr(GError) error = NULL;

  memset (f, 0, sizeof *f);
  if (!device_init (&f->device, fault))
    return FALSE;
  g_assert_true (th_paa_store_add_data (paa_store, g_bytes_get_data (paa, NULL),
                                        g_bytes_get_size (paa), &error));
  g_assert_true (th_cd_signers_add_data (cd_signers, g_bytes_get_data (signer, NULL),
                                         g_bytes_get_size (signer), FALSE, &error));
  f->store_dir = g_dir_make_tmp ("th-commissioner-XXXXXX", &error);
  g_assert_no_error (error);
  f->device.store_dir = f->store_dir;
  f->store = th_store_new (f->store_dir);
  f->commissioner = th_commissioner_new (f->store, paa_store, cd_signers, NULL);
  f->options = th_commissioning_options_new ();
  f->options->address = g_object_ref (f->device.address);
  f->options->attestation_policy = TH_ATTESTATION_POLICY_ACCEPT;
  f->options->response_timeout_ms = 3000;
  f->options->cleanup_timeout_ms = 3000;

  f->payload = th_setup_payload_new ();
  f->payload->has_vendor_product = TRUE;
  f->payload->vendor_id = 0xFFF1;
  f->payload->product_id = 0x8000;
  f->payload->has_capabilities = TRUE;
  f->payload->capabilities = TH_DISCOVERY_ON_NETWORK;
  f->payload->discriminator = 3840;
  f->payload->passcode = PASSCODE;

  f->stages = g_array_new (FALSE, FALSE, sizeof (ThCommissioningStage));
  f->fractions = g_array_new (FALSE, FALSE, sizeof (double));
  f->cancel_at = -1;
  f->answer = -1;
  g_signal_connect (f->commissioner, "stage-changed", G_CALLBACK (on_stage_changed), f);
  return TRUE;
}

static void
fixture_clear (Fixture *f)
{
  g_clear_handle_id (&f->answer_source, g_source_remove);
  g_assert_finalize_object (f->commissioner);
  th_store_free (f->store);
  remove_recursively (f->store_dir);
  g_free (f->store_dir);
  th_commissioning_options_free (f->options);
  th_setup_payload_free (f->payload);
  g_clear_object (&f->cancellable);
  g_array_unref (f->stages);
  g_array_unref (f->fractions);
  g_clear_pointer (&f->node, th_stored_node_free);
  g_clear_error (&f->error);
  device_clear (&f->device);
}

/* A home with a fabric and one device already, so that "unchanged" means something. */
static void
populate_store (Fixture *f)
{
  g_autoptr(ThFabric) fabric = NULL;
  g_autoptr(ThStoredNode) node = th_stored_node_new ();
  g_autoptr(GError) error = NULL;

  fabric = th_store_ensure_fabric (f->store, &error);
  g_assert_no_error (error);
  node->node_id = th_store_peek_next_node_id (f->store, &error);
  node->product_name = g_strdup ("An earlier device");
  g_assert_true (th_store_add_node (f->store, node, &error));
  g_assert_no_error (error);
}

static void
on_commissioned (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Fixture *f = user_data;

  f->node = th_commissioner_commission_finish (TH_COMMISSIONER (source), result, &f->error);
  f->done = TRUE;
}

static void
commission (Fixture *f)
{
  g_clear_object (&f->cancellable);
  f->cancellable = g_cancellable_new ();
  f->device.cancel_when_held = f->cancellable;
  f->done = FALSE;
  th_commissioner_commission_async (f->commissioner, f->payload, f->options, f->cancellable,
                                    on_commissioned, f);
  while (!f->done)
    g_main_context_iteration (NULL, TRUE);
  /* What is still on its way (the last acknowledgements, a CloseSession) arrives. */
  for (guint i = 0; i < 20; i++)
    {
      g_usleep (1000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
}

static const ThCommissioningStage full_flow[] = {
  TH_COMMISSIONING_STAGE_DISCOVERY,
  TH_COMMISSIONING_STAGE_PASE,
  TH_COMMISSIONING_STAGE_READ_INFO,
  TH_COMMISSIONING_STAGE_ARM_FAIL_SAFE,
  TH_COMMISSIONING_STAGE_REGULATORY,
  TH_COMMISSIONING_STAGE_ATTESTATION,
  TH_COMMISSIONING_STAGE_CSR,
  TH_COMMISSIONING_STAGE_ISSUE_NOC,
  TH_COMMISSIONING_STAGE_ADD_ROOT,
  TH_COMMISSIONING_STAGE_ADD_NOC,
  TH_COMMISSIONING_STAGE_CASE,
  TH_COMMISSIONING_STAGE_COMPLETE,
  TH_COMMISSIONING_STAGE_PERSIST,
};

/* ---- The tests ---- */

static void
test_full_flow (void)
{
  Fixture f;
  g_autoptr(ThControllerIdentity) controller = NULL;
  g_autoptr(ThStoredNode) stored = NULL;
  g_autoptr(ThFabric) fabric = NULL;
  g_autoptr(GError) error = NULL;
  ThAttestationResult *result;
  ThCommissioningStage failed;

  if (!fixture_init (&f, FAULT_NONE))
    return;
  f.options->regulatory_location = TH_REGULATORY_LOCATION_OUTDOOR;
  memcpy (f.options->country_code, "DE", 3);
  commission (&f);
  g_assert_no_error (f.error);
  g_assert_nonnull (f.node);

  /* Every stage an on-network device needs, in order, with a growing fraction. */
  g_assert_cmpuint (f.stages->len, ==, G_N_ELEMENTS (full_flow));
  for (guint i = 0; i < f.stages->len; i++)
    {
      double fraction = g_array_index (f.fractions, double, i);

      g_assert_cmpint (g_array_index (f.stages, ThCommissioningStage, i), ==, full_flow[i]);
      g_assert_cmpfloat (fraction, >=, 0.0);
      g_assert_cmpfloat (fraction, <, 1.0);
      if (i > 0)
        g_assert_cmpfloat (fraction, >, g_array_index (f.fractions, double, i - 1));
    }
  g_assert_false (th_commissioner_get_failed_stage (f.commissioner, &failed));

  /* What the device was told. */
  g_assert_cmpuint (f.device.fail_safe_requests->len, ==, 1);
  g_assert_cmpuint (last_fail_safe_request (&f.device), ==, 60);
  g_assert_cmpuint (f.device.regulatory_calls, ==, 1);
  g_assert_cmpuint (f.device.regulatory_location, ==, TH_REGULATORY_LOCATION_OUTDOOR);
  g_assert_cmpstr (f.device.country_code, ==, "DE");
  g_assert_true (f.device.time_set);
  g_assert_cmpuint (f.device.admin_vendor_id, ==, TH_COMMISSIONER_ADMIN_VENDOR_ID);
  g_assert_true (f.device.completed);
  g_assert_true (f.device.completed_over_case);
  /* The new home was on disk before the device was told to complete. */
  g_assert_true (f.device.fabric_saved_when_completed);
  g_assert_cmpuint (f.device.attestation_requests, ==, 3);
  /* the PASE session ended by the device, the CASE session by the commissioner */
  g_assert_false (f.device.pase_closed_by_commissioner);
  g_assert_false (th_session_is_open (f.device.operational));

  controller = th_store_load_controller (f.store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f.device.case_admin_subject, ==, controller->node_id);
  fabric = th_store_load_fabric (f.store, &error);
  g_assert_no_error (error);
  th_assert_bytes_equal (f.device.ipk, TH_IPK_LEN, th_fabric_get_ipk_epoch_key (fabric),
                         TH_IPK_LEN);
  g_assert_cmpuint (th_case_identity_get_node_id (f.device.identity), ==, f.node->node_id);

  /* The attestation: the chain verifies; a test certification is the one finding. */
  result = th_commissioner_get_attestation_result (f.commissioner);
  g_assert_nonnull (result);
  g_assert_true (th_attestation_result_is_trusted (result));
  g_assert_cmpuint (th_attestation_result_get_n_findings (result), ==, 1);

  /* What was saved. */
  stored = th_store_lookup_node (f.store, f.node->node_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->node_id, ==, 1);
  g_assert_cmphex (stored->vendor_id, ==, 0xFFF1);
  g_assert_cmphex (stored->product_id, ==, 0x8000);
  g_assert_cmpstr (stored->vendor_name, ==, "Threshold Tests");
  g_assert_cmpstr (stored->product_name, ==, "In-process Light");
  g_assert_cmpstr (stored->node_label, ==, "Desk");
  g_assert_cmpstr (stored->serial_number, ==, SERIAL_NUMBER);
  g_assert_cmphex (stored->device_type, ==, ON_OFF_LIGHT_DEVICE_TYPE);
  g_assert_cmpuint (stored->on_off_endpoint, ==, 1);
  g_assert_cmpint (stored->commissioned_at, >, 0);
  fixture_clear (&f);
}

/* A device that cannot take the country code is told "XX"; one that can only be used indoors
 * is set indoors whatever the options say. */
static void
test_regulatory_fallbacks (void)
{
  Fixture f;

  if (!fixture_init (&f, FAULT_COUNTRY_REFUSED))
    return;
  f.device.location_capability = TH_REGULATORY_LOCATION_INDOOR;
  f.options->regulatory_location = TH_REGULATORY_LOCATION_OUTDOOR;
  memcpy (f.options->country_code, "FR", 3);
  commission (&f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (f.device.regulatory_calls, ==, 2);
  g_assert_cmpstr (f.device.country_code, ==, "XX");
  g_assert_cmpuint (f.device.regulatory_location, ==, TH_REGULATORY_LOCATION_INDOOR);
  fixture_clear (&f);
}

/* A device on Ethernet alone is given no regulatory information, only the time if it keeps
 * it; with neither to give, the stage is left out. */
static void
test_regulatory_for_radios_only (void)
{
  for (guint keeps_time = 0; keeps_time < 2; keeps_time++)
    {
      Fixture f;
      gboolean saw_regulatory = FALSE;

      if (!fixture_init (&f, FAULT_NONE))
        return;
      f.device.network_features = TH_NETWORK_COMMISSIONING_FEATURE_ETHERNET;
      f.device.keeps_time = keeps_time;
      commission (&f);
      g_assert_no_error (f.error);
      g_assert_cmpuint (f.device.regulatory_calls, ==, 0);
      g_assert_cmpint (f.device.time_set, ==, keeps_time);
      for (guint i = 0; i < f.stages->len; i++)
        saw_regulatory |= g_array_index (f.stages, ThCommissioningStage, i)
                          == TH_COMMISSIONING_STAGE_REGULATORY;
      g_assert_cmpint (saw_regulatory, ==, keeps_time);
      g_assert_cmpuint (f.stages->len, ==, G_N_ELEMENTS (full_flow) - (keeps_time ? 0 : 1));
      g_assert_true (f.device.completed);
      fixture_clear (&f);
    }
}

/* ASK: the flow stops at the decision point, keeps the fail-safe armed meanwhile, and goes on
 * once answered from the main loop. */
static void
test_decision_waits (void)
{
  Fixture f;

  if (!fixture_init (&f, FAULT_NONE))
    return;
  /* A one-second fail-safe is re-armed every half second while the question is open. */
  f.device.fail_safe_seconds = 1;
  f.options->attestation_policy = TH_ATTESTATION_POLICY_ASK;
  f.answer = TRUE;
  f.answer_after_ms = 1300;
  g_signal_connect (f.commissioner, "attestation-failed", G_CALLBACK (on_attestation_failed),
                    &f);
  commission (&f);
  g_assert_no_error (f.error);
  g_assert_nonnull (f.node);
  g_assert_cmpuint (f.n_asked, ==, 1);
  g_assert_cmpint (g_array_index (f.stages, ThCommissioningStage, f.stages_when_asked - 1), ==,
                   TH_COMMISSIONING_STAGE_ATTESTATION);
  g_assert_cmpuint (f.stages->len, ==, G_N_ELEMENTS (full_flow));
  g_assert_cmpuint (f.device.fail_safe_requests->len, >=,
                    f.fail_safe_requests_when_asked + 2);
  /* The usual 60 s with the read, then the 1 s the device suggests, every time. */
  g_assert_cmpuint (g_array_index (f.device.fail_safe_requests, guint16, 0), ==, 60);
  for (guint i = 1; i < f.device.fail_safe_requests->len; i++)
    g_assert_cmpuint (g_array_index (f.device.fail_safe_requests, guint16, i), ==, 1);
  g_assert_true (f.device.completed);
  fixture_clear (&f);
}

static void
assert_refused (Fixture *f)
{
  g_autofree char *before = snapshot (f);
  ThCommissioningStage failed;

  commission (f);
  g_assert_error (f->error, TH_ERROR, TH_ERROR_ATTESTATION_REFUSED);
  g_test_message ("%s", f->error->message);
  g_assert_true (g_str_has_prefix (f->error->message,
                                   "Adding the device failed while checking that it is "
                                   "genuine: "));
  g_assert_nonnull (strstr (f->error->message, "test device"));
  g_assert_null (f->node);
  g_assert_true (th_commissioner_get_failed_stage (f->commissioner, &failed));
  g_assert_cmpint (failed, ==, TH_COMMISSIONING_STAGE_ATTESTATION);
  /* The device rolls back at once, and nothing was written. */
  g_assert_cmpuint (last_fail_safe_request (&f->device), ==, 0);
  g_assert_false (f->device.pase_closed_by_commissioner);
  g_assert_false (f->device.completed);
  g_assert_cmpint (g_array_index (f->stages, ThCommissioningStage, f->stages->len - 1), ==,
                   TH_COMMISSIONING_STAGE_ATTESTATION);
  {
    g_autofree char *after = snapshot (f);

    g_assert_cmpstr (after, ==, before);
  }
}

static void
test_decision_refused (void)
{
  Fixture f;

  if (!fixture_init (&f, FAULT_NONE))
    return;
  populate_store (&f);
  f.options->attestation_policy = TH_ATTESTATION_POLICY_ASK;
  f.answer = FALSE;
  f.answer_after_ms = 50;
  g_signal_connect (f.commissioner, "attestation-failed", G_CALLBACK (on_attestation_failed),
                    &f);
  assert_refused (&f);
  g_assert_cmpuint (f.n_asked, ==, 1);
  g_assert_nonnull (strstr (f.error->message, "You chose not to add the device"));
  fixture_clear (&f);
}

/* Answered from within the signal handler itself. */
static void
test_decision_refused_at_once (void)
{
  Fixture f;

  if (!fixture_init (&f, FAULT_NONE))
    return;
  f.options->attestation_policy = TH_ATTESTATION_POLICY_ASK;
  f.answer = FALSE;
  g_signal_connect (f.commissioner, "attestation-failed", G_CALLBACK (on_attestation_failed),
                    &f);
  assert_refused (&f);
  g_assert_cmpuint (f.n_asked, ==, 1);
  fixture_clear (&f);
}

static void
test_policy_refuse (void)
{
  Fixture f;

  if (!fixture_init (&f, FAULT_NONE))
    return;
  populate_store (&f);
  f.options->attestation_policy = TH_ATTESTATION_POLICY_REFUSE;
  g_signal_connect (f.commissioner, "attestation-failed", G_CALLBACK (on_attestation_failed),
                    &f);
  assert_refused (&f);
  g_assert_cmpuint (f.n_asked, ==, 0);
  fixture_clear (&f);
}

/* ASK with no one listening: there is no one to ask. */
static void
test_ask_without_handler (void)
{
  Fixture f;

  if (!fixture_init (&f, FAULT_NONE))
    return;
  f.options->attestation_policy = TH_ATTESTATION_POLICY_ASK;
  assert_refused (&f);
  g_assert_nonnull (strstr (f.error->message, "no one was there to decide"));
  fixture_clear (&f);
}

/* Cancelling as each stage begins leaves the store as it was, disarms the fail-safe once PASE
 * has armed it, and names the stage. Once the device has completed commissioning, the node
 * is saved whatever happens: it cannot be taken back. */
static void
test_cancel_at_each_stage (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (full_flow); i++)
    {
      ThCommissioningStage stage = full_flow[i];
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;
      ThCommissioningStage failed;
      Fixture f;

      if (!fixture_init (&f, FAULT_NONE))
        return;
      populate_store (&f);
      before = snapshot (&f);
      f.cancel_at = stage;
      commission (&f);
      g_test_message ("cancelled at %s: %s", th_commissioning_stage_to_string (stage),
                      f.error != NULL ? f.error->message : "added");
      if (stage == TH_COMMISSIONING_STAGE_PERSIST)
        {
          g_assert_no_error (f.error);
          g_assert_cmpuint (f.node->node_id, ==, 2);
          fixture_clear (&f);
          continue;
        }

      g_assert_error (f.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_true (g_str_has_prefix (f.error->message, "Adding the device failed while "));
      g_assert_true (th_commissioner_get_failed_stage (f.commissioner, &failed));
      g_assert_cmpint (failed, ==, stage);
      g_assert_cmpint (g_array_index (f.stages, ThCommissioningStage, f.stages->len - 1), ==,
                       stage);
      after = snapshot (&f);
      g_assert_cmpstr (after, ==, before);
      g_assert_false (f.device.completed);
      if (stage > TH_COMMISSIONING_STAGE_PASE)
        {
          g_assert_cmpuint (last_fail_safe_request (&f.device), ==, 0);
          g_assert_false (f.device.pase_closed_by_commissioner);
        }
      else
        {
          g_assert_cmpuint (f.device.fail_safe_requests->len, ==, 0);
          g_assert_null (f.device.pase);
        }
      fixture_clear (&f);
    }
}

/* Cancelling while the decision is awaited. */
static gboolean
cancel_soon (gpointer user_data)
{
  Fixture *f = user_data;

  g_cancellable_cancel (f->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_attestation_failed_cancel (ThCommissioner      *commissioner,
                              ThAttestationResult *result,
                              Fixture             *f)
{
  f->n_asked++;
  g_timeout_add (50, cancel_soon, f);
}

static void
test_cancel_while_asking (void)
{
  Fixture f;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (!fixture_init (&f, FAULT_NONE))
    return;
  populate_store (&f);
  before = snapshot (&f);
  f.options->attestation_policy = TH_ATTESTATION_POLICY_ASK;
  g_signal_connect (f.commissioner, "attestation-failed",
                    G_CALLBACK (on_attestation_failed_cancel), &f);
  commission (&f);
  g_assert_error (f.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (f.n_asked, ==, 1);
  g_assert_cmpuint (last_fail_safe_request (&f.device), ==, 0);
  after = snapshot (&f);
  g_assert_cmpstr (after, ==, before);
  /* An answer after the end changes nothing. */
  th_commissioner_resolve_attestation (f.commissioner, TRUE);
  fixture_clear (&f);
}

/* A command the device refuses: the error names the stage and the cause; the fail-safe is
 * disarmed; nothing is saved. */
static void
test_add_noc_refused (void)
{
  Fixture f;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  ThCommissioningStage failed;

  if (!fixture_init (&f, FAULT_ADD_NOC_REFUSED))
    return;
  populate_store (&f);
  before = snapshot (&f);
  commission (&f);
  g_assert_error (f.error, TH_ERROR, TH_ERROR_IM_COMMAND_FAILED);
  g_test_message ("%s", f.error->message);
  g_assert_true (g_str_has_prefix (f.error->message,
                                   "Adding the device failed while giving it its "
                                   "certificate: "));
  g_assert_true (th_commissioner_get_failed_stage (f.commissioner, &failed));
  g_assert_cmpint (failed, ==, TH_COMMISSIONING_STAGE_ADD_NOC);
  g_assert_cmpuint (last_fail_safe_request (&f.device), ==, 0);
  after = snapshot (&f);
  g_assert_cmpstr (after, ==, before);
  fixture_clear (&f);
}

/* A device that does not disarm its fail-safe when asked is told that the session ends, which
 * expires the fail-safe too. */
static void
test_disarm_refused (void)
{
  Fixture f;

  if (!fixture_init (&f, FAULT_ADD_NOC_REFUSED | FAULT_DISARM_REFUSED))
    return;
  commission (&f);
  g_assert_error (f.error, TH_ERROR, TH_ERROR_IM_COMMAND_FAILED);
  g_assert_cmpuint (last_fail_safe_request (&f.device), ==, 0);
  g_assert_true (f.device.pase_closed_by_commissioner);
  g_assert_false (th_session_is_open (f.device.pase));
  fixture_clear (&f);
}

/* An operational key that the attested device did not vouch for is not certified. */
static void
test_csr_wrong_signer (void)
{
  Fixture f;
  ThCommissioningStage failed;

  if (!fixture_init (&f, FAULT_CSR_WRONG_SIGNER))
    return;
  commission (&f);
  g_assert_error (f.error, TH_ERROR, TH_ERROR_CRYPTO_INVALID_SIGNATURE);
  g_test_message ("%s", f.error->message);
  g_assert_nonnull (strstr (f.error->message, "did not sign its operational key"));
  g_assert_true (th_commissioner_get_failed_stage (f.commissioner, &failed));
  g_assert_cmpint (failed, ==, TH_COMMISSIONING_STAGE_CSR);
  g_assert_cmpuint (last_fail_safe_request (&f.device), ==, 0);
  g_assert_null (f.device.root);
  fixture_clear (&f);
}

static void
test_wrong_passcode (void)
{
  Fixture f;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  ThCommissioningStage failed;

  if (!fixture_init (&f, FAULT_NONE))
    return;
  f.payload->passcode = PASSCODE + 1;
  before = snapshot (&f);
  commission (&f);
  g_assert_error (f.error, TH_ERROR, TH_ERROR_PASE_WRONG_PASSCODE);
  g_assert_true (g_str_has_prefix (f.error->message,
                                   "Adding the device failed while connecting with the setup "
                                   "code: "));
  g_assert_true (th_commissioner_get_failed_stage (f.commissioner, &failed));
  g_assert_cmpint (failed, ==, TH_COMMISSIONING_STAGE_PASE);
  g_assert_cmpuint (f.device.fail_safe_requests->len, ==, 0);
  after = snapshot (&f);
  g_assert_cmpstr (after, ==, before);
  /* Not even the home's fabric was made. */
  g_assert_cmpstr (after, ==, "");
  fixture_clear (&f);
}


/* ---- Attestation's three requests at once, and the home beside the flow ---- */

/* The three attestation requests go out together: the device answers the PAI and the
 * attestation while the DAC is still unanswered, then the DAC, and the flow goes on as when
 * the answers come in order. */
static void
test_attestation_out_of_order (void)
{
  Fixture f;
  ThAttestationResult *result;

  if (!fixture_init (&f, FAULT_DAC_LAST))
    return;
  commission (&f);
  g_assert_no_error (f.error);
  g_assert_nonnull (f.node);
  g_assert_cmpuint (f.device.attestation_requests, ==, 3);
  g_assert_cmpuint (f.device.attestation_answered, ==, 3);
  /* asked for the PAI and the attestation without waiting for the DAC */
  g_assert_cmpuint (f.device.attestation_most_unanswered, ==, 2);
  result = th_commissioner_get_attestation_result (f.commissioner);
  g_assert_true (th_attestation_result_is_trusted (result));
  g_assert_cmpuint (th_attestation_result_get_n_findings (result), ==, 1);
  g_assert_true (f.device.completed);
  fixture_clear (&f);
}

/* One of the three refused, the others answered, the DAC last: the flow stops at attestation
 * only once every answer is in, with the refusal as the cause, and disarms the fail-safe. */
static void
test_attestation_request_refused (void)
{
  Fixture f;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  ThCommissioningStage failed;

  if (!fixture_init (&f, FAULT_DAC_LAST | FAULT_PAI_REFUSED))
    return;
  populate_store (&f);
  before = snapshot (&f);
  commission (&f);
  g_assert_nonnull (f.error);
  g_test_message ("%s", f.error->message);
  g_assert_true (g_str_has_prefix (f.error->message,
                                   "Adding the device failed while checking that it is "
                                   "genuine: "));
  g_assert_nonnull (strstr (f.error->message, "CertificateChainRequest"));
  g_assert_true (th_commissioner_get_failed_stage (f.commissioner, &failed));
  g_assert_cmpint (failed, ==, TH_COMMISSIONING_STAGE_ATTESTATION);
  g_assert_cmpuint (f.device.attestation_answered, ==, 3);
  g_assert_null (th_commissioner_get_attestation_result (f.commissioner));
  g_assert_cmpuint (last_fail_safe_request (&f.device), ==, 0);
  g_assert_null (f.device.operational_key);
  after = snapshot (&f);
  g_assert_cmpstr (after, ==, before);
  fixture_clear (&f);
}

/* Cancelled while all three requests are in flight, none answered. */
static void
test_attestation_cancelled_in_flight (void)
{
  Fixture f;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  ThCommissioningStage failed;

  if (!fixture_init (&f, FAULT_ATTESTATION_HELD))
    return;
  populate_store (&f);
  before = snapshot (&f);
  commission (&f);
  g_assert_error (f.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (th_commissioner_get_failed_stage (f.commissioner, &failed));
  g_assert_cmpint (failed, ==, TH_COMMISSIONING_STAGE_ATTESTATION);
  g_assert_cmpuint (f.device.attestation_most_unanswered, ==, 3);
  g_assert_cmpuint (f.device.attestation_answered, ==, 0);
  g_assert_cmpuint (last_fail_safe_request (&f.device), ==, 0);
  after = snapshot (&f);
  g_assert_cmpstr (after, ==, before);
  fixture_clear (&f);
}

/* The read and the ArmFailSafe go out together: a device that answers the read only once
 * the fail-safe is armed is commissioned, the stages in their order, armed once. */
static void
test_read_and_arm_together (void)
{
  Fixture f;

  if (!fixture_init (&f, FAULT_REPORT_AFTER_ARM))
    return;
  commission (&f);
  g_assert_no_error (f.error);
  g_assert_nonnull (f.node);
  g_assert_cmpuint (f.stages->len, ==, G_N_ELEMENTS (full_flow));
  for (guint i = 0; i < f.stages->len; i++)
    g_assert_cmpint (g_array_index (f.stages, ThCommissioningStage, i), ==, full_flow[i]);
  g_assert_cmpuint (f.device.fail_safe_requests->len, ==, 1);
  g_assert_cmpuint (last_fail_safe_request (&f.device), ==, 60);
  fixture_clear (&f);
}

/* An ArmFailSafe refused, though sent with the read, is named as arming's failure; the
 * device is told to disarm. */
static void
test_arm_refused (void)
{
  Fixture f;
  ThCommissioningStage failed;

  if (!fixture_init (&f, FAULT_ARM_REFUSED))
    return;
  commission (&f);
  g_assert_error (f.error, TH_ERROR, TH_ERROR_IM_COMMAND_FAILED);
  g_test_message ("%s", f.error->message);
  g_assert_true (th_commissioner_get_failed_stage (f.commissioner, &failed));
  g_assert_cmpint (failed, ==, TH_COMMISSIONING_STAGE_ARM_FAIL_SAFE);
  g_assert_cmpuint (last_fail_safe_request (&f.device), ==, 0);
  g_assert_cmpuint (f.device.attestation_requests, ==, 0);
  fixture_clear (&f);
}

/* A home that cannot be read stops the flow before the device is given anything. */
static void
test_home_unreadable (void)
{
  Fixture f;
  g_autofree char *nodes = NULL;
  ThCommissioningStage failed;

  if (!fixture_init (&f, FAULT_NONE))
    return;
  nodes = g_build_filename (f.store_dir, "nodes", NULL);
  g_assert_true (g_file_set_contents (nodes, "not a folder", -1, NULL));
  commission (&f);
  g_assert_error (f.error, TH_ERROR, TH_ERROR_STORE_IO);
  g_test_message ("%s", f.error->message);
  g_assert_true (th_commissioner_get_failed_stage (f.commissioner, &failed));
  g_assert_cmpint (failed, ==, TH_COMMISSIONING_STAGE_ISSUE_NOC);
  g_assert_null (f.device.root);
  g_assert_cmpuint (last_fail_safe_request (&f.device), ==, 0);
  fixture_clear (&f);
}

/* ---- Control over CASE ---- */

typedef struct
{
  GAsyncResult *result;
} Waiter;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
}

static GAsyncResult *
wait_for (Waiter *waiter)
{
  while (waiter->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return waiter->result;
}

static gboolean
switch_light (ThNodeConnection *connection,
              ThOnOffCommand    command)
{
  g_autoptr(GError) error = NULL;
  Waiter switched = { 0 };
  Waiter read = { 0 };
  gboolean is_on = FALSE;

  th_node_connection_on_off_async (connection, command, NULL, on_done, &switched);
  g_assert_true (th_node_connection_on_off_finish (connection, wait_for (&switched), &error));
  g_assert_no_error (error);
  th_node_connection_read_on_off_async (connection, NULL, on_done, &read);
  g_assert_true (th_node_connection_read_on_off_finish (connection, wait_for (&read), &is_on,
                                                        &error));
  g_assert_no_error (error);
  g_clear_object (&switched.result);
  g_clear_object (&read.result);
  return is_on;
}

/* A new connection to the commissioned node, by its address, switches the light. */
static void
test_node_connection (void)
{
  g_autoptr(ThNodeConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  Waiter opened = { 0 };
  Waiter missing = { 0 };
  Fixture f;

  if (!fixture_init (&f, FAULT_NONE))
    return;
  commission (&f);
  g_assert_no_error (f.error);

  th_node_connection_open_async (f.store, f.node->node_id, f.device.address, 1000, NULL,
                                 on_done, &opened);
  connection = th_node_connection_open_finish (wait_for (&opened), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (th_node_connection_get_node (connection)->serial_number, ==, SERIAL_NUMBER);
  g_assert_true (th_session_get_kind (th_node_connection_get_session (connection))
                 == TH_SESSION_KIND_CASE);
  g_assert_true (switch_light (connection, TH_ON_OFF_ON));
  g_assert_true (f.device.light_on);
  g_assert_false (switch_light (connection, TH_ON_OFF_TOGGLE));
  g_assert_false (switch_light (connection, TH_ON_OFF_OFF));
  g_assert_true (switch_light (connection, TH_ON_OFF_TOGGLE));
  th_node_connection_close (connection);
  while (th_session_is_open (f.device.operational))
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&opened.result);

  th_node_connection_open_async (f.store, 99, f.device.address, 1000, NULL, on_done,
                                 &missing);
  g_assert_null (th_node_connection_open_finish (wait_for (&missing), &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_STORE_NO_NODE);
  g_clear_object (&missing.result);
  fixture_clear (&f);
}

/* Nothing answers at the address given: the node is looked for with DNS-SD, which here has no
 * Avahi to ask; the error says both. */
static void
test_operational_fallback (void)
{
  const ThMrpParameters quick = { 10, 10, 4000 };
  g_autoptr(GInetAddress) loopback = g_inet_address_new_from_string ("127.0.0.1");
  g_autoptr(GSocketAddress) nowhere = NULL;
  g_autoptr(ThControllerIdentity) controller = NULL;
  g_autoptr(ThCaseIdentity) identity = NULL;
  g_autoptr(ThFabric) fabric = NULL;
  g_autoptr(ThUdpTransport) transport = NULL;
  g_autoptr(ThExchangeManager) manager = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  Waiter opened = { 0 };
  Fixture f;

  if (!fixture_init (&f, FAULT_NONE))
    return;
  commission (&f);
  g_assert_no_error (f.error);

  /* a port that was free a moment ago */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                         &error);
  g_assert_no_error (error);
  bound = g_inet_socket_address_new (loopback, 0);
  g_assert_true (g_socket_bind (socket, bound, FALSE, &error));
  nowhere = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  g_socket_close (socket, NULL);

  fabric = th_store_load_fabric (f.store, &error);
  controller = th_store_load_controller (f.store, &error);
  g_assert_no_error (error);
  identity = th_case_identity_new_for_fabric (fabric, controller->noc_tlv, controller->key,
                                              &error);
  g_assert_no_error (error);
  transport = th_udp_transport_new (NULL, 0, &error);
  g_assert_no_error (error);
  manager = th_exchange_manager_new (TH_TRANSPORT (transport), NULL, &error);
  g_assert_no_error (error);
  th_operational_session_open_async (manager, identity, f.node->node_id, nowhere, &quick, 500,
                                     NULL, on_done, &opened);
  g_assert_null (th_operational_session_open_finish (manager, wait_for (&opened), &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, TH_ERROR, TH_ERROR_DNSSD_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "; and looking for it on the network failed: "));
  g_assert_nonnull (strstr (error->message, "Sigma1"));
  g_clear_object (&opened.result);
  th_exchange_manager_close (manager);
  fixture_clear (&f);
}

/* ---- Network provisioning over IP: credentials given ---- */

static ThNetworkCredentials *
wifi_credentials (const char *ssid,
                  const char *password)
{
  g_autoptr(GError) error = NULL;
  ThNetworkCredentials *credentials = th_network_credentials_new_wifi ((const guint8 *) ssid,
                                                                       strlen (ssid), password,
                                                                       &error);

  g_assert_no_error (error);
  return credentials;
}

/* What the device was told from the first AddOrUpdateWiFiNetwork on, joined by commas. */
static char *
network_log (TestDevice *device)
{
  g_autoptr(GString) log = g_string_new (NULL);
  gboolean started = FALSE;

  for (guint i = 0; i < device->network_log->len; i++)
    {
      const char *entry = g_ptr_array_index (device->network_log, i);

      started |= g_str_has_prefix (entry, "add ");
      if (!started)
        continue;
      if (log->len > 0)
        g_string_append_c (log, ',');
      g_string_append (log, entry);
    }
  return g_strdup (log->str);
}

static gboolean
ran_stage (Fixture              *f,
           ThCommissioningStage  stage)
{
  for (guint i = 0; i < f->stages->len; i++)
    if (g_array_index (f->stages, ThCommissioningStage, i) == stage)
      return TRUE;
  return FALSE;
}

/* Add, the fail-safe re-armed, connect; over IP the device is looked for where it was. */
static void
test_network_wifi (void)
{
  Fixture f;
  g_autofree char *log = NULL;

  if (!fixture_init (&f, FAULT_NONE))
    return;
  f.options->network_credentials = wifi_credentials ("Home", "right password");
  commission (&f);
  g_assert_no_error (f.error);
  g_assert_true (f.device.completed);
  g_assert_true (ran_stage (&f, TH_COMMISSIONING_STAGE_NETWORK));
  g_assert_false (ran_stage (&f, TH_COMMISSIONING_STAGE_OPERATIONAL_DISCOVERY));
  log = network_log (&f.device);
  g_assert_cmpstr (log, ==, "add Home,arm,connect Home");
  g_assert_cmpstr (f.device.added_password, ==, "right password");
  /* re-armed for at least ConnectMaxTimeSeconds (20) and the response time (3) */
  g_assert_cmpuint (last_fail_safe_request (&f.device), >=, 23);
  fixture_clear (&f);
}

typedef struct
{
  guint asked;
  GError *last_error;
  ThNetworkKind kinds;
  guint n_results;
  gboolean scan_error;
  gboolean cancel;
} NetworkAnswer;

static void
on_network_needed (ThCommissioner   *commissioner,
                   ThNetworkRequest *request,
                   NetworkAnswer    *answer)
{
  g_autoptr(ThNetworkCredentials) right = wifi_credentials ("Home", "right password");
  const GError *last_error = th_network_request_get_last_error (request);

  answer->asked++;
  g_clear_error (&answer->last_error);
  answer->last_error = last_error != NULL ? g_error_copy (last_error) : NULL;
  answer->kinds = th_network_request_get_kinds (request);
  answer->n_results = th_network_request_get_scan_results (request)->len;
  answer->scan_error = th_network_request_get_scan_error (request) != NULL;
  th_commissioner_provide_network_credentials (commissioner, answer->cancel ? NULL : right);
}

/* A password the network refuses: the person is told why and asked again. */
static void
test_network_asks_again (void)
{
  Fixture f;
  NetworkAnswer answer = { 0 };
  g_autofree char *log = NULL;

  if (!fixture_init (&f, FAULT_NONE))
    return;
  f.options->network_credentials = wifi_credentials ("Home", "wrong password");
  g_signal_connect (f.commissioner, "network-credentials-needed",
                    G_CALLBACK (on_network_needed), &answer);
  commission (&f);
  g_assert_no_error (f.error);
  g_assert_true (f.device.completed);
  g_assert_cmpuint (answer.asked, ==, 1);
  g_assert_error (answer.last_error, TH_ERROR, TH_ERROR_NETWORK_AUTH_FAILED);
  g_assert_nonnull (strstr (answer.last_error->message, "password was not accepted"));
  g_assert_nonnull (strstr (answer.last_error->message, "“handshake failed”"));
  g_assert_null (strstr (answer.last_error->message, "wrong password"));
  g_assert_cmpint (answer.kinds, ==, TH_NETWORK_KIND_WIFI);
  /* over IP with credentials given, nothing was scanned */
  g_assert_cmpuint (answer.n_results, ==, 0);
  g_assert_false (answer.scan_error);
  log = network_log (&f.device);
  g_assert_cmpstr (log, ==, "add Home,arm,connect Home,add Home,arm,connect Home");
  g_assert_cmpstr (f.device.added_password, ==, "right password");
  g_clear_error (&answer.last_error);
  fixture_clear (&f);
}

/* No one to ask: the device's answer is the error, and the device is put back. */
static void
test_network_refused (void)
{
  Fixture f;
  ThCommissioningStage stage;

  if (!fixture_init (&f, FAULT_NONE))
    return;
  f.options->network_credentials = wifi_credentials ("Elsewhere", "right password");
  commission (&f);
  g_assert_error (f.error, TH_ERROR, TH_ERROR_NETWORK_NOT_FOUND);
  g_assert_nonnull (strstr (f.error->message, "could not find the network “Elsewhere”"));
  g_assert_true (th_commissioner_get_failed_stage (f.commissioner, &stage));
  g_assert_cmpint (stage, ==, TH_COMMISSIONING_STAGE_NETWORK);
  g_assert_cmpuint (last_fail_safe_request (&f.device), ==, 0);
  g_assert_false (f.device.completed);
  fixture_clear (&f);
}

/* The person gives up when asked again. */
static void
test_network_cancelled (void)
{
  Fixture f;
  NetworkAnswer answer = { .cancel = TRUE };

  if (!fixture_init (&f, FAULT_NONE))
    return;
  f.options->network_credentials = wifi_credentials ("Home", "wrong password");
  g_signal_connect (f.commissioner, "network-credentials-needed",
                    G_CALLBACK (on_network_needed), &answer);
  commission (&f);
  g_assert_error (f.error, TH_ERROR, TH_ERROR_NETWORK_CREDENTIALS_NEEDED);
  g_assert_cmpuint (answer.asked, ==, 1);
  g_assert_cmpuint (last_fail_safe_request (&f.device), ==, 0);
  g_clear_error (&answer.last_error);
  fixture_clear (&f);
}

/* A Thread dataset for a device with Wi-Fi: refused before the device is told anything. */
static void
test_network_wrong_kind (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;

  if (!fixture_init (&f, FAULT_NONE))
    return;
  f.options->network_credentials = th_network_credentials_new_thread_hex (
    "0e080000000000010000 000300000f 0708fd00000000000001 01021234 "
    "051000112233445566778899aabbccddeeff", &error);
  g_assert_no_error (error);
  commission (&f);
  g_assert_error (f.error, TH_ERROR, TH_ERROR_NETWORK_KIND);
  g_assert_nonnull (strstr (f.error->message, "cannot join a Thread network"));
  g_assert_cmpuint (f.device.network_log->len, >, 0);
  g_assert_null (f.device.added_password);
  fixture_clear (&f);
}

static void
test_stage_names (void)
{
  for (ThCommissioningStage stage = 0; stage < TH_COMMISSIONING_N_STAGES; stage++)
    {
      const char *name = th_commissioning_stage_to_string (stage);
      g_autofree char *failure = th_commissioning_stage_describe_failure (stage, "why");
      ThCommissioningStage back;

      g_assert_nonnull (name);
      g_assert_true (th_commissioning_stage_from_string (name, &back));
      g_assert_cmpint (back, ==, stage);
      g_assert_nonnull (th_commissioning_stage_describe (stage));
      g_assert_true (g_str_has_prefix (failure, "Adding the device failed while "));
      g_assert_true (g_str_has_suffix (failure, ": why"));
    }
  g_assert_cmpstr (th_commissioning_stage_describe (TH_COMMISSIONING_STAGE_ATTESTATION), ==,
                   "Checking that the device is genuine");
  g_assert_false (th_commissioning_stage_from_string ("nonsense", &(ThCommissioningStage) { 0 }));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* No system bus, so no Avahi: DNS-SD fails at once, whatever runs on the host. */
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/threshold-test", TRUE);

  g_test_add_func ("/commissioner/stage-names", test_stage_names);
  g_test_add_func ("/commissioner/full-flow", test_full_flow);
  g_test_add_func ("/commissioner/regulatory-fallbacks", test_regulatory_fallbacks);
  g_test_add_func ("/commissioner/regulatory-for-radios-only", test_regulatory_for_radios_only);
  g_test_add_func ("/commissioner/decision/waits", test_decision_waits);
  g_test_add_func ("/commissioner/decision/refused", test_decision_refused);
  g_test_add_func ("/commissioner/decision/refused-at-once", test_decision_refused_at_once);
  g_test_add_func ("/commissioner/decision/policy-refuse", test_policy_refuse);
  g_test_add_func ("/commissioner/decision/no-handler", test_ask_without_handler);
  g_test_add_func ("/commissioner/decision/cancel", test_cancel_while_asking);
  g_test_add_func ("/commissioner/cancel-at-each-stage", test_cancel_at_each_stage);
  g_test_add_func ("/commissioner/add-noc-refused", test_add_noc_refused);
  g_test_add_func ("/commissioner/disarm-refused", test_disarm_refused);
  g_test_add_func ("/commissioner/csr-wrong-signer", test_csr_wrong_signer);
  g_test_add_func ("/commissioner/wrong-passcode", test_wrong_passcode);
  g_test_add_func ("/commissioner/attestation/out-of-order", test_attestation_out_of_order);
  g_test_add_func ("/commissioner/attestation/request-refused",
                   test_attestation_request_refused);
  g_test_add_func ("/commissioner/attestation/cancelled-in-flight",
                   test_attestation_cancelled_in_flight);
  g_test_add_func ("/commissioner/home-unreadable", test_home_unreadable);
  g_test_add_func ("/commissioner/read-and-arm-together", test_read_and_arm_together);
  g_test_add_func ("/commissioner/arm-refused", test_arm_refused);
  g_test_add_func ("/commissioner/node-connection", test_node_connection);
  g_test_add_func ("/commissioner/operational-fallback", test_operational_fallback);
  g_test_add_func ("/commissioner/network/wifi", test_network_wifi);
  g_test_add_func ("/commissioner/network/asks-again", test_network_asks_again);
  g_test_add_func ("/commissioner/network/refused", test_network_refused);
  g_test_add_func ("/commissioner/network/cancelled", test_network_cancelled);
  g_test_add_func ("/commissioner/network/wrong-kind", test_network_wrong_kind);

  return g_test_run ();
}
