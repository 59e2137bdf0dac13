/* test-record-list.c: the lists of cached records, their order, search and changes
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "am-record-list.h"
#include "am-search-index.h"
#include "am-store-private.h"
#include "am-test-records.h"
#include "am-text.h"

#define T0 G_GINT64_CONSTANT (1741618800)
#define H0 483783

typedef struct
{
  guint position;
  guint removed;
  guint added;
  guint n_items_after;
} Change;

typedef struct
{
  AmStore      *store;
  AmRecordList *list;
  GArray       *changes;
  guint         n_items;
  GPtrArray    *mirror;     /* the names, as the signals so far tell them */
} Fixture;

static char *
name_of (GListModel *model,
         guint       position)
{
  g_autoptr(GObject) item = g_list_model_get_item (model, position);
  char *name = NULL;

  g_assert_nonnull (item);
  /* Records without a name are told apart by their id. */
  g_object_get (item,
                g_object_class_find_property (G_OBJECT_GET_CLASS (item), "name") ? "name" : "id",
                &name, NULL);
  return name;
}

/* Records each items-changed, and checks that the list already reads as
 * the change says when the signal comes. */
static void
on_items_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     Fixture    *f)
{
  Change change = { position, removed, added, g_list_model_get_n_items (model) };

  g_assert_cmpuint (change.n_items_after, ==, f->n_items - removed + added);
  f->n_items = change.n_items_after;
  g_ptr_array_remove_range (f->mirror, position, removed);
  for (guint i = position; i < position + added; i++)
    g_ptr_array_insert (f->mirror, (gint) i, name_of (model, i));
  g_array_append_val (f->changes, change);
}

static void
watch (Fixture      *f,
       AmRecordList *list)
{
  g_clear_object (&f->list);
  f->list = list;
  f->n_items = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_ptr_array_set_size (f->mirror, 0);
  for (guint i = 0; i < f->n_items; i++)
    g_ptr_array_add (f->mirror, name_of (G_LIST_MODEL (list), i));
  g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed_cb), f);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = am_test_store_path ();
  g_autoptr(GError) error = NULL;

  f->store = am_store_open (path, &error);
  g_assert_no_error (error);
  f->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  f->mirror = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->list);
  g_clear_object (&f->store);
  g_clear_pointer (&f->changes, g_array_unref);
  g_clear_pointer (&f->mirror, g_ptr_array_unref);
}

static char *names_of (GListModel *model);

/* What the signals told, applied to what the list held, is what it holds. */
static void
assert_mirror (Fixture *f)
{
  g_autofree char *listed = names_of (G_LIST_MODEL (f->list));
  g_autofree char *told = NULL;

  g_ptr_array_add (f->mirror, NULL);
  told = g_strjoinv ("|", (char **) f->mirror->pdata);
  g_ptr_array_set_size (f->mirror, f->mirror->len - 1);
  g_assert_cmpstr (told, ==, listed);
}

static void
assert_changes (Fixture     *f,
                const Change *expected,
                guint        n_expected)
{
  assert_mirror (f);
  if (f->changes->len != n_expected)
    g_error ("%u changes, expected %u", f->changes->len, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      Change *c = &g_array_index (f->changes, Change, i);

      if (c->position != expected[i].position || c->removed != expected[i].removed ||
          c->added != expected[i].added)
        g_error ("change %u: (%u, %u, %u), expected (%u, %u, %u)", i,
                 c->position, c->removed, c->added,
                 expected[i].position, expected[i].removed, expected[i].added);
    }
  g_array_set_size (f->changes, 0);
}

static char *
names_of (GListModel *model)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autofree char *name = name_of (model, i);
      g_string_append_printf (names, "%s%s", i ? "|" : "", name);
    }
  return g_string_free (names, FALSE);
}

static AmProperty *
add_property (Fixture    *f,
              const char *name,
              const char *city)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  AmProperty *property = am_test_property (name, "1 Main Street", city, "America/Chicago");

  g_ptr_array_add (page->properties, g_object_ref (property));
  am_test_apply (f->store, page);
  return property;
}

