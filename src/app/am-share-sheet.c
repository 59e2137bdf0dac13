/* am-share-sheet.c: a new code, large, and the ways to pass it on
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The digits live only here: in code[], in the label that shows them and,
 * while one is being built, in a message. All of them are wiped when the
 * sheet goes. Nothing here logs them. A message is built around a
 * placeholder that the digits replace at the end, and escaped into a
 * string allocated at its largest size: neither printf's buffers nor a
 * string that grows ever hold the digits, so no copy is freed unwiped.
 * What GTK, GIO and D-Bus copy (the label, the clipboard, the URI handed
 * to a mail or text message program, the portal call) is theirs to free.
 */
#define G_LOG_DOMAIN "am-share-sheet"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "am-secret-memory.h"
#include "am-share-sheet.h"
#include "am-unlock-flow.h"

#define PORTAL_BUS_NAME     "org.freedesktop.portal.Desktop"
#define PORTAL_OBJECT_PATH  "/org/freedesktop/portal/desktop"
#define PORTAL_EMAIL_IFACE  "org.freedesktop.portal.Email"
#define PORTAL_TIMEOUT_MS   10000

/* Stands for a digit of the code while a message is built: no text of a
 * message holds it. */
#define DIGIT_PLACEHOLDER   '\x1a'

struct _AmShareSheet
{
  AdwWindow          parent_instance;

  AmFacade          *facade;
  AmProperty        *property;
  AmLock            *lock;
  AmPasscodeRecord  *record;
  GTimeZone         *zone;
  GCancellable      *cancellable;
  char               code[AM_PASSCODE_MAX_DIGITS + 1];

  /* Template widgets */
  AdwToastOverlay   *toast_overlay;
  AdwWindowTitle    *window_title;
  GtkLabel          *recipient_label;
  GtkLabel          *code_label;
  GtkLabel          *window_label;
  GtkLabel          *use_by_label;
  GtkLabel          *offline_label;
};

G_DEFINE_FINAL_TYPE (AmShareSheet, am_share_sheet, ADW_TYPE_WINDOW)

static void
toast (AmShareSheet *self,
       const char   *title)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

static char *
lock_title (AmLock *lock)
{
  const char *unit = am_lock_get_unit (lock);

  if (unit != NULL && *unit != '\0')
    /* Translators: a lock's name and the unit it is on, e.g. "Front Door, Unit 4B" */
    return g_strdup_printf (_("%s, %s"), am_lock_get_name (lock), unit);
  return g_strdup (am_lock_get_name (lock));
}

