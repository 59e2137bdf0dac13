/* am-cli-cache.c: access-manager-cli properties | locks | passcodes, from the local cache
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Read-only views of what the last sync left in the cache, as a table for
 * people or as the cloud API's resource objects for scripts. The cache
 * holds no passcode digits, and nothing here derives any.
 */
#define G_LOG_DOMAIN "am-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "am-cli.h"
#include "am-cloud-json.h"
#include "am-record-list.h"
#include "am-store.h"
#include "am-text.h"

/* What a table shows for a value that is not there. */
#define NONE "—"

/* A table for people: a header row, then one row a record. */
typedef struct
{
  guint      n_columns;
  GPtrArray *rows;  /* (element-type GStrv), the header first */
} Table;

static void
table_clear (Table *table)
{
  g_clear_pointer (&table->rows, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Table, table_clear)

/* A cell's text on one line: valid UTF-8, control characters (a newline
 * in a name) as spaces. */
static char *
cell_text (const char *text)
{
  char *cell = g_utf8_make_valid (text != NULL ? text : "", -1);

  for (char *c = cell; *c != '\0'; c = g_utf8_next_char (c))
    if (g_unichar_iscntrl (g_utf8_get_char (c)))
      {
        /* A control character is one or two bytes; spaces keep the length. */
        const char *next = g_utf8_next_char (c);
        for (char *b = c; b < next; b++)
          *b = ' ';
      }
  return cell;
}

/* The columns a text takes in a terminal: wide (East Asian) characters
 * take two, combining marks none. */
static gsize
display_width (const char *text)
{
  gsize width = 0;

  for (const char *c = text; *c != '\0'; c = g_utf8_next_char (c))
    {
      gunichar ch = g_utf8_get_char (c);

      if (g_unichar_iszerowidth (ch))
        continue;
      width += g_unichar_iswide (ch) ? 2 : 1;
    }
  return width;
}

/* Takes the header's texts, translated, as the first row. */
static void
table_init (Table              *table,
            const char * const *header)
{
  GStrv row;

  table->n_columns = g_strv_length ((GStrv) header);
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  row = g_new0 (char *, table->n_columns + 1);
  for (guint i = 0; i < table->n_columns; i++)
    row[i] = cell_text (_(header[i]));
  g_ptr_array_add (table->rows, row);
}

/* Adds a row of @table->n_columns texts, any of them %NULL for “—”. */
static void
table_add_row (Table *table,
               ...)
{
  GStrv row = g_new0 (char *, table->n_columns + 1);
  va_list args;

  va_start (args, table);
  for (guint i = 0; i < table->n_columns; i++)
    {
      const char *text = va_arg (args, const char *);
      row[i] = cell_text (text != NULL && *text != '\0' ? text : NONE);
    }
  va_end (args);
  g_ptr_array_add (table->rows, row);
}

static void
table_print (const Table *table)
{
  g_autofree gsize *widths = g_new0 (gsize, table->n_columns);
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint r = 0; r < table->rows->len; r++)
    {
      GStrv row = g_ptr_array_index (table->rows, r);
      for (guint i = 0; i < table->n_columns; i++)
        widths[i] = MAX (widths[i], display_width (row[i]));
    }

  for (guint r = 0; r < table->rows->len; r++)
    {
      GStrv row = g_ptr_array_index (table->rows, r);

      g_string_truncate (line, 0);
      for (guint i = 0; i < table->n_columns; i++)
        {
          g_string_append (line, row[i]);
          if (i + 1 < table->n_columns)
            {
              for (gsize pad = display_width (row[i]); pad < widths[i]; pad++)
                g_string_append_c (line, ' ');
              g_string_append (line, "  ");
            }
        }
      /* An empty last cell would leave the separator behind. */
      g_strchomp (line->str);
      printf ("%s\n", line->str);
    }
}

