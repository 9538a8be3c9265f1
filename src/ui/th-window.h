/* th-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "th-application.h"

G_BEGIN_DECLS

#define TH_TYPE_WINDOW (th_window_get_type ())

G_DECLARE_FINAL_TYPE (ThWindow, th_window, TH, WINDOW, AdwApplicationWindow)

ThWindow *th_window_new       (ThApplication *application);
void      th_window_add_toast (ThWindow      *self,
                               AdwToast      *toast);

G_END_DECLS
