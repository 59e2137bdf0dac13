/* am-unlock-flow.h: unlocking a property: the lock picker, then Bluetooth or a code
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "am-facade.h"

G_BEGIN_DECLS

#define AM_TYPE_UNLOCK_FLOW (am_unlock_flow_get_type ())

G_DECLARE_FINAL_TYPE (AmUnlockFlow, am_unlock_flow, AM, UNLOCK_FLOW, AdwWindow)

/**
 * am_unlock_flow_present:
 * @parent: the window the flow is modal for
 * @facade: the application's façade
 * @property: the property to unlock
 *
 * Opens the unlock flow for @property: a lock picker when it has several
 * locks, then Bluetooth Unlock or Code Unlock. The flow keeps itself alive
 * until it is closed.
 */
void am_unlock_flow_present (GtkWindow  *parent,
                             AmFacade   *facade,
                             AmProperty *property);

/* Shared by the unlock dialogs: times in the property's own time zone. */
GTimeZone *am_unlock_flow_property_zone    (AmProperty *property);
gboolean   am_unlock_flow_zone_is_local    (GTimeZone  *zone);
void       am_unlock_flow_show_only        (GtkStack   *stack,
                                            const char *name);
char      *am_unlock_flow_format_time      (GTimeZone  *zone,
                                            gint64      utc);
char      *am_unlock_flow_format_date      (GTimeZone  *zone,
                                            gint64      utc);
char      *am_unlock_flow_format_date_time (GTimeZone  *zone,
                                            gint64      utc);
char      *am_unlock_flow_format_window    (GTimeZone  *zone,
                                            gint64      starts_at,
                                            gint64      ends_at);
void       am_unlock_flow_name_button      (GtkButton  *button);
char      *am_unlock_flow_describe_zone    (GTimeZone  *zone,
                                            gint64      near_utc);

G_END_DECLS
