/* test-bad-input.c: odd text goes through unchanged; a lying cloud changes nothing
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Round trip: property names, addresses, lock names, recipients and notes
 * with every kind of Unicode (right to left, combining marks, emoji ZWJ
 * sequences, control characters without NUL, 4-byte characters), 10,000
 * characters long, or with SQL and markup in them, go from the server's
 * database through a sync into the cache and out of the CLI unchanged;
 * a note typed into the CLI goes to the server's database unchanged. The
 * real programs: access-manager-server and access-manager-cli.
 *
 * A cloud that lies: an in-process SoupServer answers the sync with wrong
 * JSON types, missing members, huge arrays, a page sent again, a cursor
 * gone back. The sync ends with a sentence; the cache passes
 * integrity_check and keeps what it had.
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "am-cloud-client.h"
#include "am-cloud-json.h"
#include "am-error.h"
#include "am-passcode.h"
#include "am-record-list.h"
#include "am-server-db.h"
#include "am-store-private.h"
#include "am-sync.h"
#include "am-test-async.h"
#include "am-test-cli.h"
#include "am-test-records.h"
#include "am-test-server.h"
#include "am-time.h"
#include "am-vault.h"

static const char * const agent_permissions[] = {
  "generate_codes", "ble_unlock", "view_activity", "revoke_codes", NULL
};

typedef struct
{
  const char *kind;
  const char *text;
} OddText;

static const OddText odd_texts[] = {
  { "right-to-left", "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 \xe2\x80\x8f" "12\xe2\x80\x8e \xe2\x80\xae" "evil\xe2\x80\xac Tower" },
  { "combining-marks", "Cafe\xcc\x81 Zo\xcc\x88" "e n\xcc\x83 Z\xcd\x91\xcd\x97\xcc\xbd\xcc\x8al\xcd\x90\xcd\x98" "g\xcd\x8c" "o" },
  { "emoji-zwj", "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7\xe2\x80\x8d\xf0\x9f\x91\xa6 \xf0\x9f\x8f\xb3\xef\xb8\x8f\xe2\x80\x8d\xf0\x9f\x8c\x88 \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd" },
  { "control-characters", "tab\there\nnew line\rreturn\x01\x02\x1b[31mred\x1b[0m\x7f\xc2\x85" "end" },
  { "four-byte", "\xf0\x9d\x94\x98\xf0\x9d\x94\xab\xf0\x9d\x94\xa6 \xf0\xa0\x9c\x8e \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbd" },
  { "sql", "O'Brien's \"Place\"; '; DROP TABLE properties; -- %_\\ ' OR '1'='1" },
  { "markup", "<b>bold</b> &amp; <i>x</i> <span foreground=\"red\">&lt;</span> &#x41; <a href=\"x\">" },
  { "long", NULL },   /* 10,000 characters, made at run time */
};

static char *
odd_text (guint i)
{
  if (odd_texts[i].text != NULL)
    return g_strdup (odd_texts[i].text);
  {
    GString *text = g_string_new (NULL);

    /* 10,000 characters of 1 to 4 bytes: "aé€😀" repeated. */
    for (guint c = 0; c < 2500; c++)
      g_string_append (text, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    g_assert_cmpint (g_utf8_strlen (text->str, -1), ==, 10000);
    return g_string_free (text, FALSE);
  }
}

/* Round trip through the real programs */

typedef struct
{
  char         *dir;
  char         *data_home;
  AmTestServer  server;
  GPtrArray    *texts;          /* the odd texts, by index */
  GPtrArray    *properties;     /* their properties' ids */
  GPtrArray    *locks;          /* their locks' ids */
} Trip;

static void
cli_ok (Trip               *t,
        const char         *input,
        const char * const *args,
        char              **out)
{
  g_auto(AmTestRun) run = { 0 };

  am_test_run_cli (&run, input, t->data_home, args);
  if (run.status != 0)
    g_error ("access-manager-cli %s failed: %s", args[0], run.err);
  if (out != NULL)
    *out = g_steal_pointer (&run.out);
}

static JsonNode *
cli_json (Trip               *t,
          const char * const *args)
{
  g_autofree char *out = NULL;
  JsonNode *root;

  cli_ok (t, NULL, args, &out);
  root = json_from_string (out, NULL);
  g_assert_nonnull (root);
  return root;
}

static void
assert_same_text (const char *what,
                  const char *kind,
                  const char *expected,
                  const char *got)
{
  if (g_strcmp0 (expected, got) != 0)
    g_error ("The %s text came back changed as %s: “%s”", kind, what, got != NULL ? got : "(none)");
}

static JsonObject *
find_by_id (JsonArray  *array,
            const char *id)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (object, "id", NULL), id) == 0)
        return object;
    }
  g_error ("%s is not in the CLI's output", id);
}

