/* am-record-list.c: a list of cached records as a GListModel
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list holds the row ids of its records, in order; a record is read
 * from the store when it is asked for, and kept while someone holds it, so
 * that a list of 100,000 properties costs 400 KB until it is shown. When
 * the store changes, the list reads its ids again and emits items-changed
 * for exactly the runs of items that were removed, added or rewritten.
 *
 * A list the store can count (all properties) starts with its first page
 * only, so that it shows at once from a cold disk, and reads the rest when
 * an item past it is asked for. A change that comes before then is told
 * exactly within the first page, and as one run for the rows after it,
 * which nobody has read.
 *
 * A list a window shows (am_record_list_set_interactive()) never makes the
 * main loop wait. A list view makes a widget for each row near its top as
 * the rows are announced (GTK 4.8 makes up to 200 at once), and looks for
 * the item it tracks among all the rows one signal adds. So such a list
 * shows its first rows only, then the rest; and a large change (a search)
 * is announced a few rows at a time, from the top, over main-loop
 * iterations, each taking a few milliseconds: the rows on screen change
 * first. Meanwhile the list reads as the new rows announced so far followed
 * by the old rows not yet replaced.
 */
#define G_LOG_DOMAIN "am-record-list"

#include "config.h"

#include <string.h>

#include "am-record-list.h"
#include "am-store-private.h"

struct _AmRecordList
{
  GObject      parent_instance;

  AmStore     *store;
  AmStoreList  list;
  char        *parent_id;
  char        *search;
  GType        item_type;

  GArray      *all_ids;         /* guint32 row ids as the store lists them */
  GArray      *ids;             /* those of them that match the search */

  /* Until the list is read whole, its first page and how long it is. */
  gboolean     partial;
  guint        n_total;
  GHashTable  *live;            /* row id → record someone holds */

  /* While changes are announced one run at a time, the list reads as the
   * first @split_new ids of @next followed by @ids from @split_old. */
  GArray      *next;
  guint        split_new;
  guint        split_old;

  /* A list a window shows: see am_record_list_set_interactive(). */
  gboolean     interactive;
  guint        search_retry;

  /* A change being announced over main-loop iterations: what is left of
   * it is ids[split_old .. pace_old_end) becoming next[split_new ..
   * pace_new_end); the rows after those are the same in both. */
  guint        pace_source;
  guint        pace_old_end;
  guint        pace_new_end;
  guint        pace_chunk;
  AmDocSet    *pace_kept;       /* the ids of @next: still listed, still live */

  /* How many of its first rows the list shows, until it has shown them
   * all once; G_MAXUINT then. */
  guint        limit;
};

enum {
  PROP_0,
  PROP_STORE,
  PROP_SEARCH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void am_record_list_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AmRecordList, am_record_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, am_record_list_iface_init))

static guint32
max_id (const GArray *ids,
        guint32       max)
{
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    max = MAX (max, g_array_index (ids, guint32, i));
  return max;
}

/* How many rows the list has, shown or not yet. */
static guint
n_listed (AmRecordList *self)
{
  if (self->partial)
    return self->n_total;
  if (self->next != NULL)
    return self->split_new + (self->ids->len - self->split_old);
  return self->ids->len;
}

static guint
n_items (AmRecordList *self)
{
  return MIN (n_listed (self), self->limit);
}

/* Reads the rest of a list opened with its first page only. */
static void
complete (AmRecordList *self)
{
  if (!self->partial)
    return;

  g_clear_pointer (&self->all_ids, g_array_unref);
  g_clear_pointer (&self->ids, g_array_unref);
  self->all_ids = am_store_load_ids (self->store, self->list, self->parent_id, G_MAXUINT);
  self->ids = g_array_ref (self->all_ids);
  self->partial = FALSE;
  if (self->ids->len != self->n_total)
    g_debug ("The cache counted %u properties but lists %u", self->n_total, self->ids->len);
}

/* The id at @position, or 0 past the end. */
static guint32
id_at (AmRecordList *self,
       guint         position)
{
  if (position >= n_items (self))
    return 0;
  if (self->partial && position >= self->ids->len)
    {
      complete (self);
      if (position >= n_items (self))
        return 0;  /* the cache counted more than it lists */
    }
  if (self->next != NULL)
    {
      if (position < self->split_new)
        return g_array_index (self->next, guint32, position);
      return g_array_index (self->ids, guint32, position - self->split_new + self->split_old);
    }
  return g_array_index (self->ids, guint32, position);
}

