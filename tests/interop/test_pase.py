"""threshold-cli pase against real matter.js devices, in a private network.

TAP on stdout. Run as root with /usr/bin/python3: `test_pase.py THRESHOLD_CLI`. Skips (fails
with CI=true) where the interop suite cannot run.

Two devices with distinct Basic Information run side by side in the device namespace, on
ports 5540 and 5541; every case reaches them from the controller namespace by address. The
devices are reused from case to case: each run ends its session and leaves the device
commissionable, which the later cases depend on.
"""

import json
import re
import shutil
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import thnet  # noqa: E402

WRONG_PASSCODE_MESSAGE = ("The passcode does not match this device. "
                          "Check the code and try again.")

FIRST = dict(passcode=20202021, discriminator=3840, vendor_id=0xFFF1, product_id=0x8001,
             port=5540, vendor_name="Threshold Interop Vendor",
             product_name="PASE Test Light", serial_number="TH-PASE-0001")
SECOND = dict(passcode=34567890, discriminator=1234, vendor_id=0xFFF2, product_id=0x8002,
              port=5541, vendor_name="Second Interop Vendor",
              product_name="Second PASE Light", serial_number="TH-PASE-0002")


class Runner:
    """Runs threshold-cli in the controller namespace and keeps every output, to check at
    the end that no passcode was ever printed."""

    def __init__(self, net, cli, tap):
        self.net = net
        self.cli = cli
        self.tap = tap
        self.outputs = []

    def run(self, *args, measure=False):
        argv = [self.cli, *map(str, args)]
        if measure and shutil.which("time", path="/usr/bin"):
            argv = ["/usr/bin/time", "-v", *argv]
        result = self.net.run(argv, timeout=90)
        self.outputs.append(result.stdout + result.stderr)
        return result

    def pase_json(self, code, address, name):
        """pase --json --timings; the parsed output, or None after a failed check."""
        result = self.run("pase", code, "--address", address, "--json", "--timings")
        try:
            data = json.loads(result.stdout) if result.returncode == 0 else None
        except ValueError:
            data = None
        if not self.tap.ok(data is not None, f"{name}: PASE succeeds",
                           f"status {result.returncode}\nstdout:\n{result.stdout}\n"
                           f"stderr:\n{result.stderr}"):
            return None
        self.diag_timings(name, data)
        return data

    def diag_timings(self, name, data):
        timings = data.get("timings", {})
        self.tap.diag(f"{name}: " + ", ".join(f"{key} {value:.1f}"
                                                for key, value in timings.items()))


def matches(data, device):
    """Whether the Basic Information read is what the device was started with."""
    info = data.get("basicInformation", {})
    return (info.get("vendorName") == device["vendor_name"] and
            info.get("vendorId") == device["vendor_id"] and
            info.get("productName") == device["product_name"] and
            info.get("productId") == device["product_id"] and
            info.get("serialNumber") == device["serial_number"] and
            isinstance(info.get("softwareVersionString"), str))


def time_v(stderr):
    """Peak RSS (kB) and wall time (s) from /usr/bin/time -v, or None without them."""
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):"
                     r"([\d.]+)", stderr)
    if not rss or not wall:
        return None
    hours, minutes, seconds = wall.groups()
    return int(rss.group(1)), int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)


