/* test-facade.c: the façade the app calls, against the reference server, the keyring and the simulated lock
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server runs in this process on 127.0.0.1, a port of its own for
 * every test, so that the keyring entries of a test (filed under the
 * server's address) are its own; the vault is the gnome-keyring of the
 * test's session bus (build-aux/dev test). BlueZ is the simulated AM1 lock
 * on a private system bus, started once for the process; a test that
 * needs another bus runs in a child.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "am-cloud-client.h"
#include "am-error.h"
#include "am-facade.h"
#include "am-records-private.h"
#include "am-secret-memory.h"
#include "am-server.h"
#include "am-store-private.h"
#include "am-test-bluez.h"
#include "am-test-csv.h"
#include "am-test-records.h"
#include "am-vault.h"

#define WAIT_TIMEOUT_USEC   (60 * G_USEC_PER_SEC)
#define CHILD_TIMEOUT_USEC  (60 * G_USEC_PER_SEC)
#define PASSWORD            "correct horse battery"

static const char * const agent_permissions[] = {
  "generate_codes", "ble_unlock", "view_activity", "revoke_codes", NULL
};
static const char * const viewer_permissions[] = { "view_activity", NULL };

static AmTestBus *test_bus;

typedef struct
{
  char       *dir;
  char       *data_dir;
  AmServerDb *db;
  AmServer   *server;
  char       *url;
  guint       port;
  char       *austin;       /* property: the agent's, all permissions */
  char       *pune;         /* property: view_activity only */
  char       *front;        /* locks */
  char       *gate;
  char       *agent;        /* user id */
  AmVault    *vault;
  AmFacade   *facade;
  char       *sim_lock;     /* (nullable): a lock added to the simulated BlueZ */

  guint       signed_in_notifies;
  guint       syncing_notifies;
  guint       max_outbox;
} Fixture;

/* Waiting */

static gboolean
on_tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main context until @cond holds; a tick keeps it from blocking
 * on a condition no source announces. */
