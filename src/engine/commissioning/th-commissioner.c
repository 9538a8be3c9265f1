/* th-commissioner.c: adds a device to the home: the whole commissioning flow
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One commissioning is a Run, the data of a GTask, that goes through the stages in order: each
 * stage starts its requests and their callback either moves on (advance) or stops (fail). A
 * stage has one request in flight, except READ_INFO and ATTESTATION, whose independent
 * requests go out together (see expect_requests()); while the attestation decision is awaited
 * nothing else runs but the fail-safe's keep-alive. Beside the requests, worker threads open
 * the home from the store and save a new one (see "The home" below).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/x509.h>
#include <string.h>

#include "clusters/th-attestation-elements.h"
#include "clusters/th-node-attributes.h"
#include "credentials/th-csr.h"
#include "discovery/th-ble-gatt-link.h"
#include "discovery/th-ble.h"
#include "discovery/th-dnssd.h"
#include "im/th-im-client.h"
#include "messaging/th-btp-transport.h"
#include "messaging/th-udp-transport.h"
#include "secure-channel/th-case-identity.h"
#include "secure-channel/th-close-session.h"
#include "secure-channel/th-pase.h"
#include "th-commissioner.h"
#include "th-error.h"
#include "th-operational-session.h"

/* The Root Node device type, which every root endpoint has: not what the device is. */
#define ROOT_NODE_DEVICE_TYPE 0x0016

G_DEFINE_ENUM_TYPE (ThAttestationPolicy, th_attestation_policy,
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_POLICY_ASK, "ask"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_POLICY_ACCEPT, "accept"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_POLICY_REFUSE, "refuse"))

G_DEFINE_BOXED_TYPE (ThCommissioningOptions, th_commissioning_options,
                     th_commissioning_options_copy, th_commissioning_options_free)

ThCommissioningOptions *
th_commissioning_options_new (void)
{
  ThCommissioningOptions *options = g_new0 (ThCommissioningOptions, 1);

  options->attestation_policy = TH_ATTESTATION_POLICY_ASK;
  options->regulatory_location = TH_REGULATORY_LOCATION_INDOOR_OUTDOOR;
  memcpy (options->country_code, "XX", 3);
  options->discovery_timeout_ms = TH_COMMISSIONING_DISCOVERY_TIMEOUT_MS;
  options->response_timeout_ms = TH_COMMISSIONING_RESPONSE_TIMEOUT_MS;
  options->cleanup_timeout_ms = TH_COMMISSIONING_CLEANUP_TIMEOUT_MS;
  return options;
}

ThCommissioningOptions *
th_commissioning_options_copy (const ThCommissioningOptions *options)
{
  ThCommissioningOptions *copy = g_memdup2 (options, sizeof *options);

  if (copy->address != NULL)
    g_object_ref (copy->address);
  if (copy->ble_device != NULL)
    g_object_ref (copy->ble_device);
  if (copy->network_credentials != NULL)
    copy->network_credentials = th_network_credentials_copy (copy->network_credentials);
  return copy;
}

void
th_commissioning_options_free (ThCommissioningOptions *options)
{
  if (options == NULL)
    return;
  g_clear_object (&options->address);
  g_clear_object (&options->ble_device);
  g_clear_pointer (&options->network_credentials, th_network_credentials_free);
  g_free (options);
}

struct _ThCommissioner
{
  GObject parent_instance;

  ThStore *store;
  ThPaaStore *paa_store;
  ThCdSigners *cd_signers;
  ThRevocationSet *revocations;

  GTask *task;                          /* the commissioning under way, or NULL */
  ThAttestationResult *attestation_result;
  gboolean failed;
  ThCommissioningStage failed_stage;
};

G_DEFINE_FINAL_TYPE (ThCommissioner, th_commissioner, G_TYPE_OBJECT)

enum
{
  SIGNAL_STAGE_CHANGED,
  SIGNAL_ATTESTATION_FAILED,
  SIGNAL_NETWORK_CREDENTIALS_NEEDED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

/* The requests a stage sends together, in the order they are sent. */
enum
{
  INFO_REQUEST_READ,
  INFO_REQUEST_ARM,
};

enum
{
  ATTESTATION_REQUEST_DAC,
  ATTESTATION_REQUEST_PAI,
  ATTESTATION_REQUEST_ELEMENTS,
};

#define MAX_REQUESTS_TOGETHER 3

typedef struct _Run Run;

struct _Run
{
  ThCommissioner *self;                 /* the task's source object holds it */
  GTask *task;                          /* borrowed: self->task */
  ThSetupPayload *payload;
  ThCommissioningOptions *options;
  ThCommissioningStage stage;
  ThCommissioningStage next_stage;      /* while the fail-safe is re-armed between stages */

  ThExchangeManager *manager;           /* the commissioning channel: UDP or BTP */
  GError *channel_error;                /* setting up the manager failed, for PASE to report */
  gboolean over_ble;
  ThBtpTransport *btp_transport;        /* over BLE, the manager's transport */
  gulong btp_closed_handler;
  ThExchangeManager *ip_manager;        /* over BLE: UDP, for the operational session */
  GSocketAddress *address;              /* the commissioning channel's peer */
  gboolean has_device_mrp;
  ThMrpParameters device_mrp;           /* from its DNS-SD record */
  ThSession *pase;
  ThSession *operational;

  /* the network the device joins: from the options or from the person */
  ThNetworkCredentials *network_credentials;

  ThBasicInformation info;
  ThCommissioningInfo commissioning_info;
  GPtrArray *endpoints;                 /* of ThEndpointDescription */
  gboolean has_radio;                   /* a Wi-Fi or Thread network interface */
  GArray *interfaces;                   /* of ThNetworkInterface */

  /* NETWORK: the interface given the network, its limits, and what the person is told */
  ThNetworkInterface network_interface;
  guint8 scan_max_seconds;
  guint8 connect_max_seconds;
  GPtrArray *scan_results;              /* of ThNetworkScanResult */
  GError *scan_error;
  GError *network_error;                /* why the last credentials did not work */

  /* The device arms its fail-safe itself once PASE completes (5.5, step 3); from then on a
   * failure disarms it. */
  gboolean fail_safe_armed;
  guint16 fail_safe_seconds;
  gint64 fail_safe_armed_at_us;         /* monotonic */

  /* the current stage's requests sent together, answered in any order */
  guint requests_pending;
  GError *request_errors[MAX_REQUESTS_TOGETHER];
  void (*requests_answered) (Run *run);

  GError *arm_error;                    /* ArmFailSafe sent with the read, for ARM_FAIL_SAFE */

  GBytes *dac;
  GBytes *pai;
  guint8 attestation_nonce[TH_ATTESTATION_NONCE_LEN];
  GBytes *attestation_elements;
  GBytes *attestation_signature;
  ThP256Key *dac_key;                   /* NULL when the DAC cannot be read */

  /* the decision points: attestation, or the network to join */
  gboolean awaiting_decision;
  gboolean deciding_network;
  gboolean decided;
  gboolean proceed;
  gboolean keep_alive_in_flight;
  guint keep_alive_source;
  guint decision_source;
  gulong cancelled_handler;

  guint8 csr_nonce[TH_CSR_NONCE_LEN];
  ThP256Key *operational_key;

  /* the home, opened and saved by worker threads: a stage that needs more of it than is done
   * yet waits and runs again, and so does the end of the run */
  gboolean home_job_running;
  gboolean waiting_for_home;
  gboolean finish_waiting;
  GError *home_error;
  ThHome *home;
  ThCaseIdentity *case_identity;
  GBytes *noc;

  /* while a failure is being cleaned up */
  GError *error;
  GCancellable *cleanup_cancellable;
  guint cleanup_timeout_source;
};

static void
run_free (gpointer data)
{
  Run *run = data;

  g_assert (run->keep_alive_source == 0 && run->decision_source == 0);
  g_assert (run->cleanup_timeout_source == 0 && run->cancelled_handler == 0);
  g_assert (!run->home_job_running);
  g_clear_signal_handler (&run->btp_closed_handler, run->btp_transport);
  g_clear_object (&run->btp_transport);
  if (run->manager != NULL)
    th_exchange_manager_close (run->manager);
  g_clear_object (&run->manager);
  if (run->ip_manager != NULL)
    th_exchange_manager_close (run->ip_manager);
  g_clear_object (&run->ip_manager);
  g_clear_pointer (&run->interfaces, g_array_unref);
  g_clear_pointer (&run->scan_results, g_ptr_array_unref);
  g_clear_error (&run->scan_error);
  g_clear_error (&run->network_error);
  g_clear_pointer (&run->payload, th_setup_payload_free);
  g_clear_pointer (&run->options, th_commissioning_options_free);
  g_clear_object (&run->address);
  g_clear_pointer (&run->network_credentials, th_network_credentials_free);
  g_clear_object (&run->pase);
  g_clear_object (&run->operational);
  th_basic_information_clear (&run->info);
  g_clear_pointer (&run->endpoints, g_ptr_array_unref);
  for (guint i = 0; i < MAX_REQUESTS_TOGETHER; i++)
    g_clear_error (&run->request_errors[i]);
  g_clear_error (&run->arm_error);
  g_clear_pointer (&run->dac, g_bytes_unref);
  g_clear_pointer (&run->pai, g_bytes_unref);
  g_clear_pointer (&run->attestation_elements, g_bytes_unref);
  g_clear_pointer (&run->attestation_signature, g_bytes_unref);
  g_clear_pointer (&run->dac_key, th_p256_key_unref);
  g_clear_pointer (&run->operational_key, th_p256_key_unref);
  g_clear_error (&run->home_error);
  g_clear_error (&run->channel_error);
  g_clear_pointer (&run->home, th_home_free);
  g_clear_pointer (&run->case_identity, th_case_identity_unref);
  g_clear_pointer (&run->noc, g_bytes_unref);
  g_clear_error (&run->error);
  g_clear_object (&run->cleanup_cancellable);
  g_free (run);
}

static GCancellable *
run_cancellable (Run *run)
{
  return g_task_get_cancellable (run->task);
}

/* The manager of the operational session: over BLE, CASE runs over IP. */
static ThExchangeManager *
operational_manager (Run *run)
{
  return run->ip_manager != NULL ? run->ip_manager : run->manager;
}

/* ---- The end ---- */

/* Hands the result over: `node` on success, else run->error. */
static void
finish (Run          *run,
        ThStoredNode *node)
{
  ThCommissioner *self = run->self;
  GTask *task;

  /* Nothing of a commissioning may go on after it ended: a home still being opened or saved
   * on its thread is waited for, and home_job_done() comes back here. */
  if (run->home_job_running)
    {
      g_assert (node == NULL);
      run->finish_waiting = TRUE;
      return;
    }
  task = g_steal_pointer (&self->task);
  if (run->manager != NULL)
    {
      g_autoptr(GError) error = NULL;

      /* The device ends the PASE session itself when commissioning completes or its
       * fail-safe is disarmed; telling it again would name a session it no longer has. */
      if (run->pase != NULL)
        th_exchange_manager_close_session (run->manager, run->pase);
      if (run->operational != NULL
          && !th_close_session (operational_manager (run), run->operational, &error))
        g_debug ("The CloseSession report was not sent: %s", error->message);
    }
  if (node != NULL)
    g_task_return_pointer (task, node, (GDestroyNotify) th_stored_node_free);
  else
    g_task_return_error (task, g_steal_pointer (&run->error));
  g_object_unref (task);
}

static gboolean finish_arm_fail_safe (Run           *run,
                                      GAsyncResult  *result,
                                      GError       **error);

static void
on_disarmed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) close_error = NULL;

  g_clear_handle_id (&run->cleanup_timeout_source, g_source_remove);
  if (finish_arm_fail_safe (run, result, &error))
    {
      finish (run, NULL);
      return;
    }
  /* The session may be all that is left to tell it by: ending it expires the fail-safe
   * too (5.5). */
  g_debug ("Disarming the fail-safe failed: %s", error->message);
  if (!th_close_session (run->manager, run->pase, &close_error))
    g_debug ("The CloseSession report was not sent either: %s", close_error->message);
  g_clear_object (&run->pase);
  finish (run, NULL);
}

