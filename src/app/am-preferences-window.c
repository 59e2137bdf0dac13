/* am-preferences-window.c: the preferences, bound to GSettings
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every control is bound to its key, both ways: a change applies at once
 * (the application follows the keys) and a change made elsewhere shows.
 * The server is the one preset on the sign-in page; it does not move a
 * session that is open.
 */
#define G_LOG_DOMAIN "am-preferences-window"

#include "config.h"

#include "am-preferences-window.h"

struct _AmPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  /* Template widgets */
  AdwEntryRow          *server_row;
  GtkSpinButton        *sync_interval_spin;
  GtkSpinButton        *window_hours_spin;
  GtkSpinButton        *proximity_spin;
  GtkSwitch            *notify_used_switch;
  GtkSwitch            *notify_battery_switch;
};

G_DEFINE_FINAL_TYPE (AmPreferencesWindow, am_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* GObject */

static void
am_preferences_window_dispose (GObject *object)
{
  AmPreferencesWindow *self = AM_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), AM_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (am_preferences_window_parent_class)->dispose (object);
}

static void
am_preferences_window_class_init (AmPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = am_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/am-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AmPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, AmPreferencesWindow, sync_interval_spin);
  gtk_widget_class_bind_template_child (widget_class, AmPreferencesWindow, window_hours_spin);
  gtk_widget_class_bind_template_child (widget_class, AmPreferencesWindow, proximity_spin);
  gtk_widget_class_bind_template_child (widget_class, AmPreferencesWindow, notify_used_switch);
  gtk_widget_class_bind_template_child (widget_class, AmPreferencesWindow, notify_battery_switch);
}

static void
am_preferences_window_init (AmPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "server", self->server_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "sync-interval",
                   gtk_spin_button_get_adjustment (self->sync_interval_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "default-window-hours",
                   gtk_spin_button_get_adjustment (self->window_hours_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "proximity-threshold",
                   gtk_spin_button_get_adjustment (self->proximity_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notify-passcode-used", self->notify_used_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notify-battery-low", self->notify_battery_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
}

/* Public API */

/**
 * am_preferences_window_new:
 * @parent: (nullable): the window it belongs to
 *
 * Returns: (transfer none): the preferences window, not yet shown
 */
AmPreferencesWindow *
am_preferences_window_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (AM_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
}
