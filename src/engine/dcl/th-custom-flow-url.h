/* th-custom-flow-url.h: the custom commissioning flow's URLs (specification 5.7.3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a CommissioningCustomFlowUrl asks of the commissioner. */
typedef enum
{
  TH_CUSTOM_FLOW_URL_WANTS_PAYLOAD = 1 << 0,   /* MTop=_: the setup code */
  TH_CUSTOM_FLOW_URL_WANTS_CALLBACK = 1 << 1,  /* MTcu=_: a URL to return to */
} ThCustomFlowUrlWants;

/* Checks a CommissioningCustomFlowUrl from the ledger (5.7.3.1) and says what it wants. It
 * must be an https URL with a host, made of printable ASCII; its query, when there is one,
 * key=value pairs joined by '&', where MTop and MTcu appear at most once and only as "_", and
 * no other key starts with "MT" (reserved by the specification). Fails with
 * TH_ERROR_CUSTOM_FLOW_URL naming what is wrong. */
gboolean th_custom_flow_url_check  (const char            *flow_url,
                                    ThCustomFlowUrlWants  *wants,
                                    GError               **error);

/* Expands a CommissioningCustomFlowUrl (5.7.3.1.1): the "_" of MTop=_ becomes `payload` (the
 * QR text with its "MT:" prefix and TLV data, or the manual code's digits), that of MTcu=_
 * becomes `callback_url`, each escaped as RFC 3986 section 2 says. A NULL leaves its
 * placeholder as it is; nothing is added that the URL did not ask for. Every other byte of the
 * URL, the other query pairs in their order and the fragment, is kept as it came. The result
 * holds the setup code: show it to the user, never log it. */
char    *th_custom_flow_url_expand (const char            *flow_url,
                                    const char            *payload,
                                    const char            *callback_url,
                                    GError               **error);

/* Reads the query of a callback (5.7.3.2): the one-time token (key "state") and the returned
 * onboarding payload (MTrop, unescaped; NULL when absent or still "_"). A key given twice, or
 * a value that does not unescape to text, fails with TH_ERROR_CUSTOM_FLOW_CALLBACK. Other keys
 * are ignored. Both outputs are NULL when absent. */
gboolean th_custom_flow_callback_query_parse (const char   *query,
                                              char        **state,
                                              char        **returned_payload,
                                              GError      **error);

/* The query of a threshold:// callback URI ("threshold://custom-flow?state=...&MTrop=..."),
 * the form the desktop delivers through the application's "open". Fails with
 * TH_ERROR_CUSTOM_FLOW_CALLBACK for any other URI. */
char    *th_custom_flow_callback_uri_get_query (const char  *uri,
                                                GError     **error);

/* "threshold://custom-flow" */
#define TH_CUSTOM_FLOW_CALLBACK_URI "threshold://custom-flow"

G_END_DECLS
