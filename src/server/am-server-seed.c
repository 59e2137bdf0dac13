/* am-server-seed.c: a believable demo portfolio, and bulk data for benchmarks
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The demo: 40 properties of a property manager across the US time zones
 * (and one in India, on a half-hour offset), about 120 locks, four staff
 * members with different permissions, and passcodes in every state with
 * the lock events that used them. The random choices come from a fixed
 * seed, the times from @now: the same portfolio every time, current.
 *
 * The bulk seed writes many records in one transaction for benchmarks.
 */
#define G_LOG_DOMAIN "am-server-seed"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "am-passcode.h"
#include "am-records-private.h"
#include "am-server-seed.h"
#include "am-time.h"

typedef struct
{
  const char *name;
  const char *address;
  const char *city;
  const char *region;
  const char *postal_code;
  const char *timezone;
} DemoProperty;

static const DemoProperty demo_properties[] = {
  { "The Harlow", "118 West 22nd Street", "New York", "NY", "10011", "America/New_York" },
  { "Brightwater Commons", "4500 Atlantic Avenue", "Brooklyn", "NY", "11224", "America/New_York" },
  { "Maple Row Townhomes", "27 Maple Row", "Hoboken", "NJ", "07030", "America/New_York" },
  { "Beacon Hill Lofts", "62 Charles Street", "Boston", "MA", "02114", "America/New_York" },
  { "Peachtree Station", "1280 Peachtree Street NE", "Atlanta", "GA", "30309", "America/New_York" },
  { "Magnolia Court", "915 Magnolia Avenue", "Charlotte", "NC", "28203", "America/New_York" },
  { "Biscayne Point", "7330 Biscayne Boulevard", "Miami", "FL", "33138", "America/New_York" },
  { "Rittenhouse Flats", "2010 Walnut Street", "Philadelphia", "PA", "19103", "America/New_York" },
  { "Capitol Yards", "1150 First Street SE", "Washington", "DC", "20003", "America/New_York" },
  { "Lakeview Terrace", "3400 North Lake Shore Drive", "Chicago", "IL", "60657", "America/Chicago" },
  { "West Loop Residences", "845 West Randolph Street", "Chicago", "IL", "60607", "America/Chicago" },
  { "The Mill District", "600 South 2nd Street", "Minneapolis", "MN", "55401", "America/Chicago" },
  { "Deep Ellum Lofts", "2700 Elm Street", "Dallas", "TX", "75226", "America/Chicago" },
  { "Montrose Gardens", "1414 Westheimer Road", "Houston", "TX", "77006", "America/Chicago" },
  { "Riverwalk Place", "310 East Houston Street", "San Antonio", "TX", "78205", "America/Chicago" },
  { "Eastside Commons", "2200 East Cesar Chavez Street", "Austin", "TX", "78702", "America/Chicago" },
  { "Germantown Row", "1201 5th Avenue North", "Nashville", "TN", "37208", "America/Chicago" },
  { "Crescent City Apartments", "1600 Magazine Street", "New Orleans", "LA", "70130", "America/Chicago" },
  { "Country Club Plaza Flats", "4700 Wornall Road", "Kansas City", "MO", "64112", "America/Chicago" },
  { "Highlands Square", "3350 West 32nd Avenue", "Denver", "CO", "80211", "America/Denver" },
  { "Pearl Street Residences", "1900 Pearl Street", "Boulder", "CO", "80302", "America/Denver" },
  { "Sugar House Commons", "2100 South Highland Drive", "Salt Lake City", "UT", "84106", "America/Denver" },
  { "Nob Hill Courtyard", "3500 Central Avenue SE", "Albuquerque", "NM", "87106", "America/Denver" },
  { "Old Boise Lofts", "720 West Idaho Street", "Boise", "ID", "83702", "America/Boise" },
  { "Roosevelt Row", "901 North 5th Street", "Phoenix", "AZ", "85004", "America/Phoenix" },
  { "Old Town Scottsdale Villas", "7140 East 1st Avenue", "Scottsdale", "AZ", "85251", "America/Phoenix" },
  { "Sam Hughes Place", "2500 East 6th Street", "Tucson", "AZ", "85716", "America/Phoenix" },
  { "Silver Lake Bungalows", "3200 Sunset Boulevard", "Los Angeles", "CA", "90026", "America/Los_Angeles" },
  { "Ocean Park Residences", "2800 Main Street", "Santa Monica", "CA", "90405", "America/Los_Angeles" },
  { "Mission Bay Towers", "255 Channel Street", "San Francisco", "CA", "94158", "America/Los_Angeles" },
  { "Temescal Commons", "4901 Telegraph Avenue", "Oakland", "CA", "94609", "America/Los_Angeles" },
  { "North Park Flats", "3030 University Avenue", "San Diego", "CA", "92104", "America/Los_Angeles" },
  { "Capitol Hill Court", "1520 East Pine Street", "Seattle", "WA", "98122", "America/Los_Angeles" },
  { "Pearl District Lofts", "1100 NW Glisan Street", "Portland", "OR", "97209", "America/Los_Angeles" },
  { "Arts District Residences", "1050 South Main Street", "Las Vegas", "NV", "89101", "America/Los_Angeles" },
  { "Kakaako Lanai", "600 Ala Moana Boulevard", "Honolulu", "HI", "96813", "Pacific/Honolulu" },
  { "Manoa Valley Gardens", "2850 East Manoa Road", "Honolulu", "HI", "96822", "Pacific/Honolulu" },
  { "Midtown Anchorage Suites", "3300 C Street", "Anchorage", "AK", "99503", "America/Anchorage" },
  { "Condado Vista", "1050 Ashford Avenue", "San Juan", "PR", "00907", "America/Puerto_Rico" },
  { "Indiranagar Residency", "12 100 Feet Road, HAL 2nd Stage", "Bengaluru", "KA", "560038", "Asia/Kolkata" },
};

