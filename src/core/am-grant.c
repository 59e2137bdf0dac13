/* am-grant.c: what one user may do on one property
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "am-grant"

#include "config.h"

#include "am-records-private.h"

enum {
  PROP_0,
  PROP_PROPERTY_ID,
  PROP_USER_ID,
  PROP_PERMISSIONS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AmGrant, am_grant, G_TYPE_OBJECT)

static const char * const no_permissions[] = { NULL };

static void
am_grant_finalize (GObject *object)
{
  AmGrant *self = (AmGrant *) object;

  g_free (self->property_id);
  g_free (self->user_id);
  g_strfreev (self->permissions);

  G_OBJECT_CLASS (am_grant_parent_class)->finalize (object);
}

static void
am_grant_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  AmGrant *self = AM_GRANT (object);

  switch (prop_id)
    {
    case PROP_PROPERTY_ID:
      g_value_set_string (value, self->property_id);
      break;
    case PROP_USER_ID:
      g_value_set_string (value, self->user_id);
      break;
    case PROP_PERMISSIONS:
      g_value_set_boxed (value, am_grant_get_permissions (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_grant_class_init (AmGrantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = am_grant_finalize;
  object_class->get_property = am_grant_get_property;

  properties[PROP_PROPERTY_ID] = g_param_spec_string ("property-id", NULL, NULL, NULL, flags);
  properties[PROP_USER_ID] = g_param_spec_string ("user-id", NULL, NULL, NULL, flags);
  properties[PROP_PERMISSIONS] = g_param_spec_boxed ("permissions", NULL, NULL,
                                                     G_TYPE_STRV, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
am_grant_init (AmGrant *self)
{
}

/**
 * am_grant_new_empty: (skip)
 *
 * For the store and the JSON mapping, which fill the fields.
 *
 * Returns: (transfer full): a grant with every field empty
 */
AmGrant *
am_grant_new_empty (void)
{
  return g_object_new (AM_TYPE_GRANT, NULL);
}

/**
 * am_grant_get_property_id:
 * @self: a grant
 *
 * A user holds one grant a property, so this is also the grant's id.
 *
 * Returns: the id of the property the grant is for
 */
const char *
am_grant_get_property_id (AmGrant *self)
{
  g_return_val_if_fail (AM_IS_GRANT (self), NULL);

  return self->property_id;
}

const char *
am_grant_get_user_id (AmGrant *self)
{
  g_return_val_if_fail (AM_IS_GRANT (self), NULL);

  return self->user_id;
}

/**
 * am_grant_get_permissions:
 * @self: a grant
 *
 * Returns: (transfer none) (array zero-terminated=1): the permission names,
 *   %AM_PERMISSION_GENERATE_CODES and the like; never %NULL
 */
const char * const *
am_grant_get_permissions (AmGrant *self)
{
  g_return_val_if_fail (AM_IS_GRANT (self), no_permissions);

  return self->permissions != NULL ? (const char * const *) self->permissions : no_permissions;
}

/**
 * am_grant_has_permission:
 * @self: a grant
 * @permission: a permission name, %AM_PERMISSION_GENERATE_CODES and the like
 *
 * Returns: whether the grant gives @permission
 */
gboolean
am_grant_has_permission (AmGrant    *self,
                         const char *permission)
{
  g_return_val_if_fail (AM_IS_GRANT (self), FALSE);
  g_return_val_if_fail (permission != NULL, FALSE);

  return self->permissions != NULL &&
         g_strv_contains ((const char * const *) self->permissions, permission);
}

/**
 * am_grant_equal:
 * @a: a grant
 * @b: another grant
 *
 * Permissions are compared in order.
 *
 * Returns: whether every field of @a equals that of @b
 */
gboolean
am_grant_equal (AmGrant *a,
                AmGrant *b)
{
  g_return_val_if_fail (AM_IS_GRANT (a), FALSE);
  g_return_val_if_fail (AM_IS_GRANT (b), FALSE);

  return g_strcmp0 (a->property_id, b->property_id) == 0 &&
         g_strcmp0 (a->user_id, b->user_id) == 0 &&
         g_strv_equal (am_grant_get_permissions (a), am_grant_get_permissions (b));
}
