/* am-cli.h: what the subcommands of access-manager-cli share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "am-store.h"

G_BEGIN_DECLS

/* Exit statuses of access-manager-cli. */
#define AM_CLI_EXIT_OK     0
#define AM_CLI_EXIT_ERROR  2

int  am_cli_fail             (const GError *error);
int  am_cli_fail_message     (const char   *message);
int  am_cli_parse_options    (GOptionContext *context,
                              int            *argc,
                              char         ***argv,
                              const char     *command);
const char *am_cli_get_data_dir (void);
int  am_cli_parse_command_options (const char          *command,
                                   const char          *summary,
                                   const GOptionEntry  *entries,
                                   int                 *argc,
                                   char              ***argv);

int  am_cli_passcode         (int    argc,
                              char **argv);
int  am_cli_properties       (int    argc,
                              char **argv);
int  am_cli_locks            (int    argc,
                              char **argv);
int  am_cli_passcodes        (int    argc,
                              char **argv);

int  am_cli_login            (int    argc,
                              char **argv);
int  am_cli_accept_invite    (int    argc,
                              char **argv);
int  am_cli_logout           (int    argc,
                              char **argv);
int  am_cli_sync             (int    argc,
                              char **argv);
int  am_cli_status           (int    argc,
                              char **argv);
int  am_cli_generate         (int    argc,
                              char **argv);
int  am_cli_revoke           (int    argc,
                              char **argv);

int  am_cli_unlock           (int    argc,
                              char **argv);
int  am_cli_lock_log         (int    argc,
                              char **argv);
char      *am_cli_format_local   (gint64      utc,
                                 GTimeZone  *zone);
GTimeZone *am_cli_property_zone  (AmProperty *property);
void am_cli_print_lock_events (AmStore  *store,
                               AmLock   *lock,
                               gboolean  json);

G_END_DECLS