typedef struct
{
  const char *email;
  const char *name;
  const char *password;
} DemoUser;

static const DemoUser demo_users[] = {
  { AM_SERVER_DEMO_EMAIL, "Alex Morgan", AM_SERVER_DEMO_PASSWORD },
  { "priya.shah@example.com", "Priya Shah", "viewer-password-1" },
  { "carlos.rivera@example.com", "Carlos Rivera", "vendor-password-1" },
  { "morgan.lee@example.com", "Morgan Lee", "manager-password-1" },
};

enum { USER_DEMO, USER_VIEWER, USER_VENDOR, USER_MANAGER };

static const char * const recipients[][2] = {
  { "Jamie Chen", "+1 415 555 0142" },
  { "Rosa Martinez", "rosa.martinez@example.net" },
  { "Sunrise Plumbing", "+1 312 555 0199" },
  { "Devon Brooks", "devon.brooks@example.net" },
  { "Aisha Karim", "+1 206 555 0107" },
  { "Cool Air HVAC", "dispatch@coolair.example" },
  { "Tom Nguyen", "+1 602 555 0173" },
  { "Greenway Landscaping", "+1 720 555 0126" },
  { "Hannah Weiss", "hannah.w@example.net" },
  { "Marcus Reed", "+1 808 555 0150" },
};

static const char * const purposes[] = {
  "prospect", "vendor", "maintenance", "resident", "other", "prospect", "maintenance",
};

static const char * const notes[] = {
  NULL, "Leave the keys on the counter.", "Check the water heater.", NULL,
  "Self-guided tour.", NULL, "Replace the smoke detector battery.", NULL,
};

static const char * const full_permissions[] = {
  AM_PERMISSION_GENERATE_CODES, AM_PERMISSION_BLE_UNLOCK,
  AM_PERMISSION_VIEW_ACTIVITY, AM_PERMISSION_REVOKE_CODES, NULL
};
static const char * const viewer_permissions[] = { AM_PERMISSION_VIEW_ACTIVITY, NULL };
static const char * const vendor_permissions[] = { AM_PERMISSION_BLE_UNLOCK, NULL };
static const char * const manager_permissions[] = {
  AM_PERMISSION_GENERATE_CODES, AM_PERMISSION_BLE_UNLOCK, AM_PERMISSION_VIEW_ACTIVITY,
  AM_PERMISSION_REVOKE_CODES, AM_PERMISSION_RENAME_LOCKS, AM_PERMISSION_CHANGE_LOCK_MODE,
  AM_PERMISSION_VIEW_MASTER_CODE, NULL
};

typedef struct
{
  char   *id;
  guint   digits;
  guint   q;
  guint32 log_seq;
  gboolean tour;
} SeedLock;

