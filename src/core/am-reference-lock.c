/* am-reference-lock.c: the AM1 reference lock state machine
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What lock firmware does with a code typed at its keypad (docs/passcode.md,
 * "Lock verification"). The tests and the lock simulator run it; it is the
 * reference other locks are held against. Time comes in as an argument: the
 * lock's clock is the caller's business.
 */
#define G_LOG_DOMAIN "am-reference-lock"

#include "config.h"

#include <string.h>

#include "am-passcode.h"
#include "am-reference-lock.h"
#include "am-secret-memory.h"
#include "am-time.h"

typedef enum
{
  ENTRY_FREE,
  ENTRY_ACTIVE,
  ENTRY_CONSUMED,
} EntryState;

typedef struct
{
  EntryState state;
  guint64    code;
  guint32    start_h;
  guint16    p;
  gint64     expires_s;
} TableEntry;

typedef struct
{
  guint32 start_h;
  guint16 p;
} DenyEntry;

struct _AmReferenceLock
{
  GObject        parent_instance;

  AmPasscodeKey *key;
  AmPasscodeKey *previous_key;
  gint64         previous_until;
  guint8         lock_id[AM_LOCK_ID_LEN];
  guint          digits;
  guint          q_offset_s;

  TableEntry     table[AM_REFERENCE_LOCK_TABLE_SIZE];
  DenyEntry      deny[AM_REFERENCE_LOCK_DENY_SIZE];
  guint          n_deny;
  guint32        watermark;
  guint          failures;
  gint64         lockout_end;

  GArray        *log;
  guint32        next_seq;
  guint64        hmac_count;
};

G_DEFINE_FINAL_TYPE (AmReferenceLock, am_reference_lock, G_TYPE_OBJECT)

static const char * const result_names[] = {
  [AM_LOCK_RESULT_OPEN] = "OPEN",
  [AM_LOCK_RESULT_CANCELLED] = "CANCELLED",
  [AM_LOCK_RESULT_LOCKED_OUT] = "LOCKED_OUT",
  [AM_LOCK_RESULT_MALFORMED] = "MALFORMED",
  [AM_LOCK_RESULT_NO_MATCH] = "NO_MATCH",
  [AM_LOCK_RESULT_USED] = "USED",
  [AM_LOCK_RESULT_REVOKED] = "REVOKED",
  [AM_LOCK_RESULT_TABLE_FULL] = "TABLE_FULL",
};

/* The reason byte of a KEYPAD_REJECT record (ble-lock.md). */
static guint16
reject_reason (AmLockResult result)
{
  switch (result)
    {
    case AM_LOCK_RESULT_MALFORMED:
      return 1;
    case AM_LOCK_RESULT_NO_MATCH:
      return 2;
    case AM_LOCK_RESULT_USED:
      return 3;
    case AM_LOCK_RESULT_REVOKED:
      return 4;
    case AM_LOCK_RESULT_TABLE_FULL:
      return 5;
    case AM_LOCK_RESULT_LOCKED_OUT:
      return 6;
    case AM_LOCK_RESULT_OPEN:
    case AM_LOCK_RESULT_CANCELLED:
    default:
      g_assert_not_reached ();
    }
}

static void
append_log (AmReferenceLock *self,
            AmLockEvent      event,
            gint64           now,
            guint32          start_h,
            guint16          p)
{
  AmLockLogRecord record = {
    .seq = self->next_seq++,
    .event = event,
    .t = (guint32) CLAMP (now, 0, G_MAXUINT32),
    .start_h = start_h,
    .p = p,
  };

  if (self->log->len == AM_REFERENCE_LOCK_LOG_SIZE)
    g_array_remove_index (self->log, 0);
  g_array_append_val (self->log, record);
}

static guint64
count_tag (AmReferenceLock     *self,
           const AmPasscodeKey *key,
           guint32              start_h,
           guint                p)
{
  self->hmac_count++;
  return am_passcode_key_tag (key, start_h, p);
}

