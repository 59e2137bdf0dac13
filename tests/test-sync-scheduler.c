/* test-sync-scheduler.c: when the app syncs in the background
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The scheduler with a stand-in for the sync it asks for (a timer that
 * ends it, well or with a chosen error), a network monitor of the test's
 * own (GNetworkMonitor is an interface: the scheduler follows any), and
 * logind served by python-dbusmock's template on a private system bus,
 * started once for the process; the test without a system bus runs in a
 * child. The errors of a cloud that answers 429 come from the real client,
 * asking a SoupServer of the test's on 127.0.0.1.
 */
#include "config.h"

#include <libsoup/soup.h>

#include "am-cloud-client.h"
#include "am-sync-scheduler.h"
#include "am-test-async.h"
#include "am-test-bluez.h"

#define WAIT_TIMEOUT_USEC (20 * G_USEC_PER_SEC)

static AmTestBus *test_bus;

/* A network monitor the test switches */

#define TEST_TYPE_MONITOR (test_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TestMonitor, test_monitor, TEST, MONITOR, GObject)

struct _TestMonitor
{
  GObject  parent_instance;
  gboolean available;
};

enum {
  MONITOR_PROP_0,
  MONITOR_PROP_AVAILABLE,
  MONITOR_PROP_METERED,
  MONITOR_PROP_CONNECTIVITY,
};

static void test_monitor_iface_init (GNetworkMonitorInterface *iface);

static gboolean
test_monitor_initable_init (GInitable     *initable,
                            GCancellable  *cancellable,
                            GError       **error)
{
  return TRUE;
}

static void
test_monitor_initable_iface_init (GInitableIface *iface)
{
  iface->init = test_monitor_initable_init;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestMonitor, test_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, test_monitor_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, test_monitor_iface_init))

static gboolean
test_monitor_can_reach (GNetworkMonitor     *monitor,
                        GSocketConnectable  *connectable,
                        GCancellable        *cancellable,
                        GError             **error)
{
  return TEST_MONITOR (monitor)->available;
}

static void
test_monitor_iface_init (GNetworkMonitorInterface *iface)
{
  iface->can_reach = test_monitor_can_reach;
}

