/* am-cloud-client.c: the client of the Access Manager cloud API
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SoupSession a client, as cloud-api.md describes the endpoints. A
 * request is a GTask whose data is a Request; the answer is read whole,
 * its status turned into an AmCloudError, and its JSON handed to the pure
 * readers of am-cloud-json.
 *
 * The session token is a secret: it lives only in this object, is wiped
 * when replaced and when the client goes, and never reaches a log line.
 * Request bodies are wiped once libsoup is done with them, since some
 * carry a password.
 */
#define G_LOG_DOMAIN "am-cloud-client"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include <string.h>

#include "am-cloud-client.h"
#include "am-error.h"
#include "am-secret-memory.h"

#define USER_AGENT          "access-manager/" PACKAGE_VERSION
#define DEFAULT_TIMEOUT_S   30
#define IDLE_TIMEOUT_S      15
#define MAX_RETRY_AFTER_S   (24 * 60 * 60)
#define MAX_SERVER_MESSAGE  400

/* Not among libsoup 3.2’s SoupStatus values. */
#define STATUS_TOO_MANY_REQUESTS 429

struct _AmCloudClient
{
  GObject      parent_instance;

  SoupSession *session;
  char        *base_url;    /* normalised: no trailing slash */
  char        *host;        /* for the messages */
  char        *token;       /* a secret: wiped when replaced */
  guint        retry_after;
};

/* Reads the JSON object of a successful answer and returns the task's
 * value; FALSE with @error when the object does not validate. */
typedef gboolean (*AnswerFunc) (GTask       *task,
                                JsonObject  *object,
                                GError     **error);

typedef struct
{
  SoupMessage *message;
  const char  *method;
  char        *log_path;    /* what g_debug may show: no secret in it */
  AnswerFunc   answer;      /* NULL: the answer has no body */
  gboolean     forget_token;
  gboolean     more;
  guint        accepted;
  guint        duplicates;
} Request;

/* What an error of the cloud carries beside its message: the wait the
 * Retry-After of a 429 asked for, so that whoever the error reaches (a
 * sync, the scheduler of the next one) can honour it. */
typedef struct
{
  guint retry_after;
} AmCloudErrorPrivate;

static void
am_cloud_error_private_init (AmCloudErrorPrivate *priv)
{
  priv->retry_after = 0;
}

static void
am_cloud_error_private_copy (const AmCloudErrorPrivate *src_priv,
                             AmCloudErrorPrivate       *dest_priv)
{
  dest_priv->retry_after = src_priv->retry_after;
}

static void
am_cloud_error_private_clear (AmCloudErrorPrivate *priv)
{
}

G_DEFINE_EXTENDED_ERROR (AmCloudError, am_cloud_error)

G_DEFINE_FINAL_TYPE (AmCloudClient, am_cloud_client, G_TYPE_OBJECT)

static void
request_free (gpointer data)
{
  Request *request = data;

  g_clear_object (&request->message);
  g_free (request->log_path);
  g_free (request);
}

static gboolean
is_loopback_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0 ||
      g_ascii_strcasecmp (host, "localhost.") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* A host name or an IP address; not "exa mple.com". */
static gboolean
is_valid_host (const char *host)
{
  if (host == NULL || host[0] == '\0')
    return FALSE;
  if (g_hostname_is_ip_address (host))
    return TRUE;

  for (const char *p = host; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != '_' && (guchar) *p < 0x80)
      return FALSE;
  return TRUE;
}

/* Checks @base_url and gives it back without a trailing slash, and its
 * host. Pure: no network. */
static gboolean
parse_base_url (const char  *base_url,
                char       **normalised,
                char       **host,
                GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *text = NULL;
  g_autofree char *joined = NULL;
  const char *scheme;
  gsize len;

  text = g_strstrip (g_strdup (base_url != NULL ? base_url : ""));
  if (text[0] == '\0')
    {
      g_set_error_literal (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_INVALID_URL,
                           _("No cloud server address is set. Enter the address of the server, for example https://cloud.example.com."));
      return FALSE;
    }

  uri = g_uri_parse (text, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL || !is_valid_host (g_uri_get_host (uri)))
    {
      g_set_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_INVALID_URL,
                   _("“%s” is not a web address. Enter the address of the cloud server, for example https://cloud.example.com."),
                   text);
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
    {
      g_set_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_INVALID_URL,
                   _("“%s” is not an http or https address. Enter the address of the cloud server, for example https://cloud.example.com."),
                   text);
      return FALSE;
    }

  if (g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_INVALID_URL,
                   _("The server address “%s” holds a user name, a query or a fragment. Enter only the server and its path, for example https://cloud.example.com/api."),
                   text);
      return FALSE;
    }

  if (g_ascii_strcasecmp (scheme, "http") == 0 && !is_loopback_host (g_uri_get_host (uri)))
    {
      g_set_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_INSECURE,
                   _("The server address “%s” uses plain HTTP, which would send passwords and data unencrypted. Use an https:// address."),
                   text);
      return FALSE;
    }

  joined = g_uri_join (G_URI_FLAGS_ENCODED | G_URI_FLAGS_SCHEME_NORMALIZE,
                       scheme, NULL, g_uri_get_host (uri), g_uri_get_port (uri),
                       g_uri_get_path (uri), NULL, NULL);
  len = strlen (joined);
  while (len > 0 && joined[len - 1] == '/')
    joined[--len] = '\0';

  if (normalised != NULL)
    *normalised = g_steal_pointer (&joined);
  if (host != NULL)
    *host = g_strdup (g_uri_get_host (uri));
  return TRUE;
}

/* The Retry-After header: seconds, or an HTTP date. 0 when absent or
 * unreadable, at most a day. */
