/* test-server.c: the reference cloud against the contract of cloud-api.md
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test runs the server in this process on 127.0.0.1 with a fresh
 * database, and talks to it with a SoupSession in the same main loop.
 * Answers are read back with the core's strict readers, so that the
 * server is held to what the client accepts.
 *
 * The fixture: property A (Chicago, Q 0) with locks A1 (10 digits) and
 * A2 (12 digits); property B (Kolkata, Q 1800) with lock B1. Users:
 * agent (generate_codes, ble_unlock, view_activity, revoke_codes on A
 * and B), viewer (view_activity on A), vendor (ble_unlock on A), nobody
 * (no grants).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "am-cloud-json.h"
#include "am-passcode.h"
#include "am-records-private.h"
#include "am-server.h"
#include "am-server-db.h"
#include "am-server-json.h"
#include "am-server-seed.h"
#include "am-time.h"

#define PASSWORD "correct horse battery"

static const char * const agent_permissions[] = {
  AM_PERMISSION_GENERATE_CODES, AM_PERMISSION_BLE_UNLOCK,
  AM_PERMISSION_VIEW_ACTIVITY, AM_PERMISSION_REVOKE_CODES, NULL
};
static const char * const viewer_permissions[] = { AM_PERMISSION_VIEW_ACTIVITY, NULL };
static const char * const vendor_permissions[] = { AM_PERMISSION_BLE_UNLOCK, NULL };

typedef struct
{
  char        *db_path;
  AmServerDb  *db;
  AmServer    *server;
  char        *url;
  SoupSession *session;

  char        *prop_a;
  char        *prop_b;
  char        *lock_a1;
  char        *lock_a2;
  char        *lock_b1;

  char        *agent_id;
  char        *viewer_id;
  char        *vendor_id;
  char        *nobody_id;
  char        *agent;     /* session tokens */
  char        *viewer;
  char        *vendor;
  char        *nobody;
} Fixture;

typedef struct
{
  guint       status;
  GBytes     *body;
  JsonNode   *json;       /* NULL when the body is not JSON */
  char       *retry_after;
  GError     *error;
} Reply;

static void
reply_free (Reply *reply)
{
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->json, json_node_unref);
  g_clear_error (&reply->error);
  g_free (reply->retry_after);
  g_free (reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

typedef struct
{
  GBytes       *bytes;
  GError       *error;
  gboolean      done;
} Pending;

static void
on_sent_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Pending *pending = user_data;

  pending->bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &pending->error);
  pending->done = TRUE;
}

static Reply *
send_full (SoupSession *session,
           const char  *url,
           const char  *method,
           const char  *path,
           const char  *token,
           const char  *body,
           gsize        body_len,
           const char  *idempotency_key,
           gboolean     expect_continue)
{
  g_autofree char *uri = g_strconcat (url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  SoupMessageHeaders *headers;
  Reply *reply = g_new0 (Reply, 1);
  Pending pending = { NULL, NULL, FALSE };

  g_assert_nonnull (msg);
  headers = soup_message_get_request_headers (msg);
  if (token != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (headers, "Authorization", value);
    }
  if (idempotency_key != NULL)
    soup_message_headers_replace (headers, "Idempotency-Key", idempotency_key);
  if (expect_continue)
    soup_message_headers_set_expectations (headers, SOUP_EXPECTATION_CONTINUE);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, body_len);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_sent_cb, &pending);
  while (!pending.done)
    g_main_context_iteration (NULL, TRUE);

  reply->error = pending.error;
  reply->body = pending.bytes;
  reply->status = soup_message_get_status (msg);
  reply->retry_after = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                               "Retry-After"));
  if (reply->body != NULL && g_bytes_get_size (reply->body) > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      gsize len;
      const char *data = g_bytes_get_data (reply->body, &len);

      if (json_parser_load_from_data (parser, data, (gssize) len, NULL))
        reply->json = json_node_ref (json_parser_get_root (parser));
    }
  return reply;
}

static Reply *
send_request (Fixture    *f,
              const char *method,
              const char *path,
              const char *token,
              const char *body)
{
  return send_full (f->session, f->url, method, path, token, body,
                    body != NULL ? strlen (body) : 0, NULL, FALSE);
}

static JsonObject *
reply_object (Reply *reply)
{
  g_assert_no_error (reply->error);
  g_assert_nonnull (reply->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (reply->json));
  return json_node_get_object (reply->json);
}

/* Checks the status and the error body's code. */
static void
assert_error (Reply      *reply,
              guint       status,
              const char *code)
{
  g_autofree char *got_code = NULL;
  g_autofree char *message = NULL;

  g_assert_no_error (reply->error);
  g_assert_cmpuint (reply->status, ==, status);
  g_assert_true (am_cloud_error_from_json (reply_object (reply), &got_code, &message));
  if (code != NULL)
    g_assert_cmpstr (got_code, ==, code);
  /* A sentence for people. */
  g_assert_true (g_ascii_isupper (message[0]));
  g_assert_true (g_str_has_suffix (message, "."));
}

static char *
builder_text (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static char *
sign_in (Fixture    *f,
         const char *email,
         const char *password)
{
  g_autofree char *body = g_strdup_printf ("{\"email\": \"%s\", \"password\": \"%s\", \"device_name\": \"test\"}",
                                           email, password);
  g_autoptr(Reply) reply = send_request (f, "POST", "/v1/sessions", NULL, body);
  g_autoptr(AmCloudSession) session = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (reply->status, ==, 201);
  session = am_cloud_session_from_json (reply_object (reply), TRUE, &error);
  g_assert_no_error (error);
  return g_strdup (session->token);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "server", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  f->db_path = g_build_filename (dir, "cloud.db", NULL);
  f->db = am_server_db_open (f->db_path, &error);
  g_assert_no_error (error);

  f->prop_a = am_server_db_add_property (f->db, "Lakeview Terrace", "3400 North Lake Shore Drive",
                                         "Chicago", "IL", "60657", "America/Chicago", &error);
  g_assert_no_error (error);
  f->prop_b = am_server_db_add_property (f->db, "Indiranagar Residency", "12 100 Feet Road",
                                         "Bengaluru", "KA", "560038", "Asia/Kolkata", &error);
  g_assert_no_error (error);
  f->lock_a1 = am_server_db_add_lock (f->db, f->prop_a, "Front door", NULL, 10, NULL, &error);
  g_assert_no_error (error);
  f->lock_a2 = am_server_db_add_lock (f->db, f->prop_a, "Unit door", "101", 12, AM_LOCK_MODE_RESIDENT, &error);
  g_assert_no_error (error);
  f->lock_b1 = am_server_db_add_lock (f->db, f->prop_b, "Front door", NULL, 10, AM_LOCK_MODE_TOUR, &error);
  g_assert_no_error (error);

  f->agent_id = am_server_db_add_user (f->db, "agent@example.com", "Alex Agent", PASSWORD, &error);
  g_assert_no_error (error);
  f->viewer_id = am_server_db_add_user (f->db, "viewer@example.com", "Vera Viewer", PASSWORD, &error);
  g_assert_no_error (error);
  f->vendor_id = am_server_db_add_user (f->db, "vendor@example.com", "Victor Vendor", PASSWORD, &error);
  g_assert_no_error (error);
  f->nobody_id = am_server_db_add_user (f->db, "nobody@example.com", "Nina Nobody", PASSWORD, &error);
  g_assert_no_error (error);

  g_assert_true (am_server_db_set_grant (f->db, f->agent_id, f->prop_a, agent_permissions, &error));
  g_assert_true (am_server_db_set_grant (f->db, f->agent_id, f->prop_b, agent_permissions, &error));
  g_assert_true (am_server_db_set_grant (f->db, f->viewer_id, f->prop_a, viewer_permissions, &error));
  g_assert_true (am_server_db_set_grant (f->db, f->vendor_id, f->prop_a, vendor_permissions, &error));
  g_assert_no_error (error);

  f->server = am_server_new (f->db);
  am_server_set_quiet (f->server, TRUE);
  g_assert_true (am_server_listen (f->server, "127.0.0.1", 0, NULL, &error));
  g_assert_no_error (error);
  f->url = am_server_get_url (f->server);
  g_assert_true (g_str_has_prefix (f->url, "http://127.0.0.1:"));
  f->session = soup_session_new_with_options ("timeout", 10, NULL);

  f->agent = sign_in (f, "agent@example.com", PASSWORD);
  f->viewer = sign_in (f, "viewer@example.com", PASSWORD);
  f->vendor = sign_in (f, "vendor@example.com", PASSWORD);
  f->nobody = sign_in (f, "nobody@example.com", PASSWORD);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  soup_session_abort (f->session);
  g_clear_object (&f->session);
  g_clear_object (&f->server);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&f->db, am_server_db_free);
  g_free (f->url);
  g_free (f->db_path);
  g_free (f->prop_a);
  g_free (f->prop_b);
  g_free (f->lock_a1);
  g_free (f->lock_a2);
  g_free (f->lock_b1);
  g_free (f->agent_id);
  g_free (f->viewer_id);
  g_free (f->vendor_id);
  g_free (f->nobody_id);
  g_free (f->agent);
  g_free (f->viewer);
  g_free (f->vendor);
  g_free (f->nobody);
}

/* Passcodes */

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* A valid create request on a lock: @p from the hour holding now + @offset. */
static AmPasscodeRecord *
passcode_request (const char *lock_id,
                  guint       digits,
                  guint       q,
                  gint64      offset,
                  guint       p)
{
  AmPasscodeRecord *record = am_passcode_record_new_empty ();
  AmPasscodeWindow window;
  gint64 now = now_s ();

  g_assert_true (am_passcode_window_for ((guint32) am_floor_div (now + offset - q, 3600), p, q, &window, NULL));
  record->id = g_uuid_string_random ();
  record->lock_id = g_strdup (lock_id);
  record->kind = window.kind;
  record->kv = 1;
  record->start_h = window.start_h;
  record->p = p;
  record->digits = digits;
  record->starts_at = window.starts_at;
  record->ends_at = window.ends_at;
  record->use_by = window.use_by;
  record->recipient_name = g_strdup ("Jamie Chen");
  record->recipient_contact = g_strdup ("+1 415 555 0142");
  record->purpose = g_strdup ("prospect");
  record->source = g_strdup (AM_PASSCODE_SOURCE_MANUAL);
  record->created_at = now;
  return record;
}

static char *
create_body (AmPasscodeRecord *record)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  am_passcode_record_to_create_json (record, builder);
  return builder_text (builder);
}

static Reply *
post_passcode (Fixture          *f,
               const char       *token,
               AmPasscodeRecord *record)
{
  g_autofree char *body = create_body (record);

  return send_full (f->session, f->url, "POST", "/v1/passcodes", token, body, strlen (body),
                    record->id, FALSE);
}

static AmPasscodeRecord *
reply_passcode (Reply *reply)
{
  g_autoptr(GError) error = NULL;
  AmPasscodeRecord *record = am_passcode_record_from_json (reply_object (reply), &error);

  g_assert_no_error (error);
  return record;
}

/* Creates a passcode as @token and checks it was 201. */
static AmPasscodeRecord *
issue (Fixture    *f,
       const char *token,
       const char *lock_id,
       gint64      offset,
       guint       p)
{
  guint digits = g_str_equal (lock_id, f->lock_a2) ? 12 : 10;
  guint q = g_str_equal (lock_id, f->lock_b1) ? 1800 : 0;
  g_autoptr(AmPasscodeRecord) request = passcode_request (lock_id, digits, q, offset, p);
  g_autoptr(Reply) reply = post_passcode (f, token, request);

  g_assert_cmpuint (reply->status, ==, 201);
  return reply_passcode (reply);
}

/* Sync */

