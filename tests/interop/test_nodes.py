"""threshold-cli nodes share, stop-sharing, rename, identify and remove against real matter.js
devices, in a private network with a private Avahi.

TAP on stdout. Run as root with /usr/bin/python3: `test_nodes.py THRESHOLD_CLI`. Skips (fails
with CI=true) where the interop suite cannot run.

Three devices are added to one home. The first is renamed (the device reports its new
NodeLabel), asked to identify itself, shared (a second commissioner, the matter.js controller,
then adds it to its own fabric with the shared manual code), shared again and closed, switched,
and removed while the other fabric keeps it. The second is removed as the only fabric it has
(it reports that it is decommissioned). The third is stopped and then removed: that needs
--forget.
"""

import json
import re
import shlex
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import thnet  # noqa: E402

ACCEPT = "--accept-attestation-failure"

DEVICES = [
    dict(passcode=20202021, discriminator=3840, product_id=0x8011, port=5540,
         product_name="Nodes Light 1", serial_number="TH-NOD-1"),
    dict(passcode=34567890, discriminator=1234, product_id=0x8012, port=5541,
         product_name="Nodes Light 2", serial_number="TH-NOD-2"),
    dict(passcode=24681357, discriminator=2345, product_id=0x8013, port=5542,
         product_name="Nodes Light 3", serial_number="TH-NOD-3"),
]


class Cli:
    """threshold-cli in the controller namespace, one home for every run."""

    def __init__(self, net, cli):
        self.net = net
        self.cli = cli
        self.home = net.workdir / "home"
        self.env = {"XDG_DATA_HOME": str(self.home / "data"),
                    "XDG_CACHE_HOME": str(self.home / "cache")}

    def run(self, *args, timeout=120, debug=False):
        env = dict(self.env, G_MESSAGES_DEBUG="all") if debug else self.env
        return self.net.run([self.cli, *map(str, args)], env=env, timeout=timeout)

    def run_on_terminal(self, *args, answer):
        """threshold-cli on a pseudo-terminal (script(1)) that types `answer`."""
        command = " ".join(shlex.quote(str(arg)) for arg in [self.cli, *args])
        return self.net.run(["script", "-qec", command, "/dev/null"], env=self.env,
                            input=answer, timeout=120)

    def nodes(self):
        """The stored nodes by id; a failure raises, so that "not in" cannot pass on it."""
        result = self.run("nodes", "--json")
        if result.returncode != 0:
            raise thnet.HarnessError(f"nodes --json failed: {result.stderr}")
        return {n["nodeId"]: n for n in json.loads(result.stdout)["nodes"]}


