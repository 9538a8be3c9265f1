"""Drives the real Threshold app through the accessibility tree (AT-SPI) under Xvfb.

Run inside `xvfb-run ... dbus-run-session`, with /usr/bin/python3 (pyatspi is Debian's).
"""
import atexit
import os
import re
import shutil
import subprocess
import sys
import time


# G_DEBUG (fatal-warnings from the test environment) is meant for the app under test. This
# script's own libatspi warns when an app it watched goes away, which must not abort it.
APP_G_DEBUG = os.environ.pop("G_DEBUG", None)


class Skip(Exception):
    pass


def require_environment():
    if not os.environ.get("DISPLAY"):
        raise Skip("no X display: run the suite under xvfb-run")
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        raise Skip("no session bus: run the suite under dbus-run-session")
    try:
        import pyatspi  # noqa: F401
    except ImportError:
        raise Skip("pyatspi is not installed (python3-pyatspi)")
    for tool in ("xdotool", "import"):
        if shutil.which(tool) is None:
            raise Skip(f"{tool} is not installed")


class Tap:
    def __init__(self):
        self.results = []

    def check(self, name, condition, detail=""):
        self.results.append((name, bool(condition), str(detail)))
        return bool(condition)

    def finish(self):
        print(f"1..{len(self.results)}")
        for i, (name, ok, detail) in enumerate(self.results, 1):
            print(f"{'ok' if ok else 'not ok'} {i} - {name}")
            if not ok:
                for line in detail.splitlines()[:30]:
                    print(f"# {line}")
        sys.stdout.flush()
        return 0 if all(ok for _, ok, _ in self.results) else 1


def skip_or_fail(reason):
    print("1..1")
    if os.environ.get("CI") == "true":
        print(f"not ok 1 - cannot run in CI: {reason}")
        return 1
    print(f"ok 1 # SKIP {reason}")
    return 0


_bus_launcher = None
_display_hold = None


def hold_display():
    """Keeps one connection to the X server for the whole script. Xvfb starts afresh each time
    its last client leaves (without -noreset, as xvfb-run starts it), and an app that connects
    while it does so is refused: "cannot open display" between two apps of one script."""
    global _display_hold
    if _display_hold is not None:
        return
    import ctypes
    xlib = ctypes.CDLL("libX11.so.6")
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    _display_hold = xlib.XOpenDisplay(None)
    if not _display_hold:
        raise Skip(f"cannot open the X display {os.environ.get('DISPLAY')}")


