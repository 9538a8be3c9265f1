/* th-im.c: Interaction Model message codec
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "th-error.h"
#include "th-im-fields.h"
#include "th-im.h"
#include "tlv/th-tlv.h"

/* Context tags (core specification, chapter 10) */
enum
{
  /* every message */
  TAG_INTERACTION_MODEL_REVISION = 0xFF,

  /* AttributePathIB (a list) */
  TAG_ATTRIBUTE_PATH_ENABLE_TAG_COMPRESSION = 0,
  TAG_ATTRIBUTE_PATH_NODE = 1,
  TAG_ATTRIBUTE_PATH_ENDPOINT = 2,
  TAG_ATTRIBUTE_PATH_CLUSTER = 3,
  TAG_ATTRIBUTE_PATH_ATTRIBUTE = 4,
  TAG_ATTRIBUTE_PATH_LIST_INDEX = 5,
  TAG_ATTRIBUTE_PATH_WILDCARD_FLAGS = 6,

  /* ClusterPathIB (a list) */
  TAG_CLUSTER_PATH_NODE = 0,
  TAG_CLUSTER_PATH_ENDPOINT = 1,
  TAG_CLUSTER_PATH_CLUSTER = 2,

  /* CommandPathIB (a list) */
  TAG_COMMAND_PATH_ENDPOINT = 0,
  TAG_COMMAND_PATH_CLUSTER = 1,
  TAG_COMMAND_PATH_COMMAND = 2,

  /* StatusIB */
  TAG_STATUS_STATUS = 0,
  TAG_STATUS_CLUSTER_STATUS = 1,

  /* DataVersionFilterIB */
  TAG_DATA_VERSION_FILTER_PATH = 0,
  TAG_DATA_VERSION_FILTER_DATA_VERSION = 1,

  /* AttributeDataIB */
  TAG_ATTRIBUTE_DATA_DATA_VERSION = 0,
  TAG_ATTRIBUTE_DATA_PATH = 1,
  TAG_ATTRIBUTE_DATA_DATA = 2,

  /* AttributeStatusIB */
  TAG_ATTRIBUTE_STATUS_PATH = 0,
  TAG_ATTRIBUTE_STATUS_STATUS = 1,

  /* AttributeReportIB */
  TAG_ATTRIBUTE_REPORT_STATUS = 0,
  TAG_ATTRIBUTE_REPORT_DATA = 1,

  /* CommandDataIB */
  TAG_COMMAND_DATA_PATH = 0,
  TAG_COMMAND_DATA_FIELDS = 1,
  TAG_COMMAND_DATA_REF = 2,

  /* CommandStatusIB */
  TAG_COMMAND_STATUS_PATH = 0,
  TAG_COMMAND_STATUS_STATUS = 1,
  TAG_COMMAND_STATUS_REF = 2,

  /* InvokeResponseIB */
  TAG_INVOKE_RESPONSE_IB_COMMAND = 0,
  TAG_INVOKE_RESPONSE_IB_STATUS = 1,

  /* ReadRequestMessage */
  TAG_READ_ATTRIBUTE_REQUESTS = 0,
  TAG_READ_EVENT_REQUESTS = 1,
  TAG_READ_EVENT_FILTERS = 2,
  TAG_READ_FABRIC_FILTERED = 3,
  TAG_READ_DATA_VERSION_FILTERS = 4,

  /* ReportDataMessage */
  TAG_REPORT_SUBSCRIPTION_ID = 0,
  TAG_REPORT_ATTRIBUTE_REPORTS = 1,
  TAG_REPORT_EVENT_REPORTS = 2,
  TAG_REPORT_MORE_CHUNKED_MESSAGES = 3,
  TAG_REPORT_SUPPRESS_RESPONSE = 4,

  /* WriteRequestMessage */
  TAG_WRITE_SUPPRESS_RESPONSE = 0,
  TAG_WRITE_TIMED_REQUEST = 1,
  TAG_WRITE_WRITE_REQUESTS = 2,

  /* WriteResponseMessage */
  TAG_WRITE_RESPONSES = 0,

  /* InvokeRequestMessage */
  TAG_INVOKE_SUPPRESS_RESPONSE = 0,
  TAG_INVOKE_TIMED_REQUEST = 1,
  TAG_INVOKE_INVOKE_REQUESTS = 2,

  /* InvokeResponseMessage */
  TAG_INVOKE_RESPONSE_SUPPRESS_RESPONSE = 0,
  TAG_INVOKE_RESPONSE_INVOKE_RESPONSES = 1,
  TAG_INVOKE_RESPONSE_MORE_CHUNKED_MESSAGES = 2,

  /* TimedRequestMessage */
  TAG_TIMED_TIMEOUT = 0,

  /* StatusResponseMessage */
  TAG_STATUS_RESPONSE_STATUS = 0,
};

/* Encoding details the splicing below relies on (core specification, appendix A): an element
 * starts with a control byte whose top three bits say how the tag is encoded (0 anonymous, 1 a
 * one-byte context tag) and whose low five bits are the element type; a container ends with
 * the byte 0x18. */
#define TLV_TAG_CONTROL_MASK 0xE0
#define TLV_TAG_CONTROL_CONTEXT 0x20

/* Status codes */

typedef struct
{
  guint8 code;
  const char *name;
  const char *sentence;
} StatusInfo;