static guint
parse_retry_after (const char *value)
{
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) now = NULL;
  GTimeSpan span;
  gsize i;

  if (value == NULL)
    return 0;

  text = g_strstrip (g_strdup (value));
  for (i = 0; g_ascii_isdigit (text[i]); i++)
    ;
  if (i > 0 && text[i] == '\0')
    {
      guint64 seconds = i > 9 ? G_MAXUINT64 : g_ascii_strtoull (text, NULL, 10);

      return (guint) MIN (seconds, MAX_RETRY_AFTER_S);
    }

  date = soup_date_time_new_from_http_string (text);
  if (date == NULL)
    return 0;

  now = g_date_time_new_now_utc ();
  span = g_date_time_difference (date, now);
  if (span <= 0)
    return 0;

  return (guint) MIN ((span + G_TIME_SPAN_SECOND - 1) / G_TIME_SPAN_SECOND, MAX_RETRY_AFTER_S);
}

/* The cloud's own sentence, made fit to be quoted: valid UTF-8, one line,
 * of bounded length, ending as a sentence does. */
static char *
clean_server_message (const char *message)
{
  g_autofree char *valid = NULL;
  GString *text;
  const char *p;
  glong n = 0;

  if (message == NULL)
    return NULL;

  valid = g_utf8_make_valid (message, -1);
  text = g_string_new (NULL);
  for (p = valid; *p != '\0' && n < MAX_SERVER_MESSAGE; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        g_string_append_c (text, ' ');
      else
        g_string_append_unichar (text, c);
    }
  if (*p != '\0')
    g_string_append (text, "…");

  g_strstrip (text->str);
  g_string_set_size (text, strlen (text->str));
  if (text->len == 0)
    return g_string_free (text, TRUE);

  if (!g_str_has_suffix (text->str, ".") && !g_str_has_suffix (text->str, "!") &&
      !g_str_has_suffix (text->str, "?") && !g_str_has_suffix (text->str, "…"))
    g_string_append_c (text, '.');

  return g_string_free (text, FALSE);
}

/* {"error": {"code", "message"}} of an error answer, if it is one. */
static char *
server_message_from_body (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  JsonNode *root;
  gsize size = 0;
  const char *data;

  if (body == NULL)
    return NULL;

  data = g_bytes_get_data (body, &size);
  if (size == 0 || size > G_MAXSSIZE ||
      !json_parser_load_from_data (parser, data, (gssize) size, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !am_cloud_error_from_json (json_node_get_object (root), &code, &message))
    return NULL;

  return clean_server_message (message);
}

/* The cloud's own sentence and what to do, unless its sentence says so
 * already ("Try again later." twice reads badly). */
static GError *
cloud_said (AmCloudError  code,
            gboolean      failed,
            const char   *message,
            const char   *advice)
{
  g_autofree char *folded_message = g_utf8_casefold (message, -1);
  g_autofree char *folded_advice = g_utf8_casefold (advice, -1);

  if (strstr (folded_message, folded_advice) != NULL)
    return g_error_new (AM_CLOUD_ERROR, code,
                        failed ? _("The cloud failed: %s") : _("The cloud refused: %s"),
                        message);

  return g_error_new (AM_CLOUD_ERROR, code,
                      /* Translators: the first %s is the cloud's own sentence, the
                       * second a sentence that says what to do */
                      failed ? _("The cloud failed: %s %s") : _("The cloud refused: %s %s"),
                      message, advice);
}

static GError *
status_error (guint       status,
              const char *message)
{
  AmCloudError code;
  const char *advice;
  const char *alone;

  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      code = AM_CLOUD_ERROR_SIGNED_OUT;
      advice = _("Sign in again.");
      alone = _("You are no longer signed in to the cloud. Sign in again.");
      break;

    case SOUP_STATUS_FORBIDDEN:
      code = AM_CLOUD_ERROR_FORBIDDEN;
      advice = _("Ask your administrator for the permission you need.");
      alone = _("You do not have permission to do this. Ask your administrator for the permission you need.");
      break;

    case SOUP_STATUS_NOT_FOUND:
      code = AM_CLOUD_ERROR_NOT_FOUND;
      advice = _("Sync, check that it still exists, and try again.");
      alone = _("The cloud does not know what was asked for. Sync, check that it still exists, and try again.");
      break;

    case SOUP_STATUS_CONFLICT:
      code = AM_CLOUD_ERROR_CONFLICT;
      advice = _("Sync, then try again.");
      alone = _("This conflicts with a change made elsewhere. Sync, then try again.");
      break;

    case SOUP_STATUS_GONE:
      code = AM_CLOUD_ERROR_CURSOR_GONE;
      advice = _("Sync everything again from the start.");
      alone = _("The cloud no longer knows where the last sync ended. Sync everything again from the start.");
      break;

    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
      code = AM_CLOUD_ERROR_TOO_LARGE;
      advice = _("Send less at once, then try again.");
      alone = _("The cloud refused a request that was too large. Send less at once, then try again.");
      break;

    case STATUS_TOO_MANY_REQUESTS:
      code = AM_CLOUD_ERROR_RATE_LIMITED;
      advice = _("Wait a while, then try again.");
      alone = _("The cloud has had too many requests. Wait a while, then try again.");
      break;

    default:
      if (SOUP_STATUS_IS_CLIENT_ERROR (status))
        {
          if (message != NULL)
            return cloud_said (AM_CLOUD_ERROR_INVALID, FALSE, message,
                               _("Correct it, then try again."));
          return g_error_new (AM_CLOUD_ERROR, AM_CLOUD_ERROR_INVALID,
                              _("The cloud refused the request as invalid (HTTP %u). Check what you entered; if it is right, update Access Manager."),
                              status);
        }

      if (SOUP_STATUS_IS_SERVER_ERROR (status))
        {
          if (message != NULL)
            return cloud_said (AM_CLOUD_ERROR_SERVER, TRUE, message, _("Try again later."));
          return g_error_new (AM_CLOUD_ERROR, AM_CLOUD_ERROR_SERVER,
                              _("The cloud had a problem (HTTP %u). Try again later."), status);
        }

      return g_error_new (AM_CLOUD_ERROR, AM_CLOUD_ERROR_BAD_RESPONSE,
                          _("The cloud answered with an unexpected status (HTTP %u). Check the server address; if it is right, report this to your administrator."),
                          status);
    }

  if (message != NULL)
    return cloud_said (code, FALSE, message, advice);
  return g_error_new_literal (AM_CLOUD_ERROR, code, alone);
}

