/* am-lock-page.c: one lock: its passcodes (Lock Passcodes) and its log (Lock Events)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lock Passcodes lists every code of the lock, newest first, from the
 * cache, which sync keeps fresh: a lock may have a hundred thousand, so the
 * list is a view over the cache's list (a GtkGridView of one column: in
 * GTK 4.8 it keeps 30 rows alive where a GtkListView keeps 200, and a long
 * scroll rebinds them all), filtered by status and
 * issuer in the background (GtkFilterListModel, incremental) only while a
 * filter is set. A code is shown again by deriving it with the lock's key
 * where this computer holds it, and shared with the share sheet of a new
 * code; it is revoked in the cloud after a confirmation. The status of a
 * revoked code stays "revocation pending" until the lock's log says it
 * took the code off its list, at a Bluetooth visit.
 *
 * Lock Events is the lock's log, newest first, in plain words. Every time
 * is in the property's own zone.
 */
#define G_LOG_DOMAIN "am-lock-page"

#include "config.h"

#include <glib/gi18n.h>

#include "am-lock-event-row.h"
#include "am-export-dialog.h"
#include "am-lock-page.h"
#include "am-passcode-row.h"
#include "am-secret-memory.h"
#include "am-share-sheet.h"
#include "am-unlock-flow.h"

/* How often the rows on screen are judged again: a code's status follows
 * the clock (scheduled, unused, expired). */
#define REFRESH_INTERVAL_S 60

struct _AmLockPage
{
  AdwBin              parent_instance;

  AmFacade           *facade;
  AmLock             *lock;
  AmProperty         *property;
  GTimeZone          *zone;
  GCancellable       *cancellable;        /* of what the page waits for, for this lock */

  AmRecordList       *passcodes;
  AmRecordList       *events;
  GtkFilterListModel *filtered;
  GtkFilter          *filter;
  GHashTable         *pending;            /* ids of codes revoked, the lock not told yet */
  GHashTable         *bound_rows;         /* AmPasscodeRow on screen */
  gboolean            holds_key;
  gboolean            may_revoke;

  /* The filter: a status (or -1 for any) and an issuer (or NULL). */
  gint                status_filter;
  char               *issuer_filter;
  gint64              filter_now;
  GtkStringList      *issuers;

  gulong              store_changed_id;
  guint               refresh_source;
  guint               minute_source;
  gulong              first_frame_id;

  /* Template widgets */
  AdwToastOverlay    *toast_overlay;      /* the bin's child */
  AdwViewSwitcherTitle *switcher_title;
  GtkWidget          *heading_box;
  GtkLabel           *heading_title;
  GtkLabel           *heading_subtitle;
  AdwViewStack       *view_stack;
  AdwViewSwitcherBar *switcher_bar;
  GtkDropDown        *status_dropdown;
  GtkDropDown        *issuer_dropdown;
  GtkLabel           *count_label;
  GtkStack           *passcodes_stack;
  GtkGridView        *passcodes_view;
  AdwStatusPage      *passcodes_empty;
  GtkStack           *events_stack;
  GtkGridView        *events_view;
};

enum {
  PROP_0,
  PROP_FACADE,
  PROP_LOCK,
  N_PROPS
};

enum {
  GO_BACK,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (AmLockPage, am_lock_page, ADW_TYPE_BIN)

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
add_toast (AmLockPage *self,
           const char *text)
{
  /* A toast's title is markup; the text may quote the cloud or a name. */
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static AmPasscodeStatus
status_of (AmLockPage       *self,
           AmPasscodeRecord *record,
           gint64            now)
{
  return am_facade_get_passcode_status (self->facade, record, self->pending, now);
}

/* Whether the code could still open the door: what revoking would stop,
 * and what there is a point in showing again. */
static gboolean
is_live (AmPasscodeStatus status)
{
  return status == AM_PASSCODE_STATUS_SCHEDULED || status == AM_PASSCODE_STATUS_UNUSED ||
         status == AM_PASSCODE_STATUS_ACTIVE;
}

static void
bind_passcode_row (AmLockPage       *self,
                   AmPasscodeRow    *row,
                   AmPasscodeRecord *record,
                   gint64            now)
{
  AmPasscodeStatus status = status_of (self, record, now);

  am_passcode_row_set_item (row, record, self->zone, status,
                            self->holds_key && is_live (status),
                            self->may_revoke && is_live (status));
}

static void
refresh_bound_rows (AmLockPage *self)
{
  GHashTableIter iter;
  gpointer key;
  gint64 now = now_s ();

  g_hash_table_iter_init (&iter, self->bound_rows);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      AmPasscodeRow *row = key;
      AmPasscodeRecord *record = am_passcode_row_get_item (row);

      if (record != NULL)
        bind_passcode_row (self, row, record, now);
    }
}

static void
update_passcodes_state (AmLockPage *self)
{
  guint n = self->filtered != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) : 0;
  gboolean filtering = self->status_filter >= 0 || self->issuer_filter != NULL;
  g_autofree char *count = NULL;

