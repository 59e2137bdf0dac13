/* am-unlock-flow.c: unlocking a property: the lock picker, then Bluetooth or a code
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A modal window over the main window. With several locks it first asks
 * which; then it offers the two methods of the mobile app: Bluetooth Unlock,
 * at the door, and Code Unlock, a code to share. A method the user cannot
 * use now stays visible, insensitive, with the reason under it. Choosing one
 * hands over to its dialog and closes the flow.
 */
#define G_LOG_DOMAIN "am-unlock-flow"

#include "config.h"

#include <glib/gi18n.h>

#include "am-access-dialog.h"
#include "am-ble-dialog.h"
#include "am-unlock-flow.h"

struct _AmUnlockFlow
{
  AdwWindow       parent_instance;

  GtkWindow      *parent;          /* weak: the dialogs that follow go on it */
  AmFacade       *facade;
  AmProperty     *property;
  AmGrant        *grant;
  AmRecordList   *locks;
  AmLock         *lock;

  /* Template widgets */
  GtkButton      *back_button;
  AdwWindowTitle *window_title;
  GtkStack       *stack;
  GtkListBox     *lock_list;
  GtkButton      *ble_button;
  GtkButton      *code_button;
  GtkLabel       *ble_explanation;
  GtkLabel       *code_explanation;
  GtkLabel       *ble_reason;
  GtkLabel       *code_reason;
};

G_DEFINE_FINAL_TYPE (AmUnlockFlow, am_unlock_flow, ADW_TYPE_WINDOW)

static gboolean
has_permission (AmUnlockFlow *self,
                const char   *permission)
{
  return self->grant != NULL && am_grant_has_permission (self->grant, permission);
}

/* Why Bluetooth Unlock cannot be used now, or NULL. */
static const char *
ble_reason (AmUnlockFlow *self)
{
  if (!has_permission (self, AM_PERMISSION_BLE_UNLOCK))
    return _("Your account may not open this property’s doors over Bluetooth. Ask your company’s administrator for the permission.");

  switch (am_facade_get_bluetooth_state (self->facade))
    {
    case AM_BLUETOOTH_ON:
      return NULL;
    case AM_BLUETOOTH_UNKNOWN:
      return _("Checking Bluetooth…");
    case AM_BLUETOOTH_UNAVAILABLE:
      return _("The Bluetooth service is not running on this computer. Start it, or use Code Unlock.");
    case AM_BLUETOOTH_NO_ADAPTER:
      return _("This computer has no Bluetooth adapter. Use Code Unlock instead.");
    case AM_BLUETOOTH_OFF:
    default:
      return _("Bluetooth is off. Turn it on in Settings to open the door from here.");
    }
}

static const char *
code_reason (AmUnlockFlow *self)
{
  if (!has_permission (self, AM_PERMISSION_GENERATE_CODES))
    return _("Your account may not create codes for this property. Ask your company’s administrator for the permission.");
  return NULL;
}

static void
update_choice (GtkButton  *button,
               GtkLabel   *explanation,
               GtkLabel   *reason_label,
               const char *reason)
{
  gtk_widget_set_sensitive (GTK_WIDGET (button), reason == NULL);
  gtk_label_set_label (reason_label, reason != NULL ? reason : "");
  gtk_widget_set_visible (GTK_WIDGET (reason_label), reason != NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  reason != NULL ? reason : gtk_label_get_label (explanation),
                                  -1);
}

static void
update_methods (AmUnlockFlow *self)
{
  /* The action, not the button: an action enabled again would make the button sensitive. */
  const char *ble = ble_reason (self);
  const char *code = code_reason (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "flow.bluetooth", ble == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "flow.code", code == NULL);
  update_choice (self->ble_button, self->ble_explanation, self->ble_reason, ble);
  update_choice (self->code_button, self->code_explanation, self->code_reason, code);
}

static guint
n_locks (AmUnlockFlow *self)
{
  return g_list_model_get_n_items (G_LIST_MODEL (self->locks));
}