static char *
server_text (Trip       *t,
             const char *sql,
             const char *id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_open_v2 (t->server.db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return text;
}

static void
assert_intact (const char *path,
               const char *table)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  /* The table an injected DROP would have taken. */
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), >, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static char *
iso_in_hours (int hours)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_hours (now, hours);

  return g_date_time_format (then, "%Y-%m-%dT%H:00:00Z");
}

static void
test_round_trip (void)
{
  Trip trip = { NULL }, *t = &trip;
  g_autoptr(AmServerDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) properties = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *agent = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *listing = NULL;

  t->dir = g_dir_make_tmp ("test-bad-input-XXXXXX", &error);
  g_assert_no_error (error);
  t->data_home = g_build_filename (t->dir, "data", NULL);
  t->texts = g_ptr_array_new_with_free_func (g_free);
  t->properties = g_ptr_array_new_with_free_func (g_free);
  t->locks = g_ptr_array_new_with_free_func (g_free);

  /* The cloud holds a property and a lock named with each odd text. */
  db_path = g_build_filename (t->dir, "cloud.sqlite", NULL);
  db = am_server_db_open (db_path, &error);
  g_assert_no_error (error);
  agent = am_server_db_add_user (db, "agent@example.com", "Lee Agent", "correct horse battery", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (odd_texts); i++)
    {
      char *text = odd_text (i);
      char *property, *lock;

      g_ptr_array_add (t->texts, text);
      property = am_server_db_add_property (db, text, text, text, "TX", "78701", "America/Chicago", &error);
      g_assert_no_error (error);
      lock = am_server_db_add_lock (db, property, text, text, 10, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (am_server_db_set_grant (db, agent, property, agent_permissions, &error));
      g_ptr_array_add (t->properties, property);
      g_ptr_array_add (t->locks, lock);
    }
  g_clear_pointer (&db, am_server_db_free);
  am_test_server_init (&t->server, db_path);
  am_test_server_start (&t->server);

  cli_ok (t, "correct horse battery\n",
          (const char * const[]) { "login", "--server", t->server.url, "--email", "agent@example.com",
                                   "--password-stdin", NULL }, NULL);
  cli_ok (t, NULL, (const char * const[]) { "sync", NULL }, NULL);

  /* Cloud → cache → CLI. */
  properties = cli_json (t, (const char * const[]) { "properties", "--json", NULL });
  cli_ok (t, NULL, (const char * const[]) { "properties", NULL }, &listing);
  for (guint i = 0; i < G_N_ELEMENTS (odd_texts); i++)
    {
      const char *text = g_ptr_array_index (t->texts, i);
      JsonObject *property = find_by_id (json_node_get_array (properties), g_ptr_array_index (t->properties, i));
      g_autoptr(JsonNode) locks = NULL;
      JsonObject *lock;

      assert_same_text ("a property's name", odd_texts[i].kind, text, json_object_get_string_member (property, "name"));
      assert_same_text ("a property's address", odd_texts[i].kind, text,
                        json_object_get_string_member (property, "address"));
      assert_same_text ("a property's city", odd_texts[i].kind, text, json_object_get_string_member (property, "city"));
      locks = cli_json (t, (const char * const[]) { "locks", "--property", g_ptr_array_index (t->properties, i),
                                                    "--json", NULL });
      lock = find_by_id (json_node_get_array (locks), g_ptr_array_index (t->locks, i));
      assert_same_text ("a lock's name", odd_texts[i].kind, text, json_object_get_string_member (lock, "name"));
      assert_same_text ("a lock's unit", odd_texts[i].kind, text, json_object_get_string_member (lock, "unit"));
      /* The plain listing shows the printable ones as they are. */
      if (g_str_equal (odd_texts[i].kind, "sql") || g_str_equal (odd_texts[i].kind, "markup") ||
          g_str_equal (odd_texts[i].kind, "emoji-zwj") || g_str_equal (odd_texts[i].kind, "four-byte"))
        if (strstr (listing, text) == NULL)
          g_error ("The %s name is not in the CLI's listing as it is: %s", odd_texts[i].kind, listing);
    }

  /* CLI → cache → cloud → cache → CLI: a code for each, whose recipient
   * and note are the odd text. */
  for (guint i = 0; i < G_N_ELEMENTS (odd_texts); i++)
    {
      const char *text = g_ptr_array_index (t->texts, i);
      g_autofree char *start = iso_in_hours (1 + i);
      g_autofree char *end = iso_in_hours (3 + i);
      g_autoptr(JsonNode) issued = NULL;
      g_autofree char *note = NULL;
      g_autofree char *recipient = NULL;
      const char *id;

      issued = cli_json (t, (const char * const[]) { "generate", "--lock", g_ptr_array_index (t->locks, i),
                                                     "--start", start, "--end", end, "--recipient", text,
                                                     "--note", text, "--purpose", "vendor", "--json", NULL });
      id = json_object_get_string_member (json_node_get_object (issued), "id");
      cli_ok (t, NULL, (const char * const[]) { "sync", NULL }, NULL);

      note = server_text (t, "SELECT note FROM passcodes WHERE id = ?1", id);
      recipient = server_text (t, "SELECT recipient_name FROM passcodes WHERE id = ?1", id);
      assert_same_text ("a note on the server", odd_texts[i].kind, text, note);
      assert_same_text ("a recipient on the server", odd_texts[i].kind, text, recipient);
      {
        g_autoptr(JsonNode) passcodes = cli_json (t, (const char * const[]) { "passcodes", "--lock",
                                                                              g_ptr_array_index (t->locks, i),
                                                                              "--json", NULL });
        JsonObject *passcode = find_by_id (json_node_get_array (passcodes), id);

        assert_same_text ("a note in the cache", odd_texts[i].kind, text,
                          json_object_get_string_member (passcode, "note"));
        assert_same_text ("a recipient in the cache", odd_texts[i].kind, text,
                          json_object_get_string_member (json_object_get_object_member (passcode, "recipient"),
                                                         "name"));
      }
    }

  cache = g_build_filename (t->data_home, "access-manager", "cache.sqlite", NULL);
  assert_intact (cache, "properties");
  assert_intact (t->server.db_path, "properties");
  g_test_message ("%u kinds of odd text through server, sync, cache and CLI, both ways",
                  (guint) G_N_ELEMENTS (odd_texts));

  {
    g_auto(AmTestRun) run = { 0 };

    am_test_run_cli (&run, NULL, t->data_home, (const char * const[]) { "logout", NULL });
  }
  am_test_server_clear (&t->server);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", t->dir);
    g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  }
  g_ptr_array_unref (t->texts);
  g_ptr_array_unref (t->properties);
  g_ptr_array_unref (t->locks);
  g_free (t->dir);
  g_free (t->data_home);
}