static void
rename_property (Fixture    *f,
                 AmProperty *property,
                 const char *name)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  AmProperty *renamed = am_test_property (name, property->address, property->city, property->timezone);

  g_free (renamed->id);
  renamed->id = g_strdup (property->id);
  g_ptr_array_add (page->properties, renamed);
  am_test_apply (f->store, page);
}

static void
test_properties_sorted_by_folded_name (Fixture       *f,
                                       gconstpointer  data)
{
  static const char *names[] = { "Zeta Court", "Árbol Villas", "alpha Place", "Beta Lofts", "Ávila House" };
  g_autofree char *listed = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_object_unref (add_property (f, names[i], "Austin"));

  watch (f, am_record_list_new_properties (f->store));
  listed = names_of (G_LIST_MODEL (f->list));
  g_assert_cmpstr (listed, ==, "alpha Place|Árbol Villas|Ávila House|Beta Lofts|Zeta Court");
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (f->list)) == AM_TYPE_PROPERTY);
}

/* One change, one items-changed, at the place that changed. */
static void
test_properties_change_exactly (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(AmProperty) b = add_property (f, "B", "Austin");
  g_autoptr(AmProperty) d = add_property (f, "D", "Austin");
  g_autoptr(AmProperty) f_ = add_property (f, "F", "Austin");
  g_autoptr(AmProperty) c = NULL;
  g_autofree char *listed = NULL;

  watch (f, am_record_list_new_properties (f->store));

  c = add_property (f, "C", "Austin");
  assert_changes (f, (Change[]) { { 1, 0, 1 } }, 1);

  /* Rewritten in place: the row must show the new text. */
  rename_property (f, d, "D2");
  assert_changes (f, (Change[]) { { 2, 1, 1 } }, 1);

  /* Moved: out of its place, into its new one. */
  rename_property (f, b, "E");
  assert_changes (f, (Change[]) { { 0, 1, 0 }, { 2, 0, 1 } }, 2);

  /* The same record again is no change at all. */
  rename_property (f, b, "E");
  assert_changes (f, NULL, 0);

  {
    g_autoptr(AmSyncPage) page = am_sync_page_new ();
    am_sync_page_add_deleted (page, "property", f_->id);
    am_test_apply (f->store, page);
  }
  assert_changes (f, (Change[]) { { 3, 1, 0 } }, 1);

  listed = names_of (G_LIST_MODEL (f->list));
  g_assert_cmpstr (listed, ==, "C|D2|E");
}

static void
test_properties_ignore_other_changes (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(AmProperty) property = add_property (f, "Maple Street Lofts", "Austin");
  g_autoptr(AmLock) lock = am_test_lock (property, "Front Door", NULL);
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (page->locks, g_object_ref (lock));
  am_test_apply (f->store, page);

  watch (f, am_record_list_new_properties (f->store));
  {
    g_autoptr(AmPasscodeRecord) record = am_test_passcode (lock, H0, 2, T0);
    g_assert_true (am_store_issue_passcode (f->store, record, &error));
  }
  assert_changes (f, NULL, 0);
}

static void
test_same_object_while_held (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(AmProperty) property = add_property (f, "Maple", "Austin");
  g_autoptr(AmProperty) first = NULL;
  g_autoptr(AmProperty) again = NULL;
  g_autoptr(AmProperty) renamed = NULL;

  watch (f, am_record_list_new_properties (f->store));
  first = g_list_model_get_item (G_LIST_MODEL (f->list), 0);
  again = g_list_model_get_item (G_LIST_MODEL (f->list), 0);
  g_assert_true (first == again);

  rename_property (f, property, "Maple Court");
  renamed = g_list_model_get_item (G_LIST_MODEL (f->list), 0);
  g_assert_true (renamed != first);
  g_assert_cmpstr (am_property_get_name (renamed), ==, "Maple Court");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (f->list), 1));
}

/* Records each items-changed and checks the length it leaves, reading no
 * item (a list read only in part must stay so). */
static void
on_count_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     Fixture    *f)
{
  Change change = { position, removed, added, g_list_model_get_n_items (model) };

  g_assert_cmpuint (change.n_items_after, ==, f->n_items - removed + added);
  f->n_items = change.n_items_after;
  g_array_append_val (f->changes, change);
}

