/* th-dcl-records.h: what the Distributed Compliance Ledger says about a model, a vendor and
 * its PKI, and the strict parsers of its REST answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "onboarding/th-setup-payload.h"

G_BEGIN_DECLS

/* The parsers take the body of one answer as it came. They accept fields they do not know,
 * fields left out (the ledger's schema grows, and older answers lack newer fields) and the
 * older spellings of some names (commissioningCustomFlowURL for commissioningCustomFlowUrl...);
 * they refuse anything else that is not as the ledger's schema says, with a TH_ERROR_DCL_INVALID
 * that names the field ("model.vid") or the byte offset. Numbers may come as JSON numbers or
 * as decimal strings (the ledger's gateway writes 64-bit numbers as strings). Text the ledger
 * leaves empty ("") is NULL here. Text with control characters other than tab and line breaks
 * is refused: it would end up on a screen. */

/* Beyond this nesting an answer is refused rather than parsed: the ledger nests four deep. */
#define TH_DCL_MAX_DEPTH 32

/* GET /dcl/model/models/{vid}/{pid}: {"model": {...}} */
typedef struct
{
  guint16 vendor_id;
  guint16 product_id;
  gboolean has_device_type_id;
  guint32 device_type_id;
  char *product_name;
  char *product_label;
  char *part_number;
  /* 0 standard, 1 user intent, 2 custom; 0 when the ledger leaves it out */
  ThCommissioningFlow custom_flow;
  char *custom_flow_url;
  guint32 initial_steps_hint;
  char *initial_steps_instruction;
  guint32 secondary_steps_hint;
  char *secondary_steps_instruction;
  guint32 factory_reset_steps_hint;
  char *factory_reset_steps_instruction;
  guint32 icd_user_active_mode_trigger_hint;
  char *icd_user_active_mode_trigger_instruction;
  char *user_manual_url;
  char *support_url;
  char *product_url;
  char *lsf_url;
  guint32 lsf_revision;
  char *maintenance_url;
  char *commissioning_fallback_url;
  gboolean has_discovery_capabilities;
  guint32 discovery_capabilities;
  guint32 enhanced_setup_flow_options;
  char *enhanced_setup_flow_tc_url;
  guint32 enhanced_setup_flow_tc_revision;
  char *enhanced_setup_flow_tc_digest;
  guint64 enhanced_setup_flow_tc_file_size;
  char *creator;
  guint32 schema_version;
} ThDclModel;

/* GET /dcl/vendorinfo/vendors/{vid}: {"vendorInfo": {...}} */
typedef struct
{
  guint16 vendor_id;
  char *vendor_name;
  char *company_legal_name;
  char *company_preferred_name;
  char *landing_page_url;
  char *creator;
  guint32 schema_version;
} ThDclVendor;

/* One entry of GET /dcl/pki/root-certificates: which certificate, not the certificate. */
typedef struct
{
  char *subject;          /* the subject name, DER in base64, as the ledger keys it */
  char *subject_key_id;   /* hex bytes with colons, "6A:FD:22:..." */
} ThDclCertificateId;

/* One certificate of GET /dcl/pki/certificates/{subject}/{subjectKeyId} */
typedef struct
{
  char *pem;              /* required */
  char *subject;
  char *subject_key_id;
  char *subject_as_text;  /* "CN=Matter Test PAA,..." */
  char *serial_number;
  char *issuer;
  char *authority_key_id;
  gboolean is_root;
  gboolean has_vendor_id;
  guint16 vendor_id;
} ThDclCertificate;

/* A revocation distribution point: where a CRL for certificates of one issuer is published. */
typedef struct
{
  guint16 vendor_id;
  guint16 product_id;     /* 0 when not for one product */
  gboolean is_paa;
  char *label;
  char *crl_signer_certificate;   /* PEM */
  char *crl_signer_delegator;     /* PEM */
  char *issuer_subject_key_id;    /* hex without colons, as the ledger writes it here */
  char *data_url;
  guint64 data_file_size;
  char *data_digest;
  guint32 data_digest_type;
  guint32 revocation_type;        /* 1: a CRL */
  guint32 schema_version;
} ThDclRevocationPoint;

ThDclModel           *th_dcl_model_parse              (const char  *data,
                                                       gsize        len,
                                                       GError     **error);
ThDclVendor          *th_dcl_vendor_parse             (const char  *data,
                                                       gsize        len,
                                                       GError     **error);
/* Of ThDclCertificateId. */
GPtrArray            *th_dcl_root_certificates_parse  (const char  *data,
                                                       gsize        len,
                                                       GError     **error);
/* Of ThDclCertificate; never empty. */
GPtrArray            *th_dcl_certificates_parse       (const char  *data,
                                                       gsize        len,
                                                       GError     **error);
/* Of ThDclRevocationPoint: the list (GET /dcl/pki/revocation-points, one page of it) or the
 * points of one issuer (GET /dcl/pki/revocation-points/{issuerSubjectKeyID}). `next_key`,
 * when not NULL, gets the key of the next page, or NULL on the last one. */
GPtrArray            *th_dcl_revocation_points_parse  (const char  *data,
                                                       gsize        len,
                                                       char       **next_key,
                                                       GError     **error);

void                  th_dcl_model_free               (ThDclModel           *model);
void                  th_dcl_vendor_free              (ThDclVendor          *vendor);
void                  th_dcl_certificate_id_free      (ThDclCertificateId   *id);
void                  th_dcl_certificate_free         (ThDclCertificate     *certificate);
void                  th_dcl_revocation_point_free    (ThDclRevocationPoint *point);

/* The steps that put the device in commissioning mode the first time (initial) or again later
 * (secondary), in words, one sentence per pairing hint bit with the instruction filled in: the
 * same sentences as for the DNS-SD PH and PI keys. Empty when the ledger gives no hint. */
GStrv                 th_dcl_model_describe_initial_steps   (const ThDclModel *model);
GStrv                 th_dcl_model_describe_secondary_steps (const ThDclModel *model);

/* The vendor's name to show: its vendor name (the brand), else the company's preferred name,
 * else its legal name; NULL when the ledger has none. Borrowed. */
const char           *th_dcl_vendor_get_display_name  (const ThDclVendor   *vendor);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThDclModel, th_dcl_model_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThDclVendor, th_dcl_vendor_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThDclCertificate, th_dcl_certificate_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThDclRevocationPoint, th_dcl_revocation_point_free)

G_END_DECLS
