# test-share.py: a one-time code shared by email and text message, daylight saving time asked about, codes issued offline and synced later, the whole flow by keyboard, no secret left behind (TAP)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run by 'meson test --suite ui' inside a headless session (build-aux/dev test).
# It starts the reference cloud seeded with the demo portfolio (AM_SERVER)
# and the application signed in as the demo agent (AM_DEMO_*). The
# application gets a session bus of its own, with a keyring of its own on it
# and, only when a subtest starts one, a fake desktop portal
# (python-dbusmock serving org.freedesktop.portal.Email): so that "Send by
# Email" meets no portal first (and falls back to a mailto: URI), then one
# whose calls the test reads. The default handlers of mailto: and sms: in
# the application's private XDG folders are a script that writes down the
# URI it was given, then lingers a moment, as a mail program would. Its
# accessibility bus stays the session's (AT_SPI_BUS_ADDRESS).
#
# The application keeps its settings in a file (GSETTINGS_BACKEND=keyfile)
# and logs everything (G_MESSAGES_DEBUG=all). After it quits, no file of its
# HOME and XDG folders, nor its log, holds the session token, a lock key or
# the digits of a code issued; of the processes it started, only the mail
# and text message programs the user chose were given the digits (in the
# message of their URI).
#
# Screens are saved under <build dir>/screenshots/share-*.png.

import datetime
import importlib.util
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import amui  # noqa: E402
from amui import Failure, STEP_TIMEOUT, deadline_in, wait_for  # noqa: E402

try:
    import zoneinfo
except ImportError:  # Python < 3.9
    zoneinfo = None


def load_unlock_helpers():
    """The flow's helpers of test-unlock.py (buttons, rows, windows, the clipboard)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'test-unlock.py')
    spec = importlib.util.spec_from_file_location('am_test_unlock', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


flow = load_unlock_helpers()

PROPERTY = 'Lakeview Terrace'     # America/Chicago, two locks
ZONE = 'America/Chicago'
SEARCH = 'Lakeview'
LOCK = 'Front door'
ONE_TIME_RECIPIENT = 'Olive Onetime'
ONE_TIME_CONTACT = 'olive@example.com'
OFFLINE_RECIPIENT = 'Oscar Offline'
SYNC_TIMEOUT = 40.0               # sign-in and the first sync of the demo portfolio
BACK_ONLINE_TIMEOUT = 90.0        # a sync retrying with its backoff (up to a minute between tries)
CODE_RE = re.compile(r'^\d{3}( \d{3,4})+$')
PORTAL = 'org.freedesktop.portal.Desktop'
PORTAL_PATH = '/org/freedesktop/portal/desktop'
EMAIL_IFACE = 'org.freedesktop.portal.Email'
MOCK_IFACE = 'org.freedesktop.DBus.Mock'

BUS_CONFIG = '''<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={folder}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
'''

HANDLER = '''#!/bin/sh
# Writes down the URI it was opened with, one a line, then lingers as a
# mail program would (long enough to be seen among the application's children).
printf '%s\\n' "$2" >> "$1"
sleep 2
'''


class World:
    """The cloud, the application's own session bus and keyring, the URI handlers."""

    def __init__(self):
        self.server = None
        self.bus = None
        self.bus_address = None
        self.keyring = None
        self.portal = None
        self.folder = None
        self.uris = {}

    def start(self, folder, env):
        self.folder = folder
        self.server = amui.DemoServer(folder)
        self.start_bus(folder)
        self.start_keyring(folder)
        self.install_handlers(folder, env)

    def start_bus(self, folder):
        config = os.path.join(folder, 'bus.conf')
        with open(config, 'w') as out:
            out.write(BUS_CONFIG.format(folder=folder))
        # No service folders: nothing is activated on it, no real portal.
        self.bus = subprocess.Popen(['dbus-daemon', f'--config-file={config}', '--nofork',
                                     '--print-address=1'],
                                    stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                                    preexec_fn=flow.die_with_parent)
        self.bus_address = self.bus.stdout.readline().strip()
        if not self.bus_address:
            amui.bail_out('no private session bus: dbus-daemon printed no address')

    def start_keyring(self, folder):
        home = os.path.join(folder, 'keyring-home')
        runtime = os.path.join(folder, 'keyring-runtime')
        os.makedirs(home, exist_ok=True)
        os.makedirs(runtime, mode=0o700, exist_ok=True)
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.bus_address, HOME=home,
                   XDG_RUNTIME_DIR=runtime, XDG_DATA_HOME=os.path.join(home, 'data'),
                   XDG_CONFIG_HOME=os.path.join(home, 'config'))
        self.keyring = subprocess.Popen(
            ['gnome-keyring-daemon', '--foreground', '--unlock', '--components=secrets'],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(folder, 'keyring.log'), 'wb'), preexec_fn=flow.die_with_parent)
        self.keyring.stdin.write(b'access-manager-share-test')
        self.keyring.stdin.close()
        self.wait_name('org.freedesktop.secrets')

    def wait_name(self, name):
        waited = subprocess.run(['gdbus', 'wait', '--address', self.bus_address, '--timeout', '15', name],
                                stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if waited.returncode != 0:
            raise Failure(f'{name} did not appear on the private session bus: {waited.stderr.strip()}')

    def install_handlers(self, folder, env):
        handler = os.path.join(folder, 'uri-handler.sh')
        with open(handler, 'w') as out:
            out.write(HANDLER)
        os.chmod(handler, 0o755)
        applications = os.path.join(env['XDG_DATA_HOME'], 'applications')
        os.makedirs(applications, exist_ok=True)
        defaults = []
        for scheme in ('mailto', 'sms'):
            self.uris[scheme] = os.path.join(folder, f'{scheme}-uris.txt')
            desktop = f'am-test-{scheme}.desktop'
            with open(os.path.join(applications, desktop), 'w') as out:
                out.write('[Desktop Entry]\nType=Application\n'
                          f'Name=Test {scheme} handler\n'
                          f'Exec={handler} {self.uris[scheme]} %u\n'
                          f'MimeType=x-scheme-handler/{scheme};\nNoDisplay=true\n')
            defaults.append(f'x-scheme-handler/{scheme}={desktop}')
        os.makedirs(env['XDG_CONFIG_HOME'], exist_ok=True)
        with open(os.path.join(env['XDG_CONFIG_HOME'], 'mimeapps.list'), 'w') as out:
            out.write('[Default Applications]\n' + '\n'.join(defaults) + '\n')

    def uris_of(self, scheme):
        try:
            with open(self.uris[scheme]) as handed:
                return [line.rstrip('\n') for line in handed if line.strip()]
        except FileNotFoundError:
            return []

    # The fake portal

    def connection(self):
        from gi.repository import Gio
        flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
                 | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
        return Gio.DBusConnection.new_for_address_sync(self.bus_address, flags, None, None)

    def call(self, name, path, interface, method, args, reply_type=None):
        from gi.repository import Gio, GLib
        bus = self.connection()
        try:
            return bus.call_sync(name, path, interface, method, args,
                                 GLib.VariantType(reply_type) if reply_type else None,
                                 Gio.DBusCallFlags.NO_AUTO_START, 10000, None)
        finally:
            bus.close_sync(None)

    def start_portal(self):
        from gi.repository import GLib
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.bus_address)
        self.portal = subprocess.Popen(
            ['/usr/bin/python3', '-m', 'dbusmock', '-l', os.path.join(self.folder, 'portal.log'),
             PORTAL, PORTAL_PATH, EMAIL_IFACE],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.folder, 'portal.err'), 'wb'), preexec_fn=flow.die_with_parent)
        self.wait_name(PORTAL)
        self.call(PORTAL, PORTAL_PATH, MOCK_IFACE, 'AddMethod',
                  GLib.Variant('(sssss)', (EMAIL_IFACE, 'ComposeEmail', 'sa{sv}', 'o',
                                           'ret = dbus.ObjectPath("/org/freedesktop/portal/desktop/request/1_1/am")')))

    def portal_calls(self):
        from gi.repository import GLib
        reply = self.call(PORTAL, PORTAL_PATH, MOCK_IFACE, 'GetMethodCalls',
                          GLib.Variant('(s)', ('ComposeEmail',)), '(a(tav))')
        return [args for _, args in reply.unpack()[0]]

    def stop_portal(self):
        stop(self.portal)
        self.portal = None

    # The cloud

    def stop_cloud(self):
        return self.server.stop()

    def restart_cloud(self):
        """The same database on the same port, as after a network outage."""
        self.server.restart()

    def cloud_rows(self, query, args=()):
        with sqlite3.connect(self.server.db_path) as db:
            return db.execute(query, args).fetchall()

    def stop(self):
        stop(self.portal)
        stop(self.keyring)
        stop(self.bus)
        if self.server is not None:
            self.server.stop()


