/* th-certificate.h: Matter operational certificates (RCAC, ICAC, NOC) in the Matter TLV
 * encoding and in X.509 DER, and NOC chain validation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "crypto/th-crypto.h"

G_BEGIN_DECLS

#define TH_CERTIFICATE_MAX_TLV_LEN        400   /* the specification's bound on a Matter cert */
#define TH_CERTIFICATE_MAX_DER_LEN        600
#define TH_CERTIFICATE_MAX_SERIAL_LEN     20    /* as RFC 5280 */
#define TH_CERTIFICATE_MAX_DN_ATTRIBUTES  5
#define TH_CERTIFICATE_MAX_CATS           3
#define TH_CERTIFICATE_KEY_ID_LEN         20
#define TH_CERTIFICATE_MAX_EXTENSIONS     10
#define TH_CERTIFICATE_MAX_STRING_LEN     128   /* of a string attribute of a DN */

/* Seconds from the Unix epoch to the Matter epoch, 2000-01-01T00:00:00Z. */
#define TH_MATTER_EPOCH_UNIX              G_GINT64_CONSTANT (946684800)
/* A not-after of 0 stands for X.509's 99991231235959Z: no well-defined expiration. */
#define TH_CERTIFICATE_NO_EXPIRY          0

/* Attribute types of a distinguished name: the TLV tag numbers and the enumeration of their
 * X.509 OIDs (2.5.4.x, DC, and 1.3.6.1.4.1.37244.1.x for the Matter ones). */
typedef enum
{
  TH_DN_COMMON_NAME = 1,
  TH_DN_SURNAME,
  TH_DN_SERIAL_NUMBER,
  TH_DN_COUNTRY_NAME,
  TH_DN_LOCALITY_NAME,
  TH_DN_STATE_OR_PROVINCE_NAME,
  TH_DN_ORGANIZATION_NAME,
  TH_DN_ORGANIZATIONAL_UNIT_NAME,
  TH_DN_TITLE,
  TH_DN_NAME,
  TH_DN_GIVEN_NAME,
  TH_DN_INITIALS,
  TH_DN_GENERATION_QUALIFIER,
  TH_DN_DN_QUALIFIER,
  TH_DN_PSEUDONYM,
  TH_DN_DOMAIN_COMPONENT,
  TH_DN_MATTER_NODE_ID = 17,
  TH_DN_MATTER_FIRMWARE_SIGNING_ID,
  TH_DN_MATTER_ICAC_ID,
  TH_DN_MATTER_RCAC_ID,
  TH_DN_MATTER_FABRIC_ID,
  TH_DN_MATTER_NOC_CAT,
} ThDnAttributeType;

/* The TLV tag of a string attribute has this bit set when X.509 holds a PrintableString. */
#define TH_DN_PRINTABLE_FLAG 0x80

typedef struct
{
  ThDnAttributeType type;
  guint64 value;              /* Matter attributes (17..22) */
  char *string;               /* the others: UTF-8, NUL-terminated, owned */
  gboolean printable;         /* the others: PrintableString rather than UTF8String in X.509 */
} ThDnAttribute;

/* Attributes in their encoding order, one per RDN. */
typedef struct
{
  guint n_attributes;
  ThDnAttribute attributes[TH_CERTIFICATE_MAX_DN_ATTRIBUTES];
} ThDistinguishedName;

/* Appends an attribute; FALSE when the DN is full. Strings are copied. */
gboolean th_dn_add_matter       (ThDistinguishedName       *dn,
                                 ThDnAttributeType          type,
                                 guint64                    value);
gboolean th_dn_add_string       (ThDistinguishedName       *dn,
                                 ThDnAttributeType          type,
                                 const char                *string,
                                 gboolean                   printable);
/* The value of the first attribute of that (Matter) type. */
gboolean th_dn_get_matter       (const ThDistinguishedName *dn,
                                 ThDnAttributeType          type,
                                 guint64                   *value);
/* Same attributes in the same order with the same values and string types. */
gboolean th_dn_equal            (const ThDistinguishedName *a,
                                 const ThDistinguishedName *b);
/* Frees what dn holds and empties it. */
void     th_dn_clear            (ThDistinguishedName       *dn);
/* Replaces dest (cleared first) by a deep copy of src. */
void     th_dn_copy             (ThDistinguishedName       *dest,
                                 const ThDistinguishedName *src);

