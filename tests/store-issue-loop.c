/* store-issue-loop.c: issues passcodes into a cache until it is killed, for test-store
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "am-record-list.h"
#include "am-store-private.h"
#include "am-test-records.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(AmStore) store = NULL;
  g_autoptr(AmLock) lock = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AmRecordList) locks = NULL;

  g_assert (argc == 2);
  store = am_store_open (argv[1], &error);
  g_assert_no_error (error);

  /* The first run makes a property and a lock; later runs use it. */
  locks = am_record_list_new_locks (store, NULL);
  if (g_list_model_get_n_items (G_LIST_MODEL (locks)) == 0)
    {
      g_autoptr(AmSyncPage) page = am_sync_page_new ();
      g_autoptr(AmProperty) property = am_test_property ("Maple Street Lofts", "1200 Maple Street",
                                                         "Austin", "America/Chicago");

      g_ptr_array_add (page->properties, g_object_ref (property));
      g_ptr_array_add (page->locks, am_test_lock (property, "Front Door", NULL));
      am_test_apply (store, page);
    }
  lock = g_list_model_get_item (G_LIST_MODEL (locks), 0);

  for (guint32 i = 0;; i++)
    {
      g_autoptr(AmPasscodeRecord) record = am_test_passcode (lock, 483783 + i % 1000, i % 900, 1741618800 + i);

      if (!am_store_issue_passcode (store, record, &error))
        g_error ("%s", error->message);
    }
}
