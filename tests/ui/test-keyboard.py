#!/usr/bin/env python3
"""The app with the keyboard alone: where Tab goes and what every stop is called, the views
with the arrow keys, Enter on a code, Back with Alt+Left, the main menu with F10,
Preferences with Ctrl+comma and Escape, and Ctrl+Q.

Every key goes through the X server (xdotool), as a person's would; what has the focus is
read from the accessibility tree, as a screen reader reads it."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uitest  # noqa: E402

binary, schema_dir, shots = sys.argv[1], sys.argv[2], sys.argv[3]

try:
    uitest.require_environment()
    import pyatspi
except uitest.Skip as skip:
    sys.exit(uitest.skip_or_fail(str(skip)))
except ImportError as e:
    sys.exit(uitest.skip_or_fail(f"{sys.executable} cannot import {e.name} (python3-pyatspi)"))


def has_state(node, state):
    try:
        return node.getState().contains(state)
    except Exception:
        return False


focused = uitest.focused
describe = uitest.describe


def check_round(tap, app, where, must_reach=(), root=None):
    """Tab round a page: no control it stops on is nameless, the focus is never stuck, and
    it reaches the controls named (by a word of their names)."""
    stops, stuck = uitest.tab_round(app, root=root)
    names = "\n".join(map(describe, stops))
    tap.check(f"{where}: Tab never gets stuck", not stuck, names)
    tap.check(f"{where}: every Tab stop has an accessible name",
              stops and all(n.name for n in stops), names)
    reached = set().union(*map(words, stops)) if stops else set()
    for word in must_reach:
        tap.check(f"{where}: Tab reaches “{word}”", word in reached, names)


def wait(predicate, timeout=5):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except Exception:
            value = None
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.1)


def words(node):
    """The words of a node's name: GTK 4.8 names a labelled button "_Label Label"."""
    return set(node.name.replace("_", "").split()) if node is not None and node.name else set()


def entry_text(app):
    node = app.find(role="text", name="Setup Code") or app.find(role="entry", name="Setup Code")
    try:
        text = node.queryText()
        return text.getText(0, text.characterCount)
    except Exception:
        return None


def typing_reaches_entry(app):
    """GTK 4.8 gives the code entry's text no "focused" state on the accessibility bus: that
    it has the keyboard is shown by typing a digit, which must appear in it, and taking it
    back."""
    before = entry_text(app)
    if before is None:
        return False
    uitest.key("7")
    arrived = wait(lambda: (entry_text(app) or "").replace("-", "") ==
                   before.replace("-", "") + "7", timeout=3)
    uitest.key("BackSpace")
    wait(lambda: entry_text(app) == before, timeout=3)
    return bool(arrived)


def tab_walk(app, limit=40):
    """From the code entry, presses Tab until the focus is back in it; the stops on the way,
    or None when it never comes back (a trap) or stays put."""
    stops = []
    previous = None
    for _ in range(limit):
        uitest.key("Tab")
        node = wait(lambda p=previous: (lambda n: n if n is not None and n != p else None)(
            focused(app)), timeout=2)
        if node is None:
            # no control says it has the focus: the entry, if typing reaches it
            return stops if typing_reaches_entry(app) else None
        stops.append(node)
        previous = node
    return None


focus_window = uitest.focus_window


def shortcuts_window(app):
    """The keyboard shortcuts window, when it lists the app's own shortcuts."""
    for role in ("frame", "dialog", "window"):
        window = app.find(role=role, name="Keyboard Shortcuts")
        if window is not None:
            texts = [n.name for n in app.walk(window) if n.name]
            return window if "Open a Photo of the Label" in texts else None
    return None


def code_entry(app):
    """True when the code entry has the keyboard."""
    return focused(app) is None and typing_reaches_entry(app)