static char *
property_address (AmProperty *property)
{
  g_autoptr(GString) text = g_string_new (am_property_get_address (property));
  const char *parts[] = {
    am_property_get_city (property),
    am_property_get_region (property),
    am_property_get_postal_code (property),
  };

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      if (parts[i] == NULL || *parts[i] == '\0')
        continue;
      if (text->len > 0)
        g_string_append (text, i == 2 ? " " : ", ");
      g_string_append (text, parts[i]);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The subject of an email, without the code. */
static char *
message_subject (AmShareSheet *self)
{
  /* Translators: the subject of an email that carries an access code; %s is the property */
  return g_strdup_printf (_("Your access code for %s"), am_property_get_name (self->property));
}

/* Where @placeholder is in @text, from @line_start on. */
static gsize
find_placeholder (GString    *text,
                  gsize       line_start,
                  const char *placeholder)
{
  const char *found = strstr (text->str + line_start, placeholder);

  if (found == NULL)
    {
      /* A translation that lost its %s: the code still goes in. */
      g_string_append_c (text, ' ');
      found = text->str + text->len;
      g_string_append (text, placeholder);
    }
  return (gsize) (found - text->str);
}

/* A message ready to send: it holds the digits, so the caller frees it with
 * am_secret_memory_free(). */
static char *
message_body (AmShareSheet *self)
{
  gint64 starts_at = am_passcode_record_get_starts_at (self->record);
  gint64 ends_at = am_passcode_record_get_ends_at (self->record);
  gint64 use_by = am_passcode_record_get_use_by (self->record);
  g_autofree char *address = property_address (self->property);
  g_autofree char *lock = lock_title (self->lock);
  g_autofree char *window = am_unlock_flow_format_window (self->zone, starts_at, ends_at);
  g_autofree char *deadline = am_unlock_flow_format_date_time (self->zone, use_by);
  g_autofree char *zone = am_unlock_flow_describe_zone (self->zone, starts_at);
  g_autofree char *grouped = am_passcode_group_digits (self->code);
  gsize grouped_len = strlen (grouped);
  g_autofree char *placeholder = g_strnfill (grouped_len, DIGIT_PLACEHOLDER);
  g_autoptr(GString) text = g_string_new (NULL);
  const char *name = am_passcode_record_get_recipient_name (self->record);
  gsize line_start;
  gsize code_at;

  if (name != NULL && *name != '\0')
    /* Translators: the greeting of a message that carries an access code */
    g_string_append_printf (text, _("Hello %s,"), name);
  else
    g_string_append (text, _("Hello,"));
  g_string_append (text, "\n\n");
  /* Translators: %s is the name of a property, e.g. "Maple Court Apartments" */
  g_string_append_printf (text, _("Here is your access code for %s."), am_property_get_name (self->property));
  g_string_append (text, "\n\n");
  /* Translators: a line of a message: the property's street address */
  g_string_append_printf (text, _("Address: %s"), address);
  g_string_append_c (text, '\n');
  /* Translators: a line of a message: the lock the code opens */
  g_string_append_printf (text, _("Door: %s"), lock);
  g_string_append_c (text, '\n');
  /* Translators: a line of a message: the access code's digits, grouped for reading */
  line_start = text->len;
  g_string_append_printf (text, _("Code: %s"), placeholder);
  code_at = find_placeholder (text, line_start, placeholder);
  g_string_append_c (text, '\n');
  if (am_passcode_record_get_kind (self->record) == AM_PASSCODE_KIND_ONE_TIME)
    /* Translators: a line of a message: %s is a time window, e.g. "Tue, Mar 10, 3:00 PM to 7:00 PM" */
    g_string_append_printf (text, _("Opens the door once, %s"), window);
  else
    /* Translators: a line of a message: %s is a time window, e.g. "Tue, Mar 10, 3:00 PM to 7:00 PM" */
    g_string_append_printf (text, _("Works %s"), window);
  g_string_append_c (text, '\n');
  /* Translators: a line of a message: %s is a time zone, e.g. "America/Chicago (CST)" */
  g_string_append_printf (text, _("Times are in %s."), zone);
  g_string_append_c (text, '\n');
  /* Translators: a line of a message: %s is a date and time */
  g_string_append_printf (text, _("Use it for the first time before %s: a code that is not used within 24 hours of its start expires."),
                          deadline);
  g_string_append (text, "\n\n");
  g_string_append (text, _("At the door, touch the keypad to wake it, type the code, then press the lock key."));
  g_string_append_c (text, '\n');

  /* The text grows no more: the digits go in where they will stay. */
  memcpy (text->str + code_at, grouped, grouped_len);
  am_secret_memory_wipe (grouped, grouped_len);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* @text escaped for a URI, in a string allocated once at the largest size
 * escaping can reach, so that growing leaves no copy of it behind. */
static char *
escape_for_uri (const char *text)
{
  GString *escaped = g_string_sized_new (3 * strlen (text) + 1);

  g_string_append_uri_escaped (escaped, text, NULL, FALSE);
  return g_string_free (escaped, FALSE);
}

static gboolean
contact_is_email (const char *contact)
{
  return contact != NULL && strchr (contact, '@') != NULL;
}

static gboolean
contact_is_phone (const char *contact)
{
  guint digits = 0;

  if (contact == NULL || *contact == '\0')
    return FALSE;
  for (const char *c = contact; *c != '\0'; c++)
    {
      if (g_ascii_isdigit (*c))
        digits++;
      else if (strchr ("+-() .", *c) == NULL)
        return FALSE;
    }
  return digits >= 3;
}

/* Only the digits and a leading + go into an sms: URI. */
static char *
phone_for_uri (const char *contact)
{
  GString *text = g_string_new (NULL);

  for (const char *c = contact; *c != '\0'; c++)
    if (g_ascii_isdigit (*c) || (*c == '+' && text->len == 0))
      g_string_append_c (text, *c);
  return g_string_free (text, FALSE);
}

static void
show_uri (AmShareSheet *self,
          const char   *scheme_and_target,
          const char   *query)
{
  g_autofree char *uri = g_strconcat (scheme_and_target, query, NULL);

  gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
  am_secret_memory_wipe (uri, strlen (uri));
}

static void
send_email_by_uri (AmShareSheet *self)
{
  const char *contact = am_passcode_record_get_recipient_contact (self->record);
  g_autofree char *subject = message_subject (self);
  g_autofree char *body = message_body (self);
  g_autofree char *subject_escaped = g_uri_escape_string (subject, NULL, FALSE);
  g_autofree char *body_escaped = escape_for_uri (body);
  g_autofree char *to = contact_is_email (contact) ? g_uri_escape_string (contact, "@", FALSE) : g_strdup ("");
  g_autofree char *target = g_strconcat ("mailto:", to, NULL);
  /* Not printf: its buffers would keep a copy of the digits. */
  g_autofree char *query = g_strconcat ("?subject=", subject_escaped, "&body=", body_escaped, NULL);

  show_uri (self, target, query);
  am_secret_memory_wipe (body, strlen (body));
  am_secret_memory_wipe (body_escaped, strlen (body_escaped));
  am_secret_memory_wipe (query, strlen (query));
}

static void
on_compose_email_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(AmShareSheet) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply != NULL)
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* No portal, or no Email interface on it: a mailto: URI instead. */
  g_debug ("The Email portal is not available (%s); using a mailto: URI", error->message);
  send_email_by_uri (self);
}

