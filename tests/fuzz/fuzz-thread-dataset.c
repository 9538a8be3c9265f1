/* fuzz-thread-dataset.c: the Thread operational dataset validator and the hex reader on
 * arbitrary bytes; an accepted dataset is re-checked against the rules it must meet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "commissioning/th-network-credentials.h"
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

static void
check_dataset (const guint8 *data,
               size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ThNetworkCredentials) credentials = NULL;
  ThThreadDataset dataset;

  if (!th_thread_dataset_parse (data, size, &dataset, &error))
    {
      g_assert_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return;
    }
  g_assert_cmpuint (size, <=, TH_THREAD_DATASET_MAX_LEN);
  g_assert_cmpuint (dataset.channel_page, ==, 0);
  g_assert_cmpuint (dataset.channel, >=, 11);
  g_assert_cmpuint (dataset.channel, <=, 26);
  g_assert_cmpuint (dataset.mesh_local_prefix[0], ==, 0xfd);
  g_assert_cmpuint (dataset.pan_id, !=, 0xffff);
  if (dataset.has_network_name)
    {
      gsize name_len = strlen (dataset.network_name);

      g_assert_cmpuint (name_len, >=, 1);
      g_assert_cmpuint (name_len, <=, 16);
      g_assert_true (g_utf8_validate (dataset.network_name, -1, NULL));
    }
  credentials = th_network_credentials_new_thread (data, size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (th_network_credentials_get_thread (credentials)->channel, ==,
                    dataset.channel);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree guint8 *decoded = NULL;
  gsize decoded_len = 0;

  check_dataset (data, size);

  /* the same bytes as pasted text */
  text = g_strndup ((const char *) data, size);
  decoded = th_thread_dataset_from_hex (text, &decoded_len, &error);
  if (decoded == NULL)
    {
      g_assert_error (error, TH_ERROR, TH_ERROR_THREAD_DATASET);
      return 0;
    }
  g_assert_cmpuint (decoded_len, <=, size / 2);
  check_dataset (decoded, decoded_len);
  return 0;
}
