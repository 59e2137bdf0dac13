/* am-access-dialog.c: Code Unlock: a time window, a recipient, and the code
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The start and the end are wall-clock times on whole hours in the
 * property's time zone: a date and an hour each. Each is turned into an
 * instant with am_time_resolve_local(); a time that daylight saving skips or
 * repeats is asked about, never guessed. The preview is the façade's: the
 * window the lock will see, its first-use deadline, or the core's sentence
 * for what is wrong. Create Code issues it and hands the digits to the share
 * sheet.
 */
#define G_LOG_DOMAIN "am-access-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "am-access-dialog.h"
#include "am-error.h"
#include "am-secret-memory.h"
#include "am-share-sheet.h"
#include "am-time.h"
#include "am-unlock-flow.h"

#define HOUR_S 3600

typedef enum
{
  ENDPOINT_START,
  ENDPOINT_END,
  N_ENDPOINTS,
} EndpointId;

/* One end of the window, as the user chose it, and the instant it is. */
typedef struct
{
  int           year;
  int           month;
  int           day;
  int           hour;
  guint         n_instants;   /* 0, 1 or 2: am_time_resolve_local() */
  gint64        instants[2];
  gint64        utc;          /* valid when resolved */
  gboolean      resolved;
  gboolean      asked;        /* asked about since the last change */
  gint64        preferred;    /* an instant to take if the time is repeated, or 0 */

  GtkMenuButton *date_button;
  GtkCalendar   *calendar;
  AdwComboRow   *hour_row;
} Endpoint;

/* The purposes as the API spells them, in the order of the combo row. */
static const char * const purposes[] = { "vendor", "maintenance", "prospect", "resident", "other" };
#define PURPOSE_DEFAULT 4

struct _AmAccessDialog
{
  AdwWindow          parent_instance;

  GtkWindow         *parent;   /* weak: the share sheet goes on it */
  AmFacade          *facade;
  AmProperty        *property;
  AmLock            *lock;
  GTimeZone         *zone;
  GCancellable      *cancellable;
  Endpoint           ends[N_ENDPOINTS];
  gboolean           updating;
  gboolean           busy;
  gboolean           previewed;     /* the preview holds a window */
  AmPasscodeWindow   window;
  AmPasscodeRecord  *same;          /* a code for exactly this window, if any */
  AdwMessageDialog  *question;      /* the open question, if any */

  /* Template widgets */
  AdwWindowTitle    *window_title;
  GtkButton         *create_button;
  GtkSpinner        *spinner;
  GtkLabel          *zone_label;
  GtkButton         *cancel_button;
  GtkButton         *next_hour_button;
  GtkButton         *next_4_hours_button;
  GtkButton         *today_until_6_button;
  GtkButton         *tomorrow_9_to_5_button;
  GtkButton         *one_week_button;
  GtkButton         *label_buttons[7];
  GtkMenuButton     *start_date_button;
  GtkCalendar       *start_calendar;
  AdwComboRow       *start_hour_row;
  GtkMenuButton     *end_date_button;
  GtkCalendar       *end_calendar;
  AdwComboRow       *end_hour_row;
  GtkCheckButton    *timed_check;
  GtkCheckButton    *one_time_check;
  GtkLabel          *window_label;
  GtkLabel          *adjusted_label;
  GtkLabel          *use_by_label;
  GtkLabel          *rule_label;
  GtkLabel          *error_label;
  GtkLabel          *same_label;
  GtkButton         *adjust_button;
  GtkLabel          *offline_label;
  AdwEntryRow       *name_row;
  AdwEntryRow       *contact_row;
  AdwComboRow       *purpose_row;
  AdwEntryRow       *note_row;
  GtkStringList     *hours;
};

G_DEFINE_FINAL_TYPE (AmAccessDialog, am_access_dialog, ADW_TYPE_WINDOW)

static void update_preview (AmAccessDialog *self);
static void ask_next (AmAccessDialog *self);

/* Wall-clock helpers */

/* Noon of a wall date, as an instant: to name the date. */
static gint64
date_instant (AmAccessDialog *self,
              const Endpoint *end)
{
  g_autoptr(GDateTime) noon = g_date_time_new (self->zone, end->year, end->month, end->day, 12, 0, 0);

  return g_date_time_to_unix (noon);
}

static char *
format_wall_time (AmAccessDialog *self,
                  int             hour)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  return am_unlock_flow_format_time (utc, 946684800 + (gint64) hour * HOUR_S);
}

