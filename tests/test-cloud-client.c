/* test-cloud-client.c: the cloud client against a SoupServer on 127.0.0.1 in the test
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test programs the server with the answer it gives next, and reads
 * back what the client sent. HTTPS tests use a self-signed certificate
 * made with openssl in a temporary folder.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "am-cloud-client.h"
#include "am-test-records.h"

#define T0        G_GINT64_CONSTANT (1741618800)
#define TOKEN     "tok-7f3a9c-SECRET-session"
#define PASSWORD  "correct horse battery staple"
#define USER_ID   "0b6a3f1e-8c1d-4f7a-9d2e-5a4b3c2d1e0f"
#define ORG_ID    "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"

typedef enum
{
  ANSWER_CANNED,     /* status, body, Retry-After as programmed */
  ANSWER_TRUNCATED,  /* a Content-Length larger than the body, then closed */
  ANSWER_SILENT,     /* the connection is held open and never answered */
} AnswerKind;

typedef struct
{
  SoupServer         *server;
  char               *base_url;
  AmCloudClient      *client;

  /* what the server answers next */
  AnswerKind          kind;
  guint               status;
  char               *answer;
  char               *retry_after;
  char               *location;

  /* what it was sent last */
  guint               n_requests;
  char               *method;
  char               *path;
  char               *query;
  char               *body;
  SoupMessageHeaders *headers;
  GPtrArray          *held;

  GAsyncResult       *result;
} Fixture;

static char *cert_dir;
static GString *cloud_log;

/* The log lines of the client, kept for the test that looks for secrets;
 * everything else goes on as usual. */
static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }

  if (g_strcmp0 (domain, "am-cloud-client") == 0 && (level & G_LOG_LEVEL_DEBUG) != 0)
    {
      g_string_append_printf (cloud_log, "%s\n", message != NULL ? message : "");
      return G_LOG_WRITER_HANDLED;
    }

  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
answer_raw (SoupServerMessage *message,
            const char        *text)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (message);
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (stream), text, strlen (text),
                             NULL, NULL, &error);
  g_assert_no_error (error);
  g_io_stream_close (stream, NULL, NULL);
}

static void
on_request_cb (SoupServer        *server,
               SoupServerMessage *message,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  Fixture *f = user_data;
  GUri *uri = soup_server_message_get_uri (message);
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  SoupMessageHeaders *headers;

  f->n_requests++;
  g_free (f->method);
  f->method = g_strdup (soup_server_message_get_method (message));
  g_free (f->path);
  f->path = g_strdup (g_uri_get_path (uri));
  g_free (f->query);
  f->query = g_strdup (g_uri_get_query (uri));
  g_free (f->body);
  f->body = g_strndup (body->data, (gsize) body->length);
  g_clear_pointer (&f->headers, soup_message_headers_unref);
  f->headers = soup_message_headers_ref (soup_server_message_get_request_headers (message));

  switch (f->kind)
    {
    case ANSWER_TRUNCATED:
      answer_raw (message,
                  "HTTP/1.1 200 OK\r\n"
                  "Content-Type: application/json\r\n"
                  "Content-Length: 400\r\n"
                  "\r\n"
                  "{\"user\": {\"id\": \"" USER_ID "\", \"na");
      return;

    case ANSWER_SILENT:
      g_ptr_array_add (f->held, soup_server_message_steal_connection (message));
      return;

    case ANSWER_CANNED:
    default:
      break;
    }

  headers = soup_server_message_get_response_headers (message);
  if (f->retry_after != NULL)
    soup_message_headers_replace (headers, "Retry-After", f->retry_after);
  if (f->location != NULL)
    soup_message_headers_replace (headers, "Location", f->location);
  soup_server_message_set_status (message, f->status, NULL);
  if (f->answer != NULL)
    soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                      f->answer, strlen (f->answer));
}

static void
fixture_answer (Fixture    *f,
                guint       status,
                const char *answer)
{
  f->kind = ANSWER_CANNED;
  f->status = status;
  g_free (f->answer);
  f->answer = g_strdup (answer);
  g_clear_pointer (&f->retry_after, g_free);
}

