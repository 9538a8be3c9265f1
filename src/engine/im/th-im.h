/* th-im.h: Interaction Model message codec (core specification, chapters 8 and 10)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure functions over TLV, no networking: the encoders build the payload of one message (the
 * part after the protocol header), the decoders take one received payload. Every decoder is
 * strictly bounds-checked and reports malformed input as TH_ERROR_IM_PROTOCOL.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TH_IM_PROTOCOL_ID 0x0001

/* The revision this codec speaks (Matter 1.4); sent in every message as field 0xFF. Received
 * messages may carry any revision, or none (Matter 1.0). */
#define TH_IM_REVISION 12

typedef enum
{
  TH_IM_OPCODE_STATUS_RESPONSE = 0x01,
  TH_IM_OPCODE_READ_REQUEST = 0x02,
  TH_IM_OPCODE_SUBSCRIBE_REQUEST = 0x03,
  TH_IM_OPCODE_SUBSCRIBE_RESPONSE = 0x04,
  TH_IM_OPCODE_REPORT_DATA = 0x05,
  TH_IM_OPCODE_WRITE_REQUEST = 0x06,
  TH_IM_OPCODE_WRITE_RESPONSE = 0x07,
  TH_IM_OPCODE_INVOKE_REQUEST = 0x08,
  TH_IM_OPCODE_INVOKE_RESPONSE = 0x09,
  TH_IM_OPCODE_TIMED_REQUEST = 0x0A,
} ThImOpcode;

/* Interaction Model status codes */
typedef enum
{
  TH_IM_STATUS_SUCCESS = 0x00,
  TH_IM_STATUS_FAILURE = 0x01,
  TH_IM_STATUS_INVALID_SUBSCRIPTION = 0x7D,
  TH_IM_STATUS_UNSUPPORTED_ACCESS = 0x7E,
  TH_IM_STATUS_UNSUPPORTED_ENDPOINT = 0x7F,
  TH_IM_STATUS_INVALID_ACTION = 0x80,
  TH_IM_STATUS_UNSUPPORTED_COMMAND = 0x81,
  TH_IM_STATUS_INVALID_COMMAND = 0x85,
  TH_IM_STATUS_UNSUPPORTED_ATTRIBUTE = 0x86,
  TH_IM_STATUS_CONSTRAINT_ERROR = 0x87,
  TH_IM_STATUS_UNSUPPORTED_WRITE = 0x88,
  TH_IM_STATUS_RESOURCE_EXHAUSTED = 0x89,
  TH_IM_STATUS_NOT_FOUND = 0x8B,
  TH_IM_STATUS_UNREPORTABLE_ATTRIBUTE = 0x8C,
  TH_IM_STATUS_INVALID_DATA_TYPE = 0x8D,
  TH_IM_STATUS_UNSUPPORTED_READ = 0x8F,
  TH_IM_STATUS_DATA_VERSION_MISMATCH = 0x92,
  TH_IM_STATUS_TIMEOUT = 0x94,
  TH_IM_STATUS_UNSUPPORTED_NODE = 0x9B,
  TH_IM_STATUS_BUSY = 0x9C,
  TH_IM_STATUS_ACCESS_RESTRICTED = 0x9D,
  TH_IM_STATUS_UNSUPPORTED_CLUSTER = 0xC3,
  TH_IM_STATUS_NO_UPSTREAM_SUBSCRIPTION = 0xC5,
  TH_IM_STATUS_NEEDS_TIMED_INTERACTION = 0xC6,
  TH_IM_STATUS_UNSUPPORTED_EVENT = 0xC7,
  TH_IM_STATUS_PATHS_EXHAUSTED = 0xC8,
  TH_IM_STATUS_TIMED_REQUEST_MISMATCH = 0xC9,
  TH_IM_STATUS_FAILSAFE_REQUIRED = 0xCA,
  TH_IM_STATUS_INVALID_IN_STATE = 0xCB,
  TH_IM_STATUS_NO_COMMAND_RESPONSE = 0xCC,
  TH_IM_STATUS_TERMS_AND_CONDITIONS_CHANGED = 0xCD,
  TH_IM_STATUS_MAINTENANCE_REQUIRED = 0xCE,
  TH_IM_STATUS_DYNAMIC_CONSTRAINT_ERROR = 0xCF,
  TH_IM_STATUS_ALREADY_EXISTS = 0xD0,
  TH_IM_STATUS_INVALID_TRANSPORT_TYPE = 0xD1,
} ThImStatus;

/* StatusIB: a status, with a cluster-specific status for some failures */
typedef struct
{
  guint8 status;
  gboolean has_cluster_status;
  guint8 cluster_status;
} ThImStatusIB;

/* The specification's name of a status ("UNSUPPORTED_COMMAND"), or NULL when unknown. */
const char *th_im_status_get_name      (guint8              status);
/* What the status means, as one translated sentence ending in a full stop. */
char       *th_im_status_describe      (const ThImStatusIB *status);
/* TRUE for SUCCESS; otherwise FALSE with TH_ERROR_IM_STATUS whose message is `context`, a
 * colon and the sentence of th_im_status_describe. */
