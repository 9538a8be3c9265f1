/* th-file-chooser.c: GtkFileDialog from GTK 4.10, GtkFileChooserNative before it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "th-file-chooser.h"

typedef struct
{
  GObject *owner;
  ThFileChosenFunc chosen;
} Chooser;

static void
chooser_done (Chooser *chooser,
              GFile   *file)
{
  if (file != NULL)
    chooser->chosen (chooser->owner, file);
  g_object_unref (chooser->owner);
  g_free (chooser);
}

#if GTK_CHECK_VERSION (4, 10, 0)
static void
on_chosen (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GFile) file = gtk_file_dialog_open_finish (GTK_FILE_DIALOG (source), result, NULL);

  chooser_done (user_data, file);
}

void
th_file_chooser_open (GtkWindow        *parent,
                      const char       *title,
                      const char       *accept_label,
                      GtkFileFilter    *filter,
                      GObject          *owner,
                      ThFileChosenFunc  chosen)
{
  g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();
  g_autoptr(GListStore) filters = g_list_store_new (GTK_TYPE_FILE_FILTER);
  Chooser *chooser = g_new0 (Chooser, 1);

  chooser->owner = g_object_ref (owner);
  chooser->chosen = chosen;
  g_list_store_append (filters, filter);
  gtk_file_dialog_set_title (dialog, title);
  gtk_file_dialog_set_accept_label (dialog, accept_label);
  gtk_file_dialog_set_filters (dialog, G_LIST_MODEL (filters));
  gtk_file_dialog_set_default_filter (dialog, filter);
  gtk_file_dialog_open (dialog, parent, NULL, on_chosen, chooser);
}
#else
static void
on_response (GtkNativeDialog *dialog,
             int              response,
             gpointer         user_data)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  chooser_done (user_data, file);
}

void
th_file_chooser_open (GtkWindow        *parent,
                      const char       *title,
                      const char       *accept_label,
                      GtkFileFilter    *filter,
                      GObject          *owner,
                      ThFileChosenFunc  chosen)
{
  GtkFileChooserNative *native;
  Chooser *chooser = g_new0 (Chooser, 1);

  chooser->owner = g_object_ref (owner);
  chooser->chosen = chosen;
  /* through the file chooser portal when sandboxed */
  native = gtk_file_chooser_native_new (title, parent, GTK_FILE_CHOOSER_ACTION_OPEN,
                                        accept_label, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_signal_connect (native, "response", G_CALLBACK (on_response), chooser);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}
#endif
