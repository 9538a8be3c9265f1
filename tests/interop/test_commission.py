"""threshold-cli commission, nodes and onoff against real matter.js devices, in a private
network with a private Avahi.

TAP on stdout. Run as root with /usr/bin/python3: `test_commission.py THRESHOLD_CLI`. Skips
(fails with CI=true) where the interop suite cannot run.

Five devices start together. The first three are refused in several ways (their PAA not
trusted, a test certification under --strict, no one to ask, a wrong passcode), which must
leave them commissionable and the home unchanged, and are then added together from one QR
code that joins their codes, found with DNS-SD; a new process switches one of them. The
fourth is added by its address, timed. The fifth is killed in the middle of being added,
started again from the storage it had, and added.
"""

import hashlib
import json
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import thnet  # noqa: E402

ACCEPT = "--accept-attestation-failure"
WRONG_PASSCODE = "The passcode does not match this device."

DEVICES = [
    dict(passcode=20202021, discriminator=3840, product_id=0x8001, port=5540,
         product_name="Commission Light 1", serial_number="TH-COM-1"),
    dict(passcode=34567890, discriminator=1234, product_id=0x8002, port=5541,
         product_name="Commission Light 2", serial_number="TH-COM-2"),
    dict(passcode=24681357, discriminator=2345, product_id=0x8003, port=5542,
         product_name="Commission Light 3", serial_number="TH-COM-3"),
    dict(passcode=13572468, discriminator=3456, product_id=0x8004, port=5543,
         product_name="Commission Light 4", serial_number="TH-COM-4"),
    dict(passcode=11223344, discriminator=789, product_id=0x8005, port=5544,
         product_name="Commission Light 5", serial_number="TH-COM-5"),
]


def events(stdout):
    """The JSON lines of commission --json, parsed; None if one is not JSON."""
    try:
        return [json.loads(line) for line in stdout.splitlines() if line.strip()]
    except ValueError:
        return None


def of_kind(parsed, kind):
    return [e for e in parsed or [] if e.get("event") == kind]


def snapshot(directory):
    """Every file under `directory` with a hash of its contents."""
    if not directory.exists():
        return {}
    return {str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(directory.rglob("*")) if path.is_file()}


def time_v(stderr):
    """Peak RSS (kB) and wall time (s) from /usr/bin/time -v, or None without them."""
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):"
                     r"([\d.]+)", stderr)
    if not rss or not wall:
        return None
    hours, minutes, seconds = wall.groups()
    return int(rss.group(1)), int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)


