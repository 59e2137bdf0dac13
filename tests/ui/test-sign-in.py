# test-sign-in.py: signing in, the property list and its search, a property, signing out, through the accessibility tree (TAP)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The reference cloud (AM_SERVER) seeded with the demo portfolio serves on a
# free loopback port; the application starts with a throw-away data folder
# and no AM_DEMO_* variables, so it asks to sign in. Run by
# 'meson test --suite ui' in a headless session with an unlocked keyring
# (build-aux/dev test). Each screen is saved to <build>/screenshots/.

import os
import re
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import amui  # noqa: E402
from amui import Failure, CHECK_TIMEOUT, STEP_TIMEOUT, deadline_in, wait_for  # noqa: E402

SIGN_IN_TIMEOUT = 30.0   # signing in and the first sync of the demo portfolio
MIN_PROPERTIES = 30      # the demo portfolio has more
WRONG_PASSWORD = 'not-the-password-1'
BAD_INVITATION = 'not-an-invitation-code-0123456789'
INVITEE_EMAIL = 'new.hire@example.com'
INVITEE_NAME = 'Nia Newhire'
INVITEE_PASSWORD = 'new-hire-password-1'
IANA_RE = re.compile(r'\b[A-Z][A-Za-z_]+/[A-Za-z_]+.*\bUTC')


class State:
    """What one subtest leaves for the next."""
    server = None
    rows = []            # names of the properties in the full list
    chosen = None        # the property the search looks for


def roles(s, *names):
    pyatspi = s.tree.pyatspi
    return tuple(getattr(pyatspi, f'ROLE_{name}') for name in names)


def shown_button(s, name):
    """A shown button named name (mnemonic underscores aside)."""
    tree = s.tree
    return tree.find(s.window, lambda n: tree.role(n) == tree.pyatspi.ROLE_PUSH_BUTTON
                     and amui.plain(tree.name(n)) == name and tree.is_shown(n))


def texts_diagnostics(s):
    return lambda: ['shown texts: ' + repr(amui.shown_texts(s.tree, s.window))]


def editable(s, name):
    """The shown text entry named name (AdwEntryRow's name is its title)."""
    tree = s.tree
    pyatspi = tree.pyatspi
    return tree.find(s.window, lambda n: tree.name(n) == name and tree.is_shown(n)
                     and tree.has_state(n, pyatspi.STATE_EDITABLE))


def fill(s, name, text, deadline):
    node = wait_for(f'a shown entry "{name}"', lambda: editable(s, name), deadline,
                    texts_diagnostics(s))
    amui.set_text(s.tree, node, text, f'the entry "{name}"')
    wait_for(f'the entry "{name}" to hold what was typed',
             lambda: amui.text_of(s.tree, node) == text or name == 'Password', deadline)


def click(s, name, deadline):
    button = wait_for(f'a shown, sensitive button "{name}"',
                      lambda: (lambda b: b if b is not None and s.tree.has_state(
                          b, s.tree.pyatspi.STATE_SENSITIVE) else None)(shown_button(s, name)),
                      deadline, texts_diagnostics(s))
    s.tree.do_action(button, f'the button "{name}"')


def property_list(s):
    tree = s.tree
    return tree.find(s.window, lambda n: tree.role(n) == tree.pyatspi.ROLE_LIST
                     and tree.name(n) == 'Properties' and tree.is_shown(n))


def list_rows(s, the_list):
    """The names of the list's rows: GTK 4.8 exports one item per property."""
    tree = s.tree
    return [tree.name(n) for n in tree.children(the_list)
            if tree.role(n) == tree.pyatspi.ROLE_LIST_ITEM]


def row_title(s, the_list, index):
    """The first label of a row: the property's name."""
    tree = s.tree
    items = [n for n in tree.children(the_list) if tree.role(n) == tree.pyatspi.ROLE_LIST_ITEM]
    label = tree.find(items[index], lambda n: tree.role(n) == tree.pyatspi.ROLE_LABEL)
    return tree.name(label) if label is not None else ''


