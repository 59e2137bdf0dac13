/* facade-loop.c: the app's core in a process of its own, to be killed, for test-crash
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the app does through its façade, without a window:
 *
 *   facade-loop DIR login SERVER EMAIL   signs in (the password on stdin)
 *   facade-loop DIR sync                 restores the session, syncs once
 *   facade-loop DIR issue LOCK           issues codes until it is killed
 *   facade-loop DIR sync-loop LOCK       issues a code, syncs, over and over
 *   facade-loop DIR logout               signs out (the vault is emptied)
 *
 * DIR holds the cache. One line on stdout for each step, flushed at once,
 * so that what the test reads after a SIGKILL is what happened before it:
 * `ready` once the session is restored, `issued ID` after an issue
 * returned (the code is then stored: it must never be lost), `sync` when a
 * sync starts and `synced US` when it finished, US microseconds later. Errors go to stderr, exit 1.
 * The digits of a code are never printed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am-error.h"
#include "am-facade.h"
#include "am-secret-memory.h"
#include "am-test-async.h"

static void
say (const char *line)
{
  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

G_GNUC_NORETURN static void
fail (const char   *what,
      const GError *error)
{
  fprintf (stderr, "facade-loop: %s: %s\n", what, error != NULL ? error->message : "failed");
  exit (1);
}

static void
restore (AmFacade *facade)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  am_facade_restore_async (facade, NULL, am_test_on_done_cb, &result);
  if (!am_facade_restore_finish (facade, am_test_wait_for (&result), &error))
    fail ("restore", error);
  if (!am_facade_get_signed_in (facade))
    fail ("restore", NULL);
}

static void
sync_once (AmFacade *facade)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  gint64 started = g_get_monotonic_time ();
  g_autofree char *done = NULL;

  say ("sync");
  am_facade_sync_async (facade, NULL, am_test_on_done_cb, &result);
  if (!am_facade_sync_finish (facade, am_test_wait_for (&result), &error))
    fail ("sync", error);
  done = g_strdup_printf ("synced %" G_GINT64_FORMAT, g_get_monotonic_time () - started);
  say (done);
}

/* Each code has a window of its own, one hour long, @n hours from the next
 * whole hour: no two have the same digits. */
static gboolean
issue_one (AmFacade *facade,
           AmLock   *lock,
           guint     n)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) hour = g_date_time_new_utc (g_date_time_get_year (now), g_date_time_get_month (now),
                                                   g_date_time_get_day_of_month (now),
                                                   g_date_time_get_hour (now), 0, 0);
  g_autoptr(GDateTime) start = g_date_time_add_hours (hour, 1 + n);
  g_autoptr(GDateTime) end = g_date_time_add_hours (start, 1);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmPasscodeRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  AmIssueRequest request = { AM_PASSCODE_KIND_TIMED, start, end, "Dana Vendor", NULL, "vendor", NULL };
  char code[AM_PASSCODE_MAX_DIGITS + 1];

  am_facade_issue_passcode_async (facade, lock, &request, NULL, am_test_on_done_cb, &result);
  record = am_facade_issue_passcode_finish (facade, am_test_wait_for (&result), code, &error);
  am_secret_memory_wipe (code, sizeof code);
  if (record == NULL && g_error_matches (error, AM_ERROR, AM_ERROR_EXISTS))
    return FALSE;
  if (record == NULL)
    fail ("issue", error);
  line = g_strconcat ("issued ", am_passcode_record_get_id (record), NULL);
  say (line);
  return TRUE;
}

static AmLock *
find_lock (AmFacade   *facade,
           const char *lock_id)
{
  AmLock *lock = am_facade_get_lock (facade, lock_id);

  if (lock == NULL)
    fail ("no such lock in the cache", NULL);
  return lock;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(AmFacade) facade = NULL;
  g_autoptr(GError) error = NULL;
  const char *mode;

  if (argc < 3)
    {
      fprintf (stderr, "usage: facade-loop DIR login|sync|issue|sync-loop|logout [ARGS]\n");
      return 2;
    }
  mode = argv[2];
  facade = am_facade_new (argv[1], &error);
  if (facade == NULL)
    fail ("open", error);
  /* No timer: the syncs are the ones asked for (and the push after an issue). */
  am_facade_set_sync_interval (facade, 0);

  if (g_str_equal (mode, "login") && argc == 5)
    {
      g_autoptr(GAsyncResult) result = NULL;
      char password[256] = "";

      if (fgets (password, sizeof password, stdin) == NULL)
        fail ("login: no password on stdin", NULL);
      password[strcspn (password, "\n")] = '\0';
      am_facade_sign_in_async (facade, argv[3], argv[4], password, NULL, am_test_on_done_cb, &result);
      am_secret_memory_wipe (password, sizeof password);
      if (!am_facade_sign_in_finish (facade, am_test_wait_for (&result), &error))
        fail ("login", error);
      sync_once (facade);
    }
  else if (g_str_equal (mode, "sync") && argc == 3)
    {
      restore (facade);
      say ("ready");
      sync_once (facade);
    }
  else if (g_str_equal (mode, "issue") && argc == 4)
    {
      g_autoptr(AmLock) lock = NULL;
      g_autoptr(AmRecordList) issued = NULL;
      guint n;

      restore (facade);
      lock = find_lock (facade, argv[3]);
      issued = am_facade_list_passcodes (facade, argv[3]);
      n = g_list_model_get_n_items (G_LIST_MODEL (issued));
      say ("ready");
      for (;; n++)
        {
          issue_one (facade, lock, n);
          /* The push the issue started runs meanwhile. */
          while (g_main_context_iteration (NULL, FALSE))
            ;
        }
    }
  else if (g_str_equal (mode, "sync-loop") && argc == 4)
    {
      g_autoptr(AmLock) lock = NULL;
      g_autoptr(AmRecordList) issued = NULL;
      guint n;

      restore (facade);
      lock = find_lock (facade, argv[3]);
      issued = am_facade_list_passcodes (facade, argv[3]);
      n = g_list_model_get_n_items (G_LIST_MODEL (issued));
      say ("ready");
      for (;; n++)
        {
          if (issue_one (facade, lock, n))
            sync_once (facade);
        }
    }
  else if (g_str_equal (mode, "logout") && argc == 3)
    {
      g_autoptr(GAsyncResult) result = NULL;

      restore (facade);
      am_facade_sign_out_async (facade, NULL, am_test_on_done_cb, &result);
      if (!am_facade_sign_out_finish (facade, am_test_wait_for (&result), &error))
        fail ("logout", error);
    }
  else
    {
      fprintf (stderr, "facade-loop: unknown mode or arguments\n");
      return 2;
    }
  return 0;
}