static const char *
endpoint_noun (EndpointId id)
{
  return id == ENDPOINT_START ? _("start") : _("end");
}

/* GTK 4.8 and libadwaita 1.2 export the list inside a combo row, which
 * shows its current item, and that item without names (under their type
 * names): name them after the row and the item. */
static void
name_combo_internals (GtkWidget  *widget,
                      const char *list_name,
                      const char *item_name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkAccessibleRole role;

      if (GTK_IS_POPOVER (child))
        continue;
      role = gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (child));
      if (role == GTK_ACCESSIBLE_ROLE_LIST)
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, list_name, -1);
      else if (role == GTK_ACCESSIBLE_ROLE_LIST_ITEM)
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, item_name, -1);
      name_combo_internals (child, list_name, item_name);
    }
}

/* GTK 4.8 gives the arrows of a calendar's heading no names: GTK would
 * announce them by their icons' type name. In the heading, in order: the
 * month back and on, the year back and on. */
static void
name_calendar_arrows (GtkCalendar *calendar)
{
  const char *names[] = { N_("Previous Month"), N_("Next Month"), N_("Previous Year"), N_("Next Year") };
  guint n = 0;

  for (GtkWidget *part = gtk_widget_get_first_child (GTK_WIDGET (calendar));
       part != NULL;
       part = gtk_widget_get_next_sibling (part))
    for (GtkWidget *child = gtk_widget_get_first_child (part);
         child != NULL && n < G_N_ELEMENTS (names);
         child = gtk_widget_get_next_sibling (child))
      if (GTK_IS_BUTTON (child))
        {
          gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, _(names[n]), -1);
          gtk_widget_set_tooltip_text (child, _(names[n]));
          n++;
        }
}

static void
on_combo_selected_cb (AdwComboRow *row)
{
  const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
  gpointer item = adw_combo_row_get_selected_item (row);
  const char *current = GTK_IS_STRING_OBJECT (item) ? gtk_string_object_get_string (item) : title;

  name_combo_internals (GTK_WIDGET (row), title, current);
}

/* Endpoints */

static void
show_endpoint (AmAccessDialog *self,
               Endpoint       *end,
               EndpointId      id)
{
  g_autofree char *date = am_unlock_flow_format_date (self->zone, date_instant (self, end));
  g_autoptr(GDateTime) day = g_date_time_new (self->zone, end->year, end->month, end->day, 12, 0, 0);

  self->updating = TRUE;
  gtk_menu_button_set_label (end->date_button, date);
  gtk_calendar_select_day (end->calendar, day);
  adw_combo_row_set_selected (end->hour_row, end->hour);
  self->updating = FALSE;
}

static void
resolve (AmAccessDialog *self,
         Endpoint       *end)
{
  end->n_instants = am_time_resolve_local (self->zone, end->year, end->month, end->day,
                                           end->hour, 0, end->instants);
  end->resolved = FALSE;
  if (end->n_instants == 1)
    {
      end->utc = end->instants[0];
      end->resolved = TRUE;
    }
  else if (end->n_instants == 2 && end->preferred != 0)
    {
      for (guint i = 0; i < 2; i++)
        if (end->instants[i] == end->preferred)
          {
            end->utc = end->preferred;
            end->resolved = TRUE;
          }
    }
}

static void
set_endpoint_wall (AmAccessDialog *self,
                   EndpointId      id,
                   int             year,
                   int             month,
                   int             day,
                   int             hour,
                   gint64          preferred)
{
  Endpoint *end = &self->ends[id];

  end->year = year;
  end->month = month;
  end->day = day;
  end->hour = hour;
  end->preferred = preferred;
  end->asked = FALSE;
  resolve (self, end);
  show_endpoint (self, end, id);
}

static void
set_endpoint_date_time (AmAccessDialog *self,
                        EndpointId      id,
                        GDateTime      *wall)
{
  g_autoptr(GDateTime) local = g_date_time_to_timezone (wall, self->zone);

  set_endpoint_wall (self, id, g_date_time_get_year (local), g_date_time_get_month (local),
                     g_date_time_get_day_of_month (local), g_date_time_get_hour (local),
                     g_date_time_to_unix (local));
}

static void
set_endpoint_utc (AmAccessDialog *self,
                  EndpointId      id,
                  gint64          utc)
{
  g_autoptr(GDateTime) instant = g_date_time_new_from_unix_utc (utc);

  set_endpoint_date_time (self, id, instant);
}