def selected_texts(s):
    """The shown labels and headings of the window with a text selection
    (AT-SPI Text.getNSelections), as a user sees it highlighted."""
    tree = s.tree
    pyatspi = tree.pyatspi
    found = []
    for node in tree.walk(s.window):
        if tree.role(node) not in (pyatspi.ROLE_LABEL, pyatspi.ROLE_HEADING) or not tree.is_shown(node):
            continue
        try:
            text = node.queryText()
            count = text.getNSelections()
        except Exception:
            continue
        for index in range(count):
            start, end = text.getSelection(index)
            if end > start:
                found.append(text.getText(start, end))
    return found


def token_items(s):
    """The keyring's session tokens for the test cloud (secret-tool), as
    "server" attribute values."""
    result = subprocess.run(['secret-tool', 'search', '--all', 'kind', 'token'],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=20)
    servers = re.findall(r'^attribute\.server = (.*)$', result.stdout + result.stderr, re.M)
    return [server for server in servers if f':{State.server.port}' in server]


def message_dialog(s, button_name, deadline):
    """A shown toplevel other than the main window with a button button_name."""
    tree = s.tree

    def probe():
        for node in s.visible_other_toplevels():
            for button in tree.find_all(node, lambda n: tree.role(n) == tree.pyatspi.ROLE_PUSH_BUTTON
                                        and amui.plain(tree.name(n)) in (button_name,
                                                                         f'{button_name} {button_name}')
                                        and tree.is_shown(n)):
                return node, button
        return None

    def diagnostics():
        lines = s.outline()
        for node in s.visible_other_toplevels():
            lines += amui.dump(tree, node)
        return lines

    return wait_for(f'a dialog with a button "{button_name}"', probe, deadline, diagnostics)


# --- the subtests -------------------------------------------------------------

def test_window_opens(s):
    amui.open_main_window(s)


def test_sign_in_page_shown(s):
    deadline = deadline_in(CHECK_TIMEOUT)
    for name in ('Server', 'Email', 'Password'):
        wait_for(f'a shown entry "{name}"', lambda: editable(s, name), deadline,
                 texts_diagnostics(s))
    wait_for('a "Sign In" button', lambda: shown_button(s, 'Sign In'), deadline,
             texts_diagnostics(s))
    wait_for('the link to accept an invitation', lambda: shown_button(s, 'Accept an Invitation'),
             deadline, texts_diagnostics(s))
    amui.require_named_controls(s.tree, s.window, 'the sign-in page')
    s.notes.append(amui.screenshot('sign-in'))


def test_wrong_password_explained(s):
    deadline = deadline_in(STEP_TIMEOUT)
    before = set(amui.shown_texts(s.tree, s.window))
    fill(s, 'Server', State.server.url, deadline)
    fill(s, 'Email', amui.DemoServer.DEMO_EMAIL, deadline)
    fill(s, 'Password', WRONG_PASSWORD, deadline)
    click(s, 'Sign In', deadline)

    def sentence():
        for text in amui.shown_texts(s.tree, s.window):
            if text not in before and text.endswith('.') and len(text.split()) >= 4:
                return text
        return None

    message = wait_for('an error sentence on the page', sentence, deadline, texts_diagnostics(s))
    s.notes.append(f'error shown: {message}')
    if WRONG_PASSWORD in message:
        raise Failure('the error repeats the password', [message])
    if shown_button(s, 'Sign In') is None:
        raise Failure('the sign-in page went away after a wrong password')
    s.notes.append(amui.screenshot('sign-in-error'))


def test_signs_in(s):
    deadline = deadline_in(SIGN_IN_TIMEOUT)
    fill(s, 'Password', amui.DemoServer.DEMO_PASSWORD, deadline)
    click(s, 'Sign In', deadline)

    def full_list():
        the_list = property_list(s)
        if the_list is None:
            return None
        rows = list_rows(s, the_list)
        return rows if len(rows) >= MIN_PROPERTIES else None

    State.rows = wait_for(f'a property list of at least {MIN_PROPERTIES} rows', full_list,
                          deadline, texts_diagnostics(s))
    s.notes.append(f'{len(State.rows)} properties listed')
    if editable(s, 'Password') is not None:
        raise Failure('the password entry is still shown after signing in')
    nameless = [r for r in State.rows if not r.strip() or amui.TYPE_NAME_RE.match(r)]
    if nameless:
        raise Failure(f'{len(nameless)} rows have no accessible name')
    s.notes.append(amui.screenshot('properties'))