static void
share_copy_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  AmShareSheet *self = AM_SHARE_SHEET (widget);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->code);
  toast (self, _("Code copied"));
}

static void
share_copy_message_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  AmShareSheet *self = AM_SHARE_SHEET (widget);
  char *body = message_body (self);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), body);
  am_secret_memory_free (body);
  toast (self, _("Message copied"));
}

static void
share_send_email_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  AmShareSheet *self = AM_SHARE_SHEET (widget);
  const char *contact = am_passcode_record_get_recipient_contact (self->record);
  g_autoptr(GDBusConnection) bus = NULL;
  g_autofree char *subject = NULL;
  char *body = NULL;
  GVariantBuilder options;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    {
      send_email_by_uri (self);
      return;
    }

  subject = message_subject (self);
  body = message_body (self);
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  if (contact_is_email (contact))
    {
      const char *addresses[] = { contact, NULL };

      g_variant_builder_add (&options, "{sv}", "addresses", g_variant_new_strv (addresses, -1));
    }
  g_variant_builder_add (&options, "{sv}", "subject", g_variant_new_string (subject));
  g_variant_builder_add (&options, "{sv}", "body", g_variant_new_string (body));
  am_secret_memory_free (body);

  g_dbus_connection_call (bus, PORTAL_BUS_NAME, PORTAL_OBJECT_PATH, PORTAL_EMAIL_IFACE,
                          "ComposeEmail", g_variant_new ("(sa{sv})", "", &options),
                          G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, PORTAL_TIMEOUT_MS,
                          self->cancellable, on_compose_email_cb, g_object_ref (self));
}

static void
share_send_sms_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  AmShareSheet *self = AM_SHARE_SHEET (widget);
  const char *contact = am_passcode_record_get_recipient_contact (self->record);
  g_autofree char *number = contact_is_phone (contact) ? phone_for_uri (contact) : g_strdup ("");
  g_autofree char *target = g_strconcat ("sms:", number, NULL);
  g_autofree char *body = message_body (self);
  g_autofree char *body_escaped = escape_for_uri (body);
  g_autofree char *query = g_strconcat ("?body=", body_escaped, NULL);

  show_uri (self, target, query);
  am_secret_memory_wipe (body, strlen (body));
  am_secret_memory_wipe (body_escaped, strlen (body_escaped));
  am_secret_memory_wipe (query, strlen (query));
}

static void
fill (AmShareSheet *self)
{
  gint64 starts_at = am_passcode_record_get_starts_at (self->record);
  gint64 ends_at = am_passcode_record_get_ends_at (self->record);
  const char *name = am_passcode_record_get_recipient_name (self->record);
  g_autofree char *grouped = am_passcode_group_digits (self->code);
  g_autofree char *lock = lock_title (self->lock);
  g_autofree char *window = am_unlock_flow_format_window (self->zone, starts_at, ends_at);
  g_autofree char *deadline = am_unlock_flow_format_date_time (self->zone,
                                                               am_passcode_record_get_use_by (self->record));
  g_autofree char *zone = am_unlock_flow_describe_zone (self->zone, starts_at);
  g_autofree char *heading = NULL;
  g_autofree char *window_text = NULL;
  g_autofree char *use_by_text = NULL;

  adw_window_title_set_subtitle (self->window_title, lock);

  if (name != NULL && *name != '\0')
    /* Translators: %s is the person a code was made for */
    heading = g_strdup_printf (_("Code for %s"), name);
  else
    heading = g_strdup (_("Access Code"));
  gtk_label_set_label (self->recipient_label, heading);

  gtk_label_set_label (self->code_label, grouped);
  am_secret_memory_wipe (grouped, strlen (grouped));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->code_label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Access code"),
                                  -1);

  if (am_passcode_record_get_kind (self->record) == AM_PASSCODE_KIND_ONE_TIME)
    /* Translators: %1$s is a time window, %2$s the time zone it is in, on a line of its own */
    window_text = g_strdup_printf (_("Opens the door once, %1$s\nTimes are in %2$s."), window, zone);
  else
    /* Translators: %1$s is a time window, %2$s the time zone it is in, on a line of its own */
    window_text = g_strdup_printf (_("Works %1$s\nTimes are in %2$s."), window, zone);
  gtk_label_set_label (self->window_label, window_text);

  /* Translators: %s is a date and time, the first-use deadline of a code */
  use_by_text = g_strdup_printf (_("Must be used for the first time before %s"), deadline);
  gtk_label_set_label (self->use_by_label, use_by_text);

  gtk_widget_set_visible (GTK_WIDGET (self->offline_label), !am_facade_get_online (self->facade));
}

