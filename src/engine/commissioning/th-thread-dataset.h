/* th-thread-dataset.h: a Thread operational dataset, as AddOrUpdateThreadNetwork carries it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest dataset Thread defines, and the most the Matter command field may hold. */
#define TH_THREAD_DATASET_MAX_LEN 254

/* MeshCoP TLV types that may appear in an operational dataset */
typedef enum
{
  TH_THREAD_TLV_CHANNEL = 0,
  TH_THREAD_TLV_PAN_ID = 1,
  TH_THREAD_TLV_EXTENDED_PAN_ID = 2,
  TH_THREAD_TLV_NETWORK_NAME = 3,
  TH_THREAD_TLV_PSKC = 4,
  TH_THREAD_TLV_NETWORK_KEY = 5,
  TH_THREAD_TLV_MESH_LOCAL_PREFIX = 7,
  TH_THREAD_TLV_SECURITY_POLICY = 12,
  TH_THREAD_TLV_ACTIVE_TIMESTAMP = 14,
  TH_THREAD_TLV_PENDING_TIMESTAMP = 51,
  TH_THREAD_TLV_DELAY_TIMER = 52,
  TH_THREAD_TLV_CHANNEL_MASK = 53,
} ThThreadTlvType;

/* What a valid dataset says about its network; the network key and PSKc are checked but not
 * kept. */
typedef struct
{
  guint64 active_timestamp;
  guint16 pan_id;
  guint8 channel_page;
  guint16 channel;
  guint8 mesh_local_prefix[8];
  gboolean has_extended_pan_id;
  guint64 extended_pan_id;
  gboolean has_network_name;
  char network_name[17];              /* 1 to 16 bytes of UTF-8, NUL-terminated */
} ThThreadDataset;

/* Walks every TLV of `data` and checks what Matter needs: an Active Timestamp, a 16-byte
 * Network Key, a PAN ID, a channel on page 0 from 11 to 26 and an 8-byte mesh-local prefix in
 * fd00::/8, and the Extended PAN ID and Network Name when present. Unknown TLVs are skipped,
 * a TLV given twice is refused. On failure, TH_ERROR_THREAD_DATASET naming the TLV, what is
 * wrong with it and its byte offset; the message never contains a key. */
gboolean th_thread_dataset_parse (const guint8     *data,
                                  gsize             len,
                                  ThThreadDataset  *dataset,
                                  GError          **error);

/* Decodes hex as a person pastes it: pairs of hex digits, spaces, tabs and line breaks
 * between them ignored, an optional "0x" in front. The result is wiped on free by the caller
 * (it holds the network key). */
guint8  *th_thread_dataset_from_hex (const char  *hex,
                                     gsize       *len,
                                     GError     **error);

G_END_DECLS
