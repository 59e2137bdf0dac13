/* am-search-index.c: an in-memory word-prefix index over folded texts
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Search as you type must answer within a frame even for a one-letter
 * query that matches a whole portfolio, which a database index cannot do
 * (SQLite's FTS5 takes tens of milliseconds to list 100,000 matches). So
 * the words of every document are held here: the distinct words sorted,
 * each with the documents that contain it. A query word selects a range of
 * words by binary search, and their documents are set in a bit set; the
 * query's words are intersected. Changes after the build go to a small
 * table of pending documents that queries scan directly; the owner rebuilds
 * the index when that table grows (am_search_index_get_n_pending()).
 *
 * Documents are small integers (row ids) and texts are folded with
 * am_text_fold(): lower case, no diacritics, words separated by one space.
 */
#define G_LOG_DOMAIN "am-search-index"

#include "config.h"

#include <string.h>

#include "am-search-index.h"

struct _AmSearchIndexBuilder
{
  GStringChunk *words;
  GHashTable   *postings;      /* word → GArray of guint32 docs */
  guint32       max_doc;
};

struct _AmSearchIndex
{
  GStringChunk *words_chunk;
  const char  **words;         /* sorted, distinct */
  guint32      *offsets;       /* docs of words[i]: docs[offsets[i] .. offsets[i + 1]) */
  guint32      *docs;
  gsize         n_words;
  guint32       max_doc;

  /* Documents changed since the build: doc → folded text, or to NULL for a
   * removed document. They override the built postings. */
  GHashTable   *pending;
};