  if (n > 0)
    am_unlock_flow_show_only (self->passcodes_stack, "list");
  else
    {
      if (filtering)
        {
          adw_status_page_set_title (self->passcodes_empty, _("No Matching Passcodes"));
          adw_status_page_set_description (self->passcodes_empty,
                                           _("No passcode of this lock has this status and issuer. Choose another filter."));
        }
      else
        {
          adw_status_page_set_title (self->passcodes_empty, _("No Passcodes Yet"));
          adw_status_page_set_description (self->passcodes_empty,
                                           _("Codes issued for this lock, by you or your colleagues, appear here after a sync."));
        }
      am_unlock_flow_show_only (self->passcodes_stack, "empty");
    }

  count = g_strdup_printf (ngettext ("%u passcode", "%u passcodes", n), n);
  gtk_label_set_text (self->count_label, count);
}

static void
update_events_state (AmLockPage *self)
{
  guint n = self->events != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->events)) : 0;

  am_unlock_flow_show_only (self->events_stack, n > 0 ? "list" : "empty");
}

static gboolean
filter_passcode (gpointer item,
                 gpointer user_data)
{
  AmLockPage *self = user_data;
  AmPasscodeRecord *record = item;

  if (self->issuer_filter != NULL &&
      g_strcmp0 (am_passcode_record_get_created_by_name (record), self->issuer_filter) != 0)
    return FALSE;
  if (self->status_filter >= 0 && (gint) status_of (self, record, self->filter_now) != self->status_filter)
    return FALSE;
  return TRUE;
}

/* Filters in the background while a filter is set; else the list is the
 * cache's as it is, and costs nothing. */
static void
apply_filter (AmLockPage *self)
{
  if (self->filtered == NULL)
    return;

  self->filter_now = now_s ();
  if (self->status_filter < 0 && self->issuer_filter == NULL)
    gtk_filter_list_model_set_filter (self->filtered, NULL);
  else
    {
      gtk_filter_list_model_set_filter (self->filtered, self->filter);
      gtk_filter_changed (self->filter, GTK_FILTER_CHANGE_DIFFERENT);
    }
  update_passcodes_state (self);
}

static void
on_status_filter_cb (AmLockPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->status_dropdown);

  /* The first item is "All statuses"; then the statuses in their order. */
  self->status_filter = selected == 0 || selected == GTK_INVALID_LIST_POSITION ? -1 : (gint) selected - 1;
  apply_filter (self);
}

static void
on_issuer_filter_cb (AmLockPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->issuer_dropdown);

  g_clear_pointer (&self->issuer_filter, g_free);
  if (selected != 0 && selected != GTK_INVALID_LIST_POSITION && self->issuers != NULL)
    self->issuer_filter = g_strdup (gtk_string_list_get_string (self->issuers, selected));
  apply_filter (self);
}

static void
on_issuers_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AmLockPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = am_facade_list_passcode_issuers_finish (AM_FACADE (source), result, &error);
  const char *current;
  guint selected = 0;

  if (names == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No issuers to filter by: %s", error->message);
      return;
    }

  current = self->issuer_filter;
  g_signal_handlers_block_by_func (self->issuer_dropdown, on_issuer_filter_cb, self);
  gtk_string_list_splice (self->issuers, 1, g_list_model_get_n_items (G_LIST_MODEL (self->issuers)) - 1,
                          (const char * const *) names);
  for (guint i = 0; current != NULL && names[i] != NULL; i++)
    if (g_str_equal (names[i], current))
      selected = i + 1;
  gtk_drop_down_set_selected (self->issuer_dropdown, selected);
  g_signal_handlers_unblock_by_func (self->issuer_dropdown, on_issuer_filter_cb, self);
  if (selected == 0 && current != NULL)
    on_issuer_filter_cb (self);
}

