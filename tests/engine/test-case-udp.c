/* test-case-udp.c: CASE between a commissioner and an in-process device over UDP on
 * 127.0.0.1, through the message layer, then traffic over the new secure session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "credentials/th-fabric.h"
#include "messaging/th-exchange-manager.h"
#include "messaging/th-udp-transport.h"
#include "secure-channel/th-case-responder.h"
#include "secure-channel/th-case.h"
#include "secure-channel/th-status-report.h"
#include "th-error.h"
#include "th-test-fast-clock.h"
#include "th-test-utils.h"

#define FABRIC_ID           G_GUINT64_CONSTANT (0x00000000CAFE0001)
#define COMMISSIONER_NODE   G_GUINT64_CONSTANT (0x000000000001B669)
#define DEVICE_NODE         G_GUINT64_CONSTANT (0x0000000000000042)
#define OTHER_NODE          G_GUINT64_CONSTANT (0x0000000000000043)
/* What the device answers over the secure session: any protocol will do. */
#define ECHO_PROTOCOL TH_PROTOCOL_INTERACTION_MODEL
/* The commissioner's clock runs this many times faster than the device's, so that waiting
 * out CASE's generous response time takes a moment. */
#define SPEEDUP 20

static ThFabric *
new_fabric (ThFabricFlags flags)
{
  g_autoptr(GError) error = NULL;
  ThFabric *fabric = th_fabric_new (FABRIC_ID, flags, &error);

  g_assert_no_error (error);
  return fabric;
}

static ThCaseIdentity *
new_identity (ThFabric *fabric,
              guint64   node_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThP256Key) key = th_p256_key_generate (&error);
  g_autoptr(ThCertificate) noc = NULL;
  g_autoptr(GBytes) noc_tlv = NULL;
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];
  ThCaseIdentity *identity;

  g_assert_no_error (error);
  th_p256_key_get_public (key, public_key);
  noc = th_fabric_issue_noc (fabric, public_key, node_id, NULL, 0, &error);
  g_assert_no_error (error);
  noc_tlv = th_certificate_encode_tlv (noc, &error);
  g_assert_no_error (error);
  identity = th_case_identity_new_for_fabric (fabric, noc_tlv, key, &error);
  g_assert_no_error (error);
  return identity;
}

/* The fabric's root key and IPK behind another root certificate (another matter-rcac-id):
 * a device there is found by Sigma1 but its NOC does not chain to our root. */
static ThFabric *
new_fabric_reissued_root (ThFabric *fabric)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThCertificate) rcac = th_certificate_copy (th_fabric_get_root_certificate (fabric));
  g_autoptr(GBytes) rcac_tlv = NULL;
  ThFabric *reissued;

  for (guint i = 0; i < rcac->subject.n_attributes; i++)
    if (rcac->subject.attributes[i].type == TH_DN_MATTER_RCAC_ID)
      rcac->subject.attributes[i].value ^= 1;
  th_dn_copy (&rcac->issuer, &rcac->subject);
  g_assert_true (th_certificate_sign (rcac, th_fabric_get_root_key (fabric), &error));
  rcac_tlv = th_certificate_encode_tlv (rcac, &error);
  g_assert_no_error (error);
  reissued = th_fabric_new_from_credentials (FABRIC_ID, th_fabric_get_root_key (fabric),
                                             rcac_tlv, NULL, NULL,
                                             th_fabric_get_ipk_epoch_key (fabric), &error);
  g_assert_no_error (error);
  return reissued;
}

/* The device: a CASE responder behind its own exchange manager and UDP socket. */
typedef enum
{
  DEVICE_NORMAL,
  DEVICE_BUSY,                /* answers Sigma1 with BUSY */
  DEVICE_SILENT_AT_SIGMA3,    /* acknowledges Sigma3 and never answers it */
  DEVICE_DEAF,                /* no CASE at all: Sigma1 is acknowledged and dropped */
} DeviceBehaviour;

