/* am-sync-scheduler.c: when to sync in the background
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The scheduler decides when a sync is due; its owner (the façade) runs
 * it and tells the scheduler when each sync, whoever asked for it, starts
 * and ends. The policy, written down once:
 *
 * - Every interval after the end of the last sync (300 s at first; 0 for
 *   never). A sync asked for by the user restarts the count.
 * - When the network becomes available (GNetworkMonitor's
 *   network-available turning TRUE), and after the computer wakes from
 *   suspend (logind's PrepareForSleep(false) on the system bus), after a
 *   short settling delay in which further events fold into one. Without a
 *   system bus or without logind there are no resume events, and nothing
 *   is said about it beyond a debug line.
 * - Never while a sync runs: an event during one is covered by it. Should
 *   that sync fail for want of a network, the event asks again.
 * - After a failed sync, the next one waits: 30 s, then twice as long
 *   each time, at most the interval; and never less than the cloud asked
 *   for with the Retry-After of a 429. Events wait for the backoff's end
 *   too, folded into one sync, unless the cloud was never reached: a
 *   network coming back or a wake from suspend may be what was missing,
 *   so those sync at once. A sync the user asks for never waits.
 *
 * An unavailable network does not hold syncs back: a cloud on loopback or
 * on the local network can be reachable while the monitor says there is
 * no network, and a sync that cannot reach the cloud fails fast.
 */
#define G_LOG_DOMAIN "am-sync-scheduler"

#include "config.h"

#include "am-cloud-client.h"
#include "am-sync-scheduler.h"

#define DEFAULT_INTERVAL_MS       (300 * 1000)
#define DEFAULT_SETTLE_MS         2000
#define DEFAULT_BACKOFF_FIRST_MS  (30 * 1000)
#define BACKOFF_MAX_MS            (30 * 60 * 1000)

#define LOGIND_NAME       "org.freedesktop.login1"
#define LOGIND_PATH       "/org/freedesktop/login1"
#define LOGIND_INTERFACE  "org.freedesktop.login1.Manager"

struct _AmSyncScheduler
{
  GObject          parent_instance;

  guint            interval_ms;       /* 0: no periodic sync */
  guint            settle_ms;
  guint            backoff_first_ms;

  gboolean         active;
  gboolean         running;           /* a sync is under way */
  guint            runs;              /* syncs started, for sync_due() */
  guint            failures;          /* in a row */
  gboolean         last_unreached;    /* the last failure never reached the cloud */
  gint64           backoff_until;     /* monotonic µs; 0 for none */
  gboolean         event_while_running;

  guint            timer_id;          /* the next sync by the clock */
  guint            settle_id;         /* an event settling */
  AmSyncReason     settle_reason;

  GNetworkMonitor *monitor;
  gboolean         network_available;

  GCancellable    *cancellable;
  GDBusConnection *system_bus;        /* (nullable) */
  guint            sleep_subscription;
  gboolean         watching_sleep;
};

