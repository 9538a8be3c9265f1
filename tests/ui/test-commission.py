#!/usr/bin/env python3
"""Adding matter.js devices with the real app, in the controller namespace of a test network
(uinet.py): a QR code from a photo and from the stand-in camera to Done, the attestation
question answered both ways, a wrong passcode, cancelling midway, and a Wi-Fi device reached
over Bluetooth LE (tests/interop/test_ble.py's bridge and mock BlueZ) that is given its network
in the app, with a wrong password first and the current Wi-Fi network from python-dbusmock's
NetworkManager. After each, the store is read with threshold-cli in the same home."""
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
    dict(port=5546, discriminator=3006, product_name="Left Lamp"),
    dict(port=5547, discriminator=3007, product_name="Right Lamp"),
]
SSID = "ThresholdHome"
PASSWORD = "kettle-on-the-hob-9"
WRONG_PASSWORD = "teapot-in-the-cupboard"
RADIO_PASSCODE = 20202035
WIFI_DIALOG = "Choose the Device’s Wi-Fi Network"
THREAD_DIALOG = "Choose the Device’s Thread Network"
THREAD_PASSCODE = 20202036
XPAN = "dead00beef00cafe"
NETWORK_KEY = "00112233445566778899aabbccddeeff"
# Active Timestamp, Channel 15, PAN ID, Extended PAN ID, Network Name, Mesh-Local Prefix,
# Network Key (as in tests/interop/test_network.py)
DATASET = ("0e080000000000010000" "000300000f" "01021234" "0208" + XPAN +
           "030f" + "ThresholdThread".encode().hex() + "0708fd11223344556677" +
           "0510" + NETWORK_KEY)

uinet.require()
for tool in ("qrencode", "convert"):
    if subprocess.run(["which", tool], capture_output=True).returncode != 0:
        uinet.thnet.skip_or_fail(f"{tool} is not installed")
try:
    import dbus
    import test_ble  # tests/interop, on the path through uinet
except ImportError as e:
    uinet.thnet.skip_or_fail(f"cannot import {e.name} (python3-dbus, python3-dbusmock)")


class NetworkManagerMock:
    """python-dbusmock's NetworkManager on the network's private system bus, connected to the
    Wi-Fi network `ssid`; every call it gets is logged."""

    def __init__(self, net, ssid):
        self.log = net.workdir / "networkmanager.log"
        net.spawn(["/usr/bin/python3", "-m", "dbusmock", "--system", "--template",
                   "networkmanager", "-l", self.log], stdout=subprocess.DEVNULL,
                  stderr=subprocess.DEVNULL)
        bus = dbus.bus.BusConnection(net.avahi.bus_address)
        for _ in range(500):
            if bus.name_has_owner("org.freedesktop.NetworkManager"):
                break
            time.sleep(0.02)
        else:
            raise uinet.thnet.HarnessError("the mock NetworkManager did not appear on the bus")
        mock = dbus.Interface(bus.get_object("org.freedesktop.NetworkManager",
                                             "/org/freedesktop/NetworkManager"),
                              "org.freedesktop.DBus.Mock")
        device = mock.AddWiFiDevice("mock_wifi", "wlan0", 100)
        ap = mock.AddAccessPoint(device, "mock_ap", ssid, "00:23:F8:7E:12:BB", 2, 2437, 5400,
                                 82, 0x100)
        connection = mock.AddWiFiConnection(device, "mock_connection", ssid, "wpa-psk")
        active = mock.AddActiveConnection([device], connection, ap, "mock_active", 2)
        mock.AddProperty("org.freedesktop.NetworkManager", "PrimaryConnection",
                         dbus.ObjectPath(active))

    def asked(self):
        """Whether anyone read which connection is the primary one."""
        return "PrimaryConnection" in self.log.read_text()


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


def focus_window(title):
    """Gives the keyboard to the window called `title`: there is no window manager to."""
    return subprocess.run(["xdotool", "search", "--name", f"^{title}$", "windowfocus",
                           "--sync"], capture_output=True).returncode == 0