static gboolean
on_cleanup_timeout (gpointer user_data)
{
  Run *run = user_data;

  run->cleanup_timeout_source = 0;
  g_cancellable_cancel (run->cleanup_cancellable);
  return G_SOURCE_REMOVE;
}

static GBytes *
arm_fail_safe_fields (Run     *run,
                      guint16  seconds)
{
  /* The breadcrumb records how far commissioning got, as the SDKs do. */
  return th_general_commissioning_encode_arm_fail_safe (seconds, run->stage);
}

static void
invoke_on (Run                 *run,
           ThSession           *session,
           guint16              endpoint,
           guint32              cluster,
           guint32              command_id,
           GBytes              *fields,
           guint32              response_command,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback)
{
  ThImCommand command = {
    .endpoint = endpoint,
    .cluster = cluster,
    .command = command_id,
    .fields = fields,
  };

  th_im_invoke_async (session == run->operational ? operational_manager (run) : run->manager,
                      session, &command, response_command, 0, cancellable, callback, run);
}

static void
invoke (Run                 *run,
        ThSession           *session,
        guint32              cluster,
        guint32              command_id,
        GBytes              *fields,
        guint32              response_command,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback)
{
  invoke_on (run, session, TH_ROOT_ENDPOINT, cluster, command_id, fields, response_command,
             cancellable, callback);
}

/* Stops the flow with `error` (taken), naming the stage, after putting the device back as it
 * was: ArmFailSafe with 0 over PASE, bounded in time, so that it rolls back whatever it was
 * given and accepts PASE again at once (5.5.1). */
static void
fail (Run    *run,
      GError *error)
{
  g_autofree char *message = th_commissioning_stage_describe_failure (run->stage,
                                                                      error->message);

  g_free (error->message);
  error->message = g_steal_pointer (&message);
  g_debug ("%s", error->message);
  run->self->failed = TRUE;
  run->self->failed_stage = run->stage;
  run->error = error;

  if (run->fail_safe_armed && run->pase != NULL && th_session_is_open (run->pase))
    {
      g_autoptr(GBytes) fields = arm_fail_safe_fields (run, 0);

      run->fail_safe_armed = FALSE;
      run->cleanup_cancellable = g_cancellable_new ();
      run->cleanup_timeout_source = g_timeout_add (run->options->cleanup_timeout_ms,
                                                   on_cleanup_timeout, run);
      th_session_set_expected_processing_time (run->pase, run->options->cleanup_timeout_ms);
      invoke (run, run->pase, TH_CLUSTER_GENERAL_COMMISSIONING,
              TH_GENERAL_COMMISSIONING_CMD_ARM_FAIL_SAFE, fields,
              TH_GENERAL_COMMISSIONING_CMD_ARM_FAIL_SAFE_RESPONSE, run->cleanup_cancellable,
              on_disarmed);
      return;
    }
  finish (run, NULL);
}

static void
fail_with (Run        *run,
           GQuark      domain,
           gint        code,
           const char *format,
           ...) G_GNUC_PRINTF (4, 5);

static void
fail_with (Run        *run,
           GQuark      domain,
           gint        code,
           const char *format,
           ...)
{
  va_list args;
  GError *error;

  va_start (args, format);
  error = g_error_new_valist (domain, code, format, args);
  va_end (args);
  fail (run, error);
}

/* ---- Moving on ---- */

static void run_stage (Run *run);

static void
start_stage (Run                  *run,
             ThCommissioningStage  stage)
{
  run->stage = stage;
  g_signal_emit (run->self, signals[SIGNAL_STAGE_CHANGED], 0, stage,
                 th_commissioning_stage_get_fraction (stage));
  /* A handler may have cancelled. Once the device has completed commissioning there is
   * nothing left to take back: the node is saved. */
  if (stage < TH_COMMISSIONING_STAGE_PERSIST
      && g_cancellable_is_cancelled (run_cancellable (run)))
    {
      GError *error = NULL;

      g_cancellable_set_error_if_cancelled (run_cancellable (run), &error);
      fail (run, error);
      return;
    }
  run_stage (run);
}

static gboolean has_time_synchronization (Run *run);

/* Whether the stage has anything to do for this device. */
static gboolean
stage_is_needed (Run                  *run,
                 ThCommissioningStage  stage)
{
  switch (stage)
    {
    case TH_COMMISSIONING_STAGE_REGULATORY:
      /* Regulatory information is for radios: a device SHALL be given it when it has a Wi-Fi
       * or Thread network interface (5.5, step 5), and one on Ethernet alone is not, as
       * matter.js does too. The time goes to any device that keeps it (same step). */
      return run->has_radio || has_time_synchronization (run);

    case TH_COMMISSIONING_STAGE_NETWORK:
      /* Reached over UDP, the device is on a network already; it is given another only when
       * asked to (5.5, step 11 is for a device that needs one). */
      return run->has_radio && (run->over_ble || run->options->network_credentials != NULL);

    case TH_COMMISSIONING_STAGE_OPERATIONAL_DISCOVERY:
      /* Over UDP, CASE goes first to the address PASE used and looks the node up only if
       * nothing answers there. */
      return run->over_ble;

    default:
      return TRUE;
    }
}

static void on_rearmed (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data);

static void
rearm_fail_safe (Run                 *run,
                 GAsyncReadyCallback  callback)
{
  g_autoptr(GBytes) fields = arm_fail_safe_fields (run, run->fail_safe_seconds);

  invoke (run, run->pase, TH_CLUSTER_GENERAL_COMMISSIONING,
          TH_GENERAL_COMMISSIONING_CMD_ARM_FAIL_SAFE, fields,
          TH_GENERAL_COMMISSIONING_CMD_ARM_FAIL_SAFE_RESPONSE, run_cancellable (run), callback);
}

static gboolean
finish_arm_fail_safe (Run           *run,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_auto(ThCommissioningResponse) response = { 0 };
  g_autoptr(GBytes) fields = NULL;
  gsize len;
  const guint8 *data;

  if (!th_im_invoke_finish (run->manager, result, &fields, error))
    return FALSE;
  data = g_bytes_get_data (fields, &len);
  if (!th_commissioning_response_decode (data, len, "ArmFailSafeResponse", &response, error)
      || !th_commissioning_response_check (&response, "ArmFailSafe", error))
    return FALSE;
  run->fail_safe_armed_at_us = g_get_monotonic_time ();
  return TRUE;
}

/* Half the fail-safe gone: re-arming before the next stage leaves every stage the whole
 * response time it may need (as matter.js does). */
static gboolean
fail_safe_needs_rearming (Run *run)
{
  return run->fail_safe_armed
         && g_get_monotonic_time () - run->fail_safe_armed_at_us
            > (gint64) run->fail_safe_seconds * G_USEC_PER_SEC / 2;
}

static void
advance (Run *run)
{
  ThCommissioningStage next = run->stage + 1;

  while (next < TH_COMMISSIONING_N_STAGES && !stage_is_needed (run, next))
    next++;
  g_assert (next < TH_COMMISSIONING_N_STAGES);

  if (next < TH_COMMISSIONING_STAGE_COMPLETE && fail_safe_needs_rearming (run))
    {
      run->next_stage = next;
      rearm_fail_safe (run, on_rearmed);
      return;
    }
  start_stage (run, next);
}

static void
on_rearmed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  if (!finish_arm_fail_safe (run, result, &error))
    {
      g_prefix_error (&error, _("Keeping the fail-safe armed failed: "));
      fail (run, error);
      return;
    }
  start_stage (run, run->next_stage);
}

/* ---- Requests sent together ---- */

/* Requests that do not depend on each other's answers and belong to one step of the flow go
 * out together, each on its own exchange of the session: the specification asks that a step
 * be finished, every answer in, before the next one begins (5.5), not that its requests wait
 * for each other. The stage goes on only once all of them are answered. */
static void
expect_requests (Run   *run,
                 guint  n,
                 void (*then) (Run *run))
{
  g_assert (run->requests_pending == 0 && n <= MAX_REQUESTS_TOGETHER);
  run->requests_pending = n;
  run->requests_answered = then;
}

/* Takes `error` (NULL when request number `request` succeeded). Once every answer is in, goes
 * on, or fails with the error of the first request that failed in the order they were sent:
 * the same error whatever order the answers came in. */
static void
request_answered (Run    *run,
                  guint   request,
                  GError *error)
{
  g_assert (run->requests_pending > 0 && request < MAX_REQUESTS_TOGETHER);
  run->request_errors[request] = error;
  if (--run->requests_pending > 0)
    return;
  for (guint i = 0; i < MAX_REQUESTS_TOGETHER; i++)
    if (run->request_errors[i] != NULL)
      {
        fail (run, g_steal_pointer (&run->request_errors[i]));
        return;
      }
  run->requests_answered (run);
}

/* ---- The home, from the store, beside the device's work ---- */

/* NOC issuance and CASE need the home's fabric, the commissioner's own identity on it and the
 * next node id. Reading them from the store means milliseconds of parsing keys and
 * certificates; a new home's fabric means key generation, and saving it several durable
 * writes. None of it needs the device, so worker threads do it while the device works, each
 * with a ThStore of its own:
 *  - once PASE is up, the home is opened: read, or for a new home made in memory, nothing
 *    written (a device refused, or one that fails before ISSUE_NOC, leaves no trace);
 *  - a new home is saved from ISSUE_NOC on, when a device first gets that far, while the
 *    device installs its credentials; CommissioningComplete waits for the save. Until the
 *    device is told to complete, a failure (or a crash) leaves it to roll back when its
 *    fail-safe is disarmed or expires (11.9.7.2), so the home is saved before anything about
 *    it is final. */

