/* test-im-client.c: Interaction Model read, invoke and write against a scripted device, over
 * the in-memory transport and a secure session, on a test clock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "clusters/th-cluster-names.h"
#include "clusters/th-clusters.h"
#include "im/th-im-client.h"
#include "messaging/th-exchange-manager.h"
#include "th-error.h"
#include "th-test-clock.h"
#include "th-test-transport.h"
#include "th-test-utils.h"

/* What the device does with the message it receives at one step of its script. */
typedef enum
{
  REPLY_AND_WAIT,             /* answers and waits for the next message on the exchange */
  REPLY_LAST,                 /* answers and expects nothing more */
  NO_REPLY,                   /* acknowledges and stays silent */
} DeviceAction;

typedef struct
{
  guint8 expect_opcode;
  DeviceAction action;
  guint8 reply_opcode;
  const char *reply_hex;      /* the reply's payload; NULL with a status: see reply_status */
  guint8 reply_status;        /* a StatusResponse's status, when reply_hex is NULL */
} DeviceStep;

typedef struct
{
  ThTestClock *clock;
  ThTestTransport *ta;                  /* the controller */
  ThTestTransport *tb;                  /* the device */
  ThExchangeManager *a;
  ThExchangeManager *b;
  ThSession *session;                   /* the controller's secure session */
  ThSession *device_session;

  const DeviceStep *script;
  guint n_steps;
  guint next_step;
  GPtrArray *received;                  /* of GBytes: the payloads the device received */
  GPtrArray *exchanges;                 /* the device's exchanges, held until the end */
} Fixture;

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void device_step (Fixture    *f,
                         ThExchange *exchange,
                         ThMessage  *message);

static void
on_device_next (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThMessage) message = th_exchange_request_finish (TH_EXCHANGE (source), result,
                                                             &error);

  /* An exchange that ends with the test has nothing more to check. */
  if (g_error_matches (error, TH_ERROR, TH_ERROR_SESSION_CLOSED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_assert_no_error (error);
  device_step (f, TH_EXCHANGE (source), message);
}

static void
device_step (Fixture    *f,
             ThExchange *exchange,
             ThMessage  *message)
{
  const DeviceStep *step;
  g_autoptr(GBytes) reply = NULL;

  g_assert_cmpuint (f->next_step, <, f->n_steps);
  step = &f->script[f->next_step++];
  g_assert_cmpuint (message->protocol.protocol_id, ==, TH_IM_PROTOCOL_ID);
  g_assert_cmpuint (message->protocol.opcode, ==, step->expect_opcode);
  g_ptr_array_add (f->received, g_bytes_ref (message->payload));

  if (step->action == NO_REPLY)
    return;
  reply = step->reply_hex != NULL ? th_test_hex_to_bytes (step->reply_hex)
                                  : th_im_encode_status_response (step->reply_status);
  if (step->action == REPLY_AND_WAIT)
    th_exchange_request_async (exchange, step->reply_opcode, reply, NULL, on_device_next, f);
  else
    th_exchange_send_async (exchange, step->reply_opcode, reply, NULL, NULL, NULL);
}

static void
on_device_request (ThExchange *exchange,
                   ThMessage  *message,
                   gpointer    user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->exchanges, g_object_ref (exchange));
  device_step (f, exchange, message);
}

