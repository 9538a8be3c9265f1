/* fuzz-dnssd-txt.c: parses arbitrary bytes as a DNS-SD TXT record and checks that what comes
 * out keeps the parser's promises
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "discovery/th-dnssd-text.h"
#include "discovery/th-dnssd-txt.h"
#include "th-error.h"

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

/* Whether the strings of the record are framed correctly, counted independently. */
static gboolean
framed (const guint8 *data,
        gsize         size)
{
  gsize offset = 0;

  while (offset < size)
    offset += 1 + (gsize) data[offset];
  return offset == size;
}

static void
check_text (const char *text,
            gsize       max)
{
  g_assert_nonnull (text);
  g_assert_cmpuint (strlen (text), <=, max);
  g_assert_true (g_utf8_validate (text, -1, NULL));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThDnssdTxt) txt = th_dnssd_txt_parse (data, size, &error);
  g_auto(GStrv) hints = NULL;

  g_assert_true ((txt != NULL) == framed (data, size));
  if (txt == NULL)
    {
      g_assert_error (error, TH_ERROR, TH_ERROR_DNSSD_TXT);
      return 0;
    }
  g_assert_no_error (error);

  g_assert_cmpint (txt->present & txt->invalid, ==, 0);
  g_assert_cmpuint (txt->problems->len, >=, (guint) __builtin_popcount (txt->invalid));
  g_assert_true (g_bytes_get_size (txt->rdata) == size);
  g_assert_true (size == 0 || memcmp (g_bytes_get_data (txt->rdata, NULL), data, size) == 0);
  g_assert_true (th_dnssd_txt_equal (txt, txt));

  if (txt->present & TH_DNSSD_TXT_D)
    g_assert_cmpuint (txt->discriminator, <=, 0xFFF);
  if (txt->present & TH_DNSSD_TXT_VP)
    g_assert_true (txt->has_vendor_id);
  if (txt->present & TH_DNSSD_TXT_CM)
    g_assert_nonnull (th_commissioning_mode_to_string (txt->commissioning_mode));
  if (txt->present & TH_DNSSD_TXT_DN)
    check_text (txt->device_name, TH_DNSSD_DEVICE_NAME_MAX);
  if (txt->present & TH_DNSSD_TXT_PI)
    check_text (txt->pairing_instruction, TH_DNSSD_PAIRING_INSTRUCTION_MAX);
  if (txt->present & TH_DNSSD_TXT_RI)
    g_assert_true (g_bytes_get_size (txt->rotating_id) >= 1 &&
                   g_bytes_get_size (txt->rotating_id) <= TH_DNSSD_ROTATING_ID_MAX);
  if (txt->present & TH_DNSSD_TXT_SII)
    g_assert_true (txt->session_idle_interval_ms >= 1 &&
                   txt->session_idle_interval_ms <= TH_DNSSD_SESSION_INTERVAL_MAX);
  if (txt->present & TH_DNSSD_TXT_SAI)
    g_assert_true (txt->session_active_interval_ms >= 1 &&
                   txt->session_active_interval_ms <= TH_DNSSD_SESSION_INTERVAL_MAX);
  if (txt->present & TH_DNSSD_TXT_SAT)
    g_assert_cmpuint (txt->session_active_threshold_ms, >=, 1);
  g_assert_cmpuint (txt->tcp & ~(TH_DNSSD_TCP_CLIENT | TH_DNSSD_TCP_SERVER), ==, 0);

  for (guint i = 0; i < txt->problems->len; i++)
    {
      ThDnssdTxtProblem *problem = g_ptr_array_index (txt->problems, i);

      g_assert_true (g_utf8_validate (problem->key, -1, NULL));
      g_assert_true (g_utf8_validate (problem->message, -1, NULL));
    }
  for (guint i = 0; i < txt->other->len; i++)
    {
      ThDnssdTxtEntry *entry = g_ptr_array_index (txt->other, i);

      g_assert_cmpuint (strlen (entry->key), >, 0);
      g_assert_null (strchr (entry->key, '='));
    }

  hints = th_dnssd_describe_pairing_hint (txt->pairing_hint, txt->pairing_instruction);
  g_assert_nonnull (hints);
  return 0;
}
