/* am-lock-list.h: every lock the user can see, sorted and filtered by the cache, as a GListModel
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "am-store.h"

G_BEGIN_DECLS

/**
 * AmLockSort:
 * @AM_LOCK_SORT_PROPERTY: by the property's name, then the lock's
 * @AM_LOCK_SORT_NAME: by the lock's name
 * @AM_LOCK_SORT_UNIT: by unit
 * @AM_LOCK_SORT_BATTERY: by battery level, as of the last Bluetooth visit
 *   where there was one
 * @AM_LOCK_SORT_MODE: by mode
 * @AM_LOCK_SORT_LAST_ACTIVITY: by the newest entry of the lock's log
 * @AM_LOCK_SORT_LAST_VISIT: by the last Bluetooth visit from this computer
 *
 * What the locks dashboard sorts by.
 */
typedef enum
{
  AM_LOCK_SORT_PROPERTY,
  AM_LOCK_SORT_NAME,
  AM_LOCK_SORT_UNIT,
  AM_LOCK_SORT_BATTERY,
  AM_LOCK_SORT_MODE,
  AM_LOCK_SORT_LAST_ACTIVITY,
  AM_LOCK_SORT_LAST_VISIT,
} AmLockSort;

#define AM_TYPE_LOCK_SORT (am_lock_sort_get_type ())
GType am_lock_sort_get_type (void) G_GNUC_CONST;

#define AM_TYPE_LOCK_LIST (am_lock_list_get_type ())

G_DECLARE_FINAL_TYPE (AmLockList, am_lock_list, AM, LOCK_LIST, GObject)

AmLockList *am_lock_list_new             (AmStore    *store);
void        am_lock_list_set_sort        (AmLockList *self,
                                          AmLockSort  sort,
                                          gboolean    descending);
AmLockSort  am_lock_list_get_sort        (AmLockList *self,
                                          gboolean   *descending);
void        am_lock_list_set_property_id (AmLockList *self,
                                          const char *property_id);
const char *am_lock_list_get_property_id (AmLockList *self);
void        am_lock_list_set_search      (AmLockList *self,
                                          const char *search);
const char *am_lock_list_get_search      (AmLockList *self);

G_END_DECLS
