/* test-lock-list.c: the locks dashboard's list: sorted by any column and filtered by the cache
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "am-lock-list.h"
#include "am-store-private.h"
#include "am-test-records.h"

#define T0 G_GINT64_CONSTANT (1741618800)

typedef struct
{
  char       *path;
  AmStore    *store;
  AmProperty *maple;
  AmProperty *oak;
  AmLock     *front;    /* Maple: battery 87, no unit */
  AmLock     *garage;   /* Maple: battery 12, unit 2B, resident */
  AmLock     *gate;     /* Oak: battery unknown, unit 1A */
  guint       changes;
  guint       counts;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(GError) error = NULL;

  f->path = am_test_store_path ();
  f->store = am_store_open (f->path, &error);
  g_assert_no_error (error);

  f->maple = am_test_property ("Maple Lofts", "1 Maple Street", "Austin", "America/Chicago");
  f->oak = am_test_property ("Oak Court", "2 Oak Street", "Denver", "America/Denver");
  f->front = am_test_lock (f->maple, "Front Door", NULL);
  f->garage = am_test_lock (f->maple, "Garage", "2B");
  f->gate = am_test_lock (f->oak, "Gate", "1A");
  f->garage->battery = 12;
  g_free (f->garage->mode);
  f->garage->mode = g_strdup (AM_LOCK_MODE_RESIDENT);
  f->gate->battery = -1;
  f->gate->battery_at = 0;
  g_ptr_array_add (page->properties, g_object_ref (f->oak));
  g_ptr_array_add (page->properties, g_object_ref (f->maple));
  g_ptr_array_add (page->locks, g_object_ref (f->gate));
  g_ptr_array_add (page->locks, g_object_ref (f->garage));
  g_ptr_array_add (page->locks, g_object_ref (f->front));
  am_test_apply (f->store, page);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  g_clear_object (&f->maple);
  g_clear_object (&f->oak);
  g_clear_object (&f->front);
  g_clear_object (&f->garage);
  g_clear_object (&f->gate);
  g_unlink (f->path);
  g_free (f->path);
}

/* The list's locks by name, joined: "Front Door,Garage,Gate". */
static char *
names (AmLockList *list)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr(AmLock) lock = g_list_model_get_item (G_LIST_MODEL (list), i);

      g_string_append_printf (text, "%s%s", i > 0 ? "," : "", am_lock_get_name (lock));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

#define assert_names(list, expected) \
  G_STMT_START { g_autofree char *n_ = names (list); g_assert_cmpstr (n_, ==, (expected)); } G_STMT_END

static void
on_items_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     Fixture    *f)
{
  f->changes++;
}

static void
on_count_changed_cb (AmLockList *list,
                     GParamSpec *pspec,
                     Fixture    *f)
{
  f->counts++;
}