/* A JSON escape of a lone surrogate, sent to the server in a note: it
 * answers with a sentence or stores valid UTF-8, and stays up. */
static void
test_lone_surrogate_note (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-bad-input-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (dir, "cloud.sqlite", NULL);
  g_autoptr(AmServerDb) db = am_server_db_open (db_path, &error);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) sign_in = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonNode) session_json = NULL;
  g_autofree char *agent = NULL;
  g_autofree char *property = NULL;
  g_autofree char *lock = NULL;
  g_autofree char *url = NULL;
  g_auto(AmTestServer) server = { NULL };
  const char *token;
  guint n_stored = 0;

  g_assert_no_error (error);
  agent = am_server_db_add_user (db, "agent@example.com", "Lee Agent", "correct horse battery", &error);
  property = am_server_db_add_property (db, "Maple", "1 Maple St", "Austin", "TX", "78701", "America/Chicago", &error);
  lock = am_server_db_add_lock (db, property, "Front Door", NULL, 10, NULL, &error);
  g_assert_true (am_server_db_set_grant (db, agent, property, agent_permissions, &error));
  g_assert_no_error (error);
  g_clear_pointer (&db, am_server_db_free);
  am_test_server_init (&server, db_path);
  am_test_server_start (&server);

  /* The server is another process: the blocking API is fine here. */
  url = g_strconcat (server.url, "/v1/sessions", NULL);
  sign_in = soup_message_new ("POST", url);
  {
    const char *body = "{\"email\": \"agent@example.com\", \"password\": \"correct horse battery\", \"device_name\": \"t\"}";
    g_autoptr(GBytes) bytes = g_bytes_new_static (body, strlen (body));

    soup_message_set_request_body_from_bytes (sign_in, "application/json", bytes);
  }
  answer = soup_session_send_and_read (session, sign_in, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (sign_in), ==, 201);
  session_json = json_from_string (g_bytes_get_data (answer, NULL), NULL);
  token = json_object_get_string_member (json_node_get_object (session_json), "token");

  for (guint i = 0; i < 3; i++)
    {
      static const char * const notes[] = { "\\ud800", "a\\udc00b", "\\ud83d\\ude00 then \\ud83d" };
      g_autofree char *passcode_url = g_strconcat (server.url, "/v1/passcodes", NULL);
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", passcode_url);
      g_autoptr(GBytes) reply = NULL;
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;
      g_autofree char *created = am_time_format_utc (now);
      g_autofree char *starts_text = NULL;
      g_autofree char *ends_text = NULL;
      g_autofree char *body = NULL;
      g_autoptr(GBytes) bytes = NULL;
      AmPasscodeWindow window;
      guint status;

      g_assert_true (am_passcode_window_for ((guint32) (now / 3600 + 2 + i), 5, 0, &window, NULL));
      starts_text = am_time_format_utc (window.starts_at);
      ends_text = am_time_format_utc (window.ends_at);
      body = g_strdup_printf ("{\"id\": \"%s\", \"lock_id\": \"%s\", \"kind\": \"%s\", \"kv\": 1,"
                              " \"start_h\": %u, \"p\": 5, \"digits\": 10,"
                              " \"starts_at\": \"%s\", \"ends_at\": \"%s\", \"recipient\": null,"
                              " \"purpose\": \"vendor\", \"note\": \"%s\", \"created_at\": \"%s\"}",
                              id, lock, window.kind == AM_PASSCODE_KIND_ONE_TIME ? "one_time" : "timed",
                              window.start_h, starts_text, ends_text, notes[i], created);
      bytes = g_bytes_new (body, strlen (body));
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Idempotency-Key", id);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
      reply = soup_session_send_and_read (session, msg, NULL, &error);
      g_assert_no_error (error);
      status = soup_message_get_status (msg);
      g_test_message ("note “%s”: %u %.*s", notes[i], status, (int) MIN (g_bytes_get_size (reply), 200),
                      (const char *) g_bytes_get_data (reply, NULL));
      /* A sentence (422), or stored as text. */
      g_assert_true (status == 201 || status == 422);
      if (status == 201)
        {
          sqlite3 *raw = NULL;
          sqlite3_stmt *stmt = NULL;

          g_assert_cmpint (sqlite3_open_v2 (db_path, &raw, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
          g_assert_cmpint (sqlite3_prepare_v2 (raw, "SELECT note FROM passcodes WHERE id = ?1", -1, &stmt, NULL),
                           ==, SQLITE_OK);
          sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
          g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
          g_assert_true (g_utf8_validate ((const char *) sqlite3_column_text (stmt, 0), -1, NULL));
          sqlite3_finalize (stmt);
          sqlite3_close (raw);
          n_stored++;
        }
    }
  g_test_message ("%u of 3 notes with lone surrogates stored, as valid UTF-8", n_stored);
  assert_intact (db_path, "properties");
  am_test_server_clear (&server);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);
    g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  }
}

