/* test-pase-udp.c: PASE between a commissioner and an in-process device over UDP on
 * 127.0.0.1, through the message layer, then traffic over the new secure session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "crypto/th-spake2p.h"
#include "messaging/th-exchange-manager.h"
#include "messaging/th-udp-transport.h"
#include "secure-channel/th-pase-responder.h"
#include "secure-channel/th-pase.h"
#include "secure-channel/th-status-report.h"
#include "th-error.h"
#include "th-test-fast-clock.h"
#include "th-test-utils.h"

#define DEVICE_PASSCODE 20202021
/* What the device answers over the secure session: any protocol will do. */
#define ECHO_PROTOCOL TH_PROTOCOL_INTERACTION_MODEL

/* The commissioner's clock runs this many times faster than the device's, so that waiting
 * out PASE's generous response time takes a moment. */
#define SPEEDUP 20

/* The device: a PASE responder behind its own exchange manager and UDP socket. */
typedef enum
{
  DEVICE_NORMAL,
  DEVICE_BUSY,                /* answers the request with BUSY */
  DEVICE_SILENT_AT_PAKE1,     /* acknowledges Pake1 and never answers it */
  DEVICE_DEAF,                /* no PASE at all: requests are acknowledged and dropped */
} DeviceBehaviour;

typedef struct
{
  DeviceBehaviour behaviour;
  ThUdpTransport *udp;
  ThExchangeManager *manager;
  GSocketAddress *address;
  ThPbkdfParameters pbkdf;
  guint8 verifier[TH_SPAKE2P_VERIFIER_LEN];
  ThPaseResponder *responder;
  guint16 session_id;
  ThSession *session;         /* the PASE session, once established */
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

/* Takes the reference to `exchange`. */
static void
device_handle (TestDevice *device,
               ThExchange *exchange,
               ThMessage  *message)
{
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint8 reply_opcode = 0;
  ThPaseResult outcome;

  if (device->behaviour == DEVICE_SILENT_AT_PAKE1 &&
      message->protocol.opcode == TH_SECURE_CHANNEL_PASE_PAKE1)
    {
      th_exchange_close (exchange);
      g_object_unref (exchange);
      device_finish (device, NULL);
      return;
    }

  outcome = th_pase_responder_process (device->responder, message->protocol.opcode,
                                       message->payload, &reply_opcode, &reply, &error);
  switch (outcome)
    {
    case TH_PASE_CONTINUE:
      th_exchange_request_async (exchange, reply_opcode, reply, NULL, on_device_message, device);
      return;

    case TH_PASE_ESTABLISHED:
      {
        ThSecureSessionConfig config = { 0 };
        ThSessionKeys keys;
        ThSessionParameters commissioner;
        ThMrpParameters commissioner_mrp;

        th_pase_responder_get_session_keys (device->responder, &keys);
        g_assert_true (th_pase_responder_get_peer_parameters (device->responder,
                                                              &commissioner));
        th_session_parameters_get_mrp (&commissioner, &commissioner_mrp);
        config.kind = TH_SESSION_KIND_PASE;
        config.peer_address = th_session_get_peer_address (th_exchange_get_session (exchange));
        config.local_session_id = device->session_id;
        config.peer_session_id = th_pase_responder_get_peer_session_id (device->responder);
        config.is_initiator = FALSE;
        config.keys = &keys;
        config.peer_mrp_parameters = &commissioner_mrp;
        /* In place before the status report goes: the commissioner may use it at once. */
        device->session = th_exchange_manager_add_secure_session (device->manager, &config,
                                                                  &error);
        th_session_keys_clear (&keys);
        g_assert_no_error (error);
        th_exchange_send_async (exchange, reply_opcode, reply, NULL, on_device_sent_last, NULL);
        device_finish (device, NULL);
        return;
      }

    case TH_PASE_FAILED:
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
on_device_pase (ThExchange *exchange,
                ThMessage  *message,
                gpointer    user_data)
{
  TestDevice *device = user_data;
  g_autoptr(GError) error = NULL;
  ThSessionParameters parameters;

  if (device->behaviour == DEVICE_BUSY)
    {
      g_autoptr(GBytes) busy = th_status_report_encode_busy (1500);

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
  device->responder = th_pase_responder_new (device->verifier, &device->pbkdf,
                                             device->session_id, &parameters, &error);
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

/* Only the PASE session's keys can have opened the request. */
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
             DeviceBehaviour  behaviour)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_from_string ("127.0.0.1");
  g_autoptr(GError) error = NULL;
  const ThMrpParameters device_mrp = { 1200, 250, 4000 };

  memset (device, 0, sizeof *device);
  device->behaviour = behaviour;
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
                                              on_device_pase, device, NULL);
  th_exchange_manager_set_protocol_handler (device->manager, ECHO_PROTOCOL, on_device_echo,
                                            device, NULL);
  device->address = loopback_address (device->udp);

  device->pbkdf.iterations = 1000;
  device->pbkdf.salt_len = 16;
  memcpy (device->pbkdf.salt, "SPAKE2P Key Salt", 16);
  g_assert_true (th_spake2p_compute_verifier (DEVICE_PASSCODE, device->pbkdf.salt,
                                              device->pbkdf.salt_len, device->pbkdf.iterations,
                                              device->verifier, &error));
  g_assert_no_error (error);
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
  g_clear_pointer (&device->responder, th_pase_responder_free);
  g_clear_error (&device->error);
}

/* The commissioner: an exchange manager on its own socket. */
typedef struct
{
  ThExchangeManager *manager;
  GAsyncResult *result;
} Commissioner;

static void
commissioner_init (Commissioner *commissioner,
                   ThClock      *clock)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_from_string ("127.0.0.1");
  g_autoptr(ThUdpTransport) udp = NULL;
  g_autoptr(GError) error = NULL;

  memset (commissioner, 0, sizeof *commissioner);
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
establish (Commissioner       *commissioner,
           TestDevice         *device,
           guint32             passcode,
           GCancellable       *cancellable,
           GError            **error)
{
  g_autoptr(ThSession) unsecured = NULL;

  unsecured = th_exchange_manager_open_unsecured_session (commissioner->manager,
                                                          device->address, error);
  g_assert_nonnull (unsecured);
  th_pase_establish_async (commissioner->manager, unsecured, passcode, NULL, cancellable,
                           on_result, commissioner);
  wait_for ((gpointer *) &commissioner->result);
  return th_pase_establish_finish (commissioner->manager,
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

static void
test_success (void)
{
  Commissioner commissioner;
  TestDevice device;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThSession) session = NULL;
  g_autoptr(ThExchange) exchange = NULL;
  g_autoptr(ThMessage) response = NULL;
  g_autoptr(GBytes) ping = g_bytes_new_static ("ping", 4);
  const ThMrpParameters *seen;
  guint guard;

  if (!device_init (&device, DEVICE_NORMAL))
    return;
  commissioner_init (&commissioner, NULL);

  session = establish (&commissioner, &device, DEVICE_PASSCODE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_assert_true (device.finished);
  g_assert_no_error (device.error);

  g_assert_true (th_session_is_secure (session));
  g_assert_cmpint (th_session_get_kind (session), ==, TH_SESSION_KIND_PASE);
  g_assert_true (th_session_is_initiator (session));
  g_assert_cmpuint (th_session_get_local_session_id (session), !=, 0);
  g_assert_cmpuint (th_session_get_peer_session_id (session), ==, device.session_id);
  g_assert_cmpuint (th_session_get_local_session_id (device.session), ==, device.session_id);
  g_assert_cmpuint (th_session_get_peer_session_id (device.session), ==,
                    th_session_get_local_session_id (session));
  g_assert_cmpmem (th_session_get_attestation_challenge (session), TH_SESSION_KEY_LEN,
                   th_session_get_attestation_challenge (device.session), TH_SESSION_KEY_LEN);
  /* The device's SII, SAI and SAT came with its PBKDFParamResponse. */
  seen = th_session_get_peer_mrp_parameters (session);
  g_assert_cmpuint (seen->idle_interval_ms, ==, 1200);
  g_assert_cmpuint (seen->active_interval_ms, ==, 250);
  g_assert_cmpuint (seen->active_threshold_ms, ==, 4000);

  /* Encrypted both ways with the PASE keys. */
  exchange = th_exchange_manager_initiate (commissioner.manager, session, ECHO_PROTOCOL);
  th_exchange_request_async (exchange, TH_IM_READ_REQUEST, ping, NULL, on_echo, &response);
  wait_for ((gpointer *) &response);
  g_assert_cmpuint (response->header.session_id, ==, th_session_get_local_session_id (session));
  g_assert_cmpuint (response->protocol.opcode, ==, TH_IM_REPORT_DATA);
  g_assert_cmpmem (g_bytes_get_data (response->payload, NULL),
                   g_bytes_get_size (response->payload), "echo ping", 9);
  g_assert_cmpuint (device.echoes, ==, 1);

  /* Closing the exchange acknowledges the echo, which ends the device's side. */
  th_exchange_close (exchange);
  guard = g_timeout_add_seconds (20, on_too_long, NULL);
  while (device.echoes_acknowledged < 1)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);

  commissioner_clear (&commissioner);
  device_clear (&device);
}

static void
test_wrong_passcode (void)
{
  Commissioner commissioner;
  TestDevice device;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThSession) session = NULL;

  if (!device_init (&device, DEVICE_NORMAL))
    return;
  commissioner_init (&commissioner, NULL);

  session = establish (&commissioner, &device, DEVICE_PASSCODE + 1, NULL, &error);
  g_assert_null (session);
  g_assert_error (error, TH_ERROR, TH_ERROR_PASE_WRONG_PASSCODE);
  g_assert_cmpstr (error->message, ==, "The passcode does not match this device.");

  /* The commissioner's status report reaches the device. */
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
  Commissioner commissioner;
  TestDevice device;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThSession) session = NULL;

  if (!device_init (&device, DEVICE_BUSY))
    return;
  commissioner_init (&commissioner, NULL);

  session = establish (&commissioner, &device, DEVICE_PASSCODE, NULL, &error);
  g_assert_null (session);
  g_assert_error (error, TH_ERROR, TH_ERROR_BUSY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "try again in 2 seconds"));

  commissioner_clear (&commissioner);
  device_clear (&device);
}