static void
test_sort_by_every_column (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(AmLockList) list = am_lock_list_new (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean descending = TRUE;

  /* By property, then name, to start with. */
  assert_names (list, "Front Door,Garage,Gate");
  g_assert_cmpint (am_lock_list_get_sort (list, &descending), ==, AM_LOCK_SORT_PROPERTY);
  g_assert_false (descending);
  am_lock_list_set_sort (list, AM_LOCK_SORT_PROPERTY, TRUE);
  assert_names (list, "Gate,Front Door,Garage");

  am_lock_list_set_sort (list, AM_LOCK_SORT_NAME, TRUE);
  assert_names (list, "Gate,Garage,Front Door");

  /* Unknown values last, whichever the direction. */
  am_lock_list_set_sort (list, AM_LOCK_SORT_UNIT, FALSE);
  assert_names (list, "Gate,Garage,Front Door");
  am_lock_list_set_sort (list, AM_LOCK_SORT_BATTERY, FALSE);
  assert_names (list, "Garage,Front Door,Gate");
  am_lock_list_set_sort (list, AM_LOCK_SORT_BATTERY, TRUE);
  assert_names (list, "Front Door,Garage,Gate");

  /* A battery read at a Bluetooth visit counts over the cloud's. */
  g_assert_true (am_store_set_lock_seen (f->store, am_lock_get_id (f->front), 5, 0, T0 + 60, &error));
  g_assert_no_error (error);
  assert_names (list, "Garage,Front Door,Gate");
  am_lock_list_set_sort (list, AM_LOCK_SORT_LAST_VISIT, TRUE);
  assert_names (list, "Front Door,Garage,Gate");

  am_lock_list_set_sort (list, AM_LOCK_SORT_MODE, FALSE);
  assert_names (list, "Garage,Front Door,Gate");

  /* The newest entry of each log. */
  g_ptr_array_add (events, am_test_lock_event (f->gate, 1, AM_LOCK_EVENT_NAME_KEYPAD_OPEN, T0 + 300));
  g_assert_true (am_store_record_lock_log (f->store, am_lock_get_id (f->gate), events, &error));
  g_assert_no_error (error);
  g_ptr_array_set_size (events, 0);
  g_ptr_array_add (events, am_test_lock_event (f->garage, 1, AM_LOCK_EVENT_NAME_KEYPAD_OPEN, T0 + 100));
  g_ptr_array_add (events, am_test_lock_event (f->garage, 2, AM_LOCK_EVENT_NAME_BLE_UNLOCK, T0 + 200));
  g_assert_true (am_store_record_lock_log (f->store, am_lock_get_id (f->garage), events, &error));
  g_assert_no_error (error);
  am_lock_list_set_sort (list, AM_LOCK_SORT_LAST_ACTIVITY, TRUE);
  assert_names (list, "Gate,Garage,Front Door");
  am_lock_list_set_sort (list, AM_LOCK_SORT_LAST_ACTIVITY, FALSE);
  assert_names (list, "Garage,Gate,Front Door");
}

static void
test_filter_by_property_and_text (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(AmLockList) list = am_lock_list_new (f->store);

  am_lock_list_set_property_id (list, am_property_get_id (f->maple));
  assert_names (list, "Front Door,Garage");
  am_lock_list_set_search (list, "gar");
  assert_names (list, "Garage");
  am_lock_list_set_property_id (list, NULL);
  assert_names (list, "Garage");

  /* The property's name, the unit; and characters LIKE would take for
   * its own. */
  am_lock_list_set_search (list, "oak");
  assert_names (list, "Gate");
  am_lock_list_set_search (list, "1a");
  assert_names (list, "Gate");
  am_lock_list_set_search (list, "%");
  assert_names (list, "");
  am_lock_list_set_search (list, "");
  assert_names (list, "Front Door,Garage,Gate");
  g_assert_null (am_lock_list_get_search (list));
}

/* A sync that brings a lock, or changes one, shows at once, and says so. */
static void
test_follows_the_cache (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(AmLockList) list = am_lock_list_new (f->store);
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(AmSyncPage) battery = am_sync_page_new ();
  g_autoptr(AmLock) cellar = am_test_lock (f->oak, "Cellar", NULL);
  g_autoptr(AmLock) shown = NULL;

  g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed_cb), f);
  g_signal_connect (list, "notify::n-items", G_CALLBACK (on_count_changed_cb), f);
  g_ptr_array_add (page->locks, g_object_ref (cellar));
  am_test_apply (f->store, page);
  assert_names (list, "Front Door,Garage,Cellar,Gate");
  g_assert_cmpuint (f->changes, >=, 1);
  g_assert_cmpuint (f->counts, ==, 1);

  f->changes = 0;
  f->front->battery = 9;
  f->front->updated_at = T0 + 5;
  g_ptr_array_add (battery->locks, g_object_ref (f->front));
  am_test_apply (f->store, battery);
  /* The lock's row, and its property's (whose search text holds it). */
  g_assert_cmpuint (f->changes, >=, 1);
  shown = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_cmpint (am_lock_get_battery (shown), ==, 9);
}