typedef struct
{
  ThStore *store;
  ThHome *home;                         /* saving: borrowed from the Run */
  ThCaseIdentity *case_identity;        /* opening: made with the home */
} HomeJob;

static void
home_job_free (HomeJob *job)
{
  th_store_free (job->store);
  g_clear_pointer (&job->case_identity, th_case_identity_unref);
  g_free (job);
}

static void
open_home_in_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  HomeJob *job = task_data;
  g_autoptr(ThHome) home = NULL;
  GError *error = NULL;

  /* The CASE identity too: credentials that cannot make one fail here, before the device is
   * given anything. */
  home = th_store_open_home (job->store, &error);
  if (home != NULL)
    job->case_identity = th_case_identity_new_for_fabric (home->fabric,
                                                          home->controller->noc_tlv,
                                                          home->controller->key, &error);
  if (job->case_identity != NULL)
    g_task_return_pointer (task, g_steal_pointer (&home), (GDestroyNotify) th_home_free);
  else
    g_task_return_error (task, error);
}

static void
save_home_in_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  HomeJob *job = task_data;
  GError *error = NULL;

  if (th_store_save_home (job->store, job->home, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
home_job_done (Run *run)
{
  run->home_job_running = FALSE;
  if (run->finish_waiting)
    {
      finish (run, NULL);
    }
  else if (run->waiting_for_home)
    {
      run->waiting_for_home = FALSE;
      run_stage (run);
    }
}

static void
on_home_opened (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Run *run = user_data;
  HomeJob *job = g_task_get_task_data (G_TASK (result));

  run->home = g_task_propagate_pointer (G_TASK (result), &run->home_error);
  run->case_identity = g_steal_pointer (&job->case_identity);
  home_job_done (run);
}

static void
on_home_saved (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Run *run = user_data;

  if (!g_task_propagate_boolean (G_TASK (result), &run->home_error))
    g_prefix_error (&run->home_error, _("The home could not be saved: "));
  home_job_done (run);
}

static void
start_home_job (Run                 *run,
                GTaskThreadFunc      func,
                GAsyncReadyCallback  callback)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, run);
  HomeJob *job = g_new0 (HomeJob, 1);

  g_assert (!run->home_job_running);
  job->store = th_store_new (th_store_get_directory (run->self->store));
  job->home = run->home;
  g_task_set_source_tag (task, start_home_job);
  g_task_set_task_data (task, job, (GDestroyNotify) home_job_free);
  run->home_job_running = TRUE;
  g_task_run_in_thread (task, func);
}

/* Whether the home is as far as the current stage needs: opened, and saved too when `saved`.
 * Otherwise the stage runs again once it is, or the run fails with what went wrong. */
static gboolean
home_is_ready (Run      *run,
               gboolean  saved)
{
  if (run->home_job_running)
    {
      run->waiting_for_home = TRUE;
      return FALSE;
    }
  if (run->home_error != NULL)
    {
      fail (run, g_steal_pointer (&run->home_error));
      return FALSE;
    }
  g_assert (run->home != NULL && (!saved || run->home->saved));
  return TRUE;
}

/* ---- DISCOVERY ---- */

static void
on_found (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(ThDiscoveredDevice) device = NULL;
  GError *error = NULL;

  device = th_dnssd_find_commissionable_finish (result, &error);
  if (device == NULL)
    {
      fail (run, error);
      return;
    }
  run->address = g_object_ref (g_ptr_array_index (th_discovered_device_get_addresses (device),
                                                  0));
  th_dnssd_txt_get_mrp_parameters (th_discovered_device_get_txt (device), &run->device_mrp);
  run->has_device_mrp = TRUE;
  advance (run);
}

static void open_channel (Run *run);

/* Over Bluetooth LE the commissioning channel is the device's GATT service with BTP on it: the
 * device found, connected, and the BTP handshake done, DISCOVERY is over. */

/* The link is gone (out of range, or a device that cannot keep both links left for its
 * network): whatever waits on it fails at once instead of at its timeout. */
static void
on_btp_closed (ThBtpTransport *transport,
               const GError   *error,
               gpointer        user_data)
{
  Run *run = user_data;

  g_debug ("The Bluetooth commissioning channel closed: %s", error->message);
  th_exchange_manager_close (run->manager);
}

static void
on_btp_opened (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(ThBtpTransport) transport = TH_BTP_TRANSPORT (source);
  GError *error = NULL;

  if (!th_btp_transport_open_finish (transport, result, &error))
    {
      fail (run, error);
      return;
    }
  run->manager = th_exchange_manager_new (TH_TRANSPORT (transport), NULL, &error);
  if (run->manager == NULL)
    {
      fail (run, error);
      return;
    }
  run->btp_transport = g_object_ref (transport);
  run->btp_closed_handler = g_signal_connect (transport, "closed", G_CALLBACK (on_btp_closed),
                                              run);
  advance (run);
}

static void
on_gatt_connected (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(ThBleGattLink) link = NULL;
  ThBtpTransport *transport;
  GError *error = NULL;

  link = th_ble_gatt_link_connect_finish (result, &error);
  if (link == NULL)
    {
      fail (run, error);
      return;
    }
  transport = th_btp_transport_new (TH_BTP_LINK (link), TH_BTP_ROLE_CENTRAL, NULL);
  th_btp_transport_open_async (transport, run_cancellable (run), on_btp_opened, run);
}

static void
connect_ble (Run         *run,
             ThBleDevice *device)
{
  th_ble_gatt_link_connect_async (th_ble_device_get_object_path (device),
                                  run->options->discovery_timeout_ms, run_cancellable (run),
                                  on_gatt_connected, run);
}

static void
on_found_ble (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(ThBleDevice) device = NULL;
  GError *error = NULL;

  device = th_ble_find_commissionable_finish (result, &error);
  if (device == NULL)
    {
      fail (run, error);
      return;
    }
  connect_ble (run, device);
}

static void
discover (Run *run)
{
  const ThSetupPayload *payload = run->payload;

  if (run->options->ble || run->options->ble_device != NULL)
    {
      run->over_ble = TRUE;
      if (run->options->ble_device != NULL)
        connect_ble (run, run->options->ble_device);
      else
        th_ble_find_commissionable_async (payload->discriminator, payload->short_discriminator,
                                          run->options->discovery_timeout_ms,
                                          run_cancellable (run), on_found_ble, run);
      return;
    }
  if (run->options->address != NULL)
    {
      run->address = g_object_ref (run->options->address);
      advance (run);
      return;
    }
  th_dnssd_find_commissionable_async (payload->discriminator, payload->short_discriminator,
                                      run->options->discovery_timeout_ms, run_cancellable (run),
                                      on_found, run);
  open_channel (run);
}

/* ---- PASE ---- */

/* The UDP transport and the exchange manager PASE needs, set up while DNS-SD works when there
 * is discovery (their first use costs a millisecond or two of initialisation). A failure is
 * reported by PASE. */
static void
open_channel (Run *run)
{
  g_autoptr(ThUdpTransport) transport = NULL;

  if (run->manager != NULL || run->channel_error != NULL)
    return;
  transport = th_udp_transport_new (NULL, 0, &run->channel_error);
  if (transport != NULL)
    run->manager = th_exchange_manager_new (TH_TRANSPORT (transport), NULL,
                                            &run->channel_error);
}

typedef struct
{
  Run *run;
  ThSession *unsecured;
} PaseStart;

static void
on_pase (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  PaseStart *start = user_data;
  Run *run = start->run;
  GError *error = NULL;

  run->pase = th_pase_establish_finish (run->manager, result, &error);
  /* A status report telling the device why we gave up has been sent by now. */
  th_exchange_manager_close_session (run->manager, start->unsecured);
  g_object_unref (start->unsecured);
  g_free (start);
  if (run->pase == NULL)
    {
      fail (run, error);
      return;
    }
  run->fail_safe_armed = TRUE;
  run->fail_safe_seconds = TH_COMMISSIONING_DEFAULT_FAIL_SAFE_SECONDS;
  run->fail_safe_armed_at_us = g_get_monotonic_time ();
  th_session_set_expected_processing_time (run->pase, run->options->response_timeout_ms);
  start_home_job (run, open_home_in_thread, on_home_opened);
  advance (run);
}

static void
establish_pase (Run *run)
{
  ThPbkdfParameters pbkdf;
  gboolean has_pbkdf;
  PaseStart *start;
  GError *error = NULL;

  if (!th_pbkdf_parameters_from_payload (run->payload, &pbkdf, &has_pbkdf, &error))
    {
      fail (run, error);
      return;
    }
  open_channel (run);
  if (run->channel_error != NULL)
    {
      fail (run, g_steal_pointer (&run->channel_error));
      return;
    }
  start = g_new0 (PaseStart, 1);
  start->run = run;
  start->unsecured = th_exchange_manager_open_unsecured_session (run->manager, run->address,
                                                                 &error);
  if (start->unsecured == NULL)
    {
      g_free (start);
      fail (run, error);
      return;
    }
  if (run->has_device_mrp)
    th_session_set_peer_mrp_parameters (start->unsecured, &run->device_mrp);
  th_pase_establish_async (run->manager, start->unsecured, run->payload->passcode,
                           has_pbkdf ? &pbkdf : NULL, run_cancellable (run), on_pase, start);
}

/* ---- READ_INFO ---- */

static gboolean
decode_info (Run                  *run,
             ThImAttributeValues  *values,
             GError              **error)
{
  g_autoptr(GArray) interfaces = NULL;

  if (!th_basic_information_decode (values, &run->info, error)
      || !th_commissioning_info_decode (values, &run->commissioning_info, error))
    return FALSE;
  interfaces = th_network_interfaces_decode (values, error);
  if (interfaces == NULL)
    return FALSE;
  for (guint i = 0; i < interfaces->len; i++)
    {
      const ThNetworkInterface *interface = &g_array_index (interfaces, ThNetworkInterface, i);

      g_debug ("Network interface on endpoint %u: features 0x%x", interface->endpoint,
               interface->features);
      if (interface->features & (TH_NETWORK_COMMISSIONING_FEATURE_WIFI
                                 | TH_NETWORK_COMMISSIONING_FEATURE_THREAD))
        run->has_radio = TRUE;
    }
  run->interfaces = g_steal_pointer (&interfaces);
  run->endpoints = th_endpoint_descriptions_decode (values, error);
  return run->endpoints != NULL;
}

