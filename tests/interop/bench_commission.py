#!/usr/bin/env python3
"""Side-by-side benchmark: the same kind of fresh matter.js device, commissioned alternately by
the matter.js controller (controller.mjs, its CommissioningController) and by
`threshold-cli commission`, both finding it through mDNS by its long discriminator.

Prints, per tool, the median time from the start of commissioning to a successful
CommissioningComplete, their ratio, and for Threshold the whole process wall time and peak
RSS. Run as a meson benchmark: `meson test -C _build --benchmark --suite interop -v`.

    bench_commission.py THRESHOLD_CLI [ROUNDS]
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import thnet  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CLI = sys.argv[1]
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else int(os.environ.get("TH_BENCH_ROUNDS", "5"))

reason = thnet.unavailable_reason(avahi=True)
if reason:
    print(f"benchmark cannot run: {reason}")
    sys.exit(77 if os.environ.get("CI") != "true" else 1)


def matterjs_round(net, discriminator, port):
    device = net.start_device(discriminator=discriminator, port=port)
    with tempfile.TemporaryDirectory(prefix="th-bench-mjs-") as storage:
        started = time.monotonic()
        result = net.run([thnet.node(), os.path.join(HERE, "controller.mjs"),
                          "--storage", storage, "--passcode", "20202021",
                          "--discriminator", str(discriminator)], timeout=90)
        wall = time.monotonic() - started
    device.stop()
    match = re.search(r"^COMMISSIONED \S+ (\d+)$", result.stdout, re.M)
    if result.returncode != 0 or not match:
        raise RuntimeError(f"matter.js controller failed: {result.stderr[-2000:]}")
    return {"commission_ms": float(match.group(1)), "wall_s": wall}


def threshold_round(net, trust_dir, discriminator, port):
    device = net.start_device(discriminator=discriminator, port=port)
    with tempfile.TemporaryDirectory(prefix="th-bench-th-") as home:
        env = {"XDG_DATA_HOME": os.path.join(home, "data"),
               "XDG_CACHE_HOME": os.path.join(home, "cache")}
        started = time.monotonic()
        result = net.run(["/usr/bin/time", "-v", CLI, "commission", device.qr,
                          "--paa-trust-store", trust_dir, "--accept-attestation-failure",
                          "--timings", "--json"], timeout=90, env=env)
        wall = time.monotonic() - started
    device.stop()
    event = None
    for line in result.stdout.splitlines():
        try:
            candidate = json.loads(line)
        except ValueError:
            continue
        if isinstance(candidate, dict) and candidate.get("event") == "commissioned":
            event = candidate
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    elapsed = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", result.stderr)
    if result.returncode != 0 or event is None:
        raise RuntimeError(f"threshold-cli failed: {result.stdout[-1500:]}{result.stderr[-1500:]}")
    timings = event["timings"]
    # From the start of commissioning to CommissioningComplete: everything but saving the node.
    commission_ms = timings["totalMs"] - timings["stages"].get("persist", 0.0)
    process_s = wall
    if elapsed:
        hours, minutes, seconds = elapsed.groups()
        process_s = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    return {"commission_ms": commission_ms, "process_s": process_s,
            "rss_kb": int(rss.group(1)) if rss else 0, "stages": timings["stages"]}


def main():
    mjs, th = [], []
    with tempfile.TemporaryDirectory(prefix="th-bench-trust-") as trust_dir:
        # Writes files only: no network, so it may run outside the namespaces.
        result = subprocess.run([thnet.node(), os.path.join(HERE, "export-test-trust.mjs"),
                                 trust_dir], capture_output=True, text=True, timeout=60, cwd=HERE)
        if result.returncode != 0:
            raise RuntimeError(f"could not export the test trust: {result.stderr}")
        with thnet.TestNetwork() as net:
            net.start_avahi()
            for i in range(ROUNDS):
                discriminator = 1000 + i
                runs = [("matter.js", lambda d=discriminator: matterjs_round(net, d, 5540)),
                        ("threshold", lambda d=discriminator: threshold_round(
                            net, trust_dir, d + 500, 5541))]
                if i % 2:
                    runs.reverse()
                for name, run in runs:
                    sample = run()
                    (mjs if name == "matter.js" else th).append(sample)
                    print(f"# round {i + 1} {name}: {sample['commission_ms']:.1f} ms", flush=True)

    mjs_median = statistics.median(s["commission_ms"] for s in mjs)
    th_median = statistics.median(s["commission_ms"] for s in th)
    process_median = statistics.median(s["process_s"] for s in th)
    rss_median = statistics.median(s["rss_kb"] for s in th) / 1024
    rss_max = max(s["rss_kb"] for s in th) / 1024
    stage_names = list(th[0]["stages"].keys())
    print(f"rounds: {ROUNDS} each, alternating, fresh device and fresh storage every run")
    print(f"matter.js controller, start -> CommissioningComplete: median {mjs_median:.1f} ms "
          f"(min {min(s['commission_ms'] for s in mjs):.1f}, "
          f"max {max(s['commission_ms'] for s in mjs):.1f})")
    print(f"threshold-cli, start -> CommissioningComplete:        median {th_median:.1f} ms "
          f"(min {min(s['commission_ms'] for s in th):.1f}, "
          f"max {max(s['commission_ms'] for s in th):.1f})")
    print(f"ratio threshold / matter.js: {th_median / mjs_median:.2f} (target <= 0.50)")
    print(f"threshold-cli whole process wall time: median {process_median * 1000:.0f} ms "
          f"(target < 1000 ms)")
    print(f"threshold-cli peak RSS: median {rss_median:.1f} MB, max {rss_max:.1f} MB "
          f"(target < 20 MB)")
    print("threshold-cli stages, median ms: " + ", ".join(
        f"{name} {statistics.median(s['stages'].get(name, 0.0) for s in th):.1f}"
        for name in stage_names))


main()