/* Watches @list for items-changed without reading its items. */
static void
watch_counts (Fixture      *f,
              AmRecordList *list)
{
  g_clear_object (&f->list);
  g_array_set_size (f->changes, 0);
  f->list = list;
  f->n_items = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_signal_connect (list, "items-changed", G_CALLBACK (on_count_changed_cb), f);
}

/* A long list shows its first page before reading the rest, and reads
 * the same as a list read whole, before and after a change. */
static void
test_long_list_first_page (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(AmRecordList) whole = NULL;
  g_autoptr(AmProperty) last = NULL;
  g_autoptr(AmProperty) added = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *listed = NULL;

  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *name = g_strdup_printf ("Court %04u", (i * 7919) % 1000);
      g_ptr_array_add (page->properties, am_test_property (name, "", "Austin", "America/Chicago"));
    }
  am_test_apply (f->store, page);

  watch (f, am_record_list_new_properties (f->store));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 1000);
  last = g_list_model_get_item (G_LIST_MODEL (f->list), 999);
  g_assert_cmpstr (am_property_get_name (last), ==, "Court 0999");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (f->list), 1000));

  /* A change before the rest was read: the first page is told exactly, and
   * the rows nobody read yet as one run after it. */
  watch_counts (f, am_record_list_new_properties (f->store));
  added = add_property (f, "Court 0500a", "Austin");
  g_assert_cmpuint (f->changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (f->changes, Change, 0).position, ==, 256);
  g_assert_cmpuint (g_array_index (f->changes, Change, 0).removed, ==, 1000 - 256);
  g_assert_cmpuint (g_array_index (f->changes, Change, 0).added, ==, 1001 - 256);

  /* A change within the first page is told exactly. */
  watch_counts (f, am_record_list_new_properties (f->store));
  g_clear_object (&added);
  added = add_property (f, "Court 0100a", "Austin");
  g_assert_cmpuint (f->changes->len, ==, 2);
  g_assert_cmpuint (g_array_index (f->changes, Change, 0).position, ==, 101);
  g_assert_cmpuint (g_array_index (f->changes, Change, 0).removed, ==, 0);
  g_assert_cmpuint (g_array_index (f->changes, Change, 0).added, ==, 1);

  whole = am_record_list_new_properties (f->store);
  expected = names_of (G_LIST_MODEL (whole));
  listed = names_of (G_LIST_MODEL (f->list));
  g_assert_cmpstr (listed, ==, expected);
}

static void
fill_search_portfolio (Fixture *f)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  AmProperty *aurora = am_test_property ("Edifício Aurora", "Rua Augusta 1500", "São Paulo", "America/Sao_Paulo");
  AmProperty *maple = am_test_property ("Maple Street Lofts", "1200 Maple Street", "Austin", "America/Chicago");
  AmProperty *oak = am_test_property ("Oak Court", "88 Elm Avenue", "Denver", "America/Denver");

  g_ptr_array_add (page->properties, aurora);
  g_ptr_array_add (page->properties, maple);
  g_ptr_array_add (page->properties, oak);
  g_ptr_array_add (page->locks, am_test_lock (maple, "Garage", "12B"));
  g_ptr_array_add (page->locks, am_test_lock (oak, "Pool Gate", NULL));
  am_test_apply (f->store, page);
}

/* Sets the search once the store's index, built in the background since
 * the list was made, is ready: then the list answers at once. */
static void
set_search_ready (Fixture    *f,
                  const char *search)
{
  while (!am_store_search_is_ready (f->store))
    g_usleep (1000);
  am_record_list_set_search (f->list, search);
}

static void
assert_search (Fixture    *f,
               const char *search,
               const char *expected)
{
  g_autofree char *listed = NULL;

  set_search_ready (f, search);
  g_assert_cmpstr (am_record_list_get_search (f->list), ==, search != NULL && *search ? search : NULL);
  listed = names_of (G_LIST_MODEL (f->list));
  if (g_strcmp0 (listed, expected) != 0)
    g_error ("“%s” found “%s”, expected “%s”", search, listed, expected);
}

