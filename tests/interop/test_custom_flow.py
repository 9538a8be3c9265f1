"""The compliance ledger and the custom commissioning flow against real matter.js devices: a
local stand-in for the ledger (dcl-fixture-server) and a manufacturer's setup page over https,
in a private network with a private Avahi.

threshold-cli fills its PAA trust store from the ledger; discover names the devices it finds
from the ledger, then from what it kept; a user-intent device's steps come before its
discovery; a custom-flow device's setup page is opened (an HTTP GET from a small script, the
"browser"), which calls back without a code, and, for a device whose label code cannot be used,
starts a matter.js device in the standard flow and calls back with its code in MTrop. Each time
commissioning resumes and completes. Strangers' callbacks, a late one, and an http setup
address are refused.

TAP on stdout. Run as root with /usr/bin/python3:
`test_custom_flow.py THRESHOLD_CLI DCL_FIXTURE_SERVER` (TH_DCL_FIXTURES names the ledger's
recorded answers). Skips (fails with CI=true) where the interop suite cannot run.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import thnet  # noqa: E402

PAGE = thnet.HERE / "manufacturer_page.py"
ACCEPT = "--accept-attestation-failure"

# What the ledger stand-in says about them (tests/dcl/).
LIGHT = dict(vendor_id=0xFFF1, product_id=0x8000)   # custom flow, MTop and MTcu
PLUG = dict(vendor_id=0xFFF2, product_id=0x8001)    # user intent
LOCK_PRODUCT_ID = 0x8002                            # custom flow at an http address
PLUG_STEP = "Press the setup button until the light blinks: “blue”"
LIGHT_STEPS = ["Follow the instructions on the manufacturer’s website",
               "Press the setup button for 5 seconds"]

PLUG_DEVICE = dict(**PLUG, passcode=24681357, discriminator=1111, port=5541, flow_type=1)
LIGHT_DEVICE = dict(**LIGHT, passcode=20202021, discriminator=3840, port=5542, flow_type=2)
# The code on the label of a light whose passcode only its maker's setup can replace, and the
# device that setup makes ready.
LABEL = dict(passcode=69414998, discriminator=2222)
RETURNED_DEVICE = dict(**LIGHT, passcode=34567890, discriminator=3333, port=5540, flow_type=0)
PASSCODES = [str(d["passcode"]) for d in (PLUG_DEVICE, LIGHT_DEVICE, LABEL, RETURNED_DEVICE)]


def json_lines(text):
    events = []
    for line in text.splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            pass
    return events


def of_kind(events, kind):
    return [e for e in events if e.get("event") == kind]


class Flow:
    """threshold-cli custom-flow --json, read line by line as it runs."""

    def __init__(self, net, argv, env):
        self.process = net.spawn(argv, env=env, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.stdout = thnet._Lines(self.process.stdout)
        self.stderr = thnet._Lines(self.process.stderr)

    def event(self, kind, timeout=30.0):
        found = self.stdout.wait(f'"event":"{kind}"', timeout)
        if found is None:
            raise thnet.HarnessError(f"no {kind} event within {timeout:g} s; output:\n" +
                                     self.output())
        return json.loads(self.stdout.snapshot()[found[0]])

    def finish(self, timeout=120.0):
        try:
            status = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            thnet._end_processes([self.process], thnet.GRACE_S)
            status = None
        self.stdout.wait(r"(?!)", 5)   # matches nothing: returns once the stream has ended
        return status

    def events(self):
        return json_lines("\n".join(self.stdout.snapshot()))

    def output(self):
        return "\n".join(self.stdout.snapshot()) + "\nstderr:\n" + \
            "\n".join(self.stderr.snapshot())


def main():
    if len(sys.argv) != 3:
        print("Bail out! usage: test_custom_flow.py THRESHOLD_CLI DCL_FIXTURE_SERVER",
              flush=True)
        return 1
    cli = str(Path(sys.argv[1]).resolve())
    fixture_server = str(Path(sys.argv[2]).resolve())
    fixtures = os.environ.get("TH_DCL_FIXTURES")
    thnet.require(avahi=True)
    if fixtures is None or not Path(fixtures, "routes.json").exists():
        thnet.skip_or_fail("TH_DCL_FIXTURES does not name tests/dcl: run it through meson")
    if shutil.which("openssl") is None:
        thnet.skip_or_fail("the openssl command is missing: install openssl")
    tap = thnet.Tap()

    with thnet.TestNetwork() as net:
        home = net.workdir / "home"
        env = {"XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache")}
        outputs = []

        def run(*args, timeout=120):
            result = net.run([cli, *map(str, args)], env=env, timeout=timeout)
            outputs.append(result.stdout + result.stderr)
            return result

        def spawn_flow(*args):
            flow = Flow(net, [cli, "custom-flow", *map(str, args)], env)
            return flow

        def browse(url):
            """The "browser": a GET in the controller namespace, trusting the page's cert."""
            result = net.run([sys.executable, PAGE, "open", url, cert], timeout=60)
            if result.returncode != 0:
                raise thnet.HarnessError(f"opening {url} failed: {result.stderr}")
            return json.loads(result.stdout)

        # The matter.js roots of trust, a certificate for the page, the page, the ledger.
        trust = net.workdir / "trust"
        exported = net.run([thnet.node(), thnet.HERE / "export-test-trust.mjs", trust],
                           namespace="device")
        if exported.returncode != 0:
            raise thnet.HarnessError(f"export-test-trust.mjs failed: {exported.stderr}")
        commission_options = ["--", "--cd-signers", trust, ACCEPT, "--json"]
        cert, key = net.workdir / "page-cert.pem", net.workdir / "page-key.pem"
        made = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                               "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                               "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                               "-addext", "subjectAltName=IP:127.0.0.1"], capture_output=True)
        if made.returncode != 0:
            raise thnet.HarnessError(f"openssl req failed: {made.stderr}")
        page = net.spawn([sys.executable, PAGE, "serve", cert, key], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        page_lines = thnet._Lines(page.stdout)
        page_errors = thnet._Lines(page.stderr)
        found = page_lines.wait(r"^URL ", 30)
        if found is None:
            raise thnet.HarnessError("the setup page did not start: " +
                                     "\n".join(page_errors.snapshot()))
        page_url = found[1].string.split()[1]
        ledger = net.spawn([fixture_server, fixtures, "--paa", trust / "test-paa-novid.pem",
                            "--paa", trust / "test-paa-fff1.pem",
                            "--set", f"FLOW_URL_BASE={page_url}"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        ledger_lines = thnet._Lines(ledger.stdout)
        found = ledger_lines.wait(r"^URL ", 30)
        if found is None:
            raise thnet.HarnessError("dcl-fixture-server did not start")
        dcl_url = found[1].string.split()[1]
        tap.diag(f"ledger at {dcl_url}, setup page at {page_url}, both on the controller's "
                 "loopback")

        plug, light = net.start_devices([PLUG_DEVICE, LIGHT_DEVICE])
        avahi = net.start_avahi()
        tap.diag(f"devices ready in {plug.ready_seconds:.1f} and {light.ready_seconds:.1f} s; "
                 f"avahi-daemon in {avahi.startup_seconds:.2f} s")

        # The trust store from the ledger.
        result = run("trust-store", "sync", "--dcl-url", dcl_url, "--json")
        synced = json.loads(result.stdout) if result.returncode == 0 else {}
        tap.ok(synced.get("listed") == 2 and synced.get("added") == 2 and
               synced.get("leftOut") == [] and synced.get("source") == "network" and
               synced.get("dir") == str(home / "cache" / "threshold" / "paa"),
               "trust-store sync writes the ledger's two approved roots into "
               "$XDG_CACHE_HOME/threshold/paa", result.stdout + result.stderr)
        result = run("trust-store", "list", "--json")
        listed = json.loads(result.stdout) if result.returncode == 0 else {}
        tap.ok(listed.get("count") == 2 and listed.get("sizeBytes", 0) > 600 and
               0 <= listed.get("ageSeconds", -1) < 60 and
               sorted(c["subject"] for c in listed.get("certificates", [])) ==
               ["CN=Matter Test PAA", "CN=Matter Test PAA, vid=FFF1"],
               "trust-store list gives the two roots, the store's size and its age",
               result.stdout + result.stderr)

        # discover, with the names from the ledger, then from what was kept.
        started = time.monotonic()
        result = run("discover", "--json", "--dcl-url", dcl_url)
        seconds = time.monotonic() - started
        devices = {d["port"]: d for d in json.loads(result.stdout).get("devices", [])} \
            if result.returncode == 0 else {}
        plug_dcl = devices.get(5541, {}).get("dcl", {})
        light_dcl = devices.get(5542, {}).get("dcl", {})
        tap.ok(plug_dcl.get("model", {}).get("productName") == "Threshold Test Plug" and
               plug_dcl.get("vendor", {}).get("vendorName") == "Plugs Example" and
               plug_dcl["model"].get("commissioningCustomFlow") == 1 and
               light_dcl.get("model", {}).get("productName") == "Threshold Test Light" and
               light_dcl.get("vendor", {}).get("vendorName") == "Threshold Test Vendor" and
               light_dcl["model"].get("source") == "network" and seconds < 5,
               f"discover lists the matter.js devices with their product and vendor names "
               f"from the ledger ({seconds:.2f} s)", result.stdout + result.stderr)
        result = run("discover", "--dcl-url", dcl_url)
        tap.ok(result.returncode == 0 and "Threshold Test Plug" in result.stdout and
               "Plugs Example" in result.stdout and "Threshold Test Light" in result.stdout,
               "in words too", result.stdout + result.stderr)
        # discover --watch: each device first as found, then again with the ledger's names.
        watcher = net.spawn([cli, "discover", "--watch", "--json", "--timeout", 8, "--dcl-url",
                             dcl_url], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = watcher.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            watcher.kill()
            out, err = watcher.communicate()
        events = [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]
        named = {e["device"]["port"]: e["device"].get("dcl", {}) for e in events
                 if e["event"] == "described"}
        first_added = next((e for e in events if e["event"] == "added"), {})
        tap.ok(named.get(5541, {}).get("model", {}).get("productName") == "Threshold Test Plug"
               and named.get(5541, {}).get("vendor", {}).get("vendorName") == "Plugs Example"
               and named.get(5542, {}).get("model", {}).get("productName") ==
               "Threshold Test Light" and "dcl" not in first_added.get("device", {}),
               "discover --watch lists each device as it is found, then again with its "
               "product and vendor names as the ledger answers", out.decode() + err.decode())

        result = run("discover", "--json", "--offline", "--dcl-url", dcl_url)
        devices = {d["port"]: d for d in json.loads(result.stdout).get("devices", [])} \
            if result.returncode == 0 else {}
        model = devices.get(5542, {}).get("dcl", {}).get("model", {})
        tap.ok(model.get("productName") == "Threshold Test Light" and
               model.get("source") == "cache",
               "offline, discover names them from what it kept of that ledger",
               result.stdout + result.stderr)

        # A user-intent device: its steps before its discovery, then it is added.
        flow = spawn_flow("--json", "--dcl-url", dcl_url, plug.qr, *commission_options)
        status = flow.finish()
        events = flow.events()
        outputs.append(flow.output())
        kinds = [e.get("event") for e in events]
        steps = of_kind(events, "steps")
        tap.ok(status == 0 and steps and steps[0].get("steps") == [PLUG_STEP] and
               "stage" in kinds and kinds.index("steps") < kinds.index("stage") and
               of_kind(events, "commissioned"),
               "a user-intent device: the ledger's steps come before discovery, then it is "
               "added", flow.output())

        # A custom-flow device whose setup calls back without a code: the user's code.
        flow = spawn_flow("--json", "--dcl-url", dcl_url, light.qr, *commission_options)
        try:
            opened = flow.event("open-url")
            callback = opened["callbackUrl"]
            expected = (f"{page_url}/matter/setup?vid=FFF1&pid=8000&MTop="
                        f"{urllib.parse.quote(light.qr, safe='')}&MTcu="
                        f"{urllib.parse.quote(callback, safe='')}#welcome")
            tap.ok(opened["url"] == expected and opened.get("steps") == LIGHT_STEPS and
                   callback.startswith("http://127.0.0.1:") and callback.endswith("&MTrop=_"),
                   "the setup address is the ledger's, with the code in MTop and the loopback "
                   "callback in MTcu, the other pairs and the fragment as they were", opened)
            mark = len(page_lines.snapshot())
            answer = browse(opened["url"])
            request = page_lines.wait(r"^\{", 10, since=mark)
            query = dict(json.loads(request[1].string)["query"]) if request else {}
            tap.ok(answer["status"] == 200 and query.get("MTop") == light.qr and
                   query.get("MTcu") == callback and query.get("vid") == "FFF1",
                   "the setup page gets the code and the callback", f"{answer} {query}")
            stranger = browse(callback.replace("state=", "state=x"))
            refused = flow.event("callback-refused")
            tap.ok(stranger["status"] == 403 and "one-time token" in stranger["body"] and
                   "one-time token" in refused["error"]["message"],
                   "a callback without the one-time token is refused, and the flow waits on",
                   f"{stranger} {refused}")
            answer = browse(callback)
            status = flow.finish()
            events = flow.events()
            ready = (of_kind(events, "ready") or [{}])[0]
            done = of_kind(events, "commissioned")
            attestation = (of_kind(events, "attestation") or [{}])[0]
            tap.ok(answer["status"] == 200 and "Threshold has your answer" in answer["body"] and
                   status == 0 and ready.get("code") == "own" and
                   ready.get("discriminator") == LIGHT_DEVICE["discriminator"] and done,
                   "called back without MTrop, commissioning resumes with the user's code and "
                   "completes", flow.output())
            tap.ok(attestation.get("trusted") is True and
                   [f["check"] for f in attestation.get("findings", [])] == ["cd-development"],
                   "its attestation chain ends in a root the trust store got from the ledger",
                   attestation)
            light.wait_for(r"^COMMISSIONED$", timeout=10)
            late = browse(callback)
            tap.ok(late["status"] != 200,
                   "once the flow has ended, its callback is no longer answered", late)
        except thnet.HarnessError as e:
            tap.ok(False, "a custom flow called back without a code", str(e))
        outputs.append(flow.output())

        # A label code that cannot be used: the setup makes a device ready and returns its code.
        encoded = run("payload", "encode", "--vid", LIGHT["vendor_id"], "--pid",
                      LIGHT["product_id"], "--discriminator", LABEL["discriminator"],
                      "--passcode", LABEL["passcode"], "--flow", "custom", "--json")
        label_code = json.loads(encoded.stdout)["qrCode"]
        flow = spawn_flow("--json", "--dcl-url", dcl_url, label_code, *commission_options)
        try:
            opened = flow.event("open-url")
            started = time.monotonic()
            answer = browse(opened["url"])
            returned = net.start_device(**RETURNED_DEVICE)
            callback = opened["callbackUrl"].replace(
                "MTrop=_", "MTrop=" + urllib.parse.quote(returned.qr, safe=""))
            answer = browse(callback)
            status = flow.finish()
            events = flow.events()
            ready = (of_kind(events, "ready") or [{}])[0]
            done = (of_kind(events, "commissioned") or [{}])[0]
            tap.ok(answer["status"] == 200 and status == 0 and ready.get("code") == "returned"
                   and ready.get("discriminator") == RETURNED_DEVICE["discriminator"] and
                   ready.get("flow") == "standard" and done.get("node"),
                   "the setup starts a matter.js device in the standard flow and calls back "
                   "with its code in MTrop: commissioning resumes with it and completes",
                   flow.output())
            returned.wait_for(r"^COMMISSIONED$", timeout=10)
            tap.diag(f"from opening the setup page to the device added: "
                     f"{time.monotonic() - started:.1f} s (the device's start included)")
        except thnet.HarnessError as e:
            tap.ok(False, "a custom flow called back with MTrop", str(e))
        outputs.append(flow.output())

        # Refusals: no callback in time; a setup address over http.
        started = time.monotonic()
        result = run("custom-flow", "--dcl-url", dcl_url, "--timeout", 2, label_code,
                     "--no-commission")
        seconds = time.monotonic() - started
        tap.ok(result.returncode == 1 and "Nothing came back from the manufacturer’s setup "
               "within 2 seconds" in result.stderr and 2 <= seconds < 10,
               f"no callback within --timeout: refused with the reason ({seconds:.1f} s)",
               result.stdout + result.stderr)
        encoded = run("payload", "encode", "--vid", LIGHT["vendor_id"], "--pid",
                      LOCK_PRODUCT_ID, "--discriminator", 10, "--passcode", 20202021,
                      "--flow", "custom", "--json")
        result = run("custom-flow", "--dcl-url", dcl_url,
                     json.loads(encoded.stdout)["qrCode"])
        tap.ok(result.returncode == 1 and "not an https address" in result.stderr and
               "MTop" not in result.stdout,
               "a setup address over http is refused before anything is sent", result.stderr)

        leaked = [p for p in PASSCODES if any(p in output for output in outputs)]
        tap.ok(not leaked, "no passcode appears in any output", leaked)
    return tap.done()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except thnet.HarnessError as e:
        print(f"Bail out! {e}".replace("\n", "\n# "), flush=True)
        sys.exit(1)
