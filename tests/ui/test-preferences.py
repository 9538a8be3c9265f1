#!/usr/bin/env python3
"""The Preferences window: opened with Ctrl+comma, the ledger's network switched (read back
from the settings file), the trust store updated from the local ledger stand-in, and a PAA
certificate imported for development through the real file chooser, then removed.

The settings use GLib's keyfile backend here, so that the test reads what the app wrote.

    test-preferences.py THRESHOLD SCHEMA_DIR SCREENSHOTS DCL_FIXTURE_SERVER
"""
import configparser
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uitest  # noqa: E402

binary, schema_dir, shots, fixture_server = sys.argv[1:5]

try:
    uitest.require_environment()
except uitest.Skip as skip:
    sys.exit(uitest.skip_or_fail(str(skip)))

VECTORS = os.path.join(os.environ["TH_VECTORS_DIR"], "credentials/test/attestation")
PAAS = [os.path.join(VECTORS, name)
        for name in ("Chip-Test-PAA-NoVID-Cert.pem", "Chip-Test-PAA-FFF1-Cert.pem")]
home = tempfile.mkdtemp(prefix="th-preferences-")
config = os.path.join(home, "config")
keyfile = os.path.join(config, "glib-2.0", "settings", "keyfile")
GROUP = "io/github/threshold/Threshold"
development = os.path.join(home, "data", "threshold", "trust", "paa")
synced = os.path.join(home, "cache", "threshold", "paa")


def setting(name):
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(keyfile)
    return parser.get(GROUP, name, fallback=None)


def dump(app):
    gone = [p.returncode for p in app.procs if p.poll() is not None]
    if gone:
        return f"the app is gone, exit status {gone}"
    try:
        return "\n".join(f"{n.getRoleName()}: {n.name}" for n in app.walk(app.app))
    except Exception as e:
        return f"the accessibility tree cannot be read: {e}"


def find_window(app, title, timeout=10):
    return app.find(role="frame", name=title, timeout=timeout) or \
        app.find(role="dialog", name=title, timeout=1)


def press(app, name, root=None, timeout=5):
    """Presses the first button whose name starts with `name` (GTK 4.8 repeats a labelled
    button's text after its accessible name)."""
    deadline = time.monotonic() + timeout
    while True:
        for node in app.walk(root or app.app):
            try:
                if node.getRoleName() == "push button" and \
                        node.name.replace("_", "").startswith(name):
                    node.queryAction().doAction(0)
                    return True
            except Exception:
                continue
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


focus = uitest.focus_window


