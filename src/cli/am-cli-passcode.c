/* am-cli-passcode.c: access-manager-cli passcode derive | check
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure tools over the AM1 contract: `derive` checks a window's shape, never
 * the clock; `check` plays one fresh reference lock.
 *
 * The lock key comes on the first line of standard input (--key-stdin),
 * never on the command line, where any user of the machine could read it
 * (/proc/PID/cmdline) and the shell would keep it in its history.
 */
#define G_LOG_DOMAIN "am-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "am-cli.h"
#include "am-error.h"
#include "am-passcode.h"
#include "am-reference-lock.h"
#include "am-secret-memory.h"
#include "am-time.h"

/* The options that name a lock and its parameters, common to both.
 * @key_hex is only there to refuse a key given on the command line. */
typedef struct
{
  gboolean key_stdin;
  char *key_hex;
  char *lock_id;
  char *kv;
  char *q_offset;
  char *digits;
} LockOptions;

typedef struct
{
  guint8 k_lock[AM_PASSCODE_KEY_LEN];
  guint8 lock_id[AM_LOCK_ID_LEN];
  guint8 kv;
  guint  q_offset_s;
  guint  digits;
} LockParams;

static void
lock_options_clear (LockOptions *options)
{
  am_secret_memory_free (g_steal_pointer (&options->key_hex));
  g_clear_pointer (&options->lock_id, g_free);
  g_clear_pointer (&options->kv, g_free);
  g_clear_pointer (&options->q_offset, g_free);
  g_clear_pointer (&options->digits, g_free);
}

static void
lock_params_clear (LockParams *params)
{
  am_secret_memory_wipe (params, sizeof *params);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LockOptions, lock_options_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LockParams, lock_params_clear)

static void
add_lock_options (GOptionContext *context,
                  LockOptions    *options)
{
  const GOptionEntry entries[] = {
    { "key-stdin", 0, 0, G_OPTION_ARG_NONE, &options->key_stdin,
      N_("Read the lock key, 32 bytes in hex, from the first line of standard input"), NULL },
    { "key", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &options->key_hex, NULL, NULL },
    { "lock-id", 0, 0, G_OPTION_ARG_STRING, &options->lock_id,
      N_("The lock ID, a UUID"), N_("UUID") },
    { "kv", 0, 0, G_OPTION_ARG_STRING, &options->kv,
      N_("The key version, 1 to 255 (default 1)"), N_("N") },
    { "q-offset", 0, 0, G_OPTION_ARG_STRING, &options->q_offset,
      N_("The lock’s hour offset Q in seconds: 0, 900, 1800 or 2700 (default 0)"), N_("S") },
    { "digits", 0, 0, G_OPTION_ARG_STRING, &options->digits,
      N_("The code length, 10 or 12 (default 10)"), N_("D") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

static gboolean
parse_number (const char  *text,
              const char  *option,
              guint        min,
              guint        max,
              guint64     *out,
              GError     **error)
{
  if (!g_ascii_string_to_unsigned (text, 10, min, max, out, NULL))
    {
      g_set_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT,
                   /* Translators: an option such as --kv, then two numbers */
                   _("%s must be a whole number from %u to %u."),
                   option, min, max);
      return FALSE;
    }
  return TRUE;
}

/* Refuses a lock key given on the command line, before anything else is
 * looked at: it is already visible, so say so at once. */
static int
lock_options_refuse_key_argument (const LockOptions *options)
{
  if (options->key_hex == NULL)
    return AM_CLI_EXIT_OK;

  return am_cli_fail_message (_("Other users of this computer can read a lock key on the command line: pipe the key on standard input with --key-stdin instead."));
}

/* The lock key, from the first line of standard input. */
static gboolean
read_key_line (guint8   k_lock[AM_PASSCODE_KEY_LEN],
               GError **error)
{
  char line[4 * AM_PASSCODE_KEY_LEN];
  gboolean ok;

  if (fgets (line, sizeof line, stdin) == NULL)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT,
                   _("No lock key came on standard input. Pipe the key, 64 hexadecimal digits, on the first line."));
      return FALSE;
    }
  ok = am_hex_decode (g_strstrip (line), k_lock, AM_PASSCODE_KEY_LEN, error);
  am_secret_memory_wipe (line, sizeof line);
  return ok;
}

