/* am-server-seed.h: a believable demo portfolio, and bulk data for benchmarks
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "am-server-db.h"

G_BEGIN_DECLS

#define AM_SERVER_DEMO_EMAIL    "demo@example.com"
#define AM_SERVER_DEMO_PASSWORD "demo-password-1"

/**
 * AmServerSeedSummary:
 * @n_properties: properties written
 * @n_locks: locks written
 * @n_users: users written
 * @n_passcodes: passcodes written
 * @n_events: lock events written
 *
 * What a seed wrote.
 */
typedef struct
{
  guint n_properties;
  guint n_locks;
  guint n_users;
  guint n_passcodes;
  guint n_events;
} AmServerSeedSummary;

gboolean am_server_seed_demo      (AmServerDb           *db,
                                   GError              **error);
gboolean am_server_seed_demo_full (AmServerDb           *db,
                                   gint64                now,
                                   AmServerSeedSummary  *summary,
                                   GError              **error);
gboolean am_server_seed_bulk      (AmServerDb           *db,
                                   const char           *user_id,
                                   guint                 n_properties,
                                   guint                 n_locks,
                                   guint                 n_passcodes,
                                   GError              **error);

G_END_DECLS
