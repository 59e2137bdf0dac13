/* am-application.h: the Access Manager application
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "am-facade.h"

G_BEGIN_DECLS

#define AM_TYPE_APPLICATION (am_application_get_type ())

G_DECLARE_FINAL_TYPE (AmApplication, am_application, AM, APPLICATION, AdwApplication)

AmApplication *am_application_new              (void);
AmFacade      *am_application_get_facade       (AmApplication *self);
const char    *am_application_get_facade_error (AmApplication *self);

G_END_DECLS
