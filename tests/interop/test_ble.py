"""threshold-cli commission --ble over a simulated Bluetooth LE link to a real matter.js device.

Threshold's BlueZ client talks to python-dbusmock's bluez5 template on the private bus of the
test network (the one Avahi uses too). The mock's Matter device has the GATT service; its C1
AcquireWrite and C2 AcquireNotify hand Threshold sockets whose other ends this script holds,
and this script carries the bytes to and from device.mjs --ble-socket, where matter.js's own
BtpSessionHandler runs in front of the matter.js device. The advertisement's service data is
the one the device itself advertises. So PASE, the commissioning commands and the network
provisioning run over BTP between two independent implementations; the operational part
(DNS-SD, CASE) then goes over IP.

TAP on stdout. Run as root with /usr/bin/python3: `test_ble.py THRESHOLD_CLI`. Skips (fails
with CI=true) where it cannot run.
"""

import json
import os
import pty
import re
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import thnet  # noqa: E402

ACCEPT = "--accept-attestation-failure"
SSID = "ThresholdBleNet"
PASSWORD = "ble-password-42"
WRONG_PASSWORD = "not-the-password-7"
MATTER_UUID = "0000fff6-0000-1000-8000-00805f9b34fb"
C1_UUID = "18ee2ef5-263d-4559-959f-4f9c429f9d11"
C2_UUID = "18ee2ef5-263d-4559-959f-4f9c429f9d12"
ADAPTER = "/org/bluez/hci0"
# The GATT MTU the mock's Acquire calls report.
ATT_MTU = 185
MOCK_IFACE = "org.freedesktop.DBus.Mock"
GATT_IFACE = "org.bluez.GattCharacteristic1"


def events(stdout):
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def service_data(advertisement):
    """The Matter service data (UUID 0xFFF6) of an advertisement's AD structures, or None."""
    i = 0
    while i + 1 < len(advertisement):
        length = advertisement[i]
        if length == 0 or i + 1 + length > len(advertisement):
            return None
        kind, data = advertisement[i + 1], advertisement[i + 2:i + 1 + length]
        if kind == 0x16 and data[:2] == b"\xf6\xff":
            return data[2:]
        i += 1 + length
    return None


class Bridge:
    """Carries GATT bytes between the sockets the mock hands Threshold and device.mjs."""

    def __init__(self, workdir, n):
        self.device_path = str(workdir / f"ble-device-{n}.sock")
        self.c1_path = str(workdir / f"ble-c1-{n}.sock")
        self.c2_path = str(workdir / f"ble-c2-{n}.sock")
        self.device_listener = self._listen(self.device_path, socket.SOCK_STREAM)
        self.c1_listener = self._listen(self.c1_path, socket.SOCK_SEQPACKET)
        self.c2_listener = self._listen(self.c2_path, socket.SOCK_SEQPACKET)
        self.device = None
        self.c1 = None
        self.c2 = None
        self.advertisement = None
        self.advertised = threading.Event()
        self.lock = threading.Lock()
        self.c1_packets = 0
        self.c2_packets = 0
        self.disconnects = 0
        for target in (self._serve_device, self._serve_c1, self._serve_c2):
            threading.Thread(target=target, daemon=True).start()

    @staticmethod
    def _listen(path, kind):
        listener = socket.socket(socket.AF_UNIX, kind)
        listener.bind(path)
        listener.listen(4)
        return listener

    def _to_device(self, line):
        with self.lock:
            if self.device is not None:
                self.device.sendall((line + "\n").encode())

    def _serve_device(self):
        self.device, _ = self.device_listener.accept()
        for line in self.device.makefile("r"):
            what, _, data = line.strip().partition(" ")
            if what == "C2" and self.c2 is not None:
                self.c2_packets += 1
                try:
                    self.c2.send(bytes.fromhex(data))
                except OSError:
                    pass
            elif what == "ADV":
                self.advertisement = bytes.fromhex(data)
                self.advertised.set()
            elif what == "DISCONNECT":
                # the device left the link: Threshold sees its GATT sockets close
                self.disconnects += 1
                for conn in (self.c1, self.c2):
                    if conn is not None:
                        conn.close()
                self.c1 = self.c2 = None

    def _serve_c1(self):
        while True:
            conn, _ = self.c1_listener.accept()
            self.c1 = conn
            while True:
                try:
                    packet = conn.recv(1024)
                except OSError:
                    break
                if not packet:
                    break
                self.c1_packets += 1
                self._to_device("C1 " + packet.hex())
            if self.c1 is conn:
                self._to_device("DISCONNECT")

    def _serve_c2(self):
        while True:
            conn, _ = self.c2_listener.accept()
            self.c2 = conn
            self._to_device("SUB")


def acquire_code(path):
    """The mock's AcquireWrite / AcquireNotify: a socket connected to the bridge."""
    return ("import socket\n"
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)\n"
            f"s.connect({path!r})\n"
            f"ret = (dbus.types.UnixFd(s), dbus.UInt16({ATT_MTU}))\n"
            "s.close()")


