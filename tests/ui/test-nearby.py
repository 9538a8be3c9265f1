#!/usr/bin/env python3
"""The Nearby view against python-dbusmock's BlueZ on a private bus that stands in for the
system bus: no BlueZ, no adapter, an adapter switched off and turned on from the view, and a
Matter device advertising over Bluetooth, named from the compliance ledger's stand-in and
shown on its device page. Avahi is absent from that bus: the view says so and goes on with
Bluetooth."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uitest  # noqa: E402

binary, schema_dir, shots, fixture_server = sys.argv[1:5]
MATTER_UUID = "0000fff6-0000-1000-8000-00805f9b34fb"
DEVICE = "/org/bluez/hci0/dev_AA_BB_CC_DD_EE_FF"
WRONG_DEVICE_CODE = "MT:634J0E5X01KA0648G00"   # discriminator 3841; the device has 3840
RIGHT_DEVICE_CODE = "MT:Y.K90AFN00KA0648G00"   # discriminator 3840

try:
    uitest.require_environment()
    try:
        import dbus
        import dbusmock  # noqa: F401
    except ImportError as e:
        raise uitest.Skip(f"{sys.executable} cannot import {e.name} (python3-dbusmock)")
    if shutil.which("dbus-daemon") is None:
        raise uitest.Skip("dbus-daemon is not installed")
    fixtures = os.environ.get("TH_DCL_FIXTURES")
    if fixtures is None or not os.path.exists(os.path.join(fixtures, "routes.json")):
        raise uitest.Skip("TH_DCL_FIXTURES does not name the ledger fixtures")
except uitest.Skip as skip:
    sys.exit(uitest.skip_or_fail(str(skip)))

work = tempfile.mkdtemp(prefix="th-nearby-")
config_home = os.path.join(work, "config")
os.makedirs(os.path.join(config_home, "glib-2.0", "settings"))
system_bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
address = system_bus.stdout.readline().strip()
ledger = subprocess.Popen([fixture_server, fixtures], stdout=subprocess.PIPE, text=True)
line = ledger.stdout.readline().strip()
with open(os.path.join(config_home, "glib-2.0", "settings", "keyfile"), "w") as f:
    f.write(f"[io/github/threshold/Threshold]\ndcl-url-override='{line[4:]}'\n")
mock = None

env = {
    "DBUS_SYSTEM_BUS_ADDRESS": address,
    "GSETTINGS_BACKEND": "keyfile",
    "XDG_CONFIG_HOME": config_home,
    "XDG_DATA_HOME": os.path.join(work, "data"),
    "XDG_CACHE_HOME": os.path.join(work, "cache"),
}


def start_mock():
    global mock
    mock = subprocess.Popen([sys.executable, "-m", "dbusmock", "--system", "--template",
                             "bluez5"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=address))
    bus = dbus.bus.BusConnection(address)
    for _ in range(500):
        if bus.name_has_owner("org.bluez"):
            return bus
        time.sleep(0.02)
    raise RuntimeError("the mock BlueZ did not appear on the bus")


def bluez(bus, path, interface):
    return dbus.Interface(bus.get_object("org.bluez", path), interface)


def dump(app):
    lines = []
    for node in app.walk(app.app):
        try:
            lines.append(f"{node.getRoleName()}: {node.name}")
        except Exception:
            continue
    return "\n".join(lines)


def press(app, name, role="push button", timeout=5):
    import pyatspi
    deadline = time.monotonic() + timeout
    while True:
        for node in app.walk(app.app):
            try:
                if node.getRoleName() == role and node.name.startswith(name) and \
                        node.getState().contains(pyatspi.STATE_VISIBLE) and \
                        node.getState().contains(pyatspi.STATE_SENSITIVE):
                    node.queryAction().doAction(0)
                    return True
            except Exception:
                continue
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def shown_button(app, name):
    import pyatspi
    for node in app.walk(app.app):
        try:
            if node.getRoleName() == "push button" and node.name.startswith(name) and \
                    node.getState().contains(pyatspi.STATE_VISIBLE):
                return True
        except Exception:
            continue
    return False


tap = uitest.Tap()
try:
    with uitest.App(binary, schema_dir, env=env) as app:
        tap.check("the Nearby view is chosen",
                  press(app, "Nearby", role="page tab"),
                  dump(app))
        tap.check("without BlueZ the view says Bluetooth is not available",
                  app.wait_for_text("Bluetooth is not available"), "\n".join(app.texts()))
        tap.check("without Avahi the view says the network cannot be searched",
                  app.wait_for_text("The Avahi service is not running"),
                  "\n".join(app.texts()))
        tap.check("with nothing found the view says what to do",
                  app.wait_for_text("No devices in pairing mode nearby") and
                  app.wait_for_text("Put the device in pairing mode"), "\n".join(app.texts()))
        tap.check("every control on the Nearby view has an accessible name",
                  not app.unnamed_controls(), "\n".join(app.unnamed_controls()))
        time.sleep(0.5)
        uitest.screenshot(os.path.join(shots, "nearby-no-bluez.png"))

        bus = start_mock()
        tap.check("BlueZ without an adapter is said",
                  app.wait_for_text("no Bluetooth adapter"), "\n".join(app.texts()))
        uitest.screenshot(os.path.join(shots, "nearby-no-adapter.png"))

        bluez(bus, "/org/bluez", "org.bluez.Mock").AddAdapter("hci0", "threshold-test")
        adapter = bluez(bus, "/org/bluez/hci0", dbus.PROPERTIES_IFACE)
        adapter.Set("org.bluez.Adapter1", "Powered", False)
        tap.check("an adapter switched off is said",
                  app.wait_for_text("Bluetooth is switched off"), "\n".join(app.texts()))
        tap.check("Turn On is offered for an adapter switched off",
                  shown_button(app, "Turn On"), dump(app))
        tap.check("every control with the adapter off has an accessible name",
                  not app.unnamed_controls(), "\n".join(app.unnamed_controls()))
        time.sleep(0.3)
        uitest.screenshot(os.path.join(shots, "nearby-powered-off.png"))

        tap.check("Turn On is pressed", press(app, "Turn On"), dump(app))
        tap.check("Turn On switches the adapter on",
                  app.wait_for_text("Looking for Matter devices nearby over Bluetooth") and
                  bool(adapter.Get("org.bluez.Adapter1", "Powered")), "\n".join(app.texts()))
        deadline = time.monotonic() + 5
        while shown_button(app, "Turn On") and time.monotonic() < deadline:
            time.sleep(0.1)
        tap.check("Turn On goes away once the adapter is on",
                  not shown_button(app, "Turn On"), dump(app))

        bluez(bus, "/org/bluez", "org.bluez.Mock").AddDevice("hci0", "AA:BB:CC:DD:EE:FF",
                                                              "MATTER-3840")
        data = dbus.Dictionary({MATTER_UUID: dbus.ByteArray(bytes.fromhex("00000ff1ff008000"))},
                               signature="sv")
        bluez(bus, DEVICE, dbus.PROPERTIES_IFACE).Set("org.bluez.Device1", "ServiceData", data)
        tap.check("the Bluetooth device is listed with the ledger's product name",
                  app.wait_for_text("Threshold Test Light", timeout=15), "\n".join(app.texts()))
        texts = app.texts()
        tap.check("its row gives the vendor and the kind of device",
                  any("Threshold Test Vendor · Light" in t for t in texts), "\n".join(texts))
        tap.check("its row says it was found over Bluetooth",
                  any("Found over Bluetooth" in t for t in texts), "\n".join(texts))
        tap.check("the empty state is gone",
                  app.find(name="No devices in pairing mode nearby") is None or
                  not app.find(name="No devices in pairing mode nearby").getState().contains(
                      __import__("pyatspi").STATE_VISIBLE), dump(app))
        tap.check("every control with a device listed has an accessible name",
                  not app.unnamed_controls(), "\n".join(app.unnamed_controls()))
        time.sleep(0.3)
        uitest.screenshot(os.path.join(shots, "nearby-device.png"))

        def discovering(want, timeout=5):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if bool(adapter.Get("org.bluez.Adapter1", "Discovering")) == want:
                    return True
                time.sleep(0.1)
            return False

        tap.check("Bluetooth discovery runs while the view is shown", discovering(True))
        tap.check("another view stops Bluetooth discovery",
                  press(app, "Add Device", role="page tab") and discovering(False))
        tap.check("coming back starts it again, and the device is listed again",
                  press(app, "Nearby", role="page tab") and discovering(True) and
                  app.wait_for_text("Found over Bluetooth"), "\n".join(app.texts()))

        tap.check("choosing the device opens its page",
                  press(app, "Show Threshold Test Light") and
                  app.wait_for_text("Over Bluetooth, AA:BB:CC:DD:EE:FF"), dump(app))
        tap.check("the device page asks for the code",
                  app.find(role="text", name="Setup Code", timeout=5) is not None, dump(app))
        # The entry has the focus: a person can type at once.
        time.sleep(0.5)
        uitest.type_text(WRONG_DEVICE_CODE)
        tap.check("a code for another device is refused, naming both discriminators",
                  app.wait_for_text("discriminator 3841, but the chosen device’s discriminator "
                                    "is 3840"), "\n".join(app.texts()))
        tap.check("Add Device cannot be pressed with that code",
                  not press(app, "Add Device", timeout=0.5), dump(app))
        tap.check("every control on the found device's page has an accessible name",
                  not app.unnamed_controls(), "\n".join(app.unnamed_controls()))
        time.sleep(0.3)
        uitest.screenshot(os.path.join(shots, "nearby-device-page.png"))

        uitest.key("ctrl+a", "BackSpace")
        uitest.type_text(RIGHT_DEVICE_CODE)
        tap.check("the device's own code is accepted", app.wait_for_text("The code is valid."),
                  "\n".join(app.texts()))
        tap.check("Add Device goes on to adding the device",
                  press(app, "Add Device") and
                  app.wait_for_text("Adding Device"),
                  "\n".join(app.texts()))
finally:
    for proc in (mock, ledger, system_bus):
        if proc is not None:
            proc.terminate()
            proc.wait()
    shutil.rmtree(work, ignore_errors=True)

sys.exit(tap.finish())