static const StatusInfo statuses[] = {
  { TH_IM_STATUS_SUCCESS, "SUCCESS", N_("The operation succeeded.") },
  { TH_IM_STATUS_FAILURE, "FAILURE",
    N_("The device could not carry out the operation and gave no specific reason.") },
  { TH_IM_STATUS_INVALID_SUBSCRIPTION, "INVALID_SUBSCRIPTION",
    N_("The device does not know the subscription the message refers to.") },
  { TH_IM_STATUS_UNSUPPORTED_ACCESS, "UNSUPPORTED_ACCESS",
    N_("The device denied access: this controller lacks the privilege the operation needs.") },
  { TH_IM_STATUS_UNSUPPORTED_ENDPOINT, "UNSUPPORTED_ENDPOINT",
    N_("The device has no such endpoint.") },
  { TH_IM_STATUS_INVALID_ACTION, "INVALID_ACTION",
    N_("The device rejected the request as malformed or not allowed at this point.") },
  { TH_IM_STATUS_UNSUPPORTED_COMMAND, "UNSUPPORTED_COMMAND",
    N_("The device does not support this command on the cluster.") },
  { TH_IM_STATUS_INVALID_COMMAND, "INVALID_COMMAND",
    N_("The device rejected the command because its fields are missing or invalid.") },
  { TH_IM_STATUS_UNSUPPORTED_ATTRIBUTE, "UNSUPPORTED_ATTRIBUTE",
    N_("The device does not have this attribute.") },
  { TH_IM_STATUS_CONSTRAINT_ERROR, "CONSTRAINT_ERROR",
    N_("The device rejected a value that is outside the allowed range.") },
  { TH_IM_STATUS_UNSUPPORTED_WRITE, "UNSUPPORTED_WRITE",
    N_("The attribute cannot be written.") },
  { TH_IM_STATUS_RESOURCE_EXHAUSTED, "RESOURCE_EXHAUSTED",
    N_("The device has run out of the memory or other resources the operation needs.") },
  { TH_IM_STATUS_NOT_FOUND, "NOT_FOUND",
    N_("The device could not find the item the operation refers to.") },
  { TH_IM_STATUS_UNREPORTABLE_ATTRIBUTE, "UNREPORTABLE_ATTRIBUTE",
    N_("The attribute cannot be reported.") },
  { TH_IM_STATUS_INVALID_DATA_TYPE, "INVALID_DATA_TYPE",
    N_("The device rejected a value of the wrong data type.") },
  { TH_IM_STATUS_UNSUPPORTED_READ, "UNSUPPORTED_READ",
    N_("The attribute cannot be read.") },
  { TH_IM_STATUS_DATA_VERSION_MISMATCH, "DATA_VERSION_MISMATCH",
    N_("The data changed on the device since this controller last read it.") },
  { TH_IM_STATUS_TIMEOUT, "TIMEOUT",
    N_("The time allowed for the timed operation ran out before the device received it.") },
  { TH_IM_STATUS_UNSUPPORTED_NODE, "UNSUPPORTED_NODE",
    N_("The request was addressed to a node that is not this device.") },
  { TH_IM_STATUS_BUSY, "BUSY",
    N_("The device is busy; try again in a moment.") },
  { TH_IM_STATUS_ACCESS_RESTRICTED, "ACCESS_RESTRICTED",
    N_("The device restricts access to this item at the moment.") },
  { TH_IM_STATUS_UNSUPPORTED_CLUSTER, "UNSUPPORTED_CLUSTER",
    N_("The device does not have this cluster on the endpoint.") },
  { TH_IM_STATUS_NO_UPSTREAM_SUBSCRIPTION, "NO_UPSTREAM_SUBSCRIPTION",
    N_("The proxy on the path has no subscription to the data.") },
  { TH_IM_STATUS_NEEDS_TIMED_INTERACTION, "NEEDS_TIMED_INTERACTION",
    N_("The device accepts this operation only as a timed interaction.") },
  { TH_IM_STATUS_UNSUPPORTED_EVENT, "UNSUPPORTED_EVENT",
    N_("The device does not have this event.") },
  { TH_IM_STATUS_PATHS_EXHAUSTED, "PATHS_EXHAUSTED",
    N_("The request names more paths than the device can handle.") },
  { TH_IM_STATUS_TIMED_REQUEST_MISMATCH, "TIMED_REQUEST_MISMATCH",
    N_("The request and the timed request that announced it do not match.") },
  { TH_IM_STATUS_FAILSAFE_REQUIRED, "FAILSAFE_REQUIRED",
    N_("The operation is allowed only while the fail-safe timer is armed.") },
  { TH_IM_STATUS_INVALID_IN_STATE, "INVALID_IN_STATE",
    N_("The device cannot do this in its current state.") },
  { TH_IM_STATUS_NO_COMMAND_RESPONSE, "NO_COMMAND_RESPONSE",
    N_("The device handled the command but has no response to send.") },
  { TH_IM_STATUS_TERMS_AND_CONDITIONS_CHANGED, "TERMS_AND_CONDITIONS_CHANGED",
    N_("The device's terms and conditions changed and must be accepted again.") },
  { TH_IM_STATUS_MAINTENANCE_REQUIRED, "MAINTENANCE_REQUIRED",
    N_("The device needs maintenance before it can do this.") },
  { TH_IM_STATUS_DYNAMIC_CONSTRAINT_ERROR, "DYNAMIC_CONSTRAINT_ERROR",
    N_("The device rejected a value that conflicts with its current settings.") },
  { TH_IM_STATUS_ALREADY_EXISTS, "ALREADY_EXISTS",
    N_("The item the operation would create already exists on the device.") },
  { TH_IM_STATUS_INVALID_TRANSPORT_TYPE, "INVALID_TRANSPORT_TYPE",
    N_("The device does not accept this operation over the current transport.") },
};

static const StatusInfo *
find_status (guint8 status)
{
  for (gsize i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (statuses[i].code == status)
      return &statuses[i];
  return NULL;
}

const char *
th_im_status_get_name (guint8 status)
{
  const StatusInfo *info = find_status (status);

  return info != NULL ? info->name : NULL;
}

char *
th_im_status_describe (const ThImStatusIB *status)
{
  const StatusInfo *info;
  g_autofree char *sentence = NULL;

  g_return_val_if_fail (status != NULL, NULL);

  info = find_status (status->status);
  if (info != NULL)
    sentence = g_strdup (_(info->sentence));
  else
    sentence = g_strdup_printf (_("The device reported a status this application does not "
                                  "know, 0x%02x."), status->status);
  if (!status->has_cluster_status)
    return g_steal_pointer (&sentence);
  return g_strdup_printf (_("%s The cluster gave its own status code, %u."),
                          sentence, status->cluster_status);
}

gboolean
th_im_status_check (const ThImStatusIB *status,
                    const char         *context,
                    GError            **error)
{
  g_autofree char *sentence = NULL;

  g_return_val_if_fail (status != NULL, FALSE);
  g_return_val_if_fail (context != NULL, FALSE);

  if (status->status == TH_IM_STATUS_SUCCESS)
    return TRUE;
  sentence = th_im_status_describe (status);
  g_set_error (error, TH_ERROR, TH_ERROR_IM_STATUS, "%s: %s", context, sentence);
  return FALSE;
}

/* Encoders */

static void
put_revision (ThTlvWriter *writer)
{
  th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (TAG_INTERACTION_MODEL_REVISION),
                          TH_IM_REVISION);
}

static void
put_attribute_path (ThTlvWriter             *writer,
                    ThTlvTag                 tag,
                    const ThImAttributePath *path)
{
  th_tlv_writer_start_list (writer, tag);
  if (path->has_node)
    th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (TAG_ATTRIBUTE_PATH_NODE), path->node);
  if (path->endpoint != TH_IM_ENDPOINT_WILDCARD)
    th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (TAG_ATTRIBUTE_PATH_ENDPOINT),
                            path->endpoint);
  if (path->cluster != TH_IM_CLUSTER_WILDCARD)
    th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (TAG_ATTRIBUTE_PATH_CLUSTER), path->cluster);
  if (path->attribute != TH_IM_ATTRIBUTE_WILDCARD)
    th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (TAG_ATTRIBUTE_PATH_ATTRIBUTE),
                            path->attribute);
  if (path->list_append)
    th_tlv_writer_put_null (writer, TH_TLV_CONTEXT (TAG_ATTRIBUTE_PATH_LIST_INDEX));
  if (path->wildcard_flags != 0)
    th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (TAG_ATTRIBUTE_PATH_WILDCARD_FLAGS),
                            path->wildcard_flags);
  th_tlv_writer_end_container (writer);
}

GBytes *
th_im_encode_read_request (const ThImAttributePath     *paths,
                           gsize                        n_paths,
                           const ThImDataVersionFilter *filters,
                           gsize                        n_filters,
                           gboolean                     fabric_filtered)
{
  g_auto(ThTlvWriter) writer = { 0 };

  g_return_val_if_fail (paths != NULL && n_paths > 0, NULL);
  g_return_val_if_fail (filters != NULL || n_filters == 0, NULL);

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);

  th_tlv_writer_start_array (&writer, TH_TLV_CONTEXT (TAG_READ_ATTRIBUTE_REQUESTS));
  for (gsize i = 0; i < n_paths; i++)
    put_attribute_path (&writer, TH_TLV_ANONYMOUS, &paths[i]);
  th_tlv_writer_end_container (&writer);

  th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (TAG_READ_FABRIC_FILTERED), fabric_filtered);

  if (n_filters > 0)
    {
      th_tlv_writer_start_array (&writer, TH_TLV_CONTEXT (TAG_READ_DATA_VERSION_FILTERS));
      for (gsize i = 0; i < n_filters; i++)
        {
          th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
          th_tlv_writer_start_list (&writer, TH_TLV_CONTEXT (TAG_DATA_VERSION_FILTER_PATH));
          th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TAG_CLUSTER_PATH_ENDPOINT),
                                  filters[i].endpoint);
          th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TAG_CLUSTER_PATH_CLUSTER),
                                  filters[i].cluster);
          th_tlv_writer_end_container (&writer);
          th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TAG_DATA_VERSION_FILTER_DATA_VERSION),
                                  filters[i].data_version);
          th_tlv_writer_end_container (&writer);
        }
      th_tlv_writer_end_container (&writer);
    }

  put_revision (&writer);
  th_tlv_writer_end_container (&writer);
  return th_tlv_writer_finish (&writer);
}