typedef enum
{
  TH_CERTIFICATE_KIND_ROOT,   /* RCAC: the subject has a matter-rcac-id */
  TH_CERTIFICATE_KIND_ICA,    /* ICAC: a matter-icac-id */
  TH_CERTIFICATE_KIND_NODE,   /* NOC: a matter-node-id */
} ThCertificateKind;

typedef enum
{
  TH_KEY_USAGE_DIGITAL_SIGNATURE = 1 << 0,
  TH_KEY_USAGE_NON_REPUDIATION = 1 << 1,
  TH_KEY_USAGE_KEY_ENCIPHERMENT = 1 << 2,
  TH_KEY_USAGE_DATA_ENCIPHERMENT = 1 << 3,
  TH_KEY_USAGE_KEY_AGREEMENT = 1 << 4,
  TH_KEY_USAGE_KEY_CERT_SIGN = 1 << 5,
  TH_KEY_USAGE_CRL_SIGN = 1 << 6,
  TH_KEY_USAGE_ENCIPHER_ONLY = 1 << 7,
  TH_KEY_USAGE_DECIPHER_ONLY = 1 << 8,
} ThKeyUsage;

typedef enum
{
  TH_KEY_PURPOSE_SERVER_AUTH = 1,
  TH_KEY_PURPOSE_CLIENT_AUTH,
  TH_KEY_PURPOSE_CODE_SIGNING,
  TH_KEY_PURPOSE_EMAIL_PROTECTION,
  TH_KEY_PURPOSE_TIME_STAMPING,
  TH_KEY_PURPOSE_OCSP_SIGNING,
} ThKeyPurpose;

/* Extensions: the TLV tag numbers inside the extensions list */
typedef enum
{
  TH_EXTENSION_BASIC_CONSTRAINTS = 1,
  TH_EXTENSION_KEY_USAGE,
  TH_EXTENSION_EXTENDED_KEY_USAGE,
  TH_EXTENSION_SUBJECT_KEY_ID,
  TH_EXTENSION_AUTHORITY_KEY_ID,
  TH_EXTENSION_FUTURE,        /* any other X.509 extension, kept as its DER */
} ThExtensionType;

/* A Matter operational certificate, holding everything either encoding needs, so that each
 * converts to the other byte for byte (the signature covers the X.509 TBSCertificate). The
 * fields may be filled by hand to issue a certificate: th_certificate_sign then checks them.
 * Signature and public-key algorithms are implied: ECDSA with SHA-256 on P-256. */
typedef struct
{
  guint8 serial[TH_CERTIFICATE_MAX_SERIAL_LEN];  /* the DER INTEGER's content octets */
  gsize serial_len;
  ThDistinguishedName issuer;
  ThDistinguishedName subject;
  guint32 not_before;         /* seconds since the Matter epoch */
  guint32 not_after;          /* likewise, or TH_CERTIFICATE_NO_EXPIRY */
  guint8 public_key[TH_P256_PUBLIC_KEY_LEN];

  /* extensions, in encoding order; which of the fields below apply */
  ThExtensionType extensions[TH_CERTIFICATE_MAX_EXTENSIONS];
  guint n_extensions;
  gboolean is_ca;
  gboolean has_path_len;
  guint8 path_len;
  guint16 key_usage;          /* ThKeyUsage flags */
  guint8 key_purposes[6];     /* ThKeyPurpose, in encoding order */
  guint n_key_purposes;
  guint8 subject_key_id[TH_CERTIFICATE_KEY_ID_LEN];
  guint8 authority_key_id[TH_CERTIFICATE_KEY_ID_LEN];
  GPtrArray *future_extensions; /* of GBytes: each a DER Extension, in the order of the
                                 * TH_EXTENSION_FUTURE entries; NULL when none */

  guint8 signature[TH_P256_SIGNATURE_LEN];  /* raw r || s */
} ThCertificate;

ThCertificate *th_certificate_new         (void);
ThCertificate *th_certificate_copy        (const ThCertificate *cert);
void           th_certificate_free        (ThCertificate       *cert);