static AmSyncPage *
sync_page (Fixture    *f,
           const char *token,
           const char *since,
           guint       limit,
           gboolean   *more)
{
  g_autofree char *path = NULL;
  g_autoptr(Reply) reply = NULL;
  g_autoptr(GError) error = NULL;
  AmSyncPage *page;
  gboolean local_more;

  if (since != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (since, NULL, TRUE);
      path = g_strdup_printf ("/v1/sync?since=%s&limit=%u", escaped, limit);
    }
  else
    path = g_strdup_printf ("/v1/sync?limit=%u", limit);
  reply = send_request (f, "GET", path, token, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  page = am_sync_page_from_json (reply_object (reply), more != NULL ? more : &local_more, &error);
  g_assert_no_error (error);
  return page;
}

/* Syncs to the end; the pages' records all together. */
static AmSyncPage *
sync_all (Fixture     *f,
          const char  *token,
          const char  *since,
          guint        limit,
          guint       *n_pages)
{
  AmSyncPage *all = am_sync_page_new ();
  g_autofree char *cursor = g_strdup (since);
  gboolean more = TRUE;
  guint pages = 0;

  while (more)
    {
      g_autoptr(AmSyncPage) page = sync_page (f, token, cursor, limit, &more);
      GPtrArray *from[] = { page->properties, page->locks, page->grants, page->passcodes,
                            page->events, page->unlocks };
      GPtrArray *to[] = { all->properties, all->locks, all->grants, all->passcodes,
                          all->events, all->unlocks };
      guint n = 0;

      for (guint i = 0; i < G_N_ELEMENTS (from); i++)
        {
          n += from[i]->len;
          for (guint j = 0; j < from[i]->len; j++)
            g_ptr_array_add (to[i], g_object_ref (g_ptr_array_index (from[i], j)));
        }
      for (guint j = 0; j < page->deleted->len; j++)
        {
          AmDeletedRef *ref = g_ptr_array_index (page->deleted, j);
          am_sync_page_add_deleted (all, ref->type, ref->id);
        }
      n += page->deleted->len;
      g_assert_cmpuint (n, <=, limit);
      if (more)
        g_assert_cmpuint (n, ==, limit);
      g_free (cursor);
      cursor = g_strdup (page->cursor);
      pages++;
      g_assert_cmpuint (pages, <, 10000);
    }
  all->cursor = g_steal_pointer (&cursor);
  if (n_pages != NULL)
    *n_pages = pages;
  return all;
}

static gboolean
has_passcode (AmSyncPage *page,
              const char *id)
{
  for (guint i = 0; i < page->passcodes->len; i++)
    if (g_str_equal (((AmPasscodeRecord *) g_ptr_array_index (page->passcodes, i))->id, id))
      return TRUE;
  return FALSE;
}

static gboolean
has_deleted (AmSyncPage *page,
             const char *type,
             const char *id)
{
  for (guint i = 0; i < page->deleted->len; i++)
    {
      AmDeletedRef *ref = g_ptr_array_index (page->deleted, i);
      if (g_str_equal (ref->type, type) && g_str_equal (ref->id, id))
        return TRUE;
    }
  return FALSE;
}

/* Tests: sessions and invitations */

static void
test_sign_in_returns_token_user_org (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(Reply) reply = send_request (f, "POST", "/v1/sessions", NULL,
                                         "{\"email\": \"Agent@Example.com\", \"password\": \"" PASSWORD "\", \"device_name\": \"laptop\"}");
  g_autoptr(AmCloudSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;

  g_assert_cmpuint (reply->status, ==, 201);
  session = am_cloud_session_from_json (reply_object (reply), TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (session->user->id, ==, f->agent_id);
  g_assert_cmpstr (session->user->email, ==, "agent@example.com");
  g_assert_cmpstr (session->user->name, ==, "Alex Agent");
  /* 256 bits, base64url without padding. */
  g_assert_cmpuint (strlen (session->token), ==, 43);
  g_assert_null (strpbrk (session->token, "+/="));
  /* The token itself is nowhere in the database, only its hash. */
  hash = am_server_hash_token (session->token);
  g_assert_cmpuint (strlen (hash), ==, 64);
}

static void
test_sign_in_wrong_password_is_401 (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(Reply) wrong = send_request (f, "POST", "/v1/sessions", NULL,
                                         "{\"email\": \"agent@example.com\", \"password\": \"not the password\", \"device_name\": \"x\"}");
  g_autoptr(Reply) unknown = send_request (f, "POST", "/v1/sessions", NULL,
                                           "{\"email\": \"ghost@example.com\", \"password\": \"not the password\", \"device_name\": \"x\"}");

  assert_error (wrong, 401, "invalid_credentials");
  assert_error (unknown, 401, "invalid_credentials");
  /* The same answer for both. */
  g_assert_true (g_bytes_equal (wrong->body, unknown->body));
}

static void
test_sign_in_repeated_failures_are_429 (Fixture       *f,
                                        gconstpointer  data)
{
  const char *bad = "{\"email\": \"agent@example.com\", \"password\": \"wrong-password-1\", \"device_name\": \"x\"}";
  g_autoptr(Reply) limited = NULL;
  g_autoptr(Reply) even_right = NULL;
  g_autoptr(Reply) other = NULL;

  for (guint i = 0; i < AM_SERVER_SIGN_IN_MAX_FAILURES; i++)
    {
      g_autoptr(Reply) reply = send_request (f, "POST", "/v1/sessions", NULL, bad);
      assert_error (reply, 401, "invalid_credentials");
    }
  limited = send_request (f, "POST", "/v1/sessions", NULL, bad);
  assert_error (limited, 429, "rate_limited");
  g_assert_nonnull (limited->retry_after);
  g_assert_cmpint (atoi (limited->retry_after), >, 0);
  g_assert_cmpint (atoi (limited->retry_after), <=, AM_SERVER_SIGN_IN_WINDOW_S);

  /* During the lockout even the right password waits... */
  even_right = send_request (f, "POST", "/v1/sessions", NULL,
                             "{\"email\": \"agent@example.com\", \"password\": \"" PASSWORD "\", \"device_name\": \"x\"}");
  assert_error (even_right, 429, "rate_limited");
  /* ...but only for that email. */
  other = send_request (f, "POST", "/v1/sessions", NULL,
                        "{\"email\": \"viewer@example.com\", \"password\": \"" PASSWORD "\", \"device_name\": \"x\"}");
  g_assert_cmpuint (other->status, ==, 201);
}

static void
test_sign_in_malformed_body_is_422 (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(Reply) not_json = send_request (f, "POST", "/v1/sessions", NULL, "email=a");
  g_autoptr(Reply) no_password = send_request (f, "POST", "/v1/sessions", NULL, "{\"email\": \"a@b.c\"}");

  assert_error (not_json, 422, "invalid");
  assert_error (no_password, 422, "invalid");
}

static void
test_sign_out_ends_the_session (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(Reply) out = send_request (f, "DELETE", "/v1/sessions/current", f->agent, NULL);
  g_autoptr(Reply) me = send_request (f, "GET", "/v1/me", f->agent, NULL);
  g_autoptr(Reply) other = send_request (f, "GET", "/v1/me", f->viewer, NULL);

  g_assert_no_error (out->error);
  g_assert_cmpuint (out->status, ==, 204);
  assert_error (me, 401, "unauthenticated");
  g_assert_cmpuint (other->status, ==, 200);
}

static void
test_auth_missing_or_bad_token_is_401 (Fixture       *f,
                                       gconstpointer  data)
{
  g_autofree char *key_path = g_strdup_printf ("/v1/locks/%s/key", f->lock_a1);
  g_autofree char *events_path = g_strdup_printf ("/v1/locks/%s/events", f->lock_a1);
  const struct { const char *method; const char *path; } endpoints[] = {
    { "DELETE", "/v1/sessions/current" },
    { "GET", "/v1/me" },
    { "GET", "/v1/sync" },
    { "GET", key_path },
    { "POST", "/v1/passcodes" },
    { "POST", "/v1/passcodes/3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30/revoke" },
    { "POST", events_path },
    { "POST", "/v1/unlocks" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (endpoints); i++)
    {
      g_autoptr(Reply) none = send_request (f, endpoints[i].method, endpoints[i].path, NULL, "{}");
      g_autoptr(Reply) bad = send_request (f, endpoints[i].method, endpoints[i].path,
                                           "bm90LWEtcmVhbC10b2tlbi1hdC1hbGwtMDEyMzQ1Njc4OQ", "{}");
      g_test_message ("%s %s", endpoints[i].method, endpoints[i].path);
      assert_error (none, 401, "unauthenticated");
      assert_error (bad, 401, "unauthenticated");
    }
}

static void
test_invitation_accept_creates_user_and_grant (Fixture       *f,
                                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = am_server_db_invite (f->db, "new.hire@example.com", f->prop_b,
                                                viewer_permissions, &error);
  g_autofree char *path = NULL;
  g_autofree char *session_token = NULL;
  g_autoptr(Reply) reply = NULL;
  g_autoptr(Reply) me_reply = NULL;
  g_autoptr(AmCloudSession) session = NULL;
  g_autoptr(AmCloudMe) me = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (strlen (token), ==, 43);
  path = g_strdup_printf ("/v1/invitations/%s/accept", token);
  reply = send_request (f, "POST", path, NULL, "{\"name\": \"Nora Newhire\", \"password\": \"a long password\"}");
  g_assert_cmpuint (reply->status, ==, 201);
  session = am_cloud_session_from_json (reply_object (reply), FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (session->token);
  g_assert_cmpstr (session->user->email, ==, "new.hire@example.com");
  g_assert_cmpstr (session->user->name, ==, "Nora Newhire");

  session_token = sign_in (f, "new.hire@example.com", "a long password");
  me_reply = send_request (f, "GET", "/v1/me", session_token, NULL);
  g_assert_cmpuint (me_reply->status, ==, 200);
  me = am_cloud_me_from_json (reply_object (me_reply), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (me->grants->len, ==, 1);
  g_assert_cmpstr (am_grant_get_property_id (g_ptr_array_index (me->grants, 0)), ==, f->prop_b);
  g_assert_true (am_grant_has_permission (g_ptr_array_index (me->grants, 0), AM_PERMISSION_VIEW_ACTIVITY));
  g_assert_false (am_grant_has_permission (g_ptr_array_index (me->grants, 0), AM_PERMISSION_GENERATE_CODES));
}

static void
test_invitation_for_all_grants_every_property (Fixture       *f,
                                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = am_server_db_invite (f->db, "all@example.com", NULL, vendor_permissions, &error);
  g_autofree char *path = g_strdup_printf ("/v1/invitations/%s/accept", token);
  g_autoptr(Reply) reply = send_request (f, "POST", path, NULL, "{\"name\": \"Al All\", \"password\": \"a long password\"}");
  g_autofree char *session_token = NULL;
  g_autoptr(Reply) me_reply = NULL;
  g_autoptr(AmCloudMe) me = NULL;

  g_assert_cmpuint (reply->status, ==, 201);
  session_token = sign_in (f, "all@example.com", "a long password");
  me_reply = send_request (f, "GET", "/v1/me", session_token, NULL);
  me = am_cloud_me_from_json (reply_object (me_reply), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (me->grants->len, ==, 2);
}

static void
test_invitation_unknown_is_404 (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(Reply) reply = send_request (f, "POST", "/v1/invitations/not-a-real-invitation-token/accept", NULL,
                                         "{\"name\": \"X\", \"password\": \"a long password\"}");

  assert_error (reply, 404, "not_found");
}

static void
test_invitation_twice_is_409 (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = am_server_db_invite (f->db, "twice@example.com", f->prop_a, viewer_permissions, &error);
  g_autofree char *path = g_strdup_printf ("/v1/invitations/%s/accept", token);
  g_autoptr(Reply) first = send_request (f, "POST", path, NULL, "{\"name\": \"T\", \"password\": \"a long password\"}");
  g_autoptr(Reply) second = send_request (f, "POST", path, NULL, "{\"name\": \"T\", \"password\": \"a long password\"}");

  g_assert_cmpuint (first->status, ==, 201);
  assert_error (second, 409, "invitation_accepted");
}

static void
test_invitation_short_password_is_422 (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = am_server_db_invite (f->db, "short@example.com", f->prop_a, viewer_permissions, &error);
  g_autofree char *path = g_strdup_printf ("/v1/invitations/%s/accept", token);
  g_autoptr(Reply) reply = send_request (f, "POST", path, NULL, "{\"name\": \"S\", \"password\": \"123456789\"}");
  g_autoptr(Reply) after = send_request (f, "POST", path, NULL, "{\"name\": \"S\", \"password\": \"1234567890\"}");

  assert_error (reply, 422, "password_too_short");
  /* A refused attempt does not use the invitation up. */
  g_assert_cmpuint (after->status, ==, 201);
}

static void
test_me_lists_own_grants (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(Reply) reply = send_request (f, "GET", "/v1/me", f->agent, NULL);
  g_autoptr(Reply) nobody_reply = send_request (f, "GET", "/v1/me", f->nobody, NULL);
  g_autoptr(AmCloudMe) me = NULL;
  g_autoptr(AmCloudMe) nobody = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (reply->status, ==, 200);
  me = am_cloud_me_from_json (reply_object (reply), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (me->user->id, ==, f->agent_id);
  g_assert_nonnull (me->org->id);
  g_assert_cmpuint (me->grants->len, ==, 2);
  for (guint i = 0; i < me->grants->len; i++)
    {
      AmGrant *grant = g_ptr_array_index (me->grants, i);
      g_assert_cmpstr (am_grant_get_user_id (grant), ==, f->agent_id);
      g_assert_true (am_grant_has_permission (grant, AM_PERMISSION_REVOKE_CODES));
    }

  nobody = am_cloud_me_from_json (reply_object (nobody_reply), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nobody->grants->len, ==, 0);
}

/* Tests: sync */

static void
test_sync_sees_only_granted_properties (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(AmPasscodeRecord) pa = issue (f, f->agent, f->lock_a1, 0, 3);
  g_autoptr(AmPasscodeRecord) pb = issue (f, f->agent, f->lock_b1, 0, 3);
  g_autoptr(AmSyncPage) agent = sync_all (f, f->agent, NULL, 500, NULL);
  g_autoptr(AmSyncPage) viewer = sync_all (f, f->viewer, NULL, 500, NULL);
  g_autoptr(AmSyncPage) nobody = sync_all (f, f->nobody, NULL, 500, NULL);

  g_assert_cmpuint (agent->properties->len, ==, 2);
  g_assert_cmpuint (agent->locks->len, ==, 3);
  g_assert_cmpuint (agent->grants->len, ==, 2);
  g_assert_cmpuint (agent->passcodes->len, ==, 2);

  g_assert_cmpuint (viewer->properties->len, ==, 1);
  g_assert_cmpstr (((AmProperty *) g_ptr_array_index (viewer->properties, 0))->id, ==, f->prop_a);
  g_assert_cmpuint (viewer->locks->len, ==, 2);
  g_assert_cmpuint (viewer->grants->len, ==, 1);
  g_assert_cmpstr (am_grant_get_user_id (g_ptr_array_index (viewer->grants, 0)), ==, f->viewer_id);
  g_assert_true (has_passcode (viewer, pa->id));
  g_assert_false (has_passcode (viewer, pb->id));

  g_assert_cmpuint (nobody->properties->len, ==, 0);
  g_assert_cmpuint (nobody->locks->len, ==, 0);
  g_assert_cmpuint (nobody->passcodes->len, ==, 0);
  g_assert_cmpuint (nobody->grants->len, ==, 0);
}

static void
test_sync_lock_q_and_digits (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(AmSyncPage) page = sync_all (f, f->agent, NULL, 500, NULL);

  for (guint i = 0; i < page->locks->len; i++)
    {
      AmLock *lock = g_ptr_array_index (page->locks, i);
      if (g_str_equal (lock->id, f->lock_b1))
        g_assert_cmpuint (lock->q_offset_s, ==, 1800);   /* India: UTC+5:30 */
      else
        g_assert_cmpuint (lock->q_offset_s, ==, 0);
      g_assert_cmpuint (lock->digits, ==, g_str_equal (lock->id, f->lock_a2) ? 12 : 10);
      g_assert_cmpuint (lock->kv, ==, 1);
    }
}

static void
test_sync_without_view_activity_only_own (Fixture       *f,
                                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static const char * const issuer[] = { AM_PERMISSION_GENERATE_CODES, AM_PERMISSION_BLE_UNLOCK, NULL };
  g_autofree char *issuer_id = am_server_db_add_user (f->db, "issuer@example.com", "Ian Issuer", PASSWORD, &error);
  g_autofree char *issuer_token = NULL;
  g_autoptr(AmPasscodeRecord) own = NULL;
  g_autoptr(AmPasscodeRecord) others = NULL;
  g_autoptr(AmSyncPage) page = NULL;
  g_autoptr(Reply) unlock_reply = NULL;
  g_autoptr(Reply) events_reply = NULL;
  g_autofree char *events_path = g_strdup_printf ("/v1/locks/%s/events", f->lock_a1);
  g_autofree char *unlock_body = NULL;
  g_autofree char *at = am_time_format_utc (now_s () - 60);

  g_assert_no_error (error);
  g_assert_true (am_server_db_set_grant (f->db, issuer_id, f->prop_a, issuer, &error));
  issuer_token = sign_in (f, "issuer@example.com", PASSWORD);

  own = issue (f, issuer_token, f->lock_a1, 0, 2);
  others = issue (f, f->agent, f->lock_a1, 0, 4);
  unlock_body = g_strdup_printf ("{\"id\": \"%s\", \"lock_id\": \"%s\", \"at\": \"%s\", \"result\": \"ok\"}",
                                 "11111111-2222-4333-8444-555555555555", f->lock_a1, at);
  unlock_reply = send_request (f, "POST", "/v1/unlocks", issuer_token, unlock_body);
  g_assert_cmpuint (unlock_reply->status, ==, 201);
  {
    g_autofree char *body = g_strdup_printf ("{\"events\": [{\"seq\": 1, \"event\": \"ble_unlock\", \"at\": \"%s\","
                                             " \"start_h\": 0, \"p\": 0, \"result\": null}]}", at);
    events_reply = send_request (f, "POST", events_path, issuer_token, body);
    g_assert_cmpuint (events_reply->status, ==, 200);
  }

  page = sync_all (f, issuer_token, NULL, 500, NULL);
  g_assert_cmpuint (page->properties->len, ==, 1);
  g_assert_cmpuint (page->passcodes->len, ==, 1);
  g_assert_true (has_passcode (page, own->id));
  g_assert_cmpuint (page->unlocks->len, ==, 1);
  g_assert_cmpstr (((AmUnlock *) g_ptr_array_index (page->unlocks, 0))->user_id, ==, issuer_id);
  /* Events only with view_activity. */
  g_assert_cmpuint (page->events->len, ==, 0);
}

static void
test_sync_paging_sends_every_record_once (Fixture       *f,
                                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmSyncPage) all = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint pages = 0;

  g_assert_true (am_server_seed_bulk (f->db, f->agent_id, 5, 12, 90, &error));
  g_assert_no_error (error);

  all = sync_all (f, f->agent, NULL, 7, &pages);
  g_assert_cmpuint (all->properties->len, ==, 2 + 5);
  g_assert_cmpuint (all->locks->len, ==, 3 + 12);
  g_assert_cmpuint (all->grants->len, ==, 2 + 5);
  g_assert_cmpuint (all->passcodes->len, ==, 90);
  /* 119 records: 17 full pages, the last one saying there is no more. */
  g_assert_cmpuint (pages, ==, (7 + 15 + 7 + 90 + 6) / 7);

  for (guint i = 0; i < all->passcodes->len; i++)
    g_assert_true (g_hash_table_add (seen, g_strdup (((AmPasscodeRecord *) g_ptr_array_index (all->passcodes, i))->id)));
  for (guint i = 0; i < all->locks->len; i++)
    g_assert_true (g_hash_table_add (seen, g_strdup (((AmLock *) g_ptr_array_index (all->locks, i))->id)));
  for (guint i = 0; i < all->properties->len; i++)
    g_assert_true (g_hash_table_add (seen, g_strdup (((AmProperty *) g_ptr_array_index (all->properties, i))->id)));
}

static void
test_sync_incremental_sends_only_changes (Fixture       *f,
                                          gconstpointer  data)
{
  g_autoptr(AmSyncPage) first = sync_all (f, f->agent, NULL, 500, NULL);
  g_autoptr(AmSyncPage) empty = sync_all (f, f->agent, first->cursor, 500, NULL);
  g_autoptr(AmPasscodeRecord) pc = issue (f, f->agent, f->lock_a1, 0, 5);
  g_autoptr(AmSyncPage) next = sync_all (f, f->agent, empty->cursor, 500, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AmSyncPage) after_rotate = NULL;

  g_assert_cmpuint (empty->properties->len + empty->locks->len + empty->passcodes->len + empty->grants->len, ==, 0);
  g_assert_cmpuint (next->passcodes->len, ==, 1);
  g_assert_cmpstr (((AmPasscodeRecord *) g_ptr_array_index (next->passcodes, 0))->id, ==, pc->id);
  g_assert_cmpuint (next->properties->len + next->locks->len, ==, 0);

  g_assert_cmpuint (am_server_db_rotate_key (f->db, f->lock_a1, &error), ==, 2);
  after_rotate = sync_all (f, f->agent, next->cursor, 500, NULL);
  g_assert_cmpuint (after_rotate->locks->len, ==, 1);
  g_assert_cmpuint (((AmLock *) g_ptr_array_index (after_rotate->locks, 0))->kv, ==, 2);
}

static void
test_sync_lost_grant_appears_in_deleted (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(AmSyncPage) first = sync_all (f, f->viewer, NULL, 500, NULL);
  g_autoptr(AmSyncPage) agent_first = sync_all (f, f->agent, NULL, 500, NULL);
  g_autoptr(AmSyncPage) next = NULL;
  g_autoptr(AmSyncPage) agent = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (am_server_db_remove_grant (f->db, f->viewer_id, f->prop_a, &error));
  g_assert_no_error (error);
  next = sync_all (f, f->viewer, first->cursor, 500, NULL);
  g_assert_true (has_deleted (next, "grant", f->prop_a));
  g_assert_true (has_deleted (next, "property", f->prop_a));
  g_assert_cmpuint (next->properties->len + next->locks->len + next->grants->len, ==, 0);

  /* Nobody else is told. */
  agent = sync_all (f, f->agent, agent_first->cursor, 500, NULL);
  g_assert_cmpuint (agent->deleted->len, ==, 0);
}

static void
test_sync_deleted_property_appears_in_deleted (Fixture       *f,
                                               gconstpointer  data)
{
  g_autoptr(AmSyncPage) first = sync_all (f, f->agent, NULL, 500, NULL);
  g_autoptr(AmPasscodeRecord) pc = issue (f, f->agent, f->lock_b1, 0, 5);
  g_autoptr(AmSyncPage) next = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (am_server_db_delete_property (f->db, f->prop_b, &error));
  g_assert_no_error (error);
  next = sync_all (f, f->agent, first->cursor, 500, NULL);
  g_assert_true (has_deleted (next, "property", f->prop_b));
  /* The passcode made in between went with its property. */
  g_assert_false (has_passcode (next, pc->id));
  g_assert_cmpint (am_server_db_count (f->db, "locks"), ==, 2);
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, 0);
}

static void
test_sync_lost_view_activity_deletes_others_passcodes (Fixture       *f,
                                                       gconstpointer  data)
{
  static const char * const fewer[] = { AM_PERMISSION_GENERATE_CODES, NULL };
  g_autoptr(AmPasscodeRecord) mine = issue (f, f->agent, f->lock_a1, 0, 5);
  g_autoptr(AmSyncPage) first = sync_all (f, f->viewer, NULL, 500, NULL);
  g_autoptr(AmSyncPage) agent_first = sync_all (f, f->agent, NULL, 500, NULL);
  g_autoptr(AmSyncPage) next = NULL;
  g_autoptr(AmSyncPage) agent_next = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (has_passcode (first, mine->id));
  g_assert_true (am_server_db_set_grant (f->db, f->viewer_id, f->prop_a, fewer, &error));
  next = sync_all (f, f->viewer, first->cursor, 500, NULL);
  g_assert_true (has_deleted (next, "passcode", mine->id));
  g_assert_false (has_passcode (next, mine->id));
  g_assert_cmpuint (next->grants->len, ==, 1);

  /* The creator keeps seeing their own code. */
  g_assert_true (am_server_db_set_grant (f->db, f->agent_id, f->prop_a, fewer, &error));
  agent_next = sync_all (f, f->agent, agent_first->cursor, 500, NULL);
  g_assert_false (has_deleted (agent_next, "passcode", mine->id));
  g_assert_true (has_passcode (agent_next, mine->id));
}

static void
test_sync_new_grant_sends_older_records (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(AmPasscodeRecord) pc = issue (f, f->agent, f->lock_b1, 0, 5);
  g_autoptr(AmSyncPage) first = sync_all (f, f->viewer, NULL, 500, NULL);
  g_autoptr(AmSyncPage) next = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (has_passcode (first, pc->id));
  g_assert_true (am_server_db_set_grant (f->db, f->viewer_id, f->prop_b, viewer_permissions, &error));
  next = sync_all (f, f->viewer, first->cursor, 500, NULL);
  g_assert_cmpuint (next->properties->len, ==, 1);
  g_assert_cmpuint (next->locks->len, ==, 1);
  g_assert_cmpuint (next->grants->len, ==, 1);
  g_assert_true (has_passcode (next, pc->id));
}

static void
test_sync_bad_cursor_is_410 (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(AmSyncPage) first = sync_page (f, f->agent, NULL, 500, NULL);
  g_auto(GStrv) parts = g_strsplit (first->cursor, ".", -1);
  g_autofree char *other_db = g_strdup_printf ("v1.%s.%s", "00000000-0000-4000-8000-000000000000", parts[2]);
  g_autofree char *future = g_strdup_printf ("v1.%s.%" G_GINT64_FORMAT, parts[1],
                                             am_server_db_get_change_seq (f->db) + 1);
  const char *cursors[] = { "garbage", "v2.x.1", other_db, future, "v1..", "" };
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (cursors); i++)
    {
      g_autofree char *escaped = g_uri_escape_string (cursors[i], NULL, TRUE);
      g_autofree char *path = g_strdup_printf ("/v1/sync?since=%s", escaped);
      g_autoptr(Reply) reply = send_request (f, "GET", path, f->agent, NULL);

      if (cursors[i][0] == '\0')
        g_assert_cmpuint (reply->status, ==, 200);   /* an empty one is none */
      else
        assert_error (reply, 410, "cursor_gone");
    }

  /* Below the horizon: the tombstones it would need are gone. */
  g_assert_true (am_server_db_remove_grant (f->db, f->agent_id, f->prop_b, &error));
  g_assert_true (am_server_db_set_cursor_horizon (f->db, am_server_db_get_change_seq (f->db), &error));
  {
    g_autofree char *escaped = g_uri_escape_string (first->cursor, NULL, TRUE);
    g_autofree char *path = g_strdup_printf ("/v1/sync?since=%s", escaped);
    g_autoptr(Reply) reply = send_request (f, "GET", path, f->agent, NULL);
    assert_error (reply, 410, "cursor_gone");
  }
}

static void
test_sync_limit_is_checked (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(Reply) zero = send_request (f, "GET", "/v1/sync?limit=0", f->agent, NULL);
  g_autoptr(Reply) word = send_request (f, "GET", "/v1/sync?limit=many", f->agent, NULL);
  g_autoptr(Reply) big = send_request (f, "GET", "/v1/sync?limit=999999", f->agent, NULL);

  assert_error (zero, 422, "invalid");
  assert_error (word, 422, "invalid");
  g_assert_cmpuint (big->status, ==, 200);   /* at most 5000 */
}

static JsonNode *
parse_text (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

static void
assert_writers_agree (const AmSyncPage *page,
                      gboolean          more)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *core_text = NULL;
  g_autoptr(JsonNode) core = NULL;
  g_autoptr(JsonNode) fast = NULL;

  am_sync_page_to_json (page, more, builder);
  core_text = builder_text (builder);
  core = parse_text (core_text);
  am_server_json_write_sync_page (text, page, more);
  fast = parse_text (text->str);
  g_assert_true (json_node_equal (core, fast));
}

static void
test_sync_writer_equals_the_core_writer (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *odd = am_server_db_add_property (f->db, "The \"Odd\" One \\ Ünïcödé 🏠",
                                                    "1 Tab\tStreet\nSuite \x01", "Zürich", "ZH",
                                                    "8001", "Europe/Zurich", &error);
  g_autoptr(AmSyncPage) first = NULL;
  g_autoptr(AmSyncPage) next = NULL;
  gboolean more = FALSE;

  g_assert_no_error (error);
  g_assert_true (am_server_db_set_grant (f->db, f->agent_id, odd, agent_permissions, &error));
  g_assert_true (am_server_seed_demo_full (f->db, now_s (), NULL, &error));
  g_assert_no_error (error);

  first = am_server_db_sync (f->db, f->agent_id, NULL, 5000, &more, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->properties->len, ==, 3);
  assert_writers_agree (first, more);

  /* A page with deletions, and one with everything of the demo. */
  g_assert_true (am_server_db_remove_grant (f->db, f->agent_id, odd, &error));
  next = am_server_db_sync (f->db, f->agent_id, first->cursor, 5000, &more, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (next->deleted->len, ==, 2);
  assert_writers_agree (next, more);
  {
    g_autofree char *demo_id = NULL;
    g_autoptr(AmSyncPage) demo = NULL;
    g_autofree char *token = sign_in (f, AM_SERVER_DEMO_EMAIL, AM_SERVER_DEMO_PASSWORD);
    g_autoptr(Reply) me_reply = send_request (f, "GET", "/v1/me", token, NULL);
    g_autoptr(AmCloudMe) me = am_cloud_me_from_json (reply_object (me_reply), &error);

    g_assert_no_error (error);
    demo = am_server_db_sync (f->db, me->user->id, NULL, 5000, &more, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (demo->passcodes->len, >, 500);
    g_assert_cmpuint (demo->unlocks->len, >, 0);
    assert_writers_agree (demo, more);
  }
}

/* Tests: lock keys */

static AmCloudLockKey *
get_key (Fixture    *f,
         const char *token,
         const char *lock_id,
         guint       expected_status)
{
  g_autofree char *path = g_strdup_printf ("/v1/locks/%s/key", lock_id);
  g_autoptr(Reply) reply = send_request (f, "GET", path, token, NULL);
  g_autoptr(GError) error = NULL;
  AmCloudLockKey *key;

  g_assert_cmpuint (reply->status, ==, expected_status);
  if (expected_status != 200)
    return NULL;
  key = am_cloud_lock_key_from_json (reply_object (reply), &error);
  g_assert_no_error (error);
  return key;
}

static void
test_keys_current_and_previous (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(AmCloudLockKey) before = get_key (f, f->agent, f->lock_a1, 200);
  g_autoptr(AmCloudLockKey) vendor = get_key (f, f->vendor, f->lock_a1, 200);
  g_autoptr(AmCloudLockKey) after = NULL;
  g_autoptr(AmCloudLockKey) other = get_key (f, f->agent, f->lock_a2, 200);
  g_autoptr(GError) error = NULL;
  gint64 now = now_s ();

  g_assert_cmpuint (before->kv, ==, 1);
  g_assert_cmpuint (before->previous_kv, ==, 0);
  g_assert_cmpmem (before->key, 32, vendor->key, 32);
  /* One key a lock. */
  g_assert_true (memcmp (before->key, other->key, 32) != 0);

  g_assert_cmpuint (am_server_db_rotate_key (f->db, f->lock_a1, &error), ==, 2);
  after = get_key (f, f->agent, f->lock_a1, 200);
  g_assert_cmpuint (after->kv, ==, 2);
  g_assert_true (memcmp (before->key, after->key, 32) != 0);
  g_assert_cmpuint (after->previous_kv, ==, 1);
  g_assert_cmpmem (after->previous_key, 32, before->key, 32);
  g_assert_cmpint (after->previous_valid_until, >=, now + AM_SERVER_PREVIOUS_KEY_S - 5);
  g_assert_cmpint (after->previous_valid_until, <=, now + AM_SERVER_PREVIOUS_KEY_S + 5);
}

static void
test_keys_without_permission_is_403 (Fixture       *f,
                                     gconstpointer  data)
{
  g_autofree char *path = g_strdup_printf ("/v1/locks/%s/key", f->lock_a1);
  g_autofree char *path_b = g_strdup_printf ("/v1/locks/%s/key", f->lock_b1);
  g_autoptr(Reply) viewer = send_request (f, "GET", path, f->viewer, NULL);
  g_autoptr(Reply) nobody = send_request (f, "GET", path, f->nobody, NULL);
  g_autoptr(Reply) vendor_b = send_request (f, "GET", path_b, f->vendor, NULL);

  assert_error (viewer, 403, "forbidden");
  /* Without a grant on the property, its lock is unknown to them. */
  assert_error (nobody, 404, "not_found");
  assert_error (vendor_b, 404, "not_found");
}

static void
test_keys_unknown_lock_is_404 (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(Reply) reply = send_request (f, "GET", "/v1/locks/3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30/key", f->agent, NULL);

  assert_error (reply, 404, "not_found");
}

/* Tests: passcodes */

static void
test_passcode_create_is_201 (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(AmPasscodeRecord) request = passcode_request (f->lock_b1, 10, 1800, 3600, 901);
  g_autoptr(Reply) reply = post_passcode (f, f->agent, request);
  g_autoptr(AmPasscodeRecord) stored = NULL;

  g_assert_cmpuint (reply->status, ==, 201);
  stored = reply_passcode (reply);
  g_assert_cmpstr (stored->id, ==, request->id);
  g_assert_cmpint (stored->kind, ==, AM_PASSCODE_KIND_ONE_TIME);
  g_assert_cmpuint (stored->start_h, ==, request->start_h);
  g_assert_cmpuint (stored->p, ==, 901);
  g_assert_cmpint (stored->starts_at % 3600, ==, 1800);
  g_assert_cmpint (stored->use_by, ==, stored->starts_at + 86400);
  g_assert_cmpstr (stored->source, ==, AM_PASSCODE_SOURCE_MANUAL);
  g_assert_cmpstr (stored->created_by_id, ==, f->agent_id);
  g_assert_cmpstr (stored->created_by_name, ==, "Alex Agent");
  g_assert_cmpstr (stored->recipient_name, ==, "Jamie Chen");
  g_assert_cmpint (stored->revoked_at, ==, 0);
  g_assert_cmpuint (stored->use_count, ==, 0);
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, 1);
}

static void
test_passcode_same_id_same_body_is_200 (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(AmPasscodeRecord) request = passcode_request (f->lock_a1, 10, 0, 0, 23);
  g_autoptr(Reply) first = post_passcode (f, f->agent, request);
  g_autoptr(Reply) again = post_passcode (f, f->agent, request);
  g_autoptr(AmPasscodeRecord) a = NULL;
  g_autoptr(AmPasscodeRecord) b = NULL;

  g_assert_cmpuint (first->status, ==, 201);
  g_assert_cmpuint (again->status, ==, 200);
  a = reply_passcode (first);
  b = reply_passcode (again);
  g_assert_true (am_passcode_record_equal (a, b));
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, 1);
}

static void
test_passcode_same_id_other_body_is_409 (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(AmPasscodeRecord) request = passcode_request (f->lock_a1, 10, 0, 0, 23);
  g_autoptr(Reply) first = post_passcode (f, f->agent, request);
  g_autoptr(Reply) other = NULL;

  g_assert_cmpuint (first->status, ==, 201);
  g_free (request->note);
  request->note = g_strdup ("A different note");
  other = post_passcode (f, f->agent, request);
  assert_error (other, 409, "conflict");
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, 1);
}

static void
test_passcode_without_generate_codes_is_403 (Fixture       *f,
                                             gconstpointer  data)
{
  g_autoptr(AmPasscodeRecord) request = passcode_request (f->lock_a1, 10, 0, 0, 23);
  g_autoptr(Reply) viewer = post_passcode (f, f->viewer, request);
  g_autoptr(Reply) vendor = post_passcode (f, f->vendor, request);
  g_autoptr(Reply) nobody = post_passcode (f, f->nobody, request);

  assert_error (viewer, 403, "forbidden");
  assert_error (vendor, 403, "forbidden");
  assert_error (nobody, 404, "not_found");
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, 0);
}

static void
test_passcode_unknown_lock_is_404 (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(AmPasscodeRecord) request = passcode_request ("3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30", 10, 0, 0, 23);
  g_autoptr(Reply) reply = post_passcode (f, f->agent, request);

  assert_error (reply, 404, "not_found");
}

static void
test_passcode_checks_are_422 (Fixture       *f,
                              gconstpointer  data)
{
  struct { const char *what; const char *code; } cases[] = {
    { "ends_at", "window_mismatch" },
    { "starts_at-q", "window_mismatch" },
    { "digits", "window_mismatch" },
    { "created_at", "use_by_passed" },
    { "kv", "unknown_key_version" },
    { "kind", NULL },
    { "idempotency", "idempotency_key" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AmPasscodeRecord) request = passcode_request (f->lock_b1, 10, 1800, 0, 5);
      g_autoptr(Reply) reply = NULL;

      g_test_message ("%s", cases[i].what);
      if (g_str_equal (cases[i].what, "ends_at"))
        request->ends_at += 3600;
      else if (g_str_equal (cases[i].what, "starts_at-q"))
        {
          /* The window of Q 0 on a lock of Q 1800. */
          request->starts_at -= 1800;
          request->ends_at -= 1800;
        }
      else if (g_str_equal (cases[i].what, "digits"))
        request->digits = 12;
      else if (g_str_equal (cases[i].what, "created_at"))
        request->created_at = request->use_by;
      else if (g_str_equal (cases[i].what, "kv"))
        request->kv = 2;
      else if (g_str_equal (cases[i].what, "kind"))
        request->kind = AM_PASSCODE_KIND_ONE_TIME;

      if (g_str_equal (cases[i].what, "idempotency"))
        {
          g_autofree char *body = create_body (request);
          reply = send_full (f->session, f->url, "POST", "/v1/passcodes", f->agent, body, strlen (body),
                             NULL, FALSE);
        }
      else
        reply = post_passcode (f, f->agent, request);
      assert_error (reply, 422, cases[i].code);
    }
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, 0);
}

static void
test_passcode_previous_key_accepted_while_valid (Fixture       *f,
                                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmPasscodeRecord) old_kv = passcode_request (f->lock_a1, 10, 0, 0, 5);
  g_autoptr(AmPasscodeRecord) new_kv = passcode_request (f->lock_a1, 10, 0, 0, 6);
  g_autoptr(AmPasscodeRecord) too_new = passcode_request (f->lock_a1, 10, 0, 0, 7);
  g_autoptr(Reply) a = NULL;
  g_autoptr(Reply) b = NULL;
  g_autoptr(Reply) c = NULL;

  g_assert_cmpuint (am_server_db_rotate_key (f->db, f->lock_a1, &error), ==, 2);
  new_kv->kv = 2;
  too_new->kv = 3;
  a = post_passcode (f, f->agent, old_kv);
  b = post_passcode (f, f->agent, new_kv);
  c = post_passcode (f, f->agent, too_new);
  g_assert_cmpuint (a->status, ==, 201);
  g_assert_cmpuint (b->status, ==, 201);
  assert_error (c, 422, "unknown_key_version");
}

static void
test_passcode_malformed_is_422 (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(Reply) not_json = send_full (f->session, f->url, "POST", "/v1/passcodes", f->agent,
                                         "{", 1, "3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30", FALSE);
  g_autoptr(Reply) missing = send_full (f->session, f->url, "POST", "/v1/passcodes", f->agent,
                                        "{\"id\": \"3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30\"}", 46,
                                        "3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30", FALSE);

  assert_error (not_json, 422, "invalid");
  assert_error (missing, 422, "invalid");
}

static void
test_passcode_revoke_sets_revoked (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(AmPasscodeRecord) pc = issue (f, f->agent, f->lock_a1, 3600, 5);
  g_autofree char *path = g_strdup_printf ("/v1/passcodes/%s/revoke", pc->id);
  g_autoptr(Reply) reply = send_request (f, "POST", path, f->agent, NULL);
  g_autoptr(Reply) again = NULL;
  g_autoptr(AmPasscodeRecord) revoked = NULL;
  g_autoptr(AmPasscodeRecord) revoked_again = NULL;

  g_assert_cmpuint (reply->status, ==, 200);
  revoked = reply_passcode (reply);
  g_assert_cmpint (revoked->revoked_at, >, 0);
  g_assert_cmpstr (revoked->revoked_by_id, ==, f->agent_id);
  g_assert_cmpstr (revoked->revoked_by_name, ==, "Alex Agent");
  g_assert_cmpint (am_passcode_record_get_status (revoked, now_s ()), ==, AM_PASSCODE_STATUS_REVOKED);

  /* Revoking again changes nothing. */
  again = send_request (f, "POST", path, f->agent, NULL);
  g_assert_cmpuint (again->status, ==, 200);
  revoked_again = reply_passcode (again);
  g_assert_cmpint (revoked_again->revoked_at, ==, revoked->revoked_at);
}

static void
test_passcode_revoke_without_permission_is_403 (Fixture       *f,
                                                gconstpointer  data)
{
  g_autoptr(AmPasscodeRecord) pc = issue (f, f->agent, f->lock_a1, 3600, 5);
  g_autofree char *path = g_strdup_printf ("/v1/passcodes/%s/revoke", pc->id);
  g_autoptr(Reply) viewer = send_request (f, "POST", path, f->viewer, NULL);
  g_autoptr(Reply) nobody = send_request (f, "POST", path, f->nobody, NULL);
  g_autoptr(Reply) unknown = send_request (f, "POST", "/v1/passcodes/3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30/revoke",
                                           f->agent, NULL);

  assert_error (viewer, 403, "forbidden");
  assert_error (nobody, 404, "not_found");
  assert_error (unknown, 404, "not_found");
}

/* Tests: events and unlocks */

static char *
events_body (const char *entries)
{
  return g_strdup_printf ("{\"events\": [%s]}", entries);
}

static char *
event_json (guint32     seq,
            const char *event,
            gint64      at,
            guint32     start_h,
            guint       p,
            const char *result)
{
  g_autofree char *when = am_time_format_utc (at);

  if (result != NULL)
    return g_strdup_printf ("{\"seq\": %u, \"event\": \"%s\", \"at\": \"%s\", \"start_h\": %u, \"p\": %u, \"result\": \"%s\"}",
                            seq, event, when, start_h, p, result);
  return g_strdup_printf ("{\"seq\": %u, \"event\": \"%s\", \"at\": \"%s\", \"start_h\": %u, \"p\": %u, \"result\": null}",
                          seq, event, when, start_h, p);
}

static Reply *
post_events (Fixture    *f,
             const char *token,
             const char *lock_id,
             const char *entries)
{
  g_autofree char *path = g_strdup_printf ("/v1/locks/%s/events", lock_id);
  g_autofree char *body = events_body (entries);

  return send_request (f, "POST", path, token, body);
}

static void
assert_counts (Reply *reply,
               gint64 accepted,
               gint64 duplicates)
{
  JsonObject *object;

  g_assert_cmpuint (reply->status, ==, 200);
  object = reply_object (reply);
  g_assert_cmpint (json_object_get_int_member (object, "accepted"), ==, accepted);
  g_assert_cmpint (json_object_get_int_member (object, "duplicates"), ==, duplicates);
}

static void
test_events_upload_is_idempotent (Fixture       *f,
                                  gconstpointer  data)
{
  gint64 now = now_s ();
  g_autofree char *e1 = event_json (1, "keypad_reject", now - 300, 0, 0, "no_match");
  g_autofree char *e2 = event_json (2, "ble_unlock", now - 200, 0, 0, NULL);
  g_autofree char *e3 = event_json (3, "lockout", now - 100, 0, 0, NULL);
  g_autofree char *first_batch = g_strjoin (", ", e1, e2, NULL);
  g_autofree char *second_batch = g_strjoin (", ", e2, e3, NULL);
  g_autoptr(Reply) first = post_events (f, f->vendor, f->lock_a1, first_batch);
  g_autoptr(Reply) second = post_events (f, f->vendor, f->lock_a1, second_batch);
  g_autoptr(Reply) other_lock = post_events (f, f->agent, f->lock_a2, e1);
  g_autoptr(AmSyncPage) page = NULL;

  assert_counts (first, 2, 0);
  assert_counts (second, 1, 1);
  /* (lock_id, seq): the same seq on another lock is another event. */
  assert_counts (other_lock, 1, 0);
  g_assert_cmpint (am_server_db_count (f->db, "lock_events"), ==, 4);

  page = sync_all (f, f->agent, NULL, 500, NULL);
  g_assert_cmpuint (page->events->len, ==, 4);
}

static void
test_events_keypad_open_links_passcodes (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(AmPasscodeRecord) pc = issue (f, f->agent, f->lock_a1, -3 * 3600, 23);
  g_autoptr(AmPasscodeRecord) other = issue (f, f->agent, f->lock_a1, -3 * 3600, 22);
  g_autofree char *late = event_json (11, "keypad_open", pc->starts_at + 3000, pc->start_h, pc->p, NULL);
  g_autofree char *early = event_json (10, "keypad_open", pc->starts_at + 1000, pc->start_h, pc->p, NULL);
  g_autofree char *batch = g_strjoin (", ", late, early, NULL);
  g_autoptr(Reply) reply = post_events (f, f->agent, f->lock_a1, batch);
  g_autoptr(Reply) again = post_events (f, f->agent, f->lock_a1, batch);
  g_autoptr(AmSyncPage) page = NULL;

  assert_counts (reply, 2, 0);
  assert_counts (again, 0, 2);

  page = sync_all (f, f->agent, NULL, 500, NULL);
  for (guint i = 0; i < page->passcodes->len; i++)
    {
      AmPasscodeRecord *record = g_ptr_array_index (page->passcodes, i);

      if (g_str_equal (record->id, pc->id))
        {
          /* Counted once a new event, never for a duplicate. */
          g_assert_cmpuint (record->use_count, ==, 2);
          g_assert_cmpint (record->first_used_at, ==, pc->starts_at + 1000);
          g_assert_cmpint (record->last_used_at, ==, pc->starts_at + 3000);
          g_assert_cmpint (am_passcode_record_get_status (record, now_s ()), ==, AM_PASSCODE_STATUS_ACTIVE);
        }
      else
        {
          g_assert_cmpstr (record->id, ==, other->id);
          g_assert_cmpuint (record->use_count, ==, 0);
          g_assert_cmpint (record->first_used_at, ==, 0);
        }
    }
  g_assert_cmpuint (page->events->len, ==, 2);
  for (guint i = 0; i < page->events->len; i++)
    g_assert_cmpstr (((AmLockEventRecord *) g_ptr_array_index (page->events, i))->passcode_id, ==, pc->id);
}

static void
test_events_without_ble_unlock_is_403 (Fixture       *f,
                                       gconstpointer  data)
{
  g_autofree char *e1 = event_json (1, "ble_unlock", now_s () - 60, 0, 0, NULL);
  g_autoptr(Reply) viewer = post_events (f, f->viewer, f->lock_a1, e1);
  g_autoptr(Reply) vendor_b = post_events (f, f->vendor, f->lock_b1, e1);
  g_autoptr(Reply) unknown = post_events (f, f->agent, "3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30", e1);

  assert_error (viewer, 403, "forbidden");
  assert_error (vendor_b, 404, "not_found");
  assert_error (unknown, 404, "not_found");
  g_assert_cmpint (am_server_db_count (f->db, "lock_events"), ==, 0);
}

static void
test_events_invalid_is_422 (Fixture       *f,
                            gconstpointer  data)
{
  /* A keypad_reject without its result. */
  g_autofree char *bad = event_json (1, "keypad_reject", now_s () - 60, 0, 0, NULL);
  g_autoptr(Reply) reply = post_events (f, f->agent, f->lock_a1, bad);
  g_autofree char *path = g_strdup_printf ("/v1/locks/%s/events", f->lock_a1);
  g_autoptr(Reply) no_list = send_request (f, "POST", path, f->agent, "{\"entries\": []}");

  assert_error (reply, 422, "invalid");
  assert_error (no_list, 422, "invalid");
}

static Reply *
post_unlock (Fixture    *f,
             const char *token,
             const char *id,
             const char *lock_id,
             gint64      at,
             const char *result)
{
  g_autofree char *when = am_time_format_utc (at);
  g_autofree char *body = g_strdup_printf ("{\"id\": \"%s\", \"lock_id\": \"%s\", \"at\": \"%s\", \"result\": \"%s\"}",
                                           id, lock_id, when, result);

  return send_request (f, "POST", "/v1/unlocks", token, body);
}

static void
test_unlocks_create_is_idempotent (Fixture       *f,
                                   gconstpointer  data)
{
  const char *id = "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f";
  gint64 at = now_s () - 30;
  g_autoptr(Reply) first = post_unlock (f, f->vendor, id, f->lock_a1, at, "ok");
  g_autoptr(Reply) again = post_unlock (f, f->vendor, id, f->lock_a1, at, "ok");
  g_autoptr(Reply) other = post_unlock (f, f->vendor, id, f->lock_a1, at, "jammed");
  g_autoptr(AmUnlock) unlock = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (first->status, ==, 201);
  unlock = am_unlock_from_json (reply_object (first), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (unlock->user_id, ==, f->vendor_id);
  g_assert_cmpstr (unlock->user_name, ==, "Victor Vendor");
  g_assert_cmpint (unlock->at, ==, at);
  g_assert_cmpuint (again->status, ==, 200);
  assert_error (other, 409, "conflict");
  g_assert_cmpint (am_server_db_count (f->db, "unlocks"), ==, 1);
}

static void
test_unlocks_without_ble_unlock_is_403 (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(Reply) viewer = post_unlock (f, f->viewer, "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f", f->lock_a1, now_s (), "ok");
  g_autoptr(Reply) vendor_b = post_unlock (f, f->vendor, "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f", f->lock_b1, now_s (), "ok");
  g_autoptr(Reply) invalid = send_request (f, "POST", "/v1/unlocks", f->agent, "{\"id\": \"nope\"}");

  assert_error (viewer, 403, "forbidden");
  assert_error (vendor_b, 404, "not_found");
  assert_error (invalid, 422, "invalid");
  g_assert_cmpint (am_server_db_count (f->db, "unlocks"), ==, 0);
}

/* Tests: HTTP */

static void
test_body_over_1_mib_is_413 (Fixture       *f,
                             gconstpointer  data)
{
  gsize len = AM_SERVER_MAX_BODY + 1;
  g_autofree char *body = g_malloc (len);
  g_autoptr(Reply) reply = NULL;
  g_autoptr(Reply) still = NULL;

  memset (body, ' ', len);
  body[0] = '{';
  body[len - 1] = '}';
  reply = send_full (f->session, f->url, "POST", "/v1/unlocks", f->agent, body, len, NULL, TRUE);
  assert_error (reply, 413, "too_large");
  /* Just under the limit is read (and then refused for what it says). */
  reply_free (g_steal_pointer (&reply));
  reply = send_full (f->session, f->url, "POST", "/v1/unlocks", f->agent, body + 1, len - 2, NULL, FALSE);
  assert_error (reply, 422, "invalid");
  /* The server goes on. */
  still = send_request (f, "GET", "/v1/me", f->agent, NULL);
  g_assert_cmpuint (still->status, ==, 200);
}

static void
test_unknown_path_is_404 (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(Reply) a = send_request (f, "GET", "/v1/nothing", f->agent, NULL);
  g_autoptr(Reply) b = send_request (f, "GET", "/v2/me", f->agent, NULL);
  g_autoptr(Reply) c = send_request (f, "POST", "/v1/me", f->agent, "{}");

  assert_error (a, 404, "not_found");
  assert_error (b, 404, "not_found");
  assert_error (c, 405, "method_not_allowed");
}

static void
test_https_with_test_certificate (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cert_path = g_test_build_filename (G_TEST_DIST, "data", "test-cert.pem", NULL);
  g_autofree char *key_path = g_test_build_filename (G_TEST_DIST, "data", "test-key.pem", NULL);
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "https", NULL);
  g_autofree char *db_path = g_build_filename (dir, "cloud.db", NULL);
  g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_autoptr(GTlsDatabase) trust = NULL;
  g_autoptr(AmServerDb) db = NULL;
  g_autoptr(AmServer) server = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupSession) untrusting = NULL;
  g_autofree char *url = NULL;
  g_autofree char *user_id = NULL;
  g_autoptr(Reply) reply = NULL;
  g_autoptr(Reply) refused = NULL;

  g_assert_no_error (error);
  trust = g_tls_file_database_new (cert_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  db = am_server_db_open (db_path, &error);
  g_assert_no_error (error);
  user_id = am_server_db_add_user (db, "agent@example.com", "Alex Agent", PASSWORD, &error);
  g_assert_no_error (error);

  server = am_server_new (db);
  am_server_set_quiet (server, TRUE);
  g_assert_true (am_server_listen (server, "127.0.0.1", 0, certificate, &error));
  g_assert_no_error (error);
  url = am_server_get_url (server);
  g_assert_true (g_str_has_prefix (url, "https://127.0.0.1:"));

  session = soup_session_new_with_options ("timeout", 10, NULL);
  soup_session_set_tls_database (session, trust);
  reply = send_full (session, url, "POST", "/v1/sessions", NULL,
                     "{\"email\": \"agent@example.com\", \"password\": \"" PASSWORD "\", \"device_name\": \"x\"}",
                     strlen ("{\"email\": \"agent@example.com\", \"password\": \"" PASSWORD "\", \"device_name\": \"x\"}"),
                     NULL, FALSE);
  g_assert_no_error (reply->error);
  g_assert_cmpuint (reply->status, ==, 201);

  /* A client that does not trust the certificate gets no answer. */
  untrusting = soup_session_new_with_options ("timeout", 10, NULL);
  refused = send_full (untrusting, url, "GET", "/v1/me", NULL, NULL, 0, NULL, FALSE);
  g_assert_nonnull (refused->error);

  soup_session_abort (session);
  soup_session_abort (untrusting);
}

static void
test_plain_http_refused_off_loopback (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "plain", NULL);
  g_autofree char *db_path = g_build_filename (dir, "cloud.db", NULL);
  g_autoptr(AmServerDb) db = NULL;
  g_autoptr(AmServer) server = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  db = am_server_db_open (db_path, &error);
  g_assert_no_error (error);
  server = am_server_new (db);
  g_assert_false (am_server_listen (server, "0.0.0.0", 0, NULL, &error));
  g_assert_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "--tls-cert"));
}

