"""threshold-cli commission giving a device its Wi-Fi or Thread network, against matter.js
devices whose Network Commissioning cluster the device script implements (device.mjs
--network): one network is in range, and the device answers ScanNetworks, AddOrUpdate*Network
and ConnectNetwork as a radio would, with the NetworkingStatus of what it was given.

The devices are reached over IP (the BLE link is covered by tests/ble): with credentials
given, the commissioner runs the NETWORK stage over IP too.

TAP on stdout. Run as root with /usr/bin/python3: `test_network.py THRESHOLD_CLI`. Skips
(fails with CI=true) where the interop suite cannot run.
"""

import json
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import thnet  # noqa: E402

ACCEPT = "--accept-attestation-failure"
SSID = "ThresholdTestNet"
PASSWORD = "correct-horse-battery-7"
WRONG_PASSWORD = "tr0ub4dor-and-3"
XPAN = "dead00beef00cafe"
NETWORK_KEY = "00112233445566778899aabbccddeeff"
# Active Timestamp, Channel 15, PAN ID, Extended PAN ID, Network Name, Mesh-Local Prefix,
# Network Key: what Matter requires and what the device names the network by.
DATASET = ("0e080000000000010000" "000300000f" "01021234" "0208" + XPAN +
           "030f" + "ThresholdThread".encode().hex() + "0708fd11223344556677" +
           "0510" + NETWORK_KEY)

# TH_ERROR codes (src/engine/th-error.h)
ERROR_NETWORK_KIND = 1303
ERROR_NETWORK_NOT_FOUND = 1304
ERROR_NETWORK_AUTH_FAILED = 1305


def events(stdout):
    """The JSON lines of commission --json; GLib prints debug messages there too."""
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def failure(parsed):
    for event in parsed:
        if event.get("event") == "failed":
            return event
    return {}