static GSocketAddress *
address (const char *ip)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (ip);

  return g_inet_socket_address_new (inet, 5540);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static const guint8 secret[] = "the secret a PASE handshake made";
  g_autoptr(GSocketAddress) address_a = address ("192.0.2.1");
  g_autoptr(GSocketAddress) address_b = address ("192.0.2.2");
  g_autoptr(GError) error = NULL;
  ThSecureSessionConfig config = { 0 };
  ThSessionKeys keys;
  guint16 id_a, id_b;

  f->clock = th_test_clock_new ();
  f->ta = th_test_transport_new (address_a, TH_CLOCK (f->clock), FALSE);
  f->tb = th_test_transport_new (address_b, TH_CLOCK (f->clock), FALSE);
  f->a = th_exchange_manager_new (TH_TRANSPORT (f->ta), TH_CLOCK (f->clock), &error);
  g_assert_no_error (error);
  f->b = th_exchange_manager_new (TH_TRANSPORT (f->tb), TH_CLOCK (f->clock), &error);
  g_assert_no_error (error);
  th_exchange_manager_set_protocol_handler (f->b, TH_IM_PROTOCOL_ID, on_device_request, f,
                                            NULL);
  f->received = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  f->exchanges = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert_true (th_session_keys_derive (secret, sizeof secret - 1, NULL, 0, &keys, &error));
  g_assert_true (th_exchange_manager_allocate_session_id (f->a, &id_a, &error));
  g_assert_true (th_exchange_manager_allocate_session_id (f->b, &id_b, &error));
  config.kind = TH_SESSION_KIND_PASE;
  config.keys = &keys;
  config.peer_address = th_test_transport_get_address (f->tb);
  config.local_session_id = id_a;
  config.peer_session_id = id_b;
  config.is_initiator = TRUE;
  f->session = th_exchange_manager_add_secure_session (f->a, &config, &error);
  g_assert_no_error (error);
  config.peer_address = th_test_transport_get_address (f->ta);
  config.local_session_id = id_b;
  config.peer_session_id = id_a;
  config.is_initiator = FALSE;
  f->device_session = th_exchange_manager_add_secure_session (f->b, &config, &error);
  g_assert_no_error (error);
  th_session_keys_clear (&keys);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  th_exchange_manager_close (f->a);
  th_exchange_manager_close (f->b);
  drain ();
  g_clear_pointer (&f->received, g_ptr_array_unref);
  g_clear_pointer (&f->exchanges, g_ptr_array_unref);
  g_assert_finalize_object (f->session);
  g_assert_finalize_object (f->device_session);
  g_assert_finalize_object (f->a);
  g_assert_finalize_object (f->b);
  g_assert_finalize_object (f->ta);
  g_assert_finalize_object (f->tb);
  g_assert_finalize_object (f->clock);
}

static void
set_script (Fixture          *f,
            const DeviceStep *script,
            guint             n_steps)
{
  f->script = script;
  f->n_steps = n_steps;
  f->next_step = 0;
}

/* Carries datagrams both ways until both sides fall silent. */
static void
pump (Fixture *f)
{
  guint moved;

  do
    {
      moved = th_test_transport_deliver (f->ta, f->tb);
      moved += th_test_transport_deliver (f->tb, f->ta);
      drain ();
    }
  while (moved > 0);
}

/* Lets time pass, with everything that is sent meanwhile delivered, until `result` is set. */
static void
pump_until (Fixture       *f,
            GAsyncResult **result)
{
  pump (f);
  while (*result == NULL)
    {
      g_assert_cmpint (th_test_clock_advance_to_next (f->clock), >=, 0);
      pump (f);
    }
}

static guint8
received_status (Fixture *f,
                 guint    index)
{
  g_autoptr(GError) error = NULL;
  guint8 status = 0xFF;

  g_assert_cmpuint (index, <, f->received->len);
  g_assert_true (th_im_status_response_decode (g_ptr_array_index (f->received, index),
                                               &status, &error));
  g_assert_no_error (error);
  return status;
}

static void
assert_received (Fixture *f,
                 guint    index,
                 GBytes  *expected)
{
  g_assert_cmpuint (index, <, f->received->len);
  g_assert_true (g_bytes_equal (g_ptr_array_index (f->received, index), expected));
}

/* A ServerList that does not fit one message: the first ReportData replaces the list and says
 * more follow; the second appends two items (ListIndex null), carries a status for PartsList,
 * and ends the read with SuppressResponse. */
static const char report_chunk_1[] =
  "15"
  "3601"                                    /* AttributeReports */
  "15" "3501"                               /*   AttributeReportIB, AttributeDataIB */
  "240003"                                  /*     DataVersion 3 */
  "3701" "240200" "24031d" "240401" "18"    /*     endpoint 0, Descriptor, ServerList */
  "3602" "041d" "0428" "18"                 /*     Data [0x1D, 0x28] */
  "18" "18"
  "18"
  "2903"                                    /* MoreChunkedMessages */
  "24ff0c"
  "18";
