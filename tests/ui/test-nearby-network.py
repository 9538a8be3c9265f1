#!/usr/bin/env python3
"""The Nearby view finding a matter.js device over DNS-SD: the app runs in the controller
namespace of a test network (uinet.py) with its private Avahi, and the compliance ledger's
stand-in on that namespace's loopback names the device. Choosing it leads to its page, its
code to the progress page."""
import os
import subprocess
import sys

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
        tap.check("its row says it was found on the network",
                  any("Found on the network" in t for t in texts), "\n".join(texts))
        tap.check("the view says it looks on the network",
                  app.wait_for_text("Looking for Matter devices on the network"),
                  "\n".join(texts))
        tap.check("every control on the Nearby view has an accessible name",
                  not app.unnamed_controls(), "\n".join(app.unnamed_controls()))
        uitest.screenshot(os.path.join(shots, "nearby-network.png"))

        tap.check("choosing the device opens its page",
                  press(app, "Show Threshold Test Plug") and
                  app.wait_for_text("On the network at", timeout=10), "\n".join(app.texts()))
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
