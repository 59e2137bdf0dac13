/* am-server-json.h: a sync page written straight to text, for large pages
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "am-cloud-json.h"
#include "am-store.h"

G_BEGIN_DECLS

void am_server_json_write_sync_page (GString          *out,
                                     const AmSyncPage *page,
                                     gboolean          more);

void am_server_json_write_me        (GString          *out,
                                     const AmCloudMe  *me);

G_END_DECLS
