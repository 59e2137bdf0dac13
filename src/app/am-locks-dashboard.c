/* am-locks-dashboard.c: every lock the user can see, across properties, as a sortable table
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Locks Dashboard: a GtkColumnView over the cache's list of all locks
 * (AmLockList), which the cache sorts and filters, so that a portfolio of
 * a hundred thousand locks sorts without reading them all. A click on a
 * column's header asks for a sort; the column view's sorter does not say
 * which column it holds in GTK 4.8, so each column's sorter, asked to
 * compare two probes, says it was asked: the first one asked is the
 * primary column, and the sign of the answer its direction.
 *
 * Times are in each lock's property's zone; a battery below 20 % is shown
 * as a warning. Activating a row opens the lock (::lock-activated).
 */
#define G_LOG_DOMAIN "am-locks-dashboard"

#include "config.h"

#include <glib/gi18n.h>

#include "am-locks-dashboard.h"
#include "am-unlock-flow.h"

typedef enum
{
  COLUMN_PROPERTY,
  COLUMN_LOCK,
  COLUMN_UNIT,
  COLUMN_BATTERY,
  COLUMN_MODE,
  COLUMN_LAST_ACTIVITY,
  COLUMN_LAST_VISIT,
  N_COLUMNS
} Column;

static const AmLockSort column_sorts[N_COLUMNS] = {
  [COLUMN_PROPERTY] = AM_LOCK_SORT_PROPERTY,
  [COLUMN_LOCK] = AM_LOCK_SORT_NAME,
  [COLUMN_UNIT] = AM_LOCK_SORT_UNIT,
  [COLUMN_BATTERY] = AM_LOCK_SORT_BATTERY,
  [COLUMN_MODE] = AM_LOCK_SORT_MODE,
  [COLUMN_LAST_ACTIVITY] = AM_LOCK_SORT_LAST_ACTIVITY,
  [COLUMN_LAST_VISIT] = AM_LOCK_SORT_LAST_VISIT,
};

/* What a row shows of its property, read once per property. */
typedef struct
{
  char      *name;
  GTimeZone *zone;
} PropertyInfo;

struct _AmLocksDashboard
{
  AdwBin                 parent_instance;

  AmFacade              *facade;
  AmLockList            *locks;
  AmRecordList          *properties;
  GHashTable            *property_info;     /* property id → PropertyInfo */
  gulong                 store_changed_id;

  /* Which column's sorter the column view asked first. */
  gint                   probe_hit;
  GObject               *probe_a;
  GObject               *probe_b;

  /* Template widgets */
  AdwWindowTitle        *window_title;
  GtkSearchEntry        *search_entry;
  GtkDropDown           *property_dropdown;
  GtkStack              *list_stack;
  GtkColumnView         *column_view;
  GtkColumnViewColumn   *columns[N_COLUMNS];
};

enum {
  PROP_0,
  PROP_FACADE,
  N_PROPS
};

enum {
  LOCK_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (AmLocksDashboard, am_locks_dashboard, ADW_TYPE_BIN)

static void
property_info_free (PropertyInfo *info)
{
  g_free (info->name);
  g_time_zone_unref (info->zone);
  g_free (info);
}

static PropertyInfo *
lookup_property (AmLocksDashboard *self,
                 const char       *property_id)
{
  PropertyInfo *info = g_hash_table_lookup (self->property_info, property_id);

  if (info == NULL)
    {
      g_autoptr(AmProperty) property = am_facade_get_property (self->facade, property_id);

      info = g_new0 (PropertyInfo, 1);
      info->name = g_strdup (property != NULL ? am_property_get_name (property) : "");
      info->zone = property != NULL ? am_unlock_flow_property_zone (property) : g_time_zone_new_utc ();
      g_hash_table_insert (self->property_info, g_strdup (property_id), info);
    }
  return info;
}

static const char *
mode_in_words (const char *mode)
{
  if (g_strcmp0 (mode, AM_LOCK_MODE_TOUR) == 0)
    return C_("lock mode", "Tour");
  if (g_strcmp0 (mode, AM_LOCK_MODE_RESIDENT) == 0)
    return C_("lock mode", "Resident");
  return C_("lock mode", "Not set");
}

static void
update_state (AmLocksDashboard *self)
{
  guint n = self->locks != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->locks)) : 0;
  g_autofree char *count = g_strdup_printf (ngettext ("%u lock", "%u locks", n), n);
  gboolean filtered = self->locks != NULL &&
                      (am_lock_list_get_search (self->locks) != NULL ||
                       am_lock_list_get_property_id (self->locks) != NULL);

  adw_window_title_set_subtitle (self->window_title, count);
  if (n > 0)
    am_unlock_flow_show_only (self->list_stack, "list");
  else
    am_unlock_flow_show_only (self->list_stack, filtered ? "no-results" : "empty");
}