static void
load_issuers (AmLockPage *self)
{
  am_facade_list_passcode_issuers_async (self->facade, am_lock_get_id (self->lock), self->cancellable,
                                         on_issuers_cb, self);
}

/* GTK 4.8 does not name a drop-down's button for assistive technologies:
 * it takes the drop-down's name. */
static void
name_drop_down (GtkDropDown *drop_down,
                const char  *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (drop_down));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TOGGLE_BUTTON (child))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

/* Show Code */

typedef struct
{
  AmLockPage       *self;
  AmPasscodeRecord *record;
} ShowCode;

static void
on_code_derived_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autofree ShowCode *data = user_data;
  g_autoptr(AmPasscodeRecord) record = data->record;
  AmLockPage *self = data->self;
  g_autoptr(GError) error = NULL;
  char code[AM_PASSCODE_MAX_DIGITS + 1] = { 0 };
  GtkRoot *root;
  AmShareSheet *sheet;

  if (!am_facade_derive_code_finish (AM_FACADE (source), result, code, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        add_toast (self, error->message);
      return;
    }
  if (self->lock == NULL || self->property == NULL)
    {
      am_secret_memory_wipe (code, sizeof code);
      return;
    }

  root = gtk_widget_get_root (GTK_WIDGET (self));
  sheet = am_share_sheet_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                              self->facade, self->property, self->lock, record, code);
  am_secret_memory_wipe (code, sizeof code);
  gtk_window_present (GTK_WINDOW (sheet));
}

static void
on_show_code_cb (AmPasscodeRow    *row,
                 AmPasscodeRecord *record,
                 AmLockPage       *self)
{
  ShowCode *data = g_new0 (ShowCode, 1);

  data->self = self;
  data->record = g_object_ref (record);
  am_facade_derive_code_async (self->facade, record, self->cancellable, on_code_derived_cb, data);
}

/* Revoke */

static void
on_revoked_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AmLockPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AmPasscodeRecord) record = NULL;

  record = am_facade_revoke_passcode_finish (AM_FACADE (source), result, &error);
  if (record == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        add_toast (self, error->message);
      return;
    }
  add_toast (self, _("Code revoked. The lock will refuse it once it learns of it at the next Bluetooth visit."));
}

static void
on_revoke_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       gpointer          user_data)
{
  g_autoptr(AmPasscodeRecord) record = user_data;
  AmLockPage *self = g_object_get_data (G_OBJECT (dialog), "am-lock-page");

  if (g_strcmp0 (response, "revoke") != 0 || self == NULL || self->facade == NULL)
    return;
  am_facade_revoke_passcode_async (self->facade, record, self->cancellable, on_revoked_cb, self);
}

static void
on_revoke_cb (AmPasscodeRow    *row,
              AmPasscodeRecord *record,
              AmLockPage       *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *recipient = am_passcode_record_get_recipient_name (record);
  g_autofree char *window = am_unlock_flow_format_window (self->zone, am_passcode_record_get_starts_at (record),
                                                          am_passcode_record_get_ends_at (record));
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (recipient != NULL && *recipient != '\0')
    /* Translators: %1$s is a person's name, %2$s a time window */
    body = g_strdup_printf (_("The code issued for %1$s, for %2$s, will stop opening the door once the lock "
                              "learns of it at the next Bluetooth visit. Until then the lock still accepts it."),
                            recipient, window);
  else
    /* Translators: %s is a time window */
    body = g_strdup_printf (_("The code for %s will stop opening the door once the lock learns of it at the "
                              "next Bluetooth visit. Until then the lock still accepts it."), window);

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Revoke This Code?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "revoke", _("_Revoke"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "revoke", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "am-lock-page", self);
  /* The page outlives a dialog it is modal for, unless disposed first. */
  g_signal_connect_object (self, "destroy", G_CALLBACK (gtk_window_destroy), dialog, G_CONNECT_SWAPPED);
  g_signal_connect (dialog, "response", G_CALLBACK (on_revoke_response_cb), g_object_ref (record));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The lists' rows */

static void
on_setup_passcode_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      AmLockPage               *self)
{
  GtkWidget *row = am_passcode_row_new ();

  g_signal_connect_object (row, "show-code", G_CALLBACK (on_show_code_cb), self, 0);
  g_signal_connect_object (row, "revoke", G_CALLBACK (on_revoke_cb), self, 0);
  gtk_list_item_set_child (item, row);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
on_bind_passcode_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     AmLockPage               *self)
{
  AmPasscodeRow *row = AM_PASSCODE_ROW (gtk_list_item_get_child (item));

  bind_passcode_row (self, row, gtk_list_item_get_item (item), now_s ());
  g_hash_table_add (self->bound_rows, row);
}