static void
fixture_start (Fixture            *f,
               SoupServerListenOptions options,
               GTlsCertificate    *certificate)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;
  GUri *uri;

  f->server = soup_server_new ("tls-certificate", certificate, "raw-paths", TRUE, NULL);
  soup_server_add_handler (f->server, NULL, on_request_cb, f, NULL);
  soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | options, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (f->server);
  g_assert_nonnull (uris);
  uri = uris->data;
  f->base_url = g_strdup_printf ("%s://127.0.0.1:%d", g_uri_get_scheme (uri), g_uri_get_port (uri));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  f->client = am_cloud_client_new (f->base_url, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->client);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->held = g_ptr_array_new_with_free_func (g_object_unref);
  fixture_answer (f, SOUP_STATUS_OK, "{}");
  fixture_start (f, 0, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->client);
  for (guint i = 0; i < f->held->len; i++)
    g_io_stream_close (g_ptr_array_index (f->held, i), NULL, NULL);
  g_ptr_array_unref (f->held);
  if (f->server != NULL)
    soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  /* Let the closed connections go. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_clear_object (&f->result);
  g_clear_pointer (&f->headers, soup_message_headers_unref);
  g_free (f->base_url);
  g_free (f->answer);
  g_free (f->retry_after);
  g_free (f->location);
  g_free (f->method);
  g_free (f->path);
  g_free (f->query);
  g_free (f->body);
}

static void
on_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_null (f->result);
  f->result = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (Fixture *f)
{
  while (f->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (&f->result);
}

static const char *
sent_header (Fixture    *f,
             const char *name)
{
  g_assert_nonnull (f->headers);
  return soup_message_headers_get_one (f->headers, name);
}

static JsonObject *
sent_object (Fixture *f)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, f->body, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
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
session_answer (const char *token)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(AmCloudUser) user = am_cloud_user_new (USER_ID, "Lee Agent", "lee@example.com");
  g_autoptr(AmCloudOrg) org = am_cloud_org_new (ORG_ID, "Hill Country Rentals");
  AmCloudSession session = { (char *) token, user, org };

  am_cloud_session_to_json (&session, builder);
  return builder_text (builder);
}

static char *
passcode_answer (AmPasscodeRecord *record)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  am_passcode_record_to_json (record, builder);
  return builder_text (builder);
}

static char *
error_answer (const char *code,
              const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  am_cloud_error_to_json (code, message, builder);
  return builder_text (builder);
}

static AmCloudMe *
get_me (Fixture  *f,
        GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  am_cloud_client_get_me_async (f->client, NULL, on_done_cb, f);
  result = wait_for_result (f);
  return am_cloud_client_get_me_finish (f->client, result, error);
}

static void
test_url_plain_http_refused_for_remote_hosts (void)
{
  const char *urls[] = {
    "http://example.com",
    "http://cloud.example.com/api",
    "HTTP://example.com:8080/",
    "http://10.0.0.5",
    "http://127.0.0.1.example.com",
    "http://[::ffff:192.0.2.1]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AmCloudClient) client = NULL;

      g_assert_false (am_cloud_check_url (urls[i], &error));
      g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_INSECURE);
      g_assert_nonnull (strstr (error->message, "plain HTTP"));
      g_assert_nonnull (strstr (error->message, "Use an https:// address."));
      g_assert_false (am_cloud_error_is_transient (error));
      g_clear_error (&error);

      client = am_cloud_client_new (urls[i], &error);
      g_assert_null (client);
      g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_INSECURE);
    }
}

static void
test_url_loopback_http_accepted (void)
{
  const struct
  {
    const char *url;
    const char *base;
  } urls[] = {
    { "http://localhost:8080", "http://localhost:8080" },
    { "http://LOCALHOST/", "http://LOCALHOST" },
    { "http://[::1]:8080/", "http://[::1]:8080" },
    { "http://127.0.0.1:4000/api/", "http://127.0.0.1:4000/api" },
    { "http://127.3.2.1", "http://127.3.2.1" },
    { "https://cloud.example.com/api//", "https://cloud.example.com/api" },
    { "https://cloud.example.com:443/", "https://cloud.example.com" },
    { "  https://cloud.example.com:8443  ", "https://cloud.example.com:8443" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AmCloudClient) client = NULL;

      g_assert_true (am_cloud_check_url (urls[i].url, &error));
      g_assert_no_error (error);
      client = am_cloud_client_new (urls[i].url, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (am_cloud_client_get_base_url (client), ==, urls[i].base);
      g_assert_false (am_cloud_client_has_token (client));
    }
}

static void
test_url_not_an_address_refused (void)
{
  const char *urls[] = {
    NULL, "", "   ", "cloud.example.com", "ftp://cloud.example.com", "https://",
    "https://cloud.example.com/api?x=1", "https://cloud.example.com/#top",
    "https://lee:pw@cloud.example.com", "https://exa mple.com",
  };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (am_cloud_check_url (urls[i], &error));
      g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_INVALID_URL);
      g_assert_true (g_str_has_suffix (error->message, "."));
      g_assert_null (am_cloud_client_new (urls[i], NULL));
    }
}

static void
test_sign_in_sends_credentials_and_keeps_token (Fixture       *f,
                                                gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmCloudSession) session = NULL;
  g_autoptr(AmCloudMe) me = NULL;
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = session_answer (TOKEN);
  g_autofree char *authorization = NULL;

  fixture_answer (f, SOUP_STATUS_CREATED, answer);
  am_cloud_client_sign_in_async (f->client, "lee@example.com", PASSWORD, "Front desk",
                                 NULL, on_done_cb, f);
  result = wait_for_result (f);
  session = am_cloud_client_sign_in_finish (f->client, result, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (f->method, ==, "POST");
  g_assert_cmpstr (f->path, ==, "/v1/sessions");
  g_assert_null (sent_header (f, "Authorization"));
  g_assert_cmpstr (sent_header (f, "User-Agent"), ==, "access-manager/" PACKAGE_VERSION);
  g_assert_true (g_str_has_prefix (sent_header (f, "Content-Type"), "application/json"));
  sent = sent_object (f);
  g_assert_cmpstr (json_object_get_string_member (sent, "email"), ==, "lee@example.com");
  g_assert_cmpstr (json_object_get_string_member (sent, "password"), ==, PASSWORD);
  g_assert_cmpstr (json_object_get_string_member (sent, "device_name"), ==, "Front desk");

  g_assert_cmpstr (session->token, ==, TOKEN);
  g_assert_cmpstr (session->user->id, ==, USER_ID);
  g_assert_cmpstr (session->org->name, ==, "Hill Country Rentals");
  g_assert_true (am_cloud_client_has_token (f->client));

  /* The next request carries the token. */
  g_clear_pointer (&answer, g_free);
  {
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autoptr(AmProperty) property = am_test_property ("Oak Row", "1 Oak Row", "Austin", "America/Chicago");
    AmCloudMe expected = { session->user, session->org, g_ptr_array_new_with_free_func (g_object_unref) };

    g_ptr_array_add (expected.grants, am_test_grant (property, "generate_codes,ble_unlock"));
    am_cloud_me_to_json (&expected, builder);
    answer = builder_text (builder);
    g_ptr_array_unref (expected.grants);
  }
  fixture_answer (f, SOUP_STATUS_OK, answer);
  me = get_me (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (f->method, ==, "GET");
  g_assert_cmpstr (f->path, ==, "/v1/me");
  authorization = g_strdup_printf ("Bearer %s", TOKEN);
  g_assert_cmpstr (sent_header (f, "Authorization"), ==, authorization);
  g_assert_cmpstr (me->user->email, ==, "lee@example.com");
  g_assert_cmpuint (me->grants->len, ==, 1);
}

static void
test_sign_in_wrong_password_is_signed_out_with_cloud_sentence (Fixture       *f,
                                                               gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmCloudSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = error_answer ("wrong_credentials", "Wrong email or password.");

  fixture_answer (f, SOUP_STATUS_UNAUTHORIZED, answer);
  am_cloud_client_sign_in_async (f->client, "lee@example.com", "nope", "Front desk",
                                 NULL, on_done_cb, f);
  result = wait_for_result (f);
  session = am_cloud_client_sign_in_finish (f->client, result, &error);
  g_assert_null (session);
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_SIGNED_OUT);
  g_assert_cmpstr (error->message, ==, "The email address or the password is wrong. Check both, then try again.");
  g_assert_false (am_cloud_client_has_token (f->client));
}