/* A record someone holds: the list keeps it, weakly, to give the same
 * object for the same row while it lives. */
typedef struct
{
  AmRecordList *self;
  guint32       id;
  GObject      *record;
} LiveRecord;

static void
on_record_finalized (gpointer  data,
                     GObject  *where_the_object_was)
{
  LiveRecord *live = data;

  g_hash_table_remove (live->self->live, GUINT_TO_POINTER (live->id));
}

static void
forget_record (AmRecordList *self,
               guint32       id)
{
  LiveRecord *live = g_hash_table_lookup (self->live, GUINT_TO_POINTER (id));

  if (live != NULL)
    {
      g_object_weak_unref (live->record, on_record_finalized, live);
      g_hash_table_remove (self->live, GUINT_TO_POINTER (id));
    }
}

/* The ids that match the search, in order; the store is asked again only
 * when @reread, since a search as you type must not wait for it. */
static GArray *
load_ids (AmRecordList *self,
          gboolean      reread)
{
  g_autoptr(AmDocSet) found = NULL;
  GArray *ids;

  if (reread || self->all_ids == NULL || self->partial)
    {
      g_clear_pointer (&self->all_ids, g_array_unref);
      self->all_ids = am_store_load_ids (self->store, self->list, self->parent_id, G_MAXUINT);
    }

  if (self->search == NULL || (found = am_store_search (self->store, self->search)) == NULL)
    return g_array_ref (self->all_ids);

  ids = g_array_sized_new (FALSE, FALSE, sizeof (guint32), 64);
  for (guint i = 0; i < self->all_ids->len; i++)
    {
      guint32 id = g_array_index (self->all_ids, guint32, i);

      if (am_doc_set_contains (found, id))
        g_array_append_val (ids, id);
    }
  return ids;
}

/* A run of items that changed: old_ids[old_start .. old_end) became
 * new_ids[new_start .. new_end); new_start is also its position. */
typedef struct
{
  guint old_start, old_end;
  guint new_start, new_end;
} Run;

/* How soon a search that waits for the index is tried again. */
#define SEARCH_RETRY_MS 25

/* Past this many runs, one items-changed from the first to the last says
 * it more cheaply: a view redoes less work for one span than for
 * thousands of small ones (a one-letter search changes every other row). */
#define MAX_RUNS 64

/* What a list reads when it is made, where the store knows its length. */
#define FIRST_PAGE 256

/* An interactive list: the rows it shows at first (a window's worth), and
 * how many rows added and removed a change may have to be announced at
 * once; more are paced. */
#define FIRST_ROWS 24
#define PACE_ABOVE 64

/* What the steps of a change take in one main-loop iteration, and the
 * most one step should take. A view makes the widgets of the rows a step
 * brings near its top, and renumbers those after them, so a step among
 * the rows on screen is slower than one far below: the number of rows a
 * step announces adapts, between a few rows and the whole rest. Each
 * idle callback is followed by a frame where one is due, so fewer, fuller
 * steps settle sooner than many small ones. */
#define PACE_BUDGET_US 6000
#define PACE_STEP_US   8000
#define PACE_MIN_CHUNK 8
#define PACE_MAX_CHUNK (1u << 20)

/* The runs between the ids kept: those in both lists and not rewritten,
 * which keep their relative order. */
