#!/usr/bin/env python3
"""A stand-in for xdg-desktop-portal's Camera interface on the session bus.

    fake-camera-portal.py deny     every AccessCamera request is answered "no"
    fake-camera-portal.py wait     requests are never answered, as while the dialog is open
    fake-camera-portal.py absent   IsCameraPresent is false

It prints "ready" once it owns the portal's name and "AccessCamera" for each request, so a
test can count them. Run it with /usr/bin/python3 (PyGObject is Debian's).
"""
import sys

from gi.repository import Gio, GLib

BUS_NAME = "org.freedesktop.portal.Desktop"
OBJECT_PATH = "/org/freedesktop/portal/desktop"
REQUEST_PREFIX = "/org/freedesktop/portal/desktop/request/"

INTERFACE_XML = """
<node>
  <interface name="org.freedesktop.portal.Camera">
    <method name="AccessCamera">
      <arg type="a{sv}" name="options" direction="in"/>
      <arg type="o" name="handle" direction="out"/>
    </method>
    <method name="OpenPipeWireRemote">
      <arg type="a{sv}" name="options" direction="in"/>
      <arg type="h" name="fd" direction="out"/>
    </method>
    <property name="IsCameraPresent" type="b" access="read"/>
    <property name="version" type="u" access="read"/>
  </interface>
</node>
"""

# The portal's Request.Response codes
RESPONSE_CANCELLED = 1


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "deny"
    if mode not in ("deny", "wait", "absent"):
        sys.exit(f"unknown mode {mode}: use deny, wait or absent")
    loop = GLib.MainLoop()
    node = Gio.DBusNodeInfo.new_for_xml(INTERFACE_XML)

    def on_call(connection, sender, path, interface, method, parameters, invocation):
        if method != "AccessCamera":
            invocation.return_dbus_error("org.freedesktop.portal.Error.NotAllowed",
                                         "this stand-in portal grants no camera")
            return
        options = parameters.unpack()[0]
        token = options.get("handle_token", "t")
        handle = REQUEST_PREFIX + sender[1:].replace(".", "_") + "/" + token
        print("AccessCamera", flush=True)
        invocation.return_value(GLib.Variant("(o)", (handle,)))
        if mode == "deny":
            connection.emit_signal(sender, handle, "org.freedesktop.portal.Request", "Response",
                                   GLib.Variant("(ua{sv})", (RESPONSE_CANCELLED, {})))

    def on_get_property(connection, sender, path, interface, name):
        if name == "IsCameraPresent":
            return GLib.Variant("b", mode != "absent")
        return GLib.Variant("u", 1)

    def on_bus(connection, name):
        connection.register_object(OBJECT_PATH, node.interfaces[0], on_call,
                                   on_get_property, None)

    def on_name(connection, name):
        print("ready", flush=True)

    def on_lost(connection, name):
        sys.exit(f"could not own {BUS_NAME}")

    Gio.bus_own_name(Gio.BusType.SESSION, BUS_NAME, Gio.BusNameOwnerFlags.NONE,
                     on_bus, on_name, on_lost)
    loop.run()


if __name__ == "__main__":
    main()
