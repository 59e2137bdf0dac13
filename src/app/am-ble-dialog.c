/* am-ble-dialog.c: opening a door over Bluetooth, step by step
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One AmBleSession a try: its state in words while it runs, then the door
 * unlocked with the time, or the session's own sentence and Try Again.
 * Cancel, or closing the window, cancels the session without a word.
 */
#define G_LOG_DOMAIN "am-ble-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "am-ble-dialog.h"
#include "am-unlock-flow.h"

struct _AmBleDialog
{
  AdwWindow       parent_instance;

  AmFacade       *facade;
  AmProperty     *property;
  AmLock         *lock;
  GTimeZone      *zone;
  AmBleSession   *session;
  GCancellable   *cancellable;

  /* Template widgets */
  AdwWindowTitle *window_title;
  GtkStack       *stack;
  AdwStatusPage  *working_page;
  AdwStatusPage  *done_page;
  AdwStatusPage  *failed_page;
  GtkSpinner     *spinner;
  GtkLabel       *upkeep_label;
  GtkButton      *cancel_button;
  GtkButton      *done_button;
  GtkButton      *retry_button;
};

G_DEFINE_FINAL_TYPE (AmBleDialog, am_ble_dialog, ADW_TYPE_WINDOW)

static void start (AmBleDialog *self);

static void
show_state (AmBleDialog *self)
{
  AmBleSessionState state = am_ble_session_get_state (self->session);
  g_autofree char *too_far = NULL;
  const char *title = NULL;
  const char *description = NULL;

  switch (state)
    {
    case AM_BLE_SESSION_LOOKING:
      title = _("Looking for the lock…");
      break;
    case AM_BLE_SESSION_TOO_FAR:
      title = _("Too Far Away");
      /* Translators: %d is a signal strength in dBm, a negative number */
      too_far = g_strdup_printf (_("The lock is too far away (signal %d dBm). Go closer to the door."),
                                 am_ble_session_get_rssi (self->session));
      description = too_far;
      break;
    case AM_BLE_SESSION_CONNECTING:
      title = _("Connecting…");
      break;
    case AM_BLE_SESSION_UNLOCKING:
      title = _("Unlocking…");
      break;
    case AM_BLE_SESSION_READING_LOG:
      title = _("Reading the lock’s log…");
      description = _("The door is open. The lock’s log is on its way to the cloud.");
      break;
    case AM_BLE_SESSION_DONE:
    case AM_BLE_SESSION_FAILED:
    default:
      return;  /* shown when the run finishes */
    }

  adw_status_page_set_title (self->working_page, title);
  adw_status_page_set_description (self->working_page, description);
}

/* The button of the page shown. Not before the window is mapped: an early
 * grab makes GTK 4.8 export the window to assistive technologies as a
 * plain filler rather than a frame. */
static void
focus_page (AmBleDialog *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  GtkButton *button = self->cancel_button;

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  if (g_strcmp0 (page, "done") == 0)
    button = self->done_button;
  else if (g_strcmp0 (page, "failed") == 0)
    button = self->retry_button;
  gtk_widget_grab_focus (GTK_WIDGET (button));
}

static void
show_working (AmBleDialog *self)
{
  adw_status_page_set_title (self->working_page, _("Looking for the lock…"));
  adw_status_page_set_description (self->working_page, NULL);
  gtk_spinner_set_spinning (self->spinner, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "working");
  focus_page (self);
}

static void
show_done (AmBleDialog *self)
{
  gint64 unlocked_at = am_ble_session_get_unlocked_at (self->session);
  const GError *upkeep = am_ble_session_get_upkeep_error (self->session);
  g_autofree char *time = NULL;
  g_autofree char *description = NULL;

  if (unlocked_at <= 0)
    unlocked_at = g_get_real_time () / G_USEC_PER_SEC;
  time = am_unlock_flow_format_time (self->zone, unlocked_at);
  /* Translators: %s is a time of day, e.g. "3:42 PM" */
  description = g_strdup_printf (_("Unlocked at %s."), time);
  adw_status_page_set_description (self->done_page, description);

  gtk_label_set_label (self->upkeep_label, upkeep != NULL ? upkeep->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->upkeep_label), upkeep != NULL);

  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "done");
  focus_page (self);
}

static void
show_failed (AmBleDialog  *self,
             const GError *error)
{
  /* A status page's description is markup; the sentence may name a lock
   * or quote the cloud. */
  g_autofree char *escaped = g_markup_escape_text (error->message, -1);

  adw_status_page_set_description (self->failed_page, escaped);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "failed");
  focus_page (self);
}

static void
on_session_state_changed_cb (AmBleDialog *self)
{
  show_state (self);
}

