/* test-sync.c: the sync client against the reference server, with the real keyring
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server runs in this process on 127.0.0.1; the vault is the
 * gnome-keyring of the test's session bus (build-aux/dev test). Every test
 * has a server of its own on a port of its own, so its keys in the keyring
 * (filed under the server's address) are its own too.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "am-cloud-client.h"
#include "am-error.h"
#include "am-issue.h"
#include "am-records-private.h"
#include "am-server.h"
#include "am-store-private.h"
#include "am-sync.h"
#include "am-test-async.h"
#include "am-vault.h"

static const char * const agent_permissions[] = {
  "generate_codes", "ble_unlock", "view_activity", "revoke_codes", NULL
};
static const char * const viewer_permissions[] = { "view_activity", NULL };

typedef struct
{
  char          *dir;
  AmServerDb    *db;
  AmServer      *server;
  char          *url;
  char          *austin;        /* property: the agent's, all permissions */
  char          *pune;          /* property: view_activity only, half-hour zone */
  char          *front;         /* locks */
  char          *garage;
  char          *gate;
  char          *agent;         /* user id */
  AmStore       *store;
  AmVault       *vault;
  AmCloudClient *client;
  AmSync        *sync;
  AmAccount      account;
} Fixture;

/* Whether a getter found its record, which is released at once. */
static gboolean
found (gpointer object)
{
  if (object == NULL)
    return FALSE;
  g_object_unref (object);
  return TRUE;
}

static gboolean
run_sync (Fixture  *f,
          GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  am_sync_run_async (f->sync, NULL, am_test_on_done_cb, &result);
  return am_sync_run_finish (f->sync, am_test_wait_for (&result), error);
}

static GPtrArray *
held_keys (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *keys;

  am_vault_list_lock_keys_async (f->vault, f->url, NULL, am_test_on_done_cb, &result);
  keys = am_vault_list_lock_keys_finish (f->vault, am_test_wait_for (&result), &error);
  g_assert_no_error (error);
  return keys;
}

static gboolean
holds_key_of (GPtrArray  *keys,
              const char *lock_id)
{
  for (guint i = 0; i < keys->len; i++)
    if (g_str_equal (((AmVaultKeyRef *) g_ptr_array_index (keys, i))->lock_id, lock_id))
      return TRUE;
  return FALSE;
}

