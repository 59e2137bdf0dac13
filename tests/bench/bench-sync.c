/* bench-sync.c: syncing with the reference cloud on loopback
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * - An initial sync of 10,000 properties, 20,000 locks and 200,000
 *   passcodes (--quick: a tenth), against inserting as many rows into a
 *   bare SQLite table in one transaction, in the same run.
 * - An incremental sync of 10 changes with 10,000 and with 100,000
 *   properties in the cache (--quick: 1,000 and 10,000): its cost should
 *   follow the changes, not the cache (the ratio of the two, at most 2).
 * - GET /v1/me from 2 concurrent clients, against a bare SoupServer
 *   answering the same number of requests with a fixed body.
 *
 * The server runs in a thread of its own, with its own main context; the
 * client is this program's main thread. Prints one JSON line.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "am-cloud-client.h"
#include "am-server-seed.h"
#include "am-server.h"
#include "am-store-private.h"
#include "am-sync.h"
#include "am-test-async.h"
#include "am-vault.h"

#define EMAIL    "bench@example.com"
#define PASSWORD "bench-password-1"

typedef struct
{
  guint properties;
  guint locks;
  guint passcodes;
  guint big_properties;
  guint me_requests;      /* per client, for a user with 10 grants */
  guint me_all_requests;  /* per client, for the user who sees everything */
} Scale;

/* A server in its own thread. */
typedef struct
{
  char         *db_path;
  GBytes       *bare_body;      /* a bare SoupServer answering this, for the baseline */
  GMainLoop    *loop;
  GThread      *thread;
  char         *url;
  GMutex        lock;
  GCond         ready;
} ServerThread;

