/* am-test-csv.c: reading back the CSV the export writes, for tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A strict RFC 4180 reader: rows end with CRLF (a bare LF or CR outside
 * quotes fails the test), a quoted cell's "" is one ", and nothing may
 * follow a closing quote but a comma or the end of the row.
 */
#include "config.h"

#include <string.h>

#include "am-test-csv.h"

static void
end_row (GPtrArray *rows,
         GPtrArray *row)
{
  g_ptr_array_add (row, NULL);
  g_ptr_array_add (rows, g_ptr_array_free (row, FALSE));
}

/**
 * am_test_csv_parse:
 * @bytes: a whole file
 *
 * Returns: (transfer full) (element-type GStrv): its rows
 */
GPtrArray *
am_test_csv_parse (GBytes *bytes)
{
  gsize len = 0;
  const char *p = g_bytes_get_data (bytes, &len);
  const char *end = p + len;
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  GPtrArray *row = g_ptr_array_new ();
  GString *cell = g_string_new (NULL);

  while (p < end)
    {
      if (*p == '"')
        {
          g_assert_cmpuint (cell->len, ==, 0);
          for (p++;; p++)
            {
              g_assert_true (p < end);
              if (*p == '"')
                {
                  if (p + 1 < end && p[1] == '"')
                    {
                      g_string_append_c (cell, '"');
                      p++;
                      continue;
                    }
                  p++;
                  break;
                }
              g_string_append_c (cell, *p);
            }
          g_assert_true (p == end || *p == ',' || *p == '\r');
          continue;
        }
      if (*p == ',')
        {
          g_ptr_array_add (row, g_strdup (cell->str));
          g_string_truncate (cell, 0);
          p++;
          continue;
        }
      if (*p == '\r')
        {
          g_assert_true (p + 1 < end && p[1] == '\n');
          g_ptr_array_add (row, g_strdup (cell->str));
          g_string_truncate (cell, 0);
          end_row (rows, row);
          row = g_ptr_array_new ();
          p += 2;
          continue;
        }
      g_assert_true (*p != '\n');
      g_string_append_c (cell, *p);
      p++;
    }

  /* Every row ended with CRLF, the last too. */
  g_assert_cmpuint (cell->len, ==, 0);
  g_assert_cmpuint (row->len, ==, 0);
  g_ptr_array_free (row, TRUE);
  g_string_free (cell, TRUE);
  return rows;
}

/**
 * am_test_csv_cell:
 * @rows: rows as am_test_csv_parse() gives them, the header first
 * @row: a row, 1 for the first after the header
 * @column: the column's name in the header
 *
 * Returns: the cell, "" for an empty one
 */
const char *
am_test_csv_cell (GPtrArray  *rows,
                  guint       row,
                  const char *column)
{
  char **header = g_ptr_array_index (rows, 0);
  char **cells = g_ptr_array_index (rows, row);

  for (guint i = 0; header[i] != NULL; i++)
    if (g_str_equal (header[i], column))
      {
        g_assert_cmpuint (i, <, g_strv_length (cells));
        return cells[i];
      }
  g_error ("No column %s", column);
  return NULL;
}
