# amui.py: driving the real Access Manager application through its accessibility tree, for the UI tests
# SPDX-License-Identifier: GPL-3.0-or-later
#
# What every UI test shares: TAP output, the headless session's checks, the
# application's process and environment, the AT-SPI tree, the main window and
# its menu, the reference cloud as a program of its own, screenshots, and
# the search for secrets left behind in the application's files, its log and
# the command lines of the processes it started.
#
# A test imports it from its own folder:
#
#   sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
#   import amui
#
# and, before anything loads GLib, calls amui.relax_own_g_debug() (main() does).

import base64
import ctypes
import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

APP_ID = 'io.github.accessmanager.AccessManager'
APP_OBJECT_PATH = '/io/github/accessmanager/AccessManager'
APP_NAMES = ('Access Manager', 'access-manager')  # application name or prgname
WINDOW_TITLE = 'Access Manager'
VERSION = '0.1.0'

STARTUP_TIMEOUT = 20.0   # the first window to appear
STEP_TIMEOUT = 15.0      # one subtest's interactions
CHECK_TIMEOUT = 10.0     # content of a window that is already shown
SECOND_RUN_TIMEOUT = 10.0
STABLE_PERIOD = 1.0      # how long the window count must stay at one
POLL_INTERVAL = 0.1
LOG_TAIL_LINES = 25
SERVER_TIMEOUT = 10.0    # the reference cloud to take connections

# The timeouts above, and every deadline a test sets with deadline_in(),
# are this many times longer: build-aux/dev test --sanitize sets it, with
# meson's --timeout-multiplier, for an application that ASan and UBSan make
# two to three times slower.
TIMEOUT_MULTIPLIER = float(os.environ.get('AM_TEST_TIMEOUT_MULTIPLIER') or 1)

# A widget without an accessible name is exported by GTK 4.8 under its type name.
TYPE_NAME_RE = re.compile(r'^(Gtk|Adw|Gdk|Am)[A-Z][A-Za-z0-9]*$')


class Failure(Exception):
    """A subtest failed; the message and diagnostics explain why."""

    def __init__(self, message, diagnostics=()):
        super().__init__(message)
        self.diagnostics = list(diagnostics)


class Tap:
    """Prints TAP results; the counter is the only mutable state."""

    def __init__(self, planned):
        self.count = 0
        print(f'1..{planned}', flush=True)

    def result(self, ok, name, diagnostics=()):
        self.count += 1
        print(f'{"ok" if ok else "not ok"} {self.count} - {name}')
        for line in diagnostics:
            for part in str(line).splitlines() or ['']:
                print(f'# {part}')
        sys.stdout.flush()


def skip_all(reason):
    print(f'1..0 # SKIP {reason}', flush=True)
    sys.exit(0)


def bail_out(reason):
    print(f'Bail out! {reason}', flush=True)
    sys.exit(1)


def import_pyatspi():
    """Returns (pyatspi, Atspi, Gio, GLib), or skips the whole test."""
    try:
        import gi
        gi.require_version('Atspi', '2.0')
        from gi.repository import Atspi, Gio, GLib
        import pyatspi
    except (ImportError, ValueError) as error:
        skip_all(f'pyatspi is not available to {sys.executable}: {error}')
    return pyatspi, Atspi, Gio, GLib


def check_session():
    if not os.environ.get('DISPLAY'):
        skip_all('no DISPLAY: run under xvfb-run')
    if not os.environ.get('DBUS_SESSION_BUS_ADDRESS'):
        skip_all('no DBUS_SESSION_BUS_ADDRESS: run under dbus-run-session')
    if importlib.util.find_spec('pyatspi') is None:
        skip_all(f'pyatspi is not available to {sys.executable}')


class DisplayHold:
    """An X connection held for the whole test. Xvfb resets when its last
    client disconnects, dropping connections made meanwhile: libatspi opens
    and closes the display when pyatspi is imported, which could make the
    application fail with "cannot open display". Holding a connection from
    the start keeps the server from resetting."""

    def __init__(self, deadline):
        self.xlib = None
        self.display = None
        try:
            self.xlib = ctypes.CDLL('libX11.so.6')
        except OSError:
            return  # not fatal: the application may still open the display
        self.xlib.XOpenDisplay.restype = ctypes.c_void_p
        self.xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self.xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        while True:
            self.display = self.xlib.XOpenDisplay(None)
            if self.display or time.monotonic() >= deadline:
                break
            time.sleep(POLL_INTERVAL)
        if not self.display:
            bail_out(f'cannot open display {os.environ.get("DISPLAY")}')

    def release(self):
        if self.display:
            self.xlib.XCloseDisplay(self.display)
            self.display = None


def required_env(name):
    value = os.environ.get(name)
    if not value:
        bail_out(f'{name} is not set (meson test sets it)')
    return value


# --- the application process ------------------------------------------------

