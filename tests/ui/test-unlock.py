# test-unlock.py: the unlock flow through the accessibility tree: a code made, shown, copied and checked; a door opened over Bluetooth; Bluetooth off and a lock too far away (TAP)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run by 'meson test --suite ui' inside a headless session (build-aux/dev test).
# Besides the application it starts the reference cloud seeded with the demo
# portfolio (AM_SERVER) and, on a private system bus, BlueZ with the demo's
# locks simulated (python-dbusmock and AM_SIM_TEMPLATE); the application signs
# in as the demo agent by itself (AM_DEMO_*). The code the share sheet shows
# must be the one `access-manager-cli passcode derive` (AM_CLI) derives from
# the lock's key in the cloud's database and the window in the app's cache.
#
# Screens are saved under <build dir>/screenshots/unlock-*.png.

import ctypes
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import amui  # noqa: E402
from amui import (Failure, CHECK_TIMEOUT, STEP_TIMEOUT, POLL_INTERVAL,  # noqa: E402
                  deadline_in, wait_for)

PROPERTY = 'Lakeview Terrace'     # America/Chicago, two locks
SEARCH = 'Lakeview'
LOCK = 'Front door'
RECIPIENT = 'Dana Vendor'
SYNC_TIMEOUT = 30.0               # sign-in and the first sync of the demo portfolio
BLE_TIMEOUT = 40.0                # one Bluetooth visit (AM_BLE_SESSION_TIMEOUT_MS is 45 s)
RSSI_WINDOW = 5.0                 # seconds of readings the app takes the median of
CODE_RE = re.compile(r'^\d{3}( \d{3,4})+$')

CLIPBOARD_HELPER = r'''
import sys
import gi
gi.require_version('Gdk', '4.0')
gi.require_version('Gtk', '4.0')
from gi.repository import Gdk, GLib, Gtk
Gtk.init()
loop = GLib.MainLoop()
result = {}
def done(clipboard, res):
    try:
        result['text'] = clipboard.read_text_finish(res)
    except GLib.Error as error:
        result['error'] = error.message
    loop.quit()
Gdk.Display.get_default().get_clipboard().read_text_async(None, done)
GLib.timeout_add_seconds(10, loop.quit)
loop.run()
if 'text' not in result:
    sys.stderr.write(result.get('error', 'timed out') + '\n')
    sys.exit(1)
sys.stdout.write(result['text'] or '')
'''


