/* am-access-dialog.h: Code Unlock: a time window, a recipient, and the code
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "am-facade.h"

G_BEGIN_DECLS

#define AM_TYPE_ACCESS_DIALOG (am_access_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AmAccessDialog, am_access_dialog, AM, ACCESS_DIALOG, AdwWindow)

AmAccessDialog *am_access_dialog_new (GtkWindow  *parent,
                                      AmFacade   *facade,
                                      AmProperty *property,
                                      AmLock     *lock);

G_END_DECLS