/* GTK 4.8 names neither a drop-down's button nor a column view's list
 * for assistive technologies: they take their parent's name. */
static void
name_inner_widgets (GtkWidget  *widget,
                    GType       type,
                    const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

/* Cells */

static void
on_setup_cell_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
on_bind_cell_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 AmLocksDashboard         *self)
{
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "am-column"));
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  AmLock *lock = gtk_list_item_get_item (item);
  PropertyInfo *info = lookup_property (self, am_lock_get_property_id (lock));
  g_autofree char *text = NULL;
  const char *tooltip = NULL;
  gboolean low = FALSE;

  switch (column)
    {
    case COLUMN_PROPERTY:
      text = g_strdup (info->name);
      break;
    case COLUMN_LOCK:
      text = g_strdup (am_lock_get_name (lock));
      break;
    case COLUMN_UNIT:
      text = g_strdup (am_lock_get_unit (lock) != NULL ? am_lock_get_unit (lock) : "");
      break;
    case COLUMN_BATTERY:
      {
        gint battery = am_facade_get_lock_battery (self->facade, lock);

        if (battery < 0)
          text = g_strdup (_("Not known"));
        else if (battery < AM_LOCK_BATTERY_LOW)
          {
            /* Translators: a lock's battery level below the warning threshold */
            text = g_strdup_printf (_("%d %% — low"), battery);
            tooltip = _("Low battery: replace the lock’s batteries soon");
            low = TRUE;
          }
        else
          /* Translators: a lock's battery level */
          text = g_strdup_printf (_("%d %%"), battery);
      }
      break;
    case COLUMN_MODE:
      text = g_strdup (mode_in_words (am_lock_get_mode (lock)));
      break;
    case COLUMN_LAST_ACTIVITY:
      {
        g_autoptr(AmLockEventRecord) last = am_facade_get_last_lock_event (self->facade, am_lock_get_id (lock));

        text = last != NULL ? am_unlock_flow_format_date_time (info->zone, am_lock_event_record_get_at (last))
                            : g_strdup (_("None yet"));
      }
      break;
    case COLUMN_LAST_VISIT:
      {
        gint64 at = am_facade_get_lock_last_visit (self->facade, am_lock_get_id (lock), NULL);

        text = at > 0 ? am_unlock_flow_format_date_time (info->zone, at) : g_strdup (_("Never from here"));
      }
      break;
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }

  gtk_label_set_text (label, text);
  /* Setting a tooltip, even the same one, asks the display where the
   * pointer is: one round trip a cell of every row bound after a sort. */
  if (g_strcmp0 (gtk_widget_get_tooltip_text (GTK_WIDGET (label)), tooltip) != 0)
    gtk_widget_set_tooltip_text (GTK_WIDGET (label), tooltip);
  if (low)
    gtk_widget_add_css_class (GTK_WIDGET (label), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "warning");
}

/* Sorting */

static int
probe_compare (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  GObject *sorter = user_data;
  AmLocksDashboard *self = g_object_get_data (sorter, "am-dashboard");

  if (self->probe_hit < 0)
    self->probe_hit = GPOINTER_TO_INT (g_object_get_data (sorter, "am-column"));
  return GTK_ORDERING_SMALLER;
}

static void
on_sorter_changed_cb (GtkSorter        *sorter,
                      GtkSorterChange   change,
                      AmLocksDashboard *self)
{
  GtkOrdering order;

  if (self->locks == NULL)
    return;
  self->probe_hit = -1;
  order = gtk_sorter_compare (sorter, self->probe_a, self->probe_b);
  if (self->probe_hit < 0)
    am_lock_list_set_sort (self->locks, AM_LOCK_SORT_PROPERTY, FALSE);
  else
    am_lock_list_set_sort (self->locks, column_sorts[self->probe_hit], order == GTK_ORDERING_LARGER);
}

/* Filtering */