/* The same answer as the reference server's, kept ready. */
static void
on_bare_me_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  GBytes *body = user_data;

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static gpointer
server_thread_main (gpointer data)
{
  ServerThread *st = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(AmServerDb) db = NULL;
  g_autoptr(AmServer) server = NULL;
  g_autoptr(SoupServer) bare = NULL;
  g_autoptr(GError) error = NULL;
  char *url;

  g_main_context_push_thread_default (context);
  if (st->bare_body != NULL)
    {
      g_autoslist(GUri) uris = NULL;

      bare = soup_server_new (NULL, NULL);
      soup_server_add_handler (bare, "/v1/me", on_bare_me_cb, st->bare_body, NULL);
      if (!soup_server_listen_local (bare, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
        g_error ("%s", error->message);
      uris = soup_server_get_uris (bare);
      url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
    }
  else
    {
      db = am_server_db_open (st->db_path, &error);
      if (db == NULL)
        g_error ("%s", error->message);
      server = am_server_new (db);
      am_server_set_quiet (server, TRUE);
      if (!am_server_listen (server, "127.0.0.1", 0, NULL, &error))
        g_error ("%s", error->message);
      url = am_server_get_url (server);
    }
  st->loop = g_main_loop_new (context, FALSE);

  g_mutex_lock (&st->lock);
  st->url = url;
  g_cond_signal (&st->ready);
  g_mutex_unlock (&st->lock);

  g_main_loop_run (st->loop);
  g_main_context_pop_thread_default (context);
  return NULL;
}

static ServerThread *
server_thread_start (const char *db_path,
                     GBytes     *bare_body)
{
  ServerThread *st = g_new0 (ServerThread, 1);

  st->db_path = g_strdup (db_path);
  st->bare_body = bare_body != NULL ? g_bytes_ref (bare_body) : NULL;
  g_mutex_init (&st->lock);
  g_cond_init (&st->ready);
  st->thread = g_thread_new ("server", server_thread_main, st);
  g_mutex_lock (&st->lock);
  while (st->url == NULL)
    g_cond_wait (&st->ready, &st->lock);
  g_mutex_unlock (&st->lock);
  return st;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
server_thread_stop (ServerThread *st)
{
  g_main_context_invoke (g_main_loop_get_context (st->loop), quit_cb, st->loop);
  g_thread_join (st->thread);
  g_main_loop_unref (st->loop);
  g_free (st->url);
  g_free (st->db_path);
  g_clear_pointer (&st->bare_body, g_bytes_unref);
  g_mutex_clear (&st->lock);
  g_cond_clear (&st->ready);
  g_free (st);
}

/* The client side */

typedef struct
{
  AmStore       *store;
  AmCloudClient *client;
  AmSync        *sync;
} Client;

static void
client_open (Client     *c,
             const char *path,
             const char *url,
             AmVault    *vault)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmCloudSession) session = NULL;
  g_autoptr(GError) error = NULL;

  c->store = am_store_open (path, &error);
  c->client = am_cloud_client_new (url, &error);
  g_assert_no_error (error);
  am_cloud_client_set_timeout (c->client, 120);
  am_cloud_client_sign_in_async (c->client, EMAIL, PASSWORD, "bench", NULL, am_test_on_done_cb, &result);
  session = am_cloud_client_sign_in_finish (c->client, am_test_wait_for (&result), &error);
  g_assert_no_error (error);
  c->sync = am_sync_new (c->store, c->client, vault);
  am_sync_set_fetch_keys (c->sync, FALSE);
  am_sync_set_page_limit (c->sync, 5000);
}

static void
client_close (Client *c)
{
  g_clear_object (&c->sync);
  g_clear_object (&c->client);
  g_clear_object (&c->store);
}

/* Seconds for one run of sync. */
static double
timed_sync (Client *c)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  am_sync_run_async (c->sync, NULL, am_test_on_done_cb, &result);
  if (!am_sync_run_finish (c->sync, am_test_wait_for (&result), &error))
    g_error ("sync failed: %s", error->message);
  return (g_get_monotonic_time () - start) / 1e6;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* The median time of 5 incremental syncs of 10 changes each: batteries of
 * 10 locks the cache holds, changed through a second connection to the
 * server's database. */
static double
incremental_ms (Client     *c,
                const char *db_path)
{
  g_autoptr(AmServerDb) db = NULL;
  g_autoptr(GArray) ids = am_store_load_ids (c->store, AM_STORE_LIST_LOCKS, NULL, 10);
  g_autoptr(GError) error = NULL;
  double times[5];

  db = am_server_db_open (db_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 10);
  for (guint round = 0; round < G_N_ELEMENTS (times); round++)
    {
      for (guint i = 0; i < ids->len; i++)
        {
          g_autoptr(GObject) lock = am_store_load_record (c->store, AM_STORE_LIST_LOCKS,
                                                          g_array_index (ids, guint32, i));

          if (!am_server_db_set_lock_battery (db, am_lock_get_id (AM_LOCK (lock)), (gint) (round * 10 + i) % 100,
                                              g_get_real_time () / G_USEC_PER_SEC, &error))
            g_error ("%s", error->message);
        }
      times[round] = timed_sync (c);
      g_assert_cmpuint (am_sync_get_records (c->sync), ==, 10);
    }
  qsort (times, G_N_ELEMENTS (times), sizeof times[0], compare_doubles);
  return times[G_N_ELEMENTS (times) / 2] * 1000;
}

static char *
seed_server (const char *dir,
             const char *name,
             guint       properties,
             guint       locks,
             guint       passcodes,
             double     *seconds)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(AmServerDb) db = am_server_db_open (path, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *user = am_server_db_add_user (db, EMAIL, "Bench User", PASSWORD, &error);
  gint64 start = g_get_monotonic_time ();

  g_assert_no_error (error);
  if (!am_server_seed_bulk (db, user, properties, locks, passcodes, &error))
    g_error ("%s", error->message);
  *seconds = (g_get_monotonic_time () - start) / 1e6;
  return path;
}

/* Inserting @n rows of about a record's size into a bare table. */
static double
raw_sqlite_insert_s (const char *dir,
                     guint       n)
{
  g_autofree char *path = g_build_filename (dir, "raw.sqlite", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 start;
  char body[300];

  memset (body, 'x', sizeof body - 1);
  body[sizeof body - 1] = '\0';
  sqlite3_open (path, &db);
  sqlite3_exec (db, "PRAGMA journal_mode = WAL; CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT)", NULL, NULL, NULL);
  start = g_get_monotonic_time ();
  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO t VALUES (?1, ?2)", -1, &stmt, NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_uuid_string_random ();

      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, body, -1, SQLITE_STATIC);
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  sqlite3_close (db);
  return (g_get_monotonic_time () - start) / 1e6;
}

/* GET /v1/me, from two clients at once */

typedef struct
{
  const char *url;
  const char *token;
  guint       requests;
} MeLoad;

static gpointer
me_client_main (gpointer data)
{
  MeLoad *load = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(SoupSession) session = NULL;
  g_autofree char *uri = g_strconcat (load->url, "/v1/me", NULL);
  g_autofree char *authorization = g_strconcat ("Bearer ", load->token, NULL);

  g_main_context_push_thread_default (context);
  session = soup_session_new ();
  for (guint i = 0; i < load->requests; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GError) error = NULL;

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", authorization);
      body = soup_session_send_and_read (session, msg, NULL, &error);
      if (body == NULL || soup_message_get_status (msg) != 200)
        g_error ("GET /v1/me: %s %u", error != NULL ? error->message : "", soup_message_get_status (msg));
    }
  g_main_context_pop_thread_default (context);
  return NULL;
}