def click_in(title, node):
    """Clicks the middle of `node` in the window called `title` (GTK 4.8 offers no action on
    a list row, and knows no screen coordinates)."""
    import pyatspi
    extents = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    window = subprocess.run(["xdotool", "search", "--name", f"^{title}$"], capture_output=True,
                            text=True).stdout.split()
    if len(window) != 1:
        return False
    return subprocess.run(["xdotool", "mousemove", "--window", window[0],
                           str(extents.x + extents.width // 2),
                           str(extents.y + extents.height // 2), "click", "1"]).returncode == 0


def field_holds(app, name, value, timeout=10):
    """Waits until the text field called `name` holds `value`."""
    deadline = time.monotonic() + timeout
    while True:
        node = app.find(role="text", name=name)
        try:
            text = node.queryText()
            if text.getText(0, text.characterCount) == value:
                return True
        except Exception:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def connect_enabled(app, title=WIFI_DIALOG):
    import pyatspi
    for node in app.walk(app.find(role="dialog", name=title) or app.app):
        if node.getRoleName() == "push button" and node.name.replace("_", "").startswith(
                "Connect"):
            return node.getState().contains(pyatspi.STATE_SENSITIVE)
    return None


tap = uitest.Tap()
with uinet.Network(binary, cli, schema_dir) as net:
    bluez = test_ble.MockBluez(net, net.avahi.bus_address)
    bridge = test_ble.Bridge(net.workdir, 5)
    password_file = net.workdir / "wifi-password"
    password_file.write_text(PASSWORD + "\n")
    radio_settings = dict(port=5545, discriminator=3005, passcode=RADIO_PASSCODE,
                          product_name="Kitchen Light",
                          extra_args=["--network", "wifi", "--network-ssid", SSID,
                                      "--network-password-file", password_file,
                                      "--ble-socket", bridge.device_path])
    thread_bridge = test_ble.Bridge(net.workdir, 6)
    thread_settings = dict(port=5548, discriminator=3008, passcode=THREAD_PASSCODE,
                           product_name="Stair Light",
                           extra_args=["--network", "thread", "--network-xpan", XPAN,
                                       "--ble-socket", thread_bridge.device_path])
    lamp, porch, hall, garden, left, right, radio, stair = net.start_devices(
        DEVICES + [radio_settings, thread_settings])
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
                  any(n.name.startswith("Connecting securely with the setup code") and
                      n.description == "Done"
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
        tap.check("Show My Devices lists both",
                  uitest.press(app, "Show My Devices", within=PAGE) and
                  app.wait_for_text("Porch Light", timeout=10) and
                  app.wait_for_text("Desk Lamp", timeout=10), dump(app))
        shot("commission-my-devices")

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

    # A Thread device over Bluetooth LE: its dataset pasted as hex, checked as it is typed.
    if not thread_bridge.advertised.wait(10):
        raise uinet.thnet.HarnessError("the Thread device advertised nothing over the bridge")
    bluez.add_matter_device("AA:BB:CC:DD:EE:06",
                            test_ble.service_data(thread_bridge.advertisement), thread_bridge)
    encoded = net.run_cli(trusted, "payload", "encode", "--vid", 0xFFF1, "--pid", 0x8000,
                          "--discriminator", 3008, "--passcode", THREAD_PASSCODE,
                          "--capabilities", "ble", "--json")
    home = net.home("thread", trusted=True)
    with net.app(home) as app:
        enter_code(app, json.loads(encoded.stdout)["qrCode"])
        go_on(app)
        answer_dialog(app, WARNING, "Add Anyway")
        tap.check("a Thread device is asked for its dataset",
                  app.wait_for_text(THREAD_DIALOG, timeout=60) and
                  app.find(role="list item", name="ThresholdThread", timeout=5) is not None,
                  dump(app))
        focus_window(THREAD_DIALOG)
        uitest.type_text("0e08 0000 zz")
        tap.check("a dataset that is not valid is said under the field, and Connect waits",
                  app.wait_for_text("The Thread dataset", timeout=5) and
                  connect_enabled(app, THREAD_DIALOG) is False, "\n".join(app.texts()))
        tap.check("every control is named in the Thread dialog", not app.unnamed_controls(),
                  "\n".join(app.unnamed_controls()))
        shot("commission-thread-invalid")
        uitest.key("ctrl+a", "BackSpace")
        uitest.type_text(DATASET)
        tap.check("a valid dataset offers Connect",
                  app.wait_for_text(DATASET, timeout=10) and
                  connect_enabled(app, THREAD_DIALOG) is True, "\n".join(app.texts()))
        uitest.press(app, "Connect", within_role="dialog")
        tap.check("the Thread device is added",
                  page_says(app, "“Stair Light” Was Added", timeout=90), page_description(app))
        tap.check("it was given the Thread network", f"NETWORK ADDED {XPAN}" in stair.lines(),
                  stair.lines())
        tap.check("the network key is not logged", NETWORK_KEY not in net.app_log_tail(10000))
    tap.check("the Thread device is in the store",
              [n.get("productName") for n in net.nodes(home)] == ["Stair Light"])

    # One code for two devices: added in turn.
    home = net.home("pair", trusted=True)
    with net.app(home) as app:
        enter_code(app, "MT:" + "*".join(d.qr[len("MT:"):] for d in (left, right)))
        uitest.press(app, "Continue")
        tap.check("a code for two devices: the first is added first",
                  app.wait_for_text("Device 1 of 2", timeout=20) and
                  answer_dialog(app, WARNING, "Add Anyway"), "\n".join(app.texts()))
        tap.check("then the second", app.wait_for_text("Device 2 of 2", timeout=60) and
                  answer_dialog(app, WARNING, "Add Anyway"), "\n".join(app.texts()))
        tap.check("Done counts and names both",
                  page_says(app, "2 Devices Were Added") and
                  app.wait_for_text("Left Lamp\nRight Lamp", timeout=5), page_description(app))
        shot("commission-done-two")
    tap.check("both are in the store", sorted(n.get("productName") for n in net.nodes(home))
              == ["Left Lamp", "Right Lamp"])

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
    # A Wi-Fi device that only Bluetooth LE reaches (its code says so): the app asks which
    # network it joins.
    if not bridge.advertised.wait(10):
        raise uinet.thnet.HarnessError("the Wi-Fi device advertised nothing over the bridge")
    bluez.add_matter_device("AA:BB:CC:DD:EE:05", test_ble.service_data(bridge.advertisement),
                            bridge)
    networkmanager = NetworkManagerMock(net, SSID)
    encoded = net.run_cli(trusted, "payload", "encode", "--vid", 0xFFF1, "--pid", 0x8000,
                          "--discriminator", 3005, "--passcode", RADIO_PASSCODE,
                          "--capabilities", "ble", "--json")
    ble_code = json.loads(encoded.stdout)["qrCode"]
    home = net.home("wifi", trusted=True)
    with net.app(home) as app:
        enter_code(app, ble_code)
        go_on(app)
        answer_dialog(app, WARNING, "Add Anyway")
        tap.check("over Bluetooth LE the app asks for the device's Wi-Fi network",
                  app.wait_for_text(WIFI_DIALOG, timeout=60), "\n".join(app.texts()))
        tap.check("the networks the device scanned are offered",
                  app.find(role="list item", name=SSID, timeout=5) is not None, dump(app))
        tap.check("Connect waits for a network name", connect_enabled(app) is False,
                  connect_enabled(app))
        tap.check("every control is named in the network dialog", not app.unnamed_controls(),
                  "\n".join(app.unnamed_controls()))
        tap.check("NetworkManager is not asked before the person clicks for it",
                  not networkmanager.asked())
        shot("commission-wifi")
        # Choosing the scanned network fills in its name and moves to the password.
        tap.check("the scanned network can be chosen with a click",
                  click_in(WIFI_DIALOG, app.find(role="list item", name=SSID)))
        uitest.type_text(WRONG_PASSWORD)
        tap.check("with a name and a password Connect is offered",
                  field_holds(app, "Network Name", SSID) and connect_enabled(app) is True,
                  dump(app))
        uitest.press(app, "Connect", within_role="dialog")
        tap.check("a wrong password: asked again, saying the network refused it",
                  app.wait_for_text("password was not accepted", timeout=60),
                  "\n".join(app.texts()))
        shot("commission-wifi-wrong-password")
        tap.check("Use Current Wi-Fi Network fills in the name NetworkManager gives",
                  uitest.press(app, "Use Current Wi-Fi Network", within_role="dialog") and
                  field_holds(app, "Network Name", SSID) and networkmanager.asked(), dump(app))
        focus_window(WIFI_DIALOG)
        uitest.type_text(PASSWORD)
        # Enter in the password field is Connect, the dialog's default.
        uitest.key("Return")
        tap.check("with the right password, and Enter, the device joins and is added",
                  page_says(app, "“Kitchen Light” Was Added", timeout=90),
                  page_description(app))
        tap.check("the device joined the network it was given",
                  f"NETWORK CONNECTED {SSID.encode().hex()}" in radio.lines(), radio.lines())
        tap.check("no Wi-Fi password is shown or logged",
                  no_secrets(app, PASSWORD, WRONG_PASSWORD) and
                  PASSWORD not in net.app_log_tail(10000) and
                  WRONG_PASSWORD not in net.app_log_tail(10000))
    tap.check("the Wi-Fi device is in the store",
              [n.get("productName") for n in net.nodes(home)] == ["Kitchen Light"])

    other = net.home("after-cancel")
    result = net.run_cli(other, "commission", garden.qr, "--accept-attestation-failure",
                         timeout=90)
    tap.check("the cancelled device is still open for commissioning", result.returncode == 0,
              result.stderr)
sys.exit(tap.finish())