/* Name, address, city, unit and lock names; per word by prefix; case and
 * diacritics ignored. */
static void
test_search_matches_what_people_type (Fixture       *f,
                                      gconstpointer  data)
{
  fill_search_portfolio (f);
  watch (f, am_record_list_new_properties (f->store));

  assert_search (f, "sao", "Edifício Aurora");
  assert_search (f, "SÃO paulo", "Edifício Aurora");
  assert_search (f, "edificio", "Edifício Aurora");
  assert_search (f, "augusta", "Edifício Aurora");
  assert_search (f, "ma st", "Maple Street Lofts");
  assert_search (f, "st ma", "Maple Street Lofts");
  assert_search (f, "12", "Maple Street Lofts");
  assert_search (f, "15", "Edifício Aurora");
  assert_search (f, "12b", "Maple Street Lofts");
  assert_search (f, "garage", "Maple Street Lofts");
  assert_search (f, "pool", "Oak Court");
  assert_search (f, "den", "Oak Court");
  assert_search (f, "ak", "");
  assert_search (f, "maple denver", "");
  assert_search (f, "  ", "Edifício Aurora|Maple Street Lofts|Oak Court");
  assert_search (f, NULL, "Edifício Aurora|Maple Street Lofts|Oak Court");
}

/* Typing narrows the list with removals only; clearing brings it back. */
static void
test_search_narrows_by_removal (Fixture       *f,
                                gconstpointer  data)
{
  fill_search_portfolio (f);
  watch (f, am_record_list_new_properties (f->store));

  set_search_ready (f, "m");
  assert_changes (f, (Change[]) { { 0, 1, 0 }, { 1, 1, 0 } }, 2);
  set_search_ready (f, "map");
  assert_changes (f, NULL, 0);
  set_search_ready (f, "mapx");
  assert_changes (f, (Change[]) { { 0, 1, 0 } }, 1);
  set_search_ready (f, "");
  assert_changes (f, (Change[]) { { 0, 0, 3 } }, 1);
}

/* A search that keeps every other row is told as one span, not as a
 * hundred runs, and still reads right. */
static void
test_search_many_runs_one_change (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *name = g_strdup_printf ("Court %03u %s", i, i % 2 ? "Birch" : "Alder");
      g_ptr_array_add (page->properties, am_test_property (name, "", "Austin", "America/Chicago"));
    }
  am_test_apply (f->store, page);
  watch (f, am_record_list_new_properties (f->store));

  set_search_ready (f, "birch");
  assert_changes (f, (Change[]) { { 0, 199, 99 } }, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 100);
  set_search_ready (f, NULL);
  assert_changes (f, (Change[]) { { 0, 99, 199 } }, 1);
}

/* What is written while the index is built in the background is found. */
static void
test_search_changes_while_index_builds (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();

  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *name = g_strdup_printf ("Court %04u", i);
      g_ptr_array_add (page->properties, am_test_property (name, "", "Austin", "America/Chicago"));
    }
  am_test_apply (f->store, page);

  /* The list starts the build; the writes below race with it. */
  watch (f, am_record_list_new_properties (f->store));
  {
    g_autoptr(AmProperty) added = add_property (f, "Juniper Row", "Austin");
    g_autoptr(AmProperty) renamed = g_object_ref (g_ptr_array_index (page->properties, 7));

    rename_property (f, renamed, "Quince Yard");
  }
  assert_search (f, "juniper", "Juniper Row");
  assert_search (f, "quince", "Quince Yard");
  assert_search (f, "court 0007", "");
}

/* Typed while the index is still being built: the keystroke does not wait
 * for it; the list narrows as soon as the index is there. */
