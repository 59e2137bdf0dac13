/* am-server.c: the reference cloud's HTTP side: endpoints, authentication, faults
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SoupServer on the caller's thread-default main context. Every
 * request goes to one handler that routes on the path's segments, checks
 * the bearer token where the endpoint needs one, reads the JSON with the
 * core's strict readers (am-cloud-json) and writes the answer with its
 * writers. The database calls (am-server-db) check the permissions.
 *
 * An early handler refuses a declared body over 1 MiB before it is read;
 * a chunked one is refused once read.
 *
 * Faults, for tests and benchmarks only (am_server_inject_faults(), not
 * reachable over HTTP), replace the next answers; see AmServerFault.
 * TRUNCATED keeps the status and sends the first half of the body with an
 * honest Content-Length; its change, if any, is rolled back.
 *
 * The request log, one line a request on stderr, names the method, the
 * path (an invitation token replaced by "…"; the query left out), the
 * status and the time taken: never a token, password or key.
 */
#define G_LOG_DOMAIN "am-server"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "am-error.h"
#include "am-records-private.h"
#include "am-secret-memory.h"
#include "am-server.h"
#include "am-server-json.h"

struct _AmServer
{
  GObject        parent_instance;

  AmServerDb    *db;             /* not owned */
  SoupServer    *soup;
  char          *url;
  gboolean       quiet;

  AmServerFault  fault;
  guint          fault_count;
  GPtrArray     *hung;           /* SoupServerMessage, paused for good */
};

G_DEFINE_FINAL_TYPE (AmServer, am_server, G_TYPE_OBJECT)

#define START_KEY "am-server-start"

typedef struct
{
  AmServer          *self;
  SoupServerMessage *msg;
  const char        *method;
  char             **segments;   /* the path after /v1/ */
  guint              n_segments;
  GHashTable        *query;
} Request;

/* Answers */

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              JsonBuilder       *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  gsize length = 0;
  char *data;

  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &length);
  /* An answer replaces any before it (the faults rewrite answers). */
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, data, length);
}

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *code,
               const char        *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  am_cloud_error_to_json (code, message, builder);
  respond_json (msg, status, builder);
}

static void
respond_empty (SoupServerMessage *msg,
               guint              status)
{
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
}

static void
error_status (const GError  *error,
              guint         *status,
              const char   **code)
{
  static const struct { guint status; const char *code; } table[] = {
    [AM_SERVER_ERROR_UNAUTHENTICATED] = { 401, "unauthenticated" },
    [AM_SERVER_ERROR_INVALID_CREDENTIALS] = { 401, "invalid_credentials" },
    [AM_SERVER_ERROR_FORBIDDEN] = { 403, "forbidden" },
    [AM_SERVER_ERROR_NOT_FOUND] = { 404, "not_found" },
    [AM_SERVER_ERROR_INVITATION_ACCEPTED] = { 409, "invitation_accepted" },
    [AM_SERVER_ERROR_CONFLICT] = { 409, "conflict" },
    [AM_SERVER_ERROR_ACCOUNT_EXISTS] = { 409, "account_exists" },
    [AM_SERVER_ERROR_CURSOR_GONE] = { 410, "cursor_gone" },
    [AM_SERVER_ERROR_TOO_LARGE] = { 413, "too_large" },
    [AM_SERVER_ERROR_INVALID] = { 422, "invalid" },
    [AM_SERVER_ERROR_PASSWORD_TOO_SHORT] = { 422, "password_too_short" },
    [AM_SERVER_ERROR_WINDOW_MISMATCH] = { 422, "window_mismatch" },
    [AM_SERVER_ERROR_USE_BY_PASSED] = { 422, "use_by_passed" },
    [AM_SERVER_ERROR_KEY_VERSION] = { 422, "unknown_key_version" },
    [AM_SERVER_ERROR_RATE_LIMITED] = { 429, "rate_limited" },
    [AM_SERVER_ERROR_METHOD_NOT_ALLOWED] = { 405, "method_not_allowed" },
    [AM_SERVER_ERROR_STORAGE] = { 500, "internal_error" },
  };

  if (error->domain == AM_SERVER_ERROR && error->code >= 0 && (gsize) error->code < G_N_ELEMENTS (table))
    {
      *status = table[error->code].status;
      *code = table[error->code].code;
    }
  else if (error->domain == AM_ERROR)
    {
      /* The core's readers refused the content. */
      *status = 422;
      *code = "invalid";
    }
  else
    {
      *status = 500;
      *code = "internal_error";
    }
}