def start_accessibility_bus():
    """Starts one AT-SPI bus for the whole script: pyatspi stays connected to the first one
    it sees, so every app the script starts must use that one."""
    global _bus_launcher
    launcher = "/usr/libexec/at-spi-bus-launcher"
    if _bus_launcher is not None or not os.path.exists(launcher):
        return
    _bus_launcher = subprocess.Popen([launcher, "--launch-immediately"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    atexit.register(stop_accessibility_bus)
    time.sleep(0.5)


def stop_accessibility_bus():
    if _bus_launcher is not None and _bus_launcher.poll() is None:
        _bus_launcher.terminate()
        try:
            _bus_launcher.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _bus_launcher.kill()
            _bus_launcher.wait()


class App:
    """The app under test, with its own AT-SPI bus launcher."""

    def __init__(self, binary, schema_dir, args=(), env=None, launch=subprocess.Popen):
        """`launch(argv, env=...)` starts the app and returns its Popen: uinet.py starts it
        inside a network namespace."""
        self.binary = binary
        self.launch = launch
        self.schema_dir = schema_dir
        self.args = list(args)
        self.extra_env = dict(env or {})
        self.procs = []
        self.app = None

    def __enter__(self):
        hold_display()
        start_accessibility_bus()
        env = dict(os.environ)
        env.pop("NO_AT_BRIDGE", None)
        env.update({
            "GSETTINGS_BACKEND": "memory",
            "GSETTINGS_SCHEMA_DIR": self.schema_dir,
            "GSK_RENDERER": "cairo",
            "GDK_BACKEND": "x11",
            "GTK_A11Y": "atspi",
        })
        if APP_G_DEBUG is not None:
            env["G_DEBUG"] = APP_G_DEBUG
        env.update(self.extra_env)
        self.started = time.monotonic()
        self.procs.append(self.launch([self.binary, *self.args], env=env))
        try:
            self.app = self.wait_for_app()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        return False

    def wait_for_app(self, timeout=20):
        import pyatspi
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            desktop = pyatspi.Registry.getDesktop(0)
            for i in range(desktop.childCount):
                child = desktop.getChildAtIndex(i)
                if child is not None and child.name in ("threshold", "Threshold"):
                    if self.find(child, role="frame") is not None:
                        return child
            time.sleep(0.2)
        raise AssertionError("the app did not appear on the accessibility bus")

    @staticmethod
    def walk(node, depth=0):
        if node is None or depth > 60:
            return
        yield node
        # A window that closes while the tree is walked (a dialog) takes its nodes along.
        try:
            children = [node.getChildAtIndex(i) for i in range(node.childCount)]
        except Exception:
            return
        for child in children:
            yield from App.walk(child, depth + 1)

    def find(self, root=None, role=None, name=None, timeout=0):
        deadline = time.monotonic() + timeout
        while True:
            for node in self.walk(root or self.app):
                try:
                    if role is not None and node.getRoleName() != role:
                        continue
                    if name is not None and node.name != name:
                        continue
                except Exception:
                    continue  # gone with its window
                return node
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.1)

    def texts(self):
        """Every name and every text shown, in tree order."""
        out = []
        for node in self.walk(self.app):
            try:
                if node.name:
                    out.append(node.name)
                text = node.queryText()
                value = text.getText(0, text.characterCount)
                if value and value != node.name:
                    out.append(value)
            except NotImplementedError:
                pass
            except Exception:
                pass
        return out

    def wait_for_text(self, needle, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(needle in t for t in self.texts()):
                return True
            time.sleep(0.1)
        return False

    def unnamed_controls(self):
        """Buttons, entries, switches, toggles and rows that a screen reader cannot name."""
        interactive = {"push button", "toggle button", "check box", "radio button", "entry",
                       "text", "password text", "switch", "list item", "combo box", "spin button",
                       "menu item", "slider", "link"}
        import pyatspi
        missing = []
        for node in self.walk(self.app):
            role = node.getRoleName()
            if role not in interactive:
                continue
            # GTK 4.8 sets "showing" on windows only, so "visible" is what can be checked;
            # and it names a widget nobody named after its type ("GtkButton").
            if not node.getState().contains(pyatspi.STATE_VISIBLE):
                continue
            if not node.name or re.fullmatch(r"(Gtk|Adw)[A-Z]\w*", node.name):
                missing.append(f"{role} (parent {node.parent.getRoleName() if node.parent else '?'}: "
                               f"{node.parent.name if node.parent else ''})")
        return missing


def focused(app, root=None):
    """The control that has the keyboard focus, or None (GTK 4.8 does not say it of a text
    entry)."""
    import pyatspi
    for node in app.walk(root or app.app):
        try:
            if node.getRoleName() in ("frame", "dialog", "window"):
                continue
            if node.getState().contains(pyatspi.STATE_FOCUSED):
                return node
        except Exception:
            continue
    return None


def tab_round(app, presses=24, root=None):
    """Presses Tab `presses` times and says where the focus went: (the controls it stopped
    on, in order of first visit; whether it got stuck, the same control three presses in a
    row). None stands for a stop no control claims (a text entry, in GTK 4.8)."""
    seen, stuck, run, last = [], False, 0, object()
    for _ in range(presses):
        key("Tab")
        time.sleep(0.15)
        node = focused(app, root)
        run = run + 1 if node is not None and node == last else 1
        stuck = stuck or run >= 3
        last = node
        if node is not None and node not in seen:
            seen.append(node)
    return seen, stuck


def focus_window(title):
    """Without a window manager nobody gives a window the keyboard: gives it to the visible
    window called `title`."""
    ids = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name",
                          f"^{title}$"], capture_output=True, text=True, timeout=10).stdout
    return any(subprocess.run(["xdotool", "windowfocus", "--sync", w],
                              stderr=subprocess.DEVNULL, timeout=10).returncode == 0
               for w in ids.split())


def describe(node):
    try:
        return f"{node.getRoleName()} “{node.name}”" if node is not None else "(nothing)"
    except Exception:
        return "(gone)"


def type_text(text):
    subprocess.run(["xdotool", "type", "--delay", "15", text], check=True)


def key(*keys):
    subprocess.run(["xdotool", "key", *keys], check=True)


def screenshot(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    subprocess.run(["import", "-window", "root", path], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def press(app, name, timeout=5, within=None, within_role="panel"):
    """Presses the first button whose name starts with `name`, inside the node of role
    `within_role` called `within` if given (any name when `within` is None and the role is
    not "panel": within_role="dialog" for the open dialog). GTK 4.8 names a button with a
    label after both its accessible label and its text ("Try Again Try Again"), and cannot
    press one on a hidden page."""
    deadline = time.monotonic() + timeout
    scoped = within is not None or within_role != "panel"
    while True:
        root = app.find(role=within_role, name=within) if scoped else app.app
        for node in app.walk(root) if root is not None else ():
            if node.getRoleName() == "push button" and node.name.replace("_", "") \
                    .startswith(name):
                node.queryAction().doAction(0)
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def open_photo(app, path):
    """Opens `path` through the real file chooser, as a person typing its location would."""
    if not press(app, "Open a Photo of the Label"):
        return False
    if app.find(name="Open a Photo of the Label", role="filler", timeout=30) is None:
        return False
    time.sleep(0.5)
    # Without a window manager nobody gives the dialog the keyboard.
    subprocess.run(["xdotool", "search", "--name", "^Open a Photo of the Label$",
                    "windowfocus", "--sync"], check=True)
    # Typing a "/" in the file chooser opens its location entry.
    type_text(path)
    time.sleep(0.3)
    key("Return")
    return True


def picture(path, text=None):
    """A 640x480 'camera frame' at `path`: grey, with the QR code of `text` in the middle."""
    command = ["convert", "-size", "640x480", "xc:#8a8f96"]
    if text is not None:
        qr = path + ".qr.png"
        subprocess.run(["qrencode", "-o", qr, "-s", "6", "-m", "3", text], check=True)
        command += [qr, "-gravity", "center", "-composite"]
    subprocess.run(command + ["-depth", "8", "PNG24:" + path], check=True)
    return path