static void
test_search_does_not_wait_for_index (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autofree char *listed = NULL;
  gint64 deadline;
  guint shown;

  for (guint i = 0; i < 20000; i++)
    {
      g_autofree char *name = g_strdup_printf ("Court %05u", i);
      g_ptr_array_add (page->properties, am_test_property (name, "", "Austin", "America/Chicago"));
    }
  g_ptr_array_add (page->properties, am_test_property ("Juniper Row", "", "Austin", "America/Chicago"));
  am_test_apply (f->store, page);

  watch (f, am_record_list_new_properties (f->store));
  am_record_list_set_interactive (f->list, TRUE);
  shown = g_list_model_get_n_items (G_LIST_MODEL (f->list));
  am_record_list_set_search (f->list, "juniper");
  if (!am_store_search_is_ready (f->store))
    {
      /* Not answered yet: the list is as it was. */
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, shown);
      g_test_message ("the search waited for the index without blocking");
    }
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (g_list_model_get_n_items (G_LIST_MODEL (f->list)) != 1 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  listed = names_of (G_LIST_MODEL (f->list));
  g_assert_cmpstr (listed, ==, "Juniper Row");
}

/* A long list opens with its first page; a search then looks through all
 * of it, not only the rows read so far. */
static void
test_search_beyond_first_page (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(AmRecordList) list = NULL;
  g_autoptr(AmProperty) found = NULL;

  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *name = g_strdup_printf ("Court %04u", i);
      g_ptr_array_add (page->properties, am_test_property (name, "", "Austin", "America/Chicago"));
    }
  g_ptr_array_add (page->properties, am_test_property ("Zinnia Row", "", "Austin", "America/Chicago"));
  am_test_apply (f->store, page);

  /* No watcher has read it whole: it holds its first page. */
  list = am_record_list_new_properties (f->store);
  while (!am_store_search_is_ready (f->store))
    g_usleep (1000);
  am_record_list_set_search (list, "zinnia");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  found = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_cmpstr (am_property_get_name (found), ==, "Zinnia Row");
  am_record_list_set_search (list, "court 09");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 100);
}

/* A renamed lock is found by its new name at once. */
static void
test_search_follows_changes (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(AmProperty) oak = NULL;
  g_autoptr(AmLock) gate = NULL;
  g_autofree char *listed = NULL;

  fill_search_portfolio (f);
  watch (f, am_record_list_new_properties (f->store));
  assert_search (f, "cabana", "");

  oak = add_property (f, "Birch Court", "Austin");
  gate = am_test_lock (oak, "Cabana", NULL);
  g_ptr_array_add (page->locks, g_object_ref (gate));
  am_test_apply (f->store, page);
  listed = names_of (G_LIST_MODEL (f->list));
  g_assert_cmpstr (listed, ==, "Birch Court");
}

static void
on_unexpected_change_cb (GListModel *model,
                         guint       position,
                         guint       removed,
                         guint       added,
                         gpointer    data)
{
  g_error ("A list changed that should not have: (%u, %u, %u)", position, removed, added);
}

static void
test_locks_of_property_and_all (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(AmProperty) b = am_test_property ("B Place", "", "Austin", "America/Chicago");
  g_autoptr(AmProperty) a = am_test_property ("A Place", "", "Austin", "America/Chicago");
  g_autoptr(AmRecordList) of_b_list = NULL;
  g_autofree char *of_b = NULL;
  g_autofree char *listed = NULL;

  g_ptr_array_add (page->properties, g_object_ref (b));
  g_ptr_array_add (page->properties, g_object_ref (a));
  g_ptr_array_add (page->locks, am_test_lock (b, "Side", NULL));
  g_ptr_array_add (page->locks, am_test_lock (b, "Front", NULL));
  g_ptr_array_add (page->locks, am_test_lock (a, "Lobby", NULL));
  am_test_apply (f->store, page);

  of_b_list = am_record_list_new_locks (f->store, b->id);
  of_b = names_of (G_LIST_MODEL (of_b_list));
  g_assert_cmpstr (of_b, ==, "Front|Side");
  g_signal_connect (of_b_list, "items-changed", G_CALLBACK (on_unexpected_change_cb), NULL);

  watch (f, am_record_list_new_locks (f->store, NULL));
  listed = names_of (G_LIST_MODEL (f->list));
  g_assert_cmpstr (listed, ==, "Lobby|Front|Side");

  /* Renaming a property reorders the dashboard. */
  rename_property (f, a, "C Place");
  assert_mirror (f);
  g_clear_pointer (&listed, g_free);
  listed = names_of (G_LIST_MODEL (f->list));
  g_assert_cmpstr (listed, ==, "Front|Side|Lobby");
}

