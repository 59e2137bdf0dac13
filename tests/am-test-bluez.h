/* am-test-bluez.h: a private system bus with the simulated AM1 lock (python-dbusmock) for tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GDBus keeps the first system bus connection of a process for good, so a
 * test program starts its bus (and the mock) before anything touches the
 * system bus, and a test that needs another bus runs in a child process.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _AmTestBus AmTestBus;

/* A bare dbus-daemon; DBUS_SYSTEM_BUS_ADDRESS points at it. */
AmTestBus  *am_test_bus_start              (void);
/* As above, with python-dbusmock serving org.bluez from @template_path
 * (NULL: $AM_SIM_TEMPLATE). */
AmTestBus  *am_test_bluez_start            (const char    *template_path);
/* As above, with python-dbusmock serving @name from @template (a file,
 * or the name of one of dbusmock's own, such as "logind"). */
AmTestBus  *am_test_dbusmock_start         (const char    *template,
                                            const char    *name);
/* Kills the mock and the bus, and lets go of the process's system bus
 * connection without dying of it. */
void        am_test_bus_stop               (AmTestBus     *bus);
const char *am_test_bus_get_address        (AmTestBus     *bus);
const char *am_test_bus_get_log_path       (AmTestBus     *bus);

/* Control of the simulated lock (org.bluez.AM1Mock on /org/bluez); each
 * asserts that the call succeeded. */
GVariant   *am_test_bluez_call             (const char    *method,
                                            GVariant      *parameters,
                                            const char    *reply_type);
char       *am_test_bluez_add_lock         (const char    *lock_id,
                                            const guint8  *key,
                                            guint          kv,
                                            guint          digits,
                                            guint          q_offset_s,
                                            guint          battery,
                                            const char    *name);
void        am_test_bluez_remove_lock      (const char    *lock_id);
void        am_test_bluez_add_adapter      (void);
void        am_test_bluez_remove_adapter   (void);
void        am_test_bluez_set_powered      (gboolean       powered);
char       *am_test_bluez_type_code        (const char    *lock_id,
                                            const char    *code);
void        am_test_bluez_set_rssi         (const char    *lock_id,
                                            gint           rssi);
void        am_test_bluez_set_in_range     (const char    *lock_id,
                                            gboolean       in_range);
void        am_test_bluez_set_jammed       (const char    *lock_id,
                                            gboolean       jammed);
void        am_test_bluez_set_bad_tags     (const char    *lock_id,
                                            gboolean       bad_tags);
void        am_test_bluez_set_clock_offset (const char    *lock_id,
                                            gint           seconds);
void        am_test_bluez_set_battery      (const char    *lock_id,
                                            guint          battery);
JsonObject *am_test_bluez_get_lock_state   (const char    *lock_id);

G_END_DECLS
