#!/usr/bin/env python3
"""threshold-cli dcl, trust-store and custom-flow against the local ledger stand-in
(dcl-fixture-server on 127.0.0.1): answers, the cache, refusals, and a custom flow up to the
point where commissioning would start. Prints TAP.

Commissioning itself, against real devices, is tested by tests/interop/test_custom_flow.py.

    test-cli-dcl.py THRESHOLD_CLI DCL_FIXTURE_SERVER   (TH_DCL_FIXTURES, TH_VECTORS_DIR set)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request

CLI, FIXTURE_SERVER = sys.argv[1], sys.argv[2]
FIXTURES = os.environ["TH_DCL_FIXTURES"]
VECTORS = os.environ["TH_VECTORS_DIR"]
PAAS = [os.path.join(VECTORS, "credentials/test/attestation", name)
        for name in ("Chip-Test-PAA-NoVID-Cert.pem", "Chip-Test-PAA-FFF1-Cert.pem")]
results = []
home = tempfile.mkdtemp(prefix="test-cli-dcl-")
env = dict(os.environ, XDG_CACHE_HOME=os.path.join(home, "cache"),
           XDG_DATA_HOME=os.path.join(home, "data"))


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def run(*args, timeout=30, stdin=None):
    proc = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env, input=stdin)
    return proc.returncode, proc.stdout, proc.stderr


def start_ledger():
    ledger = subprocess.Popen([FIXTURE_SERVER, FIXTURES, "--paa", PAAS[0], "--paa", PAAS[1],
                               "--set", "FLOW_URL_BASE=https://vendor.example"],
                              stdout=subprocess.PIPE, text=True)
    line = ledger.stdout.readline()
    return ledger, line.split()[1]


def encode(*args):
    code, out, err = run("payload", "encode", *args, "--json")
    return json.loads(out)["qrCode"]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class Flow:
    """threshold-cli custom-flow --json --no-commission, read as it runs."""

    def __init__(self, *args):
        self.process = subprocess.Popen([CLI, "custom-flow", "--json", "--no-commission",
                                         *map(str, args)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env=env)
        self.events = []
        self.opened = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            event = json.loads(line)
            self.events.append(event)
            if event.get("event") == "open-url":
                self.opened.set()
        self.opened.set()

    def open_url_event(self):
        self.opened.wait(10)
        return next((e for e in self.events if e.get("event") == "open-url"), {})

    def finish(self):
        try:
            status = self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = None
        self.reader.join(5)
        return status, self.process.stderr.read()

    def kinds(self):
        return [e.get("event") for e in self.events]


ledger, url = start_ledger()
try:
    code, out, err = run("--help")
    check("the top-level help lists custom-flow, dcl and trust-store",
          code == 0 and all(name in out for name in ("custom-flow", "dcl", "trust-store")), out)
    code, out, err = run("dcl", "--help")
    check("dcl --help lists model, vendor and revocation-points",
          code == 0 and all(name in out for name in ("model", "vendor", "revocation-points")),
          out)
    code, out, err = run("dcl", "model", "--help")
    check("dcl model --help documents --dcl-url, --offline, --json and the exit status",
          code == 0 and "--dcl-url" in out and "--offline" in out and "--json" in out and
          "Exit status" in out, out)

    code, out, err = run("dcl", "model", "0xFFF1")
    check("dcl model without a product ID is a usage error", code == 2, err)
    code, out, err = run("dcl", "model", "0x1FFFF", "1", "--dcl-url", url)
    check("a vendor ID above 0xFFFF is a usage error naming it", code == 2 and "VID" in err, err)
    code, out, err = run("dcl", "model", "1", "2", "--dcl-url", "ftp://ledger.example")
    check("a --dcl-url that cannot be a ledger is a usage error naming the option",
          code == 2 and "--dcl-url:" in err and out == "", err)

    code, out, err = run("dcl", "model", "0xFFF1", "0x8000", "--dcl-url", url, "--json")
    answer = json.loads(out) if code == 0 else {}
    model = answer.get("model", {})
    check("dcl model --json: the model under the ledger's names, the steps in words, from the "
          "network", model.get("productName") == "Threshold Test Light" and
          model.get("commissioningCustomFlow") == 2 and
          model.get("initialSteps") == ["Follow the instructions on the manufacturer’s website",
                                        "Press the setup button for 5 seconds"] and
          model.get("factoryResetSteps") == ["Press the reset button for 10 seconds"] and
          model.get("secondaryStepsInstruction") is None and
          answer.get("source") == "network" and answer.get("problem") is None, out + err)
    code, out, err = run("dcl", "model", "65521", "32768", "--dcl-url", url, "--json")
    check("asked again, dcl model answers from the cache",
          code == 0 and json.loads(out).get("source") == "cache", out + err)
    code, out, err = run("dcl", "model", "0xFFF2", "0x8001", "--dcl-url", url)
    check("dcl model in words: the name, the flow, the steps, the links",
          code == 0 and out.startswith("Threshold Test Plug\n") and "User intent" in out and
          "Press the setup button until the light blinks: “blue”" in out and
          "https://plugs.example/manual" in out and "just now" in out, out + err)
    code, out, err = run("dcl", "model", "0x1234", "0x5678", "--dcl-url", url)
    check("a model the ledger does not know: exit 1 and the ledger's word",
          code == 1 and "has no model with vendor ID 0x1234 and product ID 0x5678" in err, err)
    code, out, err = run("dcl", "model", "0xFFF1", "2", "--dcl-url", url)
    check("an answer that is not JSON: exit 1, saying so",
          code == 1 and "not valid JSON" in err, err)

    code, out, err = run("dcl", "vendor", "0xFFF2", "--dcl-url", url, "--json")
    vendor = json.loads(out) if code == 0 else {}
    check("dcl vendor --json: the ledger's fields and the name to show",
          vendor.get("vendorInfo", {}).get("companyLegalName") == "Plugs Example GmbH" and
          vendor.get("displayName") == "Plugs Example", out + err)
    code, out, err = run("dcl", "revocation-points", "--dcl-url", url, "--json")
    points = json.loads(out).get("revocationPoints", []) if code == 0 else []
    check("dcl revocation-points reads every page",
          [p["label"] for p in points] == ["test-paa-crl", "plug-pai-crl"], out + err)

    store = os.path.join(home, "paa")
    code, out, err = run("trust-store", "list", "--dir", store)
    check("an empty trust store says how to fill it",
          code == 0 and "is empty" in out and "trust-store sync" in out, out + err)
    code, out, err = run("trust-store", "sync", "--dir", store, "--dcl-url", url)
    check("trust-store sync writes the approved roots",
          code == 0 and "2 added, 0 updated, 0 unchanged, 0 removed" in out and
          sorted(os.listdir(store)) == ["6AFD22771F511FECBF1641976710DCDC31A1717E.der",
                                        "785CE705B86B8F4E6FC793AA60CB43EA696882D5.der"],
          out + err)
    check("trust-store sync fetches the revocation lists, and names those left out",
          code == 0 and "Lists:                 2 listed, 0 kept, 0 certificates revoked" in out
          and "“test-paa-crl” of 785CE705B86B8F4E6FC793AA60CB43EA696882D5 is left out" in err
          and "404 Not Found" in err and "gives no certificate for its PAI" in err and
          os.path.exists(os.path.join(home, "cache", "threshold", "revocation",
                                      "revocation-set.json")), out + err)
    code, out, err = run("trust-store", "list", "--dir", store)
    check("trust-store list: the count, the size, the age and each root",
          code == 0 and re.search(r"2 certificates, [0-9.]+ (bytes|kB), updated \d+ seconds? ago",
                                   out) and "CN=Matter Test PAA, vid=FFF1" in out and
          "Vendor ID:             0xFFF1" in out, out + err)

    # development trust: a PAA imported by hand, listed apart, removed
    development = os.path.join(home, "data", "threshold", "trust", "paa")
    code, out, err = run("trust-store", "import",
                         os.path.join(VECTORS, "credentials/test/attestation",
                                      "Chip-Test-PAI-FFF1-8000-Cert.pem"))
    check("trust-store import refuses a certificate that is not a self-signed CA",
          code == 1 and "not a self-signed CA certificate" in err and
          not os.path.exists(development), err)
    code, out, err = run("trust-store", "import",
                         os.path.join(VECTORS, "credentials/test/attestation",
                                      "Chip-Test-PAA-FFF1-Cert.der"))
    check("trust-store import copies a DER PAA into the development folder",
          code == 0 and "6A:FD:22:77" in out and
          os.listdir(development) == ["6AFD22771F511FECBF1641976710DCDC31A1717E.der"] and
          oct(os.stat(os.path.join(development, os.listdir(development)[0])).st_mode & 0o777)
          == "0o644", out + err)
    code, out, err = run("trust-store", "list")
    check("trust-store list marks the imported PAA as development trust",
          code == 0 and "Development trust in" in out and
          "CN=Matter Test PAA, vid=FFF1 (development trust)" in out, out + err)
    check("trust-store list says how many certificates the kept revocation lists revoke",
          "Revocation lists in" in out and "0 certificates revoked, fetched" in out, out + err)
    code, out, err = run("trust-store", "list", "--json")
    listing = json.loads(out) if code == 0 else {}
    check("trust-store list --json has the development certificates apart",
          [c["subjectKeyId"][:11] for c in listing.get("development", [])] == ["6A:FD:22:77"]
          and listing.get("certificates") == [] and
          listing.get("revocation", {}).get("revoked") == 0, out + err)
    code, out, err = run("trust-store", "remove", "6afd22771f511fecbf1641976710dcdc31a1717e")
    check("trust-store remove takes the key ID in either case, without colons",
          code == 0 and os.listdir(development) == [], out + err)
    code, out, err = run("trust-store", "remove", "6AFD22771F511FECBF1641976710DCDC31A1717E")
    check("trust-store remove of a certificate that is not there fails and says so",
          code == 1 and "No development PAA certificate" in err, err)
    code, out, err = run("trust-store", "remove", "6AFD")
    check("trust-store remove refuses what is not a key ID", code == 1 and "20 bytes" in err, err)

    # custom-flow refusals before anything is asked or opened
    custom = encode("--vid", 0xFFF1, "--pid", 0x8000, "--discriminator", 2222,
                    "--passcode", 69414998, "--flow", "custom")
    code, out, err = run("custom-flow", "--dcl-url", url, "34970112332")
    check("custom-flow with an 11-digit code says it names no product",
          code == 1 and "does not say which product" in err, err)
    code, out, err = run("custom-flow", "--dcl-url", url,
                         "MT:M5L90MP500K64J00000*M5L90U.D010K4J00000")
    check("custom-flow with the code of several devices is refused", code == 1, err)
    code, out, err = run("custom-flow", "--dcl-url", url, "--timeout", 0, custom)
    check("custom-flow --timeout 0 is a usage error", code == 2 and "--timeout" in err, err)
    lock = encode("--vid", 0xFFF1, "--pid", 0x8002, "--discriminator", 10,
                  "--passcode", 20202021, "--flow", "custom")
    code, out, err = run("custom-flow", "--dcl-url", url, lock)
    check("a setup address over http is refused", code == 1 and "not an https address" in err,
          err)

    # the flow: a stranger refused, then the callback with a code for the standard flow
    returned = encode("--vid", 0xFFF1, "--pid", 0x8000, "--discriminator", 3333,
                      "--passcode", 34567890)
    flow = Flow("--dcl-url", url, custom)
    opened = flow.open_url_event()
    callback = opened.get("callbackUrl", "")
    expected = ("https://vendor.example/matter/setup?vid=FFF1&pid=8000&MTop=" +
                urllib.parse.quote(custom, safe="") + "&MTcu=" +
                urllib.parse.quote(callback, safe="") + "#welcome")
    check("custom-flow prints the expanded setup address first",
          opened.get("url") == expected and opened.get("productName") == "Threshold Test Light",
          json.dumps(opened))
    stranger = get(callback.replace("state=", "state=0")) if callback else (None, "")
    answered = get(callback.replace("MTrop=_", "MTrop=" + urllib.parse.quote(returned, safe="")))\
        if callback else (None, "")
    status, err = flow.finish()
    ready = next((e for e in flow.events if e.get("event") == "ready"), {})
    check("a stranger's callback is refused and reported; the right one ends the flow with the "
          "returned code", stranger[0] == 403 and answered[0] == 200 and status == 0 and
          flow.kinds() == ["open-url", "callback-refused", "ready"] and
          ready.get("code") == "returned" and ready.get("discriminator") == 3333 and
          "a return link was refused" in err, f"{stranger} {answered} {flow.events} {err}")

    # Enter says the manufacturer's steps are done: the user's own code
    flow = Flow("--dcl-url", url, encode("--vid", 0xFFF1, "--pid", 0x8000,
                                          "--discriminator", 3840, "--passcode", 20202021,
                                          "--flow", "custom"))
    flow.open_url_event()
    flow.process.stdin.write("\n")
    flow.process.stdin.flush()
    status, err = flow.finish()
    ready = next((e for e in flow.events if e.get("event") == "ready"), {})
    check("Enter ends the flow with the user's code",
          status == 0 and ready.get("code") == "own" and ready.get("discriminator") == 3840,
          f"{flow.events} {err}")
    # offline, and the ledger gone
    ledger.terminate()
    ledger.wait(10)
    code, out, err = run("dcl", "model", "0xFFF1", "0x8000", "--dcl-url", url, "--offline")
    check("offline, a kept answer is used", code == 0 and "kept on this computer" in out,
          out + err)
    code, out, err = run("dcl", "model", "0xFFF2", "0x1", "--dcl-url", url)
    check("the ledger gone and nothing kept: exit 1, saying it could not be reached",
          code == 1 and "could not be reached" in err, err)
    code, out, err = run("custom-flow", "--dcl-url", url, encode(
        "--vid", 0xFFF2, "--pid", 2, "--discriminator", 1, "--passcode", 20202021,
        "--flow", "custom"))
    check("a custom-flow code the ledger cannot be asked about is refused with the reason",
          code == 1 and "could not say how to add this device" in err and
          "could not be reached" in err, err)
finally:
    if ledger.poll() is None:
        ledger.terminate()
        ledger.wait(10)
    shutil.rmtree(home, ignore_errors=True)

for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok and detail:
        for line in str(detail).splitlines():
            print(f"# {line}")
print(f"1..{len(results)}")
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