def main():
    if len(sys.argv) != 2:
        print("Bail out! usage: test_pase.py THRESHOLD_CLI", flush=True)
        return 1
    cli = str(Path(sys.argv[1]).resolve())
    thnet.require()
    tap = thnet.Tap()

    with thnet.TestNetwork() as net:
        runner = Runner(net, cli, tap)
        first = net.start_device(**FIRST)
        tap.diag(f"first device start to READY: {first.ready_seconds:.2f} s")
        second = net.start_device(**SECOND)
        tap.diag(f"second device start to READY: {second.ready_seconds:.2f} s")
        addresses = net.addresses

        # (a) The right passcode, from the QR code, over IPv4: BasicInformation is what the
        # device was started with.
        data = runner.pase_json(first.qr, f"{addresses.ipv4}:{FIRST['port']}",
                                "QR code over IPv4")
        tap.ok(data is not None and matches(data, FIRST),
               "QR code over IPv4: Basic Information matches the device's settings",
               json.dumps(data))

        result = runner.run("pase", first.manual, "--address", addresses.ipv4, "--timings",
                            measure=True)
        tap.ok(result.returncode == 0 and FIRST["vendor_name"] in result.stdout and
               FIRST["serial_number"] in result.stdout and "0xFFF1" in result.stdout and
               "Timings" in result.stdout,
               "manual code, default port, in words: the device's vendor, serial number and "
               "vendor ID, and the timings",
               f"status {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n"
               f"{result.stderr}")
        measured = time_v(result.stderr)
        if measured is not None:
            tap.diag(f"whole process (/usr/bin/time -v): {measured[1]:.2f} s wall, "
                     f"peak RSS {measured[0]} kB")
        else:
            tap.diag("/usr/bin/time -v gave no measurement (is the time package installed?)")
        for line in result.stdout.splitlines():
            if line.strip().endswith(" ms"):
                tap.diag(f"words: {line.strip()}")

        # (b) A wrong passcode: a precise refusal, then the right code still works.
        encoded = runner.run("payload", "encode", "--vid", FIRST["vendor_id"], "--pid",
                             FIRST["product_id"], "--discriminator", FIRST["discriminator"],
                             "--passcode", 20202022, "--json")
        wrong_code = json.loads(encoded.stdout)["qrCode"] if encoded.returncode == 0 else None
        tap.ok(wrong_code is not None, "a code with the wrong passcode is made", encoded.stderr)
        result = runner.run("pase", wrong_code or "", "--address", addresses.ipv4)
        tap.ok(result.returncode == 1 and WRONG_PASSCODE_MESSAGE in result.stderr and
               result.stdout == "",
               "a wrong passcode: exit status 1 and the precise message",
               f"status {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n"
               f"{result.stderr}")
        data = runner.pase_json(first.manual, addresses.ipv4, "right code after a wrong one")
        tap.ok(data is not None and matches(data, FIRST),
               "after a wrong passcode, the right one still works against the same device",
               json.dumps(data))

        # (c) Two devices in one namespace, each reached by its port.
        data = runner.pase_json(second.qr, f"[{addresses.ipv6}]:{SECOND['port']}",
                                "second device over IPv6, port 5541")
        tap.ok(data is not None and matches(data, SECOND),
               "the second device, on port 5541, answers with its own Basic Information",
               json.dumps(data))
        data = runner.pase_json(first.qr, f"[{addresses.ipv6}]:{FIRST['port']}",
                                "first device over IPv6, port 5540")
        tap.ok(data is not None and matches(data, FIRST),
               "the first device, on port 5540 of the same address, answers with its own",
               json.dumps(data))

        # (d) The link-local address with the controller's interface as its scope.
        data = runner.pase_json(first.qr, addresses.ipv6_link_local_scoped,
                                "link-local, default port")
        tap.ok(data is not None and matches(data, FIRST) and
               data.get("address") == f"[{addresses.ipv6_link_local_scoped}]:5540",
               f"the link-local address {addresses.ipv6_link_local_scoped} reaches the first "
               "device", json.dumps(data))
        data = runner.pase_json(second.manual,
                                f"[{addresses.ipv6_link_local_scoped}]:{SECOND['port']}",
                                "link-local, port 5541")
        tap.ok(data is not None and matches(data, SECOND),
               "the link-local address with port 5541 reaches the second device",
               json.dumps(data))

        # Usage errors exit 2 before anything is sent.
        result = runner.run("pase", first.qr, "--address", "fe80::1")
        tap.ok(result.returncode == 2 and "--address" in result.stderr,
               "a link-local address without an interface is a usage error", result.stderr)

        printed = "\n".join(runner.outputs)
        leaked = [passcode for passcode in (FIRST["passcode"], SECOND["passcode"], 20202022)
                  if str(passcode) in printed]
        tap.ok(not leaked, "no passcode appears in anything threshold-cli pase printed",
               f"found: {leaked}")
        tap.ok(first.process.poll() is None and second.process.poll() is None,
               "both devices are still running", f"{first.log_tail()}\n{second.log_tail()}")
        # The devices end a PASE session themselves when the fail-safe is disarmed: a
        # CloseSession sent after that would reach them for a session they no longer know.
        late = [device.port for device in (first, second)
                if "message for unknown session" in device.log_path.read_text(errors="replace")]
        tap.ok(not late, "nothing reaches a device after its session ended",
               f"devices that logged a message for an unknown session: {late}")

    return tap.done()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except thnet.HarnessError as e:
        print(f"Bail out! {e}".replace("\n", "\n# "), flush=True)
        sys.exit(1)