class App:
    """One launched instance of the application, logging to its own file."""

    def __init__(self, path, env, log_path):
        self.log_path = log_path
        self.log = open(log_path, 'wb')
        self.process = subprocess.Popen(
            [path], env=env, stdin=subprocess.DEVNULL,
            stdout=self.log, stderr=subprocess.STDOUT)

    @property
    def pid(self):
        return self.process.pid

    def wait(self, timeout):
        """Returns the exit status, or None if still running after timeout."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def log_text(self):
        with open(self.log_path, 'rb') as log:
            return log.read().decode('utf-8', 'replace')

    def log_tail(self, lines=LOG_TAIL_LINES):
        text = self.log_text().splitlines()
        header = f'last lines of {os.path.basename(self.log_path)}:'
        if not text:
            return [f'{os.path.basename(self.log_path)} is empty']
        return [header] + ['  ' + line for line in text[-lines:]]


def app_environment(base, tmp):
    env = dict(base)
    env['GSETTINGS_SCHEMA_DIR'] = required_env('GSETTINGS_SCHEMA_DIR')
    env['GSETTINGS_BACKEND'] = 'memory'
    env['GSK_RENDERER'] = 'cairo'
    for name, sub in (('HOME', 'home'), ('XDG_CONFIG_HOME', 'config'),
                      ('XDG_DATA_HOME', 'data'), ('XDG_CACHE_HOME', 'cache'),
                      ('XDG_STATE_HOME', 'state')):
        env[name] = os.path.join(tmp, sub)
        os.makedirs(env[name], exist_ok=True)
    env.pop('NO_AT_BRIDGE', None)
    env.pop('GTK_A11Y', None)
    # No automatic sign-in unless a test asks for it.
    for name in ('AM_DEMO_SERVER', 'AM_DEMO_EMAIL', 'AM_DEMO_PASSWORD'):
        env.pop(name, None)
    return env


# --- the accessibility tree -------------------------------------------------

class Tree:
    """Read-only helpers over the AT-SPI tree; every call may race the app."""

    def __init__(self, pyatspi, atspi):
        self.pyatspi = pyatspi
        # Be patient with an application that is slow under load.
        atspi.set_timeout(int(5000 * TIMEOUT_MULTIPLIER), int(20000 * TIMEOUT_MULTIPLIER))

    @staticmethod
    def name(node):
        try:
            return node.name or ''
        except Exception:
            return ''

    @staticmethod
    def role(node):
        try:
            return node.getRole()
        except Exception:
            return None

    @staticmethod
    def children(node):
        try:
            count = node.childCount
        except Exception:
            return []
        result = []
        for index in range(count):
            try:
                child = node.getChildAtIndex(index)
            except Exception:
                continue
            if child is not None:
                result.append(child)
        return result

    def walk(self, node):
        stack = [node]
        while stack:
            current = stack.pop()
            yield current
            stack.extend(reversed(self.children(current)))

    def find_all(self, root, predicate):
        return [node for node in self.walk(root) if predicate(node)]

    def find(self, root, predicate):
        for node in self.walk(root):
            if predicate(node):
                return node
        return None

    def has_state(self, node, state):
        try:
            return node.getState().contains(state)
        except Exception:
            return False

    def is_shown(self, node):
        """Whether node is on screen. GTK 4.8 does not set SHOWING on widgets,
        so a visible widget counts if it has a size (a widget on a hidden stack
        or leaflet page is visible but has no allocation)."""
        pyatspi = self.pyatspi
        if self.has_state(node, pyatspi.STATE_SHOWING):
            return True
        if not self.has_state(node, pyatspi.STATE_VISIBLE):
            return False
        try:
            extents = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        except Exception:
            return False
        return extents.width > 0 and extents.height > 0

    def actions(self, node):
        try:
            action = node.queryAction()
            return action, [action.getName(i) for i in range(action.nActions)]
        except Exception:
            return None, []

    def do_action(self, node, what):
        action, names = self.actions(node)
        if not names:
            raise Failure(f'{what} has no action to do')
        try:
            action.doAction(0)
        except Exception as error:
            raise Failure(f'doing "{names[0]}" on {what} failed: {error}')

    def application(self, pid):
        """The registered application of process pid, or else the only one
        with the application's name (AM_APP may be a wrapper script)."""
        apps = self.applications()
        for app in apps:
            try:
                if app.get_process_id() == pid:
                    return app
            except Exception:
                continue
        return apps[0] if len(apps) == 1 else None

    def applications(self):
        desktop = self.pyatspi.Registry.getDesktop(0)
        return [app for app in self.children(desktop)
                if self.name(app) in APP_NAMES]

    def toplevels(self, app):
        """The application's shown windows. GTK 4.8 answers GetChildAtIndex on
        the application with an index past its shown windows by logging a
        CRITICAL (a NULL object path) instead of an error, so this must not
        run while a window hides: wait for a window to close by its own state."""
        roles = (self.pyatspi.ROLE_FRAME, self.pyatspi.ROLE_DIALOG,
                 self.pyatspi.ROLE_WINDOW)
        return [node for node in self.children(app) if self.role(node) in roles]

    def main_windows(self, app):
        return [node for node in self.toplevels(app)
                if self.name(node) == WINDOW_TITLE]

    def describe(self, node):
        try:
            role = node.getRoleName()
        except Exception:
            role = '?'
        return f'[{role}] {self.name(node)!r}'

    def outline(self, app):
        if app is None:
            return ['the application is not in the accessibility tree']
        return ['toplevels: ' + (', '.join(self.describe(n) for n in self.toplevels(app))
                                 or 'none')]


def wait_for(what, probe, deadline, diagnostics=None):
    """Polls probe() until it returns something truthy, or fails at deadline."""
    while True:
        try:
            value = probe()
        except Failure:
            raise
        except Exception:
            value = None
        if value:
            return value
        if time.monotonic() >= deadline:
            extra = diagnostics() if diagnostics else []
            raise Failure(f'timed out waiting for {what}', extra)
        time.sleep(POLL_INTERVAL)


def scaled(seconds):
    """A wait of seconds, stretched by TIMEOUT_MULTIPLIER."""
    return seconds * TIMEOUT_MULTIPLIER


def deadline_in(seconds):
    return time.monotonic() + scaled(seconds)


