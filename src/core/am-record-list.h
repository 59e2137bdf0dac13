/* am-record-list.h: a list of cached records as a GListModel
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "am-store.h"

G_BEGIN_DECLS

#define AM_TYPE_RECORD_LIST (am_record_list_get_type ())

G_DECLARE_FINAL_TYPE (AmRecordList, am_record_list, AM, RECORD_LIST, GObject)

AmRecordList *am_record_list_new_properties  (AmStore      *store);
AmRecordList *am_record_list_new_locks       (AmStore      *store,
                                              const char   *property_id);
AmRecordList *am_record_list_new_passcodes   (AmStore      *store,
                                              const char   *lock_id);
AmRecordList *am_record_list_new_lock_events (AmStore      *store,
                                              const char   *lock_id);

const char   *am_record_list_get_search      (AmRecordList *self);
void          am_record_list_set_search      (AmRecordList *self,
                                              const char   *search);
void          am_record_list_set_interactive (AmRecordList *self,
                                              gboolean      interactive);
void          am_record_list_show_rest       (AmRecordList *self);
gboolean      am_record_list_has_pending_changes (AmRecordList *self);

G_END_DECLS
