/* am-test-async.c: waiting for an async call in a test
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pass am_test_on_done_cb with the address of a NULL GAsyncResult pointer
 * as its data, then am_test_wait_for() that address: the main context
 * runs until the call is done.
 */
#include "config.h"

#include "am-test-async.h"

void
am_test_on_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

/**
 * am_test_wait_for:
 * @result: where am_test_on_done_cb() puts the result
 *
 * Returns: (transfer none): the result, once there
 */
GAsyncResult *
am_test_wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}
