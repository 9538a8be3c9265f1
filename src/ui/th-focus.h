/* th-focus.h: keyboard focus, where libadwaita 1.2 and GTK 4.8 need help
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Takes the status pages under `root` that hold no widget of their own out of the Tab chain.
 * A status page scrolls its content and its scroller takes the focus when nothing inside can:
 * an unnamed stop with nothing to do, where a title, an icon and a sentence are all there is. */
void th_focus_skip_empty_status_pages (GtkWidget *root);

/* Names what libadwaita 1.2's About window leaves nameless for a screen reader (GTK 4.8 would
 * say "GtkImage", "GtkButton" and "GtkTextView"): the Back buttons of its pages, the
 * version's button, and the texts of its pages, after the page they are on. */
void th_focus_name_about_window (AdwAboutWindow *window);

G_END_DECLS
