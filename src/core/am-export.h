/* am-export.h: the passcodes and log of a lock or a property as CSV
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "am-store.h"

G_BEGIN_DECLS

/* The columns of the header row, in order (see am-export.c). */
extern const char * const am_export_columns[];
#define AM_EXPORT_N_COLUMNS 26

char     *am_export_csv_cell      (const char     *text);
void      am_export_csv_add_row   (GString        *out,
                                   const char    **cells,
                                   guint           n_cells);

gboolean  am_export_write_csv     (AmStore        *store,
                                   const char     *lock_id,
                                   const char     *property_id,
                                   gint64          from,
                                   gint64          to,
                                   GOutputStream  *out,
                                   guint          *n_rows,
                                   GCancellable   *cancellable,
                                   GError        **error);

G_END_DECLS