/* A cloud that lies */

typedef struct
{
  char          *dir;
  char          *cache;
  SoupServer    *soup;
  char          *url;
  GHashTable    *answers;       /* the since cursor ("" for none) → the body */
  char          *property_id;   /* what the cache held before the lies */
  AmStore       *store;
  AmVault       *vault;
  AmCloudClient *client;
  AmSync        *sync;
} Liar;

static void
on_liar_request_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  Liar *l = user_data;
  const char *since = query != NULL ? g_hash_table_lookup (query, "since") : NULL;
  const char *body;

  if (!g_str_equal (path, "/v1/sync"))
    {
      const char *none = "{\"error\": {\"code\": \"not_found\", \"message\": \"Nothing here.\"}}";

      soup_server_message_set_status (msg, 404, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, none, strlen (none));
      return;
    }
  body = g_hash_table_lookup (l->answers, since != NULL ? since : "");
  if (body == NULL)
    body = g_hash_table_lookup (l->answers, "*");
  g_assert_nonnull (body);
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

/* A page as the contract has it, to be lied about. */
static JsonNode *
page_node (const char *cursor,
           gboolean    more,
           guint       n_properties,
           const char *name)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  page->cursor = g_strdup (cursor);
  for (guint i = 0; i < n_properties; i++)
    {
      g_autofree char *numbered = g_strdup_printf ("%s %u", name, i);
      AmProperty *property = am_test_property (n_properties == 1 ? name : numbered, "1 Main Street", "Austin",
                                               "America/Chicago");

      g_ptr_array_add (page->properties, property);
      if (i == 0)
        {
          g_ptr_array_add (page->locks, am_test_lock (property, "Front Door", NULL));
          g_ptr_array_add (page->grants, am_test_grant (property, "view_activity"));
        }
    }
  am_sync_page_to_json (page, more, builder);
  return json_builder_get_root (builder);
}

