/* th-dnssd-txt.h: the TXT record of a Matter DNS-SD service, parsed strictly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "messaging/th-mrp.h"

G_BEGIN_DECLS

/* The keys Threshold knows, as bits: which were read, which were rejected. */
typedef enum
{
  TH_DNSSD_TXT_D = 1 << 0,     /* long discriminator */
  TH_DNSSD_TXT_VP = 1 << 1,    /* vendor id, and product id after a '+' */
  TH_DNSSD_TXT_CM = 1 << 2,    /* commissioning mode */
  TH_DNSSD_TXT_DT = 1 << 3,    /* device type */
  TH_DNSSD_TXT_DN = 1 << 4,    /* device name */
  TH_DNSSD_TXT_RI = 1 << 5,    /* rotating device identifier */
  TH_DNSSD_TXT_PH = 1 << 6,    /* pairing hint */
  TH_DNSSD_TXT_PI = 1 << 7,    /* pairing instruction */
  TH_DNSSD_TXT_SII = 1 << 8,   /* session idle interval */
  TH_DNSSD_TXT_SAI = 1 << 9,   /* session active interval */
  TH_DNSSD_TXT_SAT = 1 << 10,  /* session active threshold */
  TH_DNSSD_TXT_T = 1 << 11,    /* TCP support */
  TH_DNSSD_TXT_ICD = 1 << 12,  /* intermittently connected device operating mode */
  TH_DNSSD_TXT_CP = 1 << 13,   /* commissioner passcode (commissioners only) */
} ThDnssdTxtKeys;

/* CM: whether, and how, the node is open for commissioning. */
typedef enum
{
  TH_COMMISSIONING_MODE_CLOSED = 0,       /* not open; it may say how to open it (PH, PI) */
  TH_COMMISSIONING_MODE_BASIC = 1,        /* open, with the passcode on its label */
  TH_COMMISSIONING_MODE_ENHANCED = 2,     /* opened by an administrator, with a new passcode */
  TH_COMMISSIONING_MODE_JOINT_FABRIC = 3, /* opened for a Joint Fabric administrator */
} ThCommissioningMode;

/* T: a bitmap; bit 0 is reserved. */
typedef enum
{
  TH_DNSSD_TCP_CLIENT = 1 << 1,
  TH_DNSSD_TCP_SERVER = 1 << 2,
} ThDnssdTcpSupport;

#define TH_DNSSD_DEVICE_NAME_MAX 32
#define TH_DNSSD_ROTATING_ID_MAX 50          /* bytes; twice as many hex digits */
#define TH_DNSSD_PAIRING_INSTRUCTION_MAX 128
#define TH_DNSSD_SESSION_INTERVAL_MAX 3600000
#define TH_DNSSD_SESSION_THRESHOLD_MAX 65535

/* A TXT entry whose key Threshold does not know, kept as it came. */
typedef struct
{
  char *key;
  GBytes *value;               /* NULL for a key without '=', an attribute that is just there */
} ThDnssdTxtEntry;

/* A known key whose value was rejected. */
typedef struct
{
  char *key;                   /* as it appeared, in any case */
  char *message;               /* what is wrong with the value, in words */
} ThDnssdTxtProblem;

/* Immutable once parsed, and reference counted. A field is meaningful only when its key is
 * in `present`; a rejected value leaves its field as if the key were absent. */
typedef struct
{
  ThDnssdTxtKeys present;      /* keys read with a valid value */
  ThDnssdTxtKeys invalid;      /* keys whose value was rejected (see problems) */

  guint16 discriminator;       /* D: 0..4095 */
  /* VP is in `present` only when all of it is valid; each half read is kept on its own */
  guint16 vendor_id;           /* VP before the '+' */
  gboolean has_vendor_id;
  guint16 product_id;          /* VP after the '+', which may be left out */
  gboolean has_product_id;
  ThCommissioningMode commissioning_mode;
  guint32 device_type;
  char *device_name;           /* UTF-8, at most 32 bytes */
  GBytes *rotating_id;         /* 1..50 bytes */
  guint32 pairing_hint;        /* a bitmap: th_dnssd_describe_pairing_hint() */
  char *pairing_instruction;   /* UTF-8, at most 128 bytes */
  guint32 session_idle_interval_ms;    /* 1..3600000 */
  guint32 session_active_interval_ms;  /* 1..3600000 */
  guint16 session_active_threshold_ms; /* 1..65535 */
  guint8 tcp;                  /* ThDnssdTcpSupport bits; reserved bits are dropped */
  gboolean icd_long_idle;      /* ICD=1: a long idle time ICD; ICD=0: a short one */
  gboolean commissioner_passcode; /* CP=1: the commissioner can show a passcode */

  GPtrArray *other;            /* ThDnssdTxtEntry, in record order */
  GPtrArray *problems;         /* ThDnssdTxtProblem, in record order */
  GBytes *rdata;               /* the record as it came: length-prefixed strings */
} ThDnssdTxt;

#define TH_TYPE_DNSSD_TXT (th_dnssd_txt_get_type ())

GType       th_dnssd_txt_get_type (void) G_GNUC_CONST;

/* Parses TXT record data: a sequence of strings, each preceded by its length byte
 * (RFC 6763 6.1). Keys are matched without regard to case, and only the first entry of a key
 * counts (6.4). A bad value is recorded in `problems` and leaves the other keys alone; only a
 * record whose framing is broken fails, with TH_ERROR_DNSSD_TXT. */
ThDnssdTxt *th_dnssd_txt_parse    (const guint8     *rdata,
                                   gsize             len,
                                   GError          **error);
ThDnssdTxt *th_dnssd_txt_ref      (ThDnssdTxt       *txt);
void        th_dnssd_txt_unref    (ThDnssdTxt       *txt);
/* Whether two records came from the same bytes. */
gboolean    th_dnssd_txt_equal    (const ThDnssdTxt *a,
                                   const ThDnssdTxt *b);

/* The node's SII, SAI and SAT from the record, with the defaults for those it leaves out, to
 * pace retransmissions to it before a handshake tells more. */
void        th_dnssd_txt_get_mrp_parameters (const ThDnssdTxt *txt,
                                             ThMrpParameters  *parameters);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThDnssdTxt, th_dnssd_txt_unref)

G_END_DECLS