static GArray *
diff_ids (const GArray *old_ids,
          const GArray *new_ids,
          const GArray *rewritten)
{
  guint32 max = max_id (rewritten, max_id (new_ids, max_id (old_ids, 0)));
  GArray *runs = g_array_new (FALSE, FALSE, sizeof (Run));
  g_autoptr(AmDocSet) kept = am_doc_set_new (max);
  g_autoptr(AmDocSet) in_new = am_doc_set_new (max);
  guint i = 0, j = 0;

  for (guint k = 0; k < old_ids->len; k++)
    am_doc_set_add (kept, g_array_index (old_ids, guint32, k));
  for (guint k = 0; k < new_ids->len; k++)
    am_doc_set_add (in_new, g_array_index (new_ids, guint32, k));
  for (gsize w = 0; w < kept->n_words; w++)
    kept->words[w] &= in_new->words[w];
  for (guint k = 0; rewritten != NULL && k < rewritten->len; k++)
    am_doc_set_remove (kept, g_array_index (rewritten, guint32, k));

#define KEPT(id) am_doc_set_contains (kept, id)
  while (i < old_ids->len || j < new_ids->len)
    {
      Run run = { i, i, j, j };

      while (run.old_end < old_ids->len && !KEPT (g_array_index (old_ids, guint32, run.old_end)))
        run.old_end++;
      while (run.new_end < new_ids->len && !KEPT (g_array_index (new_ids, guint32, run.new_end)))
        run.new_end++;

      if (run.old_end < old_ids->len && run.new_end < new_ids->len &&
          g_array_index (old_ids, guint32, run.old_end) != g_array_index (new_ids, guint32, run.new_end))
        {
          /* Kept ids out of order (a parent's rename moved them): the
           * rest of the list changes as one run. */
          run.old_end = old_ids->len;
          run.new_end = new_ids->len;
        }

      if (run.old_end > run.old_start || run.new_end > run.new_start)
        g_array_append_val (runs, run);
      /* Past the run, and past the kept id that ends it. */
      i = MIN (run.old_end + 1, old_ids->len);
      j = MIN (run.new_end + 1, new_ids->len);
    }
#undef KEPT

  return runs;
}

/* Announces the next rows of a paced change, @chunk rows added and
 * removed at most. Returns whether rows are left. */
static gboolean
pace_step (AmRecordList *self,
           guint         chunk)
{
  guint position, removed, added;

  if (self->next == NULL)
    {
      /* The first rows shown; now the others. */
      guint shown = self->limit;
      guint listed = n_listed (self);

      if (shown == G_MAXUINT)
        return FALSE;
      self->limit = listed - MIN (listed, shown) <= chunk ? G_MAXUINT : shown + chunk;
      if (listed > shown)
        g_list_model_items_changed (G_LIST_MODEL (self), shown, 0, MIN (listed, self->limit) - shown);
      return self->limit != G_MAXUINT;
    }

  position = self->split_new;
  removed = MIN (chunk, self->pace_old_end - self->split_old);
  added = MIN (chunk, self->pace_new_end - self->split_new);
  for (guint k = self->split_old; k < self->split_old + removed; k++)
    {
      guint32 id = g_array_index (self->ids, guint32, k);

      if (!am_doc_set_contains (self->pace_kept, id))
        forget_record (self, id);
    }
  self->split_old += removed;
  self->split_new += added;
  if (self->split_old == self->pace_old_end && self->split_new == self->pace_new_end)
    {
      /* The rows after the change are the same in both. */
      g_array_unref (self->ids);
      self->ids = g_steal_pointer (&self->next);
      g_clear_pointer (&self->pace_kept, am_doc_set_free);
    }
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  return self->next != NULL;
}

static gboolean
on_pace_cb (gpointer data)
{
  g_autoptr(AmRecordList) self = g_object_ref (data);
  guint source = self->pace_source;
  gint64 start = g_get_monotonic_time ();
  gboolean more = TRUE;

  while (more && g_get_monotonic_time () - start < PACE_BUDGET_US)
    {
      gint64 step_start = g_get_monotonic_time ();
      gint64 took;

      more = pace_step (self, self->pace_chunk);
      if (self->pace_source != source)
        return G_SOURCE_REMOVE;  /* a new change, paced afresh */
      took = g_get_monotonic_time () - step_start;
      if (took < PACE_STEP_US / 4 && self->pace_chunk < PACE_MAX_CHUNK)
        self->pace_chunk *= 2;
      else if (took > PACE_STEP_US && self->pace_chunk > PACE_MIN_CHUNK)
        self->pace_chunk /= 2;
    }
  if (more)
    return G_SOURCE_CONTINUE;
  self->pace_source = 0;
  return G_SOURCE_REMOVE;
}

static void
pace (AmRecordList *self)
{
  self->pace_chunk = FIRST_ROWS;
  if (self->pace_source == 0)
    self->pace_source = g_idle_add (on_pace_cb, self);
}

