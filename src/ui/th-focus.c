/* th-focus.c: keyboard focus, where libadwaita 1.2 and GTK 4.8 need help
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "th-focus.h"

void
th_focus_skip_empty_status_pages (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  if (ADW_IS_STATUS_PAGE (root) && adw_status_page_get_child (ADW_STATUS_PAGE (root)) == NULL)
    {
      GtkWidget *scroller = gtk_widget_get_first_child (root);

      /* can-focus, not focusable: GTK 4.8's scrolled window, not focusable but able to
       * focus, still claims the focus without taking it, and Tab is stuck. */
      if (GTK_IS_SCROLLED_WINDOW (scroller))
        gtk_widget_set_can_focus (scroller, FALSE);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    th_focus_skip_empty_status_pages (child);
}