/* An invitation refused: the general advice (sync, check that it still
 * exists) means nothing to someone who has only a code to paste. */
static GError *
invitation_error (guint       status,
                  const char *message)
{
  switch (status)
    {
    case SOUP_STATUS_NOT_FOUND:
      return g_error_new_literal (AM_CLOUD_ERROR, AM_CLOUD_ERROR_NOT_FOUND,
                                  _("This invitation code is unknown or has expired. Check that you pasted all of it, or ask whoever invited you for a new invitation."));
    case SOUP_STATUS_CONFLICT:
      return g_error_new_literal (AM_CLOUD_ERROR, AM_CLOUD_ERROR_CONFLICT,
                                  _("This invitation has been accepted already. Sign in with the email address it was sent to and the password chosen then."));
    default:
      return status_error (status, message);
    }
}

static const char *
certificate_problem (GTlsCertificateFlags flags)
{
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return _("its certificate is not signed by an authority this computer trusts");
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return _("its certificate is for another server");
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    return _("its certificate is not valid yet");
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    return _("its certificate has expired");
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    return _("its certificate has been revoked");
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    return _("its certificate uses an insecure algorithm");
  return NULL;
}

/* A failure before any answer: no connection, no answer in time, a bad
 * certificate, a broken HTTP answer. */
static GError *
transport_error (AmCloudClient *self,
                 SoupMessage   *message,
                 const GError  *error)
{
  const char *problem;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE))
    return g_error_new_literal (AM_CLOUD_ERROR, AM_CLOUD_ERROR_CERTIFICATE,
                                _("Secure connections are not available on this computer. Install glib-networking, then try again."));

  problem = certificate_problem (soup_message_get_tls_peer_certificate_errors (message));
  if (problem != NULL || error->domain == G_TLS_ERROR)
    return g_error_new (AM_CLOUD_ERROR, AM_CLOUD_ERROR_CERTIFICATE,
                        _("The identity of the server %s could not be verified: %s. Check the server address; if it is right, ask your administrator to fix the server’s certificate."),
                        self->host, problem != NULL ? problem : error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (AM_CLOUD_ERROR, AM_CLOUD_ERROR_NETWORK,
                        _("The server %s did not answer in time. Check your connection, then try again."),
                        self->host);

  if (error->domain == G_RESOLVER_ERROR)
    return g_error_new (AM_CLOUD_ERROR, AM_CLOUD_ERROR_NETWORK,
                        _("The server %s could not be found. Check the server address and your connection, then try again."),
                        self->host);

  if (error->domain == SOUP_SESSION_ERROR)
    return g_error_new (AM_CLOUD_ERROR, AM_CLOUD_ERROR_BAD_RESPONSE,
                        _("The server %s sent an answer that is not valid HTTP (%s). Try again later; if this persists, report it to your administrator."),
                        self->host, error->message);

  return g_error_new (AM_CLOUD_ERROR, AM_CLOUD_ERROR_NETWORK,
                      _("The server %s could not be reached (%s). Check your connection, then try again."),
                      self->host, error->message);
}

static GError *
bad_response_error (const char *problem)
{
  return g_error_new (AM_CLOUD_ERROR, AM_CLOUD_ERROR_BAD_RESPONSE,
                      _("The cloud sent an answer Access Manager cannot use: %s Try again later; if this persists, report it to your administrator."),
                      problem);
}

static JsonObject *
parse_answer (GBytes  *body,
              GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  const char *data;
  gsize size = 0;

  data = g_bytes_get_data (body, &size);
  if (size == 0)
    {
      g_propagate_error (error, bad_response_error (_("The answer is empty.")));
      return NULL;
    }

  if (size > G_MAXSSIZE ||
      !json_parser_load_from_data (parser, data, (gssize) size, &local_error))
    {
      g_autofree char *problem =
        g_strdup_printf (_("The answer is not valid JSON (%s)."),
                         local_error != NULL ? local_error->message : "");

      g_propagate_error (error, bad_response_error (problem));
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error, bad_response_error (_("The answer is not a JSON object.")));
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

static gboolean
read_count (JsonObject  *object,
            const char  *name,
            guint       *count,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64 ||
      (value = json_node_get_int (node)) < 0 || value > G_MAXUINT)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_INVALID_DATA,
                   _("The member “%s” is missing or is not a count."), name);
      return FALSE;
    }

  *count = (guint) value;
  return TRUE;
}

/* JSON text whose buffer is wiped when the last reference goes. */
static GBytes *
json_body_from_builder (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  char *text;
  gsize len = 0;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);
  return g_bytes_new_with_free_func (text, len, (GDestroyNotify) am_secret_memory_free, text);
}

