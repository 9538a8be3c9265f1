/* th-attestation.c: the device attestation verifier (Matter core specification, 6.2 and 11.17)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "clusters/th-attestation-elements.h"
#include "crypto/th-crypto.h"
#include "th-attestation-x509.h"
#include "th-attestation.h"
#include "th-error.h"

struct _ThAttestationResult
{
  gatomicrefcount ref_count;
  GArray *findings;  /* ThAttestationFinding */
  ThMatterIds dac_ids;
  gboolean has_cd;
  ThCertificationDeclaration cd;
};

G_DEFINE_ENUM_TYPE (ThAttestationCheck, th_attestation_check,
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_TRUST_STORE_EMPTY, "trust-store-empty"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_TRUST_STORE_STALE, "trust-store-stale"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_PAA_NOT_FOUND, "paa-not-found"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_PAI_MISSING, "pai-missing"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_DAC_MALFORMED, "dac-malformed"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_PAI_MALFORMED, "pai-malformed"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_DAC_PROFILE, "dac-profile"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_PAI_PROFILE, "pai-profile"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_PAA_PROFILE, "paa-profile"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_DAC_CHAIN_INVALID, "dac-chain-invalid"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_PAI_CHAIN_INVALID, "pai-chain-invalid"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_DAC_EXPIRED, "dac-expired"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_DAC_NOT_YET_VALID, "dac-not-yet-valid"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_PAI_EXPIRED, "pai-expired"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_PAI_NOT_YET_VALID, "pai-not-yet-valid"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_PAA_EXPIRED, "paa-expired"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_PAA_NOT_YET_VALID, "paa-not-yet-valid"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_ISSUED_OUTSIDE_VALIDITY, "issued-outside-validity"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_DAC_VENDOR_ID_MISMATCH, "dac-vendor-id-mismatch"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_DAC_PRODUCT_ID_MISMATCH, "dac-product-id-mismatch"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_PAI_VENDOR_ID_MISMATCH, "pai-vendor-id-mismatch"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_DAC_REVOKED, "dac-revoked"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_PAI_REVOKED, "pai-revoked"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_SIGNATURE_INVALID, "signature-invalid"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_ELEMENTS_MALFORMED, "elements-malformed"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_NONCE_MISMATCH, "nonce-mismatch"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_CD_MALFORMED, "cd-malformed"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_CD_SIGNER_UNKNOWN, "cd-signer-unknown"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_CD_SIGNATURE_INVALID, "cd-signature-invalid"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_CD_TEST_SIGNER, "cd-test-signer"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_CD_VENDOR_ID_MISMATCH, "cd-vendor-id-mismatch"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_CD_PRODUCT_ID_MISMATCH, "cd-product-id-mismatch"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_CD_PAA_NOT_AUTHORIZED, "cd-paa-not-authorized"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_CD_DEVELOPMENT, "cd-development"),
  G_DEFINE_ENUM_VALUE (TH_ATTESTATION_CD_PROVISIONAL, "cd-provisional"))

const char *
th_attestation_check_to_string (ThAttestationCheck check)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (TH_TYPE_ATTESTATION_CHECK);
  GEnumValue *value = g_enum_get_value (klass, check);

  g_return_val_if_fail (value != NULL, NULL);
  return value->value_nick;
}

G_DEFINE_BOXED_TYPE (ThAttestationResult, th_attestation_result, th_attestation_result_ref,
                     th_attestation_result_unref)

static void
finding_clear (ThAttestationFinding *finding)
{
  g_clear_pointer (&finding->message, g_free);
}

static ThAttestationResult *
th_attestation_result_new (void)
{
  ThAttestationResult *self = g_new0 (ThAttestationResult, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->findings = g_array_new (FALSE, TRUE, sizeof (ThAttestationFinding));
  g_array_set_clear_func (self->findings, (GDestroyNotify) finding_clear);
  return self;
}

ThAttestationResult *
th_attestation_result_ref (ThAttestationResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
th_attestation_result_unref (ThAttestationResult *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_array_unref (self->findings);
  g_free (self);
}

guint
th_attestation_result_get_n_findings (ThAttestationResult *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->findings->len;
}

const ThAttestationFinding *
th_attestation_result_get_finding (ThAttestationResult *self,
                                   guint                index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->findings->len, NULL);

  return &g_array_index (self->findings, ThAttestationFinding, index);
}

gboolean
th_attestation_result_has_finding (ThAttestationResult *self,
                                   ThAttestationCheck   check)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->findings->len; i++)
    if (g_array_index (self->findings, ThAttestationFinding, i).check == check)
      return TRUE;
  return FALSE;
}

