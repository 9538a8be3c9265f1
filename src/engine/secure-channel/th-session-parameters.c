/* th-session-parameters.c: what a node says of itself when PASE or CASE sets up a session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "th-error.h"
#include "th-secure-channel-private.h"
#include "th-session-parameters.h"

enum
{
  TAG_IDLE_INTERVAL = 1,
  TAG_ACTIVE_INTERVAL = 2,
  TAG_ACTIVE_THRESHOLD = 3,
  TAG_DATA_MODEL_REVISION = 4,
  TAG_INTERACTION_MODEL_REVISION = 5,
  TAG_SPECIFICATION_VERSION = 6,
  TAG_MAX_PATHS_PER_INVOKE = 7,
};

void
th_session_parameters_init_from_mrp (ThSessionParameters   *parameters,
                                     const ThMrpParameters *mrp)
{
  g_return_if_fail (parameters != NULL);
  g_return_if_fail (mrp != NULL);

  *parameters = (ThSessionParameters) { 0 };
  parameters->present = TH_SESSION_PARAMETER_IDLE_INTERVAL |
                        TH_SESSION_PARAMETER_ACTIVE_INTERVAL |
                        TH_SESSION_PARAMETER_ACTIVE_THRESHOLD;
  parameters->idle_interval_ms = mrp->idle_interval_ms;
  parameters->active_interval_ms = mrp->active_interval_ms;
  parameters->active_threshold_ms = (guint16) MIN (mrp->active_threshold_ms, G_MAXUINT16);
}

void
th_session_parameters_get_mrp (const ThSessionParameters *parameters,
                               ThMrpParameters           *mrp)
{
  g_return_if_fail (parameters != NULL);
  g_return_if_fail (mrp != NULL);

  th_mrp_parameters_init_default (mrp);
  if (parameters->present & TH_SESSION_PARAMETER_IDLE_INTERVAL)
    mrp->idle_interval_ms = parameters->idle_interval_ms;
  if (parameters->present & TH_SESSION_PARAMETER_ACTIVE_INTERVAL)
    mrp->active_interval_ms = parameters->active_interval_ms;
  if (parameters->present & TH_SESSION_PARAMETER_ACTIVE_THRESHOLD)
    mrp->active_threshold_ms = parameters->active_threshold_ms;
}

void
th_session_parameters_write (const ThSessionParameters *parameters,
                             ThTlvWriter               *writer,
                             ThTlvTag                   tag)
{
  ThSessionParameterFlags present;

  g_return_if_fail (parameters != NULL);
  g_return_if_fail (writer != NULL);

  present = parameters->present;
  th_tlv_writer_start_structure (writer, tag);
  if (present & TH_SESSION_PARAMETER_IDLE_INTERVAL)
    th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (TAG_IDLE_INTERVAL),
                            parameters->idle_interval_ms);
  if (present & TH_SESSION_PARAMETER_ACTIVE_INTERVAL)
    th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (TAG_ACTIVE_INTERVAL),
                            parameters->active_interval_ms);
  if (present & TH_SESSION_PARAMETER_ACTIVE_THRESHOLD)
    th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (TAG_ACTIVE_THRESHOLD),
                            parameters->active_threshold_ms);
  if (present & TH_SESSION_PARAMETER_DATA_MODEL_REVISION)
    th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (TAG_DATA_MODEL_REVISION),
                            parameters->data_model_revision);
  if (present & TH_SESSION_PARAMETER_INTERACTION_MODEL_REVISION)
    th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (TAG_INTERACTION_MODEL_REVISION),
                            parameters->interaction_model_revision);
  if (present & TH_SESSION_PARAMETER_SPECIFICATION_VERSION)
    th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (TAG_SPECIFICATION_VERSION),
                            parameters->specification_version);
  if (present & TH_SESSION_PARAMETER_MAX_PATHS_PER_INVOKE)
    th_tlv_writer_put_uint (writer, TH_TLV_CONTEXT (TAG_MAX_PATHS_PER_INVOKE),
                            parameters->max_paths_per_invoke);
  th_tlv_writer_end_container (writer);
}

gboolean
th_session_parameters_read (ThSessionParameters  *parameters,
                            ThTlvReader          *reader,
                            GError              **error)
{
  ThSessionParameters result = { 0 };
  ThContextTagSet seen = { 0 };
  gsize start;

  g_return_val_if_fail (parameters != NULL, FALSE);
  g_return_val_if_fail (reader != NULL, FALSE);

  start = th_tlv_reader_get_offset (reader);
  if (th_tlv_reader_get_type (reader) != TH_TLV_TYPE_STRUCTURE)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_TLV_TYPE,
                   _("The session parameters at byte %zu are not a structure"), start);
      return FALSE;
    }
  if (!th_tlv_reader_enter (reader, error))
    return FALSE;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      ThTlvTag tag;
      gboolean ok;

      if (!th_tlv_reader_next (reader, &local_error))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          break;
        }

      tag = th_tlv_reader_get_tag (reader);
      if (tag.kind != TH_TLV_TAG_CONTEXT)
        {
          g_set_error (error, TH_ERROR, TH_ERROR_TLV_INVALID,
                       _("The session parameter at byte %zu has no context tag"),
                       th_tlv_reader_get_offset (reader));
          return FALSE;
        }
      if (!th_context_tag_set_add (&seen, (guint8) tag.number))
        {
          g_set_error (error, TH_ERROR, TH_ERROR_TLV_INVALID,
                       _("The session parameter with tag %u at byte %zu appears twice"),
                       tag.number, th_tlv_reader_get_offset (reader));
          return FALSE;
        }
      if (tag.number < TAG_IDLE_INTERVAL || tag.number > TAG_MAX_PATHS_PER_INVOKE)
        continue;
      result.present |= 1 << (tag.number - 1);

      switch (tag.number)
        {
        case TAG_IDLE_INTERVAL:
          ok = th_tlv_reader_get_uint32 (reader, &result.idle_interval_ms, error);
          break;
        case TAG_ACTIVE_INTERVAL:
          ok = th_tlv_reader_get_uint32 (reader, &result.active_interval_ms, error);
          break;
        case TAG_ACTIVE_THRESHOLD:
          ok = th_tlv_reader_get_uint16 (reader, &result.active_threshold_ms, error);
          break;
        case TAG_DATA_MODEL_REVISION:
          ok = th_tlv_reader_get_uint16 (reader, &result.data_model_revision, error);
          break;
        case TAG_INTERACTION_MODEL_REVISION:
          ok = th_tlv_reader_get_uint16 (reader, &result.interaction_model_revision, error);
          break;
        case TAG_SPECIFICATION_VERSION:
          ok = th_tlv_reader_get_uint32 (reader, &result.specification_version, error);
          break;
        case TAG_MAX_PATHS_PER_INVOKE:
          ok = th_tlv_reader_get_uint16 (reader, &result.max_paths_per_invoke, error);
          break;
        default:
          g_assert_not_reached ();
        }
      if (!ok)
        return FALSE;
    }

  if (!th_tlv_reader_exit (reader, error))
    return FALSE;
  *parameters = result;
  return TRUE;
}
