/* am-export.c: the passcodes and log of a lock or a property as CSV
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One file, UTF-8 without a byte-order mark, RFC 4180: a header row, then
 * one row a record, lines ended by CRLF; a cell holding a comma, a double
 * quote, CR or LF is quoted, its quotes doubled. To keep a spreadsheet
 * from taking a cell for a formula (a recipient named "=HYPERLINK(…)"), a
 * cell that starts with = + - @, a tab or CR gets a ' before it.
 *
 * The passcodes of each lock come first (oldest issued first), then the
 * entries of each lock's log (in the log's order); the locks of a
 * property in their order by name. A passcode is in the range when it
 * was issued in it or its window overlaps it; a log entry when its time
 * is in it. Times are ISO 8601 in the property's time zone with its UTC
 * offset (2026-03-14T09:00:00-05:00); empty where there is none. No code
 * digits are ever written: the cache does not hold them.
 *
 * The columns:
 *
 *   record         "passcode" or "event"
 *   property       the property's name
 *   lock           the lock's name
 *   unit           the lock's unit, or empty
 *   lock_id        the lock's id
 *   time           passcode: when it was issued; event: when it happened
 *   event          event: keypad_open, keypad_reject, ble_unlock,
 *                  cancel_all, lockout, revoke, time_set; passcode: empty
 *   result         event: the lock's result (ok, revoked, …); passcode: empty
 *   passcode_id    passcode: its id; event: the passcode it names, or empty
 *   kind           passcode: timed or one_time
 *   window_start   passcode: its window's start
 *   window_end     passcode: its window's end
 *   use_by         passcode: the deadline for its first use
 *   recipient      passcode: the recipient's name
 *   contact        passcode: the recipient's contact
 *   purpose        passcode: vendor, maintenance, prospect, resident, other
 *   note           passcode: the issuer's note
 *   source         passcode: manual or tour
 *   issued_by      passcode: who issued it
 *   status         passcode: scheduled, unused, active, used, expired or
 *                  revoked, at the time of the export
 *   revoked_at     passcode: when it was revoked
 *   revoked_by     passcode: who revoked it
 *   first_used_at  passcode: its first use, as the lock's log tells
 *   last_used_at   passcode: its last use
 *   use_count      passcode: how often it was used
 *   seq            event: its number in the lock's log
 */
#define G_LOG_DOMAIN "am-export"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "am-error.h"
#include "am-export.h"
#include "am-store-private.h"

#define FLUSH_AT 65536

const char * const am_export_columns[] = {
  "record", "property", "lock", "unit", "lock_id", "time", "event", "result",
  "passcode_id", "kind", "window_start", "window_end", "use_by", "recipient",
  "contact", "purpose", "note", "source", "issued_by", "status", "revoked_at",
  "revoked_by", "first_used_at", "last_used_at", "use_count", "seq", NULL
};

G_STATIC_ASSERT (G_N_ELEMENTS (am_export_columns) == AM_EXPORT_N_COLUMNS + 1);

enum {
  COL_RECORD, COL_PROPERTY, COL_LOCK, COL_UNIT, COL_LOCK_ID, COL_TIME, COL_EVENT,
  COL_RESULT, COL_PASSCODE_ID, COL_KIND, COL_WINDOW_START, COL_WINDOW_END, COL_USE_BY,
  COL_RECIPIENT, COL_CONTACT, COL_PURPOSE, COL_NOTE, COL_SOURCE, COL_ISSUED_BY,
  COL_STATUS, COL_REVOKED_AT, COL_REVOKED_BY, COL_FIRST_USED_AT, COL_LAST_USED_AT,
  COL_USE_COUNT, COL_SEQ,
};

/* One export under way. */
typedef struct
{
  GOutputStream *out;
  GCancellable  *cancellable;
  GString       *buffer;
  GTimeZone     *tz;          /* the property's */
  AmProperty    *property;
  AmLock        *lock;
  gint64         now;
  guint          n_rows;
} Export;