typedef struct
{
  DeviceBehaviour behaviour;
  ThUdpTransport *udp;
  ThExchangeManager *manager;
  GSocketAddress *address;
  ThCaseIdentity *identity;
  ThCaseResponder *responder;
  guint16 session_id;
  ThSession *session;         /* the CASE session, once established */
  GError *error;              /* why the handshake failed on this side */
  gboolean finished;
  GCancellable *cancel_when_finished;
  guint echoes;
  guint echoes_acknowledged;
} TestDevice;

static void device_handle (TestDevice *device,
                           ThExchange *exchange,
                           ThMessage  *message);

static void
device_finish (TestDevice *device,
               GError     *error)
{
  if (error != NULL)
    g_test_message ("device: %s", error->message);
  g_assert_null (device->error);
  device->error = error;
  device->finished = TRUE;
  if (device->cancel_when_finished != NULL)
    g_cancellable_cancel (device->cancel_when_finished);
}

static void
on_device_sent_last (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  /* Acknowledged, or given up by MRP: the handshake is over either way. */
  th_exchange_send_finish (TH_EXCHANGE (source), result, NULL);
  th_exchange_close (TH_EXCHANGE (source));
  g_object_unref (source);
}

static void
on_device_message (GObject      *source,
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
      device_finish (device, g_steal_pointer (&error));
      return;
    }
  device_handle (device, g_steal_pointer (&exchange), message);
}

static void
device_establish (TestDevice *device,
                  ThExchange *exchange)
{
  g_autoptr(GError) error = NULL;
  ThSecureSessionConfig config = { 0 };
  ThSessionParameters commissioner;
  ThMrpParameters commissioner_mrp;
  ThSessionKeys keys;

  th_case_responder_get_session_keys (device->responder, &keys);
  g_assert_true (th_case_responder_get_peer_parameters (device->responder, &commissioner));
  th_session_parameters_get_mrp (&commissioner, &commissioner_mrp);
  config.kind = TH_SESSION_KIND_CASE;
  config.peer_address = th_session_get_peer_address (th_exchange_get_session (exchange));
  config.local_session_id = device->session_id;
  config.peer_session_id = th_case_responder_get_peer_session_id (device->responder);
  config.is_initiator = FALSE;
  config.local_node_id = th_case_identity_get_node_id (device->identity);
  config.peer_node_id = th_case_responder_get_peer_node_id (device->responder);
  config.keys = &keys;
  config.peer_mrp_parameters = &commissioner_mrp;
  /* In place before the status report goes: the commissioner may use it at once. */
  device->session = th_exchange_manager_add_secure_session (device->manager, &config, &error);
  th_session_keys_clear (&keys);
  g_assert_no_error (error);
}

/* Takes the reference to `exchange`. */
static void
device_handle (TestDevice *device,
               ThExchange *exchange,
               ThMessage  *message)
{
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint8 reply_opcode = 0;

  if (device->behaviour == DEVICE_SILENT_AT_SIGMA3 &&
      message->protocol.opcode == TH_SECURE_CHANNEL_CASE_SIGMA3)
    {
      th_exchange_close (exchange);
      g_object_unref (exchange);
      device_finish (device, NULL);
      return;
    }

  switch (th_case_responder_process (device->responder, message->protocol.opcode,
                                     message->payload, &reply_opcode, &reply, &error))
    {
    case TH_CASE_CONTINUE:
      th_exchange_request_async (exchange, reply_opcode, reply, NULL, on_device_message, device);
      return;

    case TH_CASE_ESTABLISHED:
      device_establish (device, exchange);
      th_exchange_send_async (exchange, reply_opcode, reply, NULL, on_device_sent_last, NULL);
      device_finish (device, NULL);
      return;

    case TH_CASE_FAILED:
    default:
      if (reply != NULL)
        th_exchange_send_async (exchange, reply_opcode, reply, NULL, on_device_sent_last, NULL);
      else
        {
          th_exchange_close (exchange);
          g_object_unref (exchange);
        }
      device_finish (device, g_steal_pointer (&error));
      return;
    }
}