static gboolean
lock_params_parse (const LockOptions  *options,
                   LockParams         *params,
                   GError            **error)
{
  guint64 kv = 1, q = 0, digits = AM_PASSCODE_DEFAULT_DIGITS;

  g_assert (options->key_hex == NULL);

  if (!options->key_stdin || options->lock_id == NULL)
    {
      g_set_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT,
                   _("Name the lock with --key-stdin and --lock-id, and pipe its key on standard input."));
      return FALSE;
    }
  if (!am_lock_id_parse (options->lock_id, params->lock_id, error))
    return FALSE;
  if ((options->kv != NULL && !parse_number (options->kv, "--kv", 1, 255, &kv, error)) ||
      (options->q_offset != NULL && !parse_number (options->q_offset, "--q-offset", 0, 2700, &q, error)) ||
      (options->digits != NULL && !parse_number (options->digits, "--digits", 10, 12, &digits, error)))
    return FALSE;
  if (!am_passcode_q_offset_valid ((guint) q))
    {
      g_set_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT,
                   _("--q-offset must be 0, 900, 1800 or 2700."));
      return FALSE;
    }
  if (!am_passcode_digits_valid ((guint) digits))
    {
      g_set_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT,
                   _("--digits must be 10 or 12."));
      return FALSE;
    }

  params->kv = (guint8) kv;
  params->q_offset_s = (guint) q;
  params->digits = (guint) digits;

  /* Last, once the command line holds no mistake left to report. */
  return read_key_line (params->k_lock, error);
}

static gboolean
window_from_iso (const char        *start_text,
                 const char        *end_text,
                 gboolean           one_time,
                 guint              q_offset_s,
                 AmPasscodeWindow  *window,
                 GError           **error)
{
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;

  if ((start = am_time_parse_iso8601 (start_text, error)) == NULL ||
      (end = am_time_parse_iso8601 (end_text, error)) == NULL)
    return FALSE;

  return am_passcode_window_quantise (start, end,
                                      one_time ? AM_PASSCODE_KIND_ONE_TIME : AM_PASSCODE_KIND_TIMED,
                                      q_offset_s, window, error);
}

static char *
derive_json (const char             *code,
             const AmPasscodeWindow *window,
             const LockOptions      *options,
             const LockParams       *params)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *starts_at = am_time_format_utc (window->starts_at);
  g_autofree char *ends_at = am_time_format_utc (window->ends_at);
  g_autofree char *use_by = am_time_format_utc (window->use_by);
  g_autofree char *lock_id = g_ascii_strdown (options->lock_id, -1);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "lock_id");
  json_builder_add_string_value (builder, lock_id);
  json_builder_set_member_name (builder, "kv");
  json_builder_add_int_value (builder, params->kv);
  json_builder_set_member_name (builder, "digits");
  json_builder_add_int_value (builder, params->digits);
  json_builder_set_member_name (builder, "q_offset_s");
  json_builder_add_int_value (builder, params->q_offset_s);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, am_passcode_kind_to_string (window->kind));
  json_builder_set_member_name (builder, "start_h");
  json_builder_add_int_value (builder, window->start_h);
  json_builder_set_member_name (builder, "p");
  json_builder_add_int_value (builder, window->p);
  json_builder_set_member_name (builder, "starts_at");
  json_builder_add_string_value (builder, starts_at);
  json_builder_set_member_name (builder, "ends_at");
  json_builder_add_string_value (builder, ends_at);
  json_builder_set_member_name (builder, "use_by");
  json_builder_add_string_value (builder, use_by);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static int
