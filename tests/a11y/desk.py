#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The seller's desk driven through the accessibility tree, as assistive technology would:
python3-dogtail finds controls by their accessible names and acts on them with
AT-SPI actions and text, never with pointer coordinates.

It signs in with the SoftHSM token of tests/fixtures/make-token.sh against the built
tirkeu-sandbox, starts a request with New Request, types a VIN into the field named "VIN",
waits for the three checks of steps 3-5 to be marked "Passed", and goes on to the Buyer page.
On each page it audits the tree: every control of the window a user can act on (buttons,
entries, list rows, check boxes...) must have a usable accessible name (not empty, not GTK's
fallback to the type name, no mnemonic underscore), or the test fails naming the controls.

Run by meson (tests/meson.build, test-desk-a11y) under dbus-run-session with the system
/usr/bin/python3 (which has gi and dogtail). GTK_A11Y must not be "none" for the app.
Output: TAP.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

# The TAP stream goes to the descriptor meson's wrapper hands over (tests/meson.build): the
# session's D-Bus daemons write their banners to the standard output they inherited, which
# the wrapper points at stderr, so nothing but TAP reaches meson.
if os.environ.get('TIRKEU_TAP_FD'):
    sys.stdout = os.fdopen(int(os.environ['TIRKEU_TAP_FD']), 'w', buffering=1)

TAP_LINES = []
PLAN = 6


def tap(ok, name, diag=None):
    TAP_LINES.append(name)
    print(('ok' if ok else 'not ok'), len(TAP_LINES), '-', name, flush=True)
    if diag:
        for line in str(diag).splitlines():
            print('#', line, flush=True)
    if not ok:
        raise SystemExit(1)


def bail(reason):
    print('Bail out!', reason, flush=True)
    sys.exit(1)


source_root = os.environ.get('TIRKEU_SOURCE_ROOT')
build_root = os.environ.get('TIRKEU_BUILD_ROOT')
if not source_root or not build_root:
    bail('TIRKEU_SOURCE_ROOT and TIRKEU_BUILD_ROOT must be set (meson test)')

if not os.environ.get('DBUS_SESSION_BUS_ADDRESS') or not os.environ.get('DISPLAY'):
    print('1..0 # SKIP needs a display and a session bus (xvfb-run, dbus-run-session)')
    sys.exit(0)

# dogtail refuses to run unless the desktop's accessibility setting is on. Tests keep their
# GSettings in memory, so it is set here, in this process, before dogtail.tree is imported.
os.environ['GSETTINGS_BACKEND'] = 'memory'
from gi.repository import Gio  # noqa: E402

Gio.Settings.new('org.gnome.desktop.interface').set_boolean('toolkit-accessibility', True)

# The accessibility bus of this session, for this script and the app alike. libatspi would
# otherwise prefer the AT_SPI_BUS property of the X root window, which an earlier session on
# the same Xvfb (another window test) leaves behind: the app would register on one bus and
# the script look on another.
_session = Gio.bus_get_sync(Gio.BusType.SESSION, None)
_reply = _session.call_sync('org.a11y.Bus', '/org/a11y/bus', 'org.a11y.Bus', 'GetAddress',
                            None, None, Gio.DBusCallFlags.NONE, 10000, None)
os.environ['AT_SPI_BUS_ADDRESS'] = _reply.unpack()[0]

from dogtail.config import config  # noqa: E402

config.logDebugToFile = False
config.logDebugToStdOut = False
config.searchCutoffCount = 40    # about 20 s at 0.5 s a try
config.searchBackoffDuration = 0.5
config.defaultDelay = 0.2
config.actionDelay = 0.2
config.typingDelay = 0.02

import pyatspi  # noqa: E402
from dogtail import tree  # noqa: E402
from dogtail.predicate import GenericPredicate  # noqa: E402

# The roles a user acts on; each must carry a name.
ACTIONABLE_ROLES = {
    'push button', 'toggle button', 'check box', 'radio button', 'text', 'password text',
    'entry', 'spin button', 'combo box', 'menu item', 'slider', 'link', 'switch',
    'toggle', 'expander',
}

work = tempfile.mkdtemp(prefix='tirkeu-a11y-')
processes = []


def cleanup():
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    shutil.rmtree(work, ignore_errors=True)


def showing(node):
    """GTK 4.8 sets "showing" on no stack page: visible and sensitive is what can be told."""
    try:
        return node.visible and node.sensitive
    except Exception:  # a node that went away while walking
        return False


