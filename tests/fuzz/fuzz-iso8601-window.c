/* fuzz-iso8601-window.c: fuzz target for ISO 8601 times and the passcode windows made of them
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks the kind of code (timed or one-time) and the lock's
 * Q offset; the rest is "START\nEND[\nNOW]" as the CLI and the cloud's
 * clients give it. A window that is accepted must be what a lock will see:
 * it starts on the lock's hour at or before START, ends no later than END,
 * and the start hour and p alone give it back.
 */
#include "config.h"

#include "am-fuzz.h"
#include "am-passcode.h"
#include "am-time.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  am_fuzz_init_logging ();
  return 0;
}

static void
check_window (const AmPasscodeWindow *window,
              gint64                  start_utc,
              gint64                  end_utc,
              guint                   q_offset_s)
{
  AmPasscodeWindow again;
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) parsed = NULL;

  g_assert_cmpint (window->starts_at, <=, start_utc);
  g_assert_cmpint (start_utc - window->starts_at, <, 3600);
  g_assert_cmpint ((window->starts_at - q_offset_s) % 3600, ==, 0);
  g_assert_cmpint (window->ends_at, <=, end_utc);
  g_assert_cmpint (window->ends_at, >, window->starts_at);
  g_assert_cmpint (window->use_by, ==, window->starts_at + 24 * 3600);

  g_assert_true (am_passcode_window_for (window->start_h, window->p, q_offset_s, &again, NULL));
  g_assert_cmpint (again.kind, ==, window->kind);
  g_assert_cmpint (again.starts_at, ==, window->starts_at);
  g_assert_cmpint (again.ends_at, ==, window->ends_at);
  g_assert_cmpint (again.use_by, ==, window->use_by);

  /* What the CLI prints reads back as the same instant. */
  text = am_time_format_utc (window->starts_at);
  parsed = am_time_parse_iso8601 (text, NULL);
  g_assert_nonnull (parsed);
  g_assert_cmpint (g_date_time_to_unix (parsed), ==, window->starts_at);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const guint q_offsets[] = { 0, 900, 1800, 2700 };
  g_autofree char *text = NULL;
  g_auto(GStrv) parts = NULL;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;
  g_autoptr(GError) error = NULL;
  AmPasscodeKind kind;
  AmPasscodeWindow window;
  guint q_offset_s;

  if (size < 1 || size > 1024)
    return 0;
  kind = (data[0] & 1) ? AM_PASSCODE_KIND_ONE_TIME : AM_PASSCODE_KIND_TIMED;
  q_offset_s = q_offsets[(data[0] >> 1) & 3];
  text = g_strndup ((const char *) data + 1, size - 1);
  parts = g_strsplit (text, "\n", 3);
  if (parts[0] == NULL || parts[1] == NULL)
    return 0;

  start = am_time_parse_iso8601 (parts[0], &error);
  if (start == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }
  end = am_time_parse_iso8601 (parts[1], &error);
  if (end == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }

  if (!am_passcode_window_quantise (start, end, kind, q_offset_s, &window, &error))
    {
      g_assert_nonnull (error);
      return 0;
    }
  check_window (&window, g_date_time_to_unix (start), g_date_time_to_unix (end), q_offset_s);

  if (parts[2] != NULL)
    {
      g_autoptr(GDateTime) now = am_time_parse_iso8601 (parts[2], NULL);

      if (now != NULL)
        {
          g_autoptr(GError) late = NULL;

          if (!am_passcode_window_check_issuable (&window, g_date_time_to_unix (now), &late))
            g_assert_nonnull (late);
        }
    }
  return 0;
}