typedef struct
{
  GString *said;
  guint    notified;
} Changes;

static void
on_change_said_cb (GListModel *model,
                   guint       position,
                   guint       removed,
                   guint       added,
                   Changes    *changes)
{
  g_string_append_printf (changes->said, "%s%u-%u+%u=%u", changes->said->len > 0 ? " " : "",
                          position, removed, added, g_list_model_get_n_items (model));
}

static void
on_n_items_cb (AmLockList *list,
               GParamSpec *pspec,
               Changes    *changes)
{
  guint n = 0;

  g_object_get (list, "n-items", &n, NULL);
  g_assert_cmpuint (n, ==, g_list_model_get_n_items (G_LIST_MODEL (list)));
  g_assert_cmpuint (n, >, 0);
  changes->notified++;
}

/* A new order or filter is said as every lock going, then the new ones
 * coming (so that a list view does not read every lock to find the ones
 * it showed); the count is told once, after both. */
static void
test_new_order_said_as_all_new (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(AmLockList) list = am_lock_list_new (f->store);
  g_autoptr(GString) said = g_string_new (NULL);
  Changes changes = { said, 0 };

  g_signal_connect (list, "items-changed", G_CALLBACK (on_change_said_cb), &changes);
  g_signal_connect (list, "notify::n-items", G_CALLBACK (on_n_items_cb), &changes);

  am_lock_list_set_sort (list, AM_LOCK_SORT_BATTERY, TRUE);
  g_assert_cmpstr (said->str, ==, "0-3+0=0 0-0+3=3");
  g_assert_cmpuint (changes.notified, ==, 0);
  assert_names (list, "Front Door,Garage,Gate");

  g_string_truncate (said, 0);
  am_lock_list_set_property_id (list, am_property_get_id (f->maple));
  g_assert_cmpstr (said->str, ==, "0-3+0=0 0-0+2=2");
  g_assert_cmpuint (changes.notified, ==, 1);

  g_string_truncate (said, 0);
  am_lock_list_set_search (list, "garage");
  g_assert_cmpstr (said->str, ==, "0-2+0=0 0-0+1=1");
  g_assert_cmpuint (changes.notified, ==, 2);
}

static void
test_issuers_each_once (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_auto(GStrv) issuers = NULL;
  g_auto(GStrv) none = NULL;

  for (guint i = 0; i < 6; i++)
    {
      AmPasscodeRecord *record = am_test_passcode (f->front, 483783 + i, 0, T0 + i);

      g_free (record->created_by_name);
      record->created_by_name = g_strdup (i % 3 == 0 ? "Lee Agent" : i % 3 == 1 ? "ana Ruiz" : "Bo Chen");
      g_ptr_array_add (page->passcodes, record);
    }
  am_test_apply (f->store, page);

  issuers = am_store_list_passcode_issuers (f->store, am_lock_get_id (f->front));
  g_assert_cmpuint (g_strv_length (issuers), ==, 3);
  g_assert_cmpstr (issuers[0], ==, "ana Ruiz");
  g_assert_cmpstr (issuers[1], ==, "Bo Chen");
  g_assert_cmpstr (issuers[2], ==, "Lee Agent");
  none = am_store_list_passcode_issuers (f->store, am_lock_get_id (f->gate));
  g_assert_cmpuint (g_strv_length (none), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/lock-list/sort/by-every-column-unknown-last", test_sort_by_every_column);
  ADD ("/lock-list/filter/by-property-and-text", test_filter_by_property_and_text);
  ADD ("/lock-list/changes/follow-the-cache", test_follows_the_cache);
  ADD ("/lock-list/changes/new-order-said-as-all-new", test_new_order_said_as_all_new);
  ADD ("/lock-list/issuers/each-once-in-order", test_issuers_each_once);
#undef ADD

  return g_test_run ();
}
