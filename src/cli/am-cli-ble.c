/* am-cli-ble.c: access-manager-cli unlock | lock-log, over Bluetooth LE
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One visit to a lock (am-ble-session): progress on stderr, the result on
 * stdout. What the visit brings back (the unlock, the lock's log) is kept
 * in the cache and queued for the cloud before anything is printed, then
 * pushed if the cloud can be reached.
 */
#define G_LOG_DOMAIN "am-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "am-ble-session.h"
#include "am-cli.h"
#include "am-cli-context.h"
#include "am-error.h"
#include "am-sync.h"
#include "am-time.h"

/* The proximity threshold of the app's settings, where they are installed. */
static gint
rssi_threshold (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "proximity-threshold"))
    return AM_BLUEZ_RSSI_THRESHOLD;
  settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_int (settings, "proximity-threshold");
}

static void
on_state_cb (AmBleSession *session,
             GParamSpec   *pspec,
             gpointer      user_data)
{
  g_autofree char *line = NULL;

  switch (am_ble_session_get_state (session))
    {
    case AM_BLE_SESSION_LOOKING:
      line = g_strdup (_("Looking for the lock…"));
      break;
    case AM_BLE_SESSION_TOO_FAR:
      /* Translators: %d is a signal strength in dBm, such as -82 */
      line = g_strdup_printf (_("The lock is too far away (signal %d dBm): go closer to the door…"),
                              am_ble_session_get_rssi (session));
      break;
    case AM_BLE_SESSION_CONNECTING:
      line = g_strdup (_("Connecting to the lock…"));
      break;
    case AM_BLE_SESSION_UNLOCKING:
      line = g_strdup (_("Unlocking…"));
      break;
    case AM_BLE_SESSION_READING_LOG:
      line = g_strdup (_("Reading the lock’s log…"));
      break;
    case AM_BLE_SESSION_DONE:
    case AM_BLE_SESSION_FAILED:
    default:
      return;
    }
  fprintf (stderr, "%s\n", line);
}

/* The cloud, if it can be reached, takes what the visit brought back now;
 * else at the next sync. */
static void
push (AmCliContext *context)
{
  g_auto(AmCliContext) online = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmSync) sync = NULL;
  g_autoptr(GError) error = NULL;

  if (context->account == NULL || !context->account->signed_in ||
      !am_cli_context_open_session (&online, &error))
    return;
  sync = am_sync_new (online.store, online.client, online.vault);
  am_sync_set_backoff (sync, 2, 2, 1);
  AM_CLI_WAIT (result, am_sync_push_async, sync);
  if (!am_sync_push_finish (sync, result, &error))
    fprintf (stderr, "access-manager-cli: %s\n",
             _("What the lock said is stored here and will reach the cloud at the next sync."));
}

/* One visit to the lock of --lock, in @mode. */
static int
visit (const char        *command,
       const char        *summary,
       AmBleSessionMode   mode,
       int                argc,
       char             **argv)
{
  g_autofree char *lock_text = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "lock", 0, 0, G_OPTION_ARG_STRING, &lock_text, N_("The lock’s id"), N_("ID") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_auto(AmCliContext) context = { NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AmBluez) bluez = NULL;
  g_autoptr(AmBleSession) session = NULL;
  g_autoptr(AmLock) lock = NULL;
  g_autoptr(AmGrant) grant = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lock_id = NULL;
  const GError *upkeep;
  int status;

  status = am_cli_parse_command_options (command, summary, entries, &argc, &argv);
  if (status != AM_CLI_EXIT_OK)
    return status;
  if (lock_text == NULL)
    return am_cli_fail_message (_("Name the lock with --lock ID; “access-manager-cli locks” lists their ids."));
  if (!am_cli_context_open_store (&context, &error))
    return am_cli_fail (error);
  if (context.account == NULL)
    return am_cli_fail_message (_("You are not signed in. Sign in with “access-manager-cli login”."));

  lock_id = g_ascii_strdown (g_strstrip (lock_text), -1);
  lock = am_store_get_lock (context.store, lock_id);
  if (lock == NULL)
    return am_cli_fail_message (_("There is no such lock in the local cache. Sync, then check the lock’s id with “access-manager-cli locks”."));
  grant = am_store_get_grant (context.store, am_lock_get_property_id (lock));
  if (grant == NULL || !am_grant_has_permission (grant, AM_PERMISSION_BLE_UNLOCK))
    return am_cli_fail_message (_("You may not open this lock over Bluetooth. Ask your administrator for the permission."));

  am_bluez_new_async (NULL, am_cli_on_done_cb, &result);
  am_cli_wait_for (&result);
  bluez = am_bluez_new_finish (result, &error);
  if (bluez == NULL)
    return am_cli_fail (error);

  session = am_ble_session_new (bluez, context.store, context.vault, context.account, lock, rssi_threshold ());
  g_signal_connect (session, "notify::state", G_CALLBACK (on_state_cb), NULL);
  AM_CLI_WAIT (result, am_ble_session_run_async, session, mode);
  if (!am_ble_session_run_finish (session, result, &error))
    {
      push (&context);
      return am_cli_fail (error);
    }
  upkeep = am_ble_session_get_upkeep_error (session);
  if (upkeep != NULL)
    fprintf (stderr, "access-manager-cli: %s\n", upkeep->message);
  push (&context);

  if (mode == AM_BLE_SESSION_MODE_READ_LOG)
    {
      am_cli_print_lock_events (context.store, lock, json);
      return AM_CLI_EXIT_OK;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;
      g_autofree char *at = am_time_format_utc (am_ble_session_get_unlocked_at (session));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "lock_id");
      json_builder_add_string_value (builder, lock_id);
      json_builder_set_member_name (builder, "unlocked_at");
      json_builder_add_string_value (builder, at);
      json_builder_set_member_name (builder, "log_records");
      json_builder_add_int_value (builder, am_ble_session_get_n_log_records (session));
      json_builder_set_member_name (builder, "revoked");
      json_builder_add_int_value (builder, am_ble_session_get_n_revoked (session));
      json_builder_set_member_name (builder, "clock_set");
      json_builder_add_boolean_value (builder, am_ble_session_get_clock_set (session));
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      text = json_to_string (root, FALSE);
      printf ("%s\n", text);
    }
  else
    {
      g_autoptr(GDateTime) at = g_date_time_new_from_unix_local (am_ble_session_get_unlocked_at (session));
      g_autofree char *time = g_date_time_format (at, "%X");

      /* Translators: the first %s is a lock's name, the second a time */
      printf (_("Door unlocked: %s, at %s.\n"), am_lock_get_name (lock), time);
    }
  return AM_CLI_EXIT_OK;
}

/**
 * am_cli_unlock:
 * @argc: the arguments' count, from "unlock"
 * @argv: the arguments
 *
 * Returns: the exit status
 */
int
am_cli_unlock (int    argc,
               char **argv)
{
  return visit ("unlock", _("Open a lock over Bluetooth: you must be at the door."),
                AM_BLE_SESSION_MODE_UNLOCK, argc, argv);
}

/**
 * am_cli_lock_log:
 * @argc: the arguments' count, from "lock-log"
 * @argv: the arguments
 *
 * Returns: the exit status
 */
int
am_cli_lock_log (int    argc,
                 char **argv)
{
  return visit ("lock-log", _("Read a lock’s log over Bluetooth, then show it."),
                AM_BLE_SESSION_MODE_READ_LOG, argc, argv);
}