static void
show_methods (AmUnlockFlow *self,
              AmLock       *lock)
{
  g_autofree char *subtitle = NULL;

  g_set_object (&self->lock, lock);
  subtitle = g_strdup_printf ("%s · %s", am_property_get_name (self->property), am_lock_get_name (lock));
  adw_window_title_set_subtitle (self->window_title, n_locks (self) > 1 ? subtitle : am_property_get_name (self->property));
  update_methods (self);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), n_locks (self) > 1);
  gtk_stack_set_visible_child_name (self->stack, "methods");
  if (gtk_widget_get_sensitive (GTK_WIDGET (self->ble_button)))
    gtk_widget_grab_focus (GTK_WIDGET (self->ble_button));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->code_button));
}

static void
show_locks (AmUnlockFlow *self)
{
  g_clear_object (&self->lock);
  adw_window_title_set_subtitle (self->window_title, am_property_get_name (self->property));
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "locks");
}

/* The first page for the locks there are. */
static void
show_first_page (AmUnlockFlow *self)
{
  guint n = n_locks (self);

  if (n == 0)
    {
      g_clear_object (&self->lock);
      gtk_widget_set_visible (GTK_WIDGET (self->back_button), FALSE);
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
  else if (n == 1)
    {
      g_autoptr(AmLock) lock = g_list_model_get_item (G_LIST_MODEL (self->locks), 0);

      show_methods (self, lock);
    }
  else
    show_locks (self);
}

static GtkWidget *
create_lock_row (gpointer item,
                 gpointer user_data)
{
  AmLock *lock = AM_LOCK (item);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");
  const char *unit = am_lock_get_unit (lock);

  /* A lock's name and unit are data, not markup (rows take markup by
   * default in libadwaita 1.2). */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), am_lock_get_name (lock));
  if (unit != NULL && *unit != '\0')
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), unit);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (arrow), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);
  g_object_set_data_full (G_OBJECT (row), "am-lock", g_object_ref (lock), g_object_unref);
  return row;
}

static void
on_lock_row_activated_cb (AmUnlockFlow  *self,
                          GtkListBoxRow *row)
{
  AmLock *lock = g_object_get_data (G_OBJECT (row), "am-lock");

  g_assert (AM_IS_LOCK (lock));
  show_methods (self, lock);
}

static void
on_locks_changed_cb (AmUnlockFlow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  /* Sync may bring the first locks, or more of them: follow, unless the
   * user already chose one. */
  if (g_strcmp0 (page, "methods") != 0 || n_locks (self) == 1)
    show_first_page (self);
}

static void
on_bluetooth_state_changed_cb (AmUnlockFlow *self)
{
  update_methods (self);
}

static void
flow_back_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  AmUnlockFlow *self = AM_UNLOCK_FLOW (widget);

  if (n_locks (self) > 1)
    show_locks (self);
}

static void
flow_bluetooth_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  AmUnlockFlow *self = AM_UNLOCK_FLOW (widget);
  AmBleDialog *dialog;

  if (self->lock == NULL || ble_reason (self) != NULL)
    return;

  dialog = am_ble_dialog_new (self->parent, self->facade, self->property, self->lock);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
flow_code_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  AmUnlockFlow *self = AM_UNLOCK_FLOW (widget);
  AmAccessDialog *dialog;

  if (self->lock == NULL || code_reason (self) != NULL)
    return;

  dialog = am_access_dialog_new (self->parent, self->facade, self->property, self->lock);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
am_unlock_flow_dispose (GObject *object)
{
  AmUnlockFlow *self = AM_UNLOCK_FLOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), AM_TYPE_UNLOCK_FLOW);
  g_clear_weak_pointer (&self->parent);
  g_clear_object (&self->facade);
  g_clear_object (&self->property);
  g_clear_object (&self->grant);
  g_clear_object (&self->locks);
  g_clear_object (&self->lock);

  G_OBJECT_CLASS (am_unlock_flow_parent_class)->dispose (object);
}