static void
endpoints_changed (AmAccessDialog *self)
{
  update_preview (self);
  ask_next (self);
}

/* Questions about daylight saving time */

static void
on_question_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         AmAccessDialog   *self)
{
  EndpointId id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "am-endpoint"));
  Endpoint *end = &self->ends[id];

  self->question = NULL;

  if (g_strcmp0 (response, "first") == 0 || g_strcmp0 (response, "second") == 0)
    {
      end->utc = end->instants[g_strcmp0 (response, "first") == 0 ? 0 : 1];
      end->preferred = end->utc;
      end->resolved = TRUE;
    }
  else if (g_strcmp0 (response, "next") == 0)
    {
      gint64 next = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "am-next"));

      set_endpoint_utc (self, id, next);
    }

  endpoints_changed (self);
}

static gint64
next_valid_hour (AmAccessDialog *self,
                 const Endpoint *end)
{
  g_autoptr(GDateTime) midnight = g_date_time_new (self->zone, end->year, end->month, end->day, 0, 0, 0);

  /* The first hour after the gap: walk the wall clock an hour at a time. */
  for (int step = 1; step <= 24; step++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (midnight, (end->hour + step) / 24);
      gint64 out[2];

      if (am_time_resolve_local (self->zone, g_date_time_get_year (day), g_date_time_get_month (day),
                                 g_date_time_get_day_of_month (day), (end->hour + step) % 24, 0, out) > 0)
        return out[0];
    }
  return 0;
}

static char *
instant_label (AmAccessDialog *self,
               gint64          utc)
{
  g_autofree char *time = am_unlock_flow_format_time (self->zone, utc);
  int interval = g_time_zone_find_interval (self->zone, G_TIME_TYPE_UNIVERSAL, utc);

  /* Translators: a time of day and its zone's abbreviation, e.g. "1:00 AM CDT" */
  return g_strdup_printf (C_("time and zone", "%1$s %2$s"), time,
                          g_time_zone_get_abbreviation (self->zone, interval));
}

static void
ask (AmAccessDialog *self,
     EndpointId      id)
{
  Endpoint *end = &self->ends[id];
  g_autofree char *date = am_unlock_flow_format_date (self->zone, date_instant (self, end));
  g_autofree char *time = format_wall_time (self, end->hour);
  const char *zone = g_time_zone_get_identifier (self->zone);
  AdwMessageDialog *dialog;

  end->asked = TRUE;
  if (end->n_instants == 2)
    {
      g_autofree char *first = instant_label (self, end->instants[0]);
      g_autofree char *second = instant_label (self, end->instants[1]);
      g_autofree char *heading = NULL;

      /* Translators: %s is a time of day, e.g. "Which 1:00 AM?" */
      heading = g_strdup_printf (_("Which %s?"), time);
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, NULL));
      adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                      /* Translators: %1$s is a date, %2$s a time zone, %3$s a time of day, %4$s "start" or "end" */
                                      _("On %1$s the clocks of %2$s go back an hour, so %3$s happens twice. Choose when the code is to %4$s."),
                                      date, zone, time, endpoint_noun (id));
      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), NULL);
      adw_message_dialog_add_response (dialog, "first", first);
      adw_message_dialog_add_response (dialog, "second", second);
      adw_message_dialog_set_default_response (dialog, "first");
    }
  else
    {
      gint64 next = next_valid_hour (self, end);
      g_autofree char *next_time = next != 0 ? am_unlock_flow_format_time (self->zone, next) : NULL;
      g_autofree char *use_next = NULL;

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                           _("This Time Does Not Exist"), NULL));
      adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                      /* Translators: %1$s is a date, %2$s a time zone, %3$s a time of day */
                                      _("On %1$s the clocks of %2$s go forward an hour, so there is no %3$s that day."),
                                      date, zone, time);
      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), NULL);
      if (next != 0)
        {
          /* Translators: %s is a time of day, e.g. "Use 3:00 AM" */
          use_next = g_strdup_printf (_("Use %s"), next_time);
          adw_message_dialog_add_response (dialog, "next", use_next);
          adw_message_dialog_set_response_appearance (dialog, "next", ADW_RESPONSE_SUGGESTED);
          adw_message_dialog_set_default_response (dialog, "next");
          g_object_set_data (G_OBJECT (dialog), "am-next", GSIZE_TO_POINTER ((gsize) next));
        }
    }
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "am-endpoint", GUINT_TO_POINTER (id));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_question_response_cb), self, 0);
  self->question = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Asks about the first end that needs it, one question at a time. */
