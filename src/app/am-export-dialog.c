/* am-export-dialog.c: "Export…": a period, a file, then the CSV
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One call for a page's "Export…" button: am_export_dialog_run() asks for
 * the period (an AdwMessageDialog with a drop-down), then for the file
 * (GtkFileChooserNative, so that the portal's chooser is used in a
 * sandbox), then has the façade write the CSV in a worker thread. The end
 * is a toast in the main window ("Exported 42 records"), or a dialog with
 * the failure's sentence. The columns are described in am-export.c.
 */
#define G_LOG_DOMAIN "am-export-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "am-export-dialog.h"
#include "am-window.h"

#define DAY_S (24 * 60 * 60)

/* The periods offered, the first the default: days back from now, 0 for
 * all that the cache holds. */
static const struct
{
  const char *label;
  guint       days;
} periods[] = {
  { N_("The Last 30 Days"), 30 },
  { N_("The Last 7 Days"), 7 },
  { N_("The Last 90 Days"), 90 },
  { N_("The Last 12 Months"), 365 },
  { N_("Everything in the Cache"), 0 },
};

typedef struct
{
  GtkWindow   *parent;        /* (nullable): weak */
  AmFacade    *facade;
  char        *lock_id;
  char        *property_id;
  char        *name;          /* of the lock or the property, for the file */
  GtkDropDown *period;        /* (nullable): weak, while the dialog is up */
  gint64       from;
  GFile       *file;
} ExportRun;

static void
export_run_free (ExportRun *run)
{
  g_clear_weak_pointer (&run->parent);
  g_clear_weak_pointer (&run->period);
  g_clear_object (&run->facade);
  g_free (run->lock_id);
  g_free (run->property_id);
  g_free (run->name);
  g_clear_object (&run->file);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExportRun, export_run_free)

static void
show_error (ExportRun  *run,
            const char *message)
{
  GtkWidget *dialog = adw_message_dialog_new (run->parent, _("Export Failed"), message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_exported_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ExportRun) run = user_data;
  g_autoptr(GError) error = NULL;
  guint n_rows = 0;

  if (!am_facade_export_csv_finish (AM_FACADE (source), result, &n_rows, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (run, error->message);
      return;
    }

  if (AM_IS_WINDOW (run->parent))
    {
      g_autofree char *basename = g_file_get_basename (run->file);
      g_autofree char *text = NULL;

      /* Translators: %u is a number of passcodes and lock events, %s a file name */
      text = g_strdup_printf (ngettext ("Exported %u record to “%s”", "Exported %u records to “%s”", n_rows),
                              n_rows, basename);
      am_window_add_toast (AM_WINDOW (run->parent), text);
    }
}

static void
on_file_chosen_cb (GtkNativeDialog *chooser,
                   int              response,
                   gpointer         user_data)
{
  g_autoptr(ExportRun) run = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      run->file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      if (run->file != NULL)
        {
          ExportRun *running = g_steal_pointer (&run);

          am_facade_export_csv_async (running->facade, running->lock_id, running->property_id,
                                      running->from, 0, running->file, NULL,
                                      on_exported_cb, running);
        }
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
choose_file (ExportRun *run)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *name = NULL;

  chooser = gtk_file_chooser_native_new (_("Export Activity"), run->parent, GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (filter, _("CSV Files"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_suffix (filter, "csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);

  /* Translators: a file name: the name of a lock or property, then a date */
  name = g_strdup_printf (_("%s activity %s.csv"), run->name, date);
  g_strdelimit (name, "/\\:", '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);

  g_signal_connect (chooser, "response", G_CALLBACK (on_file_chosen_cb), run);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_period_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       gpointer          user_data)
{
  ExportRun *run = user_data;
  guint days;

  if (g_strcmp0 (response, "choose") != 0 || run->period == NULL)
    {
      export_run_free (run);
      return;
    }

  days = periods[MIN (gtk_drop_down_get_selected (run->period), G_N_ELEMENTS (periods) - 1)].days;
  run->from = days > 0 ? g_get_real_time () / G_USEC_PER_SEC - (gint64) days * DAY_S : 0;
  choose_file (run);
}

/**
 * am_export_dialog_run:
 * @parent: (nullable): the window to put the dialogs over, best the main
 *   window (the toast at the end goes there)
 * @facade: the façade
 * @lock_id: (nullable): the lock to export, or %NULL for @property_id's locks
 * @property_id: (nullable): the property, when @lock_id is %NULL
 *
 * Asks for a period and a file, and writes the passcodes and lock events
 * of the lock or of the property's locks as CSV. Returns at once.
 */
void
am_export_dialog_run (GtkWindow  *parent,
                      AmFacade   *facade,
                      const char *lock_id,
                      const char *property_id)
{
  ExportRun *run;
  GtkWidget *dialog;
  GtkWidget *period;
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (AM_IS_FACADE (facade));
  g_return_if_fail (lock_id != NULL || property_id != NULL);

  run = g_new0 (ExportRun, 1);
  g_set_weak_pointer (&run->parent, parent);
  run->facade = g_object_ref (facade);
  run->lock_id = g_strdup (lock_id);
  run->property_id = g_strdup (property_id);
  if (lock_id != NULL)
    {
      g_autoptr(AmLock) lock = am_facade_get_lock (facade, lock_id);

      run->name = g_strdup (lock != NULL ? am_lock_get_name (lock) : _("Lock"));
    }
  else
    {
      g_autoptr(AmProperty) property = am_facade_get_property (facade, property_id);

      run->name = g_strdup (property != NULL ? am_property_get_name (property) : _("Property"));
    }

  for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
    gtk_string_list_append (labels, _(periods[i].label));
  period = gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&labels)), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (period),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Period"),
                                  -1);
  g_set_weak_pointer (&run->period, GTK_DROP_DOWN (period));

  dialog = adw_message_dialog_new (parent, _("Export Activity"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  /* Translators: %s is the name of a lock or a property */
                                  _("The passcodes of %s issued or valid in the period, and its lock events in the period, are written to a CSV file that spreadsheets open."),
                                  run->name);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), period);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "choose", _("_Choose File…"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "choose",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "choose");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_period_response_cb), run);
  gtk_window_present (GTK_WINDOW (dialog));
}