static char *
node_text (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

static void
answer (Liar       *l,
        const char *since,
        char       *body)
{
  g_hash_table_insert (l->answers, g_strdup (since), body);
}

static gboolean
run_sync (Liar    *l,
          GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  am_sync_run_async (l->sync, NULL, am_test_on_done_cb, &result);
  return am_sync_run_finish (l->sync, am_test_wait_for (&result), error);
}

static void
liar_set_up (Liar          *l,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) good = page_node ("c1", FALSE, 1, "Maple Street Lofts");
  g_autoptr(AmProperty) kept = NULL;
  GSList *uris;

  l->dir = g_dir_make_tmp ("test-bad-input-XXXXXX", &error);
  g_assert_no_error (error);
  l->cache = g_build_filename (l->dir, "cache.sqlite", NULL);
  l->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  l->soup = soup_server_new (NULL, NULL);
  soup_server_add_handler (l->soup, NULL, on_liar_request_cb, l, NULL);
  g_assert_true (soup_server_listen_local (l->soup, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (l->soup);
  l->url = g_uri_to_string (uris->data);
  if (g_str_has_suffix (l->url, "/"))
    l->url[strlen (l->url) - 1] = '\0';
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  l->store = am_store_open (l->cache, &error);
  g_assert_no_error (error);
  l->vault = am_vault_new ();
  l->client = am_cloud_client_new (l->url, &error);
  g_assert_no_error (error);
  am_cloud_client_set_timeout (l->client, 5);
  am_cloud_client_set_token (l->client, "a-token-for-the-liar");
  l->sync = am_sync_new (l->store, l->client, l->vault);
  am_sync_set_fetch_keys (l->sync, FALSE);
  am_sync_set_backoff (l->sync, 5, 20, 3);

  /* First the truth: one property, its lock, a grant. */
  answer (l, "", node_text (good));
  g_assert_true (run_sync (l, &error));
  g_assert_no_error (error);
  l->property_id = g_strdup (json_object_get_string_member (
    json_array_get_object_element (json_object_get_array_member (json_node_get_object (good), "properties"), 0),
    "id"));
  kept = am_store_get_property (l->store, l->property_id);
  g_assert_nonnull (kept);
  g_hash_table_remove_all (l->answers);
}

static void
liar_tear_down (Liar          *l,
                gconstpointer  data)
{
  g_clear_object (&l->sync);
  g_clear_object (&l->client);
  g_clear_object (&l->vault);
  g_clear_object (&l->store);
  soup_server_disconnect (l->soup);
  g_clear_object (&l->soup);
  g_hash_table_unref (l->answers);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", l->dir);
    g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  }
  g_free (l->dir);
  g_free (l->cache);
  g_free (l->url);
  g_free (l->property_id);
}

/* The lie ends the sync with a sentence; the cache is whole and holds
 * what it held. */
static void
assert_lie_refused (Liar       *l,
                    const char *lie)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmProperty) kept = NULL;
  g_autofree char *cursor = NULL;

  g_assert_false (run_sync (l, &error));
  g_assert_nonnull (error);
  g_test_message ("%s: %s", lie, error->message);
  g_assert_true (g_unichar_isupper (g_utf8_get_char (error->message)));
  g_assert_true (g_str_has_suffix (error->message, "."));
  assert_intact (l->cache, "properties");
  kept = am_store_get_property (l->store, l->property_id);
  g_assert_nonnull (kept);
  g_assert_cmpstr (am_property_get_name (kept), ==, "Maple Street Lofts");
  cursor = am_store_get_cursor (l->store);
  g_assert_nonnull (cursor);
}

