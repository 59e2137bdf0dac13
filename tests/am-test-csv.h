/* am-test-csv.h: reading back the CSV the export writes, for tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

GPtrArray  *am_test_csv_parse (GBytes     *bytes);
const char *am_test_csv_cell  (GPtrArray  *rows,
                               guint       row,
                               const char *column);

G_END_DECLS
