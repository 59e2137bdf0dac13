/* am-property-page.h: one property: where it is, its time zone, its locks, Unlock
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "am-facade.h"

G_BEGIN_DECLS

#define AM_TYPE_PROPERTY_PAGE (am_property_page_get_type ())

G_DECLARE_FINAL_TYPE (AmPropertyPage, am_property_page, AM, PROPERTY_PAGE, AdwBin)

AmFacade   *am_property_page_get_facade   (AmPropertyPage *self);
void        am_property_page_set_facade   (AmPropertyPage *self,
                                           AmFacade       *facade);
AmProperty *am_property_page_get_property_item (AmPropertyPage *self);
void        am_property_page_set_property_item (AmPropertyPage *self,
                                                AmProperty     *property);

G_END_DECLS