def stop(process):
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


WORLD = World()


def env_changes(env):
    folder = os.path.join(os.path.dirname(env['XDG_DATA_HOME']), 'world')
    os.makedirs(folder, exist_ok=True)
    try:
        WORLD.start(folder, env)
        from gi.repository import Gio, GLib
        shared = Gio.bus_get_sync(Gio.BusType.SESSION, None)
        a11y = shared.call_sync('org.a11y.Bus', '/org/a11y/bus', 'org.a11y.Bus', 'GetAddress', None,
                                GLib.VariantType('(s)'), Gio.DBusCallFlags.NONE, 10000, None).unpack()[0]
    except BaseException:
        WORLD.stop()  # amui.main() cleans up only once its session exists
        raise
    env['DBUS_SESSION_BUS_ADDRESS'] = WORLD.bus_address
    env['AT_SPI_BUS_ADDRESS'] = a11y
    env['AM_DEMO_SERVER'] = WORLD.server.url
    env['AM_DEMO_EMAIL'] = amui.DemoServer.DEMO_EMAIL
    env['AM_DEMO_PASSWORD'] = amui.DemoServer.DEMO_PASSWORD
    env['GSETTINGS_BACKEND'] = 'keyfile'
    env['G_MESSAGES_DEBUG'] = 'all'


def prepare(session):
    """The application's actions are on its own session bus; the processes
    it starts are watched."""
    session.watch_children = True

    def action_group_call(method, parameters, reply_type):
        return WORLD.call(amui.APP_ID, amui.APP_OBJECT_PATH, 'org.gtk.Actions', method,
                          parameters, reply_type)
    session.action_group_call = action_group_call


def cleanup(session):
    reader = STATE.pop('reader', None)
    if reader is not None:
        reader.close()
    WORLD.stop()


# --- helpers ------------------------------------------------------------------

STATE = {}
CODES = []  # every code issued in the scenario, as shown


def texts(s, root):
    return amui.shown_texts(s.tree, root)


def close_leftovers(s, deadline):
    """Closes what a failed subtest left open, so that keys go to the main window."""
    for window in s.visible_other_toplevels():
        flow.close_toplevel(s, window, s.tree.describe(window), deadline)


def open_code_unlock(s, deadline):
    """From the property page: Unlock, the lock, Code Unlock: the access dialog."""
    close_leftovers(s, deadline)
    methods = flow.open_methods(s, deadline)
    flow.press(s, methods, 'Code Unlock', deadline)
    return flow.wait_window(s, 'Code Unlock', deadline)