gboolean
th_attestation_result_is_trusted (ThAttestationResult *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->findings->len; i++)
    if (g_array_index (self->findings, ThAttestationFinding, i).severity ==
        TH_ATTESTATION_SEVERITY_FAILURE)
      return FALSE;
  return TRUE;
}

gboolean
th_attestation_result_get_vendor_id (ThAttestationResult *self,
                                     guint16             *vendor_id)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (vendor_id != NULL)
    *vendor_id = self->dac_ids.vendor_id;
  return self->dac_ids.has_vendor_id;
}

gboolean
th_attestation_result_get_product_id (ThAttestationResult *self,
                                      guint16             *product_id)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (product_id != NULL)
    *product_id = self->dac_ids.product_id;
  return self->dac_ids.has_product_id;
}

const ThCertificationDeclaration *
th_attestation_result_get_certification_declaration (ThAttestationResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->has_cd ? &self->cd : NULL;
}

static ThAttestationSeverity
severity_of (ThAttestationCheck check)
{
  switch (check)
    {
    case TH_ATTESTATION_TRUST_STORE_STALE:
    case TH_ATTESTATION_CD_DEVELOPMENT:
    case TH_ATTESTATION_CD_PROVISIONAL:
      return TH_ATTESTATION_SEVERITY_WARNING;
    default:
      return TH_ATTESTATION_SEVERITY_FAILURE;
    }
}

static void add_finding (ThAttestationResult *self,
                         ThAttestationCheck   check,
                         const char          *format,
                         ...) G_GNUC_PRINTF (3, 4);

static void
add_finding (ThAttestationResult *self,
             ThAttestationCheck   check,
             const char          *format,
             ...)
{
  ThAttestationFinding finding = { check, severity_of (check), NULL };
  va_list args;

  va_start (args, format);
  finding.message = g_strdup_vprintf (format, args);
  va_end (args);
  g_array_append_val (self->findings, finding);
}

/* ---- Verification ---- */

typedef enum
{
  ROLE_DAC,
  ROLE_PAI,
  ROLE_PAA,
} Role;

typedef struct
{
  ThAttestationResult *result;
  const ThAttestationInfo *info;
  X509 *dac;
  X509 *pai;
  X509 *paa;              /* borrowed from the store */
  gboolean dac_ids_known;
  gboolean pai_ids_known;
  gboolean paa_ids_known;
  ThMatterIds dac_ids;
  ThMatterIds pai_ids;
  ThMatterIds paa_ids;
} Verification;

static const char *
role_name (Role role)
{
  switch (role)
    {
    case ROLE_DAC:
      return _("The device’s attestation certificate (DAC)");
    case ROLE_PAI:
      return _("The device’s intermediate certificate (PAI)");
    case ROLE_PAA:
    default:
      return _("The manufacturer’s certificate authority (PAA)");
    }
}

static ThAttestationCheck
profile_check (Role role)
{
  return role == ROLE_DAC ? TH_ATTESTATION_DAC_PROFILE
         : role == ROLE_PAI ? TH_ATTESTATION_PAI_PROFILE
         : TH_ATTESTATION_PAA_PROFILE;
}

static gboolean
extension_is_critical (X509 *cert,
                       int   nid)
{
  int index = X509_get_ext_by_NID (cert, nid, -1);

  return index >= 0 && X509_EXTENSION_get_critical (X509_get_ext (cert, index)) == 1;
}

/* 6.2.2: version 3, ECDSA with SHA-256 over P-256, critical basic constraints and key usage
 * as the role requires, 20-byte key identifiers. */