static void
seed_lock_free (gpointer data)
{
  SeedLock *lock = data;

  g_free (lock->id);
  g_free (lock);
}

/* A passcode on @lock for the window of @p from the hour that holds
 * @start, created @lead seconds before its start (but never after its
 * first-use deadline). */
static AmPasscodeRecord *
make_passcode (SeedLock          *lock,
               gint64             start,
               guint              p,
               gint64             lead,
               const DemoUser    *creator,
               const char        *creator_id,
               GRand             *rand)
{
  AmPasscodeRecord *record = am_passcode_record_new_empty ();
  AmPasscodeWindow window;
  guint r = (guint) g_rand_int_range (rand, 0, G_N_ELEMENTS (recipients));

  am_passcode_window_for ((guint32) am_floor_div (start - lock->q, 3600), p, lock->q, &window, NULL);
  record->id = g_uuid_string_random ();
  record->lock_id = g_strdup (lock->id);
  record->kind = window.kind;
  record->kv = 1;
  record->start_h = window.start_h;
  record->p = p;
  record->digits = lock->digits;
  record->starts_at = window.starts_at;
  record->ends_at = window.ends_at;
  record->use_by = window.use_by;
  record->recipient_name = g_strdup (recipients[r][0]);
  record->recipient_contact = g_strdup (recipients[r][1]);
  record->purpose = g_strdup (purposes[g_rand_int_range (rand, 0, G_N_ELEMENTS (purposes))]);
  record->note = g_strdup (notes[g_rand_int_range (rand, 0, G_N_ELEMENTS (notes))]);
  record->source = g_strdup (AM_PASSCODE_SOURCE_MANUAL);
  record->created_by_id = g_strdup (creator_id);
  record->created_by_name = g_strdup (creator->name);
  record->created_at = MIN (window.starts_at - lead, window.use_by - 60);
  return record;
}

static AmLockEventRecord *
make_event (SeedLock   *lock,
            const char *name,
            gint64      at,
            guint32     start_h,
            guint       p,
            const char *result)
{
  AmLockEventRecord *event = am_lock_event_record_new_empty ();

  event->lock_id = g_strdup (lock->id);
  event->seq = ++lock->log_seq;
  event->event = g_strdup (name);
  event->at = at;
  event->start_h = start_h;
  event->p = p;
  event->result = g_strdup (result);
  return event;
}

/* The unit names of a property's locks, by how many it has. */
static void
lock_names (guint        index,
            guint        n,
            const char **names,
            const char **units,
            const char **modes)
{
  static const char * const extra_names[] = { "Leasing office", "Model unit", "Amenity center", "Package room" };
  static const char * const extra_modes[] = { AM_LOCK_MODE_TOUR, AM_LOCK_MODE_TOUR, NULL, NULL };
  static const char * const unit_numbers[] = { "101", "102", "204", "305", "1A", "2B", "12", "14" };

  names[0] = "Front door";
  units[0] = NULL;
  modes[0] = NULL;
  for (guint i = 1; i < n; i++)
    {
      if (i == 1)
        {
          names[i] = extra_names[index % G_N_ELEMENTS (extra_names)];
          units[i] = NULL;
          modes[i] = extra_modes[index % G_N_ELEMENTS (extra_modes)];
        }
      else
        {
          names[i] = "Unit door";
          units[i] = unit_numbers[(index + i) % G_N_ELEMENTS (unit_numbers)];
          modes[i] = AM_LOCK_MODE_RESIDENT;
        }
    }
}

static int
compare_event_time (gconstpointer a,
                    gconstpointer b)
{
  const AmLockEventRecord *x = *(AmLockEventRecord * const *) a;
  const AmLockEventRecord *y = *(AmLockEventRecord * const *) b;

  return (x->at > y->at) - (x->at < y->at);
}