def test_search_narrows(s):
    tree = s.tree
    deadline = deadline_in(STEP_TIMEOUT)
    if not State.rows:
        raise Failure('no property list (see signs-in)')
    the_list = property_list(s)
    # A property whose name has a word no other name has.
    names = [row_title(s, the_list, i) for i in range(len(State.rows))]
    words = {}
    for name in names:
        for word in set(re.findall(r'[A-Za-z]{5,}', name)):
            words.setdefault(word.lower(), []).append(name)
    unique = sorted((w, n[0]) for w, n in words.items() if len(n) == 1)
    if not unique:
        raise Failure('no property name has a word of its own', names)
    word, State.chosen = unique[len(unique) // 2]
    search = wait_for('the search entry', lambda: tree.find(
        s.window, lambda n: tree.name(n) == 'Search Properties' and tree.is_shown(n)
        and tree.has_state(n, tree.pyatspi.STATE_EDITABLE)), deadline, texts_diagnostics(s))
    query = word
    amui.set_text(tree, search, query, 'the search entry')

    def narrowed():
        current = property_list(s)
        if current is None:
            return None
        rows = list_rows(s, current)
        return rows if 0 < len(rows) < len(State.rows) else None

    rows = wait_for(f'fewer rows for the search "{query}"', narrowed, deadline,
                    lambda: ['rows: ' + repr(list_rows(s, property_list(s)))])
    if not any(row.startswith(State.chosen) for row in rows):
        raise Failure(f'"{State.chosen}" is not among the rows found for "{query}"', rows)
    s.notes.append(f'"{query}": {len(rows)} of {len(State.rows)} rows, "{State.chosen}" among them')
    s.notes.append(amui.screenshot('search'))


def test_property_page(s):
    tree = s.tree
    pyatspi = tree.pyatspi
    deadline = deadline_in(STEP_TIMEOUT)
    if State.chosen is None:
        raise Failure('no property found (see search-narrows)')
    the_list = property_list(s)
    items = [n for n in tree.children(the_list) if tree.role(n) == pyatspi.ROLE_LIST_ITEM]
    index = next(i for i, n in enumerate(items) if tree.name(n).startswith(State.chosen))
    try:
        the_list.querySelection().selectChild(index)
    except Exception as error:
        raise Failure(f'selecting the row failed: {error}')

    wait_for(f'a heading "{State.chosen}"',
             lambda: amui.shown_named(tree, s.window, State.chosen, roles(s, 'HEADING')),
             deadline, texts_diagnostics(s))
    wait_for('an "Unlock" button', lambda: shown_button(s, 'Unlock'), deadline,
             lambda: ['buttons: ' + repr([tree.describe(n) for n in tree.walk(s.window)
                                          if amui.is_button(tree, n) and tree.is_shown(n)])])

    def locks():
        group = tree.find(s.window, lambda n: tree.role(n) == pyatspi.ROLE_LIST
                          and tree.name(n) == 'Locks' and tree.is_shown(n))
        if group is None:
            return None
        return [tree.name(n) for n in tree.children(group)
                if tree.role(n) == pyatspi.ROLE_LIST_ITEM] or None

    lock_names = wait_for('the property\'s locks', locks, deadline, texts_diagnostics(s))
    zone = wait_for('its time zone (IANA id and UTC offset)', lambda: next(
        (t for t in amui.shown_texts(tree, s.window) if IANA_RE.search(t)), None),
        deadline, texts_diagnostics(s))
    s.notes.append(f'locks: {lock_names}; zone: {zone}')
    selected = selected_texts(s)
    if selected:
        raise Failure('text on the property page shows as selected when it first appears',
                      [f'  {text!r}' for text in selected])
    s.notes.append(amui.screenshot('property'))


def test_page_stays_while_searching(s):
    """The property shown stays while the search changes, and goes once no row holds it."""
    tree = s.tree
    deadline = deadline_in(STEP_TIMEOUT)
    if State.chosen is None:
        raise Failure('no property shown (see property-page)')
    search = tree.find(s.window, lambda n: tree.name(n) == 'Search Properties' and tree.is_shown(n)
                       and tree.has_state(n, tree.pyatspi.STATE_EDITABLE))
    heading = lambda: amui.shown_named(tree, s.window, State.chosen, roles(s, 'HEADING'))

    amui.set_text(tree, search, '', 'the search entry')
    wait_for('every property listed again',
             lambda: len(list_rows(s, property_list(s) or s.window)) >= len(State.rows), deadline,
             lambda: ['rows: ' + repr(list_rows(s, property_list(s)))])
    if heading() is None:
        raise Failure(f'the page of "{State.chosen}" went when the search was cleared',
                      texts_diagnostics(s)())

    amui.set_text(tree, search, 'zzqxjv', 'the search entry')
    wait_for(f'the page of "{State.chosen}" to go once no row holds it',
             lambda: heading() is None, deadline, texts_diagnostics(s))
    amui.set_text(tree, search, '', 'the search entry')
    wait_for('every property listed again',
             lambda: len(list_rows(s, property_list(s) or s.window)) >= len(State.rows), deadline)


def test_controls_named(s):
    controls = amui.require_named_controls(s.tree, s.window, 'the main window')
    s.notes.append(f'{len(controls)} shown controls, all named')


def test_signs_out(s):
    """Sign Out asks first; once confirmed, the sign-in page and no token."""
    deadline = deadline_in(STEP_TIMEOUT)
    if not token_items(s):
        raise Failure('no session token of the test cloud in the keyring before signing out')
    amui.activate_menu_item(s, 'Sign Out', deadline)
    dialog, cancel = message_dialog(s, 'Cancel', deadline)
    if not amui.shows_text(s, dialog, 'Sign Out?'):
        raise Failure('the confirmation does not ask "Sign Out?"',
                      ['its texts: ' + repr(amui.shown_texts(s.tree, dialog))])
    s.notes.append(amui.screenshot('sign-out-confirm'))
    s.tree.do_action(cancel, 'the "Cancel" button')
    amui.wait_gone(s, dialog, 'the sign-out confirmation', deadline)
    if property_list(s) is None or shown_button(s, 'Sign In') is not None:
        raise Failure('Cancel signed out all the same')
    if not token_items(s):
        raise Failure('Cancel took the session token out of the keyring')

    amui.activate_menu_item(s, 'Sign Out', deadline)
    dialog, confirm = message_dialog(s, 'Sign Out', deadline)
    s.tree.do_action(confirm, 'the "Sign Out" button of the confirmation')
    amui.wait_gone(s, dialog, 'the sign-out confirmation', deadline)
    wait_for('the sign-in page', lambda: shown_button(s, 'Sign In'), deadline,
             texts_diagnostics(s))
    wait_for('the session token to leave the keyring', lambda: not token_items(s), deadline,
             lambda: ['tokens left: ' + repr(token_items(s))])
    wait_for('the property list to go', lambda: property_list(s) is None, deadline)
    password = editable(s, 'Password')
    if password is not None and amui.text_of(s.tree, password):
        raise Failure('the password entry is not empty after signing out')


def test_invitation_bad_token_explained(s):
    """Accept an Invitation, with a code the cloud does not know: said on the page."""
    deadline = deadline_in(STEP_TIMEOUT)
    click(s, 'Accept an Invitation', deadline)
    wait_for('the "Accept Invitation" button', lambda: shown_button(s, 'Accept Invitation'),
             deadline, texts_diagnostics(s))
    if editable(s, 'Email') is not None:
        raise Failure('the Email entry is still shown in invitation mode')
    amui.require_named_controls(s.tree, s.window, 'the invitation page')
    before = set(amui.shown_texts(s.tree, s.window))
    fill(s, 'Server', State.server.url, deadline)
    fill(s, 'Invitation Code', BAD_INVITATION, deadline)
    fill(s, 'Your Name', INVITEE_NAME, deadline)
    fill(s, 'New Password', INVITEE_PASSWORD, deadline)
    click(s, 'Accept Invitation', deadline)

    def sentence():
        for text in amui.shown_texts(s.tree, s.window):
            if text not in before and text.endswith('.') and len(text.split()) >= 4:
                return text
        return None

    message = wait_for('an error sentence on the page', sentence, deadline, texts_diagnostics(s))
    s.notes.append(f'error shown: {message}')
    if BAD_INVITATION in message or INVITEE_PASSWORD in message:
        raise Failure('the error repeats the invitation code or the password', [message])
    if 'invitation' not in message.lower() or 'Sync' in message:
        raise Failure('the error does not speak of the invitation, or gives advice about syncing',
                      [message])
    if shown_button(s, 'Accept Invitation') is None or property_list(s) is not None:
        raise Failure('the invitation page went away after a bad invitation code')
    s.notes.append(amui.screenshot('sign-in-invitation-error'))


def test_invitation_accepted(s):
    """A real invitation, with a name and a password: signed in, the portfolio shown."""
    deadline = deadline_in(SIGN_IN_TIMEOUT)
    invited = subprocess.run([amui.required_env('AM_SERVER'), 'invite', '--db', State.server.db_path,
                              '--email', INVITEE_EMAIL, '--all', '--permissions', 'generate_codes'],
                             capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
    if invited.returncode != 0 or not invited.stdout.strip():
        raise Failure(f'access-manager-server invite failed: {invited.stderr.strip()}')
    if shown_button(s, 'Accept Invitation') is None:
        click(s, 'Accept an Invitation', deadline)
    fill(s, 'Invitation Code', invited.stdout.strip(), deadline)
    fill(s, 'Your Name', INVITEE_NAME, deadline)
    fill(s, 'New Password', INVITEE_PASSWORD, deadline)
    click(s, 'Accept Invitation', deadline)

    def full_list():
        the_list = property_list(s)
        if the_list is None:
            return None
        rows = list_rows(s, the_list)
        return rows if len(rows) >= MIN_PROPERTIES else None

    rows = wait_for(f'a property list of at least {MIN_PROPERTIES} rows', full_list, deadline,
                    texts_diagnostics(s))
    s.notes.append(f'{len(rows)} properties listed for the new user')
    if editable(s, 'New Password') is not None:
        raise Failure('the password entry is still shown after accepting the invitation')
    if not token_items(s):
        raise Failure('no session token in the keyring after accepting the invitation')
    with sqlite3.connect(State.server.db_path) as db:
        names = [row[0] for row in db.execute('SELECT name FROM users WHERE email = ?',
                                              (INVITEE_EMAIL,))]
    if names != [INVITEE_NAME]:
        raise Failure(f'the cloud has {names!r} for {INVITEE_EMAIL}, expected [{INVITEE_NAME!r}]')


def test_quits_cleanly(s):
    amui.quit_app(s)


SUBTESTS = (
    ('window-opens', test_window_opens),
    ('sign-in-page-shown', test_sign_in_page_shown),
    ('wrong-password-explained', test_wrong_password_explained),
    ('signs-in', test_signs_in),
    ('search-narrows', test_search_narrows),
    ('property-page', test_property_page),
    ('page-stays-while-searching', test_page_stays_while_searching),
    ('controls-named', test_controls_named),
    ('signs-out', test_signs_out),
    ('invitation-bad-token-explained', test_invitation_bad_token_explained),
    ('invitation-accepted', test_invitation_accepted),
    ('quits-cleanly', test_quits_cleanly),
)


def prepare(session):
    State.server = amui.DemoServer(session.tmp)


def cleanup(session):
    if State.server is not None:
        State.server.stop()


if __name__ == '__main__':
    amui.main(SUBTESTS, prepare=prepare, cleanup=cleanup)
