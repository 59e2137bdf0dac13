/* am-test-async.h: waiting for an async call in a test
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void          am_test_on_done_cb (GObject       *source,
                                  GAsyncResult  *result,
                                  gpointer       user_data);
GAsyncResult *am_test_wait_for   (GAsyncResult **result);

G_END_DECLS