static void
on_search_changed_cb (AmLocksDashboard *self)
{
  if (self->locks == NULL)
    return;
  am_lock_list_set_search (self->locks, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  update_state (self);
}

static void
on_stop_search_cb (AmLocksDashboard *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
on_property_selected_cb (AmLocksDashboard *self)
{
  gpointer item = gtk_drop_down_get_selected_item (self->property_dropdown);

  if (self->locks == NULL)
    return;
  am_lock_list_set_property_id (self->locks, AM_IS_PROPERTY (item) ? am_property_get_id (item) : NULL);
  update_state (self);
}

/* The property filter's items: "All Properties", then the properties. */
static char *
item_name (GObject *item)
{
  if (AM_IS_PROPERTY (item))
    return g_strdup (am_property_get_name (AM_PROPERTY (item)));
  if (GTK_IS_STRING_OBJECT (item))
    return g_strdup (gtk_string_object_get_string (GTK_STRING_OBJECT (item)));
  return g_strdup ("");
}

static void
on_activate_cb (AmLocksDashboard *self,
                guint             position)
{
  g_autoptr(AmLock) lock = NULL;

  if (self->locks == NULL)
    return;
  lock = g_list_model_get_item (G_LIST_MODEL (self->locks), position);
  if (lock != NULL)
    g_signal_emit (self, signals[LOCK_ACTIVATED], 0, lock);
}

static void
on_store_changed_cb (AmLocksDashboard *self,
                     guint             type,
                     GArray           *ids)
{
  /* A property renamed, or moved to another zone. */
  if (type == AM_RECORD_PROPERTY)
    g_hash_table_remove_all (self->property_info);
}

static void
setup_model (AmLocksDashboard *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;
  g_autoptr(GListStore) parts = NULL;
  g_autoptr(GtkStringList) all = NULL;
  g_autoptr(GtkFlattenListModel) choices = NULL;
  const char *all_properties[] = { _("All Properties"), NULL };

  gtk_column_view_set_model (self->column_view, NULL);
  gtk_drop_down_set_model (self->property_dropdown, NULL);
  if (self->locks != NULL)
    g_signal_handlers_disconnect_by_data (self->locks, self);
  g_clear_object (&self->locks);
  g_clear_object (&self->properties);
  g_hash_table_remove_all (self->property_info);
  if (self->facade == NULL)
    return;

  self->locks = am_facade_list_all_locks (self->facade);
  /* Not ::items-changed: a new order empties the list for a moment. */
  g_signal_connect_swapped (self->locks, "notify::n-items", G_CALLBACK (update_state), self);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->locks)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));

  self->properties = am_facade_list_properties (self->facade);
  all = gtk_string_list_new (all_properties);
  parts = g_list_store_new (G_TYPE_LIST_MODEL);
  g_list_store_append (parts, all);
  g_list_store_append (parts, self->properties);
  choices = gtk_flatten_list_model_new (G_LIST_MODEL (g_steal_pointer (&parts)));
  g_signal_handlers_block_by_func (self->property_dropdown, on_property_selected_cb, self);
  gtk_drop_down_set_model (self->property_dropdown, G_LIST_MODEL (choices));
  gtk_drop_down_set_selected (self->property_dropdown, 0);
  g_signal_handlers_unblock_by_func (self->property_dropdown, on_property_selected_cb, self);

  on_sorter_changed_cb (gtk_column_view_get_sorter (self->column_view), GTK_SORTER_CHANGE_DIFFERENT, self);
  on_search_changed_cb (self);
  update_state (self);
}

/* GObject */

static void
am_locks_dashboard_dispose (GObject *object)
{
  AmLocksDashboard *self = AM_LOCKS_DASHBOARD (object);

  if (self->facade != NULL)
    g_clear_signal_handler (&self->store_changed_id, am_facade_get_store (self->facade));
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), AM_TYPE_LOCKS_DASHBOARD);
  if (self->locks != NULL)
    g_signal_handlers_disconnect_by_data (self->locks, self);
  g_clear_object (&self->locks);
  g_clear_object (&self->properties);
  g_clear_object (&self->facade);
  g_clear_object (&self->probe_a);
  g_clear_object (&self->probe_b);
  g_clear_pointer (&self->property_info, g_hash_table_unref);

  G_OBJECT_CLASS (am_locks_dashboard_parent_class)->dispose (object);
}