static void
ask_next (AmAccessDialog *self)
{
  if (self->question != NULL)
    return;
  for (guint id = 0; id < N_ENDPOINTS; id++)
    if (!self->ends[id].resolved && !self->ends[id].asked)
      {
        ask (self, id);
        return;
      }
}

/* The request */

static char *
entry_text (AdwEntryRow *row)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  return *text != '\0' ? g_steal_pointer (&text) : NULL;
}

/* The request as the form stands; its strings and times belong to the caller. */
static void
request_init (AmAccessDialog *self,
              AmIssueRequest *request)
{
  guint purpose = adw_combo_row_get_selected (self->purpose_row);

  request->kind = gtk_check_button_get_active (self->one_time_check) ? AM_PASSCODE_KIND_ONE_TIME
                                                                      : AM_PASSCODE_KIND_TIMED;
  request->start = g_date_time_new_from_unix_utc (self->ends[ENDPOINT_START].utc);
  request->end = g_date_time_new_from_unix_utc (self->ends[ENDPOINT_END].utc);
  request->recipient_name = entry_text (self->name_row);
  request->recipient_contact = entry_text (self->contact_row);
  request->purpose = purposes[purpose < G_N_ELEMENTS (purposes) ? purpose : PURPOSE_DEFAULT];
  request->note = entry_text (self->note_row);
}

static void
request_clear (AmIssueRequest *request)
{
  g_clear_pointer (&request->start, g_date_time_unref);
  g_clear_pointer (&request->end, g_date_time_unref);
  g_clear_pointer ((char **) &request->recipient_name, g_free);
  g_clear_pointer ((char **) &request->recipient_contact, g_free);
  g_clear_pointer ((char **) &request->note, g_free);
}

/* The preview */

