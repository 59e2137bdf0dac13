/* am-lock-page.h: one lock: its passcodes (Lock Passcodes) and its log (Lock Events)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "am-facade.h"

G_BEGIN_DECLS

#define AM_TYPE_LOCK_PAGE (am_lock_page_get_type ())

G_DECLARE_FINAL_TYPE (AmLockPage, am_lock_page, AM, LOCK_PAGE, AdwBin)

AmFacade    *am_lock_page_get_facade        (AmLockPage *self);
void         am_lock_page_set_facade        (AmLockPage *self,
                                             AmFacade   *facade);
AmLock      *am_lock_page_get_lock          (AmLockPage *self);
void         am_lock_page_set_lock          (AmLockPage *self,
                                             AmLock     *lock);
void         am_lock_page_show_passcodes    (AmLockPage *self);
void         am_lock_page_show_events       (AmLockPage *self);
GtkGridView *am_lock_page_get_passcodes_view (AmLockPage *self);

G_END_DECLS
