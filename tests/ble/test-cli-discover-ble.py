#!/usr/bin/env python3
"""threshold-cli discover --ble against python-dbusmock's bluez5 template on a private bus that
stands in for the system bus. Prints TAP."""
import json
import os
import shutil
import subprocess
import sys
import time

CLI = sys.argv[1]
DEVICE = "/org/bluez/hci0/dev_AA_BB_CC_DD_EE_FF"
MATTER_UUID = "0000fff6-0000-1000-8000-00805f9b34fb"
results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def skip_all(reason):
    if os.environ.get("CI") == "true":
        print("1..1")
        print(f"not ok 1 cannot run in CI: {reason}")
        sys.exit(1)
    print(f"1..0 # SKIP {reason}")
    sys.exit(0)


try:
    import dbus
    import dbusmock  # noqa: F401  (only its presence is checked here)
except ImportError as e:
    skip_all(f"{sys.executable} cannot import {e.name} (Debian package python3-dbusmock)")
if shutil.which("dbus-daemon") is None:
    skip_all("dbus-daemon is not installed (Debian package dbus)")

daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
address = daemon.stdout.readline().strip()
env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=address)
mock = None


def run(*args, timeout=30):
    proc = subprocess.run([CLI, "discover", "--ble", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)
    return proc.returncode, proc.stdout, proc.stderr


def start_mock():
    global mock
    mock = subprocess.Popen([sys.executable, "-m", "dbusmock", "--system", "--template",
                             "bluez5"], stdout=subprocess.DEVNULL, env=env)
    bus = dbus.bus.BusConnection(address)
    for _ in range(500):
        if bus.name_has_owner("org.bluez"):
            return bus
        time.sleep(0.02)
    raise RuntimeError("the mock BlueZ did not appear on the bus")


def bluez(bus, path, interface):
    return dbus.Interface(bus.get_object("org.bluez", path), interface)


def set_service_data(bus, path, hex_data):
    data = dbus.Dictionary({MATTER_UUID: dbus.ByteArray(bytes.fromhex(hex_data))},
                           signature="sv")
    bluez(bus, path, dbus.PROPERTIES_IFACE).Set("org.bluez.Device1", "ServiceData", data)


try:
    code, out, err = run("--timeout", "1")
    check("no BlueZ: exit 1", code == 1, err)
    check("no BlueZ: says the service is not running", "is not running" in err, err)

    bus = start_mock()
    code, out, err = run("--timeout", "1")
    check("no adapter: exit 1 with the reason", code == 1 and "no Bluetooth adapter" in err, err)

    mock_bluez = bluez(bus, "/org/bluez", "org.bluez.Mock")
    mock_bluez.AddAdapter("hci0", "threshold-test")
    adapter = bluez(bus, "/org/bluez/hci0", dbus.PROPERTIES_IFACE)
    adapter.Set("org.bluez.Adapter1", "Powered", False)
    code, out, err = run("--timeout", "1")
    check("powered off: exit 1 with the reason", code == 1 and "switched off" in err, err)
    adapter.Set("org.bluez.Adapter1", "Powered", True)

    code, out, err = run("--timeout", "0.5")
    check("nothing nearby: exit 0", code == 0, err)
    check("nothing nearby: says so", "No Matter devices advertised over Bluetooth" in out, out)

    mock_bluez.AddDevice("hci0", "AA:BB:CC:DD:EE:FF", "MATTER-3840")
    set_service_data(bus, DEVICE, "00000ff1ff018000")
    mock_bluez.AddDevice("hci0", "11:22:33:44:55:66", "MATTER-0291")
    set_service_data(bus, "/org/bluez/hci0/dev_11_22_33_44_55_66", "0023013412785601")

    code, out, err = run("--timeout", "1", "--json")
    data = json.loads(out) if code == 0 else {}
    devices = {d["address"]: d for d in data.get("devices", [])}
    check("--json lists both devices", code == 0 and len(devices) == 2, out + err)
    d = devices.get("AA:BB:CC:DD:EE:FF", {})
    check("--json fields of the vector's device",
          d.get("name") == "MATTER-3840" and d.get("discriminator") == 3840
          and d.get("shortDiscriminator") == 15 and d.get("vendorId") == 0xFFF1
          and d.get("productId") == 0x8001 and d.get("rssi") == -79
          and d.get("additionalData") is False and d.get("objectPath") == DEVICE, out)
    check("--json additional data flag",
          devices.get("11:22:33:44:55:66", {}).get("additionalData") is True, out)

    code, out, err = run("--timeout", "1")
    check("text: the device in words",
          code == 0 and "MATTER-3840 (AA:BB:CC:DD:EE:FF)" in out
          and "3840 (short form 15)" in out and "0xFFF1" in out and "-79 dBm" in out, out)

    code, out, err = run("--timeout", "1", "--short-discriminator", "15", "--json")
    data = json.loads(out) if code == 0 else {}
    check("--short-discriminator filters the list",
          [d["address"] for d in data.get("devices", [])] == ["AA:BB:CC:DD:EE:FF"], out + err)

    code, out, err = run("--discriminator", "291", "--first", "--json")
    data = json.loads(out) if code == 0 else {}
    check("--first finds the device",
          data.get("device", {}).get("address") == "11:22:33:44:55:66"
          and data.get("elapsedMs", -1) >= 0, out + err)

    code, out, err = run("--discriminator", "100", "--first", "--timeout", "0.5")
    check("--first without a match: exit 1 with the reason",
          code == 1 and "No device with the discriminator 100" in err, err)

    code, out, err = run("--watch")
    check("--ble --watch is a usage error", code == 2, err)
    code, out, err = run("--operational")
    check("--ble --operational is a usage error", code == 2, err)
finally:
    if mock is not None:
        mock.terminate()
        mock.wait()
    daemon.terminate()
    daemon.wait()

print(f"1..{len(results)}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} {name}")
    if not ok:
        for line in detail.splitlines() or [""]:
            print(f"# {line}")
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