static void
show_error (AmAccessDialog *self,
            const char     *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static char *
same_window_sentence (AmAccessDialog   *self,
                      AmPasscodeRecord *same)
{
  const char *recipient = am_passcode_record_get_recipient_name (same);
  const char *lock = am_lock_get_name (self->lock);

  if (recipient != NULL && *recipient != '\0')
    /* Translators: %1$s is a lock's name, %2$s the person an earlier code was made for */
    return g_strdup_printf (_("%1$s already has a code for this window, issued for %2$s: it would be the same code. Change the window to get a code of its own."),
                            lock, recipient);
  /* Translators: %s is a lock's name */
  return g_strdup_printf (_("%s already has a code for this window: it would be the same code. Change the window to get a code of its own."),
                          lock);
}

/* Shorter by an hour, or for a one-hour window an hour later. */
static gboolean
adjust_shortens (AmAccessDialog *self)
{
  return self->ends[ENDPOINT_END].utc - self->ends[ENDPOINT_START].utc >= 2 * HOUR_S;
}

static void
show_adjust (AmAccessDialog *self,
             gboolean        visible)
{
  const char *label = adjust_shortens (self) ? _("Make the Window One Hour Shorter")
                                             : _("Move the Window One Hour Later");

  gtk_button_set_label (self->adjust_button, label);
  am_unlock_flow_name_button (self->adjust_button);
  gtk_widget_set_visible (GTK_WIDGET (self->adjust_button), visible);
}

static void
update_create (AmAccessDialog *self)
{
  gboolean resolved = self->ends[ENDPOINT_START].resolved && self->ends[ENDPOINT_END].resolved;

  /* Unresolved ends stay creatable: Create Code asks about them again. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "access.create",
                                 !self->busy && (self->previewed || !resolved));
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
}

static void
update_presets (AmAccessDialog *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now (self->zone);

  /* Until 6 PM is a window of an hour at least until 5 PM. The flow box
   * child goes insensitive with its button: GTK 4.8's GtkFlowBox moves Tab
   * to the next sensitive child, and would keep the focus on the button
   * before an insensitive button in a sensitive child (a keyboard trap). */
  gtk_widget_set_sensitive (gtk_widget_get_parent (GTK_WIDGET (self->today_until_6_button)),
                            g_date_time_get_hour (now) < 17);
}

static void
update_preview (AmAccessDialog *self)
{
  AmIssueRequest request = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *window = NULL;
  g_autofree char *window_text = NULL;
  g_autofree char *deadline = NULL;
  g_autofree char *use_by = NULL;
  g_autofree char *zone = NULL;
  gboolean one_time;

  self->previewed = FALSE;
  g_clear_object (&self->same);
  gtk_widget_set_visible (GTK_WIDGET (self->same_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->adjusted_label), FALSE);
  show_adjust (self, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->offline_label), !am_facade_get_online (self->facade));
  update_presets (self);

  for (guint id = 0; id < N_ENDPOINTS; id++)
    {
      Endpoint *end = &self->ends[id];
      g_autofree char *time = NULL;
      g_autofree char *message = NULL;

      if (end->resolved)
        continue;
      time = format_wall_time (self, end->hour);
      if (end->n_instants == 2)
        /* Translators: %1$s is a time of day, %2$s "start" or "end" */
        message = g_strdup_printf (_("%1$s happens twice that day, as daylight saving time ends. Choose which one the code is to %2$s at: press Create Code, or change the time."),
                                   time, endpoint_noun (id));
      else
        /* Translators: %s is a time of day */
        message = g_strdup_printf (_("There is no %s that day, as daylight saving time begins. Choose another time."),
                                   time);
      gtk_label_set_label (self->window_label, "");
      gtk_label_set_label (self->use_by_label, "");
      show_error (self, message);
      update_create (self);
      return;
    }

  request_init (self, &request);
  one_time = request.kind == AM_PASSCODE_KIND_ONE_TIME;
  if (!am_facade_preview_window (self->facade, self->lock, &request, &self->window, &error))
    {
      request_clear (&request);
      gtk_label_set_label (self->window_label, "");
      gtk_label_set_label (self->use_by_label, "");
      show_error (self, error->message);
      update_create (self);
      return;
    }
  request_clear (&request);
  self->previewed = TRUE;
  show_error (self, NULL);

  window = am_unlock_flow_format_window (self->zone, self->window.starts_at, self->window.ends_at);
  if (one_time)
    /* Translators: %s is a time window, e.g. "Tue, Mar 10, 3:00 PM to 7:00 PM" */
    window_text = g_strdup_printf (_("Opens the door once, %s"), window);
  else
    /* Translators: %s is a time window, e.g. "Tue, Mar 10, 3:00 PM to 7:00 PM" */
    window_text = g_strdup_printf (_("Works %s"), window);
  gtk_label_set_label (self->window_label, window_text);

  if (self->window.starts_at != self->ends[ENDPOINT_START].utc
      || self->window.ends_at != self->ends[ENDPOINT_END].utc)
    {
      gtk_label_set_label (self->adjusted_label,
                           _("This is the nearest window a code can have inside the one you chose: codes of more than 28 days go by whole days."));
      gtk_widget_set_visible (GTK_WIDGET (self->adjusted_label), TRUE);
    }

  deadline = am_unlock_flow_format_date_time (self->zone, self->window.use_by);
  /* Translators: %s is a date and time */
  use_by = g_strdup_printf (_("Must be used for the first time before %s."), deadline);
  gtk_label_set_label (self->use_by_label, use_by);

  if (!am_unlock_flow_zone_is_local (self->zone))
    {
      g_autofree char *notice = NULL;

      zone = am_unlock_flow_describe_zone (self->zone, self->window.starts_at);
      /* Translators: %s is a time zone, e.g. "America/Chicago (CDT)" */
      notice = g_strdup_printf (_("Times are in the property’s time zone, %s."), zone);
      gtk_label_set_label (self->zone_label, notice);
    }

  self->same = am_facade_find_same_window (self->facade, self->lock, &self->window);
  if (self->same != NULL)
    {
      g_autofree char *sentence = same_window_sentence (self, self->same);

      gtk_label_set_label (self->same_label, sentence);
      gtk_widget_set_visible (GTK_WIDGET (self->same_label), TRUE);
      show_adjust (self, TRUE);
    }

  update_create (self);
}

/* Presets */

/* The length of a new code's window, in hours, from the preferences. */
static int
default_window_hours (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  return CLAMP (g_settings_get_int (settings, "default-window-hours"), 1, 168);
}

