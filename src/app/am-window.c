/* am-window.c: the main window: signing in, the property list, a property
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A stack of four pages: loading (while the façade restores the session),
 * sign-in, main (a leaflet: the searchable property list, and the selected
 * property) and error (no cache could be opened). The façade's signed-in
 * property picks between sign-in and main; its online and outbox-count
 * properties drive the offline band; a failed sync that is not about being
 * offline is a toast.
 */
#define G_LOG_DOMAIN "am-window"

#include "config.h"

#include <glib/gi18n.h>

#include "am-locks-window.h"
#include "am-property-page.h"
#include "am-property-row.h"
#include "am-sign-in-page.h"
#include "am-sync-status.h"
#include "am-bench-probe.h"
#include "am-unlock-flow.h"
#include "am-window.h"

struct _AmWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  AmFacade             *facade;
  AmRecordList         *properties;
  GtkSingleSelection   *selection;
  GCancellable         *cancellable;
  gboolean              restored;
  char                 *last_sync_error;
  AmLocksWindow        *locks_window;     /* (nullable): weak */
  gulong                first_frame_handler;
  gboolean              list_changing;     /* within the list's items-changed */

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  AdwBin               *sign_in_bin;
  AmSignInPage         *sign_in_page;     /* (nullable): until first shown */
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkWidget            *content;
  AdwWindowTitle       *sidebar_title;
  GtkRevealer          *offline_revealer;
  GtkLabel             *offline_label;
  GtkWidget            *offline_icon;
  GtkSearchEntry       *search_entry;
  GtkStack             *list_stack;
  GtkListView          *list_view;
  AdwStatusPage        *empty_page;
  AdwWindowTitle       *content_title;
  GtkStack             *content_stack;
  AmPropertyPage       *property_page;
  AmSyncStatus         *sync_status;
  AdwStatusPage        *error_page;
};

enum {
  PROP_0,
  PROP_FACADE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AmWindow, am_window, ADW_TYPE_APPLICATION_WINDOW)

static void
save_window_state (AmWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
}

static gboolean
demo_credentials (const char **server,
                  const char **email,
                  const char **password)
{
  *server = g_getenv ("AM_DEMO_SERVER");
  *email = g_getenv ("AM_DEMO_EMAIL");
  *password = g_getenv ("AM_DEMO_PASSWORD");

  return *server != NULL && **server != '\0' && *email != NULL && **email != '\0'
         && *password != NULL && **password != '\0';
}

/* The sign-in page, made the first time it is needed: a window that
 * opens on a signed-in cache does not pay for it. */
static AmSignInPage *
get_sign_in_page (AmWindow *self)
{
  if (self->sign_in_page == NULL)
    {
      self->sign_in_page = g_object_new (AM_TYPE_SIGN_IN_PAGE, "vexpand", TRUE, NULL);
      adw_bin_set_child (self->sign_in_bin, GTK_WIDGET (self->sign_in_page));
      if (self->facade != NULL)
        am_sign_in_page_set_facade (self->sign_in_page, self->facade);
    }
  return self->sign_in_page;
}

static void
update_account (AmWindow *self)
{
  const AmAccount *account = am_facade_get_account (self->facade);

  adw_window_title_set_subtitle (self->sidebar_title,
                                 account != NULL && account->org_name != NULL ? account->org_name : "");
}

static void
update_list_state (AmWindow *self)
{
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->properties));

  if (n > 0)
    am_unlock_flow_show_only (self->list_stack, "list");
  else if (search != NULL && *search != '\0')
    am_unlock_flow_show_only (self->list_stack, "no-results");
  else
    am_unlock_flow_show_only (self->list_stack, "empty");
}

static void
update_offline (AmWindow *self)
{
  gboolean offline = am_facade_get_signed_in (self->facade) && !am_facade_get_online (self->facade);
  guint waiting = am_facade_get_outbox_count (self->facade);
  g_autofree char *text = NULL;
  const char *tooltip;

  if (waiting > 0)
    text = g_strdup_printf (ngettext ("Offline — %u change waiting",
                                      "Offline — %u changes waiting", waiting), waiting);
  else
    text = g_strdup (_("Offline"));
  tooltip = _("Access Manager cannot reach your company’s cloud. Unlocks and codes issued meanwhile are kept on this computer and sent once it can.");

  gtk_label_set_text (self->offline_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->offline_label), tooltip);
  gtk_widget_set_tooltip_text (self->offline_icon, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->offline_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);
  gtk_revealer_set_reveal_child (self->offline_revealer, offline);
  gtk_widget_set_visible (self->offline_icon, offline);
}