static void
respond_gerror (SoupServerMessage *msg,
                const GError      *error)
{
  const char *code;
  guint status;

  error_status (error, &status, &code);
  if (status == 500)
    g_warning ("A request failed: %s", error->message);
  respond_error (msg, status, code, error->message);
}

/* Reading requests */

static JsonObject *
read_body (Request  *req,
           GError  **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data != NULL ? data : "", (gssize) length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_INVALID,
                   _("The request body is not a JSON object. Send the body the API describes."));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/* A string member; NULL with an error when absent, null or not a string. */
static const char *
member_string (JsonObject  *object,
               const char  *name,
               GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_INVALID,
                   _("The request needs “%s” as a string. Send the body the API describes."), name);
      return NULL;
    }
  return json_node_get_string (node);
}

static void
wrap_invalid (GError **error)
{
  /* The core's readers speak of what "the cloud sent": say what was
   * wrong with the request instead, keeping their detail. */
  if (error != NULL && *error != NULL && (*error)->domain != AM_SERVER_ERROR)
    {
      GError *wrapped = g_error_new (AM_SERVER_ERROR, AM_SERVER_ERROR_INVALID,
                                     _("The request is not valid: %s"), (*error)->message);
      g_clear_error (error);
      *error = wrapped;
    }
}

static AmCloudUser *
authenticate (Request  *req,
              char    **token_out,
              GError  **error)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *value = soup_message_headers_get_one (headers, "Authorization");
  const char *token = NULL;
  AmCloudUser *user;

  if (value != NULL && g_ascii_strncasecmp (value, "Bearer ", 7) == 0)
    token = value + 7;
  user = am_server_db_user_for_token (req->self->db, token, error);
  if (user != NULL && token_out != NULL)
    *token_out = g_strdup (token);
  return user;
}

/* Endpoints */

static void
handle_accept_invitation (Request *req)
{
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(AmCloudSession) session = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  const char *name, *password;

  if ((body = read_body (req, &error)) == NULL ||
      (name = member_string (body, "name", &error)) == NULL ||
      (password = member_string (body, "password", &error)) == NULL ||
      (session = am_server_db_accept_invitation (req->self->db, req->segments[1], name, password,
                                                 g_get_real_time () / G_USEC_PER_SEC,
                                                 &error)) == NULL)
    {
      respond_gerror (req->msg, error);
      return;
    }
  builder = json_builder_new ();
  am_cloud_session_to_json (session, builder);
  respond_json (req->msg, SOUP_STATUS_CREATED, builder);
}

static void
handle_sign_in (Request *req)
{
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(AmCloudSession) session = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  const char *email, *password, *device_name = NULL;
  guint retry_after = 0;

  if ((body = read_body (req, &error)) == NULL ||
      (email = member_string (body, "email", &error)) == NULL ||
      (password = member_string (body, "password", &error)) == NULL)
    {
      respond_gerror (req->msg, error);
      return;
    }
  if (json_object_has_member (body, "device_name"))
    device_name = json_object_get_string_member_with_default (body, "device_name", NULL);

  session = am_server_db_sign_in (req->self->db, email, password, device_name,
                                  g_get_real_time () / G_USEC_PER_SEC, &retry_after, &error);
  if (session == NULL)
    {
      if (retry_after > 0)
        {
          g_autofree char *seconds = g_strdup_printf ("%u", retry_after);
          soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                        "Retry-After", seconds);
        }
      respond_gerror (req->msg, error);
      return;
    }
  builder = json_builder_new ();
  am_cloud_session_to_json (session, builder);
  respond_json (req->msg, SOUP_STATUS_CREATED, builder);
}

static void
handle_sign_out (Request     *req,
                 const char  *token)
{
  g_autoptr(GError) error = NULL;

  if (!am_server_db_sign_out (req->self->db, token, &error))
    respond_gerror (req->msg, error);
  else
    respond_empty (req->msg, SOUP_STATUS_NO_CONTENT);
}

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              GString           *text)
{
  gsize length = text->len;

  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_string_free (text, FALSE), length);
}

