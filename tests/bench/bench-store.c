/* bench-store.c: the local cache at portfolio scale against raw SQLite and FTS5
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * 100,000 properties, 200,000 locks and 2,000,000 passcodes (fewer with
 * --quick), generated. Prints one JSON line:
 *
 *  - ingest through am_store_apply_page() and, in the same loop, raw SQLite
 *    inserts of the same rows into the same tables (the ratio; target 0.5);
 *  - a cold open: the cache file evicted from the page cache, then the store
 *    opened and the first page of the property list read (target 50 ms);
 *  - search per keystroke over 200 queries typed a letter at a time,
 *    p50 and p99 (target p99 10 ms), beside FTS5 over the same texts;
 *  - peak RSS (target 200 MB).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "am-record-list.h"
#include "am-records-private.h"
#include "am-store-private.h"

#define T0 G_GINT64_CONSTANT (1741618800)
#define H0 483783

static const char *adjectives[] = {
  "Maple", "Oak", "Cedar", "Willow", "Harbor", "Summit", "Riverside", "Lakeview", "Parkside",
  "Granite", "Juniper", "Magnolia", "Aspen", "Birch", "Sierra", "Coral", "Meadow", "Canyon",
  "Aurora", "Solana", "Bella", "Vista", "Monarch", "Heritage", "Liberty", "Hudson", "Camden",
  "Avalon", "Beacon", "Crescent", "Stonebridge", "Foxhall", "Edifício", "Résidence", "Villa",
};
static const char *kinds[] = {
  "Lofts", "Apartments", "Villas", "Court", "Place", "Tower", "Commons", "Residences",
  "Flats", "Gardens", "Terrace", "Square", "Heights", "Row",
};
static const char *streets[] = {
  "Main", "Elm", "Congress", "Lamar", "Burnet", "Guadalupe", "Augusta", "Paulista", "Park",
  "Lake", "Hill", "Sunset", "Mission", "Market", "Broadway", "Colfax", "Peachtree", "Camino Real",
};
static const struct { const char *city; const char *zone; } cities[] = {
  { "Austin", "America/Chicago" }, { "Dallas", "America/Chicago" }, { "Houston", "America/Chicago" },
  { "Denver", "America/Denver" }, { "Phoenix", "America/Phoenix" }, { "Seattle", "America/Los_Angeles" },
  { "Portland", "America/Los_Angeles" }, { "Atlanta", "America/New_York" }, { "Boston", "America/New_York" },
  { "Miami", "America/New_York" }, { "São Paulo", "America/Sao_Paulo" }, { "Bogotá", "America/Bogota" },
  { "Montréal", "America/Toronto" }, { "St. John's", "America/St_Johns" }, { "München", "Europe/Berlin" },
  { "Köln", "Europe/Berlin" }, { "Zürich", "Europe/Zurich" }, { "Kolkata", "Asia/Kolkata" },
  { "Kathmandu", "Asia/Kathmandu" }, { "Adelaide", "Australia/Adelaide" },
};
static const char *lock_names[] = {
  "Front Door", "Back Door", "Garage", "Pool Gate", "Leasing Office", "Gym", "Mail Room", "Roof",
};

typedef struct
{
  guint n_properties;
  guint locks_per_property;
  guint passcodes_per_lock;
  guint page_size;
} Scale;

typedef struct
{
  sqlite3      *db;
  sqlite3_stmt *property;
  sqlite3_stmt *lock;
  sqlite3_stmt *passcode;
} Raw;

static double
seconds (void)
{
  return (double) g_get_monotonic_time () / G_USEC_PER_SEC;
}

static long
peak_rss_kb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static void
check (int         rc,
       sqlite3    *db,
       const char *what)
{
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    g_error ("%s: %s", what, sqlite3_errmsg (db));
}

/* The store's own tables and indexes, written with plain prepared INSERTs. */
static void
raw_open (Raw        *raw,
          const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmStore) schema = am_store_open (path, &error);

  g_assert_no_error (error);
  g_clear_object (&schema);

  check (sqlite3_open (path, &raw->db), raw->db, "open");
  check (sqlite3_exec (raw->db,
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
    NULL, NULL, NULL), raw->db, "pragmas");
  check (sqlite3_prepare_v2 (raw->db,
    "INSERT INTO properties (id, name, address, city, region, postal_code, timezone, updated_at, sort_key)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?2)", -1, &raw->property, NULL), raw->db, "prepare");
  check (sqlite3_prepare_v2 (raw->db,
    "INSERT INTO locks (id, property, name, unit, model, digits, q_offset_s, kv, mode, battery,"
    " battery_at, updated_at, sort_key)"
    " VALUES (?, (SELECT pk FROM properties WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?3)",
    -1, &raw->lock, NULL), raw->db, "prepare");
  check (sqlite3_prepare_v2 (raw->db,
    "INSERT INTO passcodes (id, lock, kind, kv, start_h, p, digits, starts_at, ends_at, use_by,"
    " recipient_name, recipient_contact, purpose, note, source, created_by_id, created_by_name,"
    " created_at, use_count) VALUES (?, (SELECT pk FROM locks WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?,"
    " ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &raw->passcode, NULL), raw->db, "prepare");
}

static void
raw_close (Raw *raw)
{
  sqlite3_finalize (raw->property);
  sqlite3_finalize (raw->lock);
  sqlite3_finalize (raw->passcode);
  sqlite3_close (raw->db);
}

static void
raw_step (Raw          *raw,
          sqlite3_stmt *stmt)
{
  check (sqlite3_step (stmt), raw->db, "insert");
  sqlite3_reset (stmt);
}

static void
raw_insert_page (Raw        *raw,
                 AmSyncPage *page)
{
  sqlite3_exec (raw->db, "BEGIN", NULL, NULL, NULL);
  for (guint i = 0; i < page->properties->len; i++)
    {
      AmProperty *p = g_ptr_array_index (page->properties, i);
      sqlite3_stmt *s = raw->property;

      sqlite3_bind_text (s, 1, p->id, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 2, p->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 3, p->address, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 4, p->city, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 5, p->region, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 6, p->postal_code, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 7, p->timezone, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (s, 8, p->updated_at);
      raw_step (raw, s);
    }
  for (guint i = 0; i < page->locks->len; i++)
    {
      AmLock *l = g_ptr_array_index (page->locks, i);
      sqlite3_stmt *s = raw->lock;

      sqlite3_bind_text (s, 1, l->id, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 2, l->property_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 3, l->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 4, l->unit, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 5, l->model, -1, SQLITE_STATIC);
      sqlite3_bind_int (s, 6, (int) l->digits);
      sqlite3_bind_int (s, 7, (int) l->q_offset_s);
      sqlite3_bind_int (s, 8, (int) l->kv);
      sqlite3_bind_text (s, 9, l->mode, -1, SQLITE_STATIC);
      sqlite3_bind_int (s, 10, l->battery);
      sqlite3_bind_int64 (s, 11, l->battery_at);
      sqlite3_bind_int64 (s, 12, l->updated_at);
      raw_step (raw, s);
    }
  for (guint i = 0; i < page->passcodes->len; i++)
    {
      AmPasscodeRecord *c = g_ptr_array_index (page->passcodes, i);
      sqlite3_stmt *s = raw->passcode;

      sqlite3_bind_text (s, 1, c->id, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 2, c->lock_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 3, am_passcode_kind_to_string (c->kind), -1, SQLITE_STATIC);
      sqlite3_bind_int (s, 4, (int) c->kv);
      sqlite3_bind_int64 (s, 5, c->start_h);
      sqlite3_bind_int (s, 6, (int) c->p);
      sqlite3_bind_int (s, 7, (int) c->digits);
      sqlite3_bind_int64 (s, 8, c->starts_at);
      sqlite3_bind_int64 (s, 9, c->ends_at);
      sqlite3_bind_int64 (s, 10, c->use_by);
      sqlite3_bind_text (s, 11, c->recipient_name, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 12, c->recipient_contact, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 13, c->purpose, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 14, c->note, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 15, c->source, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 16, c->created_by_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 17, c->created_by_name, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (s, 18, c->created_at);
      sqlite3_bind_int (s, 19, (int) c->use_count);
      raw_step (raw, s);
    }
  check (sqlite3_exec (raw->db, "COMMIT", NULL, NULL, NULL), raw->db, "commit");
}

static AmProperty *
make_property (GRand *rand,
               guint  i)
{
  AmProperty *p = am_property_new_empty ();
  guint c = g_rand_int_range (rand, 0, G_N_ELEMENTS (cities));

  p->id = g_uuid_string_random ();
  p->name = g_strdup_printf ("%s %s %s", adjectives[g_rand_int_range (rand, 0, G_N_ELEMENTS (adjectives))],
                             streets[g_rand_int_range (rand, 0, G_N_ELEMENTS (streets))],
                             kinds[g_rand_int_range (rand, 0, G_N_ELEMENTS (kinds))]);
  p->address = g_strdup_printf ("%u %s %s", g_rand_int_range (rand, 1, 9999),
                                streets[g_rand_int_range (rand, 0, G_N_ELEMENTS (streets))],
                                i % 3 ? "Street" : "Avenue");
  p->city = g_strdup (cities[c].city);
  p->region = g_strdup ("TX");
  p->postal_code = g_strdup_printf ("%05u", g_rand_int_range (rand, 10000, 99999));
  p->timezone = g_strdup (cities[c].zone);
  p->updated_at = T0;
  return p;
}

static AmLock *
make_lock (GRand      *rand,
           AmProperty *property,
           guint       i)
{
  AmLock *l = am_lock_new_empty ();

  l->id = g_uuid_string_random ();
  l->property_id = g_strdup (property->id);
  l->name = g_strdup (lock_names[i % G_N_ELEMENTS (lock_names)]);
  l->unit = i % 2 ? g_strdup_printf ("%u", g_rand_int_range (rand, 100, 4999)) : NULL;
  l->model = g_strdup ("AM1 Deadbolt");
  l->digits = 10;
  l->kv = 1;
  l->mode = g_strdup ("tour");
  l->battery = g_rand_int_range (rand, 5, 100);
  l->battery_at = T0;
  l->updated_at = T0;
  return l;
}

static AmPasscodeRecord *
make_passcode (GRand  *rand,
               AmLock *lock,
               guint   i)
{
  AmPasscodeRecord *c = am_passcode_record_new_empty ();
  guint32 start_h = H0 + (guint32) g_rand_int_range (rand, 0, 8760);
  guint p = (guint) g_rand_int_range (rand, 0, 48);

  c->id = g_uuid_string_random ();
  c->lock_id = g_strdup (lock->id);
  c->kind = AM_PASSCODE_KIND_TIMED;
  c->kv = 1;
  c->start_h = start_h;
  c->p = p;
  c->digits = 10;
  c->starts_at = (gint64) start_h * 3600;
  c->ends_at = c->starts_at + 3600 * (gint64) (p + 1);
  c->use_by = c->starts_at + 86400;
  c->recipient_name = g_strdup ("Dana Vendor");
  c->recipient_contact = g_strdup ("+1 512 555 0100");
  c->purpose = g_strdup ("vendor");
  c->source = g_strdup ("manual");
  c->created_by_id = g_strdup ("7d0f3c58-2b5e-4a8e-9a3d-2f6b1c9e8a01");
  c->created_by_name = g_strdup ("Lee Agent");
  c->created_at = c->starts_at - 3600 - i;
  c->use_count = i % 3;
  return c;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *values,
            double  fraction)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, (guint) (fraction * (values->len - 1) + 0.5));
}

/* Queries as people type them: every prefix of words they look for. */
static GPtrArray *
typed_queries (void)
{
  static const char *targets[] = {
    "maple", "sao paulo", "kolkata", "riverside lofts", "edificio", "munchen",
    "zurich", "front", "garage", "congress", "1200", "paulista", "harbor tower",
    "bogota", "aspen", "montreal", "camino", "pool", "adelaide", "42",
    "willow gardens", "st johns", "heritage square", "magnolia", "leasing office", "gym",
  };
  GPtrArray *queries = g_ptr_array_new_with_free_func (g_free);

  for (guint t = 0; t < G_N_ELEMENTS (targets); t++)
    for (gsize n = 1; n <= strlen (targets[t]); n++)
      g_ptr_array_add (queries, g_strndup (targets[t], n));
  g_assert_cmpuint (queries->len, >=, 200);
  g_ptr_array_set_size (queries, 200);
  return queries;
}

/* FTS5 over the same texts, as the baseline a search index must beat. */
static void
fts_search (const char *path,
            GPtrArray  *queries,
            GArray     *latencies)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  check (sqlite3_open (path, &db), db, "open");
  check (sqlite3_exec (db,
    "CREATE VIRTUAL TABLE temp.fts USING fts5 (text, tokenize = 'unicode61 remove_diacritics 2',"
    "  prefix = '1 2 3', detail = none);"
    "INSERT INTO temp.fts (rowid, text) SELECT pk, search_text FROM properties;",
    NULL, NULL, NULL), db, "fts");
  check (sqlite3_prepare_v2 (db, "SELECT rowid FROM temp.fts WHERE fts MATCH ?1", -1, &stmt, NULL), db, "prepare");

  for (guint q = 0; q < queries->len; q++)
    {
      g_auto(GStrv) words = g_strsplit (g_ptr_array_index (queries, q), " ", -1);
      g_autoptr(GString) match = g_string_new (NULL);
      double start;
      guint n = 0;

      for (guint w = 0; words[w] != NULL; w++)
        if (*words[w] != '\0')
          g_string_append_printf (match, "%s\"%s\"*", match->len ? " " : "", words[w]);

      start = seconds ();
      sqlite3_bind_text (stmt, 1, match->str, -1, SQLITE_STATIC);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        n += sqlite3_column_int (stmt, 0) > 0;
      sqlite3_reset (stmt);
      g_array_append_val (latencies, (double) { (seconds () - start) * 1000 });
      (void) n;
    }

  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

int
main (int    argc,
      char **argv)
{
  gboolean quick = argc > 1 && g_str_equal (argv[1], "--quick");
  Scale scale = quick ? (Scale) { 5000, 2, 10, 2500 } : (Scale) { 100000, 2, 10, 5000 };
  g_autofree char *dir = g_dir_make_tmp ("am-bench-store-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "cache.sqlite", NULL);
  g_autofree char *raw_path = g_build_filename (dir, "raw.sqlite", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261125);
  g_autoptr(GArray) search_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) fts_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GPtrArray) queries = typed_queries ();
  g_autoptr(GError) error = NULL;
  double store_s = 0, raw_s = 0, open_ms, warm_open_ms, index_ms;
  guint64 rows = 0;
  long rss_start = peak_rss_kb (), rss_after_ingest;
  Raw raw;

  /* Ingest, a page at a time: the store and raw SQLite take the same page
   * in turn, so that the machine's noise falls on both. */
  {
    g_autoptr(AmStore) store = am_store_open (path, &error);
    guint made = 0;

    g_assert_no_error (error);
    raw_open (&raw, raw_path);

    while (made < scale.n_properties)
      {
        g_autoptr(AmSyncPage) page = am_sync_page_new ();
        guint n = MIN (scale.page_size, scale.n_properties - made);
        double t;

        /* Each page: properties, their locks, then the locks' passcodes,
         * in pages of about page_size records each. */
        for (guint i = 0; i < n; i++)
          g_ptr_array_add (page->properties, make_property (rand, made + i));
        for (guint i = 0; i < n * scale.locks_per_property; i++)
          g_ptr_array_add (page->locks, make_lock (rand, g_ptr_array_index (page->properties, i / scale.locks_per_property), i));
        made += n;

        t = seconds ();
        am_store_apply_page (store, page, &error);
        store_s += seconds () - t;
        g_assert_no_error (error);
        t = seconds ();
        raw_insert_page (&raw, page);
        raw_s += seconds () - t;
        rows += page->properties->len + page->locks->len;

        for (guint l = 0; l < page->locks->len; l += scale.page_size / scale.passcodes_per_lock)
          {
            g_autoptr(AmSyncPage) codes = am_sync_page_new ();

            for (guint k = l; k < MIN (page->locks->len, l + scale.page_size / scale.passcodes_per_lock); k++)
              for (guint c = 0; c < scale.passcodes_per_lock; c++)
                g_ptr_array_add (codes->passcodes, make_passcode (rand, g_ptr_array_index (page->locks, k), c));

            t = seconds ();
            am_store_apply_page (store, codes, &error);
            store_s += seconds () - t;
            g_assert_no_error (error);
            t = seconds ();
            raw_insert_page (&raw, codes);
            raw_s += seconds () - t;
            rows += codes->passcodes->len;
          }
      }
    raw_close (&raw);
  }
  rss_after_ingest = peak_rss_kb ();

  /* Cold open: the file's pages dropped from the kernel's cache first. */
  {
    int fd = g_open (path, O_RDONLY, 0);
    g_autoptr(AmStore) store = NULL;
    g_autoptr(AmRecordList) properties = NULL;
    double t;

    fdatasync (fd);
    posix_fadvise (fd, 0, 0, POSIX_FADV_DONTNEED);
    close (fd);

    t = seconds ();
    store = am_store_open (path, &error);
    g_assert_no_error (error);
    properties = am_record_list_new_properties (store);
    for (guint i = 0; i < 50; i++)
      g_object_unref (g_list_model_get_item (G_LIST_MODEL (properties), i));
    open_ms = (seconds () - t) * 1000;
  }
  {
    g_autoptr(AmStore) store = NULL;
    g_autoptr(AmRecordList) properties = NULL;
    double t = seconds ();

    store = am_store_open (path, &error);
    g_assert_no_error (error);
    properties = am_record_list_new_properties (store);
    for (guint i = 0; i < 50; i++)
      g_object_unref (g_list_model_get_item (G_LIST_MODEL (properties), i));
    warm_open_ms = (seconds () - t) * 1000;

    /* Search as you type; the list started building the index in the
     * background, and the first search waits for what is left of that. */
    t = seconds ();
    g_clear_pointer (&store, g_object_unref);
    store = am_store_open (path, &error);
    g_clear_object (&properties);
    properties = am_record_list_new_properties (store);
    t = seconds ();
    g_autoptr(AmDocSet) warm = am_store_search (store, "x");
    index_ms = (seconds () - t) * 1000;

    for (guint q = 0; q < queries->len; q++)
      {
        double start = seconds ();

        am_record_list_set_search (properties, g_ptr_array_index (queries, q));
        /* What the view reads of the first screen. */
        for (guint i = 0; i < MIN (20, g_list_model_get_n_items (G_LIST_MODEL (properties))); i++)
          g_object_unref (g_list_model_get_item (G_LIST_MODEL (properties), i));
        g_array_append_val (search_ms, (double) { (seconds () - start) * 1000 });
        if (q + 1 < queries->len && strlen (g_ptr_array_index (queries, q + 1)) == 1)
          am_record_list_set_search (properties, NULL);  /* a new word: the field cleared */
      }
  }
  fts_search (path, queries, fts_ms);

  printf ("{\"benchmark\":\"store\",\"properties\":%u,\"locks\":%u,\"passcodes\":%u,"
          "\"ingest_rows\":%" G_GUINT64_FORMAT ","
          "\"ingest_store_rows_per_s\":%.0f,\"ingest_raw_sqlite_rows_per_s\":%.0f,"
          "\"ingest_ratio\":%.3f,"
          "\"cold_open_first_page_ms\":%.1f,\"warm_open_first_page_ms\":%.1f,"
          "\"search_index_ready_ms\":%.1f,"
          "\"search_queries\":%u,\"search_p50_ms\":%.3f,\"search_p99_ms\":%.3f,"
          "\"fts5_p50_ms\":%.3f,\"fts5_p99_ms\":%.3f,"
          "\"rss_start_mb\":%.1f,\"rss_after_ingest_mb\":%.1f,\"peak_rss_mb\":%.1f}\n",
          scale.n_properties, scale.n_properties * scale.locks_per_property,
          scale.n_properties * scale.locks_per_property * scale.passcodes_per_lock,
          rows, rows / store_s, rows / raw_s, raw_s / store_s,
          open_ms, warm_open_ms, index_ms,
          queries->len, percentile (search_ms, 0.5), percentile (search_ms, 0.99),
          percentile (fts_ms, 0.5), percentile (fts_ms, 0.99),
          rss_start / 1024.0, rss_after_ingest / 1024.0, peak_rss_kb () / 1024.0);

  if (g_getenv ("AM_BENCH_KEEP") != NULL)
    fprintf (stderr, "Kept %s\n", path);
  else
  {
    const char *files[] = { "cache.sqlite", "cache.sqlite-wal", "cache.sqlite-shm",
                            "raw.sqlite", "raw.sqlite-wal", "raw.sqlite-shm" };
    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      {
        g_autofree char *file = g_build_filename (dir, files[i], NULL);
        g_unlink (file);
      }
    g_rmdir (dir);
  }
  return 0;
}