static AmCloudClient *
signed_in_client (Fixture *f)
{
  g_autoptr(AmCloudClient) client = NULL;
  g_autoptr(AmCloudSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  client = am_cloud_client_new (f->url, &error);
  g_assert_no_error (error);
  am_cloud_client_set_timeout (client, 2);
  am_cloud_client_sign_in_async (client, "agent@example.com", "correct horse battery", "test",
                                 NULL, am_test_on_done_cb, &result);
  session = am_cloud_client_sign_in_finish (client, am_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_true (am_cloud_client_has_token (client));

  g_free (f->account.user_id);
  g_free (f->account.user_name);
  f->account.user_id = g_strdup (session->user->id);
  f->account.user_name = g_strdup (session->user->name);
  return g_steal_pointer (&client);
}

static void
start_server (Fixture         *f,
              GTlsCertificate *tls)
{
  g_autoptr(GError) error = NULL;

  f->server = am_server_new (f->db);
  am_server_set_quiet (f->server, TRUE);
  g_assert_true (am_server_listen (f->server, "127.0.0.1", 0, tls, &error));
  g_assert_no_error (error);
  g_free (f->url);
  f->url = am_server_get_url (f->server);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *cache = NULL;
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-sync-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autofree char *path = g_build_filename (f->dir, "server.sqlite", NULL);

    f->db = am_server_db_open (path, &error);
    g_assert_no_error (error);
  }
  f->austin = am_server_db_add_property (f->db, "Maple Street Lofts", "1200 Maple Street", "Austin",
                                         "TX", "78701", "America/Chicago", &error);
  g_assert_no_error (error);
  f->pune = am_server_db_add_property (f->db, "Koregaon Residency", "Lane 5", "Pune",
                                       "MH", "411001", "Asia/Kolkata", &error);
  g_assert_no_error (error);
  f->front = am_server_db_add_lock (f->db, f->austin, "Front Door", NULL, 10, "resident", &error);
  g_assert_no_error (error);
  f->garage = am_server_db_add_lock (f->db, f->austin, "Garage", "12B", 12, NULL, &error);
  g_assert_no_error (error);
  f->gate = am_server_db_add_lock (f->db, f->pune, "Gate", NULL, 10, NULL, &error);
  g_assert_no_error (error);
  f->agent = am_server_db_add_user (f->db, "agent@example.com", "Lee Agent", "correct horse battery", &error);
  g_assert_no_error (error);
  g_assert_true (am_server_db_set_grant (f->db, f->agent, f->austin, agent_permissions, &error));
  g_assert_true (am_server_db_set_grant (f->db, f->agent, f->pune, viewer_permissions, &error));
  g_assert_no_error (error);

  if (data == NULL)
    start_server (f, NULL);
  else
    {
      g_autofree char *cert = g_test_build_filename (G_TEST_DIST, "data", "test-cert.pem", NULL);
      g_autofree char *key = g_test_build_filename (G_TEST_DIST, "data", "test-key.pem", NULL);
      g_autoptr(GTlsCertificate) tls = g_tls_certificate_new_from_files (cert, key, &error);

      g_assert_no_error (error);
      start_server (f, tls);
    }

  cache = g_build_filename (f->dir, "cache.sqlite", NULL);
  f->store = am_store_open (cache, &error);
  g_assert_no_error (error);
  f->vault = am_vault_new ();
  f->account.org_id = g_strdup ("6b1d6f2c-2222-4333-9444-a55566677788");
  f->account.org_name = g_strdup ("Oak Property Group");
  f->account.signed_in = TRUE;

  if (data == NULL)
    {
      f->client = signed_in_client (f);
      f->account.server = g_strdup (am_cloud_client_get_base_url (f->client));
      g_assert_true (am_store_set_account (f->store, &f->account, &error));
      f->sync = am_sync_new (f->store, f->client, f->vault);
      am_sync_set_backoff (f->sync, 5, 40, 6);
    }
}

static void
clear_vault (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;

  am_vault_clear_lock_keys_async (f->vault, f->url, NULL, NULL, am_test_on_done_cb, &result);
  g_assert_true (am_vault_clear_lock_keys_finish (f->vault, am_test_wait_for (&result), NULL));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  clear_vault (f);
  g_clear_object (&f->sync);
  g_clear_object (&f->client);
  g_clear_object (&f->vault);
  g_clear_object (&f->store);
  g_clear_object (&f->server);
  g_clear_pointer (&f->db, am_server_db_free);
  g_free (f->account.server);
  g_free (f->account.user_id);
  g_free (f->account.user_name);
  g_free (f->account.org_id);
  g_free (f->account.org_name);
  g_free (f->austin);
  g_free (f->pune);
  g_free (f->front);
  g_free (f->garage);
  g_free (f->gate);
  g_free (f->agent);
  g_free (f->url);
  {
    g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (f->dir, name, NULL);
        g_unlink (path);
      }
  }
  g_rmdir (f->dir);
  g_free (f->dir);
}

/* Issues a code on @lock_id from the key in the vault, as a user would
 * offline; returns its id. */
static char *
issue_code (Fixture    *f,
            const char *lock_id,
            guint       hours_ahead)
{
  g_autoptr(AmLock) lock = am_store_get_lock (f->store, lock_id);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) start = g_date_time_add_hours (now, hours_ahead);
  g_autoptr(GDateTime) end = g_date_time_add_hours (start, 3);
  g_autoptr(AmPasscodeRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  AmIssueRequest request = { AM_PASSCODE_KIND_TIMED, start, end, "Dana Vendor", NULL, "vendor", NULL };
  char code[AM_PASSCODE_MAX_DIGITS + 1];

  g_assert_nonnull (lock);
  am_vault_lookup_lock_key_async (f->vault, f->url, lock_id, am_lock_get_kv (lock), NULL, am_test_on_done_cb, &result);
  key = am_vault_lookup_lock_key_finish (f->vault, am_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);

  record = am_issue_passcode (lock, &f->account, &request, key, g_get_real_time () / G_USEC_PER_SEC, code, &error);
  g_assert_no_error (error);
  g_assert_true (am_store_issue_passcode (f->store, record, &error));
  g_assert_no_error (error);
  return g_strdup (am_passcode_record_get_id (record));
}

