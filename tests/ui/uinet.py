"""The real app inside the controller namespace of a thnet.TestNetwork (matter.js devices,
a private Avahi), driven through AT-SPI from this script in the host's namespace.

Unix sockets in the abstract namespace belong to one network namespace, so whatever the app
and this script share must be a socket file:
 - X: the server of xvfb-run listens on /tmp/.X11-unix/X<n> as well, which libxcb tries when
   the abstract socket is not there;
 - the session bus: dbus-run-session's is abstract, so Session starts a dbus-daemon on a
   socket in its own directory and makes it this script's session bus, before pyatspi
   connects;
 - the accessibility bus: at-spi-bus-launcher puts it at $XDG_RUNTIME_DIR/at-spi/bus (in
   ~/.cache without XDG_RUNTIME_DIR) and tells its address through org.a11y.Bus.GetAddress on
   the session bus; Session gives it a private XDG_RUNTIME_DIR.

    uinet.require()                          # skip, or fail with CI=true, then the session
    with uinet.Network(binary, cli, schema_dir) as net:
        device = net.start_device(port=5540)
        home = net.home("first", trusted=True)
        with net.app(home) as app:           # a uitest.App
            ...
        net.nodes(home)                      # threshold-cli nodes --json, the same home

Run with /usr/bin/python3, as root, under xvfb-run (no dbus-run-session needed).
"""
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "interop"))
import thnet  # noqa: E402
import uitest  # noqa: E402

_session = None


class Session:
    """A session bus and an accessibility bus on socket files, for this script and the apps
    it starts, in whichever namespace."""

    def __init__(self):
        self.workdir = Path(tempfile.mkdtemp(prefix="uinet-session-"))
        runtime = self.workdir / "runtime"
        runtime.mkdir(mode=0o700)
        self.bus = subprocess.Popen(
            ["setpriv", "--pdeathsig", "KILL", "--", "dbus-daemon", "--session",
             f"--address=unix:dir={self.workdir}", "--nofork", "--print-address=1"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True)
        address = self.bus.stdout.readline().strip()
        if not address.startswith("unix:path="):
            self.close()
            raise uitest.Skip(f"the session dbus-daemon gave no socket address ({address!r})")
        self.address = address
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
        atexit.register(self.close)

    def accessibility_bus_address(self, timeout=10):
        """The address at-spi-bus-launcher gives, once it answers."""
        deadline = time.monotonic() + timeout
        while True:
            result = subprocess.run(["gdbus", "call", "--session", "--dest", "org.a11y.Bus",
                                     "--object-path", "/org/a11y/bus", "--method",
                                     "org.a11y.Bus.GetAddress"],
                                    capture_output=True, text=True)
            if result.returncode == 0:
                return result.stdout.strip().strip("(),'")
            if time.monotonic() > deadline:
                raise uitest.Skip(f"no accessibility bus: {result.stderr.strip()}")
            time.sleep(0.1)

    def close(self):
        uitest.stop_accessibility_bus()
        if self.bus.poll() is None:
            self.bus.terminate()
            self.bus.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def require():
    """Skips, or fails with CI=true, unless the devices, Avahi and the display can be had;
    then starts the session and the accessibility bus. Call it before anything imports
    pyatspi."""
    global _session
    thnet.require(tap=True, avahi=True)
    if not os.environ.get("DISPLAY"):
        thnet.skip_or_fail("no X display: run the test under xvfb-run")
    try:
        _session = Session()
        uitest.require_environment()
        uitest.start_accessibility_bus()
        address = _session.accessibility_bus_address()
    except uitest.Skip as skip:
        thnet.skip_or_fail(str(skip))
    if not address.startswith("unix:path="):
        thnet.skip_or_fail(f"the accessibility bus is not on a socket file ({address}): the "
                           "app in its network namespace could not reach it")
    return _session


class Home:
    """One person's Threshold: its own data (the store), cache (the trust), configuration
    and a GSettings keyfile in it."""

    def __init__(self, root, trust=None):
        self.root = Path(root)
        self.data = self.root / "data"
        self.cache = self.root / "cache"
        self.config = self.root / "config"
        for path in (self.data, self.cache, self.config):
            path.mkdir(parents=True, exist_ok=True)
        if trust is not None:
            paa = self.cache / "threshold" / "paa"
            signers = self.cache / "threshold" / "cd-signers"
            paa.mkdir(parents=True)
            signers.mkdir(parents=True)
            for name in ("test-paa-novid.der", "test-paa-fff1.der"):
                shutil.copy(trust / name, paa)
            shutil.copy(trust / "cd-signer.der", signers)

    @property
    def store(self):
        return self.data / "threshold"

    @property
    def env(self):
        return {"XDG_DATA_HOME": str(self.data), "XDG_CACHE_HOME": str(self.cache),
                "XDG_CONFIG_HOME": str(self.config), "GSETTINGS_BACKEND": "keyfile"}


class Network(thnet.TestNetwork):
    """A thnet.TestNetwork with Avahi running, where the app and threshold-cli run in the
    controller namespace."""

    def __init__(self, binary, cli, schema_dir):
        super().__init__()
        self.binary = str(Path(binary).resolve())
        self.cli = str(Path(cli).resolve())
        self.schema_dir = schema_dir
        self._trust = None
        self._homes = 0
        self._apps = 0
        self.start_avahi()

    def trust(self):
        """The matter.js test PAAs and CD signer (export-test-trust.mjs), exported once."""
        if self._trust is None:
            trust = self.workdir / "trust"
            result = self.run([thnet.node(), thnet.HERE / "export-test-trust.mjs", trust])
            if result.returncode != 0:
                raise thnet.HarnessError(f"export-test-trust.mjs failed: {result.stderr}")
            self._trust = trust
        return self._trust

    def home(self, name=None, trusted=False):
        """A fresh Home; `trusted`: with the test PAAs, so attestation finds only the test
        certification."""
        self._homes += 1
        root = self.workdir / f"home-{name or self._homes}"
        return Home(root, self.trust() if trusted else None)

    def app(self, home, args=(), env=None):
        """The app in the controller namespace with `home`, as a uitest.App (a context
        manager)."""
        app_env = dict(home.env)
        app_env.update(env or {})
        self._apps += 1
        self.app_log = self.workdir / f"app-{self._apps}.log"

        def launch(argv, env):
            with open(self.app_log, "w") as log:
                return self.spawn(argv, env=env, stdout=log, stderr=subprocess.STDOUT)

        return uitest.App(self.binary, self.schema_dir, args=args, env=app_env, launch=launch)

    def app_log_tail(self, count=30):
        """The end of what the last app printed."""
        try:
            return "\n".join(self.app_log.read_text(errors="replace").splitlines()[-count:])
        except (AttributeError, OSError) as e:
            return f"(no app log: {e})"

    def run_cli(self, home, *args, timeout=60):
        return self.run([self.cli, *map(str, args)], env=home.env, timeout=timeout)

    def nodes(self, home):
        """The nodes in `home`'s store, as threshold-cli nodes --json gives them."""
        result = self.run_cli(home, "nodes", "--json")
        if result.returncode != 0:
            raise thnet.HarnessError(f"threshold-cli nodes failed: {result.stderr}")
        return json.loads(result.stdout)["nodes"]

    def in_controller_namespace(self, pid):
        """Whether process `pid` runs in the controller's network namespace."""
        return (os.stat(f"/run/netns/{self.controller_ns}").st_ino ==
                os.stat(f"/proc/{pid}/ns/net").st_ino)