static void
check_profile (Verification *v,
               X509         *cert,
               Role          role)
{
  ThAttestationCheck check = profile_check (role);
  const char *name = role_name (role);
  g_autoptr(ThP256Key) key = NULL;
  guint32 flags = X509_get_extension_flags (cert);
  guint32 key_usage = X509_get_key_usage (cert);
  gboolean is_ca = (flags & EXFLAG_CA) != 0;
  long path_length = X509_get_pathlen (cert);
  const guint8 *key_id;

  /* Translators: in the following messages, %s is a certificate's name, such as “The
   * device’s attestation certificate (DAC)”. */
  if (X509_get_version (cert) != X509_VERSION_3)
    add_finding (v->result, check, _("%s is not an X.509 version 3 certificate."), name);
  if (X509_get_signature_nid (cert) != NID_ecdsa_with_SHA256)
    add_finding (v->result, check, _("%s is not signed with ECDSA and SHA-256."), name);
  key = th_x509_get_p256_key (cert, NULL);
  if (key == NULL)
    add_finding (v->result, check, _("%s does not have a P-256 public key."), name);
  if (flags & EXFLAG_INVALID)
    add_finding (v->result, check, _("%s has a malformed or repeated extension."), name);

  if (!(flags & EXFLAG_BCONS) || !extension_is_critical (cert, NID_basic_constraints))
    add_finding (v->result, check, _("%s lacks critical basic constraints."), name);
  else if (role == ROLE_DAC && (is_ca || path_length != -1))
    add_finding (v->result, check, _("%s is marked as a certificate authority."), name);
  else if (role == ROLE_PAI && (!is_ca || path_length != 0))
    add_finding (v->result, check,
                 _("%s is not marked as a certificate authority with a path length of 0."),
                 name);
  else if (role == ROLE_PAA && (!is_ca || (path_length != -1 && path_length != 1)))
    add_finding (v->result, check,
                 _("%s is not marked as a certificate authority with a path length of 1 or "
                   "none."),
                 name);

  if (!(flags & EXFLAG_KUSAGE) || !extension_is_critical (cert, NID_key_usage))
    add_finding (v->result, check, _("%s lacks a critical key usage."), name);
  else if (role == ROLE_DAC && key_usage != KU_DIGITAL_SIGNATURE)
    add_finding (v->result, check, _("%s may be used for more than signatures."), name);
  else if (role != ROLE_DAC &&
           (!(key_usage & KU_KEY_CERT_SIGN) || !(key_usage & KU_CRL_SIGN) ||
            (key_usage & ~(guint32) (KU_KEY_CERT_SIGN | KU_CRL_SIGN | KU_DIGITAL_SIGNATURE))))
    add_finding (v->result, check,
                 _("%s does not have exactly the key usages of a certificate authority."), name);

  if (!th_x509_get_subject_key_id (cert, &key_id) ||
      extension_is_critical (cert, NID_subject_key_identifier))
    add_finding (v->result, check,
                 _("%s lacks a non-critical 20-byte subject key identifier."), name);
  if (role != ROLE_PAA &&
      (!th_x509_get_authority_key_id (cert, &key_id) ||
       extension_is_critical (cert, NID_authority_key_identifier)))
    add_finding (v->result, check,
                 _("%s lacks a non-critical 20-byte authority key identifier."), name);
}

static gboolean
read_ids (Verification *v,
          X509         *cert,
          Role          role,
          ThMatterIds  *ids)
{
  g_autoptr(GError) error = NULL;

  if (th_x509_get_matter_ids (cert, ids, &error))
    return TRUE;
  /* Translators: the first %s is a certificate's name, the second says what is wrong. */
  add_finding (v->result, profile_check (role), _("%s has a malformed subject: %s."),
               role_name (role), error->message);
  return FALSE;
}

static void
check_validity (Verification *v,
                X509         *cert,
                Role          role)
{
  time_t now = (time_t) v->info->now;
  const ASN1_TIME *not_before = X509_get0_notBefore (cert);
  const ASN1_TIME *not_after = X509_get0_notAfter (cert);
  g_autofree char *before = th_asn1_time_to_string (not_before);
  g_autofree char *after = th_asn1_time_to_string (not_after);
  int before_now = X509_cmp_time (not_before, &now);
  int after_now = X509_cmp_time (not_after, &now);

  if (before_now == 0 || after_now == 0)
    {
      /* Translators: %s is a certificate's name, such as “The device’s attestation
       * certificate (DAC)”. */
      add_finding (v->result, profile_check (role), _("%s has a malformed validity period."),
                   role_name (role));
      return;
    }
  if (before_now > 0)
    {
      if (role == ROLE_DAC)
        add_finding (v->result, TH_ATTESTATION_DAC_NOT_YET_VALID,
                     _("The device’s attestation certificate (DAC) is not valid before %s. "
                       "Check the computer’s date."),
                     before);
      else if (role == ROLE_PAI)
        add_finding (v->result, TH_ATTESTATION_PAI_NOT_YET_VALID,
                     _("The device’s intermediate certificate (PAI) is not valid before %s. "
                       "Check the computer’s date."),
                     before);
      else
        add_finding (v->result, TH_ATTESTATION_PAA_NOT_YET_VALID,
                     _("The manufacturer’s certificate authority (PAA) is not valid before %s. "
                       "Check the computer’s date."),
                     before);
    }
  if (after_now < 0)
    {
      if (role == ROLE_DAC)
        add_finding (v->result, TH_ATTESTATION_DAC_EXPIRED,
                     _("The device’s attestation certificate (DAC) expired on %s."), after);
      else if (role == ROLE_PAI)
        add_finding (v->result, TH_ATTESTATION_PAI_EXPIRED,
                     _("The device’s intermediate certificate (PAI) expired on %s."), after);
      else
        add_finding (v->result, TH_ATTESTATION_PAA_EXPIRED,
                     _("The manufacturer’s certificate authority (PAA) expired on %s."), after);
    }
}

