# test-activity.py: the Locks Dashboard and a lock's activity through the accessibility tree: the demo's locks listed; a code issued, typed on the simulated keypad and seen used after a visit and a sync; revoked, pending until a visit confirms it, then refused by the lock (TAP)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run by 'meson test --suite ui' inside a headless session (build-aux/dev test).
# The world is test-unlock.py's: the reference cloud seeded with the demo
# portfolio (AM_SERVER) and, on a private system bus, BlueZ with the demo's
# locks simulated (AM_SIM_TEMPLATE); the application signs in as the demo
# agent by itself. The simulated lock's control interface types the code on
# its keypad (org.bluez.AM1Mock.TypeCode).
#
# Screens are saved under <build dir>/screenshots/activity-*.png.

import importlib.util
import os
import re
import shutil
import sqlite3
import sys
import time

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
RECIPIENT = 'Riley Prospect'
SYNC_TIMEOUT = unlock.SYNC_TIMEOUT
BLE_TIMEOUT = unlock.BLE_TIMEOUT
ACTIVITY_TIMEOUT = 60.0            # a visit's log to the cloud and back by a sync
CODE_RE = unlock.CODE_RE
USED_RE = re.compile(r'^Used once, on .*\d:\d\d( [AP]M)?$')

STATE = {}
NOTIFICATIONS = {}


def env_changes(env):
    """test-unlock.py's world, and a notification server on the session bus:
    the first use of a code issued here is notified (GNotification), and
    without a server GIO warns, which G_DEBUG=fatal-warnings makes fatal."""
    import subprocess
    unlock.env_changes(env)
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


def cleanup(session):
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
    """The shown list item with a text for which predicate holds."""
    tree = s.tree
    pyatspi = tree.pyatspi

    def probe():
        for row in tree.find_all(root, lambda n: tree.role(n) in (pyatspi.ROLE_LIST_ITEM,
                                                                  pyatspi.ROLE_TABLE_ROW)
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


def test_issue_code(s):
    """A code for now, from the main window, as an agent makes one."""
    close_dashboard(s)
    tree = s.tree
    deadline = deadline_in(STEP_TIMEOUT)
    main = s.require_window()
    entry = wait_for('the search entry',
                     lambda: tree.find(main, lambda n: tree.name(n) == 'Search Properties'
                                       and tree.role(n) in unlock.roles(tree, 'ENTRY', 'TEXT')
                                       and tree.is_shown(n)), deadline)
    amui.set_text(tree, entry, unlock.SEARCH, 'the search entry')
    unlock.activate_row(s, main, PROPERTY, deadline)
    flow = unlock.open_methods(s, deadline)
    unlock.press(s, flow, 'Code Unlock', deadline)
    access = unlock.wait_window(s, 'Code Unlock', deadline)
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
    """Lock Events: the keypad open, the Bluetooth unlocks, the revocation, the refusal in plain words."""
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


def test_quits_cleanly(s):
    amui.quit_app(s)


SUBTESTS = (
    ('signed-in', test_signed_in),
    ('dashboard-lists-the-servers-locks', test_dashboard_lists_locks),
    ('issue-a-code', test_issue_code),
    ('lock-passcodes-lists-it-unused', test_code_listed),
    ('show-code-derives-it-again', test_show_code_again),
    ('used-on-keypad-shows-used-after-visit-and-sync', test_used_after_visit_and_sync),
    ('revoke-is-pending-until-a-visit', test_revoke_pending),
    ('visit-confirms-revocation-lock-refuses', test_visit_confirms_revocation),
    ('lock-events-in-plain-words', test_lock_events),
    ('quits-cleanly', test_quits_cleanly),
)


if __name__ == '__main__':
    for tool in ('dbus-daemon', 'gdbus'):
        if shutil.which(tool) is None:
            amui.skip_all(f'no {tool}')
    if not os.path.exists('/usr/share/dbus-1/session.conf'):
        amui.skip_all('no /usr/share/dbus-1/session.conf for a private system bus')
    amui.main(SUBTESTS, cleanup=cleanup, env_changes=env_changes)