static void
record_to_json (GObject     *record,
                JsonBuilder *builder)
{
  if (AM_IS_PROPERTY (record))
    am_property_to_json (AM_PROPERTY (record), builder);
  else if (AM_IS_LOCK (record))
    am_lock_to_json (AM_LOCK (record), builder);
  else if (AM_IS_LOCK_EVENT_RECORD (record))
    am_lock_event_record_to_json (AM_LOCK_EVENT_RECORD (record), builder);
  else
    am_passcode_record_to_json (AM_PASSCODE_RECORD (record), builder);
}

/* The records of @model as one JSON array on one line. */
static void
print_json (GListModel *model)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  guint n = g_list_model_get_n_items (model);

  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) record = g_list_model_get_item (model, i);
      record_to_json (record, builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

/* Opens the cache of am_cli_get_data_dir(), but never makes one: a
 * command that reads the cache has nothing to show in a new one. */
static int
open_cache (AmStore **store)
{
  g_autofree char *path = g_build_filename (am_cli_get_data_dir (), "cache.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  const char *notice;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *dir = g_filename_display_name (am_cli_get_data_dir ());
      g_autofree char *message =
        /* Translators: %s is a folder */
        g_strdup_printf (_("There is no local cache in “%s” yet. Sign in and sync first, or give the folder of an existing cache with --data-dir."),
                         dir);
      return am_cli_fail_message (message);
    }

  *store = am_store_open (path, &error);
  if (*store == NULL)
    return am_cli_fail (error);

  notice = am_store_get_recovery_notice (*store);
  if (notice != NULL)
    fprintf (stderr, "access-manager-cli: %s\n", notice);
  return AM_CLI_EXIT_OK;
}

/* Ids are lower-case UUIDs; one typed in capitals is the same id. */
static char *
normalize_id (const char *text)
{
  g_autofree char *id = g_strstrip (g_strdup (text));

  return g_ascii_strdown (id, -1);
}

/**
 * am_cli_format_local:
 * @utc: a time, UTC seconds
 * @zone: the zone to show it in
 *
 * Returns: (transfer full): the time as that zone's clock shows it, with
 *   the zone's abbreviation
 */
char *
am_cli_format_local (gint64     utc,
                     GTimeZone *zone)
{
  g_autoptr(GDateTime) instant = g_date_time_new_from_unix_utc (utc);
  g_autoptr(GDateTime) local = NULL;

  if (instant == NULL || (local = g_date_time_to_timezone (instant, zone)) == NULL)
    return g_strdup (NONE);
  return g_date_time_format (local, "%Y-%m-%d %H:%M %Z");
}

/**
 * am_cli_property_zone:
 * @property: (nullable): a property
 *
 * Returns: (transfer full): the property's time zone, or UTC when this
 *   system does not know it
 */
GTimeZone *
am_cli_property_zone (AmProperty *property)
{
  const char *identifier = property != NULL ? am_property_get_timezone (property) : NULL;
  GTimeZone *zone = NULL;

  if (identifier != NULL && *identifier != '\0')
    zone = g_time_zone_new_identifier (identifier);
  if (zone == NULL)
    {
      g_debug ("Time zone “%s” unknown, showing times in UTC", identifier != NULL ? identifier : "");
      zone = g_time_zone_new_utc ();
    }
  return zone;
}

/**
 * am_cli_properties:
 * @argc: the arguments' count, from "properties"
 * @argv: the arguments
 *
 * Lists the cached properties by name, or those a search finds.
 *
 * Returns: the exit status
 */
int
am_cli_properties (int    argc,
                   char **argv)
{
  static const char * const header[] = {
    N_("NAME"), N_("CITY"), N_("TIME ZONE"), N_("LOCKS"), N_("ID"), NULL
  };
  g_autofree char *search = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "search", 0, 0, G_OPTION_ARG_STRING, &search,
      N_("Only properties where every word of TEXT starts a word of their name, address, city, or a lock’s name or unit"), N_("TEXT") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print the properties as one JSON array of the cloud API’s Property objects"), NULL },
    { NULL }
  };
  g_autoptr(AmStore) store = NULL;
  g_autoptr(AmRecordList) list = NULL;
  g_auto(Table) table = { 0 };
  int status;
  guint n;

  status = am_cli_parse_command_options ("properties", _("List the properties in the local cache, by name."),
                                  entries, &argc, &argv);
  if (status != AM_CLI_EXIT_OK || (status = open_cache (&store)) != AM_CLI_EXIT_OK)
    return status;

  list = am_record_list_new_properties (store);
  am_record_list_set_search (list, search);
  if (json)
    {
      print_json (G_LIST_MODEL (list));
      return AM_CLI_EXIT_OK;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (list));
  if (n == 0)
    {
      g_autofree char *folded = search != NULL ? am_text_fold (search) : NULL;

      if (folded != NULL && *folded != '\0')
        {
          g_autofree char *message =
            /* Translators: %s is what the user searched for */
            g_strdup_printf (_("No properties match “%s”."), search);
          printf ("%s\n", message);
        }
      else
        printf ("%s\n", _("No properties in the local cache."));
      return AM_CLI_EXIT_OK;
    }

  table_init (&table, header);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AmProperty) property = g_list_model_get_item (G_LIST_MODEL (list), i);
      g_autoptr(AmRecordList) locks = am_record_list_new_locks (store, am_property_get_id (property));
      g_autofree char *n_locks = g_strdup_printf ("%u", g_list_model_get_n_items (G_LIST_MODEL (locks)));

      table_add_row (&table,
                     am_property_get_name (property),
                     am_property_get_city (property),
                     am_property_get_timezone (property),
                     n_locks,
                     am_property_get_id (property));
    }
  table_print (&table);
  return AM_CLI_EXIT_OK;
}