/* Whether `bytes` is exactly one anonymous element, of `type` unless that is NONE. */
static gboolean
is_one_anonymous_element (GBytes    *bytes,
                          ThTlvType  type)
{
  ThTlvReader reader;
  const guint8 *data;
  gsize len;
  const guint8 *element;
  gsize element_len;

  data = g_bytes_get_data (bytes, &len);
  th_tlv_reader_init (&reader, data, len);
  if (!th_tlv_reader_next (&reader, NULL)
      || th_tlv_reader_get_tag (&reader).kind != TH_TLV_TAG_ANONYMOUS
      || (type != TH_TLV_TYPE_NONE && th_tlv_reader_get_type (&reader) != type)
      || !th_tlv_reader_get_element (&reader, &element, &element_len, NULL))
    return FALSE;
  return element_len == len;
}

/* A piece of caller data to splice into an encoding at `offset`: the skeleton written with
 * the TLV writer holds no caller data, so that secrets in it never pass through the writer's
 * growing buffer and are copied once, into memory that is wiped. */
typedef struct
{
  gsize offset;
  const guint8 *prefix;       /* bytes that go before the data, e.g. a new tag */
  gsize prefix_len;
  const guint8 *data;
  gsize data_len;
} Splice;

static GBytes *
finish_spliced (ThTlvWriter  *writer,
                const Splice *splices,
                gsize         n_splices)
{
  const guint8 *skeleton;
  gsize skeleton_len;
  gsize total;
  gsize done = 0;
  guint8 *out;
  guint8 *p;
  GBytes *bytes;

  skeleton = th_tlv_writer_peek (writer, &skeleton_len);
  total = skeleton_len;
  for (gsize i = 0; i < n_splices; i++)
    total += splices[i].prefix_len + splices[i].data_len;

  bytes = th_im_wiped_bytes_new (total, &out);
  p = out;
  for (gsize i = 0; i < n_splices; i++)
    {
      memcpy (p, skeleton + done, splices[i].offset - done);
      p += splices[i].offset - done;
      done = splices[i].offset;
      if (splices[i].prefix_len > 0)
        memcpy (p, splices[i].prefix, splices[i].prefix_len);
      p += splices[i].prefix_len;
      if (splices[i].data_len > 0)
        memcpy (p, splices[i].data, splices[i].data_len);
      p += splices[i].data_len;
    }
  memcpy (p, skeleton + done, skeleton_len - done);
  return bytes;
}

GBytes *
th_im_encode_invoke_request (const ThImCommand *commands,
                             gsize              n_commands,
                             gboolean           timed_request,
                             gboolean           suppress_response)
{
  g_auto(ThTlvWriter) writer = { 0 };
  g_autofree Splice *splices = NULL;

  g_return_val_if_fail (commands != NULL && n_commands > 0, NULL);
  for (gsize i = 0; i < n_commands; i++)
    {
      if (commands[i].fields != NULL
          && !is_one_anonymous_element (commands[i].fields, TH_TLV_TYPE_STRUCTURE))
        {
          g_critical ("%s: the fields of command %zu are not one anonymous TLV structure",
                      G_STRFUNC, i);
          return NULL;
        }
    }

  splices = g_new0 (Splice, n_commands);
  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (TAG_INVOKE_SUPPRESS_RESPONSE),
                          suppress_response);
  th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (TAG_INVOKE_TIMED_REQUEST), timed_request);
  th_tlv_writer_start_array (&writer, TH_TLV_CONTEXT (TAG_INVOKE_INVOKE_REQUESTS));
  for (gsize i = 0; i < n_commands; i++)
    {
      const ThImCommand *command = &commands[i];

      th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
      th_tlv_writer_start_list (&writer, TH_TLV_CONTEXT (TAG_COMMAND_DATA_PATH));
      th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TAG_COMMAND_PATH_ENDPOINT),
                              command->endpoint);
      th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TAG_COMMAND_PATH_CLUSTER),
                              command->cluster);
      th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TAG_COMMAND_PATH_COMMAND),
                              command->command);
      th_tlv_writer_end_container (&writer);

      /* An empty structure in the skeleton; the members of the caller's structure (all of
       * it but its first and last byte) go between its header and its end. */
      th_tlv_writer_start_structure (&writer, TH_TLV_CONTEXT (TAG_COMMAND_DATA_FIELDS));
      th_tlv_writer_peek (&writer, &splices[i].offset);
      th_tlv_writer_end_container (&writer);
      if (command->fields != NULL)
        {
          gsize len;
          const guint8 *data = g_bytes_get_data (command->fields, &len);

          splices[i].data = data + 1;
          splices[i].data_len = len - 2;
        }

      if (command->has_ref)
        th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TAG_COMMAND_DATA_REF), command->ref);
      th_tlv_writer_end_container (&writer);
    }
  th_tlv_writer_end_container (&writer);
  put_revision (&writer);
  th_tlv_writer_end_container (&writer);

  return finish_spliced (&writer, splices, n_commands);
}

GBytes *
th_im_encode_write_request (const ThImAttributePath *path,
                            GBytes                  *data,
                            gboolean                 has_data_version,
                            guint32                  data_version,
                            gboolean                 timed_request)
{
  g_auto(ThTlvWriter) writer = { 0 };
  Splice splice = { 0 };
  guint8 header[2];
  const guint8 *value;
  gsize value_len;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (path->endpoint != TH_IM_ENDPOINT_WILDCARD
                        && path->cluster != TH_IM_CLUSTER_WILDCARD
                        && path->attribute != TH_IM_ATTRIBUTE_WILDCARD, NULL);
  g_return_val_if_fail (data != NULL, NULL);
  if (!is_one_anonymous_element (data, TH_TLV_TYPE_NONE))
    {
      g_critical ("%s: the data is not one anonymous TLV element", G_STRFUNC);
      return NULL;
    }

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (TAG_WRITE_SUPPRESS_RESPONSE), FALSE);
  th_tlv_writer_put_bool (&writer, TH_TLV_CONTEXT (TAG_WRITE_TIMED_REQUEST), timed_request);
  th_tlv_writer_start_array (&writer, TH_TLV_CONTEXT (TAG_WRITE_WRITE_REQUESTS));
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  if (has_data_version)
    th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TAG_ATTRIBUTE_DATA_DATA_VERSION),
                            data_version);
  put_attribute_path (&writer, TH_TLV_CONTEXT (TAG_ATTRIBUTE_DATA_PATH), path);
  th_tlv_writer_peek (&writer, &splice.offset);
  th_tlv_writer_end_container (&writer);
  th_tlv_writer_end_container (&writer);
  put_revision (&writer);
  th_tlv_writer_end_container (&writer);

  /* The anonymous element becomes the Data field: same type, a context tag. */
  value = g_bytes_get_data (data, &value_len);
  header[0] = TLV_TAG_CONTROL_CONTEXT | value[0];
  header[1] = TAG_ATTRIBUTE_DATA_DATA;
  splice.prefix = header;
  splice.prefix_len = sizeof header;
  splice.data = value + 1;
  splice.data_len = value_len - 1;
  return finish_spliced (&writer, &splice, 1);
}

