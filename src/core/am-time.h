/* am-time.h: UTC instants, ISO 8601 text and local wall-clock times
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gint64    am_floor_div               (gint64       a,
                                      gint64       b);
GDateTime *am_time_parse_iso8601     (const char  *text,
                                      GError     **error);
char      *am_time_format_utc        (gint64       utc);
guint     am_time_resolve_local      (GTimeZone   *tz,
                                      int          year,
                                      int          month,
                                      int          day,
                                      int          hour,
                                      int          minute,
                                      gint64       out_utc[2]);
guint     am_time_q_offset_for_zone  (GTimeZone   *tz,
                                      gint64       near_utc);

G_END_DECLS
