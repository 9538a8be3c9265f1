#!/usr/bin/env python3
"""Adding matter.js devices with the real app, in the controller namespace of a test network
(uinet.py): a QR code from a photo and from the stand-in camera to Done, the attestation
question answered both ways, a wrong passcode, and cancelling midway. After each, the store
is read with threshold-cli in the same home."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uinet  # noqa: E402
import uitest  # noqa: E402

binary, cli, schema_dir, shots = sys.argv[1:5]

PAGE = "Adding Devices"
WRONG_PASSCODE = ("The passcode does not match this device.\n\nCheck the code on the device or "
                  "its box, type it again, and try again.")
GENUINE = "This Device May Not Be Genuine"
WARNING = "Add This Device Anyway?"
DEVICES = [
    dict(port=5540, discriminator=3001, product_name="Desk Lamp"),
    dict(port=5541, discriminator=3002, product_name="Porch Light"),
    dict(port=5542, discriminator=3003, product_name="Hall Light"),
    dict(port=5543, discriminator=3004, product_name="Garden Light"),
]

uinet.require()
for tool in ("qrencode", "convert"):
    if subprocess.run(["which", tool], capture_output=True).returncode != 0:
        uinet.thnet.skip_or_fail(f"{tool} is not installed")


def dump(app):
    try:
        return "\n".join(f"{n.getRoleName()}: {n.name} [{n.description}]"
                         for n in app.walk(app.app))
    except Exception as e:
        return f"the app is gone ({e}); its log ends:\n{net.app_log_tail()}"


def page_says(app, start, timeout=60):
    """Waits until the progress page says it shows `start` (its accessible description)."""
    deadline = time.monotonic() + timeout
    while True:
        node = app.find(role="panel", name=PAGE)
        try:
            if node is not None and node.description.startswith(start):
                return True
        except Exception:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


def page_description(app):
    node = app.find(role="panel", name=PAGE)
    return node.description if node is not None else "(no progress page)\n" + dump(app)


def shot(name):
    time.sleep(0.6)
    uitest.screenshot(os.path.join(shots, name + ".png"))


def enter_code(app, code):
    """Types `code` into the Add Device page's entry, which has the keyboard focus, as a
    person would."""
    app.find(role="text", name="Setup Code", timeout=10)
    uitest.key("ctrl+a", "BackSpace")
    uitest.type_text(code)
    return app.wait_for_text("The code is valid.", timeout=10)


def answer_dialog(app, heading, response):
    """Waits for the attestation question, then answers it; False if it did not come."""
    if not app.wait_for_text(heading, timeout=60):
        return False
    return uitest.press(app, response)


def go_on(app):
    """Continue with the code, then Add Device on the device page it leads to."""
    return uitest.press(app, "Continue") and uitest.press(app, "Add Device", timeout=15)


def no_secrets(app, *passcodes):
    return not any(str(p) in t for t in app.texts() for p in passcodes)


tap = uitest.Tap()
with uinet.Network(binary, cli, schema_dir) as net:
    lamp, porch, hall, garden = net.start_devices(DEVICES)
    trusted = net.home("trusted", trusted=True)
    untrusted = net.home("untrusted")

    # A photo of the label, opened through the file chooser, to Done.
    photo = uitest.picture(str(net.workdir / "lamp.png"), lamp.qr)
    with net.app(trusted, env={"TH_CAMERA_SOURCE": "none"}) as app:
        tap.check("the photo is opened", uitest.open_photo(app, photo), dump(app))
        tap.check("the photo's code is read", app.wait_for_text("The code is valid.", 15),
                  "\n".join(app.texts()))
        tap.check("Continue and Add Device start adding the device", go_on(app), dump(app))
        tap.check("the progress page lists the stages in words",
                  app.find(name="Checking that the device is genuine", timeout=10) is not None,
                  dump(app))
        tap.check("with the test roots trusted, the question names the one warning",
                  app.wait_for_text(WARNING, timeout=60) and
                  app.wait_for_text("test device", timeout=5), "\n".join(app.texts()))
        stages = [n for n in app.walk(app.find(role="panel", name=PAGE))
                  if n.getRoleName() in ("list item", "row") and n.description]
        tap.check("the stages before attestation are marked done, attestation in progress",
                  any(n.name.startswith("Connecting securely with the setup code") and n.description == "Done"
                      for n in stages) and
                  any(n.name.startswith("Checking that the device is genuine") and
                      n.description == "In progress" for n in stages),
                  "\n".join(f"{n.name}: {n.description}" for n in stages))
        tap.check("every control is named with the question open", not app.unnamed_controls(),
                  "\n".join(app.unnamed_controls()))
        shot("commission-attestation-warning")
        tap.check("Add Anyway goes on", uitest.press(app, "Add Anyway"), dump(app))
        tap.check("the device is added: Done names it", page_says(app, "“Desk Lamp” Was Added"),
                  page_description(app))
        # libadwaita 1.2 leaves the close button of every toast unnamed: not ours to name.
        unnamed = [c for c in app.unnamed_controls() if "AdwToastWidget" not in c]
        tap.check("every control of ours is named on the Done page", not unnamed,
                  "\n".join(unnamed))
        shot("commission-done")
        tap.check("no passcode is ever shown", no_secrets(app, 20202021), "")
        nodes = net.nodes(trusted)
        tap.check("the store holds the device", [n.get("productName") for n in nodes] ==
                  ["Desk Lamp"], json.dumps(nodes))
        tap.check("Add Another Device goes back to the code",
                  uitest.press(app, "Add Another Device", within=PAGE) and
                  app.find(role="text", name="Setup Code", timeout=5) is not None, dump(app))

    # The stand-in camera shown the code of the next device.
    frame = uitest.picture(str(net.workdir / "porch.png"), porch.qr)
    source = f'filesrc location="{frame}" ! pngdec ! imagefreeze'
    with net.app(trusted, env={"TH_CAMERA_SOURCE": source}) as app:
        tap.check("the camera reads the code", app.wait_for_text("The code is valid.", 20),
                  "\n".join(app.texts()))
        go_on(app)
        shot("commission-progress")
        tap.check("the camera's device is added too",
                  answer_dialog(app, WARNING, "Add Anyway") and
                  page_says(app, "“Porch Light” Was Added"), page_description(app))
        nodes = net.nodes(trusted)
        tap.check("the store holds both devices",
                  sorted(n.get("productName") for n in nodes) == ["Desk Lamp", "Porch Light"],
                  json.dumps(nodes))

    # No trusted roots: the device may not be genuine. Cancel refuses it; it can be added later.
    with net.app(untrusted) as app:
        enter_code(app, hall.qr)
        go_on(app)
        tap.check("without the test roots the question says the device may not be genuine",
                  app.wait_for_text(GENUINE, timeout=60) and
                  app.wait_for_text("Vendor 0xFFF1, product 0x8000", timeout=5),
                  "\n".join(app.texts()))
        tap.check("every control is named in the question", not app.unnamed_controls(),
                  "\n".join(app.unnamed_controls()))
        shot("commission-attestation-failure")
        uitest.press(app, "Cancel", within_role="dialog")
        tap.check("Cancel refuses the device and says what to do",
                  page_says(app, "Adding the device failed while checking that it is genuine")
                  and "choose Add Anyway only if you trust" in page_description(app),
                  page_description(app))
        shot("commission-refused")
        tap.check("a refused device is not in the store", net.nodes(untrusted) == [])
        tap.check("Try Again asks again", uitest.press(app, "Try Again", within=PAGE) and
                  answer_dialog(app, GENUINE, "Add Anyway"), dump(app))
        tap.check("the refused device can still be added: Add Anyway leads to Done",
                  page_says(app, "“Hall Light” Was Added"), page_description(app))
        tap.check("and it is in the store", [n.get("productName") for n in
                                             net.nodes(untrusted)] == ["Hall Light"])

    # A wrong passcode, then cancelling midway.
    encoded = net.run_cli(trusted, "payload", "encode", "--vid", 0xFFF1, "--pid", 0x8000,
                          "--discriminator", 3004, "--passcode", 20202022, "--json")
    wrong = json.loads(encoded.stdout)["qrCode"]
    home = net.home("garden", trusted=True)
    with net.app(home) as app:
        enter_code(app, wrong)
        go_on(app)
        tap.check("a wrong passcode names the step and the remedy",
                  page_says(app, "Adding the device failed while connecting with the setup code")
                  and WRONG_PASSCODE in page_description(app), page_description(app))
        tap.check("the wrong passcode is never shown", no_secrets(app, 20202022, 20202021))
        tap.check("every control is named on the error page", not app.unnamed_controls(),
                  "\n".join(app.unnamed_controls()))
        shot("commission-wrong-passcode")
        tap.check("Back goes back to the code, through the device page",
                  uitest.press(app, "Back", within=PAGE) and time.sleep(1) is None and
                  uitest.press(app, "Back") and time.sleep(1) is None and app.find(role="text", name="Setup Code", timeout=5) is not None, dump(app))

        tap.check("back there, the code can be typed again", enter_code(app, garden.qr),
                  "\n".join(app.texts()))
        go_on(app)
        # The device waits with its fail-safe armed while the question is open.
        app.wait_for_text(WARNING, timeout=60)
        tap.check("Cancel on the page stops adding the device",
                  uitest.press(app, "Cancel", within=PAGE) and page_says(app, "Adding Cancelled"),
                  page_description(app))
        shot("commission-cancelled")
        tap.check("a cancelled device is not in the store", net.nodes(home) == [])
    other = net.home("after-cancel")
    result = net.run_cli(other, "commission", garden.qr, "--accept-attestation-failure",
                         timeout=90)
    tap.check("the cancelled device is still open for commissioning", result.returncode == 0,
              result.stderr)
sys.exit(tap.finish())