static void
test_passcodes_and_events_newest_first (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(AmProperty) property = add_property (f, "Maple", "Austin");
  g_autoptr(AmLock) lock = am_test_lock (property, "Front", NULL);
  g_autoptr(AmLock) other = am_test_lock (property, "Back", NULL);
  g_autoptr(AmSyncPage) page = am_sync_page_new ();
  g_autoptr(AmRecordList) events = NULL;
  g_autoptr(AmPasscodeRecord) newest = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (page->locks, g_object_ref (lock));
  g_ptr_array_add (page->locks, g_object_ref (other));
  g_ptr_array_add (page->passcodes, am_test_passcode (lock, H0, 2, T0 + 10));
  g_ptr_array_add (page->passcodes, am_test_passcode (lock, H0, 3, T0 + 30));
  g_ptr_array_add (page->passcodes, am_test_passcode (lock, H0, 4, T0 + 20));
  g_ptr_array_add (page->passcodes, am_test_passcode (other, H0, 5, T0 + 40));
  g_ptr_array_add (page->events, am_test_lock_event (lock, 1, AM_LOCK_EVENT_NAME_KEYPAD_OPEN, T0));
  g_ptr_array_add (page->events, am_test_lock_event (lock, 3, AM_LOCK_EVENT_NAME_LOCKOUT, T0 + 2));
  g_ptr_array_add (page->events, am_test_lock_event (lock, 2, AM_LOCK_EVENT_NAME_KEYPAD_REJECT, T0 + 1));
  am_test_apply (f->store, page);

  watch (f, am_record_list_new_passcodes (f->store, lock->id));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      static const guint p_in_order[] = { 3, 4, 2 };
      g_autoptr(AmPasscodeRecord) record = g_list_model_get_item (G_LIST_MODEL (f->list), i);
      g_assert_cmpuint (am_passcode_record_get_p (record), ==, p_in_order[i]);
    }

  events = am_record_list_new_lock_events (f->store, lock->id);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(AmLockEventRecord) event = g_list_model_get_item (G_LIST_MODEL (events), i);
      g_assert_cmpuint (am_lock_event_record_get_seq (event), ==, 3 - i);
    }

  /* A code issued now goes on top, and only there. */
  newest = am_test_passcode (lock, H0 + 1, 6, T0 + 50);
  g_assert_true (am_store_issue_passcode (f->store, newest, &error));
  assert_changes (f, (Change[]) { { 0, 0, 1 } }, 1);
}

/* The word index: prefixes, intersection, and changes after the build. */
static void
test_search_index (void)
{
  AmSearchIndexBuilder *builder = am_search_index_builder_new ();
  g_autoptr(AmSearchIndex) index = NULL;
  g_autoptr(AmDocSet) a = NULL;
  g_autoptr(AmDocSet) b = NULL;
  g_autoptr(AmDocSet) c = NULL;
  g_autoptr(AmDocSet) d = NULL;

  am_search_index_builder_add (builder, 1, "maple street lofts austin");
  am_search_index_builder_add (builder, 2, "oak court denver");
  am_search_index_builder_add (builder, 70, "maple court austin");
  index = am_search_index_builder_finish (builder);

  a = am_search_index_query (index, "ma co");
  g_assert_false (am_doc_set_contains (a, 1));
  g_assert_false (am_doc_set_contains (a, 2));
  g_assert_true (am_doc_set_contains (a, 70));
  g_assert_null (am_search_index_query (index, ""));

  am_search_index_set (index, 2, "maple corner");
  am_search_index_remove (index, 70);
  am_search_index_set (index, 500, "mars court");
  g_assert_cmpuint (am_search_index_get_n_pending (index), ==, 3);
  b = am_search_index_query (index, "ma co");
  g_assert_true (am_doc_set_contains (b, 2));
  g_assert_false (am_doc_set_contains (b, 70));
  g_assert_true (am_doc_set_contains (b, 500));
  c = am_search_index_query (index, "oak");
  g_assert_false (am_doc_set_contains (c, 2));
  d = am_search_index_query (index, "austin");
  g_assert_true (am_doc_set_contains (d, 1));
  g_assert_false (am_doc_set_contains (d, 70));
}