/* Equal or not, in time that does not depend on where the values differ. */
static gboolean
tags_equal (guint64 a,
            guint64 b)
{
  guint64 diff = a ^ b;

  diff |= diff >> 32;
  diff |= diff >> 16;
  diff |= diff >> 8;
  diff |= diff >> 4;
  diff |= diff >> 2;
  diff |= diff >> 1;
  return (diff & 1) == 0;
}

static gboolean
parse_entry (AmReferenceLock *self,
             const char      *entered,
             guint64         *code)
{
  guint64 c = 0;
  guint n = 0;

  for (const char *s = entered; *s != '\0'; s++, n++)
    {
      if (!g_ascii_isdigit (*s) || n == self->digits)
        return FALSE;
      c = c * 10 + (guint64) (*s - '0');
    }
  if (n != self->digits)
    return FALSE;

  *code = c;
  return am_passcode_kind_for_p ((guint) (c % 1000)) != AM_PASSCODE_KIND_RESERVED;
}

static void
drop_expired (AmReferenceLock *self,
              gint64           now)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->table); i++)
    if (self->table[i].state != ENTRY_FREE && self->table[i].expires_s <= now)
      self->table[i].state = ENTRY_FREE;
}

static TableEntry *
find_entry (AmReferenceLock *self,
            guint64          code)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->table); i++)
    if (self->table[i].state != ENTRY_FREE && self->table[i].code == code)
      return &self->table[i];
  return NULL;
}

static TableEntry *
find_free_entry (AmReferenceLock *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->table); i++)
    if (self->table[i].state == ENTRY_FREE)
      return &self->table[i];
  return NULL;
}

static gboolean
is_denied (AmReferenceLock *self,
           guint32          start_h,
           guint            p)
{
  for (guint i = 0; i < self->n_deny; i++)
    if (self->deny[i].start_h == start_h && self->deny[i].p == p)
      return TRUE;
  return FALSE;
}

static guint
lockout_minutes (guint failures)
{
  if (failures < 5)
    return 0;
  if (failures == 5)
    return 5;
  /* 5 · 2^(f−5), capped at an hour long before the shift could overflow. */
  return failures >= 9 ? 60 : MIN (5u << (failures - 5), 60u);
}

static AmLockResult
fail (AmReferenceLock *self,
      gint64           now,
      AmLockResult     result,
      guint32          start_h)
{
  guint minutes;

  append_log (self, AM_LOCK_EVENT_KEYPAD_REJECT, now, start_h, reject_reason (result));

  self->failures++;
  minutes = lockout_minutes (self->failures);
  if (minutes > 0)
    {
      self->lockout_end = now + 60 * (gint64) minutes;
      append_log (self, AM_LOCK_EVENT_LOCKOUT, now, 0, 0);
      g_debug ("Keypad locked out for %u minutes after %u failures", minutes, self->failures);
    }
  return result;
}

static AmLockResult
open_door (AmReferenceLock *self,
           gint64           now,
           guint32          start_h,
           guint            p)
{
  self->failures = 0;
  append_log (self, AM_LOCK_EVENT_KEYPAD_OPEN, now, start_h, (guint16) p);
  return AM_LOCK_RESULT_OPEN;
}

/* Step 4: the newest candidate start hour whose tag matches, or -1. */
static gint64
search_start_hour (AmReferenceLock *self,
                   gint64           now,
                   guint64          tag,
                   guint            p)
{
  gint64 q = self->q_offset_s;
  gint64 newest = am_floor_div (now + AM_PASSCODE_SKEW_S - q, 3600);
  gint64 oldest = am_floor_div (now - q - AM_PASSCODE_FIRST_USE_S - AM_PASSCODE_SKEW_S, 3600) + 1;
  gboolean previous = self->previous_key != NULL && now < self->previous_until;

  for (gint64 h = newest; h >= oldest; h--)
    {
      if (h < (gint64) self->watermark || h < 0)
        break;
      if (h > G_MAXUINT32)
        continue;

      if (tags_equal (count_tag (self, self->key, (guint32) h, p), tag))
        return h;
      if (previous && tags_equal (count_tag (self, self->previous_key, (guint32) h, p), tag))
        return h;
    }
  return -1;
}

