#!/usr/bin/env python3
"""Types setup codes into the real app and reads the verdict through the accessibility tree."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import uitest  # noqa: E402

binary, schema_dir, shots = sys.argv[1], sys.argv[2], sys.argv[3]

try:
    uitest.require_environment()
except uitest.Skip as skip:
    sys.exit(uitest.skip_or_fail(str(skip)))



def visible_button(app, label):
    """GTK 4.8 names a button with a mnemonic "_Label Label": the label is matched as a word."""
    import pyatspi
    for node in app.walk(app.app):
        if node.getRoleName() == "push button" and label in node.name.replace("_", "").split(" ") \
                and node.getState().contains(pyatspi.STATE_VISIBLE):
            return True
    return False


tap = uitest.Tap()
with uitest.App(binary, schema_dir) as app:
    entry = app.find(role="text", name="Setup Code", timeout=10) or \
        app.find(role="entry", name="Setup Code", timeout=1)
    tap.check("the setup code entry is named for screen readers", entry is not None,
              "\n".join(f"{n.getRoleName()}: {n.name}" for n in app.walk(app.app)))
    tap.check("every control has an accessible name", not app.unnamed_controls(),
              "\n".join(app.unnamed_controls()))
    time.sleep(0.5)
    uitest.screenshot(os.path.join(shots, "add-device-empty.png"))

    # The entry has the focus when the window opens: a person can type at once.
    uitest.type_text("34970112332")
    tap.check("a valid manual code is accepted", app.wait_for_text("The code is valid."),
              "\n".join(app.texts()))
    texts = app.texts()
    tap.check("the digits are grouped 4-3-4 as typed", "3497-011-2332" in texts,
              "\n".join(texts))
    tap.check("the summary gives the discriminator", any(t.startswith("15") for t in texts),
              "\n".join(texts))
    tap.check("the summary says the passcode is valid", "Valid" in texts, "\n".join(texts))
    tap.check("a valid code offers Continue", visible_button(app, "Continue"))
    uitest.screenshot(os.path.join(shots, "add-device-manual.png"))

    uitest.key("ctrl+a", "BackSpace")
    uitest.type_text("MT:Y.K90AFN00KA0648G00")
    tap.check("a QR code text is accepted", app.wait_for_text("The code is valid."),
              "\n".join(app.texts()))
    texts = app.texts()
    tap.check("the QR summary gives the vendor id", "0xFFF1 (65521)" in texts, "\n".join(texts))
    tap.check("the QR summary gives the product id", "0x8000 (32768)" in texts, "\n".join(texts))
    tap.check("the QR summary gives the discriminator", "3840" in texts, "\n".join(texts))
    tap.check("the QR summary names the discovery method",
              "IP network" in texts, "\n".join(texts))
    uitest.screenshot(os.path.join(shots, "add-device.png"))

    uitest.key("ctrl+a", "BackSpace")
    uitest.type_text("34970112333")
    tap.check("a wrong check digit is reported", app.wait_for_text("does not match"),
              "\n".join(app.texts()))
    texts = app.texts()
    tap.check("no summary is shown for a wrong code", "Vendor ID" not in texts and
              "Setup Passcode" not in texts, "\n".join(texts))
    tap.check("a wrong code offers no Continue", not visible_button(app, "Continue"))
    tap.check("the error never shows the passcode",
              not any("20202021" in t for t in texts), "\n".join(texts))
    uitest.screenshot(os.path.join(shots, "add-device-error.png"))

    uitest.key("ctrl+a", "BackSpace")
    uitest.type_text("MT:M5L90MP500K64J00000*M5L90U.D010K4J00000")
    tap.check("a concatenated code lists every device",
              app.wait_for_text("Device 2 of 2"), "\n".join(app.texts()))
    tap.check("every control still has an accessible name", not app.unnamed_controls(),
              "\n".join(app.unnamed_controls()))

sys.exit(tap.finish())