/* An interactive list (a window's) on a portfolio of @n properties, of
 * which every tenth is in Austin and the others in Denver. */
static void
watch_interactive (Fixture *f,
                   guint    n)
{
  g_autoptr(AmSyncPage) page = am_sync_page_new ();

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("Court %05u", i);
      g_ptr_array_add (page->properties, am_test_property (name, "", i % 10 ? "Denver" : "Austin", "America/Chicago"));
    }
  am_test_apply (f->store, page);
  watch (f, am_record_list_new_properties (f->store));
  am_record_list_set_interactive (f->list, TRUE);
  while (!am_store_search_is_ready (f->store))
    g_usleep (1000);
}

/* Runs the main loop until the list has told everything. */
static void
settle (Fixture *f)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (g_main_context_pending (NULL) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (g_main_context_pending (NULL));
}

/* What a non-interactive list of the same search holds, at once. */
static char *
expected_names (Fixture    *f,
                const char *search)
{
  g_autoptr(AmRecordList) plain = am_record_list_new_properties (f->store);

  am_record_list_set_search (plain, search);
  return names_of (G_LIST_MODEL (plain));
}

/* The largest number of rows one signal added. */
static guint
largest_addition (Fixture *f)
{
  guint largest = 0;

  for (guint i = 0; i < f->changes->len; i++)
    largest = MAX (largest, g_array_index (f->changes, Change, i).added);
  return largest;
}

/* A window's list shows a window's worth of rows until it is on screen,
 * then the rest, a few rows at a time first. */
static void
test_interactive_first_rows_then_rest (Fixture       *f,
                                       gconstpointer  data)
{
  g_autofree char *all = NULL;
  g_autofree char *listed = NULL;
  guint shown;

  watch_interactive (f, 3000);
  shown = g_list_model_get_n_items (G_LIST_MODEL (f->list));
  g_assert_cmpuint (shown, >, 0);
  g_assert_cmpuint (shown, <, 100);
  /* Nothing more until the window says it is on screen. */
  settle (f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, shown);

  g_array_set_size (f->changes, 0);
  am_record_list_show_rest (f->list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, shown);
  settle (f);
  all = expected_names (f, NULL);
  listed = names_of (G_LIST_MODEL (f->list));
  g_assert_cmpstr (listed, ==, all);
  assert_mirror (f);
  g_assert_cmpuint (f->changes->len, >, 1);
  g_assert_cmpuint (g_array_index (f->changes, Change, 0).added, <, 100);
}

/* A search that changes most rows is told from the top, a few rows at a
 * time, in idle callbacks; the list reads as the signals say throughout. */
static void
test_interactive_search_paced (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *expected = NULL;
  g_autofree char *listed = NULL;
  Change *first;

  watch_interactive (f, 3000);
  am_record_list_show_rest (f->list);
  settle (f);
  g_array_set_size (f->changes, 0);

  am_record_list_set_search (f->list, "austin");
  /* Not yet told: the list still reads as before. */
  g_assert_cmpuint (f->changes->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 3000);
  settle (f);

  expected = expected_names (f, "austin");
  listed = names_of (G_LIST_MODEL (f->list));
  g_assert_cmpstr (listed, ==, expected);
  assert_mirror (f);
  /* From the top: Court 00000, in Austin, stays first. */
  first = &g_array_index (f->changes, Change, 0);
  g_assert_cmpuint (first->position, ==, 1);
  g_assert_cmpuint (first->added, <, 100);
  g_assert_cmpuint (first->removed, <, 100);
  g_assert_cmpuint (f->changes->len, >, 1);
}

/* A search typed while the last one is still being told, and a change of
 * the cache meanwhile: the list ends as the last search finds, and the
 * signals stay true. */
