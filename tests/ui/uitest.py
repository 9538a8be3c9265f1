"""Drives the real Threshold app through the accessibility tree (AT-SPI) under Xvfb.

Run inside `xvfb-run ... dbus-run-session`, with /usr/bin/python3 (pyatspi is Debian's).
"""
import os
import shutil
import subprocess
import sys
import time


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


class App:
    """The app under test, with its own AT-SPI bus launcher."""

    def __init__(self, binary, schema_dir, args=()):
        self.binary = binary
        self.schema_dir = schema_dir
        self.args = list(args)
        self.procs = []
        self.app = None

    def __enter__(self):
        launcher = "/usr/libexec/at-spi-bus-launcher"
        if os.path.exists(launcher):
            self.procs.append(subprocess.Popen([launcher, "--launch-immediately"],
                                               stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL))
            time.sleep(0.5)
        env = dict(os.environ)
        env.pop("NO_AT_BRIDGE", None)
        env.update({
            "GSETTINGS_BACKEND": "memory",
            "GSETTINGS_SCHEMA_DIR": self.schema_dir,
            "GSK_RENDERER": "cairo",
            "GDK_BACKEND": "x11",
            "GTK_A11Y": "atspi",
        })
        self.started = time.monotonic()
        self.procs.append(subprocess.Popen([self.binary, *self.args], env=env))
        self.app = self.wait_for_app()
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
        for i in range(node.childCount):
            yield from App.walk(node.getChildAtIndex(i), depth + 1)

    def find(self, root=None, role=None, name=None, timeout=0):
        deadline = time.monotonic() + timeout
        while True:
            for node in self.walk(root or self.app):
                if role is not None and node.getRoleName() != role:
                    continue
                if name is not None and node.name != name:
                    continue
                return node
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.1)

    def texts(self):
        """Every name and every text shown, in tree order."""
        out = []
        for node in self.walk(self.app):
            if node.name:
                out.append(node.name)
            try:
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
        missing = []
        for node in self.walk(self.app):
            role = node.getRoleName()
            if role not in interactive:
                continue
            states = node.getState()
            import pyatspi
            if not states.contains(pyatspi.STATE_SHOWING):
                continue
            if not node.name:
                missing.append(f"{role} (parent {node.parent.getRoleName() if node.parent else '?'}: "
                               f"{node.parent.name if node.parent else ''})")
        return missing


def type_text(text):
    subprocess.run(["xdotool", "type", "--delay", "15", text], check=True)


def key(*keys):
    subprocess.run(["xdotool", "key", *keys], check=True)


def screenshot(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    subprocess.run(["import", "-window", "root", path], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