static gboolean
seed_lock_activity (AmServerDb           *db,
                    SeedLock             *lock,
                    gint64                now,
                    const char           *creator_id,
                    const DemoUser       *creator,
                    GRand                *rand,
                    AmServerSeedSummary  *summary,
                    GError              **error)
{
  g_autoptr(GPtrArray) passcodes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 day = 86400;
  guint accepted = 0;
  AmPasscodeRecord *pc;

  /* Expired unused: a 2-hour code 9 days ago. */
  g_ptr_array_add (passcodes, make_passcode (lock, now - 9 * day, 1, 3600, creator, creator_id, rand));
  /* Used, over: a 4-hour code 3 days ago, opened twice. */
  pc = make_passcode (lock, now - 3 * day, 3, 7200, creator, creator_id, rand);
  g_ptr_array_add (passcodes, pc);
  g_ptr_array_add (events, make_event (lock, AM_LOCK_EVENT_NAME_KEYPAD_OPEN, pc->starts_at + 1260, pc->start_h, pc->p, NULL));
  g_ptr_array_add (events, make_event (lock, AM_LOCK_EVENT_NAME_KEYPAD_OPEN, pc->starts_at + 8040, pc->start_h, pc->p, NULL));
  /* A one-time code used yesterday. */
  pc = make_passcode (lock, now - day - 5 * 3600, 901, 1800, creator, creator_id, rand);
  g_ptr_array_add (passcodes, pc);
  g_ptr_array_add (events, make_event (lock, AM_LOCK_EVENT_NAME_KEYPAD_OPEN, pc->starts_at + 900, pc->start_h, pc->p, NULL));
  /* Active: a day code from 3 hours ago, used once. */
  pc = make_passcode (lock, now - 3 * 3600, 23, 600, creator, creator_id, rand);
  g_ptr_array_add (passcodes, pc);
  g_ptr_array_add (events, make_event (lock, AM_LOCK_EVENT_NAME_KEYPAD_OPEN, MIN (now - 60, pc->starts_at + 1500), pc->start_h, pc->p, NULL));
  /* Unused yet: a week-long code from 1 hour ago. */
  g_ptr_array_add (passcodes, make_passcode (lock, now - 3600, 167, 300, creator, creator_id, rand));
  /* Scheduled: a 3-hour code tomorrow. */
  g_ptr_array_add (passcodes, make_passcode (lock, now + day, 2, day + 3600, creator, creator_id, rand));
  /* Revoked before use. */
  pc = make_passcode (lock, now + 2 * 3600, 5, 3 * 3600, creator, creator_id, rand);
  pc->revoked_at = now - 1800;
  pc->revoked_by_id = g_strdup (creator_id);
  pc->revoked_by_name = g_strdup (creator->name);
  g_ptr_array_add (passcodes, pc);

  if (lock->tour)
    {
      /* Self-guided tours: one-hour one-time codes. */
      for (guint i = 0; i < 3; i++)
        {
          pc = make_passcode (lock, now + (gint64) (i * 2 - 2) * 3600 + 3600, 900, 4 * 3600, creator, creator_id, rand);
          g_free (pc->source);
          pc->source = g_strdup (AM_PASSCODE_SOURCE_TOUR);
          g_free (pc->purpose);
          pc->purpose = g_strdup ("tour");
          g_ptr_array_add (passcodes, pc);
          if (i == 0)
            g_ptr_array_add (events, make_event (lock, AM_LOCK_EVENT_NAME_KEYPAD_OPEN, pc->starts_at + 600, pc->start_h, pc->p, NULL));
        }
    }

  /* The noise of a lock's log. */
  g_ptr_array_add (events, make_event (lock, AM_LOCK_EVENT_NAME_KEYPAD_REJECT, now - 2 * day + 4000, 0, 0, "no_match"));
  g_ptr_array_add (events, make_event (lock, AM_LOCK_EVENT_NAME_BLE_UNLOCK, now - day + 7200, 0, 0, NULL));

  for (guint i = 0; i < passcodes->len; i++)
    if (!am_server_db_insert_passcode (db, g_ptr_array_index (passcodes, i), error))
      return FALSE;
  /* Events go in time order, as a lock logs them. */
  g_ptr_array_sort (events, compare_event_time);
  for (guint i = 0; i < events->len; i++)
    {
      AmLockEventRecord *event = g_ptr_array_index (events, i);
      event->seq = i + 1;
    }
  if (!am_server_db_insert_lock_events (db, lock->id, events, &accepted, NULL, error))
    return FALSE;

  summary->n_passcodes += passcodes->len;
  summary->n_events += accepted;
  return TRUE;
}