# A GtkEntry is "entry" or "text" depending on the GTK version.
ENTRY_ROLES = ('entry', 'text')
# GTK 4.8 falls back to the widget's type name when nothing names it.
TYPE_NAME = re.compile(r'^(Gtk|Adw|Tirkeu)[A-Z][A-Za-z]+$')
# The desk's own parts (AdwBin subclasses have no name but their type's) and the PIN dialog.
DESK_PARTS = ('TirkeuSignInPage', 'TirkeuNewRequestFlow')
PIN_DIALOG_NAME = 'Enter the Token’s PIN'


def name_problem(node):
    """Why a control's accessible name would fail a screen-reader user, or None."""
    try:
        role = node.roleName
        name = (node.name or '').strip()
        states = node.getState()
    except Exception:
        return None
    if role == 'list item':
        # Rows count when the user can act on them.
        if not states.contains(pyatspi.STATE_FOCUSABLE):
            return None
    elif role not in ACTIONABLE_ROLES:
        return None
    if not name or TYPE_NAME.match(name):
        return 'no name'
    if re.search(r'_\w', name):
        return 'mnemonic underscore in "%s"' % name
    return None


def walk(node, depth=0):
    if depth > 80:
        return
    yield node
    try:
        children = node.children
    except Exception:
        return
    for child in children:
        yield from walk(child, depth + 1)


def describe(node):
    parent = node.parent
    return '%s "%s" (in %s "%s")' % (node.roleName, node.name,
                                     parent.roleName if parent else '?',
                                     parent.name if parent else '')


def audit(application, where):
    """Every actionable control of the window (the desk: the sign-in page, the new-request
    flow with all its pages, the PIN dialog; and the rest: header, requests list) has a usable
    accessible name. GTK 4.8 marks no stack page as showing, so hidden pages are audited too:
    all of them, all the time. Problems outside the desk are reported apart."""
    problems = []
    elsewhere = []
    in_desk = set()
    for node in walk(application):
        try:
            if node.name in DESK_PARTS or (node.roleName in ('dialog', 'frame', 'alert')
                                           and node.name == PIN_DIALOG_NAME):
                for inner in walk(node):
                    in_desk.add(id(inner))
                    problem = name_problem(inner)
                    if problem:
                        problems.append('%s: %s' % (problem, describe(inner)))
        except Exception:
            continue
    for node in walk(application):
        if id(node) not in in_desk:
            problem = name_problem(node)
            if problem:
                elsewhere.append('%s: %s' % (problem, describe(node)))
    tap(not problems and not elsewhere,
        'every control of the window has an accessible name (%s)' % where,
        '\n'.join(problems + ['outside the desk: ' + e for e in sorted(set(elsewhere))]))


def wait_for(predicate, what, seconds=20):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            found = predicate()
        except Exception:
            found = None
        if found:
            return found
        time.sleep(0.25)
    bail('timed out waiting for ' + what)


def toplevel_of(node):
    """The window or dialog that holds @node (its last ancestor below the application)."""
    while node.parent is not None and node.parent.roleName != 'application':
        node = node.parent
    return node


def find(root, role, name, seconds=20):
    roles = (role,) if isinstance(role, str) else role

    def look():
        for node in root.findChildren(GenericPredicate(name=name)):
            if node.roleName in roles and showing(node):
                return node
        return None
    found = None
    end = time.monotonic() + seconds
    while found is None and time.monotonic() < end:
        try:
            found = look()
        except Exception:
            found = None
        if found is None:
            time.sleep(0.25)
    if found is None:
        for node in walk(root):
            try:
                if node.roleName in roles:
                    print('# there is %s' % describe(node))
            except Exception:
                pass
        bail('not found: %s "%s"' % ('/'.join(roles), name))
    return found


def dump(root):
    """The tree as AT-SPI sees it, for a failure's diagnosis."""
    def walk(node, depth):
        if depth > 40:
            return
        try:
            states = node.getState().getStates()
            print('#', '  ' * depth + '%s "%s" %s' % (node.roleName, node.name,
                                                     ','.join(str(s.value_nick) for s in states)))
            for child in node.children:
                walk(child, depth + 1)
        except Exception:
            pass
    walk(root, 0)


def set_text(node, text, secret=False):
    """Types text into an entry, as an on-screen keyboard would. GTK 4.8 implements neither
    Component.GrabFocus nor EditableText, so the entry must already have the focus (the desk
    puts it there) and the keys go through AT-SPI's keyboard event generation (XTEST)."""
    if not node.focused:
        bail('the entry "%s" does not have the focus' % node.name)
    node.typeText(text)
    # A password entry does not tell its text: the portal's answer will.
    if not secret:
        def held():
            # GTK 4.8 gives the text to the entry's inner text node.
            return [n.text for n in walk(node) if n.text]
        end = time.monotonic() + 10
        while text not in held() and time.monotonic() < end:
            time.sleep(0.25)
        if text not in held():
            bail('the entry "%s" holds %s, not "%s"' % (node.name, held(), text))