GBytes *
th_im_encode_timed_request (guint16 timeout_ms)
{
  g_auto(ThTlvWriter) writer = { 0 };

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TAG_TIMED_TIMEOUT), timeout_ms);
  put_revision (&writer);
  th_tlv_writer_end_container (&writer);
  return th_tlv_writer_finish (&writer);
}

GBytes *
th_im_encode_status_response (guint8 status)
{
  g_auto(ThTlvWriter) writer = { 0 };

  th_tlv_writer_init (&writer);
  th_tlv_writer_start_structure (&writer, TH_TLV_ANONYMOUS);
  th_tlv_writer_put_uint (&writer, TH_TLV_CONTEXT (TAG_STATUS_RESPONSE_STATUS), status);
  put_revision (&writer);
  th_tlv_writer_end_container (&writer);
  return th_tlv_writer_finish (&writer);
}

/* Decoders */

static gboolean
read_revision (ThImFields *fields,
               gboolean   *has_revision,
               guint8     *revision,
               GError    **error)
{
  guint64 v;

  if (!th_im_fields_get_uint (fields, G_MAXUINT8, &v, error))
    return FALSE;
  *has_revision = TRUE;
  *revision = (guint8) v;
  return TRUE;
}

static gboolean
read_status_ib (ThTlvReader  *reader,
                ThImStatusIB *status,
                GError      **error)
{
  ThImFields fields;
  guint8 tag;
  guint64 v;
  GError *local = NULL;

  memset (status, 0, sizeof *status);
  if (!th_im_fields_enter (&fields, reader, TH_TLV_TYPE_STRUCTURE, "StatusIB", error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case TAG_STATUS_STATUS:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT8, &v, error))
            return FALSE;
          status->status = (guint8) v;
          break;
        case TAG_STATUS_CLUSTER_STATUS:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT8, &v, error))
            return FALSE;
          status->has_cluster_status = TRUE;
          status->cluster_status = (guint8) v;
          break;
        default:
          break;
        }
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return th_im_fields_require (&fields, TAG_STATUS_STATUS, "Status", error);
}

/* An AttributePathIB as received; absent fields are left as wildcards. */
static gboolean
read_attribute_path (ThTlvReader       *reader,
                     ThImAttributePath *path,
                     gboolean          *compressed,
                     GError           **error)
{
  ThImFields fields;
  guint8 tag;
  guint64 v;
  GError *local = NULL;

  *path = TH_IM_ATTRIBUTE_PATH (TH_IM_ENDPOINT_WILDCARD, TH_IM_CLUSTER_WILDCARD,
                                TH_IM_ATTRIBUTE_WILDCARD);
  *compressed = FALSE;
  if (!th_im_fields_enter (&fields, reader, TH_TLV_TYPE_LIST, "AttributePathIB", error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case TAG_ATTRIBUTE_PATH_ENABLE_TAG_COMPRESSION:
          if (!th_im_fields_get_bool (&fields, compressed, error))
            return FALSE;
          break;
        case TAG_ATTRIBUTE_PATH_NODE:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT64, &path->node, error))
            return FALSE;
          path->has_node = TRUE;
          break;
        case TAG_ATTRIBUTE_PATH_ENDPOINT:
          /* 0xFFFF is no endpoint number; it stands for the wildcard here */
          if (!th_im_fields_get_uint (&fields, G_MAXUINT16 - 1, &v, error))
            return FALSE;
          path->endpoint = (guint16) v;
          break;
        case TAG_ATTRIBUTE_PATH_CLUSTER:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT32 - 1, &v, error))
            return FALSE;
          path->cluster = (guint32) v;
          break;
        case TAG_ATTRIBUTE_PATH_ATTRIBUTE:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT32 - 1, &v, error))
            return FALSE;
          path->attribute = (guint32) v;
          break;
        case TAG_ATTRIBUTE_PATH_LIST_INDEX:
          /* Only null (append one item) is in use; a numbered item is not defined. */
          if (!th_im_fields_is_null (&fields))
            {
              g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                           _("The AttributePathIB is malformed: its list index at byte %zu "
                             "is not null, and only null is allowed"),
                           th_tlv_reader_get_offset (fields.reader));
              return FALSE;
            }
          path->list_append = TRUE;
          break;
        case TAG_ATTRIBUTE_PATH_WILDCARD_FLAGS:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT32, &v, error))
            return FALSE;
          path->wildcard_flags = (guint32) v;
          break;
        default:
          break;
        }
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

/* The last concrete path of a message, which tag compression refers to */
typedef struct
{
  gboolean valid;
  ThImAttributePath path;
  gboolean has_data_version;
  guint32 data_version;
} PathContext;

/* Completes a received path that must be concrete, and remembers it. */
static gboolean
resolve_attribute_path (PathContext       *context,
                        ThImAttributePath *path,
                        gboolean           compressed,
                        gboolean          *has_data_version,
                        guint32           *data_version,
                        gsize              offset,
                        GError           **error)
{
  if (compressed)
    {
      if (!context->valid)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                       _("The attribute path at byte %zu uses tag compression, but no path "
                         "comes before it"), offset);
          return FALSE;
        }
      if (!path->has_node && context->path.has_node)
        {
          path->has_node = TRUE;
          path->node = context->path.node;
        }
      if (path->endpoint == TH_IM_ENDPOINT_WILDCARD)
        path->endpoint = context->path.endpoint;
      if (path->cluster == TH_IM_CLUSTER_WILDCARD)
        path->cluster = context->path.cluster;
      if (path->attribute == TH_IM_ATTRIBUTE_WILDCARD)
        path->attribute = context->path.attribute;
      if (has_data_version != NULL && !*has_data_version && context->has_data_version)
        {
          *has_data_version = TRUE;
          *data_version = context->data_version;
        }
    }
  if (path->endpoint == TH_IM_ENDPOINT_WILDCARD || path->cluster == TH_IM_CLUSTER_WILDCARD
      || path->attribute == TH_IM_ATTRIBUTE_WILDCARD)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                   _("The attribute path at byte %zu lacks its endpoint, cluster or attribute, "
                     "which a report must name"), offset);
      return FALSE;
    }
  context->valid = TRUE;
  context->path = *path;
  context->has_data_version = has_data_version != NULL && *has_data_version;
  context->data_version = context->has_data_version ? *data_version : 0;
  return TRUE;
}

/* AttributeStatusIB */
static gboolean
read_attribute_status (ThTlvReader         *reader,
                       PathContext         *context,
                       ThImAttributePath   *path,
                       ThImStatusIB        *status,
                       GError             **error)
{
  ThImFields fields;
  guint8 tag;
  gboolean compressed = FALSE;
  gsize path_offset = 0;
  GError *local = NULL;

  if (!th_im_fields_enter (&fields, reader, TH_TLV_TYPE_STRUCTURE, "AttributeStatusIB", error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case TAG_ATTRIBUTE_STATUS_PATH:
          path_offset = th_tlv_reader_get_offset (fields.reader);
          if (!read_attribute_path (reader, path, &compressed, error))
            return FALSE;
          break;
        case TAG_ATTRIBUTE_STATUS_STATUS:
          if (!read_status_ib (reader, status, error))
            return FALSE;
          break;
        default:
          break;
        }
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return th_im_fields_require (&fields, TAG_ATTRIBUTE_STATUS_PATH, "Path", error)
         && th_im_fields_require (&fields, TAG_ATTRIBUTE_STATUS_STATUS, "Status", error)
         && resolve_attribute_path (context, path, compressed, NULL, NULL, path_offset, error);
}

/* AttributeDataIB */
static gboolean
read_attribute_data (ThTlvReader         *reader,
                     PathContext         *context,
                     ThImAttributeReport *report,
                     GError             **error)
{
  ThImFields fields;
  guint8 tag;
  guint64 v;
  gboolean compressed = FALSE;
  gsize path_offset = 0;
  GError *local = NULL;

  if (!th_im_fields_enter (&fields, reader, TH_TLV_TYPE_STRUCTURE, "AttributeDataIB", error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case TAG_ATTRIBUTE_DATA_DATA_VERSION:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT32, &v, error))
            return FALSE;
          report->has_data_version = TRUE;
          report->data_version = (guint32) v;
          break;
        case TAG_ATTRIBUTE_DATA_PATH:
          path_offset = th_tlv_reader_get_offset (fields.reader);
          if (!read_attribute_path (reader, &report->path, &compressed, error))
            return FALSE;
          break;
        case TAG_ATTRIBUTE_DATA_DATA:
          if (!th_im_fields_get_element (&fields, &report->data, &report->data_len, error))
            return FALSE;
          break;
        default:
          break;
        }
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return th_im_fields_require (&fields, TAG_ATTRIBUTE_DATA_PATH, "Path", error)
         && th_im_fields_require (&fields, TAG_ATTRIBUTE_DATA_DATA, "Data", error)
         && resolve_attribute_path (context, &report->path, compressed,
                                    &report->has_data_version, &report->data_version,
                                    path_offset, error);
}

