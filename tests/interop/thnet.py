"""Private networks with a real matter.js device in them, for Threshold's interop tests.

A TestNetwork is two network namespaces joined by a veth pair: the device side, where
matter.js devices run (device.mjs), and the controller side, where threshold-cli and, on
request, a private avahi-daemon run. Nothing started here ever runs in the host's network
namespace, so no mDNS traffic reaches a real network.

    reason = thnet.unavailable_reason()       # None when the suite can run
    with thnet.TestNetwork() as net:
        device = net.start_device(passcode=20202021, discriminator=3840)
        device.qr, device.manual, device.addresses.ipv6
        result = net.run(["threshold-cli", ...], timeout=60)
        device.wait_for(r"^COMMISSIONED$", timeout=30)

Everything started is ended by pid (SIGTERM, then SIGKILL after a grace period) and the
namespaces are deleted on every way out: the context manager, atexit, SIGTERM/SIGINT/SIGHUP,
and, should this process be killed outright, the parent-death signal each child carries.

Uses the Python standard library only: run it with /usr/bin/python3 as root.
"""

import atexit
import fcntl
import hashlib
import ipaddress
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
DEVICE_SCRIPT = HERE / "device.mjs"
PACKAGE_LOCK = HERE / "package-lock.json"

DEVICE_INTERFACE = "veth-dev"
CONTROLLER_INTERFACE = "veth-ctl"

# More than device.mjs allows itself for a clean shutdown (15 s): a device whose controller
# left a subscription behind spends about 13 s retrying its last reports before it exits.
GRACE_S = 20.0
READY_TIMEOUT_S = 60.0
LINK_TIMEOUT_S = 10.0


class HarnessError(Exception):
    """The harness could not set something up; the message says what."""


def _node_version_ok(version):
    # The engines field of @matter/nodejs 0.17.9: ">=20.19.0 <22.0.0 || >=22.13.0".
    return (20, 19) <= version[:2] < (22, 0) or version[:2] >= (22, 13)


def node():
    """The Node.js that runs matter.js: $TH_NODE if set (Debian 12's own Node 18 is too old
    for matter.js 0.17.9), else `node` on PATH; None if there is none."""
    return shutil.which(os.environ.get("TH_NODE") or "node")


def node_version():
    """The version of node() as a tuple of ints, or None if there is none."""
    node_path = node()
    if node_path is None:
        return None
    try:
        out = subprocess.run([node_path, "--version"], capture_output=True, text=True, timeout=30,
                             check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"v(\d+)\.(\d+)\.(\d+)", out.strip())
    return tuple(int(part) for part in match.groups()) if match else None


def packages_out_of_date():
    """Why tests/interop/node_modules does not match package-lock.json, or None if it does."""
    try:
        lock = json.loads(PACKAGE_LOCK.read_text())
    except (OSError, ValueError) as e:
        return f"cannot read {PACKAGE_LOCK}: {e}"
    for key, entry in lock.get("packages", {}).items():
        if not key.startswith("node_modules/"):
            continue
        manifest = HERE / key / "package.json"
        try:
            installed = json.loads(manifest.read_text()).get("version")
        except (OSError, ValueError):
            return f"{key} is not installed"
        if installed != entry.get("version"):
            return f"{key} is {installed}, package-lock.json wants {entry.get('version')}"
    return None