static void
handle_me (Request     *req,
           AmCloudUser *user)
{
  g_autoptr(AmCloudMe) me = NULL;
  g_autoptr(GError) error = NULL;
  GString *text;

  if ((me = am_server_db_get_me (req->self->db, user, &error)) == NULL)
    {
      respond_gerror (req->msg, error);
      return;
    }
  /* A user may hold thousands of grants: written straight to text. */
  text = g_string_sized_new (256 + 160 * me->grants->len);
  am_server_json_write_me (text, me);
  respond_text (req->msg, SOUP_STATUS_OK, text);
}

static void
handle_sync (Request     *req,
             AmCloudUser *user)
{
  g_autoptr(AmSyncPage) page = NULL;
  g_autoptr(GError) error = NULL;
  GString *text;
  const char *since = NULL, *limit_text = NULL;
  guint64 limit = AM_SERVER_SYNC_DEFAULT_LIMIT;
  gboolean more = FALSE;

  if (req->query != NULL)
    {
      since = g_hash_table_lookup (req->query, "since");
      limit_text = g_hash_table_lookup (req->query, "limit");
    }
  if (since != NULL && since[0] == '\0')
    since = NULL;
  if (limit_text != NULL &&
      !g_ascii_string_to_unsigned (limit_text, 10, 1, G_MAXUINT32, &limit, NULL))
    {
      respond_error (req->msg, 422, "invalid",
                     _("The limit must be a whole number from 1 to 5000."));
      return;
    }
  limit = MIN (limit, AM_SERVER_SYNC_MAX_LIMIT);

  page = am_server_db_sync (req->self->db, user->id, since, (guint) limit, &more, &error);
  if (page == NULL)
    {
      respond_gerror (req->msg, error);
      return;
    }
  /* Pages run to 5,000 records: written straight to text. */
  text = g_string_sized_new (1024 * (page->passcodes->len + page->locks->len + 4));
  am_server_json_write_sync_page (text, page, more);
  respond_text (req->msg, SOUP_STATUS_OK, text);
}

static void
handle_lock_key (Request     *req,
                 AmCloudUser *user,
                 const char  *lock_id)
{
  g_autoptr(AmCloudLockKey) key = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;

  key = am_server_db_get_lock_key (req->self->db, user->id, lock_id,
                                   g_get_real_time () / G_USEC_PER_SEC, &error);
  if (key == NULL)
    {
      respond_gerror (req->msg, error);
      return;
    }
  builder = json_builder_new ();
  am_cloud_lock_key_to_json (key, builder);
  respond_json (req->msg, SOUP_STATUS_OK, builder);
}

static void
respond_passcode (SoupServerMessage *msg,
                  guint              status,
                  AmPasscodeRecord  *record)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  am_passcode_record_to_json (record, builder);
  respond_json (msg, status, builder);
}

static void
handle_create_passcode (Request     *req,
                        AmCloudUser *user)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *key = soup_message_headers_get_one (headers, "Idempotency-Key");
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(AmPasscodeRecord) request = NULL;
  g_autoptr(AmPasscodeRecord) stored = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;

  if ((body = read_body (req, &error)) == NULL)
    {
      respond_gerror (req->msg, error);
      return;
    }
  if ((request = am_passcode_record_from_create_json (body, &error)) == NULL)
    {
      wrap_invalid (&error);
      respond_gerror (req->msg, error);
      return;
    }
  if (key == NULL || g_ascii_strcasecmp (key, request->id) != 0)
    {
      respond_error (req->msg, 422, "idempotency_key",
                     _("The Idempotency-Key header must be the passcode’s id. Send it with the request."));
      return;
    }

  stored = am_server_db_create_passcode (req->self->db, user, request,
                                         g_get_real_time () / G_USEC_PER_SEC, &created, &error);
  if (stored == NULL)
    {
      respond_gerror (req->msg, error);
      return;
    }
  respond_passcode (req->msg, created ? SOUP_STATUS_CREATED : SOUP_STATUS_OK, stored);
}