static void
test_interactive_search_over_search (Fixture       *f,
                                     gconstpointer  data)
{
  g_autofree char *expected = NULL;
  g_autofree char *listed = NULL;
  g_autoptr(AmProperty) renamed = NULL;

  watch_interactive (f, 3000);
  am_record_list_show_rest (f->list);
  settle (f);
  renamed = g_list_model_get_item (G_LIST_MODEL (f->list), 1);
  g_assert_cmpstr (am_property_get_name (renamed), ==, "Court 00001");

  am_record_list_set_search (f->list, "austin");
  g_main_context_iteration (NULL, FALSE);
  g_main_context_iteration (NULL, FALSE);
  am_record_list_set_search (f->list, "denver");
  g_main_context_iteration (NULL, FALSE);
  rename_property (f, renamed, "Aardvark Row");
  g_main_context_iteration (NULL, FALSE);
  am_record_list_set_search (f->list, "court 01");
  g_main_context_iteration (NULL, FALSE);
  am_record_list_set_search (f->list, NULL);
  settle (f);

  expected = expected_names (f, NULL);
  listed = names_of (G_LIST_MODEL (f->list));
  g_assert_cmpstr (listed, ==, expected);
  g_assert_true (g_str_has_prefix (listed, "Aardvark Row|Court 00000|Court 00002"));
  assert_mirror (f);
  /* No signal brought a whole new list at once. */
  g_assert_cmpuint (largest_addition (f), <, 3000);
}

/* Turned back into a plain list, whatever was being told is told at once. */
static void
test_interactive_turned_off (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *expected = NULL;
  g_autofree char *listed = NULL;

  watch_interactive (f, 3000);
  am_record_list_set_search (f->list, "denver");
  am_record_list_set_interactive (f->list, FALSE);
  expected = expected_names (f, "denver");
  listed = names_of (G_LIST_MODEL (f->list));
  g_assert_cmpstr (listed, ==, expected);
  assert_mirror (f);
}

static void
test_text_fold (void)
{
  static const char *cases[][2] = {
    { "São Paulo", "sao paulo" },
    { "  Edifício—Aurora, Unit 12-B ", "edificio aurora unit 12 b" },
    { "STRASSE Straße", "strasse strasse" },
    { "ﬁre Ōsaka", "fire osaka" },
    { "", "" },
    { "!!!", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *folded = am_text_fold (cases[i][0]);
      g_assert_cmpstr (folded, ==, cases[i][1]);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/search/fold", test_text_fold);
  g_test_add_func ("/search/index/prefixes-and-changes", test_search_index);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/record-list/properties/sorted-by-folded-name", test_properties_sorted_by_folded_name);
  ADD ("/record-list/properties/items-changed-exactly", test_properties_change_exactly);
  ADD ("/record-list/properties/other-records-change-nothing", test_properties_ignore_other_changes);
  ADD ("/record-list/properties/same-object-while-held", test_same_object_while_held);
  ADD ("/record-list/properties/long-list-opens-with-first-page", test_long_list_first_page);
  ADD ("/record-list/search/matches-what-people-type", test_search_matches_what_people_type);
  ADD ("/record-list/search/narrows-by-removal", test_search_narrows_by_removal);
  ADD ("/record-list/search/follows-changes", test_search_follows_changes);
  ADD ("/record-list/search/many-runs-as-one-change", test_search_many_runs_one_change);
  ADD ("/record-list/search/changes-while-index-builds", test_search_changes_while_index_builds);
  ADD ("/record-list/search/typing-does-not-wait-for-the-index", test_search_does_not_wait_for_index);
  ADD ("/record-list/search/looks-beyond-the-first-page", test_search_beyond_first_page);
  ADD ("/record-list/interactive/first-rows-then-the-rest", test_interactive_first_rows_then_rest);
  ADD ("/record-list/interactive/search-told-from-the-top", test_interactive_search_paced);
  ADD ("/record-list/interactive/search-over-search", test_interactive_search_over_search);
  ADD ("/record-list/interactive/turned-off-tells-at-once", test_interactive_turned_off);
  ADD ("/record-list/locks/of-a-property-and-all", test_locks_of_property_and_all);
  ADD ("/record-list/passcodes-and-events/newest-first", test_passcodes_and_events_newest_first);
#undef ADD

  return g_test_run ();
}
