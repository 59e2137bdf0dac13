/* am-property.h: a property (a building or a site) as the cloud describes it
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define AM_TYPE_PROPERTY (am_property_get_type ())

G_DECLARE_FINAL_TYPE (AmProperty, am_property, AM, PROPERTY, GObject)

const char *am_property_get_id          (AmProperty *self);
const char *am_property_get_name        (AmProperty *self);
const char *am_property_get_address     (AmProperty *self);
const char *am_property_get_city        (AmProperty *self);
const char *am_property_get_region      (AmProperty *self);
const char *am_property_get_postal_code (AmProperty *self);
const char *am_property_get_timezone    (AmProperty *self);
gint64      am_property_get_updated_at  (AmProperty *self);
gboolean    am_property_equal           (AmProperty *a,
                                         AmProperty *b);

G_END_DECLS
