/* th-status-report.c: the StatusReport message of the Secure Channel protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "messaging/th-message.h"
#include "th-error.h"
#include "th-status-report.h"

#define SECURE_CHANNEL_PROTOCOL TH_STATUS_REPORT_PROTOCOL (0, TH_PROTOCOL_SECURE_CHANNEL)

gboolean
th_status_report_decode (ThStatusReport  *report,
                         const guint8    *data,
                         gsize            len,
                         GError         **error)
{
  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (len < TH_STATUS_REPORT_HEADER_LEN)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_MESSAGE_INVALID,
                   _("The status report is %zu bytes long; it needs at least %u for the "
                     "general code, protocol id and protocol code"),
                   len, TH_STATUS_REPORT_HEADER_LEN);
      return FALSE;
    }

  report->general_code = (guint16) (data[0] | data[1] << 8);
  report->protocol_id = (guint32) data[2] | (guint32) data[3] << 8 |
                        (guint32) data[4] << 16 | (guint32) data[5] << 24;
  report->protocol_code = (guint16) (data[6] | data[7] << 8);
  report->data = len > TH_STATUS_REPORT_HEADER_LEN ? data + TH_STATUS_REPORT_HEADER_LEN : NULL;
  report->data_len = len - TH_STATUS_REPORT_HEADER_LEN;
  return TRUE;
}

GBytes *
th_status_report_encode (const ThStatusReport *report)
{
  gsize len;
  guint8 *out;

  g_return_val_if_fail (report != NULL, NULL);
  g_return_val_if_fail (report->data != NULL || report->data_len == 0, NULL);

  len = TH_STATUS_REPORT_HEADER_LEN + report->data_len;
  out = g_malloc (len);
  out[0] = report->general_code & 0xff;
  out[1] = report->general_code >> 8;
  out[2] = report->protocol_id & 0xff;
  out[3] = (report->protocol_id >> 8) & 0xff;
  out[4] = (report->protocol_id >> 16) & 0xff;
  out[5] = report->protocol_id >> 24;
  out[6] = report->protocol_code & 0xff;
  out[7] = report->protocol_code >> 8;
  if (report->data_len > 0)
    memcpy (out + TH_STATUS_REPORT_HEADER_LEN, report->data, report->data_len);
  return g_bytes_new_take (out, len);
}

GBytes *
th_status_report_encode_secure_channel (ThSecureChannelStatus code)
{
  ThStatusReport report = { 0 };

  switch (code)
    {
    case TH_SECURE_CHANNEL_STATUS_SESSION_ESTABLISHMENT_SUCCESS:
      report.general_code = TH_GENERAL_STATUS_SUCCESS;
      break;
    case TH_SECURE_CHANNEL_STATUS_BUSY:
      report.general_code = TH_GENERAL_STATUS_BUSY;
      break;
    case TH_SECURE_CHANNEL_STATUS_NO_SHARED_TRUST_ROOTS:
    case TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER:
    case TH_SECURE_CHANNEL_STATUS_CLOSE_SESSION:
    case TH_SECURE_CHANNEL_STATUS_SESSION_NOT_FOUND:
    case TH_SECURE_CHANNEL_STATUS_GENERAL_FAILURE:
    default:
      report.general_code = TH_GENERAL_STATUS_FAILURE;
      break;
    }
  report.protocol_id = SECURE_CHANNEL_PROTOCOL;
  report.protocol_code = code;
  return th_status_report_encode (&report);
}

GBytes *
th_status_report_encode_busy (guint16 minimum_wait_ms)
{
  guint8 wait[2] = { minimum_wait_ms & 0xff, minimum_wait_ms >> 8 };
  ThStatusReport report = {
    TH_GENERAL_STATUS_BUSY,
    SECURE_CHANNEL_PROTOCOL,
    TH_SECURE_CHANNEL_STATUS_BUSY,
    wait,
    sizeof wait,
  };

  return th_status_report_encode (&report);
}

gboolean
th_status_report_is_secure_channel (const ThStatusReport  *report,
                                    ThSecureChannelStatus  code)
{
  g_return_val_if_fail (report != NULL, FALSE);

  return report->protocol_id == SECURE_CHANNEL_PROTOCOL && report->protocol_code == code;
}

gboolean
th_status_report_get_busy_wait (const ThStatusReport *report,
                                guint16              *minimum_wait_ms)
{
  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (minimum_wait_ms != NULL, FALSE);

  if (!th_status_report_is_secure_channel (report, TH_SECURE_CHANNEL_STATUS_BUSY) ||
      report->data_len != 2)
    return FALSE;
  *minimum_wait_ms = (guint16) (report->data[0] | report->data[1] << 8);
  return TRUE;
}

static const char *
describe_general_code (guint16 code)
{
  switch ((ThGeneralStatus) code)
    {
    case TH_GENERAL_STATUS_SUCCESS:
      return _("The device reported success.");
    case TH_GENERAL_STATUS_FAILURE:
      return _("The device reported a failure without details.");
    case TH_GENERAL_STATUS_BAD_PRECONDITION:
      return _("The device is not in a state to accept the request.");
    case TH_GENERAL_STATUS_OUT_OF_RANGE:
      return _("The device found a value out of its allowed range.");
    case TH_GENERAL_STATUS_BAD_REQUEST:
      return _("The device found the request malformed.");
    case TH_GENERAL_STATUS_UNSUPPORTED:
      return _("The device does not support the request.");
    case TH_GENERAL_STATUS_UNEXPECTED:
      return _("The device did not expect the request at this point.");
    case TH_GENERAL_STATUS_RESOURCE_EXHAUSTED:
      return _("The device ran out of resources to handle the request.");
    case TH_GENERAL_STATUS_BUSY:
      return _("The device is busy and cannot handle the request now.");
    case TH_GENERAL_STATUS_TIMEOUT:
      return _("The device gave up waiting.");
    case TH_GENERAL_STATUS_CONTINUE:
      return _("The device asked to continue.");
    case TH_GENERAL_STATUS_ABORTED:
      return _("The device aborted the operation.");
    case TH_GENERAL_STATUS_INVALID_ARGUMENT:
      return _("The device found an argument of the request invalid.");
    case TH_GENERAL_STATUS_NOT_FOUND:
      return _("The device did not find what the request names.");
    case TH_GENERAL_STATUS_ALREADY_EXISTS:
      return _("The device already has what the request would create.");
    case TH_GENERAL_STATUS_PERMISSION_DENIED:
      return _("The device denied permission for the request.");
    case TH_GENERAL_STATUS_DATA_LOSS:
      return _("The device reported a loss of data.");
    case TH_GENERAL_STATUS_MESSAGE_TOO_LARGE:
      return _("The message was too large for the device.");
    default:
      return NULL;
    }
}

/* The busy sentence, with the wait in whole seconds rounded up. */
static char *
describe_busy (const ThStatusReport *report)
{
  guint16 wait_ms;
  guint seconds;

  if (!th_status_report_get_busy_wait (report, &wait_ms) || wait_ms == 0)
    return g_strdup (_("The device is busy with another session; try again in a moment."));
  seconds = (wait_ms + 999u) / 1000u;
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "The device is busy with another session; try "
                                       "again in %u second.",
                                       "The device is busy with another session; try "
                                       "again in %u seconds.",
                                       seconds),
                          seconds);
}

