/* am-window.h: the main window: signing in, the property list, a property
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "am-application.h"
#include "am-facade.h"
#include "am-locks-window.h"

G_BEGIN_DECLS

#define AM_TYPE_WINDOW (am_window_get_type ())

G_DECLARE_FINAL_TYPE (AmWindow, am_window, AM, WINDOW, AdwApplicationWindow)

AmWindow *am_window_new       (AmApplication *application,
                               AmFacade      *facade);
AmFacade *am_window_get_facade (AmWindow     *self);
void      am_window_add_toast (AmWindow      *self,
                               const char    *text);
AmLocksWindow *am_window_show_locks (AmWindow  *self,
                                     const char *lock_id);

G_END_DECLS
