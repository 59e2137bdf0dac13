/* am-sign-in-page.h: signing in to a company's cloud, or accepting an invitation
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "am-facade.h"

G_BEGIN_DECLS

#define AM_TYPE_SIGN_IN_PAGE (am_sign_in_page_get_type ())

G_DECLARE_FINAL_TYPE (AmSignInPage, am_sign_in_page, AM, SIGN_IN_PAGE, AdwBin)

AmFacade *am_sign_in_page_get_facade (AmSignInPage *self);
void      am_sign_in_page_set_facade (AmSignInPage *self,
                                      AmFacade     *facade);
gboolean  am_sign_in_page_get_busy   (AmSignInPage *self);
void      am_sign_in_page_sign_in    (AmSignInPage *self,
                                      const char   *server,
                                      const char   *email,
                                      const char   *password);
void      am_sign_in_page_reset      (AmSignInPage *self);

G_END_DECLS