static void
test_sign_out_deletes_session_and_forgets_token (Fixture       *f,
                                                 gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) again = NULL;
  g_autoptr(GError) error = NULL;

  am_cloud_client_set_token (f->client, TOKEN);
  fixture_answer (f, SOUP_STATUS_NO_CONTENT, NULL);
  am_cloud_client_sign_out_async (f->client, NULL, on_done_cb, f);
  result = wait_for_result (f);
  g_assert_true (am_cloud_client_sign_out_finish (f->client, result, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (f->method, ==, "DELETE");
  g_assert_cmpstr (f->path, ==, "/v1/sessions/current");
  g_assert_cmpstr (sent_header (f, "Authorization"), ==, "Bearer " TOKEN);
  g_assert_false (am_cloud_client_has_token (f->client));

  /* Signed out already: nothing to send. */
  am_cloud_client_sign_out_async (f->client, NULL, on_done_cb, f);
  again = wait_for_result (f);
  g_assert_true (am_cloud_client_sign_out_finish (f->client, again, &error));
  g_assert_cmpuint (f->n_requests, ==, 1);
}

static void
test_sign_out_keeps_token_when_cloud_fails (Fixture       *f,
                                            gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  am_cloud_client_set_token (f->client, TOKEN);
  fixture_answer (f, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
  am_cloud_client_sign_out_async (f->client, NULL, on_done_cb, f);
  result = wait_for_result (f);
  g_assert_false (am_cloud_client_sign_out_finish (f->client, result, &error));
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_SERVER);
  g_assert_true (am_cloud_client_has_token (f->client));
}

/* Someone with only a code to paste is told about the code, not to sync. */
static void
test_accept_invitation_refused_speaks_of_the_invitation (Fixture       *f,
                                                         gconstpointer  data)
{
  const struct { guint status; AmCloudError code; const char *says; } cases[] = {
    { SOUP_STATUS_NOT_FOUND, AM_CLOUD_ERROR_NOT_FOUND, "unknown or has expired" },
    { SOUP_STATUS_CONFLICT, AM_CLOUD_ERROR_CONFLICT, "accepted already" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(AmCloudSession) session = NULL;
      g_autoptr(GError) error = NULL;

      fixture_answer (f, cases[i].status,
                      "{\"error\": {\"code\": \"invitation\", \"message\": \"Refused.\"}}");
      am_cloud_client_accept_invitation_async (f->client, "invite-token", "Lee Agent", PASSWORD,
                                               NULL, on_done_cb, f);
      result = wait_for_result (f);
      session = am_cloud_client_accept_invitation_finish (f->client, result, &error);
      g_assert_null (session);
      g_assert_error (error, AM_CLOUD_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].says));
      g_assert_null (strstr (error->message, "Sync"));
      g_assert_null (strstr (error->message, "invite-token"));
    }
}

static void
test_accept_invitation_escapes_token_and_gives_no_session_token (Fixture       *f,
                                                                 gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmCloudSession) session = NULL;
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = session_answer (NULL);

  fixture_answer (f, SOUP_STATUS_CREATED, answer);
  am_cloud_client_accept_invitation_async (f->client, "inv/7 x?y", "Lee Agent", PASSWORD,
                                           NULL, on_done_cb, f);
  result = wait_for_result (f);
  session = am_cloud_client_accept_invitation_finish (f->client, result, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (f->method, ==, "POST");
  g_assert_cmpstr (f->path, ==, "/v1/invitations/inv%2F7%20x%3Fy/accept");
  g_assert_null (f->query);
  g_assert_null (sent_header (f, "Authorization"));
  sent = sent_object (f);
  g_assert_cmpstr (json_object_get_string_member (sent, "name"), ==, "Lee Agent");
  g_assert_cmpstr (json_object_get_string_member (sent, "password"), ==, PASSWORD);
  g_assert_null (session->token);
  g_assert_cmpstr (session->user->name, ==, "Lee Agent");
  g_assert_false (am_cloud_client_has_token (f->client));
}