/* Tests: faults */

static void
test_fault_error_500_changes_nothing (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(AmPasscodeRecord) request = passcode_request (f->lock_a1, 10, 0, 0, 23);
  g_autoptr(Reply) failed = NULL;
  g_autoptr(Reply) retried = NULL;

  am_server_inject_faults (f->server, AM_SERVER_FAULT_ERROR_500, 1);
  failed = post_passcode (f, f->agent, request);
  assert_error (failed, 500, "internal_error");
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, 0);
  retried = post_passcode (f, f->agent, request);
  g_assert_cmpuint (retried->status, ==, 201);
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, 1);
}

static void
test_fault_error_500_after_commit_keeps_the_change (Fixture       *f,
                                                    gconstpointer  data)
{
  g_autoptr(AmPasscodeRecord) request = passcode_request (f->lock_a1, 10, 0, 0, 23);
  g_autoptr(Reply) failed = NULL;
  g_autoptr(Reply) retried = NULL;

  am_server_inject_faults (f->server, AM_SERVER_FAULT_ERROR_500_AFTER_COMMIT, 1);
  failed = post_passcode (f, f->agent, request);
  assert_error (failed, 500, "internal_error");
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, 1);
  /* The retry finds it: 200, still one copy. */
  retried = post_passcode (f, f->agent, request);
  g_assert_cmpuint (retried->status, ==, 200);
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, 1);
}