static void
on_info_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(ThImAttributeValues) values = NULL;
  GError *error = NULL;

  values = th_im_read_finish (run->manager, result, &error);
  if (values != NULL)
    decode_info (run, values, &error);
  request_answered (run, INFO_REQUEST_READ, error);
}

/* An ArmFailSafe that fails is ARM_FAIL_SAFE's failure, whenever it was sent. */
static void
on_armed_with_read (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Run *run = user_data;

  finish_arm_fail_safe (run, result, &run->arm_error);
  request_answered (run, INFO_REQUEST_ARM, NULL);
}

static void
read_info (Run *run)
{
  /* One ReadRequest, using the nine paths every device must take: Basic Information whole
   * (its decoder wants most of it), the five General Commissioning attributes its decoder
   * wants (the whole cluster brings its attribute and command lists along, which makes many
   * devices split their answer over two messages, a round trip more), and on every endpoint
   * what tells its network interfaces, its device types and its clusters. */
  const ThImAttributePath paths[] = {
    TH_IM_ATTRIBUTE_PATH (TH_ROOT_ENDPOINT, TH_CLUSTER_BASIC_INFORMATION,
                          TH_IM_ATTRIBUTE_WILDCARD),
    TH_IM_ATTRIBUTE_PATH (TH_ROOT_ENDPOINT, TH_CLUSTER_GENERAL_COMMISSIONING,
                          TH_GENERAL_COMMISSIONING_ATTR_BREADCRUMB),
    TH_IM_ATTRIBUTE_PATH (TH_ROOT_ENDPOINT, TH_CLUSTER_GENERAL_COMMISSIONING,
                          TH_GENERAL_COMMISSIONING_ATTR_BASIC_COMMISSIONING_INFO),
    TH_IM_ATTRIBUTE_PATH (TH_ROOT_ENDPOINT, TH_CLUSTER_GENERAL_COMMISSIONING,
                          TH_GENERAL_COMMISSIONING_ATTR_REGULATORY_CONFIG),
    TH_IM_ATTRIBUTE_PATH (TH_ROOT_ENDPOINT, TH_CLUSTER_GENERAL_COMMISSIONING,
                          TH_GENERAL_COMMISSIONING_ATTR_LOCATION_CAPABILITY),
    TH_IM_ATTRIBUTE_PATH (TH_ROOT_ENDPOINT, TH_CLUSTER_GENERAL_COMMISSIONING,
                          TH_GENERAL_COMMISSIONING_ATTR_SUPPORTS_CONCURRENT_CONNECTION),
    TH_IM_ATTRIBUTE_PATH (TH_IM_ENDPOINT_WILDCARD, TH_CLUSTER_NETWORK_COMMISSIONING,
                          TH_ATTR_FEATURE_MAP),
    TH_IM_ATTRIBUTE_PATH (TH_IM_ENDPOINT_WILDCARD, TH_CLUSTER_DESCRIPTOR,
                          TH_DESCRIPTOR_ATTR_DEVICE_TYPE_LIST),
    TH_IM_ATTRIBUTE_PATH (TH_IM_ENDPOINT_WILDCARD, TH_CLUSTER_DESCRIPTOR,
                          TH_DESCRIPTOR_ATTR_SERVER_LIST),
  };

  /* Step 4 of the flow (5.5) is ArmFailSafe, which a commissioner MAY precede with reading
   * BasicCommissioningInfo for the device's guidance on its length. The read goes out together
   * with an ArmFailSafe of the length the device armed itself with when PASE completed (step
   * 3), the one most devices suggest; ARM_FAIL_SAFE arms again only if the device suggests
   * another. Both are step 4, which ends when both are answered. */
  expect_requests (run, 2, advance);
  th_im_read_async (run->manager, run->pase, paths, G_N_ELEMENTS (paths),
                    run_cancellable (run), on_info_read, run);
  rearm_fail_safe (run, on_armed_with_read);
}

/* ---- ARM_FAIL_SAFE ---- */

static void
on_armed (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  if (!finish_arm_fail_safe (run, result, &error))
    {
      fail (run, error);
      return;
    }
  advance (run);
}

static void
arm_fail_safe (Run *run)
{
  guint16 seconds = run->commissioning_info.fail_safe_expiry_length_seconds;

  if (run->arm_error != NULL)
    {
      fail (run, g_steal_pointer (&run->arm_error));
      return;
    }
  if (seconds == 0)
    seconds = TH_COMMISSIONING_DEFAULT_FAIL_SAFE_SECONDS;
  /* armed for that long with the read already */
  if (seconds == run->fail_safe_seconds)
    {
      advance (run);
      return;
    }
  run->fail_safe_seconds = seconds;
  rearm_fail_safe (run, on_armed);
}

/* ---- REGULATORY ---- */

static void set_regulatory_config (Run        *run,
                                   const char *country_code);

static void
on_time_set (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  /* The specification asks for the time with a SHOULD, and a device with a better source of
   * time may refuse ours: that does not stop commissioning. */
  if (!th_im_invoke_finish (run->manager, result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          fail (run, g_steal_pointer (&error));
          return;
        }
      g_debug ("The device did not take the time: %s", error->message);
    }
  advance (run);
}

static void
set_utc_time (Run *run)
{
  /* microseconds since the Matter epoch, 2000-01-01 */
  guint64 now_us = g_get_real_time () - TH_MATTER_EPOCH_UNIX * G_USEC_PER_SEC;
  g_autoptr(GBytes) fields = th_time_synchronization_encode_set_utc_time (
    now_us, TH_TIME_GRANULARITY_MILLISECONDS);

  invoke (run, run->pase, TH_CLUSTER_TIME_SYNCHRONIZATION,
          TH_TIME_SYNCHRONIZATION_CMD_SET_UTC_TIME, fields, TH_IM_NO_RESPONSE_COMMAND,
          run_cancellable (run), on_time_set);
}

static gboolean
has_time_synchronization (Run *run)
{
  for (guint i = 0; i < run->endpoints->len; i++)
    {
      ThEndpointDescription *description = g_ptr_array_index (run->endpoints, i);

      if (description->endpoint != TH_ROOT_ENDPOINT)
        continue;
      for (guint j = 0; j < description->server_clusters->len; j++)
        if (g_array_index (description->server_clusters, guint32, j)
            == TH_CLUSTER_TIME_SYNCHRONIZATION)
          return TRUE;
    }
  return FALSE;
}

typedef struct
{
  Run *run;
  gboolean retry_unknown_country;
} RegulatoryCall;

static void
on_regulatory_config_set (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  RegulatoryCall *call = user_data;
  Run *run = call->run;
  gboolean retry = call->retry_unknown_country;
  g_auto(ThCommissioningResponse) response = { 0 };
  g_autoptr(GBytes) fields = NULL;
  GError *error = NULL;
  gsize len;
  const guint8 *data;

  g_free (call);
  if (!th_im_invoke_finish (run->manager, result, &fields, &error))
    {
      fail (run, error);
      return;
    }
  data = g_bytes_get_data (fields, &len);
  if (!th_commissioning_response_decode (data, len, "SetRegulatoryConfigResponse", &response,
                                         &error))
    {
      fail (run, error);
      return;
    }
  /* A device that cannot take the country is asked again without one (as matter.js does). */
  if (retry && response.error_code == TH_COMMISSIONING_ERROR_VALUE_OUTSIDE_RANGE)
    {
      g_debug ("The device does not take the country code %s; sending XX",
               run->options->country_code);
      set_regulatory_config (run, "XX");
      return;
    }
  if (!th_commissioning_response_check (&response, "SetRegulatoryConfig", &error))
    {
      fail (run, error);
      return;
    }
  if (has_time_synchronization (run))
    set_utc_time (run);
  else
    advance (run);
}

static void
set_regulatory_config (Run        *run,
                       const char *country_code)
{
  ThRegulatoryLocation location = run->commissioning_info.location_capability;
  g_autoptr(GBytes) fields = NULL;
  RegulatoryCall *call = g_new0 (RegulatoryCall, 1);

  /* A device that can be used both indoors and outdoors is told where it is. */
  if (location == TH_REGULATORY_LOCATION_INDOOR_OUTDOOR)
    location = run->options->regulatory_location;
  fields = th_general_commissioning_encode_set_regulatory_config (location, country_code,
                                                                  run->stage);
  call->run = run;
  call->retry_unknown_country = !g_str_equal (country_code, "XX");
  th_im_invoke_async (run->manager, run->pase,
                      &(ThImCommand) {
                        .endpoint = TH_ROOT_ENDPOINT,
                        .cluster = TH_CLUSTER_GENERAL_COMMISSIONING,
                        .command = TH_GENERAL_COMMISSIONING_CMD_SET_REGULATORY_CONFIG,
                        .fields = fields,
                      },
                      TH_GENERAL_COMMISSIONING_CMD_SET_REGULATORY_CONFIG_RESPONSE, 0,
                      run_cancellable (run), on_regulatory_config_set, call);
}

/* ---- ATTESTATION ---- */

/* The Device Attestation Procedure (6.2.3) asks for the DAC, the PAI and the signed
 * attestation elements: three requests that depend on nothing but the session, sent together
 * within step 6 of the flow (5.5). The verification, and with it the decision, waits for all
 * three; until the decision nothing more goes to the device but the fail-safe's keep-alive,
 * and CSRRequest (step 7) only once it says to go on. */

static void verify_attestation (Run *run);

static GBytes *
finish_certificate_chain (Run           *run,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_autoptr(GBytes) fields = NULL;
  const guint8 *certificate;
  gsize len, certificate_len;
  const guint8 *data;

  if (!th_im_invoke_finish (run->manager, result, &fields, error))
    return NULL;
  data = g_bytes_get_data (fields, &len);
  if (!th_operational_credentials_decode_certificate_chain_response (data, len, &certificate,
                                                                     &certificate_len, error))
    return NULL;
  return g_bytes_new (certificate, certificate_len);
}

static void
request_certificate (Run                    *run,
                     ThCertificateChainType  type,
                     GAsyncReadyCallback     callback)
{
  g_autoptr(GBytes) fields = th_operational_credentials_encode_certificate_chain_request (type);

  invoke (run, run->pase, TH_CLUSTER_OPERATIONAL_CREDENTIALS,
          TH_OPERATIONAL_CREDENTIALS_CMD_CERTIFICATE_CHAIN_REQUEST, fields,
          TH_OPERATIONAL_CREDENTIALS_CMD_CERTIFICATE_CHAIN_RESPONSE, run_cancellable (run),
          callback);
}

static void
on_dac (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  run->dac = finish_certificate_chain (run, result, &error);
  request_answered (run, ATTESTATION_REQUEST_DAC, error);
}

