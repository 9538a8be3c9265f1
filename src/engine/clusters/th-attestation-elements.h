/* th-attestation-elements.h: the signed TLV structures of AttestationResponse and CSRResponse
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both decoders are strict: one anonymous structure and nothing after it, the members in the
 * order the specification lists them, each at most once, with the sizes it sets; anything else
 * is TH_ERROR_IM_ELEMENTS_MALFORMED naming the member and its byte offset. The pointers go into
 * the decoded buffer. The signature over the elements is checked elsewhere.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* attestation-elements: certification_declaration (1), attestation_nonce (2), timestamp (3),
 * firmware_information (4, optional), then vendor-reserved byte strings with profile tags. */
typedef struct
{
  const guint8 *certification_declaration;  /* a CMS signed message */
  gsize certification_declaration_len;
  const guint8 *attestation_nonce;          /* TH_ATTESTATION_NONCE_LEN bytes */
  guint32 timestamp;
  const guint8 *firmware_information;       /* NULL when absent */
  gsize firmware_information_len;
  guint n_vendor_reserved;
} ThAttestationElements;

gboolean th_attestation_elements_decode (const guint8           *data,
                                         gsize                   len,
                                         ThAttestationElements  *elements,
                                         GError                **error);

/* nocsr-elements: csr (1, a PKCS #10 request in DER), CSRNonce (2), vendor_reserved1..3
 * (3, 4, 5, optional byte strings). */
typedef struct
{
  const guint8 *csr;
  gsize csr_len;
  const guint8 *csr_nonce;                  /* TH_CSR_NONCE_LEN bytes */
  const guint8 *vendor_reserved[3];         /* NULL when absent */
  gsize vendor_reserved_len[3];
} ThNocsrElements;

gboolean th_nocsr_elements_decode (const guint8     *data,
                                   gsize             len,
                                   ThNocsrElements  *elements,
                                   GError          **error);

G_END_DECLS
