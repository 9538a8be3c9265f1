#!/usr/bin/env python3
"""Cold start to the first window drawn, and the app's memory when idle.

    bench-startup.py THRESHOLD SCHEMA_DIR [RUNS] [BASELINE]

BASELINE (bench-baseline.c, an empty libadwaita window) is measured beside Threshold in the
same cases, runs interleaved: what GTK, libadwaita and the display cost here before any of
Threshold's own work.

Run under Xvfb (xvfb-run ... dbus-run-session -- meson test --benchmark) for the X11 cases;
the Wayland cases run on a headless Weston that this script starts and stops itself (GNOME's
session is Wayland; Weston's headless backend draws into memory and opens no device or
socket beyond its own Wayland socket in a private runtime directory). Each run is a new
process (the files are in the page cache: this is the start a person sees from the second
launch after boot). The start ends when the window's frame clock has painted its first frame,
which the app logs with G_MESSAGES_DEBUG=Threshold-ui. Memory is VmRSS three seconds after
that, with the scanner idle in its "no camera" state (this machine has none) and with a
stand-in camera running at 25 frames a second. Targets: first window within 400 ms, idle RSS
under 80 MB.

This machine has no GPU: the GL renderer GTK picks by default is Mesa's llvmpipe, whose
libraries alone are more than the memory target; the cases say which renderer they use.
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

SETTLE_SECONDS = 3
FIRST_FRAME = re.compile(r"First frame drawn at monotonic time (\d+)")


def memory_mib(pid):
    """VmRSS, and RssAnon: the part that is the app's own rather than shared files."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon"):
                fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["RssAnon"]


# Where the resident memory of a mapping goes, by what mapped it (first match wins).
GROUPS = [
    ("Mesa and LLVM (software GL)", re.compile(
        r"libLLVM|libgallium|_dri\.so|libGLX|libGL\.so|libEGL|libglapi|libdrm|libgbm|"
        r"libvulkan|libelf|libz3|libsensors|libxcb-(dri|glx|present|sync|randr|xfixes|shm)|"
        r"libxshmfence|libX11-xcb|libexpat|libedit|libtinfo|libffi")),
    ("GStreamer and plugins", re.compile(r"libgst|/gstreamer-1\.0/|liborc|libcamera")),
    ("zbar", re.compile(r"libzbar")),
    ("libportal", re.compile(r"libportal")),
    ("GTK, libadwaita, Pango, cairo, X11", re.compile(
        r"libgtk-4|libadwaita|libpango|libharfbuzz|libcairo|libfreetype|libfontconfig|"
        r"libpixman|libgraphene|libgdk_pixbuf|libX|libxkb|libepoxy|libxcb|libfribidi|"
        r"libthai|libdatrie|libpng|libjpeg|libtiff|libwebp|librsvg|libcloudproviders|"
        r"libtracker|libcolord|libcups|libatk|libatspi|libdbus")),
    ("fonts, icons and locale files", re.compile(
        r"\.(ttf|otf|ttc|pcf|cache|pf2)$|/fonts/|/icons/|/locale/|/gconv/|fontconfig")),
    ("GLib, GIO", re.compile(r"libglib|libgobject|libgio|libgmodule|libgthread")),
    ("engine libraries (OpenSSL, libsoup, Avahi, json-glib)", re.compile(
        r"libcrypto|libssl|libsoup|libavahi|libjson-glib|libnghttp|libpsl|libsqlite|"
        r"libbrotli|libgssapi|libkrb|libk5|libcom_err|libidn|libunistring|libsystemd|"
        r"libgcrypt|libgpg|liblz4|liblzma|libzstd|libcap|libz\.so|libbz2")),
    ("the threshold binary", re.compile(r"/threshold$")),
    ("C library, loader", re.compile(r"libc\.so|libm\.so|ld-linux|libstdc\+\+|libgcc_s|"
                                     r"libpcre|libmount|libblkid|libselinux|libresolv|"
                                     r"libuuid|libatomic")),
]


def breakdown(pid):
    """Resident memory by group (KiB), from /proc/PID/smaps: anonymous memory (heap, stacks,
    unnamed mappings) apart from each group's files."""
    totals = {}
    name = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                name = fields[5] if len(fields) > 5 else ""
                continue
            if fields[0] != "Rss:":
                continue
            if name == "" or name.startswith("["):
                group = "anonymous (heap, stacks, GPU-less buffers)"
            else:
                group = next((label for label, pattern in GROUPS if pattern.search(name)),
                             "other files: " + os.path.basename(name))
            totals[group] = totals.get(group, 0) + int(fields[1])
    return totals


def print_breakdown(label, totals):
    others = sum(v for k, v in totals.items() if k.startswith("other files: "))
    print(f"  where the idle RSS goes, {label} (MB):")
    for group, kib in sorted(totals.items(), key=lambda item: -item[1]):
        if not group.startswith("other files: "):
            print(f"    {kib / 1024:6.1f}  {group}")
    print(f"    {others / 1024:6.1f}  other files")
    top = sorted(((v, k[13:]) for k, v in totals.items() if k.startswith("other files: ")),
                 reverse=True)[:5]
    if top:
        print("            (the largest: " +
              ", ".join(f"{name} {kib / 1024:.1f}" for kib, name in top) + ")")


