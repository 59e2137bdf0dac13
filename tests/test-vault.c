/* test-vault.c: the session token and the lock keys in a real gnome-keyring
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Most tests use the unlocked keyring of the test session (build-aux/dev
 * test), under server addresses of their own so that other test programs
 * running meanwhile are not disturbed. The tests of a missing and a locked
 * keyring run in a child process each, on a private bus of their own where
 * nothing is activatable: no Secret Service, and no prompter that could put
 * a dialog on the test's display and wait for a click.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "am-error.h"
#include "am-passcode.h"
#include "am-secret-memory.h"
#include "am-test-async.h"
#include "am-vault.h"

/* How long a child may take before it counts as hung. */
#define CHILD_TIMEOUT_USEC (30 * G_USEC_PER_SEC)

typedef struct
{
  AmVault *vault;
  char    *server;
  char    *other_server;
} Fixture;

/* A key with zero bytes at its start, middle and end. */
static const guint8 key_a[AM_PASSCODE_KEY_LEN] = {
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
  0x00, 0x00, 0xff, 0xfe, 0x80, 0x7f, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0x00,
};
static const guint8 key_b[AM_PASSCODE_KEY_LEN] = {
  0xa5, 0x5a, 0x00, 0xc3, 0x3c, 0x96, 0x69, 0x00, 0xf0, 0x0f, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
  0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
};

/* Waiting for the vault */

static gboolean
store_token (AmVault     *vault,
             const char  *server,
             const char  *token,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  am_vault_store_token_async (vault, server, token, NULL, am_test_on_done_cb, &result);
  am_test_wait_for (&result);
  return am_vault_store_token_finish (vault, result, error);
}

static char *
lookup_token (AmVault     *vault,
              const char  *server,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  am_vault_lookup_token_async (vault, server, NULL, am_test_on_done_cb, &result);
  am_test_wait_for (&result);
  return am_vault_lookup_token_finish (vault, result, error);
}

static gboolean
clear_token (AmVault     *vault,
             const char  *server,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  am_vault_clear_token_async (vault, server, NULL, am_test_on_done_cb, &result);
  am_test_wait_for (&result);
  return am_vault_clear_token_finish (vault, result, error);
}

static gboolean
store_key (AmVault       *vault,
           const char    *server,
           const char    *lock_id,
           guint          kv,
           const guint8  *key,
           GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  am_vault_store_lock_key_async (vault, server, lock_id, kv, key, AM_PASSCODE_KEY_LEN,
                                 NULL, am_test_on_done_cb, &result);
  am_test_wait_for (&result);
  return am_vault_store_lock_key_finish (vault, result, error);
}

static GBytes *
lookup_key (AmVault     *vault,
            const char  *server,
            const char  *lock_id,
            guint        kv,
            GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  am_vault_lookup_lock_key_async (vault, server, lock_id, kv, NULL, am_test_on_done_cb, &result);
  am_test_wait_for (&result);
  return am_vault_lookup_lock_key_finish (vault, result, error);
}

static GPtrArray *
list_keys (AmVault     *vault,
           const char  *server,
           GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  am_vault_list_lock_keys_async (vault, server, NULL, am_test_on_done_cb, &result);
  am_test_wait_for (&result);
  return am_vault_list_lock_keys_finish (vault, result, error);
}

static gboolean
clear_keys (AmVault     *vault,
            const char  *server,
            const char  *lock_id,
            GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  am_vault_clear_lock_keys_async (vault, server, lock_id, NULL, am_test_on_done_cb, &result);
  am_test_wait_for (&result);
  return am_vault_clear_lock_keys_finish (vault, result, error);
}

/* Checks */

static void
assert_token (AmVault    *vault,
              const char *server,
              const char *expected)
{
  g_autoptr(GError) error = NULL;
  char *token = lookup_token (vault, server, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, expected);
  am_secret_memory_free (token);
}

static void
assert_key (AmVault      *vault,
            const char   *server,
            const char   *lock_id,
            guint         kv,
            const guint8 *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = lookup_key (vault, server, lock_id, kv, &error);

  g_assert_no_error (error);
  if (expected == NULL)
    {
      g_assert_null (key);
    }
  else
    {
      g_assert_nonnull (key);
      g_assert_cmpuint (g_bytes_get_size (key), ==, AM_PASSCODE_KEY_LEN);
      g_assert_cmpmem (g_bytes_get_data (key, NULL), g_bytes_get_size (key),
                       expected, AM_PASSCODE_KEY_LEN);
    }
}