def plain(name):
    """An accessible name without mnemonic underscores."""
    return name.replace('_', '')



def text_of(tree, node):
    """The text a text widget shows (AT-SPI Text), or ''."""
    try:
        text = node.queryText()
        return text.getText(0, text.characterCount) or ''
    except Exception:
        return ''


# --- the session: what a test's subtests share ------------------------------

class Session:
    """What the subtests share: the tree, the first instance and its window."""

    def __init__(self, tree, gio, glib, app_path, env, tmp):
        self.tree = tree
        self.gio = gio
        self.glib = glib
        self.app_path = app_path
        self.env = env
        self.tmp = tmp
        self.first = None
        self.second = None
        self.app = None
        self.window = None
        self.watch_children = False  # a test's prepare() may ask for a ChildWatch
        self.children = None

    def launch(self, log_name, env=None):
        return App(self.app_path, env or self.env, os.path.join(self.tmp, log_name))

    def processes(self):
        """The launched instances, for their logs."""
        return [app for app in (self.first, self.second) if app is not None]

    def require_window(self):
        if self.window is None:
            raise Failure('no main window (see window-opens)')
        return self.window

    def outline(self):
        return self.tree.outline(self.app)

    def other_toplevels(self):
        return [node for node in self.tree.toplevels(self.app)
                if self.tree.name(node) != WINDOW_TITLE]

    def visible_other_toplevels(self):
        pyatspi = self.tree.pyatspi
        return [node for node in self.other_toplevels()
                if self.tree.has_state(node, pyatspi.STATE_VISIBLE)]

    def action_group_call(self, method, parameters, reply_type):
        bus = self.gio.bus_get_sync(self.gio.BusType.SESSION, None)
        return bus.call_sync(APP_ID, APP_OBJECT_PATH, 'org.gtk.Actions', method,
                             parameters, self.glib.VariantType(reply_type),
                             self.gio.DBusCallFlags.NO_AUTO_START, 5000, None)

    def activate_action(self, name, parameter=None):
        """Activates the application action app.NAME over D-Bus."""
        params = [parameter] if parameter is not None else []
        self.action_group_call('Activate', self.glib.Variant('(sava{sv})', (name, params, {})), '()')


def open_main_window(s, log_name='access-manager.log', env=None):
    """Launches the application as s.first and waits for its shown main window."""
    if s.watch_children and s.children is None:
        s.children = ChildWatch()
    if s.children is not None:
        env = s.children.environment(env or s.env)
    s.first = s.launch(log_name, env)
    if s.children is not None and s.children.thread is None:
        s.children.start(s.first.pid)
    tree = s.tree
    deadline = deadline_in(STARTUP_TIMEOUT)

    def probe():
        status = s.first.process.poll()
        if status is not None:
            raise Failure(f'the application exited with status {status}')
        s.app = tree.application(s.first.pid)
        if s.app is None:
            return None
        windows = [w for w in tree.main_windows(s.app) if tree.is_shown(w)]
        return windows[0] if windows else None

    def diagnostics():
        names = [tree.name(a) for a in tree.children(tree.pyatspi.Registry.getDesktop(0))]
        return [f'applications in the tree: {names}'] + s.outline()

    s.window = wait_for(f'a window titled "{WINDOW_TITLE}"', probe, deadline, diagnostics)
    return s.window


def quit_app(s):
    """Quits the first instance with app.quit; fails unless it exits with 0
    and without CRITICAL or WARNING lines in the logs."""
    if s.first is None:
        raise Failure('the application was never started')
    diagnostics = []
    try:
        s.activate_action('quit')
    except Exception as error:
        # The application may exit before its reply is sent: judge by its exit.
        diagnostics.append(f'org.gtk.Actions.Activate quit: {error}')
    status = s.first.wait(scaled(STEP_TIMEOUT))
    if status is None:
        raise Failure(f'still running {scaled(STEP_TIMEOUT):.0f} s after the quit action', diagnostics)
    if status != 0:
        raise Failure(f'exited with status {status}', diagnostics)
    problems = []
    for app in s.processes():
        problems += [f'{os.path.basename(app.log_path)}: {line}' for line in log_problems(app)]
    if problems:
        raise Failure('the application logged CRITICAL or WARNING messages', problems)


# --- widgets ----------------------------------------------------------------

def is_button(tree, node):
    pyatspi = tree.pyatspi
    return tree.role(node) in (pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON,
                               pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_CHECK_BOX)


def has_name(tree, node):
    name = tree.name(node).strip()
    return bool(name) and not TYPE_NAME_RE.match(name)


def control_roles(pyatspi):
    """The roles a user acts on: each must have an accessible name."""
    return (pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON,
            pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_CHECK_BOX,
            pyatspi.ROLE_ENTRY, pyatspi.ROLE_PASSWORD_TEXT, pyatspi.ROLE_TEXT,
            pyatspi.ROLE_SPIN_BUTTON, pyatspi.ROLE_COMBO_BOX, pyatspi.ROLE_SLIDER,
            pyatspi.ROLE_LINK, pyatspi.ROLE_MENU_ITEM, pyatspi.ROLE_LIST,
            pyatspi.ROLE_LIST_ITEM, pyatspi.ROLE_TABLE, pyatspi.ROLE_TREE,
            getattr(pyatspi, 'ROLE_SWITCH', pyatspi.ROLE_TOGGLE_BUTTON))