static void
on_unbind_passcode_cb (GtkSignalListItemFactory *factory,
                       GtkListItem              *item,
                       AmLockPage               *self)
{
  AmPasscodeRow *row = AM_PASSCODE_ROW (gtk_list_item_get_child (item));

  g_hash_table_remove (self->bound_rows, row);
  am_passcode_row_set_item (row, NULL, NULL, AM_PASSCODE_STATUS_UNUSED, FALSE, FALSE);
}

static void
on_setup_event_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   AmLockPage               *self)
{
  gtk_list_item_set_child (item, am_lock_event_row_new ());
  gtk_list_item_set_activatable (item, FALSE);
}

static void
on_bind_event_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  AmLockPage               *self)
{
  am_lock_event_row_set_item (AM_LOCK_EVENT_ROW (gtk_list_item_get_child (item)),
                              gtk_list_item_get_item (item), self->zone);
}

static void
on_unbind_event_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    AmLockPage               *self)
{
  am_lock_event_row_set_item (AM_LOCK_EVENT_ROW (gtk_list_item_get_child (item)), NULL, NULL);
}

/* Following the cache */

static gboolean
on_refresh_cb (gpointer user_data)
{
  AmLockPage *self = user_data;

  self->refresh_source = 0;
  if (self->lock == NULL)
    return G_SOURCE_REMOVE;

  g_clear_pointer (&self->pending, g_hash_table_unref);
  self->pending = am_facade_list_pending_revocations (self->facade, am_lock_get_id (self->lock));
  self->holds_key = am_facade_holds_key (self->facade, self->lock);
  self->may_revoke = am_facade_may (self->facade, am_lock_get_property_id (self->lock), AM_PERMISSION_REVOKE_CODES);
  refresh_bound_rows (self);
  if (self->status_filter >= 0)
    apply_filter (self);
  load_issuers (self);
  return G_SOURCE_REMOVE;
}

static void
on_store_changed_cb (AmLockPage *self,
                     guint       type,
                     GArray     *ids)
{
  /* A passcode revoked, a lock's log read at a visit, a grant changed:
   * statuses and what may be done change with them. */
  if (type != AM_RECORD_PASSCODE && type != AM_RECORD_LOCK_EVENT && type != AM_RECORD_GRANT)
    return;
  if (self->lock == NULL || self->refresh_source != 0)
    return;
  self->refresh_source = g_idle_add (on_refresh_cb, self);
}

static gboolean
on_minute_cb (gpointer user_data)
{
  refresh_bound_rows (user_data);
  return G_SOURCE_CONTINUE;
}

/* The lists show their first rows only until the page is on screen, so
 * that the rest cost nothing before then. */
static void
on_first_frame_cb (GdkFrameClock *clock,
                   AmLockPage    *self)
{
  g_clear_signal_handler (&self->first_frame_id, clock);
  if (self->passcodes != NULL)
    am_record_list_show_rest (self->passcodes);
  if (self->events != NULL)
    am_record_list_show_rest (self->events);
}

static void
wait_for_first_frame (AmLockPage *self)
{
  GdkFrameClock *clock;

  if (self->first_frame_id != 0 || !gtk_widget_get_realized (GTK_WIDGET (self)))
    return;
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  self->first_frame_id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_first_frame_cb), self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
disconnect_first_frame (AmLockPage *self)
{
  GdkFrameClock *clock;

  if (self->first_frame_id == 0)
    return;
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  if (clock != NULL)
    g_clear_signal_handler (&self->first_frame_id, clock);
  self->first_frame_id = 0;
}

