/* am-i18n.c: the translations of Access Manager's programs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "am-i18n"

#include "config.h"

#include <locale.h>

#include <glib/gi18n-lib.h>

#include "am-i18n.h"

/**
 * am_i18n_init:
 *
 * Takes the locale from the environment and binds the `access-manager`
 * catalogue, in UTF-8, as the program's text domain. Each program calls it
 * first thing in main().
 */
void
am_i18n_init (void)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
