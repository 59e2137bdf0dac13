/* am-test-server.h: access-manager-server as a program of its own, for tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * AmTestServer:
 * @db_path: its database
 * @port: the loopback port it serves on
 * @url: its address
 * @process: (nullable): the running `serve`, or %NULL while stopped
 */
typedef struct
{
  char        *db_path;
  guint        port;
  char        *url;
  GSubprocess *process;
} AmTestServer;

char *am_test_server_run          (const char * const *args,
                                   int                *status);
void  am_test_server_init         (AmTestServer       *server,
                                   const char         *db_path);
void  am_test_server_init_demo    (AmTestServer       *server,
                                   const char         *dir);
void  am_test_server_start        (AmTestServer       *server);
void  am_test_server_stop         (AmTestServer       *server);
void  am_test_server_clear        (AmTestServer       *server);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AmTestServer, am_test_server_clear)

G_END_DECLS