static int
compare_words (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The first word not ordered before @prefix. */
static gsize
lower_bound (AmSearchIndex *index,
             const char    *prefix)
{
  gsize lo = 0, hi = index->n_words;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (strcmp (index->words[mid], prefix) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
add_prefix_matches (AmSearchIndex *index,
                    const char    *prefix,
                    AmDocSet      *set)
{
  gsize len = strlen (prefix);

  for (gsize w = lower_bound (index, prefix);
       w < index->n_words && strncmp (index->words[w], prefix, len) == 0;
       w++)
    for (guint32 i = index->offsets[w]; i < index->offsets[w + 1]; i++)
      am_doc_set_add (set, index->docs[i]);
}

/* Whether every query word starts a word of @folded. */
static gboolean
text_matches (const char         *folded,
              const char * const *query_words)
{
  for (guint q = 0; query_words[q] != NULL; q++)
    {
      gsize len = strlen (query_words[q]);
      const char *p = folded;
      gboolean found = FALSE;

      while (!found && p != NULL)
        {
          found = strncmp (p, query_words[q], len) == 0;
          p = strchr (p, ' ');
          if (p != NULL)
            p++;
        }
      if (!found)
        return FALSE;
    }
  return TRUE;
}

AmSearchIndexBuilder *
am_search_index_builder_new (void)
{
  AmSearchIndexBuilder *builder = g_new0 (AmSearchIndexBuilder, 1);

  builder->words = g_string_chunk_new (64 * 1024);
  builder->postings = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify) g_array_unref);
  return builder;
}

/**
 * am_search_index_builder_add:
 * @builder: a builder
 * @doc: a document id
 * @folded: the document's folded text
 *
 * Adds a document; each document is added once.
 */
void
am_search_index_builder_add (AmSearchIndexBuilder *builder,
                             guint32               doc,
                             const char           *folded)
{
  const char *start = folded;

  g_return_if_fail (builder != NULL);
  g_return_if_fail (folded != NULL);

  builder->max_doc = MAX (builder->max_doc, doc);

  while (*start != '\0')
    {
      const char *end = strchr (start, ' ');
      gsize len = end != NULL ? (gsize) (end - start) : strlen (start);
      char word[256];
      GArray *docs;

      if (len > 0 && len < sizeof word)
        {
          memcpy (word, start, len);
          word[len] = '\0';
          docs = g_hash_table_lookup (builder->postings, word);
          if (docs == NULL)
            {
              docs = g_array_sized_new (FALSE, FALSE, sizeof (guint32), 2);
              g_hash_table_insert (builder->postings,
                                   g_string_chunk_insert (builder->words, word), docs);
            }
          if (docs->len == 0 || g_array_index (docs, guint32, docs->len - 1) != doc)
            g_array_append_val (docs, doc);
        }

      start += len;
      while (*start == ' ')
        start++;
    }
}

/**
 * am_search_index_builder_finish:
 * @builder: (transfer full): a builder
 *
 * Returns: (transfer full): the index of the documents added
 */
AmSearchIndex *
am_search_index_builder_finish (AmSearchIndexBuilder *builder)
{
  AmSearchIndex *index = g_new0 (AmSearchIndex, 1);
  GHashTableIter iter;
  gpointer word;
  gsize n_docs = 0, i = 0;
  guint32 at = 0;

  g_return_val_if_fail (builder != NULL, NULL);

  index->n_words = g_hash_table_size (builder->postings);
  index->words = g_new (const char *, index->n_words + 1);
  g_hash_table_iter_init (&iter, builder->postings);
  while (g_hash_table_iter_next (&iter, &word, NULL))
    {
      index->words[i++] = word;
      n_docs += ((GArray *) g_hash_table_lookup (builder->postings, word))->len;
    }
  qsort (index->words, index->n_words, sizeof (char *), compare_words);

  index->offsets = g_new (guint32, index->n_words + 1);
  index->docs = g_new (guint32, MAX (n_docs, 1));
  for (i = 0; i < index->n_words; i++)
    {
      GArray *docs = g_hash_table_lookup (builder->postings, index->words[i]);

      index->offsets[i] = at;
      memcpy (index->docs + at, docs->data, docs->len * sizeof (guint32));
      at += docs->len;
    }
  index->offsets[index->n_words] = at;

  index->words_chunk = g_steal_pointer (&builder->words);
  index->max_doc = builder->max_doc;
  index->pending = g_hash_table_new_full (NULL, NULL, NULL, g_free);

  g_hash_table_unref (builder->postings);
  g_free (builder);
  return index;
}

void
am_search_index_free (AmSearchIndex *index)
{
  if (index == NULL)
    return;

  g_string_chunk_free (index->words_chunk);
  g_free (index->words);
  g_free (index->offsets);
  g_free (index->docs);
  g_hash_table_unref (index->pending);
  g_free (index);
}

/**
 * am_search_index_set:
 * @index: an index
 * @doc: a document id
 * @folded: its folded text, new or changed
 */
void
am_search_index_set (AmSearchIndex *index,
                     guint32        doc,
                     const char    *folded)
{
  g_return_if_fail (index != NULL);
  g_return_if_fail (folded != NULL);

  g_hash_table_insert (index->pending, GUINT_TO_POINTER (doc), g_strdup (folded));
}

void
am_search_index_remove (AmSearchIndex *index,
                        guint32        doc)
{
  g_return_if_fail (index != NULL);

  g_hash_table_insert (index->pending, GUINT_TO_POINTER (doc), NULL);
}

/**
 * am_search_index_get_n_pending:
 * @index: an index
 *
 * Returns: the documents changed since the build, which every query scans
 */
guint
am_search_index_get_n_pending (AmSearchIndex *index)
{
  g_return_val_if_fail (index != NULL, 0);

  return g_hash_table_size (index->pending);
}

/**
 * am_search_index_query:
 * @index: an index
 * @folded_query: a query folded with am_text_fold()
 *
 * Returns: (transfer full) (nullable): the documents in which every word of
 *   @folded_query starts a word; %NULL when the query has no words, which
 *   matches every document
 */
AmDocSet *
am_search_index_query (AmSearchIndex *index,
                       const char    *folded_query)
{
  g_auto(GStrv) query_words = NULL;
  g_autoptr(AmDocSet) result = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint32 max_doc;
  guint n_query_words = 0;

  g_return_val_if_fail (index != NULL, NULL);
  g_return_val_if_fail (folded_query != NULL, NULL);

  query_words = g_strsplit (folded_query, " ", -1);
  for (guint i = 0; query_words[i] != NULL; i++)
    if (query_words[i][0] != '\0')
      query_words[n_query_words++] = query_words[i];
    else
      g_free (query_words[i]);
  query_words[n_query_words] = NULL;
  if (n_query_words == 0)
    return NULL;

  max_doc = index->max_doc;
  g_hash_table_iter_init (&iter, index->pending);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    max_doc = MAX (max_doc, GPOINTER_TO_UINT (key));

  result = am_doc_set_new (max_doc);
  add_prefix_matches (index, query_words[0], result);
  for (guint q = 1; q < n_query_words && index->n_words > 0; q++)
    {
      g_autoptr(AmDocSet) word_set = am_doc_set_new (max_doc);

      add_prefix_matches (index, query_words[q], word_set);
      for (gsize w = 0; w < result->n_words; w++)
        result->words[w] &= word_set->words[w];
    }

  g_hash_table_iter_init (&iter, index->pending);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint32 doc = GPOINTER_TO_UINT (key);

      am_doc_set_remove (result, doc);
      if (value != NULL && text_matches (value, (const char * const *) query_words))
        am_doc_set_add (result, doc);
    }

  return g_steal_pointer (&result);
}

/**
 * am_doc_set_new:
 * @max_doc: the largest document id it may hold
 *
 * Returns: (transfer full): an empty set
 */
AmDocSet *
am_doc_set_new (guint32 max_doc)
{
  AmDocSet *set = g_new (AmDocSet, 1);

  set->n_words = max_doc / 64 + 1;
  set->words = g_new0 (guint64, set->n_words);
  return set;
}

void
am_doc_set_add (AmDocSet *set,
                guint32   doc)
{
  g_assert (doc / 64 < set->n_words);

  set->words[doc / 64] |= G_GUINT64_CONSTANT (1) << (doc % 64);
}

void
am_doc_set_remove (AmDocSet *set,
                   guint32   doc)
{
  if (doc / 64 < set->n_words)
    set->words[doc / 64] &= ~(G_GUINT64_CONSTANT (1) << (doc % 64));
}

gboolean
am_doc_set_contains (const AmDocSet *set,
                     guint32         doc)
{
  g_return_val_if_fail (set != NULL, FALSE);

  return doc / 64 < set->n_words &&
         (set->words[doc / 64] >> (doc % 64) & 1) != 0;
}

void
am_doc_set_free (AmDocSet *set)
{
  if (set == NULL)
    return;

  g_free (set->words);
  g_free (set);
}