static void
show_page (AmWindow *self)
{
  if (self->facade == NULL)
    {
      am_unlock_flow_show_only (self->stack, "error");
      return;
    }
  if (!self->restored)
    {
      const AmAccount *account = am_facade_get_account (self->facade);

      /* The cache of a session that was signed in shows at once, while
       * the keyring is asked for its token: no waiting on the way to the
       * list. Should the session be gone, the sign-in page follows. */
      if (account == NULL || !account->signed_in)
        {
          am_unlock_flow_show_only (self->stack, "loading");
          return;
        }
    }

  if (!self->restored || am_facade_get_signed_in (self->facade))
    {
      am_unlock_flow_show_only (self->stack, "main");
      if (!adw_leaflet_get_folded (self->leaflet)
          || adw_leaflet_get_visible_child (self->leaflet) == self->sidebar)
        gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
    }
  else
    {
      get_sign_in_page (self);
      am_unlock_flow_show_only (self->stack, "sign-in");
    }
}

static void
forget_view (AmWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
}

static void
on_setup_row_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 AmWindow                 *self)
{
  gtk_list_item_set_child (item, am_property_row_new ());
}

static void
on_bind_row_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                AmWindow                 *self)
{
  AmPropertyRow *row = AM_PROPERTY_ROW (gtk_list_item_get_child (item));
  AmProperty *property = gtk_list_item_get_item (item);

  am_property_row_set_lock_count (row, am_facade_count_locks (self->facade, am_property_get_id (property)));
  am_property_row_set_item (row, property);
}

static void
on_unbind_row_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  AmWindow                 *self)
{
  am_property_row_set_item (AM_PROPERTY_ROW (gtk_list_item_get_child (item)), NULL);
}

static gboolean
on_scroll_to_top_cb (gpointer user_data)
{
  AmWindow *self = user_data;
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view));

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static void show_property (AmWindow   *self,
                           AmProperty *property);

/* Before the selection hears of a change: see on_selected_item_cb(). */
static void
on_items_changing_cb (AmWindow *self)
{
  self->list_changing = TRUE;
}

static void
on_items_changed_cb (AmWindow *self,
                     guint     position,
                     guint     removed,
                     guint     added)
{
  AmProperty *shown = am_property_page_get_property_item (self->property_page);

  self->list_changing = FALSE;
  update_list_state (self);

  /* A search is told a few rows at a time (am_record_list_set_interactive()):
   * the row of the property shown may go in one step and come back in a
   * later one. Select it again when it comes; let its page go only once
   * the list has told everything without it. */
  if (shown != NULL && gtk_single_selection_get_selected (self->selection) == GTK_INVALID_LIST_POSITION)
    {
      for (guint i = position; i < position + added; i++)
        {
          g_autoptr(AmProperty) item = g_list_model_get_item (G_LIST_MODEL (self->properties), i);

          if (item == shown)
            {
              gtk_single_selection_set_selected (self->selection, i);
              return;
            }
        }
      if (!am_record_list_has_pending_changes (self->properties))
        show_property (self, NULL);
    }

  /* The list view keeps the row at its top in place; rows that a sync
   * brings in above it would stay out of sight, so show them. */
  if (position == 0 && added > 0
      && gtk_single_selection_get_selected (self->selection) == GTK_INVALID_LIST_POSITION)
    g_idle_add (on_scroll_to_top_cb, g_object_ref (self));
}

static void
show_property (AmWindow   *self,
               AmProperty *property)
{
  am_property_page_set_property_item (self->property_page, property);
  if (property == NULL)
    {
      adw_window_title_set_title (self->content_title, "");
      adw_window_title_set_subtitle (self->content_title, "");
      am_unlock_flow_show_only (self->content_stack, "none");
      return;
    }
  adw_window_title_set_title (self->content_title, am_property_get_name (property));
  adw_window_title_set_subtitle (self->content_title,
                                 am_property_get_city (property) != NULL ? am_property_get_city (property) : "");
  am_unlock_flow_show_only (self->content_stack, "property");
}

static void
on_selected_item_cb (AmWindow *self)
{
  AmProperty *property = gtk_single_selection_get_selected_item (self->selection);

  /* Unselected because its row went in a change: the change's end says
   * whether it comes back (on_items_changed_cb()). */
  if (property == NULL && self->list_changing)
    return;
  if (property != NULL && property == am_property_page_get_property_item (self->property_page))
    return;
  show_property (self, property);
}

static void
on_list_activate_cb (AmWindow *self,
                     guint     position)
{
  gtk_single_selection_set_selected (self->selection, position);
  adw_leaflet_set_visible_child (self->leaflet, self->content);
}