static void
am_reference_lock_finalize (GObject *object)
{
  AmReferenceLock *self = (AmReferenceLock *) object;

  g_clear_pointer (&self->key, am_passcode_key_free);
  g_clear_pointer (&self->previous_key, am_passcode_key_free);
  g_clear_pointer (&self->log, g_array_unref);
  am_secret_memory_wipe (self->table, sizeof self->table);

  G_OBJECT_CLASS (am_reference_lock_parent_class)->finalize (object);
}

static void
am_reference_lock_class_init (AmReferenceLockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = am_reference_lock_finalize;
}

static void
am_reference_lock_init (AmReferenceLock *self)
{
  self->log = g_array_new (FALSE, FALSE, sizeof (AmLockLogRecord));
}

/**
 * am_lock_result_to_string:
 * @result: a result
 *
 * Returns: the result's name: OPEN, CANCELLED, LOCKED_OUT, MALFORMED,
 *   NO_MATCH, USED, REVOKED or TABLE_FULL
 */
const char *
am_lock_result_to_string (AmLockResult result)
{
  g_return_val_if_fail (result < G_N_ELEMENTS (result_names), NULL);
  return result_names[result];
}

gboolean
am_lock_result_from_string (const char   *text,
                            AmLockResult *result)
{
  g_return_val_if_fail (text != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (result_names); i++)
    if (g_str_equal (text, result_names[i]))
      {
        *result = (AmLockResult) i;
        return TRUE;
      }
  return FALSE;
}

/**
 * am_lock_result_is_failure:
 * @result: a result
 *
 * Returns: whether @result counts towards the keypad lockout
 */
gboolean
am_lock_result_is_failure (AmLockResult result)
{
  return result != AM_LOCK_RESULT_OPEN &&
         result != AM_LOCK_RESULT_CANCELLED &&
         result != AM_LOCK_RESULT_LOCKED_OUT;
}

/**
 * am_reference_lock_new:
 * @k_lock: the lock's current key
 * @lock_id: the lock id's 16 bytes
 * @kv: the key version of @k_lock
 * @digits: the code length, 10 or 12
 * @q_offset_s: the hour-alignment offset Q: 0, 900, 1800 or 2700
 *
 * A lock as it leaves the factory: an empty table and deny list, W = 0,
 * no failures, an empty log.
 *
 * Returns: (transfer full): a new lock
 */
AmReferenceLock *
am_reference_lock_new (const guint8  k_lock[AM_PASSCODE_KEY_LEN],
                       const guint8  lock_id[AM_LOCK_ID_LEN],
                       guint8        kv,
                       guint         digits,
                       guint         q_offset_s)
{
  AmReferenceLock *self;

  g_return_val_if_fail (k_lock != NULL, NULL);
  g_return_val_if_fail (lock_id != NULL, NULL);
  g_return_val_if_fail (am_passcode_digits_valid (digits), NULL);
  g_return_val_if_fail (am_passcode_q_offset_valid (q_offset_s), NULL);

  self = g_object_new (AM_TYPE_REFERENCE_LOCK, NULL);
  self->key = am_passcode_key_new (k_lock, lock_id, kv, digits);
  memcpy (self->lock_id, lock_id, AM_LOCK_ID_LEN);
  self->digits = digits;
  self->q_offset_s = q_offset_s;
  return self;
}

/**
 * am_reference_lock_rotate_key:
 * @self: a lock
 * @k_lock: the new key
 * @kv: its key version
 * @previous_until: until when codes of the key being replaced still open
 *
 * Installs a new key; the current one becomes the previous key.
 */
void
am_reference_lock_rotate_key (AmReferenceLock *self,
                              const guint8     k_lock[AM_PASSCODE_KEY_LEN],
                              guint8           kv,
                              gint64           previous_until)
{
  g_return_if_fail (AM_IS_REFERENCE_LOCK (self));
  g_return_if_fail (k_lock != NULL);

  g_clear_pointer (&self->previous_key, am_passcode_key_free);
  self->previous_key = g_steal_pointer (&self->key);
  self->previous_until = previous_until;
  self->key = am_passcode_key_new (k_lock, self->lock_id, kv, self->digits);
}