run_derive (int    argc,
            char **argv)
{
  g_auto(LockOptions) options = { 0 };
  g_auto(LockParams) params = { 0 };
  g_autofree char *start_h_text = NULL;
  g_autofree char *p_text = NULL;
  g_autofree char *start_text = NULL;
  g_autofree char *end_text = NULL;
  gboolean one_time = FALSE;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "start-h", 0, 0, G_OPTION_ARG_STRING, &start_h_text,
      N_("The start hour: hours since 1970 on the lock’s hour grid, ⌊(start − Q) / 3600⌋; with --p"), N_("H") },
    { "p", 0, 0, G_OPTION_ARG_STRING, &p_text,
      N_("The kind and duration, 0 to 924, with --start-h"), N_("P") },
    { "start", 0, 0, G_OPTION_ARG_STRING, &start_text,
      N_("The start of the window, ISO 8601 with an offset or Z"), N_("ISO8601") },
    { "end", 0, 0, G_OPTION_ARG_STRING, &end_text,
      N_("The end of the window, ISO 8601 with an offset or Z"), N_("ISO8601") },
    { "one-time", 0, 0, G_OPTION_ARG_NONE, &one_time,
      N_("A code that opens once, within at most 24 hours"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print the code and its window as one JSON object"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AmPasscodeKey) key = NULL;
  AmPasscodeWindow window;
  char code[AM_PASSCODE_MAX_DIGITS + 1];
  gboolean by_hour, by_time;
  int status;

  g_option_context_set_summary (context,
    _("Derive the AM1 passcode of a window, from a start hour and p or from a start and an end."));
  add_lock_options (context, &options);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  status = am_cli_parse_options (context, &argc, &argv, "access-manager-cli passcode derive");
  if (status != AM_CLI_EXIT_OK)
    return status;
  status = lock_options_refuse_key_argument (&options);
  if (status != AM_CLI_EXIT_OK)
    return status;

  if (argc > 1)
    return am_cli_fail_message (_("passcode derive takes no arguments besides its options."));

  by_hour = start_h_text != NULL || p_text != NULL;
  by_time = start_text != NULL || end_text != NULL;
  if (by_hour == by_time ||
      (by_hour && (start_h_text == NULL || p_text == NULL)) ||
      (by_time && (start_text == NULL || end_text == NULL)))
    return am_cli_fail_message (_("Use either --start-h and --p, or --start and --end."));
  if (one_time && by_hour)
    return am_cli_fail_message (_("--one-time goes with --start and --end; with --start-h and --p, p already says the kind of code."));

  if (!lock_params_parse (&options, &params, &error))
    return am_cli_fail (error);

  if (by_hour)
    {
      guint64 start_h, p;

      if (!parse_number (start_h_text, "--start-h", 0, G_MAXUINT32, &start_h, &error) ||
          !parse_number (p_text, "--p", 0, AM_PASSCODE_P_CANCEL_ALL, &p, &error) ||
          !am_passcode_window_for ((guint32) start_h, (guint) p, params.q_offset_s, &window, &error))
        return am_cli_fail (error);
    }
  else if (!window_from_iso (start_text, end_text, one_time, params.q_offset_s, &window, &error))
    return am_cli_fail (error);

  key = am_passcode_key_new (params.k_lock, params.lock_id, params.kv, params.digits);
  if (!am_passcode_key_derive (key, window.start_h, window.p, code, &error))
    return am_cli_fail (error);

  if (json)
    {
      g_autofree char *text = derive_json (code, &window, &options, &params);
      printf ("%s\n", text);
      am_secret_memory_wipe (text, strlen (text));
    }
  else
    printf ("%s\n", code);

  am_secret_memory_wipe (code, sizeof code);
  return AM_CLI_EXIT_OK;
}

static gboolean
parse_check_line (const char  *line,
                  guint        line_number,
                  gint64      *now,
                  char       **entered,
                  GError     **error)
{
  g_auto(GStrv) fields = g_strsplit_set (line, " \t", -1);
  const char *found[2] = { NULL, NULL };
  guint n = 0;

  for (guint i = 0; fields[i] != NULL; i++)
    {
      if (fields[i][0] == '\0')
        continue;
      if (n == 2)
        {
          n = 3;
          break;
        }
      found[n++] = fields[i];
    }

  if (n != 2 || !g_ascii_string_to_signed (found[0], 10, 0, G_MAXINT64, now, NULL))
    {
      g_set_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT,
                   _("Line %u is not “NOW_UTC ENTERED”: Unix seconds, a space and the digits typed."),
                   line_number);
      return FALSE;
    }

  *entered = g_strdup (found[1]);
  return TRUE;
}