static void
on_back_clicked_cb (AmWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
on_search_changed_cb (AmWindow *self)
{
  am_record_list_set_search (self->properties, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  update_list_state (self);
}

static void
on_stop_search_cb (AmWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
on_signed_in_cb (AmWindow *self)
{
  if (!am_facade_get_signed_in (self->facade))
    {
      forget_view (self);
      am_sign_in_page_reset (get_sign_in_page (self));
    }
  update_account (self);
  update_offline (self);
  show_page (self);
}

static void
on_online_cb (AmWindow *self)
{
  update_offline (self);
}

static void
on_sync_error_cb (AmWindow *self)
{
  const char *message = am_facade_get_sync_error (self->facade);

  if (message == NULL)
    {
      g_clear_pointer (&self->last_sync_error, g_free);
      return;
    }
  /* Offline is the band's to tell; the same failure again is not news. */
  if (!am_facade_get_online (self->facade) || g_strcmp0 (message, self->last_sync_error) == 0)
    return;
  g_free (self->last_sync_error);
  self->last_sync_error = g_strdup (message);
  am_window_add_toast (self, message);
}

static void
on_restored_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(AmWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  const char *server, *email, *password;

  if (!am_facade_restore_finish (AM_FACADE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      am_window_add_toast (self, error->message);
    }

  self->restored = TRUE;
  update_account (self);
  update_offline (self);
  show_page (self);

  /* The demo signs in as its agent by itself (build-aux/dev run). */
  if (!am_facade_get_signed_in (self->facade) && demo_credentials (&server, &email, &password))
    am_sign_in_page_sign_in (get_sign_in_page (self), server, email, password);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  AmWindow *self = AM_WINDOW (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "main") != 0)
    return;
  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* The list shows its first rows until the window is on screen, so that
 * the rows below cost nothing before then. */
static void
on_first_frame_cb (GdkFrameClock *clock,
                   AmWindow      *self)
{
  g_clear_signal_handler (&self->first_frame_handler, clock);
  if (self->properties != NULL)
    am_record_list_show_rest (self->properties);
}

static void
on_realize_cb (AmWindow *self)
{
  self->first_frame_handler = g_signal_connect_object (gtk_widget_get_frame_clock (GTK_WIDGET (self)), "after-paint",
                                                       G_CALLBACK (on_first_frame_cb), self, 0);
}

static void
show_locks_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  am_window_show_locks (AM_WINDOW (widget), NULL);
}

static void
show_lock_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  am_window_show_locks (AM_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
setup_facade (AmWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  const char *notice;

  am_property_page_set_facade (self->property_page, self->facade);
  am_sync_status_set_facade (self->sync_status, self->facade);

  self->properties = am_facade_list_properties (self->facade);
  am_record_list_set_interactive (self->properties, TRUE);
  g_signal_connect_object (self->properties, "items-changed",
                           G_CALLBACK (on_items_changing_cb), self, G_CONNECT_SWAPPED);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->properties)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (on_selected_item_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->properties, "items-changed",
                           G_CALLBACK (on_items_changed_cb), self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_object (factory, "setup", G_CALLBACK (on_setup_row_cb), self, 0);
  g_signal_connect_object (factory, "bind", G_CALLBACK (on_bind_row_cb), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (on_unbind_row_cb), self, 0);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect (self, "realize", G_CALLBACK (on_realize_cb), NULL);

  g_signal_connect_object (self->facade, "notify::signed-in",
                           G_CALLBACK (on_signed_in_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->facade, "notify::online",
                           G_CALLBACK (on_online_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->facade, "notify::outbox-count",
                           G_CALLBACK (on_online_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->facade, "notify::sync-error",
                           G_CALLBACK (on_sync_error_cb), self, G_CONNECT_SWAPPED);

  update_list_state (self);
  update_offline (self);

  notice = am_facade_get_recovery_notice (self->facade);
  if (notice != NULL)
    am_window_add_toast (self, notice);

  update_account (self);
  show_page (self);
  self->cancellable = g_cancellable_new ();
  am_facade_restore_async (self->facade, self->cancellable, on_restored_cb, g_object_ref (self));
}

static void
am_window_constructed (GObject *object)
{
  AmWindow *self = AM_WINDOW (object);
  GtkApplication *app;

  G_OBJECT_CLASS (am_window_parent_class)->constructed (object);

  app = gtk_window_get_application (GTK_WINDOW (self));
  if (self->facade != NULL)
    setup_facade (self);
  else if (AM_IS_APPLICATION (app))
    {
      /* Markup, and the sentence may hold a file's path. */
      const char *message = am_application_get_facade_error (AM_APPLICATION (app));
      g_autofree char *escaped = message != NULL ? g_markup_escape_text (message, -1) : NULL;

      adw_status_page_set_description (self->error_page, escaped);
    }
  show_page (self);
}

static gboolean
am_window_close_request (GtkWindow *window)
{
  save_window_state (AM_WINDOW (window));

  return GTK_WINDOW_CLASS (am_window_parent_class)->close_request (window);
}

static void
am_window_dispose (GObject *object)
{
  AmWindow *self = AM_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), AM_TYPE_WINDOW);
  g_clear_object (&self->selection);
  g_clear_object (&self->properties);
  g_clear_object (&self->facade);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->last_sync_error, g_free);
  if (self->locks_window != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->locks_window), (gpointer *) &self->locks_window);
  self->locks_window = NULL;

  G_OBJECT_CLASS (am_window_parent_class)->dispose (object);
}

static void
am_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  AmWindow *self = AM_WINDOW (object);

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
am_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  AmWindow *self = AM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_FACADE:
      self->facade = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_window_class_init (AmWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = am_window_constructed;
  object_class->dispose = am_window_dispose;
  object_class->get_property = am_window_get_property;
  object_class->set_property = am_window_set_property;
  window_class->close_request = am_window_close_request;

  properties[PROP_FACADE] =
    g_param_spec_object ("facade", NULL, NULL, AM_TYPE_FACADE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.show-locks", NULL, show_locks_action);
  gtk_widget_class_install_action (widget_class, "win.show-lock", "s", show_lock_action);

  g_type_ensure (AM_TYPE_SIGN_IN_PAGE);
  g_type_ensure (AM_TYPE_PROPERTY_PAGE);
  g_type_ensure (AM_TYPE_SYNC_STATUS);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/am-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AmWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, sign_in_bin);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, content);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, sidebar_title);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, offline_revealer);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, offline_label);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, offline_icon);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, property_page);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, sync_status);
  gtk_widget_class_bind_template_child (widget_class, AmWindow, error_page);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search_cb);
}