def choose_one_time(s, access, deadline):
    tree = s.tree
    pyatspi = tree.pyatspi
    check = wait_for('the "One Time" choice', lambda: tree.find(
        access, lambda n: tree.role(n) in (pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_CHECK_BOX,
                                           pyatspi.ROLE_TOGGLE_BUTTON)
        and 'One Time' in tree.name(n) and tree.is_shown(n)), deadline,
        lambda: amui.dump(tree, access))
    # GTK 4.8 gives a check button no AT-SPI action, nor a way to focus it
    # over AT-SPI: the keyboard, as a user would. Tab reaches the chosen
    # button of a group only: Tab to the other's row, then space.
    tab_to(s, access, lambda n: tree.name(n) == 'One Time' and tree.role(n) == pyatspi.ROLE_LIST_ITEM,
           'the "One Time" row', deadline)
    amui.press_key(tree, 'space')
    wait_for('the "One Time" choice to be chosen',
             lambda: tree.has_state(check, pyatspi.STATE_CHECKED), deadline,
             lambda: [tree.describe(check) + ': ' + amui.states_of(check)] + amui.dump(tree, access))


def fill_entry(s, root, name, text, deadline):
    tree = s.tree
    entry = wait_for(f'the "{name}" entry', lambda: tree.find(
        root, lambda n: tree.name(n) == name and tree.role(n) in flow.roles(tree, 'ENTRY', 'TEXT')
        and tree.is_shown(n)), deadline)
    amui.set_text(tree, entry, text, f'the "{name}" entry')


def cached_passcode(s, recipient):
    cache = os.path.join(s.env['XDG_DATA_HOME'], 'access-manager', 'cache.sqlite')
    with sqlite3.connect(cache) as db:
        return db.execute('SELECT p.kv, p.start_h, p.p, p.digits, l.id FROM passcodes p '
                          'JOIN locks l ON l.pk = p.lock WHERE p.recipient_name = ? '
                          'ORDER BY p.created_at DESC, p.pk DESC LIMIT 1', (recipient,)).fetchone()


def derived_code(s, recipient):
    """The code `access-manager-cli passcode derive` gives for the window the
    cache holds for recipient, with the lock's key from the cloud."""
    lock_id, _, digits, q_offset = flow.World.lock_row(WORLD_DB, PROPERTY, LOCK)
    row = cached_passcode(s, recipient)
    if row is None:
        raise Failure(f'no passcode for {recipient} in the cache')
    kv, start_h, p, cached_digits, cached_lock = row
    if cached_lock != lock_id or cached_digits != digits:
        raise Failure(f'the cached code is for lock {cached_lock}, expected {lock_id}')
    key = flow.World.lock_key_hex(WORLD_DB, lock_id, kv)
    # The key on standard input, never on a command line.
    derived = subprocess.run(
        [amui.required_env('AM_CLI'), 'passcode', 'derive', '--key-stdin', '--lock-id', lock_id,
         '--kv', str(kv), '--digits', str(digits), '--q-offset', str(q_offset),
         '--start-h', str(start_h), '--p', str(p)],
        input=key + '\n', capture_output=True, text=True, timeout=20)
    if derived.returncode != 0:
        raise Failure(f'passcode derive failed: {derived.stderr.strip()}')
    return derived.stdout.strip(), p


class WorldDb:
    """What flow.World's database helpers need: the cloud's database."""

    @property
    def server(self):
        return WORLD.server


WORLD_DB = WorldDb()


def query_params(uri):
    """The parameters of a mailto: or sms: URI, decoded."""
    _, _, query = uri.partition('?')
    params = {}
    for part in query.split('&'):
        name, _, value = part.partition('=')
        params[urllib.parse.unquote(name)] = urllib.parse.unquote(value)
    return params


def expect_message(body, what):
    """The checks of a message's body against what the share sheet showed."""
    missing = [f'{label}: {text!r}' for label, text in what if text not in body]
    if missing:
        raise Failure('the message lacks what it must say', missing + ['the body:'] + body.splitlines())


def message_parts(s):
    """(label, text) pairs that a message about the one-time code must hold."""
    (name, address, city, region, postal), = WORLD.cloud_rows(
        'SELECT name, address, city, region, postal_code FROM properties WHERE name = ?', (PROPERTY,))
    return [('the property', name), ('its address', address), ('its city', city),
            ('its postal code', postal), ('the lock', LOCK), ('the grouped code', STATE['grouped']),
            ('single use and the window', STATE['window_line']),
            ('the first-use deadline', STATE['deadline'])]


def press_keys(s, *names):
    for name in names:
        amui.press_key(s.tree, name)


def press_combo(s, modifier, key):
    """A key with a modifier held (e.g. Control_L and Right), through XTest."""
    amui.press_combo(s.tree, modifier, key)


def focused(s, root):
    tree = s.tree
    return tree.find(root, lambda n: tree.has_state(n, tree.pyatspi.STATE_FOCUSED))


def tab_to(s, root, predicate, what, deadline, key='Tab', limit=40):
    """Presses key (Tab) until the focused widget under root is the one
    wanted, waiting after each press for the focus to move."""
    tree = s.tree
    trail = []
    node = focused(s, root)
    for _ in range(limit):
        if node is not None and predicate(node):
            return node
        trail.append(tree.describe(node) if node is not None else 'nothing')
        amui.press_key(tree, key)
        try:
            node = wait_for(f'the focus to move on {key}', lambda: (lambda n: n if n is not None and (
                not trail or tree.describe(n) != trail[-1] or predicate(n)) else None)(focused(s, root)),
                deadline_in(2))
        except Failure:
            node = focused(s, root)
        if time.monotonic() >= deadline:
            break
    if node is not None and predicate(node):
        return node
    raise Failure(f'{key} never brought the focus to {what}', ['focus went: ' + ' -> '.join(trail)])


# --- the subtests -------------------------------------------------------------

def test_signed_in(s):
    window = amui.open_main_window(s)
    tree = s.tree
    deadline = deadline_in(SYNC_TIMEOUT)
    flow.wait_text(s, window, 'a property in the list', lambda t: t.endswith(' locks'), deadline)
    entry = wait_for('the search entry', lambda: tree.find(
        window, lambda n: tree.name(n) == 'Search Properties' and tree.is_shown(n)
        and tree.has_state(n, tree.pyatspi.STATE_EDITABLE)), deadline)
    amui.set_text(tree, entry, SEARCH, 'the search entry')
    flow.activate_row(s, window, PROPERTY, deadline)
    flow.button(s, window, 'Unlock', deadline)
    flow.wait_text(s, window, 'the property page heading', lambda t: t == PROPERTY, deadline)
    selected = selected_texts(s, window)
    if selected:
        raise Failure('text on the property page shows as selected when it first appears',
                      [f'  {text!r}' for text in selected])


