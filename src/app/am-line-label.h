/* am-line-label.h: one line of text, ellipsized, that is measured from its font alone
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define AM_TYPE_LINE_LABEL (am_line_label_get_type ())

G_DECLARE_FINAL_TYPE (AmLineLabel, am_line_label, AM, LINE_LABEL, GtkWidget)

GtkWidget  *am_line_label_new      (void);
const char *am_line_label_get_text (AmLineLabel *self);
void        am_line_label_set_text (AmLineLabel *self,
                                    const char  *text);

G_END_DECLS