static void
handle_revoke_passcode (Request     *req,
                        AmCloudUser *user,
                        const char  *passcode_id)
{
  g_autoptr(AmPasscodeRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  record = am_server_db_revoke_passcode (req->self->db, user, passcode_id,
                                         g_get_real_time () / G_USEC_PER_SEC, &error);
  if (record == NULL)
    {
      respond_gerror (req->msg, error);
      return;
    }
  respond_passcode (req->msg, SOUP_STATUS_OK, record);
}

static void
handle_upload_events (Request     *req,
                      AmCloudUser *user,
                      const char  *lock_id)
{
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  guint accepted = 0, duplicates = 0;

  if (!am_server_db_check_lock_permission (req->self->db, user->id, lock_id,
                                           AM_PERMISSION_BLE_UNLOCK, &error) ||
      (body = read_body (req, &error)) == NULL)
    {
      respond_gerror (req->msg, error);
      return;
    }
  if ((events = am_lock_events_from_upload_json (body, lock_id, &error)) == NULL)
    {
      wrap_invalid (&error);
      respond_gerror (req->msg, error);
      return;
    }
  if (!am_server_db_insert_lock_events (req->self->db, lock_id, events,
                                        &accepted, &duplicates, &error))
    {
      respond_gerror (req->msg, error);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "accepted");
  json_builder_add_int_value (builder, accepted);
  json_builder_set_member_name (builder, "duplicates");
  json_builder_add_int_value (builder, duplicates);
  json_builder_end_object (builder);
  respond_json (req->msg, SOUP_STATUS_OK, builder);
}

static void
handle_unlock (Request     *req,
               AmCloudUser *user)
{
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(AmUnlock) request = NULL;
  g_autoptr(AmUnlock) stored = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;

  if ((body = read_body (req, &error)) == NULL)
    {
      respond_gerror (req->msg, error);
      return;
    }
  if ((request = am_unlock_from_create_json (body, &error)) == NULL)
    {
      wrap_invalid (&error);
      respond_gerror (req->msg, error);
      return;
    }
  stored = am_server_db_add_unlock (req->self->db, user, request, &created, &error);
  if (stored == NULL)
    {
      respond_gerror (req->msg, error);
      return;
    }
  builder = json_builder_new ();
  am_unlock_to_json (stored, builder);
  respond_json (req->msg, created ? SOUP_STATUS_CREATED : SOUP_STATUS_OK, builder);
}

/* Routing */

static gboolean
route_is (Request    *req,
          guint       n,
          const char *first,
          const char *last)
{
  return req->n_segments == n &&
         g_str_equal (req->segments[0], first) &&
         (last == NULL || g_str_equal (req->segments[n - 1], last));
}

static void
respond_method_not_allowed (Request    *req,
                            const char *allowed)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "Allow", allowed);
  respond_error (req->msg, 405, "method_not_allowed",
                 _("This address does not take this method. Check the API version of the app."));
}