def nameless_controls(tree, root, shown_only=True):
    """(controls, nameless): the controls under root, and those of them that
    GTK exports without a name (under their type name)."""
    roles = control_roles(tree.pyatspi)
    controls = [n for n in tree.walk(root) if tree.role(n) in roles
                and (not shown_only or tree.is_shown(n))]
    return controls, [n for n in controls if not has_name(tree, n)]


def require_named_controls(tree, root, what):
    controls, nameless = nameless_controls(tree, root)
    if nameless:
        raise Failure(f'{len(nameless)} of {len(controls)} controls in {what} have no accessible name',
                      [f'  {tree.describe(n)}{"" if has_name(tree, n) else " <- nameless"}'
                       for n in controls]
                      + ['(GTK 4.8 exports a widget without a name under its type name)'])
    return controls


def main_menu_button(s):
    """The "Main Menu" button that can be clicked (GtkMenuButton's inner button)."""
    tree = s.tree
    for node in tree.find_all(s.window, lambda n: is_button(tree, n)
                              and tree.name(n) == 'Main Menu'):
        if tree.actions(node)[1] and tree.is_shown(node):
            return node
    return None


def menu_item(s, label):
    tree = s.tree
    pyatspi = tree.pyatspi
    return tree.find(s.window, lambda n: tree.role(n) in (pyatspi.ROLE_MENU_ITEM,
                                                          pyatspi.ROLE_CHECK_MENU_ITEM,
                                                          pyatspi.ROLE_RADIO_MENU_ITEM)
                     and plain(tree.name(n)) == label)


def activate_menu_item(s, label, deadline):
    """Opens the main menu unless it is open, then activates the item label."""
    tree = s.tree
    item = menu_item(s, label)
    if item is None or not tree.is_shown(item):
        button = wait_for('the "Main Menu" button', lambda: main_menu_button(s), deadline)
        tree.do_action(button, 'the "Main Menu" button')

        def items():
            pyatspi = tree.pyatspi
            return ['menu items: ' + repr([tree.name(n) for n in tree.walk(s.window)
                                           if tree.role(n) == pyatspi.ROLE_MENU_ITEM])]

        item = wait_for(f'the menu item "{label}"',
                        lambda: (lambda i: i if i is not None and tree.is_shown(i) else None)(
                            menu_item(s, label)),
                        deadline, items)
    tree.do_action(item, f'the menu item "{label}"')


def wait_new_window(s, what, texts, deadline):
    """Waits for a toplevel other than the main window that shows all texts."""

    def probe():
        for node in s.visible_other_toplevels():
            if all(shows_text(s, node, text) for text in texts):
                return node
        return None

    return wait_for(f'{what} showing {texts}', probe, deadline, s.outline)


def dump(tree, root, limit=200):
    """The subtree under root, one node a line with its role, name and
    whether it is shown: a diagnostic."""
    lines = []
    stack = [(root, 0)]
    while stack and len(lines) < limit:
        node, depth = stack.pop()
        lines.append('  ' * depth + tree.describe(node) + ('' if tree.is_shown(node) else ' (hidden)'))
        stack.extend((child, depth + 1) for child in reversed(tree.children(node)))
    return lines


def shows_text(s, window, text):
    tree = s.tree
    return tree.find(window, lambda n: tree.name(n) == text and tree.is_shown(n)) is not None


def shown_texts(tree, root):
    """The names of the shown labels and headings under root."""
    pyatspi = tree.pyatspi
    roles = (pyatspi.ROLE_LABEL, pyatspi.ROLE_HEADING, pyatspi.ROLE_STATIC)
    return [tree.name(n) for n in tree.walk(root)
            if tree.role(n) in roles and tree.is_shown(n)]


def shown_named(tree, root, name, roles=None):
    """The first shown node under root named name (and of one of roles)."""
    return tree.find(root, lambda n: tree.name(n) == name
                     and (roles is None or tree.role(n) in roles) and tree.is_shown(n))


def close_window(s, window, what, deadline):
    """Clicks the window's shown "Close" button and waits for it to go away."""
    tree = s.tree
    pyatspi = tree.pyatspi

    def close_button():
        buttons = tree.find_all(window, lambda n: tree.role(n) == pyatspi.ROLE_PUSH_BUTTON
                                and tree.name(n) == 'Close')
        # The windows have one per page; only the shown one works.
        shown = [b for b in buttons if tree.is_shown(b)]
        return shown[0] if shown else None

    button = wait_for(f'the "Close" button of {what}', close_button, deadline)
    tree.do_action(button, f'the "Close" button of {what}')
    wait_gone(s, window, what, deadline)


def wait_gone(s, window, what, deadline):
    """Waits for a toplevel to hide or be destroyed."""
    pyatspi = s.tree.pyatspi

    def gone():
        # Ask the window itself: enumerating the application's toplevels while
        # one hides races GTK 4.8 (see Tree.toplevels()).
        try:
            state = window.getState()
        except Exception:
            return True  # destroyed
        return (state.contains(pyatspi.STATE_DEFUNCT)
                or not state.contains(pyatspi.STATE_VISIBLE))

    wait_for(f'{what} to close', gone, deadline,
             lambda: ['its states: ' + states_of(window)])


def states_of(node):
    try:
        return ', '.join(state.value_nick for state in node.getState().getStates())
    except Exception as error:
        return f'unavailable ({error})'


def set_text(tree, node, text, what):
    """Replaces the text of an editable text node (AT-SPI EditableText)."""
    try:
        editable = node.queryEditableText()
    except Exception as error:
        raise Failure(f'{what} is not editable over AT-SPI: {error}')
    try:
        ok = editable.setTextContents(text)
    except Exception as error:
        raise Failure(f'setting the text of {what} failed: {error}')
    if ok is False:
        raise Failure(f'{what} refused its new text')


