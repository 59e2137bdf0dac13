/* am-locks-dashboard.h: every lock the user can see, across properties, as a sortable table
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "am-facade.h"

G_BEGIN_DECLS

#define AM_TYPE_LOCKS_DASHBOARD (am_locks_dashboard_get_type ())

G_DECLARE_FINAL_TYPE (AmLocksDashboard, am_locks_dashboard, AM, LOCKS_DASHBOARD, AdwBin)

AmFacade      *am_locks_dashboard_get_facade      (AmLocksDashboard *self);
void           am_locks_dashboard_set_facade      (AmLocksDashboard *self,
                                                   AmFacade         *facade);
GtkColumnView *am_locks_dashboard_get_column_view (AmLocksDashboard *self);

G_END_DECLS
