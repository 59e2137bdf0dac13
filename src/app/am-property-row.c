/* am-property-row.c: a property in the list: name, address, its local time, its locks
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The time is the property's own wall clock, the one a prospect at its door
 * sees; it is refreshed at each new minute while the row is on screen.
 */
#define G_LOG_DOMAIN "am-property-row"

#include "config.h"

#include <glib/gi18n.h>

#include "am-property-row.h"
#include "am-unlock-flow.h"

struct _AmPropertyRow
{
  AdwBin      parent_instance;

  AmProperty *item;
  guint       lock_count;
  GTimeZone  *zone;
  guint       minute_source;
  gint64      shown_minute;     /* of the time the row shows */

  /* Template widgets */
  GtkLabel   *name_label;
  GtkLabel   *address_label;
  GtkLabel   *details_label;
};

enum {
  PROP_0,
  PROP_ITEM,
  PROP_LOCK_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AmPropertyRow, am_property_row, ADW_TYPE_BIN)

static gboolean on_minute_cb (gpointer user_data);

static char *
format_address (AmProperty *property)
{
  const char *address = am_property_get_address (property);
  const char *city = am_property_get_city (property);

  if (address != NULL && *address != '\0' && city != NULL && *city != '\0')
    /* Translators: a street address, then its city */
    return g_strdup_printf (_("%s, %s"), address, city);
  if (address != NULL && *address != '\0')
    return g_strdup (address);
  return g_strdup (city != NULL ? city : "");
}

static void
update_details (AmPropertyRow *self)
{
  g_autofree char *time = NULL;
  g_autofree char *locks = NULL;
  g_autofree char *details = NULL;

  if (self->item == NULL)
    {
      gtk_label_set_text (self->details_label, "");
      return;
    }

  if (self->lock_count == 0)
    locks = g_strdup (_("No locks"));
  else
    locks = g_strdup_printf (ngettext ("%u lock", "%u locks", self->lock_count),
                             self->lock_count);

  self->shown_minute = g_get_real_time () / G_USEC_PER_SEC / 60;
  time = am_unlock_flow_format_time (self->zone, self->shown_minute * 60);
  /* Translators: the property's local time now, then its number of locks, e.g. "3:42 PM there · 2 locks" */
  details = g_strdup_printf (_("%s there · %s"), time, locks);
  gtk_label_set_text (self->details_label, details);
}

static void
update_accessible_label (AmPropertyRow *self)
{
  g_autofree char *address = NULL;
  g_autofree char *label = NULL;
  GtkWidget *parent;

  if (self->item == NULL)
    return;

  address = format_address (self->item);
  /* Translators: how a screen reader names a property in the list: its name, then its address */
  label = g_strdup_printf (_("%s, %s"), am_property_get_name (self->item), address);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);

  /* GTK 4.8 has no API to name a list view's item; name the item widget
   * that holds this row, so that it is not announced by its type name. */
  parent = gtk_widget_get_parent (GTK_WIDGET (self));
  if (parent != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (parent), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
update (AmPropertyRow *self)
{
  g_autofree char *address = NULL;

  g_clear_pointer (&self->zone, g_time_zone_unref);
  if (self->item == NULL)
    {
      gtk_label_set_text (self->name_label, "");
      gtk_label_set_text (self->address_label, "");
      update_details (self);
      return;
    }

  self->zone = am_unlock_flow_property_zone (self->item);
  address = format_address (self->item);
  gtk_label_set_text (self->name_label, am_property_get_name (self->item));
  gtk_label_set_text (self->address_label, address);
  update_details (self);
  update_accessible_label (self);
}

static void
schedule_minute (AmPropertyRow *self)
{
  gint64 now_ms = g_get_real_time () / 1000;
  guint wait_ms = 60000 - (guint) (now_ms % 60000) + 50;

  g_clear_handle_id (&self->minute_source, g_source_remove);
  self->minute_source = g_timeout_add (wait_ms, on_minute_cb, self);
}

static gboolean
on_minute_cb (gpointer user_data)
{
  AmPropertyRow *self = user_data;

  self->minute_source = 0;
  update_details (self);
  schedule_minute (self);
  return G_SOURCE_REMOVE;
}

static void
am_property_row_map (GtkWidget *widget)
{
  AmPropertyRow *self = AM_PROPERTY_ROW (widget);

  GTK_WIDGET_CLASS (am_property_row_parent_class)->map (widget);
  /* Back on screen after a while: the time has moved on. */
  if (self->shown_minute != g_get_real_time () / G_USEC_PER_SEC / 60)
    update_details (self);
  schedule_minute (self);
}

static void
am_property_row_unmap (GtkWidget *widget)
{
  AmPropertyRow *self = AM_PROPERTY_ROW (widget);

  g_clear_handle_id (&self->minute_source, g_source_remove);
  GTK_WIDGET_CLASS (am_property_row_parent_class)->unmap (widget);
}

static void
am_property_row_dispose (GObject *object)
{
  AmPropertyRow *self = AM_PROPERTY_ROW (object);

  g_clear_handle_id (&self->minute_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), AM_TYPE_PROPERTY_ROW);
  g_clear_object (&self->item);
  g_clear_pointer (&self->zone, g_time_zone_unref);

  G_OBJECT_CLASS (am_property_row_parent_class)->dispose (object);
}

static void
am_property_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  AmPropertyRow *self = AM_PROPERTY_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;
    case PROP_LOCK_COUNT:
      g_value_set_uint (value, self->lock_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_property_row_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  AmPropertyRow *self = AM_PROPERTY_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      am_property_row_set_item (self, g_value_get_object (value));
      break;
    case PROP_LOCK_COUNT:
      am_property_row_set_lock_count (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_property_row_class_init (AmPropertyRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = am_property_row_dispose;
  object_class->get_property = am_property_row_get_property;
  object_class->set_property = am_property_row_set_property;
  widget_class->map = am_property_row_map;
  widget_class->unmap = am_property_row_unmap;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, AM_TYPE_PROPERTY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCK_COUNT] =
    g_param_spec_uint ("lock-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/am-property-row.ui");
  gtk_widget_class_bind_template_child (widget_class, AmPropertyRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, AmPropertyRow, address_label);
  gtk_widget_class_bind_template_child (widget_class, AmPropertyRow, details_label);
}

static void
am_property_row_init (AmPropertyRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
am_property_row_new (void)
{
  return g_object_new (AM_TYPE_PROPERTY_ROW, NULL);
}

AmProperty *
am_property_row_get_item (AmPropertyRow *self)
{
  g_return_val_if_fail (AM_IS_PROPERTY_ROW (self), NULL);

  return self->item;
}

void
am_property_row_set_item (AmPropertyRow *self,
                          AmProperty    *item)
{
  g_return_if_fail (AM_IS_PROPERTY_ROW (self));
  g_return_if_fail (item == NULL || AM_IS_PROPERTY (item));

  if (!g_set_object (&self->item, item))
    return;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

guint
am_property_row_get_lock_count (AmPropertyRow *self)
{
  g_return_val_if_fail (AM_IS_PROPERTY_ROW (self), 0);

  return self->lock_count;
}

void
am_property_row_set_lock_count (AmPropertyRow *self,
                                guint          lock_count)
{
  g_return_if_fail (AM_IS_PROPERTY_ROW (self));

  if (self->lock_count == lock_count)
    return;
  self->lock_count = lock_count;
  update_details (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCK_COUNT]);
}