def grab_focus(tree, node, what):
    try:
        node.queryComponent().grabFocus()
    except Exception as error:
        raise Failure(f'focusing {what} failed: {error}')


def press_key(tree, keysym_name):
    """Presses and releases a key (its X keysym name, e.g. "Return") in the
    focused window, through the AT-SPI registry (XTest under Xvfb)."""
    pyatspi = tree.pyatspi
    import gi  # noqa: E402 (only where keys are pressed)
    gi.require_version('Gdk', '4.0')
    from gi.repository import Gdk  # noqa: E402
    keyval = Gdk.keyval_from_name(keysym_name)
    pyatspi.Registry.generateKeyboardEvent(keyval, None, pyatspi.KEY_SYM)


MODIFIER_MASKS = {'Control_L': 1 << 2, 'Alt_L': 1 << 3}  # GDK_CONTROL_MASK, GDK_ALT_MASK


def press_combo(tree, modifier, key):
    """Presses a key with a modifier held (e.g. "Control_L" and "r") in the
    focused window, through XTest."""
    import gi  # noqa: E402 (only where keys are pressed)
    gi.require_version('Atspi', '2.0')
    gi.require_version('Gdk', '4.0')
    from gi.repository import Atspi, Gdk  # noqa: E402
    mask = MODIFIER_MASKS[modifier]
    Atspi.generate_keyboard_event(mask, None, Atspi.KeySynthType.LOCKMODIFIERS)
    try:
        Atspi.generate_keyboard_event(Gdk.keyval_from_name(key), None, Atspi.KeySynthType.SYM)
    finally:
        Atspi.generate_keyboard_event(mask, None, Atspi.KeySynthType.UNLOCKMODIFIERS)


def log_problems(app):
    return [line for line in app.log_text().splitlines()
            if 'CRITICAL' in line or 'WARNING' in line]


# --- secrets left behind ------------------------------------------------------
#
# After a scenario, no secret of the user's may be in a file the application
# wrote, in its log, or on the command line of a process it started: not the
# session token, not a lock key the keyring holds, not the digits of a code
# issued. The keyring holds the first two, encrypted; digits are derived
# again when needed, never kept.

VAULT_SCHEMA = 'io.github.accessmanager.AccessManager'
SCANNED_FOLDERS = ('HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME')


def cache_path(env):
    return os.path.join(env['XDG_DATA_HOME'], 'access-manager', 'cache.sqlite')


def settings_keyfile(env):
    """Where GSETTINGS_BACKEND=keyfile keeps the application's settings."""
    return os.path.join(env['XDG_CONFIG_HOME'], 'glib-2.0', 'settings', 'keyfile')


def group_digits(code):
    """The digits as the application shows them: threes, with a last group
    of four rather than one (am_passcode_group_digits())."""
    digits = code.replace(' ', '')
    groups = []
    while digits:
        take = 4 if len(digits) == 4 else 3
        groups.append(digits[:take])
        digits = digits[take:]
    return ' '.join(groups)


def code_forms(label, code):
    """(label, bytes) of each form in which a code's digits could be written."""
    digits = code.replace(' ', '')
    grouped = group_digits(digits)
    forms = [('ungrouped', digits), ('grouped', grouped)]
    for name, separator in (('%20', '%20'), ('+', '+'), ('-', '-'), ('no-break space', '\u00a0'),
                            ('narrow no-break space', '\u202f'), ('thin space', '\u2009')):
        forms.append((f'grouped with {name}', grouped.replace(' ', separator)))
    return [(f'{label} ({form})', text.encode()) for form, text in forms]


def key_forms(label, key):
    """(label, bytes) of each form in which a lock key could be written:
    base64 without its padding, so that padded or not, it is found."""
    return [(f'{label} (bytes)', key),
            (f'{label} (hex)', key.hex().encode()),
            (f'{label} (HEX)', key.hex().upper().encode()),
            (f'{label} (base64)', base64.b64encode(key).rstrip(b'=')),
            (f'{label} (base64url)', base64.urlsafe_b64encode(key).rstrip(b'='))]


def keyring_items(bus_address, kind):
    """[(attributes, secret)] of the application's items of kind ("token" or
    "lock-key") in the keyring on bus_address, read through the Secret
    Service's D-Bus API (a "plain" session: this is a test)."""
    from gi.repository import Gio, GLib
    flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
             | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
    service = ('/org/freedesktop/secrets', 'org.freedesktop.Secret.Service')
    try:
        bus = Gio.DBusConnection.new_for_address_sync(bus_address, flags, None, None)
    except GLib.Error as error:
        raise Failure(f'no session bus at {bus_address}: {error.message}')

    def call(path, interface, method, args, reply_type):
        try:
            return bus.call_sync('org.freedesktop.secrets', path, interface, method, args,
                                 GLib.VariantType(reply_type), Gio.DBusCallFlags.NONE, 10000, None).unpack()
        except GLib.Error as error:
            raise Failure(f'the keyring\'s {method} failed: {error.message}')

    try:
        _, session = call(*service, 'OpenSession', GLib.Variant('(sv)', ('plain', GLib.Variant('s', ''))), '(vo)')
        unlocked, locked = call(*service, 'SearchItems',
                                GLib.Variant('(a{ss})', ({'xdg:schema': VAULT_SCHEMA, 'kind': kind},)), '(aoao)')
        if locked:
            raise Failure(f'{len(locked)} {kind} item(s) of the keyring are locked: they cannot be read')
        secrets = call(*service, 'GetSecrets', GLib.Variant('(aoo)', (unlocked, session)), '(a{o(oayays)})')[0]
        items = []
        for path in unlocked:
            attributes = call(path, 'org.freedesktop.DBus.Properties', 'Get',
                              GLib.Variant('(ss)', ('org.freedesktop.Secret.Item', 'Attributes')), '(v)')[0]
            items.append((attributes, bytes(secrets[path][2])))
        call(session, 'org.freedesktop.Secret.Session', 'Close', None, '()')
        return items
    finally:
        bus.close_sync(None)