def selected_texts(s, root):
    """The shown labels under root with a text selection (AT-SPI Text), as a
    user sees them highlighted."""
    tree = s.tree
    pyatspi = tree.pyatspi
    found = []
    for node in tree.walk(root):
        if tree.role(node) not in (pyatspi.ROLE_LABEL, pyatspi.ROLE_HEADING) or not tree.is_shown(node):
            continue
        try:
            text = node.queryText()
            for index in range(text.getNSelections()):
                start, end = text.getSelection(index)
                if end > start:
                    found.append(text.getText(start, end))
        except Exception:
            continue
    return found


def test_one_time_code(s):
    """One Time in the access dialog: the sheet says it opens once, and the
    code is the CLI's derivation of the one-time window."""
    deadline = deadline_in(STEP_TIMEOUT)
    access = open_code_unlock(s, deadline)
    flow.press(s, access, 'Next Hour', deadline)
    choose_one_time(s, access, deadline)
    flow.wait_text(s, access, 'the one-time preview', lambda t: t.startswith('Opens the door once, '),
                   deadline)
    fill_entry(s, access, 'Name', ONE_TIME_RECIPIENT, deadline)
    fill_entry(s, access, 'Email or Phone', ONE_TIME_CONTACT, deadline)
    flow.press(s, access, 'Create Code', deadline)
    amui.wait_gone(s, access, 'the Code Unlock dialog', deadline)

    sheet = flow.wait_window(s, 'Code Ready', deadline)
    grouped = flow.wait_text(s, sheet, 'the code, grouped', lambda t: CODE_RE.match(t) is not None, deadline)
    window_text = flow.wait_text(s, sheet, 'that the code opens the door once',
                                 lambda t: t.startswith('Opens the door once, '), deadline)
    use_by = flow.wait_text(s, sheet, 'the first-use deadline',
                            lambda t: t.startswith('Must be used for the first time before '), deadline)
    s.notes.append(f'the sheet says: {window_text.splitlines()[0]}')
    s.notes.append(amui.screenshot('share-one-time'))
    CODES.append(grouped)
    STATE.update(sheet=sheet, grouped=grouped, code=grouped.replace(' ', ''),
                 window_line=window_text.splitlines()[0],
                 deadline=use_by[len('Must be used for the first time before '):])

    code, p = derived_code(s, ONE_TIME_RECIPIENT)
    if code != STATE['code']:
        raise Failure('the code shown is not the derived code of the cached one-time window', [f'p {p}'])
    timed = derived_code_timed_differs(s, p)
    s.notes.append(f'p {p}; the whole-window code of the same hours differs: {timed}')


def derived_code_timed_differs(s, p):
    """A one-time code is not the whole-window code of the same hours:
    asks the CLI for the latter (start and end from the cache)."""
    cache = os.path.join(s.env['XDG_DATA_HOME'], 'access-manager', 'cache.sqlite')
    with sqlite3.connect(cache) as db:
        starts_at, ends_at = db.execute('SELECT starts_at, ends_at FROM passcodes WHERE recipient_name = ? '
                                        'ORDER BY created_at DESC LIMIT 1', (ONE_TIME_RECIPIENT,)).fetchone()
    lock_id, kv, digits, q_offset = flow.World.lock_row(WORLD_DB, PROPERTY, LOCK)
    key = flow.World.lock_key_hex(WORLD_DB, lock_id, kv)

    def iso(t):
        return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')

    base = [amui.required_env('AM_CLI'), 'passcode', 'derive', '--key-stdin', '--lock-id', lock_id,
            '--kv', str(kv), '--digits', str(digits), '--q-offset', str(q_offset),
            '--start', iso(starts_at), '--end', iso(ends_at)]
    one_time = subprocess.run(base + ['--one-time'], input=key + '\n', capture_output=True, text=True, timeout=20)
    whole = subprocess.run(base, input=key + '\n', capture_output=True, text=True, timeout=20)
    if one_time.returncode != 0:
        raise Failure(f'passcode derive --one-time failed: {one_time.stderr.strip()}')
    if one_time.stdout.strip() != STATE['code']:
        raise Failure('the code shown is not `passcode derive --one-time` of its window')
    return whole.returncode == 0 and whole.stdout.strip() != STATE['code']


def test_email_without_portal(s):
    """No Email portal: a mailto: URI with the recipient, a subject and the message."""
    sheet = STATE.get('sheet')
    if sheet is None:
        raise Failure('no share sheet (see one-time-code)')
    deadline = deadline_in(STEP_TIMEOUT)
    flow.press(s, sheet, 'Send by Email', deadline)
    uri = wait_for('the mailto: handler to be given a URI', lambda: (WORLD.uris_of('mailto') or [None])[-1],
                   deadline, lambda: ['the application log:'] + s.first.log_tail())
    if not uri.startswith(f'mailto:{ONE_TIME_CONTACT}?'):
        raise Failure(f'the URI is not to {ONE_TIME_CONTACT}', [uri[:60]])
    params = query_params(uri)
    if params.get('subject') != f'Your access code for {PROPERTY}':
        raise Failure(f'the subject is {params.get("subject")!r}')
    expect_message(params.get('body', ''), message_parts(s))


def test_sms(s):
    """Send as Text Message: an sms: URI whose body is the message."""
    sheet = STATE.get('sheet')
    if sheet is None:
        raise Failure('no share sheet (see one-time-code)')
    deadline = deadline_in(STEP_TIMEOUT)
    flow.press(s, sheet, 'Send as Text Message', deadline)
    uri = wait_for('the sms: handler to be given a URI', lambda: (WORLD.uris_of('sms') or [None])[-1],
                   deadline, lambda: ['the application log:'] + s.first.log_tail())
    if not uri.startswith('sms:?body=') and not re.match(r'^sms:\+?\d*\?body=', uri):
        raise Failure('the URI is not an sms: URI with a body', [uri[:20]])
    expect_message(query_params(uri).get('body', ''), message_parts(s))