static void
apply_preset (AmAccessDialog *self,
              const char     *preset)
{
  g_autoptr(GDateTime) now = g_date_time_new_now (self->zone);
  g_autoptr(GDateTime) hour = g_date_time_new (self->zone, g_date_time_get_year (now),
                                               g_date_time_get_month (now),
                                               g_date_time_get_day_of_month (now),
                                               g_date_time_get_hour (now), 0, 0);
  g_autoptr(GDateTime) end = NULL;
  gboolean past_the_hour = g_date_time_get_minute (now) > 0 || g_date_time_get_second (now) >= 1.0;

  if (g_strcmp0 (preset, "next-hour") == 0 || g_strcmp0 (preset, "next-4-hours") == 0 ||
      g_strcmp0 (preset, "default") == 0)
    {
      /* From this hour, so that it works now, to a whole hour at least the
       * asked-for time away; at first, as long as the preferences say. */
      int hours = g_strcmp0 (preset, "next-hour") == 0 ? 1
                  : g_strcmp0 (preset, "next-4-hours") == 0 ? 4 : default_window_hours ();

      end = g_date_time_add_hours (hour, hours + (past_the_hour ? 1 : 0));
      set_endpoint_date_time (self, ENDPOINT_START, hour);
      set_endpoint_date_time (self, ENDPOINT_END, end);
      /* Longer than a one-time code may be. */
      if (hours > 24)
        {
          self->updating = TRUE;
          gtk_check_button_set_active (self->timed_check, TRUE);
          self->updating = FALSE;
        }
    }
  else if (g_strcmp0 (preset, "today-until-6") == 0)
    {
      set_endpoint_date_time (self, ENDPOINT_START, hour);
      set_endpoint_wall (self, ENDPOINT_END, g_date_time_get_year (now), g_date_time_get_month (now),
                         g_date_time_get_day_of_month (now), 18, 0);
    }
  else if (g_strcmp0 (preset, "tomorrow-9-to-5") == 0)
    {
      g_autoptr(GDateTime) tomorrow = g_date_time_add_days (hour, 1);
      int y = g_date_time_get_year (tomorrow);
      int m = g_date_time_get_month (tomorrow);
      int d = g_date_time_get_day_of_month (tomorrow);

      set_endpoint_wall (self, ENDPOINT_START, y, m, d, 9, 0);
      set_endpoint_wall (self, ENDPOINT_END, y, m, d, 17, 0);
    }
  else if (g_strcmp0 (preset, "one-week") == 0)
    {
      end = g_date_time_add_weeks (hour, 1);
      set_endpoint_date_time (self, ENDPOINT_START, hour);
      set_endpoint_wall (self, ENDPOINT_END, g_date_time_get_year (end), g_date_time_get_month (end),
                         g_date_time_get_day_of_month (end), g_date_time_get_hour (hour), 0);
    }
  else
    g_return_if_reached ();

  /* A week is longer than a one-time code may be. */
  if (g_strcmp0 (preset, "one-week") == 0)
    {
      self->updating = TRUE;
      gtk_check_button_set_active (self->timed_check, TRUE);
      self->updating = FALSE;
    }

  endpoints_changed (self);
}

/* Callbacks */

static void
on_day_selected (AmAccessDialog *self,
                 EndpointId      id)
{
  Endpoint *end = &self->ends[id];
  g_autoptr(GDateTime) date = NULL;

  if (self->updating)
    return;

  date = gtk_calendar_get_date (end->calendar);
  gtk_menu_button_popdown (end->date_button);
  if (g_date_time_get_year (date) == end->year && g_date_time_get_month (date) == end->month
      && g_date_time_get_day_of_month (date) == end->day)
    return;
  set_endpoint_wall (self, id, g_date_time_get_year (date), g_date_time_get_month (date),
                     g_date_time_get_day_of_month (date), end->hour, 0);
  endpoints_changed (self);
}

static void
on_start_day_selected_cb (AmAccessDialog *self)
{
  on_day_selected (self, ENDPOINT_START);
}

static void
on_end_day_selected_cb (AmAccessDialog *self)
{
  on_day_selected (self, ENDPOINT_END);
}

static void
on_hour_selected (AmAccessDialog *self,
                  EndpointId      id)
{
  Endpoint *end = &self->ends[id];
  guint hour;

  if (self->updating)
    return;

  hour = adw_combo_row_get_selected (end->hour_row);
  if (hour > 23 || (int) hour == end->hour)
    return;
  set_endpoint_wall (self, id, end->year, end->month, end->day, hour, 0);
  endpoints_changed (self);
}

static void
on_start_hour_selected_cb (AmAccessDialog *self)
{
  on_hour_selected (self, ENDPOINT_START);
}

