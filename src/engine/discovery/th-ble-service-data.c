/* th-ble-service-data.c: what a Matter device says in its BLE advertisement
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "th-error.h"
#include "discovery/th-ble-service-data.h"

gboolean
th_ble_service_data_parse (const guint8      *data,
                           gsize              len,
                           ThBleServiceData  *service_data,
                           GError           **error)
{
  guint16 discriminator_and_version;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (service_data != NULL, FALSE);

  if (len == 0)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_BLE_SERVICE_DATA,
                           _("The Matter service data is empty"));
      return FALSE;
    }
  if (data[0] == TH_BLE_OPCODE_NETWORK_RECOVERY)
    {
      g_set_error_literal (error, TH_ERROR, TH_ERROR_BLE_SERVICE_DATA,
                           _("The Matter service data has opcode 0x01 at byte 0: the device "
                             "announces network recovery, not commissioning"));
      return FALSE;
    }
  if (data[0] != TH_BLE_OPCODE_COMMISSIONABLE)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_BLE_SERVICE_DATA,
                   _("The Matter service data has the unknown opcode 0x%02X at byte 0"),
                   data[0]);
      return FALSE;
    }
  if (len != TH_BLE_SERVICE_DATA_LEN)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_BLE_SERVICE_DATA,
                   _("The Matter service data is %" G_GSIZE_FORMAT " bytes long; a "
                     "commissionable device announces %u"),
                   len, TH_BLE_SERVICE_DATA_LEN);
      return FALSE;
    }

  /* Bits 0-11 the discriminator, bits 12-15 the version. */
  discriminator_and_version = (guint16) (data[1] | data[2] << 8);
  if (discriminator_and_version >> 12 != 0)
    {
      g_set_error (error, TH_ERROR, TH_ERROR_BLE_SERVICE_DATA,
                   _("The Matter service data has advertisement version %u in the upper half "
                     "of byte 2; only version 0 is known"),
                   discriminator_and_version >> 12);
      return FALSE;
    }

  service_data->version = 0;
  service_data->discriminator = discriminator_and_version & 0x0FFF;
  service_data->vendor_id = (guint16) (data[3] | data[4] << 8);
  service_data->product_id = (guint16) (data[5] | data[6] << 8);
  service_data->flags = data[7];
  return TRUE;
}