static void
test_fault_hang_never_answers (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(SoupSession) impatient = soup_session_new_with_options ("timeout", 1, NULL);
  g_autoptr(Reply) hung = NULL;
  g_autoptr(Reply) after = NULL;
  g_autoptr(AmPasscodeRecord) request = passcode_request (f->lock_a1, 10, 0, 0, 23);
  g_autofree char *body = create_body (request);

  am_server_inject_faults (f->server, AM_SERVER_FAULT_HANG, 1);
  hung = send_full (impatient, f->url, "POST", "/v1/passcodes", f->agent, body, strlen (body),
                    request->id, FALSE);
  g_assert_error (hung->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpuint (am_server_get_n_hung (f->server), ==, 1);
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, 0);

  after = send_request (f, "GET", "/v1/me", f->agent, NULL);
  g_assert_cmpuint (after->status, ==, 200);
  soup_session_abort (impatient);
}

static void
test_fault_malformed_json (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(Reply) reply = NULL;
  g_autoptr(Reply) after = NULL;

  am_server_inject_faults (f->server, AM_SERVER_FAULT_MALFORMED_JSON, 2);
  reply = send_request (f, "GET", "/v1/sync", f->agent, NULL);
  g_assert_no_error (reply->error);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_null (reply->json);
  g_assert_cmpmem (g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body), "{\"cursor\": ", 11);
  reply_free (g_steal_pointer (&reply));
  reply = send_request (f, "GET", "/v1/me", f->agent, NULL);
  g_assert_null (reply->json);
  /* Two answers, then normal again. */
  after = send_request (f, "GET", "/v1/me", f->agent, NULL);
  g_assert_nonnull (after->json);
}