static void
on_online_changed_cb (AmShareSheet *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->offline_label), !am_facade_get_online (self->facade));
}

static void
am_share_sheet_dispose (GObject *object)
{
  AmShareSheet *self = AM_SHARE_SHEET (object);

  g_cancellable_cancel (self->cancellable);
  am_secret_memory_wipe (self->code, sizeof self->code);
  if (self->code_label != NULL)
    gtk_label_set_label (self->code_label, "");

  gtk_widget_dispose_template (GTK_WIDGET (self), AM_TYPE_SHARE_SHEET);
  g_clear_object (&self->facade);
  g_clear_object (&self->property);
  g_clear_object (&self->lock);
  g_clear_object (&self->record);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->zone, g_time_zone_unref);

  G_OBJECT_CLASS (am_share_sheet_parent_class)->dispose (object);
}

static void
am_share_sheet_class_init (AmShareSheetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = am_share_sheet_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/am-share-sheet.ui");
  gtk_widget_class_bind_template_child (widget_class, AmShareSheet, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, AmShareSheet, window_title);
  gtk_widget_class_bind_template_child (widget_class, AmShareSheet, recipient_label);
  gtk_widget_class_bind_template_child (widget_class, AmShareSheet, code_label);
  gtk_widget_class_bind_template_child (widget_class, AmShareSheet, window_label);
  gtk_widget_class_bind_template_child (widget_class, AmShareSheet, use_by_label);
  gtk_widget_class_bind_template_child (widget_class, AmShareSheet, offline_label);

  gtk_widget_class_install_action (widget_class, "share.copy", NULL, share_copy_action);
  gtk_widget_class_install_action (widget_class, "share.copy-message", NULL, share_copy_message_action);
  gtk_widget_class_install_action (widget_class, "share.send-email", NULL, share_send_email_action);
  gtk_widget_class_install_action (widget_class, "share.send-sms", NULL, share_send_sms_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
am_share_sheet_init (AmShareSheet *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/**
 * am_share_sheet_new:
 * @parent: the window it is modal for
 * @facade: the façade
 * @property: the property of @lock
 * @lock: the lock the code opens
 * @record: the code's record
 * @code: the digits, copied; the caller wipes its own copy
 *
 * Returns: (transfer none): a new share sheet, not yet shown
 */
AmShareSheet *
am_share_sheet_new (GtkWindow        *parent,
                    AmFacade         *facade,
                    AmProperty       *property,
                    AmLock           *lock,
                    AmPasscodeRecord *record,
                    const char       *code)
{
  AmShareSheet *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (AM_IS_FACADE (facade), NULL);
  g_return_val_if_fail (AM_IS_PROPERTY (property), NULL);
  g_return_val_if_fail (AM_IS_LOCK (lock), NULL);
  g_return_val_if_fail (AM_IS_PASSCODE_RECORD (record), NULL);
  g_return_val_if_fail (code != NULL && strlen (code) <= AM_PASSCODE_MAX_DIGITS, NULL);

  self = g_object_new (AM_TYPE_SHARE_SHEET, "transient-for", parent, NULL);
  self->facade = g_object_ref (facade);
  self->property = g_object_ref (property);
  self->lock = g_object_ref (lock);
  self->record = g_object_ref (record);
  self->zone = am_unlock_flow_property_zone (property);
  g_strlcpy (self->code, code, sizeof self->code);

  g_signal_connect_object (facade, "notify::online", G_CALLBACK (on_online_changed_cb),
                           self, G_CONNECT_SWAPPED);
  fill (self);
  return self;
}