def user_secrets(bus_address, server_url, codes):
    """(label, bytes) of every form of the user's secrets: each token and
    each lock key the keyring on bus_address holds, the digits of each of
    codes. Fails unless the keyring holds a token and a key for server_url
    (the application's cloud): else a scan would prove nothing."""
    server = server_url.rstrip('/')
    tokens = keyring_items(bus_address, 'token')
    keys = keyring_items(bus_address, 'lock-key')
    if not any(a.get('server', '').rstrip('/') == server for a, _ in tokens):
        raise Failure(f'the keyring holds no session token for {server}')
    if not any(a.get('server', '').rstrip('/') == server for a, _ in keys):
        raise Failure(f'the keyring holds no lock key for {server}')
    if not codes:
        raise Failure('no code was issued in the scenario')
    forms = []
    for i, (_, token) in enumerate(tokens):
        forms.append((f'session token {i + 1}', token))
        # The reference cloud's tokens are base64url: their bytes too.
        try:
            decoded = base64.urlsafe_b64decode(token + b'=' * (-len(token) % 4))
        except ValueError:
            decoded = b''
        if len(decoded) >= 16:
            forms.append((f'session token {i + 1} (decoded)', decoded))
    for attributes, key in keys:
        if len(key) != 32:
            raise Failure(f'the keyring holds a lock key of {len(key)} bytes, not 32')
        forms += key_forms(f'key {attributes.get("key-version", "?")} of lock {attributes.get("lock-id", "?")}', key)
    for i, code in enumerate(codes):
        forms += code_forms(f'digits of code {i + 1}', code)
    summary = (f'{len(tokens)} session token(s) and {len(keys)} lock key(s) from the keyring, '
               f'{len(codes)} code(s): {len(forms)} forms')
    return forms, summary


def hold_cache(env):
    """A read-only connection to the application's cache, kept open: SQLite
    removes the WAL and the shared-memory file when the last connection
    closes, so while this one is open they outlast the application, to be
    scanned. The caller closes it."""
    import sqlite3
    path = cache_path(env)
    if not os.path.exists(path):
        raise Failure(f'the application has no cache at {path}')
    reader = sqlite3.connect(f'file:{path}?mode=ro', uri=True)
    reader.execute('SELECT count(*) FROM passcodes').fetchall()
    return reader


def files_under(folders):
    """Every regular file under folders, once, not through a symbolic link."""
    seen = set()
    for folder in folders:
        for parent, _, names in os.walk(folder):
            for name in sorted(names):
                path = os.path.join(parent, name)
                real = os.path.realpath(path)
                if os.path.islink(path) or not os.path.isfile(path) or real in seen:
                    continue
                seen.add(real)
                yield path


def scan_for_secrets(s, forms, required=()):
    """Reads every file under the application's HOME and XDG folders and the
    logs of its processes, and fails naming each file that holds a form of
    forms (never the secret itself). required: files that must be among
    them and not empty (the cache, its WAL, the settings). Returns
    [(path relative to the test's folder, bytes)]."""
    folders = [s.env[name] for name in SCANNED_FOLDERS if s.env.get(name)]
    paths = list(files_under(folders)) + [app.log_path for app in s.processes()]
    missing = [path for path in required if path not in paths or os.path.getsize(path) == 0]
    if missing:
        raise Failure('files the scan must read are missing or empty',
                      [os.path.relpath(path, s.tmp) for path in missing])
    scanned, found = [], []
    for path in paths:
        with open(path, 'rb') as handle:
            data = handle.read()
        name = os.path.relpath(path, s.tmp)
        scanned.append((name, len(data)))
        found += [f'{name} holds the {label}' for label, form in forms if form in data]
    if found:
        raise Failure(f'{len(found)} secret(s) left behind in the application\'s files or log', found)
    return scanned