def main():
    if len(sys.argv) != 2:
        print("usage: test_network.py THRESHOLD_CLI", file=sys.stderr)
        return 2
    cli = sys.argv[1]
    thnet.require()
    tap = thnet.Tap()

    with thnet.TestNetwork() as net:
        home = net.workdir / "home"
        env = {"XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"),
               # every debug message too: none may hold a password or a key
               "G_MESSAGES_DEBUG": "all"}
        outputs = []

        def run(*args, stdin=None):
            result = net.run([cli, *map(str, args)], env=env, timeout=120, input=stdin)
            outputs.append(result.stdout + result.stderr)
            return result

        expected = net.workdir / "network-password"
        expected.write_text(PASSWORD + "\n")
        wrong = net.workdir / "wrong-password"
        wrong.write_text(WRONG_PASSWORD + "\n")

        wifi, thread = net.start_devices([
            dict(port=5540, discriminator=1001, passcode=20202021,
                 extra_args=["--network", "wifi", "--network-ssid", SSID,
                             "--network-password-file", expected, "--no-concurrent"]),
            dict(port=5541, discriminator=1002, passcode=20202022,
                 extra_args=["--network", "thread", "--network-xpan", XPAN]),
        ])
        addresses = net.addresses

        def address_of(device):
            return f"{addresses.ipv4}:{device.port}"

        ssid_hex = SSID.encode().hex()

        # (a) A wrong password: the device refuses it at ConnectNetwork with AuthFailure; the
        # error says the password was not accepted, and the device is left commissionable.
        result = run("commission", wifi.qr, "--address", address_of(wifi), ACCEPT, "--json",
                     "--wifi", SSID, "--wifi-password-file", wrong)
        failed = failure(events(result.stdout))
        error = failed.get("error", {})
        tap.ok(result.returncode == 1 and failed.get("stage") == "network"
               and error.get("code") == ERROR_NETWORK_AUTH_FAILED
               and "password was not accepted" in error.get("message", "")
               and "4-way handshake failed" in error.get("message", ""),
               "a wrong Wi-Fi password: the device's AuthFailure as a precise error, with its "
               "DebugText", result.stdout + result.stderr)
        tap.ok(wifi.wait_for(rf"^NETWORK ADDED {ssid_hex}$", timeout=5) is not None
               and wifi.wait_for(rf"^NETWORK REFUSED AuthFailure {ssid_hex}$", timeout=5)
               is not None,
               "the device got AddOrUpdateWiFiNetwork, then ConnectNetwork, and refused it")

        # (b) A network not in range: NetworkNotFound, named.
        result = run("commission", wifi.qr, "--address", address_of(wifi), ACCEPT, "--json",
                     "--wifi", "SomeoneElsesNet", "--wifi-password-file", expected)
        error = failure(events(result.stdout)).get("error", {})
        tap.ok(result.returncode == 1 and error.get("code") == ERROR_NETWORK_NOT_FOUND
               and "“SomeoneElsesNet”" in error.get("message", ""),
               "a network the device cannot find: NetworkNotFound names it",
               result.stdout + result.stderr)

        # (c) Thread credentials for a Wi-Fi device: refused before anything is sent.
        result = run("commission", wifi.qr, "--address", address_of(wifi), ACCEPT, "--json",
                     "--thread-dataset", DATASET)
        error = failure(events(result.stdout)).get("error", {})
        tap.ok(result.returncode == 1 and error.get("code") == ERROR_NETWORK_KIND
               and "cannot join a Thread network" in error.get("message", ""),
               "a Thread dataset for a Wi-Fi device: the error says which kind it needs",
               result.stdout + result.stderr)

        # (d) The right password, read from standard input: added, the device connected.
        result = run("commission", wifi.qr, "--address", address_of(wifi), ACCEPT, "--json",
                     "--wifi", SSID, "--wifi-password-file", "-", stdin=PASSWORD + "\n")
        parsed = events(result.stdout)
        stages = [e.get("stage") for e in parsed if e.get("event") == "stage"]
        tap.ok(result.returncode == 0 and "network" in stages
               and any(e.get("event") == "commissioned" for e in parsed),
               "the right password from standard input: the device is added, through NETWORK",
               result.stdout + result.stderr)
        tap.ok(wifi.wait_for(rf"^NETWORK CONNECTED {ssid_hex}$", timeout=5) is not None
               and wifi.wait_for(r"^COMMISSIONED$", timeout=10) is not None,
               "the device joined the network it was given and completed commissioning")

        # (e) Thread: the dataset is given with AddOrUpdateThreadNetwork, the extended PAN id
        # names it in ConnectNetwork.
        result = run("commission", thread.qr, "--address", address_of(thread), ACCEPT,
                     "--json", "--thread-dataset", DATASET)
        parsed = events(result.stdout)
        tap.ok(result.returncode == 0 and any(e.get("event") == "commissioned" for e in parsed),
               "a Thread device given an operational dataset is added",
               result.stdout + result.stderr)
        tap.ok(thread.wait_for(rf"^NETWORK ADDED {XPAN}$", timeout=5) is not None
               and thread.wait_for(rf"^NETWORK CONNECTED {XPAN}$", timeout=5) is not None,
               "the Thread device was given the dataset and joined the network it names")

        # (f) No credentials and no terminal: the error says which flag to give. The Wi-Fi
        # device was added; a new one is needed for this.
        third = net.start_device(port=5542, discriminator=1003, passcode=20202023,
                                 extra_args=["--network", "wifi", "--network-ssid", SSID,
                                             "--network-password-file", expected])
        result = run("commission", third.qr, "--address", address_of(third), ACCEPT, "--json",
                     "--wifi", SSID)
        tap.ok(result.returncode == 2 and "--wifi-password-file" in result.stderr,
               "--wifi without a password file: a usage error naming the flag", result.stderr)

        # Nothing printed, even at debug level, holds a password or the network key.
        secrets = [PASSWORD, WRONG_PASSWORD, NETWORK_KEY, NETWORK_KEY.upper(),
                   PASSWORD.encode().hex(), WRONG_PASSWORD.encode().hex()]
        leaked = [s for s in secrets for output in outputs if s in output]
        tap.ok(not leaked and len(outputs) == 6,
               "no password or network key in any output of threshold-cli (debug included)",
               f"leaked: {leaked}")

    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
