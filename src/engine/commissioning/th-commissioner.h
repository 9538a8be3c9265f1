/* th-commissioner.h: adds a device to the home: the whole commissioning flow
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "clusters/th-clusters.h"
#include "commissioning/th-commissioning-stage.h"
#include "commissioning/th-network-credentials.h"
#include "credentials/th-attestation.h"
#include "discovery/th-ble-device.h"
#include "onboarding/th-setup-payload.h"
#include "storage/th-store.h"

G_BEGIN_DECLS

/* The vendor id the commissioner gives as AdminVendorId in AddNOC: the vendor of the
 * administrator that added the device, which the device may show. Threshold has no vendor id
 * of its own in the DCL, so it names itself with the first of the test vendor ids the
 * specification reserves (0xFFF1 to 0xFFF4), as the SDKs' example commissioners do. */
#define TH_COMMISSIONER_ADMIN_VENDOR_ID 0xFFF1

/* What the commissioner does when attestation has findings. */
typedef enum
{
  TH_ATTESTATION_POLICY_ASK,     /* emit ::attestation-failed and wait for the answer */
  TH_ATTESTATION_POLICY_ACCEPT,  /* go on, the findings noted */
  TH_ATTESTATION_POLICY_REFUSE,  /* stop without asking */
} ThAttestationPolicy;

#define TH_TYPE_ATTESTATION_POLICY (th_attestation_policy_get_type ())
GType th_attestation_policy_get_type (void) G_GNUC_CONST;

/* The specification's floor for how long a response may take while the fail-safe is armed. */
#define TH_COMMISSIONING_RESPONSE_TIMEOUT_MS 30000
#define TH_COMMISSIONING_DISCOVERY_TIMEOUT_MS 30000
#define TH_COMMISSIONING_CLEANUP_TIMEOUT_MS 5000
/* When the device's BasicCommissioningInfo suggests no fail-safe length: the SDKs' value. */
#define TH_COMMISSIONING_DEFAULT_FAIL_SAFE_SECONDS 60

/* How one device is commissioned. Plain data: set the fields directly. */
typedef struct
{
  /* the device's address, with its port: DNS-SD is skipped; NULL to find the device by its
   * discriminator */
  GSocketAddress *address;
  /* Commission over Bluetooth LE (BTP) instead of IP: through `ble_device` (referenced) when
   * given, else `ble` TRUE finds the device advertising the payload's discriminator. */
  gboolean ble;
  ThBleDevice *ble_device;
  ThAttestationPolicy attestation_policy;
  /* SetRegulatoryConfig: where the device is used (taken when the device can be both), and
   * the ISO 3166-1 alpha-2 country code, "XX" when unknown */
  ThRegulatoryLocation regulatory_location;
  char country_code[3];
  /* how long DNS-SD may take to find the device, and its operational record */
  guint discovery_timeout_ms;
  /* how long the device may take to act on each request while its fail-safe is armed,
   * beyond the time its answer may spend in retransmissions; the specification wants at
   * least 30 s: shorter only in tests. A request the device never acknowledges fails
   * earlier, once the reliability protocol gives up on it: the device never got it. */
  guint response_timeout_ms;
  /* the bound on disarming the fail-safe (ArmFailSafe with 0) after a failure */
  guint cleanup_timeout_ms;
  /* the network a Wi-Fi or Thread device joins, owned: given beforehand, the commissioner
   * does not emit ::network-credentials-needed; NULL to ask */
  ThNetworkCredentials *network_credentials;
} ThCommissioningOptions;

#define TH_TYPE_COMMISSIONING_OPTIONS (th_commissioning_options_get_type ())
GType                   th_commissioning_options_get_type (void) G_GNUC_CONST;

/* ASK, indoor and outdoor, "XX", the default timeouts, no address. */
ThCommissioningOptions *th_commissioning_options_new  (void);
ThCommissioningOptions *th_commissioning_options_copy (const ThCommissioningOptions *options);
void                    th_commissioning_options_free (ThCommissioningOptions       *options);

#define TH_TYPE_COMMISSIONER (th_commissioner_get_type ())

G_DECLARE_FINAL_TYPE (ThCommissioner, th_commissioner, TH, COMMISSIONER, GObject)

