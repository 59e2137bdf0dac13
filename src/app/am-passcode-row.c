/* am-passcode-row.c: a passcode of a lock: for whom, by whom, its window, its status, its uses
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A row of the Lock Passcodes list, which may hold a hundred thousand: it
 * is bound and rebound as the list scrolls, so it only sets labels. Times
 * are in the property's zone, which the page passes with the record. Show
 * Code and Revoke are offered where they can work; the page does them.
 */
#define G_LOG_DOMAIN "am-passcode-row"

#include "config.h"

#include <glib/gi18n.h>

#include "am-line-label.h"
#include "am-passcode-row.h"
#include "am-unlock-flow.h"

struct _AmPasscodeRow
{
  AdwBin            parent_instance;

  AmPasscodeRecord *item;

  /* Template widgets */
  AmLineLabel      *title_label;
  GtkLabel         *status_label;
  AmLineLabel      *window_label;
  AmLineLabel      *issued_label;
  AmLineLabel      *use_label;
  AmLineLabel      *revoked_label;
  GtkButton        *show_button;
  GtkButton        *revoke_button;
};

enum {
  PROP_0,
  PROP_ITEM,
  N_PROPS
};

enum {
  SHOW_CODE,
  REVOKE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (AmPasscodeRow, am_passcode_row, ADW_TYPE_BIN)

static const char * const status_classes[] = { "scheduled", "unused", "active", "used", "expired", "revoked", "revocation-pending" };

static const char *
purpose_in_words (const char *purpose)
{
  if (g_strcmp0 (purpose, "vendor") == 0)
    return C_("purpose", "Vendor");
  if (g_strcmp0 (purpose, "maintenance") == 0)
    return C_("purpose", "Maintenance");
  if (g_strcmp0 (purpose, "prospect") == 0)
    return C_("purpose", "Prospect");
  if (g_strcmp0 (purpose, "tour") == 0)
    return C_("purpose", "Tour");
  if (g_strcmp0 (purpose, "resident") == 0)
    return C_("purpose", "Resident");
  return C_("purpose", "Other");
}

static void
set_label (GtkLabel   *label,
           const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

static void
set_line (AmLineLabel *line,
          const char  *text)
{
  am_line_label_set_text (line, text);
  gtk_widget_set_visible (GTK_WIDGET (line), text != NULL && *text != '\0');
}

static void
clear (AmPasscodeRow *self)
{
  set_line (self->title_label, NULL);
  set_label (self->status_label, NULL);
  set_line (self->window_label, NULL);
  set_line (self->issued_label, NULL);
  set_line (self->use_label, NULL);
  set_line (self->revoked_label, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->show_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->revoke_button), FALSE);
}

static void
on_show_clicked_cb (AmPasscodeRow *self)
{
  if (self->item != NULL)
    g_signal_emit (self, signals[SHOW_CODE], 0, self->item);
}

static void
on_revoke_clicked_cb (AmPasscodeRow *self)
{
  if (self->item != NULL)
    g_signal_emit (self, signals[REVOKE], 0, self->item);
}

static void
am_passcode_row_dispose (GObject *object)
{
  AmPasscodeRow *self = AM_PASSCODE_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), AM_TYPE_PASSCODE_ROW);
  g_clear_object (&self->item);

  G_OBJECT_CLASS (am_passcode_row_parent_class)->dispose (object);
}