static void
dispatch (Request *req)
{
  g_autoptr(AmCloudUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  gboolean is_get = g_str_equal (req->method, "GET");
  gboolean is_post = g_str_equal (req->method, "POST");
  gboolean is_delete = g_str_equal (req->method, "DELETE");

  /* The endpoints without a session. */
  if (route_is (req, 3, "invitations", "accept"))
    {
      if (is_post)
        handle_accept_invitation (req);
      else
        respond_method_not_allowed (req, "POST");
      return;
    }
  if (route_is (req, 1, "sessions", NULL))
    {
      if (is_post)
        handle_sign_in (req);
      else
        respond_method_not_allowed (req, "POST");
      return;
    }

  if (!(route_is (req, 2, "sessions", "current") ||
        route_is (req, 1, "me", NULL) ||
        route_is (req, 1, "sync", NULL) ||
        route_is (req, 3, "locks", "key") ||
        route_is (req, 1, "passcodes", NULL) ||
        route_is (req, 3, "passcodes", "revoke") ||
        route_is (req, 3, "locks", "events") ||
        route_is (req, 1, "unlocks", NULL)))
    {
      respond_error (req->msg, 404, "not_found",
                     _("There is nothing at this address. Check the server address and the API version."));
      return;
    }

  if ((user = authenticate (req, &token, &error)) == NULL)
    {
      respond_gerror (req->msg, error);
      return;
    }

  if (route_is (req, 2, "sessions", "current"))
    is_delete ? handle_sign_out (req, token) : respond_method_not_allowed (req, "DELETE");
  else if (route_is (req, 1, "me", NULL))
    is_get ? handle_me (req, user) : respond_method_not_allowed (req, "GET");
  else if (route_is (req, 1, "sync", NULL))
    is_get ? handle_sync (req, user) : respond_method_not_allowed (req, "GET");
  else if (route_is (req, 3, "locks", "key"))
    is_get ? handle_lock_key (req, user, req->segments[1]) : respond_method_not_allowed (req, "GET");
  else if (route_is (req, 1, "passcodes", NULL))
    is_post ? handle_create_passcode (req, user) : respond_method_not_allowed (req, "POST");
  else if (route_is (req, 3, "passcodes", "revoke"))
    is_post ? handle_revoke_passcode (req, user, req->segments[1]) : respond_method_not_allowed (req, "POST");
  else if (route_is (req, 3, "locks", "events"))
    is_post ? handle_upload_events (req, user, req->segments[1]) : respond_method_not_allowed (req, "POST");
  else if (route_is (req, 1, "unlocks", NULL))
    is_post ? handle_unlock (req, user) : respond_method_not_allowed (req, "POST");

  if (token != NULL)
    am_secret_memory_wipe (token, strlen (token));
}

static void
truncate_response (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  gsize length = g_bytes_get_size (bytes);

  soup_message_body_truncate (body);
  soup_message_body_append (body, SOUP_MEMORY_COPY, g_bytes_get_data (bytes, NULL), length / 2);
}

/* Whether the next answer is a fault; which one. */
static AmServerFault
take_fault (AmServer *self)
{
  AmServerFault fault;

  if (self->fault_count == 0)
    return AM_SERVER_FAULT_NONE;
  fault = self->fault;
  if (--self->fault_count == 0)
    self->fault = AM_SERVER_FAULT_NONE;
  return fault;
}

static void
on_request_cb (SoupServer        *soup,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  AmServer *self = AM_SERVER (user_data);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_auto(GStrv) segments = NULL;
  Request req = { self, msg, soup_server_message_get_method (msg), NULL, 0, query };
  AmServerFault fault;

  fault = take_fault (self);
  switch (fault)
    {
    case AM_SERVER_FAULT_ERROR_500:
      respond_error (msg, 500, "internal_error",
                     _("The server failed. Try again later."));
      return;
    case AM_SERVER_FAULT_HANG:
      soup_server_message_pause (msg);
      g_ptr_array_add (self->hung, g_object_ref (msg));
      return;
    case AM_SERVER_FAULT_MALFORMED_JSON:
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"cursor\": ", strlen ("{\"cursor\": "));
      return;
    case AM_SERVER_FAULT_RATE_LIMIT:
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "1");
      respond_error (msg, 429, "rate_limited",
                     _("The server is busy. Wait a moment and try again."));
      return;
    case AM_SERVER_FAULT_NONE:
    case AM_SERVER_FAULT_TRUNCATED:
    case AM_SERVER_FAULT_ERROR_500_AFTER_COMMIT:
    default:
      break;
    }

  if (body->length > AM_SERVER_MAX_BODY)
    {
      respond_error (msg, 413, "too_large",
                     _("The request is larger than 1 MiB. Send less at a time."));
      return;
    }

  if (!g_str_has_prefix (path, "/v1/"))
    {
      respond_error (msg, 404, "not_found",
                     _("There is nothing at this address. Check the server address and the API version."));
      return;
    }
  segments = g_strsplit (path + strlen ("/v1/"), "/", -1);
  req.segments = segments;
  req.n_segments = g_strv_length (segments);
  for (guint i = 0; i < req.n_segments; i++)
    if (segments[i][0] == '\0')
      {
        respond_error (msg, 404, "not_found",
                       _("There is nothing at this address. Check the server address and the API version."));
        return;
      }

  am_server_db_set_dry_run (self->db, fault == AM_SERVER_FAULT_TRUNCATED);
  dispatch (&req);
  am_server_db_set_dry_run (self->db, FALSE);

  if (fault == AM_SERVER_FAULT_TRUNCATED)
    truncate_response (msg);
  else if (fault == AM_SERVER_FAULT_ERROR_500_AFTER_COMMIT)
    {
      soup_message_headers_remove (soup_server_message_get_response_headers (msg), "Retry-After");
      respond_error (msg, 500, "internal_error",
                     _("The server failed. Try again later."));
    }
}

