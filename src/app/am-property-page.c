/* am-property-page.c: one property: where it is, its time zone, its locks, Unlock
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A lock's battery is the one read at the last visit over Bluetooth when
 * there was one (the freshest a desktop can know), else the cloud's. The
 * page follows the cache: a sync that changes the property or its locks
 * shows at once.
 */
#define G_LOG_DOMAIN "am-property-page"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "am-lock-event-record.h"
#include "am-property-page.h"
#include "am-unlock-flow.h"

#define LOW_BATTERY 20

struct _AmPropertyPage
{
  AdwBin          parent_instance;

  AmFacade       *facade;
  AmProperty     *property;
  AmRecordList   *locks;
  GTimeZone      *zone;
  gulong          store_changed_id;
  guint           refresh_source;

  /* Template widgets */
  GtkLabel       *name_label;
  GtkLabel       *address_label;
  GtkLabel       *zone_label;
  GtkButton      *unlock_button;
  GtkStack       *locks_stack;
  GtkListBox     *locks_list;
};

enum {
  PROP_0,
  PROP_FACADE,
  PROP_PROPERTY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AmPropertyPage, am_property_page, ADW_TYPE_BIN)

static const char *
mode_in_words (const char *mode)
{
  if (g_strcmp0 (mode, AM_LOCK_MODE_TOUR) == 0)
    return _("Tour mode");
  if (g_strcmp0 (mode, AM_LOCK_MODE_RESIDENT) == 0)
    return _("Resident mode");
  return NULL;
}

static char *
describe_battery (AmPropertyPage *self,
                  AmLock         *lock,
                  gint           *percent)
{
  gint seen_battery = -1;
  gint64 seen_at;

  seen_at = am_facade_get_lock_last_visit (self->facade, am_lock_get_id (lock), &seen_battery);
  if (seen_at > 0 && seen_battery >= 0)
    {
      g_autofree char *when = am_unlock_flow_format_date_time (self->zone, seen_at);

      *percent = seen_battery;
      /* Translators: a lock's battery level read over Bluetooth, and when, e.g. "Battery 80 % as of last visit (Nov 3, 3:42 PM)" */
      return g_strdup_printf (_("Battery %d %% as of last visit (%s)"), seen_battery, when);
    }

  *percent = am_lock_get_battery (lock);
  if (*percent < 0)
    return g_strdup (_("Battery level not known yet"));
  if (am_lock_get_battery_at (lock) > 0)
    {
      g_autofree char *when = am_unlock_flow_format_date_time (self->zone, am_lock_get_battery_at (lock));

      /* Translators: a lock's battery level as the cloud last heard it, and when */
      return g_strdup_printf (_("Battery %d %% (reported %s)"), *percent, when);
    }
  /* Translators: a lock's battery level */
  return g_strdup_printf (_("Battery %d %%"), *percent);
}

static char *
describe_last_activity (AmPropertyPage *self,
                        AmLock         *lock)
{
  g_autoptr(AmLockEventRecord) last = am_facade_get_last_lock_event (self->facade, am_lock_get_id (lock));
  g_autofree char *when = NULL;

  if (last == NULL)
    return g_strdup (_("No activity recorded yet"));
  when = am_unlock_flow_format_date_time (self->zone, am_lock_event_record_get_at (last));
  /* Translators: when a lock's log last recorded something, in the property's time */
  return g_strdup_printf (_("Last activity %s"), when);
}