static gboolean
seed_unlock (AmServerDb         *db,
             const AmCloudUser  *user,
             const char         *lock_id,
             gint64              at,
             GError            **error)
{
  g_autoptr(AmUnlock) unlock = am_unlock_new_empty ();
  g_autoptr(AmUnlock) stored = NULL;
  gboolean created;

  unlock->id = g_uuid_string_random ();
  unlock->lock_id = g_strdup (lock_id);
  unlock->at = at;
  unlock->result = g_strdup (AM_UNLOCK_RESULT_OK);
  stored = am_server_db_add_unlock (db, user, unlock, &created, error);
  return stored != NULL;
}

/**
 * am_server_seed_demo_full:
 * @db: a database, usually new
 * @now: the time the portfolio is current at, UTC seconds
 * @summary: (out caller-allocates) (optional): what was written
 * @error: a location for a #GError
 *
 * Writes the demo portfolio in one transaction.
 *
 * Returns: whether it was written
 */
gboolean
am_server_seed_demo_full (AmServerDb           *db,
                          gint64                now,
                          AmServerSeedSummary  *summary,
                          GError              **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20250310);
  g_autoptr(GPtrArray) user_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(AmCloudUser) demo = NULL;
  AmServerSeedSummary local = { 0 };
  guint lock_index = 0;

  g_return_val_if_fail (db != NULL, FALSE);

  if (summary == NULL)
    summary = &local;
  memset (summary, 0, sizeof *summary);

  if (!am_server_db_begin (db, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (demo_users); i++)
    {
      char *id = am_server_db_add_user (db, demo_users[i].email, demo_users[i].name,
                                        demo_users[i].password, error);
      if (id == NULL)
        goto fail;
      g_ptr_array_add (user_ids, id);
      summary->n_users++;
    }
  demo = am_cloud_user_new (g_ptr_array_index (user_ids, USER_DEMO), demo_users[USER_DEMO].name,
                            demo_users[USER_DEMO].email);

  for (guint i = 0; i < G_N_ELEMENTS (demo_properties); i++)
    {
      const DemoProperty *dp = &demo_properties[i];
      g_autofree char *property_id = NULL;
      g_autoptr(GPtrArray) locks = g_ptr_array_new_with_free_func (seed_lock_free);
      const char *names[4], *units[4], *modes[4];
      guint n_locks = 2 + (i % 3);   /* 2, 3 or 4: 120 in all */

      property_id = am_server_db_add_property (db, dp->name, dp->address, dp->city, dp->region,
                                               dp->postal_code, dp->timezone, error);
      if (property_id == NULL)
        goto fail;
      summary->n_properties++;

      if (!am_server_db_set_grant (db, g_ptr_array_index (user_ids, USER_DEMO), property_id,
                                   full_permissions, error) ||
          !am_server_db_set_grant (db, g_ptr_array_index (user_ids, USER_VIEWER), property_id,
                                   viewer_permissions, error) ||
          (i % 9 == 2 &&
           !am_server_db_set_grant (db, g_ptr_array_index (user_ids, USER_VENDOR), property_id,
                                    vendor_permissions, error)) ||
          (g_str_equal (dp->timezone, "America/Chicago") &&
           !am_server_db_set_grant (db, g_ptr_array_index (user_ids, USER_MANAGER), property_id,
                                    manager_permissions, error)))
        goto fail;

      lock_names (i, n_locks, names, units, modes);
      for (guint j = 0; j < n_locks; j++)
        {
          SeedLock *lock = g_new0 (SeedLock, 1);
          guint digits = (lock_index++ % 8 == 5) ? 12 : 10;

          g_ptr_array_add (locks, lock);
          lock->id = am_server_db_add_lock (db, property_id, names[j], units[j], digits, modes[j], error);
          if (lock->id == NULL)
            goto fail;
          lock->digits = digits;
          if (!am_server_db_q_offset_for_zone (db, dp->timezone, &lock->q, error))
            goto fail;
          lock->tour = g_strcmp0 (modes[j], AM_LOCK_MODE_TOUR) == 0;
          summary->n_locks++;

          if (!am_server_db_set_lock_battery (db, lock->id, g_rand_int_range (rand, 8, 101),
                                              now - g_rand_int_range (rand, 600, 5 * 86400), error) ||
              !seed_lock_activity (db, lock, now, g_ptr_array_index (user_ids, USER_DEMO),
                                   &demo_users[USER_DEMO], rand, summary, error))
            goto fail;
          if (j == 0 && !seed_unlock (db, demo, lock->id, now - 86400 - g_rand_int_range (rand, 0, 7200), error))
            goto fail;
        }
    }

  return am_server_db_commit (db, error);

fail:
  am_server_db_rollback (db);
  return FALSE;
}

