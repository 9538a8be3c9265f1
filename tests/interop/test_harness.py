"""Checks the interop harness itself (thnet.py and device.mjs) against a real matter.js device.

TAP on stdout. Run as root with /usr/bin/python3; skips (fails with CI=true) where the
suite cannot run. `test_harness.py --child MODE` is the helper process of the cleanup checks.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import thnet  # noqa: E402

# The codes every Matter SDK prints for passcode 20202021, discriminator 3840,
# VID 0xFFF1, PID 0x8000, on-network discovery.
DEFAULT_QR = "MT:Y.K90AFN00KA0648G00"
DEFAULT_MANUAL = "34970112332"
# A custom-flow device from the shared vectors: its QR and manual code decode to the settings.
CUSTOM_FLOW_QR = "MT:MZWA6G6026O2XP0II00"
CUSTOM_FLOW_MANUAL = "619156140465523329207"


def vectors_dir():
    env = os.environ.get("TH_VECTORS_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "vectors"


def custom_flow_vector():
    codes = json.loads((vectors_dir() / "onboarding" / "qr_codes.json").read_text())
    for entry in codes["valid"]:
        if entry["qr"] == CUSTOM_FLOW_QR:
            return entry["decoded"]
    raise LookupError(f"{CUSTOM_FLOW_QR} is not in the onboarding vectors")


# What export-test-trust.mjs writes, and the same certificates in the shared vectors.
TRUST_FILES = {
    "test-paa-novid.der": "credentials/test/attestation/Chip-Test-PAA-NoVID-Cert.der",
    "test-paa-fff1.der": "credentials/test/attestation/Chip-Test-PAA-FFF1-Cert.der",
    "cd-signer.der": "credentials/test/certification-declaration/Chip-Test-CD-Signing-Cert.der",
}


def namespaces():
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def udp_listeners(net, namespace, port):
    """The pids that listen on UDP `port` in the namespace, from ss."""
    result = net.run(["ss", "-H", "-ulnp", f"sport = :{port}"], namespace=namespace)
    return {int(pid) for pid in re.findall(r"pid=(\d+)", result.stdout)}


def host_sockets_of(pid):
    """Whether `pid` owns any socket in this (the host's) network namespace."""
    out = subprocess.run(["ss", "-H", "-uanp"], capture_output=True, text=True).stdout
    return f"pid={pid}," in out


def pid_gone(pid):
    """Whether `pid` has ended: no such process, or a zombie not yet reaped by init."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def child(mode):
    """Sets up a network with a process in it, reports both, then leaves in `mode`."""
    net = thnet.TestNetwork()
    sleeper = net.spawn(["sleep", "600"], namespace="device")
    print(json.dumps({"namespaces": net.namespaces, "pid": sleeper.pid,
                      "workdir": str(net.workdir)}), flush=True)
    if mode == "atexit":
        sys.exit(0)
    if mode == "exception":
        raise RuntimeError("a test failed with the network still open")
    if mode == "signal":
        time.sleep(600)


def check_cleanup(tap, mode, stop_with_signal):
    proc = subprocess.Popen([sys.executable, __file__, "--child", mode],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        state = json.loads(proc.stdout.readline())
        if stop_with_signal:
            # As meson ends a test that timed out: SIGTERM, and SIGKILL half a second later.
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(0.5)
            except subprocess.TimeoutExpired:
                proc.kill()
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    left = set(state["namespaces"]) & namespaces()
    tap.ok(not left and pid_gone(state["pid"]) and not Path(state["workdir"]).exists(),
           f"cleanup on {mode}: namespaces, process and work directory are gone",
           f"namespaces left: {sorted(left)}, pid {state['pid']} gone: "
           f"{pid_gone(state['pid'])}, stderr: {proc.stderr.read()[-1000:]}")


def main():
    thnet.require(avahi=True)
    tap = thnet.Tap()
    custom = custom_flow_vector()

    with thnet.TestNetwork() as net:
        names = set(net.namespaces)
        tap.ok(len(names) == 2 and names <= namespaces(),
               "two namespaces exist while the network is open", f"{names} vs {namespaces()}")
        host_links = subprocess.run(["ip", "-o", "link"], capture_output=True,
                                    text=True).stdout
        tap.ok(thnet.DEVICE_INTERFACE not in host_links and
               thnet.CONTROLLER_INTERFACE not in host_links,
               "the veth pair is not in the host namespace", host_links)
        tap.ok(net.addresses.ipv6_link_local.startswith("fe80:") and
               net.addresses.scope == thnet.CONTROLLER_INTERFACE,
               "the device's link-local address and the controller's scope are known",
               repr(net.addresses))

        first = net.start_device(passcode=20202021, discriminator=3840, vendor_id=0xFFF1,
                                 product_id=0x8000, port=5540)
        tap.diag(f"device start to READY: {first.ready_seconds:.2f} s")
        tap.ok(first.qr == DEFAULT_QR and first.manual == DEFAULT_MANUAL,
               "the default device prints the well-known codes", repr(first.codes))
        tap.ok(udp_listeners(net, "device", 5540) == {first.pid},
               "the device listens on UDP 5540 in its namespace",
               net.run(["ss", "-ulnp"], namespace="device").stdout)
        tap.ok(not udp_listeners(net, "controller", 5540) and not host_sockets_of(first.pid),
               "the device has no socket in the controller or the host namespace")

        second = net.start_device(passcode=custom["passcode"],
                                  discriminator=custom["discriminator"],
                                  vendor_id=custom["vendorId"], product_id=custom["productId"],
                                  flow_type=custom["commissioningFlow"], port=5541,
                                  vendor_name="Second Vendor", product_name="Second Light",
                                  serial_number="TH-0002",
                                  interface=thnet.DEVICE_INTERFACE)
        tap.diag(f"second device start to READY: {second.ready_seconds:.2f} s")
        tap.ok(second.qr == CUSTOM_FLOW_QR and second.manual == CUSTOM_FLOW_MANUAL,
               "a custom-flow device on another port prints the codes of its settings",
               repr(second.codes))
        tap.ok(udp_listeners(net, "device", 5541) == {second.pid} and
               first.process.poll() is None,
               "both devices run side by side in one namespace",
               net.run(["ss", "-ulnp"], namespace="device").stdout)

        avahi = net.start_avahi()
        tap.diag(f"avahi-daemon start to ready: {avahi.startup_seconds:.2f} s")
        started = time.monotonic()
        seen = {}
        while time.monotonic() - started < 20 and len(seen) < 2:
            for service in avahi.browse("_matterc._udp"):
                seen[service["port"]] = service
        tap.diag(f"avahi-browse saw {len(seen)} devices after "
                 f"{time.monotonic() - started:.2f} s")
        tap.ok(set(seen) == {5540, 5541} and
               "D=3840" in seen[5540]["txt"] and
               f"D={custom['discriminator']}" in seen[5541]["txt"] and
               seen[5540]["address"] in (net.addresses.ipv4, net.addresses.ipv6,
                                         net.addresses.ipv6_link_local),
               "Avahi in the controller namespace resolves both devices", repr(seen))

        mark = first.mark()
        result = net.run([thnet.node(), thnet.HERE / "controller.mjs", "--storage",
                          net.workdir / "controller", "--passcode", 20202021,
                          "--discriminator", 3840, "--toggles", 2], timeout=120)
        commissioned = re.search(r"^COMMISSIONED \d+ (\d+)$", result.stdout, re.M)
        if commissioned:
            tap.diag(f"matter.js controller: start to CommissioningComplete "
                     f"{commissioned.group(1)} ms")
        try:
            events = [first.wait_for(pattern, 10, since=mark).string
                      for pattern in (r"^COMMISSIONED$", r"^ONOFF true$", r"^ONOFF false$")]
        except thnet.HarnessError as e:
            events = str(e)
        tap.ok(result.returncode == 0 and commissioned and
               events == ["COMMISSIONED", "ONOFF true", "ONOFF false"],
               "a matter.js controller commissions the device and toggles it; the device "
               "reports both", f"controller status {result.returncode}, stdout:\n"
               f"{result.stdout}\nstderr ends:\n{result.stderr[-1500:]}\ndevice: {events}")

        started = time.monotonic()
        status = second.stop()
        tap.diag(f"device stop on SIGTERM: {time.monotonic() - started:.2f} s")
        tap.ok(status == 0 and second.lines()[-1] == "STOPPED",
               "a device exits cleanly on SIGTERM",
               f"status {status}, stdout {second.lines()}\n{second.log_tail()}")
        started = time.monotonic()
        status = first.stop()
        tap.diag(f"commissioned device stop on SIGTERM: {time.monotonic() - started:.2f} s")
        tap.ok(status == 0 and first.lines()[-1] == "STOPPED",
               "a commissioned device exits cleanly on SIGTERM",
               f"status {status}, stdout {first.lines()}\n{first.log_tail()}")
        trust = net.workdir / "trust"
        result = net.run([thnet.node(), thnet.HERE / "export-test-trust.mjs", trust],
                         namespace="device")
        differing = [name for name, vector in TRUST_FILES.items()
                     if not (trust / name).is_file() or
                     (trust / name).read_bytes() != (vectors_dir() / vector).read_bytes()]
        tap.ok(result.returncode == 0 and not differing,
               "the exported test PAAs and CD signer are those of the shared vectors",
               f"status {result.returncode}, differing: {differing}\n{result.stderr}")
        processes = net.processes

    tap.ok(not names & namespaces(), "closing the network deletes its namespaces",
           f"left: {names & namespaces()}")
    tap.ok(all(p.returncode is not None for p in processes) and
           all(pid_gone(p.pid) for p in processes),
           "closing the network ends every process it started",
           repr([(p.args, p.returncode) for p in processes]))
    tap.ok(not net.workdir.exists(), "closing the network removes its work directory")

    check_cleanup(tap, "atexit", stop_with_signal=False)
    check_cleanup(tap, "exception", stop_with_signal=False)
    check_cleanup(tap, "signal", stop_with_signal=True)
    return tap.done()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        sys.exit(0)
    try:
        sys.exit(main())
    except thnet.HarnessError as e:
        print(f"Bail out! {e}".replace("\n", "\n# "), flush=True)
        sys.exit(1)
    except (OSError, ValueError, LookupError) as e:
        print(f"Bail out! cannot read the shared vectors (TH_VECTORS_DIR): {e}", flush=True)
        sys.exit(1)