static void
on_device_case (ThExchange *exchange,
                ThMessage  *message,
                gpointer    user_data)
{
  TestDevice *device = user_data;
  g_autoptr(GError) error = NULL;
  ThSessionParameters parameters;

  if (device->behaviour == DEVICE_BUSY)
    {
      g_autoptr(GBytes) busy = th_status_report_encode_busy (2500);

      th_exchange_send_async (g_object_ref (exchange), TH_SECURE_CHANNEL_STATUS_REPORT, busy,
                              NULL, on_device_sent_last, NULL);
      device_finish (device, NULL);
      return;
    }

  g_assert_null (device->responder);
  g_assert_true (th_exchange_manager_allocate_session_id (device->manager, &device->session_id,
                                                          &error));
  th_session_parameters_init_from_mrp (&parameters,
                                       th_exchange_manager_get_local_mrp_parameters (
                                         device->manager));
  device->responder = th_case_responder_new (device->identity, device->session_id,
                                             &parameters, &error);
  g_assert_no_error (error);
  device_handle (device, g_object_ref (exchange), message);
}

static void
on_echo_sent (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  TestDevice *device = user_data;
  g_autoptr(GError) error = NULL;

  th_exchange_send_finish (TH_EXCHANGE (source), result, &error);
  g_assert_no_error (error);
  th_exchange_close (TH_EXCHANGE (source));
  g_object_unref (source);
  device->echoes_acknowledged++;
}

/* Only the CASE session's keys and node ids can have opened the request. */
static void
on_device_echo (ThExchange *exchange,
                ThMessage  *message,
                gpointer    user_data)
{
  TestDevice *device = user_data;
  gsize len;
  const char *data = g_bytes_get_data (message->payload, &len);
  g_autofree char *text = g_strdup_printf ("echo %.*s", (int) len, data);
  g_autoptr(GBytes) echo = g_bytes_new (text, strlen (text));

  g_assert_true (th_exchange_get_session (exchange) == device->session);
  g_assert_cmpuint (message->header.session_id, ==, device->session_id);
  device->echoes++;
  th_exchange_send_async (g_object_ref (exchange), TH_IM_REPORT_DATA, echo, NULL, on_echo_sent,
                          device);
}

static GSocketAddress *
loopback_address (ThUdpTransport *udp)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("127.0.0.1:%u",
                                           th_udp_transport_get_port (udp,
                                                                      G_SOCKET_FAMILY_IPV4));
  GSocketAddress *address = th_udp_address_parse (text, TH_MATTER_UDP_PORT, &error);

  g_assert_no_error (error);
  return address;
}

/* FALSE (the test skipped) when this host has no IPv4 loopback. */
static gboolean
device_init (TestDevice      *device,
             DeviceBehaviour  behaviour,
             ThCaseIdentity  *identity)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_from_string ("127.0.0.1");
  g_autoptr(GError) error = NULL;
  const ThMrpParameters device_mrp = { 1200, 250, 4000 };

  memset (device, 0, sizeof *device);
  device->behaviour = behaviour;
  device->identity = th_case_identity_ref (identity);
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
  th_exchange_manager_set_local_mrp_parameters (device->manager, &device_mrp);
  if (behaviour != DEVICE_DEAF)
    th_exchange_manager_set_protocol_handler (device->manager, TH_PROTOCOL_SECURE_CHANNEL,
                                              on_device_case, device, NULL);
  th_exchange_manager_set_protocol_handler (device->manager, ECHO_PROTOCOL, on_device_echo,
                                            device, NULL);
  device->address = loopback_address (device->udp);
  return TRUE;
}

static void
device_clear (TestDevice *device)
{
  if (device->manager != NULL)
    th_exchange_manager_close (device->manager);
  g_clear_object (&device->session);
  g_clear_object (&device->manager);
  g_clear_object (&device->udp);
  g_clear_object (&device->address);
  g_clear_pointer (&device->responder, th_case_responder_free);
  g_clear_pointer (&device->identity, th_case_identity_unref);
  g_clear_error (&device->error);
}

/* The commissioner: an exchange manager on its own socket, and its identity on the fabric. */
typedef struct
{
  ThExchangeManager *manager;
  ThCaseIdentity *identity;
  GAsyncResult *result;
} Commissioner;

