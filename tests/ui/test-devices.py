#!/usr/bin/env python3
"""My Devices and the device page, with the app in the controller namespace of a thnet network
and matter.js lights: two that threshold-cli added to the same home first, and a third it adds
while the app shows the empty list.

An empty home shows its empty state, whose button leads to Add Device. Then the list: each
light with its on/off switch, read in the background; a switch turns the light on (the device
says so). The first light's page: renamed (the device reports the NodeLabel), identified (the
device starts identifying), shared (the QR code on screen, read with the app's own scanner,
gives the manual code shown; the time left counts down), sharing stopped, removed through the
dialog (the device reports it is decommissioned, the record is gone). The second light, stopped
meanwhile, is shown as not reachable, and is forgotten through the second dialog; the third,
added by threshold-cli, then appears in the list without anything done in the app. Screenshots of
every state; every control on every page has an accessible name.

Usage: test-devices.py THRESHOLD THRESHOLD_CLI TH_QR_DECODE SCHEMA_DIR SCREENSHOT_DIR
"""
import json
import os
import re
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uinet  # noqa: E402
import uitest  # noqa: E402

binary, cli, qr_decode, schema_dir, shots = sys.argv[1:6]
ACCEPT = "--accept-attestation-failure"
LIGHTS = [dict(port=5540, discriminator=3101, product_id=0x8021, product_name="UI Light 1",
               serial_number="TH-UI-1"),
          dict(port=5541, discriminator=3102, product_id=0x8022, product_name="UI Light 2",
               serial_number="TH-UI-2"),
          dict(port=5542, discriminator=3103, product_id=0x8023, product_name="UI Light 3",
               serial_number="TH-UI-3")]


def shot(name):
    uitest.screenshot(os.path.join(shots, f"devices-{name}.png"))
    return os.path.join(shots, f"devices-{name}.png")


def click(node):
    """The node's own action where it has one ("click" on buttons and tabs), else a pointer
    click in its middle. Coordinates are asked relative to the window: GTK warns about screen
    coordinates, and the app runs with fatal warnings."""
    import pyatspi
    try:
        action = node.queryAction()
        names = [action.getName(i) for i in range(action.nActions)]
    except NotImplementedError:
        names = []
    for wanted in ("click", "activate", "toggle"):
        if wanted in names:
            action.doAction(names.index(wanted))
            return
    extents = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    window = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^Threshold$",
                             "getwindowgeometry", "--shell"], capture_output=True, text=True)
    geometry = dict(line.split("=", 1) for line in window.stdout.split() if "=" in line)
    x = int(geometry.get("X", 0)) + extents.x + extents.width // 2
    y = int(geometry.get("Y", 0)) + extents.y + extents.height // 2
    subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], check=True)


def button(app, label, timeout=5):
    """The push button labelled `label`: GTK 4.8 names a button with a mnemonic "_Label
    Label"."""
    def found():
        for node in app.walk(app.app):
            try:
                if node.getRoleName() == "push button" and \
                        (node.name == label or node.name.endswith(" " + label)):
                    return node
            except Exception:
                continue
        return None
    return wait(found, timeout)


def shown(node):
    """Whether the node is on screen. GTK 4.8 gives no "showing" state below the window, but
    a widget never shown has no size."""
    import pyatspi
    if node is None:
        return False
    extents = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    return extents.width > 0 and extents.height > 0


def selected(node):
    import pyatspi
    return node is not None and node.getState().contains(pyatspi.STATE_SELECTED)


