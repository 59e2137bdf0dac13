/* am-locks-window.h: the Locks Dashboard window, and a lock's passcodes and log
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "am-facade.h"
#include "am-lock-page.h"
#include "am-locks-dashboard.h"

G_BEGIN_DECLS

#define AM_TYPE_LOCKS_WINDOW (am_locks_window_get_type ())

G_DECLARE_FINAL_TYPE (AmLocksWindow, am_locks_window, AM, LOCKS_WINDOW, AdwWindow)

AmLocksWindow    *am_locks_window_new           (GtkApplication *application,
                                                 AmFacade       *facade);
void              am_locks_window_show_dashboard (AmLocksWindow *self);
void              am_locks_window_show_lock     (AmLocksWindow  *self,
                                                 AmLock         *lock);
AmLockPage       *am_locks_window_get_lock_page (AmLocksWindow  *self);
AmLocksDashboard *am_locks_window_get_dashboard (AmLocksWindow  *self);

G_END_DECLS