static void
on_early_request_cb (SoupServer        *soup,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > AM_SERVER_MAX_BODY)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      respond_error (msg, 413, "too_large",
                     _("The request is larger than 1 MiB. Send less at a time."));
    }
}

/* The request log */

static void
on_request_started_cb (SoupServer        *soup,
                       SoupServerMessage *msg,
                       gpointer           user_data)
{
  gint64 *start = g_new (gint64, 1);

  *start = g_get_monotonic_time ();
  g_object_set_data_full (G_OBJECT (msg), START_KEY, start, g_free);
}

/* The path as the log shows it: no invitation token. */
static char *
loggable_path (SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *path = uri != NULL ? g_uri_get_path (uri) : "?";

  if (g_str_has_prefix (path, "/v1/invitations/"))
    {
      const char *rest = strchr (path + strlen ("/v1/invitations/"), '/');
      return g_strconcat ("/v1/invitations/…", rest != NULL ? rest : "", NULL);
    }
  return g_strdup (path);
}

static void
log_request (AmServer          *self,
             SoupServerMessage *msg,
             gboolean           aborted)
{
  gint64 *start = g_object_get_data (G_OBJECT (msg), START_KEY);
  g_autofree char *path = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;
  double ms;

  if (self->quiet)
    return;
  path = loggable_path (msg);
  now = g_date_time_new_now_utc ();
  stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  ms = start != NULL ? (g_get_monotonic_time () - *start) / 1000.0 : 0.0;
  if (aborted)
    g_printerr ("%s %s %s aborted %.1f ms\n", stamp, soup_server_message_get_method (msg), path, ms);
  else
    g_printerr ("%s %s %s %u %.1f ms\n", stamp, soup_server_message_get_method (msg), path,
                soup_server_message_get_status (msg), ms);
}

static void
on_request_finished_cb (SoupServer        *soup,
                        SoupServerMessage *msg,
                        gpointer           user_data)
{
  log_request (AM_SERVER (user_data), msg, FALSE);
}

static void
on_request_aborted_cb (SoupServer        *soup,
                       SoupServerMessage *msg,
                       gpointer           user_data)
{
  log_request (AM_SERVER (user_data), msg, TRUE);
}

/* GObject */

static void
release_hung (AmServer *self)
{
  for (guint i = 0; i < self->hung->len; i++)
    {
      SoupServerMessage *msg = g_ptr_array_index (self->hung, i);

      respond_error (msg, 503, "unavailable", _("The server is shutting down. Try again later."));
      soup_server_message_unpause (msg);
    }
  g_ptr_array_set_size (self->hung, 0);
}

static void
am_server_dispose (GObject *object)
{
  AmServer *self = AM_SERVER (object);

  if (self->soup != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->soup, self);
      release_hung (self);
      soup_server_disconnect (self->soup);
      g_clear_object (&self->soup);
    }

  G_OBJECT_CLASS (am_server_parent_class)->dispose (object);
}

static void
am_server_finalize (GObject *object)
{
  AmServer *self = AM_SERVER (object);

  g_ptr_array_unref (self->hung);
  g_free (self->url);

  G_OBJECT_CLASS (am_server_parent_class)->finalize (object);
}

static void
am_server_class_init (AmServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = am_server_dispose;
  object_class->finalize = am_server_finalize;
}

static void
am_server_init (AmServer *self)
{
  self->hung = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Public API */

/**
 * am_server_new:
 * @db: the database to serve; it must outlive the server
 *
 * Makes a server that answers on the thread-default main context of the
 * caller once am_server_listen() has been called.
 *
 * Returns: (transfer full): a new server
 */
AmServer *
am_server_new (AmServerDb *db)
{
  AmServer *self;

  g_return_val_if_fail (db != NULL, NULL);

  self = g_object_new (AM_TYPE_SERVER, NULL);
  self->db = db;
  self->soup = soup_server_new ("server-header", "access-manager-server/" PACKAGE_VERSION " ", NULL);
  soup_server_add_early_handler (self->soup, NULL, on_early_request_cb, self, NULL);
  soup_server_add_handler (self->soup, NULL, on_request_cb, self, NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (on_request_started_cb), self);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (on_request_finished_cb), self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (on_request_aborted_cb), self);
  return self;
}

