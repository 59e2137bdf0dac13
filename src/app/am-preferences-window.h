/* am-preferences-window.h: the preferences, bound to GSettings
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define AM_TYPE_PREFERENCES_WINDOW (am_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (AmPreferencesWindow, am_preferences_window, AM, PREFERENCES_WINDOW, AdwPreferencesWindow)

AmPreferencesWindow *am_preferences_window_new (GtkWindow *parent);

G_END_DECLS