/* AttributeReportIB: exactly one of a status and data */
static gboolean
read_attribute_report (ThTlvReader         *reader,
                       PathContext         *context,
                       ThImAttributeReport *report,
                       GError             **error)
{
  ThImFields fields;
  guint8 tag;
  gsize offset = th_tlv_reader_get_offset (reader);
  GError *local = NULL;

  memset (report, 0, sizeof *report);
  if (!th_im_fields_enter (&fields, reader, TH_TLV_TYPE_STRUCTURE, "AttributeReportIB", error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case TAG_ATTRIBUTE_REPORT_STATUS:
          report->is_status = TRUE;
          if (!read_attribute_status (reader, context, &report->path, &report->status, error))
            return FALSE;
          break;
        case TAG_ATTRIBUTE_REPORT_DATA:
          if (!read_attribute_data (reader, context, report, error))
            return FALSE;
          break;
        default:
          break;
        }
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (th_im_fields_has (&fields, TAG_ATTRIBUTE_REPORT_STATUS)
      == th_im_fields_has (&fields, TAG_ATTRIBUTE_REPORT_DATA))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                   _("The attribute report at byte %zu should hold either data or a status"),
                   offset);
      return FALSE;
    }
  return TRUE;
}

void
th_im_report_data_free (ThImReportData *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->message, g_bytes_unref);
  g_clear_pointer (&report->attribute_reports, g_array_unref);
  g_free (report);
}

static gboolean
decode_report_data (ThImReportData *report,
                    GError        **error)
{
  ThTlvReader reader;
  ThImFields fields;
  guint8 tag;
  guint64 v;
  gsize len;
  const guint8 *data = g_bytes_get_data (report->message, &len);
  PathContext context = { 0 };
  GError *local = NULL;

  if (!th_im_fields_open (&fields, &reader, data, len, "ReportData message", error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case TAG_REPORT_SUBSCRIPTION_ID:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT32, &v, error))
            return FALSE;
          report->has_subscription_id = TRUE;
          report->subscription_id = (guint32) v;
          break;
        case TAG_REPORT_ATTRIBUTE_REPORTS:
          if (!th_im_fields_enter_array (&fields, error))
            return FALSE;
          while (th_tlv_reader_next (&reader, &local))
            {
              ThImAttributeReport item;

              if (!read_attribute_report (&reader, &context, &item, error))
                return FALSE;
              g_array_append_val (report->attribute_reports, item);
            }
          if (local != NULL || !th_tlv_reader_exit (&reader, &local))
            {
              th_im_fields_propagate (fields.what, error, local);
              return FALSE;
            }
          break;
        case TAG_REPORT_EVENT_REPORTS:
          if (!th_im_fields_enter_array (&fields, error))
            return FALSE;
          while (th_tlv_reader_next (&reader, &local))
            report->n_event_reports++;
          if (local != NULL || !th_tlv_reader_exit (&reader, &local))
            {
              th_im_fields_propagate (fields.what, error, local);
              return FALSE;
            }
          break;
        case TAG_REPORT_MORE_CHUNKED_MESSAGES:
          if (!th_im_fields_get_bool (&fields, &report->more_chunked_messages, error))
            return FALSE;
          break;
        case TAG_REPORT_SUPPRESS_RESPONSE:
          if (!th_im_fields_get_bool (&fields, &report->suppress_response, error))
            return FALSE;
          break;
        case TAG_INTERACTION_MODEL_REVISION:
          if (!read_revision (&fields, &report->has_revision, &report->revision, error))
            return FALSE;
          break;
        default:
          break;
        }
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

ThImReportData *
th_im_report_data_decode (GBytes  *message,
                          GError **error)
{
  g_autoptr(ThImReportData) report = NULL;
  GError *local = NULL;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  report = g_new0 (ThImReportData, 1);
  report->message = g_bytes_ref (message);
  report->attribute_reports = g_array_new (FALSE, TRUE, sizeof (ThImAttributeReport));
  if (!decode_report_data (report, &local))
    {
      th_im_fields_propagate ("ReportData message", error, local);
      return NULL;
    }
  return g_steal_pointer (&report);
}

/* CommandPathIB; in a response every part of it is required. */
static gboolean
read_command_path (ThTlvReader      *reader,
                   ThImInvokeResult *result,
                   GError          **error)
{
  ThImFields fields;
  guint8 tag;
  guint64 v;
  GError *local = NULL;

  if (!th_im_fields_enter (&fields, reader, TH_TLV_TYPE_LIST, "CommandPathIB", error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case TAG_COMMAND_PATH_ENDPOINT:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT16 - 1, &v, error))
            return FALSE;
          result->endpoint = (guint16) v;
          break;
        case TAG_COMMAND_PATH_CLUSTER:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT32 - 1, &v, error))
            return FALSE;
          result->cluster = (guint32) v;
          break;
        case TAG_COMMAND_PATH_COMMAND:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT32 - 1, &v, error))
            return FALSE;
          result->command = (guint32) v;
          break;
        default:
          break;
        }
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return th_im_fields_require (&fields, TAG_COMMAND_PATH_ENDPOINT, "Endpoint", error)
         && th_im_fields_require (&fields, TAG_COMMAND_PATH_CLUSTER, "Cluster", error)
         && th_im_fields_require (&fields, TAG_COMMAND_PATH_COMMAND, "Command", error);
}

/* CommandDataIB or CommandStatusIB: the path, the fields or the status, and the ref share
 * their tags. */
static gboolean
read_command_result (ThTlvReader      *reader,
                     ThImInvokeResult *result,
                     GError          **error)
{
  ThImFields fields;
  guint8 tag;
  guint64 v;
  const char *what = result->is_status ? "CommandStatusIB" : "CommandDataIB";
  GError *local = NULL;

  if (!th_im_fields_enter (&fields, reader, TH_TLV_TYPE_STRUCTURE, what, error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case TAG_COMMAND_DATA_PATH:
          if (!read_command_path (reader, result, error))
            return FALSE;
          break;
        case TAG_COMMAND_DATA_FIELDS:
          if (result->is_status)
            {
              if (!read_status_ib (reader, &result->status, error))
                return FALSE;
            }
          else
            {
              if (th_tlv_reader_get_type (fields.reader) != TH_TLV_TYPE_STRUCTURE)
                {
                  g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                               _("The CommandDataIB is malformed: the command fields at byte "
                                 "%zu are not a structure"),
                               th_tlv_reader_get_offset (fields.reader));
                  return FALSE;
                }
              if (!th_im_fields_get_element (&fields, &result->fields, &result->fields_len,
                                             error))
                return FALSE;
            }
          break;
        case TAG_COMMAND_DATA_REF:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT16, &v, error))
            return FALSE;
          result->has_ref = TRUE;
          result->ref = (guint16) v;
          break;
        default:
          break;
        }
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (!th_im_fields_require (&fields, TAG_COMMAND_DATA_PATH, "CommandPath", error))
    return FALSE;
  return !result->is_status
         || th_im_fields_require (&fields, TAG_COMMAND_STATUS_STATUS, "Status", error);
}