static void
test_fault_truncated_is_half_and_changes_nothing (Fixture       *f,
                                                  gconstpointer  data)
{
  g_autoptr(Reply) whole = send_request (f, "GET", "/v1/me", f->agent, NULL);
  g_autoptr(Reply) cut = NULL;
  g_autoptr(Reply) post = NULL;
  g_autoptr(AmPasscodeRecord) request = passcode_request (f->lock_a1, 10, 0, 0, 23);

  am_server_inject_faults (f->server, AM_SERVER_FAULT_TRUNCATED, 2);
  cut = send_request (f, "GET", "/v1/me", f->agent, NULL);
  g_assert_no_error (cut->error);
  g_assert_cmpuint (cut->status, ==, 200);
  g_assert_null (cut->json);
  g_assert_cmpuint (g_bytes_get_size (cut->body), ==, g_bytes_get_size (whole->body) / 2);
  g_assert_cmpmem (g_bytes_get_data (cut->body, NULL), g_bytes_get_size (cut->body),
                   g_bytes_get_data (whole->body, NULL), g_bytes_get_size (whole->body) / 2);

  post = post_passcode (f, f->agent, request);
  g_assert_cmpuint (post->status, ==, 201);
  g_assert_null (post->json);
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, 0);
}

static void
test_fault_rate_limit_has_retry_after (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(Reply) reply = NULL;
  g_autoptr(Reply) after = NULL;
  g_autoptr(AmPasscodeRecord) request = passcode_request (f->lock_a1, 10, 0, 0, 23);

  am_server_inject_faults (f->server, AM_SERVER_FAULT_RATE_LIMIT, 1);
  reply = post_passcode (f, f->agent, request);
  assert_error (reply, 429, "rate_limited");
  g_assert_cmpstr (reply->retry_after, ==, "1");
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, 0);
  after = post_passcode (f, f->agent, request);
  g_assert_cmpuint (after->status, ==, 201);
}

