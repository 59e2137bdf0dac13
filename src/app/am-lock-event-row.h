/* am-lock-event-row.h: an entry of a lock's log, in plain words, at the property's time
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "am-facade.h"

G_BEGIN_DECLS

#define AM_TYPE_LOCK_EVENT_ROW (am_lock_event_row_get_type ())

G_DECLARE_FINAL_TYPE (AmLockEventRow, am_lock_event_row, AM, LOCK_EVENT_ROW, AdwBin)

GtkWidget *am_lock_event_row_new        (void);
void       am_lock_event_row_set_item   (AmLockEventRow    *self,
                                         AmLockEventRecord *item,
                                         GTimeZone         *zone);
char      *am_lock_event_row_describe   (AmLockEventRecord *event);

G_END_DECLS