static const char report_chunk_2[] =
  "15"
  "3601"
  "15" "3501"
  "240003"
  "3701" "240200" "24031d" "240401" "3405" "18"  /* ListIndex null: append */
  "240230"                                       /* Data 0x30 */
  "18" "18"
  "15" "3500"                               /*   AttributeStatusIB */
  "3700" "240200" "24031d" "240403" "18"    /*     endpoint 0, Descriptor, PartsList */
  "3501" "240086" "18"                      /*     UNSUPPORTED_ATTRIBUTE */
  "18" "18"
  "15" "3501"
  "240003"
  "3701" "240200" "24031d" "240401" "3405" "18"
  "240231"                                       /* Data 0x31 */
  "18" "18"
  "18"
  "2904"                                    /* SuppressResponse */
  "24ff0c"
  "18";

static void
test_read_chunked (Fixture       *f,
                   gconstpointer  data)
{
  const DeviceStep script[] = {
    { TH_IM_OPCODE_READ_REQUEST, REPLY_AND_WAIT, TH_IM_OPCODE_REPORT_DATA, report_chunk_1 },
    { TH_IM_OPCODE_STATUS_RESPONSE, REPLY_LAST, TH_IM_OPCODE_REPORT_DATA, report_chunk_2 },
  };
  const ThImAttributePath paths[] = {
    TH_IM_ATTRIBUTE_PATH (0, TH_CLUSTER_DESCRIPTOR, TH_DESCRIPTOR_ATTR_SERVER_LIST),
    TH_IM_ATTRIBUTE_PATH (0, TH_CLUSTER_DESCRIPTOR, TH_DESCRIPTOR_ATTR_PARTS_LIST),
  };
  g_autoptr(GBytes) request = th_im_encode_read_request (paths, 2, NULL, 0, TRUE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ThImAttributeValues) values = NULL;
  g_autoptr(GArray) servers = NULL;
  g_autoptr(GArray) reported = NULL;
  g_autoptr(GError) error = NULL;
  guint n_sent;

  set_script (f, script, G_N_ELEMENTS (script));
  th_im_read_async (f->a, f->session, paths, G_N_ELEMENTS (paths), NULL, store_result,
                    &result);
  pump_until (f, &result);
  values = th_im_read_finish (f->a, result, &error);
  g_assert_no_error (error);

  /* The request as the codec makes it, then SUCCESS after the chunk that said more follow. */
  g_assert_cmpuint (f->next_step, ==, 2);
  assert_received (f, 0, request);
  g_assert_cmpuint (received_status (f, 1), ==, TH_IM_STATUS_SUCCESS);

  servers = th_im_attribute_values_get_uint_array (values, 0, TH_CLUSTER_DESCRIPTOR,
                                                   TH_DESCRIPTOR_ATTR_SERVER_LIST,
                                                   G_MAXUINT32, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (servers->len, ==, 4);
  g_assert_cmpuint (g_array_index (servers, guint32, 0), ==, 0x1D);
  g_assert_cmpuint (g_array_index (servers, guint32, 3), ==, 0x31);

  /* The status the device gave for PartsList is kept for that path. */
  reported = th_im_attribute_values_get_paths (values);
  g_assert_cmpuint (reported->len, ==, 2);
  g_assert_null (th_im_attribute_values_lookup (values, 0, TH_CLUSTER_DESCRIPTOR,
                                                TH_DESCRIPTOR_ATTR_PARTS_LIST, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_STATUS);
  g_assert_nonnull (strstr (error->message, "does not have this attribute"));

  /* SuppressResponse: nothing answers the last report but the acknowledgement. */
  n_sent = f->received->len;
  pump (f);
  g_assert_cmpuint (f->received->len, ==, n_sent);
}

/* VendorName, and a status for SerialNumber; no SuppressResponse, so the controller answers
 * the report with a StatusResponse. */
static const char report_vendor_name_and_status[] =
  "15"
  "3601"
  "15" "3501"
  "240001"
  "3701" "240200" "240328" "240401" "18"    /* endpoint 0, Basic Information, VendorName */
  "2c02" "04" "41636d65"                    /* "Acme" */
  "18" "18"
  "15" "3500"
  "3700" "240200" "240328" "24040f" "18"    /* SerialNumber */
  "3501" "240086" "18"                      /* UNSUPPORTED_ATTRIBUTE */
  "18" "18"
  "18"
  "24ff0c"
  "18";

static void
test_read_status_ib (Fixture       *f,
                     gconstpointer  data)
{
  const DeviceStep script[] = {
    { TH_IM_OPCODE_READ_REQUEST, REPLY_AND_WAIT, TH_IM_OPCODE_REPORT_DATA,
      report_vendor_name_and_status },
    { TH_IM_OPCODE_STATUS_RESPONSE, NO_REPLY },
  };
  const ThImAttributePath paths[] = {
    TH_IM_ATTRIBUTE_PATH (0, TH_CLUSTER_BASIC_INFORMATION,
                          TH_BASIC_INFORMATION_ATTR_VENDOR_NAME),
    TH_IM_ATTRIBUTE_PATH (0, TH_CLUSTER_BASIC_INFORMATION,
                          TH_BASIC_INFORMATION_ATTR_SERIAL_NUMBER),
  };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ThImAttributeValues) values = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *vendor = NULL;
  g_autofree char *serial = NULL;

  set_script (f, script, G_N_ELEMENTS (script));
  th_im_read_async (f->a, f->session, paths, G_N_ELEMENTS (paths), NULL, store_result,
                    &result);
  pump_until (f, &result);
  values = th_im_read_finish (f->a, result, &error);
  g_assert_no_error (error);

  g_assert_true (th_im_attribute_values_get_string (values, 0, TH_CLUSTER_BASIC_INFORMATION,
                                                    TH_BASIC_INFORMATION_ATTR_VENDOR_NAME, 32,
                                                    &vendor, &error));
  g_assert_cmpstr (vendor, ==, "Acme");
  g_assert_false (th_im_attribute_values_get_string (values, 0, TH_CLUSTER_BASIC_INFORMATION,
                                                     TH_BASIC_INFORMATION_ATTR_SERIAL_NUMBER,
                                                     32, &serial, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_STATUS);

  /* The report did not suppress the response: SUCCESS went back. */
  g_assert_cmpuint (f->next_step, ==, 2);
  g_assert_cmpuint (received_status (f, 1), ==, TH_IM_STATUS_SUCCESS);
}

static void
test_read_refused (Fixture       *f,
                   gconstpointer  data)
{
  const DeviceStep script[] = {
    { TH_IM_OPCODE_READ_REQUEST, REPLY_LAST, TH_IM_OPCODE_STATUS_RESPONSE, NULL,
      TH_IM_STATUS_UNSUPPORTED_ACCESS },
  };
  const ThImAttributePath path = TH_IM_ATTRIBUTE_PATH (0, TH_CLUSTER_BASIC_INFORMATION,
                                                       TH_BASIC_INFORMATION_ATTR_VENDOR_NAME);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  set_script (f, script, G_N_ELEMENTS (script));
  th_im_read_async (f->a, f->session, &path, 1, NULL, store_result, &result);
  pump_until (f, &result);
  g_assert_null (th_im_read_finish (f->a, result, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_STATUS);
  g_assert_cmpstr (error->message, ==,
                   "The device refused to read VendorName of Basic Information on endpoint 0: "
                   "The device denied access: this controller lacks the privilege the "
                   "operation needs.");
}

static void
test_read_wrong_answer (Fixture       *f,
                        gconstpointer  data)
{
  const DeviceStep script[] = {
    { TH_IM_OPCODE_READ_REQUEST, REPLY_LAST, TH_IM_OPCODE_WRITE_RESPONSE, "1518" },
  };
  const ThImAttributePath path = TH_IM_ATTRIBUTE_PATH (3, 0xFC00, 0x4001);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  set_script (f, script, G_N_ELEMENTS (script));
  th_im_read_async (f->a, f->session, &path, 1, NULL, store_result, &result);
  pump_until (f, &result);
  g_assert_null (th_im_read_finish (f->a, result, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
  g_assert_cmpstr (error->message, ==,
                   "Could not read attribute 0x4001 of cluster 0xfc00 on endpoint 3: The "
                   "device answered the Interaction Model ReadRequest with a message of "
                   "another kind, Interaction Model WriteResponse");
}

/* The device acknowledges the request and never answers it. */
static void
test_read_timeout (Fixture       *f,
                   gconstpointer  data)
{
  const DeviceStep script[] = {
    { TH_IM_OPCODE_READ_REQUEST, NO_REPLY },
  };
  const ThImAttributePath path = TH_IM_ATTRIBUTE_PATH (0, TH_CLUSTER_BASIC_INFORMATION,
                                                       TH_BASIC_INFORMATION_ATTR_PRODUCT_ID);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started = th_clock_now_ms (TH_CLOCK (f->clock));

  set_script (f, script, G_N_ELEMENTS (script));
  th_im_read_async (f->a, f->session, &path, 1, NULL, store_result, &result);
  pump_until (f, &result);
  g_assert_null (th_im_read_finish (f->a, result, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_TIMED_OUT);
  g_assert_true (g_str_has_prefix (error->message,
                                   "Could not read ProductID of Basic Information on endpoint "
                                   "0: The device did not respond"));
  /* It waited for the device's processing time at least. */
  g_assert_cmpint (th_clock_now_ms (TH_CLOCK (f->clock)) - started, >=,
                   TH_EXCHANGE_DEFAULT_PROCESSING_TIME_MS);
  g_assert_cmpuint (f->received->len, ==, 1);
}

static void
test_read_cancelled (Fixture       *f,
                     gconstpointer  data)
{
  const DeviceStep script[] = {
    { TH_IM_OPCODE_READ_REQUEST, NO_REPLY },
  };
  const ThImAttributePath path = TH_IM_ATTRIBUTE_PATH (0, TH_CLUSTER_BASIC_INFORMATION,
                                                       TH_BASIC_INFORMATION_ATTR_PRODUCT_ID);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  set_script (f, script, G_N_ELEMENTS (script));
  th_im_read_async (f->a, f->session, &path, 1, cancellable, store_result, &result);
  pump (f);
  g_cancellable_cancel (cancellable);
  drain ();
  g_assert_nonnull (result);
  g_assert_null (th_im_read_finish (f->a, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static const char invoke_arm_fail_safe_response[] =
  "15"
  "2800"                                    /* SuppressResponse false */
  "3601"                                    /* InvokeResponses */
  "15" "3500"                               /*   InvokeResponseIB, CommandDataIB */
  "3700" "240000" "240130" "240201" "18"    /*     endpoint 0, General Commissioning, 1 */
  "3501" "240000" "2c0100" "18"             /*     ErrorCode 0, DebugText "" */
  "18" "18"
  "18"
  "24ff0c"
  "18";

static ThImCommand
arm_fail_safe_command (GBytes *fields)
{
  return (ThImCommand) {
    .endpoint = 0,
    .cluster = TH_CLUSTER_GENERAL_COMMISSIONING,
    .command = TH_GENERAL_COMMISSIONING_CMD_ARM_FAIL_SAFE,
    .fields = fields,
  };
}

static void
test_invoke (Fixture       *f,
             gconstpointer  data)
{
  const DeviceStep script[] = {
    { TH_IM_OPCODE_INVOKE_REQUEST, REPLY_LAST, TH_IM_OPCODE_INVOKE_RESPONSE,
      invoke_arm_fail_safe_response },
  };
  g_autoptr(GBytes) arm = th_general_commissioning_encode_arm_fail_safe (60, 0);
  ThImCommand command = arm_fail_safe_command (arm);
  g_autoptr(GBytes) request = th_im_encode_invoke_request (&command, 1, FALSE, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) fields = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(ThCommissioningResponse) response = { 0 };
  const guint8 *bytes;
  gsize len;

  set_script (f, script, G_N_ELEMENTS (script));
  th_im_invoke_async (f->a, f->session, &command,
                      TH_GENERAL_COMMISSIONING_CMD_ARM_FAIL_SAFE_RESPONSE, 0, NULL,
                      store_result, &result);
  pump_until (f, &result);
  g_assert_true (th_im_invoke_finish (f->a, result, &fields, &error));
  g_assert_no_error (error);
  assert_received (f, 0, request);

  bytes = g_bytes_get_data (fields, &len);
  g_assert_true (th_commissioning_response_decode (bytes, len, "ArmFailSafeResponse",
                                                   &response, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (response.error_code, ==, TH_COMMISSIONING_ERROR_OK);
}

static const char invoke_toggle_unsupported[] =
  "15"
  "2800"
  "3601"
  "15" "3501"                               /*   InvokeResponseIB, CommandStatusIB */
  "3700" "240001" "240106" "240202" "18"    /*     endpoint 1, On/Off, Toggle */
  "3501" "240081" "18"                      /*     UNSUPPORTED_COMMAND */
  "18" "18"
  "18"
  "24ff0c"
  "18";

static const char invoke_on_success[] =
  "15"
  "2800"
  "3601"
  "15" "3501"
  "3700" "240001" "240106" "240201" "18"    /* endpoint 1, On/Off, On */
  "3501" "240000" "18"                      /* SUCCESS */
  "18" "18"
  "18"
  "24ff0c"
  "18";

static void
test_invoke_status (Fixture       *f,
                    gconstpointer  data)
{
  const DeviceStep script[] = {
    { TH_IM_OPCODE_INVOKE_REQUEST, REPLY_LAST, TH_IM_OPCODE_INVOKE_RESPONSE,
      invoke_toggle_unsupported },
    { TH_IM_OPCODE_INVOKE_REQUEST, REPLY_LAST, TH_IM_OPCODE_INVOKE_RESPONSE,
      invoke_on_success },
  };
  ThImCommand toggle = { .endpoint = 1, .cluster = TH_CLUSTER_ON_OFF,
                         .command = TH_ON_OFF_CMD_TOGGLE };
  ThImCommand on = { .endpoint = 1, .cluster = TH_CLUSTER_ON_OFF, .command = TH_ON_OFF_CMD_ON };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *fields = GINT_TO_POINTER (1);

  set_script (f, script, G_N_ELEMENTS (script));
  th_im_invoke_async (f->a, f->session, &toggle, TH_IM_NO_RESPONSE_COMMAND, 0, NULL,
                      store_result, &result);
  pump_until (f, &result);
  g_assert_false (th_im_invoke_finish (f->a, result, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_STATUS);
  g_assert_cmpstr (error->message, ==,
                   "The device refused Toggle of On/Off on endpoint 1: The device does not "
                   "support this command on the cluster.");

  /* A command answered by a bare SUCCESS has no fields. */
  g_clear_object (&result);
  th_im_invoke_async (f->a, f->session, &on, TH_IM_NO_RESPONSE_COMMAND, 0, NULL,
                      store_result, &result);
  pump_until (f, &result);
  g_assert_true (th_im_invoke_finish (f->a, result, &fields, NULL));
  g_assert_null (fields);
}

static void
test_invoke_timed (Fixture       *f,
                   gconstpointer  data)
{
  const DeviceStep script[] = {
    { TH_IM_OPCODE_TIMED_REQUEST, REPLY_AND_WAIT, TH_IM_OPCODE_STATUS_RESPONSE, NULL,
      TH_IM_STATUS_SUCCESS },
    { TH_IM_OPCODE_INVOKE_REQUEST, REPLY_LAST, TH_IM_OPCODE_INVOKE_RESPONSE,
      invoke_arm_fail_safe_response },
  };
  g_autoptr(GBytes) arm = th_general_commissioning_encode_arm_fail_safe (60, 0);
  ThImCommand command = arm_fail_safe_command (arm);
  g_autoptr(GBytes) timed = th_im_encode_timed_request (500);
  g_autoptr(GBytes) request = th_im_encode_invoke_request (&command, 1, TRUE, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) fields = NULL;
  g_autoptr(GError) error = NULL;

  set_script (f, script, G_N_ELEMENTS (script));
  th_im_invoke_async (f->a, f->session, &command,
                      TH_GENERAL_COMMISSIONING_CMD_ARM_FAIL_SAFE_RESPONSE, 500, NULL,
                      store_result, &result);
  pump_until (f, &result);
  g_assert_true (th_im_invoke_finish (f->a, result, &fields, &error));
  g_assert_no_error (error);
  g_assert_nonnull (fields);

  /* TimedRequest with the timeout, then the InvokeRequest that says it is timed, on one
   * exchange. */
  g_assert_cmpuint (f->received->len, ==, 2);
  assert_received (f, 0, timed);
  assert_received (f, 1, request);
  g_assert_cmpuint (f->exchanges->len, ==, 1);
}

static void
test_invoke_timed_refused (Fixture       *f,
                           gconstpointer  data)
{
  const DeviceStep script[] = {
    { TH_IM_OPCODE_TIMED_REQUEST, REPLY_LAST, TH_IM_OPCODE_STATUS_RESPONSE, NULL,
      TH_IM_STATUS_BUSY },
  };
  ThImCommand command = { .endpoint = 0, .cluster = TH_CLUSTER_ADMINISTRATOR_COMMISSIONING,
                          .command = TH_ADMINISTRATOR_COMMISSIONING_CMD_REVOKE_COMMISSIONING };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  set_script (f, script, G_N_ELEMENTS (script));
  th_im_invoke_async (f->a, f->session, &command, TH_IM_NO_RESPONSE_COMMAND, 1000, NULL,
                      store_result, &result);
  pump_until (f, &result);
  g_assert_false (th_im_invoke_finish (f->a, result, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_STATUS);
  g_assert_cmpstr (error->message, ==,
                   "The device refused the timed request for RevokeCommissioning of "
                   "Administrator Commissioning on endpoint 0: The device is busy; try again "
                   "in a moment.");
  /* The command itself never went. */
  pump (f);
  g_assert_cmpuint (f->received->len, ==, 1);
}

/* A device that turns the command down as a whole, with a StatusResponse. */
static void
test_invoke_status_response (Fixture       *f,
                             gconstpointer  data)
{
  const DeviceStep script[] = {
    { TH_IM_OPCODE_INVOKE_REQUEST, REPLY_LAST, TH_IM_OPCODE_STATUS_RESPONSE, NULL,
      TH_IM_STATUS_NEEDS_TIMED_INTERACTION },
  };
  ThImCommand command = { .endpoint = 0, .cluster = TH_CLUSTER_ADMINISTRATOR_COMMISSIONING,
                          .command = TH_ADMINISTRATOR_COMMISSIONING_CMD_REVOKE_COMMISSIONING };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  set_script (f, script, G_N_ELEMENTS (script));
  th_im_invoke_async (f->a, f->session, &command, TH_IM_NO_RESPONSE_COMMAND, 0, NULL,
                      store_result, &result);
  pump_until (f, &result);
  g_assert_false (th_im_invoke_finish (f->a, result, NULL, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_STATUS);
  g_assert_nonnull (strstr (error->message, "RevokeCommissioning of Administrator "
                                            "Commissioning"));
  g_assert_nonnull (strstr (error->message, "only as a timed interaction"));
}

static const char write_node_label_success[] =
  "15"
  "3600"                                    /* WriteResponses */
  "15"                                      /*   AttributeStatusIB */
  "3700" "240200" "240328" "240405" "18"    /*     endpoint 0, Basic Information, NodeLabel */
  "3501" "240000" "18"                      /*     SUCCESS */
  "18"
  "18"
  "24ff0c"
  "18";

static const char write_node_label_refused[] =
  "15"
  "3600"
  "15"
  "3700" "240200" "240328" "240405" "18"
  "3501" "240087" "18"                      /* CONSTRAINT_ERROR */
  "18"
  "18"
  "24ff0c"
  "18";

static void
test_write (Fixture       *f,
            gconstpointer  data)
{
  const DeviceStep script[] = {
    { TH_IM_OPCODE_WRITE_REQUEST, REPLY_LAST, TH_IM_OPCODE_WRITE_RESPONSE,
      write_node_label_success },
    { TH_IM_OPCODE_TIMED_REQUEST, REPLY_AND_WAIT, TH_IM_OPCODE_STATUS_RESPONSE, NULL,
      TH_IM_STATUS_SUCCESS },
    { TH_IM_OPCODE_WRITE_REQUEST, REPLY_LAST, TH_IM_OPCODE_WRITE_RESPONSE,
      write_node_label_refused },
  };
  const ThImAttributePath path = TH_IM_ATTRIBUTE_PATH (0, TH_CLUSTER_BASIC_INFORMATION,
                                                       TH_BASIC_INFORMATION_ATTR_NODE_LABEL);
  g_autoptr(GBytes) label = th_test_hex_to_bytes ("0c074b69746368656e");  /* "Kitchen" */
  g_autoptr(GBytes) request = th_im_encode_write_request (&path, label, FALSE, 0, FALSE);
  g_autoptr(GBytes) timed_request = th_im_encode_write_request (&path, label, FALSE, 0, TRUE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  set_script (f, script, G_N_ELEMENTS (script));
  th_im_write_async (f->a, f->session, &path, label, 0, NULL, store_result, &result);
  pump_until (f, &result);
  g_assert_true (th_im_write_finish (f->a, result, &error));
  g_assert_no_error (error);
  assert_received (f, 0, request);

  g_clear_object (&result);
  th_im_write_async (f->a, f->session, &path, label, 800, NULL, store_result, &result);
  pump_until (f, &result);
  g_assert_false (th_im_write_finish (f->a, result, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_STATUS);
  g_assert_cmpstr (error->message, ==,
                   "The device refused to write NodeLabel of Basic Information on endpoint 0: "
                   "The device rejected a value that is outside the allowed range.");
  assert_received (f, 2, timed_request);
}

/* A write response about another attribute says nothing of the one written. */
static void
test_write_other_path (Fixture       *f,
                       gconstpointer  data)
{
  const DeviceStep script[] = {
    { TH_IM_OPCODE_WRITE_REQUEST, REPLY_LAST, TH_IM_OPCODE_WRITE_RESPONSE,
      write_node_label_success },
  };
  const ThImAttributePath path = TH_IM_ATTRIBUTE_PATH (0, TH_CLUSTER_BASIC_INFORMATION,
                                                       TH_BASIC_INFORMATION_ATTR_LOCATION);
  g_autoptr(GBytes) location = th_test_hex_to_bytes ("0c024652");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  set_script (f, script, G_N_ELEMENTS (script));
  th_im_write_async (f->a, f->session, &path, location, 0, NULL, store_result, &result);
  pump_until (f, &result);
  g_assert_false (th_im_write_finish (f->a, result, &error));
  g_assert_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL);
  g_assert_cmpstr (error->message, ==,
                   "Could not write Location of Basic Information on endpoint 0: The device's "
                   "write response says nothing about it");
}

static void
test_describe (void)
{
  const ThImAttributePath mixed[] = {
    TH_IM_ATTRIBUTE_PATH (0, TH_CLUSTER_BASIC_INFORMATION, 1),
    TH_IM_ATTRIBUTE_PATH (0, TH_CLUSTER_GENERAL_COMMISSIONING, 0),
  };
  const ThImAttributePath wildcard =
    TH_IM_ATTRIBUTE_PATH (TH_IM_ENDPOINT_WILDCARD, TH_CLUSTER_NETWORK_COMMISSIONING,
                          TH_ATTR_FEATURE_MAP);
  g_autofree char *mixed_text = th_attribute_paths_describe (mixed, 2);
  g_autofree char *wildcard_text = th_attribute_paths_describe (&wildcard, 1);
  g_autofree char *everything = th_attribute_describe (TH_IM_ENDPOINT_WILDCARD,
                                                       TH_IM_CLUSTER_WILDCARD,
                                                       TH_IM_ATTRIBUTE_WILDCARD);
  g_autofree char *command = th_command_describe (2, 0xFFF1FC01, 7);

  g_assert_cmpstr (mixed_text, ==, "2 attribute paths");
  g_assert_cmpstr (wildcard_text, ==,
                   "FeatureMap of Network Commissioning on every endpoint");
  g_assert_cmpstr (everything, ==, "every attribute of every cluster on every endpoint");
  g_assert_cmpstr (command, ==, "command 0x07 of cluster 0xfff1fc01 on endpoint 2");
  g_assert_cmpstr (th_command_get_name (TH_CLUSTER_OPERATIONAL_CREDENTIALS,
                                        TH_OPERATIONAL_CREDENTIALS_CMD_CSR_REQUEST), ==,
                   "CSRRequest");
  g_assert_null (th_command_get_name (TH_CLUSTER_DESCRIPTOR, 0));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/im-client/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("read/chunked", test_read_chunked);
  ADD ("read/status-ib", test_read_status_ib);
  ADD ("read/refused", test_read_refused);
  ADD ("read/wrong-answer", test_read_wrong_answer);
  ADD ("read/timeout", test_read_timeout);
  ADD ("read/cancelled", test_read_cancelled);
  ADD ("invoke/response", test_invoke);
  ADD ("invoke/status", test_invoke_status);
  ADD ("invoke/timed", test_invoke_timed);
  ADD ("invoke/timed-refused", test_invoke_timed_refused);
  ADD ("invoke/status-response", test_invoke_status_response);
  ADD ("write", test_write);
  ADD ("write/other-path", test_write_other_path);
  g_test_add_func ("/im-client/describe", test_describe);

#undef ADD

  return g_test_run ();
}