/* Whatever the current time, an issuer must have been valid when the DAC was issued. */
static void
check_issued_within (Verification *v,
                     X509         *issuer,
                     Role          issuer_role)
{
  const ASN1_TIME *issued = X509_get0_notBefore (v->dac);
  g_autofree char *date = th_asn1_time_to_string (issued);

  if (ASN1_TIME_compare (issued, X509_get0_notBefore (issuer)) >= 0 &&
      ASN1_TIME_compare (issued, X509_get0_notAfter (issuer)) <= 0)
    return;
  if (issuer_role == ROLE_PAI)
    add_finding (v->result, TH_ATTESTATION_ISSUED_OUTSIDE_VALIDITY,
                 _("The device’s attestation certificate (DAC) was issued on %s, when its "
                   "intermediate certificate (PAI) was not valid."),
                 date);
  else
    add_finding (v->result, TH_ATTESTATION_ISSUED_OUTSIDE_VALIDITY,
                 _("The device’s attestation certificate (DAC) was issued on %s, when the "
                   "manufacturer’s certificate authority (PAA) was not valid."),
                 date);
}

static void
check_chain_link (Verification *v,
                  X509         *subject,
                  X509         *issuer,
                  Role          subject_role)
{
  gboolean names_issuer = X509_check_issued (issuer, subject) == X509_V_OK;
  gboolean signature_ok = X509_verify (subject, X509_get0_pubkey (issuer)) == 1;

  ERR_clear_error ();
  if (subject_role == ROLE_DAC)
    {
      if (!names_issuer)
        add_finding (v->result, TH_ATTESTATION_DAC_CHAIN_INVALID,
                     _("The device’s attestation certificate (DAC) names another issuer than "
                       "its intermediate certificate (PAI)."));
      if (!signature_ok)
        add_finding (v->result, TH_ATTESTATION_DAC_CHAIN_INVALID,
                     _("The device’s attestation certificate (DAC) is not signed by its "
                       "intermediate certificate (PAI)."));
    }
  else
    {
      if (!names_issuer)
        add_finding (v->result, TH_ATTESTATION_PAI_CHAIN_INVALID,
                     _("The device’s intermediate certificate (PAI) names another issuer than "
                       "the manufacturer’s certificate authority (PAA) found for it."));
      if (!signature_ok)
        add_finding (v->result, TH_ATTESTATION_PAI_CHAIN_INVALID,
                     _("The device’s intermediate certificate (PAI) is not signed by the "
                       "manufacturer’s certificate authority (PAA)."));
    }
}

static X509 *
find_paa (ThPaaStore *store,
          X509       *pai)
{
  const guint8 *akid;
  X509 *paa = NULL;

  if (th_x509_get_authority_key_id (pai, &akid))
    paa = th_paa_store_lookup_by_key_id (store, akid);
  if (paa == NULL)
    paa = th_paa_store_lookup_by_subject (store, X509_get_issuer_name (pai));
  return paa;
}

/* 6.2.2.2: the DAC's and PAI's vendor IDs agree, so do the product IDs when the PAI has
 * one, and the PAA's vendor ID, when it has one. */