#define WAIT_UNTIL(cond) \
  G_STMT_START { \
    gint64 deadline_ = g_get_monotonic_time () + WAIT_TIMEOUT_USEC; \
    guint tick_ = g_timeout_add (20, on_tick_cb, NULL); \
    while (!(cond)) \
      { \
        if (g_get_monotonic_time () > deadline_) \
          g_error ("Timed out waiting for %s", #cond); \
        g_main_context_iteration (NULL, TRUE); \
      } \
    g_source_remove (tick_); \
  } G_STMT_END

static void
on_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
await (GAsyncResult **result)
{
  WAIT_UNTIL (*result != NULL);
  return *result;
}

/* The vault */

static GPtrArray *
held_keys (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *keys;

  am_vault_list_lock_keys_async (f->vault, f->url, NULL, on_done_cb, &result);
  keys = am_vault_list_lock_keys_finish (f->vault, await (&result), &error);
  g_assert_no_error (error);
  return keys;
}

static char *
held_token (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *token;

  am_vault_lookup_token_async (f->vault, f->url, NULL, on_done_cb, &result);
  token = am_vault_lookup_token_finish (f->vault, await (&result), &error);
  g_assert_no_error (error);
  return token;
}

/* The façade */

static void
on_signed_in_notify_cb (AmFacade   *facade,
                        GParamSpec *pspec,
                        Fixture    *f)
{
  f->signed_in_notifies++;
}

static void
on_syncing_notify_cb (AmFacade   *facade,
                      GParamSpec *pspec,
                      Fixture    *f)
{
  f->syncing_notifies++;
}

static void
on_outbox_notify_cb (AmFacade   *facade,
                     GParamSpec *pspec,
                     Fixture    *f)
{
  f->max_outbox = MAX (f->max_outbox, am_facade_get_outbox_count (facade));
}

static AmFacade *
new_facade (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  AmFacade *facade = am_facade_new (f->data_dir, &error);

  g_assert_no_error (error);
  g_assert_nonnull (facade);
  g_signal_connect (facade, "notify::signed-in", G_CALLBACK (on_signed_in_notify_cb), f);
  g_signal_connect (facade, "notify::syncing", G_CALLBACK (on_syncing_notify_cb), f);
  g_signal_connect (facade, "notify::outbox-count", G_CALLBACK (on_outbox_notify_cb), f);
  return facade;
}

static gboolean
facade_sign_in (Fixture     *f,
                const char  *password,
                GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  am_facade_sign_in_async (f->facade, f->url, "agent@example.com", password, NULL, on_done_cb, &result);
  return am_facade_sign_in_finish (f->facade, await (&result), error);
}

static gboolean
facade_sync (Fixture  *f,
             GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  am_facade_sync_async (f->facade, NULL, on_done_cb, &result);
  return am_facade_sync_finish (f->facade, await (&result), error);
}

/* Signed in, and the first sync over. */
static void
sign_in_and_sync (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (facade_sign_in (f, PASSWORD, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (!am_facade_get_syncing (f->facade));
  g_assert_null (am_facade_get_sync_error (f->facade));
  g_assert_cmpint (am_facade_get_last_sync (f->facade), >, 0);
}

static AmLock *
cached_lock (Fixture    *f,
             const char *lock_id)
{
  AmLock *lock = am_store_get_lock (am_facade_get_store (f->facade), lock_id);

  g_assert_nonnull (lock);
  return lock;
}

/* The request for a timed code @hours_ahead from now, three hours long. */
static AmIssueRequest
timed_request (gint hours_ahead)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  AmIssueRequest request = { 0 };

  request.kind = AM_PASSCODE_KIND_TIMED;
  request.start = g_date_time_add_hours (now, hours_ahead);
  request.end = g_date_time_add_hours (request.start, 3);
  request.recipient_name = "Dana Vendor";
  request.purpose = "vendor";
  return request;
}

static void
request_clear (AmIssueRequest *request)
{
  g_clear_pointer (&request->start, g_date_time_unref);
  g_clear_pointer (&request->end, g_date_time_unref);
}

static AmPasscodeRecord *
issue (Fixture              *f,
       AmLock               *lock,
       const AmIssueRequest *request,
       char                  code[AM_PASSCODE_MAX_DIGITS + 1],
       GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  am_facade_issue_passcode_async (f->facade, lock, request, NULL, on_done_cb, &result);
  return am_facade_issue_passcode_finish (f->facade, await (&result), code, error);
}

/* The fixture */

static void
start_server (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->server = am_server_new (f->db);
  am_server_set_quiet (f->server, TRUE);
  g_assert_true (am_server_listen (f->server, "127.0.0.1", f->port, NULL, &error));
  g_assert_no_error (error);
  if (f->url == NULL)
    {
      g_autoptr(GUri) uri = NULL;

      f->url = am_server_get_url (f->server);
      uri = g_uri_parse (f->url, G_URI_FLAGS_NONE, &error);
      g_assert_no_error (error);
      f->port = (guint) g_uri_get_port (uri);
    }
}

static void
stop_server (Fixture *f)
{
  g_clear_object (&f->server);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("test-facade-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->dir, "app", NULL);
  path = g_build_filename (f->dir, "server.sqlite", NULL);
  f->db = am_server_db_open (path, &error);
  g_assert_no_error (error);

  f->austin = am_server_db_add_property (f->db, "Maple Street Lofts", "1200 Maple Street", "Austin",
                                         "TX", "78701", "America/Chicago", &error);
  g_assert_no_error (error);
  f->pune = am_server_db_add_property (f->db, "Koregaon Residency", "Lane 5", "Pune",
                                       "MH", "411001", "Asia/Kolkata", &error);
  g_assert_no_error (error);
  f->front = am_server_db_add_lock (f->db, f->austin, "Front Door", NULL, 10, "resident", &error);
  g_assert_no_error (error);
  g_free (am_server_db_add_lock (f->db, f->austin, "Garage", "12B", 12, NULL, &error));
  g_assert_no_error (error);
  f->gate = am_server_db_add_lock (f->db, f->pune, "Gate", NULL, 10, NULL, &error);
  g_assert_no_error (error);
  f->agent = am_server_db_add_user (f->db, "agent@example.com", "Lee Agent", PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_true (am_server_db_set_grant (f->db, f->agent, f->austin, agent_permissions, &error));
  g_assert_true (am_server_db_set_grant (f->db, f->agent, f->pune, viewer_permissions, &error));
  g_assert_no_error (error);

  start_server (f);
  f->vault = am_vault_new ();
  f->facade = new_facade (f);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_clear_object (&f->facade);
  if (f->sim_lock != NULL)
    am_test_bluez_remove_lock (f->sim_lock);

  am_vault_clear_lock_keys_async (f->vault, f->url, NULL, NULL, on_done_cb, &result);
  g_assert_true (am_vault_clear_lock_keys_finish (f->vault, await (&result), NULL));
  g_clear_object (&result);
  am_vault_clear_token_async (f->vault, f->url, NULL, on_done_cb, &result);
  g_assert_true (am_vault_clear_token_finish (f->vault, await (&result), NULL));

  g_clear_object (&f->vault);
  stop_server (f);
  g_clear_pointer (&f->db, am_server_db_free);
  g_free (f->austin);
  g_free (f->pune);
  g_free (f->front);
  g_free (f->gate);
  g_free (f->agent);
  g_free (f->url);
  g_free (f->sim_lock);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->data_dir);
}

/* Account */

static void
test_sign_in (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const AmAccount *account;

  g_assert_false (am_facade_get_signed_in (f->facade));
  g_assert_null (am_facade_get_account (f->facade));

  g_assert_true (facade_sign_in (f, PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_true (am_facade_get_signed_in (f->facade));
  g_assert_cmpuint (f->signed_in_notifies, ==, 1);

  account = am_facade_get_account (f->facade);
  g_assert_nonnull (account);
  g_assert_cmpstr (account->server, ==, f->url);
  g_assert_cmpstr (account->user_id, ==, f->agent);
  g_assert_cmpstr (account->user_name, ==, "Lee Agent");
  g_assert_true (account->signed_in);

  /* The session is in the keyring, and a first sync is under way. */
  {
    char *token = held_token (f);

    g_assert_nonnull (token);
    am_secret_memory_free (token);
  }
  WAIT_UNTIL (!am_facade_get_syncing (f->facade));
  g_assert_true (am_facade_get_online (f->facade));
  g_assert_cmpuint (f->signed_in_notifies, ==, 1);
}

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (facade_sign_in (f, "not the password", &error));
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_SIGNED_OUT);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_suffix (error->message, "."));
  g_assert_false (am_facade_get_signed_in (f->facade));
  g_assert_cmpuint (f->signed_in_notifies, ==, 0);
  g_assert_null (am_facade_get_account (f->facade));
}

static void
test_restore_without_account (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  am_facade_restore_async (f->facade, NULL, on_done_cb, &result);
  g_assert_true (am_facade_restore_finish (f->facade, await (&result), &error));
  g_assert_no_error (error);
  g_assert_false (am_facade_get_signed_in (f->facade));
  g_assert_cmpuint (f->signed_in_notifies, ==, 0);

  g_clear_error (&error);
  g_assert_false (facade_sync (f, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_NOT_SIGNED_IN);
}

/* The app started again: the session comes back from the keyring, and a
 * sync fills the lists. */
static void
test_restore_then_sync (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AmRecordList) properties = NULL;
  g_autoptr(AmRecordList) locks = NULL;
  g_autoptr(AmRecordList) other = NULL;
  g_autoptr(AmProperty) austin = NULL;

  g_assert_true (facade_sign_in (f, PASSWORD, &error));
  g_assert_no_error (error);
  g_clear_object (&f->facade);

  f->signed_in_notifies = 0;
  f->facade = new_facade (f);
  g_assert_false (am_facade_get_signed_in (f->facade));
  g_assert_nonnull (am_facade_get_account (f->facade));
  am_facade_restore_async (f->facade, NULL, on_done_cb, &result);
  g_assert_true (am_facade_restore_finish (f->facade, await (&result), &error));
  g_assert_no_error (error);
  g_assert_true (am_facade_get_signed_in (f->facade));
  g_assert_cmpuint (f->signed_in_notifies, ==, 1);

  properties = am_facade_list_properties (f->facade);
  g_assert_true (facade_sync (f, &error));
  g_assert_no_error (error);
  g_assert_false (am_facade_get_syncing (f->facade));
  g_assert_true (am_facade_get_online (f->facade));
  g_assert_null (am_facade_get_sync_error (f->facade));
  g_assert_cmpint (am_facade_get_last_sync (f->facade), >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (properties)), ==, 2);

  /* A new list each call, each with a search of its own. */
  other = am_facade_list_properties (f->facade);
  g_assert_true (other != properties);
  am_record_list_set_search (other, "Pune");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (properties)), ==, 2);

  locks = am_facade_list_locks (f->facade, f->austin);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (locks)), ==, 2);
  g_assert_cmpuint (am_facade_count_locks (f->facade, f->austin), ==, 2);
  g_assert_cmpuint (am_facade_count_locks (f->facade, f->pune), ==, 1);
  austin = am_facade_get_property (f->facade, f->austin);
  g_assert_cmpstr (am_property_get_name (austin), ==, "Maple Street Lofts");
  {
    g_autoptr(AmGrant) grant = am_facade_get_grant (f->facade, f->austin);

    g_assert_true (am_grant_has_permission (grant, AM_PERMISSION_GENERATE_CODES));
  }
}

static void
test_sign_out (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(AmRecordList) properties = NULL;
  const AmAccount *account;
  char *token;

  sign_in_and_sync (f);
  properties = am_facade_list_properties (f->facade);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (properties)), ==, 2);
  keys = held_keys (f);
  g_assert_cmpuint (keys->len, >, 0);

  am_facade_sign_out_async (f->facade, NULL, on_done_cb, &result);
  g_assert_true (am_facade_sign_out_finish (f->facade, await (&result), &error));
  g_assert_no_error (error);
  g_assert_false (am_facade_get_signed_in (f->facade));
  g_assert_cmpuint (f->signed_in_notifies, ==, 2);

  /* Nothing secret stays on the computer; the cache does. */
  after = held_keys (f);
  g_assert_cmpuint (after->len, ==, 0);
  token = held_token (f);
  g_assert_null (token);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (properties)), ==, 2);
  account = am_facade_get_account (f->facade);
  g_assert_nonnull (account);
  g_assert_false (account->signed_in);

  g_assert_false (facade_sync (f, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_NOT_SIGNED_IN);
}

/* Another user signs in on this computer: refused while the first one's
 * changes wait for the cloud; else the cache and the keys are theirs. */
