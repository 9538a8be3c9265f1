/* th-focus.c: keyboard focus, where libadwaita 1.2 and GTK 4.8 need help
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

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

static const char *
page_title (GtkWidget *widget)
{
  /* Up to the page, whose header bar holds its title. */
  for (GtkWidget *up = gtk_widget_get_parent (widget); up != NULL;
       up = gtk_widget_get_parent (up))
    {
      for (GtkWidget *child = gtk_widget_get_first_child (up); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        {
          GtkWidget *title = NULL;

          if (ADW_IS_HEADER_BAR (child))
            title = adw_header_bar_get_title_widget (ADW_HEADER_BAR (child));
          else if (GTK_IS_HEADER_BAR (child))
            title = gtk_header_bar_get_title_widget (GTK_HEADER_BAR (child));
          if (ADW_IS_WINDOW_TITLE (title))
            return adw_window_title_get_title (ADW_WINDOW_TITLE (title));
        }
    }
  return NULL;
}

static void
name_about_widgets (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) == NULL)
    {
      GtkWidget *child = gtk_button_get_child (GTK_BUTTON (widget));
      const char *icon = GTK_IS_IMAGE (child) ? gtk_image_get_icon_name (GTK_IMAGE (child))
                                              : gtk_button_get_icon_name (GTK_BUTTON (widget));

      if (icon != NULL && g_str_has_prefix (icon, "go-previous"))
        gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Back"), -1);
      /* the version, on a button of its own */
      else if (GTK_IS_LABEL (child))
        gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        gtk_label_get_text (GTK_LABEL (child)), -1);
    }
  else if (GTK_IS_TEXT_VIEW (widget))
    {
      const char *title = page_title (widget);

      if (title != NULL && *title != '\0')
        gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    name_about_widgets (child);
}

void
th_focus_name_about_window (AdwAboutWindow *window)
{
  g_return_if_fail (ADW_IS_ABOUT_WINDOW (window));

  name_about_widgets (GTK_WIDGET (window));
}
