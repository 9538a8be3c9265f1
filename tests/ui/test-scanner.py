#!/usr/bin/env python3
"""The Add device page's scanner: a stand-in camera shown a QR code, no camera, the camera
portal saying no, a camera that stops, and photos of a label opened through the file chooser.

TH_CAMERA_SOURCE (see src/ui/th-camera.h) puts a picture in front of the scanner, or says
that there is no camera, or sends the camera through the portal even outside a sandbox; the
portal is tests/ui/fake-camera-portal.py.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uitest  # noqa: E402

binary, schema_dir, shots = sys.argv[1], sys.argv[2], sys.argv[3]
here = os.path.dirname(os.path.abspath(__file__))

CODE = "MT:Y.K90AFN00KA0648G00"
CONCATENATED = "MT:M5L90MP500K64J00000*M5L90U.D010K4J00000"
NOT_FOUND = ("No Matter QR code was found in this picture. Try a sharper photo, "
             "or type the code.")

try:
    uitest.require_environment()
    for tool in ("qrencode", "convert", "gst-inspect-1.0"):
        if shutil.which(tool) is None:
            raise uitest.Skip(f"{tool} is not installed")
except uitest.Skip as skip:
    sys.exit(uitest.skip_or_fail(str(skip)))

work = tempfile.mkdtemp(prefix="th-scanner-")


def picture(name, text=None):
    return uitest.picture(os.path.join(work, name), text)


def scanner_says(app, start, timeout=10):
    """Waits until the scanner's description, which is what it is doing now, starts with
    `start`. (GTK 4.8 does not mark hidden stack pages as such: their texts are always in the
    tree, so they say nothing about which one is shown.)"""
    deadline = time.monotonic() + timeout
    while True:
        node = app.find(role="panel", name="QR Code Scanner") or \
            app.find(name="QR Code Scanner")
        try:
            if node is not None and node.description.startswith(start):
                return True
        except Exception:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def scanner_description(app):
    node = app.find(name="QR Code Scanner")
    return node.description if node is not None else "(no node named QR Code Scanner)"


def dump(app):
    """The tree as it stands; nodes of a dialog that closes meanwhile are left out."""
    lines = []
    for node in app.walk(app.app):
        try:
            lines.append(f"{node.getRoleName()}: {node.name}")
        except Exception:
            continue
    return "\n".join(lines)


tap = uitest.Tap()
scene = picture("scene.png", CODE)
several = picture("several.png", CONCATENATED)
blank = picture("blank.png")
other = picture("other.png", "https://example.com/")

# A stand-in camera shown a QR code: the code fills the entry and its summary is shown.
source = f'filesrc location="{scene}" ! pngdec ! imagefreeze'
with uitest.App(binary, schema_dir, env={"TH_CAMERA_SOURCE": source}) as app:
    tap.check("the scanner shows the camera",
              scanner_says(app, "Hold the QR code on the device or its box in front of the "
                           "camera.", timeout=15), scanner_description(app))
    tap.check("the camera's code fills the setup code entry",
              app.wait_for_text("The code is valid.", timeout=15), dump(app))
    texts = app.texts()
    tap.check("the entry holds the scanned code", CODE in texts, "\n".join(texts))
    tap.check("the summary gives the vendor id", "0xFFF1 (65521)" in texts, "\n".join(texts))
    tap.check("the summary gives the discriminator", "3840" in texts, "\n".join(texts))
    tap.check("the preview says that a code was found", "Setup code found" in texts,
              "\n".join(texts))
    preview = next((n for n in app.walk(app.app) if n.getRoleName() == "image" and
                    "Camera preview" in (n.name, n.description)), None)
    tap.check("the preview is described for screen readers", preview is not None, dump(app))
    tap.check("every control has an accessible name while scanning",
              not app.unnamed_controls(), "\n".join(app.unnamed_controls()))
    uitest.screenshot(os.path.join(shots, "scanner-camera.png"))

# A camera that shows a QR code that is not a Matter code says so, and fills nothing in.
source = f'filesrc location="{other}" ! pngdec ! imagefreeze'
with uitest.App(binary, schema_dir, env={"TH_CAMERA_SOURCE": source}) as app:
    tap.check("another QR code is called what it is",
              app.wait_for_text("Not a Matter code: look for the QR code next to the Matter logo.",
                                timeout=15),
              dump(app))
    tap.check("another QR code fills nothing in",
              "The code is valid." not in app.texts(), "\n".join(app.texts()))
    uitest.screenshot(os.path.join(shots, "scanner-other-code.png"))

# No camera: the status says so and shows the ways forward; photos are opened instead.
with uitest.App(binary, schema_dir, env={"TH_CAMERA_SOURCE": "none"}) as app:
    tap.check("no camera is shown as such", scanner_says(app, "No camera was found."),
              scanner_description(app))
    tap.check("no camera points at the other ways",
              app.wait_for_text("Type the setup code below, or open a photo of the QR code"),
              "\n".join(app.texts()))
    tap.check("every control has an accessible name without a camera",
              not app.unnamed_controls(), "\n".join(app.unnamed_controls()))
    time.sleep(0.5)
    uitest.screenshot(os.path.join(shots, "scanner-no-camera.png"))

    opened = uitest.open_photo(app, several)
    tap.check("the file chooser opens a photo", opened, dump(app))
    tap.check("a photo of a concatenated code lists every device",
              app.wait_for_text("Device 2 of 2", timeout=15), "\n".join(app.texts()))
    tap.check("the photo's code is in the entry", CONCATENATED in app.texts(),
              "\n".join(app.texts()))
    time.sleep(0.5)
    uitest.screenshot(os.path.join(shots, "scanner-photo.png"))

    uitest.open_photo(app, blank)
    tap.check("a photo without a QR code says so precisely",
              app.wait_for_text(NOT_FOUND, timeout=15), "\n".join(app.texts()))
    button = next((n for n in app.walk(app.app) if n.getRoleName() == "push button" and
                   n.name.startswith("Open a Photo of the Label")), None)
    tap.check("the message is the photo button's description",
              button is not None and button.description == NOT_FOUND,
              button.description if button is not None else dump(app))
    tap.check("the code from before stays", CONCATENATED in app.texts(), "\n".join(app.texts()))
    time.sleep(0.5)
    uitest.screenshot(os.path.join(shots, "scanner-photo-without-code.png"))

    uitest.open_photo(app, other)
    tap.check("a photo of another QR code gets the same message",
              app.wait_for_text(NOT_FOUND, timeout=15), "\n".join(app.texts()))

# This machine as it is: no /dev/video*, no libcamera camera.
devices = [n for n in os.listdir("/dev") if n.startswith("video")]
libcamera = subprocess.run(["gst-inspect-1.0", "--exists", "libcamerasrc"]).returncode == 0
if not devices and not libcamera:
    env = {"TH_CAMERA_SOURCE": ""}
    with uitest.App(binary, schema_dir, env=env) as app:
        tap.check("a machine without a camera shows no camera",
                  scanner_says(app, "No camera was found."), scanner_description(app))

# A camera that stops sending pictures: the error and a way to try again.
with uitest.App(binary, schema_dir,
                env={"TH_CAMERA_SOURCE": "videotestsrc num-buffers=60"}) as app:
    tap.check("a camera that stops is reported",
              scanner_says(app, "The camera stopped sending pictures.", timeout=15),
              scanner_description(app))
    time.sleep(0.5)
    uitest.screenshot(os.path.join(shots, "scanner-error.png"))
    tap.check("the camera can be tried again",
              uitest.press(app, "Try Again", within="The Camera Is Not Working"), dump(app))
    tap.check("trying again starts the camera again",
              scanner_says(app, "Hold the QR code"), scanner_description(app))


BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def accessibility_bus_address():
    from gi.repository import Gio
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    reply = bus.call_sync("org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus", "GetAddress", None,
                          None, Gio.DBusCallFlags.NONE, 5000, None)
    return reply.unpack()[0]


class PrivateBus:
    """A session bus of its own, with no services to start: the real xdg-desktop-portal,
    which the session's bus starts on demand, cannot take the portal's name there. The app
    is told where the accessibility bus is with AT_SPI_BUS_ADDRESS."""

    def __init__(self):
        config = os.path.join(work, "bus.conf")
        with open(config, "w") as f:
            f.write(BUS_CONFIG % work)
        self.proc = subprocess.Popen(["dbus-daemon", "--config-file", config, "--nofork",
                                      "--print-address=1"], stdout=subprocess.PIPE, text=True)
        self.address = self.proc.stdout.readline().strip()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=5)


class Portal:
    """tests/ui/fake-camera-portal.py, owning the portal's name on `bus` while the app runs."""

    def __init__(self, mode, bus):
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus.address)
        self.proc = subprocess.Popen(["/usr/bin/python3", os.path.join(here,
                                                                       "fake-camera-portal.py"),
                                      mode], stdout=subprocess.PIPE, text=True, env=env)
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            raise AssertionError(f"the stand-in portal did not start: {line!r}")
        self.count = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            if line.strip() == "AccessCamera":
                self.count += 1

    def requests(self):
        """How many AccessCamera calls have come so far."""
        return self.count

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=5)