static void
test_other_account (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AmLock) lock = NULL;
  g_autoptr(AmPasscodeRecord) record = NULL;
  g_autoptr(AmRecordList) properties = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autofree char *other = NULL;
  AmIssueRequest request = timed_request (1);
  char code[AM_PASSCODE_MAX_DIGITS + 1] = { 0 };

  other = am_server_db_add_user (f->db, "robin@example.com", "Robin Other", PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_true (am_server_db_set_grant (f->db, other, f->pune, viewer_permissions, &error));

  sign_in_and_sync (f);
  lock = cached_lock (f, f->front);
  stop_server (f);
  record = issue (f, lock, &request, code, &error);
  g_assert_no_error (error);
  am_secret_memory_wipe (code, sizeof code);
  WAIT_UNTIL (!am_facade_get_online (f->facade));
  start_server (f);

  am_facade_sign_in_async (f->facade, f->url, "robin@example.com", PASSWORD, NULL, on_done_cb, &result);
  g_assert_false (am_facade_sign_in_finish (f->facade, await (&result), &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_EXISTS);
  g_test_message ("%s", error->message);
  g_assert_true (am_facade_get_signed_in (f->facade));
  g_assert_cmpstr (am_facade_get_account (f->facade)->user_id, ==, f->agent);
  g_assert_cmpuint (am_facade_get_outbox_count (f->facade), ==, 1);

  /* Once the change is in the cloud, the other user may sign in. */
  g_clear_error (&error);
  g_assert_true (facade_sync (f, &error));
  g_assert_cmpuint (am_facade_get_outbox_count (f->facade), ==, 0);
  g_clear_object (&result);
  am_facade_sign_in_async (f->facade, f->url, "robin@example.com", PASSWORD, NULL, on_done_cb, &result);
  g_assert_true (am_facade_sign_in_finish (f->facade, await (&result), &error));
  g_assert_no_error (error);
  g_assert_true (am_facade_get_signed_in (f->facade));
  g_assert_cmpstr (am_facade_get_account (f->facade)->user_id, ==, other);
  WAIT_UNTIL (!am_facade_get_syncing (f->facade));
  g_assert_null (am_facade_get_sync_error (f->facade));

  /* Only what Robin may see; no keys, since Robin may not issue codes. */
  properties = am_facade_list_properties (f->facade);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (properties)), ==, 1);
  g_assert_null (am_facade_get_property (f->facade, f->austin));
  keys = held_keys (f);
  g_assert_cmpuint (keys->len, ==, 0);
  request_clear (&request);
}

/* A caller that stops waiting is told so at once; the sync goes on. */
static void
test_sync_wait_cancelled (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  sign_in_and_sync (f);
  am_facade_sync_async (f->facade, cancellable, on_done_cb, &result);
  g_assert_true (am_facade_get_syncing (f->facade));
  g_cancellable_cancel (cancellable);
  g_assert_false (am_facade_sync_finish (f->facade, await (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  WAIT_UNTIL (!am_facade_get_syncing (f->facade));
  g_assert_null (am_facade_get_sync_error (f->facade));
  g_assert_true (am_facade_get_signed_in (f->facade));
}

/* Sync */

static void
test_sync_joined (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GError) error = NULL;

  sign_in_and_sync (f);
  f->syncing_notifies = 0;

  am_facade_sync_async (f->facade, NULL, on_done_cb, &first);
  g_assert_true (am_facade_get_syncing (f->facade));
  am_facade_sync_async (f->facade, NULL, on_done_cb, &second);
  g_assert_true (am_facade_sync_finish (f->facade, await (&first), &error));
  g_assert_true (am_facade_sync_finish (f->facade, await (&second), &error));
  g_assert_no_error (error);

  /* One run: syncing went on once and off once. */
  g_assert_cmpuint (f->syncing_notifies, ==, 2);
  g_assert_false (am_facade_get_syncing (f->facade));
}

static void
test_sync_periodic (Fixture       *f,
                    gconstpointer  data)
{
  sign_in_and_sync (f);
  f->syncing_notifies = 0;
  am_facade_set_sync_interval (f->facade, 1);
  WAIT_UNTIL (f->syncing_notifies >= 4);

  /* Off: no more runs. */
  WAIT_UNTIL (!am_facade_get_syncing (f->facade));
  am_facade_set_sync_interval (f->facade, 0);
  f->syncing_notifies = 0;
  {
    gint64 until = g_get_monotonic_time () + 1500 * G_TIME_SPAN_MILLISECOND;

    WAIT_UNTIL (g_get_monotonic_time () > until);
  }
  g_assert_cmpuint (f->syncing_notifies, ==, 0);
}

/* The cloud ended the session: signed out, the cache kept. */
static void
test_session_ended_in_cloud (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmRecordList) properties = NULL;
  char *token;

  sign_in_and_sync (f);
  token = held_token (f);
  g_assert_nonnull (token);
  g_assert_true (am_server_db_sign_out (f->db, token, &error));
  am_secret_memory_free (token);

  g_assert_false (facade_sync (f, &error));
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_SIGNED_OUT);
  g_assert_false (am_facade_get_signed_in (f->facade));
  g_assert_true (am_facade_get_online (f->facade));
  g_assert_cmpstr (am_facade_get_sync_error (f->facade), ==, error->message);
  g_assert_false (am_facade_get_account (f->facade)->signed_in);

  properties = am_facade_list_properties (f->facade);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (properties)), ==, 2);
}

/* Issuing */