gboolean    th_im_status_check         (const ThImStatusIB *status,
                                        const char         *context,
                                        GError            **error);

/* Paths. A request path may leave out the endpoint, the cluster or the attribute
 * (wildcards); the paths of reports are always concrete. */
#define TH_IM_ENDPOINT_WILDCARD G_MAXUINT16
#define TH_IM_CLUSTER_WILDCARD G_MAXUINT32
#define TH_IM_ATTRIBUTE_WILDCARD G_MAXUINT32

/* AttributePathIB */
typedef struct
{
  gboolean has_node;
  guint64 node;
  guint16 endpoint;           /* or TH_IM_ENDPOINT_WILDCARD */
  guint32 cluster;            /* or TH_IM_CLUSTER_WILDCARD */
  guint32 attribute;          /* or TH_IM_ATTRIBUTE_WILDCARD */
  /* In a report: ListIndex is null, so the data is one item to append to the list that an
   * earlier report of the same path replaced. */
  gboolean list_append;
  guint32 wildcard_flags;     /* WildcardPathFlags of a request; 0 leaves the field out */
} ThImAttributePath;

#define TH_IM_ATTRIBUTE_PATH(e, c, a) \
  ((ThImAttributePath) { .endpoint = (e), .cluster = (c), .attribute = (a) })

/* DataVersionFilterIB: the cluster's data is not sent again while its version is this one */
typedef struct
{
  guint16 endpoint;
  guint32 cluster;
  guint32 data_version;
} ThImDataVersionFilter;

/* One CommandDataIB of an InvokeRequest. `fields` is the command's fields, encoded as one
 * anonymous TLV structure (the cluster codecs produce them); NULL sends an empty structure. */
typedef struct
{
  guint16 endpoint;
  guint32 cluster;
  guint32 command;
  GBytes *fields;
  gboolean has_ref;           /* CommandRef, needed when one request carries several commands */
  guint16 ref;
} ThImCommand;

/* Encoders. Their arguments are programming input: misuse is a g_critical and NULL. The
 * InvokeRequest and WriteRequest payloads may carry secrets (an IPK, Wi-Fi credentials), so
 * their memory is wiped when the last reference goes. `timed_request` says that the request
 * follows a TimedRequest on the same exchange, which some commands require (those of
 * Administrator Commissioning, for one). */
GBytes *th_im_encode_read_request     (const ThImAttributePath     *paths,
                                       gsize                        n_paths,
                                       const ThImDataVersionFilter *filters,
                                       gsize                        n_filters,
                                       gboolean                     fabric_filtered);
GBytes *th_im_encode_invoke_request   (const ThImCommand           *commands,
                                       gsize                        n_commands,
                                       gboolean                     timed_request,
                                       gboolean                     suppress_response);
/* `data` is the new value as one anonymous TLV element. */
GBytes *th_im_encode_write_request    (const ThImAttributePath     *path,
                                       GBytes                      *data,
                                       gboolean                     has_data_version,
                                       guint32                      data_version,
                                       gboolean                     timed_request);
GBytes *th_im_encode_timed_request    (guint16                      timeout_ms);
GBytes *th_im_encode_status_response  (guint8                       status);

/* Decoders. The decoded structures keep a reference to the message and point into it. */

/* AttributeReportIB: either data (AttributeDataIB) or a status (AttributeStatusIB). Paths that
 * use tag compression are completed from the report before them in the same message. */
typedef struct
{
  ThImAttributePath path;
  gboolean is_status;
  ThImStatusIB status;        /* when is_status */
  gboolean has_data_version;
  guint32 data_version;
  /* The Data element with its context tag, when !is_status: a reader started on it finds the
   * value as its first element. */
  const guint8 *data;
  gsize data_len;
} ThImAttributeReport;

typedef struct
{
  /*< private >*/
  GBytes *message;
  /*< public >*/
  gboolean has_subscription_id;
  guint32 subscription_id;
  GArray *attribute_reports;  /* of ThImAttributeReport */
  guint n_event_reports;      /* events are checked and skipped: nothing here reads them */
  gboolean more_chunked_messages;
  gboolean suppress_response;
  gboolean has_revision;
  guint8 revision;
} ThImReportData;

ThImReportData *th_im_report_data_decode (GBytes          *message,
                                          GError         **error);
void            th_im_report_data_free   (ThImReportData  *report);

/* InvokeResponseIB: either a response command (CommandDataIB) or a status (CommandStatusIB) */
typedef struct
{
  guint16 endpoint;
  guint32 cluster;
  guint32 command;
  gboolean has_ref;
  guint16 ref;
  gboolean is_status;
  ThImStatusIB status;        /* when is_status */
  /* The response command's fields, a structure with its context tag, or NULL when the
   * device sent none. */
  const guint8 *fields;
  gsize fields_len;
} ThImInvokeResult;