/**
 * am_cli_locks:
 * @argc: the arguments' count, from "locks"
 * @argv: the arguments
 *
 * Lists the cached locks, of one property or of all by property.
 *
 * Returns: the exit status
 */
int
am_cli_locks (int    argc,
              char **argv)
{
  static const char * const header[] = {
    N_("PROPERTY"), N_("NAME"), N_("UNIT"), N_("BATTERY"), N_("MODE"), N_("ID"), NULL
  };
  g_autofree char *property_text = NULL;
  g_autofree char *property_id = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "property", 0, 0, G_OPTION_ARG_STRING, &property_text,
      N_("Only the locks of the property with this ID"), N_("ID") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print the locks as one JSON array of the cloud API’s Lock objects"), NULL },
    { NULL }
  };
  g_autoptr(AmStore) store = NULL;
  g_autoptr(AmRecordList) list = NULL;
  g_autoptr(GHashTable) properties = NULL;
  g_auto(Table) table = { 0 };
  int status;
  guint n;

  status = am_cli_parse_command_options ("locks",
                                  _("List the locks in the local cache, by property and name."),
                                  entries, &argc, &argv);
  if (status != AM_CLI_EXIT_OK || (status = open_cache (&store)) != AM_CLI_EXIT_OK)
    return status;

  properties = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  if (property_text != NULL)
    {
      AmProperty *property;

      property_id = normalize_id (property_text);
      property = am_store_get_property (store, property_id);
      if (property == NULL)
        {
          g_autofree char *message =
            /* Translators: %s is the id the user gave */
            g_strdup_printf (_("No property with the id “%s” is in the local cache; “access-manager-cli properties” lists their ids."),
                             property_text);
          return am_cli_fail_message (message);
        }
      g_hash_table_insert (properties, g_strdup (property_id), property);
    }

  list = am_record_list_new_locks (store, property_id);
  if (json)
    {
      print_json (G_LIST_MODEL (list));
      return AM_CLI_EXIT_OK;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (list));
  if (n == 0)
    {
      printf ("%s\n", property_id != NULL ? _("This property has no locks.")
                                          : _("No locks in the local cache."));
      return AM_CLI_EXIT_OK;
    }

  table_init (&table, header);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AmLock) lock = g_list_model_get_item (G_LIST_MODEL (list), i);
      const char *lock_property_id = am_lock_get_property_id (lock);
      AmProperty *property = g_hash_table_lookup (properties, lock_property_id);
      g_autofree char *battery = NULL;

      if (property == NULL && (property = am_store_get_property (store, lock_property_id)) != NULL)
        g_hash_table_insert (properties, g_strdup (lock_property_id), property);
      if (am_lock_get_battery (lock) >= 0)
        /* Translators: a lock's battery level in percent; “%%” is the per cent sign */
        battery = g_strdup_printf (_("%d %%"), am_lock_get_battery (lock));

      table_add_row (&table,
                     property != NULL ? am_property_get_name (property) : NULL,
                     am_lock_get_name (lock),
                     am_lock_get_unit (lock),
                     battery,
                     am_lock_get_mode (lock),
                     am_lock_get_id (lock));
    }
  table_print (&table);
  return AM_CLI_EXIT_OK;
}