/* Asserts that @refs holds exactly the "lock-id:kv" pairs of @expected,
 * in that order. */
static void
assert_refs (GPtrArray         *refs,
             const char * const *expected)
{
  g_autoptr(GString) got = g_string_new (NULL);
  g_autofree char *want = g_strjoinv (" ", (char **) expected);

  g_assert_nonnull (refs);
  for (guint i = 0; i < refs->len; i++)
    {
      AmVaultKeyRef *ref = g_ptr_array_index (refs, i);

      g_string_append_printf (got, "%s%s:%u", i > 0 ? " " : "", ref->lock_id, ref->kv);
    }
  g_assert_cmpstr (got->str, ==, want);
}

/* The sentence that comes with an error: capitalised, ending in a full stop. */
static void
assert_sentence (const GError *error)
{
  gsize len = strlen (error->message);

  g_assert_cmpuint (len, >, 20);
  g_assert_true (g_ascii_isupper (error->message[0]));
  g_assert_cmpint (error->message[len - 1], ==, '.');
  g_assert_null (strstr (error->message, "org.freedesktop"));
}

/* The items of @server under the schema, straight from the Secret Service. */
static GList *
find_items (const char *server)
{
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  GList *items;

  g_hash_table_insert (attributes, (gpointer) "xdg:schema", (gpointer) AM_VAULT_SCHEMA_NAME);
  g_hash_table_insert (attributes, (gpointer) "server", (gpointer) server);
  items = secret_service_search_sync (NULL, NULL, attributes,
                                      SECRET_SEARCH_ALL | SECRET_SEARCH_LOAD_SECRETS,
                                      NULL, &error);
  g_assert_no_error (error);
  return items;
}

/* Fixture: two servers of this process's own, cleared before and after */

static void
clear_server (AmVault    *vault,
              const char *server)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (clear_token (vault, server, &error));
  g_assert_no_error (error);
  g_assert_true (clear_keys (vault, server, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->vault = am_vault_new ();
  f->server = g_strdup_printf ("https://vault-%d.test.example", (int) getpid ());
  f->other_server = g_strdup_printf ("https://other-%d.test.example:8443/api", (int) getpid ());
  clear_server (f->vault, f->server);
  clear_server (f->vault, f->other_server);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  clear_server (f->vault, f->server);
  clear_server (f->vault, f->other_server);
  g_clear_pointer (&f->server, g_free);
  g_clear_pointer (&f->other_server, g_free);
  g_clear_object (&f->vault);
}

/* A private bus, and a keyring on it, for a child process */

typedef struct
{
  char        *dir;
  GSubprocess *bus;
  GSubprocess *keyring;
  char        *address;
} PrivateBus;

static void
on_child_setup (gpointer user_data)
{
  /* Whatever becomes of the test, its daemons go with it. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocessLauncher *
launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (launcher, on_child_setup, NULL, NULL);
  return launcher;
}

/* Starts a session bus on which no service is activatable, and makes it
 * this process's session bus. Call before anything talks to D-Bus. */
static PrivateBus *
private_bus_start (void)
{
  PrivateBus *bus = g_new0 (PrivateBus, 1);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *services = NULL;
  g_autofree char *config = NULL;

  bus->dir = g_dir_make_tmp ("test-vault-XXXXXX", &error);
  g_assert_no_error (error);
  services = g_build_filename (bus->dir, "services", NULL);
  g_assert_cmpint (g_mkdir (services, 0700), ==, 0);

  config = g_strdup_printf ("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                            " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                            "<busconfig>\n"
                            "  <type>session</type>\n"
                            "  <listen>unix:dir=%s</listen>\n"
                            "  <servicedir>%s</servicedir>\n"
                            "  <auth>EXTERNAL</auth>\n"
                            "  <policy context=\"default\">\n"
                            "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
                            "    <allow eavesdrop=\"true\"/>\n"
                            "    <allow own=\"*\"/>\n"
                            "  </policy>\n"
                            "</busconfig>\n",
                            bus->dir, services);
  config_path = g_build_filename (bus->dir, "bus.conf", NULL);
  g_file_set_contents (config_path, config, -1, &error);
  g_assert_no_error (error);

  launcher = launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  bus->bus = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", "--nofork",
                                          "--print-address=1", "--config-file", config_path, NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bus->bus));
  bus->address = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bus->address);

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", bus->address, TRUE);
  return bus;
}