static void
test_initial_sync (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(AmProperty) pune = NULL;
  g_autoptr(AmLock) gate = NULL;
  g_autoptr(AmGrant) grant = NULL;
  g_autofree char *cursor = NULL;

  g_assert_true (run_sync (f, &error));
  g_assert_no_error (error);
  cursor = am_store_get_cursor (f->store);
  g_assert_nonnull (cursor);
  g_assert_cmpint (am_store_get_last_sync (f->store), >, 0);

  pune = am_store_get_property (f->store, f->pune);
  g_assert_nonnull (pune);
  g_assert_cmpstr (am_property_get_timezone (pune), ==, "Asia/Kolkata");
  gate = am_store_get_lock (f->store, f->gate);
  g_assert_nonnull (gate);
  g_assert_cmpuint (am_lock_get_q_offset_s (gate), ==, 1800);
  grant = am_store_get_grant (f->store, f->austin);
  g_assert_true (am_grant_has_permission (grant, "generate_codes"));

  /* Keys for the locks where the agent may issue codes, not the others. */
  keys = held_keys (f);
  g_assert_true (holds_key_of (keys, f->front));
  g_assert_true (holds_key_of (keys, f->garage));
  g_assert_false (holds_key_of (keys, f->gate));
}

static void
test_key_matches_server (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GError) error = NULL;
  guint8 expected[32];

  g_assert_true (run_sync (f, &error));
  am_vault_lookup_lock_key_async (f->vault, f->url, f->front, 1, NULL, am_test_on_done_cb, &result);
  key = am_vault_lookup_lock_key_finish (f->vault, am_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_true (am_server_db_get_lock_key_bytes (f->db, f->front, 1, expected, &error));
  g_assert_cmpmem (g_bytes_get_data (key, NULL), g_bytes_get_size (key), expected, 32);
}

static void
test_grant_lost (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(AmProperty) austin = NULL;

  g_assert_true (run_sync (f, &error));
  g_assert_true (am_server_db_remove_grant (f->db, f->agent, f->austin, &error));
  g_assert_true (run_sync (f, &error));
  g_assert_no_error (error);

  austin = am_store_get_property (f->store, f->austin);
  g_assert_null (austin);
  keys = held_keys (f);
  g_assert_false (holds_key_of (keys, f->front));
  g_assert_false (holds_key_of (keys, f->garage));
}

/* A grant lost and given back between two syncs: the property stays, and
 * so do its keys. */
static void
test_grant_given_back (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(AmSyncPage) page = NULL;
  g_autoptr(AmProperty) austin = NULL;
  g_autofree char *cursor = NULL;
  gboolean more;

  g_assert_true (run_sync (f, &error));
  cursor = am_store_get_cursor (f->store);
  g_assert_true (am_server_db_remove_grant (f->db, f->agent, f->austin, &error));
  g_assert_true (am_server_db_set_grant (f->db, f->agent, f->austin, agent_permissions, &error));

  /* The cloud does not name as deleted what the same page sends. */
  page = am_server_db_sync (f->db, f->agent, cursor, 500, &more, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->properties->len, ==, 1);
  g_assert_cmpuint (page->deleted->len, ==, 0);

  g_assert_true (run_sync (f, &error));
  g_assert_no_error (error);
  austin = am_store_get_property (f->store, f->austin);
  g_assert_nonnull (austin);
  g_assert_true (found (am_store_get_lock (f->store, f->front)));
  keys = held_keys (f);
  g_assert_true (holds_key_of (keys, f->front));
}

static void
test_rotated_key_fetched (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(AmLock) front = NULL;
  gboolean kv1 = FALSE, kv2 = FALSE;

  g_assert_true (run_sync (f, &error));
  g_assert_cmpuint (am_server_db_rotate_key (f->db, f->front, &error), ==, 2);
  g_assert_true (run_sync (f, &error));
  g_assert_no_error (error);

  front = am_store_get_lock (f->store, f->front);
  g_assert_cmpuint (am_lock_get_kv (front), ==, 2);
  keys = held_keys (f);
  for (guint i = 0; i < keys->len; i++)
    {
      AmVaultKeyRef *ref = g_ptr_array_index (keys, i);

      if (g_str_equal (ref->lock_id, f->front))
        {
          kv1 |= ref->kv == 1;
          kv2 |= ref->kv == 2;
        }
    }
  /* The new key, and the previous one while the lock may still see codes
   * made with it. */
  g_assert_true (kv1);
  g_assert_true (kv2);
}