static void
test_sync_sends_cursor_and_limit_in_query (Fixture       *f,
                                           gconstpointer  data)
{
  g_autoptr(AmSyncPage) expected = am_sync_page_new ();
  g_autoptr(AmProperty) property = am_test_property ("Oak Row", "1 Oak Row", "Austin", "America/Chicago");
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  AmLock *lock = am_test_lock (property, "Front door", NULL);
  gboolean more = FALSE;

  g_ptr_array_add (expected->properties, g_object_ref (property));
  g_ptr_array_add (expected->locks, lock);
  am_sync_page_add_deleted (expected, "passcode", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");
  expected->cursor = g_strdup ("c2");
  am_sync_page_to_json (expected, TRUE, builder);
  answer = builder_text (builder);
  fixture_answer (f, SOUP_STATUS_OK, answer);
  am_cloud_client_set_token (f->client, TOKEN);

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(AmSyncPage) page = NULL;

    am_cloud_client_sync_async (f->client, "c+1/=&x", 50, NULL, on_done_cb, f);
    result = wait_for_result (f);
    page = am_cloud_client_sync_finish (f->client, result, &more, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (f->method, ==, "GET");
    g_assert_cmpstr (f->path, ==, "/v1/sync");
    g_assert_cmpstr (f->query, ==, "since=c%2B1%2F%3D%26x&limit=50");
    g_assert_cmpstr (sent_header (f, "Authorization"), ==, "Bearer " TOKEN);
    g_assert_true (more);
    g_assert_cmpstr (page->cursor, ==, "c2");
    g_assert_cmpuint (page->properties->len, ==, 1);
    g_assert_cmpuint (page->locks->len, ==, 1);
    g_assert_cmpuint (page->deleted->len, ==, 1);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(AmSyncPage) page = NULL;

    am_cloud_client_sync_async (f->client, NULL, 0, NULL, on_done_cb, f);
    result = wait_for_result (f);
    page = am_cloud_client_sync_finish (f->client, result, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (page);
    g_assert_cmpstr (f->path, ==, "/v1/sync");
    g_assert_null (f->query);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(AmSyncPage) page = NULL;

    am_cloud_client_sync_async (f->client, NULL, 5000, NULL, on_done_cb, f);
    result = wait_for_result (f);
    page = am_cloud_client_sync_finish (f->client, result, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (f->query, ==, "limit=5000");
  }
}

static void
test_sync_cursor_gone_is_its_own_error (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmSyncPage) page = NULL;
  g_autoptr(GError) error = NULL;
  gboolean more = TRUE;

  am_cloud_client_set_token (f->client, TOKEN);
  fixture_answer (f, SOUP_STATUS_GONE, NULL);
  am_cloud_client_sync_async (f->client, "old", 0, NULL, on_done_cb, f);
  result = wait_for_result (f);
  page = am_cloud_client_sync_finish (f->client, result, &more, &error);
  g_assert_null (page);
  g_assert_false (more);
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_CURSOR_GONE);
  g_assert_false (am_cloud_error_is_transient (error));
}

static void
test_lock_key_read_from_its_path (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmCloudLockKey) key = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  AmCloudLockKey expected = { 0 };

  expected.lock_id = (char *) "3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a0f9";
  expected.kv = 3;
  for (guint i = 0; i < sizeof expected.key; i++)
    expected.key[i] = (guint8) (i * 7 + 1);
  am_cloud_lock_key_to_json (&expected, builder);
  answer = builder_text (builder);

  am_cloud_client_set_token (f->client, TOKEN);
  fixture_answer (f, SOUP_STATUS_OK, answer);
  am_cloud_client_get_lock_key_async (f->client, expected.lock_id, NULL, on_done_cb, f);
  result = wait_for_result (f);
  key = am_cloud_client_get_lock_key_finish (f->client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (f->method, ==, "GET");
  g_assert_cmpstr (f->path, ==, "/v1/locks/3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a0f9/key");
  g_assert_cmpuint (key->kv, ==, 3);
  g_assert_cmpmem (key->key, sizeof key->key, expected.key, sizeof expected.key);
  g_assert_cmpuint (key->previous_kv, ==, 0);
}

static void
test_create_passcode_sends_outbox_body_as_is_with_idempotency_key (Fixture       *f,
                                                                   gconstpointer  data)
{
  g_autoptr(AmProperty) property = am_test_property ("Oak Row", "1 Oak Row", "Austin", "America/Chicago");
  g_autoptr(AmLock) lock = am_test_lock (property, "Front door", "2B");
  g_autoptr(AmPasscodeRecord) record = am_test_passcode (lock, (guint32) (T0 / 3600 + 48), 2, T0);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *body = NULL;
  g_autofree char *answer = passcode_answer (record);
  const guint statuses[] = { SOUP_STATUS_CREATED, SOUP_STATUS_OK };

  am_passcode_record_to_create_json (record, builder);
  body = builder_text (builder);
  am_cloud_client_set_token (f->client, TOKEN);

  /* Created, then the same request replayed. */
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(AmPasscodeRecord) stored = NULL;
      g_autoptr(GError) error = NULL;

      fixture_answer (f, statuses[i], answer);
      am_cloud_client_create_passcode_async (f->client, record->id, body, NULL, on_done_cb, f);
      result = wait_for_result (f);
      stored = am_cloud_client_create_passcode_finish (f->client, result, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (f->method, ==, "POST");
      g_assert_cmpstr (f->path, ==, "/v1/passcodes");
      g_assert_cmpstr (sent_header (f, "Idempotency-Key"), ==, record->id);
      g_assert_cmpstr (sent_header (f, "Authorization"), ==, "Bearer " TOKEN);
      g_assert_cmpstr (f->body, ==, body);
      g_assert_cmpstr (am_passcode_record_get_id (stored), ==, record->id);
    }
}

static void
test_create_passcode_conflict_carries_cloud_sentence (Fixture       *f,
                                                      gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmPasscodeRecord) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = error_answer ("idempotency_conflict",
                                          "This passcode id was used with another body");

  am_cloud_client_set_token (f->client, TOKEN);
  fixture_answer (f, SOUP_STATUS_CONFLICT, answer);
  am_cloud_client_create_passcode_async (f->client, "id-1", "{}", NULL, on_done_cb, f);
  result = wait_for_result (f);
  stored = am_cloud_client_create_passcode_finish (f->client, result, &error);
  g_assert_null (stored);
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "The cloud refused: This passcode id was used with another body."));
  g_assert_false (am_cloud_error_is_transient (error));
}

static void
test_revoke_passcode_posts_empty_object (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(AmProperty) property = am_test_property ("Oak Row", "1 Oak Row", "Austin", "America/Chicago");
  g_autoptr(AmLock) lock = am_test_lock (property, "Front door", "2B");
  g_autoptr(AmPasscodeRecord) record = am_test_passcode (lock, (guint32) (T0 / 3600 + 48), 2, T0);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmPasscodeRecord) revoked = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *path = NULL;

  record->revoked_at = T0 + 60;
  record->revoked_by_id = g_strdup (USER_ID);
  record->revoked_by_name = g_strdup ("Lee Agent");
  answer = passcode_answer (record);

  am_cloud_client_set_token (f->client, TOKEN);
  fixture_answer (f, SOUP_STATUS_OK, answer);
  am_cloud_client_revoke_passcode_async (f->client, record->id, NULL, on_done_cb, f);
  result = wait_for_result (f);
  revoked = am_cloud_client_revoke_passcode_finish (f->client, result, &error);
  g_assert_no_error (error);
  path = g_strdup_printf ("/v1/passcodes/%s/revoke", record->id);
  g_assert_cmpstr (f->method, ==, "POST");
  g_assert_cmpstr (f->path, ==, path);
  g_assert_cmpstr (f->body, ==, "{}");
  g_assert_nonnull (revoked);
}

static void
test_upload_events_reports_accepted_and_duplicates (Fixture       *f,
                                                    gconstpointer  data)
{
  g_autoptr(AmProperty) property = am_test_property ("Oak Row", "1 Oak Row", "Austin", "America/Chicago");
  g_autoptr(AmLock) lock = am_test_lock (property, "Front door", "2B");
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  JsonArray *array;
  guint accepted = 0, duplicates = 0;

  g_ptr_array_add (events, am_test_lock_event (lock, 7, AM_LOCK_EVENT_NAME_BLE_UNLOCK, T0));
  g_ptr_array_add (events, am_test_lock_event (lock, 8, AM_LOCK_EVENT_NAME_LOCKOUT, T0 + 5));

  am_cloud_client_set_token (f->client, TOKEN);
  fixture_answer (f, SOUP_STATUS_OK, "{\"accepted\": 1, \"duplicates\": 1}");
  am_cloud_client_upload_events_async (f->client, lock->id, events, NULL, on_done_cb, f);
  result = wait_for_result (f);
  g_assert_true (am_cloud_client_upload_events_finish (f->client, result, &accepted, &duplicates, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (accepted, ==, 1);
  g_assert_cmpuint (duplicates, ==, 1);

  path = g_strdup_printf ("/v1/locks/%s/events", lock->id);
  g_assert_cmpstr (f->method, ==, "POST");
  g_assert_cmpstr (f->path, ==, path);
  sent = sent_object (f);
  array = json_object_get_array_member (sent, "events");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (array, 1), "seq"), ==, 8);
  g_assert_false (json_object_has_member (json_array_get_object_element (array, 0), "lock_id"));
}