def die_with_parent():
    """In a child before exec: SIGKILL when this test's process goes."""
    libc = ctypes.CDLL('libc.so.6', use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class World:
    """The reference cloud and the simulated locks, for the whole test."""

    def __init__(self):
        self.server = None
        self.bus_address = None
        self.bus = None
        self.mock = None
        self.folder = None

    def start(self, folder):
        self.folder = folder
        self.server = amui.DemoServer(folder)
        # Not --fork: a bus that is a child of this test dies with it.
        self.bus = subprocess.Popen(['dbus-daemon', '--config-file=/usr/share/dbus-1/session.conf',
                                     '--nofork', '--print-address=1'],
                                    stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                                    preexec_fn=die_with_parent)
        self.bus_address = self.bus.stdout.readline().strip()
        if not self.bus_address:
            amui.bail_out('no private system bus: dbus-daemon printed no address')
        env = dict(os.environ)
        env['DBUS_SYSTEM_BUS_ADDRESS'] = self.bus_address
        self.mock_log = os.path.join(folder, 'bluez.log')
        self.mock = subprocess.Popen(
            ['/usr/bin/python3', '-m', 'dbusmock', '--system',
             '--template', amui.required_env('AM_SIM_TEMPLATE'), '-l', self.mock_log,
             '-p', '{"cloud_db": "%s"}' % self.server.db_path],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(folder, 'dbusmock.err'), 'wb'), preexec_fn=die_with_parent)
        waited = subprocess.run(['gdbus', 'wait', '--address', self.bus_address,
                                 '--timeout', '15', 'org.bluez'],
                                stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if waited.returncode != 0:
            amui.bail_out(f'the simulated locks did not start: see {self.mock_log}')

    def stop(self):
        if self.mock is not None and self.mock.poll() is None:
            self.mock.terminate()
            try:
                self.mock.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.mock.kill()
                self.mock.wait()
        if self.bus is not None and self.bus.poll() is None:
            self.bus.terminate()
            self.bus.wait()
        if self.server is not None:
            self.server.stop()

    # The cloud's database

    def lock_row(self, property_name, lock_name):
        with sqlite3.connect(self.server.db_path) as db:
            row = db.execute('SELECT l.id, l.kv, l.digits, l.q_offset_s FROM locks l '
                             'JOIN properties p ON p.id = l.property_id '
                             'WHERE p.name = ? AND l.name = ?', (property_name, lock_name)).fetchone()
        if row is None:
            raise Failure(f'no lock "{lock_name}" of "{property_name}" in the demo cloud')
        return row

    def lock_key_hex(self, lock_id, kv):
        with sqlite3.connect(self.server.db_path) as db:
            row = db.execute('SELECT key FROM lock_keys WHERE lock_id = ? AND kv = ?',
                             (lock_id, kv)).fetchone()
        if row is None:
            raise Failure(f'no key {kv} for lock {lock_id} in the demo cloud')
        return bytes(row[0]).hex()

    # The simulated BlueZ

    def _bus(self):
        from gi.repository import Gio
        flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
                 | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
        return Gio.DBusConnection.new_for_address_sync(self.bus_address, flags, None, None)

    def call(self, path, interface, method, args):
        from gi.repository import Gio
        bus = self._bus()
        try:
            return bus.call_sync('org.bluez', path, interface, method, args, None,
                                 Gio.DBusCallFlags.NONE, 5000, None)
        finally:
            bus.close_sync(None)

    def set_rssi(self, lock_id, rssi):
        from gi.repository import GLib
        self.call('/org/bluez', 'org.bluez.AM1Mock', 'SetRssi', GLib.Variant('(sn)', (lock_id, rssi)))

    def set_powered(self, powered):
        from gi.repository import GLib
        self.call('/org/bluez/hci0', 'org.freedesktop.DBus.Properties', 'Set',
                  GLib.Variant('(ssv)', ('org.bluez.Adapter1', 'Powered', GLib.Variant('b', powered))))


WORLD = World()


def env_changes(env):
    folder = os.path.join(os.path.dirname(env['XDG_DATA_HOME']), 'world')
    os.makedirs(folder, exist_ok=True)
    try:
        WORLD.start(folder)
    except BaseException:
        WORLD.stop()  # amui.main() cleans up only once its session exists
        raise
    env['DBUS_SYSTEM_BUS_ADDRESS'] = WORLD.bus_address
    env['AM_DEMO_SERVER'] = WORLD.server.url
    env['AM_DEMO_EMAIL'] = amui.DemoServer.DEMO_EMAIL
    env['AM_DEMO_PASSWORD'] = amui.DemoServer.DEMO_PASSWORD


def cleanup(session):
    WORLD.stop()


# --- helpers ------------------------------------------------------------------

def roles(tree, *names):
    return tuple(getattr(tree.pyatspi, 'ROLE_' + name) for name in names)


def named(tree, node, name):
    """Whether node's accessible name is name. GTK 4.8 joins a button's own
    label and an accessible label set on it: "Unlock Unlock" is taken too."""
    actual = amui.plain(tree.name(node))
    return actual == name or actual == f'{name} {name}'


def button(s, root, name, deadline, sensitive=True):
    """The shown push button named name under root (sensitive, if asked)."""
    tree = s.tree

    def probe():
        for node in tree.find_all(root, lambda n: tree.role(n) == tree.pyatspi.ROLE_PUSH_BUTTON
                                  and named(tree, n, name) and tree.is_shown(n)):
            if not sensitive or tree.has_state(node, tree.pyatspi.STATE_SENSITIVE):
                return node
        return None

    return wait_for(f'a shown button "{name}"', probe, deadline,
                    lambda: ['shown texts: ' + repr(amui.shown_texts(tree, root))])


def press(s, root, name, deadline):
    s.tree.do_action(button(s, root, name, deadline), f'the "{name}" button')


def wait_window(s, title, deadline, texts=()):
    """A shown toplevel titled title (other than the main window)."""
    tree = s.tree

    def probe():
        for node in s.visible_other_toplevels():
            if tree.name(node) == title and all(amui.shows_text(s, node, t) for t in texts):
                return node
        return None

    return wait_for(f'a window "{title}" showing {list(texts)}', probe, deadline, s.outline)


def wait_text(s, root, what, predicate, deadline):
    tree = s.tree

    def probe():
        for text in amui.shown_texts(tree, root):
            if predicate(text):
                return text
        return None

    return wait_for(what, probe, deadline,
                    lambda: ['shown texts: ' + repr(amui.shown_texts(tree, root))])


def activate_row(s, root, text, deadline):
    """Activates the list row (GtkListView item or GtkListBox row) that shows text."""
    tree = s.tree
    pyatspi = tree.pyatspi

    def shows(row):
        return (tree.name(row) == text or tree.name(row).startswith(text + ',')
                or tree.find(row, lambda n: tree.name(n) == text) is not None)

    def probe():
        for row in tree.find_all(root, lambda n: tree.role(n) in (pyatspi.ROLE_LIST_ITEM,
                                                                  pyatspi.ROLE_TABLE_ROW)
                                 and tree.is_shown(n)):
            if shows(row):
                return row
        return None

    row = wait_for(f'a row showing "{text}"', probe, deadline,
                   lambda: ['shown texts: ' + repr(amui.shown_texts(tree, root))])
    if tree.actions(row)[1]:
        tree.do_action(row, f'the row "{text}"')
    else:
        click(tree, row, f'the row "{text}"')


def click(tree, node, what):
    """A left click in the middle of node. GTK 4.8 list items have no AT-SPI
    action, and cannot take the focus over AT-SPI. Under Xvfb without a
    window manager a toplevel sits at 0,0: window and screen coordinates agree."""
    pyatspi = tree.pyatspi
    try:
        extents = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    except Exception as error:
        raise Failure(f'no position for {what}: {error}')
    x = extents.x + extents.width // 2
    y = extents.y + extents.height // 2
    pyatspi.Registry.generateMouseEvent(x, y, pyatspi.MOUSE_B1C)


def require_named(s, root, what):
    amui.require_named_controls(s.tree, root, what)


def close_toplevel(s, window, what, deadline):
    """Escape in the window, which every dialog of the flow binds to close."""
    tree = s.tree
    try:
        window.queryComponent().grabFocus()
    except Exception:
        pass
    amui.press_key(tree, 'Escape')
    try:
        amui.wait_gone(s, window, what, deadline_in(3))
    except Failure:
        # The focus may have been elsewhere: the header bar's Close button.
        button_node = tree.find(window, lambda n: tree.role(n) == tree.pyatspi.ROLE_PUSH_BUTTON
                                and tree.name(n) in ('Close', 'Cancel') and tree.is_shown(n))
        if button_node is None:
            raise
        tree.do_action(button_node, f'the close button of {what}')
        amui.wait_gone(s, window, what, deadline)


def read_clipboard():
    result = subprocess.run(['/usr/bin/python3', '-c', CLIPBOARD_HELPER], capture_output=True,
                            text=True, timeout=20, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise Failure(f'reading the clipboard failed: {result.stderr.strip()}')
    return result.stdout


# --- the subtests -----------------------------------------------------------

STATE = {}


def test_signed_in_list(s):
    """The app signs in as the demo agent and lists the portfolio."""
    window = amui.open_main_window(s)
    tree = s.tree
    deadline = deadline_in(SYNC_TIMEOUT)
    wait_for('the "Search Properties" entry',
             lambda: tree.find(window, lambda n: tree.name(n) == 'Search Properties'
                               and tree.is_shown(n)), deadline,
             lambda: ['shown texts: ' + repr(amui.shown_texts(tree, window))])
    wait_text(s, window, 'a property in the list', lambda t: t.endswith(' locks'), deadline)


def test_search_opens_property(s):
    tree = s.tree
    window = s.require_window()
    deadline = deadline_in(STEP_TIMEOUT)
    entry = wait_for('the search entry',
                     lambda: tree.find(window, lambda n: tree.name(n) == 'Search Properties'
                                       and tree.role(n) in roles(tree, 'ENTRY', 'TEXT')
                                       and tree.is_shown(n)), deadline)
    amui.set_text(tree, entry, SEARCH, 'the search entry')
    activate_row(s, window, PROPERTY, deadline)
    button(s, window, 'Unlock', deadline)


def open_flow(s, deadline):
    press(s, s.require_window(), 'Unlock', deadline)
    return wait_window(s, 'Unlock', deadline)


def open_methods(s, deadline):
    """Unlock, then the lock: the method picker."""
    flow = open_flow(s, deadline)
    wait_text(s, flow, 'the lock picker', lambda t: t == 'Choose a Lock', deadline)
    activate_row(s, flow, LOCK, deadline)
    wait_text(s, flow, 'the method picker', lambda t: t == 'Choose an Unlock Method', deadline)
    return flow


def test_lock_picker(s):
    deadline = deadline_in(STEP_TIMEOUT)
    flow = open_flow(s, deadline)
    wait_text(s, flow, 'the lock picker', lambda t: t == 'Choose a Lock', deadline)
    wait_text(s, flow, 'the second lock', lambda t: t == 'Model unit', deadline)
    require_named(s, flow, 'the lock picker')
    s.notes.append(amui.screenshot('unlock-locks'))
    activate_row(s, flow, LOCK, deadline)
    wait_text(s, flow, 'the method picker', lambda t: t == 'Choose an Unlock Method', deadline)
    STATE['flow'] = flow


def test_method_picker(s):
    tree = s.tree
    deadline = deadline_in(STEP_TIMEOUT)
    flow = STATE.get('flow') or open_methods(s, deadline)
    button(s, flow, 'Bluetooth Unlock', deadline)
    button(s, flow, 'Code Unlock', deadline)
    wait_text(s, flow, 'the explanation of Code Unlock', lambda t: 'No need to be on site' in t, deadline)
    require_named(s, flow, 'the method picker')
    s.notes.append(amui.screenshot('unlock-methods'))
    press(s, flow, 'Code Unlock', deadline)
    STATE['access'] = wait_window(s, 'Code Unlock', deadline)
    del tree


def test_code_window(s):
    tree = s.tree
    deadline = deadline_in(STEP_TIMEOUT)
    access = STATE.get('access')
    if access is None:
        raise Failure('no Code Unlock dialog (see the subtest before)')
    for preset in ('Next Hour', 'Next 4 Hours', 'Tomorrow 9 AM–5 PM', 'One Week'):
        button(s, access, preset, deadline)
    press(s, access, 'Next Hour', deadline)
    wait_text(s, access, 'the first-use deadline',
              lambda t: t.startswith('Must be used for the first time before'), deadline)
    wait_text(s, access, 'the 24-hour rule', lambda t: 'within 24 hours of its start' in t, deadline)
    name = wait_for('the "Name" entry',
                    lambda: tree.find(access, lambda n: tree.name(n) == 'Name'
                                      and tree.role(n) in roles(tree, 'ENTRY', 'TEXT')
                                      and tree.is_shown(n)), deadline)
    amui.set_text(tree, name, RECIPIENT, 'the "Name" entry')
    require_named(s, access, 'the Code Unlock dialog')
    s.notes.append(amui.screenshot('unlock-code-window'))
    STATE['hour'] = time.strftime('%Y%m%d%H')
    press(s, access, 'Create Code', deadline)
    amui.wait_gone(s, access, 'the Code Unlock dialog', deadline)


def test_share_sheet(s):
    tree = s.tree
    deadline = deadline_in(STEP_TIMEOUT)
    sheet = wait_window(s, 'Code Ready', deadline)
    grouped = wait_text(s, sheet, 'the code, grouped', lambda t: CODE_RE.match(t) is not None, deadline)
    wait_text(s, sheet, 'the first-use deadline',
              lambda t: t.startswith('Must be used for the first time before'), deadline)
    wait_text(s, sheet, 'the recipient', lambda t: t == f'Code for {RECIPIENT}', deadline)
    for name in ('Copy', 'Copy Message', 'Send by Email', 'Send as Text Message'):
        button(s, sheet, name, deadline)
    require_named(s, sheet, 'the share sheet')
    STATE['code'] = grouped.replace(' ', '')
    STATE['grouped'] = grouped
    STATE['sheet'] = sheet
    s.notes.append(amui.screenshot('unlock-share-sheet'))
    groups = [len(g) for g in grouped.split()]
    expected = {10: [3, 3, 4], 12: [3, 3, 3, 3]}.get(len(STATE['code']))
    if groups != expected:
        raise Failure(f'the code is grouped {groups}, expected {expected}')


def test_copy(s):
    sheet = STATE.get('sheet')
    if sheet is None or 'code' not in STATE:
        raise Failure('no share sheet (see the subtest before)')
    deadline = deadline_in(STEP_TIMEOUT)
    press(s, sheet, 'Copy', deadline)
    wait_text(s, sheet, 'the toast "Code copied"', lambda t: t == 'Code copied', deadline)
    text = wait_for('the clipboard to hold the code',
                    lambda: (lambda t: t if t == STATE['code'] else None)(read_clipboard()),
                    deadline, lambda: [f'the clipboard holds {len(read_clipboard())} characters'])
    if text != STATE['code']:
        raise Failure('the clipboard does not hold exactly the code')


def test_code_is_derived(s):
    """The digits are the AM1 code of the window in the cache, by the CLI."""
    if 'code' not in STATE:
        raise Failure('no code was shown (see the subtests before)')
    lock_id, _, digits, q_offset = WORLD.lock_row(PROPERTY, LOCK)
    cache = os.path.join(s.env['XDG_DATA_HOME'], 'access-manager', 'cache.sqlite')
    with sqlite3.connect(cache) as db:
        row = db.execute('SELECT p.kv, p.start_h, p.p, p.digits, l.id FROM passcodes p '
                         'JOIN locks l ON l.pk = p.lock WHERE p.recipient_name = ? '
                         'ORDER BY p.created_at DESC, p.pk DESC LIMIT 1', (RECIPIENT,)).fetchone()
    if row is None:
        raise Failure(f'no passcode for {RECIPIENT} in the cache {cache}')
    kv, start_h, p, cached_digits, cached_lock = row
    if cached_lock != lock_id or cached_digits != digits:
        raise Failure(f'the cached code is for lock {cached_lock} with {cached_digits} digits, '
                      f'expected {lock_id} with {digits}')
    # The key on standard input, never on a command line.
    derived = subprocess.run(
        [amui.required_env('AM_CLI'), 'passcode', 'derive', '--key-stdin',
         '--lock-id', lock_id, '--kv', str(kv), '--digits', str(digits), '--q-offset', str(q_offset),
         '--start-h', str(start_h), '--p', str(p)],
        input=WORLD.lock_key_hex(lock_id, kv) + '\n', capture_output=True, text=True, timeout=20)
    if derived.returncode != 0:
        raise Failure(f'passcode derive failed: {derived.stderr.strip()}')
    if derived.stdout.strip() != STATE['code']:
        raise Failure('the code shown is not the derived code of the cached window',
                      [f'start_h {start_h}, p {p}, kv {kv}'])
    STATE['lock_id'] = lock_id


def test_share_sheet_closes(s):
    sheet = STATE.pop('sheet', None)
    if sheet is None:
        raise Failure('no share sheet (see the subtests before)')
    close_toplevel(s, sheet, 'the share sheet', deadline_in(STEP_TIMEOUT))


def test_same_window_warned(s):
    """The same window on the same lock again: said, with one click to change it."""
    deadline = deadline_in(STEP_TIMEOUT)
    flow = open_methods(s, deadline)
    press(s, flow, 'Code Unlock', deadline)
    access = wait_window(s, 'Code Unlock', deadline)
    press(s, access, 'Next Hour', deadline)
    if time.strftime('%Y%m%d%H') != STATE.get('hour'):
        close_toplevel(s, access, 'the Code Unlock dialog', deadline)
        s.notes.append('SKIP-like: the hour turned since the first code; its window is another')
        return
    wait_text(s, access, 'the same-window warning',
              lambda t: 'already has a code for this window, issued for ' + RECIPIENT in t, deadline)
    s.notes.append(amui.screenshot('unlock-same-window'))
    press(s, access, 'Make the Window One Hour Shorter', deadline)

    def warning_gone():
        return not any('already has a code for this window' in t
                       for t in amui.shown_texts(s.tree, access))

    wait_for('the warning to go once the window is shorter', warning_gone, deadline)
    close_toplevel(s, access, 'the Code Unlock dialog', deadline)


def test_bluetooth_unlock(s):
    deadline = deadline_in(STEP_TIMEOUT)
    flow = open_methods(s, deadline)
    press(s, flow, 'Bluetooth Unlock', deadline)
    dialog = wait_window(s, 'Bluetooth Unlock', deadline)
    wait_text(s, dialog, '"Door Unlocked"', lambda t: t == 'Door Unlocked', deadline_in(BLE_TIMEOUT))
    wait_text(s, dialog, 'the time of the unlock', lambda t: t.startswith('Unlocked at '), deadline)
    require_named(s, dialog, 'the Bluetooth dialog')
    s.notes.append(amui.screenshot('unlock-bluetooth-done'))
    press(s, dialog, 'Done', deadline_in(STEP_TIMEOUT))
    amui.wait_gone(s, dialog, 'the Bluetooth dialog', deadline_in(STEP_TIMEOUT))


def test_bluetooth_too_far(s):
    lock_id = STATE.get('lock_id') or WORLD.lock_row(PROPERTY, LOCK)[0]
    WORLD.set_rssi(lock_id, -90)
    # The app judges by the median of the readings of the last 5 s
    # (AM_BLUEZ_RSSI_WINDOW_USEC): let those of the unlock before age out.
    time.sleep(RSSI_WINDOW + 1)
    try:
        deadline = deadline_in(STEP_TIMEOUT)
        flow = open_methods(s, deadline)
        press(s, flow, 'Bluetooth Unlock', deadline)
        dialog = wait_window(s, 'Bluetooth Unlock', deadline)
        sentence = wait_text(s, dialog, 'the "too far away" sentence with the signal',
                             lambda t: re.search(r'too far away \(signal -\d+ dBm\)', t) is not None,
                             deadline_in(BLE_TIMEOUT))
        s.notes.append(f'said: {sentence}')
        s.notes.append(amui.screenshot('unlock-bluetooth-too-far'))
        shown = amui.shown_named(s.tree, dialog, 'Cancel', (s.tree.pyatspi.ROLE_PUSH_BUTTON,))
        if shown is not None:
            s.tree.do_action(shown, 'the "Cancel" button')
        else:
            press(s, dialog, 'Try Again', deadline_in(STEP_TIMEOUT))  # failed already: shown
            shown = button(s, dialog, 'Cancel', deadline_in(STEP_TIMEOUT))
            s.tree.do_action(shown, 'the "Cancel" button')
        amui.wait_gone(s, dialog, 'the Bluetooth dialog', deadline_in(STEP_TIMEOUT))
    finally:
        WORLD.set_rssi(lock_id, -50)


def test_bluetooth_off(s):
    tree = s.tree
    WORLD.set_powered(False)
    try:
        deadline = deadline_in(STEP_TIMEOUT)
        flow = open_methods(s, deadline)
        wait_text(s, flow, 'the reason Bluetooth Unlock cannot be used',
                  lambda t: t.startswith('Bluetooth is off'), deadline)
        ble = button(s, flow, 'Bluetooth Unlock', deadline, sensitive=False)
        if tree.has_state(ble, tree.pyatspi.STATE_SENSITIVE):
            raise Failure('Bluetooth Unlock is sensitive with Bluetooth off')
        button(s, flow, 'Code Unlock', deadline)  # still there, and sensitive
        s.notes.append(amui.screenshot('unlock-bluetooth-off'))
        close_toplevel(s, flow, 'the unlock flow', deadline)
    finally:
        WORLD.set_powered(True)


def test_quits_cleanly(s):
    amui.quit_app(s)


SUBTESTS = (
    ('signed-in-list', test_signed_in_list),
    ('search-opens-property', test_search_opens_property),
    ('lock-picker', test_lock_picker),
    ('method-picker', test_method_picker),
    ('code-window-preset', test_code_window),
    ('share-sheet-shows-code', test_share_sheet),
    ('copy-puts-code-on-clipboard', test_copy),
    ('code-is-derived', test_code_is_derived),
    ('share-sheet-closes', test_share_sheet_closes),
    ('same-window-warned', test_same_window_warned),
    ('bluetooth-unlock-opens-door', test_bluetooth_unlock),
    ('bluetooth-too-far', test_bluetooth_too_far),
    ('bluetooth-off-explained', test_bluetooth_off),
    ('quits-cleanly', test_quits_cleanly),
)


if __name__ == '__main__':
    for tool in ('dbus-daemon', 'gdbus'):
        if shutil.which(tool) is None:
            amui.skip_all(f'no {tool}')
    if not os.path.exists('/usr/share/dbus-1/session.conf'):
        amui.skip_all('no /usr/share/dbus-1/session.conf for a private system bus')
    amui.main(SUBTESTS, cleanup=cleanup, env_changes=env_changes)
