/* am-lock-list.c: every lock the user can see, sorted and filtered by the cache, as a GListModel
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The locks dashboard sorts by any column and filters by property and
 * text over a whole portfolio: the cache does both and the list holds row
 * ids only, reading a lock when it is asked for. A change in the cache
 * reads the ids again and announces the span between the unchanged head
 * and tail; a lock rewritten in place (a battery read at a visit) is
 * announced by itself.
 *
 * A new order or filter is announced as every lock going, then the new
 * ones coming, in two changes: in one, GTK looks for the rows it shows
 * among all the new items, by identity (gtklistitemmanager.c, "a more
 * expensive rebuild"), and so asks for every one of them, each a lock read
 * from the cache: a hundred thousand reads for a sort, seconds of a frozen
 * window. The list then shows the new order from its top.
 */
#define G_LOG_DOMAIN "am-lock-list"

#include "config.h"

#include "am-lock-list.h"
#include "am-store-private.h"

struct _AmLockList
{
  GObject      parent_instance;

  AmStore     *store;
  GArray      *ids;             /* guint32 row ids, in order */
  AmLockSort   sort;
  gboolean     descending;
  char        *property_id;
  char        *search;
};

enum {
  PROP_0,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ENUM_TYPE (AmLockSort, am_lock_sort,
  G_DEFINE_ENUM_VALUE (AM_LOCK_SORT_PROPERTY, "property"),
  G_DEFINE_ENUM_VALUE (AM_LOCK_SORT_NAME, "name"),
  G_DEFINE_ENUM_VALUE (AM_LOCK_SORT_UNIT, "unit"),
  G_DEFINE_ENUM_VALUE (AM_LOCK_SORT_BATTERY, "battery"),
  G_DEFINE_ENUM_VALUE (AM_LOCK_SORT_MODE, "mode"),
  G_DEFINE_ENUM_VALUE (AM_LOCK_SORT_LAST_ACTIVITY, "last-activity"),
  G_DEFINE_ENUM_VALUE (AM_LOCK_SORT_LAST_VISIT, "last-visit"))

static void am_lock_list_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AmLockList, am_lock_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, am_lock_list_iface_init))

/* Past this many locks rewritten in place, one span says it more cheaply. */
#define MAX_REWRITTEN 64

static GArray *
load_ids (AmLockList *self)
{
  return am_store_load_lock_ids_sorted (self->store, self->sort, self->descending,
                                        self->property_id, self->search);
}

/* Reads the ids again in a new order or filter; announces them as all new
 * (see above). */
static void
replace (AmLockList *self)
{
  g_autoptr(GArray) old_ids = self->ids;
  GArray *new_ids = load_ids (self);

  self->ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  if (old_ids->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_ids->len, 0);
  g_array_unref (self->ids);
  self->ids = new_ids;
  if (new_ids->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, new_ids->len);
  if (new_ids->len != old_ids->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* Announces the change from @old_ids to the list's ids. @rewritten: row
 * ids of locks changed in place, or NULL when any row may read otherwise
 * now. */
static void
announce (AmLockList   *self,
          const GArray *old_ids,
          const GArray *rewritten)
{
  const GArray *new_ids = self->ids;
  guint head = 0, tail = 0;

  if (rewritten == NULL || rewritten->len > MAX_REWRITTEN)
    {
      if (old_ids->len > 0 || new_ids->len > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), 0, old_ids->len, new_ids->len);
      return;
    }

  while (head < old_ids->len && head < new_ids->len &&
         g_array_index (old_ids, guint32, head) == g_array_index (new_ids, guint32, head))
    head++;
  while (tail < old_ids->len - head && tail < new_ids->len - head &&
         g_array_index (old_ids, guint32, old_ids->len - 1 - tail) ==
         g_array_index (new_ids, guint32, new_ids->len - 1 - tail))
    tail++;
  if (head + tail < old_ids->len || head + tail < new_ids->len)
    g_list_model_items_changed (G_LIST_MODEL (self), head,
                                old_ids->len - head - tail, new_ids->len - head - tail);

  /* Locks rewritten in place, outside that span: one by one. */
  if (rewritten->len > 0)
    {
      g_autoptr(GHashTable) changed = g_hash_table_new (NULL, NULL);

      for (guint i = 0; i < rewritten->len; i++)
        g_hash_table_add (changed, GUINT_TO_POINTER (g_array_index (rewritten, guint32, i)));
      for (guint i = 0; i < new_ids->len; i++)
        if ((i < head || i >= new_ids->len - tail) &&
            g_hash_table_contains (changed, GUINT_TO_POINTER (g_array_index (new_ids, guint32, i))))
          g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 1);
    }
}

/* Reads the ids again after a change in the cache; announces what
 * changed (see announce()). */
