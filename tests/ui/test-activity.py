# test-activity.py: the Locks Dashboard and a lock's activity through the accessibility tree: the demo's locks listed; a code issued, typed on the simulated keypad and seen used after a visit and a sync; revoked, pending until a visit confirms it, then refused by the lock; no secret left behind (TAP)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run by 'meson test --suite ui' inside a headless session (build-aux/dev test).
# The world is test-unlock.py's: the reference cloud seeded with the demo
# portfolio (AM_SERVER) and, on a private system bus, BlueZ with the demo's
# locks simulated (AM_SIM_TEMPLATE); the application signs in as the demo
# agent by itself. The simulated lock's control interface types the code on
# its keypad (org.bluez.AM1Mock.TypeCode).
#
# Around the activity: the sync status line at the foot of the property list
# (synced, failed with the cloud stopped, synced again); Preferences, whose
# default window length Code Unlock proposes and whose sync interval GSettings
# holds; the notification of a code's first use, which opens the lock it
# speaks of when the notification server (python-dbusmock) invokes it, as
# app.show-lock does when called over D-Bus.
#
# The application keeps its settings in a file (GSETTINGS_BACKEND=keyfile)
# and logs everything (G_MESSAGES_DEBUG=all). After it quits, no file of its
# HOME and XDG folders, nor its log, nor the command line of a process it
# started holds the session token, a lock key or the code's digits.
#
# Screens are saved under <build dir>/screenshots/activity-*.png.

import datetime
import importlib.util
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import amui  # noqa: E402
from amui import Failure, CHECK_TIMEOUT, STEP_TIMEOUT, deadline_in, wait_for  # noqa: E402

# The world, the helpers and the unlock flow's steps of test-unlock.py.
_spec = importlib.util.spec_from_file_location(
    'unlock_steps', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'test-unlock.py'))
unlock = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(unlock)
WORLD = unlock.WORLD

PROPERTY = unlock.PROPERTY         # Lakeview Terrace, America/Chicago
LOCK = unlock.LOCK                 # Front door
OTHER_LOCK = 'Model unit'             # the property's other lock
RECIPIENT = 'Riley Prospect'
SYNC_TIMEOUT = unlock.SYNC_TIMEOUT
BLE_TIMEOUT = unlock.BLE_TIMEOUT
ACTIVITY_TIMEOUT = 60.0            # a visit's log to the cloud and back by a sync
CODE_RE = unlock.CODE_RE
USED_RE = re.compile(r'^Used once, on .*\d:\d\d( [AP]M)?$')

SYNC_FAILURE_TIMEOUT = 45.0       # a sync retrying in place (1, 2, 4 s) before it gives up
WINDOW_HOURS = 9                   # the default window length chosen in Preferences
SYNC_MINUTES = 45                  # the sync interval chosen in Preferences
NOTIFICATIONS_NAME = 'org.freedesktop.Notifications'
NOTIFICATIONS_PATH = '/org/freedesktop/Notifications'
FIRST_USE_SUMMARY = 'Code Used for the First Time'

STATE = {}
NOTIFICATIONS = {}


