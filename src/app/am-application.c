/* am-application.c: the Access Manager application
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A single-instance AdwApplication: a second launch presents the window of
 * the first. It makes the one façade at startup (the cache in the default
 * data folder) and holds the actions that act on it: sync now, sign out,
 * and show a lock, which its notifications open.
 */
#define G_LOG_DOMAIN "am-application"

#include "config.h"

#include <glib/gi18n.h>

#include "am-application.h"
#include "am-preferences-window.h"
#include "am-window.h"

struct _AmApplication
{
  AdwApplication  parent_instance;

  AmFacade       *facade;
  char           *facade_error;
  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (AmApplication, am_application, ADW_TYPE_APPLICATION)

static void
toast (AmApplication *self,
       const char    *text)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (AM_IS_WINDOW (window))
    am_window_add_toast (AM_WINDOW (window), text);
}

static void
update_actions (AmApplication *self)
{
  gboolean signed_in = self->facade != NULL && am_facade_get_signed_in (self->facade);
  const char *names[] = { "sync", "sign-out" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), names[i]);

      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), signed_in);
    }
}

static void
apply_proximity_threshold (AmApplication *self)
{
  am_facade_set_proximity_threshold (self->facade,
                                     g_settings_get_int (self->settings, "proximity-threshold"));
}

static void
on_signed_in_cb (AmApplication *self)
{
  update_actions (self);
}

static void
on_proximity_threshold_cb (AmApplication *self)
{
  apply_proximity_threshold (self);
}

/* Background sync and notifications: the façade's scheduler syncs at the
 * interval of the settings (in minutes), when the network comes back and
 * after a wake from suspend; what a sync brings that the user wants to
 * know becomes a notification, unless turned off. */

static void
apply_sync_interval (AmApplication *self)
{
  guint minutes = (guint) MAX (g_settings_get_int (self->settings, "sync-interval"), 0);

  am_facade_set_sync_interval (self->facade, minutes * 60);
}

static void
on_sync_interval_cb (AmApplication *self)
{
  apply_sync_interval (self);
}

/* A time as the property's clock shows it, e.g. "3:05 PM". */
static char *
format_property_time (AmApplication *self,
                      const char    *property_id,
                      gint64         utc)
{
  g_autoptr(AmProperty) property = am_facade_get_property (self->facade, property_id);
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GDateTime) at = g_date_time_new_from_unix_utc (utc);
  g_autoptr(GDateTime) local = NULL;

  if (property != NULL)
    zone = g_time_zone_new_identifier (am_property_get_timezone (property));
  if (zone == NULL)
    zone = g_time_zone_new_local ();
  local = g_date_time_to_timezone (at, zone);
  /* Translators: a time of day in a notification, see strftime(3) */
  return g_date_time_format (local, _("%l:%M %p"));
}

static char *
describe_lock (AmApplication *self,
               AmLock        *lock)
{
  g_autoptr(AmProperty) property = am_facade_get_property (self->facade, am_lock_get_property_id (lock));

  if (property == NULL)
    return g_strdup (am_lock_get_name (lock));
  /* Translators: a lock's name and its property's, e.g. "Front Door at Maple Street Lofts" */
  return g_strdup_printf (_("%s at %s"), am_lock_get_name (lock), am_property_get_name (property));
}