static void
am_unlock_flow_class_init (AmUnlockFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = am_unlock_flow_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/am-unlock-flow.ui");
  gtk_widget_class_bind_template_child (widget_class, AmUnlockFlow, back_button);
  gtk_widget_class_bind_template_child (widget_class, AmUnlockFlow, window_title);
  gtk_widget_class_bind_template_child (widget_class, AmUnlockFlow, stack);
  gtk_widget_class_bind_template_child (widget_class, AmUnlockFlow, lock_list);
  gtk_widget_class_bind_template_child (widget_class, AmUnlockFlow, ble_button);
  gtk_widget_class_bind_template_child (widget_class, AmUnlockFlow, code_button);
  gtk_widget_class_bind_template_child (widget_class, AmUnlockFlow, ble_explanation);
  gtk_widget_class_bind_template_child (widget_class, AmUnlockFlow, code_explanation);
  gtk_widget_class_bind_template_child (widget_class, AmUnlockFlow, ble_reason);
  gtk_widget_class_bind_template_child (widget_class, AmUnlockFlow, code_reason);
  gtk_widget_class_bind_template_callback (widget_class, on_lock_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "flow.back", NULL, flow_back_action);
  gtk_widget_class_install_action (widget_class, "flow.bluetooth", NULL, flow_bluetooth_action);
  gtk_widget_class_install_action (widget_class, "flow.code", NULL, flow_code_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "flow.back", NULL);
}

static void
am_unlock_flow_init (AmUnlockFlow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Public API */

void
am_unlock_flow_present (GtkWindow  *parent,
                        AmFacade   *facade,
                        AmProperty *property)
{
  AmUnlockFlow *self;
  const char *property_id;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (AM_IS_FACADE (facade));
  g_return_if_fail (AM_IS_PROPERTY (property));

  property_id = am_property_get_id (property);
  self = g_object_new (AM_TYPE_UNLOCK_FLOW, "transient-for", parent, NULL);
  g_set_weak_pointer (&self->parent, parent);
  self->facade = g_object_ref (facade);
  self->property = g_object_ref (property);
  self->grant = am_facade_get_grant (facade, property_id);
  self->locks = am_facade_list_locks (facade, property_id);

  adw_window_title_set_subtitle (self->window_title, am_property_get_name (property));
  gtk_list_box_bind_model (self->lock_list, G_LIST_MODEL (self->locks),
                           create_lock_row, NULL, NULL);
  g_signal_connect_object (self->locks, "items-changed",
                           G_CALLBACK (on_locks_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (facade, "notify::bluetooth-state",
                           G_CALLBACK (on_bluetooth_state_changed_cb), self, G_CONNECT_SWAPPED);

  show_first_page (self);
  gtk_window_present (GTK_WINDOW (self));
}

/* Shared by the unlock dialogs */

/**
 * am_unlock_flow_property_zone:
 * @property: a property
 *
 * Returns: (transfer full): the property's time zone; the desktop's when the
 *   property names none GLib knows
 */
GTimeZone *
am_unlock_flow_property_zone (AmProperty *property)
{
  const char *identifier = am_property_get_timezone (property);
  GTimeZone *zone = NULL;

  if (identifier != NULL && *identifier != '\0')
    zone = g_time_zone_new_identifier (identifier);
  if (zone == NULL)
    {
      g_debug ("Property %s has no usable time zone; using the desktop's", am_property_get_id (property));
      zone = g_time_zone_new_local ();
    }
  return zone;
}

static gint32
offset_at (GTimeZone *zone,
           gint64     utc)
{
  int interval = g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, utc);

  return g_time_zone_get_offset (zone, interval);
}

/**
 * am_unlock_flow_zone_is_local:
 * @zone: a time zone
 *
 * Returns: whether @zone is the desktop's: the same name, or the same UTC
 *   offsets today and in half a year
 */
gboolean
am_unlock_flow_zone_is_local (GTimeZone *zone)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 half_year = 183 * 24 * 3600;

  if (g_strcmp0 (g_time_zone_get_identifier (zone), g_time_zone_get_identifier (local)) == 0)
    return TRUE;
  return offset_at (zone, now) == offset_at (local, now)
         && offset_at (zone, now + half_year) == offset_at (local, now + half_year);
}

static gboolean clock_24h;

static void
on_clock_format_cb (GSettings *settings)
{
  g_autofree char *format = g_settings_get_string (settings, "clock-format");

  clock_24h = g_strcmp0 (format, "24h") == 0;
}

/* The desktop's clock format, as the user sets it, followed as it changes:
 * every row of a list formats a time. */
static gboolean
clock_is_24h (void)
{
  static gsize looked_up;

  if (g_once_init_enter (&looked_up))
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr(GSettingsSchema) schema = NULL;

      if (source != NULL)
        schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);
      if (schema != NULL && g_settings_schema_has_key (schema, "clock-format"))
        {
          /* Kept for the life of the process. */
          GSettings *settings = g_settings_new ("org.gnome.desktop.interface");

          g_signal_connect (settings, "changed::clock-format", G_CALLBACK (on_clock_format_cb), NULL);
          on_clock_format_cb (settings);
        }
      g_once_init_leave (&looked_up, 1);
    }
  return clock_24h;
}