static void
commissioner_init (Commissioner   *commissioner,
                   ThCaseIdentity *identity,
                   ThClock        *clock)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_from_string ("127.0.0.1");
  g_autoptr(ThUdpTransport) udp = NULL;
  g_autoptr(GError) error = NULL;

  memset (commissioner, 0, sizeof *commissioner);
  commissioner->identity = th_case_identity_ref (identity);
  udp = th_udp_transport_new (loopback, 0, &error);
  g_assert_no_error (error);
  commissioner->manager = th_exchange_manager_new (TH_TRANSPORT (udp), clock, &error);
  g_assert_no_error (error);
}

static void
commissioner_clear (Commissioner *commissioner)
{
  g_clear_object (&commissioner->result);
  if (commissioner->manager != NULL)
    th_exchange_manager_close (commissioner->manager);
  g_clear_object (&commissioner->manager);
  g_clear_pointer (&commissioner->identity, th_case_identity_unref);
}

static void
on_result (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Commissioner *commissioner = user_data;

  commissioner->result = g_object_ref (result);
}

static gboolean
on_too_long (gpointer user_data)
{
  g_error ("The test over UDP did not finish within 20 s");
  return G_SOURCE_REMOVE;
}

/* Runs the main context until `*slot` is set, at most 20 s. */
static void
wait_for (gpointer *slot)
{
  guint guard = g_timeout_add_seconds (20, on_too_long, NULL);

  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
}

static ThSession *
establish (Commissioner  *commissioner,
           TestDevice    *device,
           guint64        node_id,
           GCancellable  *cancellable,
           GError       **error)
{
  th_case_establish_async (commissioner->manager, device->address, NULL,
                           commissioner->identity, node_id, cancellable, on_result,
                           commissioner);
  wait_for ((gpointer *) &commissioner->result);
  return th_case_establish_finish (commissioner->manager,
                                   g_steal_pointer (&commissioner->result), error);
}

static void
on_echo (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ThMessage **response = user_data;
  g_autoptr(GError) error = NULL;

  *response = th_exchange_request_finish (TH_EXCHANGE (source), result, &error);
  g_assert_no_error (error);
}

/* A request over the session and the device's answer, both encrypted with the CASE keys. */
static void
exchange_echo (Commissioner *commissioner,
               TestDevice   *device,
               ThSession    *session,
               guint         n)
{
  g_autoptr(ThExchange) exchange = NULL;
  g_autoptr(ThMessage) response = NULL;
  g_autoptr(GBytes) ping = g_bytes_new_static ("ping", 4);
  guint guard;

  exchange = th_exchange_manager_initiate (commissioner->manager, session, ECHO_PROTOCOL);
  th_exchange_request_async (exchange, TH_IM_READ_REQUEST, ping, NULL, on_echo, &response);
  wait_for ((gpointer *) &response);
  g_assert_cmpuint (response->header.session_id, ==, th_session_get_local_session_id (session));
  g_assert_cmpuint (response->protocol.opcode, ==, TH_IM_REPORT_DATA);
  g_assert_cmpmem (g_bytes_get_data (response->payload, NULL),
                   g_bytes_get_size (response->payload), "echo ping", 9);
  g_assert_cmpuint (device->echoes, ==, n);

  /* Closing the exchange acknowledges the echo, which ends the device's side. */
  th_exchange_close (exchange);
  guard = g_timeout_add_seconds (20, on_too_long, NULL);
  while (device->echoes_acknowledged < n)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
}