static GBytes *
get_me (const char *url,
        const char *token)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strconcat (url, "/v1/me", NULL);
  g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr(GError) error = NULL;
  GBytes *body;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", authorization);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  return body;
}

/* The token of a user with grants on 10 properties, as an agent has. */
static char *
typical_token (AmServerDb *db,
               AmStore    *store)
{
  static const char * const permissions[] = { "generate_codes", "view_activity", NULL };
  g_autoptr(GArray) ids = am_store_load_ids (store, AM_STORE_LIST_PROPERTIES, NULL, 10);
  g_autoptr(GError) error = NULL;
  g_autofree char *user = am_server_db_add_user (db, "agent@example.com", "Agent", PASSWORD, &error);
  g_autoptr(AmCloudSession) session = NULL;
  guint retry_after = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(GObject) property = am_store_load_record (store, AM_STORE_LIST_PROPERTIES,
                                                          g_array_index (ids, guint32, i));

      if (!am_server_db_set_grant (db, user, am_property_get_id (AM_PROPERTY (property)), permissions, &error))
        g_error ("%s", error->message);
    }
  session = am_server_db_sign_in (db, "agent@example.com", PASSWORD, "bench",
                                  g_get_real_time () / G_USEC_PER_SEC, &retry_after, &error);
  g_assert_no_error (error);
  return g_strdup (session->token);
}

static double
me_per_s (const char *url,
          const char *token,
          guint       requests)
{
  MeLoad load = { url, token, requests };
  gint64 start = g_get_monotonic_time ();
  GThread *a = g_thread_new ("client-a", me_client_main, &load);
  GThread *b = g_thread_new ("client-b", me_client_main, &load);

  g_thread_join (a);
  g_thread_join (b);
  return 2.0 * requests / ((g_get_monotonic_time () - start) / 1e6);
}