enum {
  SYNC_DUE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (AmSyncReason, am_sync_reason,
  G_DEFINE_ENUM_VALUE (AM_SYNC_REASON_INTERVAL, "interval"),
  G_DEFINE_ENUM_VALUE (AM_SYNC_REASON_NETWORK, "network"),
  G_DEFINE_ENUM_VALUE (AM_SYNC_REASON_RESUME, "resume"))

G_DEFINE_FINAL_TYPE (AmSyncScheduler, am_sync_scheduler, G_TYPE_OBJECT)

static void arm_timer (AmSyncScheduler *self,
                       guint            delay_ms);

static gboolean
is_unreached (const GError *error)
{
  return g_error_matches (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_NETWORK) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

/* The wait after @failures failed syncs in a row. */
static guint
backoff_ms (AmSyncScheduler *self,
            guint            failures)
{
  guint cap = self->interval_ms > 0 ? self->interval_ms : BACKOFF_MAX_MS;
  guint64 delay = self->backoff_first_ms;

  cap = MAX (cap, self->backoff_first_ms);
  for (guint i = 1; i < failures && delay < cap; i++)
    delay *= 2;
  return (guint) MIN (delay, (guint64) cap);
}

/* Asks for a sync for @reason, unless one runs or the backoff holds it. */
static void
sync_due (AmSyncScheduler *self,
          AmSyncReason     reason)
{
  gint64 now = g_get_monotonic_time ();
  guint runs = self->runs;
  g_autofree char *reason_name = NULL;

  if (!self->active || self->running)
    return;

  if (self->backoff_until > now)
    {
      /* Folded into the one sync at the backoff's end. */
      g_debug ("A sync is due but waits %" G_GINT64_FORMAT " ms for the backoff",
               (self->backoff_until - now) / 1000);
      arm_timer (self, (guint) ((self->backoff_until - now + 999) / 1000));
      return;
    }

  reason_name = g_enum_to_string (AM_TYPE_SYNC_REASON, reason);
  g_debug ("A sync is due (%s)", reason_name);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_handle_id (&self->settle_id, g_source_remove);
  g_signal_emit (self, signals[SYNC_DUE], 0, reason);

  /* Nobody started one (not signed in): ask again at the next interval. */
  if (self->runs == runs && self->active && !self->running && self->interval_ms > 0)
    arm_timer (self, self->interval_ms);
}

static gboolean
on_timer_cb (gpointer user_data)
{
  AmSyncScheduler *self = user_data;

  self->timer_id = 0;
  sync_due (self, AM_SYNC_REASON_INTERVAL);
  return G_SOURCE_REMOVE;
}

static void
arm_timer (AmSyncScheduler *self,
           guint            delay_ms)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->timer_id = g_timeout_add (delay_ms, on_timer_cb, self);
  g_source_set_name_by_id (self->timer_id, "[am] next sync");
}

static void
arm_interval (AmSyncScheduler *self)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->active && !self->running && self->interval_ms > 0)
    arm_timer (self, self->interval_ms);
}

static gboolean
on_settled_cb (gpointer user_data)
{
  AmSyncScheduler *self = user_data;

  self->settle_id = 0;
  sync_due (self, self->settle_reason);
  return G_SOURCE_REMOVE;
}

/* Something happened that may make a sync worthwhile. */
static void
note_event (AmSyncScheduler *self,
            AmSyncReason     reason)
{
  if (!self->active)
    return;
  if (self->running)
    {
      self->event_while_running = TRUE;
      return;
    }
  if (self->failures > 0 && self->last_unreached)
    self->backoff_until = 0;
  if (self->settle_id != 0)
    return;
  self->settle_reason = reason;
  self->settle_id = g_timeout_add (self->settle_ms, on_settled_cb, self);
  g_source_set_name_by_id (self->settle_id, "[am] sync event settling");
}

static void
on_network_changed_cb (GNetworkMonitor *monitor,
                       gboolean         available,
                       gpointer         user_data)
{
  am_sync_scheduler_network_changed (AM_SYNC_SCHEDULER (user_data), available);
}