static void
check_certificate_ids (Verification *v)
{
  if (v->dac_ids_known && (!v->dac_ids.has_vendor_id || !v->dac_ids.has_product_id))
    add_finding (v->result, TH_ATTESTATION_DAC_PROFILE,
                 _("The device’s attestation certificate (DAC) does not name both a vendor ID "
                   "and a product ID."));
  if (v->pai_ids_known && !v->pai_ids.has_vendor_id)
    add_finding (v->result, TH_ATTESTATION_PAI_PROFILE,
                 _("The device’s intermediate certificate (PAI) does not name a vendor ID."));
  if (v->paa_ids_known && v->paa_ids.has_product_id)
    add_finding (v->result, TH_ATTESTATION_PAA_PROFILE,
                 _("The manufacturer’s certificate authority (PAA) names a product ID, which a "
                   "PAA must not."));

  if (v->dac_ids_known && v->pai_ids_known)
    {
      if (v->dac_ids.has_vendor_id && v->pai_ids.has_vendor_id &&
          v->dac_ids.vendor_id != v->pai_ids.vendor_id)
        add_finding (v->result, TH_ATTESTATION_DAC_VENDOR_ID_MISMATCH,
                     _("The vendor ID of the device’s attestation certificate (0x%04X) does not "
                       "match its intermediate certificate’s (0x%04X)."),
                     v->dac_ids.vendor_id, v->pai_ids.vendor_id);
      if (v->dac_ids.has_product_id && v->pai_ids.has_product_id &&
          v->dac_ids.product_id != v->pai_ids.product_id)
        add_finding (v->result, TH_ATTESTATION_DAC_PRODUCT_ID_MISMATCH,
                     _("The product ID of the device’s attestation certificate (0x%04X) does "
                       "not match its intermediate certificate’s (0x%04X)."),
                     v->dac_ids.product_id, v->pai_ids.product_id);
    }
  if (v->pai_ids_known && v->paa_ids_known && v->paa_ids.has_vendor_id &&
      v->pai_ids.has_vendor_id && v->paa_ids.vendor_id != v->pai_ids.vendor_id)
    add_finding (v->result, TH_ATTESTATION_PAI_VENDOR_ID_MISMATCH,
                 _("The vendor ID of the device’s intermediate certificate (0x%04X) does not "
                   "match its certificate authority’s (0x%04X)."),
                 v->pai_ids.vendor_id, v->paa_ids.vendor_id);
}

static void
check_attestation_signature (Verification *v)
{
  const ThAttestationInfo *info = v->info;
  g_autoptr(ThP256Key) key = NULL;
  g_autoptr(GByteArray) message = NULL;

  if (g_bytes_get_size (info->attestation_signature) != TH_P256_SIGNATURE_LEN)
    {
      add_finding (v->result, TH_ATTESTATION_SIGNATURE_INVALID,
                   _("The attestation signature is %zu bytes long instead of %u."),
                   g_bytes_get_size (info->attestation_signature), TH_P256_SIGNATURE_LEN);
      return;
    }
  key = th_x509_get_p256_key (v->dac, NULL);
  if (key == NULL)
    {
      add_finding (v->result, TH_ATTESTATION_SIGNATURE_INVALID,
                   _("The attestation signature cannot be checked: the device’s certificate "
                     "has no P-256 key."));
      return;
    }

  /* The device signs attestation_elements || attestation_challenge. */
  message = g_byte_array_new ();
  g_byte_array_append (message, g_bytes_get_data (info->attestation_elements, NULL),
                       g_bytes_get_size (info->attestation_elements));
  g_byte_array_append (message, g_bytes_get_data (info->attestation_challenge, NULL),
                       g_bytes_get_size (info->attestation_challenge));
  if (!th_p256_key_verify (key, message->data, message->len,
                           g_bytes_get_data (info->attestation_signature, NULL), NULL))
    add_finding (v->result, TH_ATTESTATION_SIGNATURE_INVALID,
                 _("The attestation signature does not match the device’s certificate."));
}

static void
check_cd_vendor_id (Verification *v,
                    guint16       expected,
                    gboolean      is_dac_origin)
{
  if (v->dac_ids_known && v->dac_ids.has_vendor_id && v->dac_ids.vendor_id != expected)
    add_finding (v->result, TH_ATTESTATION_CD_VENDOR_ID_MISMATCH,
                 is_dac_origin
                   ? _("The DAC origin vendor ID in the certification declaration (0x%04X) does "
                       "not match the device attestation certificate’s (0x%04X).")
                   : _("The vendor ID in the certification declaration (0x%04X) does not match "
                       "the device attestation certificate’s (0x%04X)."),
                 expected, v->dac_ids.vendor_id);
  if (v->pai_ids_known && v->pai_ids.has_vendor_id && v->pai_ids.vendor_id != expected)
    add_finding (v->result, TH_ATTESTATION_CD_VENDOR_ID_MISMATCH,
                 is_dac_origin
                   ? _("The DAC origin vendor ID in the certification declaration (0x%04X) does "
                       "not match the intermediate certificate’s (0x%04X).")
                   : _("The vendor ID in the certification declaration (0x%04X) does not match "
                       "the intermediate certificate’s (0x%04X)."),
                 expected, v->pai_ids.vendor_id);
}

