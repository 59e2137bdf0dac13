/* am-store-private.h: what the record lists and the tests use of the store
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "am-lock-list.h"
#include "am-search-index.h"
#include "am-store.h"

G_BEGIN_DECLS

/* The lists the store can answer, each in its order. */
typedef enum
{
  AM_STORE_LIST_PROPERTIES,       /* by name */
  AM_STORE_LIST_LOCKS,            /* of a property by name, or all by property and name */
  AM_STORE_LIST_PASSCODES,        /* of a lock, newest first */
  AM_STORE_LIST_LOCK_EVENTS,      /* of a lock, newest first */
} AmStoreList;

gint64     am_store_count_ids       (AmStore      *self,
                                     AmStoreList   list,
                                     const char   *parent_id);
GArray    *am_store_load_ids        (AmStore      *self,
                                     AmStoreList   list,
                                     const char   *parent_id,
                                     guint         limit);
GObject   *am_store_load_record     (AmStore      *self,
                                     AmStoreList   list,
                                     guint32       rowid);
AmDocSet  *am_store_search          (AmStore      *self,
                                     const char   *text);
void       am_store_prepare_search  (AmStore      *self);
gboolean   am_store_search_is_ready (AmStore      *self);

/* The locks dashboard's order (am-lock-list.c). */
GArray    *am_store_load_lock_ids_sorted  (AmStore      *self,
                                           AmLockSort    sort,
                                           gboolean      descending,
                                           const char   *property_id,
                                           const char   *search);
GStrv      am_store_list_passcode_issuers (AmStore      *self,
                                           const char   *lock_id);

/* For the tests of each migration step: open and migrate no further than
 * @version. */
AmStore   *am_store_open_at_version (const char   *path,
                                     int           version,
                                     GError      **error);

G_END_DECLS