static void
run_success (ThFabricFlags flags)
{
  g_autoptr(ThFabric) fabric = new_fabric (flags);
  g_autoptr(ThCaseIdentity) ours = new_identity (fabric, COMMISSIONER_NODE);
  g_autoptr(ThCaseIdentity) theirs = new_identity (fabric, DEVICE_NODE);
  Commissioner commissioner;
  TestDevice device;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThSession) session = NULL;
  const ThMrpParameters *seen;

  if (!device_init (&device, DEVICE_NORMAL, theirs))
    return;
  commissioner_init (&commissioner, ours, NULL);

  session = establish (&commissioner, &device, DEVICE_NODE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_assert_true (device.finished);
  g_assert_no_error (device.error);

  g_assert_true (th_session_is_secure (session));
  g_assert_cmpint (th_session_get_kind (session), ==, TH_SESSION_KIND_CASE);
  g_assert_true (th_session_is_initiator (session));
  g_assert_cmpuint (th_session_get_local_node_id (session), ==, COMMISSIONER_NODE);
  g_assert_cmpuint (th_session_get_peer_node_id (session), ==, DEVICE_NODE);
  g_assert_cmpuint (th_session_get_local_node_id (device.session), ==, DEVICE_NODE);
  g_assert_cmpuint (th_session_get_peer_node_id (device.session), ==, COMMISSIONER_NODE);
  g_assert_cmpuint (th_session_get_peer_session_id (session), ==, device.session_id);
  g_assert_cmpuint (th_session_get_peer_session_id (device.session), ==,
                    th_session_get_local_session_id (session));
  g_assert_cmpmem (th_session_get_attestation_challenge (session), TH_SESSION_KEY_LEN,
                   th_session_get_attestation_challenge (device.session), TH_SESSION_KEY_LEN);
  /* The device's SII, SAI and SAT came with its Sigma2. */
  seen = th_session_get_peer_mrp_parameters (session);
  g_assert_cmpuint (seen->idle_interval_ms, ==, 1200);
  g_assert_cmpuint (seen->active_interval_ms, ==, 250);
  g_assert_cmpuint (seen->active_threshold_ms, ==, 4000);

  exchange_echo (&commissioner, &device, session, 1);
  exchange_echo (&commissioner, &device, session, 2);

  commissioner_clear (&commissioner);
  device_clear (&device);
}

static void
test_success (void)
{
  run_success (TH_FABRIC_FLAGS_NONE);
}

static void
test_success_with_icac (void)
{
  run_success (TH_FABRIC_WITH_INTERMEDIATE);
}

/* The device is not the node asked for: it says so, and we relay it. */
static void
test_no_shared_root (void)
{
  g_autoptr(ThFabric) fabric = new_fabric (TH_FABRIC_FLAGS_NONE);
  g_autoptr(ThCaseIdentity) ours = new_identity (fabric, COMMISSIONER_NODE);
  g_autoptr(ThCaseIdentity) theirs = new_identity (fabric, DEVICE_NODE);
  Commissioner commissioner;
  TestDevice device;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThSession) session = NULL;

  if (!device_init (&device, DEVICE_NORMAL, theirs))
    return;
  commissioner_init (&commissioner, ours, NULL);

  session = establish (&commissioner, &device, OTHER_NODE, NULL, &error);
  g_assert_null (session);
  g_assert_error (error, TH_ERROR, TH_ERROR_CASE_NO_SHARED_ROOT);
  g_assert_cmpstr (error->message, ==, "The device does not know this home's fabric: it may "
                                       "have been reset or removed from this home. Add it "
                                       "again.");
  wait_for ((gpointer *) &device.error);
  g_assert_error (device.error, TH_ERROR, TH_ERROR_CASE_NO_SHARED_ROOT);
  g_assert_null (device.session);

  commissioner_clear (&commissioner);
  device_clear (&device);
}

/* The device's NOC does not chain to our root: we refuse it and tell it why. */
static void
test_wrong_root (void)
{
  g_autoptr(ThFabric) fabric = new_fabric (TH_FABRIC_FLAGS_NONE);
  g_autoptr(ThFabric) reissued = new_fabric_reissued_root (fabric);
  g_autoptr(ThCaseIdentity) ours = new_identity (fabric, COMMISSIONER_NODE);
  g_autoptr(ThCaseIdentity) theirs = new_identity (reissued, DEVICE_NODE);
  Commissioner commissioner;
  TestDevice device;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThSession) session = NULL;

  if (!device_init (&device, DEVICE_NORMAL, theirs))
    return;
  commissioner_init (&commissioner, ours, NULL);

  session = establish (&commissioner, &device, DEVICE_NODE, NULL, &error);
  g_assert_null (session);
  g_assert_error (error, TH_ERROR, TH_ERROR_CASE_WRONG_FABRIC);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message,
                                   "The device does not belong to this home's fabric"));

  /* Our status report reaches the device after the handshake has returned. */
  wait_for ((gpointer *) &device.error);
  g_assert_error (device.error, TH_ERROR, TH_ERROR_STATUS_REPORT);
  g_assert_nonnull (strstr (device.error->message, "protocol code 0x0002"));
  g_assert_null (device.session);

  commissioner_clear (&commissioner);
  device_clear (&device);
}