def wait(condition, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    return condition()


def device_line(device, pattern, since, timeout=15):
    try:
        return device.wait_for(pattern, timeout=timeout, since=since)
    except Exception:
        return None


def toasts_gone(app, timeout=30):
    """Waits until no toast is shown. A toast's close button has no accessible name in
    libadwaita 1.2, and a toast may cover what a screenshot must show."""
    return wait(lambda: app.find(name="AdwToastWidget") is None, timeout)


def check_names(tap, app, where):
    toasts_gone(app)
    missing = app.unnamed_controls()
    tap.check(f"every control {where} has an accessible name", not missing, "\n".join(missing))


def check_tab(tap, app, where, must_reach=()):
    """Tab round the page: never stuck, every stop named, the controls named reached."""
    stops, stuck = uitest.tab_round(app)
    names = "\n".join(map(uitest.describe, stops))
    tap.check(f"Tab round {where}: never stuck, every stop named", stops and not stuck and
              all(n.name for n in stops), names)
    reached = " ".join(n.name.replace("_", "") for n in stops)
    for word in must_reach:
        tap.check(f"Tab round {where} reaches “{word}”", word in reached, names)


def run(tap):
    with uinet.Network(binary, cli, schema_dir) as net:
        first, second, third = net.start_devices(LIGHTS)

        # An empty home.
        empty = net.home("empty", trusted=True)
        with net.app(empty) as app:
            switcher = app.find(role="page tab", name="My Devices", timeout=5)
            if switcher is not None:
                click(switcher)
            tap.check("an empty home shows “No Devices Yet”",
                      wait(lambda: shown(app.find(role="label", name="No Devices Yet")), 5))
            shot("empty")
            check_names(tap, app, "of the empty state")
            add = button(app, "Add a Device", 2)
            if add is not None:
                click(add)
            tap.check("its button leads to Add Device",
                      wait(lambda: selected(app.find(role="page tab", name="Add Device")), 5))

        # A home with both lights, added by threshold-cli before the app starts.
        home = net.home("devices", trusted=True)
        for light in (first, second):
            address = f"{net.addresses.ipv4}:{light.port}"
            result = net.run_cli(home, "commission", light.qr, "--address", address, ACCEPT,
                                 timeout=120)
            if result.returncode != 0:
                tap.check(f"threshold-cli adds the light on port {light.port}", False,
                          result.stderr)
                return
        nodes = {n["serialNumber"]: n["nodeId"] for n in net.nodes(home)}

        with net.app(home) as app:
            click(app.find(role="page tab", name="My Devices", timeout=5))
            tap.check("My Devices lists both lights by their product names",
                      app.wait_for_text("UI Light 1", timeout=5) and
                      app.wait_for_text("UI Light 2", timeout=1), "\n".join(app.texts()))
            switch = app.find(name="Switch UI Light 1 On or Off", timeout=2)
            states = wait(lambda: [t for t in app.texts() if t in ("On", "Off")]
                          if len([t for t in app.texts() if t in ("On", "Off")]) >= 2 else None,
                          timeout=20)
            tap.check("each light's switch shows its state, read in the background",
                      switch is not None and states == ["Off", "Off"], states)
            shot("list")
            check_names(tap, app, "of the list")
            check_tab(tap, app, "My Devices", ("Switch UI Light 1", "UI Light 2", "Main Menu"))

            mark = first.mark()
            if switch is not None:
                click(switch)
            tap.check("its switch turns the first light on: the device says so",
                      device_line(first, r"^ONOFF true$", mark) is not None and
                      app.wait_for_text("On", timeout=10), first.lines()[mark:])
            shot("switched-on")

            # The light ends the session the row holds, telling it (CloseSession): the next
            # switch goes over a new session at once, not into the old one until it gives up.
            try:
                ended = first.end_sessions()
            except Exception as e:
                ended = 0
                print(f"# {e}")
            tap.check("the first light ends its sessions with CloseSession", ended >= 1, ended)
            mark = first.mark()
            click(switch)
            tap.check("after that, its switch still turns it off: a new session is opened",
                      device_line(first, r"^ONOFF false$", mark) is not None and
                      wait(lambda: "Not reachable" not in app.texts() and
                           [t for t in app.texts() if t in ("On", "Off")][:1] == ["Off"], 10),
                      "\n".join(app.texts()))
            mark = first.mark()
            click(switch)
            tap.check("and on again", device_line(first, r"^ONOFF true$", mark) is not None and
                      app.wait_for_text("On", timeout=10), first.lines()[mark:])

            # The first light's page.
            row = app.find(role="list item", name="UI Light 1")
            if row is None:
                row = next((n for n in app.walk(app.app) if n.getRoleName() == "list item" and
                            any("UI Light 1" == (c.name or "") for c in app.walk(n))), None)
            click(row)
            tap.check("activating the row opens the device page",
                      button(app, "Remove Device", 5) is not None)
            shot("page")
            check_names(tap, app, "of the device page")
            check_tab(tap, app, "the device page", ("Back", "Identify", "Share", "Remove"))

            entry = app.find(role="text", name="Name", timeout=2)
            mark = first.mark()
            if entry is not None:
                click(entry)
                uitest.key("ctrl+a")
                uitest.type_text("Desk Lamp")
                uitest.key("Return")
            label = device_line(first, r"^LABEL (.*)$", mark)
            tap.check("renaming: the device reports the new NodeLabel",
                      label is not None and label.group(1) == json.dumps("Desk Lamp"),
                      first.lines()[mark:])
            stored = {n["nodeId"]: n for n in net.nodes(home)}
            tap.check("the name is kept in the home's record",
                      stored[nodes["TH-UI-1"]].get("nodeLabel") == "Desk Lamp", stored)
            shot("renamed")

            mark = first.mark()
            click(button(app, "Identify"))
            tap.check("Identify: the light identifies itself for 10 s",
                      device_line(first, r"^IDENTIFY 10$", mark) is not None,
                      first.lines()[mark:])

            click(button(app, "Share Device"))
            code = None
            if button(app, "Stop Sharing", 15):
                code = wait(lambda: next((m.group(0) for t in app.texts()
                                          for m in [re.search(r"\b\d{4}-\d{3}-\d{4}\b", t)] if m),
                                         None), timeout=5)
            tap.check("sharing shows a manual code", code is not None, "\n".join(app.texts()))
            picture = app.find(role="image", name="Sharing QR Code")
            description = picture.description if picture is not None else ""
            tap.check("the QR code is an image with a name and a description",
                      picture is not None and "Desk Lamp" in description, description)
            left = [t for t in app.texts() if re.fullmatch(r"\d+:\d\d", t)]
            time.sleep(2.2)
            later = [t for t in app.texts() if re.fullmatch(r"\d+:\d\d", t)]
            tap.check("the time left is shown and counts down",
                      left and later and left[0].startswith(("10:00", "9:5")) and later != left,
                      f"{left} then {later}")
            toasts_gone(app)
            path = shot("shared")
            decoded = subprocess.run([qr_decode, path], capture_output=True, text=True)
            parsed = net.run_cli(home, "payload", "parse", "--json", decoded.stdout.strip() or "-")
            payload = json.loads(parsed.stdout)["payloads"][0] if parsed.returncode == 0 else {}
            tap.check("the QR code on screen, read with the app's scanner, gives the manual code "
                      "shown", decoded.returncode == 0 and code is not None and
                      payload.get("manualCode") == code.replace("-", ""),
                      f"{decoded.stdout}{decoded.stderr}\n{payload}")
            check_names(tap, app, "while sharing")

            click(button(app, "Stop Sharing"))
            tap.check("Stop Sharing closes the window and hides the code",
                      app.wait_for_text("Sharing stopped", timeout=20), "\n".join(app.texts()))
            shot("stopped")

            # The second light goes away before the list is shown again.
            second.stop()

            click(button(app, "Remove Device"))
            dialog_text = app.wait_for_text("leaves this home", timeout=5)
            shot("remove-dialog")
            check_names(tap, app, "of the remove dialog")
            mark = first.mark()
            click(button(app, "Remove", 2))
            tap.check("the remove dialog explains, and removing decommissions the device",
                      dialog_text and device_line(first, r"^DECOMMISSIONED$", mark) is not None,
                      first.lines()[mark:])
            tap.check("the record is gone and the list shows the other light only",
                      wait(lambda: nodes["TH-UI-1"] not in [n["nodeId"] for n in net.nodes(home)],
                           timeout=5) and
                      wait(lambda: not app.wait_for_text("Desk Lamp", timeout=0.1), timeout=10),
                      "\n".join(app.texts()))
            tap.check("the stopped light is shown as not reachable, not waited for",
                      app.wait_for_text("Not reachable", timeout=25), "\n".join(app.texts()))
            shot("unreachable")

            row = next((n for n in app.walk(app.app) if n.getRoleName() == "list item" and
                        any("UI Light 2" == (c.name or "") for c in app.walk(n))), None)
            click(row)
            click(button(app, "Remove Device", 5))
            click(button(app, "Remove", 5))
            tap.check("removing the unreachable light asks whether to forget it",
                      app.wait_for_text("can forget it anyway", timeout=30), "\n".join(app.texts()))
            shot("forget-dialog")
            check_names(tap, app, "of the forget dialog")
            click(button(app, "Forget", 2))
            tap.check("forgetting it empties the home",
                      wait(lambda: (app.find(role="list", name="My Devices") or app.app)
                           .childCount == 0, 20) and net.nodes(home) == [],
                      "\n".join(app.texts()))
            shot("forgotten")

            # A device added by another program while the page is shown appears in it.
            address = f"{net.addresses.ipv4}:{third.port}"
            added = net.run_cli(home, "commission", third.qr, "--address", address, ACCEPT,
                                timeout=120)
            tap.check("a light added meanwhile by threshold-cli appears in the list",
                      added.returncode == 0 and
                      wait(lambda: (app.find(role="list", name="My Devices") or app.app)
                           .childCount == 1, 15),
                      added.stderr)
            time.sleep(0.5)  # the end of the crossfade
            shot("added-elsewhere")


session = uinet.require()
tap = uitest.Tap()
try:
    run(tap)
except Exception:
    tap.check("the test runs to its end", False, traceback.format_exc())
sys.exit(tap.finish())


session = uinet.require()
tap = uitest.Tap()
try:
    run(tap)
except Exception:
    tap.check("the test runs to its end", False, traceback.format_exc())
sys.exit(tap.finish())