static void
am_locks_dashboard_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  AmLocksDashboard *self = AM_LOCKS_DASHBOARD (object);

  switch (prop_id)
    {
    case PROP_FACADE:
      g_value_set_object (value, self->facade);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_locks_dashboard_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  AmLocksDashboard *self = AM_LOCKS_DASHBOARD (object);

  switch (prop_id)
    {
    case PROP_FACADE:
      am_locks_dashboard_set_facade (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_locks_dashboard_class_init (AmLocksDashboardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = am_locks_dashboard_dispose;
  object_class->get_property = am_locks_dashboard_get_property;
  object_class->set_property = am_locks_dashboard_set_property;

  properties[PROP_FACADE] =
    g_param_spec_object ("facade", NULL, NULL, AM_TYPE_FACADE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AmLocksDashboard::lock-activated:
   * @lock: the lock
   *
   * The user opens a lock, to see its passcodes and log.
   */
  signals[LOCK_ACTIVATED] = g_signal_new ("lock-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, AM_TYPE_LOCK);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/am-locks-dashboard.ui");
  gtk_widget_class_bind_template_child (widget_class, AmLocksDashboard, window_title);
  gtk_widget_class_bind_template_child (widget_class, AmLocksDashboard, search_entry);
  gtk_widget_class_bind_template_child (widget_class, AmLocksDashboard, property_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AmLocksDashboard, list_stack);
  gtk_widget_class_bind_template_child (widget_class, AmLocksDashboard, column_view);
  gtk_widget_class_bind_template_child_full (widget_class, "property_column", FALSE,
                                             G_STRUCT_OFFSET (AmLocksDashboard, columns[COLUMN_PROPERTY]));
  gtk_widget_class_bind_template_child_full (widget_class, "lock_column", FALSE,
                                             G_STRUCT_OFFSET (AmLocksDashboard, columns[COLUMN_LOCK]));
  gtk_widget_class_bind_template_child_full (widget_class, "unit_column", FALSE,
                                             G_STRUCT_OFFSET (AmLocksDashboard, columns[COLUMN_UNIT]));
  gtk_widget_class_bind_template_child_full (widget_class, "battery_column", FALSE,
                                             G_STRUCT_OFFSET (AmLocksDashboard, columns[COLUMN_BATTERY]));
  gtk_widget_class_bind_template_child_full (widget_class, "mode_column", FALSE,
                                             G_STRUCT_OFFSET (AmLocksDashboard, columns[COLUMN_MODE]));
  gtk_widget_class_bind_template_child_full (widget_class, "activity_column", FALSE,
                                             G_STRUCT_OFFSET (AmLocksDashboard, columns[COLUMN_LAST_ACTIVITY]));
  gtk_widget_class_bind_template_child_full (widget_class, "visit_column", FALSE,
                                             G_STRUCT_OFFSET (AmLocksDashboard, columns[COLUMN_LAST_VISIT]));
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_property_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_activate_cb);
}

static void
am_locks_dashboard_init (AmLocksDashboard *self)
{
  g_autoptr(GtkExpression) name = NULL;

  self->property_info = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) property_info_free);
  self->probe_a = g_object_new (G_TYPE_OBJECT, NULL);
  self->probe_b = g_object_new (G_TYPE_OBJECT, NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint c = 0; c < N_COLUMNS; c++)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkSorter) sorter = NULL;

      g_object_set_data (G_OBJECT (factory), "am-column", GINT_TO_POINTER (c));
      g_signal_connect (factory, "setup", G_CALLBACK (on_setup_cell_cb), NULL);
      g_signal_connect_object (factory, "bind", G_CALLBACK (on_bind_cell_cb), self, 0);
      gtk_column_view_column_set_factory (self->columns[c], factory);

      sorter = GTK_SORTER (gtk_custom_sorter_new (NULL, NULL, NULL));
      gtk_custom_sorter_set_sort_func (GTK_CUSTOM_SORTER (sorter), probe_compare, sorter, NULL);
      g_object_set_data (G_OBJECT (sorter), "am-column", GINT_TO_POINTER (c));
      g_object_set_data (G_OBJECT (sorter), "am-dashboard", self);
      gtk_column_view_column_set_sorter (self->columns[c], sorter);
    }
  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view), "changed",
                           G_CALLBACK (on_sorter_changed_cb), self, 0);

  name_inner_widgets (GTK_WIDGET (self->property_dropdown), GTK_TYPE_TOGGLE_BUTTON, _("Filter by Property"));
  name_inner_widgets (GTK_WIDGET (self->column_view), GTK_TYPE_LIST_VIEW, _("Locks"));

  name = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL, G_CALLBACK (item_name), NULL, NULL);
  gtk_drop_down_set_expression (self->property_dropdown, name);
  update_state (self);
}

AmFacade *
am_locks_dashboard_get_facade (AmLocksDashboard *self)
{
  g_return_val_if_fail (AM_IS_LOCKS_DASHBOARD (self), NULL);

  return self->facade;
}

void
am_locks_dashboard_set_facade (AmLocksDashboard *self,
                               AmFacade         *facade)
{
  g_return_if_fail (AM_IS_LOCKS_DASHBOARD (self));
  g_return_if_fail (facade == NULL || AM_IS_FACADE (facade));

  if (self->facade == facade)
    return;
  if (self->facade != NULL)
    g_clear_signal_handler (&self->store_changed_id, am_facade_get_store (self->facade));
  g_set_object (&self->facade, facade);
  if (facade != NULL)
    self->store_changed_id = g_signal_connect_swapped (am_facade_get_store (facade), "changed",
                                                       G_CALLBACK (on_store_changed_cb), self);
  setup_model (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FACADE]);
}

/**
 * am_locks_dashboard_get_column_view:
 * @self: a dashboard
 *
 * Returns: (transfer none): the table, for the benchmark's probe and tests
 */
GtkColumnView *
am_locks_dashboard_get_column_view (AmLocksDashboard *self)
{
  g_return_val_if_fail (AM_IS_LOCKS_DASHBOARD (self), NULL);

  return self->column_view;
}
