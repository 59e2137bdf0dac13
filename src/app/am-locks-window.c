/* am-locks-window.c: the Locks Dashboard window, and a lock's passcodes and log
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A window of its own, beside the main one, so that an agent can keep the
 * activity of a portfolio open while issuing codes: a leaflet of two pages,
 * the dashboard and the lock opened from it, always folded, so that the
 * lock page's Back button, a swipe, the mouse's back button and Alt+Left
 * all go back.
 */
#define G_LOG_DOMAIN "am-locks-window"

#include "config.h"

#include "am-locks-window.h"

struct _AmLocksWindow
{
  AdwWindow         parent_instance;

  AmFacade         *facade;

  /* Template widgets */
  AdwLeaflet       *leaflet;
  AmLocksDashboard *dashboard;
  AmLockPage       *lock_page;
};

G_DEFINE_FINAL_TYPE (AmLocksWindow, am_locks_window, ADW_TYPE_WINDOW)

static void
on_lock_activated_cb (AmLocksWindow *self,
                      AmLock        *lock)
{
  am_locks_window_show_lock (self, lock);
}

static void
on_go_back_cb (AmLocksWindow *self)
{
  am_locks_window_show_dashboard (self);
}

static void
am_locks_window_dispose (GObject *object)
{
  AmLocksWindow *self = AM_LOCKS_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), AM_TYPE_LOCKS_WINDOW);
  g_clear_object (&self->facade);

  G_OBJECT_CLASS (am_locks_window_parent_class)->dispose (object);
}

static void
am_locks_window_class_init (AmLocksWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = am_locks_window_dispose;

  g_type_ensure (AM_TYPE_LOCKS_DASHBOARD);
  g_type_ensure (AM_TYPE_LOCK_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/am-locks-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AmLocksWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, AmLocksWindow, dashboard);
  gtk_widget_class_bind_template_child (widget_class, AmLocksWindow, lock_page);
  gtk_widget_class_bind_template_callback (widget_class, on_lock_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_go_back_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
am_locks_window_init (AmLocksWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * am_locks_window_new:
 * @application: the application
 * @facade: its façade
 *
 * Returns: (transfer full): a new Locks Dashboard window
 */
AmLocksWindow *
am_locks_window_new (GtkApplication *application,
                     AmFacade       *facade)
{
  AmLocksWindow *self;

  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (AM_IS_FACADE (facade), NULL);

  self = g_object_new (AM_TYPE_LOCKS_WINDOW, "application", application, NULL);
  self->facade = g_object_ref (facade);
  am_locks_dashboard_set_facade (self->dashboard, facade);
  am_lock_page_set_facade (self->lock_page, facade);
  return self;
}

void
am_locks_window_show_dashboard (AmLocksWindow *self)
{
  g_return_if_fail (AM_IS_LOCKS_WINDOW (self));

  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->dashboard));
}

/**
 * am_locks_window_show_lock:
 * @self: the window
 * @lock: a lock
 *
 * Shows the lock's page, on Lock Passcodes.
 */
void
am_locks_window_show_lock (AmLocksWindow *self,
                           AmLock        *lock)
{
  g_return_if_fail (AM_IS_LOCKS_WINDOW (self));
  g_return_if_fail (AM_IS_LOCK (lock));

  am_lock_page_set_lock (self->lock_page, lock);
  am_lock_page_show_passcodes (self->lock_page);
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->lock_page));
}

AmLockPage *
am_locks_window_get_lock_page (AmLocksWindow *self)
{
  g_return_val_if_fail (AM_IS_LOCKS_WINDOW (self), NULL);

  return self->lock_page;
}

AmLocksDashboard *
am_locks_window_get_dashboard (AmLocksWindow *self)
{
  g_return_val_if_fail (AM_IS_LOCKS_WINDOW (self), NULL);

  return self->dashboard;
}