static void
am_passcode_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  AmPasscodeRow *self = AM_PASSCODE_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_passcode_row_class_init (AmPasscodeRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = am_passcode_row_dispose;
  object_class->get_property = am_passcode_row_get_property;

  /* Set with am_passcode_row_set_item(), with what the row needs to show it. */
  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, AM_TYPE_PASSCODE_RECORD,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AmPasscodeRow::show-code:
   * @record: the passcode
   *
   * The user asks to see the code again, to copy or share it.
   */
  signals[SHOW_CODE] = g_signal_new ("show-code", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, AM_TYPE_PASSCODE_RECORD);
  /**
   * AmPasscodeRow::revoke:
   * @record: the passcode
   *
   * The user asks to revoke the code; the page confirms first.
   */
  signals[REVOKE] = g_signal_new ("revoke", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, AM_TYPE_PASSCODE_RECORD);

  g_type_ensure (AM_TYPE_LINE_LABEL);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/am-passcode-row.ui");
  gtk_widget_class_bind_template_child (widget_class, AmPasscodeRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, AmPasscodeRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, AmPasscodeRow, window_label);
  gtk_widget_class_bind_template_child (widget_class, AmPasscodeRow, issued_label);
  gtk_widget_class_bind_template_child (widget_class, AmPasscodeRow, use_label);
  gtk_widget_class_bind_template_child (widget_class, AmPasscodeRow, revoked_label);
  gtk_widget_class_bind_template_child (widget_class, AmPasscodeRow, show_button);
  gtk_widget_class_bind_template_child (widget_class, AmPasscodeRow, revoke_button);
  gtk_widget_class_bind_template_callback (widget_class, on_show_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_revoke_clicked_cb);
}

static void
am_passcode_row_init (AmPasscodeRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  clear (self);
}

GtkWidget *
am_passcode_row_new (void)
{
  return g_object_new (AM_TYPE_PASSCODE_ROW, NULL);
}

AmPasscodeRecord *
am_passcode_row_get_item (AmPasscodeRow *self)
{
  g_return_val_if_fail (AM_IS_PASSCODE_ROW (self), NULL);

  return self->item;
}

/**
 * am_passcode_row_status_in_words:
 * @status: a passcode's status
 *
 * Returns: the status as the badge says it, translated
 */
const char *
am_passcode_row_status_in_words (AmPasscodeStatus status)
{
  switch (status)
    {
    case AM_PASSCODE_STATUS_SCHEDULED:
      return C_("passcode status", "Scheduled");
    case AM_PASSCODE_STATUS_UNUSED:
      return C_("passcode status", "Unused");
    case AM_PASSCODE_STATUS_ACTIVE:
      return C_("passcode status", "Active");
    case AM_PASSCODE_STATUS_USED:
      return C_("passcode status", "Used");
    case AM_PASSCODE_STATUS_EXPIRED:
      return C_("passcode status", "Expired");
    case AM_PASSCODE_STATUS_REVOKED:
      return C_("passcode status", "Revoked");
    case AM_PASSCODE_STATUS_REVOCATION_PENDING:
      return C_("passcode status", "Revocation Pending");
    default:
      g_return_val_if_reached ("");
    }
}

/**
 * am_passcode_row_set_item:
 * @self: a row
 * @item: (nullable): the passcode to show
 * @zone: the time zone of the lock's property
 * @status: its status, as am_facade_get_passcode_status() says
 * @can_show_code: whether this computer holds the key to derive it again
 * @can_revoke: whether the user may revoke it, and it could still open
 *   the door
 */