static void
clear_lists (AmLockPage *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  disconnect_first_frame (self);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  gtk_grid_view_set_model (self->passcodes_view, NULL);
  gtk_grid_view_set_model (self->events_view, NULL);
  g_hash_table_remove_all (self->bound_rows);
  if (self->filtered != NULL)
    g_signal_handlers_disconnect_by_data (self->filtered, self);
  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  g_clear_object (&self->filtered);
  g_clear_object (&self->passcodes);
  g_clear_object (&self->events);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_object (&self->property);
  g_clear_pointer (&self->zone, g_time_zone_unref);
}

static void
load (AmLockPage *self)
{
  g_autoptr(GtkNoSelection) passcodes_model = NULL;
  g_autoptr(GtkNoSelection) events_model = NULL;
  const char *unit;
  g_autofree char *subtitle = NULL;

  clear_lists (self);
  if (self->facade == NULL || self->lock == NULL)
    return;

  self->cancellable = g_cancellable_new ();
  self->property = am_facade_get_property (self->facade, am_lock_get_property_id (self->lock));
  if (self->property != NULL)
    self->zone = am_unlock_flow_property_zone (self->property);
  else
    self->zone = g_time_zone_new_utc ();
  self->pending = am_facade_list_pending_revocations (self->facade, am_lock_get_id (self->lock));
  self->holds_key = am_facade_holds_key (self->facade, self->lock);
  self->may_revoke = am_facade_may (self->facade, am_lock_get_property_id (self->lock), AM_PERMISSION_REVOKE_CODES);

  unit = am_lock_get_unit (self->lock);
  if (self->property != NULL && unit != NULL && *unit != '\0')
    /* Translators: a property's name, then the unit a lock is on */
    subtitle = g_strdup_printf (_("%s · Unit %s"), am_property_get_name (self->property), unit);
  else if (self->property != NULL)
    subtitle = g_strdup (am_property_get_name (self->property));
  adw_view_switcher_title_set_title (self->switcher_title, am_lock_get_name (self->lock));
  adw_view_switcher_title_set_subtitle (self->switcher_title, subtitle != NULL ? subtitle : "");
  gtk_label_set_text (self->heading_title, am_lock_get_name (self->lock));
  gtk_label_set_text (self->heading_subtitle, subtitle != NULL ? subtitle : "");

  /* Newest first, as the cache lists them. */
  self->passcodes = am_facade_list_passcodes (self->facade, am_lock_get_id (self->lock));
  am_record_list_set_interactive (self->passcodes, TRUE);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->passcodes)), NULL);
  gtk_filter_list_model_set_incremental (self->filtered, TRUE);
  g_signal_connect_swapped (self->filtered, "items-changed", G_CALLBACK (update_passcodes_state), self);
  passcodes_model = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->filtered)));
  gtk_grid_view_set_model (self->passcodes_view, GTK_SELECTION_MODEL (passcodes_model));

  self->events = am_facade_list_lock_events (self->facade, am_lock_get_id (self->lock));
  am_record_list_set_interactive (self->events, TRUE);
  g_signal_connect_swapped (self->events, "items-changed", G_CALLBACK (update_events_state), self);
  events_model = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->events)));
  gtk_grid_view_set_model (self->events_view, GTK_SELECTION_MODEL (events_model));

  /* A filter left from another lock: the issuer may not have codes here. */
  g_clear_pointer (&self->issuer_filter, g_free);
  g_signal_handlers_block_by_func (self->issuer_dropdown, on_issuer_filter_cb, self);
  gtk_string_list_splice (self->issuers, 1, g_list_model_get_n_items (G_LIST_MODEL (self->issuers)) - 1, NULL);
  gtk_drop_down_set_selected (self->issuer_dropdown, 0);
  g_signal_handlers_unblock_by_func (self->issuer_dropdown, on_issuer_filter_cb, self);
  apply_filter (self);
  update_events_state (self);
  load_issuers (self);
  wait_for_first_frame (self);
}

static void
on_export_clicked_cb (AmLockPage *self)
{
  if (self->facade == NULL || self->lock == NULL)
    return;
  am_export_dialog_run (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), self->facade,
                        am_lock_get_id (self->lock), NULL);
}

/* The view switcher shows the lock's name only when narrow: otherwise the
 * page does, above its views. */
