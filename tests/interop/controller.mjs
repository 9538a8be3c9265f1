// A matter.js commissioner: the independent reference the harness checks device.mjs against,
// and the side-by-side anchor for Threshold's own commissioning.
//
// Run it only inside a network namespace (thnet.py does): it discovers devices over mDNS.
//
//   node controller.mjs --storage DIR [--passcode N] [--discriminator N] [--toggles N]
//   node controller.mjs --storage DIR --code MANUAL-CODE [--toggles N]
//
// It finds the commissionable device with the discriminator, commissions it with the passcode,
// connects, and toggles its light's OnOff attribute N times. With --code, the passcode and the
// short discriminator come from an 11-digit manual pairing code instead. stdout lines:
//   COMMISSIONED <node id> <milliseconds from start to CommissioningComplete>
//   TOGGLED <n>                        after each Toggle command succeeded
//   DONE
// Logs go to stderr. Exit status 0 on success, 1 on a failure, 2 on a wrong command line.

import { config } from "@matter/nodejs/config";
import { mkdirSync } from "node:fs";
import { parseArgs } from "node:util";

// Seconds the whole run may take before it gives up.
const RUN_LIMIT_S = 60;

function fail (message, status) {
  process.stderr.write(`controller.mjs: ${message}\n`);
  process.exit(status);
}

let values;
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      storage: { type: "string" },
      passcode: { type: "string", default: "20202021" },
      discriminator: { type: "string", default: "3840" },
      toggles: { type: "string", default: "0" },
      code: { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (e) {
  fail(e.message, 2);
}
if (!values.storage)
  fail("--storage is required", 2);
for (const name of ["passcode", "discriminator", "toggles"]) {
  if (!/^[0-9]+$/.test(values[name]))
    fail(`--${name} must be a decimal integer`, 2);
}
if (values.code !== undefined && !/^[0-9]{11}$/.test(values.code.replace(/[- ]/g, "")))
  fail("--code must be an 11-digit manual pairing code", 2);
let passcode = Number(values.passcode);
let identifierData = { longDiscriminator: Number(values.discriminator) };
const toggles = Number(values.toggles);
mkdirSync(values.storage, { recursive: true });

config.loadProcessArgv = false;
config.loadProcessEnv = false;
config.loadConfigFile = false;
config.defaultStoragePath = values.storage;
config.trapProcessSignals = false;

const { Environment, Logger } = await import("@matter/main");
const { OnOff } = await import("@matter/main/clusters/on-off");
const { CommissioningController } = await import("@project-chip/matter.js");
const { ManualPairingCodeCodec } = await import("@matter/types");

if (values.code !== undefined) {
  const decoded = ManualPairingCodeCodec.decode(values.code.replace(/[- ]/g, ""));
  passcode = decoded.passcode;
  identifierData = { shortDiscriminator: decoded.shortDiscriminator };
}

Logger.format = "plain";
Logger.destinations.default.write = (text) => process.stderr.write(text + "\n");
Environment.default.vars.set("storage.path", values.storage);

const limit = setTimeout(() => fail(`not done after ${RUN_LIMIT_S} s`, 1), RUN_LIMIT_S * 1000);

const controller = new CommissioningController({
  environment: { environment: Environment.default, id: "controller" },
  autoConnect: false,
  adminFabricLabel: "Threshold interop",
});

try {
  await controller.start();
  const started = Date.now();
  // Never subscribe, here or below: a subscription left behind makes the device spend about
  // 13 s on retrying its last reports to this controller when it stops.
  const nodeId = await controller.commissionNode({
    commissioning: { regulatoryLocation: 0, regulatoryCountryCode: "XX" },
    discovery: { identifierData },
    passcode,
  }, { connectNodeAfterCommissioning: false });
  process.stdout.write(`COMMISSIONED ${nodeId} ${Date.now() - started}\n`);

  if (toggles > 0) {
    const node = await controller.getNode(nodeId);
    node.connect({ autoSubscribe: false });
    // The light's endpoint shows up once matter.js has read the node; the run limit bounds
    // the wait.
    let onOff;
    while ((onOff = node.getClusterClientForDevice(1, OnOff.Cluster)) === undefined)
      await new Promise((resolve) => setTimeout(resolve, 100));
    for (let n = 1; n <= toggles; n++) {
      await onOff.toggle();
      process.stdout.write(`TOGGLED ${n}\n`);
    }
    await node.disconnect();
  }
  await controller.close();
} catch (e) {
  fail(`${e?.stack ?? e}`, 1);
}
clearTimeout(limit);
process.stdout.write("DONE\n");
process.exit(0);