/**
 * am_server_listen:
 * @self: a server
 * @host: (nullable): an IP address, or "localhost"; %NULL for 127.0.0.1
 * @port: the port, or 0 for any free one
 * @tls: (nullable): the certificate (with its key) for HTTPS; without one
 *   the server speaks plain HTTP, which it does only on a loopback address
 * @error: a location for a #GError
 *
 * Returns: whether the server listens
 */
gboolean
am_server_listen (AmServer         *self,
                  const char       *host,
                  guint             port,
                  GTlsCertificate  *tls,
                  GError          **error)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autofree char *address_text = NULL;
  GSList *uris;
  guint bound_port = port;

  g_return_val_if_fail (AM_IS_SERVER (self), FALSE);
  g_return_val_if_fail (port <= 65535, FALSE);
  g_return_val_if_fail (tls == NULL || G_IS_TLS_CERTIFICATE (tls), FALSE);

  if (host == NULL || g_ascii_strcasecmp (host, "localhost") == 0)
    address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    address = g_inet_address_new_from_string (host);
  if (address == NULL)
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_INVALID,
                   _("“%s” is not an IP address. Listen on an address such as 127.0.0.1 or 0.0.0.0."),
                   host);
      return FALSE;
    }
  if (tls == NULL && !g_inet_address_get_is_loopback (address))
    {
      g_set_error (error, AM_SERVER_ERROR, AM_SERVER_ERROR_INVALID,
                   _("The server speaks plain HTTP only on a loopback address such as 127.0.0.1. Give it --tls-cert and --tls-key to listen on %s."),
                   host);
      return FALSE;
    }

  if (tls != NULL)
    g_object_set (self->soup, "tls-certificate", tls, NULL);
  socket_address = g_inet_socket_address_new (address, (guint16) port);
  if (!soup_server_listen (self->soup, socket_address,
                           tls != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0, error))
    return FALSE;

  uris = soup_server_get_uris (self->soup);
  for (GSList *l = uris; l != NULL; l = l->next)
    if (g_uri_get_port (l->data) > 0)
      bound_port = (guint) g_uri_get_port (l->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  address_text = g_inet_address_to_string (address);
  g_free (self->url);
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    self->url = g_strdup_printf ("%s://[%s]:%u", tls != NULL ? "https" : "http", address_text, bound_port);
  else
    self->url = g_strdup_printf ("%s://%s:%u", tls != NULL ? "https" : "http", address_text, bound_port);
  return TRUE;
}

/**
 * am_server_get_url:
 * @self: a listening server
 *
 * Returns: (transfer full): the base URL, such as "http://127.0.0.1:8080";
 *   the endpoints are at <url>/v1/...
 */
char *
am_server_get_url (AmServer *self)
{
  g_return_val_if_fail (AM_IS_SERVER (self), NULL);

  return g_strdup (self->url);
}

/**
 * am_server_inject_faults:
 * @self: a server
 * @fault: what the answers are to be
 * @count: how many answers, of any endpoint; 0 ends the faults
 *
 * A switch for tests and benchmarks: it cannot be reached over HTTP.
 */
void
am_server_inject_faults (AmServer      *self,
                         AmServerFault  fault,
                         guint          count)
{
  g_return_if_fail (AM_IS_SERVER (self));

  self->fault = count > 0 ? fault : AM_SERVER_FAULT_NONE;
  self->fault_count = fault != AM_SERVER_FAULT_NONE ? count : 0;
}

/**
 * am_server_set_quiet:
 * @self: a server
 * @quiet: whether to leave out the request log
 */
void
am_server_set_quiet (AmServer *self,
                     gboolean  quiet)
{
  g_return_if_fail (AM_IS_SERVER (self));

  self->quiet = quiet;
}

/**
 * am_server_get_n_hung:
 * @self: a server
 *
 * Returns: how many requests the HANG fault holds unanswered
 */
guint
am_server_get_n_hung (AmServer *self)
{
  g_return_val_if_fail (AM_IS_SERVER (self), 0);

  return self->hung->len;
}
