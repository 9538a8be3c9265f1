/* th-attestation.h: the device attestation verifier (Matter core specification, 6.2 and 11.17)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "th-attestation-revocation.h"
#include "th-certification-declaration.h"
#include "th-paa-store.h"

G_BEGIN_DECLS

#define TH_ATTESTATION_NONCE_LEN      32
#define TH_ATTESTATION_CHALLENGE_LEN  16
/* RESP_MAX: the largest attestation_elements a device may send. */
#define TH_ATTESTATION_ELEMENTS_MAX_LEN 900
/* A trust store whose contents are older than this is reported as stale. */
#define TH_PAA_STORE_STALE_AFTER_DAYS 90

/* What a finding is about. Each check may be reported more than once (the vendor ID, for
 * instance, is compared with several sources), each time with its own sentence. */
typedef enum
{
  TH_ATTESTATION_TRUST_STORE_EMPTY,
  TH_ATTESTATION_TRUST_STORE_STALE,
  TH_ATTESTATION_PAA_NOT_FOUND,
  TH_ATTESTATION_PAI_MISSING,
  TH_ATTESTATION_DAC_MALFORMED,
  TH_ATTESTATION_PAI_MALFORMED,
  TH_ATTESTATION_DAC_PROFILE,            /* a DAC field the DAC profile forbids or needs */
  TH_ATTESTATION_PAI_PROFILE,
  TH_ATTESTATION_PAA_PROFILE,
  TH_ATTESTATION_DAC_CHAIN_INVALID,      /* the DAC was not issued and signed by the PAI */
  TH_ATTESTATION_PAI_CHAIN_INVALID,      /* the PAI was not issued and signed by the PAA */
  TH_ATTESTATION_DAC_EXPIRED,
  TH_ATTESTATION_DAC_NOT_YET_VALID,
  TH_ATTESTATION_PAI_EXPIRED,
  TH_ATTESTATION_PAI_NOT_YET_VALID,
  TH_ATTESTATION_PAA_EXPIRED,
  TH_ATTESTATION_PAA_NOT_YET_VALID,
  TH_ATTESTATION_ISSUED_OUTSIDE_VALIDITY, /* the DAC was issued when an issuer was not valid */
  TH_ATTESTATION_DAC_VENDOR_ID_MISMATCH, /* DAC and PAI */
  TH_ATTESTATION_DAC_PRODUCT_ID_MISMATCH,
  TH_ATTESTATION_PAI_VENDOR_ID_MISMATCH, /* PAI and PAA */
  TH_ATTESTATION_DAC_REVOKED,
  TH_ATTESTATION_PAI_REVOKED,
  TH_ATTESTATION_SIGNATURE_INVALID,      /* the attestation signature, made with the DAC key */
  TH_ATTESTATION_ELEMENTS_MALFORMED,
  TH_ATTESTATION_NONCE_MISMATCH,
  TH_ATTESTATION_CD_MALFORMED,
  TH_ATTESTATION_CD_SIGNER_UNKNOWN,
  TH_ATTESTATION_CD_SIGNATURE_INVALID,
  TH_ATTESTATION_CD_TEST_SIGNER,         /* a test key signed a provisional or official CD */
  TH_ATTESTATION_CD_VENDOR_ID_MISMATCH,
  TH_ATTESTATION_CD_PRODUCT_ID_MISMATCH,
  TH_ATTESTATION_CD_PAA_NOT_AUTHORIZED,
  TH_ATTESTATION_CD_DEVELOPMENT,         /* the CD is for development and test */
  TH_ATTESTATION_CD_PROVISIONAL,
} ThAttestationCheck;

#define TH_TYPE_ATTESTATION_CHECK (th_attestation_check_get_type ())
GType       th_attestation_check_get_type  (void) G_GNUC_CONST;
/* A stable lower-case name for machines: "paa-not-found", "cd-development"... */
const char *th_attestation_check_to_string (ThAttestationCheck check);

typedef enum
{
  TH_ATTESTATION_SEVERITY_WARNING,  /* worth telling the user; attestation still holds */
  TH_ATTESTATION_SEVERITY_FAILURE,  /* the device's identity is not established */
} ThAttestationSeverity;

typedef struct
{
  ThAttestationCheck check;
  ThAttestationSeverity severity;
  char *message;   /* a translated sentence for the user */
} ThAttestationFinding;

/* What the device sent and what the commissioner knows. Every GBytes is borrowed. */
typedef struct
{
  GBytes *dac;                    /* DER */
  GBytes *pai;                    /* DER; NULL when the device gave none */
  GBytes *attestation_elements;   /* as received in AttestationResponse */
  GBytes *attestation_signature;  /* raw r || s, 64 bytes */
  GBytes *attestation_challenge;  /* from the PASE session */
  GBytes *nonce;                  /* the TH_ATTESTATION_NONCE_LEN bytes sent */
  guint16 vendor_id;              /* from the onboarding payload or Basic Information; 0: unknown */
  guint16 product_id;             /* likewise; 0: unknown */
  gint64 now;                     /* Unix seconds, for validity periods and the store's age */
} ThAttestationInfo;

typedef struct _ThAttestationResult ThAttestationResult;

#define TH_TYPE_ATTESTATION_RESULT (th_attestation_result_get_type ())

GType                th_attestation_result_get_type (void) G_GNUC_CONST;
ThAttestationResult *th_attestation_result_ref      (ThAttestationResult *self);
void                 th_attestation_result_unref    (ThAttestationResult *self);

/* In the order the checks ran. */
guint                       th_attestation_result_get_n_findings (ThAttestationResult *self);
const ThAttestationFinding *th_attestation_result_get_finding    (ThAttestationResult *self,
                                                                  guint                index);
gboolean             th_attestation_result_has_finding (ThAttestationResult *self,
                                                        ThAttestationCheck   check);
/* TRUE when no finding is a failure. */
gboolean             th_attestation_result_is_trusted  (ThAttestationResult *self);

/* What the device claims to be, from its DAC; FALSE when the DAC did not say. */
gboolean             th_attestation_result_get_vendor_id  (ThAttestationResult *self,
                                                           guint16             *vendor_id);
gboolean             th_attestation_result_get_product_id (ThAttestationResult *self,
                                                           guint16             *product_id);
/* The decoded certification declaration (certificate id, certification type...), or NULL
 * when there was none to decode. Its signature may still have failed: see the findings. */
const ThCertificationDeclaration *
th_attestation_result_get_certification_declaration (ThAttestationResult *self);

/* Runs every check that its inputs allow and reports each problem as a finding; nothing is
 * left out because an earlier check failed. `revocations` may be NULL. */
ThAttestationResult *th_attestation_verify (ThPaaStore              *paa_store,
                                            ThCdSigners             *cd_signers,
                                            ThRevocationSet         *revocations,
                                            const ThAttestationInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThAttestationResult, th_attestation_result_unref)

G_END_DECLS