static void
test_issue_stored_derived_pushed (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmLock) lock = NULL;
  g_autoptr(AmPasscodeRecord) record = NULL;
  g_autoptr(AmPasscodeRecord) stored = NULL;
  g_autoptr(AmPasscodeRecord) same = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(AmPasscodeKey) key = NULL;
  AmIssueRequest request = timed_request (1);
  AmPasscodeWindow window;
  char code[AM_PASSCODE_MAX_DIGITS + 1] = { 0 };
  char expected[AM_PASSCODE_MAX_DIGITS + 1] = { 0 };
  guint8 k_lock[AM_PASSCODE_KEY_LEN];
  guint8 lock_id[AM_LOCK_ID_LEN];
  gint64 before;
  gboolean queued = FALSE;

  sign_in_and_sync (f);
  lock = cached_lock (f, f->front);
  before = am_server_db_count (f->db, "passcodes");
  g_assert_cmpuint (am_facade_get_outbox_count (f->facade), ==, 0);

  g_assert_true (am_facade_preview_window (f->facade, lock, &request, &window, &error));
  g_assert_no_error (error);
  g_assert_null (am_facade_find_same_window (f->facade, lock, &window));

  record = issue (f, lock, &request, code, &error);
  g_assert_no_error (error);
  g_assert_nonnull (record);

  /* Stored with its outbox entry by the time the code is handed out. */
  stored = am_store_get_passcode (am_facade_get_store (f->facade), am_passcode_record_get_id (record));
  g_assert_nonnull (stored);
  outbox = am_store_outbox_list (am_facade_get_store (f->facade), G_MAXINT64);
  for (guint i = 0; i < outbox->len; i++)
    {
      AmOutboxEntry *entry = g_ptr_array_index (outbox, i);

      queued |= g_str_equal (entry->idempotency_id, am_passcode_record_get_id (record)) &&
                g_str_equal (entry->kind, AM_OUTBOX_PASSCODE_CREATE);
    }
  g_assert_true (queued);
  g_assert_cmpuint (am_passcode_record_get_start_h (record), ==, window.start_h);
  g_assert_cmpuint (am_passcode_record_get_p (record), ==, window.p);
  g_assert_cmpstr (am_passcode_record_get_recipient_name (record), ==, "Dana Vendor");
  g_assert_cmpstr (am_passcode_record_get_created_by_name (record), ==, "Lee Agent");

  /* The digits the lock will accept: derived from the server's key. */
  g_assert_cmpuint (strlen (code), ==, am_lock_get_digits (lock));
  g_assert_true (am_server_db_get_lock_key_bytes (f->db, f->front, am_lock_get_kv (lock), k_lock, &error));
  g_assert_true (am_lock_id_parse (f->front, lock_id, &error));
  key = am_passcode_key_new (k_lock, lock_id, (guint8) am_lock_get_kv (lock), am_lock_get_digits (lock));
  g_assert_true (am_passcode_key_derive (key, window.start_h, window.p, expected, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (code, ==, expected);
  am_secret_memory_wipe (code, sizeof code);
  am_secret_memory_wipe (expected, sizeof expected);
  am_secret_memory_wipe (k_lock, sizeof k_lock);

  /* Then, by itself, to the cloud. */
  WAIT_UNTIL (am_facade_get_outbox_count (f->facade) == 0);
  g_assert_cmpuint (f->max_outbox, ==, 1);
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, before + 1);
  g_assert_true (am_facade_get_online (f->facade));

  /* The same window again would be the same code. */
  same = am_facade_find_same_window (f->facade, lock, &window);
  g_assert_nonnull (same);
  g_assert_cmpstr (am_passcode_record_get_id (same), ==, am_passcode_record_get_id (record));
  {
    g_autoptr(AmPasscodeRecord) again = issue (f, lock, &request, code, &error);

    g_assert_null (again);
    g_assert_error (error, AM_ERROR, AM_ERROR_EXISTS);
    g_test_message ("%s", error->message);
  }
  request_clear (&request);
}

/* A code issued while a sync runs reaches the cloud too, whether the
 * sync had pushed already or not. */
static void
test_issue_during_sync (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AmLock) lock = NULL;
  g_autoptr(AmPasscodeRecord) record = NULL;
  AmIssueRequest request = timed_request (1);
  char code[AM_PASSCODE_MAX_DIGITS + 1] = { 0 };
  gint64 before;

  sign_in_and_sync (f);
  lock = cached_lock (f, f->front);
  before = am_server_db_count (f->db, "passcodes");

  am_facade_sync_async (f->facade, NULL, on_done_cb, &result);
  record = issue (f, lock, &request, code, &error);
  g_assert_no_error (error);
  am_secret_memory_wipe (code, sizeof code);
  g_assert_true (am_facade_sync_finish (f->facade, await (&result), &error));
  g_assert_no_error (error);

  WAIT_UNTIL (am_facade_get_outbox_count (f->facade) == 0 && !am_facade_get_syncing (f->facade));
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, before + 1);
  request_clear (&request);
}

static void
test_issue_offline_then_back (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmLock) lock = NULL;
  g_autoptr(AmPasscodeRecord) record = NULL;
  AmIssueRequest request = timed_request (2);
  char code[AM_PASSCODE_MAX_DIGITS + 1] = { 0 };
  gint64 before;

  sign_in_and_sync (f);
  lock = cached_lock (f, f->front);
  before = am_server_db_count (f->db, "passcodes");
  stop_server (f);

  record = issue (f, lock, &request, code, &error);
  g_assert_no_error (error);
  g_assert_nonnull (record);
  g_assert_cmpuint (strlen (code), ==, am_lock_get_digits (lock));
  am_secret_memory_wipe (code, sizeof code);

  /* The push found no one. */
  WAIT_UNTIL (!am_facade_get_online (f->facade));
  g_assert_cmpuint (am_facade_get_outbox_count (f->facade), ==, 1);
  g_assert_true (am_facade_get_signed_in (f->facade));

  start_server (f);
  g_assert_true (facade_sync (f, &error));
  g_assert_no_error (error);
  g_assert_true (am_facade_get_online (f->facade));
  g_assert_null (am_facade_get_sync_error (f->facade));
  g_assert_cmpuint (am_facade_get_outbox_count (f->facade), ==, 0);
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, before + 1);
  request_clear (&request);
}

static void
test_window_in_past (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmLock) lock = NULL;
  g_autoptr(AmPasscodeRecord) record = NULL;
  AmIssueRequest request = timed_request (-72);
  AmPasscodeWindow window;
  char code[AM_PASSCODE_MAX_DIGITS + 1] = { 0 };

  sign_in_and_sync (f);
  lock = cached_lock (f, f->front);

  g_assert_false (am_facade_preview_window (f->facade, lock, &request, &window, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == AM_ERROR);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_suffix (error->message, "."));

  g_clear_error (&error);
  record = issue (f, lock, &request, code, &error);
  g_assert_null (record);
  g_assert_true (error->domain == AM_ERROR);
  g_assert_cmpuint (am_facade_get_outbox_count (f->facade), ==, 0);
  request_clear (&request);
}

static void
test_no_permission (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmLock) gate = NULL;
  g_autoptr(AmPasscodeRecord) record = NULL;
  g_autoptr(AmBleSession) session = NULL;
  AmIssueRequest request = timed_request (1);
  char code[AM_PASSCODE_MAX_DIGITS + 1] = { 0 };

  sign_in_and_sync (f);
  gate = cached_lock (f, f->gate);

  record = issue (f, gate, &request, code, &error);
  g_assert_null (record);
  g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==,
                   "You may not generate codes for this property. Ask your administrator for the permission.");
  g_assert_cmpuint (am_facade_get_outbox_count (f->facade), ==, 0);
  g_assert_cmpstr (code, ==, "");

  g_clear_error (&error);
  session = am_facade_new_unlock_session (f->facade, gate, &error);
  g_assert_null (session);
  g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==,
                   "You may not open this lock over Bluetooth. Ask your administrator for the permission.");
  request_clear (&request);
}

/* A key the vault lacks: the sentence says to sync. */
static void
test_no_key (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AmLock) lock = NULL;
  g_autoptr(AmPasscodeRecord) record = NULL;
  AmIssueRequest request = timed_request (1);
  char code[AM_PASSCODE_MAX_DIGITS + 1] = { 0 };

  sign_in_and_sync (f);
  lock = cached_lock (f, f->front);
  am_vault_clear_lock_keys_async (f->vault, f->url, f->front, NULL, on_done_cb, &result);
  g_assert_true (am_vault_clear_lock_keys_finish (f->vault, await (&result), &error));

  record = issue (f, lock, &request, code, &error);
  g_assert_null (record);
  g_assert_error (error, AM_ERROR, AM_ERROR_NO_KEY);
  g_assert_cmpstr (error->message, ==,
                   "This computer holds no key for this lock. Sync while online to fetch it, then try again.");
  request_clear (&request);
}

/* Activity */

static gboolean
derive_again (Fixture          *f,
              AmPasscodeRecord *record,
              char              code[AM_PASSCODE_MAX_DIGITS + 1],
              GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  am_facade_derive_code_async (f->facade, record, NULL, on_done_cb, &result);
  return am_facade_derive_code_finish (f->facade, await (&result), code, error);
}

