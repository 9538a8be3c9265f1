#!/usr/bin/env python3
"""The Nearby view finding a matter.js device over DNS-SD: the app runs in the controller
namespace of a test network (uinet.py) with its private Avahi, and the compliance ledger's
stand-in on that namespace's loopback names the device. python-dbusmock's BlueZ, on the
network's system bus, has the same device advertising over Bluetooth: it is listed once.
Choosing it leads to its page, its code to the progress page."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uinet  # noqa: E402
import uitest  # noqa: E402

binary, cli, schema_dir, shots, fixture_server = sys.argv[1:6]
DEVICE = dict(port=5540, discriminator=3050, vendor_id=0xFFF2, product_id=0x8001,
              product_name="Desk Plug")

uinet.require()
fixtures = os.environ.get("TH_DCL_FIXTURES")
if fixtures is None or not os.path.exists(os.path.join(fixtures, "routes.json")):
    uinet.thnet.skip_or_fail("TH_DCL_FIXTURES does not name the ledger fixtures")


def press(app, name, role="push button", timeout=5):
    import pyatspi
    import time
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


tap = uitest.Tap()
with uinet.Network(binary, cli, schema_dir) as net:
    ledger = net.spawn([fixture_server, fixtures], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = ledger.stdout.readline().strip()
    tap.check("the ledger's stand-in runs in the controller namespace",
              line.startswith("URL "), line)
    device = net.start_device(**DEVICE)
    # The same device over Bluetooth: its discriminator, vendor and product in the Matter
    # service data.
    mock = net.spawn([sys.executable, "-m", "dbusmock", "--system", "--template", "bluez5"],
                     namespace="controller", env={"DBUS_SYSTEM_BUS_ADDRESS": net.avahi.bus_address},
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bluez_ready = False
    for _ in range(250):
        if subprocess.run(["gdbus", "call", "--address", net.avahi.bus_address, "-d", "org.bluez",
                           "-o", "/org/bluez", "-m", "org.bluez.Mock.AddAdapter", "hci0",
                           "threshold-test"], capture_output=True).returncode == 0:
            bluez_ready = True
            break
        time.sleep(0.04)
    service_data = ", ".join(f"byte 0x{b:02x}" for b in
                             bytes([0x00, DEVICE["discriminator"] & 0xFF,
                                    DEVICE["discriminator"] >> 8, 0xF2, 0xFF, 0x01, 0x80, 0x00]))
    bluez_ready = bluez_ready and subprocess.run(
        ["gdbus", "call", "--address", net.avahi.bus_address, "-d", "org.bluez", "-o",
         "/org/bluez", "-m", "org.bluez.Mock.AddDevice", "hci0", "AA:BB:CC:DD:EE:01",
         "MATTER-3050"], capture_output=True).returncode == 0 and subprocess.run(
        ["gdbus", "call", "--address", net.avahi.bus_address, "-d", "org.bluez", "-o",
         "/org/bluez/hci0/dev_AA_BB_CC_DD_EE_01", "-m", "org.freedesktop.DBus.Properties.Set",
         "org.bluez.Device1", "ServiceData",
         f"<{{'0000fff6-0000-1000-8000-00805f9b34fb': <[{service_data}]>}}>"],
        capture_output=True).returncode == 0
    tap.check("the mock BlueZ advertises the same device", bluez_ready)
    home = net.home("nearby", trusted=True)
    settings = home.config / "glib-2.0" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "keyfile").write_text(
        f"[io/github/threshold/Threshold]\ndcl-url-override='{line[4:]}'\n")
    code = net.run_cli(home, "payload", "encode", "--vid", DEVICE["vendor_id"],
                       "--pid", DEVICE["product_id"], "--discriminator",
                       DEVICE["discriminator"], "--passcode", 20202021)
    qr = next((l.split()[-1] for l in code.stdout.splitlines() if "QR code" in l), None)

    with net.app(home) as app:
        tap.check("the Nearby view is chosen", press(app, "Nearby", role="page tab"))
        tap.check("the device found over DNS-SD is listed with the ledger's product name",
                  app.wait_for_text("Threshold Test Plug", timeout=30),
                  "\n".join(app.texts()) + "\n" + net.app_log_tail())
        texts = app.texts()
        tap.check("its row gives the ledger's vendor and the kind of device",
                  any("Plugs Example · Plug" in t for t in texts), "\n".join(texts))
        tap.check("its row says it was found on the network and over Bluetooth",
                  app.wait_for_text("Found on the network and over Bluetooth"),
                  "\n".join(app.texts()))
        tap.check("the device seen both ways is listed once",
                  sum(1 for n in app.walk(app.app) if n.getRoleName() == "push button" and
                      n.name.startswith("Show Threshold Test Plug"))
                  == 1, "\n".join(app.texts()))
        tap.check("the view says it looks on the network",
                  app.wait_for_text("Looking for Matter devices on the network"),
                  "\n".join(texts))
        tap.check("every control on the Nearby view has an accessible name",
                  not app.unnamed_controls(), "\n".join(app.unnamed_controls()))
        uitest.screenshot(os.path.join(shots, "nearby-network.png"))

        tap.check("choosing the device opens its page, found both ways",
                  press(app, "Show Threshold Test Plug") and
                  app.wait_for_text("On the network at", timeout=10) and
                  app.wait_for_text("Over Bluetooth, AA:BB:CC:DD:EE:01"),
                  "\n".join(app.texts()))
        texts = app.texts()
        tap.check("its page has the ledger's steps first, for its user-intent flow",
                  any(t.startswith("This device must be put in pairing mode") for t in texts),
                  "\n".join(texts))
        tap.check("every control on its page has an accessible name",
                  not app.unnamed_controls(), "\n".join(app.unnamed_controls()))
        uitest.screenshot(os.path.join(shots, "nearby-network-device.png"))
        # The code entry has the focus: a person can type at once.
        uitest.type_text(qr or "")
        tap.check("the device's code is accepted",
                  qr is not None and app.wait_for_text("The code is valid."),
                  f"code {qr!r} ({code.stderr.strip()}); " +
                  "\n".join(t for t in app.texts() if "code" in t.lower() or "MT:" in t))
        tap.check("Add Device leads to the progress page",
                  press(app, "Add Device") and app.wait_for_text("Adding Device"),
                  "\n".join(app.texts()))
sys.exit(tap.finish())