static GtkWidget *
create_lock_row (gpointer item,
                 gpointer user_data)
{
  AmPropertyPage *self = user_data;
  AmLock *lock = item;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *battery = NULL;
  g_autofree char *activity = NULL;
  const char *unit = am_lock_get_unit (lock);
  const char *mode = mode_in_words (am_lock_get_mode (lock));
  GtkWidget *row;
  gint percent = -1;

  if (unit != NULL && *unit != '\0')
    /* Translators: the unit (apartment, suite) a lock is on */
    g_string_append_printf (subtitle, _("Unit %s"), unit);
  if (mode != NULL)
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      g_string_append (subtitle, mode);
    }
  battery = describe_battery (self, lock, &percent);
  activity = describe_last_activity (self, lock);
  if (subtitle->len > 0)
    g_string_append_c (subtitle, '\n');
  g_string_append_printf (subtitle, "%s\n%s", battery, activity);

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), am_lock_get_name (lock));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  /* Named by its title already; the details for a screen reader too. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle->str,
                                  -1);

  /* Its passcodes and log, in the Locks Dashboard's window. */
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.show-lock");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", am_lock_get_id (lock));
  gtk_widget_set_tooltip_text (row, _("Show the lock’s passcodes and log"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));

  if (percent >= 0 && percent < LOW_BATTERY)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("battery-caution-symbolic");

      gtk_widget_set_tooltip_text (icon, _("Low battery: replace the lock’s batteries soon"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Low battery"), -1);
      gtk_widget_add_css_class (icon, "warning");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
    }

  return row;
}

/* The zone in words as the unlock dialogs say it, with its UTC offset now,
 * e.g. "America/Chicago (CST), UTC−06:00". */
static char *
describe_zone (GTimeZone *zone)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *words = am_unlock_flow_describe_zone (zone, now);
  int interval = g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, now);
  gint32 offset = g_time_zone_get_offset (zone, MAX (interval, 0));
  g_autofree char *utc = NULL;

  if (strstr (words, "UTC") != NULL)
    return g_steal_pointer (&words);
  if (offset == 0)
    utc = g_strdup ("UTC");
  else
    utc = g_strdup_printf ("UTC%s%02d:%02d", offset < 0 ? "−" : "+",
                           ABS (offset) / 3600, (ABS (offset) % 3600) / 60);
  /* Translators: a time zone in words, then its offset from UTC now */
  return g_strdup_printf (_("%s, %s"), words, utc);
}

static char *
format_address (AmProperty *property)
{
  const char *parts[] = {
    am_property_get_address (property),
    am_property_get_city (property),
    am_property_get_region (property),
    am_property_get_postal_code (property),
  };
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      if (parts[i] == NULL || *parts[i] == '\0')
        continue;
      if (text->len > 0)
        g_string_append (text, i == 3 ? " " : ", ");
      g_string_append (text, parts[i]);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
update_locks (AmPropertyPage *self)
{
  guint n;

  g_clear_object (&self->locks);
  if (self->facade != NULL && self->property != NULL)
    self->locks = am_facade_list_locks (self->facade, am_property_get_id (self->property));

  gtk_list_box_bind_model (self->locks_list, G_LIST_MODEL (self->locks),
                           self->locks != NULL ? create_lock_row : NULL, self, NULL);
  n = self->locks != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->locks)) : 0;
  am_unlock_flow_show_only (self->locks_stack, n > 0 ? "locks" : "none");
  gtk_widget_set_sensitive (GTK_WIDGET (self->unlock_button), n > 0);
}

static void
update (AmPropertyPage *self)
{
  g_autofree char *address = NULL;
  g_autofree char *zone = NULL;

  g_clear_pointer (&self->zone, g_time_zone_unref);
  if (self->property == NULL)
    {
      gtk_label_set_text (self->name_label, "");
      gtk_label_set_text (self->address_label, "");
      gtk_label_set_text (self->zone_label, "");
      update_locks (self);
      return;
    }

  self->zone = am_unlock_flow_property_zone (self->property);
  address = format_address (self->property);
  zone = describe_zone (self->zone);
  gtk_label_set_text (self->name_label, am_property_get_name (self->property));
  gtk_label_set_text (self->address_label, address);
  gtk_label_set_text (self->zone_label, zone);
  update_locks (self);
}

static gboolean
on_refresh_cb (gpointer user_data)
{
  AmPropertyPage *self = user_data;

  self->refresh_source = 0;
  if (self->facade != NULL && self->property != NULL)
    {
      g_autoptr(AmProperty) fresh = am_facade_get_property (self->facade,
                                                            am_property_get_id (self->property));

      /* Gone from the cache (access withdrawn): keep showing what was known;
       * the list no longer offers it. */
      if (fresh != NULL)
        g_set_object (&self->property, fresh);
    }
  update (self);
  return G_SOURCE_REMOVE;
}