/* A device that stops answering: the error names the step. */
static void
run_timeout (DeviceBehaviour  behaviour,
             const char      *step)
{
  g_autoptr(ThClock) clock = th_test_fast_clock_new (SPEEDUP);
  Commissioner commissioner;
  TestDevice device;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThSession) session = NULL;

  if (!device_init (&device, behaviour))
    return;
  commissioner_init (&commissioner, clock);

  session = establish (&commissioner, &device, DEVICE_PASSCODE, NULL, &error);
  g_assert_null (session);
  g_assert_error (error, TH_ERROR, TH_ERROR_TIMED_OUT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, step));

  commissioner_clear (&commissioner);
  device_clear (&device);
}

static void
test_timeout_pbkdf (void)
{
  run_timeout (DEVICE_DEAF, "step 1 of 3, waiting for the device's PBKDFParamResponse");
}

static void
test_timeout_pake2 (void)
{
  run_timeout (DEVICE_SILENT_AT_PAKE1, "step 2 of 3, waiting for the device's Pake2");
}

static void
test_cancel (void)
{
  Commissioner commissioner;
  TestDevice device;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ThSession) session = NULL;

  if (!device_init (&device, DEVICE_SILENT_AT_PAKE1))
    return;
  commissioner_init (&commissioner, NULL);

  /* Cancelled while it waits for a Pake2 that will never come. */
  device.cancel_when_finished = cancellable;
  session = establish (&commissioner, &device, DEVICE_PASSCODE, cancellable, &error);
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

  g_test_add_func ("/pase-udp/success", test_success);
  g_test_add_func ("/pase-udp/wrong-passcode", test_wrong_passcode);
  g_test_add_func ("/pase-udp/busy", test_busy);
  g_test_add_func ("/pase-udp/timeout/pbkdf-param-response", test_timeout_pbkdf);
  g_test_add_func ("/pase-udp/timeout/pake2", test_timeout_pake2);
  g_test_add_func ("/pase-udp/cancel", test_cancel);

  return g_test_run ();
}
