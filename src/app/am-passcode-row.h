/* am-passcode-row.h: a passcode of a lock: for whom, by whom, its window, its status, its uses
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "am-facade.h"

G_BEGIN_DECLS

#define AM_TYPE_PASSCODE_ROW (am_passcode_row_get_type ())

G_DECLARE_FINAL_TYPE (AmPasscodeRow, am_passcode_row, AM, PASSCODE_ROW, AdwBin)

GtkWidget        *am_passcode_row_new           (void);
AmPasscodeRecord *am_passcode_row_get_item      (AmPasscodeRow    *self);
void              am_passcode_row_set_item      (AmPasscodeRow    *self,
                                                 AmPasscodeRecord *item,
                                                 GTimeZone        *zone,
                                                 AmPasscodeStatus  status,
                                                 gboolean          can_show_code,
                                                 gboolean          can_revoke);
const char       *am_passcode_row_status_in_words (AmPasscodeStatus status);

G_END_DECLS