/**
 * am_cli_passcodes:
 * @argc: the arguments' count, from "passcodes"
 * @argv: the arguments
 *
 * Lists the cached passcodes of one lock, newest first, with their times
 * in the lock's property's time zone. Never digits: the cache has none.
 *
 * Returns: the exit status
 */
int
am_cli_passcodes (int    argc,
                  char **argv)
{
  static const char * const header[] = {
    N_("CREATED"), N_("ISSUER"), N_("RECIPIENT"), N_("STARTS"), N_("ENDS"),
    N_("STATUS"), N_("USES"), N_("ID"), NULL
  };
  g_autofree char *lock_text = NULL;
  g_autofree char *lock_id = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "lock", 0, 0, G_OPTION_ARG_STRING, &lock_text,
      N_("The ID of the lock whose passcodes to list"), N_("ID") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print the passcodes as one JSON array of the cloud API’s Passcode objects"), NULL },
    { NULL }
  };
  g_autoptr(AmStore) store = NULL;
  g_autoptr(AmLock) lock = NULL;
  g_autoptr(AmProperty) property = NULL;
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(AmRecordList) list = NULL;
  g_auto(Table) table = { 0 };
  gint64 now;
  int status;
  guint n;

  status = am_cli_parse_command_options ("passcodes",
                                  _("List the passcodes of a lock in the local cache, newest first, without their digits."),
                                  entries, &argc, &argv);
  if (status != AM_CLI_EXIT_OK)
    return status;
  if (lock_text == NULL)
    return am_cli_fail_message (_("Name the lock with --lock ID; “access-manager-cli locks” lists their ids."));
  if ((status = open_cache (&store)) != AM_CLI_EXIT_OK)
    return status;

  lock_id = normalize_id (lock_text);
  lock = am_store_get_lock (store, lock_id);
  if (lock == NULL)
    {
      g_autofree char *message =
        /* Translators: %s is the id the user gave */
        g_strdup_printf (_("No lock with the id “%s” is in the local cache; “access-manager-cli locks” lists their ids."),
                         lock_text);
      return am_cli_fail_message (message);
    }

  list = am_record_list_new_passcodes (store, lock_id);
  if (json)
    {
      print_json (G_LIST_MODEL (list));
      return AM_CLI_EXIT_OK;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (list));
  if (n == 0)
    {
      printf ("%s\n", _("This lock has no passcodes."));
      return AM_CLI_EXIT_OK;
    }

  property = am_store_get_property (store, am_lock_get_property_id (lock));
  zone = am_cli_property_zone (property);
  now = g_get_real_time () / G_USEC_PER_SEC;

  table_init (&table, header);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AmPasscodeRecord) record = g_list_model_get_item (G_LIST_MODEL (list), i);
      g_autofree char *created = am_cli_format_local (am_passcode_record_get_created_at (record), zone);
      g_autofree char *starts = am_cli_format_local (am_passcode_record_get_starts_at (record), zone);
      g_autofree char *ends = am_cli_format_local (am_passcode_record_get_ends_at (record), zone);
      g_autofree char *uses = g_strdup_printf ("%u", am_passcode_record_get_use_count (record));

      table_add_row (&table,
                     created,
                     am_passcode_record_get_created_by_name (record),
                     am_passcode_record_get_recipient_name (record),
                     starts,
                     ends,
                     am_passcode_status_to_string (am_passcode_record_get_status (record, now)),
                     uses,
                     am_passcode_record_get_id (record));
    }
  table_print (&table);
  return AM_CLI_EXIT_OK;
}