def test_email_portal(s):
    """With the Email portal: ComposeEmail with the address, subject and body; no mailto:."""
    sheet = STATE.get('sheet')
    if sheet is None:
        raise Failure('no share sheet (see one-time-code)')
    deadline = deadline_in(STEP_TIMEOUT)
    before = len(WORLD.uris_of('mailto'))
    WORLD.start_portal()
    try:
        flow.press(s, sheet, 'Send by Email', deadline)
        calls = wait_for('a ComposeEmail call on the portal', WORLD.portal_calls, deadline,
                         lambda: ['the application log:'] + s.first.log_tail())
        _, options = calls[-1]
        if options.get('addresses') != [ONE_TIME_CONTACT]:
            raise Failure(f'the addresses are {options.get("addresses")!r}')
        if options.get('subject') != f'Your access code for {PROPERTY}':
            raise Failure(f'the subject is {options.get("subject")!r}')
        expect_message(options.get('body', ''), message_parts(s))
        if len(WORLD.uris_of('mailto')) != before:
            raise Failure('a mailto: URI was opened as well as the portal')
    finally:
        WORLD.stop_portal()
    flow.close_toplevel(s, sheet, 'the share sheet', deadline)
    STATE.pop('sheet', None)


def next_transitions(zone_name, after):
    """(spring, fall): the local dates and hours of the next daylight saving
    changes of the zone after the datetime after: a local hour that does not
    exist, and one that exists twice."""
    zone = zoneinfo.ZoneInfo(zone_name)
    spring = fall = None
    t = after.replace(minute=0, second=0, microsecond=0)
    previous = t.astimezone(zone).utcoffset()
    for _ in range(24 * 800):
        t += datetime.timedelta(hours=1)
        offset = t.astimezone(zone).utcoffset()
        if offset != previous:
            local_after = t.astimezone(zone)
            if offset > previous and spring is None:
                # The hour before the new offset's first one is skipped.
                spring = (local_after.date(), local_after.hour - 1)
            elif offset < previous and fall is None:
                fall = (local_after.date(), local_after.hour)
            previous = offset
        if spring and fall:
            return spring, fall
    raise Failure(f'no daylight saving time change in {zone_name} within two years')


def select_hour(s, access, title, hour, deadline):
    """Chooses hour (e.g. "02:00") in the combo row title with the keyboard:
    Tab to it, space to open its list, the arrows to the hour, Return."""
    tree = s.tree
    pyatspi = tree.pyatspi
    combo = tab_to(s, access, lambda n: tree.role(n) == pyatspi.ROLE_COMBO_BOX and tree.name(n) == title,
                   f'the "{title}" row', deadline)
    amui.press_key(tree, 'space')

    def focused_hour():
        node = focused(s, access)
        return node if node is not None and tree.role(node) == pyatspi.ROLE_LIST_ITEM else None

    item = wait_for(f'an hour of the "{title}" list to have the focus', focused_hour, deadline,
                    lambda: amui.dump(tree, combo, 80))
    names = [f'{h:02d}:00' for h in range(24)]
    def item_hour(node):
        label = tree.find(node, lambda n: tree.name(n) in names)
        return tree.name(label) if label is not None else tree.name(node)
    current = item_hour(item)
    if current not in names:
        raise Failure(f'the focused item of "{title}" is {current!r}, not an hour')
    key = 'Down' if names.index(hour) > names.index(current) else 'Up'
    tab_to(s, access, lambda n: tree.role(n) == pyatspi.ROLE_LIST_ITEM and item_hour(n) == hour,
           f'{hour} in the "{title}" list', deadline, key=key, limit=26)
    amui.press_key(tree, 'Return')
    wait_for(f'the "{title}" row to show {hour}', lambda: tree.find(
        combo, lambda n: tree.name(n) == hour and tree.is_shown(n)), deadline,
        lambda: amui.dump(tree, combo, 40))


