/* th-session-parameters.h: what a node says of itself when PASE or CASE sets up a session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "messaging/th-mrp.h"
#include "tlv/th-tlv.h"

G_BEGIN_DECLS

/* Which fields of ThSessionParameters are present. */
typedef enum
{
  TH_SESSION_PARAMETER_IDLE_INTERVAL = 1 << 0,
  TH_SESSION_PARAMETER_ACTIVE_INTERVAL = 1 << 1,
  TH_SESSION_PARAMETER_ACTIVE_THRESHOLD = 1 << 2,
  TH_SESSION_PARAMETER_DATA_MODEL_REVISION = 1 << 3,
  TH_SESSION_PARAMETER_INTERACTION_MODEL_REVISION = 1 << 4,
  TH_SESSION_PARAMETER_SPECIFICATION_VERSION = 1 << 5,
  TH_SESSION_PARAMETER_MAX_PATHS_PER_INVOKE = 1 << 6,
} ThSessionParameterFlags;

/* The session-parameter structure. Every field is optional; `present` says which were
 * given. */
typedef struct
{
  ThSessionParameterFlags present;
  guint32 idle_interval_ms;             /* SII, tag 1 */
  guint32 active_interval_ms;           /* SAI, tag 2 */
  guint16 active_threshold_ms;          /* SAT, tag 3 */
  guint16 data_model_revision;          /* tag 4 */
  guint16 interaction_model_revision;   /* tag 5 */
  guint32 specification_version;        /* tag 6 */
  guint16 max_paths_per_invoke;         /* tag 7 */
} ThSessionParameters;

/* SII, SAI and SAT from the node's MRP parameters. */
void     th_session_parameters_init_from_mrp (ThSessionParameters       *parameters,
                                              const ThMrpParameters     *mrp);
/* The MRP parameters the node announced, with the defaults for those it left out. */
void     th_session_parameters_get_mrp       (const ThSessionParameters *parameters,
                                              ThMrpParameters           *mrp);

/* Writes the present fields, in tag order, as a structure with `tag`. */
void     th_session_parameters_write         (const ThSessionParameters *parameters,
                                              ThTlvWriter               *writer,
                                              ThTlvTag                   tag);
/* Reads the structure the reader is on and steps past it. Members must be context-tagged,
 * appear once and fit their field's type; unknown members are skipped, as later revisions
 * of the specification may add some. Errors are TH_ERROR_TLV_* naming the byte offset. */
gboolean th_session_parameters_read          (ThSessionParameters       *parameters,
                                              ThTlvReader               *reader,
                                              GError                   **error);

G_END_DECLS