static guint
count_properties (Liar *l)
{
  g_autoptr(AmRecordList) list = am_record_list_new_properties (l->store);

  return g_list_model_get_n_items (G_LIST_MODEL (list));
}

typedef void (*LieFunc) (JsonObject *page);

static void
lie_cursor_number (JsonObject *page)
{
  json_object_set_int_member (page, "cursor", 7);
}

static void
lie_more_string (JsonObject *page)
{
  json_object_set_string_member (page, "more", "yes");
}

static void
lie_properties_string (JsonObject *page)
{
  json_object_set_string_member (page, "properties", "all of them");
}

static void
lie_name_number (JsonObject *page)
{
  JsonObject *property = json_array_get_object_element (json_object_get_array_member (page, "properties"), 0);

  json_object_set_int_member (property, "name", 42);
}

static void
lie_no_cursor (JsonObject *page)
{
  json_object_remove_member (page, "cursor");
}

static void
lie_no_locks (JsonObject *page)
{
  json_object_remove_member (page, "locks");
}

static void
lie_property_without_id (JsonObject *page)
{
  JsonObject *property = json_array_get_object_element (json_object_get_array_member (page, "properties"), 0);

  json_object_remove_member (property, "id");
}

static void
lie_lock_digits_text (JsonObject *page)
{
  JsonObject *lock = json_array_get_object_element (json_object_get_array_member (page, "locks"), 0);

  json_object_set_string_member (lock, "digits", "ten");
}

static void
lie_lock_of_no_property (JsonObject *page)
{
  JsonObject *lock = json_array_get_object_element (json_object_get_array_member (page, "locks"), 0);

  json_object_set_string_member (lock, "property_id", "0badf00d-0000-4000-8000-000000000000");
}

static void
lie_time_garbage (JsonObject *page)
{
  JsonObject *property = json_array_get_object_element (json_object_get_array_member (page, "properties"), 0);

  json_object_set_string_member (property, "updated_at", "yesterday at noon");
}

static void
lie_array_of_numbers (JsonObject *page)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < 1000; i++)
    json_array_add_int_element (array, i);
  json_object_set_array_member (page, "properties", array);
}

typedef struct
{
  const char *name;
  LieFunc     lie;
} Lie;

