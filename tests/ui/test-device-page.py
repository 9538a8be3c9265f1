#!/usr/bin/env python3
"""The device page: what the compliance ledger (a local stand-in) says of a device, its pairing
steps and links, and a manufacturer's custom setup opened in a stand-in web browser and
returned to the app through a threshold:// link given to a second run of the app.

The browser is a desktop file registered, in a private XDG_DATA_HOME, as the handler of
https links: GIO launches it as it would launch a real one, and it writes down the URL.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uitest  # noqa: E402

binary, schema_dir, shots, fixture_server = sys.argv[1:5]

PLUG = "MT:634J0E5X01KA0648G00"          # FFF2/8001, user intent, discriminator 3841
LIGHT = "MT:Y.K9029Q00KA0648G00"         # FFF1/8000, custom flow, discriminator 3840
RETURNED = "MT:Y.K90AFN00KA0648G00"      # FFF1/8000, standard flow
PROGRESS = "Adding Device"                # the title of the progress page

try:
    uitest.require_environment()
    fixtures = os.environ.get("TH_DCL_FIXTURES")
    if fixtures is None or not os.path.exists(os.path.join(fixtures, "routes.json")):
        raise uitest.Skip("TH_DCL_FIXTURES does not name the ledger fixtures")
except uitest.Skip as skip:
    sys.exit(uitest.skip_or_fail(str(skip)))

work = tempfile.mkdtemp(prefix="th-device-page-")
data_home = os.path.join(work, "data")
config_home = os.path.join(work, "config")
opened = os.path.join(work, "opened.txt")
applications = os.path.join(data_home, "applications")
os.makedirs(applications)
os.makedirs(os.path.join(config_home, "glib-2.0", "settings"))

browser = os.path.join(work, "fake-browser")
with open(browser, "w") as f:
    f.write(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{opened}"\n')
os.chmod(browser, 0o755)
with open(os.path.join(applications, "th-fake-browser.desktop"), "w") as f:
    f.write("[Desktop Entry]\nType=Application\nName=Fake Browser\n"
            f"Exec={browser} %u\nMimeType=x-scheme-handler/https;x-scheme-handler/http;\n")
# The app as the handler of its own scheme, as its installed desktop file makes it.
with open(os.path.join(applications, "th-threshold.desktop"), "w") as f:
    f.write("[Desktop Entry]\nType=Application\nName=Threshold\n"
            f"Exec={binary} %u\nMimeType=x-scheme-handler/threshold;\n")
with open(os.path.join(config_home, "mimeapps.list"), "w") as f:
    f.write("[Default Applications]\nx-scheme-handler/https=th-fake-browser.desktop\n"
            "x-scheme-handler/http=th-fake-browser.desktop\n"
            "x-scheme-handler/threshold=th-threshold.desktop\n")

ledger = subprocess.Popen([fixture_server, fixtures, "--set",
                           "FLOW_URL_BASE=https://vendor.example"],
                          stdout=subprocess.PIPE, text=True)
line = ledger.stdout.readline().strip()
if not line.startswith("URL "):
    ledger.terminate()
    sys.exit(uitest.skip_or_fail(f"dcl-fixture-server did not start: {line!r}"))
with open(os.path.join(config_home, "glib-2.0", "settings", "keyfile"), "w") as f:
    f.write(f"[io/github/threshold/Threshold]\ndcl-url-override='{line[4:]}'\n")

# A desktop without a handler for threshold:// links: the setup page returns to a listener on
# this computer.
loopback_data = os.path.join(work, "loopback-data")
loopback_config = os.path.join(work, "loopback-config")
os.makedirs(os.path.join(loopback_data, "applications"))
os.makedirs(os.path.join(loopback_config, "glib-2.0", "settings"))
shutil.copy(os.path.join(applications, "th-fake-browser.desktop"),
            os.path.join(loopback_data, "applications"))
with open(os.path.join(loopback_config, "mimeapps.list"), "w") as f:
    f.write("[Default Applications]\nx-scheme-handler/https=th-fake-browser.desktop\n")
shutil.copy(os.path.join(config_home, "glib-2.0", "settings", "keyfile"),
            os.path.join(loopback_config, "glib-2.0", "settings"))
loopback_env = {
    "GSETTINGS_BACKEND": "keyfile",
    "XDG_DATA_HOME": loopback_data,
    "XDG_CONFIG_HOME": loopback_config,
    "XDG_CACHE_HOME": os.path.join(work, "cache"),
}

env = {
    "GSETTINGS_BACKEND": "keyfile",
    "XDG_DATA_HOME": data_home,
    "XDG_CONFIG_HOME": config_home,
    "XDG_CACHE_HOME": os.path.join(work, "cache"),
}


def dump(app):
    lines = []
    for node in app.walk(app.app):
        try:
            lines.append(f"{node.getRoleName()}: {node.name}")
        except Exception:
            continue
    return "\n".join(lines)


def press(app, name, timeout=5):
    """Presses the first shown button whose name starts with `name`."""
    import pyatspi
    deadline = time.monotonic() + timeout
    while True:
        for node in app.walk(app.app):
            try:
                if node.getRoleName() == "push button" and node.name.startswith(name) and \
                        node.getState().contains(pyatspi.STATE_VISIBLE) and \
                        node.getState().contains(pyatspi.STATE_SENSITIVE):
                    node.queryAction().doAction(0)
                    return True
            except Exception:
                continue
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def opened_urls():
    try:
        with open(opened) as f:
            return [u for u in f.read().splitlines() if u]
    except FileNotFoundError:
        return []


def wait_for_url(count, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(opened_urls()) >= count:
            return opened_urls()[count - 1]
        time.sleep(0.1)
    return None


def second_run(uri):
    """The desktop opening a threshold:// link: the app started again with it, which hands it
    to the running one and ends."""
    full_env = dict(os.environ)
    full_env.update(env)
    full_env.update({"GSETTINGS_SCHEMA_DIR": schema_dir, "GDK_BACKEND": "x11",
                     "NO_AT_BRIDGE": "1"})
    if uitest.APP_G_DEBUG is not None:
        full_env["G_DEBUG"] = uitest.APP_G_DEBUG
    proc = subprocess.run([binary, uri], env=full_env, timeout=20)
    return proc.returncode


def window_width():
    """The width of the app's window, as the X server has it."""
    out = subprocess.run(["sh", "-c",
                          "for w in $(xdotool search --onlyvisible --name '^Threshold$'); "
                          "do xdotool getwindowgeometry $w; done"],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        if "Geometry:" in line:
            return int(line.split()[-1].split("x")[0])
    return None


def enter_code(app, code):
    entry = app.find(role="text", name="Setup Code", timeout=10)
    if entry is None:
        return False
    uitest.key("ctrl+a", "BackSpace")
    uitest.type_text(code)
    if not app.wait_for_text("The code is valid."):
        return False
    uitest.key("Return")
    return True


tap = uitest.Tap()
try:
    # A device with the user-intent flow: the ledger's names, steps and links.
    with uitest.App(binary, schema_dir, env=env) as app:
        tap.check("a valid code leads on", enter_code(app, PLUG), dump(app))
        tap.check("the device page names the product from the ledger",
                  app.wait_for_text("Threshold Test Plug", timeout=15), dump(app))
        texts = app.texts()
        tap.check("the device page names the vendor from the ledger",
                  "Plugs Example" in texts, "\n".join(texts))
        tap.check("the device page says the kind of device", "Plug" in texts, "\n".join(texts))
        tap.check("the device page says where its information came from",
                  "From the compliance ledger" in texts, "\n".join(texts))
        tap.check("the user-intent flow asks for pairing mode first",
                  any(t.startswith("This device must be put in pairing mode") for t in texts),
                  "\n".join(texts))
        tap.check("the ledger's pairing instruction is shown in words",
                  any("blue" in t for t in texts), "\n".join(texts))
        tap.check("the manual link names its host", "plugs.example" in texts, "\n".join(texts))
        tap.check("every control on the device page has an accessible name",
                  not app.unnamed_controls(), "\n".join(app.unnamed_controls()))
        time.sleep(0.5)
        uitest.screenshot(os.path.join(shots, "device-page.png"))
        tap.check("nothing was opened before a click", opened_urls() == [], opened_urls())
        press(app, "Open User Manual")
        tap.check("the manual opens in the browser on a click",
                  wait_for_url(1) == "https://plugs.example/manual", opened_urls())
        press(app, "Open Support Page")
        tap.check("the support page opens in the browser on a click",
                  wait_for_url(2) == "https://plugs.example/help", opened_urls())
        tap.check("a link with no setup waiting is refused with a toast",
                  second_run("threshold://custom-flow?state=abc") == 0 and
                  app.wait_for_text("No device setup is waiting for this link."),
                  "\n".join(app.texts()))
        tap.check("Add Device goes on to adding the device",
                  press(app, "Add Device") and app.wait_for_text(PROGRESS),
                  "\n".join(app.texts()))

    # A device with a custom flow: out to the manufacturer's page and back.
    os.remove(opened) if os.path.exists(opened) else None
    with uitest.App(binary, schema_dir, env=env) as app:
        tap.check("a custom-flow code leads on", enter_code(app, LIGHT), dump(app))
        tap.check("the custom-flow step says where it goes",
                  app.wait_for_text("opens vendor.example in your web browser", timeout=15),
                  "\n".join(app.texts()))
        texts = app.texts()
        tap.check("the custom-flow page names the product", "Threshold Test Light" in texts,
                  "\n".join(texts))
        tap.check("every control on the custom-flow step has an accessible name",
                  not app.unnamed_controls(), "\n".join(app.unnamed_controls()))
        time.sleep(0.5)
        uitest.screenshot(os.path.join(shots, "device-custom-flow.png"))
        tap.check("nothing is opened before Open Setup Page", opened_urls() == [],
                  opened_urls())

        width = window_width()
        tap.check("Open Setup Page is pressed", press(app, "Open Setup Page"), dump(app))
        url = wait_for_url(1)
        tap.check("the setup page is opened in the browser", url is not None, opened_urls())
        parsed = urllib.parse.urlsplit(url or "")
        query = urllib.parse.parse_qs(parsed.query)
        tap.check("it is the ledger's URL", parsed.scheme == "https" and
                  parsed.netloc == "vendor.example" and parsed.path == "/matter/setup" and
                  query.get("vid") == ["FFF1"] and parsed.fragment == "welcome", url)
        tap.check("MTop holds the code", query.get("MTop") == [LIGHT], url)
        callback = urllib.parse.urlsplit((query.get("MTcu") or [""])[0])
        state = urllib.parse.parse_qs(callback.query).get("state", [""])[0]
        tap.check("MTcu is a threshold:// link with a one-time state",
                  callback.scheme == "threshold" and callback.netloc == "custom-flow" and
                  len(state) >= 16, url)
        tap.check("the page waits with Cancel and Enter a Code Instead",
                  app.wait_for_text("sends you back here when they are done") and
                  app.find(role="push button", name="Cancel") is not None and
                  app.find(role="push button", name="Enter a Code Instead") is not None,
                  dump(app))
        tap.check("the window keeps its width while waiting",
                  width is not None and window_width() == width,
                  f"{width} before, {window_width()} while waiting")
        tap.check("every control while waiting has an accessible name",
                  not app.unnamed_controls(), "\n".join(app.unnamed_controls()))
        time.sleep(0.3)
        uitest.screenshot(os.path.join(shots, "device-custom-flow-waiting.png"))

        tap.check("a link with a wrong token is refused with the engine's reason",
                  second_run("threshold://custom-flow?state=" + "0" * len(state) + "&MTrop=_")
                  == 0 and app.wait_for_text("does not carry the one-time token"),
                  "\n".join(app.texts()))
        tap.check("the page still waits after a refused link",
                  not any(PROGRESS in t for t in app.texts()), "\n".join(app.texts()))
        uitest.screenshot(os.path.join(shots, "device-custom-flow-refused.png"))

        tap.check("the right link resumes the flow with the user's code",
                  second_run(f"threshold://custom-flow?state={state}&MTrop=_") == 0 and
                  app.wait_for_text("The manufacturer’s setup is done.") and
                  app.wait_for_text(PROGRESS), "\n".join(app.texts()))
        time.sleep(0.3)
        uitest.screenshot(os.path.join(shots, "device-custom-flow-done.png"))

    # Cancelled, opened again, and this time the manufacturer gives a code back.
    with uitest.App(binary, schema_dir, env=env) as app:
        enter_code(app, LIGHT)
        app.wait_for_text("opens vendor.example in your web browser", timeout=15)
        press(app, "Open Setup Page")
        url = wait_for_url(2)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url or "").query)
        old_state = urllib.parse.parse_qs(urllib.parse.urlsplit(
            (query.get("MTcu") or [""])[0]).query).get("state", [""])[0]
        tap.check("Cancel leaves the wait", press(app, "Cancel") and
                  app.find(role="push button", name="Open Setup Page", timeout=5) is not None,
                  dump(app))
        tap.check("a link after Cancel finds no setup waiting",
                  second_run(f"threshold://custom-flow?state={old_state}&MTrop=_") == 0 and
                  app.wait_for_text("No device setup is waiting for this link."),
                  "\n".join(app.texts()))
        tap.check("the setup can be opened again", press(app, "Open Setup Page"), dump(app))
        url = wait_for_url(3)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url or "").query)
        new_state = urllib.parse.parse_qs(urllib.parse.urlsplit(
            (query.get("MTcu") or [""])[0]).query).get("state", [""])[0]
        tap.check("a new setup has a new token",
                  old_state and new_state and new_state != old_state, url)
        tap.check("the token of the cancelled setup is refused",
                  second_run(f"threshold://custom-flow?state={old_state}&MTrop=_") == 0 and
                  app.wait_for_text("does not carry the one-time token"),
                  "\n".join(app.texts()))
        returned = urllib.parse.quote(RETURNED, safe="")
        tap.check("a link with MTrop goes on with the code it gives",
                  second_run(f"threshold://custom-flow?state={new_state}&MTrop={returned}")
                  == 0 and app.wait_for_text("gave a new setup code") and
                  app.wait_for_text(PROGRESS), "\n".join(app.texts()))

    # Enter a Code Instead: the setup is left, and the code typed is used.
    with uitest.App(binary, schema_dir, env=env) as app:
        enter_code(app, LIGHT)
        app.wait_for_text("opens vendor.example in your web browser", timeout=15)
        press(app, "Open Setup Page")
        wait_for_url(4)
        tap.check("Enter a Code Instead shows the code entry",
                  press(app, "Enter a Code Instead") and
                  app.find(role="text", name="Setup Code", timeout=5) is not None, dump(app))
        time.sleep(0.5)
        uitest.type_text(RETURNED)
        tap.check("the code typed instead is accepted", app.wait_for_text("The code is valid."),
                  "\n".join(app.texts()))
        tap.check("Add Device goes on with the code typed instead",
                  press(app, "Add Device") and app.wait_for_text(PROGRESS),
                  "\n".join(app.texts()))

    # The loopback listener: the browser comes back to 127.0.0.1.
    with uitest.App(binary, schema_dir, env=loopback_env) as app:
        enter_code(app, LIGHT)
        app.wait_for_text("opens vendor.example in your web browser", timeout=15)
        press(app, "Open Setup Page")
        url = wait_for_url(5)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url or "").query)
        callback = (query.get("MTcu") or [""])[0]
        parts = urllib.parse.urlsplit(callback)
        state = urllib.parse.parse_qs(parts.query).get("state", [""])[0]
        tap.check("without a threshold:// handler MTcu is a loopback URL",
                  parts.scheme == "http" and parts.hostname == "127.0.0.1" and
                  parts.port is not None and len(state) >= 16, url)

        def get(query):
            target = urllib.parse.urlunsplit(("http", parts.netloc, parts.path, query, ""))
            try:
                with urllib.request.urlopen(target, timeout=10) as answer:
                    return answer.status, answer.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, e.read().decode()

        status, body = get("state=" + "0" * len(state) + "&MTrop=_")
        tap.check("the listener refuses a wrong token, and the app says so",
                  status == 403 and app.wait_for_text("does not carry the one-time token"),
                  f"{status} {body}")
        status, body = get(f"state={state}&MTrop=_")
        tap.check("the listener takes the right token and the flow goes on",
                  status == 200 and app.wait_for_text(PROGRESS), f"{status} {body}")
finally:
    ledger.terminate()
    ledger.wait()
    shutil.rmtree(work, ignore_errors=True)

sys.exit(tap.finish())
