/* am-fuzz-driver.c: runs a fuzz target over its corpus, without libFuzzer
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Linked with one target in place of libFuzzer, under any compiler, so that
 * the normal test suite replays every seed and every input that once
 * crashed. Each argument is a file or a folder of files; each file is one
 * TAP test case. A crash or a sanitizer report ends the run, and meson
 * reports the test as failed.
 */
#include "config.h"

#include <stdio.h>

#include "am-fuzz.h"

static guint n_cases;

static void
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      printf ("not ok %u - %s # %s\n", ++n_cases, path, error->message);
      return;
    }
  /* Exactly the input's bytes, with no terminating NUL to lean on. */
  {
    g_autofree guint8 *copy = g_memdup2 (contents, len);

    LLVMFuzzerTestOneInput (copy, len);
  }
  printf ("ok %u - %s\n", ++n_cases, path);
  fflush (stdout);
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

static void
run_path (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      run_file (path);
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    {
      printf ("not ok %u - %s # cannot open\n", ++n_cases, path);
      return;
    }
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    run_path (g_ptr_array_index (names, i));
}

int
main (int    argc,
      char **argv)
{
  LLVMFuzzerInitialize (&argc, &argv);

  for (int i = 1; i < argc; i++)
    if (g_strcmp0 (argv[i], "--tap") != 0)
      run_path (argv[i]);

  if (n_cases == 0)
    {
      printf ("not ok 1 - no corpus given\n1..1\n");
      return 1;
    }
  printf ("1..%u\n", n_cases);
  return 0;
}
