/* th-setup-payload.h: the Matter onboarding payload (QR code, manual pairing code, NFC)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  TH_COMMISSIONING_FLOW_STANDARD = 0,
  TH_COMMISSIONING_FLOW_USER_INTENT = 1,
  TH_COMMISSIONING_FLOW_CUSTOM = 2,
  TH_COMMISSIONING_FLOW_RESERVED = 3,
} ThCommissioningFlow;

typedef enum
{
  TH_DISCOVERY_SOFT_AP = 1 << 0,
  TH_DISCOVERY_BLE = 1 << 1,
  TH_DISCOVERY_ON_NETWORK = 1 << 2,
  TH_DISCOVERY_WIFI_PAF = 1 << 3,
  TH_DISCOVERY_NFC = 1 << 4,
} ThDiscoveryCapabilities;

typedef enum
{
  TH_PAYLOAD_FORMAT_QR,
  TH_PAYLOAD_FORMAT_MANUAL,
} ThPayloadFormat;

typedef enum
{
  TH_PASSCODE_VALID,
  TH_PASSCODE_OUT_OF_RANGE,   /* 0, or above 99999998 */
  TH_PASSCODE_FORBIDDEN,      /* one of the trivial values the specification forbids */
} ThPasscodeValidity;

#define TH_PASSCODE_MAX 99999998u
#define TH_DISCRIMINATOR_MAX 0xFFFu

/* TLV tags of the optional QR data (specification 5.1.5) */
#define TH_PAYLOAD_TAG_SERIAL_NUMBER 0x00
#define TH_PAYLOAD_TAG_PBKDF_ITERATIONS 0x01
#define TH_PAYLOAD_TAG_PBKDF_SALT 0x02
#define TH_PAYLOAD_TAG_NUMBER_OF_DEVICES 0x03
#define TH_PAYLOAD_TAG_COMMISSIONING_TIMEOUT 0x04

/* A TLV element this codec does not interpret: a vendor element (tags 0x80..0xFF), or a
 * Matter-common element that this version does not know (0x05..0x7F). */
typedef struct
{
  guint8 tag;                 /* its context tag */
  GBytes *element;            /* the whole encoded TLV element, tag included, kept as it came */
} ThPayloadVendorElement;

typedef struct
{
  ThPayloadFormat format;     /* what it was parsed from, or is meant to be encoded as */
  guint8 version;             /* QR version field; 0 */
  gboolean has_vendor_product;/* FALSE for an 11-digit manual code */
  guint16 vendor_id;
  guint16 product_id;
  ThCommissioningFlow flow;   /* CUSTOM from a 21-digit manual code, which stands for
                               * user-intent or custom: the DCL tells which */
  gboolean has_capabilities;  /* FALSE for manual codes */
  guint8 capabilities;        /* ThDiscoveryCapabilities bits, as read (unknown bits kept) */
  gboolean short_discriminator;/* TRUE when only the upper 4 bits are known */
  guint16 discriminator;      /* 12 bits, or the 4-bit short value when short_discriminator */
  guint32 passcode;
  ThPasscodeValidity passcode_validity;

  /* the optional TLV section of a QR code; absent fields are NULL or 0 */
  char *serial_number;        /* text, or decimal digits when serial_number_is_integer */
  gboolean serial_number_is_integer;
  guint32 pbkdf_iterations;
  GBytes *pbkdf_salt;
  guint8 number_of_devices;
  guint16 commissioning_timeout;
  GPtrArray *vendor_elements; /* of ThPayloadVendorElement, in the order they came; may be
                               * NULL; add with th_setup_payload_add_vendor_element () */
} ThSetupPayload;

ThSetupPayload  *th_setup_payload_new            (void);
ThSetupPayload  *th_setup_payload_copy           (const ThSetupPayload *payload);
void             th_setup_payload_free           (ThSetupPayload       *payload);

/* Appends an element to vendor_elements (creating it); element is the whole encoded TLV
 * element with the context tag `tag`. Encoding refuses elements that are not. */
void             th_setup_payload_add_vendor_element (ThSetupPayload *payload,
                                                      guint8          tag,
                                                      GBytes         *element);

/* The short (4-bit) discriminator, whichever form the payload holds. */
guint8           th_setup_payload_get_short_discriminator (const ThSetupPayload *payload);

/* Parses what a person typed, pasted or scanned: an "MT:" QR text (possibly several payloads
 * joined with '*'), or an 11- or 21-digit manual code with optional spaces or dashes.
 * Leading and trailing white space is ignored. Returns a non-empty array of ThSetupPayload
 * (owned, free function set) or NULL with a TH_ERROR_PAYLOAD_* error that names the field or
 * the position. Text that starts with anything but a digit is taken for QR text, which may
 * also be one '%'-separated segment among others. A payload whose passcode is out of range
 * or forbidden is returned with passcode_validity set, so that it can be shown; callers
 * must check it (th_setup_payload_validate) before using the payload. */
GPtrArray       *th_setup_payload_parse          (const char   *text,
                                                  GError      **error);
GPtrArray       *th_setup_payload_parse_qr       (const char   *text,
                                                  GError      **error);
ThSetupPayload  *th_setup_payload_parse_manual   (const char   *text,
                                                  GError      **error);
/* An NFC NDEF message: the first URI record whose URI is "MT:..." (specification table 42)
 * is parsed as QR text; other records may sit beside it. */
GPtrArray       *th_setup_payload_parse_ndef     (const guint8 *data,
                                                  gsize         len,
                                                  GError      **error);

/* Whether the payload may be used to commission: passcode, discriminator and flow. */
gboolean         th_setup_payload_validate       (const ThSetupPayload *payload,
                                                  GError              **error);

/* The encoders refuse, with the error th_setup_payload_validate gives, a payload that may
 * not be used, and one that lacks what the form needs: a QR code needs the full
 * discriminator, the vendor and product ID and the discovery capabilities. The TLV section
 * is written with the known fields first, in tag order, then vendor_elements as they are. */
char            *th_setup_payload_encode_qr      (const ThSetupPayload *payload,
                                                  GError              **error);
/* Several payloads joined with '*' after a single "MT:" prefix. */
char            *th_setup_payload_encode_qr_multi (GPtrArray           *payloads,
                                                   GError             **error);
/* 11 digits, or 21 when the flow is not standard (VID and PID included). Digits only. */
char            *th_setup_payload_encode_manual  (const ThSetupPayload *payload,
                                                  GError              **error);
/* The NDEF message with one URI record carrying the QR text. */
GBytes          *th_setup_payload_encode_ndef    (const ThSetupPayload *payload,
                                                  GError              **error);

ThPasscodeValidity th_passcode_check             (guint32       passcode);

/* Formats manual-code digits for people: 4-3-4 for 11 digits ("3497-011-2332"), and the
 * same grouping followed by the VID/PID groups for 21 digits. Returns NULL for other input. */
char            *th_manual_code_format           (const char   *digits);

/* Base-38 (specification 5.1.3.1) */
char            *th_base38_encode                (const guint8 *data,
                                                  gsize         len);
GBytes          *th_base38_decode                (const char   *text,
                                                  gssize        len,
                                                  GError      **error);

/* Verhoeff check digit over ASCII digits; -1 when a character is not a digit. */
int              th_verhoeff_compute             (const char   *digits,
                                                  gssize        len);
gboolean         th_verhoeff_validate            (const char   *digits_with_check,
                                                  gssize        len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThSetupPayload, th_setup_payload_free)

G_END_DECLS