static void
test_busy (void)
{
  g_autoptr(ThFabric) fabric = new_fabric (TH_FABRIC_FLAGS_NONE);
  g_autoptr(ThCaseIdentity) ours = new_identity (fabric, COMMISSIONER_NODE);
  g_autoptr(ThCaseIdentity) theirs = new_identity (fabric, DEVICE_NODE);
  Commissioner commissioner;
  TestDevice device;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThSession) session = NULL;

  if (!device_init (&device, DEVICE_BUSY, theirs))
    return;
  commissioner_init (&commissioner, ours, NULL);

  session = establish (&commissioner, &device, DEVICE_NODE, NULL, &error);
  g_assert_null (session);
  g_assert_error (error, TH_ERROR, TH_ERROR_BUSY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "try again in 3 seconds"));

  commissioner_clear (&commissioner);
  device_clear (&device);
}

/* A device that stops answering: the error names the step. */
static void
run_timeout (DeviceBehaviour  behaviour,
             const char      *step)
{
  g_autoptr(ThClock) clock = th_test_fast_clock_new (SPEEDUP);
  g_autoptr(ThFabric) fabric = new_fabric (TH_FABRIC_FLAGS_NONE);
  g_autoptr(ThCaseIdentity) ours = new_identity (fabric, COMMISSIONER_NODE);
  g_autoptr(ThCaseIdentity) theirs = new_identity (fabric, DEVICE_NODE);
  Commissioner commissioner;
  TestDevice device;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThSession) session = NULL;

  if (!device_init (&device, behaviour, theirs))
    return;
  commissioner_init (&commissioner, ours, clock);

  session = establish (&commissioner, &device, DEVICE_NODE, NULL, &error);
  g_assert_null (session);
  g_assert_error (error, TH_ERROR, TH_ERROR_TIMED_OUT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, step));

  commissioner_clear (&commissioner);
  device_clear (&device);
}

static void
test_timeout_sigma2 (void)
{
  run_timeout (DEVICE_DEAF, "step 1 of 2, waiting for the device's Sigma2");
}

static void
test_timeout_status_report (void)
{
  run_timeout (DEVICE_SILENT_AT_SIGMA3, "step 2 of 2, waiting for the device's StatusReport");
}

static void
test_cancel (void)
{
  g_autoptr(ThFabric) fabric = new_fabric (TH_FABRIC_FLAGS_NONE);
  g_autoptr(ThCaseIdentity) ours = new_identity (fabric, COMMISSIONER_NODE);
  g_autoptr(ThCaseIdentity) theirs = new_identity (fabric, DEVICE_NODE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Commissioner commissioner;
  TestDevice device;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThSession) session = NULL;

  if (!device_init (&device, DEVICE_SILENT_AT_SIGMA3, theirs))
    return;
  commissioner_init (&commissioner, ours, NULL);

  /* Cancelled while it waits for a status report that will never come. */
  device.cancel_when_finished = cancellable;
  session = establish (&commissioner, &device, DEVICE_NODE, cancellable, &error);
  g_assert_null (session);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (device.finished);

  commissioner_clear (&commissioner);
  device_clear (&device);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/case-udp/success", test_success);
  g_test_add_func ("/case-udp/success-with-icac", test_success_with_icac);
  g_test_add_func ("/case-udp/no-shared-root", test_no_shared_root);
  g_test_add_func ("/case-udp/wrong-root", test_wrong_root);
  g_test_add_func ("/case-udp/busy", test_busy);
  g_test_add_func ("/case-udp/timeout/sigma2", test_timeout_sigma2);
  g_test_add_func ("/case-udp/timeout/status-report", test_timeout_status_report);
  g_test_add_func ("/case-udp/cancel", test_cancel);

  return g_test_run ();
}