/* Decoders check everything the encoding rules require (field order, types, ranges, DN
 * rules, which extensions must be there, the X.509 form fitting its bound) and fail with
 * TH_ERROR_CERTIFICATE_INVALID saying which field is wrong. They do not check the signature
 * nor the kind-specific profile: th_certificate_check_profile and chain validation do. */
ThCertificate *th_certificate_decode_tlv  (const guint8        *tlv,
                                           gsize                len,
                                           GError             **error);
/* An X.509 certificate that the Matter TLV encoding can represent exactly; anything that
 * would not come back byte for byte (a non-canonical time form, criticality other than
 * Matter's, an unsupported attribute...) is refused. */
ThCertificate *th_certificate_decode_x509 (const guint8        *der,
                                           gsize                len,
                                           GError             **error);

GBytes        *th_certificate_encode_tlv  (const ThCertificate *cert,
                                           GError             **error);
GBytes        *th_certificate_encode_x509 (const ThCertificate *cert,
                                           GError             **error);
/* The TBSCertificate DER: what the signature covers. */
GBytes        *th_certificate_encode_tbs  (const ThCertificate *cert,
                                           GError             **error);

/* Conversions in one call. */
GBytes        *th_certificate_tlv_to_x509 (const guint8        *tlv,
                                           gsize                len,
                                           GError             **error);
GBytes        *th_certificate_x509_to_tlv (const guint8        *der,
                                           gsize                len,
                                           GError             **error);

ThCertificateKind th_certificate_get_kind (const ThCertificate *cert);
/* 0 when absent (neither is a valid value). */
guint64        th_certificate_get_node_id   (const ThCertificate *cert);
guint64        th_certificate_get_fabric_id (const ThCertificate *cert);
/* The CASE Authenticated Tags of the subject; returns how many (at most 3). */
guint          th_certificate_get_cats      (const ThCertificate *cert,
                                             guint32              cats[TH_CERTIFICATE_MAX_CATS]);

/* Signs the certificate's TBS with the issuer's key and stores the signature, after checking
 * the fields as the decoders do. */
gboolean       th_certificate_sign        (ThCertificate       *cert,
                                           ThP256Key           *issuer_key,
                                           GError             **error);
/* TH_ERROR_CERTIFICATE_CHAIN when the signature does not verify with that key
 * (TH_P256_PUBLIC_KEY_LEN bytes). */
gboolean       th_certificate_verify_signature (const ThCertificate *cert,
                                                const guint8        *issuer_public_key,
                                                GError             **error);

/* The rules of the specification for one kind of certificate: basic constraints, key usage,
 * extended key usage, key identifiers, DN attributes allowed in the subject and issuer, CATs.
 * TH_ERROR_CERTIFICATE_INVALID. */
gboolean       th_certificate_check_profile (const ThCertificate *cert,
                                             GError             **error);
/* Whether `time` (seconds since the Matter epoch) lies within the validity period:
 * TH_ERROR_CERTIFICATE_NOT_YET_VALID or TH_ERROR_CERTIFICATE_EXPIRED otherwise. */
gboolean       th_certificate_check_validity (const ThCertificate *cert,
                                              guint32              time,
                                              GError             **error);

/* That `issuer` issued `cert`: the issuer DN is the issuer's subject DN, the authority key
 * identifier its subject key identifier, and the signature verifies with its key.
 * TH_ERROR_CERTIFICATE_CHAIN. */
gboolean       th_certificate_check_issued_by (const ThCertificate *cert,
                                               const ThCertificate *issuer,
                                               GError             **error);

/* Validates NOC -> ICAC (optional) -> RCAC, the RCAC being trusted: each profile, the kinds,
 * issuer and subject DNs, key identifiers, path length, fabric ids (the NOC's, and any in
 * the ICAC or RCAC, must agree), every signature (the RCAC's own included) and, when `now`
 * is not NULL, every validity period. TH_ERROR_CERTIFICATE_* errors. */
gboolean       th_certificate_validate_chain (const ThCertificate *noc,
                                              const ThCertificate *icac,
                                              const ThCertificate *rcac,
                                              GDateTime           *now,
                                              GError             **error);

/* Seconds since the Matter epoch; FALSE (error set) for times it cannot hold. */
gboolean       th_matter_time_from_date_time (GDateTime          *time,
                                              guint32            *matter_time,
                                              GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThCertificate, th_certificate_free)

G_END_DECLS