static void
test_upload_events_without_counts_is_bad_response (Fixture       *f,
                                                   gconstpointer  data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint accepted = 9;

  am_cloud_client_set_token (f->client, TOKEN);
  fixture_answer (f, SOUP_STATUS_OK, "{\"accepted\": -1, \"duplicates\": 0}");
  am_cloud_client_upload_events_async (f->client, "3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a0f9",
                                       events, NULL, on_done_cb, f);
  result = wait_for_result (f);
  g_assert_false (am_cloud_client_upload_events_finish (f->client, result, &accepted, NULL, &error));
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "accepted"));
  g_assert_cmpuint (accepted, ==, 0);
}

static void
test_create_unlock_sends_it_and_reads_stored_unlock (Fixture       *f,
                                                     gconstpointer  data)
{
  g_autoptr(AmProperty) property = am_test_property ("Oak Row", "1 Oak Row", "Austin", "America/Chicago");
  g_autoptr(AmLock) lock = am_test_lock (property, "Front door", "2B");
  g_autoptr(AmUnlock) unlock = am_test_unlock (lock, T0);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  const guint statuses[] = { SOUP_STATUS_CREATED, SOUP_STATUS_OK };

  am_unlock_to_json (unlock, builder);
  answer = builder_text (builder);
  am_cloud_client_set_token (f->client, TOKEN);

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(AmUnlock) stored = NULL;
      g_autoptr(JsonObject) sent = NULL;

      fixture_answer (f, statuses[i], answer);
      am_cloud_client_create_unlock_async (f->client, unlock, NULL, on_done_cb, f);
      result = wait_for_result (f);
      stored = am_cloud_client_create_unlock_finish (f->client, result, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (f->method, ==, "POST");
      g_assert_cmpstr (f->path, ==, "/v1/unlocks");
      sent = sent_object (f);
      g_assert_cmpstr (json_object_get_string_member (sent, "id"), ==, unlock->id);
      g_assert_cmpstr (json_object_get_string_member (sent, "lock_id"), ==, lock->id);
      g_assert_cmpstr (json_object_get_string_member (sent, "result"), ==, "ok");
      g_assert_true (json_object_has_member (sent, "at"));
      g_assert_nonnull (stored);
    }
}

static void
test_status_maps_to_error_with_cloud_sentence (Fixture       *f,
                                               gconstpointer  data)
{
  const struct
  {
    guint        status;
    AmCloudError code;
    gboolean     transient;
  } cases[] = {
    { 400, AM_CLOUD_ERROR_INVALID, FALSE },
    { 401, AM_CLOUD_ERROR_SIGNED_OUT, FALSE },
    { 403, AM_CLOUD_ERROR_FORBIDDEN, FALSE },
    { 404, AM_CLOUD_ERROR_NOT_FOUND, FALSE },
    { 405, AM_CLOUD_ERROR_INVALID, FALSE },
    { 409, AM_CLOUD_ERROR_CONFLICT, FALSE },
    { 410, AM_CLOUD_ERROR_CURSOR_GONE, FALSE },
    { 413, AM_CLOUD_ERROR_TOO_LARGE, FALSE },
    { 422, AM_CLOUD_ERROR_INVALID, FALSE },
    { 429, AM_CLOUD_ERROR_RATE_LIMITED, TRUE },
    { 500, AM_CLOUD_ERROR_SERVER, TRUE },
    { 502, AM_CLOUD_ERROR_SERVER, TRUE },
    { 503, AM_CLOUD_ERROR_SERVER, TRUE },
  };
  g_autofree char *answer = error_answer ("lock_asleep", "The lock is asleep");

  am_cloud_client_set_token (f->client, TOKEN);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AmCloudMe) me = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("HTTP %u, with the cloud's message", cases[i].status);
      fixture_answer (f, cases[i].status, answer);
      me = get_me (f, &error);
      g_assert_null (me);
      g_assert_error (error, AM_CLOUD_ERROR, (gint) cases[i].code);
      g_assert_nonnull (strstr (error->message, "The lock is asleep."));
      g_assert_true (g_str_has_suffix (error->message, "."));
      g_assert_cmpint (am_cloud_error_is_transient (error), ==, cases[i].transient);
      g_clear_error (&error);

      g_test_message ("HTTP %u, without a body", cases[i].status);
      fixture_answer (f, cases[i].status, NULL);
      me = get_me (f, &error);
      g_assert_error (error, AM_CLOUD_ERROR, (gint) cases[i].code);
      g_assert_cmpuint (strlen (error->message), >, 20);
      g_assert_true (g_str_has_suffix (error->message, "."));

      /* Still signed in: the caller decides what a 401 means for the vault. */
      g_assert_true (am_cloud_client_has_token (f->client));
    }
}

static void
test_error_body_that_is_not_json_still_maps_status (Fixture       *f,
                                                    gconstpointer  data)
{
  g_autoptr(AmCloudMe) me = NULL;
  g_autoptr(GError) error = NULL;

  am_cloud_client_set_token (f->client, TOKEN);
  fixture_answer (f, SOUP_STATUS_BAD_GATEWAY, "<html><body>Bad gateway</body></html>");
  me = get_me (f, &error);
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_SERVER);
  g_assert_null (strstr (error->message, "html"));
}

static void
test_advice_not_repeated_when_cloud_gave_it (Fixture       *f,
                                             gconstpointer  data)
{
  const struct
  {
    guint       status;
    const char *said;
    const char *expected;
  } cases[] = {
    { 503, "The server failed. Try again later.", "The cloud failed: The server failed. Try again later." },
    { 401, "Your session has ended; sign in again.", "The cloud refused: Your session has ended; sign in again." },
    { 401, "Your session has ended", "The cloud refused: Your session has ended. Sign in again." },
  };

  am_cloud_client_set_token (f->client, TOKEN);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AmCloudMe) me = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *answer = error_answer ("x", cases[i].said);

      fixture_answer (f, cases[i].status, answer);
      me = get_me (f, &error);
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, ==, cases[i].expected);
    }
}