/* Just signed in, Create Code while the first sync still fetches the key:
 * the code is issued once the sync is over, not refused. */
static void
test_no_key_while_syncing (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) synced = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AmLock) lock = NULL;
  g_autoptr(AmPasscodeRecord) record = NULL;
  g_autoptr(AmPasscodeRecord) again = NULL;
  AmIssueRequest request = timed_request (1);
  char code[AM_PASSCODE_MAX_DIGITS + 1] = { 0 };
  char derived[AM_PASSCODE_MAX_DIGITS + 1] = { 0 };

  sign_in_and_sync (f);
  lock = cached_lock (f, f->front);
  am_vault_clear_lock_keys_async (f->vault, f->url, f->front, NULL, on_done_cb, &result);
  g_assert_true (am_vault_clear_lock_keys_finish (f->vault, await (&result), &error));
  g_clear_object (&result);

  am_facade_sync_async (f->facade, NULL, on_done_cb, &synced);
  g_assert_true (am_facade_get_syncing (f->facade));
  record = issue (f, lock, &request, code, &error);
  g_assert_no_error (error);
  g_assert_nonnull (record);
  g_assert_false (am_facade_get_syncing (f->facade));
  g_assert_true (am_facade_sync_finish (f->facade, await (&synced), &error));
  g_assert_no_error (error);

  /* The digits are those of the key the sync fetched. */
  g_assert_true (derive_again (f, record, derived, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (derived, ==, code);
  am_secret_memory_wipe (code, sizeof code);
  am_secret_memory_wipe (derived, sizeof derived);
  request_clear (&request);
}

static AmPasscodeRecord *
facade_revoke (Fixture          *f,
               AmPasscodeRecord *record,
               GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  am_facade_revoke_passcode_async (f->facade, record, NULL, on_done_cb, &result);
  return am_facade_revoke_passcode_finish (f->facade, await (&result), error);
}

/* The story of a code on the lock's page: listed newest first, shown
 * again with the same digits, revoked in the cloud and pending until the
 * lock learns of it. */
static void
test_activity_show_again_and_revoke (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmLock) lock = NULL;
  g_autoptr(AmPasscodeRecord) first = NULL;
  g_autoptr(AmPasscodeRecord) second = NULL;
  g_autoptr(AmPasscodeRecord) newest = NULL;
  g_autoptr(AmPasscodeRecord) revoked = NULL;
  g_autoptr(AmPasscodeRecord) cached = NULL;
  g_autoptr(AmRecordList) passcodes = NULL;
  g_autoptr(GHashTable) pending = NULL;
  AmIssueRequest early = timed_request (1);
  AmIssueRequest late = timed_request (5);
  char issued[AM_PASSCODE_MAX_DIGITS + 1] = { 0 };
  char again[AM_PASSCODE_MAX_DIGITS + 1] = { 0 };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  sign_in_and_sync (f);
  lock = cached_lock (f, f->front);
  g_assert_true (am_facade_holds_key (f->facade, lock));
  g_assert_true (am_facade_may (f->facade, f->austin, AM_PERMISSION_REVOKE_CODES));
  g_assert_false (am_facade_may (f->facade, f->pune, AM_PERMISSION_REVOKE_CODES));

  first = issue (f, lock, &early, issued, &error);
  g_assert_no_error (error);
  am_secret_memory_wipe (issued, sizeof issued);
  second = issue (f, lock, &late, issued, &error);
  g_assert_no_error (error);

  /* Newest first. */
  passcodes = am_facade_list_passcodes (f->facade, f->front);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (passcodes)), ==, 2);
  newest = g_list_model_get_item (G_LIST_MODEL (passcodes), 0);
  g_assert_cmpstr (am_passcode_record_get_id (newest), ==, am_passcode_record_get_id (second));

  /* Shown again: the very digits handed out when it was issued. */
  g_assert_true (derive_again (f, newest, again, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, issued);
  am_secret_memory_wipe (issued, sizeof issued);
  am_secret_memory_wipe (again, sizeof again);

  WAIT_UNTIL (am_facade_get_outbox_count (f->facade) == 0);
  g_assert_cmpint (am_facade_get_passcode_status (f->facade, second, NULL, now), ==, AM_PASSCODE_STATUS_SCHEDULED);

  /* Revoked in the cloud, and in the cache at once: pending until the
   * lock's log says it took the code off its list. */
  revoked = facade_revoke (f, second, &error);
  g_assert_no_error (error);
  g_assert_nonnull (revoked);
  g_assert_cmpint (am_passcode_record_get_revoked_at (revoked), >, 0);
  cached = am_store_get_passcode (am_facade_get_store (f->facade), am_passcode_record_get_id (second));
  g_assert_cmpint (am_passcode_record_get_revoked_at (cached), >, 0);
  g_assert_cmpstr (am_passcode_record_get_revoked_by_name (cached), ==, "Lee Agent");
  pending = am_facade_list_pending_revocations (f->facade, f->front);
  g_assert_cmpuint (g_hash_table_size (pending), ==, 1);
  g_assert_true (g_hash_table_contains (pending, am_passcode_record_get_id (second)));
  g_assert_cmpint (am_facade_get_passcode_status (f->facade, cached, pending, now),
                   ==, AM_PASSCODE_STATUS_REVOCATION_PENDING);
  g_assert_cmpint (am_facade_get_passcode_status (f->facade, cached, NULL, now),
                   ==, AM_PASSCODE_STATUS_REVOCATION_PENDING);
  g_assert_cmpint (am_facade_get_passcode_status (f->facade, first, pending, now),
                   ==, AM_PASSCODE_STATUS_SCHEDULED);
  request_clear (&early);
  request_clear (&late);
}

/* Revoking needs the cloud and the permission; each refusal a sentence,
 * and the cache unchanged. */
static void
test_activity_revoke_refused (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmLock) lock = NULL;
  g_autoptr(AmLock) gate = NULL;
  g_autoptr(AmPasscodeRecord) record = NULL;
  g_autoptr(AmPasscodeRecord) revoked = NULL;
  g_autoptr(AmPasscodeRecord) cached = NULL;
  g_autoptr(AmPasscodeRecord) foreign = am_passcode_record_new_empty ();
  AmIssueRequest request = timed_request (1);
  char code[AM_PASSCODE_MAX_DIGITS + 1] = { 0 };

  sign_in_and_sync (f);
  lock = cached_lock (f, f->front);
  gate = cached_lock (f, f->gate);
  record = issue (f, lock, &request, code, &error);
  g_assert_no_error (error);
  am_secret_memory_wipe (code, sizeof code);
  WAIT_UNTIL (am_facade_get_outbox_count (f->facade) == 0);

  /* A code of a lock where the user may only look. */
  foreign->id = g_uuid_string_random ();
  foreign->lock_id = g_strdup (f->gate);
  foreign->kv = am_lock_get_kv (gate);
  revoked = facade_revoke (f, foreign, &error);
  g_assert_null (revoked);
  g_assert_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==,
                   "You may not revoke codes of this property. Ask your administrator for the permission.");
  g_clear_error (&error);
  g_assert_false (am_facade_holds_key (f->facade, gate));
  g_assert_false (derive_again (f, foreign, code, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_NO_KEY);
  g_assert_cmpstr (code, ==, "");
  g_clear_error (&error);

  /* The cloud out of reach: not queued, said plainly. */
  stop_server (f);
  revoked = facade_revoke (f, record, &error);
  g_assert_null (revoked);
  g_assert_error (error, AM_ERROR, AM_ERROR_CONNECTION_FAILED);
  g_test_message ("%s", error->message);
  g_assert_false (am_facade_get_online (f->facade));
  cached = am_store_get_passcode (am_facade_get_store (f->facade), am_passcode_record_get_id (record));
  g_assert_cmpint (am_passcode_record_get_revoked_at (cached), ==, 0);
  g_assert_cmpuint (am_facade_get_outbox_count (f->facade), ==, 0);
  start_server (f);
  request_clear (&request);
}