static char *
describe_sentence (const ThStatusReport *report)
{
  const char *general;

  if (report->protocol_id == SECURE_CHANNEL_PROTOCOL)
    {
      switch ((ThSecureChannelStatus) report->protocol_code)
        {
        case TH_SECURE_CHANNEL_STATUS_SESSION_ESTABLISHMENT_SUCCESS:
          if (report->general_code == TH_GENERAL_STATUS_SUCCESS)
            return g_strdup (_("The device established the session."));
          break;
        case TH_SECURE_CHANNEL_STATUS_NO_SHARED_TRUST_ROOTS:
          return g_strdup (_("The device trusts none of this commissioner's root "
                             "certificates: it does not belong to this fabric."));
        case TH_SECURE_CHANNEL_STATUS_INVALID_PARAMETER:
          return g_strdup (_("The device rejected a parameter of the session setup."));
        case TH_SECURE_CHANNEL_STATUS_CLOSE_SESSION:
          return g_strdup (_("The device closed the session."));
        case TH_SECURE_CHANNEL_STATUS_BUSY:
          return describe_busy (report);
        case TH_SECURE_CHANNEL_STATUS_SESSION_NOT_FOUND:
          return g_strdup (_("The device no longer has the session that was to be "
                             "resumed."));
        case TH_SECURE_CHANNEL_STATUS_GENERAL_FAILURE:
        default:
          break;
        }
    }

  general = describe_general_code (report->general_code);
  if (general != NULL)
    return g_strdup (general);
  return g_strdup_printf (_("The device reported a general status this version does not "
                            "know (%u)."),
                          report->general_code);
}

char *
th_status_report_describe (const ThStatusReport *report)
{
  g_autofree char *sentence = NULL;

  g_return_val_if_fail (report != NULL, NULL);

  sentence = describe_sentence (report);
  /* TRANSLATORS: a sentence, then the codes of the status report it came from */
  return g_strdup_printf (_("%s (status report: general code %u, protocol 0x%08x, protocol "
                            "code 0x%04x)"),
                          sentence, report->general_code, report->protocol_id,
                          report->protocol_code);
}

void
th_status_report_set_error (const ThStatusReport  *report,
                            GError               **error)
{
  g_autofree char *message = NULL;

  g_return_if_fail (report != NULL);

  message = th_status_report_describe (report);
  g_set_error_literal (error, TH_ERROR,
                       th_status_report_is_secure_channel (report,
                                                           TH_SECURE_CHANNEL_STATUS_BUSY) ?
                       TH_ERROR_BUSY : TH_ERROR_STATUS_REPORT,
                       message);
}