class ChildWatch:
    """The command lines of the processes the application starts, and of
    theirs, read from /proc every few milliseconds while it runs. They are
    told by a mark in their environment, which they inherit: GIO's launches
    fork twice, so a mail program is not the application's child for long.
    A process that lives less than a few milliseconds may be missed; one
    that lingers is not. A fork seen before its exec shows the application's
    own command line."""

    INTERVAL = 0.05
    MARK = 'AM_TEST_STARTED_BY'

    def __init__(self):
        self.mark = f'{self.MARK}={os.getpid()}-{time.monotonic_ns()}'.encode()
        self.app_pid = None
        self.checked = set()   # every process looked at (pids do not wrap around in a test)
        self.marked = {}       # (pid, start time) -> the command lines it had (an exec changes it)
        self.done = threading.Event()
        self.thread = None

    def environment(self, env):
        """env with the mark, for the application."""
        name, _, value = self.mark.decode().partition('=')
        return dict(env, **{name: value})

    def start(self, app_pid):
        self.app_pid = app_pid
        self.thread = threading.Thread(target=self._run, name='child-watch', daemon=True)
        self.thread.start()

    @staticmethod
    def _read(pid, name):
        with open(f'/proc/{pid}/{name}', 'rb') as handle:
            return handle.read()

    def _sample(self):
        for entry in os.listdir('/proc'):
            if not entry.isdigit():
                continue
            pid = int(entry)
            try:
                if pid not in self.checked and pid != self.app_pid:
                    environ = self._read(entry, 'environ')
                    # Empty while it execs, or as a zombie: looked at again.
                    if environ:
                        self.checked.add(pid)
                    if self.mark in environ.split(b'\0'):
                        started = self._read(entry, 'stat').rsplit(b')', 1)[1].split()[19]
                        self.marked[(pid, started)] = set()
                for key, argvs in self.marked.items():
                    if key[0] == pid:
                        argv = self._read(entry, 'cmdline')
                        if argv:
                            argvs.add(argv)
            except PermissionError:
                self.checked.add(pid)  # another user's: not one the application started
            except (OSError, IndexError):
                continue

    def _run(self):
        while not self.done.is_set():
            self._sample()
            self.done.wait(self.INTERVAL)

    def stop(self):
        self.done.set()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def command_lines(self):
        """[(pid, [argument, …])] of every process seen, in the order started."""
        return [(pid, [part.decode('utf-8', 'replace') for part in argv.rstrip(b'\0').split(b'\0')])
                for (pid, _), argvs in sorted(self.marked.items(), key=lambda item: int(item[0][1]))
                for argv in sorted(argvs)]

    def check(self, forms, allowed=None):
        """Fails when a command line holds a form of forms, unless
        allowed(argv) says why that one may; returns (the processes seen,
        the allowed ones with their reason), without the secrets."""
        seen, allowed_ones, found = [], [], []
        for pid, argv in self.command_lines():
            program = os.path.basename(argv[0]) if argv else '?'
            seen.append(f'{pid} {program}')
            raw = '\0'.join(argv).encode()
            held = [label for label, form in forms if form in raw]
            if not held:
                continue
            reason = allowed(argv) if allowed is not None else None
            if reason:
                allowed_ones.append(f'{pid} {program}: {reason} ({len(held)} form(s) of a secret)')
            else:
                found += [f'{pid} {program} was started with the {label} in its arguments' for label in held]
        if found:
            raise Failure('the application passed secrets on the command line of a process it started', found)
        return seen, allowed_ones


def check_no_secrets_left(s, server_url, codes, allowed=None):
    """The end of a scenario, the application gone (a reader of its cache
    still open, hold_cache()): none of its files, nor its log, nor a command
    line of a process it started holds the session token, a lock key of the
    keyring's, or the digits of one of codes. allowed(argv), if given, names
    the reason a command line may. Returns what was scanned, as notes."""
    forms, summary = user_secrets(s.env['DBUS_SESSION_BUS_ADDRESS'], server_url, codes)
    cache = cache_path(s.env)
    required = (cache, cache + '-wal', cache + '-shm', settings_keyfile(s.env), s.first.log_path)
    scanned = scan_for_secrets(s, forms, required)
    notes = [summary, f'{len(scanned)} files, {sum(size for _, size in scanned)} bytes, hold none:']
    notes += [f'  {name}: {size} bytes' for name, size in scanned]
    if s.children is None:
        raise Failure('nothing watched the processes the application started (ChildWatch)')
    s.children.stop()
    seen, allowed_ones = s.children.check(forms, allowed)
    notes.append(f'{len(seen)} process(es) started by the application: {", ".join(seen) or "none"}')
    return notes + allowed_ones, allowed_ones


def change_a_preference(s, deadline):
    """Preferences (app.preferences), "Low Lock Battery" turned off as a
    user would, the window closed: with GSETTINGS_BACKEND=keyfile the
    settings file then holds it. Returns the file's text."""
    tree = s.tree
    pyatspi = tree.pyatspi
    keyfile = settings_keyfile(s.env)
    s.activate_action('preferences')

    def window():
        for node in s.visible_other_toplevels():
            if tree.name(node) == 'Preferences':
                return node
        return None

    preferences = wait_for('the Preferences window', window, deadline, s.outline)
    # GTK 4.8 adds the row's title to the switch's own label.
    label = 'Notify when a lock’s battery is low'
    switch = wait_for(f'the switch "{label}"', lambda: tree.find(
        preferences, lambda n: tree.name(n).startswith(label) and tree.role(n) != pyatspi.ROLE_LABEL
        and tree.is_shown(n) and 'toggle' in tree.actions(n)[1]), deadline,
        lambda: dump(tree, preferences, 400))
    if not tree.has_state(switch, pyatspi.STATE_CHECKED):
        raise Failure(f'the switch "{label}" is off before it was touched', ['its states: ' + states_of(switch)])
    tree.do_action(switch, f'the switch "{label}"')
    wait_for(f'the switch "{label}" to be off',
             lambda: not tree.has_state(switch, pyatspi.STATE_CHECKED), deadline,
             lambda: ['its states: ' + states_of(switch)])

    def kept():
        try:
            with open(keyfile) as handle:
                text = handle.read()
        except OSError:
            return None
        return text if re.search(r'^notify-battery-low=false$', text, re.M) else None

    text = wait_for(f'{os.path.basename(keyfile)} to hold notify-battery-low=false', kept, deadline)
    close_window(s, preferences, 'the Preferences window', deadline)
    return text


# --- screenshots ------------------------------------------------------------