/* 6.3.1: how the declaration's fields relate to the certificates and to what the
 * commissioner read from the device. */
static void
check_cd_content (Verification                     *v,
                  const ThCertificationDeclaration *cd)
{
  const ThAttestationInfo *info = v->info;
  const guint8 *paa_key_id;

  if (info->vendor_id != 0 && cd->vendor_id != info->vendor_id)
    add_finding (v->result, TH_ATTESTATION_CD_VENDOR_ID_MISMATCH,
                 _("The vendor ID in the certification declaration (0x%04X) does not match the "
                   "device’s (0x%04X)."),
                 cd->vendor_id, info->vendor_id);
  if (info->product_id != 0 && !th_certification_declaration_has_product (cd, info->product_id))
    add_finding (v->result, TH_ATTESTATION_CD_PRODUCT_ID_MISMATCH,
                 _("The certification declaration does not list the device’s product ID "
                   "(0x%04X)."),
                 info->product_id);

  if (cd->has_dac_origin)
    {
      check_cd_vendor_id (v, cd->dac_origin_vendor_id, TRUE);
      if (v->dac_ids_known && v->dac_ids.has_product_id &&
          v->dac_ids.product_id != cd->dac_origin_product_id)
        add_finding (v->result, TH_ATTESTATION_CD_PRODUCT_ID_MISMATCH,
                     _("The DAC origin product ID in the certification declaration (0x%04X) "
                       "does not match the device attestation certificate’s (0x%04X)."),
                     cd->dac_origin_product_id, v->dac_ids.product_id);
      if (v->pai_ids_known && v->pai_ids.has_product_id &&
          v->pai_ids.product_id != cd->dac_origin_product_id)
        add_finding (v->result, TH_ATTESTATION_CD_PRODUCT_ID_MISMATCH,
                     _("The DAC origin product ID in the certification declaration (0x%04X) "
                       "does not match the intermediate certificate’s (0x%04X)."),
                     cd->dac_origin_product_id, v->pai_ids.product_id);
    }
  else
    {
      check_cd_vendor_id (v, cd->vendor_id, FALSE);
      if (v->dac_ids_known && v->dac_ids.has_product_id &&
          !th_certification_declaration_has_product (cd, v->dac_ids.product_id))
        add_finding (v->result, TH_ATTESTATION_CD_PRODUCT_ID_MISMATCH,
                     _("The certification declaration does not list the product ID of the "
                       "device attestation certificate (0x%04X)."),
                     v->dac_ids.product_id);
      if (v->pai_ids_known && v->pai_ids.has_product_id &&
          !th_certification_declaration_has_product (cd, v->pai_ids.product_id))
        add_finding (v->result, TH_ATTESTATION_CD_PRODUCT_ID_MISMATCH,
                     _("The certification declaration does not list the product ID of the "
                       "intermediate certificate (0x%04X)."),
                     v->pai_ids.product_id);
    }

  if (cd->n_authorized_paas > 0 && v->paa != NULL &&
      (!th_x509_get_subject_key_id (v->paa, &paa_key_id) ||
       !th_certification_declaration_authorizes_paa (cd, paa_key_id)))
    add_finding (v->result, TH_ATTESTATION_CD_PAA_NOT_AUTHORIZED,
                 _("The certification declaration does not authorize the device’s certificate "
                   "authority (PAA)."));
}