static void
test_retry_after_read_as_seconds_or_date (Fixture       *f,
                                          gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 90);
  g_autofree char *date = NULL;
  const struct
  {
    const char *header;
    guint       min;
    guint       max;
  } cases[] = {
    { "120", 120, 120 },
    { " 7 ", 7, 7 },
    { NULL, 0, 0 },
    { "soon", 0, 0 },
    { "99999999999999", 24 * 3600, 24 * 3600 },
    { "Wed, 21 Oct 2015 07:28:00 GMT", 0, 0 },
    { NULL, 85, 91 },  /* an HTTP date 90 s ahead, filled in below */
  };

  date = soup_date_time_to_string (later, SOUP_DATE_HTTP);
  am_cloud_client_set_token (f->client, TOKEN);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AmCloudMe) me = NULL;
      g_autoptr(GError) error = NULL;
      const char *header = i == G_N_ELEMENTS (cases) - 1 ? date : cases[i].header;
      guint seconds;

      g_test_message ("Retry-After: %s", header != NULL ? header : "(none)");
      fixture_answer (f, 429, NULL);
      f->retry_after = g_strdup (header);
      me = get_me (f, &error);
      g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_RATE_LIMITED);
      seconds = am_cloud_client_get_retry_after (f->client);
      g_assert_cmpuint (seconds, >=, cases[i].min);
      g_assert_cmpuint (seconds, <=, cases[i].max);
      /* The error carries it on, to whoever it is passed. */
      g_assert_cmpuint (am_cloud_error_get_retry_after (error), ==, seconds);
    }

  /* An answer that is not 429 clears it. */
  {
    g_autoptr(AmCloudMe) me = NULL;

    fixture_answer (f, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
    me = get_me (f, NULL);
    g_assert_cmpuint (am_cloud_client_get_retry_after (f->client), ==, 0);
  }
}

static void
test_malformed_answers_are_bad_response (Fixture       *f,
                                         gconstpointer  data)
{
  g_autofree char *no_token = session_answer (NULL);
  const char *answers[] = {
    "{\"token\": \"abc\", \"user\": {",
    "[1, 2, 3]",
    "not json at all",
    "",
    "\"a string\"",
    no_token,
  };

  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(AmCloudSession) session = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("answer: %s", answers[i]);
      fixture_answer (f, SOUP_STATUS_CREATED, answers[i]);
      am_cloud_client_sign_in_async (f->client, "lee@example.com", PASSWORD, "Front desk",
                                     NULL, on_done_cb, f);
      result = wait_for_result (f);
      session = am_cloud_client_sign_in_finish (f->client, result, &error);
      g_assert_null (session);
      g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_BAD_RESPONSE);
      g_assert_true (am_cloud_error_is_transient (error));
      g_assert_false (am_cloud_client_has_token (f->client));
    }

  /* A record that fails validation: the validator's sentence is kept. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(AmCloudSession) session = NULL;
    g_autoptr(GError) error = NULL;

    fixture_answer (f, SOUP_STATUS_CREATED, no_token);
    am_cloud_client_sign_in_async (f->client, "lee@example.com", PASSWORD, "Front desk",
                                   NULL, on_done_cb, f);
    result = wait_for_result (f);
    session = am_cloud_client_sign_in_finish (f->client, result, &error);
    g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_BAD_RESPONSE);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "token"));
  }
}

static void
test_truncated_answer_is_transient (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(AmCloudMe) me = NULL;
  g_autoptr(GError) error = NULL;

  am_cloud_client_set_token (f->client, TOKEN);
  f->kind = ANSWER_TRUNCATED;
  me = get_me (f, &error);
  g_assert_null (me);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (g_error_matches (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_BAD_RESPONSE) ||
                 g_error_matches (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_NETWORK));
  g_assert_true (am_cloud_error_is_transient (error));
}

static void
test_silent_server_times_out_as_network (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(AmCloudMe) me = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  am_cloud_client_set_token (f->client, TOKEN);
  am_cloud_client_set_timeout (f->client, 1);
  f->kind = ANSWER_SILENT;
  start = g_get_monotonic_time ();
  me = get_me (f, &error);
  g_assert_null (me);
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_true (am_cloud_error_is_transient (error));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpuint (f->n_requests, ==, 1);
}

static void
test_unreachable_server_is_network (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(AmCloudClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  Fixture f = { 0 };
  GSList *uris;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmCloudMe) me = NULL;

  /* A port that was free a moment ago and is closed again. */
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  soup_server_disconnect (server);

  client = am_cloud_client_new (url, &error);
  g_assert_no_error (error);
  am_cloud_client_set_token (client, TOKEN);
  am_cloud_client_get_me_async (client, NULL, on_done_cb, &f);
  result = wait_for_result (&f);
  me = am_cloud_client_get_me_finish (client, result, &error);
  g_assert_null (me);
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_NETWORK);
  g_assert_true (am_cloud_error_is_transient (error));
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel_is_quiet (Fixture       *f,
                      gconstpointer  data)
{
  am_cloud_client_set_token (f->client, TOKEN);
  f->kind = ANSWER_SILENT;

  /* While waiting for the answer. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(AmSyncPage) page = NULL;
    g_autoptr(GError) error = NULL;

    g_timeout_add_full (G_PRIORITY_DEFAULT, 100, cancel_cb, g_object_ref (cancellable), g_object_unref);
    am_cloud_client_sync_async (f->client, NULL, 0, cancellable, on_done_cb, f);
    result = wait_for_result (f);
    page = am_cloud_client_sync_finish (f->client, result, NULL, &error);
    g_assert_null (page);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_false (am_cloud_error_is_transient (error));
  }

  /* Cancelled before it started. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    g_cancellable_cancel (cancellable);
    am_cloud_client_revoke_passcode_async (f->client, "p1", cancellable, on_done_cb, f);
    result = wait_for_result (f);
    g_assert_null (am_cloud_client_revoke_passcode_finish (f->client, result, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
}

static void
test_base_url_path_prefix_kept (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(AmCloudClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("%s/api/", f->base_url);
  g_autofree char *expected = g_strdup_printf ("%s/api", f->base_url);

  client = am_cloud_client_new (url, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (am_cloud_client_get_base_url (client), ==, expected);

  fixture_answer (f, SOUP_STATUS_NO_CONTENT, NULL);
  am_cloud_client_set_token (client, TOKEN);
  am_cloud_client_sign_out_async (client, NULL, on_done_cb, f);
  result = wait_for_result (f);
  g_assert_true (am_cloud_client_sign_out_finish (client, result, &error));
  g_assert_cmpstr (f->path, ==, "/api/v1/sessions/current");
}

static void
test_no_token_no_request (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(AmCloudMe) me = NULL;
  g_autoptr(GError) error = NULL;

  me = get_me (f, &error);
  g_assert_null (me);
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_SIGNED_OUT);
  g_assert_cmpuint (f->n_requests, ==, 0);

  /* A token replaced, then forgotten. */
  am_cloud_client_set_token (f->client, "first");
  am_cloud_client_set_token (f->client, TOKEN);
  g_assert_true (am_cloud_client_has_token (f->client));
  am_cloud_client_set_token (f->client, NULL);
  g_assert_false (am_cloud_client_has_token (f->client));
}