def main():
    if len(sys.argv) != 2:
        print("Bail out! usage: test_nodes.py THRESHOLD_CLI", flush=True)
        return 1
    cli_path = str(Path(sys.argv[1]).resolve())
    thnet.require(avahi=True)
    tap = thnet.Tap()

    with thnet.TestNetwork() as net:
        cli = Cli(net, cli_path)
        devices = net.start_devices(DEVICES)
        net.start_avahi()
        addresses = net.addresses
        first, second, third = devices

        trust = net.workdir / "trust"
        exported = net.run([thnet.node(), thnet.HERE / "export-test-trust.mjs", trust],
                           namespace="device")
        if exported.returncode != 0:
            raise thnet.HarnessError(f"export-test-trust.mjs failed: {exported.stderr}")
        trusted = ["--paa-trust-store", trust, "--cd-signers", trust]

        def address_of(device):
            return f"{addresses.ipv4}:{device.port}"

        node_of = {}
        for device in devices:
            result = cli.run("commission", device.qr, "--address", address_of(device), *trusted,
                             ACCEPT, "--json")
            done = [json.loads(line) for line in result.stdout.splitlines()
                    if '"commissioned"' in line]
            if result.returncode != 0 or not done:
                raise thnet.HarnessError(f"commissioning failed: {result.stdout}\n"
                                         f"{result.stderr}")
            node_of[device.port] = done[0]["node"]["nodeId"]
            device.wait_for(r"^COMMISSIONED$", timeout=10)
        one, two, three = (node_of[d.port] for d in devices)
        tap.ok(len(set(node_of.values())) == 3, "three devices added to the home", node_of)

        # Rename: the device reports its new NodeLabel, the record keeps it.
        mark = first.mark()
        result = cli.run("nodes", "rename", one, "Kitchen light", "--address",
                         address_of(first))
        try:
            label = first.wait_for(r"^LABEL (.*)$", timeout=10, since=mark).group(1)
        except thnet.HarnessError:
            label = None
        tap.ok(result.returncode == 0 and "Kitchen light" in result.stdout and
               label == json.dumps("Kitchen light"),
               "nodes rename: the device reports the new NodeLabel",
               f"status {result.returncode}, label {label}\n{result.stdout}{result.stderr}")
        stored = cli.nodes().get(one, {})
        tap.ok(stored.get("nodeLabel") == "Kitchen light",
               "the node's record keeps the new name", stored)

        # A name over 32 bytes never reaches the device.
        mark = first.mark()
        result = cli.run("nodes", "rename", one, "é" * 17, "--address", address_of(first))
        tap.ok(result.returncode == 2 and "34 bytes" in result.stderr and
               not any(line.startswith("LABEL") for line in first.lines()[mark:]),
               "a name of 34 bytes is refused before anything is sent",
               f"status {result.returncode}\n{result.stderr}")

        # Identify, found with DNS-SD this time.
        mark = first.mark()
        result = cli.run("nodes", "identify", one)
        try:
            seconds = first.wait_for(r"^IDENTIFY (\d+)$", timeout=10, since=mark).group(1)
        except thnet.HarnessError:
            seconds = None
        tap.ok(result.returncode == 0 and seconds == "10" and "1 endpoint" in result.stdout,
               "nodes identify (DNS-SD): the light identifies itself for 10 s",
               f"status {result.returncode}, identify {seconds}\n{result.stdout}{result.stderr}")

        # Share: the codes, then the matter.js controller uses the manual code.
        before = time.time()
        result = cli.run("nodes", "share", one, "--timeout", 300, "--json", "--address",
                         address_of(first), debug=True)
        share_log = result.stderr
        try:
            shared = json.loads(result.stdout)
        except ValueError:
            shared = {}
        expires = shared.get("expiresAt")
        expires_in = (datetime.fromisoformat(expires.replace("Z", "+00:00")).timestamp() - before
                      if expires else None)
        tap.ok(result.returncode == 0 and shared.get("qr", "").startswith("MT:") and
               re.fullmatch(r"\d{11}", shared.get("manualCode", "")) and
               expires_in is not None and 295 <= expires_in <= 310,
               "nodes share --json: a QR code, an 11-digit manual code, the expiry 300 s on",
               f"status {result.returncode}\n{result.stdout}{result.stderr}")
        parsed = cli.run("payload", "parse", "--json", shared.get("qr", "MT:"))
        payload = (json.loads(parsed.stdout)["payloads"][0] if parsed.returncode == 0 else {})
        tap.ok(payload.get("vendorId") == 0xFFF1 and
               payload.get("productId") == DEVICES[0]["product_id"] and
               payload.get("commissioningFlow") == "standard" and
               payload.get("discoveryCapabilities") == ["on-network"] and
               payload.get("manualCode") == shared.get("manualCode") and
               payload.get("discriminator") == shared.get("discriminator") and
               payload.get("passcodeValid") is True and
               payload.get("passcode") != DEVICES[0]["passcode"],
               "the shared QR code: the device's VID and PID, standard flow, on the network, "
               "the same manual code, a new valid passcode", payload)
        tap.ok("passcode" in payload and str(payload["passcode"]) not in share_log and
               shared.get("manualCode", "-") not in share_log,
               "with every debug message on, the new passcode and the manual code reach only "
               "stdout", share_log[-2000:])

        again = cli.run("nodes", "share", one, "--address", address_of(first))
        tap.ok(again.returncode == 1 and "already open" in again.stderr,
               "sharing again while the window is open is refused, saying why", again.stderr)

        result = net.run([thnet.node(), thnet.HERE / "controller.mjs", "--storage",
                          net.workdir / "controller", "--code", shared.get("manualCode", "0"),
                          "--toggles", 1], timeout=120)
        tap.ok(result.returncode == 0 and re.search(r"^COMMISSIONED \d+", result.stdout, re.M)
               and "TOGGLED 1" in result.stdout,
               "the matter.js controller adds the shared device with the manual code and "
               "switches it", f"status {result.returncode}\n{result.stdout}\n"
               f"{result.stderr[-3000:]}")

        # Shared again, then closed before anyone used it.
        result = cli.run("nodes", "share", one, "--timeout", 180, "--address", address_of(first))
        tap.ok(result.returncode == 0 and "MT:" in result.stdout,
               "once the window was used, the node can be shared again", result.stderr)
        result = cli.run("nodes", "stop-sharing", one, "--address", address_of(first))
        tap.ok(result.returncode == 0 and "no longer work" in result.stdout,
               "nodes stop-sharing closes the window", result.stdout + result.stderr)
        result = cli.run("nodes", "stop-sharing", one, "--address", address_of(first))
        tap.ok(result.returncode == 1 and "window was not closed" in result.stderr,
               "closing it again fails: no window is open", result.stderr)

        # The home still controls it.
        mark = first.mark()
        result = cli.run("onoff", one, "toggle", "--address", address_of(first))
        tap.ok(result.returncode == 0 and
               first.wait_for(r"^ONOFF (true|false)$", timeout=10, since=mark),
               "after sharing, the home still switches the device", result.stderr)

        # Removed while another fabric keeps it.
        mark = first.mark()
        result = cli.run("nodes", "remove", one, "--address", address_of(first))
        time.sleep(1)
        tap.ok(result.returncode == 0 and one not in cli.nodes() and
               not any(line == "DECOMMISSIONED" for line in first.lines()[mark:]),
               "nodes remove: the device leaves the home and its record is gone; it keeps "
               "the other fabric", f"status {result.returncode}\n{result.stdout}"
               f"{result.stderr}")
        result = cli.run("onoff", one, "toggle", "--address", address_of(first))
        tap.ok(result.returncode == 1 and "threshold-cli nodes" in result.stderr,
               "the removed node is no longer the home's", result.stderr)

        # Removed as its only fabric: decommissioned.
        mark = second.mark()
        result = cli.run("nodes", "remove", two)
        try:
            second.wait_for(r"^DECOMMISSIONED$", timeout=10, since=mark)
            decommissioned = True
        except thnet.HarnessError:
            decommissioned = False
        tap.ok(result.returncode == 0 and decommissioned and two not in cli.nodes(),
               "nodes remove (DNS-SD) of a device with no other fabric: it reports "
               "DECOMMISSIONED and the record is gone",
               f"status {result.returncode}\n{result.stdout}{result.stderr}")

        # Unreachable: only --forget forgets it.
        third.stop()
        result = cli.run("nodes", "remove", three, "--address", address_of(third))
        tap.ok(result.returncode == 1 and "--forget" in result.stderr and
               three in cli.nodes(),
               "an unreachable device is not forgotten without --forget", result.stderr)
        terminal = cli.run_on_terminal("nodes", "remove", three, "--address", address_of(third),
                                       answer="n\n")
        tap.ok(terminal.returncode == 1 and "Forget it anyway?" in terminal.stdout and
               three in cli.nodes(),
               "on a terminal a person is asked, and “n” keeps it", terminal.stdout)
        # The record is put back afterwards, for --forget to have something to forget.
        records = cli.home / "data" / "threshold" / "nodes"
        kept = {path: path.read_bytes() for path in records.iterdir()}
        terminal = cli.run_on_terminal("nodes", "remove", three, "--address", address_of(third),
                                       answer="y\n")
        tap.ok(terminal.returncode == 0 and three not in cli.nodes(),
               "“y” forgets it", terminal.stdout)
        for path, data in kept.items():
            path.write_bytes(data)
        result = cli.run("nodes", "remove", three, "--forget", "--address", address_of(third))
        tap.ok(result.returncode == 0 and "reset it" in result.stdout and
               three not in cli.nodes(),
               "with --forget it is forgotten, with advice to reset it",
               f"status {result.returncode}\n{result.stdout}{result.stderr}")

    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
