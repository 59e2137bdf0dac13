/* am-issue.c: issuing a passcode: the window, the digits and the record
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure: the key and the time come from the caller, the record goes to the
 * store through the caller (am_store_issue_passcode(), which queues it for
 * the cloud in the same transaction).
 */
#define G_LOG_DOMAIN "am-issue"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "am-encoding.h"
#include "am-error.h"
#include "am-issue.h"
#include "am-records-private.h"
#include "am-secret-memory.h"

static const char * const purposes[] = {
  "vendor", "maintenance", "prospect", "tour", "resident", "other", NULL
};

/**
 * am_issue_passcode:
 * @lock: the lock the code is for
 * @issuer: who issues it
 * @request: the window and whom it is for
 * @lock_key: the lock's key of the lock's current key version, 32 bytes
 * @now: the time, UTC seconds
 * @code: (out caller-allocates): the code's digits, to be shown once and
 *   wiped by the caller
 * @error: a location for a #GError
 *
 * Quantises the window as the lock will (start rounded down to the lock's
 * hour, end never later than asked), checks that the window can still be
 * used, and derives the code, refusing one the lock could confuse with a
 * neighbour's.
 *
 * Returns: (transfer full) (nullable): the passcode's record, without its
 *   digits
 */
AmPasscodeRecord *
am_issue_passcode (AmLock                *lock,
                   const AmAccount       *issuer,
                   const AmIssueRequest  *request,
                   GBytes                *lock_key,
                   gint64                 now,
                   char                   code[AM_PASSCODE_MAX_DIGITS + 1],
                   GError               **error)
{
  g_autoptr(AmPasscodeRecord) record = NULL;
  g_autoptr(AmPasscodeKey) key = NULL;
  AmPasscodeWindow window;
  guint8 lock_id[AM_LOCK_ID_LEN];

  g_return_val_if_fail (AM_IS_LOCK (lock), NULL);
  g_return_val_if_fail (issuer != NULL, NULL);
  g_return_val_if_fail (request != NULL && request->start != NULL && request->end != NULL, NULL);
  g_return_val_if_fail (lock_key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (request->purpose == NULL || !g_strv_contains (purposes, request->purpose))
    {
      g_set_error (error, AM_ERROR, AM_ERROR_INVALID_ARGUMENT,
                   _("Choose a purpose: vendor, maintenance, prospect, tour, resident or other."));
      return NULL;
    }
  if (g_bytes_get_size (lock_key) != AM_PASSCODE_KEY_LEN || !am_lock_id_parse (lock->id, lock_id, NULL))
    {
      g_set_error (error, AM_ERROR, AM_ERROR_NO_KEY,
                   _("The key of this lock is not usable. Sync to fetch it again, then try again."));
      return NULL;
    }

  if (!am_passcode_window_quantise (request->start, request->end, request->kind,
                                    lock->q_offset_s, &window, error) ||
      !am_passcode_window_check_issuable (&window, now, error))
    return NULL;

  key = am_passcode_key_new (g_bytes_get_data (lock_key, NULL), lock_id, (guint8) lock->kv, lock->digits);
  am_secret_memory_wipe (lock_id, sizeof lock_id);
  if (!am_passcode_key_derive (key, window.start_h, window.p, code, error))
    return NULL;

  record = am_passcode_record_new_empty ();
  record->id = g_uuid_string_random ();
  record->lock_id = g_strdup (lock->id);
  record->kind = window.kind;
  record->kv = lock->kv;
  record->start_h = window.start_h;
  record->p = window.p;
  record->digits = lock->digits;
  record->starts_at = window.starts_at;
  record->ends_at = window.ends_at;
  record->use_by = window.use_by;
  record->recipient_name = g_strdup (request->recipient_name);
  record->recipient_contact = g_strdup (request->recipient_contact);
  record->purpose = g_strdup (request->purpose);
  record->note = g_strdup (request->note);
  record->source = g_strdup (AM_PASSCODE_SOURCE_MANUAL);
  record->created_by_id = g_strdup (issuer->user_id);
  record->created_by_name = g_strdup (issuer->user_name);
  record->created_at = now;
  return g_steal_pointer (&record);
}

/**
 * am_issue_derive_again:
 * @record: a passcode issued before, by anyone
 * @lock_key: the lock's key of the record's key version, 32 bytes
 * @code: (out caller-allocates): the code's digits, to be shown and wiped
 *   by the caller
 * @error: a location for a #GError
 *
 * The digits of a code issued before, derived again from its window, as
 * the lock derives them: the cache never holds them.
 *
 * Returns: whether @code holds the digits; else @error's sentence says why
 */
gboolean
am_issue_derive_again (AmPasscodeRecord  *record,
                       GBytes            *lock_key,
                       char               code[AM_PASSCODE_MAX_DIGITS + 1],
                       GError           **error)
{
  g_autoptr(AmPasscodeKey) key = NULL;
  guint8 lock_id[AM_LOCK_ID_LEN];

  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (record), FALSE);
  g_return_val_if_fail (lock_key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_bytes_get_size (lock_key) != AM_PASSCODE_KEY_LEN || !am_lock_id_parse (record->lock_id, lock_id, NULL))
    {
      g_set_error (error, AM_ERROR, AM_ERROR_NO_KEY,
                   _("The key of this lock is not usable. Sync to fetch it again, then try again."));
      return FALSE;
    }

  key = am_passcode_key_new (g_bytes_get_data (lock_key, NULL), lock_id, (guint8) record->kv, record->digits);
  am_secret_memory_wipe (lock_id, sizeof lock_id);
  return am_passcode_key_derive (key, record->start_h, record->p, code, error);
}
