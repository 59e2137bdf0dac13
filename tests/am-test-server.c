/* am-test-server.c: access-manager-server as a program of its own, for tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real program (`AM_SERVER`, set by meson): seeded with the demo
 * portfolio, serving on a free loopback port, stopped with SIGTERM as a
 * service manager would.
 */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include "am-test-server.h"

/**
 * am_test_server_run:
 * @args: the arguments after the program's name
 * @status: (out): its exit status
 *
 * Returns: (transfer full): what it printed on stdout
 */
char *
am_test_server_run (const char * const *args,
                    int                *status)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  g_ptr_array_add (argv, (gpointer) g_getenv ("AM_SERVER"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  *status = g_subprocess_get_exit_status (process);
  return out;
}

static guint
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/**
 * am_test_server_init_demo:
 * @server: an empty server
 * @dir: where its database goes
 *
 * Seeds a database with the demo portfolio and picks a port; not started.
 */
void
am_test_server_init_demo (AmTestServer *server,
                          const char   *dir)
{
  g_autofree char *out = NULL;
  int status;

  server->db_path = g_build_filename (dir, "cloud.sqlite", NULL);
  out = am_test_server_run ((const char * const[]) { "seed-demo", "--db", server->db_path, NULL }, &status);
  g_assert_cmpint (status, ==, 0);
  server->port = free_port ();
  server->url = g_strdup_printf ("http://127.0.0.1:%u", server->port);
}

/**
 * am_test_server_init:
 * @server: an empty server
 * @db_path: its database, made by the test
 *
 * Picks a port for a server of @db_path; not started.
 */
void
am_test_server_init (AmTestServer *server,
                     const char   *db_path)
{
  server->db_path = g_strdup (db_path);
  server->port = free_port ();
  server->url = g_strdup_printf ("http://127.0.0.1:%u", server->port);
}

/* A server outlives no test: it goes with the test's process, also when a
 * failed assertion aborts it before its teardown. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/**
 * am_test_server_start:
 * @server: a server, stopped
 *
 * Starts `serve` and waits until it takes connections.
 */
void
am_test_server_start (AmTestServer *server)
{
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", server->port);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;

  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autofree char *dir = g_path_get_dirname (server->db_path);
  g_autofree char *log = g_build_filename (dir, "server.log", NULL);

  /* Its log, next to its database, for the tests that read it (no
   * secrets in it, test-ble-e2e). */
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("AM_SERVER"), "serve",
                                                 "--db", server->db_path, "--listen", listen, NULL);
  g_assert_no_error (error);

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GSocketConnection) connection =
        g_socket_client_connect_to_host (client, listen, 0, NULL, NULL);

      if (connection != NULL)
        return;
      g_usleep (25 * 1000);
    }
  g_error ("the server did not start listening on %s", listen);
}

/**
 * am_test_server_stop:
 * @server: a running server
 *
 * SIGTERM: the server must stop cleanly, with status 0.
 */
void
am_test_server_stop (AmTestServer *server)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (server->process, SIGTERM);
  g_assert_true (g_subprocess_wait (server->process, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
  g_clear_object (&server->process);
}

void
am_test_server_clear (AmTestServer *server)
{
  if (server->process != NULL)
    am_test_server_stop (server);
  g_clear_pointer (&server->db_path, g_free);
  g_clear_pointer (&server->url, g_free);
}
