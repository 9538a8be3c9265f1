#!/usr/bin/env python3
"""threshold-cli pase: its help and what it refuses before it sends anything. Prints TAP.

PASE itself, against real devices, is tested by tests/interop/test_pase.py."""
import subprocess
import sys

CLI = sys.argv[1]
results = []

# The well-known test device: passcode 20202021, discriminator 3840.
QR = "MT:Y.K90AFN00KA0648G00"
PASSCODE = "20202021"


def run(*args):
    proc = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=30)
    return proc.returncode, proc.stdout, proc.stderr


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


code, out, err = run("pase", "--help")
check("--help documents the options and the exit status",
      code == 0 and "--address" in out and "--json" in out and "--timings" in out
      and "Exit status" in out and "5540" in out, out + err)

code, out, err = run("--help")
check("top-level --help lists pase", code == 0 and "pase" in out, out)

code, out, err = run("pase", QR)
check("a missing --address is a usage error", code == 2 and "--address" in err, err)

code, out, err = run("pase", "--address", "192.0.2.1")
check("a missing code is a usage error", code == 2 and "setup code" in err, err)

code, out, err = run("pase", QR, "192.0.2.1", "--address", "192.0.2.1")
check("an extra argument is a usage error", code == 2, err)

for address, why in (("not-an-address", "not an IP address"),
                     ("fe80::1", "a link-local address without its interface"),
                     ("192.0.2.1:70000", "a port above 65535"),
                     ("[fd00::1", "an unclosed bracket")):
    code, out, err = run("pase", QR, "--address", address)
    check(f"--address {address!r} ({why}) is a usage error naming the option",
          code == 2 and "--address:" in err and out == "", err)

code, out, err = run("pase", "34970112333", "--address", "192.0.2.1")
check("a code with a wrong check digit is refused with exit 1",
      code == 1 and "last digit" in err.lower(), err)

code, out, err = run("pase", "MT:M5L90MP500W-GT68D20", "--address", "192.0.2.1")
check("a code whose passcode is out of range is refused with exit 1",
      code == 1 and "passcode" in err.lower() and "111111111" not in err, err)

code, out, err = run("pase", "MT:M5L90MP500K64J00000*M5L90U.D010K4J00000", "--address",
                     "192.0.2.1")
check("a code of several devices is refused with exit 1",
      code == 1 and "2 devices" in err, err)

everything = "".join(r[2] for r in results)
check("no output above shows the passcode", PASSCODE not in everything, everything)

print(f"1..{len(results)}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok:
        for line in (detail or "").splitlines()[:20]:
            print(f"# {line}")
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