/* Makes the list hold what it reads now, as one new array (the arrays it
 * had may be shared with @all_ids), and stops pacing: a new change is
 * told from there. */
static void
settle (AmRecordList *self)
{
  guint n = n_items (self);
  GArray *ids;

  /* Partial lists are made whole first (reload()). */
  g_assert (!self->partial);
  g_clear_handle_id (&self->pace_source, g_source_remove);
  ids = g_array_sized_new (FALSE, FALSE, sizeof (guint32), n);
  if (self->next != NULL)
    {
      g_array_append_vals (ids, self->next->data, self->split_new);
      g_array_append_vals (ids, &g_array_index (self->ids, guint32, self->split_old),
                           self->ids->len - self->split_old);
      g_clear_pointer (&self->next, g_array_unref);
      g_clear_pointer (&self->pace_kept, am_doc_set_free);
    }
  else
    g_array_append_vals (ids, self->ids->data, self->ids->len);
  g_array_set_size (ids, n);
  g_array_unref (self->ids);
  self->ids = ids;
  self->limit = G_MAXUINT;
}

/* Announces the change from the first run to the last a few rows at a
 * time: the list reads as the new ids announced so far, then the old
 * ones not yet replaced. */
static void
pace_runs (AmRecordList *self,
           GArray       *new_ids,
           const GArray *runs,
           const GArray *rewritten)
{
  const Run *first = &g_array_index (runs, Run, 0);
  const Run *last = &g_array_index (runs, Run, runs->len - 1);

  /* A record rewritten is read again, wherever it shows. */
  for (guint k = 0; rewritten != NULL && k < rewritten->len; k++)
    forget_record (self, g_array_index (rewritten, guint32, k));

  self->pace_kept = am_doc_set_new (max_id (new_ids, 0));
  for (guint k = 0; k < new_ids->len; k++)
    am_doc_set_add (self->pace_kept, g_array_index (new_ids, guint32, k));
  self->next = new_ids;
  self->split_new = first->new_start;
  self->split_old = first->old_start;
  self->pace_new_end = last->new_end;
  self->pace_old_end = last->old_end;
  pace (self);
}

/* Replaces the ids by @new_ids and announces the difference. */
static void
apply_ids (AmRecordList *self,
           GArray       *new_ids,
           const GArray *rewritten)
{
  GArray *old_ids = self->ids;
  g_autoptr(GArray) runs = diff_ids (old_ids, new_ids, rewritten);
  guint changed = 0;

  if (runs->len == 0)
    {
      self->ids = new_ids;
      g_array_unref (old_ids);
      return;
    }

  for (guint r = 0; r < runs->len; r++)
    {
      Run *run = &g_array_index (runs, Run, r);

      changed += (run->old_end - run->old_start) + (run->new_end - run->new_start);
    }
  if (self->interactive && changed > PACE_ABOVE)
    {
      pace_runs (self, new_ids, runs, rewritten);
      return;
    }

  for (guint r = 0; r < runs->len; r++)
    {
      Run *run = &g_array_index (runs, Run, r);

      for (guint k = run->old_start; k < run->old_end; k++)
        forget_record (self, g_array_index (old_ids, guint32, k));
    }

  if (runs->len > MAX_RUNS)
    {
      Run *first = &g_array_index (runs, Run, 0);
      Run *last = &g_array_index (runs, Run, runs->len - 1);

      self->ids = new_ids;
      g_list_model_items_changed (G_LIST_MODEL (self), first->new_start,
                                  last->old_end - first->old_start,
                                  last->new_end - first->new_start);
    }
  else
    {
      /* Each run announced in turn, the list reading meanwhile as the new
       * ids up to the run followed by the old ones after it. */
      self->next = new_ids;
      for (guint r = 0; r < runs->len; r++)
        {
          Run *run = &g_array_index (runs, Run, r);

          self->split_new = run->new_end;
          self->split_old = run->old_end;
          g_list_model_items_changed (G_LIST_MODEL (self), run->new_start,
                                      run->old_end - run->old_start,
                                      run->new_end - run->new_start);
        }
      self->ids = new_ids;
      self->next = NULL;
    }

  g_array_unref (old_ids);
}