class MockBluez:
    def __init__(self, net, bus_address):
        import dbus
        self.dbus = dbus
        self.process = net.spawn([sys.executable, "-m", "dbusmock", "--system", "--template",
                                  "bluez5"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        self.bus = dbus.bus.BusConnection(bus_address)
        for _ in range(500):
            if self.bus.name_has_owner("org.bluez"):
                break
            time.sleep(0.02)
        else:
            raise thnet.HarnessError("the mock BlueZ did not appear on the bus")
        self.iface("/org/bluez", "org.bluez.Mock").AddAdapter("hci0", "threshold-test")

    def iface(self, path, interface):
        return self.dbus.Interface(self.bus.get_object("org.bluez", path), interface)

    def add_object(self, path, interface, properties, methods):
        dbus = self.dbus
        self.iface("/", MOCK_IFACE).AddObject(path, interface, properties,
                                              dbus.Array(methods, signature="(ssss)"))
        # the template's object manager does not announce added objects by itself
        self.iface("/", MOCK_IFACE).EmitSignal(
            "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", "oa{sa{sv}}",
            [dbus.ObjectPath(path), dbus.Dictionary({interface: properties}, signature="sa{sv}")])

    def add_matter_device(self, address, advertised, bridge):
        dbus = self.dbus
        path = self.iface("/org/bluez", "org.bluez.Mock").AddDevice("hci0", address, "MATTER")
        self.iface(path, dbus.PROPERTIES_IFACE).Set(
            "org.bluez.Device1", "ServiceData",
            dbus.Dictionary({MATTER_UUID: dbus.ByteArray(advertised)}, signature="sv"))
        service = f"{path}/service0010"
        self.add_object(service, "org.bluez.GattService1", dbus.Dictionary({
            "UUID": MATTER_UUID, "Device": dbus.ObjectPath(path), "Primary": True,
        }, signature="sv"), [])
        for name, uuid, flags, method, target in (
                ("char0011", C1_UUID, "write-without-response", "AcquireWrite", bridge.c1_path),
                ("char0013", C2_UUID, "notify", "AcquireNotify", bridge.c2_path)):
            self.add_object(f"{service}/{name}", GATT_IFACE, dbus.Dictionary({
                "UUID": uuid, "Service": dbus.ObjectPath(service),
                "Value": dbus.ByteArray(b""), "Flags": dbus.Array([flags], signature="s"),
                "WriteAcquired": False, "NotifyAcquired": False,
            }, signature="sv"), [(method, "a{sv}", "hq", acquire_code(target))])
        return path


def main():
    if len(sys.argv) != 2:
        print("usage: test_ble.py THRESHOLD_CLI", file=sys.stderr)
        return 2
    cli = sys.argv[1]
    thnet.require(avahi=True)
    try:
        import dbus  # noqa: F401
        import dbusmock  # noqa: F401
    except ImportError as e:
        thnet.skip_or_fail(f"{sys.executable} cannot import {e.name} (python3-dbusmock)")
    tap = thnet.Tap()

    with thnet.TestNetwork() as net:
        avahi = net.start_avahi()
        bluez = MockBluez(net, avahi.bus_address)
        home = net.workdir / "home"
        env = {"XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"),
               "G_MESSAGES_DEBUG": "all"}
        password_file = net.workdir / "password"
        password_file.write_text(PASSWORD + "\n")
        outputs = []

        def run(*args):
            result = net.run([cli, *map(str, args)], env=env, timeout=180)
            outputs.append(result.stdout + result.stderr)
            return result

        def run_on_terminal(args, answers, timeout=180):
            """threshold-cli on a pseudo-terminal: each (prompt, reply) of `answers` is typed
            once its prompt shows. Returns (exit status, what the terminal showed)."""
            master, slave = pty.openpty()
            process = net.spawn([cli, *map(str, args)], env=env, stdin=slave, stdout=slave,
                                stderr=slave)
            os.close(slave)
            shown, seen = b"", 0
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.2)
                if ready:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:  # EIO: the program ended
                        chunk = b""
                    if not chunk:
                        break
                    shown += chunk
                    while answers and answers[0][0].encode() in shown[seen:]:
                        seen = shown.index(answers[0][0].encode(), seen) + len(answers[0][0])
                        os.write(master, answers.pop(0)[1].encode() + b"\n")
                elif process.poll() is not None:
                    break
            else:
                process.kill()
            os.close(master)
            text = shown.decode(errors="replace")
            outputs.append(text)
            return process.wait(), text

        def ble_device(n, discriminator, passcode, concurrent):
            bridge = Bridge(net.workdir, n)
            args = ["--network", "wifi", "--network-ssid", SSID, "--network-password-file",
                    password_file, "--ble-socket", bridge.device_path]
            if not concurrent:
                args.append("--no-concurrent")
            device = net.start_device(port=5540 + n, discriminator=discriminator,
                                      passcode=passcode, extra_args=args)
            if not bridge.advertised.wait(10):
                raise thnet.HarnessError("the device advertised nothing over the bridge")
            advertised = service_data(bridge.advertisement)
            bluez.add_matter_device(f"AA:BB:CC:DD:EE:{n:02X}", advertised, bridge)
            return device, bridge, advertised

        # (1) A device that keeps both links: the whole flow, BTP to IP.
        device, bridge, advertised = ble_device(1, 3001, 20202031, concurrent=True)
        tap.ok(advertised is not None and len(advertised) == 8
               and (advertised[1] | (advertised[2] & 0x0F) << 8) == 3001,
               "matter.js advertises its Matter service data (discriminator 3001)",
               repr(advertised))
        result = run("commission", device.qr, "--ble", ACCEPT, "--json", "--wifi", SSID,
                     "--wifi-password-file", password_file)
        parsed = events(result.stdout)
        stages = [e.get("stage") for e in parsed if e.get("event") == "stage"]
        tap.ok(result.returncode == 0 and any(e.get("event") == "commissioned" for e in parsed),
               "commission --ble: added through the simulated BLE link",
               result.stdout[-4000:] + result.stderr[-2000:])
        tap.ok(stages[:3] == ["discovery", "pase", "read-info"]
               and "network" in stages and "operational-discovery" in stages
               and stages[-2:] == ["complete", "persist"],
               "every stage ran, NETWORK and OPERATIONAL_DISCOVERY included", str(stages))
        tap.ok(device.wait_for(r"^BLE CONNECTED$", timeout=1) is not None
               and bridge.c1_packets > 5 and bridge.c2_packets > 5,
               "PASE and the commissioning commands went over matter.js's BTP "
               f"({bridge.c1_packets} C1 writes, {bridge.c2_packets} C2 indications)")
        tap.ok(device.wait_for(rf"^NETWORK CONNECTED {SSID.encode().hex()}$", timeout=1)
               is not None and device.wait_for(r"^COMMISSIONED$", timeout=5) is not None,
               "the device got its Wi-Fi network over BLE, then completed over CASE")

        # (2) A device that cannot keep both: it leaves the BLE link at ConnectNetwork without
        # answering; the commissioner finds it on its network and completes.
        device, bridge, _ = ble_device(2, 3002, 20202032, concurrent=False)
        result = run("commission", device.qr, "--ble", ACCEPT, "--json", "--wifi", SSID,
                     "--wifi-password-file", password_file)
        parsed = events(result.stdout)
        tap.ok(result.returncode == 0 and any(e.get("event") == "commissioned" for e in parsed)
               and bridge.disconnects >= 1,
               "non-concurrent: the BLE link dropped at ConnectNetwork, the device was found "
               "on its network and added", result.stdout[-4000:] + result.stderr[-2000:])

        # (3) No network given, on a terminal: the networks the device scanned are shown and
        # a person is asked; a wrong password is refused by the device, said, and asked again.
        device, bridge, _ = ble_device(3, 3003, 20202033, concurrent=True)
        ssid_prompt = "Wi-Fi network name (SSID), empty to give up: "
        password_prompt = f"Password of “{SSID}” (not shown): "
        status, shown = run_on_terminal(
            ["commission", device.qr, "--ble", ACCEPT],
            [(ssid_prompt, SSID), (password_prompt, WRONG_PASSWORD),
             (ssid_prompt, SSID), (password_prompt, PASSWORD)])
        tap.ok(status == 0 and f"{SSID} (-42 dBm, channel 6)" in shown
               and re.search(r"password was not accepted by the network “" + SSID, shown)
               and shown.count(ssid_prompt) == 2 and "Added" in shown,
               "on a terminal: the scanned networks shown, a wrong password refused by the "
               "device and asked again, then added", shown[-3000:])
        tap.ok(device.wait_for(r"^NETWORK SCAN$", timeout=1) is not None
               and device.wait_for(r"^NETWORK REFUSED AuthFailure", timeout=1) is not None
               and device.wait_for(rf"^NETWORK CONNECTED {SSID.encode().hex()}$", timeout=1)
               is not None,
               "the device saw ScanNetworks, refused the wrong password, joined with the right")

        # (4) No network and no terminal: the error says which flags give one.
        device, bridge, _ = ble_device(4, 3004, 20202034, concurrent=True)
        result = run("commission", device.qr, "--ble", ACCEPT)
        tap.ok(result.returncode == 1 and "--wifi SSID --wifi-password-file FILE" in result.stderr
               and "--thread-dataset HEX" in result.stderr,
               "no network given and no one to ask: the error names the flags", result.stderr)

        leaked = [output for output in outputs
                  for secret in (PASSWORD, WRONG_PASSWORD, PASSWORD.encode().hex(),
                                 WRONG_PASSWORD.encode().hex())
                  if secret in output]
        tap.ok(not leaked and len(outputs) == 4,
               "no Wi-Fi password in any output, the terminal's included (debug too)")

    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