static void
on_passcode_first_used_cb (AmFacade         *facade,
                           AmPasscodeRecord *passcode,
                           AmLock           *lock,
                           AmApplication    *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *where = NULL;
  g_autofree char *when = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;
  const char *recipient = am_passcode_record_get_recipient_name (passcode);

  if (!g_settings_get_boolean (self->settings, "notify-passcode-used"))
    return;

  where = describe_lock (self, lock);
  when = format_property_time (self, am_lock_get_property_id (lock),
                               am_passcode_record_get_first_used_at (passcode));
  g_strstrip (when);
  if (recipient != NULL && *recipient != '\0')
    /* Translators: the first %s is a person's name, the second a lock and its property, the third a time */
    body = g_strdup_printf (_("The code for %s opened %s at %s."), recipient, where, when);
  else
    /* Translators: the first %s is a lock and its property, the second a time */
    body = g_strdup_printf (_("A code you issued opened %s at %s."), where, when);

  notification = g_notification_new (_("Code Used for the First Time"));
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.show-lock", "s", am_lock_get_id (lock));
  id = g_strdup_printf ("passcode-used-%s", am_passcode_record_get_id (passcode));
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

static void
on_battery_low_cb (AmFacade      *facade,
                   AmLock        *lock,
                   AmApplication *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *where = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;

  if (!g_settings_get_boolean (self->settings, "notify-battery-low"))
    return;

  where = describe_lock (self, lock);
  /* Translators: %s is a lock and its property, %d a percentage */
  body = g_strdup_printf (_("The battery of %s is at %d %%. Change its batteries soon, or the door may stop opening."),
                          where, am_lock_get_battery (lock));
  notification = g_notification_new (_("Lock Battery Low"));
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.show-lock", "s", am_lock_get_id (lock));
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  id = g_strdup_printf ("battery-low-%s", am_lock_get_id (lock));
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

static void
on_synced_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* A failure shows in the façade's online and sync-error properties,
   * which the window follows. */
  if (!am_facade_sync_finish (AM_FACADE (object), result, &error))
    g_debug ("Sync now: %s", error->message);
}

static void
on_signed_out_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(AmApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!am_facade_sign_out_finish (AM_FACADE (object), result, &error))
    toast (self, error->message);
}

static void
sign_out (AmApplication *self)
{
  am_facade_sign_out_async (self->facade, NULL, on_signed_out_cb, g_object_ref (self));
}

static void
on_sign_out_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         AmApplication    *self)
{
  if (g_strcmp0 (response, "sign-out") == 0)
    sign_out (self);
}

static void
am_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  AmApplication *self = user_data;
  static const char *developers[] = { "The Access Manager developers", NULL };
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  AdwAboutWindow *about;

  about = ADW_ABOUT_WINDOW (adw_about_window_new ());
  adw_about_window_set_application_name (about, _("Access Manager"));
  adw_about_window_set_application_icon (about, APP_ID);
  adw_about_window_set_developer_name (about, _("The Access Manager developers"));
  adw_about_window_set_version (about, PACKAGE_VERSION);
  adw_about_window_set_comments (about,
    _("Open doors over Bluetooth and share access codes for your properties, with every code tracked."));
  adw_about_window_set_website (about, PACKAGE_URL);
  adw_about_window_set_issue_url (about, PACKAGE_BUGREPORT);
  adw_about_window_set_developers (about, developers);
  adw_about_window_set_translator_credits (about, _("translator-credits"));
  adw_about_window_set_copyright (about, _("© 2026 The Access Manager developers"));
  adw_about_window_set_license_type (about, GTK_LICENSE_GPL_3_0);
  gtk_window_set_transient_for (GTK_WINDOW (about), window);
  gtk_window_present (GTK_WINDOW (about));
}

static void
am_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  GApplication *app = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* Close the windows first so that they save their state. */
  for (GList *l = windows; l != NULL;)
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }
  g_application_quit (app);
}

static void
am_application_sync_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  AmApplication *self = user_data;

  am_facade_sync_async (self->facade, NULL, on_synced_cb, NULL);
}

static void
am_application_sign_out_action (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  AmApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  guint waiting = am_facade_get_outbox_count (self->facade);
  GtkWidget *dialog;

  if (waiting == 0)
    {
      /* Signing in again needs the password: never on a slip of the mouse. */
      dialog = adw_message_dialog_new (window, _("Sign Out?"), NULL);
      adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                                   _("Access Manager forgets your session and the keys of your locks on this computer. To issue codes or open doors again, sign in with your email address and password."));
    }
  else
    {
      /* Changes that never reached the cloud: say so before they are at risk. */
      dialog = adw_message_dialog_new (window, _("Sign Out With Changes Waiting?"), NULL);
      adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                      ngettext ("%u change made on this computer has not reached your company’s cloud yet. Connect to the internet and sync first, or it may be lost if someone else signs in here.",
                                                "%u changes made on this computer have not reached your company’s cloud yet. Connect to the internet and sync first, or they may be lost if someone else signs in here.",
                                                waiting),
                                      waiting);
    }
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "sign-out", _("_Sign Out"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "sign-out",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_sign_out_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
am_application_preferences_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  AmApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  gtk_window_present (GTK_WINDOW (am_preferences_window_new (window)));
}