class Cli:
    """threshold-cli in the controller namespace, with one home for every run; keeps every
    output to check at the end that no passcode was printed."""

    def __init__(self, net, cli, tap):
        self.net = net
        self.cli = cli
        self.tap = tap
        self.home = net.workdir / "home"
        self.store = self.home / "data" / "threshold"
        self.env = {"XDG_DATA_HOME": str(self.home / "data"),
                    "XDG_CACHE_HOME": str(self.home / "cache")}
        self.outputs = []

    def argv(self, *args):
        return [self.cli, *map(str, args)]

    def run(self, *args, timeout=120, measure=False):
        argv = self.argv(*args)
        if measure and shutil.which("time", path="/usr/bin"):
            argv = ["/usr/bin/time", "-v", *argv]
        result = self.net.run(argv, env=self.env, timeout=timeout)
        self.outputs.append(result.stdout + result.stderr)
        return result

    def run_on_terminal(self, *args, answer):
        """Runs threshold-cli on a pseudo-terminal (script(1)) that types `answer`; the
        output is what the terminal showed."""
        command = " ".join(shlex.quote(arg) for arg in self.argv(*args))
        result = self.net.run(["script", "-qec", command, "/dev/null"], env=self.env,
                              input=answer, timeout=120)
        self.outputs.append(result.stdout + result.stderr)
        return result

    def spawn(self, *args):
        return self.net.spawn(self.argv(*args), env=self.env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def diag_timings(self, label, event):
        timings = event.get("timings", {})
        stages = ", ".join(f"{key} {value:.1f}"
                           for key, value in timings.get("stages", {}).items())
        self.tap.diag(f"{label}: {stages}; total {timings.get('totalMs', 0):.1f} ms")


def joined_qr(devices):
    """One QR text holding the codes of every device, in order."""
    return "MT:" + "*".join(device.qr[len("MT:"):] for device in devices)


def main():
    if len(sys.argv) != 2:
        print("Bail out! usage: test_commission.py THRESHOLD_CLI", flush=True)
        return 1
    cli_path = str(Path(sys.argv[1]).resolve())
    thnet.require(avahi=True)
    tap = thnet.Tap()
    started = time.monotonic()

    with thnet.TestNetwork() as net:
        cli = Cli(net, cli_path, tap)
        devices = net.start_devices(DEVICES)
        tap.diag("devices ready in " + ", ".join(f"{d.ready_seconds:.1f}" for d in devices) +
                 " s")
        avahi = net.start_avahi()
        tap.diag(f"avahi-daemon ready in {avahi.startup_seconds:.2f} s")
        addresses = net.addresses

        # The matter.js test roots, and a folder that trusts only another PAA.
        trust = net.workdir / "trust"
        exported = net.run([thnet.node(), thnet.HERE / "export-test-trust.mjs", trust],
                           namespace="device")
        if exported.returncode != 0:
            raise thnet.HarnessError(f"export-test-trust.mjs failed: {exported.stderr}")
        other_paa = net.workdir / "other-paa"
        other_paa.mkdir()
        shutil.copy(trust / "test-paa-fff1.der", other_paa)
        trusted = ["--paa-trust-store", trust, "--cd-signers", trust]
        untrusted = ["--paa-trust-store", other_paa, "--cd-signers", trust]
        first, second, third, fourth, fifth = devices

        def address_of(device, family="ipv4"):
            host = getattr(addresses, family)
            return f"[{host}]:{device.port}" if ":" in host else f"{host}:{device.port}"

        before = snapshot(cli.store)

        # (a) The device's PAA is not trusted: PAA not found, refused by --strict.
        result = cli.run("commission", first.qr, "--address", address_of(first), *untrusted,
                         "--strict", "--json")
        parsed = events(result.stdout)
        attestation = (of_kind(parsed, "attestation") or [{}])[0]
        failed = (of_kind(parsed, "failed") or [{}])[0]
        checks = [f["check"] for f in attestation.get("findings", [])]
        tap.ok(result.returncode == 1 and "paa-not-found" in checks and
               attestation.get("trusted") is False and attestation.get("decision") == "refused"
               and failed.get("stage") == "attestation" and
               failed.get("error", {}).get("code") == 1100 and
               "while checking that it is genuine" in result.stderr,
               "a device whose PAA is not trusted: “PAA not found” among the findings, refused "
               "by --strict at the attestation stage",
               f"status {result.returncode}\n{result.stdout}\n{result.stderr}")
        stages = [e["stage"] for e in of_kind(parsed, "stage")]
        # The device is on Ethernet alone and keeps no time: it needs no regulatory stage.
        tap.ok(stages == ["discovery", "pase", "read-info", "arm-fail-safe", "attestation"],
               "the stages up to attestation come in the specification's order", stages)

        # (b) Trusted roots: a test certification is the only finding; --strict refuses it.
        result = cli.run("commission", first.qr, "--address", address_of(first), *trusted,
                         "--strict", "--json")
        parsed = events(result.stdout)
        attestation = (of_kind(parsed, "attestation") or [{}])[0]
        checks = [f["check"] for f in attestation.get("findings", [])]
        tap.ok(result.returncode == 1 and checks == ["cd-development"] and
               attestation.get("trusted") is True and
               "test device" in attestation["findings"][0]["message"],
               "with the test PAA trusted, the chain verifies and the test certification is the "
               "only finding; --strict refuses it",
               f"status {result.returncode}\n{result.stdout}\n{result.stderr}")

        # (c) Neither flag, and no terminal to ask on: refused, saying which flag to use.
        result = cli.run("commission", first.manual, "--address", address_of(first), *trusted)
        tap.ok(result.returncode == 1 and ACCEPT in result.stderr and
               "No one could be asked here" in result.stderr and
               "certification declaration says this is a test device" in result.stderr,
               "without a terminal and without a flag, the device is refused with the finding "
               f"and a pointer to {ACCEPT}", result.stderr)

        # (c') On a terminal a person is asked, and may say no.
        if shutil.which("script"):
            result = cli.run_on_terminal("commission", first.qr, "--address", address_of(first),
                                         *trusted, answer="n\n")
            tap.ok(result.returncode == 1 and "Add anyway? [y/N]" in result.stdout and
                   "this is a test device" in result.stdout and
                   "You chose not to add the device" in result.stdout,
                   "on a terminal the findings are shown and a person is asked; “n” refuses",
                   f"status {result.returncode}\n{result.stdout}")
        else:
            tap.diag("script(1) is missing (util-linux): the terminal cases are not run")

        # (d) A wrong passcode: the precise error.
        encoded = cli.run("payload", "encode", "--vid", 0xFFF1, "--pid", DEVICES[0]["product_id"],
                          "--discriminator", DEVICES[0]["discriminator"], "--passcode", 20202022,
                          "--json")
        wrong_code = json.loads(encoded.stdout)["qrCode"] if encoded.returncode == 0 else ""
        result = cli.run("commission", wrong_code, "--address", address_of(first), *trusted,
                         ACCEPT)
        tap.ok(result.returncode == 1 and WRONG_PASSCODE in result.stderr and
               "while connecting with the setup code" in result.stderr and
               "Check the code and try again." in result.stderr,
               "a wrong passcode: exit status 1 and the precise error, naming the stage",
               result.stderr)
        tap.ok(snapshot(cli.store) == before and not (cli.store / "nodes").exists(),
               "refusals and a wrong passcode leave the store as it was",
               f"before {before}\nafter {snapshot(cli.store)}")

        # (e) One QR code with three devices, each found with DNS-SD, added in order.
        code = joined_qr([first, second, third])
        result = cli.run("commission", code, *trusted, ACCEPT, "--json", "--timings",
                         timeout=150)
        parsed = events(result.stdout)
        done = of_kind(parsed, "commissioned")
        serials = [e["node"]["serialNumber"] for e in done]
        node_ids = [e["node"]["nodeId"] for e in done]
        tap.ok(result.returncode == 0 and
               serials == ["TH-COM-1", "TH-COM-2", "TH-COM-3"] and
               node_ids == sorted(node_ids) and len(set(node_ids)) == 3 and
               [e["device"] for e in done] == [1, 2, 3],
               "a QR code joining three devices' codes adds them in order, found with DNS-SD, "
               "refused devices included", f"status {result.returncode}\n{result.stdout}\n"
               f"{result.stderr}")
        for device in (first, second, third):
            try:
                device.wait_for(r"^COMMISSIONED$", timeout=10)
                commissioned = True
            except thnet.HarnessError:
                commissioned = False
            tap.ok(commissioned, f"the device on port {device.port} says it was commissioned",
                   device.log_tail())
        for event in done:
            cli.diag_timings(f"DNS-SD, device {event['device']}", event)
        node_of = dict(zip(serials, node_ids))

        # (f) The home lists them.
        result = cli.run("nodes", "--json")
        try:
            listed = json.loads(result.stdout)["nodes"]
        except (ValueError, KeyError):
            listed = []
        tap.ok(result.returncode == 0 and
               [n["serialNumber"] for n in listed] == ["TH-COM-1", "TH-COM-2", "TH-COM-3"] and
               all(n["onOffEndpoint"] == 1 and n["deviceType"] == 0x0100 and
                   n["vendorId"] == 0xFFF1 for n in listed),
               "nodes lists the three devices with their On/Off endpoint and device type",
               result.stdout + result.stderr)

        # (g) A new process switches a light over CASE, finding it with DNS-SD.
        mark = first.mark()
        result = cli.run("onoff", node_of.get("TH-COM-1", 1), "toggle")
        try:
            first.wait_for(r"^ONOFF true$", timeout=10, since=mark)
            switched = True
        except thnet.HarnessError:
            switched = False
        tap.ok(result.returncode == 0 and "is on" in result.stdout and switched,
               "onoff NODE toggle from a new process: the device prints ONOFF true",
               f"status {result.returncode}\n{result.stdout}\n{result.stderr}")
        result = cli.run("onoff", node_of.get("TH-COM-2", 2), "read", "--address",
                         address_of(second, "ipv6"), "--json")
        tap.ok(result.returncode == 0 and json.loads(result.stdout or "{}").get("on") is False,
               "onoff NODE read --address reads the second light as off", result.stdout +
               result.stderr)

        # (h) A wrong passcode once the home has devices: the store stays as it was.
        before = snapshot(cli.store)
        encoded = cli.run("payload", "encode", "--vid", 0xFFF1, "--pid", DEVICES[3]["product_id"],
                          "--discriminator", DEVICES[3]["discriminator"], "--passcode", 13572469,
                          "--json")
        wrong_code = json.loads(encoded.stdout)["qrCode"] if encoded.returncode == 0 else ""
        result = cli.run("commission", wrong_code, "--address", address_of(fourth), *trusted,
                         ACCEPT)
        tap.ok(result.returncode == 1 and WRONG_PASSCODE in result.stderr and
               snapshot(cli.store) == before,
               "a wrong passcode leaves a home with devices exactly as it was", result.stderr)

        # (i) By address, over IPv6, timed, in words.
        result = cli.run("commission", fourth.manual, "--address", address_of(fourth, "ipv6"),
                         *trusted, ACCEPT, "--timings", measure=True)
        tap.ok(result.returncode == 0 and "Added “Commission Light 4”" in result.stdout and
               "Timings:" in result.stdout and "It is added anyway" in result.stdout,
               "the fourth device is added by its address, with the finding shown and the "
               "timings", f"status {result.returncode}\n{result.stdout}\n{result.stderr}")
        for line in result.stdout.splitlines():
            if line.strip().endswith(" ms"):
                tap.diag(f"--address, words: {line.strip()}")
        measured = time_v(result.stderr)
        if measured is not None:
            tap.diag(f"whole commission process (/usr/bin/time -v): {measured[1]:.2f} s wall, "
                     f"peak RSS {measured[0]} kB")

        # (j) The device is killed while it is being added.
        before = snapshot(cli.store)
        process = cli.spawn("commission", fifth.qr, "--address", address_of(fifth), *trusted,
                            ACCEPT, "--json")
        lines = thnet._Lines(process.stdout)
        errors = thnet._Lines(process.stderr)
        killed_at = lines.wait(r'"stage":"(attestation|csr)"', 60)
        if killed_at is not None:
            fifth.process.send_signal(signal.SIGKILL)
            fifth.process.wait(10)
        killed = time.monotonic()
        try:
            status = process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            status = None
        tap.diag(f"the device killed, threshold-cli ended {time.monotonic() - killed:.1f} s later")
        parsed = events("\n".join(lines.snapshot()))
        failed = (of_kind(parsed, "failed") or [{}])[0]
        message = failed.get("error", {}).get("message", "")
        tap.ok(killed_at is not None and status == 1 and
               failed.get("stage") in ("attestation", "csr") and
               ("while checking that it is genuine" in message or
                "while asking it for its operational key" in message),
               "a device killed during attestation: a clean error that names the stage",
               f"status {status}\n" + "\n".join(lines.snapshot()) + "\n" +
               "\n".join(errors.snapshot()))
        tap.diag(f"killed device: {message}")
        tap.ok(snapshot(cli.store) == before,
               "the killed device leaves the store as it was", f"{before}\n{snapshot(cli.store)}")
        fifth = net.restart_device(fifth)
        if shutil.which("script"):
            result = cli.run_on_terminal("commission", fifth.qr, "--address", address_of(fifth),
                                         *trusted, answer="y\n")
            added = result.returncode == 0 and "Add anyway? [y/N]" in result.stdout and \
                "Added “Commission Light 5”" in result.stdout
            name = ("started again from its storage, the device is commissionable, and is "
                    "added once a person answers “y” on the terminal")
        else:
            result = cli.run("commission", fifth.qr, "--address", address_of(fifth), *trusted,
                             ACCEPT)
            added = result.returncode == 0 and "Added “Commission Light 5”" in result.stdout
            name = "started again from its storage, the device is commissionable and is added"
        tap.ok(added, name, f"status {result.returncode}\n{result.stdout}\n{result.stderr}")

        printed = "\n".join(cli.outputs)
        leaked = [d["passcode"] for d in DEVICES if str(d["passcode"]) in printed]
        tap.ok(not leaked, "no passcode appears in anything threshold-cli printed",
               f"found: {leaked}")
        late = [d.port for d in (first, second, third, fourth)
                if "message for unknown session" in d.log_path.read_text(errors="replace")]
        tap.ok(not late, "nothing reaches a device for a session it has ended",
               f"devices that logged a message for an unknown session: {late}")
        tap.diag(f"the whole test took {time.monotonic() - started:.1f} s")
    return tap.done()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except thnet.HarnessError as e:
        print(f"Bail out! {e}".replace("\n", "\n# "), flush=True)
        sys.exit(1)
