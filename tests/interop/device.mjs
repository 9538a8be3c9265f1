// A matter.js On/Off light that Threshold's interoperability tests commission.
//
// Run it only inside a network namespace: matter.js announces itself over mDNS on every
// non-loopback interface it sees. thnet.py does that.
//
// Every setting comes from the command line (see USAGE). matter.js would otherwise also read
// process.argv, MATTER_* variables and a config.json; that is switched off before it loads, so
// the device is the same whatever the caller's environment holds.
//
// stdout carries only lines a test can match; logs go to stderr:
//   {"qr": ..., "manual": ..., ...}   once, the pairing codes and the settings in effect
//   READY                             the node is online and commissionable
//   COMMISSIONED / DECOMMISSIONED     a fabric was added to a fresh node / the last one left
//   ONOFF true|false                  the light's OnOff attribute changed
//   LABEL <text>                      Basic Information NodeLabel changed (JSON string)
//   IDENTIFY <seconds>                the light started identifying for that long
//   STOPPED                           after SIGTERM or SIGINT, just before a clean exit

import { config } from "@matter/nodejs/config";
import { mkdirSync } from "node:fs";
import { parseArgs } from "node:util";

const USAGE = `usage: node device.mjs --storage DIR [options]
  --storage DIR          storage directory; give a new, empty one for a fresh device
  --passcode N           setup passcode (default 20202021)
  --discriminator N      12-bit discriminator (default 3840)
  --vendor-id N          vendor id, decimal or 0x hex (default 0xFFF1)
  --product-id N         product id, decimal or 0x hex (default 0x8000)
  --port N               UDP port (default 5540)
  --flow-type N          commissioning flow: 0 standard, 1 user intent, 2 custom (default 0)
  --vendor-name S        Basic Information VendorName (default "Threshold Test Vendor")
  --product-name S       Basic Information ProductName (default "Threshold Test Light")
  --serial-number S      Basic Information SerialNumber (default "TH-0001")
  --interface IF         announce over mDNS on this interface only (default: all)
`;

// Seconds a clean shutdown may take before the process gives up on it.
const SHUTDOWN_LIMIT_S = 15;

function fail (message) {
  process.stderr.write(`device.mjs: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseInteger (name, text, min, max) {
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(text))
    fail(`--${name} must be a decimal or 0x-prefixed hex integer, not "${text}"`);
  const value = Number(text);
  if (value < min || value > max)
    fail(`--${name} must be between ${min} and ${max}, not ${value}`);
  return value;
}

function parseOptions () {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: {
        storage: { type: "string" },
        passcode: { type: "string", default: "20202021" },
        discriminator: { type: "string", default: "3840" },
        "vendor-id": { type: "string", default: "0xFFF1" },
        "product-id": { type: "string", default: "0x8000" },
        port: { type: "string", default: "5540" },
        "flow-type": { type: "string", default: "0" },
        "vendor-name": { type: "string", default: "Threshold Test Vendor" },
        "product-name": { type: "string", default: "Threshold Test Light" },
        "serial-number": { type: "string", default: "TH-0001" },
        interface: { type: "string" },
        help: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    fail(e.message);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (v.storage === undefined || v.storage === "")
    fail("--storage is required");
  // Basic Information limits these strings to 32 characters.
  for (const name of ["vendor-name", "product-name", "serial-number"]) {
    if (v[name].length === 0 || v[name].length > 32)
      fail(`--${name} must be 1 to 32 characters long`);
  }
  return {
    storage: v.storage,
    passcode: parseInteger("passcode", v.passcode, 1, 99999998),
    discriminator: parseInteger("discriminator", v.discriminator, 0, 0xfff),
    vendorId: parseInteger("vendor-id", v["vendor-id"], 0, 0xffff),
    productId: parseInteger("product-id", v["product-id"], 0, 0xffff),
    port: parseInteger("port", v.port, 1, 0xffff),
    flowType: parseInteger("flow-type", v["flow-type"], 0, 2),
    vendorName: v["vendor-name"],
    productName: v["product-name"],
    serialNumber: v["serial-number"],
    networkInterface: v.interface,
  };
}

function emit (line) {
  process.stdout.write(line + "\n");
}

const options = parseOptions();
mkdirSync(options.storage, { recursive: true });

config.loadProcessArgv = false;
config.loadProcessEnv = false;
config.loadConfigFile = false;
config.defaultStoragePath = options.storage;
// The script ends the node itself so that it can report STOPPED and exit with a status.
config.trapProcessSignals = false;

const { Environment, Logger, ServerNode, VendorId } = await import("@matter/main");
const { OnOffLightDevice } = await import("@matter/main/devices/on-off-light");

// Plain text even on a terminal: the harness keeps these logs in files.
Logger.format = "plain";
Logger.destinations.default.write = (text) => process.stderr.write(text + "\n");

const vars = Environment.default.vars;
vars.set("storage.path", options.storage);
if (options.networkInterface !== undefined)
  vars.set("mdns.networkInterface", options.networkInterface);

const server = await ServerNode.create({
  id: "device",
  network: { port: options.port, ipv4: true },
  commissioning: {
    passcode: options.passcode,
    discriminator: options.discriminator,
    flowType: options.flowType,
  },
  productDescription: {
    name: options.productName,
    deviceType: OnOffLightDevice.deviceType,
  },
  basicInformation: {
    vendorName: options.vendorName,
    vendorId: VendorId(options.vendorId),
    productName: options.productName,
    productId: options.productId,
    nodeLabel: options.productName,
    serialNumber: options.serialNumber,
    uniqueId: `${options.serialNumber}-${options.port}`,
  },
});

const light = await server.add(OnOffLightDevice, { id: "light" });

server.lifecycle.commissioned.on(() => emit("COMMISSIONED"));
server.lifecycle.decommissioned.on(() => emit("DECOMMISSIONED"));
light.events.onOff.onOff$Changed.on((value) => emit(`ONOFF ${value}`));
server.events.basicInformation.nodeLabel$Changed.on(
  (value) => emit(`LABEL ${JSON.stringify(value)}`));
// Only the start: the attribute then counts down every second.
light.events.identify.identifyTime$Changed.on((value, old) => {
  if (value > 0 && old === 0)
    emit(`IDENTIFY ${value}`);
});

let stopping = false;
async function stop (signal) {
  if (stopping)
    return;
  stopping = true;
  process.stderr.write(`device.mjs: ${signal}, shutting down\n`);
  const limit = setTimeout(() => {
    process.stderr.write(`device.mjs: shutdown took over ${SHUTDOWN_LIMIT_S} s, exiting\n`);
    process.exit(1);
  }, SHUTDOWN_LIMIT_S * 1000);
  try {
    await server.close();
  } catch (e) {
    process.stderr.write(`device.mjs: shutdown failed: ${e?.stack ?? e}\n`);
    process.exit(1);
  }
  clearTimeout(limit);
  emit("STOPPED");
  process.exit(0);
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));

await server.start();

const codes = server.state.commissioning.pairingCodes;
emit(JSON.stringify({
  qr: codes.qrPairingCode,
  manual: codes.manualPairingCode,
  discriminator: options.discriminator,
  vendorId: options.vendorId,
  productId: options.productId,
  port: options.port,
  flowType: options.flowType,
}));
emit("READY");