static void
on_pai (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  run->pai = finish_certificate_chain (run, result, &error);
  request_answered (run, ATTESTATION_REQUEST_PAI, error);
}

static void
on_attestation_response (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GBytes) fields = NULL;
  ThSignedElements response;
  GError *error = NULL;
  gsize len;
  const guint8 *data;

  if (th_im_invoke_finish (run->manager, result, &fields, &error))
    {
      data = g_bytes_get_data (fields, &len);
      if (th_operational_credentials_decode_attestation_response (data, len, &response, &error))
        {
          run->attestation_elements = g_bytes_new (response.elements, response.elements_len);
          run->attestation_signature = g_bytes_new (response.signature,
                                                    TH_ATTESTATION_SIGNATURE_LEN);
        }
    }
  request_answered (run, ATTESTATION_REQUEST_ELEMENTS, error);
}

static void
request_attestation (Run *run)
{
  g_autoptr(GBytes) fields = NULL;
  GError *error = NULL;

  if (!th_random_bytes (run->attestation_nonce, sizeof run->attestation_nonce, &error))
    {
      fail (run, error);
      return;
    }
  fields = th_operational_credentials_encode_attestation_request (run->attestation_nonce);
  expect_requests (run, 3, verify_attestation);
  request_certificate (run, TH_CERTIFICATE_CHAIN_DAC, on_dac);
  request_certificate (run, TH_CERTIFICATE_CHAIN_PAI, on_pai);
  invoke (run, run->pase, TH_CLUSTER_OPERATIONAL_CREDENTIALS,
          TH_OPERATIONAL_CREDENTIALS_CMD_ATTESTATION_REQUEST, fields,
          TH_OPERATIONAL_CREDENTIALS_CMD_ATTESTATION_RESPONSE, run_cancellable (run),
          on_attestation_response);
}

/* The DAC's public key, which signs the CSR's elements too; NULL when the DAC cannot be read
 * (the attestation findings say so). */
static ThP256Key *
dac_public_key (GBytes *dac)
{
  gsize len;
  const unsigned char *data = g_bytes_get_data (dac, &len);
  g_autoptr(GError) error = NULL;
  X509 *certificate = d2i_X509 (NULL, &data, (long) len);
  ThP256Key *key = NULL;

  if (certificate == NULL)
    return NULL;
  key = th_p256_key_new_from_evp_pkey (X509_get0_pubkey (certificate), &error);
  if (key == NULL)
    g_debug ("The DAC's key is unusable: %s", error->message);
  X509_free (certificate);
  return key;
}

/* The findings, each a sentence, one after the other. */
static char *
describe_findings (ThAttestationResult *result)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < th_attestation_result_get_n_findings (result); i++)
    {
      if (i > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, th_attestation_result_get_finding (result, i)->message);
    }
  return g_string_free (text, FALSE);
}

static void
refuse (Run        *run,
        const char *why)
{
  g_autofree char *findings = describe_findings (run->self->attestation_result);

  fail_with (run, TH_ERROR, TH_ERROR_ATTESTATION_REFUSED,
             /* Translators: the first %s says who refused, the second lists the findings */
             _("%s %s"), why, findings);
}

static void await_decision (Run *run);

static void
verify_attestation (Run *run)
{
  ThCommissioner *self = run->self;
  g_autoptr(GBytes) challenge = NULL;
  g_autoptr(GBytes) nonce = NULL;
  ThAttestationInfo info = { 0 };

  challenge = g_bytes_new (th_session_get_attestation_challenge (run->pase),
                           TH_ATTESTATION_CHALLENGE_LEN);
  nonce = g_bytes_new (run->attestation_nonce, sizeof run->attestation_nonce);

  info.dac = run->dac;
  info.pai = run->pai;
  info.attestation_elements = run->attestation_elements;
  info.attestation_signature = run->attestation_signature;
  info.attestation_challenge = challenge;
  info.nonce = nonce;
  /* What the code on the label says the device is, else what the device says it is: the
   * DAC must agree. */
  info.vendor_id = run->payload->has_vendor_product ? run->payload->vendor_id
                                                    : run->info.vendor_id;
  info.product_id = run->payload->has_vendor_product ? run->payload->product_id
                                                     : run->info.product_id;
  info.now = g_get_real_time () / G_USEC_PER_SEC;
  g_clear_pointer (&self->attestation_result, th_attestation_result_unref);
  self->attestation_result = th_attestation_verify (self->paa_store, self->cd_signers,
                                                    self->revocations, &info);

  if (th_attestation_result_get_n_findings (self->attestation_result) == 0)
    {
      advance (run);
      return;
    }
  switch (run->options->attestation_policy)
    {
    case TH_ATTESTATION_POLICY_ACCEPT:
      g_debug ("Attestation has findings; going on as asked");
      advance (run);
      break;

    case TH_ATTESTATION_POLICY_REFUSE:
      refuse (run, _("The device was refused because it did not pass every check that it "
                     "is genuine:"));
      break;

    case TH_ATTESTATION_POLICY_ASK:
    default:
      if (!g_signal_has_handler_pending (self, signals[SIGNAL_ATTESTATION_FAILED], 0, FALSE))
        {
          refuse (run, _("The device did not pass every check that it is genuine, and no one "
                         "was there to decide whether to add it anyway:"));
          break;
        }
      await_decision (run);
      break;
    }
}

/* The decision point. The fail-safe is kept armed meanwhile, re-armed at every half of its
 * length, within what the device allows in all (MaxCumulativeFailsafeSeconds), so that a
 * person may take their time. */

static void stop_waiting (Run *run);

static void
on_kept_alive (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data);

static gboolean
on_keep_alive (gpointer user_data)
{
  Run *run = user_data;

  run->keep_alive_source = 0;
  run->keep_alive_in_flight = TRUE;
  rearm_fail_safe (run, on_kept_alive);
  return G_SOURCE_REMOVE;
}

static void
schedule_keep_alive (Run *run)
{
  run->keep_alive_source = g_timeout_add (run->fail_safe_seconds * 1000u / 2, on_keep_alive,
                                          run);
}

static gboolean on_decided (gpointer user_data);

static void
on_kept_alive (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  run->keep_alive_in_flight = FALSE;
  if (!finish_arm_fail_safe (run, result, &error))
    {
      stop_waiting (run);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, _("The device could not be kept waiting for the decision: "));
      fail (run, error);
      return;
    }
  if (run->decided)
    on_decided (run);
  else
    schedule_keep_alive (run);
}

static void
stop_waiting (Run *run)
{
  run->awaiting_decision = FALSE;
  run->deciding_network = FALSE;
  g_clear_handle_id (&run->keep_alive_source, g_source_remove);
  g_clear_handle_id (&run->decision_source, g_source_remove);
  g_cancellable_disconnect (run_cancellable (run), run->cancelled_handler);
  run->cancelled_handler = 0;
}

static void network_decided (Run *run);

static gboolean
on_decided (gpointer user_data)
{
  Run *run = user_data;
  gboolean network = run->deciding_network;

  run->decision_source = 0;
  /* The re-arming under way ends first; its callback comes back here. */
  if (run->keep_alive_in_flight)
    return G_SOURCE_REMOVE;
  stop_waiting (run);

  if (g_cancellable_is_cancelled (run_cancellable (run)))
    {
      GError *error = NULL;

      g_cancellable_set_error_if_cancelled (run_cancellable (run), &error);
      fail (run, error);
    }
  else if (network)
    {
      network_decided (run);
    }
  else if (run->proceed)
    {
      advance (run);
    }
  else
    {
      refuse (run, _("You chose not to add the device, which did not pass every check that "
                     "it is genuine:"));
    }
  return G_SOURCE_REMOVE;
}

/* From the cancellable, maybe inside g_cancellable_connect(): only schedule. */
static void
on_cancelled_while_waiting (GCancellable *cancellable,
                            gpointer      user_data)
{
  Run *run = user_data;

  if (run->decided)
    return;
  run->decided = TRUE;
  run->decision_source = g_idle_add (on_decided, run);
}

/* Waits for an answer, keeping the fail-safe armed; the caller then emits its signal. */
static void
start_waiting (Run      *run,
               gboolean  network)
{
  run->awaiting_decision = TRUE;
  run->deciding_network = network;
  run->decided = FALSE;
  schedule_keep_alive (run);
  run->cancelled_handler = g_cancellable_connect (run_cancellable (run),
                                                  G_CALLBACK (on_cancelled_while_waiting),
                                                  run, NULL);
}

static void
await_decision (Run *run)
{
  start_waiting (run, FALSE);
  g_signal_emit (run->self, signals[SIGNAL_ATTESTATION_FAILED], 0,
                 run->self->attestation_result);
}

void
th_commissioner_resolve_attestation (ThCommissioner *self,
                                     gboolean        proceed)
{
  Run *run;

  g_return_if_fail (TH_IS_COMMISSIONER (self));

  run = self->task != NULL ? g_task_get_task_data (self->task) : NULL;
  if (run == NULL || !run->awaiting_decision || run->decided)
    return;
  run->decided = TRUE;
  run->proceed = proceed;
  /* The flow goes on from the main loop, never inside the caller (maybe a signal handler). */
  run->decision_source = g_idle_add (on_decided, run);
}

void
th_commissioner_provide_network_credentials (ThCommissioner             *self,
                                             const ThNetworkCredentials *credentials)
{
  Run *run;

  g_return_if_fail (TH_IS_COMMISSIONER (self));

  run = self->task != NULL ? g_task_get_task_data (self->task) : NULL;
  if (run == NULL || !run->awaiting_decision || !run->deciding_network || run->decided)
    return;
  run->decided = TRUE;
  run->proceed = credentials != NULL;
  g_clear_pointer (&run->network_credentials, th_network_credentials_free);
  if (credentials != NULL)
    run->network_credentials = th_network_credentials_copy (credentials);
  run->decision_source = g_idle_add (on_decided, run);
}

/* ---- CSR ---- */

static gboolean
check_csr_response (Run           *run,
                    GBytes        *fields,
                    GError       **error)
{
  g_autoptr(GByteArray) signed_data = NULL;
  ThSignedElements response;
  gsize len;
  const guint8 *data = g_bytes_get_data (fields, &len);

  if (!th_operational_credentials_decode_csr_response (data, len, &response, error))
    return FALSE;
  if (run->dac_key == NULL)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_ATTESTATION_CERTIFICATE,
                           _("The device’s attestation certificate (DAC) cannot be read, so "
                             "the key it offers cannot be checked."));
      return FALSE;
    }
  /* NOCSRElements || AttestationChallenge, signed with the DAC's key: the key offered
   * comes from the device that was attested, within this session. */
  signed_data = g_byte_array_sized_new (response.elements_len + TH_ATTESTATION_CHALLENGE_LEN);
  g_byte_array_append (signed_data, response.elements, response.elements_len);
  g_byte_array_append (signed_data, th_session_get_attestation_challenge (run->pase),
                       TH_ATTESTATION_CHALLENGE_LEN);
  if (!th_p256_key_verify (run->dac_key, signed_data->data, signed_data->len,
                           response.signature, error))
    {
      g_prefix_error (error, _("The device did not sign its operational key with its "
                               "attestation key: "));
      return FALSE;
    }
  run->operational_key = th_csr_parse_nocsr_elements (response.elements, response.elements_len,
                                                      run->csr_nonce, error);
  return run->operational_key != NULL;
}