static void
on_title_visible_cb (AmLockPage *self)
{
  gtk_widget_set_visible (self->heading_box,
                          !adw_view_switcher_title_get_title_visible (self->switcher_title));
}

static void
on_back_clicked_cb (AmLockPage *self)
{
  g_signal_emit (self, signals[GO_BACK], 0);
}

/* GObject */

static void
am_lock_page_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (am_lock_page_parent_class)->realize (widget);
  if (AM_LOCK_PAGE (widget)->lock != NULL)
    wait_for_first_frame (AM_LOCK_PAGE (widget));
}

static void
am_lock_page_unrealize (GtkWidget *widget)
{
  disconnect_first_frame (AM_LOCK_PAGE (widget));
  GTK_WIDGET_CLASS (am_lock_page_parent_class)->unrealize (widget);
}

static void
am_lock_page_dispose (GObject *object)
{
  AmLockPage *self = AM_LOCK_PAGE (object);

  clear_lists (self);
  g_clear_handle_id (&self->minute_source, g_source_remove);
  if (self->facade != NULL)
    g_clear_signal_handler (&self->store_changed_id, am_facade_get_store (self->facade));
  /* The switchers first: they follow the stack's pages as it goes. */
  if (self->switcher_title != NULL)
    adw_view_switcher_title_set_stack (self->switcher_title, NULL);
  if (self->switcher_bar != NULL)
    adw_view_switcher_bar_set_stack (self->switcher_bar, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), AM_TYPE_LOCK_PAGE);
  self->toast_overlay = NULL;
  g_clear_object (&self->filter);
  g_clear_object (&self->issuers);
  g_clear_object (&self->lock);
  g_clear_object (&self->facade);
  g_clear_pointer (&self->bound_rows, g_hash_table_unref);
  g_clear_pointer (&self->issuer_filter, g_free);

  G_OBJECT_CLASS (am_lock_page_parent_class)->dispose (object);
}