/* `store` is borrowed and must outlive the commissioner; `revocations` may be NULL.
 *
 * Signals:
 *  ::stage-changed (ThCommissioningStage stage, double fraction): a stage begins; fraction
 *    is how much of the flow is done, for a progress bar.
 *  ::attestation-failed (ThAttestationResult *result): with the ASK policy, attestation
 *    found something (even a warning, such as a device certified for development only: the
 *    specification counts it as a failed attestation). The flow waits, keeping the device's
 *    fail-safe armed, until th_commissioner_resolve_attestation() is called, now or later
 *    from the main loop. Without a handler connected there is no one to ask, and the device
 *    is refused.
 *  ::network-credentials-needed (ThNetworkRequest *request): at the NETWORK stage, a device
 *    with a Wi-Fi or Thread interface needs its network and options->network_credentials
 *    gave none, or the ones tried failed (th_network_request_get_last_error() says why). The
 *    flow waits, keeping the device's fail-safe armed, until
 *    th_commissioner_provide_network_credentials() is called, now or later. Without a
 *    handler connected the commissioning fails with TH_ERROR_NETWORK_CREDENTIALS_NEEDED. */
ThCommissioner *th_commissioner_new                (ThStore          *store,
                                                    ThPaaStore       *paa_store,
                                                    ThCdSigners      *cd_signers,
                                                    ThRevocationSet  *revocations);

/* Commissions the device of `payload` (one payload, with a valid passcode) into the store's
 * home, creating the home's fabric the first time a device gets as far as being issued a
 * certificate (saved before the device is told to complete). `options` may be NULL for the
 * defaults; it is copied. One commissioning at a time per commissioner.
 *
 * REGULATORY is skipped for a device with neither a Wi-Fi or Thread interface nor a Time
 * Synchronization cluster.
 *
 * Over IP the device is on its operational network already: NETWORK is skipped unless
 * options->network_credentials are given, and CASE is tried first at the address PASE used
 * (the same device, on the same network, a moment later), falling back to the node's
 * operational DNS-SD record only if nothing answers there.
 *
 * Over Bluetooth LE, NETWORK gives a device with a Wi-Fi or Thread interface its network
 * (ScanNetworks when no credentials were given, ::network-credentials-needed,
 * AddOrUpdateWiFiNetwork or AddOrUpdateThreadNetwork, the fail-safe re-armed, ConnectNetwork),
 * OPERATIONAL_DISCOVERY finds the node's operational DNS-SD record and CASE runs over IP. A
 * device that cannot keep both connections (SupportsConcurrentConnection false) drops the
 * Bluetooth link when it joins: everything else it needs the link for is done before, and no
 * answer to ConnectNetwork is waited for. A network the device could not join is
 * TH_ERROR_NETWORK_NOT_FOUND, TH_ERROR_NETWORK_AUTH_FAILED or TH_ERROR_NETWORK_FAILED.
 *
 * Once the fail-safe is armed, a failure or a cancellation disarms it (ArmFailSafe with 0,
 * within options->cleanup_timeout_ms) so the device rolls back and can be commissioned again
 * at once. Nothing is written to the store unless the whole flow succeeds. Cancellation
 * works at every stage until the device has completed commissioning, after which the node is
 * saved regardless, as the device cannot be made to forget it. Sessions are closed at the
 * end either way. */
void            th_commissioner_commission_async   (ThCommissioner               *self,
                                                    const ThSetupPayload         *payload,
                                                    const ThCommissioningOptions *options,
                                                    GCancellable                 *cancellable,
                                                    GAsyncReadyCallback           callback,
                                                    gpointer                      user_data);
/* The node as saved. Errors keep the domain and code of their cause (TH_ERROR_PASE_*,
 * TH_ERROR_DNSSD_*, TH_ERROR_TIMED_OUT..., TH_ERROR_ATTESTATION_REFUSED when the device was
 * refused, G_IO_ERROR_CANCELLED) and their message names the stage: "Adding the device
 * failed while checking that it is genuine: ...". */
ThStoredNode   *th_commissioner_commission_finish  (ThCommissioner               *self,
                                                    GAsyncResult                 *result,
                                                    GError                      **error);

/* Answers ::attestation-failed: TRUE adds the device anyway, FALSE refuses it. Ignored when
 * no answer is awaited. */
void            th_commissioner_resolve_attestation (ThCommissioner  *self,
                                                     gboolean         proceed);
/* Answers ::network-credentials-needed; NULL when the person cancelled, which stops the
 * commissioning. Copied. Ignored when no answer is awaited. */
void            th_commissioner_provide_network_credentials (
                                                    ThCommissioner             *self,
                                                    const ThNetworkCredentials *credentials);
/* The attestation result of the current or last commissioning (borrowed), or NULL before
 * attestation. */
ThAttestationResult *th_commissioner_get_attestation_result (ThCommissioner *self);
/* The stage the last commissioning failed in; FALSE when it did not fail. */
gboolean        th_commissioner_get_failed_stage   (ThCommissioner               *self,
                                                    ThCommissioningStage         *stage);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThCommissioningOptions, th_commissioning_options_free)

G_END_DECLS
