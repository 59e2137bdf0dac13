/* am-sync-status.c: a quiet line saying when the last sync was
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "Synced 2 minutes ago" at the foot of the property list, a spinner while
 * a sync runs, a warning sign and "Last sync failed" when the last sync
 * failed, offline or not, with the sentence that says why and what to do
 * in the tooltip and the accessible description: a sync asked for with
 * Ctrl+R gets its answer where it was asked, while the offline band above
 * says what being offline means for the work. It follows the façade's
 * syncing, last-sync and sync-error, and brings its wording up to date
 * every half minute. Hidden while signed out.
 */
#define G_LOG_DOMAIN "am-sync-status"

#include "config.h"

#include <glib/gi18n.h>

#include "am-sync-status.h"

#define REFRESH_S 30

struct _AmSyncStatus
{
  GtkBox      parent_instance;

  AmFacade   *facade;
  guint       refresh_id;

  /* Template widgets */
  GtkSpinner *spinner;
  GtkWidget  *error_icon;
  GtkLabel   *label;
};

G_DEFINE_FINAL_TYPE (AmSyncStatus, am_sync_status, GTK_TYPE_BOX)

static void
update (AmSyncStatus *self)
{
  gboolean syncing, failed;
  const char *error;
  gint64 last_sync;
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;

  if (self->facade == NULL || !am_facade_get_signed_in (self->facade))
    {
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);

  syncing = am_facade_get_syncing (self->facade);
  error = am_facade_get_sync_error (self->facade);
  failed = !syncing && error != NULL;
  last_sync = am_facade_get_last_sync (self->facade);

  if (syncing)
    text = g_strdup (_("Syncing…"));
  else if (failed)
    text = g_strdup (_("Last sync failed"));
  else
    text = am_sync_status_describe (last_sync, g_get_real_time () / G_USEC_PER_SEC);

  if (failed)
    tooltip = g_strdup (error);
  else if (last_sync > 0)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (last_sync);
      g_autoptr(GDateTime) local = g_date_time_to_local (utc);
      g_autofree char *when = g_date_time_format (local, "%c");

      /* Translators: %s is a date and time; Ctrl+R is the shortcut to sync */
      tooltip = g_strdup_printf (_("Last synced %s. Press Ctrl+R to sync now."), when);
    }
  else
    tooltip = g_strdup (_("Press Ctrl+R to sync now."));

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), syncing);
  gtk_spinner_set_spinning (self->spinner, syncing);
  gtk_widget_set_visible (self->error_icon, failed);
  gtk_label_set_text (self->label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip,
                                  -1);
}

static gboolean
on_refresh_cb (gpointer user_data)
{
  update (AM_SYNC_STATUS (user_data));
  return G_SOURCE_CONTINUE;
}

static void
on_facade_notify_cb (AmSyncStatus *self)
{
  update (self);
}

/* GObject */

static void
am_sync_status_dispose (GObject *object)
{
  AmSyncStatus *self = AM_SYNC_STATUS (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->facade != NULL)
    g_signal_handlers_disconnect_by_data (self->facade, self);
  g_clear_object (&self->facade);
  gtk_widget_dispose_template (GTK_WIDGET (self), AM_TYPE_SYNC_STATUS);

  G_OBJECT_CLASS (am_sync_status_parent_class)->dispose (object);
}

static void
am_sync_status_class_init (AmSyncStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = am_sync_status_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/am-sync-status.ui");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_STATUS);
  gtk_widget_class_bind_template_child (widget_class, AmSyncStatus, spinner);
  gtk_widget_class_bind_template_child (widget_class, AmSyncStatus, error_icon);
  gtk_widget_class_bind_template_child (widget_class, AmSyncStatus, label);
}

static void
am_sync_status_init (AmSyncStatus *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

/* Public API */

/**
 * am_sync_status_set_facade:
 * @self: a sync status
 * @facade: the façade to follow
 */
void
am_sync_status_set_facade (AmSyncStatus *self,
                           AmFacade     *facade)
{
  static const char * const notifies[] = {
    "notify::signed-in", "notify::syncing", "notify::last-sync", "notify::sync-error",
  };

  g_return_if_fail (AM_IS_SYNC_STATUS (self));
  g_return_if_fail (AM_IS_FACADE (facade));

  if (self->facade == facade)
    return;
  if (self->facade != NULL)
    g_signal_handlers_disconnect_by_data (self->facade, self);
  g_set_object (&self->facade, facade);
  for (guint i = 0; i < G_N_ELEMENTS (notifies); i++)
    g_signal_connect_object (facade, notifies[i], G_CALLBACK (on_facade_notify_cb), self, G_CONNECT_SWAPPED);
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add_seconds (REFRESH_S, on_refresh_cb, self);
  update (self);
}

/**
 * am_sync_status_describe:
 * @last_sync: when the last sync ended well, UTC seconds; 0 for never
 * @now: now, UTC seconds
 *
 * Returns: (transfer full): "Synced 2 minutes ago" and the like
 */
char *
am_sync_status_describe (gint64 last_sync,
                         gint64 now)
{
  gint64 age = MAX (now - last_sync, 0);

  if (last_sync <= 0)
    return g_strdup (_("Not synced yet"));
  if (age < 60)
    return g_strdup (_("Synced just now"));
  if (age < 3600)
    return g_strdup_printf (ngettext ("Synced %d minute ago", "Synced %d minutes ago", (gulong) (age / 60)),
                            (int) (age / 60));
  if (age < 86400)
    return g_strdup_printf (ngettext ("Synced %d hour ago", "Synced %d hours ago", (gulong) (age / 3600)),
                            (int) (age / 3600));
  return g_strdup_printf (ngettext ("Synced %d day ago", "Synced %d days ago", (gulong) (age / 86400)),
                          (int) MIN (age / 86400, G_MAXINT));
}