typedef struct
{
  /*< private >*/
  GBytes *message;
  /*< public >*/
  gboolean suppress_response;
  GArray *results;            /* of ThImInvokeResult */
  gboolean more_chunked_messages;
  gboolean has_revision;
  guint8 revision;
} ThImInvokeResponse;

ThImInvokeResponse *th_im_invoke_response_decode (GBytes             *message,
                                                  GError            **error);
void                th_im_invoke_response_free   (ThImInvokeResponse *response);

/* For a request that invoked one command: checks that the response holds exactly one result
 * for that command's endpoint and cluster, and that it is what the command answers with.
 * `response_command` is the id of the response command, or TH_IM_NO_RESPONSE_COMMAND when the
 * command answers with a status only. On success, `fields` (when not NULL) is set to the
 * response command's fields (NULL for a status). A failure status is TH_ERROR_IM_STATUS;
 * anything unexpected is TH_ERROR_IM_PROTOCOL. `name` names the command in errors. */
#define TH_IM_NO_RESPONSE_COMMAND G_MAXUINT32

gboolean th_im_invoke_response_check (const ThImInvokeResponse *response,
                                      const ThImCommand        *request,
                                      guint32                   response_command,
                                      const char               *name,
                                      const guint8            **fields,
                                      gsize                    *fields_len,
                                      GError                  **error);

/* AttributeStatusIB */
typedef struct
{
  ThImAttributePath path;
  ThImStatusIB status;
} ThImAttributeStatus;

typedef struct
{
  GArray *statuses;           /* of ThImAttributeStatus */
  gboolean has_revision;
  guint8 revision;
} ThImWriteResponse;

ThImWriteResponse *th_im_write_response_decode (GBytes            *message,
                                                GError           **error);
void               th_im_write_response_free   (ThImWriteResponse *response);
/* The status reported for `path`; TH_ERROR_IM_STATUS unless it is SUCCESS,
 * TH_ERROR_IM_PROTOCOL when the path is not in the response. */
gboolean           th_im_write_response_check  (const ThImWriteResponse *response,
                                                const ThImAttributePath *path,
                                                GError                 **error);

gboolean th_im_status_response_decode (GBytes  *message,
                                       guint8  *status,
                                       GError **error);

/* Attribute values gathered from the ReportData messages of one read, chunks merged: a list
 * sent as a replacement followed by appends (ListIndex null) comes back as one array. */
typedef struct _ThImAttributeValues ThImAttributeValues;

ThImAttributeValues *th_im_attribute_values_new        (void);
void                 th_im_attribute_values_free       (ThImAttributeValues   *values);
/* Adds the reports of one message, in the order received. Fails with TH_ERROR_IM_PROTOCOL on
 * an append to a list that was never sent. */
gboolean             th_im_attribute_values_add        (ThImAttributeValues   *values,
                                                        const ThImReportData  *report,
                                                        GError               **error);
/* The concrete paths reported, data or status, in the order first seen. */
GArray              *th_im_attribute_values_get_paths  (ThImAttributeValues   *values);
/* The value at a concrete path, as one anonymous TLV element. Fails with TH_ERROR_IM_STATUS
 * when the device reported a status instead, and TH_ERROR_IM_NOT_REPORTED when the path was
 * not reported at all. */
GBytes              *th_im_attribute_values_lookup     (ThImAttributeValues   *values,
                                                        guint16                endpoint,
                                                        guint32                cluster,
                                                        guint32                attribute,
                                                        guint32               *data_version,
                                                        GError               **error);
/* Typed lookups; a value of another type (or out of range) is TH_ERROR_IM_PROTOCOL. */
gboolean             th_im_attribute_values_get_uint   (ThImAttributeValues   *values,
                                                        guint16                endpoint,
                                                        guint32                cluster,
                                                        guint32                attribute,
                                                        guint64                max,
                                                        guint64               *value,
                                                        GError               **error);
gboolean             th_im_attribute_values_get_bool   (ThImAttributeValues   *values,
                                                        guint16                endpoint,
                                                        guint32                cluster,
                                                        guint32                attribute,
                                                        gboolean              *value,
                                                        GError               **error);
/* A UTF-8 string of at most max_len bytes, newly allocated. */
gboolean             th_im_attribute_values_get_string (ThImAttributeValues   *values,
                                                        guint16                endpoint,
                                                        guint32                cluster,
                                                        guint32                attribute,
                                                        gsize                  max_len,
                                                        char                 **value,
                                                        GError               **error);

/* An array of unsigned integers of at most `max` each, as a GArray of guint32. */
GArray              *th_im_attribute_values_get_uint_array (ThImAttributeValues *values,
                                                            guint16              endpoint,
                                                            guint32              cluster,
                                                            guint32              attribute,
                                                            guint32              max,
                                                            GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThImReportData, th_im_report_data_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThImInvokeResponse, th_im_invoke_response_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThImWriteResponse, th_im_write_response_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThImAttributeValues, th_im_attribute_values_free)

G_END_DECLS
