/* am-lock-event-row.c: an entry of a lock's log, in plain words, at the property's time
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "am-lock-event-row"

#include "config.h"

#include <glib/gi18n.h>

#include "am-line-label.h"
#include "am-lock-event-row.h"
#include "am-unlock-flow.h"

struct _AmLockEventRow
{
  AdwBin             parent_instance;

  AmLockEventRecord *item;

  /* Template widgets */
  GtkImage          *icon;
  AmLineLabel       *what_label;
  AmLineLabel       *when_label;
};

G_DEFINE_FINAL_TYPE (AmLockEventRow, am_lock_event_row, ADW_TYPE_BIN)

/* Why the keypad refused a code, as the log says it (cloud-api.md). */
static const char *
reject_reason (const char *result)
{
  if (g_strcmp0 (result, "malformed") == 0)
    return _("Refused a code at the keypad: too few or too many digits");
  if (g_strcmp0 (result, "no_match") == 0)
    return _("Refused a code at the keypad: not a code of this lock, or not valid now");
  if (g_strcmp0 (result, "used") == 0)
    return _("Refused a code at the keypad: a one-time code already used");
  if (g_strcmp0 (result, "revoked") == 0)
    return _("Refused a code at the keypad: the code was revoked");
  if (g_strcmp0 (result, "table_full") == 0)
    return _("Refused a code at the keypad: the lock’s memory of codes is full");
  if (g_strcmp0 (result, "locked_out") == 0)
    return _("Refused a code at the keypad: the keypad was locked after wrong codes");
  return _("Refused a code at the keypad");
}

/**
 * am_lock_event_row_describe:
 * @event: an entry of a lock's log
 *
 * Returns: (transfer full): what happened, in a sentence
 */
char *
am_lock_event_row_describe (AmLockEventRecord *event)
{
  const char *name = am_lock_event_record_get_event (event);

  if (g_strcmp0 (name, AM_LOCK_EVENT_NAME_KEYPAD_OPEN) == 0)
    return g_strdup (_("Opened with a code at the keypad"));
  if (g_strcmp0 (name, AM_LOCK_EVENT_NAME_KEYPAD_REJECT) == 0)
    return g_strdup (reject_reason (am_lock_event_record_get_result (event)));
  if (g_strcmp0 (name, AM_LOCK_EVENT_NAME_BLE_UNLOCK) == 0)
    return g_strdup (_("Opened over Bluetooth"));
  if (g_strcmp0 (name, AM_LOCK_EVENT_NAME_CANCEL_ALL) == 0)
    return g_strdup (_("Every code cancelled with the cancel-all code"));
  if (g_strcmp0 (name, AM_LOCK_EVENT_NAME_LOCKOUT) == 0)
    return g_strdup (_("Keypad locked for a while after wrong codes"));
  if (g_strcmp0 (name, AM_LOCK_EVENT_NAME_REVOKE) == 0)
    return g_strdup (_("A revoked code was taken off the lock’s list"));
  if (g_strcmp0 (name, AM_LOCK_EVENT_NAME_TIME_SET) == 0)
    return g_strdup (_("The lock’s clock was set"));
  /* Translators: an entry of a lock's log this version does not know, by its name */
  return g_strdup_printf (_("Something this version does not know of (%s)"), name);
}

static const char *
icon_for (AmLockEventRecord *event)
{
  const char *name = am_lock_event_record_get_event (event);

  if (g_strcmp0 (name, AM_LOCK_EVENT_NAME_KEYPAD_OPEN) == 0)
    return "input-dialpad-symbolic";
  if (g_strcmp0 (name, AM_LOCK_EVENT_NAME_BLE_UNLOCK) == 0)
    return "bluetooth-active-symbolic";
  if (g_strcmp0 (name, AM_LOCK_EVENT_NAME_KEYPAD_REJECT) == 0 ||
      g_strcmp0 (name, AM_LOCK_EVENT_NAME_LOCKOUT) == 0)
    return "dialog-warning-symbolic";
  if (g_strcmp0 (name, AM_LOCK_EVENT_NAME_TIME_SET) == 0)
    return "preferences-system-time-symbolic";
  return "changes-prevent-symbolic";
}

static void
am_lock_event_row_dispose (GObject *object)
{
  AmLockEventRow *self = AM_LOCK_EVENT_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), AM_TYPE_LOCK_EVENT_ROW);
  g_clear_object (&self->item);

  G_OBJECT_CLASS (am_lock_event_row_parent_class)->dispose (object);
}

static void
am_lock_event_row_class_init (AmLockEventRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = am_lock_event_row_dispose;

  g_type_ensure (AM_TYPE_LINE_LABEL);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/am-lock-event-row.ui");
  gtk_widget_class_bind_template_child (widget_class, AmLockEventRow, icon);
  gtk_widget_class_bind_template_child (widget_class, AmLockEventRow, what_label);
  gtk_widget_class_bind_template_child (widget_class, AmLockEventRow, when_label);
}

static void
am_lock_event_row_init (AmLockEventRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
am_lock_event_row_new (void)
{
  return g_object_new (AM_TYPE_LOCK_EVENT_ROW, NULL);
}

/**
 * am_lock_event_row_set_item:
 * @self: a row
 * @item: (nullable): the entry to show
 * @zone: the time zone of the lock's property
 */
void
am_lock_event_row_set_item (AmLockEventRow    *self,
                            AmLockEventRecord *item,
                            GTimeZone         *zone)
{
  g_autofree char *what = NULL;
  g_autofree char *when = NULL;

  g_return_if_fail (AM_IS_LOCK_EVENT_ROW (self));

  g_set_object (&self->item, item);
  if (item == NULL)
    {
      am_line_label_set_text (self->what_label, "");
      am_line_label_set_text (self->when_label, "");
      return;
    }

  what = am_lock_event_row_describe (item);
  when = am_unlock_flow_format_date_time (zone, am_lock_event_record_get_at (item));
  gtk_image_set_from_icon_name (self->icon, icon_for (item));
  am_line_label_set_text (self->what_label, what);
  am_line_label_set_text (self->when_label, when);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, what,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, when,
                                  -1);

  /* GTK 4.8 has no API to name a list view's item: name its widget. */
  if (gtk_widget_get_parent (GTK_WIDGET (self)) != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_parent (GTK_WIDGET (self))),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, what,
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, when,
                                    -1);
}