static void
on_csr_response (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GBytes) fields = NULL;
  GError *error = NULL;

  if (!th_im_invoke_finish (run->manager, result, &fields, &error)
      || !check_csr_response (run, fields, &error))
    {
      fail (run, error);
      return;
    }
  advance (run);
}

static void
request_csr (Run *run)
{
  g_autoptr(GBytes) fields = NULL;
  GError *error = NULL;

  if (!th_random_bytes (run->csr_nonce, sizeof run->csr_nonce, &error))
    {
      fail (run, error);
      return;
    }
  fields = th_operational_credentials_encode_csr_request (run->csr_nonce, FALSE);
  invoke (run, run->pase, TH_CLUSTER_OPERATIONAL_CREDENTIALS,
          TH_OPERATIONAL_CREDENTIALS_CMD_CSR_REQUEST, fields,
          TH_OPERATIONAL_CREDENTIALS_CMD_CSR_RESPONSE, run_cancellable (run), on_csr_response);
  /* The key that must have signed the answer, read from the DAC while the device works. */
  run->dac_key = dac_public_key (run->dac);
}

/* ---- ISSUE_NOC, ADD_ROOT, ADD_NOC ---- */

static gboolean
issue_noc_now (Run     *run,
               GError **error)
{
  g_autoptr(ThCertificate) noc = NULL;
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];

  th_p256_key_get_public (run->operational_key, public_key);
  noc = th_fabric_issue_noc (run->home->fabric, public_key, run->home->next_node_id, NULL, 0,
                             error);
  if (noc == NULL)
    return FALSE;
  run->noc = th_certificate_encode_tlv (noc, error);
  return run->noc != NULL;
}

static void
issue_noc (Run *run)
{
  GError *error = NULL;

  if (!home_is_ready (run, FALSE))
    return;
  if (!issue_noc_now (run, &error))
    {
      fail (run, error);
      return;
    }
  if (!run->home->saved)
    start_home_job (run, save_home_in_thread, on_home_saved);
  advance (run);
}

static void
on_root_added (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  if (!th_im_invoke_finish (run->manager, result, NULL, &error))
    {
      fail (run, error);
      return;
    }
  advance (run);
}

static void
add_root (Run *run)
{
  g_autoptr(GBytes) fields = th_operational_credentials_encode_add_trusted_root_certificate (
    th_fabric_get_root_certificate_tlv (run->home->fabric));

  invoke (run, run->pase, TH_CLUSTER_OPERATIONAL_CREDENTIALS,
          TH_OPERATIONAL_CREDENTIALS_CMD_ADD_TRUSTED_ROOT_CERTIFICATE, fields,
          TH_IM_NO_RESPONSE_COMMAND, run_cancellable (run), on_root_added);
}

static void
on_noc_added (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;
  g_auto(ThNocResponse) response = { 0 };
  g_autoptr(GBytes) fields = NULL;
  GError *error = NULL;
  gsize len;
  const guint8 *data;

  if (!th_im_invoke_finish (run->manager, result, &fields, &error))
    {
      fail (run, error);
      return;
    }
  data = g_bytes_get_data (fields, &len);
  if (!th_noc_response_decode (data, len, &response, &error)
      || !th_noc_response_check (&response, "AddNOC", &error))
    {
      fail (run, error);
      return;
    }
  advance (run);
}

static void
add_noc (Run *run)
{
  g_autoptr(GBytes) fields = th_operational_credentials_encode_add_noc (
    run->noc, th_fabric_get_intermediate_certificate_tlv (run->home->fabric),
    th_fabric_get_ipk_epoch_key (run->home->fabric), run->home->controller->node_id,
    TH_COMMISSIONER_ADMIN_VENDOR_ID);

  invoke (run, run->pase, TH_CLUSTER_OPERATIONAL_CREDENTIALS,
          TH_OPERATIONAL_CREDENTIALS_CMD_ADD_NOC, fields,
          TH_OPERATIONAL_CREDENTIALS_CMD_NOC_RESPONSE, run_cancellable (run), on_noc_added);
}

/* ---- NETWORK ---- */

/* Network Commissioning gives ScanMaxTimeSeconds and ConnectMaxTimeSeconds as how long the
 * device may take to answer; a device that reports 0 gets the usual response time. */
static guint
network_timeout_ms (Run   *run,
                    guint8 seconds)
{
  return MAX (run->options->response_timeout_ms, seconds * 1000u);
}

static ThNetworkKind
interface_kinds (const ThNetworkInterface *interface)
{
  ThNetworkKind kinds = 0;

  if (interface->features & TH_NETWORK_COMMISSIONING_FEATURE_WIFI)
    kinds |= TH_NETWORK_KIND_WIFI;
  if (interface->features & TH_NETWORK_COMMISSIONING_FEATURE_THREAD)
    kinds |= TH_NETWORK_KIND_THREAD;
  return kinds;
}

static ThNetworkKind
device_network_kinds (Run *run)
{
  ThNetworkKind kinds = 0;

  for (guint i = 0; i < run->interfaces->len; i++)
    kinds |= interface_kinds (&g_array_index (run->interfaces, ThNetworkInterface, i));
  return kinds;
}

/* The first interface that can join a network of `kind`, or FALSE. */
static gboolean
find_interface (Run                *run,
                ThNetworkKind       kind,
                ThNetworkInterface *found)
{
  for (guint i = 0; i < run->interfaces->len; i++)
    {
      const ThNetworkInterface *interface = &g_array_index (run->interfaces,
                                                            ThNetworkInterface, i);

      if (interface_kinds (interface) & kind)
        {
          *found = *interface;
          return TRUE;
        }
    }
  return FALSE;
}

static GError *
kind_error (ThNetworkKind given)
{
  if (given == TH_NETWORK_KIND_THREAD)
    return g_error_new_literal (TH_ERROR, TH_ERROR_NETWORK_KIND,
                                _("The device cannot join a Thread network: it has Wi-Fi. "
                                  "Give it a Wi-Fi network instead."));
  return g_error_new_literal (TH_ERROR, TH_ERROR_NETWORK_KIND,
                              _("The device cannot join a Wi-Fi network: it has Thread. Give "
                                "it a Thread operational dataset instead."));
}

static void add_network (Run *run);

static void
ask_for_network (Run *run)
{
  g_autoptr(ThNetworkRequest) request = NULL;

  if (!g_signal_has_handler_pending (run->self, signals[SIGNAL_NETWORK_CREDENTIALS_NEEDED], 0,
                                     FALSE))
    {
      if (run->network_error != NULL)
        {
          fail (run, g_steal_pointer (&run->network_error));
          return;
        }
      fail_with (run, TH_ERROR, TH_ERROR_NETWORK_CREDENTIALS_NEEDED,
                 (device_network_kinds (run) & TH_NETWORK_KIND_WIFI)
                   ? _("The device needs the name and password of the Wi-Fi network to join, "
                       "and none were given.")
                   : _("The device needs the operational dataset of the Thread network to "
                       "join, and none was given."));
      return;
    }
  request = th_network_request_new (device_network_kinds (run), run->scan_results,
                                    run->scan_error, run->network_error);
  start_waiting (run, TRUE);
  g_signal_emit (run->self, signals[SIGNAL_NETWORK_CREDENTIALS_NEEDED], 0, request);
}

static void
network_decided (Run *run)
{
  if (!run->proceed)
    {
      fail_with (run, TH_ERROR, TH_ERROR_NETWORK_CREDENTIALS_NEEDED,
                 _("No network was given for the device to join."));
      return;
    }
  add_network (run);
}

/* A network the device did not take: asked again when someone can answer, else the end. */
static void
network_refused (Run    *run,
                 GError *error)
{
  g_clear_error (&run->network_error);
  run->network_error = error;
  g_clear_pointer (&run->network_credentials, th_network_credentials_free);
  ask_for_network (run);
}

static ThNetworkScanResult *
scan_result_from_wifi (const ThWiFiScanResult *wifi)
{
  ThNetworkScanResult *result = th_network_scan_result_new (TH_NETWORK_KIND_WIFI);

  result->ssid = g_bytes_new (wifi->ssid, wifi->ssid_len);
  result->channel = wifi->channel;
  result->rssi = wifi->has_rssi ? wifi->rssi : 0;
  result->security = wifi->security;
  return result;
}

static ThNetworkScanResult *
scan_result_from_thread (const ThThreadScanResult *thread)
{
  ThNetworkScanResult *result = th_network_scan_result_new (TH_NETWORK_KIND_THREAD);

  result->network_name = g_strdup (thread->network_name);
  result->pan_id = thread->pan_id;
  result->extended_pan_id = thread->extended_pan_id;
  result->channel = thread->channel;
  result->rssi = thread->rssi;
  return result;
}

static gboolean
decode_scan (Run     *run,
             GBytes  *fields,
             GError **error)
{
  g_auto(ThScanNetworksResponse) response = { 0 };
  gsize len;
  const guint8 *data = g_bytes_get_data (fields, &len);

  if (!th_scan_networks_response_decode (data, len, &response, error))
    return FALSE;
  if (response.status != TH_NETWORK_STATUS_SUCCESS)
    {
      g_autofree char *sentence = th_network_status_describe (response.status);

      g_set_error (error, TH_ERROR, TH_ERROR_NETWORK_FAILED,
                   _("The device could not look for networks: %s"), sentence);
      return FALSE;
    }
  for (guint i = 0; response.wifi_results != NULL && i < response.wifi_results->len; i++)
    g_ptr_array_add (run->scan_results,
                     scan_result_from_wifi (&g_array_index (response.wifi_results,
                                                            ThWiFiScanResult, i)));
  for (guint i = 0; response.thread_results != NULL && i < response.thread_results->len; i++)
    g_ptr_array_add (run->scan_results,
                     scan_result_from_thread (&g_array_index (response.thread_results,
                                                              ThThreadScanResult, i)));
  return TRUE;
}