static void
am_lock_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  AmLockPage *self = AM_LOCK_PAGE (object);

  switch (prop_id)
    {
    case PROP_FACADE:
      g_value_set_object (value, self->facade);
      break;
    case PROP_LOCK:
      g_value_set_object (value, self->lock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_lock_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  AmLockPage *self = AM_LOCK_PAGE (object);

  switch (prop_id)
    {
    case PROP_FACADE:
      am_lock_page_set_facade (self, g_value_get_object (value));
      break;
    case PROP_LOCK:
      am_lock_page_set_lock (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_lock_page_class_init (AmLockPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = am_lock_page_dispose;
  object_class->get_property = am_lock_page_get_property;
  object_class->set_property = am_lock_page_set_property;
  widget_class->realize = am_lock_page_realize;
  widget_class->unrealize = am_lock_page_unrealize;

  properties[PROP_FACADE] =
    g_param_spec_object ("facade", NULL, NULL, AM_TYPE_FACADE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCK] =
    g_param_spec_object ("lock", NULL, NULL, AM_TYPE_LOCK,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AmLockPage::go-back:
   *
   * The user asks for the locks dashboard again.
   */
  signals[GO_BACK] = g_signal_new ("go-back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/am-lock-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AmLockPage, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, AmLockPage, heading_box);
  gtk_widget_class_bind_template_child (widget_class, AmLockPage, heading_title);
  gtk_widget_class_bind_template_child (widget_class, AmLockPage, heading_subtitle);
  gtk_widget_class_bind_template_child (widget_class, AmLockPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, AmLockPage, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, AmLockPage, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AmLockPage, issuer_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AmLockPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, AmLockPage, passcodes_stack);
  gtk_widget_class_bind_template_child (widget_class, AmLockPage, passcodes_view);
  gtk_widget_class_bind_template_child (widget_class, AmLockPage, passcodes_empty);
  gtk_widget_class_bind_template_child (widget_class, AmLockPage, events_stack);
  gtk_widget_class_bind_template_child (widget_class, AmLockPage, events_view);
  gtk_widget_class_bind_template_callback (widget_class, on_title_visible_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_export_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_status_filter_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_issuer_filter_cb);
}

static void
am_lock_page_init (AmLockPage *self)
{
  g_autoptr(GtkListItemFactory) passcodes = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkListItemFactory) events = gtk_signal_list_item_factory_new ();
  const char *all_issuers[] = { _("All Issuers"), NULL };

  self->status_filter = -1;
  self->bound_rows = g_hash_table_new (NULL, NULL);
  self->filter = GTK_FILTER (gtk_custom_filter_new (filter_passcode, self, NULL));
  self->issuers = gtk_string_list_new (all_issuers);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_bin_get_child (ADW_BIN (self)));
  on_title_visible_cb (self);

  gtk_drop_down_set_model (self->issuer_dropdown, G_LIST_MODEL (self->issuers));
  name_drop_down (self->status_dropdown, _("Filter by Status"));
  name_drop_down (self->issuer_dropdown, _("Filter by Issuer"));

  g_signal_connect_object (passcodes, "setup", G_CALLBACK (on_setup_passcode_cb), self, 0);
  g_signal_connect_object (passcodes, "bind", G_CALLBACK (on_bind_passcode_cb), self, 0);
  g_signal_connect_object (passcodes, "unbind", G_CALLBACK (on_unbind_passcode_cb), self, 0);
  gtk_grid_view_set_factory (self->passcodes_view, passcodes);

  g_signal_connect_object (events, "setup", G_CALLBACK (on_setup_event_cb), self, 0);
  g_signal_connect_object (events, "bind", G_CALLBACK (on_bind_event_cb), self, 0);
  g_signal_connect_object (events, "unbind", G_CALLBACK (on_unbind_event_cb), self, 0);
  gtk_grid_view_set_factory (self->events_view, events);

  self->minute_source = g_timeout_add_seconds (REFRESH_INTERVAL_S, on_minute_cb, self);
  am_unlock_flow_show_only (self->passcodes_stack, "empty");
  am_unlock_flow_show_only (self->events_stack, "empty");
}

AmFacade *
am_lock_page_get_facade (AmLockPage *self)
{
  g_return_val_if_fail (AM_IS_LOCK_PAGE (self), NULL);

  return self->facade;
}

void
am_lock_page_set_facade (AmLockPage *self,
                         AmFacade   *facade)
{
  g_return_if_fail (AM_IS_LOCK_PAGE (self));
  g_return_if_fail (facade == NULL || AM_IS_FACADE (facade));

  if (self->facade == facade)
    return;
  clear_lists (self);
  if (self->facade != NULL)
    g_clear_signal_handler (&self->store_changed_id, am_facade_get_store (self->facade));
  g_set_object (&self->facade, facade);
  if (facade != NULL)
    self->store_changed_id = g_signal_connect_swapped (am_facade_get_store (facade), "changed",
                                                       G_CALLBACK (on_store_changed_cb), self);
  load (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FACADE]);
}

AmLock *
am_lock_page_get_lock (AmLockPage *self)
{
  g_return_val_if_fail (AM_IS_LOCK_PAGE (self), NULL);

  return self->lock;
}

/**
 * am_lock_page_set_lock:
 * @self: a lock page
 * @lock: (nullable): the lock to show
 *
 * Shows the lock's passcodes and log, read from the cache and kept fresh.
 */
void
am_lock_page_set_lock (AmLockPage *self,
                       AmLock     *lock)
{
  g_return_if_fail (AM_IS_LOCK_PAGE (self));
  g_return_if_fail (lock == NULL || AM_IS_LOCK (lock));

  if (self->lock == lock)
    return;
  g_set_object (&self->lock, lock);
  load (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCK]);
}

void
am_lock_page_show_passcodes (AmLockPage *self)
{
  g_return_if_fail (AM_IS_LOCK_PAGE (self));

  adw_view_stack_set_visible_child_name (self->view_stack, "passcodes");
}

void
am_lock_page_show_events (AmLockPage *self)
{
  g_return_if_fail (AM_IS_LOCK_PAGE (self));

  adw_view_stack_set_visible_child_name (self->view_stack, "events");
}

/**
 * am_lock_page_get_passcodes_view:
 * @self: a lock page
 *
 * Returns: (transfer none): the list of the lock's passcodes, for the
 *   benchmark's probe
 */
GtkGridView *
am_lock_page_get_passcodes_view (AmLockPage *self)
{
  g_return_val_if_fail (AM_IS_LOCK_PAGE (self), NULL);

  return self->passcodes_view;
}