static GTask *
request_new (AmCloudClient       *self,
             const char          *method,
             const char          *path,
             const char          *log_path,
             gboolean             authenticated,
             AnswerFunc           answer,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data,
             gpointer             source_tag)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  SoupMessageHeaders *headers;
  Request *request;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  if (authenticated && self->token == NULL)
    {
      g_task_return_new_error (task, AM_CLOUD_ERROR, AM_CLOUD_ERROR_SIGNED_OUT,
                               _("You are not signed in to the cloud. Sign in first."));
      return NULL;
    }

  url = g_strconcat (self->base_url, path, NULL);
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &error);
  if (uri == NULL)
    {
      g_task_return_new_error (task, AM_CLOUD_ERROR, AM_CLOUD_ERROR_INVALID_URL,
                               _("The address of a request to the cloud could not be made (%s). Check the server address."),
                               error->message);
      return NULL;
    }

  request = g_new0 (Request, 1);
  request->method = method;
  request->log_path = g_strdup (log_path != NULL ? log_path : path);
  request->answer = answer;
  request->message = soup_message_new_from_uri (method, uri);
  soup_message_add_flags (request->message, SOUP_MESSAGE_NO_REDIRECT);
  g_task_set_task_data (task, request, request_free);

  headers = soup_message_get_request_headers (request->message);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (authenticated)
    {
      char *value = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (headers, "Authorization", value);
      am_secret_memory_free (value);
    }

  return g_steal_pointer (&task);
}

static void
request_set_body (GTask  *task,
                  GBytes *body)
{
  Request *request = g_task_get_task_data (task);

  soup_message_set_request_body_from_bytes (request->message, "application/json", body);
}

static void on_answer_read_cb (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data);

static void
request_send (GTask *task)
{
  AmCloudClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);

  g_debug ("%s %s", request->method, request->log_path);
  soup_session_send_and_read_async (self->session, request->message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task),
                                    on_answer_read_cb, task);
}

static gboolean
answer_session (GTask       *task,
                JsonObject  *object,
                GError     **error)
{
  AmCloudClient *self = g_task_get_source_object (task);
  AmCloudSession *session = am_cloud_session_from_json (object, TRUE, error);

  if (session == NULL)
    return FALSE;

  am_cloud_client_set_token (self, session->token);
  g_task_return_pointer (task, session, (GDestroyNotify) am_cloud_session_free);
  return TRUE;
}

static gboolean
answer_invitation (GTask       *task,
                   JsonObject  *object,
                   GError     **error)
{
  AmCloudSession *session = am_cloud_session_from_json (object, FALSE, error);

  if (session == NULL)
    return FALSE;

  g_task_return_pointer (task, session, (GDestroyNotify) am_cloud_session_free);
  return TRUE;
}

static gboolean
answer_me (GTask       *task,
           JsonObject  *object,
           GError     **error)
{
  AmCloudMe *me = am_cloud_me_from_json (object, error);

  if (me == NULL)
    return FALSE;

  g_task_return_pointer (task, me, (GDestroyNotify) am_cloud_me_free);
  return TRUE;
}

static gboolean
answer_sync_page (GTask       *task,
                  JsonObject  *object,
                  GError     **error)
{
  Request *request = g_task_get_task_data (task);
  AmSyncPage *page = am_sync_page_from_json (object, &request->more, error);

  if (page == NULL)
    return FALSE;

  g_task_return_pointer (task, page, (GDestroyNotify) am_sync_page_free);
  return TRUE;
}

static gboolean
answer_lock_key (GTask       *task,
                 JsonObject  *object,
                 GError     **error)
{
  AmCloudLockKey *key = am_cloud_lock_key_from_json (object, error);

  if (key == NULL)
    return FALSE;

  g_task_return_pointer (task, key, (GDestroyNotify) am_cloud_lock_key_free);
  return TRUE;
}

static gboolean
answer_passcode (GTask       *task,
                 JsonObject  *object,
                 GError     **error)
{
  AmPasscodeRecord *record = am_passcode_record_from_json (object, error);

  if (record == NULL)
    return FALSE;

  g_task_return_pointer (task, record, g_object_unref);
  return TRUE;
}

static gboolean
answer_events (GTask       *task,
               JsonObject  *object,
               GError     **error)
{
  Request *request = g_task_get_task_data (task);

  if (!read_count (object, "accepted", &request->accepted, error) ||
      !read_count (object, "duplicates", &request->duplicates, error))
    return FALSE;

  g_task_return_boolean (task, TRUE);
  return TRUE;
}

static gboolean
answer_unlock (GTask       *task,
               JsonObject  *object,
               GError     **error)
{
  AmUnlock *unlock = am_unlock_from_json (object, error);

  if (unlock == NULL)
    return FALSE;

  g_task_return_pointer (task, unlock, g_object_unref);
  return TRUE;
}

static void
wipe_json_strings (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &member))
        wipe_json_strings (member);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        wipe_json_strings (json_array_get_element (array, i));
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      /* json-glib's own copy of the text: the token, the key in base64. */
      char *text = (char *) json_node_get_string (node);

      am_secret_memory_wipe (text, strlen (text));
    }
}

/* The answers that carry a secret (a session's token, a lock key) are
 * wiped once read: the body libsoup handed over (this task holds its only
 * reference) and the JSON tree made of it. */
static void
wipe_secret_answer (Request    *request,
                    GBytes     *body,
                    JsonObject *object)
{
  gsize size = 0;
  gpointer data;

  if (request->answer != answer_session && request->answer != answer_invitation &&
      request->answer != answer_lock_key)
    return;
  data = (gpointer) g_bytes_get_data (body, &size);
  am_secret_memory_wipe (data, size);
  if (object != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

      wipe_json_strings (node);
    }
}