/* Starts gnome-keyring on @bus with a fresh home: its login keyring is
 * created, unlocked and made the default. */
static void
private_bus_start_keyring (PrivateBus *bus)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  const char *password = "access-manager-test";
  gint64 deadline;

  launcher = launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                           G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_cwd (launcher, bus->dir);
  g_subprocess_launcher_setenv (launcher, "HOME", bus->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", bus->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", bus->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", bus->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", bus->dir, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "GNOME_KEYRING_CONTROL");
  /* It warns that it cannot show a prompt; that must not kill it. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "SSH_AUTH_SOCK");

  bus->keyring = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--foreground",
                                              "--unlock", "--components=secrets", NULL);
  g_assert_no_error (error);
  g_output_stream_write_all (g_subprocess_get_stdin_pipe (bus->keyring), password, strlen (password),
                             NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (g_subprocess_get_stdin_pipe (bus->keyring), NULL, &error);
  g_assert_no_error (error);

  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr(GVariant) reply = NULL;
      gboolean has_owner = FALSE;

      reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "NameHasOwner",
                                           g_variant_new ("(s)", "org.freedesktop.secrets"),
                                           G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                           NULL, &error);
      g_assert_no_error (error);
      g_variant_get (reply, "(b)", &has_owner);
      if (has_owner)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

static void
stop_process (GSubprocess *process)
{
  if (process == NULL)
    return;

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
}

/* Removes @path and everything under it: the keyring's files, the sockets. */
static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

static void
private_bus_stop (PrivateBus *bus)
{
  stop_process (bus->keyring);
  stop_process (bus->bus);
  g_clear_object (&bus->keyring);
  g_clear_object (&bus->bus);
  remove_tree (bus->dir);
  g_free (bus->address);
  g_free (bus->dir);
  g_free (bus);
}

/* The tests: the session token */

static void
test_token_round_trip (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  assert_token (f->vault, f->server, NULL);

  g_assert_true (store_token (f->vault, f->server, "first-token", &error));
  g_assert_no_error (error);
  assert_token (f->vault, f->server, "first-token");

  g_assert_true (store_token (f->vault, f->server, "second-token", &error));
  g_assert_no_error (error);
  assert_token (f->vault, f->server, "second-token");

  g_assert_true (clear_token (f->vault, f->server, &error));
  g_assert_no_error (error);
  assert_token (f->vault, f->server, NULL);

  /* Clearing what is not there is no error. */
  g_assert_true (clear_token (f->vault, f->server, &error));
  g_assert_no_error (error);
}

static void
test_token_replaced_not_added (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GList *items;

  g_assert_true (store_token (f->vault, f->server, "first-token", &error));
  g_assert_true (store_token (f->vault, f->server, "second-token", &error));
  g_assert_no_error (error);

  items = find_items (f->server);
  g_assert_cmpuint (g_list_length (items), ==, 1);
  g_list_free_full (items, g_object_unref);
}

static void
test_token_servers_apart (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (store_token (f->vault, f->server, "token-of-one", &error));
  g_assert_true (store_token (f->vault, f->other_server, "token-of-other", &error));
  g_assert_no_error (error);
  assert_token (f->vault, f->server, "token-of-one");
  assert_token (f->vault, f->other_server, "token-of-other");

  g_assert_true (clear_token (f->vault, f->server, &error));
  g_assert_no_error (error);
  assert_token (f->vault, f->server, NULL);
  assert_token (f->vault, f->other_server, "token-of-other");
}

static void
test_token_not_a_lock_key (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) refs = NULL;

  g_assert_true (store_token (f->vault, f->server, "token", &error));
  g_assert_true (store_key (f->vault, f->server, "L1", 1, key_a, &error));
  g_assert_no_error (error);

  refs = list_keys (f->vault, f->server, &error);
  g_assert_no_error (error);
  assert_refs (refs, (const char *[]) { "L1:1", NULL });

  /* Clearing every lock key leaves the session, and the other way round. */
  g_assert_true (clear_keys (f->vault, f->server, NULL, &error));
  g_assert_no_error (error);
  assert_token (f->vault, f->server, "token");
  g_assert_true (store_key (f->vault, f->server, "L1", 1, key_a, &error));
  g_assert_true (clear_token (f->vault, f->server, &error));
  g_assert_no_error (error);
  assert_key (f->vault, f->server, "L1", 1, key_a);
}