static void
test_monitor_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TestMonitor *self = TEST_MONITOR (object);

  switch (prop_id)
    {
    case MONITOR_PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case MONITOR_PROP_METERED:
      g_value_set_boolean (value, FALSE);
      break;
    case MONITOR_PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_monitor_class_init (TestMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_monitor_get_property;
  g_object_class_override_property (object_class, MONITOR_PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, MONITOR_PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, MONITOR_PROP_CONNECTIVITY, "connectivity");
}

static void
test_monitor_init (TestMonitor *self)
{
}

/* As GNetworkMonitor's implementations do: the signal on every change of
 * the routes, available or not. */
static void
test_monitor_set_available (TestMonitor *self,
                            gboolean     available)
{
  self->available = available;
  g_object_notify (G_OBJECT (self), "network-available");
  g_signal_emit_by_name (self, "network-changed", available);
}

/* The fixture: a scheduler and the syncs it asked for */

typedef struct
{
  AmSyncScheduler *scheduler;
  TestMonitor     *monitor;
  guint            sync_ms;        /* how long a sync takes */
  GError          *fail_with;      /* (nullable): how the syncs end */
  guint            syncs;          /* asked for */
  guint            running;
  guint            max_running;
  AmSyncReason     last_reason;
  gint64           started_at[16]; /* monotonic µs */
  gint64           finished_at;
  gint64           began;
} Fixture;

static gboolean
on_tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

#define WAIT_UNTIL(cond) \
  G_STMT_START { \
    gint64 deadline_ = g_get_monotonic_time () + WAIT_TIMEOUT_USEC; \
    guint tick_ = g_timeout_add (10, on_tick_cb, NULL); \
    while (!(cond)) \
      { \
        if (g_get_monotonic_time () > deadline_) \
          g_error ("Timed out waiting for %s", #cond); \
        g_main_context_iteration (NULL, TRUE); \
      } \
    g_source_remove (tick_); \
  } G_STMT_END

static gboolean
on_wait_over_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for @ms. */
static void
run_for (guint ms)
{
  gboolean over = FALSE;

  g_timeout_add (ms, on_wait_over_cb, &over);
  while (!over)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
on_sync_over_cb (gpointer user_data)
{
  Fixture *f = user_data;

  g_assert_cmpuint (f->running, ==, 1);
  f->running--;
  f->finished_at = g_get_monotonic_time ();
  am_sync_scheduler_sync_finished (f->scheduler, f->fail_with);
  return G_SOURCE_REMOVE;
}

/* What the façade does: start the sync, say so, say when it ends. */
static void
on_sync_due_cb (AmSyncScheduler *scheduler,
                AmSyncReason     reason,
                Fixture         *f)
{
  g_assert_cmpuint (f->running, ==, 0);
  if (f->syncs < G_N_ELEMENTS (f->started_at))
    f->started_at[f->syncs] = g_get_monotonic_time ();
  f->syncs++;
  f->running++;
  f->max_running = MAX (f->max_running, f->running);
  f->last_reason = reason;
  am_sync_scheduler_sync_started (scheduler);
  g_timeout_add (f->sync_ms, on_sync_over_cb, f);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->scheduler = am_sync_scheduler_new ();
  f->monitor = g_object_new (TEST_TYPE_MONITOR, NULL);
  f->monitor->available = TRUE;
  f->sync_ms = 20;
  am_sync_scheduler_set_network_monitor (f->scheduler, G_NETWORK_MONITOR (f->monitor));
  g_signal_connect (f->scheduler, "sync-due", G_CALLBACK (on_sync_due_cb), f);
  f->began = g_get_monotonic_time ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  am_sync_scheduler_stop (f->scheduler);
  /* A sync still "running" ends first. */
  WAIT_UNTIL (f->running == 0);
  g_clear_object (&f->scheduler);
  g_clear_object (&f->monitor);
  g_clear_error (&f->fail_with);
}

static gint64
ms_between (gint64 from,
            gint64 to)
{
  return (to - from) / 1000;
}

/* The interval */

static void
test_interval (Fixture       *f,
               gconstpointer  data)
{
  am_sync_scheduler_set_delays (f->scheduler, 300, 50, 1000);
  am_sync_scheduler_start (f->scheduler);

  run_for (200);
  g_assert_cmpuint (f->syncs, ==, 0);

  WAIT_UNTIL (f->syncs == 1);
  g_assert_cmpint (ms_between (f->began, f->started_at[0]), >=, 300);
  g_assert_cmpint (f->last_reason, ==, AM_SYNC_REASON_INTERVAL);

  /* The next an interval after the end of this one. */
  WAIT_UNTIL (f->syncs == 2);
  g_assert_cmpint (ms_between (f->started_at[0], f->started_at[1]), >=, 300 + 20);
  g_assert_cmpuint (f->max_running, ==, 1);
}

/* A sync the user asked for restarts the count. */
static void
test_interval_counts_from_last_sync (Fixture       *f,
                                     gconstpointer  data)
{
  gint64 manual;

  am_sync_scheduler_set_delays (f->scheduler, 400, 50, 1000);
  am_sync_scheduler_start (f->scheduler);
  run_for (250);

  /* As am_facade_sync_async() does, not through the scheduler. */
  manual = g_get_monotonic_time ();
  am_sync_scheduler_sync_started (f->scheduler);
  am_sync_scheduler_sync_finished (f->scheduler, NULL);

  WAIT_UNTIL (f->syncs == 1);
  g_assert_cmpint (ms_between (manual, f->started_at[0]), >=, 400);
}

static void
test_interval_none (Fixture       *f,
                    gconstpointer  data)
{
  am_sync_scheduler_set_delays (f->scheduler, 0, 50, 1000);
  am_sync_scheduler_start (f->scheduler);
  run_for (300);
  g_assert_cmpuint (f->syncs, ==, 0);
}

/* Not signed in: nothing is due. */
static void
test_stopped (Fixture       *f,
              gconstpointer  data)
{
  am_sync_scheduler_set_delays (f->scheduler, 100, 20, 1000);
  am_sync_scheduler_start (f->scheduler);
  am_sync_scheduler_stop (f->scheduler);
  f->monitor->available = FALSE;
  test_monitor_set_available (f->monitor, TRUE);
  am_sync_scheduler_resumed (f->scheduler);
  run_for (300);
  g_assert_cmpuint (f->syncs, ==, 0);
}

/* The network */

/* The monitor's signal comes in bursts; one sync comes of it. */
static void
test_network_back (Fixture       *f,
                   gconstpointer  data)
{
  am_sync_scheduler_set_delays (f->scheduler, 60 * 1000, 100, 1000);
  test_monitor_set_available (f->monitor, FALSE);
  am_sync_scheduler_start (f->scheduler);

  for (guint i = 0; i < 5; i++)
    {
      test_monitor_set_available (f->monitor, TRUE);
      test_monitor_set_available (f->monitor, FALSE);
    }
  test_monitor_set_available (f->monitor, TRUE);
  WAIT_UNTIL (f->syncs == 1);
  g_assert_cmpint (f->last_reason, ==, AM_SYNC_REASON_NETWORK);

  /* Routes changing on a network that stays up are no reason. */
  test_monitor_set_available (f->monitor, TRUE);
  test_monitor_set_available (f->monitor, TRUE);
  run_for (300);
  g_assert_cmpuint (f->syncs, ==, 1);

  /* Going away is no reason either. */
  test_monitor_set_available (f->monitor, FALSE);
  run_for (300);
  g_assert_cmpuint (f->syncs, ==, 1);
}

/* Never two at once: events during a sync are covered by it. */
static void
test_never_two_at_once (Fixture       *f,
                        gconstpointer  data)
{
  am_sync_scheduler_set_delays (f->scheduler, 100, 10, 1000);
  f->sync_ms = 400;
  am_sync_scheduler_start (f->scheduler);

  WAIT_UNTIL (f->running == 1);
  for (guint i = 0; i < 3; i++)
    {
      test_monitor_set_available (f->monitor, FALSE);
      test_monitor_set_available (f->monitor, TRUE);
      am_sync_scheduler_resumed (f->scheduler);
      run_for (50);
    }
  WAIT_UNTIL (f->running == 0);
  /* The events folded into the sync that ran; the next is the interval's. */
  run_for (50);
  g_assert_cmpuint (f->syncs, ==, 1);
  WAIT_UNTIL (f->syncs == 2);
  g_assert_cmpint (f->last_reason, ==, AM_SYNC_REASON_INTERVAL);
  g_assert_cmpuint (f->max_running, ==, 1);
}

/* The backoff */

/* The cloud answered with an error: the next sync waits, longer each
 * time, and events wait with it, folded into one. */
static void
test_backoff_after_failure (Fixture       *f,
                            gconstpointer  data)
{
  f->fail_with = g_error_new_literal (AM_CLOUD_ERROR, AM_CLOUD_ERROR_SERVER, "The cloud failed.");
  am_sync_scheduler_set_delays (f->scheduler, 60 * 1000, 10, 400);
  am_sync_scheduler_start (f->scheduler);

  am_sync_scheduler_resumed (f->scheduler);
  WAIT_UNTIL (f->syncs == 1 && f->running == 0);
  g_assert_cmpuint (am_sync_scheduler_get_failures (f->scheduler), ==, 1);

  /* Events in the backoff: no sync until it ends, then one. */
  am_sync_scheduler_resumed (f->scheduler);
  test_monitor_set_available (f->monitor, FALSE);
  test_monitor_set_available (f->monitor, TRUE);
  am_sync_scheduler_resumed (f->scheduler);
  run_for (200);
  g_assert_cmpuint (f->syncs, ==, 1);
  WAIT_UNTIL (f->syncs == 2 && f->running == 0);
  g_assert_cmpint (ms_between (f->started_at[0] + 20 * 1000, f->started_at[1]), >=, 400);

  /* Twice as long after the second. */
  WAIT_UNTIL (f->syncs == 3);
  g_assert_cmpint (ms_between (f->started_at[1] + 20 * 1000, f->started_at[2]), >=, 800);
  g_assert_cmpuint (f->max_running, ==, 1);

  /* A sync that goes well ends the backoff. */
  WAIT_UNTIL (f->running == 0);
  g_clear_error (&f->fail_with);
  WAIT_UNTIL (f->syncs == 4 && f->running == 0);
  g_assert_cmpuint (am_sync_scheduler_get_failures (f->scheduler), ==, 0);
  g_assert_cmpint (am_sync_scheduler_get_backoff_until (f->scheduler), ==, 0);
  am_sync_scheduler_resumed (f->scheduler);
  WAIT_UNTIL (f->syncs == 5);
  g_assert_cmpint (ms_between (f->finished_at, f->started_at[4]), <, 1000);
}

/* The backoff never grows past the interval. */
static void
test_backoff_capped (Fixture       *f,
                     gconstpointer  data)
{
  f->fail_with = g_error_new_literal (AM_CLOUD_ERROR, AM_CLOUD_ERROR_SERVER, "The cloud failed.");
  am_sync_scheduler_set_delays (f->scheduler, 300, 10, 200);
  am_sync_scheduler_start (f->scheduler);

  /* 200, then 300 and 300 where 400 and 800 would be. */
  WAIT_UNTIL (f->syncs == 4);
  g_assert_cmpint (ms_between (f->started_at[2], f->started_at[3]), >=, 300);
  g_assert_cmpint (ms_between (f->started_at[2], f->started_at[3]), <, 700);
}

/* The cloud was never reached: the network coming back is what was
 * missing, so it syncs without waiting out the backoff. */
static void
test_network_back_ends_backoff (Fixture       *f,
                                gconstpointer  data)
{
  f->fail_with = g_error_new_literal (AM_CLOUD_ERROR, AM_CLOUD_ERROR_NETWORK, "No network.");
  am_sync_scheduler_set_delays (f->scheduler, 60 * 1000, 50, 10 * 1000);
  am_sync_scheduler_start (f->scheduler);

  am_sync_scheduler_resumed (f->scheduler);
  WAIT_UNTIL (f->syncs == 1 && f->running == 0);
  g_assert_cmpint (am_sync_scheduler_get_backoff_until (f->scheduler), >, g_get_monotonic_time ());

  g_clear_error (&f->fail_with);
  test_monitor_set_available (f->monitor, FALSE);
  run_for (100);
  g_assert_cmpuint (f->syncs, ==, 1);
  test_monitor_set_available (f->monitor, TRUE);
  WAIT_UNTIL (f->syncs == 2);
  g_assert_cmpint (f->last_reason, ==, AM_SYNC_REASON_NETWORK);
  g_assert_cmpint (ms_between (f->finished_at, f->started_at[1]), <, 5000);
}

/* The network came back while a sync failed for want of it: it asks again. */
static void
test_network_back_during_failing_sync (Fixture       *f,
                                       gconstpointer  data)
{
  f->fail_with = g_error_new_literal (AM_CLOUD_ERROR, AM_CLOUD_ERROR_NETWORK, "No network.");
  f->sync_ms = 200;
  am_sync_scheduler_set_delays (f->scheduler, 60 * 1000, 20, 10 * 1000);
  am_sync_scheduler_start (f->scheduler);

  am_sync_scheduler_resumed (f->scheduler);
  WAIT_UNTIL (f->running == 1);
  test_monitor_set_available (f->monitor, FALSE);
  test_monitor_set_available (f->monitor, TRUE);
  g_clear_error (&f->fail_with);
  f->fail_with = g_error_new_literal (AM_CLOUD_ERROR, AM_CLOUD_ERROR_NETWORK, "No network.");
  WAIT_UNTIL (f->syncs == 2);
  g_assert_cmpint (ms_between (f->finished_at, f->started_at[1]), <, 5000);
}

/* A cloud that answers every request with 429 and @retry_after */

static void
on_rate_limited_request_cb (SoupServer        *server,
                            SoupServerMessage *message,
                            const char        *path,
                            GHashTable        *query,
                            gpointer           user_data)
{
  static const char answer[] = "{\"error\": \"rate_limited\", \"message\": \"Too many requests.\"}";

  soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                "Retry-After", user_data);
  soup_server_message_set_status (message, 429, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC,
                                    answer, sizeof answer - 1);
}

/* The error the client makes of a 429 with @retry_after, as a sync would
 * end with it. */
static GError *
rate_limited_error (const char *retry_after)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(AmCloudClient) client = NULL;
  g_autoptr(AmCloudMe) me = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *url = NULL;
  GError *error = NULL;
  GSList *uris;

  soup_server_add_handler (server, NULL, on_rate_limited_request_cb, (gpointer) retry_after, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  client = am_cloud_client_new (url, &error);
  g_assert_no_error (error);
  am_cloud_client_set_token (client, "test-token");
  am_cloud_client_get_me_async (client, NULL, am_test_on_done_cb, &result);
  me = am_cloud_client_get_me_finish (client, am_test_wait_for (&result), &error);
  g_assert_null (me);
  g_assert_error (error, AM_CLOUD_ERROR, AM_CLOUD_ERROR_RATE_LIMITED);
  soup_server_disconnect (server);
  return error;
}

/* The cloud answered 429 and asked for more time than the backoff: the
 * next sync waits for that, events in the wait included. */
static void
test_backoff_waits_for_retry_after (Fixture       *f,
                                    gconstpointer  data)
{
  gint64 failed_at;

  f->fail_with = rate_limited_error ("2");
  g_assert_cmpuint (am_cloud_error_get_retry_after (f->fail_with), ==, 2);
  am_sync_scheduler_set_delays (f->scheduler, 60 * 1000, 10, 200);
  am_sync_scheduler_start (f->scheduler);

  am_sync_scheduler_resumed (f->scheduler);
  WAIT_UNTIL (f->syncs == 1 && f->running == 0);
  failed_at = f->finished_at;

  /* Past the backoff of 200 ms, an event: still not before the 2 s. */
  run_for (500);
  am_sync_scheduler_resumed (f->scheduler);
  run_for (500);
  g_assert_cmpuint (f->syncs, ==, 1);

  WAIT_UNTIL (f->syncs == 2);
  g_assert_cmpint (ms_between (failed_at, f->started_at[1]), >=, 2000);
  g_assert_cmpint (ms_between (failed_at, f->started_at[1]), <, 4000);
}

/* A backoff longer than the Retry-After is not cut short by it. */
static void
test_backoff_longer_than_retry_after (Fixture       *f,
                                      gconstpointer  data)
{
  gint64 failed_at;

  f->fail_with = rate_limited_error ("1");
  am_sync_scheduler_set_delays (f->scheduler, 60 * 1000, 10, 1800);
  am_sync_scheduler_start (f->scheduler);

  am_sync_scheduler_resumed (f->scheduler);
  WAIT_UNTIL (f->syncs == 1 && f->running == 0);
  failed_at = f->finished_at;
  WAIT_UNTIL (f->syncs == 2);
  g_assert_cmpint (ms_between (failed_at, f->started_at[1]), >=, 1800);
}

/* Suspend and resume */

static void
emit_prepare_for_sleep (gboolean sleeping)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder args;

  bus = g_dbus_connection_new_for_address_sync (am_test_bus_get_address (test_bus),
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);
  g_variant_builder_init (&args, G_VARIANT_TYPE ("av"));
  g_variant_builder_add (&args, "v", g_variant_new_boolean (sleeping));
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.login1", "/org/freedesktop/login1",
                                       "org.freedesktop.DBus.Mock", "EmitSignal",
                                       g_variant_new ("(sssav)", "org.freedesktop.login1.Manager",
                                                      "PrepareForSleep", "b", &args),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_close_sync (bus, NULL, NULL);
}

/* logind's PrepareForSleep(false), on the system bus, makes a sync due;
 * going to sleep does not. */
static void
test_resume_logind (Fixture       *f,
                    gconstpointer  data)
{
  am_sync_scheduler_set_delays (f->scheduler, 60 * 1000, 50, 1000);
  am_sync_scheduler_start (f->scheduler);
  /* The scheduler's subscription is made once the bus is connected. */
  run_for (500);

  emit_prepare_for_sleep (TRUE);
  run_for (300);
  g_assert_cmpuint (f->syncs, ==, 0);

  emit_prepare_for_sleep (FALSE);
  WAIT_UNTIL (f->syncs == 1);
  g_assert_cmpint (f->last_reason, ==, AM_SYNC_REASON_RESUME);
  run_for (300);
  g_assert_cmpuint (f->syncs, ==, 1);
}

/* No system bus at all (a container): no resume events, no warning, and
 * the interval still works. In a child, whose system bus is nowhere. */
static void
test_resume_without_system_bus (void)
{
  if (g_test_subprocess ())
    {
      Fixture fixture = { 0 };
      Fixture *f = &fixture;

      fixture_set_up (f, NULL);
      am_sync_scheduler_set_delays (f->scheduler, 300, 50, 1000);
      am_sync_scheduler_start (f->scheduler);
      WAIT_UNTIL (f->syncs == 1);
      g_assert_cmpint (f->last_reason, ==, AM_SYNC_REASON_INTERVAL);
      am_sync_scheduler_resumed (f->scheduler);
      WAIT_UNTIL (f->syncs == 2);
      fixture_tear_down (f, NULL);
      return;
    }

  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr_unmatched ("*WARNING*");
  g_test_trap_assert_stderr_unmatched ("*CRITICAL*");
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/sync-scheduler/interval/first-after-interval-then-after-each-sync", test_interval);
  ADD ("/sync-scheduler/interval/counts-from-last-sync", test_interval_counts_from_last_sync);
  ADD ("/sync-scheduler/interval/zero-is-never", test_interval_none);
  ADD ("/sync-scheduler/stopped-nothing-due", test_stopped);
  ADD ("/sync-scheduler/network/back-syncs-once", test_network_back);
  ADD ("/sync-scheduler/never-two-at-once", test_never_two_at_once);
  ADD ("/sync-scheduler/backoff/doubles-and-holds-events", test_backoff_after_failure);
  ADD ("/sync-scheduler/backoff/capped-at-interval", test_backoff_capped);
  ADD ("/sync-scheduler/backoff/network-back-ends-unreached-backoff", test_network_back_ends_backoff);
  ADD ("/sync-scheduler/backoff/network-back-during-failing-sync", test_network_back_during_failing_sync);
  ADD ("/sync-scheduler/backoff/waits-for-retry-after-of-429", test_backoff_waits_for_retry_after);
  ADD ("/sync-scheduler/backoff/longer-than-retry-after-holds", test_backoff_longer_than_retry_after);
  ADD ("/sync-scheduler/resume/logind-prepare-for-sleep", test_resume_logind);
  g_test_add_func ("/sync-scheduler/resume/no-system-bus-is-silent", test_resume_without_system_bus);

  if (g_test_subprocess ())
    {
      /* The child's system bus: nowhere. */
      g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/am-test-no-system-bus", TRUE);
      return g_test_run ();
    }

  test_bus = am_test_dbusmock_start ("logind", "org.freedesktop.login1");
  status = g_test_run ();
  am_test_bus_stop (test_bus);
  return status;
}
