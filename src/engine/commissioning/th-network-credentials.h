/* th-network-credentials.h: the Wi-Fi or Thread network a device is given, and what the
 * commissioner asks for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "commissioning/th-thread-dataset.h"

G_BEGIN_DECLS

/* Matter's bounds on AddOrUpdateWiFiNetwork's fields */
#define TH_WIFI_SSID_MAX_LEN 32
#define TH_WIFI_PASSWORD_MAX_LEN 64

typedef enum
{
  TH_NETWORK_KIND_WIFI = 1 << 0,
  TH_NETWORK_KIND_THREAD = 1 << 1,
} ThNetworkKind;

#define TH_TYPE_NETWORK_KIND (th_network_kind_get_type ())
GType th_network_kind_get_type (void) G_GNUC_CONST;

/* What the person gives. The password and the dataset are wiped when freed. */
typedef struct _ThNetworkCredentials ThNetworkCredentials;

#define TH_TYPE_NETWORK_CREDENTIALS (th_network_credentials_get_type ())
GType                 th_network_credentials_get_type       (void) G_GNUC_CONST;

/* SSID 1 to 32 bytes, password at most 64 bytes, "" for an open network:
 * TH_ERROR_WIFI_CREDENTIALS otherwise. */
ThNetworkCredentials *th_network_credentials_new_wifi       (const guint8  *ssid,
                                                             gsize          ssid_len,
                                                             const char    *password,
                                                             GError       **error);
/* The dataset is validated (th_thread_dataset_parse()): TH_ERROR_THREAD_DATASET. */
ThNetworkCredentials *th_network_credentials_new_thread     (const guint8  *dataset,
                                                             gsize          len,
                                                             GError       **error);
/* The dataset as hex text, as a person pastes it (spaces and line breaks allowed). */
ThNetworkCredentials *th_network_credentials_new_thread_hex (const char    *hex,
                                                             GError       **error);
ThNetworkKind         th_network_credentials_get_kind       (const ThNetworkCredentials *self);
ThNetworkCredentials *th_network_credentials_copy           (const ThNetworkCredentials *self);
void                  th_network_credentials_free           (ThNetworkCredentials       *self);

/* Wi-Fi: the SSID (borrowed); NULL for Thread. */
const guint8         *th_network_credentials_get_ssid       (const ThNetworkCredentials *self,
                                                             gsize                      *len);
/* Wi-Fi: the password (borrowed, secret: never log it); NULL for Thread. */
const guint8         *th_network_credentials_get_password   (const ThNetworkCredentials *self,
                                                             gsize                      *len);
/* Thread: the dataset bytes (borrowed, secret: they hold the network key); NULL for Wi-Fi. */
const guint8         *th_network_credentials_get_dataset    (const ThNetworkCredentials *self,
                                                             gsize                      *len);
/* Thread: what the dataset says (network name, channel, PAN ids); NULL for Wi-Fi. */
const ThThreadDataset *th_network_credentials_get_thread    (const ThNetworkCredentials *self);
/* The network id ConnectNetwork names: the SSID for Wi-Fi, the extended PAN id (8 bytes, big
 * endian) for Thread. Thread credentials without an Extended PAN ID give NULL. */
GBytes               *th_network_credentials_get_network_id (const ThNetworkCredentials *self);
/* For messages: the SSID as text (invalid UTF-8 escaped) or the Thread network name, else
 * the extended PAN id in hex. */
char                 *th_network_credentials_describe       (const ThNetworkCredentials *self);

/* What a NetworkingStatus other than Success from AddOrUpdate*Network or ConnectNetwork means
 * for these credentials, in words for the person who gave them: TH_ERROR_NETWORK_NOT_FOUND
 * ("The device could not find the network “x”."), TH_ERROR_NETWORK_AUTH_FAILED ("The password
 * was not accepted."), else TH_ERROR_NETWORK_FAILED; the device's DebugText is quoted. */
GError               *th_network_status_error               (guint8                      status,
                                                             const char                 *debug_text,
                                                             const ThNetworkCredentials *credentials);

/* One network the device saw (ScanNetworks). */
typedef struct
{
  ThNetworkKind kind;
  GBytes *ssid;                       /* Wi-Fi */
  char *network_name;                 /* Thread */
  guint16 pan_id;                     /* Thread */
  guint64 extended_pan_id;            /* Thread */
  guint16 channel;
  gint8 rssi;                         /* dBm; 0 when unknown */
  guint8 security;                    /* Wi-Fi security bitmap as the cluster gives it */
} ThNetworkScanResult;

#define TH_TYPE_NETWORK_SCAN_RESULT (th_network_scan_result_get_type ())
GType                th_network_scan_result_get_type (void) G_GNUC_CONST;
ThNetworkScanResult *th_network_scan_result_new      (ThNetworkKind              kind);
ThNetworkScanResult *th_network_scan_result_copy     (const ThNetworkScanResult *self);
void                 th_network_scan_result_free     (ThNetworkScanResult       *self);

/* What the commissioner asks for. Reference counted; immutable once made. */
typedef struct _ThNetworkRequest ThNetworkRequest;

#define TH_TYPE_NETWORK_REQUEST (th_network_request_get_type ())
GType             th_network_request_get_type (void) G_GNUC_CONST;

/* scan_results: of ThNetworkScanResult, referenced (may be NULL); the errors are copied,
 * both may be NULL. */
ThNetworkRequest *th_network_request_new   (ThNetworkKind  kinds,
                                            GPtrArray     *scan_results,
                                            const GError  *scan_error,
                                            const GError  *last_error);
ThNetworkRequest *th_network_request_ref   (ThNetworkRequest *self);
void              th_network_request_unref (ThNetworkRequest *self);

/* what the device can join */
ThNetworkKind  th_network_request_get_kinds        (const ThNetworkRequest *self);
/* borrowed; may be empty, never NULL */
GPtrArray     *th_network_request_get_scan_results (const ThNetworkRequest *self);
/* NULL when the scan worked or was not tried */
const GError  *th_network_request_get_scan_error   (const ThNetworkRequest *self);
/* Why the credentials given before did not work (the device's NetworkingStatus in words),
 * or NULL when none were tried yet. */
const GError  *th_network_request_get_last_error   (const ThNetworkRequest *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThNetworkCredentials, th_network_credentials_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThNetworkScanResult, th_network_scan_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThNetworkRequest, th_network_request_unref)

G_END_DECLS
