/* th-progress-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TH_TYPE_PROGRESS_PAGE (th_progress_page_get_type ())

G_DECLARE_FINAL_TYPE (ThProgressPage, th_progress_page, TH, PROGRESS_PAGE, AdwBin)

/* Adds the devices of `payloads` (ThSetupPayload, each with a valid passcode; copied) one
 * after the other, showing each stage; then a summary, an error with what to do, or that the
 * person cancelled. `address`, when given, is where the one device is. Pushed on a ThWindow,
 * it starts with th_progress_page_start(). */
GtkWidget *th_progress_page_new   (GPtrArray      *payloads,
                                   GSocketAddress *address);
void       th_progress_page_start (ThProgressPage *self);

G_END_DECLS