static int
run_check (int    argc,
           char **argv)
{
  g_auto(LockOptions) options = { 0 };
  g_auto(LockParams) params = { 0 };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AmReferenceLock) lock = NULL;
  g_autofree char *line = NULL;
  gsize line_size = 0;
  /* Lines of standard input: the key's is the first. */
  guint line_number = 1;
  int status;

  g_option_context_set_summary (context,
    _("Read the lock key on the first line of standard input, then lines “NOW_UTC ENTERED”, "
      "and print what one fresh reference lock does with each: "
      "OPEN, CANCELLED, LOCKED_OUT, MALFORMED, NO_MATCH, USED, REVOKED or TABLE_FULL."));
  add_lock_options (context, &options);
  status = am_cli_parse_options (context, &argc, &argv, "access-manager-cli passcode check");
  if (status != AM_CLI_EXIT_OK)
    return status;
  status = lock_options_refuse_key_argument (&options);
  if (status != AM_CLI_EXIT_OK)
    return status;

  if (argc > 1)
    return am_cli_fail_message (_("passcode check takes no arguments besides its options; the entries come on standard input."));
  if (!lock_params_parse (&options, &params, &error))
    return am_cli_fail (error);

  lock = am_reference_lock_new (params.k_lock, params.lock_id, params.kv, params.digits, params.q_offset_s);

  while (getline (&line, &line_size, stdin) >= 0)
    {
      g_autofree char *entered = NULL;
      gint64 now;

      line_number++;
      g_strstrip (line);
      if (line[0] == '\0')
        continue;

      if (!parse_check_line (line, line_number, &now, &entered, &error))
        return am_cli_fail (error);

      printf ("%s\n", am_lock_result_to_string (am_reference_lock_enter (lock, now, entered)));
      am_secret_memory_wipe (entered, strlen (entered));
    }

  if (line != NULL)
    am_secret_memory_wipe (line, line_size);
  return AM_CLI_EXIT_OK;
}

static int
print_passcode_usage (FILE *stream,
                      int   status)
{
  fprintf (stream, "%s\n  access-manager-cli passcode derive --key-stdin --lock-id UUID [OPTION…] < KEY\n"
                   "  access-manager-cli passcode check --key-stdin --lock-id UUID [OPTION…] < KEY_THEN_ENTRIES\n\n"
                   "  derive  %s\n  check   %s\n",
           _("Usage:"),
           _("Print the code of a window"),
           _("Simulate entries at the keypad of a fresh reference lock"));
  return status;
}

/**
 * am_cli_passcode:
 * @argc: the arguments' count, from "passcode"
 * @argv: the arguments
 *
 * Returns: the exit status
 */
int
am_cli_passcode (int    argc,
                 char **argv)
{
  /* Standard input carries the lock key and the digits typed: its buffer
   * is this one, wiped when the command is done, not one of stdio's. */
  static char stdin_buffer[BUFSIZ];
  int status;

  if (argc < 2)
    return print_passcode_usage (stderr, AM_CLI_EXIT_ERROR);
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    return print_passcode_usage (stdout, AM_CLI_EXIT_OK);
  if (!g_str_equal (argv[1], "derive") && !g_str_equal (argv[1], "check"))
    {
      g_autofree char *message =
        g_strdup_printf (_("passcode has no subcommand “%s”; use derive or check."), argv[1]);
      return am_cli_fail_message (message);
    }

  setvbuf (stdin, stdin_buffer, _IOFBF, sizeof stdin_buffer);
  if (g_str_equal (argv[1], "derive"))
    status = run_derive (argc - 1, argv + 1);
  else
    status = run_check (argc - 1, argv + 1);
  am_secret_memory_wipe (stdin_buffer, sizeof stdin_buffer);
  return status;
}
