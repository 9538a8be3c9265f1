/* th-status-report.h: the StatusReport message of the Secure Channel protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* General code (LE16), protocol id (LE32), protocol code (LE16); protocol data follows. */
#define TH_STATUS_REPORT_HEADER_LEN 8

/* The protocol-independent status of a report. */
typedef enum
{
  TH_GENERAL_STATUS_SUCCESS = 0,
  TH_GENERAL_STATUS_FAILURE = 1,
  TH_GENERAL_STATUS_BAD_PRECONDITION = 2,
  TH_GENERAL_STATUS_OUT_OF_RANGE = 3,
  TH_GENERAL_STATUS_BAD_REQUEST = 4,
  TH_GENERAL_STATUS_UNSUPPORTED = 5,
  TH_GENERAL_STATUS_UNEXPECTED = 6,
  TH_GENERAL_STATUS_RESOURCE_EXHAUSTED = 7,
  TH_GENERAL_STATUS_BUSY = 8,
  TH_GENERAL_STATUS_TIMEOUT = 9,
  TH_GENERAL_STATUS_CONTINUE = 10,
  TH_GENERAL_STATUS_ABORTED = 11,
  TH_GENERAL_STATUS_INVALID_ARGUMENT = 12,
  TH_GENERAL_STATUS_NOT_FOUND = 13,
  TH_GENERAL_STATUS_ALREADY_EXISTS = 14,
  TH_GENERAL_STATUS_PERMISSION_DENIED = 15,
  TH_GENERAL_STATUS_DATA_LOSS = 16,
  TH_GENERAL_STATUS_MESSAGE_TOO_LARGE = 17,
} ThGeneralStatus;

/* The protocol codes of the Secure Channel protocol. */
typedef enum
{
  TH_SECURE_CHANNEL_STATUS_SESSION_ESTABLISHMENT_SUCCESS = 0x0000,
  TH_SECURE_CHANNEL_STATUS_NO_SHARED_TRUST_ROOTS = 0x0001,
  TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER = 0x0002,
  TH_SECURE_CHANNEL_STATUS_CLOSE_SESSION = 0x0003,
  TH_SECURE_CHANNEL_STATUS_BUSY = 0x0004,
  TH_SECURE_CHANNEL_STATUS_SESSION_NOT_FOUND = 0x0005,
  /* no protocol-specific detail: the general code says it all */
  TH_SECURE_CHANNEL_STATUS_GENERAL_FAILURE = 0xffff,
} ThSecureChannelStatus;

/* The fully qualified protocol id a report names: vendor id in the high 16 bits. */
#define TH_STATUS_REPORT_PROTOCOL(vendor_id, protocol_id) \
  ((guint32) (vendor_id) << 16 | (guint16) (protocol_id))

typedef struct
{
  guint16 general_code;       /* a ThGeneralStatus, or a value this version does not know */
  guint32 protocol_id;        /* TH_STATUS_REPORT_PROTOCOL (vendor, protocol) */
  guint16 protocol_code;
  /* Protocol-specific data; decoding points it into the input. */
  const guint8 *data;
  gsize data_len;
} ThStatusReport;

/* Fails with TH_ERROR_MESSAGE_INVALID when the input is shorter than the fixed fields. */
gboolean th_status_report_decode       (ThStatusReport       *report,
                                        const guint8         *data,
                                        gsize                 len,
                                        GError              **error);
GBytes  *th_status_report_encode       (const ThStatusReport *report);

/* A Secure Channel report with the general code that goes with `code`: SUCCESS for
 * SESSION_ESTABLISHMENT_SUCCESS, BUSY for BUSY, FAILURE for the others. For BUSY, use
 * th_status_report_encode_busy() to say how long to wait. */
GBytes  *th_status_report_encode_secure_channel (ThSecureChannelStatus code);
/* BUSY, with the minimum time the peer should wait before it tries again. */
GBytes  *th_status_report_encode_busy  (guint16               minimum_wait_ms);

gboolean th_status_report_is_secure_channel (const ThStatusReport *report,
                                             ThSecureChannelStatus code);
/* The minimum wait of a Secure Channel BUSY report; FALSE when it carries none. */
gboolean th_status_report_get_busy_wait (const ThStatusReport *report,
                                         guint16              *minimum_wait_ms);

/* What the peer reported, in a translated sentence, with the codes after it. */
char    *th_status_report_describe     (const ThStatusReport *report);
/* Sets `error` from a report that is not a success: TH_ERROR_BUSY for a Secure Channel
 * BUSY (saying how long to wait), TH_ERROR_STATUS_REPORT otherwise. */
void     th_status_report_set_error    (const ThStatusReport *report,
                                        GError              **error);

G_END_DECLS