static void
on_end_hour_selected_cb (AmAccessDialog *self)
{
  on_hour_selected (self, ENDPOINT_END);
}

static void
on_kind_toggled_cb (AmAccessDialog *self)
{
  if (!self->updating)
    update_preview (self);
}

static void
on_online_changed_cb (AmAccessDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->offline_label), !am_facade_get_online (self->facade));
}

static void
on_issue_passcode_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(AmAccessDialog) self = user_data;
  g_autoptr(AmPasscodeRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  char code[AM_PASSCODE_MAX_DIGITS + 1] = { 0 };
  AmShareSheet *sheet;

  record = am_facade_issue_passcode_finish (AM_FACADE (source), result, code, &error);
  if (record == NULL)
    {
      am_secret_memory_wipe (code, sizeof code);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->busy = FALSE;
      update_preview (self);
      show_error (self, error->message);
      if (g_error_matches (error, AM_ERROR, AM_ERROR_ALIASED) || g_error_matches (error, AM_ERROR, AM_ERROR_EXISTS))
        show_adjust (self, TRUE);
      return;
    }

  sheet = am_share_sheet_new (self->parent, self->facade, self->property, self->lock, record, code);
  am_secret_memory_wipe (code, sizeof code);
  gtk_window_present (GTK_WINDOW (sheet));
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
adjust (AmAccessDialog *self)
{
  gint64 start = self->ends[ENDPOINT_START].utc;
  gint64 end = self->ends[ENDPOINT_END].utc;

  if (adjust_shortens (self))
    set_endpoint_utc (self, ENDPOINT_END, end - HOUR_S);
  else
    {
      set_endpoint_utc (self, ENDPOINT_START, start + HOUR_S);
      set_endpoint_utc (self, ENDPOINT_END, end + HOUR_S);
    }
  endpoints_changed (self);
}

static void
on_same_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     AmAccessDialog   *self)
{
  self->question = NULL;
  if (g_strcmp0 (response, "adjust") == 0)
    adjust (self);
}

static void
ask_same_window (AmAccessDialog *self)
{
  g_autofree char *sentence = same_window_sentence (self, self->same);
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Same Code"), sentence));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "adjust", adjust_shortens (self) ? _("Make the Window One Hour _Shorter")
                                                                     : _("Move the Window One Hour _Later"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "adjust", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "adjust");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_same_response_cb), self, 0);
  self->question = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Actions */

static void
access_preset_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  apply_preset (AM_ACCESS_DIALOG (widget), g_variant_get_string (parameter, NULL));
}

static void
access_adjust_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  adjust (AM_ACCESS_DIALOG (widget));
}

static void
access_create_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  AmAccessDialog *self = AM_ACCESS_DIALOG (widget);
  AmIssueRequest request = { 0 };

  if (self->busy || self->question != NULL)
    return;

  for (guint id = 0; id < N_ENDPOINTS; id++)
    if (!self->ends[id].resolved)
      {
        if (self->ends[id].n_instants == 2)
          ask (self, id);
        return;
      }

  update_preview (self);
  if (!self->previewed)
    return;
  if (self->same != NULL)
    {
      ask_same_window (self);
      return;
    }

  self->busy = TRUE;
  update_create (self);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  /* The façade copies what it keeps before it returns. */
  request_init (self, &request);
  am_facade_issue_passcode_async (self->facade, self->lock, &request, self->cancellable,
                                  on_issue_passcode_cb, g_object_ref (self));
  request_clear (&request);
}

/* GObject */

static void
am_access_dialog_dispose (GObject *object)
{
  AmAccessDialog *self = AM_ACCESS_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), AM_TYPE_ACCESS_DIALOG);
  g_clear_weak_pointer (&self->parent);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->facade);
  g_clear_object (&self->property);
  g_clear_object (&self->lock);
  g_clear_object (&self->same);
  g_clear_pointer (&self->zone, g_time_zone_unref);

  G_OBJECT_CLASS (am_access_dialog_parent_class)->dispose (object);
}

