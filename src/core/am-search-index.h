/* am-search-index.h: an in-memory word-prefix index over folded texts
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _AmSearchIndex AmSearchIndex;
typedef struct _AmSearchIndexBuilder AmSearchIndexBuilder;

/**
 * AmDocSet:
 * @words: one bit a document id
 * @n_words: the number of 64-bit words
 *
 * The documents a query matched.
 */
typedef struct
{
  guint64 *words;
  gsize    n_words;
} AmDocSet;

AmSearchIndexBuilder *am_search_index_builder_new     (void);
void                  am_search_index_builder_add     (AmSearchIndexBuilder *builder,
                                                       guint32               doc,
                                                       const char           *folded);
AmSearchIndex        *am_search_index_builder_finish  (AmSearchIndexBuilder *builder);

void                  am_search_index_free            (AmSearchIndex        *index);
void                  am_search_index_set             (AmSearchIndex        *index,
                                                       guint32               doc,
                                                       const char           *folded);
void                  am_search_index_remove          (AmSearchIndex        *index,
                                                       guint32               doc);
guint                 am_search_index_get_n_pending   (AmSearchIndex        *index);
AmDocSet             *am_search_index_query           (AmSearchIndex        *index,
                                                       const char           *folded_query);

AmDocSet             *am_doc_set_new                  (guint32               max_doc);
void                  am_doc_set_add                  (AmDocSet             *set,
                                                       guint32               doc);
void                  am_doc_set_remove               (AmDocSet             *set,
                                                       guint32               doc);
gboolean              am_doc_set_contains             (const AmDocSet       *set,
                                                       guint32               doc);
void                  am_doc_set_free                 (AmDocSet             *set);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AmSearchIndex, am_search_index_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AmDocSet, am_doc_set_free)

G_END_DECLS
