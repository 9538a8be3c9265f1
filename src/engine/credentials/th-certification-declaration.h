/* th-certification-declaration.h: the Certification Declaration (CD), its CMS envelope and the
 * keys that sign it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define TH_CD_MAX_PRODUCT_IDS         100
#define TH_CD_MAX_AUTHORIZED_PAAS     10
#define TH_CD_CERTIFICATE_ID_LEN      19
#define TH_CD_KEY_ID_LEN              20
/* The largest CMS envelope accepted; a real one is well under 1 kB. */
#define TH_CD_MAX_ENVELOPE_LEN        1024

typedef enum
{
  TH_CERTIFICATION_TYPE_DEVELOPMENT = 0,  /* development and test */
  TH_CERTIFICATION_TYPE_PROVISIONAL = 1,
  TH_CERTIFICATION_TYPE_OFFICIAL = 2,
} ThCertificationType;

/* The TLV payload. Plain data: no pointers, copy it freely. */
typedef struct
{
  guint16 format_version;
  guint16 vendor_id;
  guint16 product_ids[TH_CD_MAX_PRODUCT_IDS];
  guint n_product_ids;                        /* at least 1 */
  guint32 device_type_id;
  char certificate_id[TH_CD_CERTIFICATE_ID_LEN + 1];  /* NUL-terminated */
  guint8 security_level;
  guint16 security_information;
  guint16 version_number;
  ThCertificationType certification_type;
  gboolean has_dac_origin;
  guint16 dac_origin_vendor_id;
  guint16 dac_origin_product_id;
  guint8 authorized_paas[TH_CD_MAX_AUTHORIZED_PAAS][TH_CD_KEY_ID_LEN];  /* PAA key ids */
  guint n_authorized_paas;                    /* 0: the list is absent */
} ThCertificationDeclaration;

/* Decodes the payload strictly: an anonymous structure holding tags 0 to 8 in order, then
 * optionally 9 and 10 together and 11; later context tags are skipped for forward
 * compatibility; nothing may follow the structure. Integers may be encoded signed or unsigned
 * but must fit their fields. Only format version 1 is accepted. Failures are
 * TH_ERROR_CERTIFICATION_DECLARATION naming the field and its byte offset. */
gboolean th_certification_declaration_decode      (const guint8                *tlv,
                                                   gsize                        len,
                                                   ThCertificationDeclaration  *cd,
                                                   GError                     **error);
gboolean th_certification_declaration_has_product (const ThCertificationDeclaration *cd,
                                                   guint16                     product_id);
gboolean th_certification_declaration_authorizes_paa (const ThCertificationDeclaration *cd,
                                                      const guint8 key_id[TH_CD_KEY_ID_LEN]);

/* The CMS SignedData envelope as Matter profiles it: version 3, one SHA-256 digest
 * algorithm, id-data content, one signer identified by its subject key identifier, no
 * signed attributes, an ecdsa-with-SHA256 signature over the content. Certificates, CRLs and
 * unsigned attributes, which Matter does not use, are skipped. The pointers are into the
 * parsed buffer. */
typedef struct
{
  const guint8 *content;            /* the TLV payload */
  gsize content_len;
  const guint8 *signer_key_id;
  gsize signer_key_id_len;
  const guint8 *signature;          /* DER Ecdsa-Sig-Value */
  gsize signature_len;
} ThCdEnvelope;

/* Strict DER: definite minimal lengths, every element within its parent, nothing after the
 * envelope. Failures are TH_ERROR_CERTIFICATION_DECLARATION naming what is wrong and its
 * byte offset. */
gboolean th_cd_envelope_parse (const guint8   *cms,
                               gsize           len,
                               ThCdEnvelope   *envelope,
                               GError        **error);

/* The certificates whose keys may sign certification declarations, looked up by subject key
 * identifier. A signer is a test signer when added as one or when it is the CSA's published
 * test signer (key id 62FA823359ACFAA9963E1CFA140ADDF504F37160); a test signer may vouch
 * only for development declarations. Signer certificates are not chained to a CSA root here:
 * whoever adds them vouches for them. Reference counted. */
typedef struct _ThCdSigners ThCdSigners;

#define TH_TYPE_CD_SIGNERS (th_cd_signers_get_type ())

GType        th_cd_signers_get_type      (void) G_GNUC_CONST;
ThCdSigners *th_cd_signers_new           (void);
ThCdSigners *th_cd_signers_ref           (ThCdSigners   *self);
void         th_cd_signers_unref         (ThCdSigners   *self);
/* One DER certificate or one or more PEM ones; each must have a P-256 key and a subject key
 * identifier. */
gboolean     th_cd_signers_add_data      (ThCdSigners   *self,
                                          const guint8  *data,
                                          gsize          len,
                                          gboolean       is_test,
                                          GError       **error);
/* As th_paa_store_add_directory. */
gboolean     th_cd_signers_add_directory (ThCdSigners   *self,
                                          const char    *path,
                                          gboolean       is_test,
                                          GPtrArray    **warnings,
                                          GError       **error);
guint        th_cd_signers_get_size      (ThCdSigners   *self);

/* Checks the envelope's signature with the signer it names. Fails with
 * TH_ERROR_CD_SIGNER_UNKNOWN when no known signer has that key identifier, and with
 * TH_ERROR_CRYPTO_INVALID_SIGNATURE when the signature does not match. `is_test_signer`
 * tells whether the signer is a test signer (also set when the signature is wrong). */
gboolean     th_cd_signers_verify        (ThCdSigners        *self,
                                          const ThCdEnvelope *envelope,
                                          gboolean           *is_test_signer,
                                          GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThCdSigners, th_cd_signers_unref)

G_END_DECLS