def unavailable_reason(avahi=False):
    """Why the interop suite cannot run on this machine, or None if it can. With `avahi`,
    also what TestNetwork.start_avahi() needs."""
    if not sys.platform.startswith("linux"):
        return "network namespaces need Linux"
    if os.geteuid() != 0:
        return "network namespaces need root: run the interop tests as root"
    if shutil.which("ip") is None:
        return "the ip command is missing: install iproute2"
    if shutil.which("setpriv") is None:
        return "the setpriv command is missing: install util-linux"
    if avahi:
        for program, package in (("avahi-daemon", "avahi-daemon"), ("avahi-browse", "avahi-utils"),
                                 ("dbus-daemon", "dbus"), ("unshare", "util-linux")):
            if shutil.which(program) is None:
                return f"{program} is missing: install {package}"
    version = node_version()
    if version is None:
        return "node is missing: install Node.js 20.19 or newer, or name it in TH_NODE"
    if not _node_version_ok(version):
        return (f"node {'.'.join(map(str, version))} cannot run matter.js 0.17.9: "
                "install Node.js 20.19+ (below 22) or 22.13+")
    stale = packages_out_of_date()
    if stale is not None:
        return (f"the matter.js packages are not ready ({stale}): "
                f"run `npm ci` in {HERE} or `meson test --suite interop`")
    probe = f"th-{os.getpid()}-probe"
    result = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if result.returncode != 0:
        return f"cannot create a network namespace: {result.stderr.strip()}"
    subprocess.run(["ip", "netns", "delete", probe], capture_output=True)
    return None


def skip_or_fail(reason, tap=True):
    """End a test that cannot run: a skip, or a failure when CI=true. Does not return."""
    if os.environ.get("CI") == "true":
        if tap:
            print(f"Bail out! CI=true and the test cannot run: {reason}", flush=True)
        else:
            print(f"CI=true and the test cannot run: {reason}", file=sys.stderr, flush=True)
        sys.exit(1)
    if tap:
        print(f"1..0 # SKIP {reason}", flush=True)
        sys.exit(0)
    print(f"skipped: {reason}", file=sys.stderr, flush=True)
    sys.exit(77)


def require(tap=True, avahi=False):
    """Skip (or fail under CI=true) unless the interop suite can run here."""
    reason = unavailable_reason(avahi)
    if reason is not None:
        skip_or_fail(reason, tap)


def ensure_packages(log=sys.stderr):
    """Run `npm ci` in tests/interop unless node_modules already matches the lock file.

    Returns True if it installed, False if nothing was to do. Raises HarnessError.
    A lock serializes concurrent callers; the second one finds the packages current.
    """
    digest = hashlib.sha256(str(HERE).encode()).hexdigest()[:16]
    lock_path = Path(tempfile.gettempdir()) / f"thnet-npm-{digest}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stale = packages_out_of_date()
        if stale is None:
            return False
        npm = shutil.which("npm")
        if npm is None:
            raise HarnessError("npm is missing: install Node.js 20.19 or newer with npm")
        print(f"thnet: {stale}; running npm ci in {HERE}", file=log, flush=True)
        result = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
                                cwd=HERE, stdout=log, stderr=log)
        if result.returncode != 0:
            raise HarnessError(f"npm ci failed with status {result.returncode} (output above): "
                               "is the npm registry reachable?")
        stale = packages_out_of_date()
        if stale is not None:
            raise HarnessError(f"npm ci finished but {stale}")
        return True


class Tap:
    """A minimal TAP writer: ok() per check, done() prints the plan and gives the status."""

    def __init__(self):
        self.count = 0
        self.failures = 0

    def ok(self, condition, name, detail=None):
        self.count += 1
        if not condition:
            self.failures += 1
        print(f"{'ok' if condition else 'not ok'} {self.count} - {name}", flush=True)
        if not condition and detail:
            self.diag(detail)
        return bool(condition)

    def diag(self, text):
        for line in str(text).splitlines():
            print(f"# {line}", flush=True)

    def done(self):
        print(f"1..{self.count}", flush=True)
        return 1 if self.failures else 0