def run_once(binary, schema_dir, display, renderer, camera, gdk_debug):
    env = dict(os.environ)
    env.pop("G_DEBUG", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.update({
        "G_MESSAGES_DEBUG": "Threshold-ui",
        "GSETTINGS_BACKEND": "memory",
        "GSETTINGS_SCHEMA_DIR": schema_dir,
        "NO_AT_BRIDGE": "1",
        "GTK_A11Y": "none",
    })
    env.update(display)
    if renderer is not None:
        env["GSK_RENDERER"] = renderer
    else:
        env.pop("GSK_RENDERER", None)
    if gdk_debug is not None:
        env["GDK_DEBUG"] = gdk_debug
    if camera is not None:
        env["TH_CAMERA_SOURCE"] = camera
    else:
        env.pop("TH_CAMERA_SOURCE", None)

    first = None
    started = time.monotonic()
    # GLib writes debug messages to the standard output.
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, text=True)
    drawn = threading.Event()

    def read():
        nonlocal first
        for line in proc.stdout:
            match = FIRST_FRAME.search(line)
            if match and first is None:
                first = int(match.group(1)) / 1e6
                drawn.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not drawn.wait(20):
            raise RuntimeError("the window was never drawn")
        time.sleep(SETTLE_SECONDS)
        rss, anonymous = memory_mib(proc.pid)
        groups = breakdown(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return (first - started) * 1000, rss, anonymous, groups


def hold_display():
    """One X connection for the whole run: Xvfb (without -noreset) starts afresh when its last
    client leaves, which would refuse or slow down the next start measured."""
    import ctypes
    xlib = ctypes.CDLL("libX11.so.6")
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    return xlib.XOpenDisplay(None)


class HeadlessWeston:
    """A Weston compositor on its headless backend, in a private runtime directory."""

    def __init__(self):
        self.runtime = tempfile.mkdtemp(prefix="th-bench-wayland-")
        os.chmod(self.runtime, 0o700)
        self.socket = "wayland-th-bench"
        env = dict(os.environ, XDG_RUNTIME_DIR=self.runtime)
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        self.proc = subprocess.Popen(
            ["weston", "--backend=headless-backend.so", f"--socket={self.socket}",
             "--width=1280", "--height=800", "--idle-time=0", "--no-config"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        path = os.path.join(self.runtime, self.socket)
        deadline = time.monotonic() + 10
        while not os.path.exists(path):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("Weston did not start")
            time.sleep(0.05)

    def environment(self):
        return {"GDK_BACKEND": "wayland", "WAYLAND_DISPLAY": self.socket,
                "XDG_RUNTIME_DIR": self.runtime, "DISPLAY": ""}

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.runtime, ignore_errors=True)


def main():
    if not os.environ.get("DISPLAY") or not hold_display():
        print("no X display: run under xvfb-run", file=sys.stderr)
        return 77
    if shutil.which("weston") is None:
        print("weston not found: install it (build-aux/dev.sh test does)", file=sys.stderr)
        return 77
    binary, schema_dir = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    baseline = sys.argv[4] if len(sys.argv) > 4 else None

    work = tempfile.mkdtemp(prefix="th-bench-")
    scene = None
    if shutil.which("qrencode") and shutil.which("convert"):
        qr = os.path.join(work, "qr.png")
        scene = os.path.join(work, "scene.png")
        subprocess.run(["qrencode", "-o", qr, "-s", "6", "-m", "3",
                        "MT:Y.K90AFN00KA0648G00"], check=True)
        subprocess.run(["convert", "-size", "640x480", "xc:#8a8f96", qr, "-gravity", "center",
                        "-composite", "-depth", "8", "PNG24:" + scene], check=True)

    weston = HeadlessWeston()
    wayland = weston.environment()
    x11 = {"GDK_BACKEND": "x11"}
    camera = f'filesrc location="{scene}" ! pngdec ! imagefreeze' if scene else None
    # On X11, GTK 4.8 opens GL when it opens the display (to choose the window's visual), so
    # Mesa is loaded even for the cairo renderer; GDK_DEBUG=gl-disable shows the app without.
    cases = [
        ("Wayland, cairo renderer", wayland, "cairo", None, None),
        ("Wayland, cairo, stand-in camera", wayland, "cairo", camera, None),
        ("Wayland, default renderer (llvmpipe GL)", wayland, None, None, None),
        ("X11, cairo renderer", x11, "cairo", None, None),
        ("X11, cairo, GL disabled", x11, "cairo", None, "gl-disable"),
        ("X11, default renderer (llvmpipe GL)", x11, None, None, None),
    ]

    print(f"Threshold start-up, median of {runs} runs (targets: first window < 400 ms, "
          f"idle RSS < 80 MB)")
    try:
        for label, display, renderer, camera_source, gdk_debug in cases:
            if camera_source is None and "camera" in label:
                continue
            results, base = [], []
            for _ in range(runs):
                results.append(run_once(binary, schema_dir, display, renderer, camera_source,
                                        gdk_debug))
                if baseline is not None and camera_source is None:
                    base.append(run_once(baseline, schema_dir, display, renderer, None,
                                         gdk_debug))
            starts = [r[0] for r in results]
            print(f"  {label:40} first window {statistics.median(starts):5.0f} ms "
                  f"(min {min(starts):.0f}, max {max(starts):.0f})   "
                  f"idle RSS {statistics.median(r[1] for r in results):5.1f} MB, "
                  f"of which anonymous {statistics.median(r[2] for r in results):4.1f} MB")
            if base:
                rss, base_rss = (statistics.median(r[1] for r in rs) for rs in (results, base))
                print(f"  {'  empty libadwaita window':40} first window "
                      f"{statistics.median(r[0] for r in base):5.0f} ms   idle RSS "
                      f"{base_rss:5.1f} MB   Threshold/empty {rss / base_rss:.2f}, "
                      f"+{rss - base_rss:.1f} MB")
            # the breakdown of the run with the median RSS
            median_run = sorted(results, key=lambda r: r[1])[len(results) // 2]
            print_breakdown(label, median_run[3])
    finally:
        weston.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