/**
 * am_reference_lock_enter:
 * @self: a lock
 * @now: the lock's clock, UTC seconds
 * @entered: the digits typed at the keypad
 *
 * Handles one entry at the keypad, with its effect on the table, the
 * watermark, the failure counter, the lockout and the log.
 *
 * Returns: what the lock did
 */
AmLockResult
am_reference_lock_enter (AmReferenceLock *self,
                         gint64           now,
                         const char      *entered)
{
  AmPasscodeWindow window;
  TableEntry *entry;
  guint64 code, tag;
  gint64 h, upper;
  guint p;

  g_return_val_if_fail (AM_IS_REFERENCE_LOCK (self), AM_LOCK_RESULT_MALFORMED);
  g_return_val_if_fail (entered != NULL, AM_LOCK_RESULT_MALFORMED);

  /* 1. A lockout ignores the keypad. */
  if (now < self->lockout_end)
    {
      append_log (self, AM_LOCK_EVENT_KEYPAD_REJECT, now, 0,
                  reject_reason (AM_LOCK_RESULT_LOCKED_OUT));
      return AM_LOCK_RESULT_LOCKED_OUT;
    }

  /* 2. The form of the entry. */
  if (!parse_entry (self, entered, &code))
    return fail (self, now, AM_LOCK_RESULT_MALFORMED, 0);
  p = (guint) (code % 1000);
  tag = code / 1000;

  /* 3. Codes already activated. */
  drop_expired (self, now);
  entry = find_entry (self, code);
  if (entry != NULL)
    {
      if (entry->state == ENTRY_ACTIVE)
        return open_door (self, now, entry->start_h, entry->p);
      return fail (self, now, AM_LOCK_RESULT_USED, entry->start_h);
    }

  /* 4. The start hours of the last 24 hours, newest first. */
  h = search_start_hour (self, now, tag, p);
  if (h < 0)
    return fail (self, now, AM_LOCK_RESULT_NO_MATCH, 0);

  am_passcode_window_for ((guint32) h, p, self->q_offset_s, &window, NULL);
  upper = MIN (window.ends_at, window.use_by) + AM_PASSCODE_SKEW_S;
  if (now < window.starts_at - AM_PASSCODE_SKEW_S || now >= upper)
    return fail (self, now, AM_LOCK_RESULT_NO_MATCH, 0);
  if (is_denied (self, (guint32) h, p))
    return fail (self, now, AM_LOCK_RESULT_REVOKED, (guint32) h);

  /* 5. Activation. */
  entry = find_free_entry (self);
  if (entry == NULL)
    return fail (self, now, AM_LOCK_RESULT_TABLE_FULL, (guint32) h);

  entry->code = code;
  entry->start_h = (guint32) h;
  entry->p = (guint16) p;

  switch (window.kind)
    {
    case AM_PASSCODE_KIND_TIMED:
      entry->state = ENTRY_ACTIVE;
      entry->expires_s = window.ends_at + AM_PASSCODE_SKEW_S;
      return open_door (self, now, (guint32) h, p);

    case AM_PASSCODE_KIND_ONE_TIME:
      entry->state = ENTRY_CONSUMED;
      entry->expires_s = upper;
      return open_door (self, now, (guint32) h, p);

    case AM_PASSCODE_KIND_CANCEL_ALL:
      entry->state = ENTRY_CONSUMED;
      entry->expires_s = upper;
      self->watermark = MAX (self->watermark, (guint32) h);
      for (guint i = 0; i < G_N_ELEMENTS (self->table); i++)
        if (self->table[i].state != ENTRY_FREE && self->table[i].start_h < self->watermark)
          self->table[i].state = ENTRY_FREE;
      append_log (self, AM_LOCK_EVENT_CANCEL_ALL, now, (guint32) h, (guint16) p);
      return AM_LOCK_RESULT_CANCELLED;

    case AM_PASSCODE_KIND_RESERVED:
    default:
      g_assert_not_reached ();
    }
}

