/* main.c: access-manager-server, the reference Access Manager cloud
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For now it only tells what it is; the cloud API arrives with its own issue.
 */
#define G_LOG_DOMAIN "am-server"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "am-i18n.h"

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n  access-manager-server [--help] [--version]\n\n%s\n",
           _("Usage:"),
           _("The reference Access Manager cloud, which a company can host itself. "
             "This version does not serve the cloud API yet."));
}

int
main (int    argc,
      char **argv)
{
  am_i18n_init ();
  g_set_prgname ("access-manager-server");

  if (argc == 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      print_usage (stdout);
      return 0;
    }
  if (argc == 2 && g_str_equal (argv[1], "--version"))
    {
      printf ("access-manager-server %s\n", PACKAGE_VERSION);
      return 0;
    }

  print_usage (stderr);
  return 2;
}