try:
    print('1..%d' % PLAN, flush=True)

    # The token and the sandbox, as build-aux/demo makes them.
    token_dir = os.path.join(work, 'token')
    subprocess.run([os.path.join(source_root, 'tests', 'fixtures', 'make-token.sh'),
                    '-l', 'tirkeu-a11y', '-p', '12345678', token_dir],
                   check=True, stdout=subprocess.DEVNULL)
    sandbox = subprocess.Popen(
        [os.path.join(build_root, 'src', 'sandbox', 'tirkeu-sandbox'),
         '--listen', '127.0.0.1:0', '--state-dir', os.path.join(work, 'sandbox'),
         '--signer-ca', os.path.join(token_dir, 'ca.pem'), '--buyer', 'manual'],
        stdout=subprocess.PIPE, text=True)
    processes.append(sandbox)
    served = json.loads(sandbox.stdout.readline())

    env = dict(os.environ)
    # The app must talk to the accessibility bus: no GTK_A11Y=none, no NO_AT_BRIDGE.
    env.pop('GTK_A11Y', None)
    env.pop('NO_AT_BRIDGE', None)
    env['SOFTHSM2_CONF'] = os.path.join(token_dir, 'softhsm2.conf')
    env['XDG_DATA_HOME'] = os.path.join(work, 'data')
    env['XDG_CONFIG_HOME'] = os.path.join(work, 'config')
    env['XDG_CACHE_HOME'] = os.path.join(work, 'cache')
    env['GIO_USE_PROXY_RESOLVER'] = 'dummy'
    env['GSETTINGS_BACKEND'] = 'memory'
    app = subprocess.Popen(
        [os.path.join(build_root, 'src', 'ui', 'tirkeu'),
         '--portal-url', served['url'], '--ca-file', served['ca_file'],
         '--pkcs11-module', '/usr/lib/softhsm/libsofthsm2.so'],
        env=env)
    processes.append(app)

    def registered():
        if app.poll() is not None:
            bail('the app exited with status %d before it registered' % app.returncode)
        for candidate in tree.root.applications():
            if candidate.name == 'tirkeu':
                return candidate
        return None
    application = wait_for(registered, 'the app on the AT-SPI bus', 60)
    tap(True, 'the app is on the accessibility bus')

    # Sign-in: the button is found by its name, pressed with its action.
    sign_in = find(application, 'push button', 'Sign In', 30)
    audit(application, 'the sign-in page')
    sign_in.doActionNamed('click')
    dialog_pin = find(application, 'password text', 'PIN')
    set_text(dialog_pin, '12345678', secret=True)
    # The dialog's own button says what the PIN does here, "Sign In", as the page's does:
    # it is looked for inside the dialog.
    find(toplevel_of(dialog_pin), 'push button', 'Sign In').doActionNamed('click')
    find(application, 'push button', 'New Request', 30)
    tap(True, 'signed in through the accessibility tree')
    audit(application, 'the signed-in desk')

    # The vehicle page: the VIN field by its name, the checks' marks by theirs.
    find(application, 'push button', 'New Request').doActionNamed('click')
    vin = find(application, ENTRY_ROLES, 'VIN')
    # GTK 4.8 does not expose an entry's text over AT-SPI: the portal's checks of this VIN
    # are the proof that it arrived.
    set_text(vin, 'XTA210743S0000120', secret=True)

    def three_passed():
        marks = [n for n in application.findChildren(GenericPredicate(name='Passed'))
                 if showing(n)]
        return len(marks) >= 3
    wait_for(three_passed, 'steps 3-5 marked "Passed"')
    audit(application, 'the vehicle page, checked')
    find(application, 'push button', 'Next').doActionNamed('click')
    iin = find(application, ENTRY_ROLES, 'Buyer’s IIN')
    wait_for(lambda: iin.focused, 'the focus in the IIN field')
    tap(True, 'the vehicle page passed; the Buyer page shows its IIN field')
except SystemExit:
    raise
except Exception as error:  # noqa: BLE001 - any failure is a failed test with its reason
    import traceback
    for line in traceback.format_exc().splitlines():
        print('#', line)
    bail('%s: %s' % (type(error).__name__, error))
finally:
    cleanup()