static void
am_access_dialog_class_init (AmAccessDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = am_access_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/am-access-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, zone_label);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, next_hour_button);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, next_4_hours_button);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, today_until_6_button);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, tomorrow_9_to_5_button);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, one_week_button);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, start_date_button);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, start_calendar);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, start_hour_row);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, end_date_button);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, end_calendar);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, end_hour_row);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, timed_check);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, one_time_check);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, window_label);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, adjusted_label);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, use_by_label);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, rule_label);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, same_label);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, adjust_button);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, offline_label);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, contact_row);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, purpose_row);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, note_row);
  gtk_widget_class_bind_template_child (widget_class, AmAccessDialog, hours);
  gtk_widget_class_bind_template_callback (widget_class, on_start_day_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_end_day_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_start_hour_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_end_hour_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_kind_toggled_cb);

  gtk_widget_class_install_action (widget_class, "access.preset", "s", access_preset_action);
  gtk_widget_class_install_action (widget_class, "access.adjust", NULL, access_adjust_action);
  gtk_widget_class_install_action (widget_class, "access.create", NULL, access_create_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "access.create", NULL);
}

static void
am_access_dialog_init (AmAccessDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->label_buttons[0] = self->cancel_button;
  self->label_buttons[1] = self->create_button;
  self->label_buttons[2] = self->next_hour_button;
  self->label_buttons[3] = self->next_4_hours_button;
  self->label_buttons[4] = self->today_until_6_button;
  self->label_buttons[5] = self->tomorrow_9_to_5_button;
  self->label_buttons[6] = self->one_week_button;
  for (guint i = 0; i < G_N_ELEMENTS (self->label_buttons); i++)
    am_unlock_flow_name_button (self->label_buttons[i]);

  self->ends[ENDPOINT_START].date_button = self->start_date_button;
  self->ends[ENDPOINT_START].calendar = self->start_calendar;
  self->ends[ENDPOINT_START].hour_row = self->start_hour_row;
  self->ends[ENDPOINT_END].date_button = self->end_date_button;
  self->ends[ENDPOINT_END].calendar = self->end_calendar;
  self->ends[ENDPOINT_END].hour_row = self->end_hour_row;
  name_calendar_arrows (self->start_calendar);
  name_calendar_arrows (self->end_calendar);

  self->updating = TRUE;
  for (int hour = 0; hour < 24; hour++)
    {
      g_autofree char *label = format_wall_time (self, hour);

      gtk_string_list_append (self->hours, label);
    }
  adw_combo_row_set_selected (self->purpose_row, PURPOSE_DEFAULT);
  gtk_check_button_set_active (self->timed_check, TRUE);
  self->updating = FALSE;

  for (guint i = 0; i < 3; i++)
    {
      AdwComboRow *row = (AdwComboRow *[]) { self->start_hour_row, self->end_hour_row, self->purpose_row }[i];

      g_signal_connect_after (row, "notify::selected", G_CALLBACK (on_combo_selected_cb), NULL);
      on_combo_selected_cb (row);
    }
}

/**
 * am_access_dialog_new:
 * @parent: the window it is modal for; the share sheet goes there too
 * @facade: the façade
 * @property: the property of @lock
 * @lock: the lock the code is for
 *
 * Returns: (transfer none): the dialog, not yet shown
 */
AmAccessDialog *
am_access_dialog_new (GtkWindow  *parent,
                      AmFacade   *facade,
                      AmProperty *property,
                      AmLock     *lock)
{
  AmAccessDialog *self;
  g_autofree char *subtitle = NULL;
  const char *unit;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (AM_IS_FACADE (facade), NULL);
  g_return_val_if_fail (AM_IS_PROPERTY (property), NULL);
  g_return_val_if_fail (AM_IS_LOCK (lock), NULL);

  self = g_object_new (AM_TYPE_ACCESS_DIALOG, "transient-for", parent, NULL);
  g_set_weak_pointer (&self->parent, parent);
  self->facade = g_object_ref (facade);
  self->property = g_object_ref (property);
  self->lock = g_object_ref (lock);
  self->zone = am_unlock_flow_property_zone (property);

  unit = am_lock_get_unit (lock);
  if (unit != NULL && *unit != '\0')
    /* Translators: a lock's name and the unit it is on, e.g. "Front Door, Unit 4B" */
    subtitle = g_strdup_printf (_("%s, %s"), am_lock_get_name (lock), unit);
  else
    subtitle = g_strdup (am_lock_get_name (lock));
  adw_window_title_set_subtitle (self->window_title, subtitle);

  gtk_widget_set_visible (GTK_WIDGET (self->zone_label), !am_unlock_flow_zone_is_local (self->zone));
  g_signal_connect_object (facade, "notify::online", G_CALLBACK (on_online_changed_cb),
                           self, G_CONNECT_SWAPPED);

  apply_preset (self, "default");
  return self;
}