/**
 * am_reference_lock_revoke:
 * @self: a lock
 * @now: the lock's clock
 * @start_h: the start hour of the code to refuse
 * @p: its p
 *
 * The REVOKE command: puts (@start_h, @p) on the deny list, the oldest
 * entry making way when it is full, and drops a matching table entry.
 */
void
am_reference_lock_revoke (AmReferenceLock *self,
                          gint64           now,
                          guint32          start_h,
                          guint            p)
{
  g_return_if_fail (AM_IS_REFERENCE_LOCK (self));
  g_return_if_fail (p <= AM_PASSCODE_P_MAX);

  if (!is_denied (self, start_h, p))
    {
      if (self->n_deny == G_N_ELEMENTS (self->deny))
        {
          memmove (self->deny, self->deny + 1, sizeof self->deny - sizeof self->deny[0]);
          self->n_deny--;
        }
      self->deny[self->n_deny++] = (DenyEntry) { start_h, (guint16) p };
    }

  for (guint i = 0; i < G_N_ELEMENTS (self->table); i++)
    if (self->table[i].state != ENTRY_FREE &&
        self->table[i].start_h == start_h && self->table[i].p == p)
      self->table[i].state = ENTRY_FREE;

  append_log (self, AM_LOCK_EVENT_REVOKE, now, start_h, (guint16) p);
}

/**
 * am_reference_lock_ble_unlock:
 * @self: a lock
 * @now: the lock's clock
 *
 * A verified UNLOCK over Bluetooth: opens the door and resets the keypad's
 * failure counter.
 */
void
am_reference_lock_ble_unlock (AmReferenceLock *self,
                              gint64           now)
{
  g_return_if_fail (AM_IS_REFERENCE_LOCK (self));

  self->failures = 0;
  append_log (self, AM_LOCK_EVENT_BLE_UNLOCK, now, 0, 0);
}

guint
am_reference_lock_get_digits (AmReferenceLock *self)
{
  g_return_val_if_fail (AM_IS_REFERENCE_LOCK (self), 0);
  return self->digits;
}

guint
am_reference_lock_get_q_offset (AmReferenceLock *self)
{
  g_return_val_if_fail (AM_IS_REFERENCE_LOCK (self), 0);
  return self->q_offset_s;
}

guint
am_reference_lock_get_failures (AmReferenceLock *self)
{
  g_return_val_if_fail (AM_IS_REFERENCE_LOCK (self), 0);
  return self->failures;
}

gint64
am_reference_lock_get_lockout_end (AmReferenceLock *self)
{
  g_return_val_if_fail (AM_IS_REFERENCE_LOCK (self), 0);
  return self->lockout_end;
}

guint32
am_reference_lock_get_watermark (AmReferenceLock *self)
{
  g_return_val_if_fail (AM_IS_REFERENCE_LOCK (self), 0);
  return self->watermark;
}

/**
 * am_reference_lock_get_hmac_count:
 * @self: a lock
 *
 * Returns: the HMAC evaluations the lock has made so far
 */
guint64
am_reference_lock_get_hmac_count (AmReferenceLock *self)
{
  g_return_val_if_fail (AM_IS_REFERENCE_LOCK (self), 0);
  return self->hmac_count;
}

/**
 * am_reference_lock_get_log:
 * @self: a lock
 * @n_records: (out): the number of records
 *
 * Returns: (transfer none) (array length=n_records): the log, oldest first;
 *   the lock keeps the newest %AM_REFERENCE_LOCK_LOG_SIZE records
 */
const AmLockLogRecord *
am_reference_lock_get_log (AmReferenceLock *self,
                           guint           *n_records)
{
  g_return_val_if_fail (AM_IS_REFERENCE_LOCK (self), NULL);
  g_return_val_if_fail (n_records != NULL, NULL);

  *n_records = self->log->len;
  return (const AmLockLogRecord *) (gpointer) self->log->data;
}
