#!/usr/bin/env python3
"""threshold-cli payload parse|encode, run as a person would run it. Prints TAP."""
import json
import subprocess
import sys

CLI = sys.argv[1]
results = []


def run(*args):
    proc = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=30)
    return proc.returncode, proc.stdout, proc.stderr


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


# The well-known test device: VID 0xFFF1, PID 0x8000, discriminator 3840, passcode 20202021.
code, out, err = run("payload", "parse", "MT:Y.K90AFN00KA0648G00")
check("QR parses", code == 0, err)
check("QR vendor id in words", "0xFFF1 (65521)" in out, out)
check("QR product id in words", "0x8000 (32768)" in out, out)
check("QR discriminator", "3840" in out, out)
check("QR passcode", "20202021" in out, out)
check("QR manual code grouped 4-3-4", "3497-011-2332" in out, out)

code, out, err = run("payload", "parse", "--json", "MT:Y.K90AFN00KA0648G00")
data = json.loads(out) if code == 0 else {}
p = data.get("payloads", [{}])[0]
check("QR --json fields",
      p.get("vendorId") == 0xFFF1 and p.get("productId") == 0x8000
      and p.get("discriminator") == 3840 and p.get("passcode") == 20202021
      and p.get("format") == "qr" and data.get("usable") is True, out)

for text in ("34970112332", "3497-011-2332", "3497 011 2332", " 34970112332 "):
    code, out, err = run("payload", "parse", "--json", text)
    data = json.loads(out) if code == 0 else {}
    p = data.get("payloads", [{}])[0]
    check(f"manual code {text!r}",
          p.get("shortDiscriminator") == 15 and p.get("passcode") == 20202021
          and p.get("format") == "manual" and "vendorId" not in p, out + err)

code, out, err = run("payload", "parse", "34970112332")
check("manual code in words: short discriminator", "15" in out and "short" in out, out)

code, out, err = run("payload", "parse", "34970112333")
check("wrong check digit is rejected with exit 1", code == 1 and "last digit" in err.lower(), err)
check("the rejection never prints the passcode", "20202021" not in err, err)

code, out, err = run("payload", "parse", "MT:Y.K90AFN00KA0648G0!")
check("bad QR character is rejected and located", code == 1 and "22" in err, err)

code, out, err = run("payload", "parse", "hello")
check("garbage is rejected with exit 1", code == 1 and err.strip() != "", err)

code, out, err = run("payload", "parse")
check("missing code is a usage error", code == 2, err)

code, out, err = run("payload", "parse", "--help")
check("--help documents the exit status", code == 0 and "Exit status" in out, out)

code, out, err = run("--help")
check("top-level --help lists payload", code == 0 and "payload" in out, out)

code, out, err = run("no-such-command")
check("unknown command is a usage error", code == 2, err)

code, out, err = run("payload", "encode", "--vid", "0xFFF1", "--pid", "0x8000",
                     "--discriminator", "3840", "--passcode", "20202021",
                     "--capabilities", "ble", "--json")
enc = json.loads(out) if code == 0 else {}
check("encode the test device", enc.get("manualCode") == "34970112332", out + err)
code2, out2, err2 = run("payload", "parse", "--json", enc.get("qrCode", "x"))
p = json.loads(out2)["payloads"][0] if code2 == 0 else {}
check("encode then parse round trip",
      p.get("vendorId") == 0xFFF1 and p.get("discriminator") == 3840
      and p.get("passcode") == 20202021 and p.get("discoveryCapabilities") == ["ble"], out2)

code, out, err = run("payload", "encode", "--vid", "1", "--pid", "1", "--discriminator",
                     "1", "--passcode", "11111111")
check("encode refuses a forbidden passcode", code == 1 and err.strip() != "", err)

code, out, err = run("payload", "encode", "--vid", "1", "--pid", "1", "--discriminator",
                     "4096", "--passcode", "20202021")
check("encode refuses a discriminator over 4095", code == 2, err)

code, out, err = run("payload", "encode", "--vid", "0xFFF1", "--pid", "0x8000",
                     "--discriminator", "3840", "--passcode", "20202021", "--flow", "custom",
                     "--serial", "SN-1", "--json")
enc = json.loads(out) if code == 0 else {}
check("custom flow gives a 21-digit code", len(enc.get("manualCode", "")) == 21, out + err)
code2, out2, _ = run("payload", "parse", "--json", enc.get("qrCode", "x"))
p = json.loads(out2)["payloads"][0] if code2 == 0 else {}
check("serial number survives the round trip", p.get("serialNumber") == "SN-1", out2)

code, out, err = run("payload", "parse", "--json",
                     "MT:M5L90MP500K64J00000*M5L90U.D010K4J00000*M5L900CM02IX4J00000")
ps = json.loads(out)["payloads"] if code == 0 else []
check("a concatenated code gives every device, in order",
      [p.get("discriminator") for p in ps] == [128, 129, 130], out + err)
code, out, err = run("payload", "parse", "MT:M5L90MP500K64J00000*M5L90U.D010K4J00000")
check("a concatenated code in words names each device", "Device 2 of 2" in out, out)

print(f"1..{len(results)}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok:
        for line in (detail or "").splitlines()[:20]:
            print(f"# {line}")
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
