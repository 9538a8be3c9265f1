/* th-preferences-window.h: the compliance ledger, the trust store and development trust
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "th-application.h"

G_BEGIN_DECLS

#define TH_TYPE_PREFERENCES_WINDOW (th_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (ThPreferencesWindow, th_preferences_window, TH, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

ThPreferencesWindow *th_preferences_window_new (ThApplication *application,
                                                GtkWindow     *parent);

G_END_DECLS
