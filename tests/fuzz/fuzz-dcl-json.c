/* fuzz-dcl-json.c: parses arbitrary bytes as each answer of the compliance ledger and checks
 * that what comes out keeps the parsers' promises
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "dcl/th-dcl-records.h"
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

/* Text the parsers hand out: NULL or non-empty UTF-8, no control characters but tab and line
 * breaks. */
static void
check_text (const char *text)
{
  if (text == NULL)
    return;
  g_assert_cmpuint (strlen (text), >, 0);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert_false ((c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                      || (c >= 0x7F && c <= 0x9F));
    }
}

static void
check_error (GError *error)
{
  g_assert_error (error, TH_ERROR, TH_ERROR_DCL_INVALID);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
check_steps (GStrv steps)
{
  g_assert_nonnull (steps);
  for (guint i = 0; steps[i] != NULL; i++)
    g_assert_true (g_utf8_validate (steps[i], -1, NULL));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char *text = (const char *) data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ThDclModel) model = NULL;
  g_autoptr(ThDclVendor) vendor = NULL;
  g_autoptr(GPtrArray) roots = NULL;
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GPtrArray) points = NULL;
  g_autofree char *next_key = NULL;

  model = th_dcl_model_parse (text, size, &error);
  if (model == NULL)
    {
      check_error (error);
      g_clear_error (&error);
    }
  else
    {
      g_auto(GStrv) initial = th_dcl_model_describe_initial_steps (model);
      g_auto(GStrv) secondary = th_dcl_model_describe_secondary_steps (model);

      g_assert_no_error (error);
      g_assert_cmpint (model->custom_flow, <=, TH_COMMISSIONING_FLOW_CUSTOM);
      check_text (model->product_name);
      check_text (model->custom_flow_url);
      check_text (model->initial_steps_instruction);
      check_text (model->user_manual_url);
      check_text (model->maintenance_url);
      check_steps (initial);
      check_steps (secondary);
    }

  vendor = th_dcl_vendor_parse (text, size, &error);
  if (vendor == NULL)
    {
      check_error (error);
      g_clear_error (&error);
    }
  else
    {
      check_text (vendor->vendor_name);
      check_text (vendor->landing_page_url);
      check_text (th_dcl_vendor_get_display_name (vendor));
    }

  roots = th_dcl_root_certificates_parse (text, size, &error);
  if (roots == NULL)
    {
      check_error (error);
      g_clear_error (&error);
    }
  for (guint i = 0; roots != NULL && i < roots->len; i++)
    {
      const ThDclCertificateId *id = g_ptr_array_index (roots, i);

      /* required, and the ledger's "" is no text */
      g_assert_nonnull (id->subject);
      g_assert_nonnull (id->subject_key_id);
      check_text (id->subject);
    }

  certificates = th_dcl_certificates_parse (text, size, &error);
  if (certificates == NULL)
    {
      check_error (error);
      g_clear_error (&error);
    }
  else
    {
      g_assert_cmpuint (certificates->len, >, 0);
      for (guint i = 0; i < certificates->len; i++)
        check_text (((ThDclCertificate *) g_ptr_array_index (certificates, i))->pem);
    }

  points = th_dcl_revocation_points_parse (text, size, &next_key, &error);
  if (points == NULL)
    {
      check_error (error);
      g_assert_null (next_key);
    }
  else
    {
      check_text (next_key);
      for (guint i = 0; i < points->len; i++)
        {
          const ThDclRevocationPoint *point = g_ptr_array_index (points, i);

          g_assert_nonnull (point->issuer_subject_key_id);
          g_assert_nonnull (point->data_url);
          check_text (point->label);
        }
    }
  return 0;
}
