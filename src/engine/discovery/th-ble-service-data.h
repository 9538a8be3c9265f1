/* th-ble-service-data.h: what a Matter device says in its BLE advertisement
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The Matter GATT service and the characteristics BTP runs over, as BlueZ spells them. */
#define TH_BLE_MATTER_SERVICE_UUID  "0000fff6-0000-1000-8000-00805f9b34fb"
#define TH_BLE_MATTER_C1_UUID       "18ee2ef5-263d-4559-959f-4f9c429f9d11"
#define TH_BLE_MATTER_C2_UUID       "18ee2ef5-263d-4559-959f-4f9c429f9d12"

/* The service data of a commissionable device: opcode, discriminator and version, vendor
 * id, product id, flags. */
#define TH_BLE_SERVICE_DATA_LEN     8

typedef enum
{
  TH_BLE_OPCODE_COMMISSIONABLE   = 0x00,
  TH_BLE_OPCODE_NETWORK_RECOVERY = 0x01,
} ThBleOpcode;

typedef enum
{
  /* The device offers additional data (rotating id...) on characteristic C3. */
  TH_BLE_FLAG_ADDITIONAL_DATA        = 1 << 0,
  /* An extended announcement: the device is not in commissioning mode, and leaves the
   * vendor and product ids out (zero). */
  TH_BLE_FLAG_EXTENDED_ANNOUNCEMENT  = 1 << 1,
} ThBleAdvertisementFlags;

typedef struct
{
  guint8 version;           /* the advertisement version, 0 */
  guint16 discriminator;    /* 12 bits */
  guint16 vendor_id;        /* 0 when not given */
  guint16 product_id;       /* 0 when not given */
  guint8 flags;             /* ThBleAdvertisementFlags; other bits are reserved and kept */
} ThBleServiceData;

/* The service data for TH_BLE_MATTER_SERVICE_UUID, checked byte by byte. Fails with
 * TH_ERROR_BLE_SERVICE_DATA, naming the field and its byte, for anything that is not a
 * commissionable announcement of version 0. */
gboolean th_ble_service_data_parse (const guint8      *data,
                                    gsize              len,
                                    ThBleServiceData  *service_data,
                                    GError           **error);

G_END_DECLS