class _Lines:
    """Reads a child's pipe on a thread, keeps every line, optionally copies it to a file."""

    def __init__(self, stream, copy_path=None):
        self._stream = stream
        self._copy_to = open(copy_path, "a") if copy_path is not None else None
        self._lines = []
        self._eof = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        for raw in self._stream:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if self._copy_to is not None:
                self._copy_to.write(line + "\n")
                self._copy_to.flush()
            with self._cond:
                self._lines.append(line)
                self._cond.notify_all()
        self._stream.close()
        if self._copy_to is not None:
            self._copy_to.close()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def snapshot(self):
        with self._cond:
            return list(self._lines)

    def wait(self, pattern, timeout, since=0):
        """The first line from index `since` on that matches, as (index, match), or None
        if the stream ends or the timeout passes first."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            index = since
            while True:
                while index < len(self._lines):
                    match = regex.search(self._lines[index])
                    if match:
                        return index, match
                    index += 1
                remaining = deadline - time.monotonic()
                if self._eof or remaining <= 0:
                    return None
                self._cond.wait(remaining)


class Addresses(NamedTuple):
    """Where a device can be reached from the controller namespace."""
    ipv4: str
    ipv6: str              # the unique local address
    ipv6_link_local: str   # of the device's veth
    scope: str             # the controller's interface: the scope id for the link-local

    @property
    def ipv6_link_local_scoped(self):
        return f"{self.ipv6_link_local}%{self.scope}"


class Device:
    """A running device.mjs. Made by TestNetwork.start_device()."""

    def __init__(self, network, process, lines, log_path, storage, port, addresses):
        self.network = network
        self.process = process
        self.log_path = log_path
        self.storage = storage
        self.port = port
        self.addresses = addresses
        self.codes = None
        self.ready_seconds = None
        self.argv = None
        self.started = None
        self._lines = lines

    @property
    def pid(self):
        return self.process.pid

    @property
    def qr(self):
        return self.codes["qr"]

    @property
    def manual(self):
        return self.codes["manual"]

    def lines(self):
        """Every line the device printed on stdout so far."""
        return self._lines.snapshot()

    def mark(self):
        """The number of lines so far: pass it as `since` to wait for later lines only."""
        return len(self._lines.snapshot())

    def wait_for(self, pattern, timeout=30.0, since=0):
        """The re.Match of the first stdout line from `since` on matching `pattern`.
        Raises HarnessError with the log's tail if the device exits or time runs out."""
        found = self._lines.wait(pattern, timeout, since)
        if found is None:
            state = ("exited with status %s" % self.process.poll()
                     if self.process.poll() is not None else f"printed none in {timeout:g} s")
            raise HarnessError(f"device on port {self.port} waited for /{pattern}/ but "
                               f"{state}; its log ends:\n{self.log_tail()}")
        return found[1]

    def end_sessions(self, timeout=15.0):
        """Has the device end every secure session it holds, telling each peer
        (CloseSession); returns how many it ended."""
        since = self.mark()
        os.kill(self.pid, signal.SIGUSR1)
        return int(self.wait_for(r"^CLOSED (\d+)$", timeout, since).group(1))

    def log_tail(self, count=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-count:])
        except OSError as e:
            return f"(no log: {e})"

    def stop(self, grace=GRACE_S):
        """SIGTERM, then SIGKILL after `grace` seconds; returns the exit status."""
        _end_processes([self.process], grace)
        return self.process.returncode


class Avahi:
    """A private avahi-daemon in the controller namespace, on its own system bus."""

    def __init__(self, network, bus_address, log_path, daemon, startup_seconds):
        self.network = network
        self.bus_address = bus_address
        self.log_path = log_path
        self.daemon = daemon
        self.startup_seconds = startup_seconds

    def stop(self, grace=GRACE_S):
        """End the daemon (SIGTERM, SIGKILL after `grace` s), as when it crashes or is
        stopped; its bus stays. Returns the exit status."""
        _end_processes([self.daemon], grace)
        return self.daemon.returncode

    def restart(self, timeout=30.0):
        """Start a new daemon on the same bus after stop(); returns its startup time in s."""
        if self.daemon.poll() is None:
            raise HarnessError("avahi-daemon is still running: stop() it first")
        self.daemon, self.startup_seconds = self.network._start_avahi_daemon(self.bus_address,
                                                                             timeout)
        return self.startup_seconds

    def browse(self, service_type, timeout=30.0):
        """Resolved services of `service_type` now seen (avahi-browse -rpt), as dicts with
        interface, protocol, name, type, domain, host, address, port, txt (list)."""
        result = self.network.run(["avahi-browse", "-rpt", service_type], timeout=timeout)
        if result.returncode != 0:
            raise HarnessError(f"avahi-browse failed with status {result.returncode}: "
                               f"{result.stderr.strip()}")
        services = []
        for line in result.stdout.splitlines():
            fields = line.split(";", 9)
            if fields[0] != "=" or len(fields) < 10:
                continue
            services.append({
                "interface": fields[1], "protocol": fields[2], "name": _unescape(fields[3]),
                "type": fields[4], "domain": fields[5], "host": fields[6],
                "address": fields[7], "port": int(fields[8]),
                "txt": [_unescape(t) for t in re.findall(r'"((?:[^"\\]|\\.)*)"', fields[9])],
            })
        return services