static void
on_answer_read_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AmCloudClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("%s %s: no answer", request->method, request->log_path);
      g_task_return_error (task, transport_error (self, request->message, error));
      return;
    }

  status = soup_message_get_status (request->message);
  g_debug ("%s %s: %u", request->method, request->log_path, status);

  if (status == STATUS_TOO_MANY_REQUESTS)
    {
      SoupMessageHeaders *headers = soup_message_get_response_headers (request->message);

      self->retry_after = parse_retry_after (soup_message_headers_get_one (headers, "Retry-After"));
    }
  else
    {
      self->retry_after = 0;
    }

  if (request->forget_token &&
      (SOUP_STATUS_IS_SUCCESSFUL (status) || status == SOUP_STATUS_UNAUTHORIZED))
    am_cloud_client_set_token (self, NULL);

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autofree char *message = server_message_from_body (body);

      if (request->answer == answer_invitation)
        error = invitation_error (status, message);
      else
        error = status_error (status, message);
      am_cloud_error_get_private (error)->retry_after = self->retry_after;
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (request->answer == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  object = parse_answer (body, &error);
  if (object == NULL)
    {
      wipe_secret_answer (request, body, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!request->answer (task, object, &error))
    g_task_return_error (task, bad_response_error (error->message));
  wipe_secret_answer (request, body, object);
}

static void
am_cloud_client_finalize (GObject *object)
{
  AmCloudClient *self = (AmCloudClient *) object;

  g_clear_object (&self->session);
  g_clear_pointer (&self->token, am_secret_memory_free);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->host, g_free);

  G_OBJECT_CLASS (am_cloud_client_parent_class)->finalize (object);
}

static void
am_cloud_client_class_init (AmCloudClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = am_cloud_client_finalize;
}

static void
am_cloud_client_init (AmCloudClient *self)
{
  self->session = soup_session_new_with_options ("user-agent", USER_AGENT,
                                                 "timeout", DEFAULT_TIMEOUT_S,
                                                 "idle-timeout", IDLE_TIMEOUT_S,
                                                 NULL);
  /* Bearer tokens only: no HTTP authentication dialogs of libsoup's own. */
  soup_session_remove_feature_by_type (self->session, SOUP_TYPE_AUTH_MANAGER);
}

/**
 * am_cloud_error_get_retry_after:
 * @error: (nullable): an error from the client
 *
 * How long the cloud asked to be left alone, with the error of its
 * answer: unlike am_cloud_client_get_retry_after(), it stays with the
 * error wherever it is passed on.
 *
 * Returns: seconds from the `Retry-After` of a `429` (at most a day), or
 *   0 for any other error, or a `429` without one
 */
guint
am_cloud_error_get_retry_after (const GError *error)
{
  if (error == NULL || error->domain != AM_CLOUD_ERROR)
    return 0;

  return am_cloud_error_get_private (error)->retry_after;
}

/**
 * am_cloud_error_is_transient:
 * @error: (nullable): an error from the client
 *
 * Whether a later attempt of the same request may succeed, so that it is
 * worth retrying with backoff: the network, the server, its rate limit, a
 * broken answer.
 *
 * Returns: %TRUE for %AM_CLOUD_ERROR_NETWORK, %AM_CLOUD_ERROR_SERVER,
 *   %AM_CLOUD_ERROR_RATE_LIMITED and %AM_CLOUD_ERROR_BAD_RESPONSE
 */
gboolean
am_cloud_error_is_transient (const GError *error)
{
  if (error == NULL || error->domain != AM_CLOUD_ERROR)
    return FALSE;

  switch ((AmCloudError) error->code)
    {
    case AM_CLOUD_ERROR_NETWORK:
    case AM_CLOUD_ERROR_SERVER:
    case AM_CLOUD_ERROR_RATE_LIMITED:
    case AM_CLOUD_ERROR_BAD_RESPONSE:
      return TRUE;

    case AM_CLOUD_ERROR_INVALID_URL:
    case AM_CLOUD_ERROR_INSECURE:
    case AM_CLOUD_ERROR_CERTIFICATE:
    case AM_CLOUD_ERROR_SIGNED_OUT:
    case AM_CLOUD_ERROR_FORBIDDEN:
    case AM_CLOUD_ERROR_NOT_FOUND:
    case AM_CLOUD_ERROR_CONFLICT:
    case AM_CLOUD_ERROR_CURSOR_GONE:
    case AM_CLOUD_ERROR_TOO_LARGE:
    case AM_CLOUD_ERROR_INVALID:
    default:
      return FALSE;
    }
}

/**
 * am_cloud_check_url:
 * @base_url: (nullable): the address of a cloud server, e.g.
 *   `https://cloud.example.com/api`
 * @error: return location for an error
 *
 * Checks that @base_url is one the client can use, without any network:
 * an http or https address with a host and no query, and https unless the
 * host is loopback (127.0.0.0/8, ::1, localhost).
 *
 * Returns: %TRUE if it is; else %FALSE with %AM_CLOUD_ERROR_INVALID_URL or
 *   %AM_CLOUD_ERROR_INSECURE
 */
gboolean
am_cloud_check_url (const char  *base_url,
                    GError     **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return parse_base_url (base_url, NULL, NULL, error);
}

/**
 * am_cloud_client_new:
 * @base_url: the address of the cloud server; the endpoints are under
 *   `<base_url>/v1/`
 * @error: return location for an error
 *
 * Makes a client with no session token. See am_cloud_check_url() for the
 * addresses refused.
 *
 * Returns: (transfer full) (nullable): the client, or %NULL with @error set
 */
AmCloudClient *
am_cloud_client_new (const char  *base_url,
                     GError     **error)
{
  g_autofree char *normalised = NULL;
  g_autofree char *host = NULL;
  AmCloudClient *self;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!parse_base_url (base_url, &normalised, &host, error))
    return NULL;

  self = g_object_new (AM_TYPE_CLOUD_CLIENT, NULL);
  self->base_url = g_steal_pointer (&normalised);
  self->host = g_steal_pointer (&host);
  return self;
}

