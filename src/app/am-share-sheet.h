/* am-share-sheet.h: a new code, large, and the ways to pass it on
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "am-facade.h"

G_BEGIN_DECLS

#define AM_TYPE_SHARE_SHEET (am_share_sheet_get_type ())

G_DECLARE_FINAL_TYPE (AmShareSheet, am_share_sheet, AM, SHARE_SHEET, AdwWindow)

AmShareSheet *am_share_sheet_new         (GtkWindow        *parent,
                                          AmFacade         *facade,
                                          AmProperty       *property,
                                          AmLock           *lock,
                                          AmPasscodeRecord *record,
                                          const char       *code);

G_END_DECLS