static void
on_scanned (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GBytes) fields = NULL;
  GError *error = NULL;

  th_session_set_expected_processing_time (run->pase, run->options->response_timeout_ms);
  if (!th_im_invoke_finish (run->manager, result, &fields, &error)
      || !decode_scan (run, fields, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          fail (run, error);
          return;
        }
      /* The list only helps the person choose: without it they type the network in. */
      g_debug ("ScanNetworks failed: %s", error->message);
      run->scan_error = error;
    }
  ask_for_network (run);
}

static void
scan_networks (Run *run)
{
  g_autoptr(GBytes) fields = th_network_commissioning_encode_scan_networks (NULL, 0,
                                                                             run->stage);

  run->scan_results = g_ptr_array_new_with_free_func (
    (GDestroyNotify) th_network_scan_result_free);
  th_session_set_expected_processing_time (run->pase,
                                           network_timeout_ms (run, run->scan_max_seconds));
  invoke_on (run, run->pase, run->network_interface.endpoint, TH_CLUSTER_NETWORK_COMMISSIONING,
             TH_NETWORK_COMMISSIONING_CMD_SCAN_NETWORKS, fields,
             TH_NETWORK_COMMISSIONING_CMD_SCAN_NETWORKS_RESPONSE, run_cancellable (run),
             on_scanned);
}

static gboolean
check_network_response (Run           *run,
                        GAsyncResult  *result,
                        gboolean       connect,
                        GError       **error)
{
  g_autoptr(GBytes) fields = NULL;
  ThNetworkResponse response = { 0 };
  gsize len;
  const guint8 *data;
  gboolean ok;

  if (!th_im_invoke_finish (run->manager, result, &fields, error))
    return FALSE;
  data = g_bytes_get_data (fields, &len);
  ok = connect ? th_connect_network_response_decode (data, len, &response, error)
               : th_network_config_response_decode (data, len, &response, error);
  if (ok && response.status != TH_NETWORK_STATUS_SUCCESS)
    {
      g_propagate_error (error, th_network_status_error (response.status, response.debug_text,
                                                         run->network_credentials));
      ok = FALSE;
    }
  th_network_response_clear (&response);
  return ok;
}

/* A refusal of the network (a NetworkingStatus) can be answered with other credentials;
 * anything else ends the run. */
static gboolean
is_network_refusal (const GError *error)
{
  return g_error_matches (error, TH_ERROR, TH_ERROR_NETWORK_NOT_FOUND)
         || g_error_matches (error, TH_ERROR, TH_ERROR_NETWORK_AUTH_FAILED)
         || g_error_matches (error, TH_ERROR, TH_ERROR_NETWORK_FAILED);
}

/* What ends the commissioning channel when a device that cannot keep both connections
 * leaves it for its network. */
static gboolean
is_channel_loss (const GError *error)
{
  return g_error_matches (error, TH_ERROR, TH_ERROR_TRANSPORT)
         || g_error_matches (error, TH_ERROR, TH_ERROR_SESSION_CLOSED)
         || g_error_matches (error, TH_ERROR, TH_ERROR_TIMED_OUT);
}

static void
on_network_connected (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  th_session_set_expected_processing_time (run->pase, run->options->response_timeout_ms);
  if (check_network_response (run, result, TRUE, &error))
    {
      advance (run);
      return;
    }
  if (!run->commissioning_info.supports_concurrent_connection && is_channel_loss (error))
    {
      /* Expected (5.5): the device left the Bluetooth link to join its network; whether it
       * did is seen when it is looked for there. */
      g_debug ("The commissioning channel ended after ConnectNetwork: %s", error->message);
      g_error_free (error);
      run->fail_safe_armed = FALSE;
      advance (run);
      return;
    }
  if (is_network_refusal (error))
    network_refused (run, error);
  else
    fail (run, error);
}

static void
connect_network (Run *run)
{
  g_autoptr(GBytes) network_id = th_network_credentials_get_network_id (run->network_credentials);
  g_autoptr(GBytes) fields = NULL;

  if (network_id == NULL)
    {
      fail_with (run, TH_ERROR, TH_ERROR_THREAD_DATASET,
                 _("The Thread dataset has no Extended PAN ID, which names the network to "
                   "join."));
      return;
    }
  fields = th_network_commissioning_encode_connect_network (g_bytes_get_data (network_id, NULL),
                                                            g_bytes_get_size (network_id),
                                                            run->stage);
  th_session_set_expected_processing_time (run->pase,
                                           network_timeout_ms (run, run->connect_max_seconds));
  invoke_on (run, run->pase, run->network_interface.endpoint, TH_CLUSTER_NETWORK_COMMISSIONING,
             TH_NETWORK_COMMISSIONING_CMD_CONNECT_NETWORK, fields,
             TH_NETWORK_COMMISSIONING_CMD_CONNECT_NETWORK_RESPONSE, run_cancellable (run),
             on_network_connected);
}

static void
on_armed_for_connect (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  if (!finish_arm_fail_safe (run, result, &error))
    {
      fail (run, error);
      return;
    }
  connect_network (run);
}

static void
on_network_added (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Run *run = user_data;
  guint needed;
  GError *error = NULL;

  if (!check_network_response (run, result, FALSE, &error))
    {
      if (is_network_refusal (error))
        network_refused (run, error);
      else
        fail (run, error);
      return;
    }
  /* Joining may take the device ConnectMaxTimeSeconds, and CASE must follow before the
   * fail-safe expires (5.5, step 12): armed afresh, for at least that long. */
  needed = run->connect_max_seconds + run->options->response_timeout_ms / 1000;
  if (needed > run->fail_safe_seconds)
    run->fail_safe_seconds = MIN (needed, G_MAXUINT16);
  if (run->commissioning_info.has_max_cumulative_failsafe_seconds
      && run->fail_safe_seconds > run->commissioning_info.max_cumulative_failsafe_seconds)
    run->fail_safe_seconds = run->commissioning_info.max_cumulative_failsafe_seconds;
  rearm_fail_safe (run, on_armed_for_connect);
}

static void
add_network (Run *run)
{
  ThNetworkKind kind = th_network_credentials_get_kind (run->network_credentials);
  g_autoptr(GBytes) fields = NULL;
  const guint8 *secret;
  gsize len;

  if (!find_interface (run, kind, &run->network_interface))
    {
      GError *error = kind_error (kind);

      if (run->options->network_credentials == NULL)
        network_refused (run, error);
      else
        fail (run, error);
      return;
    }
  if (kind == TH_NETWORK_KIND_WIFI)
    {
      gsize ssid_len;
      const guint8 *ssid = th_network_credentials_get_ssid (run->network_credentials, &ssid_len);

      secret = th_network_credentials_get_password (run->network_credentials, &len);
      fields = th_network_commissioning_encode_add_or_update_wifi_network (ssid, ssid_len,
                                                                           secret, len,
                                                                           run->stage);
    }
  else
    {
      secret = th_network_credentials_get_dataset (run->network_credentials, &len);
      fields = th_network_commissioning_encode_add_or_update_thread_network (secret, len,
                                                                             run->stage);
    }
  invoke_on (run, run->pase, run->network_interface.endpoint, TH_CLUSTER_NETWORK_COMMISSIONING,
             kind == TH_NETWORK_KIND_WIFI
               ? TH_NETWORK_COMMISSIONING_CMD_ADD_OR_UPDATE_WIFI_NETWORK
               : TH_NETWORK_COMMISSIONING_CMD_ADD_OR_UPDATE_THREAD_NETWORK,
             fields, TH_NETWORK_COMMISSIONING_CMD_NETWORK_CONFIG_RESPONSE, run_cancellable (run),
             on_network_added);
}

static void
on_network_limits_read (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(ThImAttributeValues) values = NULL;
  guint16 endpoint = run->network_interface.endpoint;
  guint64 scan_max = 0, connect_max = 0;
  GError *error = NULL;

  values = th_im_read_finish (run->manager, result, &error);
  if (values == NULL
      || !th_im_attribute_values_get_uint (values, endpoint, TH_CLUSTER_NETWORK_COMMISSIONING,
                                           TH_NETWORK_COMMISSIONING_ATTR_SCAN_MAX_TIME_SECONDS,
                                           G_MAXUINT8, &scan_max, &error)
      || !th_im_attribute_values_get_uint (values, endpoint, TH_CLUSTER_NETWORK_COMMISSIONING,
                                           TH_NETWORK_COMMISSIONING_ATTR_CONNECT_MAX_TIME_SECONDS,
                                           G_MAXUINT8, &connect_max, &error))
    {
      fail (run, error);
      return;
    }
  run->scan_max_seconds = scan_max;
  run->connect_max_seconds = connect_max;
  g_debug ("Network interface on endpoint %u: scan within %u s, connect within %u s", endpoint,
           run->scan_max_seconds, run->connect_max_seconds);
  if (run->network_credentials != NULL)
    add_network (run);
  else
    scan_networks (run);
}

static void
set_up_network (Run *run)
{
  ThNetworkCredentials *given = run->options->network_credentials;
  ThNetworkKind kind = given != NULL ? th_network_credentials_get_kind (given)
                                     : TH_NETWORK_KIND_WIFI | TH_NETWORK_KIND_THREAD;
  const ThImAttributePath paths[] = {
    TH_IM_ATTRIBUTE_PATH (0, TH_CLUSTER_NETWORK_COMMISSIONING,
                          TH_NETWORK_COMMISSIONING_ATTR_SCAN_MAX_TIME_SECONDS),
    TH_IM_ATTRIBUTE_PATH (0, TH_CLUSTER_NETWORK_COMMISSIONING,
                          TH_NETWORK_COMMISSIONING_ATTR_CONNECT_MAX_TIME_SECONDS),
  };
  ThImAttributePath endpoint_paths[G_N_ELEMENTS (paths)];

  if (!find_interface (run, kind, &run->network_interface))
    {
      fail (run, kind_error (kind));
      return;
    }
  if (given != NULL)
    run->network_credentials = th_network_credentials_copy (given);
  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      endpoint_paths[i] = paths[i];
      endpoint_paths[i].endpoint = run->network_interface.endpoint;
    }
  th_im_read_async (run->manager, run->pase, endpoint_paths, G_N_ELEMENTS (endpoint_paths),
                    run_cancellable (run), on_network_limits_read, run);
}

/* ---- OPERATIONAL_DISCOVERY ---- */

static void
on_operational_found (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(ThDiscoveredDevice) device = NULL;
  GError *error = NULL;

  device = th_dnssd_resolve_operational_finish (result, &error);
  if (device == NULL)
    {
      g_prefix_error (&error, _("The device did not appear on its network: "));
      fail (run, error);
      return;
    }
  g_clear_object (&run->address);
  run->address = g_object_ref (g_ptr_array_index (th_discovered_device_get_addresses (device),
                                                  0));
  th_dnssd_txt_get_mrp_parameters (th_discovered_device_get_txt (device), &run->device_mrp);
  run->has_device_mrp = TRUE;
  advance (run);
}