bus = PrivateBus()
portal_env = {"TH_CAMERA_SOURCE": "portal", "DBUS_SESSION_BUS_ADDRESS": bus.address,
              "AT_SPI_BUS_ADDRESS": accessibility_bus_address()}

# The portal knows of no camera: nobody is asked for a permission that would be no use.
portal = Portal("absent", bus)
try:
    with uitest.App(binary, schema_dir, env=portal_env) as app:
        tap.check("the portal's word that there is no camera is shown",
                  scanner_says(app, "No camera was found."), scanner_description(app))
        tap.check("nobody is asked for the camera when there is none", portal.requests() == 0,
                  portal.requests())
finally:
    portal.stop()

# The portal's dialog is open: the scanner waits for the answer.
portal = Portal("wait", bus)
try:
    with uitest.App(binary, schema_dir, env=portal_env) as app:
        tap.check("the scanner waits for the person's answer",
                  scanner_says(app, "Waiting for permission to use the camera"),
                  scanner_description(app))
        time.sleep(0.5)
        uitest.screenshot(os.path.join(shots, "scanner-starting.png"))
finally:
    portal.stop()

# The portal says no: "Camera Permission Needed", and asking again asks the portal again.
portal = Portal("deny", bus)
try:
    with uitest.App(binary, schema_dir, env=portal_env) as app:
        tap.check("a refusal asks for the permission",
                  scanner_says(app, "Threshold is not allowed to use the camera. Allow camera "
                               "access for Threshold in Settings"), scanner_description(app))
        time.sleep(0.2)
        tap.check("the portal was asked once", portal.requests() == 1, portal.requests())
        tap.check("every control has an accessible name when refused",
                  not app.unnamed_controls(), "\n".join(app.unnamed_controls()))
        time.sleep(0.5)
        uitest.screenshot(os.path.join(shots, "scanner-permission.png"))
        uitest.press(app, "Try Again", within="Camera Permission Needed")
        deadline = time.monotonic() + 10
        while portal.requests() < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        tap.check("trying again asks the portal again", portal.requests() == 2,
                  portal.requests())
        tap.check("a second refusal is shown again",
                  scanner_says(app, "Threshold is not allowed to use the camera."),
                  scanner_description(app))
finally:
    portal.stop()
    bus.stop()

shutil.rmtree(work, ignore_errors=True)
sys.exit(tap.finish())