/**
 * am_cloud_client_get_base_url:
 * @self: a client
 *
 * Returns: the server's address, without a trailing slash
 */
const char *
am_cloud_client_get_base_url (AmCloudClient *self)
{
  g_return_val_if_fail (AM_IS_CLOUD_CLIENT (self), NULL);

  return self->base_url;
}

/**
 * am_cloud_client_set_token:
 * @self: a client
 * @token: (nullable): the session token, or %NULL to forget it
 *
 * Sets the token that authenticated requests carry. The previous one is
 * wiped from memory.
 */
void
am_cloud_client_set_token (AmCloudClient *self,
                           const char    *token)
{
  g_return_if_fail (AM_IS_CLOUD_CLIENT (self));

  if (token == self->token)
    return;

  g_clear_pointer (&self->token, am_secret_memory_free);
  if (token != NULL && token[0] != '\0')
    self->token = g_strdup (token);
}

/**
 * am_cloud_client_has_token:
 * @self: a client
 *
 * Returns: whether the client holds a session token
 */
gboolean
am_cloud_client_has_token (AmCloudClient *self)
{
  g_return_val_if_fail (AM_IS_CLOUD_CLIENT (self), FALSE);

  return self->token != NULL;
}

/**
 * am_cloud_client_set_tls_database:
 * @self: a client
 * @database: (nullable): the certificates to trust, or %NULL for the
 *   system's
 *
 * Chooses which certificate authorities the client trusts; for tests and
 * private clouds. Certificates are always verified.
 */