/* InvokeResponseIB: exactly one of a command and a status */
static gboolean
read_invoke_result (ThTlvReader      *reader,
                    ThImInvokeResult *result,
                    GError          **error)
{
  ThImFields fields;
  guint8 tag;
  gsize offset = th_tlv_reader_get_offset (reader);
  GError *local = NULL;

  memset (result, 0, sizeof *result);
  if (!th_im_fields_enter (&fields, reader, TH_TLV_TYPE_STRUCTURE, "InvokeResponseIB", error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case TAG_INVOKE_RESPONSE_IB_COMMAND:
        case TAG_INVOKE_RESPONSE_IB_STATUS:
          result->is_status = tag == TAG_INVOKE_RESPONSE_IB_STATUS;
          if (!read_command_result (reader, result, error))
            return FALSE;
          break;
        default:
          break;
        }
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (th_im_fields_has (&fields, TAG_INVOKE_RESPONSE_IB_COMMAND)
      == th_im_fields_has (&fields, TAG_INVOKE_RESPONSE_IB_STATUS))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                   _("The invoke response at byte %zu should hold either a command or a status"),
                   offset);
      return FALSE;
    }
  return TRUE;
}

void
th_im_invoke_response_free (ThImInvokeResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->message, g_bytes_unref);
  g_clear_pointer (&response->results, g_array_unref);
  g_free (response);
}

static gboolean
decode_invoke_response (ThImInvokeResponse *response,
                        GError            **error)
{
  ThTlvReader reader;
  ThImFields fields;
  guint8 tag;
  gsize len;
  const guint8 *data = g_bytes_get_data (response->message, &len);
  GError *local = NULL;

  if (!th_im_fields_open (&fields, &reader, data, len, "InvokeResponse message", error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case TAG_INVOKE_RESPONSE_SUPPRESS_RESPONSE:
          if (!th_im_fields_get_bool (&fields, &response->suppress_response, error))
            return FALSE;
          break;
        case TAG_INVOKE_RESPONSE_INVOKE_RESPONSES:
          if (!th_im_fields_enter_array (&fields, error))
            return FALSE;
          while (th_tlv_reader_next (&reader, &local))
            {
              ThImInvokeResult result;

              if (!read_invoke_result (&reader, &result, error))
                return FALSE;
              g_array_append_val (response->results, result);
            }
          if (local != NULL || !th_tlv_reader_exit (&reader, &local))
            {
              th_im_fields_propagate (fields.what, error, local);
              return FALSE;
            }
          break;
        case TAG_INVOKE_RESPONSE_MORE_CHUNKED_MESSAGES:
          if (!th_im_fields_get_bool (&fields, &response->more_chunked_messages, error))
            return FALSE;
          break;
        case TAG_INTERACTION_MODEL_REVISION:
          if (!read_revision (&fields, &response->has_revision, &response->revision, error))
            return FALSE;
          break;
        default:
          break;
        }
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  /* SuppressResponse is deprecated and ignored by clients, so it may be missing. */
  return th_im_fields_require (&fields, TAG_INVOKE_RESPONSE_INVOKE_RESPONSES, "InvokeResponses",
                               error);
}

ThImInvokeResponse *
th_im_invoke_response_decode (GBytes  *message,
                              GError **error)
{
  g_autoptr(ThImInvokeResponse) response = NULL;
  GError *local = NULL;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  response = g_new0 (ThImInvokeResponse, 1);
  response->message = g_bytes_ref (message);
  response->results = g_array_new (FALSE, TRUE, sizeof (ThImInvokeResult));
  if (!decode_invoke_response (response, &local))
    {
      th_im_fields_propagate ("InvokeResponse message", error, local);
      return NULL;
    }
  return g_steal_pointer (&response);
}

gboolean
th_im_invoke_response_check (const ThImInvokeResponse *response,
                             const ThImCommand        *request,
                             guint32                   response_command,
                             const char               *name,
                             const guint8            **fields,
                             gsize                    *fields_len,
                             GError                  **error)
{
  const ThImInvokeResult *result;

  g_return_val_if_fail (response != NULL, FALSE);
  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (fields != NULL)
    *fields = NULL;
  if (fields_len != NULL)
    *fields_len = 0;

  if (response->results->len != 1)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                   _("The device answered %s with %u results instead of one"),
                   name, response->results->len);
      return FALSE;
    }
  result = &g_array_index (response->results, ThImInvokeResult, 0);
  if (result->endpoint != request->endpoint || result->cluster != request->cluster
      || (result->has_ref && request->has_ref && result->ref != request->ref))
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                   _("The device answered %s for endpoint %u, cluster 0x%04x instead of "
                     "endpoint %u, cluster 0x%04x"),
                   name, result->endpoint, result->cluster, request->endpoint, request->cluster);
      return FALSE;
    }

  if (result->is_status)
    {
      g_autofree char *context = NULL;

      if (result->command != request->command)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                       _("The device answered %s with a status for command 0x%02x"),
                       name, result->command);
          return FALSE;
        }
      context = g_strdup_printf (_("The device refused %s"), name);
      if (!th_im_status_check (&result->status, context, error))
        return FALSE;
      if (response_command != TH_IM_NO_RESPONSE_COMMAND)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                       _("The device answered %s with a bare success status instead of its "
                         "response command"), name);
          return FALSE;
        }
      return TRUE;
    }

  if (response_command == TH_IM_NO_RESPONSE_COMMAND || result->command != response_command)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                   _("The device answered %s with the unexpected command 0x%02x"),
                   name, result->command);
      return FALSE;
    }
  if (result->fields == NULL)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                   _("The device's answer to %s has no command fields"), name);
      return FALSE;
    }
  if (fields != NULL)
    *fields = result->fields;
  if (fields_len != NULL)
    *fields_len = result->fields_len;
  return TRUE;
}

void
th_im_write_response_free (ThImWriteResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->statuses, g_array_unref);
  g_free (response);
}

static gboolean
decode_write_response (GBytes            *message,
                       ThImWriteResponse *response,
                       GError           **error)
{
  ThTlvReader reader;
  ThImFields fields;
  guint8 tag;
  gsize len;
  const guint8 *data = g_bytes_get_data (message, &len);
  PathContext context = { 0 };
  GError *local = NULL;

  if (!th_im_fields_open (&fields, &reader, data, len, "WriteResponse message", error))
    return FALSE;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case TAG_WRITE_RESPONSES:
          if (!th_im_fields_enter_array (&fields, error))
            return FALSE;
          while (th_tlv_reader_next (&reader, &local))
            {
              ThImAttributeStatus status = { 0 };

              if (!read_attribute_status (&reader, &context, &status.path, &status.status,
                                          error))
                return FALSE;
              g_array_append_val (response->statuses, status);
            }
          if (local != NULL || !th_tlv_reader_exit (&reader, &local))
            {
              th_im_fields_propagate (fields.what, error, local);
              return FALSE;
            }
          break;
        case TAG_INTERACTION_MODEL_REVISION:
          if (!read_revision (&fields, &response->has_revision, &response->revision, error))
            return FALSE;
          break;
        default:
          break;
        }
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return th_im_fields_require (&fields, TAG_WRITE_RESPONSES, "WriteResponses", error);
}

