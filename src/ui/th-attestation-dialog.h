/* th-attestation-dialog.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "credentials/th-attestation.h"
#include "dcl/th-dcl-client.h"

G_BEGIN_DECLS

/* The response ids: "cancel" is the default and what closing the dialog answers. */
#define TH_ATTESTATION_DIALOG_CANCEL "cancel"
#define TH_ATTESTATION_DIALOG_ADD    "add"

/* Asks whether to add a device that did not pass every attestation check: what it claims to
 * be (its ids, from its certificate where it says, and their names from the compliance ledger
 * once `dcl_client`, which may be NULL, answers) and every finding in words. Transient for
 * `parent`; the caller presents it. */
AdwMessageDialog *th_attestation_dialog_new (GtkWindow           *parent,
                                             ThAttestationResult *result,
                                             guint16              vendor_id,
                                             guint16              product_id,
                                             ThDclClient         *dcl_client);

G_END_DECLS