def choose_date(s, access, which, date, deadline):
    """Picks date in the calendar of the "{which} Date" button: its Next
    Month arrow, then the arrow keys to the day and space."""
    tree = s.tree
    pyatspi = tree.pyatspi
    row = wait_for(f'the "{which} Date" row', lambda: tree.find(
        access, lambda n: tree.role(n) == pyatspi.ROLE_LIST_ITEM and tree.name(n) == f'{which} Date'
        and tree.is_shown(n)), deadline, lambda: amui.dump(tree, access))
    # GtkMenuButton's inner button is the one with an action.
    button = wait_for(f'the date button of "{which} Date"', lambda: tree.find(
        row, lambda n: tree.role(n) == pyatspi.ROLE_PUSH_BUTTON and tree.actions(n)[1]
        and tree.is_shown(n)), deadline, lambda: amui.dump(tree, row))
    tree.do_action(button, f'the date button of "{which} Date"')
    calendar = wait_for('the calendar, focused', lambda: tree.find(
        row, lambda n: tree.name(n) == f'{which} Date' and tree.is_shown(n)
        and tree.has_state(n, pyatspi.STATE_FOCUSED)), deadline, lambda: amui.dump(tree, row, 80))
    next_month = wait_for('the calendar\'s "Next Month" button', lambda: tree.find(
        calendar, lambda n: tree.role(n) == pyatspi.ROLE_PUSH_BUTTON and tree.name(n) == 'Next Month'),
        deadline, lambda: amui.dump(tree, calendar, 20))
    month_name = date.strftime('%B')

    def days():
        """The 42 days of the grid, the last month's first."""
        return [tree.name(n) for n in tree.walk(calendar) if tree.role(n) == pyatspi.ROLE_LABEL
                and tree.name(n).isdigit() and len(tree.name(n)) <= 2][-42:]

    def shows_month():
        # The month's name and year, and a grid laid out as that month's:
        # its 1st on its weekday (a whole week of the last month before a
        # 1st on the first day of the week), then its length in days.
        # (GTK 4.8 exports the names of every month, on a stack, as shown.)
        shown = amui.shown_texts(tree, calendar)
        if month_name not in shown or str(date.year) not in shown:
            return False
        grid = days()
        if len(grid) != 42 or '1' not in grid:
            return False
        sunday_first = 'Sun' in shown and shown.index('Sun') < shown.index('Mon')
        first = date.replace(day=1)
        lead = (first.isoweekday() % 7) if sunday_first else (first.isoweekday() - 1)
        start = grid.index('1')
        length = (grid[start + 1:] + ['1']).index('1') + 1
        month_days = ((first.replace(month=first.month % 12 + 1, year=first.year + first.month // 12))
                      - first).days
        return start == (lead or 7) and length == month_days

    # The calendar opens on the date the button shows, e.g. "Wed, Nov 25"
    # (this year) or "Sun, Mar 14, 2027": a month at a time from there.
    shown = shown_date(tree.name(button))
    for _ in range((date.year - shown.year) * 12 + date.month - shown.month):
        before = days()
        tree.do_action(next_month, 'the "Next Month" button')
        wait_for('the calendar to turn a month', lambda: days() != before, deadline)
    wait_for(f'the calendar to show {month_name} {date.year}', shows_month, deadline,
             lambda: ['shown: ' + repr(amui.shown_texts(tree, calendar)), 'days: ' + repr(days())])
    index = days().index('1') + date.day - 1
    # The arrows are the calendar's own keys: Left often enough reaches its
    # first cell wherever the focus was, then Right to the day.
    press_keys(s, *(['Left'] * 43 + ['Right'] * index + ['space']))


def shown_date(label):
    """The date of a date button's label, e.g. "Wed, Nov 25" (the year of
    the property's today) or "Sun, Mar 14, 2027"."""
    for pattern in ('%a, %b %d, %Y', '%a, %b %d'):
        try:
            parsed = datetime.datetime.strptime(label, pattern)
        except ValueError:
            continue
        if pattern.endswith('%d'):
            parsed = parsed.replace(year=datetime.datetime.now(zoneinfo.ZoneInfo(ZONE)).year)
        return parsed.date()
    raise Failure(f'the date button shows {label!r}, not a date')


def question(s, heading, deadline):
    """The shown message dialog with heading."""
    def probe():
        for node in s.visible_other_toplevels():
            if amui.shows_text(s, node, heading):
                return node
        return None
    def diagnostics():
        lines = s.outline()
        for node in s.visible_other_toplevels():
            lines.append(f'{s.tree.describe(node)} shows: {amui.shown_texts(s.tree, node)!r}')
        return lines

    return wait_for(f'a question "{heading}"', probe, deadline, diagnostics)


def test_dst_questions(s):
    """A start that does not exist (spring forward) and one that exists twice
    (fall back) in the property's zone are asked about, never guessed."""
    if zoneinfo is None:
        s.notes.append('SKIP-like: no zoneinfo module to find the changes of the zone')
        return
    tree = s.tree
    deadline = deadline_in(STEP_TIMEOUT * 6)
    now = datetime.datetime.now(datetime.timezone.utc)
    (spring, gap), (fall, twice) = next_transitions(ZONE, now + datetime.timedelta(days=1))
    gap_text, twice_text = f'{gap:02d}:00', f'{twice:02d}:00'
    s.notes.append(f'{ZONE}: no {gap_text} on {spring}, {twice_text} twice on {fall}')
    access = open_code_unlock(s, deadline)

    select_hour(s, access, 'Start Time', gap_text, deadline)
    choose_date(s, access, 'Start', spring, deadline)
    asked = question(s, 'This Time Does Not Exist', deadline)
    body = [t for t in amui.shown_texts(tree, asked) if 'go forward an hour' in t]
    if not body or ZONE not in body[0] or f'there is no {gap_text}' not in body[0]:
        raise Failure('the question does not say why', amui.shown_texts(tree, asked))
    next_text = f'{gap + 1:02d}:00'
    s.notes.append(amui.screenshot('share-dst-gap'))
    # Nothing guessed meanwhile: the start is still the hour asked for, and
    # the dialog says it does not exist.
    flow.wait_text(s, access, 'the sentence that there is no such time',
                   lambda t: t.startswith(f'There is no {gap_text} that day'), deadline)
    flow.press(s, asked, f'Use {next_text}', deadline)
    amui.wait_gone(s, asked, 'the question', deadline)
    wait_for(f'the start to be {next_text}', lambda: tree.find(
        access, lambda n: tree.name(n) == next_text and tree.is_shown(n)), deadline)

    select_hour(s, access, 'Start Time', twice_text, deadline)
    choose_date(s, access, 'Start', fall, deadline)
    asked = question(s, f'Which {twice_text}?', deadline)
    choices = [amui.plain(tree.name(n)) for n in tree.walk(asked)
               if tree.role(n) == tree.pyatspi.ROLE_PUSH_BUTTON and tree.is_shown(n)
               and tree.name(n).startswith(twice_text)]
    zone = zoneinfo.ZoneInfo(ZONE)
    first = datetime.datetime(fall.year, fall.month, fall.day, twice, tzinfo=zone, fold=0).tzname()
    second = datetime.datetime(fall.year, fall.month, fall.day, twice, tzinfo=zone, fold=1).tzname()
    wanted = [f'{twice_text} {first}', f'{twice_text} {second}']
    if not all(any(c == w or c == f'{w} {w}' for c in choices) for w in wanted):
        raise Failure(f'the question does not offer {wanted}', [f'it offers {choices}'])
    s.notes.append(amui.screenshot('share-dst-twice'))
    flow.wait_text(s, access, 'the sentence that the time happens twice',
                   lambda t: t.startswith(f'{twice_text} happens twice that day'), deadline)
    flow.press(s, asked, wanted[1], deadline)
    amui.wait_gone(s, asked, 'the question', deadline)

    def not_twice():
        return not any('happens twice' in t for t in amui.shown_texts(tree, access))

    wait_for('the sentence about the repeated hour to go once answered', not_twice, deadline)
    flow.close_toplevel(s, access, 'the Code Unlock dialog', deadline)


def test_offline_band_and_issue(s):
    """The cloud goes away: the band says offline with the changes waiting;
    a code is still issued and the count goes up."""
    tree = s.tree
    window = s.require_window()
    deadline = deadline_in(STEP_TIMEOUT * 2)
    status = WORLD.stop_cloud()
    if status != 0:
        raise Failure(f'the reference cloud exited with status {status}')
    s.activate_action('sync')
    band = flow.wait_text(s, window, 'the offline band', lambda t: t.startswith('Offline'), deadline)
    wait_for('the offline icon in the header bar', lambda: tree.find(
        window, lambda n: tree.role(n) == tree.pyatspi.ROLE_IMAGE and tree.name(n).startswith('Offline')
        and tree.is_shown(n)), deadline)
    before = waiting_count(band)
    s.notes.append(f'before: "{band}"')
    access = open_code_unlock(s, deadline)
    flow.wait_text(s, access, 'that the dialog knows it is offline',
                   lambda t: 'online' in t or 'offline' in t.lower(), deadline)
    flow.press(s, access, 'Next Hour', deadline)
    fill_entry(s, access, 'Name', OFFLINE_RECIPIENT, deadline)
    flow.press(s, access, 'Create Code', deadline)
    amui.wait_gone(s, access, 'the Code Unlock dialog', deadline)
    sheet = flow.wait_window(s, 'Code Ready', deadline)
    grouped = flow.wait_text(s, sheet, 'the code', lambda t: CODE_RE.match(t) is not None, deadline)
    CODES.append(grouped)
    flow.wait_text(s, sheet, 'that the code will reach the cloud later',
                   lambda t: t.startswith('The code will reach the cloud when you are back online'), deadline)
    s.notes.append(amui.screenshot('share-offline'))
    flow.close_toplevel(s, sheet, 'the share sheet', deadline)
    after = flow.wait_text(s, window, 'the band with one more change waiting',
                           lambda t: t.startswith('Offline') and waiting_count(t) == before + 1, deadline)
    s.notes.append(f'after: "{after}"')
    STATE['offline_code'] = grouped.replace(' ', '')
    STATE['offline_waiting'] = before + 1


def cloud_log_tail(lines=15):
    try:
        with open(WORLD.server.log_path, 'rb') as log:
            return ['  ' + line for line in log.read().decode('utf-8', 'replace').splitlines()[-lines:]]
    except OSError as error:
        return [f'  unreadable: {error}']


def waiting_count(text):
    found = re.search(r'(\d+) changes? waiting', text)
    return int(found.group(1)) if found else 0


def test_back_online(s):
    """The cloud is back and Ctrl+R syncs: the band goes, the code is in the cloud."""
    if 'offline_code' not in STATE:
        raise Failure('no code issued offline (see the subtest before)')
    tree = s.tree
    window = s.require_window()
    deadline = deadline_in(STEP_TIMEOUT * 2)
    close_leftovers(s, deadline)
    WORLD.restart_cloud()
    press_combo(s, 'Control_L', 'r')

    def band_gone():
        # The offline icon of the header bar goes, and no change waits. (The
        # band's label stays in the tree, inside its folded revealer.)
        pyatspi = tree.pyatspi
        icon = tree.find(window, lambda n: tree.role(n) == pyatspi.ROLE_IMAGE
                         and tree.name(n).startswith('Offline') and tree.is_shown(n))
        return icon is None and not any(waiting_count(t) for t in texts(s, window))

    started = time.monotonic()
    # A sync already retrying with a backoff goes on with it: give it time.
    wait_for('the offline band to go after Ctrl+R', band_gone, deadline_in(BACK_ONLINE_TIMEOUT),
             lambda: ['shown texts: ' + repr(texts(s, window))] + s.first.log_tail()
             + ['the cloud\'s log:'] + cloud_log_tail())
    s.notes.append(f'back online {time.monotonic() - started:.1f} s after Ctrl+R')
    rows = WORLD.cloud_rows('SELECT id FROM passcodes WHERE recipient_name = ?', (OFFLINE_RECIPIENT,))
    if len(rows) != 1:
        raise Failure(f'the cloud has {len(rows)} passcodes for {OFFLINE_RECIPIENT}, expected 1')
    code, _ = derived_code(s, OFFLINE_RECIPIENT)
    if code != STATE['offline_code']:
        raise Failure('the code shown offline is not the derived code of its window')


def test_keyboard_only(s):
    """Ctrl+F, typing, Down and Enter to the property; Tab and Enter to
    Unlock, the lock, Code Unlock; Ctrl+Return to create; Enter on Copy."""
    tree = s.tree
    window = s.require_window()
    deadline = deadline_in(STEP_TIMEOUT * 3)
    close_leftovers(s, deadline)
    press_combo(s, 'Control_L', 'f')
    search = wait_for('the search entry to have the focus after Ctrl+F', lambda: (lambda n: n if n is not None
                      and tree.name(n) == 'Search Properties' else None)(focused(s, window)), deadline,
                      lambda: [f'focused: {tree.describe(focused(s, window)) if focused(s, window) else None}'])
    pyatspi = tree.pyatspi
    press_combo(s, 'Control_L', 'a')  # what the search held goes as the new text comes
    pyatspi.Registry.generateKeyboardEvent(0, SEARCH, pyatspi.KEY_STRING)
    wait_for(f'the search entry to hold "{SEARCH}"', lambda: amui.text_of(tree, search) == SEARCH, deadline)
    flow.wait_text(s, window, 'the property in the list', lambda t: t == PROPERTY, deadline)
    amui.press_key(tree, 'Down')
    wait_for('a row of the list to have the focus after Down', lambda: (lambda n: n is not None
             and tree.role(n) == pyatspi.ROLE_LIST_ITEM)(focused(s, window)), deadline,
             lambda: [f'focused: {tree.describe(focused(s, window)) if focused(s, window) else None}'])
    amui.press_key(tree, 'Return')
    flow.wait_text(s, window, 'the property page heading', lambda t: t == PROPERTY, deadline)
    selected = selected_texts(s, window)
    if selected:
        raise Failure('text on the property page shows as selected when it opens from the keyboard',
                      [f'  {text!r}' for text in selected])
    tab_to(s, window, lambda n: flow.named(tree, n, 'Unlock'), 'the Unlock button', deadline)
    amui.press_key(tree, 'Return')
    methods = flow.wait_window(s, 'Unlock', deadline)
    flow.wait_text(s, methods, 'the lock picker', lambda t: t == 'Choose a Lock', deadline)
    tab_to(s, methods, lambda n: tree.role(n) == pyatspi.ROLE_LIST_ITEM and (
        tree.name(n).startswith(LOCK) or tree.find(n, lambda m: tree.name(m) == LOCK) is not None),
        f'the row of {LOCK}', deadline, key='Down')
    amui.press_key(tree, 'Return')
    flow.wait_text(s, methods, 'the method picker', lambda t: t == 'Choose an Unlock Method', deadline)
    tab_to(s, methods, lambda n: flow.named(tree, n, 'Code Unlock'), 'Code Unlock', deadline)
    amui.press_key(tree, 'Return')
    access = flow.wait_window(s, 'Code Unlock', deadline)
    tab_to(s, access, lambda n: flow.named(tree, n, 'One Week'), 'the "One Week" preset', deadline)
    amui.press_key(tree, 'Return')
    flow.wait_text(s, access, 'the window of a week', lambda t: t.startswith('Works '), deadline)
    press_combo(s, 'Control_L', 'Return')
    amui.wait_gone(s, access, 'the Code Unlock dialog', deadline)
    sheet = flow.wait_window(s, 'Code Ready', deadline)
    grouped = flow.wait_text(s, sheet, 'the code', lambda t: CODE_RE.match(t) is not None, deadline)
    CODES.append(grouped)
    tab_to(s, sheet, lambda n: flow.named(tree, n, 'Copy'), 'the Copy button', deadline)
    amui.press_key(tree, 'Return')
    flow.wait_text(s, sheet, 'the toast "Code copied"', lambda t: t == 'Code copied', deadline)
    code = grouped.replace(' ', '')
    wait_for('the clipboard to hold the code', lambda: flow.read_clipboard() == code, deadline)
    flow.close_toplevel(s, sheet, 'the share sheet', deadline)


def test_shortcuts_window(s):
    """Ctrl+? opens the shortcuts window."""
    tree = s.tree
    window = s.require_window()
    deadline = deadline_in(STEP_TIMEOUT)
    close_leftovers(s, deadline)
    press_combo(s, 'Control_L', 'question')
    shortcuts = amui.wait_new_window(s, 'a shortcuts window', ('Search', 'Sync Now'), deadline)
    amui.close_window(s, shortcuts, 'the shortcuts window', deadline)


def test_preference_kept(s):
    """A preference turned off in Preferences is in the settings file."""
    close_leftovers(s, deadline_in(STEP_TIMEOUT))
    amui.change_a_preference(s, deadline_in(STEP_TIMEOUT))


def test_quits_cleanly(s):
    # A reader of the cache, as test-ble-e2e has: the WAL and the shared
    # memory file stay after the application quits, to be scanned.
    STATE['reader'] = amui.hold_cache(s.env)
    amui.quit_app(s)


def uri_handler(argv):
    """Why a process may hold the digits: it is the mail or text message
    program the user chose, given the message in a mailto: or sms: URI."""
    for argument in argv[1:]:
        scheme = argument.partition(':')[0]
        if scheme in ('mailto', 'sms') and '?' in argument:
            return f'the {scheme}: handler, given the message the user chose to send'
    return None


def test_no_secrets_left(s):
    """Signed in, codes issued, shared, issued offline and synced, a
    preference changed, quit: no token, lock key or digits in a file or the
    log; only the programs the user sent the message with got the digits."""
    if s.first is None or s.first.process.poll() is None:
        raise Failure('the application has not quit (see quits-cleanly)')
    notes, handlers = amui.check_no_secrets_left(s, WORLD.server.url, CODES, allowed=uri_handler)
    s.notes.extend(notes)
    # The watch saw both handlers, so it would see any other child too.
    for scheme in ('mailto', 'sms'):
        if not any(f'the {scheme}: handler' in line for line in handlers):
            raise Failure(f'the watch on the application\'s children never saw the {scheme}: handler', notes)


SUBTESTS = (
    ('signed-in', test_signed_in),
    ('one-time-code', test_one_time_code),
    ('email-mailto-without-portal', test_email_without_portal),
    ('sms-uri', test_sms),
    ('email-portal', test_email_portal),
    ('dst-asked', test_dst_questions),
    ('keyboard-only', test_keyboard_only),
    ('shortcuts-window', test_shortcuts_window),
    ('offline-band-and-issue', test_offline_band_and_issue),
    ('back-online-synced', test_back_online),
    ('preference-kept-in-settings-file', test_preference_kept),
    ('quits-cleanly', test_quits_cleanly),
    ('no-secrets-left-behind', test_no_secrets_left),
)


if __name__ == '__main__':
    for tool in ('dbus-daemon', 'gdbus', 'gnome-keyring-daemon'):
        if shutil.which(tool) is None:
            amui.skip_all(f'no {tool}')
    amui.main(SUBTESTS, prepare=prepare, cleanup=cleanup, env_changes=env_changes)