static void
test_redirect_not_followed (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(AmCloudMe) me = NULL;
  g_autoptr(GError) error = NULL;

  am_cloud_client_set_token (f->client, TOKEN);
  fixture_answer (f, SOUP_STATUS_FOUND, NULL);
  f->location = g_strdup ("http://127.0.0.1:1/elsewhere");
  me = get_me (f, &error);
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_BAD_RESPONSE);
  g_assert_cmpuint (f->n_requests, ==, 1);
}

static void
test_token_and_password_never_logged (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmCloudSession) session = NULL;
  g_autoptr(AmCloudMe) me = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = session_answer (TOKEN);

  g_string_truncate (cloud_log, 0);
  fixture_answer (f, SOUP_STATUS_CREATED, answer);
  am_cloud_client_sign_in_async (f->client, "lee@example.com", PASSWORD, "Front desk",
                                 NULL, on_done_cb, f);
  result = wait_for_result (f);
  session = am_cloud_client_sign_in_finish (f->client, result, &error);
  g_assert_no_error (error);
  fixture_answer (f, SOUP_STATUS_UNAUTHORIZED, NULL);
  me = get_me (f, &error);
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_SIGNED_OUT);

  {
    g_autoptr(GAsyncResult) invited = NULL;
    g_autoptr(AmCloudSession) accepted = NULL;

    fixture_answer (f, SOUP_STATUS_NOT_FOUND, NULL);
    am_cloud_client_accept_invitation_async (f->client, "invite-SECRET", "Lee", PASSWORD,
                                             NULL, on_done_cb, f);
    invited = wait_for_result (f);
    accepted = am_cloud_client_accept_invitation_finish (f->client, invited, NULL);
  }

  g_test_message ("log:\n%s", cloud_log->str);
  g_assert_nonnull (strstr (cloud_log->str, "POST /v1/sessions: 201"));
  g_assert_nonnull (strstr (cloud_log->str, "GET /v1/me: 401"));
  g_assert_null (strstr (cloud_log->str, "SECRET"));
  g_assert_null (strstr (cloud_log->str, PASSWORD));
  g_assert_null (strstr (cloud_log->str, "lee@example.com"));
}

/* HTTPS */

static gboolean
make_certificate (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  const char *argv[] = {
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1",
    "-keyout", "key.pem", "-out", "cert.pem", NULL,
  };

  cert_dir = g_dir_make_tmp ("am-cloud-client-XXXXXX", &error);
  g_assert_no_error (error);
  if (!g_spawn_sync (cert_dir, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      g_printerr ("openssl failed: %s\n", error != NULL ? error->message : err);
      return FALSE;
    }
  return TRUE;
}

static void
remove_certificate (void)
{
  const char *names[] = { "key.pem", "cert.pem" };

  if (cert_dir == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (cert_dir, names[i], NULL);

      g_remove (path);
    }
  g_rmdir (cert_dir);
  g_clear_pointer (&cert_dir, g_free);
}

static void
tls_fixture_set_up (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;

  f->held = g_ptr_array_new_with_free_func (g_object_unref);
  fixture_answer (f, SOUP_STATUS_OK, "{}");
  if (cert_dir == NULL)
    return;

  cert = g_build_filename (cert_dir, "cert.pem", NULL);
  key = g_build_filename (cert_dir, "key.pem", NULL);
  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  fixture_start (f, SOUP_SERVER_LISTEN_HTTPS, certificate);
  g_assert_true (g_str_has_prefix (f->base_url, "https://"));
}

static GTlsDatabase *
trusted_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cert = g_build_filename (cert_dir, "cert.pem", NULL);
  GTlsDatabase *database = g_tls_file_database_new (cert, &error);

  g_assert_no_error (error);
  return database;
}

static void
test_tls_trusted_certificate_works (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(AmCloudMe) me = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AmProperty) property = am_test_property ("Oak Row", "1 Oak Row", "Austin", "America/Chicago");
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *answer = NULL;

  if (cert_dir == NULL)
    {
      g_test_skip ("openssl could not make a test certificate");
      return;
    }

  {
    g_autoptr(AmCloudUser) user = am_cloud_user_new (USER_ID, "Lee Agent", "lee@example.com");
    g_autoptr(AmCloudOrg) org = am_cloud_org_new (ORG_ID, "Hill Country Rentals");
    g_autoptr(GPtrArray) grants = g_ptr_array_new_with_free_func (g_object_unref);
    AmCloudMe expected = { user, org, grants };

    am_cloud_me_to_json (&expected, builder);
    answer = builder_text (builder);
  }

  database = trusted_database ();
  am_cloud_client_set_tls_database (f->client, database);
  am_cloud_client_set_token (f->client, TOKEN);
  fixture_answer (f, SOUP_STATUS_OK, answer);
  me = get_me (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (me->user->id, ==, USER_ID);
  g_assert_cmpstr (sent_header (f, "Authorization"), ==, "Bearer " TOKEN);
}