static void
test_issued_reaches_server (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(AmPasscodeRecord) record = NULL;
  gint64 before;

  g_assert_true (run_sync (f, &error));
  before = am_server_db_count (f->db, "passcodes");
  id = issue_code (f, f->front, 2);
  g_assert_cmpint (am_store_outbox_count (f->store), ==, 1);

  g_assert_true (run_sync (f, &error));
  g_assert_no_error (error);
  g_assert_cmpint (am_store_outbox_count (f->store), ==, 0);
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, before + 1);
  record = am_store_get_passcode (f->store, id);
  g_assert_nonnull (record);
  g_assert_cmpstr (am_passcode_record_get_created_by_name (record), ==, "Lee Agent");
  g_assert_cmpstr (am_passcode_record_get_recipient_name (record), ==, "Dana Vendor");
}

/* What a Bluetooth visit brings back, the lock's log and the unlock, goes
 * to the cloud; the cloud links the keypad entry to the code, and the next
 * pull shows the code used, when it was typed. */
static void
test_visit_reaches_server (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(AmPasscodeRecord) issued = NULL;
  g_autoptr(AmPasscodeRecord) used = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(AmUnlock) unlock = am_unlock_new_empty ();
  AmLockEventRecord *typed = am_lock_event_record_new_empty ();
  AmLockEventRecord *opened = am_lock_event_record_new_empty ();
  gint64 typed_at;

  g_assert_true (run_sync (f, &error));
  id = issue_code (f, f->front, 0);
  g_assert_true (run_sync (f, &error));
  issued = am_store_get_passcode (f->store, id);
  typed_at = am_passcode_record_get_starts_at (issued) + 600;

  typed->lock_id = g_strdup (f->front);
  typed->seq = 0;
  typed->event = g_strdup ("keypad_open");
  typed->at = typed_at;
  typed->start_h = am_passcode_record_get_start_h (issued);
  typed->p = am_passcode_record_get_p (issued);
  g_ptr_array_add (events, typed);
  opened->lock_id = g_strdup (f->front);
  opened->seq = 1;
  opened->event = g_strdup ("ble_unlock");
  opened->at = typed_at + 60;
  g_ptr_array_add (events, opened);
  g_assert_cmpuint (am_store_get_next_lock_seq (f->store, f->front), ==, 0);
  g_assert_true (am_store_record_lock_log (f->store, f->front, events, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (am_store_get_next_lock_seq (f->store, f->front), ==, 2);

  unlock->id = g_uuid_string_random ();
  unlock->lock_id = g_strdup (f->front);
  unlock->user_id = g_strdup (f->account.user_id);
  unlock->user_name = g_strdup (f->account.user_name);
  unlock->at = typed_at + 60;
  unlock->result = g_strdup ("ok");
  g_assert_true (am_store_record_unlock (f->store, unlock, &error));
  g_assert_cmpint (am_store_outbox_count (f->store), ==, 2);

  g_assert_true (run_sync (f, &error));
  g_assert_no_error (error);
  g_assert_cmpint (am_store_outbox_count (f->store), ==, 0);
  g_assert_cmpint (am_server_db_count (f->db, "lock_events"), ==, 2);
  g_assert_cmpint (am_server_db_count (f->db, "unlocks"), ==, 1);

  used = am_store_get_passcode (f->store, id);
  g_assert_cmpuint (am_passcode_record_get_use_count (used), ==, 1);
  g_assert_cmpint (am_passcode_record_get_first_used_at (used), ==, typed_at);

  /* The same visit read again (a crash before the outbox emptied) doubles nothing. */
  g_assert_true (am_store_record_lock_log (f->store, f->front, events, &error));
  g_assert_true (run_sync (f, &error));
  g_assert_cmpint (am_server_db_count (f->db, "lock_events"), ==, 2);
  g_clear_object (&used);
  used = am_store_get_passcode (f->store, id);
  g_assert_cmpuint (am_passcode_record_get_use_count (used), ==, 1);
}

/* Issued with no cloud in reach: the code stays queued, the cache intact;
 * once the cloud is back, it arrives exactly once. */
static void
test_offline_then_back (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *url = NULL;
  g_autoptr(AmCloudClient) dead = NULL;
  g_autoptr(AmSync) dead_sync = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetSocketAddress) address = NULL;
  gint64 before;

  g_assert_true (run_sync (f, &error));
  before = am_server_db_count (f->db, "passcodes");
  id = issue_code (f, f->front, 1);

  /* A port that refuses: bound and closed again, nothing listens. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  address = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new_from_string ("127.0.0.1", 0));
  g_assert_true (g_socket_bind (socket, G_SOCKET_ADDRESS (address), TRUE, &error));
  g_clear_object (&address);
  address = G_INET_SOCKET_ADDRESS (g_socket_get_local_address (socket, &error));
  url = g_strdup_printf ("http://127.0.0.1:%u", g_inet_socket_address_get_port (address));
  g_socket_close (socket, NULL);

  dead = am_cloud_client_new (url, &error);
  g_assert_no_error (error);
  am_cloud_client_set_token (dead, "not-a-real-token");
  dead_sync = am_sync_new (f->store, dead, f->vault);
  am_sync_set_backoff (dead_sync, 5, 20, 3);
  {
    g_autoptr(GAsyncResult) result = NULL;

    am_sync_run_async (dead_sync, NULL, am_test_on_done_cb, &result);
    g_assert_false (am_sync_run_finish (dead_sync, am_test_wait_for (&result), &error));
  }
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_NETWORK);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_cmpuint (am_sync_get_retries (dead_sync), ==, 2);
  g_assert_cmpint (am_store_outbox_count (f->store), ==, 1);
  g_assert_true (found (am_store_get_property (f->store, f->austin)));

  g_assert_true (run_sync (f, &error));
  g_assert_no_error (error);
  g_assert_cmpint (am_store_outbox_count (f->store), ==, 0);
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, before + 1);
}

typedef struct
{
  const char    *name;
  AmServerFault  fault;
} FaultCase;

static const FaultCase fault_cases[] = {
  { "error-500", AM_SERVER_FAULT_ERROR_500 },
  { "hang", AM_SERVER_FAULT_HANG },
  { "malformed-json", AM_SERVER_FAULT_MALFORMED_JSON },
  { "truncated", AM_SERVER_FAULT_TRUNCATED },
  { "rate-limit", AM_SERVER_FAULT_RATE_LIMIT },
  { "error-500-after-commit", AM_SERVER_FAULT_ERROR_500_AFTER_COMMIT },
};

/* Two faulty answers in a row, on the push and then on the pull: the run
 * retries through them; afterwards the server holds each queued passcode
 * exactly once and the cache has the cloud's changes. */
static void
test_fault (gconstpointer data)
{
  const FaultCase *c = data;
  Fixture fixture = { NULL }, *f = &fixture;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  g_autofree char *property = NULL;
  g_autoptr(AmProperty) arrived = NULL;
  gint64 before;

  fixture_set_up (f, NULL);
  g_assert_true (run_sync (f, &error));
  g_assert_no_error (error);
  before = am_server_db_count (f->db, "passcodes");
  first = issue_code (f, f->front, 1);
  second = issue_code (f, f->garage, 2);
  third = issue_code (f, f->front, 5);
  property = am_server_db_add_property (f->db, "Cedar Row", "9 Cedar Row", "Austin", "TX", "78702",
                                        "America/Chicago", &error);
  g_assert_true (am_server_db_set_grant (f->db, f->agent, property, agent_permissions, &error));

  am_server_inject_faults (f->server, c->fault, 2);
  g_assert_true (run_sync (f, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (am_sync_get_retries (f->sync), >=, 2);
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, before + 3);
  g_assert_cmpint (am_store_outbox_count (f->store), ==, 0);
  arrived = am_store_get_property (f->store, property);
  g_assert_nonnull (arrived);

  /* Now with the faults on the pull. */
  g_clear_object (&arrived);
  g_free (property);
  property = am_server_db_add_property (f->db, "Birch Court", "3 Birch Ct", "Austin", "TX", "78703",
                                        "America/Chicago", &error);
  g_assert_true (am_server_db_set_grant (f->db, f->agent, property, agent_permissions, &error));
  am_server_inject_faults (f->server, c->fault, 2);
  g_assert_true (run_sync (f, &error));
  g_assert_no_error (error);
  arrived = am_store_get_property (f->store, property);
  g_assert_nonnull (arrived);
  g_assert_cmpint (am_server_db_count (f->db, "passcodes"), ==, before + 3);

  fixture_tear_down (f, NULL);
}

/* A server that keeps failing: the run gives up with a sentence; nothing
 * of the cache or the outbox is lost. */
static void
test_persistent_failure (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  g_assert_true (run_sync (f, &error));
  id = issue_code (f, f->front, 1);
  am_sync_set_backoff (f->sync, 5, 10, 3);
  am_server_inject_faults (f->server, AM_SERVER_FAULT_ERROR_500, 100);
  g_assert_false (run_sync (f, &error));
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_SERVER);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_suffix (error->message, "."));
  g_assert_cmpint (am_store_outbox_count (f->store), ==, 1);
  g_assert_true (found (am_store_get_passcode (f->store, id)));
  g_assert_true (found (am_store_get_property (f->store, f->austin)));
}

/* A session the cloud no longer knows: signed out, the cache kept. */
static void
test_signed_out (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmAccount) account = NULL;

  g_assert_true (run_sync (f, &error));
  am_cloud_client_set_token (f->client, "a-token-the-cloud-never-gave");
  g_assert_false (run_sync (f, &error));
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_SIGNED_OUT);
  g_test_message ("%s", error->message);

  account = am_store_get_account (f->store);
  g_assert_false (account->signed_in);
  /* The keys went with the session. */
  {
    g_autoptr(GPtrArray) keys = held_keys (f);

    g_assert_cmpuint (keys->len, ==, 0);
  }
  g_assert_true (found (am_store_get_property (f->store, f->austin)));
  g_assert_true (found (am_store_get_lock (f->store, f->gate)));
}