static GDateTime *
date_time_in (GTimeZone *zone,
              gint64     utc)
{
  g_autoptr(GDateTime) instant = g_date_time_new_from_unix_utc (utc);

  return g_date_time_to_timezone (instant, zone);
}

/**
 * am_unlock_flow_format_time:
 * @zone: the time zone to show it in
 * @utc: an instant, UTC seconds
 *
 * Returns: (transfer full): the time of day, as the desktop's clock shows it
 */
char *
am_unlock_flow_format_time (GTimeZone *zone,
                            gint64     utc)
{
  g_autoptr(GDateTime) time = date_time_in (zone, utc);

  if (clock_is_24h ())
    /* Translators: a time of day on a 24-hour clock; see g_date_time_format() */
    return g_date_time_format (time, C_("time", "%H:%M"));
  /* Translators: a time of day on a 12-hour clock, e.g. "3:00 PM"; see g_date_time_format() */
  return g_date_time_format (time, C_("time", "%-l:%M %p"));
}

/**
 * am_unlock_flow_format_date:
 * @zone: the time zone to show it in
 * @utc: an instant, UTC seconds
 *
 * Returns: (transfer full): the date, with the year when it is not this one
 */
char *
am_unlock_flow_format_date (GTimeZone *zone,
                            gint64     utc)
{
  g_autoptr(GDateTime) date = date_time_in (zone, utc);
  g_autoptr(GDateTime) now = g_date_time_new_now (zone);

  if (g_date_time_get_year (date) == g_date_time_get_year (now))
    /* Translators: a date in this year, e.g. "Tue, Mar 10"; see g_date_time_format() */
    return g_date_time_format (date, C_("date", "%a, %b %-d"));
  /* Translators: a date in another year, e.g. "Tue, Mar 10, 2026"; see g_date_time_format() */
  return g_date_time_format (date, C_("date", "%a, %b %-d, %Y"));
}

/**
 * am_unlock_flow_format_date_time:
 * @zone: the time zone to show it in
 * @utc: an instant, UTC seconds
 *
 * Returns: (transfer full): the date and the time of day
 */
char *
am_unlock_flow_format_date_time (GTimeZone *zone,
                                 gint64     utc)
{
  g_autofree char *date = am_unlock_flow_format_date (zone, utc);
  g_autofree char *time = am_unlock_flow_format_time (zone, utc);

  /* Translators: a date and a time of day, e.g. "Tue, Mar 10, 3:00 PM" */
  return g_strdup_printf (C_("date and time", "%1$s, %2$s"), date, time);
}