/* The tests: lock keys */

static void
test_key_binary_round_trip (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint8 key[AM_PASSCODE_KEY_LEN];

  /* The caller may wipe its copy as soon as the call returns. */
  memcpy (key, key_a, sizeof key);
  {
    g_autoptr(GAsyncResult) result = NULL;

    am_vault_store_lock_key_async (f->vault, f->server, "0011223344556677", 3, key, sizeof key,
                                   NULL, am_test_on_done_cb, &result);
    am_secret_memory_wipe (key, sizeof key);
    am_test_wait_for (&result);
    g_assert_true (am_vault_store_lock_key_finish (f->vault, result, &error));
    g_assert_no_error (error);
  }

  assert_key (f->vault, f->server, "0011223344556677", 3, key_a);
}

static void
test_key_versions_side_by_side (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (store_key (f->vault, f->server, "L1", 1, key_a, &error));
  g_assert_true (store_key (f->vault, f->server, "L1", 2, key_b, &error));
  g_assert_no_error (error);
  assert_key (f->vault, f->server, "L1", 1, key_a);
  assert_key (f->vault, f->server, "L1", 2, key_b);
  assert_key (f->vault, f->server, "L1", 3, NULL);

  /* Storing a version again replaces it alone. */
  g_assert_true (store_key (f->vault, f->server, "L1", 2, key_a, &error));
  g_assert_no_error (error);
  assert_key (f->vault, f->server, "L1", 1, key_a);
  assert_key (f->vault, f->server, "L1", 2, key_a);
}

static void
test_key_servers_apart (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (store_key (f->vault, f->server, "L1", 1, key_a, &error));
  g_assert_true (store_key (f->vault, f->other_server, "L1", 1, key_b, &error));
  g_assert_no_error (error);
  assert_key (f->vault, f->server, "L1", 1, key_a);
  assert_key (f->vault, f->other_server, "L1", 1, key_b);
}

static void
test_key_list_refs (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) refs = NULL;
  g_autoptr(GPtrArray) none = NULL;

  g_assert_true (store_key (f->vault, f->server, "L2", 7, key_a, &error));
  g_assert_true (store_key (f->vault, f->server, "L1", 2, key_b, &error));
  g_assert_true (store_key (f->vault, f->server, "L1", 1, key_a, &error));
  g_assert_true (store_key (f->vault, f->other_server, "L9", 1, key_a, &error));
  g_assert_no_error (error);

  refs = list_keys (f->vault, f->server, &error);
  g_assert_no_error (error);
  assert_refs (refs, (const char *[]) { "L1:1", "L1:2", "L2:7", NULL });

  g_clear_pointer (&refs, g_ptr_array_unref);
  refs = list_keys (f->vault, f->other_server, &error);
  g_assert_no_error (error);
  assert_refs (refs, (const char *[]) { "L9:1", NULL });

  none = list_keys (f->vault, "https://nobody.test.example", &error);
  g_assert_no_error (error);
  assert_refs (none, (const char *[]) { NULL });
}

static void
test_key_clear_one_lock (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) refs = NULL;

  g_assert_true (store_key (f->vault, f->server, "L1", 1, key_a, &error));
  g_assert_true (store_key (f->vault, f->server, "L1", 2, key_b, &error));
  g_assert_true (store_key (f->vault, f->server, "L2", 1, key_b, &error));
  g_assert_true (store_key (f->vault, f->other_server, "L1", 1, key_a, &error));
  g_assert_no_error (error);

  g_assert_true (clear_keys (f->vault, f->server, "L1", &error));
  g_assert_no_error (error);

  refs = list_keys (f->vault, f->server, &error);
  g_assert_no_error (error);
  assert_refs (refs, (const char *[]) { "L2:1", NULL });
  assert_key (f->vault, f->server, "L1", 1, NULL);
  assert_key (f->vault, f->server, "L1", 2, NULL);
  assert_key (f->vault, f->other_server, "L1", 1, key_a);
}