/* A cursor the cloud no longer serves: a sync from scratch, which drops
 * what the cloud stopped sending meanwhile and keeps what is queued. */
static void
test_cursor_gone (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(AmProperty) pune = NULL;

  g_assert_true (run_sync (f, &error));
  id = issue_code (f, f->front, 1);
  g_assert_true (am_server_db_delete_property (f->db, f->pune, &error));
  g_assert_true (am_server_db_set_cursor_horizon (f->db, am_server_db_get_change_seq (f->db), &error));
  g_assert_no_error (error);

  g_assert_true (run_sync (f, &error));
  g_assert_no_error (error);
  pune = am_store_get_property (f->store, f->pune);
  g_assert_null (pune);
  g_assert_true (found (am_store_get_property (f->store, f->austin)));
  g_assert_false (am_store_is_full_sync (f->store));
  g_assert_cmpint (am_store_outbox_count (f->store), ==, 0);
  g_assert_true (found (am_store_get_passcode (f->store, id)));
}

/* Small pages: everything arrives, once, over many pages. */
static void
test_paged (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *name = g_strdup_printf ("Unit block %u", i);
      g_autofree char *property = am_server_db_add_property (f->db, name, "1 Main St", "Austin", "TX", "78701",
                                                             "America/Chicago", &error);
      g_autofree char *lock = am_server_db_add_lock (f->db, property, "Door", NULL, 10, NULL, &error);

      g_assert_true (am_server_db_set_grant (f->db, f->agent, property, viewer_permissions, &error));
      g_assert_no_error (error);
    }
  am_sync_set_page_limit (f->sync, 7);
  g_assert_true (run_sync (f, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (am_sync_get_pages (f->sync), >=, 10);
  g_assert_cmpint (am_store_count_ids (f->store, AM_STORE_LIST_PROPERTIES, NULL), ==, 32);
  {
    g_autoptr(GPtrArray) locks = am_store_list_keyed_locks (f->store);
    g_assert_cmpuint (locks->len, ==, 2);
  }
}

static void
test_revoke (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmPasscodeRecord) revoked = NULL;
  g_autofree char *id = NULL;

  g_assert_true (run_sync (f, &error));
  id = issue_code (f, f->front, 1);
  g_assert_true (run_sync (f, &error));
  am_cloud_client_revoke_passcode_async (f->client, id, NULL, am_test_on_done_cb, &result);
  revoked = am_cloud_client_revoke_passcode_finish (f->client, am_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (am_passcode_record_get_revoked_at (revoked), >, 0);
  g_assert_cmpstr (am_passcode_record_get_revoked_by_name (revoked), ==, "Lee Agent");

  g_assert_true (run_sync (f, &error));
  g_clear_object (&revoked);
  revoked = am_store_get_passcode (f->store, id);
  g_assert_cmpint (am_passcode_record_get_status (revoked, g_get_real_time () / G_USEC_PER_SEC),
                   ==, AM_PASSCODE_STATUS_REVOKED);
}

/* Over HTTPS: with the server's certificate trusted, sync works; with the
 * system's trust alone, the self-signed certificate is refused. */
static void
test_https (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *ca = g_test_build_filename (G_TEST_DIST, "data", "test-cert.pem", NULL);
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(AmCloudClient) untrusting = NULL;
  g_autoptr(AmCloudSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (f->url, "https://"));

  untrusting = am_cloud_client_new (f->url, &error);
  g_assert_no_error (error);
  am_cloud_client_sign_in_async (untrusting, "agent@example.com", "correct horse battery", "test",
                                 NULL, am_test_on_done_cb, &result);
  session = am_cloud_client_sign_in_finish (untrusting, am_test_wait_for (&result), &error);
  g_assert_null (session);
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_CERTIFICATE);
  g_clear_error (&error);
  g_clear_object (&result);

  f->client = am_cloud_client_new (f->url, &error);
  g_assert_no_error (error);
  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  am_cloud_client_set_tls_database (f->client, database);
  am_cloud_client_sign_in_async (f->client, "agent@example.com", "correct horse battery", "test",
                                 NULL, am_test_on_done_cb, &result);
  session = am_cloud_client_sign_in_finish (f->client, am_test_wait_for (&result), &error);
  g_assert_no_error (error);
  f->account.server = g_strdup (f->url);
  f->account.user_id = g_strdup (session->user->id);
  f->account.user_name = g_strdup (session->user->name);
  g_assert_true (am_store_set_account (f->store, &f->account, &error));

  f->sync = am_sync_new (f->store, f->client, f->vault);
  g_assert_true (run_sync (f, &error));
  g_assert_no_error (error);
  g_assert_true (found (am_store_get_property (f->store, f->austin)));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/sync/initial/brings-what-the-user-may-see", test_initial_sync);
  ADD ("/sync/keys/vault-holds-the-servers-key", test_key_matches_server);
  ADD ("/sync/keys/gone-with-the-grant", test_grant_lost);
  ADD ("/sync/keys/grant-given-back-keeps-property", test_grant_given_back);
  ADD ("/sync/keys/rotated-key-fetched-previous-kept", test_rotated_key_fetched);
  ADD ("/sync/outbox/issued-code-reaches-the-server", test_issued_reaches_server);
  ADD ("/sync/outbox/offline-then-back-exactly-once", test_offline_then_back);
  ADD ("/sync/outbox/visit-log-and-unlock-reach-the-cloud", test_visit_reaches_server);
  ADD ("/sync/faults/persistent-failure-loses-nothing", test_persistent_failure);
  ADD ("/sync/session/401-signs-out-keeps-cache", test_signed_out);
  ADD ("/sync/cursor/410-syncs-from-scratch", test_cursor_gone);
  ADD ("/sync/pages/small-pages-bring-everything", test_paged);
  ADD ("/sync/revoke/revoked-in-cloud-and-cache", test_revoke);
#undef ADD
  g_test_add ("/sync/https/verified-certificate-only", Fixture, "tls", fixture_set_up, test_https,
              fixture_tear_down);
  for (guint i = 0; i < G_N_ELEMENTS (fault_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sync/faults/%s-retried-nothing-doubled", fault_cases[i].name);

      g_test_add_data_func (path, &fault_cases[i], test_fault);
    }

  return g_test_run ();
}