tap = uitest.Tap()
with uitest.App(binary, schema_dir) as app:
    focus_window("Threshold")
    entry = wait(lambda: code_entry(app), timeout=10)
    tap.check("the code entry has the focus when the window opens", entry,
              describe(focused(app)))

    # Tab goes round the whole window and back to the entry, and every stop is named.
    stops = tab_walk(app) if entry else None
    tap.check("Tab goes round the window and comes back to the code entry (no trap)",
              stops is not None, describe(focused(app)))
    stops = stops or []
    names = "\n".join(describe(n) for n in stops)
    tap.check("every Tab stop has an accessible name", all(n.name for n in stops), names)
    reached = set().union(*(words(n) for n in stops)) if stops else set()
    for label, needed in (("the Paste button", "Paste"), ("the photo button", "Photo"),
                          ("the view switcher", "Nearby"), ("the main menu", "Menu")):
        tap.check(f"Tab reaches {label}", needed in reached, names)

    # The views: Tab to the switcher, the arrow keys to the next view, Space to show it.
    tabs = [n for n in stops if n.getRoleName() == "page tab"]
    moved = False
    if tabs and entry:
        for _ in range(len(stops) + 1):
            uitest.key("Tab")
            if wait(lambda: (focused(app) or entry).getRoleName() == "page tab", timeout=1):
                break
        uitest.key("Right", "space")
        moved = wait(lambda: has_state(app.find(role="page tab", name="Nearby"),
                                       pyatspi.STATE_SELECTED), timeout=5)
    tap.check("the arrow keys and Space choose the Nearby view", moved,
              describe(focused(app)))
    uitest.screenshot(os.path.join(shots, "keyboard-nearby.png"))
    check_round(tap, app, "Nearby", ("Nearby", "Menu"))
    for _ in range(12):
        node = focused(app)
        if node is not None and node.getRoleName() == "page tab" and node.name == "Nearby":
            break
        uitest.key("Tab")
        time.sleep(0.15)
    uitest.key("Left", "space")
    tap.check("and back to Add Device", wait(lambda: has_state(
        app.find(role="page tab", name="Add Device"), pyatspi.STATE_SELECTED), timeout=5))

    # Enter on a valid code is Continue; Alt+Left is Back, and the entry has the focus again.
    # Tab from the view switcher goes on to the main menu, then into the view: Open Photo,
    # then the entry.
    passed = []
    for _ in range(10):
        uitest.key("Tab")
        node = wait(lambda: focused(app), timeout=1)
        if node is None:
            break
        passed.append(node)
    entry = code_entry(app)
    tap.check("Tab goes on from the switcher through the menu and Open Photo to the entry",
              entry and "Menu" in set().union(*map(words, passed)) and
              "Photo" in words(passed[-1]), "\n".join(map(describe, passed)))
    uitest.type_text("34970112332")
    app.wait_for_text("The code is valid.")
    uitest.key("Return")
    device_page = wait(lambda: any(n.getRoleName() == "push button" and
                                   "Back" in words(n) for n in app.walk(app.app)), timeout=10)
    tap.check("Enter on a valid code goes on to the device page", device_page,
              "\n".join(app.texts()))
    add = wait(lambda: (lambda n: n if n is not None and "Add" in words(n) else None)(
        focused(app)), timeout=10)
    tap.check("there, Add Device has the keyboard: Enter again would add the device", add,
              describe(focused(app)))
    uitest.screenshot(os.path.join(shots, "keyboard-device-page.png"))
    check_round(tap, app, "the device page", ("Back", "Add"))
    time.sleep(0.5)
    uitest.key("alt+Left")
    back = wait(lambda: code_entry(app), timeout=10)
    tap.check("Alt+Left goes back, and the code entry has the focus again", back,
              describe(focused(app)))

    # F10 opens the main menu; Escape closes it.
    uitest.key("F10")
    menu = wait(lambda: any(n.getRoleName() == "menu item" and "Preferences" in words(n)
                            for n in app.walk(app.app)), timeout=5)
    tap.check("F10 opens the main menu", menu, "\n".join(app.texts()))
    uitest.key("Escape")
    tap.check("Escape closes it", wait(lambda: not any(
        n.getRoleName() == "menu item" and has_state(n, pyatspi.STATE_VISIBLE)
        for n in app.walk(app.app)), timeout=5))

    # Ctrl+? shows the keyboard shortcuts; Escape closes them.
    focus_window("Threshold")
    uitest.key("ctrl+question")
    shortcuts = wait(lambda: shortcuts_window(app), timeout=10)
    tap.check("Ctrl+? shows the keyboard shortcuts", shortcuts is not None and shortcuts,
              "\n".join(app.texts()))
    uitest.screenshot(os.path.join(shots, "keyboard-shortcuts.png"))
    if shortcuts:
        focus_window("Keyboard Shortcuts")
        uitest.key("Escape")
        tap.check("Escape closes them",
                  wait(lambda: shortcuts_window(app) is None, timeout=10))

    # Ctrl+O opens the photo chooser, as the shortcuts say; Escape cancels it.
    focus_window("Threshold")
    uitest.key("ctrl+o")
    chooser = wait(lambda: subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", "^Open a Photo of the Label$"],
        capture_output=True, text=True).stdout.strip(), timeout=15)
    tap.check("Ctrl+O opens the photo chooser", chooser)
    if chooser:
        focus_window("Open a Photo of the Label")
        time.sleep(0.3)
        uitest.key("Escape")
        tap.check("Escape cancels it", wait(lambda: not subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", "^Open a Photo of the Label$"],
            capture_output=True, text=True).stdout.strip(), timeout=10))

    # Ctrl+comma opens Preferences; Escape closes them.
    focus_window("Threshold")
    uitest.key("ctrl+comma")
    prefs = wait(lambda: app.find(role="frame", name="Preferences"), timeout=10)
    tap.check("Ctrl+comma opens Preferences", prefs is not None)
    if prefs is not None:
        focus_window("Preferences")
        time.sleep(0.3)
        check_round(tap, app, "Preferences", ("Update",), root=prefs)
        uitest.key("Escape")
        tap.check("Escape closes Preferences", wait(
            lambda: app.find(role="frame", name="Preferences") is None, timeout=10))

    # About, from the main menu: every control named, Escape closes it.
    focus_window("Threshold")
    uitest.key("F10")
    item = app.find(role="menu item", name="About Threshold", timeout=5)
    if item is not None:
        item.queryAction().doAction(0)
    about = wait(lambda: app.find(role="frame", name="About"), timeout=10)
    tap.check("the main menu opens About", about is not None)
    if about is not None:
        missing = app.unnamed_controls()
        tap.check("every control of About has an accessible name", not missing,
                  "\n".join(missing))
        uitest.screenshot(os.path.join(shots, "keyboard-about.png"))
        focus_window("About")
        time.sleep(0.3)
        uitest.key("Escape")
        tap.check("Escape closes About",
                  wait(lambda: app.find(role="frame", name="About") is None, timeout=10))

    # Ctrl+Q quits.
    focus_window("Threshold")
    uitest.key("ctrl+q")
    proc = app.procs[0]
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    tap.check("Ctrl+Q quits", proc.poll() == 0, f"exit status {proc.poll()}")

tap.finish()
