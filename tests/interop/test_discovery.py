"""threshold-cli discover against real matter.js devices and a private Avahi, in network
namespaces: listing, filters, the one-shot lookups, a browser that follows additions, changes
and removals, Avahi going away and coming back, and no Avahi at all.

TAP on stdout. Run as root with /usr/bin/python3: test_discovery.py THRESHOLD_CLI. Skips (fails
with CI=true) where the suite cannot run. `test_discovery.py --publish` is the helper that
announces a service through Avahi's D-Bus API and changes its TXT record on request.
"""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import thnet  # noqa: E402

NO_AVAHI = ("The Avahi service is not running, so devices on the network cannot be found; "
            "Bluetooth and entering an address still work")

FIRST = dict(discriminator=3840, vendor_id=0xFFF1, product_id=0x8000, port=5540)
SECOND = dict(discriminator=1234, vendor_id=0xFFF2, product_id=0x8001, port=5541)

# The service the helper announces: a commissionable node with one bad value and one key
# Threshold does not know.
PUBLISHED_NAME = "00000000000000AB"
PUBLISHED_PORT = 5599
PUBLISHED_TXT = ["D=77", "CM=1", "VP=65521+32769", "SII=0700", "XX=y"]
PUBLISHED_CLOSED_TXT = ["D=77", "CM=0", "VP=65521+32769", "SII=0700", "XX=y"]


def publish_helper():
    """Announces PUBLISHED_NAME on the system bus's Avahi; on each stdin line (TXT entries
    separated by spaces) replaces its TXT record. Prints PUBLISHED and UPDATED once Avahi has
    them; the service goes when stdin closes."""
    from gi.repository import Gio, GLib  # python3-gi: only this helper needs it

    bus = Gio.bus_get_sync(Gio.BusType.SYSTEM, None)

    def call(path, interface, method, args, reply="()"):
        return bus.call_sync("org.freedesktop.Avahi", path, interface, method, args,
                             GLib.VariantType(reply), Gio.DBusCallFlags.NONE, 10000, None)

    def txt(entries):
        return [list(entry.encode()) for entry in entries]

    group = call("/", "org.freedesktop.Avahi.Server", "EntryGroupNew", None, "(o)").unpack()[0]
    iface = "org.freedesktop.Avahi.EntryGroup"
    where = (-1, -1, 0, PUBLISHED_NAME, "_matterc._udp", "")
    call(group, iface, "AddService",
         GLib.Variant("(iiussssqaay)", where + ("", PUBLISHED_PORT, txt(PUBLISHED_TXT))))
    call(group, iface, "AddServiceSubtype",
         GLib.Variant("(iiussss)", where + ("_L77._sub._matterc._udp",)))
    call(group, iface, "Commit", None)
    # 2 is AVAHI_ENTRY_GROUP_ESTABLISHED
    while call(group, iface, "GetState", None, "(i)").unpack()[0] != 2:
        time.sleep(0.02)
    print("PUBLISHED", flush=True)
    for line in sys.stdin:
        call(group, iface, "UpdateServiceTxt",
             GLib.Variant("(iiusssaay)", where + (txt(line.split()),)))
        print("UPDATED", flush=True)


def txt_value(txt, key):
    """The value of `key` in avahi-browse's list of TXT strings, or None."""
    for entry in txt:
        if entry.startswith(key + "="):
            return entry[len(key) + 1:]
    return None