static void
on_session_run_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(AmBleDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  AmBleSession *session = AM_BLE_SESSION (source);

  if (!am_ble_session_run_finish (session, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (session == self->session)
        show_failed (self, error);
      return;
    }
  if (session == self->session)
    show_done (self);
}

static void
start (AmBleDialog *self)
{
  g_autoptr(GError) error = NULL;

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  show_working (self);

  self->session = am_facade_new_unlock_session (self->facade, self->lock, &error);
  if (self->session == NULL)
    {
      show_failed (self, error);
      return;
    }

  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (self->session, "notify::state",
                           G_CALLBACK (on_session_state_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::rssi",
                           G_CALLBACK (on_session_state_changed_cb), self, G_CONNECT_SWAPPED);
  am_ble_session_run_async (self->session, AM_BLE_SESSION_MODE_UNLOCK, self->cancellable,
                            on_session_run_cb, g_object_ref (self));
  show_state (self);
}

static void
ble_cancel_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  AmBleDialog *self = AM_BLE_DIALOG (widget);

  g_cancellable_cancel (self->cancellable);
  gtk_window_close (GTK_WINDOW (self));
}

static void
ble_retry_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  start (AM_BLE_DIALOG (widget));
}

static void
am_ble_dialog_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (am_ble_dialog_parent_class)->map (widget);
  focus_page (AM_BLE_DIALOG (widget));
}

static gboolean
am_ble_dialog_close_request (GtkWindow *window)
{
  AmBleDialog *self = AM_BLE_DIALOG (window);

  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (am_ble_dialog_parent_class)->close_request (window);
}

static void
am_ble_dialog_dispose (GObject *object)
{
  AmBleDialog *self = AM_BLE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), AM_TYPE_BLE_DIALOG);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->facade);
  g_clear_object (&self->property);
  g_clear_object (&self->lock);
  g_clear_pointer (&self->zone, g_time_zone_unref);

  G_OBJECT_CLASS (am_ble_dialog_parent_class)->dispose (object);
}

static void
am_ble_dialog_class_init (AmBleDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = am_ble_dialog_dispose;
  widget_class->map = am_ble_dialog_map;
  window_class->close_request = am_ble_dialog_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/am-ble-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AmBleDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, AmBleDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, AmBleDialog, working_page);
  gtk_widget_class_bind_template_child (widget_class, AmBleDialog, done_page);
  gtk_widget_class_bind_template_child (widget_class, AmBleDialog, failed_page);
  gtk_widget_class_bind_template_child (widget_class, AmBleDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, AmBleDialog, upkeep_label);
  gtk_widget_class_bind_template_child (widget_class, AmBleDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, AmBleDialog, done_button);
  gtk_widget_class_bind_template_child (widget_class, AmBleDialog, retry_button);

  gtk_widget_class_install_action (widget_class, "ble.cancel", NULL, ble_cancel_action);
  gtk_widget_class_install_action (widget_class, "ble.retry", NULL, ble_retry_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
am_ble_dialog_init (AmBleDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  am_unlock_flow_name_button (self->cancel_button);
  am_unlock_flow_name_button (self->done_button);
  am_unlock_flow_name_button (self->retry_button);
}

/**
 * am_ble_dialog_new:
 * @parent: the window it is modal for
 * @facade: the façade
 * @property: the property of @lock
 * @lock: the lock to open
 *
 * Starts unlocking @lock at once.
 *
 * Returns: (transfer none): the dialog, not yet shown
 */
AmBleDialog *
am_ble_dialog_new (GtkWindow  *parent,
                   AmFacade   *facade,
                   AmProperty *property,
                   AmLock     *lock)
{
  AmBleDialog *self;
  const char *unit;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (AM_IS_FACADE (facade), NULL);
  g_return_val_if_fail (AM_IS_PROPERTY (property), NULL);
  g_return_val_if_fail (AM_IS_LOCK (lock), NULL);

  self = g_object_new (AM_TYPE_BLE_DIALOG, "transient-for", parent, NULL);
  self->facade = g_object_ref (facade);
  self->property = g_object_ref (property);
  self->lock = g_object_ref (lock);
  self->zone = am_unlock_flow_property_zone (property);

  unit = am_lock_get_unit (lock);
  if (unit != NULL && *unit != '\0')
    {
      /* Translators: a lock's name and the unit it is on, e.g. "Front Door, Unit 4B" */
      g_autofree char *subtitle = g_strdup_printf (_("%s, %s"), am_lock_get_name (lock), unit);

      adw_window_title_set_subtitle (self->window_title, subtitle);
    }
  else
    adw_window_title_set_subtitle (self->window_title, am_lock_get_name (lock));

  start (self);
  return self;
}
