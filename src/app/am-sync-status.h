/* am-sync-status.h: a quiet line saying when the last sync was
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "am-facade.h"

G_BEGIN_DECLS

#define AM_TYPE_SYNC_STATUS (am_sync_status_get_type ())

G_DECLARE_FINAL_TYPE (AmSyncStatus, am_sync_status, AM, SYNC_STATUS, GtkBox)

void  am_sync_status_set_facade   (AmSyncStatus *self,
                                   AmFacade     *facade);
char *am_sync_status_describe     (gint64        last_sync,
                                   gint64        now);

G_END_DECLS