static void
append_cell (GString    *out,
             const char *text)
{
  gboolean quote;

  if (text == NULL || *text == '\0')
    return;

  quote = strpbrk (text, ",\"\r\n") != NULL;
  if (quote)
    g_string_append_c (out, '"');
  if (strchr ("=+-@\t\r", text[0]) != NULL)
    g_string_append_c (out, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  if (quote)
    g_string_append_c (out, '"');
}

static char *
format_time (Export *export,
             gint64  utc)
{
  g_autoptr(GDateTime) at = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (utc == 0)
    return NULL;
  at = g_date_time_new_from_unix_utc (utc);
  if (at == NULL)
    return NULL;
  local = g_date_time_to_timezone (at, export->tz);
  return g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
}

static gboolean
flush (Export  *export,
       gboolean force,
       GError **error)
{
  if (export->buffer->len == 0 || (!force && export->buffer->len < FLUSH_AT))
    return TRUE;
  if (!g_output_stream_write_all (export->out, export->buffer->str, export->buffer->len,
                                  NULL, export->cancellable, error))
    return FALSE;
  g_string_truncate (export->buffer, 0);
  return TRUE;
}

/* Fills the cells every row has: the property and the lock. */
static void
fill_lock_cells (Export      *export,
                 const char **cells)
{
  cells[COL_PROPERTY] = export->property != NULL ? am_property_get_name (export->property) : NULL;
  cells[COL_LOCK] = am_lock_get_name (export->lock);
  cells[COL_UNIT] = am_lock_get_unit (export->lock);
  cells[COL_LOCK_ID] = am_lock_get_id (export->lock);
}

static gboolean
add_passcode_cb (GObject  *object,
                 gpointer  user_data,
                 GError  **error)
{
  Export *export = user_data;
  AmPasscodeRecord *record = AM_PASSCODE_RECORD (object);
  const char *cells[AM_EXPORT_N_COLUMNS] = { NULL };
  g_autofree char *time = format_time (export, am_passcode_record_get_created_at (record));
  g_autofree char *start = format_time (export, am_passcode_record_get_starts_at (record));
  g_autofree char *end = format_time (export, am_passcode_record_get_ends_at (record));
  g_autofree char *use_by = format_time (export, am_passcode_record_get_use_by (record));
  g_autofree char *revoked = format_time (export, am_passcode_record_get_revoked_at (record));
  g_autofree char *first = format_time (export, am_passcode_record_get_first_used_at (record));
  g_autofree char *last = format_time (export, am_passcode_record_get_last_used_at (record));
  g_autofree char *uses = g_strdup_printf ("%u", am_passcode_record_get_use_count (record));

  if (g_cancellable_set_error_if_cancelled (export->cancellable, error))
    return FALSE;

  cells[COL_RECORD] = "passcode";
  fill_lock_cells (export, cells);
  cells[COL_TIME] = time;
  cells[COL_PASSCODE_ID] = am_passcode_record_get_id (record);
  cells[COL_KIND] = am_passcode_record_get_kind (record) == AM_PASSCODE_KIND_ONE_TIME ? "one_time" : "timed";
  cells[COL_WINDOW_START] = start;
  cells[COL_WINDOW_END] = end;
  cells[COL_USE_BY] = use_by;
  cells[COL_RECIPIENT] = am_passcode_record_get_recipient_name (record);
  cells[COL_CONTACT] = am_passcode_record_get_recipient_contact (record);
  cells[COL_PURPOSE] = am_passcode_record_get_purpose (record);
  cells[COL_NOTE] = am_passcode_record_get_note (record);
  cells[COL_SOURCE] = am_passcode_record_get_source (record);
  cells[COL_ISSUED_BY] = am_passcode_record_get_created_by_name (record);
  cells[COL_STATUS] = am_passcode_status_to_string (am_passcode_record_get_status (record, export->now));
  cells[COL_REVOKED_AT] = revoked;
  cells[COL_REVOKED_BY] = am_passcode_record_get_revoked_by_name (record);
  cells[COL_FIRST_USED_AT] = first;
  cells[COL_LAST_USED_AT] = last;
  cells[COL_USE_COUNT] = uses;

  am_export_csv_add_row (export->buffer, cells, AM_EXPORT_N_COLUMNS);
  export->n_rows++;
  return flush (export, FALSE, error);
}

static gboolean
add_event_cb (GObject  *object,
              gpointer  user_data,
              GError  **error)
{
  Export *export = user_data;
  AmLockEventRecord *event = AM_LOCK_EVENT_RECORD (object);
  const char *cells[AM_EXPORT_N_COLUMNS] = { NULL };
  g_autofree char *time = format_time (export, am_lock_event_record_get_at (event));
  g_autofree char *seq = g_strdup_printf ("%u", am_lock_event_record_get_seq (event));

  if (g_cancellable_set_error_if_cancelled (export->cancellable, error))
    return FALSE;

  cells[COL_RECORD] = "event";
  fill_lock_cells (export, cells);
  cells[COL_TIME] = time;
  cells[COL_EVENT] = am_lock_event_record_get_event (event);
  cells[COL_RESULT] = am_lock_event_record_get_result (event);
  cells[COL_PASSCODE_ID] = am_lock_event_record_get_passcode_id (event);
  cells[COL_SEQ] = seq;

  am_export_csv_add_row (export->buffer, cells, AM_EXPORT_N_COLUMNS);
  export->n_rows++;
  return flush (export, FALSE, error);
}

/* The locks to export: the one, or the property's, in their order. */
static GPtrArray *
locks_to_export (AmStore     *store,
                 const char  *lock_id,
                 const char  *property_id,
                 GError     **error)
{
  g_autoptr(GPtrArray) locks = g_ptr_array_new_with_free_func (g_object_unref);

  if (lock_id != NULL)
    {
      AmLock *lock = am_store_get_lock (store, lock_id);

      if (lock != NULL)
        g_ptr_array_add (locks, lock);
    }
  else
    {
      g_autoptr(GArray) ids = am_store_load_ids (store, AM_STORE_LIST_LOCKS, property_id, G_MAXUINT);

      for (guint i = 0; i < ids->len; i++)
        {
          GObject *lock = am_store_load_record (store, AM_STORE_LIST_LOCKS,
                                                g_array_index (ids, guint32, i));

          if (lock != NULL)
            g_ptr_array_add (locks, lock);
        }
    }

  if (lock_id != NULL && locks->len == 0)
    {
      g_set_error_literal (error, AM_ERROR, AM_ERROR_NOT_FOUND,
                           _("The lock is no longer in the local cache. Sync, then try the export again."));
      return NULL;
    }
  if (lock_id == NULL && locks->len == 0)
    {
      g_autoptr(AmProperty) property = am_store_get_property (store, property_id);

      if (property == NULL)
        {
          g_set_error_literal (error, AM_ERROR, AM_ERROR_NOT_FOUND,
                               _("The property is no longer in the local cache. Sync, then try the export again."));
          return NULL;
        }
    }
  return g_steal_pointer (&locks);
}

/**
 * am_export_csv_cell:
 * @text: (nullable): a cell's text
 *
 * Returns: (transfer full): the cell as it is written: quoted where it
 *   must be, guarded against being taken for a formula
 */
char *
am_export_csv_cell (const char *text)
{
  GString *out = g_string_new (NULL);

  append_cell (out, text);
  return g_string_free (out, FALSE);
}

/**
 * am_export_csv_add_row:
 * @out: where the row goes
 * @cells: (array length=n_cells): the cells, %NULL for an empty one
 * @n_cells: their number
 *
 * Appends one row, ended by CRLF.
 */
void
am_export_csv_add_row (GString     *out,
                       const char **cells,
                       guint        n_cells)
{
  for (guint i = 0; i < n_cells; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_cell (out, cells[i]);
    }
  g_string_append (out, "\r\n");
}

/**
 * am_export_write_csv:
 * @store: the cache (a reader of its own where this runs in a thread)
 * @lock_id: (nullable): the lock, or %NULL for all of @property_id's
 * @property_id: (nullable): the property, when @lock_id is %NULL
 * @from: UTC seconds, the range's start
 * @to: UTC seconds, the range's end (excluded); 0 for no end
 * @out: where the CSV goes; not closed
 * @n_rows: (out) (optional): the rows written, the header not counted
 * @cancellable: (nullable): a #GCancellable
 * @error: a location for a #GError
 *
 * Writes the passcodes and log entries of a lock, or of each lock of a
 * property, over a range of time, as the file's comment describes. Blocks:
 * call it from a worker thread.
 *
 * Returns: %TRUE when all of it was written
 */
gboolean
am_export_write_csv (AmStore        *store,
                     const char     *lock_id,
                     const char     *property_id,
                     gint64          from,
                     gint64          to,
                     GOutputStream  *out,
                     guint          *n_rows,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_autoptr(GPtrArray) locks = NULL;
  g_autoptr(GString) buffer = g_string_new (NULL);
  Export export = { 0 };
  gboolean ok = TRUE;

  g_return_val_if_fail (AM_IS_STORE (store), FALSE);
  g_return_val_if_fail (lock_id != NULL || property_id != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  locks = locks_to_export (store, lock_id, property_id, error);
  if (locks == NULL)
    return FALSE;

  export.out = out;
  export.cancellable = cancellable;
  export.buffer = buffer;
  export.now = g_get_real_time () / G_USEC_PER_SEC;

  am_export_csv_add_row (buffer, (const char **) am_export_columns, AM_EXPORT_N_COLUMNS);

  /* The passcodes of every lock, then the log of every lock. */
  for (guint pass = 0; ok && pass < 2; pass++)
    for (guint i = 0; ok && i < locks->len; i++)
      {
        export.lock = g_ptr_array_index (locks, i);
        g_clear_object (&export.property);
        g_clear_pointer (&export.tz, g_time_zone_unref);
        export.property = am_store_get_property (store, am_lock_get_property_id (export.lock));
        if (export.property != NULL)
          export.tz = g_time_zone_new_identifier (am_property_get_timezone (export.property));
        if (export.tz == NULL)
          export.tz = g_time_zone_new_utc ();

        if (pass == 0)
          ok = am_store_foreach_passcode_between (store, am_lock_get_id (export.lock), from, to,
                                                  add_passcode_cb, &export, error);
        else
          ok = am_store_foreach_lock_event_between (store, am_lock_get_id (export.lock), from, to,
                                                    add_event_cb, &export, error);
      }
  g_clear_object (&export.property);
  g_clear_pointer (&export.tz, g_time_zone_unref);

  ok = ok && flush (&export, TRUE, error);
  if (ok && n_rows != NULL)
    *n_rows = export.n_rows;
  return ok;
}
