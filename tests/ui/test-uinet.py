#!/usr/bin/env python3
"""The self-test of uinet.py: the app runs in the controller namespace with its own home, and
this script, in the host's namespace, sees it through AT-SPI."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uinet  # noqa: E402
import uitest  # noqa: E402

binary, cli, schema_dir, shots = sys.argv[1:5]

session = uinet.require()
tap = uitest.Tap()
with uinet.Network(binary, cli, schema_dir) as net:
    device = net.start_device(port=5540, discriminator=3001)
    tap.check("the session bus is on a socket file",
              session.address.startswith("unix:path="), session.address)
    home = net.home("self-test", trusted=True)
    tap.check("a trusted home holds the test PAAs and the CD signer",
              sorted(os.listdir(home.cache / "threshold" / "paa")) ==
              ["test-paa-fff1.der", "test-paa-novid.der"] and
              os.listdir(home.cache / "threshold" / "cd-signers") == ["cd-signer.der"])
    with net.app(home) as app:
        pid = app.procs[0].pid
        tap.check("the app shows up on the accessibility bus", app.app is not None)
        tap.check("the app runs in the controller's network namespace",
                  net.in_controller_namespace(pid))
        tap.check("this script does not", not net.in_controller_namespace(os.getpid()))
        with open(f"/proc/{pid}/environ", "rb") as f:
            environ = dict(item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item)
        tap.check("the app has the home's directories and a keyfile GSettings backend",
                  environ.get(b"XDG_DATA_HOME") == str(home.data).encode() and
                  environ.get(b"XDG_CACHE_HOME") == str(home.cache).encode() and
                  environ.get(b"XDG_CONFIG_HOME") == str(home.config).encode() and
                  environ.get(b"GSETTINGS_BACKEND") == b"keyfile")
        tap.check("the app's system bus is the network's private one",
                  environ.get(b"DBUS_SYSTEM_BUS_ADDRESS") == net.avahi.bus_address.encode())
        tap.check("the accessibility tree can be walked and typed into",
                  app.find(role="push button", timeout=5) is not None)
        uitest.screenshot(os.path.join(shots, "uinet-app.png"))
    services = net.avahi.browse("_matterc._udp")
    tap.check("the network's Avahi sees the device",
              any(s["port"] == device.port for s in services), services)
    tap.check("threshold-cli with the same home finds an empty store", net.nodes(home) == [])
sys.exit(tap.finish())