/* What a notification opens (its default action): the lock it speaks of,
 * in the Locks Dashboard window, whether or not a window was open. */
static void
am_application_show_lock_action (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  AmApplication *self = user_data;
  const char *lock_id = g_variant_get_string (parameter, NULL);

  g_application_activate (G_APPLICATION (self));
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (AM_IS_WINDOW (l->data))
        {
          am_window_show_locks (AM_WINDOW (l->data), lock_id);
          return;
        }
    }
}

static const GActionEntry app_actions[] = {
  { "about", am_application_about_action },
  { "preferences", am_application_preferences_action },
  { "show-lock", am_application_show_lock_action, "s" },
  { "quit", am_application_quit_action },
  { "sync", am_application_sync_action },
  { "sign-out", am_application_sign_out_action },
};

static void
am_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (am_window_new (AM_APPLICATION (app), AM_APPLICATION (app)->facade));

  gtk_window_present (window);
}

static void
am_application_startup (GApplication *app)
{
  AmApplication *self = AM_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *sync_accels[] = { "<Control>r", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *search_accels[] = { "<Control>f", NULL };
  static const char *locks_accels[] = { "<Control>l", NULL };
  g_autoptr(GError) error = NULL;

  G_APPLICATION_CLASS (am_application_parent_class)->startup (app);

  /* The dark style follows the system's preference. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.sync", sync_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.search", search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-locks", locks_accels);

  self->settings = g_settings_new (APP_ID);
  self->facade = am_facade_new (NULL, &error);
  if (self->facade == NULL)
    {
      /* The window says it; nothing else can work without a cache. */
      self->facade_error = g_strdup (error->message);
      update_actions (self);
      return;
    }

  apply_proximity_threshold (self);
  g_signal_connect_object (self->settings, "changed::proximity-threshold",
                           G_CALLBACK (on_proximity_threshold_cb), self, G_CONNECT_SWAPPED);
  apply_sync_interval (self);
  g_signal_connect_object (self->settings, "changed::sync-interval",
                           G_CALLBACK (on_sync_interval_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->facade, "passcode-first-used",
                           G_CALLBACK (on_passcode_first_used_cb), self, 0);
  g_signal_connect_object (self->facade, "battery-low",
                           G_CALLBACK (on_battery_low_cb), self, 0);
  g_signal_connect_object (self->facade, "notify::signed-in",
                           G_CALLBACK (on_signed_in_cb), self, G_CONNECT_SWAPPED);
  update_actions (self);
}

static void
am_application_shutdown (GApplication *app)
{
  AmApplication *self = AM_APPLICATION (app);

  G_APPLICATION_CLASS (am_application_parent_class)->shutdown (app);

  g_clear_object (&self->facade);
  g_clear_object (&self->settings);
}

static void
am_application_finalize (GObject *object)
{
  AmApplication *self = AM_APPLICATION (object);

  g_clear_object (&self->facade);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->facade_error, g_free);

  G_OBJECT_CLASS (am_application_parent_class)->finalize (object);
}

static void
am_application_class_init (AmApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = am_application_finalize;
  app_class->activate = am_application_activate;
  app_class->startup = am_application_startup;
  app_class->shutdown = am_application_shutdown;
}

static void
am_application_init (AmApplication *self)
{
}

AmApplication *
am_application_new (void)
{
  return g_object_new (AM_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_BASE_PATH,
                       NULL);
}

/**
 * am_application_get_facade:
 * @self: the application, started up
 *
 * Returns: (transfer none) (nullable): the façade, %NULL when the cache
 *   could not be opened (see am_application_get_facade_error())
 */
AmFacade *
am_application_get_facade (AmApplication *self)
{
  g_return_val_if_fail (AM_IS_APPLICATION (self), NULL);

  return self->facade;
}

/**
 * am_application_get_facade_error:
 * @self: the application, started up
 *
 * Returns: (nullable): the sentence that tells why there is no façade
 */
const char *
am_application_get_facade_error (AmApplication *self)
{
  g_return_val_if_fail (AM_IS_APPLICATION (self), NULL);

  return self->facade_error;
}