ThImWriteResponse *
th_im_write_response_decode (GBytes  *message,
                             GError **error)
{
  g_autoptr(ThImWriteResponse) response = NULL;
  GError *local = NULL;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  response = g_new0 (ThImWriteResponse, 1);
  response->statuses = g_array_new (FALSE, TRUE, sizeof (ThImAttributeStatus));
  if (!decode_write_response (message, response, &local))
    {
      th_im_fields_propagate ("WriteResponse message", error, local);
      return NULL;
    }
  return g_steal_pointer (&response);
}

gboolean
th_im_write_response_check (const ThImWriteResponse *response,
                            const ThImAttributePath *path,
                            GError                 **error)
{
  g_return_val_if_fail (response != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  for (guint i = 0; i < response->statuses->len; i++)
    {
      const ThImAttributeStatus *s = &g_array_index (response->statuses,
                                                     ThImAttributeStatus, i);
      g_autofree char *context = NULL;

      if (s->path.endpoint != path->endpoint || s->path.cluster != path->cluster
          || s->path.attribute != path->attribute)
        continue;
      context = g_strdup_printf (_("The device refused to write attribute 0x%04x of cluster "
                                   "0x%04x on endpoint %u"),
                                 path->attribute, path->cluster, path->endpoint);
      return th_im_status_check (&s->status, context, error);
    }
  g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
               _("The device's write response says nothing about attribute 0x%04x of cluster "
                 "0x%04x on endpoint %u"),
               path->attribute, path->cluster, path->endpoint);
  return FALSE;
}

gboolean
th_im_status_response_decode (GBytes  *message,
                              guint8  *status,
                              GError **error)
{
  ThTlvReader reader;
  ThImFields fields;
  guint8 tag;
  guint64 v = 0;
  gsize len;
  const guint8 *data;
  gboolean has_revision;
  guint8 revision;
  GError *local = NULL;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (status != NULL, FALSE);

  data = g_bytes_get_data (message, &len);
  if (!th_im_fields_open (&fields, &reader, data, len, "StatusResponse message", &local))
    goto fail;
  while (th_im_fields_next (&fields, &tag, &local))
    {
      switch (tag)
        {
        case TAG_STATUS_RESPONSE_STATUS:
          if (!th_im_fields_get_uint (&fields, G_MAXUINT8, &v, &local))
            goto fail;
          break;
        case TAG_INTERACTION_MODEL_REVISION:
          if (!read_revision (&fields, &has_revision, &revision, &local))
            goto fail;
          break;
        default:
          break;
        }
    }
  if (local != NULL
      || !th_im_fields_require (&fields, TAG_STATUS_RESPONSE_STATUS, "Status", &local))
    goto fail;
  *status = (guint8) v;
  return TRUE;

fail:
  th_im_fields_propagate ("StatusResponse message", error, local);
  return FALSE;
}

/* Attribute values merged across reports */

typedef struct
{
  ThImAttributePath path;
  gboolean is_status;
  ThImStatusIB status;
  gboolean has_data_version;
  guint32 data_version;
  GPtrArray *items;           /* of GBytes, anonymous elements, when the value is a list */
  GBytes *value;              /* anonymous element; for a list, built from items on demand */
} Entry;

struct _ThImAttributeValues
{
  GPtrArray *entries;
};

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_clear_pointer (&entry->items, g_ptr_array_unref);
  g_clear_pointer (&entry->value, g_bytes_unref);
  g_free (entry);
}

ThImAttributeValues *
th_im_attribute_values_new (void)
{
  ThImAttributeValues *values = g_new0 (ThImAttributeValues, 1);

  values->entries = g_ptr_array_new_with_free_func (entry_free);
  return values;
}

void
th_im_attribute_values_free (ThImAttributeValues *values)
{
  if (values == NULL)
    return;
  g_ptr_array_unref (values->entries);
  g_free (values);
}

static Entry *
find_entry (ThImAttributeValues *values,
            guint16              endpoint,
            guint32              cluster,
            guint32              attribute)
{
  for (guint i = 0; i < values->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (values->entries, i);

      if (entry->path.endpoint == endpoint && entry->path.cluster == cluster
          && entry->path.attribute == attribute)
        return entry;
    }
  return NULL;
}

/* An entry emptied for a new value */
static Entry *
replace_entry (ThImAttributeValues     *values,
               const ThImAttributePath *path)
{
  Entry *entry = find_entry (values, path->endpoint, path->cluster, path->attribute);

  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      g_ptr_array_add (values->entries, entry);
    }
  g_clear_pointer (&entry->items, g_ptr_array_unref);
  g_clear_pointer (&entry->value, g_bytes_unref);
  entry->path = *path;
  entry->path.list_append = FALSE;
  entry->path.wildcard_flags = 0;
  entry->is_status = FALSE;
  entry->has_data_version = FALSE;
  return entry;
}

/* The Data element of a report (context tag 2) as an anonymous element. */
static GBytes *
data_to_anonymous (const guint8 *data,
                   gsize         len)
{
  guint8 *out;

  /* read_attribute_data found it by its one-byte context tag */
  g_assert (len >= 2 && (data[0] & TLV_TAG_CONTROL_MASK) == TLV_TAG_CONTROL_CONTEXT);
  out = g_malloc (len - 1);
  out[0] = data[0] & ~TLV_TAG_CONTROL_MASK;
  memcpy (out + 1, data + 2, len - 2);
  return g_bytes_new_take (out, len - 1);
}

static gboolean
add_data (Entry                     *entry,
          const ThImAttributeReport *report,
          GError                   **error)
{
  ThTlvReader reader;
  GError *local = NULL;

  th_tlv_reader_init (&reader, report->data, report->data_len);
  if (!th_tlv_reader_next (&reader, &local))
    goto fail;
  if (th_tlv_reader_get_type (&reader) != TH_TLV_TYPE_ARRAY)
    {
      entry->value = data_to_anonymous (report->data, report->data_len);
      return TRUE;
    }

  entry->items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  if (!th_tlv_reader_enter (&reader, &local))
    goto fail;
  while (th_tlv_reader_next (&reader, &local))
    {
      const guint8 *item;
      gsize item_len;

      if (!th_tlv_reader_get_element (&reader, &item, &item_len, &local))
        goto fail;
      g_ptr_array_add (entry->items, g_bytes_new (item, item_len));
    }
  if (local == NULL)
    return TRUE;

fail:
  th_im_fields_propagate ("attribute data", error, local);
  return FALSE;
}

gboolean
th_im_attribute_values_add (ThImAttributeValues  *values,
                            const ThImReportData *report,
                            GError              **error)
{
  g_return_val_if_fail (values != NULL, FALSE);
  g_return_val_if_fail (report != NULL, FALSE);

  for (guint i = 0; i < report->attribute_reports->len; i++)
    {
      const ThImAttributeReport *r = &g_array_index (report->attribute_reports,
                                                     ThImAttributeReport, i);
      Entry *entry;

      if (r->is_status)
        {
          entry = replace_entry (values, &r->path);
          entry->is_status = TRUE;
          entry->status = r->status;
          continue;
        }

      if (!r->path.list_append)
        {
          entry = replace_entry (values, &r->path);
          entry->has_data_version = r->has_data_version;
          entry->data_version = r->data_version;
          if (!add_data (entry, r, error))
            {
              /* no half-built value stays behind */
              g_ptr_array_remove (values->entries, entry);
              return FALSE;
            }
          continue;
        }

      entry = find_entry (values, r->path.endpoint, r->path.cluster, r->path.attribute);
      if (entry == NULL || entry->items == NULL)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                       _("The device appended an item to attribute 0x%04x of cluster 0x%04x "
                         "on endpoint %u before sending the list itself"),
                       r->path.attribute, r->path.cluster, r->path.endpoint);
          return FALSE;
        }
      g_ptr_array_add (entry->items, data_to_anonymous (r->data, r->data_len));
      g_clear_pointer (&entry->value, g_bytes_unref);
      if (r->has_data_version)
        {
          entry->has_data_version = TRUE;
          entry->data_version = r->data_version;
        }
    }
  return TRUE;
}