def env_changes(env):
    """test-unlock.py's world, and a notification server on the session bus:
    the first use of a code issued here is notified (GNotification), and
    without a server GIO warns, which G_DEBUG=fatal-warnings makes fatal."""
    import subprocess
    unlock.env_changes(env)
    env['GSETTINGS_BACKEND'] = 'keyfile'
    env['G_MESSAGES_DEBUG'] = 'all'
    folder = os.path.join(os.path.dirname(env['XDG_DATA_HOME']), 'world')
    waited = subprocess.run(['gdbus', 'call', '--session', '--dest', 'org.freedesktop.DBus',
                             '--object-path', '/org/freedesktop/DBus', '--method',
                             'org.freedesktop.DBus.NameHasOwner', 'org.freedesktop.Notifications'],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if 'true' in waited.stdout:
        return  # the session has one already
    NOTIFICATIONS['process'] = subprocess.Popen(
        ['/usr/bin/python3', '-m', 'dbusmock', '--template', 'notification_daemon',
         '-l', os.path.join(folder, 'notifications.log')],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=unlock.die_with_parent)
    subprocess.run(['gdbus', 'wait', '--session', '--timeout', '15', 'org.freedesktop.Notifications'],
                   stdin=subprocess.DEVNULL, capture_output=True)


def prepare(session):
    session.watch_children = True


def cleanup(session):
    reader = STATE.pop('reader', None)
    if reader is not None:
        reader.close()
    process = NOTIFICATIONS.pop('process', None)
    if process is not None and process.poll() is None:
        process.terminate()
        process.wait()
    unlock.cleanup(session)


def dashboard(s, deadline):
    """The Locks Dashboard window, opened from the main window if need be."""
    tree = s.tree
    for node in s.visible_other_toplevels():
        if tree.name(node) == 'Locks Dashboard':
            return node
    unlock.press(s, s.require_window(), 'Locks Dashboard', deadline)
    return unlock.wait_window(s, 'Locks Dashboard', deadline)


def close_dashboard(s):
    """Closes the Locks Dashboard: without a window manager every toplevel
    sits at 0,0, and a click meant for the main window would land on it."""
    for node in s.visible_other_toplevels():
        if s.tree.name(node) == 'Locks Dashboard':
            amui.close_window(s, node, 'the Locks Dashboard', deadline_in(STEP_TIMEOUT))


def visible_locks(db_path):
    """(property name, lock name) of every lock the demo agent may see."""
    with sqlite3.connect(db_path) as db:
        return db.execute('SELECT p.name, l.name FROM locks l JOIN properties p ON p.id = l.property_id '
                          'JOIN grants g ON g.property_id = p.id JOIN users u ON u.id = g.user_id '
                          'WHERE u.email = ? ORDER BY p.name, l.name',
                          (amui.DemoServer.DEMO_EMAIL,)).fetchall()


def row_showing(s, root, predicate, what, deadline):
    """The shown list item with a text for which predicate holds: a row of
    a list or a table, or a cell of Lock Passcodes' grid of one column."""
    tree = s.tree
    pyatspi = tree.pyatspi

    def probe():
        for row in tree.find_all(root, lambda n: tree.role(n) in (pyatspi.ROLE_LIST_ITEM,
                                                                  pyatspi.ROLE_TABLE_ROW,
                                                                  pyatspi.ROLE_TABLE_CELL)
                                 and tree.is_shown(n)):
            if any(predicate(t) for t in amui.shown_texts(tree, row)):
                return row
        return None

    return wait_for(what, probe, deadline,
                    lambda: ['shown texts: ' + repr(amui.shown_texts(tree, root))])


def passcode_row(s, page, deadline):
    return row_showing(s, page, lambda t: t.startswith(RECIPIENT + ' · '),
                       f'the passcode issued for {RECIPIENT}', deadline)


def row_texts(s, row):
    return amui.shown_texts(s.tree, row)


def wait_row_text(s, page, what, predicate, deadline):
    """Waits until the passcode's row shows a text for which predicate holds."""
    def probe():
        try:
            row = passcode_row(s, page, deadline_in(1))
        except Failure:
            return None
        for text in row_texts(s, row):
            if predicate(text):
                return text
        return None

    return wait_for(what, probe, deadline,
                    lambda: ['the row shows: ' + repr(row_texts(s, passcode_row(s, page, deadline_in(1))))])


def open_lock_passcodes(s, deadline):
    """The Lock Passcodes page of the lock, from a Locks Dashboard opened afresh."""
    close_dashboard(s)
    window = dashboard(s, deadline)
    search = wait_for('the "Search Locks" entry',
                      lambda: s.tree.find(window, lambda n: s.tree.name(n) == 'Search Locks'
                                          and s.tree.is_shown(n)), deadline)
    amui.set_text(s.tree, search, PROPERTY, 'the "Search Locks" entry')
    row = row_showing(s, window, lambda t: t == LOCK, f'the lock "{LOCK}" in the dashboard', deadline)
    unlock.click(s.tree, row, f'the lock "{LOCK}"')
    unlock.wait_text(s, window, 'the Lock Passcodes page', lambda t: t == 'Lock Passcodes', deadline)
    return window


def bluetooth_visit(s):
    """A Bluetooth unlock from the main window: the visit reads the lock's
    log and tells it the codes revoked since."""
    close_dashboard(s)
    deadline = deadline_in(STEP_TIMEOUT)
    main = s.require_window()
    unlock.activate_row(s, main, PROPERTY, deadline)
    flow = unlock.open_methods(s, deadline)
    unlock.press(s, flow, 'Bluetooth Unlock', deadline)
    dialog = unlock.wait_window(s, 'Bluetooth Unlock', deadline)
    unlock.wait_text(s, dialog, '"Door Unlocked"', lambda t: t == 'Door Unlocked', deadline_in(BLE_TIMEOUT))
    unlock.press(s, dialog, 'Done', deadline_in(STEP_TIMEOUT))
    amui.wait_gone(s, dialog, 'the Bluetooth dialog', deadline_in(STEP_TIMEOUT))


def type_code(code):
    from gi.repository import GLib
    lock_id = WORLD.lock_row(PROPERTY, LOCK)[0]
    reply = WORLD.call('/org/bluez', 'org.bluez.AM1Mock', 'TypeCode', GLib.Variant('(ss)', (lock_id, code)))
    return reply.unpack()[0]


# --- the subtests -----------------------------------------------------------

def test_signed_in(s):
    unlock.test_signed_in_list(s)


def test_dashboard_lists_locks(s):
    """Every lock the demo agent may see, in one table, with its property."""
    tree = s.tree
    deadline = deadline_in(SYNC_TIMEOUT)
    window = dashboard(s, deadline)
    expected = visible_locks(WORLD.server.db_path)
    if not expected:
        raise Failure('the demo agent sees no lock in the demo cloud')
    wanted = f'{len(expected)} locks'
    unlock.wait_text(s, window, f'the count "{wanted}"', lambda t: t == wanted, deadline)
    first_property, first_lock = expected[0]
    unlock.wait_text(s, window, f'the first property "{first_property}"', lambda t: t == first_property, deadline)
    unlock.wait_text(s, window, f'its lock "{first_lock}"', lambda t: t == first_lock, deadline)
    for header in ('Property', 'Lock', 'Unit', 'Battery', 'Mode', 'Last Activity', 'Last Bluetooth Visit'):
        unlock.wait_text(s, window, f'the column "{header}"', lambda t, h=header: t == h, deadline)
    unlock.require_named(s, window, 'the Locks Dashboard')
    s.notes.append(amui.screenshot('activity-dashboard'))

    # The search keeps the property's locks only.
    search = wait_for('the "Search Locks" entry',
                      lambda: tree.find(window, lambda n: tree.name(n) == 'Search Locks' and tree.is_shown(n)),
                      deadline)
    amui.set_text(tree, search, PROPERTY, 'the "Search Locks" entry')
    n_lakeview = sum(1 for p, _ in expected if p == PROPERTY)
    wanted = f'{n_lakeview} locks' if n_lakeview != 1 else '1 lock'
    unlock.wait_text(s, window, f'"{wanted}" after the search', lambda t: t == wanted, deadline_in(STEP_TIMEOUT))
    amui.set_text(tree, search, '', 'the "Search Locks" entry')
    close_dashboard(s)


def open_code_unlock(s, deadline):
    """Code Unlock for the lock, from the main window, as an agent opens it."""
    close_dashboard(s)
    tree = s.tree
    main = s.require_window()
    entry = wait_for('the search entry',
                     lambda: tree.find(main, lambda n: tree.name(n) == 'Search Properties'
                                       and tree.role(n) in unlock.roles(tree, 'ENTRY', 'TEXT')
                                       and tree.is_shown(n)), deadline)
    amui.set_text(tree, entry, unlock.SEARCH, 'the search entry')
    unlock.activate_row(s, main, PROPERTY, deadline)
    flow = unlock.open_methods(s, deadline)
    unlock.press(s, flow, 'Code Unlock', deadline)
    return unlock.wait_window(s, 'Code Unlock', deadline)


def test_issue_code(s):
    """A code for now, from the main window, as an agent makes one."""
    tree = s.tree
    deadline = deadline_in(STEP_TIMEOUT)
    access = open_code_unlock(s, deadline)
    unlock.press(s, access, 'Next Hour', deadline)
    name = wait_for('the "Name" entry',
                    lambda: tree.find(access, lambda n: tree.name(n) == 'Name'
                                      and tree.role(n) in unlock.roles(tree, 'ENTRY', 'TEXT')
                                      and tree.is_shown(n)), deadline)
    amui.set_text(tree, name, RECIPIENT, 'the "Name" entry')
    unlock.press(s, access, 'Create Code', deadline)
    sheet = unlock.wait_window(s, 'Code Ready', deadline)
    grouped = unlock.wait_text(s, sheet, 'the code', lambda t: CODE_RE.match(t) is not None, deadline)
    STATE['code'] = grouped.replace(' ', '')
    unlock.close_toplevel(s, sheet, 'the share sheet', deadline)


def test_code_listed(s):
    """Lock Passcodes lists it, newest first, unused, with its issuer."""
    deadline = deadline_in(STEP_TIMEOUT)
    window = open_lock_passcodes(s, deadline)
    row = passcode_row(s, window, deadline)
    texts = row_texts(s, row)
    if not any(t.startswith('Issued by ') and t.endswith('Manual code') for t in texts):
        raise Failure('the row does not say who issued the code', ['the row shows: ' + repr(texts)])
    wait_row_text(s, window, 'the badge "Unused"', lambda t: t == 'Unused', deadline)
    wait_row_text(s, window, '"Not used yet"', lambda t: t == 'Not used yet', deadline)
    unlock.button(s, row, 'Show Code', deadline)
    unlock.button(s, row, 'Revoke…', deadline)
    unlock.require_named(s, window, 'Lock Passcodes')


def test_show_code_again(s):
    """Show Code derives the same digits again, in the share sheet."""
    if 'code' not in STATE:
        raise Failure('no code was issued (see the subtests before)')
    deadline = deadline_in(STEP_TIMEOUT)
    window = open_lock_passcodes(s, deadline)
    unlock.press(s, passcode_row(s, window, deadline), 'Show Code', deadline)
    sheet = unlock.wait_window(s, 'Code Ready', deadline)
    grouped = unlock.wait_text(s, sheet, 'the code', lambda t: CODE_RE.match(t) is not None, deadline)
    if grouped.replace(' ', '') != STATE['code']:
        raise Failure('Show Code shows other digits than those issued')
    unlock.close_toplevel(s, sheet, 'the share sheet', deadline)


def test_used_after_visit_and_sync(s):
    """Typed on the keypad: the lock opens; after a Bluetooth visit (the log
    to the cloud) and a sync, the row says it was used, and when."""
    if 'code' not in STATE:
        raise Failure('no code was issued (see the subtests before)')
    result = type_code(STATE['code'])
    if result != 'open':
        raise Failure(f'the simulated lock answered "{result}" to the code, not "open"')
    bluetooth_visit(s)
    deadline = deadline_in(ACTIVITY_TIMEOUT)
    window = open_lock_passcodes(s, deadline_in(STEP_TIMEOUT))

    def used():
        s.activate_action('sync')
        try:
            return wait_row_text(s, window, 'the use', lambda t: USED_RE.match(t) is not None, deadline_in(5))
        except Failure:
            return None

    text = wait_for('the row to say the code was used, and when', used, deadline,
                    lambda: ['the row shows: ' + repr(row_texts(s, passcode_row(s, window, deadline_in(1))))])
    s.notes.append(f'said: {text}')
    wait_row_text(s, window, 'the badge "Active"', lambda t: t == 'Active', deadline_in(STEP_TIMEOUT))
    s.notes.append(amui.screenshot('activity-passcodes'))


def test_revoke_pending(s):
    """Revoke, confirmed: pending until the next Bluetooth visit."""
    deadline = deadline_in(STEP_TIMEOUT)
    window = open_lock_passcodes(s, deadline)
    unlock.press(s, passcode_row(s, window, deadline), 'Revoke…', deadline)
    dialog = wait_for('the confirmation', lambda: next(
        (n for n in s.visible_other_toplevels()
         if amui.shows_text(s, n, 'Revoke This Code?')), None), deadline, s.outline)
    unlock.require_named(s, dialog, 'the confirmation')
    unlock.press(s, dialog, 'Revoke', deadline)
    amui.wait_gone(s, dialog, 'the confirmation', deadline)
    wait_row_text(s, window, 'the badge "Revocation Pending"', lambda t: t == 'Revocation Pending', deadline)
    wait_row_text(s, window, 'the pending sentence',
                  lambda t: t == 'Revocation pending until the next Bluetooth visit', deadline)
    s.notes.append(amui.screenshot('activity-revocation-pending'))


def test_visit_confirms_revocation(s):
    """A Bluetooth visit tells the lock; its log confirms; the lock refuses the code."""
    bluetooth_visit(s)
    deadline = deadline_in(ACTIVITY_TIMEOUT)
    window = open_lock_passcodes(s, deadline_in(STEP_TIMEOUT))
    wait_row_text(s, window, 'the badge "Revoked"', lambda t: t == 'Revoked', deadline)
    wait_row_text(s, window, 'who revoked it', lambda t: t.startswith('Revoked by '), deadline)
    result = type_code(STATE['code'])
    if result != 'reject:revoked':
        raise Failure(f'the simulated lock answered "{result}" to the revoked code, not "reject:revoked"')


def test_lock_events(s):
    """Lock Events: the keypad open, the Bluetooth unlocks, the revocation, the refusal in plain words;
    then Alt+Left back to the dashboard."""
    tree = s.tree
    deadline = deadline_in(STEP_TIMEOUT)
    window = open_lock_passcodes(s, deadline)
    tab = wait_for('the "Lock Events" switch',
                   lambda: tree.find(window, lambda n: tree.name(n) == 'Lock Events'
                                     and tree.role(n) != tree.pyatspi.ROLE_LABEL and tree.is_shown(n)
                                     and (tree.actions(n)[1] if tree.actions(n) else False)), deadline)
    tree.do_action(tab, 'the "Lock Events" switch')
    for sentence in ('Opened with a code at the keypad', 'Opened over Bluetooth',
                     'A revoked code was taken off the lock’s list'):
        unlock.wait_text(s, window, f'"{sentence}"', lambda t, w=sentence: t == w, deadline)
    s.notes.append(amui.screenshot('activity-lock-events'))

    # The lock's name heads the page; Alt+Left goes back to the dashboard,
    # where a click on the other lock opens that one. (A page moved away
    # keeps its size, so being on screen is shown by what a click does.)
    def heading(name):
        return tree.find(window, lambda n: tree.role(n) == tree.pyatspi.ROLE_HEADING
                         and tree.name(n) == name and tree.is_shown(n))

    wait_for(f'the heading "{LOCK}"', lambda: heading(LOCK), deadline)
    amui.press_combo(tree, 'Alt_L', 'Left')
    other = row_showing(s, window, lambda t: t == OTHER_LOCK, f'the lock "{OTHER_LOCK}" in the dashboard', deadline)
    unlock.click(s.tree, other, f'the lock "{OTHER_LOCK}"')
    wait_for(f'the heading "{OTHER_LOCK}" after Alt+Left and a click', lambda: heading(OTHER_LOCK), deadline)


def focus_main_window(s, deadline):
    """Closes the other windows and puts the pointer over the main window:
    without a window manager, keys go to the window under the pointer once
    the one that had the focus is gone."""
    close_dashboard(s)
    for window in s.visible_other_toplevels():
        unlock.close_toplevel(s, window, s.tree.describe(window), deadline)
    pyatspi = s.tree.pyatspi
    try:
        # GTK 4.8 knows window coordinates only; the window sits at 0,0.
        extents = s.require_window().queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    except Exception as error:
        raise Failure(f'no size for the main window: {error}')
    pyatspi.Registry.generateMouseEvent(extents.width // 2, extents.height // 2, pyatspi.MOUSE_ABS)


def sync_status(s):
    """(what it says, its description) of the sync status line, or None."""
    tree = s.tree
    node = tree.find(s.require_window(), lambda n: tree.role(n) == tree.pyatspi.ROLE_STATUS_BAR
                     and tree.is_shown(n))
    if node is None:
        return None
    try:
        return tree.name(node), node.description or ''
    except Exception:
        return None


def wait_sync_status(s, what, predicate, deadline):
    """Waits until the sync status line says text with a description for
    which predicate(text, description) holds; returns both."""
    def probe():
        shown = sync_status(s)
        return shown if shown is not None and predicate(*shown) else None

    return wait_for(what, probe, deadline,
                    lambda: [f'the sync status line: {sync_status(s)!r}'])


def test_sync_status_synced(s):
    """After the sync that follows signing in, the foot of the property
    list says so, and how to sync again."""
    text, description = wait_sync_status(
        s, '"Synced just now"', lambda t, d: t == 'Synced just now', deadline_in(SYNC_TIMEOUT))
    if not (description.startswith('Last synced ') and description.endswith('Press Ctrl+R to sync now.')):
        raise Failure('the sync status line does not say when it synced, nor how to sync now',
                      [f'its description: {description!r}'])
    s.notes.append(f'says "{text}": {description}')


def test_sync_failure_says_what_to_do(s):
    """The cloud stopped, Ctrl+R: "Last sync failed", with the sentence that
    says why and what to do."""
    deadline = deadline_in(STEP_TIMEOUT)
    focus_main_window(s, deadline)
    status = WORLD.server.stop()
    if status != 0:
        raise Failure(f'the reference cloud exited with status {status}')
    # Nothing else would sync before the interval: Ctrl+R is what this answers.
    amui.press_combo(s.tree, 'Control_L', 'r')
    text, description = wait_sync_status(s, '"Last sync failed" after Ctrl+R',
                                         lambda t, d: t == 'Last sync failed',
                                         deadline_in(SYNC_FAILURE_TIMEOUT))
    host = WORLD.server.url.split('//', 1)[1].split(':', 1)[0]
    if not (host in description and 'could not be reached' in description
            and description.endswith('Check your connection, then try again.')):
        raise Failure('the failure does not say why, or what to do', [f'its description: {description!r}'])
    tree = s.tree
    wait_for('the warning sign beside it', lambda: tree.find(
        s.require_window(), lambda n: tree.role(n) == tree.pyatspi.ROLE_IMAGE
        and tree.name(n) == 'Sync failed' and tree.is_shown(n)), deadline)
    s.notes.append(f'says "{text}": {description}')
    s.notes.append(amui.screenshot('activity-sync-failed'))


def test_sync_status_synced_again(s):
    """The cloud back, Ctrl+R: synced again, the failure gone."""
    deadline = deadline_in(STEP_TIMEOUT)
    if WORLD.server.process.poll() is not None:
        WORLD.server.restart()
    focus_main_window(s, deadline)
    amui.press_combo(s.tree, 'Control_L', 'r')
    wait_sync_status(s, '"Synced just now" after Ctrl+R', lambda t, d: t == 'Synced just now',
                     deadline_in(SYNC_FAILURE_TIMEOUT))
    tree = s.tree
    if tree.find(s.require_window(), lambda n: tree.name(n) == 'Sync failed' and tree.is_shown(n)):
        raise Failure('the warning sign stays after a sync that went well')


# --- Preferences --------------------------------------------------------------

def gsettings_get(s, key):
    """A key of the application's settings, read by another process
    (gsettings), from where the application keeps them."""
    if s.env.get('GSETTINGS_BACKEND') != 'keyfile':
        raise Failure('the application keeps its settings in memory, where no other process reads them')
    env = dict(s.env)
    env.pop('G_MESSAGES_DEBUG', None)  # GLib writes debug lines to stdout, where the value is
    read = subprocess.run(['gsettings', 'get', amui.APP_ID, key], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=20)
    if read.returncode != 0:
        raise Failure(f'gsettings get {key} failed: {read.stderr.strip()}')
    return read.stdout.strip()


def property_zone(name):
    with sqlite3.connect(WORLD.server.db_path) as db:
        row = db.execute('SELECT timezone FROM properties WHERE name = ?', (name,)).fetchone()
    if row is None:
        raise Failure(f'no property "{name}" in the demo cloud')
    return zoneinfo.ZoneInfo(row[0])


def proposed_hours(zone, hours):
    """(start, end) hours of the day of a new code's window of hours, as the
    property's clock reads them: from this hour, to a whole hour at least
    hours away."""
    now = datetime.datetime.now(datetime.timezone.utc).astimezone(zone)
    start = now.replace(minute=0, second=0, microsecond=0)
    past_the_hour = now.minute > 0 or now.second >= 1
    end = (start.astimezone(datetime.timezone.utc)
           + datetime.timedelta(hours=hours + (1 if past_the_hour else 0))).astimezone(zone)
    return start.hour, end.hour


def hour_of(text):
    """The hour of the day of a time as shown, "3:00 PM" or "15:00"."""
    found = re.search(r'(\d{1,2}):\d\d(?: ([AP]M))?$', text)
    if found is None:
        return None
    hour = int(found.group(1))
    if found.group(2):
        hour = hour % 12 + (12 if found.group(2) == 'PM' else 0)
    return hour


def shown_window(s, access, deadline):
    """The window Code Unlock shows, and its (start, end) hours of the day."""
    def probe():
        for text in amui.shown_texts(s.tree, access):
            found = re.match(r'^(?:Works|Opens the door once,) (.+) to (.+)$', text)
            if found and hour_of(found.group(1)) is not None and hour_of(found.group(2)) is not None:
                return text, (hour_of(found.group(1)), hour_of(found.group(2)))
        return None

    return wait_for('the window Code Unlock proposes', probe, deadline,
                    lambda: ['shown texts: ' + repr(amui.shown_texts(s.tree, access))])


def set_spin(s, root, label, value, deadline):
    """Sets the spin button whose name begins with label, as a screen reader
    would (AT-SPI Value)."""
    tree = s.tree
    spin = wait_for(f'the spin button "{label}"', lambda: tree.find(
        root, lambda n: tree.role(n) == tree.pyatspi.ROLE_SPIN_BUTTON
        and tree.name(n).startswith(label) and tree.is_shown(n)), deadline,
        lambda: amui.dump(tree, root, 120))
    try:
        spin.queryValue().currentValue = float(value)
    except Exception as error:
        raise Failure(f'setting "{label}" to {value} failed: {error}')
    wait_for(f'"{label}" to hold {value}', lambda: spin.queryValue().currentValue == value, deadline)


def test_preferences(s):
    """Ctrl+comma opens Preferences, every control named. A default window
    length chosen there is the window Code Unlock proposes next; a sync
    interval is in GSettings."""
    tree = s.tree
    deadline = deadline_in(STEP_TIMEOUT * 2)
    zone = property_zone(PROPERTY)
    before = proposed_hours(zone, WINDOW_HOURS)
    if before == proposed_hours(zone, int(gsettings_get(s, 'default-window-hours'))):
        raise Failure(f'a window of {WINDOW_HOURS} hours would look like the default one')

    focus_main_window(s, deadline)
    amui.press_combo(tree, 'Control_L', 'comma')
    preferences = unlock.wait_window(s, 'Preferences', deadline)
    controls = amui.require_named_controls(tree, preferences, 'Preferences')
    s.notes.append(f'{len(controls)} controls, all named')
    set_spin(s, preferences, 'Default window length in hours', WINDOW_HOURS, deadline)
    set_spin(s, preferences, 'Sync interval in minutes', SYNC_MINUTES, deadline)
    wait_for(f'GSettings to hold a sync interval of {SYNC_MINUTES}',
             lambda: gsettings_get(s, 'sync-interval') == str(SYNC_MINUTES), deadline,
             lambda: [f'sync-interval is {gsettings_get(s, "sync-interval")}'])
    s.notes.append(amui.screenshot('activity-preferences'))
    amui.close_window(s, preferences, 'the Preferences window', deadline)

    access = open_code_unlock(s, deadline)
    text, shown = shown_window(s, access, deadline)
    expected = {before, proposed_hours(zone, WINDOW_HOURS)}  # the hour may have turned meanwhile
    s.notes.append(f'Code Unlock proposes: {text}')
    unlock.close_toplevel(s, access, 'the Code Unlock dialog', deadline)
    if shown not in expected:
        raise Failure(f'Code Unlock proposes a window from {shown[0]}:00 to {shown[1]}:00, '
                      f'not one of {WINDOW_HOURS} hours from this hour ({sorted(expected)})')


# --- what notifications open --------------------------------------------------

def lock_row(property_name, lock_name):
    """(id, name, property name) of a lock of the demo cloud."""
    with sqlite3.connect(WORLD.server.db_path) as db:
        row = db.execute('SELECT l.id, l.name, p.name FROM locks l JOIN properties p ON p.id = l.property_id '
                         'WHERE p.name = ? AND l.name = ?', (property_name, lock_name)).fetchone()
    if row is None:
        raise Failure(f'no lock "{lock_name}" of "{property_name}" in the demo cloud')
    return row


def recipients(lock_id):
    """Whom the lock's codes in the cloud are for, newest first."""
    with sqlite3.connect(WORLD.server.db_path) as db:
        return [name for name, in db.execute('SELECT recipient_name FROM passcodes WHERE lock_id = ? '
                                             'ORDER BY created_at DESC', (lock_id,))]


def another_lock():
    """(id, name, property name, newest recipient) of a lock of another
    property than the test's, whose newest code is for someone with no code
    on the test's lock: its page cannot be taken for the other's."""
    ours = set(recipients(lock_row(PROPERTY, LOCK)[0]))
    for property_name, lock_name in visible_locks(WORLD.server.db_path):
        if property_name == PROPERTY:
            continue
        lock = lock_row(property_name, lock_name)
        names = recipients(lock[0])
        if names and names[0] and names[0] not in ours:
            return lock + (names[0],)
    raise Failure('no lock of another property has codes for someone else than the test\'s lock')


def wait_lock_page(s, what, recipient, deadline):
    """The Locks Dashboard window on Lock Passcodes, listing a code for
    recipient: the page of the lock, what, whose code it is. (A wide window
    shows the view switcher where a narrow one shows the lock's name.)"""
    window = unlock.wait_window(s, 'Locks Dashboard', deadline)
    unlock.wait_text(s, window, 'the heading "Lock Passcodes"', lambda t: t == 'Lock Passcodes', deadline)
    row_showing(s, window, lambda t: t.startswith(recipient + ' · '), f'the code for {recipient} on {what}',
                deadline)
    return window


def notifications_call(method, args, reply_type=None):
    from gi.repository import Gio, GLib
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    return bus.call_sync(NOTIFICATIONS_NAME, NOTIFICATIONS_PATH, 'org.freedesktop.DBus.Mock', method, args,
                         GLib.VariantType(reply_type) if reply_type else None,
                         Gio.DBusCallFlags.NO_AUTO_START, 5000, None)


def sent_notifications():
    """[(id, summary, body, actions)] of what the notification server was
    asked to show, with the ids it answered (python-dbusmock's template
    counts from 1, or keeps the id a notification replaces)."""
    from gi.repository import GLib
    calls = notifications_call('GetMethodCalls', GLib.Variant('(s)', ('Notify',)), '(a(tav))').unpack()[0]
    sent, next_id = [], 1
    for _, (app_name, replaces, icon, summary, body, actions, hints, timeout) in calls:
        if replaces:
            sent.append((replaces, summary, body, actions))
        else:
            sent.append((next_id, summary, body, actions))
            next_id += 1
    return sent


def test_show_lock_action(s):
    """app.show-lock, over D-Bus as a notification server calls it, with the
    id of a lock of another property: that lock's page, in a Locks Dashboard
    window opened for it."""
    lock_id, name, property_name, recipient = another_lock()
    close_dashboard(s)
    from gi.repository import GLib
    s.activate_action('show-lock', GLib.Variant('s', lock_id))
    try:
        wait_lock_page(s, f'{name} of {property_name}', recipient, deadline_in(STEP_TIMEOUT))
        s.notes.append(f'shows {name} of {property_name}, with the code for {recipient}')
    finally:
        close_dashboard(s)


def test_notification_opens_its_lock(s):
    """The first use of the code was notified with a default action; the
    notification server invoking it (a click) opens that lock's passcodes."""
    if 'process' not in NOTIFICATIONS:
        s.notes.append('SKIP-like: the session has a notification server of its own, which this test cannot read')
        return
    deadline = deadline_in(STEP_TIMEOUT)

    def first_use():
        return next((n for n in sent_notifications() if n[1] == FIRST_USE_SUMMARY and RECIPIENT in n[2]), None)

    notification = wait_for(f'the notification "{FIRST_USE_SUMMARY}"', first_use, deadline,
                            lambda: [f'sent: {[(n[0], n[1]) for n in sent_notifications()]}'])
    number, summary, body, actions = notification
    if 'default' not in actions[0::2]:
        raise Failure('the notification has no default action: clicking it would open nothing',
                      [f'its actions: {actions!r}'])
    s.notes.append(f'notified: {body}')
    close_dashboard(s)
    from gi.repository import GLib
    notifications_call('EmitSignal', GLib.Variant('(sssav)', (
        NOTIFICATIONS_NAME, 'ActionInvoked', 'us', [GLib.Variant('u', number), GLib.Variant('s', 'default')])))
    wait_lock_page(s, f'{LOCK} of {PROPERTY}', RECIPIENT, deadline)
    close_dashboard(s)

def test_preference_kept(s):
    """A preference turned off in Preferences is in the settings file."""
    close_dashboard(s)
    amui.change_a_preference(s, deadline_in(STEP_TIMEOUT))


def test_quits_cleanly(s):
    # A reader of the cache, as test-ble-e2e has: the WAL and the shared
    # memory file stay after the application quits, to be scanned.
    STATE['reader'] = amui.hold_cache(s.env)
    amui.quit_app(s)


def test_no_secrets_left(s):
    """Signed in, a code issued and shown again, Bluetooth visits, syncs, a
    preference changed, quit: no token, lock key or digits anywhere."""
    if 'code' not in STATE:
        raise Failure('no code was issued (see the subtests before)')
    if s.first is None or s.first.process.poll() is None:
        raise Failure('the application has not quit (see quits-cleanly)')
    notes, _ = amui.check_no_secrets_left(s, WORLD.server.url, [STATE['code']])
    s.notes.extend(notes)


SUBTESTS = (
    ('signed-in', test_signed_in),
    ('sync-status-says-synced', test_sync_status_synced),
    ('dashboard-lists-the-servers-locks', test_dashboard_lists_locks),
    ('issue-a-code', test_issue_code),
    ('lock-passcodes-lists-it-unused', test_code_listed),
    ('show-code-derives-it-again', test_show_code_again),
    ('used-on-keypad-shows-used-after-visit-and-sync', test_used_after_visit_and_sync),
    ('notification-of-first-use-opens-its-lock', test_notification_opens_its_lock),
    ('show-lock-action-opens-that-lock', test_show_lock_action),
    ('revoke-is-pending-until-a-visit', test_revoke_pending),
    ('visit-confirms-revocation-lock-refuses', test_visit_confirms_revocation),
    ('lock-events-in-plain-words-alt-left-goes-back', test_lock_events),
    ('preferences-window-length-and-sync-interval', test_preferences),
    ('sync-status-failure-says-what-to-do', test_sync_failure_says_what_to_do),
    ('sync-status-synced-again', test_sync_status_synced_again),
    ('preference-kept-in-settings-file', test_preference_kept),
    ('quits-cleanly', test_quits_cleanly),
    ('no-secrets-left-behind', test_no_secrets_left),
)


if __name__ == '__main__':
    for tool in ('dbus-daemon', 'gdbus'):
        if shutil.which(tool) is None:
            amui.skip_all(f'no {tool}')
    if not os.path.exists('/usr/share/dbus-1/session.conf'):
        amui.skip_all('no /usr/share/dbus-1/session.conf for a private system bus')
    amui.main(SUBTESTS, prepare=prepare, cleanup=cleanup, env_changes=env_changes)