/* Tests: seeds and the database */

static void
test_seed_demo_is_believable (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "demo", NULL);
  g_autofree char *db_path = g_build_filename (dir, "demo.db", NULL);
  g_autoptr(AmServerDb) db = NULL;
  AmServerSeedSummary summary;
  GStatBuf st;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  db = am_server_db_open (db_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (db_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_true (am_server_seed_demo_full (db, now_s (), &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.n_properties, ==, 40);
  g_assert_cmpuint (summary.n_locks, >=, 110);
  g_assert_cmpuint (summary.n_locks, <=, 130);
  g_assert_cmpint (am_server_db_count (db, "properties"), ==, 40);
  g_assert_cmpint (am_server_db_count (db, "passcodes"), ==, summary.n_passcodes);
  g_assert_cmpint (am_server_db_count (db, "lock_events"), ==, summary.n_events);

  /* The demo agent signs in and sees it all, with codes in every state. */
  {
    g_autoptr(AmServer) server = am_server_new (db);
    g_autoptr(SoupSession) session = soup_session_new ();
    const char *body = "{\"email\": \"" AM_SERVER_DEMO_EMAIL "\", \"password\": \"" AM_SERVER_DEMO_PASSWORD "\", \"device_name\": \"x\"}";
    g_autofree char *url = NULL;
    g_autoptr(Reply) reply = NULL;
    g_autoptr(AmCloudSession) signed_in = NULL;
    Fixture f = { 0 };
    g_autoptr(AmSyncPage) page = NULL;
    guint states[AM_PASSCODE_STATUS_REVOKED + 1] = { 0 };
    guint n_tour = 0, n_half_hour = 0, n_twelve = 0;
    gint64 now = now_s ();

    am_server_set_quiet (server, TRUE);
    g_assert_true (am_server_listen (server, NULL, 0, NULL, &error));
    url = am_server_get_url (server);
    reply = send_full (session, url, "POST", "/v1/sessions", NULL, body, strlen (body), NULL, FALSE);
    g_assert_cmpuint (reply->status, ==, 201);
    signed_in = am_cloud_session_from_json (reply_object (reply), TRUE, &error);
    g_assert_no_error (error);

    f.session = session;
    f.url = url;
    page = sync_all (&f, signed_in->token, NULL, 5000, NULL);
    f.url = NULL;
    g_assert_cmpuint (page->properties->len, ==, 40);
    g_assert_cmpuint (page->locks->len, ==, summary.n_locks);
    g_assert_cmpuint (page->passcodes->len, ==, summary.n_passcodes);
    g_assert_cmpuint (page->events->len, ==, summary.n_events);
    for (guint i = 0; i < page->passcodes->len; i++)
      {
        AmPasscodeRecord *pc = g_ptr_array_index (page->passcodes, i);
        states[am_passcode_record_get_status (pc, now)]++;
        n_tour += g_str_equal (pc->source, AM_PASSCODE_SOURCE_TOUR);
        g_assert_cmpint (pc->created_at, <, pc->use_by);
        g_assert_cmpint (pc->created_at, <=, now);
      }
    for (guint i = 0; i < page->locks->len; i++)
      {
        AmLock *lock = g_ptr_array_index (page->locks, i);
        n_half_hour += lock->q_offset_s == 1800;
        n_twelve += lock->digits == 12;
      }
    for (guint s = 0; s <= AM_PASSCODE_STATUS_REVOKED; s++)
      g_assert_cmpuint (states[s], >, 0);
    g_assert_cmpuint (n_tour, >, 0);
    g_assert_cmpuint (n_half_hour, >, 0);
    g_assert_cmpuint (n_twelve, >, 0);
    g_assert_cmpuint (n_twelve, <, page->locks->len / 4);
    soup_session_abort (session);
  }
}

static void
test_seed_bulk_writes_the_counts (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "bulk", NULL);
  g_autofree char *db_path = g_build_filename (dir, "bulk.db", NULL);
  g_autoptr(AmServerDb) db = NULL;
  g_autofree char *user_id = NULL;
  gint64 start;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  db = am_server_db_open (db_path, &error);
  g_assert_no_error (error);
  user_id = am_server_db_add_user (db, "bench@example.com", "Bench User", PASSWORD, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  g_assert_true (am_server_seed_bulk (db, user_id, 100, 200, 2000, &error));
  g_assert_no_error (error);
  g_test_message ("bulk seed of 100/200/2000: %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpint (am_server_db_count (db, "properties"), ==, 100);
  g_assert_cmpint (am_server_db_count (db, "locks"), ==, 200);
  g_assert_cmpint (am_server_db_count (db, "lock_keys"), ==, 200);
  g_assert_cmpint (am_server_db_count (db, "grants"), ==, 100);
  g_assert_cmpint (am_server_db_count (db, "passcodes"), ==, 2000);
}

static void
test_db_reopens_with_the_same_data (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "reopen", NULL);
  g_autofree char *db_path = g_build_filename (dir, "cloud.db", NULL);
  AmServerDb *db;
  gint64 seq;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  db = am_server_db_open (db_path, &error);
  g_assert_no_error (error);
  g_free (am_server_db_add_property (db, "P", "1 A St", "Town", "TX", "75001", "America/Chicago", &error));
  g_assert_no_error (error);
  seq = am_server_db_get_change_seq (db);
  g_assert_cmpint (seq, >, 0);
  am_server_db_free (db);

  db = am_server_db_open (db_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (am_server_db_get_change_seq (db), ==, seq);
  g_assert_cmpint (am_server_db_count (db, "properties"), ==, 1);
  g_assert_null (am_server_db_add_property (db, "P", "1 A St", "Town", "TX", "75001", "Mars/Olympus", &error));
  g_assert_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_INVALID);
  am_server_db_free (db);
}

/* Tests: the command */

static void
run_server_command (const char * const  *args,
                    int                 *status,
                    char               **out,
                    char               **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_ptr_array_add (argv, (gpointer) g_getenv ("AM_SERVER"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &wait_status, &error);
  g_assert_no_error (error);
  *status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
}

static void
test_command_usage_and_invite (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "command", NULL);
  g_autofree char *db_path = g_build_filename (dir, "cloud.db", NULL);
  g_autoptr(GError) error = NULL;
  int status;

  if (g_getenv ("AM_SERVER") == NULL)
    {
      g_test_skip ("AM_SERVER is not set");
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  {
    const char *args[] = { "serve", "--listen", "127.0.0.1:0", NULL };
    g_autofree char *out = NULL, *err = NULL;
    run_server_command (args, &status, &out, &err);
    g_assert_cmpint (status, ==, 2);
    g_assert_nonnull (strstr (err, "--db"));
  }
  {
    const char *args[] = { "bake", NULL };
    g_autofree char *out = NULL, *err = NULL;
    run_server_command (args, &status, &out, &err);
    g_assert_cmpint (status, ==, 2);
  }
  {
    const char *args[] = { "serve", "--db", db_path, "--listen", "0.0.0.0:0", NULL };
    g_autofree char *out = NULL, *err = NULL;
    run_server_command (args, &status, &out, &err);
    g_assert_cmpint (status, ==, 2);
    g_assert_nonnull (strstr (err, "loopback"));
  }
  {
    const char *args[] = { "init", "--db", db_path, NULL };
    g_autofree char *out = NULL, *err = NULL;
    run_server_command (args, &status, &out, &err);
    g_assert_cmpint (status, ==, 0);
  }
  {
    const char *args[] = { "invite", "--db", db_path, "--email", "x@example.com", "--all",
                           "--permissions", "generate_codes,ble_unlock", NULL };
    g_autofree char *out = NULL, *err = NULL;
    run_server_command (args, &status, &out, &err);
    g_assert_cmpint (status, ==, 0);
    /* Only the token. */
    g_assert_cmpuint (strlen (out), ==, 44);
    g_assert_cmpint (out[43], ==, '\n');
  }
  {
    const char *args[] = { "invite", "--db", db_path, "--email", "x@example.com",
                           "--permissions", "generate_codes", NULL };
    g_autofree char *out = NULL, *err = NULL;
    run_server_command (args, &status, &out, &err);
    g_assert_cmpint (status, ==, 2);
  }
  {
    const char *args[] = { "rotate-key", "--db", db_path, "--lock", "3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30", NULL };
    g_autofree char *out = NULL, *err = NULL;
    run_server_command (args, &status, &out, &err);
    g_assert_cmpint (status, ==, 1);
  }
}

/* Tests: the permissions matrix */

/* What each permission, alone on property A, opens; a grant without
 * permissions; no grant at all (A does not exist for them: 404, never 403,
 * which would tell that it does); no session. One row a caller, one column
 * an endpoint that acts on a property's records. */
typedef struct
{
  const char *who;
  const char *permission;       /* NULL: no grant; "": a grant without permissions */
  gboolean    anonymous;
  guint       key;              /* GET /v1/locks/{A lock}/key */
  guint       create;           /* POST /v1/passcodes */
  guint       revoke;           /* POST /v1/passcodes/{id}/revoke */
  guint       events;           /* POST /v1/locks/{id}/events */
  guint       unlock;           /* POST /v1/unlocks */
  guint       key_b;            /* GET /v1/locks/{B lock}/key: no grant on B */
  guint       sync;             /* GET /v1/sync */
  guint       me;               /* GET /v1/me */
} MatrixRow;

static const MatrixRow permission_matrix[] = {
  { "generate-codes",   AM_PERMISSION_GENERATE_CODES,   FALSE, 200, 201, 403, 403, 403, 404, 200, 200 },
  { "ble-unlock",       AM_PERMISSION_BLE_UNLOCK,       FALSE, 200, 403, 403, 200, 201, 404, 200, 200 },
  { "view-activity",    AM_PERMISSION_VIEW_ACTIVITY,    FALSE, 403, 403, 403, 403, 403, 404, 200, 200 },
  { "revoke-codes",     AM_PERMISSION_REVOKE_CODES,     FALSE, 403, 403, 200, 403, 403, 404, 200, 200 },
  { "rename-locks",     AM_PERMISSION_RENAME_LOCKS,     FALSE, 403, 403, 403, 403, 403, 404, 200, 200 },
  { "change-lock-mode", AM_PERMISSION_CHANGE_LOCK_MODE, FALSE, 403, 403, 403, 403, 403, 404, 200, 200 },
  { "view-master-code", AM_PERMISSION_VIEW_MASTER_CODE, FALSE, 403, 403, 403, 403, 403, 404, 200, 200 },
  { "empty-grant",      "",                             FALSE, 403, 403, 403, 403, 403, 404, 200, 200 },
  { "no-grant",         NULL,                           FALSE, 404, 404, 404, 404, 404, 404, 200, 200 },
  { "no-session",       NULL,                           TRUE,  401, 401, 401, 401, 401, 401, 401, 401 },
};

static void
assert_status (Reply      *reply,
               const char *who,
               const char *what,
               guint       expected)
{
  g_assert_no_error (reply->error);
  if (reply->status != expected)
    g_error ("%s: %s answered %u, expected %u", who, what, reply->status, expected);
  if (expected >= 400)
    assert_error (reply, expected, NULL);
}

/* Whether a text names anything of property A: its id, name, locks. */
static gboolean
names_property_a (Fixture    *f,
                  const char *text)
{
  return strstr (text, f->prop_a) != NULL || strstr (text, f->lock_a1) != NULL ||
         strstr (text, f->lock_a2) != NULL || strstr (text, "Lakeview Terrace") != NULL;
}

static void
test_permission_matrix (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint n_cells = 0;
  gint64 n_passcodes = 0, n_events = 0, n_unlocks = 0;

  for (guint r = 0; r < G_N_ELEMENTS (permission_matrix); r++)
    {
      const MatrixRow *row = &permission_matrix[r];
      g_autofree char *email = g_strdup_printf ("%s@example.com", row->who);
      g_autofree char *user_id = NULL;
      g_autofree char *token = NULL;
      g_autofree char *key_path = g_strdup_printf ("/v1/locks/%s/key", f->lock_a1);
      g_autofree char *key_b_path = g_strdup_printf ("/v1/locks/%s/key", f->lock_b1);
      g_autofree char *revoke_path = NULL;
      g_autofree char *event = NULL;
      g_autofree char *unlock_id = g_uuid_string_random ();
      g_autoptr(AmPasscodeRecord) theirs = NULL;
      g_autoptr(AmPasscodeRecord) agents = NULL;
      g_autoptr(Reply) key = NULL;
      g_autoptr(Reply) create = NULL;
      g_autoptr(Reply) revoke = NULL;
      g_autoptr(Reply) events = NULL;
      g_autoptr(Reply) unlock = NULL;
      g_autoptr(Reply) key_b = NULL;
      g_autoptr(Reply) sync = NULL;
      g_autoptr(Reply) me = NULL;

      user_id = am_server_db_add_user (f->db, email, "Matrix User", PASSWORD, &error);
      g_assert_no_error (error);
      if (row->permission != NULL)
        {
          const char *one[] = { row->permission, NULL };
          const char *none[] = { NULL };

          g_assert_true (am_server_db_set_grant (f->db, user_id, f->prop_a,
                                                 *row->permission != '\0' ? one : none, &error));
          g_assert_no_error (error);
        }
      if (!row->anonymous)
        token = sign_in (f, email, PASSWORD);

      /* A code of the agent's, of A, for the revoke; one window a row. */
      agents = issue (f, f->agent, f->lock_a1, 3600 * (2 * r + 1), 5);
      revoke_path = g_strdup_printf ("/v1/passcodes/%s/revoke", agents->id);
      theirs = passcode_request (f->lock_a1, 10, 0, 3600 * (2 * r + 2), 5);
      event = event_json (100 + r, "ble_unlock", now_s () - 60, 0, 0, NULL);

      key = send_request (f, "GET", key_path, token, NULL);
      create = post_passcode (f, token, theirs);
      revoke = send_request (f, "POST", revoke_path, token, NULL);
      events = post_events (f, token, f->lock_a1, event);
      unlock = post_unlock (f, token, unlock_id, f->lock_a1, now_s (), "ok");
      key_b = send_request (f, "GET", key_b_path, token, NULL);
      sync = send_request (f, "GET", "/v1/sync", token, NULL);
      me = send_request (f, "GET", "/v1/me", token, NULL);

      assert_status (key, row->who, "GET key", row->key);
      assert_status (create, row->who, "POST passcodes", row->create);
      assert_status (revoke, row->who, "POST revoke", row->revoke);
      assert_status (events, row->who, "POST events", row->events);
      assert_status (unlock, row->who, "POST unlocks", row->unlock);
      assert_status (key_b, row->who, "GET key of another property", row->key_b);
      assert_status (sync, row->who, "GET sync", row->sync);
      assert_status (me, row->who, "GET me", row->me);
      n_cells += 8;

      /* What was refused changed nothing. */
      n_passcodes += 1 + (row->create == 201);
      n_events += row->events == 200;
      n_unlocks += row->unlock == 201;
      g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, n_passcodes);
      g_assert_cmpint (am_server_db_count (f->db, "lock_events"), ==, n_events);
      g_assert_cmpint (am_server_db_count (f->db, "unlocks"), ==, n_unlocks);

      if (row->sync == 200)
        {
          gsize len;
          const char *text = g_bytes_get_data (sync->body, &len);
          g_autofree char *body = g_strndup (text, len);
          g_autoptr(AmSyncPage) page = NULL;
          gboolean sees_a = FALSE, sees_agents = FALSE, more = FALSE;

          page = am_sync_page_from_json (reply_object (sync), &more, &error);
          g_assert_no_error (error);
          for (guint i = 0; i < page->properties->len; i++)
            sees_a |= g_str_equal (am_property_get_id (g_ptr_array_index (page->properties, i)), f->prop_a);
          for (guint i = 0; i < page->passcodes->len; i++)
            sees_agents |= g_str_equal (((AmPasscodeRecord *) g_ptr_array_index (page->passcodes, i))->id,
                                        agents->id);
          /* A grant shows the property; activity only with view_activity. */
          g_assert_cmpint (sees_a, ==, row->permission != NULL);
          g_assert_cmpint (sees_agents, ==, g_strcmp0 (row->permission, AM_PERMISSION_VIEW_ACTIVITY) == 0);
          /* Without a grant, nothing of A anywhere in the answer. */
          if (row->permission == NULL && names_property_a (f, body))
            g_error ("%s: the sync names property A: %s", row->who, body);
        }
      if (row->me == 200 && row->permission == NULL)
        {
          gsize len;
          const char *text = g_bytes_get_data (me->body, &len);
          g_autofree char *body = g_strndup (text, len);

          g_assert_false (names_property_a (f, body));
        }
    }
  g_test_message ("permissions matrix: %u callers x 8 endpoints = %u cells", (guint) G_N_ELEMENTS (permission_matrix),
                  n_cells);
}

static void
add (const char *path,
     void      (*test) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, test, fixture_tear_down);
}

int
main (int    argc,
      char **argv)
{
  /* The server is on loopback: no proxy of the machine, nor the desktop's
   * proxy settings (whose schema the test environment does not have). */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_unsetenv ("http_proxy");
  g_unsetenv ("https_proxy");
  g_unsetenv ("no_proxy");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  add ("/server/sessions/sign-in/returns-token-user-and-org", test_sign_in_returns_token_user_org);
  add ("/server/sessions/sign-in/wrong-email-or-password-is-the-same-401", test_sign_in_wrong_password_is_401);
  add ("/server/sessions/sign-in/repeated-failures-are-429-with-retry-after", test_sign_in_repeated_failures_are_429);
  add ("/server/sessions/sign-in/malformed-body-is-422", test_sign_in_malformed_body_is_422);
  add ("/server/sessions/sign-out/ends-only-that-session", test_sign_out_ends_the_session);
  add ("/server/auth/missing-or-bad-token-is-401-everywhere", test_auth_missing_or_bad_token_is_401);
  add ("/server/invitations/accept/creates-user-and-grant", test_invitation_accept_creates_user_and_grant);
  add ("/server/invitations/accept/for-all-grants-every-property", test_invitation_for_all_grants_every_property);
  add ("/server/invitations/accept/unknown-is-404", test_invitation_unknown_is_404);
  add ("/server/invitations/accept/twice-is-409", test_invitation_twice_is_409);
  add ("/server/invitations/accept/short-password-is-422", test_invitation_short_password_is_422);
  add ("/server/me/lists-only-own-grants", test_me_lists_own_grants);
  add ("/server/sync/sees-only-granted-properties", test_sync_sees_only_granted_properties);
  add ("/server/sync/locks-carry-q-and-digits", test_sync_lock_q_and_digits);
  add ("/server/sync/without-view-activity-only-own-passcodes-and-unlocks", test_sync_without_view_activity_only_own);
  add ("/server/sync/paging-sends-every-record-once", test_sync_paging_sends_every_record_once);
  add ("/server/sync/incremental-sends-only-changes", test_sync_incremental_sends_only_changes);
  add ("/server/sync/lost-grant-appears-in-deleted", test_sync_lost_grant_appears_in_deleted);
  add ("/server/sync/deleted-property-appears-in-deleted", test_sync_deleted_property_appears_in_deleted);
  add ("/server/sync/lost-view-activity-deletes-others-passcodes", test_sync_lost_view_activity_deletes_others_passcodes);
  add ("/server/sync/new-grant-sends-older-records", test_sync_new_grant_sends_older_records);
  add ("/server/sync/bad-or-old-cursor-is-410", test_sync_bad_cursor_is_410);
  add ("/server/sync/limit-is-checked", test_sync_limit_is_checked);
  add ("/server/sync/writer-equals-the-core-writer", test_sync_writer_equals_the_core_writer);
  add ("/server/keys/current-and-previous-after-rotation", test_keys_current_and_previous);
  add ("/server/keys/without-generate-codes-or-ble-unlock-is-403", test_keys_without_permission_is_403);
  add ("/server/keys/unknown-lock-is-404", test_keys_unknown_lock_is_404);
  add ("/server/passcodes/create/is-201-with-the-server-fields", test_passcode_create_is_201);
  add ("/server/passcodes/create/same-id-same-body-is-200", test_passcode_same_id_same_body_is_200);
  add ("/server/passcodes/create/same-id-other-body-is-409", test_passcode_same_id_other_body_is_409);
  add ("/server/passcodes/create/without-generate-codes-is-403", test_passcode_without_generate_codes_is_403);
  add ("/server/passcodes/create/unknown-lock-is-404", test_passcode_unknown_lock_is_404);
  add ("/server/passcodes/create/window-digits-kind-use-by-kv-mismatch-is-422", test_passcode_checks_are_422);
  add ("/server/passcodes/create/previous-key-accepted-while-valid", test_passcode_previous_key_accepted_while_valid);
  add ("/server/passcodes/create/malformed-is-422", test_passcode_malformed_is_422);
  add ("/server/passcodes/revoke/sets-revoked-once", test_passcode_revoke_sets_revoked);
  add ("/server/passcodes/revoke/without-revoke-codes-is-403", test_passcode_revoke_without_permission_is_403);
  add ("/server/events/upload-is-idempotent-on-lock-and-seq", test_events_upload_is_idempotent);
  add ("/server/events/keypad-open-links-passcodes-and-counts-use", test_events_keypad_open_links_passcodes);
  add ("/server/events/without-ble-unlock-is-403", test_events_without_ble_unlock_is_403);
  add ("/server/events/invalid-is-422", test_events_invalid_is_422);
  add ("/server/unlocks/create-is-idempotent-on-id", test_unlocks_create_is_idempotent);
  add ("/server/unlocks/without-ble-unlock-is-403", test_unlocks_without_ble_unlock_is_403);
  add ("/server/permissions/matrix-every-endpoint-every-permission", test_permission_matrix);
  add ("/server/http/body-over-1-mib-is-413", test_body_over_1_mib_is_413);
  add ("/server/http/unknown-path-is-404", test_unknown_path_is_404);
  g_test_add_func ("/server/http/https-with-the-test-certificate", test_https_with_test_certificate);
  g_test_add_func ("/server/http/plain-http-refused-off-loopback", test_plain_http_refused_off_loopback);
  add ("/server/faults/error-500-changes-nothing", test_fault_error_500_changes_nothing);
  add ("/server/faults/error-500-after-commit-keeps-the-change", test_fault_error_500_after_commit_keeps_the_change);
  add ("/server/faults/hang-never-answers", test_fault_hang_never_answers);
  add ("/server/faults/malformed-json-for-count-answers", test_fault_malformed_json);
  add ("/server/faults/truncated-is-half-the-body-and-changes-nothing", test_fault_truncated_is_half_and_changes_nothing);
  add ("/server/faults/rate-limit-has-retry-after", test_fault_rate_limit_has_retry_after);
  g_test_add_func ("/server/seed/demo-is-believable", test_seed_demo_is_believable);
  g_test_add_func ("/server/seed/bulk-writes-the-counts", test_seed_bulk_writes_the_counts);
  g_test_add_func ("/server/db/reopens-with-the-same-data", test_db_reopens_with_the_same_data);
  g_test_add_func ("/server/command/usage-errors-and-invite", test_command_usage_and_invite);

  return g_test_run ();
}