/* What a lock's log record says, for people. */
static char *
describe_event (AmLockEventRecord *event)
{
  const char *name = am_lock_event_record_get_event (event);

  if (g_str_equal (name, AM_LOCK_EVENT_NAME_KEYPAD_OPEN))
    return g_strdup (_("opened with a code at the keypad"));
  if (g_str_equal (name, AM_LOCK_EVENT_NAME_KEYPAD_REJECT))
    /* Translators: %s is why, as the cloud names it: no_match, used, revoked… */
    return g_strdup_printf (_("refused a code at the keypad (%s)"), am_lock_event_record_get_result (event));
  if (g_str_equal (name, AM_LOCK_EVENT_NAME_BLE_UNLOCK))
    return g_strdup (_("opened over Bluetooth"));
  if (g_str_equal (name, AM_LOCK_EVENT_NAME_CANCEL_ALL))
    return g_strdup (_("cancelled every code"));
  if (g_str_equal (name, AM_LOCK_EVENT_NAME_LOCKOUT))
    return g_strdup (_("locked its keypad after wrong codes"));
  if (g_str_equal (name, AM_LOCK_EVENT_NAME_REVOKE))
    return g_strdup (_("took a revoked code off its list"));
  if (g_str_equal (name, AM_LOCK_EVENT_NAME_TIME_SET))
    return g_strdup (_("had its clock set"));
  return g_strdup (name);
}

/**
 * am_cli_print_lock_events:
 * @store: the cache
 * @lock: a lock of it
 * @json: as one JSON array of the cloud API's LockEvent objects, rather
 *   than a table
 *
 * Prints the lock's log as the cache holds it, newest first, times in the
 * property's zone.
 */
void
am_cli_print_lock_events (AmStore *store,
                          AmLock  *lock,
                          gboolean json)
{
  static const char * const header[] = { N_("TIME"), N_("EVENT"), N_("SEQ"), NULL };
  g_autoptr(AmRecordList) list = am_record_list_new_lock_events (store, am_lock_get_id (lock));
  g_autoptr(AmProperty) property = NULL;
  g_autoptr(GTimeZone) zone = NULL;
  g_auto(Table) table = { 0 };
  guint n;

  if (json)
    {
      print_json (G_LIST_MODEL (list));
      return;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (list));
  if (n == 0)
    {
      printf ("%s\n", _("The cache holds nothing of this lock’s log yet."));
      return;
    }
  property = am_store_get_property (store, am_lock_get_property_id (lock));
  zone = am_cli_property_zone (property);
  table_init (&table, header);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AmLockEventRecord) event = g_list_model_get_item (G_LIST_MODEL (list), i);
      g_autofree char *at = am_cli_format_local (am_lock_event_record_get_at (event), zone);
      g_autofree char *what = describe_event (event);
      g_autofree char *seq = g_strdup_printf ("%u", am_lock_event_record_get_seq (event));

      table_add_row (&table, at, what, seq);
    }
  table_print (&table);
}

