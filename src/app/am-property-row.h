/* am-property-row.h: a property in the list: name, address, its local time, its locks
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "am-property.h"

G_BEGIN_DECLS

#define AM_TYPE_PROPERTY_ROW (am_property_row_get_type ())

G_DECLARE_FINAL_TYPE (AmPropertyRow, am_property_row, AM, PROPERTY_ROW, AdwBin)

GtkWidget  *am_property_row_new            (void);
AmProperty *am_property_row_get_item       (AmPropertyRow *self);
void        am_property_row_set_item       (AmPropertyRow *self,
                                            AmProperty    *item);
guint       am_property_row_get_lock_count (AmPropertyRow *self);
void        am_property_row_set_lock_count (AmPropertyRow *self,
                                            guint          lock_count);

G_END_DECLS
