/* am-text.c: text folded for sorting and searching
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "am-text"

#include "config.h"

#include <string.h>

#include "am-text.h"

static gboolean
is_mark (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  return type == G_UNICODE_NON_SPACING_MARK ||
         type == G_UNICODE_SPACING_MARK ||
         type == G_UNICODE_ENCLOSING_MARK;
}

/**
 * am_text_fold:
 * @text: (nullable): UTF-8 text as people write it
 *
 * Folds @text for sorting and searching: case and diacritics are dropped
 * ("São" and "sao" fold alike), compatibility forms are decomposed ("ﬁ" is
 * "fi"), and every run of characters that are neither letters nor digits
 * becomes one space. The words of the result are those a search matches
 * by prefix.
 *
 * Returns: (transfer full): the folded text, without leading or trailing
 *   spaces; empty for %NULL
 */
char *
am_text_fold (const char *text)
{
  g_autofree char *lower = NULL;
  g_autofree char *decomposed = NULL;
  GString *out;
  gboolean space = FALSE;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return g_strdup ("");

  lower = g_utf8_casefold (text, -1);
  decomposed = g_utf8_normalize (lower, -1, G_NORMALIZE_NFKD);
  out = g_string_sized_new (strlen (decomposed));

  for (const char *p = decomposed; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_mark (c))
        continue;
      if (!g_unichar_isalnum (c))
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_unichar (out, g_unichar_tolower (c));
    }

  return g_string_free (out, FALSE);
}