/* Over BLE the device joined its network just now: it is looked for there, for as long as it
 * may take to join and announce itself, and CASE goes over IP. */
static void
discover_operational (Run *run)
{
  g_autoptr(ThUdpTransport) transport = NULL;
  GError *error = NULL;

  if (!home_is_ready (run, FALSE))
    return;
  transport = th_udp_transport_new (NULL, 0, &error);
  if (transport != NULL)
    run->ip_manager = th_exchange_manager_new (TH_TRANSPORT (transport), NULL, &error);
  if (run->ip_manager == NULL)
    {
      fail (run, error);
      return;
    }
  th_dnssd_resolve_operational_async (
    th_case_identity_get_compressed_fabric_id_value (run->case_identity),
    run->home->next_node_id,
    run->options->discovery_timeout_ms + run->connect_max_seconds * 1000u,
    run_cancellable (run), on_operational_found, run);
}

/* ---- CASE, COMPLETE ---- */

static void
on_operational (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  run->operational = th_operational_session_open_finish (operational_manager (run), result,
                                                         &error);
  if (run->operational == NULL)
    {
      fail (run, error);
      return;
    }
  th_session_set_expected_processing_time (run->operational, run->options->response_timeout_ms);
  advance (run);
}

static void
establish_case (Run *run)
{
  th_operational_session_open_async (operational_manager (run), run->case_identity,
                                     run->home->next_node_id, run->address,
                                     run->over_ble && run->has_device_mrp
                                       ? &run->device_mrp
                                       : th_session_get_peer_mrp_parameters (run->pase),
                                     run->options->discovery_timeout_ms, run_cancellable (run),
                                     on_operational, run);
}

static void
on_completed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;
  g_auto(ThCommissioningResponse) response = { 0 };
  g_autoptr(GBytes) fields = NULL;
  GError *error = NULL;
  gsize len;
  const guint8 *data;

  if (!th_im_invoke_finish (operational_manager (run), result, &fields, &error))
    {
      fail (run, error);
      return;
    }
  data = g_bytes_get_data (fields, &len);
  if (!th_commissioning_response_decode (data, len, "CommissioningCompleteResponse", &response,
                                         &error)
      || !th_commissioning_response_check (&response, "CommissioningComplete", &error))
    {
      fail (run, error);
      return;
    }
  /* Disarmed by the device: what it was given is its for good. */
  run->fail_safe_armed = FALSE;
  advance (run);
}

static void
complete (Run *run)
{
  /* A new home is on disk before the device keeps what it was given. */
  if (!home_is_ready (run, TRUE))
    return;
  invoke (run, run->operational, TH_CLUSTER_GENERAL_COMMISSIONING,
          TH_GENERAL_COMMISSIONING_CMD_COMMISSIONING_COMPLETE, NULL,
          TH_GENERAL_COMMISSIONING_CMD_COMMISSIONING_COMPLETE_RESPONSE, run_cancellable (run),
          on_completed);
}

/* ---- PERSIST ---- */

/* The On/Off endpoint if there is one, else the first endpoint past the root: what the
 * device is, by the device type of that endpoint. */
static void
describe_endpoints (Run          *run,
                    ThStoredNode *node)
{
  gint on_off = th_endpoint_descriptions_find_server (run->endpoints, TH_CLUSTER_ON_OFF);

  node->on_off_endpoint = on_off > 0 ? on_off : 0;
  for (guint i = 0; i < run->endpoints->len; i++)
    {
      ThEndpointDescription *description = g_ptr_array_index (run->endpoints, i);

      if (description->endpoint == TH_ROOT_ENDPOINT || description->device_types->len == 0)
        continue;
      if (on_off > 0 && description->endpoint != on_off)
        continue;
      for (guint j = 0; j < description->device_types->len; j++)
        {
          guint32 type = g_array_index (description->device_types, guint32, j);

          if (type != ROOT_NODE_DEVICE_TYPE)
            {
              node->device_type = type;
              return;
            }
        }
    }
}

static void
persist (Run *run)
{
  g_autoptr(ThStoredNode) node = th_stored_node_new ();
  GError *error = NULL;

  node->node_id = run->home->next_node_id;
  node->vendor_id = run->info.vendor_id;
  node->product_id = run->info.product_id;
  node->vendor_name = g_strdup (run->info.vendor_name);
  node->product_name = g_strdup (run->info.product_name);
  node->node_label = g_strdup (run->info.node_label);
  node->serial_number = g_strdup (run->info.serial_number);
  describe_endpoints (run, node);
  node->commissioned_at = g_get_real_time () / G_USEC_PER_SEC;
  if (!th_store_add_node (run->self->store, node, &error))
    {
      g_prefix_error (&error, _("The device was added, but it could not be remembered; reset "
                                "it to add it again: "));
      fail (run, error);
      return;
    }
  finish (run, g_steal_pointer (&node));
}

static void
run_stage (Run *run)
{
  switch (run->stage)
    {
    case TH_COMMISSIONING_STAGE_DISCOVERY:
      discover (run);
      break;
    case TH_COMMISSIONING_STAGE_PASE:
      establish_pase (run);
      break;
    case TH_COMMISSIONING_STAGE_READ_INFO:
      read_info (run);
      break;
    case TH_COMMISSIONING_STAGE_ARM_FAIL_SAFE:
      arm_fail_safe (run);
      break;
    case TH_COMMISSIONING_STAGE_REGULATORY:
      if (run->has_radio)
        set_regulatory_config (run, run->options->country_code);
      else
        set_utc_time (run);
      break;
    case TH_COMMISSIONING_STAGE_ATTESTATION:
      request_attestation (run);
      break;
    case TH_COMMISSIONING_STAGE_CSR:
      request_csr (run);
      break;
    case TH_COMMISSIONING_STAGE_ISSUE_NOC:
      issue_noc (run);
      break;
    case TH_COMMISSIONING_STAGE_ADD_ROOT:
      add_root (run);
      break;
    case TH_COMMISSIONING_STAGE_ADD_NOC:
      add_noc (run);
      break;
    case TH_COMMISSIONING_STAGE_CASE:
      establish_case (run);
      break;
    case TH_COMMISSIONING_STAGE_COMPLETE:
      complete (run);
      break;
    case TH_COMMISSIONING_STAGE_PERSIST:
      persist (run);
      break;
    case TH_COMMISSIONING_STAGE_NETWORK:
      set_up_network (run);
      break;
    case TH_COMMISSIONING_STAGE_OPERATIONAL_DISCOVERY:
      discover_operational (run);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* ---- The object ---- */

static void
th_commissioner_dispose (GObject *object)
{
  ThCommissioner *self = TH_COMMISSIONER (object);

  g_clear_pointer (&self->attestation_result, th_attestation_result_unref);

  G_OBJECT_CLASS (th_commissioner_parent_class)->dispose (object);
}

static void
th_commissioner_finalize (GObject *object)
{
  ThCommissioner *self = TH_COMMISSIONER (object);

  g_clear_pointer (&self->paa_store, th_paa_store_unref);
  g_clear_pointer (&self->cd_signers, th_cd_signers_unref);
  g_clear_pointer (&self->revocations, th_revocation_set_unref);

  G_OBJECT_CLASS (th_commissioner_parent_class)->finalize (object);
}

static void
th_commissioner_class_init (ThCommissionerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = th_commissioner_dispose;
  object_class->finalize = th_commissioner_finalize;

  signals[SIGNAL_STAGE_CHANGED] =
    g_signal_new ("stage-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, TH_TYPE_COMMISSIONING_STAGE, G_TYPE_DOUBLE);
  signals[SIGNAL_ATTESTATION_FAILED] =
    g_signal_new ("attestation-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, TH_TYPE_ATTESTATION_RESULT);
  signals[SIGNAL_NETWORK_CREDENTIALS_NEEDED] =
    g_signal_new ("network-credentials-needed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, TH_TYPE_NETWORK_REQUEST);
}

static void
th_commissioner_init (ThCommissioner *self)
{
}

ThCommissioner *
th_commissioner_new (ThStore         *store,
                     ThPaaStore      *paa_store,
                     ThCdSigners     *cd_signers,
                     ThRevocationSet *revocations)
{
  ThCommissioner *self;

  g_return_val_if_fail (store != NULL && paa_store != NULL && cd_signers != NULL, NULL);

  self = g_object_new (TH_TYPE_COMMISSIONER, NULL);
  self->store = store;
  self->paa_store = th_paa_store_ref (paa_store);
  self->cd_signers = th_cd_signers_ref (cd_signers);
  self->revocations = revocations != NULL ? th_revocation_set_ref (revocations) : NULL;
  return self;
}

void
th_commissioner_commission_async (ThCommissioner               *self,
                                  const ThSetupPayload         *payload,
                                  const ThCommissioningOptions *options,
                                  GCancellable                 *cancellable,
                                  GAsyncReadyCallback           callback,
                                  gpointer                      user_data)
{
  g_autoptr(GCancellable) own_cancellable = NULL;
  GTask *task;
  Run *run;
  GError *error = NULL;

  g_return_if_fail (TH_IS_COMMISSIONER (self));
  g_return_if_fail (payload != NULL);
  g_return_if_fail (self->task == NULL);

  /* The flow always has a cancellable to watch while it waits for a decision. */
  if (cancellable == NULL)
    own_cancellable = cancellable = g_cancellable_new ();
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, th_commissioner_commission_async);
  /* Errors name the stage even when the cause was a cancellation. */
  g_task_set_check_cancellable (task, FALSE);
  if (!th_setup_payload_validate (payload, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  run = g_new0 (Run, 1);
  run->self = self;
  run->task = task;
  run->payload = th_setup_payload_copy (payload);
  run->options = options != NULL ? th_commissioning_options_copy (options)
                                 : th_commissioning_options_new ();
  g_task_set_task_data (task, run, run_free);
  self->task = task;
  self->failed = FALSE;
  g_clear_pointer (&self->attestation_result, th_attestation_result_unref);
  start_stage (run, TH_COMMISSIONING_STAGE_DISCOVERY);
}

ThStoredNode *
th_commissioner_commission_finish (ThCommissioner  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        th_commissioner_commission_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

ThAttestationResult *
th_commissioner_get_attestation_result (ThCommissioner *self)
{
  g_return_val_if_fail (TH_IS_COMMISSIONER (self), NULL);

  return self->attestation_result;
}

gboolean
th_commissioner_get_failed_stage (ThCommissioner       *self,
                                  ThCommissioningStage *stage)
{
  g_return_val_if_fail (TH_IS_COMMISSIONER (self), FALSE);

  if (self->failed && stage != NULL)
    *stage = self->failed_stage;
  return self->failed;
}