static void
check_certification_declaration (Verification *v,
                                 ThCdSigners  *cd_signers,
                                 const ThAttestationElements *elements)
{
  g_autoptr(GError) error = NULL;
  ThCertificationDeclaration cd;
  ThCdEnvelope envelope;
  gboolean signature_ok;
  gboolean is_test_signer = FALSE;

  if (!th_cd_envelope_parse (elements->certification_declaration,
                             elements->certification_declaration_len, &envelope, &error))
    {
      add_finding (v->result, TH_ATTESTATION_CD_MALFORMED, "%s", error->message);
      return;
    }

  signature_ok = th_cd_signers_verify (cd_signers, &envelope, &is_test_signer, &error);
  if (!signature_ok && g_error_matches (error, TH_ERROR, TH_ERROR_CD_SIGNER_UNKNOWN))
    add_finding (v->result, TH_ATTESTATION_CD_SIGNER_UNKNOWN,
                 _("The certification declaration’s signature could not be verified: %s."),
                 error->message);
  else if (!signature_ok)
    add_finding (v->result, TH_ATTESTATION_CD_SIGNATURE_INVALID,
                 _("The certification declaration’s signature is not valid."));
  g_clear_error (&error);

  /* Decoded even when unsigned: its claims still explain what is wrong. */
  if (!th_certification_declaration_decode (envelope.content, envelope.content_len, &cd,
                                            &error))
    {
      add_finding (v->result, TH_ATTESTATION_CD_MALFORMED, "%s", error->message);
      return;
    }
  v->result->cd = cd;
  v->result->has_cd = TRUE;

  if (cd.certification_type == TH_CERTIFICATION_TYPE_DEVELOPMENT)
    add_finding (v->result, TH_ATTESTATION_CD_DEVELOPMENT,
                 _("The certification declaration says this is a test device, not a certified "
                   "product."));
  else if (cd.certification_type == TH_CERTIFICATION_TYPE_PROVISIONAL)
    add_finding (v->result, TH_ATTESTATION_CD_PROVISIONAL,
                 _("The certification declaration says this product is only provisionally "
                   "certified."));
  if (signature_ok && is_test_signer &&
      cd.certification_type != TH_CERTIFICATION_TYPE_DEVELOPMENT)
    add_finding (v->result, TH_ATTESTATION_CD_TEST_SIGNER,
                 _("The certification declaration claims a certification but is signed with a "
                   "test key."));

  check_cd_content (v, &cd);
}

static void
check_elements (Verification *v,
                ThCdSigners  *cd_signers)
{
  const ThAttestationInfo *info = v->info;
  g_autoptr(GError) error = NULL;
  ThAttestationElements elements;
  gsize len = g_bytes_get_size (info->attestation_elements);

  if (len > TH_ATTESTATION_ELEMENTS_MAX_LEN)
    {
      add_finding (v->result, TH_ATTESTATION_ELEMENTS_MALFORMED,
                   _("The attestation elements are %zu bytes long; at most %u are allowed."),
                   len, TH_ATTESTATION_ELEMENTS_MAX_LEN);
      return;
    }
  if (!th_attestation_elements_decode (g_bytes_get_data (info->attestation_elements, NULL), len,
                                      &elements, &error))
    {
      add_finding (v->result, TH_ATTESTATION_ELEMENTS_MALFORMED, "%s", error->message);
      return;
    }

  if (g_bytes_get_size (info->nonce) != TH_ATTESTATION_NONCE_LEN ||
      !th_constant_time_equal (elements.attestation_nonce, g_bytes_get_data (info->nonce, NULL),
                               TH_ATTESTATION_NONCE_LEN))
    add_finding (v->result, TH_ATTESTATION_NONCE_MISMATCH,
                 _("The attestation nonce does not match the one sent: the response may be a "
                   "replay."));

  check_certification_declaration (v, cd_signers, &elements);
}

static X509 *
parse_certificate (Verification       *v,
                   GBytes             *der,
                   ThAttestationCheck  check,
                   const char         *what)
{
  g_autoptr(GError) error = NULL;
  X509 *cert;

  cert = th_x509_from_der (g_bytes_get_data (der, NULL), g_bytes_get_size (der), &error);
  if (cert == NULL)
    /* Translators: the first %s is a certificate's name, the second the parser's message. */
    add_finding (v->result, check, _("%s cannot be read: %s."), what, error->message);
  return cert;
}

static void
check_store (Verification *v,
             ThPaaStore   *store)
{
  gint64 updated = th_paa_store_get_updated (store);
  gint64 age_days;

  if (th_paa_store_get_size (store) == 0)
    {
      add_finding (v->result, TH_ATTESTATION_TRUST_STORE_EMPTY,
                   _("The trust store is empty, so no device can be verified. Update the list "
                     "of manufacturer certificate authorities."));
      return;
    }
  age_days = (v->info->now - updated) / (24 * 60 * 60);
  if (age_days > TH_PAA_STORE_STALE_AFTER_DAYS)
    add_finding (v->result, TH_ATTESTATION_TRUST_STORE_STALE,
                 g_dngettext (GETTEXT_PACKAGE,
                              "The trust store was last updated %d day ago; newer "
                              "manufacturers may be missing.",
                              "The trust store was last updated %d days ago; newer "
                              "manufacturers may be missing.",
                              (gulong) MIN (age_days, G_MAXINT)),
                 (int) MIN (age_days, G_MAXINT));
}