static void
am_window_init (AmWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self->leaflet));

  self->settings = g_settings_new (APP_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

/**
 * am_window_new:
 * @application: the application
 * @facade: (nullable): its façade, %NULL when none could be made
 *
 * Returns: (transfer full): a new main window
 */
AmWindow *
am_window_new (AmApplication *application,
               AmFacade      *facade)
{
  g_return_val_if_fail (AM_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (facade == NULL || AM_IS_FACADE (facade), NULL);

  AmWindow *self = g_object_new (AM_TYPE_WINDOW, "application", application, "facade", facade, NULL);

  am_bench_probe_attach (GTK_WINDOW (self), self->list_view, GTK_EDITABLE (self->search_entry));
  return self;
}

AmFacade *
am_window_get_facade (AmWindow *self)
{
  g_return_val_if_fail (AM_IS_WINDOW (self), NULL);

  return self->facade;
}

/**
 * am_window_add_toast:
 * @self: a window
 * @text: a sentence, plain text
 */
void
am_window_add_toast (AmWindow   *self,
                     const char *text)
{
  g_autofree char *markup = NULL;
  AdwToast *toast;

  g_return_if_fail (AM_IS_WINDOW (self));
  g_return_if_fail (text != NULL);

  /* AdwToast 1.2 reads its title as markup. */
  markup = g_markup_escape_text (text, -1);
  toast = adw_toast_new (markup);
  adw_toast_set_timeout (toast, 10);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/**
 * am_window_show_locks:
 * @self: the main window
 * @lock_id: (nullable): a lock to open, or %NULL for the dashboard
 *
 * Presents the Locks Dashboard window, one for the main window, on the
 * dashboard or on a lock's passcodes.
 *
 * Returns: (transfer none) (nullable): the window, or %NULL without a cache
 */
AmLocksWindow *
am_window_show_locks (AmWindow   *self,
                      const char *lock_id)
{
  g_autoptr(AmLock) lock = NULL;

  g_return_val_if_fail (AM_IS_WINDOW (self), NULL);

  if (self->facade == NULL)
    return NULL;
  if (self->locks_window == NULL)
    {
      self->locks_window = am_locks_window_new (gtk_window_get_application (GTK_WINDOW (self)), self->facade);
      g_object_add_weak_pointer (G_OBJECT (self->locks_window), (gpointer *) &self->locks_window);
    }
  if (lock_id != NULL)
    lock = am_facade_get_lock (self->facade, lock_id);
  if (lock != NULL)
    am_locks_window_show_lock (self->locks_window, lock);
  else
    am_locks_window_show_dashboard (self->locks_window);
  gtk_window_present (GTK_WINDOW (self->locks_window));
  return self->locks_window;
}
