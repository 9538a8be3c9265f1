/* th-file-chooser.h: asking a person for one file to open
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Called with the file chosen; not called when the person cancels. */
typedef void (*ThFileChosenFunc) (GObject *owner,
                                  GFile   *file);

/* Opens the file chooser (through the portal when sandboxed), modal to `parent`, offering the
 * files of `filter`. `owner` is kept alive until the chooser closes and handed to `chosen`. */
void th_file_chooser_open (GtkWindow        *parent,
                           const char       *title,
                           const char       *accept_label,
                           GtkFileFilter    *filter,
                           GObject          *owner,
                           ThFileChosenFunc  chosen);

G_END_DECLS