/**
 * am_unlock_flow_format_window:
 * @zone: the time zone to show it in
 * @starts_at: its start, UTC seconds
 * @ends_at: its end, UTC seconds
 *
 * Returns: (transfer full): the window, the end's date only when it differs
 */
char *
am_unlock_flow_format_window (GTimeZone *zone,
                              gint64     starts_at,
                              gint64     ends_at)
{
  g_autofree char *start = am_unlock_flow_format_date_time (zone, starts_at);
  g_autofree char *start_date = am_unlock_flow_format_date (zone, starts_at);
  g_autofree char *end_date = am_unlock_flow_format_date (zone, ends_at);
  g_autofree char *end = NULL;

  if (g_strcmp0 (start_date, end_date) == 0)
    end = am_unlock_flow_format_time (zone, ends_at);
  else
    end = am_unlock_flow_format_date_time (zone, ends_at);

  /* Translators: a time window, e.g. "Tue, Mar 10, 3:00 PM to 7:00 PM" */
  return g_strdup_printf (_("%1$s to %2$s"), start, end);
}

/**
 * am_unlock_flow_describe_zone:
 * @zone: a time zone
 * @near_utc: an instant whose abbreviation (standard or daylight time) to name
 *
 * Returns: (transfer full): the zone's name and abbreviation, e.g.
 *   "America/Chicago (CDT)"
 */
char *
am_unlock_flow_describe_zone (GTimeZone *zone,
                              gint64     near_utc)
{
  int interval = g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, near_utc);
  const char *abbreviation = g_time_zone_get_abbreviation (zone, interval);
  const char *identifier = g_time_zone_get_identifier (zone);

  if (abbreviation == NULL || *abbreviation == '\0' || g_strcmp0 (abbreviation, identifier) == 0)
    return g_strdup (identifier);
  /* Translators: a time zone's name and its abbreviation, e.g. "America/Chicago (CDT)" */
  return g_strdup_printf (C_("time zone", "%1$s (%2$s)"), identifier, abbreviation);
}

/**
 * am_unlock_flow_name_button:
 * @button: a button with a label
 *
 * GTK 4.8 names a button with a label twice over, by its label text
 * (mnemonic underscore included) and by the label widget: "_Cancel Cancel".
 * This leaves one name, the label as shown. Call it again after
 * gtk_button_set_label().
 */
void
am_unlock_flow_name_button (GtkButton *button)
{
  const char *label = gtk_button_get_label (button);
  g_autoptr(GString) plain = NULL;

  g_return_if_fail (GTK_IS_BUTTON (button));

  if (label == NULL)
    return;
  plain = g_string_new (NULL);
  for (const char *c = label; *c != '\0'; c++)
    {
      if (*c == '_' && gtk_button_get_use_underline (button))
        {
          if (c[1] != '_')
            continue;
          c++;
        }
      g_string_append_c (plain, *c);
    }
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, plain->str, -1);
}

/**
 * am_unlock_flow_show_only:
 * @stack: a stack
 * @name: the page to show
 *
 * Shows one page of a stack and hides the others: GTK 4.8 exports the
 * widgets of a stack's hidden pages as visible to assistive technologies.
 * A focus inside a page being hidden is let go first.
 */
void
am_unlock_flow_show_only (GtkStack   *stack,
                          const char *name)
{
  GtkWidget *page = gtk_stack_get_child_by_name (stack, name);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (stack));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  gtk_widget_set_visible (page, TRUE);
  gtk_stack_set_visible_child (stack, page);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (stack));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (child == page)
        continue;
      /* Hiding a focused entry would leave its cursor blinking without
       * focus: let the focus go first, with a proper focus-out. */
      if (focus != NULL && (focus == child || gtk_widget_is_ancestor (focus, child)))
        {
          gtk_root_set_focus (root, NULL);
          focus = NULL;
        }
      gtk_widget_set_visible (child, FALSE);
    }
}