/* Bluetooth */

/* A visit through the façade: the door opens, and what the lock said
 * reaches the cloud by itself. */
static void
test_unlock_pushes (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AmLock) lock = NULL;
  g_autoptr(AmBleSession) session = NULL;
  g_autofree char *device = NULL;
  guint8 k_lock[AM_PASSCODE_KEY_LEN];

  sign_in_and_sync (f);
  lock = cached_lock (f, f->front);
  g_assert_true (am_server_db_get_lock_key_bytes (f->db, f->front, am_lock_get_kv (lock), k_lock, &error));
  device = am_test_bluez_add_lock (f->front, k_lock, am_lock_get_kv (lock), am_lock_get_digits (lock),
                                   am_lock_get_q_offset_s (lock), 87, "Front Door");
  am_secret_memory_wipe (k_lock, sizeof k_lock);
  g_assert_nonnull (device);
  f->sim_lock = g_strdup (f->front);

  WAIT_UNTIL (am_facade_get_bluetooth_state (f->facade) != AM_BLUETOOTH_UNKNOWN);
  g_assert_cmpint (am_facade_get_bluetooth_state (f->facade), ==, AM_BLUETOOTH_ON);

  session = am_facade_new_unlock_session (f->facade, lock, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  am_ble_session_run_async (session, AM_BLE_SESSION_MODE_UNLOCK, NULL, on_done_cb, &result);
  g_assert_true (am_ble_session_run_finish (session, await (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (am_ble_session_get_state (session), ==, AM_BLE_SESSION_DONE);

  WAIT_UNTIL (am_server_db_count (f->db, "unlocks") == 1 && am_facade_get_outbox_count (f->facade) == 0);
  g_assert_cmpuint (f->max_outbox, >=, 1);
}

static void
test_bluetooth_follows_adapter (Fixture       *f,
                                gconstpointer  data)
{
  WAIT_UNTIL (am_facade_get_bluetooth_state (f->facade) != AM_BLUETOOTH_UNKNOWN);
  g_assert_cmpint (am_facade_get_bluetooth_state (f->facade), ==, AM_BLUETOOTH_ON);

  am_test_bluez_set_powered (FALSE);
  WAIT_UNTIL (am_facade_get_bluetooth_state (f->facade) == AM_BLUETOOTH_OFF);
  am_test_bluez_set_powered (TRUE);
  WAIT_UNTIL (am_facade_get_bluetooth_state (f->facade) == AM_BLUETOOTH_ON);

  am_test_bluez_remove_adapter ();
  WAIT_UNTIL (am_facade_get_bluetooth_state (f->facade) == AM_BLUETOOTH_NO_ADAPTER);
  am_test_bluez_add_adapter ();
  WAIT_UNTIL (am_facade_get_bluetooth_state (f->facade) == AM_BLUETOOTH_ON);
}

/* A system bus without BlueZ on it. */
static void
test_bluetooth_unavailable (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = g_dir_make_tmp ("test-facade-XXXXXX", &error);
      AmTestBus *bus = am_test_bus_start ();
      AmFacade *facade;

      g_assert_no_error (error);
      facade = am_facade_new (dir, &error);
      g_assert_no_error (error);
      g_assert_cmpint (am_facade_get_bluetooth_state (facade), ==, AM_BLUETOOTH_UNKNOWN);
      WAIT_UNTIL (am_facade_get_bluetooth_state (facade) != AM_BLUETOOTH_UNKNOWN);
      g_assert_cmpint (am_facade_get_bluetooth_state (facade), ==, AM_BLUETOOTH_UNAVAILABLE);
      g_object_unref (facade);

      am_test_bus_stop (bus);
      remove_tree (dir);
      return;
    }

  g_test_trap_subprocess (NULL, CHILD_TIMEOUT_USEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* The properties: typed, notifying on change only. */
static void
test_properties (Fixture       *f,
                 gconstpointer  data)
{
  GParamSpec *pspec;
  const char * const names[] = {
    "signed-in", "online", "syncing", "outbox-count", "last-sync", "sync-error", "bluetooth-state",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (f->facade), names[i]);
      g_assert_nonnull (pspec);
      g_assert_true (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);
      g_assert_true (pspec->flags & G_PARAM_READABLE);
    }
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (f->facade), "bluetooth-state");
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (pspec) == AM_TYPE_BLUETOOTH_STATE);
  g_assert_cmpstr (g_enum_get_value (g_type_class_peek (AM_TYPE_BLUETOOTH_STATE), AM_BLUETOOTH_NO_ADAPTER)->value_nick,
                   ==, "no-adapter");
  g_assert_null (am_facade_get_recovery_notice (f->facade));
  g_assert_true (am_facade_get_online (f->facade));
  g_assert_cmpint (am_facade_get_last_sync (f->facade), ==, 0);
}

/* Background sync, notifications and export (issue 7) */

typedef struct
{
  GPtrArray *first_used;    /* (element-type AmPasscodeRecord) */
  GPtrArray *low;           /* (element-type AmLock) */
} Told;

static void
on_first_used_cb (AmFacade         *facade,
                  AmPasscodeRecord *passcode,
                  AmLock           *lock,
                  Told             *told)
{
  g_assert_cmpstr (am_passcode_record_get_lock_id (passcode), ==, am_lock_get_id (lock));
  g_ptr_array_add (told->first_used, g_object_ref (passcode));
}

static void
on_battery_low_cb (AmFacade *facade,
                   AmLock   *lock,
                   Told     *told)
{
  g_ptr_array_add (told->low, g_object_ref (lock));
}

static void
listen (Fixture *f,
        Told    *told)
{
  told->first_used = g_ptr_array_new_with_free_func (g_object_unref);
  told->low = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (f->facade, "passcode-first-used", G_CALLBACK (on_first_used_cb), told);
  g_signal_connect (f->facade, "battery-low", G_CALLBACK (on_battery_low_cb), told);
}

static void
told_clear (Fixture *f,
            Told    *told)
{
  g_signal_handlers_disconnect_by_data (f->facade, told);
  g_clear_pointer (&told->first_used, g_ptr_array_unref);
  g_clear_pointer (&told->low, g_ptr_array_unref);
}

/* A keypad opening with @passcode, as the lock's log reaches the cloud. */
static void
server_keypad_open (Fixture          *f,
                    const char       *lock_id,
                    AmPasscodeRecord *passcode,
                    guint32           seq,
                    gint64            at)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  AmLockEventRecord *event = am_lock_event_record_new_empty ();

  event->lock_id = g_strdup (lock_id);
  event->seq = seq;
  event->event = g_strdup (AM_LOCK_EVENT_NAME_KEYPAD_OPEN);
  event->at = at;
  event->start_h = am_passcode_record_get_start_h (passcode);
  event->p = am_passcode_record_get_p (passcode);
  g_ptr_array_add (events, event);
  g_assert_true (am_server_db_insert_lock_events (f->db, lock_id, events, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* A code issued here, in the cloud once the push is over. */
static AmPasscodeRecord *
issue_and_push (Fixture    *f,
                const char *lock_id,
                gint        hours_ahead)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmLock) lock = cached_lock (f, lock_id);
  AmIssueRequest request = timed_request (hours_ahead);
  char code[AM_PASSCODE_MAX_DIGITS + 1] = { 0 };
  AmPasscodeRecord *record;

  record = issue (f, lock, &request, code, &error);
  request_clear (&request);
  am_secret_memory_wipe (code, sizeof code);
  g_assert_no_error (error);
  WAIT_UNTIL (am_facade_get_outbox_count (f->facade) == 0 && !am_facade_get_syncing (f->facade));
  return record;
}

/* A code someone else issued on @lock_id, straight into the cloud. */
static AmPasscodeRecord *
server_passcode_by_other (Fixture    *f,
                          const char *lock_id,
                          guint32     start_h)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmLock) lock = cached_lock (f, lock_id);
  g_autofree char *other = am_server_db_add_user (f->db, "other@example.com", "Sam Other", PASSWORD, &error);
  AmPasscodeRecord *record;

  g_assert_no_error (error);
  record = am_test_passcode (lock, start_h, 5, g_get_real_time () / G_USEC_PER_SEC);
  g_free (record->created_by_id);
  record->created_by_id = g_strdup (other);
  g_free (record->created_by_name);
  record->created_by_name = g_strdup ("Sam Other");
  g_assert_true (am_server_db_insert_passcode (f->db, record, &error));
  g_assert_no_error (error);
  return record;
}