static void
reload (AmRecordList *self,
        gboolean      reread,
        const GArray *rewritten)
{
  gboolean was_partial = self->partial;
  GArray *ids;

  /* A paced change still being told: the new one starts from what the
   * list reads now. */
  if (self->next != NULL)
    settle (self);
  if (self->partial)
    {
      /* The list as the last signal left it: its first page, then rows
       * nobody has read and the store has since changed. Those stand in as
       * row id 0, which no row has, so that they go as one run. */
      GArray *seen = g_array_sized_new (FALSE, TRUE, sizeof (guint32), self->n_total);

      g_array_append_vals (seen, self->ids->data, self->ids->len);
      g_array_set_size (seen, MAX (self->n_total, self->ids->len));
      g_array_unref (self->ids);
      self->ids = seen;
      self->partial = FALSE;
    }
  if (self->limit != G_MAXUINT)
    settle (self);
  /* A list that held its first page only must read the rest now: a
   * search looks through all of it. */
  ids = load_ids (self, reread || was_partial);
  apply_ids (self, ids, rewritten);
}

static void
on_store_changed_cb (AmStore      *store,
                     guint         type,
                     GArray       *rowids,
                     AmRecordList *self)
{
  static const AmRecordType own_type[] = {
    [AM_STORE_LIST_PROPERTIES] = AM_RECORD_PROPERTY,
    [AM_STORE_LIST_LOCKS] = AM_RECORD_LOCK,
    [AM_STORE_LIST_PASSCODES] = AM_RECORD_PASSCODE,
    [AM_STORE_LIST_LOCK_EVENTS] = AM_RECORD_LOCK_EVENT,
  };

  if (type == own_type[self->list])
    reload (self, TRUE, rowids);
  else if (self->list == AM_STORE_LIST_LOCKS && self->parent_id == NULL && type == AM_RECORD_PROPERTY)
    reload (self, TRUE, NULL);  /* all locks go in their properties' order */
}

static GType
am_record_list_get_item_type (GListModel *model)
{
  return AM_RECORD_LIST (model)->item_type;
}

static guint
am_record_list_get_n_items (GListModel *model)
{
  return n_items (AM_RECORD_LIST (model));
}

static gpointer
am_record_list_get_item (GListModel *model,
                         guint       position)
{
  AmRecordList *self = AM_RECORD_LIST (model);
  LiveRecord *live;
  GObject *record;
  guint32 id;

  if (position >= n_items (self))
    return NULL;

  id = id_at (self, position);
  if (id == 0)
    return NULL;
  live = g_hash_table_lookup (self->live, GUINT_TO_POINTER (id));
  if (live != NULL)
    return g_object_ref (live->record);

  record = am_store_load_record (self->store, self->list, id);
  if (record == NULL)
    return NULL;

  live = g_new (LiveRecord, 1);
  live->self = self;
  live->id = id;
  live->record = record;
  g_hash_table_insert (self->live, GUINT_TO_POINTER (id), live);
  g_object_weak_ref (record, on_record_finalized, live);
  return record;
}

static void
am_record_list_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = am_record_list_get_item_type;
  iface->get_n_items = am_record_list_get_n_items;
  iface->get_item = am_record_list_get_item;
}

static void
am_record_list_dispose (GObject *object)
{
  AmRecordList *self = (AmRecordList *) object;
  GHashTableIter iter;
  gpointer value;

  g_clear_handle_id (&self->search_retry, g_source_remove);
  g_clear_handle_id (&self->pace_source, g_source_remove);
  g_hash_table_iter_init (&iter, self->live);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      LiveRecord *live = value;
      g_object_weak_unref (live->record, on_record_finalized, live);
    }
  g_hash_table_remove_all (self->live);

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (am_record_list_parent_class)->dispose (object);
}

static void
am_record_list_finalize (GObject *object)
{
  AmRecordList *self = (AmRecordList *) object;

  g_clear_pointer (&self->ids, g_array_unref);
  g_clear_pointer (&self->all_ids, g_array_unref);
  g_clear_pointer (&self->next, g_array_unref);
  g_clear_pointer (&self->pace_kept, am_doc_set_free);
  g_clear_pointer (&self->live, g_hash_table_unref);
  g_clear_pointer (&self->parent_id, g_free);
  g_clear_pointer (&self->search, g_free);

  G_OBJECT_CLASS (am_record_list_parent_class)->finalize (object);
}