def screenshot(name):
    """Saves the screen as <build dir>/screenshots/<name>.png (for AppStream);
    returns a diagnostic line. Never fails a test."""
    build = (os.environ.get('MESON_BUILD_ROOT') or
             (os.path.dirname(os.environ['G_TEST_BUILDDIR'].rstrip('/'))
              if os.environ.get('G_TEST_BUILDDIR') else None))
    tool = shutil.which('import')
    if not build or not tool:
        return f'no screenshot {name}: no build dir or no ImageMagick import'
    folder = os.path.join(build, 'screenshots')
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f'{name}.png')
    try:
        subprocess.run([tool, '-window', 'root', path], check=True, timeout=20,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    except (subprocess.SubprocessError, OSError) as error:
        return f'no screenshot {name}: {error}'
    return f'screenshot: {path}'


# --- the reference cloud ------------------------------------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class DemoServer:
    """access-manager-server (AM_SERVER) seeded with the demo portfolio in
    folder, serving on a free loopback port; stop() sends SIGTERM as a service
    manager would and expects status 0."""

    DEMO_EMAIL = 'demo@example.com'
    DEMO_PASSWORD = 'demo-password-1'

    def __init__(self, folder):
        self.program = required_env('AM_SERVER')
        self.db_path = os.path.join(folder, 'cloud.sqlite')
        self.log_path = os.path.join(folder, 'server.log')
        seeded = subprocess.run([self.program, 'seed-demo', '--db', self.db_path],
                                stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if seeded.returncode != 0:
            bail_out(f'access-manager-server seed-demo failed: {seeded.stderr.strip()}')
        self.seed_output = seeded.stdout
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.log = open(self.log_path, 'wb')
        if not self._serve():
            self.stop()
            bail_out(f'the reference cloud did not start listening on {self.url}')

    def _serve(self):
        """Starts `serve` on the port; whether it listens in time."""
        self.process = subprocess.Popen(
            [self.program, 'serve', '--db', self.db_path, '--listen', f'127.0.0.1:{self.port}'],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = deadline_in(SERVER_TIMEOUT)
        while True:
            try:
                with socket.create_connection(('127.0.0.1', self.port), timeout=1):
                    return True
            except OSError:
                if self.process.poll() is not None or time.monotonic() >= deadline:
                    return False
                time.sleep(POLL_INTERVAL)

    def restart(self):
        """After stop(): the same database on the same port again, as after
        a network outage."""
        self.log = open(self.log_path, 'ab')
        if not self._serve():
            raise Failure(f'the reference cloud did not listen on {self.url} again')

    def stop(self):
        """Returns the exit status (None if it had to be killed)."""
        status = self.process.poll()
        if status is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                status = self.process.wait(timeout=scaled(STEP_TIMEOUT))
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                status = None
        self.log.close()
        return status


# --- running a test -----------------------------------------------------------

def run_subtest(tap, session, name, function):
    started = time.monotonic()
    notes = []
    session.notes = notes  # a subtest may add diagnostics (screenshots) on success
    try:
        function(session)
    except Failure as failure:
        # How long it took tells a wait too short from a wait for nothing.
        diagnostics = [str(failure), f'{time.monotonic() - started:.1f} s'] + failure.diagnostics
        for app in session.processes():
            diagnostics += app.log_tail()
        tap.result(False, name, diagnostics)
        return False
    except Exception as error:  # a bug in the test or an AT-SPI error
        tap.result(False, name, [f'unexpected {type(error).__name__}: {error}'])
        return False
    tap.result(True, name, [f'{time.monotonic() - started:.1f} s'] + notes)
    return True


def relax_own_g_debug():
    """Keeps G_DEBUG's fatal-warnings (meson sets it for the application) from
    aborting this process: libatspi warns about other processes, e.g.
    "AT-SPI: Error in GetItems" for an application without an AT-SPI cache.
    Must run before GLib is loaded."""
    flags = [flag for flag in os.environ.get('G_DEBUG', '').split(',')
             if flag and not flag.startswith('fatal')]
    os.environ['G_DEBUG'] = ','.join(flags)


def interrupted(signum, frame):
    raise SystemExit(f'interrupted by signal {signum}')


def main(subtests, prepare=None, cleanup=None, env_changes=None):
    """Runs subtests, a sequence of (name, function(session)), as one TAP test.

    prepare(session), if given, runs before the first subtest (e.g. to start
    a server) and cleanup(session) after the last, whatever happened.
    env_changes(env), if given, adjusts the application's environment."""
    # On SIGTERM, still kill the application and remove the temporary files.
    signal.signal(signal.SIGTERM, interrupted)
    check_session()
    app_path = required_env('AM_APP')
    if not os.access(app_path, os.X_OK):
        bail_out(f'AM_APP={app_path} is not an executable')
    required_env('GSETTINGS_SCHEMA_DIR')
    app_base_env = dict(os.environ)
    relax_own_g_debug()
    hold = DisplayHold(deadline_in(STARTUP_TIMEOUT))
    pyatspi, atspi, gio, glib = import_pyatspi()
    tmp = tempfile.mkdtemp(prefix='am-ui-test-')
    session = None
    try:
        env = app_environment(app_base_env, tmp)
        if env_changes is not None:
            env_changes(env)
        session = Session(Tree(pyatspi, atspi), gio, glib, app_path, env, tmp)
        if prepare is not None:
            prepare(session)
        tap = Tap(len(subtests))
        for name, function in subtests:
            run_subtest(tap, session, name, function)
    finally:
        if session is not None:
            if session.children is not None:
                session.children.stop()
            for app in session.processes():
                app.kill()
            if cleanup is not None:
                cleanup(session)
        shutil.rmtree(tmp, ignore_errors=True)
        hold.release()
