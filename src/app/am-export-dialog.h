/* am-export-dialog.h: "Export…": a period, a file, then the CSV
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "am-facade.h"

G_BEGIN_DECLS

void am_export_dialog_run (GtkWindow  *parent,
                           AmFacade   *facade,
                           const char *lock_id,
                           const char *property_id);

G_END_DECLS
