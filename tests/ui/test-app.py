# test-app.py: drives the real Access Manager application through its accessibility tree (TAP)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run by 'meson test --suite ui' inside a headless session:
#
#   xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" dbus-run-session -- \
#     meson test -C _build --suite ui --print-errorlogs -v
#
# Without a display, a session bus or pyatspi it reports a TAP skip. It needs
# AM_APP (the application binary) and GSETTINGS_SCHEMA_DIR (the compiled schema)
# from its environment; meson sets both. The application starts with no
# account (a throw-away data folder, no AM_DEMO_*): it asks to sign in.

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import amui  # noqa: E402
from amui import (Failure, CHECK_TIMEOUT, STEP_TIMEOUT, SECOND_RUN_TIMEOUT,  # noqa: E402
                  STABLE_PERIOD, POLL_INTERVAL, VERSION, WINDOW_TITLE,
                  deadline_in, wait_for)


def test_window_opens(s):
    amui.open_main_window(s)


def test_sign_in_explains(s):
    """Without an account, the window asks to sign in and says why."""
    tree = s.tree
    window = s.require_window()
    deadline = deadline_in(CHECK_TIMEOUT)

    def found(predicate):
        return lambda: any(predicate(text) for text in amui.shown_texts(tree, window))

    def diagnostics():
        return ['texts in the window: ' + repr(amui.shown_texts(tree, window))]

    wait_for('a "Sign In" button',
             lambda: amui.shown_named(tree, window, 'Sign In', (tree.pyatspi.ROLE_PUSH_BUTTON,)),
             deadline, diagnostics)
    wait_for('a text about signing in',
             found(lambda t: 'sign in' in t.lower() and len(t.split()) > 4), deadline, diagnostics)
    s.notes.append(amui.screenshot('sign-in'))


def test_main_menu_has_name(s):
    tree = s.tree
    window = s.require_window()
    try:
        wait_for('a button named "Main Menu"', lambda: amui.main_menu_button(s),
                 deadline_in(CHECK_TIMEOUT))
        problems = []
    except Failure as failure:
        problems = [str(failure)]
    buttons = tree.find_all(window, lambda n: amui.is_button(tree, n))
    nameless = [b for b in buttons if not amui.has_name(tree, b)]
    if nameless:
        problems.append(f'{len(nameless)} of {len(buttons)} buttons have no accessible name')
    if problems:
        raise Failure('; '.join(problems),
                      [f'  {tree.describe(b)}{"" if amui.has_name(tree, b) else " <- nameless"}'
                       for b in buttons]
                      + ['(GTK 4.8 exports a widget without a name under its type name)'])


def test_about_window(s):
    s.require_window()
    deadline = deadline_in(STEP_TIMEOUT)
    amui.activate_menu_item(s, 'About Access Manager', deadline)
    about = amui.wait_new_window(s, 'an about window', ('Access Manager', VERSION), deadline)
    amui.close_window(s, about, 'the about window', deadline)


def test_keyboard_shortcuts(s):
    s.require_window()
    deadline = deadline_in(STEP_TIMEOUT)
    amui.activate_menu_item(s, 'Keyboard Shortcuts', deadline)
    shortcuts = amui.wait_new_window(s, 'a shortcuts window', ('Quit', 'Show Shortcuts'), deadline)
    amui.close_window(s, shortcuts, 'the shortcuts window', deadline)


def count_main_windows(s):
    tree = s.tree
    return sum(len(tree.main_windows(app)) for app in tree.applications())


def test_single_instance(s):
    s.require_window()
    s.second = s.launch('access-manager-second.log')
    status = s.second.wait(amui.scaled(SECOND_RUN_TIMEOUT))
    if status is None:
        raise Failure(f'the second launch was still running after {amui.scaled(SECOND_RUN_TIMEOUT):.0f} s')
    if status != 0:
        raise Failure(f'the second launch exited with status {status}')
    if s.first.process.poll() is not None:
        raise Failure(f'the first instance exited with status {s.first.process.returncode}')
    # The first instance handles the second's Activate in its main loop before
    # this call, so any window it made for it exists by the time this returns.
    try:
        s.action_group_call('List', None, '(as)')
    except Exception as error:
        raise Failure(f'the first instance does not answer on D-Bus: {error}')
    deadline = deadline_in(STABLE_PERIOD)
    while True:
        count = count_main_windows(s)
        if count != 1:
            raise Failure(f'{count} "{WINDOW_TITLE}" windows in the tree, expected 1',
                          s.outline())
        if time.monotonic() >= deadline:
            break
        time.sleep(POLL_INTERVAL)


def test_quits_cleanly(s):
    amui.quit_app(s)


SUBTESTS = (
    ('window-opens', test_window_opens),
    ('sign-in-explains', test_sign_in_explains),
    ('main-menu-has-name', test_main_menu_has_name),
    ('about-window', test_about_window),
    ('keyboard-shortcuts', test_keyboard_shortcuts),
    ('single-instance', test_single_instance),
    ('quits-cleanly', test_quits_cleanly),
)


if __name__ == '__main__':
    amui.main(SUBTESTS)
