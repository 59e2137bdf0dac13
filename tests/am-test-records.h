/* am-test-records.h: records for the store's tests, made by hand
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "am-records-private.h"
#include "am-store.h"

G_BEGIN_DECLS

AmProperty        *am_test_property   (const char *name,
                                       const char *address,
                                       const char *city,
                                       const char *timezone);
AmLock            *am_test_lock       (AmProperty *property,
                                       const char *name,
                                       const char *unit);
AmPasscodeRecord  *am_test_passcode   (AmLock     *lock,
                                       guint32     start_h,
                                       guint       p,
                                       gint64      created_at);
AmLockEventRecord *am_test_lock_event (AmLock     *lock,
                                       guint32     seq,
                                       const char *event,
                                       gint64      at);
AmUnlock          *am_test_unlock     (AmLock     *lock,
                                       gint64      at);
AmGrant           *am_test_grant      (AmProperty *property,
                                       const char *permissions);
void               am_test_apply      (AmStore    *store,
                                       AmSyncPage *page);
char              *am_test_store_path (void);

G_END_DECLS