GArray *
th_im_attribute_values_get_paths (ThImAttributeValues *values)
{
  GArray *paths;

  g_return_val_if_fail (values != NULL, NULL);

  paths = g_array_sized_new (FALSE, FALSE, sizeof (ThImAttributePath), values->entries->len);
  for (guint i = 0; i < values->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (values->entries, i);

      g_array_append_val (paths, entry->path);
    }
  return paths;
}

GBytes *
th_im_attribute_values_lookup (ThImAttributeValues *values,
                               guint16              endpoint,
                               guint32              cluster,
                               guint32              attribute,
                               guint32             *data_version,
                               GError             **error)
{
  Entry *entry;

  g_return_val_if_fail (values != NULL, NULL);

  entry = find_entry (values, endpoint, cluster, attribute);
  if (entry == NULL)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_IM_NOT_REPORTED,
                   _("The device did not report attribute 0x%04x of cluster 0x%04x on "
                     "endpoint %u"), attribute, cluster, endpoint);
      return NULL;
    }
  if (entry->is_status)
    {
      g_autofree char *context = NULL;

      context = g_strdup_printf (_("The device could not report attribute 0x%04x of cluster "
                                   "0x%04x on endpoint %u"), attribute, cluster, endpoint);
      /* a success status in place of data still leaves no value to return */
      if (th_im_status_check (&entry->status, context, error))
        g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
                     _("%s: it sent a success status instead of the value"), context);
      return NULL;
    }

  if (entry->value == NULL)
    {
      g_auto(ThTlvWriter) writer = { 0 };

      th_tlv_writer_init (&writer);
      th_tlv_writer_start_array (&writer, TH_TLV_ANONYMOUS);
      for (guint i = 0; i < entry->items->len; i++)
        {
          gsize len;
          const guint8 *item = g_bytes_get_data (g_ptr_array_index (entry->items, i), &len);

          th_tlv_writer_put_raw (&writer, item, len);
        }
      th_tlv_writer_end_container (&writer);
      entry->value = th_tlv_writer_finish (&writer);
    }
  if (data_version != NULL)
    *data_version = entry->data_version;
  return g_bytes_ref (entry->value);
}

/* Looks the value up and puts a reader on it. */
static GBytes *
lookup_reader (ThImAttributeValues *values,
               guint16              endpoint,
               guint32              cluster,
               guint32              attribute,
               ThTlvReader         *reader,
               GError             **error)
{
  GBytes *value = th_im_attribute_values_lookup (values, endpoint, cluster, attribute, NULL,
                                                 error);
  gsize len;
  const guint8 *data;

  if (value == NULL)
    return NULL;
  data = g_bytes_get_data (value, &len);
  th_tlv_reader_init (reader, data, len);
  /* the value was checked when it was received, so there is an element */
  if (!th_tlv_reader_next (reader, error))
    g_clear_pointer (&value, g_bytes_unref);
  return value;
}

static gboolean
value_wrong_type (guint16      endpoint,
                  guint32      cluster,
                  guint32      attribute,
                  const char  *expected,
                  GError     **error)
{
  g_set_error (error, TH_ERROR, TH_ERROR_IM_PROTOCOL,
               _("Attribute 0x%04x of cluster 0x%04x on endpoint %u should be %s"),
               attribute, cluster, endpoint, expected);
  return FALSE;
}

gboolean
th_im_attribute_values_get_uint (ThImAttributeValues *values,
                                 guint16              endpoint,
                                 guint32              cluster,
                                 guint32              attribute,
                                 guint64              max,
                                 guint64             *value,
                                 GError             **error)
{
  ThTlvReader reader;
  g_autoptr(GBytes) bytes = lookup_reader (values, endpoint, cluster, attribute, &reader,
                                           error);
  guint64 v;

  if (bytes == NULL)
    return FALSE;
  if (!th_tlv_reader_get_uint (&reader, &v, NULL) || v > max)
    {
      g_autofree char *expected = g_strdup_printf (_("an unsigned integer of at most %"
                                                     G_GUINT64_FORMAT), max);

      return value_wrong_type (endpoint, cluster, attribute, expected, error);
    }
  *value = v;
  return TRUE;
}

gboolean
th_im_attribute_values_get_bool (ThImAttributeValues *values,
                                 guint16              endpoint,
                                 guint32              cluster,
                                 guint32              attribute,
                                 gboolean            *value,
                                 GError             **error)
{
  ThTlvReader reader;
  g_autoptr(GBytes) bytes = lookup_reader (values, endpoint, cluster, attribute, &reader,
                                           error);

  if (bytes == NULL)
    return FALSE;
  if (!th_tlv_reader_get_bool (&reader, value, NULL))
    return value_wrong_type (endpoint, cluster, attribute, _("a boolean"), error);
  return TRUE;
}

gboolean
th_im_attribute_values_get_string (ThImAttributeValues *values,
                                   guint16              endpoint,
                                   guint32              cluster,
                                   guint32              attribute,
                                   gsize                max_len,
                                   char               **value,
                                   GError             **error)
{
  ThTlvReader reader;
  g_autoptr(GBytes) bytes = lookup_reader (values, endpoint, cluster, attribute, &reader,
                                           error);
  const char *s;
  gsize len;

  if (bytes == NULL)
    return FALSE;
  if (!th_tlv_reader_get_string (&reader, &s, &len, NULL) || len > max_len)
    {
      g_autofree char *expected = g_strdup_printf (_("a valid UTF-8 text of at most %zu bytes"),
                                                   max_len);

      return value_wrong_type (endpoint, cluster, attribute, expected, error);
    }
  *value = g_strndup (s, len);
  return TRUE;
}

GArray *
th_im_attribute_values_get_uint_array (ThImAttributeValues *values,
                                       guint16              endpoint,
                                       guint32              cluster,
                                       guint32              attribute,
                                       guint32              max,
                                       GError             **error)
{
  ThTlvReader reader;
  g_autoptr(GBytes) bytes = lookup_reader (values, endpoint, cluster, attribute, &reader,
                                           error);
  g_autoptr(GArray) array = NULL;
  g_autofree char *expected = NULL;

  if (bytes == NULL)
    return NULL;
  array = g_array_new (FALSE, FALSE, sizeof (guint32));
  if (th_tlv_reader_get_type (&reader) == TH_TLV_TYPE_ARRAY
      && th_tlv_reader_enter (&reader, NULL))
    {
      guint64 v;

      while (th_tlv_reader_next (&reader, NULL))
        {
          guint32 item;

          if (!th_tlv_reader_get_uint (&reader, &v, NULL) || v > max)
            break;
          item = (guint32) v;
          g_array_append_val (array, item);
        }
      /* the end of the array, not an item that stopped the loop */
      if (th_tlv_reader_get_type (&reader) == TH_TLV_TYPE_NONE)
        return g_steal_pointer (&array);
    }
  expected = g_strdup_printf (_("an array of unsigned integers of at most %u"), max);
  value_wrong_type (endpoint, cluster, attribute, expected, error);
  return NULL;
}