def _unescape(text):
    # avahi-browse -p writes unusual characters of names as \DDD (decimal).
    return re.sub(r"\\(\d{3})", lambda m: chr(int(m.group(1))), text)


def _end_processes(processes, grace):
    """SIGTERM to every one still running, then SIGKILL to those left after `grace` s."""
    running = [p for p in processes if p.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in running:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            # With a timeout, wait() never blocks on the lock a wait() that a signal
            # handler interrupted may hold.
            try:
                process.wait(GRACE_S)
            except subprocess.TimeoutExpired:
                pass


_networks = set()
# Reentrant: the signal handler takes these locks, maybe while its own thread holds them.
_networks_lock = threading.RLock()
_counter = itertools.count()
_hooks_installed = False


def _close_all():
    with _networks_lock:
        networks = list(_networks)
    for network in networks:
        network.close()


def _on_signal(signum, frame):
    _close_all()
    # Die of the same signal so the caller sees what happened.
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _install_hooks():
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    atexit.register(_close_all)
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        # Leave a handler the test installed itself alone.
        if signal.getsignal(signum) in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(signum, _on_signal)


def _ip(*args):
    result = subprocess.run(["ip", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise HarnessError(f"`ip {' '.join(args)}` failed: {result.stderr.strip()}")
    return result.stdout


class TestNetwork:
    """Two namespaces, <prefix>-dev and <prefix>-ctl, joined by veth-dev <-> veth-ctl with
    10.77.N.1/24 + fd54:4800:N::1/64 on the device side and .2 / ::2 on the controller side.

    Processes started through it are ended, and the namespaces deleted, by close(), which the
    context manager, atexit and the signal handlers call. Start processes from the thread
    that will outlive them: their parent-death signal fires when that thread ends.
    """

    def __init__(self):
        _install_hooks()
        self._lock = threading.RLock()
        self._processes = []
        self._namespaces = []
        self._closed = False
        self._finished = False
        self._devices = 0
        self.avahi = None
        index = next(_counter)
        self.workdir = Path(tempfile.mkdtemp(prefix=f"thnet-{os.getpid()}-{index}-"))
        with _networks_lock:
            _networks.add(self)
        try:
            self._create(index)
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _create(self, index):
        for attempt in itertools.count(index):
            prefix = f"th-{os.getpid()}-{attempt}"
            result = subprocess.run(["ip", "netns", "add", f"{prefix}-dev"],
                                    capture_output=True, text=True)
            if result.returncode == 0:
                break
            # Left behind by an earlier process with the same pid: try the next number.
            if "File exists" not in result.stderr or attempt > index + 50:
                raise HarnessError(f"cannot create namespace {prefix}-dev: "
                                   f"{result.stderr.strip()}")
        self._namespaces.append(f"{prefix}-dev")
        _ip("netns", "add", f"{prefix}-ctl")
        self._namespaces.append(f"{prefix}-ctl")
        self.device_ns, self.controller_ns = f"{prefix}-dev", f"{prefix}-ctl"

        # Each pair is a link of its own, so subnets may repeat; distinct ones read better.
        subnet = attempt % 256
        self.device_ipv4, self.controller_ipv4 = f"10.77.{subnet}.1", f"10.77.{subnet}.2"
        ula = ipaddress.IPv6Network(f"fd54:4800:{subnet:x}::/64")
        self.device_ipv6, self.controller_ipv6 = str(ula[1]), str(ula[2])

        # Two hosts on a private link cannot collide: without duplicate address detection the
        # link-local addresses are usable at once instead of after about two seconds.
        for ns in self._namespaces:
            _ip("netns", "exec", ns, "sh", "-c",
                "echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad && "
                "echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad")
        # Created inside the device namespace, the pair never appears in the host's.
        _ip("-n", self.device_ns, "link", "add", DEVICE_INTERFACE, "type", "veth",
            "peer", "name", CONTROLLER_INTERFACE, "netns", self.controller_ns)
        for ns, interface, ipv4, ipv6 in (
                (self.device_ns, DEVICE_INTERFACE, self.device_ipv4, self.device_ipv6),
                (self.controller_ns, CONTROLLER_INTERFACE, self.controller_ipv4,
                 self.controller_ipv6)):
            _ip("-n", ns, "addr", "add", f"{ipv4}/24", "dev", interface)
            _ip("-n", ns, "addr", "add", f"{ipv6}/64", "dev", interface, "nodad")
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", ns, "link", "set", interface, "up")
            # Without it, joining 224.0.0.251 fails with ENODEV.
            _ip("-n", ns, "route", "add", "224.0.0.0/4", "dev", interface)
        self.device_link_local = self._wait_link_local(self.device_ns, DEVICE_INTERFACE)
        self.controller_link_local = self._wait_link_local(self.controller_ns,
                                                           CONTROLLER_INTERFACE)
        self.addresses = Addresses(self.device_ipv4, self.device_ipv6, self.device_link_local,
                                   CONTROLLER_INTERFACE)

    def _wait_link_local(self, ns, interface):
        deadline = time.monotonic() + LINK_TIMEOUT_S
        while True:
            info = json.loads(_ip("-j", "-n", ns, "-6", "addr", "show", "dev", interface,
                                  "scope", "link") or "[]")
            for link in info:
                for addr in link.get("addr_info", []):
                    if "local" in addr and not addr.get("tentative") and \
                       not addr.get("dadfailed"):
                        return addr["local"]
            if time.monotonic() > deadline:
                raise HarnessError(f"{interface} in {ns} has no usable IPv6 link-local address "
                                   f"after {LINK_TIMEOUT_S:g} s")
            time.sleep(0.02)

    def _namespace(self, which):
        if which == "controller":
            return self.controller_ns
        if which == "device":
            return self.device_ns
        raise ValueError(f"namespace must be 'controller' or 'device', not {which!r}")

    def environment(self, extra=None):
        """The environment of commands run in the namespaces. DBUS_SYSTEM_BUS_ADDRESS names
        the private Avahi's bus if started, or else a socket that does not exist: nothing
        inside may reach the host's system bus, and through it the host's avahi-daemon."""
        env = dict(os.environ)
        if self.avahi is not None:
            env["DBUS_SYSTEM_BUS_ADDRESS"] = self.avahi.bus_address
        else:
            env["DBUS_SYSTEM_BUS_ADDRESS"] = f"unix:path={self.workdir}/no-system-bus"
        env.update(extra or {})
        return env

    def spawn(self, argv, *, namespace="controller", env=None, **popen_args):
        """Start argv in a namespace; returns the subprocess.Popen. close() ends it."""
        with self._lock:
            if self._closed:
                raise HarnessError("the test network is already closed")
            # The parent-death signal ends the child even if this process is killed outright.
            command = ["setpriv", "--pdeathsig", "KILL", "--",
                       "ip", "netns", "exec", self._namespace(namespace), *map(str, argv)]
            process = subprocess.Popen(command, env=self.environment(env), **popen_args)
            self._processes.append(process)
            return process

    def run(self, argv, *, namespace="controller", timeout=60.0, env=None, input=None):
        """Run argv in a namespace to its end; returns a subprocess.CompletedProcess with text
        stdout and stderr. Raises HarnessError, after ending it, if it outlasts `timeout`."""
        process = self.spawn(argv, namespace=namespace, env=env, text=True,
                             stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            stdout, stderr = process.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired:
            _end_processes([process], GRACE_S)
            stdout, stderr = process.communicate()
            raise HarnessError(f"{' '.join(map(str, argv))} did not finish within "
                               f"{timeout:g} s; stderr ends:\n{stderr[-2000:]}")
        return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)

    def start_device(self, *, ready_timeout=READY_TIMEOUT_S, **settings):
        """Start device.mjs in the device namespace with fresh storage; returns the Device
        once it printed READY. Raises HarnessError with its log's tail if it does not.
        The settings are those of start_devices()."""
        return self.start_devices([settings], ready_timeout=ready_timeout)[0]

    def start_devices(self, settings_list, *, ready_timeout=READY_TIMEOUT_S):
        """Start one device per dict of settings (passcode, discriminator, vendor_id,
        product_id, port, flow_type, vendor_name, product_name, serial_number, interface,
        extra_args: more device.mjs options as a list),
        all at once, each with fresh storage; returns the Devices, in order, once every one
        printed READY. Raises HarnessError, after stopping them, if one does not."""
        devices = [self._spawn_device(self._device_argv(**settings))
                   for settings in settings_list]
        try:
            for device in devices:
                self._await_ready(device, ready_timeout)
        except HarnessError:
            for device in devices:
                device.stop()
            raise
        return devices

    def restart_device(self, device, *, ready_timeout=READY_TIMEOUT_S):
        """Start a device again, after it ended, with the same settings and the storage it
        left: a device that was switched off and on. Returns the new Device once READY."""
        if device.process.poll() is None:
            raise HarnessError(f"device on port {device.port} is still running: stop it first")
        restarted = self._spawn_device(device.argv, log_mode="a")
        self._await_ready(restarted, ready_timeout)
        return restarted

    def _device_argv(self, *, passcode=20202021, discriminator=3840, vendor_id=0xFFF1,
                     product_id=0x8000, port=5540, flow_type=0, vendor_name=None,
                     product_name=None, serial_number=None, interface=None,
                     extra_args=()):
        self._devices += 1
        storage = self.workdir / f"device-{self._devices}"
        argv = [node(), DEVICE_SCRIPT, "--storage", storage, "--passcode", passcode,
                "--discriminator", discriminator, "--vendor-id", vendor_id,
                "--product-id", product_id, "--port", port, "--flow-type", flow_type]
        for option, value in (("--vendor-name", vendor_name), ("--product-name", product_name),
                              ("--serial-number", serial_number), ("--interface", interface)):
            if value is not None:
                argv += [option, value]
        # options device.mjs has beyond these, as they are (--network wifi ...)
        return argv + list(extra_args)

    def _spawn_device(self, argv, log_mode="w"):
        storage = Path(argv[argv.index("--storage") + 1])
        port = int(argv[argv.index("--port") + 1])
        log_path = storage.with_name(storage.name + ".log")
        started = time.monotonic()
        with open(log_path, log_mode) as log:
            process = self.spawn(argv, namespace="device", stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=log, cwd=self.workdir)
        device = Device(self, process, _Lines(process.stdout), log_path, storage, port,
                        self.addresses)
        device.argv = argv
        device.started = started
        return device

    def _await_ready(self, device, ready_timeout):
        deadline = device.started + ready_timeout
        try:
            device.codes = json.loads(device.wait_for(
                r"^\{", max(0.0, deadline - time.monotonic())).string)
            device.wait_for(r"^READY$", max(0.0, deadline - time.monotonic()))
        except (HarnessError, ValueError) as e:
            device.stop()
            raise HarnessError(f"device on port {device.port} did not become ready: {e}") \
                from None
        device.ready_seconds = time.monotonic() - device.started

    def start_avahi(self, timeout=30.0):
        """Start a private system bus and avahi-daemon in the controller namespace, limited to
        its veth. Commands run through this network afterwards use that bus."""
        if self.avahi is not None:
            return self.avahi
        started = time.monotonic()
        socket_path = self.workdir / "system-bus.socket"
        bus_config = self.workdir / "system-bus.conf"
        bus_config.write_text(_BUS_CONFIG.format(socket=socket_path))
        bus = self.spawn(["dbus-daemon", f"--config-file={bus_config}", "--nofork",
                          "--print-address=1"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
        bus_lines = _Lines(bus.stdout)
        found = bus_lines.wait(r"^unix:", timeout)
        if found is None:
            raise HarnessError(f"the private dbus-daemon did not start within {timeout:g} s")
        bus_address = f"unix:path={socket_path}"

        daemon, _ = self._start_avahi_daemon(bus_address, timeout)
        self.avahi = Avahi(self, bus_address, self.workdir / "avahi-daemon.log", daemon,
                           time.monotonic() - started)
        return self.avahi

    def _start_avahi_daemon(self, bus_address, timeout):
        """avahi-daemon on the bus at `bus_address`, once it is ready: (Popen, seconds)."""
        started = time.monotonic()
        avahi_config = self.workdir / "avahi-daemon.conf"
        avahi_config.write_text(_AVAHI_CONFIG.format(host=f"{self.controller_ns}",
                                                     interface=CONTROLLER_INTERFACE))
        log_path = self.workdir / "avahi-daemon.log"
        # A private mount namespace with an empty /run keeps its pid file and socket away
        # from any avahi-daemon of the host.
        script = ("mount -t tmpfs tmpfs /run && exec avahi-daemon -f \"$1\" "
                  "--no-drop-root --no-chroot --no-rlimits")
        daemon = self.spawn(["unshare", "-m", "--propagation", "private", "sh", "-c",
                             script, "sh", avahi_config],
                            env={"DBUS_SYSTEM_BUS_ADDRESS": bus_address},
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
        daemon_lines = _Lines(daemon.stderr, copy_path=log_path)
        found = daemon_lines.wait(r"Server startup complete", timeout)
        if found is None:
            tail = "\n".join(daemon_lines.snapshot()[-20:])
            raise HarnessError(f"avahi-daemon did not start within {timeout:g} s:\n{tail}")
        return daemon, time.monotonic() - started

    def close(self):
        """End every process started here, delete the namespaces and the work directory.

        Every step may run twice, so a signal handler may call this while it is under way."""
        with self._lock:
            if self._finished:
                return
            self._closed = True
        # Names first: that is instant, and a namespace lives on until its last process has
        # gone, so nothing is left behind even if this process is killed while it waits.
        for ns in reversed(self._namespaces):
            subprocess.run(["ip", "netns", "delete", ns], capture_output=True)
        _end_processes(list(reversed(self._processes)), GRACE_S)
        if os.environ.get("THNET_KEEP"):
            if self.workdir.exists():
                print(f"thnet: THNET_KEEP is set, logs kept in {self.workdir}",
                      file=sys.stderr)
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)
        with _networks_lock:
            _networks.discard(self)
        self._finished = True

    @property
    def namespaces(self):
        return list(self._namespaces)

    @property
    def processes(self):
        return list(self._processes)


_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"""

_AVAHI_CONFIG = """[server]
host-name={host}
use-ipv4=yes
use-ipv6=yes
allow-interfaces={interface}
enable-dbus=yes
[wide-area]
enable-wide-area=no
[publish]
publish-workstation=no
publish-hinfo=no
"""


def main(argv):
    usage = "usage: thnet.py npm-ci | check"
    if len(argv) != 2 or argv[1] not in ("npm-ci", "check"):
        print(usage, file=sys.stderr)
        return 2
    if argv[1] == "check":
        reason = unavailable_reason()
        print(reason or "the interop suite can run here")
        return 0 if reason is None else 1
    # As a meson test: install the packages the interop tests need before they run.
    if shutil.which("npm") is None:
        skip_or_fail("npm is missing: install Node.js 20.19 or newer with npm", tap=False)
    started = time.monotonic()
    try:
        installed = ensure_packages(sys.stdout)
    except HarnessError as e:
        skip_or_fail(str(e), tap=False)
    if installed:
        print(f"thnet: npm ci took {time.monotonic() - started:.1f} s")
    else:
        print("thnet: node_modules already matches package-lock.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
