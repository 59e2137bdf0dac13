/* am-sign-in-page.c: signing in to a company's cloud, or accepting an invitation
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two modes on one page: an email address and password, or the invitation
 * code a company sent with a name and a new password. The server is preset
 * from GSettings (or AM_DEMO_SERVER) and remembered after a success. The
 * façade checks everything and keeps the session token in the vault; this
 * page only shows its sentence when something fails, and never keeps a
 * password or an invitation code after an answer.
 */
#define G_LOG_DOMAIN "am-sign-in-page"

#include "config.h"

#include <glib/gi18n.h>

#include "am-sign-in-page.h"

typedef enum
{
  MODE_SIGN_IN,
  MODE_INVITATION,
} Mode;

struct _AmSignInPage
{
  AdwBin          parent_instance;

  AmFacade       *facade;
  GSettings      *settings;
  GCancellable   *cancellable;
  Mode            mode;
  gboolean        busy;

  /* Template widgets */
  GtkLabel       *description_label;
  AdwEntryRow    *server_row;
  AdwEntryRow    *email_row;
  AdwEntryRow    *token_row;
  AdwEntryRow    *name_row;
  AdwEntryRow    *password_row;
  GtkWidget      *error_box;
  GtkLabel       *error_label;
  GtkButton      *submit_button;
  GtkSpinner     *spinner;
  GtkLabel       *submit_label;
  GtkButton      *mode_button;
};

enum {
  PROP_0,
  PROP_FACADE,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AmSignInPage, am_sign_in_page, ADW_TYPE_BIN)

static gboolean
row_filled (AdwEntryRow *row)
{
  for (const char *p = gtk_editable_get_text (GTK_EDITABLE (row)); p != NULL && *p != '\0'; p++)
    {
      if (!g_ascii_isspace (*p))
        return TRUE;
    }
  return FALSE;
}

/* libadwaita 1.2 gives the show-password button of a password row no
 * name: GTK 4.8 would announce it by its icon's type name. */
static void
name_peek_buttons (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_BUTTON (child)
          || gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (child)) == GTK_ACCESSIBLE_ROLE_BUTTON)
        gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Show Password"), -1);
      name_peek_buttons (child);
    }
}

static gboolean
can_submit (AmSignInPage *self)
{
  if (self->busy || self->facade == NULL)
    return FALSE;
  if (!row_filled (self->server_row) || !row_filled (self->password_row))
    return FALSE;
  if (self->mode == MODE_SIGN_IN)
    return row_filled (self->email_row);
  return row_filled (self->token_row) && row_filled (self->name_row);
}

static void
update_sensitivity (AmSignInPage *self)
{
  AdwEntryRow *rows[] = { self->server_row, self->email_row, self->token_row,
                          self->name_row, self->password_row };

  /* Read-only rather than insensitive while working: a focused entry made
   * insensitive loses its focus without a focus-out in GTK 4.8. */
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    gtk_editable_set_editable (GTK_EDITABLE (rows[i]), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->mode_button), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->submit_button), can_submit (self));
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
}

static void
set_busy (AmSignInPage *self,
          gboolean      busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  update_sensitivity (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
show_error (AmSignInPage *self,
            const char   *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (self->error_box, message != NULL);
}

static void
set_mode (AmSignInPage *self,
          Mode          mode)
{
  const char *submit;

  self->mode = mode;
  gtk_widget_set_visible (GTK_WIDGET (self->email_row), mode == MODE_SIGN_IN);
  gtk_widget_set_visible (GTK_WIDGET (self->token_row), mode == MODE_INVITATION);
  gtk_widget_set_visible (GTK_WIDGET (self->name_row), mode == MODE_INVITATION);

  if (mode == MODE_SIGN_IN)
    {
      gtk_label_set_text (self->description_label,
                          _("Sign in with the email address and password of your Access Manager account, on your company’s cloud."));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row), _("Password"));
      submit = _("Sign In");
      gtk_button_set_label (self->mode_button, _("Accept an Invitation"));
    }
  else
    {
      gtk_label_set_text (self->description_label,
                          _("Paste the invitation code your company sent you, then choose the name others will see and a password."));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row), _("New Password"));
      submit = _("Accept Invitation");
      gtk_button_set_label (self->mode_button, _("Sign In With a Password"));
    }
  gtk_label_set_text (self->submit_label, submit);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->submit_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, submit, -1);
  show_error (self, NULL);
  update_sensitivity (self);
}

static void
forget_secrets (AmSignInPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
}

static char *
server_text (AmSignInPage *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
}

static void
finish_attempt (AmSignInPage *self,
                gboolean      ok,
                GError       *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);
  if (ok)
    {
      g_autofree char *server = server_text (self);

      g_settings_set_string (self->settings, "server", server);
      forget_secrets (self);
      show_error (self, NULL);
      return;
    }

  show_error (self, error->message);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

static void
on_sign_in_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(AmSignInPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = am_facade_sign_in_finish (AM_FACADE (object), result, &error);
  finish_attempt (self, ok, error);
}

static void
on_accept_invitation_done_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  g_autoptr(AmSignInPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = am_facade_accept_invitation_finish (AM_FACADE (object), result, &error);
  finish_attempt (self, ok, error);
}