void
am_passcode_row_set_item (AmPasscodeRow    *self,
                          AmPasscodeRecord *item,
                          GTimeZone        *zone,
                          AmPasscodeStatus  status,
                          gboolean          can_show_code,
                          gboolean          can_revoke)
{
  const char *recipient, *source;
  g_autofree char *title = NULL;
  g_autofree char *window = NULL;
  g_autofree char *use_by = NULL;
  g_autofree char *window_text = NULL;
  g_autofree char *created = NULL;
  g_autofree char *issued = NULL;
  g_autofree char *use = NULL;
  g_autofree char *revoked = NULL;
  g_autofree char *description = NULL;

  g_return_if_fail (AM_IS_PASSCODE_ROW (self));
  g_return_if_fail (item == NULL || AM_IS_PASSCODE_RECORD (item));
  g_return_if_fail (item == NULL || zone != NULL);

  if (g_set_object (&self->item, item))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
  for (guint i = 0; i < G_N_ELEMENTS (status_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), status_classes[i]);
  if (item == NULL)
    {
      clear (self);
      return;
    }

  recipient = am_passcode_record_get_recipient_name (item);
  if (recipient != NULL && *recipient != '\0')
    /* Translators: whom a code is for, then why, e.g. "Dana Vendor · Maintenance" */
    title = g_strdup_printf (_("%s · %s"), recipient, purpose_in_words (am_passcode_record_get_purpose (item)));
  else
    /* Translators: a code issued for no one named, then why, e.g. "No recipient named · Tour" */
    title = g_strdup_printf (_("No recipient named · %s"), purpose_in_words (am_passcode_record_get_purpose (item)));
  set_line (self->title_label, title);

  set_label (self->status_label, am_passcode_row_status_in_words (status));
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), status_classes[status]);

  window = am_unlock_flow_format_window (zone, am_passcode_record_get_starts_at (item),
                                         am_passcode_record_get_ends_at (item));
  if (am_passcode_record_get_use_by (item) < am_passcode_record_get_ends_at (item))
    {
      use_by = am_unlock_flow_format_date_time (zone, am_passcode_record_get_use_by (item));
      /* Translators: a code's window, then its first-use deadline, e.g. "Mar 10, 3:00 PM to Mar 14, 3:00 PM; first use before Mar 11, 3:00 PM" */
      window_text = g_strdup_printf (_("%s; first use before %s"), window, use_by);
    }
  else
    window_text = g_steal_pointer (&window);
  set_line (self->window_label, window_text);

  source = g_strcmp0 (am_passcode_record_get_source (item), AM_PASSCODE_SOURCE_TOUR) == 0
             ? C_("passcode source", "Tour code") : C_("passcode source", "Manual code");
  created = am_unlock_flow_format_date_time (zone, am_passcode_record_get_created_at (item));
  /* Translators: who issued a code and when, then whether by hand or for a tour, e.g. "Issued by Lee Agent on Mar 10, 2:12 PM · Manual code" */
  issued = g_strdup_printf (_("Issued by %s on %s · %s"), am_passcode_record_get_created_by_name (item), created, source);
  set_line (self->issued_label, issued);

  if (am_passcode_record_get_use_count (item) == 0)
    use = g_strdup (_("Not used yet"));
  else
    {
      g_autofree char *first = am_unlock_flow_format_date_time (zone, am_passcode_record_get_first_used_at (item));
      g_autofree char *last = am_unlock_flow_format_date_time (zone, am_passcode_record_get_last_used_at (item));
      guint count = am_passcode_record_get_use_count (item);

      if (count == 1)
        /* Translators: when a code was used, the one time */
        use = g_strdup_printf (_("Used once, on %s"), first);
      else
        /* Translators: how often a code was used, the first and the last time */
        use = g_strdup_printf (ngettext ("Used %u time: first on %s, last on %s",
                                         "Used %u times: first on %s, last on %s", count),
                               count, first, last);
    }
  set_line (self->use_label, use);

  if (status == AM_PASSCODE_STATUS_REVOCATION_PENDING)
    revoked = g_strdup (_("Revocation pending until the next Bluetooth visit"));
  else if (status == AM_PASSCODE_STATUS_REVOKED && am_passcode_record_get_revoked_at (item) > 0)
    {
      g_autofree char *when = am_unlock_flow_format_date_time (zone, am_passcode_record_get_revoked_at (item));
      const char *by = am_passcode_record_get_revoked_by_name (item);

      if (by != NULL && *by != '\0')
        /* Translators: who revoked a code, and when */
        revoked = g_strdup_printf (_("Revoked by %s on %s"), by, when);
      else
        /* Translators: when a code was revoked */
        revoked = g_strdup_printf (_("Revoked on %s"), when);
    }
  set_line (self->revoked_label, revoked);

  gtk_widget_set_visible (GTK_WIDGET (self->show_button), can_show_code);
  gtk_widget_set_visible (GTK_WIDGET (self->revoke_button), can_revoke);

  /* The whole row in one sentence for a screen reader. */
  description = g_strjoin (". ", title, am_passcode_row_status_in_words (status), window_text, issued, use,
                           revoked != NULL ? revoked : "", NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);

  /* GTK 4.8 has no API to name a list view's item; name the item widget
   * that holds this row, so that it is not announced by its type name. */
  if (gtk_widget_get_parent (GTK_WIDGET (self)) != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_parent (GTK_WIDGET (self))),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                    -1);
}
