/* am-secret-memory.c: wiping keys and code digits from memory
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "am-secret-memory"

#include "config.h"

#include <string.h>

#include "am-secret-memory.h"

/**
 * am_secret_memory_wipe:
 * @data: (nullable): memory that held a secret
 * @len: its size
 *
 * Overwrites @data with zeroes in a way the compiler may not drop as a dead
 * store (explicit_bzero).
 */
void
am_secret_memory_wipe (gpointer data,
                       gsize    len)
{
  if (data != NULL)
    explicit_bzero (data, len);
}

/**
 * am_secret_memory_free:
 * @text: (nullable) (transfer full): a string that held a secret
 *
 * Wipes and frees @text.
 */
void
am_secret_memory_free (char *text)
{
  if (text == NULL)
    return;

  am_secret_memory_wipe (text, strlen (text));
  g_free (text);
}
