# amui.py: driving the real Access Manager application through its accessibility tree, for the UI tests
# SPDX-License-Identifier: GPL-3.0-or-later
#
# What every UI test shares: TAP output, the headless session's checks, the
# application's process and environment, the AT-SPI tree, the main window and
# its menu, the reference cloud as a program of its own, screenshots.
#
# A test imports it from its own folder:
#
#   sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
#   import amui
#
# and, before anything loads GLib, calls amui.relax_own_g_debug() (main() does).

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
                      ('XDG_DATA_HOME', 'data'), ('XDG_CACHE_HOME', 'cache')):
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
        atspi.set_timeout(5000, 20000)

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


def deadline_in(seconds):
    return time.monotonic() + seconds


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
    s.first = s.launch(log_name, env)
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
    status = s.first.wait(STEP_TIMEOUT)
    if status is None:
        raise Failure(f'still running {STEP_TIMEOUT:.0f} s after the quit action', diagnostics)
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


def log_problems(app):
    return [line for line in app.log_text().splitlines()
            if 'CRITICAL' in line or 'WARNING' in line]


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
        self.process = subprocess.Popen(
            [self.program, 'serve', '--db', self.db_path, '--listen', f'127.0.0.1:{self.port}'],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = deadline_in(SERVER_TIMEOUT)
        while True:
            try:
                with socket.create_connection(('127.0.0.1', self.port), timeout=1):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() >= deadline:
                    self.stop()
                    bail_out(f'the reference cloud did not start listening on {self.url}')
                time.sleep(POLL_INTERVAL)

    def stop(self):
        """Returns the exit status (None if it had to be killed)."""
        status = self.process.poll()
        if status is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                status = self.process.wait(timeout=STEP_TIMEOUT)
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
        diagnostics = [str(failure)] + failure.diagnostics
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
            for app in session.processes():
                app.kill()
            if cleanup is not None:
                cleanup(session)
        shutil.rmtree(tmp, ignore_errors=True)
        hold.release()