static void
submit (AmSignInPage *self)
{
  g_autofree char *server = NULL;

  if (!can_submit (self))
    return;

  server = server_text (self);
  show_error (self, NULL);
  set_busy (self, TRUE);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  if (self->mode == MODE_SIGN_IN)
    {
      g_autofree char *email = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->email_row))));

      am_facade_sign_in_async (self->facade, server, email,
                               gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                               self->cancellable, on_sign_in_done_cb, g_object_ref (self));
    }
  else
    {
      g_autofree char *token = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->token_row))));
      g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

      am_facade_accept_invitation_async (self->facade, server, token, name,
                                         gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                                         self->cancellable, on_accept_invitation_done_cb,
                                         g_object_ref (self));
    }
}

static void
on_field_changed_cb (AmSignInPage *self)
{
  update_sensitivity (self);
}

static void
on_entry_activated_cb (AmSignInPage *self)
{
  submit (self);
}

static void
on_submit_clicked_cb (AmSignInPage *self)
{
  submit (self);
}

static void
on_mode_clicked_cb (AmSignInPage *self)
{
  set_mode (self, self->mode == MODE_SIGN_IN ? MODE_INVITATION : MODE_SIGN_IN);
  gtk_widget_grab_focus (GTK_WIDGET (self->mode == MODE_SIGN_IN ? self->email_row : self->token_row));
}

static void
am_sign_in_page_dispose (GObject *object)
{
  AmSignInPage *self = AM_SIGN_IN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), AM_TYPE_SIGN_IN_PAGE);
  g_clear_object (&self->facade);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (am_sign_in_page_parent_class)->dispose (object);
}

static void
am_sign_in_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  AmSignInPage *self = AM_SIGN_IN_PAGE (object);

  switch (prop_id)
    {
    case PROP_FACADE:
      g_value_set_object (value, self->facade);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_sign_in_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  AmSignInPage *self = AM_SIGN_IN_PAGE (object);

  switch (prop_id)
    {
    case PROP_FACADE:
      am_sign_in_page_set_facade (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_sign_in_page_class_init (AmSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = am_sign_in_page_dispose;
  object_class->get_property = am_sign_in_page_get_property;
  object_class->set_property = am_sign_in_page_set_property;

  properties[PROP_FACADE] =
    g_param_spec_object ("facade", NULL, NULL, AM_TYPE_FACADE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/am-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AmSignInPage, description_label);
  gtk_widget_class_bind_template_child (widget_class, AmSignInPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, AmSignInPage, email_row);
  gtk_widget_class_bind_template_child (widget_class, AmSignInPage, token_row);
  gtk_widget_class_bind_template_child (widget_class, AmSignInPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, AmSignInPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, AmSignInPage, error_box);
  gtk_widget_class_bind_template_child (widget_class, AmSignInPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, AmSignInPage, submit_button);
  gtk_widget_class_bind_template_child (widget_class, AmSignInPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, AmSignInPage, submit_label);
  gtk_widget_class_bind_template_child (widget_class, AmSignInPage, mode_button);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_submit_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_mode_clicked_cb);
}

static void
am_sign_in_page_init (AmSignInPage *self)
{
  g_autofree char *server = NULL;
  const char *demo_server = g_getenv ("AM_DEMO_SERVER");

  gtk_widget_init_template (GTK_WIDGET (self));
  name_peek_buttons (GTK_WIDGET (self->password_row));
  name_peek_buttons (GTK_WIDGET (self->token_row));

  self->settings = g_settings_new (APP_ID);
  server = g_settings_get_string (self->settings, "server");
  if (demo_server != NULL && *demo_server != '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), demo_server);
  else
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), server);

  set_mode (self, MODE_SIGN_IN);
}

AmFacade *
am_sign_in_page_get_facade (AmSignInPage *self)
{
  g_return_val_if_fail (AM_IS_SIGN_IN_PAGE (self), NULL);

  return self->facade;
}

void
am_sign_in_page_set_facade (AmSignInPage *self,
                            AmFacade     *facade)
{
  g_return_if_fail (AM_IS_SIGN_IN_PAGE (self));
  g_return_if_fail (facade == NULL || AM_IS_FACADE (facade));

  if (!g_set_object (&self->facade, facade))
    return;
  update_sensitivity (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FACADE]);
}

gboolean
am_sign_in_page_get_busy (AmSignInPage *self)
{
  g_return_val_if_fail (AM_IS_SIGN_IN_PAGE (self), FALSE);

  return self->busy;
}

/**
 * am_sign_in_page_sign_in:
 * @self: a page with a façade
 * @server: the cloud's address
 * @email: the account's email address
 * @password: its password
 *
 * Fills the page and signs in as if the user had typed them (the demo).
 */
void
am_sign_in_page_sign_in (AmSignInPage *self,
                         const char   *server,
                         const char   *email,
                         const char   *password)
{
  g_return_if_fail (AM_IS_SIGN_IN_PAGE (self));
  g_return_if_fail (server != NULL && email != NULL && password != NULL);

  set_mode (self, MODE_SIGN_IN);
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server);
  gtk_editable_set_text (GTK_EDITABLE (self->email_row), email);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
  submit (self);
}

/**
 * am_sign_in_page_reset:
 * @self: a page
 *
 * Back to signing in with a password, with nothing secret left in it and
 * any attempt under way forgotten (after signing out).
 */
void
am_sign_in_page_reset (AmSignInPage *self)
{
  g_return_if_fail (AM_IS_SIGN_IN_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);
  forget_secrets (self);
  set_mode (self, MODE_SIGN_IN);
}
