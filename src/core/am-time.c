/* am-time.c: UTC instants, ISO 8601 text and local wall-clock times
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * AM1 only ever sees UTC seconds. Time zones and daylight saving exist
 * here, at the edge, where people's wall-clock times become instants.
 */
#define G_LOG_DOMAIN "am-time"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "am-error.h"
#include "am-time.h"

/**
 * am_floor_div:
 * @a: the dividend
 * @b: the divisor, positive
 *
 * Returns: ⌊a / b⌋, rounding towards minus infinity (C rounds towards zero)
 */
gint64
am_floor_div (gint64 a,
              gint64 b)
{
  gint64 q = a / b;

  g_assert (b > 0);

  if (a % b != 0 && a < 0)
    q--;
  return q;
}

/**
 * am_time_parse_iso8601:
 * @text: an ISO 8601 date and time with a UTC offset or `Z`
 * @error: a location for a #GError
 *
 * A time without an offset is refused: which instant it names would be a
 * guess.
 *
 * Returns: (transfer full) (nullable): the time, in the offset it was given in
 */
GDateTime *
am_time_parse_iso8601 (const char  *text,
                       GError     **error)
{
  g_autoptr(GDateTime) dt = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a date and time with a UTC offset. Write it as 2025-03-10T15:00:00Z or 2025-03-10T10:00:00-05:00."),
                   text);
      return NULL;
    }
  if (g_date_time_to_unix (dt) < 0)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_OUT_OF_RANGE,
                   _("“%s” is before 1970. Choose a later date."), text);
      return NULL;
    }
  return g_steal_pointer (&dt);
}

/**
 * am_time_format_utc:
 * @utc: Unix seconds
 *
 * Returns: (transfer full): @utc as RFC 3339 in UTC with a `Z`
 */
char *
am_time_format_utc (gint64 utc)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (utc);

  g_return_val_if_fail (dt != NULL, NULL);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static gint64
wall_clock_as_utc (int year,
                   int month,
                   int day,
                   int hour,
                   int minute)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (year, month, day, hour, minute, 0);

  return dt != NULL ? g_date_time_to_unix (dt) : G_MININT64;
}

static gint32
offset_at (GTimeZone *tz,
           gint64     utc)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (utc);
  g_autoptr(GDateTime) in_tz = g_date_time_to_timezone (dt, tz);

  return (gint32) (g_date_time_get_utc_offset (in_tz) / G_TIME_SPAN_SECOND);
}

/**
 * am_time_resolve_local:
 * @tz: the property's time zone
 * @year: the local year
 * @month: the local month, 1..12
 * @day: the local day of the month
 * @hour: the local hour, 0..23
 * @minute: the local minute, 0..59
 * @out_utc: (out caller-allocates): the instants, earliest first
 *
 * Finds the instants at which the clocks in @tz show a wall-clock time.
 * There is one for most times, none for a time skipped when daylight
 * saving starts, and two for a time repeated when it ends. A user
 * interface asks which is meant; it never guesses.
 *
 * Returns: the number of instants written to @out_utc: 0, 1 or 2
 */
guint
am_time_resolve_local (GTimeZone *tz,
                       int        year,
                       int        month,
                       int        day,
                       int        hour,
                       int        minute,
                       gint64     out_utc[2])
{
  gint64 wall = wall_clock_as_utc (year, month, day, hour, minute);
  gint32 offsets[2];
  guint n = 0;

  g_return_val_if_fail (tz != NULL, 0);

  if (wall == G_MININT64)
    return 0;

  /* No zone changes its offset twice within two days, so the offsets in
   * force a day either side are all the candidates there are. */
  offsets[0] = offset_at (tz, wall - 86400);
  offsets[1] = offset_at (tz, wall + 86400);

  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    {
      gint64 candidate = wall - offsets[i];

      if (i == 1 && offsets[1] == offsets[0])
        break;
      if (offset_at (tz, candidate) == offsets[i])
        out_utc[n++] = candidate;
    }

  if (n == 2 && out_utc[0] > out_utc[1])
    {
      gint64 t = out_utc[0];
      out_utc[0] = out_utc[1];
      out_utc[1] = t;
    }
  return n;
}

/**
 * am_time_q_offset_for_zone:
 * @tz: a property's time zone
 * @near_utc: an instant near which the zone's rules apply
 *
 * AM1's hour-alignment offset Q: the zone's standard-time UTC offset modulo
 * one hour, so that a lock's "on the hour" is the property's local hour
 * (0 in most zones, 1800 in India, 2700 in Nepal). Daylight saving is
 * ignored: a zone whose summer offset differs by a half hour (Lord Howe)
 * keeps its standard alignment.
 *
 * Returns: 0, 900, 1800 or 2700
 */
guint
am_time_q_offset_for_zone (GTimeZone *tz,
                           gint64     near_utc)
{
  gint32 standard;
  gint64 rem;

  g_return_val_if_fail (tz != NULL, 0);

  /* Look at each quarter of the year: one of them is in standard time. */
  standard = offset_at (tz, near_utc);
  for (guint i = 0; i < 4; i++)
    {
      gint64 t = near_utc + i * (gint64) 91 * 86400;
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t);
      g_autoptr(GDateTime) in_tz = g_date_time_to_timezone (dt, tz);

      if (!g_date_time_is_daylight_savings (in_tz))
        {
          standard = (gint32) (g_date_time_get_utc_offset (in_tz) / G_TIME_SPAN_SECOND);
          break;
        }
    }

  rem = ((standard % 3600) + 3600) % 3600;
  /* AM1 knows quarter hours only; real zones need no more. */
  return (guint) (rem - rem % 900);
}
