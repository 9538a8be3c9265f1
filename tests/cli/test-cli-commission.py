#!/usr/bin/env python3
"""threshold-cli commission, nodes and onoff: their help, what they refuse before they send
anything, and an empty home. Prints TAP.

Commissioning itself, against real devices, is tested by tests/interop/test_commission.py."""
import json
import os
import subprocess
import sys
import tempfile

CLI = sys.argv[1]
results = []

# The well-known test device: passcode 20202021, discriminator 3840.
QR = "MT:Y.K90AFN00KA0648G00"
PASSCODE = "20202021"
TWO_DEVICES = "MT:M5L90MP500K64J00000*M5L90U.D010K4J00000"

home = tempfile.TemporaryDirectory(prefix="th-cli-commission-")
ENV = dict(os.environ, XDG_DATA_HOME=os.path.join(home.name, "data"),
           XDG_CACHE_HOME=os.path.join(home.name, "cache"),
           # nothing here may reach a system bus, and through it an Avahi
           DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={home.name}/no-bus")


def run(*args):
    proc = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=30, env=ENV,
                          stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout, proc.stderr


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


code, out, err = run("commission", "--help")
check("commission --help documents the options and the exit status",
      code == 0 and all(option in out for option in (
          "--address", "--paa-trust-store", "--cd-signers", "--accept-attestation-failure",
          "--strict", "--timings", "--json")) and "Exit status" in out, out + err)

code, out, err = run("--help")
check("top-level --help lists commission, nodes and onoff",
      code == 0 and all(name in out for name in ("commission", "nodes", "onoff")), out)

code, out, err = run("commission")
check("a missing code is a usage error", code == 2 and "setup code" in err, err)

code, out, err = run("commission", QR, "--strict", "--accept-attestation-failure")
check("--strict with --accept-attestation-failure is a usage error",
      code == 2 and "--strict" in err and out == "", err)

code, out, err = run("commission", QR, "--address", "fe80::1")
check("a link-local --address without its interface is a usage error",
      code == 2 and "--address:" in err, err)

code, out, err = run("commission", QR, "--country", "Germany")
check("a --country that is not two letters is a usage error",
      code == 2 and "--country" in err, err)

code, out, err = run("commission", TWO_DEVICES, "--address", "192.0.2.1")
check("--address with the code of several devices is a usage error",
      code == 2 and "2 devices" in err, err)

code, out, err = run("commission", "34970112333", "--address", "192.0.2.1")
check("a code with a wrong check digit is refused with exit 1",
      code == 1 and "last digit" in err.lower(), err)

code, out, err = run("commission", "MT:M5L90MP500W-GT68D20", "--address", "192.0.2.1")
check("a code whose passcode is out of range is refused with exit 1",
      code == 1 and "passcode" in err.lower() and "111111111" not in err, err)

code, out, err = run("commission", QR, "--address", "192.0.2.1", "--paa-trust-store",
                     os.path.join(home.name, "no-such-folder"))
check("a --paa-trust-store that cannot be read is a usage error",
      code == 2 and "--paa-trust-store" in err, err)

code, out, err = run("commission", QR, "--json")
lines = [json.loads(line) for line in out.splitlines()]
check("without Avahi, DNS-SD discovery fails at once at the discovery stage, in JSON too",
      code == 1 and "while finding it" in err and
      [line.get("event") for line in lines] == ["stage", "failed"] and
      lines[-1].get("stage") == "discovery", out + err)

code, out, err = run("nodes")
check("nodes in an empty home says so", code == 0 and "No devices" in out, out + err)

code, out, err = run("nodes", "--json")
check("nodes --json in an empty home is an empty list",
      code == 0 and json.loads(out) == {"nodes": []}, out + err)
check("nothing above wrote to the home", not os.path.exists(os.path.join(home.name, "data")),
      str(os.listdir(home.name)))

code, out, err = run("onoff", "1", "dim")
check("onoff with an action it does not know is a usage error",
      code == 2 and "dim" in err, err)

code, out, err = run("onoff", "one", "on")
check("onoff with a node id that is not a number is a usage error", code == 2, err)

code, out, err = run("onoff", "7", "on", "--address", "192.0.2.1")
check("onoff on a home without that node fails, pointing at nodes",
      code == 1 and "threshold-cli nodes" in err, err)

everything = "".join(r[2] for r in results)
check("no output above shows the passcode", PASSCODE not in everything, everything)

print(f"1..{len(results)}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok:
        for line in (detail or "").splitlines()[:20]:
            print(f"# {line}")
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