class Watch:
    """threshold-cli discover --watch --json, read line by line as it runs."""

    def __init__(self, net, cli):
        self.process = net.spawn([cli, "discover", "--watch", "--json", "--timeout", "0"],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
        self.lines = thnet._Lines(self.process.stdout)
        self.stderr = thnet._Lines(self.process.stderr)
        self.seen = 0

    def next(self, event, instance=None, timeout=20.0, where=lambda data: True):
        """The next event of that kind (for that instance, and for which `where` holds) after
        those already taken, as (event dict, seconds waited); raises HarnessError if none
        comes in time."""
        started = time.monotonic()
        while True:
            remaining = timeout - (time.monotonic() - started)
            found = self.lines.wait(r"^\{", max(0.0, remaining), since=self.seen)
            if found is None:
                raise thnet.HarnessError(f"no {event} event for {instance} within {timeout:g} s;"
                                         f" output:\n" + "\n".join(self.lines.snapshot()) +
                                         "\nstderr:\n" + "\n".join(self.stderr.snapshot()))
            self.seen = found[0] + 1
            data = json.loads(self.lines.snapshot()[found[0]])
            name = data.get("instance") or data.get("device", {}).get("instance")
            if data["event"] == event and (instance is None or name == instance) and where(data):
                return data, time.monotonic() - started

    def events_since(self, index):
        return [json.loads(line) for line in self.lines.snapshot()[index:]]


def main():
    if len(sys.argv) != 2:
        print("usage: test_discovery.py THRESHOLD_CLI", file=sys.stderr)
        return 2
    cli = sys.argv[1]
    thnet.require(avahi=True)
    tap = thnet.Tap()

    def discover(net, *args, timeout=60):
        started = time.monotonic()
        result = net.run([cli, "discover", *map(str, args)], timeout=timeout)
        return result, time.monotonic() - started

    def listed(result):
        try:
            return {d["instance"]: d for d in json.loads(result.stdout)["devices"]}
        except (ValueError, KeyError):
            return None

    with thnet.TestNetwork() as net:
        # No system bus at all: commands run in the network reach no bus before start_avahi().
        for args in ((), ("--json",), ("--first", "--discriminator", 3840, "--json"),
                     ("--watch", "--json"), ("--operational", "--fabric", 1, "--node", 1)):
            result, seconds = discover(net, *args)
            tap.ok(result.returncode == 1 and result.stdout == "" and
                   result.stderr == f"threshold-cli: {NO_AVAHI}\n" and seconds < 5,
                   f"without a system bus, discover {' '.join(map(str, args))} says Avahi is "
                   f"not running and exits 1 at once ({seconds:.3f} s)",
                   f"status {result.returncode}, stdout {result.stdout!r}, "
                   f"stderr {result.stderr!r}")

        first = net.start_device(**FIRST)
        second = net.start_device(**SECOND)
        avahi = net.start_avahi()
        tap.diag(f"devices ready in {first.ready_seconds:.2f} s and {second.ready_seconds:.2f} s;"
                 f" avahi-daemon in {avahi.startup_seconds:.2f} s")
        addresses = net.addresses

        # The first lookup, with nothing in Avahi's cache yet.
        result, seconds = discover(net, "--first", "--discriminator", 3840, "--json",
                                   "--timeout", 10)
        found = json.loads(result.stdout) if result.returncode == 0 else {}
        device = found.get("device", {})
        tap.ok(result.returncode == 0 and device.get("port") == 5540 and
               device.get("discriminator") == 3840 and
               set(device.get("addresses", [])) == {
                   addresses.ipv6, addresses.ipv6_link_local_scoped, addresses.ipv4} and
               device.get("interface") == thnet.CONTROLLER_INTERFACE,
               "discover --first finds the device by its discriminator, with its ULA, "
               "link-local (scoped) and IPv4 addresses",
               f"status {result.returncode}\n{result.stdout}\n{result.stderr}")
        if "elapsedMs" in found:
            tap.diag(f"th_dnssd_find_commissionable_async, cold cache: {found['elapsedMs']:.1f} ms"
                     f" (the whole command {seconds * 1000:.0f} ms)")

        # Every device, checked against what avahi-browse sees.
        result, seconds = discover(net, "--json", "--timeout", 3)
        devices = listed(result) or {}
        reference = {s["port"]: s for s in avahi.browse("_matterc._udp")}
        by_port = {d["port"]: d for d in devices.values()}
        tap.diag(f"discover --json listed {len(devices)} devices in {seconds:.2f} s")
        for settings in (FIRST, SECOND):
            port = settings["port"]
            device = by_port.get(port, {})
            txt = reference.get(port, {}).get("txt", [])
            tap.ok(device.get("discriminator") == settings["discriminator"] and
                   device.get("vendorId") == settings["vendor_id"] and
                   device.get("productId") == settings["product_id"] and
                   device.get("commissioningMode") == "basic" and
                   device.get("txtProblems") == [] and
                   set(device.get("addresses", [])) == {
                       addresses.ipv6, addresses.ipv6_link_local_scoped, addresses.ipv4} and
                   txt_value(txt, "D") == str(settings["discriminator"]) and
                   txt_value(txt, "VP") == f"{settings['vendor_id']}+{settings['product_id']}" and
                   txt_value(txt, "CM") == "1" and
                   device.get("instance") == reference.get(port, {}).get("name"),
                   f"the device on port {port} is listed with D, VP, CM=1, its port and "
                   "addresses, as avahi-browse sees it",
                   f"status {result.returncode}\n{result.stdout}\n{result.stderr}\n"
                   f"avahi-browse: {reference}")
        tap.ok(result.returncode == 0 and len(devices) == 2 and seconds < 3,
               "the listing holds exactly the two devices, and ends before the timeout once "
               f"Avahi has answered ({seconds:.2f} s)", result.stdout)
        first_instance = by_port.get(5540, {}).get("instance")
        second_instance = by_port.get(5541, {}).get("instance")

        for args, port in ((("--discriminator", 1234), 5541), (("--discriminator", 3840), 5540),
                           (("--short-discriminator", 4), 5541),
                           (("--short-discriminator", 15), 5540)):
            result, _ = discover(net, *args, "--json")
            devices = listed(result)
            tap.ok(result.returncode == 0 and devices is not None and
                   [d["port"] for d in devices.values()] == [port],
                   f"discover {' '.join(map(str, args))} lists only the device on port {port}",
                   result.stdout + result.stderr)
        result, _ = discover(net, "--discriminator", 999, "--json", "--timeout", 2)
        tap.ok(result.returncode == 0 and listed(result) == {},
               "a discriminator no device has lists nothing", result.stdout + result.stderr)

        result, _ = discover(net, "--discriminator", 3840)
        tap.ok(result.returncode == 0 and "0xFFF1" in result.stdout and
               "0x8000" in result.stdout and "5540" in result.stdout and
               "Open for commissioning with the setup code on its label" in result.stdout and
               "Turn the device off and on again" in result.stdout and
               "See the device’s manual" in result.stdout,
               "in words: the vendor and product IDs in hex, the commissioning mode and the "
               "pairing hint (PH=33)", result.stdout + result.stderr)

        result, seconds = discover(net, "--first", "--short-discriminator", 4, "--json")
        found = json.loads(result.stdout) if result.returncode == 0 else {}
        tap.ok(found.get("device", {}).get("port") == 5541,
               "discover --first --short-discriminator 4 finds the device with 1234",
               result.stdout + result.stderr)
        if "elapsedMs" in found:
            tap.diag(f"th_dnssd_find_commissionable_async, short discriminator, warm cache: "
                     f"{found['elapsedMs']:.1f} ms")
        result, seconds = discover(net, "--first", "--discriminator", 999, "--timeout", 1.5)
        tap.ok(result.returncode == 1 and result.stdout == "" and
               "No device with the discriminator 999 answered on the network within 1.5 "
               "seconds" in result.stderr and 1.5 <= seconds < 5,
               f"discover --first with a discriminator nobody has fails after its timeout "
               f"({seconds:.2f} s)", result.stderr)

        # A browser that follows the network.
        watch = Watch(net, cli)
        added = {}
        try:
            for _ in range(2):
                event, _ = watch.next("added")
                added[event["device"]["instance"]] = event
            tap.ok(set(added) == {first_instance, second_instance},
                   "discover --watch reports both devices as added", repr(list(added)))
            for instance, event in added.items():
                tap.diag(f"watch: {instance} added {event['elapsedMs']:.0f} ms after the start")
        except thnet.HarnessError as e:
            tap.ok(False, "discover --watch reports both devices as added", str(e))

        # A service whose TXT record changes: CM 1 -> 0, as when a commissioning window closes.
        publisher = net.spawn([sys.executable, __file__, "--publish"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        publisher_lines = thnet._Lines(publisher.stdout)
        publisher_errors = thnet._Lines(publisher.stderr)
        try:
            if publisher_lines.wait(r"^PUBLISHED$", 30) is None:
                raise thnet.HarnessError("the publisher did not publish: " +
                                         "\n".join(publisher_errors.snapshot()))
            event, _ = watch.next("added", PUBLISHED_NAME)
            device = event["device"]
            problems = device.get("txtProblems", [])
            tap.ok(device.get("discriminator") == 77 and device.get("vendorId") == 0xFFF1 and
                   device.get("productId") == 0x8001 and
                   device.get("commissioningMode") == "basic" and
                   device.get("otherTxt") == {"XX": "y"} and
                   [p["key"] for p in problems] == ["SII"] and
                   "SII=0700" in problems[0]["message"] and
                   "sessionIdleIntervalMs" not in device,
                   "a service announced through Avahi is added with its TXT record read, the "
                   "bad SII=0700 reported by key and the unknown key kept", json.dumps(device))
            changed_at = time.monotonic()
            publisher.stdin.write((" ".join(PUBLISHED_CLOSED_TXT) + "\n").encode())
            publisher.stdin.flush()
            # Avahi may report the service's addresses settling first: wait for the TXT change
            event, _ = watch.next("changed", PUBLISHED_NAME,
                                  where=lambda e: e["device"].get("commissioningMode") != "basic")
            latency = time.monotonic() - changed_at
            tap.ok(event["device"].get("commissioningMode") == "closed" and
                   event["device"].get("discriminator") == 77,
                   "its TXT record going from CM=1 to CM=0 is reported as a change of the same "
                   "item", json.dumps(event))
            tap.diag(f"watch: the TXT change reported {latency * 1000:.0f} ms after it was made")
            result, seconds = discover(net, "--first", "--discriminator", 77, "--timeout", 1.5)
            tap.ok(result.returncode == 1 and
                   "A device with the discriminator 77 is on the network, but it is not open "
                   "for commissioning" in result.stderr and 1.5 <= seconds < 5,
                   "discover --first does not take a device that is not in commissioning mode, "
                   "and says so", result.stdout + result.stderr)
            publisher.stdin.close()
            event, _ = watch.next("removed", PUBLISHED_NAME)
            tap.ok(True, "the service is removed when its publisher goes")
        except thnet.HarnessError as e:
            tap.ok(False, "a service published through Avahi is added, changed and removed",
                   str(e))
        finally:
            thnet._end_processes([publisher], thnet.GRACE_S)

        # Avahi goes away and comes back: the browser says so, and finds the devices again.
        mark = watch.seen
        try:
            avahi.stop()
            event, _ = watch.next("unavailable")
            gone = {e.get("instance") for e in watch.events_since(mark)
                    if e["event"] == "removed"}
            tap.ok(event.get("message") == NO_AVAHI and
                   gone >= {first_instance, second_instance},
                   "when avahi-daemon stops, discover --watch empties its list and says Avahi "
                   "is not running", json.dumps(watch.events_since(mark)))
            result, seconds = discover(net, "--json")
            tap.ok(result.returncode == 1 and result.stderr == f"threshold-cli: {NO_AVAHI}\n" and
                   seconds < 5,
                   f"with a system bus but no avahi-daemon, discover says Avahi is not running "
                   f"and exits 1 at once ({seconds:.3f} s)", result.stderr)
            restarted_at = time.monotonic()
            avahi.restart()
            watch.next("browsing")
            back = {}
            for _ in range(2):
                event, _ = watch.next("added")
                back[event["device"]["instance"]] = time.monotonic() - restarted_at
            tap.ok(set(back) == {first_instance, second_instance},
                   "when avahi-daemon is back, discover --watch finds both devices again",
                   repr(back))
            tap.diag("watch: devices back " + ", ".join(f"{s:.2f} s" for s in back.values()) +
                     " after avahi-daemon was started again (its start takes about 1 s)")
        except thnet.HarnessError as e:
            tap.ok(False, "discover --watch follows avahi-daemon stopping and starting", str(e))

        # A device that stops sends its goodbyes; the browser removes it.
        try:
            mark = watch.seen
            stopped_at = time.monotonic()
            second.stop()
            watch.next("removed", second_instance)
            latency = time.monotonic() - stopped_at
            others = [e for e in watch.events_since(mark)
                      if e["event"] == "removed" and e.get("instance") != second_instance]
            tap.ok(not others, "a stopped device is removed from the list, and only it",
                   json.dumps(others))
            tap.diag(f"watch: the stopped device removed {latency * 1000:.0f} ms after its "
                     "SIGTERM (mDNS goodbye, then Avahi's one-second grace)")
        except thnet.HarnessError as e:
            tap.ok(False, "a stopped device is removed from the list, and only it", str(e))

        # Commissioning closes the window: the device leaves _matterc._udp and is operational.
        commissioned_at = time.monotonic()
        result = net.run([thnet.node(), thnet.HERE / "controller.mjs", "--storage",
                          net.workdir / "controller", "--passcode", 20202021,
                          "--discriminator", 3840], timeout=120)
        node_ids = [line.split()[1] for line in result.stdout.splitlines()
                    if line.startswith("COMMISSIONED ")]
        try:
            watch.next("removed", first_instance, timeout=30)
            tap.ok(result.returncode == 0 and node_ids,
                   "once a matter.js controller commissions it, the device leaves the list of "
                   "devices to commission", result.stdout)
            tap.diag(f"watch: the commissioned device removed "
                     f"{time.monotonic() - commissioned_at:.2f} s after the controller started")
        except thnet.HarnessError as e:
            tap.ok(False, "once commissioned, the device leaves the list", f"{result}\n{e}")

        result, _ = discover(net, "--operational", "--json")
        operational = list((listed(result) or {}).values())
        reference = avahi.browse("_matter._tcp")
        node = int(node_ids[0]) if node_ids else -1
        fabric = None
        if len(operational) == 1 and "-" in operational[0]["instance"]:
            fabric, node_hex = operational[0]["instance"].split("-")
        tap.ok(len(operational) == 1 and fabric is not None and int(node_hex, 16) == node and
               operational[0]["port"] == 5540 and
               operational[0]["instance"] in {s["name"] for s in reference},
               "discover --operational lists the commissioned device as "
               "<compressed fabric id>-<node id>, as avahi-browse sees it",
               f"{result.stdout}{result.stderr}\navahi-browse: {reference}")
        if fabric is not None:
            result, _ = discover(net, "--operational", "--fabric", f"0x{fabric}", "--node",
                                 node, "--json")
            found = json.loads(result.stdout) if result.returncode == 0 else {}
            device = found.get("device", {})
            tap.ok(device.get("instance") == operational[0]["instance"] and
                   device.get("port") == 5540 and
                   set(device.get("addresses", [])) == {
                       addresses.ipv6, addresses.ipv6_link_local_scoped, addresses.ipv4},
                   "th_dnssd_resolve_operational_async resolves the node from its compressed "
                   "fabric id and node id, with all its addresses", result.stdout + result.stderr)
            if "elapsedMs" in found:
                tap.diag(f"th_dnssd_resolve_operational_async: {found['elapsedMs']:.1f} ms")
            result, _ = discover(net, "--operational", "--fabric", f"0x{fabric}", "--json")
            tap.ok(list(listed(result) or {}) == [operational[0]["instance"]],
                   "discover --operational --fabric browses the fabric's _I subtype",
                   result.stdout + result.stderr)
            result, seconds = discover(net, "--operational", "--fabric", f"0x{fabric}",
                                       "--node", node + 1, "--timeout", 1.5)
            tap.ok(result.returncode == 1 and "Nothing on the network answered" in result.stderr
                   and 1.5 <= seconds < 5,
                   f"resolving a node that is not there fails after the timeout "
                   f"({seconds:.2f} s)", result.stderr)

        watch.process.send_signal(signal.SIGINT)
        try:
            status = watch.process.wait(10)
        except subprocess.TimeoutExpired:
            status = None
        tap.ok(status == 0, "discover --watch ends with status 0 on SIGINT",
               f"status {status}; stderr:\n" + "\n".join(watch.stderr.snapshot()))
    return tap.done()


if __name__ == "__main__":
    if sys.argv[1:] == ["--publish"]:
        publish_helper()
        sys.exit(0)
    try:
        sys.exit(main())
    except thnet.HarnessError as e:
        print(f"Bail out! {e}".replace("\n", "\n# "), flush=True)
        sys.exit(1)