int
main (int    argc,
      char **argv)
{
  gboolean quick = argc > 1 && g_str_equal (argv[1], "--quick");
  Scale scale = quick ? (Scale) { 1000, 2000, 20000, 10000, 300, 30 }
                      : (Scale) { 10000, 20000, 200000, 100000, 3000, 100 };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-sync-XXXXXX", &error);
  g_autoptr(AmVault) vault = am_vault_new ();
  g_autofree char *db_path = NULL;
  g_autofree char *big_db_path = NULL;
  g_autofree char *cache = g_build_filename (dir, "cache.sqlite", NULL);
  g_autofree char *big_cache = g_build_filename (dir, "big-cache.sqlite", NULL);
  ServerThread *st;
  Client c = { NULL }, big = { NULL };
  double typical_me, seed_s, big_seed_s, initial_s, big_initial_s, raw_s, inc_ms, big_inc_ms, me, bare_me;
  guint records;
  gsize me_bytes = 0;

  g_assert_no_error (error);
  db_path = seed_server (dir, "cloud.sqlite", scale.properties, scale.locks, scale.passcodes, &seed_s);

  /* Initial sync. */
  st = server_thread_start (db_path, NULL);
  client_open (&c, cache, st->url, vault);
  initial_s = timed_sync (&c);
  records = am_sync_get_records (c.sync);
  raw_s = raw_sqlite_insert_s (dir, records);
  inc_ms = incremental_ms (&c, db_path);

  /* GET /v1/me, against a bare SoupServer. */
  {
    g_autoptr(AmServerDb) db = am_server_db_open (db_path, &error);
    guint retry_after = 0;
    g_autoptr(AmCloudSession) session = am_server_db_sign_in (db, EMAIL, PASSWORD, "bench",
                                                              g_get_real_time () / G_USEC_PER_SEC,
                                                              &retry_after, &error);
    g_autoptr(GBytes) body = NULL;
    g_autofree char *typical = NULL;
    ServerThread *bare;

    g_assert_no_error (error);
    typical = typical_token (db, c.store);
    typical_me = me_per_s (st->url, typical, scale.me_requests);
    me = me_per_s (st->url, session->token, scale.me_all_requests);
    body = get_me (st->url, session->token);
    me_bytes = g_bytes_get_size (body);
    bare = server_thread_start (NULL, body);
    bare_me = me_per_s (bare->url, session->token, scale.me_all_requests);
    server_thread_stop (bare);
  }
  client_close (&c);
  server_thread_stop (st);

  /* Incremental sync with a cache ten times as large. */
  big_db_path = seed_server (dir, "big-cloud.sqlite", scale.big_properties, scale.big_properties, 0, &big_seed_s);
  st = server_thread_start (big_db_path, NULL);
  client_open (&big, big_cache, st->url, vault);
  big_initial_s = timed_sync (&big);
  g_assert_cmpint (am_store_count_ids (big.store, AM_STORE_LIST_PROPERTIES, NULL), ==, scale.big_properties);
  big_inc_ms = incremental_ms (&big, big_db_path);
  client_close (&big);
  server_thread_stop (st);

  printf ("{\"benchmark\":\"sync\",\"properties\":%u,\"locks\":%u,\"passcodes\":%u,\"records\":%u,"
          "\"server_seed_s\":%.2f,\"initial_sync_s\":%.2f,\"initial_records_per_s\":%.0f,"
          "\"raw_sqlite_insert_records_per_s\":%.0f,\"initial_vs_raw_insert\":%.1f,"
          "\"incremental_10_changes_ms\":%.1f,\"big_properties\":%u,\"big_initial_sync_s\":%.2f,"
          "\"incremental_10_changes_big_ms\":%.1f,\"incremental_big_vs_small\":%.2f,"
          "\"me_10_grants_2_clients_per_s\":%.0f,\"me_all_grants_body_bytes\":%" G_GSIZE_FORMAT ",\"me_all_grants_2_clients_per_s\":%.0f,\"bare_soup_same_body_2_clients_per_s\":%.0f,\"me_all_grants_vs_bare\":%.2f}\n",
          scale.properties, scale.locks, scale.passcodes, records,
          seed_s, initial_s, records / initial_s, records / raw_s, initial_s / raw_s,
          inc_ms, scale.big_properties, big_initial_s, big_inc_ms, big_inc_ms / inc_ms,
          typical_me, me_bytes, me, bare_me, me / bare_me);

  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);
    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  return 0;
}
