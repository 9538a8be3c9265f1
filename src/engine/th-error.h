/* th-error.h: the engine's error domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TH_ERROR (th_error_quark ())

/* One code per cause. Codes are grouped by module; append within a group. The messages
 * that go with them are written where the error is raised, translatable, and never contain
 * a passcode, a key or a session secret. */
typedef enum
{
  TH_ERROR_FAILED,

  /* onboarding payloads */
  TH_ERROR_PAYLOAD_EMPTY = 100,
  TH_ERROR_PAYLOAD_PREFIX,
  TH_ERROR_PAYLOAD_CHARACTER,
  TH_ERROR_PAYLOAD_LENGTH,
  TH_ERROR_PAYLOAD_CHECK_DIGIT,
  TH_ERROR_PAYLOAD_VERSION,
  TH_ERROR_PAYLOAD_FIELD,
  TH_ERROR_PAYLOAD_TLV,
  TH_ERROR_PAYLOAD_NDEF,

  /* TLV */
  TH_ERROR_TLV_TRUNCATED = 200,
  TH_ERROR_TLV_INVALID,
  TH_ERROR_TLV_TYPE,
  TH_ERROR_TLV_DEPTH,
  TH_ERROR_TLV_NOT_FOUND,
  TH_ERROR_TLV_OVERFLOW,

  /* crypto */
  TH_ERROR_CRYPTO = 300,
  TH_ERROR_CRYPTO_AUTH,
  TH_ERROR_CRYPTO_INVALID_KEY,
  TH_ERROR_CRYPTO_INVALID_SIGNATURE,

  /* messaging and transports */
  TH_ERROR_MESSAGE_INVALID = 400,
  TH_ERROR_MESSAGE_DUPLICATE,
  TH_ERROR_MESSAGE_UNKNOWN_SESSION,
  TH_ERROR_TIMED_OUT,
  TH_ERROR_TRANSPORT,
  TH_ERROR_ADDRESS,
  TH_ERROR_SESSION_CLOSED,
  TH_ERROR_BTP_PROTOCOL,              /* a BTP packet is malformed or breaks the protocol */

  /* secure channel */
  TH_ERROR_PASE_WRONG_PASSCODE = 500,
  TH_ERROR_PASE_PROTOCOL,
  TH_ERROR_BUSY,
  TH_ERROR_STATUS_REPORT,
  TH_ERROR_CASE_PROTOCOL,             /* a CASE message is malformed or out of place */
  TH_ERROR_CASE_WRONG_FABRIC,         /* the peer's NOC does not chain to our root and fabric */
  TH_ERROR_CASE_WRONG_NODE,           /* the peer is another node than the one asked for */
  TH_ERROR_CASE_BAD_SIGNATURE,        /* the peer does not hold its NOC's key */
  TH_ERROR_CASE_NO_SHARED_ROOT,       /* the peer does not know our fabric */

  /* interaction model */
  TH_ERROR_IM_STATUS = 600,
  TH_ERROR_IM_PROTOCOL,
  TH_ERROR_IM_NOT_REPORTED,
  TH_ERROR_IM_COMMAND_FAILED,
  TH_ERROR_IM_ELEMENTS_MALFORMED,

  /* credentials */
  TH_ERROR_CERTIFICATE_INVALID = 700,
  TH_ERROR_CERTIFICATE_CHAIN,
  TH_ERROR_CERTIFICATE_NOT_YET_VALID,
  TH_ERROR_CERTIFICATE_EXPIRED,
  TH_ERROR_CSR_INVALID,

  /* device attestation */
  TH_ERROR_ATTESTATION_CERTIFICATE = 800,
  TH_ERROR_CERTIFICATION_DECLARATION,
  TH_ERROR_CD_SIGNER_UNKNOWN,
  TH_ERROR_TRUST_STORE,
  TH_ERROR_REVOCATION_SET,
  TH_ERROR_ATTESTATION_ELEMENTS,

  /* storage */
  TH_ERROR_STORE_IO = 900,
  TH_ERROR_STORE_CORRUPT,
  TH_ERROR_STORE_NO_FABRIC,
  TH_ERROR_STORE_NODE_EXISTS,
  TH_ERROR_STORE_NO_NODE,
  TH_ERROR_STORE_FABRIC_EXISTS,

  /* discovery */
  TH_ERROR_DNSSD_UNAVAILABLE = 1000,
  TH_ERROR_DNSSD_FAILED,
  TH_ERROR_DNSSD_TXT,
  TH_ERROR_DNSSD_NOT_FOUND,
  TH_ERROR_DNSSD_NOT_IN_COMMISSIONING_MODE,
  TH_ERROR_BLE_UNAVAILABLE,           /* no system bus, or BlueZ is not running */
  TH_ERROR_BLE_NO_ADAPTER,            /* BlueZ runs but has no Bluetooth adapter */
  TH_ERROR_BLE_POWERED_OFF,           /* the adapter is switched off */
  TH_ERROR_BLE_ACCESS_DENIED,         /* BlueZ or the bus refuses this program */
  TH_ERROR_BLE_FAILED,                /* BlueZ failed in another way */
  TH_ERROR_BLE_SERVICE_DATA,          /* Matter service data that is not well formed */
  TH_ERROR_BLE_NOT_FOUND,             /* no matching device advertised in time */
  TH_ERROR_BLE_GATT,                  /* the device's Matter GATT service is missing or failed */

  /* commissioning and control */
  TH_ERROR_ATTESTATION_REFUSED = 1100, /* the device is not added: its attestation failed */
  TH_ERROR_NODE_LACKS_CLUSTER,         /* the node has no endpoint with the cluster needed */
  TH_ERROR_NO_CURRENT_WIFI,            /* NetworkManager names no Wi-Fi network in use */

  /* the compliance ledger (DCL) and the custom commissioning flow */
  TH_ERROR_DCL_UNREACHABLE = 1200,     /* no answer: no network, refused, or cut off midway */
  TH_ERROR_DCL_TIMED_OUT,              /* no whole answer within the time allowed */
  TH_ERROR_DCL_NOT_FOUND,              /* the ledger has no such record (HTTP 404) */
  TH_ERROR_DCL_HTTP,                   /* another HTTP status than 200 or 404 */
  TH_ERROR_DCL_INVALID,                /* the answer is not JSON of the expected shape */
  TH_ERROR_DCL_NOT_CACHED,             /* offline, and nothing was kept from before */
  TH_ERROR_CUSTOM_FLOW_URL,            /* the manufacturer's URL breaks the rules of 5.7.3 */
  TH_ERROR_CUSTOM_FLOW_CALLBACK,       /* a callback that cannot be read */
  TH_ERROR_CUSTOM_FLOW_TOKEN,          /* a callback without the right one-time token */
  TH_ERROR_CUSTOM_FLOW_EXPIRED,        /* the callback came after the time allowed */
  TH_ERROR_CUSTOM_FLOW_NO_CODE,        /* no setup code to go on with */

  /* network provisioning (Wi-Fi and Thread) */
  TH_ERROR_WIFI_CREDENTIALS = 1300,    /* an SSID or password of a length Matter cannot carry */
  TH_ERROR_THREAD_DATASET,             /* a Thread operational dataset that is not valid */
  TH_ERROR_NETWORK_CREDENTIALS_NEEDED, /* the device needs a network and none was given */
  TH_ERROR_NETWORK_KIND,               /* the credentials are for a network the device lacks */
  TH_ERROR_NETWORK_NOT_FOUND,          /* the device could not find the network */
  TH_ERROR_NETWORK_AUTH_FAILED,        /* the network refused the password or key */
  TH_ERROR_NETWORK_FAILED,             /* the device failed to join in another way */
} ThError;

GQuark th_error_quark (void);

G_END_DECLS