static void
test_tls_untrusted_certificate_refused (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(AmCloudMe) me = NULL;
  g_autoptr(GError) error = NULL;

  if (cert_dir == NULL)
    {
      g_test_skip ("openssl could not make a test certificate");
      return;
    }

  /* The system's authorities do not know the test's certificate. */
  am_cloud_client_set_token (f->client, TOKEN);
  me = get_me (f, &error);
  g_assert_null (me);
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_CERTIFICATE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_false (am_cloud_error_is_transient (error));
  /* The token never reached the server. */
  g_assert_cmpuint (f->n_requests, ==, 0);

  /* Nor does a NULL database mean "trust anything". */
  am_cloud_client_set_tls_database (f->client, NULL);
  g_clear_pointer (&me, am_cloud_me_free);
  g_clear_error (&error);
  me = get_me (f, &error);
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_CERTIFICATE);
  g_assert_cmpuint (f->n_requests, ==, 0);
}

static void
test_tls_certificate_for_another_host_refused (Fixture       *f,
                                               gconstpointer  data)
{
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(AmCloudClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmCloudMe) me = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  if (cert_dir == NULL)
    {
      g_test_skip ("openssl could not make a test certificate");
      return;
    }

  /* Trusted, but made out to 127.0.0.1, not to localhost. */
  url = g_strdup_printf ("https://localhost:%s", strrchr (f->base_url, ':') + 1);
  client = am_cloud_client_new (url, &error);
  g_assert_no_error (error);
  database = trusted_database ();
  am_cloud_client_set_tls_database (client, database);
  am_cloud_client_set_token (client, TOKEN);
  am_cloud_client_get_me_async (client, NULL, on_done_cb, f);
  result = wait_for_result (f);
  me = am_cloud_client_get_me_finish (client, result, &error);
  g_assert_null (me);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  /* localhost may resolve to ::1 only, where nothing listens. */
  if (g_error_matches (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_NETWORK))
    {
      g_test_skip ("localhost does not reach 127.0.0.1 here");
      return;
    }
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_CERTIFICATE);
  g_assert_cmpuint (f->n_requests, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  const char *proxies[] = {
    "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
    "no_proxy", "NO_PROXY",
  };
  gboolean have_certificate;
  int status;

  /* The test's server is on loopback; a proxy of the machine must not
   * stand in between. */
  for (guint i = 0; i < G_N_ELEMENTS (proxies); i++)
    g_unsetenv (proxies[i]);
  cloud_log = g_string_new (NULL);
  g_log_set_writer_func (log_writer, NULL, NULL);

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/cloud-client/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
#define ADD_TLS(path, func) \
  g_test_add ("/cloud-client/" path, Fixture, NULL, tls_fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/cloud-client/url/plain-http-refused-for-remote-hosts",
                   test_url_plain_http_refused_for_remote_hosts);
  g_test_add_func ("/cloud-client/url/loopback-http-accepted-and-trailing-slash-dropped",
                   test_url_loopback_http_accepted);
  g_test_add_func ("/cloud-client/url/not-an-address-refused", test_url_not_an_address_refused);
  ADD ("url/path-prefix-kept-before-v1", test_base_url_path_prefix_kept);

  ADD ("sign-in/sends-credentials-and-keeps-token", test_sign_in_sends_credentials_and_keeps_token);
  ADD ("sign-in/wrong-password-is-signed-out-with-cloud-sentence",
       test_sign_in_wrong_password_is_signed_out_with_cloud_sentence);
  ADD ("sign-out/deletes-session-and-forgets-token", test_sign_out_deletes_session_and_forgets_token);
  ADD ("sign-out/keeps-token-when-cloud-fails", test_sign_out_keeps_token_when_cloud_fails);
  ADD ("accept-invitation/escapes-token-and-gives-no-session-token",
       test_accept_invitation_escapes_token_and_gives_no_session_token);
  ADD ("accept-invitation/refused-speaks-of-the-invitation",
       test_accept_invitation_refused_speaks_of_the_invitation);
  ADD ("auth/no-token-no-request", test_no_token_no_request);
  ADD ("auth/token-and-password-never-logged", test_token_and_password_never_logged);

  ADD ("sync/cursor-and-limit-in-query", test_sync_sends_cursor_and_limit_in_query);
  ADD ("sync/cursor-gone-is-its-own-error", test_sync_cursor_gone_is_its_own_error);
  ADD ("lock-key/read-from-its-path", test_lock_key_read_from_its_path);
  ADD ("passcode/create-sends-outbox-body-as-is-with-idempotency-key",
       test_create_passcode_sends_outbox_body_as_is_with_idempotency_key);
  ADD ("passcode/create-conflict-carries-cloud-sentence",
       test_create_passcode_conflict_carries_cloud_sentence);
  ADD ("passcode/revoke-posts-empty-object", test_revoke_passcode_posts_empty_object);
  ADD ("events/upload-reports-accepted-and-duplicates",
       test_upload_events_reports_accepted_and_duplicates);
  ADD ("events/answer-without-counts-is-bad-response",
       test_upload_events_without_counts_is_bad_response);
  ADD ("unlock/create-sends-it-and-reads-stored-unlock",
       test_create_unlock_sends_it_and_reads_stored_unlock);

  ADD ("errors/status-maps-to-error-with-cloud-sentence",
       test_status_maps_to_error_with_cloud_sentence);
  ADD ("errors/error-body-not-json-still-maps-status",
       test_error_body_that_is_not_json_still_maps_status);
  ADD ("errors/advice-not-repeated-when-cloud-gave-it", test_advice_not_repeated_when_cloud_gave_it);
  ADD ("errors/retry-after-read-as-seconds-or-date", test_retry_after_read_as_seconds_or_date);
  ADD ("errors/malformed-answers-are-bad-response", test_malformed_answers_are_bad_response);
  ADD ("errors/truncated-answer-is-transient", test_truncated_answer_is_transient);
  ADD ("errors/silent-server-times-out-as-network", test_silent_server_times_out_as_network);
  g_test_add_func ("/cloud-client/errors/unreachable-server-is-network",
                   test_unreachable_server_is_network);
  ADD ("errors/redirect-not-followed", test_redirect_not_followed);
  ADD ("cancel/is-quiet", test_cancel_is_quiet);

  have_certificate = make_certificate ();
  if (!have_certificate)
    remove_certificate ();
  ADD_TLS ("tls/trusted-certificate-works", test_tls_trusted_certificate_works);
  ADD_TLS ("tls/untrusted-certificate-refused", test_tls_untrusted_certificate_refused);
  ADD_TLS ("tls/certificate-for-another-host-refused", test_tls_certificate_for_another_host_refused);

#undef ADD
#undef ADD_TLS

  status = g_test_run ();
  remove_certificate ();
  g_string_free (cloud_log, TRUE);
  return status;
}
