/* am-test-records.c: records for the store's tests, made by hand
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "am-test-records.h"

#define T0 G_GINT64_CONSTANT (1741618800)

AmProperty *
am_test_property (const char *name,
                  const char *address,
                  const char *city,
                  const char *timezone)
{
  AmProperty *property = am_property_new_empty ();

  property->id = g_uuid_string_random ();
  property->name = g_strdup (name);
  property->address = g_strdup (address);
  property->city = g_strdup (city);
  property->region = g_strdup ("TX");
  property->postal_code = g_strdup ("78701");
  property->timezone = g_strdup (timezone);
  property->updated_at = T0;
  return property;
}

AmLock *
am_test_lock (AmProperty *property,
              const char *name,
              const char *unit)
{
  AmLock *lock = am_lock_new_empty ();

  lock->id = g_uuid_string_random ();
  lock->property_id = g_strdup (property->id);
  lock->name = g_strdup (name);
  lock->unit = g_strdup (unit);
  lock->model = g_strdup ("AM1 Deadbolt");
  lock->digits = 10;
  lock->q_offset_s = 0;
  lock->kv = 1;
  lock->mode = g_strdup (AM_LOCK_MODE_TOUR);
  lock->battery = 87;
  lock->battery_at = T0;
  lock->updated_at = T0;
  return lock;
}

AmPasscodeRecord *
am_test_passcode (AmLock  *lock,
                  guint32  start_h,
                  guint    p,
                  gint64   created_at)
{
  AmPasscodeRecord *record = am_passcode_record_new_empty ();
  AmPasscodeWindow window;

  g_assert_true (am_passcode_window_for (start_h, p, lock->q_offset_s, &window, NULL));
  record->id = g_uuid_string_random ();
  record->lock_id = g_strdup (lock->id);
  record->kind = window.kind;
  record->kv = lock->kv;
  record->start_h = start_h;
  record->p = p;
  record->digits = lock->digits;
  record->starts_at = window.starts_at;
  record->ends_at = window.ends_at;
  record->use_by = window.use_by;
  record->recipient_name = g_strdup ("Dana Vendor");
  record->recipient_contact = g_strdup ("dana@example.com");
  record->purpose = g_strdup ("vendor");
  record->note = g_strdup ("Boiler service");
  record->source = g_strdup (AM_PASSCODE_SOURCE_MANUAL);
  record->created_by_id = g_uuid_string_random ();
  record->created_by_name = g_strdup ("Lee Agent");
  record->created_at = created_at;
  return record;
}

AmLockEventRecord *
am_test_lock_event (AmLock     *lock,
                    guint32     seq,
                    const char *event,
                    gint64      at)
{
  AmLockEventRecord *record = am_lock_event_record_new_empty ();

  record->lock_id = g_strdup (lock->id);
  record->seq = seq;
  record->event = g_strdup (event);
  record->at = at;
  return record;
}

AmUnlock *
am_test_unlock (AmLock *lock,
                gint64  at)
{
  AmUnlock *unlock = am_unlock_new_empty ();

  unlock->id = g_uuid_string_random ();
  unlock->lock_id = g_strdup (lock->id);
  unlock->user_id = g_uuid_string_random ();
  unlock->user_name = g_strdup ("Lee Agent");
  unlock->at = at;
  unlock->result = g_strdup (AM_UNLOCK_RESULT_OK);
  return unlock;
}

AmGrant *
am_test_grant (AmProperty *property,
               const char *permissions)
{
  AmGrant *grant = am_grant_new_empty ();

  grant->property_id = g_strdup (property->id);
  grant->user_id = g_uuid_string_random ();
  grant->permissions = g_strsplit (permissions, ",", -1);
  return grant;
}

void
am_test_apply (AmStore    *store,
               AmSyncPage *page)
{
  g_autoptr(GError) error = NULL;

  am_store_apply_page (store, page, &error);
  g_assert_no_error (error);
}

/* A cache file in a folder not made yet, under the test's own temporary
 * directories (G_TEST_OPTION_ISOLATE_DIRS removes them afterwards). */
char *
am_test_store_path (void)
{
  static guint n;
  g_autofree char *dir = g_strdup_printf ("store-%u", ++n);

  return g_build_filename (g_get_user_cache_dir (), dir, "cache.sqlite", NULL);
}