static void
on_store_changed_cb (AmPropertyPage *self,
                     guint           type,
                     GArray         *ids)
{
  if (type == AM_RECORD_OUTBOX || self->property == NULL || self->refresh_source != 0)
    return;
  self->refresh_source = g_idle_add (on_refresh_cb, self);
}

static void
on_unlock_clicked_cb (AmPropertyPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->facade == NULL || self->property == NULL)
    return;
  am_unlock_flow_present (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                          self->facade, self->property);
}

static void
am_property_page_dispose (GObject *object)
{
  AmPropertyPage *self = AM_PROPERTY_PAGE (object);

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->facade != NULL)
    g_clear_signal_handler (&self->store_changed_id, am_facade_get_store (self->facade));
  gtk_widget_dispose_template (GTK_WIDGET (self), AM_TYPE_PROPERTY_PAGE);
  g_clear_object (&self->locks);
  g_clear_object (&self->property);
  g_clear_object (&self->facade);
  g_clear_pointer (&self->zone, g_time_zone_unref);

  G_OBJECT_CLASS (am_property_page_parent_class)->dispose (object);
}

static void
am_property_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  AmPropertyPage *self = AM_PROPERTY_PAGE (object);

  switch (prop_id)
    {
    case PROP_FACADE:
      g_value_set_object (value, self->facade);
      break;
    case PROP_PROPERTY:
      g_value_set_object (value, self->property);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_property_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  AmPropertyPage *self = AM_PROPERTY_PAGE (object);

  switch (prop_id)
    {
    case PROP_FACADE:
      am_property_page_set_facade (self, g_value_get_object (value));
      break;
    case PROP_PROPERTY:
      am_property_page_set_property_item (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_property_page_class_init (AmPropertyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = am_property_page_dispose;
  object_class->get_property = am_property_page_get_property;
  object_class->set_property = am_property_page_set_property;

  properties[PROP_FACADE] =
    g_param_spec_object ("facade", NULL, NULL, AM_TYPE_FACADE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROPERTY] =
    g_param_spec_object ("property", NULL, NULL, AM_TYPE_PROPERTY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/am-property-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AmPropertyPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, AmPropertyPage, address_label);
  gtk_widget_class_bind_template_child (widget_class, AmPropertyPage, zone_label);
  gtk_widget_class_bind_template_child (widget_class, AmPropertyPage, unlock_button);
  gtk_widget_class_bind_template_child (widget_class, AmPropertyPage, locks_stack);
  gtk_widget_class_bind_template_child (widget_class, AmPropertyPage, locks_list);
  gtk_widget_class_bind_template_callback (widget_class, on_unlock_clicked_cb);
}

static void
am_property_page_init (AmPropertyPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

AmFacade *
am_property_page_get_facade (AmPropertyPage *self)
{
  g_return_val_if_fail (AM_IS_PROPERTY_PAGE (self), NULL);

  return self->facade;
}

void
am_property_page_set_facade (AmPropertyPage *self,
                             AmFacade       *facade)
{
  g_return_if_fail (AM_IS_PROPERTY_PAGE (self));
  g_return_if_fail (facade == NULL || AM_IS_FACADE (facade));

  if (self->facade == facade)
    return;
  if (self->facade != NULL)
    g_clear_signal_handler (&self->store_changed_id, am_facade_get_store (self->facade));
  g_set_object (&self->facade, facade);
  if (facade != NULL)
    self->store_changed_id = g_signal_connect_swapped (am_facade_get_store (facade), "changed",
                                                       G_CALLBACK (on_store_changed_cb), self);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FACADE]);
}

AmProperty *
am_property_page_get_property_item (AmPropertyPage *self)
{
  g_return_val_if_fail (AM_IS_PROPERTY_PAGE (self), NULL);

  return self->property;
}

void
am_property_page_set_property_item (AmPropertyPage *self,
                                    AmProperty     *property)
{
  g_return_if_fail (AM_IS_PROPERTY_PAGE (self));
  g_return_if_fail (property == NULL || AM_IS_PROPERTY (property));

  if (self->property == property)
    return;
  g_set_object (&self->property, property);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROPERTY]);
}