void
am_cloud_client_set_tls_database (AmCloudClient *self,
                                  GTlsDatabase  *database)
{
  g_return_if_fail (AM_IS_CLOUD_CLIENT (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  /* NULL for libsoup means that no certificate is ever valid. */
  if (database == NULL)
    database = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  else
    g_object_ref (database);

  soup_session_set_tls_database (self->session, database);
  g_clear_object (&database);
}

/**
 * am_cloud_client_set_timeout:
 * @self: a client
 * @seconds: how long a request may wait on the network, or 0 for ever
 *
 * Sets the I/O timeout of the client's requests; 30 seconds at first.
 */
void
am_cloud_client_set_timeout (AmCloudClient *self,
                             guint          seconds)
{
  g_return_if_fail (AM_IS_CLOUD_CLIENT (self));

  soup_session_set_timeout (self->session, seconds);
}

/**
 * am_cloud_client_get_retry_after:
 * @self: a client
 *
 * After %AM_CLOUD_ERROR_RATE_LIMITED: how long the cloud asked to wait.
 *
 * Returns: seconds from the `Retry-After` of the last answer (at most a
 *   day), or 0 when it had none or was not a `429`
 */
guint
am_cloud_client_get_retry_after (AmCloudClient *self)
{
  g_return_val_if_fail (AM_IS_CLOUD_CLIENT (self), 0);

  return self->retry_after;
}

/**
 * am_cloud_client_sign_in_async:
 * @self: a client
 * @email: the user's email address
 * @password: their password
 * @device_name: a name for this computer, shown in the user's sessions
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * `POST /v1/sessions`. On success the client keeps the new token.
 */
void
am_cloud_client_sign_in_async (AmCloudClient       *self,
                               const char          *email,
                               const char          *password,
                               const char          *device_name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (AM_IS_CLOUD_CLIENT (self));
  g_return_if_fail (email != NULL);
  g_return_if_fail (password != NULL);
  g_return_if_fail (device_name != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = request_new (self, SOUP_METHOD_POST, "/v1/sessions", NULL, FALSE, answer_session,
                      cancellable, callback, user_data, am_cloud_client_sign_in_async);
  if (task == NULL)
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "email");
  json_builder_add_string_value (builder, email);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_set_member_name (builder, "device_name");
  json_builder_add_string_value (builder, device_name);
  json_builder_end_object (builder);

  body = json_body_from_builder (builder);
  request_set_body (task, body);
  request_send (g_steal_pointer (&task));
}

/**
 * am_cloud_client_sign_in_finish:
 * @self: a client
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the session, with its token
 */
AmCloudSession *
am_cloud_client_sign_in_finish (AmCloudClient  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  AmCloudSession *session;
  GError *local_error = NULL;

  g_return_val_if_fail (AM_IS_CLOUD_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_cloud_client_sign_in_async, NULL);

  session = g_task_propagate_pointer (G_TASK (result), &local_error);
  /* At sign-in, 401 is the answer to a wrong email or password, and says
   * so in the user's language rather than the cloud's. */
  if (g_error_matches (local_error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_SIGNED_OUT))
    {
      g_clear_error (&local_error);
      g_set_error_literal (&local_error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_SIGNED_OUT,
                           _("The email address or the password is wrong. Check both, then try again."));
    }
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return session;
}

/**
 * am_cloud_client_accept_invitation_async:
 * @self: a client
 * @invite_token: the token of the invitation, from its link
 * @name: the name the new user chose
 * @password: the password they chose
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * `POST /v1/invitations/{invite_token}/accept`. The user signs in
 * afterwards.
 */
void
am_cloud_client_accept_invitation_async (AmCloudClient       *self,
                                         const char          *invite_token,
                                         const char          *name,
                                         const char          *password,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (AM_IS_CLOUD_CLIENT (self));
  g_return_if_fail (invite_token != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (password != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  escaped = g_uri_escape_string (invite_token, NULL, FALSE);
  path = g_strdup_printf ("/v1/invitations/%s/accept", escaped);
  task = request_new (self, SOUP_METHOD_POST, path, "/v1/invitations/{token}/accept", FALSE,
                      answer_invitation, cancellable, callback, user_data,
                      am_cloud_client_accept_invitation_async);
  if (task == NULL)
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);

  body = json_body_from_builder (builder);
  request_set_body (task, body);
  request_send (g_steal_pointer (&task));
}

/**
 * am_cloud_client_accept_invitation_finish:
 * @self: a client
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the new user and their organisation;
 *   its token is %NULL
 */
AmCloudSession *
am_cloud_client_accept_invitation_finish (AmCloudClient  *self,
                                          GAsyncResult   *result,
                                          GError        **error)
{
  g_return_val_if_fail (AM_IS_CLOUD_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_cloud_client_accept_invitation_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * am_cloud_client_sign_out_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * `DELETE /v1/sessions/current`. The client forgets its token once the
 * cloud has ended the session, or says it was over already (`401`); it
 * keeps it when the cloud could not be reached, so that signing out can be
 * tried again. Without a token there is nothing to end: it succeeds at once.
 */
void
am_cloud_client_sign_out_async (AmCloudClient       *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *request;

  g_return_if_fail (AM_IS_CLOUD_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (self->token == NULL)
    {
      task = g_task_new (self, cancellable, callback, user_data);
      g_task_set_source_tag (task, am_cloud_client_sign_out_async);
      g_task_return_boolean (task, TRUE);
      return;
    }

  task = request_new (self, SOUP_METHOD_DELETE, "/v1/sessions/current", NULL, TRUE, NULL,
                      cancellable, callback, user_data, am_cloud_client_sign_out_async);
  if (task == NULL)
    return;

  request = g_task_get_task_data (task);
  request->forget_token = TRUE;
  request_send (g_steal_pointer (&task));
}

/**
 * am_cloud_client_sign_out_finish:
 * @self: a client
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: whether the session is over
 */
gboolean
am_cloud_client_sign_out_finish (AmCloudClient  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (AM_IS_CLOUD_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_cloud_client_sign_out_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * am_cloud_client_get_me_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * `GET /v1/me`: who is signed in, and their grants.
 */
void
am_cloud_client_get_me_async (AmCloudClient       *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (AM_IS_CLOUD_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = request_new (self, SOUP_METHOD_GET, "/v1/me", NULL, TRUE, answer_me,
                      cancellable, callback, user_data, am_cloud_client_get_me_async);
  if (task != NULL)
    request_send (g_steal_pointer (&task));
}

/**
 * am_cloud_client_get_me_finish:
 * @self: a client
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the user, their organisation and
 *   grants
 */
AmCloudMe *
am_cloud_client_get_me_finish (AmCloudClient  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (AM_IS_CLOUD_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_cloud_client_get_me_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * am_cloud_client_sync_async:
 * @self: a client
 * @since: (nullable): the cursor of the last page applied, or %NULL for
 *   everything
 * @limit: the most records in the page, or 0 for the server's default
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * `GET /v1/sync`: one page of changes. %AM_CLOUD_ERROR_CURSOR_GONE says to
 * start again without a cursor.
 */
void
am_cloud_client_sync_async (AmCloudClient       *self,
                            const char          *since,
                            guint                limit,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GString) path = NULL;
  char separator = '?';

  g_return_if_fail (AM_IS_CLOUD_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  path = g_string_new ("/v1/sync");
  if (since != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (since, NULL, FALSE);

      g_string_append_printf (path, "%csince=%s", separator, escaped);
      separator = '&';
    }
  if (limit > 0)
    g_string_append_printf (path, "%climit=%u", separator, limit);

  task = request_new (self, SOUP_METHOD_GET, path->str, "/v1/sync", TRUE, answer_sync_page,
                      cancellable, callback, user_data, am_cloud_client_sync_async);
  if (task != NULL)
    request_send (g_steal_pointer (&task));
}

/**
 * am_cloud_client_sync_finish:
 * @self: a client
 * @result: the result given to the callback
 * @more: (out) (optional): whether to ask again at once with the page's cursor
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the page
 */
AmSyncPage *
am_cloud_client_sync_finish (AmCloudClient  *self,
                             GAsyncResult   *result,
                             gboolean       *more,
                             GError        **error)
{
  AmSyncPage *page;

  g_return_val_if_fail (AM_IS_CLOUD_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_cloud_client_sync_async, NULL);

  page = g_task_propagate_pointer (G_TASK (result), error);
  if (more != NULL)
    {
      Request *request = g_task_get_task_data (G_TASK (result));

      *more = page != NULL && request != NULL && request->more;
    }
  return page;
}

/**
 * am_cloud_client_get_lock_key_async:
 * @self: a client
 * @lock_id: the lock
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * `GET /v1/locks/{lock_id}/key`.
 */
void
am_cloud_client_get_lock_key_async (AmCloudClient       *self,
                                    const char          *lock_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (AM_IS_CLOUD_CLIENT (self));
  g_return_if_fail (lock_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  escaped = g_uri_escape_string (lock_id, NULL, FALSE);
  path = g_strdup_printf ("/v1/locks/%s/key", escaped);
  task = request_new (self, SOUP_METHOD_GET, path, NULL, TRUE, answer_lock_key,
                      cancellable, callback, user_data, am_cloud_client_get_lock_key_async);
  if (task != NULL)
    request_send (g_steal_pointer (&task));
}

/**
 * am_cloud_client_get_lock_key_finish:
 * @self: a client
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the lock's key (a secret: free it
 *   with am_cloud_lock_key_free(), which wipes it)
 */
AmCloudLockKey *
am_cloud_client_get_lock_key_finish (AmCloudClient  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  g_return_val_if_fail (AM_IS_CLOUD_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_cloud_client_get_lock_key_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * am_cloud_client_create_passcode_async:
 * @self: a client
 * @idempotency_key: the passcode's id
 * @body: the JSON body, as the outbox holds it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * `POST /v1/passcodes`, sent as it is; the same key and body again are
 * answered with the stored record.
 */
void
am_cloud_client_create_passcode_async (AmCloudClient       *self,
                                       const char          *idempotency_key,
                                       const char          *body,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) bytes = NULL;
  Request *request;

  g_return_if_fail (AM_IS_CLOUD_CLIENT (self));
  g_return_if_fail (idempotency_key != NULL && idempotency_key[0] != '\0');
  g_return_if_fail (body != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = request_new (self, SOUP_METHOD_POST, "/v1/passcodes", NULL, TRUE, answer_passcode,
                      cancellable, callback, user_data, am_cloud_client_create_passcode_async);
  if (task == NULL)
    return;

  request = g_task_get_task_data (task);
  soup_message_headers_replace (soup_message_get_request_headers (request->message),
                                "Idempotency-Key", idempotency_key);
  bytes = g_bytes_new (body, strlen (body));
  request_set_body (task, bytes);
  request_send (g_steal_pointer (&task));
}

/**
 * am_cloud_client_create_passcode_finish:
 * @self: a client
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the passcode as the cloud stored it
 */
AmPasscodeRecord *
am_cloud_client_create_passcode_finish (AmCloudClient  *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  g_return_val_if_fail (AM_IS_CLOUD_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_cloud_client_create_passcode_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * am_cloud_client_revoke_passcode_async:
 * @self: a client
 * @passcode_id: the passcode
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * `POST /v1/passcodes/{id}/revoke`.
 */
void
am_cloud_client_revoke_passcode_async (AmCloudClient       *self,
                                       const char          *passcode_id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (AM_IS_CLOUD_CLIENT (self));
  g_return_if_fail (passcode_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  escaped = g_uri_escape_string (passcode_id, NULL, FALSE);
  path = g_strdup_printf ("/v1/passcodes/%s/revoke", escaped);
  task = request_new (self, SOUP_METHOD_POST, path, NULL, TRUE, answer_passcode,
                      cancellable, callback, user_data, am_cloud_client_revoke_passcode_async);
  if (task == NULL)
    return;

  body = g_bytes_new_static ("{}", 2);
  request_set_body (task, body);
  request_send (g_steal_pointer (&task));
}

/**
 * am_cloud_client_revoke_passcode_finish:
 * @self: a client
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the passcode, revoked
 */
AmPasscodeRecord *
am_cloud_client_revoke_passcode_finish (AmCloudClient  *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  g_return_val_if_fail (AM_IS_CLOUD_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_cloud_client_revoke_passcode_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * am_cloud_client_upload_events_async:
 * @self: a client
 * @lock_id: the lock whose log the events come from
 * @events: (element-type AmLockEventRecord): the events
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * `POST /v1/locks/{lock_id}/events`; idempotent on each event's sequence
 * number.
 */
void
am_cloud_client_upload_events_async (AmCloudClient       *self,
                                     const char          *lock_id,
                                     GPtrArray           *events,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (AM_IS_CLOUD_CLIENT (self));
  g_return_if_fail (lock_id != NULL);
  g_return_if_fail (events != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  escaped = g_uri_escape_string (lock_id, NULL, FALSE);
  path = g_strdup_printf ("/v1/locks/%s/events", escaped);
  task = request_new (self, SOUP_METHOD_POST, path, NULL, TRUE, answer_events,
                      cancellable, callback, user_data, am_cloud_client_upload_events_async);
  if (task == NULL)
    return;

  builder = json_builder_new ();
  am_lock_events_to_upload_json (events, builder);
  body = json_body_from_builder (builder);
  request_set_body (task, body);
  request_send (g_steal_pointer (&task));
}

/**
 * am_cloud_client_upload_events_finish:
 * @self: a client
 * @result: the result given to the callback
 * @accepted: (out) (optional): how many events the cloud took in
 * @duplicates: (out) (optional): how many it had already
 * @error: return location for an error
 *
 * Returns: whether the cloud has the events
 */
gboolean
am_cloud_client_upload_events_finish (AmCloudClient  *self,
                                      GAsyncResult   *result,
                                      guint          *accepted,
                                      guint          *duplicates,
                                      GError        **error)
{
  Request *request;

  g_return_val_if_fail (AM_IS_CLOUD_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_cloud_client_upload_events_async, FALSE);

  if (accepted != NULL)
    *accepted = 0;
  if (duplicates != NULL)
    *duplicates = 0;

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  request = g_task_get_task_data (G_TASK (result));
  if (accepted != NULL)
    *accepted = request->accepted;
  if (duplicates != NULL)
    *duplicates = request->duplicates;
  return TRUE;
}

/**
 * am_cloud_client_create_unlock_async:
 * @self: a client
 * @unlock: the Bluetooth unlock to record
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * `POST /v1/unlocks`; idempotent on the unlock's id.
 */
void
am_cloud_client_create_unlock_async (AmCloudClient       *self,
                                     AmUnlock            *unlock,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (AM_IS_CLOUD_CLIENT (self));
  g_return_if_fail (AM_IS_UNLOCK (unlock));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = request_new (self, SOUP_METHOD_POST, "/v1/unlocks", NULL, TRUE, answer_unlock,
                      cancellable, callback, user_data, am_cloud_client_create_unlock_async);
  if (task == NULL)
    return;

  builder = json_builder_new ();
  am_unlock_to_create_json (unlock, builder);
  body = json_body_from_builder (builder);
  request_set_body (task, body);
  request_send (g_steal_pointer (&task));
}

/**
 * am_cloud_client_create_unlock_finish:
 * @self: a client
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the unlock as the cloud stored it
 */
AmUnlock *
am_cloud_client_create_unlock_finish (AmCloudClient  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_return_val_if_fail (AM_IS_CLOUD_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == am_cloud_client_create_unlock_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