static const Lie lies[] = {
  { "cursor-is-a-number", lie_cursor_number },
  { "more-is-a-string", lie_more_string },
  { "properties-is-a-string", lie_properties_string },
  { "name-is-a-number", lie_name_number },
  { "no-cursor", lie_no_cursor },
  { "no-locks", lie_no_locks },
  { "property-without-id", lie_property_without_id },
  { "digits-is-text", lie_lock_digits_text },
  { "lock-of-no-property", lie_lock_of_no_property },
  { "time-is-not-a-time", lie_time_garbage },
  { "properties-are-numbers", lie_array_of_numbers },
};

static void
test_lies (Liar          *l,
           gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (lies); i++)
    {
      g_autoptr(JsonNode) page = page_node ("c2", FALSE, 1, "Cedar Row");

      lies[i].lie (json_node_get_object (page));
      answer (l, "c1", node_text (page));
      assert_lie_refused (l, lies[i].name);
      /* Nothing of the lying page. */
      g_assert_cmpint (count_properties (l), ==, 1);
    }
  g_test_message ("%u kinds of lie refused", (guint) G_N_ELEMENTS (lies));
}

static void
test_not_json (Liar          *l,
               gconstpointer  data)
{
  static const char * const bodies[] = {
    "[1, 2, 3]", "null", "\"a page\"", "{\"cursor\": \"c2\", \"more\": false, \"properties\": [",
    "{\"cursor\": \"c2\", \"more\": false, \"properties\": [{\"id\": \"\\ud800\"}]}", "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      answer (l, "c1", g_strdup (bodies[i]));
      assert_lie_refused (l, bodies[i]);
    }
}

/* 20,000 properties in a page where 500 were asked for. */
static void
test_huge_page (Liar          *l,
                gconstpointer  data)
{
  g_autoptr(JsonNode) page = page_node ("c2", FALSE, 20000, "Birch Court");

  am_sync_set_page_limit (l->sync, 500);
  answer (l, "c1", node_text (page));
  assert_lie_refused (l, "20,000 properties for 500");
  g_assert_cmpint (count_properties (l), ==, 1);
}

/* A page that says more follows, then the same page again, forever. */
static void
test_page_repeats (Liar          *l,
                   gconstpointer  data)
{
  g_autoptr(JsonNode) page = page_node ("c2", TRUE, 1, "Cedar Row");

  answer (l, "c1", node_text (page));
  answer (l, "c2", node_text (page));
  assert_lie_refused (l, "page sent again");
  /* The first time it came, it was a good page: kept. */
  g_assert_cmpint (count_properties (l), ==, 2);
}

/* A cursor that goes back to where the pull started. */
static void
test_cursor_goes_back (Liar          *l,
                       gconstpointer  data)
{
  g_autoptr(JsonNode) forward = page_node ("c3", TRUE, 1, "Cedar Row");
  g_autoptr(JsonNode) back = page_node ("c1", TRUE, 1, "Elm Court");

  answer (l, "c1", node_text (forward));
  answer (l, "c3", node_text (back));
  assert_lie_refused (l, "cursor gone back");
  g_assert_cmpint (count_properties (l), ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bad-input/round-trip/odd-text-unchanged-both-ways", test_round_trip);
  g_test_add_func ("/bad-input/server/lone-surrogate-note-is-a-sentence-or-valid-text", test_lone_surrogate_note);
  g_test_add ("/bad-input/lying-cloud/wrong-types-missing-members", Liar, NULL, liar_set_up, test_lies,
              liar_tear_down);
  g_test_add ("/bad-input/lying-cloud/not-json", Liar, NULL, liar_set_up, test_not_json, liar_tear_down);
  g_test_add ("/bad-input/lying-cloud/huge-page", Liar, NULL, liar_set_up, test_huge_page, liar_tear_down);
  g_test_add ("/bad-input/lying-cloud/page-repeats", Liar, NULL, liar_set_up, test_page_repeats, liar_tear_down);
  g_test_add ("/bad-input/lying-cloud/cursor-goes-back", Liar, NULL, liar_set_up, test_cursor_goes_back,
              liar_tear_down);
  return g_test_run ();
}