static void
on_prepare_for_sleep_cb (GDBusConnection *connection,
                         const char      *sender_name,
                         const char      *object_path,
                         const char      *interface_name,
                         const char      *signal_name,
                         GVariant        *parameters,
                         gpointer         user_data)
{
  g_autoptr(AmSyncScheduler) self = g_weak_ref_get (user_data);
  gboolean going_to_sleep = TRUE;

  if (self == NULL || !g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;
  g_variant_get (parameters, "(b)", &going_to_sleep);
  g_debug ("logind: %s", going_to_sleep ? "going to sleep" : "woke up");
  if (!going_to_sleep)
    am_sync_scheduler_resumed (self);
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
on_system_bus_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(AmSyncScheduler) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_finish (result, &error);
  GWeakRef *ref;

  if (bus == NULL)
    {
      /* No system bus (a container, a test): no resume events. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No system bus, so no sync after a suspend: %s", error->message);
      return;
    }
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  self->system_bus = g_steal_pointer (&bus);
  /* Without logind on the bus the signal simply never comes. */
  self->sleep_subscription =
    g_dbus_connection_signal_subscribe (self->system_bus, LOGIND_NAME, LOGIND_INTERFACE,
                                        "PrepareForSleep", LOGIND_PATH, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, on_prepare_for_sleep_cb,
                                        ref, weak_ref_free);
}

static void
watch_sleep (AmSyncScheduler *self)
{
  if (self->watching_sleep)
    return;
  self->watching_sleep = TRUE;
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, on_system_bus_cb, g_object_ref (self));
}

/* GObject */

static void
am_sync_scheduler_dispose (GObject *object)
{
  AmSyncScheduler *self = AM_SYNC_SCHEDULER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_handle_id (&self->settle_id, g_source_remove);
  if (self->sleep_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
  self->sleep_subscription = 0;
  g_clear_object (&self->system_bus);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (am_sync_scheduler_parent_class)->dispose (object);
}

static void
am_sync_scheduler_finalize (GObject *object)
{
  AmSyncScheduler *self = AM_SYNC_SCHEDULER (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (am_sync_scheduler_parent_class)->finalize (object);
}

static void
am_sync_scheduler_class_init (AmSyncSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = am_sync_scheduler_dispose;
  object_class->finalize = am_sync_scheduler_finalize;

  /**
   * AmSyncScheduler::sync-due:
   * @self: the scheduler
   * @reason: why
   *
   * A sync should start now. Never emitted while one runs.
   */
  signals[SYNC_DUE] =
    g_signal_new ("sync-due", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, AM_TYPE_SYNC_REASON);
}

static void
am_sync_scheduler_init (AmSyncScheduler *self)
{
  self->interval_ms = DEFAULT_INTERVAL_MS;
  self->settle_ms = DEFAULT_SETTLE_MS;
  self->backoff_first_ms = DEFAULT_BACKOFF_FIRST_MS;
  self->cancellable = g_cancellable_new ();
}

/* Public API */

AmSyncScheduler *
am_sync_scheduler_new (void)
{
  return g_object_new (AM_TYPE_SYNC_SCHEDULER, NULL);
}

/**
 * am_sync_scheduler_set_interval:
 * @self: a scheduler
 * @seconds: between the end of a sync and the start of the next; 0 for
 *   no periodic sync
 */
void
am_sync_scheduler_set_interval (AmSyncScheduler *self,
                                guint            seconds)
{
  g_return_if_fail (AM_IS_SYNC_SCHEDULER (self));

  seconds = MIN (seconds, G_MAXUINT / 1000);
  if (self->interval_ms == seconds * 1000)
    return;
  self->interval_ms = seconds * 1000;
  if (self->backoff_until == 0)
    arm_interval (self);
}

guint
am_sync_scheduler_get_interval (AmSyncScheduler *self)
{
  g_return_val_if_fail (AM_IS_SYNC_SCHEDULER (self), 0);

  return self->interval_ms / 1000;
}

/**
 * am_sync_scheduler_set_delays:
 * @self: a scheduler
 * @interval_ms: the interval, as am_sync_scheduler_set_interval() in ms
 * @settle_ms: how long an event waits for others to fold into it
 * @backoff_first_ms: the wait after the first failure
 *
 * For tests, which cannot wait minutes.
 */
void
am_sync_scheduler_set_delays (AmSyncScheduler *self,
                              guint            interval_ms,
                              guint            settle_ms,
                              guint            backoff_first_ms)
{
  g_return_if_fail (AM_IS_SYNC_SCHEDULER (self));

  self->interval_ms = interval_ms;
  self->settle_ms = settle_ms;
  self->backoff_first_ms = MAX (backoff_first_ms, 1);
  if (self->backoff_until == 0)
    arm_interval (self);
}

/**
 * am_sync_scheduler_set_network_monitor:
 * @self: a scheduler
 * @monitor: (nullable): the monitor to follow; %NULL for the default one
 *
 * Takes effect at am_sync_scheduler_start() if it has not been called yet.
 */
void
am_sync_scheduler_set_network_monitor (AmSyncScheduler *self,
                                       GNetworkMonitor *monitor)
{
  g_return_if_fail (AM_IS_SYNC_SCHEDULER (self));
  g_return_if_fail (monitor == NULL || G_IS_NETWORK_MONITOR (monitor));

  if (monitor == NULL)
    monitor = g_network_monitor_get_default ();
  if (self->monitor == monitor)
    return;
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_set_object (&self->monitor, monitor);
  self->network_available = g_network_monitor_get_network_available (monitor);
  g_signal_connect_object (monitor, "network-changed",
                           G_CALLBACK (on_network_changed_cb), self, 0);
}

/**
 * am_sync_scheduler_start:
 * @self: a scheduler
 *
 * Begins following the clock, the network and suspend (while signed in).
 * The first periodic sync is due an interval from now.
 */
void
am_sync_scheduler_start (AmSyncScheduler *self)
{
  g_return_if_fail (AM_IS_SYNC_SCHEDULER (self));

  if (self->monitor == NULL)
    am_sync_scheduler_set_network_monitor (self, NULL);
  watch_sleep (self);
  if (self->active)
    return;
  self->active = TRUE;
  arm_interval (self);
}

/**
 * am_sync_scheduler_stop:
 * @self: a scheduler
 *
 * No more syncs are due until the next am_sync_scheduler_start(); the
 * backoff is forgotten.
 */
void
am_sync_scheduler_stop (AmSyncScheduler *self)
{
  g_return_if_fail (AM_IS_SYNC_SCHEDULER (self));

  self->active = FALSE;
  self->failures = 0;
  self->last_unreached = FALSE;
  self->backoff_until = 0;
  self->event_while_running = FALSE;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_handle_id (&self->settle_id, g_source_remove);
}

gboolean
am_sync_scheduler_get_active (AmSyncScheduler *self)
{
  g_return_val_if_fail (AM_IS_SYNC_SCHEDULER (self), FALSE);

  return self->active;
}

/**
 * am_sync_scheduler_sync_started:
 * @self: a scheduler
 *
 * A sync has started, whoever asked for it: nothing more is due until it
 * ends.
 */
void
am_sync_scheduler_sync_started (AmSyncScheduler *self)
{
  g_return_if_fail (AM_IS_SYNC_SCHEDULER (self));

  self->running = TRUE;
  self->runs++;
  self->event_while_running = FALSE;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_handle_id (&self->settle_id, g_source_remove);
}

/**
 * am_sync_scheduler_sync_finished:
 * @self: a scheduler
 * @error: (nullable): why it failed, or %NULL
 *
 * The sync has ended: the next one is due an interval from now, or after
 * the backoff when it failed (no sooner than the Retry-After @error
 * carries, see am_cloud_error_get_retry_after()).
 */
void
am_sync_scheduler_sync_finished (AmSyncScheduler *self,
                                 const GError    *error)
{
  gboolean event = self->event_while_running;

  g_return_if_fail (AM_IS_SYNC_SCHEDULER (self));

  self->running = FALSE;
  self->event_while_running = FALSE;

  if (error == NULL)
    {
      self->failures = 0;
      self->last_unreached = FALSE;
      self->backoff_until = 0;
      arm_interval (self);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (self->backoff_until == 0)
        arm_interval (self);
      return;
    }

  self->failures++;
  self->last_unreached = is_unreached (error);
  if (self->active)
    {
      /* Coming back sooner than the cloud asked would only be refused again. */
      guint delay = MAX (backoff_ms (self, self->failures),
                         am_cloud_error_get_retry_after (error) * 1000);

      self->backoff_until = g_get_monotonic_time () + (gint64) delay * 1000;
      g_debug ("Sync failure %u in a row: the next in %u ms", self->failures, delay);
      arm_timer (self, delay);
      /* The network came back while a sync failed for want of it. */
      if (event && self->last_unreached)
        note_event (self, AM_SYNC_REASON_NETWORK);
    }
}

/**
 * am_sync_scheduler_network_changed:
 * @self: a scheduler
 * @available: whether the network is available now
 *
 * What the network monitor says; a network coming back makes a sync due.
 */
void
am_sync_scheduler_network_changed (AmSyncScheduler *self,
                                   gboolean         available)
{
  gboolean was_available;

  g_return_if_fail (AM_IS_SYNC_SCHEDULER (self));

  was_available = self->network_available;
  self->network_available = !!available;
  if (available && !was_available)
    {
      g_debug ("The network came back");
      note_event (self, AM_SYNC_REASON_NETWORK);
    }
}

/**
 * am_sync_scheduler_resumed:
 * @self: a scheduler
 *
 * The computer woke from suspend: a sync is due.
 */
void
am_sync_scheduler_resumed (AmSyncScheduler *self)
{
  g_return_if_fail (AM_IS_SYNC_SCHEDULER (self));

  note_event (self, AM_SYNC_REASON_RESUME);
}

/**
 * am_sync_scheduler_get_failures:
 * @self: a scheduler
 *
 * Returns: the failed syncs in a row since the last that went well
 */
guint
am_sync_scheduler_get_failures (AmSyncScheduler *self)
{
  g_return_val_if_fail (AM_IS_SYNC_SCHEDULER (self), 0);

  return self->failures;
}

/**
 * am_sync_scheduler_get_backoff_until:
 * @self: a scheduler
 *
 * Returns: until when (monotonic µs) no sync is due by itself, 0 for no
 *   backoff
 */
gint64
am_sync_scheduler_get_backoff_until (AmSyncScheduler *self)
{
  g_return_val_if_fail (AM_IS_SYNC_SCHEDULER (self), 0);

  return self->backoff_until;
}