static void
reload (AmLockList   *self,
        const GArray *rewritten)
{
  g_autoptr(GArray) old_ids = self->ids;

  self->ids = load_ids (self);
  announce (self, old_ids, rewritten);
  if (self->ids->len != old_ids->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
on_store_changed_cb (AmStore    *store,
                     guint       type,
                     GArray     *rowids,
                     AmLockList *self)
{
  switch (type)
    {
    case AM_RECORD_LOCK:
      reload (self, rowids);
      break;
    case AM_RECORD_PROPERTY:
    case AM_RECORD_LOCK_EVENT:
      /* A property renamed moves its locks; an entry of a log changes a
       * lock's last activity, which any row may show. */
      reload (self, NULL);
      break;
    default:
      break;
    }
}

static GType
am_lock_list_get_item_type (GListModel *model)
{
  return AM_TYPE_LOCK;
}

static guint
am_lock_list_get_n_items (GListModel *model)
{
  return AM_LOCK_LIST (model)->ids->len;
}

static gpointer
am_lock_list_get_item (GListModel *model,
                       guint       position)
{
  AmLockList *self = AM_LOCK_LIST (model);

  if (position >= self->ids->len)
    return NULL;
  return am_store_load_record (self->store, AM_STORE_LIST_LOCKS, g_array_index (self->ids, guint32, position));
}

static void
am_lock_list_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = am_lock_list_get_item_type;
  iface->get_n_items = am_lock_list_get_n_items;
  iface->get_item = am_lock_list_get_item;
}

static void
am_lock_list_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  AmLockList *self = AM_LOCK_LIST (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->ids->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_lock_list_dispose (GObject *object)
{
  AmLockList *self = (AmLockList *) object;

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (am_lock_list_parent_class)->dispose (object);
}

static void
am_lock_list_finalize (GObject *object)
{
  AmLockList *self = (AmLockList *) object;

  g_clear_pointer (&self->ids, g_array_unref);
  g_clear_pointer (&self->property_id, g_free);
  g_clear_pointer (&self->search, g_free);

  G_OBJECT_CLASS (am_lock_list_parent_class)->finalize (object);
}

static void
am_lock_list_class_init (AmLockListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = am_lock_list_dispose;
  object_class->finalize = am_lock_list_finalize;
  object_class->get_property = am_lock_list_get_property;

  /**
   * AmLockList:n-items:
   *
   * The number of locks in the list, notified once the list has changed,
   * not between the two changes that announce a new order.
   */
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
am_lock_list_init (AmLockList *self)
{
  self->ids = g_array_new (FALSE, FALSE, sizeof (guint32));
}

/**
 * am_lock_list_new:
 * @store: a store
 *
 * Returns: (transfer full): every lock of the cache, by property and name
 */
AmLockList *
am_lock_list_new (AmStore *store)
{
  AmLockList *self;

  g_return_val_if_fail (AM_IS_STORE (store), NULL);

  self = g_object_new (AM_TYPE_LOCK_LIST, NULL);
  self->store = g_object_ref (store);
  g_array_unref (self->ids);
  self->ids = load_ids (self);
  g_signal_connect_object (store, "changed", G_CALLBACK (on_store_changed_cb), self, 0);
  return self;
}

/**
 * am_lock_list_set_sort:
 * @self: a lock list
 * @sort: the key
 * @descending: whether the largest comes first
 *
 * Sorts the list; locks with no value for the key (a battery nobody
 * reported) go last either way, and equal keys keep the order by property
 * and name.
 */
void
am_lock_list_set_sort (AmLockList *self,
                       AmLockSort  sort,
                       gboolean    descending)
{
  g_return_if_fail (AM_IS_LOCK_LIST (self));

  descending = !!descending;
  if (self->sort == sort && self->descending == descending)
    return;
  self->sort = sort;
  self->descending = descending;
  replace (self);
}

/**
 * am_lock_list_get_sort:
 * @self: a lock list
 * @descending: (out) (optional): whether the largest comes first
 *
 * Returns: the key the list is sorted by
 */
AmLockSort
am_lock_list_get_sort (AmLockList *self,
                       gboolean   *descending)
{
  g_return_val_if_fail (AM_IS_LOCK_LIST (self), AM_LOCK_SORT_PROPERTY);

  if (descending != NULL)
    *descending = self->descending;
  return self->sort;
}

/**
 * am_lock_list_set_property_id:
 * @self: a lock list
 * @property_id: (nullable): only this property's locks, or %NULL for all
 */
void
am_lock_list_set_property_id (AmLockList *self,
                              const char *property_id)
{
  g_return_if_fail (AM_IS_LOCK_LIST (self));

  if (g_strcmp0 (self->property_id, property_id) == 0)
    return;
  g_free (self->property_id);
  self->property_id = g_strdup (property_id);
  replace (self);
}

const char *
am_lock_list_get_property_id (AmLockList *self)
{
  g_return_val_if_fail (AM_IS_LOCK_LIST (self), NULL);

  return self->property_id;
}

/**
 * am_lock_list_set_search:
 * @self: a lock list
 * @search: (nullable): only the locks whose name, unit or property's name
 *   holds this text, ignoring case; %NULL or empty for all
 */
void
am_lock_list_set_search (AmLockList *self,
                         const char *search)
{
  g_return_if_fail (AM_IS_LOCK_LIST (self));

  if (search != NULL && *search == '\0')
    search = NULL;
  if (g_strcmp0 (self->search, search) == 0)
    return;
  g_free (self->search);
  self->search = g_strdup (search);
  replace (self);
}

const char *
am_lock_list_get_search (AmLockList *self)
{
  g_return_val_if_fail (AM_IS_LOCK_LIST (self), NULL);

  return self->search;
}