def click(node, title):
    """Clicks the middle of a node in the window called `title`, as a pointer would (GTK 4
    gives positions relative to the window only)."""
    import pyatspi
    try:
        box = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    except Exception:
        return False
    window = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", f"^{title}$"],
                            capture_output=True, text=True, timeout=10).stdout.split()
    if not window:
        return False
    # no --sync: it waits for the pointer to move, forever when it is already there
    subprocess.run(["xdotool", "mousemove", "--window", window[0],
                    str(box.x + box.width // 2), str(box.y + box.height // 2)],
                   check=True, timeout=10)
    time.sleep(0.2)
    subprocess.run(["xdotool", "click", "1"], check=True, timeout=10)
    return True


def wait_until(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


ledger = subprocess.Popen([fixture_server, os.environ["TH_DCL_FIXTURES"],
                           "--paa", PAAS[0], "--paa", PAAS[1]],
                          stdout=subprocess.PIPE, text=True)
url = ledger.stdout.readline().split()[1]
os.makedirs(os.path.dirname(keyfile))
with open(keyfile, "w") as f:
    f.write(f"[{GROUP}]\ndcl-url-override='{url}'\n")

tap = uitest.Tap()
env = {"GSETTINGS_BACKEND": "keyfile", "XDG_CONFIG_HOME": config,
       "XDG_DATA_HOME": os.path.join(home, "data"),
       "XDG_CACHE_HOME": os.path.join(home, "cache")}
try:
    with uitest.App(binary, schema_dir, env=env) as app:
        focus("Threshold")
        uitest.key("ctrl+comma")
        prefs = find_window(app, "Preferences")
        tap.check("Ctrl+comma opens the Preferences window", prefs is not None, dump(app))
        tap.check("the trust store says it is empty and how to fill it",
                  app.wait_for_text("Empty: update it"), "\n".join(app.texts()))
        tap.check("every control of the Preferences window has an accessible name",
                  not app.unnamed_controls(), "\n".join(app.unnamed_controls()))
        time.sleep(0.5)
        uitest.screenshot(os.path.join(shots, "preferences.png"))

        # The network: the combo row's list, chosen with the keyboard as a person would.
        row = app.find(name="Network", root=prefs)
        tap.check("the network row is named", row is not None, dump(app))
        tap.check("the main net is the default", setting("dcl-network") is None,
                  str(setting("dcl-network")))
        # GTK 4.8 offers no action on the row: it is clicked, and so is its list's item.
        tap.check("the network row opens its list", click(row, "Preferences"), dump(app))
        item = app.find(role="list item", name="Test Net", root=prefs, timeout=5)
        tap.check("the list offers Test Net", item is not None, dump(app))
        time.sleep(0.5)
        uitest.screenshot(os.path.join(shots, "preferences-network.png"))
        focus("Preferences")
        uitest.key("Down", "Return")
        tap.check("choosing Test Net writes dcl-network",
                  wait_until(lambda: setting("dcl-network") == "'test'"),
                  str(setting("dcl-network")))

        # Update Now: the roots of the local ledger (the override above) are written.
        tap.check("Update Now can be pressed", press(app, "Update Now", prefs), dump(app))
        tap.check("the update says how many roots the ledger gave",
                  app.wait_for_text("Trust store updated: 2 root certificates from the ledger",
                                    timeout=20), "\n".join(app.texts()))
        tap.check("the synced roots are on disk",
                  os.path.isdir(synced) and len(os.listdir(synced)) == 2,
                  str(os.listdir(synced) if os.path.isdir(synced) else "no folder"))
        tap.check("the update says how many revocation lists were checked",
                  app.wait_for_text("0 of 2 revocation lists checked"), "\n".join(app.texts()))
        tap.check("the trust store's size and age are shown",
                  app.wait_for_text("2 root certificates, "), "\n".join(app.texts()))
        tap.check("and what the revocation lists revoke",
                  app.wait_for_text("0 certificates revoked"), "\n".join(app.texts()))

        # Import through the real file chooser, typing the file's location.
        tap.check("No certificates imported at first",
                  "No certificates imported" in app.texts(), "\n".join(app.texts()))
        tap.check("Import Certificate can be pressed",
                  press(app, "Import Certificate", prefs), dump(app))
        # The dialog is waited for on the X server: walking the accessibility tree while GTK
        # builds the dialog is what the test should not depend on.
        tap.check("the file chooser opens", focus("Import a PAA Certificate"), dump(app))
        time.sleep(0.5)
        uitest.type_text(os.path.join(VECTORS, "Chip-Test-PAA-FFF1-Cert.pem"))
        time.sleep(0.3)
        uitest.key("Return")
        tap.check("the imported certificate is listed with its subject",
                  app.wait_for_text("CN=Matter Test PAA, vid=FFF1", timeout=10),
                  "\n".join(app.texts()))
        tap.check("and its subject key ID", app.wait_for_text("6A:FD:22:77:1F:51"),
                  "\n".join(app.texts()))
        tap.check("the certificate is in the development folder",
                  os.listdir(development) == ["6AFD22771F511FECBF1641976710DCDC31A1717E.der"],
                  str(os.listdir(development)))
        # libadwaita 1.2 leaves a toast's close button unnamed: the walk waits the toast out.
        time.sleep(6)
        tap.check("every control has an accessible name with a certificate listed",
                  not app.unnamed_controls(), "\n".join(app.unnamed_controls()))
        time.sleep(0.5)
        uitest.screenshot(os.path.join(shots, "preferences-development-trust.png"))

        tap.check("the certificate's remove button is named after it",
                  press(app, "Remove CN=Matter Test PAA, vid=FFF1", prefs), dump(app))
        tap.check("removing it empties the list",
                  app.wait_for_text("No certificates imported"), "\n".join(app.texts()))
        tap.check("and the development folder", os.listdir(development) == [],
                  str(os.listdir(development)))
finally:
    ledger.terminate()
    ledger.wait()

sys.exit(tap.finish())