static void
test_key_clear_all_of_server (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) refs = NULL;

  g_assert_true (store_key (f->vault, f->server, "L1", 1, key_a, &error));
  g_assert_true (store_key (f->vault, f->server, "L2", 4, key_b, &error));
  g_assert_true (store_key (f->vault, f->other_server, "L3", 1, key_a, &error));
  g_assert_no_error (error);

  g_assert_true (clear_keys (f->vault, f->server, NULL, &error));
  g_assert_no_error (error);

  refs = list_keys (f->vault, f->server, &error);
  g_assert_no_error (error);
  assert_refs (refs, (const char *[]) { NULL });
  g_clear_pointer (&refs, g_ptr_array_unref);
  refs = list_keys (f->vault, f->other_server, &error);
  g_assert_no_error (error);
  assert_refs (refs, (const char *[]) { "L3:1", NULL });
}

static void
test_key_damaged_refused (Fixture       *f,
                          gconstpointer  data)
{
  static const SecretSchema schema = {
    .name = AM_VAULT_SCHEMA_NAME,
    .flags = SECRET_SCHEMA_NONE,
    .attributes = {
      { .name = "kind", .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
      { .name = "server", .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
      { .name = "lock-id", .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
      { .name = "key-version", .type = SECRET_SCHEMA_ATTRIBUTE_INTEGER },
      { .name = NULL },
    },
  };
  g_autoptr(SecretValue) short_key = secret_value_new ((const char *) key_a, 16, "application/octet-stream");
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GError) error = NULL;

  secret_password_store_binary_sync (&schema, SECRET_COLLECTION_DEFAULT, "a short key", short_key,
                                     NULL, &error,
                                     "kind", "lock-key", "server", f->server,
                                     "lock-id", "L1", "key-version", 1, NULL);
  g_assert_no_error (error);

  key = lookup_key (f->vault, f->server, "L1", 1, &error);
  g_assert_error (error, AM_ERROR, AM_ERROR_VAULT);
  g_assert_null (key);
  assert_sentence (error);
}

/* The tests: what is asked for and not there */

static void
test_lookup_nothing (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;
  char *token;

  token = lookup_token (f->vault, f->server, &error);
  g_assert_no_error (error);
  g_assert_null (token);

  key = lookup_key (f->vault, f->server, "L1", 1, &error);
  g_assert_no_error (error);
  g_assert_null (key);

  /* A key of another version, or a token, does not answer for it. */
  g_assert_true (store_key (f->vault, f->server, "L1", 2, key_a, &error));
  g_assert_true (store_token (f->vault, f->server, "token", &error));
  g_assert_no_error (error);
  key = lookup_key (f->vault, f->server, "L1", 1, &error);
  g_assert_no_error (error);
  g_assert_null (key);
}

static void
test_lookup_cancelled (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *token;

  g_assert_true (store_token (f->vault, f->server, "token", &error));
  g_assert_no_error (error);

  g_cancellable_cancel (cancellable);
  am_vault_lookup_token_async (f->vault, f->server, cancellable, am_test_on_done_cb, &result);
  am_test_wait_for (&result);
  token = am_vault_lookup_token_finish (f->vault, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (token);
}

/* The tests: the items as other programs see them */

static void
test_items_under_schema (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token_label = NULL;
  g_autofree char *key_label = NULL;
  GList *items;
  guint n_tokens = 0, n_keys = 0;

  g_assert_true (store_token (f->vault, f->server, "token", &error));
  g_assert_true (store_key (f->vault, f->server, "0011223344556677", 5, key_a, &error));
  g_assert_no_error (error);

  token_label = g_strdup_printf ("Access Manager session for %s", f->server);
  key_label = g_strdup ("Access Manager key of lock 0011223344556677");

  items = find_items (f->server);
  g_assert_cmpuint (g_list_length (items), ==, 2);
  for (GList *l = items; l != NULL; l = l->next)
    {
      SecretItem *item = l->data;
      g_autoptr(GHashTable) attributes = secret_item_get_attributes (item);
      g_autofree char *label = secret_item_get_label (item);
      g_autoptr(SecretValue) value = secret_item_get_secret (item);
      const char *kind = g_hash_table_lookup (attributes, "kind");

      g_assert_nonnull (value);
      g_assert_cmpstr (g_hash_table_lookup (attributes, "xdg:schema"), ==, AM_VAULT_SCHEMA_NAME);
      g_assert_cmpstr (g_hash_table_lookup (attributes, "server"), ==, f->server);

      if (g_strcmp0 (kind, "token") == 0)
        {
          n_tokens++;
          g_assert_cmpuint (g_hash_table_size (attributes), ==, 3);
          g_assert_cmpstr (label, ==, token_label);
          g_assert_cmpstr (secret_value_get_content_type (value), ==, "text/plain");
          g_assert_cmpstr (secret_value_get_text (value), ==, "token");
        }
      else
        {
          gsize len = 0;
          const char *bytes = secret_value_get (value, &len);

          n_keys++;
          g_assert_cmpstr (kind, ==, "lock-key");
          g_assert_cmpuint (g_hash_table_size (attributes), ==, 5);
          g_assert_cmpstr (g_hash_table_lookup (attributes, "lock-id"), ==, "0011223344556677");
          g_assert_cmpstr (g_hash_table_lookup (attributes, "key-version"), ==, "5");
          g_assert_cmpstr (label, ==, key_label);
          /* Stored as application/octet-stream; gnome-keyring 42 keeps no
           * content type and answers text/plain for every secret. */
          g_assert_cmpmem (bytes, len, key_a, sizeof key_a);
        }
    }
  g_list_free_full (items, g_object_unref);
  g_assert_cmpuint (n_tokens, ==, 1);
  g_assert_cmpuint (n_keys, ==, 1);
}

/* The tests: no Secret Service, or a locked keyring (each in a child) */

static void
assert_every_call_fails (AmVault    *vault,
                         const char *server,
                         int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GPtrArray) refs = NULL;
  char *token;

  g_assert_false (store_token (vault, server, "token", &error));
  g_assert_error (error, AM_ERROR, code);
  assert_sentence (error);
  g_clear_error (&error);

  token = lookup_token (vault, server, &error);
  g_assert_error (error, AM_ERROR, code);
  g_assert_null (token);
  g_clear_error (&error);

  g_assert_false (clear_token (vault, server, &error));
  g_assert_error (error, AM_ERROR, code);
  g_clear_error (&error);

  g_assert_false (store_key (vault, server, "L1", 1, key_a, &error));
  g_assert_error (error, AM_ERROR, code);
  g_clear_error (&error);

  key = lookup_key (vault, server, "L1", 1, &error);
  g_assert_error (error, AM_ERROR, code);
  g_assert_null (key);
  g_clear_error (&error);

  refs = list_keys (vault, server, &error);
  g_assert_error (error, AM_ERROR, code);
  g_assert_null (refs);
  g_clear_error (&error);

  g_assert_false (clear_keys (vault, server, NULL, &error));
  g_assert_error (error, AM_ERROR, code);
}

static void
test_no_secret_service (void)
{
  if (g_test_subprocess ())
    {
      PrivateBus *bus = private_bus_start ();
      g_autoptr(AmVault) vault = am_vault_new ();

      assert_every_call_fails (vault, "https://example.com", AM_ERROR_VAULT_UNAVAILABLE);
      private_bus_stop (bus);
      return;
    }

  g_test_trap_subprocess (NULL, CHILD_TIMEOUT_USEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_no_session_bus (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(AmVault) vault = am_vault_new ();
      g_autofree char *dir = g_dir_make_tmp ("test-vault-XXXXXX", NULL);
      g_autofree char *address = g_strdup_printf ("unix:path=%s/no-such-bus", dir);

      g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
      assert_every_call_fails (vault, "https://example.com", AM_ERROR_VAULT_UNAVAILABLE);
      g_rmdir (dir);
      return;
    }

  g_test_trap_subprocess (NULL, CHILD_TIMEOUT_USEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_locked_keyring (void)
{
  if (g_test_subprocess ())
    {
      const char *server = "https://example.com";
      PrivateBus *bus = private_bus_start ();
      g_autoptr(AmVault) vault = am_vault_new ();
      g_autoptr(SecretService) service = NULL;
      g_autoptr(SecretCollection) collection = NULL;
      g_autoptr(GPtrArray) refs = NULL;
      g_autoptr(GBytes) key = NULL;
      g_autoptr(GError) error = NULL;
      GList *objects;
      GList *items;
      char *token;

      private_bus_start_keyring (bus);
      g_assert_true (store_token (vault, server, "token", &error));
      g_assert_true (store_key (vault, server, "L1", 1, key_a, &error));
      g_assert_no_error (error);

      service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &error);
      g_assert_no_error (error);
      collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                     SECRET_COLLECTION_NONE, NULL, &error);
      g_assert_no_error (error);
      objects = g_list_append (NULL, collection);
      g_assert_cmpint (secret_service_lock_sync (service, objects, NULL, NULL, &error), ==, 1);
      g_assert_no_error (error);
      g_list_free (objects);

      /* gnome-keyring asks for the password through a prompter; there is
       * none on this bus, so the unlock fails at once as if dismissed. */
      token = lookup_token (vault, server, &error);
      g_assert_error (error, AM_ERROR, AM_ERROR_VAULT_LOCKED);
      g_assert_null (token);
      assert_sentence (error);
      g_clear_error (&error);

      key = lookup_key (vault, server, "L1", 1, &error);
      g_assert_error (error, AM_ERROR, AM_ERROR_VAULT_LOCKED);
      g_assert_null (key);
      g_clear_error (&error);

      g_assert_false (store_token (vault, server, "new-token", &error));
      g_assert_error (error, AM_ERROR, AM_ERROR_VAULT_LOCKED);
      g_clear_error (&error);

      g_assert_false (store_key (vault, server, "L2", 1, key_b, &error));
      g_assert_error (error, AM_ERROR, AM_ERROR_VAULT_LOCKED);
      g_clear_error (&error);

      /* Which keys are kept is known without unlocking. */
      refs = list_keys (vault, server, &error);
      g_assert_no_error (error);
      assert_refs (refs, (const char *[]) { "L1:1", NULL });

      /* What cannot be cleared is not reported cleared. */
      g_assert_false (clear_token (vault, server, &error));
      g_assert_error (error, AM_ERROR, AM_ERROR_VAULT_LOCKED);
      g_clear_error (&error);
      g_assert_false (clear_keys (vault, server, NULL, &error));
      g_assert_error (error, AM_ERROR, AM_ERROR_VAULT_LOCKED);
      g_clear_error (&error);

      items = find_items (server);
      g_assert_cmpuint (g_list_length (items), ==, 2);
      g_list_free_full (items, g_object_unref);

      /* Nothing that is looked up for nobody needs the keyring unlocked. */
      token = lookup_token (vault, "https://nobody.example.com", &error);
      g_assert_no_error (error);
      g_assert_null (token);

      private_bus_stop (bus);
      return;
    }

  g_test_trap_subprocess (NULL, CHILD_TIMEOUT_USEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/vault/token/stored-replaced-cleared", test_token_round_trip);
  ADD ("/vault/token/replacing-keeps-one-item", test_token_replaced_not_added);
  ADD ("/vault/token/servers-do-not-mix", test_token_servers_apart);
  ADD ("/vault/token/apart-from-lock-keys", test_token_not_a_lock_key);
  ADD ("/vault/lock-key/binary-bytes-round-trip", test_key_binary_round_trip);
  ADD ("/vault/lock-key/versions-side-by-side", test_key_versions_side_by_side);
  ADD ("/vault/lock-key/servers-do-not-mix", test_key_servers_apart);
  ADD ("/vault/lock-key/list-names-keys-sorted", test_key_list_refs);
  ADD ("/vault/lock-key/clear-one-lock", test_key_clear_one_lock);
  ADD ("/vault/lock-key/clear-all-of-server", test_key_clear_all_of_server);
  ADD ("/vault/lock-key/wrong-length-refused", test_key_damaged_refused);
  ADD ("/vault/lookup/nothing-is-null-without-error", test_lookup_nothing);
  ADD ("/vault/lookup/cancelled-is-cancelled", test_lookup_cancelled);
  ADD ("/vault/items/under-schema-with-attributes", test_items_under_schema);
#undef ADD
  g_test_add_func ("/vault/unavailable/no-secret-service", test_no_secret_service);
  g_test_add_func ("/vault/unavailable/no-session-bus", test_no_session_bus);
  g_test_add_func ("/vault/locked/fails-fast-lists-still", test_locked_keyring);

  return g_test_run ();
}
