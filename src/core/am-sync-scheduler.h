/* am-sync-scheduler.h: when to sync in the background
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * AmSyncReason:
 * @AM_SYNC_REASON_INTERVAL: the interval has passed since the last sync
 *   (or the backoff after a failed one)
 * @AM_SYNC_REASON_NETWORK: the network came back
 * @AM_SYNC_REASON_RESUME: the computer woke from suspend
 *
 * Why the scheduler asks for a sync.
 */
typedef enum
{
  AM_SYNC_REASON_INTERVAL,
  AM_SYNC_REASON_NETWORK,
  AM_SYNC_REASON_RESUME,
} AmSyncReason;

#define AM_TYPE_SYNC_REASON (am_sync_reason_get_type ())
GType am_sync_reason_get_type (void) G_GNUC_CONST;

#define AM_TYPE_SYNC_SCHEDULER (am_sync_scheduler_get_type ())

G_DECLARE_FINAL_TYPE (AmSyncScheduler, am_sync_scheduler, AM, SYNC_SCHEDULER, GObject)

/* Signal "sync-due" (AmSyncReason reason): start a sync now; the owner
 * then calls am_sync_scheduler_sync_started() and _finished(). */

AmSyncScheduler *am_sync_scheduler_new                 (void);
void             am_sync_scheduler_set_interval        (AmSyncScheduler *self,
                                                        guint            seconds);
guint            am_sync_scheduler_get_interval        (AmSyncScheduler *self);
void             am_sync_scheduler_set_delays          (AmSyncScheduler *self,
                                                        guint            interval_ms,
                                                        guint            settle_ms,
                                                        guint            backoff_first_ms);
void             am_sync_scheduler_set_network_monitor (AmSyncScheduler *self,
                                                        GNetworkMonitor *monitor);
void             am_sync_scheduler_start               (AmSyncScheduler *self);
void             am_sync_scheduler_stop                (AmSyncScheduler *self);
gboolean         am_sync_scheduler_get_active          (AmSyncScheduler *self);

/* What the owner tells: every sync, whoever asked for it. */
void             am_sync_scheduler_sync_started        (AmSyncScheduler *self);
void             am_sync_scheduler_sync_finished       (AmSyncScheduler *self,
                                                        const GError    *error);

/* What the system tells; the network monitor and logind call these. */
void             am_sync_scheduler_network_changed     (AmSyncScheduler *self,
                                                        gboolean         available);
void             am_sync_scheduler_resumed             (AmSyncScheduler *self);

guint            am_sync_scheduler_get_failures        (AmSyncScheduler *self);
gint64           am_sync_scheduler_get_backoff_until   (AmSyncScheduler *self);

G_END_DECLS