ThAttestationResult *
th_attestation_verify (ThPaaStore              *paa_store,
                       ThCdSigners             *cd_signers,
                       ThRevocationSet         *revocations,
                       const ThAttestationInfo *info)
{
  g_autoptr(X509) dac = NULL;
  g_autoptr(X509) pai = NULL;
  Verification v = { 0 };

  g_return_val_if_fail (paa_store != NULL, NULL);
  g_return_val_if_fail (cd_signers != NULL, NULL);
  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (info->dac != NULL, NULL);
  g_return_val_if_fail (info->attestation_elements != NULL, NULL);
  g_return_val_if_fail (info->attestation_signature != NULL, NULL);
  g_return_val_if_fail (info->attestation_challenge != NULL, NULL);
  g_return_val_if_fail (info->nonce != NULL, NULL);

  v.result = th_attestation_result_new ();
  v.info = info;

  check_store (&v, paa_store);

  dac = v.dac = parse_certificate (&v, info->dac, TH_ATTESTATION_DAC_MALFORMED,
                                   role_name (ROLE_DAC));
  if (info->pai == NULL)
    add_finding (v.result, TH_ATTESTATION_PAI_MISSING,
                 _("The device did not provide its intermediate certificate (PAI)."));
  else
    pai = v.pai = parse_certificate (&v, info->pai, TH_ATTESTATION_PAI_MALFORMED,
                                     role_name (ROLE_PAI));

  if (v.pai != NULL)
    {
      v.paa = find_paa (paa_store, v.pai);
      if (v.paa == NULL)
        {
          g_autofree char *issuer = X509_NAME_oneline (X509_get_issuer_name (v.pai), NULL, 0);

          add_finding (v.result, TH_ATTESTATION_PAA_NOT_FOUND,
                       _("The device’s manufacturer certificate authority (PAA) is not in the "
                         "trust store (%s)."),
                       issuer != NULL ? issuer : "?");
        }
    }

  if (v.dac != NULL)
    {
      check_profile (&v, v.dac, ROLE_DAC);
      v.dac_ids_known = read_ids (&v, v.dac, ROLE_DAC, &v.dac_ids);
      if (v.dac_ids_known)
        v.result->dac_ids = v.dac_ids;
      check_validity (&v, v.dac, ROLE_DAC);
    }
  if (v.pai != NULL)
    {
      check_profile (&v, v.pai, ROLE_PAI);
      v.pai_ids_known = read_ids (&v, v.pai, ROLE_PAI, &v.pai_ids);
      check_validity (&v, v.pai, ROLE_PAI);
    }
  if (v.paa != NULL)
    {
      check_profile (&v, v.paa, ROLE_PAA);
      v.paa_ids_known = read_ids (&v, v.paa, ROLE_PAA, &v.paa_ids);
      check_validity (&v, v.paa, ROLE_PAA);
    }
  check_certificate_ids (&v);

  if (v.dac != NULL && v.pai != NULL)
    {
      check_chain_link (&v, v.dac, v.pai, ROLE_DAC);
      check_issued_within (&v, v.pai, ROLE_PAI);
    }
  if (v.pai != NULL && v.paa != NULL)
    check_chain_link (&v, v.pai, v.paa, ROLE_PAI);
  if (v.dac != NULL && v.paa != NULL)
    check_issued_within (&v, v.paa, ROLE_PAA);

  if (revocations != NULL && v.dac != NULL && th_revocation_set_contains (revocations, v.dac))
    add_finding (v.result, TH_ATTESTATION_DAC_REVOKED,
                 _("The device’s attestation certificate (DAC) has been revoked."));
  if (revocations != NULL && v.pai != NULL && th_revocation_set_contains (revocations, v.pai))
    add_finding (v.result, TH_ATTESTATION_PAI_REVOKED,
                 _("The device’s intermediate certificate (PAI) has been revoked."));

  if (v.dac != NULL)
    check_attestation_signature (&v);
  check_elements (&v, cd_signers);

  ERR_clear_error ();
  return v.result;
}