/* The first use of a code the user issued, brought by a sync, is told
 * once; a second use is not, nor someone else's code. */
static void
test_first_use_told_once (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmPasscodeRecord) mine = NULL;
  g_autoptr(AmPasscodeRecord) theirs = NULL;
  Told told = { 0 };
  AmPasscodeRecord *used;

  sign_in_and_sync (f);
  listen (f, &told);
  mine = issue_and_push (f, f->front, 0);
  theirs = server_passcode_by_other (f, f->front, am_passcode_record_get_start_h (mine) + 2);
  g_assert_true (facade_sync (f, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (told.first_used->len, ==, 0);

  server_keypad_open (f, f->front, mine, 1, am_passcode_record_get_starts_at (mine) + 60);
  server_keypad_open (f, f->front, theirs, 2, am_passcode_record_get_starts_at (theirs) + 60);
  g_assert_true (facade_sync (f, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (told.first_used->len, ==, 1);
  used = g_ptr_array_index (told.first_used, 0);
  g_assert_cmpstr (am_passcode_record_get_id (used), ==, am_passcode_record_get_id (mine));
  g_assert_cmpint (am_passcode_record_get_first_used_at (used), ==, am_passcode_record_get_starts_at (mine) + 60);

  /* Used again, synced again: nothing more to tell. */
  server_keypad_open (f, f->front, mine, 3, am_passcode_record_get_starts_at (mine) + 120);
  g_assert_true (facade_sync (f, &error));
  g_assert_true (facade_sync (f, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (told.first_used->len, ==, 1);
  told_clear (f, &told);
}

/* A code already used when this computer first sees it (the first sync
 * after signing in brings every past use) is not news. */
static void
test_first_use_not_told_for_past (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmPasscodeRecord) mine = NULL;
  Told told = { 0 };

  sign_in_and_sync (f);
  mine = issue_and_push (f, f->front, 0);
  server_keypad_open (f, f->front, mine, 1, am_passcode_record_get_starts_at (mine) + 60);

  /* Another computer: a cache of its own, filled from scratch. */
  g_clear_object (&f->facade);
  g_free (f->data_dir);
  f->data_dir = g_build_filename (f->dir, "other-computer", NULL);
  f->facade = new_facade (f);
  listen (f, &told);
  sign_in_and_sync (f);
  g_assert_true (facade_sync (f, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (told.first_used->len, ==, 0);
  told_clear (f, &told);
}

/* A battery falling below 20 % is told once a fall. */
static void
test_battery_low_on_transition (Fixture       *f,
                                gconstpointer  data)
{
  static const struct
  {
    gint  battery;
    guint told;
  } steps[] = {
    { 50, 0 }, { 20, 0 }, { 19, 1 }, { 10, 1 }, { 5, 1 }, { 80, 1 }, { 15, 2 },
  };
  g_autoptr(GError) error = NULL;
  Told told = { 0 };

  sign_in_and_sync (f);
  listen (f, &told);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_assert_true (am_server_db_set_lock_battery (f->db, f->front, steps[i].battery,
                                                    g_get_real_time () / G_USEC_PER_SEC, &error));
      g_assert_true (facade_sync (f, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (told.low->len, ==, steps[i].told);
    }
  g_assert_cmpstr (am_lock_get_id (g_ptr_array_index (told.low, 1)), ==, f->front);
  g_assert_cmpint (am_lock_get_battery (g_ptr_array_index (told.low, 1)), ==, 15);
  told_clear (f, &told);
}

/* The scheduler the façade owns runs real syncs: when the network comes
 * back, and after a wake from suspend. */
static void
test_background_sync_on_events (Fixture       *f,
                                gconstpointer  data)
{
  AmSyncScheduler *scheduler;
  gint64 last;

  sign_in_and_sync (f);
  scheduler = am_facade_get_sync_scheduler (f->facade);
  g_assert_true (am_sync_scheduler_get_active (scheduler));
  am_sync_scheduler_set_delays (scheduler, 0, 50, 1000);
  last = am_facade_get_last_sync (f->facade);

  f->syncing_notifies = 0;
  am_sync_scheduler_network_changed (scheduler, FALSE);
  am_sync_scheduler_network_changed (scheduler, TRUE);
  WAIT_UNTIL (f->syncing_notifies >= 2 && !am_facade_get_syncing (f->facade));
  g_assert_cmpuint (f->syncing_notifies, ==, 2);
  g_assert_null (am_facade_get_sync_error (f->facade));
  g_assert_cmpint (am_facade_get_last_sync (f->facade), >=, last);

  am_sync_scheduler_resumed (scheduler);
  WAIT_UNTIL (f->syncing_notifies >= 4 && !am_facade_get_syncing (f->facade));

  /* Signed out: nothing is due any more. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    am_facade_sign_out_async (f->facade, NULL, on_done_cb, &result);
    g_assert_true (am_facade_sign_out_finish (f->facade, await (&result), NULL));
  }
  g_assert_false (am_sync_scheduler_get_active (scheduler));
}

/* The cloud out of reach: the scheduler backs off, and the network
 * coming back brings the sync at once. */
static void
test_background_sync_backs_off (Fixture       *f,
                                gconstpointer  data)
{
  AmSyncScheduler *scheduler;

  sign_in_and_sync (f);
  scheduler = am_facade_get_sync_scheduler (f->facade);
  am_sync_scheduler_set_delays (scheduler, 0, 50, 60 * 1000);
  stop_server (f);

  am_sync_scheduler_resumed (scheduler);
  WAIT_UNTIL (am_sync_scheduler_get_failures (scheduler) == 1);
  g_assert_false (am_facade_get_online (f->facade));
  g_assert_cmpint (am_sync_scheduler_get_backoff_until (scheduler), >, g_get_monotonic_time ());

  start_server (f);
  am_sync_scheduler_network_changed (scheduler, FALSE);
  am_sync_scheduler_network_changed (scheduler, TRUE);
  WAIT_UNTIL (am_sync_scheduler_get_failures (scheduler) == 0);
  g_assert_true (am_facade_get_online (f->facade));
}

static GPtrArray *
export_to_file (Fixture     *f,
                const char  *lock_id,
                const char  *property_id,
                GFile       *file,
                guint       *n_rows,
                GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) bytes = NULL;

  am_facade_export_csv_async (f->facade, lock_id, property_id, 0, 0, file, NULL, on_done_cb, &result);
  if (!am_facade_export_csv_finish (f->facade, await (&result), n_rows, error))
    return NULL;
  bytes = g_file_load_bytes (file, NULL, NULL, error);
  g_assert_nonnull (bytes);
  return am_test_csv_parse (bytes);
}

/* The CSV of a lock holds exactly its passcodes and events, as the cache
 * has them after a sync; a failed export leaves no file. */
static void
test_export_lock (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmPasscodeRecord) first = NULL;
  g_autoptr(AmPasscodeRecord) second = NULL;
  g_autoptr(AmPasscodeRecord) elsewhere = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *path = g_build_filename (f->dir, "front door.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) nowhere = NULL;
  AmStore *store;
  guint n_rows = 0, n_events = 0;

  sign_in_and_sync (f);
  first = issue_and_push (f, f->front, 0);
  second = issue_and_push (f, f->front, 6);
  elsewhere = server_passcode_by_other (f, f->gate, am_passcode_record_get_start_h (first));
  server_keypad_open (f, f->front, first, 1, am_passcode_record_get_starts_at (first) + 60);
  server_keypad_open (f, f->gate, elsewhere, 1, am_passcode_record_get_starts_at (elsewhere) + 60);
  g_assert_true (facade_sync (f, &error));
  g_assert_no_error (error);

  /* What the cache holds of the lock. */
  store = am_facade_get_store (f->facade);
  ids = am_store_load_ids (store, AM_STORE_LIST_PASSCODES, f->front, G_MAXUINT);
  g_assert_cmpuint (ids->len, ==, 2);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(GObject) record = am_store_load_record (store, AM_STORE_LIST_PASSCODES,
                                                        g_array_index (ids, guint32, i));

      g_hash_table_add (expected, g_strdup (am_passcode_record_get_id (AM_PASSCODE_RECORD (record))));
    }
  g_clear_pointer (&ids, g_array_unref);
  ids = am_store_load_ids (store, AM_STORE_LIST_LOCK_EVENTS, f->front, G_MAXUINT);
  g_assert_cmpuint (ids->len, ==, 1);

  rows = export_to_file (f, f->front, NULL, file, &n_rows, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_rows, ==, 3);
  g_assert_cmpuint (rows->len, ==, 1 + 3);
  for (guint i = 1; i < rows->len; i++)
    {
      const char *record = am_test_csv_cell (rows, i, "record");

      g_assert_cmpstr (am_test_csv_cell (rows, i, "lock_id"), ==, f->front);
      g_assert_cmpstr (am_test_csv_cell (rows, i, "property"), ==, "Maple Street Lofts");
      if (g_str_equal (record, "passcode"))
        g_assert_true (g_hash_table_remove (expected, am_test_csv_cell (rows, i, "passcode_id")));
      else
        {
          g_assert_cmpstr (record, ==, "event");
          g_assert_cmpstr (am_test_csv_cell (rows, i, "event"), ==, "keypad_open");
          g_assert_cmpstr (am_test_csv_cell (rows, i, "passcode_id"), ==, am_passcode_record_get_id (first));
          n_events++;
        }
    }
  g_assert_cmpuint (g_hash_table_size (expected), ==, 0);
  g_assert_cmpuint (n_events, ==, 1);

  /* Again over the same file: replaced, not appended to. */
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = export_to_file (f, f->front, NULL, file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1 + 3);

  /* A folder that is not there: a sentence, and no file. */
  nowhere = g_file_new_build_filename (f->dir, "no-such-folder", "out.csv", NULL);
  g_assert_null (export_to_file (f, f->front, NULL, nowhere, NULL, &error));
  g_assert_error (error, AM_ERROR, AM_ERROR_STORAGE);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_suffix (error->message, "."));
  g_assert_false (g_file_query_exists (nowhere, NULL));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/facade/properties/typed-and-notifying", test_properties);
  ADD ("/facade/account/sign-in-notifies-and-sets-account", test_sign_in);
  ADD ("/facade/account/wrong-password-is-a-sentence", test_wrong_password);
  ADD ("/facade/account/restore-without-account-is-signed-out", test_restore_without_account);
  ADD ("/facade/account/restore-then-sync-fills-lists", test_restore_then_sync);
  ADD ("/facade/account/sign-out-drops-keys-keeps-cache", test_sign_out);
  ADD ("/facade/account/other-account-refused-while-changes-wait", test_other_account);
  ADD ("/facade/sync/second-call-joins-the-running-one", test_sync_joined);
  ADD ("/facade/sync/cancelled-wait-is-quiet", test_sync_wait_cancelled);
  ADD ("/facade/sync/periodic-until-turned-off", test_sync_periodic);
  ADD ("/facade/sync/session-ended-in-cloud-signs-out", test_session_ended_in_cloud);
  ADD ("/facade/issue/stored-derived-then-pushed", test_issue_stored_derived_pushed);
  ADD ("/facade/issue/during-a-sync-still-pushed", test_issue_during_sync);
  ADD ("/facade/issue/offline-then-back-exactly-once", test_issue_offline_then_back);
  ADD ("/facade/issue/window-in-the-past-is-a-sentence", test_window_in_past);
  ADD ("/facade/issue/no-permission-is-a-sentence", test_no_permission);
  ADD ("/facade/issue/no-key-says-to-sync", test_no_key);
  ADD ("/facade/issue/no-key-yet-waits-for-the-sync-under-way", test_no_key_while_syncing);
  ADD ("/facade/activity/show-again-then-revoke-pending", test_activity_show_again_and_revoke);
  ADD ("/facade/activity/revoke-needs-permission-and-cloud", test_activity_revoke_refused);
  ADD ("/facade/bluetooth/unlock-reaches-the-cloud", test_unlock_pushes);
  ADD ("/facade/bluetooth/follows-the-adapter", test_bluetooth_follows_adapter);
  ADD ("/facade/notify/first-use-told-once", test_first_use_told_once);
  ADD ("/facade/notify/first-use-not-told-for-past-uses", test_first_use_not_told_for_past);
  ADD ("/facade/notify/battery-low-told-on-transition", test_battery_low_on_transition);
  ADD ("/facade/sync/background-on-network-and-resume", test_background_sync_on_events);
  ADD ("/facade/sync/background-backs-off-until-network", test_background_sync_backs_off);
  ADD ("/facade/export/lock-csv-holds-exactly-its-records", test_export_lock);
#undef ADD
  g_test_add_func ("/facade/bluetooth/unavailable-without-bluez", test_bluetooth_unavailable);

  /* Not in the children: they make a bus of their own. */
  if (!g_test_subprocess ())
    test_bus = am_test_bluez_start (NULL);

  status = g_test_run ();

  am_test_bus_stop (test_bus);
  return status;
}