/**
 * am_server_seed_demo:
 * @db: a database, usually new
 * @error: a location for a #GError
 *
 * Writes the demo portfolio, current now.
 *
 * Returns: whether it was written
 */
gboolean
am_server_seed_demo (AmServerDb  *db,
                     GError     **error)
{
  return am_server_seed_demo_full (db, g_get_real_time () / G_USEC_PER_SEC, NULL, error);
}

/**
 * am_server_seed_bulk:
 * @db: a database
 * @user_id: the user who gets generate_codes, ble_unlock, view_activity
 *   and revoke_codes on every new property, and creates the passcodes
 * @n_properties: how many properties to add
 * @n_locks: how many locks, spread over them
 * @n_passcodes: how many passcodes, spread over the locks
 * @error: a location for a #GError
 *
 * Writes a large portfolio in one transaction, for benchmarks.
 *
 * Returns: whether it was written
 */
gboolean
am_server_seed_bulk (AmServerDb  *db,
                     const char  *user_id,
                     guint        n_properties,
                     guint        n_locks,
                     guint        n_passcodes,
                     GError     **error)
{
  static const char * const zones[] = {
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "Pacific/Honolulu", "Asia/Kolkata",
  };
  g_autoptr(GPtrArray) properties = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) locks = g_ptr_array_new_with_free_func (seed_lock_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  DemoUser creator = { NULL, NULL, NULL };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *user_name = NULL;

  g_return_val_if_fail (db != NULL && user_id != NULL, FALSE);
  g_return_val_if_fail (n_properties > 0 || (n_locks == 0 && n_passcodes == 0), FALSE);
  g_return_val_if_fail (n_locks > 0 || n_passcodes == 0, FALSE);

  /* Only the id is stored: the name shown is the user's own. */
  user_name = g_strdup ("Bulk User");
  creator.name = user_name;

  if (!am_server_db_begin (db, error))
    return FALSE;

  for (guint i = 0; i < n_properties; i++)
    {
      g_autofree char *name = g_strdup_printf ("Property %05u", i + 1);
      g_autofree char *address = g_strdup_printf ("%u Main Street", 100 + i);
      const char *zone = zones[i % G_N_ELEMENTS (zones)];
      char *id = am_server_db_add_property (db, name, address, "Springfield", "IL", "62701", zone, error);

      if (id == NULL ||
          !am_server_db_set_grant (db, user_id, id, full_permissions, error))
        {
          g_free (id);
          goto fail;
        }
      g_ptr_array_add (properties, id);
    }

  for (guint i = 0; i < n_locks; i++)
    {
      SeedLock *lock = g_new0 (SeedLock, 1);
      guint p_index = i % n_properties;
      g_autofree char *unit = g_strdup_printf ("%u", 101 + i / n_properties);

      g_ptr_array_add (locks, lock);
      lock->digits = (i % 10 == 9) ? 12 : 10;
      if (!am_server_db_q_offset_for_zone (db, zones[p_index % G_N_ELEMENTS (zones)], &lock->q, error))
        goto fail;
      lock->id = am_server_db_add_lock (db, g_ptr_array_index (properties, p_index),
                                        i < n_properties ? "Front door" : "Unit door",
                                        i < n_properties ? NULL : unit,
                                        lock->digits, NULL, error);
      if (lock->id == NULL)
        goto fail;
    }

  for (guint i = 0; i < n_passcodes; i++)
    {
      SeedLock *lock = g_ptr_array_index (locks, i % n_locks);
      gint64 start = now - g_rand_int_range (rand, 0, 60) * (gint64) 86400 + g_rand_int_range (rand, -48, 48) * (gint64) 3600;
      g_autoptr(AmPasscodeRecord) record = make_passcode (lock, start, (guint) g_rand_int_range (rand, 0, 72),
                                                          3600, &creator, user_id, rand);

      if (!am_server_db_insert_passcode (db, record, error))
        goto fail;
    }

  return am_server_db_commit (db, error);

fail:
  am_server_db_rollback (db);
  return FALSE;
}
