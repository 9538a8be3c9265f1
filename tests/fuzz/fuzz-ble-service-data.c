/* fuzz-ble-service-data.c: the Matter BLE service data parser on arbitrary bytes, checked
 * against the layout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "discovery/th-ble-service-data.h"
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

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  ThBleServiceData parsed;
  gboolean expected = size == TH_BLE_SERVICE_DATA_LEN && data[0] == 0 && (data[2] >> 4) == 0;

  if (!th_ble_service_data_parse (data, size, &parsed, &error))
    {
      g_assert_false (expected);
      g_assert_error (error, TH_ERROR, TH_ERROR_BLE_SERVICE_DATA);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  g_assert_true (expected);
  g_assert_cmpuint (parsed.discriminator, ==, data[1] | (data[2] & 0x0F) << 8);
  g_assert_cmpuint (parsed.vendor_id, ==, data[3] | data[4] << 8);
  g_assert_cmpuint (parsed.product_id, ==, data[5] | data[6] << 8);
  g_assert_cmpuint (parsed.flags, ==, data[7]);
  return 0;
}
