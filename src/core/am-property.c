/* am-property.c: a property (a building or a site) as the cloud describes it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "am-property"

#include "config.h"

#include "am-records-private.h"

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_ADDRESS,
  PROP_CITY,
  PROP_REGION,
  PROP_POSTAL_CODE,
  PROP_TIMEZONE,
  PROP_UPDATED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AmProperty, am_property, G_TYPE_OBJECT)

static void
am_property_finalize (GObject *object)
{
  AmProperty *self = (AmProperty *) object;

  g_free (self->id);
  g_free (self->name);
  g_free (self->address);
  g_free (self->city);
  g_free (self->region);
  g_free (self->postal_code);
  g_free (self->timezone);

  G_OBJECT_CLASS (am_property_parent_class)->finalize (object);
}

static void
am_property_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  AmProperty *self = AM_PROPERTY (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_CITY:
      g_value_set_string (value, self->city);
      break;
    case PROP_REGION:
      g_value_set_string (value, self->region);
      break;
    case PROP_POSTAL_CODE:
      g_value_set_string (value, self->postal_code);
      break;
    case PROP_TIMEZONE:
      g_value_set_string (value, self->timezone);
      break;
    case PROP_UPDATED_AT:
      g_value_set_int64 (value, self->updated_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
am_property_class_init (AmPropertyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = am_property_finalize;
  object_class->get_property = am_property_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, flags);
  properties[PROP_CITY] = g_param_spec_string ("city", NULL, NULL, NULL, flags);
  properties[PROP_REGION] = g_param_spec_string ("region", NULL, NULL, NULL, flags);
  properties[PROP_POSTAL_CODE] = g_param_spec_string ("postal-code", NULL, NULL, NULL, flags);
  properties[PROP_TIMEZONE] = g_param_spec_string ("timezone", NULL, NULL, NULL, flags);
  properties[PROP_UPDATED_AT] = g_param_spec_int64 ("updated-at", NULL, NULL,
                                                    0, G_MAXINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
am_property_init (AmProperty *self)
{
}

/**
 * am_property_new_empty: (skip)
 *
 * For the store and the JSON mapping, which fill the fields.
 *
 * Returns: (transfer full): a property with every field empty
 */
AmProperty *
am_property_new_empty (void)
{
  return g_object_new (AM_TYPE_PROPERTY, NULL);
}

const char *
am_property_get_id (AmProperty *self)
{
  g_return_val_if_fail (AM_IS_PROPERTY (self), NULL);

  return self->id;
}

const char *
am_property_get_name (AmProperty *self)
{
  g_return_val_if_fail (AM_IS_PROPERTY (self), NULL);

  return self->name;
}

const char *
am_property_get_address (AmProperty *self)
{
  g_return_val_if_fail (AM_IS_PROPERTY (self), NULL);

  return self->address;
}

const char *
am_property_get_city (AmProperty *self)
{
  g_return_val_if_fail (AM_IS_PROPERTY (self), NULL);

  return self->city;
}

const char *
am_property_get_region (AmProperty *self)
{
  g_return_val_if_fail (AM_IS_PROPERTY (self), NULL);

  return self->region;
}

const char *
am_property_get_postal_code (AmProperty *self)
{
  g_return_val_if_fail (AM_IS_PROPERTY (self), NULL);

  return self->postal_code;
}

/**
 * am_property_get_timezone:
 * @self: a property
 *
 * Returns: the property's IANA time zone, e.g. "America/Chicago"
 */
const char *
am_property_get_timezone (AmProperty *self)
{
  g_return_val_if_fail (AM_IS_PROPERTY (self), NULL);

  return self->timezone;
}

gint64
am_property_get_updated_at (AmProperty *self)
{
  g_return_val_if_fail (AM_IS_PROPERTY (self), 0);

  return self->updated_at;
}

/**
 * am_property_equal:
 * @a: a property
 * @b: another property
 *
 * Returns: whether every field of @a equals that of @b
 */
gboolean
am_property_equal (AmProperty *a,
                   AmProperty *b)
{
  g_return_val_if_fail (AM_IS_PROPERTY (a), FALSE);
  g_return_val_if_fail (AM_IS_PROPERTY (b), FALSE);

  return g_strcmp0 (a->id, b->id) == 0 &&
         g_strcmp0 (a->name, b->name) == 0 &&
         g_strcmp0 (a->address, b->address) == 0 &&
         g_strcmp0 (a->city, b->city) == 0 &&
         g_strcmp0 (a->region, b->region) == 0 &&
         g_strcmp0 (a->postal_code, b->postal_code) == 0 &&
         g_strcmp0 (a->timezone, b->timezone) == 0 &&
         a->updated_at == b->updated_at;
}
