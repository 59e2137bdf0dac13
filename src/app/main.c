/* main.c: access-manager, the GTK application
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "am-main"

#include "config.h"

#include <glib/gi18n.h>

#include "am-application.h"
#include "am-i18n.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(AmApplication) app = NULL;

  am_i18n_init ();

  g_set_application_name (_("Access Manager"));

  app = am_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