static void
am_record_list_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  AmRecordList *self = AM_RECORD_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SEARCH:
      g_value_set_string (value, self->search);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_record_list_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  AmRecordList *self = AM_RECORD_LIST (object);

  switch (prop_id)
    {
    case PROP_SEARCH:
      am_record_list_set_search (self, g_value_get_string (value));
      break;
    case PROP_STORE:
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_record_list_class_init (AmRecordListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = am_record_list_dispose;
  object_class->finalize = am_record_list_finalize;
  object_class->get_property = am_record_list_get_property;
  object_class->set_property = am_record_list_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         AM_TYPE_STORE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * AmRecordList:search:
   *
   * For a list of properties: only those with a word starting with each
   * word of the search, in their name, address, city, or their locks' names
   * and units, ignoring case and diacritics. %NULL or empty: all.
   */
  properties[PROP_SEARCH] =
    g_param_spec_string ("search", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
am_record_list_init (AmRecordList *self)
{
  self->live = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->limit = G_MAXUINT;
}

static AmRecordList *
record_list_new (AmStore     *store,
                 AmStoreList  list,
                 const char  *parent_id,
                 GType        item_type)
{
  AmRecordList *self = g_object_new (AM_TYPE_RECORD_LIST, NULL);
  gint64 n_total;

  self->store = g_object_ref (store);
  self->list = list;
  self->parent_id = g_strdup (parent_id);
  self->item_type = item_type;

  /* Where the store knows the length, the first page is enough to start
   * with: a portfolio's list shows at once, even from a cold disk. */
  n_total = am_store_count_ids (store, list, parent_id);
  if (n_total > FIRST_PAGE)
    {
      self->all_ids = am_store_load_ids (store, list, parent_id, FIRST_PAGE);
      self->ids = g_array_ref (self->all_ids);
      self->partial = TRUE;
      self->n_total = (guint) n_total;
    }
  else
    self->ids = load_ids (self, TRUE);
  g_signal_connect_object (store, "changed", G_CALLBACK (on_store_changed_cb), self, 0);
  return self;
}

/**
 * am_record_list_new_properties:
 * @store: a store
 *
 * Returns: (transfer full): the properties, by name
 */
AmRecordList *
am_record_list_new_properties (AmStore *store)
{
  g_return_val_if_fail (AM_IS_STORE (store), NULL);

  /* Properties are searched as the user types: be ready. */
  am_store_prepare_search (store);
  return record_list_new (store, AM_STORE_LIST_PROPERTIES, NULL, AM_TYPE_PROPERTY);
}

/**
 * am_record_list_new_locks:
 * @store: a store
 * @property_id: (nullable): a property, or %NULL for all locks
 *
 * Returns: (transfer full): the locks of a property by name, or all locks
 *   by their property's name and then their own
 */
AmRecordList *
am_record_list_new_locks (AmStore    *store,
                          const char *property_id)
{
  g_return_val_if_fail (AM_IS_STORE (store), NULL);

  return record_list_new (store, AM_STORE_LIST_LOCKS, property_id, AM_TYPE_LOCK);
}

/**
 * am_record_list_new_passcodes:
 * @store: a store
 * @lock_id: a lock
 *
 * Returns: (transfer full): the passcodes of a lock, newest first
 */
AmRecordList *
am_record_list_new_passcodes (AmStore    *store,
                              const char *lock_id)
{
  g_return_val_if_fail (AM_IS_STORE (store), NULL);
  g_return_val_if_fail (lock_id != NULL, NULL);

  return record_list_new (store, AM_STORE_LIST_PASSCODES, lock_id, AM_TYPE_PASSCODE_RECORD);
}

/**
 * am_record_list_new_lock_events:
 * @store: a store
 * @lock_id: a lock
 *
 * Returns: (transfer full): the events of a lock's log, newest first
 */
AmRecordList *
am_record_list_new_lock_events (AmStore    *store,
                                const char *lock_id)
{
  g_return_val_if_fail (AM_IS_STORE (store), NULL);
  g_return_val_if_fail (lock_id != NULL, NULL);

  return record_list_new (store, AM_STORE_LIST_LOCK_EVENTS, lock_id, AM_TYPE_LOCK_EVENT_RECORD);
}

const char *
am_record_list_get_search (AmRecordList *self)
{
  g_return_val_if_fail (AM_IS_RECORD_LIST (self), NULL);
  return self->search;
}

static void apply_search (AmRecordList *self);

static gboolean
on_search_retry_cb (gpointer data)
{
  AmRecordList *self = data;

  self->search_retry = 0;
  apply_search (self);
  return G_SOURCE_REMOVE;
}

/* Shows what the search finds; or, for an interactive list,
 * while the store's index is still being built, tries again shortly rather
 * than stopping the main loop for it: the keys a user types must show at
 * once. Without deferring, the search waits for the index and the list is
 * up to date when am_record_list_set_search() returns. */
static void
apply_search (AmRecordList *self)
{
  g_clear_handle_id (&self->search_retry, g_source_remove);
  if (self->interactive && self->search != NULL && !am_store_search_is_ready (self->store))
    {
      self->search_retry = g_timeout_add (SEARCH_RETRY_MS, on_search_retry_cb, self);
      return;
    }
  reload (self, FALSE, NULL);
}

/**
 * am_record_list_set_interactive:
 * @self: a list
 * @interactive: whether a window shows the list
 *
 * Makes the list one that never stops the main loop for long, for a
 * window's list view:
 *
 * - it shows its first rows only (a window's worth), until
 *   am_record_list_show_rest();
 * - a large change, such as a search, is announced a few rows at a time,
 *   from the top, in idle callbacks of a few milliseconds each, so that the
 *   view never makes hundreds of widgets in one go;
 * - a search typed while the store's index is still being built applies
 *   once the index is there.
 *
 * The list is then up to date only once the main loop has run.
 */
void
am_record_list_set_interactive (AmRecordList *self,
                                gboolean      interactive)
{
  g_return_if_fail (AM_IS_RECORD_LIST (self));

  interactive = !!interactive;
  if (self->interactive == interactive)
    return;
  self->interactive = interactive;
  if (interactive)
    {
      guint shown = n_items (self);

      if (shown > FIRST_ROWS)
        {
          self->limit = FIRST_ROWS;
          g_list_model_items_changed (G_LIST_MODEL (self), FIRST_ROWS, shown - FIRST_ROWS, 0);
        }
    }
  else
    {
      /* Whatever is being paced is told at once. */
      while (pace_step (self, G_MAXUINT))
        ;
      g_clear_handle_id (&self->pace_source, g_source_remove);
    }
}

/**
 * am_record_list_has_pending_changes:
 * @self: a list
 *
 * Returns: whether an interactive list has rows still to announce: its
 *   rest, or a change being told a few rows at a time
 */
gboolean
am_record_list_has_pending_changes (AmRecordList *self)
{
  g_return_val_if_fail (AM_IS_RECORD_LIST (self), FALSE);

  /* @pace_kept goes with the last step's signal, @next stays during the
   * signals of a change told at once. */
  return self->pace_kept != NULL || self->limit != G_MAXUINT;
}

/**
 * am_record_list_show_rest:
 * @self: an interactive list
 *
 * Shows the rows after the first ones, a few at a time: the window calls
 * this once its first frame is on screen, so that the rows it does not show
 * yet cost nothing before then.
 */
void
am_record_list_show_rest (AmRecordList *self)
{
  g_return_if_fail (AM_IS_RECORD_LIST (self));

  if (self->limit != G_MAXUINT && self->next == NULL)
    pace (self);
}

/**
 * am_record_list_set_search:
 * @self: a list of properties
 * @search: (nullable): what the user typed
 *
 * Filters the list as the user types; items-changed says what went and
 * what came.
 */
void
am_record_list_set_search (AmRecordList *self,
                           const char   *search)
{
  g_return_if_fail (AM_IS_RECORD_LIST (self));
  g_return_if_fail (self->list == AM_STORE_LIST_PROPERTIES);

  if (search != NULL && *search == '\0')
    search = NULL;
  if (g_strcmp0 (self->search, search) == 0)
    return;

  g_free (self->search);
  self->search = g_strdup (search);
  apply_search (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);
}
